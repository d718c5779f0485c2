//! One type: bpftool's raw listing of it, every referenced type id a link, each line
//! followed by a C-like reading of what it refers to.

use yew::prelude::*;

use crate::components::spans::{render_spans, Linker};
use crate::components::summary_view::group;
use crate::dto::TypeDetail;
use crate::shared::Shared;
use crate::state::Action;
use crate::url::{UrlState, View};

/// Props of [`TypeDetailView`].
#[derive(Properties, PartialEq, Debug)]
pub struct TypeDetailProps {
    /// The detail, once the engine sent it.
    pub detail: Option<Shared<TypeDetail>>,
    /// The selected type id (shown while the detail is on its way).
    pub selected: Option<u32>,
    /// The current URL, which links modify.
    pub url: UrlState,
    /// Receives navigation.
    pub on_action: Callback<Action>,
    /// Compact (embed) layout: no buttons.
    #[prop_or_default]
    pub compact: bool,
}

/// The detail panel.
#[component]
pub fn TypeDetailView(props: &TypeDetailProps) -> Html {
    let Some(d) = &props.detail else {
        let text = match props.selected {
            Some(id) => format!("Loading type [{id}]…"),
            None => "Pick a type on the left, or type its name.".to_owned(),
        };
        return html! { <section class="type-detail empty"><p class="muted">{ text }</p></section> };
    };
    let linker = Linker {
        base: props.url.clone(),
        on_link: props.on_action.reform(Action::Select),
    };
    let id = d.id;
    let show_in_listing = props
        .on_action
        .reform(move |_: MouseEvent| Action::GoToType(id));
    let show_in_header = props
        .on_action
        .reform(move |_: MouseEvent| Action::HeaderGoToType(id));
    let show_layout = props
        .on_action
        .reform(|_: MouseEvent| Action::ShowView(View::Layout));
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
