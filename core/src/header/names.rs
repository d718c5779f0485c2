//! Name deduplication (`___N` suffixes): libbpf's two occurrence counters.
//!
//! libbpf counts names in two maps: *type names* (struct, union, enum and INT names) and
//! *identifiers* (typedef and enumerator names). A name's k-th occurrence (k > 1) prints as
//! `name___k`. Counting happens lazily, at the first print of each type (and at *every* print
//! of an enumerator), so the suffixes depend on emission order (../shared/spec/header-spec.md §5).
//!
//! Keys are BTF string offsets, but equality is by content: two offsets holding the same
//! bytes are the same name, as in libbpf's string-keyed hashmap. The table is flat
//! (open addressing over `(offset, hash, count)` slots) so a whole kernel costs well under a
//! megabyte and no string is copied.

use crate::btf::Btf;

/// libbpf formats suffixed names into a 256-byte buffer: longer results are cut to 255 bytes.
pub(super) const MAX_NAME_LEN: usize = 255;

#[derive(Clone, Copy, Default)]
struct Slot {
    off: u32,
    hash: u32,
    /// 0: empty slot.
    count: u32,
}

/// Occurrence counts of the names of one namespace.
#[derive(Default)]
pub(super) struct NameCounts {
    slots: Vec<Slot>,
    len: usize,
}

impl NameCounts {
    /// Counts one more occurrence of the name at string offset `off` and returns the new count.
    pub(super) fn bump(&mut self, btf: &Btf, off: u32) -> u32 {
        let name = btf.name(off);
        let hash = hash(name.as_bytes());
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let s = &mut self.slots[i];
            if s.count == 0 {
                *s = Slot {
                    off,
                    hash,
                    count: 1,
                };
                self.len += 1;
                return 1;
            }
            if s.off == off || (s.hash == hash && btf.name(s.off) == name) {
                s.count = s.count.saturating_add(1);
                return s.count;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); cap]);
        let mask = cap - 1;
        for s in old.into_iter().filter(|s| s.count != 0) {
            let mut i = s.hash as usize & mask;
            while self.slots[i].count != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

/// A 32-bit multiplicative hash of a name (FxHash's mixing, 8 bytes at a time).
fn hash(s: &[u8]) -> u32 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = s.len() as u64;
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
    }
    (h >> 32) as u32 ^ h as u32
}

/// A name as printed: the raw BTF name, plus `___dup` when `dup > 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Name<'a> {
    pub raw: &'a str,
    pub dup: u32,
}

impl<'a> Name<'a> {
    /// A name printed as is.
    pub fn plain(raw: &'a str) -> Self {
        Name { raw, dup: 0 }
    }

    /// Whether nothing would be printed.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty() && self.dup <= 1
    }
}
