//! The compatibility matrix: one object against many kernels. Per program, whether it loads
//! on each kernel (and the first reason where it does not); per relocation, its outcome and
//! value on each kernel. Built from [`crate::pipeline::analyze`] results, so every cell is exactly
//! what `corelab reloc` / `corelab guard` say for that kernel.

use crate::object::Object;
use crate::pipeline::Analysis;
use crate::reloc::{Outcome, RecordReport};
use crate::sim::Verdict;

/// One program on one kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramCell {
    /// What the kernel does with it (`verdict.label()` names it as `guard --json` does).
    pub verdict: Verdict,
    /// Why it does not load (the first reason), when it does not.
    pub reason: Option<String>,
}

/// One main program across the kernels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramRow {
    /// Program name.
    pub name: String,
    /// ELF section.
    pub sec: String,
    /// One cell per kernel, in the matrix's kernel order.
    pub cells: Vec<ProgramCell>,
}

/// One relocation on one kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelocCell {
    /// How the record ended on this kernel ([`Outcome::name`] is the oracle's word for it).
    pub outcome: Outcome,
    /// The value written (`patched` only).
    pub value: Option<u64>,
    /// libbpf's first warning (errors, refused size changes).
    pub reason: Option<String>,
}

/// One CO-RE record across the kernels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelocRow {
    /// `.BTF.ext` section.
    pub sec: String,
    /// libbpf's `relo #N`.
    pub sec_relo_idx: usize,
    /// Kind (libbpf's log name).
    pub kind: &'static str,
    /// What it accesses (`task_struct.mm.exe_file`), from the local spec.
    pub access: String,
    /// The program or subprogram holding the instruction.
    pub prog: Option<String>,
    /// One cell per kernel.
    pub cells: Vec<RelocCell>,
}

/// An object against many kernels.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Matrix {
    /// Kernel names, in column order.
    pub kernels: Vec<String>,
    /// Main programs.
    pub programs: Vec<ProgramRow>,
    /// CO-RE records, in `.BTF.ext` order.
    pub relocations: Vec<RelocRow>,
}

impl Matrix {
    /// The kernels program `row` loads on.
    pub fn loads_on(&self, row: &ProgramRow) -> Vec<&str> {
        self.kernels
            .iter()
            .zip(&row.cells)
            .filter(|(_, c)| c.verdict == Verdict::Loaded)
            .map(|(k, _)| k.as_str())
            .collect()
    }
}

fn program_cell(a: &Analysis<'_>, name: &str) -> ProgramCell {
    let Some(r) = a.programs.iter().find(|p| p.name == name) else {
        let why = "no report for this program on this kernel".to_owned();
        return ProgramCell {
            verdict: Verdict::Undecided(why.clone()),
            reason: Some(why),
        };
    };
    let reason = match &r.verdict {
        Verdict::Loaded => None,
        Verdict::RejectedPoison => Some(r.rejecting_poison().map_or_else(
            || "a poisoned instruction is reachable".to_owned(),
            |p| {
                let what = p
                    .site
                    .and_then(|s| a.sites.get(s as usize))
                    .map_or_else(String::new, |s| {
                        format!(": relo #{} {}", s.sec_relo_idx, s.local_spec)
                    });
                format!(
                    "poisoned insn {} ({}+{}) reachable{what}",
                    p.idx, p.func, p.func_insn
                )
            },
        )),
        v => v.reason(),
    };
    ProgramCell {
        verdict: r.verdict.clone(),
        reason,
    }
}

/// Builds the matrix from one analysis per kernel (`(name, analysis)`, in column order). All
/// analyses must be of `obj`.
pub fn build(obj: &Object, analyses: &[(String, Analysis<'_>)]) -> Matrix {
    let mut m = Matrix::default();
    for (name, a) in analyses {
        m.push(obj, name.clone(), a);
    }
    m
}

impl Matrix {
    /// Adds one kernel's column from its analysis of `obj` (the first column also fixes the
    /// rows: `obj`'s main programs and CO-RE records). Each cell owns its data, so a caller
    /// going through many kernels can drop each kernel and its analysis once its column is in.
    pub fn push(&mut self, obj: &Object, kernel: String, a: &Analysis<'_>) {
        if self.kernels.is_empty() {
            self.programs = a
                .programs
                .iter()
                .map(|p| ProgramRow {
                    name: p.name.clone(),
                    sec: p.sec.clone(),
                    cells: Vec::new(),
                })
                .collect();
            self.relocations = a
                .relocation
                .records
                .iter()
                .map(|r| reloc_row(obj, r))
                .collect();
        }
        self.kernels.push(kernel);
        for row in &mut self.programs {
            row.cells.push(program_cell(a, &row.name));
        }
        for (i, row) in self.relocations.iter_mut().enumerate() {
            row.cells.push(reloc_cell(a, i));
        }
    }
}

fn reloc_row(obj: &Object, r: &RecordReport<'_>) -> RelocRow {
    let access = r
        .processed
        .as_ref()
        .and_then(|p| p.resolution.as_ref())
        .and_then(|res| res.local_spec.as_ref())
        .map_or_else(|| r.access.unwrap_or("?").to_owned(), |s| s.access_path());
    RelocRow {
        sec: r.sec.to_owned(),
        sec_relo_idx: r.sec_relo_idx,
        kind: r.kind.log_name(),
        access,
        prog: r
            .prog
            .and_then(|p| obj.programs.get(p))
            .map(|p| p.name.clone()),
        cells: Vec::new(),
    }
}

/// Record `i` of the object on the kernel `a` was computed for.
fn reloc_cell(a: &Analysis<'_>, i: usize) -> RelocCell {
    let Some(rec) = a.relocation.records.get(i) else {
        return RelocCell {
            outcome: Outcome::NotReached,
            value: None,
            reason: None,
        };
    };
    let p = rec.processed.as_ref();
    let value = match rec.outcome {
        Outcome::Patched => p
            .and_then(|p| p.resolution.as_ref())
            .and_then(|res| res.result.ok())
            .map(|v| v.new_val),
        _ => None,
    };
    let reason = match rec.outcome {
        Outcome::Error(..) | Outcome::Poisoned(_) => {
            p.and_then(|p| p.first_warning()).map(ToString::to_string)
        }
        _ => None,
    };
    RelocCell {
        outcome: rec.outcome,
        value,
        reason,
    }
}
