//! CO-RE relocation against the oracle: libbpf 1.5's result for every record of the 47
//! corpus objects against the 8 public targets (tests/data/oracle, see its README), compared
//! field by field — outcome, pass, local and target specs (text and structure), candidate
//! lists and per-candidate verdicts, the `bpf_core_relo_res` values, instruction bytes before
//! and after, error and poison reasons, and every log line — plus each file's summary and
//! `.kconfig` lines.
//!
//! A mismatch is reported as `file sec#idx path: want X, got Y`; all mismatches of a run are
//! collected and the first 40 printed.

use std::collections::HashMap;

use serde_json::{json, Value};

use corelab::btf::{Btf, TypeId};
use corelab::bytes::Endian;
use corelab::insn::Insn;
use corelab::kconfig;
use corelab::object::Object;
use corelab::reloc::{
    relocate_object, ObjectRelocation, Outcome, Phase, PoisonCause, Processed, RecordReport, Spec,
};
use corelab_tests::data;

/// The kernel release the oracle's `run_all.sh` gave libbpf for each target: the first
/// `X.Y.Z` in the target's name, else 6.18.0 (the scoreboard's rule too).
fn release_for(target: &str) -> String {
    match target {
        "old_kernel" => return "5.4.0".into(),
        "moved_resized" => return "7.0.0".into(),
        _ => {}
    }
    let b = target.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    for start in 0..b.len() {
        let mut at = start;
        let mut ok = true;
        for part in 0..3 {
            let n = digits(at);
            if n == 0 || (part < 2 && b.get(at + n) != Some(&b'.')) {
                ok = false;
                break;
            }
            at += n + usize::from(part < 2);
        }
        if ok {
            return target[start..at].to_owned();
        }
    }
    "6.18.0".into()
}

fn load_target(name: &str) -> Btf {
    let crafted = format!("oracle/targets/{name}.btf.gz");
    let rel = if data::path(&crafted).exists() {
        crafted
    } else {
        format!("btf/{name}.btf.gz")
    };
    corelab::input::load_btf(&data::read(&rel), None)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .btf
}

/// Mismatches found so far.
struct Diffs {
    list: Vec<String>,
    compared: usize,
}

impl Diffs {
    fn check(&mut self, at: &str, want: &Value, got: &Value) {
        self.compared += 1;
        diff_values(at, want, got, &mut self.list);
    }
}

/// Records every leaf where `got` differs from `want`, with its JSON path.
fn diff_values(at: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                diff_values(
                    &format!("{at}.{k}"),
                    wv,
                    g.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
            for k in g.keys().filter(|k| !w.contains_key(*k)) {
                out.push(format!("{at}.{k}: unexpected key"));
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                diff_values(&format!("{at}[{i}]"), wv, gv, out);
            }
        }
        _ if want != got => out.push(format!("{at}: want {want}, got {got}")),
        _ => {}
    }
}

fn type_ref(btf: &Btf, id: TypeId) -> Value {
    let t = btf.ty(id);
    json!({"id": id.0, "kind": t.kind().lower_name(), "name": t.name()})
}

fn spec_value(s: &Spec<'_>) -> Value {
    json!({
        "root": type_ref(s.btf, s.root),
        "fmt": s.format(),
        "len": s.access.len(),
        "access": s.access.iter().map(|a| json!({"type_id": a.type_id.0, "idx": a.idx, "name": a.name})).collect::<Vec<_>>(),
        "raw_len": s.raw.len(),
        "raw_spec": s.raw.iter().map(|&r| r as i32).collect::<Vec<_>>(),
        "bit_offset": s.bit_offset,
    })
}

fn insns_value(endian: Endian, slots: &[Insn]) -> Value {
    let hex: String = slots
        .iter()
        .flat_map(|i| i.encode(endian))
        .map(|b| format!("{b:02x}"))
        .collect();
    json!({
        "hex": hex,
        "insns": slots.iter().map(|i| json!({"code": i.code, "dst": i.dst, "src": i.src, "off": i.off, "imm": i.imm})).collect::<Vec<_>>(),
    })
}

/// Our record in the oracle's terms.
fn actual_record(obj: &Object, target: &Btf, r: &RecordReport<'_>) -> Value {
    let btf = obj.btf.as_ref().expect("object BTF");
    let mut v = json!({
        "sec": r.sec,
        "sec_relo_idx": r.sec_relo_idx,
        "obj_relo_idx": r.obj_relo_idx,
        "prog": r.prog.map(|p| obj.programs[p].name.clone()),
        "insn_off": r.relo.insn_off,
        "sec_insn_idx": r.relo.insn_off / 8,
        "prog_insn_idx": r.prog_insn_idx.map_or(-1, i64::from),
        "kind": r.kind.log_name(),
        "kind_id": r.kind.0,
        "local_type": type_ref(btf, r.relo.type_id),
        "access_str": r.access,
        "outcome": r.outcome.name(),
    });
    if let Some(p) = &r.processed {
        processed_value(v.as_object_mut().unwrap(), obj.endian, target, p);
    }
    v
}

fn processed_value(
    m: &mut serde_json::Map<String, Value>,
    endian: Endian,
    target: &Btf,
    p: &Processed<'_>,
) {
    let res = p.resolution.as_ref();
    let targets =
        |ids: &[TypeId]| -> Value { ids.iter().map(|&id| type_ref(target, id)).collect() };
    m.insert("pass".into(), p.pass.into());
    m.insert(
        "local_spec".into(),
        res.and_then(|r| r.local_spec.as_ref())
            .map_or(Value::Null, spec_value),
    );
    m.insert(
        "cands".into(),
        p.cands.as_deref().map_or(Value::Null, targets),
    );
    m.insert(
        "cand_results".into(),
        res.map_or(Vec::new(), |r| {
            r.trials
                .iter()
                .map(|t| json!({"i": t.index, "id": t.id.0, "match": t.matched, "spec": t.spec.format()}))
                .collect()
        })
        .into(),
    );
    m.insert(
        "cands_after".into(),
        res.and_then(|r| r.cands_after.as_deref())
            .map_or(Value::Null, targets),
    );
    m.insert(
        "target_spec".into(),
        res.and_then(|r| r.target_spec.as_ref())
            .map_or(Value::Null, spec_value),
    );
    m.insert(
        "res".into(),
        match res.map(|r| &r.result) {
            Some(Ok(v)) => json!({
                "orig_val": v.orig_val, "new_val": v.new_val, "poison": v.poison,
                "validate": v.validate, "fail_memsz_adjust": v.fail_memsz_adjust,
                "orig_sz": v.orig_sz, "orig_type_id": v.orig_type_id.0,
                "new_sz": v.new_sz, "new_type_id": v.new_type_id.0,
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
        patch.map_or(Value::Null, |x| insns_value(endian, &x.before)),
    );
    m.insert(
        "insn_after".into(),
        patch.map_or(Value::Null, |x| insns_value(endian, &x.after)),
    );
    m.insert("changed".into(), patch.is_some_and(|x| x.changed()).into());
    match p.outcome {
        Outcome::Error(phase, errno) => {
            let (phase, errno) = match phase {
                // The oracle takes a candidate-search errno from libbpf's "failed to
                // relocate" line, which it never captured: it records 0.
                Phase::CandSearch => ("cand_search", 0),
                Phase::Calc => ("calc", errno.0),
                Phase::Patch => ("patch", errno.0),
                Phase::Record => ("record", errno.0),
            };
            m.insert(
                "error".into(),
                json!({"phase": phase, "errno": errno, "reason": p.first_warning()}),
            );
        }
        Outcome::Poisoned(cause) => {
            let (decided, reason) = match cause {
                PoisonCause::NoMatch => ("calc", "no matching targets found".to_owned()),
                PoisonCause::MemSizeAdjust => {
                    let w = p.first_warning().unwrap_or("");
                    let rest = w
                        .find("relo #")
                        .and_then(|i| w[i..].find(": ").map(|j| &w[i + j + 2..]));
                    ("patch", rest.unwrap_or(w).to_owned())
                }
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
        p.log.iter().map(|l| Value::from(l.text.clone())).collect(),
    );
}

fn summary_value(rel: &ObjectRelocation<'_>) -> Value {
    // The oracle records 0 for a candidate-search failure (see `processed_value`).
    let search_failed = rel.records.iter().any(|r| {
        matches!(r.outcome, Outcome::Error(Phase::CandSearch, _))
            && r.processed.as_ref().is_some_and(|p| p.pass == 1)
    });
    json!({
        "core_relos": rel.records.len(),
        "outcomes": {
            "patched": rel.count("patched"), "poisoned": rel.count("poisoned"),
            "error": rel.count("error"), "skipped_autoload": rel.count("skipped_autoload"),
            "not_reached": rel.count("not_reached"), "eliminated": rel.count("eliminated"),
        },
        "passes": rel.passes,
        "disabled_progs": rel.disabled,
        "relocation": if rel.failed { "failed" } else { "ok" },
        "first_error": rel.first_error.as_ref().map(|e| json!({"sec": e.sec, "sec_relo_idx": e.sec_relo_idx, "prog": e.prog, "errno": if search_failed { 0 } else { e.errno.0 }})),
    })
}

fn kconfig_values(obj: &Object, release: &str) -> Vec<Value> {
    let config = String::from_utf8(data::read("oracle/kconfig.fixed")).unwrap();
    let Ok(layout) = kconfig::layout(obj) else {
        return Vec::new();
    };
    let settings = kconfig::Settings {
        config: Some(config),
        kernel_version: kconfig::parse_release(release),
        ..Default::default()
    };
    let Ok(resolved) = kconfig::resolve(&layout, &settings) else {
        return Vec::new();
    };
    layout
        .vars
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let bytes = &resolved.image[v.offset as usize..(v.offset + v.size) as usize];
            json!({
                "name": v.name, "offset": v.offset, "size": v.size,
                "hex": bytes.iter().map(|b| format!("{b:02x}")).collect::<String>(),
                "value": resolved.value(&layout, i),
            })
        })
        .collect()
}

#[test]
fn every_record_matches_libbpf() {
    let files = data::list("oracle/expected", ".jsonl.gz");
    assert_eq!(files.len(), 376, "47 objects x 8 targets");
    let mut targets: HashMap<String, Btf> = HashMap::new();
    let mut objects: HashMap<String, Object> = HashMap::new();
    let mut diffs = Diffs {
        list: Vec::new(),
        compared: 0,
    };
    let mut records = 0;
    for path in &files {
        let stem = data::stem(path, ".jsonl.gz");
        let (obj_name, target_name) = stem.split_once("__").expect("OBJ__TARGET");
        let target = targets
            .entry(target_name.to_owned())
            .or_insert_with(|| load_target(target_name));
        let obj = objects.entry(obj_name.to_owned()).or_insert_with(|| {
            Object::parse(&data::read(&format!("oracle/obj/{obj_name}.o.gz"))).unwrap()
        });
        let rel = relocate_object(obj, target);
        let text = String::from_utf8(data::read_path(path)).unwrap();
        let mut kconfig_want = Vec::new();
        let mut seen = 0;
        for line in text.lines() {
            let mut want: Value = serde_json::from_str(line).unwrap();
            let ty = want["type"].as_str().unwrap_or("").to_owned();
            want.as_object_mut().unwrap().remove("type");
            match ty.as_str() {
                "meta" => assert_eq!(want["core_relos"], rel.records.len(), "{stem}"),
                "relo" => {
                    let idx = want["obj_relo_idx"].as_u64().unwrap() as usize;
                    let at = format!(
                        "{stem} {}#{}",
                        want["sec"].as_str().unwrap(),
                        want["sec_relo_idx"]
                    );
                    let got = actual_record(obj, target, &rel.records[idx]);
                    diffs.check(&at, &want, &got);
                    seen += 1;
                    records += 1;
                }
                "kconfig" => kconfig_want.push(want),
                "summary" => diffs.check(&format!("{stem} summary"), &want, &summary_value(&rel)),
                _ => panic!("{stem}: unknown line type {ty}"),
            }
        }
        assert_eq!(seen, rel.records.len(), "{stem}: record count");
        let kconfig_got = kconfig_values(obj, &release_for(target_name));
        diffs.check(
            &format!("{stem} kconfig"),
            &Value::from(kconfig_want),
            &Value::from(kconfig_got),
        );
    }
    assert_eq!(records, 4816, "records in the public oracle");
    if !diffs.list.is_empty() {
        let shown: Vec<&String> = diffs.list.iter().take(40).collect();
        panic!(
            "{} mismatches with libbpf (first {}):\n{}",
            diffs.list.len(),
            shown.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(diffs.compared > records);
}
