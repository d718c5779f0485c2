//! `access --json`: one `relo` line per distinct record in the shape `reloc --json` prints
//! (`kind`, `access_str`, `local_type`, `local_spec`, …); with targets, one per record and
//! target, with libbpf's outcome and values.

use serde_json::{json, Map, Value};

use corelab::access::{self, LocalObject, Question, PROG};
use corelab::bytes::Endian;
use corelab::reloc::{Outcome, RecordReport};

use super::TargetResult;
use crate::cmd::reloc::json::{relo_line, spec, type_ref};

/// All lines, newline-terminated.
pub(super) fn render(q: &Question<'_>, obj: &LocalObject, targets: &[TargetResult<'_>]) -> String {
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
            m.insert("sec_relo_idx".into(), i.into());
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
            let report = RecordReport {
                sec: PROG,
                sec_relo_idx: i,
                obj_relo_idx: i,
                relo: r.core_relo(0),
                kind: r.kind,
                access: Some(&r.access),
                prog: Some(0),
                prog_insn_idx: Some(0),
                outcome: p.outcome,
                processed: Some(p.clone()),
            };
            let mut m = relo_line(
                Some(PROG),
                Some(&obj.btf.btf),
                &report,
                Endian::Little,
                t.btf,
            );
            m.insert("target".into(), t.name.clone().into());
            m.insert("insn".into(), form(r.form).into());
            m.insert("sources".into(), sources.clone().into());
            lines.push(Value::Object(m));
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

#[allow(dead_code)]
fn outcome_name(o: Outcome) -> &'static str {
    o.name()
}
