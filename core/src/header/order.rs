//! Phase 1 of a root: libbpf's `btf_dump_order_type`, a depth-first walk that queues the named
//! definitions a root needs, dependencies first (../shared/spec/header-spec.md §3.1).
//!
//! Each call answers STRONG (the caller needs the full definition first) or WEAK (a forward
//! declaration will do: a named aggregate behind a pointer), or fails on a by-value cycle.
//! The outline, per kind:
//! 1. ORDERED → STRONG, whatever the kind; ORDERING → WEAK for a named aggregate reached
//!    through a pointer, else the cycle error.
//! 2. INT/FLOAT → ordered, WEAK. PTR → order the target through a pointer, then ordered, and
//!    answer what the target answered. ARRAY, modifiers → answer for the element/target
//!    (arrays reset `through_ptr`), unmarked.
//! 3. STRUCT/UNION → WEAK if named and through a pointer; else ORDERING, order every member
//!    by value, queue it if named, ORDERED, STRONG.
//! 4. ENUM/ENUM64/FWD → queued if named or unreferenced, ORDERED, STRONG.
//! 5. TYPEDEF → order the target; if through a pointer and WEAK, stay unmarked and answer
//!    WEAK; else queue, ORDERED, STRONG.
//! 6. FUNC_PROTO → order return type and parameters; STRONG if any part was.
//! 7. FUNC/VAR/DATASEC/DECL_TAG → ordered, WEAK; their targets are not visited.
//!
//! The walk runs on an explicit stack: chains of anonymous types can be as deep as the BTF is
//! long.

use crate::btf::{Kind, TypeId};

use super::diag::{HeaderError, Warning};
use super::dumper::{flag, Dumper};
use super::sink::Sink;

/// A call in progress, waiting for the answer of the child it called.
#[derive(Debug, Clone, Copy)]
pub(super) enum Frame {
    /// A pointer: marked ordered once its target answers.
    Ptr(TypeId),
    /// An aggregate ordering its members; `next` is the member to visit after the current one.
    Composite { id: TypeId, next: u32 },
    /// A typedef waiting for its target.
    Typedef { id: TypeId, through_ptr: bool },
    /// A prototype: `next` is the next parameter; `strong` ORs the answers so far.
    Proto {
        id: TypeId,
        next: u32,
        through_ptr: bool,
        strong: bool,
    },
}

/// What entering a type gives: an immediate answer, or a frame plus the first child to visit
/// (with its `through_ptr`).
enum Step {
    Answer(bool),
    Call(Option<Frame>, TypeId, bool),
}

/// What a resumed frame does next: call another child, or answer its own caller.
enum Resume {
    Call(Frame, TypeId, bool),
    Done(bool),
}

impl<S: Sink> Dumper<'_, S> {
    /// Orders `root`, appending the definitions it needs to `self.queue`.
    pub(super) fn order(&mut self, root: TypeId) -> Result<(), HeaderError> {
        let mut stack = std::mem::take(&mut self.order_stack);
        stack.clear();
        let result = self.order_with(root, &mut stack);
        self.order_stack = stack;
        result
    }

    fn order_with(&mut self, root: TypeId, stack: &mut Vec<Frame>) -> Result<(), HeaderError> {
        let mut next = Some((root, false));
        while let Some((id, through_ptr)) = next.take() {
            let mut answer = match self.enter(id, through_ptr)? {
                Step::Answer(strong) => strong,
                Step::Call(frame, child, tp) => {
                    stack.extend(frame);
                    next = Some((child, tp));
                    continue;
                }
            };
            // Hand the answer down the waiting frames until one calls another child.
            while let Some(frame) = stack.pop() {
                match self.resume(frame, answer) {
                    Resume::Call(frame, child, tp) => {
                        stack.push(frame);
                        next = Some((child, tp));
                        break;
                    }
                    Resume::Done(strong) => answer = strong,
                }
            }
        }
        Ok(())
    }

    /// Steps 1–7 of the outline for a type entered fresh.
    fn enter(&mut self, id: TypeId, through_ptr: bool) -> Result<Step, HeaderError> {
        let state = self.flags(id) & flag::ORDER_MASK;
        if state == flag::ORDERED {
            return Ok(Step::Answer(true));
        }
        let t = self.btf.ty(id);
        let kind = t.kind();
        if state == flag::ORDERING {
            if kind.is_composite() && through_ptr && t.name_off() != 0 {
                return Ok(Step::Answer(false));
            }
            self.warn(Warning::Cycle(id));
            return Err(HeaderError::Cycle(id));
        }
        Ok(match kind {
            Kind::INT | Kind::FLOAT => {
                self.set_order(id, flag::ORDERED);
                Step::Answer(false)
            }
            Kind::PTR => Step::Call(Some(Frame::Ptr(id)), t.type_id(), true),
            Kind::ARRAY => Step::Call(None, t.array().elem, false),
            Kind::STRUCT | Kind::UNION => {
                if through_ptr && t.name_off() != 0 {
                    return Ok(Step::Answer(false));
                }
                self.set_order(id, flag::ORDERING);
                match t.member_layout(0) {
                    Some(m) => Step::Call(Some(Frame::Composite { id, next: 1 }), m.type_id, false),
                    None => Step::Answer(self.ordered_composite(id)),
                }
            }
            Kind::ENUM | Kind::ENUM64 | Kind::FWD => {
                if t.name_off() != 0 || self.flags(id) & flag::REFERENCED == 0 {
                    self.queue.push(id);
                }
                self.set_order(id, flag::ORDERED);
                Step::Answer(true)
            }
            Kind::TYPEDEF => Step::Call(
                Some(Frame::Typedef { id, through_ptr }),
                t.type_id(),
                through_ptr,
            ),
            Kind::VOLATILE | Kind::CONST | Kind::RESTRICT | Kind::TYPE_TAG => {
                Step::Call(None, t.type_id(), through_ptr)
            }
            Kind::FUNC_PROTO => Step::Call(
                Some(Frame::Proto {
                    id,
                    next: 0,
                    through_ptr,
                    strong: false,
                }),
                t.type_id(),
                through_ptr,
            ),
            Kind::FUNC | Kind::VAR | Kind::DATASEC | Kind::DECL_TAG => {
                self.set_order(id, flag::ORDERED);
                Step::Answer(false)
            }
            kind => return Err(HeaderError::UnknownKind { id, kind }),
        })
    }

    /// Gives a frame its child's answer.
    fn resume(&mut self, frame: Frame, answer: bool) -> Resume {
        match frame {
            Frame::Ptr(id) => {
                self.set_order(id, flag::ORDERED);
                Resume::Done(answer)
            }
            Frame::Composite { id, next } => match self.btf.ty(id).member_layout(next) {
                Some(m) => Resume::Call(Frame::Composite { id, next: next + 1 }, m.type_id, false),
                None => Resume::Done(self.ordered_composite(id)),
            },
            Frame::Typedef { id, through_ptr } => {
                if through_ptr && !answer {
                    return Resume::Done(false);
                }
                self.queue.push(id);
                self.set_order(id, flag::ORDERED);
                Resume::Done(true)
            }
            Frame::Proto {
                id,
                next,
                through_ptr,
                strong,
            } => {
                let strong = strong || answer;
                match self.btf.ty(id).param_type(next) {
                    Some(param) => Resume::Call(
                        Frame::Proto {
                            id,
                            next: next + 1,
                            through_ptr,
                            strong,
                        },
                        param,
                        through_ptr,
                    ),
                    None => Resume::Done(strong),
                }
            }
        }
    }

    fn ordered_composite(&mut self, id: TypeId) -> bool {
        if self.btf.ty(id).name_off() != 0 {
            self.queue.push(id);
        }
        self.set_order(id, flag::ORDERED);
        true
    }
}
