//! Golden files: expected output kept in `tests/data`, compared byte for byte, and
//! regenerated with `UPDATE_GOLDEN=1 cargo test` (gzip'd when the name ends in `.gz`).

use std::io::Write;
use std::path::Path;

/// Whether golden files are being regenerated.
pub fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v != "0")
}

/// Compares `actual` with the golden file `tests/data/rel` (or rewrites it when updating).
#[track_caller]
pub fn check(rel: &str, actual: &[u8]) {
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
    assert_same(&expected, actual, rel);
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
        "{what}: output differs at line {} (expected {} lines, got {}):\n  expected: {}\n  actual:   {}\n(set UPDATE_GOLDEN=1 to regenerate goldens)",
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
