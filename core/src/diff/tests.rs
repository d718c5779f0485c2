use super::*;
use crate::btf::IntEncoding;
use crate::builder::{BtfBuilder, EncodeOptions};

fn parse(b: &BtfBuilder) -> Btf {
    Btf::parse(&b.encode(&EncodeOptions::default())).unwrap()
}

/// Base types shared by the fixtures below: int [1], long [2], char [3], unsigned int [4].
fn prims(b: &mut BtfBuilder) -> [TypeId; 4] {
    [
        b.int("int", 4, IntEncoding::SIGNED),
        b.int("long", 8, IntEncoding::SIGNED),
        b.int("char", 1, IntEncoding::CHAR),
        b.int("unsigned int", 4, 0),
    ]
}

#[test]
fn spells_types_as_c_declares_them() {
    let mut b = BtfBuilder::new();
    let [int, long, ch, uint] = prims(&mut b);
    let mm = b.struct_("mm_struct", 8, &[("x", long, 0, 0)]);
    let p_mm = b.ptr(mm);
    let arr = b.array(uint, int, 4);
    let fp = b.func_proto(long, &[("a", int)]);
    let pfp = b.ptr(fp);
    let cch = b.const_(ch);
    let pcch = b.ptr(cch);
    let cp = b.const_(pcch);
    let vol = b.volatile(long);
    let parr = b.ptr(arr);
    let arrp = b.array(p_mm, int, 16);
    let va = b.func_proto(int, &[("fmt", pcch), ("", TypeId::VOID)]);
    let pva = b.ptr(va);
    let anon = b.union_("", 8, &[("x", long, 0, 0)]);
    let tag = b.type_tag("user", ch, false);
    let ptag = b.ptr(tag);
    let noargs = b.func_proto(TypeId::VOID, &[]);
    let f = b.func("do_it", va, 1);
    let btf = parse(&b);
    let s = |id| type_string(&btf, id);
    assert_eq!(s(p_mm), "struct mm_struct *");
    assert_eq!(s(arr), "unsigned int[4]");
    assert_eq!(s(pfp), "long (*)(int)");
    assert_eq!(s(pcch), "const char *");
    assert_eq!(s(cp), "const char *const");
    assert_eq!(s(vol), "volatile long");
    assert_eq!(s(parr), "unsigned int (*)[4]");
    assert_eq!(s(arrp), "struct mm_struct *[16]");
    assert_eq!(s(pva), "int (*)(const char *, ...)");
    assert_eq!(s(anon), "union {...}");
    assert_eq!(s(ptag), "char *");
    assert_eq!(s(noargs), "void (void)");
    assert_eq!(s(TypeId::VOID), "void");
    assert_eq!(
        func_signature(&btf, &btf.ty(f)),
        "int do_it(const char *fmt, ...)"
    );
}

#[test]
fn pieces_are_the_same_spelling_with_each_name_marked() {
    let mut b = BtfBuilder::new();
    let [int, long, ch, _] = prims(&mut b);
    let mm = b.struct_("mm_struct", 8, &[("x", long, 0, 0)]);
    let p_mm = b.ptr(mm);
    let arrp = b.array(p_mm, int, 16);
    let anon = b.union_("", 8, &[("x", long, 0, 0)]);
    let fp = b.func_proto(long, &[("a", p_mm), ("", TypeId::VOID)]);
    let pfp = b.ptr(fp);
    let tag = b.type_tag("user", ch, false);
    let ptag = b.ptr(tag);
    let btf = parse(&b);
    let text = |ps: &[Piece]| ps.iter().map(|p| p.text.as_str()).collect::<String>();
    let links = |ps: &[Piece]| {
        ps.iter()
            .filter_map(|p| Some((p.text.clone(), p.id?)))
            .collect::<Vec<_>>()
    };
    for id in [p_mm, arrp, anon, pfp, int, TypeId::VOID] {
        assert_eq!(
            text(&type_pieces(&btf, id)),
            type_string(&btf, id),
            "{id:?}"
        );
    }
    let ps = type_pieces(&btf, arrp);
    assert_eq!(links(&ps), [("mm_struct".to_owned(), mm)]);
    let ps = type_pieces(&btf, pfp);
    assert_eq!(text(&ps), "long (*)(struct mm_struct *, ...)");
    assert_eq!(
        links(&ps),
        [("long".to_owned(), long), ("mm_struct".to_owned(), mm)]
    );
    // An anonymous type links its `{...}`; plain text never carries a link.
    assert_eq!(
        links(&type_pieces(&btf, anon)),
        [("{...}".to_owned(), anon)]
    );
    assert!(type_pieces(&btf, TypeId::VOID)
        .iter()
        .all(|p| p.id.is_none()));
    // The reading shows type tags; the comparison leaves them out.
    assert_eq!(text(&type_pieces(&btf, ptag)), "char __tag(\"user\") *");
    assert_eq!(type_string(&btf, ptag), "char *");
}

#[test]
fn spelling_is_bounded_on_exponential_prototypes() {
    // Each prototype takes two pointers to the previous one: 2^40 leaves if spelled naively.
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    let mut p = b.func_proto(int, &[]);
    for _ in 0..40 {
        let ptr = b.ptr(p);
        p = b.func_proto(int, &[("", ptr), ("", ptr)]);
    }
    let btf = parse(&b);
    let s = type_string(&btf, p);
    assert!(s.contains('…') && s.len() < 64 * 1024, "{}", s.len());
}

#[test]
fn fields_lift_anonymous_members_and_nest_named_ones() {
    let mut b = BtfBuilder::new();
    let [int, long, ..] = prims(&mut b);
    let inner = b.struct_("", 8, &[("lo", int, 0, 0), ("hi", int, 32, 0)]);
    let anon_u = b.union_("", 8, &[("whole", long, 0, 0), ("", inner, 0, 0)]);
    let named = b.struct_(
        "",
        4,
        &[("flag", int, 0, 1), ("", int, 1, 2), ("rest", int, 3, 5)],
    );
    let s = b.struct_(
        "s",
        16,
        &[("a", int, 0, 0), ("", anon_u, 64, 0), ("n", named, 32, 0)],
    );
    let btf = parse(&b);
    let got: Vec<(String, u32, u32, bool)> = fields_of(&btf, &btf.ty(s))
        .into_iter()
        .map(|f| (f.path, f.bit_offset, f.bit_size, f.bitfield))
        .collect();
    let want = [
        ("a", 0, 32, false),
        ("whole", 64, 64, false),
        ("lo", 64, 32, false),
        ("hi", 96, 32, false),
        ("n", 32, 32, false),
        ("n.flag", 32, 1, true),
        ("n.rest", 35, 5, true),
    ];
    let want: Vec<(String, u32, u32, bool)> = want
        .iter()
        .map(|&(p, o, s, b)| (p.to_owned(), o, s, b))
        .collect();
    assert_eq!(got, want);
}

/// Two versions of a struct exercising every field change.
fn two_versions() -> (Btf, Btf) {
    let mut a = BtfBuilder::new();
    let [int, long, ch, _] = prims(&mut a);
    let vol = a.volatile(long);
    let ts = a.struct_(
        "timespec64",
        16,
        &[("tv_sec", long, 0, 0), ("tv_nsec", long, 64, 0)],
    );
    a.struct_(
        "task",
        48,
        &[
            ("state", vol, 0, 0),
            ("gone", int, 64, 0),
            ("flags", int, 96, 0),
            ("i_atime", ts, 128, 0),
            ("old_name", ch, 256, 0),
            ("bits", int, 264, 3),
        ],
    );
    a.enum_("e", 4, false, &[("A", 0), ("B", 1), ("C", 2)]);
    a.typedef("t", int);
    let fp = a.func_proto(int, &[("x", int)]);
    a.func("f", fp, 1);
    let old = parse(&a);

    let mut b = BtfBuilder::new();
    let [int, long, ch, uint] = prims(&mut b);
    let _ = long;
    b.struct_(
        "task",
        56,
        &[
            ("flags", int, 0, 0),
            ("__state", uint, 32, 0),
            ("i_atime_sec", long, 64, 0),
            ("i_atime_nsec", uint, 128, 0),
            ("new_name", ch, 256, 0),
            ("bits", int, 264, 5),
            ("added", long, 320, 0),
        ],
    );
    b.enum_("e", 4, false, &[("A", 0), ("C", 3), ("D", 4)]);
    b.typedef("t", long);
    let fp = b.func_proto(long, &[("x", int)]);
    b.func("f", fp, 1);
    (old, parse(&b))
}

#[test]
fn reports_every_kind_of_field_change() {
    let (old, new) = two_versions();
    let d = diff(&old, &new, &DiffOptions::default());
    let task = d.types.iter().find(|t| t.name == "task").unwrap();
    assert_eq!(task.changes.size, Some((48, 56)));
    let text: Vec<String> = task
        .changes
        .fields
        .iter()
        .map(|c| match c {
            FieldChange::Added(f) => format!("+{}", f.path),
            FieldChange::Removed(f) => format!("-{}", f.path),
            FieldChange::Changed { old, new, renamed } => {
                format!("~{}>{}:{:?}", old.path, new.path, renamed)
            }
            FieldChange::Replaced { old, by } => format!(
                "{}=>{}",
                old.path,
                by.iter()
                    .map(|f| f.path.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        })
        .collect();
    assert_eq!(
        text,
        [
            "~flags>flags:None",
            // i_atime followed flags in the old type, gone followed state.
            "i_atime=>i_atime_sec,i_atime_nsec",
            "~state>__state:Some(SimilarName)",
            "-gone",
            "~old_name>new_name:Some(SameLayout)",
            "~bits>bits:None",
            "+added",
        ]
    );
    let e = d.types.iter().find(|t| t.name == "e").unwrap();
    assert_eq!(
        e.changes.enumerators,
        [
            EnumeratorChange::Revalued {
                name: "C".into(),
                old: 2,
                new: 3
            },
            EnumeratorChange::Added {
                name: "D".into(),
                value: 4
            },
            EnumeratorChange::Removed {
                name: "B".into(),
                value: 1
            },
        ]
    );
    let t = d.types.iter().find(|t| t.name == "t").unwrap();
    assert_eq!(t.changes.target, Some(("int".into(), "long".into())));
    let f = d.types.iter().find(|t| t.name == "f").unwrap();
    assert_eq!(
        f.changes.signature,
        Some(("int f(int x)".into(), "long f(int x)".into()))
    );
    // timespec64 exists only in the old BTF.
    let ts = d.types.iter().find(|t| t.name == "timespec64").unwrap();
    assert_eq!(ts.status(), Status::Removed);
    assert_eq!(d.counts[TypeClass::Struct as usize].changed, 1);
    assert_eq!(d.counts[TypeClass::Struct as usize].removed, 1);
}

#[test]
fn a_btf_against_itself_is_empty() {
    let (old, new) = two_versions();
    for btf in [&old, &new] {
        let d = diff(btf, btf, &DiffOptions::default());
        assert!(d.is_empty() && d.types.is_empty(), "{d:?}");
    }
}

#[test]
fn duplicates_pair_by_similarity_and_flavors_by_essential_name() {
    let mut a = BtfBuilder::new();
    let [int, long, ..] = prims(&mut a);
    a.struct_("dup", 4, &[("x", int, 0, 0)]);
    a.struct_("dup", 8, &[("y", long, 0, 0)]);
    a.struct_("dup", 4, &[("z", int, 0, 0)]);
    a.struct_("flavored___old", 4, &[("x", int, 0, 0)]);
    let old = parse(&a);
    let mut b = BtfBuilder::new();
    let [int, long, ..] = prims(&mut b);
    b.struct_("dup", 8, &[("y", long, 0, 0)]);
    b.struct_("dup", 4, &[("x", int, 0, 0)]);
    b.struct_("flavored", 4, &[("x", int, 0, 0)]);
    let new = parse(&b);
    let d = diff(
        &old,
        &new,
        &DiffOptions {
            keep_unchanged: true,
            ..Default::default()
        },
    );
    let got: Vec<(Option<u32>, Option<u32>, Status)> = d
        .types
        .iter()
        .map(|t| {
            (
                t.old.as_ref().map(|r| r.id.0),
                t.new.as_ref().map(|r| r.id.0),
                t.status(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (Some(5), Some(6), Status::Unchanged),
            (Some(6), Some(5), Status::Unchanged),
            (Some(7), None, Status::Removed),
            (Some(8), Some(7), Status::Unchanged),
        ]
    );
    let only = diff(
        &old,
        &new,
        &DiffOptions {
            only: Some("flavored___x".into()),
            keep_unchanged: true,
        },
    );
    assert_eq!(only.types.len(), 1);
    assert_eq!(only.types[0].name, "flavored");
}

#[test]
fn history_follows_renames_and_gaps() {
    let mk = |fields: &[(&str, u32)], size: u32| {
        let mut b = BtfBuilder::new();
        let [int, ..] = prims(&mut b);
        let members: Vec<_> = fields.iter().map(|&(n, o)| (n, int, o, 0)).collect();
        b.struct_("s", size, &members);
        parse(&b)
    };
    let v1 = mk(&[("a", 0), ("state", 32)], 8);
    let v2 = mk(&[("a", 0), ("b", 32), ("__state", 64)], 12);
    let none = parse(&BtfBuilder::new());
    let v3 = mk(&[("b", 0), ("__state", 32), ("c", 64)], 12);
    // `a` comes back: its row continues.
    let v4 = mk(&[("a", 0), ("b", 32)], 8);
    let h = history(&[&v1, &v2, &none, &v3, &v4], "s");
    assert_eq!(
        h.types
            .iter()
            .map(|t| t.as_ref().map(|t| t.size))
            .collect::<Vec<_>>(),
        [Some(8), Some(12), None, Some(12), Some(8)]
    );
    let rows: Vec<(Vec<&str>, Vec<Option<u32>>)> = h
        .rows
        .iter()
        .map(|r| {
            (
                r.names(),
                r.cells
                    .iter()
                    .map(|c| c.as_ref().map(|f| f.bit_offset))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (vec!["a"], vec![Some(0), Some(0), None, None, Some(0)]),
            (vec!["b"], vec![None, Some(32), None, Some(0), Some(32)]),
            (
                vec!["state", "__state"],
                vec![Some(32), Some(64), None, Some(32), None]
            ),
            (vec!["c"], vec![None, None, None, Some(64), None]),
        ]
    );
    let text = text::history_text(&h, &["v1", "v2", "none", "v3", "v4"]);
    assert!(text.contains("state -> __state"), "{text}");
    assert!(text.contains("[3] none  absent"), "{text}");
}

#[test]
fn split_btfs_over_one_base_compare_their_own_types() {
    use std::sync::Arc;
    let mut b = BtfBuilder::new();
    let [int, ..] = prims(&mut b);
    b.struct_("in_base", 4, &[("x", int, 0, 0)]);
    let base = Arc::new(parse(&b));
    let split = |base: &Arc<Btf>, field: &str| {
        let mut s = BtfBuilder::new_split(base);
        s.struct_("in_module", 4, &[(field, int, 0, 0)]);
        Btf::parse_split(&s.encode(&EncodeOptions::default()), base.clone()).unwrap()
    };
    let (a, b) = (split(&base, "x"), split(&base, "y"));
    let d = diff(&a, &b, &DiffOptions::default());
    let structs = d.counts[TypeClass::Struct as usize];
    assert_eq!((structs.changed, structs.unchanged), (1, 0));
    assert_eq!(d.counts[TypeClass::Typedef as usize].unchanged, 0);
    // Over two copies of the base, the base's types are compared too.
    let other = Arc::new(Btf::parse(&base_bytes(&base)).unwrap());
    let d = diff(&a, &split(&other, "y"), &DiffOptions::default());
    let structs = d.counts[TypeClass::Struct as usize];
    assert_eq!((structs.changed, structs.unchanged), (1, 1));
}

fn base_bytes(base: &Btf) -> Vec<u8> {
    crate::btf_write::write(base, &crate::btf_write::WriteOptions::default()).unwrap()
}

/// The inode timestamp saga as the kernel went through it (6.6 `__i_ctime`, 6.7 `__i_atime`
/// and `__i_mtime`, 6.11 `_sec`/`_nsec`): rows follow the underscores, and the split is
/// reported as a replacement.
#[test]
fn inode_timestamp_saga() {
    let version = |names: &[&str], split: bool| {
        let mut b = BtfBuilder::new();
        let [_, long, _, uint] = prims(&mut b);
        let ts = b.struct_(
            "timespec64",
            16,
            &[("tv_sec", long, 0, 0), ("tv_nsec", long, 64, 0)],
        );
        let members: Vec<(String, TypeId, u32)> = if split {
            ["atime", "mtime", "ctime"]
                .iter()
                .enumerate()
                .flat_map(|(i, t)| {
                    let i = i as u32;
                    [
                        (format!("i_{t}_sec"), long, 64 * i),
                        (format!("i_{t}_nsec"), uint, 192 + 32 * i),
                    ]
                })
                .collect()
        } else {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.to_string(), ts, 128 * i as u32))
                .collect()
        };
        let specs: Vec<_> = members
            .iter()
            .map(|(n, t, o)| (n.as_str(), *t, *o, 0))
            .collect();
        b.struct_("inode", 48, &specs);
        parse(&b)
    };
    let v61 = version(&["i_atime", "i_mtime", "i_ctime"], false);
    let v66 = version(&["i_atime", "i_mtime", "__i_ctime"], false);
    let v67 = version(&["__i_atime", "__i_mtime", "__i_ctime"], false);
    let v611 = version(&[], true);
    let h = history(&[&v61, &v66, &v67, &v611], "inode");
    let names: Vec<Vec<&str>> = h.rows.iter().map(HistoryRow::names).collect();
    assert!(names.contains(&vec!["i_atime", "__i_atime"]), "{names:?}");
    assert!(names.contains(&vec!["i_ctime", "__i_ctime"]), "{names:?}");
    let replaced: Vec<(usize, &str, String)> = h
        .replacements
        .iter()
        .map(|r| (r.at, r.old.as_str(), r.by.join(",")))
        .collect();
    assert_eq!(
        replaced,
        [
            (3, "__i_atime", "i_atime_sec,i_atime_nsec".to_owned()),
            (3, "__i_mtime", "i_mtime_sec,i_mtime_nsec".to_owned()),
            (3, "__i_ctime", "i_ctime_sec,i_ctime_nsec".to_owned()),
        ]
    );
    let d = diff(&v61, &v66, &DiffOptions::default());
    let inode = d.types.iter().find(|t| t.name == "inode").unwrap();
    assert!(matches!(
        &inode.changes.fields[..],
        [FieldChange::Changed {
            renamed: Some(RenameEvidence::SimilarName),
            ..
        }]
    ));
}
