//! A struct or union side by side across kernels: one row per field (following renames),
//! one column per kernel, fields added, removed, moved, resized or retyped since the previous
//! kernel highlighted.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::bundled;
use crate::components::badges::short_kernel;
use crate::dto::compare::CompareTable;
use crate::hooks::{use_dispatch, use_kernel_slots, use_query, use_synced_value, use_workspace};
use crate::query::object::CompareQuery;
use crate::query::Fetch;
use crate::state::{Action, KernelAction};

/// Props of [`CompareView`].
#[derive(Properties, PartialEq, Debug)]
pub struct CompareViewProps {
    /// Compact (embed) layout.
    #[prop_or_default]
    pub compact: bool,
}

/// The comparison panel.
#[component]
pub fn CompareView(props: &CompareViewProps) -> Html {
    let s = use_workspace();
    let on_action = use_dispatch();
    let name = s.kernel.selected_name();
    let chosen: Vec<String> = CompareQuery::kernel_ids(&s);
    // The kernels are loaded only once there is a type to compare.
    let slots = use_kernel_slots(if name.is_some() {
        chosen.clone()
    } else {
        Vec::new()
    });
    let query = match &slots {
        Some(Ok(slots)) if name.is_some() => CompareQuery::of(&s, slots),
        _ => None,
    };
    let fetched = use_query(query);
    let name_input = use_synced_value(name.clone().unwrap_or_default());
    let onkeydown = {
        let on = on_action.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let v = e.target_unchecked_into::<HtmlInputElement>().value();
                if !v.trim().is_empty() {
                    on.emit(Action::Kernel(KernelAction::CompareType(
                        v.trim().to_owned(),
                    )));
                }
            }
        })
    };
    let boxes = bundled::KERNELS.iter().map(|k| {
        let on = chosen.contains(&k.id.to_owned());
        let (chosen, act) = (chosen.clone(), on_action.clone());
        let onchange = Callback::from(move |_: Event| {
            // Keep the bundled order; at least one kernel stays.
            let next: Vec<String> = bundled::KERNELS
                .iter()
                .map(|b| b.id.to_owned())
                .filter(|id| (id == k.id) != chosen.contains(id))
                .collect();
            if !next.is_empty() {
                act.emit(Action::Kernel(KernelAction::SetCompareKernels(next)));
            }
        });
        html! {
            <label class="kbox"><input type="checkbox" checked={on} {onchange} data-kernel={k.id} />{ format!(" {}", k.label()) }</label>
        }
    });
    let table = match (&name, &fetched, &slots) {
        (None, _, _) => {
            html! { <p class="muted pad">{ "Type a struct or union name and press Enter (or pick a type in Types first)." }</p> }
        }
        (Some(_), Fetch::Ready(t), _) => table(t),
        (Some(_), Fetch::Failed(e), _) | (Some(_), _, Some(Err(e))) => {
            html! { <p class="warn pad">{ e }</p> }
        }
        (Some(_), _, _) => {
            html! { <p class="muted pad">{ "Comparing (loading the kernels not loaded yet)…" }</p> }
        }
    };
    html! {
        <section class={classes!("compare", props.compact.then_some("compact"))} id="compare">
            if !props.compact {
                <div class="listing-bar">
                    <input id="compare-type" type="search" placeholder="struct or union name ⏎" aria-label="Type to compare"
                        ref={name_input} {onkeydown} autocomplete="off" spellcheck="false" />
                    <div class="kboxes">{ for boxes }</div>
                </div>
            }
            { table }
        </section>
    }
}

fn table(t: &CompareTable) -> Html {
    let heads = t.kernels.iter().zip(&t.types).map(|(k, ty)| {
        let sub = match ty {
            Some(ty) => format!("{} {} · {} bytes", ty.keyword, ty.name, ty.size),
            None => "absent".to_owned(),
        };
        html! { <th title={k.clone()}><div>{ short_kernel(k) }</div><div class="muted small">{ sub }</div></th> }
    });
    let rows = t.rows.iter().map(|row| {
        let cells = row.cells.iter().zip(&row.removed).map(|(c, &removed)| match c {
            Some(c) => {
                let class = classes!("ccell", c.changes.iter().map(|x| format!("c-{x}")).collect::<Vec<_>>());
                html! {
                    <td {class} title={if c.changes.is_empty() { String::new() } else { c.changes.join(", ") }}>
                        <span class="c-off num">{ &c.offset }</span>
                        <span class="c-name mono">{ &c.path }</span>
                        <span class="c-ty mono muted">{ &c.ty }</span>
                        { for c.changes.iter().map(|x| html! { <span class={classes!("chg", format!("chg-{x}"))}>{ x }</span> }) }
                    </td>
                }
            }
            None if removed => html! { <td class="ccell c-removed"><span class="chg chg-removed">{ "removed" }</span></td> },
            None => html! { <td class="ccell c-absent" /> },
        });
        html! { <tr>{ for cells }</tr> }
    });
    html! {
        <div class="table-wrap">
            <table class="compare-table" id="compare-table">
                <thead><tr>{ for heads }</tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            if !t.replacements.is_empty() {
                <p class="muted small pad">{ "Replaced by fields named after them: " }{ t.replacements.join("; ") }</p>
            }
        </div>
    }
}
