//! Readable C spellings of types (`struct mm_struct *`, `unsigned int[4]`, `long (*)(int)`):
//! what the diff compares and shows. Two types spell the same when a C programmer would call
//! them the same type, whatever their ids.
//!
//! This is deliberately small: named types are spelled by name and never expanded (an
//! anonymous struct is `struct {...}`), and TYPE_TAGs (`__user`, `__rcu`) are left out because
//! they change neither layout nor C type. The full header generator lives elsewhere.
//!
//! Bounded: a description stops with `…` after [`MAX_DEPTH`] nested declarators or
//! [`MAX_NODES`] visited types (hostile BTF can share function prototypes so that the naive
//! spelling grows exponentially).

use crate::btf::{Btf, Kind, Type, TypeId};

/// Deepest declarator nesting spelled out.
pub const MAX_DEPTH: u32 = 48;
/// Most types visited for one description.
pub const MAX_NODES: u32 = 512;

/// The abstract declarator of `id`: `struct mm_struct *`, `unsigned int[4]`, `long (*)(int)`.
pub fn type_string(btf: &Btf, id: TypeId) -> String {
    Speller::new(btf, false).decl(id, String::new(), 0)
}

/// A FUNC's prototype with its name and parameter names: `int f(struct sk_buff *skb, int n)`.
pub fn func_signature(btf: &Btf, func: &Type<'_>) -> String {
    Speller::new(btf, true).decl(func.type_id(), func.name().to_owned(), 0)
}

struct Speller<'a> {
    btf: &'a Btf,
    param_names: bool,
    nodes: u32,
}

/// `base` followed by the declarator `inner` (`int` + `*p` → `int *p`, `int` + `[4]` → `int[4]`).
fn join(base: &str, inner: &str) -> String {
    if inner.is_empty() {
        base.to_owned()
    } else if inner.starts_with('[') {
        format!("{base}{inner}")
    } else {
        format!("{base} {inner}")
    }
}

impl<'a> Speller<'a> {
    fn new(btf: &'a Btf, param_names: bool) -> Self {
        Speller {
            btf,
            param_names,
            nodes: 0,
        }
    }

    /// The type `id` applied to the declarator `inner`, spelled inside out as C declares.
    fn decl(&mut self, id: TypeId, inner: String, depth: u32) -> String {
        self.nodes += 1;
        if depth > MAX_DEPTH || self.nodes > MAX_NODES {
            return join("…", &inner);
        }
        let t = self.btf.ty(id);
        match t.kind() {
            Kind::PTR => {
                let inner = match self.skip_tags(t.type_id()).kind() {
                    Kind::ARRAY | Kind::FUNC_PROTO => format!("(*{inner})"),
                    _ => format!("*{inner}"),
                };
                self.decl(t.type_id(), inner, depth + 1)
            }
            Kind::CONST | Kind::VOLATILE | Kind::RESTRICT => {
                let q = t.kind().lower_name();
                if self.skip_tags(t.type_id()).kind() == Kind::PTR {
                    // Qualifies the pointer itself: `char *const p`.
                    let inner = if inner.is_empty() {
                        q.to_owned()
                    } else {
                        format!("{q} {inner}")
                    };
                    self.decl(t.type_id(), inner, depth + 1)
                } else {
                    format!("{q} {}", self.decl(t.type_id(), inner, depth + 1))
                }
            }
            Kind::TYPE_TAG => self.decl(t.type_id(), inner, depth + 1),
            Kind::ARRAY => {
                let a = t.array();
                self.decl(a.elem, format!("{inner}[{}]", a.nelems), depth + 1)
            }
            Kind::FUNC_PROTO => {
                let params = self.params(&t, depth);
                self.decl(t.type_id(), format!("{inner}({params})"), depth + 1)
            }
            _ => join(&base_name(&t), &inner),
        }
    }

    fn params(&mut self, proto: &Type<'a>, depth: u32) -> String {
        if proto.vlen() == 0 {
            return "void".to_owned();
        }
        let mut out = Vec::with_capacity(proto.vlen() as usize);
        for p in proto.params() {
            if self.nodes > MAX_NODES {
                out.push("…".to_owned());
                break;
            }
            if p.type_id.is_void() && p.name.is_empty() {
                out.push("...".to_owned());
                continue;
            }
            let name = if self.param_names { p.name } else { "" };
            out.push(self.decl(p.type_id, name.to_owned(), depth + 1));
        }
        out.join(", ")
    }

    /// The first type from `id` that is not a TYPE_TAG (bounded like everything else here).
    fn skip_tags(&self, id: TypeId) -> Type<'a> {
        let mut t = self.btf.ty(id);
        for _ in 0..MAX_DEPTH {
            if t.kind() != Kind::TYPE_TAG {
                break;
            }
            t = self.btf.ty(t.type_id());
        }
        t
    }
}

/// The spelling of a type that is not a declarator: `int`, `struct foo`, `enum {...}`.
fn base_name(t: &Type<'_>) -> String {
    let name = t.name();
    let tagged = |tag: &str| {
        if name.is_empty() {
            format!("{tag} {{...}}")
        } else {
            format!("{tag} {name}")
        }
    };
    match t.kind() {
        _ if t.is_void() => "void".to_owned(),
        Kind::STRUCT => tagged("struct"),
        Kind::UNION => tagged("union"),
        Kind::ENUM | Kind::ENUM64 => tagged("enum"),
        Kind::FWD => tagged(if t.kflag() { "union" } else { "struct" }),
        Kind::INT | Kind::FLOAT | Kind::TYPEDEF | Kind::FUNC if !name.is_empty() => name.to_owned(),
        k => format!("<{} '{name}'>", k.lower_name()),
    }
}
