//! The kernel catalogue (`catalog/debian.btfcat`, committed): every build rebuilds to its
//! recorded sha256, the where-index agrees with a direct reading of every build's BTF on a
//! sample of names, and a damaged archive is reported with the build and the offset.

use std::collections::BTreeSet;
use std::path::PathBuf;

use corelab::btf::{Btf, Kind};
use corelab::catalog::{BuildIdx, Catalog, Fact};
use corelab::diff::{fields_of, type_string};

fn archive() -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../catalog/debian.btfcat");
    std::fs::read(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (the catalogue is committed)", p.display()))
}

/// Names asked of every build: fields that moved or were renamed across the series, an
/// enumerator, types, a typedef, a path through a by-value member.
const QUESTIONS: &[&str] = &[
    "task_struct",
    "task_struct.__state",
    "task_struct.state",
    "task_struct.pid",
    "task_struct.se.vruntime",
    "sk_buff.len",
    "file.f_op",
    "bpf_map_type.BPF_MAP_TYPE_RINGBUF",
    "BPF_MAP_TYPE_RINGBUF",
    "u32",
    "pt_regs",
];

/// What `path` is in one BTF, computed directly (not through the index's code).
fn direct(btf: &Btf, path: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let parts: Vec<&str> = path.split('.').collect();
    if parts.len() == 1 {
        for id in btf.find_by_name(path) {
            let t = btf.ty(id);
            match t.kind() {
                Kind::STRUCT | Kind::UNION | Kind::ENUM | Kind::ENUM64 | Kind::INT => {
                    out.insert(format!("{} size {}", t.kind().lower_name(), t.size()));
                }
                Kind::TYPEDEF => {
                    out.insert(format!("typedef {}", type_string(btf, t.type_id())));
                }
                _ => {}
            }
        }
        for id in btf.ids() {
            let t = btf.ty(id);
            if t.kind().is_any_enum() {
                for v in t.enum_values() {
                    if v.name == path {
                        out.insert(format!("enumerator {}", v.raw() as u32));
                    }
                }
            }
        }
        return out;
    }
    // NAME.MEMBER (enumerator of an enum, or a field) and NAME.A.B through a by-value member.
    for id in btf.find_by_name(parts[0]) {
        let t = btf.ty(id);
        if t.kind().is_any_enum() && parts.len() == 2 {
            for v in t.enum_values().filter(|v| v.name == parts[1]) {
                out.insert(format!("enumerator {}", v.raw() as u32));
            }
            continue;
        }
        if !t.kind().is_composite() {
            continue;
        }
        let fields = fields_of(btf, &t);
        let Some(f) = fields.iter().find(|f| f.path == parts[1]) else {
            continue;
        };
        if parts.len() == 2 {
            out.insert(format!("member {} {} {}", f.bit_offset, f.bit_size, f.ty));
            continue;
        }
        let inner_name = f.ty.strip_prefix("struct ").unwrap_or(&f.ty);
        for inner in btf.find_by_name(inner_name) {
            let it = btf.ty(inner);
            if !it.kind().is_composite() {
                continue;
            }
            for g in fields_of(btf, &it)
                .iter()
                .filter(|g| g.path == parts[2..].join("."))
            {
                out.insert(format!(
                    "member {} {} {}",
                    f.bit_offset + g.bit_offset,
                    g.bit_size,
                    g.ty
                ));
            }
        }
    }
    out
}

/// The index's facts in the same words as [`direct`].
fn indexed(facts: &[Fact]) -> BTreeSet<String> {
    facts
        .iter()
        .filter_map(|f| match f {
            Fact::Type {
                kind: Kind::TYPEDEF,
                spelling,
                ..
            } => Some(format!("typedef {spelling}")),
            Fact::Type {
                kind,
                size: Some(size),
                ..
            } if matches!(
                *kind,
                Kind::STRUCT | Kind::UNION | Kind::ENUM | Kind::ENUM64 | Kind::INT
            ) =>
            {
                Some(format!("{} size {size}", kind.lower_name()))
            }
            Fact::Type { .. } => None,
            Fact::Member {
                bit_offset,
                bit_size,
                ty,
                ..
            } => Some(format!("member {bit_offset} {bit_size} {ty}")),
            Fact::Enumerator { value, .. } => Some(format!("enumerator {}", *value as u32)),
        })
        .collect()
}

#[test]
fn every_build_rebuilds_to_its_sha256_and_the_index_agrees_with_it() {
    let bytes = archive();
    let mut cat = Catalog::parse(&bytes).unwrap();
    let n = cat.head.builds.len();
    assert!(n >= 100, "{n} builds");
    let arches: BTreeSet<&str> = cat.head.builds.iter().map(|b| b.arch.as_str()).collect();
    assert!(arches.len() >= 5, "{arches:?}");
    let answers: Vec<_> = QUESTIONS.iter().map(|q| cat.where_is(q).unwrap()).collect();
    // A sample of structs: every 499th named struct of each build is asked member by member.
    let (mut m, mut src) = cat.materializer();
    let mut checked = 0;
    let mut sampled: BTreeSet<String> = BTreeSet::new();
    for i in 0..n {
        let b = BuildIdx(i as u32);
        let blob = m.btf(b, &mut src).unwrap_or_else(|e| panic!("{e}"));
        let btf = Btf::parse(&blob).unwrap();
        assert_eq!(btf.type_cnt() - 1, cat.head.build(b).types);
        for (q, a) in QUESTIONS.iter().zip(&answers) {
            assert_eq!(
                indexed(a.facts_of(i as u32)),
                direct(&btf, q),
                "{q} on {}",
                cat.head.build(b).name
            );
            checked += 1;
        }
        for id in btf.ids().step_by(499) {
            let t = btf.ty(id);
            if t.kind() == Kind::STRUCT && t.is_named() {
                sampled.insert(t.name().to_owned());
            }
        }
    }
    drop(m);
    // Sampled structs' members, over every build (one more pass, rebuilding again).
    let sampled: Vec<String> = sampled.into_iter().take(12).collect();
    let mut paths = Vec::new();
    let (mut m, mut src) = cat.materializer();
    for i in (0..n).step_by(7) {
        let btf = Btf::parse(&m.btf(BuildIdx(i as u32), &mut src).unwrap()).unwrap();
        for s in &sampled {
            if let Some(id) = btf.find_by_name_kind(s, Kind::STRUCT) {
                for f in fields_of(&btf, &btf.ty(id)).into_iter().take(6) {
                    paths.push((i, format!("{s}.{}", f.path), btf_direct(&btf, s, &f.path)));
                }
            }
        }
    }
    drop(m);
    for (i, path, want) in paths {
        let a = cat.where_is(&path).unwrap();
        assert_eq!(indexed(a.facts_of(i as u32)), want, "{path} on build {i}");
        checked += 1;
    }
    assert!(checked > 1000, "{checked}");
}

fn btf_direct(btf: &Btf, s: &str, field: &str) -> BTreeSet<String> {
    direct(btf, &format!("{s}.{field}"))
}

#[test]
fn damaged_archives_name_the_build_and_the_offset() {
    let bytes = archive();
    let cat = Catalog::parse(&bytes).unwrap();
    // Truncated: the head, or a build's segment.
    let e = Catalog::parse(&bytes[..200]).unwrap_err().to_string();
    assert!(e.contains("offset 0x"), "{e}");
    let e = Catalog::parse(&bytes[..bytes.len() - 1])
        .unwrap_err()
        .to_string();
    assert!(e.contains("truncated catalogue"), "{e}");
    // A flipped byte in a delta's segment and in a whole build's segment.
    let pick = |whole: bool| {
        cat.head
            .builds
            .iter()
            .position(|b| matches!(b.recipe, corelab::catalog::Recipe::Whole(_)) == whole)
            .unwrap()
    };
    for i in [pick(true), pick(false)] {
        let b = cat.head.build(BuildIdx(i as u32));
        let seg = cat.head.segments[b.recipe.segment().0 as usize];
        for at in [
            seg.offset + 20,
            seg.offset + seg.len / 2,
            seg.offset + seg.len - 3,
        ] {
            let mut bad = bytes.clone();
            bad[at as usize] ^= 0x5a;
            let bad_cat = Catalog::parse(&bad).unwrap();
            let e = bad_cat.btf(BuildIdx(i as u32)).unwrap_err().to_string();
            assert!(e.contains(&b.name) && e.contains("offset 0x"), "{e}");
        }
    }
    // The head's own checksum.
    let mut bad = bytes.clone();
    bad[100] ^= 1;
    let e = Catalog::parse(&bad).unwrap_err().to_string();
    assert!(e.contains("sha256"), "{e}");
}
