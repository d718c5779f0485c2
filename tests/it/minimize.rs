//! Minimal BTF: for every corpus object and public target, relocating against the minimal
//! BTF gives the same outcomes and instruction bytes as against the full target (type ids
//! follow the renumbering); the output is accepted by bpftool.

use corelab::btf::Btf;
use corelab::bytes::Endian;
use corelab::input::load_btf;
use corelab::insn::Insn;
use corelab::minimize::minimize;
use corelab::object::Object;
use corelab::reloc::{relocate_object, RelocKind};
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
