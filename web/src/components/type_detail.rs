//! One type: bpftool's raw listing of it, every referenced type id a link, each line
//! followed by a C-like reading of what it refers to.

use yew::prelude::*;

use crate::components::spans::{render_spans, Linker};
use crate::components::summary_view::group;
use crate::dto::TypeDetail;
use crate::hooks::{use_dispatch, use_query, use_workspace};
use crate::query::kernel::TypeDetailQuery;
use crate::query::Fetch;
use crate::state::{Action, HeaderAction, KernelAction};
use crate::views::View;

/// Props of [`TypeDetailView`].
#[derive(Properties, PartialEq, Debug)]
pub struct TypeDetailProps {
    /// Compact (embed) layout: no buttons.
    #[prop_or_default]
    pub compact: bool,
}

/// The detail panel.
#[component]
pub fn TypeDetailView(props: &TypeDetailProps) -> Html {
    let ws = use_workspace();
    let on_action = use_dispatch();
    let fetched = use_query(TypeDetailQuery::of(&ws));
    let d = match (&fetched, ws.kernel.selected) {
        (Fetch::Ready(d), _) => match &**d {
            Some(d) => d,
            None => return empty("No such type in this kernel.".to_owned()),
        },
        (Fetch::Failed(e), _) => return empty(e.clone()),
        (_, Some(id)) => return empty(format!("Loading type [{id}]…")),
        (_, None) => match ws.kernel.selected_name() {
            Some(name) => return empty(format!("Loading type {name}…")),
            None => return empty("Pick a type on the left, or type its name.".to_owned()),
        },
    };
    let linker = Linker {
        base: ws.url(),
        on_link: on_action.reform(|id| Action::Kernel(KernelAction::Select(id))),
    };
    let id = d.id;
    let show_in_listing =
        on_action.reform(move |_: MouseEvent| Action::Kernel(KernelAction::ShowInListing(id)));
    let show_in_header =
        on_action.reform(move |_: MouseEvent| Action::Header(HeaderAction::GoToType(id)));
    let show_layout = on_action.reform(|_: MouseEvent| Action::ShowView(View::Layout));
    let name = if d.name.is_empty() {
        "(anon)"
    } else {
        d.name.as_str()
    };
    let composite = matches!(d.kind.as_str(), "STRUCT" | "UNION");
    // An embed of a struct reads like pahole: offset, member, type.
    let table = if props.compact && composite {
        let rows = d.lines.iter().skip(1).map(|l| {
            html! {
                <tr>
                    <td class="d-offset num">{ l.offset.clone().unwrap_or_default() }</td>
                    <td class="d-name">{ l.name.clone().unwrap_or_default() }</td>
                    <td class="d-reading">{ render_spans(&l.reading, &linker) }</td>
                </tr>
            }
        });
        html! {
            <table class="detail-table mono">
                <thead><tr><th class="num">{ "offset" }</th><th>{ "member" }</th><th>{ "type" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        }
    } else {
        full_table(d, composite, &linker)
    };
    html! {
        <section class="type-detail" id="type-detail" data-type-id={d.id.to_string()}>
            <header class="panel-head">
                <span class={classes!("badge", format!("k-{}", d.kind.to_lowercase()))}>{ d.kind.to_lowercase() }</span>
                <h1 class="mono">{ name }</h1>
                <span class="muted mono">{ format!("[{}]", d.id) }</span>
                if let Some(size) = d.size {
                    <span class="muted">{ format!("{} bytes", group(u64::from(size))) }</span>
                }
                if !props.compact {
                    <span class="grow" />
                    if composite {
                        <button class="button small" id="show-layout" onclick={show_layout}>{ "Layout" }</button>
                    }
                    <button class="button small" id="show-in-header" onclick={show_in_header}>{ "See in vmlinux.h" }</button>
                    <button class="button small" onclick={show_in_listing}>{ "Show in raw listing" }</button>
                }
            </header>
            <div class="detail-body">{ table }</div>
            if !props.compact {
                <p class="muted note">
                    { "Left: bpftool's raw listing, every type_id a link. Offsets are in bytes (byte:bit for \
                       bitfields). Right: a C-like reading of the type each line refers to." }
                </p>
            }
        </section>
    }
}

fn empty(text: String) -> Html {
    html! { <section class="type-detail empty"><p class="muted">{ text }</p></section> }
}

/// bpftool's listing of the type, an offset column for structs, and the C-like reading.
fn full_table(d: &TypeDetail, composite: bool, linker: &Linker) -> Html {
    let rows = d.lines.iter().map(|l| {
        html! {
            <tr>
                <td class="d-raw">{ render_spans(&l.raw, linker) }</td>
                if composite {
                    <td class="d-offset num">{ l.offset.clone().unwrap_or_default() }</td>
                }
                <td class="d-reading">{ render_spans(&l.reading, linker) }</td>
            </tr>
        }
    });
    html! {
        <table class="detail-table mono">
            <thead><tr>
                <th>{ "bpftool btf dump" }</th>
                if composite { <th class="num">{ "offset" }</th> }
                <th>{ "type" }</th>
            </tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}
