use super::archive::hex;
use super::pack::{pack, PackInput, PackOptions};
use super::*;
use crate::btf::TypeId;
use crate::builder::{BtfBuilder, EncodeOptions};
use crate::bytes::Endian;

/// A small kernel-like BTF: `version` grows `task_struct` and inserts a type early (which
/// shifts every later id), `arch` changes a struct's layout.
pub(crate) fn kernel(version: u32, arch: u32, endian: Endian) -> Vec<u8> {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, 1);
    let long = b.int("long", 8, 1);
    if version >= 2 {
        b.int("unsigned char", 1, 0);
    }
    let u32_ = b.typedef("u32", int);
    let mm = b.struct_(
        "mm_struct",
        16,
        &[("users", int, 0, 0), ("total_vm", long, 64, 0)],
    );
    let mm_ptr = b.ptr(mm);
    let se = b.struct_(
        "sched_entity",
        16,
        &[("load", long, 0, 0), ("vruntime", long, 64, 0)],
    );
    let mut members = vec![
        ("state", int, 0, 0),
        ("flags", u32_, 32, 0),
        ("se", se, 64, 0),
    ];
    if version >= 2 {
        members[0].0 = "__state";
    }
    let mm_off = if arch == 1 { 256 } else { 192 };
    members.push(("mm", mm_ptr, mm_off, 0));
    if version >= 3 {
        members.push(("new_field", int, mm_off + 64, 0));
    }
    let task = b.struct_("task_struct", 64, &members);
    let task_ptr = b.ptr(task);
    let proto = b.func_proto(int, &[("p", task_ptr)]);
    b.func("wake_up_process", proto, 1);
    b.enum_(
        "bpf_map_type",
        4,
        false,
        &[
            ("BPF_MAP_TYPE_HASH", 1),
            ("BPF_MAP_TYPE_RINGBUF", 27 + version as i64),
        ],
    );
    let _ = TypeId(0);
    b.encode(&EncodeOptions {
        endian,
        ..Default::default()
    })
}

fn meta(name: &str, release: &str, arch: &str, suite: &str) -> Build {
    Build {
        name: name.to_owned(),
        release: release.to_owned(),
        arch: arch.to_owned(),
        suite: suite.to_owned(),
        pocket: suite.to_owned(),
        flavour: arch.to_owned(),
        package: format!("linux-image-{release}"),
        version: "1".to_owned(),
        source: "linux".to_owned(),
        carved: "test".to_owned(),
        deb_sha256: [7; 32],
        deb_size: 1,
        btf_sha256: [0; 32],
        btf_len: 0,
        types: 0,
        recipe: Recipe::Whole(SegmentId(0)),
    }
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// Builds: three ABIs of one series on amd64, one on arm64 (another layout), one on s390x
/// (big-endian, so it cannot share with the others).
pub(crate) fn sample_inputs() -> Vec<PackInput> {
    let mut v = Vec::new();
    for (abi, version) in [(1, 1), (2, 2), (3, 3)] {
        let release = format!("6.1.0-{abi}-amd64");
        v.push(PackInput {
            meta: meta(
                &format!("debian12-{release}"),
                &release,
                "amd64",
                "bookworm",
            ),
            btf: kernel(version, 0, Endian::Little),
        });
    }
    v.push(PackInput {
        meta: meta(
            "debian12-6.1.0-2-arm64",
            "6.1.0-2-arm64",
            "arm64",
            "bookworm",
        ),
        btf: kernel(2, 1, Endian::Little),
    });
    v.push(PackInput {
        meta: meta(
            "debian12-6.1.0-2-s390x",
            "6.1.0-2-s390x",
            "s390x",
            "bookworm",
        ),
        btf: kernel(2, 0, Endian::Big),
    });
    v
}

pub(crate) fn sample_archive() -> Vec<u8> {
    pack(sample_inputs(), &PackOptions::default(), &zstd, &mut |_| {})
        .expect("packs")
        .bytes
}

#[test]
fn every_build_rebuilds_byte_identical() {
    let inputs = sample_inputs();
    let packed = pack(inputs.clone(), &PackOptions::default(), &zstd, &mut |_| {}).unwrap();
    let cat = Catalog::parse(&packed.bytes).unwrap();
    assert_eq!(cat.head.builds.len(), 5);
    // Catalogue order: amd64 by ABI, then arm64, then s390x.
    let names: Vec<&str> = cat.head.builds.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "debian12-6.1.0-1-amd64",
            "debian12-6.1.0-2-amd64",
            "debian12-6.1.0-3-amd64",
            "debian12-6.1.0-2-arm64",
            "debian12-6.1.0-2-s390x"
        ]
    );
    let deltas = cat
        .head
        .builds
        .iter()
        .filter(|b| matches!(b.recipe, Recipe::Delta { .. }))
        .count();
    assert!(
        deltas >= 3,
        "amd64 members and arm64 are deltas: {packed:?}"
    );
    let (mut m, mut src) = cat.materializer();
    for inp in &inputs {
        let b = cat.head.find(&inp.meta.name).unwrap();
        assert_eq!(m.btf(b, &mut src).unwrap(), inp.btf, "{}", inp.meta.name);
        assert_eq!(cat.head.build(b).btf_sha256, sha256(&inp.btf));
        assert_eq!(hex(&cat.head.build(b).btf_sha256).len(), 64);
    }
}

#[test]
fn where_answers_in_runs() {
    let bytes = sample_archive();
    let mut cat = Catalog::parse(&bytes).unwrap();
    let a = cat.where_is("task_struct.__state").unwrap();
    // 6.1.0-1 has `state`, the others `__state` at offset 0.
    assert_eq!(a.runs.len(), 2, "{a:?}");
    assert!(a.runs[0].facts.is_empty());
    assert_eq!(a.runs[1].len, 4);
    let a = cat.where_is("task_struct.mm").unwrap();
    let offsets: Vec<u32> = (0..5)
        .map(|b| match &a.facts_of(b)[0] {
            Fact::Member { bit_offset, ty, .. } => {
                assert_eq!(ty, "struct mm_struct *");
                *bit_offset
            }
            f => panic!("{f:?}"),
        })
        .collect();
    assert_eq!(offsets, [192, 192, 192, 256, 192]);
    // Through a by-value member: se at 64 bits, vruntime at 64 within it.
    let a = cat.where_is("task_struct.se.vruntime").unwrap();
    assert_eq!(a.runs.len(), 1);
    assert!(matches!(
        &a.runs[0].facts[0],
        Fact::Member {
            bit_offset: 128,
            ..
        }
    ));
    // Through a pointer: not followed.
    assert!(cat.where_is("task_struct.mm.users").unwrap().runs[0]
        .facts
        .is_empty());
    // Enumerators, by themselves and as members of their enum.
    let a = cat.where_is("BPF_MAP_TYPE_RINGBUF").unwrap();
    assert!(matches!(
        &a.facts_of(0)[0],
        Fact::Enumerator { value: 28, .. }
    ));
    assert!(matches!(
        &a.facts_of(2)[0],
        Fact::Enumerator { value: 30, .. }
    ));
    let a = cat.where_is("bpf_map_type.BPF_MAP_TYPE_HASH").unwrap();
    assert_eq!(a.runs.len(), 1);
    // A typedef's target.
    let a = cat.where_is("u32").unwrap();
    assert!(
        matches!(&a.runs[0].facts[0], Fact::Type { spelling, size: Some(4), .. } if spelling == "int")
    );
    let a = cat.where_is("wake_up_process").unwrap();
    assert!(matches!(
        &a.runs[0].facts[0],
        Fact::Type {
            kind: crate::btf::Kind::FUNC,
            ..
        }
    ));
    assert!(cat.where_is("nope").unwrap().runs[0].facts.is_empty());
    assert!(cat.where_is("a..b").is_err());
}

#[test]
fn selectors() {
    let bytes = sample_archive();
    let cat = Catalog::parse(&bytes).unwrap();
    let names = |s: &str| -> Vec<String> {
        cat.select(s)
            .unwrap()
            .into_iter()
            .map(|b| cat.head.build(b).name.clone())
            .collect()
    };
    assert_eq!(names("all").len(), 5);
    assert_eq!(names("amd64").len(), 3);
    assert_eq!(names("bookworm/arm64"), ["debian12-6.1.0-2-arm64"]);
    assert_eq!(names("6.1/s390x"), ["debian12-6.1.0-2-s390x"]);
    assert_eq!(names("debian12-6.1.0-*-amd64").len(), 3);
    assert_eq!(names("debian12-6.1.0-2-amd64"), ["debian12-6.1.0-2-amd64"]);
    assert!(cat.select("riscv64").is_err());
    assert!(cat.select("amd64/s390x").is_err());
}

#[test]
fn damage_is_reported_with_build_and_offset() {
    let bytes = sample_archive();
    let cat = Catalog::parse(&bytes).unwrap();
    // Truncation.
    for cut in [10, 63, 80, cat.head.head_end as usize, bytes.len() - 1] {
        match Catalog::parse(&bytes[..cut]) {
            Err(e) => assert!(
                e.offset().is_some() || e.to_string().contains("trunc"),
                "{e}"
            ),
            Ok(c) => panic!("parsed a truncated archive: {c:?}"),
        }
    }
    // A flipped byte in each build's segment: an error naming the build.
    for (i, b) in cat.head.builds.iter().enumerate() {
        let seg = cat.head.segments[b.recipe.segment().0 as usize];
        let mut bad = bytes.clone();
        let at = (seg.offset + seg.len / 2) as usize;
        bad[at] ^= 0x55;
        let bad_cat = Catalog::parse(&bad).unwrap();
        let err = bad_cat.btf(BuildIdx(i as u32)).unwrap_err().to_string();
        assert!(err.contains(&b.name), "{err}");
        assert!(err.contains("offset 0x"), "{err}");
    }
}

#[test]
fn delta_renumbers_ids_and_strings() {
    let (a, b) = (kernel(1, 0, Endian::Little), kernel(3, 0, Endian::Little));
    let (ra, rb) = (
        raw::RawBtf::parse(&a).unwrap(),
        raw::RawBtf::parse(&b).unwrap(),
    );
    let d = delta::encode(&ra, &rb).unwrap();
    assert_eq!(delta::apply(&ra, &d).unwrap(), b);
    // Mismatched reference: an error, not garbage.
    assert!(delta::apply(&rb, &d).is_err());
    for cut in 0..d.len() {
        assert!(delta::apply(&ra, &d[..cut]).is_err());
    }
}
