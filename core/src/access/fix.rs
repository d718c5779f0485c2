//! A fix for a question that does not load everywhere: the question's own code with each
//! statement that reads what some kernel lacks put under a `bpf_core_field_exists` (or
//! `bpf_core_enum_value_exists`) guard, and each field renamed on some kernel read through a
//! `___flavor` struct that has the other name. The fix is itself a question: it is asked
//! again on the same kernels, and called checked when every one of them loads it.

use crate::btf::{Btf, Kind, TypeId};
use crate::reloc::{RelocClass, Target};

use super::answer::{answer, Answer, Load, Verdict};
use super::ast::*;
use super::cnames::{c_path, visible_members};
use super::parse::builtin_spelling;
use super::print::stmt_text;
use super::resolve::{local_spec, relocate_on};
use super::{LocalObject, Question};

/// A generated fix.
#[derive(Debug, Clone)]
pub struct Fix {
    /// The fixed code, in the question's language (BPF C).
    pub snippet: String,
    /// The same as parts: the `___flavor` definitions the fix adds (file scope in C), then
    /// the question's parts, rewritten where needed.
    pub parts: Vec<String>,
    /// How many of `parts` are definitions.
    pub definitions: usize,
    /// The fix asked again on the same kernels (`None` if it could not be asked).
    pub answer: Option<Answer>,
    /// Whether every kernel loads the fix.
    pub checked: bool,
    /// What the fix does not cover, in words.
    pub notes: Vec<String>,
}

/// One way to read a renamed field: through `flavor` (a struct the fix declares) under
/// `name`.
#[derive(Debug, Clone)]
struct Alternative {
    flavor: String,
    name: String,
}

/// What to do with one of the question's records.
#[derive(Debug, Clone, Default)]
struct Treatment {
    /// Guard condition texts (the question's own name exists).
    guard: Option<String>,
    /// Other names to read it by, each under its own guard.
    alternatives: Vec<Alternative>,
    /// The member to rename: (part, byte offset of the member name, the field's name).
    at: Option<(usize, usize, String)>,
}

/// Builds the fix for `q` (whose distinct records are in `obj`) from its answer `ans` on
/// `targets`, and checks it on them. `None` when there is nothing to fix.
pub fn fix(
    q: &Question<'_>,
    obj: &LocalObject,
    ans: &Answer,
    targets: &[(String, &Btf)],
) -> Option<Fix> {
    let mut f = fix_unchecked(q, obj, ans)?;
    if f.parts.is_empty() {
        return Some(f);
    }
    let mut fixed = match f.question(q) {
        Ok(fixed) => fixed,
        Err(note) => {
            f.notes.push(note);
            return Some(f);
        }
    };
    let fixed_answer = fixed.object().ok().map(|fobj| {
        let processed: Vec<_> = targets
            .iter()
            .map(|(_, b)| relocate_on(&fobj.btf, &fobj.records, &Target::kernel(b), ans.libbpf))
            .collect();
        answer(&fixed, &fobj, targets, &processed, ans.libbpf)
    });
    f.set_answer(fixed_answer);
    Some(f)
}

impl Fix {
    /// The fix as a question over the same kernel, to ask on each kernel (or the note saying
    /// it does not compile).
    pub fn question<'k>(&self, q: &Question<'k>) -> Result<Question<'k>, String> {
        let mut fixed =
            Question::new(q.local()).map_err(|e| format!("the fix does not compile: {e}"))?;
        for part in &self.parts {
            if let Err(e) = fixed.add(part) {
                return Err(format!(
                    "the fix does not compile: {}",
                    e.error.describe(part)
                ));
            }
        }
        Ok(fixed)
    }

    /// Records the fix's own answer on the kernels (`None`: it could not be asked): checked
    /// when every kernel loads it.
    pub fn set_answer(&mut self, answer: Option<Answer>) {
        self.checked = answer
            .as_ref()
            .is_some_and(|a| a.verdict == Verdict::Portable);
        self.answer = answer;
    }
}

/// Builds the fix for `q` from its answer `ans`, without asking it again: [`Fix::question`]
/// asked on each kernel, then [`Fix::set_answer`], checks it (a caller going through many
/// kernels one at a time does so). `None` when there is nothing to fix.
pub fn fix_unchecked(q: &Question<'_>, obj: &LocalObject, ans: &Answer) -> Option<Fix> {
    if ans.verdict == Verdict::Portable {
        return None;
    }
    let mut notes: Vec<String> = ans.notes.clone();
    for (t, l) in ans.loads.iter().enumerate() {
        if let Load::Fails(_, msg) = l {
            notes.push(format!(
                "libbpf fails the object on {} before the verifier runs ({msg}): no guard helps",
                ans.targets[t]
            ));
        }
    }
    // Distinct records to treat.
    let mut problems: Vec<usize> = Vec::new();
    for l in &ans.loads {
        if let Load::Poisoned(v) = l {
            for &d in v {
                if !problems.contains(&d) {
                    problems.push(d);
                }
            }
        }
    }
    if problems.is_empty() {
        return Some(Fix {
            snippet: String::new(),
            parts: Vec::new(),
            definitions: 0,
            answer: None,
            checked: false,
            notes,
        });
    }
    let mut flavors: Vec<(String, String)> = Vec::new(); // (name, definition)
    let mut treat: Vec<(usize, Treatment)> = Vec::new(); // (distinct record, treatment)
    for &d in &problems {
        let r = &obj.records[d];
        let Some(spec) = local_spec(&obj.btf, r, d) else {
            continue;
        };
        let first = r.records[0];
        let qrec = &q.records()[first];
        let root_c = c_type(q, qrec.root);
        let mut t = Treatment::default();
        match spec.kind.class() {
            RelocClass::Field => {
                let path = c_path(&spec);
                t.guard = Some(format!("bpf_core_field_exists({root_c}, {path})"));
                let renames: Vec<_> = ans.renames.iter().filter(|x| x.record == d).collect();
                let direct = !path.contains(['.', '[']);
                let root_is_container = renames.first().is_some_and(|x| {
                    x.container == obj.btf.btf.skip_mods_and_typedefs(r.root).name()
                });
                if !renames.is_empty() && direct && root_is_container {
                    let mut names: Vec<String> = Vec::new();
                    for x in &renames {
                        if x.to.len() == 1 && !names.contains(&x.to[0]) {
                            names.push(x.to[0].clone());
                        }
                    }
                    for (k, name) in names.iter().enumerate() {
                        let Some(decl) = renames
                            .iter()
                            .find(|x| &x.to[0] == name)
                            .and_then(|x| x.decl.clone())
                        else {
                            notes.push(format!("{}.{}: renamed to {name}, whose type has no spelling here: only guarded", renames[0].container, renames[0].from));
                            continue;
                        };
                        let base = renames[0].container.clone();
                        let kw = if obj.btf.btf.skip_mods_and_typedefs(r.root).kind() == Kind::UNION
                        {
                            "union"
                        } else {
                            "struct"
                        };
                        let flavor = format!("{kw} {base}___{}", flavor_suffix(k));
                        if !flavors.iter().any(|(n, _)| n == &flavor) {
                            flavors.push((
                                flavor.clone(),
                                format!("{flavor} {{\n\t{decl};\n}} __attribute__((preserve_access_index));"),
                            ));
                        } else if let Some(f) = flavors.iter_mut().find(|(n, _)| n == &flavor) {
                            if !f.1.contains(&format!(" {name};"))
                                && !f.1.contains(&format!("*{name};"))
                            {
                                f.1 = f.1.replacen("\n}", &format!("\n\t{decl};\n}}"), 1);
                            }
                        }
                        t.alternatives.push(Alternative {
                            flavor,
                            name: name.clone(),
                        });
                    }
                    t.at = Some((qrec.source, qrec.pos, path.clone()));
                } else if renames.iter().any(|x| x.to.len() > 1) {
                    let x = renames
                        .iter()
                        .find(|x| x.to.len() > 1)
                        .unwrap_or(&renames[0]);
                    notes.push(format!(
                        "{}.{} is replaced by {} on some kernels: the fix only guards the read; \
                         read the new fields where they exist",
                        x.container,
                        x.from,
                        x.to.join(", ")
                    ));
                } else if !renames.is_empty() {
                    notes.push(format!(
                        "{}.{}: renamed to {} on some kernels, inside a nested struct: only guarded",
                        renames[0].container,
                        renames[0].from,
                        renames[0].to.join(", ")
                    ));
                }
            }
            RelocClass::EnumVal => {
                let e = obj.btf.btf.skip_mods_and_typedefs(r.root);
                let name = spec.access.first().and_then(|a| a.name).unwrap_or("");
                let _ = e;
                t.guard = Some(format!("bpf_core_enum_value_exists({root_c}, {name})"));
            }
            RelocClass::Type | RelocClass::Unknown => {}
        }
        treat.push((d, t));
    }
    // Statements to rewrite: (part, top statement) → treatments of the records in it.
    let mut by_stmt: Vec<((usize, usize), Vec<Treatment>)> = Vec::new();
    for (d, t) in &treat {
        for &k in &obj.records[*d].records {
            let rec = &q.records()[k];
            let key = (rec.source, rec.stmt);
            let mut t = t.clone();
            if let Some(at) = &mut t.at {
                at.1 = rec.pos;
            }
            match by_stmt.iter_mut().find(|(x, _)| *x == key) {
                Some((_, v)) => v.push(t),
                None => by_stmt.push((key, vec![t])),
            }
        }
    }
    let mut parts: Vec<String> = Vec::new();
    if !flavors.is_empty() {
        parts.push(
            flavors
                .iter()
                .map(|(_, d)| d.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    for (p, text) in q.parts().iter().enumerate() {
        let stmts = &q.stmts[p];
        if !by_stmt.iter().any(|((x, _), _)| *x == p) {
            let t = text.trim_end();
            parts.push(if t.ends_with(';') || t.ends_with('}') {
                t.to_owned()
            } else {
                format!("{t};")
            });
            continue;
        }
        let mut out = String::new();
        for (i, top) in stmts.iter().enumerate() {
            match by_stmt.iter().find(|((x, y), _)| *x == p && *y == i) {
                None => {
                    let t = &text[top.start..top.end];
                    out.push_str(t);
                    if !(t.ends_with(';') || t.ends_with('}')) {
                        out.push(';');
                    }
                    out.push('\n');
                }
                Some((_, ts)) => out.push_str(&guarded(&top.stmt, ts)),
            }
        }
        parts.push(out.trim_end().to_owned());
    }
    let snippet = parts.join("\n");
    Some(Fix {
        snippet,
        definitions: usize::from(!flavors.is_empty()),
        parts,
        answer: None,
        checked: false,
        notes,
    })
}

fn flavor_suffix(k: usize) -> String {
    if k == 0 {
        "old".to_owned()
    } else {
        format!("old{}", k + 1)
    }
}

/// The statement under its guards; a declaration with an initializer is split, so the
/// variable stays in scope and only its assignment is guarded.
fn guarded(stmt: &Stmt, ts: &[Treatment]) -> String {
    if let Stmt::Decl {
        base,
        is_typedef: false,
        decls,
    } = stmt
    {
        if let [(d, Some(init))] = decls.as_slice() {
            if let Some(name) = &d.name {
                let decl = Stmt::Decl {
                    base: base.clone(),
                    is_typedef: false,
                    decls: vec![(d.clone(), None)],
                };
                let assign = Stmt::Expr(Expr::Assign {
                    op: "=",
                    l: Box::new(Expr::Ident {
                        name: name.clone(),
                        pos: d.pos,
                    }),
                    r: Box::new(init.clone()),
                    pos: d.pos,
                });
                return stmt_text(&decl, 0) + &guarded_stmt(&assign, ts);
            }
        }
    }
    guarded_stmt(stmt, ts)
}

/// `if (g1 && g2) stmt`, or for a renamed field `if (exists) stmt else if (exists in
/// flavor) stmt-through-flavor …`.
fn guarded_stmt(stmt: &Stmt, ts: &[Treatment]) -> String {
    let plain: Vec<&str> = ts
        .iter()
        .filter(|t| t.alternatives.is_empty())
        .filter_map(|t| t.guard.as_deref())
        .collect();
    let renamed: Vec<&Treatment> = ts.iter().filter(|t| !t.alternatives.is_empty()).collect();
    let join = |extra: &[String]| -> String {
        let mut all: Vec<String> = plain.iter().map(|s| (*s).to_owned()).collect();
        for e in extra {
            if !all.contains(e) {
                all.push(e.clone());
            }
        }
        all.join(" && ")
    };
    let Some(r) = renamed.first() else {
        let mut uniq: Vec<&str> = Vec::new();
        for g in plain {
            if !uniq.contains(&g) {
                uniq.push(g);
            }
        }
        return stmt_text(
            &Stmt::If {
                cond: raw(&uniq.join(" && ")),
                then: Box::new(stmt.clone()),
                els: None,
            },
            0,
        );
    };
    // The question's name first, then each other name through its flavor.
    let mut branches: Vec<(String, Stmt)> =
        vec![(join(&[r.guard.clone().unwrap_or_default()]), stmt.clone())];
    for alt in &r.alternatives {
        let Some((_, pos, _)) = &r.at else { continue };
        let mut s = stmt.clone();
        if !rename_in_stmt(&mut s, *pos, &alt.name, &alt.flavor) {
            continue;
        }
        branches.push((
            join(&[format!(
                "bpf_core_field_exists({}, {})",
                alt.flavor, alt.name
            )]),
            s,
        ));
    }
    let mut chain: Option<Stmt> = None;
    for (cond, s) in branches.into_iter().rev() {
        chain = Some(Stmt::If {
            cond: raw(&cond),
            then: Box::new(s),
            els: chain.map(Box::new),
        });
    }
    chain.map_or_else(String::new, |s| stmt_text(&s, 0))
}

/// An expression that prints as `text` (the guard conditions are written as text).
fn raw(text: &str) -> Expr {
    Expr::Ident {
        name: text.to_owned(),
        pos: 0,
    }
}

/// Renames the member at `pos` to `to`, reading it through `flavor` (a cast of the pointer it
/// is reached through, or the flavor as the type argument of a field builtin).
fn rename_in_stmt(s: &mut Stmt, pos: usize, to: &str, flavor: &str) -> bool {
    match s {
        Stmt::Expr(e) | Stmt::Return(Some(e)) => rename_in_expr(e, pos, to, flavor),
        Stmt::Decl { decls, .. } => decls
            .iter_mut()
            .filter_map(|(_, i)| i.as_mut())
            .any(|e| rename_in_expr(e, pos, to, flavor)),
        Stmt::If { cond, then, els } => {
            rename_in_expr(cond, pos, to, flavor)
                || rename_in_stmt(then, pos, to, flavor)
                || els
                    .as_mut()
                    .is_some_and(|e| rename_in_stmt(e, pos, to, flavor))
        }
        Stmt::Block(b) => b.iter_mut().any(|x| rename_in_stmt(x, pos, to, flavor)),
        Stmt::Return(None) => false,
    }
}

fn flavor_ptr(flavor: &str) -> TypeName {
    let (kw, name) = flavor.split_once(' ').unwrap_or(("struct", flavor));
    TypeName {
        base: DeclBase {
            spec: TypeSpec::Record {
                union: kw == "union",
                name: name.to_owned(),
                def: None,
            },
            is_const: false,
            is_volatile: false,
            pos: 0,
        },
        decl: Declarator {
            ptrs: 1,
            ..Declarator::default()
        },
    }
}

fn cast(e: Expr, flavor: &str) -> Expr {
    Expr::Cast {
        ty: flavor_ptr(flavor),
        e: Box::new(e),
        pos: 0,
    }
}

fn rename_in_expr(e: &mut Expr, pos: usize, to: &str, flavor: &str) -> bool {
    match e {
        Expr::Member {
            base,
            name,
            arrow,
            pos: p,
        } if *p == pos && *arrow => {
            *name = to.to_owned();
            let b = std::mem::replace(&mut **base, Expr::Int { value: 0, pos: 0 });
            **base = cast(b, flavor);
            true
        }
        Expr::Call { name, args, .. } => {
            let first_field = match name.as_str() {
                "BPF_CORE_READ"
                | "BPF_CORE_READ_USER"
                | "BPF_PROBE_READ"
                | "BPF_PROBE_READ_USER"
                | "BPF_CORE_READ_BITFIELD_PROBED"
                | "BPF_CORE_READ_BITFIELD" => Some(1),
                n if n.starts_with("BPF_CORE_READ") || n.starts_with("BPF_PROBE_READ") => Some(2),
                "bpf_core_field_exists"
                | "bpf_core_field_size"
                | "bpf_core_field_offset"
                | "bpf_core_field_signed"
                    if args.len() == 2 =>
                {
                    Some(1)
                }
                _ => None,
            };
            if let Some(k) = first_field {
                if let Some(Arg::Expr(Expr::Ident { name: n, pos: p })) = args.get_mut(k) {
                    if *p == pos {
                        *n = to.to_owned();
                        let src = &mut args[k - 1];
                        if name.starts_with("bpf_core_field_") {
                            let mut t = flavor_ptr(flavor);
                            t.decl.ptrs = 0;
                            *src = Arg::Type(t);
                        } else if let Arg::Expr(x) = src {
                            let b = std::mem::replace(x, Expr::Int { value: 0, pos: 0 });
                            *x = cast(b, flavor);
                        }
                        return true;
                    }
                }
            }
            args.iter_mut().any(|a| match a {
                Arg::Expr(x) => rename_in_expr(x, pos, to, flavor),
                Arg::Type(_) => false,
            })
        }
        Expr::Member { base, .. } => rename_in_expr(base, pos, to, flavor),
        Expr::Index { base, index, .. } => {
            rename_in_expr(base, pos, to, flavor) || rename_in_expr(index, pos, to, flavor)
        }
        Expr::Unary { e, .. } | Expr::Cast { e, .. } => rename_in_expr(e, pos, to, flavor),
        Expr::Binary { l, r, .. } | Expr::Assign { l, r, .. } => {
            rename_in_expr(l, pos, to, flavor) || rename_in_expr(r, pos, to, flavor)
        }
        Expr::Cond { c, a, b, .. } => {
            rename_in_expr(c, pos, to, flavor)
                || rename_in_expr(a, pos, to, flavor)
                || rename_in_expr(b, pos, to, flavor)
        }
        Expr::Ident { .. } | Expr::Int { .. } | Expr::Sizeof { .. } => false,
    }
}

/// How C names the question's type `id` (`struct task_struct`, `my_t`).
fn c_type(q: &Question<'_>, id: TypeId) -> String {
    let t = q.btf().ty(id);
    let name = q.type_name(id);
    match t.kind() {
        Kind::STRUCT => format!("struct {name}"),
        Kind::UNION => format!("union {name}"),
        Kind::ENUM | Kind::ENUM64 => format!("enum {name}"),
        Kind::FWD if t.kflag() => format!("union {name}"),
        Kind::FWD => format!("struct {name}"),
        _ => name,
    }
}

/// A declaration of member `name` of `container` as `target` has it, in types the
/// compiled-against kernel can name (pointers become `void *`: CO-RE only checks that a
/// pointer is a pointer).
pub(crate) fn member_decl(
    q: &Question<'_>,
    target: &Btf,
    container: &str,
    name: &str,
) -> Option<String> {
    let id = target
        .find_by_name(container)
        .find(|&i| target.ty(i).kind().is_composite())?;
    let found = visible_members(target, id)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t);
    let ty = found?;
    let mut dims = String::new();
    let mut t = ty;
    for _ in 0..8 {
        let x = target.skip_mods_and_typedefs(t);
        if x.kind() != Kind::ARRAY {
            break;
        }
        dims.push_str(&format!("[{}]", x.array().nelems));
        t = x.array().elem;
    }
    let x = target.ty(t);
    let r = target.skip_mods_and_typedefs(t);
    let base = match r.kind() {
        Kind::PTR => return Some(format!("void *{name}{dims}")),
        Kind::INT => builtin_spelling(r.name())?.to_owned(),
        Kind::STRUCT | Kind::UNION | Kind::ENUM | Kind::ENUM64 => {
            // By name, if the compiled-against kernel has it.
            let kw = match r.kind() {
                Kind::STRUCT => "struct",
                Kind::UNION => "union",
                _ => "enum",
            };
            let named = if x.kind() == Kind::TYPEDEF
                && q.kernel().find_by_name(x.name()).next().is_some()
            {
                x.name().to_owned()
            } else if !r.name().is_empty() && q.kernel().find_by_name(r.name()).next().is_some() {
                format!("{kw} {}", r.name())
            } else {
                return None;
            };
            named
        }
        _ => return None,
    };
    Some(format!("{base} {name}{dims}"))
}
