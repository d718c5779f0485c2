//! Unit tests of the header generator over small BTF built in memory: the error paths, the
//! limits that protect against hostile input, and the staged sort against a plain comparator.

use crate::btf::{Btf, IntEncoding, TypeId};
use crate::builder::{BtfBuilder, EncodeOptions};

use super::padding::padding;
use super::sort::str_hash;
use super::{render, HeaderError, Options, Profile, Warning, MAX_NESTING};

fn parse(b: &BtfBuilder) -> Btf {
    Btf::parse(&b.encode(&EncodeOptions::default())).unwrap()
}

/// The types part of a header: after the prologue (and the 7.5+ macro block).
fn body(text: &str) -> &str {
    let start = match text.find("#endif\n#endif\n\n") {
        Some(i) => i + 15,
        None => text.find("#endif\n\n").map_or(0, |i| i + 8),
    };
    let end = text.rfind("#ifndef BPF_NO_PRESERVE").unwrap_or(text.len());
    &text[start..end]
}

fn opts(profile: Profile) -> Options {
    Options {
        profile,
        roots: Vec::new(),
    }
}

#[test]
fn embedding_cycle_stops_where_bpftool_stops() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    b.struct_("before", 4, &[("x", int, 0, 0)]);
    let a = b.next_id();
    b.struct_("A", 4, &[("b", TypeId(a.0 + 1), 0, 0)]);
    b.struct_("B", 4, &[("a", a, 0, 0)]);
    let btf = parse(&b);
    let (out, r) = render(&btf, &opts(Profile::Bpftool71));
    assert_eq!(r, Err(HeaderError::Cycle(a)));
    assert_eq!(out.warnings, vec![Warning::Cycle(a)]);
    assert!(
        out.text.ends_with("struct before {\n\tint x;\n};\n\n"),
        "{}",
        out.text
    );
}

#[test]
fn pointer_size_without_long_is_8() {
    // No `long`: libbpf falls back to the host's pointer size, 8 on every bpftool host (the
    // wasm build must not use its own 4). The padding unit shows it: `long` is 64 bits.
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    b.struct_("s", 16, &[("x", int, 0, 0), ("y", int, 96, 0)]);
    let btf = parse(&b);
    assert_eq!(btf.ptr_size(), 8);
    let (out, r) = render(&btf, &opts(Profile::Bpftool71));
    assert_eq!(r, Ok(()));
    assert_eq!(
        body(&out.text),
        "struct s {\n\tint x;\n\tlong: 0;\n\tint: 32;\n\tint y;\n};\n\n"
    );
}

#[test]
fn deep_anonymous_nesting_is_capped_not_overflowed() {
    // Within the limit: indentation stops at 13 tabs.
    let nest = |depth: usize| {
        let mut b = BtfBuilder::new();
        let int = b.int("int", 4, IntEncoding::SIGNED);
        let mut inner = b.struct_("", 4, &[("x", int, 0, 0)]);
        for _ in 0..depth {
            inner = b.struct_("", 4, &[("", inner, 0, 0)]);
        }
        b.struct_("outer", 4, &[("in", inner, 0, 0)]);
        parse(&b)
    };
    let (out, r) = render(&nest(20), &opts(Profile::Bpftool));
    assert_eq!(r, Ok(()));
    assert!(out.text.contains(&format!("\n{}int x;", "\t".repeat(13))));
    assert!(!out.text.contains(&"\t".repeat(14)));
    // Beyond it: an error, not a stack overflow.
    let (_, r) = render(&nest(MAX_NESTING + 10), &opts(Profile::Bpftool));
    assert!(matches!(r, Err(HeaderError::TooDeep(_))), "{r:?}");
}

#[test]
fn long_chains_do_not_recurse() {
    // 100 000 typedefs, each naming the next through a pointer, and a pointer chain as long:
    // ordering, emission, sorting and declarators all walk them without recursion.
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    let n = 100_000;
    let first = b.next_id();
    for i in 0..n {
        let next = TypeId(first.0 + 2 * i + 2);
        let td = b.typedef(&format!("t{i}"), TypeId(first.0 + 2 * i + 1));
        assert_eq!(td.0, first.0 + 2 * i);
        b.ptr(if i + 1 == n { int } else { next });
    }
    let mut p = int;
    for _ in 0..n {
        p = b.ptr(p);
    }
    b.struct_("s", 8, &[("deep", p, 0, 0), ("t", first, 0, 0)]);
    let btf = parse(&b);
    for profile in [Profile::Bpftool71, Profile::Bpftool] {
        let (out, r) = render(&btf, &opts(profile));
        assert_eq!(r, Ok(()));
        assert!(out
            .text
            .contains(&format!("\tint {}deep;", "*".repeat(n as usize))));
        assert!(out.text.contains("typedef t1 *t0;"));
    }
}

#[test]
fn suffixed_names_are_cut_at_255_bytes() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    let long = "n".repeat(254);
    b.struct_(&long, 4, &[("x", int, 0, 0)]);
    b.struct_(&long, 4, &[("y", int, 0, 0)]);
    let btf = parse(&b);
    let (out, r) = render(&btf, &opts(Profile::Bpftool71));
    assert_eq!(r, Ok(()));
    // "n"*254 + "___2" is 258 bytes: libbpf's 256-byte buffer keeps 255.
    let cut = format!("struct {}_ {{", long);
    assert!(out.text.contains(&cut), "{}", out.text);
}

#[test]
fn roots_by_name_id_and_kind() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    let s = b.struct_("foo", 4, &[("x", int, 0, 0)]);
    let t = b.typedef("foo", s);
    let f = b.fwd("bar", false);
    let btf = parse(&b);
    assert_eq!(super::find_roots(&btf, "foo").unwrap(), vec![s, t]);
    assert_eq!(super::find_roots(&btf, "struct foo").unwrap(), vec![s]);
    assert_eq!(super::find_roots(&btf, "typedef foo").unwrap(), vec![t]);
    assert_eq!(super::find_roots(&btf, "bar").unwrap(), vec![f]);
    assert_eq!(super::find_roots(&btf, &s.0.to_string()).unwrap(), vec![s]);
    assert!(super::find_roots(&btf, "union foo").is_err());
    assert!(super::find_roots(&btf, "99").is_err());
    let (out, r) = render(
        &btf,
        &Options {
            profile: Profile::Bpftool,
            roots: vec![t],
        },
    );
    assert_eq!(r, Ok(()));
    assert_eq!(
        body(&out.text),
        "struct foo {\n\tint x;\n};\n\ntypedef struct foo foo;\n\n"
    );
    assert!(!out.text.contains("BPF kfuncs"));
}

/// A tiny deterministic generator of name-colliding BTF for the sort check.
fn collide(seed: u64) -> Btf {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |n: u32| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((x >> 33) % u64::from(n)) as u32
    };
    let names = [
        "a",
        "b",
        "",
        "",
        "aaaaaaaaaaaaaaaaaaaa1",
        "aaaaaaaaaaaaaaaaaaaa2",
    ];
    let mut b = BtfBuilder::new();
    b.int("int", 4, IntEncoding::SIGNED);
    for _ in 0..60 {
        let n = b.next_id().0;
        let any = TypeId(next(n));
        let name = names[next(names.len() as u32) as usize];
        match next(9) {
            0 => b.struct_(name, 4, &[(names[next(2) as usize], TypeId(1), 0, 0)]),
            1 => b.union_(name, 4, &[("u", any, 0, 0)]),
            2 => b.enum_(name, 4, false, &[(names[next(2) as usize], 1)]),
            3 => b.typedef(if name.is_empty() { "t" } else { name }, any),
            4 => b.ptr(any),
            5 => b.const_(any),
            6 => b.array(TypeId(1), TypeId(1), next(3)),
            7 => b.func_proto(any, &[("", TypeId(1))]),
            _ => b.fwd(if name.is_empty() { "f" } else { name }, false),
        };
    }
    parse(&b)
}

#[test]
fn staged_sort_equals_bpftool_comparator() {
    for seed in 0..300 {
        let btf = collide(seed);
        let mut memo = super::sort::Memo::default();
        let mut chains = super::sort::Chains::new(&btf);
        let mut naive: Vec<TypeId> = (0..btf.type_cnt()).map(TypeId).collect();
        naive.sort_by(|&a, &b| super::sort::cmp_full(&btf, a, b, &mut memo, &mut chains));
        assert_eq!(super::sort::sorted_roots(&btf, false), naive, "seed {seed}");
        assert_eq!(
            super::sort::sorted_roots(&btf, true),
            naive[1..],
            "seed {seed}"
        );
        // In two stages (a first screen's roots, then the rest): the same order, wherever the
        // head ends (inside a tied run, at rank 10, past the end).
        for skip in [false, true] {
            let whole = super::sort::sorted_roots(&btf, skip);
            for n in [1, 2, 5, 13, 30, 61, 200] {
                let mut staged = super::sort::Staged::new(&btf, skip);
                let mut roots = staged.head(n);
                assert!(roots.is_empty() || roots.len() >= n.min(whole.len()) - usize::from(skip));
                roots.extend(staged.rest());
                assert_eq!(roots, whole, "seed {seed} head {n} skip {skip}");
            }
        }
    }
}

// Padding (§4.3): the spec's examples.
fn pad_lines(cur: i32, next: i32, align: i32, in_bf: bool, ptr: u32) -> Vec<String> {
    let mut v = Vec::new();
    padding(cur, next, align, in_bf, ptr, |u, b| {
        v.push(format!("{u}: {b}"))
    });
    v
}

#[test]
fn padding_spec_examples() {
    // char c; then int x aligned(8) at byte 8.
    assert_eq!(pad_lines(8, 64, 4, false, 8), ["long: 0"]);
    // a:3 b:5 c:7, then :0, then d:4 at bit 32 (inside a bitfield run).
    assert_eq!(pad_lines(15, 32, 4, true, 8), ["int: 17"]);
    // d ends at 36, e:40 at bit 64.
    assert_eq!(pad_lines(36, 64, 8, true, 8), ["long: 28"]);
    // A 3-byte struct with no members.
    assert_eq!(pad_lines(0, 24, 1, false, 8), ["int: 24"]);
    // A leading 4-byte gap.
    assert_eq!(pad_lines(0, 32, 4, false, 8), ["int: 32"]);
    // A 35-byte hole after a char.
    assert_eq!(
        pad_lines(8, 8 + 35 * 8, 1, false, 8),
        ["long: 64", "long: 64", "long: 64", "int: 32"]
    );
    // 60 bytes of hole before a 64-byte aligned long.
    assert_eq!(pad_lines(32, 512, 8, false, 8), vec!["long: 64"; 7]);
    // 32-bit long.
    assert_eq!(pad_lines(0, 64, 4, false, 4), ["long: 32", "long: 32"]);
    // No gap, overlap.
    assert!(pad_lines(64, 64, 8, false, 8).is_empty());
    assert!(pad_lines(96, 64, 8, false, 8).is_empty());
}

#[test]
fn str_hash_uses_signed_chars() {
    assert_eq!(str_hash(""), 0);
    assert_eq!(str_hash("ab"), 97 * 31 + 98);
    // 'é' is 0xc3 0xa9: both bytes are negative as C chars on x86-64.
    let want = ((0xc3u8 as i8 as i64) * 31 + (0xa9u8 as i8 as i64)) as u64;
    assert_eq!(str_hash("é"), want);
}

#[test]
fn streaming_hands_over_a_first_screen_then_gives_the_same_header() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    for i in 0..100 {
        let p = b.ptr(int);
        b.struct_(&format!("s{i}"), 16, &[("a", int, 0, 0), ("p", p, 64, 0)]);
    }
    let btf = parse(&b);
    for profile in [Profile::Bpftool, Profile::Bpftool71] {
        let (whole, r) = render(&btf, &opts(profile));
        r.unwrap();
        let mut firsts = Vec::new();
        let (streamed, r) = super::render_streaming(&btf, &opts(profile), 50, &mut |m| {
            firsts.push((m.text.clone(), m.spans.len()))
        });
        r.unwrap();
        assert_eq!(streamed.text, whole.text, "{profile:?}");
        assert_eq!(streamed.spans, whole.spans);
        let [(first, spans)] = firsts.as_slice() else {
            panic!("{} first screens", firsts.len());
        };
        // At a root's end: enough lines, the whole header's beginning, its marks closed.
        assert!(first.lines().count() >= 50 && first.len() < whole.text.len());
        assert!(whole.text.starts_with(first.as_str()) && first.ends_with("};\n\n"));
        assert!(whole.spans[..*spans].iter().all(|s| s.end <= first.len()));
    }
    // A header shorter than the first screen is handed over whole, once.
    let mut calls = 0;
    let (small, _) = super::render_streaming(&btf, &opts(Profile::Bpftool), 100_000, &mut |m| {
        calls += 1;
        assert!(m.text.ends_with("#endif /* __VMLINUX_H__ */\n"));
    });
    assert_eq!(calls, 1);
    assert!(small.text.ends_with("#endif /* __VMLINUX_H__ */\n"));
}
