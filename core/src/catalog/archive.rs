//! The archive file: a fixed header, the *head* (every build's provenance, how to rebuild
//! it, where the index shards are), then independently compressed segments.
//!
//! ```text
//! 0   magic "CLBTFCAT"
//! 8   u32 format version (1)
//! 12  u32 head length (compressed), u32 head length (decompressed)
//! 20  u32 segment count (checked against the head)
//! 24  [32] sha256 of the compressed head
//! 56  u64 file length
//! 64  head (zstd)
//! …   segments (zstd), each the whole BTF of a build, a delta, or an index shard
//! ```
//!
//! A reader needs the first `64 + head length` bytes to know everything about every build;
//! one build then needs only the segments of its reference chain (a page fetches them by
//! byte range), a where-query only one index shard. All integers in the head are LEB128
//! varints; strings are length-prefixed UTF-8.

use super::cursor::{Cursor, Sink};
use crate::error::{Error, Result};

/// The file's first eight bytes.
pub const MAGIC: &[u8; 8] = b"CLBTFCAT";
/// The format version this reader reads.
pub const VERSION: u32 = 1;
/// Bytes before the head.
pub const PREAMBLE_LEN: u64 = 64;

/// Most builds an archive may describe.
pub const MAX_BUILDS: usize = 4096;
/// Most segments an archive may have.
pub const MAX_SEGMENTS: usize = 1 << 16;
/// Largest decompressed head.
pub const MAX_HEAD_LEN: u64 = 16 << 20;
/// Largest decompressed segment (a whole BTF, a delta or an index shard).
pub const MAX_SEGMENT_LEN: u64 = 64 << 20;
/// Longest reference chain (a build, its reference, that one's reference, …).
pub const MAX_CHAIN: usize = 8;
/// Longest metadata string.
pub const MAX_STRING: u64 = 4096;

/// An index into the archive's builds, in catalogue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BuildIdx(pub u32);

/// An index into the archive's segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SegmentId(pub u32);

/// Where a segment lies in the file and how big it is once decompressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Byte offset in the file.
    pub offset: u64,
    /// Compressed length.
    pub len: u64,
    /// Decompressed length.
    pub raw_len: u64,
}

impl Segment {
    /// The file byte range (what a page asks for with an HTTP range request).
    pub fn range(&self) -> std::ops::Range<u64> {
        self.offset..self.offset + self.len
    }
}

/// How a build's BTF is rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipe {
    /// The segment is the BTF itself.
    Whole(SegmentId),
    /// The segment is a delta over another build's BTF.
    Delta {
        /// The delta.
        segment: SegmentId,
        /// The build it applies to.
        reference: BuildIdx,
    },
}

impl Recipe {
    /// The segment holding this build's own data.
    pub fn segment(&self) -> SegmentId {
        match *self {
            Recipe::Whole(s) | Recipe::Delta { segment: s, .. } => s,
        }
    }
}

/// One kernel build: where it came from, and how to rebuild its BTF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    /// Stable id, e.g. `debian12-6.1.0-50-arm64`.
    pub name: String,
    /// `uname -r`, e.g. `6.1.0-50-arm64`.
    pub release: String,
    /// Debian architecture (`amd64`, `arm64`, `ppc64el`, …).
    pub arch: String,
    /// Debian suite (`bullseye`, `bookworm`, `trixie`, `sid`).
    pub suite: String,
    /// The archive pocket the package was fetched from (`bookworm-security`, …).
    pub pocket: String,
    /// Kernel flavour (`amd64`, `cloud-amd64`, `rt-arm64`, …).
    pub flavour: String,
    /// Binary package name.
    pub package: String,
    /// Package version.
    pub version: String,
    /// Source package.
    pub source: String,
    /// How the BTF was taken out of the image.
    pub carved: String,
    /// sha256 of the `.deb`.
    pub deb_sha256: [u8; 32],
    /// Size of the `.deb`.
    pub deb_size: u64,
    /// sha256 of the BTF: checked on every materialisation.
    pub btf_sha256: [u8; 32],
    /// Size of the BTF.
    pub btf_len: u64,
    /// Number of types.
    pub types: u32,
    /// How to rebuild it.
    pub recipe: Recipe,
}

impl Build {
    /// The kernel series, `6.1` of `6.1.0-50-arm64`.
    pub fn series(&self) -> &str {
        let mut dots = 0;
        for (i, c) in self.release.char_indices() {
            if c == '.' {
                dots += 1;
                if dots == 2 {
                    return &self.release[..i];
                }
            } else if !c.is_ascii_digit() {
                return &self.release[..i];
            }
        }
        &self.release
    }

    /// The kernel release its `LINUX_KERNEL_VERSION` is: the upstream version of its package
    /// (`6.1.176` for `6.1.176-1`), not the ABI name (`6.1.0-50`). `None` when the version
    /// does not start with `X.Y`.
    pub fn upstream_release(&self) -> Option<&str> {
        let end = self
            .version
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(self.version.len());
        let upstream = &self.version[..end];
        (upstream.split('.').count() >= 2).then_some(upstream)
    }
}

/// The head of an archive: everything but the segments' contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Builds in catalogue order.
    pub builds: Vec<Build>,
    /// Segments by id.
    pub segments: Vec<Segment>,
    /// The where-index shards (segment per shard; a name's shard is its hash modulo the count).
    pub shards: Vec<SegmentId>,
    /// Length of the whole file.
    pub file_len: u64,
    /// Bytes of the preamble and the head: what a reader fetches first.
    pub head_end: u64,
}

/// Reads the preamble and head from the start of an archive (`prefix` may be the whole file
/// or only its first [`Head::head_end`] bytes; [`needed_prefix`] says how many).
pub fn parse_head(prefix: &[u8]) -> Result<Head> {
    let mut c = Cursor::new(prefix);
    let magic = c.bytes(8, "catalogue magic")?;
    if magic != MAGIC {
        return Err(Error::malformed(
            0,
            "not a corelab kernel catalogue (bad magic)",
        ));
    }
    let version = c.u32_le("format version")?;
    if version != VERSION {
        return Err(Error::unsupported(
            8,
            format!("catalogue format version {version}; this corelab reads version {VERSION}"),
        ));
    }
    let head_len = c.u32_le("head length")? as u64;
    let head_raw = c.u32_le("head length")? as u64;
    let n_segments = c.u32_le("segment count")? as usize;
    let head_sha = c.array32("head sha256")?;
    let file_len = c.u64_le("file length")?;
    if head_raw > MAX_HEAD_LEN {
        return Err(Error::limit(16, "catalogue head larger than the limit"));
    }
    if n_segments > MAX_SEGMENTS {
        return Err(Error::limit(20, "too many segments"));
    }
    let head_end = PREAMBLE_LEN + head_len;
    if head_end > file_len {
        return Err(Error::malformed(12, "head runs past the end of the file"));
    }
    let compressed = prefix
        .get(PREAMBLE_LEN as usize..head_end as usize)
        .ok_or_else(|| {
            Error::truncated(
                "catalogue head",
                PREAMBLE_LEN,
                head_len,
                (prefix.len() as u64).saturating_sub(PREAMBLE_LEN),
            )
        })?;
    if sha256(compressed) != head_sha {
        return Err(Error::malformed(
            24,
            "catalogue head does not match its sha256",
        ));
    }
    let raw =
        super::zstd::decompress(compressed, head_raw).map_err(|e| e.within(PREAMBLE_LEN, None))?;
    decode_head(&raw, n_segments, file_len, head_end)
        .map_err(|e| e.in_space("the catalogue head (decompressed)"))
}

/// How many bytes from the start of a file [`parse_head`] needs, from its first 64.
pub fn needed_prefix(preamble: &[u8]) -> Result<u64> {
    let mut c = Cursor::new(preamble);
    if c.bytes(8, "catalogue magic")? != MAGIC {
        return Err(Error::malformed(
            0,
            "not a corelab kernel catalogue (bad magic)",
        ));
    }
    c.u32_le("format version")?;
    Ok(PREAMBLE_LEN + c.u32_le("head length")? as u64)
}

pub(crate) fn decode_head(
    raw: &[u8],
    n_segments: usize,
    file_len: u64,
    head_end: u64,
) -> Result<Head> {
    let mut c = Cursor::new(raw);
    let n = c.var_max("segment count", MAX_SEGMENTS as u64)? as usize;
    if n != n_segments {
        return Err(c.error("segment count differs from the preamble's"));
    }
    let mut segments = Vec::with_capacity(n);
    for _ in 0..n {
        let at = c.pos();
        let offset = c.var("segment offset")?;
        let len = c.var("segment length")?;
        let raw_len = c.var("segment raw length")?;
        if offset < head_end || offset.checked_add(len).is_none_or(|e| e > file_len) {
            return Err(Error::malformed(at, "segment outside the file"));
        }
        if raw_len > MAX_SEGMENT_LEN {
            return Err(Error::limit(at, "segment larger than the limit"));
        }
        segments.push(Segment {
            offset,
            len,
            raw_len,
        });
    }
    let n = c.var_max("build count", MAX_BUILDS as u64)? as usize;
    let mut builds = Vec::with_capacity(n);
    for i in 0..n {
        let mut s = || c.str("build metadata", MAX_STRING).map(str::to_owned);
        let (name, release, arch, suite, pocket, flavour) = (s()?, s()?, s()?, s()?, s()?, s()?);
        let (package, version, source, carved) = (s()?, s()?, s()?, s()?);
        let deb_sha256 = c.array32("deb sha256")?;
        let deb_size = c.var("deb size")?;
        let btf_sha256 = c.array32("btf sha256")?;
        let btf_len = c.var("btf length")?;
        let types = c.var_max("type count", crate::btf::MAX_TYPES as u64)?;
        let at = c.pos();
        let tag = c.u8("recipe")?;
        let segment = SegmentId(c.var_max("recipe segment", n_segments as u64 - 1)?);
        let recipe = match tag {
            0 => Recipe::Whole(segment),
            1 => {
                let r = c.var_max("reference build", n as u64 - 1)?;
                if r as usize == i {
                    return Err(Error::malformed(at, "build is its own reference"));
                }
                Recipe::Delta {
                    segment,
                    reference: BuildIdx(r),
                }
            }
            t => return Err(Error::malformed(at, format!("unknown recipe {t}"))),
        };
        if btf_len > super::delta::MAX_BTF_LEN {
            return Err(Error::limit(at, "build's BTF larger than the limit"));
        }
        builds.push(Build {
            name,
            release,
            arch,
            suite,
            pocket,
            flavour,
            package,
            version,
            source,
            carved,
            deb_sha256,
            deb_size,
            btf_sha256,
            btf_len,
            types,
            recipe,
        });
    }
    let n = c.var_max("shard count", MAX_SEGMENTS as u64)? as usize;
    let mut shards = Vec::with_capacity(n);
    for _ in 0..n {
        shards.push(SegmentId(
            c.var_max("shard segment", n_segments as u64 - 1)?,
        ));
    }
    if !c.at_end() {
        return Err(c.error("bytes after the catalogue head"));
    }
    let head = Head {
        builds,
        segments,
        shards,
        file_len,
        head_end,
    };
    for b in 0..head.builds.len() {
        head.chain(BuildIdx(b as u32))?;
    }
    let mut names = std::collections::HashSet::new();
    for b in &head.builds {
        if !names.insert(b.name.as_str()) {
            return Err(Error::malformed(
                0,
                format!("build {} listed twice", b.name),
            ));
        }
    }
    Ok(head)
}

impl Head {
    /// The build named `name`.
    pub fn find(&self, name: &str) -> Option<BuildIdx> {
        self.builds
            .iter()
            .position(|b| b.name == name)
            .map(|i| BuildIdx(i as u32))
    }

    /// The build at `b`.
    pub fn build(&self, b: BuildIdx) -> &Build {
        &self.builds[b.0 as usize]
    }

    /// The builds to rebuild, reference first, ending with `b` itself.
    pub fn chain(&self, b: BuildIdx) -> Result<Vec<BuildIdx>> {
        let mut chain = vec![b];
        let mut at = b;
        while let Recipe::Delta { reference, .. } = self.build(at).recipe {
            if chain.len() >= MAX_CHAIN || chain.contains(&reference) {
                return Err(Error::malformed(
                    0,
                    format!(
                        "build {}: reference chain loops or is longer than {MAX_CHAIN}",
                        self.build(b).name
                    ),
                ));
            }
            chain.push(reference);
            at = reference;
        }
        chain.reverse();
        Ok(chain)
    }

    /// The segments a reader needs to rebuild `b`, in the order they are applied.
    pub fn segments_for(&self, b: BuildIdx) -> Result<Vec<(SegmentId, Segment)>> {
        Ok(self
            .chain(b)?
            .into_iter()
            .map(|x| {
                let s = self.build(x).recipe.segment();
                (s, self.segments[s.0 as usize])
            })
            .collect())
    }

    /// Bytes a reader transfers for `b`: the preamble, the head and its chain's segments.
    pub fn transfer_for(&self, b: BuildIdx) -> Result<u64> {
        Ok(self.head_end
            + self
                .segments_for(b)?
                .iter()
                .map(|(_, s)| s.len)
                .sum::<u64>())
    }
}

/// Encodes a head (the packer's side).
pub(crate) fn encode_head(head: &Head) -> Vec<u8> {
    let mut s = Sink::default();
    s.var(head.segments.len() as u64);
    for seg in &head.segments {
        s.var(seg.offset);
        s.var(seg.len);
        s.var(seg.raw_len);
    }
    s.var(head.builds.len() as u64);
    for b in &head.builds {
        for text in [
            &b.name, &b.release, &b.arch, &b.suite, &b.pocket, &b.flavour, &b.package, &b.version,
            &b.source, &b.carved,
        ] {
            s.str(text);
        }
        s.bytes(&b.deb_sha256);
        s.var(b.deb_size);
        s.bytes(&b.btf_sha256);
        s.var(b.btf_len);
        s.var(b.types as u64);
        match b.recipe {
            Recipe::Whole(seg) => {
                s.out.push(0);
                s.var(seg.0 as u64);
            }
            Recipe::Delta { segment, reference } => {
                s.out.push(1);
                s.var(segment.0 as u64);
                s.var(reference.0 as u64);
            }
        }
    }
    s.var(head.shards.len() as u64);
    for sh in &head.shards {
        s.var(sh.0 as u64);
    }
    s.out
}

/// The preamble for a head compressed to `head` (raw length `raw_len`).
pub(crate) fn encode_preamble(
    head: &[u8],
    raw_len: usize,
    segments: usize,
    file_len: u64,
) -> Vec<u8> {
    let mut s = Sink::default();
    s.bytes(MAGIC);
    s.u32_le(VERSION);
    s.u32_le(head.len() as u32);
    s.u32_le(raw_len as u32);
    s.u32_le(segments as u32);
    s.bytes(&sha256(head));
    s.u64_le(file_len);
    s.out
}

/// sha256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

/// Lowercase hex of a digest.
pub fn hex(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
