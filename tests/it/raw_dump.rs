//! `corelab dump` = `bpftool btf dump file`: bpftool 7.1's listings (references, never
//! rewritten), and a differential run against the installed bpftool.

use std::sync::Arc;

use corelab::btf::Btf;
use corelab::input::load_btf;
use corelab_tests::{data, golden, tools};

fn dump(btf: &Btf) -> Vec<u8> {
    let mut out = Vec::new();
    corelab::dump::write_raw(btf, &mut out).unwrap();
    out
}

#[test]
fn vmlinux_5_10_matches_bpftool_listing() {
    let btf = load_btf(&data::read("btf/debian11-5.10.0-46-amd64.btf.gz"), None)
        .unwrap()
        .btf;
    golden::reference(
        "raw/debian11-5.10.0-46-amd64.bpftool-7.1.0.txt.gz",
        &dump(&btf),
    );
}

#[test]
fn split_modules_match_bpftool_listing() {
    let base = Arc::new(
        load_btf(&data::read("btf/debian12-6.1.0-50-amd64.btf.gz"), None)
            .unwrap()
            .btf,
    );
    for m in ["ext4", "tcp_bbr"] {
        let p = format!("modules/debian12-6.1.0-50-amd64-{m}");
        // Raw split blob and the module's ELF `.BTF` give the same listing.
        for input in [format!("{p}.btf.gz"), format!("{p}.ko.gz")] {
            let btf = load_btf(&data::read(&input), Some(base.clone()))
                .unwrap()
                .btf;
            golden::reference(&format!("{p}.split-raw.bpftool-7.1.0.txt.gz"), &dump(&btf));
        }
    }
}

#[test]
fn probes_match_bpftool_listing() {
    for raw in data::list("probes", ".raw.txt") {
        let stem = data::stem(&raw, ".raw.txt");
        let input = ["btf", "o"]
            .iter()
            .map(|e| data::path(&format!("probes/{stem}.{e}")))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("no input for probe {stem}"));
        let btf = load_btf(&data::read_path(&input), None).unwrap().btf;
        golden::reference(&format!("probes/{stem}.raw.txt"), &dump(&btf));
    }
}

/// Every kernel (both byte orders), every probe: identical to the installed bpftool.
#[test]
fn differential_against_installed_bpftool() {
    let Some(bpftool) = tools::bpftool() else {
        return tools::skipped("raw dump differential", "bpftool");
    };
    let dir = data::scratch("rawdiff");
    let mut inputs: Vec<(String, Vec<u8>)> = data::kernels()
        .into_iter()
        .map(|(n, p)| (n, data::read_path(&p)))
        .collect();
    for p in data::list("probes", ".btf")
        .into_iter()
        .chain(data::list("probes", ".o"))
    {
        inputs.push((data::stem(&p, ""), data::read_path(&p)));
    }
    for (name, bytes) in inputs {
        let file = dir.join(&name);
        std::fs::write(&file, &bytes).unwrap();
        let (code, want, _) = tools::run(
            std::process::Command::new(&bpftool)
                .args(["btf", "dump", "file"])
                .arg(&file),
        );
        assert_eq!(code, 0, "bpftool failed on {name}");
        let ours = dump(&load_btf(&bytes, None).unwrap().btf);
        golden::assert_same(&want, &ours, &name);
    }
    let _ = std::fs::remove_dir_all(dir);
}
