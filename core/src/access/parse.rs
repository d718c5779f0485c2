//! Recursive-descent parser for the question's C subset: declarations (variables, typedefs,
//! struct/union/enum definitions with `__attribute__`s), `if`/`else`, blocks, `return`, and
//! expressions with C's precedence, casts, `sizeof`, calls (the CO-RE macros) and member
//! chains.
//!
//! Typedef names make C context-sensitive (`pid_t (x)` is a declaration, `t (x)` a call), so
//! the parser asks the caller which identifiers name types in the kernel, and tracks the
//! typedefs and variables the question itself declares. Nesting is bounded
//! ([`MAX_DEPTH`]): hostile input gets an error, not a stack overflow.

use super::ast::*;
use super::error::AccessError;
use super::lex::{lex, Tok, Token};

/// Deepest nesting of expressions and statements accepted.
pub const MAX_DEPTH: usize = 128;

/// A top-level statement and the bytes of the source it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopStmt {
    /// The statement.
    pub stmt: Stmt,
    /// First byte.
    pub start: usize,
    /// One past its last byte (the `;` included).
    pub end: usize,
}

/// Parses `src` into statements. `is_kernel_type(name)` says whether `name` is a typedef in
/// the compiled-against kernel.
pub fn parse(
    src: &str,
    is_kernel_type: &dyn Fn(&str) -> bool,
) -> Result<Vec<TopStmt>, AccessError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks: &toks,
        i: 0,
        depth: 0,
        is_kernel_type,
        typedefs: Vec::new(),
        vars: Vec::new(),
    };
    let mut out = Vec::new();
    while !p.at_end() {
        if p.eat(";") {
            continue;
        }
        let start = p.pos();
        let stmt = p.stmt()?;
        let end = p.toks[p.i.saturating_sub(1)].end.max(start);
        out.push(TopStmt { stmt, start, end });
    }
    Ok(out)
}

/// The attributes the parser keeps.
#[derive(Default)]
struct Attrs {
    packed: bool,
    preserve_access: bool,
}

struct Parser<'a> {
    toks: &'a [Token],
    i: usize,
    depth: usize,
    is_kernel_type: &'a dyn Fn(&str) -> bool,
    typedefs: Vec<String>,
    vars: Vec<String>,
}

const INT_WORDS: [&str; 9] = [
    "unsigned", "signed", "short", "long", "int", "char", "_Bool", "__int128", "void",
];
const QUALIFIERS: [&str; 9] = [
    "const",
    "volatile",
    "static",
    "extern",
    "register",
    "inline",
    "__always_inline",
    "__restrict",
    "restrict",
];

impl<'a> Parser<'a> {
    fn peek(&self) -> &'a Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].tok
    }

    fn peek_at(&self, n: usize) -> &'a Tok {
        &self.toks[(self.i + n).min(self.toks.len() - 1)].tok
    }

    fn pos(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].start
    }

    fn at_end(&self) -> bool {
        matches!(self.peek(), Tok::End)
    }

    fn bump(&mut self) -> &'a Token {
        let t = &self.toks[self.i.min(self.toks.len() - 1)];
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == w)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.is_word(w) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> Result<(), AccessError> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("expected '{p}'")))
        }
    }

    fn unexpected(&self, what: &str) -> AccessError {
        let found = match self.peek() {
            Tok::End => "end of input".to_owned(),
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Int(v) => format!("'{v}'"),
            Tok::Punct(p) => format!("'{p}'"),
        };
        AccessError::at(self.pos(), format!("{what}, found {found}"))
    }

    fn ident(&mut self, what: &str) -> Result<(String, usize), AccessError> {
        match self.peek() {
            Tok::Ident(s) if !is_keyword(s) => {
                let pos = self.pos();
                self.bump();
                Ok((s.clone(), pos))
            }
            _ => Err(self.unexpected(&format!("expected {what}"))),
        }
    }

    fn enter(&mut self) -> Result<(), AccessError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(AccessError::at(self.pos(), "nested too deeply"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Whether an identifier names a type here (a variable of the same name hides it).
    fn names_type(&self, s: &str) -> bool {
        if self.vars.iter().any(|v| v == s) {
            return false;
        }
        self.typedefs.iter().any(|t| t == s) || (self.is_kernel_type)(s)
    }

    /// Whether the next token starts a type.
    fn starts_type(&self) -> bool {
        match self.peek() {
            Tok::Ident(s) => {
                INT_WORDS.contains(&s.as_str())
                    || QUALIFIERS.contains(&s.as_str())
                    || matches!(
                        s.as_str(),
                        "struct" | "union" | "enum" | "typedef" | "__attribute__"
                    )
                    || self.names_type(s)
            }
            _ => false,
        }
    }

    // ---- statements ----

    fn stmt(&mut self) -> Result<Stmt, AccessError> {
        self.enter()?;
        let r = self.stmt_inner();
        self.leave();
        r
    }

    fn stmt_inner(&mut self) -> Result<Stmt, AccessError> {
        if self.eat("{") {
            let mut body = Vec::new();
            while !self.eat("}") {
                if self.at_end() {
                    return Err(self.unexpected("expected '}'"));
                }
                if self.eat(";") {
                    continue;
                }
                body.push(self.stmt()?);
            }
            return Ok(Stmt::Block(body));
        }
        if self.eat_word("if") {
            self.expect("(")?;
            let cond = self.expr()?;
            self.expect(")")?;
            let then = Box::new(self.stmt()?);
            let els = if self.eat_word("else") {
                Some(Box::new(self.stmt()?))
            } else {
                None
            };
            return Ok(Stmt::If { cond, then, els });
        }
        if self.eat_word("return") {
            let e = if self.is(";") || self.at_end() || self.is("}") {
                None
            } else {
                Some(self.expr()?)
            };
            self.end_stmt()?;
            return Ok(Stmt::Return(e));
        }
        if self.starts_type() {
            return self.declaration();
        }
        // `name *x;` or `name x;` with a name that is no type: a declaration of an unknown
        // type, as clang reads it.
        if let (Tok::Ident(t), Tok::Ident(_)) | (Tok::Ident(t), Tok::Punct("*")) =
            (self.peek(), self.peek_at(1))
        {
            let decl_like = match self.peek_at(1) {
                Tok::Ident(_) => true,
                _ => {
                    let mut k = 1;
                    while matches!(self.peek_at(k), Tok::Punct("*")) {
                        k += 1;
                    }
                    matches!(self.peek_at(k), Tok::Ident(_))
                        && matches!(
                            self.peek_at(k + 1),
                            Tok::Punct(";" | "=" | "," | "[") | Tok::End
                        )
                }
            };
            if decl_like && !is_keyword(t) && !self.vars.iter().any(|v| v == t) {
                return Err(AccessError::at(
                    self.pos(),
                    format!("unknown type name '{t}'"),
                ));
            }
        }
        let e = self.expr()?;
        self.end_stmt()?;
        Ok(Stmt::Expr(e))
    }

    /// A statement ends with `;`; the last one may leave it out.
    fn end_stmt(&mut self) -> Result<(), AccessError> {
        if self.eat(";") || self.at_end() || self.is("}") {
            Ok(())
        } else {
            Err(self.unexpected("expected ';'"))
        }
    }

    fn declaration(&mut self) -> Result<Stmt, AccessError> {
        let is_typedef = self.eat_word("typedef");
        let base = self.decl_base()?;
        let mut decls = Vec::new();
        if !(self.is(";") || self.at_end()) {
            loop {
                let d = self.declarator(true)?;
                let init = if self.eat("=") {
                    Some(self.assign()?)
                } else {
                    None
                };
                if let Some(n) = &d.name {
                    if is_typedef {
                        self.typedefs.push(n.clone());
                        self.vars.retain(|v| v != n);
                    } else {
                        self.vars.push(n.clone());
                    }
                }
                decls.push((d, init));
                if !self.eat(",") {
                    break;
                }
            }
        }
        self.end_stmt()?;
        Ok(Stmt::Decl {
            base,
            is_typedef,
            decls,
        })
    }

    /// Qualifiers, attributes and one type specifier.
    fn decl_base(&mut self) -> Result<DeclBase, AccessError> {
        let pos = self.pos();
        let mut is_const = false;
        let mut is_volatile = false;
        let mut words: Vec<&str> = Vec::new();
        let mut spec: Option<TypeSpec> = None;
        while let Tok::Ident(w) = self.peek() {
            match w.as_str() {
                "const" => is_const = true,
                "volatile" => is_volatile = true,
                "static" | "extern" | "register" | "inline" | "__always_inline" => {}
                "__attribute__" => {
                    self.attributes()?;
                    continue;
                }
                "struct" | "union" | "enum" if spec.is_none() && words.is_empty() => {
                    spec = Some(self.tagged()?);
                    continue;
                }
                w if INT_WORDS.contains(&w) && spec.is_none() => {
                    words.push(
                        INT_WORDS
                            .iter()
                            .find(|x| **x == w)
                            .copied()
                            .unwrap_or("int"),
                    );
                }
                w if spec.is_none() && words.is_empty() && self.names_type(w) => {
                    spec = Some(TypeSpec::Named(w.to_owned()));
                }
                _ => break,
            }
            self.bump();
        }
        let spec = match spec {
            Some(s) => s,
            None if !words.is_empty() => builtin(&words).ok_or_else(|| {
                AccessError::at(pos, format!("invalid type '{}'", words.join(" ")))
            })?,
            None => return Err(self.unexpected("expected a type")),
        };
        Ok(DeclBase {
            spec,
            is_const,
            is_volatile,
            pos,
        })
    }

    /// `__attribute__((a, b(c)))`: skipped, but `packed` and `preserve_access_index` are
    /// reported.
    fn attributes(&mut self) -> Result<Attrs, AccessError> {
        let mut attrs = Attrs::default();
        self.bump();
        self.expect("(")?;
        let mut depth = 1;
        while depth > 0 {
            match self.bump().tok {
                Tok::Punct("(") => depth += 1,
                Tok::Punct(")") => depth -= 1,
                Tok::Ident(ref s) if s == "packed" || s == "__packed__" => attrs.packed = true,
                Tok::Ident(ref s) if s == "preserve_access_index" => attrs.preserve_access = true,
                Tok::End => return Err(self.unexpected("unterminated __attribute__")),
                _ => {}
            }
        }
        Ok(attrs)
    }

    /// `struct NAME`, `struct [NAME] { ... }`, `enum ...` likewise.
    fn tagged(&mut self) -> Result<TypeSpec, AccessError> {
        let kw = match self.bump().tok {
            Tok::Ident(ref s) => s.clone(),
            _ => unreachable!("called on a keyword"),
        };
        while self.is_word("__attribute__") {
            self.attributes()?;
        }
        let name = match self.peek() {
            Tok::Ident(s) if !is_keyword(s) => {
                let s = s.clone();
                self.bump();
                s
            }
            _ => String::new(),
        };
        if !self.is("{") {
            if name.is_empty() {
                return Err(self.unexpected(&format!("expected a {kw} name or '{{'")));
            }
            return Ok(match kw.as_str() {
                "enum" => TypeSpec::Enum { name, def: None },
                _ => TypeSpec::Record {
                    union: kw == "union",
                    name,
                    def: None,
                },
            });
        }
        let pos = self.pos();
        self.bump();
        if kw == "enum" {
            let mut vals = Vec::new();
            while !self.eat("}") {
                let (n, p) = self.ident("an enumerator")?;
                let value = if self.eat("=") {
                    let neg = self.eat("-");
                    match self.bump().tok {
                        Tok::Int(v) => {
                            let v = i64::try_from(v)
                                .map_err(|_| AccessError::at(p, "enumerator value out of range"))?;
                            Some(if neg { -v } else { v })
                        }
                        _ => return Err(AccessError::at(p, "expected an integer value")),
                    }
                } else {
                    None
                };
                vals.push(Enumerator {
                    name: n,
                    value,
                    pos: p,
                });
                if !self.eat(",") {
                    self.expect("}")?;
                    break;
                }
            }
            return Ok(TypeSpec::Enum {
                name,
                def: Some(vals),
            });
        }
        self.enter()?;
        let mut members = Vec::new();
        while !self.eat("}") {
            if self.at_end() {
                return Err(self.unexpected("expected '}'"));
            }
            if self.eat(";") {
                continue;
            }
            let base = self.decl_base()?;
            if self.eat(";") {
                // An anonymous struct/union member.
                members.push(MemberDecl {
                    base,
                    decl: Declarator {
                        pos: self.pos(),
                        ..Declarator::default()
                    },
                    bits: None,
                });
                continue;
            }
            loop {
                let decl = if self.is(":") {
                    Declarator {
                        pos: self.pos(),
                        ..Declarator::default()
                    }
                } else {
                    self.declarator(true)?
                };
                let bits = if self.eat(":") {
                    match self.bump().tok {
                        Tok::Int(v) if v <= 128 => Some(v as u32),
                        _ => return Err(AccessError::at(decl.pos, "invalid bit-field width")),
                    }
                } else {
                    None
                };
                while self.is_word("__attribute__") {
                    self.attributes()?;
                }
                members.push(MemberDecl {
                    base: base.clone(),
                    decl,
                    bits,
                });
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(";")?;
        }
        self.leave();
        let mut attrs = Attrs::default();
        while self.is_word("__attribute__") {
            let a = self.attributes()?;
            attrs.packed |= a.packed;
            attrs.preserve_access |= a.preserve_access;
        }
        Ok(match kw.as_str() {
            "union" | "struct" => TypeSpec::Record {
                union: kw == "union",
                name,
                def: Some(RecordDef {
                    members,
                    packed: attrs.packed,
                    preserve_access: attrs.preserve_access,
                    pos,
                }),
            },
            _ => unreachable!("struct, union or enum"),
        })
    }

    /// `* const * name [2][]` (named) or the same without a name (abstract).
    fn declarator(&mut self, named: bool) -> Result<Declarator, AccessError> {
        let mut d = Declarator {
            pos: self.pos(),
            ..Declarator::default()
        };
        loop {
            if self.eat("*") {
                d.ptrs += 1;
                if d.ptrs > 32 {
                    return Err(AccessError::at(d.pos, "too many pointer levels"));
                }
            } else if !(self.eat_word("const")
                || self.eat_word("volatile")
                || self.eat_word("restrict")
                || self.eat_word("__restrict"))
            {
                break;
            }
        }
        if self.is("(") && named {
            return Err(AccessError::at(
                self.pos(),
                "function pointer declarators are not supported",
            ));
        }
        if named {
            if let Tok::Ident(s) = self.peek() {
                if !is_keyword(s) {
                    d.pos = self.pos();
                    d.name = Some(s.clone());
                    self.bump();
                }
            }
        }
        while self.eat("[") {
            if d.dims.len() >= 32 {
                return Err(AccessError::at(self.pos(), "too many array dimensions"));
            }
            if self.eat("]") {
                d.dims.push(None);
                continue;
            }
            match self.bump().tok {
                Tok::Int(v) => d.dims.push(Some(v)),
                _ => return Err(AccessError::at(d.pos, "array size must be an integer")),
            }
            self.expect("]")?;
        }
        while self.is_word("__attribute__") {
            self.attributes()?;
        }
        Ok(d)
    }

    fn type_name(&mut self) -> Result<TypeName, AccessError> {
        let base = self.decl_base()?;
        let decl = self.declarator(false)?;
        Ok(TypeName { base, decl })
    }

    // ---- expressions ----

    fn expr(&mut self) -> Result<Expr, AccessError> {
        let mut e = self.assign()?;
        while self.is(",") {
            let pos = self.pos();
            self.bump();
            let r = self.assign()?;
            e = Expr::Binary {
                op: ",",
                l: Box::new(e),
                r: Box::new(r),
                pos,
            };
        }
        Ok(e)
    }

    fn assign(&mut self) -> Result<Expr, AccessError> {
        self.enter()?;
        let l = self.cond()?;
        let r = match self.peek() {
            Tok::Punct(
                op @ ("=" | "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=" | "<<=" | ">>="),
            ) => {
                let pos = self.pos();
                self.bump();
                let r = self.assign()?;
                Expr::Assign {
                    op,
                    l: Box::new(l),
                    r: Box::new(r),
                    pos,
                }
            }
            _ => l,
        };
        self.leave();
        Ok(r)
    }

    fn cond(&mut self) -> Result<Expr, AccessError> {
        let c = self.binary(0)?;
        if !self.is("?") {
            return Ok(c);
        }
        let pos = self.pos();
        self.bump();
        let a = self.expr()?;
        self.expect(":")?;
        self.enter()?;
        let b = self.cond()?;
        self.leave();
        Ok(Expr::Cond {
            c: Box::new(c),
            a: Box::new(a),
            b: Box::new(b),
            pos,
        })
    }

    fn binary(&mut self, min: u8) -> Result<Expr, AccessError> {
        let mut l = self.unary()?;
        while let Tok::Punct(op) = self.peek() {
            let Some(prec) = precedence(op) else { break };
            if prec < min {
                break;
            }
            let pos = self.pos();
            self.bump();
            self.enter()?;
            let r = self.binary(prec + 1)?;
            self.leave();
            l = Expr::Binary {
                op,
                l: Box::new(l),
                r: Box::new(r),
                pos,
            };
        }
        Ok(l)
    }

    fn unary(&mut self) -> Result<Expr, AccessError> {
        self.enter()?;
        let r = self.unary_inner();
        self.leave();
        r
    }

    fn unary_inner(&mut self) -> Result<Expr, AccessError> {
        let pos = self.pos();
        if let Tok::Punct(op @ ("&" | "*" | "!" | "~" | "-" | "+")) = self.peek() {
            self.bump();
            let e = self.unary()?;
            return Ok(Expr::Unary {
                op,
                e: Box::new(e),
                pos,
            });
        }
        if self.is("++") || self.is("--") {
            return Err(AccessError::at(
                pos,
                "increment and decrement are not supported",
            ));
        }
        if self.eat_word("sizeof") {
            let arg = if self.is("(") && self.type_follows(1) {
                self.bump();
                let t = self.type_name()?;
                self.expect(")")?;
                Arg::Type(t)
            } else {
                Arg::Expr(self.unary()?)
            };
            return Ok(Expr::Sizeof {
                arg: Box::new(arg),
                pos,
            });
        }
        if self.is("(") && self.type_follows(1) {
            self.bump();
            let ty = self.type_name()?;
            self.expect(")")?;
            let e = self.unary()?;
            return Ok(Expr::Cast {
                ty,
                e: Box::new(e),
                pos,
            });
        }
        let mut e = self.primary()?;
        let mut steps = 0;
        let result = loop {
            let pos = self.pos();
            if self.eat("->") || self.is(".") {
                let arrow = !self.eat(".");
                let (name, npos) = self.ident("a member name")?;
                e = Expr::Member {
                    base: Box::new(e),
                    name,
                    arrow,
                    pos: npos,
                };
            } else if self.eat("[") {
                let index = self.expr()?;
                self.expect("]")?;
                e = Expr::Index {
                    base: Box::new(e),
                    index: Box::new(index),
                    pos,
                };
            } else if self.is("(") {
                let Expr::Ident { name, pos } = e else {
                    break Err(AccessError::at(pos, "only named functions can be called"));
                };
                self.bump();
                let args = self.args()?;
                e = Expr::Call { name, args, pos };
            } else if self.is("++") || self.is("--") {
                break Err(AccessError::at(
                    pos,
                    "increment and decrement are not supported",
                ));
            } else {
                break Ok(e);
            }
            // A chain of postfix steps nests as deeply as the tree it builds.
            steps += 1;
            if let Err(err) = self.enter() {
                break Err(err);
            }
        };
        self.depth -= steps;
        result
    }

    /// Whether a type starts `n` tokens ahead (for `(type)` casts and `sizeof(type)`).
    fn type_follows(&self, n: usize) -> bool {
        match self.peek_at(n) {
            Tok::Ident(s) => {
                INT_WORDS.contains(&s.as_str())
                    || matches!(
                        s.as_str(),
                        "struct" | "union" | "enum" | "const" | "volatile"
                    )
                    || self.names_type(s)
            }
            _ => false,
        }
    }

    fn args(&mut self) -> Result<Vec<Arg>, AccessError> {
        let mut args = Vec::new();
        if self.eat(")") {
            return Ok(args);
        }
        loop {
            if args.len() >= 64 {
                return Err(AccessError::at(self.pos(), "too many arguments"));
            }
            let arg = if self.starts_type() && !self.starts_type_ident_expr() {
                Arg::Type(self.type_name()?)
            } else {
                Arg::Expr(self.assign()?)
            };
            args.push(arg);
            if self.eat(")") {
                return Ok(args);
            }
            self.expect(",")?;
        }
    }

    /// A typedef name followed by `->`, `.` or `[` is used as an expression: a member that
    /// shares a kernel typedef's name, in `BPF_CORE_READ(t, name.x)`.
    fn starts_type_ident_expr(&self) -> bool {
        matches!(self.peek(), Tok::Ident(s) if !INT_WORDS.contains(&s.as_str()) && !is_keyword(s))
            && matches!(self.peek_at(1), Tok::Punct("->" | "." | "["))
    }

    fn primary(&mut self) -> Result<Expr, AccessError> {
        let pos = self.pos();
        match self.peek() {
            Tok::Ident(s) if !is_keyword(s) => {
                let name = s.clone();
                self.bump();
                Ok(Expr::Ident { name, pos })
            }
            Tok::Int(v) => {
                let value = *v;
                self.bump();
                Ok(Expr::Int { value, pos })
            }
            Tok::Punct("(") => {
                self.bump();
                if self.is("{") {
                    return Err(AccessError::at(
                        pos,
                        "statement expressions are not supported",
                    ));
                }
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            _ => Err(self.unexpected("expected an expression")),
        }
    }
}

/// Binary operator precedence (higher binds tighter); `None` for non-binary tokens.
fn precedence(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "|" => 3,
        "^" => 4,
        "&" => 5,
        "==" | "!=" => 6,
        "<" | ">" | "<=" | ">=" => 7,
        "<<" | ">>" => 8,
        "+" | "-" => 9,
        "*" | "/" | "%" => 10,
        _ => return None,
    })
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "struct"
            | "union"
            | "enum"
            | "typedef"
            | "if"
            | "else"
            | "return"
            | "sizeof"
            | "const"
            | "volatile"
            | "static"
            | "extern"
            | "__attribute__"
    ) || INT_WORDS.contains(&s)
}

/// clang's spelling of an integer type named `name` in any order C allows (`long unsigned
/// int` → `unsigned long`), or `None` if it is not a C integer type name.
pub fn builtin_spelling(name: &str) -> Option<&'static str> {
    let mut words = Vec::new();
    for w in name.split_whitespace() {
        words.push(*INT_WORDS.iter().find(|x| **x == w)?);
        if words.len() > 4 {
            return None;
        }
    }
    match builtin(&words)? {
        TypeSpec::Builtin(s) => Some(s),
        _ => None,
    }
}

/// The builtin integer type named by a multiset of specifier words, in clang's BTF spelling.
fn builtin(words: &[&str]) -> Option<TypeSpec> {
    let count = |w: &str| words.iter().filter(|x| **x == w).count();
    let (uns, sig, short, long, int, ch, b, i128, void) = (
        count("unsigned"),
        count("signed"),
        count("short"),
        count("long"),
        count("int"),
        count("char"),
        count("_Bool"),
        count("__int128"),
        count("void"),
    );
    if uns + sig > 1 || int > 1 || ch > 1 || short > 1 || long > 2 {
        return None;
    }
    let others = |allowed: usize| words.len() == allowed;
    if void == 1 {
        return others(1).then_some(TypeSpec::Void);
    }
    if b == 1 {
        return others(1).then_some(TypeSpec::Builtin("_Bool"));
    }
    if i128 == 1 {
        return others(1 + uns + sig).then_some(TypeSpec::Builtin(if uns == 1 {
            "unsigned __int128"
        } else {
            "__int128"
        }));
    }
    let name = if ch == 1 {
        if short + long + int > 0 {
            return None;
        }
        match (uns, sig) {
            (1, _) => "unsigned char",
            (_, 1) => "signed char",
            _ => "char",
        }
    } else if short == 1 {
        if long > 0 {
            return None;
        }
        if uns == 1 {
            "unsigned short"
        } else {
            "short"
        }
    } else if long == 2 {
        if uns == 1 {
            "unsigned long long"
        } else {
            "long long"
        }
    } else if long == 1 {
        if uns == 1 {
            "unsigned long"
        } else {
            "long"
        }
    } else if uns == 1 {
        "unsigned int"
    } else {
        "int"
    };
    Some(TypeSpec::Builtin(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Vec<TopStmt>, AccessError> {
        parse(s, &|n| n == "pid_t" || n == "u64")
    }

    #[test]
    fn declarations_and_chains() {
        let s = p("struct task_struct *t; BPF_CORE_READ(t, mm, exe_file)").unwrap();
        assert_eq!(s.len(), 2);
        let Stmt::Decl { decls, .. } = &s[0].stmt else {
            panic!()
        };
        assert_eq!(decls[0].0.name.as_deref(), Some("t"));
        assert_eq!(decls[0].0.ptrs, 1);
        let Stmt::Expr(Expr::Call { name, args, .. }) = &s[1].stmt else {
            panic!()
        };
        assert_eq!(name, "BPF_CORE_READ");
        assert_eq!(args.len(), 3);
    }

    #[test]
    fn types_in_arguments() {
        let s = p(
            "bpf_core_type_id_local(struct task_struct *); bpf_core_type_exists(pid_t); \
                   bpf_core_field_exists(struct a, b.c[2]); sizeof(long unsigned int)",
        )
        .unwrap();
        let Stmt::Expr(Expr::Call { args, .. }) = &s[0].stmt else {
            panic!()
        };
        assert!(matches!(&args[0], Arg::Type(t) if t.decl.ptrs == 1));
        let Stmt::Expr(Expr::Call { args, .. }) = &s[1].stmt else {
            panic!()
        };
        assert!(matches!(&args[0], Arg::Type(t) if t.base.spec == TypeSpec::Named("pid_t".into())));
        let Stmt::Expr(Expr::Sizeof { arg, .. }) = &s[3].stmt else {
            panic!()
        };
        assert!(
            matches!(&**arg, Arg::Type(t) if t.base.spec == TypeSpec::Builtin("unsigned long"))
        );
    }

    #[test]
    fn struct_definitions_and_casts() {
        let s = p("struct inode___old { struct timespec64 i_ctime; unsigned x:3, :0; \
                   union { int a; long b; }; } __attribute__((preserve_access_index));\n\
                   struct inode *i; if (bpf_core_field_exists(struct inode___old, i_ctime)) \
                   BPF_CORE_READ((struct inode___old *)i, i_ctime); else BPF_CORE_READ(i, __i_ctime);")
        .unwrap();
        let Stmt::Decl { base, .. } = &s[0].stmt else {
            panic!()
        };
        let TypeSpec::Record { def: Some(def), .. } = &base.spec else {
            panic!()
        };
        assert_eq!(def.members.len(), 4);
        assert_eq!(def.members[1].bits, Some(3));
        assert!(matches!(s[2].stmt, Stmt::If { els: Some(_), .. }));
    }

    #[test]
    fn errors_point_at_the_token() {
        let e = p("struct task_struct *t; t->").unwrap_err();
        assert_eq!(e.offset, 26);
        assert!(
            e.message.contains("expected a member name"),
            "{}",
            e.message
        );
        let deep = "(".repeat(10_000) + "x" + &")".repeat(10_000);
        assert!(p(&deep).unwrap_err().message.contains("nested too deeply"));
        assert!(p("long long long x;").is_err());
    }

    #[test]
    fn unknown_type_names() {
        let e = p("nope_t *t; t->x").unwrap_err();
        assert_eq!(
            (e.offset, e.message.as_str()),
            (0, "unknown type name 'nope_t'")
        );
        assert!(p("nope_t x").is_err());
        // A product of variables stays an expression.
        assert!(p("struct task_struct *a; long b; a * b").is_ok());
    }

    #[test]
    fn variables_hide_typedefs() {
        let s = p("struct task_struct *pid_t; pid_t->pid").unwrap();
        assert!(matches!(&s[1].stmt, Stmt::Expr(Expr::Member { .. })));
    }
}
