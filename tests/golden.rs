//! Expected output kept in `tests/data`, compared byte for byte. Two kinds, never mixed:
//!
//! - references ([`reference`](fn@reference)): what bpftool, libbpf, pahole or clang printed. They are
//!   copied in from ../shared and never rewritten: a difference is a bug to fix, not a
//!   golden to refresh.
//! - the project's own goldens ([`check`]), in the folders of [`OWN`] only: corelab's
//!   output where no reference tool prints one, regenerated with `UPDATE_GOLDEN=1 cargo test`
//!   (gzip'd when the name ends in `.gz`).

use std::io::Write;
use std::path::Path;

/// Whether golden files are being regenerated.
pub fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v != "0")
}

/// The folders of `tests/data` that hold the project's own goldens; everything else there
/// is a reference.
pub const OWN: [&str; 3] = ["diff/", "header-roots/", "layout/"];

/// Compares `actual` with the project's own golden file `tests/data/<rel>` (one of [`OWN`]'s
/// folders), or rewrites it when updating.
#[track_caller]
pub fn check(rel: &str, actual: &[u8]) {
    assert!(
        OWN.iter().any(|d| rel.starts_with(d)),
        "{rel} is not one of the project's own goldens ({OWN:?}): compare it with golden::reference"
    );
    let p = crate::data::path(rel);
    if updating() {
        write(&p, actual);
        return;
    }
    assert!(
        p.exists(),
        "missing golden file {}: run with UPDATE_GOLDEN=1",
        p.display()
    );
    let expected = crate::data::read_path(&p);
    assert_same(
        &expected,
        actual,
        &format!("{rel} (own golden: UPDATE_GOLDEN=1 regenerates it)"),
    );
}

/// Compares `actual` with the reference output `tests/data/<rel>` (another tool's), which
/// `UPDATE_GOLDEN` never rewrites.
#[track_caller]
pub fn reference(rel: &str, actual: &[u8]) {
    assert!(
        !OWN.iter().any(|d| rel.starts_with(d)),
        "{rel} is one of the project's own goldens: compare it with golden::check"
    );
    let expected = crate::data::read(rel);
    assert_same(
        &expected,
        actual,
        &format!("{rel} (a reference tool's output: never regenerated)"),
    );
}

/// Asserts equality of two outputs, reporting the first differing line.
#[track_caller]
pub fn assert_same(expected: &[u8], actual: &[u8], what: &str) {
    if expected == actual {
        return;
    }
    let e: Vec<&[u8]> = expected.split(|&b| b == b'\n').collect();
    let a: Vec<&[u8]> = actual.split(|&b| b == b'\n').collect();
    let line = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let show = |v: &[&[u8]]| {
        String::from_utf8_lossy(v.get(line).copied().unwrap_or(b"<end>")).into_owned()
    };
    panic!(
        "{what}: output differs at line {} (expected {} lines, got {}):\n  expected: {}\n  actual:   {}",
        line + 1,
        e.len(),
        a.len(),
        show(&e),
        show(&a)
    );
}

fn write(p: &Path, data: &[u8]) {
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).expect("golden dir");
    }
    let bytes = if p.extension().is_some_and(|e| e == "gz") {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(data).expect("gzip");
        enc.finish().expect("gzip")
    } else {
        data.to_vec()
    };
    std::fs::write(p, bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}
