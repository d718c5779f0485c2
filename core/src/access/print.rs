//! C text of a syntax tree, for code the tool writes (fixes): it parses back to the same
//! tree. Operands that are not primary expressions get parentheses.

use std::fmt::{self, Display, Write as _};

use super::ast::*;

impl Display for TypeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeSpec::Record { union, name, def } => {
                f.write_str(if *union { "union" } else { "struct" })?;
                if !name.is_empty() {
                    write!(f, " {name}")?;
                }
                if let Some(d) = def {
                    f.write_str(" {")?;
                    for m in &d.members {
                        write!(f, " {}", m.base)?;
                        write_declarator(f, &m.decl)?;
                        if let Some(b) = m.bits {
                            write!(f, " : {b}")?;
                        }
                        f.write_str(";")?;
                    }
                    f.write_str(" }")?;
                    if d.preserve_access {
                        f.write_str(" __attribute__((preserve_access_index))")?;
                    }
                    if d.packed {
                        f.write_str(" __attribute__((packed))")?;
                    }
                }
                Ok(())
            }
            TypeSpec::Enum { name, def } => {
                f.write_str("enum")?;
                if !name.is_empty() {
                    write!(f, " {name}")?;
                }
                if let Some(vals) = def {
                    f.write_str(" {")?;
                    for v in vals {
                        write!(f, " {}", v.name)?;
                        if let Some(x) = v.value {
                            write!(f, " = {x}")?;
                        }
                        f.write_str(",")?;
                    }
                    f.write_str(" }")?;
                }
                Ok(())
            }
            TypeSpec::Named(n) => f.write_str(n),
            TypeSpec::Builtin(n) => f.write_str(n),
            TypeSpec::Void => f.write_str("void"),
        }
    }
}

impl Display for DeclBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_const {
            f.write_str("const ")?;
        }
        if self.is_volatile {
            f.write_str("volatile ")?;
        }
        write!(f, "{}", self.spec)
    }
}

fn write_declarator(f: &mut impl fmt::Write, d: &Declarator) -> fmt::Result {
    if d.ptrs > 0 || d.name.is_some() {
        f.write_char(' ')?;
    }
    for _ in 0..d.ptrs {
        f.write_char('*')?;
    }
    if let Some(n) = &d.name {
        f.write_str(n)?;
    }
    for dim in &d.dims {
        match dim {
            Some(n) => write!(f, "[{n}]")?,
            None => f.write_str("[]")?,
        }
    }
    Ok(())
}

impl Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.base)?;
        write_declarator(f, &self.decl)
    }
}

impl Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Type(t) => write!(f, "{t}"),
            Arg::Expr(e) => write!(f, "{e}"),
        }
    }
}

/// Whether `e` prints without parentheses as an operand.
fn primary(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Ident { .. }
            | Expr::Int { .. }
            | Expr::Member { .. }
            | Expr::Index { .. }
            | Expr::Call { .. }
    )
}

struct Operand<'a>(&'a Expr);

impl Display for Operand<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if primary(self.0) {
            write!(f, "{}", self.0)
        } else {
            write!(f, "({})", self.0)
        }
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Ident { name, .. } => f.write_str(name),
            Expr::Int { value, .. } => write!(f, "{value}"),
            Expr::Member {
                base, name, arrow, ..
            } => write!(
                f,
                "{}{}{name}",
                Operand(base),
                if *arrow { "->" } else { "." }
            ),
            Expr::Index { base, index, .. } => write!(f, "{}[{index}]", Operand(base)),
            Expr::Call { name, args, .. } => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            Expr::Unary { op, e, .. } => write!(f, "{op}{}", Operand(e)),
            Expr::Binary { op, l, r, .. } => {
                if *op == "," {
                    write!(f, "{}, {}", Operand(l), Operand(r))
                } else {
                    write!(f, "{} {op} {}", Operand(l), Operand(r))
                }
            }
            Expr::Assign { op, l, r, .. } => write!(f, "{} {op} {}", Operand(l), Operand(r)),
            Expr::Cond { c, a, b, .. } => {
                write!(f, "{} ? {} : {}", Operand(c), Operand(a), Operand(b))
            }
            Expr::Cast { ty, e, .. } => write!(f, "({ty}){}", Operand(e)),
            Expr::Sizeof { arg, .. } => match &**arg {
                Arg::Type(t) => write!(f, "sizeof({t})"),
                Arg::Expr(e) => write!(f, "sizeof({e})"),
            },
        }
    }
}

/// A statement at indentation `level` (tabs), ending with a newline.
pub fn stmt_text(s: &Stmt, level: usize) -> String {
    let mut out = String::new();
    write_stmt(&mut out, s, level);
    out
}

fn write_stmt(out: &mut String, s: &Stmt, level: usize) {
    let pad = "\t".repeat(level);
    match s {
        Stmt::Decl {
            base,
            is_typedef,
            decls,
        } => {
            out.push_str(&pad);
            if *is_typedef {
                out.push_str("typedef ");
            }
            let _ = write!(out, "{base}");
            for (i, (d, init)) in decls.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write_declarator(out, d);
                if let Some(e) = init {
                    let _ = write!(out, " = {e}");
                }
            }
            out.push_str(";\n");
        }
        Stmt::Expr(e) => {
            let _ = writeln!(out, "{pad}{e};");
        }
        Stmt::Return(e) => match e {
            Some(e) => {
                let _ = writeln!(out, "{pad}return {e};");
            }
            None => {
                let _ = writeln!(out, "{pad}return;");
            }
        },
        Stmt::Block(b) => {
            let _ = writeln!(out, "{pad}{{");
            for x in b {
                write_stmt(out, x, level + 1);
            }
            let _ = writeln!(out, "{pad}}}");
        }
        Stmt::If { cond, then, els } => {
            let _ = writeln!(out, "{pad}if ({cond})");
            write_stmt(out, then, level + 1);
            let mut els = els.as_deref();
            while let Some(e) = els {
                match e {
                    Stmt::If {
                        cond,
                        then,
                        els: next,
                    } => {
                        let _ = writeln!(out, "{pad}else if ({cond})");
                        write_stmt(out, then, level + 1);
                        els = next.as_deref();
                    }
                    other => {
                        let _ = writeln!(out, "{pad}else");
                        write_stmt(out, other, level + 1);
                        els = None;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn strip_pos(s: &str) -> String {
        // Positions differ after printing; compare the printed forms of both parses.
        let stmts = parse(s, &|n| n == "u64").unwrap();
        stmts.iter().map(|t| stmt_text(&t.stmt, 0)).collect()
    }

    #[test]
    fn printing_parses_back_to_the_same_text() {
        for src in [
            "struct task_struct *t; if (bpf_core_field_exists(t->__state)) x = BPF_CORE_READ(t, __state); else x = BPF_CORE_READ((struct task_struct___old *)t, state);",
            "u64 v = -(a + b) * c ? &p->q[2].r : sizeof(struct x *);",
            "struct f___x { long int state; char c[4]; unsigned y : 3; } __attribute__((preserve_access_index));",
            "enum e___v { A, B = -2, }; bpf_core_enum_value(enum e___v, B) == 2 && !bpf_core_type_exists(u64);",
        ] {
            let once = strip_pos(src);
            assert_eq!(strip_pos(&once), once, "{src}");
        }
    }
}
