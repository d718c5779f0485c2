//! Maps: BTF-defined maps of `.maps` (libbpf `bpf_object__init_user_btf_maps`) and libbpf's
//! internal maps for global data (`.data*`, `.rodata*`, `.bss*`) and `.kconfig`.

use object::read::elf::ElfFile64;
use object::{Endianness, Object as _, ObjectSymbol, SymbolKind, SymbolSection};

use super::{Object, SectionKind};
use crate::btf::{Btf, Kind, TypeId};
use crate::object::ExternKind;

/// What kind of map, from libbpf's point of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapKind {
    /// A map defined in `.maps` with `__uint`/`__type` members.
    Btf {
        /// `BPF_MAP_TYPE_*` number (0 when not given).
        map_type: u32,
        /// Key size in bytes (0 when not given).
        key_size: u32,
        /// Value size in bytes (0 when not given).
        value_size: u32,
        /// Maximum entries (0 when not given).
        max_entries: u32,
    },
    /// The single-entry array libbpf creates for a global data section.
    GlobalData {
        /// The ELF section it holds (`.rodata`, `.data.foo`, `.bss`).
        section: String,
        /// `.rodata*`: created with `BPF_F_RDONLY_PROG` and frozen, so the verifier reads
        /// its contents as constants.
        readonly: bool,
    },
    /// The `.kconfig` map holding resolved `__kconfig` externs (read-only, frozen).
    Kconfig,
}

/// One map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Map {
    /// Name: the variable name for BTF maps, the section name for internal maps.
    pub name: String,
    /// Kind and parameters.
    pub kind: MapKind,
    /// Offset of the definition within `.maps` (BTF maps only).
    pub offset: u64,
}

impl Map {
    /// Whether the verifier sees this map's contents as constants (read-only + frozen).
    pub fn is_frozen_readonly(&self) -> bool {
        matches!(
            self.kind,
            MapKind::Kconfig | MapKind::GlobalData { readonly: true, .. }
        )
    }
}

/// The number `N` encoded by `__uint(name, N)` = `int (*name)[N]`.
fn uint_member(btf: &Btf, ty: TypeId) -> Option<u32> {
    let p = btf.ty(ty);
    if p.kind() != Kind::PTR {
        return None;
    }
    let a = btf.ty(p.type_id());
    (a.kind() == Kind::ARRAY).then(|| a.array().nelems)
}

/// The size of `T` in `__type(name, T)` = `T *name`.
fn type_member_size(btf: &Btf, ty: TypeId) -> Option<u32> {
    let p = btf.ty(ty);
    (p.kind() == Kind::PTR)
        .then(|| btf.resolve_size(p.type_id()).ok())
        .flatten()
}

fn btf_map_kind(btf: &Btf, var: TypeId) -> MapKind {
    let def = btf.skip_mods_and_typedefs(btf.ty(var).type_id());
    let (mut map_type, mut key_size, mut value_size, mut max_entries) = (0, 0, 0, 0);
    for m in def.members() {
        match m.name {
            "type" => map_type = uint_member(btf, m.type_id).unwrap_or(0),
            "max_entries" => max_entries = uint_member(btf, m.type_id).unwrap_or(0),
            "key_size" => key_size = uint_member(btf, m.type_id).unwrap_or(0),
            "value_size" => value_size = uint_member(btf, m.type_id).unwrap_or(0),
            "key" => key_size = type_member_size(btf, m.type_id).unwrap_or(0),
            "value" => value_size = type_member_size(btf, m.type_id).unwrap_or(0),
            _ => {}
        }
    }
    MapKind::Btf {
        map_type,
        key_size,
        value_size,
        max_entries,
    }
}

pub(super) fn collect(file: &ElfFile64<'_, Endianness>, obj: &Object) -> Vec<Map> {
    let mut maps = Vec::new();
    // User maps first, in symbol-offset order.
    if let Some(sec) = obj.sections.iter().find(|s| s.kind == SectionKind::Maps) {
        let mut syms: Vec<(u64, String)> = file
            .symbols()
            .filter(|s| s.section() == SymbolSection::Section(object::SectionIndex(sec.elf_index)))
            .filter(|s| s.kind() == SymbolKind::Data && s.is_global())
            .filter_map(|s| Some((s.address(), s.name().ok()?.to_owned())))
            .collect();
        crate::sorting::sort_by(&mut syms, Ord::cmp);
        for (offset, name) in syms {
            let kind = obj
                .btf
                .as_ref()
                .and_then(|btf| {
                    let ds = btf.find_by_name_kind(".maps", Kind::DATASEC)?;
                    let var = btf
                        .ty(ds)
                        .datasec_vars()
                        .find(|v| btf.ty(v.type_id).name() == name)?;
                    Some(btf_map_kind(btf, var.type_id))
                })
                .unwrap_or(MapKind::Btf {
                    map_type: 0,
                    key_size: 0,
                    value_size: 0,
                    max_entries: 0,
                });
            maps.push(Map { name, kind, offset });
        }
    }
    // Then global data, in section order.
    for d in &obj.data {
        maps.push(Map {
            name: d.name.clone(),
            kind: MapKind::GlobalData {
                section: d.name.clone(),
                readonly: d.kind == SectionKind::Rodata,
            },
            offset: 0,
        });
    }
    if obj.externs.iter().any(|e| e.kind == ExternKind::Kconfig) {
        maps.push(Map {
            name: ".kconfig".into(),
            kind: MapKind::Kconfig,
            offset: 0,
        });
    }
    maps
}
