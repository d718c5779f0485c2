//! The Object area's code: the programs on the left, and the selected program's
//! instructions interleaved with the C source lines of line_info, each CO-RE relocation
//! marked (a link to its row), and the instructions a pasted failed-load log names.

use yew::prelude::*;

use crate::components::badges::source_line;
use crate::hooks::{use_dispatch, use_query, use_workspace};
use crate::query::loadlog::LoadLogQuery;
use crate::state::{Action, ObjectAction};
use crate::views::View;

/// The code panel.
#[component]
pub fn CodeView() -> Html {
    let s = use_workspace();
    let on_action = use_dispatch();
    // A pasted failed-load log marks the instructions it names.
    let log = use_query(LoadLogQuery::of(&s));
    let log = log.ready();
    let Some(o) = &s.object.object else {
        return html! {};
    };
    let sum = &*o.summary;
    let chosen = s
        .object
        .prog
        .as_ref()
        .and_then(|p| sum.programs.iter().find(|q| &q.name == p))
        .or_else(|| sum.programs.iter().find(|q| !q.subprog))
        .or_else(|| sum.programs.first());
    let progs = sum.programs.iter().map(|p| {
        let active = chosen.is_some_and(|c| c.name == p.name);
        let name = p.name.clone();
        let onclick = on_action
            .reform(move |_: MouseEvent| Action::Object(ObjectAction::SelectProgram(name.clone())));
        html! {
            <button class={classes!("prog-row", active.then_some("active"))} data-prog={p.name.clone()} {onclick}>
                <span class="prog-name mono">{ &p.name }</span>
                <span class="prog-meta">
                    { if p.subprog { "subprogram".to_owned() } else { p.sec.clone() } }
                    { format!(" · {} insns", p.len) }
                    if !p.autoload { { " · not autoloaded" } }
                </span>
            </button>
        }
    });
    let knobs = sum.knobs.iter().map(|k| {
        html! { <li class="mono">{ format!("{} {} ({})", k.ty, k.name, k.kind) }</li> }
    });
    let listing = chosen.and_then(|p| {
        let code = sum.code.get(p.code as usize)?;
        let rows = code
            .lines
            .iter()
            .filter(|l| l.idx >= p.start && l.idx < p.start + p.len)
            .map(|l| {
                let src = l.source.as_ref().map(|s| html! {
                    <div class="crow src-row">{ source_line(s) }</div>
                });
                let marks: Vec<_> = log
                    .map(|r| r.marks_in_section(&code.name, l.idx).collect())
                    .unwrap_or_default();
                let relos = l.relos.iter().map(|&k| {
                    let onclick = on_action.reform(move |_: MouseEvent| Action::Object(ObjectAction::SelectRelo(Some(k))));
                    let go = on_action.reform(move |_: MouseEvent| Action::ShowView(View::Relocs));
                    html! {
                        <button class="relo-mark" data-relo={k.to_string()}
                            onclick={Callback::from(move |e: MouseEvent| { onclick.emit(e.clone()); go.emit(e); })}
                            title="Show this CO-RE relocation">{ format!("CO-RE #{k}") }</button>
                    }
                });
                html! {
                    <>
                        { for src }
                        <div class={classes!("crow", (!l.relos.is_empty()).then_some("has-relo"), (!marks.is_empty()).then_some("log-marked"))} data-insn={l.idx.to_string()}>
                            <span class="ln">{ l.idx - p.start }</span>
                            <span class="code">{ &l.text }</span>
                            if let Some(t) = l.target {
                                <span class="jump-to muted">{ format!("→ {}", t.saturating_sub(p.start)) }</span>
                            }
                            { for relos }
                            { for marks.iter().map(|m| html! { <span class="tag tag-log" title={m.text.clone()}>{ &m.text }</span> }) }
                        </div>
                    </>
                }
            });
        Some(html! {
            <div class="code-listing mono" id="code-listing">{ for rows }</div>
        })
    });
    html! {
        <div class="split object-split">
            <aside class="side">
                <div class="side-section">
                    <h2>{ "Programs" }</h2>
                    <div class="prog-list">{ for progs }</div>
                </div>
                <div class="side-section facts-small">
                    <h2>{ "Object" }</h2>
                    <p class="mono">{ &sum.label }</p>
                    <p>{ format!("{} · {} CO-RE relocations{}", sum.byte_order, sum.relocations,
                        sum.license.as_ref().map(|l| format!(" · license {l}")).unwrap_or_default()) }</p>
                    if !sum.knobs.is_empty() {
                        <h2>{ "Settable (Guarding → what-if)" }</h2>
                        <ul class="knob-list">{ for knobs }</ul>
                    }
                    { for sum.problems.iter().map(|p| html! { <p class="warn">{ p }</p> }) }
                </div>
            </aside>
            <section class="code-main">
                if let Some(p) = chosen {
                    <header class="panel-head">
                        <h1 class="mono">{ &p.name }</h1>
                        <span class="muted mono">{ &p.sec }</span>
                        <span class="muted">{ format!("{} instructions, as compiled (before relocation)", p.len) }</span>
                    </header>
                }
                { for listing }
                if chosen.is_none() {
                    <p class="muted pad">{ "This object has no programs." }</p>
                }
            </section>
        </div>
    }
}
