use std::io::Read;
use std::path::PathBuf;

use super::*;
use crate::dto::guard::{GuardReport, WhatIf};

pub(crate) fn data(rel: &str) -> Vec<u8> {
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

pub(crate) fn kernel(name: &str) -> Kernel {
    Kernel::load(name, &data(&format!("btf/{name}.btf.gz")), None).unwrap()
}

pub(crate) const K510: &str = "debian11-5.10.0-46-amd64";
pub(crate) const K61: &str = "debian12-6.1.0-50-amd64";
const K612: &str = "debian13-6.12.107-s390x";
pub(crate) const K618: &str = "host-6.18.44-fc-v657-amd64";

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

// ---- objects: code, relocations, guard, matrix, compare (the Tour's samples) ----

pub(crate) fn sample(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../www/samples")
        .join(format!("{name}.bpf.o"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A session with `object` in slot 100 and the kernels in slots 1, 2, ….
pub(crate) fn session_with(object: &str, kernels: &[&str]) -> Session {
    let mut s = Session::new();
    for (i, k) in kernels.iter().enumerate() {
        s.load(i as u32 + 1, k, &data(&format!("btf/{k}.btf.gz")), None)
            .unwrap();
    }
    s.load_object(100, &format!("{object}.bpf.o"), &sample(object))
        .unwrap();
    s
}

pub(crate) fn whatif() -> WhatIf {
    WhatIf::default()
}

#[test]
fn an_object_lists_programs_and_code_with_source_lines() {
    let mut s = Session::new();
    let sum = s
        .load_object(7, "10_guarding.bpf.o", &sample("10_guarding"))
        .unwrap();
    let names: Vec<&str> = sum.programs.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["atime_guarded", "atime_unguarded"]);
    assert_eq!(sum.relocations, 10);
    assert_eq!(sum.license.as_deref(), Some("GPL"));
    let code = sum
        .code
        .iter()
        .find(|c| c.name == "kprobe/vfs_read")
        .unwrap();
    // The listing starts with the first program and its first source line.
    let first = &code.lines[0];
    assert_eq!(first.func.as_deref(), Some("atime_guarded"));
    let src = first
        .source
        .as_ref()
        .expect("line_info at the first instruction");
    assert_eq!(src.file, "10_guarding.bpf.c");
    // Every CO-RE record sits at one listed instruction, in .BTF.ext order.
    let relos: Vec<u32> = code.lines.iter().flat_map(|l| l.relos.clone()).collect();
    assert_eq!(relos, (0..10).collect::<Vec<_>>());
    // A guard's jump points somewhere in the section.
    assert!(code
        .lines
        .iter()
        .any(|l| l.text.starts_with("if ") && l.target.is_some()));
    assert!(s.object(7).is_some());
    s.retain(&[]);
    assert!(s.object(7).is_none());
}

#[test]
fn a_compressed_corpus_object_loads_and_a_bad_one_is_one_line() {
    let mut s = Session::new();
    let sum = s
        .load_object(1, "tcpstates.o.gz", &data("oracle/obj/tcpstates.o.gz"))
        .unwrap();
    assert_eq!(sum.relocations, 59);
    let e = s.load_object(2, "notes.txt", b"hello").unwrap_err();
    assert!(e.starts_with("notes.txt: "), "{e}");
    assert!(!e.contains('\n'));
}

#[test]
fn relocation_rows_follow_the_target_kernel() {
    let mut s = session_with("09_state_rename", &[K510, K618]);
    let old = s.relocate(100, 1, &whatif()).unwrap();
    let new = s.relocate(100, 2, &whatif()).unwrap();
    let cell = |t: &crate::dto::reloc::RelocTable, i: usize| {
        let r = &t.rows[i];
        (r.access.clone(), r.outcome.clone(), r.after.clone())
    };
    // 5.10 has task_struct.state at 16; 6.18 has __state at 24.
    assert_eq!(
        cell(&old, 2),
        (
            "task_struct___old.state".into(),
            "patched".into(),
            Some("16".into())
        )
    );
    assert_eq!(cell(&old, 1).1, "poisoned");
    assert_eq!(
        cell(&new, 1),
        (
            "task_struct___new.__state".into(),
            "patched".into(),
            Some("24".into())
        )
    );
    assert_eq!(cell(&new, 2).1, "poisoned");
    assert_eq!(old.counts, [("patched".into(), 2), ("poisoned".into(), 1)]);
    assert!(old
        .log
        .iter()
        .any(|l| l.text.contains("found 3 CO-RE relocations")));
    assert_eq!(old.kernel, K510);
}

#[test]
fn an_explanation_says_why_each_candidate_matched_or_not() {
    let mut s = session_with("10_guarding", &[K510]);
    let poisoned = s.explain(100, 1, &whatif(), 9).unwrap();
    assert_eq!(poisoned.row.access, "inode.i_atime_sec");
    assert_eq!(poisoned.row.outcome, "poisoned");
    assert_eq!(poisoned.kind_text, "the byte offset of a field");
    assert_eq!(
        poisoned.local_spec.as_deref(),
        Some("<byte_off> [77] struct inode.i_atime_sec (0:15 @ offset 88)")
    );
    assert_eq!(poisoned.candidates.len(), 1);
    let c = &poisoned.candidates[0];
    assert!(!c.matched);
    assert_eq!(c.name, "struct inode");
    assert_eq!(c.why, "struct inode has no field i_atime_sec");
    assert!(
        poisoned.meaning.contains("invalid func unknown#195896080"),
        "{}",
        poisoned.meaning
    );
    let patch = poisoned.patch.as_ref().unwrap();
    assert!(patch.after.starts_with("call"), "{}", patch.after);
    assert!(poisoned
        .log
        .iter()
        .any(|l| l.text.contains("non-matching candidate #0")));
    assert_eq!(poisoned.source.as_ref().unwrap().file, "10_guarding.bpf.c");

    let ok = s.explain(100, 1, &whatif(), 0).unwrap();
    assert_eq!(ok.row.access, "pt_regs.di");
    assert!(ok.candidates[0].matched);
    assert!(
        ok.candidates[0]
            .why
            .starts_with("has pt_regs.di at byte offset 112"),
        "{}",
        ok.candidates[0].why
    );
    assert_eq!(ok.values.as_ref().unwrap().new, 112);
    assert!(ok.meaning.contains("byte offset 112"), "{}", ok.meaning);
    assert!(s.explain(100, 1, &whatif(), 99).is_err());
}

#[test]
fn guarding_shows_dead_blocks_and_a_reachable_poison() {
    let mut s = session_with("10_guarding", &[K510]);
    let g = s.guard(100, 1, &whatif(), Some("atime_unguarded")).unwrap();
    let verdicts: Vec<(&str, &str)> = g
        .programs
        .iter()
        .map(|p| (p.name.as_str(), p.verdict.as_str()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("atime_guarded", "loaded"),
            ("atime_unguarded", "rejected_poison")
        ]
    );
    assert_eq!(g.kernel_release.as_deref(), Some("5.10.0"));
    let flow = g.flow.as_ref().unwrap();
    assert_eq!(flow.verdict.name, "atime_unguarded");
    let p = &flow.poisons[0];
    assert!(p.reachable && p.first);
    assert_eq!(p.relo, Some(9));
    assert_eq!(p.access.as_deref(), Some("inode.i_atime_sec"));
    assert_eq!(p.kernel_message, "invalid func unknown#195896080");
    assert!(
        p.explanation
            .contains("struct inode has no field i_atime_sec"),
        "{}",
        p.explanation
    );
    assert!(p.source.is_some());
    // After the reachable poison nothing is reached: a dead block.
    assert!(flow.blocks.iter().any(|b| !b.live));
    let row = &flow.rows.iter().find(|r| r.idx == p.idx).unwrap();
    assert_eq!(row.poison, Some(0));
    assert!(row.live);

    let g = s.guard(100, 1, &whatif(), Some("atime_guarded")).unwrap();
    let flow = g.flow.unwrap();
    assert_eq!(flow.verdict.verdict, "loaded");
    assert!(flow.poisons.iter().all(|p| !p.reachable));
    let decided: Vec<_> = flow.branches.iter().filter(|b| b.decided).collect();
    assert_eq!(decided.len(), 2, "{:?}", flow.branches);
    assert_eq!(decided[0].relo, Some(2));
    assert!(
        decided[0]
            .text
            .starts_with("always jumps: decided by CO-RE relocation #2"),
        "{}",
        decided[0].text
    );
    // Edges out of dead blocks are dead; the graph covers every row.
    for e in &flow.edges {
        if !flow.blocks[e.from as usize].live {
            assert!(!e.live);
        }
    }
    assert_eq!(
        flow.blocks.last().unwrap().end as usize,
        flow.rows.last().unwrap().idx as usize + 1
    );
}

#[test]
fn hiding_a_field_in_the_target_changes_the_verdict() {
    let mut s = session_with("10_guarding", &[K618]);
    let plain = s.guard(100, 1, &whatif(), Some("atime_unguarded")).unwrap();
    assert_eq!(plain.flow.unwrap().verdict.verdict, "loaded");
    let hide = WhatIf {
        hide: vec!["inode.i_atime_sec".into()],
        ..WhatIf::default()
    };
    let g = s.guard(100, 1, &hide, Some("atime_unguarded")).unwrap();
    assert_eq!(g.flow.as_ref().unwrap().verdict.verdict, "rejected_poison");
    assert_eq!(g.hidden, ["inode.i_atime_sec: removed from 1 type"]);
    // The guarded program falls through to its last branch, the unguarded 6.6-style read of
    // i_atime, which 6.18 lacks too: rejected as well.
    assert_eq!(g.programs[0].verdict, "rejected_poison");
    let t = s.relocate(100, 1, &hide).unwrap();
    assert_eq!(t.rows[9].outcome, "poisoned");
    assert_eq!(
        t.rows[2].after.as_deref(),
        Some("0"),
        "field_exists is now 0"
    );
    // A type hidden: nothing named inode any more.
    let gone = WhatIf {
        hide: vec!["struct inode".into(), "nosuch".into()],
        ..WhatIf::default()
    };
    let t = s.relocate(100, 1, &gone).unwrap();
    assert_eq!(
        t.hidden,
        [
            "inode: hidden (1 type)",
            "nosuch: no such type in host-6.18.44-fc-v657-amd64"
        ]
    );
    let e = s.explain(100, 1, &gone, 9).unwrap();
    assert!(e.candidates.is_empty());
    assert!(e.search.contains("has no type named inode"), "{}", e.search);
}

#[test]
fn kconfig_and_release_knobs_decide_branches() {
    let mut s = session_with("07_kconfig", &[K510]);
    let live = |g: &GuardReport| -> u32 { g.programs[0].live };
    let base = s.guard(100, 1, &whatif(), None).unwrap();
    let knob = |g: &GuardReport, n: &str| g.knobs.iter().find(|k| k.name == n).unwrap().clone();
    assert_eq!(knob(&base, "LINUX_KERNEL_VERSION").value, "5.10.0");
    assert_eq!(knob(&base, "CONFIG_BPF_SYSCALL").value, "n");
    let set = WhatIf {
        set: vec![("CONFIG_BPF_SYSCALL".into(), "y".into())],
        ..WhatIf::default()
    };
    let on = s.guard(100, 1, &set, None).unwrap();
    assert!(knob(&on, "CONFIG_BPF_SYSCALL").overridden);
    assert!(
        live(&on) < live(&base),
        "the CONFIG_BPF_SYSCALL branch dies"
    );
    let newer = WhatIf {
        kernel_release: Some("6.1.0".into()),
        ..WhatIf::default()
    };
    let g = s.guard(100, 1, &newer, None).unwrap();
    let decided: Vec<String> = g
        .flow
        .unwrap()
        .branches
        .iter()
        .filter_map(|b| b.decided_by.clone())
        .collect();
    assert!(
        decided
            .iter()
            .any(|d| d == "LINUX_KERNEL_VERSION (.kconfig)"),
        "{decided:?}"
    );
    assert_eq!(g.kernel_release.as_deref(), Some("6.1.0"));
    let bad = WhatIf {
        kernel_release: Some("six".into()),
        ..WhatIf::default()
    };
    assert!(s
        .guard(100, 1, &bad, None)
        .unwrap_err()
        .contains("expected X.Y.Z"));
}

#[test]
fn the_matrix_says_where_each_program_loads() {
    let s = session_with("10_guarding", &[K510, K61, K612, K618]);
    let m = s.matrix(100, &[1, 2, 3, 4], &whatif()).unwrap();
    assert_eq!(m.kernels, [K510, K61, K612, K618]);
    let verdicts: Vec<Vec<&str>> = m
        .programs
        .iter()
        .map(|p| p.cells.iter().map(|c| c.verdict.as_str()).collect())
        .collect();
    assert_eq!(
        verdicts,
        [
            ["loaded", "loaded", "rejected_poison", "loaded"],
            [
                "rejected_poison",
                "rejected_poison",
                "rejected_poison",
                "loaded"
            ]
        ]
    );
    let r9 = &m.relocations[9];
    assert_eq!(r9.access, "inode.i_atime_sec");
    assert!(r9.varies);
    assert_eq!(r9.cells[3].value, Some(88));
    assert!(!m.relocations[4].varies, "__i_atime exists nowhere");
}

#[test]
fn compare_follows_a_struct_across_kernels() {
    let mut s = Session::new();
    s.load(1, K510, &data(&format!("btf/{K510}.btf.gz")), None)
        .unwrap();
    s.load(2, K618, &data(&format!("btf/{K618}.btf.gz")), None)
        .unwrap();
    let t = s.compare(&[1, 2], "task_struct").unwrap();
    assert_eq!(t.kernels, [K510, K618]);
    assert!(t.types.iter().all(Option::is_some));
    // state became __state: one row, renamed (and retyped) in 6.18.
    let row = t
        .rows
        .iter()
        .find(|r| r.cells[0].as_ref().is_some_and(|c| c.path == "state"))
        .unwrap();
    let new = row.cells[1].as_ref().unwrap();
    assert_eq!(new.path, "__state");
    assert!(
        new.changes.contains(&"renamed".to_owned()),
        "{:?}",
        new.changes
    );
    // Something was added and something removed between 5.10 and 6.18.
    assert!(t
        .rows
        .iter()
        .any(|r| r.cells[1].as_ref().is_some_and(|c| c.changes == ["added"])));
    assert!(t.rows.iter().any(|r| r.removed[1]));
    let i = s.compare(&[1, 2], "inode").unwrap();
    assert!(
        i.replacements
            .iter()
            .any(|r| r.starts_with("i_atime → i_atime_sec")),
        "{:?}",
        i.replacements
    );
    assert!(s.compare(&[1, 2], "no_such_struct").is_err());
}

#[test]
fn const_volatile_globals_are_knobs_and_printk_formats_are_not() {
    let mut s = Session::new();
    let sum = s
        .load_object(1, "opensnoop.o.gz", &data("oracle/obj/opensnoop.o.gz"))
        .unwrap();
    let names: Vec<&str> = sum.knobs.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["targ_tgid", "targ_uid", "targ_failed"]);
    assert_eq!(sum.knobs[1].ty, "const volatile uid_t");
    assert_eq!(sum.knobs[1].value, "4294967295");
    // bpf_printk's format strings are read-only data too, but function-static: not knobs.
    let mut s = session_with("07_kconfig", &[K510]);
    let sum = s.load_object(101, "07", &sample("07_kconfig")).unwrap();
    let names: Vec<&str> = sum.knobs.iter().map(|k| k.name.as_str()).collect();
    // Externs in libbpf's .kconfig map order (alignment, size, name), then globals.
    assert_eq!(
        names,
        [
            "CONFIG_HZ",
            "LINUX_KERNEL_VERSION",
            "CONFIG_BPF_SYSCALL",
            "verbose"
        ]
    );
    // Setting the global revives the branch it guards.
    let off = s.guard(101, 1, &whatif(), None).unwrap();
    let on = WhatIf {
        set: vec![("verbose".into(), "1".into())],
        ..WhatIf::default()
    };
    let g = s.guard(101, 1, &on, None).unwrap();
    assert!(g.programs[0].live > off.programs[0].live);
    let knob = g.knobs.iter().find(|k| k.name == "verbose").unwrap();
    assert!(knob.overridden && knob.value == "1" && knob.kind == "rodata const volatile bool");
    let decided = off
        .flow
        .unwrap()
        .branches
        .into_iter()
        .filter_map(|b| b.decided_by);
    assert!(decided
        .into_iter()
        .any(|d| d == "the read-only global verbose"));
}
