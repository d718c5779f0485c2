//! `access` without `--json`: the records as a table; with targets, each record's runs of
//! kernels that answer alike, whether each kernel loads the code, the verdict and a fix.

use std::fmt::Write as _;

use corelab::access::{FieldFacts, LocalObject, Question};

use super::Across;

pub(super) fn render(
    q: &Question<'_>,
    obj: &LocalObject,
    local_name: &str,
    targets: &[String],
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
        let _ = writeln!(
            s,
            "  {:>2}  {:<14} {:<28} {:<10} {:<40} {}",
            i,
            r.kind.log_name(),
            local_type,
            r.access,
            obj.describe(i),
            r.form.describe()
        );
    }
    let Some((ans, fix)) = across else {
        return s;
    };
    let width = targets.iter().map(String::len).max().unwrap_or(0);
    let run_width = ans
        .runs
        .iter()
        .flatten()
        .map(|r| ans.run_label(r.first, r.last).len())
        .max()
        .unwrap_or(0);
    let _ = writeln!(s, "\nacross {} kernel(s):", targets.len());
    for (i, runs) in ans.runs.iter().enumerate() {
        let _ = writeln!(
            s,
            "  #{i} {} ({})",
            obj.describe(i),
            obj.records[i].kind.log_name()
        );
        for run in runs {
            let _ = writeln!(
                s,
                "      {:<run_width$}  {}",
                ans.run_label(run.first, run.last),
                facts(&run.facts)
            );
        }
    }
    let _ = writeln!(s, "loads:");
    for (t, l) in ans.loads.iter().enumerate() {
        let what = l.describe(&|r| obj.describe(r));
        let _ = writeln!(s, "  {:<width$}  {what}", targets[t]);
    }
    let _ = writeln!(s, "verdict: {}", ans.verdict_text(&|r| obj.describe(r)));
    if let Some(f) = fix {
        for n in &f.notes {
            let _ = writeln!(s, "note: {n}");
        }
        if !f.snippet.is_empty() {
            let status = f.status();
            let _ = writeln!(s, "fix ({status}):");
            for line in f.snippet.lines() {
                let _ = writeln!(s, "    {line}");
            }
        }
    }
    s
}

fn facts(f: &FieldFacts) -> String {
    let mut out = format!("{:<36} {}", f.values_text(), f.outcome);
    if let Some(e) = &f.error {
        let _ = write!(out, ": {e}");
    }
    out
}
