//! Reading input files and turning engine errors into one-line failures.

use std::path::Path;
use std::sync::Arc;

use corelab::btf::Btf;
use corelab::input::{self, LoadedBtf};

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
