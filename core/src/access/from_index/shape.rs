//! What a member's type is, read from its C spelling in the index (`unsigned int`,
//! `struct sk_buff *`, `u8[16]`, `struct {...}`) with typedef names followed through the
//! build's own facts; and whether libbpf would call a local member type compatible with it
//! (`bpf_core_fields_are_compat`, which looks only at kinds, enum names and array
//! elements). Every reading that is not plain returns `None`: the caller falls back.

use crate::btf::{essential_name, Btf, Kind, TypeId};
use crate::catalog::Fact;

use super::lookup::Lookup;

/// Most typedefs followed for one spelling (kernel chains are 2–3 long).
const MAX_TYPEDEFS: usize = 16;

/// A target type as far as field relocations care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Shape {
    /// A struct or union; `None`: anonymous (`struct {...}`).
    Composite(Kind, Option<String>),
    /// An enum (either width); its name (`None`: anonymous) and size when the build says.
    Enum(Option<String>, Option<u32>),
    /// An integer of that many bytes.
    Int(u32),
    /// A floating-point type.
    Float,
    /// A pointer (function pointers included).
    Ptr,
    /// An array: element spelling, element count.
    Array(String, u32),
}

/// Qualifiers before or after a spelling change neither kind nor layout.
fn unqualified(mut s: &str) -> &str {
    loop {
        s = s.trim();
        if let Some(r) = s
            .strip_prefix("const ")
            .or_else(|| s.strip_prefix("volatile "))
        {
            s = r;
            continue;
        }
        if let Some(r) = s
            .strip_suffix(" const")
            .or_else(|| s.strip_suffix(" volatile"))
            .or_else(|| s.strip_suffix(" restrict"))
        {
            s = r;
            continue;
        }
        return s;
    }
}

/// The shape of `spelling` in the lookup's build.
pub(super) fn shape(look: &mut Lookup<'_>, spelling: &str) -> Option<Shape> {
    let mut s = unqualified(spelling).to_owned();
    for _ in 0..MAX_TYPEDEFS {
        if let Some(open) = s.find('(') {
            // `long (*)(int)`, `int (**)[4]`: a pointer when the first parenthesis holds
            // only stars; anything else (`void (*[4])(int)`) is not read here.
            let inner = &s[open + 1..];
            let stars = inner.len() - inner.trim_start_matches('*').len();
            return (stars > 0 && inner[stars..].starts_with(')')).then_some(Shape::Ptr);
        }
        if s.ends_with(']') {
            let open = s.find('[')?;
            let close = open + s[open..].find(']')?;
            let nelems: u32 = s[open + 1..close].parse().ok()?;
            let elem = format!("{}{}", s[..open].trim_end(), &s[close + 1..]);
            return Some(Shape::Array(elem, nelems));
        }
        if s.ends_with('*') {
            return Some(Shape::Ptr);
        }
        let tagged = |tag: &str| {
            s.strip_prefix(tag)
                .map(|n| (n != "{...}").then(|| n.to_owned()))
        };
        if let Some(name) = tagged("struct ") {
            return Some(Shape::Composite(Kind::STRUCT, name));
        }
        if let Some(name) = tagged("union ") {
            return Some(Shape::Composite(Kind::UNION, name));
        }
        if let Some(name) = tagged("enum ") {
            let size = match &name {
                Some(n) => match look.one_type(n, &|k| k.is_any_enum())? {
                    Some(Fact::Type { size, .. }) => size,
                    _ => None,
                },
                None => None,
            };
            return Some(Shape::Enum(name, size));
        }
        // A name: an integer, a float, or a typedef, which is followed.
        let fact = look.one_type(&s, &|k| {
            matches!(k, Kind::INT | Kind::FLOAT | Kind::TYPEDEF)
        })??;
        let Fact::Type {
            kind,
            size,
            spelling,
        } = fact
        else {
            return None;
        };
        match kind {
            Kind::INT => return Some(Shape::Int(size?)),
            Kind::FLOAT => return Some(Shape::Float),
            _ => s = unqualified(&spelling).to_owned(),
        }
    }
    None
}

/// Whether libbpf finds local type `local_id` compatible with the target type spelled
/// `spelling`: `true` only when it surely does. Integers are compatible unless one
/// has a bit offset in its encoding (an old producer's bitfield); the index does not hold
/// the target's, which no kernel BTF of the catalogue's era sets.
pub(super) fn surely_compatible(
    look: &mut Lookup<'_>,
    local: &Btf,
    local_id: TypeId,
    spelling: &str,
) -> bool {
    let mut local_id = local_id;
    let mut spelling = spelling.to_owned();
    for _ in 0..MAX_TYPEDEFS {
        let l = local.skip_mods_and_typedefs(local_id);
        let Some(target) = shape(look, &spelling) else {
            return false;
        };
        let ok = match (l.kind(), target) {
            (k, Shape::Composite(..)) if k.is_composite() => true,
            (Kind::PTR, Shape::Ptr) | (Kind::FLOAT, Shape::Float) => true,
            (Kind::INT, Shape::Int(_)) => l.int_info().offset == 0,
            (k, Shape::Enum(name, _)) if k.is_any_enum() => {
                let ln = essential_name(l.name());
                match name {
                    None => true,
                    Some(n) => ln.is_empty() || essential_name(&n) == ln,
                }
            }
            (Kind::ARRAY, Shape::Array(elem, _)) => {
                local_id = l.array().elem;
                spelling = elem;
                continue;
            }
            _ => false,
        };
        return ok;
    }
    false
}
