//! The kernel catalogue: every Debian kernel build's BTF in one compact archive, a build
//! rebuilt byte-identical on demand, and questions across all builds answered from an index
//! without rebuilding any.
//!
//! The archive ([`archive`]): a head (provenance and recipe of every build, where its
//! segments are), then zstd segments. A build is stored whole or as a BTF-aware delta over a
//! reference build (the `delta` module: records copied with their type ids and name offsets
//! renumbered, so types shared across builds are stored once); a reader needs only the
//! segments of one build's reference chain. Every rebuilt BTF is checked against its
//! sha256. The cross-build index (`index`) is sharded by name: `where task_struct.__state`
//! reads one shard.
//!
//! For a page, the order of work is: fetch the first [`archive::PREAMBLE_LEN`] bytes, then
//! up to [`archive::needed_prefix`], [`parse_head`]; for a build, fetch
//! [`Head::segments_for`] and call [`Materializer::btf`] with a [`SegmentSource`] over what
//! was fetched; for a where-query, fetch the shard [`index::shard_of`] names and call
//! [`where_is`]. Everything is checked: the file is untrusted bytes, and errors name the
//! build and the byte offset.

mod align;
pub mod archive;
mod cursor;
mod delta;
pub mod index;
mod materialize;
pub mod pack;
mod raw;
#[doc(hidden)]
pub mod sample;
mod zstd;

use std::collections::HashMap;
use std::sync::Arc;

pub use archive::{
    needed_prefix, parse_head, sha256, Build, BuildIdx, Head, Recipe, Segment, SegmentId,
};
pub use delta::MAX_BTF_LEN;
pub use index::{where_is, Fact, Run, Shard, ShardSource, WhereAnswer};
pub use materialize::{Materializer, References, SegmentSource, UncheckedBtf, WholeFile};

use crate::error::{Error, Result};
#[doc(hidden)]
pub use raw::RawBtf;

/// A blob split for the delta codec (`None` if it is not plain kernel BTF). For fuzzing.
#[doc(hidden)]
pub fn raw_btf(blob: &[u8]) -> Option<RawBtf> {
    RawBtf::parse(blob)
}

/// The delta decoder. For fuzzing.
#[doc(hidden)]
pub fn apply_delta(reference: &RawBtf, delta: &[u8]) -> Result<Vec<u8>> {
    delta::apply(reference, delta)
}

/// The delta encoder. For fuzzing seeds.
#[doc(hidden)]
pub fn encode_delta(reference: &RawBtf, target: &RawBtf) -> Result<Vec<u8>> {
    delta::encode(reference, target)
}

/// A whole archive in memory (the CLI's view): the head, the file, decoded shards.
#[derive(Debug)]
pub struct Catalog<'a> {
    /// The head.
    pub head: Head,
    file: &'a [u8],
    shards: HashMap<usize, Arc<Shard>>,
}

impl<'a> Catalog<'a> {
    /// Reads the head of a whole archive file.
    pub fn parse(file: &'a [u8]) -> Result<Catalog<'a>> {
        let head = parse_head(file)?;
        if (file.len() as u64) < head.file_len {
            return Err(Error::truncated(
                "catalogue",
                file.len() as u64,
                head.file_len,
                file.len() as u64,
            ));
        }
        Ok(Catalog {
            head,
            file,
            shards: HashMap::new(),
        })
    }

    /// The whole archive file.
    pub fn file(&self) -> &'a [u8] {
        self.file
    }

    /// The BTF of one build, checked against its sha256.
    pub fn btf(&self, b: BuildIdx) -> Result<Vec<u8>> {
        Materializer::new(&self.head).btf(b, &mut WholeFile(self.file))
    }

    /// A materialiser over this file, for many builds in a row (it keeps references).
    pub fn materializer(&self) -> (Materializer<'_>, WholeFile<'a>) {
        (Materializer::new(&self.head), WholeFile(self.file))
    }

    /// "Where is `path`" over every build.
    pub fn where_is(&mut self, path: &str) -> Result<WhereAnswer> {
        where_is(path, self)
    }

    /// The builds a selector names (see [`select`]).
    pub fn select(&self, selector: &str) -> Result<Vec<BuildIdx>, String> {
        select(&self.head, selector)
    }
}

impl ShardSource for Catalog<'_> {
    fn shard(&mut self, index: usize) -> Result<Arc<Shard>> {
        if let Some(s) = self.shards.get(&index) {
            return Ok(s.clone());
        }
        let shard = decode_shard(&self.head, index, &mut WholeFile(self.file))?;
        let shard = Arc::new(shard);
        self.shards.insert(index, shard.clone());
        Ok(shard)
    }

    fn count(&self) -> usize {
        self.head.shards.len()
    }
}

/// Decodes index shard `index` of `head` from `source`.
pub fn decode_shard(head: &Head, index: usize, source: &mut dyn SegmentSource) -> Result<Shard> {
    let id = *head
        .shards
        .get(index)
        .ok_or_else(|| Error::malformed(0, format!("no index shard {index}")))?;
    let seg = head.segments[id.0 as usize];
    let space = format!(
        "index shard {index} (segment at file offset {:#x}, decompressed)",
        seg.offset
    );
    let bytes = source.segment(id, &seg)?;
    let raw = zstd::decompress(&bytes, seg.raw_len).map_err(|e| {
        Error::malformed(
            seg.offset,
            format!("index shard {index} does not decompress: {e}"),
        )
    })?;
    Shard::parse(&raw, head.builds.len() as u32).map_err(|e| e.in_space(&space))
}

/// The builds `selector` names, in catalogue order: a build's id, `all`, or filters joined
/// by `/` that must all hold (`bookworm/arm64`), each an architecture, suite, series
/// (`6.1`), flavour (`rt-amd64`), or a pattern of ids with `*` (`debian12-6.1.0-5*-amd64`).
pub fn select(head: &Head, selector: &str) -> Result<Vec<BuildIdx>, String> {
    if let Some(b) = head.find(selector) {
        return Ok(vec![b]);
    }
    let terms: Vec<&str> = selector.split('/').collect();
    let matches = |b: &Build, t: &str| {
        t == "all"
            || t == b.arch
            || t == b.suite
            || t == b.series()
            || t == b.flavour
            || (t.contains('*') && glob(t, &b.name))
    };
    let known = |t: &str| head.builds.iter().any(|b| matches(b, t));
    if let Some(bad) = terms.iter().find(|t| t.is_empty() || !known(t)) {
        return Err(format!(
            "no catalogue build matches `{bad}` (a build id, `all`, an architecture, suite, series, flavour or an id pattern with `*`; `corelab catalog list` shows them)"
        ));
    }
    let out: Vec<BuildIdx> = (0..head.builds.len())
        .filter(|&i| terms.iter().all(|t| matches(&head.builds[i], t)))
        .map(|i| BuildIdx(i as u32))
        .collect();
    if out.is_empty() {
        return Err(format!("no catalogue build matches all of `{selector}`"));
    }
    Ok(out)
}

/// `*` matches any run of characters.
fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !s.starts_with(first) || s.len() < first.len() + last.len() || !s.ends_with(last) {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests;
