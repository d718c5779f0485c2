//! One struct or union side by side across kernels, with what changed from one kernel to the
//! next (the engine's field history, following renames).

use std::sync::Arc;

use corelab::btf::Btf;
use corelab::diff::{self, Field, TypeClass};

use crate::dto::compare::{CompareCell, CompareRow, CompareTable, CompareType};

/// Compares `name` across `kernels` (label, BTF), in the order given.
pub fn build(kernels: &[(String, Arc<Btf>)], name: &str) -> CompareTable {
    let btfs: Vec<&Btf> = kernels.iter().map(|(_, b)| &**b).collect();
    let h = diff::history(&btfs, name.trim());
    let types = h
        .types
        .iter()
        .map(|t| {
            t.as_ref().map(|t| CompareType {
                id: t.id.0,
                name: t.name.clone(),
                keyword: match t.class {
                    TypeClass::Union => "union",
                    _ => "struct",
                }
                .to_owned(),
                size: t.size,
            })
        })
        .collect::<Vec<_>>();
    let rows = h
        .rows
        .iter()
        .map(|row| {
            let mut cells = Vec::with_capacity(row.cells.len());
            let mut removed = Vec::with_capacity(row.cells.len());
            // The field in the previous kernel that has the type at all.
            let mut prev: Option<Option<&Field>> = None;
            for (k, f) in row.cells.iter().enumerate() {
                if types[k].is_none() {
                    cells.push(None);
                    removed.push(false);
                    continue;
                }
                let changes = match (prev, f) {
                    (Some(None), Some(_)) => vec!["added".to_owned()],
                    (Some(Some(p)), Some(f)) => changes(p, f),
                    _ => Vec::new(),
                };
                removed.push(matches!((prev, f), (Some(Some(_)), None)));
                cells.push(f.as_ref().map(|f| cell(f, changes)));
                prev = Some(f.as_ref());
            }
            CompareRow { cells, removed }
        })
        .collect();
    let replacements = h
        .replacements
        .iter()
        .map(|r| {
            format!(
                "{} → {} (from {})",
                r.old,
                r.by.join(", "),
                kernels.get(r.at).map_or("?", |k| k.0.as_str())
            )
        })
        .collect();
    CompareTable {
        name: h.name,
        kernels: kernels.iter().map(|k| k.0.clone()).collect(),
        types,
        rows,
        replacements,
    }
}

fn changes(p: &Field, f: &Field) -> Vec<String> {
    let mut out = Vec::new();
    if p.path != f.path {
        out.push("renamed".to_owned());
    }
    if p.bit_offset != f.bit_offset {
        out.push("moved".to_owned());
    }
    if p.bit_size != f.bit_size {
        out.push("resized".to_owned());
    }
    if p.ty != f.ty {
        out.push("retyped".to_owned());
    }
    out
}

fn cell(f: &Field, changes: Vec<String>) -> CompareCell {
    let offset = if f.bitfield || !f.bit_offset.is_multiple_of(8) {
        format!("{}:{}", f.bit_offset / 8, f.bit_offset % 8)
    } else {
        (f.bit_offset / 8).to_string()
    };
    let size = if f.bitfield || !f.bit_size.is_multiple_of(8) {
        format!("{} bits", f.bit_size)
    } else {
        (f.bit_size / 8).to_string()
    };
    CompareCell {
        path: f.path.clone(),
        offset,
        size,
        ty: f.ty.clone(),
        changes,
    }
}
