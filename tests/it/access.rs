//! `corelab access` against clang-19: random expressions over two kernels' types compiled
//! into one object each; the records clang emits equal what `access` synthesises, and
//! libbpf's outcomes on the other kernel agree (tests/access_diff.rs). CI runs a cheap
//! subset; `CORELAB_ACCESS_DIFF=N` (or `make access-diff`) runs N per kernel, and
//! `CORELAB_ACCESS_DIFF_PAIRS=LOCAL:OTHER[,LOCAL:OTHER…]` (BTF files on disk, e.g. from
//! `corelab catalog get`) runs it over kernels the project's test data does not hold.

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
    let pairs: Vec<(String, Vec<u8>, Vec<u8>)> = match std::env::var("CORELAB_ACCESS_DIFF_PAIRS") {
        Ok(list) => list
            .split(',')
            .map(|pair| {
                let (l, o) = pair
                    .split_once(':')
                    .expect("CORELAB_ACCESS_DIFF_PAIRS is LOCAL:OTHER[,LOCAL:OTHER…]");
                let read = |p: &str| std::fs::read(p).unwrap_or_else(|e| panic!("{p}: {e}"));
                (l.to_owned(), read(l), read(o))
            })
            .collect(),
        Err(_) => KERNELS
            .iter()
            .map(|(l, o)| ((*l).to_owned(), data::read(l), data::read(o)))
            .collect(),
    };
    let mut failures = Vec::new();
    for (k, (name, local, other)) in pairs.iter().enumerate() {
        let local = local_kernel(local);
        let other = corelab::input::load_btf(other, None).unwrap().btf;
        let cases = generate(&local, 0xacce55 + k as u64, n);
        let work = data::scratch(&format!("access-diff-{k}"));
        let report = run(&local, &other, &cases, &work).expect("clang runs");
        eprintln!("access differential, {name}: {}", report.summary());
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

/// The fixes `access` writes compile with clang-19, and clang emits for them the records
/// `access` says (the same differential comparison), and every kernel loads them.
#[test]
fn fixes_compile_and_clang_agrees() {
    use corelab::access::{self, Question};
    use corelab_tests::access_diff::Case;
    if tools::find("clang-19").is_none() {
        return tools::skipped("access fix compilation", "clang-19");
    }
    let local = local_kernel(&data::read("btf/debian12-6.1.0-50-amd64.btf.gz"));
    let kernel = |rel: &str| {
        corelab::input::load_btf(&data::read(rel), None)
            .unwrap()
            .btf
    };
    let k510 = kernel("btf/debian11-5.10.0-46-amd64.btf.gz");
    let s390 = kernel("btf/debian13-6.12.107-s390x.btf.gz");
    let host = kernel("btf/host-6.18.44-fc-v657-amd64.btf.gz");
    // (parts, how C declares the pointer, what is read at the end, the kernels)
    type Kernels<'a> = Vec<(&'a str, &'a corelab::btf::Btf)>;
    let questions: [(&[&str], &str, &str, Kernels<'_>); 3] = [
        (
            &["struct task_struct *t", "long s = t->__state"],
            "struct task_struct *t = ctx;",
            "s",
            vec![("5.10", &k510), ("6.18", &host)],
        ),
        (
            &["struct pt_regs *r", "u64 di = BPF_CORE_READ(r, di)"],
            "struct pt_regs *r = ctx;",
            "di",
            vec![("s390x", &s390), ("6.18", &host)],
        ),
        (
            &[
                "struct inode *i",
                "struct timespec64 ts = BPF_CORE_READ(i, i_ctime)",
            ],
            "struct inode *i = ctx;",
            "ts.tv_sec",
            vec![("5.10", &k510), ("6.18", &host)],
        ),
    ];
    let mut cases = Vec::new();
    for (parts, decl, use_it, targets) in &questions {
        let mut q = Question::new(&local).unwrap();
        for p in parts.iter() {
            q.add(p).unwrap();
        }
        let obj = q.object().unwrap();
        let named: Vec<(String, &corelab::btf::Btf)> =
            targets.iter().map(|(n, b)| (n.to_string(), *b)).collect();
        let processed: Vec<_> = named
            .iter()
            .map(|(_, b)| access::relocate(&obj.btf, &obj.records, b))
            .collect();
        let ans = access::answer(&q, &obj, &named, &processed, Default::default());
        assert_ne!(ans.verdict, access::Verdict::Portable, "{parts:?}");
        let fix = access::fix(&q, &obj, &ans, &named).expect("a fix");
        assert!(fix.checked, "{parts:?}: {}", fix.snippet);
        let defs: Vec<(String, String)> = fix.parts[..fix.definitions]
            .iter()
            .map(|d| (d.clone(), d.clone()))
            .collect();
        let mut body: Vec<(String, String)> = Vec::new();
        for p in &fix.parts[fix.definitions..] {
            let c = if p.trim_end_matches(';') == parts[0] {
                decl.to_string()
            } else {
                p.clone()
            };
            body.push((p.clone(), c));
        }
        body.push((use_it.to_string(), format!("USE({use_it});")));
        cases.push(Case {
            category: "fix",
            globals: defs,
            parts: body,
        });
    }
    let work = data::scratch("access-fix");
    let report = run(&local, &host, &cases, &work).expect("clang runs");
    eprintln!("access fixes: {}", report.summary());
    assert_eq!(report.compiled, cases.len(), "{:?}", report.mismatches);
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
    let _ = std::fs::remove_dir_all(work);
}
