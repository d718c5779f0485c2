//! Bounds-checked reading of the archive's own encodings (LEB128 varints, length-prefixed
//! strings, fixed-width little-endian words) with the byte offset of every failure, and the
//! matching writer used by the packer.

use crate::error::{Error, Result};

/// A read position in one decoded buffer. `base` is added to positions in errors, so an
/// error names the offset in the buffer the caller knows about.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    /// The current position.
    pub fn pos(&self) -> u64 {
        self.pos as u64
    }

    /// Whether everything was read.
    pub fn at_end(&self) -> bool {
        self.pos == self.data.len()
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// An error at the current position.
    pub fn error(&self, msg: impl Into<String>) -> Error {
        Error::malformed(self.pos as u64, msg)
    }

    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(Error::truncated(
                what,
                self.pos as u64,
                n as u64,
                self.remaining() as u64,
            ));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8> {
        Ok(self.bytes(1, what)?[0])
    }

    pub fn u32_le(&mut self, what: &'static str) -> Result<u32> {
        let b = self.bytes(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn u64_le(&mut self, what: &'static str) -> Result<u64> {
        let b = self.bytes(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    pub fn array32(&mut self, what: &'static str) -> Result<[u8; 32]> {
        let mut a = [0u8; 32];
        a.copy_from_slice(self.bytes(32, what)?);
        Ok(a)
    }

    /// An unsigned LEB128 value of at most 64 bits.
    pub fn var(&mut self, what: &'static str) -> Result<u64> {
        let start = self.pos;
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8(what)?;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                if shift == 63 && b > 1 {
                    break;
                }
                return Ok(v);
            }
        }
        Err(Error::malformed(
            start as u64,
            format!("{what}: varint too long"),
        ))
    }

    /// A varint that must fit `u32` and be at most `max`.
    pub fn var_max(&mut self, what: &'static str, max: u64) -> Result<u32> {
        let at = self.pos;
        let v = self.var(what)?;
        if v > max || v > u32::MAX as u64 {
            return Err(Error::limit(
                at as u64,
                format!("{what} is {v}, more than the limit {max}"),
            ));
        }
        Ok(v as u32)
    }

    /// A zigzag-coded signed varint.
    pub fn svar(&mut self, what: &'static str) -> Result<i64> {
        let v = self.var(what)?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// A length-prefixed UTF-8 string of at most `max` bytes.
    pub fn str(&mut self, what: &'static str, max: u64) -> Result<&'a str> {
        let n = self.var_max(what, max)? as usize;
        let at = self.pos;
        let b = self.bytes(n, what)?;
        std::str::from_utf8(b)
            .map_err(|_| Error::malformed(at as u64, format!("{what} is not UTF-8")))
    }
}

/// The packer's side: appends the encodings [`Cursor`] reads.
#[derive(Debug, Default, Clone)]
pub(crate) struct Sink {
    pub out: Vec<u8>,
}

impl Sink {
    pub fn var(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(b);
                return;
            }
            self.out.push(b | 0x80);
        }
    }

    pub fn svar(&mut self, v: i64) {
        self.var(((v << 1) ^ (v >> 63)) as u64);
    }

    pub fn str(&mut self, s: &str) {
        self.var(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    pub fn u32_le(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub fn u64_le(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_reject_overlong() {
        let mut s = Sink::default();
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            s.var(v);
        }
        s.svar(-5);
        s.svar(i64::MIN);
        let mut c = Cursor::new(&s.out);
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            assert_eq!(c.var("v").unwrap(), v);
        }
        assert_eq!(c.svar("s").unwrap(), -5);
        assert_eq!(c.svar("s").unwrap(), i64::MIN);
        assert!(c.at_end());
        let long = [0xffu8; 11];
        assert!(Cursor::new(&long).var("v").is_err());
        assert!(Cursor::new(&[0x80]).var("v").is_err());
    }
}
