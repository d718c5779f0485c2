//! Candidate search (`bpf_core_find_cands` / `bpf_core_add_cands`) and the per-object
//! candidate cache (spec/core-spec.md §3.5, §10 rule 1).
//!
//! A target type is a candidate for a local root type when its kind is the same (ENUM and
//! ENUM64 mix), it is named, and its essential name (flavor suffix `___x` removed) equals
//! the local one. The target's essential-name index (built once per target BTF, on first
//! use, by [`Btf::find_by_essential_name`]) makes the search a lookup instead of libbpf's
//! linear scan; the result — ids in ascending order — is the same.

use std::collections::BTreeMap;

use crate::btf::{essential_name, Btf, TypeId};

use super::compat::kinds_compat;
use super::log::{self, Errno, LogLine};

/// The candidates of one local type, and the log lines the search printed.
#[derive(Debug, Clone)]
pub struct CandidateSearch {
    /// Target type ids, ascending.
    pub ids: Vec<TypeId>,
    /// `CO-RE relocating [...]: found target candidate [...]` lines.
    pub log: Vec<LogLine>,
}

/// Finds the candidates for local type `local_id` in `target`. An anonymous local type has
/// none: libbpf fails the search with `-EINVAL`.
pub fn find_candidates(
    local: &Btf,
    local_id: TypeId,
    target: &Btf,
) -> Result<CandidateSearch, Errno> {
    let lt = local.type_by_id(local_id).ok_or(Errno::EINVAL)?;
    let local_name = lt.name();
    if local_name.is_empty() {
        return Err(Errno::EINVAL);
    }
    let mut out = CandidateSearch {
        ids: Vec::new(),
        log: Vec::new(),
    };
    for id in target.find_by_essential_name(essential_name(local_name)) {
        let t = target.ty(id);
        if !kinds_compat(t.kind(), lt.kind()) || t.name().is_empty() {
            continue;
        }
        out.log.push(log::found_candidate(
            local_id,
            lt.kind().lower_name(),
            local_name,
            id,
            t.kind().lower_name(),
            t.name(),
        ));
        out.ids.push(id);
    }
    Ok(out)
}

/// libbpf's per-object candidate cache: local root type id → candidate list, shared by all
/// programs and sections of one relocation pass, and pruned as relocations find matches.
#[derive(Debug, Clone, Default)]
pub struct CandidateCache {
    lists: BTreeMap<TypeId, Vec<TypeId>>,
}

impl CandidateCache {
    /// An empty cache (one per pass).
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached list of `local_id`, if searched already.
    pub fn get(&self, local_id: TypeId) -> Option<&[TypeId]> {
        self.lists.get(&local_id).map(Vec::as_slice)
    }

    /// Stores (or replaces, after pruning) the list of `local_id`.
    pub fn set(&mut self, local_id: TypeId, ids: Vec<TypeId>) {
        self.lists.insert(local_id, ids);
    }
}
