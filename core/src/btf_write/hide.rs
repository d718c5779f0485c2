//! What-if copies of a BTF: "this kernel without `task_struct.__state`" or "without
//! `struct bpf_dynptr`", for relocating against a kernel that lacks something.
//!
//! Every type keeps its id, so nothing else moves. A hidden type is renamed to
//! `NAME__hidden` (two underscores: not a `___flavor`, so CO-RE's candidate search, which
//! compares essential names, no longer finds it). A hidden member (or enumerator) is dropped
//! from its struct, union or enum; offsets of the others stay. Members of anonymous
//! structs/unions nested in the named type are found as C finds them (`inode.i_atime` when
//! `i_atime` sits in an anonymous union), and dropped from that anonymous type.

use std::collections::{HashMap, HashSet};

use super::{write_edited, Written};
use crate::btf::{Btf, Kind, TypeId};
use crate::error::Result;

use super::WriteOptions;

/// What a hidden type is renamed to: its name plus this.
pub const HIDDEN_SUFFIX: &str = "__hidden";

/// Deepest anonymous nesting searched for a member.
const MAX_ANON_DEPTH: usize = 8;

/// One thing to hide.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Hide {
    /// Every type with this exact name.
    Type(String),
    /// A member (struct/union) or enumerator (enum) of every type named `owner`.
    Member {
        /// The struct, union or enum.
        owner: String,
        /// The member or enumerator.
        member: String,
    },
}

impl Hide {
    /// `task_struct` → a type; `task_struct.__state` → a member. A leading `struct `,
    /// `union ` or `enum ` is ignored. `None` for an empty name.
    pub fn parse(text: &str) -> Option<Hide> {
        let t = text.trim();
        let t = ["struct ", "union ", "enum "]
            .iter()
            .find_map(|k| t.strip_prefix(k))
            .unwrap_or(t)
            .trim();
        match t.split_once('.') {
            Some((o, m)) if !o.trim().is_empty() && !m.trim().is_empty() => Some(Hide::Member {
                owner: o.trim().to_owned(),
                member: m.trim().to_owned(),
            }),
            Some(_) => None,
            None if t.is_empty() => None,
            None => Some(Hide::Type(t.to_owned())),
        }
    }
}

impl std::fmt::Display for Hide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hide::Type(n) => f.write_str(n),
            Hide::Member { owner, member } => write!(f, "{owner}.{member}"),
        }
    }
}

/// The what-if blob and how much each request hid.
#[derive(Debug, Clone)]
pub struct Hidden {
    /// The blob (same ids as the input).
    pub written: Written,
    /// Per request, in order: types renamed or members dropped (0: nothing matched).
    pub hits: Vec<u32>,
}

/// Writes `btf` without the things in `what` (see the module docs). Requests that match
/// nothing are counted as 0 in [`Hidden::hits`], not errors.
///
/// # Errors
///
/// As [`super::write`].
pub fn hide(btf: &Btf, what: &[Hide], opts: &WriteOptions) -> Result<Hidden> {
    let start = btf.start_id();
    let own = |id: TypeId| id.0 >= start.0 && id.0 < btf.type_cnt();
    let mut hits = vec![0u32; what.len()];
    let mut renamed: HashSet<TypeId> = HashSet::new();
    // Element indices to drop, per type.
    let mut dropped: HashMap<TypeId, Vec<u32>> = HashMap::new();
    for (h, req) in what.iter().enumerate() {
        match req {
            Hide::Type(name) => {
                for id in btf.find_by_name(name).filter(|&id| own(id)) {
                    if renamed.insert(id) {
                        hits[h] += 1;
                    }
                }
            }
            Hide::Member { owner, member } => {
                for id in btf.find_by_name(owner).filter(|&id| own(id)) {
                    if let Some((holder, idx)) = find_member(btf, id, member) {
                        if own(holder) {
                            let v = dropped.entry(holder).or_default();
                            if !v.contains(&idx) {
                                v.push(idx);
                                hits[h] += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    let all: Vec<TypeId> = btf.own_ids().collect();
    let written = write_edited(btf, &all, opts, &mut |t, raw, b| {
        let kind = t.kind();
        if renamed.contains(&t.id()) {
            raw.name_off = b.add_str(&format!("{}{HIDDEN_SUFFIX}", t.name()));
        }
        if let Some(gone) = dropped.get(&t.id()) {
            let per = match kind {
                Kind::ENUM => 2,
                _ => 3,
            };
            let mut kept = Vec::with_capacity(raw.trailer.len());
            for (i, elem) in raw.trailer.chunks(per).enumerate() {
                if !gone.contains(&(i as u32)) {
                    kept.extend_from_slice(elem);
                }
            }
            let vlen = (kept.len() / per) as u32;
            raw.trailer = kept;
            raw.info = (raw.info & !0x00ff_ffff) | vlen;
        }
        // A tag on a member keeps pointing at the same member.
        if kind == Kind::DECL_TAG {
            if let (Some(gone), Some(c)) = (dropped.get(&t.type_id()), raw.trailer.first_mut()) {
                let comp = *c as i32;
                if comp >= 0 {
                    let comp = comp as u32;
                    *c = if gone.contains(&comp) {
                        u32::MAX // -1: the whole type
                    } else {
                        comp - gone.iter().filter(|&&g| g < comp).count() as u32
                    };
                }
            }
        }
    })?;
    Ok(Hidden { written, hits })
}

/// The type holding member (or enumerator) `name` of type `id` and its index there: a direct
/// member first, else one of an anonymous struct/union member, breadth first.
fn find_member(btf: &Btf, id: TypeId, name: &str) -> Option<(TypeId, u32)> {
    let t = btf.ty(id);
    if t.kind().is_any_enum() {
        return t
            .enum_values()
            .position(|v| v.name == name)
            .map(|i| (id, i as u32));
    }
    let mut level = vec![id];
    for _ in 0..MAX_ANON_DEPTH {
        let mut next = Vec::new();
        for &holder in &level {
            let h = btf.ty(holder);
            if !h.kind().is_composite() {
                continue;
            }
            for (i, m) in h.members().enumerate() {
                if m.name == name {
                    return Some((holder, i as u32));
                }
                let mt = btf.skip_mods_and_typedefs(m.type_id);
                if m.name.is_empty() && mt.kind().is_composite() && !mt.is_named() {
                    next.push(mt.id());
                }
            }
        }
        if next.is_empty() {
            break;
        }
        level = next;
    }
    None
}

#[cfg(test)]
mod tests;
