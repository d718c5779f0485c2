//! What changed between two BTFs, and one type's fields across many.
//!
//! [`diff`] matches the named structs, unions, enums, typedefs and funcs of two BTFs by kind
//! and essential name (so `task_struct___old` pairs with `task_struct`) and reports each as
//! added, removed or changed, field by field. [`history`] follows one struct or union through
//! several BTFs (kernels in release order, say) and lays its fields out as a table, following
//! renames. Both return data; [`text`] renders it for the terminal.
//!
//! Types are compared structurally through a readable spelling ([`type_string`]): a field is
//! retyped when `struct mm_struct *` became something else, whatever the type ids.
//!
//! Outline of [`diff`]:
//! 1. group the named types of both sides by (class, essential name) — `matching.rs`;
//! 2. in each group, pair old with new: exact names first, then the most similar shapes, ties
//!    broken by id; what stays unpaired is added or removed;
//! 3. compare each pair's shapes — `compare.rs`: for structs and unions, pair the fields by
//!    path, then by a name that differs only in leading/trailing underscores (`state` →
//!    `__state`), then by identical offset, size and type; an old field whose name is the
//!    prefix of new fields (`i_atime` → `i_atime_sec`, `i_atime_nsec`) is reported replaced;
//! 4. order the result by class, name and ids.
//!
//! Anonymous types are not matched on their own: they are compared where they are used (a
//! member of an anonymous union is a field of its container).

mod compare;
mod describe;
mod fields;
mod history;
mod matching;
pub mod text;

pub use describe::{func_signature, type_pieces, type_string, Piece};
pub use fields::{fields_of, fields_of_with, Field};
pub use history::{history, History, HistoryRow, HistoryType, Replacement};

use crate::btf::{Btf, Kind, TypeId};

/// The kinds of types the diff matches and compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeClass {
    /// STRUCT.
    Struct,
    /// UNION.
    Union,
    /// ENUM or ENUM64.
    Enum,
    /// TYPEDEF.
    Typedef,
    /// FUNC.
    Func,
}

impl TypeClass {
    /// Every class, in report order.
    pub const ALL: [TypeClass; 5] = [
        TypeClass::Struct,
        TypeClass::Union,
        TypeClass::Enum,
        TypeClass::Typedef,
        TypeClass::Func,
    ];

    /// The class of a kind, if the diff compares that kind.
    pub fn of(kind: Kind) -> Option<TypeClass> {
        Some(match kind {
            Kind::STRUCT => TypeClass::Struct,
            Kind::UNION => TypeClass::Union,
            Kind::ENUM | Kind::ENUM64 => TypeClass::Enum,
            Kind::TYPEDEF => TypeClass::Typedef,
            Kind::FUNC => TypeClass::Func,
            _ => return None,
        })
    }

    /// The C keyword (`struct`, `union`, `enum`, `typedef`) or `func`.
    pub fn keyword(self) -> &'static str {
        match self {
            TypeClass::Struct => "struct",
            TypeClass::Union => "union",
            TypeClass::Enum => "enum",
            TypeClass::Typedef => "typedef",
            TypeClass::Func => "func",
        }
    }
}

/// What to compare.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Only types whose essential name is this name's essential name.
    pub only: Option<String>,
    /// List unchanged pairs too (they are always counted).
    pub keep_unchanged: bool,
}

/// The result of [`diff`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtfDiff {
    /// Per class, in [`TypeClass::ALL`] order.
    pub counts: Vec<ClassCounts>,
    /// The types that differ (and unchanged ones if asked), ordered by class, name and ids.
    pub types: Vec<TypeDiff>,
}

impl BtfDiff {
    /// Whether nothing was added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.counts
            .iter()
            .all(|c| c.added == 0 && c.removed == 0 && c.changed == 0)
    }
}

/// How many types of one class were added, removed, changed or left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassCounts {
    /// The class counted.
    pub class: TypeClass,
    /// Only in the new BTF.
    pub added: u32,
    /// Only in the old BTF.
    pub removed: u32,
    /// Paired and different.
    pub changed: u32,
    /// Paired and identical.
    pub unchanged: u32,
}

/// One side of a type pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    /// Its id in its BTF.
    pub id: TypeId,
    /// Its full name (flavor suffix included).
    pub name: String,
    /// Its size in bytes (structs, unions, enums; 0 for the others).
    pub size: u32,
}

/// One type's fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDiff {
    /// Its class.
    pub class: TypeClass,
    /// The name the report goes by: the new name, or the old one if removed.
    pub name: String,
    /// The old type, unless added.
    pub old: Option<TypeRef>,
    /// The new type, unless removed.
    pub new: Option<TypeRef>,
    /// What changed, if it is in both.
    pub changes: Changes,
}

impl TypeDiff {
    /// Added, removed, changed or unchanged.
    pub fn status(&self) -> Status {
        match (&self.old, &self.new) {
            (None, _) => Status::Added,
            (_, None) => Status::Removed,
            _ if self.changes.is_empty() => Status::Unchanged,
            _ => Status::Changed,
        }
    }
}

/// Whether a type was added, removed, changed or left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Only in the new BTF.
    Added,
    /// Only in the old BTF.
    Removed,
    /// In both, different.
    Changed,
    /// In both, the same.
    Unchanged,
}

/// The differences of a pair of types; only the parts that apply to its class are filled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Size in bytes (struct, union, enum): old, new.
    pub size: Option<(u32, u32)>,
    /// Enum signedness: old, new.
    pub signed: Option<(bool, bool)>,
    /// Field changes (struct, union) in the new type's order; a field that is gone follows
    /// the surviving field that preceded it in the old type.
    pub fields: Vec<FieldChange>,
    /// Enumerator changes, in new-then-old declaration order.
    pub enumerators: Vec<EnumeratorChange>,
    /// Typedef target, spelled: old, new.
    pub target: Option<(String, String)>,
    /// Func prototype with names: old, new.
    pub signature: Option<(String, String)>,
}

impl Changes {
    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self == &Changes::default()
    }
}

/// Why two differently named fields were taken for the same field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenameEvidence {
    /// The names differ only in leading/trailing underscores (`state` → `__state`).
    SimilarName,
    /// Same container, offset, size and type.
    SameLayout,
}

/// One field's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldChange {
    /// Only in the new type.
    Added(Field),
    /// Only in the old type.
    Removed(Field),
    /// The same field, moved, resized, retyped and/or renamed (`renamed` says why).
    Changed {
        /// The field in the old type.
        old: Field,
        /// The field in the new type.
        new: Field,
        /// Set when the names differ.
        renamed: Option<RenameEvidence>,
    },
    /// An old field gone, new fields named after it (`i_atime` → `i_atime_sec`, `i_atime_nsec`).
    Replaced {
        /// The field in the old type.
        old: Field,
        /// The new fields whose names extend the old name.
        by: Vec<Field>,
    },
}

/// One enumerator's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumeratorChange {
    /// Only in the new enum.
    Added {
        /// Its name.
        name: String,
        /// Its value.
        value: i128,
    },
    /// Only in the old enum.
    Removed {
        /// Its name.
        name: String,
        /// Its value.
        value: i128,
    },
    /// In both with different values.
    Revalued {
        /// Its name.
        name: String,
        /// The old value.
        old: i128,
        /// The new value.
        new: i128,
    },
}

/// Compares the named structs, unions, enums, typedefs and funcs of `old` and `new`. Split BTF
/// is compared with its base's types, unless both sides are split over the same base (one
/// `Arc`), whose types are then left out.
pub fn diff(old: &Btf, new: &Btf, opts: &DiffOptions) -> BtfDiff {
    let filter = opts.only.as_deref().map(crate::btf::essential_name);
    let groups = matching::groups(old, new, filter);
    let mut counts: Vec<ClassCounts> = TypeClass::ALL
        .iter()
        .map(|&class| ClassCounts {
            class,
            added: 0,
            removed: 0,
            changed: 0,
            unchanged: 0,
        })
        .collect();
    let mut types = Vec::new();
    for ((class, _), (olds, news)) in groups {
        for td in matching::diff_group(old, new, class, &olds, &news) {
            let c = &mut counts[class as usize];
            match td.status() {
                Status::Added => c.added += 1,
                Status::Removed => c.removed += 1,
                Status::Changed => c.changed += 1,
                Status::Unchanged => c.unchanged += 1,
            }
            if opts.keep_unchanged || td.status() != Status::Unchanged {
                types.push(td);
            }
        }
    }
    let id_of = |r: &Option<TypeRef>| r.as_ref().map(|r| r.id);
    types.sort_by(|a, b| {
        (a.class, &a.name, id_of(&a.old), id_of(&a.new)).cmp(&(
            b.class,
            &b.name,
            id_of(&b.old),
            id_of(&b.new),
        ))
    });
    BtfDiff { counts, types }
}

#[cfg(test)]
mod tests;
