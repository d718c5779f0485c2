//! The cross-build index: for every name (type, function, variable, enumerator) and every
//! member of every named struct, union and enum, what each build says about it — grouped
//! into runs of builds (in catalogue order) that say the same. A where-query reads one shard
//! and never rebuilds a BTF.
//!
//! Keys are sharded by a hash of the top-level name, so a query fetches one shard (or one
//! per type it follows through a by-value member). A shard, before compression:
//!
//! ```text
//! builds                       (varint: how many builds each run list covers)
//! strings   count, each len-prefixed UTF-8
//! answers   count, each: fact count, facts (tag u8 + varints; strings by index)
//! entries   count, each: namespace u8, name, own runs, member count, each: name, runs
//! runs      count, each: answer + 1 (0: the build has no such name), build count
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::cursor::{Cursor, Sink};
use crate::btf::{Btf, Kind};
use crate::diff::{fields_of_with, type_string};
use crate::error::{Error, Result};

/// One thing a build says about a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fact {
    /// A type (or function, variable) of that name.
    Type {
        /// Its BTF kind.
        kind: Kind,
        /// Its size in bytes, for kinds that have one.
        size: Option<u32>,
        /// What it is, where the kind and name do not say it: a typedef's target or a
        /// variable's type (empty otherwise; functions' signatures are not indexed).
        spelling: String,
    },
    /// A member (a field path through anonymous members, `u.a` for a named member of an
    /// anonymous type) of a struct or union.
    Member {
        /// Offset from the start of the outer type, in bits.
        bit_offset: u32,
        /// Size in bits (a bitfield's width, else 8 × the type's size).
        bit_size: u32,
        /// Whether it is a bitfield.
        bitfield: bool,
        /// Its type, spelled as C does.
        ty: String,
    },
    /// An enumerator.
    Enumerator {
        /// Its value (sign-extended from 32 bits for a signed 32-bit enum).
        value: u64,
        /// Whether the enum is signed.
        signed: bool,
        /// The enum, `enum bpf_map_type` (`enum (anonymous)` for an anonymous one).
        enum_name: String,
        /// The enum's size in bytes.
        size: u32,
    },
}

impl Fact {
    /// The fact as the CLI and the playground show it: `offset 24 (0x18)  size 4  unsigned
    /// int`, `bit offset 3  bits 1  unsigned int`, `= 27  enum bpf_map_type (size 4)`,
    /// `struct  size 9792`.
    pub fn describe(&self) -> String {
        use std::fmt::Write as _;
        match self {
            Fact::Type {
                kind,
                size,
                spelling,
            } => {
                let mut s = kind.lower_name().to_owned();
                if let Some(size) = size {
                    let _ = write!(s, "  size {size}");
                }
                if !spelling.is_empty() {
                    let _ = write!(s, "  {spelling}");
                }
                s
            }
            Fact::Member {
                bit_offset,
                bit_size,
                bitfield,
                ty,
            } => {
                if *bitfield || bit_offset % 8 != 0 {
                    format!("bit offset {bit_offset}  bits {bit_size}  {ty}")
                } else {
                    format!(
                        "offset {} ({:#x})  size {}  {ty}",
                        bit_offset / 8,
                        bit_offset / 8,
                        bit_size / 8
                    )
                }
            }
            Fact::Enumerator {
                value,
                signed,
                enum_name,
                size,
            } => {
                let v = if *signed {
                    (*value as i64).to_string()
                } else {
                    value.to_string()
                };
                format!("= {v}  {enum_name} (size {size})")
            }
        }
    }

    /// The type a query follows through this member (`struct sched_entity` → the struct
    /// named `sched_entity`): its name, for a by-value struct/union member or a typedef's
    /// name.
    fn follow(&self) -> Option<&str> {
        let ty = match self {
            Fact::Member { ty, .. } => ty.as_str(),
            Fact::Type {
                kind: Kind::TYPEDEF,
                spelling,
                ..
            } => spelling.as_str(),
            _ => return None,
        };
        let ty = ty.strip_prefix("const ").unwrap_or(ty);
        let ty = ty.strip_prefix("volatile ").unwrap_or(ty);
        let name = ty
            .strip_prefix("struct ")
            .or_else(|| ty.strip_prefix("union "))
            .unwrap_or(ty);
        let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        (plain && !name.is_empty()).then_some(name)
    }
}

/// Namespaces of index keys.
const NS_TYPE: u8 = 0;
const NS_ENUMERATOR: u8 = 1;

/// Most facts kept for one key in one build (duplicated names are rare in a kernel).
const MAX_FACTS: usize = 8;
/// Most members followed in one query path.
pub const MAX_PATH: usize = 16;

/// The facts one build states, by key.
#[derive(Debug, Default)]
struct BuildFacts {
    own: Vec<Fact>,
    members: BTreeMap<String, Vec<Fact>>,
}

fn push_fact(v: &mut Vec<Fact>, f: Fact) {
    if v.len() < MAX_FACTS && !v.contains(&f) {
        v.push(f);
    }
}

/// What one build says about every name, keyed by (namespace, name).
fn facts_of(btf: &Btf) -> HashMap<(u8, String), BuildFacts> {
    let mut out: HashMap<(u8, String), BuildFacts> = HashMap::new();
    let mut spelled: HashMap<u32, String> = HashMap::new();
    for id in btf.ids() {
        let t = btf.ty(id);
        let kind = t.kind();
        let indexed = matches!(
            kind,
            Kind::STRUCT
                | Kind::UNION
                | Kind::ENUM
                | Kind::ENUM64
                | Kind::TYPEDEF
                | Kind::FWD
                | Kind::FUNC
                | Kind::VAR
                | Kind::INT
                | Kind::FLOAT
                | Kind::DATASEC
        );
        if kind.is_any_enum() {
            let enum_name = if t.is_named() {
                format!("enum {}", t.name())
            } else {
                "enum (anonymous)".to_owned()
            };
            for v in t.enum_values() {
                let fact = Fact::Enumerator {
                    value: if t.kflag() {
                        v.sign_extended()
                    } else {
                        v.raw()
                    },
                    signed: t.kflag(),
                    enum_name: enum_name.clone(),
                    size: t.size(),
                };
                let e = out.entry((NS_ENUMERATOR, v.name.to_owned())).or_default();
                push_fact(&mut e.own, fact.clone());
                if t.is_named() {
                    let e = out.entry((NS_TYPE, t.name().to_owned())).or_default();
                    push_fact(e.members.entry(v.name.to_owned()).or_default(), fact);
                }
            }
        }
        if !indexed || !t.is_named() {
            continue;
        }
        let (size, spelling) = match kind {
            Kind::TYPEDEF => (btf.resolve_size(id).ok(), type_string(btf, t.type_id())),
            Kind::VAR => (btf.resolve_size(id).ok(), type_string(btf, t.type_id())),
            // Signatures are left out: they are most of the index's size (60,000 functions
            // per build, their prototypes differing across series), and a rebuilt build
            // has them.
            Kind::FUNC => (None, String::new()),
            Kind::FWD => (None, String::new()),
            _ => (Some(t.size()), String::new()),
        };
        let e = out.entry((NS_TYPE, t.name().to_owned())).or_default();
        push_fact(
            &mut e.own,
            Fact::Type {
                kind,
                size,
                spelling,
            },
        );
        if kind.is_composite() {
            let mut spell = |id: crate::btf::TypeId| {
                spelled
                    .entry(id.0)
                    .or_insert_with(|| type_string(btf, id))
                    .clone()
            };
            for f in fields_of_with(btf, &t, &mut spell) {
                push_fact(
                    e.members.entry(f.path).or_default(),
                    Fact::Member {
                        bit_offset: f.bit_offset,
                        bit_size: f.bit_size,
                        bitfield: f.bitfield,
                        ty: f.ty,
                    },
                );
            }
        }
    }
    for e in out.values_mut() {
        e.own.sort();
        for m in e.members.values_mut() {
            m.sort();
        }
    }
    out
}

/// Runs over builds, as they accumulate.
#[derive(Debug, Default, Clone)]
struct Runs {
    runs: Vec<(u32, u32)>, // (answer + 1, length)
    covered: u32,
}

impl Runs {
    fn push(&mut self, build: u32, answer: u32) {
        if self.covered < build {
            self.extend(0, build - self.covered);
        }
        self.extend(answer + 1, 1);
    }
    fn extend(&mut self, a: u32, n: u32) {
        match self.runs.last_mut() {
            Some((last, len)) if *last == a => *len += n,
            _ => self.runs.push((a, n)),
        }
        self.covered += n;
    }
    fn finish(&mut self, builds: u32) {
        if self.covered < builds {
            self.extend(0, builds - self.covered);
        }
    }
}

#[derive(Debug, Default)]
struct EntryRuns {
    own: Runs,
    members: BTreeMap<String, Runs>,
}

/// Accumulates the index over builds added in catalogue order (the packer's side).
#[derive(Debug, Default)]
pub(crate) struct IndexBuilder {
    builds: u32,
    entries: HashMap<(u8, String), EntryRuns>,
    answers: HashMap<Vec<Fact>, u32>,
    answer_list: Vec<Vec<Fact>>,
}

impl IndexBuilder {
    fn intern(&mut self, facts: Vec<Fact>) -> u32 {
        if let Some(&a) = self.answers.get(&facts) {
            return a;
        }
        let a = self.answer_list.len() as u32;
        self.answer_list.push(facts.clone());
        self.answers.insert(facts, a);
        a
    }

    /// Adds the next build.
    pub fn add(&mut self, btf: &Btf) {
        let b = self.builds;
        for (key, facts) in facts_of(btf) {
            let own = (!facts.own.is_empty()).then(|| self.intern(facts.own));
            let members: Vec<(String, u32)> = facts
                .members
                .into_iter()
                .map(|(m, f)| {
                    let a = self.intern(f);
                    (m, a)
                })
                .collect();
            let e = self.entries.entry(key).or_default();
            if let Some(a) = own {
                e.own.push(b, a);
            }
            for (m, a) in members {
                e.members.entry(m).or_default().push(b, a);
            }
        }
        self.builds += 1;
    }

    /// The shards, uncompressed.
    pub fn shards(mut self, count: usize) -> Vec<Vec<u8>> {
        let builds = self.builds;
        let mut keys: Vec<(u8, String)> = self.entries.keys().cloned().collect();
        keys.sort();
        let mut per_shard: Vec<Vec<(u8, String)>> = vec![Vec::new(); count];
        for k in keys {
            per_shard[shard_of(&k.1, count)].push(k);
        }
        per_shard
            .into_iter()
            .map(|keys| {
                let mut strings = Interner::default();
                let mut answers: HashMap<u32, u32> = HashMap::new();
                let mut answer_order: Vec<u32> = Vec::new();
                let mut body = Sink::default();
                body.var(keys.len() as u64);
                for key in &keys {
                    let e = self.entries.get_mut(key).expect("key listed from the map");
                    body.out.push(key.0);
                    body.var(strings.id(&key.1) as u64);
                    let mut put = |runs: &mut Runs, body: &mut Sink| {
                        runs.finish(builds);
                        body.var(runs.runs.len() as u64);
                        for &(a, n) in &runs.runs {
                            let local = if a == 0 {
                                0
                            } else {
                                let next = answer_order.len() as u32;
                                *answers.entry(a - 1).or_insert_with(|| {
                                    answer_order.push(a - 1);
                                    next
                                }) + 1
                            };
                            body.var(local as u64);
                            body.var(n as u64);
                        }
                    };
                    put(&mut e.own, &mut body);
                    body.var(e.members.len() as u64);
                    for (m, runs) in e.members.iter_mut() {
                        body.var(strings.id(m) as u64);
                        put(runs, &mut body);
                    }
                }
                let mut facts = Sink::default();
                facts.var(answer_order.len() as u64);
                for &a in &answer_order {
                    let list = &self.answer_list[a as usize];
                    facts.var(list.len() as u64);
                    for f in list {
                        encode_fact(f, &mut strings, &mut facts);
                    }
                }
                let mut out = Sink::default();
                out.var(builds as u64);
                out.var(strings.list.len() as u64);
                for s in &strings.list {
                    out.str(s);
                }
                out.bytes(&facts.out);
                out.bytes(&body.out);
                out.out
            })
            .collect()
    }
}

#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    list: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(s.to_owned());
        self.ids.insert(s.to_owned(), i);
        i
    }
}

fn encode_fact(f: &Fact, strings: &mut Interner, s: &mut Sink) {
    match f {
        Fact::Type {
            kind,
            size,
            spelling,
        } => {
            s.out.push(0);
            s.out.push(kind.0);
            s.var(size.map_or(0, |v| v as u64 + 1));
            s.var(strings.id(spelling) as u64);
        }
        Fact::Member {
            bit_offset,
            bit_size,
            bitfield,
            ty,
        } => {
            s.out.push(if *bitfield { 2 } else { 1 });
            s.var(*bit_offset as u64);
            s.var(*bit_size as u64);
            s.var(strings.id(ty) as u64);
        }
        Fact::Enumerator {
            value,
            signed,
            enum_name,
            size,
        } => {
            s.out.push(if *signed { 4 } else { 3 });
            s.var(*value);
            s.var(strings.id(enum_name) as u64);
            s.var(*size as u64);
        }
    }
}

/// The shard holding `name`'s keys among `count` shards.
pub fn shard_of(name: &str, count: usize) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for &b in name.as_bytes() {
        h = (h ^ b as u32).wrapping_mul(0x0100_0193);
    }
    (h as usize) % count.max(1)
}

/// A run of consecutive builds (catalogue order) that say the same about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// First build of the run.
    pub first: u32,
    /// Number of builds.
    pub len: u32,
    /// What they say (empty: they do not have the name).
    pub facts: Arc<Vec<Fact>>,
}

#[derive(Debug, Clone)]
struct Entry {
    own: Vec<Run>,
    members: HashMap<String, Vec<Run>>,
}

/// A decoded index shard.
#[derive(Debug, Clone)]
pub struct Shard {
    builds: u32,
    entries: HashMap<(u8, String), Entry>,
}

/// Most strings, answers, entries or runs in one shard.
const MAX_SHARD_ITEMS: u64 = 1 << 22;

impl Shard {
    /// Decodes a (decompressed) shard of an archive of `builds` builds.
    pub fn parse(data: &[u8], builds: u32) -> Result<Shard> {
        let mut c = Cursor::new(data);
        let at = c.pos();
        if c.var("shard build count")? != builds as u64 {
            return Err(Error::malformed(
                at,
                "shard covers another number of builds",
            ));
        }
        let n = c.var_max("shard string count", MAX_SHARD_ITEMS)? as usize;
        let mut strings = Vec::with_capacity(n.min(c.remaining()));
        for _ in 0..n {
            strings.push(c.str("shard string", 1 << 16)?.to_owned());
        }
        let string = |c: &mut Cursor, what| -> Result<String> {
            let at = c.pos();
            let i = c.var(what)? as usize;
            strings
                .get(i)
                .cloned()
                .ok_or_else(|| Error::malformed(at, format!("{what}: string {i} out of range")))
        };
        let n = c.var_max("shard answer count", MAX_SHARD_ITEMS)? as usize;
        let mut answers = Vec::with_capacity(n.min(c.remaining()));
        for _ in 0..n {
            let k = c.var_max("fact count", MAX_FACTS as u64)? as usize;
            let mut facts = Vec::with_capacity(k);
            for _ in 0..k {
                let at = c.pos();
                facts.push(match c.u8("fact tag")? {
                    0 => {
                        let kind = Kind(c.u8("fact kind")?);
                        let size = c.var("fact size")?;
                        let size = match size {
                            0 => None,
                            s => Some(
                                u32::try_from(s - 1)
                                    .map_err(|_| Error::malformed(at, "fact size out of range"))?,
                            ),
                        };
                        Fact::Type {
                            kind,
                            size,
                            spelling: string(&mut c, "fact spelling")?,
                        }
                    }
                    t @ (1 | 2) => Fact::Member {
                        bit_offset: c.var_max("member offset", u32::MAX as u64)?,
                        bit_size: c.var_max("member size", u32::MAX as u64)?,
                        bitfield: t == 2,
                        ty: string(&mut c, "member type")?,
                    },
                    t @ (3 | 4) => Fact::Enumerator {
                        value: c.var("enumerator value")?,
                        signed: t == 4,
                        enum_name: string(&mut c, "enum name")?,
                        size: c.var_max("enum size", u32::MAX as u64)?,
                    },
                    t => return Err(Error::malformed(at, format!("unknown fact tag {t}"))),
                });
            }
            answers.push(Arc::new(facts));
        }
        let none = Arc::new(Vec::new());
        let runs = |c: &mut Cursor| -> Result<Vec<Run>> {
            let n = c.var_max("run count", builds as u64)? as usize;
            let mut out = Vec::with_capacity(n);
            let mut first = 0u32;
            for _ in 0..n {
                let at = c.pos();
                let a = c.var("run answer")? as usize;
                let len = c.var_max("run length", builds as u64)?;
                let facts = match a {
                    0 => none.clone(),
                    a => answers.get(a - 1).cloned().ok_or_else(|| {
                        Error::malformed(at, format!("run answer {a} out of range"))
                    })?,
                };
                if len == 0 || first as u64 + len as u64 > builds as u64 {
                    return Err(Error::malformed(at, "runs do not cover the builds exactly"));
                }
                out.push(Run { first, len, facts });
                first += len;
            }
            if first != builds {
                return Err(c.error("runs do not cover the builds exactly"));
            }
            Ok(out)
        };
        let n = c.var_max("entry count", MAX_SHARD_ITEMS)? as usize;
        let mut entries = HashMap::with_capacity(n.min(c.remaining()));
        for _ in 0..n {
            let ns = c.u8("entry namespace")?;
            let name = string(&mut c, "entry name")?;
            let own = runs(&mut c)?;
            let m = c.var_max("member count", MAX_SHARD_ITEMS)? as usize;
            let mut members = HashMap::with_capacity(m.min(c.remaining()));
            for _ in 0..m {
                let member = string(&mut c, "member name")?;
                members.insert(member, runs(&mut c)?);
            }
            entries.insert((ns, name), Entry { own, members });
        }
        if !c.at_end() {
            return Err(c.error("bytes after the shard"));
        }
        Ok(Shard { builds, entries })
    }
}

impl Shard {
    /// How many builds the shard covers.
    pub fn builds(&self) -> u32 {
        self.builds
    }

    /// What build `b` says about the type, function or variable `name` (empty: it has
    /// none). Facts equal in every field are stored once, so two same-sized structs of one
    /// name in a build read as one.
    pub fn type_facts(&self, name: &str, b: u32) -> &[Fact] {
        self.entries
            .get(&(NS_TYPE, name.to_owned()))
            .map_or(&[], |e| facts_at(&e.own, b))
    }

    /// What build `b` says about member `path` (anonymous members lifted, `u.a` below a
    /// named member of anonymous type; an enum's enumerators) of the type `name`.
    pub fn member_facts(&self, name: &str, path: &str, b: u32) -> &[Fact] {
        self.entries
            .get(&(NS_TYPE, name.to_owned()))
            .and_then(|e| e.members.get(path))
            .map_or(&[], |runs| facts_at(runs, b))
    }

    /// Whether build `b` shows several different types named `name`: different type facts
    /// of one kind, or a member (enumerator) with different facts. Copies that differ only
    /// in which members they have do not show.
    pub fn shows_several(&self, name: &str, b: u32) -> bool {
        let Some(e) = self.entries.get(&(NS_TYPE, name.to_owned())) else {
            return false;
        };
        let own = facts_at(&e.own, b);
        let several_of_a_kind = own.iter().enumerate().any(|(i, f)| {
            own[i + 1..].iter().any(|g| match (f, g) {
                (Fact::Type { kind: k1, .. }, Fact::Type { kind: k2, .. }) => k1 == k2,
                _ => false,
            })
        });
        several_of_a_kind || e.members.values().any(|runs| facts_at(runs, b).len() > 1)
    }

    /// The names of types, functions and variables the shard holds (in no particular order).
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.entries
            .keys()
            .filter(|(ns, _)| *ns == NS_TYPE)
            .map(|(_, name)| name.as_str())
    }

    /// The member paths of the type `name` that build `b` has (in no particular order).
    pub fn member_paths(&self, name: &str, b: u32) -> Vec<&str> {
        self.entries
            .get(&(NS_TYPE, name.to_owned()))
            .map_or_else(Vec::new, |e| {
                e.members
                    .iter()
                    .filter(|(_, runs)| !facts_at(runs, b).is_empty())
                    .map(|(path, _)| path.as_str())
                    .collect()
            })
    }
}

/// Gives decoded shards to a query (the CLI decodes from the file; a page from what it
/// fetched, reporting a shard it does not have yet as an error naming it).
pub trait ShardSource {
    /// The shard `index` (of the archive's shard list).
    fn shard(&mut self, index: usize) -> Result<Arc<Shard>>;
    /// How many shards there are.
    fn count(&self) -> usize;
}

/// The answer to "where is NAME[.MEMBER…]" over every build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhereAnswer {
    /// The question.
    pub path: String,
    /// Runs covering every build in catalogue order.
    pub runs: Vec<Run>,
}

impl WhereAnswer {
    /// The facts of build `b` (empty: the name or path does not exist there).
    pub fn facts_of(&self, b: u32) -> &[Fact] {
        self.runs
            .iter()
            .find(|r| b >= r.first && b < r.first + r.len)
            .map_or(&[], |r| r.facts.as_slice())
    }
}

/// Answers `path` (`task_struct`, `task_struct.__state`, `task_struct.se.vruntime`,
/// `BPF_MAP_TYPE_RINGBUF`) for every build. A member path goes through by-value struct and
/// union members (offsets add up) and typedefs; a pointer member ends the path.
pub fn where_is(path: &str, shards: &mut dyn ShardSource) -> Result<WhereAnswer> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) || parts.len() > MAX_PATH {
        return Err(Error::unpositioned(crate::ErrorKind::Malformed(format!(
            "`{path}` is not NAME or NAME.MEMBER… (at most {MAX_PATH} parts)"
        ))));
    }
    let count = shards.count();
    let top = shards.shard(shard_of(parts[0], count))?;
    let builds = top.builds;
    if parts.len() == 1 {
        let mut per_build = vec![Vec::new(); builds as usize];
        for ns in [NS_TYPE, NS_ENUMERATOR] {
            if let Some(e) = top.entries.get(&(ns, parts[0].to_owned())) {
                for r in &e.own {
                    for b in r.first..r.first + r.len {
                        per_build[b as usize].extend(r.facts.iter().cloned());
                    }
                }
            }
        }
        return Ok(WhereAnswer {
            path: path.to_owned(),
            runs: to_runs(per_build),
        });
    }
    // Member paths: per build, walk the parts, following by-value members' types.
    let mut per_build: Vec<Vec<Fact>> = vec![Vec::new(); builds as usize];
    for (b, out) in per_build.iter_mut().enumerate() {
        let b = b as u32;
        let mut ty = parts[0].to_owned();
        let mut base = 0u32;
        let mut i = 1;
        let mut hops = 0;
        'walk: while i < parts.len() && hops < 4 * MAX_PATH {
            hops += 1;
            let shard = shards.shard(shard_of(&ty, count))?;
            let Some(e) = shard.entries.get(&(NS_TYPE, ty.clone())) else {
                break;
            };
            // The longest dotted member path that exists here (`u.a` of anonymous types).
            for j in (i + 1..=parts.len()).rev() {
                let key = parts[i..j].join(".");
                let Some(runs) = e.members.get(&key) else {
                    continue;
                };
                let facts = facts_at(runs, b);
                let Some(f) = facts.first() else { continue };
                if j == parts.len() {
                    out.extend(facts.iter().map(|f| shifted(f, base)));
                    break 'walk;
                }
                let (Fact::Member { bit_offset, .. }, Some(next)) = (f, f.follow()) else {
                    break 'walk;
                };
                base = base.saturating_add(*bit_offset);
                ty = next.to_owned();
                i = j;
                continue 'walk;
            }
            // Not a member: a typedef of that name leads to its target.
            let typedef = facts_at(&e.own, b)
                .iter()
                .find(|f| {
                    matches!(
                        f,
                        Fact::Type {
                            kind: Kind::TYPEDEF,
                            ..
                        }
                    )
                })
                .and_then(|f| f.follow().map(str::to_owned));
            match typedef {
                Some(next) if next != ty => ty = next,
                _ => break,
            }
        }
    }
    Ok(WhereAnswer {
        path: path.to_owned(),
        runs: to_runs(per_build),
    })
}

fn facts_at(runs: &[Run], b: u32) -> &[Fact] {
    let i = runs.partition_point(|r| r.first + r.len <= b);
    runs.get(i).map_or(&[], |r| r.facts.as_slice())
}

fn shifted(f: &Fact, base: u32) -> Fact {
    match f {
        Fact::Member {
            bit_offset,
            bit_size,
            bitfield,
            ty,
        } => Fact::Member {
            bit_offset: bit_offset.saturating_add(base),
            bit_size: *bit_size,
            bitfield: *bitfield,
            ty: ty.clone(),
        },
        other => other.clone(),
    }
}

fn to_runs(per_build: Vec<Vec<Fact>>) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for (b, facts) in per_build.into_iter().enumerate() {
        match runs.last_mut() {
            Some(r) if *r.facts == facts => r.len += 1,
            _ => runs.push(Run {
                first: b as u32,
                len: 1,
                facts: Arc::new(facts),
            }),
        }
    }
    runs
}
