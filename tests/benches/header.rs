//! Header generation on the 6.18 kernel BTF (126 585 types, a 2.8 MB header), in memory:
//! parsing the raw blob, and writing the header in the default (sorted) and bpftool 7.1 (id
//! order) profiles. Cheap to run: `cargo bench -p corelab-tests --bench header`.
//!
//! `scripts/bench-header.sh` compares the whole CLI with bpftool, wall time and peak memory.

use std::time::Duration;

use corelab::btf::Btf;
use corelab::header::{self, IoSink, Options, Profile};
use criterion::{criterion_group, criterion_main, Criterion};

fn header_bench(c: &mut Criterion) {
    let raw = corelab_tests::data::read("btf/host-6.18.44-fc-v657-amd64.btf.gz");
    let mut g = c.benchmark_group("header-6.18");
    g.sample_size(10).measurement_time(Duration::from_secs(4));
    g.bench_function("parse", |b| b.iter(|| Btf::parse(&raw).unwrap()));
    let btf = Btf::parse(&raw).unwrap();
    for profile in [Profile::Bpftool, Profile::Bpftool71] {
        let opts = Options {
            profile,
            roots: Vec::new(),
        };
        g.bench_function(profile.name(), |b| {
            b.iter(|| {
                let mut sink = IoSink::new(std::io::sink(), std::io::sink());
                header::write(&btf, &opts, &mut sink).unwrap();
            })
        });
    }
    g.bench_function("parse+bpftool (owned blob)", |b| {
        b.iter(|| {
            let btf = Btf::parse_owned(raw.clone(), None).unwrap();
            let mut sink = IoSink::new(std::io::sink(), std::io::sink());
            header::write(&btf, &Options::default(), &mut sink).unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, header_bench);
criterion_main!(benches);
