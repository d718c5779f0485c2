//! Fuzz target: see `corelab::fuzzing::access` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corelab::fuzzing::access(data));
