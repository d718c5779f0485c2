//! `--json`: the oracle's JSON-lines schema (tests/data/oracle; keys in the oracle's order).

use serde_json::{json, Map, Value};

use corelab::btf::{Btf, TypeId};
use corelab::bytes::Endian;
use corelab::insn::Insn;
use corelab::reloc::{Candidate, Outcome, Phase, PoisonCause, Processed, RecordReport, Spec};

use super::Input;

/// All lines, newline-terminated.
pub(super) fn render(inp: &Input<'_>) -> String {
    let rel = &inp.rel;
    let mut lines = vec![json!({
        "type": "meta",
        "schema": 1,
        "libbpf": format!("v{}", inp.libbpf),
        "engine": "corelab",
        "object": inp.object_name,
        "target": inp.target_name,
        "core_relos": rel.records.len(),
    })];
    let btf = inp.obj.btf.as_ref();
    for r in &rel.records {
        lines.push(record(inp, btf, r));
    }
    if let Some(Ok((layout, resolved))) = &inp.kconfig {
        for (i, v) in layout.vars.iter().enumerate() {
            let bytes = &resolved.image[v.offset as usize..(v.offset + v.size) as usize];
            lines.push(json!({
                "type": "kconfig",
                "name": v.name,
                "offset": v.offset,
                "size": v.size,
                "hex": hex(bytes),
                "value": resolved.value(layout, i),
            }));
        }
    }
    let first_error = rel.first_error.as_ref().map(|e| {
        json!({"sec": e.sec, "sec_relo_idx": e.sec_relo_idx, "prog": e.prog, "errno": e.errno.0})
    });
    // libbpf resolves externs before CO-RE: when that fails, the load fails first (the records
    // above say what CO-RE would compute).
    let externs_error = match &inp.kconfig {
        Some(Err(e)) => Value::from(e.message.clone()),
        _ => Value::Null,
    };
    let counts = rel.outcome_counts();
    lines.push(json!({
        "type": "summary",
        "core_relos": rel.records.len(),
        "outcomes": {
            "patched": counts.patched,
            "poisoned": counts.poisoned,
            "error": counts.error,
            "skipped_autoload": counts.skipped_autoload,
            "not_reached": counts.not_reached,
            "eliminated": counts.eliminated,
        },
        "passes": rel.passes,
        "disabled_progs": rel.disabled,
        "relocation": if rel.failed { "failed" } else { "ok" },
        "first_error": first_error,
        "externs_error": externs_error,
    }));
    let mut s = String::new();
    for l in lines {
        s.push_str(&l.to_string());
        s.push('\n');
    }
    s
}

pub(crate) fn type_ref(btf: &Btf, id: TypeId) -> Value {
    let t = btf.ty(id);
    json!({"id": id.0, "kind": t.kind().lower_name(), "name": t.name()})
}

fn record(inp: &Input<'_>, btf: Option<&Btf>, r: &RecordReport<'_>) -> Value {
    let obj = inp.obj;
    let prog = r.prog.map(|p| obj.programs[p].name.as_str());
    Value::Object(relo_line(prog, btf, r, obj.endian))
}

/// One `relo` line: the record, and what libbpf did with it against `target` when processed.
pub(crate) fn relo_line(
    prog: Option<&str>,
    btf: Option<&Btf>,
    r: &RecordReport<'_>,
    endian: Endian,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), "relo".into());
    m.insert("sec".into(), r.sec.into());
    m.insert("sec_relo_idx".into(), r.sec_relo_idx.into());
    m.insert("obj_relo_idx".into(), r.obj_relo_idx.into());
    m.insert("prog".into(), prog.into());
    m.insert("insn_off".into(), r.relo.insn_off.into());
    m.insert("sec_insn_idx".into(), (r.relo.insn_off / 8).into());
    m.insert(
        "prog_insn_idx".into(),
        r.prog_insn_idx.map_or(-1, i64::from).into(),
    );
    m.insert("kind".into(), r.kind.log_name().into());
    m.insert("kind_id".into(), r.kind.0.into());
    m.insert(
        "local_type".into(),
        btf.map_or(Value::Null, |b| type_ref(b, r.relo.type_id)),
    );
    m.insert("access_str".into(), r.access.into());
    m.insert("outcome".into(), r.outcome.name().into());
    if let Some(p) = &r.processed {
        processed(&mut m, endian, p);
    }
    m
}

/// A candidate as the oracle lists it: `{id, kind, name}`, and the module it is in (a key
/// the oracle never has: it relocates against a file).
fn candidate(c: &Candidate<'_>) -> Value {
    let mut v = type_ref(c.btf, c.id);
    if let (Some(module), Value::Object(o)) = (c.module, &mut v) {
        o.insert("module".into(), module.into());
    }
    v
}

fn processed(m: &mut Map<String, Value>, endian: Endian, p: &Processed<'_>) {
    let res = p.resolution.as_ref();
    m.insert("pass".into(), p.pass.into());
    m.insert(
        "local_spec".into(),
        res.and_then(|r| r.local_spec.as_ref())
            .map_or(Value::Null, spec),
    );
    let targets = |cands: &[Candidate<'_>]| -> Value { cands.iter().map(candidate).collect() };
    m.insert(
        "cands".into(),
        p.cands.as_deref().map_or(Value::Null, targets),
    );
    let trials: Vec<Value> = res.map_or(Vec::new(), |r| {
        r.trials
            .iter()
            .map(|t| json!({"i": t.index, "id": t.id.0, "match": t.matched, "spec": t.spec.format()}))
            .collect()
    });
    m.insert("cand_results".into(), trials.into());
    m.insert(
        "cands_after".into(),
        res.and_then(|r| r.cands_after.as_deref())
            .map_or(Value::Null, targets),
    );
    m.insert(
        "target_spec".into(),
        res.and_then(|r| r.target_spec.as_ref())
            .map_or(Value::Null, spec),
    );
    m.insert(
        "res".into(),
        match res.map(|r| &r.result) {
            Some(Ok(v)) => json!({
                "orig_val": v.orig_val,
                "new_val": v.new_val,
                "poison": v.poison,
                "validate": v.validate,
                "fail_memsz_adjust": v.fail_memsz_adjust,
                "orig_sz": v.orig_sz,
                "orig_type_id": v.orig_type_id.0,
                "new_sz": v.new_sz,
                "new_type_id": v.new_type_id.0,
            }),
            _ => Value::Null,
        },
    );
    let patch = p.patch.as_ref();
    m.insert(
        "insn_idx".into(),
        patch.map_or(-1, |x| i64::from(x.insn_idx)).into(),
    );
    m.insert(
        "insn_before".into(),
        patch.map_or(Value::Null, |x| insns(endian, &x.before)),
    );
    m.insert(
        "insn_after".into(),
        patch.map_or(Value::Null, |x| insns(endian, &x.after)),
    );
    m.insert("changed".into(), patch.is_some_and(|x| x.changed()).into());
    match p.outcome {
        Outcome::Error(phase, errno) => {
            let phase = match phase {
                Phase::Record => "record",
                Phase::CandSearch => "cand_search",
                Phase::Calc => "calc",
                Phase::Patch => "patch",
            };
            m.insert(
                "error".into(),
                json!({"phase": phase, "errno": errno.0, "reason": p.first_warning().map(|w| w.line())}),
            );
        }
        Outcome::Poisoned(cause) => {
            let (decided, reason) = match cause {
                PoisonCause::NoMatch => ("calc", Some("no matching targets found".to_owned())),
                PoisonCause::MemSizeAdjust => ("patch", p.first_warning().map(|w| w.text.clone())),
            };
            m.insert(
                "poison".into(),
                json!({"decided_in": decided, "reason": reason}),
            );
        }
        _ => {}
    }
    m.insert(
        "log".into(),
        p.log.iter().map(|l| Value::from(l.line())).collect(),
    );
}

pub(crate) fn spec(s: &Spec<'_>) -> Value {
    let access: Vec<Value> = s
        .access
        .iter()
        .map(|a| json!({"type_id": a.type_id.0, "idx": a.idx, "name": a.name}))
        .collect();
    json!({
        "root": type_ref(s.btf, s.root),
        "fmt": s.format(),
        "len": s.access.len(),
        "access": access,
        "raw_len": s.raw.len(),
        "raw_spec": s.raw.iter().map(|&r| r as i32).collect::<Vec<_>>(),
        "bit_offset": s.bit_offset,
    })
}

fn insns(endian: Endian, slots: &[Insn]) -> Value {
    let mut bytes = Vec::with_capacity(slots.len() * 8);
    for i in slots {
        bytes.extend_from_slice(&i.encode(endian));
    }
    let list: Vec<Value> = slots
        .iter()
        .map(|i| json!({"code": i.code, "dst": i.dst, "src": i.src, "off": i.off, "imm": i.imm}))
        .collect();
    json!({"hex": hex(&bytes), "insns": list})
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
