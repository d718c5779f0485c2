//! `explain-log` on real logs: the libbpf messages and level-2 verifier logs the oracle
//! recorded when the kernel (6.18) verified libbpf 1.5's relocated programs of corpus,
//! sample and Debian libbpf-tools objects against the public kernels' BTF
//! (tests/data/loadlog/cases.jsonl holds the oracle's verdict for each). Every poisoned
//! instruction the kernel stopped at is found, at the instruction and function the oracle
//! recorded, named by the same local spec libbpf printed, and the simulation agrees.
//! Hand-written logs cover what the oracle cannot produce here: cilium/ebpf's and aya's
//! error text, a 5.10 kernel's format, map and kfunc poisons.

use corelab::btf::Btf;
use corelab::input::load_btf;
use corelab::kconfig::{parse_release, Settings};
use corelab::loadlog::{self, FindingKind, Match, Options, Wrapper};
use corelab::object::Object;
use corelab::pipeline::Knobs;
use corelab_tests::data;

fn object(rel: &str) -> Object {
    Object::parse(&data::read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn kernel(rel: &str) -> Btf {
    load_btf(&data::read(rel), None).unwrap().btf
}

fn knobs(release: &str) -> Knobs {
    Knobs {
        kconfig: Settings {
            config: Some(String::from_utf8(data::read("oracle/kconfig.fixed")).unwrap()),
            kernel_version: parse_release(release),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn text(rel: &str) -> String {
    String::from_utf8_lossy(&data::read(rel)).into_owned()
}

#[test]
fn real_logs_name_the_poisoned_relocation() {
    let cases = String::from_utf8(data::read("loadlog/cases.jsonl")).unwrap();
    let (mut poison, mut other) = (0, 0);
    for line in cases.lines() {
        let c: serde_json::Value = serde_json::from_str(line).unwrap();
        let s = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
        let obj = object(&s("object"));
        let target = kernel(&s("target"));
        let log = loadlog::parse(&text(&s("log")));
        let opts = Options {
            target: Some(&target),
            knobs: knobs(&s("release")),
            prog: None,
        };
        let ex = loadlog::explain(&obj, &log, &opts);
        let case = s("log");
        assert!(ex.matches(), "{case}: {:?}", ex.progs[0].matched);
        // A bare log names no program: programs with the same code are equally possible,
        // and the person who loaded it says which (`--prog`).
        let progs: Vec<&str> = match &ex.progs[0].matched {
            Match::ByCode { prog, others } => std::iter::once(prog)
                .chain(others)
                .map(|&i| obj.programs[i].name.as_str())
                .collect(),
            Match::Named(i) => vec![obj.programs[*i].name.as_str()],
            m => panic!("{case}: {m:?}"),
        };
        assert!(progs.contains(&s("prog").as_str()), "{case}: {progs:?}");
        let prog = s("prog");
        let ex = loadlog::explain(
            &obj,
            &log,
            &Options {
                prog: Some(&prog),
                ..opts
            },
        );
        let p = &ex.progs[0];
        assert!(
            matches!(p.matched, Match::Named(i) | Match::Given(i) if obj.programs[i].name == prog),
            "{case}: {:?}",
            p.matched
        );
        if s("verdict") == "rejected_poison" {
            poison += 1;
            let f = p
                .findings
                .first()
                .unwrap_or_else(|| panic!("{case}: no finding"));
            let at = f.place.as_ref().unwrap();
            assert_eq!(u64::from(at.insn), c["insn"].as_u64().unwrap(), "{case}");
            assert_eq!(at.func, s("func"), "{case}");
            assert_eq!(
                u64::from(at.func_insn),
                c["func_insn"].as_u64().unwrap(),
                "{case}"
            );
            let FindingKind::Core { spec, sec, .. } = &f.kind else {
                panic!("{case}: {:?}", f.kind)
            };
            assert!(!sec.is_empty(), "{case}");
            assert_eq!(spec, &s("spec"), "{case}: libbpf's spec of the record");
            assert!(!f.cause.is_empty() && !f.fix.is_empty());
            let sim = p.sim.as_ref().unwrap();
            assert!(sim.agrees, "{case}: {:?}", sim.differences);
        } else {
            other += 1;
            assert!(p.findings.is_empty(), "{case}");
            assert_eq!(p.error.as_deref(), Some(s("error").as_str()), "{case}");
        }
    }
    assert_eq!((poison, other), (34, 6));
}

#[test]
fn cilium_aya_and_old_kernel_forms() {
    let ptregs = object("oracle/obj/ptregs_arch.o.gz");
    let s390 = kernel("btf/debian13-6.12.107-s390x.btf.gz");
    let with = Options {
        target: Some(&s390),
        knobs: knobs("6.12.107"),
        prog: None,
    };
    for (file, wrapper, exact) in [
        ("aya_ptregs_exit.log", Wrapper::Aya, true),
        ("cilium_plusv_ptregs_exit.log", Wrapper::Cilium, true),
        ("cilium_oneline_ptregs_exit.log", Wrapper::Cilium, false),
    ] {
        let log = loadlog::parse(&text(&format!("loadlog/hand/{file}")));
        assert_eq!(log.wrapper, wrapper, "{file}");
        let ex = loadlog::explain(&ptregs, &log, &with);
        let p = &ex.progs[0];
        assert_eq!(
            ptregs.programs[p.prog().unwrap()].name,
            "ptregs_exit",
            "{file}"
        );
        let f = &p.findings[0];
        assert_eq!(f.place.as_ref().unwrap().insn, 1, "{file}");
        // The one-line form does not say where: the simulation does.
        assert_eq!(f.located_by.is_none(), exact, "{file}");
        assert!(
            f.cause.contains("x86") && f.cause.contains("s390"),
            "{file}: {}",
            f.cause
        );
        assert!(p.sim.as_ref().unwrap().agrees, "{file}");
        // Without the target, the one-line form can only say what could be poisoned.
        if !exact {
            let bare = loadlog::explain(&ptregs, &log, &Options::default());
            let f = &bare.progs[0].findings[0];
            assert!(f.place.is_none());
            assert!(f.cause.contains("pt_regs.ax"), "{}", f.cause);
        }
    }
    let sample = object("loadlog/obj/sample_10_guarding.bpf.o.gz");
    let k510 = kernel("btf/debian11-5.10.0-46-amd64.btf.gz");
    let log = loadlog::parse(&text("loadlog/hand/k510_atime_unguarded.log"));
    let ex = loadlog::explain(
        &sample,
        &log,
        &Options {
            target: Some(&k510),
            knobs: knobs("5.10.0"),
            prog: None,
        },
    );
    let p = &ex.progs[0];
    assert_eq!(sample.programs[p.prog().unwrap()].name, "atime_unguarded");
    let f = &p.findings[0];
    assert!(matches!(&f.kind, FindingKind::Core { access, .. } if access == "inode.i_atime_sec"));
    assert!(f.cause.contains("i_atime"), "{}", f.cause);
    assert!(p.sim.as_ref().unwrap().agrees);
}

#[test]
fn map_and_kfunc_poisons() {
    let obj = object("loadlog/obj/poisons.bpf.o.gz");
    let host = kernel("btf/host-6.18.44-fc-v657-amd64.btf.gz");
    let opts = Options {
        target: Some(&host),
        knobs: knobs("6.18.44"),
        prog: None,
    };
    for (file, prog, insn) in [
        ("kfunc_raw.log", "call_missing_kfunc", 0),
        ("kfunc_libbpf.log", "call_missing_kfunc", 0),
        ("map_raw.log", "count", 4),
        ("map_libbpf.log", "count", 4),
    ] {
        let ex = loadlog::explain(
            &obj,
            &loadlog::parse(&text(&format!("loadlog/hand/{file}"))),
            &opts,
        );
        let p = &ex.progs[0];
        assert_eq!(obj.programs[p.prog().unwrap()].name, prog, "{file}");
        let f = &p.findings[0];
        assert_eq!(f.place.as_ref().unwrap().insn, insn, "{file}");
        match &f.kind {
            FindingKind::Kfunc { name } => {
                assert_eq!(name.as_deref(), Some("bpf_corelab_no_such_kfunc"), "{file}");
                assert!(p.sim.as_ref().unwrap().agrees, "{file}");
            }
            FindingKind::Map { name, .. } => {
                assert_eq!(name.as_deref(), Some("counts"), "{file}");
                // The simulation cannot know user space turned the map's autocreate off,
                // and says so.
                let sim = p.sim.as_ref().unwrap();
                assert!(!sim.agrees);
                assert!(sim.differences.iter().any(|d| d.contains("autocreate")));
            }
            k => panic!("{file}: {k:?}"),
        }
    }
}

#[test]
fn a_log_of_another_object_does_not_match() {
    let obj = object("loadlog/obj/poisons.bpf.o.gz");
    for log in [
        "loadlog/logs/ptregs_arch__s390x__ptregs_exit.verifier.log.gz",
        "loadlog/logs/ptregs_arch__s390x__ptregs_exit.libbpf.log.gz",
    ] {
        let ex = loadlog::explain(&obj, &loadlog::parse(&text(log)), &Options::default());
        assert!(!ex.matches(), "{log}");
        assert!(matches!(&ex.progs[0].matched, Match::NoMatch(_)));
    }
    // Garbage is no log at all.
    let ex = loadlog::explain(&obj, &loadlog::parse("hello\nworld"), &Options::default());
    assert!(!ex.matches());
}
