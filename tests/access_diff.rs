//! The differential test of `corelab access` against clang-19: a seeded generator writes
//! random BPF C accesses over a kernel's types, clang compiles them all in one object against
//! the kernel's vmlinux.h (one program per expression), and the CO-RE records clang put in
//! `.BTF.ext` must equal, as a set per program, the records `access` synthesises — kind,
//! root type, access string and libbpf's local spec. Against a second kernel, libbpf's
//! outcome for each record (through `relocate_object` on the compiled object, and through
//! `access::relocate` on the synthesised one) must agree too. Expressions clang rejects
//! must be rejected by `access` as well.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use corelab::access::{self, Local, Question};
use corelab::btf::{Btf, Kind, TypeId};
use corelab::header::{self, IoSink, Options, Profile};
use corelab::object::Object;
use corelab::reloc::{self, find_candidates, Outcome};

use crate::random_btf::Rng;
use crate::tools;

/// One generated question: file-scope definitions, declarations, one expression, each both
/// as `access` reads it and as C.
#[derive(Debug, Clone)]
pub struct Case {
    /// What the case exercises (for the coverage count).
    pub category: &'static str,
    /// `(access part, C text)` pairs: definitions at file scope.
    pub globals: Vec<(String, String)>,
    /// `(access part, C statement)` pairs inside the program.
    pub parts: Vec<(String, String)>,
}

struct Gen<'a> {
    btf: &'a Btf,
    local: &'a Local,
    rng: Rng,
    /// Named structs/unions with C-visible members.
    records: Vec<TypeId>,
    /// Typedefs naming a struct/union directly: struct id → typedef ids.
    typedefs_of: HashMap<TypeId, Vec<TypeId>>,
    /// Named enums, or anonymous ones with a typedef: (enum id, how C names it).
    enums: Vec<(TypeId, String)>,
    /// Structs with bitfield members.
    with_bitfields: Vec<TypeId>,
    /// Named types for the type builtins.
    named: Vec<TypeId>,
    serial: usize,
}

/// C-visible members of a struct/union: (name, type, bitfield).
fn visible_members(btf: &Btf, rec: TypeId) -> Vec<(String, TypeId, bool)> {
    let mut out = Vec::new();
    let mut stack = vec![rec];
    while let Some(r) = stack.pop() {
        for m in btf.ty(r).members() {
            if m.name.is_empty() {
                let t = btf.skip_mods_and_typedefs(m.type_id);
                if t.kind().is_composite() && stack.len() < 16 {
                    stack.push(t.id());
                }
            } else {
                out.push((m.name.to_owned(), m.type_id, m.bitfield_size != 0));
            }
        }
        if out.len() > 4096 {
            break;
        }
    }
    out
}

impl<'a> Gen<'a> {
    fn new(local: &'a Local, seed: u64) -> Self {
        let btf: &Btf = local.btf();
        let mut records = Vec::new();
        let mut typedefs_of: HashMap<TypeId, Vec<TypeId>> = HashMap::new();
        let mut enums = Vec::new();
        let mut with_bitfields = Vec::new();
        let mut named = Vec::new();
        for id in btf.ids() {
            let t = btf.ty(id);
            match t.kind() {
                Kind::STRUCT | Kind::UNION if !t.name().is_empty() && t.vlen() > 0 => {
                    records.push(id);
                    named.push(id);
                    if t.kflag()
                        && t.members()
                            .any(|m| m.bitfield_size != 0 && !m.name.is_empty())
                    {
                        with_bitfields.push(id);
                    }
                }
                Kind::ENUM | Kind::ENUM64 if t.vlen() > 0 && !t.name().is_empty() => {
                    enums.push((id, format!("enum {}", local.type_name(id))));
                    named.push(id);
                }
                Kind::TYPEDEF => {
                    named.push(id);
                    let to = btf.ty(t.type_id());
                    if to.kind().is_composite() && !to.name().is_empty() {
                        typedefs_of.entry(to.id()).or_default().push(id);
                    }
                    if to.kind().is_any_enum() && to.name().is_empty() && to.vlen() > 0 {
                        enums.push((to.id(), local.type_name(id).into_owned()));
                    }
                }
                _ => {}
            }
        }
        Gen {
            btf,
            local,
            rng: Rng::new(seed),
            records,
            typedefs_of,
            enums,
            with_bitfields,
            named,
            serial: 0,
        }
    }

    /// How `vmlinux.h` names type `id` in a declaration (`None` where this generator does
    /// not spell it).
    fn tname(&self, id: TypeId, depth: u32) -> Option<String> {
        if depth > 8 {
            return None;
        }
        let t = self.btf.ty(id);
        Some(match t.kind() {
            Kind::UNKN => "void".into(),
            Kind::STRUCT if !t.name().is_empty() => format!("struct {}", self.local.type_name(id)),
            Kind::UNION if !t.name().is_empty() => format!("union {}", self.local.type_name(id)),
            Kind::ENUM | Kind::ENUM64 if !t.name().is_empty() => {
                format!("enum {}", self.local.type_name(id))
            }
            Kind::FWD => format!(
                "{} {}",
                if t.kflag() { "union" } else { "struct" },
                t.name()
            ),
            Kind::TYPEDEF | Kind::INT => self.local.type_name(id).into_owned(),
            Kind::PTR => format!("{} *", self.tname(t.type_id(), depth + 1)?),
            Kind::CONST => {
                let inner = self.btf.ty(t.type_id());
                if inner.kind() == Kind::PTR {
                    return None;
                }
                format!("const {}", self.tname(t.type_id(), depth + 1)?)
            }
            Kind::TYPE_TAG => self.tname(t.type_id(), depth + 1)?,
            _ => return None,
        })
    }

    /// `T name` / `T name[2][3]`.
    fn decl(&self, id: TypeId, name: &str) -> Option<String> {
        let mut dims = String::new();
        let mut t = id;
        for _ in 0..4 {
            let ty = self.btf.ty(t);
            if ty.kind() != Kind::ARRAY {
                break;
            }
            let a = ty.array();
            if a.nelems == 0 {
                return None;
            }
            let _ = write!(dims, "[{}]", a.nelems);
            t = a.elem;
        }
        if self.btf.ty(t).kind() == Kind::ARRAY {
            return None;
        }
        let base = self.tname(t, 0)?;
        let sep = if base.ends_with('*') { "" } else { " " };
        Some(format!("{base}{sep}{name}{dims}"))
    }

    fn resolve(&self, id: TypeId) -> corelab::btf::Type<'a> {
        self.btf.skip_mods_and_typedefs(id)
    }

    /// A struct/union with visible members that a pointer points to.
    fn pointee_record(&self, ty: TypeId) -> Option<TypeId> {
        let t = self.resolve(ty);
        if t.kind() != Kind::PTR {
            return None;
        }
        let to = self.resolve(t.type_id());
        (to.kind().is_composite() && !to.name().is_empty() && to.vlen() > 0).then(|| to.id())
    }

    /// A member chain from record `rec`: `se.avg.load_avg`, `comm[3]`, `mm->exe_file` (with
    /// `arrow`). Returns the text, the final type and whether it is a bitfield.
    fn field_chain(
        &mut self,
        rec: TypeId,
        arrow: bool,
        max_steps: u32,
    ) -> Option<(String, TypeId, bool)> {
        let members = visible_members(self.btf, rec);
        if members.is_empty() {
            return None;
        }
        let (name, mut ty, mut bf) = members[self.rng.below(members.len() as u32) as usize].clone();
        let mut text = name;
        for _ in 0..max_steps {
            if bf {
                break;
            }
            let t = self.resolve(ty);
            match t.kind() {
                Kind::STRUCT | Kind::UNION if self.rng.chance(55) => {
                    let ms = visible_members(self.btf, t.id());
                    if ms.is_empty() {
                        break;
                    }
                    let (n, mt, mbf) = ms[self.rng.below(ms.len() as u32) as usize].clone();
                    let _ = write!(text, ".{n}");
                    ty = mt;
                    bf = mbf;
                }
                Kind::ARRAY if t.array().nelems > 0 && self.rng.chance(50) => {
                    let a = t.array();
                    let _ = write!(text, "[{}]", self.rng.below(a.nelems));
                    ty = a.elem;
                }
                Kind::PTR if arrow && self.rng.chance(35) => {
                    let Some(r) = self.pointee_record(ty) else {
                        break;
                    };
                    let ms = visible_members(self.btf, r);
                    let (n, mt, mbf) = ms[self.rng.below(ms.len() as u32) as usize].clone();
                    let _ = write!(text, "->{n}");
                    ty = mt;
                    bf = mbf;
                }
                _ => break,
            }
        }
        Some((text, ty, bf))
    }

    /// How the final value is used: scalars are read, aggregates have their address taken.
    fn is_scalar(&self, ty: TypeId) -> bool {
        matches!(
            self.resolve(ty).kind(),
            Kind::INT | Kind::ENUM | Kind::ENUM64 | Kind::PTR
        )
    }

    /// A root: a record and how a pointer to it is declared (`struct S *`, `T *` for a
    /// typedef, `const struct S *`).
    fn root(&mut self, rec: TypeId) -> String {
        if let Some(tds) = self.typedefs_of.get(&rec) {
            if self.rng.chance(20) {
                let td = tds[self.rng.below(tds.len() as u32) as usize];
                return format!("{} *", self.local.type_name(td));
            }
        }
        let base = self.tname(rec, 0).unwrap_or_default();
        if self.rng.chance(8) {
            format!("const {base} *")
        } else {
            format!("{base} *")
        }
    }

    fn var(&self, ty: &str, name: &str) -> (String, String) {
        (format!("{ty}{name}"), format!("{ty}{name} = ctx;"))
    }

    fn expr(&self, e: String) -> (String, String) {
        let c = format!("USE({e});");
        (e, c)
    }

    fn case(&mut self) -> Option<Case> {
        self.serial += 1;
        let pick = self.rng.below(100);
        let rec = self.rng.pick(&self.records);
        match pick {
            0..=24 => {
                let ty = self.root(rec);
                let (chain, fty, bf) = self.field_chain(rec, true, 4)?;
                let index = if self.rng.chance(6) {
                    format!("p[{}].", self.rng.below(4))
                } else {
                    "p->".into()
                };
                let e = format!("{index}{chain}");
                let e = if bf || self.is_scalar(fty) {
                    e
                } else {
                    format!("&{e}")
                };
                Some(Case {
                    category: "direct",
                    globals: vec![],
                    parts: vec![self.var(&ty, "p"), self.expr(e)],
                })
            }
            25..=44 => {
                let ty = self.root(rec);
                let mut args = Vec::new();
                let mut cur = rec;
                let mut last = None;
                for _ in 0..self.rng.range(1, 3) {
                    let (chain, fty, bf) = self.field_chain(cur, false, 3)?;
                    if bf {
                        return None;
                    }
                    args.push(chain);
                    last = Some(fty);
                    match self.pointee_record(fty) {
                        Some(r) if self.rng.chance(60) => cur = r,
                        _ => break,
                    }
                }
                let last = last?;
                let mut parts = vec![self.var(&ty, "p")];
                let e = if self.is_scalar(last) {
                    format!("BPF_CORE_READ(p, {})", args.join(", "))
                } else {
                    parts.push(("char d[8]".into(), "char d[8];".into()));
                    format!("BPF_CORE_READ_INTO(&d, p, {})", args.join(", "))
                };
                parts.push(self.expr(e));
                Some(Case {
                    category: "core_read",
                    globals: vec![],
                    parts,
                })
            }
            45..=64 => {
                let which = self.rng.pick(&[
                    "bpf_core_field_exists",
                    "bpf_core_field_size",
                    "bpf_core_field_offset",
                    "bpf_core_field_signed",
                ]);
                let arrow = self.rng.chance(30);
                let (chain, fty, _) = self.field_chain(rec, arrow, 3)?;
                if which == "bpf_core_field_signed" && !self.is_scalar(fty) {
                    return None;
                }
                if self.rng.chance(40) {
                    let tyname = match self.typedefs_of.get(&rec) {
                        Some(t) if self.rng.chance(30) => self.local.type_name(t[0]).into_owned(),
                        _ => self.tname(rec, 0)?,
                    };
                    Some(Case {
                        category: "field_builtin",
                        globals: vec![],
                        parts: vec![self.expr(format!("{which}({tyname}, {chain})"))],
                    })
                } else {
                    let ty = self.root(rec);
                    Some(Case {
                        category: "field_builtin",
                        globals: vec![],
                        parts: vec![
                            self.var(&ty, "p"),
                            self.expr(format!("{which}(p->{chain})")),
                        ],
                    })
                }
            }
            65..=72 => {
                if self.with_bitfields.is_empty() {
                    return None;
                }
                let rec = self.rng.pick(&self.with_bitfields);
                let bfs: Vec<_> = visible_members(self.btf, rec)
                    .into_iter()
                    .filter(|m| m.2 || (self.rng.chance(10) && self.is_scalar(m.1)))
                    .collect();
                if bfs.is_empty() {
                    return None;
                }
                let (name, _, _) = bfs[self.rng.below(bfs.len() as u32) as usize].clone();
                let ty = self.root(rec);
                let mac = if self.rng.chance(70) {
                    "BPF_CORE_READ_BITFIELD_PROBED"
                } else {
                    "BPF_CORE_READ_BITFIELD"
                };
                // `p` now and then: BPF_CORE_READ_BITFIELD's own `p` hides it.
                let var = if self.rng.chance(15) { "p" } else { "src" };
                Some(Case {
                    category: "bitfield",
                    globals: vec![],
                    parts: vec![
                        self.var(&ty, var),
                        self.expr(format!("{mac}({var}, {name})")),
                    ],
                })
            }
            73..=84 => {
                let id = self.rng.pick(&self.named);
                let which = self.rng.pick(&[
                    "bpf_core_type_exists",
                    "bpf_core_type_size",
                    "bpf_core_type_matches",
                    "bpf_core_type_id_kernel",
                    "bpf_core_type_id_local",
                ]);
                let mut name = self.tname(id, 0)?;
                if which == "bpf_core_type_id_local" && self.rng.chance(40) {
                    name = if self.rng.chance(50) {
                        format!("{name} *")
                    } else {
                        format!("{name}[{}]", self.rng.range(1, 8))
                    };
                    if name.starts_with("void") {
                        return None;
                    }
                }
                Some(Case {
                    category: "type_builtin",
                    globals: vec![],
                    parts: vec![self.expr(format!("{which}({name})"))],
                })
            }
            85..=88 => self.guarded(rec),
            89..=94 => {
                if self.enums.is_empty() {
                    return None;
                }
                let (e, name) =
                    self.enums[self.rng.below(self.enums.len() as u32) as usize].clone();
                let n = self.btf.ty(e).vlen();
                let v = self
                    .local
                    .enumerator_name(e, self.rng.below(n))
                    .into_owned();
                let which = if self.rng.chance(50) {
                    "bpf_core_enum_value"
                } else {
                    "bpf_core_enum_value_exists"
                };
                Some(Case {
                    category: "enum_builtin",
                    globals: vec![],
                    parts: vec![self.expr(format!("{which}({name}, {v})"))],
                })
            }
            95..=96 => self.local_object(rec),
            _ => self.flavor(rec),
        }
    }

    /// A local object of a kernel type (read from memory first), and one of its members:
    /// clang relocates members of any object whose type has `preserve_access_index`.
    fn local_object(&mut self, rec: TypeId) -> Option<Case> {
        let size = self.btf.ty(rec).size();
        if size == 0 || size > 256 {
            return None;
        }
        let ty = self.tname(rec, 0)?;
        let (chain, fty, bf) = self.field_chain(rec, false, 3)?;
        let e = if bf || self.is_scalar(fty) {
            format!("v.{chain}")
        } else {
            format!("&v.{chain}")
        };
        Some(Case {
            category: "local_object",
            globals: vec![],
            parts: vec![
                (format!("{ty} v"), format!("{ty} v;")),
                (
                    "bpf_probe_read_kernel(&v, sizeof(v), ctx)".into(),
                    "bpf_probe_read_kernel(&v, sizeof(v), ctx);".into(),
                ),
                self.expr(e),
            ],
        })
    }

    /// The common guard shapes around a read (`if`, `?:`, `&&`), and the `bpf_core_read`
    /// family with its `__builtin_preserve_access_index`.
    fn guarded(&mut self, rec: TypeId) -> Option<Case> {
        let ty = self.root(rec);
        let (chain, fty, bf) = self.field_chain(rec, false, 3)?;
        if bf {
            return None;
        }
        let read = if self.is_scalar(fty) {
            format!("p->{chain}")
        } else {
            format!("&p->{chain}")
        };
        let exists = format!("bpf_core_field_exists(p->{chain})");
        let (access, c) = match self.rng.below(4) {
            0 => (
                format!("if ({exists}) x = {read}"),
                format!("if ({exists}) x = (unsigned long)({read}); USE(x);"),
            ),
            1 => (
                format!("{exists} ? {read} : 0"),
                format!("USE({exists} ? (unsigned long)({read}) : 0);"),
            ),
            2 => (
                format!("bpf_core_read(&x, sizeof(x), &p->{chain})"),
                format!("bpf_core_read(&x, sizeof(x), &p->{chain}); USE(x);"),
            ),
            _ => (
                format!("__builtin_preserve_access_index(&p->{chain})"),
                format!("USE(__builtin_preserve_access_index(&p->{chain}));"),
            ),
        };
        Some(Case {
            category: "guarded",
            globals: vec![],
            parts: vec![
                self.var(&ty, "p"),
                ("unsigned long x".into(), "unsigned long x = 0;".into()),
                (access, c),
            ],
        })
    }

    /// A flavor of `rec` declared by the question: some of its members, maybe reordered.
    fn flavor(&mut self, rec: TypeId) -> Option<Case> {
        let t = self.btf.ty(rec);
        let kw = if t.kind() == Kind::UNION {
            "union"
        } else {
            "struct"
        };
        let mut members: Vec<(String, String)> = t
            .members()
            .filter(|m| !m.name.is_empty() && m.bitfield_size == 0)
            .filter_map(|m| Some((m.name.to_owned(), self.decl(m.type_id, m.name)?)))
            .collect();
        if members.is_empty() {
            return None;
        }
        let keep = self.rng.range(1, members.len().min(5) as u32) as usize;
        let mut chosen = Vec::new();
        for _ in 0..keep {
            let i = self.rng.below(members.len() as u32) as usize;
            chosen.push(members.remove(i));
        }
        if self.rng.chance(50) {
            chosen.reverse();
        }
        let fname = format!("{}___f{}", self.local.type_name(rec), self.serial);
        let body: String = chosen.iter().map(|(_, d)| format!("{d}; ")).collect();
        let def = format!("{kw} {fname} {{ {body}}} __attribute__((preserve_access_index));");
        let (m, _) = chosen[self.rng.below(chosen.len() as u32) as usize].clone();
        let e = match self.rng.below(5) {
            0 => format!("bpf_core_field_exists({kw} {fname}, {m})"),
            1 => format!("bpf_core_type_exists({kw} {fname})"),
            2 => format!("bpf_core_type_matches({kw} {fname})"),
            3 => format!("&(({kw} {fname} *)p)->{m}"),
            _ => format!("bpf_core_field_offset((({kw} {fname} *)p)->{m})"),
        };
        let ty = self.tname(rec, 0)?;
        Some(Case {
            category: "flavor",
            globals: vec![(def.clone(), def)],
            parts: vec![self.var(&format!("{ty} *"), "p"), self.expr(e)],
        })
    }
}

/// `n` cases over the kernel `local`, from `seed`.
pub fn generate(local: &Local, seed: u64, n: usize) -> Vec<Case> {
    let mut g = Gen::new(local, seed);
    let mut out = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n && tries < n * 50 {
        tries += 1;
        if let Some(c) = g.case() {
            out.push(c);
        }
    }
    out
}

/// What the run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Cases generated.
    pub cases: usize,
    /// Cases clang compiled.
    pub compiled: usize,
    /// Cases clang rejected, and of those, how many `access` rejected too.
    pub clang_rejected: usize,
    /// Of the rejected ones, rejected by `access` as well.
    pub both_rejected: usize,
    /// Compiled cases whose record sets are equal.
    pub equal: usize,
    /// Records compared (clang's, distinct per program).
    pub records: usize,
    /// Kinds seen in clang's records.
    pub kinds: BTreeSet<String>,
    /// Categories of the compiled cases.
    pub categories: BTreeMap<&'static str, usize>,
    /// Records whose outcome on the other kernel was compared, and equal.
    pub outcomes_compared: usize,
    /// Of those, equal.
    pub outcomes_equal: usize,
    /// What differed.
    pub mismatches: Vec<String>,
    /// Cases clang crashed on (a fatal error in its BPF backend), with its message.
    pub clang_crashes: Vec<String>,
}

const PRELUDE: &str = "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n\
#include <bpf/bpf_core_read.h>\n\
#ifndef bpf_core_field_signed\n\
#define bpf_core_field_signed(field...) __builtin_preserve_field_info(___bpf_field_ref(field), BPF_FIELD_SIGNED)\n\
#endif\n\
#define USE(x) do { volatile unsigned long __v = (unsigned long)(x); (void)__v; } while (0)\n";

/// The C file: each case's globals and program on a line of its own (`line` → case).
fn c_file(cases: &[Case], skip: &BTreeSet<usize>) -> (String, HashMap<usize, usize>) {
    let mut s = String::from(PRELUDE);
    let mut line_of = HashMap::new();
    let mut line = PRELUDE.lines().count() + 1;
    for (i, c) in cases.iter().enumerate() {
        if skip.contains(&i) {
            continue;
        }
        for (_, g) in &c.globals {
            s.push_str(g);
            s.push('\n');
            line_of.insert(line, i);
            line += 1;
        }
        let body: String = c.parts.iter().map(|(_, c)| format!("{c} ")).collect();
        let _ = writeln!(
            s,
            "SEC(\"tp/e{i}\") int e{i}(void *ctx) {{ {body}return 0; }}"
        );
        line_of.insert(line, i);
        line += 1;
    }
    s.push_str("char LICENSE[] SEC(\"license\") = \"GPL\";\n");
    (s, line_of)
}

/// A record as a comparable tuple: kind, root kind and name, access string, local spec text
/// without the local type id.
type Key = (String, String, String, String);

fn strip_id(fmt: &str) -> String {
    // `<byte_off> [5] struct task_struct.pid (0:83 @ offset 2416)` → without `[5] `.
    match (fmt.find("> ["), fmt.find("] ")) {
        (Some(a), Some(b)) if b > a => format!("{}{}", &fmt[..a + 2], &fmt[b + 2..]),
        _ => fmt.to_owned(),
    }
}

/// Runs the cases: compile with clang against `local`'s vmlinux.h (profile bpftool-7.1, as
/// www/samples/build.sh), compare with `access`; outcomes compared on `other`.
pub fn run(local: &Local, other: &Btf, cases: &[Case], work: &Path) -> Option<Report> {
    let clang = tools::find("clang-19")?;
    let mut h = Vec::new();
    header::write(
        local.btf(),
        &Options {
            profile: Profile::Bpftool71,
            roots: Vec::new(),
        },
        &mut IoSink::new(&mut h, std::io::sink()),
    )
    .ok()?;
    std::fs::create_dir_all(work).ok()?;
    std::fs::write(work.join("vmlinux.h"), h).ok()?;
    let mut report = Report {
        cases: cases.len(),
        ..Report::default()
    };
    let mut skip = BTreeSet::new();
    let obj_bytes = loop {
        let (src, line_of) = c_file(cases, &skip);
        std::fs::write(work.join("gen.bpf.c"), &src).ok()?;
        let (code, _, err) = tools::run(
            Command::new(&clang)
                .current_dir(work)
                .args([
                    "-g",
                    "-O2",
                    "-target",
                    "bpf",
                    "-D__TARGET_ARCH_x86",
                    "-I.",
                    "-c",
                ])
                .args(["gen.bpf.c", "-o", "gen.bpf.o"]),
        );
        let err = String::from_utf8_lossy(&err);
        let mut bad: BTreeSet<usize> = err
            .lines()
            .filter(|l| l.starts_with("gen.bpf.c:") && l.contains(": error:"))
            .filter_map(|l| l.split(':').nth(1)?.parse::<usize>().ok())
            .filter_map(|line| line_of.get(&line).copied())
            .collect();
        // A crash in the backend names the function it was compiling.
        if let Some(f) = err.lines().find_map(|l| l.split("on function \"e").nth(1)) {
            if let Ok(i) = f.trim_end_matches('"').parse::<usize>() {
                let why = err
                    .lines()
                    .find(|l| l.contains("fatal error"))
                    .unwrap_or("crash");
                report.clang_crashes.push(format!("e{i}: {why}"));
                bad.insert(i);
            }
        }
        if code == 0 {
            break std::fs::read(work.join("gen.bpf.o")).ok()?;
        }
        if bad.is_empty() {
            report
                .mismatches
                .push(format!("clang failed without a located error:\n{err}"));
            return Some(report);
        }
        skip.extend(bad);
    };
    let obj = Object::parse(&obj_bytes).expect("clang's object parses");
    let rel_local = reloc::relocate_object(&obj, local.btf());
    let rel_other = reloc::relocate_object(&obj, other);
    let obj_btf = obj.btf.as_ref().expect("the object has BTF");
    // Clang's records per program, with their outcome on `other`.
    let mut clang: HashMap<String, BTreeSet<Key>> = HashMap::new();
    let mut clang_outcome: HashMap<(String, Key), BTreeSet<String>> = HashMap::new();
    for (r, o) in rel_local.records.iter().zip(&rel_other.records) {
        let t = obj_btf.ty(r.relo.type_id);
        let fmt = r
            .processed
            .as_ref()
            .and_then(|p| p.resolution.as_ref())
            .and_then(|res| res.local_spec.as_ref())
            .map(|s| strip_id(&s.format()))
            .unwrap_or_default();
        let key = (
            r.kind.log_name().to_owned(),
            format!("{} {}", t.kind().lower_name(), t.name()),
            r.access.unwrap_or("").to_owned(),
            fmt,
        );
        report.kinds.insert(r.kind.log_name().to_owned());
        // Pruning of the shared candidate cache makes outcomes depend on other programs
        // where a root has several candidates: those are not compared.
        let single = find_candidates(obj_btf, r.relo.type_id, &reloc::Target::kernel(other))
            .map_or(true, |c| c.cands.len() <= 1);
        if single {
            clang_outcome
                .entry((r.sec.to_owned(), key.clone()))
                .or_default()
                .insert(outcome_text(o.outcome, o.processed.as_ref()));
        }
        clang.entry(r.sec.to_owned()).or_default().insert(key);
    }
    for (i, c) in cases.iter().enumerate() {
        let mut q = Question::new(local).expect("a question");
        let mut err = None;
        for (part, _) in c.globals.iter().chain(&c.parts) {
            if let Err(e) = q.add(part) {
                err = Some(format!("{part}: {}", e.error.describe(part)));
                break;
            }
        }
        let text = c
            .globals
            .iter()
            .chain(&c.parts)
            .map(|(a, _)| a.as_str())
            .collect::<Vec<_>>()
            .join(" | ");
        if skip.contains(&i) {
            report.clang_rejected += 1;
            match err {
                Some(_) => report.both_rejected += 1,
                None => report
                    .mismatches
                    .push(format!("e{i}: clang rejects, access accepts: {text}")),
            }
            continue;
        }
        report.compiled += 1;
        *report.categories.entry(c.category).or_default() += 1;
        if let Some(e) = err {
            report.mismatches.push(format!(
                "e{i}: access rejects what clang compiles: {text}: {e}"
            ));
            continue;
        }
        let sec = format!("tp/e{i}");
        let lobj = q.object().expect("object BTF");
        let mut mine: BTreeSet<Key> = BTreeSet::new();
        let processed = access::relocate(&lobj.btf, &lobj.records, other);
        let mut mine_outcome: HashMap<Key, String> = HashMap::new();
        for (k, r) in lobj.records.iter().enumerate() {
            let t = lobj.btf.btf.ty(r.root);
            let fmt = access::local_spec(&lobj.btf, r, k)
                .map(|s| strip_id(&s.format()))
                .unwrap_or_default();
            let key = (
                r.kind.log_name().to_owned(),
                format!("{} {}", t.kind().lower_name(), t.name()),
                r.access.clone(),
                fmt,
            );
            mine_outcome.insert(
                key.clone(),
                outcome_text(processed[k].outcome, Some(&processed[k])),
            );
            mine.insert(key);
        }
        let theirs = clang.get(&sec).cloned().unwrap_or_default();
        report.records += theirs.len();
        if theirs == mine {
            report.equal += 1;
        } else {
            let only_clang: Vec<_> = theirs.difference(&mine).collect();
            let only_mine: Vec<_> = mine.difference(&theirs).collect();
            report.mismatches.push(format!(
                "e{i}: {text}\n    clang only: {only_clang:?}\n    access only: {only_mine:?}"
            ));
            continue;
        }
        for key in &mine {
            let Some(theirs) = clang_outcome.get(&(sec.clone(), key.clone())) else {
                continue;
            };
            report.outcomes_compared += 1;
            let m = &mine_outcome[key];
            // A record clang emits twice (a load and an address computation) may have two
            // outcomes; `access` stands for the stricter one.
            if theirs.contains(m) {
                report.outcomes_equal += 1;
            } else {
                report.mismatches.push(format!(
                    "e{i}: outcome of {key:?}: clang's object {theirs:?}, access {m}: {text}"
                ));
            }
        }
    }
    Some(report)
}

fn outcome_text(o: Outcome, p: Option<&reloc::Processed<'_>>) -> String {
    // Local type ids are the object's own numbering: not comparable.
    let local_id = p
        .and_then(|p| p.resolution.as_ref())
        .and_then(|r| r.local_spec.as_ref())
        .is_some_and(|s| s.kind == reloc::RelocKind::TYPE_ID_LOCAL);
    let val = p
        .filter(|_| !local_id)
        .and_then(|p| p.resolution.as_ref())
        .and_then(|r| r.result.as_ref().ok())
        .map(|r| format!(" {}", r.new_val))
        .unwrap_or_default();
    match o {
        Outcome::Patched => format!("patched{val}"),
        Outcome::Poisoned(c) => format!("poisoned {c:?}"),
        Outcome::Error(ph, e) => format!("error {ph:?} {}", e.0),
        other => other.name().to_owned(),
    }
}

/// Loads a kernel of `tests/data/btf` as a [`Local`] (names as bpftool 7.1's vmlinux.h).
pub fn local_kernel(bytes: &[u8]) -> Local {
    let btf = corelab::input::load_btf(bytes, None)
        .expect("kernel BTF")
        .btf;
    Local::new(Arc::new(btf), Profile::Bpftool71)
}

impl Report {
    /// One paragraph of figures.
    pub fn summary(&self) -> String {
        format!(
            "{} cases: {} compiled by clang ({} rejected by clang, {} of them by access too); \
             {} with equal record sets ({} records); outcomes on the other kernel: {}/{} equal; \
             kinds: {}; categories: {:?}",
            self.cases,
            self.compiled,
            self.clang_rejected,
            self.both_rejected,
            self.equal,
            self.records,
            self.outcomes_equal,
            self.outcomes_compared,
            self.kinds.iter().cloned().collect::<Vec<_>>().join(" "),
            self.categories
        )
    }
}
