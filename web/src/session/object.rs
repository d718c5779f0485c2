//! A loaded BPF object: parsing (any compression), its summary, and its code interleaved with
//! the source lines of line_info.

use corelab::btf::{Kind, TypeId};
use corelab::bytes::Endian;
use corelab::input;
use corelab::insn::{disassemble, Insn};
use corelab::kconfig::{self, KcfgType};
use corelab::object::{GlobalVar, Object, SectionKind};

use crate::dto::object::{CodeLine, CodeSection, KnobInfo, ObjectSummary, ProgramInfo, SourceRef};

/// A parsed BPF object and the name the user knows it by.
#[derive(Debug)]
pub struct LoadedObject {
    pub(crate) label: String,
    pub(crate) obj: Object,
    /// The file as given, for another engine worker to load the same object (a sweep's
    /// helpers).
    file: Vec<u8>,
}

impl LoadedObject {
    /// Parses `bytes` (an ELF BPF object, possibly gzip/xz/zstd-compressed). The error is one
    /// line: `label: offset 0x…: problem`.
    pub fn load(label: &str, bytes: &[u8]) -> Result<LoadedObject, String> {
        let un =
            input::unpack(bytes, input::Limits::default()).map_err(|e| format!("{label}: {e}"))?;
        let obj = Object::parse(&un.data).map_err(|e| format!("{label}: {e}"))?;
        if let Some(e) = &obj.btf_error {
            return Err(format!("{label}: unusable .BTF: {e}"));
        }
        if obj.btf.is_none() {
            return Err(format!(
                "{label}: no .BTF section: CO-RE needs the object's BTF (compile with clang -g)"
            ));
        }
        Ok(LoadedObject {
            label: label.to_owned(),
            obj,
            file: bytes.to_vec(),
        })
    }

    /// The parsed object.
    pub fn object(&self) -> &Object {
        &self.obj
    }

    /// The file's bytes, as given at load time.
    pub fn file(&self) -> &[u8] {
        &self.file
    }

    /// The label given at load time.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Programs, knobs and code.
    pub fn summary(&self) -> ObjectSummary {
        let obj = &self.obj;
        let programs = obj
            .programs
            .iter()
            .map(|p| ProgramInfo {
                name: p.name.clone(),
                sec: p.sec_name.clone(),
                subprog: p.is_subprog,
                autoload: p.autoload,
                code: p.section as u32,
                start: p.start,
                len: p.len,
            })
            .collect();
        let mut problems = Vec::new();
        if let Some(e) = &obj.ext_error {
            problems.push(format!(
                "unusable .BTF.ext (no line info, no CO-RE relocations): {e}"
            ));
        }
        ObjectSummary {
            label: self.label.clone(),
            byte_order: obj.endian.describe().to_owned(),
            license: obj.license.clone(),
            programs,
            relocations: obj.ext.as_ref().map_or(0, |e| e.core_relo_count() as u32),
            knobs: knobs(obj),
            problems,
            code: (0..obj.code.len()).map(|c| code_section(obj, c)).collect(),
        }
    }
}

/// A source position for display: the file's base name, the trimmed line.
pub(crate) fn source_ref(obj: &Object, code: usize, insn: u32) -> Option<SourceRef> {
    let l = obj.source_line(code, insn)?;
    Some(SourceRef {
        file: l.file.rsplit('/').next().unwrap_or(l.file).to_owned(),
        line: l.line,
        column: l.column,
        text: l.text.trim().to_owned(),
    })
}

/// The source line starting exactly at instruction `insn` (a new line_info record).
pub(crate) fn source_starting_at(obj: &Object, code: usize, insn: u32) -> Option<SourceRef> {
    let l = obj.source_line(code, insn)?;
    (l.insn_off == insn * 8).then(|| SourceRef {
        file: l.file.rsplit('/').next().unwrap_or(l.file).to_owned(),
        line: l.line,
        column: l.column,
        text: l.text.trim().to_owned(),
    })
}

/// Every CO-RE record as (code section name, instruction index, index over the `.BTF.ext`).
pub(crate) fn core_sites(obj: &Object) -> Vec<(&str, u32, u32)> {
    let Some(ext) = &obj.ext else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in &ext.core_relos {
        for r in &s.records {
            out.push((s.name.as_str(), r.insn_off / 8, out.len() as u32));
        }
    }
    out
}

fn code_section(obj: &Object, c: usize) -> CodeSection {
    let code = &obj.code[c];
    let sites = core_sites(obj);
    let mut lines = Vec::with_capacity(code.insns.len());
    let mut i = 0usize;
    while i < code.insns.len() {
        let d = disassemble(&code.insns, i);
        let idx = i as u32;
        let func = obj
            .programs
            .iter()
            .find(|p| p.section == c && p.start == idx)
            .map(|p| p.name.clone());
        let relos = sites
            .iter()
            .filter(|(s, at, _)| *s == code.name && *at == idx)
            .map(|&(_, _, k)| k)
            .collect();
        let target = jump_target(&code.insns, i);
        lines.push(CodeLine {
            idx,
            text: d.text,
            func,
            source: source_starting_at(obj, c, idx),
            relos,
            target,
        });
        i += d.slots.max(1);
    }
    CodeSection {
        name: code.name.clone(),
        lines,
    }
}

/// A jump's target slot (`call`s of subprograms included), when in the section.
pub(crate) fn jump_target(insns: &[Insn], at: usize) -> Option<u32> {
    let i = insns.get(at)?;
    let t = if i.is_pseudo_call() {
        at as i64 + 1 + i64::from(i.imm)
    } else {
        i.jump_target(at)?
    };
    u32::try_from(t)
        .ok()
        .filter(|&t| (t as usize) < insns.len())
}

/// The `.kconfig` externs and read-only globals the what-if controls can set.
fn knobs(obj: &Object) -> Vec<KnobInfo> {
    let mut out = Vec::new();
    if let Ok(layout) = kconfig::layout(obj) {
        for v in &layout.vars {
            let value = if v.name == "LINUX_KERNEL_VERSION" {
                "the kernel's release".to_owned()
            } else {
                "0 (libbpf has no Kconfig here)".to_owned()
            };
            out.push(KnobInfo {
                name: v.name.clone(),
                kind: "kconfig".into(),
                ty: kcfg_type_name(v.ty, v.size),
                size: v.size,
                value,
                weak: v.weak,
            });
        }
    }
    let Some(btf) = &obj.btf else {
        return out;
    };
    for (g, ty, is_str) in settable_globals(obj) {
        let bytes = obj
            .data_section(&g.section)
            .and_then(|d| d.bytes.get(g.offset as usize..(g.offset + g.size) as usize))
            .unwrap_or(&[]);
        out.push(KnobInfo {
            name: g.name.clone(),
            kind: "rodata".into(),
            ty: corelab::diff::type_string(btf, ty),
            size: g.size as u32,
            value: value_text(bytes, obj.endian, is_str),
            weak: false,
        });
    }
    out
}

/// The read-only globals a loader can set before loading (`const volatile` ones, the
/// skeleton's `rodata` fields): their symbol, BTF type, and whether they hold a string.
/// Function-static constants (`____prog.____fmt` of bpf_printk) are not among them.
pub(crate) fn settable_globals(obj: &Object) -> Vec<(&GlobalVar, TypeId, bool)> {
    let Some(btf) = &obj.btf else {
        return Vec::new();
    };
    obj.globals
        .iter()
        .filter(|g| !g.name.contains('.'))
        .filter(|g| {
            obj.data_section(&g.section)
                .is_some_and(|d| d.kind == SectionKind::Rodata)
        })
        .filter_map(|g| {
            let var = btf
                .find_by_name(&g.name)
                .map(|id| btf.ty(id))
                .find(|t| t.kind() == Kind::VAR)?;
            // Only a volatile object is meant to be set: follow the modifiers.
            let mut t = btf.ty(var.type_id());
            let mut volatile = false;
            for _ in 0..16 {
                match t.kind() {
                    Kind::VOLATILE => volatile = true,
                    Kind::CONST | Kind::TYPEDEF | Kind::TYPE_TAG | Kind::RESTRICT => {}
                    _ => break,
                }
                t = btf.ty(t.type_id());
            }
            let is_str = btf.skip_mods_and_typedefs(var.type_id()).kind() == Kind::ARRAY;
            volatile.then_some((g, var.type_id(), is_str))
        })
        .collect()
}

/// How C spells a Kconfig extern's type.
pub(crate) fn kcfg_type_name(ty: KcfgType, size: u32) -> String {
    match ty {
        KcfgType::Bool => "bool".into(),
        KcfgType::Tristate => "tristate".into(),
        KcfgType::Char { signed } => if signed { "char" } else { "unsigned char" }.into(),
        KcfgType::Int { signed } => format!("{}{}", if signed { "s" } else { "u" }, size * 8),
        KcfgType::CharArray => format!("char[{size}]"),
    }
}

/// A value image as text: a string for char arrays, else a decimal integer (signed when
/// the top bit says so is not known here: unsigned).
pub(crate) fn value_text(bytes: &[u8], endian: Endian, string: bool) -> String {
    if string {
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        return format!("\"{}\"", String::from_utf8_lossy(&bytes[..end]));
    }
    if bytes.is_empty() || bytes.len() > 8 {
        return format!("{} bytes", bytes.len());
    }
    let mut v = 0u64;
    match endian {
        Endian::Little => {
            for &b in bytes.iter().rev() {
                v = (v << 8) | u64::from(b);
            }
        }
        Endian::Big => {
            for &b in bytes {
                v = (v << 8) | u64::from(b);
            }
        }
    }
    v.to_string()
}
