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

/// `new` rebuilt from `old` and a `diff -U0 old new` (references stored as a difference from
/// another reference: a merged header against the kernel's own header).
///
/// # Panics
///
/// On a malformed diff, or one that does not apply to `old` (a line it removes differs).
pub fn apply_unified_diff(old: &[u8], diff: &[u8]) -> Vec<u8> {
    let old: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
    let mut out = Vec::with_capacity(old.len() * 64);
    let mut next = 0usize; // lines of `old` copied or dropped so far
    let mut lines = diff.split_inclusive(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let Some(hunk) = line.strip_prefix(b"@@ -") else {
            continue; // the ---/+++ file header
        };
        let text = String::from_utf8_lossy(hunk);
        let range = text.split(' ').next().unwrap_or_default();
        let mut nums = range
            .split(',')
            .map(|n| n.parse::<usize>().expect("diff hunk"));
        let start = nums.next().expect("diff hunk");
        let count = nums.next().unwrap_or(1);
        // With no old lines, the hunk goes after line `start`; otherwise it replaces from it.
        let keep_to = if count == 0 { start } else { start - 1 };
        out.extend(old[next..keep_to].iter().copied().flatten());
        next = keep_to;
        while let Some(l) = lines.next_if(|l| !l.starts_with(b"@@ ")) {
            match l.first() {
                Some(b'-') => {
                    assert_eq!(
                        &l[1..],
                        old[next],
                        "diff does not apply at line {}",
                        next + 1
                    );
                    next += 1;
                }
                Some(b'+') => out.extend_from_slice(&l[1..]),
                _ => {} // "\ No newline at end of file"
            }
        }
    }
    out.extend(old[next..].iter().copied().flatten());
    out
}
