//! `corelab guard OBJECT --target BTF`: what the verifier would do with each program after
//! libbpf relocated it for that kernel — loads (and which code it removes as dead) or is
//! rejected (a poisoned instruction is reachable), with what decided each branch.
//!
//! `--json`: one `prog` line per main program in the shape of the oracle's verdicts
//! (`prog`, `sec`, `verdict`, `funcs [{name,start,len,visited}]`, `poisoned [...]`) plus the
//! decided branches.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use corelab::object::Object;
use corelab::pipeline::{self, Analysis, Knobs};
use corelab::sim::{PoisonKind, ProgramReport, Verdict, KERNEL_STEP_LIMIT};
use serde_json::{json, Value};

use crate::{load, Failure};

/// Arguments of `corelab guard`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    on: super::on_kernel::ObjectOnKernel,
    /// Override a `.kconfig` extern or a `const volatile` global: `NAME=VALUE` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// JSON lines (one `prog` line per main program).
    #[arg(long)]
    json: bool,
    /// Also list every instruction of each program as submitted, marked live or not.
    #[arg(long)]
    listing: bool,
    /// Resolve `__ksym` externs (kfuncs, kernel variables) against this BTF instead of the
    /// target's: libbpf resolves them against the running kernel even when CO-RE uses a
    /// custom BTF, so this reproduces loading on one kernel a program relocated for another.
    #[arg(long, value_name = "BTF")]
    ksym_btf: Option<PathBuf>,
}

/// Runs `corelab guard`.
pub fn run(a: Args) -> Result<(), Failure> {
    let obj = load::object(&a.on.object)?;
    let kernel = load::Kernel::load(&a.on.target, &a.on.modules)?;
    let mut knobs = Knobs {
        libbpf: a.on.libbpf,
        kconfig: load::kconfig_settings(a.on.kconfig.as_deref(), a.on.kernel_release.as_deref())?,
        ..Default::default()
    };
    for s in &a.set {
        let (n, v) = s
            .split_once('=')
            .ok_or_else(|| Failure::new("", format_args!("--set {s}: expected NAME=VALUE")))?;
        knobs.set.push((n.to_owned(), v.to_owned()));
    }
    let ksyms = match &a.ksym_btf {
        Some(p) => Some(load::btf(p, None)?.btf),
        None => None,
    };
    let target = kernel.target();
    let analysis = pipeline::analyze_with_ksyms(
        &obj,
        &target,
        ksyms.as_ref().unwrap_or(target.vmlinux),
        &knobs,
    )
    .map_err(|e| Failure::new("", e))?;
    let text = if a.json {
        json_lines(&obj, &analysis)
    } else {
        table(&obj, &analysis, a.listing)
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    load::stdout_result(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

fn source(obj: &Object, r: &ProgramReport, idx: usize) -> Option<String> {
    let (c, i) = *r.linked.origin.get(idx)?;
    let l = obj.source_line(c, i)?;
    Some(format!(
        "{}:{}: {}",
        l.file.rsplit('/').next().unwrap_or(l.file),
        l.line,
        l.text.trim()
    ))
}

fn json_lines(obj: &Object, a: &Analysis<'_>) -> String {
    let mut s = String::new();
    for r in &a.programs {
        let funcs: Vec<Value> = r
            .funcs
            .iter()
            .map(|f| json!({"name": f.name, "start": f.start, "len": f.len, "visited": f.visited, "global": f.global}))
            .collect();
        let poisoned: Vec<Value> = r
            .poisoned
            .iter()
            .map(|p| {
                let relo = p.site.and_then(|i| a.sites.get(i as usize)).map(|s| {
                    json!({"sec": s.sec, "sec_relo_idx": s.sec_relo_idx, "kind": s.kind, "ldimm64": s.ldimm64})
                });
                json!({
                    "func": p.func, "func_insn": p.func_insn, "idx": p.idx, "visited": p.reachable,
                    "first": p.first, "kind": if p.kind == PoisonKind::Core { "core" } else { "kfunc" },
                    "relo": relo, "kernel": p.kernel_message, "libbpf": p.libbpf_message,
                    "source": source(obj, r, p.idx),
                })
            })
            .collect();
        let branches: Vec<Value> = r
            .branches()
            .into_iter()
            .filter(|(_, b)| b.decided && !(b.taken && b.fallthrough))
            .map(|(idx, b)| {
                json!({"idx": idx, "taken": b.taken, "decided_by": b.decided_by.map(|o| o.describe(a, obj).text)})
            })
            .collect();
        let coverage = r.verdict.coverage();
        let line = json!({
            "type": "prog", "prog": r.name, "sec": r.sec, "verdict": r.verdict.label(),
            "reason": r.verdict.reason(), "unreached": coverage.label(),
            "insn_cnt": r.linked.insns.len(), "steps": r.exploration.steps,
            "funcs": funcs, "poisoned": poisoned, "decided_branches": branches,
        });
        let _ = writeln!(s, "{line}");
    }
    s
}

fn ranges_text(v: &[(usize, usize)]) -> String {
    v.iter()
        .map(|&(s, e)| {
            if e - s == 1 {
                s.to_string()
            } else {
                format!("{s}-{}", e - 1)
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn table(obj: &Object, a: &Analysis<'_>, listing: bool) -> String {
    let mut s = String::new();
    if let Err(e) = &a.kconfig {
        let _ = writeln!(
            s,
            "externs: libbpf fails the load: {} (pass --kconfig / --kernel-release)\n",
            e.message
        );
    }
    for r in &a.programs {
        let verdict = match &r.verdict {
            Verdict::Loaded => "loads".to_string(),
            Verdict::RejectedPoison => r.rejecting_poison().map_or(
                "rejected: a poisoned instruction is reachable".into(),
                |p| {
                    format!(
                        "rejected: poisoned instruction {} ({}+{}) is reachable",
                        p.idx, p.func, p.func_insn
                    )
                },
            ),
            Verdict::Rejected(m) => format!("rejected: {m}"),
            Verdict::TooComplex { steps } => format!(
                "rejected as too complex: the verifier gives up after {KERNEL_STEP_LIMIT} processed instructions (the walk had processed {steps} and was not done)"
            ),
            Verdict::NotSubmitted(n) => format!("not submitted by libbpf: {}", n.describe()),
            Verdict::Undecided(m) => format!("undecided: {m}"),
        };
        let _ = writeln!(s, "program {} ({}): {verdict}", r.name, r.sec);
        if matches!(r.verdict, Verdict::NotSubmitted(_)) {
            let _ = writeln!(s);
            continue;
        }
        for f in &r.funcs {
            let _ = writeln!(
                s,
                "  {} {}: insns {}-{}, live {}",
                if f.global {
                    "global function"
                } else {
                    "function"
                },
                f.name,
                f.start,
                f.start + f.len.max(1) - 1,
                if f.visited.is_empty() {
                    "none".into()
                } else {
                    f.visited.clone()
                }
            );
        }
        let unreached = r.unreached_ranges();
        if !unreached.is_empty() {
            let n: usize = unreached.iter().map(|(s, e)| e - s).sum();
            let _ = writeln!(
                s,
                "  {}: {} ({n} insns)",
                r.verdict.coverage().unreached_words(),
                ranges_text(&unreached)
            );
        }
        let decided: Vec<_> = r
            .branches()
            .into_iter()
            .filter(|(_, b)| b.decided && !(b.taken && b.fallthrough))
            .collect();
        if !decided.is_empty() {
            let heading = if r.verdict.coverage() == corelab::sim::Coverage::Partial {
                "decided branches so far (the walk did not finish)"
            } else {
                "decided branches"
            };
            let _ = writeln!(s, "  {heading}:");
            for (idx, b) in decided {
                let text = corelab::insn::disassemble(&r.linked.insns, idx).text;
                let dir = if b.taken {
                    "always jumps"
                } else {
                    "never jumps"
                };
                let by = b
                    .decided_by
                    .map(|o| format!(", decided by {}", o.describe(a, obj).text))
                    .unwrap_or_default();
                let _ = writeln!(s, "    {idx:>4}: {text:<34} {dir}{by}");
            }
        }
        for p in &r.poisoned {
            let state = if p.reachable { "REACHABLE" } else { "dead" };
            let relo = p.site.and_then(|i| a.sites.get(i as usize));
            let _ = writeln!(
                s,
                "  poisoned insn {} ({}+{}): {state}",
                p.idx, p.func, p.func_insn
            );
            if let Some(site) = relo {
                let _ = writeln!(
                    s,
                    "    relocation: relo #{} of '{}' {}",
                    site.sec_relo_idx, site.sec, site.local_spec
                );
            }
            if let Some(src) = source(obj, r, p.idx) {
                let _ = writeln!(s, "    source:     {src}");
            }
            if p.reachable {
                let _ = writeln!(s, "    kernel:     {}", p.kernel_message);
                for l in p.libbpf_message.lines() {
                    let _ = writeln!(s, "    libbpf:     {l}");
                }
            }
        }
        if listing {
            listing_text(&mut s, r, a);
        }
        let _ = writeln!(s);
    }
    s
}

/// Every instruction, marked `|` where some path reaches it and `-` where none does (dead,
/// not reached or not explored, as the verdict says), calls named as the verifier names them.
fn listing_text(s: &mut String, r: &ProgramReport, a: &Analysis<'_>) {
    let _ = writeln!(
        s,
        "  listing (| reached, - {}):",
        r.verdict.coverage().label().replace('_', " ")
    );
    let mut i = 0;
    while i < r.linked.insns.len() {
        if let Some(f) = r.linked.funcs.iter().find(|f| f.start == i) {
            let _ = writeln!(s, "  {}:", f.name);
        }
        let d = r.insn_text(i, &a.helpers);
        let mark = if r.exploration.seen[i] { '|' } else { '-' };
        let _ = writeln!(s, "  {mark} {i:>5}: {}", d.text);
        i += d.slots.max(1);
    }
}
