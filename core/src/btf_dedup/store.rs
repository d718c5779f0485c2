//! The BTF being deduplicated: the base's records read in place, and the parts' own records
//! appended in order as `btf__add_btf` appends them (ids shifted past the earlier parts,
//! names turned into string keys). Dedup rewrites the appended records in place.

use std::sync::Arc;

use super::strings::Strings;
use super::DedupError;
use crate::btf::{Btf, Kind, TypeId, MAX_TYPES};
use crate::btf_write::{word_role, Word};

const VOID: [u32; 3] = [0; 3];

/// Marks a string word that holds a provisional id until the strings are keyed (string
/// offsets are below 2^31: libbpf's `BTF_MAX_STR_OFFSET`).
const PROVISIONAL: u32 = 1 << 31;

/// Where one part's own types went.
#[derive(Debug, Clone, Copy)]
pub(super) struct Part {
    /// Its first own id in the appended numbering.
    pub first: u32,
    /// Its own type count.
    pub count: u32,
    /// Its first own id as it numbers its types.
    pub start: u32,
}

pub(super) struct Store<'a> {
    pub base: Option<&'a Btf>,
    /// First appended id (the base's type count, or 1).
    pub start: u32,
    words: Vec<u32>,
    /// Start of each appended record in `words`, plus the end.
    offs: Vec<u32>,
    pub strings: Strings<'a>,
    pub parts: Vec<Part>,
}

impl<'a> Store<'a> {
    /// Appends the own types of `parts`, each split over `base` (or standalone without one).
    pub(super) fn append(base: Option<&'a Btf>, parts: &[&'a Btf]) -> Result<Self, DedupError> {
        let start = base.map_or(1, |b| b.type_cnt());
        let total: u64 = u64::from(start)
            + parts
                .iter()
                .map(|p| u64::from(p.own_type_count()))
                .sum::<u64>();
        if total > u64::from(MAX_TYPES) {
            return Err(DedupError::TooManyTypes { count: total - 1 });
        }
        let mut s = Store {
            base,
            start,
            words: Vec::new(),
            offs: Vec::with_capacity(total as usize - start as usize + 1),
            strings: Strings::new(base),
            parts: Vec::with_capacity(parts.len()),
        };
        for (index, &part) in parts.iter().enumerate() {
            let same_base = match (part.base(), base) {
                (Some(pb), Some(b)) => std::ptr::eq(Arc::as_ptr(pb), b),
                (None, None) => true,
                _ => false,
            };
            if !same_base {
                return Err(DedupError::NotOverBase { part: index });
            }
            s.add_part(index, part)?;
        }
        s.offs.push(s.words.len() as u32);
        s.key_strings();
        Ok(s)
    }

    /// Replaces the provisional string ids `add_part` wrote with string keys.
    fn key_strings(&mut self) {
        let keys = self.strings.resolve();
        for i in 0..self.own_count() as usize {
            let (from, to) = (self.offs[i] as usize, self.offs[i + 1] as usize);
            let kind = super::shape::kind(&self.words[from..to]);
            for (j, w) in self.words[from..to].iter_mut().enumerate() {
                if word_role(kind, j) == Some(Word::Str) && *w & PROVISIONAL != 0 {
                    *w = keys[(*w & !PROVISIONAL) as usize];
                }
            }
        }
    }

    fn add_part(&mut self, index: usize, part: &'a Btf) -> Result<(), DedupError> {
        let first = self.start + self.offs.len() as u32;
        let pstart = part.start_id().0;
        let str_start = part.start_str_off();
        for id in part.own_ids() {
            let t = part.ty(id);
            let kind = t.kind();
            if crate::btf_write::record_roles(kind).is_none() {
                return Err(DedupError::Unsupported {
                    part: Some(index),
                    id,
                    kind,
                    during: "when appending it",
                });
            }
            self.offs.push(self.words.len() as u32);
            for (i, &w) in t.words().iter().enumerate() {
                let w = match word_role(kind, i) {
                    Some(Word::Str) if w >= str_start => {
                        PROVISIONAL | self.strings.intern(part.name(w))
                    }
                    Some(Word::Type) if w >= pstart && w != 0 => w - pstart + first,
                    _ => w,
                };
                self.words.push(w);
            }
        }
        self.parts.push(Part {
            first,
            count: part.own_type_count(),
            start: pstart,
        });
        Ok(())
    }

    /// One past the last id.
    pub(super) fn type_cnt(&self) -> u32 {
        self.start + self.own_count()
    }

    /// Number of appended types.
    pub(super) fn own_count(&self) -> u32 {
        self.offs.len().saturating_sub(1) as u32
    }

    /// The record of `id` (void's three zero words for 0 and out-of-range ids).
    #[inline]
    pub(super) fn rec(&self, id: u32) -> &[u32] {
        if id >= self.start {
            let i = (id - self.start) as usize;
            return match (self.offs.get(i), self.offs.get(i + 1)) {
                (Some(&a), Some(&b)) => &self.words[a as usize..b as usize],
                _ => &VOID,
            };
        }
        match self.base {
            Some(b) if id != 0 => b.type_by_id(TypeId(id)).map_or(&VOID[..], |t| t.words()),
            _ => &VOID,
        }
    }

    /// Word `w` of appended record `id`, for in-place rewriting.
    pub(super) fn word_mut(&mut self, id: u32, w: usize) -> Option<&mut u32> {
        let i = id.checked_sub(self.start)? as usize;
        let at = *self.offs.get(i)? as usize + w;
        if at >= *self.offs.get(i + 1)? as usize {
            return None;
        }
        self.words.get_mut(at)
    }

    /// `id` as the user numbers it: (part, id within that part); `None` for the base.
    pub(super) fn origin(&self, id: u32) -> (Option<usize>, TypeId) {
        if id < self.start {
            return (None, TypeId(id));
        }
        let k = self
            .parts
            .partition_point(|p| p.first <= id)
            .saturating_sub(1);
        match self.parts.get(k) {
            Some(p) => (Some(k), TypeId(id - p.first + p.start)),
            None => (None, TypeId(id)),
        }
    }

    /// An "unsupported" error about `id`.
    pub(super) fn unsupported(&self, id: u32, during: &'static str) -> DedupError {
        let (part, tid) = self.origin(id);
        DedupError::Unsupported {
            part,
            id: tid,
            kind: self.kind_of(id),
            during,
        }
    }

    pub(super) fn kind_of(&self, id: u32) -> Kind {
        super::shape::kind(self.rec(id))
    }
}
