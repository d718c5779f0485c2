//! One struct or union side by side across kernels.

use serde::{Deserialize, Serialize};

/// The type as found in one kernel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CompareType {
    /// Type id in that kernel.
    pub id: u32,
    /// Its name (a flavor's full name).
    pub name: String,
    /// `struct` or `union`.
    pub keyword: String,
    /// Size in bytes.
    pub size: u32,
}

/// A field in one kernel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CompareCell {
    /// Dotted path (anonymous members lifted).
    pub path: String,
    /// Byte offset, or `byte:bit` for a bitfield.
    pub offset: String,
    /// Size in bytes, or `N bits`.
    pub size: String,
    /// The C type.
    pub ty: String,
    /// What changed since the previous kernel that has the type: `added`, `moved`,
    /// `resized`, `retyped`, `renamed` (empty: same).
    pub changes: Vec<String>,
}

/// A field's lineage across the kernels.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CompareRow {
    /// One cell per kernel; `None` where the field is absent.
    pub cells: Vec<Option<CompareCell>>,
    /// Per kernel: the field was there in the previous kernel having the type, and is gone.
    pub removed: Vec<bool>,
}

/// The comparison.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct CompareTable {
    /// The name asked for.
    pub name: String,
    /// Kernel labels.
    pub kernels: Vec<String>,
    /// The type per kernel.
    pub types: Vec<Option<CompareType>>,
    /// Field rows.
    pub rows: Vec<CompareRow>,
    /// Fields replaced by fields named after them (`i_atime → i_atime_sec, i_atime_nsec`
    /// in 6.11), as text.
    pub replacements: Vec<String>,
}
