//! The types a question can name: the compiled-against kernel's, plus what the question
//! declares itself (its own structs, flavors, typedefs) and the derived types its
//! expressions need (pointers, arrays, clang's builtin integers).
//!
//! All of them live in one BTF: the kernel as base, everything else as split BTF on top,
//! re-encoded when something is added. So the question's own types are ordinary BTF types
//! that every BTF routine (sizes, members, libbpf's specs) reads the same way as the
//! kernel's.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::btf::{Btf, IntEncoding, Kind, TypeId};
use crate::builder::{BtfBuilder, EncodeOptions};

use super::ast::{Enumerator, RecordDef};
use super::error::AccessError;
use super::names::{Local, Tag};

/// The kernel's types and the question's, in one BTF.
pub struct Universe<'k> {
    /// The kernel, its names as `vmlinux.h` prints them.
    pub names: &'k Local,
    base: Arc<Btf>,
    builder: BtfBuilder,
    btf: Btf,
    dirty: bool,
    tags: Vec<(Tag, String, TypeId)>,
    typedefs: Vec<(String, TypeId)>,
    enumerators: Vec<(String, TypeId, u32)>,
    derived: HashMap<(u8, u32, u32), TypeId>,
    ints: HashMap<&'static str, TypeId>,
    /// The question's structs and unions declared without `preserve_access_index`.
    plain_records: HashSet<TypeId>,
}

/// At most this many types of the question's own (a bound for hostile input).
pub const MAX_OWN_TYPES: usize = 4096;

/// clang's BPF target: size and encoding of each builtin integer spelling.
pub fn builtin_int(name: &str) -> Option<(u32, u8)> {
    const S: u8 = IntEncoding::SIGNED;
    Some(match name {
        "char" | "signed char" => (1, S),
        "unsigned char" => (1, 0),
        "short" => (2, S),
        "unsigned short" => (2, 0),
        "int" => (4, S),
        "unsigned int" => (4, 0),
        "long" | "long long" => (8, S),
        "unsigned long" | "unsigned long long" => (8, 0),
        "_Bool" => (1, IntEncoding::BOOL),
        "__int128" => (16, S),
        "unsigned __int128" => (16, 0),
        _ => return None,
    })
}

impl<'k> Universe<'k> {
    /// A universe over the compiled-against kernel.
    pub fn new(local: &'k Local) -> Result<Self, AccessError> {
        let kernel = local.btf();
        let builder = BtfBuilder::new_split(kernel);
        let btf = parse_split(&builder, kernel)?;
        Ok(Universe {
            names: local,
            base: Arc::clone(kernel),
            builder,
            btf,
            dirty: false,
            tags: Vec::new(),
            typedefs: Vec::new(),
            enumerators: Vec::new(),
            derived: HashMap::new(),
            ints: HashMap::new(),
            plain_records: HashSet::new(),
        })
    }

    /// The kernel alone.
    pub fn kernel(&self) -> &Btf {
        &self.base
    }

    /// The current BTF (kernel + the question's types).
    pub fn btf(&mut self) -> &Btf {
        if self.dirty {
            // The builder only ever holds well-formed types, so this parses.
            if let Ok(b) = parse_split(&self.builder, &self.base) {
                self.btf = b;
            }
            self.dirty = false;
        }
        &self.btf
    }

    /// The BTF as of the last [`Universe::btf`] call (no refresh; for read-only users).
    pub fn current(&self) -> &Btf {
        &self.btf
    }

    /// Whether `id` is one of the question's own types.
    pub fn is_own(&self, id: TypeId) -> bool {
        id.0 >= self.base.type_cnt()
    }

    fn add(
        &mut self,
        name: &str,
        kind: Kind,
        kflag: bool,
        vlen: u32,
        size_type: u32,
        trailer: Vec<u32>,
    ) -> Result<TypeId, AccessError> {
        if self.builder.types().len() >= MAX_OWN_TYPES {
            return Err(AccessError::at(0, "too many types"));
        }
        self.dirty = true;
        Ok(self
            .builder
            .add_raw(name, kind, kflag, vlen, size_type, trailer))
    }

    fn derived(&mut self, kind: Kind, to: TypeId, extra: u32) -> Result<TypeId, AccessError> {
        if let Some(&id) = self.derived.get(&(kind.0, to.0, extra)) {
            return Ok(id);
        }
        let id = if kind == Kind::ARRAY {
            let index = self.index_type()?;
            self.add("", kind, false, 0, 0, vec![to.0, index.0, extra])?
        } else {
            self.add("", kind, false, 0, to.0, vec![])?
        };
        self.derived.insert((kind.0, to.0, extra), id);
        Ok(id)
    }

    /// `T *`.
    pub fn ptr_to(&mut self, to: TypeId) -> Result<TypeId, AccessError> {
        self.derived(Kind::PTR, to, 0)
    }

    /// `const T`.
    pub fn const_of(&mut self, to: TypeId) -> Result<TypeId, AccessError> {
        self.derived(Kind::CONST, to, 0)
    }

    /// `volatile T`.
    pub fn volatile_of(&mut self, to: TypeId) -> Result<TypeId, AccessError> {
        self.derived(Kind::VOLATILE, to, 0)
    }

    /// `T[n]`.
    pub fn array_of(&mut self, elem: TypeId, n: u32) -> Result<TypeId, AccessError> {
        self.derived(Kind::ARRAY, elem, n)
    }

    /// clang's builtin integer type `name` (`unsigned long`, `char`, …).
    pub fn int(&mut self, name: &'static str) -> Result<TypeId, AccessError> {
        if let Some(&id) = self.ints.get(name) {
            return Ok(id);
        }
        let (size, enc) = builtin_int(name).unwrap_or((4, IntEncoding::SIGNED));
        let data = (u32::from(enc) << 24) | (size * 8);
        let id = self.add(name, Kind::INT, false, 0, size, vec![data])?;
        self.ints.insert(name, id);
        Ok(id)
    }

    /// The index type clang gives arrays.
    fn index_type(&mut self) -> Result<TypeId, AccessError> {
        if let Some(&id) = self.ints.get("__ARRAY_SIZE_TYPE__") {
            return Ok(id);
        }
        let id = self.add("__ARRAY_SIZE_TYPE__", Kind::INT, false, 0, 4, vec![32])?;
        self.ints.insert("__ARRAY_SIZE_TYPE__", id);
        Ok(id)
    }

    /// `struct NAME` / `union NAME` / `enum NAME`: the question's own (latest) or the
    /// kernel's.
    pub fn tag(&self, tag: Tag, name: &str) -> Option<TypeId> {
        self.tags
            .iter()
            .rev()
            .find(|(t, n, _)| *t == tag && n == name)
            .map(|&(_, _, id)| id)
            .or_else(|| self.names.find_tag(tag, name))
    }

    /// Whether a tag of another kind uses `name` (`struct x` where `x` is a union).
    pub fn tag_of_other_kind(&self, tag: Tag, name: &str) -> Option<Tag> {
        [Tag::Struct, Tag::Union, Tag::Enum]
            .into_iter()
            .filter(|&t| t != tag)
            .find(|&t| self.tag(t, name).is_some())
    }

    /// The typedef `name`: the question's own or the kernel's.
    pub fn typedef(&self, name: &str) -> Option<TypeId> {
        self.typedefs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|&(_, id)| id)
            .or_else(|| self.names.find_typedef(name))
    }

    /// Whether `name` is a typedef (for the parser).
    pub fn is_typedef_name(&self, name: &str) -> bool {
        self.typedef(name).is_some()
    }

    /// An enumerator the question declared: (enum, index).
    pub fn own_enumerator(&self, name: &str) -> Option<(TypeId, u32)> {
        self.enumerators
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|&(_, id, i)| (id, i))
    }

    /// `struct NAME;` used before any definition: an incomplete type (a FWD).
    pub fn declare_fwd(&mut self, tag: Tag, name: &str) -> Result<TypeId, AccessError> {
        let id = if tag == Tag::Enum {
            self.add(name, Kind::ENUM, false, 0, 4, vec![])?
        } else {
            self.add(name, Kind::FWD, tag == Tag::Union, 0, 0, vec![])?
        };
        self.tags.push((tag, name.to_owned(), id));
        Ok(id)
    }

    /// `typedef T NAME;`.
    pub fn define_typedef(&mut self, name: &str, to: TypeId) -> Result<TypeId, AccessError> {
        let id = self.add(name, Kind::TYPEDEF, false, 0, to.0, vec![])?;
        self.typedefs.push((name.to_owned(), id));
        Ok(id)
    }

    /// Whether direct member accesses on record `id` are CO-RE relocations: every kernel
    /// type (vmlinux.h applies `preserve_access_index` to all), and the question's own
    /// records that carry the attribute.
    pub fn preserves_access(&self, id: TypeId) -> bool {
        !self.plain_records.contains(&id)
    }

    /// Defines an enum. `pos` is where errors point.
    pub fn define_enum(
        &mut self,
        name: &str,
        values: &[Enumerator],
    ) -> Result<TypeId, AccessError> {
        let mut vals: Vec<(String, i64)> = Vec::with_capacity(values.len());
        let mut next = 0i64;
        for e in values {
            let v = e.value.unwrap_or(next);
            vals.push((e.name.clone(), v));
            next = v.wrapping_add(1);
        }
        let signed = vals.iter().any(|&(_, v)| v < 0);
        let wide = vals
            .iter()
            .any(|&(_, v)| v > i64::from(u32::MAX) || v < i64::from(i32::MIN));
        let mut trailer = Vec::new();
        for (n, v) in &vals {
            let off = self.builder.add_str(n);
            trailer.push(off);
            trailer.push(*v as u32);
            if wide {
                trailer.push((*v as u64 >> 32) as u32);
            }
        }
        let (kind, size) = if wide {
            (Kind::ENUM64, 8)
        } else {
            (Kind::ENUM, 4)
        };
        let id = self.add(name, kind, signed, vals.len() as u32, size, trailer)?;
        if !name.is_empty() {
            self.tags.push((Tag::Enum, name.to_owned(), id));
        }
        for (i, (n, _)) in vals.iter().enumerate() {
            self.enumerators.push((n.clone(), id, i as u32));
        }
        Ok(id)
    }

    /// Reserves a struct/union id for a definition (so its members can point back at it).
    pub fn reserve_record(
        &mut self,
        union: bool,
        name: &str,
        preserve_access: bool,
    ) -> Result<TypeId, AccessError> {
        let kind = if union { Kind::UNION } else { Kind::STRUCT };
        let id = self.add(name, kind, false, 0, 0, vec![])?;
        if !name.is_empty() {
            let tag = if union { Tag::Union } else { Tag::Struct };
            self.tags.push((tag, name.to_owned(), id));
        }
        if !preserve_access {
            self.plain_records.insert(id);
        }
        Ok(id)
    }

    /// Lays out the members of a reserved struct/union as clang does for the BPF target
    /// (natural alignment, System V bitfields, `packed`) and writes them into it.
    pub fn complete_record(
        &mut self,
        id: TypeId,
        def: &RecordDef,
        members: &[(String, TypeId, Option<u32>, usize)],
    ) -> Result<(), AccessError> {
        let union = self.btf().ty(id).kind() == Kind::UNION;
        let mut laid: Vec<(String, TypeId, u32, u32)> = Vec::with_capacity(members.len());
        let mut bit: u64 = 0;
        let mut max_align: u32 = 1;
        let mut size_bits: u64 = 0;
        for (i, (name, ty, bits, pos)) in members.iter().enumerate() {
            let btf = self.btf();
            let size = match btf.resolve_size(*ty) {
                Ok(s) => s,
                Err(_) => {
                    let flexible = i + 1 == members.len()
                        && !union
                        && bits.is_none()
                        && btf.ty(*ty).kind() == Kind::ARRAY;
                    if !flexible {
                        return Err(AccessError::at(
                            *pos,
                            format!("field '{name}' has incomplete type"),
                        ));
                    }
                    0
                }
            };
            let align = if def.packed {
                1
            } else {
                btf.align_of(*ty).unwrap_or(1).max(1)
            };
            let unit = u64::from(align) * 8;
            let off = match bits {
                Some(w) => {
                    let w = u64::from(*w);
                    if w > u64::from(size) * 8 {
                        return Err(AccessError::at(
                            *pos,
                            format!("width of bit-field '{name}' ({w} bits) exceeds the width of its type"),
                        ));
                    }
                    let start = if union { 0 } else { bit };
                    // `:0` closes the unit; a field that would straddle a unit boundary
                    // starts the next unit (System V).
                    let straddles = w != 0 && !def.packed && start / unit != (start + w - 1) / unit;
                    let off = if w == 0 || straddles {
                        start.div_ceil(unit) * unit
                    } else {
                        start
                    };
                    if !union {
                        bit = off + w;
                    }
                    size_bits = size_bits.max(off + w);
                    if w != 0 && !name.is_empty() {
                        max_align = max_align.max(align);
                    }
                    off
                }
                None => {
                    let start = if union { 0 } else { bit.div_ceil(unit) * unit };
                    if !union {
                        bit = start + u64::from(size) * 8;
                    }
                    size_bits = size_bits.max(start + u64::from(size) * 8);
                    max_align = max_align.max(align);
                    start
                }
            };
            if off > 0x00ff_ffff {
                return Err(AccessError::at(*pos, "struct too large"));
            }
            if bits == &Some(0) {
                // `int :0` only aligns; it is not a member in BTF.
                continue;
            }
            laid.push((name.clone(), *ty, off as u32, bits.unwrap_or(0)));
        }
        let bytes = size_bits.div_ceil(8);
        let size = bytes.div_ceil(u64::from(max_align)) * u64::from(max_align);
        let size = u32::try_from(size).map_err(|_| AccessError::at(def.pos, "struct too large"))?;
        let kflag = laid.iter().any(|m| m.3 != 0);
        let mut trailer = Vec::with_capacity(laid.len() * 3);
        for (n, ty, off, bits) in &laid {
            let name_off = self.builder.add_str(n);
            let off = if kflag { (bits << 24) | off } else { *off };
            trailer.extend([name_off, ty.0, off]);
        }
        let kind = if union { Kind::UNION } else { Kind::STRUCT };
        let info = (u32::from(kflag) << 31) | (u32::from(kind.0) << 24) | laid.len() as u32;
        if let Some(raw) = self.builder.raw_mut(id) {
            raw.info = info;
            raw.size_type = size;
            raw.trailer = trailer;
        }
        self.dirty = true;
        Ok(())
    }
}

fn parse_split(builder: &BtfBuilder, base: &Arc<Btf>) -> Result<Btf, AccessError> {
    let blob = builder.encode(&EncodeOptions::default());
    let mut btf = Btf::parse_split(&blob, Arc::clone(base))
        .map_err(|e| AccessError::at(0, format!("internal: {e}")))?;
    btf.set_ptr_size(8);
    Ok(btf)
}
