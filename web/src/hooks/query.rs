//! [`use_query`]: a view's one way to the engine. The view says what it wants (a query, or
//! `None`); the hook asks the worker once per key, keeps the answer in the [`Queries`]
//! cache, and returns what there is to show.

use std::cell::RefCell;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::engine::Engine;
use crate::query::{Answer, AnyQuery, AnyReply, Fetch, QueryCache, Registered};
use crate::shared::Shared;

/// The engine and the answers it gave, for every view (a context).
#[derive(Clone)]
pub struct Queries {
    /// The worker (or why it did not start).
    pub engine: Rc<Result<Engine, String>>,
    cache: Rc<RefCell<QueryCache>>,
    /// Bumped on every answer (and early part): views reading answers render again.
    version: u32,
    changed: Callback<()>,
}

impl std::fmt::Debug for Queries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queries")
            .field("version", &self.version)
            .finish()
    }
}

impl PartialEq for Queries {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && Rc::ptr_eq(&self.engine, &other.engine)
            && Rc::ptr_eq(&self.cache, &other.cache)
    }
}

impl Queries {
    /// Asks `q` (whose key is `key`) unless it was asked before (answered, or on its way).
    fn ask(&self, q: AnyQuery, key: Vec<u8>) {
        if !self.cache.borrow().needs_asking(&key) {
            return;
        }
        self.cache
            .borrow_mut()
            .asked(key.clone(), q.kind(), q.keep());
        let (engine, cache, changed) = (
            self.engine.clone(),
            self.cache.clone(),
            self.changed.clone(),
        );
        spawn_local(async move {
            let answer = match &*engine {
                Ok(e) => {
                    let on_part: Rc<dyn Fn(AnyReply)> = {
                        let (cache, changed, key) = (cache.clone(), changed.clone(), key.clone());
                        Rc::new(move |part: AnyReply| {
                            cache.borrow_mut().part(&key, part.into_any());
                            changed.emit(());
                        })
                    };
                    e.ask(q, on_part).await
                }
                Err(e) => Err(e.clone()),
            };
            cache
                .borrow_mut()
                .answered(&key, answer.map(AnyReply::into_any));
            changed.emit(());
        });
    }
}

/// Props of [`QueryProvider`].
#[derive(Properties, Debug)]
pub struct QueryProviderProps {
    /// The worker.
    pub engine: Rc<Result<Engine, String>>,
    /// The app.
    pub children: Html,
}

impl PartialEq for QueryProviderProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.engine, &other.engine) && self.children == other.children
    }
}

/// Provides [`Queries`] to everything below it.
#[component]
pub fn QueryProvider(props: &QueryProviderProps) -> Html {
    // One cache for the app's life.
    let cache: Rc<RefCell<QueryCache>> =
        (*use_memo((), |_| Rc::new(RefCell::new(QueryCache::default())))).clone();
    let version = use_mut_ref(|| 0u32);
    let update = use_force_update();
    let changed = {
        let version = version.clone();
        Callback::from(move |()| {
            let next = version.borrow().wrapping_add(1);
            *version.borrow_mut() = next;
            update.force_update();
        })
    };
    let queries = Queries {
        engine: props.engine.clone(),
        cache,
        version: *version.borrow(),
        changed,
    };
    html! {
        <ContextProvider<Queries> context={queries}>{ props.children.clone() }</ContextProvider<Queries>>
    }
}

/// The engine's answer to `query` (`None`: the view has no inputs yet). Asked once per key:
/// later looks, other views, and switching back find it in the cache. While the answer for
/// new inputs is on its way, the last answer this view showed is offered
/// ([`Fetch::Waiting`]).
#[hook]
pub fn use_query<Q: Registered>(query: Option<Q>) -> Fetch<Q::Reply> {
    let answer = use_answer(query.map(Registered::wrap));
    let last = use_mut_ref(|| None::<Shared<Q::Reply>>);
    match answer.map(|a| Fetch::<Q::Reply>::from_answer(a.as_ref())) {
        None => Fetch::Idle,
        Some(Some(Fetch::Ready(v))) => {
            *last.borrow_mut() = Some(v.clone());
            Fetch::Ready(v)
        }
        Some(Some(f)) => f,
        Some(None) => Fetch::Waiting(last.borrow().clone()),
    }
}

/// What the cache holds for `query` (`None`: no query; `Some(None)`: nothing yet), asking
/// the worker when nothing is there. The part of [`use_query`] that does not depend on the
/// query's type: one copy of it serves every kind.
#[hook]
fn use_answer(query: Option<AnyQuery>) -> Option<Option<Answer>> {
    let queries = use_context::<Queries>().expect("use_query needs a QueryProvider");
    let key = use_memo(query.clone(), |q| q.as_ref().map(crate::query::key));
    let found = key
        .as_ref()
        .as_ref()
        .map(|k| queries.cache.borrow_mut().get(k).cloned());
    let missing = key
        .as_ref()
        .as_ref()
        .is_some_and(|k| queries.cache.borrow().needs_asking(k));
    {
        let (queries, key) = (queries.clone(), key.clone());
        use_effect_with((query, missing), move |(query, missing)| {
            if let (Some(q), Some(k), true) = (query, key.as_ref(), missing) {
                queries.ask(q.clone(), k.clone());
            }
        });
    }
    found
}
