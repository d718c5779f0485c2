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

impl Btf {
    /// This blob's own named types in the order a type list shows them: by name without
    /// ASCII case, then by `rank` of the kind (the caller's preference: structs before the
    /// functions of the same name), then by id. Names holding a newline are left out (a
    /// list keeps one name per line).
    ///
    /// Not generic, so that it runs as this crate is compiled (it sorts 126k names on a
    /// recent kernel): the names are lowercased once into one buffer and compared as bytes.
    pub fn search_order(&self, rank: fn(super::Kind) -> u8) -> Vec<TypeId> {
        let mut lower: Vec<u8> = Vec::new();
        // (start, len, rank, id)
        let mut entries: Vec<(u32, u32, u8, TypeId)> = Vec::new();
        for id in self.own_ids() {
            let t = self.ty(id);
            let name = t.name();
            if name.is_empty() || name.contains('\n') {
                continue;
            }
            let start = lower.len() as u32;
            lower.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
            entries.push((start, name.len() as u32, rank(t.kind()), id));
        }
        let key = |e: &(u32, u32, u8, TypeId)| &lower[e.0 as usize..(e.0 + e.1) as usize];
        entries.sort_unstable_by(|a, b| {
            key(a)
                .cmp(key(b))
                .then(a.2.cmp(&b.2))
                .then(a.3 .0.cmp(&b.3 .0))
        });
        entries.into_iter().map(|e| e.3).collect()
    }
}

/// A name index: this blob's own ids ordered by (hash of key, id). Lookups binary-search the
/// hash and compare the names of the (few) ids that share it; ids with equal keys are
/// contiguous and in id order. Building it hashes each name once and sorts integers — about
/// ten times cheaper than sorting the names themselves.
#[derive(Debug, Default)]
pub(super) struct NameIndex {
    entries: Vec<(u64, TypeId)>,
}

/// FNV-1a: deterministic, no allocation, good enough spread for identifiers.
fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl NameIndex {
    /// Indexes this blob's own ids by `key`, leaving out those it gives no key.
    pub(super) fn build<'a>(btf: &'a Btf, key: impl Fn(&Type<'a>) -> Option<&'a str>) -> NameIndex {
        let mut entries: Vec<(u64, TypeId)> = btf
            .own_ids()
            .filter_map(|id| key(&btf.ty(id)).map(|k| (hash(k), id)))
            .collect();
        entries.sort_unstable();
        NameIndex { entries }
    }

    /// The ids whose key equals `want`, in id order.
    pub(super) fn lookup<'s>(
        &'s self,
        btf: &'s Btf,
        want: &'s str,
        key: impl Fn(&Type<'s>) -> &'s str + 's,
    ) -> impl Iterator<Item = TypeId> + 's {
        let h = hash(want);
        let lo = self.entries.partition_point(|&(x, _)| x < h);
        self.entries[lo..]
            .iter()
            .take_while(move |&&(x, _)| x == h)
            .map(|&(_, id)| id)
            .filter(move |&id| key(&btf.ty(id)) == want)
    }
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
