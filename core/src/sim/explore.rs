//! The exploration: every feasible path through a linked program, as the verifier's
//! `do_check` walks them, marking each instruction it processes (`seen`).
//!
//! One path at a time, depth-first, fall-through first (the verifier pushes the jump target
//! and continues with the next instruction); a conditional jump whose outcome the abstract
//! state decides follows only that side. Paths end at `exit` of the outermost frame (or of a
//! callback), at a poisoned call, or where a state kept earlier at the same instruction
//! covers the current one ([`super::prune`]; pruning never hides an instruction: the earlier
//! state reaches everything this one could). Calls change what they write: a helper forgets
//! the stack bytes it may write through its pointer arguments ([`super::helpers`]), an
//! unknown kfunc everything reachable through its pointer arguments, and a function passed
//! as a callback is walked in a frame of its own.
//!
//! Work is bounded by [`Limits`]: no recursion, a step budget (the kernel's 1,000,000
//! processed instructions: beyond it the kernel rejects the program as too complex), a cap
//! on waiting paths and on kept states.

use std::collections::HashMap;

use super::alu::{alu32, alu64};
use super::branch::{refine, scalar_taken};
use super::helpers::{helper, Arg, Helper};
use super::link::{LdImm, LinkedProgram};
use super::liveness::{prune_points, Liveness};
use super::precise::{backtrack, mark, Need, Step};
use super::prune::{constrained, covers, Marks, Mode};
use super::scalar::Scalar;
use super::state::{
    ByteKind, Frame, Origin, Ptr, PtrKind, State, Value, MAX_FRAMES, SLOTS, STACK_SIZE,
};
use crate::insn::opcode::{PSEUDO_CALL, PSEUDO_KFUNC_CALL};
use crate::insn::{AluOp, Class, Insn, JmpOp, Mode as LdMode, Size, POISON_IMM};

/// The kernel's complexity limit (`BPF_COMPLEXITY_LIMIT_INSNS`): a program whose walk
/// processes more instructions is rejected ("BPF program is too large").
pub const KERNEL_STEP_LIMIT: u64 = 1_000_000;

/// Bounds on one program's exploration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Instructions processed in all (the kernel's limit is [`KERNEL_STEP_LIMIT`]).
    pub max_steps: u64,
    /// Paths waiting to be explored.
    pub max_pending: usize,
    /// States kept for pruning (memory; beyond it no new state is kept, which only prunes
    /// less).
    pub max_states: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: KERNEL_STEP_LIMIT,
            max_pending: 65_536,
            max_states: 65_536,
        }
    }
}

/// States kept at one instruction at most (the newest are not kept beyond it).
const MAX_STATES_PER_INSN: usize = 64;

/// What the exploration needs besides the program.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// Per object map: the value image when the map is read-only and frozen.
    pub frozen: Vec<Option<Vec<u8>>>,
    /// The `.kconfig` map index and its variables.
    pub kconfig: Option<(u16, Vec<KconfigSpan>)>,
    /// CO-RE relocation sites by linked instruction (to name what decided a branch).
    pub sites: HashMap<usize, u32>,
}

/// A `.kconfig` variable's (offset, size, index in the kconfig layout).
pub type KconfigSpan = (u32, u32, u32);

/// What was seen at one conditional jump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BranchSeen {
    /// Some path went to the jump target.
    pub taken: bool,
    /// Some path fell through.
    pub fallthrough: bool,
    /// Some path had the outcome decided by the abstract state.
    pub decided: bool,
    /// Some path could not decide it.
    pub undecided: bool,
    /// What decided it (the first decided path's constant origin).
    pub decided_by: Option<Origin>,
}

/// Why a path stopped with an error (a reason for the kernel to reject the program).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// A CO-RE-poisoned call (`call 195896080`).
    CorePoison,
    /// A call of an unresolved weak kfunc (`call 2002000000+N`).
    KfuncPoison,
    /// A call of a map libbpf did not create (`call 2001000000+N`).
    MapPoison,
    /// Something else the kernel refuses (call depth, jump out of range, …).
    Other(String),
}

/// Why a walk stopped before exploring every path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exhausted {
    /// The step budget ran out ([`Limits::max_steps`]).
    Steps,
    /// Too many paths were waiting ([`Limits::max_pending`]).
    Pending,
}

/// The result of exploring one linked program.
#[derive(Debug, Clone, Default)]
pub struct Exploration {
    /// Instructions processed on some path.
    pub seen: Vec<bool>,
    /// Conditional jumps reached, by instruction.
    pub branches: HashMap<usize, BranchSeen>,
    /// Error stops in the order the verifier's walk meets them.
    pub stops: Vec<(usize, Stop)>,
    /// The walk ended before every path was explored, and why.
    pub exhausted: Option<Exhausted>,
    /// Instructions processed (the verifier's `processed N insns` counts the same way).
    pub steps: u64,
    /// Global functions verified on their own (by function start).
    pub globals: Vec<usize>,
    /// Paths pruned because a kept state covered them.
    pub pruned: u64,
    /// States kept for pruning.
    pub kept: usize,
}

/// A state kept at a prune point: what it was, where it came from, and what of it mattered.
#[derive(Debug)]
struct Checkpoint {
    /// The state (not kept beyond the memory caps: then it only carries marks).
    state: Option<State>,
    /// The checkpoint this one's path came from.
    parent: Option<u32>,
    /// Paths still running below it (0: finished, its marks are complete).
    branches: u32,
    /// Precise registers and slots.
    marks: Marks,
    /// The instructions from the parent checkpoint to this one.
    hist: Vec<Step>,
    /// Checkpoints above it.
    depth: u32,
    /// [`Path::loops`] when it was kept.
    loops: u32,
}

/// One path being walked.
#[derive(Debug, Clone)]
struct Path {
    pc: usize,
    st: State,
    /// The last checkpoint on the path.
    cp: u32,
    /// Instructions processed since it.
    hist: Vec<Step>,
    /// Iterator calls and `may_goto`s so far: a loop through them is not an infinite loop
    /// for the verifier (their states differ in what it tracks and this model does not).
    loops: u32,
    /// `pc` is a prune point not yet checked (a new branch); `false` for a paused path.
    arriving: bool,
}

impl Path {
    /// The other side of a jump at `pc`: a new branch from this path's state `st`, at
    /// `target`, with the jump in its history.
    fn branch(&self, pc: usize, target: usize, st: State) -> Path {
        let frame = (self.st.frames.len() - 1) as u8;
        let mut hist = self.hist.clone();
        hist.push(Step {
            pc: pc as u32,
            frame,
            frame_after: frame,
            stack: None,
        });
        Path {
            pc: target,
            st,
            cp: self.cp,
            hist,
            loops: self.loops,
            arriving: true,
        }
    }
}

/// Where a processed instruction sends its path.
enum Next {
    /// The next instruction in line.
    Go(usize),
    /// A jump target, a call target or a return point: a prune point.
    Arrive(usize),
    /// The path ended.
    End,
}

struct Explorer<'a> {
    prog: &'a LinkedProgram,
    env: &'a Env,
    limits: Limits,
    live: Liveness,
    /// Instructions where states are compared and kept.
    prune_at: Vec<bool>,
    out: Exploration,
    pending: Vec<Path>,
    cps: Vec<Checkpoint>,
    at_insn: HashMap<usize, Vec<u32>>,
    next_id: u32,
    globals_called: Vec<usize>,
    /// Instructions this `resume` may still process.
    quota: u64,
    /// The stack slots the instruction being processed accessed at a fixed offset.
    access: Option<(u8, u8, u8)>,
}

/// A resumable exploration of `prog`: its main function from the program entry, then every
/// global function a path called (each on its own with unknown arguments), as the kernel
/// verifies them. [`Walk::resume`] processes a bounded number of instructions and can be
/// called again (a UI can animate it or stay responsive); the whole walk is bounded by
/// [`Limits`].
pub struct Walk<'a> {
    x: Explorer<'a>,
    globals_started: usize,
}

impl std::fmt::Debug for Walk<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walk")
            .field("steps", &self.x.out.steps)
            .field("pending", &self.x.pending.len())
            .finish()
    }
}

impl<'a> Walk<'a> {
    /// A walk from the program entry (`r1` = context, `r10` = frame pointer).
    pub fn new(prog: &'a LinkedProgram, env: &'a Env, limits: Limits) -> Self {
        let mut x = Explorer {
            prog,
            env,
            limits,
            live: Liveness::compute(prog),
            prune_at: prune_points(prog),
            out: Exploration {
                seen: vec![false; prog.insns.len()],
                ..Default::default()
            },
            pending: Vec::new(),
            cps: Vec::new(),
            at_insn: HashMap::new(),
            next_id: 1,
            globals_called: Vec::new(),
            quota: 0,
            access: None,
        };
        let mut entry = State {
            frames: vec![Frame::new(0)],
        };
        entry.cur().regs[1] = Value::Ptr(Ptr::new(PtrKind::Ctx));
        x.start(0, entry);
        Walk {
            x,
            globals_started: 0,
        }
    }

    /// Processes at most `quota` more instructions; `true` when the walk is complete (every
    /// path explored, or a limit of [`Limits`] reached).
    pub fn resume(&mut self, quota: u64) -> bool {
        let x = &mut self.x;
        x.quota = quota;
        loop {
            while let Some(p) = x.pending.pop() {
                if x.out.exhausted.is_some() {
                    return true;
                }
                x.path(p);
                if x.quota == 0 && !x.pending.is_empty() {
                    return false;
                }
            }
            if x.out.exhausted.is_some() || self.globals_started >= x.globals_called.len() {
                return true;
            }
            let start = x.globals_called[self.globals_started];
            self.globals_started += 1;
            x.out.globals.push(start);
            let mut st = State {
                frames: vec![Frame::new(0)],
            };
            for r in 1..=5 {
                st.cur().regs[r] = Value::UNKNOWN;
            }
            x.start(start, st);
        }
    }

    /// What the walk has found so far.
    pub fn progress(&self) -> &Exploration {
        &self.x.out
    }

    /// The result (complete when the last `resume` returned `true`).
    pub fn finish(self) -> Exploration {
        self.x.out
    }
}

/// Explores `prog` to the end (see [`Walk`]).
pub fn explore(prog: &LinkedProgram, env: &Env, limits: Limits) -> Exploration {
    let mut w = Walk::new(prog, env, limits);
    while !w.resume(u64::MAX) {}
    w.finish()
}

impl Explorer<'_> {
    /// Queues a walk from `pc` under a fresh root checkpoint.
    fn start(&mut self, pc: usize, st: State) {
        let cp = self.cps.len() as u32;
        self.cps.push(Checkpoint {
            state: None,
            parent: None,
            branches: 1,
            marks: Marks::default(),
            hist: Vec::new(),
            depth: 0,
            loops: 0,
        });
        self.pending.push(Path {
            pc,
            st,
            cp,
            hist: Vec::new(),
            loops: 0,
            arriving: true,
        });
    }

    /// Queues `p` as a new branch of its checkpoint.
    fn fork(&mut self, p: Path) {
        if self.pending.len() >= self.limits.max_pending {
            self.out.exhausted = Some(Exhausted::Pending);
            return;
        }
        self.cps[p.cp as usize].branches += 1;
        self.pending.push(p);
    }

    /// A path ended: its checkpoints finish as their last branch does.
    fn end(&mut self, cp: u32) {
        let mut c = Some(cp);
        while let Some(i) = c {
            let k = &mut self.cps[i as usize];
            k.branches = k.branches.saturating_sub(1);
            if k.branches > 0 {
                return;
            }
            // Finished: no live path will backtrack through it again.
            k.hist = Vec::new();
            c = k.parent;
        }
    }

    /// Marks precise what `need` names before the current instruction of `p`, and where it
    /// came from, in every kept state up the path (`mark_chain_precision`).
    fn mark_precise(&mut self, p: &Path, mut need: Need) {
        let insns = &self.prog.insns;
        for step in p.hist.iter().rev() {
            if need.is_empty() {
                return;
            }
            backtrack(insns, step, &mut need);
        }
        let mut c = Some(p.cp);
        while let Some(i) = c {
            if need.is_empty() {
                return;
            }
            let Checkpoint {
                state,
                marks,
                hist,
                parent,
                ..
            } = &mut self.cps[i as usize];
            let regs_of = |f: usize, r: usize| {
                state
                    .as_ref()
                    .map(|s| s.frames.get(f).map_or(Value::Uninit, |fr| fr.regs[r]))
            };
            if !mark(marks, &mut need, regs_of) {
                // Everything was already precise here, and so above.
                return;
            }
            for step in hist.iter().rev() {
                if need.is_empty() {
                    return;
                }
                backtrack(insns, step, &mut need);
            }
            c = *parent;
        }
    }

    /// Marks precise the scalar registers `regs` of the current frame.
    fn need_regs(&mut self, p: &Path, regs: &[u8]) {
        let f = p.st.frames.len() - 1;
        let mut need = Need::default();
        for &r in regs {
            if r < 10 && matches!(p.st.reg(r), Value::Scalar(..)) {
                need.0[f].regs |= 1 << r;
            }
        }
        if !need.is_empty() {
            self.mark_precise(p, need);
        }
    }

    /// `is_state_visited`: `true` if `p` goes on from its instruction (a new checkpoint is
    /// kept), `false` if a kept state covers it (the path ends).
    fn arrive(&mut self, p: &mut Path) -> bool {
        let pc = p.pc;
        let mut hit: Option<Need> = None;
        if let Some(list) = self.at_insn.get(&pc) {
            for &i in list {
                let c = &self.cps[i as usize];
                let Some(old) = &c.state else { continue };
                if c.branches == 0 {
                    if covers(old, &p.st, Mode::Precise(&c.marks), &self.live, pc) {
                        hit = Some(Need(c.marks));
                        break;
                    }
                } else if covers(old, &p.st, Mode::Full, &self.live, pc) {
                    if c.loops == p.loops
                        && covers(old, &p.st, Mode::Exact, &self.live, pc)
                        && self.is_ancestor(i, p.cp)
                    {
                        // The path came back to a state it was in: the verifier's
                        // "infinite loop detected".
                        self.stop(
                            pc,
                            Stop::Other(format!("infinite loop detected at insn {pc}")),
                        );
                        hit = Some(Need::default());
                    } else {
                        hit = Some(Need(constrained(old, &self.live, pc)));
                    }
                    break;
                }
            }
        }
        if let Some(need) = hit {
            self.out.pruned += 1;
            self.mark_precise(p, need);
            self.end(p.cp);
            return false;
        }
        let kept_here = self.at_insn.get(&pc).map_or(0, Vec::len);
        let keep = self.out.kept < self.limits.max_states && kept_here < MAX_STATES_PER_INSN;
        let i = self.cps.len() as u32;
        let depth = self.cps[p.cp as usize].depth + 1;
        self.cps.push(Checkpoint {
            state: keep.then(|| p.st.clone()),
            parent: Some(p.cp),
            branches: 1,
            marks: Marks::default(),
            hist: std::mem::take(&mut p.hist),
            depth,
            loops: p.loops,
        });
        if keep {
            self.out.kept += 1;
            self.at_insn.entry(pc).or_default().push(i);
        }
        p.cp = i;
        true
    }

    /// Whether checkpoint `a` is on the path that led to checkpoint `c`.
    fn is_ancestor(&self, a: u32, c: u32) -> bool {
        let target = self.cps[a as usize].depth;
        let mut c = Some(c);
        while let Some(i) = c {
            let k = &self.cps[i as usize];
            if i == a {
                return true;
            }
            if k.depth <= target {
                return false;
            }
            c = k.parent;
        }
        false
    }

    fn stop(&mut self, pc: usize, why: Stop) {
        self.out.stops.push((pc, why));
    }

    /// Follows one path until it ends; branches it cannot decide push the other side.
    fn path(&mut self, mut p: Path) {
        if p.arriving && !self.arrive(&mut p) {
            return;
        }
        p.arriving = false;
        loop {
            if self.out.steps >= self.limits.max_steps {
                self.out.exhausted = Some(Exhausted::Steps);
                return;
            }
            if self.quota == 0 {
                // Paused: this path continues at the next `resume` (from a prune point,
                // which it may be pruned at: the same as going on).
                self.pending.push(p);
                return;
            }
            self.quota -= 1;
            self.out.steps += 1;
            let pc = p.pc;
            let Some(&insn) = self.prog.insns.get(pc) else {
                self.stop(pc, Stop::Other(format!("jump out of range to insn {pc}")));
                self.end(p.cp);
                return;
            };
            self.out.seen[pc] = true;
            self.access = None;
            let frame = (p.st.frames.len() - 1) as u8;
            let next = self.step(&mut p, pc, insn);
            if let Next::End = next {
                self.end(p.cp);
                return;
            }
            p.hist.push(Step {
                pc: pc as u32,
                frame,
                frame_after: (p.st.frames.len() - 1) as u8,
                stack: self.access,
            });
            match next {
                Next::Go(n) if !self.prune_at.get(n).copied().unwrap_or(false) => p.pc = n,
                Next::Go(n) | Next::Arrive(n) => {
                    p.pc = n;
                    if !self.arrive(&mut p) {
                        return;
                    }
                }
                Next::End => unreachable!("handled above"),
            }
        }
    }

    /// Executes the instruction at `pc`.
    fn step(&mut self, p: &mut Path, pc: usize, insn: Insn) -> Next {
        match insn.class() {
            Class::Alu | Class::Alu64 => {
                self.alu(p, pc, insn);
                Next::Go(pc + 1)
            }
            Class::Ld if insn.is_ld_imm64() => {
                if let Some(s) = self.out.seen.get_mut(pc + 1) {
                    *s = true;
                }
                let hi = self.prog.insns.get(pc + 1).copied().unwrap_or_default();
                let v = self.ld_imm64(pc, insn, hi);
                p.st.set(insn.dst, v);
                Next::Go(pc + 2)
            }
            Class::Ld => {
                // Legacy packet loads (LD_ABS/LD_IND): r0 = unknown, r1-r5 clobbered, as
                // after a call.
                clobber(&mut p.st, Value::UNKNOWN);
                Next::Go(pc + 1)
            }
            Class::Ldx => {
                let v = self.load(insn, &p.st);
                p.st.set(insn.dst, v);
                Next::Go(pc + 1)
            }
            Class::St | Class::Stx => {
                self.store(insn, &mut p.st);
                Next::Go(pc + 1)
            }
            Class::Jmp | Class::Jmp32 => self.jump(p, pc, insn),
            Class::Unknown(_) => {
                self.stop(
                    pc,
                    Stop::Other(format!("unknown opcode {:#04x}", insn.code)),
                );
                Next::End
            }
        }
    }

    fn origin_at(&self, pc: usize) -> Option<Origin> {
        self.env.sites.get(&pc).map(|&s| Origin::Relo(s))
    }

    fn alu(&mut self, p: &mut Path, pc: usize, insn: Insn) {
        let st = &p.st;
        let wide = insn.class() == Class::Alu64;
        let op = AluOp::of(insn.code);
        let uses_reg = insn.code & 0x08 != 0;
        let src = if uses_reg {
            st.reg(insn.src)
        } else if wide {
            Value::konst(insn.imm as i64 as u64, self.origin_at(pc))
        } else {
            Value::konst(u64::from(insn.imm as u32), self.origin_at(pc))
        };
        let dst = st.reg(insn.dst);
        let mut offset_reg = None;
        let result = match op {
            AluOp::Mov => match (wide, uses_reg, src) {
                (true, true, Value::Scalar(s, o)) if insn.off != 0 => {
                    Value::Scalar(s.sign_extend(u32::from(insn.off as u16), false), o)
                }
                (true, _, v) => v,
                (false, true, Value::Scalar(s, o)) if insn.off != 0 => {
                    Value::Scalar(s.sign_extend(u32::from(insn.off as u16), true).zext32(), o)
                }
                (false, _, Value::Scalar(s, o)) => Value::Scalar(s.zext32(), o),
                (false, _, _) => Value::Scalar(Scalar::UNKNOWN.zext32(), None),
            },
            AluOp::Neg | AluOp::End | AluOp::Unknown(_) => {
                if wide {
                    Value::UNKNOWN
                } else {
                    Value::Scalar(Scalar::UNKNOWN.zext32(), None)
                }
            }
            _ => match (dst, src) {
                (Value::Ptr(ptr), Value::Scalar(s, _))
                    if wide && matches!(op, AluOp::Add | AluOp::Sub) =>
                {
                    if uses_reg && s.as_const().is_some() {
                        offset_reg = Some(insn.src);
                    }
                    Value::Ptr(offset_ptr(ptr, &s, op == AluOp::Sub))
                }
                (Value::Scalar(s, _), Value::Ptr(ptr)) if wide && op == AluOp::Add => {
                    if s.as_const().is_some() {
                        offset_reg = Some(insn.dst);
                    }
                    Value::Ptr(offset_ptr(ptr, &s, false))
                }
                (Value::Ptr(_), _) | (_, Value::Ptr(_)) => Value::UNKNOWN,
                (d, s) => {
                    let origin = d.origin().or(s.origin());
                    let r = if wide {
                        alu64(op, &d.scalar(), &s.scalar())
                    } else {
                        alu32(op, &d.scalar(), &s.scalar())
                    };
                    Value::Scalar(r, if r.as_const().is_some() { origin } else { None })
                }
            },
        };
        // A constant offset makes the pointer exact: what it then reads and writes depends
        // on that constant.
        if let Some(r) = offset_reg {
            self.need_regs(p, &[r]);
        }
        p.st.set(insn.dst, result);
    }

    fn ld_imm64(&mut self, pc: usize, lo: Insn, hi: Insn) -> Value {
        match self.prog.ld.get(&pc) {
            Some(LdImm::Map(m)) => Value::Ptr(Ptr::new(PtrKind::Map { map: *m })),
            Some(LdImm::MapValue { map, off }) => Value::Ptr(Ptr {
                off: i64::from(*off),
                ..Ptr::new(PtrKind::MapValue { map: *map })
            }),
            Some(LdImm::BtfId) => Value::Ptr(Ptr::new(PtrKind::BtfId)),
            Some(LdImm::Zero) => Value::konst(0, None),
            Some(LdImm::Func(start)) => Value::Ptr(Ptr::new(PtrKind::Func {
                start: *start as u32,
            })),
            None => Value::konst(Insn::imm64(&lo, &hi), self.origin_at(pc)),
        }
    }

    /// Records a fixed-offset stack access at `at` of `size` bytes in `frame`.
    fn note_access(&mut self, frame: usize, at: i64, size: u32) {
        if let Some((slot, byte)) = stack_pos(at, size) {
            let last = (slot * 8 + byte + size as usize - 1) / 8;
            self.access = Some((frame as u8, slot as u8, last.min(SLOTS - 1) as u8));
        }
    }

    fn load(&mut self, insn: Insn, st: &State) -> Value {
        let size = Size::of(insn.code).bytes();
        let sx = LdMode::of(insn.code) == LdMode::Memsx;
        let unknown = || {
            if size < 8 && !sx {
                Value::Scalar(Scalar::urange(0, (1u64 << (size * 8)) - 1), None)
            } else {
                Value::UNKNOWN
            }
        };
        let Value::Ptr(p) = st.reg(insn.src) else {
            return unknown();
        };
        if p.var {
            return unknown();
        }
        let at = p.off + i64::from(insn.off);
        let v = match p.kind {
            PtrKind::Stack { frame } => {
                let f = usize::from(frame).min(st.frames.len() - 1);
                self.note_access(f, at, size);
                read_stack(&st.frames[f], at, size)
            }
            PtrKind::MapValue { map } => self.read_frozen(map, at, size),
            _ => None,
        };
        match v {
            Some(Value::Scalar(s, o)) => {
                let s = if sx {
                    s.sign_extend(size * 8, false)
                } else {
                    s.truncate(size)
                };
                Value::Scalar(s, if s.as_const().is_some() { o } else { None })
            }
            Some(v) => v,
            None => unknown(),
        }
    }

    /// A constant read from a read-only, frozen map (`bpf_map_direct_read`).
    fn read_frozen(&self, map: u16, at: i64, size: u32) -> Option<Value> {
        let image = self.env.frozen.get(usize::from(map))?.as_ref()?;
        let start = usize::try_from(at).ok()?;
        let bytes = image.get(start..start.checked_add(size as usize)?)?;
        let v = bytes
            .iter()
            .rev()
            .fold(0u64, |a, &b| (a << 8) | u64::from(b));
        let origin = match &self.env.kconfig {
            Some((m, vars)) if *m == map => vars
                .iter()
                .find(|(off, sz, _)| at >= i64::from(*off) && at < i64::from(off + sz))
                .map(|&(_, _, i)| Origin::Kconfig(i)),
            _ => Some(Origin::Rodata(u32::from(map), start as u32)),
        };
        Some(Value::konst(v, origin))
    }

    fn store(&mut self, insn: Insn, st: &mut State) {
        let size = Size::of(insn.code).bytes();
        let Value::Ptr(p) = st.reg(insn.dst) else {
            return;
        };
        let PtrKind::Stack { frame } = p.kind else {
            return;
        };
        let frame = usize::from(frame).min(st.frames.len() - 1);
        if p.var {
            // A variable-offset write: the kernel marks every slot in range as unknown; this
            // model forgets the whole frame's stack contents.
            st.frames[frame].forget_all();
            if LdMode::of(insn.code) == LdMode::Atomic {
                atomic_result(insn, st);
            }
            return;
        }
        let at = p.off + i64::from(insn.off);
        self.note_access(frame, at, size);
        match (insn.class(), LdMode::of(insn.code)) {
            (Class::Stx, LdMode::Atomic) => {
                write_stack(&mut st.frames[frame], at, size, None);
                atomic_result(insn, st);
            }
            (Class::Stx, _) => {
                let v = st.reg(insn.src);
                write_stack(&mut st.frames[frame], at, size, Some(v));
            }
            _ => {
                let v = Value::konst(insn.imm as i64 as u64, None);
                write_stack(&mut st.frames[frame], at, size, Some(v));
            }
        }
    }

    /// Executes a jump-class instruction.
    fn jump(&mut self, p: &mut Path, pc: usize, insn: Insn) -> Next {
        let jmp32 = insn.class() == Class::Jmp32;
        let op = JmpOp::of(insn.code);
        match op {
            JmpOp::Ja => match target(insn, pc) {
                Some(t) => Next::Arrive(t),
                None => self.out_of_range(pc),
            },
            JmpOp::Exit => {
                if p.st.frames.len() <= 1 {
                    return Next::End;
                }
                let Some(callee) = p.st.frames.pop() else {
                    return Next::End;
                };
                // A callback's frame has nowhere to return to: its path ends here.
                let Some(ret) = callee.return_to else {
                    return Next::End;
                };
                p.st.set(0, callee.regs[0]);
                for r in 1..=5 {
                    p.st.set(r, Value::Uninit);
                }
                Next::Arrive(ret)
            }
            JmpOp::Call => self.call(p, pc, insn),
            JmpOp::Jcond => match target(insn, pc) {
                Some(t) => {
                    p.loops += 1;
                    let other = p.branch(pc, t, p.st.clone());
                    self.fork(other);
                    Next::Arrive(pc + 1)
                }
                None => self.out_of_range(pc),
            },
            _ if op.is_conditional() => self.cond(p, pc, insn, op, jmp32),
            _ => {
                self.stop(
                    pc,
                    Stop::Other(format!("unknown jump opcode {:#04x}", insn.code)),
                );
                Next::End
            }
        }
    }

    fn out_of_range(&mut self, pc: usize) -> Next {
        self.stop(pc, Stop::Other(format!("jump out of range from insn {pc}")));
        Next::End
    }

    fn call(&mut self, p: &mut Path, pc: usize, insn: Insn) -> Next {
        if self.prog.poisoned_kfuncs.contains_key(&pc) {
            self.stop(pc, Stop::KfuncPoison);
            return Next::End;
        }
        if insn.src == PSEUDO_KFUNC_CALL || self.prog.kfuncs.contains_key(&pc) {
            // No table of kfuncs: it may write anything reachable through its pointers.
            p.loops += 1;
            self.forget_through_args(&mut p.st, None);
            self.callbacks(p, pc);
            clobber(&mut p.st, Value::UNKNOWN);
            return Next::Go(pc + 1);
        }
        if insn.src == PSEUDO_CALL {
            let Some(target) = usize::try_from(pc as i64 + 1 + i64::from(insn.imm))
                .ok()
                .filter(|&t| t < self.prog.insns.len())
            else {
                return self.out_of_range(pc);
            };
            let global = self
                .prog
                .funcs
                .iter()
                .any(|f| f.start == target && f.global);
            if global {
                if !self.globals_called.contains(&target) {
                    self.globals_called.push(target);
                }
                // The global function is verified on its own; here it is a call that may
                // write through every pointer it is given.
                self.forget_through_args(&mut p.st, None);
                clobber(&mut p.st, Value::UNKNOWN);
                return Next::Go(pc + 1);
            }
            if !self.room_for_a_frame(pc, &p.st) {
                return Next::End;
            }
            let depth = p.st.frames.len() as u8;
            let mut callee = Frame::new(depth);
            for r in 1..=5 {
                callee.regs[r] = p.st.reg(r as u8);
            }
            callee.return_to = Some(pc + 1);
            callee.callsite = Some(pc);
            p.st.frames.push(callee);
            return Next::Arrive(target);
        }
        match insn.imm {
            POISON_IMM => {
                self.stop(pc, Stop::CorePoison);
                Next::End
            }
            2_001_000_000..=2_001_999_999 => {
                self.stop(pc, Stop::MapPoison);
                Next::End
            }
            2_002_000_000..=2_002_999_999 => {
                self.stop(pc, Stop::KfuncPoison);
                Next::End
            }
            id => {
                let Some(h) = helper(id) else {
                    // The kernel knows no helper of that number.
                    self.stop(pc, Stop::Other(format!("invalid func unknown#{id}")));
                    return Next::End;
                };
                self.size_args_precise(p, h);
                self.forget_through_args(&mut p.st, Some(h));
                self.callbacks(p, pc);
                let r0 = self.helper_result(id, &p.st);
                clobber(&mut p.st, r0);
                Next::Go(pc + 1)
            }
        }
    }

    /// Whether a call at `pc` may push one more frame (`MAX_CALL_FRAMES`); if not, the
    /// kernel's error stops the path.
    fn room_for_a_frame(&mut self, pc: usize, st: &State) -> bool {
        let n = st.frames.len();
        if n < MAX_FRAMES {
            return true;
        }
        let why = format!("the call stack of {} frames is too deep", n + 1);
        self.stop(pc, Stop::Other(why));
        false
    }

    /// The sizes of memory a helper writes decide how much is forgotten: they are precise.
    fn size_args_precise(&mut self, p: &Path, h: &Helper) {
        let regs: Vec<u8> = h
            .args
            .iter()
            .filter_map(|a| match a {
                Arg::MemWrite(n) => Some(*n),
                _ => None,
            })
            .collect();
        self.need_regs(p, &regs);
    }

    /// What a call writes through its pointer arguments (r1–r5), forgotten: for a helper
    /// (`h`), the bytes its prototype says it may write; for anything else, every frame its
    /// stack pointers reach, and the frames pointers spilled there reach.
    fn forget_through_args(&mut self, st: &mut State, h: Option<&Helper>) {
        let depth = st.frames.len() - 1;
        let mut ranges: Vec<(usize, usize, usize)> = Vec::new();
        let mut whole: Vec<usize> = Vec::new();
        for r in 1..=5u8 {
            let Value::Ptr(ptr) = st.reg(r) else { continue };
            let PtrKind::Stack { frame } = ptr.kind else {
                continue;
            };
            let frame = usize::from(frame).min(depth);
            let bytes = match h.map(|h| h.arg(r)) {
                Some(Some(Arg::MemWrite(n))) => Some(st.reg(n).scalar().umax),
                Some(Some(Arg::MemWriteFixed(k))) => Some(u64::from(k)),
                Some(Some(Arg::Dynptr)) => Some(u64::from(Helper::DYNPTR_SIZE)),
                Some(Some(Arg::Ptr | Arg::CallbackCtx)) | Some(None) | None => None,
                Some(Some(_)) => continue,
            };
            match bytes {
                Some(n) if !ptr.var => {
                    let first = ptr.off.saturating_add(STACK_SIZE as i64).max(0);
                    let end = first.saturating_add(i64::try_from(n).unwrap_or(i64::MAX));
                    let clamp = |v: i64| v.clamp(0, STACK_SIZE as i64) as usize;
                    ranges.push((frame, clamp(first), clamp(end)));
                }
                _ => whole.push(frame),
            }
        }
        if h.is_none() {
            // Everything reachable: frames whose spilled pointers lead to other frames.
            let mut i = 0;
            while i < whole.len() {
                let f = whole[i];
                for (_, s) in &st.frames[f].stack {
                    if let Some((Value::Ptr(q), _)) = s.spill {
                        if let PtrKind::Stack { frame } = q.kind {
                            let g = usize::from(frame).min(depth);
                            if !whole.contains(&g) {
                                whole.push(g);
                            }
                        }
                    }
                }
                i += 1;
            }
        }
        for (f, a, b) in ranges {
            st.frames[f].forget_bytes(a, b);
        }
        for f in whole {
            st.frames[f].forget_all();
        }
    }

    /// Functions passed to a call (r1–r5) are callbacks: each is walked in a frame of its
    /// own, from the caller's state as the call leaves it, with unknown arguments. Its
    /// `exit` ends that path (the caller goes on after the call on its own path).
    fn callbacks(&mut self, p: &mut Path, pc: usize) {
        let funcs: Vec<usize> = (1..=5u8)
            .filter_map(|r| match p.st.reg(r) {
                Value::Ptr(Ptr {
                    kind: PtrKind::Func { start },
                    ..
                }) => Some(start as usize),
                _ => None,
            })
            .collect();
        for start in funcs {
            if !self.room_for_a_frame(pc, &p.st) {
                continue;
            }
            let mut cb = p.clone();
            let depth = cb.st.frames.len() as u8;
            clobber(&mut cb.st, Value::UNKNOWN);
            let mut frame = Frame::new(depth);
            for r in 1..=5 {
                frame.regs[r] = Value::UNKNOWN;
            }
            frame.callsite = Some(pc);
            cb.st.frames.push(frame);
            cb.pc = start;
            cb.arriving = true;
            cb.hist.push(Step {
                pc: pc as u32,
                frame: depth - 1,
                frame_after: depth,
                stack: None,
            });
            self.fork(cb);
        }
    }

    /// What a helper returns in r0, as far as the verifier's typing matters here.
    fn helper_result(&mut self, id: i32, st: &State) -> Value {
        let id_for = |x: &mut Self| {
            x.next_id += 1;
            x.next_id
        };
        match id {
            // bpf_map_lookup_elem
            1 => {
                let map = match st.reg(1) {
                    Value::Ptr(Ptr {
                        kind: PtrKind::Map { map },
                        ..
                    }) => map,
                    _ => u16::MAX,
                };
                let id = id_for(self);
                Value::Ptr(Ptr {
                    maybe_null: true,
                    id,
                    ..Ptr::new(PtrKind::MapValue { map })
                })
            }
            // bpf_ringbuf_reserve
            131 => {
                let id = id_for(self);
                Value::Ptr(Ptr {
                    maybe_null: true,
                    id,
                    ..Ptr::new(PtrKind::Mem)
                })
            }
            _ => Value::UNKNOWN,
        }
    }

    fn cond(&mut self, p: &mut Path, pc: usize, insn: Insn, op: JmpOp, jmp32: bool) -> Next {
        let Some(target) = target(insn, pc) else {
            return self.out_of_range(pc);
        };
        let st = &p.st;
        let uses_reg = insn.code & 0x08 != 0;
        let a = st.reg(insn.dst);
        let b = if uses_reg {
            st.reg(insn.src)
        } else if jmp32 {
            Value::konst(u64::from(insn.imm as u32), self.origin_at(pc))
        } else {
            Value::konst(insn.imm as i64 as u64, self.origin_at(pc))
        };
        let operands: &[u8] = if uses_reg {
            &[insn.dst, insn.src]
        } else {
            &[insn.dst]
        };
        let decision = taken(&a, &b, op, jmp32);
        let rec = self.out.branches.entry(pc).or_default();
        if let Some(t) = decision {
            rec.decided = true;
            if rec.decided_by.is_none() {
                rec.decided_by = a.origin().or(b.origin());
            }
            if t {
                rec.taken = true;
            } else {
                rec.fallthrough = true;
            }
            // The values that decided it must be the same on any path pruned here later.
            self.need_regs(p, operands);
            return Next::Arrive(if t { target } else { pc + 1 });
        }
        rec.undecided = true;
        let mut taken_st = p.st.clone();
        let ok_taken = narrow(&mut taken_st, insn, &a, &b, op, jmp32, true);
        let ok_fall = narrow(&mut p.st, insn, &a, &b, op, jmp32, false);
        let rec = self.out.branches.entry(pc).or_default();
        rec.taken |= ok_taken;
        rec.fallthrough |= ok_fall;
        if !(ok_taken && ok_fall) {
            // The refinement ruled one side out: that decided it too.
            self.need_regs(p, operands);
        }
        if ok_taken {
            let other = p.branch(pc, target, taken_st);
            self.fork(other);
        }
        if ok_fall {
            Next::Arrive(pc + 1)
        } else {
            Next::End
        }
    }
}

/// The target of a jump at `pc`, if it is an instruction index.
fn target(insn: Insn, pc: usize) -> Option<usize> {
    usize::try_from(insn.jump_target(pc)?).ok()
}

/// r0 = `r0`; r1–r5 unreadable, as after any call.
fn clobber(st: &mut State, r0: Value) {
    st.set(0, r0);
    for r in 1..=5 {
        st.set(r, Value::Uninit);
    }
}

/// The register an atomic operation writes its old value to becomes unknown.
fn atomic_result(insn: Insn, st: &mut State) {
    if insn.imm & 1 != 0 || insn.imm == 0xe1 {
        st.set(insn.src, Value::UNKNOWN);
    } else if insn.imm == 0xf1 {
        st.set(0, Value::UNKNOWN);
    }
}

fn offset_ptr(mut p: Ptr, s: &Scalar, sub: bool) -> Ptr {
    match s.as_const() {
        Some(c) => {
            let c = c as i64;
            p.off = if sub {
                p.off.wrapping_sub(c)
            } else {
                p.off.wrapping_add(c)
            };
        }
        None => p.var = true,
    }
    p
}

/// The kernel's `is_branch_taken`: scalars by ranges; a pointer only against 0, and only
/// when it is known not to be NULL.
fn taken(a: &Value, b: &Value, op: JmpOp, jmp32: bool) -> Option<bool> {
    match (a, b) {
        (Value::Ptr(_), _) | (_, Value::Ptr(_)) => {
            let (p, c) = match (a, b) {
                (Value::Ptr(p), c) => (p, c),
                (c, Value::Ptr(p)) => (p, c),
                _ => return None,
            };
            let Value::Scalar(cs, _) = c else { return None };
            let zero = if jmp32 {
                cs.as_const32() == Some(0)
            } else {
                cs.as_const() == Some(0)
            };
            if !zero || !p.known_not_null() {
                return None;
            }
            match op {
                JmpOp::Jeq => Some(false),
                JmpOp::Jne => Some(true),
                _ => None,
            }
        }
        _ => scalar_taken(&a.scalar(), &b.scalar(), op, jmp32),
    }
}

/// Refines the state for one side of an undecided branch; `false` if that side is
/// impossible.
fn narrow(
    st: &mut State,
    insn: Insn,
    a: &Value,
    b: &Value,
    op: JmpOp,
    jmp32: bool,
    side: bool,
) -> bool {
    // NULL checks of maybe-NULL pointers: every copy learns the answer.
    if let (Value::Ptr(p), Value::Scalar(c, _)) = (a, b) {
        if p.maybe_null
            && !jmp32
            && insn.code & 0x08 == 0
            && c.as_const() == Some(0)
            && matches!(op, JmpOp::Jeq | JmpOp::Jne)
        {
            let is_null = (op == JmpOp::Jeq) == side;
            let id = p.id;
            st.for_each_value(|v| {
                if let Value::Ptr(q) = v {
                    if q.maybe_null && q.id == id {
                        if is_null {
                            *v = Value::konst(0, None);
                        } else {
                            q.maybe_null = false;
                        }
                    }
                }
            });
            return true;
        }
    }
    let (Value::Scalar(sa, oa), Value::Scalar(sb, ob)) = (a, b) else {
        return true;
    };
    let (mut x, mut y) = (*sa, *sb);
    if !refine(&mut x, &mut y, op, side, jmp32) {
        return false;
    }
    st.set(
        insn.dst,
        Value::Scalar(x, if x.as_const().is_some() { *oa } else { None }),
    );
    if insn.code & 0x08 != 0 {
        st.set(
            insn.src,
            Value::Scalar(y, if y.as_const().is_some() { *ob } else { None }),
        );
    }
    true
}

/// Stack address `at` (relative to the frame pointer) → (slot, byte), if inside the frame.
fn stack_pos(at: i64, size: u32) -> Option<(usize, usize)> {
    let idx = at.checked_add(STACK_SIZE as i64)?;
    if idx < 0 || idx + i64::from(size) > STACK_SIZE as i64 {
        return None;
    }
    Some(((idx / 8) as usize, (idx % 8) as usize))
}

/// A stack write (`check_stack_write_fixed_off`): aligned scalar or 8-byte pointer writes
/// spill the register; other writes leave bytes of unknown (or zero) value.
fn write_stack(fr: &mut Frame, at: i64, size: u32, v: Option<Value>) {
    let Some((slot, byte)) = stack_pos(at, size) else {
        return;
    };
    let spill = match v {
        Some(v @ Value::Scalar(..)) if byte == 0 => Some(v),
        Some(v @ Value::Ptr(_)) if byte == 0 && size == 8 => Some(v),
        _ => None,
    };
    if let Some(v) = spill {
        let s = fr.slot_mut(slot);
        s.spill = Some((v, size as u8));
        for (i, b) in s.bytes.iter_mut().enumerate() {
            if i < size as usize {
                *b = ByteKind::Spill;
            } else if *b == ByteKind::Spill {
                *b = ByteKind::Misc;
            }
        }
        return;
    }
    // A plain write: each touched byte becomes zero or unknown, and a slot that held a
    // spilled register no longer does (also across a slot boundary).
    let zero = matches!(v, Some(Value::Scalar(sc, _)) if sc.as_const() == Some(0));
    let kind = if zero { ByteKind::Zero } else { ByteKind::Misc };
    let first = slot * 8 + byte;
    for a in first..first + size as usize {
        let s = fr.slot_mut(a / 8);
        if s.spill.take().is_some() {
            for b in &mut s.bytes {
                if *b == ByteKind::Spill {
                    *b = ByteKind::Misc;
                }
            }
        }
        s.bytes[a % 8] = kind;
    }
}

/// A stack read (`check_stack_read_fixed_off`).
fn read_stack(fr: &Frame, at: i64, size: u32) -> Option<Value> {
    let (slot, byte) = stack_pos(at, size)?;
    let s = fr.slot(slot)?;
    if let Some((v, spill_size)) = s.spill {
        if size == 8 && spill_size == 8 && byte == 0 {
            return Some(v);
        }
        if let Value::Scalar(sc, o) = v {
            if byte == 0 && size <= u32::from(spill_size) {
                return Some(Value::Scalar(sc.truncate(size), o));
            }
        }
    }
    let bytes = s.bytes.get(byte..byte + size as usize)?;
    if bytes.iter().all(|b| *b == ByteKind::Zero) {
        return Some(Value::konst(0, None));
    }
    None
}
