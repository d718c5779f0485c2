//! The selected struct or union as pahole prints it: every member's offset and size, the
//! holes and the padding, in monospace, beside the type list.

use yew::prelude::*;

use crate::hooks::{use_dispatch, use_query, use_workspace};
use crate::query::kernel::LayoutQuery;
use crate::query::Fetch;
use crate::state::{Action, HeaderAction};
use crate::views::View;

/// Which lines of pahole's text to mark: holes and padding, the things a reader looks for.
fn line_class(line: &str) -> Option<&'static str> {
    let t = line.trim_start();
    if t.starts_with("/* XXX") {
        Some("lay-hole")
    } else if t.starts_with("/* size:")
        || t.starts_with("/* sum ")
        || t.starts_with("/* padding")
        || t.starts_with("/* paddings")
        || t.starts_with("/* forced")
        || t.starts_with("/* last cacheline")
        || t.starts_with("/* members:")
    {
        Some("lay-sum")
    } else if t.contains("--- cacheline") {
        Some("lay-cacheline")
    } else {
        None
    }
}

/// The layout panel.
#[component]
pub fn LayoutView() -> Html {
    let s = use_workspace();
    let on_action = use_dispatch();
    let fetched = use_query(LayoutQuery::of(&s));
    let Some(id) = s.kernel.selected else {
        return html! {
            <section class="type-detail empty"><p class="muted">{ "Pick a struct or union on the left to see its layout." }</p></section>
        };
    };
    let name = s
        .kernel
        .selected_name()
        .unwrap_or_else(|| format!("[{id}]"));
    let to_detail = on_action.reform(|_: MouseEvent| Action::ShowView(View::Types));
    let to_header =
        on_action.reform(move |_: MouseEvent| Action::Header(HeaderAction::GoToType(id)));
    let body = match &fetched {
        Fetch::Failed(e) => html! { <p class="muted" id="layout-error">{ e.clone() }</p> },
        Fetch::Ready(text) => {
            let lines = text.lines().map(|l| match line_class(l) {
                Some(c) => html! { <span class={c}>{ l }{ "\n" }</span> },
                None => html! { <>{ l }{ "\n" }</> },
            });
            html! { <pre class="layout mono" id="layout-text">{ for lines }</pre> }
        }
        _ => html! { <p class="muted">{ "Laying it out in the engine worker…" }</p> },
    };
    html! {
        <section class="type-detail layout-view" id="layout-view" data-type-id={id.to_string()}>
            <header class="panel-head">
                <span class="badge">{ "layout" }</span>
                <h1 class="mono">{ name }</h1>
                <span class="muted mono">{ format!("[{id}]") }</span>
                <span class="grow" />
                <button class="button small" onclick={to_detail}>{ "Detail" }</button>
                <button class="button small" id="layout-to-header" onclick={to_header}>{ "See in vmlinux.h" }</button>
            </header>
            <div class="detail-body">{ body }</div>
            <p class="muted note">
                { "As pahole prints it: offset and size of each member in bytes (bit offset and \
                   width for bitfields), holes (XXX) where alignment leaves bytes unused, and the \
                   padding at the end." }
            </p>
        </section>
    }
}
