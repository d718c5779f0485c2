//! Names: libbpf's essential names (flavors) and the sorted name indexes behind lookups.

use super::{Btf, Type, TypeId};

/// The essential name of `name`: the prefix before the last flavor separator `___`
/// (exactly three underscores, preceded and followed by a non-underscore), or the whole name.
///
/// Mirrors libbpf `bpf_core_essential_name_len`: `task_struct___2` → `task_struct`,
/// `a___b___c` → `a___b`, `x____y` → `x____y`, `foo___` → `foo___`, `__a___b` → `__a`.
pub fn essential_name(name: &str) -> &str {
    let b = name.as_bytes();
    let n = b.len();
    if n < 5 {
        return name;
    }
    for i in (0..=n - 5).rev() {
        if b[i] != b'_' && &b[i + 1..i + 4] == b"___" && b[i + 4] != b'_' {
            return &name[..=i];
        }
    }
    name
}

/// This blob's own ids sorted by `key` (stable: equal keys keep id order).
pub(super) fn sort_ids<'a>(btf: &'a Btf, key: impl Fn(&Type<'a>) -> &'a str) -> Vec<TypeId> {
    let mut keyed: Vec<(&str, TypeId)> = btf.own_ids().map(|id| (key(&btf.ty(id)), id)).collect();
    keyed.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, id)| id).collect()
}

/// The ids in `sorted` whose key equals `want`, in id order.
pub(super) fn equal_range<'s>(
    btf: &'s Btf,
    sorted: &'s [TypeId],
    want: &'s str,
    key: impl Fn(&Type<'s>) -> &'s str + 's,
) -> impl Iterator<Item = TypeId> + 's {
    let lo = sorted.partition_point(|&id| key(&btf.ty(id)) < want);
    sorted[lo..]
        .iter()
        .copied()
        .take_while(move |&id| key(&btf.ty(id)) == want)
}

#[cfg(test)]
mod tests {
    use super::essential_name;

    #[test]
    fn essential_names_follow_libbpf() {
        for (name, want) in [
            ("task_struct___2", "task_struct"),
            ("a___b___c", "a___b"),
            ("x____y", "x____y"),
            (
                "core_reloc_flavors__err_wrong_name",
                "core_reloc_flavors__err_wrong_name",
            ),
            ("foo___", "foo___"),
            ("__a___b", "__a"),
            ("abc", "abc"),
            ("a___b", "a"),
            ("", ""),
            ("____", "____"),
            ("task_struct___old", "task_struct"),
        ] {
            assert_eq!(essential_name(name), want, "{name}");
        }
    }
}
