//! The playground's own data shapes: what the engine seam ([`crate::session`]) produces for
//! the views, the worker protocol and the JS API.
//!
//! `core` types get no `Serialize`: everything that crosses a thread or the JS boundary is one
//! of these plain structs (owned strings and numbers, no borrowed views of a `Btf`).

use serde::{Deserialize, Serialize};

use crate::document::Document;

pub mod ask;
pub mod catalog;
pub mod compare;
pub mod guard;
pub mod loadlog;
pub mod matrix;
pub mod object;
pub mod reloc;
pub mod sweep;

/// What `corelab info` says about a loaded kernel BTF, ready to display.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct KernelSummary {
    /// The name the user knows the file by (file name or bundled kernel id).
    pub label: String,
    /// What held the BTF: `raw BTF`, or the ELF kind, class, byte order and machine.
    pub content: String,
    /// Container layers peeled, outermost first (`gzip`, `tar member x.btf`).
    pub layers: Vec<String>,
    /// `little-endian` / `big-endian`.
    pub byte_order: String,
    /// BTF header fields in one line.
    pub header: String,
    /// Size of the BTF blob in bytes (after unpacking).
    pub btf_bytes: u64,
    /// The pointer size libbpf would use.
    pub pointer_size: u32,
    /// For split BTF: the id range and the base it is layered over.
    pub split: Option<String>,
    /// The kernel modules it is, in the order opened (two or more: merged as bpftool 7.8
    /// merges them); relocation searches each after the kernel.
    pub modules: Vec<String>,
    /// Number of types the blob defines.
    pub types: u32,
    /// Types per kind, in kind-number order, kinds with no type left out.
    pub kinds: Vec<KindCount>,
    /// Features used, oldest first.
    pub features: Vec<FeatureRow>,
    /// The oldest kernel, libbpf and bpftool that read this BTF, and why.
    pub minimum: Vec<Minimum>,
}

/// How many types of one kind a BTF defines.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct KindCount {
    /// bpftool's spelling (`STRUCT`), or `kind N` for kinds only a layout section describes.
    pub kind: String,
    /// Number of types.
    pub count: u32,
}

/// One BTF feature and the first releases that read it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FeatureRow {
    /// What the feature is.
    pub feature: String,
    /// First Linux release.
    pub kernel: String,
    /// First libbpf release.
    pub libbpf: String,
    /// First bpftool release.
    pub bpftool: String,
}

/// The oldest release of one consumer that reads the BTF.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Minimum {
    /// `kernel`, `libbpf` or `bpftool`.
    pub tool: String,
    /// The version, e.g. `6.14`.
    pub version: String,
    /// The feature that decides it.
    pub because: String,
}

/// A piece of text, possibly a link to a type.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The text.
    pub text: String,
    /// The type id it links to.
    pub link: Option<u32>,
}

impl Span {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            link: None,
        }
    }

    /// Text linking to type `id`.
    pub fn link(text: impl Into<String>, id: u32) -> Span {
        Span {
            text: text.into(),
            link: Some(id),
        }
    }
}

/// One type, as lines of linked spans: bpftool's raw listing of it, each line followed by a
/// C-like reading of the type it refers to.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TypeDetail {
    /// The type id.
    pub id: u32,
    /// bpftool's kind spelling (`STRUCT`).
    pub kind: String,
    /// The name, `""` when anonymous.
    pub name: String,
    /// Size in bytes, for the kinds that have one.
    pub size: Option<u32>,
    /// The lines.
    pub lines: Vec<DetailLine>,
}

/// One line of a [`TypeDetail`].
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DetailLine {
    /// bpftool's raw listing line, `type_id=N` linked.
    pub raw: Vec<Span>,
    /// The member, parameter or variable the line is about (`None` on the type's own line).
    pub name: Option<String>,
    /// A C-like reading of the type the line refers to (empty if none).
    pub reading: Vec<Span>,
    /// A note: a member's byte offset (`24`, or `24:3` for a bit offset).
    pub offset: Option<String>,
}

/// Named types sorted for search: `names` holds one name per line, `ids[i]` and `kinds[i]`
/// belong to line `i`. Sent once per kernel; the main thread searches it without the engine.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TypeIndexData {
    /// Names joined by `\n`, sorted case-insensitively, then by kind and id.
    pub names: String,
    /// Type id of each name.
    pub ids: Vec<u32>,
    /// Kind number of each name.
    pub kinds: Vec<u8>,
}

/// The generated header as a document, with the profile used and libbpf's stderr lines.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct HeaderDocument {
    /// The header, its lines, type links and definition anchors (it crosses as blobs).
    #[serde(skip)]
    pub document: Document,
    /// The profile's name (`bpftool-7.1`, …).
    pub profile: String,
    /// What libbpf would print on stderr (`libbpf: …`), in order.
    pub warnings: Vec<String>,
    /// Milliseconds the engine spent on it (on the first screen, for an early part).
    pub ms: f64,
    /// Whether this is the whole header (else its first screen; the rest is coming).
    pub complete: bool,
}

/// A long text with type links and anchors: the raw listing or the generated header.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DocumentData {
    /// The text; every line ends with `\n`.
    pub text: String,
    /// Byte offset of the start of each line.
    pub line_starts: Vec<u32>,
    /// Links as `(start, end, type id)` byte ranges of `text`, sorted by start.
    pub links: Vec<[u32; 3]>,
    /// For each type id, the line that defines it (`u32::MAX`: not in this document).
    pub anchors: Vec<u32>,
}

/// What the engine sends back when a kernel is loaded.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LoadReport {
    /// The summary.
    pub summary: KernelSummary,
    /// Milliseconds spent unpacking, parsing and summarising, measured in the engine.
    pub parse_ms: f64,
}
