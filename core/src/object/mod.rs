//! The BPF object model: what libbpf's `bpf_object__open` learns from an ELF file.
//!
//! [`Object::parse`] reads the ELF (via the `object` crate), decodes every code section into
//! instructions, finds programs and subprograms (function symbols), classifies the ELF
//! relocations of code sections (calls, map and global-data references, externs), collects
//! maps, data sections, externs and the license, and parses `.BTF` and `.BTF.ext`.
//!
//! Like libbpf, a broken `.BTF.ext` is not fatal (the object then has no func/line info and
//! no CO-RE relocations); it is kept in [`Object::ext_error`] so views can say why.
//! Everything is owned, so an `Object` outlives the input bytes.

mod externs;
mod globals;
mod maps;
mod programs;
mod relocs;
#[cfg(test)]
mod tests;

use object::read::elf::{ElfFile64, FileHeader, SectionHeader};
use object::{Endianness, Object as _, ObjectSection, SectionIndex};

use crate::btf::Btf;
use crate::bytes::Endian;
use crate::error::{Error, Result};
use crate::ext::BtfExt;
use crate::insn::Insn;

pub use externs::{Extern, ExternKind};
pub use globals::GlobalVar;
pub use maps::{Map, MapKind};
pub use programs::Program;
pub use relocs::{InsnReloc, RelocTarget};

/// What a section is to libbpf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// Executable code (`SHF_EXECINSTR`): programs and subprograms.
    Code,
    /// `.data*`: writable global data (a map).
    Data,
    /// `.rodata*`: read-only global data (a frozen map).
    Rodata,
    /// `.bss*`: zero-initialised global data (a map).
    Bss,
    /// `.maps`: BTF-defined map definitions.
    Maps,
    /// `license`.
    License,
    /// Anything else (`.BTF`, relocation sections, symbol tables, …).
    Other,
}

/// One ELF section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionInfo {
    /// ELF section index.
    pub elf_index: usize,
    /// Section name.
    pub name: String,
    /// Classification.
    pub kind: SectionKind,
    /// Size in bytes.
    pub size: u64,
    /// File offset (0 for `SHT_NOBITS`).
    pub file_offset: u64,
}

/// A code section decoded into instructions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSection {
    /// ELF section index.
    pub elf_index: usize,
    /// Section name (e.g. `kprobe/do_nanosleep`, `.text`).
    pub name: String,
    /// File offset of the first instruction.
    pub file_offset: u64,
    /// The instructions.
    pub insns: Vec<Insn>,
    /// ELF relocations against instructions of this section, by instruction index.
    pub relocs: Vec<InsnReloc>,
}

/// A global data section (`.data*`, `.rodata*`, `.bss*`) with its initial contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSection {
    /// ELF section index.
    pub elf_index: usize,
    /// Section name.
    pub name: String,
    /// Data, `.rodata`, or `.bss`.
    pub kind: SectionKind,
    /// Initial bytes (empty for `.bss`, whose contents are zeros).
    pub bytes: Vec<u8>,
    /// Size in bytes (for `.bss` not backed by `bytes`).
    pub size: u64,
}

/// A parsed BPF ELF object.
#[derive(Debug)]
pub struct Object {
    /// Byte order (little- or big-endian BPF).
    pub endian: Endian,
    /// Every ELF section.
    pub sections: Vec<SectionInfo>,
    /// Code sections, in ELF order.
    pub code: Vec<CodeSection>,
    /// Programs and subprograms, sorted by (section, start) like libbpf.
    pub programs: Vec<Program>,
    /// Global data sections.
    pub data: Vec<DataSection>,
    /// Global variables of the data sections, with their offsets from the symbol table.
    pub globals: Vec<GlobalVar>,
    /// Maps: BTF-defined (`.maps`) and libbpf's internal global-data maps.
    pub maps: Vec<Map>,
    /// Extern symbols (`__kconfig`, `__ksym`).
    pub externs: Vec<Extern>,
    /// The `license` string.
    pub license: Option<String>,
    /// The object's BTF (pointer size forced to 8, as libbpf does).
    pub btf: Option<Btf>,
    /// Why `.BTF` could not be used, when present but broken.
    pub btf_error: Option<Error>,
    /// `.BTF.ext`.
    pub ext: Option<BtfExt>,
    /// Why `.BTF.ext` could not be used, when present but broken.
    pub ext_error: Option<Error>,
}

/// `.text`: the section whose functions are subprograms.
pub const TEXT: &str = ".text";

impl Object {
    /// Parses a BPF ELF object (64-bit, `e_machine == EM_BPF`, either byte order).
    pub fn parse(data: &[u8]) -> Result<Object> {
        let file = ElfFile64::<Endianness>::parse(data)
            .map_err(|e| Error::malformed(0, format!("invalid ELF file: {e}")))?;
        let e = file.endian();
        let machine = file.elf_header().e_machine(e).0;
        if machine != crate::input::elf::EM_BPF {
            return Err(Error::unsupported(
                18,
                format!("not a BPF object (ELF machine {machine})"),
            ));
        }
        let endian = if file.is_little_endian() {
            Endian::Little
        } else {
            Endian::Big
        };
        let mut obj = Object {
            endian,
            sections: Vec::new(),
            code: Vec::new(),
            programs: Vec::new(),
            data: Vec::new(),
            globals: Vec::new(),
            maps: Vec::new(),
            externs: Vec::new(),
            license: None,
            btf: None,
            btf_error: None,
            ext: None,
            ext_error: None,
        };
        obj.read_sections(&file)?;
        obj.read_btf(&file);
        obj.programs = programs::collect(&file, &obj.code)?;
        obj.globals = globals::collect(&file, &obj.data);
        obj.externs = externs::collect(&file, obj.btf.as_ref());
        obj.maps = maps::collect(&file, &obj);
        relocs::collect(&file, &mut obj)?;
        Ok(obj)
    }

    fn read_sections(&mut self, file: &ElfFile64<'_, Endianness>) -> Result<()> {
        let e = file.endian();
        for s in file.sections() {
            let name = s.name().unwrap_or("").to_owned();
            let hdr = s.elf_section_header();
            let flags = hdr.sh_flags(e);
            let sh_type = hdr.sh_type(e);
            let kind = if sh_type == object::elf::SHT_PROGBITS
                && flags.0 & object::elf::SHF_EXECINSTR.0 != 0
            {
                SectionKind::Code
            } else if name == ".maps" {
                SectionKind::Maps
            } else if name == "license" {
                SectionKind::License
            } else if name.starts_with(".rodata") && sh_type == object::elf::SHT_PROGBITS {
                SectionKind::Rodata
            } else if name.starts_with(".data") && sh_type == object::elf::SHT_PROGBITS {
                SectionKind::Data
            } else if name.starts_with(".bss") && sh_type == object::elf::SHT_NOBITS {
                SectionKind::Bss
            } else {
                SectionKind::Other
            };
            let file_offset = s.file_range().map_or(0, |(o, _)| o);
            let info = SectionInfo {
                elf_index: s.index().0,
                name: name.clone(),
                kind,
                size: s.size(),
                file_offset,
            };
            let bytes = || -> Result<&[u8]> {
                s.data()
                    .map_err(|err| Error::malformed(file_offset, format!("section {name}: {err}")))
            };
            match kind {
                SectionKind::Code => {
                    let insns = Insn::decode_all(bytes()?, self.endian)
                        .map_err(|err| err.within(file_offset, None))?;
                    self.code.push(CodeSection {
                        elf_index: info.elf_index,
                        name: name.clone(),
                        file_offset,
                        insns,
                        relocs: Vec::new(),
                    });
                }
                SectionKind::Data | SectionKind::Rodata => {
                    let b = bytes()?;
                    self.data.push(DataSection {
                        elf_index: info.elf_index,
                        name: name.clone(),
                        kind,
                        bytes: b.to_vec(),
                        size: b.len() as u64,
                    });
                }
                SectionKind::Bss => {
                    // Zeros: never materialised, so a hostile size costs nothing.
                    self.data.push(DataSection {
                        elf_index: info.elf_index,
                        name: name.clone(),
                        kind,
                        bytes: Vec::new(),
                        size: s.size(),
                    });
                }
                SectionKind::License => {
                    let b = bytes()?;
                    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
                    self.license = Some(String::from_utf8_lossy(&b[..end]).into_owned());
                }
                SectionKind::Maps | SectionKind::Other => {}
            }
            self.sections.push(info);
        }
        Ok(())
    }

    fn read_btf(&mut self, file: &ElfFile64<'_, Endianness>) {
        let section = |name: &str| {
            file.section_by_name(name)
                .map(|s| (s.file_range().map_or(0, |(o, _)| o), s.data()))
        };
        if let Some((off, data)) = section(".BTF") {
            match data
                .map_err(|err| Error::malformed(off, format!(".BTF: {err}")))
                .and_then(|d| Btf::parse(d).map_err(|e| e.within(off, None)))
            {
                Ok(mut btf) => {
                    btf.set_ptr_size(8);
                    self.btf = Some(btf);
                }
                Err(err) => self.btf_error = Some(err),
            }
        }
        if let (Some(btf), Some((off, data))) = (&self.btf, section(".BTF.ext")) {
            match data
                .map_err(|err| Error::malformed(off, format!(".BTF.ext: {err}")))
                .and_then(|d| BtfExt::parse(d, btf).map_err(|e| e.within(off, None)))
            {
                Ok(ext) => self.ext = Some(ext),
                Err(err) => self.ext_error = Some(err),
            }
        }
    }

    /// The code section with ELF index `elf_index`.
    pub fn code_by_elf_index(&self, elf_index: usize) -> Option<(usize, &CodeSection)> {
        self.code
            .iter()
            .enumerate()
            .find(|(_, c)| c.elf_index == elf_index)
    }

    /// The code section named `name`.
    pub fn code_by_name(&self, name: &str) -> Option<(usize, &CodeSection)> {
        self.code.iter().enumerate().find(|(_, c)| c.name == name)
    }

    /// The program or subprogram containing instruction `insn` of code section `code_idx`.
    pub fn program_at(&self, code_idx: usize, insn: u32) -> Option<(usize, &Program)> {
        self.programs
            .iter()
            .enumerate()
            .find(|(_, p)| p.section == code_idx && insn >= p.start && insn < p.start + p.len)
    }

    /// The program named `name`.
    pub fn program(&self, name: &str) -> Option<(usize, &Program)> {
        self.programs
            .iter()
            .enumerate()
            .find(|(_, p)| p.name == name)
    }

    /// The instructions of a program (or subprogram).
    pub fn insns_of(&self, p: &Program) -> &[Insn] {
        let code = &self.code[p.section].insns;
        let start = (p.start as usize).min(code.len());
        let end = (p.start as usize + p.len as usize).min(code.len());
        &code[start..end]
    }

    /// The source line of instruction `insn` of code section `code_idx`: the last line_info
    /// record at or before it, as (file, line text, line number, column).
    pub fn source_line(&self, code_idx: usize, insn: u32) -> Option<SourceLine<'_>> {
        let (ext, btf) = (self.ext.as_ref()?, self.btf.as_ref()?);
        let sec = ext.line_info_of(&self.code.get(code_idx)?.name)?;
        let off = insn.checked_mul(8)?;
        let idx = sec
            .records
            .partition_point(|r| r.insn_off <= off)
            .checked_sub(1)?;
        let r = &sec.records[idx];
        Some(SourceLine {
            insn_off: r.insn_off,
            file: btf.name(r.file_name_off),
            text: btf.name(r.line_off),
            line: r.line(),
            column: r.column(),
        })
    }

    /// A data section by name.
    pub fn data_section(&self, name: &str) -> Option<&DataSection> {
        self.data.iter().find(|d| d.name == name)
    }

    pub(crate) fn section_name(&self, idx: SectionIndex) -> &str {
        self.sections
            .iter()
            .find(|s| s.elf_index == idx.0)
            .map_or("", |s| s.name.as_str())
    }
}

/// A source position from line_info.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLine<'a> {
    /// Byte offset of the instruction the record starts at.
    pub insn_off: u32,
    /// File path.
    pub file: &'a str,
    /// The source line's text.
    pub text: &'a str,
    /// Line number.
    pub line: u32,
    /// Column.
    pub column: u32,
}
