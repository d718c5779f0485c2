//! Diffing two real kernels (6.1 → 6.18, ~100k and ~127k types) and writing one back out.
//! Inputs are parsed once, outside the measurement. Run: `cargo bench -p corelab-tests`.

use std::hint::black_box;

use corelab::btf::Btf;
use corelab::btf_write::{write, WriteOptions};
use corelab::diff::{diff, DiffOptions};
use corelab::input::load_btf;
use corelab_tests::data;
use criterion::{criterion_group, criterion_main, Criterion};

fn kernel(name: &str) -> Btf {
    load_btf(&data::read(&format!("btf/{name}.btf.gz")), None)
        .expect("fixture kernel")
        .btf
}

fn benches(c: &mut Criterion) {
    let old = kernel("debian12-6.1.0-50-amd64");
    let new = kernel("host-6.18.44-fc-v657-amd64");
    let mut g = c.benchmark_group("btf");
    g.sample_size(10);
    g.bench_function("diff 6.1 vs 6.18", |b| {
        b.iter(|| diff(black_box(&old), black_box(&new), &DiffOptions::default()))
    });
    g.bench_function("diff 6.1 vs 6.18 --type task_struct", |b| {
        let opts = DiffOptions {
            only: Some("task_struct".into()),
            keep_unchanged: true,
        };
        b.iter(|| diff(black_box(&old), black_box(&new), &opts))
    });
    g.bench_function("write 6.18", |b| {
        b.iter(|| write(black_box(&new), &WriteOptions::default()))
    });
    g.finish();
}

criterion_group!(benches_group, benches);
criterion_main!(benches_group);
