//! `corelab header FILE [--base BTF] [--profile P] [--root TYPE]...`: the C header, byte for
//! byte what `bpftool btf dump file FILE format c` prints (per profile), or with `--root` only
//! the named types and what they need (bpftool 7.6's `root_id`).
//!
//! `corelab header MOD... --base VMLINUX` writes the header of the modules merged over the
//! kernel (`bpftool -B VMLINUX btf dump file MOD1 file MOD2 … format c`).
//!
//! libbpf's warnings go to stderr as `libbpf: …` lines, as bpftool prints them. An
//! unsatisfiable type cycle leaves stdout where bpftool leaves it (no footer) and exits 1.

use std::io::Write;
use std::path::PathBuf;

use corelab::header::{self, HeaderError, IoSink, Options, Profile};

use crate::{load, Failure};

/// Arguments of `corelab header`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// BTF to write as C: raw, ELF (.BTF), compressed or archived. Several (kernel modules)
    /// are merged over --base and deduplicated, as bpftool 7.7+ does.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Base BTF when FILE is split BTF (a kernel module's); required with several files.
    #[arg(long, short = 'B', value_name = "BTF")]
    base: Option<PathBuf>,
    /// The bpftool to imitate: bpftool (7.8 without its sort bug), bpftool-7.8, unsorted
    /// (7.8's `format c unsorted`), bpftool-7.1 (Debian 12), bpftool-7.4.
    #[arg(long, short = 'p', default_value = "bpftool", value_name = "P")]
    profile: Profile,
    /// Only this type and what it needs (repeatable): an id, a name, or `struct NAME` etc.
    #[arg(long, short = 'r', value_name = "TYPE")]
    root: Vec<String>,
    /// With --root: also the typedefs <bpf/bpf_helpers.h> needs (__u32, __be16, __wsum, …).
    #[arg(long, requires = "root")]
    helper_types: bool,
}

/// Runs `corelab header`.
pub fn run(a: Args) -> Result<(), Failure> {
    let name = a.files[0].display().to_string();
    let btf = load::btf_files(&a.files, a.base.as_deref())?;
    let mut roots = Vec::new();
    if a.helper_types {
        roots.extend(header::helper_roots(&btf));
    }
    for spec in &a.root {
        roots.extend(header::find_roots(&btf, spec).map_err(|e| Failure::new(&name, e))?);
    }
    let opts = Options {
        profile: a.profile,
        roots,
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    // The generator hands text over in 32 KiB chunks: no further buffering needed.
    let mut sink = IoSink::new(stdout.lock(), stderr.lock());
    let result = header::write(&btf, &opts, &mut sink);
    load::stdout_result(sink.finish().and_then(|(mut out, _)| out.flush()))?;
    match result {
        Ok(()) => Ok(()),
        // libbpf's own message is already on stderr, exactly as bpftool shows it.
        Err(HeaderError::Cycle(_)) => Err(Failure::silent()),
        Err(e) => Err(Failure::new(&name, e)),
    }
}
