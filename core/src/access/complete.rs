//! Completion for a question being typed: after `struct `/`union `/`enum ` the kernel's (and
//! the question's) tags; after `->` or `.` the members of what the expression before it
//! points to or is (anonymous members' members lifted, as C names them); elsewhere variables,
//! typedef names and the CO-RE macros.

use crate::btf::{Kind, TypeId};

use super::ast::{Expr, Stmt};
use super::cnames::visible_members;
use super::parse::parse;
use super::synth;
use super::Question;

/// What may complete the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Byte offset where the word being completed starts (the candidates replace from here).
    pub from: usize,
    /// Candidates, sorted, at most [`MAX_CANDIDATES`].
    pub candidates: Vec<String>,
}

/// The most candidates returned.
pub const MAX_CANDIDATES: usize = 100;

const MACROS: [&str; 19] = [
    "BPF_CORE_READ",
    "BPF_CORE_READ_INTO",
    "BPF_CORE_READ_STR_INTO",
    "BPF_CORE_READ_USER",
    "BPF_CORE_READ_BITFIELD",
    "BPF_CORE_READ_BITFIELD_PROBED",
    "bpf_core_field_exists",
    "bpf_core_field_size",
    "bpf_core_field_offset",
    "bpf_core_field_signed",
    "bpf_core_type_exists",
    "bpf_core_type_size",
    "bpf_core_type_matches",
    "bpf_core_type_id_kernel",
    "bpf_core_type_id_local",
    "bpf_core_enum_value_exists",
    "bpf_core_enum_value",
    "bpf_core_read",
    "__builtin_preserve_access_index",
];

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The start of the postfix expression ending at `end` (`t->mm->exe_file`, `p[2].x`).
fn chain_start(s: &[u8], mut end: usize) -> usize {
    loop {
        while end > 0 && s[end - 1] == b' ' {
            end -= 1;
        }
        if end > 0 && (s[end - 1] == b']' || s[end - 1] == b')') {
            let (open, close) = if s[end - 1] == b']' {
                (b'[', b']')
            } else {
                (b'(', b')')
            };
            let mut depth = 0usize;
            let mut i = end;
            while i > 0 {
                i -= 1;
                if s[i] == close {
                    depth += 1;
                } else if s[i] == open {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            end = i;
            if open == b'(' && (end == 0 || !is_ident(s[end - 1])) {
                return end;
            }
            continue;
        }
        let word_end = end;
        while end > 0 && is_ident(s[end - 1]) {
            end -= 1;
        }
        if end == word_end {
            return end;
        }
        let mut k = end;
        while k > 0 && s[k - 1] == b' ' {
            k -= 1;
        }
        if k >= 2 && &s[k - 2..k] == b"->" {
            end = k - 2;
        } else if k >= 1 && s[k - 1] == b'.' {
            end = k - 1;
        } else {
            return end;
        }
    }
}

impl Question<'_> {
    /// Completions for `text`, the part being typed (earlier parts' declarations count).
    pub fn complete(&mut self, text: &str) -> Completion {
        let b = text.as_bytes();
        let mut from = b.len();
        while from > 0 && is_ident(b[from - 1]) {
            from -= 1;
        }
        let prefix = &text[from..];
        let before = text[..from].trim_end();
        let mut items: Vec<String> = Vec::new();
        let tag = ["struct", "union", "enum"].into_iter().find(|k| {
            before.ends_with(k)
                && before[..before.len() - k.len()]
                    .bytes()
                    .last()
                    .is_none_or(|c| !is_ident(c))
        });
        if let Some(kw) = tag {
            let btf = self.btf();
            for id in btf.ids() {
                let t = btf.ty(id);
                let fits = match kw {
                    "struct" => t.kind() == Kind::STRUCT,
                    "union" => t.kind() == Kind::UNION,
                    _ => t.kind().is_any_enum(),
                };
                if fits && !t.name().is_empty() && t.name().starts_with(prefix) {
                    items.push(self.type_name(id));
                }
            }
        } else if before.ends_with("->") || before.ends_with('.') {
            let arrow = before.ends_with("->");
            let op_at = before.len() - if arrow { 2 } else { 1 };
            let start = chain_start(b, op_at);
            let base = text[start..op_at].trim();
            if let Some(t) = self.expr_type(base) {
                let btf = self.btf();
                let t = if arrow {
                    match btf.skip_mods_and_typedefs(t) {
                        p if p.kind() == Kind::PTR => p.type_id(),
                        a if a.kind() == Kind::ARRAY => a.array().elem,
                        _ => TypeId(0),
                    }
                } else {
                    t
                };
                let r = btf.skip_mods_and_typedefs(t);
                if r.kind().is_composite() {
                    items = visible_members(btf, r.id())
                        .into_iter()
                        .map(|(m, _)| m)
                        .filter(|m| m.starts_with(prefix))
                        .collect();
                }
            }
        } else {
            items.extend(
                self.synthesis
                    .var_names()
                    .filter(|v| v.starts_with(prefix) && !v.starts_with('\u{1}'))
                    .map(str::to_owned),
            );
            items.extend(
                MACROS
                    .iter()
                    .filter(|m| m.starts_with(prefix))
                    .map(|m| (*m).to_owned()),
            );
            if !prefix.is_empty() {
                let btf = self.btf();
                for id in btf.ids() {
                    let t = btf.ty(id);
                    if t.kind() == Kind::TYPEDEF && t.name().starts_with(prefix) {
                        items.push(self.type_name(id));
                    }
                }
            }
        }
        items.sort();
        items.dedup();
        items.truncate(MAX_CANDIDATES);
        Completion {
            from,
            candidates: items,
        }
    }

    /// The type of expression `text` (no records), if it parses and evaluates.
    fn expr_type(&mut self, text: &str) -> Option<TypeId> {
        let uni = &self.uni;
        let stmts = parse(text, &|n| uni.is_typedef_name(n)).ok()?;
        let [top] = stmts.as_slice() else { return None };
        let Stmt::Expr(e) = &top.stmt else {
            return None;
        };
        let e: &Expr = e;
        synth::type_of(&mut self.uni, e, &self.synthesis).ok()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::Local;
    use super::*;
    use crate::header::Profile;

    #[test]
    fn members_tags_and_names() {
        let local = Local::new(
            Arc::new(crate::fuzzing::access_kernel(0)),
            Profile::default(),
        );
        let mut q = Question::new(&local).unwrap();
        q.add("struct task *t").unwrap();
        let c = q.complete("t->parent->i");
        assert_eq!(c.from, 11);
        assert_eq!(c.candidates, vec!["in".to_owned()]);
        // Anonymous members' members are named directly.
        assert!(q.complete("t->").candidates.contains(&"u1".to_owned()));
        assert!(q.complete("t->in.").candidates.contains(&"b".to_owned()));
        assert!(q
            .complete("BPF_CORE_READ(t, in), t[1].")
            .candidates
            .contains(&"comm".to_owned()));
        assert_eq!(
            q.complete("struct sl").candidates,
            vec!["slot".to_owned(), "slot___2".to_owned()]
        );
        assert!(q
            .complete("bpf_core_type_")
            .candidates
            .contains(&"bpf_core_type_exists".to_owned()));
        assert!(q.complete("ta").candidates.contains(&"task_t".to_owned()));
        assert!(q.complete("t->nope->").candidates.is_empty());
    }
}
