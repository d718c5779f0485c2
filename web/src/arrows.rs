//! Jump arrows beside a listing: each jump gets a lane (a column left of the code) so that
//! arrows in the same lane never overlap; short jumps get the lanes nearest the code.
//!
//! Pure and tested natively; the Guarding view draws the result as SVG.

/// One jump: from row `from` to row `to` (row indices, not instruction indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Jump {
    /// The jumping row.
    pub from: usize,
    /// The target row.
    pub to: usize,
}

/// A jump with its lane (0 = nearest the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrow {
    /// The jump.
    pub jump: Jump,
    /// Its lane.
    pub lane: usize,
}

impl Jump {
    fn span(&self) -> (usize, usize) {
        (self.from.min(self.to), self.from.max(self.to))
    }
}

/// Assigns lanes, at most `max_lanes` (jumps beyond share the outermost lane). Returns the
/// arrows (in the order of `jumps`) and the number of lanes used.
pub fn assign(jumps: &[Jump], max_lanes: usize) -> (Vec<Arrow>, usize) {
    let max_lanes = max_lanes.max(1);
    // Shortest first, so nested jumps sit inside the ones around them.
    let mut order: Vec<usize> = (0..jumps.len()).collect();
    order.sort_by_key(|&i| {
        let (lo, hi) = jumps[i].span();
        (hi - lo, lo)
    });
    // Per lane, the spans it holds.
    let mut lanes: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut lane_of = vec![0usize; jumps.len()];
    for i in order {
        let (lo, hi) = jumps[i].span();
        let free = lanes
            .iter()
            .position(|spans| spans.iter().all(|&(a, b)| hi < a || lo > b));
        let lane = match free {
            Some(l) => l,
            None if lanes.len() < max_lanes => {
                lanes.push(Vec::new());
                lanes.len() - 1
            }
            None => max_lanes - 1,
        };
        lanes[lane].push((lo, hi));
        lane_of[i] = lane;
    }
    let arrows = jumps
        .iter()
        .zip(lane_of)
        .map(|(&jump, lane)| Arrow { jump, lane })
        .collect();
    (arrows, lanes.len())
}

#[cfg(test)]
mod tests;
