//! Fuzz target: see `corelab::fuzzing::load_log` for what it checks, against the corpus
//! object whose real logs seed the corpus (tests/data/oracle/obj/ptregs_arch.o.gz).
#![no_main]

use std::sync::OnceLock;

static OBJECT: OnceLock<Vec<u8>> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let obj = OBJECT.get_or_init(|| {
        let gz = include_bytes!("../../../tests/data/oracle/obj/ptregs_arch.o.gz");
        corelab::input::unpack(gz, corelab::input::Limits::default())
            .expect("the corpus object unpacks")
            .data
            .to_vec()
    });
    corelab::fuzzing::load_log(obj, data)
});
