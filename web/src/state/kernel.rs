//! The Kernel area's state: the kernel being loaded and the loaded one (its summary at once,
//! its type index once built), the type list, the selected type, the raw listing's position,
//! the kernels a type is compared across.
//!
//! A type can be named before its kernel can resolve the name (a shared link, a new kernel):
//! it waits in `pending_type` until the kernel's type index is in.

use super::{type_ref, Source, TextPosition, Workspace};
use crate::dto::KernelSummary;
use crate::search::{Hits, KindFilter, TypeIndex};
use crate::shared::Shared;
use crate::url::{TypeRef, UrlState};
use crate::views::View;

/// How far a load has got.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Downloading or reading: bytes so far, and the total when known.
    Fetching {
        /// Bytes received.
        done: u64,
        /// Total bytes, if the server said.
        total: Option<u64>,
    },
    /// The engine is unpacking and parsing.
    Parsing,
}

/// A load in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Loading {
    /// What is being loaded.
    pub source: Source,
    /// How far it got.
    pub phase: Phase,
}

/// The loaded kernel and what was derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Kernel {
    /// The engine slot holding it (its load generation).
    pub slot: u32,
    /// For split BTF (a kernel module), the slot of the kernel it is layered over.
    pub base_slot: Option<u32>,
    /// Where it came from.
    pub source: Source,
    /// What `corelab info` says.
    pub summary: Shared<KernelSummary>,
    /// Named types, for search: built after the summary is shown.
    pub index: Option<Shared<TypeIndex>>,
    /// Where the load's time went.
    pub timings: LoadTimings,
}

/// Where a load's time went, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LoadTimings {
    /// Fetching (and, for a bundled kernel, gunzipping as it arrives) or reading the file.
    pub fetch_ms: f64,
    /// Unpacking, parsing and summarising, in the engine.
    pub parse_ms: f64,
    /// From the pick to the state update (fetch, transfers, parse).
    pub total_ms: f64,
}

/// The type list's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Search {
    /// The query as typed.
    pub query: String,
    /// The kind filter.
    pub filter: KindFilter,
    /// The current hits.
    pub hits: Shared<Hits>,
    /// The highlighted row (keyboard cursor) among the hits.
    pub cursor: usize,
}

/// The Kernel area.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KernelArea {
    /// Bumped on every kernel load; reports tagged with an older one are stale.
    pub generation: u32,
    /// A load in progress.
    pub loading: Option<Loading>,
    /// The active kernel.
    pub kernel: Option<Kernel>,
    /// The type list.
    pub search: Search,
    /// The selected type.
    pub selected: Option<u32>,
    /// A type named (by the URL, or by name in the previous kernel) that the kernel's type
    /// index will resolve.
    pub pending_type: Option<TypeRef>,
    /// The raw listing's position.
    pub listing: TextPosition,
    /// Kernels to compare across (empty: every bundled kernel).
    pub compare: Vec<String>,
}

/// What changes the Kernel area.
#[derive(Debug, Clone)]
pub enum KernelAction {
    /// A load starts, under a new generation.
    StartLoad {
        /// What is loaded.
        source: Source,
        /// Its generation (and engine slot), higher than any before.
        generation: u32,
    },
    /// Bytes arrived.
    Progress {
        /// The load this is about.
        generation: u32,
        /// Bytes so far.
        done: u64,
        /// Total, if known.
        total: Option<u64>,
    },
    /// The bytes are with the engine.
    Parsing {
        /// The load this is about.
        generation: u32,
    },
    /// The engine parsed the kernel (or a kernel already loaded was picked again).
    Loaded {
        /// The load this is about.
        generation: u32,
        /// The engine slot holding it.
        slot: u32,
        /// Its summary.
        summary: Shared<KernelSummary>,
        /// Its type index, if already built (a kernel picked again).
        index: Option<Shared<TypeIndex>>,
        /// For split BTF, the slot of its base kernel.
        base_slot: Option<u32>,
        /// Where the time went.
        timings: LoadTimings,
    },
    /// The engine built a kernel's type index.
    IndexArrived {
        /// The kernel.
        slot: u32,
        /// The index.
        index: Shared<TypeIndex>,
    },
    /// The load failed.
    LoadFailed {
        /// The load this is about.
        generation: u32,
        /// One line: file, offset, problem.
        message: String,
    },
    /// The search text changed.
    SetQuery(String),
    /// The kind filter changed.
    SetFilter(KindFilter),
    /// Move the keyboard cursor by this many rows (clamped).
    MoveCursor(isize),
    /// Open the type under the keyboard cursor.
    OpenCursor,
    /// Show type `id`.
    Select(u32),
    /// Show type `id` in the raw listing (at its line, once the listing is there).
    ShowInListing(u32),
    /// Scroll the listing to a 0-based line.
    ListingGoToLine(usize),
    /// The listing resolved a jump to a type: its line, or `None` when the listing does not
    /// hold it (a base type under a module's split BTF: its detail is shown instead).
    ListingJumped(Option<usize>),
    /// The listing was scrolled by the user to this top line.
    ListingScrolled(usize),
    /// Kernels to compare across.
    SetCompareKernels(Vec<String>),
    /// Compare this type (by name) across kernels.
    CompareType(String),
}

impl KernelArea {
    /// Reads what a URL says about the area.
    pub(super) fn apply_url(&mut self, url: &UrlState) {
        self.compare = url.compare.clone();
        if url.query != self.search.query || url.filter != self.search.filter {
            self.search.query = url.query.clone();
            self.search.filter = url.filter;
            self.research();
        }
        let id = match &url.ty {
            Some(TypeRef::Id(id)) => Some(*id),
            Some(TypeRef::Name(n)) => self.index().and_then(|i| i.resolve(n)),
            None => None,
        };
        self.selected = id;
        // Named but not resolvable (yet): resolved when the next index is in.
        self.pending_type = match id {
            Some(_) => None,
            None => url.ty.clone(),
        };
        if url.view != View::Listing {
            self.listing.line = None;
        }
    }

    /// Writes what the area says into a URL.
    pub(super) fn write_url(&self, u: &mut UrlState) {
        // The loaded kernel when bundled, else a bundled one on its way.
        let loaded = self.kernel.as_ref().and_then(|k| k.source.bundled());
        let coming = self.loading.as_ref().and_then(|l| l.source.bundled());
        u.kernel = loaded.or(coming).map(str::to_owned);
        u.ty = match self.selected {
            Some(id) => Some(type_ref(self.kernel.as_ref(), id)),
            None => self.pending_type.clone(),
        };
        u.query = self.search.query.clone();
        u.filter = self.search.filter;
        u.compare = self.compare.clone();
    }

    /// The active kernel's type index, once built.
    pub fn index(&self) -> Option<&Shared<TypeIndex>> {
        self.kernel.as_ref()?.index.as_ref()
    }

    /// The engine slot of the active kernel.
    pub fn slot(&self) -> Option<u32> {
        self.kernel.as_ref().map(|k| k.slot)
    }

    /// The kernel a newly opened module's split BTF would be layered over: the active
    /// kernel, or its base when it is itself a module.
    pub fn base_for_split(&self) -> Option<u32> {
        self.kernel.as_ref().map(|k| k.base_slot.unwrap_or(k.slot))
    }

    /// What the engine layers a file that is not BTF on its own over: the active kernel
    /// (the file is a module of it), or the active modules (the file is one more module of
    /// their kernel, merged with them).
    pub fn layer_over(&self) -> Option<u32> {
        self.slot()
    }

    /// The name of the selected type (or of the type a URL names), for views about a type
    /// by name (the comparison, the layout's title).
    pub fn selected_name(&self) -> Option<String> {
        if let (Some(id), Some(index)) = (self.selected, self.index()) {
            if let Some(e) = index.entry_of(id) {
                return Some(index.name(e).to_owned());
            }
        }
        match &self.pending_type {
            Some(TypeRef::Name(n)) => Some(n.clone()),
            _ => None,
        }
    }

    /// The type id under the keyboard cursor.
    pub fn cursor_id(&self) -> Option<u32> {
        let index = self.index()?;
        let hits = &self.search.hits;
        if let Some(id) = hits.id {
            return (self.search.cursor == 0).then_some(id);
        }
        let entry = *hits.rows.get(self.search.cursor)?;
        Some(index.id(entry as usize))
    }

    /// Number of rows the list shows (an id row first when the query names an id).
    pub fn row_count(&self) -> usize {
        self.search.hits.rows.len() + usize::from(self.search.hits.id.is_some())
    }

    fn research(&mut self) {
        let Some(index) = self.index().cloned() else {
            return;
        };
        let previous = Some(&*self.search.hits);
        let hits = index.search(&self.search.query, self.search.filter, previous);
        self.search.hits = Shared::new(hits);
        self.search.cursor = 0;
    }

    /// Resolves a waiting type name with the new index; `false` if the kernel has no such
    /// type (a whole kernel; a module's index holds only its own types, and the name may
    /// well be in its base).
    fn resolve_pending(&mut self) -> bool {
        let (Some(TypeRef::Name(n)), Some(k)) = (&self.pending_type, &self.kernel) else {
            return true;
        };
        let Some(index) = &k.index else {
            return true;
        };
        match index.resolve(n) {
            Some(id) => {
                self.selected = Some(id);
                self.pending_type = None;
                true
            }
            None => k.summary.split.is_some(),
        }
    }
}

impl Workspace {
    pub(super) fn apply_kernel(&mut self, action: KernelAction) {
        let k = &mut self.kernel;
        match action {
            KernelAction::StartLoad { source, generation } => {
                k.generation = generation;
                k.loading = Some(Loading {
                    source,
                    phase: Phase::Fetching {
                        done: 0,
                        total: None,
                    },
                });
                self.error = None;
            }
            KernelAction::Progress {
                generation,
                done,
                total,
            } => {
                if let (true, Some(l)) = (generation == k.generation, &mut k.loading) {
                    l.phase = Phase::Fetching { done, total };
                }
            }
            KernelAction::Parsing { generation } => {
                if let (true, Some(l)) = (generation == k.generation, &mut k.loading) {
                    l.phase = Phase::Parsing;
                }
            }
            KernelAction::Loaded {
                generation,
                slot,
                summary,
                index,
                base_slot,
                timings,
            } => {
                if generation != k.generation {
                    return;
                }
                let Some(loading) = k.loading.take() else {
                    return;
                };
                // A new kernel: what was selected for the old one holds by name (or the URL's
                // type, or an id when the old kernel had no index to name it with).
                let wanted = k.pending_type.take().or_else(|| {
                    let id = k.selected?;
                    Some(type_ref(k.kernel.as_ref(), id))
                });
                k.kernel = Some(Kernel {
                    slot,
                    base_slot,
                    source: loading.source,
                    summary,
                    index,
                    timings,
                });
                k.selected = None;
                k.listing.scroll = None;
                k.listing.jump = None;
                k.search.hits = Shared::default();
                match wanted {
                    Some(TypeRef::Id(id)) => k.selected = Some(id),
                    Some(name) => k.pending_type = Some(name),
                    None => {}
                }
                self.header.position.scroll = None;
                self.after_index();
                // The view stays: switching kernels on the summary keeps the summary.
                if let (View::Listing, Some(line)) = (self.view, self.kernel.listing.line) {
                    self.kernel.listing.go_to(line);
                }
            }
            KernelAction::IndexArrived { slot, index } => {
                match &mut k.kernel {
                    Some(kernel) if kernel.slot == slot => kernel.index = Some(index),
                    _ => return,
                }
                self.after_index();
            }
            KernelAction::LoadFailed {
                generation,
                message,
            } => {
                if generation == k.generation {
                    k.loading = None;
                    self.error = Some(message);
                }
            }
            KernelAction::SetQuery(q) => {
                k.search.query = q;
                k.research();
            }
            KernelAction::SetFilter(f) => {
                k.search.filter = f;
                k.research();
            }
            KernelAction::MoveCursor(delta) => {
                let n = k.row_count();
                if n > 0 {
                    let c = k.search.cursor as isize + delta;
                    k.search.cursor = c.clamp(0, n as isize - 1) as usize;
                }
            }
            KernelAction::OpenCursor => {
                if let Some(id) = k.cursor_id() {
                    self.select(id);
                    self.show_view(View::Types);
                }
            }
            KernelAction::Select(id) => self.select(id),
            KernelAction::ShowInListing(id) => {
                k.selected = Some(id);
                k.pending_type = None;
                k.listing.jump = Some(id);
                self.show_view(View::Listing);
            }
            KernelAction::ListingGoToLine(line) => {
                k.listing.go_to(line);
                self.show_view(View::Listing);
            }
            KernelAction::ListingJumped(line) => {
                k.listing.jump = None;
                match line {
                    Some(line) => k.listing.go_to(line),
                    // Not in this listing: its detail instead.
                    None => self.show_view(View::Types),
                }
            }
            KernelAction::ListingScrolled(line) => k.listing.line = Some(line),
            KernelAction::SetCompareKernels(ks) => k.compare = ks,
            KernelAction::CompareType(name) => {
                match k.index().and_then(|i| i.resolve(&name)) {
                    Some(id) => {
                        k.selected = Some(id);
                        k.pending_type = None;
                    }
                    None => {
                        k.selected = None;
                        k.pending_type = Some(TypeRef::Name(name));
                    }
                }
                self.show_view(View::Compare);
            }
        }
    }

    /// What a kernel's index makes possible: the search, and a type waiting for its name.
    fn after_index(&mut self) {
        let k = &mut self.kernel;
        k.research();
        if !k.resolve_pending() {
            if let (Some(TypeRef::Name(n)), Some(kernel)) = (k.pending_type.take(), &k.kernel) {
                self.error = Some(format!("{}: no type named {n}", kernel.source.label()));
            }
        }
    }
}
