//! The App: the state (a reducer over the URL the page was opened with), the engine worker,
//! and the contexts every view reads — the workspace, the [`Queries`] cache, the
//! [`Loader`]. Its effects are named hooks; the page itself is [`Shell`].

use std::rc::Rc;

use yew::prelude::*;

use crate::browser;
use crate::bundled;
use crate::components::shell::Shell;
use crate::engine::Engine;
use crate::hooks::{use_history, use_url_sync, Loader, QueryProvider};
use crate::samples;
use crate::state::{Action, KernelAction, ObjectAction, Source, Workspace};
use crate::url::{UrlState, View};

/// Where the worker script is, relative to the page.
pub(crate) const WORKER_URL: &str = "./worker.js";

/// The target kernel picked when an object view needs one and none is loaded.
pub const DEFAULT_TARGET: &str = "debian12-6.1.0-50-amd64";

/// The state a page opened at `url` starts in: what the URL describes, and the loads it
/// names begun (generation 1: the kernel, 2: the object).
fn initial_state(url: &UrlState) -> Workspace {
    let mut w = Workspace::from_url(url);
    let view = url.embed.map_or(url.view, |e| e.view());
    let kernel = url.kernel.clone().or_else(|| {
        ((url.object.is_some() && view.needs_target()) || view == View::Ask)
            .then(|| DEFAULT_TARGET.into())
    });
    // A bundled kernel, or a catalogue build (`@debian12-6.1.0-50-arm64`).
    let shipped = |k: &String| bundled::find(k).is_some() || k.len() > 1 && k.starts_with('@');
    if let Some(k) = kernel.filter(shipped) {
        w.apply(Action::Kernel(KernelAction::StartLoad {
            source: Source::Bundled(k),
            generation: 1,
        }));
    }
    if let Some(s) = url.object.as_deref().and_then(samples::find) {
        w.apply(Action::Object(ObjectAction::Start {
            source: Source::Bundled(s.id.to_owned()),
            generation: 2,
        }));
    }
    w
}

/// The playground.
#[component]
pub fn App() -> Html {
    // The first render already knows what the URL asks for, so the URL never loses it.
    let initial = use_memo((), |_| UrlState::parse(&browser::location_search()));
    let state = use_reducer({
        let initial = initial.clone();
        move || initial_state(&initial)
    });
    let engine: Rc<Result<Engine, String>> = use_memo((), |_| Engine::spawn(WORKER_URL));
    let latest = use_mut_ref(|| None::<UseReducerHandle<Workspace>>);
    *latest.borrow_mut() = Some(state.clone());
    let loader = (*use_memo((), {
        let (engine, latest, dispatch) = (engine.clone(), latest.clone(), state.dispatcher());
        move |_| Loader::new(engine, latest, dispatch, 2)
    }))
    .clone();

    // The loads the URL asked for (begun by the initial state).
    {
        let (loader, state) = (loader.clone(), state.clone());
        use_effect_with((), move |_| loader.resume(&state));
    }
    // An object view (or a question) without a target kernel: pick the default one.
    {
        let loader = loader.clone();
        let lacks = ((state.effective_view().needs_target()
            && (state.object.object.is_some() || state.object.loading.is_some()))
            || state.effective_view() == View::Ask)
            && state.kernel.kernel.is_none()
            && state.kernel.loading.is_none();
        use_effect_with(lacks, move |&lacks| {
            if lacks {
                loader.pick_kernel(DEFAULT_TARGET.to_owned());
            }
        });
    }
    use_url_sync(state.url());
    use_history(loader.clone());

    html! {
        <ContextProvider<UseReducerHandle<Workspace>> context={state}>
            <ContextProvider<Loader> context={loader}>
                <QueryProvider {engine}>
                    <Shell />
                </QueryProvider>
            </ContextProvider<Loader>>
        </ContextProvider<UseReducerHandle<Workspace>>>
    }
}
