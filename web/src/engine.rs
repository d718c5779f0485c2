//! The app's handle on the engine worker: spawn it, send a [`Request`], await its [`Reply`].
//!
//! Each call gets an id and a promise; the worker's `message` handler resolves the promise
//! whose id the reply carries, and hands early parts (`part` messages) to the call's part
//! handler. If the worker dies (or cannot start), every pending call fails with the worker's
//! error instead of hanging.
//!
//! Why a plain module `Worker` and not yew-agent (web-toolchain.md §7.4): the worker must keep
//! the parsed kernel between requests (a oneshot task is stateless), yew-agent copies every
//! payload through its bincode codec, and its oneshot provider cannot start a module worker.
//! Measured in Chromium 156 on this machine, a 12 MB buffer (the 6.1 raw listing is 9.6 MB)
//! makes a worker round trip in 57 ms when cloned and 1.3 ms when transferred (2 MB: 6.2 vs
//! 0.4 ms). The worker is also the same `corelab` wasm documentation authors load.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::dto::catalog::CatalogListing;
use crate::dto::object::ObjectSummary;
use crate::dto::sweep::{
    AskIndexRequest, AskIndexStep, AskSweepKey, AskSweepRequest, AskSweepTable, SweepJob, SweepStep,
};
use crate::dto::{LoadReport, TypeIndexData};
use crate::protocol::{self, blobs_from_js, Envelope, Reply, Request};
use crate::query::{AnyQuery, AnyReply, Blob};

/// A call's early parts go here.
type OnPart = Rc<dyn Fn(Reply)>;

/// Calls in flight: id, the promise's resolve and reject, the part handler.
type Pending = Rc<RefCell<Vec<(u32, Function, Function, Option<OnPart>)>>>;

/// The worker and its calls in flight.
pub struct Engine {
    worker: web_sys::Worker,
    pending: Pending,
    next_id: Cell<u32>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("pending", &self.pending.borrow().len())
            .finish()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The reply in a message, with its bulk put back.
fn reply_of(data: &JsValue) -> Result<(u32, bool, Reply, Vec<Blob>), String> {
    let env = Envelope::<Reply>::unpack(data)?;
    let blobs = blobs_from_js(&env.blobs);
    Ok((env.id, env.part, env.body, blobs))
}

impl Engine {
    /// Starts the module worker at `url` (`worker.js`).
    pub fn spawn(url: &str) -> Result<Engine, String> {
        let opts = web_sys::WorkerOptions::new();
        opts.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(url, &opts)
            .map_err(|e| format!("cannot start the engine worker: {e:?}"))?;
        let pending: Pending = Rc::default();
        let on_message = {
            let pending = pending.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data();
                let id = js_sys::Reflect::get(&data, &"id".into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .map(|v| v as u32);
                let part = js_sys::Reflect::get(&data, &"part".into())
                    .ok()
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                if part {
                    // Decoded here: the part handler takes the reply itself.
                    if let Ok((id, _, mut reply, blobs)) = reply_of(&data) {
                        reply.put_blobs(blobs);
                        // Out of the borrow: the handler may start other calls.
                        let on_part = pending
                            .borrow()
                            .iter()
                            .find(|c| c.0 == id)
                            .and_then(|c| c.3.clone());
                        if let Some(on_part) = on_part {
                            on_part(reply);
                        }
                    }
                    return;
                }
                let entry = id.and_then(|id| {
                    let mut p = pending.borrow_mut();
                    let i = p.iter().position(|c| c.0 == id)?;
                    Some(p.swap_remove(i))
                });
                if let Some((_, resolve, _, _)) = entry {
                    let _ = resolve.call1(&JsValue::NULL, &data);
                }
            })
        };
        let on_error = {
            let pending = pending.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let msg = js_sys::Reflect::get(&e, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| "the engine worker failed".to_owned());
                let failed: Vec<_> = pending.borrow_mut().drain(..).collect();
                for (_, _, reject, _) in failed {
                    let _ = reject.call1(&JsValue::NULL, &msg.clone().into());
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Engine {
            worker,
            pending,
            next_id: Cell::new(1),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends `request` with `blobs` (their buffers are transferred) and awaits the reply;
    /// early parts go to `on_part`.
    pub async fn call(
        &self,
        request: Request,
        blobs: Vec<JsValue>,
        on_part: Option<OnPart>,
    ) -> Result<(Reply, Vec<Blob>), String> {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let (msg, transfer) = Envelope {
            id,
            part: false,
            body: request,
            blobs,
        }
        .pack()?;
        let pending = self.pending.clone();
        let mut on_part = Some(on_part);
        let promise = Promise::new(&mut |resolve, reject| {
            let part = on_part.take().flatten();
            pending.borrow_mut().push((id, resolve, reject, part));
        });
        if let Err(e) = self.worker.post_message_with_transfer(&msg, &transfer) {
            self.pending.borrow_mut().retain(|c| c.0 != id);
            return Err(format!("cannot reach the engine worker: {e:?}"));
        }
        let answer = JsFuture::from(promise)
            .await
            .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))?;
        let (_, _, body, blobs) = reply_of(&answer)?;
        match body {
            Reply::Failed { message } => Err(message),
            body => Ok((body, blobs)),
        }
    }

    /// Asks query `q`; early parts of the answer go to `on_part`. (Not generic: one copy
    /// serves every kind of query.)
    pub async fn ask(
        &self,
        q: AnyQuery,
        on_part: Rc<dyn Fn(AnyReply)>,
    ) -> Result<AnyReply, String> {
        let on_part: OnPart = Rc::new(move |r| {
            if let Reply::Answer(a) = r {
                on_part(*a);
            }
        });
        match self
            .call(Request::Query(q), Vec::new(), Some(on_part))
            .await?
        {
            (Reply::Answer(mut a), blobs) => {
                crate::query::Payload::put_blobs(&mut *a, blobs);
                Ok(*a)
            }
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Loads a kernel's bytes into `slot` (as split BTF over the kernel in `base` if they
    /// need one; `unpacked`: layers the browser already peeled).
    pub async fn load(
        &self,
        slot: u32,
        label: &str,
        bytes: Uint8Array,
        base: Option<u32>,
        unpacked: Vec<String>,
    ) -> Result<LoadReport, String> {
        let request = Request::Load {
            slot,
            label: label.to_owned(),
            base,
            unpacked,
        };
        match self.call(request, vec![bytes.into()], None).await? {
            (Reply::Loaded { report }, _) => Ok(report),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The type index of the kernel in `slot`.
    pub async fn type_index(&self, slot: u32) -> Result<TypeIndexData, String> {
        match self
            .call(Request::TypeIndex { slot }, Vec::new(), None)
            .await?
        {
            (Reply::Index, blobs) => Ok(protocol::index_from_blobs(blobs)),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Loads a BPF object's bytes into `slot`.
    pub async fn load_object(
        &self,
        slot: u32,
        label: &str,
        bytes: Uint8Array,
    ) -> Result<ObjectSummary, String> {
        let request = Request::LoadObject {
            slot,
            label: label.to_owned(),
        };
        match self.call(request, vec![bytes.into()], None).await? {
            (Reply::ObjectLoaded { summary }, _) => Ok(summary),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The file of the object in `slot`, as it was loaded (for another engine to load).
    pub async fn object_file(&self, slot: u32) -> Result<Uint8Array, String> {
        match self
            .call(Request::ObjectFile { slot }, Vec::new(), None)
            .await?
        {
            (Reply::ObjectFile, blobs) => {
                let bytes = blobs.into_iter().next().map(Blob::into_bytes);
                Ok(Uint8Array::from(bytes.unwrap_or_default().as_slice()))
            }
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Opens the kernel catalogue from the start of its archive (preamble and head).
    pub async fn catalog_open(&self, head: Uint8Array) -> Result<CatalogListing, String> {
        match self
            .call(Request::CatalogOpen, vec![head.into()], None)
            .await?
        {
            (Reply::Catalog { listing }, _) => Ok(listing),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Rebuilds catalogue build `build` into `slot` from its chain's segments (file offset,
    /// bytes).
    pub async fn catalog_load(
        &self,
        slot: u32,
        build: &str,
        segments: Vec<(u64, Uint8Array)>,
    ) -> Result<LoadReport, String> {
        let (offsets, blobs): (Vec<u64>, Vec<JsValue>) =
            segments.into_iter().map(|(o, b)| (o, b.into())).unzip();
        let request = Request::CatalogLoad {
            slot,
            build: build.to_owned(),
            offsets,
        };
        match self.call(request, blobs, None).await? {
            (Reply::Loaded { report }, _) => Ok(report),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// One step of a sweep: `job` for catalogue build `build` from the segments handed over
    /// (file offset, bytes).
    pub async fn catalog_sweep(
        &self,
        build: &str,
        segments: Vec<(u64, Uint8Array)>,
        job: SweepJob,
    ) -> Result<SweepStep, String> {
        let (offsets, blobs): (Vec<u64>, Vec<JsValue>) =
            segments.into_iter().map(|(o, b)| (o, b.into())).unzip();
        let request = Request::CatalogSweep {
            build: build.to_owned(),
            offsets,
            job,
        };
        match self.call(request, blobs, None).await? {
            (Reply::Swept(step), _) => Ok(step),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// An Ask sweep's table, from the answers the engine kept.
    pub async fn ask_sweep_table(&self, sweep: AskSweepKey) -> Result<AskSweepTable, String> {
        let request = Request::AskSweepTable(AskSweepRequest { sweep });
        match self.call(request, Vec::new(), None).await? {
            (Reply::AskTable(t), _) => Ok(*t),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// An Ask sweep's pass (`fix`: the fix's check) answered from the where-index on the
    /// builds it decides.
    pub async fn ask_from_index(
        &self,
        sweep: AskSweepKey,
        fix: bool,
    ) -> Result<AskIndexStep, String> {
        let request = Request::AskFromIndex(AskIndexRequest { sweep, fix });
        match self.call(request, Vec::new(), None).await? {
            (Reply::AskIndex(step), _) => Ok(step),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Hands where-index shards (their index, bytes) to the engine.
    pub async fn catalog_shards(&self, shards: Vec<(u32, Uint8Array)>) -> Result<(), String> {
        let (shards, blobs): (Vec<u32>, Vec<JsValue>) =
            shards.into_iter().map(|(i, b)| (i, b.into())).unzip();
        match self
            .call(Request::CatalogShards { shards }, blobs, None)
            .await?
        {
            (Reply::Done, _) => Ok(()),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Tells the worker to forget every kernel and object but those in `slots`.
    pub async fn keep(&self, slots: Vec<u32>) {
        let _ = self.call(Request::Keep { slots }, Vec::new(), None).await;
    }
}

fn unexpected(r: &Reply) -> String {
    // The variant's name only: `{r:?}` would link every reply shape's Debug into the app.
    let what = match r {
        Reply::Loaded { .. } => "Loaded",
        Reply::Index => "Index",
        Reply::ObjectLoaded { .. } => "ObjectLoaded",
        Reply::ObjectFile => "ObjectFile",
        Reply::Catalog { .. } => "Catalog",
        Reply::Swept(_) => "Swept",
        Reply::AskTable(_) => "AskTable",
        Reply::AskIndex(_) => "AskIndex",
        Reply::Answer(_) => "Answer",
        Reply::Done => "Done",
        Reply::Failed { .. } => "Failed",
    };
    format!("unexpected reply from the engine worker: {what}")
}
