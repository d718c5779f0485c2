//! Global variables of data sections (`.rodata`, `.data`, `.bss`): their offsets come from
//! ELF symbols — clang leaves the BTF DATASEC offsets at 0 and libbpf fills them in from the
//! symbol table before loading.

use object::read::elf::ElfFile64;
use object::{Endianness, Object as _, ObjectSymbol, SymbolKind, SymbolSection};

use super::DataSection;

/// A global variable in a data section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalVar {
    /// Symbol name.
    pub name: String,
    /// The data section's name.
    pub section: String,
    /// Offset in the section.
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
}

pub(super) fn collect(file: &ElfFile64<'_, Endianness>, data: &[DataSection]) -> Vec<GlobalVar> {
    let mut out: Vec<GlobalVar> = file
        .symbols()
        .filter(|s| s.kind() == SymbolKind::Data)
        .filter_map(|s| {
            let SymbolSection::Section(idx) = s.section() else {
                return None;
            };
            let d = data.iter().find(|d| d.elf_index == idx.0)?;
            Some(GlobalVar {
                name: s.name().ok()?.to_owned(),
                section: d.name.clone(),
                offset: s.address(),
                size: s.size(),
            })
        })
        .collect();
    crate::sorting::sort_by(&mut out, |a, b| {
        (&a.section, a.offset).cmp(&(&b.section, b.offset))
    });
    out
}
