//! Questions about a loaded BPF object against kernels: its relocations, one relocation
//! explained, the guard simulation, the matrix; and a struct across kernels.

use serde::{Deserialize, Serialize};

use super::{Payload, Query};
use crate::dto::compare::CompareTable;
use crate::dto::guard::{GuardReport, WhatIf};
use crate::dto::matrix::MatrixTable;
use crate::dto::reloc::{RelocExplanation, RelocTable};
use crate::session::Session;
use crate::state::Workspace;

/// Every CO-RE relocation of an object against a kernel.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RelocQuery {
    /// The object.
    pub object: u32,
    /// The kernel.
    pub kernel: u32,
    /// What-if settings.
    pub whatif: WhatIf,
}

impl RelocQuery {
    /// The loaded object against the active kernel, with the current settings.
    pub fn of(w: &Workspace) -> Option<RelocQuery> {
        Some(RelocQuery {
            object: w.object.slot()?,
            kernel: w.kernel.slot()?,
            whatif: w.object.whatif.clone(),
        })
    }
}

impl Query for RelocQuery {
    type Reply = RelocTable;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(RelocTable)) -> Result<RelocTable, String> {
        s.relocate(self.object, self.kernel, &self.whatif)
    }
}

impl Payload for RelocTable {}

/// One relocation explained.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ExplainQuery {
    /// The table's inputs.
    pub reloc: RelocQuery,
    /// The record (index over the `.BTF.ext`).
    pub idx: u32,
}

impl ExplainQuery {
    /// The open relocation row's.
    pub fn of(w: &Workspace) -> Option<ExplainQuery> {
        Some(ExplainQuery {
            idx: w.object.relo?,
            reloc: RelocQuery::of(w)?,
        })
    }
}

impl Query for ExplainQuery {
    type Reply = RelocExplanation;
    const KEEP: usize = 8;

    fn run(
        &self,
        s: &mut Session,
        _: &mut dyn FnMut(RelocExplanation),
    ) -> Result<RelocExplanation, String> {
        let r = &self.reloc;
        s.explain(r.object, r.kernel, &r.whatif, self.idx)
    }
}

impl Payload for RelocExplanation {}

/// The guard simulation, with the flow of one program.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct GuardQuery {
    /// The object.
    pub object: u32,
    /// The kernel.
    pub kernel: u32,
    /// What-if settings.
    pub whatif: WhatIf,
    /// The program shown (`None`: the first).
    pub prog: Option<String>,
}

impl GuardQuery {
    /// The loaded object against the active kernel, showing the chosen program.
    pub fn of(w: &Workspace) -> Option<GuardQuery> {
        Some(GuardQuery {
            object: w.object.slot()?,
            kernel: w.kernel.slot()?,
            whatif: w.object.whatif.clone(),
            prog: w.object.prog.clone(),
        })
    }
}

impl Query for GuardQuery {
    type Reply = GuardReport;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(GuardReport)) -> Result<GuardReport, String> {
        s.guard(self.object, self.kernel, &self.whatif, self.prog.as_deref())
    }
}

impl Payload for GuardReport {}

/// An object against many kernels.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct MatrixQuery {
    /// The object.
    pub object: u32,
    /// The kernels, in column order.
    pub kernels: Vec<u32>,
    /// What-if settings (release and overrides; hiding does not apply).
    pub whatif: WhatIf,
}

impl MatrixQuery {
    /// The loaded object against the bundled kernels (their slots, in `bundled`) and the
    /// active kernel when it is an upload; the what-if release and overrides apply, hiding
    /// does not.
    pub fn of(w: &Workspace, bundled: &[u32]) -> Option<MatrixQuery> {
        let mut kernels = bundled.to_vec();
        kernels.extend(
            w.kernel
                .kernel
                .as_ref()
                .filter(|k| k.source.bundled().is_none())
                .map(|k| k.slot),
        );
        Some(MatrixQuery {
            object: w.object.slot()?,
            kernels,
            whatif: WhatIf {
                hide: Vec::new(),
                ..w.object.whatif.clone()
            },
        })
    }
}

impl Query for MatrixQuery {
    type Reply = MatrixTable;
    const KEEP: usize = 2;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(MatrixTable)) -> Result<MatrixTable, String> {
        s.matrix(self.object, &self.kernels, &self.whatif)
    }
}

impl Payload for MatrixTable {}

/// A struct or union across kernels.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CompareQuery {
    /// The kernels, in column order.
    pub kernels: Vec<u32>,
    /// The type's name.
    pub name: String,
}

impl CompareQuery {
    /// The bundled kernels to compare across: the chosen ones, else all.
    pub fn kernel_ids(w: &Workspace) -> Vec<String> {
        if w.kernel.compare.is_empty() {
            crate::bundled::KERNELS
                .iter()
                .map(|k| k.id.to_owned())
                .collect()
        } else {
            w.kernel.compare.clone()
        }
    }

    /// The selected type (by name) across the kernels in `slots`.
    pub fn of(w: &Workspace, slots: &[u32]) -> Option<CompareQuery> {
        Some(CompareQuery {
            name: w.kernel.selected_name()?,
            kernels: slots.to_vec(),
        })
    }
}

impl Query for CompareQuery {
    type Reply = CompareTable;

    fn run(
        &self,
        s: &mut Session,
        _: &mut dyn FnMut(CompareTable),
    ) -> Result<CompareTable, String> {
        s.compare(&self.kernels, &self.name)
    }
}

impl Payload for CompareTable {}
