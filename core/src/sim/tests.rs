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
        kfuncs: HashMap::new(),
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
    assert!(x.exhausted.is_none());
    let x = run(vec![
        mov(1, 0),
        alu(0x07, 1, 1),
        jmp(0x35, 1, 100, 1),
        jmp(0x05, 0, 0, -3),
        mov(0, 0),
        exit(),
    ]);
    assert!(x.exhausted.is_none());
    assert!(x.seen[5]);
    // A loop that never repeats a state exhausts the budget.
    let x = explore(
        &program(vec![mov(1, 0), alu(0x07, 1, 1), jmp(0x05, 0, 0, -2)]),
        &Env::default(),
        Limits {
            max_steps: 10_000,
            max_pending: 16,
            max_states: 1_000,
        },
    );
    assert!(x.exhausted.is_some());
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

// --- Calls: what helpers, kfuncs and callbacks write -------------------------------------

fn kfunc_call() -> Insn {
    Insn {
        code: 0x85,
        src: 2,
        imm: 12345,
        ..Default::default()
    }
}

/// `*(u64 *)(r10 - 8) = 0; [setup]; call; r1 = *(u64 *)(r10 - 8); if r1 == 0 goto +1;
/// poison; exit` — the poison is reachable only if the call may have written r10 - 8.
fn zeroed_slot_then(setup: Vec<Insn>, call: Insn) -> (Vec<Insn>, usize) {
    let mut v = vec![st(DW, 10, -8, 0)];
    v.extend(setup);
    v.push(call);
    v.extend([
        ldx(DW, 1, 10, -8),
        mov(0, 0),
        jmp(0x15, 1, 0, 1),
        poison(),
        exit(),
    ]);
    let poison_at = v.len() - 2;
    (v, poison_at)
}

#[test]
fn helper_writes_through_a_sized_pointer() {
    // bpf_probe_read_kernel(r10 - 8, 8, r3): the zeroed slot is written, its test undecided.
    let (insns, poison_at) = zeroed_slot_then(
        vec![movr(1, 10), alu(0x07, 1, -8), mov(2, 8), mov(3, 0)],
        call(113),
    );
    let x = run(insns);
    assert!(
        x.seen[poison_at],
        "the helper wrote the slot the branch tests"
    );
    // The same read into r10 - 16 leaves r10 - 8 alone: still zero, the poison stays dead.
    let (insns, poison_at) = zeroed_slot_then(
        vec![movr(1, 10), alu(0x07, 1, -16), mov(2, 8), mov(3, 0)],
        call(113),
    );
    let x = run(insns);
    assert!(!x.seen[poison_at], "8 bytes at r10 - 16 end before r10 - 8");
    // Four bytes at r10 - 12 reach into r10 - 8's slot: written.
    let (insns, poison_at) = zeroed_slot_then(
        vec![movr(1, 10), alu(0x07, 1, -12), mov(2, 8), mov(3, 0)],
        call(113),
    );
    assert!(run(insns).seen[poison_at]);
    // A helper that only reads its pointer (bpf_map_lookup_elem's key) changes nothing.
    let (insns, poison_at) =
        zeroed_slot_then(vec![mov(1, 0), movr(2, 10), alu(0x07, 2, -8)], call(1));
    assert!(!run(insns).seen[poison_at]);
}

#[test]
fn unsized_writes_forget_the_whole_frame() {
    // A kfunc given a pointer 64 bytes away: nothing is known of how far it writes.
    let (insns, poison_at) = zeroed_slot_then(vec![movr(1, 10), alu(0x07, 1, -64)], kfunc_call());
    assert!(run(insns).seen[poison_at]);
    // bpf_map_pop_elem(map, r10 - 64): its value argument has no size in the table.
    let (insns, poison_at) =
        zeroed_slot_then(vec![mov(1, 0), movr(2, 10), alu(0x07, 2, -64)], call(88));
    assert!(run(insns).seen[poison_at]);
    // A kfunc given no pointer writes nothing of the stack.
    let (insns, poison_at) = zeroed_slot_then(vec![mov(1, 0)], kfunc_call());
    assert!(!run(insns).seen[poison_at]);
}

#[test]
fn callbacks_are_walked_and_write_through_their_context() {
    // main: *(r10-8) = 0; r1 = 4; r2 = &cb; r3 = r10 - 8; r4 = 0; call bpf_loop;
    //       r1 = *(r10-8); if r1 == 0 goto +1; poison; exit
    // cb:   r0 = 0; exit
    let mut insns = vec![
        st(DW, 10, -8, 0),
        mov(1, 4),
        Insn {
            code: 0x18,
            dst: 2,
            src: 4,
            ..Default::default()
        },
        Insn::default(),
        movr(3, 10),
        alu(0x07, 3, -8),
        mov(4, 0),
        call(181),
        ldx(DW, 1, 10, -8),
        mov(0, 0),
        jmp(0x15, 1, 0, 1),
        poison(),
        exit(),
    ];
    let cb = insns.len();
    insns.extend([mov(0, 0), exit()]);
    let mut p = program(insns);
    p.ld.insert(2, LdImm::Func(cb));
    p.funcs = vec![
        LinkedFunc {
            name: "main".into(),
            prog: 0,
            start: 0,
            len: cb,
            global: false,
        },
        LinkedFunc {
            name: "cb".into(),
            prog: 1,
            start: cb,
            len: 2,
            global: false,
        },
    ];
    let x = explore(&p, &Env::default(), Limits::default());
    assert!(x.seen[cb] && x.seen[cb + 1], "the callback is walked");
    assert!(x.seen[11], "the callback may have written the context");
    // A callback is walked in its own frame: one that calls itself through bpf_loop runs out
    // of frames, as the kernel's call depth check says.
    let mut again = p.clone();
    again.insns[cb] = Insn {
        code: 0x18,
        dst: 2,
        src: 4,
        ..Default::default()
    };
    again.insns[cb + 1] = Insn::default();
    again.insns.extend([call(181), exit()]);
    again.origin.extend([(0, 0), (0, 0)]);
    again.funcs[1].len = 4;
    again.ld.insert(cb, LdImm::Func(cb));
    let x = explore(&again, &Env::default(), Limits::default());
    assert!(x
        .stops
        .iter()
        .any(|(_, s)| matches!(s, Stop::Other(m) if m.contains("call stack"))));
    assert!(x.exhausted.is_none());
}

#[test]
fn ld_abs_clobbers_r1_to_r5() {
    // r6 = r1 (skb); r1 = 0; r0 = *(u8 *)skb[0]; if r1 == 0 goto +1; poison; exit
    let x = run(vec![
        movr(6, 1),
        mov(1, 0),
        Insn {
            code: 0x30,
            ..Default::default()
        },
        jmp(0x15, 1, 0, 1),
        poison(),
        mov(0, 0),
        exit(),
    ]);
    assert!(x.seen[4], "r1 is unreadable after LD_ABS, not still 0");
}

// --- Pruning -----------------------------------------------------------------------------

/// r6 = unknown byte or constant per path, then a join and a test of r6.
fn join_program(second: i32) -> Vec<Insn> {
    vec![
        call(7),            // 0: r0 = unknown
        mov(6, 0),          // 1: placeholder, replaced below
        jmp(0x15, 0, 0, 2), // 2: if r0 == 0 goto 5
        alu(0x57, 6, 0xff), // 3: r6 &= 0xff (a byte)
        jmp(0x05, 0, 0, 1), // 4: goto 6
        mov(6, second),     // 5: r6 = second
        mov(0, 0),          // 6: join
        jmp(0x15, 6, 7, 1), // 7: if r6 == 7 goto 9
        exit(),             // 8
        poison(),           // 9
    ]
}

#[test]
fn a_wider_state_prunes_a_narrower_one() {
    // The byte path (r6 in 0..255) reaches the join first; the constant path is inside it.
    let mut insns = join_program(3);
    insns[1] = movr(6, 0);
    let x = run(insns);
    assert!(x.pruned >= 1, "r6 = 3 is covered by r6 in 0..255");
    assert!(x.seen[9], "the byte path reaches the poison");
}

#[test]
fn exact_comparison_never_prunes_a_state_it_does_not_cover() {
    use super::liveness::Liveness;
    use super::prune::{covers, Mode};
    use super::state::{Frame, State, Value};
    // Two paths reach the test with r6 = 0 and r6 = 7: each decides it differently, so
    // neither may stand for the other.
    let insns = vec![
        call(7),
        mov(6, 7),
        jmp(0x15, 0, 0, 1),
        mov(6, 0),
        mov(0, 0),
        jmp(0x15, 6, 7, 1),
        exit(),
        poison(),
    ];
    let p = program(insns);
    let x = explore(&p, &Env::default(), Limits::default());
    assert!(
        x.seen[7],
        "the r6 = 7 path is explored, not pruned as 'the same'"
    );
    // The states themselves: a pruning rule keyed on a hash of the state can only be right
    // if the hash never collides; this one that ignores values collides on them, and would
    // prune the second path and hide the poison. The comparison does not.
    let state = |v: u64| {
        let mut f = Frame::new(0);
        f.regs[6] = Value::konst(v, None);
        State { frames: vec![f] }
    };
    let weak_hash = |s: &State| s.frames.len() as u64;
    let (a, b) = (state(0), state(7));
    assert_eq!(weak_hash(&a), weak_hash(&b));
    let live = Liveness::compute(&p);
    assert!(!covers(&a, &b, Mode::Full, &live, 5));
    assert!(covers(&a, &a.clone(), Mode::Full, &live, 5));
    // A range covers the constants inside it.
    let mut wide = state(0);
    wide.frames[0].regs[6] = Value::Scalar(super::scalar::Scalar::urange(0, 255), None);
    assert!(covers(&wide, &b, Mode::Full, &live, 5));
    assert!(!covers(&b, &wide, Mode::Full, &live, 5));
}

#[test]
fn imprecise_values_do_not_block_pruning() {
    // if (unknown) r7 = 1 else r7 = 2;  (r7 is never tested)  then 20 more such diamonds:
    // without precision the paths double at each one; with it they join.
    let mut insns = Vec::new();
    for _ in 0..20 {
        insns.extend([
            call(7),
            jmp(0x15, 0, 0, 2),
            mov(7, 1),
            jmp(0x05, 0, 0, 1),
            mov(7, 2),
        ]);
    }
    insns.extend([movr(0, 7), exit()]);
    let x = run(insns);
    assert!(x.exhausted.is_none());
    assert!(
        x.steps < 400,
        "{} steps: the diamonds were not joined",
        x.steps
    );
}

#[test]
fn the_step_budget_is_the_kernels_and_running_out_is_reported() {
    // A counter that never repeats a state: the kernel gives up after 1,000,000 instructions.
    let x = run(vec![mov(1, 0), alu(0x07, 1, 1), jmp(0x05, 0, 0, -2)]);
    assert_eq!(x.exhausted, Some(super::Exhausted::Steps));
    assert_eq!(x.steps, super::KERNEL_STEP_LIMIT);
    // An unchanging loop is the kernel's "infinite loop detected", found at once.
    let x = run(vec![mov(1, 0), jmp(0x05, 0, 0, -1)]);
    assert!(x.exhausted.is_none());
    assert!(matches!(&x.stops[..], [(1, Stop::Other(m))] if m.contains("infinite loop")));
}

#[test]
fn hostile_streams_end_with_a_verdict() {
    // Jumps out of range, into nowhere, calls out of range, unknown opcodes: each path ends.
    for insns in [
        vec![jmp(0x05, 0, 0, 100)],
        vec![jmp(0x05, 0, 0, -5)],
        vec![call(7), jmp(0x15, 0, 0, 3000), exit()],
        vec![Insn {
            code: 0x85,
            src: 1,
            imm: 1000,
            ..Default::default()
        }],
        vec![Insn {
            code: 0xff,
            ..Default::default()
        }],
        vec![call(999)],
        vec![mov(1, 0)],
    ] {
        let x = run(insns);
        assert!(x.exhausted.is_none());
        assert!(!x.stops.is_empty(), "{:?}", x.stops);
    }
}

#[test]
fn a_register_is_live_until_its_last_read() {
    use super::liveness::Liveness;
    // r6 = 1; r7 = 2; if r6 == 0 goto +1; r0 = r7; exit
    let l = Liveness::compute(&program(vec![
        mov(6, 1),
        mov(7, 2),
        jmp(0x15, 6, 0, 1),
        movr(0, 7),
        exit(),
    ]));
    let bits = |rs: &[u8]| rs.iter().fold(0u16, |m, r| m | 1 << r);
    assert_eq!(l.live_in(2), bits(&[0, 6, 7]));
    assert_eq!(l.live_in(3), bits(&[7]));
    assert_eq!(l.live_in(4), bits(&[0]));
    assert_eq!(l.live_in(0), bits(&[0]));
    // A call reads its arguments and kills r0-r5.
    let l = Liveness::compute(&program(vec![call(5), exit()]));
    assert_eq!(l.live_in(0), bits(&[1, 2, 3, 4, 5]));
}
