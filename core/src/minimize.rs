//! Minimal BTF for a set of objects (the job of `bpftool gen min_core_btf`): the part of a
//! kernel's BTF their CO-RE relocations need, such that relocating against the minimal BTF
//! gives the same outcome and instruction bytes as against the whole kernel (type ids aside:
//! `target_type_id` values follow the renumbering, reported in [`Minimal::id_map`]).
//!
//! What is kept, from each object's relocation against the full target:
//! 1. for every candidate that *matched* a field relocation, the types along its target
//!    spec, with only the members the access path goes through (anonymous members included);
//! 2. for type-based relocations (exists, size, id), the candidate; for `type_matches`, the
//!    whole candidate (every member, recursively, up to pointers);
//! 3. for enum relocations, the enum with only the matched enumerators;
//! 4. for relocations that failed, every candidate whole (the failure must reproduce);
//!
//! and, for everything kept, the types it refers to as *shells*: kind, name, size, kind_flag,
//! but no members or enumerators of their own unless 1–4 keep some. Relocation never looks
//! deeper than that, so nothing else is needed: a non-matching candidate dropped stays
//! non-matching (the path that would match is absent), and candidates that matched anything
//! are all kept, so ambiguity and candidate pruning behave the same.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::btf::{Btf, Kind, TypeId};
use crate::builder::{BtfBuilder, EncodeOptions, RawType};
use crate::bytes::Endian;
use crate::object::Object;
use crate::reloc::{self, Outcome, RelocClass, RelocKind, Spec};

/// How much of a type to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// Kind, name, size and whatever members/enumerators were marked.
    Shell,
    /// Everything, recursively (pointees as shells).
    Full,
}

#[derive(Debug, Default)]
struct Marks {
    level: HashMap<TypeId, Level>,
    members: HashMap<TypeId, BTreeSet<u32>>,
    values: HashMap<TypeId, BTreeSet<u32>>,
}

/// A minimal BTF blob and how its ids relate to the full target's.
#[derive(Debug, Clone)]
pub struct Minimal {
    /// The raw BTF.
    pub bytes: Vec<u8>,
    /// Full-target id → minimal id, for every kept type.
    pub id_map: BTreeMap<TypeId, TypeId>,
    /// Relocation records that went into it.
    pub records: usize,
}

impl Marks {
    fn mark(&mut self, id: TypeId, level: Level) {
        if id.is_void() {
            return;
        }
        let e = self.level.entry(id).or_insert(level);
        *e = (*e).max(level);
    }

    /// Keeps member `i` of the composite `id` (and the composite).
    fn member(&mut self, id: TypeId, i: u32) {
        self.mark(id, Level::Shell);
        self.members.entry(id).or_default().insert(i);
    }

    /// Marks the types along a target spec's raw path: root, and every member or array
    /// step (the chains of typedefs and modifiers in between too).
    fn spec_path(&mut self, btf: &Btf, spec: &Spec<'_>) {
        self.mark(spec.root, Level::Shell);
        match spec.kind.class() {
            RelocClass::EnumVal => {
                let e = btf.skip_mods_and_typedefs(spec.root);
                if let Some(a) = spec.access.first() {
                    self.mark(e.id(), Level::Shell);
                    self.values.entry(e.id()).or_default().insert(a.idx);
                }
                return;
            }
            RelocClass::Type => {
                let level = if spec.kind == RelocKind::TYPE_MATCHES {
                    Level::Full
                } else {
                    Level::Shell
                };
                self.mark(spec.root, level);
                return;
            }
            RelocClass::Field => {}
            _ => return,
        }
        let mut cur = spec.root;
        for &idx in spec.raw.iter().skip(1) {
            let t = btf.skip_mods_and_typedefs(cur);
            match t.kind() {
                Kind::STRUCT | Kind::UNION => {
                    self.member(t.id(), idx);
                    match t.member(idx) {
                        Some(m) => cur = m.type_id,
                        None => return,
                    }
                }
                Kind::ARRAY => {
                    self.mark(t.id(), Level::Shell);
                    cur = t.array().elem;
                }
                _ => return,
            }
        }
        self.mark(cur, Level::Shell);
    }

    /// Everything kept refers only to kept types: close the marks under references.
    fn close(&mut self, btf: &Btf) {
        let mut work: Vec<(TypeId, Level)> = self.level.iter().map(|(&k, &v)| (k, v)).collect();
        let mut done: HashMap<TypeId, Level> = HashMap::new();
        while let Some((id, level)) = work.pop() {
            if done.get(&id).is_some_and(|&d| d >= level) {
                continue;
            }
            done.insert(id, level);
            let t = btf.ty(id);
            let mut refs: Vec<(TypeId, Level)> = Vec::new();
            match t.kind() {
                Kind::STRUCT | Kind::UNION => {
                    let keep = self.members.get(&id);
                    for m in t.members() {
                        if level == Level::Full || keep.is_some_and(|s| s.contains(&m.index)) {
                            refs.push((m.type_id, level));
                        }
                    }
                }
                Kind::PTR => refs.push((t.type_id(), Level::Shell)),
                Kind::ARRAY => {
                    refs.push((t.array().elem, level));
                    refs.push((t.array().index, Level::Shell));
                }
                Kind::FUNC_PROTO => {
                    refs.push((t.type_id(), level));
                    refs.extend(t.params().map(|p| (p.type_id, level)));
                }
                Kind::TYPEDEF
                | Kind::CONST
                | Kind::VOLATILE
                | Kind::RESTRICT
                | Kind::TYPE_TAG
                | Kind::FUNC
                | Kind::VAR => refs.push((t.type_id(), level)),
                _ => {}
            }
            for (to, lvl) in refs {
                if !to.is_void() {
                    self.mark(to, lvl);
                    work.push((to, lvl));
                }
            }
        }
    }
}

/// Collects what the relocations of `obj` need from `target`.
fn collect(marks: &mut Marks, target: &Btf, obj: &Object) -> usize {
    let rel = reloc::relocate_object(obj, target);
    let mut n = 0;
    for r in &rel.records {
        let Some(p) = &r.processed else { continue };
        let Some(res) = &p.resolution else { continue };
        n += 1;
        if let Outcome::Error(..) = r.outcome {
            for &c in p.cands.iter().flatten() {
                marks.mark(c.id, Level::Full);
            }
            continue;
        }
        for trial in res.trials.iter().filter(|t| t.matched) {
            marks.spec_path(target, &trial.spec);
        }
        if let Some(spec) = &res.target_spec {
            marks.spec_path(target, spec);
        }
    }
    n
}

/// Builds the minimal BTF of `target` for `objects`, in byte order `endian`.
pub fn minimize(target: &Btf, objects: &[&Object], endian: Endian) -> Minimal {
    let mut marks = Marks::default();
    let records = objects.iter().map(|o| collect(&mut marks, target, o)).sum();
    marks.close(target);
    let mut kept: Vec<TypeId> = marks.level.keys().copied().collect();
    crate::sorting::sort_by(&mut kept, Ord::cmp);
    let id_map: BTreeMap<TypeId, TypeId> = kept
        .iter()
        .enumerate()
        .map(|(i, &old)| (old, TypeId(i as u32 + 1)))
        .collect();
    let remap = |id: TypeId| {
        if id.is_void() {
            id
        } else {
            id_map.get(&id).copied().unwrap_or(TypeId::VOID)
        }
    };
    let mut b = BtfBuilder::new();
    for &id in &kept {
        let t = target.ty(id);
        let full = marks.level.get(&id) == Some(&Level::Full);
        let name_off = b.add_str(t.name());
        let kind = t.kind();
        let mut trailer = Vec::new();
        let mut vlen = t.vlen();
        let mut size_type = t.size();
        match kind {
            Kind::STRUCT | Kind::UNION => {
                let keep = marks.members.get(&id);
                let ms: Vec<_> = t
                    .members()
                    .filter(|m| full || keep.is_some_and(|k| k.contains(&m.index)))
                    .collect();
                vlen = ms.len() as u32;
                for m in ms {
                    trailer.extend([b.add_str(m.name), remap(m.type_id).0, m.raw_offset]);
                }
            }
            Kind::ENUM | Kind::ENUM64 => {
                let keep = marks.values.get(&id);
                let vs: Vec<_> = t
                    .enum_values()
                    .filter(|v| full || keep.is_some_and(|k| k.contains(&v.index)))
                    .collect();
                vlen = vs.len() as u32;
                for v in vs {
                    trailer.push(b.add_str(v.name));
                    trailer.push(v.lo);
                    if v.is64 {
                        trailer.push(v.hi);
                    }
                }
            }
            Kind::ARRAY => {
                let a = t.array();
                trailer.extend([remap(a.elem).0, remap(a.index).0, a.nelems]);
            }
            Kind::FUNC_PROTO => {
                size_type = remap(t.type_id()).0;
                for p in t.params() {
                    trailer.extend([b.add_str(p.name), remap(p.type_id).0]);
                }
            }
            Kind::INT | Kind::VAR | Kind::DECL_TAG => {
                trailer.extend_from_slice(t.words().get(3..4).unwrap_or(&[]));
                if kind != Kind::INT {
                    size_type = remap(t.type_id()).0;
                }
            }
            k if k.refers_by_type_word() => size_type = remap(t.type_id()).0,
            _ => trailer.extend_from_slice(t.words().get(3..).unwrap_or(&[])),
        }
        let info = (t.info() & 0xff00_0000) | (vlen & 0x00ff_ffff);
        b.push(RawType {
            name_off,
            info,
            size_type,
            trailer,
        });
    }
    let bytes = b.encode(&EncodeOptions {
        endian,
        ..Default::default()
    });
    Minimal {
        bytes,
        id_map,
        records,
    }
}
