//! The object-level loop (`bpf_object__relocate_core`): every CO-RE record of an object, in
//! `.BTF.ext` order, against one target BTF (spec/core-spec.md §3.4).
//!
//! Per record: find the program containing the instruction (none: a `__weak` copy the linker
//! eliminated), skip programs that are not loaded, search candidates once per local root type
//! (one cache per pass, pruned as relocations match), calculate, patch. The first error fails
//! the object, as in libbpf.
//!
//! To still say what every later record would give, the driver re-runs the way the oracle
//! does (tests/data/oracle, README "Re-runs"): the program whose relocation failed is
//! disabled and everything is recomputed from scratch (fresh code, fresh cache), up to
//! [`MAX_PASSES`] passes; each record keeps the result of the first pass that reached it. A
//! failure in a `.text` function (a subprogram, which libbpf cannot disable) ends the passes.

use crate::btf::Btf;
use crate::ext::CoreRelo;
use crate::insn::Insn;
use crate::libbpf::Libbpf;
use crate::object::{Object, Program, SectionKind, TEXT};

use super::calc::{calc_relo_insn, CalcContext, RelocRequest, Resolution};
use super::cands::{find_candidates, Candidate, CandidateCache, Target};
use super::log::{self, Errno, Level, LogLine};
use super::patch::{patch_insn, PatchReport, Patched, PoisonCause};
use super::RelocKind;

/// The oracle's limit on relocation passes.
pub const MAX_PASSES: usize = 8;

/// Where a relocation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The record itself is unusable (bad instruction offset or type id); libbpf fails
    /// before its CO-RE engine sees it.
    Record,
    /// The candidate search (an anonymous local root type).
    CandSearch,
    /// The calculation (spec parsing, matching, ambiguity, values).
    Calc,
    /// Patching the instruction.
    Patch,
}

/// What happened to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The instruction carries the relocated value.
    Patched,
    /// The instruction was poisoned.
    Poisoned(PoisonCause),
    /// The relocation failed; libbpf fails the object.
    Error(Phase, Errno),
    /// The program is not loaded (`SEC("?...")`): libbpf skips its relocations.
    SkippedAutoload,
    /// No program contains the instruction (an eliminated `__weak` copy).
    Eliminated,
    /// Relocation stopped before this record in every pass.
    NotReached,
}

impl Outcome {
    /// The oracle's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Patched => "patched",
            Outcome::Poisoned(_) => "poisoned",
            Outcome::Error(..) => "error",
            Outcome::SkippedAutoload => "skipped_autoload",
            Outcome::Eliminated => "eliminated",
            Outcome::NotReached => "not_reached",
        }
    }

    /// Why no pass processed the record, in a few words (`None` if one did).
    pub fn unprocessed_reason(self) -> Option<&'static str> {
        match self {
            Outcome::SkippedAutoload => Some("program not loaded (SEC(\"?...\"))"),
            Outcome::Eliminated => {
                Some("no program holds the instruction (eliminated __weak copy)")
            }
            Outcome::NotReached => Some("not reached: the object failed earlier"),
            Outcome::Patched | Outcome::Poisoned(_) | Outcome::Error(..) => None,
        }
    }
}

/// What the driver did with a record it processed.
#[derive(Debug, Clone)]
pub struct Processed<'a> {
    /// The pass that produced it (1 unless a re-run did).
    pub pass: usize,
    /// The outcome (patched, poisoned or error).
    pub outcome: Outcome,
    /// The candidate list handed to the calculation (`None`: TYPE_ID_LOCAL, or not reached).
    pub cands: Option<Vec<Candidate<'a>>>,
    /// The calculation (`None` if it did not run).
    pub resolution: Option<Resolution<'a>>,
    /// The patch (`None` if not reached).
    pub patch: Option<PatchReport>,
    /// libbpf's lines about this relocation: candidate search, calculation, patching.
    pub log: Vec<LogLine>,
}

impl Processed<'_> {
    /// libbpf's first warning about this relocation: why it failed or was poisoned by the
    /// patch step ([`LogLine::line`] is libbpf's text, [`LogLine::text`] the message alone).
    pub fn first_warning(&self) -> Option<&LogLine> {
        self.log.iter().find(|l| l.level == Level::Warn)
    }
}

/// One CO-RE record and its result.
#[derive(Debug, Clone)]
pub struct RecordReport<'a> {
    /// The `.BTF.ext` section name (the ELF code section).
    pub sec: &'a str,
    /// Index in that section (libbpf's `relo #N`).
    pub sec_relo_idx: usize,
    /// Index over the whole `.BTF.ext`.
    pub obj_relo_idx: usize,
    /// The record.
    pub relo: CoreRelo,
    /// The kind.
    pub kind: RelocKind,
    /// The access string (`None` if its offset does not resolve).
    pub access: Option<&'a str>,
    /// The program or subprogram containing the instruction (index into
    /// [`Object::programs`]).
    pub prog: Option<usize>,
    /// The instruction's index in that program (libbpf's `insn #M`).
    pub prog_insn_idx: Option<u32>,
    /// What happened.
    pub outcome: Outcome,
    /// The details, when a pass processed it.
    pub processed: Option<Processed<'a>>,
}

/// The first failure of pass 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstError {
    /// Section of the failing record.
    pub sec: String,
    /// Its index in the section.
    pub sec_relo_idx: usize,
    /// The program it belongs to.
    pub prog: String,
    /// The error.
    pub errno: Errno,
}

/// The result of relocating an object.
#[derive(Debug, Clone)]
pub struct ObjectRelocation<'a> {
    /// Every record, in `.BTF.ext` order.
    pub records: Vec<RecordReport<'a>>,
    /// Passes run.
    pub passes: usize,
    /// Programs disabled by re-runs, in order.
    pub disabled: Vec<String>,
    /// The failure that makes libbpf fail the object (pass 1).
    pub first_error: Option<FirstError>,
    /// Whether pass 1 failed (libbpf: `failed to perform CO-RE relocations`).
    pub failed: bool,
    /// libbpf's whole CO-RE log of pass 1, in order.
    pub log: Vec<LogLine>,
    /// The code sections after the last pass (index as [`Object::code`]).
    pub code: Vec<Vec<Insn>>,
}

/// Relocates every CO-RE record of `obj` against `target` (a BTF file: no module is
/// searched) as the default libbpf release does ([`Libbpf::default`]).
pub fn relocate_object<'a>(obj: &'a Object, target: &'a Btf) -> ObjectRelocation<'a> {
    relocate(obj, &Target::kernel(target), Libbpf::default())
}

/// Relocates every CO-RE record of `obj` against `target` (a kernel and the modules libbpf
/// searches after it) as libbpf release `libbpf` does.
pub fn relocate<'a>(obj: &'a Object, target: &Target<'a>, libbpf: Libbpf) -> ObjectRelocation<'a> {
    let mut out = ObjectRelocation {
        records: Vec::new(),
        passes: 0,
        disabled: Vec::new(),
        first_error: None,
        failed: false,
        log: Vec::new(),
        code: obj.code.iter().map(|c| c.insns.clone()).collect(),
    };
    let (Some(btf), Some(ext)) = (obj.btf.as_ref(), obj.ext.as_ref()) else {
        return out;
    };
    // The records, with the program each instruction belongs to.
    for sec in &ext.core_relos {
        let code_idx = code_section_named(obj, &sec.name);
        for (i, r) in sec.records.iter().enumerate() {
            let prog = code_idx.and_then(|c| find_prog(obj, c, r.insn_off / 8));
            out.records.push(RecordReport {
                sec: &sec.name,
                sec_relo_idx: i,
                obj_relo_idx: out.records.len(),
                relo: *r,
                kind: RelocKind(r.kind),
                access: btf.str_at(r.access_str_off),
                prog,
                prog_insn_idx: prog.map(|p| r.insn_off / 8 - obj.programs[p].start),
                outcome: Outcome::NotReached,
                processed: None,
            });
        }
    }
    if out.records.is_empty() {
        return out;
    }

    let mut disabled: Vec<usize> = Vec::new();
    let mut eliminated = vec![false; out.records.len()];
    for pass in 1..=MAX_PASSES {
        let run = run_pass(obj, btf, target, libbpf, &disabled, pass);
        out.passes = pass;
        for (slot, p) in run.processed.into_iter().enumerate() {
            if let Some(p) = p {
                if out.records[slot].processed.is_none() {
                    out.records[slot].outcome = p.outcome;
                    out.records[slot].processed = Some(p);
                }
            }
        }
        for (e, hit) in eliminated.iter_mut().zip(&run.eliminated) {
            *e |= *hit;
        }
        out.code = run.code;
        if pass == 1 {
            out.log = run.log;
            out.failed = run.failure.is_some();
            out.first_error = run.failure.as_ref().and_then(|f| {
                let r = &out.records[f.record?];
                Some(FirstError {
                    sec: r.sec.to_owned(),
                    sec_relo_idx: r.sec_relo_idx,
                    prog: obj.programs[r.prog?].name.clone(),
                    errno: f.errno,
                })
            });
        }
        let Some(fail) = run.failure else { break };
        // Re-run without the failing program, if libbpf could disable it.
        let Some(prog) = fail.record.and_then(|r| out.records[r].prog) else {
            break;
        };
        if pass == MAX_PASSES || disabled.contains(&prog) || obj.programs[prog].sec_name == TEXT {
            break;
        }
        disabled.push(prog);
        out.disabled.push(obj.programs[prog].name.clone());
    }

    for (r, elim) in out.records.iter_mut().zip(eliminated) {
        if r.processed.is_some() {
            continue;
        }
        if elim {
            r.outcome = Outcome::Eliminated;
        } else if r.prog.is_some_and(|p| !loaded_by_default(&obj.programs[p])) {
            r.outcome = Outcome::SkippedAutoload;
        }
    }
    out
}

/// libbpf's initial autoload: every function of a section whose name does not start with `?`
/// — subprograms included (`.text` functions are relocated on their own).
fn loaded_by_default(p: &Program) -> bool {
    !p.sec_name.starts_with('?')
}

/// libbpf maps a `.BTF.ext` block to the *first* ELF section with that name; only a code
/// section has programs.
fn code_section_named(obj: &Object, name: &str) -> Option<usize> {
    let s = obj
        .sections
        .iter()
        .find(|s| !s.name.is_empty() && s.name == name)?;
    if s.kind != SectionKind::Code {
        return None;
    }
    obj.code_by_elf_index(s.elf_index).map(|(i, _)| i)
}

/// `find_prog_by_sec_insn`: libbpf's binary search over programs sorted by (section, start),
/// then a containment check.
fn find_prog(obj: &Object, code_idx: usize, insn: u32) -> Option<usize> {
    let progs = &obj.programs;
    if progs.is_empty() {
        return None;
    }
    let sec = obj.code[code_idx].elf_index;
    let key = |p: &Program| obj.code[p.section].elf_index;
    let (mut l, mut r) = (0usize, progs.len() - 1);
    while l < r {
        let m = l + (r - l).div_ceil(2);
        let p = &progs[m];
        if key(p) < sec || (key(p) == sec && p.start <= insn) {
            l = m;
        } else {
            r = m - 1;
        }
    }
    let p = &progs[l];
    (key(p) == sec && insn >= p.start && insn - p.start < p.len).then_some(l)
}

/// A failure that ends a pass.
struct PassFailure {
    /// The record it happened at (`None`: before any record, e.g. an unnamed section).
    record: Option<usize>,
    errno: Errno,
}

/// One pass over all records.
struct PassRun<'a> {
    processed: Vec<Option<Processed<'a>>>,
    eliminated: Vec<bool>,
    failure: Option<PassFailure>,
    log: Vec<LogLine>,
    code: Vec<Vec<Insn>>,
}

fn run_pass<'a>(
    obj: &'a Object,
    btf: &'a Btf,
    target: &Target<'a>,
    libbpf: Libbpf,
    disabled: &[usize],
    pass: usize,
) -> PassRun<'a> {
    let n = obj.ext.as_ref().map_or(0, |e| e.core_relo_count());
    let mut run = PassRun {
        processed: vec![None; n],
        eliminated: vec![false; n],
        failure: None,
        log: Vec::new(),
        code: obj.code.iter().map(|c| c.insns.clone()).collect(),
    };
    let Some(ext) = obj.ext.as_ref() else {
        return run;
    };
    let mut cache = CandidateCache::new();
    let cx = PassContext {
        btf,
        target,
        libbpf,
        disabled,
        pass,
    };
    relocate_sections(obj, &cx, ext, &mut cache, &mut run);
    // `bpf_object__load` reports any failure of the CO-RE step once more.
    if let Some(f) = &run.failure {
        run.log.push(log::failed_core(f.errno, libbpf));
    }
    run
}

/// What stays the same for every record of a pass.
struct PassContext<'a, 'p> {
    /// The object's BTF.
    btf: &'a Btf,
    target: &'p Target<'a>,
    libbpf: Libbpf,
    /// Programs whose autoload a re-run turned off.
    disabled: &'p [usize],
    pass: usize,
}

/// The loop of `bpf_object__relocate_core` for one pass; stops at the first failure.
fn relocate_sections<'a>(
    obj: &'a Object,
    cx: &PassContext<'a, '_>,
    ext: &'a crate::ext::BtfExt,
    cache: &mut CandidateCache<'a>,
    run: &mut PassRun<'a>,
) {
    let pass = cx.pass;
    let mut slot = 0;
    'sections: for sec in &ext.core_relos {
        if sec.name.is_empty() {
            run.failure = Some(PassFailure {
                record: None,
                errno: Errno::EINVAL,
            });
            break;
        }
        run.log.push(log::sec_found(&sec.name, sec.records.len()));
        let code_idx = code_section_named(obj, &sec.name);
        for (i, r) in sec.records.iter().enumerate() {
            let this = slot;
            slot += 1;
            if !r.insn_off.is_multiple_of(8) {
                run.processed[this] = Some(record_error(pass, Errno::EINVAL));
                run.failure = Some(PassFailure {
                    record: Some(this),
                    errno: Errno::EINVAL,
                });
                break 'sections;
            }
            let sec_insn = r.insn_off / 8;
            let Some(p) = code_idx.and_then(|c| find_prog(obj, c, sec_insn)) else {
                run.log
                    .push(log::sec_skip_eliminated(&sec.name, i, sec_insn));
                run.eliminated[this] = true;
                continue;
            };
            let prog = &obj.programs[p];
            if !loaded_by_default(prog) || cx.disabled.contains(&p) {
                continue;
            }
            let insn_idx = (sec_insn - prog.start) as usize;
            let rec = relocate_one(cx, cache, &mut run.code, prog, i, r, insn_idx);
            run.log.extend(rec.log.iter().cloned());
            if let Outcome::Error(phase, errno) = rec.outcome {
                run.log.push(match phase {
                    Phase::Patch => {
                        log::failed_to_patch(&prog.name, i, insn_idx as u32, errno, cx.libbpf)
                    }
                    _ => log::failed_to_relocate(&prog.name, i, errno, cx.libbpf),
                });
                run.processed[this] = Some(rec);
                run.failure = Some(PassFailure {
                    record: Some(this),
                    errno,
                });
                break 'sections;
            }
            run.processed[this] = Some(rec);
        }
    }
}

fn record_error<'a>(pass: usize, errno: Errno) -> Processed<'a> {
    Processed {
        pass,
        outcome: Outcome::Error(Phase::Record, errno),
        cands: None,
        resolution: None,
        patch: None,
        log: Vec::new(),
    }
}

/// `bpf_core_resolve_relo` + `bpf_core_patch_insn` for one record.
fn relocate_one<'a>(
    pcx: &PassContext<'a, '_>,
    cache: &mut CandidateCache<'a>,
    code: &mut [Vec<Insn>],
    prog: &Program,
    relo_idx: usize,
    r: &CoreRelo,
    insn_idx: usize,
) -> Processed<'a> {
    let btf = pcx.btf;
    let kind = RelocKind(r.kind);
    let mut out = record_error(pcx.pass, Errno::EINVAL);
    let Some(local_type) = btf.type_by_id(r.type_id) else {
        return out;
    };
    if kind != RelocKind::TYPE_ID_LOCAL && cache.get(r.type_id).is_none() {
        match find_candidates(btf, r.type_id, pcx.target) {
            Ok(found) => {
                out.log.extend(found.log);
                cache.set(r.type_id, found.cands);
            }
            Err(errno) => {
                out.log.push(log::cand_search_failed(
                    &prog.name,
                    relo_idx,
                    r.type_id,
                    local_type.kind().lower_name(),
                    local_type.name(),
                    errno,
                ));
                out.outcome = Outcome::Error(Phase::CandSearch, errno);
                return out;
            }
        }
    }
    let cands = if kind == RelocKind::TYPE_ID_LOCAL {
        None
    } else {
        cache.get(r.type_id).map(<[Candidate<'a>]>::to_vec)
    };
    let cx = CalcContext {
        prog: &prog.name,
        relo_idx,
        local: btf,
        libbpf: pcx.libbpf,
    };
    let request = RelocRequest {
        insn_off: r.insn_off,
        type_id: r.type_id,
        access: btf.str_at(r.access_str_off),
        kind,
    };
    let resolution = calc_relo_insn(&cx, &request, cands.as_deref());
    out.cands = cands;
    out.log.extend(resolution.log.iter().cloned());
    if let Some(after) = &resolution.cands_after {
        cache.set(r.type_id, after.clone());
    }
    let result = resolution.result;
    out.resolution = Some(resolution);
    let res = match result {
        Ok(res) => res,
        Err(e) => {
            out.outcome = Outcome::Error(Phase::Calc, e.errno);
            return out;
        }
    };
    let start = prog.start as usize;
    let end = start + prog.len as usize;
    let Some(insns) = code
        .get_mut(prog.section)
        .and_then(|c| c.get_mut(start..end))
    else {
        out.outcome = Outcome::Error(Phase::Record, Errno::EINVAL);
        return out;
    };
    let report = patch_insn(&prog.name, relo_idx, insns, insn_idx, &res);
    out.log.extend(report.log.iter().cloned());
    out.outcome = match report.result {
        Ok(Patched::Value) => Outcome::Patched,
        Ok(Patched::Poisoned(cause)) => Outcome::Poisoned(cause),
        Err(errno) => Outcome::Error(Phase::Patch, errno),
    };
    out.patch = Some(report);
    out
}

/// Relocates one CO-RE record that belongs to no object file: `insns` is the program (the
/// record's instruction at `insn_idx`), `local` the BTF holding the record's root type and
/// access string, `cache` the candidate cache shared with the records before it. The same
/// steps as for a record of an object (candidate search, calculation, patch) as libbpf
/// release `libbpf` takes them, for callers that synthesise records (`corelab access`).
#[allow(clippy::too_many_arguments)]
pub fn relocate_record<'a>(
    local: &'a Btf,
    target: &Target<'a>,
    libbpf: Libbpf,
    cache: &mut CandidateCache<'a>,
    prog_name: &str,
    relo_idx: usize,
    relo: &CoreRelo,
    insns: &mut Vec<Insn>,
    insn_idx: usize,
) -> Processed<'a> {
    let prog = Program {
        name: prog_name.to_owned(),
        section: 0,
        sec_name: prog_name.to_owned(),
        start: 0,
        len: insns.len() as u32,
        is_subprog: false,
        autoload: true,
        global: true,
    };
    let pcx = PassContext {
        btf: local,
        target,
        libbpf,
        disabled: &[],
        pass: 1,
    };
    let mut code = vec![std::mem::take(insns)];
    let out = relocate_one(&pcx, cache, &mut code, &prog, relo_idx, relo, insn_idx);
    *insns = code.pop().unwrap_or_default();
    out
}
