//! A layered layout for a program's basic blocks, for the Guarding area's graph.
//!
//! Blocks come in instruction order and BPF jumps mostly go forward, so an edge to a later
//! block is "forward" and one to an earlier block is a loop's back edge. A block's rank
//! (its row) is one below its lowest forward predecessor; a block nobody jumps to forward
//! (a subprogram's entry, code after a poisoned call) starts a row below everything so far.
//! In each row blocks sit under the mean of their predecessors, pushed apart where they
//! would overlap, so a fall-through chain stays a straight column. Forward edges are curves
//! from the bottom of one block to the top of the other; back edges go around the right.
//!
//! Pure and tested natively.

use crate::decimal::fixed;

/// Sizes in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// Width of one monospace character.
    pub char_w: f64,
    /// Height of one text line.
    pub line_h: f64,
    /// Padding inside a block.
    pub pad: f64,
    /// Horizontal gap between blocks.
    pub gap_x: f64,
    /// Vertical gap between rows.
    pub gap_y: f64,
    /// Widest text line, in characters (longer ones are cut).
    pub max_chars: usize,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            char_w: 7.3,
            line_h: 16.0,
            pad: 6.0,
            gap_x: 28.0,
            gap_y: 36.0,
            max_chars: 44,
        }
    }
}

/// A block to place: how many text lines, and its longest line in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// Text lines (a title line is added).
    pub lines: usize,
    /// Longest line.
    pub chars: usize,
}

/// A placed block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
}

/// A drawn edge: an SVG path and where its arrowhead points.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// Source block.
    pub from: usize,
    /// Target block.
    pub to: usize,
    /// SVG path data.
    pub d: String,
    /// A loop's back edge.
    pub back: bool,
}

/// The whole layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// One rectangle per node.
    pub nodes: Vec<Rect>,
    /// One path per edge, in the order given.
    pub edges: Vec<Path>,
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
    /// Row of each node.
    pub ranks: Vec<usize>,
}

const MARGIN: f64 = 12.0;

/// Lays out `nodes` with `edges` (`(from, to)` node indices; out-of-range ones are ignored).
pub fn layout(nodes: &[Node], edges: &[(usize, usize)], m: &Metrics) -> Layout {
    let n = nodes.len();
    let edges: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a < n && b < n)
        .collect();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &edges {
        if a < b {
            preds[b].push(a);
        }
    }
    // Ranks, in one pass: forward predecessors come earlier.
    let mut ranks = vec![0usize; n];
    let mut deepest = 0usize;
    for i in 0..n {
        ranks[i] = match preds[i].iter().map(|&p| ranks[p] + 1).max() {
            Some(r) => r,
            None if i == 0 => 0,
            None => deepest + 1,
        };
        deepest = deepest.max(ranks[i]);
    }
    let rows = if n == 0 { 0 } else { deepest + 1 };
    let size = |nd: &Node| {
        let w = nd.chars.min(m.max_chars) as f64 * m.char_w + 2.0 * m.pad;
        let h = (nd.lines + 1) as f64 * m.line_h + 2.0 * m.pad;
        (w.max(80.0), h)
    };
    let mut rects: Vec<Rect> = nodes
        .iter()
        .map(|nd| {
            let (w, h) = size(nd);
            Rect {
                x: 0.0,
                y: 0.0,
                w,
                h,
            }
        })
        .collect();
    // Rows top to bottom; in each, blocks under their predecessors' mean, no overlaps.
    let mut y = MARGIN;
    for r in 0..rows {
        let mut row: Vec<(f64, usize)> = (0..n)
            .filter(|&i| ranks[i] == r)
            .map(|i| {
                let want = if preds[i].is_empty() {
                    MARGIN + rects[i].w / 2.0
                } else {
                    preds[i].iter().map(|&p| rects[p].cx()).sum::<f64>() / preds[i].len() as f64
                };
                (want, i)
            })
            .collect();
        row.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut right = f64::NEG_INFINITY;
        let mut height: f64 = 0.0;
        for &(want, i) in &row {
            let x = (want - rects[i].w / 2.0).max(right + m.gap_x).max(MARGIN);
            rects[i].x = x;
            rects[i].y = y;
            right = x + rects[i].w;
            height = height.max(rects[i].h);
        }
        y += height + m.gap_y;
    }
    let width = rects.iter().map(|r| r.x + r.w).fold(0.0, f64::max) + MARGIN;
    let height = if n == 0 { 0.0 } else { y - m.gap_y + MARGIN };
    // Back edges loop around the right edge, each a little further out.
    let mut back_lane = 0.0;
    let paths = edges
        .iter()
        .map(|&(a, b)| {
            let (s, t) = (rects[a], rects[b]);
            if a < b {
                let (sx, sy) = (s.cx(), s.y + s.h);
                let (tx, ty) = (t.cx(), t.y);
                let k = ((ty - sy) / 2.0).max(8.0);
                Path {
                    from: a,
                    to: b,
                    d: {
                        let (c1, c2) = (fixed(sy + k, 1), fixed(ty - k, 1));
                        let (sx, sy, tx, ty) =
                            (fixed(sx, 1), fixed(sy, 1), fixed(tx, 1), fixed(ty, 1));
                        format!("M{sx} {sy} C{sx} {c1} {tx} {c2} {tx} {ty}")
                    },
                    back: false,
                }
            } else {
                back_lane += 10.0;
                let out = width + back_lane - MARGIN / 2.0;
                let (sx, sy) = (s.x + s.w, s.y + s.h / 2.0);
                let (tx, ty) = (t.x + t.w, t.y + t.h / 2.0);
                Path {
                    from: a,
                    to: b,
                    d: format!(
                        "M{} {} H{} V{} H{}",
                        fixed(sx, 1),
                        fixed(sy, 1),
                        fixed(out, 1),
                        fixed(ty, 1),
                        fixed(tx, 1)
                    ),
                    back: true,
                }
            }
        })
        .collect();
    Layout {
        nodes: rects,
        edges: paths,
        width: width + back_lane,
        height,
        ranks,
    }
}

#[cfg(test)]
mod tests;
