//! Access specs: what a relocation points at, in a type graph (`struct bpf_core_spec`).
//!
//! A spec has two views (spec/core-spec.md §3.2): the *raw* spec is the access string's
//! integers one for one; the *high-level* spec keeps only the meaningful steps — the root
//! index, every named member, every array element. A spec also carries the bit offset of
//! what it points at from the start of the root object.
//!
//! [`parse_local`] is `bpf_core_parse_spec`. Like libbpf it builds the spec step by step and
//! stops at the first error, and the partly built spec is kept: libbpf's log and the oracle
//! show it.
//!
//! Negative indices: libbpf 1.5 and 1.7 accept them (only its master, after 1.7, rejects
//! them). Where the result is defined — the root index (`p[-1].x`) and an element of a
//! flexible array — it is reproduced: offsets wrap in 32 bits, the spec prints `-1` in its
//! raw part and `[4294967295]` in its path, as libbpf's `%d`/`%u` do. A negative member or
//! enumerator index makes libbpf read the type's own header as that member: rejected with
//! `-EINVAL` here.

use crate::btf::{Btf, Kind, TypeId};

use super::log::{self, Errno, LogLine};
use super::{RelocClass, RelocKind};
use std::fmt::Write as _;

/// libbpf's `BPF_CORE_SPEC_MAX_LEN`: the longest raw spec.
pub const MAX_SPEC_LEN: usize = 64;

/// One high-level step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accessor<'a> {
    /// For a member: the containing struct/union (modifiers and typedefs skipped). For an
    /// array element (and the root): the element type (skipped). For an enumerator: the enum.
    pub type_id: TypeId,
    /// Member index, element index, or enumerator index.
    pub idx: u32,
    /// The member's or enumerator's name; `None` for array elements and the root.
    pub name: Option<&'a str>,
}

/// A relocation's view of one type graph (local or target).
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    /// The BTF the ids refer to.
    pub btf: &'a Btf,
    /// The root type, as recorded (typedefs and modifiers not skipped).
    pub root: TypeId,
    /// The relocation kind (decides how the spec reads and prints).
    pub kind: RelocKind,
    /// The high-level spec.
    pub access: Vec<Accessor<'a>>,
    /// The raw spec.
    pub raw: Vec<u32>,
    /// Bit offset of the addressed entity from the start of the root object (wrapping u32
    /// arithmetic, as in libbpf).
    pub bit_offset: u32,
}

impl<'a> Spec<'a> {
    /// An empty spec rooted at `root`.
    pub fn new(btf: &'a Btf, root: TypeId, kind: RelocKind) -> Self {
        Spec {
            btf,
            root,
            kind,
            access: Vec::new(),
            raw: Vec::new(),
            bit_offset: 0,
        }
    }

    /// What the relocation accesses, readably: `task_struct.mm.exe_file`,
    /// `bpf_attr.link_create.perf_event.bpf_cookie`, `struct inner`, `my_enum::ME_B`.
    pub fn access_path(&self) -> String {
        let spec = self;
        let root = spec.btf.ty(spec.root);
        let name = if root.name().is_empty() {
            "(anon)"
        } else {
            root.name()
        };
        match spec.kind.class() {
            RelocClass::Type => match root.kind() {
                Kind::STRUCT | Kind::UNION | Kind::ENUM | Kind::ENUM64 => {
                    format!("{} {name}", root.kind().lower_name().trim_end_matches("64"))
                }
                _ => name.to_owned(),
            },
            RelocClass::EnumVal => format!(
                "{name}::{}",
                spec.access.first().and_then(|a| a.name).unwrap_or("?")
            ),
            _ => {
                let mut s = name.to_owned();
                for (i, a) in spec.access.iter().enumerate() {
                    match a.name {
                        Some(n) => {
                            s.push('.');
                            s.push_str(n);
                        }
                        None if i > 0 || a.idx > 0 => {
                            let _ = write!(s, "[{}]", a.idx as i32);
                        }
                        None => {}
                    }
                }
                s
            }
        }
    }

    /// The text libbpf logs for this spec (`bpf_core_format_spec`).
    pub fn format(&self) -> String {
        super::format::format_spec(self)
    }
}

/// Why the local spec could not be built, with the partial spec for display.
#[derive(Debug, Clone)]
pub(crate) struct ParseFailure<'a> {
    /// The spec as far as it got; `None` when the access string was rejected before libbpf
    /// initialised it (missing, empty, or starting with `:`).
    pub spec: Option<Spec<'a>>,
    /// The error `bpf_core_parse_spec` returned.
    pub err: Errno,
    /// The warning it printed, if any (boxed: a failure is the rare path).
    pub warning: Option<Box<LogLine>>,
}

/// `bpf_core_parse_spec`: builds the local spec of a relocation from its root type and
/// access string (`None`: the string offset did not resolve).
pub(crate) fn parse_local<'a>(
    btf: &'a Btf,
    root: TypeId,
    kind: RelocKind,
    access: Option<&str>,
    prog: &str,
) -> Result<Spec<'a>, ParseFailure<'a>> {
    let s = match access {
        Some(s) if !s.is_empty() && !s.starts_with(':') => s,
        _ => {
            return Err(ParseFailure {
                spec: None,
                err: Errno::EINVAL,
                warning: None,
            })
        }
    };
    let mut spec = Spec::new(btf, root, kind);
    let fail = |spec: Spec<'a>, err: Errno| {
        Err(ParseFailure {
            spec: Some(spec),
            err,
            warning: None,
        })
    };

    if kind.is_type() {
        return if s == "0" {
            Ok(spec)
        } else {
            fail(spec, Errno::EINVAL)
        };
    }

    let mut rest = s.as_bytes();
    while !rest.is_empty() {
        if rest[0] == b':' {
            rest = &rest[1..];
        }
        let Some((idx, used)) = scan_int(rest) else {
            return fail(spec, Errno::EINVAL);
        };
        if spec.raw.len() == MAX_SPEC_LEN {
            return fail(spec, Errno::E2BIG);
        }
        rest = &rest[used..];
        spec.raw.push(idx as u32);
    }
    if spec.raw.is_empty() {
        return fail(spec, Errno::EINVAL);
    }

    let Some(_) = btf.type_by_id(root) else {
        return fail(spec, Errno::EINVAL);
    };
    let t = btf.skip_mods_and_typedefs(root);
    let mut id = t.id();
    let first = spec.raw[0];
    spec.access.push(Accessor {
        type_id: id,
        idx: first,
        name: None,
    });

    if kind.is_enumval() {
        // A negative index passes libbpf's signed `>= vlen` check and reads before the
        // enumerators: rejected here instead (a departure on input libbpf mishandles).
        if !t.kind().is_any_enum() || spec.raw.len() > 1 || first >= t.vlen() || negative(first) {
            return fail(spec, Errno::EINVAL);
        }
        let name = t.enum_value(first).map(|e| e.name).unwrap_or("");
        spec.access[0].name = Some(name);
        return Ok(spec);
    }
    if !kind.is_field() {
        return fail(spec, Errno::EINVAL);
    }

    let size = match btf.resolve_size(id) {
        Ok(s) => s,
        Err(e) => return fail(spec, Errno(e.errno())),
    };
    spec.bit_offset = i64::from(first)
        .wrapping_mul(i64::from(size))
        .wrapping_mul(8) as u32;

    for pos in 1..spec.raw.len() {
        let t = btf.skip_mods_and_typedefs(id);
        id = t.id();
        let idx = spec.raw[pos];
        if t.kind().is_composite() {
            // As for enumerators: libbpf would read the type's own header as member -1.
            if negative(idx) {
                return fail(spec, Errno::EINVAL);
            }
            let Some(m) = t.member(idx) else {
                return fail(spec, Errno::EINVAL);
            };
            spec.bit_offset = spec.bit_offset.wrapping_add(m.bit_offset);
            if m.name_off != 0 {
                if m.name.is_empty() {
                    return fail(spec, Errno::EINVAL);
                }
                spec.access.push(Accessor {
                    type_id: id,
                    idx,
                    name: Some(m.name),
                });
            }
            id = m.type_id;
        } else if t.kind() == Kind::ARRAY {
            let a = t.array();
            let elem = btf.skip_mods_and_typedefs(a.elem);
            id = elem.id();
            let flex = spec
                .access
                .last()
                .is_some_and(|prev| is_flex_array(btf, prev, a.nelems));
            if !flex && idx >= a.nelems {
                return fail(spec, Errno::EINVAL);
            }
            spec.access.push(Accessor {
                type_id: id,
                idx,
                name: None,
            });
            let size = match btf.resolve_size(id) {
                Ok(s) => s,
                Err(e) => return fail(spec, Errno(e.errno())),
            };
            spec.bit_offset = spec
                .bit_offset
                .wrapping_add(idx.wrapping_mul(size).wrapping_mul(8));
        } else {
            let warning =
                log::unexpected_kind_in_spec(prog, root, "", pos, id, t.kind().lower_name());
            return Err(ParseFailure {
                spec: Some(spec),
                err: Errno::EINVAL,
                warning: Some(Box::new(warning)),
            });
        }
    }
    Ok(spec)
}

/// Whether a raw index was negative in the access string.
fn negative(idx: u32) -> bool {
    (idx as i32) < 0
}

/// `is_flex_arr`: an array is flexible when it is reached through a named member that is the
/// last member of its struct, and has no elements.
pub(crate) fn is_flex_array(btf: &Btf, prev: &Accessor<'_>, nelems: u32) -> bool {
    if prev.name.is_none() || nelems > 0 {
        return false;
    }
    let vlen = btf.ty(prev.type_id).vlen();
    // libbpf compares with `btf_vlen(t) - 1` in int arithmetic: a vlen of 0 never matches.
    vlen > 0 && prev.idx == vlen - 1
}

/// glibc's `sscanf(s, "%d%n")`: optional white space, optional sign, decimal digits. The value
/// is read as a C `long` (saturating on overflow, like `strtol`) and then truncated to `int`.
/// Returns the value and the number of bytes consumed, or `None` if no digits were found.
pub(crate) fn scan_int(s: &[u8]) -> Option<(i32, usize)> {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits_start = i;
    let mut magnitude: u64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).filter(|c| c.is_ascii_digit()) {
        match magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(d - b'0')))
        {
            Some(m) => magnitude = m,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    let long: i64 = if negative {
        if overflow || magnitude > 1 << 63 {
            i64::MIN
        } else {
            (magnitude as i64).wrapping_neg()
        }
    } else if overflow || magnitude > i64::MAX as u64 {
        i64::MAX
    } else {
        magnitude as i64
    };
    Some((long as i32, i))
}
