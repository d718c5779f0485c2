//! The raw listing: `bpftool btf dump file FILE` byte for byte (bpftool 7.1's `dump_btf_type`).
//!
//! One line per type, `[id] KIND 'name' fields…`, followed by one tab-indented line per
//! member, enumerator, parameter or DATASEC entry. For split BTF only the split's own types
//! are listed, as bpftool does.

use std::io::{self, Write};

use crate::btf::{Btf, Kind, Type, TypeId};

/// Writes the raw listing of every own type of `btf`.
pub fn write_raw(btf: &Btf, out: &mut impl Write) -> io::Result<()> {
    for id in btf.own_ids() {
        write_type(btf, &btf.ty(id), out)?;
    }
    Ok(())
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

/// Writes one type's listing (header line and element lines).
pub fn write_type(btf: &Btf, t: &Type<'_>, out: &mut impl Write) -> io::Result<()> {
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
        | Kind::TYPE_TAG => write!(out, " type_id={}", t.type_id().0)?,
        Kind::ARRAY => {
            let a = t.array();
            write!(
                out,
                " type_id={} index_type_id={} nr_elems={}",
                a.elem.0, a.index.0, a.nelems
            )?;
        }
        Kind::STRUCT | Kind::UNION => {
            write!(out, " size={} vlen={}", t.size(), t.vlen())?;
            for m in t.members() {
                write!(
                    out,
                    "\n\t'{}' type_id={} bits_offset={}",
                    quoted_name(btf, m.name_off),
                    m.type_id.0,
                    m.bit_offset
                )?;
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
        Kind::FUNC => write!(
            out,
            " type_id={} linkage={}",
            t.type_id().0,
            linkage(t.func_linkage())
        )?,
        Kind::FUNC_PROTO => {
            write!(out, " ret_type_id={} vlen={}", t.type_id().0, t.vlen())?;
            for p in t.params() {
                write!(
                    out,
                    "\n\t'{}' type_id={}",
                    quoted_name(btf, p.name_off),
                    p.type_id.0
                )?;
            }
        }
        Kind::VAR => write!(
            out,
            " type_id={}, linkage={}",
            t.type_id().0,
            linkage(t.var_linkage())
        )?,
        Kind::DATASEC => {
            write!(out, " size={} vlen={}", t.size(), t.vlen())?;
            for v in t.datasec_vars() {
                let var = btf.ty(v.type_id);
                write!(
                    out,
                    "\n\ttype_id={} offset={} size={} ({} '{}')",
                    v.type_id.0,
                    v.offset,
                    v.size,
                    var.kind().upper_name(),
                    quoted_name(btf, var.name_off())
                )?;
            }
        }
        Kind::FLOAT => write!(out, " size={}", t.size())?,
        Kind::DECL_TAG => write!(
            out,
            " type_id={} component_idx={}",
            t.type_id().0,
            t.decl_tag_component()
        )?,
        _ => {}
    }
    out.write_all(b"\n")
}

/// The raw listing of every own type of `btf` as a string.
///
/// Not generic, unlike [`write_raw`], so that callers in other crates use this crate's
/// compiled copy (a generic instance is compiled with the optimisation level of the crate that
/// instantiates it: the web crate's, built for size).
pub fn raw_text(btf: &Btf) -> String {
    // bpftool's listing is about twice the size of the blob.
    let mut v = Vec::with_capacity(btf.raw_size() * 2);
    // Writing to a Vec cannot fail.
    let _ = write_raw(btf, &mut v);
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The listing of one type as a string (for views and error messages).
pub fn type_to_string(btf: &Btf, id: TypeId) -> String {
    let mut v = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_type(btf, &btf.ty(id), &mut v);
    String::from_utf8_lossy(&v).into_owned()
}
