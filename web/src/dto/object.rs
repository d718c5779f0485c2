//! A BPF object: its programs, what-if knobs, and its code interleaved with source lines.

use serde::{Deserialize, Serialize};

/// A source position from `.BTF.ext` line_info.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SourceRef {
    /// The file's base name (`10_guarding.bpf.c`).
    pub file: String,
    /// Line number.
    pub line: u32,
    /// Column.
    pub column: u32,
    /// The line's text, trimmed.
    pub text: String,
}

/// One program or subprogram.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProgramInfo {
    /// Function name.
    pub name: String,
    /// ELF section (`kprobe/vfs_read`; `.text` for subprograms).
    pub sec: String,
    /// A subprogram (called by programs, not loaded alone).
    pub subprog: bool,
    /// libbpf loads it (`SEC("?…")` programs are off).
    pub autoload: bool,
    /// Index of its code section in [`ObjectSummary::code`].
    pub code: u32,
    /// First instruction in that section.
    pub start: u32,
    /// Instruction count.
    pub len: u32,
}

/// Something the Guarding area's what-if controls can set: a `.kconfig` extern or a
/// read-only global.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KnobInfo {
    /// The symbol (`CONFIG_HZ`, `LINUX_KERNEL_VERSION`, `min_duration`).
    pub name: String,
    /// `kconfig` or `rodata`.
    pub kind: String,
    /// Its type as C spells it (`u32`, `bool`, `char[16]`, `tristate`).
    pub ty: String,
    /// Size in bytes.
    pub size: u32,
    /// What it holds before any override: the object's initial value (rodata), or what
    /// libbpf fills in (kconfig; `__weak` and missing: 0).
    pub value: String,
    /// `__weak` (kconfig).
    pub weak: bool,
}

/// One line of a code listing: an instruction, with what sits at it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CodeLine {
    /// Instruction index in its section.
    pub idx: u32,
    /// llvm-objdump's text of it.
    pub text: String,
    /// The program or subprogram starting here.
    pub func: Option<String>,
    /// The source line whose code starts here (line_info).
    pub source: Option<SourceRef>,
    /// CO-RE records at this instruction (indices over the whole `.BTF.ext`).
    pub relos: Vec<u32>,
    /// A jump's target instruction.
    pub target: Option<u32>,
}

/// One code section as a listing.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CodeSection {
    /// Section name.
    pub name: String,
    /// Its instructions (the second slot of an `LD_IMM64` is folded into the first).
    pub lines: Vec<CodeLine>,
}

/// What a BPF object holds, ready to display.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ObjectSummary {
    /// The name the user knows it by.
    pub label: String,
    /// `little-endian` / `big-endian`.
    pub byte_order: String,
    /// The license string.
    pub license: Option<String>,
    /// Programs and subprograms, in libbpf's order.
    pub programs: Vec<ProgramInfo>,
    /// CO-RE relocation records.
    pub relocations: u32,
    /// `.kconfig` externs and read-only globals.
    pub knobs: Vec<KnobInfo>,
    /// Why `.BTF` / `.BTF.ext` are unusable, when they are.
    pub problems: Vec<String>,
    /// The code, per section.
    pub code: Vec<CodeSection>,
}
