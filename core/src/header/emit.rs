//! Phase 2 of a root: libbpf's `btf_dump_emit_type`, which prints each queued type and the
//! forward declarations it needs (../shared/spec/header-spec.md §3.2).
//!
//! `cont` is the named aggregate whose definition is being prepared (0 at top level): a
//! reference back to it needs no forward declaration. Outline:
//! 1. EMITTED → nothing. EMITTING (we came back to a type in progress) → unless a forward
//!    declaration was printed already: an aggregate other than `cont` gets `struct X;`
//!    (an anonymous one warns about a loop), a typedef gets its full definition early.
//! 2. INT → registers its name (and prints the `__Poly*` aliases); ENUM → its definition at
//!    top level only; FWD → `struct X;`; pointers, modifiers, arrays → their target.
//! 3. TYPEDEF → EMITTING, its target with `cont` = the typedef, then its definition unless
//!    printed early.
//! 4. STRUCT/UNION → EMITTING; at top level or when anonymous, visit every member (with `cont`
//!    = this type if named); otherwise print a forward declaration once. Then the definition
//!    at top level (EMITTED), or back to NONE so the definition still comes later.
//! 5. FUNC_PROTO → return type and parameters. FUNC, VAR, DATASEC, DECL_TAG → nothing.
//!
//! Like ordering, this runs on an explicit stack.

use crate::btf::{Kind, Type, TypeId};

use super::diag::{HeaderError, Warning};
use super::dumper::{flag, Dumper, Namespace};
use super::sink::{Mark, Sink};

/// A type whose children are being emitted.
#[derive(Debug, Clone, Copy)]
pub(super) enum Frame {
    /// A typedef waiting for its target.
    Typedef(TypeId),
    /// An aggregate visiting its members: `next` is the member after the current one.
    Composite {
        id: TypeId,
        next: u32,
        member_cont: TypeId,
        top: bool,
    },
    /// A prototype visiting its return type (`next == 0`) and parameters.
    Proto { id: TypeId, next: u32, cont: TypeId },
}

/// The GCC-only base types libbpf aliases to standard ones (`btf_dump_emit_missing_aliases`).
const MISSING_BASE_TYPES: [(&str, &str); 4] = [
    ("__Poly8_t", "unsigned char"),
    ("__Poly16_t", "unsigned short"),
    ("__Poly64_t", "unsigned long long"),
    ("__Poly128_t", "unsigned __int128"),
];

impl<S: Sink> Dumper<'_, S> {
    /// Emits `root` (cont 0) and everything it reaches that has not been emitted yet.
    pub(super) fn emit(&mut self, root: TypeId) -> Result<(), HeaderError> {
        let mut stack = std::mem::take(&mut self.emit_stack);
        stack.clear();
        let result = self.emit_with(root, &mut stack);
        self.emit_stack = stack;
        result
    }

    fn emit_with(&mut self, root: TypeId, stack: &mut Vec<Frame>) -> Result<(), HeaderError> {
        let mut next = Some((root, TypeId::VOID));
        while let Some((id, cont)) = next.take() {
            if let Some((frame, child, child_cont)) = self.enter_emit(id, cont)? {
                stack.push(frame);
                next = Some((child, child_cont));
                continue;
            }
            while let Some(frame) = stack.pop() {
                if let Some((frame, child, child_cont)) = self.resume_emit(frame)? {
                    stack.push(frame);
                    next = Some((child, child_cont));
                    break;
                }
            }
        }
        Ok(())
    }

    /// Steps 1–5 for a type reached fresh; returns the frame and first child if it has any.
    fn enter_emit(
        &mut self,
        mut id: TypeId,
        cont: TypeId,
    ) -> Result<Option<(Frame, TypeId, TypeId)>, HeaderError> {
        // Pointers, modifiers and arrays pass straight through to their target.
        loop {
            let state = self.flags(id) & flag::EMIT_MASK;
            if state == flag::EMITTED {
                return Ok(None);
            }
            let t = self.btf.ty(id);
            if state == flag::EMITTING {
                self.reenter(&t, cont)?;
                return Ok(None);
            }
            match t.kind() {
                Kind::INT => {
                    self.missing_alias(id);
                    self.set_emit(id, flag::EMITTED);
                }
                Kind::ENUM | Kind::ENUM64 => {
                    if cont.is_void() {
                        self.begin(Mark::Definition { id, forward: false });
                        self.enum_def(id, 0);
                        self.text(";\n\n");
                        self.end();
                    }
                    self.set_emit(id, flag::EMITTED);
                }
                Kind::PTR | Kind::VOLATILE | Kind::CONST | Kind::RESTRICT | Kind::TYPE_TAG => {
                    id = t.type_id();
                    continue;
                }
                Kind::ARRAY => {
                    id = t.array().elem;
                    continue;
                }
                Kind::FWD => {
                    self.begin(Mark::Definition { id, forward: true });
                    self.fwd_def(id);
                    self.text(";\n\n");
                    self.end();
                    self.set_emit(id, flag::EMITTED);
                }
                Kind::TYPEDEF => {
                    self.set_emit(id, flag::EMITTING);
                    return Ok(Some((Frame::Typedef(id), t.type_id(), id)));
                }
                Kind::STRUCT | Kind::UNION => {
                    self.set_emit(id, flag::EMITTING);
                    let top = cont.is_void();
                    let anon = t.name_off() == 0;
                    if top || anon {
                        let member_cont = if anon { cont } else { id };
                        if let Some(m) = t.member_layout(0) {
                            let frame = Frame::Composite {
                                id,
                                next: 1,
                                member_cont,
                                top,
                            };
                            return Ok(Some((frame, m.type_id, member_cont)));
                        }
                    } else if self.flags(id) & flag::FWD_EMITTED == 0 && id != cont {
                        self.top_level_fwd(id);
                    }
                    self.finish_composite(id, top)?;
                }
                Kind::FUNC_PROTO => {
                    let frame = Frame::Proto { id, next: 0, cont };
                    return Ok(Some((frame, t.type_id(), cont)));
                }
                _ => {}
            }
            return Ok(None);
        }
    }

    /// Continues a frame after its current child: the next child, or `None` when done.
    fn resume_emit(
        &mut self,
        frame: Frame,
    ) -> Result<Option<(Frame, TypeId, TypeId)>, HeaderError> {
        match frame {
            Frame::Typedef(id) => {
                if self.flags(id) & flag::FWD_EMITTED == 0 && !self.is_blacklisted(id) {
                    self.top_level_typedef(id)?;
                }
                self.set_emit(id, flag::EMITTED);
                Ok(None)
            }
            Frame::Composite {
                id,
                next,
                member_cont,
                top,
            } => match self.btf.ty(id).member_layout(next) {
                Some(m) => {
                    let frame = Frame::Composite {
                        id,
                        next: next + 1,
                        member_cont,
                        top,
                    };
                    Ok(Some((frame, m.type_id, member_cont)))
                }
                None => {
                    self.finish_composite(id, top)?;
                    Ok(None)
                }
            },
            Frame::Proto { id, next, cont } => Ok(self.btf.ty(id).param_type(next).map(|param| {
                let frame = Frame::Proto {
                    id,
                    next: next + 1,
                    cont,
                };
                (frame, param, cont)
            })),
        }
    }

    /// Step 1 for a type already being emitted.
    fn reenter(&mut self, t: &Type<'_>, cont: TypeId) -> Result<(), HeaderError> {
        let id = t.id();
        if self.flags(id) & flag::FWD_EMITTED != 0 {
            return Ok(());
        }
        match t.kind() {
            Kind::STRUCT | Kind::UNION => {
                if id == cont {
                    return Ok(());
                }
                if t.name_off() == 0 {
                    self.warn(Warning::AnonymousLoop(id));
                    return Ok(());
                }
                self.top_level_fwd(id);
            }
            Kind::TYPEDEF => {
                if !self.is_blacklisted(id) {
                    self.top_level_typedef(id)?;
                }
                self.set(id, flag::FWD_EMITTED);
            }
            _ => {}
        }
        Ok(())
    }

    /// The end of step 4: the full definition at top level, else back to "not emitted".
    fn finish_composite(&mut self, id: TypeId, top: bool) -> Result<(), HeaderError> {
        if top {
            self.begin(Mark::Definition { id, forward: false });
            self.struct_def(id, 0)?;
            self.text(";\n\n");
            self.end();
            self.set_emit(id, flag::EMITTED);
        } else {
            self.set_emit(id, 0);
        }
        Ok(())
    }

    /// `struct X;` / `union X;` at top level, remembered so it is printed once.
    fn top_level_fwd(&mut self, id: TypeId) {
        self.begin(Mark::Definition { id, forward: true });
        self.struct_fwd(id);
        self.text(";\n\n");
        self.end();
        self.set(id, flag::FWD_EMITTED);
    }

    fn top_level_typedef(&mut self, id: TypeId) -> Result<(), HeaderError> {
        self.begin(Mark::Definition { id, forward: false });
        self.typedef_def(id, 0)?;
        self.text(";\n\n");
        self.end();
        Ok(())
    }

    /// `__builtin_va_list` is a compiler built-in: its typedef is never printed.
    fn is_blacklisted(&self, id: TypeId) -> bool {
        let t = self.btf.ty(id);
        t.name_off() != 0 && t.name() == "__builtin_va_list"
    }

    /// Registers an INT's name (a side effect libbpf has) and aliases GCC's `__Poly*` types.
    fn missing_alias(&mut self, id: TypeId) {
        let name = self.resolve_name(id, Namespace::Types);
        if let Some(&(_, base)) = MISSING_BASE_TYPES
            .iter()
            .find(|(poly, _)| name.dup <= 1 && *poly == name.raw)
        {
            self.begin(Mark::Definition { id, forward: false });
            self.text("typedef ");
            self.text(base);
            self.text(" ");
            self.put_name(name);
            self.text(";\n\n");
            self.end();
        }
    }
}
