//! The guard simulation of an object against one kernel: a verdict per program, and for one
//! program its flow (listing, blocks and edges, decided branches, poisoned instructions).

use serde::{Deserialize, Serialize};

use super::object::SourceRef;

/// One main program's verdict.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProgramVerdict {
    /// Program name.
    pub name: String,
    /// ELF section.
    pub sec: String,
    /// `loaded`, `rejected_poison`, `rejected`, `too_complex`, `not_submitted`, `undecided`.
    pub verdict: String,
    /// The verdict in words, with the first reason.
    pub text: String,
    /// Instructions submitted (subprograms included).
    pub insns: u32,
    /// Instructions the verifier reaches.
    pub live: u32,
    /// Poisoned instructions it reaches.
    pub reachable_poisons: u32,
    /// What the instructions no path reaches are, in words ("dead (removed by the
    /// verifier)", "not explored (…)").
    pub unreached: String,
    /// Whether they are dead code (only for a program that loads after a complete walk).
    pub unreached_is_dead: bool,
}

/// A what-if knob's value in this run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KnobValue {
    /// The symbol.
    pub name: String,
    /// `kconfig` or `rodata`.
    pub kind: String,
    /// The value used, as text.
    pub value: String,
    /// Set by the user (else the default).
    pub overridden: bool,
}

/// One instruction of the program as submitted.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FlowRow {
    /// Linked instruction index.
    pub idx: u32,
    /// Disassembly.
    pub text: String,
    /// The verifier reaches it.
    pub live: bool,
    /// Its basic block.
    pub block: u32,
    /// The function starting here.
    pub func: Option<String>,
    /// The source line whose code starts here.
    pub source: Option<SourceRef>,
    /// A jump's target.
    pub target: Option<u32>,
    /// Index into [`ProgramFlow::branches`] for a conditional jump.
    pub branch: Option<u32>,
    /// Index into [`ProgramFlow::poisons`] for a poisoned instruction.
    pub poison: Option<u32>,
    /// The CO-RE record patched here (index over the whole `.BTF.ext`).
    pub relo: Option<u32>,
}

/// A conditional jump and what the verifier knew there.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BranchInfo {
    /// The jump's linked index.
    pub idx: u32,
    /// Some path jumped.
    pub taken: bool,
    /// Some path fell through.
    pub fallthrough: bool,
    /// The verifier knew the outcome on some path (`always jumps` / `never jumps`).
    pub decided: bool,
    /// What decided it, in words.
    pub decided_by: Option<String>,
    /// The CO-RE record that decided it.
    pub relo: Option<u32>,
    /// The whole story in one sentence.
    pub text: String,
}

/// A poisoned instruction.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PoisonInfo {
    /// Linked index.
    pub idx: u32,
    /// Function and index in it.
    pub func: String,
    /// Index in the function.
    pub func_insn: u32,
    /// Some path reaches it: the program is rejected.
    pub reachable: bool,
    /// The first one the verifier meets (the error is about it).
    pub first: bool,
    /// What the kernel prints.
    pub kernel_message: String,
    /// What libbpf rewrites the verifier log into.
    pub libbpf_message: String,
    /// The CO-RE record that poisoned it.
    pub relo: Option<u32>,
    /// What the record accesses.
    pub access: Option<String>,
    /// Its source line.
    pub source: Option<SourceRef>,
    /// Plain words: what happened and what to do.
    pub explanation: String,
}

/// A basic block.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FlowBlock {
    /// First instruction.
    pub start: u32,
    /// One past the last.
    pub end: u32,
    /// Some instruction of it is reached.
    pub live: bool,
    /// Function index.
    pub func: u32,
}

/// An edge between blocks.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FlowEdge {
    /// Source block.
    pub from: u32,
    /// Target block.
    pub to: u32,
    /// `fall`, `taken`, `jump`, `call`.
    pub kind: String,
    /// Some path of the verifier follows it.
    pub live: bool,
}

/// One program's flow after relocation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProgramFlow {
    /// The verdict.
    pub verdict: ProgramVerdict,
    /// Functions (main first) as `(name, start, len)`.
    pub funcs: Vec<(String, u32, u32)>,
    /// Every instruction.
    pub rows: Vec<FlowRow>,
    /// Basic blocks.
    pub blocks: Vec<FlowBlock>,
    /// Edges.
    pub edges: Vec<FlowEdge>,
    /// Conditional jumps.
    pub branches: Vec<BranchInfo>,
    /// Poisoned instructions.
    pub poisons: Vec<PoisonInfo>,
}

/// The guard simulation of an object against one kernel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct GuardReport {
    /// The object's label.
    pub object: String,
    /// The kernel's label.
    pub kernel: String,
    /// The libbpf release that relocated.
    pub libbpf: LibbpfRelease,
    /// `LINUX_KERNEL_VERSION` as used (`5.10.0`), if known.
    pub kernel_release: Option<String>,
    /// Every main program's verdict.
    pub programs: Vec<ProgramVerdict>,
    /// What-if knobs and the values used.
    pub knobs: Vec<KnobValue>,
    /// Why libbpf fails before relocating (externs), if it does.
    pub extern_error: Option<String>,
    /// What hiding did to the target.
    pub hidden: Vec<String>,
    /// The flow of the program asked for.
    pub flow: Option<ProgramFlow>,
    /// Milliseconds in the engine (relocation + simulation).
    pub ms: f64,
}

/// What-if settings for a relocation or guard run (all from the URL).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "camelCase", default)]
pub struct WhatIf {
    /// `LINUX_KERNEL_VERSION` as `X.Y.Z` (default: the release in the kernel's name).
    pub kernel_release: Option<String>,
    /// `NAME=VALUE` overrides of `.kconfig` externs and read-only globals.
    pub set: Vec<(String, String)>,
    /// Types (`bpf_dynptr`) and members (`task_struct.__state`) removed from the target.
    pub hide: Vec<String>,
    /// The libbpf release that relocates (`libbpf=1.5`; default 1.7).
    pub libbpf: LibbpfRelease,
}

impl WhatIf {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.kernel_release.is_none()
            && self.set.is_empty()
            && self.hide.is_empty()
            && self.libbpf == LibbpfRelease::default()
    }
}

/// The libbpf releases the page can relocate as (core's `Libbpf`, which has no serde: the
/// engine side maps one to the other in `session::whatif`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum LibbpfRelease {
    /// libbpf 1.5.0 (Debian 13).
    #[serde(rename = "1.5")]
    V1_5,
    /// libbpf 1.7.0 (Debian sid), core's default.
    #[default]
    #[serde(rename = "1.7")]
    V1_7,
}

impl LibbpfRelease {
    /// Every release, oldest first.
    pub const ALL: [LibbpfRelease; 2] = [LibbpfRelease::V1_5, LibbpfRelease::V1_7];

    /// The name in the URL, the JS API and the page (`1.5`).
    pub fn label(self) -> &'static str {
        match self {
            LibbpfRelease::V1_5 => "1.5",
            LibbpfRelease::V1_7 => "1.7",
        }
    }

    /// Reads a name (`1.5`, `1.7`).
    pub fn parse(s: &str) -> Option<LibbpfRelease> {
        LibbpfRelease::ALL.into_iter().find(|r| r.label() == s)
    }
}
