//! ELF as a container of BTF: find `.BTF` / `.BTF.base` / `.BTF.ext`, tell BPF objects from
//! kernels and modules, and find BPF objects embedded in an executable (libbpf skeletons).
//!
//! This is an adapter over the `object` crate; the BPF object model itself lives in
//! `crate::object` (issue 4).

use object::read::elf::{ElfFile32, ElfFile64, FileHeader};
use object::{Endianness, Object, ObjectSection};

use crate::bytes::Endian;
use crate::error::{Error, Result};

/// `EM_BPF`.
pub const EM_BPF: u16 = 247;

/// Whether `data` starts with the ELF magic.
pub fn is_elf(data: &[u8]) -> bool {
    data.starts_with(b"\x7fELF")
}

/// What an ELF file is, as far as BTF is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElfRole {
    /// A BPF object (`e_machine == EM_BPF`).
    BpfObject,
    /// A relocatable file for another machine (a kernel module, `.ko`).
    Relocatable,
    /// An executable or shared object (vmlinux, or a program embedding skeletons).
    Executable,
}

/// The parts of an ELF file the BTF layer needs.
#[derive(Debug, Clone)]
pub struct ElfInfo<'a> {
    /// Byte order.
    pub endian: Endian,
    /// ELFCLASS64?
    pub is_64: bool,
    /// `e_machine`.
    pub machine: u16,
    /// Role, from `e_machine` and `e_type`.
    pub role: ElfRole,
    /// `.BTF` contents and file offset.
    pub btf: Option<(&'a [u8], u64)>,
    /// `.BTF.base` contents and file offset (distilled base, libbpf ≥ 1.5).
    pub btf_base: Option<(&'a [u8], u64)>,
    /// `.BTF.ext` contents and file offset.
    pub btf_ext: Option<(&'a [u8], u64)>,
}

fn elf_error(e: object::Error) -> Error {
    Error::malformed(0, format!("invalid ELF file: {e}"))
}

fn section<'a>(file: &impl Object<'a>, name: &str) -> Result<Option<(&'a [u8], u64)>> {
    let Some(s) = file.section_by_name(name) else {
        return Ok(None);
    };
    let off = s.file_range().map_or(0, |(o, _)| o);
    let data = s
        .data()
        .map_err(|e| Error::malformed(off, format!("section {name} lies outside the file: {e}")))?;
    Ok(Some((data, off)))
}

fn info_from<'a, H: FileHeader<Endian = Endianness>>(
    file: &object::read::elf::ElfFile<'a, H, &'a [u8]>,
) -> Result<ElfInfo<'a>> {
    let e = file.endian();
    let hdr = file.elf_header();
    let machine = hdr.e_machine(e).0;
    let role = if machine == EM_BPF {
        ElfRole::BpfObject
    } else if hdr.e_type(e) == object::elf::ET_REL {
        ElfRole::Relocatable
    } else {
        ElfRole::Executable
    };
    Ok(ElfInfo {
        endian: if file.is_little_endian() {
            Endian::Little
        } else {
            Endian::Big
        },
        is_64: file.is_64(),
        machine,
        role,
        btf: section(file, ".BTF")?,
        btf_base: section(file, ".BTF.base")?,
        btf_ext: section(file, ".BTF.ext")?,
    })
}

/// Reads the ELF header and the BTF-related sections of `data`.
pub fn inspect(data: &[u8]) -> Result<ElfInfo<'_>> {
    match data.get(4) {
        Some(1) => info_from(&ElfFile32::<Endianness>::parse(data).map_err(elf_error)?),
        Some(2) => info_from(&ElfFile64::<Endianness>::parse(data).map_err(elf_error)?),
        _ => Err(Error::malformed(
            4,
            "invalid ELF class (neither 32- nor 64-bit)",
        )),
    }
}

/// The module name a kernel module declares (`name=ext4` in `.modinfo`): what the kernel
/// calls its BTF (`/sys/kernel/btf/ext4`) and libbpf's log says (`in [ext4]`).
pub fn module_name(data: &[u8]) -> Option<String> {
    let modinfo = match data.get(4)? {
        1 => section(&ElfFile32::<Endianness>::parse(data).ok()?, ".modinfo"),
        2 => section(&ElfFile64::<Endianness>::parse(data).ok()?, ".modinfo"),
        _ => return None,
    };
    let (bytes, _) = modinfo.ok()??;
    bytes
        .split(|&b| b == 0)
        .find_map(|entry| entry.strip_prefix(b"name="))
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
}

/// A BPF ELF object found inside a larger file (a libbpf skeleton embeds its object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Embedded {
    /// File offset of the embedded object's ELF header.
    pub offset: usize,
    /// Its length in bytes.
    pub len: usize,
}

/// Finds BPF objects embedded in `data` (excluding `data` itself if it is one).
///
/// Looks for ELF headers with `e_machine == EM_BPF`, sizes each from its section header table
/// (which clang and libbpf's linker place last) and keeps those that parse.
pub fn find_embedded_bpf(data: &[u8]) -> Vec<Embedded> {
    let mut found = Vec::new();
    let mut pos = 1usize;
    while let Some(rel) = memchr::memmem::find(&data[pos.min(data.len())..], b"\x7fELF") {
        let off = pos + rel;
        pos = off + 4;
        let Some(len) = embedded_len(&data[off..]) else {
            continue;
        };
        let cand = &data[off..off + len];
        if inspect(cand).is_ok_and(|i| i.role == ElfRole::BpfObject) {
            found.push(Embedded { offset: off, len });
            pos = off + len;
        }
    }
    found
}

/// The size of the 64-bit BPF ELF at the start of `d`, from its header.
fn embedded_len(d: &[u8]) -> Option<usize> {
    if d.get(4) != Some(&2) {
        return None;
    }
    let endian = match d.get(5)? {
        1 => Endian::Little,
        2 => Endian::Big,
        _ => return None,
    };
    let rd16 = |o: usize| Some(endian.u16(d.get(o..o + 2)?.try_into().ok()?));
    let rd64 = |o: usize| Some(endian.u64(d.get(o..o + 8)?.try_into().ok()?));
    if rd16(18)? != EM_BPF {
        return None;
    }
    let shoff = usize::try_from(rd64(0x28)?).ok()?;
    let shentsize = usize::from(rd16(0x3a)?);
    let shnum = usize::from(rd16(0x3c)?);
    let end = shoff.checked_add(shentsize.checked_mul(shnum)?)?;
    (end <= d.len() && end >= 64).then_some(end)
}

/// A readable name for an ELF `e_machine` value (the architectures kernels and BPF objects
/// come from), as `corelab info` and the playground's summary print it.
pub fn machine_name(machine: u16) -> std::borrow::Cow<'static, str> {
    let name = match machine {
        3 => "x86",
        62 => "x86-64",
        40 => "ARM",
        183 => "AArch64",
        22 => "s390",
        21 => "PowerPC64",
        243 => "RISC-V",
        258 => "LoongArch",
        247 => "BPF",
        other => return format!("machine {other}").into(),
    };
    name.into()
}
