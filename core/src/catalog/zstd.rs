//! Segments are zstd frames (written by the packer with the reference encoder, read here by
//! the pure-Rust decoder the rest of `input` uses), checked against their declared length.

use crate::error::{Error, Result};
use crate::input::compress::{decompress as inflate, Layer};

/// Decompresses a segment that must expand to exactly `raw_len` bytes.
pub(crate) fn decompress(data: &[u8], raw_len: u64) -> Result<Vec<u8>> {
    // One byte over the declared length is enough to tell "longer than declared".
    let limit = (raw_len as usize).saturating_add(1);
    // A segment's content is ours to judge (its length here, its sha256 once rebuilt).
    let out = inflate(Layer::Zstd, data, limit, &|_| true)?;
    if out.len() as u64 != raw_len {
        return Err(Error::malformed(
            0,
            format!(
                "segment decompresses to {} bytes, not the {raw_len} its entry says",
                out.len()
            ),
        ));
    }
    Ok(out)
}
