//! The Layout tab's list: every named struct and union of a kernel with its size and holes
//! (what `pahole --sizes` lists), so that the list beside a layout holds only what has one,
//! and the wasteful structs can be found by their holes.
//!
//! This view is ARCHITECTURE.md's worked example of adding one: this query (key, answer,
//! how the engine computes it), `components/struct_list.rs`, and its line in
//! `views::queries!` (where the Layout tab shows the component).

use serde::{Deserialize, Serialize};

use super::kernel::kernel;
use super::{Payload, Query};
use crate::session::Session;
use crate::state::Workspace;

/// The question: the structs and unions of the kernel in `slot`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct StructsQuery {
    /// The kernel.
    pub slot: u32,
}

/// One struct or union.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct StructRow {
    /// Type id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// A union (else a struct).
    pub union: bool,
    /// Size in bytes.
    pub size: u32,
    /// Holes between members.
    pub holes: u32,
    /// Bytes the holes and the end padding leave unused.
    pub wasted: u32,
}

/// The answer: the rows in id order.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct StructTable {
    /// Every named struct and union.
    pub rows: Vec<StructRow>,
}

/// The orders the list can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// By name.
    Name,
    /// Biggest first.
    Size,
    /// Most holes first.
    Holes,
    /// Most bytes unused first.
    Wasted,
}

impl Order {
    /// Every order, in the switch's order.
    pub const ALL: [Order; 4] = [Order::Name, Order::Size, Order::Holes, Order::Wasted];

    /// Its name on the switch.
    pub fn label(self) -> &'static str {
        match self {
            Order::Name => "name",
            Order::Size => "size",
            Order::Holes => "holes",
            Order::Wasted => "wasted",
        }
    }
}

impl StructTable {
    /// The rows whose name contains `filter` (ignoring ASCII case), in `order` (ties in id
    /// order).
    pub fn select(&self, filter: &str, order: Order) -> Vec<u32> {
        let filter = filter.trim().to_ascii_lowercase();
        let mut out: Vec<u32> = (0..self.rows.len() as u32)
            .filter(|&i| {
                filter.is_empty()
                    || self.rows[i as usize]
                        .name
                        .to_ascii_lowercase()
                        .contains(&filter)
            })
            .collect();
        let row = |i: &u32| &self.rows[*i as usize];
        match order {
            Order::Name => out.sort_by(|a, b| row(a).name.cmp(&row(b).name)),
            Order::Size => out.sort_by_key(|i| std::cmp::Reverse(row(i).size)),
            Order::Holes => out.sort_by_key(|i| std::cmp::Reverse(row(i).holes)),
            Order::Wasted => out.sort_by_key(|i| std::cmp::Reverse(row(i).wasted)),
        }
        out
    }
}

impl StructsQuery {
    /// The active kernel's.
    pub fn of(w: &Workspace) -> Option<StructsQuery> {
        Some(StructsQuery {
            slot: w.kernel.slot()?,
        })
    }
}

impl Query for StructsQuery {
    type Reply = StructTable;
    const KEEP: usize = 2;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(StructTable)) -> Result<StructTable, String> {
        let btf = kernel(s, self.slot)?.btf();
        let rows = corelab::layout::sizes(btf)
            .into_iter()
            .map(|c| {
                let t = btf.ty(c.id);
                StructRow {
                    id: c.id.0,
                    name: t.name().to_owned(),
                    union: t.kind() == corelab::btf::Kind::UNION,
                    size: c.size,
                    holes: c.holes,
                    wasted: c.hole_bytes + c.padding,
                }
            })
            .collect();
        Ok(StructTable { rows })
    }
}

impl Payload for StructTable {}
