//! A deterministic random BTF generator for differential tests of the C header generator.
//!
//! Each seed gives one small, valid blob (ids in range, FUNC → FUNC_PROTO, no reference loop
//! that skips a struct) built to hit what makes `btf_dump` hard: names colliding within and
//! across namespaces (and with C keywords and libbpf's special names), pointer cycles,
//! anonymous aggregates nested and shared, odd layouts (packing, over-alignment, holes, tail
//! padding, bitfields), enums of every size and signedness, ENUM64, type tags (both forms),
//! prototypes with varargs and unnamed parameters, FWDs, DECL_TAGs and kfunc tags, VAR and
//! DATASEC, and now and then an unsatisfiable embedding cycle.
//!
//! Member types never resolve to a kind without alignment (void, FWD, FUNC_PROTO, …) by
//! value: libbpf divides by that alignment and bpftool would crash.

use corelab::btf::{IntEncoding, Kind, TypeId};
use corelab::builder::{BtfBuilder, EncodeOptions, MemberSpec};

/// splitmix64: small, fast and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5eed_c0de_1234_5678)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u32) -> u32 {
        if n == 0 {
            0
        } else {
            (self.next_u64() % u64::from(n)) as u32
        }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// One element of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u32) as usize]
    }
}

const TYPE_NAMES: &[&str] = &[
    "foo", "bar", "baz", "node", "A", "a", "_x", "int", "list", "Z9", "class", "foo___2",
];
const IDENTS: &[&str] = &["ONE", "TWO", "foo", "bar", "A", "X_1", "node", "int", "new"];
const MEMBER_NAMES: &[&str] = &["x", "y", "next", "a", "class", "foo", "data", "private"];
const SPECIAL_TYPEDEFS: &[&str] = &["__builtin_va_list", "__gnuc_va_list", "va_list"];

/// What the generator knows about a type it made: what by-value embedding needs.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Size in bytes and natural alignment, if the type can be a member by value.
    layout: Option<(u32, u32)>,
    /// A named STRUCT/UNION/ENUM/FWD (a later type may point to it by id).
    aggregate: bool,
}

struct Gen {
    r: Rng,
    b: BtfBuilder,
    shapes: Vec<Shape>,
    ptr_size: u32,
    /// Anonymous aggregates being built: pointing into them would be an unsatisfiable cycle.
    open_anonymous: Vec<TypeId>,
}

impl Gen {
    fn add(&mut self, id: TypeId, shape: Shape) -> TypeId {
        debug_assert_eq!(id.0 as usize, self.shapes.len());
        self.shapes.push(shape);
        id
    }

    fn scalar(&mut self, id: TypeId, size: u32) -> TypeId {
        let align = size.min(self.ptr_size).max(1);
        self.add(
            id,
            Shape {
                layout: Some((size, align)),
                aggregate: false,
            },
        )
    }

    fn plain(&mut self, id: TypeId) -> TypeId {
        self.add(
            id,
            Shape {
                layout: None,
                aggregate: false,
            },
        )
    }

    fn next_id(&self) -> TypeId {
        self.b.next_id()
    }

    /// A name, or `""` with probability `anon`%.
    fn name(&mut self, anon: u32, pool: &[&'static str]) -> &'static str {
        if self.r.chance(anon) {
            ""
        } else {
            self.r.pick(pool)
        }
    }

    /// Any existing id (void included), for pointers and prototypes.
    fn any(&mut self) -> TypeId {
        TypeId(self.r.below(self.shapes.len() as u32))
    }

    /// An existing type that can be a member by value.
    fn embeddable(&mut self) -> (TypeId, u32, u32) {
        let cands: Vec<(u32, (u32, u32))> = self
            .shapes
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.layout.map(|l| (i as u32, l)))
            .collect();
        let (i, (size, align)) = self.r.pick(&cands);
        (TypeId(i), size, align)
    }

    fn int_ids(&self) -> Vec<(TypeId, u32)> {
        (1..=6)
            .filter_map(|i| self.shapes[i].layout.map(|(s, _)| (TypeId(i as u32), s)))
            .collect()
    }

    /// A STRUCT or UNION. Its id is taken first (an empty placeholder, filled in at the end),
    /// so its members may point back at it and anonymous aggregates it embeds come after it.
    fn aggregate(&mut self, is_union: bool, name: &'static str, depth: u32) -> TypeId {
        let id = self.next_id();
        self.b.struct_(name, 0, &[]);
        self.add(
            id,
            Shape {
                layout: None,
                aggregate: !name.is_empty(),
            },
        );
        if name.is_empty() {
            self.open_anonymous.push(id);
        }
        let count = self.r.range(0, 6);
        let bitfields = self.r.chance(30);
        let packed = self.r.chance(15);
        let mut members: Vec<(&'static str, TypeId, u32, u32)> = Vec::new();
        for j in 0..count {
            let mname = if self.r.chance(12) {
                ""
            } else if self.r.chance(10) {
                ["v0", "v1", "v2", "v3", "v4", "v5"][j as usize]
            } else {
                self.r.pick(MEMBER_NAMES)
            };
            let (ty, size, align) = if depth < 3 && self.r.chance(15) {
                // Anonymous nesting.
                let inner_union = self.r.chance(40);
                let inner = self.aggregate(inner_union, "", depth + 1);
                let (s, a) = self.shapes[inner.0 as usize].layout.unwrap_or((0, 1));
                (inner, s, a)
            } else if self.r.chance(35) {
                // A pointer: to this aggregate if named (a cycle through it; an anonymous one
                // pointing to itself is an unsatisfiable cycle), or to anything earlier.
                let target = if !name.is_empty() && self.r.chance(30) {
                    id
                } else {
                    let mut t = self.any();
                    while self.open_anonymous.contains(&t) {
                        t = TypeId(self.r.below(id.0));
                    }
                    t
                };
                let ptr = self.next_id();
                self.b.ptr(target);
                let p = self.ptr_size;
                self.scalar(ptr, p);
                (ptr, p, p)
            } else {
                self.embeddable()
            };
            members.push((mname, ty, size, align));
        }
        // Lay the members out: naturally, packed, over-aligned, as bitfields.
        let mut off = 0u32;
        let mut max_align = 1u32;
        let ints = self.int_ids();
        let mut laid: Vec<MemberSpec<'static>> = Vec::new();
        for &(mname, ty, size, align) in &members {
            let (mut ty, mut size, mut bits) = (ty, size, 0);
            if bitfields && self.r.chance(45) {
                let (int, isz) = self.r.pick(&ints);
                ty = int;
                size = isz;
                bits = self.r.range(1, (isz * 8).min(64));
            }
            let moff = if is_union {
                0
            } else if bits != 0 {
                let unit = size * 8;
                if off / unit != (off + bits - 1) / unit {
                    off.div_ceil(unit) * unit
                } else {
                    off
                }
            } else {
                let mut a = if packed { 1 } else { align.max(1) };
                if self.r.chance(8) {
                    a *= self.r.pick(&[2, 4, 8, 64]);
                }
                off.div_ceil(a * 8) * a * 8
            };
            laid.push((mname, ty, moff, bits));
            off = if bits != 0 {
                moff + bits
            } else {
                off.max(moff + size * 8)
            };
            max_align = max_align.max(if packed { 1 } else { align.max(1) });
        }
        let mut size = if is_union {
            members.iter().map(|m| m.2).max().unwrap_or(0)
        } else {
            off.div_ceil(8)
        };
        size = size.div_ceil(max_align) * max_align;
        if self.r.chance(12) {
            size += self.r.pick(&[1, 3, 8, 64]);
        }
        // Fill in the placeholder (the record layout `BtfBuilder::struct_` writes).
        let kflag = laid.iter().any(|m| m.3 != 0);
        let kind = if is_union { Kind::UNION } else { Kind::STRUCT };
        let mut trailer = Vec::with_capacity(laid.len() * 3);
        for &(mname, ty, bit_off, bits) in &laid {
            let off = if kflag {
                (bits << 24) | (bit_off & 0x00ff_ffff)
            } else {
                bit_off
            };
            trailer.extend([self.b.add_str(mname), ty.0, off]);
        }
        if let Some(slot) = self.b.raw_mut(id) {
            slot.info = (u32::from(kflag) << 31) | (u32::from(kind.0) << 24) | laid.len() as u32;
            slot.size_type = size;
            slot.trailer = trailer;
        }
        let align = if size == 0 { 1 } else { max_align };
        self.shapes[id.0 as usize].layout = Some((size, align));
        self.open_anonymous.retain(|&o| o != id);
        id
    }

    fn enumeration(&mut self, wide: bool) -> TypeId {
        let name = self.name(40, TYPE_NAMES);
        let count = self.r.range(0, 4);
        let signed = self.r.chance(30);
        let id = self.next_id();
        const VALUES: [i64; 9] = [
            0,
            1,
            -1,
            255,
            0x7fff_ffff,
            0x8000_0000,
            0x1_2345_6789,
            -5,
            i64::MIN,
        ];
        let values: Vec<(&str, i64)> = (0..count)
            .map(|_| (self.r.pick(IDENTS), self.r.pick(&VALUES)))
            .collect();
        let size = if wide {
            self.r.pick(&[8, 8, 4])
        } else {
            self.r.pick(&[4, 4, 4, 1, 2, 8])
        };
        if wide {
            let v: Vec<(&str, u64)> = values.iter().map(|&(n, v)| (n, v as u64)).collect();
            self.b.enum64(name, size, signed, &v);
        } else {
            self.b.enum_(name, size, signed, &values);
        }
        let align = size.min(self.ptr_size);
        self.add(
            id,
            Shape {
                layout: Some((size, align)),
                aggregate: !name.is_empty(),
            },
        )
    }

    fn proto(&mut self) -> TypeId {
        let mut params: Vec<(&str, TypeId)> = Vec::new();
        for _ in 0..self.r.range(0, 3) {
            let n = self.r.pick(&["", "", "p", "q", "fmt"]);
            let t = TypeId(self.r.range(1, self.shapes.len() as u32 - 1));
            params.push((n, t));
        }
        if self.r.chance(8) && params.is_empty() {
            params.push(("", TypeId::VOID)); // `(void)` spelled as one void parameter
        } else if self.r.chance(20) {
            params.push(("", TypeId::VOID)); // varargs
        }
        let ret = self.any();
        let id = self.next_id();
        self.b.func_proto(ret, &params);
        self.plain(id)
    }

    /// One random type (sometimes a few).
    fn one(&mut self) {
        let len = self.shapes.len() as u32;
        match self.r.below(22) {
            0..=2 => {
                let name = self.name(35, TYPE_NAMES);
                self.aggregate(false, name, 0);
            }
            3 => {
                let name = self.name(35, TYPE_NAMES);
                self.aggregate(true, name, 0);
            }
            4 => {
                self.enumeration(false);
            }
            5 => {
                self.enumeration(true);
            }
            6 | 7 => {
                let name = if self.r.chance(5) {
                    self.r.pick(SPECIAL_TYPEDEFS)
                } else {
                    let pool = if self.r.chance(50) {
                        TYPE_NAMES
                    } else {
                        IDENTS
                    };
                    self.r.pick(pool)
                };
                // A typedef may name the aggregate made right after it (a forward use).
                let target = if self.r.chance(25) {
                    TypeId(len + 1)
                } else if name == "__gnuc_va_list" && self.r.chance(50) {
                    TypeId::VOID
                } else {
                    self.any()
                };
                let id = self.next_id();
                self.b.typedef(name, target);
                let layout = if target.0 < len {
                    self.shapes[target.0 as usize].layout
                } else {
                    None
                };
                self.add(
                    id,
                    Shape {
                        layout,
                        aggregate: false,
                    },
                );
                if target.0 >= len {
                    let name = self.r.pick(TYPE_NAMES);
                    self.aggregate(false, name, 0);
                }
            }
            8 | 9 => {
                // Pointers may point at a later aggregate: a cycle through a struct is fine.
                let later: Vec<u32> = (0..len)
                    .filter(|&i| self.shapes[i as usize].aggregate)
                    .collect();
                let target = if !later.is_empty() && self.r.chance(40) {
                    TypeId(self.r.pick(&later))
                } else {
                    self.any()
                };
                let id = self.next_id();
                self.b.ptr(target);
                let p = self.ptr_size;
                self.scalar(id, p);
            }
            10..=12 => {
                let target = self.any();
                let id = self.next_id();
                match self.r.below(4) {
                    0 => self.b.const_(target),
                    1 => self.b.volatile(target),
                    2 => self.b.restrict(target),
                    _ => {
                        let tag = self.r.pick(&["user", "rcu", "percpu", "address_space(1)"]);
                        let kflag = self.r.chance(40);
                        self.b.type_tag(tag, target, kflag)
                    }
                };
                let layout = self.shapes[target.0 as usize].layout;
                self.add(
                    id,
                    Shape {
                        layout,
                        aggregate: false,
                    },
                );
            }
            13 => {
                let (elem, size, align) = self.embeddable();
                let n = self.r.pick(&[0, 1, 2, 3, 16]);
                let id = self.next_id();
                self.b.array(elem, TypeId(1), n);
                self.add(
                    id,
                    Shape {
                        layout: Some((size * n, align)),
                        aggregate: false,
                    },
                );
            }
            14 => {
                self.proto();
            }
            15 => {
                let name = self.r.pick(TYPE_NAMES);
                let union = self.r.chance(30);
                let id = self.next_id();
                self.b.fwd(name, union);
                self.add(
                    id,
                    Shape {
                        layout: None,
                        aggregate: true,
                    },
                );
            }
            16 => {
                let (name, size) = self
                    .r
                    .pick(&[("float", 4), ("double", 8), ("long double", 16)]);
                let id = self.next_id();
                self.b.float(name, size);
                self.scalar(id, size);
            }
            17 => {
                // A function, maybe a kfunc (bpf_kfunc / bpf_fastcall tags, as the kernel has).
                let proto = self.proto();
                let name = self.r.pick(&["f", "g", "bpf_kf", "alpha", "zeta"]);
                let id = self.next_id();
                self.b.func(name, proto, 1);
                self.plain(id);
                if self.r.chance(50) {
                    let tag = self.r.pick(&["bpf_kfunc", "bpf_fastcall", "bpf_kfunc_x"]);
                    let id = self.next_id();
                    self.b
                        .decl_tag(tag, TypeId(id.0 - 1), self.r.pick(&[-1, -1, 0]));
                    self.plain(id);
                }
            }
            18 => {
                // A variable (of an anonymous enum sometimes: it must then vanish) in a section.
                let ty = if self.r.chance(30) {
                    self.enumeration(false)
                } else {
                    self.any()
                };
                let id = self.next_id();
                self.b.var(self.r.pick(&["v", "w"]), ty, 1);
                self.plain(id);
                if self.r.chance(50) {
                    let ds = self.next_id();
                    self.b.datasec(".data", 8, &[(id, 0, 4)]);
                    self.plain(ds);
                }
            }
            19 => {
                // A struct member's decl tag.
                let structs: Vec<u32> = (0..len)
                    .filter(|&i| self.shapes[i as usize].aggregate)
                    .collect();
                if !structs.is_empty() {
                    let target = TypeId(self.r.pick(&structs));
                    let id = self.next_id();
                    self.b.decl_tag("tagged", target, -1);
                    self.plain(id);
                }
            }
            20 => {
                // An anonymous enum used only as a prototype's return type (printed twice).
                let e = self.enumeration(false);
                let id = self.next_id();
                self.b.func_proto(e, &[("", TypeId(1))]);
                self.plain(id);
            }
            _ => {
                if self.r.chance(5) {
                    // An unsatisfiable cycle: two structs embedding each other.
                    let a = self.next_id();
                    let ps = self.ptr_size;
                    self.b.struct_("cyc_a", 8, &[("b", TypeId(a.0 + 1), 0, 0)]);
                    self.scalar(a, ps);
                    let id = self.next_id();
                    self.b.struct_("cyc_b", 8, &[("a", a, 0, 0)]);
                    self.scalar(id, ps);
                } else {
                    let name = self.name(20, TYPE_NAMES);
                    let union = self.r.chance(30);
                    self.aggregate(union, name, 0);
                }
            }
        }
    }
}

/// The random BTF blob for `seed` (little-endian, classic header).
pub fn random_btf(seed: u64) -> Vec<u8> {
    let mut g = Gen {
        r: Rng::new(seed),
        b: BtfBuilder::new(),
        shapes: vec![Shape {
            layout: None,
            aggregate: false,
        }],
        ptr_size: 8,
        open_anonymous: Vec::new(),
    };
    // Ids 1–6: base integers; `long` decides the pointer size (4 now and then).
    let long_size = if g.r.chance(10) { 4 } else { 8 };
    g.ptr_size = long_size;
    let poly = g.r.chance(5);
    let ints: [(&str, u32, u8); 6] = [
        ("int", 4, IntEncoding::SIGNED),
        ("char", 1, IntEncoding::SIGNED | IntEncoding::CHAR),
        ("short", 2, IntEncoding::SIGNED),
        ("unsigned int", 4, 0),
        (
            if poly { "__Poly8_t" } else { "_Bool" },
            1,
            IntEncoding::BOOL,
        ),
        ("long", long_size, IntEncoding::SIGNED),
    ];
    for (name, size, enc) in ints {
        let id = g.next_id();
        g.b.int(name, size, enc);
        g.scalar(id, size);
    }
    if g.r.chance(20) {
        let id = g.next_id();
        g.b.int("__int128", 16, IntEncoding::SIGNED);
        g.scalar(id, 16);
    }
    for _ in 0..g.r.range(6, 40) {
        g.one();
    }
    g.b.encode(&EncodeOptions::default())
}
