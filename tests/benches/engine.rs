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

/// Guarding: relocation plus the verifier simulation of every program, per object.
fn guard(c: &mut Criterion) {
    let target = Btf::parse(&unpacked("host-6.18.44-fc-v657-amd64")).unwrap();
    let _ = target.find_by_essential_name("task_struct").count();
    let mut g = c.benchmark_group("guard vs 6.18");
    for name in ["kconfig", "task_state_flavor", "exectrace", "tcpstates"] {
        let obj = Object::parse(&data::read(&format!("oracle/obj/{name}.o.gz"))).unwrap();
        let knobs = corelab::pipeline::Knobs {
            kconfig: corelab::kconfig::Settings {
                kernel_version: Some(0x06_12_2c),
                ..Default::default()
            },
            ..Default::default()
        };
        g.bench_function(name, |b| {
            b.iter(|| corelab::pipeline::analyze(&obj, &target, &knobs).unwrap())
        });
    }
    g.finish();
}

/// Guarding the largest sample (by the verifier's processed instructions) against 6.18, with
/// the simulation's steps and the verifier's processed count (from the oracle's verdict
/// mode, tests/data/samples/verdicts) printed beside the time.
fn guard_sample(c: &mut Criterion) {
    let target = Btf::parse(&unpacked("host-6.18.44-fc-v657-amd64")).unwrap();
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/samples");
    let mut g = c.benchmark_group("guard sample vs 6.18");
    for name in ["13_loop_tracer", "14_bootstrap"] {
        let obj =
            Object::parse(&std::fs::read(samples.join(format!("{name}.bpf.o"))).unwrap()).unwrap();
        let knobs = corelab::pipeline::Knobs {
            kconfig: corelab::kconfig::Settings {
                config: Some(String::from_utf8(data::read("oracle/kconfig.fixed")).unwrap()),
                kernel_version: Some(0x06_12_2c),
                ..Default::default()
            },
            ..Default::default()
        };
        let verdicts = String::from_utf8(data::read(&format!(
            "samples/verdicts/{name}__host-6.18.44-fc-v657-amd64.jsonl.gz"
        )))
        .unwrap();
        let a = corelab::pipeline::analyze(&obj, &target, &knobs).unwrap();
        for r in &a.programs {
            let processed = verdicts
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .find(|v| v["type"] == "prog" && v["prog"] == r.name.as_str())
                .and_then(|v| v["processed_insns"].as_u64());
            eprintln!(
                "{name} {}: {} steps, verifier processed {} ({:.2}x)",
                r.name,
                r.exploration.steps,
                processed.map_or("?".into(), |p| p.to_string()),
                processed.map_or(f64::NAN, |p| r.exploration.steps as f64 / p as f64)
            );
        }
        g.bench_function(name, |b| {
            b.iter(|| corelab::pipeline::analyze(&obj, &target, &knobs).unwrap())
        });
    }
    g.finish();
}

/// pahole-style layouts of big kernel structs.
fn layout(c: &mut Criterion) {
    let btf = Btf::parse(&unpacked("host-6.18.44-fc-v657-amd64")).unwrap();
    let mut g = c.benchmark_group("layout 6.18");
    for name in ["task_struct", "sk_buff", "inode"] {
        let id = corelab::layout::find(&btf, name).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| corelab::layout::render(&btf, id).unwrap())
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    parse,
    lookups,
    objects,
    guard,
    guard_sample,
    layout
);
criterion_main!(benches);
