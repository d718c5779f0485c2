//! The three compatibility predicates of CO-RE (spec/core-spec.md §3.6):
//! [`fields_are_compat`] (a matched member's type, for field relocations),
//! [`types_are_compat`] (TYPE_EXISTS / TYPE_SIZE / TYPE_ID_TARGET) and [`types_match`]
//! (TYPE_MATCHES, strict). Each keeps libbpf's recursion and loop limits; on top of them a
//! [`Budget`] bounds the total work, which libbpf does not (a hostile BTF can make the
//! member-by-member recursion exponential).

use crate::btf::{Btf, Kind, Type, TypeId};

use super::log::{self, Errno, LogLine};
use crate::btf::essential_name;

/// libbpf's recursion `level` and loop `depth` limits for the type predicates.
const MAX_LEVEL: i32 = 32;

/// A bound on the steps one relocation may spend in predicates and member searches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    left: u64,
}

impl Budget {
    /// Far above what real BTF needs (the most any relocation of the oracle corpus takes
    /// against the four kernels is 343 steps), small enough that a hostile object costs
    /// milliseconds per relocation.
    pub(crate) const PER_RELOCATION: u64 = 1 << 18;

    pub(crate) fn new() -> Self {
        Budget {
            left: Self::PER_RELOCATION,
        }
    }

    /// Takes one step; `Err` once the budget is spent.
    pub(crate) fn spend(&mut self, err: Errno) -> Result<(), Errno> {
        if self.left == 0 {
            return Err(err);
        }
        self.left -= 1;
        Ok(())
    }
}

/// libbpf's `btf_kind_core_compat`: same kind, or both enums (ENUM and ENUM64 mix).
pub(crate) fn kinds_compat(a: Kind, b: Kind) -> bool {
    a == b || (a.is_any_enum() && b.is_any_enum())
}

fn int_offset_zero(t: &Type<'_>) -> bool {
    t.int_info().offset == 0
}

/// Essential names equal, or either side anonymous (FWD/ENUM rule of field compatibility).
fn names_compat_or_anon(a: &str, b: &str) -> bool {
    let (a, b) = (essential_name(a), essential_name(b));
    a.is_empty() || b.is_empty() || a == b
}

/// `bpf_core_fields_are_compat`: may a local member of type `local` be relocated to a target
/// member of type `targ`?
pub(crate) fn fields_are_compat(
    local_btf: &Btf,
    local: TypeId,
    targ_btf: &Btf,
    targ: TypeId,
    budget: &mut Budget,
) -> Result<bool, Errno> {
    let (mut local, mut targ) = (local, targ);
    loop {
        budget.spend(Errno::EINVAL)?;
        let lt = local_btf.skip_mods_and_typedefs(local);
        let tt = targ_btf.skip_mods_and_typedefs(targ);
        if lt.kind().is_composite() && tt.kind().is_composite() {
            return Ok(true);
        }
        if !kinds_compat(lt.kind(), tt.kind()) {
            return Ok(false);
        }
        return Ok(match lt.kind() {
            Kind::PTR | Kind::FLOAT => true,
            Kind::FWD | Kind::ENUM | Kind::ENUM64 => names_compat_or_anon(lt.name(), tt.name()),
            Kind::INT => int_offset_zero(&lt) && int_offset_zero(&tt),
            Kind::ARRAY => {
                local = lt.array().elem;
                targ = tt.array().elem;
                continue;
            }
            _ => false,
        });
    }
}

/// `bpf_core_types_are_compat`: the loose type check behind TYPE_EXISTS, TYPE_SIZE and
/// TYPE_ID_TARGET (names are only checked at the root, by the candidate search).
pub(crate) fn types_are_compat(
    local_btf: &Btf,
    local: TypeId,
    targ_btf: &Btf,
    targ: TypeId,
    budget: &mut Budget,
    log: &mut Vec<LogLine>,
) -> Result<bool, Errno> {
    types_are_compat_level(local_btf, local, targ_btf, targ, MAX_LEVEL, budget, log)
}

fn types_are_compat_level(
    local_btf: &Btf,
    local: TypeId,
    targ_btf: &Btf,
    targ: TypeId,
    level: i32,
    budget: &mut Budget,
    log: &mut Vec<LogLine>,
) -> Result<bool, Errno> {
    if !kinds_compat(local_btf.ty(local).kind(), targ_btf.ty(targ).kind()) {
        return Ok(false);
    }
    let (mut local, mut targ) = (local, targ);
    let mut depth = MAX_LEVEL;
    loop {
        depth -= 1;
        if depth < 0 {
            return Err(Errno::EINVAL);
        }
        budget.spend(Errno::EINVAL)?;
        let lt = local_btf.skip_mods_and_typedefs(local);
        let tt = targ_btf.skip_mods_and_typedefs(targ);
        (local, targ) = (lt.id(), tt.id());
        if !kinds_compat(lt.kind(), tt.kind()) {
            return Ok(false);
        }
        match lt.kind() {
            Kind::UNKN | Kind::STRUCT | Kind::UNION | Kind::ENUM | Kind::FWD | Kind::ENUM64 => {
                return Ok(true)
            }
            Kind::INT => return Ok(int_offset_zero(&lt) && int_offset_zero(&tt)),
            Kind::PTR => (local, targ) = (lt.type_id(), tt.type_id()),
            Kind::ARRAY => (local, targ) = (lt.array().elem, tt.array().elem),
            Kind::FUNC_PROTO => {
                if lt.vlen() != tt.vlen() {
                    return Ok(false);
                }
                for (lp, tp) in lt.params().zip(tt.params()) {
                    if level <= 0 {
                        return Err(Errno::EINVAL);
                    }
                    let l = local_btf.skip_mods_and_typedefs(lp.type_id).id();
                    let t = targ_btf.skip_mods_and_typedefs(tp.type_id).id();
                    if !types_are_compat_level(local_btf, l, targ_btf, t, level - 1, budget, log)? {
                        return Ok(false);
                    }
                }
                local = local_btf.skip_mods_and_typedefs(lt.type_id()).id();
                targ = targ_btf.skip_mods_and_typedefs(tt.type_id()).id();
            }
            _ => {
                log.push(log::unexpected_kind_relocated(
                    lt.kind().lower_name(),
                    local,
                    targ,
                ));
                return Ok(false);
            }
        }
    }
}

/// `bpf_core_names_match`: an anonymous target matches only an anonymous local; otherwise
/// the essential names must be equal.
fn names_match(local: &str, targ: &str) -> bool {
    if targ.is_empty() {
        return local.is_empty();
    }
    essential_name(local) == essential_name(targ)
}

/// `bpf_core_types_match`: the strict check behind TYPE_MATCHES.
pub(crate) fn types_match(
    local_btf: &Btf,
    local: TypeId,
    targ_btf: &Btf,
    targ: TypeId,
    budget: &mut Budget,
    log: &mut Vec<LogLine>,
) -> Result<bool, Errno> {
    types_match_level(
        local_btf, local, targ_btf, targ, false, MAX_LEVEL, budget, log,
    )
}

#[allow(clippy::too_many_arguments)]
fn types_match_level(
    local_btf: &Btf,
    local: TypeId,
    targ_btf: &Btf,
    targ: TypeId,
    mut behind_ptr: bool,
    level: i32,
    budget: &mut Budget,
    log: &mut Vec<LogLine>,
) -> Result<bool, Errno> {
    if level <= 0 {
        return Err(Errno::EINVAL);
    }
    let (mut local, mut targ) = (local, targ);
    let mut depth = MAX_LEVEL;
    loop {
        depth -= 1;
        if depth < 0 {
            return Err(Errno::EINVAL);
        }
        budget.spend(Errno::EINVAL)?;
        let lt = local_btf.skip_mods_and_typedefs(local);
        let tt = targ_btf.skip_mods_and_typedefs(targ);
        (local, targ) = (lt.id(), tt.id());
        if !names_match(lt.name(), tt.name()) {
            return Ok(false);
        }
        let (lk, tk) = (lt.kind(), tt.kind());
        match lk {
            Kind::UNKN => return Ok(lk == tk),
            Kind::FWD => {
                let lf = lt.kflag();
                return Ok(if behind_ptr {
                    if lk == tk {
                        lf == tt.kflag()
                    } else {
                        (tk == Kind::STRUCT && !lf) || (tk == Kind::UNION && lf)
                    }
                } else {
                    lk == tk && lf == tt.kflag()
                });
            }
            Kind::ENUM | Kind::ENUM64 => {
                if !tk.is_any_enum() {
                    return Ok(false);
                }
                return enums_match(&lt, &tt, budget);
            }
            Kind::STRUCT | Kind::UNION => {
                if behind_ptr {
                    if lk == tk {
                        return Ok(true);
                    }
                    if tk != Kind::FWD {
                        return Ok(false);
                    }
                    return Ok((lk == Kind::UNION) == tt.kflag());
                }
                if lk != tk {
                    return Ok(false);
                }
                return composites_match(
                    local_btf, &lt, targ_btf, &tt, behind_ptr, level, budget, log,
                );
            }
            Kind::INT => {
                if lk != tk {
                    return Ok(false);
                }
                let ls = lt.int_info().encoding.is_signed();
                let ts = tt.int_info().encoding.is_signed();
                return Ok(lt.size() == tt.size() && ls == ts);
            }
            Kind::PTR => {
                if lk != tk {
                    return Ok(false);
                }
                behind_ptr = true;
                (local, targ) = (lt.type_id(), tt.type_id());
            }
            Kind::ARRAY => {
                if lk != tk {
                    return Ok(false);
                }
                let (la, ta) = (lt.array(), tt.array());
                if la.nelems != ta.nelems {
                    return Ok(false);
                }
                (local, targ) = (la.elem, ta.elem);
            }
            Kind::FUNC_PROTO => {
                if lk != tk || lt.vlen() != tt.vlen() {
                    return Ok(false);
                }
                for (lp, tp) in lt.params().zip(tt.params()) {
                    let m = types_match_level(
                        local_btf,
                        lp.type_id,
                        targ_btf,
                        tp.type_id,
                        behind_ptr,
                        level - 1,
                        budget,
                        log,
                    )?;
                    if !m {
                        return Ok(false);
                    }
                }
                (local, targ) = (lt.type_id(), tt.type_id());
            }
            _ => {
                log.push(log::unexpected_kind_relocated(lk.lower_name(), local, targ));
                return Ok(false);
            }
        }
    }
}

/// `bpf_core_enums_match`: equal sizes, and every local enumerator name has an essential-name
/// match among the target's (values ignored).
fn enums_match(lt: &Type<'_>, tt: &Type<'_>, budget: &mut Budget) -> Result<bool, Errno> {
    if lt.size() != tt.size() || lt.vlen() > tt.vlen() {
        return Ok(false);
    }
    for l in lt.enum_values() {
        let mut matched = false;
        for t in tt.enum_values() {
            budget.spend(Errno::EINVAL)?;
            if names_match(l.name, t.name) {
                matched = true;
                break;
            }
        }
        if !matched {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `bpf_core_composites_match`: every local member has a same-named target member whose type
/// matches (order and offsets ignored; the first matching target member is taken).
#[allow(clippy::too_many_arguments)]
fn composites_match(
    local_btf: &Btf,
    lt: &Type<'_>,
    targ_btf: &Btf,
    tt: &Type<'_>,
    behind_ptr: bool,
    level: i32,
    budget: &mut Budget,
    log: &mut Vec<LogLine>,
) -> Result<bool, Errno> {
    if lt.vlen() > tt.vlen() {
        return Ok(false);
    }
    for lm in lt.members() {
        let mut matched = false;
        for tm in tt.members() {
            budget.spend(Errno::EINVAL)?;
            if !names_match(lm.name, tm.name) {
                continue;
            }
            if types_match_level(
                local_btf,
                lm.type_id,
                targ_btf,
                tm.type_id,
                behind_ptr,
                level - 1,
                budget,
                log,
            )? {
                matched = true;
                break;
            }
        }
        if !matched {
            return Ok(false);
        }
    }
    Ok(true)
}
