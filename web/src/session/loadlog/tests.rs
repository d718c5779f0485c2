use std::io::Read;

use super::*;
use crate::session::tests::{data, kernel, K510};

fn gunzip(rel: &str) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(&data(rel)[..])
        .read_to_string(&mut out)
        .unwrap();
    out
}

fn guarding() -> LoadedObject {
    LoadedObject::load(
        "10_guarding.bpf.o",
        &data("loadlog/obj/sample_10_guarding.bpf.o.gz"),
    )
    .unwrap()
}

const LOG: &str = "loadlog/logs/sample_10_guarding.bpf__debian11-5.10.0-46-amd64__atime_unguarded";

#[test]
fn a_real_libbpf_log_names_the_poisoned_relocation_and_marks_it() {
    let k = kernel(K510);
    let r = explain(
        &guarding(),
        &gunzip(&format!("{LOG}.libbpf.log.gz")),
        Some((k.label(), k.btf())),
    );
    assert_eq!(r.mismatch, None);
    assert_eq!(r.wrapper, "libbpf");
    assert_eq!(r.programs.len(), 1);
    let p = &r.programs[0];
    assert_eq!(p.name, "atime_unguarded");
    assert!(p.matched);
    assert!(
        p.stop.starts_with("the verifier stopped at insn 7"),
        "{}",
        p.stop
    );
    let f = &p.findings[0];
    assert_eq!(f.insn, Some(7));
    assert_eq!(
        f.what,
        "CO-RE relocation kprobe/vfs_read #9: byte_off inode.i_atime_sec"
    );
    // Row 9 of the Relocations tab is that record (the only section with records).
    assert_eq!(f.relo, Some(9));
    assert!(f.cause.contains("i_atime"), "{}", f.cause);
    assert!(f
        .source
        .as_ref()
        .is_some_and(|s| s.file == "10_guarding.bpf.c"));
    assert_eq!(
        p.sim.as_deref(),
        Some("corelab's simulation: rejected_poison at insn 7, as the verifier")
    );
    // The instruction is marked for both views: the program's insn 7, the section's 36.
    assert_eq!(r.marks.len(), 1);
    let m = &r.marks[0];
    assert_eq!((m.prog.as_str(), m.insn), ("atime_unguarded", 7));
    assert_eq!((m.sec.as_str(), m.sec_insn), ("kprobe/vfs_read", 36));
    assert!(m.poison);
    assert_eq!(r.marks_on_prog("atime_unguarded", 7).count(), 1);
    assert_eq!(r.marks_in_section("kprobe/vfs_read", 36).count(), 1);
    assert_eq!(r.marks_on_prog("atime_guarded", 7).count(), 0);
}

#[test]
fn the_bare_verifier_log_says_the_same_without_a_kernel() {
    let r = explain(
        &guarding(),
        &gunzip(&format!("{LOG}.verifier.log.gz")),
        None,
    );
    assert_eq!(r.wrapper, "verifier log");
    assert_eq!(r.kernel, None);
    let p = &r.programs[0];
    assert!(p.matched, "{}", p.how);
    assert_eq!(p.findings.len(), 1);
    assert_eq!(p.findings[0].relo, Some(9));
    assert_eq!(p.sim, None);
}

#[test]
fn a_log_of_another_object_says_it_does_not_match() {
    let other = gunzip("loadlog/logs/sample_03_bitfields.bpf__s390x__tcp_flags.libbpf.log.gz");
    let r = explain(&guarding(), &other, None);
    assert!(r.mismatch.is_some());
    assert!(r.programs.is_empty() && r.marks.is_empty());
    let junk = explain(&guarding(), "hello", None);
    assert_eq!(
        junk.mismatch.as_deref(),
        Some("the log names no program and shows no instruction")
    );
}
