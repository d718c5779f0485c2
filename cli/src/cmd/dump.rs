//! `corelab dump FILE [--base BTF]`: byte-identical to `bpftool btf dump file FILE [-B BASE]`.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::{load, Failure};

/// Arguments of `corelab dump`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// BTF to list: raw, ELF (.BTF), compressed or archived.
    file: PathBuf,
    /// Base BTF when FILE is split BTF (a kernel module's).
    #[arg(long, short = 'B', value_name = "BTF")]
    base: Option<PathBuf>,
}

/// Runs `corelab dump`.
pub fn run(a: Args) -> Result<(), Failure> {
    let loaded = load::btf(&a.file, a.base.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    load::stdout_result(corelab::dump::write_raw(&loaded.btf, &mut out).and_then(|()| out.flush()))
}
