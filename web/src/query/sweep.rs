//! What a sweep has gathered so far: one column per build of the selection, in catalogue
//! order, arriving in sweep order (a build's answer, or the error that stopped it). Pure,
//! tested natively; `hooks::use_sweep` drives the sweep and feeds it.
//!
//! A wide selection stays readable because columns that answer identically and sit next to
//! each other are shown as one (`debian12-6.1.0-44-amd64 .. debian12-6.1.0-57-amd64 (14)`),
//! as the Ask area groups kernels into runs.

use crate::dto::matrix::MatrixTable;
use crate::dto::sweep::{Selection, SweepColumn};
use crate::shared::Shared;

/// One build's state in a sweep.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildState {
    /// Not answered yet.
    Pending,
    /// Its one-column matrix.
    Done(Shared<MatrixTable>),
    /// What stopped it (one line naming the build, and the offset for bad bytes).
    Failed(String),
}

/// Where a sweep's time went, summed over the builds answered.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SweepTimes {
    /// Waiting for segments: the part of fetching the prefetch did not hide behind the
    /// engine's work on the build before.
    pub stall_ms: f64,
    /// Rebuilding BTF from segments (engine).
    pub rebuild_ms: f64,
    /// Parsing it (engine).
    pub parse_ms: f64,
    /// Relocating and simulating (engine).
    pub work_ms: f64,
    /// Bytes fetched.
    pub bytes: u64,
    /// From the first request to the last answer.
    pub wall_ms: f64,
}

/// A matrix sweep over a selection.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixSweep {
    /// The selection.
    pub selection: Selection,
    /// One per build of `selection.builds`.
    pub builds: Vec<BuildState>,
    /// Where the time went.
    pub times: SweepTimes,
}

/// A column of the shown table: one build, or a run of neighbours that answer alike.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnGroup {
    /// The first build (index into the selection's builds).
    pub first: usize,
    /// The last build of the run.
    pub last: usize,
    /// `@build`, or `@first .. @last (n)`.
    pub label: String,
    /// Why the build failed (its column shows the error).
    pub error: Option<String>,
}

impl MatrixSweep {
    /// A sweep about to start.
    pub fn new(selection: Selection) -> MatrixSweep {
        let n = selection.builds.len();
        MatrixSweep {
            selection,
            builds: vec![BuildState::Pending; n],
            times: SweepTimes::default(),
        }
    }

    /// Records build `i`'s answer (its engine timings added to the sums).
    pub fn answered(&mut self, i: usize, column: Result<SweepColumn, String>) {
        let Some(slot) = self.builds.get_mut(i) else {
            return;
        };
        *slot = match column {
            Ok(c) => {
                self.times.rebuild_ms += c.rebuild_ms;
                self.times.parse_ms += c.parse_ms;
                self.times.work_ms += c.work_ms;
                match c.answer {
                    crate::dto::sweep::SweepAnswer::Matrix(m) => BuildState::Done(Shared::new(m)),
                    crate::dto::sweep::SweepAnswer::Ask(_) => {
                        BuildState::Failed("not a matrix column".to_owned())
                    }
                }
            }
            Err(e) => BuildState::Failed(e),
        };
    }

    /// Builds answered (or failed).
    pub fn done(&self) -> usize {
        self.builds
            .iter()
            .filter(|b| !matches!(b, BuildState::Pending))
            .count()
    }

    /// Whether every build is answered.
    pub fn finished(&self) -> bool {
        self.done() == self.builds.len()
    }

    /// `37 / 137 builds`.
    pub fn progress(&self) -> String {
        format!("{} / {} builds", self.done(), self.builds.len())
    }

    /// The table so far: the columns of the builds answered, in catalogue order, each run of
    /// neighbours that answer alike as one column when `group`; failed builds keep a column
    /// of their own. `None` until some build has answered.
    pub fn table(&self, group: bool) -> Option<(MatrixTable, Vec<ColumnGroup>)> {
        let first = self.builds.iter().find_map(|b| match b {
            BuildState::Done(m) => Some(&**m),
            _ => None,
        })?;
        let mut out = MatrixTable {
            object: first.object.clone(),
            kernels: Vec::new(),
            libbpf: first.libbpf,
            programs: first
                .programs
                .iter()
                .map(|p| blank(p, |p| &mut p.cells))
                .collect(),
            relocations: first
                .relocations
                .iter()
                .map(|r| blank(r, |r| &mut r.cells))
                .collect(),
            ms: 0.0,
        };
        let mut groups: Vec<ColumnGroup> = Vec::new();
        // The build whose column each group shows (failed groups show none).
        let mut shown: Vec<Option<&MatrixTable>> = Vec::new();
        for (i, b) in self.builds.iter().enumerate() {
            let name = &self.selection.builds[i];
            match b {
                BuildState::Pending => continue,
                BuildState::Failed(e) => {
                    groups.push(ColumnGroup {
                        first: i,
                        last: i,
                        label: format!("@{name}"),
                        error: Some(e.clone()),
                    });
                    shown.push(None);
                }
                BuildState::Done(m) => {
                    let m = &**m;
                    let joins = group
                        && matches!((groups.last(), shown.last()), (Some(g), Some(Some(prev)))
                            if g.last + 1 == i && same_column(prev, m));
                    if joins {
                        let g = groups.last_mut().expect("joins a group");
                        g.last = i;
                        continue;
                    }
                    groups.push(ColumnGroup {
                        first: i,
                        last: i,
                        label: String::new(),
                        error: None,
                    });
                    shown.push(Some(m));
                }
            }
        }
        for (g, m) in groups.iter_mut().zip(&shown) {
            if g.error.is_none() {
                let b = &self.selection.builds;
                g.label = if g.first == g.last {
                    format!("@{}", b[g.first])
                } else {
                    format!(
                        "@{} .. @{} ({})",
                        b[g.first],
                        b[g.last],
                        g.last - g.first + 1
                    )
                };
            }
            out.kernels.push(g.label.clone());
            for (k, row) in out.programs.iter_mut().enumerate() {
                row.cells.push(match m {
                    Some(m) => m.programs[k].cells[0].clone(),
                    None => crate::dto::matrix::VerdictCell {
                        verdict: "error".to_owned(),
                        reason: g.error.clone(),
                    },
                });
            }
            for (k, row) in out.relocations.iter_mut().enumerate() {
                row.cells.push(match m {
                    Some(m) => m.relocations[k].cells[0].clone(),
                    None => crate::dto::matrix::ValueCell {
                        outcome: "error".to_owned(),
                        value: None,
                        reason: g.error.clone(),
                    },
                });
            }
        }
        for r in &mut out.relocations {
            r.varies = r
                .cells
                .windows(2)
                .any(|w| w[0].outcome != w[1].outcome || w[0].value != w[1].value);
        }
        Some((out, groups))
    }
}

/// A row with its cells emptied.
fn blank<T: Clone, C>(row: &T, cells: impl Fn(&mut T) -> &mut Vec<C>) -> T {
    let mut r = row.clone();
    cells(&mut r).clear();
    r
}

/// Whether two one-column matrices answer alike (every verdict and every value).
fn same_column(a: &MatrixTable, b: &MatrixTable) -> bool {
    a.programs.len() == b.programs.len()
        && a.relocations.len() == b.relocations.len()
        && a.programs
            .iter()
            .zip(&b.programs)
            .all(|(x, y)| x.cells == y.cells)
        && a.relocations
            .iter()
            .zip(&b.relocations)
            .all(|(x, y)| x.cells == y.cells)
}

#[cfg(test)]
mod tests;

/// The Matrix's sweep job: the loaded object, with the what-if overrides and release
/// (hiding does not apply, as in the bundled matrix). `None` without an object.
pub fn matrix_job(w: &crate::state::Workspace) -> Option<crate::dto::sweep::SweepJob> {
    Some(crate::dto::sweep::SweepJob::Matrix {
        object: w.object.slot()?,
        whatif: crate::dto::guard::WhatIf {
            hide: Vec::new(),
            ..w.object.whatif.clone()
        },
    })
}

/// An access question across a selection: builds answered (their parts kept in the engine),
/// builds that failed, and the table once gathered — after the question's pass, then again
/// after the pass that checks the fix on every build.
#[derive(Debug, Clone, PartialEq)]
pub struct AskSweep {
    /// The selection.
    pub selection: Selection,
    /// Builds answered in the pass under way.
    pub done: usize,
    /// Which pass: the question's, or the fix's check.
    pub checking_fix: bool,
    /// Builds that failed (index into the selection's builds, the error).
    pub failed: Vec<(usize, String)>,
    /// The table, once a pass is over.
    pub table: Option<Shared<crate::dto::sweep::AskSweepTable>>,
    /// Where the time went.
    pub times: SweepTimes,
    /// Every pass is over.
    pub finished: bool,
}

impl AskSweep {
    /// A sweep about to start.
    pub fn new(selection: Selection) -> AskSweep {
        AskSweep {
            selection,
            done: 0,
            checking_fix: false,
            failed: Vec::new(),
            table: None,
            times: SweepTimes::default(),
            finished: false,
        }
    }

    /// Records build `i`'s step in the current pass.
    pub fn answered(&mut self, i: usize, column: Result<SweepColumn, String>) {
        self.done += 1;
        match column {
            Ok(c) => {
                self.times.rebuild_ms += c.rebuild_ms;
                self.times.parse_ms += c.parse_ms;
                self.times.work_ms += c.work_ms;
            }
            Err(e) => {
                if !self.failed.iter().any(|(f, _)| *f == i) {
                    self.failed.push((i, e));
                }
            }
        }
    }

    /// `37 / 137 builds`, or `checking the fix: 37 / 137 builds`.
    pub fn progress(&self) -> String {
        let n = self.selection.builds.len();
        if self.checking_fix {
            format!("checking the fix: {} / {n} builds", self.done)
        } else {
            format!("{} / {n} builds", self.done)
        }
    }
}
