//! A failed load's explanation in words, shared by the front ends (`corelab explain-log`'s
//! text and the playground's Object area): where an instruction is, how a log was matched
//! to a program, what a poisoned instruction stands for, what the simulation says.

use crate::object::Object;

use super::explain::{Explanation, FindingKind, Match, Place, ProgExplanation, SimCheck};

impl Place {
    /// `insn 7 (atime_unguarded+7, kprobe/vfs_read insn 7), 10_guarding.bpf.c:48: text`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "insn {} ({}+{}, {} insn {})",
            self.insn, self.func, self.func_insn, self.section, self.sec_insn
        );
        if let Some((file, line, text)) = &self.source {
            s.push_str(&format!(", {file}:{line}: {text}"));
        }
        s
    }
}

impl Match {
    /// How the log was matched to a program of `obj`: `named in the log; its instructions
    /// agree`, `found by its instructions, which … have too: …`, `does not match the
    /// object: …`.
    pub fn describe(&self, obj: &Object) -> String {
        match self {
            Match::Named(_) => "named in the log; its instructions agree".to_owned(),
            Match::Given(_) => "named by you (the log names none); its instructions agree".to_owned(),
            Match::ByCode { others, .. } if others.is_empty() => {
                "found by its instructions".to_owned()
            }
            Match::ByCode { others, .. } => format!(
                "found by its instructions, which {} have too: the log does not say which of them failed",
                others
                    .iter()
                    .map(|&o| obj.programs[o].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Match::NameOnly(_) => "named in the log, which shows no instruction".to_owned(),
            Match::NoMatch(w) => format!("does not match the object: {w}"),
        }
    }
}

impl FindingKind {
    /// What the poisoned instruction stands for, in one line: `CO-RE relocation
    /// kprobe/x #9: byte_off inode.i_atime_sec`, `a map load: events (libbpf map #2)`, `a
    /// kfunc call: bpf_x`. A CO-RE record's spec is [`FindingKind::spec`].
    pub fn describe(&self) -> String {
        match self {
            FindingKind::Core {
                sec,
                sec_relo_idx,
                kind,
                access,
                ..
            } if !sec.is_empty() => {
                format!(
                    "CO-RE relocation {sec} #{sec_relo_idx}: {} {access}",
                    kind.log_name()
                )
            }
            FindingKind::Core { spec, .. } => format!("a CO-RE relocation: {spec}"),
            FindingKind::Map { index, name } => format!(
                "a map load: {} (libbpf map #{})",
                name.as_deref().unwrap_or("?"),
                index.map_or("?".to_owned(), |i| i.to_string())
            ),
            FindingKind::Kfunc { name } => {
                format!("a kfunc call: {}", name.as_deref().unwrap_or("?"))
            }
        }
    }

    /// libbpf's spec of a CO-RE record that the object names (`None` otherwise).
    pub fn spec(&self) -> Option<&str> {
        match self {
            FindingKind::Core { sec, spec, .. } if !sec.is_empty() => Some(spec),
            _ => None,
        }
    }
}

impl SimCheck {
    /// corelab's simulation against the verifier: `rejected_poison at insn 7, as the
    /// verifier`, or `…; it differs:` (the differences are [`SimCheck::differences`]).
    pub fn describe(&self) -> String {
        let verdict = match self.first_poison {
            Some(i) => format!("{} at insn {i}", self.verdict),
            None => self.verdict.clone(),
        };
        if self.agrees {
            format!("corelab's simulation: {verdict}, as the verifier")
        } else {
            format!("corelab's simulation: {verdict}; it differs:")
        }
    }
}

impl ProgExplanation {
    /// Where and why the verifier stopped: `the verifier stopped at insn 7 (…): invalid func
    /// unknown#195896080`, or `no error in the log`.
    pub fn stop_text(&self) -> String {
        match (&self.error, &self.stopped_at) {
            (Some(e), Some(at)) => format!("the verifier stopped at {}: {e}", at.describe()),
            (Some(e), None) => format!("the verifier stopped: {e}"),
            (None, _) => "no error in the log".to_owned(),
        }
    }
}

impl Explanation {
    /// Why no program of the object fits the log (`None` when one does).
    pub fn mismatch(&self) -> Option<String> {
        if self.matches() {
            return None;
        }
        Some(
            self.progs
                .iter()
                .find_map(|p| match &p.matched {
                    Match::NoMatch(w) => Some(w.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "it holds no verifier log".to_owned()),
        )
    }
}
