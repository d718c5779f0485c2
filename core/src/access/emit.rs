//! The object's `.BTF` as clang-19 would write it for the question: the types its records
//! need, in the shape clang's BTF emitter gives them (LLVM `BTFDebug`).
//!
//! A record's root type is emitted whole, with everything its members need, except what a
//! member reaches through a plain pointer: a named struct or union behind one becomes a
//! forward declaration unless something else emits it whole. Pointers carrying a type tag
//! (`__rcu`, `__user`), array elements and function prototypes' parameters are followed
//! whole. Integers get clang's spellings (`unsigned long`, not `long unsigned int`) and
//! encodings (plain `char` is signed on BPF); enums clang's signedness and size; duplicated
//! kernel names their `vmlinux.h` suffixes. This matters to libbpf: `bpf_core_type_matches`
//! compares integer names, and forward declarations are compatible with nothing but forward
//! declarations in `bpf_core_type_exists`.

use std::collections::HashMap;

use crate::btf::{Btf, Kind, TypeId};
use crate::builder::{BtfBuilder, EncodeOptions};

use super::error::AccessError;
use super::names::Local;
use super::parse::builtin_spelling;
use super::universe::builtin_int;

/// The object BTF and where each universe type went.
#[derive(Debug)]
pub struct ObjectBtf {
    /// The BTF (pointer size 8, as libbpf forces for objects).
    pub btf: Btf,
    /// Universe id → object id, for every type emitted whole or as a derived type.
    pub map: HashMap<TypeId, TypeId>,
    /// The string offset of each extra string asked for (the records' access strings).
    pub strings: Vec<u32>,
}

/// Deepest type nesting followed (kernel types nest far less).
const MAX_DEPTH: usize = 1024;

struct Emitter<'a> {
    src: &'a Btf,
    names: &'a Local,
    /// First id of the question's own types (kernel types are below).
    own_start: u32,
    out: BtfBuilder,
    map: HashMap<TypeId, TypeId>,
    ints: HashMap<String, TypeId>,
    /// Derived types whose pointee is decided at the end: (object id, struct in `src`).
    fixups: Vec<(TypeId, TypeId)>,
    depth: usize,
}

/// Emits the types `roots` need from `src` (the universe's BTF), and `strings` into its
/// string section.
pub fn emit(
    src: &Btf,
    names: &Local,
    own_start: u32,
    roots: &[TypeId],
    strings: &[&str],
) -> Result<ObjectBtf, AccessError> {
    let mut e = Emitter {
        src,
        names,
        own_start,
        out: BtfBuilder::new(),
        map: HashMap::new(),
        ints: HashMap::new(),
        fixups: Vec::new(),
        depth: 0,
    };
    for &r in roots {
        e.visit(r, false, false)?;
    }
    // Fixups: the struct itself if it was emitted whole, else one FWD per struct.
    let mut fwds: HashMap<TypeId, TypeId> = HashMap::new();
    for (out_id, s) in std::mem::take(&mut e.fixups) {
        let target = match e.map.get(&s) {
            Some(&t) => t,
            None => match fwds.get(&s) {
                Some(&f) => f,
                None => {
                    let t = src.ty(s);
                    let name = e.type_name(s);
                    let f = e.out.fwd(&name, t.kind() == Kind::UNION);
                    fwds.insert(s, f);
                    f
                }
            },
        };
        if let Some(raw) = e.out.raw_mut(out_id) {
            raw.size_type = target.0;
        }
    }
    let strings = strings.iter().map(|s| e.out.add_str(s)).collect();
    let blob = e.out.encode(&EncodeOptions::default());
    let mut btf =
        Btf::parse(&blob).map_err(|err| AccessError::at(0, format!("internal: {err}")))?;
    btf.set_ptr_size(8);
    Ok(ObjectBtf {
        btf,
        map: e.map,
        strings,
    })
}

fn is_derived(k: Kind) -> bool {
    matches!(
        k,
        Kind::PTR | Kind::TYPEDEF | Kind::CONST | Kind::VOLATILE | Kind::RESTRICT | Kind::TYPE_TAG
    )
}

impl Emitter<'_> {
    fn type_name(&self, id: TypeId) -> String {
        if id.0 >= self.own_start {
            self.src.ty(id).name().to_owned()
        } else {
            self.names.type_name(id).into_owned()
        }
    }

    /// A pointer whose pointee carries a type tag: clang follows it whole.
    fn annotated(&self, ptr: TypeId) -> bool {
        let t = self.src.ty(ptr);
        t.kind() == Kind::PTR && self.src.ty(t.type_id()).kind() == Kind::TYPE_TAG
    }

    fn fwd_candidate(&self, id: TypeId) -> bool {
        let t = self.src.ty(id);
        t.kind().is_composite() && !t.name().is_empty()
    }

    fn visit(&mut self, id: TypeId, check: bool, seen: bool) -> Result<TypeId, AccessError> {
        if id.is_void() {
            return Ok(TypeId(0));
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(AccessError::at(0, "types nest too deeply"));
        }
        let r = self.visit_inner(id, check, seen);
        self.depth -= 1;
        r
    }

    fn visit_inner(
        &mut self,
        id: TypeId,
        check: bool,
        mut seen: bool,
    ) -> Result<TypeId, AccessError> {
        let src = self.src;
        if let Some(&o) = self.map.get(&id) {
            // Seen before, possibly as the start of a chain cut at a pointer: outside a
            // pointer, keep following the chain into what is not emitted yet.
            if !check || !seen {
                let mut d = id;
                for _ in 0..64 {
                    let t = src.ty(d);
                    if !is_derived(t.kind()) || t.type_id().is_void() {
                        break;
                    }
                    let base = t.type_id();
                    if self.map.contains_key(&base) {
                        d = base;
                        continue;
                    }
                    if check && t.kind() == Kind::PTR && !self.annotated(d) {
                        seen = true;
                        if self.fwd_candidate(base) {
                            break;
                        }
                    }
                    self.visit(base, check, seen)?;
                    break;
                }
            }
            return Ok(o);
        }
        let t = src.ty(id);
        let kind = t.kind();
        if is_derived(kind) {
            if check && !seen {
                seen = kind == Kind::PTR && !self.annotated(id);
            }
            let name = if kind == Kind::TYPEDEF {
                self.type_name(id)
            } else {
                t.name().to_owned()
            };
            let o = self.out.add_raw(&name, kind, t.kflag(), 0, 0, vec![]);
            self.map.insert(id, o);
            let base = t.type_id();
            if check && seen && self.fwd_candidate(base) {
                self.fixups.push((o, base));
                return Ok(o);
            }
            let b = self.visit(base, check, seen)?;
            if let Some(raw) = self.out.raw_mut(o) {
                raw.size_type = b.0;
            }
            return Ok(o);
        }
        match kind {
            Kind::STRUCT | Kind::UNION => {
                let name = self.type_name(id);
                let o = self
                    .out
                    .add_raw(&name, kind, t.kflag(), t.vlen(), t.size(), vec![]);
                self.map.insert(id, o);
                let members: Vec<_> = t.members().collect();
                let mut trailer = Vec::with_capacity(members.len() * 3);
                for m in members {
                    let mt = self.visit(m.type_id, true, false)?;
                    trailer.extend([self.out.add_str(m.name), mt.0, m.raw_offset]);
                }
                if let Some(raw) = self.out.raw_mut(o) {
                    raw.trailer = trailer;
                }
                Ok(o)
            }
            Kind::ARRAY => {
                let a = t.array();
                let o = self
                    .out
                    .add_raw("", Kind::ARRAY, false, 0, 0, vec![0, 0, a.nelems]);
                self.map.insert(id, o);
                let elem = self.visit(a.elem, false, false)?;
                let index = self.int_named("__ARRAY_SIZE_TYPE__", 4, 0);
                if let Some(raw) = self.out.raw_mut(o) {
                    raw.trailer = vec![elem.0, index.0, a.nelems];
                }
                Ok(o)
            }
            Kind::FUNC_PROTO => {
                let o = self
                    .out
                    .add_raw("", Kind::FUNC_PROTO, false, t.vlen(), 0, vec![]);
                self.map.insert(id, o);
                let ret = self.visit(t.type_id(), false, false)?;
                let params: Vec<_> = t.params().collect();
                let mut trailer = Vec::with_capacity(params.len() * 2);
                for p in params {
                    let pt = self.visit(p.type_id, false, false)?;
                    trailer.extend([self.out.add_str(p.name), pt.0]);
                }
                if let Some(raw) = self.out.raw_mut(o) {
                    raw.size_type = ret.0;
                    raw.trailer = trailer;
                }
                Ok(o)
            }
            Kind::INT => {
                let name = t.name();
                let o = match builtin_spelling(name)
                    .and_then(|c| builtin_int(c).map(|(s, e)| (c, s, e)))
                {
                    Some((canon, size, enc)) if size == t.size() => {
                        self.int_named(canon, size, enc)
                    }
                    _ => {
                        let info = t.int_info();
                        self.int_named(name, t.size(), info.encoding.0)
                    }
                };
                self.map.insert(id, o);
                Ok(o)
            }
            Kind::ENUM | Kind::ENUM64 => {
                let o = self.enum_type(id);
                self.map.insert(id, o);
                Ok(o)
            }
            Kind::FWD => {
                let name = self.type_name(id);
                let o = self.out.fwd(&name, t.kflag());
                self.map.insert(id, o);
                Ok(o)
            }
            Kind::FLOAT => {
                let o = self.out.float(t.name(), t.size());
                self.map.insert(id, o);
                Ok(o)
            }
            // Not reachable from C types (variables, sections, functions, tags).
            _ => Ok(TypeId(0)),
        }
    }

    fn int_named(&mut self, name: &str, size: u32, enc: u8) -> TypeId {
        if let Some(&id) = self.ints.get(name) {
            return id;
        }
        let id = self.out.int(name, size, enc);
        self.ints.insert(name.to_owned(), id);
        id
    }

    /// An enum as clang compiles `vmlinux.h`'s text of it: signed when a value is negative,
    /// 32 bits unless a value needs 64.
    fn enum_type(&mut self, id: TypeId) -> TypeId {
        let t = self.src.ty(id);
        let own = id.0 >= self.own_start;
        let signed_src = t.kflag();
        let vals: Vec<(String, i128)> = t
            .enum_values()
            .map(|e| {
                let v: i128 = if e.is64 {
                    if signed_src {
                        i128::from(e.raw() as i64)
                    } else {
                        i128::from(e.raw())
                    }
                } else if signed_src {
                    i128::from(e.lo as i32)
                } else {
                    i128::from(e.lo)
                };
                let name = if own {
                    e.name.to_owned()
                } else {
                    self.names.enumerator_name(id, e.index).into_owned()
                };
                (name, v)
            })
            .collect();
        let name = self.type_name(id);
        if vals.is_empty() {
            return self.out.add_raw(&name, Kind::ENUM, false, 0, 4, vec![]);
        }
        let signed = vals.iter().any(|&(_, v)| v < 0);
        let wide = vals
            .iter()
            .any(|&(_, v)| v > i128::from(u32::MAX) || v < i128::from(i32::MIN));
        if wide {
            let list: Vec<(&str, u64)> =
                vals.iter().map(|(n, v)| (n.as_str(), *v as u64)).collect();
            self.out.enum64(&name, 8, signed, &list)
        } else {
            let list: Vec<(&str, i64)> =
                vals.iter().map(|(n, v)| (n.as_str(), *v as i64)).collect();
            self.out.enum_(&name, 4, signed, &list)
        }
    }
}
