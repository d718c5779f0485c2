//! `corelab minimize OBJECT... --target BTF [--module MOD]... -o OUT`: the part of a kernel's
//! BTF that the objects' CO-RE relocations need (what `bpftool gen min_core_btf` makes):
//! relocating the objects against OUT gives the same results as against the whole kernel.
//! With modules (which bpftool does not handle), what the relocations need from them follows
//! the kernel's types in OUT, so that OUT alone stands for the live kernel's BTFs.

use std::path::PathBuf;

use corelab::bytes::Endian;
use corelab::libbpf::Libbpf;
use corelab::minimize::minimize_target;

use crate::{load, Failure};

/// Arguments of `corelab minimize`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// BPF objects whose relocations must keep working.
    #[arg(required = true, value_name = "OBJECT")]
    objects: Vec<PathBuf>,
    /// The full kernel BTF.
    #[arg(long, short = 't', value_name = "BTF")]
    target: PathBuf,
    /// A kernel module's BTF (`.ko` or split BTF over the target; repeatable, in the kernel's
    /// module order), searched as libbpf searches a live kernel's modules.
    #[arg(long = "module", value_name = "MOD")]
    modules: Vec<PathBuf>,
    /// The libbpf release whose relocation decides what is needed.
    #[arg(long, value_name = "1.5|1.7", default_value_t = Libbpf::default())]
    libbpf: Libbpf,
    /// Where to write the minimal BTF (raw).
    #[arg(long, short = 'o', value_name = "OUT")]
    output: PathBuf,
    /// Write big-endian BTF (default: the target's byte order).
    #[arg(long)]
    big_endian: bool,
}

/// Runs `corelab minimize`.
pub fn run(a: Args) -> Result<(), Failure> {
    let kernel = load::Kernel::load(&a.target, &a.modules)?;
    let objects = a
        .objects
        .iter()
        .map(|p| load::object(p))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<_> = objects.iter().collect();
    let endian = if a.big_endian {
        Endian::Big
    } else {
        kernel.vmlinux.endian()
    };
    let min = minimize_target(&kernel.target(), &refs, a.libbpf, endian);
    std::fs::write(&a.output, &min.bytes)
        .map_err(|e| Failure::new(a.output.display().to_string(), e))?;
    for w in &min.warnings {
        eprintln!("corelab: warning: {w}");
    }
    let (types, bytes) = kernel.modules.iter().fold(
        (kernel.vmlinux.type_cnt() - 1, kernel.vmlinux.raw_size()),
        |(t, b), (_, m)| (t + m.own_type_count(), b + m.raw_size()),
    );
    eprintln!(
        "corelab: {}: {} types, {} bytes (from {} types, {} bytes) for {} relocations",
        a.output.display(),
        min.id_map.len() + min.module_id_maps.iter().map(|m| m.len()).sum::<usize>(),
        min.bytes.len(),
        types,
        bytes,
        min.records
    );
    Ok(())
}
