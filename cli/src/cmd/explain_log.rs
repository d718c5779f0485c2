//! `corelab explain-log OBJECT LOG [--target BTF] [--json]`: a failed load's log (libbpf's
//! messages, a bare verifier log, cilium/ebpf's or aya's error text) set against the object:
//! every instruction it names mapped to function, instruction and source line; each
//! poisoned instruction reached decoded (CO-RE relocation, map, kfunc), with why and how to
//! fix it; and, with the target's BTF, the verifier's walk against corelab's simulation.
//!
//! `--json`: one `finding` line per poisoned instruction the log shows reached, then one
//! `prog` line per program log. A log that fits no program of the object is an error (exit 1).

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use serde_json::{json, Value};

use corelab::btf::Btf;
use corelab::loadlog::{self, Explanation, FindingKind, Match, Place};
use corelab::object::Object;

use crate::{load, Failure};

/// Arguments of `corelab explain-log`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The BPF object that failed to load (ELF, possibly compressed).
    object: PathBuf,
    /// The text the load printed (`-` for stdin).
    log: PathBuf,
    /// BTF of the kernel the log comes from: says why relocations failed and runs the
    /// simulation.
    #[arg(long, short = 't', value_name = "BTF")]
    target: Option<PathBuf>,
    /// Kconfig text for `__kconfig` externs (for the simulation).
    #[arg(long, value_name = "FILE")]
    kconfig: Option<PathBuf>,
    /// Kernel release for `LINUX_KERNEL_VERSION` (`X.Y.Z`, for the simulation).
    #[arg(long, value_name = "X.Y.Z")]
    kernel_release: Option<String>,
    /// The program the log came from, when the log does not name it (a bare verifier log;
    /// programs with the same instructions fit it equally).
    #[arg(long, value_name = "NAME")]
    prog: Option<String>,
    /// JSON lines: one `finding` per poisoned instruction reached, one `prog` per log.
    #[arg(long)]
    json: bool,
}

/// Runs `corelab explain-log`.
pub fn run(a: Args) -> Result<(), Failure> {
    let obj = load::object(&a.object)?;
    let text = if a.log.as_os_str() == "-" {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut s)
            .map_err(|e| Failure::new("<stdin>", e))?;
        s
    } else {
        load::read(&a.log)?
    };
    let text = String::from_utf8_lossy(&text);
    let target: Option<Btf> = match &a.target {
        Some(p) => Some(load::btf(p, None)?.btf),
        None => None,
    };
    let log = loadlog::parse(&text);
    let kconfig = load::kconfig_settings(a.kconfig.as_deref(), a.kernel_release.as_deref())?;
    let ex = loadlog::explain(
        &obj,
        &log,
        &loadlog::Options {
            target: target.as_ref(),
            knobs: corelab::pipeline::Knobs {
                kconfig,
                ..Default::default()
            },
            prog: a.prog.as_deref(),
        },
    );
    let log_name = a.log.display().to_string();
    if let Some(why) = ex.mismatch() {
        return Err(Failure::new(
            log_name,
            format_args!("does not match {}: {why}", a.object.display()),
        ));
    }
    let out = if a.json {
        render_json(&obj, &ex)
    } else {
        render_text(&obj, &ex, a.target.is_some())
    };
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    load::stdout_result(w.write_all(out.as_bytes()).and_then(|()| w.flush()))
}

fn prog_name(obj: &Object, p: Option<usize>) -> Option<String> {
    p.map(|p| obj.programs[p].name.clone())
}

fn render_text(obj: &Object, ex: &Explanation, with_target: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} text with {} program log(s)",
        ex.wrapper.name(),
        ex.progs.len()
    );
    for p in &ex.progs {
        let name = prog_name(obj, p.prog())
            .or_else(|| p.log_prog.clone())
            .unwrap_or_else(|| "?".to_owned());
        let how = p.matched.describe(obj);
        let _ = writeln!(s, "\nprogram '{name}' ({how})");
        if matches!(&p.matched, Match::ByCode { others, .. } if !others.is_empty()) {
            let _ = writeln!(s, "  (--prog NAME says which one the log is from)");
        }
        if p.prog().is_none() {
            continue;
        }
        let _ = writeln!(s, "  {}", p.stop_text());
        for f in &p.findings {
            let at = f.place.as_ref().map_or(
                "an instruction the log does not name".to_owned(),
                Place::describe,
            );
            let _ = writeln!(s, "  poisoned {at}");
            if let Some(by) = &f.located_by {
                let _ = writeln!(s, "    ({by})");
            }
            let _ = writeln!(s, "    {}", f.kind.describe());
            if let Some(spec) = f.kind.spec() {
                let _ = writeln!(s, "      {spec}");
            }
            let _ = writeln!(s, "    why: {}", f.cause);
            let _ = writeln!(s, "    fix: {}", f.fix);
        }
        match &p.sim {
            Some(sim) => {
                let _ = writeln!(s, "  {}", sim.describe());
                if !sim.agrees {
                    for d in &sim.differences {
                        let _ = writeln!(s, "    - {d}");
                    }
                }
            }
            None if !with_target => {
                let _ = writeln!(
                    s,
                    "  (give --target the kernel's BTF to say why, and to compare with corelab's simulation)"
                );
            }
            None => {}
        }
    }
    s
}

fn render_json(obj: &Object, ex: &Explanation) -> String {
    let mut lines: Vec<Value> = Vec::new();
    for p in &ex.progs {
        let prog = prog_name(obj, p.prog()).or_else(|| p.log_prog.clone());
        for f in &p.findings {
            let (relo, access, kind) = match &f.kind {
                FindingKind::Core {
                    sec,
                    sec_relo_idx,
                    kind,
                    access,
                    ..
                } if !sec.is_empty() => (
                    json!({"sec": sec, "sec_relo_idx": sec_relo_idx}),
                    Value::from(access.clone()),
                    Value::from(kind.log_name()),
                ),
                FindingKind::Core { .. } => (Value::Null, Value::Null, Value::from("core")),
                FindingKind::Map { name, .. } => (Value::Null, name.clone().into(), "map".into()),
                FindingKind::Kfunc { name } => (Value::Null, name.clone().into(), "kfunc".into()),
            };
            let source = f
                .place
                .as_ref()
                .and_then(|pl| pl.source.as_ref())
                .map(|(file, line, text)| json!({"file": file, "line": line, "text": text}));
            lines.push(json!({
                "type": "finding",
                "prog": prog,
                "insn": f.place.as_ref().map(|pl| pl.insn),
                "relo": relo,
                "access": access,
                "cause": f.cause,
                "fix": f.fix,
                "kind": kind,
                "func": f.place.as_ref().map(|pl| pl.func.clone()),
                "func_insn": f.place.as_ref().map(|pl| pl.func_insn),
                "source": source,
                "located_by": f.located_by,
            }));
        }
        let matched = match &p.matched {
            Match::Named(_) => "name",
            Match::Given(_) => "given",
            Match::ByCode { .. } => "code",
            Match::NameOnly(_) => "name_only",
            Match::NoMatch(_) => "no",
        };
        let sim = p.sim.as_ref().map(|s| {
            json!({"verdict": s.verdict, "first_poison": s.first_poison, "agrees": s.agrees,
                   "differences": s.differences})
        });
        lines.push(json!({
            "type": "prog",
            "prog": prog,
            "wrapper": ex.wrapper.name(),
            "matched": matched,
            "error": p.error,
            "stopped_at": p.stopped_at.as_ref().map(|pl| pl.insn),
            "findings": p.findings.len(),
            "also_fits": match &p.matched {
                Match::ByCode { others, .. } => others
                    .iter()
                    .map(|&o| obj.programs[o].name.clone())
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            },
            "sim": sim,
        }));
    }
    let mut s = String::new();
    for l in lines {
        s.push_str(&l.to_string());
        s.push('\n');
    }
    s
}
