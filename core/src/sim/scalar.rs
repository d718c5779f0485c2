//! The verifier's scalar domain: a tristate number (known bits) plus unsigned and signed
//! bounds in 64 and 32 bits, with the kernel's transfer functions where they matter for
//! deciding branches.
//!
//! Soundness rule: this domain may know *less* than the kernel's (then the simulation keeps
//! both sides of a branch the kernel decided: imprecise, never wrong), but never more. So
//! where the kernel gives up (division, negation, byte swaps, shifts by unknown amounts, …)
//! the result here is unknown too.

/// A tristate number: bits in `mask` are unknown, the others equal `value`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tnum {
    /// Known bit values (unknown bits are 0 here).
    pub value: u64,
    /// Unknown bits.
    pub mask: u64,
}

impl Tnum {
    /// A known constant.
    pub const fn konst(v: u64) -> Tnum {
        Tnum { value: v, mask: 0 }
    }
    /// Nothing known.
    pub const UNKNOWN: Tnum = Tnum {
        value: 0,
        mask: u64::MAX,
    };

    /// Whether every bit is known.
    pub fn is_const(self) -> bool {
        self.mask == 0
    }

    /// The tnum covering every value in `[min, max]`.
    pub fn range(min: u64, max: u64) -> Tnum {
        let chi = min ^ max;
        let bits = 64 - chi.leading_zeros();
        if bits > 63 {
            return Tnum::UNKNOWN;
        }
        let delta = (1u64 << bits) - 1;
        Tnum {
            value: min & !delta,
            mask: delta,
        }
    }

    /// Sum.
    pub fn plus(self, b: Tnum) -> Tnum {
        let sm = self.mask.wrapping_add(b.mask);
        let sv = self.value.wrapping_add(b.value);
        let sigma = sm.wrapping_add(sv);
        let chi = sigma ^ sv;
        let mu = chi | self.mask | b.mask;
        Tnum {
            value: sv & !mu,
            mask: mu,
        }
    }

    /// Difference.
    pub fn minus(self, b: Tnum) -> Tnum {
        let dv = self.value.wrapping_sub(b.value);
        let alpha = dv.wrapping_add(self.mask);
        let beta = dv.wrapping_sub(b.mask);
        let chi = alpha ^ beta;
        let mu = chi | self.mask | b.mask;
        Tnum {
            value: dv & !mu,
            mask: mu,
        }
    }

    /// Bitwise and.
    pub fn and(self, b: Tnum) -> Tnum {
        let alpha = self.value | self.mask;
        let beta = b.value | b.mask;
        let v = self.value & b.value;
        Tnum {
            value: v,
            mask: alpha & beta & !v,
        }
    }

    /// Bitwise or.
    pub fn or(self, b: Tnum) -> Tnum {
        let v = self.value | b.value;
        let mu = self.mask | b.mask;
        Tnum {
            value: v,
            mask: mu & !v,
        }
    }

    /// Bitwise xor.
    pub fn xor(self, b: Tnum) -> Tnum {
        let v = self.value ^ b.value;
        let mu = self.mask | b.mask;
        Tnum {
            value: v & !mu,
            mask: mu,
        }
    }

    /// Left shift by a known amount.
    pub fn lsh(self, s: u32) -> Tnum {
        Tnum {
            value: self.value << s,
            mask: self.mask << s,
        }
    }

    /// Logical right shift by a known amount.
    pub fn rsh(self, s: u32) -> Tnum {
        Tnum {
            value: self.value >> s,
            mask: self.mask >> s,
        }
    }

    /// Arithmetic right shift (of the low `bits` bits) by a known amount.
    pub fn arsh(self, s: u32, bits: u32) -> Tnum {
        if bits == 32 {
            Tnum {
                value: ((self.value as u32 as i32) >> s) as u32 as u64,
                mask: ((self.mask as u32 as i32) >> s) as u32 as u64,
            }
        } else {
            Tnum {
                value: ((self.value as i64) >> s) as u64,
                mask: ((self.mask as i64) >> s) as u64,
            }
        }
    }

    /// Product (the kernel's shift-and-add approximation).
    pub fn times(self, b: Tnum) -> Tnum {
        if self.is_const() && b.is_const() {
            return Tnum::konst(self.value.wrapping_mul(b.value));
        }
        let (mut a, mut b) = (self, b);
        let mut acc_v = a.value.wrapping_mul(b.value);
        let mut acc_m = Tnum::konst(0);
        while a.value != 0 || a.mask != 0 {
            if a.value & 1 != 0 {
                acc_m = acc_m.plus(Tnum {
                    value: 0,
                    mask: b.mask,
                });
            } else if a.mask & 1 != 0 {
                acc_m = acc_m.plus(Tnum {
                    value: 0,
                    mask: b.value | b.mask,
                });
            }
            a = a.rsh(1);
            b = b.lsh(1);
        }
        let r = Tnum::konst(acc_v).plus(acc_m);
        acc_v = r.value;
        Tnum {
            value: acc_v,
            mask: r.mask,
        }
    }

    /// The low 32 bits.
    pub fn subreg(self) -> Tnum {
        Tnum {
            value: self.value & 0xffff_ffff,
            mask: self.mask & 0xffff_ffff,
        }
    }

    /// Both constraints at once (assumes they are compatible).
    pub fn intersect(self, b: Tnum) -> Tnum {
        let v = self.value | b.value;
        let mu = self.mask & b.mask;
        Tnum {
            value: v & !mu,
            mask: mu,
        }
    }
}

/// A scalar: known bits and bounds (64-bit, and of the low 32 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scalar {
    /// Known bits.
    pub tn: Tnum,
    /// Unsigned 64-bit bounds.
    pub umin: u64,
    /// Unsigned 64-bit bounds.
    pub umax: u64,
    /// Signed 64-bit bounds.
    pub smin: i64,
    /// Signed 64-bit bounds.
    pub smax: i64,
    /// Unsigned bounds of the low 32 bits.
    pub u32min: u32,
    /// Unsigned bounds of the low 32 bits.
    pub u32max: u32,
    /// Signed bounds of the low 32 bits.
    pub s32min: i32,
    /// Signed bounds of the low 32 bits.
    pub s32max: i32,
}

impl Scalar {
    /// Nothing known.
    pub const UNKNOWN: Scalar = Scalar {
        tn: Tnum::UNKNOWN,
        umin: 0,
        umax: u64::MAX,
        smin: i64::MIN,
        smax: i64::MAX,
        u32min: 0,
        u32max: u32::MAX,
        s32min: i32::MIN,
        s32max: i32::MAX,
    };

    /// A known constant.
    pub fn konst(v: u64) -> Scalar {
        Scalar {
            tn: Tnum::konst(v),
            umin: v,
            umax: v,
            smin: v as i64,
            smax: v as i64,
            u32min: v as u32,
            u32max: v as u32,
            s32min: v as u32 as i32,
            s32max: v as u32 as i32,
        }
    }

    /// The constant, if known.
    pub fn as_const(&self) -> Option<u64> {
        self.tn.is_const().then_some(self.tn.value)
    }

    /// The low 32 bits as a constant, if known.
    pub fn as_const32(&self) -> Option<u32> {
        (self.tn.mask & 0xffff_ffff == 0).then_some(self.tn.value as u32)
    }

    /// A scalar from known bits alone.
    #[cfg(test)]
    pub fn from_tnum(tn: Tnum) -> Scalar {
        let mut s = Scalar {
            tn,
            ..Scalar::UNKNOWN
        };
        s.sync();
        s
    }

    /// An unsigned range.
    pub fn urange(min: u64, max: u64) -> Scalar {
        let mut s = Scalar {
            umin: min,
            umax: max,
            tn: Tnum::range(min, max),
            ..Scalar::UNKNOWN
        };
        s.sync();
        s
    }

    /// Brings bounds and known bits into agreement (a sound subset of `reg_bounds_sync`).
    pub fn sync(&mut self) {
        // Bounds from known bits.
        let t = self.tn;
        self.umin = self.umin.max(t.value);
        self.umax = self.umax.min(t.value | t.mask);
        self.smin = self.smin.max((t.value | (t.mask & (1 << 63))) as i64);
        self.smax = self.smax.min((t.value | (t.mask & !(1u64 << 63))) as i64);
        let t32 = t.subreg();
        self.u32min = self.u32min.max(t32.value as u32);
        self.u32max = self.u32max.min((t32.value | t32.mask) as u32);
        self.s32min = self
            .s32min
            .max((t32.value as u32 | (t32.mask as u32 & (1 << 31))) as i32);
        self.s32max = self
            .s32max
            .min((t32.value as u32 | (t32.mask as u32 & !(1u32 << 31))) as i32);
        // Signed/unsigned cross-learning when a range stays on one side of the sign boundary.
        if (self.smin >= 0) || (self.smax < 0) {
            self.umin = self.umin.max(self.smin as u64);
            self.umax = self.umax.min(self.smax as u64);
        }
        if (self.umax as i64) >= 0 || (self.umin as i64) < 0 {
            self.smin = self.smin.max(self.umin as i64);
            self.smax = self.smax.min(self.umax as i64);
        }
        if self.s32min >= 0 || self.s32max < 0 {
            self.u32min = self.u32min.max(self.s32min as u32);
            self.u32max = self.u32max.min(self.s32max as u32);
        }
        if (self.u32max as i32) >= 0 || (self.u32min as i32) < 0 {
            self.s32min = self.s32min.max(self.u32min as i32);
            self.s32max = self.s32max.min(self.u32max as i32);
        }
        // 64-bit bounds within one 2^32 block give the low half's bounds.
        if self.umin >> 32 == self.umax >> 32 {
            self.u32min = self.u32min.max(self.umin as u32);
            self.u32max = self.u32max.min(self.umax as u32);
        }
        // Known bits from bounds (an empty range is left as it is: the side is impossible).
        if self.is_empty() {
            return;
        }
        self.tn = self.tn.intersect(Tnum::range(self.umin, self.umax));
        if self.tn.is_const() {
            *self = Scalar::konst(self.tn.value);
        }
    }

    /// Whether the bounds are contradictory (an impossible branch).
    pub fn is_empty(&self) -> bool {
        self.umin > self.umax
            || self.smin > self.smax
            || self.u32min > self.u32max
            || self.s32min > self.s32max
            || self.tn.value & self.tn.mask != 0
    }

    /// Zero-extends the low 32 bits (result of a 32-bit ALU op / `w` register write).
    pub fn zext32(&self) -> Scalar {
        if let Some(c) = self.as_const32() {
            return Scalar::konst(u64::from(c));
        }
        let mut s = Scalar {
            tn: self.tn.subreg(),
            umin: u64::from(self.u32min),
            umax: u64::from(self.u32max),
            smin: i64::from(self.u32min),
            smax: i64::from(self.u32max),
            ..*self
        };
        s.sync();
        s
    }

    /// Truncates to `bytes` bytes, zero-extended (a narrow load or a fill).
    pub fn truncate(&self, bytes: u32) -> Scalar {
        if bytes >= 8 {
            return *self;
        }
        let bits = bytes * 8;
        let m = (1u64 << bits) - 1;
        if let Some(c) = self.as_const() {
            return Scalar::konst(c & m);
        }
        if self.umax <= m {
            return *self;
        }
        Scalar::urange(0, m).with_tnum(Tnum {
            value: self.tn.value & m,
            mask: self.tn.mask & m,
        })
    }

    /// Sign-extends the low `bits` bits (`MOVSX`, `MEMSX`): only constants are tracked here.
    /// A width outside 1–64 (an invalid `MOVSX` offset, which the kernel rejects) is unknown.
    pub fn sign_extend(&self, bits: u32, to32: bool) -> Scalar {
        if bits == 64 && !to32 {
            return *self;
        }
        match self.as_const().filter(|_| (1..64).contains(&bits)) {
            Some(c) => {
                let shift = 64 - bits;
                let v = (((c << shift) as i64) >> shift) as u64;
                Scalar::konst(if to32 { v & 0xffff_ffff } else { v })
            }
            None => Scalar::UNKNOWN,
        }
    }

    fn with_tnum(mut self, tn: Tnum) -> Scalar {
        self.tn = self.tn.intersect(tn);
        self.sync();
        self
    }
}
