//! The engine worker: keeps a [`Session`] and answers [`Request`]s from the app.
//!
//! It runs the `corelab` wasm (the JS API build) in a module worker; `www/worker.js` loads
//! it and hands every message to [`worker_handle`]. Parsing a 5.5 MB kernel, building the
//! raw listing and later the header all happen here, off the main thread. A query's early
//! parts are posted as they come (`part` messages), before its answer. A bundled kernel is
//! fetched here too, gunzipped chunk by chunk as it downloads, so inflating overlaps the
//! transfer and the bytes never cross threads.

use std::cell::RefCell;

#[cfg(feature = "api")]
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use corelab::input::Limits;

use crate::browser::{self, now_ms};
use crate::dto::LoadReport;
use crate::protocol::{self, blobs_to_js, Envelope, Reply, Request};
use crate::query::Blob;
use crate::session::Session;

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::with_clock(now_ms));
}

/// Answers one request: the reply and its bulk. Early parts of a query's answer go to
/// `part` first.
pub fn handle(
    session: &mut Session,
    request: Request,
    blobs: &[JsValue],
    part: &mut dyn FnMut(Reply),
) -> (Reply, Vec<Blob>) {
    let mut reply = match request {
        Request::Load {
            slot,
            label,
            base,
            unpacked,
        } => {
            let bytes = protocol::blob_bytes(blobs, 0);
            loaded(session, slot, &label, &bytes, base, &unpacked, 0.0)
        }
        Request::LoadUrl { .. } => Reply::Failed {
            message: "a download is answered when it is done".into(),
        },
        Request::TypeIndex { slot } => match session.kernel(slot) {
            Some(k) => return (Reply::Index, protocol::index_blobs(k.type_index())),
            None => Reply::Failed {
                message: format!("no kernel loaded in slot {slot}"),
            },
        },
        Request::LoadObject { slot, label } => {
            let bytes = protocol::blob_bytes(blobs, 0);
            match session.load_object(slot, &label, &bytes) {
                Ok(summary) => Reply::ObjectLoaded { summary },
                Err(message) => Reply::Failed { message },
            }
        }
        Request::Keep { slots } => {
            session.retain(&slots);
            Reply::Done
        }
        Request::Query(q) => match q.run(session, &mut |r| part(Reply::Answer(Box::new(r)))) {
            Ok(answer) => Reply::Answer(Box::new(answer)),
            Err(message) => Reply::Failed { message },
        },
    };
    let blobs = reply.take_blobs();
    (reply, blobs)
}

/// Parses a kernel's bytes into `slot`: its summary, or why not.
fn loaded(
    session: &mut Session,
    slot: u32,
    label: &str,
    bytes: &[u8],
    base: Option<u32>,
    unpacked: &[String],
    fetch_ms: f64,
) -> Reply {
    let started = now_ms();
    match session.load_unpacked(slot, label, bytes, base, unpacked) {
        Ok(kernel) => Reply::Loaded {
            report: LoadReport {
                summary: kernel.summary(),
                fetch_ms,
                parse_ms: now_ms() - started,
            },
        },
        Err(message) => Reply::Failed { message },
    }
}

/// Milliseconds between two progress reports of a download.
const PROGRESS_MS: f64 = 100.0;

/// Downloads a gzip'd kernel, inflated by the browser as it arrives, reporting the bytes
/// unpacked so far as early parts of request `id` (the unpacked whole is not known before).
async fn download(id: u32, label: &str, url: &str) -> Result<Vec<u8>, String> {
    let limit = Limits::default().max_unpacked;
    let mut out: Vec<u8> = Vec::new();
    let (mut last, mut over) = (now_ms(), false);
    browser::fetch_each(url, true, |chunk, _| {
        let n = chunk.length() as usize;
        if over || out.len() + n > limit {
            over = true;
            return;
        }
        let at = out.len();
        out.resize(at + n, 0);
        chunk.copy_to(&mut out[at..]);
        if now_ms() - last >= PROGRESS_MS {
            last = now_ms();
            let done = out.len() as u64;
            post(id, true, Reply::Progress { done, total: None }, &[]);
        }
    })
    .await
    .map_err(|e| format!("{label}: {e}"))?;
    if over {
        return Err(format!(
            "{label}: gzip data expands beyond the {} MiB limit",
            limit >> 20
        ));
    }
    Ok(out)
}

/// Answers a download request once the bytes are in and parsed; says when parsing starts.
async fn load_url(id: u32, slot: u32, label: String, url: String) {
    let started = now_ms();
    let reply = match download(id, &label, &url).await {
        Ok(bytes) => {
            let fetch_ms = now_ms() - started;
            post(id, true, Reply::Parsing, &[]);
            let gzip = ["gzip".to_owned()];
            SESSION.with(|s| {
                loaded(
                    &mut s.borrow_mut(),
                    slot,
                    &label,
                    &bytes,
                    None,
                    &gzip,
                    fetch_ms,
                )
            })
        }
        Err(message) => Reply::Failed { message },
    };
    post(id, false, reply, &[]);
}

/// Posts a reply (or an early part) with its blobs transferred.
fn post(id: u32, part: bool, reply: Reply, blobs: &[Blob]) {
    let out = Envelope {
        id,
        part,
        body: reply,
        blobs: blobs_to_js(blobs),
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

/// The worker's message handler: decodes, answers, posts the reply with its blobs
/// transferred.
#[cfg_attr(feature = "api", wasm_bindgen(js_name = workerHandle))]
pub fn worker_handle(message: JsValue) {
    match Envelope::<Request>::unpack(&message) {
        // A download waits for the network: answered later, other requests meanwhile.
        Ok(Envelope {
            id,
            body: Request::LoadUrl { slot, label, url },
            ..
        }) => wasm_bindgen_futures::spawn_local(load_url(id, slot, label, url)),
        Ok(env) => {
            let id = env.id;
            let (reply, blobs) = SESSION.with(|s| {
                handle(&mut s.borrow_mut(), env.body, &env.blobs, &mut |mut p| {
                    let blobs = p.take_blobs();
                    post(id, true, p, &blobs);
                })
            });
            post(id, false, reply, &blobs);
        }
        Err(message) => post(u32::MAX, false, Reply::Failed { message }, &[]),
    }
}
