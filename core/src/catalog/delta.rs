//! The BTF-aware delta: one build's BTF as edits of a reference build's.
//!
//! Builds of a kernel series (and, less so, of one release on several architectures) share
//! nearly all their types, but a byte delta sees little of it: one type inserted early shifts
//! every later type id, one string inserted shifts every later name offset, and every record
//! that mentions them changes. This codec works on records and strings instead:
//!
//! - strings: runs copied from the reference's string list, and literal strings;
//! - types: runs of records *copied* from the reference with their type ids and name
//!   offsets renumbered into the new build, runs of records *matched* to a reference record
//!   (so references to them renumber) but stored literally because they changed, and literal
//!   records without a counterpart.
//!
//! Renumbering goes through the matching itself (reference id → new id, reference string →
//! new string), so a changed `task_struct` is one literal record while the pointers, arrays
//! and prototypes that mention it stay copies. The encoder (packer side) finds the matching
//! with [`super::align`]; the decoder only follows the edits, checking every index.
//!
//! Encoding (before compression), all varints unless said:
//! ```text
//! header[24]  types  strings  ref_types  ref_strings
//! string ops:  count, then per op  (len << 1 | copy)  [zigzag(ref start − expected) if copy]
//! literal strings:  byte count, bytes (NUL-terminated strings)
//! type ops:    count, then per op  (len << 2 | tag)  [zigzag(ref start − expected) unless literal]
//!              tag 0 copy, 1 matched but literal, 2 literal
//! literal records:  word count, words (u32 little-endian)
//! ```

use super::cursor::{Cursor, Sink};
use super::raw::{kind_vlen, record_words, RawBtf, MAX_RECORDS};
use crate::btf::Kind;
use crate::btf_write::{record_roles, Word};
use crate::error::{Error, Result};

/// Largest BTF blob the archive materialises.
pub const MAX_BTF_LEN: u64 = 64 << 20;

const COPY: u64 = 0;
const MATCHED: u64 = 1;
const LITERAL: u64 = 2;

/// Encodes `target` as edits of `reference`. Both must be structured ([`RawBtf`]) and of the
/// same byte order. The result is checked by decoding it.
pub(crate) fn encode(reference: &RawBtf, target: &RawBtf) -> Result<Vec<u8>> {
    if reference.endian != target.endian {
        return Err(Error::unsupported(0, "delta between byte orders"));
    }
    let mut s = Sink::default();
    s.bytes(&target.header);
    s.var(target.types() as u64);
    s.var(target.str_starts.len() as u64);
    s.var(reference.types() as u64);
    s.var(reference.str_starts.len() as u64);

    // Strings: each target string that the reference has is copied from it.
    let mut index = std::collections::HashMap::with_capacity(reference.str_starts.len());
    for i in (0..reference.str_starts.len()).rev() {
        index.insert(reference.string(i), i as u32);
    }
    let mut str_map = vec![u32::MAX; reference.str_starts.len()];
    let mut ops: Vec<(bool, u32, u32)> = Vec::new(); // (copy, ref start, len)
    let mut literal = Vec::new();
    for i in 0..target.str_starts.len() {
        let st = target.string(i);
        match index.get(st) {
            Some(&r) => {
                str_map[r as usize] = i as u32;
                match ops.last_mut() {
                    Some((true, start, len)) if *start + *len == r => *len += 1,
                    _ => ops.push((true, r, 1)),
                }
            }
            None => {
                literal.extend_from_slice(st);
                literal.push(0);
                match ops.last_mut() {
                    Some((false, _, len)) => *len += 1,
                    _ => ops.push((false, 0, 1)),
                }
            }
        }
    }
    s.var(ops.len() as u64);
    let mut expected = 0i64;
    for &(copy, start, len) in &ops {
        s.var((len as u64) << 1 | copy as u64);
        if copy {
            s.svar(start as i64 - expected);
            expected = (start + len) as i64;
        }
    }
    s.var(literal.len() as u64);
    s.bytes(&literal);

    // Types: the matching, then which matched records are equal after renumbering.
    let partner = super::align::matching(reference, target);
    let mut type_map = vec![0u32; reference.types() + 1];
    for (t, &r) in partner.iter().enumerate() {
        if r != u32::MAX {
            type_map[r as usize + 1] = t as u32 + 1;
        }
    }
    let renumber = Renumber::new(reference, &type_map, &str_map, &target.str_starts);
    let mut ops: Vec<(u64, u32, u32)> = Vec::new(); // (tag, ref start, len)
    let mut words = Vec::new();
    let mut scratch = Vec::new();
    for (t, &r) in partner.iter().enumerate() {
        let tag = if r == u32::MAX {
            LITERAL
        } else {
            scratch.clear();
            let equal =
                renumber.record(r as usize, &mut scratch).is_ok() && scratch == target.record(t);
            if equal {
                COPY
            } else {
                MATCHED
            }
        };
        if tag != COPY {
            words.extend_from_slice(target.record(t));
        }
        match ops.last_mut() {
            Some((last, start, len)) if *last == tag && (tag == LITERAL || *start + *len == r) => {
                *len += 1
            }
            _ => ops.push((tag, r, 1)),
        }
    }
    s.var(ops.len() as u64);
    let mut expected = 0i64;
    for &(tag, start, len) in &ops {
        s.var((len as u64) << 2 | tag);
        if tag != LITERAL {
            s.svar(start as i64 - expected);
            expected = (start + len) as i64;
        }
    }
    s.var(words.len() as u64);
    for w in words {
        s.u32_le(w);
    }
    let out = s.out;
    let check = apply(reference, &out)?;
    if check != target.to_bytes() {
        return Err(Error::malformed(
            0,
            "delta does not reproduce its build (encoder bug)",
        ));
    }
    Ok(out)
}

/// Rewrites a reference record into the target's numbering.
struct Renumber<'a> {
    reference: &'a RawBtf,
    /// Reference type id → target type id (0: none; index 0 is void → void).
    type_map: &'a [u32],
    /// Reference string index → byte offset of the same string in the target (`u32::MAX`:
    /// none). One lookup per name instead of index, then offset.
    str_offset: Vec<u32>,
    /// Per [`BLOCK`] bytes of the reference's string section, the distance its strings move
    /// by in the target, when every string the block overlaps is copied and moves by the same
    /// distance (else [`MIXED`]). Strings are copied in long runs, so nearly every name
    /// resolves with this one load from a small table; the rest take [`Renumber::str_slow`].
    block_shift: Vec<i32>,
}

/// Bytes of the string section per [`Renumber::block_shift`] entry.
const BLOCK: usize = 32;
/// A [`Renumber::block_shift`] entry whose strings move apart or are not all copied.
const MIXED: i32 = i32::MIN;

/// Why a reference record cannot be renumbered (the decoder turns it into an error).
#[derive(Debug)]
enum Unmapped {
    Type(u32),
    Str(u32),
}

impl<'a> Renumber<'a> {
    fn new(
        reference: &'a RawBtf,
        type_map: &'a [u32],
        str_map: &[u32],
        target_starts: &[u32],
    ) -> Self {
        let str_offset: Vec<u32> = str_map
            .iter()
            .map(|&j| target_starts.get(j as usize).copied().unwrap_or(u32::MAX))
            .collect();
        let block_shift = block_shifts(reference, &str_offset);
        Renumber {
            reference,
            type_map,
            str_offset,
            block_shift,
        }
    }

    #[inline]
    fn ty(&self, w: u32) -> Result<u32, Unmapped> {
        if w == 0 {
            return Ok(0);
        }
        match self.type_map.get(w as usize) {
            Some(&t) if t != 0 => Ok(t),
            _ => Err(Unmapped::Type(w)),
        }
    }

    #[inline]
    fn str(&self, w: u32) -> Result<u32, Unmapped> {
        match self.block_shift.get(w as usize / BLOCK) {
            // In a block whose strings all moved by `shift`, so did `w`'s: its string's
            // target start plus `w`'s distance from that start, as `str_slow` finds it.
            Some(&shift) if shift > MIXED => Ok((w as i64 + shift as i64) as u32),
            _ => self.str_slow(w),
        }
    }

    #[cold]
    fn str_slow(&self, w: u32) -> Result<u32, Unmapped> {
        let (i, d) = self.reference.string_at(w).ok_or(Unmapped::Str(w))?;
        match self.str_offset.get(i) {
            Some(&o) if o != u32::MAX => Ok(o + d),
            _ => Err(Unmapped::Str(w)),
        }
    }

    #[inline]
    fn word(&self, role: Word, w: u32) -> Result<u32, Unmapped> {
        match role {
            Word::Data => Ok(w),
            Word::Type => self.ty(w),
            Word::Str => self.str(w),
        }
    }

    /// Appends reference record `r` renumbered. The roles are looked up once per record (the
    /// kind's table), and the element loops of the kinds a kernel is made of (members,
    /// enumerators, parameters) are written out: a role dispatch per word was the largest
    /// cost of applying a delta.
    fn record(&self, r: usize, out: &mut Vec<u32>) -> Result<(), Unmapped> {
        let rec = self.reference.record(r);
        let (kind, _) = kind_vlen(rec.get(1).copied().unwrap_or(0));
        let (Some((size_type, singular, elem)), [name, info, st, tail @ ..]) =
            (record_roles(kind), rec)
        else {
            // Not in the table, or too short for one (a reference has neither: RawBtf refuses
            // them): only the name is known.
            if let Some((&name, rest)) = rec.split_first() {
                out.push(self.str(name)?);
                out.extend_from_slice(rest);
            }
            return Ok(());
        };
        out.push(self.str(*name)?);
        out.push(*info);
        out.push(self.word(size_type, *st)?);
        let (one, elems) = tail.split_at(singular.len().min(tail.len()));
        for (&w, &role) in one.iter().zip(singular) {
            out.push(self.word(role, w)?);
        }
        if elem.is_empty() {
            out.extend_from_slice(elems);
            return Ok(());
        }
        let whole = elems.len() - elems.len() % elem.len();
        let (elems, rest) = elems.split_at(whole);
        match kind {
            Kind::STRUCT | Kind::UNION => {
                for m in elems.chunks_exact(3) {
                    out.extend_from_slice(&[self.str(m[0])?, self.ty(m[1])?, m[2]]);
                }
            }
            Kind::ENUM => {
                for e in elems.chunks_exact(2) {
                    out.extend_from_slice(&[self.str(e[0])?, e[1]]);
                }
            }
            Kind::FUNC_PROTO => {
                for p in elems.chunks_exact(2) {
                    out.extend_from_slice(&[self.str(p[0])?, self.ty(p[1])?]);
                }
            }
            _ => {
                for e in elems.chunks_exact(elem.len()) {
                    for (&w, &role) in e.iter().zip(elem) {
                        out.push(self.word(role, w)?);
                    }
                }
            }
        }
        // A trailing partial element (none in a record of the table's size).
        for (&w, &role) in rest.iter().zip(elem) {
            out.push(self.word(role, w)?);
        }
        Ok(())
    }
}

/// [`Renumber::block_shift`] for a reference whose strings land at `str_offset` in the
/// target: the blocks that lie wholly inside one run of strings moved by the same distance.
fn block_shifts(reference: &RawBtf, str_offset: &[u32]) -> Vec<i32> {
    let len = reference.strings.len();
    let mut shifts = vec![MIXED; len.div_ceil(BLOCK)];
    let shift_of = |i: usize| {
        let (from, to) = (reference.str_starts[i], str_offset[i]);
        let shift = i64::from(to) - i64::from(from);
        (to != u32::MAX && shift > i64::from(MIXED) && shift <= i64::from(i32::MAX))
            .then_some(shift as i32)
    };
    let mut i = 0;
    while i < str_offset.len() {
        let shift = shift_of(i);
        let mut j = i + 1;
        while j < str_offset.len() && shift_of(j) == shift {
            j += 1;
        }
        // Strings i..j with their NULs: bytes from i's start to j's.
        let (from, to) = (
            reference.str_starts[i] as usize,
            reference.str_starts.get(j).map_or(len, |&s| s as usize),
        );
        let whole = from.div_ceil(BLOCK)..to / BLOCK;
        if let (Some(shift), false) = (shift, whole.is_empty()) {
            shifts[whole].fill(shift);
        }
        i = j;
    }
    shifts
}

/// Rebuilds a build's BTF from its reference and its delta. Every count, index and length
/// is checked; errors carry the offset in the (decompressed) delta.
pub(crate) fn apply(reference: &RawBtf, delta: &[u8]) -> Result<Vec<u8>> {
    let mut c = Cursor::new(delta);
    let header: [u8; 24] = c
        .bytes(24, "BTF header")?
        .try_into()
        .map_err(|_| c.error("BTF header"))?;
    let endian = crate::btf::Header::sniff(&header)
        .ok_or_else(|| Error::malformed(0, "delta's BTF header has no BTF magic"))?;
    if endian != reference.endian {
        return Err(Error::malformed(
            0,
            "delta's byte order differs from its reference's",
        ));
    }
    let hw = |i: usize| endian.u32([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let (type_len, str_len) = (hw(12) as u64, hw(20) as u64);
    if 24 + type_len + str_len > MAX_BTF_LEN || type_len % 4 != 0 {
        return Err(Error::limit(
            12,
            "delta's BTF is larger than the archive's limit",
        ));
    }
    let types = c.var_max("type count", MAX_RECORDS as u64)? as usize;
    let strings = c.var_max("string count", str_len)? as usize;
    let at = c.pos();
    if c.var("reference type count")? != reference.types() as u64
        || c.var("reference string count")? != reference.str_starts.len() as u64
    {
        return Err(Error::malformed(
            at,
            "delta was made against another reference",
        ));
    }

    // Strings.
    let n_ops = c.var_max("string op count", strings as u64)?;
    let mut str_ops = Vec::with_capacity(n_ops as usize);
    let mut expected = 0i64;
    let mut total = 0u64;
    for _ in 0..n_ops {
        let at = c.pos();
        let v = c.var("string op")?;
        let (copy, len) = (v & 1 == 1, v >> 1);
        total += len;
        if total > strings as u64 {
            return Err(Error::malformed(
                at,
                "string ops give more strings than declared",
            ));
        }
        let start = if copy {
            let start = expected + c.svar("string copy start")?;
            if start < 0 || start as u64 + len > reference.str_starts.len() as u64 {
                return Err(Error::malformed(at, "string copy outside the reference"));
            }
            expected = start + len as i64;
            start as u32
        } else {
            0
        };
        str_ops.push((copy, start, len as u32));
    }
    if total != strings as u64 {
        return Err(c.error("string ops give fewer strings than declared"));
    }
    let lit_len = c.var_max("literal string bytes", str_len)? as usize;
    let lit_at = c.pos();
    let literal = c.bytes(lit_len, "literal strings")?;
    let mut out_strings = Vec::with_capacity(str_len as usize);
    let mut starts = Vec::with_capacity(strings);
    let mut str_map = vec![u32::MAX; reference.str_starts.len()];
    let mut lit = 0usize;
    let too_long = || Error::malformed(lit_at, "strings exceed the header's length");
    for &(copy, start, len) in &str_ops {
        if copy {
            if len == 0 {
                // Checked against the reference's count only as `start + 0`: `start` may be
                // one past its last string, which has no start to read.
                continue;
            }
            // A run of consecutive reference strings is one slice of its section (each ends
            // in its NUL): copied at once, its strings' starts shifted by the same amount.
            let (first, end) = (start as usize, start as usize + len as usize);
            let lo = reference.str_starts[first];
            let hi = reference
                .str_starts
                .get(end)
                .map_or(reference.strings.len(), |&s| s as usize);
            let base = out_strings.len() as u32;
            if (base as usize + hi - lo as usize) as u64 > str_len {
                return Err(too_long());
            }
            for (k, &s) in reference.str_starts[first..end].iter().enumerate() {
                str_map[first + k] = (starts.len()) as u32;
                starts.push(base + (s - lo));
            }
            out_strings.extend_from_slice(&reference.strings[lo as usize..hi]);
            continue;
        }
        for _ in 0..len {
            let end = memchr::memchr(0, &literal[lit..])
                .ok_or_else(|| Error::malformed(lit_at + lit as u64, "literal strings run out"))?;
            let piece = &literal[lit..lit + end];
            lit += end + 1;
            if (out_strings.len() + piece.len() + 1) as u64 > str_len {
                return Err(too_long());
            }
            starts.push(out_strings.len() as u32);
            out_strings.extend_from_slice(piece);
            out_strings.push(0);
        }
    }
    if lit != literal.len() || out_strings.len() as u64 != str_len {
        return Err(Error::malformed(
            lit_at,
            "strings do not add up to the header's length",
        ));
    }

    // Types: the matching first (renumbering needs all of it), then the records.
    let n_ops = c.var_max("type op count", types as u64)?;
    let mut type_ops = Vec::with_capacity(n_ops as usize);
    let mut type_map = vec![0u32; reference.types() + 1];
    let mut expected = 0i64;
    let mut next = 0u64;
    for _ in 0..n_ops {
        let at = c.pos();
        let v = c.var("type op")?;
        let (tag, len) = (v & 3, v >> 2);
        if tag > LITERAL {
            return Err(Error::malformed(at, format!("unknown type op {tag}")));
        }
        if next + len > types as u64 {
            return Err(Error::malformed(
                at,
                "type ops give more types than declared",
            ));
        }
        let mut start = 0u32;
        if tag != LITERAL {
            let s = expected + c.svar("type copy start")?;
            if s < 0 || s as u64 + len > reference.types() as u64 {
                return Err(Error::malformed(at, "type copy outside the reference"));
            }
            expected = s + len as i64;
            start = s as u32;
            for k in 0..len as u32 {
                type_map[(start + k) as usize + 1] = next as u32 + k + 1;
            }
        }
        next += len;
        type_ops.push((at, tag, start, len as u32));
    }
    if next != types as u64 {
        return Err(c.error("type ops give fewer types than declared"));
    }
    let n_words = c.var_max("literal word count", type_len / 4)? as usize;
    let words_at = c.pos();
    let raw_words = c.bytes(n_words * 4, "literal records")?;
    if !c.at_end() {
        return Err(c.error("bytes after the delta"));
    }
    let mut out_words: Vec<u32> = Vec::with_capacity(type_len as usize / 4);
    let renumber = Renumber::new(reference, &type_map, &str_map, &starts);
    let mut lit = 0usize; // next literal word
    let word = |i: usize| {
        let b = &raw_words[i * 4..i * 4 + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    };
    for &(at, tag, start, len) in &type_ops {
        for k in 0..len as usize {
            if tag == COPY {
                renumber
                    .record(start as usize + k, &mut out_words)
                    .map_err(|u| match u {
                        Unmapped::Type(id) => Error::malformed(
                            at,
                            format!("copied type refers to reference type {id}, which has no counterpart"),
                        ),
                        Unmapped::Str(off) => Error::malformed(
                            at,
                            format!("copied type names reference string 0x{off:x}, which has no counterpart"),
                        ),
                    })?;
            } else {
                let pos = words_at + lit as u64 * 4;
                if lit + 3 > n_words {
                    return Err(Error::malformed(pos, "literal records run out"));
                }
                let (kind, vlen) = kind_vlen(word(lit + 1));
                let n = record_words(kind, vlen)
                    .ok_or_else(|| Error::malformed(pos, format!("unknown kind {}", kind.0)))?;
                if lit + n > n_words {
                    return Err(Error::malformed(pos, "literal records run out"));
                }
                out_words.extend((lit..lit + n).map(word));
                lit += n;
            }
            if out_words.len() as u64 * 4 > type_len {
                return Err(Error::malformed(at, "types exceed the header's length"));
            }
        }
    }
    if lit != n_words || out_words.len() as u64 * 4 != type_len {
        return Err(Error::malformed(
            words_at,
            "types do not add up to the header's length",
        ));
    }
    // Written in place, not pushed word by word (a capacity check per word).
    let types_end = 24 + type_len as usize;
    let mut out = vec![0u8; types_end + str_len as usize];
    out[..24].copy_from_slice(&header);
    for (to, &w) in out[24..types_end].chunks_exact_mut(4).zip(&out_words) {
        to.copy_from_slice(&endian.u32_bytes(w));
    }
    out[types_end..].copy_from_slice(&out_strings);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A blob with no types and `strings` (each NUL-terminated after the leading empty one).
    fn strings_only(strings: &[Vec<u8>]) -> RawBtf {
        let mut section = vec![0u8];
        for s in strings {
            section.extend_from_slice(s);
            section.push(0);
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&crate::btf::MAGIC.to_le_bytes());
        blob.extend_from_slice(&[1, 0]);
        for w in [24u32, 0, 0, 0, section.len() as u32] {
            blob.extend_from_slice(&w.to_le_bytes());
        }
        blob.extend_from_slice(&section);
        RawBtf::parse(&blob).expect("a structured blob")
    }

    proptest! {
        /// Every offset of the reference's string section, and some past it, resolves through
        /// the block table exactly as string by string: copied strings in runs that move
        /// apart, strings not copied, and runs shorter than a block.
        #[test]
        fn block_shifts_resolve_names_as_string_by_string(
            strings in prop::collection::vec(prop::collection::vec(b'a'..=b'z', 0..40), 0..80),
            plan in prop::collection::vec((any::<bool>(), 0u32..3, 0u32..50), 81),
        ) {
            let reference = strings_only(&strings);
            // The target: the reference's strings in order, some dropped, with a gap (strings
            // of its own) before about one in three (`gap_roll == 0`).
            let (mut target_starts, mut str_map, mut at) = (Vec::new(), Vec::new(), 0u32);
            for (i, &(copied, gap_roll, gap)) in plan.iter().enumerate().take(reference.str_starts.len()) {
                if gap_roll == 0 {
                    at += gap;
                }
                if copied || i == 0 {
                    str_map.push(target_starts.len() as u32);
                    target_starts.push(at);
                    at += reference.string(i).len() as u32 + 1;
                } else {
                    str_map.push(u32::MAX);
                }
            }
            let renumber = Renumber::new(&reference, &[0], &str_map, &target_starts);
            for w in 0..reference.strings.len() as u32 + 2 * BLOCK as u32 {
                let (fast, slow) = (renumber.str(w), renumber.str_slow(w));
                prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "offset {}", w);
            }
        }
    }
}
