//! `corelab history TYPE BTF... [--base BTF]`: one struct or union's fields across several
//! BTFs (kernels, in the order given), as a table, following renames.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use corelab::btf::Btf;
use corelab::diff;

use crate::{load, Failure};

/// Arguments of `corelab history`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The struct or union (flavors `TYPE___x` match).
    #[arg(value_name = "TYPE")]
    type_name: String,
    /// The BTFs, oldest first: raw, ELF (.BTF), compressed or archived; `@BUILD` or a
    /// selection (`@bookworm/arm64`) from the kernel catalogue.
    #[arg(value_name = "BTF", required = true)]
    btfs: Vec<PathBuf>,
    /// Base BTF when the files are split BTF (kernel modules).
    #[arg(long, short = 'B', value_name = "BTF")]
    base: Option<PathBuf>,
}

/// Runs `corelab history`.
pub fn run(a: Args) -> Result<(), Failure> {
    let base = match &a.base {
        Some(b) => Some(Arc::new(load::btf(b, None)?.btf)),
        None => None,
    };
    let paths = crate::kernels::expand(&a.btfs)?;
    let btfs: Vec<Btf> = paths
        .iter()
        .map(|p| load::btf_over(p, base.clone()).map(|l| l.btf))
        .collect::<Result<_, _>>()?;
    let refs: Vec<&Btf> = btfs.iter().collect();
    let h = diff::history(&refs, &a.type_name);
    if h.types.iter().all(Option::is_none) {
        return Err(Failure::new(
            "",
            format!("no struct or union named '{}' in any BTF", a.type_name),
        ));
    }
    let labels: Vec<String> = paths.iter().map(|p| super::diff::label(p)).collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let text = diff::text::history_text(&h, &labels);
    load::stdout_result(std::io::stdout().lock().write_all(text.as_bytes()))
}
