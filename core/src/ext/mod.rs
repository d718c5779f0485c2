//! `.BTF.ext`: per-section func_info, line_info and CO-RE relocation records.
//!
//! Parsed with libbpf's checks and messages (../shared/spec/core-spec.md §2): header, then each
//! subsection = record size + blocks of `{sec_name_off, num_info, records…}`. Records longer
//! than the minimum are accepted (only the leading fields are read); byte-swapped data must
//! use the minimum record size. Names are offsets into the object's `.BTF` strings.

use crate::btf::{Btf, TypeId};
use crate::bytes::{Bytes, Endian};
use crate::error::{Error, Result};

/// A func_info record: a function (BTF FUNC) starts at `insn_off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuncInfo {
    /// Byte offset of the function's first instruction in its section.
    pub insn_off: u32,
    /// The BTF FUNC type.
    pub type_id: TypeId,
}

/// A line_info record: source position of the instruction at `insn_off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInfo {
    /// Byte offset of the instruction in its section.
    pub insn_off: u32,
    /// `.BTF` string offset of the file name.
    pub file_name_off: u32,
    /// `.BTF` string offset of the source line's text.
    pub line_off: u32,
    /// `line << 10 | column`.
    pub line_col: u32,
}

impl LineInfo {
    /// Source line number.
    pub fn line(&self) -> u32 {
        self.line_col >> 10
    }
    /// Source column.
    pub fn column(&self) -> u32 {
        self.line_col & 0x3ff
    }
}

/// A CO-RE relocation record (`struct bpf_core_relo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreRelo {
    /// Byte offset of the relocated instruction in its section.
    pub insn_off: u32,
    /// Root type in the object's BTF (as recorded: typedefs/modifiers not stripped).
    pub type_id: TypeId,
    /// `.BTF` string offset of the access string (`"0:1:2"`).
    pub access_str_off: u32,
    /// Relocation kind number (`BPF_CORE_*`).
    pub kind: u32,
}

/// The records of one ELF section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtSection<T> {
    /// `.BTF` string offset of the section name.
    pub name_off: u32,
    /// The section name (`""` when the offset does not resolve).
    pub name: String,
    /// The records, in file order.
    pub records: Vec<T>,
    /// Byte offset of this block's first record within `.BTF.ext`.
    pub offset: u64,
}

/// A parsed `.BTF.ext` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtfExt {
    /// Byte order.
    pub endian: Endian,
    /// Header length (24 without CO-RE, 32 with).
    pub hdr_len: u32,
    /// func_info blocks.
    pub func_info: Vec<ExtSection<FuncInfo>>,
    /// line_info blocks.
    pub line_info: Vec<ExtSection<LineInfo>>,
    /// CO-RE relocation blocks.
    pub core_relos: Vec<ExtSection<CoreRelo>>,
    /// Record sizes as declared (func_info, line_info, core_relo).
    pub rec_sizes: [u32; 3],
}

/// Upper bound on records, against hostile counts (memory stays proportional to input anyway).
const MAX_RECORDS: u64 = 1 << 24;

impl BtfExt {
    /// Parses `.BTF.ext` bytes; section names are resolved in `btf`.
    pub fn parse(data: &[u8], btf: &Btf) -> Result<BtfExt> {
        if data.len() < 8 {
            return Err(Error::truncated("BTF.ext header", 0, 8, data.len() as u64));
        }
        let endian = match crate::btf::Header::sniff(data) {
            Some(e) => e,
            None => {
                return Err(Error::malformed(
                    0,
                    format!(
                        "invalid BTF.ext magic {:#06x}",
                        u16::from_le_bytes([data[0], data[1]])
                    ),
                ))
            }
        };
        let b = Bytes::new(data, endian);
        if data[2] != 1 {
            return Err(Error::unsupported(
                2,
                format!("unsupported BTF.ext version {}", data[2]),
            ));
        }
        if data[3] != 0 {
            return Err(Error::unsupported(
                3,
                format!("unsupported BTF.ext flags {:#x}", data[3]),
            ));
        }
        let hdr_len = b.u32(4, "BTF.ext header")?;
        if u64::from(hdr_len) > data.len() as u64 {
            return Err(Error::truncated(
                "BTF.ext header",
                0,
                u64::from(hdr_len),
                data.len() as u64,
            ));
        }
        if hdr_len as usize == data.len() {
            return Err(Error::malformed(4, "BTF.ext has no data"));
        }
        if hdr_len < 24 {
            return Err(Error::malformed(
                4,
                "BTF.ext header missing func_info, line_info",
            ));
        }
        let sub = |off_at: u64| -> Result<(u32, u32)> {
            Ok((
                b.u32(off_at, "BTF.ext header")?,
                b.u32(off_at + 4, "BTF.ext header")?,
            ))
        };
        let swapped = endian != Endian::Little;
        let mut rec_sizes = [0u32; 3];
        let (fo, fl) = sub(8)?;
        let func_info = parse_sub(
            &b,
            hdr_len,
            fo,
            fl,
            "func_info",
            8,
            swapped,
            btf,
            &mut rec_sizes[0],
            |r| FuncInfo {
                insn_off: r[0],
                type_id: TypeId(r[1]),
            },
        )?;
        let (lo, ll) = sub(16)?;
        let line_info = parse_sub(
            &b,
            hdr_len,
            lo,
            ll,
            "line_info",
            16,
            swapped,
            btf,
            &mut rec_sizes[1],
            |r| LineInfo {
                insn_off: r[0],
                file_name_off: r[1],
                line_off: r[2],
                line_col: r[3],
            },
        )?;
        let core_relos = if hdr_len >= 32 {
            let (co, cl) = sub(24)?;
            parse_sub(
                &b,
                hdr_len,
                co,
                cl,
                "core_relo",
                16,
                swapped,
                btf,
                &mut rec_sizes[2],
                |r| CoreRelo {
                    insn_off: r[0],
                    type_id: TypeId(r[1]),
                    access_str_off: r[2],
                    kind: r[3],
                },
            )?
        } else {
            Vec::new()
        };
        Ok(BtfExt {
            endian,
            hdr_len,
            func_info,
            line_info,
            core_relos,
            rec_sizes,
        })
    }

    /// The CO-RE records of the section named `name`.
    pub fn core_relos_of(&self, name: &str) -> Option<&ExtSection<CoreRelo>> {
        self.core_relos.iter().find(|s| s.name == name)
    }

    /// The line_info records of the section named `name`.
    pub fn line_info_of(&self, name: &str) -> Option<&ExtSection<LineInfo>> {
        self.line_info.iter().find(|s| s.name == name)
    }

    /// The func_info records of the section named `name`.
    pub fn func_info_of(&self, name: &str) -> Option<&ExtSection<FuncInfo>> {
        self.func_info.iter().find(|s| s.name == name)
    }

    /// Total number of CO-RE records.
    pub fn core_relo_count(&self) -> usize {
        self.core_relos.iter().map(|s| s.records.len()).sum()
    }
}

/// Parses one subsection (libbpf `btf_ext_setup_info`).
#[allow(clippy::too_many_arguments)]
fn parse_sub<T>(
    b: &Bytes<'_>,
    hdr_len: u32,
    off: u32,
    len: u32,
    what: &str,
    min_rec: u32,
    swapped: bool,
    btf: &Btf,
    rec_size_out: &mut u32,
    make: impl Fn(&[u32]) -> T,
) -> Result<Vec<ExtSection<T>>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let start = u64::from(hdr_len) + u64::from(off);
    if !off.is_multiple_of(4) {
        return Err(Error::malformed(
            start,
            format!(".BTF.ext {what} section is not aligned to 4 bytes"),
        ));
    }
    let end = start + u64::from(len);
    if end > b.len() as u64 {
        return Err(Error::malformed(
            start,
            format!("{what} section (off:{off} len:{len}) is beyond the end of the ELF section .BTF.ext"),
        ));
    }
    if len < 4 {
        return Err(Error::truncated(
            "BTF.ext record size",
            start,
            4,
            u64::from(len),
        ));
    }
    let rec_size = b.u32(start, "BTF.ext record size")?;
    *rec_size_out = rec_size;
    if rec_size < min_rec || rec_size % 4 != 0 || (swapped && rec_size != min_rec) {
        return Err(Error::malformed(
            start,
            format!("{what} section in .BTF.ext has invalid record size {rec_size}"),
        ));
    }
    let mut pos = start + 4;
    if pos >= end {
        return Err(Error::malformed(
            pos,
            format!("{what} section in .BTF.ext has no records"),
        ));
    }
    let mut out = Vec::new();
    let mut total: u64 = 0;
    let fields = (min_rec / 4) as usize;
    while pos < end {
        if end - pos < 8 {
            return Err(Error::malformed(
                pos,
                format!("{what} section header is not found in .BTF.ext"),
            ));
        }
        let name_off = b.u32(pos, "BTF.ext block")?;
        let num = b.u32(pos + 4, "BTF.ext block")?;
        if num == 0 {
            return Err(Error::malformed(
                pos + 4,
                format!("{what} section has incorrect num_records in .BTF.ext"),
            ));
        }
        total += u64::from(num);
        if total > MAX_RECORDS {
            return Err(Error::limit(
                pos + 4,
                format!("more than {MAX_RECORDS} {what} records"),
            ));
        }
        let rec_start = pos + 8;
        let need = u64::from(num) * u64::from(rec_size);
        if end - rec_start < need {
            return Err(Error::malformed(
                pos,
                format!("{what} section header is not found in .BTF.ext"),
            ));
        }
        let mut records = Vec::with_capacity(num as usize);
        let mut words = vec![0u32; fields];
        for i in 0..u64::from(num) {
            let r = rec_start + i * u64::from(rec_size);
            for (f, w) in words.iter_mut().enumerate() {
                *w = b.u32(r + 4 * f as u64, "BTF.ext record")?;
            }
            records.push(make(&words));
        }
        out.push(ExtSection {
            name_off,
            name: btf.str_at(name_off).unwrap_or("").to_owned(),
            records,
            offset: rec_start,
        });
        pos = rec_start + need;
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
