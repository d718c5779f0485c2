//! A sweep: one question asked of a catalogue selection one build at a time. The page
//! fetches each build's segments and hands them over; the engine rebuilds the build,
//! answers for it, and drops it. These are the shapes of that exchange.

use serde::{Deserialize, Serialize};

use super::ask::AcrossTable;
use super::guard::WhatIf;
use super::matrix::MatrixTable;

/// A selection resolved: the builds it names, in catalogue order (the table's), and the
/// order to sweep them in (builds sharing references next to each other).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Selection {
    /// The selection as written, without `@` (`bookworm/arm64`).
    pub selector: String,
    /// Build ids, in catalogue order.
    pub builds: Vec<String>,
    /// Indices into `builds`, in the order to sweep them.
    pub order: Vec<u32>,
}

/// What a sweep asks of each build.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum SweepJob {
    /// The object in slot `object` relocated and guarded against the build: its matrix
    /// column.
    Matrix {
        /// The object's slot.
        object: u32,
        /// What-if settings (overrides and the libbpf release; hiding does not apply, and
        /// the build's own release is `LINUX_KERNEL_VERSION`).
        whatif: WhatIf,
    },
    /// An access question compiled against the kernel in slot `local`, answered on the
    /// build (kept in the engine until [`AskSweepRequest`] gathers the table).
    Ask {
        /// The sweep: the question and the selection's builds.
        sweep: AskSweepKey,
        /// The build's place in `sweep.builds`.
        index: u32,
        /// Whether this pass asks the generated fix (to check it) rather than the question.
        fix: bool,
    },
}

/// What identifies an Ask sweep: a new one forgets the last one's answers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AskSweepKey {
    /// The kernel slot it is compiled against.
    pub local: u32,
    /// The question.
    pub text: String,
    /// The builds, in the table's (catalogue) order.
    pub builds: Vec<String>,
}

/// Ask an Ask sweep's question (or, with `fix`, its fix) on every build of it from the
/// where-index, before sweeping the builds the index leaves open.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AskIndexRequest {
    /// The sweep.
    pub sweep: AskSweepKey,
    /// Whether this pass asks the generated fix.
    pub fix: bool,
}

/// What the where-index answered for an Ask sweep's pass.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum AskIndexStep {
    /// It needs these index shards first (their places in the head's list).
    NeedShards(Vec<u32>),
    /// These builds (places in the sweep's builds) are answered and kept in the engine;
    /// the others are to be swept.
    Answered(Vec<u32>),
}

/// Gather an Ask sweep's answers into the table (over the builds answered so far).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AskSweepRequest {
    /// The sweep.
    pub sweep: AskSweepKey,
}

/// An Ask sweep gathered.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AskSweepTable {
    /// The table, verdict and fix, as for the bundled kernels.
    pub table: AcrossTable,
    /// The fix has not been asked on the builds yet: a second pass (`fix: true`) checks it.
    pub fix_unchecked: bool,
}

/// What the engine answers for one build.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum SweepStep {
    /// It needs these segments (file offsets) too: the references it did not keep, or the
    /// whole chain to name the culprit of a failed check.
    Need(Vec<u64>),
    /// The build's answer.
    Column(SweepColumn),
}

/// One build's answer, with where the time went.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SweepColumn {
    /// The answer.
    pub answer: SweepAnswer,
    /// Milliseconds rebuilding the BTF from its segments (sha256 included).
    pub rebuild_ms: f64,
    /// Milliseconds parsing it.
    pub parse_ms: f64,
    /// Milliseconds answering (relocation and simulation for the matrix).
    pub work_ms: f64,
}

/// The answer of one build, by job.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum SweepAnswer {
    /// A one-column matrix.
    Matrix(MatrixTable),
    /// The question's (or its fix's) answer is kept in the engine; whether the build loads it.
    Ask(bool),
}
