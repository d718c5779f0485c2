//! Type-graph equivalence (`btf_dedup_is_equiv`), the structural fallback it uses
//! (`btf_dedup_identical_types`), and what a proven equivalence teaches the canonical map
//! (`btf_dedup_merge_hypot_map`).
//!
//! The walk pairs a candidate type with a canonical one and descends into what both refer to,
//! recording canonical → candidate in the hypothetical map; meeting a canonical type again
//! with the same partner closes a cycle, with another partner is a contradiction (unless the
//! two partners are structurally identical, which compilers sometimes emit). FWDs are only
//! resolved on the canonical side. libbpf recurses and returns at the first pair that
//! differs, doing nothing after a pair's children; so a stack of pending pairs, children
//! pushed in reverse, visits the same pairs in the same order.

use super::passes::{Budget, Dedup, MAX_NR_TYPES, UNPROCESSED};
use super::shape::{self, kind};
use super::store::Store;
use super::DedupError;
use crate::btf::Kind;

/// libbpf's depth limit for the structural comparison.
const IDENTICAL_DEPTH: u32 = 16;

impl Dedup<'_> {
    pub(super) fn clear_hypot_map(&mut self) {
        for &id in &self.hypot_list {
            self.hypot_map[id as usize] = UNPROCESSED;
        }
        self.hypot_list.clear();
        self.hypot_adjust_canon = false;
    }

    /// Whether the graphs of `cand` and `canon` are equivalent.
    pub(super) fn is_equiv(&mut self, cand: u32, canon: u32) -> Result<bool, DedupError> {
        let mut stack = std::mem::take(&mut self.equiv_stack);
        stack.clear();
        stack.push((cand, canon));
        let result = loop {
            let Some((c, k)) = stack.pop() else {
                break Ok(true);
            };
            match self.equiv_pair(c, k, &mut stack) {
                Ok(true) => {}
                other => break other,
            }
        };
        self.equiv_stack = stack;
        result
    }

    /// One pair of the walk: whether it can be equivalent, with the pairs it depends on
    /// pushed onto `stack` (first to check on top).
    fn equiv_pair(
        &mut self,
        cand: u32,
        canon: u32,
        stack: &mut Vec<(u32, u32)>,
    ) -> Result<bool, DedupError> {
        self.budget.spend(1)?;
        if self.resolve(cand)? == self.resolve(canon)? {
            return Ok(true);
        }
        let canon = self.resolve_fwd(canon)?;
        let hypot = self.hypot_map[canon as usize];
        if hypot <= MAX_NR_TYPES {
            if hypot == cand {
                return Ok(true);
            }
            return identical(&self.s, &mut self.budget, hypot, cand, IDENTICAL_DEPTH);
        }
        self.hypot_list.push(canon);
        self.hypot_map[canon as usize] = cand;

        let ct = self.s.rec(cand);
        let kt = self.s.rec(canon);
        if shape::name(ct) != shape::name(kt) {
            return Ok(false);
        }
        let (ck, kk) = (kind(ct), kind(kt));
        if (ck == Kind::FWD || kk == Kind::FWD) && ck != kk {
            let (real, fwd) = if ck == Kind::FWD {
                (kk, fwd_kind(ct))
            } else {
                // Resolving a base FWD would change the base: only FWD resolution may follow.
                if fwd_kind(kt) == ck && canon < self.s.start {
                    self.hypot_adjust_canon = true;
                }
                (ck, fwd_kind(kt))
            };
            return Ok(fwd == real);
        }
        if ck != kk {
            return Ok(false);
        }
        Ok(match ck {
            Kind::INT => shape::equal_record(ct, kt),
            Kind::ENUM | Kind::ENUM64 => shape::compat_enum(ct, kt),
            Kind::FWD | Kind::FLOAT => shape::equal_common(ct, kt),
            k if shape::is_ref_group(k) => {
                if shape::info(ct) != shape::info(kt) {
                    return Ok(false);
                }
                stack.push((shape::size_type(ct), shape::size_type(kt)));
                true
            }
            Kind::ARRAY => {
                if !shape::compat_array(ct, kt) {
                    return Ok(false);
                }
                stack.push((shape::trailer(ct, 0), shape::trailer(kt, 0)));
                stack.push((shape::trailer(ct, 1), shape::trailer(kt, 1)));
                true
            }
            Kind::STRUCT | Kind::UNION => {
                if !shape::shallow_equal_struct(ct, kt) {
                    return Ok(false);
                }
                let pairs = shape::members(ct).zip(shape::members(kt));
                stack.extend(pairs.rev().map(|(a, b)| (a[1], b[1])));
                true
            }
            Kind::FUNC_PROTO => {
                if !shape::compat_fnproto(ct, kt) {
                    return Ok(false);
                }
                let pairs = shape::params(ct).zip(shape::params(kt));
                stack.extend(pairs.rev().map(|(a, b)| (a[1], b[1])));
                stack.push((shape::size_type(ct), shape::size_type(kt)));
                true
            }
            _ => return Err(self.s.unsupported(cand, "in a type-graph comparison")),
        })
    }

    /// `resolve_fwd_id`: a FWD already resolved to a struct/union stands for it.
    fn resolve_fwd(&mut self, id: u32) -> Result<u32, DedupError> {
        if self.s.kind_of(id) != Kind::FWD {
            return Ok(id);
        }
        let r = self.resolve(id)?;
        Ok(if self.s.kind_of(r) == Kind::FWD {
            id
        } else {
            r
        })
    }

    /// Records what an equivalence proved: FWDs resolved (on either side; a base FWD too),
    /// and, unless a base FWD would have to change, structs of the candidate's graph mapped
    /// to their canonical partners where those are settled.
    pub(super) fn merge_hypot_map(&mut self) -> Result<(), DedupError> {
        for i in 0..self.hypot_list.len() {
            let canon = self.hypot_list[i];
            let targ = self.hypot_map[canon as usize];
            let t_id = self.resolve(targ)?;
            let c_id = self.resolve(canon)?;
            let t_kind = self.s.kind_of(t_id);
            let c_kind = self.s.kind_of(c_id);
            if t_kind != Kind::FWD && c_kind == Kind::FWD {
                self.map[c_id as usize] = t_id;
            }
            if self.hypot_adjust_canon {
                continue;
            }
            if t_kind == Kind::FWD && c_kind != Kind::FWD {
                self.map[t_id as usize] = c_id;
            }
            if t_kind.is_composite()
                && c_kind != Kind::FWD
                && self.is_mapped(c_id)
                && !self.is_mapped(t_id)
            {
                self.map[t_id as usize] = c_id;
            }
        }
        Ok(())
    }
}

fn fwd_kind(r: &[u32]) -> Kind {
    if shape::kflag(r) {
        Kind::UNION
    } else {
        Kind::STRUCT
    }
}

/// `btf_dedup_identical_types`: the same structure, ids aside, to `depth` levels of
/// aggregates and prototypes. Reference chains are followed without spending depth, as in
/// libbpf (they end: the reader rejects loops that skip every struct and union).
///
/// libbpf compares an ARRAY's element and index types with the *first* array's own (it reads
/// `btf_array(t1)` twice), so two arrays are identical when their names, sizes and element
/// counts are: reproduced, since it decides which types merge.
fn identical(
    s: &Store<'_>,
    budget: &mut Budget,
    mut id1: u32,
    mut id2: u32,
    depth: u32,
) -> Result<bool, DedupError> {
    loop {
        budget.spend(1)?;
        if depth == 0 {
            return Ok(false);
        }
        let t1 = s.rec(id1);
        let t2 = s.rec(id2);
        let k = kind(t1);
        if k != kind(t2) {
            return Ok(false);
        }
        return Ok(match k {
            Kind::UNKN => true,
            Kind::INT => shape::equal_record(t1, t2),
            Kind::ENUM | Kind::ENUM64 => shape::compat_enum(t1, t2),
            Kind::FWD | Kind::FLOAT => shape::equal_common(t1, t2),
            k if shape::is_ref_group(k) => {
                if shape::info(t1) != shape::info(t2) || shape::name(t1) != shape::name(t2) {
                    return Ok(false);
                }
                id1 = shape::size_type(t1);
                id2 = shape::size_type(t2);
                continue;
            }
            Kind::ARRAY => shape::compat_array(t1, t2),
            Kind::STRUCT | Kind::UNION => {
                if !shape::shallow_equal_struct(t1, t2) {
                    return Ok(false);
                }
                for (m1, m2) in shape::members(t1).zip(shape::members(t2)) {
                    if m1[1] != m2[1] && !identical(s, budget, m1[1], m2[1], depth - 1)? {
                        return Ok(false);
                    }
                }
                true
            }
            Kind::FUNC_PROTO => {
                if !shape::compat_fnproto(t1, t2) {
                    return Ok(false);
                }
                let (r1, r2) = (shape::size_type(t1), shape::size_type(t2));
                if r1 != r2 && !identical(s, budget, r1, r2, depth - 1)? {
                    return Ok(false);
                }
                for (p1, p2) in shape::params(t1).zip(shape::params(t2)) {
                    if p1[1] != p2[1] && !identical(s, budget, p1[1], p2[1], depth - 1)? {
                        return Ok(false);
                    }
                }
                true
            }
            _ => false,
        });
    }
}
