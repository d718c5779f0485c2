//! A failed load's log against the loaded object (`corelab explain-log` in the Object area):
//! core's explanation turned into the page's shapes, with every instruction the log names
//! as a mark for the code and Guarding views. The words come from core's describers.

use corelab::btf::Btf;
use corelab::loadlog::{self, Finding, FindingKind, Options, Place};
use corelab::object::Object;

use super::object::LoadedObject;
use crate::dto::loadlog::{LogFinding, LogMark, LogProgram, LogReport};
use crate::dto::object::SourceRef;

/// The row (index over the `.BTF.ext`) of record `idx` of section `sec`.
fn relo_row(obj: &Object, sec: &str, idx: usize) -> Option<u32> {
    let ext = obj.ext.as_ref()?;
    let mut before = 0usize;
    for s in &ext.core_relos {
        if s.name == sec {
            return (idx < s.records.len()).then(|| (before + idx) as u32);
        }
        before += s.records.len();
    }
    None
}

fn source(p: &Place) -> Option<SourceRef> {
    let (file, line, text) = p.source.as_ref()?;
    Some(SourceRef {
        file: file.rsplit('/').next().unwrap_or(file).to_owned(),
        line: *line,
        column: 0,
        text: text.clone(),
    })
}

fn finding(obj: &Object, f: &Finding) -> LogFinding {
    let relo = match &f.kind {
        FindingKind::Core {
            sec, sec_relo_idx, ..
        } => relo_row(obj, sec, *sec_relo_idx),
        _ => None,
    };
    LogFinding {
        place: f.place.as_ref().map_or_else(
            || "an instruction the log does not name".to_owned(),
            Place::describe,
        ),
        insn: f.place.as_ref().map(|p| p.insn),
        source: f.place.as_ref().and_then(source),
        what: f.kind.describe(),
        spec: f.kind.spec().map(str::to_owned),
        relo,
        cause: f.cause.clone(),
        fix: f.fix.clone(),
        located_by: f.located_by.clone(),
    }
}

fn mark(prog: &str, p: &Place, text: String, poison: bool) -> LogMark {
    LogMark {
        prog: prog.to_owned(),
        insn: p.insn,
        sec: p.section.clone(),
        sec_insn: p.sec_insn,
        text,
        poison,
    }
}

/// `text` (what a failed load printed) explained against `obj`, with `target` the kernel it
/// failed on (says why relocations failed, runs the simulation).
pub fn explain(obj: &LoadedObject, text: &str, target: Option<(&str, &Btf)>) -> LogReport {
    let o = &obj.obj;
    let log = loadlog::parse(text);
    let ex = loadlog::explain(
        o,
        &log,
        &Options {
            target: target.map(|t| t.1),
            ..Default::default()
        },
    );
    let mut report = LogReport {
        wrapper: ex.wrapper.name().to_owned(),
        kernel: target.map(|t| t.0.to_owned()),
        mismatch: ex.mismatch(),
        ..LogReport::default()
    };
    if report.mismatch.is_some() {
        return report;
    }
    for p in &ex.progs {
        let name = p
            .prog()
            .map(|i| o.programs[i].name.clone())
            .or_else(|| p.log_prog.clone())
            .unwrap_or_else(|| "?".to_owned());
        let matched = p.prog().is_some();
        if matched {
            for f in &p.findings {
                if let Some(at) = &f.place {
                    report.marks.push(mark(
                        &name,
                        at,
                        format!("poisoned: {}", f.kind.describe()),
                        true,
                    ));
                }
            }
            if let Some(at) = &p.stopped_at {
                if !p.findings.iter().any(|f| f.place.as_ref() == Some(at)) {
                    let why = p.error.clone().unwrap_or_default();
                    report.marks.push(mark(
                        &name,
                        at,
                        format!("the verifier stopped here: {why}"),
                        false,
                    ));
                }
            }
        }
        report.programs.push(LogProgram {
            how: p.matched.describe(o),
            stop: p.stop_text(),
            findings: p.findings.iter().map(|f| finding(o, f)).collect(),
            sim: p.sim.as_ref().map(|s| s.describe()),
            differences: p
                .sim
                .as_ref()
                .filter(|s| !s.agrees)
                .map(|s| s.differences.clone())
                .unwrap_or_default(),
            name,
            matched,
        });
    }
    report
}

#[cfg(test)]
mod tests;
