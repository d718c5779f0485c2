//! ALU transfer functions on scalars, following the kernel's `adjust_scalar_min_max_vals`
//! where it tracks values and giving up (unknown) wherever the kernel does.

use super::scalar::{Scalar, Tnum};
use crate::insn::AluOp;

fn unbounded_signed(mut s: Scalar) -> Scalar {
    s.smin = i64::MIN;
    s.smax = i64::MAX;
    s.s32min = i32::MIN;
    s.s32max = i32::MAX;
    s
}

fn fresh(tn: Tnum, umin: u64, umax: u64, smin: i64, smax: i64) -> Scalar {
    let mut s = Scalar {
        tn,
        umin,
        umax,
        smin,
        smax,
        ..Scalar::UNKNOWN
    };
    s.sync();
    s
}

/// `dst op src` on 64-bit scalars (`None` for operations handled elsewhere: MOV, NEG, END).
pub fn alu64(op: AluOp, d: &Scalar, s: &Scalar) -> Scalar {
    if let (Some(a), Some(b)) = (d.as_const(), s.as_const()) {
        if let Some(v) = const_op(op, a, b, 64) {
            return Scalar::konst(v);
        }
    }
    // Older kernels (and so, conservatively, this model) track OR, XOR and MUL only by a
    // constant source.
    if matches!(op, AluOp::Or | AluOp::Xor | AluOp::Mul) && s.as_const().is_none() {
        return Scalar::UNKNOWN;
    }
    match op {
        AluOp::Add => {
            let tn = d.tn.plus(s.tn);
            let (umin, uo1) = d.umin.overflowing_add(s.umin);
            let (umax, uo2) = d.umax.overflowing_add(s.umax);
            let (umin, umax) = if uo1 || uo2 {
                (0, u64::MAX)
            } else {
                (umin, umax)
            };
            let (smin, so1) = d.smin.overflowing_add(s.smin);
            let (smax, so2) = d.smax.overflowing_add(s.smax);
            let (smin, smax) = if so1 || so2 {
                (i64::MIN, i64::MAX)
            } else {
                (smin, smax)
            };
            fresh(tn, umin, umax, smin, smax)
        }
        AluOp::Sub => {
            let tn = d.tn.minus(s.tn);
            let (umin, umax) = if d.umin < s.umax {
                (0, u64::MAX)
            } else {
                (d.umin - s.umax, d.umax - s.umin)
            };
            let (smin, so1) = d.smin.overflowing_sub(s.smax);
            let (smax, so2) = d.smax.overflowing_sub(s.smin);
            let (smin, smax) = if so1 || so2 {
                (i64::MIN, i64::MAX)
            } else {
                (smin, smax)
            };
            fresh(tn, umin, umax, smin, smax)
        }
        AluOp::Mul => {
            let tn = d.tn.times(s.tn);
            // Only the non-negative case, which every kernel version tracks.
            if d.smin < 0 || s.smin < 0 {
                return fresh(tn, 0, u64::MAX, i64::MIN, i64::MAX);
            }
            match (d.umax.checked_mul(s.umax), d.umin.checked_mul(s.umin)) {
                (Some(hi), Some(lo)) if hi <= i64::MAX as u64 => {
                    fresh(tn, lo, hi, lo as i64, hi as i64)
                }
                _ => fresh(tn, 0, u64::MAX, i64::MIN, i64::MAX),
            }
        }
        AluOp::And => {
            let tn = d.tn.and(s.tn);
            let umax = d.umax.min(s.umax);
            let (smin, smax) = if d.smin < 0 || s.smin < 0 {
                (i64::MIN, i64::MAX)
            } else {
                (tn.value as i64, umax as i64)
            };
            fresh(tn, tn.value, umax, smin, smax)
        }
        AluOp::Or => {
            let tn = d.tn.or(s.tn);
            let umin = d.umin.max(s.umin);
            let umax = tn.value | tn.mask;
            let (smin, smax) = if d.smin < 0 || s.smin < 0 {
                (i64::MIN, i64::MAX)
            } else {
                (umin as i64, umax as i64)
            };
            fresh(tn, umin, umax, smin, smax)
        }
        AluOp::Xor => {
            let tn = d.tn.xor(s.tn);
            let (umin, umax) = (tn.value, tn.value | tn.mask);
            let (smin, smax) = if d.smin >= 0 && s.smin >= 0 {
                (umin as i64, umax as i64)
            } else {
                (i64::MIN, i64::MAX)
            };
            fresh(tn, umin, umax, smin, smax)
        }
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => match s.as_const() {
            Some(sh) if sh < 64 => shift(op, d, sh as u32, 64),
            _ => Scalar::UNKNOWN,
        },
        // DIV, MOD, and anything else: the kernel marks the result unknown.
        _ => Scalar::UNKNOWN,
    }
}

fn shift(op: AluOp, d: &Scalar, sh: u32, bits: u32) -> Scalar {
    match op {
        AluOp::Lsh => {
            let tn = d.tn.lsh(sh);
            let limit = if sh == 0 { u64::MAX } else { u64::MAX >> sh };
            let (umin, umax) = if d.umax > limit {
                (0, u64::MAX)
            } else {
                (d.umin << sh, d.umax << sh)
            };
            let mut r = unbounded_signed(Scalar {
                tn,
                umin,
                umax,
                ..Scalar::UNKNOWN
            });
            r.sync();
            r
        }
        AluOp::Rsh => {
            let tn = d.tn.rsh(sh);
            let mut r = unbounded_signed(Scalar {
                tn,
                umin: d.umin >> sh,
                umax: d.umax >> sh,
                ..Scalar::UNKNOWN
            });
            r.sync();
            r
        }
        _ => {
            let tn = d.tn.arsh(sh, bits);
            let mut r = Scalar {
                tn,
                smin: d.smin >> sh,
                smax: d.smax >> sh,
                ..Scalar::UNKNOWN
            };
            r.sync();
            r
        }
    }
}

/// `dst op src` on 32-bit subregisters; the result is zero-extended.
pub fn alu32(op: AluOp, d: &Scalar, s: &Scalar) -> Scalar {
    let (a, b) = (d.zext32(), s.zext32());
    if let (Some(x), Some(y)) = (a.as_const(), b.as_const()) {
        if let Some(v) = const_op(op, x, y, 32) {
            return Scalar::konst(v & 0xffff_ffff);
        }
    }
    match op {
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => match b.as_const() {
            Some(sh) if sh < 32 => match op {
                AluOp::Arsh => {
                    // Sign-extend the 32-bit value into 64 bits, shift, keep the low half.
                    let wide = a.sign_extend(32, false);
                    shift(op, &wide, sh as u32, 64).truncate(4)
                }
                _ => shift(op, &a, sh as u32, 64).truncate(4),
            },
            _ => Scalar::UNKNOWN.zext32(),
        },
        AluOp::Add | AluOp::Sub | AluOp::Mul | AluOp::And | AluOp::Or | AluOp::Xor => {
            alu64(op, &a, &b).truncate(4)
        }
        _ => Scalar::UNKNOWN.zext32(),
    }
}

/// The operation on two constants, where the kernel computes it (`None`: it does not).
fn const_op(op: AluOp, a: u64, b: u64, bits: u32) -> Option<u64> {
    Some(match op {
        AluOp::Add => a.wrapping_add(b),
        AluOp::Sub => a.wrapping_sub(b),
        AluOp::Mul => a.wrapping_mul(b),
        AluOp::And => a & b,
        AluOp::Or => a | b,
        AluOp::Xor => a ^ b,
        AluOp::Lsh if b < u64::from(bits) => a << b,
        AluOp::Rsh if b < u64::from(bits) => a >> b,
        AluOp::Arsh if b < u64::from(bits) => {
            if bits == 32 {
                ((a as u32 as i32) >> b) as u32 as u64
            } else {
                ((a as i64) >> b) as u64
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_fold_where_the_kernel_folds() {
        let c = Scalar::konst;
        assert_eq!(alu64(AluOp::Add, &c(5), &c(7)).as_const(), Some(12));
        assert_eq!(alu64(AluOp::Lsh, &c(1), &c(32)).as_const(), Some(1 << 32));
        assert_eq!(
            alu32(AluOp::Add, &c(0xffff_ffff), &c(2)).as_const(),
            Some(1)
        );
        assert_eq!(
            alu64(AluOp::Arsh, &c((-8i64) as u64), &c(1)).as_const(),
            Some((-4i64) as u64)
        );
        // Division is never tracked by the verifier.
        assert_eq!(alu64(AluOp::Div, &c(10), &c(2)).as_const(), None);
    }

    #[test]
    fn ranges_follow_known_bits() {
        let x = alu64(AluOp::And, &Scalar::UNKNOWN, &Scalar::konst(0xff));
        assert_eq!((x.umin, x.umax), (0, 0xff));
        let y = alu64(AluOp::Rsh, &Scalar::UNKNOWN, &Scalar::konst(32));
        assert_eq!(y.umax, 0xffff_ffff);
        let z = alu64(AluOp::Add, &x, &Scalar::konst(1));
        assert_eq!((z.umin, z.umax), (1, 0x100));
    }
}
