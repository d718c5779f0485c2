//! The one integration-test binary: every feature is tested over the real data in
//! `tests/data` (golden files regenerated with `UPDATE_GOLDEN=1`), differentially against
//! bpftool/libbpf when they are installed, and with property tests over generated input.

mod access;
mod ask_index;
mod btf_write;
mod catalog;
mod dedup;
mod diff;
mod fuzz;
mod guard;
mod header;
mod kconfig;
mod layout;
mod loadlog;
mod malformed;
mod minimize;
mod object;
mod raw_dump;
mod reader;
mod reloc_props;
mod samples;
