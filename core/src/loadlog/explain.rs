//! A parsed load log against the object that failed to load: which program each log is
//! (by name, or by its instructions), every instruction it names mapped to function,
//! instruction and source line, each poisoned instruction it reached decoded (a CO-RE
//! relocation by section and number, with what it accesses; a map; a kfunc), why (with the
//! target's BTF: the field or type is missing, renamed, or the object was built for another
//! architecture) and how to fix it; and the verifier's walk set against corelab's own
//! simulation of it, differences shown.

use crate::access::{c_path, field_of, renamed};
use crate::btf::{essential_name, Btf};
use crate::insn::Insn;
use crate::object::Object;
use crate::pipeline::{self, Analysis, Knobs};
use crate::reloc::{
    calc_relo_insn, CalcContext, Outcome, RelocClass, RelocKind, RelocRequest, Spec,
};
use crate::sim::link::{link, LdImm, LinkedProgram};

use super::parse::{LoadLog, PoisonKind, ProgLog, Wrapper};

/// What the explanation may use besides the object and the log.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// The BTF of the kernel the log came from: says why relocations failed, and lets the
    /// simulation run.
    pub target: Option<&'a Btf>,
    /// What the simulated kernel says besides its BTF (Kconfig, release, `--set`).
    pub knobs: Knobs,
    /// The program a log that names none came from. A bare verifier log does not say, and
    /// programs with the same instructions (libbpf-tools' memleak has eight) fit it equally:
    /// only the person who loaded it knows which one failed.
    pub prog: Option<&'a str>,
}

/// An instruction of a submitted program, where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Index in the program as submitted (what the log prints).
    pub insn: u32,
    /// The function holding it.
    pub func: String,
    /// Index within that function.
    pub func_insn: u32,
    /// The ELF section.
    pub section: String,
    /// Index within the section.
    pub sec_insn: u32,
    /// Source line from line_info: (file, line, text).
    pub source: Option<(String, u32, String)>,
}

/// How the log was matched to a program of the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The log names the program, and its instructions agree.
    Named(usize),
    /// The log names no program; the person named it ([`Options::prog`]), and its
    /// instructions agree.
    Given(usize),
    /// The log's instructions are this program's (`others`: programs with the same code).
    ByCode {
        /// The program.
        prog: usize,
        /// Other programs whose code agrees as well.
        others: Vec<usize>,
    },
    /// Named, but the log shows no instruction to check it against.
    NameOnly(usize),
    /// The log does not fit the object.
    NoMatch(String),
}

/// What a poisoned instruction stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// A CO-RE relocation that found no match.
    Core {
        /// `.BTF.ext` section of the record.
        sec: String,
        /// Its index there (libbpf's `relo #N`).
        sec_relo_idx: usize,
        /// The kind.
        kind: RelocKind,
        /// What it accesses (`task_struct.mm`).
        access: String,
        /// libbpf's local spec (`<byte_off> [5] struct task_struct.mm (0:53 @ offset 2272)`).
        spec: String,
    },
    /// A map libbpf did not create.
    Map {
        /// libbpf's index of the map, from the poison's number.
        index: Option<u32>,
        /// Its name.
        name: Option<String>,
    },
    /// A weak kfunc the kernel lacks.
    Kfunc {
        /// Its name.
        name: Option<String>,
    },
}

/// A poisoned instruction the verifier reached, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where (`None` when the log does not say and nothing could tell).
    pub place: Option<Place>,
    /// What it stands for.
    pub kind: FindingKind,
    /// Why it was poisoned.
    pub cause: String,
    /// How to fix it.
    pub fix: String,
    /// Where the position came from, when not from the log itself.
    pub located_by: Option<String>,
}

/// The verifier's walk against corelab's simulation (needs the target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimCheck {
    /// The simulation's verdict (`loaded`, `rejected_poison`, …).
    pub verdict: String,
    /// The poisoned instruction the simulation's walk meets first.
    pub first_poison: Option<usize>,
    /// Whether the simulation stops where the log does.
    pub agrees: bool,
    /// What differs, in words (empty when nothing does).
    pub differences: Vec<String>,
}

/// One program's log, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgExplanation {
    /// The program's name as the log gives it.
    pub log_prog: Option<String>,
    /// The program of the object.
    pub matched: Match,
    /// The verifier's error line.
    pub error: Option<String>,
    /// Where the verifier stopped (its last instruction line).
    pub stopped_at: Option<Place>,
    /// Poisoned instructions reached.
    pub findings: Vec<Finding>,
    /// The walk against the simulation.
    pub sim: Option<SimCheck>,
}

impl ProgExplanation {
    /// The matched program, if any.
    pub fn prog(&self) -> Option<usize> {
        match self.matched {
            Match::Named(p)
            | Match::Given(p)
            | Match::ByCode { prog: p, .. }
            | Match::NameOnly(p) => Some(p),
            Match::NoMatch(_) => None,
        }
    }
}

/// The explanation of a load log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// What wrapped the log.
    pub wrapper: Wrapper,
    /// One per program log.
    pub progs: Vec<ProgExplanation>,
    /// libbpf's messages outside the verifier logs.
    pub libbpf: Vec<String>,
}

impl Explanation {
    /// Whether any program log fits the object.
    pub fn matches(&self) -> bool {
        self.progs.iter().any(|p| p.prog().is_some())
    }
}

/// Explains `log` against `obj`.
pub fn explain(obj: &Object, log: &LoadLog, opts: &Options<'_>) -> Explanation {
    let code: Vec<Vec<Insn>> = obj.code.iter().map(|c| c.insns.clone()).collect();
    let mains: Vec<usize> = (0..obj.programs.len())
        .filter(|&i| !obj.programs[i].is_subprog)
        .collect();
    let linked: Vec<LinkedProgram> = mains
        .iter()
        .map(|&p| link(obj, &code, p, None, opts.target))
        .collect();
    let analysis = opts
        .target
        .and_then(|t| pipeline::analyze(obj, t, &opts.knobs).ok());
    let cx = Cx {
        obj,
        analysis: analysis.as_ref(),
        target: opts.target,
        prog: opts.prog,
    };
    let progs = log
        .progs
        .iter()
        .map(|pl| explain_prog(&cx, &mains, &linked, pl))
        .collect();
    Explanation {
        wrapper: log.wrapper,
        progs,
        libbpf: log.libbpf.clone(),
    }
}

/// Whether the log's instruction lines fit `lp` (the program as submitted, before CO-RE):
/// the same opcode at each index, except where a relocation may have put a poisoned call.
fn mismatches(obj: &Object, lp: &LinkedProgram, pl: &ProgLog) -> Vec<String> {
    let mut out = Vec::new();
    let lines = pl
        .walk
        .iter()
        .filter_map(|w| w.code.map(|c| (w.insn, c)))
        .chain(pl.listing.iter().copied());
    for (idx, code) in lines {
        let i = idx as usize;
        let Some(insn) = lp.insns.get(i) else {
            out.push(format!(
                "instruction {idx} is past the end of the program ({} instructions)",
                lp.insns.len()
            ));
            continue;
        };
        if insn.code == code {
            continue;
        }
        let site = core_record_at(obj, lp, i).is_some()
            || (i > 0 && lp.insns[i - 1].is_ld_imm64() && core_record_at(obj, lp, i - 1).is_some());
        let map_or_call = lp.ld.contains_key(&i)
            || (i > 0 && lp.ld.contains_key(&(i - 1)))
            || lp.poisoned_kfuncs.contains_key(&i);
        if (code == 0x85 || code == 0x18) && (site || map_or_call) {
            continue;
        }
        out.push(format!(
            "instruction {idx} is ({code:02x}) in the log but ({:02x}) in the program",
            insn.code
        ));
        if out.len() >= 5 {
            break;
        }
    }
    // The source lines the verifier printed from line_info must be the program's.
    for src in &pl.sources {
        let Some(&(ci, sec_insn)) = lp.origin.get(src.insn as usize) else {
            continue;
        };
        let Some(line) = obj.source_line(ci, sec_insn) else {
            continue;
        };
        let same_text = line.text.trim() == src.text.trim();
        let same_line = src.at.as_ref().is_none_or(|(_, n)| *n == line.line);
        if !(same_text && same_line) {
            out.push(format!(
                "the log's source line before instruction {} is `{}`, the program's is `{}`",
                src.insn,
                src.text.trim(),
                line.text.trim()
            ));
            if out.len() >= 5 {
                break;
            }
        }
    }
    out
}

/// The CO-RE record at instruction `i` of a linked program: (section, index in it).
fn core_record_at(obj: &Object, lp: &LinkedProgram, i: usize) -> Option<(String, usize)> {
    let &(ci, sec_insn) = lp.origin.get(i)?;
    let name = &obj.code.get(ci)?.name;
    let ext = obj.ext.as_ref()?;
    let sec = ext.core_relos.iter().find(|s| &s.name == name)?;
    let k = sec
        .records
        .iter()
        .position(|r| r.insn_off == sec_insn * 8)?;
    Some((name.clone(), k))
}

fn place(obj: &Object, lp: &LinkedProgram, idx: u32) -> Option<Place> {
    let i = idx as usize;
    let f = lp.func_at(i)?;
    let &(ci, sec_insn) = lp.origin.get(i)?;
    let source = obj
        .source_line(ci, sec_insn)
        .map(|s| (s.file.to_owned(), s.line, s.text.trim().to_owned()));
    Some(Place {
        insn: idx,
        func: f.name.clone(),
        func_insn: (i - f.start) as u32,
        section: obj.code[ci].name.clone(),
        sec_insn,
        source,
    })
}

/// What the explanation works with.
struct Cx<'a> {
    obj: &'a Object,
    analysis: Option<&'a Analysis<'a>>,
    target: Option<&'a Btf>,
    /// [`Options::prog`].
    prog: Option<&'a str>,
}

fn explain_prog(
    cx: &Cx<'_>,
    mains: &[usize],
    linked: &[LinkedProgram],
    pl: &ProgLog,
) -> ProgExplanation {
    let (obj, analysis) = (cx.obj, cx.analysis);
    let has_code = !pl.walk.is_empty() || !pl.listing.is_empty();
    let matched = match pl.prog.as_deref().or(cx.prog) {
        Some(name) => match mains.iter().position(|&p| obj.programs[p].name == name) {
            None => Match::NoMatch(format!("the object has no program named '{name}'")),
            Some(k) if !has_code => Match::NameOnly(mains[k]),
            Some(k) => {
                let m = mismatches(obj, &linked[k], pl);
                if m.is_empty() && pl.prog.is_none() {
                    Match::Given(mains[k])
                } else if m.is_empty() {
                    Match::Named(mains[k])
                } else {
                    Match::NoMatch(format!("program '{name}': {}", m.join("; ")))
                }
            }
        },
        None if !has_code => match mains {
            [only] => Match::NameOnly(*only),
            _ => Match::NoMatch("the log names no program and shows no instruction".to_owned()),
        },
        None => {
            let fits: Vec<usize> = (0..mains.len())
                .filter(|&k| mismatches(obj, &linked[k], pl).is_empty())
                .collect();
            match fits.split_first() {
                Some((&first, rest)) => Match::ByCode {
                    prog: mains[first],
                    others: rest.iter().map(|&k| mains[k]).collect(),
                },
                None => {
                    let why = (0..mains.len())
                        .filter_map(|k| mismatches(obj, &linked[k], pl).into_iter().next())
                        .next()
                        .unwrap_or_else(|| "the object has no program".to_owned());
                    Match::NoMatch(format!(
                        "no program of the object has these instructions ({why})"
                    ))
                }
            }
        }
    };
    let mut out = ProgExplanation {
        log_prog: pl.prog.clone(),
        matched,
        error: pl.error.clone(),
        stopped_at: None,
        findings: Vec::new(),
        sim: None,
    };
    let Some(prog) = out.prog() else {
        return out;
    };
    let k = mains.iter().position(|&p| p == prog).unwrap_or(0);
    let lp = &linked[k];
    out.stopped_at = pl.walk.last().and_then(|w| place(obj, lp, w.insn));
    let report = analysis.and_then(|a| a.programs.iter().find(|r| r.prog == prog));
    for poison in &pl.poisons {
        let (idx, located_by) = if poison.insn == u32::MAX {
            match report.and_then(|r| r.rejecting_poison()) {
                Some(p) => (
                    Some(p.idx as u32),
                    Some("the log does not say where; corelab's simulation against the target meets this poisoned instruction first".to_owned()),
                ),
                None => (None, None),
            }
        } else {
            (Some(poison.insn), None)
        };
        let place = idx.and_then(|i| place(obj, lp, i));
        let finding = match &poison.kind {
            PoisonKind::Core => {
                core_finding(cx, lp, idx, poison.detail.as_deref(), place, located_by)
            }
            PoisonKind::Map(n) => {
                let name = idx
                    .and_then(|i| lp.ld.get(&(i as usize)))
                    .and_then(|l| match l {
                        LdImm::Map(m) | LdImm::MapValue { map: m, .. } => {
                            obj.maps.get(usize::from(*m)).map(|m| m.name.clone())
                        }
                        _ => None,
                    })
                    .or_else(|| poison.detail.clone());
                let what = name
                    .as_deref()
                    .map_or("a map".to_owned(), |n| format!("map '{n}'"));
                Finding {
                    place,
                    kind: FindingKind::Map {
                        index: (*n != u32::MAX).then_some(*n),
                        name: name.clone(),
                    },
                    cause: format!(
                        "{what} was not created (its autocreate was turned off, or creating it failed) and this code still uses it: libbpf poisons the instruction that loads it"
                    ),
                    fix: format!(
                        "create {what}, or make this code unreachable when it is not created (a `const volatile` flag set before the load, which the verifier treats as a constant)"
                    ),
                    located_by,
                }
            }
            PoisonKind::Kfunc(_) => {
                let name = idx
                    .and_then(|i| lp.poisoned_kfuncs.get(&(i as usize)).cloned())
                    .or_else(|| poison.detail.clone())
                    .or_else(|| idx.and_then(|i| kfunc_called(obj, lp, i as usize)));
                let n = name.clone().unwrap_or_else(|| "the kfunc".to_owned());
                Finding {
                    place,
                    kind: FindingKind::Kfunc { name },
                    cause: format!(
                        "kfunc '{n}' is declared __weak and this kernel's BTF has no such function, so libbpf poisoned the call"
                    ),
                    fix: format!("call it only where it exists: `if (bpf_ksym_exists({n})) {n}(…);`"),
                    located_by,
                }
            }
        };
        out.findings.push(finding);
    }
    if let Some(r) = report {
        let mut check = sim_check(pl, r);
        // Map and kfunc poisons depend on what user space did (autocreate) and on the
        // running kernel's kfuncs: say so where the simulation could not know.
        for f in &out.findings {
            let Some(at) = &f.place else { continue };
            let sim_poisoned = r.poisoned.iter().any(|p| p.idx == at.insn as usize);
            if sim_poisoned {
                continue;
            }
            match &f.kind {
                FindingKind::Map { name, .. } => check.differences.push(format!(
                    "the simulation assumes map '{}' is created (user space turned its autocreate off, which the object does not show)",
                    name.as_deref().unwrap_or("?")
                )),
                FindingKind::Kfunc { name } => check.differences.push(format!(
                    "the simulation found kfunc '{}' in the target's BTF (the kernel that printed the log did not)",
                    name.as_deref().unwrap_or("?")
                )),
                FindingKind::Core { .. } => {}
            }
        }
        out.sim = Some(check);
    }
    out
}

/// The kfunc a call instruction calls (from its ELF relocation).
fn kfunc_called(obj: &Object, lp: &LinkedProgram, i: usize) -> Option<String> {
    let &(ci, sec_insn) = lp.origin.get(i)?;
    let r = obj.code[ci].relocs.iter().find(|r| r.insn == sec_insn)?;
    match &r.target {
        crate::object::RelocTarget::Extern { ext, .. } => {
            obj.externs.get(*ext).map(|x| x.name.clone())
        }
        _ => None,
    }
}

/// The local spec of a record of the object (libbpf's parse, no target).
fn local_spec<'a>(obj: &'a Object, sec: &str, k: usize) -> Option<Spec<'a>> {
    let btf = obj.btf.as_ref()?;
    let ext = obj.ext.as_ref()?;
    let r = ext
        .core_relos
        .iter()
        .find(|s| s.name == sec)?
        .records
        .get(k)?;
    let kind = RelocKind(r.kind);
    let none: &[crate::reloc::Candidate<'_>] = &[];
    let res = calc_relo_insn(
        &CalcContext {
            prog: "",
            relo_idx: k,
            local: btf,
            libbpf: crate::libbpf::Libbpf::default(),
        },
        &RelocRequest {
            insn_off: r.insn_off,
            type_id: r.type_id,
            access: btf.str_at(r.access_str_off),
            kind,
        },
        (kind != RelocKind::TYPE_ID_LOCAL).then_some(none),
    );
    res.local_spec
}

/// Registers that say which architecture a `pt_regs` is.
const ARCH_REGS: [(&str, &[&str]); 6] = [
    (
        "x86",
        &[
            "di", "si", "dx", "cx", "ax", "ip", "sp", "bx", "bp", "orig_ax",
        ],
    ),
    ("arm64", &["regs", "pstate", "orig_x0", "syscallno"]),
    ("s390", &["psw", "gprs", "orig_gpr2"]),
    ("powerpc", &["gpr", "nip", "msr", "orig_gpr3"]),
    ("riscv", &["epc", "ra", "a0", "a7", "status"]),
    ("loongarch", &["csr_era", "csr_badvaddr"]),
];

/// The architecture a BTF's `struct pt_regs` belongs to.
fn arch_of(btf: &Btf) -> Option<&'static str> {
    let id = btf
        .find_by_name("pt_regs")
        .find(|&i| btf.ty(i).kind().is_composite())?;
    let names: Vec<String> = crate::diff::fields_of(btf, &btf.ty(id))
        .into_iter()
        .map(|f| f.path.split('.').next().unwrap_or("").to_owned())
        .collect();
    ARCH_REGS
        .iter()
        .find(|(_, regs)| {
            regs.iter()
                .filter(|r| names.iter().any(|n| n == *r))
                .count()
                >= 2
        })
        .map(|(a, _)| *a)
}

/// The architecture a register name belongs to.
fn arch_of_reg(reg: &str) -> Option<&'static str> {
    ARCH_REGS
        .iter()
        .find(|(_, regs)| regs.contains(&reg))
        .map(|(a, _)| *a)
}

fn core_finding(
    cx: &Cx<'_>,
    lp: &LinkedProgram,
    idx: Option<u32>,
    detail: Option<&str>,
    place: Option<Place>,
    located_by: Option<String>,
) -> Finding {
    let obj = cx.obj;
    let rec = idx.and_then(|i| {
        let i = i as usize;
        core_record_at(obj, lp, i).or_else(|| {
            (i > 0 && lp.insns.get(i - 1).is_some_and(Insn::is_ld_imm64))
                .then(|| core_record_at(obj, lp, i - 1))
                .flatten()
        })
    });
    let Some((sec, k)) = rec else {
        // Without a position, name what could have been poisoned in this program.
        let mut could: Vec<String> = Vec::new();
        for i in 0..lp.insns.len() {
            if let Some((sec, k)) = core_record_at(obj, lp, i) {
                if let Some(s) = local_spec(obj, &sec, k) {
                    let poisonable = matches!(s.kind.class(), RelocClass::Field)
                        && s.kind != RelocKind::FIELD_EXISTS
                        || s.kind == RelocKind::ENUMVAL_VALUE;
                    let a = s.access_path();
                    if poisonable && !could.contains(&a) {
                        could.push(a);
                    }
                }
            }
        }
        let list = if could.is_empty() {
            String::new()
        } else {
            format!(
                " — the program's relocations that can be poisoned: {}",
                could.join(", ")
            )
        };
        return Finding {
            place,
            kind: FindingKind::Core {
                sec: String::new(),
                sec_relo_idx: 0,
                kind: RelocKind(0),
                access: String::new(),
                spec: detail.unwrap_or("").to_owned(),
            },
            cause: match detail {
                Some(d) => format!("libbpf could not resolve the CO-RE relocation {d} on the kernel that printed this log"),
                None => format!("a CO-RE relocation was poisoned; the log does not say which (pass the kernel's BTF with --target to find it){list}"),
            },
            fix: "guard the access with bpf_core_field_exists() / bpf_core_type_exists(), or read what this kernel has instead".to_owned(),
            located_by,
        };
    };
    let spec = local_spec(obj, &sec, k);
    let (kind, access, spec_text) = match &spec {
        Some(s) => (s.kind, s.access_path(), s.format()),
        None => (RelocKind(0), String::new(), detail.unwrap_or("").to_owned()),
    };
    let guard = spec.as_ref().map(guard_text).unwrap_or_default();
    let (cause, fix) = match (cx.analysis, cx.target, &spec) {
        (Some(a), Some(t), Some(s)) => why(a, t, &sec, k, s, &guard),
        _ => (
            format!(
                "no type of the kernel that printed this log matches {access} ({}): the field, enumerator or type is missing there, or has another name or another shape (pass that kernel's BTF with --target to say which)",
                spec_text
            ),
            format!("guard the access: {guard}"),
        ),
    };
    Finding {
        place,
        kind: FindingKind::Core {
            sec,
            sec_relo_idx: k,
            kind,
            access,
            spec: spec_text,
        },
        cause,
        fix,
        located_by,
    }
}

/// `if (bpf_core_field_exists(struct task_struct, mm)) …` for a spec.
fn guard_text(s: &Spec<'_>) -> String {
    let root = s.btf.ty(s.root);
    let kw = root.kind().lower_name();
    let root_c = match root.kind() {
        k if k.is_composite() || k.is_any_enum() => {
            format!("{} {}", kw.trim_end_matches("64"), root.name())
        }
        _ => root.name().to_owned(),
    };
    match s.kind.class() {
        RelocClass::Field => {
            let path = c_path(s);
            format!("if (bpf_core_field_exists({root_c}, {path})) {{ … }}")
        }
        RelocClass::EnumVal => format!(
            "if (bpf_core_enum_value_exists({root_c}, {})) {{ … }}",
            s.access.first().and_then(|a| a.name).unwrap_or("?")
        ),
        _ => format!("if (bpf_core_type_exists({root_c})) {{ … }}"),
    }
}

/// Why record `k` of section `sec` was poisoned on the analysed target, and the fix.
fn why(
    a: &Analysis<'_>,
    target: &Btf,
    sec: &str,
    k: usize,
    s: &Spec<'_>,
    guard: &str,
) -> (String, String) {
    let Some(r) = a
        .relocation
        .records
        .iter()
        .find(|r| r.sec == sec && r.sec_relo_idx == k)
    else {
        return (
            "the record is not in the object's .BTF.ext".to_owned(),
            guard.to_owned(),
        );
    };
    let access = s.access_path();
    if !matches!(r.outcome, Outcome::Poisoned(_)) {
        return (
            format!(
                "on the --target kernel this relocation is {} (not poisoned): the log comes from another kernel",
                r.outcome.name()
            ),
            "give --target the BTF of the kernel that printed the log".to_owned(),
        );
    }
    let Some(p) = &r.processed else {
        return (
            format!("{access}: not found on this kernel"),
            guard.to_owned(),
        );
    };
    if let Outcome::Poisoned(crate::reloc::PoisonCause::MemSizeAdjust) = r.outcome {
        return (
            format!(
                "{access} exists on this kernel but its size changed, and the program loads it directly with a signed or non-pointer type libbpf cannot resize"
            ),
            "read it with BPF_CORE_READ() (bpf_probe_read_kernel copies what CO-RE says), or declare it as an unsigned type of the new size in a ___flavor struct".to_owned(),
        );
    }
    let root = s.btf.ty(s.root);
    let root_name = essential_name(root.name()).to_owned();
    let cands = p.cands.as_deref().unwrap_or(&[]);
    if cands.is_empty() {
        return (
            format!(
                "this kernel has no {} named {root_name}",
                root.kind().lower_name()
            ),
            guard.replace("field_exists", "type_exists").to_owned(),
        );
    }
    if s.kind.class() == RelocClass::EnumVal {
        let v = s.access.first().and_then(|x| x.name).unwrap_or("?");
        return (
            format!("enum {root_name} has no enumerator {v} on this kernel"),
            guard.to_owned(),
        );
    }
    // A field: another architecture's registers, a rename, or simply missing.
    let field = s.access.iter().rev().find_map(|x| x.name).unwrap_or("");
    if root_name == "pt_regs" || root_name == "user_pt_regs" {
        if let (Some(local), Some(target_arch)) = (arch_of_reg(field), arch_of(target)) {
            if local != target_arch {
                return (
                    format!(
                        "the program reads {local}'s pt_regs.{field}, and this kernel is {target_arch}: its pt_regs has other registers — the object was built for {local} (__TARGET_ARCH_{local})"
                    ),
                    format!(
                        "build the object for {target_arch} (clang -D__TARGET_ARCH_{target_arch}; bpf_tracing.h's BPF_KPROBE/PT_REGS_PARM* then pick its registers), one object per architecture"
                    ),
                );
            }
        }
    }
    if let Some((container, path)) = field_of(s) {
        if let Some(to) = renamed(s.btf, target, &container, &path) {
            let verb = if to.len() == 1 {
                "renamed to"
            } else {
                "replaced by"
            };
            return (
                format!(
                    "{container}.{path} is {verb} {} on this kernel",
                    to.join(", ")
                ),
                if to.len() == 1 {
                    format!(
                        "read {} on kernels that have it: declare `struct {container}___old {{ … {}; }} __attribute__((preserve_access_index));` and branch on bpf_core_field_exists() (`corelab access` writes and checks this fix)",
                        to[0], to[0]
                    )
                } else {
                    format!("{guard}, and read {} where they exist", to.join(", "))
                },
            );
        }
    }
    (
        format!(
            "{access} does not exist on this kernel ({} has no field {field})",
            root_name
        ),
        guard.to_owned(),
    )
}

/// The verifier's walk in the log against the simulation's report of the same program.
fn sim_check(pl: &ProgLog, r: &crate::sim::ProgramReport) -> SimCheck {
    if let crate::sim::Verdict::NotSubmitted(why) = &r.verdict {
        return SimCheck {
            verdict: r.verdict.label().to_owned(),
            first_poison: None,
            agrees: false,
            differences: vec![format!(
                "the simulation does not submit this program ({}) while the log shows the verifier checking it: give the kernel's release and Kconfig (--kernel-release, --kconfig), or disable what fails first",
                why.describe()
            )],
        };
    }
    let first = r.rejecting_poison().map(|p| p.idx);
    let log_poison = pl
        .poisons
        .first()
        .map(|p| p.insn)
        .filter(|&i| i != u32::MAX);
    let mut differences = Vec::new();
    let agrees = match (log_poison, first) {
        (Some(l), Some(s)) if l as usize == s => true,
        (Some(l), Some(s)) => {
            differences.push(format!(
                "the verifier stopped at the poisoned instruction {l}; the simulation's walk meets {s} first"
            ));
            false
        }
        (Some(l), None) => {
            let poisoned_here = r.poisoned.iter().any(|p| p.idx == l as usize);
            differences.push(if poisoned_here {
                format!(
                    "the simulation does not reach the poisoned instruction {l} (verdict {}): it calls it dead where the kernel does not",
                    r.verdict.label()
                )
            } else {
                format!(
                    "instruction {l} is not poisoned in the simulation (verdict {})",
                    r.verdict.label()
                )
            });
            false
        }
        (None, Some(_)) if !pl.poisons.is_empty() => true,
        (None, Some(s)) if pl.error.is_some() => {
            differences.push(format!(
                "the verifier stopped for another reason ({}); the simulation would stop at the poisoned instruction {s}",
                pl.error.as_deref().unwrap_or("")
            ));
            false
        }
        (None, Some(s)) => {
            differences.push(format!(
                "the log shows no poisoned instruction, the simulation reaches {s}"
            ));
            false
        }
        (None, None) => {
            if let Some(e) = &pl.error {
                differences.push(format!(
                    "the verifier rejected the program for a reason the simulation does not model: {e}"
                ));
                false
            } else {
                true
            }
        }
    };
    let seen = &r.exploration.seen;
    let mut dead: Vec<u32> = pl
        .walk
        .iter()
        .map(|w| w.insn)
        .filter(|&i| !seen.get(i as usize).copied().unwrap_or(false))
        .collect();
    dead.sort_unstable();
    dead.dedup();
    if !dead.is_empty() {
        let shown: Vec<String> = dead.iter().take(12).map(u32::to_string).collect();
        differences.push(format!(
            "the verifier visited {} instruction(s) the simulation calls dead: {}{}",
            dead.len(),
            shown.join(", "),
            if dead.len() > 12 { ", …" } else { "" }
        ));
    }
    SimCheck {
        verdict: r.verdict.label().to_owned(),
        first_poison: first,
        agrees: agrees && dead.is_empty(),
        differences,
    }
}
