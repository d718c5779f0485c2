//! `corelab access` and `corelab explain-log` through the binary: the JSON lines the checks
//! read (DESIGN.md's shapes), one-line errors with the column, and a log of another object
//! refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use corelab_tests::data;
use serde_json::Value;

fn corelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corelab"))
        .args(args)
        .output()
        .expect("run corelab")
}

fn file(dir: &Path, rel: &str) -> PathBuf {
    let p = dir.join(rel.replace('/', "_").trim_end_matches(".gz"));
    std::fs::write(&p, data::read(rel)).unwrap();
    p
}

fn assert_succeeded(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn access_json_is_relo_lines_in_reloc_shape() {
    let dir = data::scratch("cli-access");
    let k61 = file(&dir, "btf/debian12-6.1.0-50-amd64.btf.gz");
    let k510 = file(&dir, "btf/debian11-5.10.0-46-amd64.btf.gz");
    let (k61, k510) = (k61.to_str().unwrap(), k510.to_str().unwrap());
    let q = [
        "struct task_struct *t",
        "BPF_CORE_READ(t, mm, exe_file)",
        "t->mm->exe_file",
    ];
    let mut args = vec!["access", "--local", k61, "--json"];
    args.extend(q);
    let out = corelab(&args);
    assert_succeeded(&out);
    let v = lines(&out);
    // Two distinct records (the load of `mm` and the offset of `exe_file` are each emitted
    // twice by the two expressions).
    assert_eq!(v.len(), 2);
    for l in &v {
        assert_eq!(l["type"], "relo");
        for k in ["kind", "access_str", "local_type", "local_spec"] {
            assert!(!l[k].is_null(), "{k}: {l}");
        }
    }
    assert_eq!(v[1]["local_type"]["name"], "mm_struct");
    assert_eq!(v[1]["access_str"], "0:0:47");
    // With targets: one relo line per record and target with libbpf's outcome, then the
    // answer, the verdict and (not needed here) no fix.
    let mut args = vec!["access", "--local", k61, "--json", "-t", k510, "-t", k61];
    args.extend(q);
    let v = lines(&corelab(&args));
    let relos: Vec<&Value> = v.iter().filter(|l| l["type"] == "relo").collect();
    assert_eq!(relos.len(), 4);
    assert!(relos
        .iter()
        .all(|l| l["outcome"] == "patched" && !l["res"].is_null()));
    let verdict = v.iter().find(|l| l["type"] == "verdict").unwrap();
    assert_eq!(verdict["verdict"], "portable");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn access_errors_are_one_line_with_the_column() {
    let dir = data::scratch("cli-access-err");
    let k61 = file(&dir, "btf/debian12-6.1.0-50-amd64.btf.gz");
    for (expr, want) in [
        (
            "t->nope",
            "column 4: no member named 'nope' in 'struct task_struct'",
        ),
        ("t->mm->", "column 8: expected a member name"),
        (
            "bpf_core_type_exists(struct corelab_nope) + t->x",
            "no member named 'x'",
        ),
    ] {
        let out = corelab(&[
            "access",
            "--local",
            k61.to_str().unwrap(),
            "struct task_struct *t",
            expr,
        ]);
        assert_eq!(out.status.code(), Some(1), "{expr}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(want), "{expr}: {err}");
    }
    let out = corelab(&[
        "access",
        "--local",
        k61.to_str().unwrap(),
        "struct corelab_nope *p",
        "p->x",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("incomplete definition of type 'struct corelab_nope'"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn explain_log_json_names_the_relocation() {
    let dir = data::scratch("cli-explain");
    let obj = file(&dir, "oracle/obj/ptregs_arch.o.gz");
    let log = file(
        &dir,
        "loadlog/logs/ptregs_arch__s390x__ptregs_syscall.libbpf.log.gz",
    );
    let s390 = file(&dir, "btf/debian13-6.12.107-s390x.btf.gz");
    let out = corelab(&[
        "explain-log",
        obj.to_str().unwrap(),
        log.to_str().unwrap(),
        "--target",
        s390.to_str().unwrap(),
        "--json",
    ]);
    assert_succeeded(&out);
    let v = lines(&out);
    let f = v.iter().find(|l| l["type"] == "finding").unwrap();
    assert_eq!(f["prog"], "ptregs_syscall");
    assert_eq!(f["insn"], 0);
    assert_eq!(f["relo"]["sec"], "kprobe/__x64_sys_openat");
    assert_eq!(f["relo"]["sec_relo_idx"], 0);
    assert_eq!(f["access"], "pt_regs.di");
    for k in ["cause", "fix"] {
        assert!(f[k].as_str().is_some_and(|s| !s.is_empty()));
    }
    // A log of another object: exit 1, one line saying it does not match.
    let other = file(&dir, "loadlog/obj/poisons.bpf.o.gz");
    let out = corelab(&[
        "explain-log",
        other.to_str().unwrap(),
        log.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("does not match"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The verdicts in words: a renamed field breaks with the new name and the kernel, and a
/// typedef root that a kernel lacks says why (libbpf looks for a typedef of that name, not the
/// struct behind it) and how to declare the pointer instead.
#[test]
fn access_verdicts_name_the_rename_and_the_typedef_root() {
    let dir = data::scratch("cli-access-verdicts");
    let k61 = file(&dir, "btf/debian12-6.1.0-50-amd64.btf.gz");
    let k510 = file(&dir, "btf/debian11-5.10.0-46-amd64.btf.gz");
    let (k61, k510) = (k61.to_str().unwrap(), k510.to_str().unwrap());
    let verdict = |q: &[&str]| {
        let mut args = vec!["access", "--local", k61, "-t", k510];
        args.extend(q);
        let out = corelab(&args);
        assert_eq!(out.status.code(), Some(0), "{q:?}");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let line = text
            .lines()
            .find(|l| l.starts_with("verdict: "))
            .unwrap_or_else(|| panic!("{q:?}: no verdict in\n{text}"))
            .to_owned();
        (line, text)
    };
    let (v, _) = verdict(&["struct task_struct *t", "t->__state"]);
    assert_eq!(
        v,
        "verdict: breaks: task_struct.__state renamed to state in btf_debian11-5.10.0-46-amd64"
    );
    let (v, text) = verdict(&["typedef struct task_struct task_t", "task_t *t", "t->pid"]);
    assert!(v.starts_with("verdict: breaks: "), "{v}");
    assert!(
        v.contains("the root type is the typedef task_t")
            && v.contains("declare the pointer as `struct task_struct *`"),
        "{v}"
    );
    assert!(
        text.contains("\nnote: the root type is the typedef task_t"),
        "{text}"
    );
    let (v, _) = verdict(&["struct task_struct *t", "bpf_core_field_exists(t->__state)"]);
    assert_eq!(v, "verdict: portable");
    let _ = std::fs::remove_dir_all(dir);
}
