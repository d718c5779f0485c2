//! String keys: what libbpf's string offsets are after `btf__add_btf` and string dedup.
//!
//! Dedup compares names by offset, so two names are "equal" exactly when their offsets are.
//! libbpf never rewrites the base's offsets; a string of an appended part becomes the offset
//! of its first occurrence in the base (`btf__find_str` indexes the base's strings from its
//! start, one after another, the first copy of a duplicate winning), else one offset per
//! distinct string in the new section. Keys here follow the same rule: a base offset as it
//! is, or `base_end + n` for the n-th distinct string of the parts not in the base. Offsets
//! into the middle of a base string (suffix sharing) stay distinct from every part's string,
//! as in libbpf.
//!
//! The parts' strings are gathered first ([`Strings::intern`]) and then looked up in the base
//! in one pass over its section ([`Strings::resolve`]): a kernel has some 150 000 strings and
//! a few modules a few thousand, so the pass only hashes the base strings a cheap filter
//! (length and end bytes) lets through.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::btf::Btf;

/// FNV-1a over bytes: deterministic (no random seed in `core`), fast on short identifiers.
#[derive(Default)]
pub(super) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(super) type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// The strings of the BTF being deduplicated, by key.
pub(super) struct Strings<'a> {
    base: Option<&'a Btf>,
    /// One past the base's last string offset; own keys start here.
    base_end: u32,
    /// The parts' distinct strings, by provisional id (`intern`).
    interned: Vec<&'a str>,
    index: FnvMap<&'a str, u32>,
    /// The parts' strings the base does not have, by `key - base_end`.
    own: Vec<&'a str>,
}

/// Bits of the filter that lets a base string through to a full lookup.
const FILTER_BITS: u32 = 16;

/// A cheap fingerprint of a string: its length and its first and last bytes.
fn quick(s: &[u8]) -> usize {
    let (first, last) = match s {
        [] => (0, 0),
        [a, .., b] => (*a, *b),
        [a] => (*a, *a),
    };
    let x = (s.len() as u32)
        .wrapping_mul(0x9e37_79b1)
        .wrapping_add(u32::from(first) << 8 | u32::from(last))
        .wrapping_mul(0x85eb_ca6b);
    (x >> (32 - FILTER_BITS)) as usize
}

impl<'a> Strings<'a> {
    pub(super) fn new(base: Option<&'a Btf>) -> Self {
        Strings {
            base,
            base_end: base.map_or(0, |b| b.start_str_off() + b.own_strings_len()),
            interned: Vec::new(),
            index: FnvMap::default(),
            own: Vec::new(),
        }
    }

    /// A provisional id for `text`, a string of one of the parts (turned into its key by
    /// [`Strings::resolve`]).
    pub(super) fn intern(&mut self, text: &'a str) -> u32 {
        let next = self.interned.len() as u32;
        *self.index.entry(text).or_insert_with(|| {
            self.interned.push(text);
            next
        })
    }

    /// The key of every interned string, by provisional id.
    pub(super) fn resolve(&mut self) -> Vec<u32> {
        let mut keys = vec![u32::MAX; self.interned.len()];
        match self.base {
            Some(base) => self.find_in_base(base, &mut keys),
            // Standalone: "" is offset 0, as libbpf's string dedup puts it first.
            None => self.own.push(""),
        }
        for (key, text) in keys.iter_mut().zip(&self.interned) {
            if *key == u32::MAX {
                *key = if text.is_empty() && self.base.is_none() {
                    0
                } else {
                    self.own.push(text);
                    self.base_end + self.own.len() as u32 - 1
                };
            }
        }
        keys
    }

    /// Sets `keys[id]` to the first base offset of each interned string the base has, the
    /// base's base first (libbpf's `btf__find_str` asks the base before the split part).
    fn find_in_base(&self, base: &'a Btf, keys: &mut [u32]) {
        let mut filter = vec![0u64; 1 << (FILTER_BITS - 6)];
        for t in &self.interned {
            let q = quick(t.as_bytes());
            filter[q >> 6] |= 1 << (q & 63);
        }
        let mut chain = vec![base];
        while let Some(b) = chain.last().and_then(|b| b.base()) {
            chain.push(b);
        }
        for b in chain.into_iter().rev() {
            let section = b.own_strings();
            let bytes = section.as_bytes();
            let mut at = 0usize;
            for nul in memchr::memchr_iter(0, bytes) {
                let q = quick(&bytes[at..nul]);
                if filter[q >> 6] & (1 << (q & 63)) != 0 {
                    let s = section.get(at..nul).unwrap_or_default();
                    if let Some(&id) = self.index.get(s) {
                        let key = &mut keys[id as usize];
                        if *key == u32::MAX {
                            *key = b.start_str_off() + at as u32;
                        }
                    }
                }
                at = nul + 1;
            }
        }
    }

    /// Whether `key` is a base offset (kept as it is in the output).
    pub(super) fn is_base(&self, key: u32) -> bool {
        key < self.base_end
    }

    /// The text of `key`.
    pub(super) fn text(&self, key: u32) -> &'a str {
        match self.base {
            Some(b) if key < self.base_end => b.name(key),
            _ => self
                .own
                .get((key - self.base_end) as usize)
                .copied()
                .unwrap_or(""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::BtfBuilder;
    use std::sync::Arc;

    #[test]
    fn part_strings_take_the_first_base_offset() {
        let mut b = BtfBuilder::new();
        b.int("int", 4, 1);
        let dup = b.push_raw_str_bytes(b"int\0");
        let base = Arc::new(Btf::parse(&b.encode(&Default::default())).unwrap());
        let mut s = Strings::new(Some(&base));
        let ids = ["int", "", "fresh", "nt", "fresh"].map(|t| s.intern(t));
        assert_eq!(ids[2], ids[4]);
        let keys = s.resolve();
        let key = |i: usize| keys[ids[i] as usize];
        assert_eq!(key(0), 1);
        assert_ne!(dup, 1);
        assert_eq!(key(1), 0);
        assert!(!s.is_base(key(2)));
        assert_eq!(s.text(key(2)), "fresh");
        assert_eq!(s.text(1), "int");
        // A suffix of a base string is not a string of the base.
        assert!(!s.is_base(key(3)));
        assert_eq!(s.text(key(3)), "nt");
    }

    #[test]
    fn standalone_empty_string_is_zero() {
        let mut s = Strings::new(None);
        let ids = ["a", ""].map(|t| s.intern(t));
        let keys = s.resolve();
        assert_eq!(keys[ids[1] as usize], 0);
        assert_eq!(keys[ids[0] as usize], 1);
        assert_eq!(s.text(1), "a");
        assert_eq!(s.text(0), "");
    }
}
