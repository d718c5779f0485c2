//! Access questions (the Ask area): the records clang emits for BPF C compiled against a
//! kernel, each relocated on that kernel and explained as the Object area explains an
//! object's; completions for the box; and the answer across kernels with its verdict and
//! fix. The words come from core's describers, as `corelab access` prints them.

use corelab::access::{
    self, AccessError, Answer, Fix, LocalObject, Question, TargetAnswer, Verdict,
};
use corelab::btf::Btf;
use corelab::bytes::Endian;
use corelab::libbpf::Libbpf;
use corelab::reloc::Processed;

use super::reloc::{explain_report, report_row, Kernel as On};
use super::Kernel;
use crate::dto::ask::{
    AcrossCell, AcrossRow, AcrossTable, AskError, AskRecords, Completions, FixText, VerdictKind,
};
use crate::dto::object::SourceRef;

/// The name a question's source lines are shown under.
pub const QUESTION_FILE: &str = "question";

fn ask_error(text: &str, e: &AccessError) -> AskError {
    AskError {
        offset: e.offset as u32,
        message: e.describe(text),
    }
}

/// `text` as a question about `local`, with its distinct records.
fn question<'k>(
    local: &'k access::Local,
    text: &str,
) -> Result<(Question<'k>, LocalObject), AskError> {
    let mut q = Question::new(local).map_err(|e| ask_error(text, &e))?;
    q.add(text).map_err(|e| ask_error(text, &e.error))?;
    let obj = q.object().map_err(|e| ask_error(text, &e))?;
    Ok((q, obj))
}

/// The line of `text` holding byte `pos`, as a source reference.
fn source_at(text: &str, pos: usize) -> SourceRef {
    let e = AccessError::at(pos, "");
    let (line, column) = e.line_col(text);
    let start = text[..pos.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    SourceRef {
        file: QUESTION_FILE.to_owned(),
        line: line as u32,
        column: column as u32,
        text: text[start..end].trim().to_owned(),
    }
}

/// The records of `text` compiled against `kernel`, relocated on it.
pub fn records(kernel: &Kernel, text: &str, clock: fn() -> f64) -> AskRecords {
    let start = clock();
    let mut out = AskRecords {
        kernel: kernel.label().to_owned(),
        ..AskRecords::default()
    };
    if text.trim().is_empty() {
        return out;
    }
    let (q, obj) = match question(kernel.access_local(), text) {
        Ok(x) => x,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    out.warnings = q.warnings().iter().map(|(_, w)| w.describe(text)).collect();
    let processed = access::relocate(&obj.btf, &obj.records, kernel.btf());
    let on = On {
        label: kernel.label(),
    };
    for (i, (r, p)) in obj.records.iter().zip(&processed).enumerate() {
        let report = obj.report(i, p);
        let mut row = report_row(i, &report, None);
        row.insn = None;
        let first = r.records.first().map_or(0, |&k| q.records()[k].pos);
        let source = Some(source_at(text, first));
        let at = format!("the instruction clang emits for it ({})", r.form.describe());
        out.explanations.push(explain_report(
            &report,
            row.clone(),
            &on,
            &at,
            Endian::Little,
            source,
        ));
        out.rows.push(row);
        out.forms.push(r.form.describe());
        let t = obj.btf.btf.ty(r.root);
        let local_type = if t.name().is_empty() {
            t.kind().lower_name().to_owned()
        } else {
            format!("{} {}", t.kind().lower_name(), t.name())
        };
        out.records.push((local_type, r.access.clone()));
    }
    out.ms = clock() - start;
    out
}

/// Completions for `before` (the question up to the cursor) against `kernel`. The
/// statements before the one being typed are asked first, each on its own (one that does
/// not compile is left out), so that the variables they declare complete.
pub fn complete(kernel: &Kernel, before: &str) -> Completions {
    let Ok(mut q) = Question::new(kernel.access_local()) else {
        return Completions::default();
    };
    // Nothing is offered on an empty word, except where a name must follow (after `->`,
    // `.`, `struct `): a list of every typedef after each space would be noise.
    let word = before.len()
        - before
            .bytes()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
    let lead = before[..word].trim_end();
    let names_follow = lead.ends_with("->")
        || lead.ends_with('.')
        || ["struct", "union", "enum"].iter().any(|k| {
            lead.ends_with(k) && word > lead.len() && {
                let head = &lead[..lead.len() - k.len()];
                !head.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            }
        });
    if word == before.len() && !names_follow {
        return Completions::default();
    }
    let split = before.rfind(';').map_or(0, |i| i + 1);
    for stmt in before[..split].split_inclusive(';') {
        if !stmt.trim().is_empty() {
            let _ = q.add(stmt);
        }
    }
    let c = q.complete(&before[split..]);
    Completions {
        from: (split + c.from) as u32,
        candidates: c.candidates,
    }
}

/// `text` compiled against `local`, answered on `targets` (in order), with the verdict and
/// a checked fix.
pub fn across(
    local: &Kernel,
    targets: &[&Kernel],
    text: &str,
    clock: fn() -> f64,
) -> Result<AcrossTable, String> {
    let start = clock();
    let (q, obj) = question(local.access_local(), text).map_err(|e| e.message)?;
    let named: Vec<(String, &Btf)> = targets
        .iter()
        .map(|k| (k.label().to_owned(), k.btf()))
        .collect();
    let processed: Vec<Vec<Processed<'_>>> = targets
        .iter()
        .map(|k| access::relocate(&obj.btf, &obj.records, k.btf()))
        .collect();
    let ans = access::answer(&q, &obj, &named, &processed, Libbpf::default());
    let fix = access::fix(&q, &obj, &ans, &named);
    Ok(table(&ans, &obj, fix.as_ref(), clock() - start))
}

/// The table of an answer and its fix.
fn table(ans: &Answer, obj: &LocalObject, fix: Option<&Fix>, ms: f64) -> AcrossTable {
    AcrossTable {
        kernels: ans.targets.clone(),
        records: (0..obj.records.len())
            .map(|i| format!("{} ({})", obj.describe(i), obj.records[i].kind.log_name()))
            .collect(),
        rows: grouped(ans, obj),
        verdict: match ans.verdict {
            Verdict::Portable => VerdictKind::Portable,
            Verdict::NeedsGuard(_) => VerdictKind::NeedsGuard,
            Verdict::Breaks(_) => VerdictKind::Breaks,
        },
        verdict_text: ans.verdict_text(&|r| obj.describe(r)),
        fix: fix.map(|f| FixText {
            status: f.status(),
            snippet: f.snippet.clone(),
            checked: f.checked,
            notes: f.notes.clone(),
        }),
        ms,
    }
}

/// `text` compiled against `local` (or, with `fix`, that fix of it), answered on one
/// catalogue build `name` (`btf`): its part of an answer across a selection.
pub fn answer_on(
    local: &Kernel,
    text: &str,
    fix: Option<&Fix>,
    name: &str,
    btf: &Btf,
) -> Result<TargetAnswer, String> {
    let (q, _) = question(local.access_local(), text).map_err(|e| e.message)?;
    let q = match fix {
        Some(f) => f.question(&q)?,
        None => q,
    };
    let mut q = q;
    let obj = q.object().map_err(|e| e.describe(text))?;
    let processed = access::relocate(&obj.btf, &obj.records, btf);
    Ok(access::answer_one(
        &q,
        &obj,
        name,
        btf,
        &processed,
        Libbpf::default(),
    ))
}

/// `text` compiled against `local` (or, with `fix`, that fix of it), answered on catalogue
/// builds `builds` (index in the catalogue, kernel name) from the where-index alone: per
/// build its part, or `None` where the index does not decide it (that build is swept). An
/// `Err(None)` is a shard `shards` does not hold yet (the source notes which).
pub fn answer_from_index(
    local: &Kernel,
    text: &str,
    fix: Option<&Fix>,
    builds: &[(u32, &str)],
    shards: &mut dyn corelab::catalog::ShardSource,
) -> Result<Vec<Option<TargetAnswer>>, Option<String>> {
    let (q, _) = question(local.access_local(), text).map_err(|e| Some(e.message))?;
    let mut q = match fix {
        Some(f) => f.question(&q).map_err(Some)?,
        None => q,
    };
    let obj = q.object().map_err(|e| Some(e.describe(text)))?;
    access::answer_from_index(&obj, builds, shards).map_err(|_| None)
}

/// The table across a selection from the builds' parts (in order), with the fix: built
/// unchecked when `checked_by` is `None`, else checked by the fix's own parts.
pub fn gather(
    local: &Kernel,
    text: &str,
    parts: Vec<TargetAnswer>,
    fix: Option<Fix>,
    checked_by: Option<Vec<TargetAnswer>>,
    clock: fn() -> f64,
) -> Result<(AcrossTable, Option<Fix>), String> {
    let start = clock();
    let (q, obj) = question(local.access_local(), text).map_err(|e| e.message)?;
    let ans = Answer::gather(parts, Libbpf::default());
    let fix = match (fix, checked_by) {
        (Some(mut f), Some(fix_parts)) => {
            f.set_answer(Some(Answer::gather(fix_parts, Libbpf::default())));
            Some(f)
        }
        _ => access::fix_unchecked(&q, &obj, &ans),
    };
    Ok((table(&ans, &obj, fix.as_ref(), clock() - start), fix))
}

/// Consecutive kernels with the same answer for every record and the same load, one row
/// each.
fn grouped(ans: &Answer, obj: &LocalObject) -> Vec<AcrossRow> {
    let cells = |t: usize| -> Vec<AcrossCell> {
        (0..obj.records.len())
            .map(|i| match ans.cell(i, t) {
                Some(f) => AcrossCell {
                    values: f.values_text(),
                    outcome: f.outcome.to_owned(),
                    error: f.error.clone(),
                },
                None => AcrossCell {
                    values: String::new(),
                    outcome: String::new(),
                    error: None,
                },
            })
            .collect()
    };
    let mut rows: Vec<(usize, usize, Vec<AcrossCell>)> = Vec::new();
    for t in 0..ans.targets.len() {
        let c = cells(t);
        match rows.last_mut() {
            Some((_, last, prev)) if *prev == c && ans.loads[*last] == ans.loads[t] => *last = t,
            _ => rows.push((t, t, c)),
        }
    }
    rows.into_iter()
        .map(|(first, last, cells)| AcrossRow {
            label: ans.run_label(first, last),
            kernels: (first as u32..=last as u32).collect(),
            cells,
            loads: ans.loads[first].loads(),
            load: ans.loads[first].describe(&|r| obj.describe(r)),
        })
        .collect()
}

#[cfg(test)]
mod tests;
