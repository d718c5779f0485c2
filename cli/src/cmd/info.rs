//! `corelab info FILE`: what a file holds, the features its BTF uses, and the oldest kernel,
//! libbpf and bpftool that can read it.

use std::fmt::Write as _;
use std::path::PathBuf;

use corelab::btf::Kind;
use corelab::info::Summary;
use corelab::input::{self, Content, ElfRole, LoadedBtf};

use crate::{load, Failure};

/// Arguments of `corelab info`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// File to describe: raw BTF, ELF (vmlinux, module, BPF object, executable), compressed.
    file: PathBuf,
    /// Base BTF when FILE is split BTF.
    #[arg(long, short = 'B', value_name = "BTF")]
    base: Option<PathBuf>,
}

/// Runs `corelab info`.
pub fn run(a: Args) -> Result<(), Failure> {
    let name = a.file.display().to_string();
    let data = load::read(&a.file)?;
    let un = input::unpack(&data, input::Limits::default()).map_err(|e| Failure::new(&name, e))?;
    let mut s = String::new();
    if let Content::Elf(ElfRole::Executable) = un.content {
        let embedded = input::elf::find_embedded_bpf(&un.data);
        if !embedded.is_empty() {
            let _ = writeln!(
                s,
                "{name}: executable embedding {} BPF object(s):",
                embedded.len()
            );
            for e in &embedded {
                let _ = writeln!(s, "  at offset {:#x}, {} bytes", e.offset, e.len);
            }
            print!("{s}");
            return Ok(());
        }
    }
    let base = match &a.base {
        Some(b) => Some(std::sync::Arc::new(load::btf(b, None)?.btf)),
        None => None,
    };
    let loaded = input::load_btf(&data, base).map_err(|e| Failure::new(&name, e))?;
    describe(&mut s, &name, &loaded);
    print!("{s}");
    Ok(())
}

fn describe(s: &mut String, name: &str, l: &LoadedBtf) {
    let btf = &l.btf;
    let what = l.describe_content();
    let _ = writeln!(s, "file:          {name}");
    let _ = writeln!(s, "content:       {what}");
    if !l.layers.is_empty() {
        let _ = writeln!(s, "unpacked from: {}", l.layers.join(" → "));
    }
    let h = btf.header();
    let _ = writeln!(s, "byte order:    {}", btf.endian().describe());
    let _ = writeln!(
        s,
        "header:        {} bytes (version {}, flags {:#x}); types {} bytes, strings {} bytes{}",
        h.hdr_len,
        h.version,
        h.flags,
        h.type_len,
        h.str_len,
        if h.layout_len != 0 {
            format!(", layout {} bytes", h.layout_len)
        } else {
            String::new()
        }
    );
    let _ = writeln!(s, "pointer size:  {}", btf.ptr_size());
    if let Some(base) = btf.base() {
        let _ = writeln!(
            s,
            "split BTF:     ids {}..{} over a base of {} types{}",
            btf.start_id().0,
            btf.type_cnt() - 1,
            base.type_cnt() - 1,
            if l.distilled_base {
                " (the distilled .BTF.base in the file)"
            } else {
                ""
            }
        );
    }
    let sum = Summary::of(btf);
    let _ = writeln!(s, "types:         {}", sum.own_types);
    for (k, &n) in sum.kind_counts.iter().enumerate() {
        if n > 0 {
            let _ = writeln!(s, "  {:<12} {n:>8}", Kind(k as u8).upper_name());
        }
    }
    for &(k, n) in &sum.unknown_kinds {
        let _ = writeln!(s, "  kind {k:<7} {n:>8}  (described by the layout section)");
    }
    let _ = writeln!(s, "features:");
    for f in &sum.features {
        let sup = f.support();
        let _ = writeln!(
            s,
            "  {:<56} kernel {:>5}  libbpf {:>4}  bpftool {:>5}",
            f.describe(),
            sup.kernel.to_string(),
            sup.libbpf.to_string(),
            sup.bpftool.to_string()
        );
    }
    let (min, why) = sum.minimum();
    let _ = writeln!(
        s,
        "readable by:   kernel ≥ {} ({})",
        min.kernel,
        why[0].describe()
    );
    let _ = writeln!(
        s,
        "               libbpf ≥ {} ({})",
        min.libbpf,
        why[1].describe()
    );
    let _ = writeln!(
        s,
        "               bpftool ≥ {} ({})",
        min.bpftool,
        why[2].describe()
    );
}
