//! Messages between the app (main thread) and the engine worker.
//!
//! A message is a plain JS object `{ id, part, body, blobs }`: `body` is a [`Request`] or
//! [`Reply`] encoded by [`encode`] (postcard: compact, and only sequence-based serde code in
//! the wasm), `blobs` are typed arrays ([`crate::query::Blob`]). The body's buffer and the
//! blobs' are *transferred* (not copied) by `postMessage` — the file bytes one way, the type
//! index and documents the other. `part` marks an early, incomplete answer to a query; the
//! whole one follows under the same id. The app never links the engine; only these shapes
//! cross.
//!
//! Loads are commands with their own messages; everything a view asks is a
//! [`Request::Query`] of the query registry (`views::queries!`), answered by
//! [`Reply::Answer`].
//!
//! Postcard is not self-describing: a field is read because it comes next, not by its name.
//! So no type that crosses may skip a field conditionally (`skip_serializing_if`), and both
//! sides must be the same build — they are, the site ships them together. The round trip of
//! every request and reply is tested natively.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::dto::catalog::CatalogListing;
use crate::dto::object::ObjectSummary;
use crate::dto::sweep::{
    AskIndexRequest, AskIndexStep, AskSweepRequest, AskSweepTable, SweepJob, SweepStep,
};
use crate::dto::{LoadReport, TypeIndexData};
use crate::query::{AnyQuery, AnyReply, Blob};

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
        /// A loaded kernel to layer the file over if it is not BTF on its own: a module over
        /// that kernel, or one more module merged with the modules in that slot.
        base: Option<u32>,
        /// Layers the browser already peeled (`gzip`: a bundled kernel decompressed while
        /// it downloaded), reported first among the summary's layers.
        unpacked: Vec<String>,
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
    /// The file of the object in `slot`, as it was loaded (reply: `ObjectFile`).
    ObjectFile {
        /// Which object.
        slot: u32,
    },
    /// Forget every kernel and object but those in `slots`.
    Keep {
        /// The slots still in use.
        slots: Vec<u32>,
    },
    /// A question a view asks.
    Query(AnyQuery),
    /// Open the kernel catalogue: blob 0 is the start of the archive (preamble and head).
    CatalogOpen,
    /// Rebuild catalogue build `build` into `slot` from its chain's segments: blob `i` is
    /// the segment at file offset `offsets[i]`.
    CatalogLoad {
        /// Where to keep it.
        slot: u32,
        /// The build id.
        build: String,
        /// Each blob's file offset.
        offsets: Vec<u64>,
    },
    /// Answer `job` for catalogue build `build`, rebuilt from the segments handed over (blob
    /// `i` is the segment at file offset `offsets[i]`), then dropped: one step of a sweep.
    CatalogSweep {
        /// The build id.
        build: String,
        /// Each blob's file offset.
        offsets: Vec<u64>,
        /// What to answer.
        job: SweepJob,
    },
    /// Gather an Ask sweep's answers into its table.
    AskSweepTable(AskSweepRequest),
    /// Answer an Ask sweep's pass from the where-index where it decides.
    AskFromIndex(AskIndexRequest),
    /// Keep the where-index shards `shards` (their places in the head's shard list): blob
    /// `i` is shard `shards[i]`.
    CatalogShards {
        /// Which shards.
        shards: Vec<u32>,
    },
}

/// What the worker answers.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub enum Reply {
    /// The kernel loaded.
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
    /// An object's file; blob 0: its bytes.
    ObjectFile,
    /// The catalogue opened: its builds.
    Catalog {
        /// The builds and where their segments are.
        listing: CatalogListing,
    },
    /// One step of a sweep: a build's answer, or the segments it still needs.
    Swept(SweepStep),
    /// An Ask sweep's table.
    AskTable(Box<AskSweepTable>),
    /// What the where-index answered of an Ask sweep's pass.
    AskIndex(AskIndexStep),
    /// The answer to a query (its bulk in the blobs).
    Answer(Box<AnyReply>),
    /// Done, nothing to say.
    Done,
    /// The request failed.
    Failed {
        /// One line.
        message: String,
    },
}

impl Reply {
    /// Moves the bulk of an answer out, before encoding.
    pub fn take_blobs(&mut self) -> Vec<Blob> {
        match self {
            Reply::Answer(a) => crate::query::Payload::take_blobs(&mut **a),
            _ => Vec::new(),
        }
    }

    /// Puts the bulk of an answer back, after decoding.
    pub fn put_blobs(&mut self, blobs: Vec<Blob>) {
        if let Reply::Answer(a) = self {
            crate::query::Payload::put_blobs(&mut **a, blobs);
        }
    }
}

/// A request or reply as bytes.
pub fn encode<T: Serialize>(body: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(body).map_err(|e| format!("cannot encode a message: {e}"))
}

/// A request or reply from its bytes.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("cannot decode a message: {e}"))
}

/// The blobs of a type index: names, ids, kinds.
pub fn index_blobs(d: TypeIndexData) -> Vec<Blob> {
    vec![
        Blob::Bytes(d.names.into_bytes()),
        Blob::Words(d.ids),
        Blob::Bytes(d.kinds),
    ]
}

/// A type index from its blobs (missing ones are empty).
pub fn index_from_blobs(blobs: Vec<Blob>) -> TypeIndexData {
    let mut it = blobs.into_iter();
    let names = it.next().map(Blob::into_bytes).unwrap_or_default();
    TypeIndexData {
        names: String::from_utf8(names)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ids: it.next().map(Blob::into_words).unwrap_or_default(),
        kinds: it.next().map(Blob::into_bytes).unwrap_or_default(),
    }
}
