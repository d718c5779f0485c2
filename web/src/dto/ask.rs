//! The Ask area's shapes: an access question's records on the kernel it is compiled against
//! (rows and explanations, as the Object area shows relocations), completions for the box,
//! and the answer across kernels (runs of kernels answering alike, loads, verdict, fix).

use serde::{Deserialize, Serialize};

use super::reloc::{RelocExplanation, RelocRow};

/// Where the question does not parse or names what the kernel lacks.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AskError {
    /// Byte offset in the question.
    pub offset: u32,
    /// One line: `column N: no member named 'x' in 'struct y'`.
    pub message: String,
}

/// The question's distinct records, relocated on the kernel it is compiled against.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct AskRecords {
    /// The kernel's label.
    pub kernel: String,
    /// One row per distinct record (as `reloc` shows an object's).
    pub rows: Vec<RelocRow>,
    /// Each record's instruction, in words (`load/store (8 bytes)`).
    pub forms: Vec<String>,
    /// Each record's local type (`struct task_struct`) and access string (`0:53`).
    pub records: Vec<(String, String)>,
    /// Each record explained (specs, candidates, values, the patched instruction).
    pub explanations: Vec<RelocExplanation>,
    /// What clang would warn about.
    pub warnings: Vec<String>,
    /// Why there are no records.
    pub error: Option<AskError>,
    /// Milliseconds the engine took.
    pub ms: f64,
}

/// What may complete the text before the cursor.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Completions {
    /// Byte offset where the word being completed starts.
    pub from: u32,
    /// Candidates, sorted.
    pub candidates: Vec<String>,
}

/// What one group of kernels has for one record.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AcrossCell {
    /// `exists  offset 16  size 8`, `missing`.
    pub values: String,
    /// libbpf's outcome (`patched`, `poisoned`, `error`).
    pub outcome: String,
    /// libbpf's warning when it failed.
    pub error: Option<String>,
}

/// Consecutive kernels that answer every record alike and load alike.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AcrossRow {
    /// `debian12-… .. host-… (3)`.
    pub label: String,
    /// The kernels (indices into [`AcrossTable::kernels`]).
    pub kernels: Vec<u32>,
    /// Per record.
    pub cells: Vec<AcrossCell>,
    /// Whether a program holding the code loads.
    pub loads: bool,
    /// The same in words (`no: the verifier reaches the poisoned #2 task_struct.__state`).
    pub load: String,
}

/// The verdict over all kernels.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictKind {
    /// Loads and relocates everywhere.
    Portable,
    /// Some kernels lack what is read.
    NeedsGuard,
    /// Renamed on some kernel, or libbpf fails the object.
    Breaks,
}

/// The generated fix.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FixText {
    /// BPF C.
    pub snippet: String,
    /// Every kernel loads it (asked again).
    pub checked: bool,
    /// `checked: every kernel above loads it`, `NOT enough: …`.
    pub status: String,
    /// What it does not cover.
    pub notes: Vec<String>,
}

/// The question answered on several kernels.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AcrossTable {
    /// The kernels, in order.
    pub kernels: Vec<String>,
    /// Each distinct record (`task_struct.mm (byte_off)`).
    pub records: Vec<String>,
    /// Kernels grouped by answer.
    pub rows: Vec<AcrossRow>,
    /// The verdict.
    pub verdict: VerdictKind,
    /// In words: `needs a guard: … missing on …`.
    pub verdict_text: String,
    /// A fix, when not portable.
    pub fix: Option<FixText>,
    /// Milliseconds the engine took.
    pub ms: f64,
}
