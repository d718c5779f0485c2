use std::io::Read;
use std::path::PathBuf;

use super::*;

fn data(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn kernel(name: &str) -> Kernel {
    Kernel::load(name, &data(&format!("btf/{name}.btf.gz")), None).unwrap()
}

const K510: &str = "debian11-5.10.0-46-amd64";
const K61: &str = "debian12-6.1.0-50-amd64";
const K612: &str = "debian13-6.12.107-s390x";
const K618: &str = "host-6.18.44-fc-v657-amd64";

#[test]
fn summary_says_what_corelab_info_says() {
    // The 6.18 figures `corelab info` prints for this file.
    let s = kernel(K618).summary();
    assert_eq!(s.label, K618);
    assert_eq!(s.content, "raw BTF");
    assert_eq!(s.layers, ["gzip"]);
    assert_eq!(s.byte_order, "little-endian");
    assert_eq!(
        s.header,
        "24 bytes (version 1, flags 0x0); types 3190232 bytes, strings 2325390 bytes"
    );
    assert_eq!(s.types, 126_585);
    assert_eq!(s.pointer_size, 8);
    assert_eq!(s.kinds.iter().map(|k| k.count).sum::<u32>(), s.types);
    let func = s.kinds.iter().find(|k| k.kind == "FUNC").unwrap();
    assert_eq!(func.count, 56_265);
    let kernel_min = &s.minimum[0];
    assert_eq!(
        (
            kernel_min.tool.as_str(),
            kernel_min.version.as_str(),
            kernel_min.because.as_str()
        ),
        (
            "kernel",
            "6.14",
            "type/decl tags with kind_flag (attribute form)"
        )
    );
    assert_eq!(s.minimum[1].version, "1.6");
    assert_eq!(s.minimum[2].version, "7.6");
    assert!(s.features.iter().any(|f| f.feature == "FLOAT"
        && f.kernel == "5.13"
        && f.libbpf == "0.4"
        && f.bpftool == "5.13"));
}

#[test]
fn summary_of_a_big_endian_kernel() {
    let s = kernel(K612).summary();
    assert_eq!(s.byte_order, "big-endian");
    assert!(s.split.is_none());
    assert_eq!(s.types, 88_137);
}

#[test]
fn bad_input_is_one_line_naming_the_file() {
    let e = Kernel::load("junk.bin", b"definitely not BTF", None).unwrap_err();
    assert!(e.starts_with("junk.bin: "), "{e}");
    assert!(e.contains("not a recognised input"), "{e}");
    assert!(!e.contains('\n'));
    // Truncated gzip: an error, not a panic.
    let gz = data(&format!("btf/{K510}.btf.gz"));
    let e = Kernel::load("cut.gz", &gz[..gz.len() / 2], None).unwrap_err();
    assert!(e.starts_with("cut.gz: "), "{e}");
}

#[test]
fn type_index_holds_every_named_type_sorted() {
    let k = kernel(K61);
    let btf = k.btf();
    let idx = k.type_index();
    let names: Vec<&str> = idx.names.split_terminator('\n').collect();
    assert_eq!(names.len(), idx.ids.len());
    assert_eq!(names.len(), idx.kinds.len());
    let named = btf.own_ids().filter(|&id| btf.ty(id).is_named()).count();
    assert_eq!(names.len(), named);
    for w in names.windows(2) {
        assert!(w[0].to_ascii_lowercase() <= w[1].to_ascii_lowercase());
    }
    for (i, name) in names.iter().enumerate() {
        let t = btf.ty(TypeId(idx.ids[i]));
        assert_eq!(t.name(), *name);
        assert_eq!(t.kind().0, idx.kinds[i]);
    }
}

#[test]
fn type_detail_is_the_raw_listing_with_links() {
    let k = kernel(K61);
    let btf = k.btf();
    let id = btf.find_by_name_kind("task_struct", Kind::STRUCT).unwrap();
    let d = k.type_detail(id.0).unwrap();
    assert_eq!(
        (d.kind.as_str(), d.name.as_str()),
        ("STRUCT", "task_struct")
    );
    assert_eq!(d.size, Some(btf.ty(id).size()));
    // The raw column, links included, is bpftool's text exactly.
    let text = corelab::dump::type_to_string(btf, id);
    let raw: Vec<String> = d
        .lines
        .iter()
        .map(|l| l.raw.iter().map(|s| s.text.as_str()).collect())
        .collect();
    assert_eq!(raw, text.lines().collect::<Vec<_>>());
    assert_eq!(d.lines[0].name, None);
    assert_eq!(d.lines[1].name.as_deref(), Some("thread_info"));
    // Every link's text is the id it links to.
    for s in d.lines.iter().flat_map(|l| &l.raw) {
        if let Some(target) = s.link {
            assert_eq!(s.text, target.to_string());
        }
    }
    // `mm` reads as `struct mm_struct *`, and `mm_struct` links to the struct.
    let mm_struct = btf.find_by_name_kind("mm_struct", Kind::STRUCT).unwrap();
    let mm = d
        .lines
        .iter()
        .find(|l| l.raw.first().is_some_and(|s| s.text.starts_with("\t'mm' ")))
        .unwrap();
    let reading: String = mm.reading.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(reading, "struct mm_struct *");
    assert!(mm.reading.iter().any(|s| s.link == Some(mm_struct.0)));
    // Byte offsets of members: `mm` is not a bitfield, so a plain byte count.
    let member = btf.ty(id).members().find(|m| m.name == "mm").unwrap();
    assert_eq!(mm.offset, Some((member.bit_offset / 8).to_string()));
    assert!(k.type_detail(btf.type_cnt()).is_none());
}

#[test]
fn readings_of_tricky_types_stay_bounded() {
    // Every type of a kernel gets a detail without panicking, and readings stay short.
    let k = kernel(K510);
    for id in k.btf().own_ids().step_by(7) {
        let d = k.type_detail(id.0).unwrap();
        for l in &d.lines {
            let len: usize = l.reading.iter().map(|s| s.text.len()).sum();
            assert!(len < 4096, "[{}] reading of {len} bytes", id.0);
        }
    }
}

#[test]
fn raw_listing_is_bpftools_with_anchors_and_links() {
    let k = kernel(K510);
    let doc = k.raw_listing();
    let want = gunzip(&data(&format!("raw/{K510}.bpftool-7.1.0.txt.gz")));
    assert!(
        doc.text.as_bytes() == want.as_slice(),
        "raw listing differs from bpftool 7.1's"
    );
    assert_eq!(doc.line_starts.len(), doc.text.lines().count());
    // Each type's anchor is its own `[id] ` line.
    let btf = k.btf();
    for id in btf.own_ids() {
        let line = doc.anchors[id.0 as usize] as usize;
        let start = doc.line_starts[line] as usize;
        assert!(doc.text[start..].starts_with(&format!("[{}] ", id.0)));
    }
    // One link per `type_id=` but void's, each covering the digits of its target.
    let voids = doc.text.matches("type_id=0\n").count()
        + doc.text.matches("type_id=0 ").count()
        + doc.text.matches("type_id=0,").count();
    assert!(voids > 0);
    assert_eq!(
        doc.links.len(),
        doc.text.matches("type_id=").count() - voids
    );
    for w in doc.links.windows(2) {
        assert!(w[0][1] <= w[1][0]);
    }
    for &[s, e, id] in &doc.links {
        assert_eq!(doc.text[s as usize..e as usize], id.to_string());
    }
}

#[test]
fn session_keeps_kernels_by_slot() {
    let mut s = Session::new();
    let gz = data(&format!("btf/{K510}.btf.gz"));
    assert!(s.load(3, "a", &gz, None).is_ok());
    assert!(s.load(4, "b", b"junk", Some(3)).is_err());
    assert!(s.kernel(4).is_none());
    assert_eq!(s.kernel(3).unwrap().label(), "a");
    s.retain(&[4]);
    assert!(s.kernel(3).is_none());
}

#[test]
fn a_module_loads_over_the_kernel_it_belongs_to() {
    let mut s = Session::new();
    s.load(1, K61, &data(&format!("btf/{K61}.btf.gz")), None)
        .unwrap();
    let ko = data(&format!("modules/{K61}-ext4.ko.gz"));
    // On its own it is split BTF without a base: the standalone error is the one reported.
    let e = s.load(2, "ext4.ko", &ko, None).unwrap_err();
    assert!(e.starts_with("ext4.ko: "), "{e}");
    let m = s.load(2, "ext4.ko", &ko, Some(1)).unwrap();
    let sum = m.summary();
    let split = sum.split.unwrap();
    assert!(split.starts_with("ids 100643.."), "{split}");
    assert!(
        split.ends_with(&format!("over a base of 100642 types ({K61})")),
        "{split}"
    );
    assert!(
        sum.content.starts_with("relocatable ELF (kernel module)"),
        "{}",
        sum.content
    );
    // bpftool's split listing, byte for byte; links into the base resolve.
    let want = gunzip(&data(&format!(
        "modules/{K61}-ext4.split-raw.bpftool-7.1.0.txt.gz"
    )));
    let doc = m.raw_listing();
    assert!(
        doc.text.as_bytes() == want.as_slice(),
        "split listing differs from bpftool's"
    );
    let inode = m.btf().find_by_name_kind("inode", Kind::STRUCT).unwrap();
    assert!(inode.0 < 100_643, "inode comes from the base");
    assert_eq!(m.type_detail(inode.0).unwrap().name, "inode");
    // Only the module's own types are indexed.
    let idx = m.type_index();
    assert!(idx.ids.iter().all(|&id| id >= 100_643));
    assert!(idx.names.split('\n').any(|n| n == "ext4_sb_info"));
}

#[test]
fn a_bpf_object_shows_its_own_btf() {
    let k = Kernel::load("arrays.o", &data("oracle/obj/arrays.o.gz"), None).unwrap();
    let s = k.summary();
    assert!(s.content.starts_with("BPF object, ELF64"), "{}", s.content);
    assert!(s.content.ends_with("with .BTF.ext"), "{}", s.content);
    assert_eq!(s.pointer_size, 8);
    assert!(s.types > 0 && s.types < 1000);
    // Its listing is bpftool's listing of the object's .BTF.
    let doc = k.raw_listing();
    assert_eq!(doc.text, k.raw_listing_text());
    assert!(doc.line_starts.len() >= s.types as usize);
}
