//! The Ask area's state: the question being asked (the URL's `q=` in this area). Its
//! records, completions and the answer across kernels are queries' answers
//! ([`crate::query::ask`]).

use crate::url::UrlState;
use crate::views::Area;

/// The question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AskArea {
    /// BPF C: an optional declaration, then expressions (`struct task_struct *t;
    /// BPF_CORE_READ(t, mm, exe_file)`).
    pub question: String,
}

/// What changes the Ask area.
#[derive(Debug, Clone)]
pub enum AskAction {
    /// Ask this question.
    Ask(String),
}

impl AskArea {
    /// Applies one action.
    pub fn apply(&mut self, a: AskAction) {
        match a {
            AskAction::Ask(q) => self.question = q,
        }
    }

    /// Reads the question from a URL of this area (another area's URL keeps it).
    pub(super) fn apply_url(&mut self, url: &UrlState) {
        if url.shown_view().area() == Area::Ask {
            self.question = url.question.clone();
        }
    }

    /// Writes the question into a URL of this area.
    pub(super) fn write_url(&self, u: &mut UrlState) {
        if u.shown_view().area() == Area::Ask {
            u.question = self.question.clone();
        }
    }
}
