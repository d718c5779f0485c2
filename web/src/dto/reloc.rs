//! CO-RE relocations of an object against one kernel: a row per record, and on demand the
//! whole explanation of one.

use serde::{Deserialize, Serialize};

use super::guard::LibbpfRelease;
use super::object::SourceRef;

/// One CO-RE record and what happened to it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RelocRow {
    /// Index over the whole `.BTF.ext` (the row's id).
    pub idx: u32,
    /// `.BTF.ext` section (= code section).
    pub sec: String,
    /// libbpf's `relo #N` in that section.
    pub sec_relo_idx: u32,
    /// The program or subprogram holding the instruction.
    pub prog: Option<String>,
    /// The instruction's index in that program (libbpf's `insn #M`).
    pub insn: Option<u32>,
    /// The instruction's index in its section.
    pub sec_insn: u32,
    /// libbpf's kind name (`byte_off`).
    pub kind: String,
    /// What it accesses (`task_struct.mm.exe_file`).
    pub access: String,
    /// `patched`, `poisoned`, `error`, `skipped_autoload`, `eliminated`, `not_reached`.
    pub outcome: String,
    /// The relocation pass that produced it (above 1: a re-run without a failed program).
    pub pass: u32,
    /// The value in the instruction before (`offset 112`, `imm 1`).
    pub before: Option<String>,
    /// The value after.
    pub after: Option<String>,
    /// One line: the value change, or why not.
    pub detail: String,
    /// Where the other libbpf release computes this record differently (`libbpf 1.5
    /// differs: orig_sz 16 (1.7: 1), …`); `None` where both agree.
    pub release_note: Option<String>,
}

/// The relocation table of an object against one kernel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct RelocTable {
    /// The object's label.
    pub object: String,
    /// The kernel's label.
    pub kernel: String,
    /// The libbpf release whose answer this is.
    pub libbpf: LibbpfRelease,
    /// The rows, in `.BTF.ext` order.
    pub rows: Vec<RelocRow>,
    /// Rows per outcome, in a fixed order, zeros left out.
    pub counts: Vec<(String, u32)>,
    /// Why libbpf fails the object, when it does (the first error).
    pub failure: Option<String>,
    /// What hiding did to the target (`task_struct.__state: 1 hidden`).
    pub hidden: Vec<String>,
    /// libbpf's CO-RE log of pass 1, verbatim.
    pub log: Vec<LogLine>,
    /// Milliseconds the engine spent relocating (the target's name index excluded when
    /// already built).
    pub reloc_ms: f64,
}

/// One libbpf log line.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// `debug`, `info` or `warn`.
    pub level: String,
    /// The text, without `libbpf: `.
    pub text: String,
}

/// One candidate type the kernel offered, and why it matched or not.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CandidateTrial {
    /// libbpf's `candidate #i`.
    pub index: u32,
    /// Its type id in the kernel (or in its module's split BTF).
    pub id: u32,
    /// The kernel module it is in (`None`: the kernel itself).
    pub module: Option<String>,
    /// `struct inode`.
    pub name: String,
    /// It matched.
    pub matched: bool,
    /// The target spec libbpf logged for it (partial when it did not match).
    pub spec: String,
    /// Why, in words.
    pub why: String,
}

/// The values libbpf computed (`struct bpf_core_relo_res`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RelocValues {
    /// What the instruction is expected to hold (from the local spec).
    pub orig: u64,
    /// What it gets (from the target spec).
    pub new: u64,
    /// The instruction is replaced by the poison call.
    pub poison: bool,
    /// Local and target field sizes, for loads and stores.
    pub sizes: Option<(u32, u32)>,
}

/// The patched instruction, before and after.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RelocPatch {
    /// Index in the program.
    pub insn: u32,
    /// Disassembly before.
    pub before: String,
    /// Disassembly after.
    pub after: String,
    /// Raw bytes (hex) before.
    pub before_hex: String,
    /// Raw bytes (hex) after.
    pub after_hex: String,
    /// The bytes changed.
    pub changed: bool,
}

/// Everything about one relocation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RelocExplanation {
    /// The row.
    pub row: RelocRow,
    /// What the kind computes, in words (`the byte offset of a field`).
    pub kind_text: String,
    /// The local spec as libbpf prints it.
    pub local_spec: Option<String>,
    /// How the candidates were found.
    pub search: String,
    /// The candidates tried, in order.
    pub candidates: Vec<CandidateTrial>,
    /// The spec of the matching candidate.
    pub target_spec: Option<String>,
    /// The computed values.
    pub values: Option<RelocValues>,
    /// The instruction, before and after.
    pub patch: Option<RelocPatch>,
    /// What it means, in plain words.
    pub meaning: String,
    /// The source line of the instruction.
    pub source: Option<SourceRef>,
    /// libbpf's lines about this relocation, verbatim.
    pub log: Vec<LogLine>,
}
