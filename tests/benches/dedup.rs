//! Merging three modules over their kernel (Debian 6.1: nf_conntrack, nf_nat, nf_tables;
//! 100 642 kernel types, 2 098 module types, 2 014 after deduplication), measured in the same
//! run as bpftool 7.8's whole `bpftool -B VMLINUX btf dump file M1 file M2 file M3`:
//!
//! - `dedup`: the merge of the parsed modules (append, deduplicate, encode the result);
//! - `parse+dedup+listing`: what `corelab dump M1 M2 M3 --base VMLINUX` does in memory
//!   (parse the kernel and modules, merge, write the listing);
//! - `bpftool 7.8 whole run`: the process, when a bpftool ≥ 7.7 is found (`CORELAB_BPFTOOL`
//!   names one), its listing to /dev/null.
//!
//! `cargo bench -p corelab-tests --bench dedup`; the ratios are in README.md.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use corelab::btf::Btf;
use corelab::btf_dedup::{self, Limits};
use criterion::{criterion_group, criterion_main, Criterion};

const KERNEL: &str = "debian12-6.1.0-50-amd64";
const MODULES: [&str; 3] = ["nf_conntrack", "nf_nat", "nf_tables"];

fn dedup_bench(c: &mut Criterion) {
    let data = corelab_tests::data::read;
    let raw_base = data(&format!("btf/{KERNEL}.btf.gz"));
    let raw_mods: Vec<Vec<u8>> = MODULES
        .iter()
        .map(|m| data(&format!("modules/{KERNEL}-{m}.btf.gz")))
        .collect();
    let base = Arc::new(Btf::parse(&raw_base).unwrap());
    let mods: Vec<Btf> = raw_mods
        .iter()
        .map(|m| Btf::parse_split(m, base.clone()).unwrap())
        .collect();
    let parts: Vec<&Btf> = mods.iter().collect();
    let merged = btf_dedup::merge(Some(&base), &parts, &Limits::default()).unwrap();
    eprintln!(
        "kernel + 3 modules: {} module types -> {}, {} steps of work",
        merged.stats.types_in, merged.stats.types_out, merged.stats.work
    );

    let mut g = c.benchmark_group("merge-6.1+3");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("dedup", |b| {
        b.iter(|| btf_dedup::merge(Some(&base), &parts, &Limits::default()).unwrap())
    });
    g.bench_function("parse+dedup+listing", |b| {
        b.iter(|| {
            let base = Arc::new(Btf::parse_owned(raw_base.clone(), None).unwrap());
            let mods = raw_mods
                .iter()
                .map(|m| Btf::parse_split(m, base.clone()).unwrap())
                .collect();
            let merged = btf_dedup::merge_modules(&base, mods).unwrap();
            corelab::dump::write_raw(&merged, &mut std::io::sink()).unwrap();
        })
    });
    if let Some(bpftool) = corelab_tests::tools::bpftool_merging() {
        let dir = corelab_tests::data::scratch("bench-merge");
        let base_file = dir.join("vmlinux.btf");
        std::fs::write(&base_file, &raw_base).unwrap();
        let mut cmd = Command::new(bpftool);
        cmd.arg("-B").arg(&base_file).args(["btf", "dump"]);
        for (m, raw) in MODULES.iter().zip(&raw_mods) {
            let f = dir.join(format!("{m}.btf"));
            std::fs::write(&f, raw).unwrap();
            cmd.arg("file").arg(f);
        }
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        g.bench_function("bpftool 7.8 whole run", |b| {
            b.iter(|| assert!(cmd.status().unwrap().success()))
        });
    } else {
        eprintln!("note: no bpftool >= 7.7 (CORELAB_BPFTOOL=...): its run is not measured");
    }
    g.finish();
}

criterion_group!(benches, dedup_bench);
criterion_main!(benches);
