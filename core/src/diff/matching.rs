//! Which old type is which new type: group by class and essential name, then pair within each
//! group — exact names first, then the most similar shapes, ties broken by id order.

use std::collections::BTreeMap;

use crate::btf::{essential_name, Btf, TypeId};

use super::compare::{changes, Shape};
use super::{Changes, TypeClass, TypeDiff, TypeRef};

/// Above this many old × new candidates in one group, pairs are made in id order instead of by
/// similarity (bounds the quadratic scoring on hostile input).
pub(crate) const MAX_SCORED_PAIRS: usize = 4096;

/// The old and new ids of one (class, essential name) group.
pub(crate) type Group = (Vec<TypeId>, Vec<TypeId>);

/// The named types of both sides grouped by (class, essential name), in key order; with
/// `only`, just the groups of that essential name. Split BTFs over the same base (one `Arc`)
/// contribute their own types only.
pub(crate) fn groups<'a>(
    old: &'a Btf,
    new: &'a Btf,
    only: Option<&'a str>,
) -> BTreeMap<(TypeClass, &'a str), Group> {
    // Split BTFs over one base: the base's types are the same on both sides.
    let shared_base = match (old.base(), new.base()) {
        (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
        _ => false,
    };
    let mut out: BTreeMap<(TypeClass, &'a str), Group> = BTreeMap::new();
    for (side, btf) in [(0, old), (1, new)] {
        let ids: Box<dyn Iterator<Item = TypeId>> = match only {
            Some(ess) => Box::new(btf.find_by_essential_name(ess)),
            None => Box::new(btf.ids()),
        };
        let first = if shared_base {
            btf.start_id()
        } else {
            TypeId(1)
        };
        for id in ids.filter(|&id| id >= first) {
            let t = btf.ty(id);
            let Some(class) = TypeClass::of(t.kind()) else {
                continue;
            };
            if !t.is_named() {
                continue;
            }
            let g = out.entry((class, essential_name(t.name()))).or_default();
            if side == 0 { &mut g.0 } else { &mut g.1 }.push(id);
        }
    }
    out
}

/// Pairs the old and new types of one group and compares each pair; unpaired types are added
/// or removed.
pub(crate) fn diff_group(
    old: &Btf,
    new: &Btf,
    class: TypeClass,
    olds: &[TypeId],
    news: &[TypeId],
) -> Vec<TypeDiff> {
    let old_shapes: Vec<Shape> = olds.iter().map(|&id| Shape::of(old, id)).collect();
    let new_shapes: Vec<Shape> = news.iter().map(|&id| Shape::of(new, id)).collect();
    let name = |btf: &Btf, id: TypeId| btf.ty(id).name().to_owned();
    let pairs = pair(olds.len(), news.len(), |i, j| {
        let exact = name(old, olds[i]) == name(new, news[j]);
        (exact, old_shapes[i].similarity(&new_shapes[j]))
    });
    let reference = |btf: &Btf, id: TypeId| {
        let t = btf.ty(id);
        TypeRef {
            id,
            name: t.name().to_owned(),
            size: if class == TypeClass::Struct
                || class == TypeClass::Union
                || class == TypeClass::Enum
            {
                t.size()
            } else {
                0
            },
        }
    };
    let mut out = Vec::new();
    let mut old_paired = vec![false; olds.len()];
    let mut new_paired = vec![false; news.len()];
    for (i, j) in pairs {
        old_paired[i] = true;
        new_paired[j] = true;
        let n = reference(new, news[j]);
        out.push(TypeDiff {
            class,
            name: n.name.clone(),
            old: Some(reference(old, olds[i])),
            new: Some(n),
            changes: changes(&old_shapes[i], &new_shapes[j]),
        });
    }
    for (&id, _) in olds.iter().zip(&old_paired).filter(|(_, &p)| !p) {
        let o = reference(old, id);
        out.push(TypeDiff {
            class,
            name: o.name.clone(),
            old: Some(o),
            new: None,
            changes: Changes::default(),
        });
    }
    for (&id, _) in news.iter().zip(&new_paired).filter(|(_, &p)| !p) {
        let n = reference(new, id);
        out.push(TypeDiff {
            class,
            name: n.name.clone(),
            old: None,
            new: Some(n),
            changes: Changes::default(),
        });
    }
    out
}

/// Pairs indexes `0..n_old` with `0..n_new`, greedily by descending `score` (ties: lower
/// old index, then lower new index); past [`MAX_SCORED_PAIRS`] candidate pairs, in index
/// order. The result is sorted by old index.
pub(crate) fn pair(
    n_old: usize,
    n_new: usize,
    score: impl Fn(usize, usize) -> (bool, u32),
) -> Vec<(usize, usize)> {
    if n_old == 1 && n_new == 1 {
        return vec![(0, 0)];
    }
    let mut old_used = vec![false; n_old];
    let mut new_used = vec![false; n_new];
    let mut out = Vec::new();
    if n_old.saturating_mul(n_new) <= MAX_SCORED_PAIRS {
        let mut cands: Vec<((bool, u32), usize, usize)> = (0..n_old)
            .flat_map(|i| (0..n_new).map(move |j| (i, j)))
            .map(|(i, j)| (score(i, j), i, j))
            .collect();
        crate::sorting::sort_by(&mut cands, |a, b| {
            b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
        });
        for (_, i, j) in cands {
            if !old_used[i] && !new_used[j] {
                old_used[i] = true;
                new_used[j] = true;
                out.push((i, j));
            }
        }
    } else {
        // Too many to score: pair in id order.
        out.extend((0..n_old.min(n_new)).map(|i| (i, i)));
    }
    crate::sorting::sort_by(&mut out, Ord::cmp);
    out
}
