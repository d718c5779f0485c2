//! CO-RE relocation, exactly as libbpf does it (spec/core-spec.md §3): release 1.7 by
//! default, 1.5 on request ([`crate::libbpf::Libbpf`]).
//!
//! A BPF object records, for every instruction that depends on a kernel type layout, *what*
//! it accesses (a root type and an access string such as `0:92` = `task_struct.pid`). Given
//! the target kernel's BTF, relocation finds where that is in the kernel and rewrites the
//! instruction — or poisons it when the kernel does not have it.
//!
//! The pipeline, one module per step:
//!
//! ```text
//!  kind ─ the 13 kinds: number, log name, class
//!  spec ─ access string → local spec (raw + high-level accessors, bit offset)
//!  cands ─ candidate search in the target (kernel, then modules) + the per-object cache
//!  compat ─ fields_are_compat / types_are_compat / types_match
//!  matching ─ local spec vs one candidate → target spec
//!  calc ─ values, ambiguity checks, poison/zero decisions → Resolution (pure)
//!  patch ─ Resolution → instruction bytes (the only mutation)
//!  format / log ─ libbpf's spec text and log lines, as data
//!  driver ─ the object-level loop, programs, autoload, passes
//! ```
//!
//! Invariants: the calculation is a pure function of (local BTF, target BTF, record,
//! candidate list) and returns its explanation with its result; patching is the only code
//! that writes instructions; log lines are values, worded as libbpf words them.
//!
//! Where libbpf's behaviour depends on the host, this follows x86-64 (little-endian, 64-bit):
//! the LSHIFT of bitfields is computed for a little-endian host.

mod calc;
mod cands;
mod compat;
mod describe;
mod driver;
mod format;
mod kind;
pub mod log;
mod matching;
mod patch;
mod spec;
#[cfg(test)]
mod tests;

pub use calc::{
    calc_relo_insn, CalcContext, CalcError, CandidateTrial, RelocRequest, RelocResult, Resolution,
};
pub use cands::{find_candidates, Candidate, CandidateCache, CandidateSearch, Module, Target};
pub use describe::OutcomeCounts;
pub use driver::{
    relocate, relocate_object, relocate_record, FirstError, ObjectRelocation, Outcome, Phase,
    Processed, RecordReport, MAX_PASSES,
};
pub use format::format_spec;
pub use kind::{RelocClass, RelocKind};
pub use log::{Errno, Level, LogLine};
pub use patch::{patch_insn, PatchReport, Patched, PoisonCause};
pub use spec::{Accessor, Spec, MAX_SPEC_LEN};
