use super::archive::hex;
use super::pack::{pack, PackOptions};
use super::sample::{kernel, sample_archive, sample_inputs, zstd};
use super::*;
use crate::bytes::Endian;

#[test]
fn every_build_rebuilds_byte_identical() {
    let inputs = sample_inputs();
    let packed = pack(inputs.clone(), &PackOptions::default(), &zstd, &mut |_| {}).unwrap();
    let cat = Catalog::parse(&packed.bytes).unwrap();
    assert_eq!(cat.head.builds.len(), 5);
    // Catalogue order: amd64 by ABI, then arm64, then s390x.
    let names: Vec<&str> = cat.head.builds.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "debian12-6.1.0-1-amd64",
            "debian12-6.1.0-2-amd64",
            "debian12-6.1.0-3-amd64",
            "debian12-6.1.0-2-arm64",
            "debian12-6.1.0-2-s390x"
        ]
    );
    let deltas = cat
        .head
        .builds
        .iter()
        .filter(|b| matches!(b.recipe, Recipe::Delta { .. }))
        .count();
    assert!(
        deltas >= 3,
        "amd64 members and arm64 are deltas: {packed:?}"
    );
    let (mut m, mut src) = cat.materializer();
    for inp in &inputs {
        let b = cat.head.find(&inp.meta.name).unwrap();
        assert_eq!(m.btf(b, &mut src).unwrap(), inp.btf, "{}", inp.meta.name);
        assert_eq!(cat.head.build(b).btf_sha256, sha256(&inp.btf));
        assert_eq!(hex(&cat.head.build(b).btf_sha256).len(), 64);
    }
}

#[test]
fn where_answers_in_runs() {
    let bytes = sample_archive();
    let mut cat = Catalog::parse(&bytes).unwrap();
    let a = cat.where_is("task_struct.__state").unwrap();
    // 6.1.0-1 has `state`, the others `__state` at offset 0.
    assert_eq!(a.runs.len(), 2, "{a:?}");
    assert!(a.runs[0].facts.is_empty());
    assert_eq!(a.runs[1].len, 4);
    let a = cat.where_is("task_struct.mm").unwrap();
    let offsets: Vec<u32> = (0..5)
        .map(|b| match &a.facts_of(b)[0] {
            Fact::Member { bit_offset, ty, .. } => {
                assert_eq!(ty, "struct mm_struct *");
                *bit_offset
            }
            f => panic!("{f:?}"),
        })
        .collect();
    assert_eq!(offsets, [192, 192, 192, 256, 192]);
    // Through a by-value member: se at 64 bits, vruntime at 64 within it.
    let a = cat.where_is("task_struct.se.vruntime").unwrap();
    assert_eq!(a.runs.len(), 1);
    assert!(matches!(
        &a.runs[0].facts[0],
        Fact::Member {
            bit_offset: 128,
            ..
        }
    ));
    // Through a pointer: not followed.
    assert!(cat.where_is("task_struct.mm.users").unwrap().runs[0]
        .facts
        .is_empty());
    // Enumerators, by themselves and as members of their enum.
    let a = cat.where_is("BPF_MAP_TYPE_RINGBUF").unwrap();
    assert!(matches!(
        &a.facts_of(0)[0],
        Fact::Enumerator { value: 28, .. }
    ));
    assert!(matches!(
        &a.facts_of(2)[0],
        Fact::Enumerator { value: 30, .. }
    ));
    let a = cat.where_is("bpf_map_type.BPF_MAP_TYPE_HASH").unwrap();
    assert_eq!(a.runs.len(), 1);
    // A typedef's target.
    let a = cat.where_is("u32").unwrap();
    assert!(
        matches!(&a.runs[0].facts[0], Fact::Type { spelling, size: Some(4), .. } if spelling == "int")
    );
    let a = cat.where_is("wake_up_process").unwrap();
    assert!(matches!(
        &a.runs[0].facts[0],
        Fact::Type {
            kind: crate::btf::Kind::FUNC,
            ..
        }
    ));
    assert!(cat.where_is("nope").unwrap().runs[0].facts.is_empty());
    assert!(cat.where_is("a..b").is_err());
}

#[test]
fn selectors() {
    let bytes = sample_archive();
    let cat = Catalog::parse(&bytes).unwrap();
    let names = |s: &str| -> Vec<String> {
        cat.select(s)
            .unwrap()
            .into_iter()
            .map(|b| cat.head.build(b).name.clone())
            .collect()
    };
    assert_eq!(names("all").len(), 5);
    assert_eq!(names("amd64").len(), 3);
    assert_eq!(names("bookworm/arm64"), ["debian12-6.1.0-2-arm64"]);
    assert_eq!(names("6.1/s390x"), ["debian12-6.1.0-2-s390x"]);
    assert_eq!(names("debian12-6.1.0-*-amd64").len(), 3);
    assert_eq!(names("debian12-6.1.0-2-amd64"), ["debian12-6.1.0-2-amd64"]);
    assert!(cat.select("riscv64").is_err());
    assert!(cat.select("amd64/s390x").is_err());
}

#[test]
fn damage_is_reported_with_build_and_offset() {
    let bytes = sample_archive();
    let cat = Catalog::parse(&bytes).unwrap();
    // Truncation.
    for cut in [10, 63, 80, cat.head.head_end as usize, bytes.len() - 1] {
        match Catalog::parse(&bytes[..cut]) {
            Err(e) => assert!(
                e.offset().is_some() || e.to_string().contains("trunc"),
                "{e}"
            ),
            Ok(c) => panic!("parsed a truncated archive: {c:?}"),
        }
    }
    // A flipped byte in each build's segment: an error naming the build.
    for (i, b) in cat.head.builds.iter().enumerate() {
        let seg = cat.head.segments[b.recipe.segment().0 as usize];
        let mut bad = bytes.clone();
        let at = (seg.offset + seg.len / 2) as usize;
        bad[at] ^= 0x55;
        let bad_cat = Catalog::parse(&bad).unwrap();
        let err = bad_cat.btf(BuildIdx(i as u32)).unwrap_err().to_string();
        assert!(err.contains(&b.name), "{err}");
        assert!(err.contains("offset 0x"), "{err}");
    }
}

#[test]
fn an_empty_copy_of_strings_at_the_reference_s_end_is_no_panic() {
    // A string op copying no strings from just past the reference's last one passes the
    // op's bounds check (start + 0 <= count); the copy must not index the reference there.
    let a = kernel(2, 0, Endian::Little);
    let ra = raw::RawBtf::parse(&a).unwrap();
    let d = delta::encode(&ra, &ra).unwrap();
    let mut c = super::cursor::Cursor::new(&d);
    c.bytes(24, "header").unwrap();
    for _ in 0..4 {
        c.var("count").unwrap();
    }
    let ops_at = c.pos() as usize;
    let n_ops = c.var("ops").unwrap();
    let first_op = c.pos() as usize;
    let mut expected = 0i64;
    for _ in 0..n_ops {
        let v = c.var("op").unwrap();
        if v & 1 == 1 {
            expected += c.svar("start").unwrap() + (v >> 1) as i64;
        }
    }
    assert_eq!(
        expected,
        ra.str_starts.len() as i64,
        "the last op copies the last string"
    );
    let ops_end = c.pos() as usize;
    let mut s = super::cursor::Sink::default();
    s.bytes(&d[..ops_at]);
    s.var(n_ops + 1);
    s.bytes(&d[first_op..ops_end]);
    s.var(1); // copy, no strings
    s.svar(0); // from where the last copy ended: the reference's end
    s.bytes(&d[ops_end..]);
    assert_eq!(delta::apply(&ra, &s.out).unwrap(), a);
}

#[test]
fn delta_renumbers_ids_and_strings() {
    let (a, b) = (kernel(1, 0, Endian::Little), kernel(3, 0, Endian::Little));
    let (ra, rb) = (
        raw::RawBtf::parse(&a).unwrap(),
        raw::RawBtf::parse(&b).unwrap(),
    );
    let d = delta::encode(&ra, &rb).unwrap();
    assert_eq!(delta::apply(&ra, &d).unwrap(), b);
    // Mismatched reference: an error, not garbage.
    assert!(delta::apply(&rb, &d).is_err());
    for cut in 0..d.len() {
        assert!(delta::apply(&ra, &d[..cut]).is_err());
    }
}

/// The first build rebuilt over a reference.
fn first_delta(head: &Head) -> BuildIdx {
    (0..head.builds.len() as u32)
        .map(BuildIdx)
        .find(|&b| head.chain(b).unwrap().len() > 1)
        .unwrap()
}

#[test]
fn references_carry_over_to_the_next_materialiser() {
    let inputs = sample_inputs();
    let file = sample_archive();
    let cat = Catalog::parse(&file).unwrap();
    let delta = first_delta(&cat.head);
    let mut m = Materializer::with_references(&cat.head, References::default(), 1);
    m.btf(delta, &mut WholeFile(&file)).unwrap();
    let kept = m.into_references();
    assert_eq!(kept.len(), 1);
    // The next one rebuilds the build from its own segment alone: a source that only has
    // that segment suffices.
    struct Only<'a>(&'a [u8], SegmentId);
    impl SegmentSource for Only<'_> {
        fn segment(&mut self, id: SegmentId, seg: &Segment) -> Result<std::borrow::Cow<'_, [u8]>> {
            assert_eq!(id, self.1, "only the build's own segment is read");
            WholeFile(self.0)
                .segment(id, seg)
                .map(|c| c.into_owned().into())
        }
    }
    let own = cat.head.build(delta).recipe.segment();
    let mut m = Materializer::with_references(&cat.head, kept, 1);
    let btf = m.btf(delta, &mut Only(&file, own)).unwrap();
    let name = &cat.head.build(delta).name;
    let input = inputs.iter().find(|i| &i.meta.name == name).unwrap();
    assert_eq!(btf, input.btf);
    // Keeping none keeps none.
    let mut m = Materializer::with_references(&cat.head, m.into_references(), 0);
    assert!(m.btf(delta, &mut WholeFile(&file)).is_ok());
    assert!(m.into_references().is_empty());
}

#[test]
fn references_checked_on_failure_only_still_name_the_culprit() {
    let file = sample_archive();
    let cat = Catalog::parse(&file).unwrap();
    let delta = first_delta(&cat.head);
    let reference = cat.head.chain(delta).unwrap()[0];
    let good = cat.btf(delta).unwrap();
    let mut m = Materializer::new(&cat.head).checking_references_on_failure();
    assert_eq!(m.btf(delta, &mut WholeFile(&file)).unwrap(), good);
    // A reference whose segment is stored (raw zstd block) with a flipped byte in the BTF
    // rebuilds "fine" without its check; the build's own check fails, and the rebuild with
    // every check names the reference.
    let seg = cat.head.segments[cat.head.build(reference).recipe.segment().0 as usize];
    let mut bad = file.clone();
    let r = seg.range();
    let mut tried = 0;
    for at in (r.start as usize + 16..r.end as usize - 8).step_by(7) {
        bad[at] ^= 0x01;
        let mut m = Materializer::new(&cat.head).checking_references_on_failure();
        let e = m.btf(delta, &mut WholeFile(&bad));
        bad[at] ^= 0x01;
        let Err(e) = e else { continue };
        tried += 1;
        let msg = e.to_string();
        assert!(
            msg.contains(&cat.head.build(reference).name),
            "flip at {at}: {msg}"
        );
    }
    assert!(tried > 0, "some flip broke the reference");
}

#[test]
fn segments_needed_start_at_the_deepest_kept_reference() {
    let file = sample_archive();
    let cat = Catalog::parse(&file).unwrap();
    let delta = first_delta(&cat.head);
    let whole: Vec<Segment> = cat
        .head
        .segments_for(delta)
        .unwrap()
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    let mut m = Materializer::with_references(&cat.head, References::default(), 2);
    assert_eq!(m.segments_needed(delta).unwrap(), whole, "nothing kept yet");
    m.btf(delta, &mut WholeFile(&file)).unwrap();
    let own = cat.head.segments[cat.head.build(delta).recipe.segment().0 as usize];
    assert_eq!(
        m.segments_needed(delta).unwrap(),
        [own],
        "its reference is kept: its own segment alone"
    );
    // A build that is nobody's delta needs its whole chain still.
    let whole_build = (0..cat.head.builds.len() as u32)
        .map(BuildIdx)
        .find(|&b| cat.head.chain(b).unwrap().len() == 1)
        .unwrap();
    assert_eq!(m.segments_needed(whole_build).unwrap().len(), 1);
}

#[test]
fn upstream_release_is_the_package_version() {
    let file = sample_archive();
    let cat = Catalog::parse(&file).unwrap();
    let mut b = cat.head.builds[0].clone();
    b.version = "6.1.176-1".to_owned();
    assert_eq!(b.upstream_release(), Some("6.1.176"));
    b.version = "6.12.57-1~bpo12+1".to_owned();
    assert_eq!(b.upstream_release(), Some("6.12.57"));
    b.version = "7".to_owned();
    assert_eq!(b.upstream_release(), None);
}

#[test]
fn string_at_names_the_string_of_every_offset() {
    let raw = raw_btf(&kernel(2, 0, Endian::Little)).unwrap();
    // Several 64-byte blocks of the rank index, starts at every position in a block.
    assert!(raw.strings.len() > 128, "{}", raw.strings.len());
    let mut checked_inside = 0;
    for off in 0..raw.strings.len() as u32 {
        // The last string starting at or before `off`, found by walking the starts.
        let want = raw.str_starts.iter().rposition(|&s| s <= off).unwrap();
        let got = raw.string_at(off).unwrap();
        assert_eq!(got, (want, off - raw.str_starts[want]), "offset {off}");
        checked_inside += usize::from(got.1 > 0);
    }
    assert!(checked_inside > 0);
    assert_eq!(raw.string_at(raw.strings.len() as u32), None);
}

#[test]
fn unchecked_rebuilds_hand_out_the_digest_a_failed_check_then_names_the_build() {
    let file = sample_archive();
    let cat = Catalog::parse(&file).unwrap();
    let delta = first_delta(&cat.head);
    let good = cat.btf(delta).unwrap();
    let mut m = Materializer::new(&cat.head);
    let u = m.btf_unchecked(delta, &mut WholeFile(&file)).unwrap();
    assert_eq!(u.bytes, good);
    assert_eq!(u.sha256, cat.head.build(delta).btf_sha256);
    assert_eq!(sha256(&u.bytes), u.sha256);
    // A flipped byte in the build's own segment: either the unchecked rebuild fails (zstd or
    // the delta notice), or its bytes miss the digest it hands out; then `btf` — the caller's
    // path on a mismatch — names the build and its segment's offset.
    let seg = cat.head.segments[cat.head.build(delta).recipe.segment().0 as usize];
    let name = &cat.head.build(delta).name;
    let mut bad = file.clone();
    let r = seg.range();
    let mut missed = 0;
    for at in (r.start as usize + 16..r.end as usize - 8).step_by(5) {
        bad[at] ^= 0x01;
        let mut m = Materializer::new(&cat.head).checking_references_on_failure();
        let unchecked = m.btf_unchecked(delta, &mut WholeFile(&bad));
        let checked = m.btf(delta, &mut WholeFile(&bad));
        bad[at] ^= 0x01;
        match unchecked {
            Ok(u) if sha256(&u.bytes) == u.sha256 => {
                assert_eq!(
                    u.bytes, good,
                    "flip at {at}: matching bytes are the build's"
                );
                continue;
            }
            _ => {}
        }
        missed += 1;
        let msg = checked
            .expect_err("a build that missed its digest fails `btf`")
            .to_string();
        assert!(msg.contains(name.as_str()), "flip at {at}: {msg}");
        assert!(
            msg.contains(&format!("{:#x}", seg.offset)),
            "flip at {at}: {msg}"
        );
    }
    assert!(missed > 0, "some flip broke the build");
}
