//! The BTF header (`struct btf_header`) and libbpf's checks on it, in libbpf's order.

use crate::bytes::{Bytes, Endian};
use crate::error::{Error, Result};

/// `BTF_MAGIC`.
pub const MAGIC: u16 = 0xeb9f;
/// Size of the classic header (before the 2026 layout fields).
pub const CLASSIC_HEADER_LEN: u32 = 24;
/// Size of the header with the layout section fields (libbpf 1.8, Linux 7.1).
pub const LAYOUT_HEADER_LEN: u32 = 32;

/// The decoded BTF header. Section offsets are relative to the end of the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Byte order of the blob, from the magic.
    pub endian: Endian,
    /// `version` (1); libbpf does not check it, the kernel does.
    pub version: u8,
    /// `flags` (0); libbpf does not check it, the kernel does.
    pub flags: u8,
    /// `hdr_len`: 24 classic, 32 with layout fields.
    pub hdr_len: u32,
    /// Offset of the type section.
    pub type_off: u32,
    /// Length of the type section.
    pub type_len: u32,
    /// Offset of the string section.
    pub str_off: u32,
    /// Length of the string section.
    pub str_len: u32,
    /// Offset of the kind layout section (0 without one).
    pub layout_off: u32,
    /// Length of the kind layout section (0 without one).
    pub layout_len: u32,
    /// Non-zero bytes beyond the 32 bytes this engine knows (libbpf then refuses modification).
    pub has_unknown_header_data: bool,
}

impl Header {
    /// Detects the byte order of a blob from its magic, if it is BTF.
    pub fn sniff(data: &[u8]) -> Option<Endian> {
        match data.get(..2)? {
            [0x9f, 0xeb] => Some(Endian::Little),
            [0xeb, 0x9f] => Some(Endian::Big),
            _ => None,
        }
    }

    /// Parses and checks the header of `data` (libbpf head `btf_parse_hdr` rules, §1.3).
    pub fn parse(data: &[u8]) -> Result<Header> {
        if data.len() < CLASSIC_HEADER_LEN as usize {
            return Err(Error::truncated(
                "BTF header",
                0,
                u64::from(CLASSIC_HEADER_LEN),
                data.len() as u64,
            ));
        }
        let endian = match Header::sniff(data) {
            Some(e) => e,
            None => {
                return Err(Error::new(
                    crate::error::ErrorKind::BadMagic(u16::from_le_bytes([data[0], data[1]])),
                    0,
                ))
            }
        };
        let b = Bytes::new(data, endian);
        let hdr_len = b.u32(4, "BTF header")?;
        if hdr_len < CLASSIC_HEADER_LEN {
            return Err(Error::malformed(
                4,
                format!("BTF header length {hdr_len} is smaller than the minimum 24"),
            ));
        }
        if u64::from(hdr_len) > data.len() as u64 {
            return Err(Error::malformed(
                4,
                format!(
                    "BTF header length {hdr_len} larger than data size {}",
                    data.len()
                ),
            ));
        }
        let mut h = Header {
            endian,
            version: data[2],
            flags: data[3],
            hdr_len,
            type_off: b.u32(8, "BTF header")?,
            type_len: b.u32(12, "BTF header")?,
            str_off: b.u32(16, "BTF header")?,
            str_len: b.u32(20, "BTF header")?,
            layout_off: 0,
            layout_len: 0,
            has_unknown_header_data: false,
        };
        if hdr_len >= LAYOUT_HEADER_LEN {
            h.layout_off = b.u32(24, "BTF header")?;
            h.layout_len = b.u32(28, "BTF header")?;
        }
        if hdr_len > LAYOUT_HEADER_LEN {
            h.has_unknown_header_data = data[LAYOUT_HEADER_LEN as usize..hdr_len as usize]
                .iter()
                .any(|&x| x != 0);
        }
        h.check_sections(data.len() as u64)?;
        Ok(h)
    }

    /// libbpf's section-layout checks: everything inside the blob, types before layout before
    /// strings, 4-byte alignment of the type and layout sections.
    fn check_sections(&self, raw_size: u64) -> Result<()> {
        let hdr = u64::from(self.hdr_len);
        let (to, tl) = (u64::from(self.type_off), u64::from(self.type_len));
        let (so, sl) = (u64::from(self.str_off), u64::from(self.str_len));
        let (lo, ll) = (u64::from(self.layout_off), u64::from(self.layout_len));
        if raw_size - hdr < so + sl {
            return Err(Error::malformed(
                16,
                format!(
                    "invalid BTF total size: string section ends at {} but only {} bytes follow the header",
                    so + sl,
                    raw_size - hdr
                ),
            ));
        }
        if to + tl > so {
            return Err(Error::malformed(
                8,
                format!(
                    "invalid BTF data sections layout: type data at {to} + {tl}, strings data at {so} + {sl}"
                ),
            ));
        }
        if to % 4 != 0 {
            return Err(Error::malformed(
                8,
                "BTF type section is not aligned to 4 bytes",
            ));
        }
        if ll != 0 {
            if lo % 4 != 0 {
                return Err(Error::malformed(
                    24,
                    "BTF layout section is not aligned to 4 bytes",
                ));
            }
            if lo < to + tl || lo + ll > so {
                return Err(Error::malformed(
                    24,
                    format!(
                        "invalid BTF data sections layout: type data at {to} + {tl}, layout data at {lo} + {ll}, strings data at {so} + {sl}"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Absolute offset of the type section in the blob.
    pub fn types_start(&self) -> u64 {
        u64::from(self.hdr_len) + u64::from(self.type_off)
    }

    /// Absolute offset of the string section in the blob.
    pub fn strings_start(&self) -> u64 {
        u64::from(self.hdr_len) + u64::from(self.str_off)
    }

    /// Absolute offset of the layout section in the blob.
    pub fn layout_start(&self) -> u64 {
        u64::from(self.hdr_len) + u64::from(self.layout_off)
    }
}
