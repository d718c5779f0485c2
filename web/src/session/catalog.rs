//! The kernel catalogue in the engine: the archive's head (parsed once, from the bytes the
//! page fetched), a build rebuilt from the segments the page fetched for it (core's
//! `Materializer`, every BTF checked against its sha256), and "where is X" answered from the
//! index shards handed over so far.
//!
//! The page fetches; the engine never does. A where-question that needs a shard it has not
//! been given answers with the shards it lacks, and the page asks again once it has sent
//! them (a member path may lead through types whose keys live in other shards).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use corelab::catalog::{
    decode_shard, parse_head, sha256, where_is, BuildIdx, Fact, Head, Materializer, References,
    Segment, SegmentId, SegmentSource, Shard, ShardSource, UncheckedBtf,
};
use corelab::Error;

use super::{Kernel, Session};
use crate::dto::catalog::{CatalogBuild, CatalogListing, WhereOutcome, WhereRun, WhereTable};

/// The catalogue the engine holds: its head, the index shards decoded so far, and the last
/// references rebuilt (picking another build of the same series rebuilds only its own delta).
#[derive(Debug)]
pub struct Catalogue {
    head: Head,
    shards: HashMap<usize, Arc<Shard>>,
    references: References,
}

impl Catalogue {
    /// The archive's head.
    pub fn head(&self) -> &Head {
        &self.head
    }
}

/// References kept between picks (each is a whole kernel's BTF split for the codec, ~2× its
/// size: ~10 MB).
const KEPT_REFERENCES: usize = 2;

/// A build rebuilt, or the segments it still needs.
pub(crate) enum Rebuilt<T = Vec<u8>> {
    /// Its raw BTF, sha256 checked (or, as [`UncheckedBtf`], with the digest to check).
    Btf(T),
    /// These segments (file offsets) must be handed over too.
    Missing(Vec<u64>),
}

/// Segments the page fetched, by file offset: each must be exactly as long as the head says.
struct Fetched<'a>(&'a [(u64, &'a [u8])]);

impl SegmentSource for Fetched<'_> {
    fn segment(&mut self, _: SegmentId, seg: &Segment) -> corelab::Result<Cow<'_, [u8]>> {
        match self.0.iter().find(|(o, _)| *o == seg.offset) {
            Some((_, bytes)) if bytes.len() as u64 == seg.len => Ok(Cow::Borrowed(bytes)),
            Some((_, bytes)) => Err(Error::truncated(
                "catalogue segment",
                seg.offset,
                seg.len,
                bytes.len() as u64,
            )),
            None => Err(Error::malformed(
                seg.offset,
                "catalogue segment not fetched",
            )),
        }
    }
}

/// The shards a question may read: those decoded, and a note of those it asked for and
/// the page has not handed over yet.
pub(crate) struct Shards<'a> {
    have: &'a HashMap<usize, Arc<Shard>>,
    count: usize,
    /// Shards asked for and missing, in the order asked.
    pub missing: Vec<usize>,
}

impl Catalogue {
    /// The shards handed over so far, as a question reads them.
    pub(crate) fn shard_source(&self) -> Shards<'_> {
        Shards {
            have: &self.shards,
            count: self.head.shards.len(),
            missing: Vec::new(),
        }
    }
}

impl ShardSource for Shards<'_> {
    fn shard(&mut self, index: usize) -> corelab::Result<Arc<Shard>> {
        match self.have.get(&index) {
            Some(s) => Ok(s.clone()),
            None => {
                if !self.missing.contains(&index) {
                    self.missing.push(index);
                }
                Err(Error::malformed(
                    0,
                    format!("index shard {index} not fetched"),
                ))
            }
        }
    }

    fn count(&self) -> usize {
        self.count
    }
}

impl Session {
    /// Reads the catalogue's preamble and head (`bytes`: the file's first
    /// [`CatalogListing::head_bytes`] bytes or more) and lists its builds.
    pub fn catalog_open(&mut self, bytes: &[u8]) -> Result<CatalogListing, String> {
        let head = parse_head(bytes).map_err(|e| format!("kernel catalogue: {e}"))?;
        let mut listing = listing(&head)?;
        let digest = sha256(&bytes[..(head.head_end as usize).min(bytes.len())]);
        listing.version = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        self.catalog = Some(Catalogue {
            head,
            shards: HashMap::new(),
            references: References::default(),
        });
        Ok(listing)
    }

    pub(crate) fn catalogue(&self) -> Result<&Catalogue, String> {
        self.catalog
            .as_ref()
            .ok_or_else(|| "the kernel catalogue is not open".to_owned())
    }

    /// Rebuilds build `name` from `segments` (file offset, bytes: its chain, as the listing
    /// names them), checks its sha256, and loads it into `slot`.
    pub fn catalog_load(
        &mut self,
        slot: u32,
        name: &str,
        segments: &[(u64, &[u8])],
    ) -> Result<&Kernel, String> {
        let clock = self.clock;
        let started = clock();
        let btf = match self.catalog_rebuild(name, segments, KEPT_REFERENCES)? {
            Rebuilt::Btf(btf) => btf,
            Rebuilt::Missing(offsets) => {
                return Err(format!(
                    "catalogue build {name}: catalogue segment at file offset {:#x} not fetched",
                    offsets.first().copied().unwrap_or_default()
                ))
            }
        };
        let layer = format!(
            "catalogue build (rebuilt from {} segment{} of {} KB in {} ms, sha256 checked)",
            segments.len(),
            if segments.len() == 1 { "" } else { "s" },
            segments
                .iter()
                .map(|s| s.1.len())
                .sum::<usize>()
                .div_ceil(1000),
            (clock() - started).max(0.0) as u64
        );
        let mut kernel = Kernel::load(&format!("@{name}"), &btf, None)?;
        kernel.layers.insert(0, layer);
        Ok(self.kernels.insert(slot, kernel))
    }

    /// Rebuilds build `name` from `segments` (file offset, bytes), keeping up to `keep`
    /// references for the next build. Segments it needs and was not given are
    /// [`Rebuilt::Missing`]: the references it did not keep, or, when the build's own check
    /// fails, the rest of its chain (rebuilt with every check, to name the culprit).
    pub(crate) fn catalog_rebuild(
        &mut self,
        name: &str,
        segments: &[(u64, &[u8])],
        keep: usize,
    ) -> Result<Rebuilt, String> {
        self.catalog_rebuild_with(name, segments, keep, |m, b, source| m.btf(b, source))
    }

    /// [`Session::catalog_rebuild`] without the build's sha256 checked: the bytes and the
    /// digest they must have, for a caller that hashes them faster (the worker, with the
    /// browser's SHA-256) and then hands them to [`Session::sweep_checked`].
    pub(crate) fn catalog_rebuild_unchecked(
        &mut self,
        name: &str,
        segments: &[(u64, &[u8])],
        keep: usize,
    ) -> Result<Rebuilt<UncheckedBtf>, String> {
        self.catalog_rebuild_with(name, segments, keep, |m, b, source| {
            m.btf_unchecked(b, source)
        })
    }

    /// Forgets the references kept: after a build missed its digest, its rebuild starts
    /// from the whole chain, every BTF checked.
    pub(crate) fn catalog_forget_references(&mut self) {
        if let Some(cat) = self.catalog.as_mut() {
            cat.references = References::default();
        }
    }

    fn catalog_rebuild_with<T>(
        &mut self,
        name: &str,
        segments: &[(u64, &[u8])],
        keep: usize,
        rebuild: impl FnOnce(
            &mut Materializer<'_>,
            BuildIdx,
            &mut dyn SegmentSource,
        ) -> corelab::Result<T>,
    ) -> Result<Rebuilt<T>, String> {
        let cat = self
            .catalog
            .as_mut()
            .ok_or_else(|| "the kernel catalogue is not open".to_owned())?;
        let b = cat
            .head
            .find(name)
            .ok_or_else(|| format!("no catalogue build named {name}"))?;
        let references = std::mem::take(&mut cat.references);
        // The build's own sha256 is always checked; its references' only when that fails
        // (then every one is, to name the culprit): hashing them was a third of a rebuild.
        let mut m = Materializer::with_references(&cat.head, references, keep)
            .checking_references_on_failure();
        let missing = |needed: Vec<Segment>| -> Vec<u64> {
            needed
                .iter()
                .map(|s| s.offset)
                .filter(|o| !segments.iter().any(|(have, _)| have == o))
                .collect()
        };
        let before = m
            .segments_needed(b)
            .map_err(|e| format!("catalogue build {name}: {e}"))?;
        let lacking = missing(before);
        if !lacking.is_empty() {
            cat.references = m.into_references();
            return Ok(Rebuilt::Missing(lacking));
        }
        let btf = rebuild(&mut m, b, &mut Fetched(segments));
        cat.references = m.into_references();
        match btf {
            Ok(btf) => Ok(Rebuilt::Btf(btf)),
            Err(e) => {
                let chain = cat
                    .head
                    .segments_for(b)
                    .map(|v| v.into_iter().map(|(_, s)| s).collect())
                    .unwrap_or_default();
                let lacking = missing(chain);
                if lacking.is_empty() {
                    Err(format!("catalogue build {name}: {e}"))
                } else {
                    Ok(Rebuilt::Missing(lacking))
                }
            }
        }
    }

    /// Decodes index shards the page fetched (shard index, bytes) and keeps them.
    pub fn catalog_shards(&mut self, shards: &[(u32, &[u8])]) -> Result<(), String> {
        let cat = self
            .catalog
            .as_mut()
            .ok_or_else(|| "the kernel catalogue is not open".to_owned())?;
        for &(index, bytes) in shards {
            let index = index as usize;
            let Some(&id) = cat.head.shards.get(index) else {
                return Err(format!("kernel catalogue: no index shard {index}"));
            };
            let seg = cat.head.segments[id.0 as usize];
            let shard = decode_shard(&cat.head, index, &mut Fetched(&[(seg.offset, bytes)]))
                .map_err(|e| format!("kernel catalogue: {e}"))?;
            cat.shards.insert(index, Arc::new(shard));
        }
        Ok(())
    }

    /// "Where is `path`" over every build, from the shards handed over so far.
    pub fn catalog_where(&self, path: &str) -> Result<WhereOutcome, String> {
        let cat = self.catalogue()?;
        let mut shards = cat.shard_source();
        match where_is(path, &mut shards) {
            Ok(a) => Ok(WhereOutcome::Table(where_table(&a.path, &a.runs))),
            Err(_) if !shards.missing.is_empty() => {
                Ok(WhereOutcome::NeedShard(shards.missing[0] as u32))
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

fn listing(head: &Head) -> Result<CatalogListing, String> {
    let builds = (0..head.builds.len())
        .map(|i| {
            let b = head.build(BuildIdx(i as u32));
            let segments = head
                .segments_for(BuildIdx(i as u32))
                .map_err(|e| format!("kernel catalogue: {e}"))?
                .into_iter()
                .map(|(_, s)| (s.offset, s.len))
                .collect();
            Ok(CatalogBuild {
                name: b.name.clone(),
                release: b.release.clone(),
                arch: b.arch.clone(),
                suite: b.suite.clone(),
                series: b.series().to_owned(),
                flavour: b.flavour.clone(),
                version: b.version.clone(),
                types: b.types,
                segments,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let shards = head
        .shards
        .iter()
        .map(|id| {
            let s = head.segments[id.0 as usize];
            (s.offset, s.len)
        })
        .collect();
    Ok(CatalogListing {
        builds,
        head_bytes: head.head_end,
        archive_bytes: head.file_len,
        shards,
        version: String::new(),
    })
}

/// Runs of facts as the table and the chart show them.
fn where_table(path: &str, runs: &[corelab::catalog::Run]) -> WhereTable {
    let mut answers: BTreeMap<&[Fact], u32> = BTreeMap::new();
    let mut present = 0;
    let rows = runs
        .iter()
        .map(|r| {
            let facts = r.facts.as_slice();
            let answer = if facts.is_empty() {
                u32::MAX
            } else {
                present += r.len;
                let next = answers.len() as u32;
                *answers.entry(facts).or_insert(next)
            };
            WhereRun {
                first: r.first,
                len: r.len,
                facts: facts.iter().map(Fact::describe).collect(),
                bits: match facts.first() {
                    Some(Fact::Member {
                        bit_offset,
                        bit_size,
                        ..
                    }) => Some((*bit_offset, *bit_size)),
                    Some(Fact::Type {
                        size: Some(size), ..
                    }) => Some((0, size.saturating_mul(8))),
                    _ => None,
                },
                answer,
            }
        })
        .collect();
    WhereTable {
        path: path.to_owned(),
        runs: rows,
        present,
        answers: answers.len() as u32,
    }
}

#[cfg(test)]
mod tests;
