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

/// A kernel module's BTF as a relocation target: split BTF over the kernel's.
#[derive(Debug, Clone, Copy)]
pub struct Module<'a> {
    /// The module's name, as `/sys/kernel/btf/NAME` names it (`ext4`); libbpf's `in [NAME]`.
    pub name: &'a str,
    /// Its BTF, parsed as split BTF over the kernel's.
    pub btf: &'a Btf,
}

/// What libbpf relocates against: the kernel's BTF, and the modules it searches when the
/// kernel has no candidate.
///
/// With a target file (`btf_custom_path`), libbpf searches that file alone: a target without
/// modules. On a live kernel, it searches `/sys/kernel/btf/vmlinux` and then, only for a local
/// type vmlinux has no candidate for, every loaded module's BTF in module order
/// (spec/core-spec.md §3.5). Modules are listed here in that order.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// The kernel's BTF (`vmlinux`, or the BTF file standing for it).
    pub vmlinux: &'a Btf,
    /// Module BTFs, split over `vmlinux`, in the order libbpf visits them.
    pub modules: Vec<Module<'a>>,
}

impl<'a> Target<'a> {
    /// A kernel alone (a target file: no module is searched).
    pub fn kernel(vmlinux: &'a Btf) -> Self {
        Target {
            vmlinux,
            modules: Vec::new(),
        }
    }

    /// The same kernel with one more module, searched after those before it.
    pub fn with_module(mut self, name: &'a str, btf: &'a Btf) -> Self {
        self.modules.push(Module { name, btf });
        self
    }
}

/// One target type a local type may relocate to.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The BTF it is in: the kernel's, or a module's (split over the kernel's).
    pub btf: &'a Btf,
    /// Its id in that BTF.
    pub id: TypeId,
    /// The module it is in; `None` for the kernel itself.
    pub module: Option<&'a str>,
}

impl Candidate<'_> {
    /// Where libbpf says it found it: `vmlinux` or the module's name.
    pub fn source(&self) -> &str {
        self.module.unwrap_or("vmlinux")
    }
}

impl PartialEq for Candidate<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.btf, other.btf) && self.id == other.id
    }
}

impl Eq for Candidate<'_> {}

/// The candidates of one local type, and the log lines the search printed.
#[derive(Debug, Clone)]
pub struct CandidateSearch<'a> {
    /// The candidates, in libbpf's order: the kernel's by ascending id, or else each
    /// module's by ascending id.
    pub cands: Vec<Candidate<'a>>,
    /// `CO-RE relocating [...]: found target candidate [...] in [...]` lines.
    pub log: Vec<LogLine>,
}

/// Finds the candidates for local type `local_id` in `target` (`bpf_core_find_cands`): the
/// kernel's first; only if it has none, each module's own types in module order. An
/// anonymous local type has none: libbpf fails the search with `-EINVAL`.
pub fn find_candidates<'a>(
    local: &Btf,
    local_id: TypeId,
    target: &Target<'a>,
) -> Result<CandidateSearch<'a>, Errno> {
    let lt = local.type_by_id(local_id).ok_or(Errno::EINVAL)?;
    if lt.name().is_empty() {
        return Err(Errno::EINVAL);
    }
    let mut out = CandidateSearch {
        cands: Vec::new(),
        log: Vec::new(),
    };
    add_candidates(local, local_id, target.vmlinux, None, &mut out);
    if out.cands.is_empty() {
        for m in &target.modules {
            add_candidates(local, local_id, m.btf, Some(m.name), &mut out);
        }
    }
    Ok(out)
}

/// `bpf_core_add_cands`: the candidates among `btf`'s own types (a module's start after the
/// kernel's; libbpf starts at the kernel's type count).
fn add_candidates<'a>(
    local: &Btf,
    local_id: TypeId,
    btf: &'a Btf,
    module: Option<&'a str>,
    out: &mut CandidateSearch<'a>,
) {
    let lt = local.ty(local_id);
    let local_name = lt.name();
    let first_own = if module.is_some() {
        btf.start_id()
    } else {
        TypeId(1)
    };
    for id in btf.find_by_essential_name(essential_name(local_name)) {
        let t = btf.ty(id);
        if id < first_own || !kinds_compat(t.kind(), lt.kind()) || t.name().is_empty() {
            continue;
        }
        let cand = Candidate { btf, id, module };
        out.log.push(log::found_candidate(
            local_id,
            lt.kind().lower_name(),
            local_name,
            id,
            t.kind().lower_name(),
            t.name(),
            cand.source(),
        ));
        out.cands.push(cand);
    }
}

/// libbpf's per-object candidate cache: local root type id → candidate list, shared by all
/// programs and sections of one relocation pass, and pruned as relocations find matches.
#[derive(Debug, Clone, Default)]
pub struct CandidateCache<'a> {
    lists: BTreeMap<TypeId, Vec<Candidate<'a>>>,
}

impl<'a> CandidateCache<'a> {
    /// An empty cache (one per pass).
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached list of `local_id`, if searched already.
    pub fn get(&self, local_id: TypeId) -> Option<&[Candidate<'a>]> {
        self.lists.get(&local_id).map(Vec::as_slice)
    }

    /// Stores (or replaces, after pruning) the list of `local_id`.
    pub fn set(&mut self, local_id: TypeId, cands: Vec<Candidate<'a>>) {
        self.lists.insert(local_id, cands);
    }
}
