//! The libbpf release choice: relocation, explanation, guarding and matrix answer as the
//! chosen release, and each row says where the other release computes it differently —
//! checked against the libbpf 1.5 and 1.7 oracles' `res` on a corpus object they disagree on.

use std::path::PathBuf;

use super::tests::{data, session_with, whatif, K510, K618};
use super::*;
use crate::dto::guard::LibbpfRelease;

/// `"key":N` of `res` in one of the oracle's JSON lines.
fn res_field(line: &str, key: &str) -> u64 {
    let res = &line[line.find("\"res\":{").expect("a res")..];
    let at = res.find(&format!("\"{key}\":")).expect(key) + key.len() + 3;
    let v: String = res[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    match v.as_str() {
        "true" => 1,
        "false" => 0,
        n => n.parse().unwrap(),
    }
}

/// The oracle's relocation lines for `object` against `target`, as `release` computed them.
fn oracle_lines(release: LibbpfRelease, object: &str, target: &str) -> Vec<String> {
    let dir = match release {
        LibbpfRelease::V1_5 => "expected",
        LibbpfRelease::V1_7 => "expected-libbpf1.7",
    };
    let gz = data(&format!("oracle/{dir}/{object}__{target}.jsonl.gz"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut text).unwrap();
    text.lines()
        .filter(|l| l.contains("\"type\":\"relo\""))
        .map(str::to_owned)
        .collect()
}

fn with_release(libbpf: LibbpfRelease) -> WhatIf {
    WhatIf { libbpf, ..whatif() }
}

#[test]
fn each_release_explains_the_oracles_res_and_rows_say_where_they_differ() {
    // moved_resized: the release decides the array field's sizes and whether a load-size
    // change is refused (libbpf-1.5-vs-1.7 in the oracle).
    let mut s = Session::new();
    let target = "moved_resized";
    s.load(
        1,
        target,
        &data(&format!("oracle/targets/{target}.btf.gz")),
        None,
    )
    .unwrap();
    s.load_object(100, "core_read.o", &data("oracle/obj/core_read.o.gz"))
        .unwrap();
    let lines = |r| oracle_lines(r, "core_read", target);
    let (old, new) = (lines(LibbpfRelease::V1_5), lines(LibbpfRelease::V1_7));
    let differing: Vec<usize> = (0..old.len())
        .filter(|&i| {
            ["orig_sz", "new_sz", "fail_memsz_adjust"]
                .iter()
                .any(|k| res_field(&old[i], k) != res_field(&new[i], k))
        })
        .collect();
    assert_eq!(differing, [4], "the oracle's own difference");
    for release in LibbpfRelease::ALL {
        let w = with_release(release);
        let table = s.relocate(100, 1, &w).unwrap();
        assert_eq!(table.libbpf, release);
        let expected = lines(release);
        assert_eq!(table.rows.len(), expected.len());
        for (i, line) in expected.iter().enumerate() {
            let e = s.explain(100, 1, &w, i as u32).unwrap();
            let v = e.values.expect("values");
            let sizes = (res_field(line, "orig_sz"), res_field(line, "new_sz"));
            assert_eq!(
                (v.orig, v.new, u64::from(v.poison)),
                (
                    res_field(line, "orig_val"),
                    res_field(line, "new_val"),
                    res_field(line, "poison")
                ),
                "{release:?} record {i}"
            );
            assert_eq!(
                v.sizes.map(|(a, b)| (u64::from(a), u64::from(b))),
                Some(sizes),
                "{release:?} record {i}"
            );
            assert_eq!(e.row.release_note, table.rows[i].release_note);
            assert_eq!(
                table.rows[i].release_note.is_some(),
                differing.contains(&i),
                "{release:?} record {i}: {:?}",
                table.rows[i].release_note
            );
        }
    }
    let mut note = |r| {
        s.relocate(100, 1, &with_release(r)).unwrap().rows[4]
            .release_note
            .clone()
            .unwrap()
    };
    assert_eq!(
        note(LibbpfRelease::V1_7),
        "libbpf 1.5 differs: fail_memsz_adjust true (1.7: false), orig_sz 16 (1.7: 1), \
         new_sz 32 (1.7: 1) — since 1.6 libbpf sizes an array field's access by one element"
    );
    assert!(note(LibbpfRelease::V1_5).starts_with(
        "libbpf 1.7 differs: fail_memsz_adjust false (1.5: true), orig_sz 1 (1.5: 16)"
    ));
}

#[test]
fn guarding_and_the_matrix_say_which_release_answered() {
    let mut s = session_with("04_sizes", &[K510, K618]);
    for release in LibbpfRelease::ALL {
        let w = with_release(release);
        let g = s.guard(100, 1, &w, None).unwrap();
        assert_eq!(g.libbpf, release);
        let m = s.matrix(100, &[1, 2], &w).unwrap();
        assert_eq!(m.libbpf, release);
        // The Tour's sizes sample reads task_struct.comm, an array: the releases differ there.
        let t = s.relocate(100, 2, &w).unwrap();
        let noted: Vec<&str> = t
            .rows
            .iter()
            .filter(|r| r.release_note.is_some())
            .map(|r| r.access.as_str())
            .collect();
        assert_eq!(noted, ["task_struct.comm"], "{release:?}");
    }
}

/// `"res":{…}` of one of the oracle's lines, or `None` where libbpf computed none.
fn res_text(line: &str) -> Option<&str> {
    let at = line.find("\"res\":{")?;
    let end = line[at..].find('}')?;
    Some(&line[at..at + end])
}

#[test]
fn rows_note_exactly_where_the_oracles_of_both_releases_differ() {
    // Every (object, target) the oracle ran in 1.7 too: the rows with a note are the
    // records whose `res` (or outcome) differs between libbpf 1.5's and 1.7's results.
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/oracle/expected-libbpf1.7");
    let mut pairs: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| {
            let (o, t) = n.strip_suffix(".jsonl.gz")?.split_once("__")?;
            Some((o.to_owned(), t.to_owned()))
        })
        .collect();
    pairs.sort();
    assert!(pairs.len() >= 70, "{} pairs", pairs.len());
    let mut s = Session::new();
    let mut slots: Vec<String> = Vec::new();
    let (mut noted, mut objects) = (0, Vec::<String>::new());
    for (object, target) in &pairs {
        let slot = match slots.iter().position(|t| t == target) {
            Some(i) => i as u32 + 1,
            None => {
                let rel = if target.starts_with("debian") || target.starts_with("host") {
                    format!("btf/{target}.btf.gz")
                } else {
                    format!("oracle/targets/{target}.btf.gz")
                };
                slots.push(target.clone());
                let slot = slots.len() as u32;
                s.load(slot, target, &data(&rel), None).unwrap();
                slot
            }
        };
        let oslot = match objects.iter().position(|o| o == object) {
            Some(i) => i as u32 + 100,
            None => {
                objects.push(object.clone());
                let slot = objects.len() as u32 + 99;
                s.load_object(slot, object, &data(&format!("oracle/obj/{object}.o.gz")))
                    .unwrap();
                slot
            }
        };
        let (old, new) = (
            oracle_lines(LibbpfRelease::V1_5, object, target),
            oracle_lines(LibbpfRelease::V1_7, object, target),
        );
        let outcome = |l: &str| {
            l.split("\"outcome\":")
                .nth(1)
                .map(|o| o.split(',').next().unwrap_or("").to_owned())
        };
        let want: Vec<bool> = old
            .iter()
            .zip(&new)
            .map(|(a, b)| res_text(a) != res_text(b) || outcome(a) != outcome(b))
            .collect();
        let table = s.relocate(oslot, slot, &whatif()).unwrap();
        let got: Vec<bool> = table
            .rows
            .iter()
            .map(|r| r.release_note.is_some())
            .collect();
        assert_eq!(got, want, "{object} against {target}");
        noted += got.iter().filter(|&&n| n).count();
    }
    // libbpf-1.5-vs-1.7: 56 of these files differ, each in one record or more.
    assert!(noted >= 56, "{noted} rows noted");
}
