//! The Object and Guarding areas' state: the object being loaded and the loaded one, the
//! program shown, the relocation row open, the what-if settings, a failed load's log.

use super::{Source, Workspace};
use crate::dto::guard::WhatIf;
use crate::dto::object::ObjectSummary;
use crate::shared::Shared;
use crate::url::UrlState;

/// The loaded BPF object.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectState {
    /// The engine slot holding it.
    pub slot: u32,
    /// Where it came from (a bundled sample or an upload).
    pub source: Source,
    /// What it holds.
    pub summary: Shared<ObjectSummary>,
}

/// An object load in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectLoading {
    /// What is being loaded.
    pub source: Source,
    /// Its generation (and engine slot).
    pub generation: u32,
}

/// The Object and Guarding areas.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectArea {
    /// The loaded BPF object.
    pub object: Option<ObjectState>,
    /// An object load in progress.
    pub loading: Option<ObjectLoading>,
    /// The program shown in the Guarding area (`None`: the first).
    pub prog: Option<String>,
    /// The relocation row expanded.
    pub relo: Option<u32>,
    /// What-if settings for relocation and guarding.
    pub whatif: WhatIf,
    /// What a failed load of the object printed (pasted; explained by
    /// [`crate::query::loadlog::LoadLogQuery`]). Shared: a verifier log can be megabytes,
    /// and the state is cloned on every action.
    pub log: Shared<String>,
}

/// The longest log a URL carries (a longer one stays in the page, as an upload does).
pub const MAX_URL_LOG: usize = 4096;

/// What changes the Object and Guarding areas.
#[derive(Debug, Clone)]
pub enum ObjectAction {
    /// An object load starts.
    Start {
        /// What is loaded.
        source: Source,
        /// Its generation (and engine slot).
        generation: u32,
    },
    /// The engine parsed the object.
    Loaded {
        /// The load this is about.
        generation: u32,
        /// What it holds.
        summary: Shared<ObjectSummary>,
    },
    /// The object load failed.
    Failed {
        /// The load this is about.
        generation: u32,
        /// One line.
        message: String,
    },
    /// Show this program in the Guarding area.
    SelectProgram(String),
    /// Expand (or collapse, with `None`) a relocation row.
    SelectRelo(Option<u32>),
    /// New what-if settings.
    SetWhatIf(WhatIf),
    /// The failed load's log (empty: none).
    SetLog(String),
}

impl ObjectArea {
    /// Reads what a URL says about the areas.
    pub(super) fn apply_url(&mut self, url: &UrlState) {
        self.prog = url.prog.clone();
        self.relo = url.relo;
        self.whatif = url.whatif.clone();
        if self.log.len() <= MAX_URL_LOG && *self.log != url.log {
            self.log = Shared::new(url.log.clone());
        }
    }

    /// Writes what the areas say into a URL: the object on its way, else the loaded one.
    pub(super) fn write_url(&self, u: &mut UrlState) {
        let source = match (&self.loading, &self.object) {
            (Some(l), _) => Some(&l.source),
            (None, Some(o)) => Some(&o.source),
            (None, None) => None,
        };
        u.object = source.and_then(Source::bundled).map(str::to_owned);
        u.prog = self.prog.clone();
        u.relo = self.relo;
        u.whatif = self.whatif.clone();
        if self.log.len() <= MAX_URL_LOG {
            u.log = (*self.log).clone();
        }
    }

    /// The engine slot of the loaded object.
    pub fn slot(&self) -> Option<u32> {
        self.object.as_ref().map(|o| o.slot)
    }
}

impl Workspace {
    pub(super) fn apply_object(&mut self, action: ObjectAction) {
        let o = &mut self.object;
        match action {
            ObjectAction::Start { source, generation } => {
                o.loading = Some(ObjectLoading { source, generation });
                self.error = None;
            }
            ObjectAction::Loaded {
                generation,
                summary,
            } => {
                let Some(l) = o.loading.take_if(|l| l.generation == generation) else {
                    return;
                };
                // What named parts of the old object holds only if the new one has them.
                if let Some(p) = &o.prog {
                    if !summary.programs.iter().any(|q| &q.name == p && !q.subprog) {
                        o.prog = None;
                    }
                }
                if o.relo.is_some_and(|r| r >= summary.relocations) {
                    o.relo = None;
                }
                o.object = Some(ObjectState {
                    slot: generation,
                    source: l.source,
                    summary,
                });
            }
            ObjectAction::Failed {
                generation,
                message,
            } => {
                if o.loading.take_if(|l| l.generation == generation).is_some() {
                    self.error = Some(message);
                }
            }
            ObjectAction::SelectProgram(p) => o.prog = Some(p),
            ObjectAction::SelectRelo(r) => o.relo = r,
            ObjectAction::SetWhatIf(w) => o.whatif = w,
            ObjectAction::SetLog(l) => o.log = Shared::new(l),
        }
    }
}
