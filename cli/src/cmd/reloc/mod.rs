//! `corelab reloc OBJECT --target BTF [--module MOD]... [--libbpf 1.5|1.7]`: every CO-RE
//! relocation of a BPF object, resolved as libbpf resolves it against the target BTF (and,
//! for a local type the kernel has no candidate for, against the modules, as libbpf searches
//! them on a live kernel).
//!
//! Without `--json`: one row per relocation (section, number, program, instruction, kind,
//! what it accesses, outcome, value change or reason), then libbpf's log. With `--json`: JSON
//! lines in the oracle's schema (tests/data/oracle): `meta`, one `relo` per record, `kconfig`,
//! `summary`.

pub(crate) mod json;
mod table;

use std::io::Write;

use corelab::kconfig;
use corelab::libbpf::Libbpf;
use corelab::object::Object;
use corelab::reloc::{self, Target};

use crate::{load, Failure};

/// Arguments of `corelab reloc`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    on: super::on_kernel::ObjectOnKernel,
    /// JSON lines in the oracle's schema.
    #[arg(long)]
    json: bool,
}

/// What the views need.
pub(crate) struct Input<'a> {
    pub obj: &'a Object,
    pub libbpf: Libbpf,
    pub object_name: String,
    pub target_name: String,
    pub rel: reloc::ObjectRelocation<'a>,
    pub kconfig: Option<Result<(kconfig::KconfigLayout, kconfig::Resolved), kconfig::KconfigError>>,
}

/// Names the JSON and the table print.
#[derive(Debug, Clone, Copy)]
pub struct Names<'n> {
    /// The object's file name.
    pub object: &'n str,
    /// The target's name (its file name without `.btf`).
    pub target: &'n str,
}

impl<'a> Input<'a> {
    /// Relocates `obj` against `target` as `libbpf` does and resolves its externs (when
    /// Kconfig settings are given: the CLI's `--kconfig` / `--kernel-release`).
    pub(crate) fn new(
        obj: &'a Object,
        target: &Target<'a>,
        libbpf: Libbpf,
        names: &Names<'_>,
        settings: Option<&kconfig::Settings>,
    ) -> Self {
        let kconfig = settings.map(|settings| {
            let settings = kconfig::Settings {
                libbpf,
                ..settings.clone()
            };
            let layout = kconfig::layout(obj)?;
            kconfig::resolve(&layout, &settings).map(|r| (layout, r))
        });
        Input {
            obj,
            libbpf,
            object_name: names.object.to_owned(),
            target_name: names.target.to_owned(),
            rel: reloc::relocate(obj, target, libbpf),
            kconfig,
        }
    }
}

/// `corelab reloc --json`: the JSON lines in the oracle's schema (`meta`, one `relo` per
/// record, `kconfig` values when `settings` are given, `summary`), as `libbpf` computes them.
pub fn json_lines(
    obj: &Object,
    target: &Target<'_>,
    libbpf: Libbpf,
    names: &Names<'_>,
    settings: Option<&kconfig::Settings>,
) -> String {
    json::render(&Input::new(obj, target, libbpf, names, settings))
}

/// Runs `corelab reloc`.
pub fn run(a: Args) -> Result<(), Failure> {
    let obj = load::object(&a.on.object)?;
    let kernel = load::Kernel::load(&a.on.target, &a.on.modules)?;
    let target = kernel.target();
    let settings = load::kconfig_settings(a.on.kconfig.as_deref(), a.on.kernel_release.as_deref())?;
    let settings =
        (settings.config.is_some() || settings.kernel_version.is_some()).then_some(settings);
    let (object_name, target_name) = (file_name(&a.on.object), target_name(&a.on.target));
    let names = Names {
        object: &object_name,
        target: &target_name,
    };
    let text = if a.json {
        json_lines(&obj, &target, a.on.libbpf, &names, settings.as_ref())
    } else {
        table::render(&Input::new(
            &obj,
            &target,
            a.on.libbpf,
            &names,
            settings.as_ref(),
        ))
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    load::stdout_result(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .trim_end_matches(".gz")
        .to_owned()
}

/// `debian12-6.1.0-50-amd64.btf.gz` → `debian12-6.1.0-50-amd64`.
pub(crate) fn target_name(p: &std::path::Path) -> String {
    let n = file_name(p);
    n.strip_suffix(".btf").unwrap_or(&n).to_owned()
}
