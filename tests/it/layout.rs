//! `corelab layout` = `pahole -F btf -C TYPE FILE` (pahole 1.24): the probes' recorded pahole
//! output, a golden, and kernel structs against the installed pahole.

use std::process::Command;

use corelab::btf::Btf;
use corelab::input::load_btf;
use corelab_tests::{data, golden, tools};

fn layout(btf: &Btf, name: &str) -> String {
    let id = corelab::layout::find(btf, name).unwrap_or_else(|| panic!("no type {name}"));
    corelab::layout::render(btf, id).unwrap()
}

/// The installed pahole, if it is 1.24 (the version the layouts follow); else `what` is
/// skipped, and said so.
fn pahole_1_24(what: &str) -> Option<std::path::PathBuf> {
    let Some(pahole) = tools::find("pahole") else {
        tools::skipped(what, "pahole");
        return None;
    };
    let (_, version, _) = tools::run(Command::new(&pahole).arg("--version"));
    if !String::from_utf8_lossy(&version).starts_with("v1.24") {
        tools::skipped(what, "pahole 1.24");
        return None;
    }
    Some(pahole)
}

/// Every struct and union pahole printed for the probes (`.pahole.txt`, pahole 1.24).
#[test]
fn probes_match_pahole_1_24() {
    let mut checked = 0;
    for file in data::list("probes", ".pahole.txt") {
        let stem = data::stem(&file, ".pahole.txt");
        let btf = load_btf(&data::read(&format!("probes/{stem}.o")), None)
            .unwrap()
            .btf;
        let text = String::from_utf8(data::read_path(&file)).unwrap();
        // Top-level blocks: from `struct NAME {` / `union NAME {` to the `}` line.
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let end = rest
                .find("\n}")
                .and_then(|i| rest[i + 1..].find('\n').map(|j| i + 1 + j + 1))
                .unwrap_or(rest.len());
            let block = &rest[..end];
            rest = &rest[end..];
            let name = block
                .split_whitespace()
                .nth(1)
                .unwrap_or_else(|| panic!("{stem}: bad block {block}"));
            assert_eq!(layout(&btf, name), block, "{stem}: {name}");
            checked += 1;
        }
    }
    assert_eq!(checked, 40);
}

#[test]
fn task_struct_golden() {
    let btf = load_btf(&data::read("btf/host-6.18.44-fc-v657-amd64.btf.gz"), None)
        .unwrap()
        .btf;
    golden::check(
        "layout/host-6.18.44-fc-v657-amd64.task_struct.txt",
        layout(&btf, "task_struct").as_bytes(),
    );
}

/// Structs and unions of every kernel (a spread sample) against the installed pahole 1.24.
/// `CORELAB_LAYOUT_STEP=N` compares every N-th named type (default 150).
#[test]
fn kernel_types_match_installed_pahole() {
    let Some(pahole) = pahole_1_24("layout differential") else {
        return;
    };
    let step: usize = std::env::var("CORELAB_LAYOUT_STEP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let dir = data::scratch("layout");
    let mut compared = 0;
    for (name, path) in data::kernels() {
        let bytes = data::read_path(&path);
        let btf = load_btf(&bytes, None).unwrap().btf;
        let file = dir.join(format!("{name}.btf"));
        std::fs::write(&file, &bytes).unwrap();
        let mut seen = std::collections::HashSet::new();
        let names: Vec<&str> = btf
            .ids()
            .map(|id| btf.ty(id))
            .filter(|t| t.kind().is_composite() && t.name_off() != 0)
            .map(|t| t.name())
            .filter(|n| seen.insert(*n))
            .collect();
        let picks = names
            .iter()
            .step_by(step)
            .chain(["task_struct", "sk_buff", "bpf_map", "file"].iter());
        for ty in picks {
            let (_, want, _) = tools::run(
                Command::new(&pahole)
                    .args(["-F", "btf", "-C", ty])
                    .arg(&file),
            );
            let ours = layout(&btf, ty);
            golden::assert_same(&want, ours.as_bytes(), &format!("{name} {ty}"));
            compared += 1;
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    assert!(compared > 100, "{compared}");
}

/// `layout::sizes` = `pahole --sizes` (name, size, holes of every named struct and union) on
/// every kernel, against the installed pahole 1.24. pahole lists a struct once per name,
/// size and members (their names where both have one, bit offsets and bitfield sizes: its
/// `type__compare`); the comparison drops the same repeats.
#[test]
fn sizes_match_installed_pahole() {
    let Some(pahole) = pahole_1_24("pahole --sizes differential") else {
        return;
    };
    let dir = data::scratch("layout-sizes");
    for (name, path) in data::kernels() {
        let bytes = data::read_path(&path);
        let btf = load_btf(&bytes, None).unwrap().btf;
        let file = dir.join(format!("{name}.btf"));
        std::fs::write(&file, &bytes).unwrap();
        let (_, want, _) = tools::run(Command::new(&pahole).args(["-F", "btf", "-s"]).arg(&file));
        let sizes = corelab::layout::sizes(&btf);
        assert!(sizes.len() > 5000, "{name}: {} structs", sizes.len());
        let mut listed: std::collections::HashMap<&str, Vec<corelab::btf::TypeId>> =
            std::collections::HashMap::new();
        let mut ours = String::new();
        for c in &sizes {
            let same_name = listed.entry(btf.ty(c.id).name()).or_default();
            if same_name.iter().any(|&l| same_for_pahole(&btf, l, c.id)) {
                continue;
            }
            same_name.push(c.id);
            ours.push_str(&format!(
                "{}\t{}\t{}\n",
                btf.ty(c.id).name(),
                c.size,
                c.holes
            ));
        }
        golden::assert_same(&want, ours.as_bytes(), &format!("{name} --sizes"));
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// pahole's `type__compare` equality: name, size, number of members, and per member its
/// name (when both have one), bit offset and bitfield size.
fn same_for_pahole(btf: &Btf, a: corelab::btf::TypeId, b: corelab::btf::TypeId) -> bool {
    let (a, b) = (btf.ty(a), btf.ty(b));
    a.name() == b.name()
        && a.size() == b.size()
        && a.vlen() == b.vlen()
        && a.members().zip(b.members()).all(|(x, y)| {
            (x.name.is_empty() || y.name.is_empty() || x.name == y.name)
                && x.bit_offset == y.bit_offset
                && x.bitfield_size == y.bitfield_size
        })
}
