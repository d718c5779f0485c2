//! A kernel BTF blob as the delta codec sees it: the header's bytes, the type records as
//! native-order words with the word index of each record, and the string section as a list
//! of NUL-terminated strings.
//!
//! Only the plain shape that every kernel build has is accepted ("structured"): a 24-byte
//! header, the type section right after it, the string section right after that, nothing
//! else in the blob, every kind known, a string section that starts and ends with NUL. A
//! blob of any other shape is stored whole in the archive and is never a delta reference.

use crate::btf::{Kind, CLASSIC_HEADER_LEN, MAGIC};
use crate::btf_write::{record_roles, Word};
use crate::bytes::Endian;

/// A structured BTF blob split into the parts the delta codec works on.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct RawBtf {
    pub endian: Endian,
    /// The 24 header bytes, exactly as in the blob.
    pub header: [u8; 24],
    /// The type section as native-order words.
    pub words: Vec<u32>,
    /// Word index of each record (type id `i + 1` starts at `rec_start[i]`), plus the end.
    pub rec_start: Vec<u32>,
    /// The string section.
    pub strings: Vec<u8>,
    /// Byte offset of each NUL-terminated string in `strings` (the first is the empty
    /// string at 0).
    pub str_starts: Vec<u32>,
    /// Which string a byte offset falls in, for [`RawBtf::string_at`].
    str_rank: StartRank,
}

/// Most records a blob may hold (libbpf's own id limit).
pub(crate) const MAX_RECORDS: usize = crate::btf::MAX_TYPES as usize;

impl RawBtf {
    /// Splits `data`; `None` when the blob is not of the structured shape (see the module).
    pub fn parse(data: &[u8]) -> Option<RawBtf> {
        let endian = crate::btf::Header::sniff(data)?;
        let header: [u8; 24] = data.get(..24)?.try_into().ok()?;
        let w = |i: usize| endian.u32(header[i..i + 4].try_into().unwrap_or([0; 4]));
        let (magic, hdr_len) = (endian.u16([header[0], header[1]]), w(4));
        let (type_off, type_len, str_off, str_len) = (w(8), w(12), w(16), w(20));
        if magic != MAGIC
            || header[2] != 1
            || header[3] != 0
            || hdr_len != CLASSIC_HEADER_LEN
            || type_off != 0
            || str_off != type_len
            || type_len % 4 != 0
            || (24 + type_len as u64 + str_len as u64) != data.len() as u64
        {
            return None;
        }
        let types = &data[24..24 + type_len as usize];
        let strings = data[24 + type_len as usize..].to_vec();
        if strings.first() != Some(&0) || strings.last() != Some(&0) {
            return None;
        }
        let words: Vec<u32> = types
            .chunks_exact(4)
            .map(|c| endian.u32([c[0], c[1], c[2], c[3]]))
            .collect();
        let rec_start = record_starts(&words)?;
        let str_starts = string_starts(&strings);
        let str_rank = StartRank::new(strings.len(), &str_starts);
        Some(RawBtf {
            endian,
            header,
            words,
            rec_start,
            strings,
            str_starts,
            str_rank,
        })
    }

    /// Number of type records (the largest type id).
    pub fn types(&self) -> usize {
        self.rec_start.len() - 1
    }

    /// The words of record `i` (type id `i + 1`).
    pub fn record(&self, i: usize) -> &[u32] {
        &self.words[self.rec_start[i] as usize..self.rec_start[i + 1] as usize]
    }

    /// The bytes of string `i`, without its NUL.
    pub fn string(&self, i: usize) -> &[u8] {
        let start = self.str_starts[i] as usize;
        let end = self
            .str_starts
            .get(i + 1)
            .map_or(self.strings.len(), |&s| s as usize);
        &self.strings[start..end - 1]
    }

    /// The string index holding byte offset `off`, and `off`'s distance from its start.
    pub fn string_at(&self, off: u32) -> Option<(usize, u32)> {
        if off as usize >= self.strings.len() {
            return None;
        }
        let i = self.str_rank.strings_through(off) - 1;
        Some((i, off - self.str_starts[i]))
    }

    /// The blob, byte for byte.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(24 + self.words.len() * 4 + self.strings.len());
        out.extend_from_slice(&self.header);
        for &w in &self.words {
            out.extend_from_slice(&self.endian.u32_bytes(w));
        }
        out.extend_from_slice(&self.strings);
        out
    }
}

/// Counts the string starts at or before a byte offset in constant time: one bit per byte
/// of the string section, set where a string starts, and the count of starts before each
/// 64-byte block. Applying a delta looks up the string of every name a copied record
/// carries (hundreds of thousands per kernel); a binary search over the starts for each was
/// 70% of applying one (perf, native), its probes missing the cache.
#[derive(Debug, Clone)]
struct StartRank {
    bits: Vec<u64>,
    before: Vec<u32>,
}

impl StartRank {
    /// The index of a section `len` bytes long whose strings start at `starts`.
    fn new(len: usize, starts: &[u32]) -> StartRank {
        let mut bits = vec![0u64; len.div_ceil(64)];
        for &s in starts {
            bits[s as usize / 64] |= 1 << (s % 64);
        }
        let mut before = Vec::with_capacity(bits.len());
        let mut count = 0u32;
        for w in &bits {
            before.push(count);
            count += w.count_ones();
        }
        StartRank { bits, before }
    }

    /// How many strings start at or before `off` (which lies inside the section).
    fn strings_through(&self, off: u32) -> usize {
        let (block, bit) = (off as usize / 64, off % 64);
        let through = self.bits[block] & (u64::MAX >> (63 - bit));
        (self.before[block] + through.count_ones()) as usize
    }
}

/// Words of a record of `kind` with `vlen` elements, `None` for kinds outside the table.
pub(crate) fn record_words(kind: Kind, vlen: u32) -> Option<usize> {
    let layout = kind.known_layout()?;
    Some(3 + layout.info_size as usize / 4 + vlen as usize * layout.elem_size as usize / 4)
}

/// Kind and vlen of a record's `info` word.
pub(crate) fn kind_vlen(info: u32) -> (Kind, u32) {
    (Kind(((info >> 24) & 0x1f) as u8), info & 0xffff)
}

/// Word index of each record and the end, or `None` if a record is of an unknown kind or
/// the records do not exactly fill the section.
pub(crate) fn record_starts(words: &[u32]) -> Option<Vec<u32>> {
    let mut starts = Vec::with_capacity(words.len() / 4 + 1);
    let mut at = 0usize;
    while at < words.len() {
        if starts.len() >= MAX_RECORDS {
            return None;
        }
        starts.push(at as u32);
        let (kind, vlen) = kind_vlen(*words.get(at + 1)?);
        record_roles(kind)?;
        at += record_words(kind, vlen)?;
    }
    (at == words.len()).then(|| {
        starts.push(at as u32);
        starts
    })
}

/// Start offset of every NUL-terminated string of a section that ends with NUL.
pub(crate) fn string_starts(strings: &[u8]) -> Vec<u32> {
    let mut starts = vec![0u32];
    for i in memchr::memchr_iter(0, strings) {
        if i + 1 < strings.len() {
            starts.push(i as u32 + 1);
        }
    }
    starts
}

/// The role of each word of a record (`record[0]` is `name_off`), for a known kind.
pub(crate) fn roles(record: &[u32]) -> impl Iterator<Item = Word> + '_ {
    let (kind, _) = kind_vlen(record.get(1).copied().unwrap_or(0));
    let table = record_roles(kind);
    (0..record.len()).map(move |i| match (i, table) {
        (0, _) => Word::Str,
        (1, _) | (_, None) => Word::Data,
        (2, Some((size_type, _, _))) => size_type,
        (_, Some((_, singular, elem))) => {
            let j = i - 3;
            if j < singular.len() {
                singular[j]
            } else if elem.is_empty() {
                Word::Data
            } else {
                elem[(j - singular.len()) % elem.len()]
            }
        }
    })
}
