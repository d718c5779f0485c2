//! `corelab minimize OBJECT... --target BTF -o OUT`: the part of a kernel's BTF that the
//! objects' CO-RE relocations need (what `bpftool gen min_core_btf` makes): relocating the
//! objects against OUT gives the same results as against the whole kernel.

use std::path::PathBuf;

use corelab::bytes::Endian;
use corelab::minimize::minimize;

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
    /// Where to write the minimal BTF (raw).
    #[arg(long, short = 'o', value_name = "OUT")]
    output: PathBuf,
    /// Write big-endian BTF (default: the target's byte order).
    #[arg(long)]
    big_endian: bool,
}

/// Runs `corelab minimize`.
pub fn run(a: Args) -> Result<(), Failure> {
    let target = load::btf(&a.target, None)?.btf;
    let objects = a
        .objects
        .iter()
        .map(|p| load::object(p))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<_> = objects.iter().collect();
    let endian = if a.big_endian {
        Endian::Big
    } else {
        target.endian()
    };
    let min = minimize(&target, &refs, endian);
    std::fs::write(&a.output, &min.bytes)
        .map_err(|e| Failure::new(a.output.display().to_string(), e))?;
    eprintln!(
        "corelab: {}: {} types, {} bytes (from {} types, {} bytes) for {} relocations",
        a.output.display(),
        min.id_map.len(),
        min.bytes.len(),
        target.type_cnt() - 1,
        target.raw_size(),
        min.records
    );
    Ok(())
}
