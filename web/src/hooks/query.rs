//! [`use_query`]: a view's one way to the engine. The view says what it wants (a query, or
//! `None`); the hook asks the worker once per key, keeps the answer in the [`Queries`]
//! cache, and returns what there is to show.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::engine::Engine;
use crate::query::{key_of, Fetch, QueryCache, Registered};
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
    /// Asks `q` unless it was asked before (answered, or on its way).
    fn ask<Q: Registered>(&self, q: Q) {
        let key = key_of(&q);
        if !self.cache.borrow().needs_asking(&key) {
            return;
        }
        self.cache.borrow_mut().asked(key.clone(), Q::KIND, Q::KEEP);
        let (engine, cache, changed) = (
            self.engine.clone(),
            self.cache.clone(),
            self.changed.clone(),
        );
        spawn_local(async move {
            let answer = match &*engine {
                Ok(e) => {
                    let on_part = {
                        let (cache, changed, key) = (cache.clone(), changed.clone(), key.clone());
                        move |part: Q::Reply| {
                            cache.borrow_mut().part(&key, Rc::new(part));
                            changed.emit(());
                        }
                    };
                    e.ask(q, on_part).await
                }
                Err(e) => Err(e.clone()),
            };
            let answer = answer.map(|v| Rc::new(v) as Rc<dyn Any>);
            cache.borrow_mut().answered(&key, answer);
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
    let queries = use_context::<Queries>().expect("use_query needs a QueryProvider");
    let key = use_memo(query.clone(), |q| q.as_ref().map(key_of));
    let found = key
        .as_ref()
        .as_ref()
        .and_then(|k| Fetch::<Q::Reply>::from_answer(queries.cache.borrow_mut().get(k)));
    let missing = key
        .as_ref()
        .as_ref()
        .is_some_and(|k| queries.cache.borrow().needs_asking(k));
    {
        let queries = queries.clone();
        use_effect_with((query.clone(), missing), move |(query, missing)| {
            if let (Some(q), true) = (query, missing) {
                queries.ask(q.clone());
            }
        });
    }
    let last = use_mut_ref(|| None::<Shared<Q::Reply>>);
    match found {
        Some(Fetch::Ready(v)) => {
            *last.borrow_mut() = Some(v.clone());
            Fetch::Ready(v)
        }
        Some(f) => f,
        None if query.is_none() => Fetch::Idle,
        None => Fetch::Waiting(last.borrow().clone()),
    }
}
