//! `corelab layout FILE TYPE [--base BTF]`: a struct's or union's layout as pahole prints it
//! (`pahole -F btf -C TYPE FILE`, pahole 1.24): offsets, sizes, bitfields, holes, padding,
//! cache lines.

use std::path::PathBuf;

use crate::{load, Failure};

/// Arguments of `corelab layout`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// BTF holding the type: raw, ELF (.BTF), compressed or archived.
    file: PathBuf,
    /// The struct or union: a name (`task_struct`, `union bpf_attr`) or a type id.
    r#type: String,
    /// Base BTF when FILE is split BTF (a kernel module's).
    #[arg(long, short = 'B', value_name = "BTF")]
    base: Option<PathBuf>,
}

/// Runs `corelab layout`.
pub fn run(a: Args) -> Result<(), Failure> {
    let name = a.file.display().to_string();
    let btf = load::btf(&a.file, a.base.as_deref())?.btf;
    let id = corelab::layout::find(&btf, &a.r#type)
        .ok_or_else(|| Failure::new(&name, format!("no struct or union '{}'", a.r#type)))?;
    let text = corelab::layout::render(&btf, id)
        .ok_or_else(|| Failure::new(&name, format!("type [{}] is not a struct or union", id.0)))?;
    use std::io::Write;
    load::stdout_result(std::io::stdout().lock().write_all(text.as_bytes()))
}
