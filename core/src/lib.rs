//! corelab: a BTF and BPF CO-RE engine.
//!
//! It reads kernel type information (BTF) and BPF objects, and reproduces what bpftool and
//! libbpf do with them — byte for byte where they print text, value for value where they
//! compute. It does no I/O: every entry point takes bytes and returns data, so the same code
//! runs natively (the `corelab` CLI) and in a browser (WebAssembly).
//!
//! # API structure
//!
//! One way through: `input → btf → consumers`. Every public module:
//!
//! - [`input`]: recognise what a file is by content and peel gzip/xz/zstd/tar layers;
//!   [`input::load_btf`] gives a [`btf::Btf`] from raw BTF or an ELF `.BTF` section.
//! - [`bytes`]: byte order and bounds-checked reads; [`error`]: [`Error`], which carries the
//!   byte offset of the problem.
//! - [`btf`]: the validated, zero-copy view of a BTF blob ([`btf::Btf`], [`btf::Type`],
//!   [`btf::TypeId`]), split BTF over a base, libbpf's size/alignment rules.
//! - [`dump`]: the raw listing (`bpftool btf dump file`), with marks for viewers.
//! - [`info`]: what a BTF uses and which kernel/libbpf/bpftool can read it.
//! - [`header`]: the C header (`vmlinux.h`), byte-identical to bpftool's, per bpftool profile.
//! - [`layout`]: a struct's layout (offsets, holes, padding, cache lines) as pahole prints it,
//!   and every struct's size and holes (`pahole --sizes`).
//! - [`builder`]: build BTF from scratch and encode it in either byte order (tests, fuzz seeds,
//!   minimal BTF).
//! - [`btf_write`]: write a parsed [`btf::Btf`] (or a renumbered selection of its types) back
//!   to a raw blob.
//! - [`btf_dedup`]: libbpf's BTF deduplication, and several kernel modules merged over their
//!   kernel as bpftool 7.7+ merges them ([`btf_dedup::merge_modules`]).
//! - [`diff`]: what changed between two BTFs (types added/removed/changed, field by field),
//!   one type's fields across several kernels, and C spellings of types.
//! - [`insn`]: BPF instructions, decoded and encoded, and their disassembly.
//! - [`ext`]: `.BTF.ext` (func_info, line_info, CO-RE relocation records).
//! - [`object`]: a BPF object as libbpf opens it: code, programs, maps, externs, BTF.
//! - [`kconfig`]: `__kconfig` externs: libbpf's map layout and values.
//! - [`libbpf`]: which libbpf release's behaviour to reproduce where releases differ.
//! - [`reloc`]: CO-RE relocation exactly as libbpf resolves it, record by record, with
//!   libbpf's log.
//! - [`sim`]: the verifier's removal of guarded dead code: verdicts, live code, what decided
//!   each branch.
//! - [`pipeline`]: one object against one kernel end to end (externs, relocation, simulation).
//! - [`matrix`]: one object against many kernels.
//! - [`minimize`]: minimal BTF for a set of objects (`bpftool gen min_core_btf`).
//! - [`catalog`]: the kernel catalogue: many kernel builds' BTF in one archive, any build
//!   rebuilt byte-identical (sha256-checked), and the where-index answering across builds.
//! - [`access`]: BPF C access expressions (`BPF_CORE_READ(t, mm, exe_file)`) turned into the
//!   CO-RE records clang emits, answered on many kernels, with a verdict and a checked fix.
//! - [`loadlog`]: a failed load's log (libbpf, bare verifier, cilium/ebpf, aya) read and
//!   explained against its object.
//!
//! With the `fuzzing` feature, `fuzzing` holds the fuzz targets' logic as plain functions
//! (for `core/fuzz/` and the property tests); it is not part of the API.
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
// In the crate's own unit tests too, which build small kernels with it: a plain
// `cargo test -p corelab --lib` needs no feature.
#[cfg(any(test, feature = "fuzzing"))]
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
mod sorting;

pub use error::{Error, ErrorKind, Result};
