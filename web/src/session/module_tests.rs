//! Kernel modules in the page: a module's BTF opened over the active kernel, then another
//! merged in as bpftool 7.8 merges them (listing and header equal its output), and
//! relocation searching the kernel, then each module in the order opened, equal to libbpf
//! 1.5's and 1.7's own module search (the oracle with its module iteration faked over the
//! same files).

use corelab_tests::data;

use super::tests::whatif;
use super::*;
use crate::dto::guard::LibbpfRelease;

const K61: &str = "debian12-6.1.0-50-amd64";

/// A session with the 6.1 kernel in slot 1 and `modules` opened one after the other over
/// it (slots 2, 3, …), each layered over the one before, as the page does; and modules.o in
/// slot 100.
fn with_modules(modules: &[&str]) -> Session {
    let mut s = Session::new();
    s.load(1, K61, &data::read(&format!("btf/{K61}.btf.gz")), None)
        .unwrap();
    for (i, m) in modules.iter().enumerate() {
        let file = format!("{K61}-{m}.ko.gz");
        // The page hands the file over as it is (compressed): the engine unpacks it.
        let bytes = std::fs::read(data::path(&format!("modules/{file}"))).unwrap();
        let slot = i as u32 + 2;
        s.load(slot, &file, &bytes, Some(slot - 1)).unwrap();
    }
    s.load_object(100, "modules.o", &data::read("oracle/modules/modules.o.gz"))
        .unwrap();
    s
}

#[test]
fn two_modules_merge_as_bpftool_78_merges_them() {
    let s = with_modules(&["ext4", "tcp_bbr"]);
    let one = s.kernel(2).unwrap();
    assert_eq!(one.summary().modules, ["ext4"]);
    let merged = s.kernel(3).unwrap();
    let sum = merged.summary();
    assert_eq!(sum.label, "ext4 + tcp_bbr");
    assert_eq!(sum.modules, ["ext4", "tcp_bbr"]);
    assert!(sum.split.as_deref().unwrap().ends_with(&format!("({K61})")));
    // bpftool 7.8's `-B K btf dump file ext4 file tcp_bbr`, raw and C.
    let name = format!("{K61}+ext4+tcp_bbr");
    let raw = data::read(&format!("modules/merged/{name}.raw.txt.gz"));
    assert!(merged.raw_listing_text().as_bytes() == raw, "raw listing");
    let kernel_h = data::read(&format!("headers/bpftool-7.8.0/{K61}.h.gz"));
    let want = data::apply_unified_diff(
        &kernel_h,
        &data::read(&format!("modules/merged/{name}.h.diff.gz")),
    );
    let (ours, warnings) = merged
        .header_text(header::HeaderRequest {
            profile: "bpftool-7.8",
            roots: &[],
            with_helpers: false,
        })
        .unwrap();
    assert!(ours.as_bytes() == want, "header differs from bpftool 7.8's");
    assert!(warnings.is_empty());
}

#[test]
fn every_merge_case_opened_one_by_one_lists_as_bpftool_78() {
    // tests/data/modules/merged/cases.txt: 6.1 and big-endian 6.12 s390x kernels, up to
    // seven modules, one twice, one as Debian's `.ko.xz`.
    let cases = String::from_utf8(data::read("modules/merged/cases.txt")).unwrap();
    let mut seen = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (name, kernel, files) = (words[0], words[1], &words[2..]);
        let mut s = Session::new();
        s.load(
            1,
            kernel,
            &data::read(&format!("btf/{kernel}.btf.gz")),
            None,
        )
        .unwrap();
        for (i, file) in files.iter().enumerate() {
            let bytes = std::fs::read(data::path(&format!("modules/{file}"))).unwrap();
            let slot = i as u32 + 2;
            s.load(slot, file, &bytes, Some(slot - 1)).unwrap();
        }
        let k = s.kernel(files.len() as u32 + 1).unwrap();
        assert_eq!(k.modules().len(), files.len(), "{name}");
        let want = data::read(&format!("modules/merged/{name}.raw.txt.gz"));
        assert!(k.raw_listing_text().as_bytes() == want, "{name}: listing");
        seen += 1;
    }
    assert!(seen >= 8, "{seen} cases");
}

#[test]
fn relocation_searches_the_kernel_then_each_module_as_libbpf_does() {
    for order in [["ext4", "tcp_bbr"], ["tcp_bbr", "ext4"]] {
        let mut s = with_modules(&order);
        for release in LibbpfRelease::ALL {
            let w = WhatIf {
                libbpf: release,
                ..whatif()
            };
            let t = s.relocate(100, 3, &w).unwrap();
            assert_eq!(t.kernel, format!("{K61} + {} + {}", order[0], order[1]));
            let name = format!("{K61}+{}+{}", order[0], order[1]);
            let dir = format!("libbpf{}", release.label());
            let log = String::from_utf8(data::read(&format!(
                "oracle/modules/{dir}/modules__{name}.log.gz"
            )))
            .unwrap();
            let want: Vec<&str> = log.lines().collect();
            let ours: Vec<&str> = t.log.iter().map(|l| l.text.as_str()).collect();
            assert_eq!(ours, want, "{name}, libbpf {}", release.label());
            assert!(ours
                .iter()
                .any(|l| l.ends_with(&format!("in [{}]", order[0]))));
            // The explanation names the module a candidate is in, with its id there.
            let e = s.explain(100, 3, &w, 1).unwrap();
            assert_eq!(e.row.access, "ext4_extent_header___m.eh_depth");
            let c = &e.candidates[0];
            assert_eq!(
                (c.name.as_str(), c.module.as_deref(), c.matched),
                ("struct ext4_extent_header", Some("ext4"), true)
            );
            assert!(e.search.ends_with("1 candidate in [ext4] (vmlinux has none, so libbpf searched the modules in order)."), "{}", e.search);
            // The guard simulation relocates the same way.
            let g = s.guard(100, 3, &w, None).unwrap();
            assert_eq!(g.kernel, t.kernel);
        }
    }
}

#[test]
fn a_file_of_another_kernel_is_not_merged() {
    let mut s = with_modules(&["ext4"]);
    // The s390x kernel's module is not split BTF over 6.1: its own error is reported.
    let other = std::fs::read(data::path("modules/debian13-6.12.107-s390x-ext4.btf.gz")).unwrap();
    let e = s.load(9, "s390x-ext4.btf.gz", &other, Some(2)).unwrap_err();
    assert!(e.starts_with("s390x-ext4.btf.gz: "), "{e}");
    assert!(!e.contains("merge"), "{e}");
    // A whole kernel opened over modules is a kernel of its own.
    let k = s
        .load(10, K61, &data::read(&format!("btf/{K61}.btf.gz")), Some(2))
        .unwrap();
    assert!(k.modules().is_empty());
}
