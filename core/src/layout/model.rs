//! pahole's view of a struct: member offsets and sizes as its BTF loader computes them, holes,
//! paddings, and its inferences of `__aligned__` and `__packed__` (dwarves 1.24 `btf_loader.c`
//! `class__fixup_btf_bitfields`, `dwarves.c` `class__find_holes`,
//! `class__infer_packed_attributes`).
//!
//! pahole keeps some facts in fixed-width fields (a hole is a `u16`, a bit hole a `u8`, the
//! number of holes a `u8`); the same truncations happen here so big structs print the same.

use std::collections::HashMap;

use crate::btf::{Btf, Kind, Type, TypeId};

/// The cache line size pahole uses (`sysconf(_SC_LEVEL1_DCACHE_LINESIZE)`, 64 on every machine
/// that matters; the browser has none to ask).
pub(super) const CACHELINE: u32 = 64;

/// What pahole makes of a BTF type id: `None` where its BTF loader has no tag (TYPE_TAG,
/// DECL_TAG, DATASEC and unknown kinds; id 0 is `void`, also `None`).
pub(super) fn tag<'a>(btf: &'a Btf, id: TypeId) -> Option<Type<'a>> {
    if id.is_void() {
        return None;
    }
    let t = btf.type_by_id(id)?;
    match t.kind() {
        Kind::TYPE_TAG | Kind::DECL_TAG | Kind::DATASEC => None,
        k if !k.is_known() => None,
        _ => Some(t),
    }
}

/// A struct/union (FWDs are empty structs or unions in pahole).
pub(super) fn is_struct(t: &Type<'_>) -> bool {
    t.kind() == Kind::STRUCT || (t.kind() == Kind::FWD && !t.kflag())
}

pub(super) fn is_union(t: &Type<'_>) -> bool {
    t.kind() == Kind::UNION || (t.kind() == Kind::FWD && t.kflag())
}

pub(super) fn is_enum(t: &Type<'_>) -> bool {
    t.kind().is_any_enum()
}

/// A struct, union or enum: types pahole can print inline.
pub(super) fn is_aggregate(t: &Type<'_>) -> bool {
    is_struct(t) || is_union(t) || is_enum(t)
}

/// pahole's `tag__strip_typedefs_and_modifiers`, starting at the type of `id`'s referent.
pub(super) fn strip<'a>(btf: &'a Btf, mut id: TypeId) -> Option<Type<'a>> {
    for _ in 0..=btf.type_cnt() {
        let t = tag(btf, id)?;
        match t.kind() {
            Kind::TYPEDEF | Kind::CONST | Kind::VOLATILE | Kind::RESTRICT => id = t.type_id(),
            _ => return Some(t),
        }
    }
    None
}

/// Whether a type has a name (pahole's `type__name` is NULL for offset 0).
pub(super) fn named(t: &Type<'_>) -> bool {
    t.name_off() != 0
}

/// Number of members pahole counts (`nr_members` is a `u16`).
pub(super) fn nr_members(t: &Type<'_>) -> u32 {
    if t.kind() == Kind::FWD {
        0
    } else {
        t.vlen() & 0xffff
    }
}

/// pahole's `tag__size` (bytes; `u64` like its `size_t`).
pub(super) fn size_of(btf: &Btf, t: &Type<'_>) -> u64 {
    let mut count: u64 = 1;
    let mut t = *t;
    for _ in 0..=btf.type_cnt() {
        match t.kind() {
            Kind::PTR => return count.wrapping_mul(u64::from(btf.ptr_size())),
            Kind::INT => return count.wrapping_mul(u64::from(t.int_info().bits / 8)),
            Kind::FLOAT => return count.wrapping_mul(u64::from(t.size())),
            Kind::ENUM | Kind::ENUM64 => {
                let bits = if t.size() != 0 { t.size() * 8 } else { 32 };
                return count.wrapping_mul(u64::from(bits / 8));
            }
            Kind::STRUCT | Kind::UNION | Kind::FWD => {
                // "Empty base optimization": a member-less struct of size 1 is 0 bytes.
                let size = if t.kind() == Kind::FWD || (t.size() == 1 && nr_members(&t) == 0) {
                    0
                } else {
                    t.size()
                };
                return count.wrapping_mul(u64::from(size));
            }
            Kind::ARRAY => {
                let a = t.array();
                count = count.wrapping_mul(u64::from(a.nelems));
                match tag(btf, a.elem) {
                    Some(e) => t = e,
                    None => return 0,
                }
            }
            Kind::TYPEDEF | Kind::CONST | Kind::VOLATILE | Kind::RESTRICT | Kind::FUNC_PROTO => {
                match tag(btf, t.type_id()) {
                    Some(n) => t = n,
                    None => return 0,
                }
            }
            _ => return 0,
        }
    }
    0
}

/// pahole's `tag__natural_alignment` of an already stripped type (`None`: unknown, 1).
pub(super) fn natural_alignment(btf: &Btf, t: Option<Type<'_>>, cache: &mut Cache) -> u64 {
    let Some(mut t) = t else { return 1 };
    // Arrays take their (stripped) element's alignment.
    for _ in 0..=btf.type_cnt() {
        if t.kind() != Kind::ARRAY {
            break;
        }
        match strip(btf, t.array().elem) {
            Some(e) => t = e,
            None => return 1,
        }
    }
    let a = match t.kind() {
        Kind::PTR => u64::from(btf.ptr_size()),
        Kind::INT | Kind::FLOAT => size_of(btf, &t),
        Kind::ENUM | Kind::ENUM64 => size_of(btf, &t),
        Kind::STRUCT | Kind::UNION | Kind::FWD => cache.type_alignment(btf, t.id()),
        _ => 1,
    };
    if a == 0 {
        1
    } else {
        a
    }
}

/// One member as pahole lays it out.
#[derive(Debug, Clone, Copy)]
pub(super) struct Member {
    pub type_id: TypeId,
    pub name_off: u32,
    pub bit_offset: u32,
    pub byte_offset: u32,
    pub byte_size: u64,
    pub bitfield_offset: i8,
    pub bitfield_size: u8,
    /// An inferred `__aligned__(N)`, 0 for none.
    pub alignment: u32,
    pub hole: u16,
    pub bit_hole: u8,
}

/// A struct or union with pahole's per-member layout and hole accounting.
#[derive(Debug, Clone)]
pub(super) struct Class {
    pub members: Vec<Member>,
    /// An inferred `__aligned__(N)` of the whole type, 0 for none.
    pub alignment: u32,
    pub pre_hole: u16,
    pub pre_bit_hole: u8,
    pub nr_holes: u8,
    pub nr_bit_holes: u8,
    pub padding: u16,
    pub bit_padding: u8,
}

/// pahole's `class__infer_alignment`: a gap before an offset that a power of two above the
/// gap explains, beyond the natural alignment, is taken for `__aligned__`.
fn infer_alignment(byte_offset: u32, natural: u64, smallest_offset: u32) -> u32 {
    let delta = byte_offset.wrapping_sub(smallest_offset);
    let mut alignment: u32 = 0;
    if delta != 0 && byte_offset.is_multiple_of(2) {
        // `1 << (32 - clz)`; x86 masks a shift by 32 to 0, giving 1.
        alignment = 1u32.wrapping_shl(32 - delta.leading_zeros());
    }
    if u64::from(alignment) <= natural || alignment == 1 {
        0
    } else if alignment < CACHELINE
        && CACHELINE.is_multiple_of(alignment)
        && byte_offset.is_multiple_of(CACHELINE)
    {
        CACHELINE
    } else {
        alignment
    }
}

/// Per-render state: classes laid out so far, natural alignments, and the `__packed__`
/// inferences, which pahole makes lazily and which spill over from one type to others.
#[derive(Default)]
pub(super) struct Cache {
    classes: HashMap<u32, Class>,
    natural: HashMap<u32, u64>,
    /// Struct id → inferred packed (present: already inferred).
    packed: HashMap<u32, bool>,
}

impl Cache {
    /// pahole's `type__natural_alignment` (cached, a `u16` in pahole).
    fn type_alignment(&mut self, btf: &Btf, id: TypeId) -> u64 {
        if let Some(&a) = self.natural.get(&id.0) {
            return a;
        }
        // Guard against a struct that contains itself (pahole would recurse forever).
        self.natural.insert(id.0, 1);
        let t = btf.ty(id);
        let mut a: u64 = 0;
        if t.kind() != Kind::FWD {
            for m in t.member_layouts() {
                if strip(btf, m.type_id).is_none() {
                    continue;
                }
                let ma = natural_alignment(btf, strip(btf, m.type_id), self);
                a = a.max(ma);
            }
        }
        let a = a & 0xffff;
        // `natural_alignment` 0 means "not computed" in pahole: it is recomputed, same result.
        self.natural.insert(id.0, a);
        a
    }

    /// The laid-out class `id` (a struct or union).
    pub fn class(&mut self, btf: &Btf, id: TypeId) -> Class {
        if let Some(c) = self.classes.get(&id.0) {
            return c.clone();
        }
        let c = self.layout(btf, id);
        self.classes.insert(id.0, c.clone());
        c
    }

    /// The loader's fixup (offsets, sizes, alignments), then `class__find_holes`.
    fn layout(&mut self, btf: &Btf, id: TypeId) -> Class {
        let t = btf.ty(id);
        let mut members = Vec::with_capacity(t.vlen() as usize);
        let mut smallest: u32 = 0;
        if t.kind() != Kind::FWD {
            for m in t.member_layouts() {
                let mut member = Member {
                    type_id: m.type_id,
                    name_off: m.name_off,
                    bit_offset: m.bit_offset,
                    byte_offset: m.bit_offset / 8,
                    byte_size: 0,
                    bitfield_offset: 0,
                    bitfield_size: m.bitfield_size as u8,
                    alignment: 0,
                    hole: 0,
                    bit_hole: 0,
                };
                if let Some(st) = strip(btf, m.type_id) {
                    member.byte_size = size_of(btf, &st);
                    let bit_size = member.byte_size.wrapping_mul(8) as u32;
                    if member.byte_size != 0 {
                        if matches!(st.kind(), Kind::INT | Kind::FLOAT) || is_enum(&st) {
                            if member.bitfield_size != 0 && bit_size != 0 {
                                member.byte_offset = member.bit_offset / bit_size * bit_size / 8;
                                member.bitfield_offset = member
                                    .bit_offset
                                    .wrapping_sub(member.byte_offset.wrapping_mul(8))
                                    as i8;
                            } else {
                                member.byte_offset = member.bit_offset / 8;
                            }
                        }
                        let natural = natural_alignment(btf, Some(st), self);
                        member.alignment = infer_alignment(member.byte_offset, natural, smallest);
                        smallest = member.byte_offset.wrapping_add(member.byte_size as u32);
                    }
                }
                members.push(member);
            }
        }
        let natural = natural_alignment(btf, Some(t), self);
        let alignment = infer_alignment(t.size(), natural, smallest);
        let mut class = Class {
            members,
            alignment,
            pre_hole: 0,
            pre_bit_hole: 0,
            nr_holes: 0,
            nr_bit_holes: 0,
            padding: 0,
            bit_padding: 0,
        };
        if is_struct(&t) {
            find_holes(&mut class, t.size());
        }
        class
    }

    /// pahole's `class__infer_packed_attributes` (structs only; cached, with side effects on
    /// member types, as in pahole).
    pub fn infer_packed(&mut self, btf: &Btf, id: TypeId) -> bool {
        if let Some(&p) = self.packed.get(&id.0) {
            return p;
        }
        let t = btf.ty(id);
        if !is_struct(&t) {
            return false;
        }
        let class = self.class(btf, id);
        let mut packed = false;
        if class.padding != 0 || class.nr_holes != 0 {
            // Structs embedded at an offset unnatural for them must be packed.
            for m in &class.members {
                let Some(mt) = strip(btf, m.type_id) else {
                    continue;
                };
                if !is_struct(&mt) {
                    continue;
                }
                let natural = natural_alignment(btf, Some(mt), self);
                if u64::from(m.byte_offset) % natural != 0 {
                    self.packed.insert(mt.id().0, true);
                }
            }
        } else {
            let mut max: u64 = 1;
            let mut unnatural = false;
            for m in &class.members {
                let natural = natural_alignment(btf, strip(btf, m.type_id), self);
                if natural == 1 {
                    continue;
                }
                max = max.max(natural) & 0xffff;
                if u64::from(m.byte_offset) % natural != 0 {
                    unnatural = true;
                    break;
                }
            }
            packed = unnatural
                || (max != 1 && class.alignment == 1)
                || (max != 0 && u64::from(t.size()) % max != 0);
        }
        // A member's inference may already have marked this one.
        let packed = *self.packed.entry(id.0).or_insert(packed);
        packed
    }

    /// pahole's `union__infer_packed_attributes`: structs in a union whose size is not a
    /// multiple of theirs must be packed.
    pub fn infer_union_packed(&mut self, btf: &Btf, id: TypeId) {
        let t = btf.ty(id);
        if self.packed.contains_key(&id.0) {
            return;
        }
        self.packed.insert(id.0, false);
        for m in t.member_layouts() {
            let Some(mt) = strip(btf, m.type_id) else {
                continue;
            };
            if !is_struct(&mt) {
                continue;
            }
            let natural = natural_alignment(btf, Some(mt), self);
            if u64::from(t.size()) % natural != 0 {
                self.packed.insert(mt.id().0, true);
            }
        }
    }
}

/// pahole's `class__find_holes` (structs only).
fn find_holes(class: &mut Class, size: u32) {
    let mut cur_bitfield_end: u32 = size.wrapping_mul(8);
    let mut cur_bitfield_size: u32 = 0;
    let mut last_seen_bit: u32 = 0;
    let mut in_bitfield = false;
    let mut last: Option<usize> = None;
    for i in 0..class.members.len() {
        let pos = class.members[i];
        let bit_start = pos.bit_offset;
        let bit_end = if pos.bitfield_size != 0 {
            bit_start.wrapping_add(u32::from(pos.bitfield_size))
        } else {
            bit_start.wrapping_add((pos.byte_size as u32).wrapping_mul(8))
        };
        let mut bit_holes: i32 = 0;
        let mut byte_holes: i32 = 0;
        if in_bitfield {
            // Trailing bits of the previous bitfield.
            let bitfield_end = bit_start.min(cur_bitfield_end) as i32;
            bit_holes = bitfield_end.wrapping_sub(last_seen_bit as i32);
            last_seen_bit = bitfield_end as u32;
        }
        if pos.bitfield_size != 0 {
            let aligned_start = pos.byte_offset.wrapping_mul(8);
            if last_seen_bit < aligned_start && aligned_start <= bit_start {
                byte_holes = pos.byte_offset.wrapping_sub(last_seen_bit / 8) as i32;
                last_seen_bit = aligned_start;
            }
            bit_holes = bit_holes.wrapping_add(bit_start.wrapping_sub(last_seen_bit) as i32);
        } else {
            byte_holes = (bit_start / 8).wrapping_sub(last_seen_bit / 8) as i32;
        }
        last_seen_bit = bit_end;
        let bit_size = (pos.byte_size as u32).wrapping_mul(8);
        if pos.bitfield_size != 0 {
            in_bitfield = true;
            if bit_end > cur_bitfield_end || bit_size > cur_bitfield_size {
                cur_bitfield_size = bit_size;
                cur_bitfield_end = pos
                    .byte_offset
                    .wrapping_mul(8)
                    .wrapping_add(cur_bitfield_size);
                if bit_end > cur_bitfield_end {
                    cur_bitfield_end = cur_bitfield_end.wrapping_add(cur_bitfield_size);
                }
            }
        } else {
            in_bitfield = false;
            cur_bitfield_size = 0;
            cur_bitfield_end = bit_end;
        }
        match last {
            Some(l) => {
                class.members[l].hole = byte_holes as u16;
                class.members[l].bit_hole = bit_holes as u8;
            }
            None => {
                class.pre_hole = byte_holes as u16;
                class.pre_bit_hole = bit_holes as u8;
            }
        }
        if bit_holes != 0 {
            class.nr_bit_holes = class.nr_bit_holes.wrapping_add(1);
        }
        if byte_holes != 0 {
            class.nr_holes = class.nr_holes.wrapping_add(1);
        }
        last = Some(i);
    }
    if in_bitfield {
        let bitfield_end = size.wrapping_mul(8).min(cur_bitfield_end) as i32;
        class.bit_padding = bitfield_end.wrapping_sub(last_seen_bit as i32) as u8;
        last_seen_bit = bitfield_end as u32;
    } else {
        class.bit_padding = 0;
    }
    class.padding = size.wrapping_sub(last_seen_bit / 8) as u16;
}
