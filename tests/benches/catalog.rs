//! The kernel catalogue natively (catalog/debian.btfcat): one build from the archive to a
//! parsed BTF (the deepest chain and a whole build), `where task_struct.__state` over every
//! build from the index, and the matrix of a 59-relocation object (tcpstates) over every
//! build — rebuilding, checking and parsing each, then relocating and simulating. The
//! archive's size per build is printed first.
//!
//! `cargo bench -p corelab-tests --bench catalog`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

use corelab::btf::Btf;
use corelab::catalog::{BuildIdx, Catalog, Materializer, Recipe, WholeFile};
use corelab::object::Object;
use corelab::pipeline::{self, Knobs};
use corelab_tests::data;

fn archive() -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../catalog/debian.btfcat"))
        .expect("the catalogue is committed")
}

fn bench(c: &mut Criterion) {
    let bytes = archive();
    let cat = Catalog::parse(&bytes).unwrap();
    let n = cat.head.builds.len();
    let chain_len = |i: usize| cat.head.chain(BuildIdx(i as u32)).unwrap().len();
    let deepest = (0..n)
        .max_by_key(|&i| {
            (
                chain_len(i),
                cat.head.transfer_for(BuildIdx(i as u32)).unwrap(),
            )
        })
        .unwrap();
    let whole = (0..n)
        .find(|&i| matches!(cat.head.build(BuildIdx(i as u32)).recipe, Recipe::Whole(_)))
        .unwrap();
    let transfers: Vec<u64> = (0..n)
        .map(|i| cat.head.transfer_for(BuildIdx(i as u32)).unwrap())
        .collect();
    eprintln!(
        "catalogue: {n} builds, {} bytes ({:.2} MiB), {:.0} bytes per build; transfer for one build: max {} bytes, median {} bytes; head {} bytes",
        bytes.len(),
        bytes.len() as f64 / (1 << 20) as f64,
        bytes.len() as f64 / n as f64,
        transfers.iter().max().unwrap(),
        { let mut t = transfers.clone(); t.sort(); t[n / 2] },
        cat.head.head_end
    );

    let mut g = c.benchmark_group("catalog");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for (what, i) in [("deepest chain", deepest), ("whole", whole)] {
        let b = cat.head.build(BuildIdx(i as u32));
        g.bench_function(
            format!(
                "one build to parsed BTF ({what}: {}, {} segments)",
                b.name,
                chain_len(i)
            ),
            |bch| {
                bch.iter(|| {
                    let head = corelab::catalog::parse_head(&bytes).unwrap();
                    let blob = Materializer::new(&head)
                        .btf(BuildIdx(i as u32), &mut WholeFile(&bytes))
                        .unwrap();
                    black_box(Btf::parse_owned(blob, None).unwrap())
                })
            },
        );
    }
    g.bench_function(
        format!("where task_struct.__state over {n} builds (cold)"),
        |bch| {
            bch.iter(|| {
                let mut cat = Catalog::parse(&bytes).unwrap();
                black_box(cat.where_is("task_struct.__state").unwrap())
            })
        },
    );
    g.bench_function(
        format!("every build rebuilt and sha256-checked ({n})"),
        |bch| {
            bch.iter(|| {
                let (mut m, mut src) = cat.materializer();
                for i in 0..n {
                    black_box(m.btf(BuildIdx(i as u32), &mut src).unwrap());
                }
            })
        },
    );
    let obj = Object::parse(&data::read("oracle/obj/tcpstates.o.gz")).unwrap();
    let relos = obj.ext.as_ref().map_or(0, |e| e.core_relo_count());
    g.bench_function(
        format!("matrix of tcpstates ({relos} relos) over {n} builds"),
        |bch| {
            bch.iter(|| {
                let (mut m, mut src) = cat.materializer();
                let mut verdicts = 0;
                for i in 0..n {
                    let btf = Btf::parse_owned(m.btf(BuildIdx(i as u32), &mut src).unwrap(), None)
                        .unwrap();
                    let a = pipeline::analyze(&obj, &btf, &Knobs::default()).unwrap();
                    verdicts += a.relocation.records.len();
                }
                black_box(verdicts)
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
