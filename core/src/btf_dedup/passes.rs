//! The passes of `btf__dedup`, in libbpf's order, over the canonical map.
//!
//! `map[id]` is the canonical id a type was mapped to (itself when canonical), or
//! [`UNPROCESSED`]; following it from any id ends at a canonical type ([`Dedup::resolve`]).
//! Each pass walks the appended types in id order and asks the candidate table for types
//! with the same signature; the first candidate the pass's rule accepts wins.

use super::cands::CandTable;
use super::shape::{self, kind};
use super::store::Store;
use super::strings::FnvMap;
use super::{DedupError, Limits};
use crate::btf::Kind;

/// Not mapped yet.
pub(super) const UNPROCESSED: u32 = u32::MAX;
/// A reference type whose targets are being resolved (seeing it again is a loop).
const IN_PROGRESS: u32 = u32::MAX - 1;
/// libbpf's `BTF_MAX_NR_TYPES`: map values above it are markers, not ids.
pub(super) const MAX_NR_TYPES: u32 = 0x7fff_ffff;

/// An equality rule between two records.
type Rule = fn(&[u32], &[u32]) -> bool;

/// Steps of work spent against a limit.
pub(super) struct Budget {
    pub used: u64,
    max: u64,
}

impl Budget {
    #[inline]
    pub(super) fn spend(&mut self, n: u64) -> Result<(), DedupError> {
        self.used += n;
        if self.used > self.max {
            return Err(DedupError::WorkLimit { max_work: self.max });
        }
        Ok(())
    }
}

/// The state of one deduplication.
pub(super) struct Dedup<'a> {
    pub s: Store<'a>,
    pub map: Vec<u32>,
    /// Hypothetical mapping of one graph comparison: canonical-side id → candidate-side id.
    pub hypot_map: Vec<u32>,
    /// The ids set in `hypot_map`, in the order they were set.
    pub hypot_list: Vec<u32>,
    /// The comparison would have to resolve a base FWD: equivalent only for FWD resolution.
    pub hypot_adjust_canon: bool,
    pub table: CandTable,
    pub budget: Budget,
    /// The graph walk's pending pairs (kept to reuse the allocation).
    pub equiv_stack: Vec<(u32, u32)>,
}

/// What entering a reference type gave.
enum Entered {
    /// Already mapped: its canonical id.
    Done(u32),
    /// Now in progress: its targets come next.
    Pushed,
}

impl<'a> Dedup<'a> {
    pub(super) fn new(s: Store<'a>, limits: &Limits) -> Self {
        let cnt = s.type_cnt() as usize;
        let mut map = vec![UNPROCESSED; cnt];
        if let Some(m) = map.first_mut() {
            *m = 0;
        }
        // VAR and DATASEC are never deduplicated: each is its own canonical type.
        for id in s.start..s.type_cnt() {
            if matches!(s.kind_of(id), Kind::VAR | Kind::DATASEC) {
                map[id as usize] = id;
            }
        }
        let mut table = CandTable::default();
        table.reserve(cnt);
        Dedup {
            s,
            map,
            hypot_map: vec![UNPROCESSED; cnt],
            hypot_list: Vec::new(),
            hypot_adjust_canon: false,
            table,
            budget: Budget {
                used: 0,
                max: limits.max_work,
            },
            equiv_stack: Vec::new(),
        }
    }

    /// Every pass, in libbpf's order (strings were keyed when the types were appended).
    pub(super) fn run(&mut self) -> Result<(), DedupError> {
        self.index_base()?;
        let own = self.s.start..self.s.type_cnt();
        for id in own.clone() {
            self.prim_type(id)?;
        }
        for id in own.clone() {
            self.struct_type(id)?;
        }
        self.resolve_fwds()?;
        for id in own {
            self.ref_type(id)?;
        }
        Ok(())
    }

    /// The canonical id `id` maps to (libbpf's `resolve_type_id`).
    #[inline]
    pub(super) fn resolve(&mut self, mut id: u32) -> Result<u32, DedupError> {
        loop {
            let m = self.map[id as usize];
            if m > MAX_NR_TYPES || m == id {
                return Ok(id);
            }
            self.budget.spend(1)?;
            id = m;
        }
    }

    pub(super) fn is_mapped(&self, id: u32) -> bool {
        self.map[id as usize] <= MAX_NR_TYPES
    }

    /// Base types are canonical by definition and candidates from the start
    /// (`btf_dedup_prep`).
    fn index_base(&mut self) -> Result<(), DedupError> {
        for id in 1..self.s.start {
            self.map[id as usize] = id;
            let r = self.s.rec(id);
            let h = match kind(r) {
                Kind::VAR | Kind::DATASEC => continue,
                Kind::CONST
                | Kind::VOLATILE
                | Kind::RESTRICT
                | Kind::PTR
                | Kind::FWD
                | Kind::FUNC
                | Kind::FLOAT
                | Kind::TYPE_TAG => shape::hash_common(r),
                Kind::TYPEDEF => shape::hash_typedef(r),
                Kind::INT | Kind::DECL_TAG => shape::hash_int_tag(r),
                Kind::ENUM | Kind::ENUM64 => shape::hash_enum(r),
                Kind::STRUCT | Kind::UNION => shape::hash_struct(r),
                Kind::ARRAY => shape::hash_array(r),
                Kind::FUNC_PROTO => shape::hash_fnproto(r),
                _ => return Err(self.s.unsupported(id, "in the base")),
            };
            self.budget.spend(1)?;
            self.table.add(h, id);
        }
        Ok(())
    }

    /// INT, FLOAT, FWD and enums: nothing they refer to, so plain equality
    /// (`btf_dedup_prim_type`). A full enum takes over the canonical forward declarations of
    /// its name it meets before an equal enum; a forward declaration joins the first enum of
    /// its name.
    fn prim_type(&mut self, id: u32) -> Result<(), DedupError> {
        let t = self.s.rec(id);
        let k = kind(t);
        let (h, equal): (u64, Rule) = match k {
            Kind::INT => (shape::hash_int_tag(t), shape::equal_record),
            Kind::FWD | Kind::FLOAT => (shape::hash_common(t), shape::equal_common),
            Kind::ENUM | Kind::ENUM64 => (shape::hash_enum(t), shape::equal_record),
            Kind::CONST
            | Kind::VOLATILE
            | Kind::RESTRICT
            | Kind::PTR
            | Kind::TYPEDEF
            | Kind::ARRAY
            | Kind::STRUCT
            | Kind::UNION
            | Kind::FUNC
            | Kind::FUNC_PROTO
            | Kind::VAR
            | Kind::DATASEC
            | Kind::DECL_TAG
            | Kind::TYPE_TAG => return Ok(()),
            _ => return Err(self.s.unsupported(id, "as a primitive type")),
        };
        let is_enum = k.is_any_enum();
        let t_fwd = shape::is_enum_fwd(t);
        let mut new_id = id;
        let mut c = self.table.first(h);
        while let Some(cand) = self.table.next(&mut c) {
            self.budget.spend(1)?;
            let ct = self.s.rec(cand);
            if equal(t, ct) {
                new_id = cand;
                break;
            }
            if is_enum && shape::compat_enum(t, ct) {
                if t_fwd {
                    new_id = cand;
                    break;
                }
                self.map[cand as usize] = id;
            }
        }
        self.map[id as usize] = new_id;
        if new_id == id {
            self.table.add(h, id);
        }
        Ok(())
    }

    /// Structs, unions and typedefs: the first candidate whose type graph is equivalent
    /// (`btf_dedup_struct_type`).
    fn struct_type(&mut self, id: u32) -> Result<(), DedupError> {
        if self.is_mapped(id) {
            return Ok(());
        }
        let t = self.s.rec(id);
        let k = kind(t);
        let (h, equal): (u64, Rule) = match k {
            Kind::STRUCT | Kind::UNION => (shape::hash_struct(t), shape::shallow_equal_struct),
            Kind::TYPEDEF => (shape::hash_typedef(t), shape::equal_typedef),
            _ => return Ok(()),
        };
        let mut new_id = id;
        let mut c = self.table.first(h);
        while let Some(cand) = self.table.next(&mut c) {
            self.budget.spend(1)?;
            // Guards against a FWD sharing the signature by collision (FWD ≡ STRUCT in the
            // graph walk would make a loop).
            if !equal(self.s.rec(id), self.s.rec(cand)) {
                continue;
            }
            self.clear_hypot_map();
            if !self.is_equiv(id, cand)? {
                continue;
            }
            self.merge_hypot_map()?;
            if self.hypot_adjust_canon {
                continue;
            }
            new_id = cand;
            break;
        }
        self.map[id as usize] = new_id;
        if new_id == id {
            self.table.add(h, id);
        }
        Ok(())
    }

    /// A FWD still canonical after the graph walks resolves to the canonical struct or union
    /// of its name, if exactly one has it and its kind matches (`btf_dedup_resolve_fwds`).
    fn resolve_fwds(&mut self) -> Result<(), DedupError> {
        // Name → the only canonical struct/union with it, 0 when several share it.
        let mut names: FnvMap<u32, u32> = FnvMap::default();
        for id in 1..self.s.type_cnt() {
            let r = self.s.rec(id);
            if !kind(r).is_composite() || self.map[id as usize] != id {
                continue;
            }
            self.budget.spend(1)?;
            names
                .entry(shape::name(r))
                .and_modify(|v| *v = 0)
                .or_insert(id);
        }
        for id in self.s.start..self.s.type_cnt() {
            let r = self.s.rec(id);
            if kind(r) != Kind::FWD || self.map[id as usize] != id {
                continue;
            }
            let Some(&cand) = names.get(&shape::name(r)) else {
                continue;
            };
            if cand == 0 {
                continue;
            }
            let want = if shape::kflag(r) {
                Kind::UNION
            } else {
                Kind::STRUCT
            };
            if self.s.kind_of(cand) == want {
                self.map[id as usize] = cand;
            }
        }
        Ok(())
    }

    /// Reference types, after what they refer to (`btf_dedup_ref_type`, on an explicit
    /// stack): each target is resolved to its canonical id and written into the record, then
    /// the record is compared whole.
    fn ref_type(&mut self, top: u32) -> Result<u32, DedupError> {
        if let Entered::Done(v) = self.enter_ref(top)? {
            return Ok(v);
        }
        let mut stack: Vec<(u32, usize)> = vec![(top, 0)];
        while let Some(&(id, child)) = stack.last() {
            match ref_slot(self.s.rec(id), child) {
                Some(slot) => {
                    let target = self.s.rec(id).get(slot).copied().unwrap_or(0);
                    match self.enter_ref(target)? {
                        Entered::Done(v) => self.set_slot(&mut stack, v),
                        Entered::Pushed => stack.push((target, 0)),
                    }
                }
                None => {
                    let new_id = self.finish_ref(id)?;
                    stack.pop();
                    if stack.is_empty() {
                        return Ok(new_id);
                    }
                    self.set_slot(&mut stack, new_id);
                }
            }
        }
        Ok(top)
    }

    /// Writes a resolved target into the record on top of `stack`, and moves to its next one.
    fn set_slot(&mut self, stack: &mut [(u32, usize)], value: u32) {
        if let Some((id, child)) = stack.last_mut() {
            if let Some(slot) = ref_slot(self.s.rec(*id), *child) {
                if let Some(w) = self.s.word_mut(*id, slot) {
                    *w = value;
                }
            }
            *child += 1;
        }
    }

    fn enter_ref(&mut self, id: u32) -> Result<Entered, DedupError> {
        self.budget.spend(1)?;
        match self.map[id as usize] {
            IN_PROGRESS => {
                let (part, id) = self.s.origin(id);
                Err(DedupError::ReferenceLoop { part, id })
            }
            m if m <= MAX_NR_TYPES => Ok(Entered::Done(self.resolve(id)?)),
            _ => {
                if !matches!(
                    self.s.kind_of(id),
                    Kind::CONST
                        | Kind::VOLATILE
                        | Kind::RESTRICT
                        | Kind::PTR
                        | Kind::FUNC
                        | Kind::TYPE_TAG
                        | Kind::DECL_TAG
                        | Kind::ARRAY
                        | Kind::FUNC_PROTO
                ) {
                    return Err(self.s.unsupported(id, "as a reference type"));
                }
                self.map[id as usize] = IN_PROGRESS;
                Ok(Entered::Pushed)
            }
        }
    }

    /// A reference type whose targets are all canonical: the first equal candidate, or
    /// itself.
    fn finish_ref(&mut self, id: u32) -> Result<u32, DedupError> {
        let t = self.s.rec(id);
        let (h, equal): (u64, Rule) = match kind(t) {
            Kind::DECL_TAG => (shape::hash_int_tag(t), shape::equal_record),
            Kind::ARRAY => (shape::hash_array(t), shape::equal_record),
            Kind::FUNC_PROTO => (shape::hash_fnproto(t), shape::equal_record),
            _ => (shape::hash_common(t), shape::equal_common),
        };
        let mut new_id = id;
        let mut c = self.table.first(h);
        while let Some(cand) = self.table.next(&mut c) {
            self.budget.spend(1)?;
            if equal(self.s.rec(id), self.s.rec(cand)) {
                new_id = cand;
                break;
            }
        }
        self.map[id as usize] = new_id;
        if new_id == id {
            self.table.add(h, id);
        }
        Ok(new_id)
    }
}

/// The word index of the `child`-th target a reference type resolves, in libbpf's order:
/// the `type` word; an array's element then index type; a prototype's return type then its
/// parameters.
fn ref_slot(r: &[u32], child: usize) -> Option<usize> {
    match kind(r) {
        Kind::ARRAY => [3, 4].get(child).copied(),
        Kind::FUNC_PROTO => match child {
            0 => Some(2),
            i if i <= shape::vlen(r) => Some(3 + 2 * (i - 1) + 1),
            _ => None,
        },
        _ => (child == 0).then_some(2),
    }
}
