//! A failed load, explained: the text a failed `bpf_object__load` (or cilium/ebpf's, or
//! aya's) printed, read ([`parse`]) and set against the object ([`explain`]).
//!
//! ```text
//!  parse ─ libbpf/cilium/aya/bare text → per program: the verifier's walk, listing,
//!          source lines, poisoned calls reached, error (no object needed)
//!  explain ─ which program (by name or by instructions; a log of another object is said
//!            not to match), each named instruction → function, instruction, source line;
//!            each poison → its CO-RE record / map / kfunc, why, how to fix; the walk
//!            against corelab's simulation
//! ```

mod explain;
mod parse;
mod words;

pub use explain::{
    explain, Explanation, Finding, FindingKind, Match, Options, Place, ProgExplanation, SimCheck,
};
pub use parse::{
    parse, LoadLog, Poison, PoisonKind, ProgLog, SourceRef, WalkInsn, Wrapper, CORE_POISON,
    KFUNC_POISON_BASE, MAP_POISON_BASE,
};
