//! The abstract machine state the simulation carries along one path: registers, the stack
//! of each call frame, and where constants came from.

use super::scalar::Scalar;

/// Where a constant came from, so a decided branch can name what decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A CO-RE relocation (index into the guard input's relocation sites).
    Relo(u32),
    /// A `.kconfig` extern (index into the kconfig layout).
    Kconfig(u32),
    /// A read-only global (`.rodata*` map index, byte offset).
    Rodata(u32, u32),
}

/// What a pointer points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PtrKind {
    /// The program context (`r1` at entry).
    Ctx,
    /// The stack of call frame `frame`.
    Stack {
        /// Frame depth (0 = main).
        frame: u8,
    },
    /// A map's value (`map` indexes the object's maps).
    MapValue {
        /// Map index.
        map: u16,
    },
    /// A map itself (an `LD_IMM64` of a map fd).
    Map {
        /// Map index.
        map: u16,
    },
    /// Helper-returned memory (ring buffer records, …).
    Mem,
    /// A BTF-typed kernel object (`bpf_get_current_task_btf`, typed ksyms).
    BtfId,
    /// A function's address (a callback), by its first linked instruction.
    Func {
        /// First instruction of the function in the linked program.
        start: u32,
    },
}

/// A pointer: what it points into, a fixed offset, and (if any) a variable offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ptr {
    /// Kind of memory.
    pub kind: PtrKind,
    /// Known offset.
    pub off: i64,
    /// Whether a variable (unknown) offset was added.
    pub var: bool,
    /// May be NULL (the `_OR_NULL` types); `id` links copies checked together.
    pub maybe_null: bool,
    /// Identity of a maybe-null pointer (its copies share it).
    pub id: u32,
}

impl Ptr {
    /// A non-null pointer of `kind` at offset 0.
    pub fn new(kind: PtrKind) -> Ptr {
        Ptr {
            kind,
            off: 0,
            var: false,
            maybe_null: false,
            id: 0,
        }
    }

    /// Whether the kernel's `reg_not_null` holds: comparisons with 0 are then decided.
    pub fn known_not_null(&self) -> bool {
        !self.maybe_null && matches!(self.kind, PtrKind::MapValue { .. } | PtrKind::Mem)
    }
}

/// A register's abstract value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Value {
    /// Not initialised (reading it is a verifier error).
    #[default]
    Uninit,
    /// A scalar, with the origin of its value when it is a tracked constant.
    Scalar(Scalar, Option<Origin>),
    /// A pointer.
    Ptr(Ptr),
}

impl Value {
    /// An unknown scalar.
    pub const UNKNOWN: Value = Value::Scalar(Scalar::UNKNOWN, None);

    /// A constant scalar.
    pub fn konst(v: u64, origin: Option<Origin>) -> Value {
        Value::Scalar(Scalar::konst(v), origin)
    }

    /// The scalar, treating uninitialised and pointers as unknown.
    pub fn scalar(&self) -> Scalar {
        match self {
            Value::Scalar(s, _) => *s,
            _ => Scalar::UNKNOWN,
        }
    }

    /// The origin of a tracked scalar.
    pub fn origin(&self) -> Option<Origin> {
        match self {
            Value::Scalar(_, o) => *o,
            _ => None,
        }
    }
}

/// Stack bytes, as the verifier types them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ByteKind {
    /// Never written.
    #[default]
    Invalid,
    /// Written with an unknown value.
    Misc,
    /// Written with zero.
    Zero,
    /// Part of a spilled register.
    Spill,
}

/// One 8-byte stack slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Slot {
    /// Type of each byte (index = byte offset from the slot's lowest address).
    pub bytes: [ByteKind; 8],
    /// The spilled register and the spill size, when the slot holds one.
    pub spill: Option<(Value, u8)>,
}

/// Stack size of one frame (`MAX_BPF_STACK`).
pub const STACK_SIZE: usize = 512;
/// Maximum call depth (`MAX_CALL_FRAMES`).
pub const MAX_FRAMES: usize = 8;

/// Number of 8-byte slots in one frame's stack.
pub const SLOTS: usize = STACK_SIZE / 8;

/// One call frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// r0–r10.
    pub regs: [Value; 11],
    /// The slots of the frame's stack that were ever written, by slot index (slot 0 is the
    /// deepest: `r10 - 512`), sorted; a slot not listed was never written. Sparse, because
    /// every pruning checkpoint keeps a copy of the state and programs touch few slots.
    pub stack: Vec<(u8, Slot)>,
    /// Where to continue in the caller on `exit` (None for the outermost frame and for a
    /// callback's frame, whose exit ends the path).
    pub return_to: Option<usize>,
    /// The callsite instruction (for frame identity in pruning).
    pub callsite: Option<usize>,
}

impl Frame {
    /// A frame with every register uninitialised except `r10`.
    pub fn new(depth: u8) -> Frame {
        let mut regs = [Value::Uninit; 11];
        regs[10] = Value::Ptr(Ptr::new(PtrKind::Stack { frame: depth }));
        Frame {
            regs,
            stack: Vec::new(),
            return_to: None,
            callsite: None,
        }
    }

    /// Slot `i`, if it was ever written.
    pub fn slot(&self, i: usize) -> Option<&Slot> {
        self.stack
            .binary_search_by_key(&i, |(k, _)| usize::from(*k))
            .ok()
            .map(|at| &self.stack[at].1)
    }

    /// Slot `i` for writing (created never-written when absent). `i` must be below [`SLOTS`].
    pub fn slot_mut(&mut self, i: usize) -> &mut Slot {
        let at = match self
            .stack
            .binary_search_by_key(&i, |(k, _)| usize::from(*k))
        {
            Ok(at) => at,
            Err(at) => {
                self.stack.insert(at, (i as u8, Slot::default()));
                at
            }
        };
        &mut self.stack[at].1
    }

    /// Forgets what the stack bytes `[first, end)` (byte indices from the frame's deepest
    /// byte) hold, as a write of unknown bytes does: written bytes become unknown, spilled
    /// registers in the slots touched are gone, never-written bytes stay never-written
    /// (`check_stack_range_initialized` with `clobber`: a helper may write anything there).
    pub fn forget_bytes(&mut self, first: usize, end: usize) {
        let end = end.min(STACK_SIZE);
        for (k, s) in &mut self.stack {
            let base = usize::from(*k) * 8;
            if base + 8 <= first || base >= end {
                continue;
            }
            if s.spill.take().is_some() {
                for b in &mut s.bytes {
                    if *b == ByteKind::Spill {
                        *b = ByteKind::Misc;
                    }
                }
            }
            for (j, b) in s.bytes.iter_mut().enumerate() {
                if (first..end).contains(&(base + j)) && *b != ByteKind::Invalid {
                    *b = ByteKind::Misc;
                }
            }
        }
    }

    /// Forgets the whole frame's stack contents (`forget_bytes` over every byte).
    pub fn forget_all(&mut self) {
        self.forget_bytes(0, STACK_SIZE);
    }
}

/// The whole abstract state on one path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct State {
    /// Call frames, outermost first.
    pub frames: Vec<Frame>,
}

impl State {
    /// The innermost frame.
    pub fn cur(&mut self) -> &mut Frame {
        let n = self.frames.len() - 1;
        &mut self.frames[n]
    }

    /// The innermost frame (shared).
    pub fn cur_ref(&self) -> &Frame {
        &self.frames[self.frames.len() - 1]
    }

    /// Register `r` of the innermost frame.
    pub fn reg(&self, r: u8) -> Value {
        self.cur_ref()
            .regs
            .get(r as usize)
            .copied()
            .unwrap_or(Value::Uninit)
    }

    /// Sets register `r` of the innermost frame (r10 is read-only; bad numbers are ignored).
    pub fn set(&mut self, r: u8, v: Value) {
        if (r as usize) < 10 {
            self.cur().regs[r as usize] = v;
        }
    }

    /// Applies `f` to every register and spilled value in every frame (null-check marking).
    pub fn for_each_value(&mut self, mut f: impl FnMut(&mut Value)) {
        for fr in &mut self.frames {
            fr.regs.iter_mut().for_each(&mut f);
            for (_, s) in &mut fr.stack {
                if let Some((v, _)) = &mut s.spill {
                    f(v);
                }
            }
        }
    }
}
