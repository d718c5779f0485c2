//! Unit tests over hand-built BTF: one test per rule of spec/core-spec.md §3, and the
//! known-answer vectors of §9b (B1–B19) that concern relocation.

use crate::btf::{Btf, IntEncoding, TypeId};
use crate::builder::{BtfBuilder, EncodeOptions};
use crate::insn::Insn;

use super::calc::{calc_relo_insn, CalcContext, RelocRequest, RelocResult};
use super::cands::{find_candidates, CandidateCache, Target};
use super::log::Errno;
use super::patch::{patch_insn, Patched, PoisonCause};
use super::spec::{parse_local, scan_int};
use super::{RelocClass, RelocKind};
use crate::libbpf::Libbpf;

const SIGNED: u8 = IntEncoding::SIGNED;

fn build(b: &BtfBuilder) -> Btf {
    Btf::parse(&b.encode(&EncodeOptions::default())).expect("valid BTF")
}

/// `r1 = imm` (MOV64 K).
fn mov(imm: i32) -> Insn {
    Insn {
        code: 0xb7,
        dst: 1,
        src: 0,
        off: 0,
        imm,
    }
}

/// `r1 = *(size *)(r2 + off)`; size code 0x61 W, 0x69 H, 0x71 B, 0x79 DW.
fn ldx(code: u8, off: i16) -> Insn {
    Insn {
        code,
        dst: 1,
        src: 2,
        off,
        imm: 0,
    }
}

/// `r1 = imm64 ll` (two slots).
fn ld_imm64(v: u64) -> [Insn; 2] {
    [
        Insn {
            code: 0x18,
            dst: 1,
            src: 0,
            off: 0,
            imm: v as u32 as i32,
        },
        Insn {
            code: 0,
            dst: 0,
            src: 0,
            off: 0,
            imm: (v >> 32) as u32 as i32,
        },
    ]
}

/// Everything one relocation produced, as text and values.
#[derive(Debug)]
struct Run {
    log: Vec<String>,
    result: Result<RelocResult, Errno>,
    patched: Option<Result<Patched, Errno>>,
    target: Option<String>,
    trials: Vec<(bool, String)>,
    insns: Vec<Insn>,
}

impl Run {
    fn has(&self, line: &str) -> bool {
        self.log.iter().any(|l| l == line)
    }
    fn new_val(&self) -> u64 {
        self.result.expect("calc ok").new_val
    }
}

/// Relocates one record against `target` (fresh cache): candidate search, calculation,
/// patching of `insns[0]`, as the driver does.
fn reloc(
    local: &Btf,
    target: &Btf,
    root: TypeId,
    access: &str,
    kind: RelocKind,
    insns: &[Insn],
) -> Run {
    let mut cache = CandidateCache::new();
    reloc_cached(&mut cache, local, target, root, access, kind, insns)
}

/// [`reloc`] as libbpf release `libbpf` computes it.
fn reloc_as(
    libbpf: Libbpf,
    local: &Btf,
    target: &Btf,
    (root, access, kind): (TypeId, &str, RelocKind),
    insns: &[Insn],
) -> Run {
    let mut cache = CandidateCache::new();
    run_one(
        libbpf,
        &mut cache,
        local,
        target,
        (root, access, kind),
        insns,
    )
}

fn reloc_cached<'a>(
    cache: &mut CandidateCache<'a>,
    local: &'a Btf,
    target: &'a Btf,
    root: TypeId,
    access: &str,
    kind: RelocKind,
    insns: &[Insn],
) -> Run {
    run_one(
        Libbpf::default(),
        cache,
        local,
        target,
        (root, access, kind),
        insns,
    )
}

fn run_one<'a>(
    libbpf: Libbpf,
    cache: &mut CandidateCache<'a>,
    local: &'a Btf,
    target: &'a Btf,
    (root, access, kind): (TypeId, &str, RelocKind),
    insns: &[Insn],
) -> Run {
    let mut log = Vec::new();
    if kind != RelocKind::TYPE_ID_LOCAL && cache.get(root).is_none() {
        let found = find_candidates(local, root, &Target::kernel(target)).expect("named root");
        log.extend(found.log.iter().map(|l| l.line()));
        cache.set(root, found.cands);
    }
    let cands = (kind != RelocKind::TYPE_ID_LOCAL).then(|| cache.get(root).unwrap().to_vec());
    let cx = CalcContext {
        prog: "p",
        relo_idx: 0,
        local,
        libbpf,
    };
    let req = RelocRequest {
        insn_off: 0,
        type_id: root,
        access: Some(access),
        kind,
    };
    let res = calc_relo_insn(&cx, &req, cands.as_deref());
    log.extend(res.log.iter().map(|l| l.line()));
    if let Some(after) = &res.cands_after {
        cache.set(root, after.clone());
    }
    let mut code = insns.to_vec();
    let mut patched = None;
    if let Ok(r) = &res.result {
        let rep = patch_insn("p", 0, &mut code, 0, r);
        log.extend(rep.log.iter().map(|l| l.line()));
        patched = Some(rep.result);
    }
    Run {
        log,
        result: res.result.map_err(|e| e.errno),
        patched,
        target: res.target_spec.as_ref().map(|s| s.format()),
        trials: res
            .trials
            .iter()
            .map(|t| (t.matched, t.spec.format()))
            .collect(),
        insns: code,
    }
}

// --- kinds, access strings, local specs -----------------------------------------------------

#[test]
fn kind_table() {
    let names: Vec<&str> = RelocKind::ALL.iter().map(|k| k.log_name()).collect();
    assert_eq!(
        names,
        [
            "byte_off",
            "byte_sz",
            "field_exists",
            "signed",
            "lshift_u64",
            "rshift_u64",
            "local_type_id",
            "target_type_id",
            "type_exists",
            "type_size",
            "enumval_exists",
            "enumval_value",
            "type_matches"
        ]
    );
    assert_eq!(RelocKind::TYPE_MATCHES.0, 12);
    assert_eq!(RelocKind(13).log_name(), "unknown");
    assert_eq!(RelocKind(13).class(), RelocClass::Unknown);
    assert!(RelocKind::TYPE_SIZE.is_type() && RelocKind::ENUMVAL_VALUE.is_enumval());
    assert!(RelocKind::FIELD_RSHIFT_U64.is_field() && !RelocKind::TYPE_MATCHES.is_field());
}

#[test]
fn access_integers_read_like_sscanf() {
    assert_eq!(scan_int(b"12:3"), Some((12, 2)));
    assert_eq!(scan_int(b" \t7"), Some((7, 3)));
    assert_eq!(scan_int(b"+3"), Some((3, 2)));
    assert_eq!(scan_int(b"-1"), Some((-1, 2)));
    assert_eq!(scan_int(b"0x10"), Some((0, 1)));
    // A C long truncated to int.
    assert_eq!(scan_int(b"4294967297"), Some((1, 10)));
    assert_eq!(scan_int(b"99999999999999999999"), Some((-1, 20)));
    for bad in [&b""[..], b"x", b"-", b"+", b" ", b":1"] {
        assert_eq!(scan_int(bad), None, "{bad:?}");
    }
}

/// `struct sample { int __unimportant; struct { int __1; int __2; int a[7]; }; }` — libbpf's
/// own example: `&s->a[3]` is `0:1:2:3`.
fn sample() -> (Btf, TypeId) {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, SIGNED);
    let arr = b.array(int, int, 7);
    let anon = b.struct_(
        "",
        36,
        &[("__1", int, 0, 0), ("__2", int, 32, 0), ("a", arr, 64, 0)],
    );
    let sample = b.struct_(
        "sample",
        40,
        &[("__unimportant", int, 0, 0), ("", anon, 32, 0)],
    );
    (build(&b), sample)
}

#[test]
fn local_spec_raw_and_high_level() {
    let (btf, sample) = sample();
    let spec = parse_local(
        &btf,
        sample,
        RelocKind::FIELD_BYTE_OFFSET,
        Some("0:1:2:3"),
        "p",
    )
    .unwrap();
    assert_eq!(spec.raw, [0, 1, 2, 3]);
    let steps: Vec<(u32, Option<&str>)> = spec.access.iter().map(|a| (a.idx, a.name)).collect();
    assert_eq!(steps, [(0, None), (2, Some("a")), (3, None)]);
    // 4 bytes of __unimportant + 8 into the anonymous struct + 3 ints.
    assert_eq!(spec.bit_offset, (4 + 8 + 12) * 8);
    assert_eq!(
        spec.format(),
        "<byte_off> [4] struct sample.a[3] (0:1:2:3 @ offset 24)"
    );
    // `&s[10].__unimportant`: the pointer used as an array of roots.
    let spec = parse_local(
        &btf,
        sample,
        RelocKind::FIELD_BYTE_OFFSET,
        Some("10:0"),
        "p",
    )
    .unwrap();
    assert_eq!(spec.bit_offset, 10 * 40 * 8);
    assert_eq!(
        spec.format(),
        "<byte_off> [4] struct sample[10].__unimportant (10:0 @ offset 400)"
    );
}

#[test]
fn access_string_errors() {
    let (btf, sample) = sample();
    let parse = |s: Option<&str>, kind| {
        parse_local(&btf, sample, kind, s, "p")
            .map(|_| ())
            .map_err(|f| f.err)
    };
    let field = RelocKind::FIELD_BYTE_OFFSET;
    // A negative member index is refused (libbpf would read the struct's header as member
    // -1); a negative root index is libbpf 1.5/1.7's wrapped offset (see below).
    for bad in ["", ":0", "0:", "0::1", "0:x", "0 :1", "0:-2", "-1:-1"] {
        assert_eq!(parse(Some(bad), field), Err(Errno::EINVAL), "{bad:?}");
    }
    let spec = parse_local(&btf, sample, field, Some("-1"), "p").unwrap();
    assert_eq!(spec.bit_offset, (-40i32 * 8) as u32);
    assert_eq!(
        spec.format(),
        "<byte_off> [4] struct sample[4294967295] (-1 @ offset 536870872)"
    );
    // clang writes -1 as 4294967295, which sscanf's `%d` reads back as -1.
    let spec = parse_local(&btf, sample, field, Some("4294967295:1"), "p").unwrap();
    assert_eq!(spec.raw[0] as i32, -1);
    // A negative enumerator index is refused too (libbpf reads before the enumerators).
    let mut b = BtfBuilder::new();
    let e = b.enum_("e", 4, false, &[("A", 1), ("B", 2)]);
    let ebtf = build(&b);
    for idx in ["-1", "4294967295", "1"] {
        let r = parse_local(&ebtf, e, RelocKind::ENUMVAL_VALUE, Some(idx), "p");
        assert_eq!(r.is_ok(), idx == "1", "{idx}");
    }
    assert_eq!(parse(None, field), Err(Errno::EINVAL));
    // `0 1`: sscanf skips the blank, so this is [0, 1].
    assert_eq!(parse(Some("0 1"), field), Ok(()));
    // Out of bounds: member 2 of a 2-member struct, element 7 of a 7-element array.
    assert_eq!(parse(Some("0:2"), field), Err(Errno::EINVAL));
    assert_eq!(parse(Some("0:1:2:7"), field), Err(Errno::EINVAL));
    // 64 steps is the maximum; the 65th is -E2BIG.
    let long = |n: usize| vec!["0"; n].join(":");
    let f = parse_local(&btf, sample, field, Some(&long(65)), "p").unwrap_err();
    assert_eq!(
        (f.err, f.spec.map(|s| s.raw.len())),
        (Errno::E2BIG, Some(64))
    );
    // Type-based kinds take exactly "0"; the (empty) spec is kept on error, as libbpf's.
    assert_eq!(parse(Some("0"), RelocKind::TYPE_SIZE), Ok(()));
    let f = parse_local(&btf, sample, RelocKind::TYPE_SIZE, Some("0:1"), "p").unwrap_err();
    assert_eq!(f.spec.unwrap().format(), "<type_size> [4] struct sample");
    // Unknown kinds fail after the root accessor.
    let f = parse_local(&btf, sample, RelocKind(99), Some("0:1"), "p").unwrap_err();
    assert_eq!((f.err, f.spec.unwrap().access.len()), (Errno::EINVAL, 1));
}

#[test]
fn partial_spec_and_unexpected_kind_warning() {
    let (btf, sample) = sample();
    // Member 1 of `sample` is the anonymous struct; indexing into `int __1` is not allowed.
    let f = parse_local(
        &btf,
        sample,
        RelocKind::FIELD_BYTE_OFFSET,
        Some("0:1:0:5"),
        "p",
    )
    .unwrap_err();
    // libbpf prints the access string after its parse loop consumed it: empty.
    assert_eq!(
        f.warning.unwrap().line(),
        "prog 'p': relo for [4]  (at idx 3) captures type [1] of unexpected kind int"
    );
    assert_eq!(
        f.spec.unwrap().format(),
        "<byte_off> [4] struct sample.__1 (0:1:0:5 @ offset 4)"
    );
}

#[test]
fn flexible_arrays_only_as_last_member() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, SIGNED);
    let flex = b.array(int, int, 0);
    let last = b.struct_("last", 4, &[("n", int, 0, 0), ("b", flex, 32, 0)]);
    let inner = b.struct_("inner", 4, &[("b", flex, 0, 0), ("n", int, 0, 0)]);
    let btf = build(&b);
    let ok = parse_local(&btf, last, RelocKind::FIELD_BYTE_OFFSET, Some("0:1:9"), "p").unwrap();
    assert_eq!(ok.bit_offset, (4 + 36) * 8);
    assert!(parse_local(
        &btf,
        inner,
        RelocKind::FIELD_BYTE_OFFSET,
        Some("0:0:9"),
        "p"
    )
    .is_err());
}

#[test]
fn enumval_specs() {
    let mut b = BtfBuilder::new();
    let e = b.enum_("e", 4, true, &[("A", 1), ("B", -5)]);
    let td = b.typedef("e_t", e);
    let int = b.int("int", 4, SIGNED);
    let btf = build(&b);
    let s = parse_local(&btf, td, RelocKind::ENUMVAL_VALUE, Some("1"), "p").unwrap();
    assert_eq!((s.access[0].type_id, s.access[0].name), (e, Some("B")));
    assert_eq!(s.format(), "<enumval_value> [2] typedef e_t::B = -5");
    for bad in ["2", "0:0"] {
        assert!(
            parse_local(&btf, e, RelocKind::ENUMVAL_EXISTS, Some(bad), "p").is_err(),
            "{bad}"
        );
    }
    assert!(parse_local(&btf, int, RelocKind::ENUMVAL_EXISTS, Some("0"), "p").is_err());
}

// --- formatting --------------------------------------------------------------------------

#[test]
fn spec_text_forms() {
    let mut b = BtfBuilder::new();
    let u = b.int("unsigned int", 4, 0);
    let bits = b.struct_("bits", 4, &[("a", u, 0, 3), ("bf2", u, 3, 5)]);
    let big = b.enum64("big", 8, false, &[("X", u64::MAX)]);
    let sbig = b.enum64("sbig", 8, true, &[("Y", u64::MAX)]);
    let ue = b.enum_("ue", 4, false, &[("U", -1)]);
    let long_name = "n".repeat(300);
    let long = b.struct_(&long_name, 4, &[("x", u, 0, 0)]);
    let btf = build(&b);
    let fmt = |root, kind, s| {
        parse_local(&btf, root, kind, Some(s), "p")
            .unwrap()
            .format()
    };
    assert_eq!(
        fmt(bits, RelocKind::FIELD_LSHIFT_U64, "0:1"),
        "<lshift_u64> [2] struct bits.bf2 (0:1 @ offset 0.3)"
    );
    assert_eq!(
        fmt(big, RelocKind::ENUMVAL_VALUE, "0"),
        "<enumval_value> [3] enum64 big::X = 18446744073709551615"
    );
    assert_eq!(
        fmt(sbig, RelocKind::ENUMVAL_VALUE, "0"),
        "<enumval_value> [4] enum64 sbig::Y = -1"
    );
    assert_eq!(
        fmt(ue, RelocKind::ENUMVAL_EXISTS, "0"),
        "<enumval_exists> [5] enum ue::U = 4294967295"
    );
    // libbpf formats into 256 bytes: 255 survive.
    let s = fmt(long, RelocKind::FIELD_BYTE_OFFSET, "0:0");
    assert_eq!(s.len(), 255);
    assert!(s.starts_with("<byte_off> [6] struct nnn"));
}

// --- candidates --------------------------------------------------------------------------

#[test]
fn candidates_need_same_kind_and_essential_name() {
    let mut l = BtfBuilder::new();
    let int = l.int("int", 4, SIGNED);
    let foo = l.struct_("foo___local", 4, &[("a", int, 0, 0)]);
    let e = l.enum_("e", 4, false, &[("A", 0)]);
    let anon = l.struct_("", 4, &[("a", int, 0, 0)]);
    let local = build(&l);
    let mut t = BtfBuilder::new();
    let tint = t.int("int", 4, SIGNED);
    let f2 = t.struct_("foo___2", 4, &[("a", tint, 0, 0)]);
    t.union_("foo", 4, &[("a", tint, 0, 0)]);
    t.typedef("foo", tint);
    t.fwd("foo", false);
    let f1 = t.struct_("foo", 4, &[("a", tint, 0, 0)]);
    t.struct_("foo____x", 4, &[]);
    t.struct_("foobar", 4, &[]);
    let e64 = t.enum64("e___v2", 8, false, &[("A", 0)]);
    let target = build(&t);
    let kernel = Target::kernel(&target);
    let found = find_candidates(&local, foo, &kernel).unwrap();
    let ids: Vec<TypeId> = found.cands.iter().map(|c| c.id).collect();
    assert_eq!(ids, [f2, f1]);
    assert_eq!(
        found.log[0].line(),
        "CO-RE relocating [2] struct foo___local: found target candidate [2] struct foo___2 in [vmlinux]"
    );
    assert_eq!(
        find_candidates(&local, e, &kernel).unwrap().cands[0].id,
        e64
    );
    assert_eq!(
        find_candidates(&local, anon, &kernel).unwrap_err(),
        Errno::EINVAL
    );
}

// --- the three predicates -------------------------------------------------------------------

#[test]
fn field_compat_ignores_int_size_and_sign_and_mixes_composites() {
    let mut l = BtfBuilder::new();
    let int = l.int("int", 4, SIGNED);
    let s = l.struct_("s", 4, &[("a", int, 0, 0)]);
    let wrap = l.struct_(
        "w",
        4,
        &[("i", int, 0, 0), ("c", s, 0, 0), ("e", int, 0, 0)],
    );
    let local = build(&l);
    let mut t = BtfBuilder::new();
    let ulong = t.int("unsigned long", 8, 0);
    let odd = t.add_raw(
        "odd",
        crate::btf::Kind::INT,
        false,
        0,
        4,
        vec![(4 << 16) | 28],
    );
    let un = t.union_("u", 8, &[("a", ulong, 0, 0)]);
    let tw = t.struct_(
        "w",
        16,
        &[("i", ulong, 0, 0), ("c", un, 64, 0), ("e", odd, 0, 0)],
    );
    let target = build(&t);
    let run = |acc| {
        reloc(
            &local,
            &target,
            wrap,
            acc,
            RelocKind::FIELD_EXISTS,
            &[mov(1)],
        )
        .new_val()
    };
    assert_eq!(run("0:0"), 1, "int vs unsigned long");
    assert_eq!(run("0:1"), 1, "struct vs union");
    assert_eq!(run("0:2"), 0, "INT with a bit offset is not compatible");
    let _ = tw;
}

#[test]
fn type_compat_is_loose_and_warns_on_float() {
    let mut l = BtfBuilder::new();
    let int = l.int("int", 4, SIGNED);
    let f = l.float("float", 4);
    let s = l.struct_("s", 8, &[("a", int, 0, 0), ("f", f, 32, 0)]);
    let p = l.ptr(s);
    let pt = l.typedef("sp", p);
    let fl = l.typedef("fl", f);
    let local = build(&l);
    let mut t = BtfBuilder::new();
    let tint = t.int("int", 4, SIGNED);
    let ts = t.struct_("other", 4, &[("x", tint, 0, 0)]);
    let tp = t.ptr(ts);
    let tpt = t.typedef("sp", tp);
    let tf = t.float("float", 4);
    let tfl = t.typedef("fl", tf);
    let target = build(&t);
    // Pointers to any struct are compatible: members are not looked at.
    let r = reloc(
        &local,
        &target,
        pt,
        "0",
        RelocKind::TYPE_ID_TARGET,
        &ld_imm64(u64::from(pt.0)),
    );
    assert_eq!(r.new_val(), u64::from(tpt.0));
    let r = reloc(&local, &target, fl, "0", RelocKind::TYPE_EXISTS, &[mov(1)]);
    assert_eq!(r.new_val(), 0);
    assert!(r.has(&format!(
        "unexpected kind float relocated, local [{}], target [{}]",
        f.0, tf.0
    )));
    let _ = tfl;
}

/// B10, B15, B16: TYPE_MATCHES is strict (sizes, signedness, member names, float), except
/// behind pointers, and compares essential names everywhere.
#[test]
fn type_match_rules() {
    let mut l = BtfBuilder::new();
    let ulong = l.int("unsigned long", 8, 0);
    let p = l.struct_("p", 8, &[("a", ulong, 0, 0)]);
    let pp = l.ptr(p);
    let tm = l.struct_("tm", 16, &[("v", ulong, 0, 0), ("ptr", pp, 64, 0)]);
    let f = l.float("float", 4);
    let fs = l.struct_("fs", 4, &[("f", f, 0, 0)]);
    let sa = l.struct_("sa", 8, &[("a", ulong, 0, 0)]);
    let long = l.int("long", 8, SIGNED);
    let sl = l.struct_("sl", 8, &[("a", long, 0, 0)]);
    let local = build(&l);
    let mut t = BtfBuilder::new();
    let tul = t.int("unsigned long", 8, 0);
    let tp2 = t.fwd("p___2", false);
    let tpp = t.ptr(tp2);
    let ttm = t.struct_("tm", 16, &[("v", tul, 0, 0), ("ptr", tpp, 64, 0)]);
    let tf = t.float("float", 4);
    let tfs = t.struct_("fs", 4, &[("f", tf, 0, 0)]);
    t.struct_("sa", 8, &[("a___x", tul, 0, 0)]);
    t.struct_("sl", 8, &[("a", tul, 0, 0)]);
    let target = build(&t);
    let matches = |root| {
        reloc(
            &local,
            &target,
            root,
            "0",
            RelocKind::TYPE_MATCHES,
            &[mov(1)],
        )
    };
    assert_eq!(
        matches(tm).new_val(),
        1,
        "struct behind a pointer matches a FWD"
    );
    let r = matches(fs);
    assert_eq!(r.new_val(), 0);
    assert!(r.has(&format!(
        "unexpected kind float relocated, local [{}], target [{}]",
        f.0, tf.0
    )));
    assert_eq!(matches(sa).new_val(), 1, "member names compare essentially");
    assert_eq!(matches(sl).new_val(), 0, "signedness differs");
    // B16 again: field relocations compare member names exactly.
    assert_eq!(
        reloc(
            &local,
            &target,
            sa,
            "0:0",
            RelocKind::FIELD_EXISTS,
            &[mov(1)]
        )
        .new_val(),
        0
    );
    // B10: size, id, existence.
    assert_eq!(
        reloc(&local, &target, tm, "0", RelocKind::TYPE_SIZE, &[mov(16)]).new_val(),
        16
    );
    assert_eq!(
        reloc(&local, &target, tm, "0", RelocKind::TYPE_EXISTS, &[mov(1)]).new_val(),
        1
    );
    let r = reloc(
        &local,
        &target,
        tm,
        "0",
        RelocKind::TYPE_ID_TARGET,
        &ld_imm64(u64::from(tm.0)),
    );
    assert!(r.has(&format!(
        "prog 'p': relo #0: patched insn #0 (LDIMM64) imm64 {} -> {}",
        tm.0, ttm.0
    )));
    let _ = tfs;
}

// --- member search ---------------------------------------------------------------------------

#[test]
fn member_search_is_depth_first_and_first_hit_decides() {
    let mut l = BtfBuilder::new();
    let int = l.int("int", 4, SIGNED);
    let s = l.struct_("s", 8, &[("x", int, 0, 0), ("y", int, 32, 0)]);
    let local = build(&l);
    let mut t = BtfBuilder::new();
    let tint = t.int("int", 4, SIGNED);
    let tf = t.float("float", 4);
    // `x` inside an anonymous union comes before the top-level `x`: it wins.
    let inner = t.union_("", 4, &[("x", tint, 0, 0)]);
    // `y` first appears with an incompatible type inside an anonymous struct: that level
    // stops, the outer level goes on and finds the compatible `y`.
    let bad = t.struct_("", 4, &[("y", tf, 0, 0)]);
    t.struct_(
        "s",
        20,
        &[
            ("pad", tint, 0, 0),
            ("", inner, 32, 0),
            ("x", tint, 64, 0),
            ("", bad, 96, 0),
            ("y", tint, 128, 0),
        ],
    );
    let target = build(&t);
    let r = reloc(
        &local,
        &target,
        s,
        "0:0",
        RelocKind::FIELD_BYTE_OFFSET,
        &[mov(0)],
    );
    assert_eq!(
        r.target.as_deref(),
        Some("<byte_off> [5] struct s.x (0:1:0 @ offset 4)")
    );
    let r = reloc(
        &local,
        &target,
        s,
        "0:1",
        RelocKind::FIELD_BYTE_OFFSET,
        &[mov(4)],
    );
    // libbpf's bookkeeping after the inner incompatible hit: the outer undo removed the
    // inner raw entry and kept its own (3), and the inner bit offset (0) stayed.
    assert_eq!(
        r.target.as_deref(),
        Some("<byte_off> [5] struct s.y (0:3:4 @ offset 16)")
    );
    assert_eq!(r.new_val(), 16);
}

#[test]
fn incompatible_name_hit_ends_the_search() {
    let mut l = BtfBuilder::new();
    let int = l.int("int", 4, SIGNED);
    let s = l.struct_("s", 4, &[("x", int, 0, 0)]);
    let local = build(&l);
    let mut t = BtfBuilder::new();
    let tint = t.int("int", 4, SIGNED);
    let tf = t.float("float", 4);
    t.struct_("s", 8, &[("x", tf, 0, 0), ("x", tint, 32, 0)]);
    let target = build(&t);
    let r = reloc(
        &local,
        &target,
        s,
        "0:0",
        RelocKind::FIELD_BYTE_OFFSET,
        &[mov(0)],
    );
    // The speculative raw index of the first `x` stays in the partial spec.
    assert_eq!(
        r.trials,
        [(false, "<byte_off> [3] struct s (0:0 @ offset 0)".to_owned())]
    );
    assert_eq!(r.patched, Some(Ok(Patched::Poisoned(PoisonCause::NoMatch))));
}

// --- field values --------------------------------------------------------------------------

/// §3.9's worked example and B5.
fn bitfields() -> (Btf, Btf, TypeId) {
    let mut l = BtfBuilder::new();
    let u = l.int("unsigned int", 4, 0);
    let i = l.int("int", 4, SIGNED);
    let u8_ = l.int("unsigned char", 1, 0);
    let bf = l.struct_("bf", 4, &[("x", u, 0, 3), ("y", i, 3, 5), ("z", u8_, 8, 0)]);
    let mut t = BtfBuilder::new();
    let u64_ = t.int("unsigned long long", 8, 0);
    let s64 = t.int("long long", 8, SIGNED);
    let tu8 = t.int("unsigned char", 1, 0);
    t.struct_(
        "bf",
        16,
        &[
            ("pre", u64_, 0, 7),
            ("x", u64_, 7, 30),
            ("y", s64, 37, 20),
            ("z", tu8, 64, 0),
        ],
    );
    (build(&l), build(&t), bf)
}

#[test]
fn bitfield_load_window_and_shifts() {
    let (local, target, bf) = bitfields();
    let v = |acc, kind| {
        let r = reloc(&local, &target, bf, acc, kind, &[mov(0)])
            .result
            .unwrap();
        (r.orig_val, r.new_val, r.validate)
    };
    use RelocKind as K;
    assert_eq!(v("0:0", K::FIELD_BYTE_SIZE), (4, 8, false));
    assert_eq!(v("0:0", K::FIELD_BYTE_OFFSET), (0, 0, false));
    assert_eq!(v("0:0", K::FIELD_LSHIFT_U64), (61, 27, false));
    assert_eq!(v("0:0", K::FIELD_RSHIFT_U64), (61, 34, true));
    assert_eq!(v("0:0", K::FIELD_SIGNED), (0, 0, true));
    assert_eq!(v("0:1", K::FIELD_LSHIFT_U64), (56, 7, false));
    assert_eq!(v("0:1", K::FIELD_RSHIFT_U64), (59, 44, true));
    assert_eq!(v("0:1", K::FIELD_SIGNED), (1, 1, true));
    // B5: clang's own window for x is 1 byte; bitfield sizes are not validated.
    let r = reloc(&local, &target, bf, "0:0", K::FIELD_BYTE_SIZE, &[mov(1)]);
    assert!(r.has("prog 'p': relo #0: patched insn #0 (ALU/ALU64) imm 1 -> 8"));
    let r = reloc(
        &local,
        &target,
        bf,
        "0:2",
        K::FIELD_BYTE_OFFSET,
        &[ldx(0x71, 1)],
    );
    assert!(r.has("prog 'p': relo #0: patched insn #0 (LDX/ST/STX) off 1 -> 8"));
}

#[test]
fn bitfield_wider_than_eight_bytes_fails() {
    let mut l = BtfBuilder::new();
    let u = l.int("unsigned long", 8, 0);
    let s = l.struct_("w", 16, &[("f", u, 60, 8)]);
    let local = build(&l);
    let r = reloc(
        &local,
        &local,
        s,
        "0:0",
        RelocKind::FIELD_BYTE_SIZE,
        &[mov(8)],
    );
    assert_eq!(r.result, Err(Errno::E2BIG));
    assert!(r.has("prog 'p': relo 1 at insn #0 can't be satisfied for bitfield"));
}

#[test]
fn shifts_and_signedness_reject_array_elements() {
    let mut l = BtfBuilder::new();
    let c = l.int("char", 1, SIGNED);
    let a = l.array(c, c, 16);
    let s = l.struct_("t", 16, &[("comm", a, 0, 0)]);
    let local = build(&l);
    let r = reloc(
        &local,
        &local,
        s,
        "0:0:3",
        RelocKind::FIELD_SIGNED,
        &[mov(1)],
    );
    assert_eq!(r.result, Err(Errno::EINVAL));
    // The kind number and the section instruction index, as libbpf prints them.
    assert!(r.has("prog 'p': relo 3 at insn #0 can't be applied to array access"));
    let ok = reloc(
        &local,
        &local,
        s,
        "0:0:3",
        RelocKind::FIELD_BYTE_SIZE,
        &[mov(1)],
    );
    assert_eq!(ok.new_val(), 1);
}

/// B6: LDX access-size adjustment, allowed for pointers and unsigned integers only.
#[test]
fn memory_size_adjustment() {
    let mut l = BtfBuilder::new();
    let u = l.int("unsigned int", 4, 0);
    let i = l.int("int", 4, SIGNED);
    let v = l.ptr(TypeId::VOID);
    let m = l.struct_(
        "m",
        24,
        &[
            ("u", u, 0, 0),
            ("s", i, 32, 0),
            ("p", v, 64, 0),
            ("w", u, 128, 0),
        ],
    );
    let local = build(&l);
    let mut t = BtfBuilder::new();
    let ul = t.int("unsigned long", 8, 0);
    let sl = t.int("long", 8, SIGNED);
    let ti = t.int("int", 4, SIGNED);
    let ip = t.ptr(ti);
    let us = t.int("unsigned short", 2, 0);
    t.struct_(
        "m",
        32,
        &[
            ("u", ul, 0, 0),
            ("s", sl, 64, 0),
            ("p", ip, 128, 0),
            ("w", us, 192, 0),
        ],
    );
    let target = build(&t);
    let r = reloc(
        &local,
        &target,
        m,
        "0:0",
        RelocKind::FIELD_BYTE_OFFSET,
        &[ldx(0x61, 0)],
    );
    assert!(r.has("prog 'p': relo #0: patched insn #0 (LDX/ST/STX) off 0 -> 0"));
    assert!(r.has("prog 'p': relo #0: patched insn #0 (LDX/ST/STX) mem_sz 4 -> 8"));
    assert_eq!(r.insns[0].code, 0x79);
    let r = reloc(
        &local,
        &target,
        m,
        "0:2",
        RelocKind::FIELD_BYTE_OFFSET,
        &[ldx(0x79, 8)],
    );
    assert_eq!(
        r.log.last().unwrap(),
        "prog 'p': relo #0: patched insn #0 (LDX/ST/STX) off 8 -> 16"
    );
    let r = reloc(
        &local,
        &target,
        m,
        "0:3",
        RelocKind::FIELD_BYTE_OFFSET,
        &[ldx(0x61, 16)],
    );
    assert!(r.has("prog 'p': relo #0: patched insn #0 (LDX/ST/STX) mem_sz 4 -> 2"));
    assert_eq!(r.insns[0].code, 0x69);
    let r = reloc(
        &local,
        &target,
        m,
        "0:1",
        RelocKind::FIELD_BYTE_OFFSET,
        &[ldx(0x61, 4)],
    );
    assert!(r.result.unwrap().fail_memsz_adjust);
    assert!(r.has("prog 'p': relo #0: insn #0 (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size."));
    assert_eq!(
        r.log.last().unwrap(),
        "prog 'p': relo #0: substituting insn #0 w/ invalid insn"
    );
    assert_eq!(
        r.patched,
        Some(Ok(Patched::Poisoned(PoisonCause::MemSizeAdjust)))
    );
    assert!(r.insns[0].is_poison());
    // The same refusal on an ALU instruction is ignored: only loads and stores care.
    let r = reloc(
        &local,
        &target,
        m,
        "0:1",
        RelocKind::FIELD_BYTE_OFFSET,
        &[mov(4)],
    );
    assert_eq!(r.patched, Some(Ok(Patched::Value)));
    // B19: the instruction's size must be the local field's size.
    let r = reloc(
        &local,
        &target,
        m,
        "0:0",
        RelocKind::FIELD_BYTE_OFFSET,
        &[ldx(0x69, 0)],
    );
    assert_eq!(r.patched, Some(Err(Errno::EINVAL)));
    assert!(r.has("prog 'p': relo #0: patched insn #0 (LDX/ST/STX) off 0 -> 0"));
    assert_eq!(
        r.log.last().unwrap(),
        "prog 'p': relo #0: insn #0 (LDX/ST/STX) unexpected mem size: got 2, exp 4"
    );
}

/// B7, and libbpf 1.5's memory-size bookkeeping for a named array member (the whole array's
/// size; fixed in 1.6): reading it with LDX when the length changes is refused.
#[test]
fn arrays_and_flexible_arrays() {
    let mut l = BtfBuilder::new();
    let i = l.int("int", 4, SIGNED);
    let a4 = l.array(i, i, 4);
    let fl = l.array(i, i, 0);
    let arr = l.struct_(
        "arr",
        20,
        &[("pre", i, 0, 0), ("a", a4, 32, 0), ("b", fl, 160, 0)],
    );
    let local = build(&l);
    let mut t = BtfBuilder::new();
    let ti = t.int("int", 4, SIGNED);
    let a10 = t.array(ti, ti, 10);
    let tfl = t.array(ti, ti, 0);
    t.struct_(
        "arr",
        44,
        &[("pre", ti, 0, 0), ("a", a10, 32, 0), ("b", tfl, 352, 0)],
    );
    let target = build(&t);
    let r = reloc(
        &local,
        &target,
        arr,
        "0:1:3",
        RelocKind::FIELD_BYTE_OFFSET,
        &[ldx(0x61, 16)],
    );
    assert_eq!(
        r.target.as_deref(),
        Some("<byte_off> [4] struct arr.a[3] (0:1:3 @ offset 16)")
    );
    let r = reloc(
        &local,
        &target,
        arr,
        "0:2:7",
        RelocKind::FIELD_BYTE_OFFSET,
        &[ldx(0x61, 48)],
    );
    assert_eq!(
        r.target.as_deref(),
        Some("<byte_off> [4] struct arr.b[7] (0:2:7 @ offset 72)")
    );
    assert!(r.has("prog 'p': relo #0: patched insn #0 (LDX/ST/STX) off 48 -> 72"));
    let r = reloc(
        &local,
        &target,
        arr,
        "0:1",
        RelocKind::FIELD_BYTE_SIZE,
        &[mov(16)],
    );
    assert!(r.has("prog 'p': relo #0: patched insn #0 (ALU/ALU64) imm 16 -> 40"));
    // The named array member itself, read with LDX: 1.5 compares the whole arrays' sizes
    // and refuses to adjust the load; 1.7 compares one element's (equal: patched).
    let whole = (arr, "0:1", RelocKind::FIELD_BYTE_OFFSET);
    let r = reloc_as(Libbpf::V1_5, &local, &target, whole, &[ldx(0x61, 4)]);
    let res = r.result.unwrap();
    assert_eq!(
        (res.orig_sz, res.new_sz, res.fail_memsz_adjust),
        (16, 40, true)
    );
    assert_eq!(
        r.patched,
        Some(Ok(Patched::Poisoned(PoisonCause::MemSizeAdjust)))
    );
    let r = reloc_as(Libbpf::V1_7, &local, &target, whole, &[ldx(0x61, 4)]);
    let res = r.result.unwrap();
    assert_eq!(
        (res.orig_sz, res.new_sz, res.fail_memsz_adjust),
        (4, 4, false)
    );
    assert_eq!(r.patched, Some(Ok(Patched::Value)));
    assert!(r.has("prog 'p': relo #0: patched insn #0 (LDX/ST/STX) off 4 -> 4"));
}

// --- ambiguity and pruning (B1–B4, B11, B12) ----------------------------------------------

fn flavors() -> (Btf, Btf, [TypeId; 4]) {
    let mut l = BtfBuilder::new();
    let i = l.int("int", 4, SIGNED);
    let s = l.struct_("s", 4, &[("a", i, 0, 0)]);
    let q = l.struct_("q", 4, &[("x", i, 0, 0)]);
    let p = l.struct_("p", 8, &[("a", i, 0, 0), ("b", i, 32, 0)]);
    let mut t = BtfBuilder::new();
    let ti = t.int("int", 4, SIGNED);
    let tl = t.int("long", 8, SIGNED);
    let tc = t.int("char", 1, SIGNED);
    t.struct_("s___v1", 8, &[("pad", ti, 0, 0), ("a", ti, 32, 0)]);
    t.struct_("s___v2", 16, &[("pad", tl, 0, 0), ("a", ti, 64, 0)]);
    t.struct_("q___1", 8, &[("x", ti, 0, 0), ("y", ti, 32, 0)]);
    t.struct_("q___2", 8, &[("x", tc, 0, 0), ("y", ti, 32, 0)]);
    t.struct_("p___1", 8, &[("a", ti, 0, 0), ("b", ti, 32, 0)]);
    t.struct_("p___2", 4, &[("a", ti, 0, 0)]);
    (build(&l), build(&t), [s, q, p, i])
}

#[test]
fn ambiguous_flavors() {
    let (local, target, [s, q, _, _]) = flavors();
    // B1: both flavors have `a`, at different offsets: candidate's bits first.
    let r = reloc(
        &local,
        &target,
        s,
        "0:0",
        RelocKind::FIELD_BYTE_OFFSET,
        &[ldx(0x61, 0)],
    );
    assert_eq!(r.result, Err(Errno::EINVAL));
    assert_eq!(
        r.log.last().unwrap(),
        "prog 'p': relo #0: field offset ambiguity: 64 != 32"
    );
    // The first match's spec is kept.
    assert_eq!(
        r.target.as_deref(),
        Some("<byte_off> [4] struct s___v1.a (0:1 @ offset 4)")
    );
    // B2 / B3: same offset, different sizes.
    let r = reloc(
        &local,
        &target,
        q,
        "0:0",
        RelocKind::FIELD_BYTE_SIZE,
        &[mov(4)],
    );
    assert_eq!(
        r.log.last().unwrap(),
        "prog 'p': relo #0: relocation decision ambiguity: success 1 != success 4"
    );
    let r = reloc(
        &local,
        &target,
        q,
        "0:0",
        RelocKind::FIELD_BYTE_OFFSET,
        &[mov(0)],
    );
    assert_eq!(
        r.log.last().unwrap(),
        "prog 'p': relo #0: patched insn #0 (ALU/ALU64) imm 0 -> 0"
    );
    // B11: two compatible flavors give two ids.
    let r = reloc(
        &local,
        &target,
        s,
        "0",
        RelocKind::TYPE_ID_TARGET,
        &ld_imm64(u64::from(s.0)),
    );
    assert_eq!(
        r.log.last().unwrap(),
        "prog 'p': relo #0: relocation decision ambiguity: success 5 != success 4"
    );
    // B12: equal sizes are fine.
    let r = reloc(&local, &target, q, "0", RelocKind::TYPE_SIZE, &[mov(4)]);
    assert_eq!(
        r.log.last().unwrap(),
        "prog 'p': relo #0: patched insn #0 (ALU/ALU64) imm 4 -> 8"
    );
}

#[test]
fn matching_prunes_the_cached_candidates() {
    let (local, target, [_, _, p, _]) = flavors();
    let mut cache = CandidateCache::new();
    // B4: `b` only in p___1; afterwards `a` sees only p___1 (numbered #0 again).
    let b = reloc_cached(
        &mut cache,
        &local,
        &target,
        p,
        "0:1",
        RelocKind::FIELD_BYTE_OFFSET,
        &[mov(4)],
    );
    assert_eq!(
        b.trials.iter().map(|t| t.0).collect::<Vec<_>>(),
        [true, false]
    );
    assert_eq!(cache.get(p).unwrap()[0].id, TypeId(8));
    assert_eq!(cache.get(p).unwrap().len(), 1);
    let a = reloc_cached(
        &mut cache,
        &local,
        &target,
        p,
        "0:0",
        RelocKind::FIELD_BYTE_OFFSET,
        &[mov(0)],
    );
    assert_eq!(a.trials.len(), 1);
    assert!(a.has(
        "prog 'p': relo #0: matching candidate #0 <byte_off> [8] struct p___1.a (0:0 @ offset 0)"
    ));
    // No match leaves the list alone.
    let mut l2 = BtfBuilder::new();
    let i = l2.int("int", 4, SIGNED);
    let pz = l2.struct_("p", 4, &[("zz", i, 0, 0)]);
    let local2 = build(&l2);
    let mut cache = CandidateCache::new();
    let z = reloc_cached(
        &mut cache,
        &local2,
        &target,
        pz,
        "0:0",
        RelocKind::FIELD_EXISTS,
        &[mov(1)],
    );
    assert_eq!(z.new_val(), 0);
    assert_eq!(cache.get(pz).unwrap().len(), 2);
}

// --- no match, enums, validation (B8, B9, B13, B14, B17, B18) -------------------------------

#[test]
fn no_match_table() {
    let mut l = BtfBuilder::new();
    let i = l.int("int", 4, SIGNED);
    let s = l.struct_("gone", 4, &[("a", i, 0, 0)]);
    let e = l.enum_("gone_e", 4, false, &[("G", 3)]);
    let local = build(&l);
    let mut t = BtfBuilder::new();
    t.int("int", 4, SIGNED);
    let target = build(&t);
    use RelocKind as K;
    let run = |root, acc, kind, insns: &[Insn]| reloc(&local, &target, root, acc, kind, insns);
    for (kind, insn) in [
        (K::FIELD_EXISTS, mov(1)),
        (K::TYPE_EXISTS, mov(1)),
        (K::TYPE_SIZE, mov(4)),
        (K::TYPE_MATCHES, mov(1)),
    ] {
        let acc = if kind.is_type() { "0" } else { "0:0" };
        let r = run(s, acc, kind, &[insn]);
        assert_eq!(
            (r.patched, r.insns[0].imm),
            (Some(Ok(Patched::Value)), 0),
            "{kind}"
        );
        assert!(r.has("prog 'p': relo #0: no matching targets found"));
    }
    let r = run(s, "0", K::TYPE_ID_TARGET, &ld_imm64(u64::from(s.0)));
    assert_eq!(
        r.log.last().unwrap(),
        &format!(
            "prog 'p': relo #0: patched insn #0 (LDIMM64) imm64 {} -> 0",
            s.0
        )
    );
    let r = run(e, "0", K::ENUMVAL_EXISTS, &ld_imm64(1));
    assert_eq!(r.new_val(), 0);
    let r = run(s, "0:0", K::FIELD_BYTE_OFFSET, &[mov(0)]);
    assert_eq!(r.patched, Some(Ok(Patched::Poisoned(PoisonCause::NoMatch))));
    // LD_IMM64: the second half first.
    let r = run(e, "0", K::ENUMVAL_VALUE, &ld_imm64(3));
    assert_eq!(
        r.log[r.log.len() - 2..],
        [
            "prog 'p': relo #0: substituting insn #1 w/ invalid insn",
            "prog 'p': relo #0: substituting insn #0 w/ invalid insn"
        ]
    );
    assert!(r.insns.iter().all(Insn::is_poison));
    // Poisoning skips validation: a wrong immediate is not noticed.
    let r = run(s, "0:0", K::FIELD_BYTE_OFFSET, &[mov(77)]);
    assert!(r.insns[0].is_poison());
}

#[test]
fn enum_values() {
    let mut l = BtfBuilder::new();
    let e1 = l.enum_("e1", 4, false, &[("E1_A", 1), ("E1_B", 2)]);
    let e64 = l.enum_("e64", 4, false, &[("E64_A", 1)]);
    let big = l.enum_("big", 4, false, &[("BIG_A", 0x8000_0000)]);
    let local = build(&l);
    let mut t = BtfBuilder::new();
    t.enum_("e1", 4, true, &[("E1_A", 10), ("E1_B", -5)]);
    t.enum64("e64", 8, false, &[("E64_A", 0x1_0000_0000), ("E64_B", 1)]);
    t.enum_("big", 4, false, &[("BIG_A", 0x8000_0000)]);
    let target = build(&t);
    let v = RelocKind::ENUMVAL_VALUE;
    // B8: 32-bit values are sign-extended.
    let r = reloc(&local, &target, e1, "1", v, &ld_imm64(2));
    assert!(r.has("prog 'p': relo #0: patched insn #0 (LDIMM64) imm64 2 -> 18446744073709551611"));
    // B9: ENUM matches ENUM64.
    let r = reloc(&local, &target, e64, "0", v, &ld_imm64(1));
    assert_eq!(
        r.target.as_deref(),
        Some("<enumval_value> [2] enum64 e64::E64_A = 4294967296")
    );
    assert!(r.has("prog 'p': relo #0: patched insn #0 (LDIMM64) imm64 1 -> 4294967296"));
    // B17: libbpf's own sign extension breaks validation of an unsigned 0x80000000.
    let r = reloc(&local, &target, big, "0", v, &ld_imm64(0x8000_0000));
    assert_eq!(r.patched, Some(Err(Errno::EINVAL)));
    assert!(r.has("prog 'p': relo #0: unexpected insn #0 (LDIMM64) value: got 2147483648, exp 18446744071562067968 -> 18446744071562067968"));
}

#[test]
fn local_type_ids_and_anonymous_roots() {
    let mut l = BtfBuilder::new();
    let i = l.int("int", 4, SIGNED);
    let anon = l.struct_("", 4, &[("b", i, 0, 0)]);
    let local = build(&l);
    // B14: no search, the local id, not validated.
    let r = reloc(
        &local,
        &local,
        anon,
        "0",
        RelocKind::TYPE_ID_LOCAL,
        &ld_imm64(99),
    );
    assert_eq!(
        r.log.last().unwrap(),
        "prog 'p': relo #0: patched insn #0 (LDIMM64) imm64 99 -> 2"
    );
    // B13: the search refuses anonymous roots; calc alone would too.
    assert_eq!(
        find_candidates(&local, anon, &Target::kernel(&local)).unwrap_err(),
        Errno::EINVAL
    );
    let cx = CalcContext {
        prog: "p",
        relo_idx: 3,
        local: &local,
        libbpf: Libbpf::default(),
    };
    let req = RelocRequest {
        insn_off: 0,
        type_id: anon,
        access: Some("0:0"),
        kind: RelocKind::FIELD_BYTE_OFFSET,
    };
    let res = calc_relo_insn(&cx, &req, Some(&[]));
    assert_eq!(res.result.unwrap_err().errno, Errno::EOPNOTSUPP);
    assert_eq!(
        res.log.last().unwrap().line(),
        "prog 'p': relo #3: <byte_off> (0) relocation doesn't support anonymous types"
    );
}

#[test]
fn parse_failure_is_reported_with_libbpf_wording() {
    let (btf, sample) = sample();
    let cx = CalcContext {
        prog: "p",
        relo_idx: 1,
        local: &btf,
        libbpf: Libbpf::default(),
    };
    let req = RelocRequest {
        insn_off: 0,
        type_id: sample,
        access: Some("0:9"),
        kind: RelocKind::FIELD_BYTE_OFFSET,
    };
    let res = calc_relo_insn(&cx, &req, Some(&[]));
    assert_eq!(
        res.log.last().unwrap().line(),
        "prog 'p': relo #1: parsing [4] struct sample + 0:9 failed: -22"
    );
    assert_eq!(
        res.local_spec.unwrap().format(),
        "<byte_off> [4] struct sample (0:9 @ offset 0)"
    );
    let req = RelocRequest {
        access: None,
        ..req
    };
    let res = calc_relo_insn(&cx, &req, Some(&[]));
    assert_eq!(
        res.log.last().unwrap().line(),
        "prog 'p': relo #1: parsing [4] struct sample + <?> failed: -22"
    );
    assert!(res.local_spec.is_none());
}

// --- patching ---------------------------------------------------------------------------------

fn value(orig: u64, new: u64) -> RelocResult {
    RelocResult {
        orig_val: orig,
        new_val: new,
        validate: true,
        ..RelocResult::default()
    }
}

#[test]
fn patch_checks_by_instruction_class() {
    let patch = |insns: &mut [Insn], res: RelocResult| patch_insn("p", 2, insns, 0, &res);
    // B18: a hand-edited immediate.
    let r = patch(&mut [mov(5)], value(0, 0));
    assert_eq!(r.result, Err(Errno::EINVAL));
    assert_eq!(
        r.log[0].line(),
        "prog 'p': relo #2: unexpected insn #0 (ALU/ALU64) value: got 5, exp 0 -> 0"
    );
    // Negative immediates print as unsigned 32-bit, then as a sign-extended u64 once patched.
    let r = patch(
        &mut [mov(-1)],
        RelocResult {
            validate: false,
            ..value(0, 1)
        },
    );
    assert_eq!(
        r.log[0].line(),
        "prog 'p': relo #2: patched insn #0 (ALU/ALU64) imm 18446744073709551615 -> 1"
    );
    let r = patch(&mut [mov(-1)], value(0, 1));
    assert_eq!(
        r.log[0].line(),
        "prog 'p': relo #2: unexpected insn #0 (ALU/ALU64) value: got 4294967295, exp 0 -> 1"
    );
    // Register source: silently rejected.
    let r = patch(
        &mut [Insn {
            code: 0xbf,
            ..mov(0)
        }],
        value(0, 0),
    );
    assert_eq!((r.result, r.log.len()), (Err(Errno::EINVAL), 0));
    // Offsets past 32767.
    let r = patch(&mut [ldx(0x79, 0)], value(0, 40000));
    assert_eq!(r.result, Err(Errno::ERANGE));
    assert_eq!(
        r.log[0].line(),
        "prog 'p': relo #2: insn #0 (LDX/ST/STX) value too big: 40000"
    );
    // A new size that is no access width.
    let r = patch(
        &mut [ldx(0x61, 0)],
        RelocResult {
            orig_sz: 4,
            new_sz: 3,
            ..value(0, 8)
        },
    );
    assert_eq!(
        r.log.last().unwrap().line(),
        "prog 'p': relo #2: insn #0 (LDX/ST/STX) invalid new mem size: 3"
    );
    assert_eq!(
        r.after[0].off, 8,
        "the offset is written before the size checks"
    );
    // MEMSX keeps its mode when resized.
    let mut sx = [Insn {
        code: 0x81,
        ..ldx(0, 0)
    }];
    let r = patch(
        &mut sx,
        RelocResult {
            orig_sz: 4,
            new_sz: 2,
            ..value(0, 0)
        },
    );
    assert_eq!((r.result, sx[0].code), (Ok(Patched::Value), 0x89));
    // Malformed LD_IMM64 and an LD_IMM64 cut off at the end of the program.
    let mut bad = ld_imm64(0);
    bad[1].off = 1;
    let r = patch(&mut bad, value(0, 1));
    assert_eq!(
        r.log[0].line(),
        "prog 'p': relo #2: insn #0 (LDIMM64) has unexpected form"
    );
    let r = patch(&mut ld_imm64(0)[..1], value(0, 1));
    assert_eq!(r.result, Err(Errno::EINVAL));
    // Jumps and calls cannot carry a relocated value.
    let r = patch(
        &mut [Insn {
            code: 0x85,
            dst: 0,
            src: 0,
            off: -1,
            imm: 0x71,
        }],
        value(0, 0),
    );
    assert_eq!(
        r.log[0].line(),
        "prog 'p': relo #2: trying to relocate unrecognized insn #0, code:0x85, src:0x0, dst:0x0, off:0xffffffff, imm:0x71"
    );
    // LD_IMM64 writes both halves.
    let mut wide = ld_imm64(7);
    let r = patch(&mut wide, value(7, 0x1_0000_0002));
    assert_eq!(
        (r.result, wide[0].imm, wide[1].imm),
        (Ok(Patched::Value), 2, 1)
    );
}

// --- bounded work on hostile BTF ---------------------------------------------------------

/// Anonymous members nested 20 deep, 8 wide: libbpf's depth-first member search would visit
/// 8^20 members. The work budget turns that into an error.
#[test]
fn member_search_is_bounded() {
    let mut l = BtfBuilder::new();
    let i = l.int("int", 4, SIGNED);
    let s = l.struct_("deep", 4, &[("missing", i, 0, 0)]);
    let local = build(&l);
    let mut t = BtfBuilder::new();
    let mut level = t.int("int", 4, SIGNED);
    for _ in 0..20 {
        let members: Vec<_> = (0..8).map(|_| ("", level, 0, 0)).collect();
        level = t.struct_("", 4, &members);
    }
    t.struct_("deep", 4, &[("", level, 0, 0)]);
    let target = build(&t);
    let r = reloc(
        &local,
        &target,
        s,
        "0:0",
        RelocKind::FIELD_BYTE_OFFSET,
        &[mov(0)],
    );
    assert_eq!(r.result, Err(Errno::E2BIG));
    assert!(r
        .log
        .last()
        .unwrap()
        .starts_with("prog 'p': relo #0: error matching candidate #0"));
}

/// Same-named members 16 wide, 12 deep, failing at the bottom: TYPE_MATCHES would try 16^12
/// pairings.
#[test]
fn type_match_is_bounded() {
    let build_chain = |signed: u8| {
        let mut b = BtfBuilder::new();
        let mut level = b.int("int", 4, signed);
        for _ in 0..12 {
            let members: Vec<_> = (0..16).map(|_| ("a", level, 0, 0)).collect();
            level = b.struct_("", 4, &members);
        }
        let root = b.struct_("root", 4, &[("a", level, 0, 0)]);
        (build(&b), root)
    };
    let (local, root) = build_chain(SIGNED);
    let (target, _) = build_chain(0);
    let r = reloc(
        &local,
        &target,
        root,
        "0",
        RelocKind::TYPE_MATCHES,
        &[mov(1)],
    );
    assert_eq!(r.result, Err(Errno::EINVAL));
}
