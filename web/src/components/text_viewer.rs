//! The big text viewer: a virtualised window over a [`Document`] of any length.
//!
//! Rows have a fixed height, so the row at any scroll position is one division away: an
//! outer scroller, a spacer as tall as all rows, and a block holding only the ~50 rows in
//! view (plus overscan), moved into place with `translateY`. Type links are real links.
//! It shows the raw listing and the generated `vmlinux.h`.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use web_sys::HtmlElement;
use yew::platform::spawn_local;
use yew::platform::time::sleep;
use yew::prelude::*;

use crate::components::spans::Linker;
use crate::decimal::fixed;
use crate::document::{window, Document};
use crate::dto::HeaderDocument;
use crate::shared::Shared;
use crate::state::ScrollTarget;

/// The text a viewer shows: a listing, or a header (whose document is one of its parts).
/// Compared by pointer, like all big data.
#[derive(Debug, Clone, PartialEq)]
pub enum DocRef {
    /// The raw listing.
    Listing(Shared<Document>),
    /// A generated header.
    Header(Shared<HeaderDocument>),
}

impl DocRef {
    fn get(&self) -> &Document {
        match self {
            DocRef::Listing(d) => d,
            DocRef::Header(h) => &h.document,
        }
    }
}

/// Row height in px; must match `.vrow` in style.css.
pub const ROW: f64 = 18.0;
/// Rows rendered beyond the visible ones on each side.
const OVERSCAN: usize = 12;
/// Lines of context kept above a line jumped to.
const CONTEXT: usize = 3;
/// Quiet time before a scroll position is reported (it ends up in the URL).
const SETTLE: Duration = Duration::from_millis(250);

/// Props of [`TextViewer`].
#[derive(Properties, PartialEq, Debug)]
pub struct TextViewerProps {
    /// The text.
    pub document: DocRef,
    /// Where to scroll (a new nonce scrolls again).
    pub scroll: Option<ScrollTarget>,
    /// A line to highlight (0-based).
    pub highlight: Option<usize>,
    /// Builds links and receives clicks on them.
    pub linker: Linker,
    /// Receives the top line once scrolling settles.
    pub on_scrolled: Callback<usize>,
}

/// The virtualised viewer.
#[component]
pub fn TextViewer(props: &TextViewerProps) -> Html {
    let node = use_node_ref();
    let view = use_state(|| (0.0f64, 800.0f64));
    // Each scroll event takes a ticket; only the last one, after a quiet time, reports.
    let ticket: Rc<Cell<u32>> = use_memo((), |_| Cell::new(0));

    // Jump when asked (and once the document is there to jump in).
    {
        let (node, view) = (node.clone(), view.clone());
        let target = props.scroll;
        let doc = props.document.clone();
        use_effect_with((target, doc), move |(target, _)| {
            if let Some(el) = node.cast::<HtmlElement>() {
                if let Some(t) = target {
                    let top = t.line.saturating_sub(CONTEXT) as f64 * ROW;
                    el.set_scroll_top(top as i32);
                }
                view.set((el.scroll_top() as f64, el.client_height() as f64));
            }
        });
    }

    let onscroll = {
        let (view, on_scrolled, ticket) = (view.clone(), props.on_scrolled.clone(), ticket.clone());
        Callback::from(move |e: Event| {
            let el: HtmlElement = e.target_unchecked_into();
            let top = el.scroll_top() as f64;
            view.set((top, el.client_height() as f64));
            let mine = ticket.get().wrapping_add(1);
            ticket.set(mine);
            let (ticket, on_scrolled) = (ticket.clone(), on_scrolled.clone());
            spawn_local(async move {
                sleep(SETTLE).await;
                if ticket.get() == mine {
                    on_scrolled.emit((top / ROW).round() as usize);
                }
            });
        })
    };

    let doc = props.document.get();
    let lines = doc.line_count();
    let range = window(lines, view.0, view.1, ROW, OVERSCAN);
    let rows = range.clone().map(|i| {
        let spans = doc.line_spans(i).into_iter().map(|s| match s.link {
            Some(id) => props.linker.link(s.text, id, "tref"),
            None => html! { { s.text } },
        });
        let class = classes!("vrow", (props.highlight == Some(i)).then_some("hl"));
        html! {
            <div key={i} {class} data-line={(i + 1).to_string()}>
                <span class="ln">{ i + 1 }</span>
                <span class="vcode">{ for spans }</span>
            </div>
        }
    });
    html! {
        <div class="viewer mono" ref={node} {onscroll} tabindex="0" role="region" aria-label="Text viewer">
            <div class="spacer" style={format!("height:{}px", fixed(lines as f64 * ROW, 0))}>
                <div class="window" style={format!("transform:translateY({}px)", fixed(range.start as f64 * ROW, 0))}>
                    { for rows }
                </div>
            </div>
        </div>
    }
}
