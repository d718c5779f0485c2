//! `corelab diff A B [--type NAME] [--base BTF]`: what changed between two BTFs — counts of
//! added/removed/changed types per kind, then each type field by field; with `--type`, only
//! that type.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use corelab::diff::{self, DiffOptions};

use crate::{load, Failure};

/// Arguments of `corelab diff`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The old BTF: raw, ELF (.BTF), compressed or archived.
    old: PathBuf,
    /// The new BTF.
    new: PathBuf,
    /// Only the struct, union, enum, typedef or func of this name (flavors `NAME___x` match).
    #[arg(long = "type", value_name = "NAME")]
    type_name: Option<String>,
    /// Base BTF when the two files are split BTF (kernel modules).
    #[arg(long, short = 'B', value_name = "BTF")]
    base: Option<PathBuf>,
}

/// The name a file goes by in reports: its file name.
pub fn label(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Runs `corelab diff`.
pub fn run(a: Args) -> Result<(), Failure> {
    let base = match &a.base {
        Some(b) => Some(Arc::new(load::btf(b, None)?.btf)),
        None => None,
    };
    let old = load::btf_over(&a.old, base.clone())?.btf;
    let new = load::btf_over(&a.new, base)?.btf;
    let opts = DiffOptions {
        only: a.type_name.clone(),
        keep_unchanged: a.type_name.is_some(),
    };
    let d = diff::diff(&old, &new, &opts);
    if let (Some(name), true) = (&a.type_name, d.types.is_empty()) {
        return Err(Failure::new(
            "",
            format!("no struct, union, enum, typedef or func named '{name}' in either BTF"),
        ));
    }
    let text = diff::text::diff_text(&d, &label(&a.old), &label(&a.new), a.type_name.is_none());
    load::stdout_result(std::io::stdout().lock().write_all(text.as_bytes()))
}
