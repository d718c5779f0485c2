//! One struct or union across several BTFs: a table of fields × BTFs.
//!
//! Consecutive versions are paired as the diff pairs them ([`super::compare::pair_fields`]),
//! so a row follows a field through renames (`state` → `__state`); a field missing from one
//! version continues its row when it comes back under the same name. A field that only a
//! later BTF has gets a new row, placed after the row of the field it follows in that BTF. Where
//! several same-named types exist, the first BTF's exact-name type with the lowest id is
//! followed, then in each later BTF the candidate most similar to the previous one.

use std::collections::HashMap;

use crate::btf::{essential_name, Btf, TypeId};

use super::compare::{pair_fields, Shape};
use super::fields::{fields_of, Field};
use super::TypeClass;

/// The table built by [`history`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The name asked for.
    pub name: String,
    /// Per BTF (in the order given): the type followed, or `None` where there is none.
    pub types: Vec<Option<HistoryType>>,
    /// The fields, one row per field lineage; each row has one cell per BTF.
    pub rows: Vec<HistoryRow>,
    /// Fields that ended where new fields named after them began (not followed as renames).
    pub replacements: Vec<Replacement>,
}

/// An old field gone in one BTF, with new fields whose names extend its name
/// (`i_atime` → `i_atime_sec`, `i_atime_nsec`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// The index of the BTF where the new fields appear.
    pub at: usize,
    /// The old field's path.
    pub old: String,
    /// The new fields' paths.
    pub by: Vec<String>,
}

/// The type followed in one BTF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryType {
    /// Its id.
    pub id: TypeId,
    /// Struct or union.
    pub class: TypeClass,
    /// Its full name.
    pub name: String,
    /// Its size in bytes.
    pub size: u32,
}

/// One field through the BTFs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The field in each BTF, `None` where absent.
    pub cells: Vec<Option<Field>>,
}

impl HistoryRow {
    /// The names the field had, in order, each once.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in self.cells.iter().flatten() {
            if out.last() != Some(&f.path.as_str()) && !out.contains(&f.path.as_str()) {
                out.push(&f.path);
            }
        }
        out
    }
}

/// Where a new row goes: at the start, or after an existing row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Anchor {
    Start,
    After(usize),
}

/// The fields of the struct or union `name` (essential name) in each of `btfs`.
pub fn history(btfs: &[&Btf], name: &str) -> History {
    let ess = essential_name(name);
    let n = btfs.len();
    let mut types = Vec::with_capacity(n);
    // Rows by creation (row ids are stable), and the display order of row ids.
    let mut rows: Vec<HistoryRow> = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    // The previous version's fields and the row of each.
    let mut prev: Option<(Vec<Field>, Vec<usize>)> = None;
    let mut replacements = Vec::new();
    // The row each name was last seen in.
    let mut last_row_named: HashMap<String, usize> = HashMap::new();
    for (k, btf) in btfs.iter().enumerate() {
        let Some(id) = choose(btf, name, ess, prev.as_ref().map(|p| p.0.as_slice())) else {
            types.push(None);
            continue;
        };
        let t = btf.ty(id);
        types.push(Some(HistoryType {
            id,
            class: TypeClass::of(t.kind()).unwrap_or(TypeClass::Struct),
            name: t.name().to_owned(),
            size: t.size(),
        }));
        let fields = fields_of(btf, &t);
        let mut row_of: Vec<Option<usize>> = vec![None; fields.len()];
        if let Some((prev_fields, prev_rows)) = &prev {
            let pairs = pair_fields(prev_fields, &fields);
            for (i, j, _) in pairs.pairs {
                row_of[j] = Some(prev_rows[i]);
            }
            for (i, by) in pairs.replaced {
                replacements.push(Replacement {
                    at: k,
                    old: prev_fields[i].path.clone(),
                    by: by.iter().map(|&j| fields[j].path.clone()).collect(),
                });
            }
        }
        let mut inserts: HashMap<Anchor, Vec<usize>> = HashMap::new();
        let mut anchor = Anchor::Start;
        for (j, f) in fields.iter().enumerate() {
            // A field absent from the previous version continues the row last seen under its
            // name (fields missing on one architecture come back on the next).
            let dormant = last_row_named
                .get(f.path.as_str())
                .copied()
                .filter(|&r: &usize| rows[r].cells[k].is_none());
            let r = match row_of[j].or(dormant) {
                Some(r) => r,
                None => {
                    let r = rows.len();
                    rows.push(HistoryRow {
                        cells: vec![None; n],
                    });
                    inserts.entry(anchor).or_default().push(r);
                    row_of[j] = Some(r);
                    r
                }
            };
            rows[r].cells[k] = Some(f.clone());
            last_row_named.insert(f.path.clone(), r);
            anchor = Anchor::After(r);
        }
        order = merge_order(&order, &inserts);
        let rows_of_fields = row_of.into_iter().map(|r| r.unwrap_or(0)).collect();
        prev = Some((fields, rows_of_fields));
    }
    let mut slots: Vec<Option<HistoryRow>> = rows.into_iter().map(Some).collect();
    History {
        name: name.to_owned(),
        types,
        rows: order
            .into_iter()
            .filter_map(|r| slots.get_mut(r).and_then(Option::take))
            .collect(),
        replacements,
    }
}

/// `order` with each anchor's new rows placed after it.
fn merge_order(order: &[usize], inserts: &HashMap<Anchor, Vec<usize>>) -> Vec<usize> {
    let mut out = Vec::with_capacity(order.len() + inserts.values().map(Vec::len).sum::<usize>());
    emit_after(Anchor::Start, inserts, &mut out);
    for &r in order {
        out.push(r);
        emit_after(Anchor::After(r), inserts, &mut out);
    }
    out
}

/// The rows inserted at `anchor`, each followed by the rows inserted after it (depth first,
/// with an explicit stack).
fn emit_after(anchor: Anchor, inserts: &HashMap<Anchor, Vec<usize>>, out: &mut Vec<usize>) {
    let mut stack: Vec<usize> = inserts
        .get(&anchor)
        .map(|v| v.iter().rev().copied().collect())
        .unwrap_or_default();
    while let Some(r) = stack.pop() {
        out.push(r);
        if let Some(v) = inserts.get(&Anchor::After(r)) {
            stack.extend(v.iter().rev());
        }
    }
}

/// The struct or union to follow in `btf`: without a previous version, the exact name with the
/// lowest id (else the lowest id); with one, the most similar candidate (exact name first).
fn choose(btf: &Btf, name: &str, ess: &str, prev: Option<&[Field]>) -> Option<TypeId> {
    let cands: Vec<TypeId> = btf
        .find_by_essential_name(ess)
        .filter(|&id| btf.ty(id).kind().is_composite())
        .collect();
    let exact = |id: TypeId| btf.ty(id).name() == name;
    match prev {
        None => cands.iter().copied().min_by_key(|&id| (!exact(id), id)),
        Some(prev) => {
            let prev = Shape::Composite {
                size: 0,
                fields: prev.to_vec(),
            };
            cands
                .iter()
                .copied()
                .map(|id| ((exact(id), prev.similarity(&Shape::of(btf, id))), id))
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
                .map(|(_, id)| id)
        }
    }
}
