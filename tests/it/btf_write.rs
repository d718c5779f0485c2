//! The BTF writer: read → write → read gives the same types (every kernel, both byte orders,
//! split modules, random BTF), and bpftool lists what we wrote exactly as it lists the original.

use std::process::Command;
use std::sync::Arc;

use corelab::btf::{Btf, Kind, TypeId};
use corelab::btf_write::{write, WriteOptions};
use corelab::builder::{BtfBuilder, EncodeOptions};
use corelab::bytes::Endian;
use corelab::input::load_btf;
use corelab_tests::{data, golden, tools};
use proptest::prelude::*;

/// Word positions of a record that hold string offsets, from the accessors' view of each kind
/// (deliberately not from the writer's own table).
fn name_words(t: &corelab::btf::Type<'_>) -> Vec<usize> {
    let per = |stride: usize| (0..t.vlen() as usize).map(move |i| 3 + stride * i);
    let mut v = vec![0];
    match t.kind() {
        Kind::STRUCT | Kind::UNION | Kind::ENUM64 => v.extend(per(3)),
        Kind::ENUM | Kind::FUNC_PROTO => v.extend(per(2)),
        _ => {}
    }
    v
}

/// Same start, same count, and for every type the same words, except that name words are
/// compared as the strings they point to.
#[track_caller]
fn assert_same_types(a: &Btf, b: &Btf, what: &str) {
    assert_eq!(
        (a.start_id(), a.type_cnt()),
        (b.start_id(), b.type_cnt()),
        "{what}"
    );
    for id in a.own_ids() {
        let (x, y) = (a.ty(id), b.ty(id));
        let (wx, wy) = (x.words(), y.words());
        assert_eq!(wx.len(), wy.len(), "{what}: type {id} record length");
        let names = name_words(&x);
        for (i, (p, q)) in wx.iter().zip(wy).enumerate() {
            if names.contains(&i) {
                assert_eq!(a.name(*p), b.name(*q), "{what}: type {id} word {i} (name)");
            } else {
                assert_eq!(p, q, "{what}: type {id} word {i}");
            }
        }
    }
}

fn kernel(name: &str) -> Btf {
    load_btf(&data::read(&format!("btf/{name}.btf.gz")), None)
        .unwrap()
        .btf
}

fn both_orders() -> [WriteOptions; 2] {
    [Endian::Little, Endian::Big].map(|endian| WriteOptions {
        endian,
        layout_section: false,
    })
}

#[test]
fn every_kernel_round_trips_in_both_byte_orders() {
    for (name, path) in data::kernels() {
        let btf = load_btf(&data::read_path(&path), None).unwrap().btf;
        for opts in both_orders() {
            let bytes = write(&btf, &opts).unwrap();
            let again = Btf::parse(&bytes).unwrap();
            assert_eq!(again.endian(), opts.endian);
            assert_same_types(&btf, &again, &format!("{name} {:?}", opts.endian));
            // The deduplicated string section is never larger than the original.
            assert!(again.own_strings_len() <= btf.own_strings_len(), "{name}");
        }
    }
}

#[test]
fn layout_section_round_trips() {
    let btf = kernel("debian12-6.1.0-50-amd64");
    let opts = WriteOptions {
        endian: Endian::Big,
        layout_section: true,
    };
    let again = Btf::parse(&write(&btf, &opts).unwrap()).unwrap();
    assert_eq!(again.header().hdr_len, 32);
    assert_eq!(again.layout().map(<[_]>::len), Some(20));
    assert_same_types(&btf, &again, "6.1 with layout section");
}

#[test]
fn split_modules_round_trip_over_their_base() {
    let base = Arc::new(kernel("debian12-6.1.0-50-amd64"));
    for m in ["ext4", "tcp_bbr"] {
        let p = format!("modules/debian12-6.1.0-50-amd64-{m}.btf.gz");
        let split = load_btf(&data::read(&p), Some(base.clone())).unwrap().btf;
        for opts in both_orders() {
            let bytes = write(&split, &opts).unwrap();
            let again = Btf::parse_split(&bytes, base.clone()).unwrap();
            assert_same_types(&split, &again, &format!("{m} {:?}", opts.endian));
            // Still listed as bpftool listed the module.
            let mut listing = Vec::new();
            corelab::dump::write_raw(&again, &mut listing).unwrap();
            let want = data::read(&format!(
                "modules/debian12-6.1.0-50-amd64-{m}.split-raw.bpftool-7.1.0.txt.gz"
            ));
            golden::assert_same(&want, &listing, m);
        }
    }
}

/// What we write, bpftool reads and lists exactly as it lists the original: every kernel in
/// both byte orders, and the split modules over their base.
#[test]
fn bpftool_lists_written_blobs_like_the_originals() {
    let Some(bpftool) = tools::bpftool() else {
        return tools::skipped("writer differential", "bpftool");
    };
    let dir = data::scratch("btfwrite");
    let listing = |file: &std::path::Path, base: Option<&std::path::Path>| {
        let mut cmd = Command::new(&bpftool);
        cmd.args(["btf", "dump", "file"]).arg(file);
        if let Some(b) = base {
            cmd.arg("-B").arg(b);
        }
        let (code, out, err) = tools::run(&mut cmd);
        assert_eq!(
            code,
            0,
            "bpftool failed on {}: {}",
            file.display(),
            String::from_utf8_lossy(&err)
        );
        out
    };
    for (name, path) in data::kernels() {
        let original = dir.join(format!("{name}.btf"));
        std::fs::write(&original, data::read_path(&path)).unwrap();
        let want = listing(&original, None);
        let btf = load_btf(&data::read_path(&path), None).unwrap().btf;
        for opts in both_orders() {
            let written = dir.join(format!("{name}.{:?}.btf", opts.endian));
            std::fs::write(&written, write(&btf, &opts).unwrap()).unwrap();
            golden::assert_same(&want, &listing(&written, None), &format!("{name} {opts:?}"));
        }
    }
    let base_path = dir.join("debian12-6.1.0-50-amd64.btf");
    let base = Arc::new(kernel("debian12-6.1.0-50-amd64"));
    for m in ["ext4", "tcp_bbr"] {
        let p = format!("modules/debian12-6.1.0-50-amd64-{m}.btf.gz");
        let original = dir.join(format!("{m}.btf"));
        std::fs::write(&original, data::read(&p)).unwrap();
        let want = listing(&original, Some(&base_path));
        let split = load_btf(&data::read(&p), Some(base.clone())).unwrap().btf;
        let written = dir.join(format!("{m}.written.btf"));
        std::fs::write(&written, write(&split, &WriteOptions::default()).unwrap()).unwrap();
        golden::assert_same(&want, &listing(&written, Some(&base_path)), m);
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A random type: references are indexes taken modulo the number of ids defined so far
/// (void included), so every record refers backwards except struct/union members, which may
/// refer anywhere among the earlier types.
#[derive(Debug, Clone)]
pub enum Spec {
    Int(u8, u8),
    Ptr(u32),
    Const(u32),
    Volatile(u32),
    Typedef(u8, u32),
    TypeTag(u8, u32),
    Array(u32, u32),
    Struct(u8, u32, Vec<(u8, u32, u32, u8)>),
    Union(u8, u32, Vec<(u8, u32, u32, u8)>),
    Enum(u8, bool, Vec<(u8, i64)>),
    Enum64(u8, Vec<(u8, u64)>),
    Fwd(u8, bool),
    Func(u8, u32, Vec<(u8, u32)>),
    Var(u8, u32),
    Float(u8),
    DeclTag(u8, u32, i32),
}

/// Names with duplicates, flavors and the anonymous name, so that the diff has work to do.
pub const NAMES: [&str; 8] = [
    "",
    "a",
    "b",
    "task_struct",
    "task_struct___v2",
    "s",
    "x",
    "s",
];

pub fn spec() -> impl Strategy<Value = Spec> {
    let name = || 0u8..NAMES.len() as u8;
    let r = || any::<u32>();
    let members = || prop::collection::vec((name(), r(), 0u32..512, 0u8..4), 0..6);
    prop_oneof![
        (0u8..4, 0u8..3).prop_map(|(s, e)| Spec::Int(s, e)),
        r().prop_map(Spec::Ptr),
        r().prop_map(Spec::Const),
        r().prop_map(Spec::Volatile),
        (name(), r()).prop_map(|(n, t)| Spec::Typedef(n, t)),
        (name(), r()).prop_map(|(n, t)| Spec::TypeTag(n, t)),
        (r(), 0u32..8).prop_map(|(t, n)| Spec::Array(t, n)),
        (name(), 0u32..64, members()).prop_map(|(n, s, m)| Spec::Struct(n, s, m)),
        (name(), 0u32..64, members()).prop_map(|(n, s, m)| Spec::Union(n, s, m)),
        (
            name(),
            any::<bool>(),
            prop::collection::vec((name(), any::<i64>()), 0..4)
        )
            .prop_map(|(n, s, v)| Spec::Enum(n, s, v)),
        (name(), prop::collection::vec((name(), any::<u64>()), 0..4))
            .prop_map(|(n, v)| Spec::Enum64(n, v)),
        (name(), any::<bool>()).prop_map(|(n, u)| Spec::Fwd(n, u)),
        (name(), r(), prop::collection::vec((name(), r()), 0..4))
            .prop_map(|(n, ret, p)| Spec::Func(n, ret, p)),
        (name(), r()).prop_map(|(n, t)| Spec::Var(n, t)),
        name().prop_map(Spec::Float),
        (name(), r(), -1i32..3).prop_map(|(n, t, c)| Spec::DeclTag(n, t, c)),
    ]
}

/// Builds the BTF that `specs` describe.
pub fn build(specs: &[Spec]) -> BtfBuilder {
    let mut b = BtfBuilder::new();
    let n = |i: u8| NAMES[i as usize];
    for s in specs {
        let count = b.next_id().0;
        let t = |r: u32| TypeId(r % count);
        match s {
            Spec::Int(size, enc) => {
                b.int("int", 1 << size, *enc);
            }
            Spec::Ptr(r) => {
                b.ptr(t(*r));
            }
            Spec::Const(r) => {
                b.const_(t(*r));
            }
            Spec::Volatile(r) => {
                b.volatile(t(*r));
            }
            Spec::Typedef(name, r) => {
                b.typedef(n(*name), t(*r));
            }
            Spec::TypeTag(name, r) => {
                b.type_tag(n(*name), t(*r), false);
            }
            Spec::Array(r, k) => {
                b.array(t(*r), t(0), *k);
            }
            Spec::Struct(name, size, ms) | Spec::Union(name, size, ms) => {
                let members: Vec<(&str, TypeId, u32, u32)> = ms
                    .iter()
                    .map(|&(mn, r, off, bf)| (n(mn), t(r), off, u32::from(bf)))
                    .collect();
                if matches!(s, Spec::Struct(..)) {
                    b.struct_(n(*name), *size, &members);
                } else {
                    b.union_(n(*name), *size, &members);
                }
            }
            Spec::Enum(name, signed, vs) => {
                let vals: Vec<(&str, i64)> = vs.iter().map(|&(vn, v)| (n(vn), v)).collect();
                b.enum_(n(*name), 4, *signed, &vals);
            }
            Spec::Enum64(name, vs) => {
                let vals: Vec<(&str, u64)> = vs.iter().map(|&(vn, v)| (n(vn), v)).collect();
                b.enum64(n(*name), 8, false, &vals);
            }
            Spec::Fwd(name, union) => {
                b.fwd(n(*name), *union);
            }
            Spec::Func(name, ret, ps) => {
                let params: Vec<(&str, TypeId)> = ps.iter().map(|&(pn, r)| (n(pn), t(r))).collect();
                let proto = b.func_proto(t(*ret), &params);
                b.func(n(*name), proto, 1);
            }
            Spec::Var(name, r) => {
                b.var(n(*name), t(*r), 1);
            }
            Spec::Float(name) => {
                b.float(n(*name), 8);
            }
            Spec::DeclTag(name, r, c) => {
                b.decl_tag(n(*name), t(*r), *c);
            }
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_btf_round_trips(
        specs in prop::collection::vec(spec(), 0..40),
        big in any::<bool>(),
        layout_section in any::<bool>(),
    ) {
        let b = build(&specs);
        let btf = Btf::parse(&b.encode(&EncodeOptions::default())).unwrap();
        let opts = WriteOptions {
            endian: if big { Endian::Big } else { Endian::Little },
            layout_section,
        };
        let again = Btf::parse(&write(&btf, &opts).unwrap()).unwrap();
        assert_same_types(&btf, &again, "random");
        // Writing is a fixed point once strings are deduplicated.
        prop_assert_eq!(write(&again, &opts).unwrap(), write(&btf, &opts).unwrap());
    }
}
