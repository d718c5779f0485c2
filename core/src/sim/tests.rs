//! Hand-built instruction sequences, one rule each: the exploration on a bare linked program.

use std::collections::HashMap;

use super::explore::{explore, Env, Exploration, Limits, Stop};
use super::link::{LdImm, LinkedFunc, LinkedProgram};
use crate::insn::{Insn, POISON_IMM};

// A tiny assembler for readable tests.
fn mov(dst: u8, imm: i32) -> Insn {
    Insn {
        code: 0xb7,
        dst,
        imm,
        ..Default::default()
    }
}
fn mov32(dst: u8, imm: i32) -> Insn {
    Insn {
        code: 0xb4,
        dst,
        imm,
        ..Default::default()
    }
}
fn movr(dst: u8, src: u8) -> Insn {
    Insn {
        code: 0xbf,
        dst,
        src,
        ..Default::default()
    }
}
fn alu(code: u8, dst: u8, imm: i32) -> Insn {
    Insn {
        code,
        dst,
        imm,
        ..Default::default()
    }
}
fn jmp(code: u8, dst: u8, imm: i32, off: i16) -> Insn {
    Insn {
        code,
        dst,
        imm,
        off,
        ..Default::default()
    }
}
fn jmpr(code: u8, dst: u8, src: u8, off: i16) -> Insn {
    Insn {
        code,
        dst,
        src,
        off,
        ..Default::default()
    }
}
fn poison() -> Insn {
    Insn::poison()
}
fn exit() -> Insn {
    Insn {
        code: 0x95,
        ..Default::default()
    }
}
fn call(helper: i32) -> Insn {
    Insn {
        code: 0x85,
        imm: helper,
        ..Default::default()
    }
}
fn stx(size: u8, dst: u8, off: i16, src: u8) -> Insn {
    Insn {
        code: 0x63 | size,
        dst,
        src,
        off,
        ..Default::default()
    }
}
fn st(size: u8, dst: u8, off: i16, imm: i32) -> Insn {
    Insn {
        code: 0x62 | size,
        dst,
        off,
        imm,
        ..Default::default()
    }
}
fn ldx(size: u8, dst: u8, src: u8, off: i16) -> Insn {
    Insn {
        code: 0x61 | size,
        dst,
        src,
        off,
        ..Default::default()
    }
}
const W: u8 = 0x00;
const DW: u8 = 0x18;

fn program(insns: Vec<Insn>) -> LinkedProgram {
    let len = insns.len();
    LinkedProgram {
        prog: 0,
        origin: (0..len as u32).map(|i| (0, i)).collect(),
        insns,
        funcs: vec![LinkedFunc {
            name: "main".into(),
            prog: 0,
            start: 0,
            len,
            global: false,
        }],
        ld: HashMap::new(),
        poisoned_kfuncs: HashMap::new(),
        error: None,
    }
}

fn run(insns: Vec<Insn>) -> Exploration {
    explore(&program(insns), &Env::default(), Limits::default())
}

fn live(x: &Exploration) -> Vec<usize> {
    x.seen
        .iter()
        .enumerate()
        .filter(|(_, s)| **s)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn constant_guard_removes_the_poisoned_branch() {
    // r1 = 0; r0 = 0; if r1 == 0 goto +1; call poison; exit   (spec §5.4 example)
    let x = run(vec![
        mov(1, 0),
        mov(0, 0),
        jmp(0x15, 1, 0, 1),
        poison(),
        exit(),
    ]);
    assert_eq!(live(&x), [0, 1, 2, 4]);
    assert!(x.stops.is_empty());
}

#[test]
fn reachable_poison_stops_the_path() {
    let x = run(vec![
        mov(1, 1),
        mov(0, 0),
        jmp(0x15, 1, 0, 1),
        poison(),
        exit(),
    ]);
    assert_eq!(x.stops, [(3, Stop::CorePoison)]);
}

#[test]
fn alu_on_constants_decides_branches() {
    // r1 = 3; r1 <<= 4; r1 += 2; r1 &= 0x3f; if r1 != 50 goto poison
    let x = run(vec![
        mov(1, 3),
        alu(0x67, 1, 4),
        alu(0x07, 1, 2),
        alu(0x57, 1, 0x3f),
        mov(0, 0),
        jmp(0x55, 1, 50, 1),
        exit(),
        poison(),
    ]);
    assert!(x.stops.is_empty(), "{:?}", x.stops);
    assert!(!x.seen[7]);
}

#[test]
fn every_condition_and_jmp32() {
    // For each (code, imm, expect_taken) with r1 = 5 (and w-views), the other side is dead.
    let cases: &[(u8, i32, bool)] = &[
        (0x15, 5, true),   // jeq
        (0x55, 5, false),  // jne
        (0x25, 4, true),   // jgt
        (0x35, 6, false),  // jge
        (0xa5, 6, true),   // jlt
        (0xb5, 4, false),  // jle
        (0x45, 4, true),   // jset
        (0x65, -1, true),  // jsgt
        (0x75, 6, false),  // jsge
        (0xc5, 6, true),   // jslt
        (0xd5, 4, false),  // jsle
        (0x16, 5, true),   // jeq32
        (0x26, 4, true),   // jgt32
        (0xd6, -1, false), // jsle32
    ];
    for &(code, imm, want_taken) in cases {
        let x = run(vec![
            mov(1, 5),
            mov(0, 0),
            jmp(code, 1, imm, 1),
            exit(),
            exit(),
        ]);
        assert_eq!(x.seen[4], want_taken, "code {code:#x} imm {imm}");
        assert_eq!(x.seen[3], !want_taken, "code {code:#x} imm {imm}");
    }
    // JMP32 looks only at the low half: r1 = 0x1_0000_0005.
    let x = run(vec![
        Insn {
            code: 0x18,
            dst: 1,
            imm: 5,
            ..Default::default()
        },
        Insn {
            imm: 1,
            ..Default::default()
        },
        mov(0, 0),
        jmp(0x16, 1, 5, 1),
        poison(),
        exit(),
    ]);
    assert!(x.stops.is_empty());
}

#[test]
fn register_comparisons_and_unknown_values() {
    // r1 = r2 (unknown at entry? r2 is uninitialised: unknown) - both sides live.
    let x = run(vec![
        call(7),
        movr(1, 0),
        mov(0, 0),
        jmpr(0x1d, 1, 0, 1),
        exit(),
        exit(),
    ]);
    assert!(x.seen[4] && x.seen[5]);
}

#[test]
fn ranges_decide_after_masking() {
    // r0 = helper(); r0 &= 7; if r0 > 10 goto poison
    let x = run(vec![
        call(7),
        alu(0x57, 0, 7),
        jmp(0x25, 0, 10, 1),
        exit(),
        poison(),
    ]);
    assert!(x.stops.is_empty());
    assert!(!x.seen[4]);
    // After `if r0 > 10` fails, a second `if r0 > 20` is decided too.
    let x = run(vec![
        call(7),
        jmp(0x25, 0, 10, 2),
        jmp(0x25, 0, 20, 1),
        exit(),
        exit(),
        poison(),
    ]);
    assert!(!x.seen[5]);
}

#[test]
fn spills_and_fills_keep_constants() {
    // *(u64 *)(r10 - 8) = r1 (= 1); r1 = helper(); r2 = *(u64 *)(r10 - 8); if r2 == 0 goto poison
    let x = run(vec![
        mov(1, 1),
        stx(DW, 10, -8, 1),
        call(7),
        ldx(DW, 2, 10, -8),
        mov(0, 0),
        jmp(0x15, 2, 0, 1),
        exit(),
        poison(),
    ]);
    assert!(x.stops.is_empty());
    // A 4-byte immediate store at an aligned slot, read back as 4 bytes.
    let x = run(vec![
        st(W, 10, -16, 7),
        ldx(W, 3, 10, -16),
        mov(0, 0),
        jmp(0x55, 3, 7, 1),
        exit(),
        poison(),
    ]);
    assert!(x.stops.is_empty());
    // Overwriting part of the spill forgets it.
    let x = run(vec![
        mov(1, 1),
        stx(DW, 10, -8, 1),
        call(7),
        stx(W, 10, -4, 0),
        ldx(DW, 2, 10, -8),
        mov(0, 0),
        jmp(0x15, 2, 0, 1),
        exit(),
        poison(),
    ]);
    assert_eq!(x.stops, [(8, Stop::CorePoison)]);
}

#[test]
fn calls_clobber_r1_to_r5() {
    // r1 = 0; call helper; if r1 == 0 goto +1  -> r1 is unreadable (unknown): both sides.
    let x = run(vec![
        mov(1, 0),
        mov(6, 0),
        call(7),
        jmp(0x15, 1, 0, 1),
        poison(),
        jmp(0x15, 6, 0, 1),
        poison(),
        exit(),
    ]);
    // r6 survives the call (decided), r1 does not (undecided: the poison at 4 is reached).
    assert!(x.seen[4]);
    assert!(!x.seen[6]);
}

#[test]
fn static_subprogram_sees_caller_constants() {
    // main: r1 = 1; call sub; exit.   sub: if r1 == 0 goto poison; r0 = 0; exit
    let mut p = program(vec![
        mov(1, 1),
        Insn {
            code: 0x85,
            src: 1,
            imm: 1,
            ..Default::default()
        },
        exit(),
        jmp(0x15, 1, 0, 2),
        mov(0, 0),
        exit(),
        poison(),
    ]);
    p.funcs = vec![
        LinkedFunc {
            name: "main".into(),
            prog: 0,
            start: 0,
            len: 3,
            global: false,
        },
        LinkedFunc {
            name: "sub".into(),
            prog: 1,
            start: 3,
            len: 4,
            global: false,
        },
    ];
    let x = explore(&p, &Env::default(), Limits::default());
    assert!(x.stops.is_empty());
    assert!(!x.seen[6]);
    // The same function global: verified alone with unknown arguments, the poison is reachable.
    p.funcs[1].global = true;
    let x = explore(&p, &Env::default(), Limits::default());
    assert_eq!(x.globals, [3]);
    assert_eq!(x.stops, [(6, Stop::CorePoison)]);
}

#[test]
fn frozen_map_values_are_constants() {
    // r1 = &.kconfig[4]; r1 = *(u32 *)(r1 + 0); if r1 < 0x50a00 goto poison
    let mut p = program(vec![
        Insn {
            code: 0x18,
            dst: 1,
            src: 2,
            ..Default::default()
        },
        Insn::default(),
        ldx(W, 1, 1, 0),
        mov(0, 0),
        jmp(0xa5, 1, 0x50a00, 1),
        exit(),
        poison(),
    ]);
    p.ld.insert(0, LdImm::MapValue { map: 0, off: 4 });
    let mut image = vec![0u8; 8];
    image[4..8].copy_from_slice(&0x0006_1200u32.to_le_bytes());
    let env = Env {
        frozen: vec![Some(image)],
        kconfig: Some((0, vec![(4, 4, 0)])),
        ..Default::default()
    };
    let x = explore(&p, &env, Limits::default());
    assert!(x.stops.is_empty(), "{:?}", x.stops);
    assert_eq!(x.branches[&4].decided_by, Some(super::Origin::Kconfig(0)));
    // A writable map's value is not a constant.
    let x = explore(
        &p,
        &Env {
            frozen: vec![None],
            ..Default::default()
        },
        Limits::default(),
    );
    assert_eq!(x.stops, [(6, Stop::CorePoison)]);
}

#[test]
fn null_checks_refine_every_copy() {
    // r0 = map_lookup(); r6 = r0; if r0 == 0 goto exit; r1 = r6; if r1 == 0 goto poison
    let x = run(vec![
        call(1),
        movr(6, 0),
        jmp(0x15, 0, 0, 3),
        movr(1, 6),
        jmp(0x15, 1, 0, 2),
        exit(),
        exit(),
        poison(),
    ]);
    assert!(x.stops.is_empty(), "{:?}", x.stops);
    assert!(!x.seen[7]);
}

#[test]
fn loops_are_bounded() {
    // An infinite loop on an unknown value ends by pruning; a counting loop by its bound.
    let x = run(vec![call(7), jmp(0x05, 0, 0, -1)]);
    assert!(!x.exhausted);
    let x = run(vec![
        mov(1, 0),
        alu(0x07, 1, 1),
        jmp(0x35, 1, 100, 1),
        jmp(0x05, 0, 0, -3),
        mov(0, 0),
        exit(),
    ]);
    assert!(!x.exhausted);
    assert!(x.seen[5]);
    // A loop that never repeats a state exhausts the budget.
    let x = explore(
        &program(vec![mov(1, 0), alu(0x07, 1, 1), jmp(0x05, 0, 0, -2)]),
        &Env::default(),
        Limits {
            max_steps: 10_000,
            max_pending: 16,
        },
    );
    assert!(x.exhausted);
}

#[test]
fn poison_constant_is_libbpfs() {
    assert_eq!(poison().imm, POISON_IMM);
    let _ = mov32(0, 0);
}

mod soundness {
    //! The abstract domain against concrete arithmetic: for random values inside random
    //! abstract scalars, every ALU result, branch decision and refinement contains the
    //! concrete outcome.

    use proptest::prelude::*;

    use crate::insn::{AluOp, JmpOp};
    use crate::sim::alu::{alu32, alu64};
    use crate::sim::branch::{refine, scalar_taken};
    use crate::sim::scalar::{Scalar, Tnum};

    fn contains(s: &Scalar, v: u64) -> bool {
        s.umin <= v
            && v <= s.umax
            && s.smin <= v as i64
            && v as i64 <= s.smax
            && s.u32min <= v as u32
            && v as u32 <= s.u32max
            && s.s32min <= v as u32 as i32
            && v as u32 as i32 <= s.s32max
            && (v & !s.tn.mask) == s.tn.value
    }

    /// An abstract scalar containing `v`: constant, a range around it, known low bits, or unknown.
    fn abstraction(v: u64, shape: u8, width: u64) -> Scalar {
        match shape % 4 {
            0 => Scalar::konst(v),
            1 => Scalar::urange(v.saturating_sub(width), v.saturating_add(width)),
            2 => {
                let mask = !((1u64 << (width % 64)) - 1);
                Scalar::from_tnum(Tnum {
                    value: v & !mask,
                    mask,
                })
            }
            _ => Scalar::UNKNOWN,
        }
    }

    fn value() -> impl Strategy<Value = u64> {
        prop_oneof![
            any::<u64>(),
            0u64..300,
            (0u64..300).prop_map(|x| x.wrapping_neg()),
            Just(u64::MAX),
            Just(1 << 31)
        ]
    }

    const OPS: [AluOp; 9] = [
        AluOp::Add,
        AluOp::Sub,
        AluOp::Mul,
        AluOp::And,
        AluOp::Or,
        AluOp::Xor,
        AluOp::Lsh,
        AluOp::Rsh,
        AluOp::Arsh,
    ];
    const JMPS: [JmpOp; 11] = [
        JmpOp::Jeq,
        JmpOp::Jne,
        JmpOp::Jgt,
        JmpOp::Jge,
        JmpOp::Jlt,
        JmpOp::Jle,
        JmpOp::Jset,
        JmpOp::Jsgt,
        JmpOp::Jsge,
        JmpOp::Jslt,
        JmpOp::Jsle,
    ];

    fn concrete_alu(op: AluOp, a: u64, b: u64, wide: bool) -> Option<u64> {
        let r = if wide {
            match op {
                AluOp::Add => a.wrapping_add(b),
                AluOp::Sub => a.wrapping_sub(b),
                AluOp::Mul => a.wrapping_mul(b),
                AluOp::And => a & b,
                AluOp::Or => a | b,
                AluOp::Xor => a ^ b,
                AluOp::Lsh => a.checked_shl(b as u32).filter(|_| b < 64)?,
                AluOp::Rsh => a.checked_shr(b as u32).filter(|_| b < 64)?,
                AluOp::Arsh => ((a as i64).checked_shr(b as u32).filter(|_| b < 64)?) as u64,
                _ => return None,
            }
        } else {
            let (a, b) = (a as u32, b as u32);
            u64::from(match op {
                AluOp::Add => a.wrapping_add(b),
                AluOp::Sub => a.wrapping_sub(b),
                AluOp::Mul => a.wrapping_mul(b),
                AluOp::And => a & b,
                AluOp::Or => a | b,
                AluOp::Xor => a ^ b,
                AluOp::Lsh => a.checked_shl(b).filter(|_| b < 32)?,
                AluOp::Rsh => a.checked_shr(b).filter(|_| b < 32)?,
                AluOp::Arsh => ((a as i32).checked_shr(b).filter(|_| b < 32)?) as u32,
                _ => return None,
            })
        };
        Some(r)
    }

    fn concrete_jmp(op: JmpOp, a: u64, b: u64, jmp32: bool) -> bool {
        let (a, b) = if jmp32 {
            (u64::from(a as u32), u64::from(b as u32))
        } else {
            (a, b)
        };
        let (sa, sb) = if jmp32 {
            (i64::from(a as u32 as i32), i64::from(b as u32 as i32))
        } else {
            (a as i64, b as i64)
        };
        match op {
            JmpOp::Jeq => a == b,
            JmpOp::Jne => a != b,
            JmpOp::Jgt => a > b,
            JmpOp::Jge => a >= b,
            JmpOp::Jlt => a < b,
            JmpOp::Jle => a <= b,
            JmpOp::Jset => a & b != 0,
            JmpOp::Jsgt => sa > sb,
            JmpOp::Jsge => sa >= sb,
            JmpOp::Jslt => sa < sb,
            JmpOp::Jsle => sa <= sb,
            _ => unreachable!(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

        #[test]
        fn alu_results_contain_the_concrete_result(
            a in value(), b in value(), sa in any::<u8>(), sb in any::<u8>(), wa in 0u64..5000, wb in 0u64..5000,
            op in 0usize..9, wide in any::<bool>(),
        ) {
            let (x, y) = (abstraction(a, sa, wa), abstraction(b, sb, wb));
            prop_assert!(contains(&x, a) && contains(&y, b));
            let op = OPS[op];
            if let Some(c) = concrete_alu(op, a, b, wide) {
                let r = if wide { alu64(op, &x, &y) } else { alu32(op, &x, &y) };
                prop_assert!(contains(&r, c), "{op:?} {a:#x} {b:#x} = {c:#x} not in {r:?}");
            }
        }

        #[test]
        fn branch_decisions_and_refinements_hold(
            a in value(), b in value(), sa in any::<u8>(), sb in any::<u8>(), wa in 0u64..5000, wb in 0u64..5000,
            op in 0usize..11, jmp32 in any::<bool>(),
        ) {
            let (x, y) = (abstraction(a, sa, wa), abstraction(b, sb, wb));
            let op = JMPS[op];
            let real = concrete_jmp(op, a, b, jmp32);
            if let Some(t) = scalar_taken(&x, &y, op, jmp32) {
                prop_assert_eq!(t, real, "{:?} {:#x} {:#x}", op, a, b);
            }
            let (mut rx, mut ry) = (x, y);
            prop_assert!(refine(&mut rx, &mut ry, op, real, jmp32), "feasible side declared impossible");
            prop_assert!(contains(&rx, a) && contains(&ry, b), "{:?} side {} lost {:#x}/{:#x}: {:?} {:?}", op, real, a, b, rx, ry);
        }
    }
}

#[test]
fn invalid_movsx_widths_are_unknown_not_a_crash() {
    // MOVSX takes off 8/16/32; the kernel rejects any other. Found by the object fuzz target.
    for off in [0, 1, 63, 64, 100, -1] {
        let x = run(vec![
            mov(2, -1),
            Insn {
                code: 0xbf,
                dst: 1,
                src: 2,
                off,
                ..Default::default()
            },
            mov(0, 0),
            exit(),
        ]);
        assert!(x.stops.is_empty());
        let x = run(vec![
            mov(2, -1),
            Insn {
                code: 0xbc,
                dst: 1,
                src: 2,
                off,
                ..Default::default()
            },
            mov(0, 0),
            exit(),
        ]);
        assert!(x.stops.is_empty());
    }
}

#[test]
fn a_walk_resumed_in_small_steps_equals_one_run() {
    let progs = [
        vec![
            call(7),
            jmp(0x25, 0, 10, 2),
            jmp(0x25, 0, 20, 1),
            exit(),
            exit(),
            poison(),
        ],
        vec![
            mov(1, 0),
            alu(0x07, 1, 1),
            jmp(0x35, 1, 100, 1),
            jmp(0x05, 0, 0, -3),
            mov(0, 0),
            exit(),
        ],
        vec![
            call(1),
            movr(6, 0),
            jmp(0x15, 0, 0, 3),
            movr(1, 6),
            jmp(0x15, 1, 0, 2),
            exit(),
            exit(),
            poison(),
        ],
    ];
    for insns in progs {
        let p = program(insns);
        let env = Env::default();
        let whole = explore(&p, &env, Limits::default());
        for quota in [1, 2, 7] {
            let mut w = super::explore::Walk::new(&p, &env, Limits::default());
            let mut rounds = 0;
            while !w.resume(quota) {
                rounds += 1;
                assert!(w.progress().steps <= rounds * quota);
            }
            let x = w.finish();
            assert_eq!(
                (x.seen, x.stops, x.steps),
                (whole.seen.clone(), whole.stops.clone(), whole.steps)
            );
        }
    }
}
