//! Sweeps over core's five-build sample archive: selections in chain order, a column per
//! build equal to the matrix of that build loaded as a kernel, only the segments a build
//! needs handed over, and a bad segment failing its build alone.

use corelab::catalog::sample::sample_archive;

use crate::dto::catalog::CatalogListing;
use crate::dto::guard::WhatIf;
use crate::dto::sweep::{SweepAnswer, SweepJob, SweepStep};
use crate::session::tests::sample;
use crate::session::Session;

fn opened() -> (Session, CatalogListing, Vec<u8>) {
    let file = sample_archive();
    let mut s = Session::new();
    let head_end = corelab::catalog::needed_prefix(&file[..64]).unwrap() as usize;
    let listing = s.catalog_open(&file[..head_end]).unwrap();
    s.load_object(100, "10_guarding.bpf.o", &sample("10_guarding"))
        .unwrap();
    (s, listing, file)
}

fn segment(file: &[u8], listing: &CatalogListing, offset: u64) -> (u64, Vec<u8>) {
    let len = listing
        .builds
        .iter()
        .flat_map(|b| &b.segments)
        .find(|s| s.0 == offset)
        .unwrap()
        .1;
    (
        offset,
        file[offset as usize..(offset + len) as usize].to_vec(),
    )
}

/// Every segment of build `name`'s chain.
fn chain<'a>(listing: &CatalogListing, file: &'a [u8], name: &str) -> Vec<(u64, &'a [u8])> {
    listing
        .find(name)
        .unwrap()
        .segments
        .iter()
        .map(|&(o, n)| (o, &file[o as usize..(o + n) as usize]))
        .collect()
}

fn job() -> SweepJob {
    SweepJob::Matrix {
        object: 100,
        whatif: WhatIf::default(),
    }
}

/// Sweeps `name` as the page does: its own segment first, then what the engine asks for.
/// Returns the step and how many segments were handed over.
fn sweep(s: &mut Session, listing: &CatalogListing, file: &[u8], name: &str) -> (SweepStep, usize) {
    let b = listing.find(name).unwrap();
    let mut given = vec![segment(file, listing, b.segments.last().unwrap().0)];
    loop {
        let segs: Vec<(u64, &[u8])> = given.iter().map(|(o, b)| (*o, b.as_slice())).collect();
        match s.sweep_build(name, &segs, &job()).unwrap() {
            SweepStep::Need(more) => {
                assert!(!more.is_empty());
                for o in more {
                    assert!(given.iter().all(|g| g.0 != o), "asked twice for {o}");
                    given.push(segment(file, listing, o));
                }
            }
            step => return (step, given.len()),
        }
    }
}

#[test]
fn a_selection_is_in_catalogue_order_and_swept_in_chain_order() {
    let (s, listing, _) = opened();
    let all = s.catalog_select("@all").unwrap();
    let names: Vec<&str> = listing.builds.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(all.builds, names);
    assert_eq!(all.selector, "all");
    let mut sorted = all.order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..names.len() as u32).collect::<Vec<_>>());
    // Every build comes after the builds its chain starts from.
    for (at, &i) in all.order.iter().enumerate() {
        let b = &listing.builds[i as usize];
        for &(reference_seg, _) in &b.segments[..b.segments.len() - 1] {
            let r = listing
                .builds
                .iter()
                .position(|x| x.segments.last().unwrap().0 == reference_seg)
                .unwrap() as u32;
            let r_at = all.order.iter().position(|&x| x == r).unwrap();
            assert!(r_at < at, "{} swept before its reference", b.name);
        }
    }
    let arm = s.catalog_select("bookworm/arm64").unwrap();
    assert_eq!(arm.builds, ["debian12-6.1.0-2-arm64"]);
    let e = s.catalog_select("@mips").unwrap_err();
    assert!(e.contains("`mips`"), "{e}");
}

#[test]
fn each_column_is_the_matrix_of_that_build_and_needs_only_its_own_segment_after_its_reference() {
    let (mut s, listing, file) = opened();
    let sel = s.catalog_select("all").unwrap();
    let mut handed = Vec::new();
    for &i in &sel.order {
        let name = sel.builds[i as usize].clone();
        let (step, given) = sweep(&mut s, &listing, &file, &name);
        handed.push(given);
        let SweepStep::Column(col) = step else {
            panic!("{name}: no column")
        };
        let SweepAnswer::Matrix(m) = col.answer else {
            panic!("{name}: not a matrix column")
        };
        // The same build loaded as a kernel, through the bundled matrix's code.
        let segs = chain(&listing, &file, &name);
        s.catalog_load(7, &name, &segs).unwrap();
        let whole = s.matrix(100, &[7], &WhatIf::default()).unwrap();
        assert_eq!(m.kernels, [format!("@{name}")]);
        assert_eq!(m.programs, whole.programs, "{name}");
        assert_eq!(m.relocations, whole.relocations, "{name}");
    }
    // In chain order every build but the first of its chain needed its own segment alone.
    assert!(handed.iter().all(|&n| n == 1), "{handed:?}");
}

#[test]
fn a_bad_segment_fails_its_build_with_its_offset_and_the_sweep_goes_on() {
    let (mut s, listing, file) = opened();
    let sel = s.catalog_select("all").unwrap();
    let first = sel.builds[sel.order[0] as usize].clone();
    let b = listing.find(&first).unwrap();
    let (off, len) = *b.segments.last().unwrap();
    let mut bad = file[off as usize..(off + len) as usize].to_vec();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x5a;
    let e = s.sweep_build(&first, &[(off, &bad)], &job()).unwrap_err();
    assert!(
        e.contains(&first) && e.contains(&format!("{off:#x}")),
        "{e}"
    );
    for &i in &sel.order[1..] {
        let name = sel.builds[i as usize].clone();
        let (step, _) = sweep(&mut s, &listing, &file, &name);
        assert!(matches!(step, SweepStep::Column(_)), "{name}");
    }
}

/// The builds of Ask sweep `key` the where-index answers for pass `fix`, the shards the
/// engine asks for handed over as the page does.
fn from_index(
    s: &mut Session,
    listing: &CatalogListing,
    file: &[u8],
    key: &crate::dto::sweep::AskSweepKey,
    fix: bool,
) -> Vec<u32> {
    for _ in 0..16 {
        match s.ask_from_index(key, fix).unwrap() {
            crate::dto::sweep::AskIndexStep::Answered(v) => return v,
            crate::dto::sweep::AskIndexStep::NeedShards(need) => {
                let given: Vec<(u32, &[u8])> = need
                    .iter()
                    .map(|&i| {
                        let (o, n) = listing.shards[i as usize];
                        (i, &file[o as usize..(o + n) as usize])
                    })
                    .collect();
                s.catalog_shards(&given).unwrap();
            }
        }
    }
    panic!("the engine kept asking for shards");
}

/// One step as the worker takes it: rebuilt unchecked, hashed (here by core's sha256, in the
/// worker by the browser's; `digest` may replace it), checked and answered.
fn step_hashed_outside(
    s: &mut Session,
    name: &str,
    segments: &[(u64, &[u8])],
    digest: Option<[u8; 32]>,
) -> Result<SweepStep, String> {
    match s.sweep_rebuild_unchecked(name, segments)? {
        Err(step) => Ok(step),
        Ok(unchecked) => {
            let digest = digest.unwrap_or_else(|| corelab::catalog::sha256(unchecked.bytes()));
            s.sweep_checked(unchecked, &digest, segments, &job())
        }
    }
}

#[test]
fn a_step_hashed_outside_the_engine_answers_as_the_engine_s_own_and_a_mismatch_names_the_segment() {
    let (mut s, listing, file) = opened();
    let (mut whole, _, _) = opened();
    let sel = s.catalog_select("all").unwrap();
    for &i in &sel.order {
        let name = sel.builds[i as usize].clone();
        let own = segment(
            &file,
            &listing,
            listing.find(&name).unwrap().segments.last().unwrap().0,
        );
        let mut step = step_hashed_outside(&mut s, &name, &[(own.0, &own.1)], None).unwrap();
        if let SweepStep::Need(more) = &step {
            // The first build of a chain: the page hands over the rest, as for `sweep_build`.
            assert!(!more.is_empty());
            step =
                step_hashed_outside(&mut s, &name, &chain(&listing, &file, &name), None).unwrap();
        }
        let (SweepStep::Column(col), (SweepStep::Column(want), _)) =
            (step, sweep(&mut whole, &listing, &file, &name))
        else {
            panic!("{name}: no column")
        };
        assert_eq!(
            format!("{:?}", col.answer),
            format!("{:?}", want.answer),
            "{name}"
        );
    }
    // A digest that does not match: the engine rebuilds the whole chain with every check
    // (asking for its segments first), and right bytes still answer.
    let name = sel.builds[*sel.order.last().unwrap() as usize].clone();
    let b = listing.find(&name).unwrap();
    let own = segment(&file, &listing, b.segments.last().unwrap().0);
    let step = step_hashed_outside(&mut s, &name, &[(own.0, &own.1)], Some([0; 32])).unwrap();
    if b.segments.len() > 1 {
        assert!(matches!(step, SweepStep::Need(_)), "{name}: {step:?}");
    }
    let step =
        step_hashed_outside(&mut s, &name, &chain(&listing, &file, &name), Some([0; 32])).unwrap();
    assert!(matches!(step, SweepStep::Column(_)), "{name}: {step:?}");
    // A damaged segment: the bytes miss their digest (or do not rebuild), and the error
    // names the build and the segment's offset.
    let (off, len) = *b.segments.last().unwrap();
    let mut bad = file[off as usize..(off + len) as usize].to_vec();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x5a;
    let mut segs = chain(&listing, &file, &name);
    segs.last_mut().unwrap().1 = &bad;
    let e = step_hashed_outside(&mut s, &name, &segs, None).unwrap_err();
    assert!(e.contains(&name) && e.contains(&format!("{off:#x}")), "{e}");
}

/// Sweeps the Ask question `text` (compiled against the kernel in slot 1) over every build
/// of the sample, then its fix, as the page does (the where-index first, the builds it
/// leaves open swept); returns the tables after each pass.
fn ask_sweep(
    s: &mut Session,
    listing: &CatalogListing,
    file: &[u8],
    text: &str,
) -> (
    crate::dto::sweep::AskSweepTable,
    crate::dto::sweep::AskSweepTable,
    usize,
) {
    let indexed = std::cell::Cell::new(0);
    let sel = s.catalog_select("all").unwrap();
    let key = crate::dto::sweep::AskSweepKey {
        local: 1,
        text: text.to_owned(),
        builds: sel.builds.clone(),
    };
    let pass = |s: &mut Session, fix: bool| {
        let answered = from_index(s, listing, file, &key, fix);
        indexed.set(indexed.get() + answered.len());
        for &i in sel.order.iter().filter(|i| !answered.contains(i)) {
            let name = &sel.builds[i as usize];
            let segs = chain(listing, file, name);
            let job = SweepJob::Ask {
                sweep: key.clone(),
                index: i,
                fix,
            };
            let SweepStep::Column(c) = s.sweep_build(name, &segs, &job).unwrap() else {
                panic!("{name}: all segments were given");
            };
            assert!(matches!(c.answer, SweepAnswer::Ask(_)));
        }
        s.ask_sweep_table(&key).unwrap()
    };
    let first = pass(s, false);
    let second = if first.fix_unchecked {
        pass(s, true)
    } else {
        first.clone()
    };
    (first, second, indexed.get())
}

#[test]
fn an_ask_sweep_gathers_the_table_the_kernels_loaded_at_once_give() {
    let (mut s, listing, file) = opened();
    let k61 = crate::session::tests::K61;
    s.load(
        1,
        k61,
        &crate::session::tests::data(&format!("btf/{k61}.btf.gz")),
        None,
    )
    .unwrap();
    // `__state` is `state` on the sample's first version: a rename, a flavoured fix.
    for text in [
        "struct task_struct *t; t->__state",
        "struct task_struct *t; BPF_CORE_READ(t, mm, total_vm)",
    ] {
        let (first, checked, indexed) = ask_sweep(&mut s, &listing, &file, text);
        // Every sample build has what both questions read (but the first, `state`): the
        // index answers builds of each pass, and the table is the same as swept.
        assert!(indexed > 0, "{text}: nothing answered from the index");
        // The same builds loaded as kernels, answered at once (`corelab access -t …`'s way).
        let sel = s.catalog_select("all").unwrap();
        for (i, name) in sel.builds.iter().enumerate() {
            let segs = chain(&listing, &file, name);
            s.catalog_load(20 + i as u32, name, &segs).unwrap();
        }
        let local = s.kernel(1).unwrap();
        let targets: Vec<&crate::session::Kernel> = (0..sel.builds.len())
            .map(|i| s.kernel(20 + i as u32).unwrap())
            .collect();
        let mut whole = crate::session::ask::across(local, &targets, text, || 0.0).unwrap();
        let mut got = checked.table.clone();
        whole.ms = 0.0;
        got.ms = 0.0;
        assert_eq!(got, whole, "{text}");
        assert!(!checked.fix_unchecked);
        if text.contains("__state") {
            assert!(
                first.fix_unchecked,
                "the rename's fix is checked in a second pass"
            );
            let f = checked.table.fix.as_ref().unwrap();
            assert!(f.snippet.contains("___old"), "{}", f.snippet);
        }
    }
}

#[test]
fn a_helper_loaded_from_the_objects_file_answers_each_build_as_the_main_engine() {
    // A sweep's helper workers open the catalogue and load the object from the file the
    // main engine hands back, each taking whole reference chains.
    let (mut main, listing, file) = opened();
    let mut helper = Session::new();
    let head_end = corelab::catalog::needed_prefix(&file[..64]).unwrap() as usize;
    helper.catalog_open(&file[..head_end]).unwrap();
    let object = main.object(100).unwrap().file().to_vec();
    assert_eq!(object, sample("10_guarding"));
    helper
        .load_object(100, "10_guarding.bpf.o", &object)
        .unwrap();
    let all = main.catalog_select("@all").unwrap();
    let names: Vec<&str> = all
        .order
        .iter()
        .map(|&i| all.builds[i as usize].as_str())
        .collect();
    // The second half of the sweep order on the helper, starting with no reference kept.
    let (first, second) = names.split_at(names.len() / 2);
    for name in first {
        sweep(&mut main, &listing, &file, name);
    }
    for name in second {
        let (SweepStep::Column(mine), _) = sweep(&mut helper, &listing, &file, name) else {
            panic!("{name}: no column from the helper");
        };
        let (SweepStep::Column(theirs), _) = sweep(&mut main, &listing, &file, name) else {
            panic!("{name}: no column from the main engine");
        };
        assert_eq!(mine.answer, theirs.answer, "{name}");
    }
}
