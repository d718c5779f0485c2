//! The kernel catalogue as the page fetches it: `make dist` splits the archive into its head
//! (`dist/catalog/debian.head.bin`, ~15 KB, fetched once) and one file per segment named by its
//! file offset (`dist/catalog/s/<version>/<offset>.bin`, scripts/catalog/split.py), so any static
//! server serves one build as the few segments of its delta chain — no Range requests.
//!
//! The page fetches; the engine parses the head, rebuilds a build from the segments handed
//! to it (sha256 checked) and answers where-questions from the index shards handed to it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::platform::time::sleep;

use crate::browser;
use crate::dto::catalog::CatalogListing;
use crate::dto::LoadReport;
use crate::engine::Engine;
use crate::shared::Shared;

/// Where the split archive lies, relative to the page.
const DIR: &str = "catalog/";

/// The catalogue's listing, fetched and opened once, and the shards handed to the engine.
#[derive(Debug, Default)]
pub struct CatalogClient {
    listing: RefCell<Option<Shared<CatalogListing>>>,
    opening: Cell<bool>,
    shards: RefCell<Vec<u32>>,
}

/// A build fetched and rebuilt: the engine's report, the time spent fetching and the bytes
/// fetched.
#[derive(Debug)]
pub struct Fetched {
    /// The engine's report (its `parse_ms` counts the rebuild and the parse).
    pub report: LoadReport,
    /// Milliseconds fetching (the head too, on the first build).
    pub fetch_ms: f64,
    /// Bytes fetched for this build.
    pub bytes: u64,
}

impl CatalogClient {
    /// The builds (fetching and opening the head the first time).
    pub async fn listing(&self, engine: &Engine) -> Result<Shared<CatalogListing>, String> {
        while self.opening.get() {
            sleep(Duration::from_millis(10)).await;
        }
        if let Some(l) = self.listing.borrow().as_ref() {
            return Ok(l.clone());
        }
        self.opening.set(true);
        let opened = async {
            let url = format!("{DIR}debian.head.bin");
            let head = browser::fetch_bytes(&url, Rc::new(|_, _| {}), false).await?;
            engine.catalog_open(head).await
        }
        .await;
        self.opening.set(false);
        let listing = Shared::new(opened?);
        *self.listing.borrow_mut() = Some(listing.clone());
        Ok(listing)
    }

    /// Fetches build `name`'s segments (all at once) and has the engine rebuild it into
    /// `slot`.
    pub async fn load(&self, engine: &Engine, name: &str, slot: u32) -> Result<Fetched, String> {
        let started = browser::now_ms();
        let listing = self.listing(engine).await?;
        let build = listing
            .find(name)
            .ok_or_else(|| format!("no catalogue build named @{name}"))?;
        let offsets: Vec<u64> = build.segments.iter().map(|s| s.0).collect();
        let segments = fetch_all(&listing.version, &offsets).await?;
        let bytes = segments.iter().map(|s| s.length() as u64).sum();
        let fetch_ms = browser::now_ms() - started;
        let report = engine
            .catalog_load(slot, name, offsets.into_iter().zip(segments).collect())
            .await?;
        Ok(Fetched {
            report,
            fetch_ms,
            bytes,
        })
    }

    /// Hands index shards `wanted` to the engine (fetching those it does not have yet).
    pub async fn shards(&self, engine: &Engine, wanted: &[u32]) -> Result<(), String> {
        let listing = self.listing(engine).await?;
        let new: Vec<u32> = wanted
            .iter()
            .copied()
            .filter(|s| !self.shards.borrow().contains(s))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let offsets = new
            .iter()
            .map(|&s| {
                listing
                    .shards
                    .get(s as usize)
                    .map(|x| x.0)
                    .ok_or_else(|| format!("kernel catalogue: no index shard {s}"))
            })
            .collect::<Result<Vec<u64>, String>>()?;
        let bytes = fetch_all(&listing.version, &offsets).await?;
        engine
            .catalog_shards(new.iter().copied().zip(bytes).collect())
            .await?;
        self.shards.borrow_mut().extend(new);
        Ok(())
    }
}

/// Opens the catalogue in another engine (a sweep's helper): the head fetched again, which
/// the browser's cache holds by now.
pub async fn open_in(engine: &Engine) -> Result<(), String> {
    let url = format!("{DIR}debian.head.bin");
    let head = browser::fetch_bytes(&url, Rc::new(|_, _| {}), false).await?;
    engine.catalog_open(head).await.map(|_| ())
}

/// Segment files whose fetches have started (the browser downloads them while the page
/// awaits something else: a sweep prefetches the next build's this way).
#[derive(Debug)]
pub struct Started {
    offsets: Vec<u64>,
    fetches: Result<Vec<(String, js_sys::Promise)>, String>,
}

impl Started {
    /// Starts fetching the segment files at `offsets` of archive `version`.
    pub fn new(version: &str, offsets: Vec<u64>) -> Started {
        let fetches = web_sys::window()
            .ok_or_else(|| "no window".to_owned())
            .map(|w| {
                offsets
                    .iter()
                    .map(|o| {
                        let url = format!("{DIR}s/{version}/{o}.bin");
                        let p = w.fetch_with_str(&url);
                        (url, p)
                    })
                    .collect()
            });
        Started { offsets, fetches }
    }

    /// The segments (file offset, bytes), once all have arrived.
    pub async fn finish(self) -> Result<Vec<(u64, Uint8Array)>, String> {
        let bytes = read_all(self.fetches?).await?;
        Ok(self.offsets.into_iter().zip(bytes).collect())
    }
}

/// The segment files at `offsets` of archive `version`, fetched in parallel.
async fn fetch_all(version: &str, offsets: &[u64]) -> Result<Vec<Uint8Array>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let started: Vec<(String, js_sys::Promise)> = offsets
        .iter()
        .map(|o| {
            let url = format!("{DIR}s/{version}/{o}.bin");
            let p = window.fetch_with_str(&url);
            (url, p)
        })
        .collect();
    read_all(started).await
}

/// The bodies of fetches already started, in order.
async fn read_all(started: Vec<(String, js_sys::Promise)>) -> Result<Vec<Uint8Array>, String> {
    let mut out = Vec::with_capacity(started.len());
    for (url, p) in started {
        let fail = |e: wasm_bindgen::JsValue| format!("{url}: {}", browser::describe(e));
        let resp: web_sys::Response = JsFuture::from(p)
            .await
            .map_err(fail)?
            .dyn_into()
            .map_err(fail)?;
        if !resp.ok() {
            return Err(format!(
                "{url}: HTTP {} {}",
                resp.status(),
                resp.status_text()
            ));
        }
        let buf = JsFuture::from(resp.array_buffer().map_err(fail)?)
            .await
            .map_err(fail)?;
        out.push(Uint8Array::new(&buf));
    }
    Ok(out)
}
