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

/// How many bytes of a decompressed stream are enough to tell what it is: a tar archive's
/// `ustar` magic ends at 262; BTF, ELF and the compressions are told by their first bytes.
pub const SNIFF_LEN: usize = 262;

/// What the caller accepts as the content of a layer, judged on its first bytes (up to
/// [`SNIFF_LEN`]; fewer only when the whole stream is shorter).
pub type Accepts<'f> = &'f dyn Fn(&[u8]) -> bool;

/// A writer that refuses to grow past `limit` bytes (decompression-bomb guard) and, once it
/// holds enough of the stream to tell, refuses content the caller does not accept: a bomb
/// of zeros is rejected after its first bytes, not after a gigabyte.
struct Bounded<'f> {
    out: Vec<u8>,
    limit: usize,
    accepts: Accepts<'f>,
    sniffed: bool,
}

/// Why a [`Bounded`] writer stopped.
const LIMIT_REACHED: &str = "output limit reached";
const NOT_ACCEPTED: &str = "content not recognised";

impl Bounded<'_> {
    fn new(limit: usize, accepts: Accepts<'_>) -> Bounded<'_> {
        Bounded {
            out: Vec::new(),
            limit,
            accepts,
            sniffed: false,
        }
    }

    /// Judges the content once [`SNIFF_LEN`] bytes are in, or at the end of the stream.
    fn sniff(&mut self, at_end: bool) -> io::Result<()> {
        if !self.sniffed && (at_end || self.out.len() >= SNIFF_LEN) {
            self.sniffed = true;
            if !(self.accepts)(&self.out[..self.out.len().min(SNIFF_LEN)]) {
                return Err(io::Error::other(NOT_ACCEPTED));
            }
        }
        Ok(())
    }

    fn finish(mut self, layer: Layer) -> Result<Vec<u8>> {
        match self.sniff(true) {
            Ok(()) => Ok(self.out),
            Err(e) => Err(decode_error(layer, &self, &e)),
        }
    }
}

impl Write for Bounded<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.out.len() + buf.len() > self.limit {
            return Err(io::Error::other(LIMIT_REACHED));
        }
        self.out.extend_from_slice(buf);
        self.sniff(false)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn read_bounded(
    mut r: impl Read,
    limit: usize,
    layer: Layer,
    accepts: Accepts<'_>,
) -> Result<Vec<u8>> {
    let mut w = Bounded::new(limit, accepts);
    io::copy(&mut r, &mut w).map_err(|e| decode_error(layer, &w, &e))?;
    w.finish(layer)
}

fn decode_error(layer: Layer, w: &Bounded<'_>, e: &dyn std::fmt::Display) -> Error {
    let msg = e.to_string();
    if msg.contains(NOT_ACCEPTED) {
        // Said as soon as the first bytes are out: a bomb of zeros costs its first block.
        let head = &w.out[..w.out.len().min(8)];
        let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
        let what = match (head.is_empty(), w.out.len() > head.len()) {
            (true, _) => "it is empty".to_owned(),
            (false, more) => format!(
                "it starts with {}{}",
                hex.join(" "),
                if more { " …" } else { "" }
            ),
        };
        return Error::malformed(
            0,
            format!(
                "not a recognised input (raw BTF, ELF, gzip, xz, zstd or tar expected): {what}"
            ),
        )
        .in_space(&format!("{} (unpacked)", layer.name()));
    }
    if w.out.len() >= w.limit || msg.contains(LIMIT_REACHED) {
        Error::unpositioned(ErrorKind::LimitExceeded(format!(
            "{} data expands beyond the {} MiB limit{}",
            layer.name(),
            w.limit >> 20,
            super::Limits::WHY
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
/// `limit` bytes and refusing, on its first bytes, a content `accepts` refuses; the same
/// inflate, limit, sniff and errors as a whole gzip layer (which goes through it).
pub struct Gunzip<'f> {
    dec: flate2::write::MultiGzDecoder<Bounded<'f>>,
}

impl std::fmt::Debug for Gunzip<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gunzip")
            .field("out", &self.dec.get_ref().out.len())
            .finish()
    }
}

impl<'f> Gunzip<'f> {
    /// A stream that may unpack to `limit` bytes of a content `accepts` takes.
    pub fn new(limit: usize, accepts: Accepts<'f>) -> Gunzip<'f> {
        Gunzip {
            dec: flate2::write::MultiGzDecoder::new(Bounded::new(limit, accepts)),
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
        out.finish(Layer::Gzip)
    }
}

/// Decompresses one gzip/xz/zstd layer, producing at most `limit` bytes, and stops as soon as
/// its first bytes show a content `accepts` refuses.
pub fn decompress(
    layer: Layer,
    data: &[u8],
    limit: usize,
    accepts: Accepts<'_>,
) -> Result<Vec<u8>> {
    match layer {
        Layer::Gzip => {
            let mut g = Gunzip::new(limit, accepts);
            g.push(data)?;
            g.finish()
        }
        Layer::Zstd => {
            let dec = ruzstd::decoding::StreamingDecoder::new(data)
                .map_err(|e| Error::malformed(0, format!("corrupt zstd data: {e}")))?;
            read_bounded(dec, limit, layer, accepts)
        }
        Layer::Xz => {
            let mut w = Bounded::new(limit, accepts);
            let mut input = io::BufReader::new(data);
            lzma_rs::xz_decompress(&mut input, &mut w).map_err(|e| decode_error(layer, &w, &e))?;
            w.finish(layer)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn accepts_btf_magic(head: &[u8]) -> bool {
        head.starts_with(&[0x9f, 0xeb])
    }

    /// A bomb: 4 GiB of zeros as 4096 gzip members of 1 MiB each (a few MB of input). It is
    /// refused on its first bytes, not at the 1 GiB limit (which would be a LimitExceeded).
    #[test]
    fn a_bomb_of_zeros_is_refused_on_its_first_bytes() {
        let member = gzip(&vec![0u8; 1 << 20]);
        let bomb: Vec<u8> = member
            .iter()
            .copied()
            .cycle()
            .take(member.len() * 4096)
            .collect();
        let e = decompress(Layer::Gzip, &bomb, 1 << 30, &accepts_btf_magic).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Malformed(_)), "{e}");
        assert_eq!(
            e.to_string(),
            "offset 0x0 of gzip (unpacked): not a recognised input (raw BTF, ELF, gzip, xz, zstd or tar expected): it starts with 00 00 00 00 00 00 00 00 …"
        );
        // xz: the same refusal from the push-style decoder.
        let mut xz = Vec::new();
        lzma_rs::xz_compress(&mut &vec![0u8; 1 << 20][..], &mut xz).unwrap();
        let e = decompress(Layer::Xz, &xz, 1 << 30, &accepts_btf_magic).unwrap_err();
        assert!(
            e.to_string()
                .contains("of xz (unpacked): not a recognised input"),
            "{e}"
        );
    }

    /// What the caller accepts goes through whole, short streams included; the limit still
    /// holds for accepted content.
    #[test]
    fn accepted_content_unpacks_within_the_limit() {
        let btf_like = [&[0x9f, 0xeb, 1, 0][..], &[7u8; 1000]].concat();
        let gz = gzip(&btf_like);
        assert_eq!(
            decompress(Layer::Gzip, &gz, 1 << 20, &accepts_btf_magic).unwrap(),
            btf_like
        );
        let short = gzip(&[0x9f, 0xeb]);
        assert_eq!(
            decompress(Layer::Gzip, &short, 16, &accepts_btf_magic).unwrap(),
            [0x9f, 0xeb]
        );
        let e = decompress(Layer::Gzip, &gz, 512, &accepts_btf_magic).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::LimitExceeded(_)), "{e}");
        let empty = gzip(&[]);
        let e = decompress(Layer::Gzip, &empty, 16, &accepts_btf_magic).unwrap_err();
        assert!(e.to_string().contains("not a recognised input"), "{e}");
    }
}
