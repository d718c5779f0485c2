//! The raw listing of the whole kernel (`bpftool btf dump file`) in the big viewer, with a
//! "go to" box taking a line number, a type id or a type name.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::spans::Linker;
use crate::components::summary_view::group;
use crate::components::text_viewer::TextViewer;
use crate::decimal::fixed;
use crate::document::Document;
use crate::search::TypeIndex;
use crate::shared::Shared;
use crate::state::{Action, ScrollTarget};
use crate::url::UrlState;

/// Props of [`ListingView`].
#[derive(Properties, PartialEq, Debug)]
pub struct ListingViewProps {
    /// The listing, once built.
    pub document: Option<Shared<Document>>,
    /// The kernel's type index (to resolve names typed in the go-to box).
    pub index: Shared<TypeIndex>,
    /// Where to scroll.
    pub scroll: Option<ScrollTarget>,
    /// The selected type, highlighted.
    pub selected: Option<u32>,
    /// The current URL, which links modify.
    pub url: UrlState,
    /// Receives navigation.
    pub on_action: Callback<Action>,
}

/// What the go-to box means by `text`.
fn go_to(text: &str, index: &TypeIndex) -> Action {
    let t = text.trim();
    if let Ok(line) = t.parse::<usize>() {
        return Action::GoToLine(line.saturating_sub(1));
    }
    let id = t
        .strip_prefix('#')
        .or_else(|| t.strip_prefix('[').and_then(|r| r.strip_suffix(']')))
        .and_then(|n| n.parse().ok());
    match id.or_else(|| index.resolve(t)) {
        Some(id) => Action::GoToType(id),
        None => Action::Failed(format!("no type named {t}")),
    }
}

/// The listing panel.
#[component]
pub fn ListingView(props: &ListingViewProps) -> Html {
    let Some(doc) = &props.document else {
        return html! {
            <section class="listing empty"><p class="muted">{ "Building the raw listing in the engine worker…" }</p></section>
        };
    };
    let onkeydown = {
        let (on_action, index) = (props.on_action.clone(), props.index.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let input: HtmlInputElement = e.target_unchecked_into();
                if !input.value().trim().is_empty() {
                    on_action.emit(go_to(&input.value(), &index));
                }
            }
        })
    };
    let linker = Linker {
        base: props.url.clone(),
        on_link: props.on_action.reform(Action::GoToType),
    };
    // The line jumped to, else the selected type's.
    let highlight = props
        .scroll
        .map(|s| s.line)
        .or_else(|| props.selected.and_then(|id| doc.anchor(id)));
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
            <TextViewer document={doc.clone()} scroll={props.scroll} {highlight} {linker}
                on_scrolled={props.on_action.reform(Action::Scrolled)} />
        </section>
    }
}
