//! The relocation calculation (`bpf_core_calc_relo_insn` and helpers): local spec, candidate
//! trials, ambiguity checks, and the values to patch in (spec/core-spec.md §3.8–3.11).
//!
//! Pure: it reads the two BTFs and the candidate list and returns a [`Resolution`] — the
//! explanation (specs, candidate trials, log lines) together with the result. The candidate
//! cache update it implies is returned as data ([`Resolution::cands_after`]); the driver
//! applies it.

use crate::btf::{Btf, Kind, TypeId};
use crate::libbpf::Libbpf;

use super::cands::Candidate;
use super::compat::Budget;
use super::log::{self, Errno, LogLine};
use super::matching::match_candidate;
use super::spec::{parse_local, Spec};
use super::RelocKind;

/// One CO-RE relocation record, with its access string resolved.
#[derive(Debug, Clone, Copy)]
pub struct RelocRequest<'s> {
    /// Byte offset of the instruction in its section.
    pub insn_off: u32,
    /// Root type in the local BTF, as recorded.
    pub type_id: TypeId,
    /// The access string; `None` when its string offset does not resolve.
    pub access: Option<&'s str>,
    /// The kind.
    pub kind: RelocKind,
}

/// Where the calculation runs: program name and relocation number (for the log), the
/// object's BTF (the candidates carry theirs), and the libbpf release reproduced.
#[derive(Debug, Clone, Copy)]
pub struct CalcContext<'a, 'p> {
    /// The program (or subprogram) the instruction belongs to.
    pub prog: &'p str,
    /// The record's index in its `.BTF.ext` section (libbpf's `relo #N`).
    pub relo_idx: usize,
    /// The object's BTF.
    pub local: &'a Btf,
    /// The libbpf release whose calculation this is.
    pub libbpf: Libbpf,
}

/// libbpf's `struct bpf_core_relo_res`: what to check in the instruction and what to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RelocResult {
    /// The value the instruction is expected to hold (computed on the local spec).
    pub orig_val: u64,
    /// The value to write (computed on the target spec).
    pub new_val: u64,
    /// Replace the instruction by the poison call instead of patching it.
    pub poison: bool,
    /// Check that the instruction holds `orig_val` before patching.
    pub validate: bool,
    /// An LDX/ST/STX size change would change the value read: poison instead.
    pub fail_memsz_adjust: bool,
    /// Local field size (for memory-size adjustment; 0 if not applicable).
    pub orig_sz: u32,
    /// Local field type.
    pub orig_type_id: TypeId,
    /// Target field size.
    pub new_sz: u32,
    /// Target field type.
    pub new_type_id: TypeId,
}

/// One candidate tried: its spec as libbpf logged it.
#[derive(Debug, Clone)]
pub struct CandidateTrial<'a> {
    /// Position in the candidate list (libbpf's `candidate #i`).
    pub index: usize,
    /// The candidate type, in `spec.btf` (the kernel's or a module's).
    pub id: TypeId,
    /// The module the candidate is in (`None`: the kernel).
    pub module: Option<&'a str>,
    /// Whether it matched (`false` also for the candidate whose matching failed).
    pub matched: bool,
    /// The target spec built for it, possibly partial.
    pub spec: Spec<'a>,
}

/// Why a relocation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalcError {
    /// The error code libbpf returned.
    pub errno: Errno,
}

/// Everything the calculation found out about one relocation.
#[derive(Debug, Clone)]
pub struct Resolution<'a> {
    /// The local spec (partial if parsing failed; `None` if libbpf rejected the access string
    /// before building one).
    pub local_spec: Option<Spec<'a>>,
    /// The candidates tried, in order.
    pub trials: Vec<CandidateTrial<'a>>,
    /// The spec of the first matching candidate (the one whose values are used).
    pub target_spec: Option<Spec<'a>>,
    /// The result, or the error that fails the object.
    pub result: Result<RelocResult, CalcError>,
    /// The candidate list as libbpf leaves it (pruned to the matching candidates when any
    /// matched); `None` for TYPE_ID_LOCAL, which has no list.
    pub cands_after: Option<Vec<Candidate<'a>>>,
    /// libbpf's log lines, in order.
    pub log: Vec<LogLine>,
}

impl Resolution<'_> {
    /// Whether no candidate matched (the result is then computed without a target).
    pub fn no_match(&self) -> bool {
        self.target_spec.is_none()
    }
}

/// `bpf_core_calc_relo_insn`: resolves one relocation against its candidate list `cands`
/// (`None` only for TYPE_ID_LOCAL).
pub fn calc_relo_insn<'a>(
    cx: &CalcContext<'a, '_>,
    relo: &RelocRequest<'_>,
    cands: Option<&[Candidate<'a>]>,
) -> Resolution<'a> {
    let mut res = Resolution {
        local_spec: None,
        trials: Vec::new(),
        target_spec: None,
        result: Err(CalcError {
            errno: Errno::EINVAL,
        }),
        cands_after: cands.map(<[Candidate<'a>]>::to_vec),
        log: Vec::new(),
    };
    let (prog, idx) = (cx.prog, cx.relo_idx);
    let Some(local_type) = cx.local.type_by_id(relo.type_id) else {
        return res;
    };
    let local_name = local_type.name();

    let local = match parse_local(cx.local, relo.type_id, relo.kind, relo.access, prog) {
        Ok(spec) => spec,
        Err(failure) => {
            res.log.extend(failure.warning.map(|w| *w));
            res.log.push(log::parse_failed(
                prog,
                idx,
                relo.type_id,
                local_type.kind().lower_name(),
                local_name,
                relo.access,
                failure.err,
            ));
            res.local_spec = failure.spec;
            return res;
        }
    };
    res.log.push(log::local_spec(prog, idx, &local.format()));
    res.local_spec = Some(local.clone());

    if relo.kind == RelocKind::TYPE_ID_LOCAL {
        let id = u64::from(relo.type_id.0);
        res.result = Ok(RelocResult {
            orig_val: id,
            new_val: id,
            validate: false,
            ..RelocResult::default()
        });
        return res;
    }

    if local_name.is_empty() {
        res.log.push(log::anonymous_root(prog, idx, relo.kind));
        res.result = Err(CalcError {
            errno: Errno::EOPNOTSUPP,
        });
        return res;
    }

    let mut list = cands.map(<[Candidate<'a>]>::to_vec).unwrap_or_default();
    let mut budget = Budget::new();
    let mut chosen: Option<RelocResult> = None;
    let mut kept = 0;
    for i in 0..list.len() {
        let cand = list[i];
        let m = match_candidate(&local, cand.btf, cand.id, &mut budget, &mut res.log);
        let text = m.spec.format();
        let matched = match m.result {
            Err(errno) => {
                res.log
                    .push(log::candidate_error(prog, idx, i, &text, errno));
                res.trials.push(CandidateTrial {
                    index: i,
                    id: cand.id,
                    module: cand.module,
                    matched: false,
                    spec: m.spec,
                });
                res.cands_after = Some(list);
                res.result = Err(CalcError { errno });
                return res;
            }
            Ok(matched) => matched,
        };
        res.log.push(log::candidate(prog, idx, matched, i, &text));
        res.trials.push(CandidateTrial {
            index: i,
            id: cand.id,
            module: cand.module,
            matched,
            spec: m.spec.clone(),
        });
        if !matched {
            continue;
        }
        let cand_res = match calc_relo(cx, relo, &local, Some(&m.spec), &mut res.log) {
            Ok(r) => r,
            Err(errno) => {
                res.cands_after = Some(list);
                res.result = Err(CalcError { errno });
                return res;
            }
        };
        match (&chosen, &res.target_spec) {
            (Some(first), Some(first_spec)) => {
                if m.spec.bit_offset != first_spec.bit_offset {
                    res.log.push(log::offset_ambiguity(
                        prog,
                        idx,
                        m.spec.bit_offset,
                        first_spec.bit_offset,
                    ));
                    res.cands_after = Some(list);
                    res.result = Err(CalcError {
                        errno: Errno::EINVAL,
                    });
                    return res;
                }
                if cand_res.poison != first.poison || cand_res.new_val != first.new_val {
                    res.log.push(log::decision_ambiguity(
                        prog,
                        idx,
                        (cand_res.poison, cand_res.new_val),
                        (first.poison, first.new_val),
                    ));
                    res.cands_after = Some(list);
                    res.result = Err(CalcError {
                        errno: Errno::EINVAL,
                    });
                    return res;
                }
            }
            _ => {
                chosen = Some(cand_res);
                res.target_spec = Some(m.spec);
            }
        }
        // Matching candidates move to the front (libbpf compacts in place).
        list[kept] = cand;
        kept += 1;
    }
    if kept > 0 {
        list.truncate(kept);
    }
    res.cands_after = Some(list);

    res.result = match chosen {
        Some(r) => Ok(r),
        None => {
            res.log.push(log::no_match(prog, idx));
            calc_relo(cx, relo, &local, None, &mut res.log).map_err(|errno| CalcError { errno })
        }
    };
    res
}

/// What one side (local or target) of a field relocation computes.
#[derive(Debug, Clone, Copy, Default)]
struct FieldValue {
    val: u64,
    field_sz: u32,
    type_id: TypeId,
    /// Only the local side decides validation.
    validate: bool,
}

/// Why one side could not be computed.
enum SideError {
    /// No target: poison the instruction (libbpf's internal `-EUCLEAN`).
    Poison,
    /// A real error.
    Fail(Errno),
}

/// `bpf_core_calc_relo`: the values of one relocation for one (local, target) pair; `targ`
/// is `None` when no candidate matched.
fn calc_relo(
    cx: &CalcContext<'_, '_>,
    relo: &RelocRequest<'_>,
    local: &Spec<'_>,
    targ: Option<&Spec<'_>>,
    log: &mut Vec<LogLine>,
) -> Result<RelocResult, Errno> {
    let mut res = RelocResult {
        validate: true,
        ..RelocResult::default()
    };
    let outcome: Result<(), SideError> = if relo.kind.is_field() {
        (|| {
            let l = calc_field(cx, relo, Some(local), log)?;
            res.orig_val = l.val;
            res.orig_sz = l.field_sz;
            res.orig_type_id = l.type_id;
            res.validate = l.validate;
            let t = calc_field(cx, relo, targ, log)?;
            res.new_val = t.val;
            res.new_sz = t.field_sz;
            res.new_type_id = t.type_id;
            if res.orig_sz != res.new_sz {
                res.fail_memsz_adjust = !memsz_adjust_ok(
                    local.btf,
                    res.orig_type_id,
                    targ.map_or(local.btf, |t| t.btf),
                    res.new_type_id,
                );
            }
            Ok(())
        })()
    } else if relo.kind.is_type() {
        (|| {
            let (val, validate) = calc_type(relo.kind, Some(local))?;
            res.orig_val = val;
            res.validate = validate;
            res.new_val = calc_type(relo.kind, targ)?.0;
            Ok(())
        })()
    } else if relo.kind.is_enumval() {
        (|| {
            res.orig_val = calc_enumval(relo.kind, Some(local))?;
            res.new_val = calc_enumval(relo.kind, targ)?;
            Ok(())
        })()
    } else {
        Err(SideError::Fail(Errno::EOPNOTSUPP))
    };
    match outcome {
        Ok(()) => Ok(res),
        Err(SideError::Poison) => {
            res.poison = true;
            Ok(res)
        }
        Err(SideError::Fail(errno)) => {
            if errno == Errno::EOPNOTSUPP {
                log.push(log::unrecognized_relo(
                    cx.prog,
                    cx.relo_idx,
                    relo.kind,
                    relo.insn_off / 8,
                ));
            }
            Err(errno)
        }
    }
}

/// Memory-size adjustment is safe only between two pointers (a 32-bit kernel's pointers read
/// as zero-extended) or two integers neither of which is exactly `SIGNED` (zero extension
/// keeps the value).
fn memsz_adjust_ok(local_btf: &Btf, orig: TypeId, targ_btf: &Btf, new: TypeId) -> bool {
    let (o, n) = (local_btf.ty(orig), targ_btf.ty(new));
    if o.kind() == Kind::PTR && n.kind() == Kind::PTR {
        return true;
    }
    let unsigned_int = |t: &crate::btf::Type<'_>| {
        t.kind() == Kind::INT && t.int_info().encoding.0 != crate::btf::IntEncoding::SIGNED
    };
    unsigned_int(&o) && unsigned_int(&n)
}

/// `bpf_core_calc_field_relo`: one side of a field relocation.
fn calc_field(
    cx: &CalcContext<'_, '_>,
    relo: &RelocRequest<'_>,
    spec: Option<&Spec<'_>>,
    log: &mut Vec<LogLine>,
) -> Result<FieldValue, SideError> {
    let mut out = FieldValue {
        validate: true,
        ..FieldValue::default()
    };
    if relo.kind == RelocKind::FIELD_EXISTS {
        out.val = u64::from(spec.is_some());
        return Ok(out);
    }
    let Some(spec) = spec else {
        return Err(SideError::Poison);
    };
    let btf = spec.btf;
    let Some(acc) = spec.access.last() else {
        return Err(SideError::Fail(Errno::EINVAL));
    };
    let sec_insn = relo.insn_off / 8;

    if acc.name.is_none() {
        // An array element (or the root object itself).
        let size = btf
            .resolve_size(acc.type_id)
            .map_err(|_| SideError::Fail(Errno::EINVAL));
        match relo.kind {
            RelocKind::FIELD_BYTE_OFFSET => {
                out.val = u64::from(spec.bit_offset / 8);
                out.field_sz = access_size(cx, btf, acc.type_id, size)?;
                out.type_id = acc.type_id;
            }
            RelocKind::FIELD_BYTE_SIZE => out.val = u64::from(size?),
            _ => {
                log.push(log::array_access(cx.prog, relo.kind, sec_insn));
                return Err(SideError::Fail(Errno::EINVAL));
            }
        }
        return Ok(out);
    }

    let parent = btf.ty(acc.type_id);
    let Some(m) = parent.member(acc.idx) else {
        return Err(SideError::Fail(Errno::EINVAL));
    };
    let mt = btf.skip_mods_and_typedefs(m.type_id);
    let field_type = mt.id();
    let bit_off = spec.bit_offset;
    let mut bit_sz = m.bitfield_size;
    let bitfield = bit_sz > 0;
    let (byte_off, byte_sz);
    if bitfield {
        // The load window: the storage type's size, aligned down, doubled while the field
        // does not fit, at most 8 bytes. (`size` is read whatever the kind, as libbpf does.)
        let mut sz = mt.size();
        if sz == 0 {
            // libbpf would divide by zero; only a hostile BTF gets here.
            return Err(SideError::Fail(Errno::EINVAL));
        }
        let mut off = bit_off / 8 / sz * sz;
        while bit_off
            .wrapping_add(bit_sz)
            .wrapping_sub(off.wrapping_mul(8))
            > sz.wrapping_mul(8)
        {
            if sz >= 8 {
                log.push(log::bitfield_too_big(cx.prog, relo.kind, sec_insn));
                return Err(SideError::Fail(Errno::E2BIG));
            }
            sz *= 2;
            off = bit_off / 8 / sz * sz;
        }
        (byte_off, byte_sz) = (off, sz);
    } else {
        let sz = btf
            .resolve_size(field_type)
            .map_err(|_| SideError::Fail(Errno::EINVAL))?;
        (byte_off, byte_sz) = (bit_off / 8, sz);
        bit_sz = sz.wrapping_mul(8);
    }
    // Bitfield values are ambiguous between compilers: only signedness and the right shift
    // are checked against the instruction.
    out.validate = !bitfield;
    match relo.kind {
        RelocKind::FIELD_BYTE_OFFSET => {
            out.val = u64::from(byte_off);
            if !bitfield {
                out.field_sz = access_size(cx, btf, field_type, Ok(byte_sz))?;
                out.type_id = field_type;
            }
        }
        RelocKind::FIELD_BYTE_SIZE => out.val = u64::from(byte_sz),
        RelocKind::FIELD_SIGNED => {
            let signed = (mt.kind().is_any_enum() && mt.kflag())
                || (mt.kind() == Kind::INT && mt.int_info().encoding.is_signed());
            out.val = u64::from(signed);
            out.validate = true;
        }
        RelocKind::FIELD_LSHIFT_U64 => {
            // libbpf uses the byte order of the host it runs on; the oracle ran on x86-64,
            // and so does every libbpf this reproduces: little-endian.
            out.val = u64::from(
                64u32.wrapping_sub(
                    bit_off
                        .wrapping_add(bit_sz)
                        .wrapping_sub(byte_off.wrapping_mul(8)),
                ),
            );
        }
        RelocKind::FIELD_RSHIFT_U64 => {
            out.val = u64::from(64u32.wrapping_sub(bit_sz));
            out.validate = true;
        }
        _ => return Err(SideError::Fail(Errno::EOPNOTSUPP)),
    }
    Ok(out)
}

/// The size a FIELD_BYTE_OFFSET relocation remembers for the LDX/ST/STX memory-size
/// adjustment of the field or element `id` (`whole`: its own size). libbpf ≥ 1.6 takes one
/// innermost element of an array, since a load or store reaches one element; 1.5 took the
/// whole array, and then refused or botched the adjustment of any array access.
fn access_size(
    cx: &CalcContext<'_, '_>,
    btf: &Btf,
    id: TypeId,
    whole: Result<u32, SideError>,
) -> Result<u32, SideError> {
    if !cx.libbpf.features().array_element_size {
        return whole;
    }
    let mut t = btf.skip_mods_and_typedefs(id);
    while t.kind() == Kind::ARRAY {
        t = btf.skip_mods_and_typedefs(t.array().elem);
    }
    btf.resolve_size(t.id())
        .map_err(|_| SideError::Fail(Errno::EINVAL))
}

/// `bpf_core_calc_type_relo`: one side of a type relocation, with its `validate` flag.
fn calc_type(kind: RelocKind, spec: Option<&Spec<'_>>) -> Result<(u64, bool), SideError> {
    let Some(spec) = spec else {
        return Ok((0, true));
    };
    match kind {
        RelocKind::TYPE_ID_TARGET => Ok((u64::from(spec.root.0), false)),
        RelocKind::TYPE_EXISTS | RelocKind::TYPE_MATCHES => Ok((1, true)),
        RelocKind::TYPE_SIZE => spec
            .btf
            .resolve_size(spec.root)
            .map(|s| (u64::from(s), true))
            .map_err(|_| SideError::Fail(Errno::EINVAL)),
        _ => Err(SideError::Fail(Errno::EOPNOTSUPP)),
    }
}

/// `bpf_core_calc_enumval_relo`: one side of an enumerator relocation. 32-bit values are
/// sign-extended whatever the enum's signedness, as libbpf does.
fn calc_enumval(kind: RelocKind, spec: Option<&Spec<'_>>) -> Result<u64, SideError> {
    match kind {
        RelocKind::ENUMVAL_EXISTS => Ok(u64::from(spec.is_some())),
        RelocKind::ENUMVAL_VALUE => {
            let spec = spec.ok_or(SideError::Poison)?;
            let acc = spec.access.first().ok_or(SideError::Fail(Errno::EINVAL))?;
            spec.btf
                .ty(acc.type_id)
                .enum_value(acc.idx)
                .map(|e| e.sign_extended())
                .ok_or(SideError::Fail(Errno::EINVAL))
        }
        _ => Err(SideError::Fail(Errno::EOPNOTSUPP)),
    }
}
