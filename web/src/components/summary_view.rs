//! What `corelab info` says about the kernel: container, header, kinds, features, and the
//! oldest kernel/libbpf/bpftool that can read it.

use yew::prelude::*;

use crate::decimal::fixed;
use crate::dto::KernelSummary;
use crate::hooks::use_workspace;
use crate::state::LoadTimings;

/// Props of [`SummaryView`].
#[derive(Properties, PartialEq, Debug)]
pub struct SummaryViewProps {
    /// Compact (embed) layout.
    #[prop_or_default]
    pub compact: bool,
}

/// Thousands separated by a thin space, as tables of counts read best.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

fn facts(s: &KernelSummary) -> Html {
    let mut rows = vec![("content", s.content.clone())];
    if !s.layers.is_empty() {
        rows.push(("unpacked from", s.layers.join(" → ")));
    }
    rows.push(("byte order", s.byte_order.clone()));
    rows.push(("BTF size", format!("{} bytes", group(s.btf_bytes))));
    rows.push(("header", s.header.clone()));
    rows.push(("pointer size", s.pointer_size.to_string()));
    if let Some(split) = &s.split {
        rows.push(("split BTF", split.clone()));
    }
    match s.modules.len() {
        0 => {}
        1 => rows.push((
            "module",
            format!(
                "{}: relocation searches the kernel, then this module. Open another module of this kernel to merge it in; pick the kernel again to start without modules.",
                s.modules[0]
            ),
        )),
        _ => rows.push((
            "modules",
            format!(
                "{}: merged as bpftool 7.8 merges modules (bpftool -B VMLINUX btf dump file MOD1 file MOD2 …); relocation searches the kernel, then each module in this order. Pick the kernel again to start without modules.",
                s.modules.join(", "),
            ),
        )),
    }
    rows.push(("types", group(u64::from(s.types))));
    html! {
        <dl class="facts">
            { for rows.into_iter().map(|(k, v)| html! { <><dt>{ k }</dt><dd>{ v }</dd></> }) }
        </dl>
    }
}

fn timing(t: &LoadTimings) -> String {
    format!(
        "loaded in {} ms in this browser: fetch {}, parse {} ms",
        fixed(t.total_ms, 0),
        fixed(t.fetch_ms, 0),
        fixed(t.parse_ms, 0)
    )
}

/// The summary panel.
#[component]
pub fn SummaryView(props: &SummaryViewProps) -> Html {
    let ws = use_workspace();
    let Some(k) = &ws.kernel.kernel else {
        return html! {};
    };
    let s = &*k.summary;
    let max = s.kinds.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    let kinds = s.kinds.iter().map(|c| {
        let pct = fixed(f64::from(c.count) * 100.0 / f64::from(max), 1);
        html! {
            <tr>
                <td class="mono">{ &c.kind }</td>
                <td class="num">{ group(u64::from(c.count)) }</td>
                <td class="bar-cell"><span class="bar" style={format!("width:{pct}%")}></span></td>
            </tr>
        }
    });
    let features = s.features.iter().map(|f| {
        html! {
            <tr>
                <td>{ &f.feature }</td>
                <td class="num">{ &f.kernel }</td>
                <td class="num">{ &f.libbpf }</td>
                <td class="num">{ &f.bpftool }</td>
            </tr>
        }
    });
    let minimum = s.minimum.iter().map(|m| {
        html! {
            <div class="min-row">
                <span class="min-tool">{ &m.tool }</span>
                <span class="min-version mono">{ format!("≥ {}", m.version) }</span>
                <span class="min-why">{ &m.because }</span>
            </div>
        }
    });
    html! {
        <section class={classes!("summary", props.compact.then_some("compact"))} id="summary">
            <header class="panel-head">
                <h1 class="mono">{ &s.label }</h1>
                <span class="muted" id="timing">
                    { timing(&k.timings) }
                </span>
            </header>
            <div class="summary-grid">
                <div class="card">
                    <h2>{ "Readable by" }</h2>
                    <div class="minimum">{ for minimum }</div>
                    <h2>{ "File" }</h2>
                    { facts(s) }
                </div>
                <div class="card">
                    <h2>{ "Types by kind" }</h2>
                    <table class="kinds">
                        <tbody>{ for kinds }</tbody>
                    </table>
                </div>
                <div class="card wide">
                    <h2>{ "Features used, and the first release that reads each" }</h2>
                    <table class="features">
                        <thead><tr><th>{ "feature" }</th><th class="num">{ "kernel" }</th>
                            <th class="num">{ "libbpf" }</th><th class="num">{ "bpftool" }</th></tr></thead>
                        <tbody>{ for features }</tbody>
                    </table>
                </div>
            </div>
        </section>
    }
}
