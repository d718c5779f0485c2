//! CO-RE relocation speed: the largest corpus object against the 6.18 kernel, how the time
//! grows with the number of relocations, and the one-off cost of the target's essential-name
//! index (built on first use, kept with the target BTF).
//!
//! `cargo bench -p corelab-tests --bench reloc`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

use corelab::btf::Btf;
use corelab::object::Object;
use corelab::reloc::relocate_object;
use corelab_tests::data;

fn kernel() -> Vec<u8> {
    data::read("btf/host-6.18.44-fc-v657-amd64.btf.gz")
}

fn object(name: &str) -> Object {
    Object::parse(&data::read(&format!("oracle/obj/{name}.o.gz"))).unwrap()
}

fn bench(c: &mut Criterion) {
    let raw = kernel();
    let target = Btf::parse(&raw).unwrap();
    // Warm the essential-name index once: it belongs to the target, not to a relocation.
    let _ = target.find_by_essential_name("task_struct").count();

    let mut g = c.benchmark_group("reloc");
    // By number of records: kconfig 2, core_read 5, exectrace 44, tcpstates 59 (the largest).
    for name in ["kconfig", "core_read", "exectrace", "tcpstates"] {
        let obj = object(name);
        let n = obj.ext.as_ref().map_or(0, |e| e.core_relo_count());
        g.bench_function(format!("{name} ({n} relos) vs 6.18"), |b| {
            b.iter(|| black_box(relocate_object(&obj, &target)))
        });
    }
    // All 47 corpus objects, 602 records: the size of the browser budget's 600-relocation
    // object (each object keeps its own candidate cache, so this is the slower case).
    let all: Vec<Object> = data::list("oracle/obj", ".o.gz")
        .iter()
        .map(|p| Object::parse(&data::read_path(p)).unwrap())
        .collect();
    g.bench_function("47 objects (602 relos) vs 6.18", |b| {
        b.iter(|| {
            for o in &all {
                black_box(relocate_object(o, &target));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("target");
    g.sample_size(10);
    g.bench_function("parse 6.18", |b| {
        b.iter(|| black_box(Btf::parse(&raw).unwrap()))
    });
    g.bench_function("essential-name index 6.18 (first lookup)", |b| {
        b.iter_batched(
            || Btf::parse(&raw).unwrap(),
            |t| black_box(t.find_by_essential_name("task_struct").count()),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
