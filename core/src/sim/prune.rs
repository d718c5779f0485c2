//! State pruning as the verifier's `is_state_visited` does it: a path arriving at an
//! instruction where an earlier state was kept stops when that state *covers* it — every
//! value the current path could meet, the earlier one met or was wider than
//! (`states_equal` / `regsafe` / `stacksafe` in the kernel's verifier.c).
//!
//! States are compared exactly, value by value (no hashes). Two refinements make pruning as
//! effective as the kernel's:
//! - **liveness**: registers no later instruction reads are ignored ([`super::liveness`]);
//! - **precision**: a scalar whose exact value never decided anything on the paths explored
//!   from the earlier state is not compared ([`Marks`], filled by the backtracking in
//!   [`super::precise`]). Only a *finished* state (every path below it explored) has
//!   complete marks; a state still being explored covers the current one only if it
//!   contains it entirely, every scalar compared.

use super::liveness::{Liveness, RegSet};
use super::scalar::Scalar;
use super::state::{ByteKind, Frame, Ptr, PtrKind, Slot, State, Value, MAX_FRAMES};

/// Precise scalars of one state, per frame: registers (bits r0–r9) and stack slots (bit per
/// 8-byte slot).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameMarks {
    /// Registers whose value mattered.
    pub regs: RegSet,
    /// Stack slots whose value mattered.
    pub slots: u64,
}

impl FrameMarks {
    /// No mark.
    pub fn is_empty(&self) -> bool {
        self.regs == 0 && self.slots == 0
    }
}

/// Marks for every frame depth.
pub type Marks = [FrameMarks; MAX_FRAMES];

/// How an earlier state is compared with the current one.
#[derive(Debug, Clone, Copy)]
pub enum Mode<'a> {
    /// A finished state: only its precise scalars are compared.
    Precise(&'a Marks),
    /// A state still being explored: everything is compared.
    Full,
    /// Both ways (loop detection): the states are the same.
    Exact,
}

impl Mode<'_> {
    fn reg_precise(&self, frame: usize, r: usize) -> bool {
        match self {
            Mode::Precise(m) => m[frame].regs & (1 << r) != 0,
            Mode::Full | Mode::Exact => true,
        }
    }

    fn slot_precise(&self, frame: usize, s: usize) -> bool {
        match self {
            Mode::Precise(m) => m[frame].slots & (1 << s) != 0,
            Mode::Full | Mode::Exact => true,
        }
    }

    fn exact(&self) -> bool {
        matches!(self, Mode::Exact)
    }
}

/// The pairing of maybe-NULL pointer ids between the two states (`check_ids`): copies of one
/// pointer in the earlier state must be copies of one pointer in the current one.
#[derive(Default)]
struct IdMap(Vec<(u32, u32)>);

impl IdMap {
    fn check(&mut self, old: u32, cur: u32) -> bool {
        for &(o, c) in &self.0 {
            if o == old || c == cur {
                return o == old && c == cur;
            }
        }
        self.0.push((old, cur));
        true
    }
}

/// Whether `old` covers `cur` at instruction `pc` (both about to execute it).
pub fn covers(old: &State, cur: &State, mode: Mode<'_>, live: &Liveness, pc: usize) -> bool {
    if old.frames.len() != cur.frames.len() {
        return false;
    }
    let mut ids = IdMap::default();
    for (i, (fo, fc)) in old.frames.iter().zip(&cur.frames).enumerate() {
        if fo.return_to != fc.return_to || fo.callsite != fc.callsite {
            return false;
        }
        let live_regs = live_regs(cur, i, live, pc);
        for r in 0..10 {
            if live_regs & (1 << r) == 0 && !mode.exact() {
                continue;
            }
            if !value_covers(
                &fo.regs[r],
                &cur.frames[i].regs[r],
                mode.reg_precise(i, r),
                mode.exact(),
                &mut ids,
            ) {
                return false;
            }
        }
        if !stack_covers(fo, fc, i, mode, &mut ids) {
            return false;
        }
    }
    true
}

/// The registers of frame `i` of `st` that a later instruction may read, the state being at
/// `pc`: the innermost frame's as live there, a caller's as live at its return point.
fn live_regs(st: &State, i: usize, live: &Liveness, pc: usize) -> RegSet {
    match st.frames.get(i + 1) {
        None => live.live_in(pc),
        Some(callee) => callee.return_to.map_or(0x3ff, |r| live.live_across_call(r)),
    }
}

/// `regsafe`: the earlier value covers the current one.
fn value_covers(old: &Value, cur: &Value, precise: bool, exact: bool, ids: &mut IdMap) -> bool {
    match (old, cur) {
        (Value::Uninit, Value::Uninit) => true,
        // Never-written reads as an unknown number here, which covers any number. Not a
        // pointer: a store through it would change the stack, and one through a number does not.
        (Value::Uninit, Value::Scalar(..)) => !exact,
        (Value::Scalar(a, _), Value::Scalar(b, _)) => {
            if exact {
                a == b
            } else {
                !precise || scalar_contains(a, b)
            }
        }
        (Value::Ptr(a), Value::Ptr(b)) => ptr_same(a, b, ids),
        _ => false,
    }
}

/// `range_within` and `tnum_in`: every value of `b` is a value of `a`.
pub fn scalar_contains(a: &Scalar, b: &Scalar) -> bool {
    a.umin <= b.umin
        && b.umax <= a.umax
        && a.smin <= b.smin
        && b.smax <= a.smax
        && a.u32min <= b.u32min
        && b.u32max <= a.u32max
        && a.s32min <= b.s32min
        && b.s32max <= a.s32max
        && (b.tn.value & !a.tn.mask) == a.tn.value
        && (b.tn.mask & !a.tn.mask) == 0
}

fn ptr_same(a: &Ptr, b: &Ptr, ids: &mut IdMap) -> bool {
    let kinds = match (a.kind, b.kind) {
        (PtrKind::Stack { frame: x }, PtrKind::Stack { frame: y }) => x == y,
        (x, y) => x == y,
    };
    kinds
        && a.off == b.off
        && a.var == b.var
        && a.maybe_null == b.maybe_null
        && (!a.maybe_null || ids.check(a.id, b.id))
}

/// `stacksafe`: slot by slot.
fn stack_covers(fo: &Frame, fc: &Frame, frame: usize, mode: Mode<'_>, ids: &mut IdMap) -> bool {
    let empty = Slot::default();
    // Walk the union of the written slots of both (both lists are sorted).
    let (mut i, mut j) = (0, 0);
    while i < fo.stack.len() || j < fc.stack.len() {
        let ko = fo.stack.get(i).map_or(usize::MAX, |(k, _)| usize::from(*k));
        let kc = fc.stack.get(j).map_or(usize::MAX, |(k, _)| usize::from(*k));
        let k = ko.min(kc);
        let so = if ko == k {
            i += 1;
            &fo.stack[i - 1].1
        } else {
            &empty
        };
        let sc = if kc == k {
            j += 1;
            &fc.stack[j - 1].1
        } else {
            &empty
        };
        if !slot_covers(so, sc, mode.slot_precise(frame, k), mode.exact(), ids) {
            return false;
        }
    }
    true
}

fn spilled_ptr(s: &Slot) -> Option<&Ptr> {
    match &s.spill {
        Some((Value::Ptr(p), _)) => Some(p),
        _ => None,
    }
}

fn slot_covers(old: &Slot, cur: &Slot, precise: bool, exact: bool, ids: &mut IdMap) -> bool {
    if exact {
        return old.bytes == cur.bytes
            && match (&old.spill, &cur.spill) {
                (None, None) => true,
                (Some((a, n)), Some((b, m))) => n == m && value_covers(a, b, true, true, ids),
                _ => false,
            };
    }
    // Pointers are compared whatever the precision: what is stored through them matters.
    match (spilled_ptr(old), spilled_ptr(cur)) {
        (Some(a), Some(b)) => return old.bytes == cur.bytes && ptr_same(a, b, ids),
        (None, None) => {}
        _ => return false,
    }
    if !precise {
        return true;
    }
    // A scalar slot: what a read gives in `old` must contain what it gives in `cur`.
    match (&old.spill, &cur.spill) {
        (Some((a, n)), Some((b, m))) => {
            return n == m && old.bytes == cur.bytes && value_covers(a, b, true, false, ids)
        }
        (Some(_), None) => return false,
        _ => {}
    }
    // Byte by byte: unknown (never written, or written with an unknown value) covers
    // anything; a known zero covers only a zero.
    old.bytes.iter().zip(&cur.bytes).all(|(o, c)| match o {
        ByteKind::Invalid | ByteKind::Misc => true,
        ByteKind::Zero => *c == ByteKind::Zero,
        ByteKind::Spill => false,
    })
}

/// The marks that make a state as specific as it is: every live register and stack slot
/// holding a scalar that is not entirely unknown. Pruning a path against a state that is
/// still being explored compares everything, so everything the earlier state constrains
/// must stay precise on the pruned path's ancestors.
pub fn constrained(st: &State, live: &Liveness, pc: usize) -> Marks {
    let mut m = Marks::default();
    for (i, f) in st.frames.iter().enumerate() {
        let live_regs = live_regs(st, i, live, pc);
        for r in 0..10 {
            if live_regs & (1 << r) != 0 && is_constrained(&f.regs[r]) {
                m[i].regs |= 1 << r;
            }
        }
        for (k, s) in &f.stack {
            let known = s.spill.as_ref().is_some_and(|(v, _)| is_constrained(v))
                || s.bytes.contains(&ByteKind::Zero);
            if known {
                m[i].slots |= 1 << k;
            }
        }
    }
    m
}

fn is_constrained(v: &Value) -> bool {
    matches!(v, Value::Scalar(s, _) if *s != Scalar::UNKNOWN)
}
