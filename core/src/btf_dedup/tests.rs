//! Crafted merges, each showing one rule of libbpf's dedup. Every expected listing is what
//! sid's bpftool 7.8.0 (libbpf 1.8) prints for the same files
//! (`bpftool -B base btf dump file p0 file p1`).

use std::sync::Arc;

use super::*;
use crate::btf::{Btf, TypeId};
use crate::builder::{BtfBuilder, EncodeOptions};

fn base_of(build: impl FnOnce(&mut BtfBuilder)) -> Arc<Btf> {
    let mut b = BtfBuilder::new();
    build(&mut b);
    Arc::new(Btf::parse(&b.encode(&EncodeOptions::default())).unwrap())
}

fn piece(base: &Arc<Btf>, build: impl FnOnce(&mut BtfBuilder)) -> Btf {
    let mut b = BtfBuilder::new_split(base);
    build(&mut b);
    Btf::parse_split(&b.encode(&EncodeOptions::default()), base.clone()).unwrap()
}

fn listing(btf: &Btf) -> String {
    crate::dump::raw_text(btf)
}

fn merged(base: &Arc<Btf>, pieces: Vec<Btf>) -> String {
    listing(&merge_modules(base, pieces).unwrap())
}

/// libbpf 1.8 maps a module's copy of a base typedef onto the base's (1.7 kept the copy: it
/// indexed base typedefs under another hash than the one it looks them up with).
#[test]
fn module_typedef_joins_the_base() {
    let base = base_of(|b| {
        let int = b.int("int", 4, 1);
        let u32_ = b.typedef("u32", int);
        b.struct_("s", 4, &[("x", u32_, 0, 0)]);
    });
    let int = TypeId(1);
    let a = piece(&base, |b| {
        let t = b.typedef("u32", int);
        b.struct_("m1", 4, &[("v", t, 0, 0)]);
    });
    let c = piece(&base, |b| {
        let t = b.typedef("u32", int);
        b.struct_("m2", 8, &[("v", t, 0, 0), ("w", t, 32, 0)]);
    });
    assert_eq!(
        merged(&base, vec![a, c]),
        "[4] STRUCT 'm1' size=4 vlen=1\n\t'v' type_id=2 bits_offset=0\n\
         [5] STRUCT 'm2' size=8 vlen=2\n\t'v' type_id=2 bits_offset=0\n\t'w' type_id=2 bits_offset=32\n"
    );
}

/// A base FWD that a module defines: the module's struct stays apart from the base's (the
/// base cannot change), but everything pointing at the FWD now points at the definition.
#[test]
fn base_fwd_resolves_to_a_module_struct() {
    let base = base_of(|b| {
        b.int("int", 4, 1);
        let f = b.fwd("foo", false);
        let p = b.ptr(f);
        b.struct_("S", 8, &[("p", p, 0, 0)]);
    });
    let (int, pfwd) = (TypeId(1), TypeId(3));
    let a = piece(&base, |b| {
        let foo = b.struct_("foo", 4, &[("x", int, 0, 0)]);
        let p = b.ptr(foo);
        b.struct_("S", 8, &[("p", p, 0, 0)]);
        b.struct_("T", 8, &[("q", pfwd, 0, 0)]);
    });
    let c = piece(&base, |b| {
        b.struct_("U", 8, &[("r", pfwd, 0, 0)]);
    });
    let m = merge(Some(&base), &[&a, &c], &Limits::default()).unwrap();
    assert_eq!(
        listing(&m.btf),
        "[5] STRUCT 'foo' size=4 vlen=1\n\t'x' type_id=1 bits_offset=0\n\
         [6] PTR '(anon)' type_id=5\n\
         [7] STRUCT 'S' size=8 vlen=1\n\t'p' type_id=6 bits_offset=0\n\
         [8] STRUCT 'T' size=8 vlen=1\n\t'q' type_id=3 bits_offset=0\n\
         [9] STRUCT 'U' size=8 vlen=1\n\t'r' type_id=3 bits_offset=0\n"
    );
    // The base's FWD now stands for the module's struct.
    assert_eq!(m.id(None, TypeId(2)), Some(TypeId(5)));
    assert_eq!(m.id(Some(0), TypeId(5)), Some(TypeId(5)));
}

/// An enum forward declaration in one module, the enum in another: one enum, whichever
/// comes first.
#[test]
fn enum_declaration_meets_its_definition() {
    let base = base_of(|b| {
        b.int("int", 4, 1);
    });
    let decl = |base: &Arc<Btf>| {
        piece(base, |b| {
            let e = b.add_raw("E", crate::btf::Kind::ENUM, false, 0, 4, vec![]);
            let p = b.ptr(e);
            b.struct_("A", 8, &[("e", p, 0, 0)]);
        })
    };
    let def = |base: &Arc<Btf>| {
        piece(base, |b| {
            let e = b.enum_("E", 4, false, &[("X", 1), ("Y", 2)]);
            let p = b.ptr(e);
            b.struct_("C", 8, &[("e", p, 0, 0)]);
        })
    };
    assert_eq!(
        merged(&base, vec![decl(&base), def(&base)]),
        "[2] PTR '(anon)' type_id=4\n\
         [3] STRUCT 'A' size=8 vlen=1\n\t'e' type_id=2 bits_offset=0\n\
         [4] ENUM 'E' encoding=UNSIGNED size=4 vlen=2\n\t'X' val=1\n\t'Y' val=2\n\
         [5] STRUCT 'C' size=8 vlen=1\n\t'e' type_id=2 bits_offset=0\n"
    );
    assert_eq!(
        merged(&base, vec![def(&base), decl(&base)]),
        "[2] ENUM 'E' encoding=UNSIGNED size=4 vlen=2\n\t'X' val=1\n\t'Y' val=2\n\
         [3] PTR '(anon)' type_id=2\n\
         [4] STRUCT 'C' size=8 vlen=1\n\t'e' type_id=3 bits_offset=0\n\
         [5] STRUCT 'A' size=8 vlen=1\n\t'e' type_id=3 bits_offset=0\n"
    );
}

/// libbpf's own example (the comment on `btf__dedup`): two units, each knowing one of `A`
/// and `B` only by a FWD, give one `A`, one `B` and one `S`.
#[test]
fn units_complete_each_other() {
    let base = base_of(|b| {
        b.int("int", 4, 1);
    });
    let int = TypeId(1);
    let unit = |base: &Arc<Btf>, full: &str, fwd: &str, full_first: bool| {
        piece(base, |b| {
            let s0 = b.next_id().0;
            let (a, pa, fs, pfs, fo, pfo, s) = (s0, s0 + 1, s0 + 2, s0 + 3, s0 + 4, s0 + 5, s0 + 6);
            let member = if full == "A" { "a" } else { "b" };
            b.struct_(
                full,
                24,
                &[
                    (member, int, 0, 0),
                    ("self", TypeId(pa), 64, 0),
                    ("parent", TypeId(pfs), 128, 0),
                ],
            );
            b.ptr(TypeId(a));
            b.fwd("S", false);
            b.ptr(TypeId(fs));
            b.fwd(fwd, false);
            b.ptr(TypeId(fo));
            let (a_ptr, b_ptr) = if full_first { (pa, pfo) } else { (pfo, pa) };
            b.struct_(
                "S",
                16,
                &[
                    ("a_ptr", TypeId(a_ptr), 0, 0),
                    ("b_ptr", TypeId(b_ptr), 64, 0),
                ],
            );
            assert_eq!(b.next_id().0, s + 1);
        })
    };
    let one = unit(&base, "A", "B", true);
    let two = unit(&base, "B", "A", false);
    assert_eq!(
        merged(&base, vec![one, two]),
        "[2] STRUCT 'A' size=24 vlen=3\n\t'a' type_id=1 bits_offset=0\n\t'self' type_id=3 bits_offset=64\n\t'parent' type_id=4 bits_offset=128\n\
         [3] PTR '(anon)' type_id=2\n\
         [4] PTR '(anon)' type_id=6\n\
         [5] PTR '(anon)' type_id=7\n\
         [6] STRUCT 'S' size=16 vlen=2\n\t'a_ptr' type_id=3 bits_offset=0\n\t'b_ptr' type_id=5 bits_offset=64\n\
         [7] STRUCT 'B' size=24 vlen=3\n\t'b' type_id=1 bits_offset=0\n\t'self' type_id=5 bits_offset=64\n\t'parent' type_id=4 bits_offset=128\n"
    );
}

/// Of three identical base structs, the one a module's copy joins depends on how often
/// libbpf's hash map grew while the base was indexed: each growth reverses the order in
/// which it yields the entries of one key (latest first otherwise).
#[test]
fn equal_candidates_are_met_in_hash_map_order() {
    // (filler types before the three copies, the copy bpftool 7.8 picks: 0 = first)
    for (filler, want) in [
        (0, 2),
        (1, 2),
        (2, 0),
        (3, 2),
        (4, 2),
        (5, 2),
        (6, 2),
        (9, 2),
        (12, 2),
        (20, 0),
        (50, 2),
    ] {
        let base = base_of(|b| {
            let int = b.int("int", 4, 1);
            for k in 0..filler {
                b.int(&format!("f{k}"), 4, 1);
            }
            for _ in 0..3 {
                b.struct_("X", 4, &[("a", int, 0, 0)]);
            }
        });
        let first_x = 2 + filler;
        let a = piece(&base, |b| {
            let x = b.struct_("X", 4, &[("a", TypeId(1), 0, 0)]);
            b.struct_("Y", 4, &[("x", x, 0, 0)]);
        });
        let c = piece(&base, |b| {
            b.int("yy", 2, 1);
        });
        let got = merged(&base, vec![a, c]);
        let y = base.type_cnt();
        assert_eq!(
            got,
            format!(
                "[{y}] STRUCT 'Y' size=4 vlen=1\n\t'x' type_id={} bits_offset=0\n\
                 [{}] INT 'yy' size=2 bits_offset=0 nr_bits=16 encoding=SIGNED\n",
                first_x + want,
                y + 1
            ),
            "{filler} filler types"
        );
    }
}

/// One module comes back as it is, as bpftool lists a single file without deduplicating.
#[test]
fn one_module_is_listed_as_it_is() {
    let base = base_of(|b| {
        b.int("int", 4, 1);
    });
    let twice = |base: &Arc<Btf>| {
        piece(base, |b| {
            b.struct_("X", 4, &[("a", TypeId(1), 0, 0)]);
            b.struct_("X", 4, &[("a", TypeId(1), 0, 0)]);
        })
    };
    let text = listing(&twice(&base));
    assert_eq!(merged(&base, vec![twice(&base)]), text);
    // Deduplicated explicitly, the copies become one.
    let once = dedup(&twice(&base), &Limits::default()).unwrap();
    assert_eq!((once.stats.types_in, once.stats.types_out), (2, 1));
    assert_eq!(once.id(Some(0), TypeId(3)), Some(TypeId(2)));
    assert_eq!(once.parts(), 1);
}

/// The merge has pointer size 8 whatever the base says: libbpf starts the merge from an
/// empty BTF, which takes the host's.
#[test]
fn merge_has_the_hosts_pointer_size() {
    let base = base_of(|b| {
        b.int("long", 4, 1);
    });
    assert_eq!(base.ptr_size(), 4);
    let p = |base: &Arc<Btf>| {
        piece(base, |b| {
            b.ptr(TypeId(1));
        })
    };
    let one = p(&base);
    assert_eq!(one.ptr_size(), 4);
    let two = merge_modules(&base, vec![one, p(&base)]).unwrap();
    assert_eq!(two.ptr_size(), 8);
    // Standalone deduplication keeps the pointer size.
    assert_eq!(dedup(&base, &Limits::default()).unwrap().btf.ptr_size(), 4);
}

#[test]
fn errors_name_the_module_and_type() {
    let base = base_of(|b| {
        b.int("int", 4, 1);
    });
    let other = base_of(|b| {
        b.int("int", 4, 1);
    });
    let stranger = piece(&other, |b| {
        b.int("x", 4, 1);
    });
    let mine = piece(&base, |b| {
        b.int("x", 4, 1);
    });
    assert_eq!(
        merge_modules(&base, vec![mine, stranger]).unwrap_err(),
        DedupError::NotOverBase { part: 1 }
    );
    assert_eq!(
        merge(Some(&base), &[], &Limits::default()).unwrap_err(),
        DedupError::Empty
    );

    // Two structs whose members are VARs: libbpf's graph walk has no rule for VAR (EINVAL).
    let with_var = |base: &Arc<Btf>| {
        piece(base, |b| {
            let v = b.var("v", TypeId(1), 1);
            b.struct_("S", 4, &[("m", v, 0, 0)]);
        })
    };
    let e = merge_modules(&base, vec![with_var(&base), with_var(&base)]).unwrap_err();
    assert_eq!(
        e,
        DedupError::Unsupported {
            part: Some(1),
            id: TypeId(2),
            kind: crate::btf::Kind::VAR,
            during: "in a type-graph comparison",
        }
    );
    assert_eq!(e.part(), Some(1));
    assert_eq!(
        e.to_string(),
        "type [2] of module #2 is a VAR, which libbpf's deduplication rejects in a type-graph comparison (EINVAL)"
    );
}

/// Hostile input costs bounded work: the budget stops it with an error.
#[test]
fn work_is_bounded() {
    let base = base_of(|b| {
        b.int("int", 4, 1);
    });
    // A long chain of distinct structs, twice: each pair walks the whole chain.
    let chain = |base: &Arc<Btf>| {
        piece(base, |b| {
            let first = b.next_id().0;
            for k in 0..200u32 {
                let next = if k == 199 { 1 } else { first + 2 * k + 2 };
                let s = b.struct_("node", 8, &[("next", TypeId(first + 2 * k + 1), 0, 0)]);
                b.ptr(TypeId(next));
                assert_eq!(s.0, first + 2 * k);
            }
        })
    };
    let parts = [chain(&base), chain(&base)];
    let refs: Vec<&Btf> = parts.iter().collect();
    let ok = merge(Some(&base), &refs, &Limits::default()).unwrap();
    assert_eq!(ok.stats.types_out, 400);
    let exact = Limits {
        max_work: ok.stats.work,
    };
    assert!(merge(Some(&base), &refs, &exact).is_ok());
    let short = Limits {
        max_work: ok.stats.work - 1,
    };
    assert_eq!(
        merge(Some(&base), &refs, &short).unwrap_err(),
        DedupError::WorkLimit {
            max_work: ok.stats.work - 1
        }
    );
}
