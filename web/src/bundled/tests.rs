use std::path::PathBuf;

use super::*;

#[test]
fn every_bundled_kernel_is_a_file_in_tests_data_and_back() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/btf");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".btf.gz").map(str::to_owned)
        })
        .collect();
    files.sort();
    let ids: Vec<&str> = KERNELS.iter().map(|k| k.id).collect();
    assert_eq!(ids, files, "bundled.rs and tests/data/btf disagree");
    assert_eq!(
        find("debian12-6.1.0-50-amd64").map(|k| k.release),
        Some("6.1.0-50")
    );
    assert_eq!(KERNELS[0].url(), "kernels/debian11-5.10.0-46-amd64.btf.gz");
}
