//! Fuzz target: see `corelab::fuzzing::writer` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corelab::fuzzing::writer(data));
