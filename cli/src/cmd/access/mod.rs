//! `corelab access --local BTF [--target BTF]... [--json] 'EXPR'...`: the CO-RE records
//! clang emits for BPF C access expressions compiled against the local kernel's
//! `vmlinux.h`, and what libbpf makes of them on each target.
//!
//! The expressions are parts of one function body: a variable declared in one argument is
//! known in the next (`'struct task_struct *t' 'BPF_CORE_READ(t, mm, exe_file)'`).

mod across;
mod json;
mod text;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use corelab::access::{self, Question};
use corelab::btf::Btf;
use corelab::header::Profile;
use corelab::libbpf::Libbpf;
use corelab::reloc::{Processed, Target};

use crate::{load, Failure};

/// Arguments of `corelab access`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The kernel the code is compiled against (its vmlinux.h).
    #[arg(long, value_name = "BTF")]
    local: PathBuf,
    /// Kernels to answer for (repeat for several): files, catalogue builds (`@BUILD`) or
    /// selections (`@bookworm/arm64`, `@6.1`, `@all`).
    #[arg(long, short = 't', value_name = "BTF")]
    target: Vec<PathBuf>,
    /// The bpftool whose vmlinux.h names duplicated types (`___N` suffixes).
    #[arg(long, value_name = "P", default_value = "bpftool")]
    profile: Profile,
    /// The libbpf release whose outcomes are shown (as `reloc --libbpf`).
    #[arg(long, value_name = "1.5|1.7", default_value_t = Libbpf::default())]
    libbpf: Libbpf,
    /// JSON lines: one `relo` per distinct record (per target with `--target`).
    #[arg(long)]
    json: bool,
    /// Declarations and expressions in BPF C, e.g. 'struct task_struct *t' 't->mm->exe_file'.
    #[arg(required = true, value_name = "EXPR")]
    exprs: Vec<String>,
}

/// One target kernel and libbpf's result for each distinct record.
pub(crate) struct TargetResult<'a> {
    pub name: String,
    pub btf: &'a Btf,
    pub processed: Vec<Processed<'a>>,
}

/// Runs `corelab access`.
pub fn run(a: Args) -> Result<(), Failure> {
    let profile = a.profile;
    let local = access::Local::new(Arc::new(load::btf(&a.local, None)?.btf), profile);
    let mut q = Question::new(&local).map_err(|e| Failure::new("", e))?;
    for e in &a.exprs {
        q.add(e).map_err(|err| {
            Failure::new(format!("'{}'", e.replace('\n', " ")), err.error.describe(e))
        })?;
    }
    let obj = q.object().map_err(|e| Failure::new("", e))?;
    // Catalogue selections (`@bookworm/arm64`, `@all`) become one `@BUILD` each.
    let paths = crate::kernels::expand(&a.target)?;
    let local_name = super::reloc::target_name(&a.local);
    let out = if a.json {
        json_report(&q, &obj, &paths, a.libbpf)?
    } else {
        // The text report shows only the answer across targets: the index answers the
        // catalogue builds it decides, without rebuilding them.
        let mut kernels = across::Kernels::new(&paths, a.libbpf);
        let across = if paths.is_empty() {
            None
        } else {
            let ans = kernels.answer(&q, &obj)?;
            let fix = kernels.fix(&q, &obj, &ans)?;
            Some((ans, fix))
        };
        text::render(&q, &obj, &local_name, &kernels.names(), across.as_ref())
    };
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    load::stdout_result(w.write_all(out.as_bytes()).and_then(|()| w.flush()))
}

/// `--json`: every target's records as `reloc --json` prints them, so every target goes
/// through the engine.
fn json_report(
    q: &Question<'_>,
    obj: &access::LocalObject,
    paths: &[PathBuf],
    libbpf: Libbpf,
) -> Result<String, Failure> {
    let targets: Vec<(String, Btf)> = paths
        .iter()
        .map(|p| Ok((super::reloc::target_name(p), load::btf(p, None)?.btf)))
        .collect::<Result<_, Failure>>()?;
    let results: Vec<TargetResult<'_>> = targets
        .iter()
        .map(|(name, btf)| TargetResult {
            name: name.clone(),
            btf,
            processed: access::relocate_on(&obj.btf, &obj.records, &Target::kernel(btf), libbpf),
        })
        .collect();
    let across = (!results.is_empty()).then(|| {
        let named: Vec<(String, &Btf)> = results.iter().map(|t| (t.name.clone(), t.btf)).collect();
        let processed: Vec<Vec<Processed<'_>>> =
            results.iter().map(|t| t.processed.clone()).collect();
        let ans = access::answer(q, obj, &named, &processed, libbpf);
        let fix = access::fix(q, obj, &ans, &named);
        (ans, fix)
    });
    Ok(json::render(q, obj, &results, across.as_ref()))
}

/// The answer across targets and its fix.
pub(crate) type Across = (access::Answer, Option<access::Fix>);
