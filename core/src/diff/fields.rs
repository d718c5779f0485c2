//! The fields of a struct or union as a reader of the C source sees them.
//!
//! Members of an anonymous struct/union member are lifted into their container, since C (and
//! CO-RE) reach them as `x->field`; a named member whose type is an anonymous struct/union is
//! listed itself and its members follow under a dotted path (`u.a`). Offsets are from the start
//! of the outermost type. Unnamed non-composite members (bitfield padding) are left out.
//!
//! Bounded: nesting deeper than [`MAX_NESTING`] is not expanded, and expansion stops after
//! [`MAX_FIELDS`] fields (hostile BTF can nest one anonymous struct many times).

use crate::btf::{Btf, Type, TypeId};

use super::describe::type_string;

/// Deepest anonymous/nested struct expansion.
pub const MAX_NESTING: u32 = 16;
/// Most fields produced by expansion for one type.
pub const MAX_FIELDS: usize = 1 << 16;

/// One field: where it is, how big, of what type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// Name, or dotted path for members of named anonymous-typed members (`u.a`).
    pub path: String,
    /// Bit offset from the start of the outermost type.
    pub bit_offset: u32,
    /// Size in bits: the bitfield width, or 8 × the type's size (0 if it has none).
    pub bit_size: u32,
    /// Whether this is a bitfield.
    pub bitfield: bool,
    /// The type, spelled as C ([`super::type_string`]).
    pub ty: String,
}

impl Field {
    /// The part of the path before the last `.` (`""` at top level).
    pub fn container(&self) -> &str {
        self.path.rsplit_once('.').map_or("", |(c, _)| c)
    }

    /// The last component of the path.
    pub fn leaf(&self) -> &str {
        self.path.rsplit_once('.').map_or(&self.path, |(_, l)| l)
    }

    /// Whether offset and size are whole bytes (not a bitfield, byte-aligned).
    pub fn is_byte_aligned(&self) -> bool {
        !self.bitfield && self.bit_offset.is_multiple_of(8) && self.bit_size.is_multiple_of(8)
    }
}

/// The fields of the STRUCT or UNION `t` (empty for other kinds).
pub fn fields_of(btf: &Btf, t: &Type<'_>) -> Vec<Field> {
    fields_of_with(btf, t, &mut |id| type_string(btf, id))
}

/// [`fields_of`] with the member types spelled by `spell` (a caller spelling every struct
/// of a kernel memoises it: members share few types).
pub fn fields_of_with(
    btf: &Btf,
    t: &Type<'_>,
    spell: &mut dyn FnMut(TypeId) -> String,
) -> Vec<Field> {
    let mut out = Vec::with_capacity(t.vlen() as usize);
    collect(btf, t, "", 0, 0, spell, &mut out);
    out
}

fn collect(
    btf: &Btf,
    t: &Type<'_>,
    prefix: &str,
    base_bits: u32,
    depth: u32,
    spell: &mut dyn FnMut(TypeId) -> String,
    out: &mut Vec<Field>,
) {
    for m in t.members() {
        let bit_offset = base_bits.saturating_add(m.bit_offset);
        let inner = skip_mods(btf, m.type_id);
        let expandable = inner.kind().is_composite()
            && !inner.is_named()
            && depth < MAX_NESTING
            && out.len() < MAX_FIELDS;
        if m.name.is_empty() {
            if expandable {
                collect(btf, &inner, prefix, bit_offset, depth + 1, spell, out);
            }
            continue;
        }
        let path = if prefix.is_empty() {
            m.name.to_owned()
        } else {
            format!("{prefix}.{}", m.name)
        };
        let bit_size = if m.bitfield_size != 0 {
            m.bitfield_size
        } else {
            btf.resolve_size(m.type_id)
                .map_or(0, |s| s.saturating_mul(8))
        };
        out.push(Field {
            path,
            bit_offset,
            bit_size,
            bitfield: m.bitfield_size != 0,
            ty: spell(m.type_id),
        });
        if expandable {
            let path = out.last().map(|f| f.path.clone()).unwrap_or_default();
            collect(btf, &inner, &path, bit_offset, depth + 1, spell, out);
        }
    }
}

/// The first type from `id` that is not a modifier (CONST, VOLATILE, RESTRICT, TYPE_TAG).
fn skip_mods(btf: &Btf, id: TypeId) -> Type<'_> {
    let mut t = btf.ty(id);
    for _ in 0..super::describe::MAX_DEPTH {
        if !t.kind().is_modifier() {
            break;
        }
        t = btf.ty(t.type_id());
    }
    t
}
