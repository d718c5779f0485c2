//! [`use_matrix_sweep`]: the Matrix against a catalogue selection, one build at a time;
//! [`use_ask_sweep`]: an Ask question across one, the same way (its answers kept in the
//! engine, gathered into the table after the pass; a second pass checks the fix).
//!
//! The selection is resolved by the engine (core's selector, the CLI's `@…`), then each
//! build in sweep order: its segments fetched — the next builds' fetches started before the
//! engine works on this one, so the download hides behind the work — and handed to the
//! engine, which rebuilds, relocates and guards, answers the build's column and drops the
//! build. A build the engine needs more segments for (a reference it did not keep; the whole
//! chain when a check fails) is sent again with them. A build's error fills its column and
//! the sweep goes on. A new selection, object or what-if ends the sweep in flight: every step
//! checks that its sweep is still the current one.
//!
//! The Matrix runs on a pool of engine workers (one per core, at most
//! [`MAX_SWEEP_WORKERS`]): the main engine and helpers that open the catalogue and load the
//! object from the file the main engine hands back. Each takes whole reference chains in
//! turn, so the references it keeps serve its next builds; columns land in catalogue order
//! whichever worker answered them. An Ask sweep stays on the main engine: its answers are
//! kept there and gathered into one table.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use super::{use_catalog, use_loader, use_query, Loader};
use crate::browser::now_ms;
use crate::catalog::{open_in, Started};
use crate::dto::catalog::CatalogListing;
use crate::dto::sweep::{
    AskIndexStep, AskSweepKey, Selection, SweepAnswer, SweepColumn, SweepJob, SweepStep,
};
use crate::engine::Engine;
use crate::query::catalog::SelectQuery;
use crate::query::sweep::{AskSweep, MatrixSweep, SweepTimes};
use crate::query::Fetch;
use crate::shared::Shared;

/// Builds whose segments are on their way ahead of the one the engine works on: a build
/// that starts a new reference chain brings a whole reference (~1.5 MB), longer to fetch
/// than one build's work.
const PREFETCH: usize = 3;

/// The shortest time between two paintings of a sweep's progress: a wide table painted
/// after every build kept the worker waiting for the page (measured: 1.9 s of a 12.6 s
/// sweep over 137 builds).
const REPAINT_MS: f64 = 250.0;

/// Most engine workers a sweep runs on (the main one included): each holds the catalogue's
/// references (~10 MB each) and the object.
const MAX_SWEEP_WORKERS: usize = 4;

/// What a sweep view shows: the sweep so far, or why there is none.
pub type SweepState = Option<Result<Shared<MatrixSweep>, String>>;

/// The Matrix of `job` over catalogue selection `selector` (`None`: no sweep), as it fills.
#[hook]
pub fn use_matrix_sweep(input: Option<(String, SweepJob)>) -> SweepState {
    use_sweep(
        input,
        MatrixSweep::new,
        |loader, listing, sel, job, live, state| {
            Box::pin(run(loader, listing, sel, job, live, state))
        },
    )
}

/// Whether the sweep that started as `generation` is still the current one (a new one
/// bumps `current`, and so does the view's going).
#[derive(Clone)]
struct Live {
    generation: u32,
    current: Rc<Cell<u32>>,
}

impl Live {
    fn get(&self) -> bool {
        self.current.get() == self.generation
    }
}

/// Where a sweep puts what it has so far.
type Out<S> = UseStateHandle<Option<Result<Shared<S>, String>>>;

/// Runs a sweep of job `J`, filling `S`.
type Driver<J, S> = fn(
    Loader,
    Shared<CatalogListing>,
    Shared<Selection>,
    J,
    Live,
    Out<S>,
) -> Pin<Box<dyn Future<Output = ()>>>;

/// A sweep of `input`'s job over its selection (`None`: no sweep): the catalogue opened, the
/// selection resolved, then `drive` from a `fresh` state; a new input ends the sweep in
/// flight.
#[hook]
fn use_sweep<J, S>(
    input: Option<(String, J)>,
    fresh: fn(Selection) -> S,
    drive: Driver<J, S>,
) -> Option<Result<Shared<S>, String>>
where
    J: Clone + PartialEq + 'static,
    S: 'static,
{
    let loader = use_loader();
    let listing = use_catalog(input.is_some());
    let listing = match &listing {
        Some(Ok(l)) => Some(l.clone()),
        _ => None,
    };
    let query = match (&input, &listing) {
        (Some((selector, _)), Some(_)) => Some(SelectQuery {
            selector: selector.clone(),
        }),
        _ => None,
    };
    let selection = use_query(query);
    let state = use_state(|| None::<Result<Shared<S>, String>>);
    // Bumped when a sweep starts or its inputs go: a step of an older sweep stops there.
    let current = use_mut_ref(|| Rc::new(Cell::new(0u32)));
    let current = current.borrow().clone();
    let started = match (&selection, &input, &listing) {
        (Fetch::Ready(sel), Some((_, job)), Some(l)) => Some((sel.clone(), job.clone(), l.clone())),
        _ => None,
    };
    {
        let state = state.clone();
        use_effect_with(started, move |started| {
            let generation = current.get().wrapping_add(1);
            current.set(generation);
            if let Some((sel, job, listing)) = started.clone() {
                state.set(Some(Ok(Shared::new(fresh((*sel).clone())))));
                let live = Live {
                    generation,
                    current: current.clone(),
                };
                spawn_local(drive(loader, listing, sel, job, live, state));
            } else {
                state.set(None);
            }
            move || current.set(current.get().wrapping_add(1))
        });
    }
    match (&selection, &input) {
        (_, None) => None,
        (Fetch::Failed(e), _) => Some(Err(e.clone())),
        _ => (*state).clone(),
    }
}

/// The segments to fetch for `next` after `prev`: its chain's, less those of `prev`'s chain
/// (in sweep order the engine still holds those references).
fn to_fetch(listing: &CatalogListing, prev: Option<&str>, next: &str) -> Vec<u64> {
    let chain = |n: &str| -> Vec<u64> {
        listing
            .find(n)
            .map(|b| b.segments.iter().map(|s| s.0).collect())
            .unwrap_or_default()
    };
    let before = prev.map(chain).unwrap_or_default();
    let mut want: Vec<u64> = chain(next)
        .into_iter()
        .filter(|o| !before.contains(o))
        .collect();
    // The build's own segment always (a build of `prev`'s chain is rebuilt from it).
    if let Some(own) = chain(next).last() {
        if !want.contains(own) {
            want.push(*own);
        }
    }
    want
}

/// Called with each build's answer (its place in the selection) and the sweep's times.
type OnAnswer<'a> = dyn FnMut(usize, Result<SweepColumn, String>, &SweepTimes) + 'a;

/// The sweep loop (see the module documentation): the builds of `sel` at `order` (places in
/// the selection, in sweep order), each asked `job(i)` (`i`: its place in the selection),
/// each answer handed to `answered` with the times since `t0`. Several loops may share
/// `times` and `answered` (a pool's workers). Returns `false` when a newer sweep took over.
#[allow(clippy::too_many_arguments)]
async fn sweep_builds(
    engine: &Engine,
    listing: &CatalogListing,
    sel: &Selection,
    order: &[u32],
    job: &dyn Fn(usize) -> SweepJob,
    live: &dyn Fn() -> bool,
    t0: f64,
    times: &RefCell<SweepTimes>,
    answered: &RefCell<&mut OnAnswer<'_>>,
) -> bool {
    let name = |k: usize| -> Option<&str> {
        order
            .get(k)
            .and_then(|&i| sel.builds.get(i as usize))
            .map(String::as_str)
    };
    let size = |offsets: &[u64]| -> u64 {
        offsets
            .iter()
            .filter_map(|o| {
                listing
                    .builds
                    .iter()
                    .flat_map(|b| &b.segments)
                    .find(|s| s.0 == *o)
                    .map(|s| s.1)
            })
            .sum()
    };
    // The segments of build `k` (in sweep order), its download started.
    let start = |k: usize| -> Option<(Vec<u64>, Started)> {
        let want = to_fetch(listing, k.checked_sub(1).and_then(name), name(k)?);
        Some((want.clone(), Started::new(&listing.version, want)))
    };
    let mut ahead: VecDeque<(Vec<u64>, Started)> = (0..PREFETCH).filter_map(start).collect();
    for (k, &i) in order.iter().enumerate() {
        let (Some(build), Some((mut offsets, fetching))) = (name(k), ahead.pop_front()) else {
            break;
        };
        let i = i as usize;
        let waited = now_ms();
        let mut segments = fetching.finish().await;
        times.borrow_mut().stall_ms += now_ms() - waited;
        if !live() {
            return false;
        }
        times.borrow_mut().bytes += size(&offsets);
        // Keep the next builds' downloads going while the engine works on this one.
        ahead.extend(start(k + PREFETCH));
        let answer = loop {
            let segs = match segments {
                Ok(s) => s,
                Err(e) => break Err(e),
            };
            match engine.catalog_sweep(build, segs, job(i)).await {
                Ok(SweepStep::Column(c)) => break Ok(c),
                Ok(SweepStep::Need(more)) => {
                    if !live() {
                        return false;
                    }
                    // The bytes sent were transferred away: fetch them again (the browser's
                    // cache has them) with the ones asked for.
                    let fresh: Vec<u64> = more
                        .iter()
                        .copied()
                        .filter(|o| !offsets.contains(o))
                        .collect();
                    if fresh.is_empty() {
                        break Err(format!(
                            "catalogue build {build}: the engine asks again for segments it was given"
                        ));
                    }
                    times.borrow_mut().bytes += size(&fresh);
                    offsets.extend(fresh);
                    let waited = now_ms();
                    segments = Started::new(&listing.version, offsets.clone())
                        .finish()
                        .await;
                    times.borrow_mut().stall_ms += now_ms() - waited;
                }
                Err(e) => break Err(e),
            }
        };
        if !live() {
            return false;
        }
        let now = {
            let mut t = times.borrow_mut();
            t.wall_ms = now_ms() - t0;
            *t
        };
        (answered.borrow_mut())(i, answer, &now);
    }
    true
}

/// The sweep order cut into reference chains: neighbours whose chains start at the same
/// whole build. A worker takes a chain at a time, so the references it keeps serve the
/// chain's next builds.
fn chains(listing: &CatalogListing, sel: &Selection) -> Vec<Vec<u32>> {
    let root = |i: u32| {
        sel.builds
            .get(i as usize)
            .and_then(|n| listing.find(n))
            .and_then(|b| b.segments.first())
            .map(|s| s.0)
    };
    let mut out: Vec<(Option<u64>, Vec<u32>)> = Vec::new();
    for &i in &sel.order {
        let r = root(i);
        match out.last_mut() {
            Some((last, chain)) if *last == r => chain.push(i),
            _ => out.push((r, vec![i])),
        }
    }
    out.into_iter().map(|(_, c)| c).collect()
}

/// How many engine workers a sweep runs on: one per core (the page's thread is nearly idle
/// during a sweep), at least the main engine, at most [`MAX_SWEEP_WORKERS`].
fn sweep_workers() -> usize {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    (cores as usize).clamp(1, MAX_SWEEP_WORKERS)
}

/// An engine worker besides the main one, for sweeps: the catalogue opened, and the object
/// of the last sweep it ran loaded in the same slot as in the main engine.
struct Helper {
    engine: Engine,
    catalog_open: Cell<bool>,
    object: Cell<Option<u32>>,
    /// Whether a sweep is using it (a newer sweep waits for an ended one's step to finish).
    busy: Cell<bool>,
}

thread_local! {
    /// The helpers spawned so far (they live as long as the page).
    static HELPERS: RefCell<Vec<Rc<Helper>>> = const { RefCell::new(Vec::new()) };
}

/// Helper `k`, spawned the first time.
fn helper(k: usize) -> Result<Rc<Helper>, String> {
    HELPERS.with(|h| {
        let mut h = h.borrow_mut();
        while h.len() <= k {
            h.push(Rc::new(Helper {
                engine: Engine::spawn(crate::app::WORKER_URL)?,
                catalog_open: Cell::new(false),
                object: Cell::new(None),
                busy: Cell::new(false),
            }));
        }
        Ok(h[k].clone())
    })
}

impl Helper {
    /// Makes it ready to answer `object`'s sweep: the catalogue opened, the object loaded
    /// from the main engine's copy of its file (and every other forgotten).
    async fn prepare(&self, main: &Engine, object: u32) -> Result<(), String> {
        if !self.catalog_open.get() {
            open_in(&self.engine).await?;
            self.catalog_open.set(true);
        }
        if self.object.get() != Some(object) {
            self.object.set(None);
            let file = main.object_file(object).await?;
            self.engine.load_object(object, "sweep", file).await?;
            self.engine.keep(vec![object]).await;
            self.object.set(Some(object));
        }
        Ok(())
    }
}

/// The Matrix sweep, on the main engine and the helpers: each worker takes the next
/// reference chain until none is left.
async fn run(
    loader: Loader,
    listing: Shared<CatalogListing>,
    sel: Shared<Selection>,
    job: SweepJob,
    live: Live,
    state: Out<MatrixSweep>,
) {
    if let Err(e) = loader.engine() {
        state.set(Some(Err(e)));
        return;
    }
    // The helpers load the job's object; a job without one has no Matrix to sweep.
    let SweepJob::Matrix { object, .. } = &job else {
        state.set(Some(Err(
            "a Matrix sweep was asked for another kind of job".to_owned(),
        )));
        return;
    };
    let object = *object;
    let pool = Rc::new(Pool {
        chains: chains(&listing, &sel),
        next: Cell::new(0),
        sweep: RefCell::new(MatrixSweep::new((*sel).clone())),
        times: RefCell::new(SweepTimes::default()),
        shown: Cell::new(0.0),
        t0: now_ms(),
    });
    for k in 0..sweep_workers() - 1 {
        let (loader, listing, sel, job, live, state, pool) = (
            loader.clone(),
            listing.clone(),
            sel.clone(),
            job.clone(),
            live.clone(),
            state.clone(),
            pool.clone(),
        );
        spawn_local(async move {
            let Ok(main) = loader.engine() else { return };
            let Ok(helper) = helper(k) else { return };
            // An ended sweep's helper finishes its step first.
            while helper.busy.get() {
                if !live.get() {
                    return;
                }
                yew::platform::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            helper.busy.set(true);
            // A helper that cannot start leaves the chains to the others.
            if live.get() && helper.prepare(main, object).await.is_ok() {
                pool.work(&helper.engine, &listing, &sel, &job, &live, &state)
                    .await;
            }
            helper.busy.set(false);
        });
    }
    let Ok(main) = loader.engine() else { return };
    pool.work(main, &listing, &sel, &job, &live, &state).await;
}

/// A Matrix sweep shared by its workers: the chains not yet taken, the table so far.
struct Pool {
    chains: Vec<Vec<u32>>,
    /// The next chain to take.
    next: Cell<usize>,
    sweep: RefCell<MatrixSweep>,
    times: RefCell<SweepTimes>,
    /// When the table was last painted.
    shown: Cell<f64>,
    /// When the sweep started.
    t0: f64,
}

impl Pool {
    /// Sweeps chains on `engine` until none is left (or a newer sweep took over).
    async fn work(
        &self,
        engine: &Engine,
        listing: &CatalogListing,
        sel: &Selection,
        job: &SweepJob,
        live: &Live,
        state: &Out<MatrixSweep>,
    ) {
        let live = || live.get();
        let mut answered = |i: usize, answer, t: &SweepTimes| {
            let mut sweep = self.sweep.borrow_mut();
            sweep.answered(i, answer);
            let rebuilt = sweep.times;
            sweep.times = SweepTimes {
                stall_ms: t.stall_ms,
                bytes: t.bytes,
                wall_ms: t.wall_ms,
                ..rebuilt
            };
            if sweep.finished() || now_ms() - self.shown.get() >= REPAINT_MS {
                self.shown.set(now_ms());
                state.set(Some(Ok(Shared::new(sweep.clone()))));
            }
        };
        let answered: RefCell<&mut OnAnswer<'_>> = RefCell::new(&mut answered);
        loop {
            let k = self.next.get();
            let Some(chain) = self.chains.get(k) else {
                return;
            };
            self.next.set(k + 1);
            let whole = sweep_builds(
                engine,
                listing,
                sel,
                chain,
                &|_| job.clone(),
                &live,
                self.t0,
                &self.times,
                &answered,
            )
            .await;
            if !whole {
                return;
            }
        }
    }
}

/// What an Ask sweep view shows: the sweep so far, or why there is none.
pub type AskSweepState = Option<Result<Shared<AskSweep>, String>>;

/// The Ask question `text`, compiled against the kernel in slot `local`, across catalogue
/// selection `selector` (`None`: no sweep): a pass of the question, the table gathered,
/// then (when there is a fix to check) a pass of the fix and the table gathered again.
#[hook]
pub fn use_ask_sweep(input: Option<(String, u32, String)>) -> AskSweepState {
    let input = input.map(|(selector, local, text)| (selector, (local, text)));
    use_sweep(
        input,
        AskSweep::new,
        |loader, listing, sel, (local, text), live, state| {
            let key = AskSweepKey {
                local,
                text,
                builds: sel.builds.clone(),
            };
            Box::pin(run_ask(loader, listing, sel, key, live, state))
        },
    )
}

/// Most rounds of fetching index shards for one pass (a member path through by-value
/// structs and typedefs needs one round per level it reaches).
const MAX_SHARD_ROUNDS: usize = 16;

/// The builds (places in the selection, ascending) the engine answered from the where-index
/// for pass `fix` of sweep `key`, the shards it asks for fetched and handed over first.
/// Anything that goes wrong here leaves every build to the sweep, which reports errors per
/// build as it always did.
async fn answered_from_index(
    engine: &Engine,
    loader: &Loader,
    key: &AskSweepKey,
    fix: bool,
    live: &dyn Fn() -> bool,
) -> Vec<u32> {
    for _ in 0..MAX_SHARD_ROUNDS {
        match engine.ask_from_index(key.clone(), fix).await {
            Ok(AskIndexStep::Answered(mut builds)) => {
                builds.sort_unstable();
                return builds;
            }
            Ok(AskIndexStep::NeedShards(shards)) => {
                if !live() || loader.catalog_shards(&shards).await.is_err() {
                    return Vec::new();
                }
            }
            Err(_) => return Vec::new(),
        }
    }
    Vec::new()
}

/// The Ask sweep's passes.
async fn run_ask(
    loader: Loader,
    listing: Shared<CatalogListing>,
    sel: Shared<Selection>,
    key: AskSweepKey,
    live: Live,
    state: Out<AskSweep>,
) {
    let live = || live.get();
    let engine = match loader.engine() {
        Ok(e) => e,
        Err(e) => {
            state.set(Some(Err(e)));
            return;
        }
    };
    let mut sweep = AskSweep::new((*sel).clone());
    let times = RefCell::new(SweepTimes::default());
    let mut shown = 0.0;
    for fix in [false, true] {
        sweep.checking_fix = fix;
        sweep.done = 0;
        let job = |i: usize| SweepJob::Ask {
            sweep: key.clone(),
            index: i as u32,
            fix,
        };
        let mut answered = |i: usize, answer, t: &SweepTimes| {
            sweep.answered(i, answer);
            sweep.times = SweepTimes {
                stall_ms: t.stall_ms,
                bytes: t.bytes,
                wall_ms: t.wall_ms,
                ..sweep.times
            };
            if now_ms() - shown >= REPAINT_MS {
                shown = now_ms();
                state.set(Some(Ok(Shared::new(sweep.clone()))));
            }
        };
        // The second pass's clock carries on from the first's end.
        let t0 = now_ms() - times.borrow().wall_ms;
        // The where-index answers the builds it decides at once; only the rest are swept.
        let from_index = answered_from_index(engine, &loader, &key, fix, &live).await;
        if !live() {
            return;
        }
        // The index's time (shards fetched included) shared among the builds it answered.
        let index_ms = (now_ms() - t0).max(0.0) / from_index.len().max(1) as f64;
        for &i in &from_index {
            answered(
                i as usize,
                Ok(SweepColumn {
                    answer: SweepAnswer::Ask(true),
                    rebuild_ms: 0.0,
                    parse_ms: 0.0,
                    work_ms: index_ms,
                }),
                &SweepTimes {
                    wall_ms: now_ms() - t0,
                    ..*times.borrow()
                },
            );
        }
        let rest: Vec<u32> = sel
            .order
            .iter()
            .copied()
            .filter(|i| from_index.binary_search(i).is_err())
            .collect();
        let whole = sweep_builds(
            engine,
            &listing,
            &sel,
            &rest,
            &job,
            &live,
            t0,
            &times,
            &RefCell::new(&mut answered),
        )
        .await;
        if !whole || !live() {
            return;
        }
        let gathered = engine.ask_sweep_table(key.clone()).await;
        if !live() {
            return;
        }
        match gathered {
            Ok(t) => {
                let more = t.fix_unchecked;
                sweep.table = Some(Shared::new(t));
                sweep.finished = !more || fix;
                sweep.times.wall_ms = times.borrow().wall_ms;
                state.set(Some(Ok(Shared::new(sweep.clone()))));
                if !more {
                    return;
                }
            }
            Err(e) => {
                state.set(Some(Err(e)));
                return;
            }
        }
    }
}
