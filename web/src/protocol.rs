//! Messages between the app (main thread) and the engine worker.
//!
//! A message is a plain JS object `{ id, body, blobs }`: `body` is a [`Request`] or [`Reply`]
//! converted by serde-wasm-bindgen, `blobs` are typed arrays whose buffers are *transferred*
//! (not copied) by `postMessage` — the file bytes one way, the type index and documents the
//! other. The app never links the engine; only these shapes cross.

use js_sys::{Array, Object, Reflect, Uint32Array, Uint8Array};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use crate::dto::compare::CompareTable;
use crate::dto::guard::{GuardReport, WhatIf};
use crate::dto::matrix::MatrixTable;
use crate::dto::object::ObjectSummary;
use crate::dto::reloc::{RelocExplanation, RelocTable};
use crate::dto::{DocumentData, LoadReport, TypeDetail, TypeIndexData};

/// What the app asks the worker.
///
/// Externally tagged (`{"load": {…}}`), as are replies: an internally tagged enum is
/// deserialized through serde's buffered `Content`, which doubles every payload type's
/// deserializer in the wasm (measured: 80 KB of the app's code).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub enum Request {
    /// Load blob 0 (the file's bytes) into `slot`.
    Load {
        /// Where to keep it.
        slot: u32,
        /// The name to report errors under.
        label: String,
        /// A loaded kernel to layer the file over if it is split BTF (a module's).
        base: Option<u32>,
        /// Send the type index with the reply (not needed for a matrix column).
        index: bool,
    },
    /// The type index of the kernel in `slot`.
    TypeIndex {
        /// Which kernel.
        slot: u32,
    },
    /// Load blob 0 (a BPF object's bytes) into `slot`.
    LoadObject {
        /// Where to keep it.
        slot: u32,
        /// The name to report errors under.
        label: String,
    },
    /// Every CO-RE relocation of an object against a kernel.
    Relocate {
        /// The object's slot.
        object: u32,
        /// The kernel's slot.
        kernel: u32,
        /// What-if settings.
        whatif: WhatIf,
    },
    /// The explanation of one relocation.
    Explain {
        /// The object's slot.
        object: u32,
        /// The kernel's slot.
        kernel: u32,
        /// What-if settings.
        whatif: WhatIf,
        /// The record (index over the `.BTF.ext`).
        idx: u32,
    },
    /// The guard simulation, with the flow of one program.
    Guard {
        /// The object's slot.
        object: u32,
        /// The kernel's slot.
        kernel: u32,
        /// What-if settings.
        whatif: WhatIf,
        /// The program to show (default: the first).
        prog: Option<String>,
    },
    /// An object against many kernels.
    Matrix {
        /// The object's slot.
        object: u32,
        /// The kernels' slots, in column order.
        kernels: Vec<u32>,
        /// What-if settings.
        whatif: WhatIf,
    },
    /// A struct or union across kernels.
    Compare {
        /// The kernels' slots, in column order.
        kernels: Vec<u32>,
        /// The type's name.
        name: String,
    },
    /// One type of the kernel in `slot`.
    TypeDetail {
        /// Which kernel.
        slot: u32,
        /// Which type.
        id: u32,
    },
    /// The raw listing of the kernel in `slot`.
    RawListing {
        /// Which kernel.
        slot: u32,
    },
    /// The generated header of the kernel in `slot`, as a linked document.
    Header {
        /// Which kernel.
        slot: u32,
        /// The profile's name (`bpftool-7.1`, …).
        profile: String,
        /// Only these types and what they need (empty: the whole kernel).
        roots: Vec<String>,
        /// With roots: also the typedefs `bpf_helpers.h` needs.
        helpers: bool,
    },
    /// pahole's layout of a struct or union of the kernel in `slot`.
    Layout {
        /// Which kernel.
        slot: u32,
        /// A type id (decimal) or a name.
        name: String,
    },
    /// Forget every kernel but those in `slots`.
    Keep {
        /// The kernels still in use.
        slots: Vec<u32>,
    },
}

/// What the worker answers.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub enum Reply {
    /// The kernel loaded; blobs: index names, ids, kinds.
    Loaded {
        /// Summary and timing.
        report: LoadReport,
    },
    /// A type index; blobs: names, ids, kinds.
    Index,
    /// An object loaded.
    ObjectLoaded {
        /// What it holds.
        summary: ObjectSummary,
    },
    /// Relocations.
    Relocated {
        /// The table.
        table: RelocTable,
    },
    /// One relocation explained.
    Explained {
        /// The explanation.
        explanation: RelocExplanation,
    },
    /// The guard simulation.
    Guarded {
        /// The report.
        report: GuardReport,
    },
    /// The matrix.
    Matrix {
        /// The table.
        table: MatrixTable,
    },
    /// The comparison.
    Compared {
        /// The table.
        table: CompareTable,
    },
    /// A type's detail (`None`: no such id).
    TypeDetail {
        /// The detail.
        detail: Option<TypeDetail>,
    },
    /// A document; blobs: text, line starts, links, anchors.
    Document,
    /// A generated header; blobs: its document's.
    Header {
        /// The profile it was generated with.
        profile: String,
        /// libbpf's stderr lines.
        warnings: Vec<String>,
        /// Time spent generating and indexing it in the worker, in ms.
        ms: f64,
    },
    /// A struct's layout.
    Layout {
        /// pahole's text.
        text: String,
    },
    /// Done, nothing to say.
    Done,
    /// The request failed.
    Failed {
        /// One line.
        message: String,
    },
}

/// A message as it crosses `postMessage`.
#[derive(Debug)]
pub struct Envelope<T> {
    /// Pairs a reply with its request.
    pub id: u32,
    /// The request or reply.
    pub body: T,
    /// Bulk data (typed arrays).
    pub blobs: Vec<JsValue>,
}

impl<T: Serialize> Envelope<T> {
    /// The JS message and the list of buffers to transfer with it.
    pub fn pack(&self) -> Result<(JsValue, Array), String> {
        let msg = Object::new();
        let body = serde_wasm_bindgen::to_value(&self.body).map_err(|e| e.to_string())?;
        let blobs = Array::new();
        let transfer = Array::new();
        for b in &self.blobs {
            blobs.push(b);
            if let Ok(buf) = Reflect::get(b, &"buffer".into()) {
                transfer.push(&buf);
            }
        }
        let set = |k: &str, v: &JsValue| Reflect::set(&msg, &k.into(), v).map(|_| ());
        set("id", &self.id.into())
            .and_then(|()| set("body", &body))
            .and_then(|()| set("blobs", &blobs))
            .map_err(|e| format!("{e:?}"))?;
        Ok((msg.into(), transfer))
    }
}

impl<T: DeserializeOwned> Envelope<T> {
    /// Reads a message that arrived.
    pub fn unpack(msg: &JsValue) -> Result<Envelope<T>, String> {
        let get = |k: &str| Reflect::get(msg, &k.into()).map_err(|e| format!("{e:?}"));
        let id = get("id")?.as_f64().ok_or("message without id")? as u32;
        let body = serde_wasm_bindgen::from_value(get("body")?).map_err(|e| e.to_string())?;
        let blobs = get("blobs")?
            .dyn_into::<Array>()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        Ok(Envelope { id, body, blobs })
    }
}

/// A blob of bytes.
pub fn bytes_blob(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
}

/// A blob of 32-bit words.
pub fn words_blob(w: &[u32]) -> JsValue {
    Uint32Array::from(w).into()
}

/// Blob `i` as bytes (empty if missing or of the wrong type).
pub fn blob_bytes(blobs: &[JsValue], i: usize) -> Vec<u8> {
    blobs
        .get(i)
        .and_then(|b| b.dyn_ref::<Uint8Array>())
        .map(Uint8Array::to_vec)
        .unwrap_or_default()
}

/// Blob `i` as 32-bit words (empty if missing or of the wrong type).
pub fn blob_words(blobs: &[JsValue], i: usize) -> Vec<u32> {
    blobs
        .get(i)
        .and_then(|b| b.dyn_ref::<Uint32Array>())
        .map(Uint32Array::to_vec)
        .unwrap_or_default()
}

fn blob_string(blobs: &[JsValue], i: usize) -> String {
    String::from_utf8(blob_bytes(blobs, i))
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The blobs of a type index.
pub fn index_blobs(d: &TypeIndexData) -> Vec<JsValue> {
    vec![
        bytes_blob(d.names.as_bytes()),
        words_blob(&d.ids),
        bytes_blob(&d.kinds),
    ]
}

/// A type index from its blobs.
pub fn index_from_blobs(blobs: &[JsValue]) -> TypeIndexData {
    TypeIndexData {
        names: blob_string(blobs, 0),
        ids: blob_words(blobs, 1),
        kinds: blob_bytes(blobs, 2),
    }
}

/// The blobs of a document.
pub fn document_blobs(d: &DocumentData) -> Vec<JsValue> {
    vec![
        bytes_blob(d.text.as_bytes()),
        words_blob(&d.line_starts),
        words_blob(d.links.as_flattened()),
        words_blob(&d.anchors),
    ]
}

/// A document from its blobs.
pub fn document_from_blobs(blobs: &[JsValue]) -> DocumentData {
    let flat = blob_words(blobs, 2);
    DocumentData {
        text: blob_string(blobs, 0),
        line_starts: blob_words(blobs, 1),
        links: flat.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect(),
        anchors: blob_words(blobs, 3),
    }
}
