//! Minimal BTF: for every corpus object and public target, relocating against the minimal
//! BTF gives the same outcomes and instruction bytes as against the full target (type ids
//! follow the renumbering), for both libbpf releases and with modules; the output is
//! accepted by bpftool and never larger than `bpftool gen min_core_btf`'s.

use corelab::btf::{Btf, TypeId};
use corelab::bytes::Endian;
use corelab::input::load_btf;
use corelab::insn::Insn;
use corelab::libbpf::Libbpf;
use corelab::minimize::{minimize, minimize_target};
use corelab::object::Object;
use corelab::reloc::{relocate, relocate_object, RelocKind, Target};
use corelab_tests::{data, oracle, tools};

fn after(r: &corelab::reloc::RecordReport<'_>) -> Vec<Insn> {
    r.processed
        .as_ref()
        .and_then(|p| p.patch.as_ref())
        .map(|p| p.after.clone())
        .unwrap_or_default()
}

#[test]
fn relocating_against_minimal_btf_gives_the_same_results() {
    let mut targets: Vec<(String, Btf)> = Vec::new();
    let mut compared = 0;
    let mut sizes = (0usize, 0usize);
    for (object, target) in oracle::pairs() {
        if !targets.iter().any(|(n, _)| *n == target) {
            targets.push((
                target.clone(),
                load_btf(&oracle::target_bytes(&target), None).unwrap().btf,
            ));
        }
        let full = &targets.iter().find(|(n, _)| *n == target).unwrap().1;
        let obj = Object::parse(&oracle::object_bytes(&object)).unwrap();
        let min = minimize(full, &[&obj], Endian::Little);
        let small = Btf::parse(&min.bytes).unwrap_or_else(|e| panic!("{object}__{target}: {e}"));
        sizes.0 += min.bytes.len();
        sizes.1 += full.raw_size();
        let a = relocate_object(&obj, full);
        let b = relocate_object(&obj, &small);
        assert_eq!(a.records.len(), b.records.len());
        for (x, y) in a.records.iter().zip(&b.records) {
            let what = format!("{object}__{target} {} #{}", x.sec, x.sec_relo_idx);
            assert_eq!(x.outcome.name(), y.outcome.name(), "{what}");
            let (ia, ib) = (after(x), after(y));
            if x.kind == RelocKind::TYPE_ID_TARGET && ia.len() == 2 && ib.len() == 2 {
                let old = Insn::imm64(&ia[0], &ia[1]);
                let new = Insn::imm64(&ib[0], &ib[1]);
                let mapped = if old == 0 {
                    0
                } else {
                    min.id_map[&corelab::btf::TypeId(old as u32)].0 as u64
                };
                assert_eq!(new, mapped, "{what}: type id");
            } else {
                assert_eq!(ia, ib, "{what}");
            }
            compared += 1;
        }
    }
    assert!(compared > 4000, "{compared}");
    eprintln!(
        "minimal BTF: {} bytes in all vs {} for the full targets",
        sizes.0, sizes.1
    );
}

/// bpftool reads what `minimize` writes.
#[test]
fn bpftool_accepts_minimal_btf() {
    let Some(bpftool) = tools::bpftool() else {
        return tools::skipped("minimal BTF", "bpftool");
    };
    let full = load_btf(&data::read("btf/host-6.18.44-fc-v657-amd64.btf.gz"), None)
        .unwrap()
        .btf;
    let objs: Vec<Object> = [
        "exectrace",
        "tcpstates",
        "task_state_flavor",
        "type_matches",
    ]
    .iter()
    .map(|o| Object::parse(&oracle::object_bytes(o)).unwrap())
    .collect();
    let refs: Vec<&Object> = objs.iter().collect();
    let dir = data::scratch("minimal");
    for endian in [Endian::Little, Endian::Big] {
        let min = minimize(&full, &refs, endian);
        let f = dir.join("min.btf");
        std::fs::write(&f, &min.bytes).unwrap();
        if endian == Endian::Little {
            let (code, out, err) = tools::run(
                std::process::Command::new(&bpftool)
                    .args(["btf", "dump", "file"])
                    .arg(&f),
            );
            assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
            assert!(String::from_utf8_lossy(&out).contains("STRUCT 'task_struct'"));
        }
        assert!(Btf::parse(&min.bytes).is_ok());
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The records of `full` and `small` agree: outcome, and instruction bytes (target type ids
/// through `ids`, which maps a full-target type id — the kernel's, or a module's by module
/// name — to the minimal BTF's).
fn same_results(
    what: &str,
    full: &corelab::reloc::ObjectRelocation<'_>,
    small: &corelab::reloc::ObjectRelocation<'_>,
    ids: impl Fn(Option<&str>, TypeId) -> TypeId,
) -> usize {
    assert_eq!(full.records.len(), small.records.len(), "{what}");
    for (x, y) in full.records.iter().zip(&small.records) {
        let at = format!("{what} {} #{}", x.sec, x.sec_relo_idx);
        assert_eq!(x.outcome.name(), y.outcome.name(), "{at}");
        let (ia, ib) = (after(x), after(y));
        if x.kind == RelocKind::TYPE_ID_TARGET && ia.len() == 2 && ib.len() == 2 {
            let old = Insn::imm64(&ia[0], &ia[1]);
            let module = x
                .processed
                .as_ref()
                .and_then(|p| p.resolution.as_ref())
                .and_then(|r| r.trials.iter().find(|t| t.matched))
                .and_then(|t| t.module);
            let mapped = if old == 0 {
                0
            } else {
                u64::from(ids(module, TypeId(old as u32)).0)
            };
            assert_eq!(Insn::imm64(&ib[0], &ib[1]), mapped, "{at}: type id");
        } else {
            assert_eq!(ia, ib, "{at}");
        }
    }
    full.records.len()
}

/// libbpf 1.5's relocation of the corpus needs what 1.5 computes, and its minimal BTF
/// reproduces it too (the default, 1.7, is checked above).
#[test]
fn minimal_btf_keeps_libbpf_1_5_results() {
    let mut compared = 0;
    for target in ["host-6.18.44-fc-v657-amd64", "moved_resized"] {
        let full = load_btf(&oracle::target_bytes(target), None).unwrap().btf;
        for (object, _) in oracle::pairs().iter().filter(|(_, t)| t == target) {
            let obj = Object::parse(&oracle::object_bytes(object)).unwrap();
            let kernel = Target::kernel(&full);
            let min = minimize_target(&kernel, &[&obj], Libbpf::V1_5, Endian::Little);
            let small = Btf::parse(&min.bytes).unwrap();
            let a = relocate(&obj, &kernel, Libbpf::V1_5);
            let b = relocate(&obj, &Target::kernel(&small), Libbpf::V1_5);
            compared += same_results(&format!("{object}__{target}"), &a, &b, |_, id| {
                min.id_map[&id]
            });
        }
    }
    assert!(compared > 1000, "{compared}");
}

/// With modules, one file stands for the kernel and its modules: relocating against it
/// gives what the live kernel's search gives (modules in several orders, one twice).
#[test]
fn minimal_btf_with_modules_gives_the_same_results() {
    let fx = oracle::ModuleFixture::load();
    let obj = &fx.object;
    for release in Libbpf::ALL {
        for mods in [
            &["ext4", "tcp_bbr"][..],
            &["tcp_bbr", "tcp_bbr_twin", "ext4"],
        ] {
            let target = fx.target(mods);
            let min = minimize_target(&target, &[obj], release, Endian::Little);
            assert!(min.warnings.is_empty(), "{:?}", min.warnings);
            let small = Btf::parse(&min.bytes).unwrap();
            let a = relocate(obj, &target, release);
            let b = relocate(obj, &Target::kernel(&small), release);
            let what = format!("modules {mods:?} libbpf {release}");
            let n = same_results(&what, &a, &b, |module, id| match module {
                None => min.id_map[&id],
                Some(m) => {
                    let i = mods.iter().position(|x| *x == m).unwrap();
                    min.module_id_maps[i][&id]
                }
            });
            assert_eq!(n, 21);
            // The module types came along (they are what most records resolve to).
            assert!(min.module_id_maps.iter().any(|m| !m.is_empty()), "{what}");
        }
    }
}

/// Never larger than bpftool's: `bpftool gen min_core_btf` on the same object and kernel
/// (where bpftool succeeds: it gives up on an object whose relocation fails). The default
/// run covers the objects whose output bpftool's undercut before pointees behind field
/// relocations were dropped, against two kernels; `CORELAB_MIN_ALL=1` takes every corpus
/// object and every kernel of tests/data.
#[test]
fn minimal_btf_is_never_larger_than_bpftools() {
    let Some(bpftool) = tools::bpftool() else {
        return tools::skipped("minimal BTF size", "bpftool");
    };
    let all = std::env::var_os("CORELAB_MIN_ALL").is_some_and(|v| v != "0");
    let kernels: Vec<(String, std::path::PathBuf)> = if all {
        data::kernels()
    } else {
        data::kernels()
            .into_iter()
            .filter(|(k, _)| k.starts_with("host-") || k.starts_with("debian12"))
            .collect()
    };
    let objects: Vec<String> = if all {
        let mut v: Vec<String> = oracle::pairs().into_iter().map(|(o, _)| o).collect();
        v.dedup();
        v
    } else {
        [
            "fentry_direct",
            "core_read_into",
            "core_read_chain",
            "opensnoop",
            "tcpstates",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let dir = data::scratch("minimal-vs-bpftool");
    let (mut ours, mut theirs, mut compared) = (0, 0, 0);
    for (kernel, path) in &kernels {
        let raw = dir.join(format!("{kernel}.btf"));
        std::fs::write(&raw, data::read_path(path)).unwrap();
        let full = load_btf(&data::read_path(path), None).unwrap().btf;
        for object in &objects {
            let obj_path = dir.join(format!("{object}.o"));
            std::fs::write(&obj_path, oracle::object_bytes(object)).unwrap();
            let out = dir.join("bpftool.btf");
            let (code, _, _) = tools::run(
                std::process::Command::new(&bpftool)
                    .args(["gen", "min_core_btf"])
                    .arg(&raw)
                    .arg(&out)
                    .arg(&obj_path),
            );
            if code != 0 {
                continue;
            }
            let reference = std::fs::metadata(&out).unwrap().len() as usize;
            let obj = Object::parse(&oracle::object_bytes(object)).unwrap();
            let min = minimize(&full, &[&obj], full.endian());
            assert!(
                min.bytes.len() <= reference,
                "{object} against {kernel}: {} bytes, bpftool {reference}",
                min.bytes.len()
            );
            ours += min.bytes.len();
            theirs += reference;
            compared += 1;
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    assert!(
        compared >= objects.len(),
        "bpftool minimized too few objects: {compared}"
    );
    eprintln!("minimal BTF: {ours} bytes, bpftool {theirs}, over {compared} object/kernel pairs");
}
