//! Conditional jumps: whether the verifier knows the outcome (`is_branch_taken`) and what
//! each side learns about the compared scalars (`regs_refine_cond_op`), as in Linux 6.18.

use super::scalar::{Scalar, Tnum};
use crate::insn::JmpOp;

/// The 32- or 64-bit view of a scalar used by a comparison.
struct View {
    tn: Tnum,
    umin: u64,
    umax: u64,
    smin: i64,
    smax: i64,
}

fn view(s: &Scalar, jmp32: bool) -> View {
    if jmp32 {
        View {
            tn: s.tn.subreg(),
            umin: u64::from(s.u32min),
            umax: u64::from(s.u32max),
            smin: i64::from(s.s32min),
            smax: i64::from(s.s32max),
        }
    } else {
        View {
            tn: s.tn,
            umin: s.umin,
            umax: s.umax,
            smin: s.smin,
            smax: s.smax,
        }
    }
}

/// Whether `a op b` is known: `Some(true)` always taken, `Some(false)` never, `None` unknown.
pub fn scalar_taken(a: &Scalar, b: &Scalar, op: JmpOp, jmp32: bool) -> Option<bool> {
    let (x, y) = (view(a, jmp32), view(b, jmp32));
    let disjoint = || {
        x.umin > y.umax
            || x.umax < y.umin
            || x.smin > y.smax
            || x.smax < y.smin
            || (!jmp32
                && (a.u32min > b.u32max
                    || a.u32max < b.u32min
                    || a.s32min > b.s32max
                    || a.s32max < b.s32min))
    };
    match op {
        JmpOp::Jeq => {
            if x.tn.is_const() && y.tn.is_const() {
                return Some(x.tn.value == y.tn.value);
            }
            disjoint().then_some(false)
        }
        JmpOp::Jne => {
            if x.tn.is_const() && y.tn.is_const() {
                return Some(x.tn.value != y.tn.value);
            }
            disjoint().then_some(true)
        }
        JmpOp::Jset => {
            let (t1, t2) = if y.tn.is_const() {
                (x.tn, y.tn)
            } else {
                (y.tn, x.tn)
            };
            if !t2.is_const() {
                return None;
            }
            if (!t1.mask & t1.value) & t2.value != 0 {
                Some(true)
            } else if (t1.mask | t1.value) & t2.value == 0 {
                Some(false)
            } else {
                None
            }
        }
        JmpOp::Jgt => decide(x.umin > y.umax, x.umax <= y.umin),
        JmpOp::Jge => decide(x.umin >= y.umax, x.umax < y.umin),
        JmpOp::Jlt => decide(x.umax < y.umin, x.umin >= y.umax),
        JmpOp::Jle => decide(x.umax <= y.umin, x.umin > y.umax),
        JmpOp::Jsgt => decide(x.smin > y.smax, x.smax <= y.smin),
        JmpOp::Jsge => decide(x.smin >= y.smax, x.smax < y.smin),
        JmpOp::Jslt => decide(x.smax < y.smin, x.smin >= y.smax),
        JmpOp::Jsle => decide(x.smax <= y.smin, x.smin > y.smax),
        _ => None,
    }
}

fn decide(always: bool, never: bool) -> Option<bool> {
    if always {
        Some(true)
    } else if never {
        Some(false)
    } else {
        None
    }
}

/// The condition that holds on the not-taken side.
fn negate(op: JmpOp) -> Option<(JmpOp, bool)> {
    // (op, is "JSET negated")
    Some(match op {
        JmpOp::Jeq => (JmpOp::Jne, false),
        JmpOp::Jne => (JmpOp::Jeq, false),
        JmpOp::Jgt => (JmpOp::Jle, false),
        JmpOp::Jge => (JmpOp::Jlt, false),
        JmpOp::Jlt => (JmpOp::Jge, false),
        JmpOp::Jle => (JmpOp::Jgt, false),
        JmpOp::Jsgt => (JmpOp::Jsle, false),
        JmpOp::Jsge => (JmpOp::Jslt, false),
        JmpOp::Jslt => (JmpOp::Jsge, false),
        JmpOp::Jsle => (JmpOp::Jsgt, false),
        JmpOp::Jset => (JmpOp::Jset, true),
        _ => return None,
    })
}

/// Refines two compared scalars for one side of the branch (`taken`): the kernel's
/// `reg_set_min_max`. Returns `false` if that side is impossible.
pub fn refine(a: &mut Scalar, b: &mut Scalar, op: JmpOp, taken: bool, jmp32: bool) -> bool {
    let (op, jset_negated) = if taken {
        (op, false)
    } else {
        match negate(op) {
            Some(n) => n,
            None => return true,
        }
    };
    // GE/GT/SGE/SGT become LE/LT/SLE/SLT with the operands swapped.
    let (op, a, b) = match op {
        JmpOp::Jge => (JmpOp::Jle, b, a),
        JmpOp::Jgt => (JmpOp::Jlt, b, a),
        JmpOp::Jsge => (JmpOp::Jsle, b, a),
        JmpOp::Jsgt => (JmpOp::Jslt, b, a),
        _ => (op, a, b),
    };
    match op {
        JmpOp::Jeq => {
            if jmp32 {
                let (umin, umax) = (a.u32min.max(b.u32min), a.u32max.min(b.u32max));
                let (smin, smax) = (a.s32min.max(b.s32min), a.s32max.min(b.s32max));
                let t = a.tn.subreg().intersect(b.tn.subreg());
                for r in [&mut *a, &mut *b] {
                    r.u32min = umin;
                    r.u32max = umax;
                    r.s32min = smin;
                    r.s32max = smax;
                    r.tn = Tnum {
                        value: (r.tn.value & !0xffff_ffff) | t.value,
                        mask: (r.tn.mask & !0xffff_ffff) | t.mask,
                    };
                }
            } else {
                let (umin, umax) = (a.umin.max(b.umin), a.umax.min(b.umax));
                let (smin, smax) = (a.smin.max(b.smin), a.smax.min(b.smax));
                let t = a.tn.intersect(b.tn);
                for r in [&mut *a, &mut *b] {
                    r.umin = umin;
                    r.umax = umax;
                    r.smin = smin;
                    r.smax = smax;
                    r.tn = t;
                }
            }
        }
        JmpOp::Jne => match (const_of(a, jmp32), const_of(b, jmp32)) {
            (_, Some(v)) => jne_edge(a, v, jmp32),
            (Some(v), None) => jne_edge(b, v, jmp32),
            _ => {}
        },
        JmpOp::Jset => match (const_of(a, jmp32), const_of(b, jmp32)) {
            (_, Some(v)) => jset_bits(a, v, jset_negated, jmp32),
            (Some(v), None) => jset_bits(b, v, jset_negated, jmp32),
            _ => {}
        },
        JmpOp::Jle => {
            if jmp32 {
                a.u32max = a.u32max.min(b.u32max);
                b.u32min = a.u32min.max(b.u32min);
            } else {
                a.umax = a.umax.min(b.umax);
                b.umin = a.umin.max(b.umin);
            }
        }
        JmpOp::Jlt => {
            if jmp32 {
                a.u32max = a.u32max.min(b.u32max.wrapping_sub(1));
                b.u32min = a.u32min.wrapping_add(1).max(b.u32min);
            } else {
                a.umax = a.umax.min(b.umax.wrapping_sub(1));
                b.umin = a.umin.wrapping_add(1).max(b.umin);
            }
        }
        JmpOp::Jsle => {
            if jmp32 {
                a.s32max = a.s32max.min(b.s32max);
                b.s32min = a.s32min.max(b.s32min);
            } else {
                a.smax = a.smax.min(b.smax);
                b.smin = a.smin.max(b.smin);
            }
        }
        JmpOp::Jslt => {
            if jmp32 {
                a.s32max = a.s32max.min(b.s32max.wrapping_sub(1));
                b.s32min = a.s32min.wrapping_add(1).max(b.s32min);
            } else {
                a.smax = a.smax.min(b.smax.wrapping_sub(1));
                b.smin = a.smin.wrapping_add(1).max(b.smin);
            }
        }
        _ => {}
    }
    a.sync();
    b.sync();
    !a.is_empty() && !b.is_empty()
}

fn const_of(s: &Scalar, jmp32: bool) -> Option<u64> {
    if jmp32 {
        s.as_const32().map(u64::from)
    } else {
        s.as_const()
    }
}

/// `r != v`: a bound equal to `v` moves one step inwards.
fn jne_edge(r: &mut Scalar, v: u64, jmp32: bool) {
    if jmp32 {
        let v = v as u32;
        if r.u32min == v {
            r.u32min = r.u32min.wrapping_add(1);
        }
        if r.u32max == v {
            r.u32max = r.u32max.wrapping_sub(1);
        }
        if r.s32min == v as i32 {
            r.s32min = r.s32min.wrapping_add(1);
        }
        if r.s32max == v as i32 {
            r.s32max = r.s32max.wrapping_sub(1);
        }
    } else {
        if r.umin == v {
            r.umin = r.umin.wrapping_add(1);
        }
        if r.umax == v {
            r.umax = r.umax.wrapping_sub(1);
        }
        if r.smin == v as i64 {
            r.smin = r.smin.wrapping_add(1);
        }
        if r.smax == v as i64 {
            r.smax = r.smax.wrapping_sub(1);
        }
    }
}

/// `r & v` is non-zero (a single bit then is known set) or zero (`negated`: every bit of
/// `v` is known clear).
fn jset_bits(r: &mut Scalar, v: u64, negated: bool, jmp32: bool) {
    if negated {
        let keep = if jmp32 { !v | !0xffff_ffffu64 } else { !v };
        r.tn = r.tn.and(Tnum::konst(keep));
    } else if v.is_power_of_two() {
        r.tn = r.tn.or(Tnum::konst(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_decide_every_condition() {
        let (a, b) = (Scalar::konst(3), Scalar::konst(5));
        assert_eq!(scalar_taken(&a, &b, JmpOp::Jlt, false), Some(true));
        assert_eq!(scalar_taken(&a, &b, JmpOp::Jeq, false), Some(false));
        assert_eq!(
            scalar_taken(&Scalar::konst(0x1_0000_0003), &a, JmpOp::Jeq, true),
            Some(true)
        );
        assert_eq!(
            scalar_taken(&Scalar::konst(u64::MAX), &a, JmpOp::Jslt, false),
            Some(true)
        );
        assert_eq!(
            scalar_taken(&a, &Scalar::konst(2), JmpOp::Jset, false),
            Some(true)
        );
    }

    #[test]
    fn ranges_decide_and_refine() {
        let byte = Scalar::urange(0, 255);
        assert_eq!(
            scalar_taken(&byte, &Scalar::konst(255), JmpOp::Jgt, false),
            Some(false)
        );
        assert_eq!(
            scalar_taken(&byte, &Scalar::konst(10), JmpOp::Jgt, false),
            None
        );
        let (mut x, mut k) = (byte, Scalar::konst(10));
        assert!(refine(&mut x, &mut k, JmpOp::Jgt, false, false));
        assert_eq!(x.umax, 10);
        assert_eq!(
            scalar_taken(&x, &Scalar::konst(20), JmpOp::Jgt, false),
            Some(false)
        );
        // A refinement that contradicts the known value makes the side impossible.
        let (mut c, mut k) = (Scalar::konst(4), Scalar::konst(4));
        assert!(!refine(&mut c, &mut k, JmpOp::Jeq, false, false));
    }
}
