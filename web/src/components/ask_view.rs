//! The Ask area: a BPF C access question (`struct task_struct *t; BPF_CORE_READ(t, mm,
//! exe_file)`) typed with completion from the active kernel's names; the CO-RE records
//! clang emits for it, relocated on that kernel and shown as the Object area shows an
//! object's relocations (same rows, same explanation panel); then the same question across
//! the bundled kernels, or a catalogue selection (`sel=`, swept one build at a time by
//! `hooks::use_ask_sweep`): kernels grouped by answer, whether each loads it, the verdict and
//! a checked fix.

use web_sys::HtmlTextAreaElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::bundled;
use crate::components::badges::{outcome_badge, short_kernel};
use crate::components::reloc_view::{explanation_panel, explanation_row, reloc_row};
use crate::components::selection_bar::SelectionBar;
use crate::decimal::fixed;
use crate::dto::ask::{AcrossTable, AskRecords, VerdictKind};
use crate::hooks::{
    use_ask_sweep, use_dispatch, use_kernel_slots, use_query, use_workspace, AskSweepState,
};
use crate::query::ask::{AcrossQuery, AskQuery, CompleteQuery};
use crate::query::Fetch;
use crate::state::{Action, AskAction};

/// Questions to start from (each shows something: a chain, a rename, a missing enumerator,
/// a bitfield's five records).
const EXAMPLES: &[&str] = &[
    "struct task_struct *t; BPF_CORE_READ(t, mm, exe_file)",
    "struct task_struct *t; t->__state",
    "bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_get_func_ip)",
    "struct sk_buff *skb; BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type)",
    "struct sock *sk; sk->__sk_common.skc_v6_daddr",
];

/// Props of [`AskView`].
#[derive(Properties, PartialEq, Debug)]
pub struct AskViewProps {
    /// Compact (embed) layout: the question as code, no box.
    #[prop_or_default]
    pub compact: bool,
}

/// The Ask area.
#[component]
pub fn AskView(props: &AskViewProps) -> Html {
    let s = use_workspace();
    let on_action = use_dispatch();
    let records = use_query(AskQuery::of(&s));
    let open = use_state(|| None::<u32>);
    let asked = !s.ask.question.trim().is_empty();
    let selection = s.catalog.selection.clone();
    let sweeping = asked && !selection.is_empty();
    let sweep = use_ask_sweep(
        sweeping
            .then(|| {
                s.kernel
                    .slot()
                    .map(|k| (selection.clone(), k, s.ask.question.clone()))
            })
            .flatten(),
    );
    let ids: Vec<String> = if asked && !sweeping {
        bundled::KERNELS.iter().map(|k| k.id.to_owned()).collect()
    } else {
        Vec::new()
    };
    let slots = use_kernel_slots(ids);
    let across_query = match &slots {
        Some(Ok(slots)) => AcrossQuery::of(&s, slots),
        _ => None,
    };
    let across = use_query(across_query);

    let records_html = match &records {
        Fetch::Ready(r) => records_table(r, &open),
        Fetch::Failed(e) => html! { <p class="warn">{ e }</p> },
        Fetch::Idle => html! {},
        _ => html! { <p class="muted">{ "Compiling the question in the engine worker…" }</p> },
    };
    let across_html = match (&across, &slots) {
        _ if !asked => html! {},
        _ if sweeping => sweep_html(&sweep, &s.ask.question),
        (Fetch::Ready(t), _) => across_table(
            t,
            &s.ask.question,
            &format!("Across the {} bundled kernels", t.kernels.len()),
        ),
        (Fetch::Failed(_), _) => html! {},
        (_, Some(Err(e))) => html! { <p class="warn">{ e }</p> },
        _ => html! {
            <p class="muted">{ "Answering on every bundled kernel (fetching the ones not loaded yet)…" }</p>
        },
    };
    let kernel = s
        .kernel
        .kernel
        .as_ref()
        .map(|k| k.source.label().to_owned())
        .unwrap_or_default();
    html! {
        <section class={classes!("ask", props.compact.then_some("compact"))} id="ask">
            if props.compact {
                <pre class="ask-question mono">{ &s.ask.question }</pre>
            } else {
                <header class="panel-head">
                    <h1>{ "Ask: what does this access become?" }</h1>
                    <span class="muted">{ "compiled against" }</span>
                    <span class="mono">{ kernel }</span>
                </header>
                <AskBox question={s.ask.question.clone()} on_ask={on_action.reform(|q| Action::Ask(AskAction::Ask(q)))} />
            }
            { records_html }
            if !props.compact && asked { <SelectionBar /> }
            { across_html }
        </section>
    }
}

/// The records as relocation rows, the open one explained.
fn records_table(r: &AskRecords, open: &UseStateHandle<Option<u32>>) -> Html {
    if let Some(e) = &r.error {
        return html! { <p class="warn mono" id="ask-error">{ &e.message }</p> };
    }
    if r.rows.is_empty() {
        return html! {};
    }
    let on_select = {
        let open = open.clone();
        Callback::from(move |i: Option<u32>| open.set(i))
    };
    let noop = Callback::from(|_: Action| {});
    let mut rows = Vec::new();
    for (i, row) in r.rows.iter().enumerate() {
        let is_open = **open == Some(row.idx);
        let (local_type, access) = r.records.get(i).cloned().unwrap_or_default();
        let lead = html! {
            <>
                <td class="mono">{ local_type }</td>
                <td class="mono">{ access }</td>
            </>
        };
        rows.push(reloc_row(row, is_open, on_select.clone(), Some(lead)));
        if is_open {
            if let Some(e) = r.explanations.get(i) {
                rows.push(explanation_row(explanation_panel(e, &noop)));
            }
        }
    }
    html! {
        <div class="ask-records" id="ask-records">
            { for r.warnings.iter().map(|w| html! { <p class="note-line">{ format!("warning: {w}") }</p> }) }
            <h2>{ format!("The CO-RE records clang-19 emits, and libbpf's answer on {}", r.kernel) }</h2>
            <div class="table-wrap">
                <table class="reloc-table">
                    <thead><tr>
                        <th class="num">{ "#" }</th><th>{ "local type" }</th><th>{ "access" }</th>
                        <th>{ "kind" }</th><th>{ "accesses" }</th><th>{ "outcome" }</th><th>{ "value" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            <p class="muted small">{ format!("{} record(s) in {} ms (engine). Click a row for libbpf's reasoning.", r.rows.len(), fixed(r.ms, 1)) }</p>
        </div>
    }
}

/// The question across a catalogue selection, as the sweep answers it.
fn sweep_html(sweep: &AskSweepState, question: &str) -> Html {
    let sw = match sweep {
        Some(Ok(sw)) => sw,
        Some(Err(e)) => return html! { <p class="warn" id="sweep-error">{ e }</p> },
        None => return html! { <p class="muted">{ "Opening the kernel catalogue…" }</p> },
    };
    let n = sw.selection.builds.len();
    let t = &sw.times;
    let progress = html! {
        <p class="muted small" id="sweep-progress" data-done={sw.done.to_string()} data-total={n.to_string()}
            data-finished={sw.finished.to_string()} data-wall={fixed(t.wall_ms, 1).to_string()}
            data-rebuild={fixed(t.rebuild_ms, 1).to_string()} data-parse={fixed(t.parse_ms, 1).to_string()}
            data-work={fixed(t.work_ms, 1).to_string()} data-stall={fixed(t.stall_ms, 1).to_string()}
            data-bytes={t.bytes.to_string()}>
            { format!("@{}: {}", sw.selection.selector, sw.progress()) }
            if sw.finished { { format!(" · done in {} s (rebuild {} s, parse {} s, asking {} s in the engine; waiting for segments {} s)",
                fixed(t.wall_ms / 1000.0, 1), fixed(t.rebuild_ms / 1000.0, 1), fixed(t.parse_ms / 1000.0, 1),
                fixed(t.work_ms / 1000.0, 1), fixed(t.stall_ms / 1000.0, 1)) } }
        </p>
    };
    let failed = (!sw.failed.is_empty()).then(|| html! {
        <ul class="why-list" id="sweep-errors">{ for sw.failed.iter().map(|(_, e)| html! { <li class="warn">{ e }</li> }) }</ul>
    });
    let answered = n - sw.failed.len();
    html! {
        <>
            { progress }
            if let Some(t) = &sw.table {
                { across_table(&t.table, question, &format!("Across @{} ({answered} of {n} builds answered)", sw.selection.selector)) }
            }
            { for failed }
        </>
    }
}

/// Kernels grouped by answer, the verdict and the fix (for `question`), under `title`.
fn across_table(t: &AcrossTable, question: &str, title: &str) -> Html {
    let head = t.records.iter().enumerate().map(|(i, r)| {
        html! { <th class="mono">{ format!("#{i} {r}") }</th> }
    });
    let rows = t.rows.iter().map(|row| {
        // A long run is named by its ends (`a .. b (14)`), a short one build by build.
        let names = if row.kernels.len() > 3 {
            row.label.clone()
        } else {
            row.kernels
                .iter()
                .filter_map(|&k| t.kernels.get(k as usize))
                .map(|k| short_kernel(k))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let cells = row.cells.iter().map(|c| {
            html! {
                <td class="mono">
                    { outcome_badge(&c.outcome) }{ " " }{ &c.values }
                    if let Some(e) = &c.error { <div class="muted small">{ e }</div> }
                </td>
            }
        });
        html! {
            <tr class={classes!("across-row", if row.loads { "loads" } else { "fails" })}>
                <td class="mono" title={row.label.clone()}>{ names }</td>
                { for cells }
                <td class={classes!(if row.loads { "ok" } else { "warn" })}>{ &row.load }</td>
            </tr>
        }
    });
    let (class, word) = match t.verdict {
        VerdictKind::Portable => ("v-loaded", "portable"),
        VerdictKind::NeedsGuard => ("v-rejected_poison", "needs a guard"),
        VerdictKind::Breaks => ("v-rejected_poison", "breaks"),
    };
    html! {
        <div class="ask-across" id="ask-across" data-q={question.to_owned()}>
            <h2>{ title }</h2>
            <div class="table-wrap">
                <table class="reloc-table across-table">
                    <thead><tr><th>{ "kernels" }</th>{ for head }<th>{ "loads?" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            <p class="verdict-line" id="ask-verdict">
                <span class={classes!("verdict", class)}>{ word }</span>{ " " }{ &t.verdict_text }
            </p>
            if let Some(f) = &t.fix {
                <div class="ask-fix" id="ask-fix">
                    <h3>{ format!("Fix ({})", f.status) }</h3>
                    { for f.notes.iter().map(|n| html! { <p class="note-line">{ format!("note: {n}") }</p> }) }
                    <pre class="mono">{ &f.snippet }</pre>
                    <CopyButton text={f.snippet.clone()} />
                </div>
            }
            <p class="muted small">{ format!("answered in {} ms (engine)", fixed(t.ms, 1)) }</p>
        </div>
    }
}

/// Props of [`CopyButton`].
#[derive(Properties, PartialEq, Debug)]
struct CopyButtonProps {
    text: String,
}

/// Copies a text to the clipboard.
#[component]
fn CopyButton(props: &CopyButtonProps) -> Html {
    let copied = use_state(|| false);
    let onclick = {
        let (text, copied) = (props.text.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            let (text, copied) = (text.clone(), copied.clone());
            spawn_local(async move {
                copied.set(crate::browser::copy_text(&text).await.is_ok());
            });
        })
    };
    html! {
        <button class="button small" {onclick}>{ if *copied { "Copied" } else { "Copy" } }</button>
    }
}

/// Props of [`AskBox`].
#[derive(Properties, PartialEq, Debug)]
struct AskBoxProps {
    /// The question asked.
    question: String,
    /// Ask a question.
    on_ask: Callback<String>,
}

/// The question box: completion from the kernel's names as you type (Tab or a click takes
/// the highlighted one, arrows move, Escape closes), Enter asks (Shift+Enter: a new line).
#[component]
fn AskBox(props: &AskBoxProps) -> Html {
    let s = use_workspace();
    let draft = use_state(|| props.question.clone());
    let cursor = use_state(|| props.question.len());
    let completing = use_state(|| false);
    let pick = use_state(|| 0usize);
    let area = use_node_ref();
    {
        // A question asked elsewhere (an example, the URL) replaces the draft.
        let (draft, cursor) = (draft.clone(), cursor.clone());
        use_effect_with(props.question.clone(), move |q| {
            draft.set(q.clone());
            cursor.set(q.len());
        });
    }
    let before = draft.get(..*cursor).unwrap_or(&draft).to_owned();
    let query = (*completing)
        .then(|| s.kernel.slot())
        .flatten()
        .map(|kernel| CompleteQuery {
            kernel,
            before: before.clone(),
        });
    let completions = use_query(query);
    let shown: Vec<String> = match &completions {
        Fetch::Ready(c) if *completing => c.candidates.clone(),
        _ => Vec::new(),
    };
    let from = completions.ready().map_or(0, |c| c.from as usize);
    let accept = {
        let (draft, cursor, completing, area) = (
            draft.clone(),
            cursor.clone(),
            completing.clone(),
            area.clone(),
        );
        let before = before.clone();
        move |word: &str| {
            let Some(start) = before.get(..from) else {
                return;
            };
            let rest = draft.get(before.len()..).unwrap_or("").to_owned();
            let text = format!("{start}{word}{rest}");
            let at = start.len() + word.len();
            draft.set(text.clone());
            cursor.set(at);
            completing.set(false);
            if let Some(t) = area.cast::<HtmlTextAreaElement>() {
                t.set_value(&text);
                let _ = t.set_selection_range(at as u32, at as u32);
                let _ = t.focus();
            }
        }
    };
    let oninput = {
        let (draft, cursor, completing, pick) = (
            draft.clone(),
            cursor.clone(),
            completing.clone(),
            pick.clone(),
        );
        Callback::from(move |e: InputEvent| {
            let t: HtmlTextAreaElement = e.target_unchecked_into();
            let v = t.value();
            let at = t
                .selection_start()
                .ok()
                .flatten()
                .map_or(v.len(), |u| utf16_to_byte(&v, u as usize));
            draft.set(v);
            cursor.set(at);
            completing.set(true);
            pick.set(0);
        })
    };
    let onkeydown = {
        let (draft, completing, pick, on_ask) = (
            draft.clone(),
            completing.clone(),
            pick.clone(),
            props.on_ask.clone(),
        );
        let shown = shown.clone();
        let accept = accept.clone();
        Callback::from(move |e: KeyboardEvent| {
            let open = !shown.is_empty();
            match e.key().as_str() {
                "Tab" if open => {
                    e.prevent_default();
                    accept(&shown[(*pick).min(shown.len() - 1)]);
                }
                "ArrowDown" if open => {
                    e.prevent_default();
                    pick.set((*pick + 1) % shown.len());
                }
                "ArrowUp" if open => {
                    e.prevent_default();
                    pick.set((*pick + shown.len() - 1) % shown.len());
                }
                "Escape" => completing.set(false),
                "Enter" if !e.shift_key() => {
                    e.prevent_default();
                    completing.set(false);
                    on_ask.emit((*draft).clone());
                }
                _ => {}
            }
        })
    };
    let ask = {
        let (draft, on_ask, completing) = (draft.clone(), props.on_ask.clone(), completing.clone());
        Callback::from(move |_: MouseEvent| {
            completing.set(false);
            on_ask.emit((*draft).clone());
        })
    };
    let list = shown.iter().take(12).enumerate().map(|(i, c)| {
        let accept = accept.clone();
        let word = c.clone();
        let onmousedown = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            accept(&word);
        });
        html! {
            <li class={classes!("completion", (i == *pick).then_some("picked"))} {onmousedown}>{ c }</li>
        }
    });
    let examples = EXAMPLES.iter().map(|&x| {
        let on_ask = props.on_ask.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_ask.emit(x.to_owned()));
        html! { <button class="chip mono" {onclick}>{ x }</button> }
    });
    html! {
        <div class="ask-box">
            <div class="ask-input-wrap">
                <textarea id="ask-input" class="mono" ref={area} rows="3" spellcheck="false"
                    placeholder="struct task_struct *t; BPF_CORE_READ(t, mm, exe_file)"
                    value={(*draft).clone()} {oninput} {onkeydown}
                    aria-label="BPF C access expression" aria-autocomplete="list" />
                if !shown.is_empty() {
                    <ul class="completions" id="ask-completions" role="listbox">{ for list }</ul>
                }
            </div>
            <div class="ask-actions">
                <button class="button" id="ask-go" onclick={ask}>{ "Ask" }</button>
                <span class="muted small">{ "Enter asks · Tab completes · Shift+Enter: new line" }</span>
            </div>
            <div class="ask-examples"><span class="muted small">{ "Try: " }</span>{ for examples }</div>
        </div>
    }
}

/// The byte offset of UTF-16 offset `u` in `s` (the DOM counts UTF-16 units).
fn utf16_to_byte(s: &str, u: usize) -> usize {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        if units >= u {
            return i;
        }
        units += c.len_utf16();
    }
    s.len()
}
