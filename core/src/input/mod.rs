//! Every input the engine accepts, recognised by content (never by file name):
//! raw BTF of either byte order; ELF with `.BTF` (vmlinux, kernel modules as split BTF, BPF
//! objects); the same compressed with gzip, xz or zstd; btfhub's `.btf.tar.xz`; and
//! executables embedding libbpf skeleton objects.
//!
//! [`unpack`] peels compression and archive layers (with a size limit); [`load_btf`] turns
//! what is left into a [`Btf`].

pub mod compress;
pub mod elf;

use std::borrow::Cow;
use std::sync::Arc;

use crate::btf::{Btf, Header};
use crate::error::{Error, ErrorKind, Result};
use compress::Layer;
pub use elf::{ElfInfo, ElfRole, Embedded};

/// Bounds on what unpacking may produce.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum size of any decompressed layer or of all members of an archive.
    pub max_unpacked: usize,
    /// Maximum number of nested layers (gzip inside tar inside xz …).
    pub max_layers: usize,
}

impl Limits {
    /// The default bound on one unpacked layer: 1 GiB natively; 256 MiB in the browser
    /// (wasm32), where the unpacked bytes, the growing output buffer and the parsed BTF all
    /// live in one tab's WebAssembly memory (at most 4 GiB, often less). 256 MiB holds any
    /// kernel's BTF and a vmlinux ELF without debug info (60–100 MB); a vmlinux with DWARF
    /// (0.5–1 GB) does not: its `.BTF` section, or `/sys/kernel/btf/vmlinux`, does.
    pub const MAX_UNPACKED: usize = if cfg!(target_arch = "wasm32") {
        256 << 20
    } else {
        1 << 30
    };

    /// Why [`Limits::MAX_UNPACKED`] is what it is, for the error that reports it.
    pub const WHY: &'static str = if cfg!(target_arch = "wasm32") {
        " (the page's bound for one input: unpacked data, the parse and the page share one browser tab's memory; open the .BTF section or /sys/kernel/btf/vmlinux instead of a whole vmlinux)"
    } else {
        ""
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_unpacked: Limits::MAX_UNPACKED,
            max_layers: 4,
        }
    }
}

/// Whether the first bytes of an unpacked stream (up to [`compress::SNIFF_LEN`]) are
/// something [`unpack`] goes on with: raw BTF, ELF, another compression, a tar archive.
fn recognised(head: &[u8]) -> bool {
    Header::sniff(head).is_some() || elf::is_elf(head) || Layer::sniff(head).is_some()
}

/// The innermost content of an input, after unpacking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A raw BTF blob.
    RawBtf,
    /// An ELF file.
    Elf(ElfRole),
}

/// An input with its container layers removed.
#[derive(Debug, Clone)]
pub struct Unpacked<'a> {
    /// The innermost bytes.
    pub data: Cow<'a, [u8]>,
    /// The layers peeled, outermost first (`"xz"`, `"tar member 5.8.0.btf"`).
    pub layers: Vec<String>,
    /// What the innermost bytes are.
    pub content: Content,
}

/// Peels compression and archive layers until raw BTF or ELF remains.
pub fn unpack(data: &[u8], limits: Limits) -> Result<Unpacked<'_>> {
    let mut cur: Cow<'_, [u8]> = Cow::Borrowed(data);
    let mut layers = Vec::new();
    for _ in 0..=limits.max_layers {
        if Header::sniff(&cur).is_some() {
            return Ok(Unpacked {
                data: cur,
                layers,
                content: Content::RawBtf,
            });
        }
        if elf::is_elf(&cur) {
            let role = elf::inspect(&cur).map_err(|e| in_layers(e, &layers))?.role;
            return Ok(Unpacked {
                data: cur,
                layers,
                content: Content::Elf(role),
            });
        }
        let Some(layer) = Layer::sniff(&cur) else {
            let err = if layers.is_empty() {
                Error::unpositioned(ErrorKind::UnknownFormat)
            } else {
                Error::new(ErrorKind::UnknownFormat, 0)
            };
            return Err(in_layers(err, &layers));
        };
        let next = match layer {
            Layer::Tar => {
                let members = compress::tar_members(&cur, limits.max_unpacked)
                    .map_err(|e| in_layers(e, &layers))?;
                let pick = pick_tar_member(members).ok_or_else(|| {
                    in_layers(
                        Error::unpositioned(ErrorKind::Malformed(
                            "tar archive holds no BTF or ELF file".into(),
                        )),
                        &layers,
                    )
                })?;
                layers.push(format!("tar member {}", pick.path));
                pick.data
            }
            _ => {
                let out = compress::decompress(layer, &cur, limits.max_unpacked, &recognised)
                    .map_err(|e| in_layers(e, &layers))?;
                layers.push(layer.name().to_owned());
                out
            }
        };
        cur = Cow::Owned(next);
    }
    Err(Error::limit(
        0,
        format!("more than {} nested container layers", limits.max_layers),
    ))
}

/// Names the layer an error happened in (offsets then count in that layer's output).
fn in_layers(e: Error, layers: &[String]) -> Error {
    match layers.last() {
        Some(l) => e.in_space(&format!("{l} (unpacked)")),
        None => e,
    }
}

/// btfhub archives hold one `.btf`; prefer members named so, then anything that looks like
/// BTF or ELF.
fn pick_tar_member(members: Vec<compress::TarMember>) -> Option<compress::TarMember> {
    let looks_right = |m: &compress::TarMember| {
        Header::sniff(&m.data).is_some() || elf::is_elf(&m.data) || Layer::sniff(&m.data).is_some()
    };
    let mut fallback = None;
    for m in members {
        if !looks_right(&m) {
            continue;
        }
        if m.path.ends_with(".btf") {
            return Some(m);
        }
        fallback.get_or_insert(m);
    }
    fallback
}

/// A BTF loaded from an input, with a description of where it came from.
#[derive(Debug)]
pub struct LoadedBtf {
    /// The parsed BTF (split over its base when one was given or found).
    pub btf: Btf,
    /// Container layers peeled, outermost first.
    pub layers: Vec<String>,
    /// What held the BTF.
    pub content: Content,
    /// The ELF details when the BTF came from an ELF section.
    pub elf: Option<ElfSummary>,
    /// A distilled base found in `.BTF.base` and used as the base.
    pub distilled_base: bool,
}

impl LoadedBtf {
    /// The name of the kernel module this BTF is, as `/sys/kernel/btf/NAME` and libbpf's
    /// `in [NAME]` call it: what a `.ko` declares in `.modinfo`, else `file_name` without
    /// `.gz`/`.xz`/`.zst` and `.ko`/`.btf` (shared by the CLI's `--module` and the page).
    pub fn module_name(&self, file_name: &str) -> String {
        if let Some(m) = self.elf.as_ref().and_then(|e| e.module.clone()) {
            return m;
        }
        let mut n = file_name;
        for ext in [".gz", ".xz", ".zst", ".ko", ".btf"] {
            n = n.strip_suffix(ext).unwrap_or(n);
        }
        n.to_owned()
    }

    /// What held the BTF, in words: `raw BTF`, or the ELF's role, class, byte order, machine
    /// and where `.BTF` sits (`relocatable ELF (kernel module), ELF64 little-endian x86-64,
    /// .BTF at offset 0xd22f0`).
    pub fn describe_content(&self) -> String {
        match (&self.content, &self.elf) {
            (Content::RawBtf, _) => "raw BTF".to_owned(),
            (Content::Elf(role), Some(e)) => {
                let kind = match role {
                    ElfRole::BpfObject => "BPF object",
                    ElfRole::Relocatable => "relocatable ELF (kernel module)",
                    ElfRole::Executable => "executable ELF (vmlinux)",
                };
                format!(
                    "{kind}, ELF{} {} {}, .BTF at offset {:#x}{}",
                    if e.is_64 { "64" } else { "32" },
                    e.endian.describe(),
                    elf::machine_name(e.machine),
                    e.btf_offset,
                    if e.has_btf_ext { ", with .BTF.ext" } else { "" }
                )
            }
            (Content::Elf(_), None) => "ELF".to_owned(),
        }
    }
}

/// The ELF facts worth reporting about a BTF's container.
#[derive(Debug, Clone)]
pub struct ElfSummary {
    /// The name a kernel module declares in `.modinfo` (`ext4`).
    pub module: Option<String>,
    /// ELF byte order.
    pub endian: crate::bytes::Endian,
    /// ELFCLASS64?
    pub is_64: bool,
    /// `e_machine`.
    pub machine: u16,
    /// File offset of `.BTF`.
    pub btf_offset: u64,
    /// Whether a `.BTF.ext` section is present.
    pub has_btf_ext: bool,
}

/// Loads the BTF held by `data` (raw, ELF `.BTF`, compressed or archived), split over `base`
/// when given.
pub fn load_btf(data: &[u8], base: Option<Arc<Btf>>) -> Result<LoadedBtf> {
    load_unpacked(unpack(data, Limits::default())?, base)
}

/// [`load_btf`] taking the file by value: raw BTF then lends its buffer to the parser
/// ([`Btf::parse_owned`]), which keeps peak memory near the size of the file.
pub fn load_btf_owned(data: Vec<u8>, base: Option<Arc<Btf>>) -> Result<LoadedBtf> {
    if Header::sniff(&data).is_some() {
        let btf = Btf::parse_owned(data, base)?;
        return Ok(LoadedBtf {
            btf,
            layers: Vec::new(),
            content: Content::RawBtf,
            elf: None,
            distilled_base: false,
        });
    }
    load_btf(&data, base)
}

fn load_unpacked(un: Unpacked<'_>, base: Option<Arc<Btf>>) -> Result<LoadedBtf> {
    let layers = un.layers.clone();
    let wrap = |e: Error| in_layers(e, &layers);
    match &un.content {
        Content::RawBtf => {
            let btf = match un.data {
                // Decompressed: the parser may keep the buffer (less peak memory).
                Cow::Owned(v) => Btf::parse_owned(v, base),
                Cow::Borrowed(d) => match base {
                    Some(b) => Btf::parse_split(d, b),
                    None => Btf::parse(d),
                },
            }
            .map_err(wrap)?;
            Ok(LoadedBtf {
                btf,
                layers,
                content: Content::RawBtf,
                elf: None,
                distilled_base: false,
            })
        }
        Content::Elf(role) => {
            let info = elf::inspect(&un.data).map_err(wrap)?;
            let Some((bytes, off)) = info.btf else {
                let hint = match role {
                    ElfRole::Executable if !elf::find_embedded_bpf(&un.data).is_empty() => {
                        " (it embeds BPF objects: load one of them)"
                    }
                    _ => " (was it built with -g / CONFIG_DEBUG_INFO_BTF?)",
                };
                return Err(wrap(Error::unpositioned(ErrorKind::Malformed(format!(
                    "ELF file has no .BTF section{hint}"
                )))));
            };
            let mut distilled_base = false;
            let mut btf = match (base, info.btf_base) {
                (Some(b), _) => Btf::parse_split(bytes, b),
                (None, Some((bb, boff))) => {
                    let b = Btf::parse(bb).map_err(|e| wrap(e.within(boff, None)))?;
                    distilled_base = true;
                    Btf::parse_split(bytes, Arc::new(b))
                }
                (None, None) => Btf::parse(bytes),
            }
            .map_err(|e| wrap(e.within(off, None)))?;
            if !btf.is_split() {
                // libbpf's btf__parse_elf takes the pointer size from the ELF class; BTF of a
                // BPF object is 64-bit either way.
                btf.set_ptr_size(if info.is_64 || *role == ElfRole::BpfObject {
                    8
                } else {
                    4
                });
            }
            let elf = ElfSummary {
                module: (*role == ElfRole::Relocatable)
                    .then(|| elf::module_name(&un.data))
                    .flatten(),
                endian: info.endian,
                is_64: info.is_64,
                machine: info.machine,
                btf_offset: off,
                has_btf_ext: info.btf_ext.is_some(),
            };
            Ok(LoadedBtf {
                btf,
                layers: un.layers.clone(),
                content: un.content.clone(),
                elf: Some(elf),
                distilled_base,
            })
        }
    }
}
