//! Readable C spellings of types (`struct mm_struct *`, `unsigned int[4]`, `long (*)(int)`):
//! what the diff compares and shows, and the reading of a type the front ends show next to
//! bpftool's listing ([`type_pieces`]: the same spelling, each name marked with the type it
//! names, for links). Two types spell the same when a C programmer would call them the same
//! type, whatever their ids. One speller: its output is a plain string or pieces.
//!
//! This is deliberately small: named types are spelled by name and never expanded (an
//! anonymous struct is `struct {...}`), and TYPE_TAGs (`__user`, `__rcu`) are left out of the
//! comparison because they change neither layout nor C type (the reading shows them). The
//! full header generator lives elsewhere.
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
    Speller::new(btf, false, false).decl(id, String::new(), 0)
}

/// A FUNC's prototype with its name and parameter names: `int f(struct sk_buff *skb, int n)`.
pub fn func_signature(btf: &Btf, func: &Type<'_>) -> String {
    Speller::new(btf, true, false).decl(func.type_id(), String::text(func.name()), 0)
}

/// A piece of a type's spelling: its text, and the type a name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The text.
    pub text: String,
    /// The type a name (or an anonymous `{...}`) stands for.
    pub id: Option<TypeId>,
}

/// [`type_string`]'s spelling of `id` in pieces, every name marked with its type (a reading
/// with links), and TYPE_TAGs shown (`char __tag("user") *`).
pub fn type_pieces(btf: &Btf, id: TypeId) -> Vec<Piece> {
    Speller::new(btf, false, true).decl(id, Vec::new(), 0)
}

/// What a spelling is built into: a string, or marked pieces. The speller builds a
/// declarator inside out, so it prepends as well as appends.
trait Spelling: Sized {
    fn text(s: &str) -> Self;
    fn named(s: &str, id: TypeId) -> Self;
    fn prepend(&mut self, s: &str);
    fn push(&mut self, s: &str);
    fn append(&mut self, other: Self);
    fn is_empty(&self) -> bool;
    fn starts_with(&self, c: char) -> bool;
}

impl Spelling for String {
    fn text(s: &str) -> Self {
        s.to_owned()
    }
    fn named(s: &str, _: TypeId) -> Self {
        s.to_owned()
    }
    fn prepend(&mut self, s: &str) {
        self.insert_str(0, s);
    }
    fn push(&mut self, s: &str) {
        self.push_str(s);
    }
    fn append(&mut self, other: Self) {
        self.push_str(&other);
    }
    fn is_empty(&self) -> bool {
        str::is_empty(self)
    }
    fn starts_with(&self, c: char) -> bool {
        str::starts_with(self, c)
    }
}

impl Spelling for Vec<Piece> {
    fn text(s: &str) -> Self {
        vec![Piece {
            text: s.to_owned(),
            id: None,
        }]
    }
    fn named(s: &str, id: TypeId) -> Self {
        vec![Piece {
            text: s.to_owned(),
            id: Some(id),
        }]
    }
    fn prepend(&mut self, s: &str) {
        match self.first_mut() {
            Some(p) if p.id.is_none() => p.text.insert_str(0, s),
            _ => self.insert(0, Piece::text_only(s)),
        }
    }
    fn push(&mut self, s: &str) {
        match self.last_mut() {
            Some(p) if p.id.is_none() => p.text.push_str(s),
            _ => self.push(Piece::text_only(s)),
        }
    }
    fn append(&mut self, other: Self) {
        for p in other {
            match p.id {
                None => Spelling::push(self, &p.text),
                Some(_) => self.push(p),
            }
        }
    }
    fn is_empty(&self) -> bool {
        self.iter().all(|p| p.text.is_empty())
    }
    fn starts_with(&self, c: char) -> bool {
        self.iter()
            .find(|p| !p.text.is_empty())
            .is_some_and(|p| p.text.starts_with(c))
    }
}

impl Piece {
    fn text_only(s: &str) -> Piece {
        Piece {
            text: s.to_owned(),
            id: None,
        }
    }
}

struct Speller<'a> {
    btf: &'a Btf,
    param_names: bool,
    /// Show TYPE_TAGs (a reading), rather than skip them (a comparison).
    tags: bool,
    nodes: u32,
}

/// `base` followed by the declarator `inner` (`int` + `*p` → `int *p`, `int` + `[4]` → `int[4]`).
fn join<S: Spelling>(mut base: S, inner: S) -> S {
    if !inner.is_empty() && !inner.starts_with('[') {
        base.push(" ");
    }
    base.append(inner);
    base
}

impl<'a> Speller<'a> {
    fn new(btf: &'a Btf, param_names: bool, tags: bool) -> Self {
        Speller {
            btf,
            param_names,
            tags,
            nodes: 0,
        }
    }

    /// The type `id` applied to the declarator `inner`, spelled inside out as C declares.
    fn decl<S: Spelling>(&mut self, id: TypeId, mut inner: S, depth: u32) -> S {
        self.nodes += 1;
        if depth > MAX_DEPTH || self.nodes > MAX_NODES {
            return join(S::text("…"), inner);
        }
        let t = self.btf.ty(id);
        match t.kind() {
            Kind::PTR => {
                match self.skip_tags(t.type_id()).kind() {
                    Kind::ARRAY | Kind::FUNC_PROTO => {
                        inner.prepend("(*");
                        inner.push(")");
                    }
                    _ => inner.prepend("*"),
                }
                self.decl(t.type_id(), inner, depth + 1)
            }
            Kind::CONST | Kind::VOLATILE | Kind::RESTRICT => {
                let q = t.kind().lower_name();
                if self.skip_tags(t.type_id()).kind() == Kind::PTR {
                    // Qualifies the pointer itself: `char *const p`.
                    if inner.is_empty() {
                        inner = S::text(q);
                    } else {
                        inner.prepend(" ");
                        inner.prepend(q);
                    }
                    self.decl(t.type_id(), inner, depth + 1)
                } else {
                    let mut d = self.decl(t.type_id(), inner, depth + 1);
                    d.prepend(" ");
                    d.prepend(q);
                    d
                }
            }
            Kind::TYPE_TAG if self.tags => {
                // An attribute of what it tags: `char __tag("user") *p`.
                let tag = format!("__tag(\"{}\")", t.name());
                if inner.is_empty() {
                    inner = S::text(&tag);
                } else {
                    inner.prepend(" ");
                    inner.prepend(&tag);
                }
                self.decl(t.type_id(), inner, depth + 1)
            }
            Kind::TYPE_TAG => self.decl(t.type_id(), inner, depth + 1),
            Kind::ARRAY => {
                let a = t.array();
                inner.push(&format!("[{}]", a.nelems));
                self.decl(a.elem, inner, depth + 1)
            }
            Kind::FUNC_PROTO => {
                let params = self.params(&t, depth);
                inner.append(params);
                self.decl(t.type_id(), inner, depth + 1)
            }
            _ => join(base_name(&t), inner),
        }
    }

    /// `(int, char *)`.
    fn params<S: Spelling>(&mut self, proto: &Type<'a>, depth: u32) -> S {
        let mut out = S::text("(");
        if proto.vlen() == 0 {
            out.push("void)");
            return out;
        }
        for (i, p) in proto.params().enumerate() {
            if i > 0 {
                out.push(", ");
            }
            if self.nodes > MAX_NODES {
                out.push("…");
                break;
            }
            if p.type_id.is_void() && p.name.is_empty() {
                out.push("...");
                continue;
            }
            let name = if self.param_names { p.name } else { "" };
            out.append(self.decl(p.type_id, S::text(name), depth + 1));
        }
        out.push(")");
        out
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

/// The spelling of a type that is not a declarator: `int`, `struct foo`, `enum {...}`, a
/// variable's or a function's name.
fn base_name<S: Spelling>(t: &Type<'_>) -> S {
    let name = t.name();
    let tagged = |tag: &str| {
        let mut s = S::text(tag);
        s.push(" ");
        s.append(S::named(
            if name.is_empty() { "{...}" } else { name },
            t.id(),
        ));
        s
    };
    match t.kind() {
        _ if t.is_void() => S::text("void"),
        Kind::STRUCT => tagged("struct"),
        Kind::UNION => tagged("union"),
        Kind::ENUM | Kind::ENUM64 => tagged("enum"),
        Kind::FWD => tagged(if t.kflag() { "union" } else { "struct" }),
        Kind::DATASEC => tagged("section"),
        Kind::INT | Kind::FLOAT | Kind::TYPEDEF | Kind::FUNC | Kind::VAR if !name.is_empty() => {
            S::named(name, t.id())
        }
        k => S::named(&format!("<{} '{name}'>", k.lower_name()), t.id()),
    }
}
