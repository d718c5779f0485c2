//! Every CO-RE relocation of the object against the target kernel, a row each; a row expands
//! into its explanation (specs, candidates, values, the patched instruction, libbpf's log,
//! and what it means).

use yew::prelude::*;

use crate::components::badges::{outcome_badge, source_line};
use crate::components::whatif_panel::{LibbpfSelect, WhatIfNotice};
use crate::decimal::fixed;
use crate::dto::reloc::{RelocExplanation, RelocRow, RelocTable};
use crate::hooks::{use_dispatch, use_query, use_workspace};
use crate::query::object::{ExplainQuery, RelocQuery};
use crate::query::Fetch;
use crate::state::{Action, ObjectAction};
use crate::views::View;

/// Props of [`RelocView`].
#[derive(Properties, PartialEq, Debug)]
pub struct RelocViewProps {
    /// Compact (embed) layout.
    #[prop_or_default]
    pub compact: bool,
}

/// Cells in a row.
pub const COLUMNS: usize = 7;

/// The relocation panel.
#[component]
pub fn RelocView(props: &RelocViewProps) -> Html {
    let s = use_workspace();
    let on_action = use_dispatch();
    let table = use_query(RelocQuery::of(&s));
    let explanation = use_query(ExplainQuery::of(&s));
    let t = match &table {
        Fetch::Ready(t) => t.clone(),
        Fetch::Failed(e) => {
            return html! { <section class="relocs"><p class="warn pad">{ e }</p></section> }
        }
        _ => {
            let text = if s.kernel.kernel.is_none() {
                "Pick a target kernel above."
            } else {
                "Relocating in the engine worker…"
            };
            return html! { <section class="relocs empty"><p class="muted">{ text }</p></section> };
        }
    };
    let mut rows = Vec::new();
    let mut sec = "";
    for r in &t.rows {
        if r.sec != sec && !props.compact {
            sec = &r.sec;
            rows.push(html! {
                <tr class="sec-row"><td colspan={COLUMNS.to_string()} class="mono">{ format!("section {}", r.sec) }</td></tr>
            });
        }
        let open = s.object.relo == Some(r.idx);
        let on_select = on_action.reform(|idx| Action::Object(ObjectAction::SelectRelo(idx)));
        rows.push(reloc_row(r, open, on_select, None));
        if open {
            let body = match &explanation {
                Fetch::Ready(e) => explanation_panel(e, &on_action),
                Fetch::Failed(e) => html! { <p class="warn">{ e }</p> },
                _ => html! { <p class="muted">{ "Explaining…" }</p> },
            };
            rows.push(explanation_row(body));
        }
    }
    html! {
        <section class={classes!("relocs", props.compact.then_some("compact"))} id="relocs">
            { head(&t, props.compact) }
            if !props.compact {
                <WhatIfNotice whatif={s.object.whatif.clone()} />
            }
            <div class="table-wrap">
                <table class="reloc-table">
                    <thead><tr>
                        <th class="num">{ "#" }</th><th>{ "program" }</th><th class="num">{ "insn" }</th>
                        <th>{ "kind" }</th><th>{ "accesses" }</th><th>{ "outcome" }</th><th>{ "value" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            if !props.compact && !t.log.is_empty() {
                <details class="full-log">
                    <summary>{ format!("libbpf's whole CO-RE log ({} lines)", t.log.len()) }</summary>
                    <pre class="log">{ for t.log.iter().map(|l| html! { <div class={classes!(format!("log-{}", l.level))}>{ format!("libbpf: {}", l.text) }</div> }) }</pre>
                </details>
            }
        </section>
    }
}

fn head(t: &RelocTable, compact: bool) -> Html {
    let counts = t.counts.iter().map(|(o, n)| {
        html! { <span class="count-chip">{ outcome_badge(o) }{ format!(" {n}") }</span> }
    });
    html! {
        <header class="panel-head">
            <h1 class="mono">{ &t.object }</h1>
            <span class="muted">{ "against" }</span>
            <span class="mono">{ &t.kernel }</span>
            <span class="muted" id="reloc-release">{ format!("as libbpf {}", t.libbpf.label()) }</span>
            if !compact {
                <label class="muted small" for="reloc-libbpf">{ "release" }</label>
                <LibbpfSelect id="reloc-libbpf" />
            }
            <span class="counts">{ for counts }</span>
            if !compact {
                <span class="muted small" id="reloc-timing">{ format!("{} relocations in {} ms (engine)", t.rows.len(), fixed(t.reloc_ms, 1)) }</span>
            }
            if let Some(f) = &t.failure {
                <p class="warn full">{ f }</p>
            }
            { for t.hidden.iter().map(|h| html! { <p class="note-line full">{ format!("what-if: {h}") }</p> }) }
        </header>
    }
}

/// The row under an open relocation row: its explanation (`body`), across the table.
pub fn explanation_row(body: Html) -> Html {
    html! {
        <tr class="explain-row"><td colspan={COLUMNS.to_string()}>
            <div class="explain" id="explain">{ body }</div>
        </td></tr>
    }
}

/// One relocation's row; clicking it (or Enter) asks `on_select` to open it (or close it,
/// with `None`). `lead` replaces the program and instruction cells (a question's records
/// have neither).
pub fn reloc_row(
    r: &RelocRow,
    open: bool,
    on_select: Callback<Option<u32>>,
    lead: Option<Html>,
) -> Html {
    let idx = r.idx;
    let select = move || (!open).then_some(idx);
    let toggle = on_select.reform(move |_: MouseEvent| select());
    let key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            on_select.emit(select());
        }
    });
    let lead = lead.unwrap_or_else(|| {
        html! {
            <>
                <td class="mono">{ r.prog.clone().unwrap_or_else(|| "-".into()) }</td>
                <td class="num">{ r.insn.map(|i| i.to_string()).unwrap_or_else(|| "-".into()) }</td>
            </>
        }
    });
    let value = match (&r.before, &r.after) {
        (Some(b), Some(a)) if b == a => html! { <span class="val">{ a }</span> },
        (Some(b), Some(a)) => {
            html! { <span class="val">{ b }<span class="arrow">{ " → " }</span><b>{ a }</b></span> }
        }
        _ => html! { <span class="muted">{ &r.detail }</span> },
    };
    let note = r.release_note.as_ref().map(|n| {
        html! { <div class="release-note small">{ n }</div> }
    });
    html! {
        <tr class={classes!("rrow", open.then_some("open"), format!("r-{}", r.outcome))} data-relo={r.idx.to_string()}
            onclick={toggle} onkeydown={key} tabindex="0" aria-expanded={open.to_string()}>
            <td class="num">{ r.sec_relo_idx }</td>
            { lead }
            <td class="mono">{ &r.kind }</td>
            <td class="mono access">{ &r.access }</td>
            <td>{ outcome_badge(&r.outcome) }if r.pass > 1 { <span class="muted small">{ format!(" pass {}", r.pass) }</span> }</td>
            <td class="mono">{ value }{ for note }</td>
        </tr>
    }
}

/// Everything about one relocation: what it means, what the object asks, the candidates,
/// the result and libbpf's log.
pub fn explanation_panel(e: &RelocExplanation, on_action: &Callback<Action>) -> Html {
    let cands = e.candidates.iter().map(|c| {
        html! {
            <li class={classes!("cand", if c.matched { "match" } else { "nomatch" })}>
                <span class="cand-mark">{ if c.matched { "✓" } else { "✗" } }</span>
                <span class="mono">{ format!("#{} [{}] {}", c.index, c.id, c.name) }
                    { for c.module.as_ref().map(|m| format!(" in [{m}]")) }</span>
                <span class="cand-why">{ &c.why }</span>
                <div class="mono spec">{ &c.spec }</div>
            </li>
        }
    });
    let prog = e.row.prog.clone();
    let to_guard = prog.map(|p| {
        let go = on_action
            .reform(move |_: MouseEvent| Action::Object(ObjectAction::SelectProgram(p.clone())));
        let show = on_action.reform(|_: MouseEvent| Action::ShowView(View::Flow));
        html! {
            <button class="button small" onclick={Callback::from(move |ev: MouseEvent| { go.emit(ev.clone()); show.emit(ev); })}>
                { "See it in the Guarding view" }
            </button>
        }
    });
    html! {
        <div class="explain-grid">
            <div class="ex-block wide meaning">
                <h3>{ "What it means" }</h3>
                <p>{ &e.meaning }</p>
                if e.row.outcome == "poisoned" { { for to_guard } }
            </div>
            <div class="ex-block">
                <h3>{ "What the object asks" }</h3>
                <p>{ format!("{} — ", e.kind_text) }<span class="mono">{ &e.row.access }</span></p>
                if let Some(s) = &e.source { <p>{ source_line(s) }</p> }
                if let Some(l) = &e.local_spec { <p class="mono spec">{ format!("local: {l}") }</p> }
            </div>
            <div class="ex-block">
                <h3>{ "Candidates in the kernel" }</h3>
                <p class="small">{ &e.search }</p>
                <ul class="cands">{ for cands }</ul>
            </div>
            <div class="ex-block">
                <h3>{ "Result" }</h3>
                if let Some(t) = &e.target_spec { <p class="mono spec">{ format!("target: {t}") }</p> }
                if let Some(v) = &e.values {
                    <p class="mono">{ format!("value {} → {}{}", v.orig, v.new, if v.poison { " (poison)" } else { "" }) }
                        { for v.sizes.map(|(a, b)| format!(", size {a} → {b} bytes (res.orig_sz → new_sz)")) }</p>
                }
                if let Some(n) = &e.row.release_note { <p class="release-note">{ n }</p> }
                if let Some(p) = &e.patch {
                    <table class="patch mono">
                        <tr><th>{ format!("insn #{} before", p.insn) }</th><td>{ &p.before }</td><td class="hex">{ &p.before_hex }</td></tr>
                        <tr><th>{ "after" }</th><td class={classes!((p.after.contains("0xbad2310")).then_some("poison-text"))}>{ &p.after }</td><td class="hex">{ &p.after_hex }</td></tr>
                    </table>
                    if !p.changed { <p class="muted small">{ "The instruction already held the right value: unchanged." }</p> }
                }
            </div>
            <div class="ex-block wide">
                <h3>{ "libbpf's log, verbatim" }</h3>
                <pre class="log">{ for e.log.iter().map(|l| html! { <div class={classes!(format!("log-{}", l.level))}>{ format!("libbpf: {}", l.text) }</div> }) }</pre>
            </div>
        </div>
    }
}
