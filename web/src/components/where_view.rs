//! "Where is…": one question (`task_struct.__state`, `task_struct.se.vruntime`,
//! `BPF_MAP_TYPE_RINGBUF`) over every build of the kernel catalogue, answered from its
//! where-index without rebuilding any build: runs of builds that give the same answer, and
//! a chart of offset and size by build (catalogue order: suite, series, architecture).

use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::decimal::fixed;
use crate::dto::catalog::{CatalogListing, WhereOutcome, WhereRun, WhereTable};
use crate::hooks::{use_catalog, use_dispatch, use_loader, use_query, use_workspace};
use crate::query::catalog::WhereQuery;
use crate::query::Fetch;
use crate::state::{Action, CatalogAction};
use crate::url::{TypeRef, UrlState};
use crate::views::View;

/// Questions to start from.
const EXAMPLES: &[&str] = &[
    "task_struct.__state",
    "task_struct.se.vruntime",
    "sk_buff.tstamp",
    "bpf_prog_aux.attach_btf",
    "BPF_MAP_TYPE_USER_RINGBUF",
];

/// Colours of distinct answers (the chart's and the table's swatches), in `style.css`.
const PALETTE: usize = 8;

fn answer_class(run: &WhereRun) -> String {
    if run.facts.is_empty() {
        "ans-none".to_owned()
    } else {
        format!("ans-{}", run.answer as usize % PALETTE)
    }
}

/// The view.
#[component]
pub fn WhereView() -> Html {
    let s = use_workspace();
    let dispatch = use_dispatch();
    let loader = use_loader();
    let listing = use_catalog(true);
    let shards = use_state(Vec::<u32>::new);
    let failed = use_state(|| None::<String>);
    let chart = use_state(|| false);
    // A build named in the table opens as the kernel, at the question's type.
    let open = {
        let loader = loader.clone();
        let top = s
            .catalog
            .path
            .split('.')
            .next()
            .unwrap_or_default()
            .to_owned();
        Callback::from(move |name: String| {
            loader.navigate(UrlState {
                kernel: Some(format!("@{name}")),
                ty: (!top.is_empty()).then(|| TypeRef::Name(top.clone())),
                view: View::Types,
                ..UrlState::default()
            })
        })
    };
    let ready = matches!(listing, Some(Ok(_)));
    let query = if ready {
        WhereQuery::of(&s, &shards)
    } else {
        None
    };
    let fetch = use_query(query);
    // The engine needs another shard: fetch it, hand it over, ask again.
    let need = match fetch.ready().map(|o| &**o) {
        Some(WhereOutcome::NeedShard(i)) => Some(*i),
        _ => None,
    };
    {
        let (shards, failed) = (shards.clone(), failed.clone());
        use_effect_with(need, move |&need| {
            if let Some(i) = need {
                spawn_local(async move {
                    match loader.catalog_shards(&[i]).await {
                        Ok(()) => {
                            let mut v = (*shards).clone();
                            if !v.contains(&i) {
                                v.push(i);
                                v.sort_unstable();
                            }
                            shards.set(v);
                        }
                        Err(e) => failed.set(Some(e)),
                    }
                });
            }
        });
    }

    // What is typed (the question asked changes it too: an example, the URL, history).
    let draft = use_state(|| s.catalog.path.clone());
    {
        let draft = draft.clone();
        use_effect_with(s.catalog.path.clone(), move |p| draft.set(p.clone()));
    }
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            draft.set(i.value());
        })
    };
    let onsubmit = {
        let (draft, dispatch) = (draft.clone(), dispatch.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            dispatch.emit(Action::Catalog(CatalogAction::Ask((*draft).clone())));
        })
    };
    let examples = EXAMPLES.iter().map(|&x| {
        let onclick =
            dispatch.reform(move |_: MouseEvent| Action::Catalog(CatalogAction::Ask(x.to_owned())));
        html! { <button class="chip" data-example={x} {onclick}>{ x }</button> }
    });
    let body = match (&listing, &fetch, &*failed) {
        (_, _, Some(e)) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        (Some(Err(e)), _, _) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        (None, _, _) => html! { <p class="muted">{ "Opening the kernel catalogue…" }</p> },
        (Some(Ok(_)), Fetch::Failed(e), _) => {
            html! { <p class="error" role="alert">{ e.clone() }</p> }
        }
        (Some(Ok(l)), f, _) => match f.ready().map(|o| &**o) {
            Some(WhereOutcome::Table(t)) => {
                let switch = {
                    let chart = chart.clone();
                    move |on: bool| {
                        let chart = chart.clone();
                        Callback::from(move |_: MouseEvent| chart.set(on))
                    }
                };
                html! {
                    <>
                        <p class="where-summary" id="where-summary">{ summary(t, l) }</p>
                        <div class="chips where-switch">
                            <button id="where-show-runs" class={classes!("chip", (!*chart).then_some("active"))}
                                onclick={switch(false)}>{ "Runs" }</button>
                            <button id="where-show-chart" class={classes!("chip", (*chart).then_some("active"))}
                                onclick={switch(true)}>{ "Chart" }</button>
                        </div>
                        if *chart { { chart_svg(t, l) } } else { { runs_table(t, l, &open) } }
                    </>
                }
            }
            _ if s.catalog.path.is_empty() => html! {},
            _ => {
                html! { <p class="muted">{ format!("Looking for {} in {} builds…", s.catalog.path, l.builds.len()) }</p> }
            }
        },
    };
    html! {
        <section class="where-view" id="where-view">
            <h1>{ "Where is…" }</h1>
            <p class="lede">
                { "A type, a member (through by-value members: " }<code>{ "task_struct.se.vruntime" }</code>
                { ") or an enumerator, in every Debian kernel build of the catalogue: offset, size and \
                   type per build, from the catalogue's index (no build is downloaded)." }
            </p>
            <form class="where-form" {onsubmit}>
                <input id="where-path" type="search" value={(*draft).clone()} {oninput}
                    placeholder="NAME[.MEMBER…]" aria-label="Name or member path" autocomplete="off" spellcheck="false" />
                <button class="button" type="submit" id="where-ask">{ "Where?" }</button>
            </form>
            <div class="chips where-examples">{ for examples }</div>
            { body }
        </section>
    }
}

fn summary(t: &WhereTable, l: &CatalogListing) -> String {
    let n = l.builds.len();
    if t.present == 0 {
        return format!("{}: in none of the {n} builds", t.path);
    }
    let answers = if t.answers == 1 {
        "the same everywhere".to_owned()
    } else {
        format!("{} distinct answers", t.answers)
    };
    let runs = t.runs.len();
    format!(
        "{}: in {} of {n} builds, {answers}, {runs} run{}",
        t.path,
        t.present,
        if runs == 1 { "" } else { "s" }
    )
}

fn span(l: &CatalogListing, r: &WhereRun) -> String {
    let name = |i: u32| l.builds.get(i as usize).map_or("?", |b| b.name.as_str());
    if r.len == 1 {
        name(r.first).to_owned()
    } else {
        format!("{} … {}", name(r.first), name(r.first + r.len - 1))
    }
}

/// The runs; a build's name opens it as the kernel, at the question's type.
fn runs_table(t: &WhereTable, l: &CatalogListing, open: &Callback<String>) -> Html {
    let build = |i: u32| {
        let name = l
            .builds
            .get(i as usize)
            .map_or("?", |b| b.name.as_str())
            .to_owned();
        let onclick = open.reform({
            let name = name.clone();
            move |_: MouseEvent| name.clone()
        });
        html! {
            <button class="link-button mono" data-build={name.clone()} title="Open this build" {onclick}>{ name }</button>
        }
    };
    let rows = t.runs.iter().map(|r| {
        let what = if r.facts.is_empty() {
            html! { <span class="muted">{ "— not there" }</span> }
        } else {
            html! { <>{ for r.facts.iter().map(|f| html! { <div class="mono">{ f.clone() }</div> }) }</> }
        };
        html! {
            <tr class={classes!("where-run", r.facts.is_empty().then_some("absent"))}>
                <td><span class={classes!("swatch", answer_class(r))} /></td>
                <td class="num">{ r.len }</td>
                <td class="where-span">
                    { build(r.first) }
                    if r.len > 1 { { " … " }{ build(r.first + r.len - 1) } }
                </td>
                <td>{ what }</td>
            </tr>
        }
    });
    html! {
        <table class="where-table" id="where-table">
            <thead><tr><th /><th>{ "builds" }</th><th>{ "from … to (catalogue order)" }</th><th>{ "answer" }</th></tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}

/// Offset (down) and size (bar length) of the answer per build (across), one column per
/// build in catalogue order; suites are marked along the top.
fn chart_svg(t: &WhereTable, l: &CatalogListing) -> Html {
    // Coordinates print through `fixed` (no float formatting in the app's wasm).
    let px = |v: f64| fixed(v, 1).to_string();
    let n = l.builds.len().max(1) as f64;
    let (left, top, width, height) = (64.0, 28.0, 1000.0, 260.0);
    let col = width / n;
    let max_bits = t
        .runs
        .iter()
        .filter_map(|r| r.bits.map(|(o, s)| o as u64 + s as u64))
        .max()
        .unwrap_or(0);
    if max_bits == 0 {
        return html! { <p class="muted" id="where-chart">{ "No offsets or sizes to chart: the table has the answers." }</p> };
    }
    let max_bytes = max_bits.div_ceil(8) as f64;
    let y = |bits: u64| top + height * (bits as f64 / 8.0) / max_bytes;
    let bars = t.runs.iter().map(|r| {
        let x = left + col * r.first as f64;
        let w = (col * r.len as f64 - 0.5).max(0.5);
        let tip = format!(
            "{} build{}: {}\n{}",
            r.len,
            if r.len == 1 { "" } else { "s" },
            span(l, r),
            if r.facts.is_empty() {
                "not there".to_owned()
            } else {
                r.facts.join("\n")
            }
        );
        let (y0, h, class) = match r.bits {
            Some((o, s)) => {
                let (y0, y1) = (y(o as u64), y(o as u64 + s.max(1) as u64));
                (y0, (y1 - y0).max(1.5), answer_class(r))
            }
            None => (top + height + 4.0, 4.0, "ans-none".to_owned()),
        };
        html! {
            <rect class={classes!("bar", class)} x={px(x)} y={px(y0)} width={px(w)} height={px(h)}>
                <title>{ tip }</title>
            </rect>
        }
    });
    // Suites along the top, a line where one starts.
    let mut marks = Vec::new();
    let mut last = "";
    for (i, b) in l.builds.iter().enumerate() {
        if b.suite != last {
            last = &b.suite;
            let x = left + col * i as f64;
            marks.push(html! {
                <g class="suite-mark">
                    <line x1={px(x)} x2={px(x)} y1={px(top - 14.0)} y2={px(top + height)} />
                    <text x={px(x + 3.0)} y={px(top - 16.0)}>{ b.suite.clone() }</text>
                </g>
            });
        }
    }
    let ticks = (0..=4).map(|k| {
        let bytes = max_bytes * k as f64 / 4.0;
        let yy = top + height * k as f64 / 4.0;
        html! {
            <g class="tick">
                <line x1={px(left)} x2={px(left + width)} y1={px(yy)} y2={px(yy)} />
                <text x={px(left - 6.0)} y={px(yy + 4.0)}>{ fixed(bytes, 0).to_string() }</text>
            </g>
        }
    });
    html! {
        <figure class="where-chart">
            <svg id="where-chart" viewBox={format!("0 0 {} {}", px(left + width + 8.0), px(top + height + 24.0))}
                role="img" aria-label={format!("offset and size of {} by build", t.path)}>
                { for ticks }
                { for marks }
                { for bars }
            </svg>
            <figcaption class="muted">
                { format!("Byte offset down (0 at the top), size as the bar's length; one column per build ({} builds, catalogue order). Hover a bar for its builds and answer.", l.builds.len()) }
            </figcaption>
        </figure>
    }
}
