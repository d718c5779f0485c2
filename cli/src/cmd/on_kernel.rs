//! The arguments `reloc` and `guard` share: an object, the kernel it is loaded on (with its
//! modules), the libbpf release and what `.kconfig` externs read.

use std::path::PathBuf;

use corelab::libbpf::Libbpf;

/// An object on a kernel, as `reloc` and `guard` take it (flattened into their `Args`).
#[derive(clap::Args, Debug)]
pub struct ObjectOnKernel {
    /// BPF object (ELF, possibly compressed).
    pub object: PathBuf,
    /// Target BTF (a kernel's: raw, ELF, compressed).
    #[arg(long, short = 't', value_name = "BTF")]
    pub target: PathBuf,
    /// A kernel module's BTF (`.ko` or split BTF over the target; repeatable, in the kernel's
    /// module order): searched for a local type the kernel has no candidate for.
    #[arg(long = "module", value_name = "MOD")]
    pub modules: Vec<PathBuf>,
    /// The libbpf release to reproduce.
    #[arg(long, value_name = "1.5|1.7", default_value_t = Libbpf::default())]
    pub libbpf: Libbpf,
    /// Kconfig text for `__kconfig` externs (CONFIG_* lines, as /proc/config.gz or
    /// `bpf_object_open_opts.kconfig`).
    #[arg(long, value_name = "FILE")]
    pub kconfig: Option<PathBuf>,
    /// Kernel release for `LINUX_KERNEL_VERSION` (`X.Y.Z`).
    #[arg(long, value_name = "X.Y.Z")]
    pub kernel_release: Option<String>,
}
