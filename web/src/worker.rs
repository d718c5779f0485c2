//! The engine worker: keeps a [`Session`] and answers [`Request`]s from the app.
//!
//! It runs the `corelab` wasm (the JS API build) in a module worker; `www/worker.js` loads
//! it and hands every message to [`worker_handle`]. Parsing a 5.5 MB kernel, building the
//! raw listing and later the header all happen here, off the main thread.

use std::cell::RefCell;

#[cfg(feature = "api")]
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::now_ms;
use crate::dto::LoadReport;
use crate::protocol::{self, Envelope, Reply, Request};
use crate::session::header::HeaderRequest;
use crate::session::Session;

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::with_clock(now_ms));
}

/// Answers one request: the reply and its blobs.
pub fn handle(session: &mut Session, request: Request, blobs: &[JsValue]) -> (Reply, Vec<JsValue>) {
    let missing = |slot: u32| Reply::Failed {
        message: format!("no kernel loaded in slot {slot}"),
    };
    match request {
        Request::Load {
            slot,
            label,
            base,
            index,
        } => {
            let started = now_ms();
            let bytes = protocol::blob_bytes(blobs, 0);
            match session.load(slot, &label, &bytes, base) {
                Ok(kernel) => {
                    let summary = kernel.summary();
                    let parsed = now_ms();
                    let blobs = if index {
                        protocol::index_blobs(&kernel.type_index())
                    } else {
                        Vec::new()
                    };
                    let report = LoadReport {
                        summary,
                        parse_ms: parsed - started,
                        index_ms: now_ms() - parsed,
                    };
                    (Reply::Loaded { report }, blobs)
                }
                Err(message) => (Reply::Failed { message }, Vec::new()),
            }
        }
        Request::TypeIndex { slot } => match session.kernel(slot) {
            Some(k) => (Reply::Index, protocol::index_blobs(&k.type_index())),
            None => (missing(slot), Vec::new()),
        },
        Request::LoadObject { slot, label } => {
            let bytes = protocol::blob_bytes(blobs, 0);
            answer(session.load_object(slot, &label, &bytes), |summary| {
                Reply::ObjectLoaded { summary }
            })
        }
        Request::Relocate {
            object,
            kernel,
            whatif,
        } => answer(session.relocate(object, kernel, &whatif), |table| {
            Reply::Relocated { table }
        }),
        Request::Explain {
            object,
            kernel,
            whatif,
            idx,
        } => answer(
            session.explain(object, kernel, &whatif, idx),
            |explanation| Reply::Explained { explanation },
        ),
        Request::Guard {
            object,
            kernel,
            whatif,
            prog,
        } => answer(
            session.guard(object, kernel, &whatif, prog.as_deref()),
            |report| Reply::Guarded { report },
        ),
        Request::Matrix {
            object,
            kernels,
            whatif,
        } => answer(session.matrix(object, &kernels, &whatif), |table| {
            Reply::Matrix { table }
        }),
        Request::Compare { kernels, name } => answer(session.compare(&kernels, &name), |table| {
            Reply::Compared { table }
        }),
        Request::TypeDetail { slot, id } => match session.kernel(slot) {
            Some(k) => (
                Reply::TypeDetail {
                    detail: k.type_detail(id),
                },
                Vec::new(),
            ),
            None => (missing(slot), Vec::new()),
        },
        Request::RawListing { slot } => match session.kernel(slot) {
            Some(k) => (Reply::Document, protocol::document_blobs(&k.raw_listing())),
            None => (missing(slot), Vec::new()),
        },
        Request::Header {
            slot,
            profile,
            roots,
            helpers,
        } => match session.kernel(slot) {
            Some(k) => {
                let started = now_ms();
                let req = HeaderRequest {
                    profile: &profile,
                    roots: &roots,
                    with_helpers: helpers,
                };
                match k.header_document(req) {
                    Ok(h) => {
                        let ms = now_ms() - started;
                        let blobs = protocol::document_blobs(&h.document);
                        let reply = Reply::Header {
                            profile: h.profile,
                            warnings: h.warnings,
                            ms,
                        };
                        (reply, blobs)
                    }
                    Err(message) => (Reply::Failed { message }, Vec::new()),
                }
            }
            None => (missing(slot), Vec::new()),
        },
        Request::Layout { slot, name } => match session.kernel(slot) {
            Some(k) => answer(k.layout(&name), |text| Reply::Layout { text }),
            None => (missing(slot), Vec::new()),
        },
        Request::Keep { slots } => {
            session.retain(&slots);
            (Reply::Done, Vec::new())
        }
    }
}

/// A reply without blobs from a session result.
fn answer<T>(r: Result<T, String>, ok: impl FnOnce(T) -> Reply) -> (Reply, Vec<JsValue>) {
    match r {
        Ok(v) => (ok(v), Vec::new()),
        Err(message) => (Reply::Failed { message }, Vec::new()),
    }
}

/// The worker's message handler: decodes, answers, posts the reply with its blobs
/// transferred.
#[cfg_attr(feature = "api", wasm_bindgen(js_name = workerHandle))]
pub fn worker_handle(message: JsValue) {
    let (id, reply, blobs) = match Envelope::<Request>::unpack(&message) {
        Ok(env) => {
            let (reply, blobs) =
                SESSION.with(|s| handle(&mut s.borrow_mut(), env.body, &env.blobs));
            (env.id, reply, blobs)
        }
        Err(message) => (u32::MAX, Reply::Failed { message }, Vec::new()),
    };
    let out = Envelope {
        id,
        body: reply,
        blobs,
    };
    let posted = out.pack().and_then(|(msg, transfer)| {
        let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        scope
            .post_message_with_transfer(&msg, &transfer)
            .map_err(|e| format!("{e:?}"))
    });
    if let Err(e) = posted {
        web_sys::console::error_1(&format!("corelab worker: cannot reply: {e}").into());
    }
}
