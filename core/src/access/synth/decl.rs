//! Declarations and types of a question: its own structs, unions, enums and typedefs (laid
//! out by [`super::super::universe`]), and the types its declarators and type arguments name.

use crate::btf::{Kind, TypeId};

use super::super::ast::*;
use super::super::error::AccessError;
use super::super::names::Tag;
use super::{Synth, Val};

impl Synth<'_, '_> {
    pub(super) fn base_type(&mut self, base: &DeclBase) -> Result<TypeId, AccessError> {
        let mut t = match &base.spec {
            TypeSpec::Builtin(name) => self.uni.int(name)?,
            TypeSpec::Void => TypeId(0),
            TypeSpec::Named(n) => match self.uni.typedef(n) {
                Some(id) => id,
                None => return self.err(base.pos, format!("unknown type name '{n}'")),
            },
            TypeSpec::Record { union, name, def } => {
                let tag = if *union { Tag::Union } else { Tag::Struct };
                match def {
                    None => self.tag_ref(tag, name, base.pos)?,
                    Some(def) => self.define_record(*union, name, def, base.pos)?,
                }
            }
            TypeSpec::Enum { name, def } => match def {
                None => self.tag_ref(Tag::Enum, name, base.pos)?,
                Some(vals) => {
                    self.check_redefinition(Tag::Enum, name, base.pos)?;
                    let id = self.uni.define_enum(name, vals)?;
                    self.refresh();
                    id
                }
            },
        };
        if base.is_volatile {
            t = self.uni.volatile_of(t)?;
        }
        if base.is_const {
            t = self.uni.const_of(t)?;
        }
        self.refresh();
        Ok(t)
    }

    pub(super) fn tag_ref(
        &mut self,
        tag: Tag,
        name: &str,
        pos: usize,
    ) -> Result<TypeId, AccessError> {
        if let Some(id) = self.uni.tag(tag, name) {
            return Ok(id);
        }
        if self.uni.tag_of_other_kind(tag, name).is_some() {
            return self.err(
                pos,
                format!("use of '{name}' with tag type that does not match previous declaration"),
            );
        }
        let id = self.uni.declare_fwd(tag, name)?;
        self.refresh();
        Ok(id)
    }

    pub(super) fn check_redefinition(
        &self,
        tag: Tag,
        name: &str,
        pos: usize,
    ) -> Result<(), AccessError> {
        if !name.is_empty() {
            if let Some(id) = self.uni.tag(tag, name) {
                let k = self.btf().ty(id).kind();
                if k != Kind::FWD && !(k == Kind::ENUM && self.btf().ty(id).vlen() == 0) {
                    return self.err(pos, format!("redefinition of '{name}'"));
                }
            }
        }
        Ok(())
    }

    pub(super) fn define_record(
        &mut self,
        union: bool,
        name: &str,
        def: &RecordDef,
        pos: usize,
    ) -> Result<TypeId, AccessError> {
        let tag = if union { Tag::Union } else { Tag::Struct };
        self.check_redefinition(tag, name, pos)?;
        let outer = self.preserve_ctx;
        // A named record carries its own attribute; an anonymous one inherits.
        let preserve = def.preserve_access || (name.is_empty() && outer);
        let id = self.uni.reserve_record(union, name, preserve)?;
        self.refresh();
        self.preserve_ctx = preserve;
        let mut members = Vec::with_capacity(def.members.len());
        let r = (|| {
            for m in &def.members {
                let bt = self.base_type(&m.base)?;
                let ty = self.declarator_type(bt, &m.decl)?;
                let mname = m.decl.name.clone().unwrap_or_default();
                if mname.is_empty() && m.bits.is_none() {
                    let anon_record = matches!(
                        &m.base.spec,
                        TypeSpec::Record { name, def: Some(_), .. } if name.is_empty()
                    );
                    if !anon_record {
                        return self.err(m.decl.pos, "declaration does not declare anything");
                    }
                }
                members.push((mname, ty, m.bits, m.decl.pos));
            }
            Ok(())
        })();
        self.preserve_ctx = outer;
        r?;
        self.uni.complete_record(id, def, &members)?;
        self.refresh();
        Ok(id)
    }

    pub(super) fn declarator_type(
        &mut self,
        base: TypeId,
        d: &Declarator,
    ) -> Result<TypeId, AccessError> {
        let mut t = base;
        for _ in 0..d.ptrs {
            t = self.uni.ptr_to(t)?;
        }
        for dim in d.dims.iter().rev() {
            let n = match dim {
                Some(n) => {
                    u32::try_from(*n).map_err(|_| AccessError::at(d.pos, "array is too large"))?
                }
                None => 0,
            };
            t = self.uni.array_of(t, n)?;
        }
        self.refresh();
        Ok(t)
    }

    pub(super) fn type_name(&mut self, t: &TypeName) -> Result<TypeId, AccessError> {
        let b = self.base_type(&t.base)?;
        self.declarator_type(b, &t.decl)
    }

    /// A macro argument that names a type: a type name, or an expression (its `typeof`).
    pub(super) fn type_arg(&mut self, a: &Arg) -> Result<TypeId, AccessError> {
        match a {
            Arg::Type(t) => self.type_name(t),
            Arg::Expr(e) => {
                self.quiet += 1;
                let v = self.eval(e);
                self.quiet -= 1;
                Ok(match v? {
                    Val::Path(p) => p.ty,
                    Val::Place(t) | Val::Value(t, _) => t,
                })
            }
        }
    }
}
