//! One object against many kernels.

use serde::{Deserialize, Serialize};

use super::guard::LibbpfRelease;

/// A program's verdict on one kernel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VerdictCell {
    /// `loaded`, `rejected_poison`, …
    pub verdict: String,
    /// The first reason, when not loaded.
    pub reason: Option<String>,
}

/// A relocation's result on one kernel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ValueCell {
    /// Outcome name.
    pub outcome: String,
    /// The value written, when patched.
    pub value: Option<u64>,
    /// Why not, when poisoned or failed.
    pub reason: Option<String>,
}

/// A program across kernels.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MatrixProgram {
    /// Program name.
    pub name: String,
    /// Section.
    pub sec: String,
    /// One cell per kernel.
    pub cells: Vec<VerdictCell>,
}

/// A relocation across kernels.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MatrixReloc {
    /// Index over the whole `.BTF.ext`.
    pub idx: u32,
    /// Section and libbpf's number in it.
    pub sec: String,
    /// libbpf's `relo #N`.
    pub sec_relo_idx: u32,
    /// Kind.
    pub kind: String,
    /// What it accesses.
    pub access: String,
    /// The program holding it.
    pub prog: Option<String>,
    /// One cell per kernel.
    pub cells: Vec<ValueCell>,
    /// The cells are not all equal.
    pub varies: bool,
}

/// The compatibility matrix.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct MatrixTable {
    /// The object's label.
    pub object: String,
    /// Kernel labels, one column each.
    pub kernels: Vec<String>,
    /// The libbpf release that relocated.
    pub libbpf: LibbpfRelease,
    /// Programs × kernels.
    pub programs: Vec<MatrixProgram>,
    /// Relocations × kernels.
    pub relocations: Vec<MatrixReloc>,
    /// Milliseconds in the engine.
    pub ms: f64,
}
