//! Compaction and remapping (`btf_dedup_compact_types`, `btf_dedup_remap_types`): the
//! canonical appended types keep their order and take consecutive ids after the base; every
//! reference is resolved to its canonical type and renumbered. The result is encoded and read
//! back as a [`Btf`] (split over the base when there is one), so everything that takes a BTF
//! takes a merge.

use std::sync::Arc;

use super::passes::{Dedup, UNPROCESSED};
use super::store::Part;
use super::DedupError;
use crate::btf::{Btf, TypeId};
use crate::btf_write::{word_role, Word};
use crate::builder::{BtfBuilder, EncodeOptions, RawType};
use crate::bytes::Endian;

/// What a deduplication did, in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DedupStats {
    /// Types appended from the parts.
    pub types_in: u32,
    /// Types left after deduplication.
    pub types_out: u32,
    /// Steps of work spent (see [`super::Limits`]).
    pub work: u64,
}

/// A deduplicated BTF and where every input type went.
#[derive(Debug)]
pub struct Merged {
    /// The result: split over the base when there is one.
    pub btf: Btf,
    /// The numbers.
    pub stats: DedupStats,
    parts: Vec<Part>,
    start: u32,
    /// Final id of each appended type.
    appended: Vec<u32>,
    /// Base types that now stand for an appended type (a FWD resolved to a merged struct, an
    /// enum forward declaration to a merged enum): (base id, final id).
    base_moved: Vec<(u32, u32)>,
}

impl Merged {
    /// Where type `id` of part `part` (`None`: of the base) is in [`Merged::btf`]: the
    /// canonical type that stands for it. `None` if `id` is out of range.
    pub fn id(&self, part: Option<usize>, id: TypeId) -> Option<TypeId> {
        let Some(part) = part else {
            if id.0 >= self.start {
                return None;
            }
            let moved = self.base_moved.binary_search_by_key(&id.0, |m| m.0);
            return Some(TypeId(moved.map_or(id.0, |i| self.base_moved[i].1)));
        };
        let p = self.parts.get(part)?;
        if id.0 < p.start {
            return self.id(None, id);
        }
        let i = id.0 - p.start;
        if i >= p.count {
            return None;
        }
        self.appended
            .get((p.first - self.start + i) as usize)
            .map(|&n| TypeId(n))
    }

    /// Number of parts merged.
    pub fn parts(&self) -> usize {
        self.parts.len()
    }
}

impl Dedup<'_> {
    /// Compacts, remaps and encodes.
    /// `ptr_size`: the result's pointer size.
    pub(super) fn finish(
        mut self,
        base: Option<&Arc<Btf>>,
        ptr_size: u32,
    ) -> Result<Merged, DedupError> {
        let start = self.s.start;
        let end = self.s.type_cnt();
        let mut compact = vec![UNPROCESSED; (end - start) as usize];
        let mut next = start;
        for id in start..end {
            if self.map[id as usize] == id {
                compact[(id - start) as usize] = next;
                next += 1;
            }
        }
        let mut b = match base {
            Some(base) => BtfBuilder::new_split(base),
            None => BtfBuilder::new(),
        };
        let kept: Vec<u32> = (start..end)
            .filter(|&id| self.map[id as usize] == id)
            .collect();
        for id in kept {
            let rec = self.s.rec(id).to_vec();
            let kind = super::shape::kind(&rec);
            let mut words = Vec::with_capacity(rec.len());
            for (i, &w) in rec.iter().enumerate() {
                words.push(match word_role(kind, i) {
                    Some(Word::Str) if !self.s.strings.is_base(w) => {
                        b.add_str(self.s.strings.text(w))
                    }
                    Some(Word::Type) => self
                        .final_id(w, &compact)?
                        .ok_or_else(|| self.s.unsupported(id, "when remapping its references"))?,
                    _ => w,
                });
            }
            let mut words = words.into_iter();
            let mut take = || words.next().unwrap_or(0);
            let (name_off, info, size_type) = (take(), take(), take());
            b.push(RawType {
                name_off,
                info,
                size_type,
                trailer: words.collect(),
            });
        }
        let mut appended = Vec::with_capacity(compact.len());
        for id in start..end {
            appended.push(self.final_id(id, &compact)?.unwrap_or(0));
        }
        let mut base_moved = Vec::new();
        for id in 1..start {
            if self.map[id as usize] != id {
                if let Some(n) = self.final_id(id, &compact)? {
                    base_moved.push((id, n));
                }
            }
        }
        let bytes = b.encode(&EncodeOptions {
            endian: base.map_or(Endian::Little, |b| b.endian()),
            ..EncodeOptions::default()
        });
        let mut btf = match base {
            Some(base) => Btf::parse_owned(bytes, Some(base.clone())),
            None => Btf::parse_owned(bytes, None),
        }
        .map_err(DedupError::Output)?;
        btf.set_ptr_size(ptr_size);
        Ok(Merged {
            btf,
            stats: DedupStats {
                types_in: end - start,
                types_out: next - start,
                work: self.budget.used,
            },
            parts: self.s.parts,
            start,
            appended,
            base_moved,
        })
    }

    /// The final id of the canonical type `id` resolves to (`None`: not a kept type).
    fn final_id(&mut self, id: u32, compact: &[u32]) -> Result<Option<u32>, DedupError> {
        let r = self.resolve(id)?;
        if r < self.s.start {
            return Ok(Some(r));
        }
        Ok(compact
            .get((r - self.s.start) as usize)
            .copied()
            .filter(|&n| n != UNPROCESSED))
    }
}
