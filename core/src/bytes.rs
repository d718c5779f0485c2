//! Byte order and bounds-checked reads of fixed-width integers.
//!
//! Nothing here panics: every read returns a [`Result`] that names the structure being read and
//! the offset it needed.

use crate::error::{Error, Result};

/// The byte order of a BTF blob, `.BTF.ext` section or BPF object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endian {
    /// Least significant byte first (x86-64, arm64, …).
    Little,
    /// Most significant byte first (s390x, …).
    Big,
}

impl Endian {
    /// The byte order of the machine running this code.
    pub const fn host() -> Endian {
        if cfg!(target_endian = "big") {
            Endian::Big
        } else {
            Endian::Little
        }
    }

    /// A `u16` from two bytes in this order.
    pub fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        }
    }

    /// A `u32` from four bytes in this order.
    pub fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        }
    }

    /// A `u64` from eight bytes in this order.
    pub fn u64(self, b: [u8; 8]) -> u64 {
        match self {
            Endian::Little => u64::from_le_bytes(b),
            Endian::Big => u64::from_be_bytes(b),
        }
    }

    /// The four bytes of `v` in this order.
    pub fn u32_bytes(self, v: u32) -> [u8; 4] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }

    /// The two bytes of `v` in this order.
    pub fn u16_bytes(self, v: u16) -> [u8; 2] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }

    /// `"little-endian"` or `"big-endian"`.
    pub fn describe(self) -> &'static str {
        match self {
            Endian::Little => "little-endian",
            Endian::Big => "big-endian",
        }
    }
}

/// Bounds-checked reads from a byte slice in a given byte order.
#[derive(Debug, Clone, Copy)]
pub struct Bytes<'a> {
    data: &'a [u8],
    endian: Endian,
}

impl<'a> Bytes<'a> {
    /// Reads from `data` in byte order `endian`.
    pub fn new(data: &'a [u8], endian: Endian) -> Self {
        Bytes { data, endian }
    }

    /// The underlying bytes.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The byte order of the reads.
    pub fn endian(&self) -> Endian {
        self.endian
    }

    /// The length of the underlying bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// `N` bytes at `off`, or a truncation error naming `what`.
    pub fn array<const N: usize>(&self, off: u64, what: &'static str) -> Result<[u8; N]> {
        usize::try_from(off)
            .ok()
            .and_then(|o| self.data.get(o..o.checked_add(N)?))
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| {
                Error::truncated(
                    what,
                    off,
                    N as u64,
                    (self.data.len() as u64).saturating_sub(off),
                )
            })
    }

    /// The byte at `off`.
    pub fn u8(&self, off: u64, what: &'static str) -> Result<u8> {
        Ok(self.array::<1>(off, what)?[0])
    }

    /// The `u16` at `off`.
    pub fn u16(&self, off: u64, what: &'static str) -> Result<u16> {
        Ok(self.endian.u16(self.array(off, what)?))
    }

    /// The `u32` at `off`.
    pub fn u32(&self, off: u64, what: &'static str) -> Result<u32> {
        Ok(self.endian.u32(self.array(off, what)?))
    }

    /// The `u64` at `off`.
    pub fn u64(&self, off: u64, what: &'static str) -> Result<u64> {
        Ok(self.endian.u64(self.array(off, what)?))
    }

    /// `len` bytes at `off`.
    pub fn slice(&self, off: u64, len: u64, what: &'static str) -> Result<&'a [u8]> {
        let range = usize::try_from(off)
            .ok()
            .zip(usize::try_from(len).ok())
            .and_then(|(o, l)| Some(o..o.checked_add(l)?));
        range.and_then(|r| self.data.get(r)).ok_or_else(|| {
            Error::truncated(what, off, len, (self.data.len() as u64).saturating_sub(off))
        })
    }
}
