//! Compression and archive layers: gzip, xz, zstd, tar — peeled with a bound on output size.

use std::io::{self, Read, Write};

use crate::error::{Error, ErrorKind, Result};

/// A container layer recognised by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// gzip (`1f 8b`).
    Gzip,
    /// xz (`fd 37 7a 58 5a 00`).
    Xz,
    /// zstd (`28 b5 2f fd`).
    Zstd,
    /// POSIX tar (`ustar` at offset 257).
    Tar,
}

impl Layer {
    /// Recognises a layer by content.
    pub fn sniff(data: &[u8]) -> Option<Layer> {
        if data.starts_with(&[0x1f, 0x8b]) {
            Some(Layer::Gzip)
        } else if data.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Some(Layer::Xz)
        } else if data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Layer::Zstd)
        } else if data.get(257..262) == Some(b"ustar") {
            Some(Layer::Tar)
        } else {
            None
        }
    }

    /// Short name (`"gzip"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Layer::Gzip => "gzip",
            Layer::Xz => "xz",
            Layer::Zstd => "zstd",
            Layer::Tar => "tar",
        }
    }
}

/// A writer that refuses to grow past `limit` bytes (decompression-bomb guard).
struct Bounded {
    out: Vec<u8>,
    limit: usize,
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.out.len() + buf.len() > self.limit {
            return Err(io::Error::other("output limit reached"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn read_bounded(mut r: impl Read, limit: usize, layer: Layer) -> Result<Vec<u8>> {
    let mut w = Bounded {
        out: Vec::new(),
        limit,
    };
    io::copy(&mut r, &mut w).map_err(|e| decode_error(layer, &w, &e))?;
    Ok(w.out)
}

fn decode_error(layer: Layer, w: &Bounded, e: &dyn std::fmt::Display) -> Error {
    if w.out.len() >= w.limit || e.to_string().contains("output limit") {
        Error::unpositioned(ErrorKind::LimitExceeded(format!(
            "{} data expands beyond the {} MiB limit",
            layer.name(),
            w.limit >> 20
        )))
    } else {
        Error::new(
            ErrorKind::Malformed(format!("corrupt {} data: {e}", layer.name())),
            w.out.len() as u64,
        )
        .in_space(&format!("decompressed {} output", layer.name()))
    }
}

/// A gzip stream unpacked piece by piece as it arrives (a download), producing at most
/// `limit` bytes; the same inflate, limit and errors as a whole gzip layer.
pub struct Gunzip {
    dec: flate2::write::MultiGzDecoder<Bounded>,
}

impl std::fmt::Debug for Gunzip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gunzip")
            .field("out", &self.dec.get_ref().out.len())
            .finish()
    }
}

impl Gunzip {
    /// A stream that may unpack to `limit` bytes.
    pub fn new(limit: usize) -> Gunzip {
        Gunzip {
            dec: flate2::write::MultiGzDecoder::new(Bounded {
                out: Vec::new(),
                limit,
            }),
        }
    }

    /// Unpacks the next piece.
    pub fn push(&mut self, piece: &[u8]) -> Result<()> {
        self.dec
            .write_all(piece)
            .map_err(|e| decode_error(Layer::Gzip, self.dec.get_ref(), &e))
    }

    /// The unpacked bytes, once the stream is complete.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        self.dec
            .try_finish()
            .map_err(|e| decode_error(Layer::Gzip, self.dec.get_ref(), &e))?;
        let out = self
            .dec
            .finish()
            .map_err(|e| Error::malformed(0, format!("corrupt gzip data: {e}")))?;
        Ok(out.out)
    }
}

/// Decompresses one gzip/xz/zstd layer, producing at most `limit` bytes.
pub fn decompress(layer: Layer, data: &[u8], limit: usize) -> Result<Vec<u8>> {
    match layer {
        Layer::Gzip => {
            let mut g = Gunzip::new(limit);
            g.push(data)?;
            g.finish()
        }
        Layer::Zstd => {
            let dec = ruzstd::decoding::StreamingDecoder::new(data)
                .map_err(|e| Error::malformed(0, format!("corrupt zstd data: {e}")))?;
            read_bounded(dec, limit, layer)
        }
        Layer::Xz => {
            let mut w = Bounded {
                out: Vec::new(),
                limit,
            };
            let mut input = io::BufReader::new(data);
            lzma_rs::xz_decompress(&mut input, &mut w).map_err(|e| decode_error(layer, &w, &e))?;
            Ok(w.out)
        }
        Layer::Tar => Err(Error::unsupported(
            0,
            "tar is an archive, not a compression",
        )),
    }
}

/// A regular file inside a tar archive.
#[derive(Debug, Clone)]
pub struct TarMember {
    /// Path inside the archive.
    pub path: String,
    /// Contents.
    pub data: Vec<u8>,
}

/// The regular files of a tar archive (total size bounded by `limit`).
pub fn tar_members(data: &[u8], limit: usize) -> Result<Vec<TarMember>> {
    let mut archive = tar::Archive::new(data);
    let mut out = Vec::new();
    let mut total = 0usize;
    let entries = archive
        .entries()
        .map_err(|e| Error::malformed(0, format!("corrupt tar archive: {e}")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| Error::malformed(0, format!("corrupt tar archive: {e}")))?;
        let pos = entry.raw_file_position();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let size = entry.size() as usize;
        total = total.saturating_add(size);
        if total > limit {
            return Err(Error::limit(
                pos,
                format!("tar members exceed the {} MiB limit", limit >> 20),
            ));
        }
        let path = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| String::from("?"));
        let mut buf = Vec::with_capacity(size.min(limit));
        entry
            .read_to_end(&mut buf)
            .map_err(|e| Error::malformed(pos, format!("corrupt tar member {path}: {e}")))?;
        out.push(TarMember { path, data: buf });
    }
    Ok(out)
}
