//! Fuzz target: see `corelab::fuzzing::btf_ext` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corelab::fuzzing::btf_ext(data));
