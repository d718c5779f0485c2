//! The Object area's failed-load log, explained against the loaded object and the active
//! kernel (the one the load failed on).

use serde::{Deserialize, Serialize};

use super::kernel::kernel;
use super::{Payload, Query};
use crate::dto::loadlog::LogReport;
use crate::session::{loadlog, Session};
use crate::state::Workspace;

/// The pasted log against the object in `object`, explained on the kernel in `kernel`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct LoadLogQuery {
    /// The object.
    pub object: u32,
    /// The kernel it failed on (the active one), if any.
    pub kernel: Option<u32>,
    /// What the failed load printed.
    pub log: String,
}

impl LoadLogQuery {
    /// The log pasted for the loaded object (`None` without one).
    pub fn of(w: &Workspace) -> Option<LoadLogQuery> {
        if w.object.log.trim().is_empty() {
            return None;
        }
        Some(LoadLogQuery {
            object: w.object.slot()?,
            kernel: w.kernel.slot(),
            log: (*w.object.log).clone(),
        })
    }
}

impl Query for LoadLogQuery {
    type Reply = LogReport;
    const KEEP: usize = 2;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(LogReport)) -> Result<LogReport, String> {
        let obj = s
            .object(self.object)
            .ok_or_else(|| format!("no object loaded in slot {}", self.object))?;
        let target = match self.kernel {
            Some(k) => {
                let k = kernel(s, k)?;
                Some((k.label(), k.btf()))
            }
            None => None,
        };
        Ok(loadlog::explain(obj, &self.log, target))
    }
}

impl Payload for LogReport {}
