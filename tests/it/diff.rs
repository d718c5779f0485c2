//! `corelab diff` and `corelab history` over the real kernels: goldens (our own output,
//! reviewed by eye; regenerate with `UPDATE_GOLDEN=1`), the facts users ask about asserted
//! on the data, and properties over random BTF.

use corelab::btf::Btf;
use corelab::btf_write::{write, WriteOptions};
use corelab::builder::EncodeOptions;
use corelab::bytes::Endian;
use corelab::diff::{self, text, DiffOptions, FieldChange, RenameEvidence, Status};
use corelab::input::load_btf;
use corelab_tests::{data, golden};
use proptest::prelude::*;

use crate::btf_write::{build, spec};

const K510: &str = "debian11-5.10.0-46-amd64";
const K61: &str = "debian12-6.1.0-50-amd64";
const K612: &str = "debian13-6.12.107-s390x";
const K618: &str = "host-6.18.44-fc-v657-amd64";

fn kernel(name: &str) -> Btf {
    load_btf(&data::read(&format!("btf/{name}.btf.gz")), None)
        .unwrap()
        .btf
}

fn label(name: &str) -> String {
    format!("{name}.btf.gz")
}

fn only(name: &str) -> DiffOptions {
    DiffOptions {
        only: Some(name.to_owned()),
        keep_unchanged: true,
    }
}

#[test]
fn task_struct_state_became_dunder_state() {
    let (old, new) = (kernel(K510), kernel(K618));
    let d = diff::diff(&old, &new, &only("task_struct"));
    assert_eq!(d.types.len(), 1);
    let renamed = d.types[0].changes.fields.iter().find_map(|c| match c {
        FieldChange::Changed {
            old,
            new,
            renamed: Some(ev),
        } if old.path == "state" => Some((new.path.as_str(), *ev, new.ty.as_str())),
        _ => None,
    });
    assert_eq!(
        renamed,
        Some(("__state", RenameEvidence::SimilarName, "unsigned int"))
    );
    golden::check(
        "diff/task_struct.5.10-6.18.txt",
        text::diff_text(&d, &label(K510), &label(K618), false).as_bytes(),
    );
}

/// The inode timestamps: `i_atime`/`i_mtime`/`i_ctime` (timespec64) in 5.10 and 6.1, split
/// into `_sec`/`_nsec` fields by 6.12 (the intermediate `__i_ctime` of 6.6 and `__i_atime` of
/// 6.7 fall between our kernels).
#[test]
fn inode_timestamps_across_the_four_kernels() {
    let ks = [K510, K61, K612, K618].map(|k| (k, kernel(k)));
    let mut out = String::new();
    let mut replaced = Vec::new();
    for (a, b) in [(0, 1), (1, 2), (2, 3), (0, 3)] {
        let d = diff::diff(&ks[a].1, &ks[b].1, &only("inode"));
        assert_eq!(d.types.len(), 1);
        for c in &d.types[0].changes.fields {
            if let FieldChange::Replaced { old, by } = c {
                let by: Vec<&str> = by.iter().map(|f| f.path.as_str()).collect();
                replaced.push((a, b, old.path.clone(), by.join(",")));
            }
        }
        out.push_str(&text::diff_text(
            &d,
            &label(ks[a].0),
            &label(ks[b].0),
            false,
        ));
        out.push('\n');
    }
    let want: Vec<(usize, usize, String, String)> = [(1, 2), (0, 3)]
        .iter()
        .flat_map(|&(a, b)| {
            ["atime", "mtime", "ctime"]
                .map(|t| (a, b, format!("i_{t}"), format!("i_{t}_sec,i_{t}_nsec")))
        })
        .collect();
    assert_eq!(replaced, want);
    golden::check("diff/inode.pairs.txt", out.as_bytes());
}

#[test]
fn inode_history_over_the_four_kernels() {
    let ks = [K510, K61, K612, K618].map(kernel);
    let refs: Vec<&Btf> = ks.iter().collect();
    let h = diff::history(&refs, "inode");
    let row = |name: &str| {
        h.rows
            .iter()
            .find(|r| r.names().contains(&name))
            .unwrap()
            .cells
            .iter()
            .map(|c| c.as_ref().map(|f| (f.bit_offset / 8, f.bit_size / 8)))
            .collect::<Vec<_>>()
    };
    assert_eq!(row("i_atime"), [Some((88, 16)), Some((88, 16)), None, None]);
    assert_eq!(
        row("i_atime_sec"),
        [None, None, Some((88, 8)), Some((88, 8))]
    );
    assert_eq!(h.replacements.len(), 3);
    let labels: Vec<String> = [K510, K61, K612, K618].map(label).to_vec();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    golden::check(
        "diff/history.inode.txt",
        text::history_text(&h, &labels).as_bytes(),
    );
    let h = diff::history(&refs, "task_struct");
    let state = h
        .rows
        .iter()
        .find(|r| r.names().contains(&"state"))
        .unwrap();
    assert_eq!(state.names(), ["state", "__state"]);
    assert!(state.cells.iter().all(Option::is_some));
    golden::check(
        "diff/history.task_struct.txt",
        text::history_text(&h, &labels).as_bytes(),
    );
}

#[test]
fn whole_kernel_summary_5_10_to_6_18() {
    let mut d = diff::diff(&kernel(K510), &kernel(K618), &DiffOptions::default());
    let total: u32 = d
        .counts
        .iter()
        .map(|c| c.added + c.removed + c.changed)
        .sum();
    assert_eq!(total as usize, d.types.len());
    d.types.clear();
    golden::check(
        "diff/summary.5.10-6.18.txt",
        text::diff_text(&d, &label(K510), &label(K618), true).as_bytes(),
    );
}

/// Whole-BTF reports over the crafted oracle targets: flavors, duplicates, moved and resized
/// fields, every section of the text.
#[test]
fn crafted_targets_whole_diff() {
    let t = |n: &str| {
        load_btf(&data::read(&format!("oracle/targets/{n}.btf.gz")), None)
            .unwrap()
            .btf
    };
    for (a, b) in [
        ("old_kernel", "moved_resized"),
        ("old_kernel", "dup_candidates"),
    ] {
        let d = diff::diff(&t(a), &t(b), &DiffOptions::default());
        golden::check(
            &format!("diff/{a}-{b}.txt"),
            text::diff_text(&d, a, b, true).as_bytes(),
        );
    }
}

/// Every kernel against itself, and against a byte-swapped copy written by us: no change.
#[test]
fn kernels_against_themselves_are_empty() {
    for (name, path) in data::kernels() {
        let btf = load_btf(&data::read_path(&path), None).unwrap().btf;
        let d = diff::diff(&btf, &btf, &DiffOptions::default());
        assert!(d.is_empty() && d.types.is_empty(), "{name}");
        let swapped_endian = match btf.endian() {
            Endian::Little => Endian::Big,
            Endian::Big => Endian::Little,
        };
        let copy = Btf::parse(
            &write(
                &btf,
                &WriteOptions {
                    endian: swapped_endian,
                    layout_section: false,
                },
            )
            .unwrap(),
        )
        .unwrap();
        let d = diff::diff(&btf, &copy, &DiffOptions::default());
        assert!(d.is_empty(), "{name} vs its rewritten copy");
        // Every named struct, union, enum, typedef and func was paired with its copy.
        let unchanged: usize = d.counts.iter().map(|c| c.unchanged as usize).sum();
        let named = btf
            .ids()
            .map(|id| btf.ty(id))
            .filter(|t| t.is_named() && diff::TypeClass::of(t.kind()).is_some())
            .count();
        assert_eq!(unchanged, named, "{name}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_btf_against_itself_is_empty(specs in prop::collection::vec(spec(), 0..40)) {
        let btf = Btf::parse(&build(&specs).encode(&EncodeOptions::default())).unwrap();
        let d = diff::diff(&btf, &btf, &DiffOptions::default());
        prop_assert!(d.is_empty() && d.types.is_empty(), "{:?}", d);
    }

    /// Swapping the sides swaps added and removed, type for type.
    #[test]
    fn diff_is_antisymmetric(
        a in prop::collection::vec(spec(), 0..30),
        b in prop::collection::vec(spec(), 0..30),
    ) {
        let a = Btf::parse(&build(&a).encode(&EncodeOptions::default())).unwrap();
        let b = Btf::parse(&build(&b).encode(&EncodeOptions::default())).unwrap();
        let ab = diff::diff(&a, &b, &DiffOptions::default());
        let ba = diff::diff(&b, &a, &DiffOptions::default());
        for (x, y) in ab.counts.iter().zip(&ba.counts) {
            prop_assert_eq!((x.added, x.removed), (y.removed, y.added));
            prop_assert_eq!(x.changed + x.unchanged, y.changed + y.unchanged);
        }
        let sides = |d: &diff::BtfDiff, s: Status| {
            let mut v: Vec<(diff::TypeClass, String)> = d
                .types
                .iter()
                .filter(|t| t.status() == s)
                .map(|t| (t.class, t.name.clone()))
                .collect();
            v.sort();
            v
        };
        prop_assert_eq!(sides(&ab, Status::Added), sides(&ba, Status::Removed));
        // History over both never loses a cell.
        let h = diff::history(&[&a, &b], "s");
        prop_assert!(h.rows.iter().all(|r| r.cells.len() == 2 && r.cells.iter().any(Option::is_some)));
    }
}
