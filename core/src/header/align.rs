//! Natural alignment as libbpf's `btf__align_of` computes it, memoized per type id and
//! computed without recursion (../shared/spec/header-spec.md §6).
//!
//! libbpf recomputes a struct's alignment, recursively, for the struct itself, for its packed
//! test and for every member; a memo makes each struct cost one walk. Each call still replays
//! the warning libbpf would print (`unsupported BTF_KIND:%u`, from the first member chain that
//! ends in a kind without alignment), so stderr matches call for call.

use crate::btf::{Btf, Kind, Type, TypeId};

/// Memo states in `warn`: not yet computed (0, so the memo starts as zeroed memory), being
/// computed (a by-value cycle), or done with no warning or a warning about `kind`
/// (`DONE + 1 + kind`).
const UNKNOWN: u8 = 0;
const IN_PROGRESS: u8 = 1;
const DONE: u8 = 2;

/// An alignment in bytes and the kind libbpf would warn about (alignment 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Align {
    pub bytes: u32,
    pub unsupported: Option<Kind>,
}

impl Align {
    fn of(bytes: u32) -> Align {
        Align {
            bytes,
            unsupported: None,
        }
    }
}

/// Memoized alignments, indexed by type id.
pub(super) struct Alignments {
    align: Vec<u32>,
    warn: Vec<u8>,
    stack: Vec<(TypeId, u32, u32)>,
}

impl Alignments {
    pub fn new(type_cnt: u32) -> Self {
        Alignments {
            align: vec![0; type_cnt as usize],
            warn: vec![UNKNOWN; type_cnt as usize],
            stack: Vec::new(),
        }
    }

    /// libbpf's `btf__align_of(id)`.
    pub fn of(&mut self, btf: &Btf, id: TypeId) -> Align {
        if let Some(a) = self.memo(id) {
            return a;
        }
        let t = terminal(btf, id);
        let a = match t.kind() {
            Kind::STRUCT | Kind::UNION => self.composite(btf, t.id()),
            _ => scalar(btf, &t),
        };
        self.set(id, a);
        a
    }

    fn memo(&self, id: TypeId) -> Option<Align> {
        let i = id.0 as usize;
        match *self.warn.get(i)? {
            UNKNOWN => None,
            // Only a struct that embeds itself (which ordering rejects before anything is
            // printed) gets here; libbpf would recurse forever.
            IN_PROGRESS => Some(Align::of(0)),
            w => Some(Align {
                bytes: self.align[i],
                unsupported: (w > DONE).then(|| Kind(w - DONE - 1)),
            }),
        }
    }

    fn set(&mut self, id: TypeId, a: Align) {
        let i = id.0 as usize;
        if i < self.warn.len() {
            self.align[i] = a.bytes;
            // Kinds are 7 bits: `DONE + 1 + kind` fits a byte.
            self.warn[i] = a.unsupported.map_or(DONE, |k| DONE + 1 + (k.0 & 0x7f));
        }
    }

    /// Walks members depth-first with an explicit stack of (struct, next member, max align).
    fn composite(&mut self, btf: &Btf, id: TypeId) -> Align {
        if let Some(a) = self.memo(id) {
            return a;
        }
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push((id, 0, 1));
        if let Some(w) = self.warn.get_mut(id.0 as usize) {
            *w = IN_PROGRESS;
        }
        let mut result = Align::of(0);
        while let Some(&(sid, next, max)) = stack.last() {
            let t = btf.ty(sid);
            let done = match t.member_layout(next) {
                None => Some(Align::of(if t.size().is_multiple_of(max) {
                    max
                } else {
                    1
                })),
                Some(m) => {
                    let a = match self.memo(m.type_id) {
                        Some(a) => a,
                        None => {
                            let mt = terminal(btf, m.type_id);
                            let a = if mt.kind().is_composite() {
                                match self.memo(mt.id()) {
                                    Some(a) => a,
                                    None => {
                                        // Compute the member's aggregate first, then come back.
                                        if let Some(w) = self.warn.get_mut(mt.id().0 as usize) {
                                            *w = IN_PROGRESS;
                                        }
                                        stack.push((mt.id(), 0, 1));
                                        continue;
                                    }
                                }
                            } else {
                                scalar(btf, &mt)
                            };
                            self.set(m.type_id, a);
                            a
                        }
                    };
                    if a.bytes == 0 {
                        Some(a)
                    } else if m.bitfield_size == 0
                        && m.raw_offset % a.bytes.wrapping_mul(8).max(1) != 0
                    {
                        Some(Align::of(1))
                    } else {
                        if let Some(top) = stack.last_mut() {
                            top.1 += 1;
                            top.2 = max.max(a.bytes);
                        }
                        None
                    }
                }
            };
            if let Some(a) = done {
                self.set(sid, a);
                stack.pop();
                result = a;
            }
        }
        self.stack = stack;
        result
    }
}

/// Follows typedefs, modifiers and arrays (which take their target's alignment).
fn terminal(btf: &Btf, id: TypeId) -> Type<'_> {
    let mut t = btf.ty(id);
    // Reference loops are rejected at parse time; the bound is defensive.
    for _ in 0..btf.type_cnt() {
        t = match t.kind() {
            Kind::TYPEDEF | Kind::VOLATILE | Kind::CONST | Kind::RESTRICT | Kind::TYPE_TAG => {
                btf.ty(t.type_id())
            }
            Kind::ARRAY => btf.ty(t.array().elem),
            _ => break,
        };
    }
    t
}

fn scalar(btf: &Btf, t: &Type<'_>) -> Align {
    match t.kind() {
        Kind::INT | Kind::ENUM | Kind::ENUM64 | Kind::FLOAT => {
            Align::of(btf.ptr_size().min(t.size()))
        }
        Kind::PTR => Align::of(btf.ptr_size()),
        k => Align {
            bytes: 0,
            unsupported: Some(k),
        },
    }
}
