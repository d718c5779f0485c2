//! Views of BTF type records, decoded on demand from the native-order words of a [`Btf`].
//!
//! A record is `name_off, info, size_or_type` followed by a kind-specific trailer
//! (../shared/spec/core-spec.md §1.5–1.6). Accessors read the field they are asked for; a view of the
//! wrong kind returns an empty iterator or a zero, never panics.

use super::{Btf, Kind, TypeId};

static VOID_WORDS: [u32; 3] = [0, 0, 0];

/// One BTF type: a view into a validated [`Btf`].
#[derive(Clone, Copy)]
pub struct Type<'a> {
    /// The blob that holds the record (for split BTF, base types point at the base).
    btf: &'a Btf,
    id: TypeId,
    words: &'a [u32],
}

impl std::fmt::Debug for Type<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {} '{}'", self.id.0, self.kind(), self.name())
    }
}

/// `BTF_INT_*` encoding bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntEncoding(pub u8);

impl IntEncoding {
    /// `BTF_INT_SIGNED`.
    pub const SIGNED: u8 = 1;
    /// `BTF_INT_CHAR`.
    pub const CHAR: u8 = 2;
    /// `BTF_INT_BOOL`.
    pub const BOOL: u8 = 4;

    /// Whether the SIGNED bit is set.
    pub fn is_signed(self) -> bool {
        self.0 & Self::SIGNED != 0
    }
    /// Whether the CHAR bit is set.
    pub fn is_char(self) -> bool {
        self.0 & Self::CHAR != 0
    }
    /// Whether the BOOL bit is set.
    pub fn is_bool(self) -> bool {
        self.0 & Self::BOOL != 0
    }
}

/// The INT trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntInfo {
    /// Encoding bits (bits 24–27 of the trailer).
    pub encoding: IntEncoding,
    /// Bit offset (bits 16–23); 0 for every modern producer.
    pub offset: u32,
    /// Number of bits (bits 0–7).
    pub bits: u32,
}

/// The ARRAY trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrayInfo {
    /// Element type.
    pub elem: TypeId,
    /// Index type (informational).
    pub index: TypeId,
    /// Number of elements (0: flexible or zero-length).
    pub nelems: u32,
}

/// A STRUCT/UNION member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    /// Position among the members.
    pub index: u32,
    /// Name string offset (0: anonymous).
    pub name_off: u32,
    /// Name (`""` if anonymous).
    pub name: &'a str,
    /// Member type.
    pub type_id: TypeId,
    /// Bit offset from the start of the containing type (kind_flag-aware).
    pub bit_offset: u32,
    /// Bitfield size in bits, 0 if not a bitfield (only with the parent's kind_flag).
    pub bitfield_size: u32,
    /// The raw `offset` word.
    pub raw_offset: u32,
}

/// A STRUCT/UNION member without its name: what layout computations need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberLayout {
    /// Name string offset (0: anonymous).
    pub name_off: u32,
    /// Member type.
    pub type_id: TypeId,
    /// Bit offset from the start of the containing type (kind_flag-aware).
    pub bit_offset: u32,
    /// Bitfield size in bits, 0 if not a bitfield (only with the parent's kind_flag).
    pub bitfield_size: u32,
    /// The raw `offset` word.
    pub raw_offset: u32,
}

impl MemberLayout {
    fn decode(c: &[u32], kflag: bool) -> Self {
        let (bit_offset, bitfield_size) = if kflag {
            (c[2] & 0x00ff_ffff, c[2] >> 24)
        } else {
            (c[2], 0)
        };
        MemberLayout {
            name_off: c[0],
            type_id: TypeId(c[1]),
            bit_offset,
            bitfield_size,
            raw_offset: c[2],
        }
    }
}

/// An ENUM or ENUM64 enumerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumValue<'a> {
    /// Position among the enumerators.
    pub index: u32,
    /// Name string offset.
    pub name_off: u32,
    /// Name.
    pub name: &'a str,
    /// Low 32 bits of the value (the whole `s32 val` for ENUM).
    pub lo: u32,
    /// High 32 bits (0 for ENUM).
    pub hi: u32,
    /// Whether it comes from an ENUM64 record.
    pub is64: bool,
}

impl EnumValue<'_> {
    /// The value as stored: 32 bits zero-extended for ENUM, 64 bits for ENUM64.
    pub fn raw(&self) -> u64 {
        (u64::from(self.hi) << 32) | u64::from(self.lo)
    }

    /// The value with ENUM's 32 bits sign-extended (libbpf's CO-RE enumval value).
    pub fn sign_extended(&self) -> u64 {
        if self.is64 {
            self.raw()
        } else {
            self.lo as i32 as i64 as u64
        }
    }
}

/// A FUNC_PROTO parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param<'a> {
    /// Name string offset (0: unnamed).
    pub name_off: u32,
    /// Name (`""` if unnamed).
    pub name: &'a str,
    /// Parameter type (0 with no name: varargs).
    pub type_id: TypeId,
}

/// A DATASEC entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VarSecinfo {
    /// The VAR (or FUNC) type.
    pub type_id: TypeId,
    /// Offset within the section.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
}

impl<'a> Type<'a> {
    pub(super) fn new(btf: &'a Btf, id: TypeId, words: &'a [u32]) -> Self {
        Type { btf, id, words }
    }

    pub(super) fn void(btf: &'a Btf) -> Self {
        Type {
            btf,
            id: TypeId::VOID,
            words: &VOID_WORDS,
        }
    }

    fn word(&self, i: usize) -> u32 {
        self.words.get(i).copied().unwrap_or(0)
    }

    /// The type id.
    pub fn id(&self) -> TypeId {
        self.id
    }

    /// The blob holding this record.
    pub fn btf(&self) -> &'a Btf {
        self.btf
    }

    /// The record as native-order words (header and trailer).
    pub fn words(&self) -> &'a [u32] {
        self.words
    }

    /// `name_off`.
    pub fn name_off(&self) -> u32 {
        self.word(0)
    }

    /// The name, `""` when anonymous.
    pub fn name(&self) -> &'a str {
        match self.name_off() {
            0 => "",
            off => self.btf.name(off),
        }
    }

    /// Whether the type has a non-empty name.
    pub fn is_named(&self) -> bool {
        !self.name().is_empty()
    }

    /// The raw `info` word.
    pub fn info(&self) -> u32 {
        self.word(1)
    }

    /// The kind (bits 24–30 of `info`).
    pub fn kind(&self) -> Kind {
        Kind(((self.info() >> 24) & 0x7f) as u8)
    }

    /// `vlen` (bits 0–23 of `info`): members, enumerators, parameters, or FUNC linkage.
    pub fn vlen(&self) -> u32 {
        self.info() & 0x00ff_ffff
    }

    /// `kind_flag` (bit 31 of `info`).
    pub fn kflag(&self) -> bool {
        self.info() >> 31 != 0
    }

    /// The `size` word (for sized kinds).
    pub fn size(&self) -> u32 {
        self.word(2)
    }

    /// The `type` word as a type id (for referring kinds).
    pub fn type_id(&self) -> TypeId {
        TypeId(self.word(2))
    }

    /// Whether this is `void` (id 0).
    pub fn is_void(&self) -> bool {
        self.id.0 == 0
    }

    /// The INT trailer.
    pub fn int_info(&self) -> IntInfo {
        let t = self.word(3);
        IntInfo {
            encoding: IntEncoding(((t >> 24) & 0x0f) as u8),
            offset: (t >> 16) & 0xff,
            bits: t & 0xff,
        }
    }

    /// The ARRAY trailer.
    pub fn array(&self) -> ArrayInfo {
        ArrayInfo {
            elem: TypeId(self.word(3)),
            index: TypeId(self.word(4)),
            nelems: self.word(5),
        }
    }

    fn elems(
        &self,
        from: usize,
        size: usize,
    ) -> impl ExactSizeIterator<Item = (u32, &'a [u32])> + 'a {
        let trailer = self.words.get(from..).unwrap_or(&[]);
        let n = if self.words.len() > 3 {
            self.vlen() as usize
        } else {
            0
        };
        trailer
            .chunks_exact(size)
            .take(n)
            .enumerate()
            .map(|(i, c)| (i as u32, c))
    }

    /// The members of a STRUCT/UNION (empty for other kinds).
    pub fn members(&self) -> impl ExactSizeIterator<Item = Member<'a>> + 'a {
        let composite = self.kind().is_composite();
        let kflag = self.kflag();
        let btf = self.btf;
        self.elems(3, 3)
            .take(if composite { usize::MAX } else { 0 })
            .map(move |(i, c)| {
                let (bit_offset, bitfield_size) = if kflag {
                    (c[2] & 0x00ff_ffff, c[2] >> 24)
                } else {
                    (c[2], 0)
                };
                Member {
                    index: i,
                    name_off: c[0],
                    name: if c[0] == 0 { "" } else { btf.name(c[0]) },
                    type_id: TypeId(c[1]),
                    bit_offset,
                    bitfield_size,
                    raw_offset: c[2],
                }
            })
    }

    /// Member `i` of a STRUCT/UNION (constant time).
    pub fn member(&self, i: u32) -> Option<Member<'a>> {
        if !self.kind().is_composite() || i >= self.vlen() {
            return None;
        }
        let start = 3 + 3 * i as usize;
        let c = self.words.get(start..start + 3)?;
        let (bit_offset, bitfield_size) = if self.kflag() {
            (c[2] & 0x00ff_ffff, c[2] >> 24)
        } else {
            (c[2], 0)
        };
        Some(Member {
            index: i,
            name_off: c[0],
            name: if c[0] == 0 { "" } else { self.btf.name(c[0]) },
            type_id: TypeId(c[1]),
            bit_offset,
            bitfield_size,
            raw_offset: c[2],
        })
    }

    /// The members of a STRUCT/UNION without their names: for loops over a whole kernel that
    /// only need types and offsets (looking a name up costs a string scan).
    pub fn member_layouts(&self) -> impl ExactSizeIterator<Item = MemberLayout> + 'a {
        let composite = self.kind().is_composite();
        let kflag = self.kflag();
        self.elems(3, 3)
            .take(if composite { usize::MAX } else { 0 })
            .map(move |(_, c)| MemberLayout::decode(c, kflag))
    }

    /// Member `i` of a STRUCT/UNION without its name (constant time).
    pub fn member_layout(&self, i: u32) -> Option<MemberLayout> {
        if !self.kind().is_composite() || i >= self.vlen() {
            return None;
        }
        let start = 3 + 3 * i as usize;
        let c = self.words.get(start..start + 3)?;
        Some(MemberLayout::decode(c, self.kflag()))
    }

    /// The type of parameter `i` of a FUNC_PROTO, without its name (constant time).
    pub fn param_type(&self, i: u32) -> Option<TypeId> {
        if self.kind() != Kind::FUNC_PROTO || i >= self.vlen() {
            return None;
        }
        self.words.get(3 + 2 * i as usize + 1).map(|&w| TypeId(w))
    }

    /// The enumerators of an ENUM or ENUM64 (empty for other kinds).
    pub fn enum_values(&self) -> impl ExactSizeIterator<Item = EnumValue<'a>> + 'a {
        let kind = self.kind();
        let is64 = kind == Kind::ENUM64;
        let size = if is64 { 3 } else { 2 };
        let btf = self.btf;
        self.elems(3, size)
            .take(if kind.is_any_enum() { usize::MAX } else { 0 })
            .map(move |(i, c)| EnumValue {
                index: i,
                name_off: c[0],
                name: btf.name(c[0]),
                lo: c[1],
                hi: if is64 { c[2] } else { 0 },
                is64,
            })
    }

    /// Enumerator `i` of an ENUM or ENUM64 (constant time).
    pub fn enum_value(&self, i: u32) -> Option<EnumValue<'a>> {
        let is64 = match self.kind() {
            Kind::ENUM => false,
            Kind::ENUM64 => true,
            _ => return None,
        };
        if i >= self.vlen() {
            return None;
        }
        let stride = if is64 { 3 } else { 2 };
        let start = 3 + stride * i as usize;
        let c = self.words.get(start..start + stride)?;
        Some(EnumValue {
            index: i,
            name_off: c[0],
            name: self.btf.name(c[0]),
            lo: c[1],
            hi: if is64 { c[2] } else { 0 },
            is64,
        })
    }

    /// The parameters of a FUNC_PROTO (empty for other kinds).
    pub fn params(&self) -> impl ExactSizeIterator<Item = Param<'a>> + 'a {
        let proto = self.kind() == Kind::FUNC_PROTO;
        let btf = self.btf;
        self.elems(3, 2)
            .take(if proto { usize::MAX } else { 0 })
            .map(move |(_, c)| Param {
                name_off: c[0],
                name: if c[0] == 0 { "" } else { btf.name(c[0]) },
                type_id: TypeId(c[1]),
            })
    }

    /// Parameter `i` of a FUNC_PROTO (constant time).
    pub fn param(&self, i: u32) -> Option<Param<'a>> {
        if self.kind() != Kind::FUNC_PROTO || i >= self.vlen() {
            return None;
        }
        let start = 3 + 2 * i as usize;
        let c = self.words.get(start..start + 2)?;
        Some(Param {
            name_off: c[0],
            name: if c[0] == 0 { "" } else { self.btf.name(c[0]) },
            type_id: TypeId(c[1]),
        })
    }

    /// The entries of a DATASEC (empty for other kinds).
    pub fn datasec_vars(&self) -> impl ExactSizeIterator<Item = VarSecinfo> + 'a {
        let ds = self.kind() == Kind::DATASEC;
        self.elems(3, 3)
            .take(if ds { usize::MAX } else { 0 })
            .map(|(_, c)| VarSecinfo {
                type_id: TypeId(c[0]),
                offset: c[1],
                size: c[2],
            })
    }

    /// A VAR's linkage (0 static, 1 global allocated, 2 extern).
    pub fn var_linkage(&self) -> u32 {
        self.word(3)
    }

    /// A FUNC's linkage (0 static, 1 global, 2 extern): its vlen.
    pub fn func_linkage(&self) -> u32 {
        self.vlen()
    }

    /// A DECL_TAG's `component_idx` (-1: the whole type).
    pub fn decl_tag_component(&self) -> i32 {
        self.word(3) as i32
    }
}
