//! The app's state and every way it changes: one [`Workspace`] reduced by [`Action`]s.
//!
//! The state is split by area, each with its own actions and its own file: [`kernel`] (the
//! loaded kernel, its type list and selection, the raw listing's position, the comparison),
//! [`header`] (vmlinux.h's settings and position), [`object`] (the loaded object, program,
//! relocation, what-if settings), [`ask`] (the Ask area's question), and here what spans
//! them: the view, the embed, the Tour, the error. What the engine computes for a view is not here: views ask for it with
//! queries ([`crate::query`]) and the query cache holds the answers.
//!
//! Pure: no browser, no engine, no clock. Effects (fetching, asking the worker, writing the
//! URL) live in hooks and report back with actions. Every load gets a new generation number,
//! which is also the engine slot it is kept in; a load's reports carry it, so the reports of
//! a load that has since been replaced are dropped.

use crate::url::{Embed, TypeRef, UrlState};
use crate::views::{Area, View};

pub mod ask;
pub mod catalog;
pub mod header;
pub mod kernel;
pub mod object;

#[cfg(test)]
mod tests;

pub use ask::{AskAction, AskArea};
pub use catalog::{CatalogAction, CatalogArea};
pub use header::{HeaderAction, HeaderArea};
pub use kernel::{Kernel, KernelAction, KernelArea, LoadTimings, Loading, Phase, Search};
pub use object::{ObjectAction, ObjectArea, ObjectLoading, ObjectState};

/// Where a loaded kernel or object came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Shipped with the site, by id: a bundled kernel, or `@BUILD`, a build of the kernel
    /// catalogue (`@debian12-6.1.0-50-arm64`), or a bundled sample object.
    Bundled(String),
    /// A file the user uploaded or dropped, by name.
    Upload(String),
}

impl Source {
    /// The name to show.
    pub fn label(&self) -> &str {
        match self {
            Source::Bundled(id) | Source::Upload(id) => id,
        }
    }

    /// The bundled id, if it is one.
    pub fn bundled(&self) -> Option<&str> {
        match self {
            Source::Bundled(id) => Some(id),
            Source::Upload(_) => None,
        }
    }
}

/// A request to scroll a long text: the line, and a counter so that asking for the same
/// line twice scrolls twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScrollTarget {
    /// 0-based line.
    pub line: usize,
    /// Bumped on every request.
    pub nonce: u32,
}

/// Where a long text (the raw listing, the header) is: the line to scroll to, the line last
/// scrolled to (for the URL), and a type whose definition to show once the text is there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextPosition {
    /// Where the viewer should scroll.
    pub scroll: Option<ScrollTarget>,
    /// The line last scrolled to (0-based), kept for the URL.
    pub line: Option<usize>,
    /// A type to jump to as soon as the text (its definition's line) is known.
    pub jump: Option<u32>,
}

impl TextPosition {
    /// Scrolls to `line` (again, if it is already there).
    pub fn go_to(&mut self, line: usize) {
        let nonce = self.scroll.map_or(0, |s| s.nonce.wrapping_add(1));
        self.scroll = Some(ScrollTarget { line, nonce });
        self.line = Some(line);
        self.jump = None;
    }

    /// Forgets the position (another text).
    pub fn reset(&mut self) {
        *self = TextPosition::default();
    }
}

/// The whole app state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workspace {
    /// The main view.
    pub view: View,
    /// The last view of each area (switching back returns to it).
    pub area_views: [Option<View>; 4],
    /// Embed mode.
    pub embed: Option<Embed>,
    /// The Tour step shown.
    pub tour: Option<usize>,
    /// The last error, shown until dismissed or the next load.
    pub error: Option<String>,
    /// The Kernel area.
    pub kernel: KernelArea,
    /// The vmlinux.h view.
    pub header: HeaderArea,
    /// The Object and Guarding areas.
    pub object: ObjectArea,
    /// The Ask area.
    pub ask: AskArea,
    /// The kernel catalogue's question.
    pub catalog: CatalogArea,
}

/// Everything that changes the state.
#[derive(Debug, Clone)]
pub enum Action {
    /// In the Kernel area.
    Kernel(KernelAction),
    /// In the vmlinux.h view.
    Header(HeaderAction),
    /// In the Object and Guarding areas.
    Object(ObjectAction),
    /// In the Ask area.
    Ask(AskAction),
    /// In the kernel catalogue's views.
    Catalog(CatalogAction),
    /// Switch the main view.
    ShowView(View),
    /// Switch to an area (its last view).
    ShowArea(Area),
    /// Open the Tour at a step, or close it.
    Tour(Option<usize>),
    /// The URL changed under us (back/forward, a Tour step, a matrix cell).
    ApplyUrl(Box<UrlState>),
    /// Something failed outside a load.
    Failed(String),
    /// Hide the error.
    DismissError,
}

impl From<KernelAction> for Action {
    fn from(a: KernelAction) -> Action {
        Action::Kernel(a)
    }
}

impl From<HeaderAction> for Action {
    fn from(a: HeaderAction) -> Action {
        Action::Header(a)
    }
}

impl From<AskAction> for Action {
    fn from(a: AskAction) -> Action {
        Action::Ask(a)
    }
}

impl From<ObjectAction> for Action {
    fn from(a: ObjectAction) -> Action {
        Action::Object(a)
    }
}

impl Workspace {
    /// The state a URL describes before anything is loaded.
    pub fn from_url(url: &UrlState) -> Workspace {
        let mut w = Workspace::default();
        w.apply_url(url);
        w
    }

    /// The URL that describes this state.
    pub fn url(&self) -> UrlState {
        let mut u = UrlState {
            view: self.view,
            embed: self.embed,
            tour: self.tour,
            ..UrlState::default()
        };
        self.kernel.write_url(&mut u);
        self.header.write_url(&mut u);
        self.object.write_url(&mut u);
        // In the Ask area `q=` is the question, not the type list's search.
        if self.effective_view().area() == Area::Ask {
            u.query.clear();
        }
        self.ask.write_url(&mut u);
        self.catalog.write_url(&mut u);
        u.line = match self.view {
            View::Listing => self.kernel.listing.line.map(|l| l as u32 + 1),
            View::Header => self.header.position.line.map(|l| l as u32 + 1),
            _ => None,
        };
        u
    }

    /// The view shown: the embed's, else the main view.
    pub fn effective_view(&self) -> View {
        self.embed.map_or(self.view, Embed::view)
    }

    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Kernel(a) => self.apply_kernel(a),
            Action::Header(a) => self.apply_header(a),
            Action::Object(a) => self.apply_object(a),
            Action::Ask(a) => self.ask.apply(a),
            Action::Catalog(a) => self.apply_catalog(a),
            Action::ShowView(v) => self.show_view(v),
            Action::ShowArea(a) => {
                let v = self.area_views[a.index()].unwrap_or_else(|| a.first_view());
                self.show_view(v);
            }
            Action::Tour(t) => self.tour = t,
            Action::ApplyUrl(url) => self.apply_url(&url),
            Action::Failed(message) => self.error = Some(message),
            Action::DismissError => self.error = None,
        }
    }

    fn apply_url(&mut self, url: &UrlState) {
        self.embed = url.embed;
        self.tour = url.tour;
        self.object.apply_url(url);
        self.header.apply_url(url);
        self.ask.apply_url(url);
        if url.shown_view().area() == Area::Ask {
            // An Ask URL says nothing of the type list's search: it stays as it was.
            let mut kept = url.clone();
            kept.query = self.kernel.search.query.clone();
            self.kernel.apply_url(&kept);
        } else {
            self.kernel.apply_url(url);
        }
        self.catalog.apply_url(url);
        self.show_view(url.view);
        match (url.view, url.line) {
            (View::Listing, Some(l)) => self.kernel.listing.go_to(l as usize - 1),
            (View::Header, Some(l)) => self.header.position.go_to(l as usize - 1),
            // The selected type's definition, once the header is there.
            (View::Header, None) => {
                self.header.position.reset();
                self.header.position.jump = self.kernel.selected;
            }
            _ => {}
        }
    }

    /// Shows view `v`, remembering it as its area's last view.
    pub fn show_view(&mut self, v: View) {
        self.view = v;
        self.area_views[v.area().index()] = Some(v);
    }

    /// Selects type `id`; from the summary, that opens the type view.
    fn select(&mut self, id: u32) {
        self.kernel.selected = Some(id);
        self.kernel.pending_type = None;
        if self.view == View::Summary {
            self.show_view(View::Types);
        }
    }
}

/// How a URL names type `id` in a kernel: by name when the name means it, else by id.
pub fn type_ref(kernel: Option<&Kernel>, id: u32) -> TypeRef {
    let Some(index) = kernel.and_then(|k| k.index.as_ref()) else {
        return TypeRef::Id(id);
    };
    let named = index.entry_of(id).map(|e| index.name(e).to_owned());
    match named {
        Some(n) if index.resolve(&n) == Some(id) => TypeRef::Name(n),
        _ => TypeRef::Id(id),
    }
}

#[cfg(target_arch = "wasm32")]
impl yew::Reducible for Workspace {
    type Action = Action;

    fn reduce(self: std::rc::Rc<Self>, action: Action) -> std::rc::Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        std::rc::Rc::new(next)
    }
}
