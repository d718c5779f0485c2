//! The raw listing of the whole kernel (`bpftool btf dump file`) in the big viewer, with a
//! "go to" box taking a line number, a type id or a type name.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::spans::Linker;
use crate::components::summary_view::group;
use crate::components::text_viewer::{DocRef, TextViewer};
use crate::decimal::fixed;
use crate::hooks::{use_dispatch, use_query, use_workspace};
use crate::query::kernel::ListingQuery;
use crate::query::Fetch;
use crate::search::TypeIndex;
use crate::state::{Action, KernelAction};

/// What the go-to box means by `text`.
fn go_to(text: &str, index: Option<&TypeIndex>) -> Action {
    let t = text.trim();
    if let Ok(line) = t.parse::<usize>() {
        return Action::Kernel(KernelAction::ListingGoToLine(line.saturating_sub(1)));
    }
    let id = t
        .strip_prefix('#')
        .or_else(|| t.strip_prefix('[').and_then(|r| r.strip_suffix(']')))
        .and_then(|n| n.parse().ok());
    match id.or_else(|| index?.resolve(t)) {
        Some(id) => Action::Kernel(KernelAction::ShowInListing(id)),
        None => Action::Failed(format!("no type named {t}")),
    }
}

/// The listing panel.
#[component]
pub fn ListingView() -> Html {
    let ws = use_workspace();
    let on_action = use_dispatch();
    let fetched = use_query(ListingQuery::of(&ws));
    let doc = fetched.ready().cloned();
    // A jump to a type waits for the listing: then its line, or its detail if the listing
    // does not hold it (a base type under a module's split BTF).
    {
        let on_action = on_action.clone();
        let jump = ws.kernel.listing.jump;
        use_effect_with((doc.clone(), jump), move |(doc, jump)| {
            if let (Some(doc), Some(id)) = (doc, jump) {
                on_action.emit(Action::Kernel(KernelAction::ListingJumped(doc.anchor(*id))));
            }
        });
    }
    let doc = match (&fetched, doc) {
        (_, Some(doc)) => doc,
        (Fetch::Failed(e), _) => {
            return html! { <section class="listing empty"><p class="error-text">{ e.clone() }</p></section> }
        }
        _ => {
            return html! {
                <section class="listing empty"><p class="muted">{ "Building the raw listing in the engine worker…" }</p></section>
            }
        }
    };
    let onkeydown = {
        let (on_action, index) = (on_action.clone(), ws.kernel.index().cloned());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let input: HtmlInputElement = e.target_unchecked_into();
                if !input.value().trim().is_empty() {
                    on_action.emit(go_to(&input.value(), index.as_deref()));
                }
            }
        })
    };
    let linker = Linker {
        base: ws.url(),
        on_link: on_action.reform(|id| Action::Kernel(KernelAction::ShowInListing(id))),
    };
    let position = &ws.kernel.listing;
    // The line jumped to, else the selected type's.
    let highlight = position
        .scroll
        .map(|s| s.line)
        .or_else(|| ws.kernel.selected.and_then(|id| doc.anchor(id)));
    html! {
        <section class="listing">
            <div class="listing-bar">
                <input id="goto" type="search" placeholder="Go to line, #id or type name ⏎"
                    aria-label="Go to line or type" {onkeydown} autocomplete="off" spellcheck="false" />
                <span class="muted">
                    { format!("{} lines · {} MB · ", group(doc.line_count() as u64), fixed(doc.text_len() as f64 / 1e6, 1)) }
                    <code>{ "bpftool btf dump file" }</code>
                </span>
            </div>
            <TextViewer document={DocRef::Listing(doc)} scroll={position.scroll} {highlight} {linker}
                on_scrolled={on_action.reform(|l| Action::Kernel(KernelAction::ListingScrolled(l)))} />
        </section>
    }
}
