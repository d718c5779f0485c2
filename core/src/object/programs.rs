//! Programs and subprograms: the function symbols of code sections (libbpf
//! `bpf_object__add_programs`), sorted by section and start like libbpf's `cmp_progs`.

use object::read::elf::ElfFile64;
use object::{Endianness, Object as _, ObjectSymbol, SymbolKind, SymbolScope, SymbolSection};

use super::{CodeSection, TEXT};
use crate::error::{Error, Result};

/// A program or subprogram: one function symbol in a code section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// Function name.
    pub name: String,
    /// Index into [`super::Object::code`].
    pub section: usize,
    /// The ELF section name (`?kprobe/x` keeps its `?`).
    pub sec_name: String,
    /// First instruction, relative to the section.
    pub start: u32,
    /// Number of instruction slots.
    pub len: u32,
    /// A subprogram (a function in `.text` of an object with more than one function):
    /// never loaded alone, appended to the programs that call it.
    pub is_subprog: bool,
    /// Loaded by default: false for `SEC("?...")` programs (libbpf ≥ 1.0).
    pub autoload: bool,
    /// Global (or weak) binding, as opposed to static.
    pub global: bool,
}

pub(super) fn collect(
    file: &ElfFile64<'_, Endianness>,
    code: &[CodeSection],
) -> Result<Vec<Program>> {
    let mut progs = Vec::new();
    for sym in file.symbols() {
        if sym.kind() != SymbolKind::Text {
            continue;
        }
        let SymbolSection::Section(idx) = sym.section() else {
            continue;
        };
        let Some((code_idx, sec)) = code.iter().enumerate().find(|(_, c)| c.elf_index == idx.0)
        else {
            continue;
        };
        let name = sym.name().unwrap_or("").to_owned();
        if sym.address() % 8 != 0 || sym.size() % 8 != 0 {
            return Err(Error::malformed(
                sec.file_offset,
                format!(
                    "sec '{}': program '{name}' is not aligned to whole instructions",
                    sec.name
                ),
            ));
        }
        let start = sym.address() / 8;
        let len = sym.size() / 8;
        if start + len > sec.insns.len() as u64 {
            return Err(Error::malformed(
                sec.file_offset,
                format!(
                    "sec '{}': program '{name}' at insn {start} of {len} insns extends past the section's {} insns",
                    sec.name,
                    sec.insns.len()
                ),
            ));
        }
        progs.push(Program {
            name,
            section: code_idx,
            sec_name: sec.name.clone(),
            start: start as u32,
            len: len as u32,
            is_subprog: false,
            autoload: !sec.name.starts_with('?'),
            global: sym.scope() != SymbolScope::Compilation,
        });
    }
    crate::sorting::sort_by_key(&mut progs, |p| (code[p.section].elf_index, p.start));
    let many = progs.len() > 1;
    for p in &mut progs {
        if p.sec_name == TEXT && many {
            p.is_subprog = true;
            p.autoload = false;
        }
    }
    Ok(progs)
}
