//! One object against many kernels: programs × kernels (loads, or rejected with the first
//! reason) and relocations × kernels (the values). Against the bundled kernels (one query),
//! or against a catalogue selection (`sel=bookworm/arm64`: the CLI's `@…`), swept one build
//! at a time by `hooks::use_matrix_sweep`, columns filling in as builds are answered, runs of
//! identical neighbours grouped when the table gets wide. A cell opens that kernel.

use yew::prelude::*;

use crate::bundled;
use crate::components::badges::{short_kernel, verdict_badge};
use crate::components::selection_bar::SelectionBar;
use crate::decimal::fixed;
use crate::dto::matrix::{MatrixTable, ValueCell};
use crate::hooks::{use_kernel_slots, use_loader, use_matrix_sweep, use_query, use_workspace};
use crate::query::object::MatrixQuery;
use crate::query::sweep::{matrix_job, ColumnGroup, MatrixSweep};
use crate::query::Fetch;
use crate::url::UrlState;
use crate::views::View;

/// Props of [`MatrixView`].
#[derive(Properties, PartialEq, Debug)]
pub struct MatrixViewProps {
    /// Compact (embed) layout.
    #[prop_or_default]
    pub compact: bool,
}

/// Above this many builds a sweep groups identical neighbours unless told otherwise.
const GROUP_ABOVE: usize = 12;

fn value_text(c: &ValueCell) -> String {
    match (c.outcome.as_str(), c.value) {
        ("patched", Some(v)) => v.to_string(),
        ("poisoned", _) => "poison".into(),
        ("error", _) => "error".into(),
        ("skipped_autoload", _) => "skipped".into(),
        (o, _) => o.replace('_', " "),
    }
}

/// The matrix panel: the kernels chosen, then the tables.
#[component]
pub fn MatrixView(props: &MatrixViewProps) -> Html {
    let s = use_workspace();
    let sweeping = !s.catalog.selection.is_empty();
    html! {
        <section class={classes!("matrix", props.compact.then_some("compact"))} id="matrix">
            if !props.compact { <SelectionBar /> }
            if sweeping {
                <SweepMatrix compact={props.compact} />
            } else {
                <BundledMatrix compact={props.compact} />
            }
        </section>
    }
}

/// Props of the two matrices.
#[derive(Properties, PartialEq, Debug)]
struct BodyProps {
    compact: bool,
}

/// Against every bundled kernel (and an uploaded active kernel).
#[component]
fn BundledMatrix(props: &BodyProps) -> Html {
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
        (Fetch::Failed(e), _) | (_, Some(Err(e))) => return html! { <p class="warn pad">{ e }</p> },
        _ => {
            return html! {
                <p class="muted pad">
                    { "Relocating and simulating against every bundled kernel (fetching the ones not loaded yet)…" }
                </p>
            }
        }
    };
    let base = s.url();
    let compact = props.compact;
    // A cell opens the view for that kernel (bundled kernels only: an upload has no URL).
    let open = |k: usize, view: View, prog: Option<String>, relo: Option<u32>| {
        let id = m.kernels.get(k).filter(|id| bundled::find(id).is_some())?;
        opener(&loader, &base, compact, id, view, prog, relo)
    };
    let heads: Vec<Html> = m
        .kernels
        .iter()
        .map(|k| html! { <th class="kcol" title={k.clone()}>{ short_kernel(k) }</th> })
        .collect();
    html! {
        <>
            <header class="panel-head">
                <h1 class="mono">{ &m.object }</h1>
                <span class="muted">{ format!("against {} kernels, as libbpf {}", m.kernels.len(), m.libbpf.label()) }</span>
                if !compact { <span class="muted small">{ format!("{} ms (engine)", fixed(m.ms, 0)) }</span> }
            </header>
            { tables(m, &heads, &open) }
        </>
    }
}

/// A callback opening `view` on kernel `id` (`None` in an embed).
fn opener(
    loader: &crate::hooks::Loader,
    base: &UrlState,
    compact: bool,
    id: &str,
    view: View,
    prog: Option<String>,
    relo: Option<u32>,
) -> Option<Callback<MouseEvent>> {
    if compact {
        return None;
    }
    let mut u = base.clone();
    u.kernel = Some(id.to_owned());
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
}

/// Against the builds of a catalogue selection, as the sweep fills them in.
#[component]
fn SweepMatrix(props: &BodyProps) -> Html {
    let s = use_workspace();
    let loader = use_loader();
    let input = matrix_job(&s).map(|job| (s.catalog.selection.clone(), job));
    let sweep = use_matrix_sweep(input);
    let group_choice = use_state(|| None::<bool>);
    let sweep: &MatrixSweep = match &sweep {
        Some(Ok(sw)) => sw,
        Some(Err(e)) => return html! { <p class="warn pad" id="sweep-error">{ e }</p> },
        None => {
            return html! {
                <p class="muted pad">{ format!("Opening the kernel catalogue for @{}…", s.catalog.selection) }</p>
            }
        }
    };
    let n = sweep.builds.len();
    let group = group_choice.unwrap_or(n > GROUP_ABOVE);
    let t = &sweep.times;
    let progress = html! {
        <span class="muted" id="sweep-progress"
            data-done={sweep.done().to_string()} data-total={n.to_string()}
            data-finished={sweep.finished().to_string()}
            data-wall={fixed(t.wall_ms, 1).to_string()} data-rebuild={fixed(t.rebuild_ms, 1).to_string()}
            data-parse={fixed(t.parse_ms, 1).to_string()} data-work={fixed(t.work_ms, 1).to_string()}
            data-stall={fixed(t.stall_ms, 1).to_string()} data-bytes={t.bytes.to_string()}>
            { sweep.progress() }
            if sweep.finished() { { " · done" } } else { { " · sweeping…" } }
        </span>
    };
    let timing = (!props.compact && sweep.done() > 0).then(|| html! {
        <span class="muted small">{ format!(
            "{} s: rebuild {} s, parse {} s, relocate+guard {} s (engine), waiting for segments {} s, {} MB fetched",
            fixed(t.wall_ms / 1000.0, 1), fixed(t.rebuild_ms / 1000.0, 1), fixed(t.parse_ms / 1000.0, 1),
            fixed(t.work_ms / 1000.0, 1), fixed(t.stall_ms / 1000.0, 1), fixed(t.bytes as f64 / 1e6, 1)
        ) }</span>
    });
    let toggle = {
        let group_choice = group_choice.clone();
        Callback::from(move |_| group_choice.set(Some(!group)))
    };
    let Some((m, groups)) = sweep.table(group) else {
        return html! {
            <>
                <header class="panel-head">
                    <h1 class="mono">{ format!("@{}", sweep.selection.selector) }</h1>{ progress }
                </header>
                { errors(sweep) }
            </>
        };
    };
    let base = s.url();
    let compact = props.compact;
    let open = |k: usize, view: View, prog: Option<String>, relo: Option<u32>| {
        let g = groups.get(k).filter(|g| g.error.is_none())?;
        let id = format!("@{}", sweep.selection.builds[g.first]);
        opener(&loader, &base, compact, &id, view, prog, relo)
    };
    let heads: Vec<Html> = groups.iter().map(|g| column_head(g, sweep)).collect();
    html! {
        <>
            <header class="panel-head">
                <h1 class="mono">{ &m.object }</h1>
                <span class="muted">{ format!("against @{} ({} builds), as libbpf {}", sweep.selection.selector, n, m.libbpf.label()) }</span>
                { progress }
                { for timing }
                if !compact {
                    <label class="small"><input type="checkbox" id="sweep-group" checked={group} onchange={toggle} />
                        { " group identical neighbours" }</label>
                }
            </header>
            { tables(&m, &heads, &open) }
            { errors(sweep) }
        </>
    }
}

/// A sweep column's head: the build (or run), the error when it failed.
fn column_head(g: &ColumnGroup, sweep: &MatrixSweep) -> Html {
    let builds = &sweep.selection.builds;
    // A run stacks its ends and its size, so a wide selection's heads stay narrow.
    let (text, title) = if g.first == g.last {
        (html! { { builds[g.first].clone() } }, g.label.clone())
    } else {
        (
            html! {
                <>
                    { builds[g.first].clone() }<br />
                    { format!("… {}", builds[g.last]) }<br />
                    <span class="muted">{ format!("{} builds", g.last - g.first + 1) }</span>
                </>
            },
            builds[g.first..=g.last].join("\n"),
        )
    };
    html! {
        <th class={classes!("kcol", g.error.is_some().then_some("failed"))}
            data-first={g.first.to_string()} data-last={g.last.to_string()}
            title={g.error.clone().unwrap_or(title)}>{ text }</th>
    }
}

/// The builds that failed, each with its error.
fn errors(sweep: &MatrixSweep) -> Html {
    let failed: Vec<Html> = sweep
        .builds
        .iter()
        .filter_map(|b| match b {
            crate::query::sweep::BuildState::Failed(e) => {
                Some(html! { <li class="warn">{ e }</li> })
            }
            _ => None,
        })
        .collect();
    if failed.is_empty() {
        return Html::default();
    }
    html! { <ul class="why-list" id="sweep-errors">{ for failed }</ul> }
}

/// `prog on KERNELS: reason`, the kernels counted when many.
fn why_line(prog: &str, reason: &str, on: &[String]) -> String {
    let kernels = match on {
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [first, .., last] => format!("{} kernel columns ({first} … {last})", on.len()),
        [] => String::new(),
    };
    format!("{prog} on {kernels}: {reason}")
}

/// The programs and relocations tables of `m`, under column heads `heads`; `open` makes a
/// cell's click (column, view, program, relocation).
fn tables(
    m: &MatrixTable,
    heads: &[Html],
    open: &dyn Fn(usize, View, Option<String>, Option<u32>) -> Option<Callback<MouseEvent>>,
) -> Html {
    // Why not, once per program and reason (137 builds rejecting alike are one line).
    let mut why: Vec<(String, String, Vec<String>)> = Vec::new();
    let progs = m.programs.iter().map(|p| {
        let cells = p.cells.iter().enumerate().map(|(k, c)| {
            if let Some(r) = c.reason.as_ref().filter(|_| c.verdict != "error") {
                let kernel = short_kernel(&m.kernels[k]);
                match why.iter_mut().find(|(n, w, _)| *n == p.name && w == r) {
                    Some((_, _, on)) => on.push(kernel),
                    None => why.push((p.name.clone(), r.clone(), vec![kernel])),
                }
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
        <div class="table-wrap">
            <h2>{ "Programs" }</h2>
            <table class="matrix-table" id="matrix-programs">
                <thead><tr><th>{ "program" }</th>{ for heads.iter().cloned() }</tr></thead>
                <tbody>{ progs }</tbody>
            </table>
            if !why.is_empty() {
                <ul class="why-list">{ for why.iter().map(|(p, r, on)| html! { <li>{ why_line(p, r, on) }</li> }) }</ul>
            }
            <h2>{ "Relocations" }<span class="muted small">{ " · rows that differ between kernels are highlighted" }</span></h2>
            <table class="matrix-table" id="matrix-relocs">
                <thead><tr><th class="num">{ "#" }</th><th>{ "kind" }</th><th>{ "accesses" }</th>{ for heads.iter().cloned() }</tr></thead>
                <tbody>{ for relos }</tbody>
            </table>
        </div>
    }
}
