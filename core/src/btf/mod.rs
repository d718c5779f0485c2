//! Raw BTF: parse a blob (either byte order, split over a base), validate it the way libbpf
//! does, and look at its types.
//!
//! The pipeline mirrors libbpf's `btf_new`: header → string section → layout section → type
//! section (one pass that indexes record offsets) → sanity check → reference-loop check.
//! After [`Btf::parse`] succeeds, every type id a record refers to is in range and every name
//! offset resolves, so the accessors of [`Type`] need no `Result`.
//!
//! Representation: the type section is copied once into native `u32` words (BTF records are
//! made of 32-bit fields and 4-byte aligned), so both byte orders read the same way afterwards
//! and decoding a field is an array index. Types are *views* ([`Type`]) into those words,
//! decoded on demand; nothing builds a type tree.
//!
//! Reference: ../shared/spec/core-spec.md §1.

mod header;
mod kind;
mod names;
mod size;
mod types;
mod validate;

use std::sync::{Arc, OnceLock};

use crate::bytes::{Bytes, Endian};
use crate::error::{Error, Result};

pub use header::{Header, CLASSIC_HEADER_LEN, LAYOUT_HEADER_LEN, MAGIC};
pub use kind::{Kind, KindLayout};
pub use names::essential_name;
pub use size::SizeError;
pub use types::{
    ArrayInfo, EnumValue, IntEncoding, IntInfo, Member, MemberLayout, Param, Type, VarSecinfo,
};

/// A BTF type id. Id 0 is `void`; split BTF continues the ids of its base.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TypeId(pub u32);

impl TypeId {
    /// `void`.
    pub const VOID: TypeId = TypeId(0);

    /// Whether this is `void` (id 0).
    pub fn is_void(self) -> bool {
        self.0 == 0
    }
}

impl std::fmt::Debug for TypeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}]", self.0)
    }
}

impl std::fmt::Display for TypeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Limits that keep hostile input from costing unbounded time or memory.
pub const MAX_TYPES: u32 = 0x00ff_ffff;

/// A parsed, validated BTF blob: a base BTF, or split BTF layered over one.
pub struct Btf {
    header: Header,
    /// The own type section as native-order words.
    words: Vec<u32>,
    /// Word index of each own type's record, indexed by `id - start_id`.
    type_offs: Vec<u32>,
    /// The own string section; invalid UTF-8 bytes replaced by `?` (offsets are preserved).
    strings: Box<str>,
    /// First own type id (1 for base BTF).
    start_id: u32,
    /// First own string offset (0 for base BTF).
    start_str_off: u32,
    base: Option<Arc<Btf>>,
    /// The layout section, if present (indexed by kind number).
    layout: Option<Vec<KindLayout>>,
    ptr_size: u32,
    /// Size of the raw blob this was parsed from.
    raw_size: usize,
    name_indexes: OnceLock<names::NameIndexes>,
}

impl std::fmt::Debug for Btf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Btf")
            .field("endian", &self.header.endian)
            .field("start_id", &self.start_id)
            .field("types", &self.type_offs.len())
            .field("split", &self.base.is_some())
            .finish()
    }
}

/// A blob parsed except for its string section.
struct Parts {
    header: Header,
    words: Vec<u32>,
    type_offs: Vec<u32>,
    start_id: u32,
    start_str_off: u32,
    layout: Option<Vec<KindLayout>>,
    raw_size: usize,
}

impl Parts {
    /// Adds the strings and validates the whole.
    fn finish(self, strings: Box<str>, base: Option<Arc<Btf>>) -> Result<Btf> {
        let mut btf = Btf {
            header: self.header,
            words: self.words,
            type_offs: self.type_offs,
            strings,
            start_id: self.start_id,
            start_str_off: self.start_str_off,
            base,
            layout: self.layout,
            ptr_size: 8,
            raw_size: self.raw_size,
            name_indexes: OnceLock::new(),
        };
        validate::sanity_check(&btf)?;
        validate::reference_loops(&btf)?;
        btf.ptr_size = match &btf.base {
            Some(base) => base.ptr_size,
            None => size::guess_ptr_size(&btf),
        };
        Ok(btf)
    }
}

impl Btf {
    /// Parses a standalone (base) BTF blob.
    pub fn parse(data: &[u8]) -> Result<Btf> {
        Btf::parse_inner(data, None)
    }

    /// Parses split BTF (e.g. a kernel module's) whose ids and strings continue `base`'s.
    pub fn parse_split(data: &[u8], base: Arc<Btf>) -> Result<Btf> {
        Btf::parse_inner(data, Some(base))
    }

    /// [`Btf::parse`] (or [`Btf::parse_split`] with a base) taking the blob by value: its
    /// buffer is reused for the string section and the rest released, so peak memory is the
    /// blob plus the type words instead of the blob plus a copy of both sections.
    pub fn parse_owned(data: Vec<u8>, base: Option<Arc<Btf>>) -> Result<Btf> {
        let (parts, strings) = Btf::parse_parts(&data, base.as_ref())?;
        let strings = match strings {
            Some(range) => owned_strings(data, range),
            None => Box::from(""),
        };
        parts.finish(strings, base)
    }

    fn parse_inner(data: &[u8], base: Option<Arc<Btf>>) -> Result<Btf> {
        let (parts, strings) = Btf::parse_parts(data, base.as_ref())?;
        let strings = match strings {
            Some(range) => sanitize_utf8(data.get(range).unwrap_or_default()),
            None => Box::from(""),
        };
        parts.finish(strings, base)
    }

    /// Everything but the string section, which is only validated: its byte range is
    /// returned (`None`: the empty section of split BTF).
    fn parse_parts(
        data: &[u8],
        base: Option<&Arc<Btf>>,
    ) -> Result<(Parts, Option<std::ops::Range<usize>>)> {
        let header = Header::parse(data)?;
        let b = Bytes::new(data, header.endian);
        let (start_id, start_str_off) = match base {
            Some(base) => (
                base.type_cnt(),
                base.start_str_off + base.strings.len() as u32,
            ),
            None => (1, 0),
        };
        let strings = parse_strings(&b, &header, base.is_some())?;
        let layout = parse_layout(&b, &header)?;
        let layout_for_types = layout.as_deref().or_else(|| base.and_then(|b| b.layout()));
        let (words, type_offs) = parse_types(&b, &header, start_id, layout_for_types)?;
        let parts = Parts {
            header,
            words,
            type_offs,
            start_id,
            start_str_off,
            layout,
            raw_size: data.len(),
        };
        Ok((parts, strings))
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The byte order of the blob this was parsed from.
    pub fn endian(&self) -> Endian {
        self.header.endian
    }

    /// Size in bytes of the raw blob this was parsed from.
    pub fn raw_size(&self) -> usize {
        self.raw_size
    }

    /// The base this split BTF is layered over.
    pub fn base(&self) -> Option<&Arc<Btf>> {
        self.base.as_ref()
    }

    /// Whether this is split BTF.
    pub fn is_split(&self) -> bool {
        self.base.is_some()
    }

    /// The layout section, if the blob has one.
    pub fn layout(&self) -> Option<&[KindLayout]> {
        self.layout.as_deref()
    }

    /// First type id defined by this blob (1, or the base's type count for split BTF).
    pub fn start_id(&self) -> TypeId {
        TypeId(self.start_id)
    }

    /// One past the last valid type id, counting the base (libbpf's `btf__type_cnt`).
    pub fn type_cnt(&self) -> u32 {
        self.start_id + self.type_offs.len() as u32
    }

    /// Number of types this blob itself defines.
    pub fn own_type_count(&self) -> u32 {
        self.type_offs.len() as u32
    }

    /// Ids of the types this blob itself defines, in order.
    pub fn own_ids(&self) -> impl DoubleEndedIterator<Item = TypeId> + ExactSizeIterator {
        (self.start_id..self.type_cnt()).map(TypeId)
    }

    /// Every valid non-void id, base first.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = TypeId> + ExactSizeIterator {
        (1..self.type_cnt()).map(TypeId)
    }

    /// The pointer size libbpf would use for this BTF: the size of the first `long`-like INT,
    /// else 8 (never the host's; a wasm32 host would say 4). Split BTF inherits its base's.
    pub fn ptr_size(&self) -> u32 {
        self.ptr_size
    }

    /// Overrides the pointer size (libbpf forces 8 for BTF from a BPF object).
    pub fn set_ptr_size(&mut self, size: u32) {
        self.ptr_size = size;
    }

    /// The type with id `id`, or `None` if out of range. Id 0 gives the void type.
    #[inline]
    pub fn type_by_id(&self, id: TypeId) -> Option<Type<'_>> {
        if id.0 == 0 {
            return Some(Type::void(self));
        }
        if id.0 < self.start_id {
            return self.base.as_deref()?.type_by_id(id);
        }
        let idx = (id.0 - self.start_id) as usize;
        let off = *self.type_offs.get(idx)? as usize;
        let end = self
            .type_offs
            .get(idx + 1)
            .map_or(self.words.len(), |&e| e as usize);
        Some(Type::new(self, id, &self.words[off..end]))
    }

    /// The type with id `id`. Validation guarantees that every id a record refers to is in
    /// range; an id that is not (e.g. computed by the caller) yields the void type.
    #[inline]
    pub fn ty(&self, id: TypeId) -> Type<'_> {
        self.type_by_id(id).unwrap_or_else(|| Type::void(self))
    }

    /// The string at offset `off` of the (combined base + own) string section, or `None` if
    /// the offset is out of range.
    pub fn str_at(&self, off: u32) -> Option<&str> {
        if off < self.start_str_off {
            return self.base.as_deref()?.str_at(off);
        }
        let rel = (off - self.start_str_off) as usize;
        let rest = self.strings.get(rel..)?;
        let end = find_nul(rest.as_bytes())?;
        rest.get(..end)
    }

    /// Whether `off` names a string: libbpf's check that a name offset is in range (the
    /// section ends in a NUL, so every in-range offset starts a terminated string).
    pub fn str_valid(&self, off: u32) -> bool {
        if off < self.start_str_off {
            return self.base.as_deref().is_some_and(|b| b.str_valid(off));
        }
        let rel = (off - self.start_str_off) as usize;
        rel < self.strings.len() && self.strings.is_char_boundary(rel)
    }

    /// The string at `off`, or `""` if out of range (validated records never are).
    pub fn name(&self, off: u32) -> &str {
        self.str_at(off).unwrap_or("")
    }

    /// The own string section's length in bytes.
    pub fn own_strings_len(&self) -> u32 {
        self.strings.len() as u32
    }

    /// The own string section as parsed (NUL-separated; invalid UTF-8 bytes read as `?`).
    /// Offset `start_str_off() + i` names the string starting at byte `i`.
    pub fn own_strings(&self) -> &str {
        &self.strings
    }

    /// First string offset of this blob's own string section.
    pub fn start_str_off(&self) -> u32 {
        self.start_str_off
    }

    /// Types named exactly `name`, in id order (base first).
    pub fn find_by_name<'s>(&'s self, name: &'s str) -> impl Iterator<Item = TypeId> + 's {
        let base: Box<dyn Iterator<Item = TypeId> + 's> = match self.base.as_deref() {
            Some(b) => Box::new(b.find_by_name(name)),
            None => Box::new(std::iter::empty()),
        };
        let own: Box<dyn Iterator<Item = TypeId> + 's> = if name.is_empty() {
            // Anonymous types are not indexed (about half a kernel's): a scan, for the rare
            // caller that asks for them.
            Box::new(
                self.own_ids()
                    .filter(move |&id| self.ty(id).name().is_empty()),
            )
        } else {
            Box::new(self.name_index().lookup(self, name, |t| t.name()))
        };
        base.chain(own)
    }

    /// The first type of kind `kind` named exactly `name`.
    pub fn find_by_name_kind(&self, name: &str, kind: Kind) -> Option<TypeId> {
        self.find_by_name(name)
            .find(|&id| self.ty(id).kind() == kind)
    }

    /// Types whose essential name (flavor suffix `___x` removed) is `ess`, in id order.
    pub fn find_by_essential_name<'s>(&'s self, ess: &'s str) -> impl Iterator<Item = TypeId> + 's {
        let base: Box<dyn Iterator<Item = TypeId> + 's> = match self.base.as_deref() {
            Some(b) => Box::new(b.find_by_essential_name(ess)),
            None => Box::new(std::iter::empty()),
        };
        let own: Box<dyn Iterator<Item = TypeId> + 's> = if ess.is_empty() {
            // Only an empty name has an empty essential name.
            Box::new(
                self.own_ids()
                    .filter(move |&id| self.ty(id).name().is_empty()),
            )
        } else {
            // The types named `ess` itself (unless that name carries a flavor of its own) and
            // the flavored ones (`ess___x`): two disjoint sets, merged in id order. Most
            // names have no flavor, so the name index serves and only the few flavored
            // names get an index of their own.
            let mut ids: Vec<TypeId> = self
                .name_index()
                .lookup(self, ess, |t| t.name())
                .filter(|&id| essential_name(self.ty(id).name()) == ess)
                .chain(
                    self.flavored_index()
                        .lookup(self, ess, |t| essential_name(t.name())),
                )
                .collect();
            ids.sort_unstable();
            Box::new(ids.into_iter())
        };
        base.chain(own)
    }

    /// This blob's named types by name (anonymous ones left out).
    fn name_index(&self) -> &names::NameIndex {
        &self.name_indexes().plain
    }

    /// This blob's flavored types (`task_struct___2`) by essential name.
    fn flavored_index(&self) -> &names::NameIndex {
        &self.name_indexes().flavored
    }

    /// Both, built together on the first lookup (one pass over the records).
    fn name_indexes(&self) -> &names::NameIndexes {
        self.name_indexes
            .get_or_init(|| names::NameIndexes::build(self))
    }

    /// Follows modifiers and typedefs (VOLATILE, CONST, RESTRICT, TYPE_TAG, TYPEDEF) from `id`
    /// to the first other type (libbpf `skip_mods_and_typedefs`).
    pub fn skip_mods_and_typedefs(&self, id: TypeId) -> Type<'_> {
        size::skip_mods_and_typedefs(self, id)
    }

    /// libbpf's `btf__resolve_size`: the size in bytes of type `id`.
    pub fn resolve_size(&self, id: TypeId) -> Result<u32, SizeError> {
        size::resolve_size(self, id)
    }

    /// libbpf's `btf__align_of`: the natural alignment of type `id`; `Ok(0)` for kinds that
    /// have none (void, FWD, FUNC_PROTO, …), as libbpf returns 0 for them.
    pub fn align_of(&self, id: TypeId) -> Result<u32, SizeError> {
        size::align_of(self, id)
    }
}

/// The index of the first NUL byte. Most BTF names are short: the first 32 bytes are scanned
/// eight at a time (a word has a zero byte iff `(w - 0x01…) & !w & 0x80…` is non-zero, and
/// its lowest set bit marks the first one), which beats memchr's setup; longer strings go to
/// memchr.
fn find_nul(b: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while i < 32 {
        let Some(c) = b.get(i..i + 8) else {
            return b[i..].iter().position(|&x| x == 0).map(|p| i + p);
        };
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let z = w.wrapping_sub(LO) & !w & HI;
        if z != 0 {
            return Some(i + (z.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    memchr::memchr(0, &b[i..]).map(|p| i + p)
}

/// Checks the string section against libbpf's rules (§1.4); returns its byte range (`None`
/// for the empty section split BTF may have).
fn parse_strings(b: &Bytes<'_>, h: &Header, split: bool) -> Result<Option<std::ops::Range<usize>>> {
    let start = h.strings_start();
    let raw = b.slice(start, u64::from(h.str_len), "BTF string section")?;
    if split && raw.is_empty() {
        return Ok(None);
    }
    if raw.is_empty() || raw.len() - 1 > 0x7fff_ffff || raw.last() != Some(&0) {
        return Err(Error::malformed(
            start + raw.len().saturating_sub(1) as u64,
            "invalid BTF string section: it must be non-empty and end with a NUL byte",
        ));
    }
    if !split && raw[0] != 0 {
        return Err(Error::malformed(
            start,
            "malformed BTF string section: it does not start with a NUL byte (split BTF needs its base: --base)",
        ));
    }
    let start = start as usize;
    Ok(Some(start..start + raw.len()))
}

/// The string section `range` of `data` as a `str`, in `data`'s own buffer: the section is
/// moved to the front, the rest released, invalid UTF-8 bytes replaced by `?` in place.
fn owned_strings(mut data: Vec<u8>, range: std::ops::Range<usize>) -> Box<str> {
    if range.end > data.len() {
        return Box::from("");
    }
    let len = range.len();
    data.copy_within(range, 0);
    data.truncate(len);
    let mut from = 0;
    while let Err(e) = std::str::from_utf8(&data[from..]) {
        let bad_at = from + e.valid_up_to();
        let bad = e.error_len().unwrap_or(data.len() - bad_at);
        data[bad_at..bad_at + bad].fill(b'?');
        from = bad_at + bad;
    }
    // Valid now; `into_boxed_str` shrinks the buffer to the section.
    String::from_utf8(data)
        .map(String::into_boxed_str)
        .unwrap_or_default()
}

/// A copy of `raw` as a `str`, with each byte of an invalid UTF-8 sequence replaced by `?`
/// so that every string offset still points at the same string.
fn sanitize_utf8(raw: &[u8]) -> Box<str> {
    match std::str::from_utf8(raw) {
        Ok(s) => Box::from(s),
        Err(_) => {
            let mut out = Vec::with_capacity(raw.len());
            let mut rest = raw;
            loop {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.extend_from_slice(s.as_bytes());
                        break;
                    }
                    Err(e) => {
                        let good = e.valid_up_to();
                        out.extend_from_slice(&rest[..good]);
                        let bad = e.error_len().unwrap_or(rest.len() - good);
                        out.extend(std::iter::repeat_n(b'?', bad));
                        rest = &rest[good + bad..];
                    }
                }
            }
            String::from_utf8(out)
                .map(String::into_boxed_str)
                .unwrap_or_default()
        }
    }
}

/// Reads the kind layout section (§1.8).
fn parse_layout(b: &Bytes<'_>, h: &Header) -> Result<Option<Vec<KindLayout>>> {
    if h.layout_len == 0 {
        return Ok(None);
    }
    let start = h.layout_start();
    if !h.layout_len.is_multiple_of(4) {
        return Err(Error::malformed(
            start,
            "invalid BTF kind layout section: length is not a multiple of 4",
        ));
    }
    let raw = b.slice(start, u64::from(h.layout_len), "BTF layout section")?;
    Ok(Some(
        raw.chunks_exact(4)
            .map(|c| KindLayout {
                info_size: c[0],
                elem_size: c[1],
            })
            .collect(),
    ))
}

/// Walks the type section once: converts it to native words and records each record's offset.
fn parse_types(
    b: &Bytes<'_>,
    h: &Header,
    start_id: u32,
    layout: Option<&[KindLayout]>,
) -> Result<(Vec<u32>, Vec<u32>)> {
    let start = h.types_start();
    let raw = b.slice(start, u64::from(h.type_len), "BTF type section")?;
    let full_words = raw.len() / 4;
    let words: Vec<u32> = raw
        .chunks_exact(4)
        .map(|c| h.endian.u32([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut offs = Vec::new();
    let mut w = 0usize;
    // libbpf walks while a whole `btf_type` (3 words) remains.
    while w + 3 <= full_words {
        let id = start_id as u64 + offs.len() as u64;
        if offs.len() as u32 >= MAX_TYPES {
            return Err(Error::limit(
                start + 4 * w as u64,
                format!("more than {MAX_TYPES} types"),
            ));
        }
        let info = words[w + 1];
        let kind = Kind(((info >> 24) & 0x7f) as u8);
        let vlen = u64::from(info & 0x00ff_ffff);
        let lay = match kind.known_layout() {
            Some(l) => l,
            None => match layout.and_then(|l| l.get(kind.0 as usize)) {
                Some(l) => {
                    if l.info_size % 4 != 0 || l.elem_size % 4 != 0 {
                        return Err(Error::unsupported(
                            start + 4 * w as u64,
                            format!(
                                "type [{id}]: layout section gives kind {} a size that is not a multiple of 4 (info {}, elem {})",
                                kind.0, l.info_size, l.elem_size
                            ),
                        ));
                    }
                    *l
                }
                None => {
                    return Err(Error::unsupported(
                        start + 4 * w as u64,
                        format!(
                            "type [{id}]: unsupported BTF kind {} (no layout section describes it)",
                            kind.0
                        ),
                    ))
                }
            },
        };
        let rec_bytes = 12 + u64::from(lay.info_size) + vlen * u64::from(lay.elem_size);
        let rec_words = (rec_bytes / 4) as usize;
        if (w as u64) + rec_bytes / 4 > full_words as u64
            || (raw.len() % 4 != 0 && w + rec_words > full_words)
        {
            return Err(Error::malformed(
                start + 4 * w as u64,
                format!(
                    "BTF type [{id}] is malformed: its {} record of {rec_bytes} bytes (vlen {vlen}) overruns the type section",
                    kind
                ),
            ));
        }
        offs.push(w as u32);
        w += rec_words;
    }
    if w * 4 != raw.len() {
        return Err(Error::malformed(
            start + 4 * w as u64,
            format!(
                "BTF types data is malformed: {} trailing bytes after the last type",
                raw.len() - w * 4
            ),
        ));
    }
    Ok((words, offs))
}

#[cfg(test)]
mod tests;
