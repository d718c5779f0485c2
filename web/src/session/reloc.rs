//! The relocation table of an object against a target, and the explanation of one record:
//! specs, candidates and why each matched or not, values, the patched instruction, libbpf's
//! log, and what it means in plain words.

use corelab::btf::{Btf, Kind, TypeId};
use corelab::bytes::Endian;
use corelab::diff::type_string;
use corelab::insn::{disassemble, Insn};
use corelab::libbpf::Libbpf;
use corelab::object::Object;
use corelab::reloc::{
    self, CandidateTrial as CoreTrial, Level, LogLine as CoreLog, ObjectRelocation, Outcome,
    PoisonCause, Processed, RecordReport, RelocClass, RelocKind, RelocResult, Spec,
};

use crate::dto::reloc::{
    CandidateTrial, LogLine, RelocExplanation, RelocPatch, RelocRow, RelocTable, RelocValues,
};

use super::object::{source_ref, LoadedObject};
use super::whatif::Target;
use crate::dto::object::SourceRef;

/// Deepest anonymous nesting searched when explaining a missing member.
const MAX_ANON_DEPTH: usize = 8;

/// What a kind computes, in words.
pub fn kind_text(kind: RelocKind) -> &'static str {
    match kind {
        RelocKind::FIELD_BYTE_OFFSET => "the byte offset of a field",
        RelocKind::FIELD_BYTE_SIZE => "the size of a field",
        RelocKind::FIELD_EXISTS => "whether a field exists",
        RelocKind::FIELD_SIGNED => "whether a field is signed",
        RelocKind::FIELD_LSHIFT_U64 => "the left shift that extracts a bitfield",
        RelocKind::FIELD_RSHIFT_U64 => "the right shift that extracts a bitfield",
        RelocKind::TYPE_ID_LOCAL => "a type's id in the object's own BTF",
        RelocKind::TYPE_ID_TARGET => "a type's id in the kernel's BTF",
        RelocKind::TYPE_EXISTS => "whether a type exists",
        RelocKind::TYPE_SIZE => "the size of a type",
        RelocKind::ENUMVAL_EXISTS => "whether an enumerator exists",
        RelocKind::ENUMVAL_VALUE => "the value of an enumerator",
        RelocKind::TYPE_MATCHES => "whether a type has the same shape (type_matches)",
        _ => "an unknown kind of relocation",
    }
}

/// The table for `obj` against `target`: one row per record.
pub fn table(obj: &LoadedObject, target: &Target, rel: &ObjectRelocation<'_>) -> RelocTable {
    let o = &obj.obj;
    let rows: Vec<RelocRow> = rel
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| row(o, i, r))
        .collect();
    let counts = rel
        .outcome_counts()
        .named()
        .into_iter()
        .filter(|&(_, c)| c > 0)
        .map(|(n, c)| (n.to_owned(), c as u32))
        .collect();
    let failure = rel.first_error.as_ref().map(|e| {
        format!(
            "libbpf fails the object: relocation #{} of section '{}' in program '{}' ({}).{}",
            e.sec_relo_idx,
            e.sec,
            e.prog,
            e.errno.name(),
            if rel.disabled.is_empty() {
                String::new()
            } else {
                format!(
                    " Later rows come from re-runs without {} ({} passes).",
                    rel.disabled.join(", "),
                    rel.passes
                )
            }
        )
    });
    RelocTable {
        object: obj.label.clone(),
        kernel: target.label.clone(),
        libbpf: super::whatif::release(target.libbpf),
        rows,
        counts,
        failure,
        hidden: target.hidden.clone(),
        log: log_lines(&rel.log),
        reloc_ms: 0.0,
    }
}

fn log_lines(log: &[CoreLog]) -> Vec<LogLine> {
    log.iter()
        .map(|l| LogLine {
            level: match l.level {
                Level::Debug => "debug",
                Level::Warn => "warn",
            }
            .to_owned(),
            text: l.line(),
        })
        .collect()
}

/// What record `r` accesses: `task_struct.mm.exe_file`, or the raw access string.
pub fn access_of(r: &RecordReport<'_>) -> String {
    r.access_path()
}

fn row(obj: &Object, idx: usize, r: &RecordReport<'_>) -> RelocRow {
    let prog = r
        .prog
        .and_then(|p| obj.programs.get(p))
        .map(|p| p.name.clone());
    report_row(idx, r, prog)
}

/// The row of record `r` (number `idx`), in program `prog`.
pub fn report_row(idx: usize, r: &RecordReport<'_>, prog: Option<String>) -> RelocRow {
    let (before, after) = values(r.processed.as_ref());
    RelocRow {
        idx: idx as u32,
        sec: r.sec.to_owned(),
        sec_relo_idx: r.sec_relo_idx as u32,
        prog,
        insn: r.prog_insn_idx,
        sec_insn: r.relo.insn_off / 8,
        kind: r.kind.log_name().to_owned(),
        access: r.access_path(),
        outcome: r.outcome.name().to_owned(),
        pass: r.processed.as_ref().map_or(0, |p| p.pass as u32),
        before,
        after,
        detail: r.detail(),
        release_note: None,
    }
}

/// The patched value before and after: an offset (loads/stores), an immediate, or a 64-bit
/// constant.
fn values(p: Option<&Processed<'_>>) -> (Option<String>, Option<String>) {
    let Some(patch) = p.and_then(|p| p.patch.as_ref()) else {
        return (None, None);
    };
    let (Some(b), Some(a)) = (patch.before.first(), patch.after.first()) else {
        return (None, None);
    };
    if a.is_poison() {
        return (Some(slot_value(&patch.before)), Some("poison".into()));
    }
    let (x, y) = (slot_value(&patch.before), slot_value(&patch.after));
    // A load or store whose size changed says so.
    if a.code != b.code {
        return (
            Some(format!("{x} ({} B)", b.mem_size())),
            Some(format!("{y} ({} B)", a.mem_size())),
        );
    }
    (Some(x), Some(y))
}

fn slot_value(slots: &[Insn]) -> String {
    match slots {
        [lo, hi] if lo.is_ld_imm64() => Insn::imm64(lo, hi).to_string(),
        [i, ..] if matches!(i.code & 7, 1..=3) => format!("off {}", i.off),
        [i, ..] => i.imm.to_string(),
        [] => String::new(),
    }
}

/// Everything about record `idx`.
pub fn explain(
    obj: &LoadedObject,
    target: &Target,
    rel: &ObjectRelocation<'_>,
    idx: usize,
) -> Option<RelocExplanation> {
    let o = &obj.obj;
    let r = rel.records.get(idx)?;
    let code = o.code_by_name(r.sec).map(|(c, _)| c);
    let row = row(o, idx, r);
    let at = match (&row.prog, row.insn) {
        (Some(p), Some(i)) => format!("instruction {i} of {p}"),
        _ => format!("instruction {} of section {}", row.sec_insn, row.sec),
    };
    let source = code.and_then(|c| source_ref(o, c, r.relo.insn_off / 8));
    let on = Kernel {
        label: &target.label,
    };
    Some(explain_report(r, row, &on, &at, o.endian, source))
}

/// The kernel a record is explained against.
pub struct Kernel<'a> {
    /// Its name (each candidate carries its own BTF: the kernel's or a module's).
    pub label: &'a str,
}

/// Everything about record `r` (shown as `row`) against `target`: `at` names its instruction
/// in words, `endian` is the code's, `source` its source line.
pub fn explain_report(
    r: &RecordReport<'_>,
    row: RelocRow,
    target: &Kernel<'_>,
    at: &str,
    endian: Endian,
    source: Option<SourceRef>,
) -> RelocExplanation {
    let p = r.processed.as_ref();
    let res = p.and_then(|p| p.resolution.as_ref());
    let local = res.and_then(|res| res.local_spec.as_ref());
    let candidates: Vec<CandidateTrial> = res
        .map(|res| res.trials.iter().map(|t| trial(local, t)).collect())
        .unwrap_or_default();
    let values = res.and_then(|res| res.result.ok()).map(|v| RelocValues {
        orig: v.orig_val,
        new: v.new_val,
        poison: v.poison,
        sizes: (v.orig_sz != 0 || v.new_sz != 0).then_some((v.orig_sz, v.new_sz)),
    });
    let patch = p.and_then(|p| p.patch.as_ref()).map(|patch| RelocPatch {
        insn: patch.insn_idx,
        before: disassemble(&patch.before, 0).text,
        after: disassemble(&patch.after, 0).text,
        before_hex: hex(&patch.before, endian),
        after_hex: hex(&patch.after, endian),
        changed: patch.changed(),
    });
    let meaning = meaning(r, &row, &candidates, target.label, at);
    RelocExplanation {
        kind_text: kind_text(r.kind).to_owned(),
        local_spec: local.map(Spec::format),
        search: search_text(r, local, target.label),
        candidates,
        target_spec: res
            .and_then(|res| res.target_spec.as_ref())
            .map(Spec::format),
        values,
        patch,
        meaning,
        source,
        log: p.map(|p| log_lines(&p.log)).unwrap_or_default(),
        row,
    }
}

fn hex(slots: &[Insn], endian: Endian) -> String {
    slots
        .iter()
        .map(|i| {
            i.encode(endian)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("  ")
}

/// The local root type's name (`struct inode`) and its essential name.
fn root_name(spec: &Spec<'_>) -> (String, String) {
    let t = spec.btf.ty(spec.root);
    let t = spec.btf.skip_mods_and_typedefs(t.id());
    let name = spec.btf.ty(spec.root).name();
    let keyword = match t.kind() {
        Kind::STRUCT => "struct ",
        Kind::UNION => "union ",
        Kind::ENUM | Kind::ENUM64 => "enum ",
        _ => "",
    };
    (
        format!("{keyword}{name}"),
        corelab::btf::essential_name(name).to_owned(),
    )
}

fn search_text(r: &RecordReport<'_>, local: Option<&Spec<'_>>, kernel: &str) -> String {
    if r.kind == RelocKind::TYPE_ID_LOCAL {
        return "No search: the id is the object's own type's.".into();
    }
    let Some(p) = &r.processed else {
        return "Not searched: libbpf did not process this record.".into();
    };
    let root = local.map(root_name);
    match (&p.cands, root) {
        (Some(c), Some((full, ess))) if c.is_empty() => format!(
            "{kernel} has no type named {ess} (libbpf looks up `{full}` by its name without a ___flavor suffix, same kind)."
        ),
        (Some(c), Some((full, ess))) => format!(
            "libbpf looked up `{full}` in {kernel} by the name {ess} (flavor suffixes ___x ignored): {} candidate{}{}.",
            c.len(),
            if c.len() == 1 { "" } else { "s" },
            match c.first().and_then(|c| c.module) {
                Some(m) => format!(
                    " in [{m}] (vmlinux has none, so libbpf searched the modules in order)"
                ),
                None => String::new(),
            }
        ),
        _ => p
            .first_warning()
            .map_or_else(|| "No candidate search.".to_owned(), |w| w.line()),
    }
}

/// One candidate and why it matched or not.
fn trial(local: Option<&Spec<'_>>, t: &CoreTrial<'_>) -> CandidateTrial {
    // The candidate's own BTF: the kernel's, or a module's split over it.
    let target = t.spec.btf;
    let cand = target.ty(t.id);
    let name = type_string(target, t.id);
    let why = match local {
        Some(l) if t.matched => matched_why(l, &t.spec),
        Some(l) => mismatch_why(l, &t.spec, target),
        None => String::new(),
    };
    CandidateTrial {
        index: t.index as u32,
        id: t.id.0,
        name: if cand.is_named() {
            name
        } else {
            format!("[{}] {name}", t.id)
        },
        module: t.module.map(str::to_owned),
        matched: t.matched,
        spec: t.spec.format(),
        why,
    }
}

fn matched_why(local: &Spec<'_>, targ: &Spec<'_>) -> String {
    let btf = targ.btf;
    match local.kind.class() {
        RelocClass::Field => {
            let Some(last) = targ.access.last() else {
                return "matches".into();
            };
            let ty = match last.name {
                Some(_) => btf
                    .ty(last.type_id)
                    .member(last.idx)
                    .map(|m| type_string(btf, m.type_id)),
                None => Some(type_string(btf, last.type_id)),
            }
            .unwrap_or_default();
            let bits = targ.bit_offset;
            let at = if bits.is_multiple_of(8) {
                format!("byte offset {}", bits / 8)
            } else {
                format!("bit offset {bits} (byte {}, bit {})", bits / 8, bits % 8)
            };
            format!("has {} at {at}, of type {ty}", targ.access_path())
        }
        RelocClass::EnumVal => {
            let t = btf.skip_mods_and_typedefs(targ.root);
            let acc = targ.access.first();
            match acc.and_then(|a| t.enum_values().nth(a.idx as usize)) {
                Some(v) => format!("has {} = {}", v.name, enum_value(&t, &v)),
                None => "matches".into(),
            }
        }
        _ => "compatible: same kind and shape".into(),
    }
}

fn enum_value(t: &corelab::btf::Type<'_>, v: &corelab::btf::EnumValue<'_>) -> String {
    let raw = v.raw();
    let signed = t.kflag();
    match (v.is64, signed) {
        (false, true) => (v.lo as i32).to_string(),
        (true, true) => (raw as i64).to_string(),
        _ => raw.to_string(),
    }
}

/// Why candidate `targ` (a partial spec) did not match `local`.
fn mismatch_why(local: &Spec<'_>, targ: &Spec<'_>, btf: &Btf) -> String {
    let root = btf.skip_mods_and_typedefs(targ.root);
    match local.kind.class() {
        RelocClass::EnumVal => {
            let want = local.access.first().and_then(|a| a.name).unwrap_or("?");
            if !root.kind().is_any_enum() {
                format!("{} is not an enum", type_string(btf, root.id()))
            } else {
                format!("{} has no enumerator {want}", type_string(btf, root.id()))
            }
        }
        RelocClass::Type if local.kind == RelocKind::TYPE_MATCHES => format!(
            "{} does not have the object's shape (libbpf's types_match)",
            type_string(btf, root.id())
        ),
        RelocClass::Type => format!(
            "{} is not compatible with the object's {} (a different kind or shape)",
            type_string(btf, root.id()),
            type_string(local.btf, local.root)
        ),
        RelocClass::Field => field_mismatch(local, targ, btf),
        RelocClass::Unknown => "unknown relocation kind".into(),
    }
}

fn field_mismatch(local: &Spec<'_>, targ: &Spec<'_>, btf: &Btf) -> String {
    let k = targ.access.len();
    let Some(acc) = local.access.get(k) else {
        return "does not match".into();
    };
    // The target type the failing step looks into.
    let container: TypeId = if k == 0 {
        targ.root
    } else {
        let prev = targ.access[k - 1];
        match prev.name {
            Some(_) => btf
                .ty(prev.type_id)
                .member(prev.idx)
                .map_or(prev.type_id, |m| m.type_id),
            None => prev.type_id,
        }
    };
    let c = btf.skip_mods_and_typedefs(container);
    let c_name = type_string(btf, c.id());
    let Some(name) = acc.name else {
        return format!(
            "{c_name} is not an array, or index {} is past its end",
            acc.idx
        );
    };
    if !c.kind().is_composite() {
        return format!("{c_name} is not a struct or union, so it has no field {name}");
    }
    match find_member(btf, c.id(), name) {
        Some(m) => {
            let local_ty = local
                .btf
                .ty(acc.type_id)
                .member(acc.idx)
                .map(|lm| type_string(local.btf, lm.type_id))
                .unwrap_or_default();
            format!(
                "{c_name} has a field {name}, but of type {} where the object expects {local_ty}",
                type_string(btf, m)
            )
        }
        None => format!("{c_name} has no field {name}"),
    }
}

/// The type of member `name` of composite `id`, looking into anonymous members.
fn find_member(btf: &Btf, id: TypeId, name: &str) -> Option<TypeId> {
    let mut level = vec![id];
    for _ in 0..MAX_ANON_DEPTH {
        let mut next = Vec::new();
        for &h in &level {
            for m in btf.ty(h).members() {
                if m.name == name {
                    return Some(m.type_id);
                }
                let mt = btf.skip_mods_and_typedefs(m.type_id);
                if m.name.is_empty() && mt.kind().is_composite() {
                    next.push(mt.id());
                }
            }
        }
        if next.is_empty() {
            return None;
        }
        level = next;
    }
    None
}

/// The record's result in plain words.
fn meaning(
    r: &RecordReport<'_>,
    row: &RelocRow,
    cands: &[CandidateTrial],
    kernel: &str,
    at: &str,
) -> String {
    let what = &row.access;
    let p = match (&r.outcome, &r.processed) {
        (Outcome::SkippedAutoload, _) => {
            return format!(
                "The program holding {at} is not loaded by default (its section starts with ?), so libbpf leaves this relocation alone."
            )
        }
        (Outcome::Eliminated, _) => {
            return "No program holds this instruction: the linker dropped this __weak copy, and libbpf skips its relocations.".into()
        }
        (Outcome::NotReached, _) => {
            return "libbpf stopped before this record: an earlier relocation failed the object in every pass.".into()
        }
        (_, Some(p)) => p,
        _ => return String::new(),
    };
    let res = p.resolution.as_ref().and_then(|res| res.result.ok());
    let why_not = cands
        .iter()
        .rev()
        .find(|c| !c.matched && !c.why.is_empty())
        .map(|c| c.why.clone());
    match p.outcome {
        Outcome::Patched => {
            let Some(v) = res else { return String::new() };
            patched_meaning(r.kind, what, v.orig_val, v.new_val, kernel, at, row)
        }
        Outcome::Poisoned(PoisonCause::NoMatch) => {
            let why = why_not.unwrap_or_else(|| format!("there is no type named like its root in {kernel}"));
            format!(
                "{kernel} has nothing matching {what}: {why}. libbpf does not fail the load for this: it replaces {at} with a poisoned call (call 0xbad2310). If the verifier can reach it, the program is rejected with \"invalid func unknown#195896080\"; behind a guard such as bpf_core_field_exists() the verifier proves it dead and removes it. The Guarding view shows which."
            )
        }
        Outcome::Poisoned(PoisonCause::MemSizeAdjust) => {
            let sizes = p
                .resolution
                .as_ref()
                .and_then(|res| res.result.ok())
                .map(|v| format!(" from {} to {} bytes", v.orig_sz, v.new_sz))
                .unwrap_or_default();
            format!(
                "{what} changed size{sizes} in {kernel}, and the instruction reads it directly: libbpf will not change the load size when that changes the value read, so it poisons {at}. Read it with BPF_CORE_READ (bpf_probe_read_kernel) or bpf_core_field_size() instead."
            )
        }
        Outcome::Error(..) => format!(
            "libbpf fails the whole object here: {}. Nothing of this object loads until it is fixed.",
            p.first_warning()
                .map_or_else(|| "the relocation failed".to_owned(), |w| w.line())
        ),
        _ => String::new(),
    }
}

fn patched_meaning(
    kind: RelocKind,
    what: &str,
    orig: u64,
    new: u64,
    kernel: &str,
    at: &str,
    row: &RelocRow,
) -> String {
    let same = orig == new;
    let change = if same {
        "the same as compiled: the instruction is left as it is".to_owned()
    } else {
        format!("the object was compiled with {orig}; libbpf writes {new} into {at}")
    };
    let yes_no = |v: u64| if v != 0 { "yes (1)" } else { "no (0)" };
    match kind {
        RelocKind::FIELD_BYTE_OFFSET => {
            format!("In {kernel}, {what} is at byte offset {new}: {change}.")
        }
        RelocKind::FIELD_BYTE_SIZE => format!("In {kernel}, {what} is {new} bytes: {change}."),
        RelocKind::FIELD_EXISTS => {
            if new != 0 {
                format!(
                    "{what} exists in {kernel}: the check is true, and code guarded by it runs."
                )
            } else {
                format!(
                    "{what} does not exist in {kernel}: the check is 0, so the verifier knows the guarded branch is never taken and removes it (with any poisoned access in it)."
                )
            }
        }
        RelocKind::FIELD_SIGNED => format!("Is {what} signed in {kernel}? {}.", yes_no(new)),
        RelocKind::FIELD_LSHIFT_U64 | RelocKind::FIELD_RSHIFT_U64 => format!(
            "The bitfield {what} is extracted with a {} shift of {new} in {kernel}: {change}.",
            if kind == RelocKind::FIELD_LSHIFT_U64 {
                "left"
            } else {
                "right"
            }
        ),
        RelocKind::TYPE_ID_LOCAL => format!("The object's own id of {what} is {new}."),
        RelocKind::TYPE_ID_TARGET => {
            if new == 0 {
                format!("{kernel} has no {what}: the id is 0.")
            } else {
                format!("{what} is type [{new}] in {kernel}: {change}.")
            }
        }
        RelocKind::TYPE_EXISTS | RelocKind::TYPE_MATCHES => {
            let verb = if kind == RelocKind::TYPE_EXISTS {
                "exist"
            } else {
                "match"
            };
            if new != 0 {
                format!("{what} does {verb} in {kernel}: the check is true.")
            } else {
                format!(
                    "{what} does not {verb} in {kernel}: the check is 0, and the verifier removes the code it guards."
                )
            }
        }
        RelocKind::TYPE_SIZE => format!("In {kernel}, {what} is {new} bytes: {change}."),
        RelocKind::ENUMVAL_EXISTS => {
            if new != 0 {
                format!("{what} exists in {kernel}.")
            } else {
                format!("{what} does not exist in {kernel}: the check is 0.")
            }
        }
        RelocKind::ENUMVAL_VALUE => format!("In {kernel}, {what} = {new}: {change}."),
        _ => format!(
            "{} → {}",
            row.before.clone().unwrap_or_default(),
            row.after.clone().unwrap_or_default()
        ),
    }
}

/// Per record of `rel` (`obj` against `target` in its release), what every other libbpf
/// release computes differently: the outcome and the `bpf_core_relo_res` values, field by
/// field (`libbpf 1.5 differs: orig_sz 16 (1.7: 1), new_sz 16 (1.7: 1)`).
pub fn release_notes(
    obj: &LoadedObject,
    target: &Target,
    rel: &ObjectRelocation<'_>,
) -> Vec<Option<String>> {
    let mut notes = vec![Vec::new(); rel.records.len()];
    for other in Libbpf::ALL.into_iter().filter(|&l| l != target.libbpf) {
        let other_target = Target {
            libbpf: other,
            ..target.clone()
        };
        let alt = relocate(obj, &other_target);
        for ((note, here), there) in notes.iter_mut().zip(&rel.records).zip(&alt.records) {
            let fields = differing_fields(here, there);
            if !fields.is_empty() {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, ours, theirs)| {
                        format!("{name} {theirs} ({}: {ours})", target.libbpf)
                    })
                    .collect();
                let why = if array_element_sizes_only(here, there) {
                    " — since 1.6 libbpf sizes an array field's access by one element"
                } else {
                    ""
                };
                note.push(format!(
                    "libbpf {other} differs: {}{why}",
                    fields.join(", ")
                ));
            }
        }
    }
    notes
        .into_iter()
        .map(|n| (!n.is_empty()).then(|| n.join("; ")))
        .collect()
}

/// The result fields two releases computed differently for one record: name, this
/// release's value, the other's.
fn differing_fields(
    here: &RecordReport<'_>,
    there: &RecordReport<'_>,
) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    if here.outcome.name() != there.outcome.name() {
        out.push((
            "outcome",
            here.outcome.name().to_owned(),
            there.outcome.name().to_owned(),
        ));
    }
    // What ends up in the instruction (a load's size included).
    let (ours, theirs) = (
        values(here.processed.as_ref()).1,
        values(there.processed.as_ref()).1,
    );
    if ours != theirs {
        let show = |v: Option<String>| v.unwrap_or_else(|| "nothing".to_owned());
        out.push(("writes", show(ours), show(theirs)));
    }
    let (Some(a), Some(b)) = (result_of(here), result_of(there)) else {
        return out;
    };
    let fields: [(&str, u64, u64); 6] = [
        ("orig_val", a.orig_val, b.orig_val),
        ("new_val", a.new_val, b.new_val),
        ("poison", a.poison.into(), b.poison.into()),
        (
            "fail_memsz_adjust",
            a.fail_memsz_adjust.into(),
            b.fail_memsz_adjust.into(),
        ),
        ("orig_sz", a.orig_sz.into(), b.orig_sz.into()),
        ("new_sz", a.new_sz.into(), b.new_sz.into()),
    ];
    for (name, x, y) in fields {
        if x != y {
            let show = |v: u64| match name {
                "poison" | "fail_memsz_adjust" => (v != 0).to_string(),
                _ => v.to_string(),
            };
            out.push((name, show(x), show(y)));
        }
    }
    out
}

fn result_of(r: &RecordReport<'_>) -> Option<RelocResult> {
    r.processed.as_ref()?.resolution.as_ref()?.result.ok()
}

/// The two results differ only in what 1.6's array element size changes (the sizes and
/// the memory-size adjustment decision), on a field offset.
fn array_element_sizes_only(here: &RecordReport<'_>, there: &RecordReport<'_>) -> bool {
    let (Some(a), Some(b)) = (result_of(here), result_of(there)) else {
        return false;
    };
    here.kind == RelocKind::FIELD_BYTE_OFFSET
        && here.outcome.name() == there.outcome.name()
        && RelocResult {
            orig_sz: b.orig_sz,
            new_sz: b.new_sz,
            fail_memsz_adjust: b.fail_memsz_adjust,
            ..a
        } == b
}

/// Relocates `obj` against `target` as its libbpf release does (the one place the web
/// relocates).
pub fn relocate<'a>(obj: &'a LoadedObject, target: &'a Target) -> ObjectRelocation<'a> {
    reloc::relocate(&obj.obj, &target.core(), target.libbpf)
}
