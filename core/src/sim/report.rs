//! What the simulation says about one program: the verdict, live ranges per function, the
//! poisoned instructions and whether they are reachable, with the messages the kernel and
//! libbpf would print.

use super::explore::{BranchSeen, Exploration, Stop};
use super::link::LinkedProgram;
use super::GuardInput;
use crate::insn::Insn;

/// What the kernel would do with a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Loads; unreached instructions are removed as dead code.
    Loaded,
    /// Rejected: a CO-RE-poisoned instruction is reachable (`invalid func unknown#195896080`).
    RejectedPoison,
    /// Rejected for another reason the simulation found (unresolved kfunc, call depth, …).
    Rejected(String),
    /// libbpf does not submit it (autoload off, relocation error, missing extern).
    NotSubmitted(String),
    /// The simulation could not tell (budget exhausted).
    Undecided(String),
}

impl Verdict {
    /// The label used in JSON (`loaded`, `rejected_poison`, `rejected`, `not_submitted`,
    /// `undecided`).
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Loaded => "loaded",
            Verdict::RejectedPoison => "rejected_poison",
            Verdict::Rejected(_) => "rejected",
            Verdict::NotSubmitted(_) => "not_submitted",
            Verdict::Undecided(_) => "undecided",
        }
    }
}

/// Live instructions of one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncReport {
    /// Function name.
    pub name: String,
    /// First instruction in the linked program.
    pub start: usize,
    /// Instruction count.
    pub len: usize,
    /// Live ranges relative to the function start, e.g. `0-3,13-41`.
    pub visited: String,
    /// Global function (verified on its own).
    pub global: bool,
}

/// What kind of poisoned call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoisonKind {
    /// CO-RE relocation without a match (`call 195896080`).
    Core,
    /// Unresolved weak kfunc.
    Kfunc,
}

/// One poisoned instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoisonReport {
    /// Linked instruction index.
    pub idx: usize,
    /// Function containing it.
    pub func: String,
    /// Index within that function.
    pub func_insn: usize,
    /// Reachable: some path gets there (the load fails).
    pub reachable: bool,
    /// The one the verifier's walk meets first (its error message is this one's).
    pub first: bool,
    /// Kind of poison.
    pub kind: PoisonKind,
    /// The CO-RE relocation site (index into the guard input's sites).
    pub site: Option<u32>,
    /// What the kernel prints (`invalid func unknown#195896080`).
    pub kernel_message: String,
    /// What libbpf rewrites it into (`N: <invalid CO-RE relocation>` + the spec).
    pub libbpf_message: String,
}

/// The simulation's result for one main program.
#[derive(Debug, Clone)]
pub struct ProgramReport {
    /// Index into the object's programs.
    pub prog: usize,
    /// Program name.
    pub name: String,
    /// ELF section name (without a leading `?`).
    pub sec: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The program as submitted.
    pub linked: LinkedProgram,
    /// The raw exploration.
    pub exploration: Exploration,
    /// Live ranges per function (main first, subprograms in libbpf's append order).
    pub funcs: Vec<FuncReport>,
    /// Poisoned instructions.
    pub poisoned: Vec<PoisonReport>,
}

impl ProgramReport {
    /// The poisoned instruction the kernel stops at: the one its walk meets first, or any
    /// reachable one. `None` when no poison is reachable.
    pub fn rejecting_poison(&self) -> Option<&PoisonReport> {
        self.poisoned
            .iter()
            .find(|p| p.first)
            .or_else(|| self.poisoned.iter().find(|p| p.reachable))
    }

    /// Conditional jumps in instruction order with what was seen there.
    pub fn branches(&self) -> Vec<(usize, BranchSeen)> {
        let mut v: Vec<_> = self
            .exploration
            .branches
            .iter()
            .map(|(&k, &b)| (k, b))
            .collect();
        crate::sorting::sort_by_key(&mut v, |&(k, _)| k);
        v
    }

    /// Maximal runs of unreached instructions as linked index ranges `[start, end)`.
    pub fn dead_ranges(&self) -> Vec<(usize, usize)> {
        let seen = &self.exploration.seen;
        let mut out = Vec::new();
        let mut i = 0;
        while i < seen.len() {
            if seen[i] {
                i += 1;
                continue;
            }
            let s = i;
            while i < seen.len() && !seen[i] {
                i += 1;
            }
            out.push((s, i));
        }
        out
    }
}

/// Ranges of `true` in `seen[start..start+len]`, relative to `start`: `0-3,13-41`.
pub fn ranges(seen: &[bool], start: usize, len: usize) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < len {
        if !seen.get(start + i).copied().unwrap_or(false) {
            i += 1;
            continue;
        }
        let s = i;
        while i < len && seen.get(start + i).copied().unwrap_or(false) {
            i += 1;
        }
        parts.push(if i - 1 == s {
            s.to_string()
        } else {
            format!("{s}-{}", i - 1)
        });
    }
    parts.join(",")
}

pub(super) fn build(
    input: &GuardInput<'_>,
    prog: usize,
    linked: LinkedProgram,
    exploration: Exploration,
    skip: Option<String>,
) -> ProgramReport {
    let p = &input.object.programs[prog];
    let funcs = linked
        .funcs
        .iter()
        .map(|f| FuncReport {
            name: f.name.clone(),
            start: f.start,
            len: f.len,
            visited: ranges(&exploration.seen, f.start, f.len),
            global: f.global,
        })
        .collect();
    let first_stop = exploration.stops.first().map(|(pc, _)| *pc);
    let mut poisoned = Vec::new();
    let mut i = 0;
    while i < linked.insns.len() {
        let insn = linked.insns[i];
        let kfunc = linked.poisoned_kfuncs.get(&i);
        let core = insn.is_poison();
        if !core && kfunc.is_none() {
            i += 1;
            continue;
        }
        let (func, func_insn) = linked
            .func_at(i)
            .map_or((String::new(), i), |f| (f.name.clone(), i - f.start));
        let (c, si) = linked.origin[i];
        let site = input
            .sites
            .iter()
            .position(|s| s.code == c && s.insn == si)
            .map(|s| s as u32);
        let reachable = exploration.seen[i];
        let (kind, kernel_message, libbpf_message) = match kfunc {
            Some(name) => (
                PoisonKind::Kfunc,
                format!("invalid func unknown#{}", 2_002_000_000u32),
                format!(
                    "{i}: <invalid kfunc call>\nkfunc '{name}' is referenced but wasn't resolved"
                ),
            ),
            None => {
                let spec = site
                    .and_then(|s| input.sites.get(s as usize))
                    .map_or("?", |s| s.local_spec.as_str());
                (
                    PoisonKind::Core,
                    format!("invalid func unknown#{}", crate::insn::POISON_IMM),
                    format!("{i}: <invalid CO-RE relocation>\nfailed to resolve CO-RE relocation {spec}"),
                )
            }
        };
        poisoned.push(PoisonReport {
            idx: i,
            func,
            func_insn,
            reachable,
            first: first_stop == Some(i),
            kind,
            site,
            kernel_message,
            libbpf_message,
        });
        // An LD_IMM64's two poisoned halves count once.
        let ld_pair = site
            .and_then(|s| input.sites.get(s as usize))
            .is_some_and(|s| s.ldimm64);
        i += if ld_pair && linked.insns.get(i + 1).is_some_and(Insn::is_poison) {
            2
        } else {
            1
        };
    }
    let verdict = if let Some(reason) = skip {
        Verdict::NotSubmitted(reason)
    } else if let Some((_, stop)) = exploration.stops.first() {
        match stop {
            Stop::CorePoison => Verdict::RejectedPoison,
            Stop::KfuncPoison => Verdict::Rejected("call of an unresolved kfunc".into()),
            Stop::MapPoison => Verdict::Rejected("reference to a map libbpf did not create".into()),
            Stop::Other(m) => Verdict::Rejected(m.clone()),
        }
    } else if exploration.exhausted {
        Verdict::Undecided(format!(
            "exploration budget exhausted after {} instructions",
            exploration.steps
        ))
    } else {
        Verdict::Loaded
    };
    ProgramReport {
        prog,
        name: p.name.clone(),
        sec: p.sec_name.trim_start_matches('?').to_owned(),
        verdict,
        linked,
        exploration,
        funcs,
        poisoned,
    }
}
