//! A sweep's table as columns arrive: catalogue order whatever the arrival order, runs of
//! identical neighbours grouped, failed builds in a column of their own, pending ones left out.

use super::*;
use crate::dto::guard::LibbpfRelease;
use crate::dto::matrix::{MatrixProgram, MatrixReloc, ValueCell, VerdictCell};
use crate::dto::sweep::SweepAnswer;

fn column(build: &str, verdict: &str, value: Option<u64>) -> SweepColumn {
    SweepColumn {
        answer: SweepAnswer::Matrix(MatrixTable {
            object: "o.bpf.o".into(),
            kernels: vec![format!("@{build}")],
            libbpf: LibbpfRelease::default(),
            programs: vec![MatrixProgram {
                name: "p".into(),
                sec: "kprobe/x".into(),
                cells: vec![VerdictCell {
                    verdict: verdict.into(),
                    reason: None,
                }],
            }],
            relocations: vec![MatrixReloc {
                idx: 0,
                sec: "kprobe/x".into(),
                sec_relo_idx: 0,
                kind: "byte_off".into(),
                access: "task_struct.pid".into(),
                prog: Some("p".into()),
                cells: vec![ValueCell {
                    outcome: "patched".into(),
                    value,
                    reason: None,
                }],
                varies: false,
            }],
            ms: 0.0,
        }),
        rebuild_ms: 10.0,
        parse_ms: 5.0,
        work_ms: 1.0,
    }
}

fn sweep() -> MatrixSweep {
    MatrixSweep::new(Selection {
        selector: "arm64".into(),
        builds: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
        order: vec![4, 3, 2, 1, 0],
    })
}

#[test]
fn columns_take_their_catalogue_place_and_identical_neighbours_group() {
    let mut s = sweep();
    assert!(s.table(true).is_none(), "nothing answered yet");
    // Arrival in sweep order (reverse): e, d, c fails, b; a still pending.
    s.answered(4, Ok(column("e", "loaded", Some(8))));
    s.answered(3, Ok(column("d", "loaded", Some(8))));
    s.answered(2, Err("catalogue build c: offset 0x1f: bad".into()));
    s.answered(1, Ok(column("b", "loaded", Some(8))));
    assert_eq!(s.progress(), "4 / 5 builds");
    assert!(!s.finished());
    let (t, groups) = s.table(true).unwrap();
    let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(labels, ["@b", "@c", "@d .. @e (2)"]);
    assert_eq!(t.kernels, labels);
    assert_eq!(
        groups[1].error.as_deref(),
        Some("catalogue build c: offset 0x1f: bad")
    );
    assert_eq!(t.programs[0].cells[1].verdict, "error");
    assert_eq!(t.relocations[0].cells[1].outcome, "error");
    assert!(t.relocations[0].varies, "the failed column differs");
    // One column per build when not grouped.
    let (t, groups) = s.table(false).unwrap();
    assert_eq!(groups.len(), 4);
    assert_eq!(t.kernels, ["@b", "@c", "@d", "@e"]);
    // A different answer splits a run.
    s.answered(0, Ok(column("a", "rejected_poison", None)));
    assert!(s.finished());
    let (t, groups) = s.table(true).unwrap();
    assert_eq!(t.kernels, ["@a", "@b", "@c", "@d .. @e (2)"]);
    assert_eq!(groups[0].first, 0);
    assert_eq!((groups[3].first, groups[3].last), (3, 4));
    assert_eq!(t.programs[0].cells[0].verdict, "rejected_poison");
    assert_eq!(s.times.rebuild_ms, 40.0);
    assert_eq!(s.times.work_ms, 4.0);
}

#[test]
fn an_ask_sweep_counts_each_pass_and_keeps_failures_once() {
    let mut a = AskSweep::new(sweep().selection);
    a.answered(4, Ok(column("e", "loaded", Some(8))));
    a.answered(3, Err("catalogue build d: offset 0x10: bad".into()));
    assert_eq!(a.progress(), "2 / 5 builds");
    assert_eq!(a.times.rebuild_ms, 10.0);
    a.checking_fix = true;
    a.done = 0;
    a.answered(3, Err("catalogue build d: offset 0x10: bad".into()));
    assert_eq!(a.progress(), "checking the fix: 1 / 5 builds");
    assert_eq!(
        a.failed.len(),
        1,
        "a build failing in both passes is listed once"
    );
}
