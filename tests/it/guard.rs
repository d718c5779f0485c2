//! Guarding against the kernel verifier: for every corpus object and public target, the
//! programs relocated exactly as libbpf relocated them (the oracle's patched instructions),
//! then simulated; verdicts and live instructions compared with what kernel 6.18's verifier
//! did (tests/data/oracle/verdicts). The same measure as the scoreboard's last line.

use std::collections::BTreeSet;

use corelab::btf::Btf;
use corelab::input::load_btf;
use corelab::insn::Insn;
use corelab::kconfig::{self, Settings};
use corelab::object::Object;
use corelab::pipeline::{self, Knobs};
use corelab::sim::{self, GuardInput, NotSubmitted, RelocSite, Verdict};
use corelab_tests::{data, oracle};
use serde_json::Value;

/// Relocated code and sites from the oracle's `relo` lines.
pub fn oracle_relocation(
    obj: &Object,
    relos: &[Value],
) -> (Vec<Vec<Insn>>, Vec<RelocSite>, Vec<String>) {
    let mut code: Vec<Vec<Insn>> = obj.code.iter().map(|c| c.insns.clone()).collect();
    let mut sites = Vec::new();
    let mut failed = Vec::new();
    for r in relos.iter().filter(|r| r["type"] == "relo") {
        let outcome = r["outcome"].as_str().unwrap_or("");
        if outcome == "error" {
            if let Some(p) = r["prog"].as_str() {
                failed.push(p.to_owned());
            }
            continue;
        }
        if outcome != "patched" && outcome != "poisoned" {
            continue;
        }
        let sec = r["sec"].as_str().unwrap();
        let Some((ci, _)) = obj.code_by_name(sec) else {
            continue;
        };
        let idx = r["sec_insn_idx"].as_u64().unwrap() as usize;
        let hex = oracle::unhex(r["insn_after"]["hex"].as_str().unwrap());
        for (k, chunk) in hex.chunks(8).enumerate() {
            code[ci][idx + k] = Insn::decode(chunk.try_into().unwrap(), obj.endian);
        }
        sites.push(RelocSite {
            code: ci,
            insn: idx as u32,
            sec: sec.to_owned(),
            sec_relo_idx: r["sec_relo_idx"].as_u64().unwrap() as u32,
            kind: r["kind"].as_str().unwrap().to_owned(),
            poisoned: outcome == "poisoned",
            ldimm64: hex.len() == 16,
            local_spec: r["local_spec"]["fmt"].as_str().unwrap_or("").to_owned(),
        });
    }
    (code, sites, failed)
}

/// How the programs get relocated before the simulation.
#[derive(Clone, Copy)]
enum Relocation {
    /// libbpf's own patched instructions from the oracle (isolates the simulation).
    Oracle,
    /// This project's relocation engine, through `pipeline::analyze` (end to end).
    Ours,
}

/// Agreement with the kernel verifier's verdicts, counted as the scoreboard counts it.
#[derive(Default)]
struct Tally {
    /// Programs the verifier loaded or rejected for a poison, and how many we agree on.
    agree: usize,
    total: usize,
    /// Loaded programs, and those whose live sets are exact.
    loaded: usize,
    exact: usize,
    /// Loaded programs where we call dead an instruction the verifier walked.
    unsound: usize,
    /// Our steps over the verifier's processed instructions, worst loaded program.
    worst_ratio: f64,
    notes: Vec<String>,
}

impl Tally {
    /// Compares our reports with one verdict file's `prog` lines.
    fn score(&mut self, label: &str, verdicts: &[Value], reports: &[sim::ProgramReport]) {
        for w in verdicts.iter().filter(|v| {
            v["type"] == "prog"
                && matches!(v["verdict"].as_str(), Some("loaded" | "rejected_poison"))
        }) {
            self.total += 1;
            let name = w["prog"].as_str().unwrap();
            let Some(r) = reports.iter().find(|r| r.name == name) else {
                self.notes.push(format!("{label} {name}: missing"));
                continue;
            };
            let wv = w["verdict"].as_str().unwrap();
            if r.verdict.label() == wv {
                self.agree += 1;
            } else {
                self.notes.push(format!(
                    "{label} {name}: verifier {wv}, simulation {:?}",
                    r.verdict
                ));
            }
            if wv != "loaded" {
                continue;
            }
            self.loaded += 1;
            if let Some(p) = w["processed_insns"].as_u64().filter(|&p| p > 0) {
                let ratio = r.exploration.steps as f64 / p as f64;
                if ratio > self.worst_ratio {
                    self.worst_ratio = ratio;
                }
            }
            let mut all_exact = true;
            for f in w["funcs"].as_array().unwrap() {
                let fname = f["name"].as_str().unwrap();
                let ev = oracle::ranges(f["visited"].as_str().unwrap());
                let av: BTreeSet<usize> = r
                    .funcs
                    .iter()
                    .find(|g| g.name == fname)
                    .map(|g| oracle::ranges(&g.visited))
                    .unwrap_or_default();
                if ev != av {
                    all_exact = false;
                    let missing: Vec<_> = ev.difference(&av).collect();
                    let extra: Vec<_> = av.difference(&ev).collect();
                    self.notes.push(format!(
                        "{label} {name}/{fname}: verifier {} ours {} (dead but visited: {missing:?}; live but unvisited: {extra:?})",
                        f["visited"], g_visited(r, fname)
                    ));
                    if !missing.is_empty() {
                        self.unsound += 1;
                    }
                }
            }
            if all_exact {
                self.exact += 1;
            }
        }
    }

    fn summary(&self) -> String {
        format!(
            "guard verdict agree {}/{}; live sets exact {}/{}; unsound {}",
            self.agree, self.total, self.exact, self.loaded, self.unsound
        )
    }
}

fn measure(how: Relocation) -> Tally {
    let config = String::from_utf8(data::read("oracle/kconfig.fixed")).unwrap();
    let mut tally = Tally::default();
    let mut targets: std::collections::HashMap<String, Btf> = Default::default();
    for (object, target) in oracle::pairs() {
        let verdicts = oracle::lines("verdicts", &object, &target);
        let judged = verdicts.iter().any(|v| {
            v["type"] == "prog"
                && matches!(v["verdict"].as_str(), Some("loaded" | "rejected_poison"))
        });
        if !judged {
            continue;
        }
        let obj = Object::parse(&oracle::object_bytes(&object)).unwrap();
        let tbtf = targets
            .entry(target.clone())
            .or_insert_with(|| load_btf(&oracle::target_bytes(&target), None).unwrap().btf);
        let settings = Settings {
            config: Some(config.clone()),
            kernel_version: kconfig::parse_release(&oracle::release_for(&target)),
            ..Default::default()
        };
        let reports = match how {
            Relocation::Ours => {
                let knobs = Knobs {
                    kconfig: settings,
                    ..Default::default()
                };
                pipeline::analyze(&obj, tbtf, &knobs).unwrap().programs
            }
            Relocation::Oracle => {
                let relos = oracle::lines("expected", &object, &target);
                let (code, sites, failed) = oracle_relocation(&obj, &relos);
                let mut input = GuardInput::new(&obj, code, sites);
                input.target = Some(tbtf);
                let layout = kconfig::layout(&obj).unwrap();
                if !layout.vars.is_empty() {
                    let r = kconfig::resolve(&layout, &settings).unwrap();
                    input.kconfig = Some((layout, r.image));
                }
                for (i, p) in obj.programs.iter().enumerate() {
                    if failed.contains(&p.name) {
                        input
                            .not_submitted
                            .push((i, NotSubmitted::RelocationError(None)));
                    }
                }
                sim::guard(&input)
            }
        };
        tally.score(&format!("{object}__{target}"), &verdicts, &reports);
    }
    tally
}

fn g_visited(r: &sim::ProgramReport, f: &str) -> String {
    r.funcs
        .iter()
        .find(|g| g.name == f)
        .map_or("-".into(), |g| g.visited.clone())
}

fn check_bar(how: Relocation) {
    let t = measure(how);
    for n in t.notes.iter().take(60) {
        eprintln!("{n}");
    }
    eprintln!("{}", t.summary());
    assert_eq!(
        t.unsound, 0,
        "the simulation called dead an instruction the verifier visited"
    );
    assert_eq!(t.agree, t.total, "verdicts differ");
    assert!(
        t.exact * 100 >= t.loaded * 95,
        "live sets exact {}/{} (< 95%)",
        t.exact,
        t.loaded
    );
}

#[test]
fn guard_agrees_with_the_kernel_verifier_on_libbpfs_relocation() {
    check_bar(Relocation::Oracle);
}

#[test]
fn guard_agrees_with_the_kernel_verifier_end_to_end() {
    check_bar(Relocation::Ours);
}

/// One corpus object against one kernel through the pipeline.
fn analyze(
    object: &str,
    target: &str,
    release: &str,
    set: &[(&str, &str)],
) -> Vec<sim::ProgramReport> {
    let obj = Object::parse(&oracle::object_bytes(object)).unwrap();
    let btf = load_btf(&oracle::target_bytes(target), None).unwrap().btf;
    let knobs = Knobs {
        kconfig: Settings {
            config: Some(String::from_utf8(data::read("oracle/kconfig.fixed")).unwrap()),
            kernel_version: kconfig::parse_release(release),
            ..Default::default()
        },
        set: set
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        limits: None,
        ..Default::default()
    };
    pipeline::analyze(&obj, &btf, &knobs).unwrap().programs
}

fn prog<'a>(r: &'a [sim::ProgramReport], name: &str) -> &'a sim::ProgramReport {
    r.iter().find(|p| p.name == name).unwrap()
}

/// state/__state: on the old kernel the `__state` branch is dead, on 6.18 the `state` one.
#[test]
fn task_state_flavor_loads_with_the_other_branch_dead() {
    let old = analyze("task_state_flavor", "old_kernel", "5.4.0", &[]);
    let new = analyze(
        "task_state_flavor",
        "host-6.18.44-fc-v657-amd64",
        "6.18.44",
        &[],
    );
    let (o, n) = (prog(&old, "task_state"), prog(&new, "task_state"));
    assert_eq!(
        (o.verdict.clone(), n.verdict.clone()),
        (Verdict::Loaded, Verdict::Loaded)
    );
    // Each kernel has poisoned instructions, and none is reachable.
    for r in [o, n] {
        assert!(
            !r.poisoned.is_empty() && r.poisoned.iter().all(|p| !p.reachable),
            "{}",
            r.name
        );
    }
    // The live code differs: what one kernel keeps the other removes.
    assert_ne!(o.funcs[0].visited, n.funcs[0].visited);
    let decided = |r: &sim::ProgramReport| {
        r.branches()
            .iter()
            .filter(|(_, b)| b.decided && !(b.taken && b.fallthrough))
            .count()
    };
    assert!(decided(o) > 0 && decided(n) > 0);
}

/// An unguarded missing field: rejected, naming the instruction, relocation and source line.
#[test]
fn poison_missing_is_rejected_with_its_relocation_and_source() {
    let r = analyze(
        "poison_missing",
        "host-6.18.44-fc-v657-amd64",
        "6.18.44",
        &[],
    );
    let rejected: Vec<_> = r
        .iter()
        .filter(|p| p.verdict == Verdict::RejectedPoison)
        .collect();
    assert!(!rejected.is_empty());
    let obj = Object::parse(&oracle::object_bytes("poison_missing")).unwrap();
    for p in rejected {
        let first = p
            .poisoned
            .iter()
            .find(|x| x.first)
            .expect("the poison the verifier meets");
        assert!(first.reachable);
        assert_eq!(first.kernel_message, "invalid func unknown#195896080");
        assert!(
            first.libbpf_message.starts_with(&format!(
                "{}: <invalid CO-RE relocation>\nfailed to resolve CO-RE relocation <",
                first.idx
            )),
            "{}",
            first.libbpf_message
        );
        assert!(first.site.is_some());
        let (c, i) = p.linked.origin[first.idx];
        assert!(obj
            .source_line(c, i)
            .is_some_and(|l| l.line > 0 && !l.text.is_empty()));
    }
}

/// LINUX_KERNEL_VERSION decides a branch: 5.4 and 6.18 keep different code.
#[test]
fn kconfig_guarded_code_flips_with_the_kernel_release() {
    let t = "host-6.18.44-fc-v657-amd64";
    let old = analyze("kconfig", t, "5.4.0", &[]);
    let new = analyze("kconfig", t, "6.18.0", &[]);
    let (o, n) = (prog(&old, "kconfig"), prog(&new, "kconfig"));
    assert_ne!(o.funcs[0].visited, n.funcs[0].visited);
    assert_eq!(n.verdict, Verdict::Loaded);
    assert!(n
        .branches()
        .iter()
        .any(|(_, b)| matches!(b.decided_by, Some(sim::Origin::Kconfig(_)))));
}

/// `const volatile` flags in .rodata decide branches, and `--set` flips them.
#[test]
fn rodata_flags_flip_branches_with_set() {
    let t = "host-6.18.44-fc-v657-amd64";
    let live = |set: &[(&str, &str)]| {
        prog(&analyze("opensnoop", t, "6.18.44", set), "tp_enter_openat").funcs[0]
            .visited
            .clone()
    };
    let default = live(&[]);
    let tgid = live(&[("targ_tgid", "42")]);
    let uid = live(&[("targ_uid", "1000")]);
    assert_ne!(default, tgid);
    assert_ne!(default, uid);
    assert_ne!(tgid, uid);
    assert_eq!(
        live(&[("targ_failed", "true")]),
        default,
        "targ_failed is only read on exit"
    );
}

/// The project's samples (www/samples) against the kernel verifier's verdicts on them
/// (tests/data/samples/verdicts, the oracle's verdict mode): every verdict and every live set
/// equal, and the walk at most 10x the verifier's processed instructions.
#[test]
fn samples_agree_with_the_kernel_verifier() {
    let config = String::from_utf8(data::read("oracle/kconfig.fixed")).unwrap();
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/samples");
    let mut tally = Tally::default();
    let mut files = 0;
    for f in data::list("samples/verdicts", ".jsonl.gz") {
        let stem = data::stem(&f, ".jsonl.gz");
        let (object, target) = stem.split_once("__").expect("object__target");
        let obj = Object::parse(&std::fs::read(samples.join(format!("{object}.bpf.o"))).unwrap())
            .unwrap();
        let btf = load_btf(&oracle::target_bytes(target), None).unwrap().btf;
        let knobs = Knobs {
            kconfig: Settings {
                config: Some(config.clone()),
                kernel_version: kconfig::parse_release(&oracle::release_for(target)),
                ..Default::default()
            },
            ..Default::default()
        };
        let reports = pipeline::analyze(&obj, &btf, &knobs).unwrap().programs;
        let text = String::from_utf8(data::read_path(&f)).unwrap();
        let verdicts: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        tally.score(&stem, &verdicts, &reports);
        files += 1;
    }
    for n in &tally.notes {
        eprintln!("{n}");
    }
    eprintln!(
        "samples: {}; worst steps/processed {:.2}",
        tally.summary(),
        tally.worst_ratio
    );
    assert!(files >= 14 * 4, "{files} verdict files");
    assert_eq!(tally.unsound, 0);
    assert_eq!(tally.agree, tally.total);
    assert_eq!(tally.exact, tally.loaded);
    assert!(tally.worst_ratio <= 10.0, "{}", tally.worst_ratio);
}

/// A walk the budget cuts short is a verdict, and shows nothing as dead.
#[test]
fn a_budget_cut_walk_is_undecided_and_shows_no_dead_code() {
    let obj = Object::parse(&oracle::object_bytes("tcpstates")).unwrap();
    let btf = load_btf(&oracle::target_bytes("host-6.18.44-fc-v657-amd64"), None)
        .unwrap()
        .btf;
    let knobs = Knobs {
        limits: Some(sim::Limits {
            max_steps: 20,
            ..Default::default()
        }),
        ..Default::default()
    };
    let a = pipeline::analyze(&obj, &btf, &knobs).unwrap();
    assert!(!a.programs.is_empty());
    for r in &a.programs {
        if matches!(r.verdict, Verdict::NotSubmitted(_)) {
            continue;
        }
        assert!(
            matches!(r.verdict, Verdict::Undecided(_)),
            "{:?}",
            r.verdict
        );
        assert_eq!(r.verdict.coverage(), sim::Coverage::Partial);
        assert!(!r.verdict.coverage().unreached_is_dead());
        assert!(r
            .verdict
            .coverage()
            .unreached_words()
            .starts_with("not explored"));
    }
}

/// Helper names come from the target's `enum bpf_func_id`; the table agrees with every
/// kernel's enum on names, and on the release each helper appeared in.
#[test]
fn helper_names_and_releases_agree_with_the_kernels() {
    let release = |s: &str| -> (u32, u32) {
        let (a, b) = s.split_once('.').unwrap();
        (a.parse().unwrap(), b.parse().unwrap())
    };
    for (file, rel) in [
        ("debian11-5.10.0-46-amd64", (5, 10)),
        ("debian12-6.1.0-50-amd64", (6, 1)),
        ("debian13-6.12.107-s390x", (6, 12)),
        ("host-6.18.44-fc-v657-amd64", (6, 18)),
    ] {
        let btf = load_btf(&data::read(&format!("btf/{file}.btf.gz")), None)
            .unwrap()
            .btf;
        let names = sim::HelperNames::from_btf(&btf);
        assert!(names.has_target_list(), "{file}");
        for id in 1..=211 {
            let h = sim::helpers::helper(id).unwrap();
            let has = names.target_has(id).unwrap();
            assert_eq!(
                has,
                release(h.since) <= rel,
                "{file}: {} since {}",
                h.name,
                h.since
            );
            if has {
                assert_eq!(names.name(id), Some(h.name), "{file}");
            }
        }
    }
    let old = sim::HelperNames::from_btf(
        &load_btf(&data::read("btf/debian11-5.10.0-46-amd64.btf.gz"), None)
            .unwrap()
            .btf,
    );
    // Not in 5.10: named from the table.
    assert_eq!(old.name(181), Some("bpf_loop"));
}
