//! The app's state and every way it changes: one [`Workspace`] reduced by [`Action`]s.
//!
//! Pure: no browser, no engine, no clock. Effects (fetching, asking the worker, writing the
//! URL) live in `app.rs` and report back with actions. Every load gets a new generation
//! number, which is also the engine slot the kernel is kept in; replies carry it, so a reply
//! about a kernel that has since been replaced is dropped.

use crate::document::Document;
use crate::dto::compare::CompareTable;
use crate::dto::guard::{GuardReport, WhatIf};
use crate::dto::matrix::MatrixTable;
use crate::dto::object::ObjectSummary;
use crate::dto::reloc::{RelocExplanation, RelocTable};
use crate::dto::{KernelSummary, TypeDetail};
use crate::search::{Hits, KindFilter, TypeIndex};
use crate::shared::Shared;
use crate::url::{Area, Embed, HeaderProfile, TypeRef, UrlState, View};

/// Where a loaded kernel came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A bundled kernel, by id.
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
}

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

/// The loaded kernel and what was derived from it on arrival.
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
    /// Named types, for search.
    pub index: Shared<TypeIndex>,
    /// Where the load's time went.
    pub timings: LoadTimings,
}

/// Where a load's time went, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LoadTimings {
    /// Fetching or reading the file.
    pub fetch_ms: f64,
    /// Unpacking, parsing and summarising, in the engine.
    pub parse_ms: f64,
    /// Building the type index, in the engine.
    pub index_ms: f64,
    /// From the pick to the state update (fetch, transfers, parse, index, search setup).
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

/// A request to scroll the listing: the line, and a counter so that asking for the same
/// line twice scrolls twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScrollTarget {
    /// 0-based line.
    pub line: usize,
    /// Bumped on every request.
    pub nonce: u32,
}

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

/// A result computed by the engine for a key (the inputs it was computed from); a view
/// shows it only while its key is the one the state currently wants.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched<K, T> {
    /// The inputs.
    pub key: K,
    /// The result, or why there is none.
    pub value: Result<Shared<T>, String>,
}

/// The inputs of a relocation table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RelocKey {
    /// Object slot.
    pub object: u32,
    /// Kernel slot.
    pub kernel: u32,
    /// What-if settings.
    pub whatif: WhatIf,
}

/// The inputs of one relocation's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExplainKey {
    /// The table's inputs.
    pub reloc: RelocKey,
    /// The record.
    pub idx: u32,
}

/// The inputs of a guard run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GuardKey {
    /// Object slot.
    pub object: u32,
    /// Kernel slot.
    pub kernel: u32,
    /// What-if settings.
    pub whatif: WhatIf,
    /// The program asked for (`None`: the first).
    pub prog: Option<String>,
}

/// The inputs of a matrix: every bundled kernel, plus the active kernel when it is an upload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MatrixKey {
    /// Object slot.
    pub object: u32,
    /// An uploaded kernel's slot and label, as an extra column.
    pub upload: Option<(u32, String)>,
    /// What-if settings (release and overrides; hiding does not apply).
    pub whatif: WhatIf,
}

/// The inputs of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompareKey {
    /// The struct or union.
    pub name: String,
    /// Bundled kernel ids, in column order.
    pub kernels: Vec<String>,
}

/// The inputs of a generated header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HeaderKey {
    /// Kernel slot.
    pub slot: u32,
    /// The bpftool build imitated.
    pub profile: HeaderProfile,
    /// Only these types and what they need (empty: the whole kernel).
    pub roots: Vec<String>,
    /// With roots: also the typedefs `bpf_helpers.h` needs.
    pub helpers: bool,
}

/// A generated header, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedHeader {
    /// The text, its type links and each type's definition line.
    pub document: Shared<Document>,
    /// libbpf's stderr lines (`libbpf: …`).
    pub warnings: Vec<String>,
    /// Time spent generating it in the engine worker, in ms.
    pub engine_ms: f64,
    /// From asking to having it on this side (generation, transfer, indexing), in ms.
    pub total_ms: f64,
}

/// The inputs of a struct's layout.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LayoutKey {
    /// Kernel slot.
    pub slot: u32,
    /// The struct or union.
    pub id: u32,
}

/// The header view's settings and position.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeaderState {
    /// The bpftool build imitated.
    pub profile: HeaderProfile,
    /// Only these types and what they need (empty: the whole kernel).
    pub roots: Vec<String>,
    /// With roots: also the typedefs `bpf_helpers.h` needs.
    pub helpers: bool,
    /// Where the viewer should scroll.
    pub scroll: Option<ScrollTarget>,
    /// The line last scrolled to (0-based), kept for the URL.
    pub line: Option<usize>,
    /// The last header generated (kept while its inputs are still the wanted ones, so
    /// switching views does not generate it again).
    pub fetched: Option<Fetched<HeaderKey, GeneratedHeader>>,
}

/// The whole app state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workspace {
    /// Bumped on every load; replies tagged with an older one are stale.
    pub generation: u32,
    /// The active kernel.
    pub kernel: Option<Kernel>,
    /// A load in progress.
    pub loading: Option<Loading>,
    /// The last error, shown until dismissed or the next load.
    pub error: Option<String>,
    /// The main view.
    pub view: View,
    /// The type list.
    pub search: Search,
    /// The selected type.
    pub selected: Option<u32>,
    /// Its detail, once the engine sent it.
    pub detail: Option<Shared<TypeDetail>>,
    /// The raw listing of the active kernel, once built.
    pub listing: Option<Shared<Document>>,
    /// Where the listing should scroll to.
    pub scroll: Option<ScrollTarget>,
    /// The listing line last scrolled to (0-based), kept for the URL.
    pub line: Option<usize>,
    /// A type named by the URL, waiting for the index of its kernel.
    pub pending_type: Option<TypeRef>,
    /// Embed mode.
    pub embed: Option<Embed>,
    /// The loaded BPF object.
    pub object: Option<ObjectState>,
    /// An object load in progress.
    pub object_loading: Option<ObjectLoading>,
    /// The program shown in the Guarding area (`None`: the first).
    pub prog: Option<String>,
    /// The relocation row expanded.
    pub relo: Option<u32>,
    /// What-if settings for relocation and guarding.
    pub whatif: WhatIf,
    /// Kernels to compare across (empty: every bundled kernel).
    pub compare_kernels: Vec<String>,
    /// The Tour step shown.
    pub tour: Option<usize>,
    /// The last view of each area (switching back returns to it).
    pub area_views: [Option<View>; 3],
    /// The relocation table.
    pub reloc: Option<Fetched<RelocKey, RelocTable>>,
    /// The expanded row's explanation.
    pub explanation: Option<Fetched<ExplainKey, RelocExplanation>>,
    /// The guard run.
    pub guard: Option<Fetched<GuardKey, GuardReport>>,
    /// The matrix.
    pub matrix: Option<Fetched<MatrixKey, MatrixTable>>,
    /// The comparison.
    pub compare: Option<Fetched<CompareKey, CompareTable>>,
    /// The generated header view.
    pub header: HeaderState,
    /// The selected struct's layout.
    pub layout: Option<Fetched<LayoutKey, String>>,
}

/// Everything that changes the state.
#[derive(Debug, Clone)]
pub enum Action {
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
        /// Its type index.
        index: Shared<TypeIndex>,
        /// For split BTF, the slot of its base kernel.
        base_slot: Option<u32>,
        /// Where the time went.
        timings: LoadTimings,
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
    /// The engine sent a type's detail.
    DetailArrived {
        /// The kernel it is about.
        slot: u32,
        /// The detail.
        detail: Shared<TypeDetail>,
    },
    /// Switch the main view.
    ShowView(View),
    /// The engine sent the raw listing.
    ListingArrived {
        /// The kernel it is about.
        slot: u32,
        /// The listing.
        document: Shared<Document>,
    },
    /// Scroll the listing to a 0-based line.
    GoToLine(usize),
    /// Scroll the listing to a type's definition.
    GoToType(u32),
    /// The listing was scrolled by the user to this top line.
    Scrolled(usize),
    /// The URL changed under us (back/forward).
    ApplyUrl(UrlState),
    /// Something failed outside a load (a request to the engine).
    Failed(String),
    /// Switch to an area (its last view).
    ShowArea(Area),
    /// An object load starts.
    StartObject {
        /// What is loaded.
        source: Source,
        /// Its generation (and engine slot).
        generation: u32,
    },
    /// The engine parsed the object.
    ObjectLoaded {
        /// The load this is about.
        generation: u32,
        /// What it holds.
        summary: Shared<ObjectSummary>,
    },
    /// The object load failed.
    ObjectFailed {
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
    /// Kernels to compare across.
    SetCompareKernels(Vec<String>),
    /// Compare this type (by name) across kernels.
    CompareType(String),
    /// Open the Tour at a step, or close it.
    Tour(Option<usize>),
    /// The engine computed a relocation table.
    RelocArrived(Fetched<RelocKey, RelocTable>),
    /// The engine explained a relocation.
    ExplanationArrived(Fetched<ExplainKey, RelocExplanation>),
    /// The engine ran the guard simulation.
    GuardArrived(Fetched<GuardKey, GuardReport>),
    /// The engine built the matrix.
    MatrixArrived(Fetched<MatrixKey, MatrixTable>),
    /// The engine compared a type.
    CompareArrived(Fetched<CompareKey, CompareTable>),
    /// Generate the header with this profile.
    SetHeaderProfile(HeaderProfile),
    /// Generate the header for these roots (empty: the whole kernel), with or without the
    /// `bpf_helpers.h` typedefs.
    SetHeaderRoots {
        /// The roots.
        roots: Vec<String>,
        /// With the typedefs.
        helpers: bool,
    },
    /// The engine generated a header.
    HeaderArrived(Fetched<HeaderKey, GeneratedHeader>),
    /// Show the header at a 0-based line.
    HeaderGoToLine(usize),
    /// Show the header at a type's definition (once the header is there).
    HeaderGoToType(u32),
    /// The header was scrolled by the user to this top line.
    HeaderScrolled(usize),
    /// The engine sent a struct's layout.
    LayoutArrived(Fetched<LayoutKey, String>),
    /// Hide the error.
    DismissError,
}

impl Workspace {
    /// The state a URL describes before anything is loaded.
    pub fn from_url(url: &UrlState) -> Workspace {
        let mut w = Workspace {
            view: url.view,
            embed: url.embed,
            pending_type: url.ty.clone(),
            line: url.line.map(|l| l as usize - 1),
            prog: url.prog.clone(),
            relo: url.relo,
            whatif: url.whatif.clone(),
            compare_kernels: url.compare.clone(),
            tour: url.tour,
            header: HeaderState {
                profile: url.profile,
                roots: url.roots.clone(),
                helpers: url.helpers,
                line: match url.view {
                    View::Header => url.line.map(|l| l as usize - 1),
                    _ => None,
                },
                ..HeaderState::default()
            },
            ..Workspace::default()
        };
        if url.view == View::Header {
            w.line = None;
        }
        w.search.query = url.query.clone();
        w.search.filter = url.filter;
        w
    }

    /// The URL that describes this state.
    pub fn url(&self) -> UrlState {
        let kernel = match &self.kernel {
            Some(Kernel {
                source: Source::Bundled(id),
                ..
            }) => Some(id.clone()),
            _ => match &self.loading {
                Some(Loading {
                    source: Source::Bundled(id),
                    ..
                }) => Some(id.clone()),
                _ => None,
            },
        };
        let ty = match (self.selected, &self.kernel) {
            (Some(id), Some(k)) => Some(type_ref(&k.index, id)),
            _ => self.pending_type.clone(),
        };
        let object = match (&self.object, &self.object_loading) {
            (
                _,
                Some(ObjectLoading {
                    source: Source::Bundled(id),
                    ..
                }),
            ) => Some(id.clone()),
            (
                Some(ObjectState {
                    source: Source::Bundled(id),
                    ..
                }),
                None,
            ) => Some(id.clone()),
            _ => None,
        };
        UrlState {
            kernel,
            ty,
            view: self.view,
            query: self.search.query.clone(),
            filter: self.search.filter,
            line: match self.view {
                View::Listing => self.line.map(|l| l as u32 + 1),
                View::Header => self.header.line.map(|l| l as u32 + 1),
                _ => None,
            },
            embed: self.embed,
            object,
            prog: self.prog.clone(),
            relo: self.relo,
            whatif: self.whatif.clone(),
            compare: self.compare_kernels.clone(),
            tour: self.tour,
            profile: self.header.profile,
            roots: self.header.roots.clone(),
            helpers: self.header.helpers,
        }
    }

    /// The inputs of the header for the active kernel and the current settings.
    pub fn header_key(&self) -> Option<HeaderKey> {
        Some(HeaderKey {
            slot: self.kernel_slot()?,
            profile: self.header.profile,
            roots: self.header.roots.clone(),
            helpers: self.header.helpers && !self.header.roots.is_empty(),
        })
    }

    /// The header to show: the last one generated, if it is for the current inputs.
    pub fn header_shown(&self) -> Option<&Fetched<HeaderKey, GeneratedHeader>> {
        let f = self.header.fetched.as_ref()?;
        (Some(&f.key) == self.header_key().as_ref()).then_some(f)
    }

    /// The header the view needs and does not have, if any.
    pub fn header_wanted(&self) -> Option<HeaderKey> {
        (self.effective_view() == View::Header && self.header_shown().is_none()).then_some(())?;
        self.header_key()
    }

    /// The layout the view needs, if any.
    pub fn layout_wanted(&self) -> Option<LayoutKey> {
        (self.effective_view() == View::Layout).then_some(())?;
        Some(LayoutKey {
            slot: self.kernel_slot()?,
            id: self.selected?,
        })
    }

    /// The line the header view should show: a type jumped to, else the line it was at.
    fn header_target(&self, doc: &Document) -> Option<usize> {
        match self.header.line {
            Some(l) => Some(l),
            None => self.selected.and_then(|id| doc.anchor(id)),
        }
    }

    /// The view the engine computes for: the embed's, else the main view.
    pub fn effective_view(&self) -> View {
        self.embed.map_or(self.view, Embed::view)
    }

    /// The engine slot of the loaded object.
    pub fn object_slot(&self) -> Option<u32> {
        self.object.as_ref().map(|o| o.slot)
    }

    /// The relocation table the view needs, if any.
    pub fn reloc_wanted(&self) -> Option<RelocKey> {
        (self.effective_view() == View::Relocs).then_some(())?;
        Some(RelocKey {
            object: self.object_slot()?,
            kernel: self.kernel_slot()?,
            whatif: self.whatif.clone(),
        })
    }

    /// The explanation the view needs, if any.
    pub fn explain_wanted(&self) -> Option<ExplainKey> {
        Some(ExplainKey {
            idx: self.relo?,
            reloc: self.reloc_wanted()?,
        })
    }

    /// The guard run the view needs, if any.
    pub fn guard_wanted(&self) -> Option<GuardKey> {
        matches!(self.effective_view(), View::Flow | View::Graph).then_some(())?;
        Some(GuardKey {
            object: self.object_slot()?,
            kernel: self.kernel_slot()?,
            whatif: self.whatif.clone(),
            prog: self.prog.clone(),
        })
    }

    /// The matrix the view needs, if any.
    pub fn matrix_wanted(&self) -> Option<MatrixKey> {
        (self.effective_view() == View::Matrix).then_some(())?;
        let upload = match &self.kernel {
            Some(Kernel {
                slot,
                source: Source::Upload(name),
                ..
            }) => Some((*slot, name.clone())),
            _ => None,
        };
        Some(MatrixKey {
            object: self.object_slot()?,
            upload,
            whatif: WhatIf {
                hide: Vec::new(),
                ..self.whatif.clone()
            },
        })
    }

    /// The type the Compare view is about: the selected type's name, or the one the URL
    /// names.
    pub fn compare_name(&self) -> Option<String> {
        if let (Some(id), Some(k)) = (self.selected, &self.kernel) {
            if let Some(e) = k.index.entry_of(id) {
                return Some(k.index.name(e).to_owned());
            }
        }
        match &self.pending_type {
            Some(TypeRef::Name(n)) => Some(n.clone()),
            _ => None,
        }
    }

    /// The comparison the view needs, if any.
    pub fn compare_wanted(&self) -> Option<CompareKey> {
        (self.effective_view() == View::Compare).then_some(())?;
        let kernels = if self.compare_kernels.is_empty() {
            crate::bundled::KERNELS
                .iter()
                .map(|k| k.id.to_owned())
                .collect()
        } else {
            self.compare_kernels.clone()
        };
        Some(CompareKey {
            name: self.compare_name()?,
            kernels,
        })
    }

    /// The kernel a newly opened module's split BTF would be layered over: the active
    /// kernel, or its base when it is itself a module.
    pub fn base_for_split(&self) -> Option<u32> {
        self.kernel.as_ref().map(|k| k.base_slot.unwrap_or(k.slot))
    }

    /// The engine slot of the active kernel.
    pub fn kernel_slot(&self) -> Option<u32> {
        self.kernel.as_ref().map(|k| k.slot)
    }

    /// The type id under the keyboard cursor.
    pub fn cursor_id(&self) -> Option<u32> {
        let k = self.kernel.as_ref()?;
        let hits = &self.search.hits;
        if let Some(id) = hits.id {
            return (self.search.cursor == 0).then_some(id);
        }
        let entry = *hits.rows.get(self.search.cursor)?;
        Some(k.index.id(entry as usize))
    }

    /// Number of rows the list shows (an id row first when the query names an id).
    pub fn row_count(&self) -> usize {
        self.search.hits.rows.len() + usize::from(self.search.hits.id.is_some())
    }

    fn research(&mut self) {
        let Some(k) = &self.kernel else {
            return;
        };
        let previous = Some(&*self.search.hits);
        let hits = k
            .index
            .search(&self.search.query, self.search.filter, previous);
        self.search.hits = Shared::new(hits);
        self.search.cursor = 0;
    }

    fn select(&mut self, id: u32) {
        if self.selected != Some(id) {
            self.detail = None;
        }
        self.selected = Some(id);
        if self.view == View::Summary {
            self.view = View::Types;
        }
    }

    fn header_go_to_line(&mut self, line: usize) {
        let nonce = self.header.scroll.map_or(0, |s| s.nonce.wrapping_add(1));
        self.header.scroll = Some(ScrollTarget { line, nonce });
        self.header.line = Some(line);
        self.show_view(View::Header);
    }

    fn go_to_line(&mut self, line: usize) {
        let nonce = self.scroll.map_or(0, |s| s.nonce.wrapping_add(1));
        self.scroll = Some(ScrollTarget { line, nonce });
        self.line = Some(line);
        self.view = View::Listing;
    }

    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::StartLoad { source, generation } => {
                self.generation = generation;
                self.loading = Some(Loading {
                    source,
                    phase: Phase::Fetching {
                        done: 0,
                        total: None,
                    },
                });
                self.error = None;
            }
            Action::Progress {
                generation,
                done,
                total,
            } => {
                if let (true, Some(l)) = (generation == self.generation, &mut self.loading) {
                    l.phase = Phase::Fetching { done, total };
                }
            }
            Action::Parsing { generation } => {
                if let (true, Some(l)) = (generation == self.generation, &mut self.loading) {
                    l.phase = Phase::Parsing;
                }
            }
            Action::Loaded {
                generation,
                slot,
                summary,
                index,
                base_slot,
                timings,
            } => {
                if generation != self.generation {
                    return;
                }
                let Some(loading) = self.loading.take() else {
                    return;
                };
                // A new kernel: what was selected or built for the old one no longer holds,
                // except a type named by the URL or by name in the old kernel.
                let wanted = self.pending_type.take().or_else(|| {
                    let (id, k) = (self.selected?, self.kernel.as_ref()?);
                    Some(type_ref(&k.index, id))
                });
                let carried = match wanted {
                    Some(TypeRef::Id(id)) => Some(id),
                    Some(TypeRef::Name(n)) => {
                        let found = index.resolve(&n);
                        // A module's index holds only its own types; the name may well be
                        // in its base, so only a whole kernel can say it has no such type.
                        if found.is_none() && summary.split.is_none() {
                            self.error =
                                Some(format!("{}: no type named {n}", loading.source.label()));
                        }
                        found
                    }
                    None => None,
                };
                self.kernel = Some(Kernel {
                    slot,
                    base_slot,
                    source: loading.source,
                    summary,
                    index,
                    timings,
                });
                self.selected = None;
                self.detail = None;
                self.listing = None;
                self.scroll = None;
                self.header.fetched = None;
                self.header.scroll = None;
                self.layout = None;
                self.search.hits = Shared::default();
                self.research();
                // The view stays: switching kernels on the summary keeps the summary.
                self.selected = carried;
                if let (View::Listing, Some(line)) = (self.view, self.line) {
                    self.go_to_line(line);
                }
            }
            Action::LoadFailed {
                generation,
                message,
            } => {
                if generation == self.generation {
                    self.loading = None;
                    self.error = Some(message);
                }
            }
            Action::SetQuery(q) => {
                self.search.query = q;
                self.research();
            }
            Action::SetFilter(f) => {
                self.search.filter = f;
                self.research();
            }
            Action::MoveCursor(delta) => {
                let n = self.row_count();
                if n > 0 {
                    let c = self.search.cursor as isize + delta;
                    self.search.cursor = c.clamp(0, n as isize - 1) as usize;
                }
            }
            Action::OpenCursor => {
                if let Some(id) = self.cursor_id() {
                    self.select(id);
                    self.view = View::Types;
                }
            }
            Action::Select(id) => self.select(id),
            Action::DetailArrived { slot, detail } => {
                if self.kernel_slot() == Some(slot) && self.selected == Some(detail.id) {
                    self.detail = Some(detail);
                }
            }
            Action::ShowView(v) => self.show_view(v),
            Action::ListingArrived { slot, document } => {
                if self.kernel_slot() == Some(slot) {
                    self.listing = Some(document);
                }
            }
            Action::GoToLine(line) => self.go_to_line(line),
            Action::GoToType(id) => {
                match self.listing.as_ref().and_then(|d| d.anchor(id)) {
                    Some(line) => self.go_to_line(line),
                    // Not in this listing (a base type under a module's split BTF): show
                    // its detail instead.
                    None => self.view = View::Types,
                }
                self.selected = Some(id);
                if self.detail.as_ref().is_some_and(|d| d.id != id) {
                    self.detail = None;
                }
            }
            Action::Scrolled(line) => self.line = Some(line),
            Action::ApplyUrl(url) => {
                self.embed = url.embed;
                self.prog = url.prog.clone();
                self.relo = url.relo;
                self.whatif = url.whatif.clone();
                self.compare_kernels = url.compare.clone();
                self.tour = url.tour;
                self.header.profile = url.profile;
                self.header.roots = url.roots.clone();
                self.header.helpers = url.helpers;
                if url.query != self.search.query || url.filter != self.search.filter {
                    self.search.query = url.query;
                    self.search.filter = url.filter;
                    self.research();
                }
                let id = match (&url.ty, &self.kernel) {
                    (Some(TypeRef::Id(id)), _) => Some(*id),
                    (Some(TypeRef::Name(n)), Some(k)) => k.index.resolve(n),
                    _ => None,
                };
                match id {
                    Some(id) => self.select(id),
                    None => {
                        self.selected = None;
                        self.detail = None;
                        // Named but not here (yet): resolved when the next kernel is in.
                        self.pending_type = url.ty.clone();
                    }
                }
                self.show_view(url.view);
                match (url.view, url.line) {
                    (View::Listing, Some(l)) => self.go_to_line(l as usize - 1),
                    (View::Header, Some(l)) => self.header_go_to_line(l as usize - 1),
                    (View::Header, None) => {
                        self.header.line = None;
                        self.scroll_header_to_target();
                    }
                    _ => {}
                }
            }
            Action::Failed(message) => self.error = Some(message),
            Action::DismissError => self.error = None,
            Action::ShowArea(a) => {
                let v = self.area_views[area_index(a)].unwrap_or_else(|| a.first_view());
                self.show_view(v);
            }
            Action::StartObject { source, generation } => {
                self.object_loading = Some(ObjectLoading { source, generation });
                self.error = None;
            }
            Action::ObjectLoaded {
                generation,
                summary,
            } => {
                let Some(l) = self.object_loading.take_if(|l| l.generation == generation) else {
                    return;
                };
                // What named parts of the old object holds only if the new one has them.
                if let Some(p) = &self.prog {
                    if !summary.programs.iter().any(|q| &q.name == p && !q.subprog) {
                        self.prog = None;
                    }
                }
                if self.relo.is_some_and(|r| r >= summary.relocations) {
                    self.relo = None;
                }
                self.object = Some(ObjectState {
                    slot: generation,
                    source: l.source,
                    summary,
                });
            }
            Action::ObjectFailed {
                generation,
                message,
            } => {
                if self
                    .object_loading
                    .take_if(|l| l.generation == generation)
                    .is_some()
                {
                    self.error = Some(message);
                }
            }
            Action::SelectProgram(p) => self.prog = Some(p),
            Action::SelectRelo(r) => self.relo = r,
            Action::SetWhatIf(w) => self.whatif = w,
            Action::SetCompareKernels(k) => self.compare_kernels = k,
            Action::CompareType(name) => {
                let id = self.kernel.as_ref().and_then(|k| k.index.resolve(&name));
                match id {
                    Some(id) => self.select(id),
                    None => {
                        self.selected = None;
                        self.detail = None;
                        self.pending_type = Some(TypeRef::Name(name));
                    }
                }
                self.show_view(View::Compare);
            }
            Action::Tour(t) => self.tour = t,
            Action::RelocArrived(f) => {
                if self.reloc_wanted().as_ref() == Some(&f.key) {
                    self.reloc = Some(f);
                }
            }
            Action::ExplanationArrived(f) => {
                if self.explain_wanted().as_ref() == Some(&f.key) {
                    self.explanation = Some(f);
                }
            }
            Action::GuardArrived(f) => {
                if self.guard_wanted().as_ref() == Some(&f.key) {
                    self.guard = Some(f);
                }
            }
            Action::MatrixArrived(f) => {
                if self.matrix_wanted().as_ref() == Some(&f.key) {
                    self.matrix = Some(f);
                }
            }
            Action::CompareArrived(f) => {
                if self.compare_wanted().as_ref() == Some(&f.key) {
                    self.compare = Some(f);
                }
            }
            Action::SetHeaderProfile(p) => self.header.profile = p,
            Action::SetHeaderRoots { roots, helpers } => {
                if roots != self.header.roots {
                    // Another header: its lines are not the old one's.
                    self.header.line = None;
                }
                self.header.roots = roots;
                self.header.helpers = helpers;
            }
            Action::HeaderArrived(f) => {
                // Kept whatever the view: switching back finds it ready.
                if self.header_key().as_ref() == Some(&f.key) {
                    self.header.fetched = Some(f);
                    self.scroll_header_to_target();
                }
            }
            Action::HeaderGoToLine(line) => self.header_go_to_line(line),
            Action::HeaderGoToType(id) => {
                if self.selected != Some(id) {
                    self.detail = None;
                }
                self.selected = Some(id);
                self.show_view(View::Header);
                let shown = self.header_shown().and_then(|f| f.value.as_ref().ok());
                match shown.map(|h| h.document.anchor(id)) {
                    Some(Some(line)) => self.header_go_to_line(line),
                    Some(None) => {
                        let name = self.compare_name().unwrap_or_else(|| format!("[{id}]"));
                        self.error = Some(format!("{name} is not in this header"));
                    }
                    // Not generated yet: jump on arrival.
                    None => self.header.line = None,
                }
            }
            Action::HeaderScrolled(line) => self.header.line = Some(line),
            Action::LayoutArrived(f) => {
                if self.layout_wanted().as_ref() == Some(&f.key) {
                    self.layout = Some(f);
                }
            }
        }
    }

    /// Scrolls the header view (once the header is there) to where it should be.
    fn scroll_header_to_target(&mut self) {
        let Some(Ok(h)) = self.header_shown().map(|f| f.value.as_ref()) else {
            return;
        };
        if let Some(line) = self.header_target(&h.document.clone()) {
            let nonce = self.header.scroll.map_or(0, |s| s.nonce.wrapping_add(1));
            self.header.scroll = Some(ScrollTarget { line, nonce });
            self.header.line = Some(line);
        }
    }

    fn show_view(&mut self, v: View) {
        self.view = v;
        self.area_views[area_index(v.area())] = Some(v);
    }
}

fn area_index(a: Area) -> usize {
    match a {
        Area::Kernel => 0,
        Area::Object => 1,
        Area::Guarding => 2,
    }
}

/// How a URL names type `id`: by name when the name means it, else by id.
fn type_ref(index: &TypeIndex, id: u32) -> TypeRef {
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

#[cfg(test)]
mod tests;
