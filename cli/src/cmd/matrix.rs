//! `corelab matrix OBJECT BTF...`: one object against many kernels — which programs load
//! where (and the first reason where they do not), and every relocation's value per kernel.
//!
//! Each column is exactly what `corelab reloc` and `corelab guard` say for that kernel.
//! `LINUX_KERNEL_VERSION` comes from `--kernel-release`, or else from the first `X.Y.Z` in
//! each kernel's file name (`debian12-6.1.0-50-amd64.btf.gz` → 6.1.0); for a catalogue build,
//! from its package's upstream version (`@debian12-6.1.0-50-amd64` → 6.1.176).

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use corelab::kconfig;
use corelab::libbpf::Libbpf;
use corelab::matrix::Matrix;
use corelab::pipeline::{self, Knobs};
use corelab::reloc::Outcome;
use corelab::sim::Verdict;
use serde_json::json;

use crate::{load, Failure};

/// Arguments of `corelab matrix`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// BPF object (ELF, possibly compressed).
    object: PathBuf,
    /// Kernel BTFs, one column each; `@BUILD` or a selection (`@all`, `@arm64`,
    /// `@bookworm/arm64`) from the kernel catalogue.
    #[arg(required = true, value_name = "BTF")]
    kernels: Vec<PathBuf>,
    /// Kconfig text for `__kconfig` externs.
    #[arg(long, value_name = "FILE")]
    kconfig: Option<PathBuf>,
    /// Kernel release for every column (default: from each file name).
    #[arg(long, value_name = "X.Y.Z")]
    kernel_release: Option<String>,
    /// The libbpf release to reproduce.
    #[arg(long, value_name = "1.5|1.7", default_value_t = Libbpf::default())]
    libbpf: Libbpf,
    /// JSON lines: one `prog` and one `relo` line per row.
    #[arg(long)]
    json: bool,
}

/// A kernel's display name: its file name without `.btf`/`.gz`.
pub fn kernel_name(p: &Path) -> String {
    let n = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = n.strip_suffix(".gz").unwrap_or(&n);
    n.strip_suffix(".btf").unwrap_or(n).to_owned()
}

/// The first `X.Y.Z` in a name, as a kernel release.
fn release_in(name: &str) -> Option<String> {
    name.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|p| p.split('.').count() == 3 && p.split('.').all(|n| !n.is_empty()))
        .map(str::to_owned)
}

/// Runs `corelab matrix`.
pub fn run(a: Args) -> Result<(), Failure> {
    let obj = load::object(&a.object)?;
    let base = load::kconfig_settings(a.kconfig.as_deref(), a.kernel_release.as_deref())?;
    // One kernel at a time: its column is built and the kernel dropped before the next is
    // read, so `@all` (130-odd catalogue builds) needs one kernel's memory, not all of them.
    let mut m = Matrix::default();
    for k in crate::kernels::expand(&a.kernels)? {
        let name = kernel_name(&k);
        let mut settings = base.clone();
        if settings.kernel_version.is_none() {
            settings.kernel_version = crate::kernels::is_catalog_ref(&k)
                .then(|| crate::kernels::kernel_release(&k))
                .flatten()
                .or_else(|| release_in(&name))
                .and_then(|r| kconfig::parse_release(&r));
        }
        let knobs = Knobs {
            libbpf: a.libbpf,
            kconfig: settings,
            ..Default::default()
        };
        let btf = load::btf(&k, None)?.btf;
        let analysis = pipeline::analyze(&obj, &btf, &knobs).map_err(|e| Failure::new("", e))?;
        m.push(&obj, name, &analysis);
    }
    let text = if a.json { json_lines(&m) } else { table(&m) };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    load::stdout_result(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

fn json_lines(m: &Matrix) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", json!({"type": "kernels", "kernels": m.kernels}));
    for p in &m.programs {
        let cells: Vec<_> = p
            .cells
            .iter()
            .map(|c| json!({"verdict": c.verdict.label(), "reason": c.reason}))
            .collect();
        let _ = writeln!(
            s,
            "{}",
            json!({"type": "prog", "prog": p.name, "sec": p.sec, "loads_on": m.loads_on(p), "cells": cells})
        );
    }
    for r in &m.relocations {
        let cells: Vec<_> = r
            .cells
            .iter()
            .map(|c| json!({"outcome": c.outcome.name(), "value": c.value, "reason": c.reason}))
            .collect();
        let _ = writeln!(
            s,
            "{}",
            json!({"type": "relo", "sec": r.sec, "sec_relo_idx": r.sec_relo_idx, "kind": r.kind,
                   "access": r.access, "prog": r.prog, "cells": cells})
        );
    }
    s
}

fn table(m: &Matrix) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "kernels:");
    for (i, k) in m.kernels.iter().enumerate() {
        let _ = writeln!(s, "  [{}] {k}", i + 1);
    }
    let cols: String = (1..=m.kernels.len())
        .map(|i| format!("{:>9}", format!("[{i}]")))
        .collect();
    let width = m
        .programs
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(s, "\n{:<width$}{cols}", "program");
    for p in &m.programs {
        let cells: String = p
            .cells
            .iter()
            .map(|c| {
                let t = match c.verdict {
                    Verdict::Loaded => "loads",
                    Verdict::RejectedPoison => "POISON",
                    Verdict::Rejected(_) => "rejected",
                    Verdict::TooComplex { .. } => "complex",
                    Verdict::NotSubmitted(_) => "skipped",
                    Verdict::Undecided(_) => "?",
                };
                format!("{t:>9}")
            })
            .collect();
        let _ = writeln!(s, "{:<width$}{cells}", p.name);
    }
    let mut first = true;
    for p in &m.programs {
        for (k, c) in m.kernels.iter().zip(&p.cells) {
            if let Some(r) = &c.reason {
                if first {
                    let _ = writeln!(s, "\nwhy not:");
                    first = false;
                }
                let _ = writeln!(s, "  {} on {k}: {r}", p.name);
            }
        }
    }
    let aw = m
        .relocations
        .iter()
        .map(|r| r.access.len() + r.kind.len() + 1)
        .max()
        .unwrap_or(10)
        .min(60);
    let _ = writeln!(s, "\n{:<5} {:<aw$}{cols}", "relo", "kind access");
    for r in &m.relocations {
        let label = format!("{} {}", r.kind, r.access);
        let cells: String = r
            .cells
            .iter()
            .map(|c| {
                let t = match (c.outcome, c.value) {
                    (Outcome::Patched, Some(v)) => {
                        if v > 0xffff_ffff {
                            format!("{v:#x}")
                        } else {
                            v.to_string()
                        }
                    }
                    (Outcome::Poisoned(_), _) => "poison".into(),
                    (Outcome::SkippedAutoload, _) => "skip".into(),
                    (Outcome::NotReached, _) => "-".into(),
                    (o, _) => o.name().into(),
                };
                format!("{t:>9}")
            })
            .collect();
        let _ = writeln!(s, "#{:<4} {label:<aw$}{cells}   {}", r.sec_relo_idx, r.sec);
    }
    s
}
