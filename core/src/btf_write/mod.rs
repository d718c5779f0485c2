//! The BTF writer: encode a parsed [`Btf`], or a selection of its types with their ids
//! renumbered, back into a raw blob — either byte order, with or without the 2026 layout
//! section, with a deduplicated string section.
//!
//! It is the inverse of [`Btf::parse`]: reading what [`write()`] produced gives the same types
//! under the same ids, field for field (names compare equal; string offsets are renumbered
//! because the string section is rebuilt). Split BTF is written as split BTF over the same
//! base: base ids and base string offsets are kept as they are.
//!
//! Records are copied word by word; [`roles`](record_roles) says which words are string
//! offsets and which are type ids, so that [`write_selected()`] can renumber them (minimal BTF
//! keeps a subset of a kernel's types). Encoding itself is [`BtfBuilder::encode`].
//!
//! [`hide()`] writes a what-if copy: the same types under the same ids, minus chosen types
//! (renamed out of reach) or struct/union members and enumerators (dropped).

mod hide;
mod roles;

use crate::btf::{Btf, Kind, KindLayout, Type, TypeId};
use crate::builder::{BtfBuilder, EncodeOptions, RawType};
use crate::bytes::Endian;
use crate::error::{Error, ErrorKind, Result};

pub use hide::{hide, Hidden, Hide, HIDDEN_SUFFIX};
pub use roles::{record_roles, referenced_ids, word_role, Word};

/// How to write a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Byte order of the output.
    pub endian: Endian,
    /// Write the 32-byte header and a kind layout section (Linux 7.1 / libbpf 1.8 format).
    pub layout_section: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            endian: Endian::Little,
            layout_section: false,
        }
    }
}

impl WriteOptions {
    /// The byte order and layout-section choice of `btf` itself.
    pub fn like(btf: &Btf) -> Self {
        WriteOptions {
            endian: btf.endian(),
            layout_section: btf.layout().is_some(),
        }
    }
}

/// Where each selected type went: old id → new id. Ids below the blob's first own id (void,
/// and the base's types for split BTF) map to themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdMap {
    start: u32,
    /// New id of each own old id (indexed by `old - start`), 0 when the type was dropped.
    new: Vec<u32>,
}

impl IdMap {
    /// The new id of `old`, or `None` if it was not written.
    pub fn get(&self, old: TypeId) -> Option<TypeId> {
        if old.0 < self.start {
            return Some(old);
        }
        match self.new.get((old.0 - self.start) as usize) {
            Some(&n) if n != 0 => Some(TypeId(n)),
            _ => None,
        }
    }

    /// Whether every written type kept its id.
    pub fn is_identity(&self) -> bool {
        self.new
            .iter()
            .enumerate()
            .all(|(i, &n)| n == 0 || n == self.start + i as u32)
    }
}

/// A written blob and where each type went.
#[derive(Debug, Clone)]
pub struct Written {
    /// The raw blob.
    pub bytes: Vec<u8>,
    /// Old id → new id.
    pub ids: IdMap,
}

/// Writes every own type of `btf` under its own id.
///
/// # Errors
///
/// A type of a kind this engine does not know (read through a layout section) needs a layout
/// section in the output, or in the base of split BTF.
pub fn write(btf: &Btf, opts: &WriteOptions) -> Result<Vec<u8>> {
    let all: Vec<TypeId> = btf.own_ids().collect();
    write_selected(btf, &all, opts).map(|w| w.bytes)
}

/// Writes the own types `keep` of `btf` (any order, duplicates ignored), renumbered densely in
/// id order from the blob's first own id. Split BTF stays split over the same base.
///
/// # Errors
///
/// - an id in `keep` that is not one of `btf`'s own types;
/// - a kept type that refers to an own type that is not kept (see [`closure`]);
/// - a kept type of an unknown kind when ids change (its words are opaque), or when neither
///   the output nor the base has a layout section to describe it.
pub fn write_selected(btf: &Btf, keep: &[TypeId], opts: &WriteOptions) -> Result<Written> {
    write_edited(btf, keep, opts, &mut |_, _, _| {})
}

/// [`write_selected`] with a hook that may change each copied record (ids already
/// renumbered) before it is added: how [`hide()`] renames types and drops members.
fn write_edited(
    btf: &Btf,
    keep: &[TypeId],
    opts: &WriteOptions,
    edit: &mut dyn FnMut(&Type<'_>, &mut RawType, &mut BtfBuilder),
) -> Result<Written> {
    let start = btf.start_id().0;
    let mut new = vec![0u32; btf.own_type_count() as usize];
    for &id in keep {
        match id
            .0
            .checked_sub(start)
            .and_then(|i| new.get_mut(i as usize))
        {
            Some(slot) => *slot = 1,
            None => {
                return Err(unsupported(format!(
                    "type [{id}] is not one of this BTF's own types"
                )))
            }
        }
    }
    for (next, slot) in (start..).zip(new.iter_mut().filter(|s| **s != 0)) {
        *slot = next;
    }
    let ids = IdMap { start, new };
    let identity = ids.is_identity();

    let mut b = match btf.base() {
        Some(base) => BtfBuilder::new_split(base),
        None => BtfBuilder::new(),
    };
    let mut unknown_kinds: Vec<Kind> = Vec::new();
    for id in btf.own_ids().filter(|&id| ids.get(id).is_some()) {
        let t = btf.ty(id);
        if record_roles(t.kind()).is_none() {
            if !identity {
                return Err(unsupported(format!(
                    "type [{id}] is of unknown kind {}: its type references cannot be renumbered",
                    t.kind().0
                )));
            }
            if !unknown_kinds.contains(&t.kind()) {
                unknown_kinds.push(t.kind());
            }
        }
        let mut raw = copy_record(btf, &t, &ids, &mut b)?;
        edit(&t, &mut raw, &mut b);
        b.push(raw);
    }
    let extra_layouts = layouts_for(btf, &unknown_kinds, opts)?;
    let bytes = b.encode(&EncodeOptions {
        endian: opts.endian,
        layout_section: opts.layout_section,
        extra_layouts,
    });
    Ok(Written { bytes, ids })
}

/// The own ids reachable from `roots` by following type references (members, targets,
/// elements, parameters, DATASEC entries), `roots` included, in id order. Base ids are not
/// followed (they stay in the base); base ids among `roots` are skipped.
///
/// # Errors
///
/// A reachable type of an unknown kind: its references are opaque.
pub fn closure(btf: &Btf, roots: &[TypeId]) -> Result<Vec<TypeId>> {
    let start = btf.start_id().0;
    let own = |id: TypeId| id.0 >= start && id.0 < btf.type_cnt();
    let mut seen = vec![false; btf.own_type_count() as usize];
    let mut work: Vec<TypeId> = Vec::new();
    for &r in roots {
        if r.0 < start {
            continue;
        }
        if !own(r) {
            return Err(unsupported(format!("type [{r}] is out of range")));
        }
        if !std::mem::replace(&mut seen[(r.0 - start) as usize], true) {
            work.push(r);
        }
    }
    while let Some(id) = work.pop() {
        let t = btf.ty(id);
        if record_roles(t.kind()).is_none() {
            return Err(unsupported(format!(
                "type [{id}] is of unknown kind {}: its references are opaque",
                t.kind().0
            )));
        }
        for r in referenced_ids(&t).filter(|&r| own(r)) {
            if !std::mem::replace(&mut seen[(r.0 - start) as usize], true) {
                work.push(r);
            }
        }
    }
    Ok(seen
        .iter()
        .enumerate()
        .filter(|&(_, &s)| s)
        .map(|(i, _)| TypeId(start + i as u32))
        .collect())
}

/// One record with its string offsets re-added to `b` and its type ids renumbered.
fn copy_record(btf: &Btf, t: &Type<'_>, ids: &IdMap, b: &mut BtfBuilder) -> Result<RawType> {
    let kind = t.kind();
    let mut words = Vec::with_capacity(t.words().len());
    for (i, &w) in t.words().iter().enumerate() {
        words.push(match word_role(kind, i) {
            Some(Word::Str) => copy_str(btf, w, b),
            Some(Word::Type) => match ids.get(TypeId(w)) {
                Some(n) => n.0,
                None => {
                    return Err(unsupported(format!(
                        "type [{}] refers to type [{w}], which is not selected",
                        t.id()
                    )))
                }
            },
            Some(Word::Data) | None => w,
        });
    }
    let mut words = words.into_iter();
    let mut next = || words.next().unwrap_or(0);
    Ok(RawType {
        name_off: next(),
        info: next(),
        size_type: next(),
        trailer: words.collect(),
    })
}

/// The offset of string `off` of `btf` in the output: base strings keep their offset, own
/// strings are added (deduplicated) to the new string section.
fn copy_str(btf: &Btf, off: u32, b: &mut BtfBuilder) -> u32 {
    if off < btf.start_str_off() {
        return off;
    }
    b.add_str(btf.name(off))
}

/// Layout entries for the unknown kinds written, from the source's layout section (or its
/// base's).
fn layouts_for(btf: &Btf, kinds: &[Kind], opts: &WriteOptions) -> Result<Vec<(u8, KindLayout)>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let base_layout = btf.base().and_then(|b| b.layout());
    if !opts.layout_section && base_layout.is_some() {
        return Ok(Vec::new());
    }
    let source = btf.layout().or(base_layout);
    let mut out = Vec::new();
    for &k in kinds {
        match (
            opts.layout_section,
            source.and_then(|l| l.get(k.0 as usize)),
        ) {
            (true, Some(&l)) => out.push((k.0, l)),
            _ => {
                return Err(unsupported(format!(
                    "kind {} is unknown to readers without a layout section: write one",
                    k.0
                )))
            }
        }
    }
    Ok(out)
}

fn unsupported(msg: String) -> Error {
    Error::unpositioned(ErrorKind::Unsupported(msg))
}

#[cfg(test)]
mod tests;
