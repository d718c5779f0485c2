//! Struct layouts as pahole prints them: offsets, sizes, bitfields, holes, padding, cache
//! lines (../shared/spec/header-spec.md §9; `pahole -F btf -C NAME FILE`, pahole 1.24).
//!
//! - `model`: what pahole's BTF loader makes of each member (byte offset, size, bitfield
//!   position, inferred `__aligned__`), `class__find_holes`, and its `__packed__` inference.
//! - `print`: the text, with pahole's column layout and statistics block; `types`: how it
//!   names types (and prints anonymous ones inline).
//!
//! Invariants: output depends only on the BTF and the type; nothing recurses on type graph
//! depth except the printing of inline anonymous aggregates, which BTF from a compiler nests
//! a few levels deep and which is capped (see [`MAX_INLINE_DEPTH`]).

mod model;
mod print;
mod types;

#[cfg(test)]
mod tests;

use crate::btf::{Btf, Kind, TypeId};

/// Deepest nesting of inline anonymous aggregates printed.
pub const MAX_INLINE_DEPTH: usize = 64;

/// The struct or union to show for `name`: a type id, or the first struct/union of that name
/// (an optional `struct `/`union ` prefix restricts the kind).
pub fn find(btf: &Btf, name: &str) -> Option<TypeId> {
    let name = name.trim();
    if let Ok(n) = name.parse::<u32>() {
        let t = btf.type_by_id(TypeId(n))?;
        return t.kind().is_composite().then_some(TypeId(n));
    }
    let (kinds, name): (&[Kind], &str) = match name.split_once(' ') {
        Some(("struct", n)) => (&[Kind::STRUCT], n.trim()),
        Some(("union", n)) => (&[Kind::UNION], n.trim()),
        _ => (&[Kind::STRUCT, Kind::UNION], name),
    };
    btf.find_by_name(name)
        .find(|&id| kinds.contains(&btf.ty(id).kind()))
}

/// One named struct or union: its size and its holes, as `pahole --sizes` counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassSize {
    /// The type.
    pub id: TypeId,
    /// Its size in bytes.
    pub size: u32,
    /// Holes between members (pahole's `nr_holes`; a union has none).
    pub holes: u32,
    /// Bytes those holes leave unused (the `sum holes` of pahole's statistics).
    pub hole_bytes: u32,
    /// Bytes of padding at the end.
    pub padding: u32,
}

/// Every named struct and union among `btf`'s own types, in id order: what `pahole --sizes`
/// lists (name, size, holes), with the bytes the holes and the end padding leave unused.
pub fn sizes(btf: &Btf) -> Vec<ClassSize> {
    let mut cache = model::Cache::default();
    btf.own_ids()
        .filter(|&id| {
            let t = btf.ty(id);
            t.kind().is_composite() && t.is_named()
        })
        .map(|id| {
            let c = cache.class(btf, id);
            let hole_bytes =
                c.members.iter().map(|m| u32::from(m.hole)).sum::<u32>() + u32::from(c.pre_hole);
            ClassSize {
                id,
                size: btf.ty(id).size(),
                holes: u32::from(c.nr_holes),
                hole_bytes,
                padding: u32::from(c.padding),
            }
        })
        .collect()
}

/// pahole's layout of struct or union `id` (ending in `;\n`), or `None` if `id` is neither.
pub fn render(btf: &Btf, id: TypeId) -> Option<String> {
    if !btf.type_by_id(id)?.kind().is_composite() {
        return None;
    }
    let mut p = print::Printer::new(btf);
    p.top_level(id);
    Some(p.out)
}
