//! corelab: a BTF and BPF CO-RE engine.
//!
//! It reads kernel type information (BTF) and BPF objects, and reproduces what bpftool and
//! libbpf do with them — byte for byte where they print text, value for value where they
//! compute. It does no I/O: every entry point takes bytes and returns data, so the same code
//! runs natively (the `corelab` CLI) and in a browser (WebAssembly).
//!
//! # API structure
//!
//! One way through: `input → btf → consumers`.
//!
//! - [`input`]: recognise what a file is by content and peel gzip/xz/zstd/tar layers;
//!   [`input::load_btf`] gives a [`btf::Btf`] from raw BTF or an ELF `.BTF` section.
//! - [`btf`]: the validated, zero-copy view of a BTF blob ([`btf::Btf`], [`btf::Type`],
//!   [`btf::TypeId`]), split BTF over a base, libbpf's size/alignment rules.
//! - [`dump`]: the raw listing (`bpftool btf dump file`).
//! - [`info`]: what a BTF uses and which kernel/libbpf/bpftool can read it.
//! - [`header`]: the C header (`vmlinux.h`), byte-identical to bpftool's, per bpftool profile.
//! - [`layout`]: a struct's layout (offsets, holes, padding, cache lines) as pahole prints it.
//! - [`builder`]: build BTF from scratch and encode it in either byte order (tests, fuzz seeds,
//!   minimal BTF).
//! - [`btf_write`]: write a parsed [`btf::Btf`] (or a renumbered selection of its types) back
//!   to a raw blob.
//! - [`btf_dedup`]: libbpf's BTF deduplication, and several kernel modules merged over their
//!   kernel as bpftool 7.7+ merges them ([`btf_dedup::merge_modules`]).
//! - [`diff`]: what changed between two BTFs (types added/removed/changed, field by field), and
//!   one type's fields across several kernels.
//!
//! # Guarantees
//!
//! No input makes this crate panic, loop forever or allocate without bound: errors are
//! returned as [`Error`] values that carry the byte offset of the problem.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod access;
pub mod btf;
pub mod btf_dedup;
pub mod btf_write;
pub mod builder;
pub mod bytes;
pub mod catalog;
pub mod diff;
pub mod dump;
pub mod error;
pub mod ext;
#[doc(hidden)]
pub mod fuzzing;
pub mod header;
pub mod info;
pub mod input;
pub mod insn;
pub mod kconfig;
pub mod layout;
pub mod libbpf;
pub mod loadlog;
pub mod matrix;
pub mod minimize;
pub mod object;
pub mod pipeline;
pub mod reloc;
pub mod sim;
pub mod sorting;

pub use error::{Error, ErrorKind, Result};
