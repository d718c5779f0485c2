//! A question answered on catalogue builds from the where-index alone, without rebuilding
//! any build: for each build either the exact [`TargetAnswer`] libbpf's engine gives on
//! that build's BTF, or nothing (the caller rebuilds that build and asks the engine).
//!
//! A build is decided only when every distinct record is: relocated (no poison, no error,
//! so the code loads and there is nothing to rename) from facts the index states exactly.
//! That is
//! - the root: a named struct/union (field records), struct/union/enum (type records) or
//!   enum (enumerator records); its candidates are the build's types of that name and a
//!   compatible kind — exactly one, or none for an `*_exists` record (then 0);
//! - each member step: the one fact of the member's name, anonymous members lifted (libbpf
//!   searches them depth-first; C has one member per name there), its type compatible
//!   with the local member's (kinds, enum names, array elements, read from its spelling);
//!   by-value struct members lead to that struct's own facts, arrays check the index;
//! - the values: byte offset, size (a bitfield's from its integer's size, widened as libbpf
//!   widens it), an enumerator's value as libbpf reads it (32-bit values sign-extended);
//! - the instruction: a load whose size the build keeps, within libbpf's offset range; an
//!   enumerator value clang compiled as libbpf computes it locally.
//!
//! Anything else falls back: type-id and `type_matches` records, typedef roots, a missing
//! member or enumerator (the engine explains it: renames, notes), two candidates, a load
//! of something array-typed (libbpf 1.5 and 1.7 size it differently), flexible arrays, spellings
//! not read here.
//!
//! What the index cannot show (tests/it/ask_index.rs checks each on every build of the
//! committed catalogue):
//! - two same-named, same-sized copies of a type store one type fact; a member the copies
//!   disagree on shows two facts, and then the fast path falls back on the type
//!   (`Shard::shows_several`). Copies that differ only in which members they have do not
//!   show: none is reached through a by-value member in the catalogue; as a root (five
//!   file-local names: `getdents_callback` and four enums), libbpf narrows its candidates
//!   to the copies each record matched, which matters only when records of one root name
//!   different members, and such questions are left to the engine;
//! - types named with a flavour suffix (`nf_conn___init` for `nf_conn`) are candidates too
//!   but live in other shards: in the catalogue each sits beside its plain type, the same
//!   size, with no member of the same name, so it never matches a record the plain type
//!   matches nor changes a type record.

mod lookup;
mod shape;

use crate::btf::{essential_name, Btf, Kind};
use crate::catalog::{Fact, ShardSource};
use crate::error::Result;
use crate::reloc::{RelocClass, RelocKind, RelocResult, Spec};

use super::answer::{FieldFacts, TargetAnswer};
use super::record::InsnForm;
use super::resolve::{compiled_value, local_side, LocalRecord};
use super::LocalObject;

use lookup::Lookup;
use shape::{shape, surely_compatible, Shape};

/// libbpf refuses a load or store offset above `SHRT_MAX`.
const MAX_INSN_OFFSET: u64 = 0x7fff;

/// Answers `obj`'s records on catalogue builds `builds` (index in the catalogue, name) from
/// the index `shards`: per build, the engine's answer, or `None` where the index does not
/// decide it. An error is a shard that could not be read (a page that has not fetched it:
/// the error names it).
pub fn answer_from_index(
    obj: &LocalObject,
    builds: &[(u32, &str)],
    shards: &mut dyn ShardSource,
) -> Result<Vec<Option<TargetAnswer>>> {
    let locals: Vec<Option<LocalSide<'_>>> = obj
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| LocalSide::of(obj, r, i))
        .collect();
    if narrowing_may_matter(&locals) {
        return Ok(vec![None; builds.len()]);
    }
    let mut look = Lookup::new(shards);
    let mut out = Vec::with_capacity(builds.len());
    for &(b, name) in builds {
        look.build = b;
        let cells: Option<Vec<FieldFacts>> = locals
            .iter()
            .map(|l| l.as_ref().and_then(|l| l.facts(&mut look)))
            .collect();
        if let Some(e) = look.failed.take() {
            return Err(e);
        }
        out.push(cells.map(|cells| TargetAnswer::loading(name, cells)));
    }
    Ok(out)
}

/// Whether two records of one root name different members (or enumerators). libbpf keeps
/// one candidate list per local root type and narrows it to the candidates each record
/// matched, so with same-named copies of the root in a build (which the index may merge
/// into one entry) a later record can be poisoned where each record alone would be
/// patched. Records that all name the same member match the same copies, and type records
/// match every copy, so only a question mixing members of one root is left to the engine.
fn narrowing_may_matter(locals: &[Option<LocalSide<'_>>]) -> bool {
    let mut seen: Vec<(crate::btf::TypeId, Vec<&str>)> = Vec::new();
    for l in locals.iter().flatten() {
        if l.record.kind.class() == RelocClass::Type {
            continue;
        }
        let names: Vec<&str> = l.spec.access.iter().filter_map(|a| a.name).collect();
        match seen.iter().find(|(root, _)| *root == l.record.root) {
            Some((_, other)) if *other != names => return true,
            Some(_) => {}
            None => seen.push((l.record.root, names)),
        }
    }
    false
}

/// What a record is on the local side, computed once for all builds.
struct LocalSide<'a> {
    record: &'a LocalRecord,
    btf: &'a Btf,
    spec: Spec<'a>,
    local: RelocResult,
    /// The root's essential name and kind.
    root: (&'a str, Kind),
}

impl<'a> LocalSide<'a> {
    /// `None` when the record is of a kind or shape the fast path never decides.
    fn of(obj: &'a LocalObject, r: &'a LocalRecord, i: usize) -> Option<Self> {
        let side = local_side(&obj.btf, r, i);
        let local = *side.result.as_ref().ok()?;
        let spec = side.local_spec?;
        // The instruction must hold what libbpf computes locally, or it refuses it.
        if compiled_value(&obj.btf, r, Some(&local)) != local.orig_val {
            return None;
        }
        let root = obj.btf.btf.ty(r.root);
        let decided_kinds = match r.kind.class() {
            RelocClass::Field => root.kind().is_composite(),
            RelocClass::Type => {
                matches!(r.kind, RelocKind::TYPE_EXISTS | RelocKind::TYPE_SIZE)
                    && (root.kind().is_composite() || root.kind().is_any_enum())
            }
            RelocClass::EnumVal => root.kind().is_any_enum(),
            RelocClass::Unknown => false,
        };
        if !decided_kinds || root.name().is_empty() {
            return None;
        }
        Some(LocalSide {
            record: r,
            btf: &obj.btf.btf,
            spec,
            local,
            root: (essential_name(root.name()), root.kind()),
        })
    }

    /// The record's cell on the lookup's build, if the index decides it.
    fn facts(&self, look: &mut Lookup<'_>) -> Option<FieldFacts> {
        let (name, kind) = self.root;
        let compatible = |k: Kind| k == kind || (k.is_any_enum() && kind.is_any_enum());
        let candidate = look.one_type(name, &compatible)?;

        let Some(Fact::Type {
            size: root_size, ..
        }) = candidate
        else {
            // No candidate: only an existence check is patched (to 0); the rest poison.
            return matches!(
                self.record.kind,
                RelocKind::FIELD_EXISTS | RelocKind::TYPE_EXISTS | RelocKind::ENUMVAL_EXISTS
            )
            .then(|| patched(false, None, None, None));
        };
        match self.record.kind.class() {
            RelocClass::Type => Some(patched(true, None, Some(u64::from(root_size?)), None)),
            RelocClass::EnumVal => self.enumerator(look, name, kind_of(&candidate?)),
            RelocClass::Field => {
                let f = self.field(look, name, root_size?)?;
                Some(patched(true, Some(f.byte_off), Some(f.byte_sz), None))
            }
            RelocClass::Unknown => None,
        }
    }

    /// An enumerator record: the build's enumerator of the same essential name in the one
    /// candidate enum (`enum_kind`).
    fn enumerator(
        &self,
        look: &mut Lookup<'_>,
        enum_name: &str,
        enum_kind: Kind,
    ) -> Option<FieldFacts> {
        let want = essential_name(self.spec.access.first()?.name?);
        let paths = look.member_paths(enum_name)?;
        let mut hits = paths.iter().filter(|p| essential_name(p) == want);
        let (Some(hit), None) = (hits.next(), hits.next()) else {
            // None: absent (an existence check reads 0; a value is poisoned). Two: libbpf
            // takes the first in the enum's order, which the index does not keep.
            let absent = !paths.iter().any(|p| essential_name(p) == want);
            return (absent && self.record.kind == RelocKind::ENUMVAL_EXISTS)
                .then_some(patched(false, None, None, None));
        };
        let [Fact::Enumerator { value, .. }] = look.member_facts(enum_name, hit)?[..] else {
            return None;
        };
        // libbpf reads a 32-bit enumerator as a signed 32-bit value.
        let value = if enum_kind == Kind::ENUM {
            value as u32 as i32 as i64 as u64
        } else {
            value
        };
        if self.record.kind == RelocKind::ENUMVAL_VALUE && self.record.form == InsnForm::Alu {
            // An ALU immediate holds 32 bits; leave wider values to the engine.
            i32::try_from(value as i64).ok()?;
        }
        Some(patched(true, None, None, Some(value)))
    }

    /// A field record: walks the local spec through the build's facts.
    fn field(&self, look: &mut Lookup<'_>, root_name: &str, root_size: u32) -> Option<FieldValues> {
        let mut access = self.spec.access.iter();
        let first = access.next()?;
        // Where the walk is: inside a named entry (`prefix` a named member of anonymous
        // type within it), or at a value known by its spelling.
        let mut at = At::Entry {
            name: root_name.to_owned(),
            prefix: String::new(),
            base: 0,
        };
        let mut start = u64::from(first.idx) * u64::from(root_size) * 8;
        if let At::Entry { base, .. } = &mut at {
            *base = start;
        }
        let mut last: Option<Last> = None;
        for acc in access {
            if let Some(member_name) = acc.name {
                let (entry, prefix, base) = match at {
                    At::Entry {
                        name, prefix, base, ..
                    } => (name, prefix, base),
                    At::Value { spelling, .. } => match shape(look, &spelling)? {
                        Shape::Composite(kind, Some(name)) => {
                            let wanted = |k: Kind| k == kind;
                            look.one_type(&name, &wanted)??;
                            (name, String::new(), start)
                        }
                        _ => return None,
                    },
                };
                let local_member = self.btf.ty(acc.type_id).member(acc.idx)?;
                let path = if prefix.is_empty() {
                    member_name.to_owned()
                } else {
                    format!("{prefix}.{member_name}")
                };
                let [Fact::Member {
                    bit_offset,
                    bit_size,
                    bitfield,
                    ref ty,
                }] = look.member_facts(&entry, &path)?[..]
                else {
                    return None;
                };
                if !surely_compatible(look, self.btf, local_member.type_id, ty) {
                    return None;
                }
                start = base + u64::from(bit_offset);
                last = Some(Last::Member {
                    bit_size: u64::from(bit_size),
                    bitfield,
                    ty: ty.clone(),
                });
                at = match shape(look, ty)? {
                    Shape::Composite(_, None) => At::Entry {
                        name: entry,
                        prefix: path,
                        base,
                    },
                    _ => At::Value {
                        spelling: ty.clone(),
                        bits: (!bitfield).then_some(u64::from(bit_size)),
                    },
                };
            } else {
                let At::Value { spelling, bits } = at else {
                    return None;
                };
                let Shape::Array(elem, nelems) = shape(look, &spelling)? else {
                    return None;
                };
                // A zero-length (flexible) array, or an index past the end: the engine.
                if nelems == 0 || acc.idx >= nelems {
                    return None;
                }
                let bits = bits?;
                if bits % u64::from(nelems) != 0 {
                    return None;
                }
                let elem_bits = bits / u64::from(nelems);
                start += u64::from(acc.idx) * elem_bits;
                last = Some(Last::Element { bits: elem_bits });
                at = At::Value {
                    spelling: elem,
                    bits: Some(elem_bits),
                };
            }
        }
        let values = match last? {
            Last::Member {
                bit_size,
                bitfield: true,
                ty,
            } => {
                let mut byte_sz = match shape(look, &ty)? {
                    Shape::Int(size) | Shape::Enum(_, Some(size)) => u64::from(size),
                    _ => return None,
                };
                if byte_sz == 0 {
                    return None;
                }
                // The smallest aligned load (starting at the integer's size) that holds
                // every bit; past 8 bytes libbpf gives up (the engine says so).
                let mut byte_off = start / 8 / byte_sz * byte_sz;
                while start + bit_size - byte_off * 8 > byte_sz * 8 {
                    if byte_sz >= 8 {
                        return None;
                    }
                    byte_sz *= 2;
                    byte_off = start / 8 / byte_sz * byte_sz;
                }
                FieldValues {
                    byte_off,
                    byte_sz,
                    bitfield: true,
                    element: false,
                }
            }
            Last::Member { bit_size, .. } => FieldValues {
                byte_off: start / 8,
                byte_sz: bit_size / 8,
                bitfield: false,
                element: false,
            },
            Last::Element { bits } => FieldValues {
                byte_off: start / 8,
                byte_sz: bits / 8,
                bitfield: false,
                element: true,
            },
        };
        // A size of 0 is what the index also writes when it could not size the type.
        if values.byte_sz == 0 {
            return None;
        }
        // What a load or store of an array reaches is where libbpf 1.5 and 1.7 differ.
        let array_typed = match &at {
            At::Value { spelling, .. } => matches!(shape(look, spelling)?, Shape::Array(..)),
            At::Entry { .. } => false,
        };
        self.instruction_accepts(&values, array_typed)
            .then_some(values)
    }

    /// Whether libbpf patches the record's own instruction with these values (rather than
    /// failing the object).
    fn instruction_accepts(&self, v: &FieldValues, array_typed: bool) -> bool {
        let kind = self.record.kind;
        if v.element
            && !matches!(
                kind,
                RelocKind::FIELD_BYTE_OFFSET | RelocKind::FIELD_BYTE_SIZE | RelocKind::FIELD_EXISTS
            )
        {
            // libbpf: "can't be applied to array access".
            return false;
        }
        match self.record.form {
            InsnForm::Mem(_) => {
                kind == RelocKind::FIELD_BYTE_OFFSET
                    && !v.bitfield
                    && !array_typed
                    && v.byte_off <= MAX_INSN_OFFSET
                    && u64::from(self.local.orig_sz) == v.byte_sz
            }
            InsnForm::Alu => true,
            InsnForm::LdImm64 => false,
        }
    }
}

/// A cell of a record libbpf patches.
fn patched(exists: bool, offset: Option<u64>, size: Option<u64>, value: Option<u64>) -> FieldFacts {
    FieldFacts {
        exists: Some(exists),
        offset,
        size,
        value,
        outcome: "patched",
        error: None,
    }
}

fn kind_of(f: &Fact) -> Kind {
    match f {
        Fact::Type { kind, .. } => *kind,
        _ => Kind(0),
    }
}

/// Where a field walk stands.
enum At {
    /// In the named type `name` (its facts), below its member path `prefix` (members of
    /// anonymous type are listed under the named type), whose start is at bit `base`.
    Entry {
        name: String,
        prefix: String,
        base: u64,
    },
    /// At a value of type `spelling`, `bits` long when known.
    Value { spelling: String, bits: Option<u64> },
}

/// The last step of a field walk.
enum Last {
    Member {
        bit_size: u64,
        bitfield: bool,
        ty: String,
    },
    Element {
        bits: u64,
    },
}

/// What libbpf computes for a field on the target.
struct FieldValues {
    byte_off: u64,
    byte_sz: u64,
    bitfield: bool,
    element: bool,
}
