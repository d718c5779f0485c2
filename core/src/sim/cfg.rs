//! The control-flow graph of a linked program: basic blocks and the edges between them, for
//! views that draw the flow (the playground's Guarding area).
//!
//! A block starts at a function's first instruction, at a jump target, and after any jump,
//! `exit` or poisoned call; it ends before the next start. A poisoned call (CO-RE or kfunc)
//! ends its block with no successor: the verifier stops there, so nothing after it in the
//! block is reached through it. A bpf-to-bpf call does not end a block: it gets a `Call`
//! edge to the callee's entry and the block continues after it (the call returns).
//!
//! Pure and linear in the program's length; jumps that leave the program get no edge.

use super::link::LinkedProgram;
use crate::insn::{Class, Insn, JmpOp};

/// Why control goes from one block to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// The next instruction: a conditional jump not taken, or a block cut by a jump target.
    Fallthrough,
    /// A conditional jump taken.
    Taken,
    /// An unconditional jump (`goto`).
    Jump,
    /// A bpf-to-bpf call to the callee's entry block.
    Call,
}

/// One edge between blocks (indices into [`Cfg::blocks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edge {
    /// The block control leaves.
    pub from: usize,
    /// The block control enters.
    pub to: usize,
    /// How.
    pub kind: EdgeKind,
}

/// A maximal straight-line run of instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// First instruction (linked index).
    pub start: usize,
    /// One past the last instruction.
    pub end: usize,
    /// The function it belongs to (index into [`LinkedProgram::funcs`]; 0 when none does).
    pub func: usize,
}

/// Basic blocks in instruction order, and their edges (sorted by source block, then kind).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cfg {
    /// The blocks, in instruction order; together they cover every instruction once.
    pub blocks: Vec<Block>,
    /// The edges.
    pub edges: Vec<Edge>,
}

impl Cfg {
    /// The block holding instruction `insn`.
    pub fn block_of(&self, insn: usize) -> Option<usize> {
        let i = self
            .blocks
            .partition_point(|b| b.start <= insn)
            .checked_sub(1)?;
        (insn < self.blocks[i].end).then_some(i)
    }

    /// The edges leaving block `b`.
    pub fn successors(&self, b: usize) -> impl Iterator<Item = &Edge> + '_ {
        let lo = self.edges.partition_point(|e| e.from < b);
        self.edges[lo..].iter().take_while(move |e| e.from == b)
    }
}

/// What an instruction does to the flow.
enum Flow {
    /// Continues with the next instruction.
    Next,
    /// A conditional jump to this slot (falls through otherwise).
    Branch(usize),
    /// An unconditional jump to this slot.
    Goto(usize),
    /// A bpf-to-bpf call of the function at this slot; returns to the next instruction.
    Call(usize),
    /// Ends the path: `exit`, a poisoned call, or a jump out of the program.
    End,
}

fn flow(p: &LinkedProgram, at: usize) -> Flow {
    let insn = &p.insns[at];
    let n = p.insns.len();
    let in_range = |t: i64| usize::try_from(t).ok().filter(|&t| t < n);
    if insn.is_poison() || p.poisoned_kfuncs.contains_key(&at) || insn.is_exit() {
        return Flow::End;
    }
    if insn.is_pseudo_call() {
        let target = at as i64 + 1 + i64::from(insn.imm);
        return in_range(target).map_or(Flow::Next, Flow::Call);
    }
    let Some(target) = insn.jump_target(at) else {
        return Flow::Next;
    };
    let is_goto = JmpOp::of(insn.code) == JmpOp::Ja;
    match (in_range(target), is_goto) {
        (Some(t), true) => Flow::Goto(t),
        (Some(t), false) => Flow::Branch(t),
        (None, true) => Flow::End,
        // A conditional jump out of the program still falls through.
        (None, false) => Flow::Next,
    }
}

/// Slots that continue the previous instruction (the second half of an `LD_IMM64`).
fn second_halves(insns: &[Insn]) -> Vec<bool> {
    let mut out = vec![false; insns.len()];
    let mut i = 0;
    while i < insns.len() {
        if insns[i].is_ld_imm64() && i + 1 < insns.len() {
            out[i + 1] = true;
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

/// Builds the control-flow graph of `p`.
pub fn build(p: &LinkedProgram) -> Cfg {
    let n = p.insns.len();
    if n == 0 {
        return Cfg::default();
    }
    let half = second_halves(&p.insns);
    let mut leader = vec![false; n];
    leader[0] = true;
    for f in &p.funcs {
        if f.start < n {
            leader[f.start] = true;
        }
    }
    for (at, &second) in half.iter().enumerate() {
        if second {
            continue;
        }
        let next = at + if p.insns[at].is_ld_imm64() { 2 } else { 1 };
        match flow(p, at) {
            Flow::Next => {}
            Flow::Call(t) => leader[t] = true,
            Flow::Branch(t) | Flow::Goto(t) => {
                leader[t] = true;
                if next < n {
                    leader[next] = true;
                }
            }
            Flow::End => {
                if next < n {
                    leader[next] = true;
                }
            }
        }
    }
    let func_of = |at: usize| {
        p.funcs
            .iter()
            .position(|f| at >= f.start && at < f.start + f.len)
            .unwrap_or(0)
    };
    let mut blocks = Vec::new();
    let mut start = 0;
    for (at, &lead) in leader.iter().enumerate().skip(1).chain([(n, &true)]) {
        if lead {
            blocks.push(Block {
                start,
                end: at,
                func: func_of(start),
            });
            start = at;
        }
    }
    let mut cfg = Cfg {
        blocks,
        edges: Vec::new(),
    };
    let mut edges = Vec::new();
    for (b, block) in cfg.blocks.iter().enumerate() {
        // The block's last instruction (the first slot of a trailing LD_IMM64).
        let mut last = block.end - 1;
        if half[last] && last > block.start {
            last -= 1;
        }
        let after = cfg.block_of(block.end).filter(|_| block.end < n);
        let mut add = |to: Option<usize>, kind| {
            if let Some(to) = to {
                edges.push(Edge { from: b, to, kind });
            }
        };
        match flow(p, last) {
            Flow::Next => add(after, EdgeKind::Fallthrough),
            Flow::Call(t) => {
                add(cfg.block_of(t), EdgeKind::Call);
                add(after, EdgeKind::Fallthrough);
            }
            Flow::Branch(t) => {
                add(after, EdgeKind::Fallthrough);
                add(cfg.block_of(t), EdgeKind::Taken);
            }
            Flow::Goto(t) => add(cfg.block_of(t), EdgeKind::Jump),
            Flow::End => {}
        }
        // Calls inside the block (not last) also enter their callee.
        for (at, &second) in half.iter().enumerate().take(last).skip(block.start) {
            if let (false, Flow::Call(t)) = (second, flow(p, at)) {
                add(cfg.block_of(t), EdgeKind::Call);
            }
        }
    }
    crate::sorting::sort_by_key(&mut edges, |e| (e.from, e.kind as u8, e.to));
    edges.dedup();
    cfg.edges = edges;
    cfg
}

/// Whether `insn` is a conditional jump (the instructions the verifier may decide).
pub fn is_conditional(insn: &Insn) -> bool {
    matches!(insn.class(), Class::Jmp | Class::Jmp32)
        && !matches!(JmpOp::of(insn.code), JmpOp::Ja | JmpOp::Call | JmpOp::Exit)
}

#[cfg(test)]
mod tests;
