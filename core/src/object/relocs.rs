//! ELF relocations of code sections, classified as libbpf's `bpf_program__record_reloc` does:
//! bpf-to-bpf calls, function addresses, map and global-data references, externs.

use object::read::elf::ElfFile64;
use object::{
    Endianness, Object as _, ObjectSection, ObjectSymbol, RelocationTarget, SymbolKind,
    SymbolSection,
};

use super::{MapKind, Object, SectionKind};
use crate::error::{Error, Result};
use crate::insn::opcode::PSEUDO_FUNC;

/// What an instruction's relocation points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelocTarget {
    /// A bpf-to-bpf call of instruction `insn` (section-relative) of code section `section`.
    Call {
        /// Index into [`Object::code`].
        section: usize,
        /// Target instruction within that section.
        insn: u32,
    },
    /// An `LD_IMM64` of a function's address (`BPF_PSEUDO_FUNC`, callbacks).
    FuncAddr {
        /// Index into [`Object::code`].
        section: usize,
        /// Target instruction within that section.
        insn: u32,
    },
    /// An `LD_IMM64` of a map (`BPF_PSEUDO_MAP_FD` after loading).
    Map {
        /// Index into [`Object::maps`].
        map: usize,
    },
    /// An `LD_IMM64` of a pointer into a global-data map (`BPF_PSEUDO_MAP_VALUE`).
    Data {
        /// Index into [`Object::maps`].
        map: usize,
        /// Byte offset within the map value.
        offset: u64,
    },
    /// An `LD_IMM64` of an extern variable, or a call of an extern kfunc.
    Extern {
        /// Index into [`Object::externs`].
        ext: usize,
    },
    /// Something libbpf would reject (reported, not fatal here).
    Invalid(String),
}

/// One relocation of a code section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsnReloc {
    /// Instruction index within the section.
    pub insn: u32,
    /// ELF relocation type (`R_BPF_64_64` = 1, `R_BPF_64_32` = 10, …).
    pub r_type: u32,
    /// The symbol's name.
    pub symbol: String,
    /// What it refers to.
    pub target: RelocTarget,
}

pub(super) fn collect(file: &ElfFile64<'_, Endianness>, obj: &mut Object) -> Result<()> {
    for ci in 0..obj.code.len() {
        let elf_index = obj.code[ci].elf_index;
        let Ok(section) = file.section_by_index(object::SectionIndex(elf_index)) else {
            continue;
        };
        let mut out = Vec::new();
        for (offset, rel) in section.relocations() {
            let r_type = match rel.flags() {
                object::RelocationFlags::Elf { r_type } => r_type.0,
                _ => 0,
            };
            let code = &obj.code[ci];
            // A hostile r_offset may not fit an instruction index (nor, added to the
            // section's file offset, a u64).
            let insn = u32::try_from(offset / 8).unwrap_or(u32::MAX);
            let Some(&ins) = code.insns.get(insn as usize) else {
                return Err(Error::malformed(
                    code.file_offset.saturating_add(offset),
                    format!(
                        "relocation at offset {offset} is outside section {}",
                        code.name
                    ),
                ));
            };
            let RelocationTarget::Symbol(si) = rel.target() else {
                continue;
            };
            let Ok(sym) = file.symbol_by_index(si) else {
                continue;
            };
            let name = sym.name().unwrap_or("").to_owned();
            let target = classify(obj, &sym, &name, ins, offset);
            out.push(InsnReloc {
                insn,
                r_type,
                symbol: name,
                target,
            });
        }
        crate::sorting::sort_by_key(&mut out, |r| r.insn);
        obj.code[ci].relocs = out;
    }
    Ok(())
}

fn classify(
    obj: &Object,
    sym: &object::read::elf::ElfSymbol64<'_, '_, Endianness>,
    name: &str,
    ins: crate::insn::Insn,
    offset: u64,
) -> RelocTarget {
    if sym.section() == SymbolSection::Undefined && sym.is_global() {
        return match obj.externs.iter().position(|e| e.name == name) {
            Some(ext) => RelocTarget::Extern { ext },
            None => RelocTarget::Invalid(format!("extern '{name}' without BTF")),
        };
    }
    let SymbolSection::Section(sec) = sym.section() else {
        return RelocTarget::Invalid(format!("relocation against '{name}' in no section"));
    };
    let value = sym.address();
    if ins.is_call() {
        let Some((section, _)) = obj.code_by_elf_index(sec.0) else {
            return RelocTarget::Invalid(format!("bad call relo against '{name}'"));
        };
        let target = (value / 8) as i64 + i64::from(ins.imm) + 1;
        return match u32::try_from(target) {
            Ok(insn) => RelocTarget::Call { section, insn },
            Err(_) => {
                RelocTarget::Invalid(format!("call relocation at {offset} targets insn {target}"))
            }
        };
    }
    if !ins.is_ld_imm64() {
        return RelocTarget::Invalid(format!(
            "invalid relo for insn at offset {offset} (code {:#04x})",
            ins.code
        ));
    }
    if let Some((section, _)) = obj.code_by_elf_index(sec.0) {
        // libbpf's `sym_is_subprog`: an LD_IMM64 against a function in `.text` (clang-19
        // leaves src 0 with a section symbol; libbpf makes it BPF_PSEUDO_FUNC).
        let subprog = obj.code[section].name == super::TEXT
            && (sym.kind() == SymbolKind::Section
                || (sym.is_global() && sym.kind() == SymbolKind::Text));
        if ins.src == PSEUDO_FUNC || subprog {
            let target = (value / 8) as i64 + i64::from(ins.imm) / 8;
            return match u32::try_from(target) {
                Ok(insn) => RelocTarget::FuncAddr { section, insn },
                Err(_) => RelocTarget::Invalid(format!(
                    "function address relocation at {offset} targets insn {target}"
                )),
            };
        }
        return RelocTarget::Invalid(format!("bad subprog address relocation against '{name}'"));
    }
    let sec_name = obj.section_name(sec);
    let kind = obj
        .sections
        .iter()
        .find(|s| s.elf_index == sec.0)
        .map(|s| s.kind);
    match kind {
        Some(SectionKind::Maps) => obj
            .maps
            .iter()
            .position(|m| matches!(m.kind, MapKind::Btf { .. }) && m.offset == value)
            .map_or_else(
                || RelocTarget::Invalid(format!("no map at offset {value} of .maps")),
                |map| RelocTarget::Map { map },
            ),
        Some(SectionKind::Data | SectionKind::Rodata | SectionKind::Bss) => {
            let map = obj.maps.iter().position(
                |m| matches!(&m.kind, MapKind::GlobalData { section, .. } if section == sec_name),
            );
            match map {
                Some(map) => {
                    // REL: the addend sits in the instruction's imm; the symbol adds its offset.
                    let base = if sym.kind() == SymbolKind::Section {
                        0
                    } else {
                        value
                    };
                    RelocTarget::Data {
                        map,
                        offset: base.wrapping_add(u64::from(ins.imm as u32)),
                    }
                }
                None => RelocTarget::Invalid(format!("no map for section {sec_name}")),
            }
        }
        _ => RelocTarget::Invalid(format!("relocation against '{name}' in section {sec_name}")),
    }
}
