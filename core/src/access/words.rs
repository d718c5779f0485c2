//! An access question's results in words, shared by the front ends (the CLI's `access`
//! table and the playground's Ask area): what a record stands for, what a kernel has for
//! it, whether a kernel loads the code, the fix's status, and each record as the relocation
//! report `reloc` shows for an object's own records.

use crate::reloc::{Processed, RecordReport};

use super::answer::{Answer, FieldFacts, Load};
use super::fix::Fix;
use super::record::InsnForm;
use super::resolve::{local_spec, PROG};
use super::LocalObject;

impl LocalObject {
    /// What distinct record `i` stands for: `task_struct.mm`, `enum pid_type::PIDTYPE_TGID`
    /// (the raw access string, said to be unparsable, when libbpf cannot parse it).
    pub fn describe(&self, i: usize) -> String {
        let r = &self.records[i];
        match local_spec(&self.btf, r, i) {
            Some(s) => s.access_path(),
            None => format!("{} (unparsable)", r.access),
        }
    }

    /// Distinct record `i` with libbpf's result `p` on a target, as `reloc` reports an
    /// object's record: section and program [`PROG`], relocation and instruction `i`.
    pub fn report<'a>(&'a self, i: usize, p: &Processed<'a>) -> RecordReport<'a> {
        let r = &self.records[i];
        RecordReport {
            sec: PROG,
            sec_relo_idx: i,
            obj_relo_idx: i,
            relo: r.core_relo(0),
            kind: r.kind,
            access: Some(&r.access),
            prog: Some(0),
            prog_insn_idx: Some(0),
            outcome: p.outcome,
            processed: Some(p.clone()),
        }
    }
}

impl InsnForm {
    /// The instruction clang emits, in words: `alu (offset/value)`, `load/store (8 bytes)`,
    /// `ld_imm64`.
    pub fn describe(self) -> String {
        match self {
            InsnForm::Alu => "alu (offset/value)".to_owned(),
            InsnForm::Mem(n) => format!("load/store ({n} bytes)"),
            InsnForm::LdImm64 => "ld_imm64".to_owned(),
        }
    }
}

impl FieldFacts {
    /// The values a kernel has, two spaces apart: `exists  offset 16  size 8` (`missing`
    /// alone when it lacks it; empty when libbpf could not tell).
    pub fn values_text(&self) -> String {
        let mut parts = Vec::new();
        match self.exists {
            Some(true) => parts.push("exists".to_owned()),
            Some(false) => parts.push("missing".to_owned()),
            None => {}
        }
        if let Some(o) = self.offset {
            parts.push(format!("offset {o}"));
        }
        if let Some(sz) = self.size {
            parts.push(format!("size {sz}"));
        }
        if let Some(v) = self.value {
            parts.push(format!("value {v}"));
        }
        parts.join("  ")
    }
}

impl Load {
    /// Whether a kernel loads the code, in words: `yes`, `no: the verifier reaches the
    /// poisoned #1 task_struct.mm`, `no: libbpf fails the object at #0: …`; `what` names a
    /// distinct record.
    pub fn describe(&self, what: &dyn Fn(usize) -> String) -> String {
        match self {
            Load::Loads => "yes".to_owned(),
            Load::Poisoned(v) => format!(
                "no: the verifier reaches the poisoned {}",
                v.iter()
                    .map(|&r| format!("#{r} {}", what(r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Load::Fails(r, msg) => format!("no: libbpf fails the object at #{r}: {msg}"),
        }
    }

    /// Whether it loads.
    pub fn loads(&self) -> bool {
        matches!(self, Load::Loads)
    }
}

impl Fix {
    /// Whether the fix was checked, in words: `checked: every kernel above loads it`, `NOT
    /// enough: …` (the fix's own verdict), `could not be checked`.
    pub fn status(&self) -> String {
        if self.checked {
            return "checked: every kernel above loads it".to_owned();
        }
        match &self.answer {
            Some(a) => format!(
                "NOT enough: {}",
                a.verdict_text(&|r| format!("record #{r}"))
            ),
            None => "could not be checked".to_owned(),
        }
    }
}

impl Answer {
    /// Kernels `first..=last` as one label: `5.10` alone, `5.10 .. 6.1 (3)` for a run.
    pub fn run_label(&self, first: usize, last: usize) -> String {
        if first == last {
            self.targets[first].clone()
        } else {
            format!(
                "{} .. {} ({})",
                self.targets[first],
                self.targets[last],
                last - first + 1
            )
        }
    }

    /// What kernel `t` has for distinct record `i` (from the runs).
    pub fn cell(&self, i: usize, t: usize) -> Option<&FieldFacts> {
        self.runs
            .get(i)?
            .iter()
            .find(|r| (r.first..=r.last).contains(&t))
            .map(|r| &r.facts)
    }
}
