//! What a question compiles to: CO-RE records, each with the instruction form clang gives
//! the relocated value, and the guards that decide whether the code holding it runs.

use crate::btf::TypeId;
use crate::reloc::RelocKind;

/// The instruction clang puts the relocated value in. libbpf patches each class differently
/// (spec/core-spec.md §3.13): only memory accesses can have their size adjusted, or be
/// poisoned for a size change they cannot follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InsnForm {
    /// `r = imm` / `r += imm` (offsets computed for `bpf_probe_read`, sizes, existence).
    Alu,
    /// A load or store of `size` bytes at the relocated offset (a direct member read).
    Mem(u8),
    /// `r = imm64 ll` (type ids, enumerator values).
    LdImm64,
}

/// One CO-RE record, as clang would write it into `.BTF.ext`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The relocation kind.
    pub kind: RelocKind,
    /// The root type in the question's type universe (as written: typedefs kept,
    /// qualifiers dropped).
    pub root: TypeId,
    /// The access string (`0:53`, `0:0:47`, `0`).
    pub access: String,
    /// The instruction form.
    pub form: InsnForm,
    /// Byte offset of the expression in the question.
    pub pos: usize,
    /// Which part of the question (CLI argument) produced it.
    pub source: usize,
    /// Which top-level statement of that part.
    pub stmt: usize,
    /// The conditions the code holding it runs under: (condition, branch taken).
    pub guards: Vec<(Cond, bool)>,
}

/// The value of a condition as far as constants and relocated values decide it (what the
/// verifier sees after relocation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// Nothing known.
    Unknown,
    /// A constant.
    Const(u64),
    /// The relocated value of record `i` (index into the question's records).
    Record(usize),
    /// `!c`.
    Not(Box<Cond>),
    /// `a && b`.
    And(Box<Cond>, Box<Cond>),
    /// `a || b`.
    Or(Box<Cond>, Box<Cond>),
    /// `a OP b` for a comparison operator.
    Cmp(&'static str, Box<Cond>, Box<Cond>),
}

impl Cond {
    /// Evaluates with `value(i)` giving record `i`'s relocated value (`None` if unknown,
    /// e.g. poisoned).
    pub fn eval(&self, value: &dyn Fn(usize) -> Option<u64>) -> Option<u64> {
        match self {
            Cond::Unknown => None,
            Cond::Const(v) => Some(*v),
            Cond::Record(i) => value(*i),
            Cond::Not(c) => c.eval(value).map(|v| u64::from(v == 0)),
            Cond::And(a, b) => match (a.eval(value), b.eval(value)) {
                (Some(0), _) | (_, Some(0)) => Some(0),
                (Some(_), Some(_)) => Some(1),
                _ => None,
            },
            Cond::Or(a, b) => match (a.eval(value), b.eval(value)) {
                (Some(x), _) if x != 0 => Some(1),
                (_, Some(y)) if y != 0 => Some(1),
                (Some(_), Some(_)) => Some(0),
                _ => None,
            },
            Cond::Cmp(op, a, b) => {
                let (x, y) = (a.eval(value)?, b.eval(value)?);
                let r = match *op {
                    "==" => x == y,
                    "!=" => x != y,
                    "<" => x < y,
                    ">" => x > y,
                    "<=" => x <= y,
                    ">=" => x >= y,
                    _ => return None,
                };
                Some(u64::from(r))
            }
        }
    }

    /// Whether the code under `(self, taken)` can run.
    pub fn allows(&self, taken: bool, value: &dyn Fn(usize) -> Option<u64>) -> bool {
        match self.eval(value) {
            Some(v) => (v != 0) == taken,
            None => true,
        }
    }
}

impl Record {
    /// Whether the code holding this record runs, given the relocated values of the
    /// question's records (unknown values allow both branches, as for the verifier).
    pub fn reachable(&self, value: &dyn Fn(usize) -> Option<u64>) -> bool {
        self.guards.iter().all(|(c, taken)| c.allows(*taken, value))
    }
}
