//! The dumper's state: one instance per header, shared by every root (libbpf's `btf_dump`).
//!
//! Everything per type lives in flat vectors indexed by type id: one flag byte (ordering,
//! emission, forward declaration, name resolved, referenced), the alignment memo, and a
//! sparse map for the few names that get a `___N` suffix. Results depend on this state
//! carrying over from root to root, exactly as in libbpf.

use std::collections::HashMap;

use crate::btf::{Btf, Kind, TypeId};

use super::align::Alignments;
use super::diag::{HeaderError, Warning};
use super::names::{Name, NameCounts, MAX_NAME_LEN};
use super::profile::Features;
use super::sink::{Mark, Sink};
use super::text::Dec;

/// Text is handed to the sink in chunks of about this size.
const BUF_LEN: usize = 32 * 1024;

/// Per-type flag bits.
pub(super) mod flag {
    /// Ordering state (2 bits): none, ordering, ordered.
    pub const ORDER_MASK: u8 = 0b0000_0011;
    pub const ORDERING: u8 = 0b0000_0001;
    pub const ORDERED: u8 = 0b0000_0010;
    /// Emission state (2 bits): none, emitting, emitted.
    pub const EMIT_MASK: u8 = 0b0000_1100;
    pub const EMITTING: u8 = 0b0000_0100;
    pub const EMITTED: u8 = 0b0000_1000;
    /// A forward declaration (or, for a typedef, its definition) has been printed.
    pub const FWD_EMITTED: u8 = 0b0001_0000;
    /// The unique name has been assigned.
    pub const NAME_RESOLVED: u8 = 0b0010_0000;
    /// Some other type refers to this one (libbpf's `referenced`, for anonymous enums).
    pub const REFERENCED: u8 = 0b0100_0000;
    /// The resolved name has a `___N` suffix (kept in `Dumper::suffix`).
    pub const SUFFIXED: u8 = 0b1000_0000;
}

/// Which counter a name is resolved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Namespace {
    /// Struct, union, enum and INT names.
    Types,
    /// Typedef names (enumerators are counted separately, at every print).
    Idents,
}

pub(super) struct Dumper<'a, S: Sink> {
    pub btf: &'a Btf,
    pub feat: Features,
    pub ptr_size: u32,
    pub flags: Vec<u8>,
    pub suffix: HashMap<u32, u32>,
    /// Enumerators printed with a `___N` suffix: (enum id, index) → N, at their first print.
    pub enum_suffix: HashMap<(u32, u32), u32>,
    pub type_names: NameCounts,
    pub idents: NameCounts,
    pub align: Alignments,
    /// The emission queue of the current root.
    pub queue: Vec<TypeId>,
    /// The shared declarator stack; each declarator works on its own top segment.
    pub decl_stack: Vec<u32>,
    /// Current nesting of declarators and inline definitions (bounded by `MAX_NESTING`).
    pub depth: usize,
    /// Text not yet handed to the sink: many small pieces become a few large chunks.
    pub buf: String,
    /// Whether the sink wants marks (then the text is handed over before each one).
    marks: bool,
    /// Reused explicit stacks of the ordering and emission walks.
    pub order_stack: Vec<super::order::Frame>,
    pub emit_stack: Vec<super::emit::Frame>,
    pub sink: &'a mut S,
}

impl<'a, S: Sink> Dumper<'a, S> {
    /// A dumper over `btf` with libbpf's initial state: void ordered and emitted, and every
    /// type referenced by another marked.
    pub fn new(btf: &'a Btf, feat: Features, sink: &'a mut S) -> Result<Self, HeaderError> {
        let n = btf.type_cnt();
        let mut flags = vec![0u8; n as usize];
        if let Some(void) = flags.first_mut() {
            *void = flag::ORDERED | flag::EMITTED;
        }
        mark_referenced(btf, &mut flags)?;
        Ok(Dumper {
            btf,
            feat,
            ptr_size: btf.ptr_size(),
            flags,
            suffix: HashMap::new(),
            enum_suffix: HashMap::new(),
            type_names: NameCounts::default(),
            idents: NameCounts::default(),
            align: Alignments::new(n),
            queue: Vec::new(),
            decl_stack: Vec::new(),
            depth: 0,
            order_stack: Vec::new(),
            emit_stack: Vec::new(),
            buf: String::with_capacity(BUF_LEN),
            marks: sink.wants_marks(),
            sink,
        })
    }

    #[inline]
    pub fn flags(&self, id: TypeId) -> u8 {
        self.flags.get(id.0 as usize).copied().unwrap_or(0)
    }

    #[inline]
    pub fn set(&mut self, id: TypeId, bits: u8) {
        if let Some(f) = self.flags.get_mut(id.0 as usize) {
            *f |= bits;
        }
    }

    #[inline]
    pub fn set_order(&mut self, id: TypeId, state: u8) {
        if let Some(f) = self.flags.get_mut(id.0 as usize) {
            *f = (*f & !flag::ORDER_MASK) | state;
        }
    }

    #[inline]
    pub fn set_emit(&mut self, id: TypeId, state: u8) {
        if let Some(f) = self.flags.get_mut(id.0 as usize) {
            *f = (*f & !flag::EMIT_MASK) | state;
        }
    }

    #[inline]
    pub fn text(&mut self, s: &str) {
        self.buf.push_str(s);
        if self.buf.len() >= BUF_LEN {
            self.flush();
        }
    }

    pub fn num(&mut self, v: u64) {
        self.text(Dec::u64(v).as_str());
    }

    /// Hands the buffered text to the sink.
    pub fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.sink.text(&self.buf);
            self.buf.clear();
        }
    }

    /// Opens a marked stretch (a no-op for sinks without marks).
    pub fn begin(&mut self, mark: Mark) {
        if self.marks {
            self.flush();
            self.sink.begin(mark);
        }
    }

    /// Closes the innermost marked stretch.
    pub fn end(&mut self) {
        if self.marks {
            self.flush();
            self.sink.end();
        }
    }

    pub fn warn(&mut self, w: Warning) {
        self.flush();
        self.sink.warning(&w);
    }

    /// libbpf's `btf__align_of`, replaying its warning.
    pub fn align_of(&mut self, id: TypeId) -> u32 {
        let a = self.align.of(self.btf, id);
        if let Some(k) = a.unsupported {
            self.warn(Warning::UnsupportedKind(k));
        }
        a.bytes
    }

    /// libbpf's `btf_dump_resolve_name`: the unique name of `id`, assigned at first use.
    pub fn resolve_name(&mut self, id: TypeId, ns: Namespace) -> Name<'a> {
        let btf = self.btf;
        let t = btf.ty(id);
        if t.name_off() == 0 {
            return Name::plain("");
        }
        let raw = t.name();
        let f = self.flags(id);
        if f & flag::NAME_RESOLVED != 0 {
            let dup = if f & flag::SUFFIXED != 0 {
                self.suffix.get(&id.0).copied().unwrap_or(0)
            } else {
                0
            };
            return Name { raw, dup };
        }
        self.set(id, flag::NAME_RESOLVED);
        // Forward declarations and empty enums keep their name and are not counted.
        if t.kind() == Kind::FWD || (t.kind() == Kind::ENUM && t.vlen() == 0) {
            return Name::plain(raw);
        }
        let counts = match ns {
            Namespace::Types => &mut self.type_names,
            Namespace::Idents => &mut self.idents,
        };
        let dup = counts.bump(btf, t.name_off());
        if dup > 1 {
            self.suffix.insert(id.0, dup);
            self.set(id, flag::SUFFIXED);
        }
        Name { raw, dup }
    }

    /// Prints a name, with its suffix (cut to 255 bytes, as libbpf's buffer does).
    pub fn put_name(&mut self, n: Name<'_>) {
        if n.dup <= 1 {
            self.text(n.raw);
            return;
        }
        let dec = Dec::u64(u64::from(n.dup));
        if n.raw.len() + 3 + dec.as_str().len() <= MAX_NAME_LEN {
            self.text(n.raw);
            self.text("___");
            self.text(dec.as_str());
        } else {
            let mut s = format!("{}___{}", n.raw, dec.as_str());
            let mut cut = MAX_NAME_LEN;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
            self.text(&s);
        }
    }

    /// Prints the name of `id` marked as a reference to it.
    pub fn put_ref(&mut self, id: TypeId, n: Name<'_>) {
        self.begin(Mark::Reference(id));
        self.put_name(n);
        self.end();
    }
}

/// libbpf's `btf_dump_mark_referenced`: flags every type another type refers to (FUNC_PROTO
/// return types excepted). Only anonymous enums care (§2.2).
fn mark_referenced(btf: &Btf, flags: &mut [u8]) -> Result<(), HeaderError> {
    let mut mark = |id: TypeId| {
        if let Some(f) = flags.get_mut(id.0 as usize) {
            *f |= flag::REFERENCED;
        }
    };
    for id in btf.ids() {
        let t = btf.ty(id);
        match t.kind() {
            Kind::INT | Kind::ENUM | Kind::ENUM64 | Kind::FWD | Kind::FLOAT => {}
            Kind::VOLATILE
            | Kind::CONST
            | Kind::RESTRICT
            | Kind::PTR
            | Kind::TYPEDEF
            | Kind::FUNC
            | Kind::VAR
            | Kind::DECL_TAG
            | Kind::TYPE_TAG => mark(t.type_id()),
            Kind::ARRAY => {
                let a = t.array();
                mark(a.index);
                mark(a.elem);
            }
            Kind::STRUCT | Kind::UNION => t.member_layouts().for_each(|m| mark(m.type_id)),
            Kind::FUNC_PROTO => (0..t.vlen())
                .filter_map(|i| t.param_type(i))
                .for_each(&mut mark),
            Kind::DATASEC => t.datasec_vars().for_each(|v| mark(v.type_id)),
            kind => return Err(HeaderError::UnknownKind { id, kind }),
        }
    }
    Ok(())
}
