//! The App component: owns the state, the engine worker and the kernel cache, runs the
//! effects (loading kernels and objects, asking the engine for what the view needs, syncing
//! the URL), and lays out the areas.
//!
//! Every engine computation follows one pattern: the state says which inputs the view wants
//! (`Workspace::reloc_wanted` and friends); an effect keyed on those inputs asks the worker;
//! the reply comes back tagged with its inputs and is kept only if they are still wanted.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::browser;
use crate::bundled;
use crate::components::code_view::CodeView;
use crate::components::compare_view::CompareView;
use crate::components::embed_view::EmbedView;
use crate::components::error_banner::ErrorBanner;
use crate::components::guard_view::GuardView;
use crate::components::header_view::HeaderView;
use crate::components::layout_view::LayoutView;
use crate::components::listing_view::ListingView;
use crate::components::load_status::LoadStatus;
use crate::components::matrix_view::MatrixView;
use crate::components::object_welcome::ObjectWelcome;
use crate::components::reloc_view::RelocView;
use crate::components::summary_view::SummaryView;
use crate::components::topbar::Topbar;
use crate::components::tour_bar::TourBar;
use crate::components::type_detail::TypeDetailView;
use crate::components::type_list::TypeList;
use crate::components::welcome::Welcome;
use crate::document::Document;
use crate::engine::Engine;
use crate::kernels::{KernelCache, LoadProgress, Quiet};
use crate::samples;
use crate::search::TypeIndex;
use crate::shared::Shared;
use crate::state::{Action, Fetched, GeneratedHeader, HeaderKey, LoadTimings, Source, Workspace};
use crate::url::{Area, UrlState, View};

/// Where the worker script is, relative to the page.
const WORKER_URL: &str = "./worker.js";

/// The target kernel picked when an object view needs one and none is loaded.
pub const DEFAULT_TARGET: &str = "debian12-6.1.0-50-amd64";

/// The engine handle shared by the effects.
type EngineRef = Rc<Result<Engine, String>>;

/// What the async effects share: the engine, the kernel cache, the slot counter, and the
/// latest state (for deciding what the worker may forget).
#[derive(Clone)]
struct Ctx {
    engine: EngineRef,
    cache: Rc<KernelCache>,
    next_slot: Rc<Cell<u32>>,
    latest: Rc<RefCell<Option<UseReducerHandle<Workspace>>>>,
    dispatch: UseReducerDispatcher<Workspace>,
}

impl Ctx {
    fn slot(&self) -> u32 {
        let s = self.next_slot.get() + 1;
        self.next_slot.set(s);
        s
    }

    /// Tells the worker which kernels and objects are still in use: the cache's, the active
    /// kernel (and its base), the object, and loads in flight.
    async fn keep(&self) {
        let Ok(engine) = &*self.engine else { return };
        // Duplicates are harmless: the worker keeps what the list contains.
        let mut slots: Vec<u32> = self.cache.slots();
        if let Some(s) = self.latest.borrow().as_ref() {
            slots.extend(s.kernel.as_ref().map(|k| k.slot));
            slots.extend(s.kernel.as_ref().and_then(|k| k.base_slot));
            slots.extend(s.object_slot());
            slots.extend(s.object_loading.as_ref().map(|l| l.generation));
            if s.loading.is_some() {
                slots.push(s.generation);
            }
        }
        let keep = crate::protocol::Request::Keep { slots };
        let _ = engine.call(keep, Vec::new()).await;
    }
}

/// Reports a kernel load's progress as actions.
struct Progress {
    dispatch: UseReducerDispatcher<Workspace>,
    generation: u32,
}

impl LoadProgress for Progress {
    fn fetched(&self, done: u64, total: Option<u64>) {
        self.dispatch.dispatch(Action::Progress {
            generation: self.generation,
            done,
            total,
        });
    }
    fn parsing(&self) {
        self.dispatch.dispatch(Action::Parsing {
            generation: self.generation,
        });
    }
}

/// Starts loading a kernel as the active one: a bundled kernel through the cache (instant if
/// it is already in the worker), or an uploaded file (as split BTF over `base` if needed).
fn start_load(ctx: Ctx, source: Source, file: Option<web_sys::File>, base: Option<u32>) {
    let generation = ctx.slot();
    start_load_as(ctx, generation, source, file, base);
}

fn start_load_as(
    ctx: Ctx,
    generation: u32,
    source: Source,
    file: Option<web_sys::File>,
    base: Option<u32>,
) {
    let dispatch = ctx.dispatch.clone();
    dispatch.dispatch(Action::StartLoad {
        source: source.clone(),
        generation,
    });
    spawn_local(async move {
        let fail = |message: String| Action::LoadFailed {
            generation,
            message,
        };
        let engine = match &*ctx.engine {
            Ok(e) => e,
            Err(e) => return dispatch.dispatch(fail(e.clone())),
        };
        let loaded = match (&source, &file) {
            (Source::Bundled(id), _) => {
                let progress = Progress {
                    dispatch: dispatch.clone(),
                    generation,
                };
                let started = browser::now_ms();
                ctx.cache
                    .load(engine, id, || generation, true, &progress)
                    .await
                    .map(|e| {
                        // Picked again: the time is this pick's, not the first load's.
                        let timings = if e.slot == generation {
                            e.timings
                        } else {
                            LoadTimings {
                                total_ms: browser::now_ms() - started,
                                ..LoadTimings::default()
                            }
                        };
                        (
                            e.slot,
                            e.summary,
                            e.index.unwrap_or_default(),
                            None,
                            timings,
                        )
                    })
            }
            (Source::Upload(_), Some(f)) => upload(engine, &dispatch, generation, f, base).await,
            (Source::Upload(name), None) => Err(format!("{name}: no file")),
        };
        match loaded {
            Ok((slot, summary, index, base_slot, timings)) => {
                dispatch.dispatch(Action::Loaded {
                    generation,
                    slot,
                    summary,
                    index,
                    base_slot,
                    timings,
                });
                ctx.keep().await;
            }
            Err(e) => dispatch.dispatch(fail(e)),
        }
    });
}

type LoadedKernel = (
    u32,
    Shared<crate::dto::KernelSummary>,
    Shared<TypeIndex>,
    Option<u32>,
    LoadTimings,
);

async fn upload(
    engine: &Engine,
    dispatch: &UseReducerDispatcher<Workspace>,
    generation: u32,
    file: &web_sys::File,
    base: Option<u32>,
) -> Result<LoadedKernel, String> {
    let started = browser::now_ms();
    let bytes = browser::read_file(file).await?;
    let fetched = browser::now_ms();
    dispatch.dispatch(Action::Parsing { generation });
    let (report, index) = engine
        .load(generation, &file.name(), bytes, base, true)
        .await?;
    let base_slot = base.filter(|_| report.summary.split.is_some());
    Ok((
        generation,
        Shared::new(report.summary),
        Shared::new(TypeIndex::new(index.unwrap_or_default())),
        base_slot,
        LoadTimings {
            fetch_ms: fetched - started,
            parse_ms: report.parse_ms,
            index_ms: report.index_ms,
            total_ms: browser::now_ms() - started,
        },
    ))
}

/// Starts loading a BPF object: a bundled sample (fetched) or an uploaded file.
fn start_object(ctx: Ctx, generation: u32, source: Source, file: Option<web_sys::File>) {
    let dispatch = ctx.dispatch.clone();
    dispatch.dispatch(Action::StartObject {
        source: source.clone(),
        generation,
    });
    spawn_local(async move {
        let fail = |message: String| Action::ObjectFailed {
            generation,
            message,
        };
        let engine = match &*ctx.engine {
            Ok(e) => e,
            Err(e) => return dispatch.dispatch(fail(e.clone())),
        };
        let (label, bytes) = match (&source, &file) {
            (Source::Bundled(id), _) => match samples::find(id) {
                Some(s) => (
                    s.file_name(),
                    browser::fetch_bytes(&s.object_url(), |_, _| {}).await,
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
                dispatch.dispatch(Action::ObjectLoaded {
                    generation,
                    summary: Shared::new(summary),
                });
                ctx.keep().await;
            }
            Err(e) => dispatch.dispatch(fail(e)),
        }
    });
}

/// Whether a view relocates against the active kernel (and so needs one).
fn needs_target(v: View) -> bool {
    matches!(v, View::Code | View::Relocs | View::Flow | View::Graph)
}

/// The playground.
#[component]
pub fn App() -> Html {
    // The first render already knows what the URL asks for, so the URL never loses it.
    let initial = use_memo((), |_| UrlState::parse(&browser::location_search()));
    let state = use_reducer({
        let initial = initial.clone();
        move || {
            let mut w = Workspace::from_url(&initial);
            let view = initial.embed.map_or(initial.view, |e| e.view());
            let kernel = initial.kernel.clone().or_else(|| {
                (initial.object.is_some() && needs_target(view)).then(|| DEFAULT_TARGET.into())
            });
            if let Some(k) = kernel.as_deref().and_then(bundled::find) {
                w.apply(Action::StartLoad {
                    source: Source::Bundled(k.id.to_owned()),
                    generation: 1,
                });
            }
            if let Some(s) = initial.object.as_deref().and_then(samples::find) {
                w.apply(Action::StartObject {
                    source: Source::Bundled(s.id.to_owned()),
                    generation: 2,
                });
            }
            w
        }
    });
    let engine: EngineRef = use_memo((), |_| Engine::spawn(WORKER_URL));
    let cache: Rc<KernelCache> = use_memo((), |_| KernelCache::default());
    let next_slot = use_memo((), |_| Cell::new(2u32));
    let latest = use_mut_ref(|| None::<UseReducerHandle<Workspace>>);
    *latest.borrow_mut() = Some(state.clone());
    let dispatch = state.dispatcher();
    let ctx = Ctx {
        engine: engine.clone(),
        cache: cache.clone(),
        next_slot: next_slot.clone(),
        latest: latest.clone(),
        dispatch: dispatch.clone(),
    };

    let pick = {
        let ctx = ctx.clone();
        Callback::from(move |id: String| start_load(ctx.clone(), Source::Bundled(id), None, None))
    };
    let upload_kernel = {
        let ctx = ctx.clone();
        // An opened file may be a kernel module's split BTF: offer the kernel to layer it on.
        let base = state.base_for_split();
        Callback::from(move |f: web_sys::File| {
            start_load(ctx.clone(), Source::Upload(f.name()), Some(f), base)
        })
    };
    let pick_sample = {
        let ctx = ctx.clone();
        Callback::from(move |id: String| {
            let g = ctx.slot();
            start_object(ctx.clone(), g, Source::Bundled(id), None)
        })
    };
    let upload_object = {
        let ctx = ctx.clone();
        Callback::from(move |f: web_sys::File| {
            let g = ctx.slot();
            start_object(ctx.clone(), g, Source::Upload(f.name()), Some(f))
        })
    };
    // Go to a view a URL describes: load what it names that is not loaded, then apply it.
    let navigate = {
        let (pick, pick_sample, dispatch, latest) = (
            pick.clone(),
            pick_sample.clone(),
            dispatch.clone(),
            latest.clone(),
        );
        Callback::from(move |url: UrlState| {
            let current = latest.borrow().as_ref().map(|s| s.url());
            let (kernel, object) = current.map(|c| (c.kernel, c.object)).unwrap_or_default();
            if let Some(k) = url.kernel.clone().filter(|k| Some(k) != kernel.as_ref()) {
                pick.emit(k);
            }
            if let Some(o) = url.object.clone().filter(|o| Some(o) != object.as_ref()) {
                pick_sample.emit(o);
            }
            dispatch.dispatch(Action::ApplyUrl(url));
        })
    };

    // The loads the URL asked for (set up by the initial state).
    {
        let (ctx, state) = (ctx.clone(), state.clone());
        use_effect_with((), move |_| {
            if let Some(l) = &state.loading {
                start_load_as(ctx.clone(), 1, l.source.clone(), None, None);
            }
            if let Some(l) = &state.object_loading {
                start_object(ctx, 2, l.source.clone(), None);
            }
        });
    }

    // An object view without a target kernel: pick the default one.
    {
        let pick = pick.clone();
        let lacks = needs_target(state.effective_view())
            && (state.object.is_some() || state.object_loading.is_some())
            && state.kernel.is_none()
            && state.loading.is_none();
        use_effect_with(lacks, move |&lacks| {
            if lacks {
                pick.emit(DEFAULT_TARGET.to_owned());
            }
        });
    }

    // Ask the engine for the selected type's detail.
    {
        let (engine, dispatch) = (engine.clone(), dispatch.clone());
        let wanted = match (state.kernel_slot(), state.selected) {
            (Some(slot), Some(id)) if state.detail.as_ref().is_none_or(|d| d.id != id) => {
                Some((slot, id))
            }
            _ => None,
        };
        use_effect_with(wanted, move |wanted| {
            if let (Some((slot, id)), Ok(_)) = (*wanted, &*engine) {
                spawn_local(async move {
                    let Ok(e) = &*engine else { return };
                    match e.type_detail(slot, id).await {
                        Ok(Some(detail)) => dispatch.dispatch(Action::DetailArrived {
                            slot,
                            detail: Shared::new(detail),
                        }),
                        Ok(None) => dispatch.dispatch(Action::Failed(format!("no type [{id}]"))),
                        Err(e) => dispatch.dispatch(Action::Failed(e)),
                    }
                });
            }
        });
    }

    // Ask the engine for the raw listing when the listing view needs it (once per kernel:
    // it is megabytes, and switching views while it is on its way must not ask again).
    let listing_asked = use_mut_ref(|| None::<u32>);
    {
        let asked = listing_asked.clone();
        use_effect_with(state.kernel_slot(), move |_| {
            asked.replace(None);
        });
    }
    {
        let (engine, dispatch) = (engine.clone(), dispatch.clone());
        let wanted = match (state.kernel_slot(), &state.listing) {
            (Some(slot), None) if state.view == View::Listing => Some(slot),
            _ => None,
        };
        use_effect_with(wanted, move |wanted| {
            if let Some(slot) = *wanted {
                if listing_asked.replace(Some(slot)) == Some(slot) {
                    return;
                }
                spawn_local(async move {
                    let Ok(e) = &*engine else { return };
                    match e.raw_listing(slot).await {
                        Ok(doc) => dispatch.dispatch(Action::ListingArrived {
                            slot,
                            document: Shared::new(Document::new(doc)),
                        }),
                        Err(e) => dispatch.dispatch(Action::Failed(e)),
                    }
                });
            }
        });
    }

    // The generated header, when the header view needs one it does not have. The last one
    // stays in the state, so switching views and back does not generate it again; a request
    // in flight is not repeated.
    let header_asked = use_mut_ref(|| None::<HeaderKey>);
    {
        let (engine, dispatch) = (engine.clone(), dispatch.clone());
        use_effect_with(state.header_wanted(), move |wanted| {
            if let Some(key) = wanted.clone() {
                if header_asked.borrow().as_ref() == Some(&key) {
                    return;
                }
                header_asked.replace(Some(key.clone()));
                spawn_local(async move {
                    let Ok(e) = &*engine else { return };
                    let started = browser::now_ms();
                    let value = e
                        .header(
                            key.slot,
                            key.profile.label(),
                            key.roots.clone(),
                            key.helpers,
                        )
                        .await
                        .map(|(h, engine_ms)| {
                            let document = Shared::new(Document::new(h.document));
                            Shared::new(GeneratedHeader {
                                document,
                                warnings: h.warnings,
                                engine_ms,
                                total_ms: browser::now_ms() - started,
                            })
                        });
                    header_asked.replace(None);
                    dispatch.dispatch(Action::HeaderArrived(Fetched { key, value }));
                });
            }
        });
    }
    {
        let (engine, dispatch) = (engine.clone(), dispatch.clone());
        let stale = state.layout.as_ref().map(|f| &f.key) != state.layout_wanted().as_ref();
        use_effect_with(state.layout_wanted().filter(|_| stale), move |wanted| {
            if let Some(key) = wanted.clone() {
                spawn_local(async move {
                    let Ok(e) = &*engine else { return };
                    let value = e
                        .layout(key.slot, key.id.to_string())
                        .await
                        .map(Shared::new);
                    dispatch.dispatch(Action::LayoutArrived(Fetched { key, value }));
                });
            }
        });
    }

    // Relocations, explanations, guard runs: asked for when the view's inputs change.
    {
        let (engine, dispatch) = (engine.clone(), dispatch.clone());
        let stale = state.reloc.as_ref().map(|f| &f.key) != state.reloc_wanted().as_ref();
        use_effect_with(state.reloc_wanted().filter(|_| stale), move |wanted| {
            if let Some(key) = wanted.clone() {
                spawn_local(async move {
                    let Ok(e) = &*engine else { return };
                    let value = e
                        .relocate(key.object, key.kernel, key.whatif.clone())
                        .await
                        .map(Shared::new);
                    dispatch.dispatch(Action::RelocArrived(Fetched { key, value }));
                });
            }
        });
    }
    {
        let (engine, dispatch) = (engine.clone(), dispatch.clone());
        let stale = state.explanation.as_ref().map(|f| &f.key) != state.explain_wanted().as_ref();
        use_effect_with(state.explain_wanted().filter(|_| stale), move |wanted| {
            if let Some(key) = wanted.clone() {
                spawn_local(async move {
                    let Ok(e) = &*engine else { return };
                    let r = &key.reloc;
                    let value = e
                        .explain(r.object, r.kernel, r.whatif.clone(), key.idx)
                        .await
                        .map(Shared::new);
                    dispatch.dispatch(Action::ExplanationArrived(Fetched { key, value }));
                });
            }
        });
    }
    {
        let (engine, dispatch) = (engine.clone(), dispatch.clone());
        let stale = state.guard.as_ref().map(|f| &f.key) != state.guard_wanted().as_ref();
        use_effect_with(state.guard_wanted().filter(|_| stale), move |wanted| {
            if let Some(key) = wanted.clone() {
                spawn_local(async move {
                    let Ok(e) = &*engine else { return };
                    let value = e
                        .guard(key.object, key.kernel, key.whatif.clone(), key.prog.clone())
                        .await
                        .map(Shared::new);
                    dispatch.dispatch(Action::GuardArrived(Fetched { key, value }));
                });
            }
        });
    }
    // The matrix and the comparison need several kernels: load the missing ones first.
    {
        let ctx = ctx.clone();
        let stale = state.matrix.as_ref().map(|f| &f.key) != state.matrix_wanted().as_ref();
        use_effect_with(state.matrix_wanted().filter(|_| stale), move |wanted| {
            if let Some(key) = wanted.clone() {
                spawn_local(async move {
                    let Ok(e) = &*ctx.engine else { return };
                    let ids: Vec<&str> = bundled::KERNELS.iter().map(|k| k.id).collect();
                    let value = match kernel_slots(&ctx, &ids).await {
                        Ok(mut slots) => {
                            slots.extend(key.upload.as_ref().map(|(s, _)| *s));
                            let r = e.matrix(key.object, slots, key.whatif.clone()).await;
                            ctx.keep().await;
                            r.map(Shared::new)
                        }
                        Err(err) => Err(err),
                    };
                    ctx.dispatch
                        .dispatch(Action::MatrixArrived(Fetched { key, value }));
                });
            }
        });
    }
    {
        let ctx = ctx.clone();
        let stale = state.compare.as_ref().map(|f| &f.key) != state.compare_wanted().as_ref();
        use_effect_with(state.compare_wanted().filter(|_| stale), move |wanted| {
            if let Some(key) = wanted.clone() {
                spawn_local(async move {
                    let Ok(e) = &*ctx.engine else { return };
                    let ids: Vec<&str> = key.kernels.iter().map(String::as_str).collect();
                    let value = match kernel_slots(&ctx, &ids).await {
                        Ok(slots) => {
                            let r = e.compare(slots, key.name.clone()).await;
                            ctx.keep().await;
                            r.map(Shared::new)
                        }
                        Err(err) => Err(err),
                    };
                    ctx.dispatch
                        .dispatch(Action::CompareArrived(Fetched { key, value }));
                });
            }
        });
    }

    // Keep the address bar in step: a history entry per kernel/object/type/view change,
    // in-place updates for typing, scrolling and knobs; nothing written while applying
    // back/forward.
    let from_history = use_mut_ref(|| false);
    let last_url = use_mut_ref(|| (*initial).clone());
    {
        let url = state.url();
        let (from_history, last_url) = (from_history.clone(), last_url.clone());
        use_effect_with(url, move |url| {
            let prev = last_url.replace(url.clone());
            let push = !from_history.replace(false)
                && (prev.kernel != url.kernel
                    || prev.ty != url.ty
                    || prev.view != url.view
                    || prev.profile != url.profile
                    || prev.roots != url.roots
                    || prev.object != url.object
                    || prev.prog != url.prog
                    || prev.tour != url.tour);
            browser::set_location_search(&url.format(), push);
        });
    }

    // Back/forward: re-read the URL, loading what it names.
    {
        let navigate = navigate.clone();
        use_effect_with((), move |_| {
            let on_pop = Closure::<dyn FnMut()>::new(move || {
                *from_history.borrow_mut() = true;
                navigate.emit(UrlState::parse(&browser::location_search()));
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ =
                    w.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = &window {
                    let _ = w.remove_event_listener_with_callback(
                        "popstate",
                        on_pop.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    let on_action = Callback::from(move |a: Action| dispatch.dispatch(a));
    let dragging = use_state(|| false);

    if state.embed.is_some() {
        return html! { <EmbedView state={state.clone()} on_action={on_action} /> };
    }

    // Dropping a file anywhere on the page loads it: as an object in the object areas,
    // as a kernel otherwise.
    let area = state.view.area();
    let upload_any = if area == Area::Kernel {
        upload_kernel.clone()
    } else {
        upload_object.clone()
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        // Moving between children fires too; only leaving the window has no related target.
        Callback::from(move |e: DragEvent| {
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let ondrop = {
        let (upload, dragging) = (upload_any.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                upload.emit(f);
            }
        })
    };

    let url = state.url();
    let no_object = state.object.is_none();
    let body = match (area, &state.kernel, state.view) {
        (Area::Kernel, None, View::Compare) => html! {
            <CompareView state={state.clone()} on_action={on_action.clone()} />
        },
        (Area::Kernel, None, _) => html! {
            <Welcome on_pick={pick.clone()} on_file={upload_kernel.clone()} busy={state.loading.is_some()} />
        },
        (Area::Kernel, Some(k), View::Summary) => html! {
            <SummaryView kernel={k.clone()} />
        },
        (Area::Kernel, Some(k), View::Types) => html! {
            <div class="split">
                <TypeList index={k.index.clone()} search={state.search.clone()}
                    selected={state.selected} on_action={on_action.clone()} />
                <TypeDetailView detail={state.detail.clone()} selected={state.selected}
                    url={url.clone()} on_action={on_action.clone()} />
            </div>
        },
        (Area::Kernel, Some(k), View::Layout) => html! {
            <div class="split">
                <TypeList index={k.index.clone()} search={state.search.clone()}
                    selected={state.selected} on_action={on_action.clone()} />
                <LayoutView state={state.clone()} on_action={on_action.clone()} />
            </div>
        },
        (Area::Kernel, Some(_), View::Header) => html! {
            <HeaderView state={state.clone()} on_action={on_action.clone()} />
        },
        (Area::Kernel, Some(k), View::Listing) => html! {
            <ListingView document={state.listing.clone()} index={k.index.clone()}
                scroll={state.scroll} selected={state.selected} url={url.clone()}
                on_action={on_action.clone()} />
        },
        (Area::Kernel, Some(_), _) => html! {
            <CompareView state={state.clone()} on_action={on_action.clone()} />
        },
        (_, _, _) if no_object => html! {
            <ObjectWelcome on_sample={pick_sample.clone()} on_file={upload_object.clone()}
                busy={state.object_loading.is_some()} />
        },
        (_, _, View::Code) => html! {
            <CodeView state={state.clone()} on_action={on_action.clone()} />
        },
        (_, _, View::Relocs) => html! {
            <RelocView state={state.clone()} on_action={on_action.clone()} />
        },
        (_, _, View::Matrix) => html! {
            <MatrixView state={state.clone()} on_action={on_action.clone()} on_navigate={navigate.clone()} />
        },
        (_, _, v) => html! {
            <GuardView state={state.clone()} on_action={on_action.clone()} graph={v == View::Graph} />
        },
    };

    let drop_hint = if area == Area::Kernel {
        "Drop to open as a kernel BTF — the file stays in this browser"
    } else {
        "Drop to open as a BPF object — the file stays in this browser"
    };
    html! {
        <div class="app" {ondragover} {ondragleave} {ondrop}>
            if *dragging {
                <div class="drop-overlay" aria-hidden="true">
                    <span>{ drop_hint }</span>
                </div>
            }
            <Topbar state={state.clone()} on_pick={pick} on_file={upload_kernel}
                on_sample={pick_sample} on_object_file={upload_object}
                on_action={on_action.clone()} />
            if let Some(step) = state.tour {
                <TourBar {step} current={state.url()} on_navigate={navigate.clone()} on_action={on_action.clone()} />
            }
            <LoadStatus loading={state.loading.clone()} />
            <ErrorBanner error={state.error.clone()} on_action={on_action.clone()} />
            <main class="main">{ body }</main>
        </div>
    }
}

/// The slots of bundled kernels `ids`, loading the ones the worker does not hold yet.
async fn kernel_slots(ctx: &Ctx, ids: &[&str]) -> Result<Vec<u32>, String> {
    let Ok(engine) = &*ctx.engine else {
        return Err("the engine worker did not start".into());
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let e = ctx
            .cache
            .load(engine, id, || ctx.slot(), false, &Quiet)
            .await?;
        out.push(e.slot);
    }
    Ok(out)
}
