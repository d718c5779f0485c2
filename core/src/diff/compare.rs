//! Comparing two types of the same class: their shapes (what the diff looks at), how similar
//! two shapes are (to pair duplicates), and what changed between them.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::Hash;

use crate::btf::{Btf, Kind, TypeId};

use super::describe::{func_signature, type_string};
use super::fields::{fields_of, Field};
use super::{Changes, EnumeratorChange, FieldChange, RenameEvidence};

/// What the diff compares of one type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A struct or union: its size and its fields.
    Composite { size: u32, fields: Vec<Field> },
    /// An enum: size, signedness, enumerators with their values.
    Enum {
        size: u32,
        signed: bool,
        values: Vec<(String, i128)>,
    },
    /// A typedef: its target, spelled.
    Typedef(String),
    /// A func: its prototype with names.
    Func(String),
    /// Anything else (never compared).
    Other,
}

impl Shape {
    /// The shape of type `id`.
    pub(crate) fn of(btf: &Btf, id: TypeId) -> Shape {
        let t = btf.ty(id);
        match t.kind() {
            Kind::STRUCT | Kind::UNION => Shape::Composite {
                size: t.size(),
                fields: fields_of(btf, &t),
            },
            Kind::ENUM | Kind::ENUM64 => {
                let signed = t.kflag();
                let values = t
                    .enum_values()
                    .map(|v| {
                        let value = match (v.is64, signed) {
                            (false, true) => i128::from(v.lo as i32),
                            (false, false) => i128::from(v.lo),
                            (true, true) => i128::from(v.raw() as i64),
                            (true, false) => i128::from(v.raw()),
                        };
                        (v.name.to_owned(), value)
                    })
                    .collect();
                Shape::Enum {
                    size: t.size(),
                    signed,
                    values,
                }
            }
            Kind::TYPEDEF => Shape::Typedef(type_string(btf, t.type_id())),
            Kind::FUNC => Shape::Func(func_signature(btf, &t)),
            _ => Shape::Other,
        }
    }

    /// How much two shapes have in common (higher is more alike): identical fields or
    /// enumerators, plus one for an equal size; 1 for identical typedefs and funcs.
    pub(crate) fn similarity(&self, other: &Shape) -> u32 {
        match (self, other) {
            (
                Shape::Composite {
                    size: s1,
                    fields: f1,
                },
                Shape::Composite {
                    size: s2,
                    fields: f2,
                },
            ) => {
                let set: HashSet<&Field> = f1.iter().collect();
                2 * f2.iter().filter(|f| set.contains(f)).count() as u32 + u32::from(s1 == s2)
            }
            (
                Shape::Enum {
                    size: s1,
                    values: v1,
                    ..
                },
                Shape::Enum {
                    size: s2,
                    values: v2,
                    ..
                },
            ) => {
                let set: HashSet<&(String, i128)> = v1.iter().collect();
                2 * v2.iter().filter(|v| set.contains(v)).count() as u32 + u32::from(s1 == s2)
            }
            (a, b) => u32::from(a == b),
        }
    }
}

/// What changed from `old` to `new` (shapes of the same class).
pub(crate) fn changes(old: &Shape, new: &Shape) -> Changes {
    let mut c = Changes::default();
    match (old, new) {
        (
            Shape::Composite {
                size: s1,
                fields: f1,
            },
            Shape::Composite {
                size: s2,
                fields: f2,
            },
        ) => {
            if s1 != s2 {
                c.size = Some((*s1, *s2));
            }
            c.fields = field_changes(f1, f2);
        }
        (
            Shape::Enum {
                size: s1,
                signed: g1,
                values: v1,
            },
            Shape::Enum {
                size: s2,
                signed: g2,
                values: v2,
            },
        ) => {
            if s1 != s2 {
                c.size = Some((*s1, *s2));
            }
            if g1 != g2 {
                c.signed = Some((*g1, *g2));
            }
            c.enumerators = enumerator_changes(v1, v2);
        }
        (Shape::Typedef(a), Shape::Typedef(b)) if a != b => {
            c.target = Some((a.clone(), b.clone()));
        }
        (Shape::Func(a), Shape::Func(b)) if a != b => {
            c.signature = Some((a.clone(), b.clone()));
        }
        _ => {}
    }
    c
}

/// How the fields of two versions of a type correspond (indexes into the two field lists).
#[derive(Debug, Default)]
pub(crate) struct FieldPairs {
    /// (old, new, why the names differ if they do), in old order within each step.
    pub pairs: Vec<(usize, usize, Option<RenameEvidence>)>,
    /// An old field and the new fields named after it.
    pub replaced: Vec<(usize, Vec<usize>)>,
    /// Old fields with no counterpart.
    pub removed: Vec<usize>,
    /// New fields with no counterpart.
    pub added: Vec<usize>,
}

/// Pairs the fields of two versions of a type.
///
/// 1. same path (duplicates in order);
/// 2. same container, names equal once leading/trailing underscores are trimmed;
/// 3. same container, offset, size and type;
/// 4. an old field whose (underscore-trimmed) name followed by `_` starts the names of new
///    fields of the same container is replaced by them;
/// 5. the rest is removed or added.
pub(crate) fn pair_fields(old: &[Field], new: &[Field]) -> FieldPairs {
    let mut p = Pairing {
        old,
        new,
        old_done: vec![false; old.len()],
        new_done: vec![false; new.len()],
        out: FieldPairs::default(),
    };
    p.pair_by(|f| Some(f.path.as_str()), None);
    p.pair_by(
        |f| {
            let core = f.leaf().trim_matches('_');
            (!core.is_empty()).then_some((f.container(), core))
        },
        Some(RenameEvidence::SimilarName),
    );
    p.pair_by(
        |f| Some((f.container(), f.bit_offset, f.bit_size, f.ty.as_str())),
        Some(RenameEvidence::SameLayout),
    );
    p.find_replacements();
    let Pairing {
        old_done,
        new_done,
        mut out,
        ..
    } = p;
    out.removed = (0..old.len()).filter(|&i| !old_done[i]).collect();
    out.added = (0..new.len()).filter(|&i| !new_done[i]).collect();
    out
}

struct Pairing<'f> {
    old: &'f [Field],
    new: &'f [Field],
    old_done: Vec<bool>,
    new_done: Vec<bool>,
    out: FieldPairs,
}

impl<'f> Pairing<'f> {
    /// Pairs still-unpaired fields with equal keys, first come first served.
    fn pair_by<K: Hash + Eq>(
        &mut self,
        key: impl Fn(&'f Field) -> Option<K>,
        evidence: Option<RenameEvidence>,
    ) {
        let (old, new) = (self.old, self.new);
        let mut by_key: HashMap<K, VecDeque<usize>> = HashMap::new();
        for (j, f) in new.iter().enumerate() {
            if !self.new_done[j] {
                if let Some(k) = key(f) {
                    by_key.entry(k).or_default().push_back(j);
                }
            }
        }
        for (i, f) in old.iter().enumerate() {
            if self.old_done[i] {
                continue;
            }
            let Some(j) = key(f).and_then(|k| by_key.get_mut(&k)?.pop_front()) else {
                continue;
            };
            self.old_done[i] = true;
            self.new_done[j] = true;
            let renamed = (f.path != new[j].path).then_some(evidence).flatten();
            self.out.pairs.push((i, j, renamed));
        }
    }

    fn find_replacements(&mut self) {
        let (old, new) = (self.old, self.new);
        // (container, name without leading underscores, index) of unpaired new fields: the
        // new fields extending an old name form one contiguous range.
        let mut pending: BTreeSet<(&str, &str, usize)> = new
            .iter()
            .enumerate()
            .filter(|&(j, _)| !self.new_done[j])
            .map(|(j, f)| (f.container(), f.leaf().trim_start_matches('_'), j))
            .collect();
        for (i, f) in old.iter().enumerate() {
            let stem = f.leaf().trim_matches('_');
            if self.old_done[i] || stem.is_empty() || pending.is_empty() {
                continue;
            }
            let prefix = format!("{stem}_");
            let container = f.container();
            let mut by: Vec<usize> = pending
                .range((container, prefix.as_str(), 0)..)
                .take_while(|&&(c, leaf, _)| c == container && leaf.starts_with(&prefix))
                .map(|&(_, _, j)| j)
                .collect();
            if by.is_empty() {
                continue;
            }
            crate::sorting::sort_by(&mut by, Ord::cmp);
            for &j in &by {
                let g = &new[j];
                pending.remove(&(g.container(), g.leaf().trim_start_matches('_'), j));
                self.new_done[j] = true;
            }
            self.old_done[i] = true;
            self.out.replaced.push((i, by));
        }
    }
}

/// The field changes from `old` to `new`, in the new type's order (by offset, then
/// declaration); a field that is gone follows the surviving field that preceded it in the old
/// type, so that it shows where it used to be.
fn field_changes(old: &[Field], new: &[Field]) -> Vec<FieldChange> {
    let p = pair_fields(old, new);
    // Where each old field went, then for each old field the new offset of the nearest
    // surviving field before it.
    let mut went: Vec<Option<u32>> = vec![None; old.len()];
    for &(i, j, _) in &p.pairs {
        went[i] = Some(new[j].bit_offset);
    }
    let mut anchor: Vec<Option<u32>> = Vec::with_capacity(old.len());
    let mut last = None;
    for w in &went {
        anchor.push(last);
        last = w.or(last);
    }
    type Key = (Option<(u32, bool, usize)>, usize);
    let at_new = |j: usize| -> Key { (Some((new[j].bit_offset, false, j)), 0) };
    let after_old = |i: usize| -> Key { (anchor[i].map(|a| (a, true, i)), i) };
    let mut out: Vec<(Key, FieldChange)> = Vec::new();
    for &(i, j, renamed) in &p.pairs {
        let (o, n) = (&old[i], &new[j]);
        if renamed.is_none() && o == n {
            continue;
        }
        let change = FieldChange::Changed {
            old: o.clone(),
            new: n.clone(),
            renamed,
        };
        out.push((at_new(j), change));
    }
    for (i, by) in &p.replaced {
        let change = FieldChange::Replaced {
            old: old[*i].clone(),
            by: by.iter().map(|&j| new[j].clone()).collect(),
        };
        out.push((after_old(*i), change));
    }
    out.extend(
        p.removed
            .iter()
            .map(|&i| (after_old(i), FieldChange::Removed(old[i].clone()))),
    );
    out.extend(
        p.added
            .iter()
            .map(|&j| (at_new(j), FieldChange::Added(new[j].clone()))),
    );
    crate::sorting::sort_by_key(&mut out, |a| a.0);
    out.into_iter().map(|(_, c)| c).collect()
}

/// The enumerator changes from `old` to `new`: additions and new values in the new
/// declaration order, then removals in the old order.
fn enumerator_changes(old: &[(String, i128)], new: &[(String, i128)]) -> Vec<EnumeratorChange> {
    let mut old_by_name: HashMap<&str, i128> = HashMap::new();
    for (n, v) in old {
        old_by_name.entry(n).or_insert(*v);
    }
    let new_names: HashSet<&str> = new.iter().map(|(n, _)| n.as_str()).collect();
    let mut out = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (name, value) in new {
        if !seen.insert(name) {
            continue;
        }
        match old_by_name.get(name.as_str()) {
            None => out.push(EnumeratorChange::Added {
                name: name.clone(),
                value: *value,
            }),
            Some(&was) if was != *value => out.push(EnumeratorChange::Revalued {
                name: name.clone(),
                old: was,
                new: *value,
            }),
            Some(_) => {}
        }
    }
    let mut gone: HashSet<&str> = HashSet::new();
    for (name, value) in old {
        if !new_names.contains(name.as_str()) && gone.insert(name) {
            out.push(EnumeratorChange::Removed {
                name: name.clone(),
                value: *value,
            });
        }
    }
    out
}
