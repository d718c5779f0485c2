//! The one integration-test binary: every feature is tested over the real data in
//! `tests/data` (golden files regenerated with `UPDATE_GOLDEN=1`), differentially against
//! bpftool/libbpf when they are installed, and with property tests over generated input.

mod header;
mod layout;
mod malformed;
mod raw_dump;
mod reader;
