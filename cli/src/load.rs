//! Reading input files and turning engine errors into one-line failures.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use corelab::btf::Btf;
use corelab::input::{self, LoadedBtf};
use corelab::reloc::Target;

use crate::Failure;

/// Reads a whole file; `@BUILD` is a catalogue build's BTF ([`crate::kernels`]).
pub fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    if crate::kernels::is_catalog_ref(path) {
        return crate::kernels::btf_bytes(path);
    }
    std::fs::read(path).map_err(|e| Failure::new(path.display().to_string(), e))
}

/// Loads the BTF of `path`, split over the BTF of `base` when given.
pub fn btf(path: &Path, base: Option<&Path>) -> Result<LoadedBtf, Failure> {
    let base = match base {
        Some(b) => Some(Arc::new(btf(b, None)?.btf)),
        None => None,
    };
    btf_over(path, base)
}

/// Loads the BTF of `path` over an already loaded base.
pub fn btf_over(path: &Path, base: Option<Arc<Btf>>) -> Result<LoadedBtf, Failure> {
    let data = read(path)?;
    input::load_btf_owned(data, base).map_err(|e| Failure::new(path.display().to_string(), e))
}

/// The BTF a verb works on, from one or several files: one file as it is (split over the BTF
/// of `base` when given: `bpftool [-B BASE] btf dump file F`), several merged over `base`
/// and deduplicated as bpftool 7.7+ merges them (`bpftool -B BASE btf dump file F1 file F2
/// …`: libbpf's `btf__add_btf` then `btf__dedup`). Several files need a base (a usage error
/// otherwise, as in bpftool).
pub fn btf_files(files: &[PathBuf], base: Option<&Path>) -> Result<Btf, Failure> {
    if let [one] = files {
        return Ok(btf(one, base)?.btf);
    }
    let Some(base_path) = base else {
        usage_error("several files are merged over a kernel: --base VMLINUX is required");
    };
    let base = Arc::new(btf(base_path, None)?.btf);
    let modules = files
        .iter()
        .map(|f| btf_over(f, Some(base.clone())).map(|l| l.btf))
        .collect::<Result<Vec<_>, _>>()?;
    corelab::btf_dedup::merge_modules(&base, modules).map_err(|e| {
        let file = match e.part().and_then(|k| files.get(k)) {
            Some(f) => f.display().to_string(),
            None => base_path.display().to_string(),
        };
        Failure::new(file, e)
    })
}

/// Reports a usage error the way clap does (exit status 2).
pub fn usage_error(message: &str) -> ! {
    clap::Error::raw(
        clap::error::ErrorKind::MissingRequiredArgument,
        format!("{message}\n"),
    )
    .exit()
}

/// Writes `bytes` to stdout, treating a closed pipe as success.
pub fn stdout_result(r: std::io::Result<()>) -> Result<(), Failure> {
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::new("<stdout>", e)),
        _ => Ok(()),
    }
}

/// Reads and parses a BPF object (possibly compressed); a broken `.BTF` is a failure.
pub fn object(path: &Path) -> Result<corelab::object::Object, Failure> {
    let name = path.display().to_string();
    let data = read(path)?;
    let un = input::unpack(&data, input::Limits::default()).map_err(|e| Failure::new(&name, e))?;
    let obj = corelab::object::Object::parse(&un.data).map_err(|e| Failure::new(&name, e))?;
    if let Some(e) = &obj.btf_error {
        return Err(Failure::new(&name, format_args!("unusable .BTF: {e}")));
    }
    Ok(obj)
}

/// Kconfig settings from `--kconfig FILE` and `--kernel-release X.Y.Z`.
pub fn kconfig_settings(
    kconfig: Option<&Path>,
    release: Option<&str>,
) -> Result<corelab::kconfig::Settings, Failure> {
    let config = match kconfig {
        Some(p) => Some(String::from_utf8_lossy(&read(p)?).into_owned()),
        None => None,
    };
    let kernel_version = match release {
        Some(r) => Some(corelab::kconfig::parse_release(r).ok_or_else(|| {
            Failure::new("", format_args!("--kernel-release {r}: expected X.Y.Z"))
        })?),
        None => None,
    };
    Ok(corelab::kconfig::Settings {
        config,
        kernel_version,
        ..Default::default()
    })
}

/// A kernel to relocate against: `--target BTF` and its `--module MOD` split BTFs, in the
/// order given (libbpf visits modules in the kernel's order).
#[derive(Debug)]
pub struct Kernel {
    /// The kernel's BTF.
    pub vmlinux: Arc<Btf>,
    /// Each module's name and split BTF.
    pub modules: Vec<(String, Btf)>,
}

impl Kernel {
    /// Loads `target` and, split over it, every file of `modules`.
    pub fn load(target: &Path, modules: &[std::path::PathBuf]) -> Result<Kernel, Failure> {
        let vmlinux = Arc::new(btf(target, None)?.btf);
        let modules = modules
            .iter()
            .map(|p| {
                let data = read(p)?;
                let b = input::load_btf_owned(data, Some(vmlinux.clone()))
                    .map_err(|e| Failure::new(p.display().to_string(), e))?;
                let file_name = p.file_name().map(|n| n.to_string_lossy());
                Ok((
                    b.module_name(file_name.as_deref().unwrap_or_default()),
                    b.btf,
                ))
            })
            .collect::<Result<_, Failure>>()?;
        Ok(Kernel { vmlinux, modules })
    }

    /// The relocation target: the kernel, then the modules.
    pub fn target(&self) -> Target<'_> {
        let mut t = Target::kernel(&self.vmlinux);
        for (name, b) in &self.modules {
            t = t.with_module(name, b);
        }
        t
    }
}
