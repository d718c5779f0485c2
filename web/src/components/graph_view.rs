//! The program as a graph of basic blocks (SVG): dead blocks greyed, poisoned instructions in
//! red, edges the verifier follows solid and the others dashed.

use yew::prelude::*;

use crate::decimal::fixed;
use crate::dto::guard::GuardReport;
use crate::graph::{self, Metrics, Node};
use crate::shared::Shared;

/// Most blocks drawn; bigger programs are read in the listing.
const MAX_BLOCKS: usize = 500;

/// Props of [`GraphView`].
#[derive(Properties, PartialEq, Debug)]
pub struct GraphViewProps {
    /// The guard report (its flow is drawn).
    pub report: Shared<GuardReport>,
}

/// The graph.
#[component]
pub fn GraphView(props: &GraphViewProps) -> Html {
    let Some(f) = &props.report.flow else {
        return html! {};
    };
    if f.blocks.len() > MAX_BLOCKS {
        return html! {
            <p class="muted pad">{ format!("{} basic blocks: too many to draw; the Flow tab lists them.", f.blocks.len()) }</p>
        };
    }
    let m = Metrics::default();
    // Each block's lines: the instructions (LD_IMM64's second slot has no row).
    let block_rows: Vec<Vec<&crate::dto::guard::FlowRow>> = f
        .blocks
        .iter()
        .map(|b| {
            f.rows
                .iter()
                .filter(|r| r.idx >= b.start && r.idx < b.end)
                .collect()
        })
        .collect();
    let label = |r: &crate::dto::guard::FlowRow| format!("{:>3}  {}", r.idx, r.text);
    let nodes: Vec<Node> = block_rows
        .iter()
        .map(|rows| Node {
            lines: rows.len().max(1),
            chars: rows
                .iter()
                .map(|r| label(r).chars().count())
                .max()
                .unwrap_or(8),
        })
        .collect();
    let edges: Vec<(usize, usize)> = f
        .edges
        .iter()
        .map(|e| (e.from as usize, e.to as usize))
        .collect();
    let l = graph::layout(&nodes, &edges, &m);
    let cut = |s: String| {
        if s.chars().count() > m.max_chars {
            let mut t: String = s.chars().take(m.max_chars - 1).collect();
            t.push('…');
            t
        } else {
            s
        }
    };
    let blocks = f.blocks.iter().enumerate().map(|(b, blk)| {
        let r = l.nodes[b];
        let funcs = &f.funcs;
        let func = funcs.get(blk.func as usize).map(|x| x.0.clone()).unwrap_or_default();
        let title = if blk.start as usize == funcs.get(blk.func as usize).map_or(usize::MAX, |x| x.1 as usize) {
            format!("{func} · entry")
        } else {
            format!("block {b} · {}–{}", blk.start, blk.end - 1)
        };
        let lines = block_rows[b].iter().enumerate().map(|(i, row)| {
            let poison = row.poison.and_then(|p| f.poisons.get(p as usize));
            let class = classes!(
                "gline",
                poison.map(|p| if p.reachable { "poison-live" } else { "poison-dead" }),
                row.branch.and_then(|k| f.branches.get(k as usize)).filter(|b| b.decided).map(|_| "decided")
            );
            let y = r.y + m.pad + (i as f64 + 2.0) * m.line_h - 4.0;
            html! { <text {class} x={fixed(r.x + m.pad, 1).to_string()} y={fixed(y, 1).to_string()}>{ cut(label(row)) }</text> }
        });
        html! {
            <g class={classes!("gblock", if blk.live { "live" } else { "dead" })} data-block={b.to_string()}>
                <rect x={fixed(r.x, 1).to_string()} y={fixed(r.y, 1).to_string()} width={fixed(r.w, 1).to_string()}
                    height={fixed(r.h, 1).to_string()} rx="4" />
                <text class="gtitle" x={fixed(r.x + m.pad, 1).to_string()} y={fixed(r.y + m.pad + m.line_h - 4.0, 1).to_string()}>{ title }</text>
                { for lines }
            </g>
        }
    });
    let paths = l.edges.iter().zip(&f.edges).map(|(p, e)| {
        let class = classes!("gedge", format!("e-{}", e.kind), if e.live { "live" } else { "dead" }, p.back.then_some("back"));
        html! { <path {class} d={p.d.clone()} marker-end={if e.live { "url(#gh-live)" } else { "url(#gh-dead)" }} /> }
    });
    let (w, h) = (fixed(l.width.max(200.0), 0), fixed(l.height.max(60.0), 0));
    html! {
        <div class="graph-wrap" id="graph">
            <svg class="graph mono" width={w.to_string()} height={h.to_string()} viewBox={format!("0 0 {w} {h}")}
                role="img" aria-label="Basic blocks of the program">
                <defs>
                    <marker id="gh-live" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
                        <path d="M0 0 L8 4 L0 8 z" class="ah live" />
                    </marker>
                    <marker id="gh-dead" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
                        <path d="M0 0 L8 4 L0 8 z" class="ah dead" />
                    </marker>
                </defs>
                { for paths }
                { for blocks }
            </svg>
            <p class="legend muted small">
                <span class="lg lg-live">{ "reached" }</span>
                <span class="lg lg-dead">{ "dead (removed by the verifier)" }</span>
                <span class="lg lg-poison">{ "reachable poison" }</span>
                <span class="lg lg-edge">{ "— followed · - - never taken" }</span>
            </p>
        </div>
    }
}
