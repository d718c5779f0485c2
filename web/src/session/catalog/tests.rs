//! The catalogue through the session as the page drives it: the head from the archive's
//! first bytes, builds from the segments their listing names, where-questions answered once
//! the shards they ask for are handed over; bad bytes give errors naming the build and the
//! offset, and the session stays usable. Over core's five-build sample archive.

use corelab::catalog::sample::sample_archive;

use super::*;
use crate::dto::catalog::CatalogListing;

fn opened() -> (Session, CatalogListing, Vec<u8>) {
    let file = sample_archive();
    let mut s = Session::new();
    let head_end = corelab::catalog::needed_prefix(&file[..64]).unwrap() as usize;
    let listing = s.catalog_open(&file[..head_end]).unwrap();
    (s, listing, file)
}

fn segments<'a>(file: &'a [u8], b: &CatalogBuild) -> Vec<(u64, &'a [u8])> {
    b.segments
        .iter()
        .map(|&(o, n)| (o, &file[o as usize..(o + n) as usize]))
        .collect()
}

#[test]
fn every_build_loads_from_its_own_segments() {
    let (mut s, listing, file) = opened();
    assert_eq!(listing.builds.len(), 5);
    assert_eq!(listing.version.len(), 16);
    assert_eq!(listing.archive_bytes, file.len() as u64);
    let arm = listing.find("@debian12-6.1.0-2-arm64").unwrap();
    assert_eq!((arm.arch.as_str(), arm.series.as_str()), ("arm64", "6.1"));
    for (i, b) in listing.builds.iter().enumerate() {
        let k = s
            .catalog_load(i as u32 + 10, &b.name, &segments(&file, b))
            .unwrap();
        let sum = k.summary();
        assert_eq!(sum.types, b.types, "{}", b.name);
        assert_eq!(sum.label, format!("@{}", b.name));
        assert!(
            sum.layers[0].starts_with("catalogue build"),
            "{:?}",
            sum.layers
        );
    }
    // A delta build needs its reference's segment too: without it, an error naming it...
    let delta = listing
        .builds
        .iter()
        .find(|b| b.segments.len() > 1)
        .unwrap();
    let only_own = &segments(&file, delta)[1..];
    let (mut fresh, _, _) = opened();
    let e = fresh.catalog_load(1, &delta.name, only_own).unwrap_err();
    assert!(e.contains(&delta.name) && e.contains("not fetched"), "{e}");
    // ...unless the engine kept the reference from an earlier pick.
    let k = s.catalog_load(1, &delta.name, only_own).unwrap();
    assert_eq!(k.summary().types, delta.types);
}

#[test]
fn bad_segments_name_the_build_and_offset_and_the_session_stays_usable() {
    let (mut s, listing, file) = opened();
    let b = &listing.builds[1];
    let (off, len) = *b.segments.last().unwrap();
    let mut segs = segments(&file, b);
    // Truncated: the file is shorter than the head says.
    let short = &file[off as usize..(off + len - 7) as usize];
    *segs.last_mut().unwrap() = (off, short);
    let e = s.catalog_load(1, &b.name, &segs).unwrap_err();
    assert!(e.contains(&b.name), "{e}");
    assert!(
        e.contains(&format!("{off:#x}")) && e.contains("truncated"),
        "{e}"
    );
    // Corrupted: a flipped byte in the middle (zstd or the sha256 check catches it).
    let mut bad = file[off as usize..(off + len) as usize].to_vec();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x5a;
    *segs.last_mut().unwrap() = (off, &bad);
    let e = s.catalog_load(1, &b.name, &segs).unwrap_err();
    assert!(e.contains(&b.name) && e.contains("offset 0x"), "{e}");
    // Still usable.
    assert!(s.catalog_load(1, &b.name, &segments(&file, b)).is_ok());
    // A corrupt head: its sha256 does not match.
    let mut head = file[..listing.head_bytes as usize].to_vec();
    head[100] ^= 1;
    let e = s.catalog_open(&head).unwrap_err();
    assert!(
        e.contains("kernel catalogue") && e.contains("sha256"),
        "{e}"
    );
    let e = s.catalog_open(&file[..40]).unwrap_err();
    assert!(e.contains("truncated"), "{e}");
}

/// Answers `path` as the page does: hand over what it asks for, ask again.
fn ask(s: &mut Session, listing: &CatalogListing, file: &[u8], path: &str) -> (WhereTable, usize) {
    let mut rounds = 0;
    loop {
        match s.catalog_where(path).unwrap() {
            WhereOutcome::Table(t) => return (t, rounds),
            WhereOutcome::NeedShard(i) => {
                rounds += 1;
                assert!(rounds < 8, "keeps asking for shards");
                let (o, n) = listing.shards[i as usize];
                let bytes = &file[o as usize..(o + n) as usize];
                s.catalog_shards(&[(i, bytes)]).unwrap();
            }
        }
    }
}

#[test]
fn where_asks_for_the_shards_it_needs_then_answers_in_runs() {
    let (mut s, listing, file) = opened();
    let (t, rounds) = ask(&mut s, &listing, &file, "task_struct.__state");
    assert_eq!(rounds, 1);
    // Build 0 (ABI 1) calls it `state`: the other four have `__state` at offset 0.
    assert_eq!(t.present, 4);
    assert_eq!(t.runs[0].facts, Vec::<String>::new());
    assert_eq!(t.runs[0].answer, u32::MAX);
    let here = &t.runs[1];
    assert_eq!(here.first, 1);
    assert_eq!(here.bits, Some((0, 32)));
    assert!(
        here.facts[0].starts_with("offset 0 (0x0)  size 4"),
        "{:?}",
        here.facts
    );
    // Through a by-value member into another type's keys (maybe another shard).
    let (t, _) = ask(&mut s, &listing, &file, "task_struct.se.vruntime");
    assert_eq!(t.present, 5);
    assert!(
        t.runs.iter().all(|r| r.bits == Some((128, 64))),
        "{:?}",
        t.runs
    );
    // The arm64 build moves `mm`: two distinct answers.
    let (t, _) = ask(&mut s, &listing, &file, "task_struct.mm");
    assert_eq!(t.answers, 2);
    // Bad questions are errors, not panics.
    assert!(s.catalog_where("task_struct..x").is_err());
    // A corrupt shard is refused with its name.
    let (o, n) = listing.shards[0];
    let e = s
        .catalog_shards(&[(0, &file[o as usize..(o + n - 3) as usize])])
        .unwrap_err();
    assert!(e.contains("shard") || e.contains("truncated"), "{e}");
}
