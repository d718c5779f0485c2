//! `corelab access` speed: a 5-record question (a `BPF_CORE_READ` chain through four
//! pointers and a field check) synthesised against the 6.1 kernel, relocated against one
//! kernel, and answered across the four test kernels (facts, runs, verdict). The page's
//! budget is about many kernels (the catalogue's ~100 builds): the per-kernel cost is what
//! scales.
//!
//! `cargo bench -p corelab-tests --bench access`

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};

use corelab::access::{self, Local, Question};
use corelab::btf::Btf;
use corelab::header::Profile;
use corelab_tests::data;

const QUESTION: [&str; 3] = [
    "struct task_struct *t",
    "BPF_CORE_READ(t, mm, exe_file, f_path.dentry, d_name.name)",
    "bpf_core_field_exists(t->pid)",
];

fn kernel(rel: &str) -> Btf {
    corelab::input::load_btf(&data::read(rel), None)
        .unwrap()
        .btf
}

fn bench(c: &mut Criterion) {
    let local = Local::new(
        Arc::new(kernel("btf/debian12-6.1.0-50-amd64.btf.gz")),
        Profile::default(),
    );
    let targets: Vec<(String, Btf)> = [
        "btf/debian11-5.10.0-46-amd64.btf.gz",
        "btf/debian12-6.1.0-50-amd64.btf.gz",
        "btf/debian13-6.12.107-s390x.btf.gz",
        "btf/host-6.18.44-fc-v657-amd64.btf.gz",
    ]
    .iter()
    .map(|r| (r.to_string(), kernel(r)))
    .collect();
    // Each target's essential-name index is built on first use and kept with it.
    for (_, t) in &targets {
        let _ = t.find_by_essential_name("task_struct").count();
    }
    let ask = || {
        let mut q = Question::new(&local).unwrap();
        for p in QUESTION {
            q.add(p).unwrap();
        }
        q
    };
    let mut q = ask();
    let obj = q.object().unwrap();
    assert_eq!(obj.records.len(), 5);

    let mut g = c.benchmark_group("access");
    g.bench_function("synthesise 5 records (6.1)", |b| {
        b.iter(|| {
            let mut q = ask();
            black_box(q.object().unwrap())
        })
    });
    g.bench_function("relocate 5 records vs 6.18", |b| {
        b.iter(|| black_box(access::relocate(&obj.btf, &obj.records, &targets[3].1)))
    });
    let named: Vec<(String, &Btf)> = targets.iter().map(|(n, b)| (n.clone(), b)).collect();
    g.bench_function("answer across 4 kernels", |b| {
        b.iter(|| {
            let processed: Vec<_> = named
                .iter()
                .map(|(_, t)| access::relocate(&obj.btf, &obj.records, t))
                .collect();
            black_box(access::answer(
                &q,
                &obj,
                &named,
                &processed,
                Default::default(),
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
