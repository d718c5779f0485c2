//! Hand-built programs, one shape each: straight line, diamond, loop, calls, poison, LD_IMM64.

use std::collections::HashMap;

use super::{build, is_conditional, Block, Cfg, Edge, EdgeKind};
use crate::insn::Insn;
use crate::sim::link::{LinkedFunc, LinkedProgram};

fn mov(dst: u8, imm: i32) -> Insn {
    Insn {
        code: 0xb7,
        dst,
        imm,
        ..Default::default()
    }
}
/// `if rDST == IMM goto +OFF`.
fn jeq(dst: u8, imm: i32, off: i16) -> Insn {
    Insn {
        code: 0x15,
        dst,
        imm,
        off,
        ..Default::default()
    }
}
fn ja(off: i16) -> Insn {
    Insn {
        code: 0x05,
        off,
        ..Default::default()
    }
}
fn exit() -> Insn {
    Insn {
        code: 0x95,
        ..Default::default()
    }
}
fn pseudo_call(imm: i32) -> Insn {
    Insn {
        code: 0x85,
        src: 1,
        imm,
        ..Default::default()
    }
}
fn ld_imm64(dst: u8) -> [Insn; 2] {
    [
        Insn {
            code: 0x18,
            dst,
            ..Default::default()
        },
        Insn::default(),
    ]
}

fn func(name: &str, start: usize, len: usize) -> LinkedFunc {
    LinkedFunc {
        name: name.into(),
        prog: 0,
        start,
        len,
        global: false,
    }
}

fn program(insns: Vec<Insn>, funcs: Vec<LinkedFunc>) -> LinkedProgram {
    let len = insns.len();
    let funcs = if funcs.is_empty() {
        vec![func("main", 0, len)]
    } else {
        funcs
    };
    LinkedProgram {
        prog: 0,
        origin: (0..len as u32).map(|i| (0, i)).collect(),
        insns,
        funcs,
        ld: HashMap::new(),
        poisoned_kfuncs: HashMap::new(),
        kfuncs: HashMap::new(),
        error: None,
    }
}

fn spans(cfg: &Cfg) -> Vec<(usize, usize)> {
    cfg.blocks.iter().map(|b| (b.start, b.end)).collect()
}

fn edges(cfg: &Cfg) -> Vec<(usize, usize, EdgeKind)> {
    cfg.edges.iter().map(|e| (e.from, e.to, e.kind)).collect()
}

#[test]
fn straight_line_is_one_block() {
    let cfg = build(&program(vec![mov(0, 1), mov(1, 2), exit()], vec![]));
    assert_eq!(spans(&cfg), [(0, 3)]);
    assert!(cfg.edges.is_empty());
    assert_eq!(cfg.block_of(2), Some(0));
    assert_eq!(cfg.block_of(3), None);
}

#[test]
fn an_empty_program_has_no_blocks() {
    assert_eq!(build(&program(vec![], vec![])), Cfg::default());
}

#[test]
fn if_else_is_a_diamond() {
    // 0: if r1 == 0 goto +2   1: r0 = 1   2: goto +1   3: r0 = 2   4: exit
    let insns = vec![jeq(1, 0, 2), mov(0, 1), ja(1), mov(0, 2), exit()];
    let cfg = build(&program(insns, vec![]));
    assert_eq!(spans(&cfg), [(0, 1), (1, 3), (3, 4), (4, 5)]);
    assert_eq!(
        edges(&cfg),
        [
            (0, 1, EdgeKind::Fallthrough),
            (0, 2, EdgeKind::Taken),
            (1, 3, EdgeKind::Jump),
            (2, 3, EdgeKind::Fallthrough),
        ]
    );
    let succ: Vec<&Edge> = cfg.successors(0).collect();
    assert_eq!(succ.len(), 2);
    assert_eq!(cfg.successors(3).count(), 0);
}

#[test]
fn a_loop_has_a_back_edge() {
    // 0: r1 = 0   1: r1 += 1 (as mov)   2: if r1 == 5 goto +1   3: goto -3   4: exit
    let insns = vec![mov(1, 0), mov(1, 1), jeq(1, 5, 1), ja(-3), exit()];
    let cfg = build(&program(insns, vec![]));
    assert_eq!(spans(&cfg), [(0, 1), (1, 3), (3, 4), (4, 5)]);
    assert!(
        edges(&cfg).contains(&(2, 1, EdgeKind::Jump)),
        "{:?}",
        cfg.edges
    );
    assert!(edges(&cfg).contains(&(1, 3, EdgeKind::Taken)));
    assert!(edges(&cfg).contains(&(0, 1, EdgeKind::Fallthrough)));
}

#[test]
fn a_poisoned_call_ends_its_block_without_successor() {
    let insns = vec![mov(1, 0), Insn::poison(), mov(0, 0), exit()];
    let cfg = build(&program(insns, vec![]));
    assert_eq!(spans(&cfg), [(0, 2), (2, 4)]);
    assert!(cfg.edges.is_empty(), "{:?}", cfg.edges);
}

#[test]
fn an_unresolved_kfunc_ends_its_block() {
    let call = Insn {
        code: 0x85,
        src: 2,
        imm: 2_002_000_000,
        ..Default::default()
    };
    let mut p = program(vec![call, mov(0, 0), exit()], vec![]);
    p.poisoned_kfuncs.insert(0, "bpf_foo".into());
    assert_eq!(spans(&build(&p)), [(0, 1), (1, 3)]);
}

#[test]
fn a_bpf_to_bpf_call_enters_the_callee_and_returns() {
    // main: 0: call +2 (→ 3)   1: r0 = 0   2: exit | sub: 3: r0 = 1   4: exit
    let insns = vec![pseudo_call(2), mov(0, 0), exit(), mov(0, 1), exit()];
    let cfg = build(&program(insns, vec![func("main", 0, 3), func("sub", 3, 2)]));
    assert_eq!(spans(&cfg), [(0, 3), (3, 5)]);
    assert_eq!(edges(&cfg), [(0, 1, EdgeKind::Call)]);
    assert_eq!(
        cfg.blocks[1],
        Block {
            start: 3,
            end: 5,
            func: 1
        }
    );
}

#[test]
fn the_second_half_of_ld_imm64_is_never_cut() {
    // 0: if r1 == 0 goto +2 (→ 3)   1-2: r2 = 0 ll   3: exit
    let [lo, hi] = ld_imm64(2);
    let insns = vec![jeq(1, 0, 2), lo, hi, exit()];
    let cfg = build(&program(insns, vec![]));
    assert_eq!(spans(&cfg), [(0, 1), (1, 3), (3, 4)]);
    assert_eq!(
        edges(&cfg),
        [
            (0, 1, EdgeKind::Fallthrough),
            (0, 2, EdgeKind::Taken),
            (1, 2, EdgeKind::Fallthrough),
        ]
    );
}

#[test]
fn jumps_out_of_the_program_get_no_edge() {
    let insns = vec![jeq(1, 0, 100), ja(-10), exit()];
    let cfg = build(&program(insns, vec![]));
    // The conditional jump only falls through (no cut); the goto ends its path.
    assert_eq!(spans(&cfg), [(0, 2), (2, 3)]);
    assert!(cfg.edges.is_empty(), "{:?}", cfg.edges);
}

#[test]
fn blocks_cover_every_instruction_once() {
    // A pseudo-random mix of jumps: the blocks tile the program and every edge is in range.
    let mut insns = Vec::new();
    for i in 0..200i32 {
        insns.push(match i % 7 {
            0 => jeq(1, i, ((i * 13) % 40 - 20) as i16),
            3 => ja(((i * 7) % 30 - 15) as i16),
            5 => exit(),
            _ => mov(0, i),
        });
    }
    let n = insns.len();
    let cfg = build(&program(insns, vec![]));
    let mut next = 0;
    for b in &cfg.blocks {
        assert_eq!(b.start, next);
        assert!(b.end > b.start);
        next = b.end;
    }
    assert_eq!(next, n);
    for e in &cfg.edges {
        assert!(e.from < cfg.blocks.len() && e.to < cfg.blocks.len());
    }
    for at in 0..n {
        assert!(cfg.block_of(at).is_some());
    }
}

#[test]
fn conditional_means_a_two_way_jump() {
    assert!(is_conditional(&jeq(1, 0, 1)));
    assert!(!is_conditional(&ja(1)));
    assert!(!is_conditional(&exit()));
    assert!(!is_conditional(&pseudo_call(1)));
    assert!(!is_conditional(&mov(0, 0)));
}
