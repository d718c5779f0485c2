//! `corelab dump FILE [--base BTF]`: byte-identical to `bpftool btf dump file FILE [-B BASE]`;
//! `corelab dump MOD... --base VMLINUX`: the modules merged, as `bpftool -B VMLINUX btf dump
//! file MOD1 file MOD2 …` lists them.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::{load, Failure};

/// Arguments of `corelab dump`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// BTF to list: raw, ELF (.BTF), compressed or archived. Several (kernel modules) are
    /// merged over --base and deduplicated, as bpftool 7.7+ does.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Base BTF when FILE is split BTF (a kernel module's); required with several files.
    #[arg(long, short = 'B', value_name = "BTF")]
    base: Option<PathBuf>,
}

/// Runs `corelab dump`.
pub fn run(a: Args) -> Result<(), Failure> {
    let btf = load::btf_files(&a.files, a.base.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    load::stdout_result(corelab::dump::write_raw(&btf, &mut out).and_then(|()| out.flush()))
}
