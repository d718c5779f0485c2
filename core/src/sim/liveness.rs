//! Which registers may still be read before being written, per instruction (static
//! liveness, like the kernel's `compute_live_registers`). Pruning ignores a dead register:
//! two states that differ only there behave the same from that instruction on.
//!
//! Calls are opaque here: a call reads r1–r5 and writes r0–r5 in the caller's frame, and
//! `exit` reads r0. A function's frame is analysed on its own; jumps never leave a function
//! in a program the kernel accepts, and a jump out of the program reads nothing.

use super::link::LinkedProgram;
use crate::insn::{AluOp, Class, Insn, JmpOp, Mode};

/// Registers r0–r9 as bits (r10, the frame pointer, is never written).
pub type RegSet = u16;

const ALL: RegSet = 0x3ff;
const ARGS: RegSet = 0b11_1110;
const CLOBBERED: RegSet = 0b11_1111;

fn bit(r: u8) -> RegSet {
    if r < 10 {
        1 << r
    } else {
        0
    }
}

/// Live registers on entry to each instruction of a linked program.
#[derive(Debug, Clone, Default)]
pub struct Liveness {
    live_in: Vec<RegSet>,
}

impl Liveness {
    /// Registers live on entry to instruction `pc` (all of them outside the program).
    pub fn live_in(&self, pc: usize) -> RegSet {
        self.live_in.get(pc).copied().unwrap_or(ALL)
    }

    /// The caller's registers that matter while a callee runs, given the caller's return
    /// point: r6–r9 as live there (r0 is the callee's result, r1–r5 are unreadable).
    pub fn live_across_call(&self, return_to: usize) -> RegSet {
        self.live_in(return_to) & !CLOBBERED
    }

    /// Computes liveness by a backward fixed point over the instructions.
    pub fn compute(prog: &LinkedProgram) -> Liveness {
        let insns = &prog.insns;
        let n = insns.len();
        let effects: Vec<(RegSet, RegSet, [Option<usize>; 2])> =
            (0..n).map(|pc| effect(insns, pc)).collect();
        // Predecessors, for a worklist.
        let mut preds: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (pc, (_, _, succ)) in effects.iter().enumerate() {
            for s in succ.iter().flatten() {
                preds[*s].push(pc as u32);
            }
        }
        let mut live_in = vec![0 as RegSet; n];
        let mut queued = vec![true; n];
        let mut work: Vec<usize> = (0..n).collect();
        while let Some(pc) = work.pop() {
            queued[pc] = false;
            let (uses, defs, succ) = effects[pc];
            let out = succ.iter().flatten().fold(0, |acc, &s| acc | live_in[s]);
            let new = uses | (out & !defs);
            if new != live_in[pc] {
                live_in[pc] = new;
                for &p in &preds[pc] {
                    if !queued[p as usize] {
                        queued[p as usize] = true;
                        work.push(p as usize);
                    }
                }
            }
        }
        Liveness { live_in }
    }
}

/// The instructions where the walk checks whether a kept state covers the current one, and
/// keeps the current one (the verifier's prune points, `mark_prune_point` in `check_cfg`):
/// jump targets, both sides of a conditional jump, the instruction after a call, and each
/// function's first instruction.
pub fn prune_points(prog: &LinkedProgram) -> Vec<bool> {
    let insns = &prog.insns;
    let n = insns.len();
    let mut out = vec![false; n];
    let mut mark = |t: i64| {
        if let Some(p) = usize::try_from(t).ok().and_then(|t| out.get_mut(t)) {
            *p = true;
        }
    };
    for f in &prog.funcs {
        mark(f.start as i64);
    }
    for (pc, insn) in insns.iter().enumerate() {
        if !matches!(insn.class(), Class::Jmp | Class::Jmp32) {
            continue;
        }
        match JmpOp::of(insn.code) {
            JmpOp::Exit => {}
            JmpOp::Call => mark(pc as i64 + 1),
            JmpOp::Ja => {
                if let Some(t) = insn.jump_target(pc) {
                    mark(t);
                }
            }
            _ => {
                mark(pc as i64 + 1);
                if let Some(t) = insn.jump_target(pc) {
                    mark(t);
                }
            }
        }
    }
    out
}

/// (registers read, registers written, successors) of the instruction at `pc`.
fn effect(insns: &[Insn], pc: usize) -> (RegSet, RegSet, [Option<usize>; 2]) {
    let insn = insns[pc];
    let n = insns.len();
    let at = |t: i64| usize::try_from(t).ok().filter(|&t| t < n);
    let next = at(pc as i64 + 1);
    let (d, s) = (bit(insn.dst), bit(insn.src));
    match insn.class() {
        Class::Alu | Class::Alu64 => {
            let reg_src = insn.code & 0x08 != 0;
            match AluOp::of(insn.code) {
                AluOp::Mov => (if reg_src { s } else { 0 }, d, [next, None]),
                AluOp::Neg | AluOp::End => (d, d, [next, None]),
                _ => (d | if reg_src { s } else { 0 }, d, [next, None]),
            }
        }
        Class::Ld if insn.is_ld_imm64() => (0, d, [at(pc as i64 + 2), None]),
        // LD_ABS/LD_IND read the context from r6 and clobber r0-r5.
        Class::Ld => {
            let ind = if Mode::of(insn.code) == Mode::Ind {
                s
            } else {
                0
            };
            (bit(6) | ind, CLOBBERED, [next, None])
        }
        Class::Ldx => (s, d, [next, None]),
        Class::St => (d, 0, [next, None]),
        Class::Stx if Mode::of(insn.code) == Mode::Atomic => {
            // Fetching atomics write the old value to src (cmpxchg: to r0, comparing r0).
            let cmpxchg = insn.imm == 0xf1;
            let fetch = insn.imm & 1 != 0 || insn.imm == 0xe1;
            let uses = d | s | if cmpxchg { bit(0) } else { 0 };
            let defs = if cmpxchg {
                bit(0)
            } else if fetch {
                s
            } else {
                0
            };
            (uses, defs, [next, None])
        }
        Class::Stx => (d | s, 0, [next, None]),
        Class::Jmp | Class::Jmp32 => match JmpOp::of(insn.code) {
            JmpOp::Exit => (bit(0), 0, [None, None]),
            JmpOp::Call => (ARGS, CLOBBERED, [next, None]),
            JmpOp::Ja => (0, 0, [insn.jump_target(pc).and_then(at), None]),
            JmpOp::Jcond => (0, 0, [next, insn.jump_target(pc).and_then(at)]),
            op if op.is_conditional() => {
                let uses = d | if insn.code & 0x08 != 0 { s } else { 0 };
                (uses, 0, [next, insn.jump_target(pc).and_then(at)])
            }
            _ => (0, 0, [None, None]),
        },
        Class::Unknown(_) => (0, 0, [None, None]),
    }
}
