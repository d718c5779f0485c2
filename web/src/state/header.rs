//! The vmlinux.h view's state: profile, roots, the `bpf_helpers.h` typedefs, and where the
//! viewer is. The header itself is a query's answer ([`crate::query::kernel::HeaderQuery`]);
//! [`HeaderArea::on_document`] says where to go once it is there.

use super::{TextPosition, Workspace};
use crate::document::Document;
use crate::url::{HeaderProfile, UrlState};
use crate::views::View;

/// The header view's settings and position.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeaderArea {
    /// The bpftool build imitated.
    pub profile: HeaderProfile,
    /// Only these types and what they need (empty: the whole kernel).
    pub roots: Vec<String>,
    /// With roots: also the typedefs `bpf_helpers.h` needs.
    pub helpers: bool,
    /// Where the viewer is.
    pub position: TextPosition,
}

/// What changes the header view.
#[derive(Debug, Clone)]
pub enum HeaderAction {
    /// Generate the header with this profile.
    SetProfile(HeaderProfile),
    /// Generate the header for these roots (empty: the whole kernel), with or without the
    /// `bpf_helpers.h` typedefs.
    SetRoots {
        /// The roots.
        roots: Vec<String>,
        /// With the typedefs.
        helpers: bool,
    },
    /// Show the header at a 0-based line.
    GoToLine(usize),
    /// Show the header at a type's definition (once the header is there).
    GoToType(u32),
    /// The header resolved a jump to a type: the line of its definition, or `None` when
    /// this header does not define it.
    Jumped(Option<usize>),
    /// The header was scrolled by the user to this top line.
    Scrolled(usize),
}

impl HeaderArea {
    /// Reads what a URL says about the view.
    pub(super) fn apply_url(&mut self, url: &UrlState) {
        self.profile = url.profile;
        self.roots = url.roots.clone();
        self.helpers = url.helpers;
        if url.view != View::Header {
            self.position.line = None;
        }
    }

    /// Writes what the view says into a URL.
    pub(super) fn write_url(&self, u: &mut UrlState) {
        u.profile = self.profile;
        u.roots = self.roots.clone();
        u.helpers = self.helpers;
    }

    /// What to do once the header `doc` is there (the whole of it), with type `selected`
    /// selected: resolve a pending jump, return to the line it was at, or show the selected
    /// type's definition.
    pub fn on_document(&self, doc: &Document, selected: Option<u32>) -> Option<HeaderAction> {
        let p = &self.position;
        if let Some(id) = p.jump {
            return Some(HeaderAction::Jumped(doc.anchor(id)));
        }
        match (p.line, p.scroll) {
            (Some(l), None) => Some(HeaderAction::GoToLine(l)),
            (Some(_), Some(_)) => None,
            (None, _) => selected
                .and_then(|id| doc.anchor(id))
                .map(|l| HeaderAction::Jumped(Some(l))),
        }
    }
}

impl Workspace {
    pub(super) fn apply_header(&mut self, action: HeaderAction) {
        let h = &mut self.header;
        match action {
            HeaderAction::SetProfile(p) => h.profile = p,
            HeaderAction::SetRoots { roots, helpers } => {
                if roots != h.roots {
                    // Another header: its lines are not the old one's.
                    h.position.reset();
                }
                h.roots = roots;
                h.helpers = helpers;
            }
            HeaderAction::GoToLine(line) => {
                h.position.go_to(line);
                self.show_view(View::Header);
            }
            HeaderAction::GoToType(id) => {
                h.position.jump = Some(id);
                self.kernel.selected = Some(id);
                self.kernel.pending_type = None;
                self.show_view(View::Header);
            }
            HeaderAction::Jumped(line) => {
                let id = h.position.jump.take();
                match line {
                    Some(line) => h.position.go_to(line),
                    None => {
                        let name = self
                            .kernel
                            .selected_name()
                            .or_else(|| id.map(|id| format!("[{id}]")))
                            .unwrap_or_default();
                        self.error = Some(format!("{name} is not in this header"));
                    }
                }
            }
            HeaderAction::Scrolled(line) => h.position.line = Some(line),
        }
    }
}
