//! BTF deduplication, type for type what libbpf 1.8's `btf__dedup` leaves, and the merge of
//! several kernel modules over one kernel that bpftool 7.7+ builds from it
//! (`bpftool -B VMLINUX btf dump file MOD1 file MOD2 …`).
//!
//! bpftool appends each module's own types to an empty split BTF over the kernel
//! (`btf__add_btf`: ids shifted, strings re-added), then deduplicates the result. Everything a
//! listing or a header shows depends on *which* type survives as the canonical one and on the
//! ids left after compaction, so every step follows libbpf's order of work, not only its
//! notion of equivalence:
//!
//! 1. strings: one key per distinct string; a string the base has takes the offset of its
//!    first occurrence there (`strings.rs`);
//! 2. the base's types become candidates, in id order (split BTF only);
//! 3. primitive types (INT, FLOAT, FWD, ENUM/ENUM64, with enum forward declarations resolved
//!    both ways);
//! 4. structs, unions and typedefs by type-graph equivalence (`equiv.rs`): a side-by-side walk
//!    of the candidate's and the canonical type's graphs that records a hypothetical mapping,
//!    resolves FWDs, and merges what it proved into the canonical map;
//! 5. FWDs left alone resolved to the only struct/union of their name;
//! 6. reference types (pointers, modifiers, arrays, prototypes, functions, tags) bottom-up,
//!    their targets rewritten in place before they are compared;
//! 7. compaction (canonical own types keep their order) and remapping (`output.rs`).
//!
//! Candidates are looked up in a table (`cands.rs`) that reproduces the order in which libbpf's
//! hash map yields entries of one key — it decides which of several equivalent types wins.
//!
//! Hostile input costs bounded work: no recursion but libbpf's own depth-16 structural
//! comparison, explicit stacks elsewhere, and a work budget ([`Limits`]).
//!
//! The entry points: [`merge_modules`] (parsed modules over one kernel: the playground's and
//! the CLI's call), [`merge_module_blobs`] (the same from file contents), and [`merge`] /
//! [`dedup`] for any BTF, split or not, with the id maps.

mod cands;
mod equiv;
mod output;
mod passes;
mod shape;
mod store;
mod strings;

use std::fmt;
use std::sync::Arc;

use crate::btf::{Btf, Kind, TypeId};
use crate::error::Error;

pub use output::{DedupStats, Merged};

/// Resource limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Steps of work (type comparisons, graph-walk steps, map lookups) before giving up.
    pub max_work: u64,
}

impl Default for Limits {
    /// 2^30 steps, seconds of work: real merges need a few million at most (Debian 6.1 with
    /// 64 of its filesystem modules: 3.3·10^6; with three netfilter modules: 1.2·10^5; see
    /// `DedupStats::work`).
    fn default() -> Self {
        Limits { max_work: 1 << 30 }
    }
}

/// Why a merge or deduplication failed. `part` is the index of the input among the parts
/// (`None`: the base); `id` a type id as that part numbers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DedupError {
    /// A part is not split BTF over the given base (or, without a base, is split BTF).
    NotOverBase {
        /// Which part.
        part: usize,
    },
    /// No parts were given.
    Empty,
    /// The merged BTF would have more types than BTF can number.
    TooManyTypes {
        /// Types counted.
        count: u64,
    },
    /// A type libbpf's dedup refuses (it fails with EINVAL): an unknown kind, or a kind met
    /// where the algorithm has no rule for it.
    Unsupported {
        /// Which part (`None`: the base).
        part: Option<usize>,
        /// The type, numbered as in its part.
        id: TypeId,
        /// Its kind.
        kind: Kind,
        /// What was being done.
        during: &'static str,
    },
    /// A reference chain that comes back to itself without passing through a struct, union
    /// or typedef (libbpf fails with ELOOP).
    ReferenceLoop {
        /// Which part (`None`: the base).
        part: Option<usize>,
        /// A type on the loop, numbered as in its part.
        id: TypeId,
    },
    /// The work budget ran out.
    WorkLimit {
        /// The budget, in steps.
        max_work: u64,
    },
    /// A blob given to [`merge_module_blobs`] could not be read.
    Load {
        /// Which blob.
        part: usize,
        /// What was wrong with it.
        error: Error,
    },
    /// The merged types could not be encoded and read back (a bug if it ever happens).
    Output(Error),
}

impl DedupError {
    /// The part the error is about, if any (`None`: the base, or no single part).
    pub fn part(&self) -> Option<usize> {
        match self {
            DedupError::NotOverBase { part } | DedupError::Load { part, .. } => Some(*part),
            DedupError::Unsupported { part, .. } | DedupError::ReferenceLoop { part, .. } => *part,
            _ => None,
        }
    }
}

fn place(part: &Option<usize>) -> String {
    match part {
        Some(p) => format!("module #{}", p + 1),
        None => "the base".to_owned(),
    }
}

impl fmt::Display for DedupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DedupError::NotOverBase { part } => write!(
                f,
                "module #{} is not split BTF over the base it is merged with",
                part + 1
            ),
            DedupError::Empty => f.write_str("nothing to merge"),
            DedupError::TooManyTypes { count } => write!(
                f,
                "the merged BTF would have {count} types, more than BTF ids can number"
            ),
            DedupError::Unsupported {
                part,
                id,
                kind,
                during,
            } => write!(
                f,
                "type [{id}] of {} is a {kind}, which libbpf's deduplication rejects {during} (EINVAL)",
                place(part)
            ),
            DedupError::ReferenceLoop { part, id } => write!(
                f,
                "type [{id}] of {} is on a reference loop that passes through no struct, union or typedef (libbpf: ELOOP)",
                place(part)
            ),
            DedupError::WorkLimit { max_work } => write!(
                f,
                "deduplication needs more than {max_work} steps of work: giving up on pathological input"
            ),
            DedupError::Load { part, error } => write!(f, "module #{}: {error}", part + 1),
            DedupError::Output(e) => write!(f, "writing the merged BTF failed: {e}"),
        }
    }
}

impl std::error::Error for DedupError {}

/// Merges kernel modules parsed as split BTF over `base`, as `bpftool -B base btf dump file
/// M1 file M2 …` does: the result is split BTF over `base` holding every module's types,
/// deduplicated. A single module comes back as it is, as bpftool lists one file without
/// deduplicating it.
///
/// # Errors
///
/// See [`DedupError`].
pub fn merge_modules(base: &Arc<Btf>, mut modules: Vec<Btf>) -> Result<Btf, DedupError> {
    if modules.len() == 1 {
        let only = modules.pop().ok_or(DedupError::Empty)?;
        if !only.base().is_some_and(|b| Arc::ptr_eq(b, base)) {
            return Err(DedupError::NotOverBase { part: 0 });
        }
        return Ok(only);
    }
    let parts: Vec<&Btf> = modules.iter().collect();
    merge(Some(base), &parts, &Limits::default()).map(|m| m.btf)
}

/// [`merge_modules`] from the modules' file contents (raw split BTF, `.ko` ELF, compressed):
/// each is loaded over `base` with [`crate::input::load_btf`].
///
/// # Errors
///
/// [`DedupError::Load`] names the blob that could not be read; otherwise as
/// [`merge_modules`].
pub fn merge_module_blobs(base: &Arc<Btf>, blobs: &[&[u8]]) -> Result<Btf, DedupError> {
    let modules = blobs
        .iter()
        .enumerate()
        .map(|(part, b)| {
            crate::input::load_btf(b, Some(base.clone()))
                .map(|l| l.btf)
                .map_err(|error| DedupError::Load { part, error })
        })
        .collect::<Result<Vec<Btf>, DedupError>>()?;
    merge_modules(base, modules)
}

/// Appends the own types of every part (each split over `base`, or standalone when `base` is
/// `None`) in order to a new, empty BTF, as `btf__add_btf` does, and deduplicates them as
/// `btf__dedup` does.
///
/// The result's pointer size is 8 whatever the base's `long`: libbpf gives a new, empty BTF
/// the host's pointer size, and bpftool builds the merge in one (a lone module over a base
/// with a 4-byte `long` would be dumped with 4).
///
/// # Errors
///
/// See [`DedupError`].
pub fn merge(
    base: Option<&Arc<Btf>>,
    parts: &[&Btf],
    limits: &Limits,
) -> Result<Merged, DedupError> {
    if parts.is_empty() {
        return Err(DedupError::Empty);
    }
    run(base, parts, limits, HOST_PTR_SIZE)
}

/// libbpf's `sizeof(void *)` on every host bpftool runs on.
const HOST_PTR_SIZE: u32 = 8;

/// Deduplicates one BTF in place, as `btf__dedup` does (its own types; a split BTF's base
/// stays as it is). The result keeps `btf`'s pointer size.
///
/// # Errors
///
/// See [`DedupError`].
pub fn dedup(btf: &Btf, limits: &Limits) -> Result<Merged, DedupError> {
    run(btf.base(), &[btf], limits, btf.ptr_size())
}

fn run(
    base: Option<&Arc<Btf>>,
    parts: &[&Btf],
    limits: &Limits,
    ptr_size: u32,
) -> Result<Merged, DedupError> {
    let store = store::Store::append(base.map(|b| &**b), parts)?;
    let mut d = passes::Dedup::new(store, limits);
    d.run()?;
    d.finish(base, ptr_size)
}

#[cfg(test)]
mod tests;
