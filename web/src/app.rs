//! The App component: owns the state and the engine worker, runs the effects (loading,
//! asking the engine, syncing the URL), and lays out the Kernel area.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::browser;
use crate::bundled;
use crate::components::embed_view::EmbedView;
use crate::components::error_banner::ErrorBanner;
use crate::components::listing_view::ListingView;
use crate::components::load_status::LoadStatus;
use crate::components::summary_view::SummaryView;
use crate::components::topbar::Topbar;
use crate::components::type_detail::TypeDetailView;
use crate::components::type_list::TypeList;
use crate::components::welcome::Welcome;
use crate::document::Document;
use crate::engine::Engine;
use crate::search::TypeIndex;
use crate::shared::Shared;
use crate::state::{Action, LoadTimings, Source, Workspace};
use crate::url::{UrlState, View};

/// Where the worker script is, relative to the page.
const WORKER_URL: &str = "./worker.js";

/// The engine handle shared by the effects.
type EngineRef = Rc<Result<Engine, String>>;

/// Starts loading `source`: fetch (bundled) or read (upload), then parse in the worker.
fn start_load(
    engine: EngineRef,
    dispatch: UseReducerDispatcher<Workspace>,
    generation: u32,
    source: Source,
    file: Option<web_sys::File>,
    base: Option<u32>,
) {
    dispatch.dispatch(Action::StartLoad {
        source: source.clone(),
        generation,
    });
    spawn_local(async move {
        let fail = |message: String| Action::LoadFailed {
            generation,
            message,
        };
        let engine = match &*engine {
            Ok(e) => e,
            Err(e) => return dispatch.dispatch(fail(e.clone())),
        };
        let started = browser::now_ms();
        let bytes = match (&source, &file) {
            (Source::Bundled(id), _) => {
                let Some(k) = bundled::find(id) else {
                    return dispatch.dispatch(fail(format!("no bundled kernel named {id}")));
                };
                let d = dispatch.clone();
                browser::fetch_bytes(&k.url(), move |done, total| {
                    d.dispatch(Action::Progress {
                        generation,
                        done,
                        total,
                    })
                })
                .await
            }
            (Source::Upload(_), Some(f)) => browser::read_file(f).await,
            (Source::Upload(name), None) => Err(format!("{name}: no file")),
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => return dispatch.dispatch(fail(e)),
        };
        let fetched = browser::now_ms();
        dispatch.dispatch(Action::Parsing { generation });
        match engine.load(generation, source.label(), bytes, base).await {
            Ok((report, index)) => {
                let base_slot = base.filter(|_| report.summary.split.is_some());
                let index = TypeIndex::new(index);
                let timings = LoadTimings {
                    fetch_ms: fetched - started,
                    parse_ms: report.parse_ms,
                    index_ms: report.index_ms,
                    total_ms: browser::now_ms() - started,
                };
                dispatch.dispatch(Action::Loaded {
                    generation,
                    summary: Shared::new(report.summary),
                    index: Shared::new(index),
                    base_slot,
                    timings,
                });
                // One kernel at a time for now (and the base of a module): the worker forgets
                // the rest.
                let keep = crate::protocol::Request::Keep {
                    slots: [Some(generation), base_slot]
                        .into_iter()
                        .flatten()
                        .collect(),
                };
                let _ = engine.call(keep, Vec::new()).await;
            }
            Err(e) => dispatch.dispatch(fail(e)),
        }
    });
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
            if let Some(k) = initial.kernel.as_deref().and_then(bundled::find) {
                w.apply(Action::StartLoad {
                    source: Source::Bundled(k.id.to_owned()),
                    generation: 1,
                });
            }
            w
        }
    });
    let engine: EngineRef = use_memo((), |_| Engine::spawn(WORKER_URL));
    let generation = use_mut_ref(|| Cell::new(1u32));
    let dispatch = state.dispatcher();

    let load = {
        let (engine, dispatch, generation) = (engine.clone(), dispatch.clone(), generation.clone());
        // An opened file may be a kernel module's split BTF: offer the kernel to layer it on.
        let base = state.base_for_split();
        Callback::from(move |(source, file): (Source, Option<web_sys::File>)| {
            let g = generation.borrow().get() + 1;
            generation.borrow().set(g);
            let base = base.filter(|_| matches!(source, Source::Upload(_)));
            start_load(engine.clone(), dispatch.clone(), g, source, file, base);
        })
    };
    let pick = load.reform(|id: String| (Source::Bundled(id), None));
    let upload = load.reform(|f: web_sys::File| (Source::Upload(f.name()), Some(f)));

    // The load the URL asked for (generation 1, set up by the initial state).
    {
        let (engine, dispatch, state) = (engine.clone(), dispatch.clone(), state.clone());
        use_effect_with((), move |_| {
            if let Some(l) = &state.loading {
                start_load(engine, dispatch, 1, l.source.clone(), None, None);
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

    // Keep the address bar in step: a history entry per kernel/type/view change, in-place
    // updates for typing and scrolling; nothing written while applying back/forward.
    let from_history = use_mut_ref(|| false);
    let last_url = use_mut_ref(|| (*initial).clone());
    {
        let url = state.url();
        let (from_history, last_url) = (from_history.clone(), last_url.clone());
        use_effect_with(url, move |url| {
            let prev = last_url.replace(url.clone());
            let push = !from_history.replace(false)
                && (prev.kernel != url.kernel || prev.ty != url.ty || prev.view != url.view);
            browser::set_location_search(&url.format(), push);
        });
    }

    // Back/forward: re-read the URL, loading another kernel if it names one.
    let current_kernel: Rc<RefCell<Option<String>>> = use_mut_ref(|| None);
    *current_kernel.borrow_mut() = state.url().kernel;
    {
        let (dispatch, pick, current_kernel) = (dispatch.clone(), pick.clone(), current_kernel);
        use_effect_with((), move |_| {
            let on_pop = Closure::<dyn FnMut()>::new(move || {
                *from_history.borrow_mut() = true;
                let url = UrlState::parse(&browser::location_search());
                if url.kernel.is_some() && url.kernel != *current_kernel.borrow() {
                    pick.emit(url.kernel.clone().unwrap_or_default());
                }
                dispatch.dispatch(Action::ApplyUrl(url));
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

    // Dropping a file anywhere on the page loads it.
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
        let (upload, dragging) = (upload.clone(), dragging.clone());
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
    let body = match (&state.kernel, state.view) {
        (None, _) => html! {
            <Welcome on_pick={pick.clone()} on_file={upload.clone()} busy={state.loading.is_some()} />
        },
        (Some(k), View::Summary) => html! {
            <SummaryView kernel={k.clone()} />
        },
        (Some(k), View::Types) => html! {
            <div class="split">
                <TypeList index={k.index.clone()} search={state.search.clone()}
                    selected={state.selected} on_action={on_action.clone()} />
                <TypeDetailView detail={state.detail.clone()} selected={state.selected}
                    url={url.clone()} on_action={on_action.clone()} />
            </div>
        },
        (Some(k), View::Listing) => html! {
            <ListingView document={state.listing.clone()} index={k.index.clone()}
                scroll={state.scroll} selected={state.selected} url={url.clone()}
                on_action={on_action.clone()} />
        },
    };

    html! {
        <div class="app" {ondragover} {ondragleave} {ondrop}>
            if *dragging {
                <div class="drop-overlay" aria-hidden="true">
                    <span>{ "Drop to open — the file stays in this browser" }</span>
                </div>
            }
            <Topbar kernel={state.kernel.clone()} view={state.view}
                on_pick={pick} on_file={upload} on_action={on_action.clone()}
                busy={state.loading.is_some()} />
            <LoadStatus loading={state.loading.clone()} />
            <ErrorBanner error={state.error.clone()} on_action={on_action.clone()} />
            <main class="main">{ body }</main>
        </div>
    }
}
