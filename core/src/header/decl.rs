//! C syntax: declarators (libbpf's `btf_dump_emit_type_decl` / `_type_chain`) and the bodies
//! of structs, unions, enums and typedefs (../shared/spec/header-spec.md §4).
//!
//! A declarator is built in two steps. First the chain of types from the declared type down
//! to a terminal (void, INT, FLOAT, ENUM, FWD, STRUCT/UNION, TYPEDEF) is pushed on a shared
//! stack, following pointers, modifiers, type tags, arrays and prototype return types. Then
//! the chain is rendered from the terminal outward: qualifiers directly outward of a base
//! type are written before it (`const int`), pointers as `*` / ` *`, an array or prototype
//! with something still outward wraps that in parentheses (`(*fp)(int)`, `(*arr)[8]`), and
//! qualifiers and tags on arrays and prototypes are dropped. The name comes last.
//!
//! Anonymous aggregates and enums print their whole body inline, so rendering nests; the
//! nesting is bounded by [`MAX_NESTING`](super::MAX_NESTING).

use crate::btf::{Kind, TypeId};

use super::diag::{HeaderError, Warning};
use super::dumper::{Dumper, Namespace};
use super::names::Name;
use super::padding::padding;
use super::profile::EmptyParams;
use super::sink::Sink;
use super::text::{newline_indent, signed, Dec};
use super::MAX_NESTING;

impl<'a, S: Sink> Dumper<'a, S> {
    /// One more level of nesting, refused past [`MAX_NESTING`].
    fn nest(&mut self, id: TypeId) -> Result<(), HeaderError> {
        if self.depth >= MAX_NESTING {
            return Err(HeaderError::TooDeep(id));
        }
        self.depth += 1;
        Ok(())
    }

    /// The declarator of type `id` declaring `name` (which may be empty), at indent `lvl`.
    pub(super) fn decl(
        &mut self,
        id: TypeId,
        name: Name<'a>,
        lvl: usize,
    ) -> Result<(), HeaderError> {
        self.nest(id)?;
        let start = self.decl_stack.len();
        let mut cur = id;
        loop {
            self.decl_stack.push(cur.0);
            if cur.is_void() {
                break;
            }
            let t = self.btf.ty(cur);
            cur = match t.kind() {
                Kind::PTR
                | Kind::VOLATILE
                | Kind::CONST
                | Kind::RESTRICT
                | Kind::FUNC_PROTO
                | Kind::TYPE_TAG => t.type_id(),
                Kind::ARRAY => t.array().elem,
                Kind::INT
                | Kind::ENUM
                | Kind::ENUM64
                | Kind::FWD
                | Kind::STRUCT
                | Kind::UNION
                | Kind::TYPEDEF
                | Kind::FLOAT => break,
                kind => {
                    self.warn(Warning::UnexpectedInDecl { kind, id: cur });
                    break;
                }
            };
        }
        let cnt = self.decl_stack.len() - start;
        let result = self.chain(start, cnt, name, lvl);
        self.decl_stack.truncate(start);
        self.depth -= 1;
        result
    }

    /// Renders the chain `decl_stack[start..start + cnt]`, terminal last (rendered first).
    fn chain(
        &mut self,
        start: usize,
        mut cnt: usize,
        name: Name<'a>,
        lvl: usize,
    ) -> Result<(), HeaderError> {
        let mut last_was_ptr = true;
        while cnt > 0 {
            cnt -= 1;
            let id = TypeId(self.decl_stack[start + cnt]);
            if id.is_void() {
                cnt = self.prefix_qualifiers(start, cnt);
                self.text("void");
                last_was_ptr = false;
                continue;
            }
            let t = self.btf.ty(id);
            let kind = t.kind();
            match kind {
                Kind::INT | Kind::FLOAT => {
                    cnt = self.prefix_qualifiers(start, cnt);
                    self.text(t.name());
                }
                Kind::STRUCT | Kind::UNION => {
                    cnt = self.prefix_qualifiers(start, cnt);
                    if t.name_off() == 0 {
                        self.struct_def(id, lvl)?;
                    } else {
                        self.struct_fwd(id);
                    }
                }
                Kind::ENUM | Kind::ENUM64 => {
                    cnt = self.prefix_qualifiers(start, cnt);
                    if t.name_off() == 0 {
                        self.enum_def(id, lvl);
                    } else {
                        self.enum_fwd(id);
                    }
                }
                Kind::FWD => {
                    cnt = self.prefix_qualifiers(start, cnt);
                    self.fwd_def(id);
                }
                Kind::TYPEDEF => {
                    cnt = self.prefix_qualifiers(start, cnt);
                    let n = self.resolve_name(id, Namespace::Idents);
                    self.put_ref(id, n);
                }
                Kind::PTR => self.text(if last_was_ptr { "*" } else { " *" }),
                Kind::VOLATILE => self.text(" volatile"),
                Kind::CONST => self.text(" const"),
                Kind::RESTRICT => self.text(" restrict"),
                Kind::TYPE_TAG => {
                    cnt = self.prefix_qualifiers(start, cnt);
                    if t.kflag() && self.feat.type_tag_attr_kflag {
                        self.text(" __attribute__((");
                        self.text(t.name());
                        self.text("))");
                    } else {
                        self.text(" __attribute__((btf_type_tag(\"");
                        self.text(t.name());
                        self.text("\")))");
                    }
                }
                Kind::ARRAY => {
                    // Qualifiers on arrays (a GCC quirk) are dropped.
                    cnt = self.drop_qualifiers(start, cnt);
                    let nelems = t.array().nelems;
                    if cnt == 0 {
                        self.put_decl_name(name, last_was_ptr);
                    } else {
                        let outward = self.btf.ty(TypeId(self.decl_stack[start + cnt - 1]));
                        let multidim = outward.kind() == Kind::ARRAY;
                        if !name.is_empty() && !last_was_ptr {
                            self.text(" ");
                        }
                        if !multidim {
                            self.text("(");
                        }
                        self.nest(id)?;
                        let r = self.chain(start, cnt, name, lvl);
                        self.depth -= 1;
                        r?;
                        if !multidim {
                            self.text(")");
                        }
                    }
                    self.text("[");
                    self.num(u64::from(nelems));
                    self.text("]");
                    return Ok(());
                }
                Kind::FUNC_PROTO => {
                    // GCC marks noreturn function pointers volatile: dropped too.
                    cnt = self.drop_qualifiers(start, cnt);
                    if cnt > 0 {
                        self.text(" (");
                        self.nest(id)?;
                        let r = self.chain(start, cnt, name, lvl);
                        self.depth -= 1;
                        r?;
                        self.text(")");
                    } else {
                        self.put_decl_name(name, last_was_ptr);
                    }
                    return self.params(id, lvl);
                }
                kind => {
                    self.warn(Warning::UnexpectedInDecl { kind, id });
                    return Ok(());
                }
            }
            last_was_ptr = kind == Kind::PTR;
        }
        self.put_decl_name(name, last_was_ptr);
        Ok(())
    }

    /// `(int a, char *b)`, `(const char *fmt, ...)`, `(void)` (or `()`, per profile).
    fn params(&mut self, id: TypeId, lvl: usize) -> Result<(), HeaderError> {
        let t = self.btf.ty(id);
        self.text("(");
        let vlen = t.vlen();
        let only_void = vlen == 1 && t.param(0).is_some_and(|p| p.type_id.is_void());
        if vlen == 0 || only_void {
            self.text(match self.feat.empty_params {
                EmptyParams::Void => "void)",
                EmptyParams::Empty => ")",
            });
            return Ok(());
        }
        for (i, p) in t.params().enumerate() {
            if i > 0 {
                self.text(", ");
            }
            if i + 1 == vlen as usize && p.type_id.is_void() {
                self.text("...");
                break;
            }
            self.decl(p.type_id, Name::plain(p.name), lvl)?;
        }
        self.text(")");
        Ok(())
    }

    /// Writes `const `/`volatile `/`restrict ` for the qualifiers directly outward of a base
    /// type, consuming them; returns the new chain length.
    fn prefix_qualifiers(&mut self, start: usize, mut cnt: usize) -> usize {
        while cnt > 0 {
            let t = self.btf.ty(TypeId(self.decl_stack[start + cnt - 1]));
            let q = match t.kind() {
                Kind::VOLATILE => "volatile ",
                Kind::CONST => "const ",
                Kind::RESTRICT => "restrict ",
                _ => break,
            };
            self.text(q);
            cnt -= 1;
        }
        cnt
    }

    /// Skips qualifiers and type tags directly outward (libbpf's `btf_dump_drop_mods`).
    fn drop_qualifiers(&self, start: usize, mut cnt: usize) -> usize {
        while cnt > 0
            && self
                .btf
                .ty(TypeId(self.decl_stack[start + cnt - 1]))
                .kind()
                .is_modifier()
        {
            cnt -= 1;
        }
        cnt
    }

    /// The declared name, separated by a space unless it follows a `*` (or is empty).
    fn put_decl_name(&mut self, name: Name<'a>, last_was_ptr: bool) {
        if !name.is_empty() && !last_was_ptr {
            self.text(" ");
        }
        self.put_name(name);
    }

    /// `struct NAME` / `union NAME` (the name a reference).
    pub(super) fn struct_fwd(&mut self, id: TypeId) {
        let t = self.btf.ty(id);
        self.text(if t.kind() == Kind::UNION {
            "union"
        } else {
            "struct"
        });
        if t.name_off() != 0 {
            self.text(" ");
        }
        let n = self.resolve_name(id, Namespace::Types);
        self.put_ref(id, n);
    }

    /// A FWD: `union NAME` with kflag, else `struct NAME`.
    pub(super) fn fwd_def(&mut self, id: TypeId) {
        let n = self.resolve_name(id, Namespace::Types);
        self.text(if self.btf.ty(id).kflag() {
            "union "
        } else {
            "struct "
        });
        self.put_ref(id, n);
    }

    /// `enum NAME` for a named enum used in a declarator.
    fn enum_fwd(&mut self, id: TypeId) {
        let n = self.resolve_name(id, Namespace::Types);
        self.text("enum ");
        self.put_ref(id, n);
    }

    /// `typedef <declarator of the target named after the typedef>`, the name resolved first.
    pub(super) fn typedef_def(&mut self, id: TypeId, lvl: usize) -> Result<(), HeaderError> {
        let t = self.btf.ty(id);
        let name = self.resolve_name(id, Namespace::Idents);
        // Old GCC emits `__gnuc_va_list` as a typedef of void.
        if t.type_id().is_void() && name.dup <= 1 && name.raw == "__gnuc_va_list" {
            self.text("typedef __builtin_va_list __gnuc_va_list");
            return Ok(());
        }
        self.text("typedef ");
        self.decl(t.type_id(), name, lvl)
    }

    /// A struct or union body (§4.2): members with explicit padding, `packed` when the layout
    /// needs it.
    pub(super) fn struct_def(&mut self, id: TypeId, lvl: usize) -> Result<(), HeaderError> {
        let t = self.btf.ty(id);
        let is_struct = t.kind() == Kind::STRUCT;
        let align = self.align_of(id);
        let packed = is_struct && self.is_packed(id);
        self.text(if is_struct { "struct" } else { "union" });
        if t.name_off() != 0 {
            self.text(" ");
        }
        let n = self.resolve_name(id, Namespace::Types);
        self.put_name(n);
        self.text(" {");
        // Offsets are C `int`s in libbpf; the truncations below are deliberate.
        let mut off: i32 = 0;
        let mut prev_bitfield = false;
        for m in t.members() {
            let m_sz = m.bitfield_size as i32;
            let m_off = m.bit_offset as i32;
            let m_align = if packed {
                1
            } else {
                self.align_of(m.type_id) as i32
            };
            let in_bitfield = prev_bitfield && m_sz != 0;
            self.pad(off, m_off, m_align, in_bitfield, lvl + 1);
            self.text(newline_indent(lvl + 1));
            self.decl(m.type_id, Name::plain(m.name), lvl + 1)?;
            if m_sz != 0 {
                self.text(": ");
                self.num(u64::from(m.bitfield_size));
                off = m_off.wrapping_add(m_sz);
                prev_bitfield = true;
            } else {
                let size = self.btf.resolve_size(m.type_id).unwrap_or(0) as i32;
                off = m_off.wrapping_add(size.wrapping_mul(8));
                prev_bitfield = false;
            }
            self.text(";");
        }
        if is_struct {
            let end = t.size().wrapping_mul(8) as i32;
            self.pad(off, end, align as i32, false, lvl + 1);
        }
        if t.vlen() != 0 || t.size() != 0 {
            self.text(newline_indent(lvl));
        }
        self.text("}");
        if packed {
            self.text(" __attribute__((packed))");
        }
        Ok(())
    }

    /// libbpf's `btf_is_struct_packed`: a non-bitfield member off its natural alignment, or a
    /// size that is not a multiple of the largest member alignment.
    fn is_packed(&mut self, id: TypeId) -> bool {
        let t = self.btf.ty(id);
        let mut max = 1u32;
        for m in t.member_layouts() {
            let a = self.align_of(m.type_id);
            if a != 0 && m.bitfield_size == 0 && m.raw_offset % a.wrapping_mul(8).max(1) != 0 {
                return true;
            }
            max = max.max(a);
        }
        !t.size().is_multiple_of(max)
    }

    fn pad(&mut self, cur: i32, next: i32, next_align: i32, in_bitfield: bool, lvl: usize) {
        let ptr_size = self.ptr_size;
        let buf = &mut self.buf;
        padding(
            cur,
            next,
            next_align,
            in_bitfield,
            ptr_size,
            |unit, bits| {
                buf.push_str(newline_indent(lvl));
                buf.push_str(unit);
                buf.push_str(": ");
                let (sign, digits) = signed(bits);
                buf.push_str(sign);
                buf.push_str(digits.as_str());
                buf.push(';');
            },
        );
    }

    /// An enum body (§4.4): every enumerator counted in the identifier namespace, values in
    /// decimal by signedness and width, and the size attribute when the profile has it.
    pub(super) fn enum_def(&mut self, id: TypeId, lvl: usize) {
        let btf = self.btf;
        let t = btf.ty(id);
        let is64 = t.kind() == Kind::ENUM64;
        self.text("enum");
        if t.name_off() != 0 {
            self.text(" ");
        }
        let n = self.resolve_name(id, Namespace::Types);
        self.put_name(n);
        if t.vlen() == 0 {
            return;
        }
        self.text(" {");
        let is_signed = t.kflag();
        let mut any_high = false;
        for e in t.enum_values() {
            any_high |= e.hi != 0;
            let dup = self.idents.bump(btf, e.name_off);
            self.text(newline_indent(lvl + 1));
            self.text(e.name);
            if dup > 1 {
                self.enum_suffix.entry((id.0, e.index)).or_insert(dup);
                self.text("___");
                self.num(u64::from(dup));
            }
            self.text(" = ");
            let (sign, digits, suffix) = match (is64, is_signed) {
                (false, false) => ("", Dec::u64(u64::from(e.lo)), ""),
                (false, true) => {
                    let (s, d) = signed(i64::from(e.lo as i32));
                    (s, d, "")
                }
                (true, false) => ("", Dec::u64(e.raw()), "ULL"),
                (true, true) => {
                    let (s, d) = signed(e.raw() as i64);
                    (s, d, "LL")
                }
            };
            self.text(sign);
            self.text(digits.as_str());
            self.text(suffix);
            self.text(",");
        }
        self.text(newline_indent(lvl));
        self.text("}");
        if self.feat.enum_mode_attrs {
            if t.size() == 1 {
                self.text(" __attribute__((mode(byte)))");
            } else if t.size() == 8 && self.ptr_size == 8 && (!is64 || !any_high) {
                self.text(" __attribute__((mode(word)))");
            }
        }
    }
}
