//! Loading kernels and objects: bundled ones (through the [`KernelCache`]) and the user's
//! files, each under a new generation that is also its worker slot; then the worker is told
//! which slots are still in use. [`Loader`] is a context, so any view can pick a kernel or
//! open a view a URL describes.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::browser;
use crate::dto::catalog::CatalogListing;
use crate::engine::Engine;
use crate::kernels::{KernelCache, LoadProgress, Quiet};
use crate::samples;
use crate::search::TypeIndex;
use crate::shared::Shared;
use crate::state::{Action, KernelAction, LoadTimings, ObjectAction, Source, Workspace};
use crate::url::UrlState;

/// Starts loads (a context for every view).
#[derive(Clone)]
pub struct Loader {
    engine: Rc<Result<Engine, String>>,
    cache: Rc<KernelCache>,
    next_slot: Rc<Cell<u32>>,
    /// The latest state (what the worker may forget, what a URL changes).
    latest: Rc<RefCell<Option<UseReducerHandle<Workspace>>>>,
    dispatch: UseReducerDispatcher<Workspace>,
}

impl std::fmt::Debug for Loader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loader")
            .field("next_slot", &self.next_slot.get())
            .finish()
    }
}

impl PartialEq for Loader {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.cache, &other.cache)
    }
}

/// Reports a kernel load's progress as actions, at most every [`PROGRESS_MS`]: each report
/// renders the page, and a bundled kernel arrives in dozens of chunks.
struct Progress {
    dispatch: UseReducerDispatcher<Workspace>,
    generation: u32,
    /// When the last report was made.
    last: Cell<f64>,
}

/// Milliseconds between two progress reports.
const PROGRESS_MS: f64 = 100.0;

impl LoadProgress for Progress {
    fn fetched(&self, done: u64, total: Option<u64>) {
        let now = browser::now_ms();
        if now - self.last.get() < PROGRESS_MS {
            return;
        }
        self.last.set(now);
        self.dispatch
            .dispatch(Action::Kernel(KernelAction::Progress {
                generation: self.generation,
                done,
                total,
            }));
    }
    fn parsing(&self) {
        self.dispatch
            .dispatch(Action::Kernel(KernelAction::Parsing {
                generation: self.generation,
            }));
    }
}

impl Loader {
    /// The loader of the app: `first_slot` is the last generation the initial state used.
    pub fn new(
        engine: Rc<Result<Engine, String>>,
        latest: Rc<RefCell<Option<UseReducerHandle<Workspace>>>>,
        dispatch: UseReducerDispatcher<Workspace>,
        first_slot: u32,
    ) -> Loader {
        Loader {
            engine,
            cache: Rc::default(),
            next_slot: Rc::new(Cell::new(first_slot)),
            latest,
            dispatch,
        }
    }

    fn slot(&self) -> u32 {
        let s = self.next_slot.get() + 1;
        self.next_slot.set(s);
        s
    }

    /// The engine (or why it did not start).
    pub(crate) fn engine(&self) -> Result<&Engine, String> {
        self.engine.as_ref().as_ref().map_err(Clone::clone)
    }

    /// The kernel catalogue's builds (its head fetched and opened the first time).
    pub async fn catalog(&self) -> Result<Shared<CatalogListing>, String> {
        self.cache.catalog.listing(self.engine()?).await
    }

    /// Hands the where-index shards `wanted` to the engine (fetching them the first time).
    pub async fn catalog_shards(&self, wanted: &[u32]) -> Result<(), String> {
        self.cache.catalog.shards(self.engine()?, wanted).await
    }

    /// Loads bundled kernel `id` (or catalogue build `@BUILD`) as the active kernel.
    pub fn pick_kernel(&self, id: String) {
        let g = self.slot();
        self.load_kernel(g, Source::Bundled(id), None);
    }

    /// Loads a user's file as the active kernel (as a module's split BTF over the active
    /// kernel, if it is one).
    pub fn upload_kernel(&self, file: web_sys::File) {
        let g = self.slot();
        self.load_kernel(g, Source::Upload(file.name()), Some(file));
    }

    /// Loads bundled sample `id` as the object.
    pub fn pick_sample(&self, id: String) {
        let g = self.slot();
        self.load_object(g, Source::Bundled(id), None);
    }

    /// Loads a user's file as the object.
    pub fn upload_object(&self, file: web_sys::File) {
        let g = self.slot();
        self.load_object(g, Source::Upload(file.name()), Some(file));
    }

    /// Opens the view `url` describes: loads what it names that is not loaded, then applies
    /// it.
    pub fn navigate(&self, url: UrlState) {
        let current = self.latest.borrow().as_ref().map(|s| s.url());
        let (kernel, object) = current.map(|c| (c.kernel, c.object)).unwrap_or_default();
        if let Some(k) = url.kernel.clone().filter(|k| Some(k) != kernel.as_ref()) {
            self.pick_kernel(k);
        }
        if let Some(o) = url.object.clone().filter(|o| Some(o) != object.as_ref()) {
            self.pick_sample(o);
        }
        self.dispatch.dispatch(Action::ApplyUrl(Box::new(url)));
    }

    /// Starts the loads the initial state began (generation 1: a kernel, 2: an object).
    pub fn resume(&self, state: &Workspace) {
        if let Some(l) = &state.kernel.loading {
            self.load_kernel(1, l.source.clone(), None);
        }
        if let Some(l) = &state.object.loading {
            self.load_object(2, l.source.clone(), None);
        }
    }

    /// The slots of bundled kernels `ids`, loading the ones the worker does not hold yet.
    pub async fn kernel_slots(&self, ids: &[String]) -> Result<Vec<u32>, String> {
        let engine = self.engine()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let e = self
                .cache
                .load(engine, id, || self.slot(), Rc::new(Quiet))
                .await?;
            out.push(e.slot);
        }
        self.keep().await;
        Ok(out)
    }

    /// Tells the worker which kernels and objects are still in use: the cache's, the active
    /// kernel (and its base), the object, and loads in flight.
    async fn keep(&self) {
        let Ok(engine) = self.engine() else { return };
        // Duplicates are harmless: the worker keeps what the list contains.
        let mut slots: Vec<u32> = self.cache.slots();
        if let Some(s) = self.latest.borrow().as_ref() {
            let k = &s.kernel;
            slots.extend(k.kernel.as_ref().map(|k| k.slot));
            slots.extend(k.kernel.as_ref().and_then(|k| k.base_slot));
            slots.extend(s.object.slot());
            slots.extend(s.object.loading.as_ref().map(|l| l.generation));
            if k.loading.is_some() {
                slots.push(k.generation);
            }
        }
        engine.keep(slots).await;
    }

    fn load_kernel(&self, generation: u32, source: Source, file: Option<web_sys::File>) {
        let dispatch = self.dispatch.clone();
        dispatch.dispatch(Action::Kernel(KernelAction::StartLoad {
            source: source.clone(),
            generation,
        }));
        let (layer_over, base) = self
            .latest
            .borrow()
            .as_ref()
            .map(|s| (s.kernel.layer_over(), s.kernel.base_for_split()))
            .unwrap_or_default();
        let this = self.clone();
        spawn_local(async move {
            let loaded = match (&source, file) {
                (Source::Bundled(id), _) => this.bundled_kernel(id, generation).await,
                (Source::Upload(_), Some(f)) => this.upload(generation, f, layer_over, base).await,
                (Source::Upload(name), None) => Err(format!("{name}: no file")),
            };
            let (slot, index_of) = match loaded {
                Ok((action, index_of)) => {
                    let slot = match &action {
                        KernelAction::Loaded { slot, .. } => *slot,
                        _ => generation,
                    };
                    dispatch.dispatch(Action::Kernel(action));
                    (slot, index_of)
                }
                Err(message) => {
                    return dispatch.dispatch(Action::Kernel(KernelAction::LoadFailed {
                        generation,
                        message,
                    }))
                }
            };
            this.keep().await;
            // The summary is on screen; now the type index, for search and names.
            let index = match (&source, index_of) {
                (_, IndexOf::Known) => return,
                (Source::Bundled(id), _) => match this.engine() {
                    Ok(e) => this.cache.index(e, id).await,
                    Err(e) => Err(e),
                },
                (Source::Upload(_), _) => match this.engine() {
                    Ok(e) => e
                        .type_index(slot)
                        .await
                        .map(|d| Shared::new(TypeIndex::new(d))),
                    Err(e) => Err(e),
                },
            };
            match index {
                Ok(index) => {
                    dispatch.dispatch(Action::Kernel(KernelAction::IndexArrived { slot, index }))
                }
                Err(e) => dispatch.dispatch(Action::Failed(e)),
            }
        });
    }

    /// A bundled kernel through the cache (at once if it is already in the worker).
    async fn bundled_kernel(
        &self,
        id: &str,
        generation: u32,
    ) -> Result<(KernelAction, IndexOf), String> {
        let engine = self.engine()?;
        let progress = Rc::new(Progress {
            dispatch: self.dispatch.clone(),
            generation,
            // The first report waits too: a quick load shows no progress at all.
            last: Cell::new(browser::now_ms()),
        });
        let started = browser::now_ms();
        let e = self.cache.load(engine, id, || generation, progress).await?;
        // Picked again: the time is this pick's, not the first load's.
        let timings = if e.slot == generation {
            e.timings
        } else {
            LoadTimings {
                total_ms: browser::now_ms() - started,
                ..LoadTimings::default()
            }
        };
        let known = if e.index.is_some() {
            IndexOf::Known
        } else {
            IndexOf::ToAsk
        };
        Ok((
            KernelAction::Loaded {
                generation,
                slot: e.slot,
                summary: e.summary,
                index: e.index,
                base_slot: None,
                timings,
            },
            known,
        ))
    }

    /// A user's file, layered over `layer_over` if it needs a base (split BTF over the
    /// kernel in `base`).
    async fn upload(
        &self,
        generation: u32,
        file: web_sys::File,
        layer_over: Option<u32>,
        base: Option<u32>,
    ) -> Result<(KernelAction, IndexOf), String> {
        let engine = self.engine()?;
        let started = browser::now_ms();
        let bytes = browser::read_file(&file).await?;
        let fetched = browser::now_ms();
        self.dispatch
            .dispatch(Action::Kernel(KernelAction::Parsing { generation }));
        let report = engine
            .load(generation, &file.name(), bytes, layer_over, Vec::new())
            .await?;
        let base_slot = base.filter(|_| report.summary.split.is_some());
        Ok((
            KernelAction::Loaded {
                generation,
                slot: generation,
                summary: Shared::new(report.summary),
                index: None,
                base_slot,
                timings: LoadTimings {
                    fetch_ms: fetched - started,
                    parse_ms: report.parse_ms,
                    total_ms: browser::now_ms() - started,
                },
            },
            IndexOf::ToAsk,
        ))
    }

    fn load_object(&self, generation: u32, source: Source, file: Option<web_sys::File>) {
        let dispatch = self.dispatch.clone();
        dispatch.dispatch(Action::Object(ObjectAction::Start {
            source: source.clone(),
            generation,
        }));
        let this = self.clone();
        spawn_local(async move {
            let fail = |message: String| {
                Action::Object(ObjectAction::Failed {
                    generation,
                    message,
                })
            };
            let engine = match this.engine() {
                Ok(e) => e,
                Err(e) => return dispatch.dispatch(fail(e)),
            };
            let (label, bytes) = match (&source, &file) {
                (Source::Bundled(id), _) => match samples::find(id) {
                    Some(s) => (
                        s.file_name(),
                        browser::fetch_bytes(&s.object_url(), Rc::new(|_, _| {}), false).await,
                    ),
                    None => return dispatch.dispatch(fail(format!("no sample named {id}"))),
                },
                (Source::Upload(name), Some(f)) => (name.clone(), browser::read_file(f).await),
                (Source::Upload(name), None) => (name.clone(), Err(format!("{name}: no file"))),
            };
            let result = match bytes {
                Ok(b) => engine.load_object(generation, &label, b).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(summary) => {
                    dispatch.dispatch(Action::Object(ObjectAction::Loaded {
                        generation,
                        summary: Shared::new(summary),
                    }));
                    this.keep().await;
                }
                Err(e) => dispatch.dispatch(fail(e)),
            }
        });
    }
}

/// Whether a loaded kernel's type index came with it.
enum IndexOf {
    Known,
    ToAsk,
}

/// The slots of bundled kernels `ids`, once loaded (`None` while loading), for views over
/// several kernels (the matrix, the comparison).
#[hook]
pub fn use_kernel_slots(ids: Vec<String>) -> Option<Result<Vec<u32>, String>> {
    let loader = use_context::<Loader>().expect("use_kernel_slots needs a Loader");
    let got = use_state(|| None::<(Vec<String>, Result<Vec<u32>, String>)>);
    {
        let got = got.clone();
        use_effect_with(ids.clone(), move |ids| {
            let ids = ids.clone();
            spawn_local(async move {
                let r = loader.kernel_slots(&ids).await;
                got.set(Some((ids, r)));
            });
        });
    }
    match &*got {
        Some((for_ids, r)) if *for_ids == ids => Some(r.clone()),
        _ => None,
    }
}
