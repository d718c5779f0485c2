//! What-if settings turned into engine inputs: the target kernel with types or members
//! hidden (a rewritten copy, kept until the settings change), and the pipeline's knobs.

use std::sync::Arc;

use corelab::btf::Btf;
use corelab::btf_write::{self, Hide, WriteOptions};
use corelab::kconfig::{self, Settings};
use corelab::libbpf::Libbpf;
use corelab::pipeline::Knobs;

use crate::dto::guard::{LibbpfRelease, WhatIf};

use super::{Kernel, Module};

/// A kernel as a relocation target: its BTF (possibly a what-if copy) and its name.
#[derive(Debug, Clone)]
pub struct Target {
    /// The kernel's label.
    pub label: String,
    /// The BTF relocated against.
    pub btf: Arc<Btf>,
    /// What hiding did, one line per request (`task_struct.__state: hidden`).
    pub hidden: Vec<String>,
    /// The libbpf release that relocates against it (default: [`Libbpf::default`]).
    pub libbpf: Libbpf,
    /// Kernel modules searched after it, in order, for a local type it has no candidate
    /// for (split over `btf`'s original; what-if hiding applies to the kernel alone).
    pub modules: Vec<Module>,
}

impl Target {
    /// What core relocates against: the kernel, then each module.
    pub fn core(&self) -> corelab::reloc::Target<'_> {
        let mut t = corelab::reloc::Target::kernel(&self.btf);
        for m in &self.modules {
            t = t.with_module(&m.name, &m.btf);
        }
        t
    }
}

/// A what-if copy of a kernel, kept so that the next run with the same settings reuses it
/// (and its essential-name index, built on the first relocation).
#[derive(Debug)]
pub(crate) struct HiddenCopy {
    pub slot: u32,
    pub hide: Vec<String>,
    pub target: Target,
}

/// The engine's libbpf for the page's choice.
pub fn libbpf(r: LibbpfRelease) -> Libbpf {
    match r {
        LibbpfRelease::V1_5 => Libbpf::V1_5,
        LibbpfRelease::V1_7 => Libbpf::V1_7,
    }
}

/// The page's name for the engine's libbpf.
pub fn release(l: Libbpf) -> LibbpfRelease {
    match l {
        Libbpf::V1_5 => LibbpfRelease::V1_5,
        Libbpf::V1_7 => LibbpfRelease::V1_7,
    }
}

/// The first `X.Y.Z` in a kernel's name (`debian12-6.1.0-50-amd64` → `6.1.0`).
pub fn release_in(name: &str) -> Option<String> {
    name.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|p| p.split('.').count() == 3 && p.split('.').all(|n| !n.is_empty()))
        .map(str::to_owned)
}

/// The release `LINUX_KERNEL_VERSION` comes from: the what-if one, else the kernel's name's.
pub fn release_for(whatif: &WhatIf, kernel_label: &str) -> Option<String> {
    whatif
        .kernel_release
        .clone()
        .filter(|r| !r.trim().is_empty())
        .or_else(|| release_in(kernel_label))
}

/// The pipeline's knobs for `whatif` against the kernel named `kernel_label`.
pub fn knobs(whatif: &WhatIf, kernel_label: &str) -> Result<Knobs, String> {
    let kernel_version = match release_for(whatif, kernel_label) {
        Some(r) => Some(
            kconfig::parse_release(r.trim())
                .ok_or_else(|| format!("kernel release {r}: expected X.Y.Z"))?,
        ),
        None => None,
    };
    Ok(Knobs {
        libbpf: libbpf(whatif.libbpf),
        kconfig: Settings {
            kernel_version,
            ..Settings::default()
        },
        set: whatif
            .set
            .iter()
            .filter(|(n, _)| !n.trim().is_empty())
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect(),
        limits: None,
    })
}

/// `kernel` without what `hide` names: a rewritten copy (same ids), or the kernel itself
/// when nothing is hidden.
pub(crate) fn hidden_copy(kernel: &Kernel, hide: &[String]) -> Result<Target, String> {
    let reqs: Vec<Hide> = hide.iter().filter_map(|h| Hide::parse(h)).collect();
    let btf = kernel.relocation_btf();
    let modules = kernel.modules().to_vec();
    if reqs.is_empty() {
        return Ok(Target {
            label: kernel.target_label(),
            btf: btf.clone(),
            hidden: Vec::new(),
            libbpf: Libbpf::default(),
            modules,
        });
    }
    let out = btf_write::hide(btf, &reqs, &WriteOptions::like(btf))
        .map_err(|e| format!("{}: cannot hide: {e}", kernel.label()))?;
    let parsed = match btf.base() {
        Some(base) => Btf::parse_split(&out.written.bytes, base.clone()),
        None => Btf::parse(&out.written.bytes),
    }
    .map_err(|e| format!("{}: the what-if copy does not parse: {e}", kernel.label()))?;
    let hidden = reqs
        .iter()
        .zip(&out.hits)
        .map(|(r, &n)| match (r, n) {
            (Hide::Type(t), 0) => format!("{t}: no such type in {}", kernel.label()),
            (Hide::Member { owner, member }, 0) => {
                format!("{owner}.{member}: no such member in {}", kernel.label())
            }
            (Hide::Type(t), n) => format!("{t}: hidden ({n} type{})", plural(n)),
            (Hide::Member { owner, member }, n) => {
                format!("{owner}.{member}: removed from {n} type{}", plural(n))
            }
        })
        .collect();
    Ok(Target {
        label: format!("{} (what-if)", kernel.target_label()),
        btf: Arc::new(parsed),
        hidden,
        libbpf: Libbpf::default(),
        modules,
    })
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
