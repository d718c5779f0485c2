//! `access` without `--json`: the records as a table; with targets, each record's runs of
//! kernels that answer alike, whether each kernel loads the code, the verdict and a fix.

use std::fmt::Write as _;

use corelab::access::{FieldFacts, InsnForm, Load, LocalObject, Question};

use super::{describe, Across, TargetResult};

pub(super) fn render(
    q: &Question<'_>,
    obj: &LocalObject,
    local_name: &str,
    targets: &[TargetResult<'_>],
    across: Option<&Across>,
) -> String {
    let mut s = String::new();
    for (part, w) in q.warnings() {
        let _ = writeln!(
            s,
            "warning: '{}': {}",
            q.parts()[*part],
            w.describe(&q.parts()[*part])
        );
    }
    let _ = writeln!(
        s,
        "CO-RE records clang-19 emits, compiled against {local_name}'s vmlinux.h:"
    );
    let _ = writeln!(
        s,
        "  {:>2}  {:<14} {:<28} {:<10} {:<40} instruction",
        "#", "kind", "local type", "access", "accesses"
    );
    for (i, r) in obj.records.iter().enumerate() {
        let t = obj.btf.btf.ty(r.root);
        let local_type = if t.name().is_empty() {
            t.kind().lower_name().to_owned()
        } else {
            format!("{} {}", t.kind().lower_name(), t.name())
        };
        let form = match r.form {
            InsnForm::Alu => "alu (offset/value)".to_owned(),
            InsnForm::Mem(n) => format!("load/store ({n} bytes)"),
            InsnForm::LdImm64 => "ld_imm64".to_owned(),
        };
        let _ = writeln!(
            s,
            "  {:>2}  {:<14} {:<28} {:<10} {:<40} {}",
            i,
            r.kind.log_name(),
            local_type,
            r.access,
            describe(obj, i),
            form
        );
    }
    let Some((ans, fix)) = across else {
        return s;
    };
    let width = targets.iter().map(|t| t.name.len()).max().unwrap_or(0);
    let label = |first: usize, last: usize| {
        if first == last {
            targets[first].name.clone()
        } else {
            format!(
                "{} .. {} ({})",
                targets[first].name,
                targets[last].name,
                last - first + 1
            )
        }
    };
    let run_width = ans
        .runs
        .iter()
        .flatten()
        .map(|r| label(r.first, r.last).len())
        .max()
        .unwrap_or(0);
    let _ = writeln!(s, "\nacross {} kernel(s):", targets.len());
    for (i, runs) in ans.runs.iter().enumerate() {
        let _ = writeln!(
            s,
            "  #{i} {} ({})",
            describe(obj, i),
            obj.records[i].kind.log_name()
        );
        for run in runs {
            let _ = writeln!(
                s,
                "      {:<run_width$}  {}",
                label(run.first, run.last),
                facts(&run.facts)
            );
        }
    }
    let _ = writeln!(s, "loads:");
    for (t, l) in ans.loads.iter().enumerate() {
        let what = match l {
            Load::Loads => "yes".to_owned(),
            Load::Poisoned(v) => format!(
                "no: the verifier reaches the poisoned {}",
                v.iter()
                    .map(|&r| format!("#{r} {}", describe(obj, r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Load::Fails(r, msg) => format!("no: libbpf fails the object at #{r}: {msg}"),
        };
        let _ = writeln!(s, "  {:<width$}  {what}", targets[t].name);
    }
    let _ = writeln!(s, "verdict: {}", ans.verdict_text(&|r| describe(obj, r)));
    if let Some(f) = fix {
        for n in &f.notes {
            let _ = writeln!(s, "note: {n}");
        }
        if !f.snippet.is_empty() {
            let status = if f.checked {
                "checked: every kernel above loads it".to_owned()
            } else {
                match &f.answer {
                    Some(a) => format!(
                        "NOT enough: {}",
                        a.verdict_text(&|r| format!("record #{r}"))
                    ),
                    None => "could not be checked".to_owned(),
                }
            };
            let _ = writeln!(s, "fix ({status}):");
            for line in f.snippet.lines() {
                let _ = writeln!(s, "    {line}");
            }
        }
    }
    s
}

fn facts(f: &FieldFacts) -> String {
    let mut parts = Vec::new();
    match f.exists {
        Some(true) => parts.push("exists".to_owned()),
        Some(false) => parts.push("missing".to_owned()),
        None => {}
    }
    if let Some(o) = f.offset {
        parts.push(format!("offset {o}"));
    }
    if let Some(sz) = f.size {
        parts.push(format!("size {sz}"));
    }
    if let Some(v) = f.value {
        parts.push(format!("value {v}"));
    }
    let mut out = format!("{:<36} {}", parts.join("  "), f.outcome);
    if let Some(e) = &f.error {
        let _ = write!(out, ": {e}");
    }
    out
}
