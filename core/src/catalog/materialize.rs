//! Rebuilding a build's BTF: fetch the segments of its reference chain, decompress, apply
//! each delta over the BTF before it, and check every rebuilt BTF against its sha256.

use std::borrow::Cow;
use std::sync::Arc;

use super::archive::{sha256, BuildIdx, Head, Recipe, Segment, SegmentId};
use super::raw::RawBtf;
use crate::error::{Error, Result};

/// Where segment bytes come from: the whole archive in memory (the CLI), or the byte ranges
/// a page has fetched.
pub trait SegmentSource {
    /// The compressed bytes of segment `id` (`seg` says where it lies in the file).
    fn segment(&mut self, id: SegmentId, seg: &Segment) -> Result<Cow<'_, [u8]>>;
}

/// The whole archive file.
#[derive(Debug, Clone, Copy)]
pub struct WholeFile<'a>(pub &'a [u8]);

impl SegmentSource for WholeFile<'_> {
    fn segment(&mut self, _: SegmentId, seg: &Segment) -> Result<Cow<'_, [u8]>> {
        let r = seg.range();
        self.0
            .get(r.start as usize..r.end as usize)
            .map(Cow::Borrowed)
            .ok_or_else(|| {
                Error::truncated(
                    "catalogue segment",
                    seg.offset,
                    seg.len,
                    (self.0.len() as u64).saturating_sub(seg.offset),
                )
            })
    }
}

/// References kept rebuilt between calls (each is a whole BTF split for the codec, ~2× its
/// size): enough for a pass over the catalogue in order, where builds that share a
/// reference are neighbours.
pub const CACHED_REFERENCES: usize = 4;

/// References a materialiser kept rebuilt, handed from one materialiser to the next over the
/// same head (a page keeps them between picks: builds of one series share their chain).
#[derive(Debug, Default, Clone)]
pub struct References(Vec<(BuildIdx, Arc<RawBtf>)>);

impl References {
    /// How many are kept.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A build's BTF rebuilt without its sha256 checked ([`Materializer::btf_unchecked`]): the
/// bytes must not be used before the caller has checked that their sha256 is `sha256`.
#[derive(Debug)]
#[must_use = "the bytes are unchecked: compare their sha256 with `sha256` first"]
pub struct UncheckedBtf {
    /// The rebuilt BTF (its length already matches the recorded one).
    pub bytes: Vec<u8>,
    /// The sha256 recorded for the build, which `bytes` must have.
    pub sha256: [u8; 32],
}

/// Which rebuilt BTFs have their sha256 checked (every one has its length checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// The build and every reference on the way.
    Every,
    /// The build asked for alone.
    BuildOnly,
    /// None: the caller checks the build ([`Materializer::btf_unchecked`]).
    LengthOnly,
}

/// Rebuilds builds of one archive, keeping the last few references it rebuilt.
#[derive(Debug)]
pub struct Materializer<'h> {
    head: &'h Head,
    cache: Vec<(BuildIdx, Arc<RawBtf>)>,
    /// Builds some other build refers to.
    is_reference: Vec<bool>,
    /// How many references to keep.
    keep: usize,
    /// Whether every reference's sha256 is checked as it is rebuilt (else only when the
    /// build's own check fails).
    check_references: bool,
}

impl<'h> Materializer<'h> {
    /// A materialiser for the builds of `head`.
    pub fn new(head: &'h Head) -> Self {
        let mut is_reference = vec![false; head.builds.len()];
        for b in &head.builds {
            if let Recipe::Delta { reference, .. } = b.recipe {
                is_reference[reference.0 as usize] = true;
            }
        }
        Materializer {
            head,
            cache: Vec::new(),
            is_reference,
            keep: CACHED_REFERENCES,
            check_references: true,
        }
    }

    /// A materialiser for the builds of `head` that starts with `references` (kept by an
    /// earlier one over the same head; at most `keep` are kept from now on).
    pub fn with_references(head: &'h Head, references: References, keep: usize) -> Self {
        let mut m = Materializer::new(head);
        m.keep = keep;
        m.cache = references.0;
        m.cache.retain(|(b, _)| (b.0 as usize) < head.builds.len());
        let excess = m.cache.len().saturating_sub(keep);
        m.cache.drain(..excess);
        m
    }

    /// Checks the references' sha256 only when the build's own check fails; then the chain
    /// is rebuilt with every check, so the error still names the build whose segment is
    /// wrong. The build handed out is checked either way (a wrong reference cannot give a
    /// BTF that matches the build's digest), and a kept reference only ever serves under
    /// another build's own check. For a page, where hashing every reference is a third of a
    /// rebuild.
    pub fn checking_references_on_failure(mut self) -> Self {
        self.check_references = false;
        self
    }

    /// The references it kept, for the next materialiser over the same head.
    pub fn into_references(self) -> References {
        References(self.cache)
    }

    /// The segments rebuilding `b` reads now: its chain from the deepest reference this
    /// materialiser keeps (a page sends only these, and asks for the rest if a failed check
    /// makes it rebuild the whole chain).
    pub fn segments_needed(&self, b: BuildIdx) -> Result<Vec<Segment>> {
        let chain = self.head.chain(b)?;
        let start = chain
            .iter()
            .rposition(|x| *x != b && self.cache.iter().any(|(c, _)| c == x))
            .map_or(0, |k| k + 1);
        Ok(chain[start..]
            .iter()
            .map(|&x| self.head.segments[self.head.build(x).recipe.segment().0 as usize])
            .collect())
    }

    /// The raw BTF of build `b`, byte-identical to the blob carved from its package (its
    /// sha256 is checked, and so is every reference's on the way, unless
    /// [`Materializer::checking_references_on_failure`]).
    pub fn btf(&mut self, b: BuildIdx, source: &mut dyn SegmentSource) -> Result<Vec<u8>> {
        if self.check_references {
            return self.rebuild(b, source, Check::Every);
        }
        match self.rebuild(b, source, Check::BuildOnly) {
            Ok(bytes) => Ok(bytes),
            Err(_) => {
                // Find the culprit: nothing unchecked is kept, every BTF is checked.
                self.cache.clear();
                self.rebuild(b, source, Check::Every)
            }
        }
    }

    /// The raw BTF of build `b` rebuilt *without* its sha256 checked, and the digest it must
    /// have: the caller must check it before using the bytes, and on a mismatch drop them and
    /// call [`Materializer::btf`], which rebuilds the chain with every check and names the
    /// build whose segment is wrong. For a page, whose browser hashes natively several times
    /// faster than the wasm sha256 (the CLI checks in [`Materializer::btf`]). References on
    /// the way are not checked either, as with
    /// [`Materializer::checking_references_on_failure`]; a reference kept from here only
    /// ever serves under another build's own check, and a failed check clears them all.
    pub fn btf_unchecked(
        &mut self,
        b: BuildIdx,
        source: &mut dyn SegmentSource,
    ) -> Result<UncheckedBtf> {
        let sha256 = self.head.build(b).btf_sha256;
        match self.rebuild(b, source, Check::LengthOnly) {
            Ok(bytes) => Ok(UncheckedBtf { bytes, sha256 }),
            Err(e) => {
                // A rebuild that fails before any digest is compared names what it can; the
                // references it read are not kept past a failure, as in `btf`.
                self.cache.clear();
                Err(e)
            }
        }
    }

    fn rebuild(
        &mut self,
        b: BuildIdx,
        source: &mut dyn SegmentSource,
        check: Check,
    ) -> Result<Vec<u8>> {
        let chain = self.head.chain(b)?;
        // Start from the deepest reference already at hand.
        let mut start = 0;
        let mut current: Option<Arc<RawBtf>> = None;
        for (k, x) in chain.iter().enumerate().rev() {
            if *x == b {
                continue;
            }
            if let Some(pos) = self.cache.iter().position(|(c, _)| c == x) {
                let hit = self.cache.remove(pos);
                current = Some(hit.1.clone());
                self.cache.push(hit);
                start = k + 1;
                break;
            }
        }
        for &x in &chain[start..] {
            let digest = match check {
                Check::Every => true,
                Check::BuildOnly => x == b,
                Check::LengthOnly => false,
            };
            let bytes = self.one(x, current.as_deref(), source, digest)?;
            if x == b {
                // A reference asked for itself is kept too: in a pass over a selection in
                // chain order, the builds rebuilt over it come next.
                if self.is_reference[x.0 as usize] && !self.cache.iter().any(|(c, _)| *c == x) {
                    if let Some(raw) = RawBtf::parse(&bytes) {
                        self.remember(x, Arc::new(raw));
                    }
                }
                return Ok(bytes);
            }
            let raw = RawBtf::parse(&bytes).ok_or_else(|| {
                Error::malformed(
                    0,
                    format!(
                        "build {} is used as a reference but is not plain kernel BTF",
                        self.head.build(x).name
                    ),
                )
            })?;
            let raw = Arc::new(raw);
            if self.is_reference[x.0 as usize] {
                self.remember(x, raw.clone());
            }
            current = Some(raw);
        }
        unreachable_chain(self.head, b)
    }

    /// Keeps reference `x` (the oldest kept goes when `keep` are).
    fn remember(&mut self, x: BuildIdx, raw: Arc<RawBtf>) {
        if self.keep == 0 {
            return;
        }
        if self.cache.len() >= self.keep {
            self.cache.remove(0);
        }
        self.cache.push((x, raw));
    }

    /// Rebuilds `x` from its segment over `reference` and checks its digest (its length
    /// only, without `check`).
    fn one(
        &self,
        x: BuildIdx,
        reference: Option<&RawBtf>,
        source: &mut dyn SegmentSource,
        check: bool,
    ) -> Result<Vec<u8>> {
        let build = self.head.build(x);
        let id = build.recipe.segment();
        let seg = self.head.segments[id.0 as usize];
        let space = format!(
            "build {} (its segment at file offset {:#x}, decompressed)",
            build.name, seg.offset
        );
        let compressed = source.segment(id, &seg)?;
        let data = super::zstd::decompress(&compressed, seg.raw_len).map_err(|e| {
            Error::malformed(
                seg.offset,
                format!("build {}: segment does not decompress: {e}", build.name),
            )
        })?;
        let bytes = match (build.recipe, reference) {
            (Recipe::Whole(_), _) => data,
            (Recipe::Delta { .. }, Some(r)) => {
                super::delta::apply(r, &data).map_err(|e| e.in_space(&space))?
            }
            (Recipe::Delta { .. }, None) => return unreachable_chain(self.head, x),
        };
        if bytes.len() as u64 != build.btf_len || (check && sha256(&bytes) != build.btf_sha256) {
            return Err(Error::malformed(
                seg.offset,
                format!(
                    "build {}: rebuilt BTF ({} bytes) does not match its recorded sha256 {} ({} bytes)",
                    build.name,
                    bytes.len(),
                    super::archive::hex(&build.btf_sha256),
                    build.btf_len
                ),
            ));
        }
        Ok(bytes)
    }
}

#[cold]
fn unreachable_chain<T>(head: &Head, b: BuildIdx) -> Result<T> {
    Err(Error::malformed(
        0,
        format!(
            "build {}: its reference chain is broken",
            head.build(b).name
        ),
    ))
}
