//! Small formatting helpers: indentation and integers without `core::fmt` (hot paths).

/// A newline and libbpf's indentation, `lvl` tabs capped at 13: every member, padding and
/// enumerator line starts so.
pub(super) fn newline_indent(lvl: usize) -> &'static str {
    const NL_TABS: &str = "\n\t\t\t\t\t\t\t\t\t\t\t\t\t";
    &NL_TABS[..1 + lvl.min(NL_TABS.len() - 1)]
}

/// Decimal digits of an unsigned integer, formatted into a small buffer.
pub(super) struct Dec {
    buf: [u8; 20],
    start: usize,
}

impl Dec {
    /// `v` in decimal.
    pub fn u64(mut v: u64) -> Dec {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        Dec { buf, start: i }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits were written.
        std::str::from_utf8(&self.buf[self.start..]).unwrap_or("")
    }
}

/// A signed integer in decimal: the sign (`""` or `"-"`) and the digits of its magnitude.
pub(super) fn signed(v: i64) -> (&'static str, Dec) {
    if v < 0 {
        ("-", Dec::u64(v.unsigned_abs()))
    } else {
        ("", Dec::u64(v as u64))
    }
}
