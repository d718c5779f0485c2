//! One question across many kernels: per record, what each kernel has (exists, offset,
//! size, value) grouped into runs of kernels that answer alike; per kernel, whether the
//! program would load (a reachable poisoned instruction or a failed relocation stops it);
//! and a verdict: portable, needs a guard, or breaks (a field renamed, found through its
//! history; libbpf failing the object).
//!
//! Targets are any list of BTFs, in the order given (runs are runs in that order); the
//! same code answers for a catalogue of builds.

use crate::btf::{Btf, TypeId};
use crate::diff::history;
use crate::libbpf::Libbpf;
use crate::reloc::{
    calc_relo_insn, find_candidates, CalcContext, Outcome, Processed, RelocClass, RelocKind,
    RelocRequest, Spec, Target,
};

use super::resolve::{local_spec, PROG};
use super::{LocalObject, Question};

/// What one kernel has for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFacts {
    /// Whether the field, type or enumerator exists (`None`: libbpf failed to tell).
    pub exists: Option<bool>,
    /// Field byte offset.
    pub offset: Option<u64>,
    /// Field or type size in bytes.
    pub size: Option<u64>,
    /// Enumerator value or target type id.
    pub value: Option<u64>,
    /// libbpf's outcome for the record itself (`patched`, `poisoned`, `error`).
    pub outcome: &'static str,
    /// libbpf's warning when the relocation failed.
    pub error: Option<String>,
}

/// A cell of the table: one record on one kernel.
pub type Cell = FieldFacts;

/// Consecutive kernels (indices `first..=last` into the targets) with the same facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// First kernel of the run.
    pub first: usize,
    /// Last kernel of the run.
    pub last: usize,
    /// What they have.
    pub facts: FieldFacts,
}

/// A field found under another name on some kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The distinct record.
    pub record: usize,
    /// The kernel.
    pub target: usize,
    /// The struct or union that holds it (its name).
    pub container: String,
    /// The field as the question names it (a path below `container`).
    pub from: String,
    /// What the kernel has instead: one field (a rename), or several that replaced it.
    pub to: Vec<String>,
    /// A rename's member as C declares it in this kernel (`unsigned int __state`), for the
    /// `___flavor` struct of a fix; `None` when its type has no spelling in the question.
    pub decl: Option<String>,
}

/// Whether a program holding the question's code loads on a kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    /// It loads.
    Loads,
    /// The verifier reaches a poisoned instruction: these distinct records.
    Poisoned(Vec<usize>),
    /// libbpf fails the object: this record, with libbpf's warning.
    Fails(usize, String),
}

/// The verdict over all kernels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Loads and relocates everywhere.
    Portable,
    /// Some kernels lack what is read: those kernels.
    NeedsGuard(Vec<usize>),
    /// A field is renamed on some kernels (a guard alone would lose it), or libbpf fails
    /// the object on some kernels.
    Breaks(Vec<usize>),
}

/// The answer across kernels.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The kernels' names, in order.
    pub targets: Vec<String>,
    /// Per distinct record, its runs.
    pub runs: Vec<Vec<Run>>,
    /// Per kernel, whether it loads.
    pub loads: Vec<Load>,
    /// Fields renamed or replaced on some kernel.
    pub renames: Vec<Rename>,
    /// What else explains a failure, in words (a typedef root no kernel has).
    pub notes: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The libbpf release whose answer this is (the fix is checked in the same one).
    pub libbpf: Libbpf,
}

impl Answer {
    /// The verdict in words: `portable`, `needs a guard: missing on …`, `breaks: renamed to
    /// … in …`, `breaks: libbpf fails the load on …`.
    pub fn verdict_text(&self, what: &dyn Fn(usize) -> String) -> String {
        let names = |v: &[usize]| {
            v.iter()
                .map(|&t| self.targets[t].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.verdict {
            Verdict::Portable => "portable".to_owned(),
            Verdict::NeedsGuard(on) => {
                let mut recs: Vec<usize> = Vec::new();
                for l in &self.loads {
                    if let Load::Poisoned(r) = l {
                        for &x in r {
                            if !recs.contains(&x) {
                                recs.push(x);
                            }
                        }
                    }
                }
                let fields: Vec<String> = recs.iter().map(|&r| what(r)).collect();
                format!(
                    "needs a guard: {} missing on {}",
                    fields.join(", "),
                    names(on)
                )
            }
            Verdict::Breaks(on) => {
                let mut parts = Vec::new();
                let mut grouped: Vec<(&Rename, Vec<&str>)> = Vec::new();
                for r in &self.renames {
                    let name = self.targets[r.target].as_str();
                    match grouped.iter_mut().find(|(g, _)| {
                        g.container == r.container && g.from == r.from && g.to == r.to
                    }) {
                        Some((_, ts)) => ts.push(name),
                        None => grouped.push((r, vec![name])),
                    }
                }
                for (r, ts) in grouped {
                    let to = r.to.join(", ");
                    let verb = if r.to.len() == 1 {
                        "renamed to"
                    } else {
                        "replaced by"
                    };
                    parts.push(format!(
                        "{}.{} {verb} {to} in {}",
                        r.container,
                        r.from,
                        ts.join(", ")
                    ));
                }
                parts.extend(self.notes.iter().cloned());
                for (t, l) in self.loads.iter().enumerate() {
                    if let Load::Fails(_, msg) = l {
                        parts.push(format!(
                            "libbpf fails the load on {}: {msg}",
                            self.targets[t]
                        ));
                    }
                }
                if parts.is_empty() {
                    format!("breaks on {}", names(on))
                } else {
                    format!("breaks: {}", parts.join("; "))
                }
            }
        }
    }
}

/// The facts of record `i` of `obj` on `target`: a fresh calculation of the kinds that
/// describe it (existence, offset, size; or value), besides the record's own result.
fn facts(
    obj: &LocalObject,
    i: usize,
    target: &Btf,
    p: &Processed<'_>,
    libbpf: Libbpf,
) -> FieldFacts {
    let r = &obj.records[i];
    let local = &obj.btf.btf;
    let calc = |kind: RelocKind| -> Option<(bool, u64)> {
        let cands = if kind == RelocKind::TYPE_ID_LOCAL {
            None
        } else {
            Some(
                find_candidates(local, r.root, &Target::kernel(target))
                    .ok()?
                    .cands,
            )
        };
        let cx = CalcContext {
            prog: PROG,
            relo_idx: i,
            local,
            libbpf,
        };
        let req = RelocRequest {
            insn_off: 0,
            type_id: r.root,
            access: Some(&r.access),
            kind,
        };
        let res = calc_relo_insn(&cx, &req, cands.as_deref());
        let v = res.result.ok()?;
        Some((v.poison, v.new_val))
    };
    let value_of = |kind: RelocKind| calc(kind).and_then(|(poison, v)| (!poison).then_some(v));
    let (exists, offset, size, value) = match r.kind.class() {
        RelocClass::Field => {
            let e = value_of(RelocKind::FIELD_EXISTS).map(|v| v != 0);
            let present = e == Some(true);
            (
                e,
                present
                    .then(|| value_of(RelocKind::FIELD_BYTE_OFFSET))
                    .flatten(),
                present
                    .then(|| value_of(RelocKind::FIELD_BYTE_SIZE))
                    .flatten(),
                None,
            )
        }
        RelocClass::Type => {
            let e = value_of(RelocKind::TYPE_EXISTS).map(|v| v != 0);
            let present = e == Some(true);
            let value = match r.kind {
                RelocKind::TYPE_ID_TARGET | RelocKind::TYPE_MATCHES => value_of(r.kind),
                _ => None,
            };
            (
                e,
                None,
                present.then(|| value_of(RelocKind::TYPE_SIZE)).flatten(),
                value,
            )
        }
        RelocClass::EnumVal => {
            let e = value_of(RelocKind::ENUMVAL_EXISTS).map(|v| v != 0);
            let present = e == Some(true);
            (
                e,
                None,
                None,
                present
                    .then(|| value_of(RelocKind::ENUMVAL_VALUE))
                    .flatten(),
            )
        }
        RelocClass::Unknown => (None, None, None, None),
    };
    let (outcome, error) = match p.outcome {
        Outcome::Patched => ("patched", None),
        Outcome::Poisoned(_) => ("poisoned", None),
        Outcome::Error(..) => (
            "error",
            Some(
                p.first_warning()
                    .map_or("relocation failed", |w| w.text.as_str())
                    .to_owned(),
            ),
        ),
        _ => ("not_reached", None),
    };
    FieldFacts {
        exists,
        offset,
        size,
        value,
        outcome,
        error,
    }
}

/// Whether the code holding each of the question's records runs on a kernel, from the
/// relocated values of its distinct records.
fn reachable_poison(
    q: &Question<'_>,
    obj: &LocalObject,
    processed: &[Processed<'_>],
) -> Vec<usize> {
    // Question record → its distinct record.
    let mut distinct_of = vec![usize::MAX; q.records().len()];
    for (d, r) in obj.records.iter().enumerate() {
        for &k in &r.records {
            distinct_of[k] = d;
        }
    }
    let value = |k: usize| -> Option<u64> {
        let p = processed.get(*distinct_of.get(k)?)?;
        match p.outcome {
            Outcome::Patched => p
                .resolution
                .as_ref()
                .and_then(|r| r.result.as_ref().ok())
                .map(|r| r.new_val),
            _ => None,
        }
    };
    let mut out = Vec::new();
    for (k, rec) in q.records().iter().enumerate() {
        let d = distinct_of[k];
        let Some(p) = processed.get(d) else { continue };
        if matches!(p.outcome, Outcome::Poisoned(_)) && rec.reachable(&value) && !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// The field a record reads, as (holding struct's name, path below it), for its history.
pub(crate) fn field_of(spec: &Spec<'_>) -> Option<(String, String)> {
    if spec.kind.class() != RelocClass::Field {
        return None;
    }
    let btf = spec.btf;
    let named: Vec<(TypeId, &str)> = spec
        .access
        .iter()
        .filter_map(|a| a.name.map(|n| (a.type_id, n)))
        .collect();
    let last = named.len().checked_sub(1)?;
    // The nearest named struct/union above the field (anonymous ones are lifted into it).
    let mut k = last;
    loop {
        if !btf.ty(named[k].0).name().is_empty() {
            break;
        }
        if k == 0 {
            // Up to the root, which may be a typedef of an anonymous struct.
            let root = btf.ty(spec.root);
            let name = root.name();
            if name.is_empty() {
                return None;
            }
            return Some((
                name.to_owned(),
                named.iter().map(|n| n.1).collect::<Vec<_>>().join("."),
            ));
        }
        k -= 1;
    }
    let container = btf.ty(named[k].0).name().to_owned();
    let path = named[k..].iter().map(|n| n.1).collect::<Vec<_>>().join(".");
    Some((container, path))
}

/// What `target` has for `container.path`, compared with `local`: a rename or a
/// replacement, if the field's history shows one.
pub(crate) fn renamed(
    local: &Btf,
    target: &Btf,
    container: &str,
    path: &str,
) -> Option<Vec<String>> {
    let h = history(&[local, target], container);
    if h.types.get(1).is_none_or(Option::is_none) {
        return None;
    }
    for row in &h.rows {
        let (Some(a), b) = (&row.cells[0], &row.cells[1]) else {
            continue;
        };
        if a.path != path {
            continue;
        }
        if let Some(b) = b {
            if b.path != path {
                return Some(vec![b.path.clone()]);
            }
        }
    }
    if let Some(r) = h.replacements.iter().find(|r| r.at == 1 && r.old == path) {
        return Some(r.by.clone());
    }
    // The other way round: the target has the older field that `path` (with its siblings)
    // replaced.
    let back = history(&[target, local], container);
    back.replacements
        .iter()
        .find(|r| r.at == 1 && r.by.iter().any(|b| b == path))
        .map(|r| vec![r.old.clone()])
}

/// What one kernel answers for a question: the cells of its column, whether the code
/// loads, renames found there and notes. [`answer`] is these gathered; a caller going
/// through many kernels one at a time ([`answer_one`], then [`Answer::gather`]) needs one
/// kernel in memory at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetAnswer {
    /// The kernel's name.
    pub name: String,
    /// One cell per distinct record.
    pub cells: Vec<FieldFacts>,
    /// Whether the code loads.
    pub load: Load,
    /// Fields renamed here (their `target` is 0: [`Answer::gather`] numbers them).
    pub renames: Vec<Rename>,
    /// What else explains a failure here.
    pub notes: Vec<String>,
    /// A typedef root this kernel has no typedef of that name for.
    pub typedef_root: bool,
}

impl TargetAnswer {
    /// Kernel `name`'s answer where every record relocated: the code loads, nothing renamed.
    pub(crate) fn loading(name: &str, cells: Vec<FieldFacts>) -> TargetAnswer {
        TargetAnswer {
            name: name.to_owned(),
            cells,
            load: Load::Loads,
            renames: Vec::new(),
            notes: Vec::new(),
            typedef_root: false,
        }
    }
}

/// Answers `q` (its distinct records in `obj`) on each target, given libbpf release
/// `libbpf`'s result for each record on each target (`processed[t][i]`, from
/// [`super::relocate_on`], or [`super::relocate`] for the default release).
pub fn answer(
    q: &Question<'_>,
    obj: &LocalObject,
    targets: &[(String, &Btf)],
    processed: &[Vec<Processed<'_>>],
    libbpf: Libbpf,
) -> Answer {
    let parts = targets
        .iter()
        .zip(processed)
        .map(|((name, btf), p)| answer_one(q, obj, name, btf, p, libbpf))
        .collect();
    Answer::gather(parts, libbpf)
}

/// What kernel `name` (`btf`) answers for `q`, given libbpf's result for each record on it.
pub fn answer_one(
    q: &Question<'_>,
    obj: &LocalObject,
    name: &str,
    btf: &Btf,
    p: &[Processed<'_>],
    libbpf: Libbpf,
) -> TargetAnswer {
    let n = obj.records.len();
    let cells: Vec<FieldFacts> = (0..n).map(|i| facts(obj, i, btf, &p[i], libbpf)).collect();
    let mut out = TargetAnswer::loading(name, cells);
    if let Some(i) = p
        .iter()
        .position(|x| matches!(x.outcome, Outcome::Error(..)))
    {
        let msg = out.cells[i].error.clone().unwrap_or_default();
        out.load = Load::Fails(i, msg);
        return out;
    }
    let poisoned = reachable_poison(q, obj, p);
    for &i in &poisoned {
        // A typedef root is looked for as a typedef of that name, never as the struct
        // behind it.
        let root = obj.btf.btf.ty(obj.records[i].root);
        let no_cands = p[i].cands.as_ref().is_some_and(Vec::is_empty);
        if no_cands && root.kind() == crate::btf::Kind::TYPEDEF {
            let behind = obj.btf.btf.skip_mods_and_typedefs(root.id());
            let hint = if behind.kind().is_composite() && !behind.name().is_empty() {
                format!(
                    ": declare the pointer as `{} {} *`",
                    behind.kind().lower_name(),
                    behind.name()
                )
            } else {
                String::new()
            };
            let note = format!(
                "the root type is the typedef {}, and {name} has no typedef of that name (libbpf matches a typedef root only with a typedef){hint}",
                root.name(),
            );
            out.typedef_root = true;
            if !out.notes.contains(&note) {
                out.notes.push(note);
            }
        }
        let Some(spec) = local_spec(&obj.btf, &obj.records[i], i) else {
            continue;
        };
        let Some((container, path)) = field_of(&spec) else {
            continue;
        };
        if let Some(to) = renamed(q.kernel(), btf, &container, &path) {
            let decl = match to.as_slice() {
                [one] => super::fix::member_decl(q, btf, &container, one),
                _ => None,
            };
            out.renames.push(Rename {
                record: i,
                target: 0,
                container,
                from: path,
                to,
                decl,
            });
        }
    }
    if !poisoned.is_empty() {
        out.load = Load::Poisoned(poisoned);
    }
    out
}

impl Answer {
    /// The answer across the kernels whose own answers `parts` are, in order.
    pub fn gather(parts: Vec<TargetAnswer>, libbpf: Libbpf) -> Answer {
        let n = parts.first().map_or(0, |p| p.cells.len());
        let runs = (0..n)
            .map(|i| {
                let mut runs: Vec<Run> = Vec::new();
                for (t, part) in parts.iter().enumerate() {
                    match runs.last_mut() {
                        Some(r) if r.facts == part.cells[i] => r.last = t,
                        _ => runs.push(Run {
                            first: t,
                            last: t,
                            facts: part.cells[i].clone(),
                        }),
                    }
                }
                runs
            })
            .collect();
        let mut loads = Vec::with_capacity(parts.len());
        let mut renames = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut typedef_roots: Vec<usize> = Vec::new();
        let mut targets = Vec::with_capacity(parts.len());
        for (t, part) in parts.into_iter().enumerate() {
            if part.typedef_root {
                typedef_roots.push(t);
            }
            for note in part.notes {
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            renames.extend(part.renames.into_iter().map(|r| Rename { target: t, ..r }));
            loads.push(part.load);
            targets.push(part.name);
        }
        Answer::from_loads(targets, runs, loads, renames, notes, typedef_roots, libbpf)
    }

    fn from_loads(
        targets: Vec<String>,
        runs: Vec<Vec<Run>>,
        loads: Vec<Load>,
        renames: Vec<Rename>,
        notes: Vec<String>,
        typedef_roots: Vec<usize>,
        libbpf: Libbpf,
    ) -> Answer {
        let failing: Vec<usize> = loads
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l, Load::Fails(..)))
            .map(|(t, _)| t)
            .collect();
        let poisoned: Vec<usize> = loads
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l, Load::Poisoned(_)))
            .map(|(t, _)| t)
            .collect();
        let verdict = if !failing.is_empty() || !renames.is_empty() || !typedef_roots.is_empty() {
            let mut on: Vec<usize> = failing;
            for &t in &typedef_roots {
                if !on.contains(&t) {
                    on.push(t);
                }
            }
            for r in &renames {
                if !on.contains(&r.target) {
                    on.push(r.target);
                }
            }
            on.sort_unstable();
            Verdict::Breaks(on)
        } else if !poisoned.is_empty() {
            Verdict::NeedsGuard(poisoned)
        } else {
            Verdict::Portable
        };
        Answer {
            targets,
            runs,
            loads,
            renames,
            notes,
            verdict,
            libbpf,
        }
    }
}
