//! `corelab access` against clang-19: random expressions over two kernels' types compiled
//! into one object each; the records clang emits equal what `access` synthesises, and
//! libbpf's outcomes on the other kernel agree (tests/access_diff.rs). CI runs a cheap
//! subset; `CORELAB_ACCESS_DIFF=N` (or `make access-diff`) runs N per kernel.

use corelab_tests::access_diff::{generate, local_kernel, run};
use corelab_tests::{data, tools};

const KERNELS: [(&str, &str); 2] = [
    (
        "btf/debian11-5.10.0-46-amd64.btf.gz",
        "btf/debian12-6.1.0-50-amd64.btf.gz",
    ),
    (
        "btf/debian12-6.1.0-50-amd64.btf.gz",
        "btf/debian11-5.10.0-46-amd64.btf.gz",
    ),
];

#[test]
fn records_equal_what_clang_emits() {
    if tools::find("clang-19").is_none() {
        return tools::skipped("access differential test", "clang-19");
    }
    let n: usize = std::env::var("CORELAB_ACCESS_DIFF")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let mut failures = Vec::new();
    for (k, (local, other)) in KERNELS.iter().enumerate() {
        let local = local_kernel(&data::read(local));
        let other = corelab::input::load_btf(&data::read(other), None)
            .unwrap()
            .btf;
        let cases = generate(&local, 0xacce55 + k as u64, n);
        let work = data::scratch(&format!("access-diff-{k}"));
        let report = run(&local, &other, &cases, &work).expect("clang runs");
        eprintln!(
            "access differential, {}: {}",
            KERNELS[k].0,
            report.summary()
        );
        failures.extend(report.mismatches);
        let _ = std::fs::remove_dir_all(work);
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
