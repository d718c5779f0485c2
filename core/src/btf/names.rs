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

/// A name index: this blob's own ids bucketed by the hash of their key, each bucket in id
/// order. Lookups hash the name, scan its bucket (about one entry) and compare the names of
/// the ids whose hash matches; ids with equal keys share a bucket, so they come out in id
/// order. Building it hashes each name once and places the ids with a counting pass: no
/// comparison sort (sorting the (hash, id) pairs was a third of building the indexes, and
/// the indexes were a quarter of a catalogue sweep).
#[derive(Debug)]
pub(super) struct NameIndex {
    /// `64 - log2(bucket count)`: a hash's bucket is its top bits.
    shift: u32,
    /// Where each bucket starts in `entries`, plus the end.
    starts: Vec<u32>,
    /// (low half of the key's hash, id), bucket after bucket.
    entries: Vec<(u32, TypeId)>,
}

/// Both name indexes of a blob, built in one pass over its records.
#[derive(Debug)]
pub(super) struct NameIndexes {
    /// Named types by name (anonymous ones left out).
    pub(super) plain: NameIndex,
    /// Flavored types (`task_struct___2`) by essential name.
    pub(super) flavored: NameIndex,
}

/// The hash of a name, eight bytes at a time (one multiply each: a byte-at-a-time hash over
/// every name of a kernel was most of building its indexes). Deterministic; the bytes past
/// the name in its last word count as zeros (names hold no NUL, so none is lost).
fn hash(s: &str) -> u64 {
    let mut words = s.as_bytes().chunks_exact(8);
    let mut h = HASH_SEED;
    for w in &mut words {
        h = mix(
            h,
            u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
        );
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        let mut last = [0u8; 8];
        last[..tail.len()].copy_from_slice(tail);
        h = mix(h, u64::from_le_bytes(last));
    }
    h
}

const HASH_SEED: u64 = 0xcbf2_9ce4_8422_2325;

#[inline]
fn mix(h: u64, word: u64) -> u64 {
    // A product's high bits depend on all of its operand's bits: buckets take the top bits.
    (h.rotate_left(23) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// [`hash`] of the NUL-terminated string at the start of `bytes`, its end found word by
/// word as it is hashed, or `None` if no NUL ends it.
#[inline]
fn hash_to_nul(bytes: &[u8]) -> Option<u64> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut h = HASH_SEED;
    let mut at = 0;
    loop {
        let word = match bytes.get(at..at + 8) {
            Some(w) => u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
            None => {
                // The section's last few bytes.
                let rest = &bytes[at.min(bytes.len())..];
                let nul = memchr::memchr(0, rest)?;
                let mut last = [0u8; 8];
                last[..nul].copy_from_slice(&rest[..nul]);
                return Some(if nul == 0 {
                    h
                } else {
                    mix(h, u64::from_le_bytes(last))
                });
            }
        };
        // Bytes that are zero set their high bit here (the lowest such is exact).
        let zeros = word.wrapping_sub(LO) & !word & HI;
        if zeros != 0 {
            let nul = zeros.trailing_zeros() / 8;
            return Some(if nul == 0 {
                h
            } else {
                mix(h, word & (u64::MAX >> (64 - 8 * nul)))
            });
        }
        h = mix(h, word);
        at += 8;
    }
}

/// Where the flavor separators of a string section are: each `___` that has a byte of its
/// string, other than `_`, on either side (the separator [`essential_name`] cuts at), as
/// (its offset, the offset of the string holding it), in order. A kernel has a handful, so
/// a name is checked for a flavor with one search here instead of a scan of its bytes.
fn flavor_separators(section: &[u8]) -> Vec<(u32, u32)> {
    let is_name_byte = |b: u8| b != b'_' && b != 0;
    memchr::memmem::find_iter(section, b"___")
        .filter(|&p| {
            p > 0
                && is_name_byte(section[p - 1])
                && section.get(p + 3).is_some_and(|&b| is_name_byte(b))
        })
        .map(|p| {
            let string = memchr::memrchr(0, &section[..p]).map_or(0, |nul| nul + 1);
            (p as u32, string as u32)
        })
        .collect()
}

/// Whether the name at offset `at` of a section whose separators are `seps` has a flavor:
/// a separator after its first byte, in its own string.
fn has_flavor(seps: &[(u32, u32)], at: u32) -> bool {
    let next = seps.partition_point(|&(p, _)| p <= at);
    seps.get(next).is_some_and(|&(_, string)| string <= at)
}

impl NameIndexes {
    /// Indexes `btf`'s own named types by name and its flavored ones by essential name.
    pub(super) fn build(btf: &Btf) -> NameIndexes {
        let own = btf.strings.as_bytes();
        let seps = flavor_separators(own);
        let mut plain = Vec::with_capacity(btf.type_offs.len());
        let mut flavored = Vec::new();
        let mut add_flavored = |name: &str, id: TypeId| {
            let ess = essential_name(name);
            if ess.len() != name.len() {
                flavored.push((hash(ess), id));
            }
        };
        for (id, &at) in btf.own_ids().zip(&btf.type_offs) {
            // The name offset, read from the record (not through a `Type`): this runs over
            // every record of a kernel.
            let off = btf.words.get(at as usize).copied().unwrap_or(0);
            if off == 0 {
                continue;
            }
            if off < btf.start_str_off {
                // Split BTF naming a string of its base.
                let name = btf.name(off);
                if !name.is_empty() {
                    plain.push((hash(name), id));
                    add_flavored(name, id);
                }
                continue;
            }
            let rel = off - btf.start_str_off;
            // What `Btf::str_at` reads: nothing off the section or inside a character.
            if !btf.strings.is_char_boundary(rel as usize) {
                continue;
            }
            let Some(rest) = own.get(rel as usize..) else {
                continue;
            };
            match (rest.first(), hash_to_nul(rest)) {
                (Some(&first), Some(h)) if first != 0 => {
                    plain.push((h, id));
                    if has_flavor(&seps, rel) {
                        add_flavored(btf.name(off), id);
                    }
                }
                _ => {}
            }
        }
        NameIndexes {
            plain: NameIndex::new(plain),
            flavored: NameIndex::new(flavored),
        }
    }
}

impl NameIndex {
    /// The index of `keyed`, (hash of key, id) pairs in id order.
    fn new(keyed: Vec<(u64, TypeId)>) -> NameIndex {
        // About one entry per bucket; at least two buckets, so the shift stays below 64.
        let bits = keyed.len().next_power_of_two().trailing_zeros().max(1);
        let shift = 64 - bits;
        let mut starts = vec![0u32; (1usize << bits) + 1];
        for &(h, _) in &keyed {
            starts[(h >> shift) as usize + 1] += 1;
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        let mut next = starts.clone();
        let mut entries = vec![(0u32, TypeId(0)); keyed.len()];
        for (h, id) in keyed {
            let slot = &mut next[(h >> shift) as usize];
            entries[*slot as usize] = (h as u32, id);
            *slot += 1;
        }
        NameIndex {
            shift,
            starts,
            entries,
        }
    }

    /// The ids whose key equals `want`, in id order.
    pub(super) fn lookup<'s>(
        &'s self,
        btf: &'s Btf,
        want: &'s str,
        key: impl Fn(&Type<'s>) -> &'s str + 's,
    ) -> impl Iterator<Item = TypeId> + 's {
        let h = hash(want);
        let b = (h >> self.shift) as usize;
        let bucket = match (self.starts.get(b), self.starts.get(b + 1)) {
            (Some(&lo), Some(&hi)) => &self.entries[lo as usize..hi as usize],
            _ => &[],
        };
        bucket
            .iter()
            .filter(move |&&(low, _)| low == h as u32)
            .map(|&(_, id)| id)
            .filter(move |&id| key(&btf.ty(id)) == want)
    }
}

#[cfg(test)]
mod tests {
    use super::{essential_name, hash, hash_to_nul};

    #[test]
    fn a_name_hashes_the_same_alone_and_in_its_section() {
        let names = [
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "task_struct",
            "x_sixteen_bytes_",
        ];
        for name in names {
            for after in [&b"\0"[..], b"\0more\0", b"\0\0\0\0\0\0\0\0\0"] {
                let section = [name.as_bytes(), after].concat();
                assert_eq!(
                    hash_to_nul(&section),
                    Some(hash(name)),
                    "{name:?} {after:?}"
                );
            }
        }
        assert_eq!(hash_to_nul(b"no end"), None);
        assert_eq!(hash_to_nul(b"no end, longer than a word"), None);
        assert_ne!(hash("abcdefgh"), hash("abcdefgi"));
    }

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
