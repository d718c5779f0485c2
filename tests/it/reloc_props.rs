//! Property tests of CO-RE relocation: arbitrary access strings, corrupted `.BTF.ext`
//! records, and arbitrary instructions never make the engine panic, and what it reports
//! stays consistent (an error has a warning or a known silent cause, a patch touches only
//! the relocated slots).

use std::sync::OnceLock;

use corelab::btf::{Btf, TypeId};
use corelab::insn::Insn;
use corelab::libbpf::Libbpf;
use corelab::object::Object;
use corelab::reloc::{
    calc_relo_insn, find_candidates, patch_insn, relocate_object, CalcContext, Outcome, RelocKind,
    RelocRequest, RelocResult, Target,
};
use corelab_tests::data;
use proptest::prelude::*;

/// A corpus object with many kinds of records, and a small crafted target.
fn fixture() -> &'static (Vec<u8>, Object, Btf) {
    static F: OnceLock<(Vec<u8>, Object, Btf)> = OnceLock::new();
    F.get_or_init(|| {
        let bytes = data::read("oracle/obj/exectrace.o.gz");
        let obj = Object::parse(&bytes).unwrap();
        let target =
            corelab::input::load_btf(&data::read("oracle/targets/moved_resized.btf.gz"), None)
                .unwrap()
                .btf;
        (bytes, obj, target)
    })
}

fn access_string() -> impl Strategy<Value = String> {
    prop_oneof![
        // Well-formed, maybe out of bounds.
        prop::collection::vec(0u32..300, 1..8).prop_map(|v| v
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(":")),
        // Anything made of the characters sscanf cares about.
        "[0-9:+\\- \t]{0,20}",
        // Very long.
        (60usize..70).prop_map(|n| vec!["0"; n].join(":")),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_access_string_any_kind(access in access_string(), kind in 0u32..16, root in 0u32..2000) {
        let (_, obj, target) = fixture();
        let local = obj.btf.as_ref().unwrap();
        let root = TypeId(root % local.type_cnt());
        let cands = find_candidates(local, root, &Target::kernel(target)).ok().map(|c| c.cands);
        let libbpf = if kind % 2 == 0 { Libbpf::V1_5 } else { Libbpf::V1_7 };
        let cx = CalcContext { prog: "p", relo_idx: 0, local, libbpf };
        let req = RelocRequest { insn_off: 0, type_id: root, access: Some(&access), kind: RelocKind(kind) };
        let res = calc_relo_insn(&cx, &req, cands.as_deref());
        if res.result.is_ok() {
            // A result always comes from a parsed local spec, logged first.
            let local = res.local_spec.as_ref().map(|s| format!("prog 'p': relo #0: {}", s.format()));
            prop_assert_eq!(res.log.first().map(|l| l.line()), local);
        }
        for spec in res.trials.iter().map(|t| &t.spec).chain(&res.local_spec).chain(&res.target_spec) {
            prop_assert!(spec.format().len() < 256);
        }
    }

    #[test]
    fn any_instruction_any_result(
        code in any::<u8>(), regs in any::<u8>(), off in any::<i16>(), imm in any::<i32>(),
        next in any::<[u8; 8]>(), orig in any::<u64>(), new in any::<u64>(),
        flags in any::<[bool; 3]>(), sizes in any::<(u8, u8)>(), at_end in any::<bool>(),
    ) {
        let first = Insn { code, dst: regs & 15, src: regs >> 4, off, imm };
        let second = Insn::decode(next, corelab::bytes::Endian::Little);
        let mut insns = if at_end { vec![first] } else { vec![first, second, second] };
        let res = RelocResult {
            orig_val: orig, new_val: new, poison: flags[0], validate: flags[1],
            fail_memsz_adjust: flags[2], orig_sz: u32::from(sizes.0 % 10), new_sz: u32::from(sizes.1 % 10),
            ..RelocResult::default()
        };
        let before = insns.clone();
        let rep = patch_insn("p", 0, &mut insns, 0, &res);
        // Only the relocated slot(s) change.
        prop_assert_eq!(&insns[rep.before.len()..], &before[rep.before.len()..]);
        match rep.result {
            // A failed patch changes at most an LDX/ST/STX offset (written before the size
            // checks).
            Err(_) => {
                let same_but_off = |a: &Insn, b: &Insn| (a.code, a.dst, a.src, a.imm) == (b.code, b.dst, b.src, b.imm);
                prop_assert!(rep.after.iter().zip(&rep.before).all(|(a, b)| same_but_off(a, b)));
            }
            Ok(corelab::reloc::Patched::Poisoned(_)) => prop_assert!(rep.after.iter().all(Insn::is_poison)),
            Ok(corelab::reloc::Patched::Value) => prop_assert_eq!(rep.after.len(), rep.before.len()),
        }
    }

    #[test]
    fn corrupted_records(field_writes in prop::collection::vec((0usize..64, 0usize..4, any::<u32>()), 1..6)) {
        let (bytes, obj, target) = fixture();
        let ext_sec = obj.sections.iter().find(|s| s.name == ".BTF.ext").unwrap();
        let ext = obj.ext.as_ref().unwrap();
        // File offsets of every core_relo record.
        let mut records = Vec::new();
        for sec in &ext.core_relos {
            for i in 0..sec.records.len() as u64 {
                records.push(ext_sec.file_offset + sec.offset + 16 * i);
            }
        }
        let mut bytes = bytes.clone();
        for (rec, field, value) in field_writes {
            let at = (records[rec % records.len()] + 4 * field as u64) as usize;
            bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        }
        let Ok(obj) = Object::parse(&bytes) else { return Ok(()) };
        let rel = relocate_object(&obj, target);
        prop_assert_eq!(rel.records.len(), records.len());
        for r in &rel.records {
            if let Outcome::Error(..) = r.outcome {
                prop_assert!(r.processed.is_some());
            }
        }
    }
}
