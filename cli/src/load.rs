//! Reading input files and turning engine errors into one-line failures.

use std::path::Path;
use std::sync::Arc;

use corelab::btf::Btf;
use corelab::input::{self, LoadedBtf};

use crate::Failure;

/// Reads a whole file.
pub fn read(path: &Path) -> Result<Vec<u8>, Failure> {
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
