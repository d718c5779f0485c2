//! Criterion benchmarks of the engine on the real kernels and corpus objects.
//! `cargo bench -p corelab-tests --bench engine`; scripts/bench.sh compares the CLI with
//! bpftool/libbpf in the same run.

use corelab::btf::Btf;
use corelab::input::load_btf;
use corelab::object::Object;
use corelab_tests::data;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn unpacked(name: &str) -> Vec<u8> {
    data::read(&format!("btf/{name}.btf.gz"))
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    g.sample_size(20);
    for k in [
        "debian11-5.10.0-46-amd64",
        "host-6.18.44-fc-v657-amd64",
        "debian13-6.12.107-s390x",
    ] {
        let raw = unpacked(k);
        g.throughput(Throughput::Bytes(raw.len() as u64));
        g.bench_function(k, |b| b.iter(|| Btf::parse(&raw).unwrap()));
    }
    let gz = std::fs::read(data::path("btf/host-6.18.44-fc-v657-amd64.btf.gz")).unwrap();
    g.bench_function("host-6.18 gzip input", |b| {
        b.iter(|| load_btf(&gz, None).unwrap())
    });
    g.finish();
}

fn lookups(c: &mut Criterion) {
    let btf = Btf::parse(&unpacked("host-6.18.44-fc-v657-amd64")).unwrap();
    let _ = btf.find_by_essential_name("task_struct").count();
    c.bench_function("find_by_essential_name (indexed)", |b| {
        b.iter(|| btf.find_by_essential_name("task_struct").count())
    });
    c.bench_function("essential-name index build", |b| {
        b.iter(|| {
            let fresh = Btf::parse(&unpacked("debian11-5.10.0-46-amd64")).unwrap();
            fresh.find_by_essential_name("task_struct").count()
        })
    });
}

fn objects(c: &mut Criterion) {
    let obj = data::read("oracle/obj/tcpstates.o.gz");
    c.bench_function("object parse (tcpstates.o)", |b| {
        b.iter(|| Object::parse(&obj).unwrap())
    });
}

criterion_group!(benches, parse, lookups, objects);
criterion_main!(benches);
