use super::*;
use crate::session::tests::{kernel, K510, K618};

const K61: &str = "debian12-6.1.0-50-amd64";

#[test]
fn a_chain_is_two_records_relocated_and_explained() {
    let k = kernel(K61);
    let r = records(
        &k,
        "struct task_struct *t; BPF_CORE_READ(t, mm, exe_file)",
        || 0.0,
    );
    assert_eq!(r.error, None);
    assert_eq!(r.kernel, K61);
    let access: Vec<&str> = r.rows.iter().map(|r| r.access.as_str()).collect();
    assert_eq!(access, ["task_struct.mm", "mm_struct.exe_file"]);
    // clang's records: root type and access string (6.1's exe_file is behind an anonymous
    // struct: 0:0:47, as `corelab access` and clang-19 say).
    assert_eq!(
        r.records,
        [
            ("struct task_struct".to_owned(), "0:53".to_owned()),
            ("struct mm_struct".to_owned(), "0:0:47".to_owned())
        ]
    );
    assert!(r
        .rows
        .iter()
        .all(|r| r.outcome == "patched" && r.kind == "byte_off"));
    assert_eq!(r.forms, ["alu (offset/value)", "alu (offset/value)"]);
    // The explanation is the Object area's: candidates, values, meaning, the source line.
    let e = &r.explanations[0];
    assert!(e
        .candidates
        .iter()
        .any(|c| c.matched && c.name == "struct task_struct"));
    assert!(
        e.meaning.contains("task_struct.mm is at byte offset 2272"),
        "{}",
        e.meaning
    );
    let src = e.source.as_ref().unwrap();
    assert_eq!((src.file.as_str(), src.line), (QUESTION_FILE, 1));
    assert!(src.text.contains("BPF_CORE_READ"));
}

#[test]
fn a_missing_member_is_one_line_with_its_column() {
    let k = kernel(K61);
    let text = "struct task_struct *t; t->nope";
    let r = records(&k, text, || 0.0);
    let e = r.error.unwrap();
    assert_eq!(e.offset as usize, text.find("nope").unwrap());
    assert!(e.message.starts_with("column 27: "), "{}", e.message);
    assert!(e.message.contains("nope"), "{}", e.message);
    assert!(r.rows.is_empty());
    // An empty question is no error.
    let empty = records(&k, "  ", || 0.0);
    assert_eq!((empty.error, empty.rows.len()), (None, 0));
}

#[test]
fn completion_offers_the_kernels_members() {
    let k = kernel(K61);
    let c = complete(&k, "struct task_struct *t; t->__sta");
    assert_eq!(c.from as usize, "struct task_struct *t; t->".len());
    assert!(
        c.candidates.contains(&"__state".to_owned()),
        "{:?}",
        c.candidates
    );
    let tags = complete(&k, "struct task_st");
    assert!(tags.candidates.contains(&"task_struct".to_owned()));
    // After `->` with nothing typed yet: every member; after a space: nothing.
    let members = complete(&k, "struct task_struct *t; t->");
    assert!(members.candidates.contains(&"mm".to_owned()));
    assert!(complete(&k, "struct task_struct *t; t->mm ")
        .candidates
        .is_empty());
    assert!(complete(&k, "BPF_CORE_READ(t, mm) ").candidates.is_empty());
    assert!(!complete(&k, "struct ").candidates.is_empty());
}

#[test]
fn across_kernels_a_rename_breaks_and_the_fix_is_checked() {
    let (k510, k61, k618) = (kernel(K510), kernel(K61), kernel(K618));
    let t = across(
        &k61,
        &[&k510, &k61, &k618],
        "struct task_struct *t; t->__state",
        || 0.0,
    )
    .unwrap();
    assert_eq!(t.kernels, [K510, K61, K618]);
    assert_eq!(t.records, ["task_struct.__state (byte_off)"]);
    assert_eq!(t.verdict, VerdictKind::Breaks);
    assert_eq!(
        t.verdict_text,
        format!("breaks: task_struct.__state renamed to state in {K510}")
    );
    // 5.10 alone (missing, poisoned, rejected), then 6.1 and 6.18 together.
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[0].kernels, [0]);
    assert!(!t.rows[0].loads);
    assert_eq!(t.rows[0].cells[0].values, "missing");
    assert_eq!(t.rows[0].cells[0].outcome, "poisoned");
    assert!(t.rows[0].load.contains("poisoned #0 task_struct.__state"));
    assert_eq!(t.rows[1].kernels, [1, 2]);
    assert_eq!(t.rows[1].label, format!("{K61} .. {K618} (2)"));
    assert_eq!(t.rows[1].cells[0].values, "exists  offset 24  size 4");
    let fix = t.fix.unwrap();
    assert!(fix.checked, "{}", fix.status);
    assert!(fix.snippet.contains("struct task_struct___old"));
    assert!(fix
        .snippet
        .contains("bpf_core_field_exists(struct task_struct, __state)"));
}

#[test]
fn across_kernels_a_portable_chain_has_no_fix() {
    let (k510, k61) = (kernel(K510), kernel(K61));
    let t = across(
        &k61,
        &[&k510, &k61],
        "struct task_struct *t; BPF_CORE_READ(t, mm, exe_file)",
        || 0.0,
    )
    .unwrap();
    assert_eq!(t.verdict, VerdictKind::Portable);
    assert!(t.fix.is_none());
    // Offsets differ between the two: two rows.
    assert_eq!(t.rows.len(), 2);
    assert!(t.rows.iter().all(|r| r.loads && r.load == "yes"));
    assert!(across(&k61, &[&k510], "t->", || 0.0).is_err());
}
