//! The Layout tab's list: only what has a layout — the kernel's structs and unions — with
//! each one's size and holes (`pahole --sizes`), filtered by name and sorted by name, size,
//! holes or bytes wasted. A row opens its layout.
//!
//! ARCHITECTURE.md's worked example of adding a view: this component, its query
//! (`query/structs.rs`), and their lines in `views.rs`.

use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::components::summary_view::group;
use crate::decimal::fixed;
use crate::document::window;
use crate::hooks::{use_dispatch, use_query, use_workspace};
use crate::query::structs::{Order, StructsQuery};
use crate::query::Fetch;
use crate::shared::Shared;
use crate::state::{Action, KernelAction};

/// Row height in px; must match `.trow` in style.css.
const ROW: f64 = 24.0;
/// Rows rendered beyond the visible ones on each side.
const OVERSCAN: usize = 10;

/// The list of structs and unions.
#[component]
pub fn StructList() -> Html {
    let ws = use_workspace();
    let on_action = use_dispatch();
    let fetched = use_query(StructsQuery::of(&ws));
    let filter = use_state(String::new);
    let order = use_state(|| Order::Name);
    let scroll = use_state(|| (0.0f64, 600.0f64));
    let list_ref = use_node_ref();
    let table = fetched.ready().cloned();
    let shown = use_memo((table.clone(), (*filter).clone(), *order), |(t, f, o)| {
        t.as_ref().map(|t| Shared::new(t.select(f, *o)))
    });
    // A new filter or order starts at the top.
    {
        let (list_ref, scroll) = (list_ref.clone(), scroll.clone());
        use_effect_with(((*filter).clone(), *order), move |_| {
            if let Some(el) = list_ref.cast::<HtmlElement>() {
                el.set_scroll_top(0);
                scroll.set((0.0, el.client_height() as f64));
            }
        });
    }
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            filter.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let onscroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            let el: HtmlElement = e.target_unchecked_into();
            scroll.set((el.scroll_top() as f64, el.client_height() as f64));
        })
    };
    let chips = Order::ALL.iter().map(|&o| {
        let order = order.clone();
        let active = o == *order;
        let onclick = Callback::from(move |_: MouseEvent| order.set(o));
        html! {
            <button class={classes!("chip", active.then_some("active"))} aria-pressed={active.to_string()}
                data-order={o.label()} {onclick}>{ o.label() }</button>
        }
    });
    let (list, count) = match (&fetched, &*shown, &table) {
        (Fetch::Failed(e), _, _) => (
            html! { <p class="muted pad">{ e.clone() }</p> },
            String::new(),
        ),
        (_, Some(shown), Some(t)) => {
            let range = window(shown.len(), scroll.0, scroll.1, ROW, OVERSCAN);
            let selected = ws.kernel.selected;
            let items = range.clone().map(|r| {
                let row = &t.rows[shown[r] as usize];
                let id = row.id;
                let onclick =
                    on_action.reform(move |_: MouseEvent| Action::Kernel(KernelAction::Select(id)));
                let kind = if row.union { "union" } else { "struct" };
                let holes = match row.holes {
                    0 => String::new(),
                    1 => " · 1 hole".to_owned(),
                    n => format!(" · {n} holes"),
                };
                html! {
                    <div key={id} class={classes!("trow", (Some(id) == selected).then_some("selected"))}
                        role="option" aria-selected={(Some(id) == selected).to_string()}
                        data-type-id={id.to_string()} {onclick}
                        title={format!("{} bytes unused (holes and end padding)", row.wasted)}>
                        <span class={classes!("badge", format!("k-{kind}"))}>{ kind }</span>
                        <span class="tname">{ &row.name }</span>
                        <span class="tid">{ format!("{} B{holes}", group(u64::from(row.size))) }</span>
                    </div>
                }
            });
            let list = html! {
                <div class="spacer" style={format!("height:{}px", fixed(shown.len() as f64 * ROW, 0))}>
                    <div class="window" style={format!("transform:translateY({}px)", fixed(range.start as f64 * ROW, 0))}>
                        { for items }
                    </div>
                </div>
            };
            let count = format!(
                "{} of {} structs and unions",
                group(shown.len() as u64),
                group(t.rows.len() as u64)
            );
            (list, count)
        }
        _ => (
            html! {},
            "Measuring every struct and union in the engine worker…".to_owned(),
        ),
    };
    html! {
        <aside class="type-list struct-list" id="struct-list">
            <div class="search-box">
                <input id="struct-search" type="search" placeholder="Filter structs and unions"
                    value={(*filter).clone()} {oninput} autocomplete="off" spellcheck="false"
                    aria-label="Filter structs and unions" aria-controls="struct-rows" />
                <div class="chips"><span class="muted small">{ "sort by" }</span>{ for chips }</div>
                <div class="count muted" id="struct-count">{ count }</div>
            </div>
            <div class="rows" id="struct-rows" ref={list_ref} {onscroll} role="listbox" tabindex="-1">
                { list }
            </div>
        </aside>
    }
}
