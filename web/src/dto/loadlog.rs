//! A failed load's log explained against the loaded object: per program log, how it was
//! matched, where the verifier stopped, each poisoned instruction reached (where, what it
//! stands for, why, how to fix it), the simulation's agreement; and the instructions the
//! log names, for marking them in the code and Guarding views.

use serde::{Deserialize, Serialize};

use super::object::SourceRef;

/// An instruction the log names.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogMark {
    /// The program (whose linked instructions the Guarding view shows).
    pub prog: String,
    /// Its index in the program as loaded (the log's numbering).
    pub insn: u32,
    /// The code section.
    pub sec: String,
    /// Its index in the section (the code view's numbering).
    pub sec_insn: u32,
    /// What the log says there (`poisoned: CO-RE relocation … #9`, `the verifier stopped
    /// here`).
    pub text: String,
    /// A poisoned instruction the verifier reached (else where it stopped).
    pub poison: bool,
}

/// A poisoned instruction the log shows reached.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogFinding {
    /// Where: `insn 7 (atime_unguarded+7, kprobe/vfs_read insn 36)`, or that the log does
    /// not say.
    pub place: String,
    /// The instruction in the program, when known.
    pub insn: Option<u32>,
    /// Its source line.
    pub source: Option<SourceRef>,
    /// What it stands for: `CO-RE relocation kprobe/vfs_read #9: byte_off inode.i_atime_sec`.
    pub what: String,
    /// libbpf's spec of the CO-RE record.
    pub spec: Option<String>,
    /// The CO-RE record's row in the Relocations tab (index over the `.BTF.ext`).
    pub relo: Option<u32>,
    /// Why it was poisoned.
    pub cause: String,
    /// How to fix it.
    pub fix: String,
    /// Where the position came from, when not from the log itself.
    pub located_by: Option<String>,
}

/// One program's log.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogProgram {
    /// The program (the object's name, else the log's).
    pub name: String,
    /// Matched to the object at all.
    pub matched: bool,
    /// How it was matched.
    pub how: String,
    /// Where and why the verifier stopped.
    pub stop: String,
    /// The poisoned instructions reached.
    pub findings: Vec<LogFinding>,
    /// corelab's simulation against the verifier, when a kernel was given.
    pub sim: Option<String>,
    /// Where they differ.
    pub differences: Vec<String>,
}

/// The whole log explained.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct LogReport {
    /// What printed it: `libbpf`, `cilium/ebpf`, `aya`, `verifier log`.
    pub wrapper: String,
    /// The kernel it was explained against.
    pub kernel: Option<String>,
    /// Why the log is not about this object (then nothing else is said).
    pub mismatch: Option<String>,
    /// One per program log.
    pub programs: Vec<LogProgram>,
    /// Every instruction the log names.
    pub marks: Vec<LogMark>,
}

impl LogReport {
    /// The marks on program `prog`'s instruction `insn` (the Guarding view's numbering).
    pub fn marks_on_prog(&self, prog: &str, insn: u32) -> impl Iterator<Item = &LogMark> {
        let prog = prog.to_owned();
        self.marks
            .iter()
            .filter(move |m| m.prog == prog && m.insn == insn)
    }

    /// The marks on section `sec`'s instruction `sec_insn` (the code view's numbering).
    pub fn marks_in_section(&self, sec: &str, sec_insn: u32) -> impl Iterator<Item = &LogMark> {
        let sec = sec.to_owned();
        self.marks
            .iter()
            .filter(move |m| m.sec == sec && m.sec_insn == sec_insn)
    }
}
