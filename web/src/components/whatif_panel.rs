//! What-if controls: the libbpf release that relocates, the kernel version
//! (`LINUX_KERNEL_VERSION`), the object's `.kconfig` externs and read-only globals, and types
//! or members hidden from the target. Every change goes into the URL and the views recompute.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::dto::guard::{GuardReport, LibbpfRelease, WhatIf};
use crate::hooks::{use_dispatch, use_synced_value, use_workspace};
use crate::shared::Shared;
use crate::state::{Action, ObjectAction};

/// Props of [`WhatIfPanel`].
#[derive(Properties, PartialEq, Debug)]
pub struct WhatIfPanelProps {
    /// The last guard run (the values the knobs have now).
    pub report: Option<Shared<GuardReport>>,
}

fn set(w: WhatIf) -> Action {
    Action::Object(ObjectAction::SetWhatIf(w))
}

fn with_set(w: &WhatIf, name: &str, value: &str) -> WhatIf {
    let mut w = w.clone();
    w.set.retain(|(n, _)| n != name);
    if !value.trim().is_empty() {
        w.set.push((name.to_owned(), value.trim().to_owned()));
    }
    w
}

/// The panel.
#[component]
pub fn WhatIfPanel(props: &WhatIfPanelProps) -> Html {
    let s = use_workspace();
    let on_action = use_dispatch();
    let w = s.object.whatif.clone();
    let report = props.report.clone();
    let release_now = report.as_ref().and_then(|r| r.kernel_release.clone());
    let on_release = {
        let (w, on) = (w.clone(), on_action.clone());
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut next = w.clone();
            next.kernel_release = Some(v.trim().to_owned()).filter(|v| !v.is_empty());
            on.emit(set(next));
        })
    };
    let knobs = s
        .object
        .object
        .as_ref()
        .map(|o| o.summary.knobs.clone())
        .unwrap_or_default();
    let knob_rows = knobs
        .iter()
        .filter(|k| k.name != "LINUX_KERNEL_VERSION")
        .map(|k| {
            let now = report
                .as_ref()
                .and_then(|r| r.knobs.iter().find(|v| v.name == k.name))
                .map(|v| (v.value.clone(), v.overridden));
            let (value, overridden) = now.unwrap_or_else(|| (k.value.clone(), false));
            // A value set but not yet simulated shows as set, not as the last run's.
            let value = w
                .set
                .iter()
                .find(|(n, _)| *n == k.name)
                .map_or(value, |(_, v)| v.clone());
            let name = k.name.clone();
            let (w2, on) = (w.clone(), on_action.clone());
            let id = format!("knob-{}", k.name);
            let control = if matches!(k.ty.as_str(), "bool" | "tristate") {
                let onchange = Callback::from(move |e: Event| {
                    let v = e.target_unchecked_into::<HtmlSelectElement>().value();
                    on.emit(set(with_set(&w2, &name, &v)));
                });
                let opts = if k.ty == "bool" { &["n", "y"][..] } else { &["n", "m", "y"][..] };
                html! {
                    <select id={id.clone()} {onchange}>
                        { for opts.iter().map(|o| html! { <option value={*o} selected={value == *o}>{ *o }</option> }) }
                    </select>
                }
            } else {
                let onchange = Callback::from(move |e: Event| {
                    let v = e.target_unchecked_into::<HtmlInputElement>().value();
                    on.emit(set(with_set(&w2, &name, &v)));
                });
                html! { <SyncedText id={id.clone()} value={value.clone()} {onchange} /> }
            };
            html! {
                <div class={classes!("knob", overridden.then_some("overridden"))}>
                    <label for={id}>
                        <span class="mono">{ &k.name }</span>
                        <span class="muted small">{ format!(" {} · {}", k.ty, if k.kind == "kconfig" { ".kconfig" } else { ".rodata" }) }</span>
                    </label>
                    { control }
                </div>
            }
        });
    let hide_ref = use_node_ref();
    let add_hide = {
        let (w, on, r) = (w.clone(), on_action.clone(), hide_ref.clone());
        move || {
            if let Some(input) = r.cast::<HtmlInputElement>() {
                let v = input.value().trim().to_owned();
                if !v.is_empty() && !w.hide.contains(&v) {
                    let mut next = w.clone();
                    next.hide.push(v);
                    on.emit(set(next));
                }
                input.set_value("");
            }
        }
    };
    let on_hide_key = {
        let add = add_hide.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                add();
            }
        })
    };
    let on_hide_click = Callback::from(move |_: MouseEvent| add_hide());
    let chips = w.hide.iter().map(|h| {
        let (w, on, h2) = (w.clone(), on_action.clone(), h.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let mut next = w.clone();
            next.hide.retain(|x| x != &h2);
            on.emit(set(next));
        });
        html! {
            <span class="hide-chip" data-hide={h.clone()}>
                <span class="mono">{ h }</span>
                <button class="link-button" {onclick} aria-label={format!("Stop hiding {h}")}>{ "×" }</button>
            </span>
        }
    });
    let hidden_notes = report
        .as_ref()
        .map(|r| r.hidden.clone())
        .unwrap_or_default();
    let reset = on_action.reform(|_: MouseEvent| set(WhatIf::default()));
    html! {
        <div class="whatif" id="whatif">
            <h2>{ "What if…" }</h2>
            <div class="knob">
                <label for="whatif-libbpf">{ "libbpf" }<span class="muted small">{ " the release that relocates" }</span></label>
                <LibbpfSelect id="whatif-libbpf" />
            </div>
            <div class="knob">
                <label for="whatif-release"><span class="mono">{ "LINUX_KERNEL_VERSION" }</span>
                    <span class="muted small">{ " kernel release" }</span></label>
                <SyncedText id="whatif-release" value={w.kernel_release.clone().unwrap_or_default()}
                    placeholder={release_now.map_or_else(|| "X.Y.Z".to_owned(), |r| format!("{r} (from the kernel's name)"))}
                    onchange={on_release} />
            </div>
            { for knob_rows }
            <div class="knob">
                <label for="whatif-hide">{ "Hide in the target" }
                    <span class="muted small">{ " a type (bpf_dynptr) or member (task_struct.__state)" }</span></label>
                <div class="hide-add">
                    <input id="whatif-hide" ref={hide_ref} type="text" placeholder="inode.i_atime_sec"
                        onkeydown={on_hide_key} spellcheck="false" />
                    <button class="button small" id="whatif-hide-add" onclick={on_hide_click}>{ "Hide" }</button>
                </div>
                <div class="hide-chips">{ for chips }</div>
                { for hidden_notes.iter().map(|n| html! { <p class="muted small">{ n }</p> }) }
            </div>
            if !w.is_empty() {
                <button class="button small" id="whatif-reset" onclick={reset}>{ "Reset" }</button>
            }
        </div>
    }
}

/// Props of [`SyncedText`].
#[derive(Properties, PartialEq, Debug)]
struct SyncedTextProps {
    id: AttrValue,
    /// What the app holds now.
    value: String,
    #[prop_or_default]
    placeholder: Option<String>,
    /// Enter, or leaving the field after an edit.
    onchange: Callback<Event>,
}

/// A knob's text field: it shows the app's value and keeps what is typed until it is
/// committed, whatever re-renders the panel meanwhile (see [`use_synced_value`]).
#[component]
fn SyncedText(props: &SyncedTextProps) -> Html {
    let node = use_synced_value(props.value.clone());
    html! {
        <input id={props.id.clone()} ref={node} type="text" placeholder={props.placeholder.clone()}
            onchange={props.onchange.clone()} spellcheck="false" />
    }
}

/// Props of [`WhatIfNotice`].
#[derive(Properties, PartialEq, Debug)]
pub struct WhatIfNoticeProps {
    /// The settings.
    pub whatif: WhatIf,
}

/// One line saying that what-if settings are on (outside the Guarding area).
#[component]
pub fn WhatIfNotice(props: &WhatIfNoticeProps) -> Html {
    let on_action = use_dispatch();
    let w = &props.whatif;
    if w.is_empty() {
        return html! {};
    }
    let mut parts = Vec::new();
    if w.libbpf != LibbpfRelease::default() {
        parts.push(format!("libbpf {}", w.libbpf.label()));
    }
    if let Some(r) = &w.kernel_release {
        parts.push(format!("LINUX_KERNEL_VERSION {r}"));
    }
    parts.extend(w.set.iter().map(|(n, v)| format!("{n}={v}")));
    parts.extend(w.hide.iter().map(|h| format!("without {h}")));
    let reset = on_action.reform(|_: MouseEvent| set(WhatIf::default()));
    html! {
        <div class="whatif-notice">
            <span>{ "What-if: " }<span class="mono">{ parts.join(", ") }</span></span>
            <button class="button small" onclick={reset}>{ "Reset" }</button>
        </div>
    }
}

/// Props of [`LibbpfSelect`].
#[derive(Properties, PartialEq, Debug)]
pub struct LibbpfSelectProps {
    /// The element id.
    pub id: AttrValue,
}

/// The libbpf release choice (1.7, the default, or 1.5): a what-if setting like the others.
#[component]
pub fn LibbpfSelect(props: &LibbpfSelectProps) -> Html {
    let s = use_workspace();
    let on_action = use_dispatch();
    let w = s.object.whatif.clone();
    let current = w.libbpf;
    let onchange = Callback::from(move |e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        if let Some(libbpf) = LibbpfRelease::parse(&v) {
            on_action.emit(set(WhatIf {
                libbpf,
                ..w.clone()
            }));
        }
    });
    let option = |r: LibbpfRelease| {
        let text = if r == LibbpfRelease::default() {
            format!("{} (default)", r.label())
        } else {
            r.label().to_owned()
        };
        html! { <option value={r.label()} selected={r == current}>{ text }</option> }
    };
    html! {
        <select id={props.id.clone()} class="libbpf-select" {onchange}
            title="The libbpf release whose relocation results are shown">
            { for LibbpfRelease::ALL.into_iter().rev().map(option) }
        </select>
    }
}
