//! The Ask area's questions: an access question's records on the active kernel (compiled
//! against it and relocated on it), completions for the box, and the same question
//! answered across kernels.

use serde::{Deserialize, Serialize};

use super::kernel::kernel;
use super::{Payload, Query};
use crate::dto::ask::{AcrossTable, AskRecords, Completions};
use crate::session::{ask, Session};
use crate::state::Workspace;

/// The question's records, compiled against and relocated on the kernel in `kernel`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AskQuery {
    /// The kernel.
    pub kernel: u32,
    /// The question (BPF C).
    pub text: String,
}

impl AskQuery {
    /// The question asked, about the active kernel.
    pub fn of(w: &Workspace) -> Option<AskQuery> {
        Some(AskQuery {
            kernel: w.kernel.slot()?,
            text: w.ask.question.clone(),
        })
    }
}

impl Query for AskQuery {
    type Reply = AskRecords;
    const KEEP: usize = 8;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(AskRecords)) -> Result<AskRecords, String> {
        let clock = s.clock();
        Ok(ask::records(kernel(s, self.kernel)?, &self.text, clock))
    }
}

impl Payload for AskRecords {}

/// Completions for the question up to the cursor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CompleteQuery {
    /// The kernel whose names complete.
    pub kernel: u32,
    /// The text before the cursor.
    pub before: String,
}

impl Query for CompleteQuery {
    type Reply = Completions;
    const KEEP: usize = 8;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(Completions)) -> Result<Completions, String> {
        Ok(ask::complete(kernel(s, self.kernel)?, &self.before))
    }
}

impl Payload for Completions {}

/// The question compiled against `local`, answered on `targets`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AcrossQuery {
    /// The kernel it is compiled against.
    pub local: u32,
    /// The kernels, in the table's order.
    pub targets: Vec<u32>,
    /// The question.
    pub text: String,
}

impl AcrossQuery {
    /// The question asked, compiled against the active kernel, answered on `targets` (an
    /// empty question asks nothing).
    pub fn of(w: &Workspace, targets: &[u32]) -> Option<AcrossQuery> {
        if w.ask.question.trim().is_empty() || targets.is_empty() {
            return None;
        }
        Some(AcrossQuery {
            local: w.kernel.slot()?,
            targets: targets.to_vec(),
            text: w.ask.question.clone(),
        })
    }
}

impl Query for AcrossQuery {
    type Reply = AcrossTable;
    const KEEP: usize = 4;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(AcrossTable)) -> Result<AcrossTable, String> {
        let clock = s.clock();
        let local = kernel(s, self.local)?;
        let targets = self
            .targets
            .iter()
            .map(|&t| kernel(s, t))
            .collect::<Result<Vec<_>, _>>()?;
        ask::across(local, &targets, &self.text, clock)
    }
}

impl Payload for AcrossTable {}
