//! Minimal BTF for a set of objects (the job of `bpftool gen min_core_btf`): the part of a
//! kernel's BTF their CO-RE relocations need, such that relocating against the minimal BTF
//! gives the same outcome and instruction bytes as against the whole kernel (type ids aside:
//! `target_type_id` values follow the renumbering, reported in [`Minimal::id_map`]). Never
//! larger than bpftool's for the same objects and kernel: it keeps less (bpftool keeps
//! whole enums and every type a kept one refers to).
//!
//! Kernel modules (which bpftool's `min_core_btf` does not handle): against a kernel and its
//! modules ([`minimize_target`]), what the relocations need from each module follows the
//! kernel's types in one BTF, module by module, so that a loader given that one file (libbpf's
//! `btf_custom_path`) finds what it would find on the live kernel — unless a kept module type
//! would become a candidate for a type the kernel already had candidates for
//! ([`Minimal::warnings`]).
//!
//! What is kept, from each object's relocation against the full target:
//! 1. for every candidate that *matched* a field relocation, the types along its target
//!    spec, with only the members the access path goes through (anonymous members included);
//! 2. for type-based relocations (exists, size, id), the candidate; for `type_matches`, the
//!    whole candidate (every member, recursively, up to pointers);
//! 3. for enum relocations, the enum with only the matched enumerators;
//! 4. for relocations that failed, what the failure came from: the matched candidates' paths
//!    (ambiguities, values an instruction does not hold), and whole the candidate whose
//!    matching failed;
//!
//! and, for everything kept, the types it refers to as *shells*: kind, name, size, kind_flag,
//! but no members or enumerators of their own unless 1–4 keep some. What a field relocation
//! reaches keeps no pointee (its pointers point to `void`, as bpftool's): two pointers are
//! always field-compatible. Relocation never looks deeper than that, so nothing else is
//! needed: a non-matching candidate dropped stays non-matching (the path that would match is
//! absent), and candidates that matched anything are all kept, so ambiguity and candidate
//! pruning behave the same.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::btf::{essential_name, Btf, Kind, TypeId};
use crate::builder::{BtfBuilder, EncodeOptions, RawType};
use crate::bytes::Endian;
use crate::libbpf::Libbpf;
use crate::object::Object;
use crate::reloc::{self, Outcome, Phase, RelocClass, RelocKind, Spec, Target};

/// How much of a type to keep (a type reached several ways keeps the most).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// Kind, name, size and whatever members/enumerators were marked; what it refers to
    /// likewise, except through a pointer, which then points to `void`. What a field
    /// relocation reaches: field compatibility takes any two pointers as compatible, so a
    /// pointee never decides a match (bpftool's `follow_pointers = false`).
    Bare,
    /// As [`Level::Bare`], but pointees are kept too: type relocations compare types through
    /// pointers (bpftool's `follow_pointers = true`).
    Shell,
    /// Everything, recursively (pointees as shells).
    Full,
}

/// A type of the target: which BTF (0 = the kernel, `k` = module `k - 1`) and its id there;
/// a module's reference to a kernel type is the kernel's.
type Key = (usize, TypeId);

#[derive(Debug, Default)]
struct Marks {
    level: HashMap<Key, Level>,
    members: HashMap<Key, BTreeSet<u32>>,
    values: HashMap<Key, BTreeSet<u32>>,
}

/// A minimal BTF blob and how its ids relate to the full target's.
#[derive(Debug, Clone)]
pub struct Minimal {
    /// The raw BTF.
    pub bytes: Vec<u8>,
    /// Full-target id → minimal id, for every kept type of the kernel.
    pub id_map: BTreeMap<TypeId, TypeId>,
    /// The same for each module's own types, in the target's module order.
    pub module_id_maps: Vec<BTreeMap<TypeId, TypeId>>,
    /// Relocation records that went into it.
    pub records: usize,
    /// Why relocating against this one file may differ from the live kernel: a kept module
    /// type that the kernel's candidates would then share a name with.
    pub warnings: Vec<String>,
}

/// The BTFs of a target, by [`Key`] source.
struct Sources<'t, 'a> {
    target: &'t Target<'a>,
}

impl<'a> Sources<'_, 'a> {
    fn btf(&self, src: usize) -> &'a Btf {
        match src {
            0 => self.target.vmlinux,
            k => self.target.modules[k - 1].btf,
        }
    }

    /// The source of a BTF the relocation handed out (a candidate's or a spec's).
    fn of(&self, btf: &Btf) -> usize {
        self.target
            .modules
            .iter()
            .position(|m| std::ptr::eq(m.btf, btf))
            .map_or(0, |i| i + 1)
    }

    /// The key of `id` as `src` refers to it (kernel ids below a module's own).
    fn key(&self, src: usize, id: TypeId) -> Key {
        if src > 0 && id < self.btf(src).start_id() {
            (0, id)
        } else {
            (src, id)
        }
    }
}

impl Marks {
    fn mark(&mut self, key: Key, level: Level) {
        if key.1.is_void() {
            return;
        }
        let e = self.level.entry(key).or_insert(level);
        *e = (*e).max(level);
    }

    /// Keeps member `i` of the composite `key` (and the composite).
    fn member(&mut self, key: Key, i: u32) {
        self.mark(key, Level::Bare);
        self.members.entry(key).or_default().insert(i);
    }

    /// Marks the types along a target spec's raw path: root, and every member or array
    /// step (the chains of typedefs and modifiers in between too).
    fn spec_path(&mut self, srcs: &Sources<'_, '_>, spec: &Spec<'_>) {
        let src = srcs.of(spec.btf);
        let btf = spec.btf;
        let key = |id| srcs.key(src, id);
        self.mark(key(spec.root), Level::Bare);
        match spec.kind.class() {
            RelocClass::EnumVal => {
                let e = btf.skip_mods_and_typedefs(spec.root);
                if let Some(a) = spec.access.first() {
                    self.mark(key(e.id()), Level::Bare);
                    self.values.entry(key(e.id())).or_default().insert(a.idx);
                }
                return;
            }
            RelocClass::Type => {
                let level = if spec.kind == RelocKind::TYPE_MATCHES {
                    Level::Full
                } else {
                    Level::Shell
                };
                self.mark(key(spec.root), level);
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
                    self.member(key(t.id()), idx);
                    match t.member(idx) {
                        Some(m) => cur = m.type_id,
                        None => return,
                    }
                }
                Kind::ARRAY => {
                    self.mark(key(t.id()), Level::Bare);
                    cur = t.array().elem;
                }
                _ => return,
            }
        }
        self.mark(key(cur), Level::Bare);
    }

    /// Everything kept refers only to kept types: close the marks under references.
    fn close(&mut self, srcs: &Sources<'_, '_>) {
        let mut work: Vec<(Key, Level)> = self.level.iter().map(|(&k, &v)| (k, v)).collect();
        let mut done: HashMap<Key, Level> = HashMap::new();
        while let Some((key, level)) = work.pop() {
            if done.get(&key).is_some_and(|&d| d >= level) {
                continue;
            }
            done.insert(key, level);
            let t = srcs.btf(key.0).ty(key.1);
            let mut refs: Vec<(TypeId, Level)> = Vec::new();
            match t.kind() {
                Kind::STRUCT | Kind::UNION => {
                    // Members kept for a field's sake need their types as fields do.
                    let keep = self.members.get(&key);
                    for m in t.members() {
                        if level == Level::Full {
                            refs.push((m.type_id, level));
                        } else if keep.is_some_and(|s| s.contains(&m.index)) {
                            refs.push((m.type_id, Level::Bare));
                        }
                    }
                }
                Kind::PTR if level >= Level::Shell => refs.push((t.type_id(), Level::Shell)),
                Kind::PTR => {}
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
                    let to = srcs.key(key.0, to);
                    self.mark(to, lvl);
                    work.push((to, lvl));
                }
            }
        }
    }
}

/// What the relocations of one object need from the target, and the local roots whose
/// candidates came from the kernel (a module type of that name must not join them).
fn collect(
    marks: &mut Marks,
    srcs: &Sources<'_, '_>,
    obj: &Object,
    libbpf: Libbpf,
    kernel_roots: &mut BTreeSet<(String, &'static str)>,
) -> usize {
    let rel = reloc::relocate(obj, srcs.target, libbpf);
    let mut n = 0;
    for r in &rel.records {
        let Some(p) = &r.processed else { continue };
        let Some(res) = &p.resolution else { continue };
        n += 1;
        if let (Some(first), Some(btf)) =
            (p.cands.as_ref().and_then(|c| c.first()), obj.btf.as_ref())
        {
            if first.module.is_none() {
                let t = btf.ty(r.relo.type_id);
                kernel_roots.insert((essential_name(t.name()).to_owned(), kind_class(t.kind())));
            }
        }
        match r.outcome {
            // No target type took part: the record or the local side failed.
            Outcome::Error(Phase::Record | Phase::CandSearch, _) => continue,
            // A candidate whose matching failed (spec too long, work budget) is kept whole
            // so that it fails again; the matched ones decide the rest (ambiguities, values).
            Outcome::Error(Phase::Calc, _) => {
                if let Some(t) = res.trials.last().filter(|t| !t.matched) {
                    let src = srcs.of(t.spec.btf);
                    marks.mark(srcs.key(src, t.id), Level::Full);
                }
            }
            // A patch failure comes from the values, which the matched paths reproduce.
            _ => {}
        }
        for trial in res.trials.iter().filter(|t| t.matched) {
            marks.spec_path(srcs, &trial.spec);
        }
        if let Some(spec) = &res.target_spec {
            marks.spec_path(srcs, spec);
        }
    }
    n
}

/// Kinds that can be each other's candidates share a class (ENUM and ENUM64 mix).
fn kind_class(k: Kind) -> &'static str {
    if k.is_any_enum() {
        "enum"
    } else {
        k.lower_name()
    }
}

/// Builds the minimal BTF of `target` for `objects`, in byte order `endian`, relocating as
/// the default libbpf release does.
pub fn minimize(target: &Btf, objects: &[&Object], endian: Endian) -> Minimal {
    minimize_target(&Target::kernel(target), objects, Libbpf::default(), endian)
}

/// Builds the minimal BTF of a kernel and its modules for `objects`, relocating as libbpf
/// release `libbpf` does: the kernel's kept types, then each module's, renumbered in that
/// order into one BTF (no longer split).
pub fn minimize_target(
    target: &Target<'_>,
    objects: &[&Object],
    libbpf: Libbpf,
    endian: Endian,
) -> Minimal {
    let srcs = Sources { target };
    let mut marks = Marks::default();
    let mut kernel_roots = BTreeSet::new();
    let records = objects
        .iter()
        .map(|o| collect(&mut marks, &srcs, o, libbpf, &mut kernel_roots))
        .sum();
    marks.close(&srcs);
    let mut kept: Vec<Key> = marks.level.keys().copied().collect();
    crate::sorting::sort_by(&mut kept, Ord::cmp);
    let new_ids: BTreeMap<Key, TypeId> = kept
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, TypeId(i as u32 + 1)))
        .collect();
    let mut warnings = Vec::new();
    let mut b = BtfBuilder::new();
    for &key in &kept {
        let remap = |id: TypeId| {
            if id.is_void() {
                id
            } else {
                new_ids
                    .get(&srcs.key(key.0, id))
                    .copied()
                    .unwrap_or(TypeId::VOID)
            }
        };
        let t = srcs.btf(key.0).ty(key.1);
        if key.0 > 0 && t.is_named() {
            let clash = (essential_name(t.name()).to_owned(), kind_class(t.kind()));
            if kernel_roots.contains(&clash) {
                warnings.push(format!(
                    "{} {} of module {} is kept and shares its name with a type relocated against the kernel: in one file it becomes a candidate too",
                    t.kind().lower_name(),
                    t.name(),
                    target.modules[key.0 - 1].name
                ));
            }
        }
        let full = marks.level.get(&key) == Some(&Level::Full);
        let name_off = b.add_str(t.name());
        let kind = t.kind();
        let mut trailer = Vec::new();
        let mut vlen = t.vlen();
        let mut size_type = t.size();
        match kind {
            Kind::STRUCT | Kind::UNION => {
                let keep = marks.members.get(&key);
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
                let keep = marks.values.get(&key);
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
    let mut module_id_maps = vec![BTreeMap::new(); target.modules.len()];
    let mut id_map = BTreeMap::new();
    for (&(src, id), &new) in &new_ids {
        match src {
            0 => id_map.insert(id, new),
            k => module_id_maps[k - 1].insert(id, new),
        };
    }
    Minimal {
        bytes,
        id_map,
        module_id_maps,
        records,
        warnings,
    }
}
