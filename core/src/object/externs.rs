//! Extern symbols: `__kconfig` variables and `__ksym` variables/functions (libbpf
//! `bpf_object__collect_externs`): undefined global/weak NOTYPE symbols, classified by the BTF
//! DATASEC (`.kconfig`, `.ksyms`) holding the VAR or FUNC of the same name.

use object::read::elf::ElfFile64;
use object::{Endianness, Object as _, ObjectSymbol, SymbolKind, SymbolSection};

use crate::btf::{Btf, Kind, TypeId};

/// Which kind of extern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternKind {
    /// A `__kconfig` variable in `.kconfig` (CONFIG_*, LINUX_*).
    Kconfig,
    /// A `__ksym` kernel variable or function in `.ksyms`.
    Ksym {
        /// A kfunc rather than a variable.
        func: bool,
    },
    /// Declared in a DATASEC libbpf does not know (`unrecognized extern section`), or with no
    /// BTF at all.
    Unknown(String),
}

/// One extern symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extern {
    /// Symbol name.
    pub name: String,
    /// Kconfig, ksym or unknown.
    pub kind: ExternKind,
    /// `__weak` (STB_WEAK): may stay unresolved (then zero).
    pub weak: bool,
    /// The BTF VAR (or FUNC) describing it.
    pub btf_id: Option<TypeId>,
    /// ELF symbol index.
    pub sym_index: usize,
}

pub(super) fn collect(file: &ElfFile64<'_, Endianness>, btf: Option<&Btf>) -> Vec<Extern> {
    // name -> (datasec name, var/func id)
    let mut declared: Vec<(&str, &str, TypeId)> = Vec::new();
    if let Some(btf) = btf {
        for id in btf.own_ids() {
            let ds = btf.ty(id);
            if ds.kind() != Kind::DATASEC {
                continue;
            }
            for v in ds.datasec_vars() {
                declared.push((btf.ty(v.type_id).name(), ds.name(), v.type_id));
            }
        }
    }
    let mut out = Vec::new();
    for sym in file.symbols() {
        if sym.section() != SymbolSection::Undefined
            || !sym.is_global()
            || sym.kind() != SymbolKind::Unknown
        {
            continue;
        }
        let Ok(name) = sym.name() else { continue };
        if name.is_empty() {
            continue;
        }
        let found = declared.iter().find(|(n, _, _)| *n == name);
        let kind = match found {
            Some((_, ".kconfig", _)) => ExternKind::Kconfig,
            Some((_, ".ksyms", id)) => ExternKind::Ksym {
                func: btf.is_some_and(|b| b.ty(*id).kind() == Kind::FUNC),
            },
            Some((_, sec, _)) => ExternKind::Unknown((*sec).to_owned()),
            None => ExternKind::Unknown(String::new()),
        };
        out.push(Extern {
            name: name.to_owned(),
            kind,
            weak: sym.is_weak(),
            btf_id: found.map(|f| f.2),
            sym_index: sym.index().0,
        });
    }
    out
}
