//! `access --json`: one `relo` line per distinct record in the shape `reloc --json` prints
//! (`kind`, `access_str`, `local_type`, `local_spec`, …); with targets, one per record and
//! target, with libbpf's outcome and values.

use serde_json::{json, Map, Value};

use corelab::access::{self, LocalObject, Question, PROG};
use corelab::bytes::Endian;

use super::{Across, TargetResult};
use crate::cmd::reloc::json::{relo_line, spec, type_ref};

/// All lines, newline-terminated.
pub(super) fn render(
    q: &Question<'_>,
    obj: &LocalObject,
    targets: &[TargetResult<'_>],
    across: Option<&Across>,
) -> String {
    let mut lines: Vec<Value> = Vec::new();
    for (i, r) in obj.records.iter().enumerate() {
        let sources: Vec<Value> = r
            .records
            .iter()
            .map(|&k| {
                let rec = &q.records()[k];
                json!({"part": rec.source, "offset": rec.pos})
            })
            .collect();
        if targets.is_empty() {
            let mut m = Map::new();
            m.insert("type".into(), "relo".into());
            m.insert("sec".into(), PROG.into());
            m.insert("sec_relo_idx".into(), i.into());
            m.insert("prog".into(), PROG.into());
            m.insert("kind".into(), r.kind.log_name().into());
            m.insert("kind_id".into(), r.kind.0.into());
            m.insert("local_type".into(), type_ref(&obj.btf.btf, r.root));
            m.insert("access_str".into(), r.access.clone().into());
            m.insert(
                "local_spec".into(),
                access::local_spec(&obj.btf, r, i).map_or(Value::Null, |s| spec(&s)),
            );
            m.insert("insn".into(), form(r.form).into());
            m.insert("sources".into(), sources.into());
            lines.push(Value::Object(m));
            continue;
        }
        for t in targets {
            let p = &t.processed[i];
            let report = obj.report(i, p);
            let mut m = relo_line(Some(PROG), Some(&obj.btf.btf), &report, Endian::Little);
            m.insert("target".into(), t.name.clone().into());
            m.insert("insn".into(), form(r.form).into());
            m.insert("sources".into(), sources.clone().into());
            lines.push(Value::Object(m));
        }
    }
    if let Some((ans, fix)) = across {
        for (i, runs) in ans.runs.iter().enumerate() {
            let runs: Vec<Value> = runs
                .iter()
                .map(|r| {
                    json!({
                        "kernels": (r.first..=r.last).map(|t| ans.targets[t].clone()).collect::<Vec<_>>(),
                        "exists": r.facts.exists,
                        "offset": r.facts.offset,
                        "size": r.facts.size,
                        "value": r.facts.value,
                        "outcome": r.facts.outcome,
                        "error": r.facts.error,
                    })
                })
                .collect();
            lines.push(json!({"type": "answer", "sec_relo_idx": i, "runs": runs}));
        }
        let loads: Vec<Value> = ans
            .loads
            .iter()
            .enumerate()
            .map(|(t, l)| match l {
                access::Load::Loads => json!({"target": ans.targets[t], "loads": true}),
                access::Load::Poisoned(v) => {
                    json!({"target": ans.targets[t], "loads": false, "poisoned": v})
                }
                access::Load::Fails(r, m) => {
                    json!({"target": ans.targets[t], "loads": false, "failed": r, "error": m})
                }
            })
            .collect();
        let verdict = match ans.verdict {
            access::Verdict::Portable => "portable",
            access::Verdict::NeedsGuard(_) => "needs_guard",
            access::Verdict::Breaks(_) => "breaks",
        };
        let renames: Vec<Value> = ans
            .renames
            .iter()
            .map(|r| {
                json!({"sec_relo_idx": r.record, "target": ans.targets[r.target],
                       "container": r.container, "from": r.from, "to": r.to})
            })
            .collect();
        lines.push(json!({
            "type": "verdict",
            "verdict": verdict,
            "text": ans.verdict_text(&|r| obj.describe(r)),
            "loads": loads,
            "renames": renames,
        }));
        if let Some(f) = fix {
            lines.push(json!({
                "type": "fix",
                "snippet": f.snippet,
                "checked": f.checked,
                "notes": f.notes,
            }));
        }
    }
    let mut s = String::new();
    for l in lines {
        s.push_str(&l.to_string());
        s.push('\n');
    }
    s
}

fn form(f: access::InsnForm) -> String {
    match f {
        access::InsnForm::Alu => "alu".into(),
        access::InsnForm::Mem(n) => format!("mem{n}"),
        access::InsnForm::LdImm64 => "ldimm64".into(),
    }
}
