//! The exploration: every feasible path through a linked program, as the verifier's
//! `do_check` walks them, marking each instruction it processes (`seen`).
//!
//! One path at a time, depth-first, fall-through first (the verifier pushes the jump target
//! and continues with the next instruction); a conditional jump whose outcome the abstract
//! state decides follows only that side. Paths end at `exit` of the outermost frame, at a
//! poisoned call, or where an identical state was already explored at the same instruction
//! (pruning never hides an instruction: the earlier state reached everything this one
//! could). Work is bounded by [`Limits`]: no recursion, a step budget, a cap on pending paths.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use super::alu::{alu32, alu64};
use super::branch::{refine, scalar_taken};
use super::link::{LdImm, LinkedProgram};
use super::scalar::Scalar;
use super::state::{ByteKind, Frame, Origin, Ptr, PtrKind, State, Value, MAX_FRAMES, STACK_SIZE};
use crate::insn::opcode::{PSEUDO_CALL, PSEUDO_KFUNC_CALL};
use crate::insn::{AluOp, Class, Insn, JmpOp, Mode, Size, POISON_IMM};

/// Bounds on one program's exploration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Instructions processed in all (the kernel's complexity limit is 1,000,000).
    pub max_steps: u64,
    /// Paths waiting to be explored.
    pub max_pending: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 1_000_000,
            max_pending: 65_536,
        }
    }
}

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

/// The result of exploring one linked program.
#[derive(Debug, Clone, Default)]
pub struct Exploration {
    /// Instructions processed on some path.
    pub seen: Vec<bool>,
    /// Conditional jumps reached, by instruction.
    pub branches: HashMap<usize, BranchSeen>,
    /// Error stops in the order the verifier's walk meets them.
    pub stops: Vec<(usize, Stop)>,
    /// The budget ran out before every path was explored.
    pub exhausted: bool,
    /// Instructions processed.
    pub steps: u64,
    /// Global functions verified on their own (by function start).
    pub globals: Vec<usize>,
}

struct Explorer<'a> {
    prog: &'a LinkedProgram,
    env: &'a Env,
    limits: Limits,
    out: Exploration,
    pending: Vec<(usize, State)>,
    states: HashMap<usize, HashSet<u64>>,
    next_id: u32,
    globals_called: Vec<usize>,
    /// Instructions this `resume` may still process.
    quota: u64,
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
            out: Exploration {
                seen: vec![false; prog.insns.len()],
                ..Default::default()
            },
            pending: Vec::new(),
            states: HashMap::new(),
            next_id: 1,
            globals_called: Vec::new(),
            quota: 0,
        };
        let mut entry = State {
            frames: vec![Frame::new(0)],
        };
        entry.cur().regs[1] = Value::Ptr(Ptr::new(PtrKind::Ctx));
        x.pending.push((0, entry));
        Walk {
            x,
            globals_started: 0,
        }
    }

    /// Processes at most `quota` more instructions; `true` when the walk is complete (every
    /// path explored, or the budget of [`Limits`] exhausted).
    pub fn resume(&mut self, quota: u64) -> bool {
        let x = &mut self.x;
        x.quota = quota;
        loop {
            while let Some((pc, st)) = x.pending.pop() {
                if x.out.exhausted {
                    return true;
                }
                x.path(pc, st);
                if x.quota == 0 && !x.pending.is_empty() {
                    return false;
                }
            }
            if x.out.exhausted || self.globals_started >= x.globals_called.len() {
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
            x.pending.push((start, st));
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

fn state_hash(pc: usize, s: &State) -> u64 {
    let mut h = DefaultHasher::new();
    pc.hash(&mut h);
    s.hash(&mut h);
    h.finish()
}

impl Explorer<'_> {
    /// Whether `st` at `pc` is new (else the path is pruned).
    fn fresh(&mut self, pc: usize, st: &State) -> bool {
        self.states
            .entry(pc)
            .or_default()
            .insert(state_hash(pc, st))
    }

    fn push(&mut self, pc: usize, st: State) {
        if self.pending.len() >= self.limits.max_pending {
            self.out.exhausted = true;
            return;
        }
        if self.fresh(pc, &st) {
            self.pending.push((pc, st));
        }
    }

    fn stop(&mut self, pc: usize, why: Stop) {
        self.out.stops.push((pc, why));
    }

    /// Follows one path until it ends; branches it cannot decide push the other side.
    fn path(&mut self, mut pc: usize, mut st: State) {
        let insns = &self.prog.insns;
        loop {
            if self.out.steps >= self.limits.max_steps {
                self.out.exhausted = true;
                return;
            }
            if self.quota == 0 {
                // Paused: this path continues at the next `resume`.
                self.pending.push((pc, st));
                return;
            }
            self.quota -= 1;
            self.out.steps += 1;
            let Some(&insn) = insns.get(pc) else {
                self.stop(pc, Stop::Other(format!("jump out of range to insn {pc}")));
                return;
            };
            self.out.seen[pc] = true;
            match insn.class() {
                Class::Alu | Class::Alu64 => {
                    self.alu(pc, insn, &mut st);
                    pc += 1;
                }
                Class::Ld => {
                    if insn.is_ld_imm64() {
                        if let Some(s) = self.out.seen.get_mut(pc + 1) {
                            *s = true;
                        }
                        let hi = insns.get(pc + 1).copied().unwrap_or_default();
                        let v = self.ld_imm64(pc, insn, hi);
                        st.set(insn.dst, v);
                        pc += 2;
                    } else {
                        // Legacy packet loads: r0 = unknown; r1-r5 clobbered.
                        st.set(0, Value::UNKNOWN);
                        pc += 1;
                    }
                }
                Class::Ldx => {
                    let v = self.load(insn, &st);
                    st.set(insn.dst, v);
                    pc += 1;
                }
                Class::St | Class::Stx => {
                    self.store(insn, &mut st);
                    pc += 1;
                }
                Class::Jmp | Class::Jmp32 => match self.jump(pc, insn, &mut st) {
                    Some(next) => pc = next,
                    None => return,
                },
                Class::Unknown(_) => {
                    self.stop(
                        pc,
                        Stop::Other(format!("unknown opcode {:#04x}", insn.code)),
                    );
                    return;
                }
            }
        }
    }

    fn origin_at(&self, pc: usize) -> Option<Origin> {
        self.env.sites.get(&pc).map(|&s| Origin::Relo(s))
    }

    fn alu(&mut self, pc: usize, insn: Insn, st: &mut State) {
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
                (Value::Ptr(p), Value::Scalar(s, _))
                    if wide && matches!(op, AluOp::Add | AluOp::Sub) =>
                {
                    Value::Ptr(offset_ptr(p, &s, op == AluOp::Sub))
                }
                (Value::Scalar(s, _), Value::Ptr(p)) if wide && op == AluOp::Add => {
                    Value::Ptr(offset_ptr(p, &s, false))
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
        st.set(insn.dst, result);
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
            Some(LdImm::Func(_)) => Value::Ptr(Ptr::new(PtrKind::Func)),
            None => Value::konst(Insn::imm64(&lo, &hi), self.origin_at(pc)),
        }
    }

    fn load(&mut self, insn: Insn, st: &State) -> Value {
        let size = Size::of(insn.code).bytes();
        let sx = Mode::of(insn.code) == Mode::Memsx;
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
            PtrKind::Stack { frame } => read_stack(
                &st.frames[usize::from(frame).min(st.frames.len() - 1)],
                at,
                size,
            ),
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
            for s in &mut st.frames[frame].stack {
                s.spill = None;
                for b in &mut s.bytes {
                    if *b != ByteKind::Invalid {
                        *b = ByteKind::Misc;
                    }
                }
            }
            return;
        }
        let at = p.off + i64::from(insn.off);
        match (insn.class(), Mode::of(insn.code)) {
            (Class::Stx, Mode::Atomic) => {
                write_stack(&mut st.frames[frame], at, size, None);
                if insn.imm & 1 != 0 || insn.imm == 0xe1 {
                    st.set(insn.src, Value::UNKNOWN);
                } else if insn.imm == 0xf1 {
                    st.set(0, Value::UNKNOWN);
                }
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

    /// Executes a jump-class instruction; returns the next pc, or `None` when the path ends.
    fn jump(&mut self, pc: usize, insn: Insn, st: &mut State) -> Option<usize> {
        let jmp32 = insn.class() == Class::Jmp32;
        let op = JmpOp::of(insn.code);
        match op {
            JmpOp::Ja => {
                let t = usize::try_from(insn.jump_target(pc)?).ok()?;
                if self.fresh(t, st) {
                    Some(t)
                } else {
                    None
                }
            }
            JmpOp::Exit => {
                if st.frames.len() <= 1 {
                    return None;
                }
                let callee = st.frames.pop()?;
                let ret = callee.return_to?;
                st.set(0, callee.regs[0]);
                for r in 1..=5 {
                    st.set(r, Value::Uninit);
                }
                if self.fresh(ret, st) {
                    Some(ret)
                } else {
                    None
                }
            }
            JmpOp::Call => self.call(pc, insn, st),
            JmpOp::Jcond => {
                let t = usize::try_from(insn.jump_target(pc)?).ok()?;
                self.push(t, st.clone());
                Some(pc + 1)
            }
            _ if op.is_conditional() => self.cond(pc, insn, op, jmp32, st),
            _ => {
                self.stop(
                    pc,
                    Stop::Other(format!("unknown jump opcode {:#04x}", insn.code)),
                );
                None
            }
        }
    }

    fn call(&mut self, pc: usize, insn: Insn, st: &mut State) -> Option<usize> {
        if let Some(name) = self.prog.poisoned_kfuncs.get(&pc) {
            let _ = name;
            self.stop(pc, Stop::KfuncPoison);
            return None;
        }
        if insn.src == PSEUDO_CALL {
            let target = usize::try_from(insn.jump_target_call(pc)?).ok()?;
            let global = self
                .prog
                .funcs
                .iter()
                .any(|f| f.start == target && f.global);
            if global {
                if !self.globals_called.contains(&target) {
                    self.globals_called.push(target);
                }
                clobber(st, Value::UNKNOWN);
                return Some(pc + 1);
            }
            if st.frames.len() >= MAX_FRAMES {
                self.stop(
                    pc,
                    Stop::Other(format!("the call stack of {MAX_FRAMES} frames is too deep")),
                );
                return None;
            }
            let depth = st.frames.len() as u8;
            let mut callee = Frame::new(depth);
            for r in 1..=5 {
                callee.regs[r] = st.reg(r as u8);
            }
            callee.return_to = Some(pc + 1);
            callee.callsite = Some(pc);
            st.frames.push(callee);
            return if self.fresh(target, st) {
                Some(target)
            } else {
                None
            };
        }
        if insn.src == PSEUDO_KFUNC_CALL {
            clobber(st, Value::UNKNOWN);
            return Some(pc + 1);
        }
        match insn.imm {
            POISON_IMM => {
                self.stop(pc, Stop::CorePoison);
                None
            }
            2_001_000_000..=2_001_999_999 => {
                self.stop(pc, Stop::MapPoison);
                None
            }
            2_002_000_000..=2_002_999_999 => {
                self.stop(pc, Stop::KfuncPoison);
                None
            }
            _ => {
                let r0 = self.helper_result(insn.imm, st);
                clobber(st, r0);
                Some(pc + 1)
            }
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

    fn cond(
        &mut self,
        pc: usize,
        insn: Insn,
        op: JmpOp,
        jmp32: bool,
        st: &mut State,
    ) -> Option<usize> {
        let target = usize::try_from(insn.jump_target(pc)?).ok()?;
        let a = st.reg(insn.dst);
        let b = if insn.code & 0x08 != 0 {
            st.reg(insn.src)
        } else if jmp32 {
            Value::konst(u64::from(insn.imm as u32), self.origin_at(pc))
        } else {
            Value::konst(insn.imm as i64 as u64, self.origin_at(pc))
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
            let next = if t { target } else { pc + 1 };
            return if self.fresh(next, st) {
                Some(next)
            } else {
                None
            };
        }
        rec.undecided = true;
        rec.taken = true;
        rec.fallthrough = true;
        let mut taken_st = st.clone();
        let ok_taken = narrow(&mut taken_st, insn, &a, &b, op, jmp32, true);
        let ok_fall = narrow(st, insn, &a, &b, op, jmp32, false);
        if ok_taken {
            self.push(target, taken_st);
        }
        if ok_fall && self.fresh(pc + 1, st) {
            Some(pc + 1)
        } else {
            None
        }
    }
}

impl Insn {
    /// The target of a bpf-to-bpf call at `at` (`at + imm + 1`).
    fn jump_target_call(&self, at: usize) -> Option<i64> {
        Some(at as i64 + 1 + i64::from(self.imm))
    }
}

/// r0 = `r0`; r1–r5 unreadable, as after any call.
fn clobber(st: &mut State, r0: Value) {
    st.set(0, r0);
    for r in 1..=5 {
        st.set(r, Value::Uninit);
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
        let s = &mut fr.stack[slot];
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
        let s = &mut fr.stack[a / 8];
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
    let s = fr.stack.get(slot)?;
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
