//! `__kconfig` externs: their types, libbpf's layout of the `.kconfig` map, and the values
//! libbpf would put there from a Kconfig text and a kernel release (../shared/spec/core-spec.md §4).
//!
//! The map image this produces is what the verifier reads as constants (the map is
//! read-only and frozen), so guarded code behind `CONFIG_*` / `LINUX_KERNEL_VERSION` checks
//! is decided by it.

mod parse;
#[cfg(test)]
mod tests;

use crate::btf::{Btf, Kind, TypeId};
use crate::object::{ExternKind, Object};

pub use parse::{kernel_version, parse_release};

/// A Kconfig extern's value type (libbpf `enum kcfg_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KcfgType {
    /// `bool` (`_Bool`, 1 byte): y → 1, n → 0.
    Bool,
    /// `enum libbpf_tristate`: y → 1, m → 2, n → 0.
    Tristate,
    /// `char` (1 byte): the character itself, or an integer.
    Char {
        /// Signed char.
        signed: bool,
    },
    /// A 2, 4 or 8-byte integer.
    Int {
        /// Signed.
        signed: bool,
    },
    /// `char[N]`: a quoted string, NUL-terminated and truncated to N-1.
    CharArray,
}

/// Largest `.kconfig` map value this engine lays out (the kernel's `KMALLOC_MAX_SIZE`).
pub const MAX_MAP_SIZE: u64 = 4 << 20;

/// One Kconfig extern in the `.kconfig` map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KconfigVar {
    /// Name (`CONFIG_HZ`, `LINUX_KERNEL_VERSION`).
    pub name: String,
    /// Value type.
    pub ty: KcfgType,
    /// Size in bytes.
    pub size: u32,
    /// Alignment.
    pub align: u32,
    /// Offset in the map value.
    pub offset: u32,
    /// `__weak`.
    pub weak: bool,
    /// Index into [`Object::externs`].
    pub ext: usize,
    /// The extern's BTF VAR.
    pub btf_var: TypeId,
}

/// The `.kconfig` map layout.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KconfigLayout {
    /// Variables in map order (libbpf's extern sort order).
    pub vars: Vec<KconfigVar>,
    /// Size of the map value.
    pub size: u32,
}

/// Why externs could not be laid out or resolved: libbpf's message; the load fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KconfigError {
    /// libbpf's warning text (without the `libbpf: ` prefix).
    pub message: String,
    /// The negative errno libbpf returns.
    pub errno: i32,
}

impl std::fmt::Display for KconfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn err(message: String, errno: i32) -> KconfigError {
    KconfigError { message, errno }
}

/// libbpf `find_kcfg_type`: the value type of a Kconfig extern's BTF type.
pub fn kcfg_type(btf: &Btf, id: TypeId) -> Option<KcfgType> {
    let t = btf.skip_mods_and_typedefs(id);
    match t.kind() {
        Kind::INT => {
            let enc = t.int_info().encoding;
            match (t.size(), enc.is_bool()) {
                (1, true) => Some(KcfgType::Bool),
                (_, true) => None,
                (1, false) => Some(KcfgType::Char {
                    signed: enc.is_signed(),
                }),
                (2 | 4 | 8, false) => Some(KcfgType::Int {
                    signed: enc.is_signed(),
                }),
                _ => None,
            }
        }
        Kind::ENUM | Kind::ENUM64
            if t.name() == "libbpf_tristate" && (t.kind() == Kind::ENUM64 || t.size() == 4) =>
        {
            Some(KcfgType::Tristate)
        }
        Kind::ARRAY => {
            let a = t.array();
            (a.nelems > 0 && matches!(kcfg_type(btf, a.elem), Some(KcfgType::Char { .. })))
                .then_some(KcfgType::CharArray)
        }
        _ => None,
    }
}

/// Lays out the object's Kconfig externs as libbpf does: sorted by alignment (descending),
/// size (ascending), name; each at the next offset aligned for it.
pub fn layout(obj: &Object) -> Result<KconfigLayout, KconfigError> {
    let Some(btf) = obj.btf.as_ref() else {
        return Ok(KconfigLayout::default());
    };
    let mut vars = Vec::new();
    for (i, e) in obj.externs.iter().enumerate() {
        if e.kind != ExternKind::Kconfig {
            continue;
        }
        let Some(var) = e.btf_id else { continue };
        let v = btf.ty(var);
        if v.kind() == Kind::FUNC {
            return Err(err(
                format!(
                    "extern function {} is unsupported under .kconfig section",
                    e.name
                ),
                -95,
            ));
        }
        let ty = kcfg_type(btf, v.type_id()).ok_or_else(|| {
            err(
                format!("extern (kcfg) '{}': type is unsupported", e.name),
                -95,
            )
        })?;
        let size = match btf.resolve_size(v.type_id()) {
            Ok(s) if s > 0 => s,
            r => {
                let code = r.map_or_else(|e| e.errno(), |_| 0);
                return Err(err(
                    format!(
                        "failed to resolve size of extern (kcfg) '{}': {code}",
                        e.name
                    ),
                    -22,
                ));
            }
        };
        let align = match btf.align_of(v.type_id()) {
            Ok(a) if a > 0 => a,
            _ => {
                return Err(err(
                    format!(
                        "failed to determine alignment of extern (kcfg) '{}': -22",
                        e.name
                    ),
                    -22,
                ))
            }
        };
        vars.push(KconfigVar {
            name: e.name.clone(),
            ty,
            size,
            align,
            offset: 0,
            weak: e.weak,
            ext: i,
            btf_var: var,
        });
    }
    crate::sorting::sort_by(&mut vars, |a, b| {
        b.align
            .cmp(&a.align)
            .then(a.size.cmp(&b.size))
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut off = 0u64;
    for v in &mut vars {
        off = off.div_ceil(u64::from(v.align)) * u64::from(v.align);
        v.offset = off as u32;
        off += u64::from(v.size);
        if off > MAX_MAP_SIZE {
            return Err(err(
                format!(
                    "extern (kcfg) '{}': the .kconfig map would exceed {MAX_MAP_SIZE} bytes",
                    v.name
                ),
                -7,
            ));
        }
    }
    Ok(KconfigLayout {
        vars,
        size: off as u32,
    })
}

/// What the simulated kernel and Kconfig say.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// A Kconfig text (`CONFIG_*=…` lines, as in /proc/config.gz), handed to libbpf in memory.
    pub config: Option<String>,
    /// `LINUX_KERNEL_VERSION` (`KERNEL_VERSION(a,b,c)`), from a kernel release.
    pub kernel_version: Option<u32>,
    /// `LINUX_HAS_BPF_COOKIE` (libbpf probes the running kernel; default 1).
    pub has_bpf_cookie: Option<bool>,
    /// `LINUX_HAS_SYSCALL_WRAPPER` (libbpf probes the running kernel; default 1).
    pub has_syscall_wrapper: Option<bool>,
    /// The libbpf release whose messages and checks to reproduce.
    pub libbpf: crate::libbpf::Libbpf,
}

/// The resolved `.kconfig` map value and libbpf's log of how it got there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The map value image (host byte order, little-endian).
    pub image: Vec<u8>,
    /// Per variable (in layout order): whether a value was set (else it defaulted to zero).
    pub set: Vec<bool>,
    /// libbpf's debug/warning lines, without the `libbpf: ` prefix.
    pub log: Vec<String>,
}

impl Resolved {
    /// The value of variable `i` as an integer (little-endian, first ≤ 8 bytes).
    pub fn value(&self, layout: &KconfigLayout, i: usize) -> u64 {
        let v = &layout.vars[i];
        let bytes = &self.image[v.offset as usize..(v.offset + v.size.min(8)) as usize];
        bytes
            .iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    }
}

/// Resolves every Kconfig extern as libbpf's `bpf_object__resolve_externs` would.
pub fn resolve(layout: &KconfigLayout, settings: &Settings) -> Result<Resolved, KconfigError> {
    let mut image = vec![0u8; layout.size as usize];
    let mut set = vec![false; layout.vars.len()];
    let mut log = Vec::new();
    // Virtual LINUX_* externs first.
    for (i, v) in layout.vars.iter().enumerate() {
        if v.name.starts_with("CONFIG_") {
            continue;
        }
        let value = match v.name.as_str() {
            "LINUX_KERNEL_VERSION" => match settings.kernel_version {
                Some(k) if k != 0 => u64::from(k),
                _ => {
                    return Err(err(
                        format!("extern (kcfg) '{}': failed to get kernel version", v.name),
                        -22,
                    ))
                }
            },
            "LINUX_HAS_BPF_COOKIE" => u64::from(settings.has_bpf_cookie.unwrap_or(true)),
            "LINUX_HAS_SYSCALL_WRAPPER" => u64::from(settings.has_syscall_wrapper.unwrap_or(true)),
            n if n.starts_with("LINUX_") && v.weak => 0,
            _ => {
                return Err(err(
                    format!("extern (kcfg) '{}': unrecognized virtual extern", v.name),
                    -22,
                ))
            }
        };
        parse::set_int(v, &mut image, value).map_err(|m| err(m, -34))?;
        set[i] = true;
        log.push(format!("extern (kcfg) '{}': set to 0x{value:x}", v.name));
    }
    if let Some(text) = &settings.config {
        for line in text.lines() {
            parse::apply_line(
                settings.libbpf,
                layout,
                &mut image,
                &mut set,
                &mut log,
                line,
            )?;
        }
    }
    for (i, v) in layout.vars.iter().enumerate() {
        if set[i] {
            continue;
        }
        if !v.weak {
            return Err(err(
                format!("extern '{}' (strong): not resolved", v.name),
                -3,
            ));
        }
        log.push(format!(
            "extern '{}' (weak): not resolved, defaulting to zero",
            v.name
        ));
    }
    Ok(Resolved { image, set, log })
}
