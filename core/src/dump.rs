//! The raw listing: `bpftool btf dump file FILE` byte for byte (bpftool 7.1's `dump_btf_type`).
//!
//! One line per type, `[id] KIND 'name' fields…`, followed by one tab-indented line per
//! member, enumerator, parameter or DATASEC entry. For split BTF only the split's own types
//! are listed, as bpftool does.
//!
//! Output goes to a header [`Sink`], like the header's: each type's lines are a
//! [`Mark::Definition`] and every type id it refers to (`type_id=N`, `ret_type_id=N`, … but
//! void) a [`Mark::Reference`], so a viewer links them without reading the text back.

use std::fmt::{self, Write as _};
use std::io;

use crate::btf::{Btf, Kind, Type, TypeId};
use crate::header::{IoSink, Mark, MarkedText, Sink};

/// Text is handed to a sink without marks in chunks of about this size.
const CHUNK: usize = 1 << 16;

/// Writes the raw listing of every own type of `btf`.
pub fn write_raw(btf: &Btf, out: &mut impl io::Write) -> io::Result<()> {
    let mut sink = IoSink::new(out, io::sink());
    write_listing(btf, &mut sink);
    sink.finish().map(|_| ())
}

/// Writes the raw listing of every own type of `btf` into `sink`, with its marks.
pub fn write_listing<S: Sink>(btf: &Btf, sink: &mut S) {
    let mut w = Writer::new(sink);
    for id in btf.own_ids() {
        // Writing into a buffer cannot fail.
        let _ = type_lines(btf, &btf.ty(id), &mut w);
    }
    w.flush();
}

/// Buffers text for a sink, and hands it over before each mark.
struct Writer<'s, S: Sink> {
    sink: &'s mut S,
    buf: String,
    marks: bool,
}

impl<'s, S: Sink> Writer<'s, S> {
    fn new(sink: &'s mut S) -> Self {
        let marks = sink.wants_marks();
        Writer {
            sink,
            buf: String::with_capacity(CHUNK + 256),
            marks,
        }
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.sink.text(&self.buf);
            self.buf.clear();
        }
    }

    fn begin(&mut self, mark: Mark) {
        if self.marks {
            self.flush();
            self.sink.begin(mark);
        }
    }

    fn end(&mut self) {
        if self.marks {
            self.flush();
            self.sink.end();
        }
    }

    /// A type id: a reference, unless it is void.
    fn id(&mut self, id: TypeId) -> fmt::Result {
        if id.is_void() {
            return write!(self, "0");
        }
        self.begin(Mark::Reference(id));
        write!(self, "{}", id.0)?;
        self.end();
        Ok(())
    }
}

impl<S: Sink> fmt::Write for Writer<'_, S> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.buf.push_str(s);
        if !self.marks && self.buf.len() >= CHUNK {
            self.flush();
        }
        Ok(())
    }
}

/// bpftool's `btf_str`: `(anon)` for offset 0, `(invalid)` for an unresolvable offset.
fn quoted_name(btf: &Btf, off: u32) -> &str {
    if off == 0 {
        "(anon)"
    } else {
        btf.str_at(off).unwrap_or("(invalid)")
    }
}

fn int_encoding(enc: u8) -> &'static str {
    match enc {
        0 => "(none)",
        1 => "SIGNED",
        2 => "CHAR",
        4 => "BOOL",
        _ => "UNKN",
    }
}

fn linkage(l: u32) -> &'static str {
    match l {
        0 => "static",
        1 => "global",
        2 => "extern",
        _ => "(unknown)",
    }
}

/// Writes one type's listing (header line and element lines), marked as its definition.
fn type_lines<S: Sink>(btf: &Btf, t: &Type<'_>, out: &mut Writer<'_, S>) -> fmt::Result {
    out.begin(Mark::Definition {
        id: t.id(),
        forward: false,
    });
    let kind = t.kind();
    write!(
        out,
        "[{}] {} '{}'",
        t.id().0,
        kind.upper_name(),
        quoted_name(btf, t.name_off())
    )?;
    match kind {
        Kind::INT => {
            let i = t.int_info();
            write!(
                out,
                " size={} bits_offset={} nr_bits={} encoding={}",
                t.size(),
                i.offset,
                i.bits,
                int_encoding(i.encoding.0)
            )?;
        }
        Kind::PTR
        | Kind::CONST
        | Kind::VOLATILE
        | Kind::RESTRICT
        | Kind::TYPEDEF
        | Kind::TYPE_TAG => {
            write!(out, " type_id=")?;
            out.id(t.type_id())?;
        }
        Kind::ARRAY => {
            let a = t.array();
            write!(out, " type_id=")?;
            out.id(a.elem)?;
            write!(out, " index_type_id=")?;
            out.id(a.index)?;
            write!(out, " nr_elems={}", a.nelems)?;
        }
        Kind::STRUCT | Kind::UNION => {
            write!(out, " size={} vlen={}", t.size(), t.vlen())?;
            for m in t.members() {
                write!(out, "\n\t'{}' type_id=", quoted_name(btf, m.name_off))?;
                out.id(m.type_id)?;
                write!(out, " bits_offset={}", m.bit_offset)?;
                if m.bitfield_size != 0 {
                    write!(out, " bitfield_size={}", m.bitfield_size)?;
                }
            }
        }
        Kind::ENUM | Kind::ENUM64 => {
            let signed = t.kflag();
            write!(
                out,
                " encoding={} size={} vlen={}",
                if signed { "SIGNED" } else { "UNSIGNED" },
                t.size(),
                t.vlen()
            )?;
            for v in t.enum_values() {
                let name = quoted_name(btf, v.name_off);
                match (v.is64, signed) {
                    (false, true) => write!(out, "\n\t'{name}' val={}", v.lo as i32)?,
                    (false, false) => write!(out, "\n\t'{name}' val={}", v.lo)?,
                    (true, true) => write!(out, "\n\t'{name}' val={}LL", v.raw() as i64)?,
                    (true, false) => write!(out, "\n\t'{name}' val={}ULL", v.raw())?,
                }
            }
        }
        Kind::FWD => write!(
            out,
            " fwd_kind={}",
            if t.kflag() { "union" } else { "struct" }
        )?,
        Kind::FUNC => {
            write!(out, " type_id=")?;
            out.id(t.type_id())?;
            write!(out, " linkage={}", linkage(t.func_linkage()))?;
        }
        Kind::FUNC_PROTO => {
            write!(out, " ret_type_id=")?;
            out.id(t.type_id())?;
            write!(out, " vlen={}", t.vlen())?;
            for p in t.params() {
                write!(out, "\n\t'{}' type_id=", quoted_name(btf, p.name_off))?;
                out.id(p.type_id)?;
            }
        }
        Kind::VAR => {
            write!(out, " type_id=")?;
            out.id(t.type_id())?;
            write!(out, ", linkage={}", linkage(t.var_linkage()))?;
        }
        Kind::DATASEC => {
            write!(out, " size={} vlen={}", t.size(), t.vlen())?;
            for v in t.datasec_vars() {
                let var = btf.ty(v.type_id);
                write!(out, "\n\ttype_id=")?;
                out.id(v.type_id)?;
                write!(
                    out,
                    " offset={} size={} ({} '{}')",
                    v.offset,
                    v.size,
                    var.kind().upper_name(),
                    quoted_name(btf, var.name_off())
                )?;
            }
        }
        Kind::FLOAT => write!(out, " size={}", t.size())?,
        Kind::DECL_TAG => {
            write!(out, " type_id=")?;
            out.id(t.type_id())?;
            write!(out, " component_idx={}", t.decl_tag_component())?;
        }
        _ => {}
    }
    out.write_str("\n")?;
    out.end();
    Ok(())
}

/// The raw listing of every own type of `btf` as a string, with its marks: every type's
/// lines a [`Mark::Definition`], every type id in them a [`Mark::Reference`].
///
/// Not generic, unlike [`write_listing`], so that callers in other crates use this crate's
/// compiled copy (a generic instance is compiled with the optimisation level of the crate that
/// instantiates it: the web crate's, built for size).
pub fn raw_marked(btf: &Btf) -> MarkedText {
    let mut out = MarkedText::new();
    // bpftool's listing is about twice the size of the blob.
    out.text.reserve(btf.raw_size() * 2);
    write_listing(btf, &mut out);
    out
}

/// The raw listing of every own type of `btf` as a string.
pub fn raw_text(btf: &Btf) -> String {
    let mut out = MarkedText::plain();
    out.text.reserve(btf.raw_size() * 2);
    write_listing(btf, &mut out);
    out.text
}

/// The listing of one type, with its marks (for views).
pub fn type_marked(btf: &Btf, id: TypeId) -> MarkedText {
    let mut out = MarkedText::new();
    let mut w = Writer::new(&mut out);
    let _ = type_lines(btf, &btf.ty(id), &mut w);
    w.flush();
    out
}

/// The listing of one type as a string (for views and error messages).
pub fn type_to_string(btf: &Btf, id: TypeId) -> String {
    let mut out = MarkedText::plain();
    let mut w = Writer::new(&mut out);
    let _ = type_lines(btf, &btf.ty(id), &mut w);
    w.flush();
    out.text
}
