//! `bpf_core_patch_insn`: applies a [`RelocResult`] to the relocated instruction — the only
//! place CO-RE changes code (spec/core-spec.md §3.13–3.14).
//!
//! By instruction class: ALU/ALU64 immediates, LDX/ST/STX offsets (and access sizes), the
//! 64-bit constant of LD_IMM64; anything else is an error. A poisoned instruction becomes
//! `call 0xbad2310` (both halves of an LD_IMM64, the second first).

use crate::insn::{opcode::Size, Class, Insn};

use super::calc::RelocResult;
use super::log::{self, Errno, InsnForm, LogLine};

/// Why an instruction was poisoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoisonCause {
    /// The calculation asked for it: no candidate had the field or enumerator.
    NoMatch,
    /// Patching refused an LDX/ST/STX access-size change that would change the value read.
    MemSizeAdjust,
}

/// What patching did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patched {
    /// The instruction now carries the new value.
    Value,
    /// The instruction was replaced by the poison call.
    Poisoned(PoisonCause),
}

/// The record of one patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchReport {
    /// The instruction's index in its program.
    pub insn_idx: u32,
    /// The slot(s) before (two for LD_IMM64).
    pub before: Vec<Insn>,
    /// The slot(s) after; on error, as far as libbpf got (an LDX offset is written before
    /// its size checks).
    pub after: Vec<Insn>,
    /// The outcome.
    pub result: Result<Patched, Errno>,
    /// libbpf's log lines.
    pub log: Vec<LogLine>,
}

impl PatchReport {
    /// Whether the instruction bytes changed.
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// Patches instruction `insn_idx` of `insns` (the program's instructions) with `res`.
pub fn patch_insn(
    prog: &str,
    relo_idx: usize,
    insns: &mut [Insn],
    insn_idx: usize,
    res: &RelocResult,
) -> PatchReport {
    let idx = insn_idx as u32;
    let slots = match insns.get(insn_idx) {
        Some(i) if i.is_ld_imm64() => 2,
        _ => 1,
    };
    let end = (insn_idx + slots).min(insns.len());
    let before: Vec<Insn> = insns.get(insn_idx..end).unwrap_or(&[]).to_vec();
    let mut log = Vec::new();
    let result = patch_slots(prog, relo_idx, insns, insn_idx, res, &mut log);
    let after = insns.get(insn_idx..end).unwrap_or(&[]).to_vec();
    PatchReport {
        insn_idx: idx,
        before,
        after,
        result,
        log,
    }
}

fn patch_slots(
    prog: &str,
    relo: usize,
    insns: &mut [Insn],
    at: usize,
    res: &RelocResult,
    log: &mut Vec<LogLine>,
) -> Result<Patched, Errno> {
    let idx = at as u32;
    let Some(&insn) = insns.get(at) else {
        return Err(Errno::EINVAL);
    };
    if res.poison {
        poison(prog, relo, insns, at, log);
        return Ok(Patched::Poisoned(PoisonCause::NoMatch));
    }
    let (orig, new) = (res.orig_val, res.new_val);
    match insn.class() {
        Class::Alu | Class::Alu64 => {
            // Only the immediate form (`BPF_K`) carries a value.
            if insn.code & 0x08 != 0 {
                return Err(Errno::EINVAL);
            }
            let imm = i64::from(insn.imm) as u64;
            if res.validate && imm != orig {
                // libbpf prints the immediate with %u.
                let got = u64::from(insn.imm as u32);
                log.push(log::unexpected_value(
                    prog,
                    relo,
                    idx,
                    InsnForm::Alu,
                    got,
                    orig,
                    new,
                ));
                return Err(Errno::EINVAL);
            }
            insns[at].imm = new as i32;
            log.push(log::patched(prog, relo, idx, InsnForm::Alu, imm, new));
            Ok(Patched::Value)
        }
        Class::Ldx | Class::St | Class::Stx => {
            let off = i64::from(insn.off) as u64;
            if res.validate && off != orig {
                // A C short promoted to int, printed with %u.
                let got = u64::from(i32::from(insn.off) as u32);
                log.push(log::unexpected_value(
                    prog,
                    relo,
                    idx,
                    InsnForm::Mem,
                    got,
                    orig,
                    new,
                ));
                return Err(Errno::EINVAL);
            }
            if new > i16::MAX as u64 {
                log.push(log::offset_too_big(prog, relo, idx, new));
                return Err(Errno::ERANGE);
            }
            if res.fail_memsz_adjust {
                log.push(log::memsz_refused(prog, relo, idx));
                poison(prog, relo, insns, at, log);
                return Ok(Patched::Poisoned(PoisonCause::MemSizeAdjust));
            }
            insns[at].off = new as i16;
            log.push(log::patched(prog, relo, idx, InsnForm::Mem, off, new));
            if res.new_sz != res.orig_sz {
                let size = Size::of(insn.code).bytes();
                if size != res.orig_sz {
                    log.push(log::unexpected_mem_size(
                        prog,
                        relo,
                        idx,
                        size as i32,
                        res.orig_sz,
                    ));
                    return Err(Errno::EINVAL);
                }
                let Some(new_size) = Size::from_bytes(res.new_sz) else {
                    log.push(log::invalid_new_mem_size(prog, relo, idx, res.new_sz));
                    return Err(Errno::EINVAL);
                };
                // Keep mode and class, replace the size.
                insns[at].code = (insn.code & 0xe7) | new_size.bits();
                log.push(log::patched_mem_size(
                    prog,
                    relo,
                    idx,
                    res.orig_sz,
                    res.new_sz,
                ));
            }
            Ok(Patched::Value)
        }
        Class::Ld => {
            let second = insns.get(at + 1).copied();
            let well_formed = insn.is_ld_imm64()
                && insn.src == 0
                && insn.off == 0
                && second.is_some_and(|s| s.code == 0 && s.dst == 0 && s.src == 0 && s.off == 0);
            let Some(second) = second.filter(|_| well_formed) else {
                log.push(log::ldimm64_form(prog, relo, idx));
                return Err(Errno::EINVAL);
            };
            let imm = Insn::imm64(&insn, &second);
            if res.validate && imm != orig {
                log.push(log::unexpected_value(
                    prog,
                    relo,
                    idx,
                    InsnForm::LdImm64,
                    imm,
                    orig,
                    new,
                ));
                return Err(Errno::EINVAL);
            }
            insns[at].imm = new as u32 as i32;
            insns[at + 1].imm = (new >> 32) as u32 as i32;
            log.push(log::patched(prog, relo, idx, InsnForm::LdImm64, imm, new));
            Ok(Patched::Value)
        }
        _ => {
            log.push(log::unrecognized_insn(prog, relo, idx, &insn));
            Err(Errno::EINVAL)
        }
    }
}

/// `bpf_core_poison_insn`, for one or both slots. The second slot of an LD_IMM64 goes first
/// so the verifier never sees an orphaned half. (libbpf writes past the program when an
/// LD_IMM64 is its last slot; here only the slots that exist are poisoned.)
fn poison(prog: &str, relo: usize, insns: &mut [Insn], at: usize, log: &mut Vec<LogLine>) {
    if insns[at].is_ld_imm64() {
        if let Some(second) = insns.get_mut(at + 1) {
            log.push(log::poisoning(prog, relo, at as u32 + 1));
            *second = Insn::poison();
        }
    }
    log.push(log::poisoning(prog, relo, at as u32));
    insns[at] = Insn::poison();
}
