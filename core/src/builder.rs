//! Build BTF from scratch and encode it as a raw blob in either byte order.
//!
//! Tests use it to craft inputs no compiler emits (the 2026 layout section, 24-bit vlen,
//! malformed records); fuzz targets use it for seeds; minimal-BTF generation uses it to write
//! its output. It is the write side of [`crate::btf`]: `Btf::parse(&b.encode(opts))` gives back
//! the types that were added.

use std::collections::HashMap;

use crate::btf::{Btf, Kind, KindLayout, TypeId};
use crate::bytes::Endian;

/// One record: the three common words and the kind-specific trailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawType {
    /// `name_off`.
    pub name_off: u32,
    /// `info`.
    pub info: u32,
    /// `size` or `type`.
    pub size_type: u32,
    /// Trailer words.
    pub trailer: Vec<u32>,
}

/// How to encode a blob.
#[derive(Debug, Clone)]
pub struct EncodeOptions {
    /// Byte order of the output.
    pub endian: Endian,
    /// Write the 32-byte header and a kind layout section (Linux 7.1 / libbpf 1.8 format).
    pub layout_section: bool,
    /// Extra layout entries for kinds beyond ENUM64 (index = kind number).
    pub extra_layouts: Vec<(u8, KindLayout)>,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            endian: Endian::Little,
            layout_section: false,
            extra_layouts: Vec::new(),
        }
    }
}

/// Accumulates types and strings; [`BtfBuilder::encode`] writes the blob.
#[derive(Debug, Clone)]
pub struct BtfBuilder {
    types: Vec<RawType>,
    strings: Vec<u8>,
    str_index: HashMap<String, u32>,
    start_id: u32,
    start_str_off: u32,
}

impl Default for BtfBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// A member for [`BtfBuilder::struct_`] / [`BtfBuilder::union_`]: name, type, bit offset,
/// bitfield size (0 for a plain member).
pub type MemberSpec<'a> = (&'a str, TypeId, u32, u32);

impl BtfBuilder {
    /// An empty base BTF (ids from 1, strings from offset 0).
    pub fn new() -> Self {
        BtfBuilder {
            types: Vec::new(),
            strings: vec![0],
            str_index: HashMap::from([(String::new(), 0)]),
            start_id: 1,
            start_str_off: 0,
        }
    }

    /// An empty split BTF over `base`: ids and string offsets continue the base's.
    pub fn new_split(base: &Btf) -> Self {
        BtfBuilder {
            types: Vec::new(),
            strings: Vec::new(),
            // Offset 0 means "anonymous" in split BTF too.
            str_index: HashMap::from([(String::new(), 0)]),
            start_id: base.type_cnt(),
            start_str_off: base.start_str_off() + base.own_strings_len(),
        }
    }

    /// The id the next added type will get.
    pub fn next_id(&self) -> TypeId {
        TypeId(self.start_id + self.types.len() as u32)
    }

    /// The records added so far.
    pub fn types(&self) -> &[RawType] {
        &self.types
    }

    /// Mutable access to a record added earlier (to patch forward references).
    pub fn raw_mut(&mut self, id: TypeId) -> Option<&mut RawType> {
        let idx = id.0.checked_sub(self.start_id)? as usize;
        self.types.get_mut(idx)
    }

    /// Adds `s` to the string section (deduplicated) and returns its offset; `""` is offset 0
    /// in base BTF.
    pub fn add_str(&mut self, s: &str) -> u32 {
        if let Some(&off) = self.str_index.get(s) {
            return off;
        }
        let off = self.start_str_off + self.strings.len() as u32;
        self.strings.extend_from_slice(s.as_bytes());
        self.strings.push(0);
        self.str_index.insert(s.to_owned(), off);
        off
    }

    /// Appends raw string bytes without deduplication (for crafting odd string sections).
    pub fn push_raw_str_bytes(&mut self, bytes: &[u8]) -> u32 {
        let off = self.start_str_off + self.strings.len() as u32;
        self.strings.extend_from_slice(bytes);
        off
    }

    /// Adds a record with every field given explicitly.
    pub fn add_raw(
        &mut self,
        name: &str,
        kind: Kind,
        kflag: bool,
        vlen: u32,
        size_type: u32,
        trailer: Vec<u32>,
    ) -> TypeId {
        let name_off = self.add_str(name);
        let info =
            (u32::from(kflag) << 31) | (u32::from(kind.0 & 0x7f) << 24) | (vlen & 0x00ff_ffff);
        self.push(RawType {
            name_off,
            info,
            size_type,
            trailer,
        })
    }

    /// Adds a prepared record.
    pub fn push(&mut self, t: RawType) -> TypeId {
        let id = self.next_id();
        self.types.push(t);
        id
    }

    /// INT with `encoding` bits (`IntEncoding::SIGNED`, …), `size` bytes, `8 * size` bits.
    pub fn int(&mut self, name: &str, size: u32, encoding: u8) -> TypeId {
        let data = (u32::from(encoding) << 24) | (size * 8).min(128);
        self.add_raw(name, Kind::INT, false, 0, size, vec![data])
    }

    /// PTR to `to`.
    pub fn ptr(&mut self, to: TypeId) -> TypeId {
        self.add_raw("", Kind::PTR, false, 0, to.0, vec![])
    }

    /// CONST of `to`.
    pub fn const_(&mut self, to: TypeId) -> TypeId {
        self.add_raw("", Kind::CONST, false, 0, to.0, vec![])
    }

    /// VOLATILE of `to`.
    pub fn volatile(&mut self, to: TypeId) -> TypeId {
        self.add_raw("", Kind::VOLATILE, false, 0, to.0, vec![])
    }

    /// RESTRICT of `to`.
    pub fn restrict(&mut self, to: TypeId) -> TypeId {
        self.add_raw("", Kind::RESTRICT, false, 0, to.0, vec![])
    }

    /// TYPEDEF `name` of `to`.
    pub fn typedef(&mut self, name: &str, to: TypeId) -> TypeId {
        self.add_raw(name, Kind::TYPEDEF, false, 0, to.0, vec![])
    }

    /// TYPE_TAG `name` on `to` (`kflag`: raw `__attribute__((name))` form).
    pub fn type_tag(&mut self, name: &str, to: TypeId, kflag: bool) -> TypeId {
        self.add_raw(name, Kind::TYPE_TAG, kflag, 0, to.0, vec![])
    }

    /// ARRAY of `nelems` `elem`s indexed by `index`.
    pub fn array(&mut self, elem: TypeId, index: TypeId, nelems: u32) -> TypeId {
        self.add_raw("", Kind::ARRAY, false, 0, 0, vec![elem.0, index.0, nelems])
    }

    fn composite(
        &mut self,
        kind: Kind,
        name: &str,
        size: u32,
        members: &[MemberSpec<'_>],
    ) -> TypeId {
        let kflag = members.iter().any(|m| m.3 != 0);
        let mut trailer = Vec::with_capacity(members.len() * 3);
        for &(mname, ty, bit_off, bf) in members {
            let off = if kflag {
                (bf << 24) | (bit_off & 0x00ff_ffff)
            } else {
                bit_off
            };
            trailer.extend([self.add_str(mname), ty.0, off]);
        }
        self.add_raw(name, kind, kflag, members.len() as u32, size, trailer)
    }

    /// STRUCT; kind_flag is set when any member is a bitfield.
    pub fn struct_(&mut self, name: &str, size: u32, members: &[MemberSpec<'_>]) -> TypeId {
        self.composite(Kind::STRUCT, name, size, members)
    }

    /// UNION; kind_flag is set when any member is a bitfield.
    pub fn union_(&mut self, name: &str, size: u32, members: &[MemberSpec<'_>]) -> TypeId {
        self.composite(Kind::UNION, name, size, members)
    }

    /// ENUM of `size` bytes (values truncated to 32 bits).
    pub fn enum_(&mut self, name: &str, size: u32, signed: bool, values: &[(&str, i64)]) -> TypeId {
        let mut trailer = Vec::with_capacity(values.len() * 2);
        for &(n, v) in values {
            trailer.extend([self.add_str(n), v as u32]);
        }
        self.add_raw(name, Kind::ENUM, signed, values.len() as u32, size, trailer)
    }

    /// ENUM64 of `size` bytes.
    pub fn enum64(
        &mut self,
        name: &str,
        size: u32,
        signed: bool,
        values: &[(&str, u64)],
    ) -> TypeId {
        let mut trailer = Vec::with_capacity(values.len() * 3);
        for &(n, v) in values {
            trailer.extend([self.add_str(n), v as u32, (v >> 32) as u32]);
        }
        self.add_raw(
            name,
            Kind::ENUM64,
            signed,
            values.len() as u32,
            size,
            trailer,
        )
    }

    /// FWD `struct name` or (`union`) `union name`.
    pub fn fwd(&mut self, name: &str, union: bool) -> TypeId {
        self.add_raw(name, Kind::FWD, union, 0, 0, vec![])
    }

    /// FUNC `name` of prototype `proto` with `linkage` (0 static, 1 global, 2 extern).
    pub fn func(&mut self, name: &str, proto: TypeId, linkage: u32) -> TypeId {
        self.add_raw(name, Kind::FUNC, false, linkage, proto.0, vec![])
    }

    /// FUNC_PROTO returning `ret` with `params` (a trailing `("", VOID)` is varargs).
    pub fn func_proto(&mut self, ret: TypeId, params: &[(&str, TypeId)]) -> TypeId {
        let mut trailer = Vec::with_capacity(params.len() * 2);
        for &(n, t) in params {
            trailer.extend([self.add_str(n), t.0]);
        }
        self.add_raw(
            "",
            Kind::FUNC_PROTO,
            false,
            params.len() as u32,
            ret.0,
            trailer,
        )
    }

    /// VAR `name` of type `ty` with `linkage`.
    pub fn var(&mut self, name: &str, ty: TypeId, linkage: u32) -> TypeId {
        self.add_raw(name, Kind::VAR, false, 0, ty.0, vec![linkage])
    }

    /// DATASEC `name` of `size` bytes with `(var, offset, size)` entries.
    pub fn datasec(&mut self, name: &str, size: u32, vars: &[(TypeId, u32, u32)]) -> TypeId {
        let trailer = vars.iter().flat_map(|&(t, o, s)| [t.0, o, s]).collect();
        self.add_raw(name, Kind::DATASEC, false, vars.len() as u32, size, trailer)
    }

    /// FLOAT `name` of `size` bytes.
    pub fn float(&mut self, name: &str, size: u32) -> TypeId {
        self.add_raw(name, Kind::FLOAT, false, 0, size, vec![])
    }

    /// DECL_TAG `name` on `ty` (`component`: -1 for the whole type, else member/param index).
    pub fn decl_tag(&mut self, name: &str, ty: TypeId, component: i32) -> TypeId {
        self.add_raw(name, Kind::DECL_TAG, false, 0, ty.0, vec![component as u32])
    }

    /// Encodes the blob: header, type section, optional layout section, string section.
    pub fn encode(&self, opts: &EncodeOptions) -> Vec<u8> {
        let e = opts.endian;
        let mut types = Vec::new();
        for t in &self.types {
            for w in [t.name_off, t.info, t.size_type].iter().chain(&t.trailer) {
                types.extend_from_slice(&e.u32_bytes(*w));
            }
        }
        let mut layout = Vec::new();
        if opts.layout_section {
            let max_kind = opts
                .extra_layouts
                .iter()
                .map(|&(k, _)| k)
                .max()
                .unwrap_or(0)
                .max(Kind::MAX_KNOWN.0);
            for k in 0..=max_kind {
                let l = Kind(k)
                    .known_layout()
                    .or_else(|| {
                        opts.extra_layouts
                            .iter()
                            .find(|&&(x, _)| x == k)
                            .map(|&(_, l)| l)
                    })
                    .unwrap_or(KindLayout {
                        info_size: 0,
                        elem_size: 0,
                    });
                layout.extend_from_slice(&[l.info_size, l.elem_size]);
                layout.extend_from_slice(&e.u16_bytes(0));
            }
        }
        let hdr_len: u32 = if opts.layout_section { 32 } else { 24 };
        let type_len = types.len() as u32;
        let layout_off = type_len;
        let str_off = type_len + layout.len() as u32;
        let mut out = Vec::with_capacity(hdr_len as usize + str_off as usize + self.strings.len());
        out.extend_from_slice(&e.u16_bytes(crate::btf::MAGIC));
        out.extend_from_slice(&[1, 0]);
        for w in [hdr_len, 0, type_len, str_off, self.strings.len() as u32] {
            out.extend_from_slice(&e.u32_bytes(w));
        }
        if opts.layout_section {
            out.extend_from_slice(&e.u32_bytes(layout_off));
            out.extend_from_slice(&e.u32_bytes(layout.len() as u32));
        }
        out.extend_from_slice(&types);
        out.extend_from_slice(&layout);
        out.extend_from_slice(&self.strings);
        out
    }
}
