//! Precision backtracking, as the verifier's `mark_chain_precision`: when a scalar's exact
//! value decides something (a branch, a pointer offset, how many bytes a helper writes), walk
//! the path back instruction by instruction to find every register and stack slot the value
//! came from, and mark them precise in each kept state on the way ([`super::prune::Marks`]).
//! Pruning then compares those and ignores the rest.
//!
//! Marking more than needed is always safe (it only prunes less); marking less would let a
//! path be pruned against a state that decided differently. So where an instruction's effect
//! is not modelled exactly here (atomics, partial slot writes), its inputs are all marked.

use super::liveness::RegSet;
use super::prune::{FrameMarks, Marks};
use super::state::{Value, MAX_FRAMES};
use crate::insn::{AluOp, Class, Insn, JmpOp, Mode};

const ARGS: RegSet = 0b11_1110;
const CLOBBERED: RegSet = 0b11_1111;

/// One processed instruction in a path's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The instruction.
    pub pc: u32,
    /// Frame depth executing it.
    pub frame: u8,
    /// Frame depth after it (differs at calls into a function or callback, and at `exit`).
    pub frame_after: u8,
    /// A stack access at a fixed offset: (frame, first slot, last slot).
    pub stack: Option<(u8, u8, u8)>,
}

/// What still has to be made precise, per frame depth.
#[derive(Debug, Clone, Copy, Default)]
pub struct Need(pub Marks);

impl Need {
    /// Nothing needed.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(FrameMarks::is_empty)
    }

    fn frame(&mut self, f: u8) -> &mut FrameMarks {
        &mut self.0[usize::from(f).min(MAX_FRAMES - 1)]
    }

    fn has_reg(&mut self, f: u8, r: u8) -> bool {
        r < 10 && self.frame(f).regs & (1 << r) != 0
    }

    fn set_reg(&mut self, f: u8, r: u8) {
        if r < 10 {
            self.frame(f).regs |= 1 << r;
        }
    }

    fn clear_reg(&mut self, f: u8, r: u8) {
        if r < 10 {
            self.frame(f).regs &= !(1 << r);
        }
    }

    fn slots(stack: (u8, u8, u8)) -> u64 {
        let (_, a, b) = stack;
        (u64::from(a)..=u64::from(b).min(63)).fold(0, |m, s| m | (1 << s))
    }
}

/// Turns what is needed after `step` into what is needed before it.
pub fn backtrack(insns: &[Insn], step: &Step, need: &mut Need) {
    let Some(&insn) = insns.get(step.pc as usize) else {
        return;
    };
    let f = step.frame;
    let (d, s) = (insn.dst, insn.src);
    let reg_src = insn.code & 0x08 != 0;
    match insn.class() {
        Class::Alu | Class::Alu64 => {
            if !need.has_reg(f, d) {
                return;
            }
            match AluOp::of(insn.code) {
                AluOp::Mov => {
                    need.clear_reg(f, d);
                    if reg_src {
                        need.set_reg(f, s);
                    }
                }
                AluOp::Neg | AluOp::End => {}
                _ => {
                    if reg_src {
                        need.set_reg(f, s);
                    }
                }
            }
        }
        Class::Ld if insn.is_ld_imm64() => need.clear_reg(f, d),
        Class::Ld => {
            // LD_ABS/LD_IND: r0 is a fresh unknown, r1-r5 unreadable.
            need.frame(f).regs &= !CLOBBERED;
        }
        Class::Ldx => {
            if need.has_reg(f, d) {
                need.clear_reg(f, d);
                if let Some(st) = step.stack {
                    need.frame(st.0).slots |= Need::slots(st);
                }
            }
        }
        Class::St | Class::Stx => {
            let Some(st) = step.stack else { return };
            let mask = Need::slots(st);
            if Mode::of(insn.code) == Mode::Atomic {
                // Old value, operand and slot all depend on each other.
                let cmpxchg = insn.imm == 0xf1;
                let touched = need.frame(st.0).slots & mask != 0
                    || need.has_reg(f, s)
                    || (cmpxchg && need.has_reg(f, 0));
                if touched {
                    need.frame(st.0).slots |= mask;
                    need.set_reg(f, s);
                    if cmpxchg {
                        need.set_reg(f, 0);
                    }
                }
                return;
            }
            if need.frame(st.0).slots & mask == 0 {
                return;
            }
            // A whole-slot write replaces the slot; anything narrower keeps part of it.
            if st.1 == st.2 && crate::insn::Size::of(insn.code).bytes() == 8 {
                need.frame(st.0).slots &= !mask;
            }
            if insn.class() == Class::Stx {
                need.set_reg(f, s);
            }
        }
        Class::Jmp | Class::Jmp32 => match JmpOp::of(insn.code) {
            JmpOp::Call => {
                let into = step.frame_after == f + 1;
                if into && insn.is_pseudo_call() {
                    // bpf-to-bpf call: the callee's arguments are the caller's r1-r5.
                    let callee = need.frame(f + 1).regs & ARGS;
                    need.frame(f).regs |= callee;
                    *need.frame(f + 1) = FrameMarks::default();
                } else {
                    if into {
                        // A callback's frame starts with fresh unknown arguments.
                        *need.frame(f + 1) = FrameMarks::default();
                    }
                    // A helper's result is fresh; r1-r5 are unreadable after any call.
                    need.frame(f).regs &= !CLOBBERED;
                }
            }
            JmpOp::Exit if step.frame_after + 1 == f => {
                // Back into the callee: the caller's r0 is the callee's.
                let caller = step.frame_after;
                let r0 = need.frame(caller).regs & 1;
                need.frame(caller).regs &= !CLOBBERED;
                *need.frame(f) = FrameMarks { regs: r0, slots: 0 };
            }
            // Each side's refinement of one register depends on the other.
            op if op.is_conditional() && reg_src && (need.has_reg(f, d) || need.has_reg(f, s)) => {
                need.set_reg(f, d);
                need.set_reg(f, s);
            }
            _ => {}
        },
        Class::Unknown(_) => {}
    }
}

/// Adds `need` to the marks of a checkpoint whose register values `regs_of` gives (`None`
/// when it kept no state): only scalars can be precise. Returns whether anything new was
/// marked; if not, everything above was marked when these marks were (the walk up stops).
pub fn mark(
    marks: &mut Marks,
    need: &mut Need,
    regs_of: impl Fn(usize, usize) -> Option<Value>,
) -> bool {
    let mut new = false;
    for (fi, fm) in need.0.iter_mut().enumerate() {
        for r in 0..10 {
            if fm.regs & (1 << r) == 0 {
                continue;
            }
            match regs_of(fi, r) {
                // A pointer or an unreadable register is not a scalar to be precise about.
                Some(Value::Ptr(_) | Value::Uninit) => fm.regs &= !(1 << r),
                // A scalar (or, in a checkpoint that kept no state, whatever it was).
                _ if marks[fi].regs & (1 << r) == 0 => {
                    marks[fi].regs |= 1 << r;
                    new = true;
                }
                _ => {}
            }
        }
        if fm.slots & !marks[fi].slots != 0 {
            marks[fi].slots |= fm.slots;
            new = true;
        }
    }
    new
}
