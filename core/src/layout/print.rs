//! pahole 1.24's text: `__class__fprintf`, `union__fprintf`, `class_member__fprintf` from
//! `dwarves_fprintf.c` (type names are in `types.rs`), for the default
//! configuration (`pahole -F btf -C NAME`): types padded to 26 columns, names to 23 (21 in a
//! union), offsets in decimal, statistics at the outermost level only.
//!
//! pahole's quirks are kept on purpose (they are what users compare against): `const char  *`
//! with two spaces, `int matrix[4][3]` for `int matrix[3][4]`, `int (*fps)(void)[4]`, the
//! `single` prefix of BTF floats, `<ERROR…>` for type tags its BTF loader does not know,
//! truncation of long type names to its 127-byte buffers.

use std::fmt::Write as _;

use crate::btf::{Btf, Type, TypeId};

use super::model::{
    is_aggregate, is_struct, is_union, named, nr_members, size_of, tag, Cache, Member, CACHELINE,
};

/// pahole's tab string: at most 16 tabs.
pub(super) fn tabs(n: usize) -> &'static str {
    const TABS: &str = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    &TABS[..n.min(TABS.len())]
}

/// C's `%-*s` / `%*s`: pad `s` to `|width|`, on the right when `left` or the width is negative.
pub(super) fn pad(out: &mut String, s: &str, width: i64, left: bool) {
    let w = width.unsigned_abs() as usize;
    let fill = w.saturating_sub(s.len());
    if left || width < 0 {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(s);
    }
}

/// Cuts `s` to what a C buffer of `size` bytes holds (`size - 1` bytes).
pub(super) fn fit(mut s: String, size: usize) -> String {
    if s.len() >= size {
        let mut cut = size - 1;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// `tag__id_not_found_snprintf`: pahole names its own function and source line.
pub(super) fn not_found_snprintf(func: &str, line: u32, id: TypeId) -> String {
    format!("<ERROR({func}:{line}): {:#x} not found!>", id.0)
}

/// `tag__id_not_found_fprintf` (a decimal id and a newline).
pub(super) fn not_found_fprintf(func: &str, line: u32, id: TypeId) -> String {
    format!("<ERROR({func}:{line}): {} not found!>\n", id.0)
}

/// pahole's `conf_fprintf`, the fields that matter here.
#[derive(Debug, Clone)]
pub(super) struct Conf {
    pub indent: usize,
    pub type_spacing: i64,
    pub name_spacing: i64,
    pub base_offset: u32,
    pub rel_offset: bool,
    pub suffix: Option<String>,
    pub emit_stats: bool,
    pub union_member: bool,
    pub first_member: bool,
    pub last_member: bool,
}

/// The name argument of `type__fprintf`: absent (NULL), a member name, or pahole's
/// `"* name"` buffer for pointers to anonymous aggregates.
#[derive(Debug, Clone)]
pub(super) enum Name {
    Null,
    Plain(String),
    PtrToAnon(String),
}

impl Name {
    pub fn text(&self) -> &str {
        match self {
            Name::Null => "",
            Name::Plain(s) | Name::PtrToAnon(s) => s,
        }
    }

    /// The name as an inline aggregate's suffix (none for NULL).
    pub fn as_suffix(&self) -> Option<String> {
        match self {
            Name::Null => None,
            Name::Plain(s) | Name::PtrToAnon(s) => Some(s.clone()),
        }
    }

    /// `%s` of a possibly NULL name, as glibc prints it.
    pub fn printf(&self) -> &str {
        match self {
            Name::Null => "(null)",
            Name::Plain(s) | Name::PtrToAnon(s) => s,
        }
    }
}

/// Prints one struct or union as `pahole -C` does.
pub(super) struct Printer<'a> {
    pub btf: &'a Btf,
    pub cache: Cache,
    cacheline: u32,
    /// Inline aggregates being printed (bounded by `MAX_INLINE_DEPTH`: an anonymous struct
    /// that embeds itself would make pahole recurse until it crashes).
    pub depth: usize,
    pub out: String,
}

impl<'a> Printer<'a> {
    pub fn new(btf: &'a Btf) -> Self {
        Printer {
            btf,
            cache: Cache::default(),
            cacheline: 0,
            depth: 0,
            out: String::new(),
        }
    }

    fn name_of(&self, t: &Type<'a>) -> &'a str {
        t.name()
    }

    /// `tag__fprintf` of a struct or union at top level, then pahole's newline.
    pub fn top_level(&mut self, id: TypeId) {
        let t = self.btf.ty(id);
        let conf = Conf {
            indent: 0,
            type_spacing: 26,
            name_spacing: if is_union(&t) { 21 } else { 23 },
            base_offset: 0,
            rel_offset: false,
            suffix: None,
            emit_stats: true,
            union_member: false,
            first_member: false,
            last_member: false,
        };
        if is_union(&t) {
            self.union(&t, conf);
        } else {
            self.class(&t, conf);
        }
        self.out.push_str(";\n");
    }

    /// `class__fprintf_cacheline_boundary`.
    fn cacheline_boundary(&mut self, conf: &Conf, offset: u32) {
        let cacheline = offset / CACHELINE;
        if cacheline > self.cacheline {
            let pos = offset % CACHELINE;
            let bytes = offset - pos;
            if pos == 0 {
                let _ = writeln!(
                    self.out,
                    "/* --- cacheline {cacheline} boundary ({bytes} bytes) --- */"
                );
            } else {
                let _ = writeln!(
                    self.out,
                    "/* --- cacheline {cacheline} boundary ({bytes} bytes) was {pos} byte{} ago --- */",
                    if pos > 1 { "s" } else { "" }
                );
            }
            self.out.push_str(tabs(conf.indent));
            self.cacheline = cacheline;
        }
    }

    /// `__class__fprintf`.
    pub(super) fn class(&mut self, t: &Type<'a>, conf: Conf) {
        let btf = self.btf;
        self.out.push_str("struct");
        if named(t) {
            self.out.push(' ');
            self.out.push_str(self.name_of(t));
        }
        let indent = conf.indent.min(16);
        let mut cconf = conf.clone();
        cconf.indent = indent + 1;
        let packed = self.cache.infer_packed(btf, t.id());
        self.out.push_str(" {\n");
        let class = self.cache.class(btf, t.id());
        let mut newline: u8 = 0;
        let (mut sum_bytes, mut sum_bits, mut sum_holes, mut sum_bit_holes) =
            (0u32, 0u32, 0u32, 0u32);
        let (mut nr_paddings, mut sum_paddings) = (0u16, 0u32);
        let (mut nr_forced, mut nr_forced_holes, mut sum_forced_holes) = (0u16, 0u16, 0u32);
        let ci = tabs(cconf.indent);
        if class.pre_bit_hole > 0 {
            if newline == 0 {
                self.out.push('\n');
            }
            newline = newline.wrapping_add(1);
            let h = class.pre_bit_hole;
            let _ = writeln!(
                self.out,
                "{ci}/* XXX {h} bit{} hole, try to pack */",
                if h != 1 { "s" } else { "" }
            );
            sum_bit_holes = sum_bit_holes.wrapping_add(u32::from(h));
        }
        if class.pre_hole > 0 {
            if newline == 0 {
                self.out.push('\n');
            }
            newline = newline.wrapping_add(1);
            let h = class.pre_hole;
            let _ = writeln!(
                self.out,
                "{ci}/* XXX {h} byte{} hole, try to pack */",
                if h != 1 { "s" } else { "" }
            );
            sum_holes = sum_holes.wrapping_add(u32::from(h));
        }
        let mut last: Option<Member> = None;
        let mut last_size: u64 = 0;
        let count = class.members.len();
        for (i, pos) in class.members.iter().enumerate() {
            if pos.alignment != 0 {
                let forced_hole = last.map_or(class.pre_hole, |l| l.hole);
                if forced_hole != 0 {
                    nr_forced_holes = nr_forced_holes.wrapping_add(1);
                    sum_forced_holes = sum_forced_holes.wrapping_add(u32::from(forced_hole));
                }
                nr_forced = nr_forced.wrapping_add(1);
            }
            if let Some(l) = last.filter(|_| last_size != 0) {
                if l.bit_hole != 0 && pos.bitfield_size != 0 {
                    let mut bitfield_size = l.bit_hole;
                    let Some(pos_type) = tag(btf, pos.type_id) else {
                        self.out.push_str(ci);
                        self.out.push_str(&not_found_fprintf(
                            "__class__fprintf",
                            1546,
                            pos.type_id,
                        ));
                        continue;
                    };
                    if l.byte_offset != pos.byte_offset {
                        let _ = writeln!(
                            self.out,
                            "\n{ci}/* Force alignment to the next boundary: */"
                        );
                        bitfield_size = 0;
                    }
                    self.out.push_str(ci);
                    self.type_fprintf(Some(pos_type), Name::Plain(String::new()), cconf.clone());
                    let _ = writeln!(self.out, ":{bitfield_size};");
                }
                if pos.byte_offset < l.byte_offset
                    || (pos.byte_offset == l.byte_offset
                        && l.bitfield_size == 0
                        && pos.bitfield_size != 0)
                {
                    if newline == 0 {
                        self.out.push('\n');
                    }
                    newline = newline.wrapping_add(1);
                    let _ = writeln!(self.out, "{ci}/* Bitfield combined with previous fields */");
                } else {
                    let cc = i64::from(pos.byte_offset) - i64::from(l.byte_offset);
                    if cc > 0 && (cc as u64) < last_size {
                        if newline == 0 {
                            self.out.push('\n');
                        }
                        newline = newline.wrapping_add(1);
                        let _ = writeln!(self.out, "{ci}/* Bitfield combined with next fields */");
                    }
                }
            }
            if newline != 0 {
                self.out.push('\n');
                newline = 0;
            }
            let Some(pos_type) = tag(btf, pos.type_id) else {
                self.out.push_str(ci);
                self.out
                    .push_str(&not_found_fprintf("__class__fprintf", 1609, pos.type_id));
                continue;
            };
            cconf.last_member = i + 1 == count;
            cconf.first_member = last.is_none();
            let size = pos.byte_size;
            self.out.push_str(ci);
            self.member(pos, false, &pos_type, cconf.clone());
            if is_struct(&pos_type) {
                let tclass = self.cache.class(btf, pos_type.id());
                self.cache.infer_packed(btf, pos_type.id());
                let padding = tclass.padding;
                if padding > 0 {
                    nr_paddings = nr_paddings.wrapping_add(1);
                    sum_paddings = sum_paddings.wrapping_add(u32::from(padding));
                    if newline == 0 {
                        self.out.push('\n');
                    }
                    newline = newline.wrapping_add(1);
                    let _ = write!(
                        self.out,
                        "\n{ci}/* XXX last struct has {padding} byte{} of padding */",
                        if padding != 1 { "s" } else { "" }
                    );
                }
            }
            if pos.bit_hole != 0 {
                if newline == 0 {
                    self.out.push('\n');
                }
                newline = newline.wrapping_add(1);
                let h = pos.bit_hole;
                let _ = write!(
                    self.out,
                    "\n{ci}/* XXX {h} bit{} hole, try to pack */",
                    if h != 1 { "s" } else { "" }
                );
                sum_bit_holes = sum_bit_holes.wrapping_add(u32::from(h));
            }
            if pos.hole > 0 {
                if newline == 0 {
                    self.out.push('\n');
                }
                newline = newline.wrapping_add(1);
                let h = pos.hole;
                let _ = write!(
                    self.out,
                    "\n{ci}/* XXX {h} byte{} hole, try to pack */",
                    if h != 1 { "s" } else { "" }
                );
                sum_holes = sum_holes.wrapping_add(u32::from(h));
            }
            self.out.push('\n');
            if pos.bitfield_size != 0 {
                sum_bits = sum_bits.wrapping_add(u32::from(pos.bitfield_size));
            } else {
                sum_bytes = sum_bytes.wrapping_add(pos.byte_size as u32);
            }
            match last {
                None => last_size = size,
                Some(l) if last_size == 0 || l.byte_offset != pos.byte_offset => last_size = size,
                Some(l) if l.bitfield_size == 0 && pos.bitfield_size != 0 => last_size = size,
                _ => {}
            }
            last = Some(*pos);
        }
        if conf.emit_stats {
            self.stats(
                t,
                &class,
                &cconf,
                Sums {
                    bytes: sum_bytes,
                    bits: sum_bits,
                    holes: sum_holes,
                    bit_holes: sum_bit_holes,
                    nr_paddings,
                    sum_paddings,
                    nr_forced,
                    nr_forced_holes,
                    sum_forced_holes,
                },
            );
        }
        self.out.push_str(tabs(indent));
        self.out.push('}');
        if packed {
            self.out.push_str(" __attribute__((__packed__))");
        }
        if let Some(s) = &conf.suffix {
            self.out.push(' ');
            self.out.push_str(s);
        }
        if class.alignment != 0 && !packed {
            let _ = write!(
                self.out,
                " __attribute__((__aligned__({})))",
                class.alignment
            );
        }
    }

    /// The statistics block after the members of the outermost struct.
    fn stats(&mut self, t: &Type<'a>, class: &super::model::Class, cconf: &Conf, s: Sums) {
        let ci = tabs(cconf.indent);
        let cachelines = size_of(self.btf, t).div_ceil(u64::from(CACHELINE));
        let _ = writeln!(
            self.out,
            "\n{ci}/* size: {}, cachelines: {cachelines}, members: {} */",
            t.size() as i32,
            nr_members(t)
        );
        if s.holes > 0 || s.bit_holes > 0 {
            if s.bytes > 0 {
                let _ = write!(self.out, "{ci}/* sum members: {}", s.bytes);
                if s.holes > 0 {
                    let _ = write!(
                        self.out,
                        ", holes: {}, sum holes: {}",
                        class.nr_holes, s.holes
                    );
                }
                self.out.push_str(" */\n");
            }
            if s.bits > 0 {
                let _ = write!(self.out, "{ci}/* sum bitfield members: {} bits", s.bits);
                if s.bit_holes > 0 {
                    let _ = write!(
                        self.out,
                        ", bit holes: {}, sum bit holes: {} bits",
                        class.nr_bit_holes, s.bit_holes
                    );
                } else {
                    let _ = write!(self.out, " ({} bytes)", s.bits / 8);
                }
                self.out.push_str(" */\n");
            }
        }
        if class.padding > 0 {
            let _ = writeln!(self.out, "{ci}/* padding: {} */", class.padding);
        }
        if s.nr_paddings > 0 {
            let _ = writeln!(
                self.out,
                "{ci}/* paddings: {}, sum paddings: {} */",
                s.nr_paddings, s.sum_paddings
            );
        }
        if class.bit_padding > 0 {
            let _ = writeln!(
                self.out,
                "{ci}/* bit_padding: {} bits */",
                class.bit_padding
            );
        }
        if s.nr_forced != 0 {
            let _ = write!(self.out, "{ci}/* forced alignments: {}", s.nr_forced);
            if s.nr_forced_holes != 0 {
                let _ = write!(
                    self.out,
                    ", forced holes: {}, sum forced holes: {}",
                    s.nr_forced_holes, s.sum_forced_holes
                );
            }
            self.out.push_str(" */\n");
        }
        let last = cconf.base_offset.wrapping_add(t.size()) % CACHELINE;
        if last != 0 {
            let _ = writeln!(self.out, "{ci}/* last cacheline: {last} bytes */");
        }
        let accounted = s
            .bytes
            .wrapping_mul(8)
            .wrapping_add(s.bits)
            .wrapping_add(s.holes.wrapping_mul(8))
            .wrapping_add(s.bit_holes)
            .wrapping_add(u32::from(class.padding) * 8)
            .wrapping_add(u32::from(class.bit_padding));
        let diff = t.size().wrapping_mul(8).wrapping_sub(accounted) as i32;
        if diff != 0 && nr_members(t) != 0 {
            let _ = writeln!(
                self.out,
                "\n{ci}/* BRAIN FART ALERT! {} bytes != {} (member bytes) + {} (member bits) + {} (byte holes) + {} (bit holes), diff = {diff} bits */",
                t.size() as i32,
                s.bytes,
                s.bits,
                s.holes,
                s.bit_holes
            );
        }
    }

    /// `union__fprintf`.
    pub(super) fn union(&mut self, t: &Type<'a>, conf: Conf) {
        let btf = self.btf;
        let indent = conf.indent.min(16);
        self.out.push_str("union");
        if named(t) {
            self.out.push(' ');
            self.out.push_str(self.name_of(t));
        }
        self.out.push_str(" {\n");
        let mut uconf = conf.clone();
        uconf.indent = indent + 1;
        self.cache.infer_union_packed(btf, t.id());
        let class = self.cache.class(btf, t.id());
        let initial = self.cacheline;
        for pos in &class.members {
            let Some(pos_type) = tag(btf, pos.type_id) else {
                self.out.push_str(tabs(uconf.indent));
                self.out
                    .push_str(&not_found_fprintf("union__fprintf", 1077, pos.type_id));
                continue;
            };
            uconf.union_member = true;
            self.out.push_str(tabs(uconf.indent));
            self.member(pos, true, &pos_type, uconf.clone());
            self.out.push('\n');
            self.cacheline = initial;
        }
        self.out.push_str(tabs(indent));
        self.out.push('}');
        if let Some(s) = &conf.suffix {
            self.out.push(' ');
            self.out.push_str(s);
        }
    }

    /// `class_member__fprintf`.
    fn member(&mut self, m: &Member, union_member: bool, ty: &Type<'a>, conf: Conf) {
        let btf = self.btf;
        let size = m.byte_size as i64 as i32;
        let mut sconf = conf.clone();
        let mut offset = m.byte_offset;
        if !sconf.rel_offset {
            offset = offset.wrapping_add(sconf.base_offset);
            if !union_member {
                sconf.base_offset = offset;
            }
        }
        if m.bitfield_offset < 0 {
            offset = offset.wrapping_add(m.byte_size as u32);
        }
        self.cacheline_boundary(&conf, offset);
        let start = self.out.len();
        let name: Option<&'a str> = (m.name_off != 0).then(|| btf.name(m.name_off));
        let inline_aggregate = is_aggregate(ty);
        if inline_aggregate {
            self.type_fprintf(Some(*ty), Name::Null, sconf.clone());
            if let Some(n) = name {
                if !named(ty) {
                    self.out.push(' ');
                }
                self.out.push_str(n);
            }
        } else {
            let n = name.map_or(Name::Null, |n| Name::Plain(n.to_owned()));
            self.type_fprintf(Some(*ty), n, sconf.clone());
        }
        if m.bitfield_size != 0 {
            let _ = write!(self.out, ":{}", m.bitfield_size);
        }
        let mut alignment_printed = 0i64;
        if m.alignment != 0 {
            let before = self.out.len();
            let _ = write!(self.out, " __attribute__((__aligned__({})))", m.alignment);
            alignment_printed = (self.out.len() - before) as i64;
        }
        self.out.push(';');
        let bitfield_offset = if m.bitfield_offset < 0 {
            (m.byte_size as i64 * 8 + i64::from(m.bitfield_offset)) as u32
        } else {
            m.bitfield_offset as u32
        };
        let mut size_spacing: i64 = 5;
        if inline_aggregate && !named(ty) {
            let mut slen = alignment_printed + name.map_or(-1, |n| n.len() as i64);
            if is_struct(ty) && self.cache.infer_packed(btf, ty.id()) {
                slen += "__attribute__((__packed__))".len() as i64 + 1;
            }
            pad(
                &mut self.out,
                " ",
                sconf.type_spacing + sconf.name_spacing - slen - 3,
                false,
            );
        } else {
            let printed = (self.out.len() - start) as i64;
            let spacing = sconf.type_spacing + sconf.name_spacing - printed;
            pad(&mut self.out, " ", spacing.max(0), false);
        }
        let _ = write!(self.out, "/* {offset:5}");
        if m.bitfield_size != 0 {
            let _ = write!(self.out, ":{bitfield_offset:2}");
            size_spacing -= 3;
        }
        self.out.push(' ');
        pad(&mut self.out, &size.to_string(), size_spacing, false);
        self.out.push_str(" */");
    }
}

/// The running totals of `__class__fprintf`.
struct Sums {
    bytes: u32,
    bits: u32,
    holes: u32,
    bit_holes: u32,
    nr_paddings: u16,
    sum_paddings: u32,
    nr_forced: u16,
    nr_forced_holes: u16,
    sum_forced_holes: u32,
}
