//! A small synthetic catalogue (five builds of a kernel-like BTF: three ABIs of a series, an
//! arm64 build with another layout, a big-endian build) for tests, fuzz seeds and
//! benchmarks of the format itself.

use super::pack::{pack, PackInput, PackOptions};
use super::{Build, Recipe, SegmentId};
use crate::builder::{BtfBuilder, EncodeOptions};
use crate::bytes::Endian;

/// A small kernel-like BTF: `version` grows `task_struct` and inserts a type early (which
/// shifts every later id), `arch` changes a struct's layout.
pub fn kernel(version: u32, arch: u32, endian: Endian) -> Vec<u8> {
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

/// zstd with the pure-Rust encoder (fast level): what tests use where the CLI uses the
/// reference encoder.
pub fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// The builds: three ABIs of one series on amd64, one on arm64 (another layout), one on s390x
/// (big-endian, so it cannot share with the others).
pub fn sample_inputs() -> Vec<PackInput> {
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

pub fn sample_archive() -> Vec<u8> {
    pack(sample_inputs(), &PackOptions::default(), &zstd, &mut |_| {})
        .expect("packs")
        .bytes
}
