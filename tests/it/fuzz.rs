//! The fuzz targets' logic (`corelab::fuzzing`) as property tests: mutations of real seeds
//! (the fixtures the fuzz corpora are seeded from), plus every crash input ever found
//! (`tests/data/fuzz-regressions/<target>/`), replayed on stable Rust in `cargo test`.

use corelab::fuzzing;
use corelab_tests::data;
use proptest::prelude::*;

fn seeds_btf() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = data::list("probes", ".btf")
        .iter()
        .map(|p| data::read_path(p))
        .collect();
    v.push(data::read("modules/debian12-6.1.0-50-amd64-tcp_bbr.btf.gz"));
    v
}

/// Probes and random BTF with duplicates to merge (random kernels and their pieces).
fn seeds_dedup() -> Vec<Vec<u8>> {
    let mut v = seeds_btf();
    for seed in 0..8 {
        let case = corelab_tests::random_split::random_split(seed);
        v.push(case.base);
        v.extend(case.pieces);
    }
    v
}

fn seeds_object() -> Vec<Vec<u8>> {
    [
        "kconfig",
        "subprogs",
        "task_state_flavor",
        "bitfield_probed",
        "opensnoop",
    ]
    .iter()
    .map(|n| data::read(&format!("oracle/obj/{n}.o.gz")))
    .collect()
}

/// The `.BTF.ext` section of a corpus object.
fn seeds_ext() -> Vec<Vec<u8>> {
    seeds_object()
        .iter()
        .filter_map(|o| {
            let f = corelab::input::elf::inspect(o).ok()?;
            f.btf_ext.map(|(d, _)| d.to_vec())
        })
        .collect()
}

/// Access questions: declarations and expressions over `fuzzing::access_kernel`.
fn seeds_access() -> Vec<Vec<u8>> {
    [
        "task_t *t\0BPF_CORE_READ(t, parent, comm[3])",
        "struct task *t\0t->parent->in.b",
        "struct task *t\0BPF_CORE_READ_BITFIELD_PROBED(t, sign)",
        "bpf_core_enum_value(color_t, GREEN) + bpf_core_type_matches(struct slot___2)",
        "struct task___old { int state; } __attribute__((preserve_access_index));\0struct task *t\0\
         int s; if (bpf_core_field_exists(t->state)) s = t->state; else s = ((struct task___old *)t)->state;",
        "struct task *t\0bpf_core_field_exists(struct task, u1) ? t->u2 : sizeof(t->comm)",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// Load logs: the real and hand-written ones of tests/data/loadlog.
fn seeds_load_log() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = data::list("loadlog/logs", ".log.gz")
        .iter()
        .filter(|p| p.to_string_lossy().contains("ptregs_arch"))
        .map(|p| data::read_path(p))
        .collect();
    v.extend(
        data::list("loadlog/hand", ".log")
            .iter()
            .map(|p| data::read_path(p)),
    );
    v
}

fn load_log_with_object(log: &[u8]) {
    let obj = data::read("oracle/obj/ptregs_arch.o.gz");
    fuzzing::load_log(&obj, log);
}

fn mutate(mut b: Vec<u8>, edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
    if b.is_empty() {
        return b;
    }
    for &(pos, val) in edits {
        let i = pos % b.len();
        b[i] ^= val;
    }
    let keep = b.len() - cut % (b.len() / 8 + 1);
    b.truncate(keep);
    b
}

fn replay(target: &str, f: fn(&[u8])) {
    for p in data::list(&format!("fuzz-regressions/{target}"), "") {
        if p.file_name().is_some_and(|n| n != ".keep") {
            f(&data::read_path(&p));
        }
    }
}

#[test]
fn regressions_replay() {
    replay("btf", fuzzing::btf);
    replay("object", fuzzing::object);
    replay("btf_ext", fuzzing::btf_ext);
    replay("header", fuzzing::header);
    replay("writer", fuzzing::writer);
    replay("guard", fuzzing::guard);
    replay("reloc", fuzzing::reloc);
    replay("access", fuzzing::access);
    replay("load_log", load_log_with_object);
    replay("dedup", fuzzing::dedup);
    replay("catalog", fuzzing::catalog);
}

/// Writes the catalogue target's seeds for cargo-fuzz (core/fuzz/seed.sh runs this).
#[test]
fn catalog_seeds_for_cargo_fuzz() {
    let seeds = fuzzing::catalog_seeds();
    assert!(seeds.len() >= 4);
    for s in &seeds {
        fuzzing::catalog(s);
    }
    if let Some(dir) = std::env::var_os("CORELAB_FUZZ_SEEDS") {
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        for (i, s) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i}")), s).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn btf_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = seeds_btf();
        fuzzing::btf(&mutate(seeds[seed % seeds.len()].clone(), &edits, cut));
    }

    #[test]
    fn object_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = seeds_object();
        fuzzing::object(&mutate(seeds[seed % seeds.len()].clone(), &edits, cut));
    }

    #[test]
    fn btf_ext_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = seeds_ext();
        fuzzing::btf_ext(&mutate(seeds[seed % seeds.len()].clone(), &edits, cut));
    }

    #[test]
    fn reloc_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = seeds_object();
        fuzzing::reloc(&mutate(seeds[seed % seeds.len()].clone(), &edits, cut));
    }

    #[test]
    fn header_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = seeds_btf();
        fuzzing::header(&mutate(seeds[seed % seeds.len()].clone(), &edits, cut));
    }

    #[test]
    fn writer_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = seeds_btf();
        fuzzing::writer(&mutate(seeds[seed % seeds.len()].clone(), &edits, cut));
    }

    #[test]
    fn dedup_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = seeds_dedup();
        fuzzing::dedup(&mutate(seeds[seed % seeds.len()].clone(), &edits, cut));
    }

    #[test]
    fn catalog_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = fuzzing::catalog_seeds();
        let s = seeds[seed % seeds.len()].clone();
        // Keep the mode byte: mutate what follows it.
        let (mode, rest) = s.split_at(1);
        fuzzing::catalog(&[mode, &mutate(rest.to_vec(), &edits, cut)].concat());
    }

    #[test]
    fn guard_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = seeds_object();
        fuzzing::guard(&mutate(seeds[seed % seeds.len()].clone(), &edits, cut));
    }

    #[test]
    fn access_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = seeds_access();
        fuzzing::access(&mutate(seeds[seed % seeds.len()].clone(), &edits, cut));
    }

    #[test]
    fn load_log_target(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12), cut in any::<usize>()) {
        let seeds = seeds_load_log();
        load_log_with_object(&mutate(seeds[seed % seeds.len()].clone(), &edits, cut));
    }
}
