//! The kernel catalogue's state: the question "Where is…" asks (`where=` in the URL) and the
//! selection the Matrix sweeps (`sel=`). The
//! catalogue's builds and the answer are not here: the listing comes with the catalogue's
//! head (`hooks::use_catalog`, wasm builds) and the answer is a query's
//! ([`crate::query::catalog::WhereQuery`]).

use super::Workspace;
use crate::url::UrlState;

/// The Where view's question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogArea {
    /// `NAME[.MEMBER…]`, asked over every build (empty: nothing asked).
    pub path: String,
    /// The catalogue selection the Matrix sweeps (`bookworm/arm64`, `all`: the CLI's `@…`
    /// without the `@`; empty: the bundled kernels). `sel=` in the URL.
    pub selection: String,
}

/// What changes it.
#[derive(Debug, Clone)]
pub enum CatalogAction {
    /// Ask where `path` is.
    Ask(String),
    /// Sweep this selection (empty: back to the bundled kernels).
    Select(String),
}

impl CatalogArea {
    /// Reads what a URL says about the area.
    pub(super) fn apply_url(&mut self, url: &UrlState) {
        self.path = url.where_path.clone();
        self.selection = url.selection.clone();
    }

    /// Writes what the area says into a URL.
    pub(super) fn write_url(&self, u: &mut UrlState) {
        u.where_path = self.path.clone();
        u.selection = self.selection.clone();
    }
}

impl Workspace {
    pub(super) fn apply_catalog(&mut self, a: CatalogAction) {
        match a {
            CatalogAction::Ask(path) => self.catalog.path = path.trim().to_owned(),
            CatalogAction::Select(sel) => {
                self.catalog.selection = sel.trim().trim_start_matches('@').to_owned()
            }
        }
    }
}
