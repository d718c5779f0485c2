//! Sizes, alignments and modifier skipping, with libbpf's exact rules and limits (§1.7).

use super::{Btf, Kind, Type, TypeId};

/// libbpf's `MAX_RESOLVE_DEPTH`.
pub const MAX_RESOLVE_DEPTH: usize = 32;

/// Why a size or alignment could not be computed (libbpf returns `-EINVAL` / `-E2BIG`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeError {
    /// void, FWD, FUNC, FUNC_PROTO or an unknown kind has no size; or too many steps (`-EINVAL`).
    Invalid,
    /// The size overflows 32 bits (`-E2BIG`).
    TooBig,
}

impl SizeError {
    /// The negative errno libbpf would return.
    pub fn errno(self) -> i32 {
        match self {
            SizeError::Invalid => -22,
            SizeError::TooBig => -7,
        }
    }
}

pub(super) fn skip_mods_and_typedefs(btf: &Btf, id: TypeId) -> Type<'_> {
    let mut t = btf.ty(id);
    // Reference loops are rejected at parse time, so this terminates; the bound is defensive.
    for _ in 0..btf.type_cnt() {
        if t.kind().is_modifier() || t.kind() == Kind::TYPEDEF {
            t = btf.ty(t.type_id());
        } else {
            break;
        }
    }
    t
}

pub(super) fn resolve_size(btf: &Btf, id: TypeId) -> Result<u32, SizeError> {
    let mut nelems: u64 = 1;
    let mut t = btf.ty(id);
    for _ in 0..MAX_RESOLVE_DEPTH {
        if t.is_void() {
            return Err(SizeError::Invalid);
        }
        let size = match t.kind() {
            Kind::INT
            | Kind::STRUCT
            | Kind::UNION
            | Kind::ENUM
            | Kind::ENUM64
            | Kind::DATASEC
            | Kind::FLOAT => u64::from(t.size()),
            Kind::PTR => u64::from(btf.ptr_size()),
            Kind::TYPEDEF
            | Kind::VOLATILE
            | Kind::CONST
            | Kind::RESTRICT
            | Kind::VAR
            | Kind::DECL_TAG
            | Kind::TYPE_TAG => {
                t = btf.ty(t.type_id());
                continue;
            }
            Kind::ARRAY => {
                let a = t.array();
                nelems *= u64::from(a.nelems);
                if nelems > u64::from(u32::MAX) {
                    return Err(SizeError::TooBig);
                }
                t = btf.ty(a.elem);
                continue;
            }
            _ => return Err(SizeError::Invalid),
        };
        let total = nelems * size;
        return u32::try_from(total).map_err(|_| SizeError::TooBig);
    }
    Err(SizeError::Invalid)
}

pub(super) fn align_of(btf: &Btf, id: TypeId) -> Result<u32, SizeError> {
    align_of_depth(btf, id, 0)
}

fn align_of_depth(btf: &Btf, id: TypeId, depth: usize) -> Result<u32, SizeError> {
    if depth > MAX_RESOLVE_DEPTH * 8 {
        return Err(SizeError::Invalid);
    }
    let t = btf.ty(id);
    match t.kind() {
        Kind::INT | Kind::ENUM | Kind::ENUM64 | Kind::FLOAT => Ok(btf.ptr_size().min(t.size())),
        Kind::PTR => Ok(btf.ptr_size()),
        Kind::VOLATILE | Kind::CONST | Kind::RESTRICT | Kind::TYPEDEF | Kind::TYPE_TAG => {
            align_of_depth(btf, t.type_id(), depth + 1)
        }
        Kind::ARRAY => align_of_depth(btf, t.array().elem, depth + 1),
        Kind::STRUCT | Kind::UNION => {
            let mut max = 1;
            for m in t.members() {
                let a = align_of_depth(btf, m.type_id, depth + 1)?;
                // libbpf returns the failing member's 0 ("unsupported kind") as is.
                if a == 0 {
                    return Ok(0);
                }
                max = max.max(a);
                if m.bitfield_size == 0 && m.bit_offset % (8 * a) != 0 {
                    return Ok(1);
                }
            }
            if !t.size().is_multiple_of(max) {
                return Ok(1);
            }
            Ok(max)
        }
        // libbpf warns "unsupported BTF_KIND" and returns 0 (void, FWD, FUNC_PROTO, ...).
        _ => Ok(0),
    }
}

/// libbpf's pointer-size guess: the size of the first INT named like `long` with size 4 or 8;
/// 8 if there is none (libbpf would use the host's; every real bpftool host has 8).
pub(super) fn guess_ptr_size(btf: &Btf) -> u32 {
    const LONG_NAMES: [&str; 11] = [
        "long",
        "long int",
        "int long",
        "unsigned long",
        "long unsigned",
        "unsigned long int",
        "unsigned int long",
        "long unsigned int",
        "long int unsigned",
        "int unsigned long",
        "int long unsigned",
    ];
    btf.ids()
        .map(|id| btf.ty(id))
        .find(|t| {
            t.kind() == Kind::INT && matches!(t.size(), 4 | 8) && LONG_NAMES.contains(&t.name())
        })
        .map_or(8, |t| t.size())
}
