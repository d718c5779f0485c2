//! String keys: what libbpf's string offsets are after `btf__add_btf` and string dedup.
//!
//! Dedup compares names by offset, so two names are "equal" exactly when their offsets are.
//! libbpf never rewrites the base's offsets; a string of an appended part becomes the offset
//! of its first occurrence in the base (`btf__find_str` indexes the base's strings from its
//! start, one after another, the first copy of a duplicate winning), else one offset per
//! distinct string in the new section. Keys here follow the same rule: a base offset as it
//! is, or `base_end + n` for the n-th distinct string of the parts. Offsets into the middle
//! of a base string (suffix sharing) stay distinct from every part's string, as in libbpf.

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
    /// First offset of each string the base starts somewhere (built on first use).
    base_index: Option<FnvMap<&'a str, u32>>,
    own: Vec<&'a str>,
    own_index: FnvMap<&'a str, u32>,
}

impl<'a> Strings<'a> {
    pub(super) fn new(base: Option<&'a Btf>) -> Self {
        let mut s = Strings {
            base,
            base_end: base.map_or(0, |b| b.start_str_off() + b.own_strings_len()),
            base_index: None,
            own: Vec::new(),
            own_index: FnvMap::default(),
        };
        if base.is_none() {
            // Standalone BTF: "" is offset 0, as libbpf's string dedup puts it first.
            s.own.push("");
            s.own_index.insert("", 0);
        }
        s
    }

    /// The key of `text`, a string of one of the parts.
    pub(super) fn key(&mut self, text: &'a str) -> u32 {
        if let Some(base) = self.base {
            let index = self.base_index.get_or_insert_with(|| index_chain(base));
            if let Some(&off) = index.get(text) {
                return off;
            }
        }
        let next = self.base_end + self.own.len() as u32;
        *self.own_index.entry(text).or_insert_with(|| {
            self.own.push(text);
            next
        })
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

/// The first offset of every string that starts a string in `btf`'s sections, the base's
/// base first (libbpf's `btf__find_str` asks the base before the split part).
fn index_chain(btf: &Btf) -> FnvMap<&str, u32> {
    let mut chain = vec![btf];
    while let Some(b) = chain.last().and_then(|b| b.base()) {
        chain.push(b);
    }
    let mut index = FnvMap::default();
    for b in chain.into_iter().rev() {
        let section = b.own_strings();
        let mut at = 0usize;
        for s in section.split('\0') {
            if at >= section.len() {
                break;
            }
            index.entry(s).or_insert(b.start_str_off() + at as u32);
            at += s.len() + 1;
        }
    }
    index
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
        assert_eq!(s.key("int"), 1);
        assert_ne!(dup, 1);
        assert_eq!(s.key(""), 0);
        let k = s.key("fresh");
        assert!(!s.is_base(k));
        assert_eq!(s.key("fresh"), k);
        assert_eq!(s.text(k), "fresh");
        assert_eq!(s.text(1), "int");
        // A suffix of a base string is not a string of the base.
        let suffix = s.key("nt");
        assert!(!s.is_base(suffix));
    }

    #[test]
    fn standalone_empty_string_is_zero() {
        let mut s = Strings::new(None);
        assert_eq!(s.key(""), 0);
        assert_eq!(s.key("a"), 1);
        assert_eq!(s.text(1), "a");
    }
}
