//! The CLI contract (DESIGN.md): exit 0 on success, 1 on bad input with one line on stderr
//! naming the file, the offset and the problem, 2 on usage errors — and mutated inputs
//! through every verb never crash, hang or exit otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use corelab_tests::data;

fn corelab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_corelab"))
}

/// Runs with a time limit (a hang is a failure).
fn run(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn corelab");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn bad_input_is_exit_1_with_one_line_naming_file_and_offset() {
    let dir = data::scratch("cli-bad");
    let mut blob = data::read("probes/c03_decls.btf");
    blob.truncate(blob.len() - 7);
    let f = write(&dir, "truncated.btf", &blob);
    let out = run(
        {
            let mut c = corelab();
            c.arg("dump").arg(&f);
            c
        },
        Duration::from_secs(10),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("corelab: {}: offset 0x", f.display())),
        "{err}"
    );
    let g = write(&dir, "garbage.bin", b"hello world");
    let out = run(
        {
            let mut c = corelab();
            c.arg("info").arg(&g);
            c
        },
        Duration::from_secs(10),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("not a recognised input"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn usage_errors_are_exit_2() {
    for args in [&["dump"][..], &["no-such-verb"], &["dump", "a", "--bogus"]] {
        let out = run(
            {
                let mut c = corelab();
                c.args(args);
                c
            },
            Duration::from_secs(10),
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// Deterministic mutations of a fixture: bit flips, truncations, edge values.
fn mutations(seed: u64, base: &[u8], n: usize) -> Vec<Vec<u8>> {
    let mut s = seed;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    (0..n)
        .map(|i| {
            let mut b = base.to_vec();
            match i % 4 {
                0 => {
                    for _ in 0..1 + next() % 8 {
                        let at = (next() as usize) % b.len();
                        b[at] ^= 1 << (next() % 8);
                    }
                }
                1 => {
                    let keep = (next() as usize) % b.len();
                    b.truncate(keep);
                }
                2 => {
                    let at = (next() as usize) % b.len().saturating_sub(4).max(1);
                    let edge = [0u32, 1, 0x7fff_ffff, 0x8000_0000, u32::MAX, 0x00ff_ffff]
                        [(next() % 6) as usize];
                    let end = (at + 4).min(b.len());
                    b[at..end].copy_from_slice(&edge.to_le_bytes()[..end - at]);
                }
                _ => {
                    let at = (next() as usize) % b.len();
                    let len = (next() as usize % 64).min(b.len() - at);
                    b.drain(at..at + len);
                }
            }
            b
        })
        .collect()
}

/// Every verb on mutated fixtures: exit 0 or 1, no hang, no panic message.
#[test]
fn mutated_fixtures_through_every_verb() {
    let dir = data::scratch("cli-mut");
    let base_btf = data::read("probes/c03_decls.btf");
    let base_obj = data::read("oracle/obj/kconfig.o.gz");
    let target = write(&dir, "target.btf", &data::read("probes/c02_names.btf"));
    let mut runs = 0;
    for (i, m) in mutations(0x5eed, &base_btf, 60).into_iter().enumerate() {
        let f = write(&dir, &format!("m{i}.btf"), &m);
        for verb in verbs_on_btf(&f, &target) {
            check(verb, &mut runs);
        }
    }
    for (i, m) in mutations(0xb0b, &base_obj, 60).into_iter().enumerate() {
        let f = write(&dir, &format!("m{i}.o"), &m);
        for verb in verbs_on_object(&f, &target) {
            check(verb, &mut runs);
        }
    }
    assert!(runs >= 360);
    let _ = std::fs::remove_dir_all(dir);
}

fn verbs_on_btf(f: &Path, _target: &Path) -> Vec<Command> {
    let mut v = Vec::new();
    for verb in ["dump", "info"] {
        let mut c = corelab();
        c.arg(verb).arg(f);
        v.push(c);
    }
    v
}

fn verbs_on_object(f: &Path, target: &Path) -> Vec<Command> {
    let mut v = Vec::new();
    for verb in ["dump", "info"] {
        let mut c = corelab();
        c.arg(verb).arg(f);
        v.push(c);
    }
    let mut c = corelab();
    c.arg("minimize")
        .arg(f)
        .arg("--target")
        .arg(target)
        .arg("-o")
        .arg(f.with_extension("min"));
    v.push(c);
    for json in [false, true] {
        let mut c = corelab();
        c.arg("guard")
            .arg(f)
            .arg("--target")
            .arg(target)
            .args(["--kernel-release", "6.1.0"]);
        if json {
            c.arg("--json");
        }
        v.push(c);
        let mut c = corelab();
        c.arg("reloc").arg(f).arg("--target").arg(target);
        if json {
            c.arg("--json");
        }
        v.push(c);
    }
    // A real log of another object, against the mutated one: never a crash.
    let log = f.with_extension("log");
    std::fs::write(
        &log,
        data::read("loadlog/logs/ptregs_arch__s390x__ptregs_exit.verifier.log.gz"),
    )
    .unwrap();
    let mut c = corelab();
    c.arg("explain-log")
        .arg(f)
        .arg(&log)
        .arg("--target")
        .arg(target);
    v.push(c);
    v
}

fn check(cmd: Command, runs: &mut usize) {
    let desc = format!("{cmd:?}");
    let out = run(cmd, Duration::from_secs(20));
    let code = out.status.code();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(code, Some(0 | 1)), "{desc}: exit {code:?}: {err}");
    assert!(!err.contains("panicked"), "{desc}: {err}");
    if code == Some(1) {
        assert_eq!(err.lines().count(), 1, "{desc}: {err}");
    }
    *runs += 1;
}

/// `corelab reloc --json` against the oracle, through the binary: outcome, instruction bytes,
/// specs and log of every record of a few (object, target) pairs (the full comparison of the
/// engine is cli/tests/reloc_oracle.rs; the scoreboard runs the binary on all of them).
#[test]
fn reloc_json_is_the_oracle_schema() {
    let dir = data::scratch("cli-reloc");
    let kconfig = data::path("oracle/kconfig.fixed");
    for (obj, target, target_file, release) in [
        (
            "ambiguous",
            "dup_candidates",
            "oracle/targets/dup_candidates.btf.gz",
            "6.18.0",
        ),
        (
            "kconfig",
            "old_kernel",
            "oracle/targets/old_kernel.btf.gz",
            "5.4.0",
        ),
        (
            "optional_prog",
            "debian11-5.10.0-46-amd64",
            "btf/debian11-5.10.0-46-amd64.btf.gz",
            "5.10.0",
        ),
        (
            "memsz_ldx",
            "moved_resized",
            "oracle/targets/moved_resized.btf.gz",
            "7.0.0",
        ),
    ] {
        let o = write(
            &dir,
            &format!("{obj}.o"),
            &data::read(&format!("oracle/obj/{obj}.o.gz")),
        );
        let mut c = corelab();
        c.arg("reloc")
            .arg(&o)
            .arg("--target")
            .arg(data::path(target_file))
            .arg("--json");
        c.arg("--kconfig")
            .arg(&kconfig)
            .arg("--kernel-release")
            .arg(release);
        let out = run(c, Duration::from_secs(20));
        assert_eq!(out.status.code(), Some(0), "{obj}");
        let parse = |text: &str| -> Vec<serde_json::Value> {
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        let got = parse(&String::from_utf8(out.stdout).unwrap());
        let want = parse(
            &String::from_utf8(data::read(&format!(
                "oracle/expected/{obj}__{target}.jsonl.gz"
            )))
            .unwrap(),
        );
        assert_eq!(got.len(), want.len(), "{obj}: line count");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g["type"], w["type"]);
            let keys: &[&str] = match w["type"].as_str() {
                Some("relo") => &[
                    "sec",
                    "sec_relo_idx",
                    "prog",
                    "prog_insn_idx",
                    "kind",
                    "outcome",
                    "pass",
                    "insn_after",
                    "local_spec",
                    "target_spec",
                    "cand_results",
                    "res",
                    "log",
                ],
                Some("kconfig") => &["name", "offset", "size", "hex", "value"],
                Some("summary") => &["outcomes", "passes", "disabled_progs", "relocation"],
                _ => &["core_relos"],
            };
            for k in keys {
                assert_eq!(g[k], w[k], "{obj}__{target} {} {k}", w["sec_relo_idx"]);
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The readable view names what each relocation accesses and what it became.
#[test]
fn reloc_table_reads_like_c() {
    let mut c = corelab();
    c.arg("reloc")
        .arg(data::path("oracle/obj/field_exists.o.gz"))
        .arg("--target")
        .arg(data::path("btf/debian11-5.10.0-46-amd64.btf.gz"));
    let out = run(c, Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let row = text
        .lines()
        .find(|l| l.contains("bpf_attr.link_create.perf_event.bpf_cookie"))
        .expect("a row for bpf_cookie");
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "kprobe/do_nanosleep",
            "0",
            "field_exists",
            "2",
            "field_exists",
            "bpf_attr.link_create.perf_event.bpf_cookie",
            "patched",
            "imm",
            "1",
            "->",
            "0"
        ]
    );
    // Then libbpf's log, including the partial spec of the candidate that did not match.
    for line in [
        "libbpf: prog 'field_exists': relo #0: <field_exists> [18] union bpf_attr.link_create.perf_event.bpf_cookie (0:13:4:2:0 @ offset 16)",
        "libbpf: prog 'field_exists': relo #0: non-matching candidate #0 <field_exists> [2844] union bpf_attr.link_create (0:13 @ offset 0)",
        "libbpf: prog 'field_exists': relo #0: no matching targets found",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}");
    }
}

/// Several modules over their kernel: `dump` and `header` print bpftool 7.8.0's merge (the
/// references of tests/data/modules/merged/), several files without `--base` are a usage
/// error (exit 2, as bpftool refuses them), and a module that cannot be read is named in a
/// one-line error (exit 1).
#[test]
fn merged_modules_through_the_cli() {
    let kernel = data::path("btf/debian12-6.1.0-50-amd64.btf.gz");
    let mods: Vec<PathBuf> = ["nf_conntrack", "nf_nat", "nf_tables"]
        .iter()
        .map(|m| data::path(&format!("modules/debian12-6.1.0-50-amd64-{m}.btf.gz")))
        .collect();
    let case = "modules/merged/debian12-6.1.0-50-amd64+nf_conntrack+nf_nat+nf_tables";
    let dir = data::scratch("cli-merge");
    // Output goes to a file: `run` reads pipes only at the end, and a listing fills one.
    let out_file = dir.join("stdout");
    let verb = |args: &[&str], files: &[PathBuf], base: Option<&Path>| {
        let mut c = corelab();
        c.args(args).args(files);
        if let Some(b) = base {
            c.arg("--base").arg(b);
        }
        let mut child = c
            .stdout(std::fs::File::create(&out_file).unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < Duration::from_secs(60), "{c:?} hangs");
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut out = child.wait_with_output().unwrap();
        out.stdout = std::fs::read(&out_file).unwrap();
        out
    };
    let out = verb(&["dump"], &mods, Some(&kernel));
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout == data::read(&format!("{case}.raw.txt.gz")));

    let out = verb(&["header", "-p", "bpftool-7.8"], &mods, Some(&kernel));
    assert_eq!(out.status.code(), Some(0));
    let want = data::apply_unified_diff(
        &data::read("headers/bpftool-7.8.0/debian12-6.1.0-50-amd64.h.gz"),
        &data::read(&format!("{case}.h.diff.gz")),
    );
    assert!(out.stdout == want, "header differs from bpftool 7.8's");

    let out = verb(&["dump"], &mods, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--base"));

    let bad = write(&dir, "garbage.btf", b"not a module");
    let out = verb(&["header"], &[mods[0].clone(), bad.clone()], Some(&kernel));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("corelab: {}: ", bad.display())),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `guard` names helpers as the verifier's log does, says what unreached instructions are,
/// and reports its step count (comparable with the verifier's `processed N insns`).
#[test]
fn guard_lists_named_helpers_and_what_unreached_code_is() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/samples");
    let target = data::path("btf/host-6.18.44-fc-v657-amd64.btf.gz");
    let guard = |sample: &str, extra: &[&str]| {
        let mut c = corelab();
        c.arg("guard")
            .arg(samples.join(sample))
            .arg("--target")
            .arg(&target);
        c.args(extra);
        let out = run(c, Duration::from_secs(30));
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let text = guard("11_probe_read_zeroed.bpf.o", &["--listing"]);
    assert!(
        text.contains("program probe_read_zeroed (kprobe/vfs_open): loads"),
        "{text}"
    );
    assert!(text.contains("call bpf_probe_read_kernel#113"), "{text}");
    assert!(text.contains("call bpf_get_current_comm#16"), "{text}");
    // The guarded reads of inode timestamps: on 6.18 the older layouts' branches are dead.
    let text = guard("10_guarding.bpf.o", &[]);
    assert!(text.contains("dead (removed by the verifier):"), "{text}");
    let json = guard("11_probe_read_zeroed.bpf.o", &["--json"]);
    let line: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(line["verdict"], "loaded");
    assert_eq!(line["unreached"], "dead");
    assert!(line["steps"].as_u64().unwrap() > 0);
}
