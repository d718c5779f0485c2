//! Malformed input: every error is a value naming the offset and the problem; nothing panics.

use corelab::btf::Btf;
use corelab::input::load_btf;
use corelab_tests::data;
use proptest::prelude::*;

fn small_blob() -> Vec<u8> {
    data::read("probes/c03_decls.btf")
}

#[test]
fn truncations_are_errors_with_offsets() {
    let blob = small_blob();
    for len in [0, 1, 10, 23, 24, 40, blob.len() / 2, blob.len() - 1] {
        let err = Btf::parse(&blob[..len]).unwrap_err();
        let msg = err.to_string();
        assert!(err.offset().is_some() || len == 0, "{len}: {msg}");
        assert!(!msg.is_empty());
    }
}

#[test]
fn specific_corruptions_name_the_problem() {
    let blob = small_blob();
    type Corruption = Box<dyn Fn(&mut Vec<u8>)>;
    let cases: Vec<(Corruption, &str)> = vec![
        (Box::new(|b| b[0] = 0), "invalid BTF magic"),
        (
            Box::new(|b| b[4..8].copy_from_slice(&20u32.to_le_bytes())),
            "smaller than the minimum",
        ),
        (
            Box::new(|b| b[12..16].copy_from_slice(&u32::MAX.to_le_bytes())),
            "sections layout",
        ),
        (
            Box::new(|b| b[20..24].copy_from_slice(&(1u32 << 30).to_le_bytes())),
            "total size",
        ),
        // First type (INT 'int'): point its name past the string section.
        (
            Box::new(|b| b[24..28].copy_from_slice(&0x00ff_0000u32.to_le_bytes())),
            "invalid type name",
        ),
        // Last byte of the string section is no longer NUL.
        (
            Box::new(|b| *b.last_mut().unwrap() = b'x'),
            "string section",
        ),
    ];
    for (corrupt, want) in cases {
        let mut b = blob.clone();
        corrupt(&mut b);
        let err = Btf::parse(&b).unwrap_err();
        assert!(err.to_string().contains(want), "want {want:?}, got {err}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Bit flips, byte edits and truncations of a real blob never panic.
    #[test]
    fn mutated_blobs_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
                                 cut in any::<usize>()) {
        let mut b = small_blob();
        for (pos, val) in edits {
            let i = pos % b.len();
            b[i] = val;
        }
        let keep = b.len() - cut % (b.len() / 4);
        b.truncate(keep);
        if let Ok(btf) = Btf::parse(&b) {
            let mut out = Vec::new();
            corelab::dump::write_raw(&btf, &mut out).unwrap();
            let _ = corelab::info::Summary::of(&btf);
        }
    }

    /// Arbitrary bytes through content detection never panic.
    #[test]
    fn arbitrary_input_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = load_btf(&bytes, None);
    }
}
