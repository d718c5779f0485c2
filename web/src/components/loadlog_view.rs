//! "Paste the failed load's log": what a failed load printed (libbpf's messages, a bare
//! verifier log, cilium/ebpf's or aya's error text) explained against the loaded object and
//! the active kernel, as `corelab explain-log` does: per program, where the verifier stopped
//! and each poisoned instruction it reached (where, what it stands for, why, how to fix it).
//! The instructions the log names are marked in the Code and Guarding views too.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::components::badges::source_line;
use crate::dto::loadlog::{LogFinding, LogProgram, LogReport};
use crate::hooks::{use_dispatch, use_query, use_workspace};
use crate::query::loadlog::LoadLogQuery;
use crate::query::Fetch;
use crate::state::{Action, ObjectAction};
use crate::views::View;

/// The failed-load panel.
#[component]
pub fn LoadLogView() -> Html {
    let s = use_workspace();
    let on_action = use_dispatch();
    let draft = use_state(|| (*s.object.log).clone());
    {
        let draft = draft.clone();
        use_effect_with(s.object.log.clone(), move |l| draft.set((**l).clone()));
    }
    let report = use_query(LoadLogQuery::of(&s));
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let t: HtmlTextAreaElement = e.target_unchecked_into();
            draft.set(t.value());
        })
    };
    let explain = {
        let (draft, on_action) = (draft.clone(), on_action.clone());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::Object(ObjectAction::SetLog((*draft).clone())))
        })
    };
    let clear =
        on_action.reform(|_: MouseEvent| Action::Object(ObjectAction::SetLog(String::new())));
    let kernel = s
        .kernel
        .kernel
        .as_ref()
        .map(|k| k.source.label().to_owned());
    let body = match &report {
        Fetch::Ready(r) => results(r, &on_action),
        Fetch::Failed(e) => html! { <p class="warn">{ e }</p> },
        Fetch::Idle => html! {},
        _ => html! { <p class="muted">{ "Reading the log against the object…" }</p> },
    };
    html! {
        <section class="loadlog" id="loadlog">
            <header class="panel-head">
                <h1>{ "Why did the load fail?" }</h1>
                <span class="muted">{ "explained against" }</span>
                <span class="mono">{ kernel.unwrap_or_else(|| "no kernel".into()) }</span>
                <p class="muted small full">{ "Paste what the failed load printed: libbpf's messages (with the verifier log \
                    between BEGIN PROG LOAD LOG and END PROG LOAD LOG), a bare verifier log, or cilium/ebpf's or aya's error. \
                    Pick the kernel it failed on above: it says why a relocation failed." }</p>
            </header>
            <div class="log-box">
                <textarea id="log-input" class="mono" rows="9" spellcheck="false" value={(*draft).clone()} {oninput}
                    placeholder="libbpf: prog 'x': BPF program load failed: Invalid argument…" aria-label="The failed load's log" />
                <div class="ask-actions">
                    <button class="button" id="log-go" onclick={explain}>{ "Explain" }</button>
                    <button class="button small" onclick={clear}>{ "Clear" }</button>
                    <span class="muted small">{ "The log stays in this browser; a short one is kept in the link." }</span>
                </div>
            </div>
            { body }
        </section>
    }
}

fn results(r: &LogReport, on_action: &Callback<Action>) -> Html {
    if let Some(why) = &r.mismatch {
        return html! { <p class="warn pad" id="log-mismatch">{ format!("This log is not about this object: {why}.") }</p> };
    }
    html! {
        <div class="log-results" id="log-results">
            <p class="muted small">{ format!("{} text with {} program log(s)", r.wrapper, r.programs.len()) }</p>
            { for r.programs.iter().map(|p| program(p, on_action)) }
        </div>
    }
}

fn program(p: &LogProgram, on_action: &Callback<Action>) -> Html {
    let show = |view: View| {
        let name = p.name.clone();
        let on_action = on_action.clone();
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::Object(ObjectAction::SelectProgram(name.clone())));
            on_action.emit(Action::ShowView(view));
        })
    };
    html! {
        <div class="log-prog" data-prog={p.name.clone()}>
            <h2><span class="mono">{ format!("program '{}'", p.name) }</span>
                <span class="muted small">{ format!(" ({})", p.how) }</span></h2>
            if p.matched {
                <p class="log-stop">{ &p.stop }</p>
                { for p.findings.iter().map(|f| finding(f, on_action)) }
                if let Some(sim) = &p.sim {
                    <p class="small">{ sim }</p>
                    if !p.differences.is_empty() {
                        <ul class="small">{ for p.differences.iter().map(|d| html! { <li>{ d }</li> }) }</ul>
                    }
                }
                <p>
                    <button class="button small" onclick={show(View::Code)}>{ "Marked in the code" }</button>{ " " }
                    <button class="button small" onclick={show(View::Flow)}>{ "Marked in the Guarding view" }</button>
                </p>
            }
        </div>
    }
}

fn finding(f: &LogFinding, on_action: &Callback<Action>) -> Html {
    let relo = f.relo.map(|k| {
        let sel = on_action.reform(move |_: MouseEvent| Action::Object(ObjectAction::SelectRelo(Some(k))));
        let show = on_action.reform(|_: MouseEvent| Action::ShowView(View::Relocs));
        let onclick = Callback::from(move |e: MouseEvent| {
            sel.emit(e.clone());
            show.emit(e);
        });
        html! { <button class="relo-mark" data-relo={k.to_string()} {onclick}>{ format!("CO-RE #{k}") }</button> }
    });
    html! {
        <div class="poison-card reachable log-finding">
            <h3>{ format!("poisoned {}", f.place) }</h3>
            if let Some(by) = &f.located_by { <p class="muted small">{ format!("({by})") }</p> }
            if let Some(s) = &f.source { <p>{ source_line(s) }</p> }
            <p><span class="mono">{ &f.what }</span>{ " " }{ for relo }</p>
            if let Some(spec) = &f.spec { <p class="mono spec">{ spec }</p> }
            <p><b>{ "Why: " }</b>{ &f.cause }</p>
            <p><b>{ "Fix: " }</b>{ &f.fix }</p>
        </div>
    }
}
