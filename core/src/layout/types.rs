//! pahole 1.24's type names and inline types: `type__fprintf`, `tag__name`,
//! `tag__ptr_name`, `ftype__fprintf`, `array_type__fprintf`, `enumeration__fprintf`.

use std::fmt::Write as _;

use crate::btf::{Kind, Type};

use super::model::{is_aggregate, is_enum, is_struct, is_union, named, tag};
use super::print::{fit, not_found_fprintf, not_found_snprintf, pad, tabs, Conf, Name, Printer};

impl<'a> Printer<'a> {
    /// `type__fprintf`.
    pub(super) fn type_fprintf(&mut self, ty: Option<Type<'a>>, name: Name, conf: Conf) {
        let btf = self.btf;
        let Some(mut ty) = ty else {
            return self.type_not_found(&name, &conf);
        };
        let mut tconf = conf;
        let mut name = name;
        // pahole's `inner_struct` label: an aggregate printed inline takes the name as its
        // suffix and prints no statistics.
        let mut inner = is_aggregate(&ty);
        if inner {
            tconf.suffix = name.as_suffix();
            tconf.emit_stats = false;
        }
        loop {
            match ty.kind() {
                Kind::PTR if !ty.type_id().is_void() => {
                    let Some(pt) = tag(btf, ty.type_id()) else {
                        return self.type_not_found(&name, &tconf);
                    };
                    if pt.kind() == Kind::FUNC_PROTO {
                        let text =
                            self.ftype_text(&pt, &name, false, true, tconf.type_spacing, true);
                        self.out.push_str(&text);
                        return;
                    }
                    if is_aggregate(&pt) && !named(&pt) {
                        if matches!(name, Name::PtrToAnon(_)) {
                            return self.type_not_found(&name, &tconf);
                        }
                        name = Name::PtrToAnon(fit(format!("* {}", name.printf()), 258));
                        tconf.rel_offset = true;
                        ty = pt;
                        tconf.type_spacing -= 8;
                        inner = true;
                        tconf.suffix = name.as_suffix();
                        tconf.emit_stats = false;
                        continue;
                    }
                    return self.default_type(&ty, &name, &tconf);
                }
                Kind::FUNC_PROTO => {
                    let text = self.ftype_text(&ty, &name, false, false, tconf.type_spacing, true);
                    self.out.push_str(&text);
                    return;
                }
                Kind::CONST => {
                    self.out.push_str("const ");
                    tconf.type_spacing -= 6;
                    match tag(btf, ty.type_id()) {
                        Some(next) => {
                            ty = next;
                            continue;
                        }
                        None => return self.default_type(&ty, &name, &tconf),
                    }
                }
                Kind::ARRAY => return self.array(&ty, &name, &tconf),
                _ if is_struct(&ty) || is_union(&ty) || is_enum(&ty) => {
                    let (keyword, width) = if is_struct(&ty) {
                        ("struct ", 7)
                    } else if is_union(&ty) {
                        ("union ", 6)
                    } else {
                        ("enum ", 5)
                    };
                    if named(&ty) {
                        self.out.push_str(keyword);
                        pad(&mut self.out, ty.name(), tconf.type_spacing - width, true);
                        self.out.push(' ');
                        self.out.push_str(name.text());
                        return;
                    }
                    let _ = inner;
                    if self.depth >= super::MAX_INLINE_DEPTH {
                        self.out.push_str("/* nested too deep */");
                        return;
                    }
                    self.depth += 1;
                    if is_struct(&ty) {
                        tconf.type_spacing -= 8;
                        self.class(&ty, tconf);
                    } else if is_union(&ty) {
                        tconf.type_spacing -= 8;
                        self.union(&ty, tconf);
                    } else {
                        self.enumeration(&ty, &tconf);
                    }
                    self.depth -= 1;
                    return;
                }
                _ => return self.default_type(&ty, &name, &tconf),
            }
        }
    }

    fn default_type(&mut self, ty: &Type<'a>, name: &Name, tconf: &Conf) {
        let n = fit(self.tag_name(Some(*ty)), 128);
        pad(&mut self.out, &n, tconf.type_spacing, true);
        self.out.push(' ');
        self.out.push_str(name.printf());
    }

    fn type_not_found(&mut self, name: &Name, tconf: &Conf) {
        pad(&mut self.out, "<ERROR", tconf.type_spacing, true);
        if matches!(name, Name::PtrToAnon(_)) {
            self.out
                .push_str(": pointer to pointer to inner struct/union/enum?");
        }
        self.out.push_str("> ");
        self.out.push_str(name.printf());
    }

    /// `array_type__fprintf` (pahole's BTF loader makes one dimension per BTF array).
    fn array(&mut self, ty: &Type<'a>, name: &Name, conf: &Conf) {
        let btf = self.btf;
        let a = ty.array();
        let Some(mut elem) = tag(btf, a.elem) else {
            self.out
                .push_str(&not_found_fprintf("array_type__fprintf", 238, a.elem));
            return;
        };
        if a.nelems == 0 && elem.kind() == Kind::CONST {
            match tag(btf, elem.type_id()) {
                Some(e) => elem = e,
                None => {
                    // pahole would print a NULL type: `<ERROR`.
                    self.type_not_found(name, conf);
                    return;
                }
            }
        }
        self.type_fprintf(Some(elem), name.clone(), conf.clone());
        let single_member = conf.last_member && conf.first_member;
        if a.nelems != 0 || !conf.last_member || single_member || conf.union_member {
            let _ = write!(self.out, "[{}]", a.nelems);
        } else {
            self.out.push_str("[]");
        }
    }

    /// `enumeration__fprintf`.
    fn enumeration(&mut self, ty: &Type<'a>, conf: &Conf) {
        let indent = conf.indent.min(16);
        self.out.push_str("enum");
        if named(ty) {
            self.out.push(' ');
            self.out.push_str(ty.name());
        }
        if ty.vlen() == 0 {
            return;
        }
        self.out.push_str(" {\n");
        let width = ty.enum_values().map(|e| e.name.len()).max().unwrap_or(0) as i64 & 0xffff;
        for e in ty.enum_values() {
            self.out.push_str(tabs(indent));
            self.out.push('\t');
            pad(&mut self.out, e.name, width, true);
            let value = if e.is64 { e.raw() } else { u64::from(e.lo) };
            let _ = writeln!(self.out, " = {value},");
        }
        self.out.push_str(tabs(indent));
        self.out.push('}');
        let bits = if ty.size() != 0 { ty.size() * 8 } else { 32 };
        if bits / 8 != 4 {
            self.out.push_str(" __attribute__((__packed__))");
        }
        if let Some(s) = &conf.suffix {
            self.out.push(' ');
            self.out.push_str(s);
        }
    }

    /// `ftype__fprintf` with its parameter list (`ftype__fprintf_parms`), as text.
    fn ftype_text(
        &self,
        proto: &Type<'a>,
        name: &Name,
        inlined: bool,
        is_pointer: bool,
        type_spacing: i64,
        is_prototype: bool,
    ) -> String {
        let btf = self.btf;
        let ret = fit(self.tag_name(tag(btf, proto.type_id())), 128);
        let mut s = String::new();
        if inlined {
            s.push_str("inline ");
        }
        pad(&mut s, &ret, type_spacing, true);
        s.push(' ');
        if is_prototype {
            s.push('(');
        }
        if is_pointer {
            s.push('*');
        }
        s.push_str(name.text());
        if is_prototype {
            s.push(')');
        }
        s.push('(');
        let mut first = true;
        let mut unspec = false;
        for i in 0..proto.vlen() {
            let Some(p) = proto.param(i) else { break };
            if p.type_id.is_void() {
                unspec = true;
                continue;
            }
            if !first {
                s.push_str(", ");
            }
            first = false;
            let pname = if p.name_off != 0 {
                Name::Plain(p.name.to_owned())
            } else {
                Name::Null
            };
            let stype = match tag(btf, p.type_id) {
                None => format!("<ERROR: type {} not found>", p.type_id.0),
                Some(pt) if pt.kind() == Kind::PTR && !pt.type_id().is_void() => {
                    match tag(btf, pt.type_id()) {
                        None => {
                            s.push_str(&not_found_fprintf(
                                "ftype__fprintf_parms",
                                1142,
                                pt.type_id(),
                            ));
                            continue;
                        }
                        Some(inner) if inner.kind() == Kind::FUNC_PROTO => {
                            s.push_str(&self.ftype_text(&inner, &pname, false, true, 0, true));
                            continue;
                        }
                        Some(_) => fit(self.tag_name(Some(pt)), 128),
                    }
                }
                Some(pt) if pt.kind() == Kind::FUNC_PROTO => {
                    s.push_str(&self.ftype_text(&pt, &pname, true, false, 0, false));
                    continue;
                }
                Some(pt) => fit(self.tag_name(Some(pt)), 128),
            };
            s.push_str(&stype);
            if let Name::Plain(n) = &pname {
                s.push(' ');
                s.push_str(n);
            }
        }
        if first {
            s.push_str("void)");
        } else if unspec {
            s.push_str(", ...)");
        } else {
            s.push(')');
        }
        s
    }

    /// `tag__name` / `__tag__name`.
    fn tag_name(&self, ty: Option<Type<'a>>) -> String {
        let btf = self.btf;
        let Some(ty) = ty else {
            return "void".to_owned();
        };
        match ty.kind() {
            Kind::INT => {
                if named(&ty) {
                    ty.name().to_owned()
                } else {
                    "nameless base type!".to_owned()
                }
            }
            Kind::FLOAT => format!("single {}", ty.name()),
            Kind::FUNC => ty.name().to_owned(),
            Kind::PTR => self.ptr_name(&ty),
            Kind::VOLATILE | Kind::CONST | Kind::RESTRICT => {
                let inner_id = ty.type_id();
                let inner = tag(btf, inner_id);
                if inner.is_none() && !inner_id.is_void() {
                    return not_found_snprintf("__tag__name", 572, inner_id);
                }
                let inner_name = fit(self.tag_name(inner), 128);
                let (prefix, suffix) = match ty.kind() {
                    Kind::VOLATILE => ("volatile ", ""),
                    Kind::CONST => ("const ", ""),
                    _ => ("", " restrict"),
                };
                format!("{prefix}{inner_name}{suffix} ")
            }
            Kind::ARRAY => {
                let elem = ty.array().elem;
                match tag(btf, elem) {
                    None => not_found_snprintf("__tag__name", 590, elem),
                    Some(e) => self.tag_name(Some(e)),
                }
            }
            Kind::FUNC_PROTO => fit(
                self.ftype_text(&ty, &Name::Null, false, false, 0, true),
                128,
            ),
            Kind::VAR => ty.name().to_owned(),
            _ => {
                let prefix = if is_enum(&ty) {
                    "enum "
                } else if is_union(&ty) {
                    "union "
                } else if is_struct(&ty) {
                    "struct "
                } else {
                    ""
                };
                format!("{prefix}{}", ty.name())
            }
        }
    }

    /// `tag__ptr_name`.
    fn ptr_name(&self, ptr: &Type<'a>) -> String {
        let btf = self.btf;
        let target = ptr.type_id();
        if target.is_void() {
            return "void *".to_owned();
        }
        let Some(mut t) = tag(btf, target) else {
            return format!("{} *", not_found_snprintf("tag__ptr_name", 496, target));
        };
        let mut const_pointer = "";
        if t.kind() == Kind::CONST {
            if let Some(next) = tag(btf, t.type_id()).filter(|n| n.kind() == Kind::PTR) {
                const_pointer = "const ";
                t = next;
            }
        }
        let inner = fit(self.tag_name(Some(t)), 1024);
        format!("{inner} {const_pointer}*")
    }
}
