//! The test corpus in `tests/data`.

use std::io::Read;
use std::path::{Path, PathBuf};

/// `tests/data`.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The path of `rel` inside `tests/data`.
pub fn path(rel: &str) -> PathBuf {
    dir().join(rel)
}

/// The contents of `tests/data/<rel>`, gunzipped when the name ends in `.gz`.
pub fn read(rel: &str) -> Vec<u8> {
    read_path(&path(rel))
}

/// The contents of `p`, gunzipped when the name ends in `.gz`.
pub fn read_path(p: &Path) -> Vec<u8> {
    let raw = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    if p.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        out
    } else {
        raw
    }
}

/// Files of `tests/data/<sub>` whose names end in `suffix`, sorted.
pub fn list(sub: &str, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(path(sub))
        .unwrap_or_else(|e| panic!("{sub}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(suffix))
        })
        .collect();
    v.sort();
    v
}

/// The file name of `p` without `suffix`.
pub fn stem(p: &Path, suffix: &str) -> String {
    let n = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    n.strip_suffix(suffix).unwrap_or(&n).to_owned()
}

/// The four kernel BTFs of `tests/data/btf`, as (name, path).
pub fn kernels() -> Vec<(String, PathBuf)> {
    list("btf", ".btf.gz")
        .into_iter()
        .map(|p| (stem(&p, ".btf.gz"), p))
        .collect()
}

/// A scratch directory unique to this test process.
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("corelab-tests-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}
