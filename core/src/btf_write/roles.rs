//! What each 32-bit word of a type record holds, per kind: one table, used to remap string
//! offsets and type ids when a record is copied into another blob (libbpf walks the same
//! facts in `btf_type_visit_type_ids` and `btf_type_visit_str_offs`).

use crate::btf::{Kind, Type, TypeId};

/// The meaning of one word of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    /// A string offset (a name).
    Str,
    /// A type id.
    Type,
    /// Anything else (sizes, offsets, values, encodings): copied as is.
    Data,
}

use Word::{Data, Str, Type as Id};

/// The roles of a known kind's words after `name_off` and `info`: the `size`/`type` word,
/// the singular trailer, and each vlen element. `None` for kinds outside the table (those
/// described only by a layout section), whose words are opaque.
pub fn record_roles(kind: Kind) -> Option<(Word, &'static [Word], &'static [Word])> {
    Some(match kind {
        Kind::UNKN | Kind::FWD => (Data, &[], &[]),
        Kind::INT => (Data, &[Data], &[]),
        Kind::FLOAT => (Data, &[], &[]),
        Kind::PTR
        | Kind::TYPEDEF
        | Kind::VOLATILE
        | Kind::CONST
        | Kind::RESTRICT
        | Kind::FUNC
        | Kind::TYPE_TAG => (Id, &[], &[]),
        Kind::ARRAY => (Data, &[Id, Id, Data], &[]),
        Kind::STRUCT | Kind::UNION => (Data, &[], &[Str, Id, Data]),
        Kind::ENUM => (Data, &[], &[Str, Data]),
        Kind::ENUM64 => (Data, &[], &[Str, Data, Data]),
        Kind::FUNC_PROTO => (Id, &[], &[Str, Id]),
        Kind::VAR | Kind::DECL_TAG => (Id, &[Data], &[]),
        Kind::DATASEC => (Data, &[], &[Id, Data, Data]),
        _ => return None,
    })
}

/// The role of word `i` (0 = `name_off`) of a record of `kind`; `None` for opaque words of
/// kinds outside the table.
pub fn word_role(kind: Kind, i: usize) -> Option<Word> {
    match i {
        0 => return Some(Str),
        1 => return Some(Data),
        _ => {}
    }
    let (size_type, singular, elem) = record_roles(kind)?;
    if i == 2 {
        return Some(size_type);
    }
    let j = i - 3;
    if j < singular.len() {
        return Some(singular[j]);
    }
    if elem.is_empty() {
        return Some(Data);
    }
    Some(elem[(j - singular.len()) % elem.len()])
}

/// The type ids `t` refers to, in record order (void included where it is written).
pub fn referenced_ids<'a>(t: &Type<'a>) -> impl Iterator<Item = TypeId> + 'a {
    let kind = t.kind();
    let known = record_roles(kind).is_some();
    t.words()
        .iter()
        .enumerate()
        .filter(move |&(i, _)| known && word_role(kind, i) == Some(Id))
        .map(|(_, &w)| TypeId(w))
}
