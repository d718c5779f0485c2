//! From a parsed question to the CO-RE records clang emits for it.
//!
//! The question is evaluated as clang's front end and its BPF passes treat it: every member
//! access on a record with `preserve_access_index` (every kernel type, through `vmlinux.h`'s
//! pragma) is relocatable; a chain of `.member` and constant `[index]` steps under one
//! pointer becomes one access string (`0:53`, `0:0:47:3`, `2:83`); each `->` through a
//! pointer member loads that pointer (a relocated load) and starts a new root at its
//! pointee. The CO-RE macros of `bpf_core_read.h` are expanded by their definitions (a
//! `BPF_CORE_READ` hop is an address computation for `bpf_probe_read_kernel`, the bitfield
//! macro asks for five kinds, `bpf_core_field_*` evaluate their argument only for its type).
//!
//! Root types are recorded as written, qualifiers dropped but typedefs kept (a typedef'd root
//! is a different local type to libbpf). What clang rejects is rejected with clang's words
//! and the position of the offending expression.

use crate::btf::{Btf, Kind, TypeId};
use crate::diff::type_string;
use crate::reloc::RelocKind;

use super::ast::*;
use super::error::AccessError;
use super::parse::TopStmt;
use super::record::{Cond, InsnForm, Record};
use super::universe::Universe;

mod builtins;
mod decl;

/// What evaluating a question gives, kept across its parts (a variable declared in one
/// part is known in the next).
#[derive(Debug, Clone, Default)]
pub struct Synthesis {
    /// The records, in the order clang emits them (source order).
    pub records: Vec<Record>,
    /// What clang would warn about (e.g. a constant index past the end of an array), with
    /// the part they are in.
    pub warnings: Vec<(usize, AccessError)>,
    vars: Vec<(String, TypeId)>,
}

/// Evaluates `stmts` (part `source` of the question) over `uni`, adding to `out`. On error
/// `out` is unchanged.
pub fn synthesize(
    uni: &mut Universe<'_>,
    stmts: &[TopStmt],
    source: usize,
    out: &mut Synthesis,
) -> Result<(), AccessError> {
    let void_ptr = uni.ptr_to(TypeId(0))?;
    let int = uni.int("int")?;
    let ulong = uni.int("unsigned long")?;
    uni.btf();
    let mut work = out.clone();
    if work.vars.is_empty() {
        work.vars.push(("ctx".to_owned(), void_ptr));
    }
    let mut s = Synth {
        uni,
        vars: std::mem::take(&mut work.vars),
        out: work,
        guards: Vec::new(),
        quiet: 0,
        explicit: 0,
        stmt: 0,
        source,
        preserve_ctx: true,
        int,
        ulong,
    };
    for (i, st) in stmts.iter().enumerate() {
        s.stmt = i;
        s.statement(&st.stmt)?;
    }
    let mut result = s.out;
    result.vars = s.vars;
    *out = result;
    Ok(())
}

/// A place inside a relocatable object: the access so far.
#[derive(Debug, Clone)]
pub(super) struct Path {
    root: TypeId,
    raw: Vec<u32>,
    /// The type of the place, as declared (typedefs kept).
    ty: TypeId,
    bitfield: bool,
    /// Whether direct accesses through it are relocated (`preserve_access_index`).
    reloc: bool,
    pos: usize,
}

#[derive(Debug, Clone)]
pub(super) enum Val {
    /// A relocatable place.
    Path(Path),
    /// A place that is not relocated (a variable, or memory of a plain struct).
    Place(TypeId),
    /// A computed value, with what is known about it.
    Value(TypeId, Cond),
}

struct Synth<'u, 'k> {
    uni: &'u mut Universe<'k>,
    vars: Vec<(String, TypeId)>,
    out: Synthesis,
    guards: Vec<(Cond, bool)>,
    /// Inside `sizeof`/`typeof`/a field builtin's argument: nothing is evaluated.
    quiet: usize,
    /// Inside `__builtin_preserve_access_index`: accesses are relocated even on records
    /// without the attribute.
    explicit: usize,
    stmt: usize,
    source: usize,
    /// Whether records defined now get `preserve_access_index` (nested anonymous records
    /// inherit it from the enclosing definition).
    preserve_ctx: bool,
    int: TypeId,
    ulong: TypeId,
}

/// Skips CONST, VOLATILE, RESTRICT and TYPE_TAG (not typedefs): the root type clang records.
pub(super) fn strip_cvr(btf: &Btf, mut id: TypeId) -> TypeId {
    for _ in 0..64 {
        let t = btf.ty(id);
        if !t.kind().is_modifier() {
            break;
        }
        id = t.type_id();
    }
    id
}

/// Skips modifiers and typedefs.
pub(super) fn resolve(btf: &Btf, id: TypeId) -> TypeId {
    btf.skip_mods_and_typedefs(id).id()
}

/// `'struct task_struct'`, `'my_task_t' (aka 'struct task_struct')`, as clang quotes types.
pub(super) fn spell(btf: &Btf, id: TypeId) -> String {
    let s = type_string(btf, id);
    let r = resolve(btf, id);
    if r != id && btf.ty(id).kind() == Kind::TYPEDEF {
        format!("'{s}' (aka '{}')", type_string(btf, r))
    } else {
        format!("'{s}'")
    }
}

/// The member `name` of struct/union `rec`, looking into anonymous members as C does:
/// the member indices on the way, its type and whether it is a bitfield.
pub(super) fn find_member(btf: &Btf, rec: TypeId, name: &str) -> Option<(Vec<u32>, TypeId, bool)> {
    // Depth-first over (record, next member index), bounded.
    let mut path: Vec<(TypeId, u32)> = vec![(rec, 0)];
    let mut steps = 0u32;
    while let Some(&mut (r, ref mut i)) = path.last_mut() {
        steps += 1;
        if steps > 1_000_000 {
            return None;
        }
        let t = btf.ty(r);
        let Some(m) = t.member(*i) else {
            path.pop();
            continue;
        };
        *i += 1;
        if m.name == name {
            let mut idx: Vec<u32> = path.iter().map(|&(_, i)| i - 1).collect();
            if let Some(last) = idx.last_mut() {
                *last = m.index;
            }
            return Some((idx, m.type_id, m.bitfield_size != 0));
        }
        if m.name.is_empty() {
            let inner = btf.skip_mods_and_typedefs(m.type_id);
            if inner.kind().is_composite() && path.len() < 32 {
                path.push((inner.id(), 0));
            }
        }
    }
    None
}

/// The pointee of a pointer type (arrays decay to their element).
pub(super) fn pointee(btf: &Btf, id: TypeId) -> Option<TypeId> {
    let t = btf.skip_mods_and_typedefs(id);
    match t.kind() {
        Kind::PTR => Some(t.type_id()),
        Kind::ARRAY => Some(t.array().elem),
        _ => None,
    }
}

/// The size a direct load of a value of type `id` uses, if it is a scalar clang loads.
pub(super) fn load_size(btf: &Btf, id: TypeId) -> Option<u8> {
    let t = btf.skip_mods_and_typedefs(id);
    match t.kind() {
        Kind::INT | Kind::ENUM | Kind::ENUM64 | Kind::PTR | Kind::FLOAT => {
            let s = btf.resolve_size(t.id()).ok()?;
            matches!(s, 1 | 2 | 4 | 8).then_some(s as u8)
        }
        _ => None,
    }
}

impl Synth<'_, '_> {
    pub(super) fn btf(&self) -> &Btf {
        self.uni.current()
    }

    pub(super) fn refresh(&mut self) {
        self.uni.btf();
    }

    pub(super) fn err<T>(&self, pos: usize, msg: impl Into<String>) -> Result<T, AccessError> {
        Err(AccessError::at(pos, msg))
    }

    // ---- statements ----

    pub(super) fn statement(&mut self, st: &Stmt) -> Result<(), AccessError> {
        match st {
            Stmt::Decl {
                base,
                is_typedef,
                decls,
            } => {
                let t = self.base_type(base)?;
                for (d, init) in decls {
                    let ty = self.declarator_type(t, d)?;
                    let Some(name) = &d.name else { continue };
                    if *is_typedef {
                        self.uni.define_typedef(name, ty)?;
                        self.refresh();
                    } else {
                        if let Some(e) = init {
                            self.rvalue(e)?;
                        }
                        self.vars.push((name.clone(), ty));
                    }
                }
                Ok(())
            }
            // A question's expression is read, as `USE(expr)` would read it.
            Stmt::Expr(e) => self.rvalue(e).map(|_| ()),
            Stmt::Return(e) => match e {
                Some(e) => self.rvalue(e).map(|_| ()),
                None => Ok(()),
            },
            Stmt::Block(b) => {
                let vars = self.vars.len();
                for s in b {
                    self.statement(s)?;
                }
                self.vars.truncate(vars);
                Ok(())
            }
            Stmt::If { cond, then, els } => {
                let (_, c) = self.rvalue(cond)?;
                self.guards.push((c.clone(), true));
                let r = self.statement(then);
                self.guards.pop();
                r?;
                if let Some(e) = els {
                    self.guards.push((c, false));
                    let r = self.statement(e);
                    self.guards.pop();
                    r?;
                }
                Ok(())
            }
        }
    }

    // ---- records ----

    pub(super) fn emit(
        &mut self,
        kind: RelocKind,
        p: &Path,
        form: InsnForm,
        explicit: bool,
    ) -> Option<usize> {
        if self.quiet > 0 || !(p.reloc || explicit || self.explicit > 0) {
            return None;
        }
        let access = p
            .raw
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(":");
        Some(self.push(kind, p.root, access, form, p.pos))
    }

    pub(super) fn push(
        &mut self,
        kind: RelocKind,
        root: TypeId,
        access: String,
        form: InsnForm,
        pos: usize,
    ) -> usize {
        self.out.records.push(Record {
            kind,
            root,
            access,
            form,
            pos,
            source: self.source,
            stmt: self.stmt,
            guards: self.guards.clone(),
        });
        self.out.records.len() - 1
    }

    /// A path at the object a pointer of type `ptr` points to, index `idx` (`p[idx]`).
    pub(super) fn deref(&mut self, ptr: TypeId, idx: u32, pos: usize) -> Result<Path, AccessError> {
        let btf = self.btf();
        let Some(target) = pointee(btf, ptr) else {
            return self.err(
                pos,
                format!("member reference type {} is not a pointer", spell(btf, ptr)),
            );
        };
        let root = strip_cvr(btf, target);
        let rec = resolve(btf, root);
        Ok(Path {
            root,
            raw: vec![idx],
            ty: target,
            bitfield: false,
            reloc: self.uni.preserves_access(rec),
            pos,
        })
    }

    pub(super) fn member(
        &mut self,
        mut p: Path,
        name: &str,
        pos: usize,
    ) -> Result<Path, AccessError> {
        let btf = self.btf();
        if p.bitfield {
            return self.err(pos, "member reference base type is a bit-field");
        }
        let rec = btf.skip_mods_and_typedefs(p.ty);
        match rec.kind() {
            Kind::STRUCT | Kind::UNION => {}
            Kind::FWD => {
                return self.err(
                    pos,
                    format!("incomplete definition of type {}", spell(btf, p.ty)),
                )
            }
            _ => {
                return self.err(
                    pos,
                    format!(
                        "member reference base type {} is not a structure or union",
                        spell(btf, p.ty)
                    ),
                )
            }
        }
        let Some((idx, ty, bitfield)) = find_member(btf, rec.id(), name) else {
            return self.err(
                pos,
                format!("no member named '{name}' in {}", spell(btf, p.ty)),
            );
        };
        if p.raw.len() + idx.len() > 64 {
            return self.err(pos, "access is nested too deeply for CO-RE (64 steps)");
        }
        p.raw.extend(idx);
        p.ty = ty;
        p.bitfield = bitfield;
        p.pos = pos;
        Ok(p)
    }

    /// Reads the value at a path (a relocated load), or an array's address.
    pub(super) fn load(&mut self, p: &Path) -> (TypeId, Cond) {
        if p.raw.len() > 1 {
            let btf = self.btf();
            let form = match load_size(btf, p.ty) {
                Some(size) => InsnForm::Mem(size),
                None => InsnForm::Alu,
            };
            self.emit(RelocKind::FIELD_BYTE_OFFSET, p, form, false);
        }
        (p.ty, Cond::Unknown)
    }

    // ---- expressions ----

    pub(super) fn rvalue(&mut self, e: &Expr) -> Result<(TypeId, Cond), AccessError> {
        Ok(match self.eval(e)? {
            Val::Path(p) => self.load(&p),
            Val::Place(t) => (t, Cond::Unknown),
            Val::Value(t, c) => (t, c),
        })
    }

    pub(super) fn cond_value(&mut self, e: &Expr) -> Result<Cond, AccessError> {
        Ok(self.rvalue(e)?.1)
    }

    pub(super) fn const_index(&self, e: &Expr) -> Result<Option<u32>, AccessError> {
        match e {
            Expr::Int { value, pos } => u32::try_from(*value)
                .map(Some)
                .map_err(|_| AccessError::at(*pos, "array index is too large")),
            Expr::Unary { op: "-", e, pos } if matches!(**e, Expr::Int { .. }) => self.err(
                *pos,
                "negative array index: CO-RE access strings cannot hold it",
            ),
            _ => Ok(None),
        }
    }

    pub(super) fn eval(&mut self, e: &Expr) -> Result<Val, AccessError> {
        match e {
            Expr::Ident { name, pos } => self.ident(name, *pos),
            Expr::Int { value, .. } => Ok(Val::Value(self.int, Cond::Const(*value))),
            Expr::Member {
                base,
                name,
                arrow,
                pos,
            } => {
                if *arrow {
                    let (ty, _) = self.rvalue(base)?;
                    if pointee(self.btf(), ty).is_none() {
                        let btf = self.btf();
                        let hint = if btf.skip_mods_and_typedefs(ty).kind().is_composite() {
                            "; did you mean to use '.'?"
                        } else {
                            ""
                        };
                        return self.err(
                            *pos,
                            format!(
                                "member reference type {} is not a pointer{hint}",
                                spell(btf, ty)
                            ),
                        );
                    }
                    let p = self.deref(ty, 0, *pos)?;
                    return Ok(Val::Path(self.member(p, name, *pos)?));
                }
                match self.eval(base)? {
                    Val::Path(p) => Ok(Val::Path(self.member(p, name, *pos)?)),
                    // A member of a local object of a relocatable type is relocated too,
                    // rooted at the object (`ts.tv_sec` of a local `struct timespec64`).
                    Val::Place(t) if self.relocatable_object(t) => {
                        let root = strip_cvr(self.btf(), t);
                        let p = Path {
                            root,
                            raw: vec![0],
                            ty: t,
                            bitfield: false,
                            reloc: true,
                            pos: *pos,
                        };
                        Ok(Val::Path(self.member(p, name, *pos)?))
                    }
                    Val::Place(t) | Val::Value(t, _) => {
                        // A member of a plain object (not reached through a pointer).
                        let p = Path {
                            root: t,
                            raw: vec![0],
                            ty: t,
                            bitfield: false,
                            reloc: false,
                            pos: *pos,
                        };
                        let p = self.member(p, name, *pos)?;
                        Ok(Val::Place(p.ty))
                    }
                }
            }
            Expr::Index { base, index, pos } => {
                let idx = self.const_index(index)?;
                if idx.is_none() {
                    self.rvalue(index)?;
                }
                let v = self.eval(base)?;
                self.index(v, idx, *pos)
            }
            Expr::Unary { op, e, pos } => self.unary(op, e, *pos),
            Expr::Binary { op, l, r, .. } => self.binary(op, l, r),
            Expr::Assign { l, r, pos, .. } => {
                let (rt, _) = self.rvalue(r)?;
                let _ = rt;
                match self.eval(l)? {
                    Val::Path(p) => {
                        if p.raw.len() > 1 {
                            let form = match load_size(self.btf(), p.ty) {
                                Some(size) => InsnForm::Mem(size),
                                None => InsnForm::Alu,
                            };
                            self.emit(RelocKind::FIELD_BYTE_OFFSET, &p, form, false);
                        }
                        Ok(Val::Value(p.ty, Cond::Unknown))
                    }
                    Val::Place(t) => Ok(Val::Value(t, Cond::Unknown)),
                    Val::Value(..) => self.err(*pos, "expression is not assignable"),
                }
            }
            Expr::Cond { c, a, b, .. } => {
                let c = self.cond_value(c)?;
                self.guards.push((c.clone(), true));
                let ra = self.rvalue(a);
                self.guards.pop();
                let (ta, _) = ra?;
                self.guards.push((c, false));
                let rb = self.rvalue(b);
                self.guards.pop();
                rb?;
                Ok(Val::Value(ta, Cond::Unknown))
            }
            Expr::Cast { ty, e, .. } => {
                let t = self.type_name(ty)?;
                let (_, c) = self.rvalue(e)?;
                Ok(Val::Value(t, c))
            }
            Expr::Sizeof { arg, .. } => {
                let size = match &**arg {
                    Arg::Type(t) => {
                        let id = self.type_name(t)?;
                        self.btf().resolve_size(id).ok()
                    }
                    Arg::Expr(x) => {
                        self.quiet += 1;
                        let v = self.eval(x);
                        self.quiet -= 1;
                        let t = match v? {
                            Val::Path(p) => p.ty,
                            Val::Place(t) | Val::Value(t, _) => t,
                        };
                        self.btf().resolve_size(t).ok()
                    }
                };
                Ok(Val::Value(
                    self.ulong,
                    size.map_or(Cond::Unknown, |s| Cond::Const(u64::from(s))),
                ))
            }
            Expr::Call { name, args, pos } => self.call(name, args, *pos),
        }
    }

    /// Whether an object of type `t` is a struct/union with `preserve_access_index`.
    pub(super) fn relocatable_object(&self, t: TypeId) -> bool {
        let r = self.btf().skip_mods_and_typedefs(t);
        r.kind().is_composite() && self.uni.preserves_access(r.id())
    }

    pub(super) fn ident(&mut self, name: &str, pos: usize) -> Result<Val, AccessError> {
        if let Some((_, t)) = self.vars.iter().rev().find(|(n, _)| n == name) {
            return Ok(Val::Place(*t));
        }
        if self.uni.own_enumerator(name).is_some() || self.uni.names.is_enumerator(name) {
            return Ok(Val::Value(self.int, Cond::Unknown));
        }
        self.err(pos, format!("use of undeclared identifier '{name}'"))
    }

    pub(super) fn index(
        &mut self,
        v: Val,
        idx: Option<u32>,
        pos: usize,
    ) -> Result<Val, AccessError> {
        let ty = match &v {
            Val::Path(p) => p.ty,
            Val::Place(t) | Val::Value(t, _) => *t,
        };
        let btf = self.btf();
        let t = btf.skip_mods_and_typedefs(ty);
        match (v, t.kind()) {
            (Val::Path(mut p), Kind::ARRAY) => {
                let arr = t.array();
                match idx {
                    Some(i) => {
                        if arr.nelems != 0 && i >= arr.nelems {
                            self.out.warnings.push((self.source, AccessError::at(
                                pos,
                                format!(
                                    "array index {i} is past the end of the array (that has type {})",
                                    spell(btf, ty)
                                ),
                            )));
                        }
                        if p.raw.len() >= 64 {
                            return self
                                .err(pos, "access is nested too deeply for CO-RE (64 steps)");
                        }
                        p.raw.push(i);
                        p.ty = arr.elem;
                        p.pos = pos;
                        Ok(Val::Path(p))
                    }
                    None => {
                        // A run-time index: the array's address is relocated, the rest is
                        // arithmetic.
                        self.emit(RelocKind::FIELD_BYTE_OFFSET, &p, InsnForm::Alu, false);
                        Ok(Val::Place(arr.elem))
                    }
                }
            }
            (Val::Path(p), Kind::PTR) => {
                let (ptr, _) = self.load(&p);
                self.index_pointer(ptr, idx, pos)
            }
            (Val::Place(_) | Val::Value(..), Kind::PTR) => self.index_pointer(ty, idx, pos),
            (Val::Place(_), Kind::ARRAY) => Ok(Val::Place(t.array().elem)),
            _ => self.err(pos, "subscripted value is not an array or pointer"),
        }
    }

    pub(super) fn index_pointer(
        &mut self,
        ptr: TypeId,
        idx: Option<u32>,
        pos: usize,
    ) -> Result<Val, AccessError> {
        match idx {
            Some(i) => Ok(Val::Path(self.deref(ptr, i, pos)?)),
            None => {
                let target = pointee(self.btf(), ptr).unwrap_or(TypeId(0));
                Ok(Val::Place(target))
            }
        }
    }

    pub(super) fn unary(&mut self, op: &str, e: &Expr, pos: usize) -> Result<Val, AccessError> {
        match op {
            "&" => match self.eval(e)? {
                Val::Path(p) => {
                    if p.bitfield {
                        return self.err(pos, "address of bit-field requested");
                    }
                    if p.raw.len() > 1 {
                        self.emit(RelocKind::FIELD_BYTE_OFFSET, &p, InsnForm::Alu, false);
                    }
                    let t = self.uni.ptr_to(p.ty)?;
                    self.refresh();
                    Ok(Val::Value(t, Cond::Unknown))
                }
                Val::Place(t) => {
                    let t = self.uni.ptr_to(t)?;
                    self.refresh();
                    Ok(Val::Value(t, Cond::Unknown))
                }
                Val::Value(..) => self.err(pos, "cannot take the address of an rvalue"),
            },
            "*" => {
                let (t, _) = self.rvalue(e)?;
                if pointee(self.btf(), t).is_none() {
                    let s = spell(self.btf(), t);
                    return self.err(
                        pos,
                        format!("indirection requires pointer operand ({s} invalid)"),
                    );
                }
                Ok(Val::Path(self.deref(t, 0, pos)?))
            }
            "!" => {
                let c = self.cond_value(e)?;
                Ok(Val::Value(self.int, Cond::Not(Box::new(c))))
            }
            "-" => {
                let c = self.cond_value(e)?;
                let c = match c {
                    Cond::Const(v) => Cond::Const(v.wrapping_neg()),
                    _ => Cond::Unknown,
                };
                Ok(Val::Value(self.int, c))
            }
            _ => {
                let (t, c) = self.rvalue(e)?;
                let c = if op == "+" { c } else { Cond::Unknown };
                Ok(Val::Value(t, c))
            }
        }
    }

    pub(super) fn binary(&mut self, op: &str, l: &Expr, r: &Expr) -> Result<Val, AccessError> {
        match op {
            "&&" | "||" => {
                let a = self.cond_value(l)?;
                self.guards.push((a.clone(), op == "&&"));
                let b = self.cond_value(r);
                self.guards.pop();
                let b = b?;
                let c = if op == "&&" {
                    Cond::And(Box::new(a), Box::new(b))
                } else {
                    Cond::Or(Box::new(a), Box::new(b))
                };
                Ok(Val::Value(self.int, c))
            }
            "," => {
                self.rvalue(l)?;
                let (t, c) = self.rvalue(r)?;
                Ok(Val::Value(t, c))
            }
            _ => {
                let (lt, a) = self.rvalue(l)?;
                let (rt, b) = self.rvalue(r)?;
                let op: &'static str = match op {
                    "==" => "==",
                    "!=" => "!=",
                    "<" => "<",
                    ">" => ">",
                    "<=" => "<=",
                    ">=" => ">=",
                    _ => {
                        // Pointer arithmetic keeps the pointer's type.
                        let btf = self.btf();
                        let t = if pointee(btf, lt).is_some() {
                            lt
                        } else if pointee(btf, rt).is_some() {
                            rt
                        } else {
                            self.int
                        };
                        return Ok(Val::Value(t, Cond::Unknown));
                    }
                };
                Ok(Val::Value(
                    self.int,
                    Cond::Cmp(op, Box::new(a), Box::new(b)),
                ))
            }
        }
    }
}

/// The type of expression `e` in the question so far (evaluated for its type only: no
/// records), for completion.
pub fn type_of(uni: &mut Universe<'_>, e: &Expr, known: &Synthesis) -> Result<TypeId, AccessError> {
    let int = uni.int("int")?;
    let ulong = uni.int("unsigned long")?;
    uni.btf();
    let mut s = Synth {
        uni,
        vars: known.vars.clone(),
        out: Synthesis::default(),
        guards: Vec::new(),
        quiet: 1,
        explicit: 0,
        stmt: 0,
        source: 0,
        preserve_ctx: true,
        int,
        ulong,
    };
    Ok(match s.eval(e)? {
        Val::Path(p) => p.ty,
        Val::Place(t) | Val::Value(t, _) => t,
    })
}

impl Synthesis {
    /// The variables declared so far.
    pub fn var_names(&self) -> impl Iterator<Item = &str> {
        self.vars.iter().map(|(n, _)| n.as_str())
    }
}
