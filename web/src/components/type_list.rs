//! The type list: instant search over every named type, a kind filter, and a virtualised
//! list (fixed row height; only the rows in view are in the DOM) driven by the keyboard.
//!
//! Keys in the search box: ↑/↓ move, PgUp/PgDn jump, Enter opens, Esc clears. `/` anywhere
//! focuses the search box.

use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::components::summary_view::group;
use crate::decimal::fixed;
use crate::document::window;
use crate::hooks::{use_dispatch, use_workspace};
use crate::search::KindFilter;
use crate::state::{Action, KernelAction};

/// Row height in px; must match `.trow` in style.css.
const ROW: f64 = 24.0;
/// Rows rendered beyond the visible ones on each side.
const OVERSCAN: usize = 10;
/// Rows PgUp/PgDn move.
const PAGE: isize = 20;

/// bpftool's lowercase kind name for a kind number, as a badge.
pub fn kind_badge(kind: u8) -> &'static str {
    match kind {
        1 => "int",
        4 => "struct",
        5 => "union",
        6 => "enum",
        7 => "fwd",
        8 => "typedef",
        12 => "func",
        14 => "var",
        15 => "datasec",
        16 => "float",
        17 => "decl_tag",
        18 => "type_tag",
        19 => "enum64",
        _ => "type",
    }
}

/// The searchable, keyboard-driven type list.
#[component]
pub fn TypeList() -> Html {
    let ws = use_workspace();
    let on_action = use_dispatch();
    let list_ref = use_node_ref();
    let input_ref = use_node_ref();
    let scroll = use_state(|| (0.0f64, 600.0f64));

    // Measure the viewport once mounted (the list fills the remaining height).
    {
        let (list_ref, scroll) = (list_ref.clone(), scroll.clone());
        use_effect_with((), move |_| {
            if let Some(el) = list_ref.cast::<HtmlElement>() {
                scroll.set((el.scroll_top() as f64, el.client_height() as f64));
            }
        });
    }

    // `/` focuses the search box.
    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            crate::browser::on_page_key(move |e| {
                if e.key() == "/" {
                    if let Some(i) = input_ref.cast::<HtmlInputElement>() {
                        e.prevent_default();
                        let _ = i.focus();
                        i.select();
                    }
                }
            })
        });
    }

    // New hits start at the top.
    {
        let list_ref = list_ref.clone();
        use_effect_with(ws.kernel.search.hits.clone(), move |_| {
            if let Some(el) = list_ref.cast::<HtmlElement>() {
                el.set_scroll_top(0);
            }
        });
    }

    // Keep the keyboard cursor in view.
    {
        let list_ref = list_ref.clone();
        let cursor = ws.kernel.search.cursor;
        use_effect_with(cursor, move |&cursor| {
            if let Some(el) = list_ref.cast::<HtmlElement>() {
                let top = cursor as f64 * ROW;
                let view = el.client_height() as f64;
                let st = el.scroll_top() as f64;
                if top < st {
                    el.set_scroll_top(top as i32);
                } else if top + ROW > st + view {
                    el.set_scroll_top((top + ROW - view) as i32);
                }
            }
        });
    }

    let onscroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            let el: HtmlElement = e.target_unchecked_into();
            scroll.set((el.scroll_top() as f64, el.client_height() as f64));
        })
    };
    let oninput = on_action.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Action::Kernel(KernelAction::SetQuery(input.value()))
    });
    let onkeydown = {
        let on_action = on_action.clone();
        Callback::from(move |e: KeyboardEvent| {
            let action = match e.key().as_str() {
                "ArrowDown" => KernelAction::MoveCursor(1),
                "ArrowUp" => KernelAction::MoveCursor(-1),
                "PageDown" => KernelAction::MoveCursor(PAGE),
                "PageUp" => KernelAction::MoveCursor(-PAGE),
                "Enter" => KernelAction::OpenCursor,
                "Escape" => KernelAction::SetQuery(String::new()),
                _ => return,
            };
            e.prevent_default();
            on_action.emit(Action::Kernel(action));
        })
    };

    let s = &ws.kernel.search;
    let selected = ws.kernel.selected;
    let Some(index) = ws.kernel.index() else {
        return html! {
            <aside class="type-list">
                <div class="search-box">
                    <input ref={input_ref} id="search" type="search" placeholder="Search types   ( / )"
                        value={s.query.clone()} {oninput} autocomplete="off" spellcheck="false"
                        aria-label="Search types" />
                    <div class="count muted" id="hit-count">{ "Indexing the types in the engine worker…" }</div>
                </div>
                <div class="rows" ref={list_ref} />
            </aside>
        };
    };
    let hits = &s.hits;
    let id_row = usize::from(hits.id.is_some());
    let total = hits.rows.len() + id_row;
    let range = window(total, scroll.0, scroll.1, ROW, OVERSCAN);
    let rows = range.clone().map(|r| {
        let (id, name, kind) = if r < id_row {
            let id = hits.id.unwrap_or_default();
            (id, format!("type [{id}]"), "id")
        } else {
            let e = hits.rows[r - id_row] as usize;
            (
                index.id(e),
                index.name(e).to_owned(),
                kind_badge(index.kind(e)),
            )
        };
        let onclick =
            on_action.reform(move |_: MouseEvent| Action::Kernel(KernelAction::Select(id)));
        let class = classes!(
            "trow",
            (r == s.cursor).then_some("cursor"),
            (Some(id) == selected).then_some("selected")
        );
        html! {
            <div key={r} {class} role="option" aria-selected={(Some(id) == selected).to_string()}
                data-type-id={id.to_string()} {onclick}>
                <span class={classes!("badge", format!("k-{kind}"))}>{ kind }</span>
                <span class="tname">{ name }</span>
                <span class="tid">{ id }</span>
            </div>
        }
    });
    let chips = KindFilter::ALL.iter().map(|&f| {
        let onclick =
            on_action.reform(move |_: MouseEvent| Action::Kernel(KernelAction::SetFilter(f)));
        let active = f == s.filter;
        html! {
            <button class={classes!("chip", active.then_some("active"))} aria-pressed={active.to_string()} {onclick}>
                { f.label() }
            </button>
        }
    });
    html! {
        <aside class="type-list">
            <div class="search-box">
                <input ref={input_ref} id="search" type="search" placeholder="Search types   ( / )"
                    value={s.query.clone()} {oninput} {onkeydown} autocomplete="off" spellcheck="false"
                    aria-label="Search types" aria-controls="type-rows" />
                <div class="chips">{ for chips }</div>
                <div class="count muted" id="hit-count">
                    { format!("{} of {} named types", group(hits.rows.len() as u64), group(index.len() as u64)) }
                </div>
            </div>
            <div class="rows" id="type-rows" ref={list_ref} {onscroll} role="listbox" tabindex="-1">
                <div class="spacer" style={format!("height:{}px", fixed(total as f64 * ROW, 0))}>
                    <div class="window" style={format!("transform:translateY({}px)", fixed(range.start as f64 * ROW, 0))}>
                        { for rows }
                    </div>
                </div>
            </div>
        </aside>
    }
}
