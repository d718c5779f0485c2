//! The bundled kernels the worker holds, so that picking one again, or relocating against
//! all of them (the matrix), never fetches or parses twice — and each keeps its
//! essential-name index, built on its first relocation, and its type index once asked for.
//!
//! Catalogue builds (`@BUILD` ids) are held the same way, the last [`CATALOG_HELD`] of them:
//! each is a whole kernel in the worker's memory.
//!
//! Loads of the same kernel are not duplicated: a second caller waits for the first.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use yew::platform::time::sleep;

use crate::browser;
use crate::bundled;
use crate::catalog::CatalogClient;
use crate::dto::KernelSummary;
use crate::engine::Engine;
use crate::search::TypeIndex;
use crate::shared::Shared;
use crate::state::LoadTimings;

/// A bundled kernel in the worker.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its slot.
    pub slot: u32,
    /// What `corelab info` says.
    pub summary: Shared<KernelSummary>,
    /// Its type index, once asked for.
    pub index: Option<Shared<TypeIndex>>,
    /// The first load's timings.
    pub timings: LoadTimings,
}

/// Bundled kernels by id.
///
/// A handful of entries at most (one per bundled kernel), so plain lists: a map's code would
/// outweigh them in the wasm.
#[derive(Debug, Default)]
pub struct KernelCache {
    entries: RefCell<Vec<(String, Entry)>>,
    /// The kernel catalogue's files.
    pub catalog: CatalogClient,
    /// Ids being loaded, with their slots.
    pending: RefCell<Vec<(String, u32)>>,
}

/// Catalogue builds kept loaded (the oldest is forgotten first; the active kernel stays in
/// the worker regardless).
pub const CATALOG_HELD: usize = 3;

/// What a load reports while it runs.
pub trait LoadProgress {
    /// Bytes fetched so far.
    fn fetched(&self, done: u64, total: Option<u64>);
    /// The bytes are with the engine.
    fn parsing(&self);
}

/// No progress reports.
#[derive(Debug)]
pub struct Quiet;

impl LoadProgress for Quiet {
    fn fetched(&self, _: u64, _: Option<u64>) {}
    fn parsing(&self) {}
}

impl KernelCache {
    /// Every slot the cache holds or is filling.
    pub fn slots(&self) -> Vec<u32> {
        let entries = self.entries.borrow();
        let pending = self.pending.borrow();
        let held = entries.iter().map(|(_, e)| e.slot);
        held.chain(pending.iter().map(|&(_, slot)| slot)).collect()
    }

    /// The entry of a kernel already loaded.
    pub fn get(&self, id: &str) -> Option<Entry> {
        let entries = self.entries.borrow();
        entries
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, e)| e.clone())
    }

    /// Bundled kernel `id`, loaded into a new slot `new_slot()` if it is not in the worker
    /// yet. Its type index is not built here: see [`KernelCache::index`].
    pub async fn load(
        &self,
        engine: &Engine,
        id: &str,
        new_slot: impl FnOnce() -> u32,
        progress: Rc<dyn LoadProgress>,
    ) -> Result<Entry, String> {
        // Someone else is loading it: wait for them.
        while self.pending.borrow().iter().any(|(k, _)| k == id) {
            sleep(Duration::from_millis(10)).await;
        }
        if let Some(e) = self.get(id) {
            return Ok(e);
        }
        let bundled = match id.strip_prefix('@') {
            Some(_) => None,
            None => Some(bundled::find(id).ok_or_else(|| format!("no bundled kernel named {id}"))?),
        };
        let slot = new_slot();
        self.pending.borrow_mut().push((id.to_owned(), slot));
        let r = match (bundled, id.strip_prefix('@')) {
            (Some(k), _) => fetch_and_parse(engine, k, slot, progress).await,
            (None, build) => {
                self.load_from_catalog(engine, build.unwrap_or(id), slot, progress)
                    .await
            }
        };
        self.pending.borrow_mut().retain(|(k, _)| k != id);
        let e = r?;
        // Not there yet: `get` above found nothing and concurrent loads waited on `pending`.
        let mut entries = self.entries.borrow_mut();
        entries.push((id.to_owned(), e.clone()));
        let held = entries.iter().filter(|(k, _)| k.starts_with('@')).count();
        if held > CATALOG_HELD {
            if let Some(oldest) = entries.iter().position(|(k, _)| k.starts_with('@')) {
                entries.remove(oldest);
            }
        }
        Ok(e)
    }

    /// The type index of bundled kernel `id` (loaded), built once.
    pub async fn index(&self, engine: &Engine, id: &str) -> Result<Shared<TypeIndex>, String> {
        let e = self.get(id).ok_or("kernel not loaded")?;
        if let Some(i) = e.index {
            return Ok(i);
        }
        let index = Shared::new(TypeIndex::new(engine.type_index(e.slot).await?));
        if let Some((_, e)) = self.entries.borrow_mut().iter_mut().find(|(k, _)| k == id) {
            e.index = Some(index.clone());
        }
        Ok(index)
    }
}

impl KernelCache {
    /// A catalogue build: its segments fetched, rebuilt and parsed by the engine.
    async fn load_from_catalog(
        &self,
        engine: &Engine,
        build: &str,
        slot: u32,
        progress: Rc<dyn LoadProgress>,
    ) -> Result<Entry, String> {
        let started = browser::now_ms();
        let fetched = self.catalog.load(engine, build, slot).await?;
        progress.fetched(fetched.bytes, Some(fetched.bytes));
        Ok(Entry {
            slot,
            summary: Shared::new(fetched.report.summary),
            index: None,
            timings: LoadTimings {
                fetch_ms: fetched.fetch_ms,
                parse_ms: fetched.report.parse_ms,
                total_ms: browser::now_ms() - started,
            },
        })
    }
}

/// Fetches a bundled kernel (gunzipped by the browser as it downloads) and has the engine
/// parse it.
async fn fetch_and_parse(
    engine: &Engine,
    k: &bundled::BundledKernel,
    slot: u32,
    progress: Rc<dyn LoadProgress>,
) -> Result<Entry, String> {
    let started = browser::now_ms();
    let on_bytes = {
        let progress = progress.clone();
        Rc::new(move |d, t| progress.fetched(d, t))
    };
    let bytes = browser::fetch_bytes(&k.url(), on_bytes, true).await?;
    let fetched = browser::now_ms();
    progress.parsing();
    let report = engine
        .load(slot, k.id, bytes, None, vec!["gzip".to_owned()])
        .await?;
    Ok(Entry {
        slot,
        summary: Shared::new(report.summary),
        index: None,
        timings: LoadTimings {
            fetch_ms: fetched - started,
            parse_ms: report.parse_ms,
            total_ms: browser::now_ms() - started,
        },
    })
}
