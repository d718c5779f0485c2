//! Deduplication and the merge of several modules over one kernel (`corelab header|dump
//! MOD... --base VMLINUX` = `bpftool -B VMLINUX btf dump file MOD1 file MOD2 …`): real
//! Debian modules against bpftool 7.8.0's output, random splits against the properties a
//! merge must have (every type of every piece has an equivalent in the result; deduplicating
//! again changes nothing) and against an installed bpftool ≥ 7.7.

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::sync::Arc;

use corelab::btf::{Btf, Kind, TypeId};
use corelab::btf_dedup::{self, DedupError, Limits, Merged};
use corelab::btf_write::{word_role, write, Word, WriteOptions};
use corelab::builder::BtfBuilder;
use corelab::header::{self, IoSink, Options, Profile};
use corelab::input::load_btf;
use corelab_tests::random_split::{random_split, SplitCase};
use corelab_tests::{data, golden, tools};

/// The header of `btf` as bpftool 7.8 prints it (stdout, whether it succeeded).
fn header_78(btf: &Btf) -> (Vec<u8>, bool) {
    let mut sink = IoSink::new(Vec::new(), Vec::new());
    let opts = Options {
        profile: Profile::Bpftool78,
        roots: Vec::new(),
    };
    let r = header::write(btf, &opts, &mut sink);
    let (out, _) = sink.finish().unwrap();
    (out, r.is_ok())
}

/// The cases of `tests/data/modules/merged/cases.txt`: (name, kernel, module files).
fn debian_cases() -> Vec<(String, String, Vec<String>)> {
    let list = String::from_utf8(data::read("modules/merged/cases.txt")).unwrap();
    list.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut w = l.split_whitespace().map(str::to_owned);
            let name = w.next().unwrap();
            let kernel = w.next().unwrap();
            (name, kernel, w.collect())
        })
        .collect()
}

/// Real Debian modules (6.1 amd64, 6.12 s390x big-endian; three, seven, the same twice, an
/// order swapped, one alone, one as the `.ko.xz` Debian ships) merged over their kernel:
/// the listing and the header are bpftool 7.8.0's, byte for byte. The references are
/// bpftool's output (scripts/merged-references.sh), never rewritten by UPDATE_GOLDEN.
#[test]
fn debian_module_merges_match_bpftool_7_8() {
    let cases = debian_cases();
    for (name, kernel, files) in &cases {
        let base = Arc::new(
            load_btf(&data::read(&format!("btf/{kernel}.btf.gz")), None)
                .unwrap()
                .btf,
        );
        let modules: Vec<Btf> = files
            .iter()
            .map(|f| {
                load_btf(&data::read(&format!("modules/{f}")), Some(base.clone()))
                    .unwrap_or_else(|e| panic!("{f}: {e}"))
                    .btf
            })
            .collect();
        let merged = btf_dedup::merge_modules(&base, modules).unwrap();
        let want = data::read(&format!("modules/merged/{name}.raw.txt.gz"));
        golden::assert_same(&want, corelab::dump::raw_text(&merged).as_bytes(), name);
        let kernel_h = data::read(&format!("headers/bpftool-7.8.0/{kernel}.h.gz"));
        let diff = data::read(&format!("modules/merged/{name}.h.diff.gz"));
        let want = data::apply_unified_diff(&kernel_h, &diff);
        let (ours, ok) = header_78(&merged);
        assert!(ok, "{name}");
        golden::assert_same(&want, &ours, &format!("{name} header"));
    }
    assert_eq!(cases.len(), 8);
}

/// A random case parsed: the base and its pieces over it.
fn parse_case(case: &SplitCase) -> (Arc<Btf>, Vec<Btf>) {
    let base = Arc::new(Btf::parse(&case.base).unwrap());
    let pieces = case
        .pieces
        .iter()
        .map(|p| Btf::parse_split(p, base.clone()).unwrap())
        .collect();
    (base, pieces)
}

/// The merge of a random case, or libbpf's refusal (a type-graph walk reaching a VAR, say:
/// the generator makes such BTF now and then).
fn merge_case(case: &SplitCase) -> (Arc<Btf>, Vec<Btf>, Result<Merged, DedupError>) {
    let (base, pieces) = parse_case(case);
    let parts: Vec<&Btf> = pieces.iter().collect();
    let merged = btf_dedup::merge(Some(&base), &parts, &Limits::default());
    if let Err(e) = &merged {
        assert!(
            matches!(e, DedupError::Unsupported { .. }),
            "only what libbpf rejects may fail: {e}"
        );
    }
    (base, pieces, merged)
}

/// Whether type `a` of `pa` and type `b` of `pb` describe the same thing: the same kind and
/// data, names equal as text, and what they refer to equivalent in turn (a cycle is assumed
/// equivalent). A FWD stands for any struct/union of its name and kind, an enum forward
/// declaration for any enum of its name: the merge resolves them.
///
/// Where several different enums share a name (`ambiguous`), an enum stands for any of them:
/// libbpf resolves a forward declaration to one of them before comparing graphs, and then
/// matches a full enum with the declaration, so a struct can merge with one that used the
/// declaration where it had the other enum.
fn equivalent(
    pa: &Btf,
    a: TypeId,
    pb: &Btf,
    b: TypeId,
    ambiguous: &HashSet<String>,
) -> Result<(), String> {
    let mut seen = HashSet::new();
    let mut work = vec![(a, b)];
    while let Some((x, y)) = work.pop() {
        if !seen.insert((x, y)) {
            continue;
        }
        let (tx, ty) = (pa.ty(x), pb.ty(y));
        let fail = |why: &str| Err(format!("{tx:?} vs {ty:?}: {why} (from {a:?} vs {b:?})"));
        if tx.name() != ty.name() {
            return fail("names differ");
        }
        match (tx.kind(), ty.kind()) {
            (Kind::FWD, Kind::STRUCT) if !tx.kflag() => continue,
            (Kind::FWD, Kind::UNION) if tx.kflag() => continue,
            (Kind::ENUM | Kind::ENUM64, Kind::ENUM | Kind::ENUM64)
                if tx.vlen() == 0 || ambiguous.contains(tx.name()) =>
            {
                continue
            }
            (kx, ky) if kx != ky => return fail("kinds differ"),
            _ => {}
        }
        if tx.words().len() != ty.words().len() {
            return fail("sizes differ");
        }
        let kind = tx.kind();
        for (i, (&wx, &wy)) in tx.words().iter().zip(ty.words()).enumerate() {
            match word_role(kind, i) {
                Some(Word::Str) => {
                    if pa.name(wx) != pb.name(wy) {
                        return fail("member names differ");
                    }
                }
                Some(Word::Type) => work.push((TypeId(wx), TypeId(wy))),
                _ => {
                    if wx != wy {
                        return fail("data differs");
                    }
                }
            }
        }
    }
    Ok(())
}

/// Names of enums that differ but share the name, in `parts` and their base.
fn ambiguous_enums(parts: &[&Btf]) -> HashSet<String> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut ambiguous = HashSet::new();
    for btf in parts {
        for id in btf.ids() {
            let t = btf.ty(id);
            if !t.kind().is_any_enum() || t.vlen() == 0 {
                continue;
            }
            let body = format!(
                "{:?}",
                t.enum_values()
                    .map(|v| (v.name, v.raw()))
                    .collect::<Vec<_>>()
            );
            match seen.get(t.name()) {
                Some(b) if *b != body => {
                    ambiguous.insert(t.name().to_owned());
                }
                Some(_) => {}
                None => {
                    seen.insert(t.name().to_owned(), body);
                }
            }
        }
    }
    ambiguous
}

/// Every type of `btf`'s parts has an equivalent where `merged` says it went.
fn check_equivalence(seed: u64, parts: &[&Btf], merged: &Merged) {
    let ambiguous = ambiguous_enums(parts);
    for (k, part) in parts.iter().enumerate() {
        for id in part.own_ids() {
            let to = merged
                .id(Some(k), id)
                .unwrap_or_else(|| panic!("seed {seed}: part {k} type {id:?} lost"));
            equivalent(part, id, &merged.btf, to, &ambiguous)
                .unwrap_or_else(|e| panic!("seed {seed}: part {k}: {e}"));
        }
    }
    assert!(merged.stats.types_out <= merged.stats.types_in);
}

/// What a random merge showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// libbpf's algorithm rejects the input (a type-graph walk reaching a VAR, say: the
    /// generator makes such BTF now and then).
    Rejected,
    /// Deduplicating the merge again changes nothing.
    FixedPoint,
    /// A second pass merged more (see [`check_merge_properties`]).
    SecondPass,
    /// A second pass is rejected (it compares pairs the first did not).
    RejectedAgain,
}

/// Every type of every piece has an equivalent in the merge. Deduplicating the merge again
/// changes nothing — except where libbpf itself leaves work for a second pass: a piece that
/// has a struct and also a FWD of it (as `struct a { struct a *p; struct a_fwd *q; }`) cannot
/// match the canonical struct, whose one node would pair with two candidate nodes (libbpf
/// resolves FWDs on the canonical side only); the FWD is resolved later, and only a second
/// pass sees the two structs equal. bpftool agrees (`random_merges_match_installed_bpftool`
/// dedups the merge again). Then the second pass only merges, and a third changes nothing.
fn check_merge_properties(seed: u64) -> Outcome {
    let case = random_split(seed);
    let (base, pieces, merged) = merge_case(&case);
    let Ok(merged) = merged else {
        return Outcome::Rejected;
    };
    let parts: Vec<&Btf> = pieces.iter().collect();
    check_equivalence(seed, &parts, &merged);
    assert!(Arc::ptr_eq(merged.btf.base().unwrap(), &base));

    let again = match btf_dedup::dedup(&merged.btf, &Limits::default()) {
        Ok(again) => again,
        Err(DedupError::Unsupported { .. }) => return Outcome::RejectedAgain,
        Err(e) => panic!("seed {seed}: {e}"),
    };
    let first = corelab::dump::raw_text(&merged.btf);
    if corelab::dump::raw_text(&again.btf) == first {
        return Outcome::FixedPoint;
    }
    check_equivalence(seed, &[&merged.btf], &again);
    assert!(
        again.stats.types_out < again.stats.types_in,
        "seed {seed}: a second pass changed types without merging any"
    );
    let third = btf_dedup::dedup(&again.btf, &Limits::default()).unwrap();
    assert_eq!(
        corelab::dump::raw_text(&third.btf),
        corelab::dump::raw_text(&again.btf),
        "seed {seed}: no fixed point after two passes"
    );
    Outcome::SecondPass
}

/// How many random merges to check: `CORELAB_DEDUP_SEEDS`, 300 by default.
fn seed_count() -> u64 {
    std::env::var("CORELAB_DEDUP_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

#[test]
fn random_merges_keep_every_type_and_are_fixed_points() {
    let count = seed_count();
    let outcomes: Vec<Outcome> = (0..count).map(check_merge_properties).collect();
    let n = |o: Outcome| outcomes.iter().filter(|&&x| x == o).count() as u64;
    let rejected = n(Outcome::Rejected) + n(Outcome::RejectedAgain);
    eprintln!(
        "note: {count} random merges: {} fixed points, {} needing a second pass, {rejected} rejected",
        n(Outcome::FixedPoint),
        n(Outcome::SecondPass)
    );
    assert!(
        rejected <= count / 20 && n(Outcome::SecondPass) <= count / 100,
        "of {count}: {} fixed points, {} needing a second pass, {rejected} rejected",
        n(Outcome::FixedPoint),
        n(Outcome::SecondPass)
    );
}

/// Random splits against an installed bpftool that merges (7.7+; `CORELAB_BPFTOOL` names
/// one): identical raw listing and header. `CORELAB_DEDUP_SEEDS=N` (default 300).
#[test]
fn random_merges_match_installed_bpftool() {
    let Some(bpftool) = tools::bpftool_merging() else {
        return tools::skipped(
            "random merge differential (needs bpftool >= 7.7: CORELAB_BPFTOOL=...)",
            "bpftool >= 7.7",
        );
    };
    let count = seed_count();
    let dir = data::scratch("random-merge");
    let (mut deduplicated, mut rejected) = (0, 0);
    for seed in 0..count {
        let case = random_split(seed);
        let base_file = dir.join("base.btf");
        std::fs::write(&base_file, &case.base).unwrap();
        let mut cmd = Command::new(&bpftool);
        cmd.arg("-B").arg(&base_file).args(["btf", "dump"]);
        for (k, p) in case.pieces.iter().enumerate() {
            let f = dir.join(format!("p{k}.btf"));
            std::fs::write(&f, p).unwrap();
            cmd.arg("file").arg(f);
        }
        let what = format!("seed {seed} ({})", dir.display());
        let (code, want, err) = tools::run(&mut cmd);
        let (base, _, merged) = merge_case(&case);
        let merged = match merged {
            Ok(m) => {
                assert_eq!(code, 0, "{what}: {}", String::from_utf8_lossy(&err));
                m
            }
            Err(e) => {
                let err = String::from_utf8_lossy(&err);
                assert!(
                    code != 0 && err.contains("failed to dedup combined BTF: Invalid argument"),
                    "{what}: ours failed ({e}), bpftool exit {code}: {err}"
                );
                rejected += 1;
                continue;
            }
        };
        golden::assert_same(
            &want,
            corelab::dump::raw_text(&merged.btf).as_bytes(),
            &what,
        );
        let (code, want, _) = tools::run(cmd.args(["format", "c"]));
        let (ours, ok) = header_78(&merged.btf);
        assert_eq!(code == 0, ok, "{what}: bpftool exit {code}");
        golden::assert_same(&want, &ours, &format!("{what} format c"));
        if merged.stats.types_out < merged.stats.types_in {
            deduplicated += 1;
        }
        // Deduplicating the merge again: bpftool merges it with an empty piece after it (the
        // merge must have a type: a leading piece without any makes libbpf fail, ENOMEM).
        if merged.btf.own_type_count() == 0 {
            continue;
        }
        let written = dir.join("merged.btf");
        let empty = dir.join("empty.btf");
        std::fs::write(
            &written,
            write(&merged.btf, &WriteOptions::default()).unwrap(),
        )
        .unwrap();
        std::fs::write(
            &empty,
            BtfBuilder::new_split(&base).encode(&Default::default()),
        )
        .unwrap();
        let (code, want, err) = tools::run(
            Command::new(&bpftool)
                .arg("-B")
                .arg(&base_file)
                .args(["btf", "dump", "file"])
                .arg(&written)
                .arg("file")
                .arg(&empty),
        );
        let again = match btf_dedup::dedup(&merged.btf, &Limits::default()) {
            Ok(again) => {
                assert_eq!(code, 0, "{what} again: {}", String::from_utf8_lossy(&err));
                again
            }
            Err(e) => {
                let err = String::from_utf8_lossy(&err);
                assert!(
                    code != 0 && err.contains("failed to dedup combined BTF: Invalid argument"),
                    "{what} again: ours failed ({e}), bpftool exit {code}: {err}"
                );
                continue;
            }
        };
        golden::assert_same(
            &want,
            corelab::dump::raw_text(&again.btf).as_bytes(),
            &format!("{what} again"),
        );
    }
    let _ = std::fs::remove_dir_all(dir);
    assert!(
        deduplicated > count / 2 && rejected < count / 20,
        "{deduplicated} of {count} cases had something to deduplicate, {rejected} rejected"
    );
}

/// A merge is a kernel like any other: its module structs lay out as in the module alone,
/// and CO-RE relocation against it agrees with relocation against the kernel alone for every
/// record whose candidates are all kernel types.
#[test]
fn merge_is_a_kernel() {
    let kernel = "debian12-6.1.0-50-amd64";
    let base = Arc::new(
        load_btf(&data::read(&format!("btf/{kernel}.btf.gz")), None)
            .unwrap()
            .btf,
    );
    let module = |m: &str| {
        let blob = data::read(&format!("modules/{kernel}-{m}.btf.gz"));
        load_btf(&blob, Some(base.clone())).unwrap().btf
    };
    let merged = btf_dedup::merge_modules(
        &base,
        vec![
            module("nf_conntrack"),
            module("nf_nat"),
            module("nf_tables"),
        ],
    )
    .unwrap();
    let alone = module("nf_tables");
    let mut laid_out = 0;
    for id in alone.own_ids() {
        let t = alone.ty(id);
        if t.kind() != Kind::STRUCT || !t.is_named() {
            continue;
        }
        let same: Vec<TypeId> = merged
            .find_by_name(t.name())
            .filter(|&m| merged.ty(m).kind() == Kind::STRUCT)
            .collect();
        if let [m] = same[..] {
            assert_eq!(
                corelab::layout::render(&merged, m),
                corelab::layout::render(&alone, id),
                "{}",
                t.name()
            );
            laid_out += 1;
        }
    }
    assert!(laid_out > 100, "{laid_out}");

    let mut compared = 0;
    for path in data::list("oracle/obj", ".o.gz") {
        let obj = corelab::object::Object::parse(&data::read_path(&path)).unwrap();
        let on_kernel = corelab::reloc::relocate_object(&obj, &base);
        let on_merge = corelab::reloc::relocate_object(&obj, &merged);
        assert_eq!(on_kernel.records.len(), on_merge.records.len());
        for (k, m) in on_kernel.records.iter().zip(&on_merge.records) {
            let kernel_only = m
                .processed
                .as_ref()
                .and_then(|p| p.cands.as_ref())
                .is_some_and(|c| c.iter().all(|c| c.id.0 < base.type_cnt()));
            if kernel_only {
                assert_eq!(k.outcome, m.outcome, "{}", path.display());
                compared += 1;
            }
        }
    }
    assert!(compared > 300, "{compared}");
}
