//! A question's records against a target kernel, by libbpf's own engine: the records are
//! put in an object BTF shaped as clang would write it, each gets the instruction clang
//! would emit (carrying the compiled-in value), and [`crate::reloc::relocate_record`]
//! searches candidates, calculates and patches exactly as for a record of a real object —
//! one candidate cache for all of them, in order, as for one object.

use crate::btf::{Btf, TypeId};
use crate::ext::CoreRelo;
use crate::insn::Insn;
use crate::libbpf::Libbpf;
use crate::reloc::{
    calc_relo_insn, relocate_record, CalcContext, Candidate, CandidateCache, Processed, RelocKind,
    RelocRequest, RelocResult, Resolution, Spec, Target,
};

use super::emit::ObjectBtf;
use super::record::InsnForm;

/// The program name libbpf's log lines use for a question's records.
pub const PROG: &str = "access";

/// One distinct record of a question, in its object BTF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRecord {
    /// The kind.
    pub kind: RelocKind,
    /// The root type in the object BTF.
    pub root: TypeId,
    /// The access string.
    pub access: String,
    /// Its string offset in the object BTF.
    pub access_off: u32,
    /// The instruction form (the strictest among the records it stands for: a load over an
    /// address computation).
    pub form: InsnForm,
    /// Indices of the question's records it stands for.
    pub records: Vec<usize>,
}

impl LocalRecord {
    /// The record as `.BTF.ext` holds it (instruction `i` of the synthetic program).
    pub fn core_relo(&self, i: usize) -> CoreRelo {
        CoreRelo {
            insn_off: (i * 8) as u32,
            type_id: self.root,
            access_str_off: self.access_off,
            kind: self.kind.0,
        }
    }
}

/// The local side alone: the spec libbpf parses and the value clang compiled in (a
/// calculation without candidates; its no-match outcome is ignored).
pub fn local_side<'a>(obj: &'a ObjectBtf, r: &LocalRecord, idx: usize) -> Resolution<'a> {
    let cx = CalcContext {
        prog: PROG,
        relo_idx: idx,
        local: &obj.btf,
        libbpf: Libbpf::default(),
    };
    let req = RelocRequest {
        insn_off: 0,
        type_id: r.root,
        access: Some(&r.access),
        kind: r.kind,
    };
    let none: &[Candidate<'_>] = &[];
    let cands = (r.kind != RelocKind::TYPE_ID_LOCAL).then_some(none);
    calc_relo_insn(&cx, &req, cands)
}

/// The local spec (`None` if libbpf cannot parse it, e.g. an index past an array's end).
pub fn local_spec<'a>(obj: &'a ObjectBtf, r: &LocalRecord, idx: usize) -> Option<Spec<'a>> {
    local_side(obj, r, idx).local_spec
}

/// The value clang compiles into the instruction: libbpf's own local value, except for an
/// enumerator, which clang zero-extends when the enum is unsigned (libbpf sign-extends every
/// 32-bit value, and then refuses the instruction: a known libbpf quirk).
pub fn compiled_value(obj: &ObjectBtf, r: &LocalRecord, local: Option<&RelocResult>) -> u64 {
    let val = local.map_or(0, |x| x.orig_val);
    if r.kind != RelocKind::ENUMVAL_VALUE {
        return val;
    }
    let e = obj.btf.skip_mods_and_typedefs(r.root);
    let idx: u32 = r.access.parse().unwrap_or(0);
    match e.enum_value(idx) {
        Some(v) if !v.is64 && !e.kflag() => u64::from(v.lo),
        Some(v) if !v.is64 => v.sign_extended(),
        Some(v) => v.raw(),
        None => val,
    }
}

/// The instruction clang emits for a record: its form carrying the compiled-in value `val`
/// (`local` is libbpf's local computation, for the access size).
pub fn instruction(form: InsnForm, val: u64, local: Option<&RelocResult>) -> Vec<Insn> {
    match form {
        InsnForm::Mem(size) if val <= 0x7fff => {
            // The access size clang uses is the field's (libbpf checks it against its own).
            let size = match local.map(|r| r.orig_sz) {
                Some(s @ (1 | 2 | 4 | 8)) => s as u8,
                _ => size,
            };
            let size_bits = match size {
                1 => 0x10,
                2 => 0x08,
                8 => 0x18,
                _ => 0x00,
            };
            vec![Insn {
                code: 0x61 | size_bits,
                dst: 1,
                src: 1,
                off: val as i16,
                imm: 0,
            }]
        }
        InsnForm::LdImm64 => vec![
            Insn {
                code: 0x18,
                dst: 1,
                src: 0,
                off: 0,
                imm: val as u32 as i32,
            },
            Insn {
                code: 0,
                dst: 0,
                src: 0,
                off: 0,
                imm: (val >> 32) as u32 as i32,
            },
        ],
        _ => vec![Insn {
            code: 0xb7,
            dst: 1,
            src: 0,
            off: 0,
            imm: val as i32,
        }],
    }
}

/// What libbpf does with each record against `target` (a kernel alone), in the release
/// `reloc` reproduces by default, so that `access` and `reloc` agree on the same kernel.
pub fn relocate<'a>(
    obj: &'a ObjectBtf,
    records: &[LocalRecord],
    target: &'a Btf,
) -> Vec<Processed<'a>> {
    relocate_on(obj, records, &Target::kernel(target), Libbpf::default())
}

/// What libbpf release `libbpf` does with each record against `target` (a kernel and the
/// modules searched after it).
pub fn relocate_on<'a>(
    obj: &'a ObjectBtf,
    records: &[LocalRecord],
    target: &Target<'a>,
    libbpf: Libbpf,
) -> Vec<Processed<'a>> {
    let mut cache = CandidateCache::new();
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let local = local_side(obj, r, i);
            let res = local.result.as_ref().ok();
            let mut insns = instruction(r.form, compiled_value(obj, r, res), res);
            relocate_record(
                &obj.btf,
                target,
                libbpf,
                &mut cache,
                PROG,
                i,
                &r.core_relo(0),
                &mut insns,
                0,
            )
        })
        .collect()
}
