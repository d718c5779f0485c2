//! The kernels a cross-kernel view asks: the bundled ones, or a catalogue selection typed in
//! the CLI's syntax (`@bookworm/arm64`, `@6.1`, `@all`) or picked from chips. One choice
//! (`sel=` in the URL) for the Matrix and the Ask area's table.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::hooks::{use_dispatch, use_synced_value, use_workspace};
use crate::state::{Action, CatalogAction};

/// Selections offered as chips (any other is typed).
const CHIPS: [&str; 6] = [
    "all",
    "amd64",
    "arm64",
    "bookworm/arm64",
    "bookworm/ppc64el",
    "6.1",
];

/// Bundled kernels, or a catalogue selection typed or picked from chips.
#[component]
pub fn SelectionBar() -> Html {
    let s = use_workspace();
    let dispatch = use_dispatch();
    let current = s.catalog.selection.clone();
    let input = use_synced_value(if current.is_empty() {
        String::new()
    } else {
        format!("@{current}")
    });
    let select = {
        let dispatch = dispatch.clone();
        Callback::from(move |sel: String| {
            dispatch.emit(Action::Catalog(CatalogAction::Select(sel)))
        })
    };
    let onsubmit = {
        let (select, input) = (select.clone(), input.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(i) = input.cast::<HtmlInputElement>() {
                select.emit(i.value());
            }
        })
    };
    let chip = |label: String, sel: String| {
        let on = current == sel;
        let select = select.clone();
        html! {
            <button type="button" class={classes!("chip", on.then_some("active"))} aria-pressed={on.to_string()}
                onclick={Callback::from(move |_| select.emit(sel.clone()))}>{ label }</button>
        }
    };
    html! {
        <form class="sweep-bar" {onsubmit}>
            <span class="muted small">{ "Kernels:" }</span>
            { chip("bundled".to_owned(), String::new()) }
            { for CHIPS.iter().map(|c| chip(format!("@{c}"), (*c).to_owned())) }
            <input id="sweep-selection" ref={input} class="mono" size="22"
                placeholder="@bookworm/arm64, @6.1, @all…"
                aria-label="Catalogue selection (the CLI's @… syntax)" />
            <button type="submit" id="sweep-go">{ "Sweep" }</button>
        </form>
    }
}
