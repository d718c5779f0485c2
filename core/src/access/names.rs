//! The names C code compiled against a kernel's `vmlinux.h` uses for the kernel's types.
//!
//! Mostly the BTF names. Where several types share a name, the header prints the later ones
//! as `name___N`, in the order it emits them, and so does clang's object BTF; the same goes
//! for enumerators. Finding out needs the header's emission order, so it is computed only
//! when a name that has duplicates is looked up or printed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::btf::{Btf, Kind, TypeId};
use crate::header::{self, Profile, Suffixes};

/// The compiled-against kernel: its BTF, and its types by the names `vmlinux.h` gives them.
/// Built once per kernel; every question about it shares it (and the header pass that
/// duplicated names need, done at most once).
#[derive(Debug)]
pub struct Local {
    btf: Arc<Btf>,
    profile: Profile,
    suffixes: OnceLock<Suffixes>,
    /// How many enumerators have each name (up to 2), built on first use.
    enumerators: OnceLock<HashMap<String, u8>>,
}

/// A tag namespace lookup: what kind of type the keyword names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// `struct`.
    Struct,
    /// `union`.
    Union,
    /// `enum` (ENUM or ENUM64).
    Enum,
}

impl Tag {
    fn matches(self, k: Kind) -> bool {
        match self {
            Tag::Struct => k == Kind::STRUCT,
            Tag::Union => k == Kind::UNION,
            Tag::Enum => k.is_any_enum(),
        }
    }
}

/// Kinds whose names share the header's type-name counter.
fn counted_as_type_name(k: Kind) -> bool {
    matches!(
        k,
        Kind::STRUCT | Kind::UNION | Kind::ENUM | Kind::ENUM64 | Kind::INT
    )
}

/// `name___N` → (`name`, N) for N ≥ 2.
fn split_suffix(name: &str) -> Option<(&str, u32)> {
    let (base, n) = name.rsplit_once("___")?;
    if base.is_empty() || n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = n.parse().ok()?;
    (n >= 2).then_some((base, n))
}

impl Local {
    /// `btf`, with names as `vmlinux.h` in `profile` prints them.
    pub fn new(btf: Arc<Btf>, profile: Profile) -> Self {
        Local {
            btf,
            profile,
            suffixes: OnceLock::new(),
            enumerators: OnceLock::new(),
        }
    }

    /// The kernel BTF.
    pub fn btf(&self) -> &Arc<Btf> {
        &self.btf
    }

    fn suffixes(&self) -> &Suffixes {
        self.suffixes.get_or_init(|| {
            let opts = header::Options {
                profile: self.profile,
                roots: Vec::new(),
            };
            // A header that cannot be generated (a by-value cycle) keeps plain names.
            header::suffixes(&self.btf, &opts).unwrap_or_default()
        })
    }

    /// Whether another type shares `id`'s name in the header's counter of its namespace.
    fn is_duplicated(&self, id: TypeId) -> bool {
        let btf = &*self.btf;
        let t = btf.ty(id);
        if t.name().is_empty() {
            return false;
        }
        let typedef = t.kind() == Kind::TYPEDEF;
        if !typedef && !counted_as_type_name(t.kind()) {
            return false;
        }
        btf.find_by_name(t.name()).any(|o| {
            o != id && {
                let k = btf.ty(o).kind();
                if typedef {
                    k == Kind::TYPEDEF
                } else {
                    counted_as_type_name(k)
                }
            }
        })
    }

    /// The suffix `id` prints with (1: none).
    fn dup_of(&self, id: TypeId) -> u32 {
        if !self.is_duplicated(id) {
            return 1;
        }
        self.suffixes().types.get(&id.0).copied().unwrap_or(1)
    }

    /// The name type `id` has in `vmlinux.h` (its BTF name, or `name___N`).
    pub fn type_name(&self, id: TypeId) -> Cow<'_, str> {
        let name = self.btf.ty(id).name();
        match self.dup_of(id) {
            1 => Cow::Borrowed(name),
            n => Cow::Owned(format!("{name}___{n}")),
        }
    }

    /// The name enumerator `idx` of enum `id` has in `vmlinux.h`.
    pub fn enumerator_name(&self, id: TypeId, idx: u32) -> Cow<'_, str> {
        let t = self.btf.ty(id);
        let Some(e) = t.enum_value(idx) else {
            return Cow::Borrowed("");
        };
        // Enumerator names share one counter with typedef names.
        let duplicated = self.enumerator_count(e.name) > 1
            || self
                .btf
                .find_by_name(e.name)
                .any(|o| self.btf.ty(o).kind() == Kind::TYPEDEF);
        if !duplicated {
            return Cow::Borrowed(e.name);
        }
        match self.suffixes().enumerators.get(&(id.0, idx)) {
            Some(&n) if n > 1 => Cow::Owned(format!("{}___{n}", e.name)),
            _ => Cow::Borrowed(e.name),
        }
    }

    /// How many enumerators are named `name` in the whole kernel (counted up to 2).
    fn enumerator_count(&self, name: &str) -> usize {
        let counts = self.enumerators.get_or_init(|| {
            let mut m: HashMap<String, u8> = HashMap::new();
            for id in self.btf.ids() {
                let t = self.btf.ty(id);
                if t.kind().is_any_enum() {
                    for e in t.enum_values() {
                        let c = m.entry(e.name.to_owned()).or_insert(0);
                        *c = c.saturating_add(1).min(2);
                    }
                }
            }
            m
        });
        counts.get(name).map_or(0, |&c| usize::from(c))
    }

    /// The type `vmlinux.h` calls `tag NAME`.
    pub fn find_tag(&self, tag: Tag, name: &str) -> Option<TypeId> {
        let btf = &*self.btf;
        let direct = btf
            .find_by_name(name)
            .filter(|&id| tag.matches(btf.ty(id).kind()))
            .find(|&id| self.dup_of(id) == 1);
        if direct.is_some() {
            return direct;
        }
        let (base, n) = split_suffix(name)?;
        btf.find_by_name(base)
            .filter(|&id| tag.matches(btf.ty(id).kind()))
            .find(|&id| self.dup_of(id) == n)
    }

    /// The typedef `vmlinux.h` calls `name`.
    pub fn find_typedef(&self, name: &str) -> Option<TypeId> {
        let btf = &*self.btf;
        let direct = btf
            .find_by_name(name)
            .filter(|&id| btf.ty(id).kind() == Kind::TYPEDEF)
            .find(|&id| self.dup_of(id) == 1);
        if direct.is_some() {
            return direct;
        }
        let (base, n) = split_suffix(name)?;
        btf.find_by_name(base)
            .filter(|&id| btf.ty(id).kind() == Kind::TYPEDEF)
            .find(|&id| self.dup_of(id) == n)
    }

    /// The index of the enumerator `vmlinux.h` calls `name` in enum `id`.
    pub fn find_enumerator_in(&self, id: TypeId, name: &str) -> Option<u32> {
        let t = self.btf.ty(id);
        let base = split_suffix(name).map_or(name, |(b, _)| b);
        t.enum_values()
            .filter(|e| e.name == name || e.name == base)
            .find(|e| self.enumerator_name(id, e.index) == name)
            .map(|e| e.index)
    }

    /// Whether `name` is an enumerator constant anywhere in the kernel.
    pub fn is_enumerator(&self, name: &str) -> bool {
        let base = split_suffix(name).map_or(name, |(b, _)| b);
        self.enumerator_count(base) > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::BtfBuilder;

    #[test]
    fn suffixes_follow_the_header() {
        let mut b = BtfBuilder::new();
        let int = b.int("int", 4, 1);
        let a = b.struct_("slot", 4, &[("a", int, 0, 0)]);
        let c = b.struct_("slot", 8, &[("b", int, 0, 0), ("c", int, 32, 0)]);
        let e1 = b.enum_("e1", 4, false, &[("X", 1)]);
        let e2 = b.enum_("e2", 4, false, &[("X", 2)]);
        let btf = Btf::parse(&b.encode(&Default::default())).unwrap();
        let names = Local::new(Arc::new(btf), Profile::Bpftool71);
        assert_eq!(names.find_tag(Tag::Struct, "slot"), Some(a));
        assert_eq!(names.find_tag(Tag::Struct, "slot___2"), Some(c));
        assert_eq!(names.type_name(c), "slot___2");
        assert_eq!(names.find_tag(Tag::Union, "slot"), None);
        assert_eq!(names.enumerator_name(e2, 0), "X___2");
        assert_eq!(names.find_enumerator_in(e2, "X___2"), Some(0));
        assert_eq!(names.find_enumerator_in(e1, "X"), Some(0));
        assert_eq!(names.find_enumerator_in(e2, "X"), None);
        assert!(names.is_enumerator("X___2"));
    }
}
