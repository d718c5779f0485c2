//! What the simulation says about one program: the verdict, live ranges per function, the
//! poisoned instructions and whether they are reachable, with the messages the kernel and
//! libbpf would print.

use super::explore::{BranchSeen, Exhausted, Exploration, Stop, KERNEL_STEP_LIMIT};
use super::helpers::HelperNames;
use super::link::LinkedProgram;
use super::GuardInput;
use crate::insn::{disassemble, Disasm, Insn};

/// What the kernel would do with a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Loads; unreached instructions are removed as dead code.
    Loaded,
    /// Rejected: a CO-RE-poisoned instruction is reachable (`invalid func unknown#195896080`).
    RejectedPoison,
    /// Rejected for another reason the simulation found (unresolved kfunc, call depth, …).
    Rejected(String),
    /// Rejected as too complex: the walk needs more than the kernel's 1,000,000 processed
    /// instructions (`BPF program is too large`).
    TooComplex {
        /// Instructions processed when the budget ran out.
        steps: u64,
    },
    /// libbpf does not submit it.
    NotSubmitted(NotSubmitted),
    /// The simulation could not tell (a limit of its own, smaller than the kernel's, was
    /// reached).
    Undecided(String),
}

impl Verdict {
    /// The label used in JSON (`loaded`, `rejected_poison`, `rejected`, `too_complex`,
    /// `not_submitted`, `undecided`).
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Loaded => "loaded",
            Verdict::RejectedPoison => "rejected_poison",
            Verdict::Rejected(_) => "rejected",
            Verdict::TooComplex { .. } => "too_complex",
            Verdict::NotSubmitted(_) => "not_submitted",
            Verdict::Undecided(_) => "undecided",
        }
    }

    /// The reason as one line (the JSON `reason`): what the kernel or libbpf says, or why
    /// the simulation could not tell. `None` for a load and a reachable poison (the poison
    /// report says more).
    pub fn reason(&self) -> Option<String> {
        match self {
            Verdict::Loaded | Verdict::RejectedPoison => None,
            Verdict::Rejected(m) | Verdict::Undecided(m) => Some(m.clone()),
            Verdict::TooComplex { steps } => Some(format!(
                "BPF program is too large: the walk processed {steps} instructions without finishing (the kernel's limit is {})",
                super::explore::KERNEL_STEP_LIMIT
            )),
            Verdict::NotSubmitted(r) => Some(r.reason()),
        }
    }

    /// What the instructions no path reached are, given this verdict.
    pub fn coverage(&self) -> Coverage {
        match self {
            Verdict::Loaded => Coverage::Complete,
            Verdict::RejectedPoison | Verdict::Rejected(_) => Coverage::Rejected,
            Verdict::TooComplex { .. } | Verdict::Undecided(_) => Coverage::Partial,
            Verdict::NotSubmitted(_) => Coverage::NotSubmitted,
        }
    }
}

/// What the instructions no path of the walk reached are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Every path was walked and the program loads: they are dead, the kernel removes them.
    Complete,
    /// The program is rejected: nothing is removed (the kernel stops at the first error).
    Rejected,
    /// The walk stopped before every path was explored: they are not explored, and nothing
    /// is known to be dead.
    Partial,
    /// libbpf does not submit the program: nothing was walked.
    NotSubmitted,
}

impl Coverage {
    /// Whether unreached means dead (the only case the kernel removes code).
    pub fn unreached_is_dead(self) -> bool {
        self == Coverage::Complete
    }

    /// A name for unreached instructions (`dead`, `not_reached`, `not_explored`,
    /// `not_submitted`), as the JSON prints it.
    pub fn label(self) -> &'static str {
        match self {
            Coverage::Complete => "dead",
            Coverage::Rejected => "not_reached",
            Coverage::Partial => "not_explored",
            Coverage::NotSubmitted => "not_submitted",
        }
    }

    /// What unreached instructions are, in words (the CLI's and the page's heading).
    pub fn unreached_words(self) -> &'static str {
        match self {
            Coverage::Complete => "dead (removed by the verifier)",
            Coverage::Rejected => {
                "not reached before the verifier stopped (the program is rejected: nothing is removed)"
            }
            Coverage::Partial => {
                "not explored (the walk stopped before it finished: nothing here is known to be dead)"
            }
            Coverage::NotSubmitted => "not walked (libbpf does not submit the program)",
        }
    }
}

/// Why libbpf does not submit a program to the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSubmitted {
    /// `SEC("?...")`: not loaded unless asked for.
    AutoloadOff,
    /// One of its CO-RE relocations fails; libbpf's first warning about it, if any.
    RelocationError(Option<String>),
    /// A subprogram's relocation fails, which fails the whole object; libbpf's warning.
    ObjectError(Option<String>),
    /// libbpf cannot resolve the object's `.kconfig` externs (the whole load fails).
    ExternError(String),
    /// libbpf refuses it before the kernel sees it (a strong `__ksym` the kernel lacks, a
    /// call into a missing `.text`).
    LibbpfError(String),
}

impl NotSubmitted {
    /// The oracle's reason code (`autoload_off`, `relocation_error`, `object_error`,
    /// `extern_error`, `libbpf_error`).
    pub fn code(&self) -> &'static str {
        match self {
            NotSubmitted::AutoloadOff => "autoload_off",
            NotSubmitted::RelocationError(_) => "relocation_error",
            NotSubmitted::ObjectError(_) => "object_error",
            NotSubmitted::ExternError(_) => "extern_error",
            NotSubmitted::LibbpfError(_) => "libbpf_error",
        }
    }

    /// What libbpf said, when it said something.
    pub fn detail(&self) -> Option<&str> {
        match self {
            NotSubmitted::AutoloadOff => None,
            NotSubmitted::RelocationError(w) | NotSubmitted::ObjectError(w) => w.as_deref(),
            NotSubmitted::ExternError(m) | NotSubmitted::LibbpfError(m) => Some(m),
        }
    }

    /// `code: detail` (the JSON reason).
    pub fn reason(&self) -> String {
        match self.detail() {
            Some(d) => format!("{}: {d}", self.code()),
            None => self.code().to_owned(),
        }
    }

    /// The reason in words, for people.
    pub fn describe(&self) -> String {
        let detail = |d: Option<&str>| d.map(|d| format!(" ({d})")).unwrap_or_default();
        match self {
            NotSubmitted::AutoloadOff => "it is not loaded by default (SEC(\"?…\"))".into(),
            NotSubmitted::RelocationError(w) => {
                format!("one of its relocations fails{}", detail(w.as_deref()))
            }
            NotSubmitted::ObjectError(w) => format!(
                "a subprogram's relocation fails the whole object{}",
                detail(w.as_deref())
            ),
            NotSubmitted::ExternError(m) => format!("libbpf cannot resolve its externs ({m})"),
            NotSubmitted::LibbpfError(m) => format!("libbpf refuses it ({m})"),
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

    /// Instruction `idx` of the program as the guard views list it: llvm-objdump's syntax,
    /// with calls named as the verifier's log and bpftool name them
    /// (`call bpf_probe_read_kernel#113`; a kfunc by its name; a poisoned call as
    /// `call unknown#195896080`).
    pub fn insn_text(&self, idx: usize, names: &HelperNames) -> Disasm {
        let mut d = disassemble(&self.linked.insns, idx);
        let Some(insn) = self.linked.insns.get(idx).filter(|i| i.is_call()) else {
            return d;
        };
        if let Some(name) = self
            .linked
            .kfuncs
            .get(&idx)
            .or_else(|| self.linked.poisoned_kfuncs.get(&idx))
        {
            d.text = format!("call {name}");
        } else if insn.src == 0 && !is_libbpf_poison(insn.imm) {
            d.text = match names.name(insn.imm) {
                Some(name) => format!("call {name}#{}", insn.imm),
                None => format!("call unknown#{}", insn.imm),
            };
            // A helper the target kernel lacks: its own verifier would refuse the call.
            if names.target_has(insn.imm) == Some(false) {
                if let Some(h) = super::helpers::helper(insn.imm) {
                    d.text
                        .push_str(&format!("  ; not in this kernel (Linux {}+)", h.since));
                }
            }
        }
        d
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

    /// Maximal runs of unreached instructions as linked index ranges `[start, end)`: dead
    /// code only when [`Verdict::coverage`] says so.
    pub fn unreached_ranges(&self) -> Vec<(usize, usize)> {
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

/// A call libbpf wrote in place of something it could not resolve (a CO-RE relocation, a
/// map, a kfunc): listed as written (`call 0xbad2310`), with the kernel's message apart.
fn is_libbpf_poison(imm: i32) -> bool {
    imm == crate::insn::POISON_IMM || (2_001_000_000..=2_002_999_999).contains(&imm)
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
    skip: Option<NotSubmitted>,
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
    } else if let Some(why) = exploration.exhausted {
        match why {
            Exhausted::Steps if input.limits.max_steps >= KERNEL_STEP_LIMIT => {
                Verdict::TooComplex {
                    steps: exploration.steps,
                }
            }
            Exhausted::Steps => Verdict::Undecided(format!(
                "the simulation's budget of {} instructions ran out",
                input.limits.max_steps
            )),
            Exhausted::Pending => Verdict::Undecided(format!(
                "more than {} paths were waiting to be explored",
                input.limits.max_pending
            )),
        }
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
