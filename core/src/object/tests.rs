//! Object-model tests on hand-made ELF files live in tests/it/object.rs (over the corpus);
//! here: the small pure helpers.

use super::*;

#[test]
fn rejects_non_bpf_elf() {
    let err = Object::parse(b"\x7fELF").unwrap_err();
    assert!(err.to_string().contains("invalid ELF"), "{err}");
}
