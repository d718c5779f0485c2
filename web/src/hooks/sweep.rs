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

use std::cell::Cell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use super::{use_catalog, use_loader, use_query, Loader};
use crate::browser::now_ms;
use crate::catalog::Started;
use crate::dto::catalog::CatalogListing;
use crate::dto::sweep::{AskSweepKey, Selection, SweepColumn, SweepJob, SweepStep};
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

/// The sweep loop (see the module documentation): the builds of `sel` in sweep order, each
/// asked `job(i)` (`i`: its place in the selection), each answer handed to `answered`.
/// Returns `false` when a newer sweep took over.
async fn sweep_builds(
    engine: &crate::engine::Engine,
    listing: &CatalogListing,
    sel: &Selection,
    job: &dyn Fn(usize) -> SweepJob,
    live: &dyn Fn() -> bool,
    times: &mut SweepTimes,
    answered: &mut OnAnswer<'_>,
) -> bool {
    let t0 = now_ms() - times.wall_ms;
    let name = |k: usize| -> Option<&str> {
        sel.order
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
    for k in 0..sel.order.len() {
        let (Some(build), Some((mut offsets, fetching))) = (name(k), ahead.pop_front()) else {
            break;
        };
        let i = sel.order[k] as usize;
        let waited = now_ms();
        let mut segments = fetching.finish().await;
        times.stall_ms += now_ms() - waited;
        if !live() {
            return false;
        }
        times.bytes += size(&offsets);
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
                    times.bytes += size(&fresh);
                    offsets.extend(fresh);
                    let waited = now_ms();
                    segments = Started::new(&listing.version, offsets.clone())
                        .finish()
                        .await;
                    times.stall_ms += now_ms() - waited;
                }
                Err(e) => break Err(e),
            }
        };
        if !live() {
            return false;
        }
        times.wall_ms = now_ms() - t0;
        answered(i, answer, times);
    }
    true
}

/// The Matrix sweep.
async fn run(
    loader: Loader,
    listing: Shared<CatalogListing>,
    sel: Shared<Selection>,
    job: SweepJob,
    live: Live,
    state: Out<MatrixSweep>,
) {
    let live = || live.get();
    let engine = match loader.engine() {
        Ok(e) => e,
        Err(e) => {
            state.set(Some(Err(e)));
            return;
        }
    };
    let mut sweep = MatrixSweep::new((*sel).clone());
    let mut times = SweepTimes::default();
    let mut shown = 0.0;
    sweep_builds(
        engine,
        &listing,
        &sel,
        &|_| job.clone(),
        &live,
        &mut times,
        &mut |i, answer, t| {
            sweep.answered(i, answer);
            let rebuilt = sweep.times;
            sweep.times = SweepTimes {
                stall_ms: t.stall_ms,
                bytes: t.bytes,
                wall_ms: t.wall_ms,
                ..rebuilt
            };
            if sweep.finished() || now_ms() - shown >= REPAINT_MS {
                shown = now_ms();
                state.set(Some(Ok(Shared::new(sweep.clone()))));
            }
        },
    )
    .await;
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
    let mut times = SweepTimes::default();
    let mut shown = 0.0;
    for fix in [false, true] {
        sweep.checking_fix = fix;
        sweep.done = 0;
        let job = |i: usize| SweepJob::Ask {
            sweep: key.clone(),
            index: i as u32,
            fix,
        };
        let whole = sweep_builds(
            engine,
            &listing,
            &sel,
            &job,
            &live,
            &mut times,
            &mut |i, answer, t| {
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
            },
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
                sweep.times.wall_ms = times.wall_ms;
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
