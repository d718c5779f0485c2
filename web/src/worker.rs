//! The engine worker: keeps a [`Session`] and answers [`Request`]s from the app.
//!
//! It runs the `corelab` wasm (the JS API build) in a module worker; `www/worker.js` loads
//! it and hands every message to [`worker_handle`]. Parsing a 5.5 MB kernel, building the
//! raw listing and later the header all happen here, off the main thread. A query's early
//! parts are posted as they come (`part` messages), before its answer.

use std::cell::RefCell;

#[cfg(feature = "api")]
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::now_ms;
use crate::dto::sweep::SweepJob;
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
            let started = now_ms();
            let bytes = protocol::blob_bytes(blobs, 0);
            match session.load_unpacked(slot, &label, &bytes, base, &unpacked) {
                Ok(kernel) => Reply::Loaded {
                    report: LoadReport {
                        summary: kernel.summary(),
                        parse_ms: now_ms() - started,
                    },
                },
                Err(message) => Reply::Failed { message },
            }
        }
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
        Request::ObjectFile { slot } => match session.object(slot) {
            Some(o) => return (Reply::ObjectFile, vec![Blob::Bytes(o.file().to_vec())]),
            None => Reply::Failed {
                message: format!("no object loaded in slot {slot}"),
            },
        },
        Request::Keep { slots } => {
            session.retain(&slots);
            Reply::Done
        }
        Request::CatalogOpen => match session.catalog_open(&protocol::blob_bytes(blobs, 0)) {
            Ok(listing) => Reply::Catalog { listing },
            Err(message) => Reply::Failed { message },
        },
        Request::CatalogLoad {
            slot,
            build,
            offsets,
        } => {
            let started = now_ms();
            let bytes = segment_bytes(blobs, offsets.len());
            let segments = with_offsets(&offsets, &bytes);
            match session.catalog_load(slot, &build, &segments) {
                Ok(kernel) => Reply::Loaded {
                    report: LoadReport {
                        summary: kernel.summary(),
                        parse_ms: now_ms() - started,
                    },
                },
                Err(message) => Reply::Failed { message },
            }
        }
        // `worker_handle` answers a sweep's step itself (`sweep_step`: the browser hashes);
        // here it is answered in one go, the engine hashing.
        Request::CatalogSweep {
            build,
            offsets,
            job,
        } => {
            let bytes = segment_bytes(blobs, offsets.len());
            let segments = with_offsets(&offsets, &bytes);
            match session.sweep_build(&build, &segments, &job) {
                Ok(step) => Reply::Swept(step),
                Err(message) => Reply::Failed { message },
            }
        }
        Request::AskSweepTable(r) => match session.ask_sweep_table(&r.sweep) {
            Ok(t) => Reply::AskTable(Box::new(t)),
            Err(message) => Reply::Failed { message },
        },
        Request::AskFromIndex(r) => match session.ask_from_index(&r.sweep, r.fix) {
            Ok(step) => Reply::AskIndex(step),
            Err(message) => Reply::Failed { message },
        },
        Request::CatalogShards { shards } => {
            let bytes: Vec<Vec<u8>> = (0..shards.len())
                .map(|i| protocol::blob_bytes(blobs, i))
                .collect();
            let given: Vec<(u32, &[u8])> = shards
                .iter()
                .copied()
                .zip(bytes.iter().map(Vec::as_slice))
                .collect();
            match session.catalog_shards(&given) {
                Ok(()) => Reply::Done,
                Err(message) => Reply::Failed { message },
            }
        }
        Request::Query(q) => match q.run(session, &mut |r| part(Reply::Answer(Box::new(r)))) {
            Ok(answer) => Reply::Answer(Box::new(answer)),
            Err(message) => Reply::Failed { message },
        },
    };
    let blobs = reply.take_blobs();
    (reply, blobs)
}

/// The bytes of the first `n` blobs (catalogue segments).
fn segment_bytes(blobs: &[JsValue], n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| protocol::blob_bytes(blobs, i)).collect()
}

/// Segments as the session takes them: (file offset, bytes).
fn with_offsets<'a>(offsets: &[u64], bytes: &'a [Vec<u8>]) -> Vec<(u64, &'a [u8])> {
    offsets
        .iter()
        .copied()
        .zip(bytes.iter().map(Vec::as_slice))
        .collect()
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
        Ok(env) => {
            let id = env.id;
            if let Request::CatalogSweep {
                build,
                offsets,
                job,
            } = env.body
            {
                sweep_step(id, build, offsets, job, &env.blobs);
                return;
            }
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

/// A sweep's step (`Request::CatalogSweep`, which [`handle`] answers with the engine's own
/// sha256): the build rebuilt unchecked, hashed by the browser's SHA-256 — native, faster
/// than the wasm one, which was half a build's rebuild — then checked and answered by the
/// session (which, on a mismatch, rebuilds the whole chain with every check to name the
/// culprit). Chromium hashes on this thread before `digest` returns (measured: 7–16 ms for a
/// 4.6 MB build, the promise then resolves at once), so nothing is worth doing ahead of the
/// check: parsing while awaiting it overlapped nothing and was removed. Other messages may be
/// handled while the step awaits; it holds its own bytes, and a reference kept from its
/// rebuild only ever serves under another build's own check.
fn sweep_step(id: u32, build: String, offsets: Vec<u64>, job: SweepJob, blobs: &[JsValue]) {
    let bytes = segment_bytes(blobs, offsets.len());
    let rebuilt = SESSION.with(|s| {
        s.borrow_mut()
            .sweep_rebuild_unchecked(&build, &with_offsets(&offsets, &bytes))
    });
    let unchecked = match rebuilt {
        Ok(Ok(unchecked)) => unchecked,
        Ok(Err(step)) => return post(id, false, Reply::Swept(step), &[]),
        Err(message) => return post(id, false, Reply::Failed { message }, &[]),
    };
    wasm_bindgen_futures::spawn_local(async move {
        let digest = match browser_sha256(unchecked.bytes()).await {
            Some(d) => d,
            // No WebCrypto (a page not in a secure context): the engine's own sha256.
            None => corelab::catalog::sha256(unchecked.bytes()).to_vec(),
        };
        let answered = SESSION.with(|s| {
            s.borrow_mut()
                .sweep_checked(unchecked, &digest, &with_offsets(&offsets, &bytes), &job)
        });
        let mut reply = match answered {
            Ok(step) => Reply::Swept(step),
            Err(message) => Reply::Failed { message },
        };
        let blobs = reply.take_blobs();
        post(id, false, reply, &blobs);
    });
}

/// The SHA-256 of `bytes` by the browser's WebCrypto (which copies them when called), or
/// `None` where it is not available.
async fn browser_sha256(bytes: &[u8]) -> Option<Vec<u8>> {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().dyn_into().ok()?;
    let subtle = scope.crypto().ok()?.subtle();
    let digest = subtle.digest_with_str_and_u8_array("SHA-256", bytes).ok()?;
    let digest = wasm_bindgen_futures::JsFuture::from(digest).await.ok()?;
    Some(js_sys::Uint8Array::new(&digest).to_vec())
}
