//! Messages between the app (main thread) and the engine worker.
//!
//! A message is a plain JS object `{ id, body, blobs }`: `body` is a [`Request`] or [`Reply`]
//! encoded by [`encode`] (postcard: compact, and only sequence-based serde code in the wasm),
//! `blobs` are typed arrays. The body's buffer and the blobs' are *transferred* (not copied)
//! by `postMessage` — the file bytes one way, the type index and documents the other. The app
//! never links the engine; only these shapes cross.
//!
//! Postcard is not self-describing: a field is read because it comes next, not by its name.
//! So no type that crosses may skip a field when serializing (`skip_serializing_if`), and both
//! sides must be the same build — they are, the site ships them together. The round trip of
//! every request and reply is tested natively.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::dto::compare::CompareTable;
use crate::dto::guard::{GuardReport, WhatIf};
use crate::dto::matrix::MatrixTable;
use crate::dto::object::ObjectSummary;
use crate::dto::reloc::{RelocExplanation, RelocTable};
use crate::dto::{LoadReport, TypeDetail};

#[cfg(target_arch = "wasm32")]
mod envelope;
#[cfg(test)]
mod tests;

#[cfg(target_arch = "wasm32")]
pub use envelope::*;

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

/// A request or reply as bytes.
pub fn encode<T: Serialize>(body: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(body).map_err(|e| format!("cannot encode a message: {e}"))
}

/// A request or reply from its bytes.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("cannot decode a message: {e}"))
}
