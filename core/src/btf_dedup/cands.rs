//! The candidate table: canonical types by signature, yielded in libbpf's order.
//!
//! libbpf keeps candidates in its generic hash map (`hashmap__append`), and walks the entries
//! of one key from the head of their bucket's chain. Which of several equivalent candidates
//! wins depends on that order, so it is reproduced here:
//!
//! - a new entry goes to the head of its chain: the latest first;
//! - the map doubles when an insertion would fill it beyond 3/4 (from 4 buckets), and
//!   re-links every chain by pushing each entry, in chain order, onto the head of its new
//!   chain: every growth reverses the order of the entries of each key.
//!
//! So each key keeps a doubly linked list and the table one orientation bit, flipped on each
//! growth (the table itself never needs libbpf's growth: it is open addressing, sized once). Entries that only share a key by a hash collision are never both equal to a type
//! (every equality test compares what the signature hashes), so the signature used here need
//! not be libbpf's numeric hash: the relative order of the entries that can match is the same.

const NIL: u32 = u32::MAX;

/// Canonical type ids by signature.
#[derive(Default)]
pub(super) struct CandTable {
    /// Open addressing over signatures (linear probing, at most half full): each key's
    /// physical first and last entry, `NIL` in an empty slot.
    keys: Vec<u64>,
    ends: Vec<(u32, u32)>,
    value: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    /// libbpf's bucket count (0 before the first insertion).
    cap: usize,
    /// Whether the logical order (head first) runs from the physical last entry backwards.
    reversed: bool,
}

/// A walk over the candidates of one key.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cursor(u32);

impl CandTable {
    /// Room for `n` entries (a kernel's worth, at once, instead of growing step by step).
    pub(super) fn reserve(&mut self, n: usize) {
        self.value.reserve(n);
        self.next.reserve(n);
        self.prev.reserve(n);
        if self.keys.len() < 2 * n {
            self.rehash((2 * n).next_power_of_two());
        }
    }

    fn rehash(&mut self, slots: usize) {
        let old_keys = std::mem::replace(&mut self.keys, vec![0; slots]);
        let old_ends = std::mem::replace(&mut self.ends, vec![(NIL, NIL); slots]);
        for (k, e) in old_keys.into_iter().zip(old_ends) {
            if e.0 != NIL {
                let i = self.slot(k);
                self.keys[i] = k;
                self.ends[i] = e;
            }
        }
    }

    /// The slot of `key`: where it is, or the empty one where it would go.
    fn slot(&self, key: u64) -> usize {
        let mask = self.keys.len() - 1;
        let mut i = (key as usize) & mask;
        while self.ends[i].0 != NIL && self.keys[i] != key {
            i = (i + 1) & mask;
        }
        i
    }

    /// `hashmap__append(key, id)`.
    pub(super) fn add(&mut self, key: u64, id: u32) {
        let len = self.value.len();
        if self.cap == 0 || (len + 1) * 4 / 3 > self.cap {
            self.cap = (self.cap * 2).max(4);
            self.reversed = !self.reversed;
        }
        if 2 * (len + 1) > self.keys.len() {
            self.rehash((2 * (len + 1)).next_power_of_two().max(16));
        }
        let e = len as u32;
        self.value.push(id);
        self.next.push(NIL);
        self.prev.push(NIL);
        let i = self.slot(key);
        let (first, last) = &mut self.ends[i];
        if *first == NIL {
            self.keys[i] = key;
            (*first, *last) = (e, e);
        } else if !self.reversed {
            // The logical head is the physical first entry...
            self.next[e as usize] = *first;
            self.prev[*first as usize] = e;
            *first = e;
        } else {
            // ... or, reversed, the physical last one.
            self.prev[e as usize] = *last;
            self.next[*last as usize] = e;
            *last = e;
        }
    }

    /// The first candidate of `key`.
    pub(super) fn first(&self, key: u64) -> Cursor {
        if self.keys.is_empty() {
            return Cursor(NIL);
        }
        let (first, last) = self.ends[self.slot(key)];
        Cursor(if self.reversed { last } else { first })
    }

    /// The candidate at `c`, moving `c` to the next one.
    pub(super) fn next(&self, c: &mut Cursor) -> Option<u32> {
        let e = c.0 as usize;
        let id = *self.value.get(e)?;
        c.0 = if self.reversed {
            self.prev[e]
        } else {
            self.next[e]
        };
        Some(id)
    }

    /// Number of entries.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.value.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(t: &CandTable, key: u64) -> Vec<u32> {
        let mut c = t.first(key);
        std::iter::from_fn(|| t.next(&mut c)).collect()
    }

    /// A literal model of libbpf's map: buckets of chains, head insertion, growth re-linking
    /// chain by chain in bucket order.
    struct Model {
        buckets: Vec<Vec<(u64, u32)>>,
        len: usize,
    }

    impl Model {
        fn bucket(key: u64, cap: usize) -> usize {
            if cap <= 1 {
                return 0;
            }
            let bits = cap.trailing_zeros();
            (key.wrapping_mul(11_400_714_819_323_198_485) >> (64 - bits)) as usize
        }

        fn add(&mut self, key: u64, id: u32) {
            let cap = self.buckets.len();
            if cap == 0 || (self.len + 1) * 4 / 3 > cap {
                let new_cap = (cap * 2).max(4);
                let mut nb: Vec<Vec<(u64, u32)>> = vec![Vec::new(); new_cap];
                for chain in &self.buckets {
                    for &e in chain {
                        nb[Self::bucket(e.0, new_cap)].insert(0, e);
                    }
                }
                self.buckets = nb;
            }
            let cap = self.buckets.len();
            self.buckets[Self::bucket(key, cap)].insert(0, (key, id));
            self.len += 1;
        }

        fn all(&self, key: u64) -> Vec<u32> {
            self.buckets[Self::bucket(key, self.buckets.len())]
                .iter()
                .filter(|e| e.0 == key)
                .map(|e| e.1)
                .collect()
        }
    }

    #[test]
    fn order_matches_libbpfs_hash_map() {
        let mut t = CandTable::default();
        let mut m = Model {
            buckets: Vec::new(),
            len: 0,
        };
        let mut x = 7u64;
        for id in 0..3000u32 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let key = (x >> 33) % 23;
            t.add(key, id);
            m.add(key, id);
            if id % 97 == 0 || id > 2990 {
                for k in 0..23 {
                    assert_eq!(all(&t, k), m.all(k), "after {id}, key {k}");
                }
            }
        }
        assert_eq!(t.len(), 3000);
        assert!(all(&t, 99).is_empty());
    }

    #[test]
    fn latest_first_until_growth_reverses() {
        let mut t = CandTable::default();
        t.add(1, 10);
        t.add(1, 11);
        t.add(1, 12);
        assert_eq!(all(&t, 1), [12, 11, 10]);
        // The fourth insertion grows 4 → 8 buckets first.
        t.add(1, 13);
        assert_eq!(all(&t, 1), [13, 10, 11, 12]);
    }
}
