//! Writing an archive (the packer's side, run by hand by `corelab catalog pack`).
//!
//! Builds are put in catalogue order and grouped by (suite, series, architecture, flavour):
//! builds of one group differ by a few kilobytes, so each group has an *anchor* (its middle
//! build) and every other build of the group is a delta over it. An anchor is itself a
//! delta over the anchor of a related group (same release on another architecture or
//! flavour, same architecture in another suite or series) when that is smaller than storing
//! it whole, as long as the chain a reader fetches stays within the transfer budget and
//! depth. Compression is the caller's (the native reference zstd encoder): `core` only
//! decodes.

use std::collections::HashMap;

use super::archive::{
    encode_head, encode_preamble, Build, BuildIdx, Head, Recipe, Segment, SegmentId, PREAMBLE_LEN,
};
use super::index::IndexBuilder;
use super::raw::RawBtf;
use crate::btf::Btf;
use crate::error::{Error, Result};

/// One build to pack: its provenance (recipe, sha256, length and type count are filled in
/// by the packer) and its BTF.
#[derive(Debug, Clone)]
pub struct PackInput {
    /// Provenance; `recipe`, `btf_sha256`, `btf_len` and `types` are overwritten.
    pub meta: Build,
    /// The raw BTF.
    pub btf: Vec<u8>,
}

/// Packing choices.
#[derive(Debug, Clone)]
pub struct PackOptions {
    /// Most bytes a reader may transfer for one build (head and chain).
    pub max_transfer: u64,
    /// Longest reference chain below a whole build (a member of a group is at most this
    /// deep).
    pub max_depth: usize,
    /// Number of index shards.
    pub shards: usize,
}

impl Default for PackOptions {
    fn default() -> Self {
        PackOptions {
            max_transfer: 1_950_000,
            max_depth: 4,
            shards: 64,
        }
    }
}

/// What the packer did with one build.
#[derive(Debug, Clone)]
pub struct PackedBuild {
    /// The build's id.
    pub name: String,
    /// Its reference, if it is a delta.
    pub reference: Option<String>,
    /// Its segment's compressed size.
    pub segment_len: u64,
    /// What a reader transfers for it.
    pub transfer: u64,
}

/// The archive and what went into it.
#[derive(Debug, Clone)]
pub struct Packed {
    /// The archive file.
    pub bytes: Vec<u8>,
    /// Per build, in catalogue order.
    pub builds: Vec<PackedBuild>,
    /// Compressed size of the head.
    pub head_len: u64,
    /// Compressed size of the index shards together.
    pub index_len: u64,
}

/// Catalogue order: series, suite, architecture (amd64 first), flavour, then release.
pub fn catalogue_order(a: &Build, b: &Build) -> std::cmp::Ordering {
    let suite = |s: &str| match s {
        "bullseye" => 0,
        "bookworm" => 1,
        "trixie" => 2,
        "sid" => 4,
        _ => 3,
    };
    let arch = |s: &str| (s != "amd64", s != "arm64", s.to_owned());
    natural_key(a.series())
        .cmp(&natural_key(b.series()))
        .then(suite(&a.suite).cmp(&suite(&b.suite)))
        .then(arch(&a.arch).cmp(&arch(&b.arch)))
        .then((a.flavour != a.arch_flavour()).cmp(&(b.flavour != b.arch_flavour())))
        .then(a.flavour.cmp(&b.flavour))
        .then(natural_key(&a.release).cmp(&natural_key(&b.release)))
        .then(a.name.cmp(&b.name))
}

/// Digits compared as numbers: `6.1.0-9` before `6.1.0-10`.
pub(crate) fn natural_key(s: &str) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let mut num = String::new();
    let mut text = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                out.push((u64::MAX, std::mem::take(&mut text)));
            }
            num.push(c);
        } else {
            if !num.is_empty() {
                out.push((num.parse().unwrap_or(u64::MAX), String::new()));
                num.clear();
            }
            text.push(c);
        }
    }
    if !num.is_empty() {
        out.push((num.parse().unwrap_or(u64::MAX), String::new()));
    }
    if !text.is_empty() {
        out.push((u64::MAX, text));
    }
    out
}

impl Build {
    /// The flavour named like the architecture's kernels usually are (`amd64`, `arm64`,
    /// `powerpc64le`, …), so that the main flavour sorts first.
    fn arch_flavour(&self) -> &str {
        match self.arch.as_str() {
            "ppc64el" => "powerpc64le",
            "i386" => "686-pae",
            "armhf" => "armmp",
            "armel" => "rpi",
            "mips64el" => "mips64r2el",
            "mipsel" => "mips32r2el",
            a => a,
        }
    }
}

/// Packs `inputs` into an archive. `compress` is zstd (any level; the reader decodes any
/// frame). Progress lines go to `log`.
pub fn pack(
    mut inputs: Vec<PackInput>,
    opts: &PackOptions,
    compress: &dyn Fn(&[u8]) -> Vec<u8>,
    log: &mut dyn FnMut(&str),
) -> Result<Packed> {
    inputs.sort_by(|a, b| catalogue_order(&a.meta, &b.meta));
    let n = inputs.len();
    if n == 0 || n > super::archive::MAX_BUILDS {
        return Err(Error::unsupported(0, "a catalogue holds 1 to 4096 builds"));
    }
    let raws: Vec<Option<RawBtf>> = inputs.iter().map(|i| RawBtf::parse(&i.btf)).collect();

    // Groups and their anchors.
    let group_key = |b: &Build| {
        (
            b.suite.clone(),
            b.series().to_owned(),
            b.arch.clone(),
            b.flavour.clone(),
        )
    };
    let mut groups: Vec<(GroupKey, Vec<usize>)> = Vec::new();
    let mut group_of = HashMap::new();
    for (i, inp) in inputs.iter().enumerate() {
        let k = group_key(&inp.meta);
        let g = *group_of.entry(k.clone()).or_insert_with(|| {
            groups.push((k, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }

    let mut recipe: Vec<Option<(Option<usize>, Vec<u8>)>> = vec![None; n]; // (reference, segment)
    let mut depth = vec![0usize; n];
    let mut transfer = vec![0u64; n];
    let mut anchors: Vec<usize> = Vec::new();
    // What a member adds to its anchor's chain, and the head: kept free below the budget
    // when an anchor's chain is chosen.
    let allowance = 120_000;

    for (key, members) in &groups {
        let structured: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| raws[i].is_some())
            .collect();
        let anchor = structured.get(structured.len() / 2).copied();
        if let Some(a) = anchor {
            // Related anchors already placed, shallow enough to leave room for members.
            let cands: Vec<usize> = anchors
                .iter()
                .copied()
                .filter(|&c| depth[c] + 2 <= opts.max_depth)
                .filter(|&c| related(key, &group_key(&inputs[c].meta)))
                .filter(|&c| {
                    raws[c].as_ref().map(|r| r.endian) == raws[a].as_ref().map(|r| r.endian)
                })
                .collect();
            let target = raws[a].as_ref().expect("anchor is structured");
            // Candidates by the size of their delta; the first whose chain fits the
            // budget, unless storing the anchor whole is smaller.
            let mut deltas = Vec::with_capacity(cands.len());
            for c in cands {
                let reference = raws[c].as_ref().expect("anchors are structured");
                deltas.push((c, super::delta::encode(reference, target)?));
            }
            deltas.sort_by_key(|(_, d)| d.len());
            let mut chosen = None;
            for (c, d) in deltas {
                let z = compress(&d);
                if transfer[c] + z.len() as u64 + allowance > opts.max_transfer {
                    continue;
                }
                if z.len() * 10 >= inputs[a].btf.len() {
                    let w = compress(&inputs[a].btf);
                    if w.len() <= z.len() {
                        chosen = Some((None, w));
                        break;
                    }
                }
                chosen = Some((Some(c), z));
                break;
            }
            let chosen = chosen.unwrap_or_else(|| (None, compress(&inputs[a].btf)));
            depth[a] = chosen.0.map_or(0, |c| depth[c] + 1);
            transfer[a] = chosen.0.map_or(0, |c| transfer[c]) + chosen.1.len() as u64;
            log(&format!(
                "anchor {:<44} {:>9} bytes{}",
                inputs[a].meta.name,
                chosen.1.len(),
                chosen.0.map_or(" (whole)".to_owned(), |c| format!(
                    " over {}",
                    inputs[c].meta.name
                ))
            ));
            recipe[a] = Some(chosen);
            anchors.push(a);
        }
        for &m in members {
            if Some(m) == anchor {
                continue;
            }
            let chosen = match (anchor, &raws[m]) {
                (Some(a), Some(target)) => {
                    let d = super::delta::encode(raws[a].as_ref().expect("structured"), target)?;
                    (Some(a), compress(&d))
                }
                _ => (None, compress(&inputs[m].btf)),
            };
            depth[m] = chosen.0.map_or(0, |c| depth[c] + 1);
            transfer[m] = chosen.0.map_or(0, |c| transfer[c]) + chosen.1.len() as u64;
            log(&format!(
                "build  {:<44} {:>9} bytes{}",
                inputs[m].meta.name,
                chosen.1.len(),
                chosen.0.map_or(" (whole)".to_owned(), |c| format!(
                    " over {}",
                    inputs[c].meta.name
                ))
            ));
            recipe[m] = Some(chosen);
        }
    }

    // The index, build by build in catalogue order.
    let mut index = IndexBuilder::default();
    let mut builds = Vec::with_capacity(n);
    for (i, inp) in inputs.iter().enumerate() {
        let btf = Btf::parse(&inp.btf).map_err(|e| {
            Error::malformed(
                0,
                format!("build {}: its BTF does not parse: {e}", inp.meta.name),
            )
        })?;
        index.add(&btf);
        let mut meta = inp.meta.clone();
        meta.btf_sha256 = super::archive::sha256(&inp.btf);
        meta.btf_len = inp.btf.len() as u64;
        meta.types = btf.type_cnt() - 1;
        meta.recipe = Recipe::Whole(SegmentId(i as u32));
        builds.push(meta);
        if i % 25 == 24 {
            log(&format!("indexed {} of {n} builds", i + 1));
        }
    }
    let shards: Vec<Vec<u8>> = index.shards(opts.shards);

    // Segments: builds in catalogue order, then the shards.
    let mut seg_data: Vec<(Vec<u8>, u64)> = Vec::with_capacity(n + shards.len());
    for (i, r) in recipe.into_iter().enumerate() {
        let (reference, z) = r.expect("every build has a recipe");
        let raw_len = raw_len_of(&z)?;
        builds[i].recipe = match reference {
            None => Recipe::Whole(SegmentId(i as u32)),
            Some(c) => Recipe::Delta {
                segment: SegmentId(i as u32),
                reference: BuildIdx(c as u32),
            },
        };
        seg_data.push((z, raw_len));
    }
    let mut shard_ids = Vec::with_capacity(shards.len());
    let mut index_len = 0;
    for s in &shards {
        shard_ids.push(SegmentId(seg_data.len() as u32));
        let z = compress(s);
        index_len += z.len() as u64;
        seg_data.push((z, s.len() as u64));
    }

    // The head lists the segments' offsets, which follow the head: reserve room for it,
    // and grow the reservation until the compressed head fits (the rest is padding).
    let mut reserved = 4096u64;
    for _ in 0..16 {
        let mut offset = PREAMBLE_LEN + reserved;
        let segments: Vec<Segment> = seg_data
            .iter()
            .map(|(z, raw_len)| {
                let s = Segment {
                    offset,
                    len: z.len() as u64,
                    raw_len: *raw_len,
                };
                offset += z.len() as u64;
                s
            })
            .collect();
        let mut head = Head {
            builds: builds.clone(),
            segments,
            shards: shard_ids.clone(),
            file_len: offset,
            head_end: 0,
        };
        let raw = encode_head(&head);
        let z = compress(&raw);
        if z.len() as u64 > reserved {
            reserved = z.len() as u64 + 1024;
            continue;
        }
        head.head_end = PREAMBLE_LEN + z.len() as u64;
        let mut bytes = encode_preamble(&z, raw.len(), seg_data.len(), head.file_len);
        bytes.extend_from_slice(&z);
        bytes.resize((PREAMBLE_LEN + reserved) as usize, 0);
        for (s, _) in &seg_data {
            bytes.extend_from_slice(s);
        }
        let packed_builds = (0..n)
            .map(|i| {
                let b = &head.builds[i];
                Ok(PackedBuild {
                    name: b.name.clone(),
                    reference: match b.recipe {
                        Recipe::Delta { reference, .. } => Some(head.build(reference).name.clone()),
                        Recipe::Whole(_) => None,
                    },
                    segment_len: head.segments[i].len,
                    transfer: head.transfer_for(BuildIdx(i as u32))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        return Ok(Packed {
            bytes,
            builds: packed_builds,
            head_len: z.len() as u64,
            index_len,
        });
    }
    Err(Error::malformed(
        0,
        "the head does not fit its reservation (packer bug)",
    ))
}

type GroupKey = (String, String, String, String);

/// Whether an anchor of group `b` is worth trying as the reference of group `a`'s anchor.
fn related(a: &GroupKey, b: &GroupKey) -> bool {
    let (same_suite, same_series, same_arch) = (a.0 == b.0, a.1 == b.1, a.2 == b.2);
    same_series || (same_arch && same_suite)
}

/// The decompressed length of a frame the packer just compressed (read back, so the head
/// states what the reader will see).
fn raw_len_of(z: &[u8]) -> Result<u64> {
    let out = crate::input::compress::decompress(
        crate::input::compress::Layer::Zstd,
        z,
        super::archive::MAX_SEGMENT_LEN as usize,
        &|_| true,
    )?;
    Ok(out.len() as u64)
}
