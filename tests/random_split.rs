//! Random "kernel plus modules" for tests of deduplication: one random BTF
//! ([`crate::random_btf`]) cut into a base and split pieces over it, as compilation units of
//! one program would describe it.
//!
//! The base is the closure of the base integers and a random selection. Each piece is the
//! closure of a few random roots, numbered after the base; pieces overlap (so the merge has
//! duplicates to remove), and each piece also:
//! - sometimes describes a pointed-to struct/union only by a FWD of its name, or a
//!   pointed-to enum by a forward declaration (`enum foo;`), as a unit that never saw the
//!   definition (the merge resolves them);
//! - sometimes carries its own copy of base types (a typedef, a struct, an int), as modules
//!   built without the kernel's BTF would (the merge maps them onto the base).

use corelab::btf::{Btf, Kind, TypeId};
use corelab::btf_write::{word_role, Word};
use corelab::builder::{BtfBuilder, EncodeOptions, RawType};

use crate::random_btf::{random_btf, Rng};

/// A base and the pieces split over it.
#[derive(Debug, Clone)]
pub struct SplitCase {
    /// The base, standalone BTF.
    pub base: Vec<u8>,
    /// Split BTF over `base`.
    pub pieces: Vec<Vec<u8>>,
}

/// How a piece refers to one universe type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Not in the piece.
    Absent,
    /// An own type of the piece, at this id.
    Own(u32),
}

/// The case for `seed`.
pub fn random_split(seed: u64) -> SplitCase {
    let universe = Btf::parse(&random_btf(seed)).expect("random BTF parses");
    let mut r = Rng::new(seed ^ 0x5b1e_7000);
    let n = universe.type_cnt();

    // The base: the integers and a random selection, closed over references.
    let mut in_base = vec![false; n as usize];
    let mut work: Vec<u32> = (1..n.min(7)).collect();
    work.extend((7..n).filter(|_| r.chance(25)));
    while let Some(id) = work.pop() {
        if std::mem::replace(&mut in_base[id as usize], true) {
            continue;
        }
        work.extend(refs(&universe, id).filter(|&t| t != 0));
    }
    let base_ids: Vec<u32> = (1..n).filter(|&i| in_base[i as usize]).collect();
    let mut base_new = vec![0u32; n as usize];
    for (k, &id) in base_ids.iter().enumerate() {
        base_new[id as usize] = k as u32 + 1;
    }
    let mut b = BtfBuilder::new();
    for &id in &base_ids {
        let raw = copy(&universe, id, &mut b, |t| base_new[t as usize]);
        b.push(raw);
    }
    let base_blob = b.encode(&EncodeOptions::default());
    let base = Btf::parse(&base_blob).expect("base parses");

    let pieces = (0..r.range(2, 4))
        .map(|_| piece(&universe, &in_base, &base_new, &base, &mut r))
        .collect();
    SplitCase {
        base: base_blob,
        pieces,
    }
}

/// One piece: the closure of a few roots outside the base.
fn piece(universe: &Btf, in_base: &[bool], base_new: &[u32], base: &Btf, r: &mut Rng) -> Vec<u8> {
    let n = universe.type_cnt();
    let outside: Vec<u32> = (1..n).filter(|&i| !in_base[i as usize]).collect();
    let mut include = vec![false; n as usize];
    // Pointers whose target this piece only declares (a FWD or an enum forward declaration).
    let mut declared_only = vec![false; n as usize];
    let mut work: Vec<u32> = Vec::new();
    for _ in 0..r.range(1, 5) {
        if !outside.is_empty() {
            work.push(r.pick(&outside));
        }
    }
    // Own copies of base types, now and then.
    if r.chance(40) {
        for _ in 0..r.range(1, 3) {
            work.push(r.range(1, n - 1));
        }
    }
    while let Some(id) = work.pop() {
        if std::mem::replace(&mut include[id as usize], true) {
            continue;
        }
        let t = universe.ty(TypeId(id));
        if t.kind() == Kind::PTR {
            let target = universe.ty(t.type_id());
            let declarable = target.is_named()
                && (target.kind().is_composite()
                    || (target.kind() == Kind::ENUM && target.vlen() > 0));
            if declarable && r.chance(30) {
                declared_only[id as usize] = true;
                continue;
            }
        }
        for t in refs(universe, id).filter(|&t| t != 0) {
            // A base type stays in the base unless this piece copies it.
            if !in_base[t as usize] || r.chance(10) {
                work.push(t);
            }
        }
    }
    if !include.contains(&true) {
        // Never empty: bpftool fails to merge a leading piece without types (libbpf's
        // `btf__add_btf` returns ENOMEM when neither it nor the target has a type yet).
        include[r.range(1, n - 1) as usize] = true;
    }
    let start = base.type_cnt();
    let mut slot = vec![Slot::Absent; n as usize];
    let mut next = start;
    for id in 1..n {
        if include[id as usize] {
            slot[id as usize] = Slot::Own(next);
            next += 1;
        }
    }
    let mut b = BtfBuilder::new_split(base);
    // Declarations come after the copied types.
    let mut decls: Vec<(u32, u32)> = Vec::new();
    let mut decl_id = |target: u32| -> u32 {
        if let Some(&(_, d)) = decls.iter().find(|&&(t, _)| t == target) {
            return d;
        }
        let d = next;
        next += 1;
        decls.push((target, d));
        d
    };
    let mut raws = Vec::new();
    for id in (1..n).filter(|&i| include[i as usize]) {
        let raw = if declared_only[id as usize] {
            let target = universe.ty(TypeId(id)).type_id().0;
            let d = decl_id(target);
            let mut raw = copy(universe, id, &mut b, |_| 0);
            raw.size_type = d;
            raw
        } else {
            copy(universe, id, &mut b, |t| match slot[t as usize] {
                Slot::Own(o) => o,
                Slot::Absent => base_new[t as usize],
            })
        };
        raws.push(raw);
    }
    for raw in raws {
        b.push(raw);
    }
    for (target, _) in decls {
        let t = universe.ty(TypeId(target));
        if t.kind() == Kind::ENUM {
            b.add_raw(t.name(), Kind::ENUM, false, 0, 4, vec![]);
        } else {
            b.fwd(t.name(), t.kind() == Kind::UNION);
        }
    }
    b.encode(&EncodeOptions::default())
}

/// The type ids `id` refers to.
fn refs(btf: &Btf, id: u32) -> impl Iterator<Item = u32> + '_ {
    let t = btf.ty(TypeId(id));
    let kind = t.kind();
    t.words()
        .iter()
        .enumerate()
        .filter(move |&(i, _)| word_role(kind, i) == Some(Word::Type))
        .map(|(_, &w)| w)
}

/// Type `id` of `btf` as a record of `b`: names re-added, type ids through `renumber`.
fn copy(btf: &Btf, id: u32, b: &mut BtfBuilder, renumber: impl Fn(u32) -> u32) -> RawType {
    let t = btf.ty(TypeId(id));
    let kind = t.kind();
    let words: Vec<u32> = t
        .words()
        .iter()
        .enumerate()
        .map(|(i, &w)| match word_role(kind, i) {
            Some(Word::Str) => b.add_str(btf.name(w)),
            Some(Word::Type) if w != 0 => renumber(w),
            _ => w,
        })
        .collect();
    RawType {
        name_off: words[0],
        info: words[1],
        size_type: words[2],
        trailer: words[3..].to_vec(),
    }
}
