//! `bpf_core_spec_match`: does a candidate target type have what the local spec points at,
//! and where (spec/core-spec.md §3.7)?
//!
//! The target spec is built with libbpf's own bookkeeping, tentative pushes and undos
//! included, so that the partial spec of a non-matching candidate prints exactly like
//! libbpf's (`struct task_struct (0 @ offset 0)`, or stranger prefixes when a name matched
//! with an incompatible type inside an anonymous member).

use crate::btf::{essential_name, Btf, Kind, TypeId};

use super::compat::{fields_are_compat, types_are_compat, types_match, Budget};
use super::log::{Errno, LogLine};
use super::spec::{is_flex_array, Accessor, Spec, MAX_SPEC_LEN};
use super::RelocKind;

/// The outcome of matching one candidate: the target spec as far as it was built, and
/// whether it matched (`Err`: matching failed outright, which fails the relocation).
pub(crate) struct CandidateMatch<'a> {
    pub spec: Spec<'a>,
    pub result: Result<bool, Errno>,
}

/// Matches `local` against candidate `targ_id` of `targ_btf`.
pub(crate) fn match_candidate<'a>(
    local: &Spec<'_>,
    targ_btf: &'a Btf,
    targ_id: TypeId,
    budget: &mut Budget,
    log: &mut Vec<LogLine>,
) -> CandidateMatch<'a> {
    let mut spec = Spec::new(targ_btf, targ_id, local.kind);
    let result = match_into(local, &mut spec, budget, log);
    CandidateMatch { spec, result }
}

fn match_into<'a>(
    local: &Spec<'_>,
    targ: &mut Spec<'a>,
    budget: &mut Budget,
    log: &mut Vec<LogLine>,
) -> Result<bool, Errno> {
    let targ_btf = targ.btf;
    if local.kind.is_type() {
        return if local.kind == RelocKind::TYPE_MATCHES {
            types_match(local.btf, local.root, targ_btf, targ.root, budget, log)
        } else {
            types_are_compat(local.btf, local.root, targ_btf, targ.root, budget, log)
        };
    }

    if local.kind.is_enumval() {
        let t = targ_btf.skip_mods_and_typedefs(targ.root);
        if !t.kind().is_any_enum() {
            return Ok(false);
        }
        let want = essential_name(local.access.first().and_then(|a| a.name).unwrap_or(""));
        for e in t.enum_values() {
            budget.spend(Errno::EINVAL)?;
            if essential_name(e.name) == want {
                targ.access.push(Accessor {
                    type_id: t.id(),
                    idx: e.index,
                    name: Some(e.name),
                });
                targ.raw.push(e.index);
                return Ok(true);
            }
        }
        return Ok(false);
    }

    if !local.kind.is_field() {
        return Err(Errno::EINVAL);
    }

    let mut targ_id = targ.root;
    for (i, acc) in local.access.iter().enumerate() {
        let t = targ_btf.skip_mods_and_typedefs(targ_id);
        targ_id = t.id();
        if acc.name.is_some() {
            match match_member(local.btf, acc, targ_btf, targ_id, targ, budget)? {
                Some(next) => targ_id = next,
                None => return Ok(false),
            }
            continue;
        }
        // The root accessor indexes the implicit array of root objects; later ones need a
        // real array.
        if i > 0 {
            if t.kind() != Kind::ARRAY {
                return Ok(false);
            }
            let a = t.array();
            let flex = targ
                .access
                .last()
                .is_some_and(|prev| is_flex_array(targ_btf, prev, a.nelems));
            if !flex && acc.idx >= a.nelems {
                return Ok(false);
            }
            targ_id = targ_btf.skip_mods_and_typedefs(a.elem).id();
        }
        if targ.raw.len() == MAX_SPEC_LEN {
            return Err(Errno::E2BIG);
        }
        targ.access.push(Accessor {
            type_id: targ_id,
            idx: acc.idx,
            name: None,
        });
        targ.raw.push(acc.idx);
        let size = targ_btf
            .resolve_size(targ_id)
            .map_err(|e| Errno(e.errno()))?;
        targ.bit_offset = targ
            .bit_offset
            .wrapping_add(acc.idx.wrapping_mul(size).wrapping_mul(8));
    }
    Ok(true)
}

/// `bpf_core_match_member`: finds the local named member `local_acc` in target composite
/// `targ_id`, depth-first through anonymous members, first name hit deciding. Returns the
/// type id to continue from, or `None` if there is no compatible member.
fn match_member<'a>(
    local_btf: &Btf,
    local_acc: &Accessor<'_>,
    targ_btf: &'a Btf,
    targ_id: TypeId,
    spec: &mut Spec<'a>,
    budget: &mut Budget,
) -> Result<Option<TypeId>, Errno> {
    let t = targ_btf.skip_mods_and_typedefs(targ_id);
    let targ_id = t.id();
    if !t.kind().is_composite() {
        return Ok(None);
    }
    let Some(local_member) = local_btf.ty(local_acc.type_id).member(local_acc.idx) else {
        return Ok(None);
    };
    for m in t.members() {
        budget.spend(Errno::E2BIG)?;
        if spec.raw.len() == MAX_SPEC_LEN {
            return Err(Errno::E2BIG);
        }
        // Speculate that this member is the one.
        spec.bit_offset = spec.bit_offset.wrapping_add(m.bit_offset);
        spec.raw.push(m.index);
        if m.name.is_empty() {
            // An anonymous member: look inside; a hit (or an error) ends the search.
            if let Some(next) =
                match_member(local_btf, local_acc, targ_btf, m.type_id, spec, budget)?
            {
                return Ok(Some(next));
            }
        } else if m.name == local_member.name {
            spec.access.push(Accessor {
                type_id: targ_id,
                idx: m.index,
                name: Some(m.name),
            });
            if fields_are_compat(local_btf, local_member.type_id, targ_btf, m.type_id, budget)? {
                return Ok(Some(m.type_id));
            }
            // A name hit with an incompatible type ends this level's search, keeping the
            // speculative raw index and offset (only the accessor is popped). When this level
            // is inside an anonymous member, the caller's undo then takes off *this* raw
            // entry instead of its own and carries on with its next member — libbpf's exact
            // bookkeeping, visible in the partial spec it logs.
            spec.access.pop();
            return Ok(None);
        }
        spec.bit_offset = spec.bit_offset.wrapping_sub(m.bit_offset);
        spec.raw.pop();
    }
    Ok(None)
}
