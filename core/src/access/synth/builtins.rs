//! The CO-RE macros of `bpf_core_read.h` and clang's builtins, expanded by their
//! definitions: which records each asks for, with which instruction, and what clang rejects.

use crate::btf::{Kind, TypeId};
use crate::reloc::RelocKind;

use super::super::ast::*;
use super::super::error::AccessError;
use super::super::record::{Cond, InsnForm};
use super::{pointee, spell, strip_cvr, Path, Synth, Val};

const READ_MACROS: [&str; 4] = [
    "BPF_CORE_READ",
    "BPF_CORE_READ_USER",
    "BPF_PROBE_READ",
    "BPF_PROBE_READ_USER",
];
const READ_INTO_MACROS: [&str; 8] = [
    "BPF_CORE_READ_INTO",
    "BPF_CORE_READ_USER_INTO",
    "BPF_CORE_READ_STR_INTO",
    "BPF_CORE_READ_USER_STR_INTO",
    "BPF_PROBE_READ_INTO",
    "BPF_PROBE_READ_USER_INTO",
    "BPF_PROBE_READ_STR_INTO",
    "BPF_PROBE_READ_USER_STR_INTO",
];
/// `bpf_core_read*(dst, sz, src)`: `src` is wrapped in `__builtin_preserve_access_index`.
const CORE_READ_FNS: [&str; 4] = [
    "bpf_core_read",
    "bpf_core_read_user",
    "bpf_core_read_str",
    "bpf_core_read_user_str",
];

/// The name of the temporary that stands for a macro's source pointer.
const SRC: &str = "\u{1}src";

impl Synth<'_, '_> {
    pub(super) fn call(
        &mut self,
        name: &str,
        args: &[Arg],
        pos: usize,
    ) -> Result<Val, AccessError> {
        let argc = |n: usize, what: &str| -> Result<(), AccessError> {
            if args.len() == n {
                Ok(())
            } else {
                Err(AccessError::at(
                    pos,
                    format!("{name} takes {what} ({} given)", args.len()),
                ))
            }
        };
        if READ_MACROS.contains(&name) {
            if args.len() < 2 {
                return self.err(
                    pos,
                    format!("{name} takes a source pointer and at least one field"),
                );
            }
            return self.read_chain(&args[0], &args[1..]);
        }
        if READ_INTO_MACROS.contains(&name) {
            if args.len() < 3 {
                return self.err(
                    pos,
                    format!("{name} takes a destination, a source pointer and at least one field"),
                );
            }
            self.expr_arg(&args[0])?;
            return self.read_chain(&args[1], &args[2..]);
        }
        if CORE_READ_FNS.contains(&name) {
            argc(3, "a destination, a size and a source")?;
            self.expr_arg(&args[0])?;
            self.expr_arg(&args[1])?;
            self.explicit += 1;
            let r = self.expr_arg(&args[2]);
            self.explicit -= 1;
            r?;
            return Ok(Val::Value(self.int, Cond::Unknown));
        }
        match name {
            "__builtin_preserve_access_index" => {
                argc(1, "one argument")?;
                self.explicit += 1;
                let r = self.arg_expr(&args[0]).and_then(|e| self.eval(e));
                self.explicit -= 1;
                r
            }
            "BPF_CORE_READ_BITFIELD_PROBED" | "BPF_CORE_READ_BITFIELD" => {
                argc(2, "a source pointer and a field")?;
                // The macros declare a variable of their own that the source expression,
                // expanded inside, resolves to instead of the caller's.
                let own = if name == "BPF_CORE_READ_BITFIELD" {
                    "p"
                } else {
                    "val"
                };
                if let Some(at) = args.iter().find_map(|a| mentions(a, own)) {
                    let what = if own == "p" {
                        "member reference base type 'const void' is not a structure or union"
                    } else {
                        "member reference type 'unsigned long long' is not a pointer"
                    };
                    return self.err(
                        at,
                        format!("{what} ({name} declares its own `{own}`, which hides yours: rename it)"),
                    );
                }
                let (src, _) = self.rvalue(self.arg_expr(&args[0])?)?;
                let p = self.field_path(src, &args[1], args[0].pos())?;
                self.check_signed(&p)?;
                for kind in [
                    RelocKind::FIELD_BYTE_OFFSET,
                    RelocKind::FIELD_BYTE_SIZE,
                    RelocKind::FIELD_LSHIFT_U64,
                    RelocKind::FIELD_SIGNED,
                    RelocKind::FIELD_RSHIFT_U64,
                ] {
                    self.emit(kind, &p, InsnForm::Alu, true);
                }
                Ok(Val::Value(self.ulong, Cond::Unknown))
            }
            "bpf_core_field_exists"
            | "bpf_core_field_size"
            | "bpf_core_field_offset"
            | "bpf_core_field_signed" => {
                let kind = match name {
                    "bpf_core_field_exists" => RelocKind::FIELD_EXISTS,
                    "bpf_core_field_size" => RelocKind::FIELD_BYTE_SIZE,
                    "bpf_core_field_offset" => RelocKind::FIELD_BYTE_OFFSET,
                    _ => RelocKind::FIELD_SIGNED,
                };
                let p =
                    match args {
                        [one] => {
                            let e = self.arg_expr(one)?;
                            self.quiet += 1;
                            let v = self.eval(e);
                            self.quiet -= 1;
                            match v? {
                                Val::Path(p) if p.raw.len() > 1 => p,
                                _ => return self.err(
                                    one.pos(),
                                    "__builtin_preserve_field_info argument 1 not a field access",
                                ),
                            }
                        }
                        [ty, field] => {
                            let t = self.type_arg(ty)?;
                            let ptr = self.uni.ptr_to(t)?;
                            self.refresh();
                            self.quiet += 1;
                            let p = self.field_path(ptr, field, ty.pos());
                            self.quiet -= 1;
                            p?
                        }
                        _ => {
                            return self
                                .err(pos, format!("{name} takes a field, or a type and a field"))
                        }
                    };
                if kind == RelocKind::FIELD_SIGNED {
                    self.check_signed(&p)?;
                }
                let i = self.emit(kind, &p, InsnForm::Alu, true);
                Ok(Val::Value(self.int, i.map_or(Cond::Unknown, Cond::Record)))
            }
            "bpf_core_type_exists"
            | "bpf_core_type_size"
            | "bpf_core_type_matches"
            | "bpf_core_type_id_local"
            | "bpf_core_type_id_kernel" => {
                argc(1, "a type")?;
                let kind = match name {
                    "bpf_core_type_exists" => RelocKind::TYPE_EXISTS,
                    "bpf_core_type_size" => RelocKind::TYPE_SIZE,
                    "bpf_core_type_matches" => RelocKind::TYPE_MATCHES,
                    "bpf_core_type_id_local" => RelocKind::TYPE_ID_LOCAL,
                    _ => RelocKind::TYPE_ID_TARGET,
                };
                let t = self.type_arg(&args[0])?;
                let btf = self.btf();
                let root = strip_cvr(btf, t);
                let rt = btf.ty(root);
                let named = !rt.name().is_empty();
                let form = match kind {
                    RelocKind::TYPE_ID_LOCAL | RelocKind::TYPE_ID_TARGET => InsnForm::LdImm64,
                    _ => InsnForm::Alu,
                };
                match kind {
                    RelocKind::TYPE_ID_LOCAL => {}
                    RelocKind::TYPE_ID_TARGET if !named => {
                        return self.err(
                            args[0].pos(),
                            "clang: fatal error: Empty type name for BTF_TYPE_ID_REMOTE reloc \
                             (bpf_core_type_id_kernel needs a named type)",
                        )
                    }
                    RelocKind::TYPE_ID_TARGET => {}
                    _ => {
                        let ok = named
                            && matches!(
                                rt.kind(),
                                Kind::STRUCT
                                    | Kind::UNION
                                    | Kind::ENUM
                                    | Kind::ENUM64
                                    | Kind::TYPEDEF
                                    | Kind::FWD
                            );
                        if !ok {
                            return self.err(
                                args[0].pos(),
                                "__builtin_preserve_type_info argument 1 invalid \
                                 (a named struct, union, enum or typedef is needed)",
                            );
                        }
                    }
                }
                let i = (self.quiet == 0)
                    .then(|| self.push(kind, root, "0".into(), form, args[0].pos()));
                Ok(Val::Value(
                    self.ulong,
                    i.map_or(Cond::Unknown, Cond::Record),
                ))
            }
            "bpf_core_enum_value_exists" | "bpf_core_enum_value" => {
                argc(2, "an enum type and an enumerator")?;
                let kind = if name == "bpf_core_enum_value" {
                    RelocKind::ENUMVAL_VALUE
                } else {
                    RelocKind::ENUMVAL_EXISTS
                };
                let t = self.type_arg(&args[0])?;
                let btf = self.btf();
                let root = strip_cvr(btf, t);
                let e = btf.skip_mods_and_typedefs(root);
                let invalid = "__builtin_preserve_enum_value argument 1 invalid";
                if !e.kind().is_any_enum() || e.vlen() == 0 {
                    return self.err(args[0].pos(), format!("{invalid} (not an enum type)"));
                }
                let enum_id = e.id();
                let (vname, vpos) = match &args[1] {
                    Arg::Expr(Expr::Ident { name, pos }) => (name.as_str(), *pos),
                    Arg::Type(TypeName {
                        base:
                            DeclBase {
                                spec: TypeSpec::Named(n),
                                pos,
                                ..
                            },
                        decl,
                    }) if decl.ptrs == 0 && decl.dims.is_empty() => (n.as_str(), *pos),
                    a => {
                        return self
                            .err(a.pos(), format!("{invalid} (an enumerator name is needed)"))
                    }
                };
                let idx = if self.uni.is_own(enum_id) {
                    self.uni
                        .own_enumerator(vname)
                        .filter(|&(id, _)| id == enum_id)
                        .map(|(_, i)| i)
                } else {
                    self.uni.names.find_enumerator_in(enum_id, vname)
                };
                let Some(idx) = idx else {
                    if self.uni.own_enumerator(vname).is_none()
                        && !self.uni.names.is_enumerator(vname)
                    {
                        return self.err(vpos, format!("use of undeclared identifier '{vname}'"));
                    }
                    return self.err(
                        vpos,
                        format!(
                            "{invalid} ('{vname}' is not an enumerator of {})",
                            spell(self.btf(), t)
                        ),
                    );
                };
                let i = (self.quiet == 0)
                    .then(|| self.push(kind, root, idx.to_string(), InsnForm::LdImm64, vpos));
                Ok(Val::Value(
                    self.ulong,
                    i.map_or(Cond::Unknown, Cond::Record),
                ))
            }
            _ => {
                if !name.starts_with("bpf_") && !name.starts_with("__builtin_") {
                    return self.err(pos, format!("call to undeclared function '{name}'"));
                }
                for a in args {
                    self.expr_arg(a)?;
                }
                Ok(Val::Value(self.ulong, Cond::Unknown))
            }
        }
    }

    /// clang's BPF backend computes FIELD_SIGNED only for integers, floats and enums.
    pub(super) fn check_signed(&self, p: &Path) -> Result<(), AccessError> {
        let k = self.btf().skip_mods_and_typedefs(p.ty).kind();
        if matches!(k, Kind::INT | Kind::FLOAT | Kind::ENUM | Kind::ENUM64) {
            return Ok(());
        }
        self.err(
            p.pos,
            format!(
                "clang: fatal error: error in backend: Invalid field expression for \
                 llvm.bpf.preserve.field.info (signedness of {} {})",
                k.lower_name(),
                spell(self.btf(), p.ty)
            ),
        )
    }

    pub(super) fn arg_expr<'a>(&self, a: &'a Arg) -> Result<&'a Expr, AccessError> {
        match a {
            Arg::Expr(e) => Ok(e),
            Arg::Type(t) => self.err(t.base.pos, "expected an expression, not a type"),
        }
    }

    pub(super) fn expr_arg(&mut self, a: &Arg) -> Result<(), AccessError> {
        let e = self.arg_expr(a)?;
        self.rvalue(e).map(|_| ())
    }

    /// `BPF_CORE_READ(src, a, b, ...)`: each step's address is relocated and read with
    /// `bpf_probe_read_kernel`; the value read is the next step's pointer.
    pub(super) fn read_chain(&mut self, src: &Arg, fields: &[Arg]) -> Result<Val, AccessError> {
        let (mut ptr, _) = self.rvalue(self.arg_expr(src)?)?;
        let mut pos = src.pos();
        let mut last = ptr;
        for (i, f) in fields.iter().enumerate() {
            if i > 0 && pointee(self.btf(), ptr).is_none() {
                let s = spell(self.btf(), ptr);
                return self.err(
                    f.pos(),
                    format!("member reference type {s} is not a pointer"),
                );
            }
            let p = self.field_path(ptr, f, pos)?;
            if p.bitfield {
                return self.err(f.pos(), "address of bit-field requested");
            }
            self.emit(RelocKind::FIELD_BYTE_OFFSET, &p, InsnForm::Alu, true);
            ptr = p.ty;
            last = p.ty;
            pos = f.pos();
        }
        Ok(Val::Value(last, Cond::Unknown))
    }

    /// A macro's field argument (`mm`, `se.vruntime`, `comm[2]`, `f_path.dentry`) applied
    /// to what `ptr` points to: the expression `ptr->field`.
    pub(super) fn field_path(
        &mut self,
        ptr: TypeId,
        field: &Arg,
        pos: usize,
    ) -> Result<Path, AccessError> {
        let field = match field {
            Arg::Expr(e) => e.clone(),
            // A member sharing a kernel typedef's name parses as a type.
            Arg::Type(TypeName {
                base:
                    DeclBase {
                        spec: TypeSpec::Named(n),
                        pos,
                        is_const: false,
                        is_volatile: false,
                    },
                decl,
            }) if decl.ptrs == 0 && decl.dims.is_empty() => Expr::Ident {
                name: n.clone(),
                pos: *pos,
            },
            Arg::Type(t) => return self.err(t.base.pos, "expected a field name"),
        };
        let rooted = root_field(&field)?;
        self.vars.push((SRC.to_owned(), ptr));
        let v = self.eval(&rooted);
        self.vars.pop();
        match v? {
            Val::Path(p) => Ok(p),
            _ => self.err(pos, "expected a field access"),
        }
    }
}

/// Where `a` uses the identifier `name`, if it does.
fn mentions(a: &Arg, name: &str) -> Option<usize> {
    fn walk(e: &Expr, name: &str) -> Option<usize> {
        match e {
            Expr::Ident { name: n, pos } => (n == name).then_some(*pos),
            Expr::Int { .. } => None,
            Expr::Member { base, .. } => walk(base, name),
            Expr::Index { base, index, .. } => walk(base, name).or_else(|| walk(index, name)),
            Expr::Call { args, .. } => args.iter().find_map(|a| mentions(a, name)),
            Expr::Unary { e, .. } | Expr::Cast { e, .. } => walk(e, name),
            Expr::Binary { l, r, .. } | Expr::Assign { l, r, .. } => {
                walk(l, name).or_else(|| walk(r, name))
            }
            Expr::Cond { c, a, b, .. } => walk(c, name)
                .or_else(|| walk(a, name))
                .or_else(|| walk(b, name)),
            Expr::Sizeof { arg, .. } => mentions(arg, name),
        }
    }
    match a {
        Arg::Expr(e) => walk(e, name),
        Arg::Type(_) => None,
    }
}

/// `a.b[2]` → `SRC->a.b[2]`: a macro's field argument on the macro's source pointer.
fn root_field(e: &Expr) -> Result<Expr, AccessError> {
    Ok(match e {
        Expr::Ident { name, pos } => Expr::Member {
            base: Box::new(Expr::Ident {
                name: SRC.to_owned(),
                pos: *pos,
            }),
            name: name.clone(),
            arrow: true,
            pos: *pos,
        },
        Expr::Member {
            base,
            name,
            arrow,
            pos,
        } => Expr::Member {
            base: Box::new(root_field(base)?),
            name: name.clone(),
            arrow: *arrow,
            pos: *pos,
        },
        Expr::Index { base, index, pos } => Expr::Index {
            base: Box::new(root_field(base)?),
            index: index.clone(),
            pos: *pos,
        },
        other => {
            return Err(AccessError::at(
                other.pos(),
                "expected a field name (such as `mm`, `se.vruntime` or `comm[2]`)",
            ))
        }
    })
}
