//! The generated `vmlinux.h` in the big viewer: every type name a link to its definition
//! line, a "go to type" box, the profile switch, roots ("only these types and what they
//! need"), Copy and Download, libbpf's warnings and the generation time. The first screen
//! shows as soon as the engine has generated it, before the whole header is done.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::browser;
use crate::components::spans::Linker;
use crate::components::summary_view::group;
use crate::components::text_viewer::{DocRef, TextViewer};
use crate::decimal::fixed;
use crate::dto::HeaderDocument;
use crate::hooks::{use_dispatch, use_query, use_workspace};
use crate::query::kernel::HeaderQuery;
use crate::query::Fetch;
use crate::search::TypeIndex;
use crate::shared::Shared;
use crate::state::{Action, HeaderAction, Workspace};
use crate::url::{split_roots, HeaderProfile};

/// What the go-to box means by `text`: a line number, `#id`, or a type name (with or
/// without its `struct `/`union `/`enum `/`typedef ` keyword).
fn go_to(text: &str, index: Option<&TypeIndex>) -> Action {
    let t = text.trim();
    if let Ok(line) = t.parse::<usize>() {
        return Action::Header(HeaderAction::GoToLine(line.saturating_sub(1)));
    }
    let name = ["struct ", "union ", "enum ", "typedef "]
        .iter()
        .find_map(|k| t.strip_prefix(k))
        .unwrap_or(t)
        .trim();
    let id = name.strip_prefix('#').and_then(|n| n.parse().ok());
    match id.or_else(|| index?.resolve(name)) {
        Some(id) => Action::Header(HeaderAction::GoToType(id)),
        None => Action::Failed(format!("no type named {name}")),
    }
}

/// The header panel.
#[component]
pub fn HeaderView() -> Html {
    let ws = use_workspace();
    let s = &*ws;
    let on_action = use_dispatch();
    let fetched = use_query(HeaderQuery::of(s));
    // Once the whole header is there: a pending jump, the line it was at, or the selected
    // type's definition.
    {
        let on_action = on_action.clone();
        let whole = fetched.ready().cloned();
        let (area, selected) = (s.header.clone(), s.kernel.selected);
        use_effect_with(
            (whole, area.position.jump, selected),
            move |(whole, _, selected)| {
                if let Some(h) = whole {
                    if let Some(a) = area.on_document(&h.document, *selected) {
                        on_action.emit(Action::Header(a));
                    }
                }
            },
        );
    }
    // The roots as being typed: a draft of this component's own, so that a re-render while
    // typing (a scroll settling, a reply arriving) does not put the applied roots back.
    let applied = s.header.roots.join(", ");
    let draft = use_state(|| applied.clone());
    {
        let draft = draft.clone();
        use_effect_with(applied, move |applied| draft.set(applied.clone()));
    }
    let copied = use_state(|| None::<Result<(), String>>);

    let on_profile = on_action.reform(|e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        Action::Header(HeaderAction::SetProfile(
            HeaderProfile::parse(&v).unwrap_or_default(),
        ))
    });
    let apply_roots = {
        let (on_action, draft) = (on_action.clone(), draft.clone());
        let helpers = s.header.helpers;
        // The text typed (read from the input on Enter), else the draft.
        Callback::from(move |(text, helpers_now): (Option<String>, Option<bool>)| {
            let text = text.unwrap_or_else(|| (*draft).clone());
            on_action.emit(Action::Header(HeaderAction::SetRoots {
                roots: split_roots(&text),
                helpers: helpers_now.unwrap_or(helpers),
            }));
        })
    };
    let on_roots_input = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            draft.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let on_roots_key = {
        let apply = apply_roots.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let input: HtmlInputElement = e.target_unchecked_into();
                apply.emit((Some(input.value()), None));
            }
        })
    };
    let on_roots_button = apply_roots.reform(|_: MouseEvent| (None, None));
    let on_helpers = apply_roots.reform(|e: Event| {
        let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
        (None, Some(checked))
    });

    let profiles = HeaderProfile::ALL.iter().map(|&p| {
        html! {
            <option value={p.label()} selected={p == s.header.profile}>{ p.label() }</option>
        }
    });
    let controls = html! {
        <div class="listing-bar header-bar">
            <label class="field">
                <span class="muted">{ "profile" }</span>
                <select id="header-profile" onchange={on_profile} aria-label="bpftool profile">{ for profiles }</select>
            </label>
            <label class="field grow">
                <span class="muted">{ "roots" }</span>
                <input id="header-roots" type="text" value={(*draft).clone()} oninput={on_roots_input}
                    placeholder="only these types and what they need (e.g. task_struct, sk_buff) ⏎"
                    aria-label="Roots" onkeydown={on_roots_key} autocomplete="off" spellcheck="false" />
            </label>
            <button class="button small" id="header-roots-apply" onclick={on_roots_button}>{ "Apply" }</button>
            <label class="check" title="With roots: also the typedefs <bpf/bpf_helpers.h> needs (__u32, __be16, …)">
                <input id="header-helpers" type="checkbox" checked={s.header.helpers} onchange={on_helpers} />
                { " with bpf_helpers.h typedefs" }
            </label>
        </div>
    };

    let body = match &fetched {
        Fetch::Ready(h) | Fetch::Partial(h) => shown(s, &on_action, h, &copied),
        Fetch::Failed(e) => html! {
            <section class="listing empty"><p class="error-text" id="header-error">{ e.clone() }</p></section>
        },
        _ => html! {
            <section class="listing empty">
                <p class="muted">{ format!("Generating vmlinux.h ({}) in the engine worker…", s.header.profile.label()) }</p>
            </section>
        },
    };
    html! {
        <section class="listing header-view" id="header-view">
            { controls }
            { body }
        </section>
    }
}

/// The bar with the header's size, timing and buttons, its warnings, and the viewer (the
/// first screen while the rest is generated).
fn shown(
    s: &Workspace,
    on_action: &Callback<Action>,
    h: &Shared<HeaderDocument>,
    copied: &UseStateHandle<Option<Result<(), String>>>,
) -> Html {
    let doc = &h.document;
    let index = s.kernel.index().cloned();
    let onkeydown = {
        let on_action = on_action.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let input: HtmlInputElement = e.target_unchecked_into();
                if !input.value().trim().is_empty() {
                    on_action.emit(go_to(&input.value(), index.as_deref()));
                }
            }
        })
    };
    let on_copy = {
        let (h, copied) = (h.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            let (h, copied) = (h.clone(), copied.clone());
            spawn_local(async move {
                copied.set(Some(browser::copy_text(h.document.text()).await));
            });
        })
    };
    let on_download = {
        let (h, on_action) = (h.clone(), on_action.clone());
        Callback::from(move |_: MouseEvent| {
            if let Err(e) = browser::download_text("vmlinux.h", h.document.text()) {
                on_action.emit(Action::Failed(format!("download: {e}")));
            }
        })
    };
    let copy_label = match &**copied {
        Some(Ok(())) => "Copied".to_owned(),
        Some(Err(_)) => "Copy failed".to_owned(),
        None => "Copy".to_owned(),
    };
    let linker = Linker {
        base: s.url(),
        on_link: on_action.reform(|id| Action::Header(HeaderAction::GoToType(id))),
    };
    let highlight = s
        .header
        .position
        .scroll
        .map(|t| t.line)
        .or_else(|| s.kernel.selected.and_then(|id| doc.anchor(id)));
    let command = match s.header.roots.as_slice() {
        [] => format!("corelab header FILE --profile {}", s.header.profile.label()),
        roots => format!(
            "corelab header FILE --profile {} --root {}",
            s.header.profile.label(),
            roots.join(" --root ")
        ),
    };
    html! {
        <>
            <div class="listing-bar">
                <input id="header-goto" type="search" placeholder="Go to type or line ⏎"
                    aria-label="Go to type or line" {onkeydown} autocomplete="off" spellcheck="false" />
                if h.complete {
                    <span class="muted" id="header-stats">
                        { format!("{} lines · {} · generated in {} ms · ",
                            group(doc.line_count() as u64), size(doc.text_len()), fixed(h.ms, 0)) }
                        <code>{ command }</code>
                    </span>
                } else {
                    <span class="muted" id="header-partial">
                        { format!("the first {} lines, generated in {} ms; the rest is on its way…",
                            group(doc.line_count() as u64), fixed(h.ms, 0)) }
                    </span>
                }
                <span class="grow" />
                <button class="button small" id="header-copy" onclick={on_copy} disabled={!h.complete}>{ copy_label }</button>
                <button class="button small" id="header-download" onclick={on_download} disabled={!h.complete}>{ "Download vmlinux.h" }</button>
            </div>
            if !h.warnings.is_empty() {
                <ul class="header-warnings mono" id="header-warnings">
                    { for h.warnings.iter().map(|w| html! { <li>{ w.clone() }</li> }) }
                </ul>
            }
            <TextViewer document={DocRef::Header(h.clone())} scroll={s.header.position.scroll} {highlight} {linker}
                on_scrolled={on_action.reform(|l| Action::Header(HeaderAction::Scrolled(l)))} />
        </>
    }
}

/// A size for people: `2.8 MB`, `41 KB`.
fn size(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{} MB", fixed(bytes as f64 / 1e6, 1))
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}
