//! The app's handle on the engine worker: spawn it, send a [`Request`], await its [`Reply`].
//!
//! Each call gets an id and a promise; the worker's `message` handler resolves the promise
//! whose id the reply carries. If the worker dies (or cannot start), every pending call fails
//! with the worker's error instead of hanging.
//!
//! Why a plain module `Worker` and not yew-agent (web-toolchain.md §7.4): the worker must keep
//! the parsed kernel between requests (a oneshot task is stateless), yew-agent copies every
//! payload through its bincode codec, and its oneshot provider cannot start a module worker.
//! Measured in Chromium 156 on this machine, a 12 MB buffer (the 6.1 raw listing is 9.6 MB)
//! makes a worker round trip in 57 ms when cloned and 1.3 ms when transferred (2 MB: 6.2 vs
//! 0.4 ms). The worker is also the same `corelab` wasm documentation authors load.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::dto::compare::CompareTable;
use crate::dto::guard::{GuardReport, WhatIf};
use crate::dto::matrix::MatrixTable;
use crate::dto::object::ObjectSummary;
use crate::dto::reloc::{RelocExplanation, RelocTable};
use crate::dto::{DocumentData, HeaderDocument, LoadReport, TypeDetail, TypeIndexData};
use crate::protocol::{self, Envelope, Reply, Request};

type Pending = Rc<RefCell<HashMap<u32, (Function, Function)>>>;

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
                let entry = id.and_then(|id| pending.borrow_mut().remove(&id));
                if let Some((resolve, _)) = entry {
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
                for (_, (_, reject)) in pending.borrow_mut().drain() {
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

    /// Sends `request` with `blobs` (their buffers are transferred) and awaits the reply.
    pub async fn call(
        &self,
        request: Request,
        blobs: Vec<JsValue>,
    ) -> Result<(Reply, Vec<JsValue>), String> {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let (msg, transfer) = Envelope {
            id,
            body: request,
            blobs,
        }
        .pack()?;
        let pending = self.pending.clone();
        let promise = Promise::new(&mut |resolve, reject| {
            pending.borrow_mut().insert(id, (resolve, reject));
        });
        if let Err(e) = self.worker.post_message_with_transfer(&msg, &transfer) {
            self.pending.borrow_mut().remove(&id);
            return Err(format!("cannot reach the engine worker: {e:?}"));
        }
        let answer = JsFuture::from(promise)
            .await
            .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))?;
        let env = Envelope::<Reply>::unpack(&answer)?;
        match env.body {
            Reply::Failed { message } => Err(message),
            body => Ok((body, env.blobs)),
        }
    }

    /// Loads a kernel's bytes into `slot` (as split BTF over the kernel in `base` if they
    /// need one): its summary, and its type index when `index`.
    pub async fn load(
        &self,
        slot: u32,
        label: &str,
        bytes: Uint8Array,
        base: Option<u32>,
        index: bool,
    ) -> Result<(LoadReport, Option<TypeIndexData>), String> {
        let request = Request::Load {
            slot,
            label: label.to_owned(),
            base,
            index,
        };
        match self.call(request, vec![bytes.into()]).await? {
            (Reply::Loaded { report }, blobs) => {
                Ok((report, index.then(|| protocol::index_from_blobs(&blobs))))
            }
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The type index of the kernel in `slot`.
    pub async fn type_index(&self, slot: u32) -> Result<TypeIndexData, String> {
        match self.call(Request::TypeIndex { slot }, Vec::new()).await? {
            (Reply::Index, blobs) => Ok(protocol::index_from_blobs(&blobs)),
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
        match self.call(request, vec![bytes.into()]).await? {
            (Reply::ObjectLoaded { summary }, _) => Ok(summary),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Every relocation of an object against a kernel.
    pub async fn relocate(
        &self,
        object: u32,
        kernel: u32,
        whatif: WhatIf,
    ) -> Result<RelocTable, String> {
        let r = Request::Relocate {
            object,
            kernel,
            whatif,
        };
        match self.call(r, Vec::new()).await? {
            (Reply::Relocated { table }, _) => Ok(table),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// One relocation explained.
    pub async fn explain(
        &self,
        object: u32,
        kernel: u32,
        whatif: WhatIf,
        idx: u32,
    ) -> Result<RelocExplanation, String> {
        let r = Request::Explain {
            object,
            kernel,
            whatif,
            idx,
        };
        match self.call(r, Vec::new()).await? {
            (Reply::Explained { explanation }, _) => Ok(explanation),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The guard simulation with the flow of `prog`.
    pub async fn guard(
        &self,
        object: u32,
        kernel: u32,
        whatif: WhatIf,
        prog: Option<String>,
    ) -> Result<GuardReport, String> {
        let r = Request::Guard {
            object,
            kernel,
            whatif,
            prog,
        };
        match self.call(r, Vec::new()).await? {
            (Reply::Guarded { report }, _) => Ok(report),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// An object against many kernels.
    pub async fn matrix(
        &self,
        object: u32,
        kernels: Vec<u32>,
        whatif: WhatIf,
    ) -> Result<MatrixTable, String> {
        let r = Request::Matrix {
            object,
            kernels,
            whatif,
        };
        match self.call(r, Vec::new()).await? {
            (Reply::Matrix { table }, _) => Ok(table),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// A struct or union across kernels.
    pub async fn compare(&self, kernels: Vec<u32>, name: String) -> Result<CompareTable, String> {
        match self
            .call(Request::Compare { kernels, name }, Vec::new())
            .await?
        {
            (Reply::Compared { table }, _) => Ok(table),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// One type of the kernel in `slot`.
    pub async fn type_detail(&self, slot: u32, id: u32) -> Result<Option<TypeDetail>, String> {
        match self
            .call(Request::TypeDetail { slot, id }, Vec::new())
            .await?
        {
            (Reply::TypeDetail { detail }, _) => Ok(detail),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The raw listing of the kernel in `slot`.
    pub async fn raw_listing(&self, slot: u32) -> Result<DocumentData, String> {
        match self.call(Request::RawListing { slot }, Vec::new()).await? {
            (Reply::Document, blobs) => Ok(protocol::document_from_blobs(&blobs)),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The generated header of the kernel in `slot` (whole, or only what `roots` need), and
    /// the time the worker spent on it in ms.
    pub async fn header(
        &self,
        slot: u32,
        profile: &str,
        roots: Vec<String>,
        helpers: bool,
    ) -> Result<(HeaderDocument, f64), String> {
        let r = Request::Header {
            slot,
            profile: profile.to_owned(),
            roots,
            helpers,
        };
        match self.call(r, Vec::new()).await? {
            (
                Reply::Header {
                    profile,
                    warnings,
                    ms,
                },
                blobs,
            ) => Ok((
                HeaderDocument {
                    document: protocol::document_from_blobs(&blobs),
                    profile,
                    warnings,
                },
                ms,
            )),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// pahole's layout of struct or union `name` (or decimal id) in the kernel in `slot`.
    pub async fn layout(&self, slot: u32, name: String) -> Result<String, String> {
        match self
            .call(Request::Layout { slot, name }, Vec::new())
            .await?
        {
            (Reply::Layout { text }, _) => Ok(text),
            (other, _) => Err(unexpected(&other)),
        }
    }
}

fn unexpected(r: &Reply) -> String {
    // The variant's name only: `{r:?}` would link every reply shape's Debug into the app.
    let what = match r {
        Reply::Loaded { .. } => "Loaded",
        Reply::Index => "Index",
        Reply::ObjectLoaded { .. } => "ObjectLoaded",
        Reply::Relocated { .. } => "Relocated",
        Reply::Explained { .. } => "Explained",
        Reply::Guarded { .. } => "Guarded",
        Reply::Matrix { .. } => "Matrix",
        Reply::Compared { .. } => "Compared",
        Reply::TypeDetail { .. } => "TypeDetail",
        Reply::Document => "Document",
        Reply::Done => "Done",
        Reply::Header { .. } => "Header",
        Reply::Layout { .. } => "Layout",
        Reply::Failed { .. } => "Failed",
    };
    format!("unexpected reply from the engine worker: {what}")
}
