//! The Guarding area: per program, the code as submitted after relocation, walked the way the
//! verifier walks it — a listing with jump arrows or a graph of basic blocks, dead code
//! greyed, decided branches marked with what decided them, reachable poisoned instructions in
//! red with the kernel's and libbpf's messages, the source line and what to do. The what-if
//! panel changes the kernel version, Kconfig values, read-only globals and the target itself.

use std::collections::HashMap;

use yew::prelude::*;

use crate::arrows::{self, Jump};
use crate::components::badges::{source_line, verdict_badge};
use crate::components::graph_view::GraphView;
use crate::components::whatif_panel::WhatIfPanel;
use crate::decimal::fixed;
use crate::dto::guard::{FlowRow, GuardReport, ProgramFlow};
use crate::dto::loadlog::LogReport;
use crate::dto::object::SourceRef;
use crate::hooks::{use_dispatch, use_query, use_workspace};
use crate::query::loadlog::LoadLogQuery;
use crate::query::object::GuardQuery;
use crate::query::Fetch;
use crate::shared::Shared;
use crate::state::{Action, ObjectAction};
use crate::views::View;

/// Row height of the listing in px; must match `.frow` in style.css.
const ROW: f64 = 20.0;
/// Most arrow lanes drawn.
const MAX_LANES: usize = 12;
/// Width of one lane.
const LANE: f64 = 9.0;

/// Props of [`GuardView`].
#[derive(Properties, PartialEq, Debug)]
pub struct GuardViewProps {
    /// Show the graph instead of the listing.
    pub graph: bool,
    /// Compact (embed) layout: no side panels.
    #[prop_or_default]
    pub compact: bool,
}

/// The Guarding panel.
#[component]
pub fn GuardView(props: &GuardViewProps) -> Html {
    let s = use_workspace();
    let on_action = use_dispatch();
    let fetched = use_query(GuardQuery::of(&s));
    // A pasted failed-load log marks the instructions it names.
    let log = use_query(LoadLogQuery::of(&s));
    let log = log.ready().map(|l| &**l);
    let fresh = fetched.ready().is_some();
    // While recomputing, keep showing the previous result (greyed) so the page does not jump.
    let report: Option<Result<Shared<GuardReport>, String>> = match &fetched {
        Fetch::Ready(r) | Fetch::Partial(r) | Fetch::Waiting(Some(r)) => Some(Ok(r.clone())),
        Fetch::Failed(e) => Some(Err(e.clone())),
        Fetch::Idle | Fetch::Waiting(None) => None,
    };
    let main = match &report {
        None => {
            html! { <p class="muted pad">{ if s.kernel.kernel.is_none() { "Pick a target kernel above." } else { "Simulating the verifier in the engine worker…" } }</p> }
        }
        Some(Err(e)) => html! { <p class="warn pad">{ e }</p> },
        Some(Ok(r)) => match &r.flow {
            None => html! { <p class="muted pad">{ "This object has no programs to load." }</p> },
            Some(f) => flow_panel(r, f, props, &on_action, log),
        },
    };
    if props.compact {
        return html! { <section class={classes!("guard", "compact", (!fresh).then_some("stale"))} id="guard">{ main }</section> };
    }
    let progs = match &report {
        Some(Ok(r)) => {
            let chosen = r.flow.as_ref().map(|f| f.verdict.name.clone());
            r.programs
                .iter()
                .map(|p| {
                    let active = chosen.as_deref() == Some(p.name.as_str());
                    let name = p.name.clone();
                    let onclick = on_action.reform(move |_: MouseEvent| Action::Object(ObjectAction::SelectProgram(name.clone())));
                    html! {
                        <button class={classes!("prog-row", active.then_some("active"))} data-prog={p.name.clone()} {onclick}>
                            <span class="prog-name mono">{ &p.name }</span>
                            { verdict_badge(&p.verdict) }
                        </button>
                    }
                })
                .collect::<Html>()
        }
        _ => html! {},
    };
    html! {
        <div class="guard-layout">
            <aside class="side">
                <div class="side-section">
                    <h2>{ "Programs" }</h2>
                    <div class="prog-list" id="guard-programs">{ progs }</div>
                </div>
                <div class="side-section">
                    <WhatIfPanel report={report.and_then(Result::ok)} />
                </div>
            </aside>
            <section class={classes!("guard", (!fresh).then_some("stale"))} id="guard">{ main }</section>
        </div>
    }
}

fn flow_panel(
    r: &Shared<GuardReport>,
    f: &ProgramFlow,
    props: &GuardViewProps,
    on_action: &Callback<Action>,
    log: Option<&LogReport>,
) -> Html {
    let v = &f.verdict;
    let body = if props.graph {
        html! { <GraphView report={r.clone()} /> }
    } else {
        listing(f, on_action, log)
    };
    let details = (!props.compact).then(|| details(f, on_action));
    html! {
        <>
            <header class={classes!("verdict-head", format!("vh-{}", v.verdict))} id="verdict">
                { verdict_badge(&v.verdict) }
                <h1 class="mono">{ &v.name }</h1>
                <span class="muted mono">{ &v.sec }</span>
                <span class="muted small">{ format!("on {} · libbpf {}", r.kernel, r.libbpf.label()) }
                    { for r.kernel_release.as_ref().map(|k| format!(" · LINUX_KERNEL_VERSION {k}")) }
                    if !props.compact { { format!(" · {} ms", fixed(r.ms, 1)) } }
                </span>
                <p class="verdict-text">{ &v.text }</p>
                if let Some(e) = &r.extern_error {
                    <p class="warn">{ format!("libbpf fails while resolving externs: {e}. Set the value in the what-if panel.") }</p>
                }
            </header>
            <div class="flow-body">
                <div class="flow-main">{ body }</div>
                { for details }
            </div>
        </>
    }
}

enum Line<'a> {
    Source(&'a SourceRef),
    Func(&'a str),
    Insn(&'a FlowRow),
}

/// The listing with its jump arrows.
fn listing(f: &ProgramFlow, on_action: &Callback<Action>, log: Option<&LogReport>) -> Html {
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut row_of: HashMap<u32, usize> = HashMap::new();
    for r in &f.rows {
        if let Some(func) = &r.func {
            lines.push(Line::Func(func));
        }
        if let Some(s) = &r.source {
            lines.push(Line::Source(s));
        }
        row_of.insert(r.idx, lines.len());
        lines.push(Line::Insn(r));
    }
    let jumps: Vec<(Jump, bool, bool)> = f
        .rows
        .iter()
        .filter_map(|r| {
            let (from, to) = (*row_of.get(&r.idx)?, *row_of.get(&r.target?)?);
            let live = match r.branch.and_then(|b| f.branches.get(b as usize)) {
                Some(b) => b.taken,
                None => r.live,
            };
            Some((Jump { from, to }, live, r.text.starts_with("call")))
        })
        .collect();
    let (arrows, lanes) = arrows::assign(&jumps.iter().map(|j| j.0).collect::<Vec<_>>(), MAX_LANES);
    let gutter = lanes as f64 * LANE + 14.0;
    let height = lines.len() as f64 * ROW;
    let y = |row: usize| row as f64 * ROW + ROW / 2.0;
    let (gutter_px, height_px) = (fixed(gutter, 0), fixed(height, 0));
    let paths = arrows.iter().zip(&jumps).map(|(a, &(_, live, call))| {
        let x = gutter - 8.0 - (a.lane as f64 + 1.0) * LANE;
        let (y0, y1) = (y(a.jump.from), y(a.jump.to));
        let end = fixed(gutter - 3.0, 1);
        let d = format!("M{end} {} H{} V{} H{end}", fixed(y0, 1), fixed(x, 1), fixed(y1, 1));
        let class = classes!("jarrow", if live { "live" } else { "dead" }, call.then_some("call"));
        html! { <path {class} {d} marker-end={if live { "url(#ah-live)" } else { "url(#ah-dead)" }} /> }
    });
    let rows = lines.iter().enumerate().map(|(i, l)| match l {
        Line::Func(name) => html! {
            <div class="frow func-row" key={format!("f{i}")}><span class="mono">{ format!("{name}:") }</span></div>
        },
        Line::Source(s) => html! {
            <div class="frow src-row" key={format!("s{i}")}>{ source_line(s) }</div>
        },
        Line::Insn(r) => insn_row(r, f, on_action, log),
    });
    html! {
        <div class="flow-listing mono" id="flow-listing">
            <svg class="gutter" width={gutter_px.to_string()} height={height_px.to_string()}
                viewBox={format!("0 0 {gutter_px} {height_px}")} aria-hidden="true">
                <defs>
                    <marker id="ah-live" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="6" markerHeight="6" orient="auto">
                        <path d="M0 0 L6 3 L0 6 z" class="ah live" />
                    </marker>
                    <marker id="ah-dead" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="6" markerHeight="6" orient="auto">
                        <path d="M0 0 L6 3 L0 6 z" class="ah dead" />
                    </marker>
                </defs>
                { for paths }
            </svg>
            <div class="frows" style={format!("margin-left:{gutter_px}px")}>{ for rows }</div>
        </div>
    }
}

fn insn_row(
    r: &FlowRow,
    f: &ProgramFlow,
    on_action: &Callback<Action>,
    log: Option<&LogReport>,
) -> Html {
    let marks: Vec<_> = log
        .map(|l| l.marks_on_prog(&f.verdict.name, r.idx).collect())
        .unwrap_or_default();
    let poison = r.poison.and_then(|p| f.poisons.get(p as usize));
    let branch = r
        .branch
        .and_then(|b| f.branches.get(b as usize))
        .filter(|b| b.decided);
    let class = classes!(
        "frow",
        if r.live { "live" } else { "dead" },
        poison.map(|p| if p.reachable {
            "poison-live"
        } else {
            "poison-dead"
        }),
        branch.map(|_| "decided"),
        (!marks.is_empty()).then_some("log-marked")
    );
    let tag = match (poison, branch) {
        (Some(p), _) if p.reachable => html! {
            <a class="tag tag-poison" href={format!("#poison-{}", p.idx)}>{ "reachable poison: rejected" }</a>
        },
        (Some(p), _) => html! {
            <a class="tag tag-dead" href={format!("#poison-{}", p.idx)}>{ "poisoned, dead" }</a>
        },
        (None, Some(b)) => html! {
            <span class="tag tag-branch" title={b.text.clone()}>{ if b.taken { "always jumps" } else { "never jumps" } }
                { for b.relo.map(|k| relo_link(k, on_action)) }
                { for b.decided_by.as_ref().filter(|_| b.relo.is_none()).map(|d| html! { <span class="by">{ format!(" · {d}") }</span> }) }
            </span>
        },
        _ => html! {},
    };
    html! {
        <div {class} key={format!("i{}", r.idx)} data-insn={r.idx.to_string()}>
            <span class="ln">{ r.idx }</span>
            <span class="code">{ &r.text }</span>
            { tag }
            { for marks.iter().map(|m| html! { <span class="tag tag-log" title={m.text.clone()}>{ "named in the log" }</span> }) }
        </div>
    }
}

/// A link to a relocation's row in the Object area.
fn relo_link(k: u32, on_action: &Callback<Action>) -> Html {
    let sel =
        on_action.reform(move |_: MouseEvent| Action::Object(ObjectAction::SelectRelo(Some(k))));
    let show = on_action.reform(|_: MouseEvent| Action::ShowView(View::Relocs));
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        sel.emit(e.clone());
        show.emit(e);
    });
    html! { <button class="relo-mark" data-relo={k.to_string()} {onclick}>{ format!("CO-RE #{k}") }</button> }
}

/// Poisoned instructions and decided branches, in words.
fn details(f: &ProgramFlow, on_action: &Callback<Action>) -> Html {
    let poisons = f.poisons.iter().map(|p| {
        html! {
            <div class={classes!("poison-card", if p.reachable { "reachable" } else { "dead" })} id={format!("poison-{}", p.idx)}>
                <h3>{ format!("insn {} ({}+{}): {}", p.idx, p.func, p.func_insn, if p.reachable { "REACHABLE" } else { "dead" }) }</h3>
                if let Some(a) = &p.access { <p><span class="mono">{ a }</span>{ for p.relo.map(|k| relo_link(k, on_action)) }</p> }
                if let Some(s) = &p.source { <p>{ source_line(s) }</p> }
                <p>{ &p.explanation }</p>
                if p.reachable {
                    <pre class="log"><div class="log-kernel">{ format!("kernel: {}", p.kernel_message) }</div>{ for p.libbpf_message.lines().map(|l| html! { <div class="log-warn">{ format!("libbpf: {l}") }</div> }) }</pre>
                }
            </div>
        }
    });
    let decided: Vec<_> = f.branches.iter().filter(|b| b.decided).collect();
    let branches = decided.iter().map(|b| {
        html! {
            <li><span class="mono">{ format!("{}: ", b.idx) }</span>{ &b.text }{ for b.relo.map(|k| relo_link(k, on_action)) }</li>
        }
    });
    let dead: u32 = f
        .blocks
        .iter()
        .filter(|b| !b.live)
        .map(|b| b.end - b.start)
        .sum();
    html! {
        <aside class="flow-details">
            if !f.poisons.is_empty() {
                <h2>{ "Poisoned instructions" }</h2>
                { for poisons }
            }
            <h2>{ "Decided branches" }</h2>
            if decided.is_empty() {
                <p class="muted small">{ "None: the verifier cannot tell any conditional jump's outcome in advance." }</p>
            } else {
                <ul class="branch-list">{ for branches }</ul>
            }
            if f.verdict.unreached_is_dead {
                <p class="muted small">{ format!("{} of {} instructions are dead: the verifier removes them.", dead, f.verdict.insns) }</p>
            } else {
                <p class="muted small">{ format!("{} of {} instructions are {}.", dead, f.verdict.insns, f.verdict.unreached) }</p>
            }
        </aside>
    }
}
