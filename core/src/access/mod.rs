//! Access questions: the CO-RE records clang emits for a BPF C expression, without a
//! compiler, and libbpf's answer for them on any kernel.
//!
//! ```text
//!  lex ─ tokens with byte offsets
//!  parse ─ statements and expressions of the BPF C subset (ast)
//!  universe ─ the compiled-against kernel's types + the question's own, as one split BTF
//!  names ─ kernel names as vmlinux.h prints them (`___N` suffixes of duplicated names)
//!  synth ─ C semantics → records (kind, root, access string, instruction form, guards)
//!  emit ─ the object BTF clang would write for those records
//!  resolve ─ each record through libbpf's engine (reloc) against a target
//!  answer ─ many targets: runs of equal answers, a verdict, a fix that is checked
//! ```
//!
//! A [`Question`] is built from one or more parts (the CLI's arguments; a variable declared
//! in one part is known in the next). Its records are what clang-19 emits compiled against
//! the kernel's `vmlinux.h` (checked against clang itself by a differential test);
//! [`Question::object`] turns the distinct ones into an object whose records relocate
//! through the same code as `corelab reloc`.

mod answer;
mod ast;
mod cnames;
mod complete;
mod emit;
mod error;
mod fix;
mod from_index;
mod lex;
mod names;
mod parse;
mod print;
mod record;
mod resolve;
mod synth;
mod universe;
mod words;

use crate::btf::{Btf, TypeId};

pub use answer::{
    answer, answer_one, Answer, Cell, FieldFacts, Load, Rename, Run, TargetAnswer, Verdict,
};
pub(crate) use answer::{field_of, renamed};
pub(crate) use cnames::c_path;
pub use complete::{Completion, MAX_CANDIDATES};
pub use emit::ObjectBtf;
pub use error::AccessError;
pub use fix::{fix, fix_unchecked, Fix};
pub use from_index::answer_from_index;
pub use names::Local;
pub use record::{Cond, InsnForm, Record};
pub use resolve::{local_side, local_spec, relocate, relocate_on, LocalRecord, PROG};

use universe::Universe;

/// An error in one part of a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartError {
    /// Which part (0-based).
    pub part: usize,
    /// The error, with its byte offset in that part.
    pub error: AccessError,
}

/// A question about one compiled-against kernel.
pub struct Question<'k> {
    uni: Universe<'k>,
    synthesis: synth::Synthesis,
    parts: Vec<String>,
    stmts: Vec<Vec<parse::TopStmt>>,
}

impl std::fmt::Debug for Question<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Question")
            .field("parts", &self.parts)
            .field("records", &self.synthesis.records)
            .finish_non_exhaustive()
    }
}

/// The distinct records of a question in an object of their own.
#[derive(Debug)]
pub struct LocalObject {
    /// The object BTF.
    pub btf: ObjectBtf,
    /// The distinct records, in order of first appearance.
    pub records: Vec<LocalRecord>,
}

impl<'k> Question<'k> {
    /// An empty question about the kernel `local`.
    pub fn new(local: &'k Local) -> Result<Self, AccessError> {
        Ok(Question {
            uni: Universe::new(local)?,
            synthesis: synth::Synthesis::default(),
            parts: Vec::new(),
            stmts: Vec::new(),
        })
    }

    /// Adds a part (declarations and expressions). On error the question is unchanged,
    /// except for types the part defined before the error.
    pub fn add(&mut self, text: &str) -> Result<(), PartError> {
        let part = self.parts.len();
        let err = |error| PartError { part, error };
        let uni = &self.uni;
        let stmts = parse::parse(text, &|n| uni.is_typedef_name(n)).map_err(err)?;
        synth::synthesize(&mut self.uni, &stmts, part, &mut self.synthesis).map_err(err)?;
        self.parts.push(text.to_owned());
        self.stmts.push(stmts);
        Ok(())
    }

    /// The compiled-against kernel and its names.
    pub fn local(&self) -> &'k Local {
        self.uni.names
    }

    /// The parts added so far.
    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    /// Every record, in source order (duplicates included).
    pub fn records(&self) -> &[Record] {
        &self.synthesis.records
    }

    /// Warnings clang would print, with their part.
    pub fn warnings(&self) -> &[(usize, AccessError)] {
        &self.synthesis.warnings
    }

    /// The types the records refer to (kernel types and the question's own).
    pub fn btf(&self) -> &Btf {
        self.uni.current()
    }

    /// The compiled-against kernel.
    pub fn kernel(&self) -> &Btf {
        self.uni.kernel()
    }

    /// The name `vmlinux.h` (or the question) gives type `id`.
    pub fn type_name(&self, id: TypeId) -> String {
        if self.uni.is_own(id) {
            self.btf().ty(id).name().to_owned()
        } else {
            self.uni.names.type_name(id).into_owned()
        }
    }

    /// The distinct records (by kind, root and access string) in an object BTF of their own.
    pub fn object(&mut self) -> Result<LocalObject, AccessError> {
        let mut distinct: Vec<(RecordKey, InsnForm, Vec<usize>)> = Vec::new();
        for (i, r) in self.synthesis.records.iter().enumerate() {
            let key = (r.kind, r.root, r.access.clone());
            match distinct.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, form, idx)) => {
                    // A load decides more than an address computation (its size can be
                    // refused), so it stands for both.
                    if matches!(r.form, InsnForm::Mem(_)) {
                        *form = r.form;
                    }
                    idx.push(i);
                }
                None => distinct.push((key, r.form, vec![i])),
            }
        }
        let roots: Vec<TypeId> = distinct.iter().map(|(k, _, _)| k.1).collect();
        let strings: Vec<&str> = distinct.iter().map(|(k, _, _)| k.2.as_str()).collect();
        let own_start = self.uni.kernel().type_cnt();
        self.uni.btf();
        let obj = emit::emit(
            self.uni.current(),
            self.uni.names,
            own_start,
            &roots,
            &strings,
        )?;
        let records = distinct
            .into_iter()
            .enumerate()
            .map(|(i, ((kind, root, access), form, records))| LocalRecord {
                kind,
                root: obj.map.get(&root).copied().unwrap_or(TypeId(0)),
                access,
                access_off: obj.strings[i],
                form,
                records,
            })
            .collect();
        Ok(LocalObject { btf: obj, records })
    }
}

type RecordKey = (crate::reloc::RelocKind, TypeId, String);
