//! One object against every bundled kernel at once: programs × kernels (loads, or rejected
//! with the first reason) and relocations × kernels (the values). A cell opens that kernel.

use yew::prelude::*;

use crate::bundled;
use crate::components::badges::{short_kernel, verdict_badge};
use crate::decimal::fixed;
use crate::dto::matrix::{MatrixTable, ValueCell};
use crate::hooks::{use_kernel_slots, use_loader, use_query, use_workspace};
use crate::query::object::MatrixQuery;
use crate::query::Fetch;
use crate::views::View;

/// Props of [`MatrixView`].
#[derive(Properties, PartialEq, Debug)]
pub struct MatrixViewProps {
    /// Compact (embed) layout.
    #[prop_or_default]
    pub compact: bool,
}

fn value_text(c: &ValueCell) -> String {
    match (c.outcome.as_str(), c.value) {
        ("patched", Some(v)) => v.to_string(),
        ("poisoned", _) => "poison".into(),
        ("error", _) => "error".into(),
        ("skipped_autoload", _) => "skipped".into(),
        (o, _) => o.replace('_', " "),
    }
}

/// The matrix panel.
#[component]
pub fn MatrixView(props: &MatrixViewProps) -> Html {
    let s = use_workspace();
    let loader = use_loader();
    // Every bundled kernel, loaded first (the ones not in the worker yet).
    let ids: Vec<String> = bundled::KERNELS.iter().map(|k| k.id.to_owned()).collect();
    let slots = use_kernel_slots(ids);
    let query = match &slots {
        Some(Ok(slots)) => MatrixQuery::of(&s, slots),
        _ => None,
    };
    let fetched = use_query(query);
    let m: &MatrixTable = match (&fetched, &slots) {
        (Fetch::Ready(m), _) => m,
        (Fetch::Failed(e), _) | (_, Some(Err(e))) => {
            return html! { <section class="matrix"><p class="warn pad">{ e }</p></section> }
        }
        _ => {
            return html! {
                <section class="matrix empty"><p class="muted">
                    { "Relocating and simulating against every bundled kernel (fetching the ones not loaded yet)…" }
                </p></section>
            }
        }
    };
    let base = s.url();
    // A cell opens the view for that kernel (bundled kernels only: an upload has no URL).
    let open = |k: usize, view: View, prog: Option<String>, relo: Option<u32>| {
        if props.compact {
            return None;
        }
        let id = m
            .kernels
            .get(k)
            .filter(|id| bundled::find(id).is_some())
            .cloned()?;
        let mut u = base.clone();
        u.kernel = Some(id);
        u.view = view;
        u.embed = None;
        if prog.is_some() {
            u.prog = prog;
        }
        u.relo = relo;
        let loader = loader.clone();
        Some(Callback::from(move |_: MouseEvent| {
            loader.navigate(u.clone())
        }))
    };
    let heads = m
        .kernels
        .iter()
        .map(|k| html! { <th class="kcol" title={k.clone()}>{ short_kernel(k) }</th> });
    let mut why = Vec::new();
    let progs = m.programs.iter().map(|p| {
        let cells = p.cells.iter().enumerate().map(|(k, c)| {
            if let Some(r) = &c.reason {
                why.push(format!("{} on {}: {r}", p.name, short_kernel(&m.kernels[k])));
            }
            let onclick = open(k, View::Flow, Some(p.name.clone()), None);
            html! {
                <td class={classes!("mcell", format!("v-{}", c.verdict), onclick.is_some().then_some("clickable"))}
                    title={c.reason.clone().unwrap_or_else(|| "loads".into())} {onclick}>
                    { verdict_badge(&c.verdict) }
                </td>
            }
        }).collect::<Html>();
        html! {
            <tr data-prog={p.name.clone()}>
                <td class="mono">{ &p.name }</td>
                { cells }
            </tr>
        }
    }).collect::<Html>();
    let relos = m.relocations.iter().map(|r| {
        let cells = r.cells.iter().enumerate().map(|(k, c)| {
            let onclick = open(k, View::Relocs, None, Some(r.idx));
            html! {
                <td class={classes!("mcell", "num", format!("o-{}", c.outcome), onclick.is_some().then_some("clickable"))}
                    title={c.reason.clone().unwrap_or_default()} {onclick}>
                    { value_text(c) }
                </td>
            }
        });
        html! {
            <tr class={classes!(r.varies.then_some("varies"))} data-relo={r.idx.to_string()}>
                <td class="num">{ r.idx }</td>
                <td class="mono">{ &r.kind }</td>
                <td class="mono access">{ &r.access }</td>
                { for cells }
            </tr>
        }
    });
    html! {
        <section class={classes!("matrix", props.compact.then_some("compact"))} id="matrix">
            <header class="panel-head">
                <h1 class="mono">{ &m.object }</h1>
                <span class="muted">{ format!("against {} kernels, as libbpf {}", m.kernels.len(), m.libbpf.label()) }</span>
                if !props.compact { <span class="muted small">{ format!("{} ms (engine)", fixed(m.ms, 0)) }</span> }
            </header>
            <div class="table-wrap">
                <h2>{ "Programs" }</h2>
                <table class="matrix-table" id="matrix-programs">
                    <thead><tr><th>{ "program" }</th>{ for heads.clone() }</tr></thead>
                    <tbody>{ progs }</tbody>
                </table>
                if !why.is_empty() {
                    <ul class="why-list">{ for why.iter().map(|w| html! { <li>{ w }</li> }) }</ul>
                }
                <h2>{ "Relocations" }<span class="muted small">{ " · rows that differ between kernels are highlighted" }</span></h2>
                <table class="matrix-table" id="matrix-relocs">
                    <thead><tr><th class="num">{ "#" }</th><th>{ "kind" }</th><th>{ "accesses" }</th>{ for heads }</tr></thead>
                    <tbody>{ for relos }</tbody>
                </table>
            </div>
        </section>
    }
}
