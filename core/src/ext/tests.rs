use super::*;
use crate::builder::{BtfBuilder, EncodeOptions};

fn btf_with_names() -> Btf {
    let mut b = BtfBuilder::new();
    b.int("int", 4, 1);
    b.add_str("kprobe/x");
    b.add_str("0:1");
    Btf::parse(&b.encode(&EncodeOptions::default())).unwrap()
}

/// A `.BTF.ext` with one func_info, one line_info and two core_relo records for section
/// name offset `sec`, encoded in `e`.
fn ext_bytes(e: Endian, sec: u32, acc: u32) -> Vec<u8> {
    let w = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&e.u32_bytes(x));
    let mut func = Vec::new();
    for x in [8, sec, 1, 0, 2] {
        w(&mut func, x);
    }
    let mut line = Vec::new();
    for x in [16, sec, 1, 0, 0, 0, 5 << 10 | 3] {
        w(&mut line, x);
    }
    let mut core = Vec::new();
    for x in [16, sec, 2, 8, 1, acc, 0, 16, 1, acc, 2] {
        w(&mut core, x);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&e.u16_bytes(0xeb9f));
    out.extend_from_slice(&[1, 0]);
    let (fl, ll, cl) = (func.len() as u32, line.len() as u32, core.len() as u32);
    for x in [32, 0, fl, fl, ll, fl + ll, cl] {
        w(&mut out, x);
    }
    out.extend(func);
    out.extend(line);
    out.extend(core);
    out
}

#[test]
fn parses_all_three_subsections_in_both_orders() {
    let btf = btf_with_names();
    let sec = btf.ids().len() as u32; // any offset: resolve by search instead
    let _ = sec;
    let sec_off = (0..200)
        .find(|&o| btf.str_at(o) == Some("kprobe/x"))
        .unwrap();
    let acc_off = (0..200).find(|&o| btf.str_at(o) == Some("0:1")).unwrap();
    for e in [Endian::Little, Endian::Big] {
        let ext = BtfExt::parse(&ext_bytes(e, sec_off, acc_off), &btf).unwrap();
        assert_eq!(ext.func_info[0].name, "kprobe/x");
        assert_eq!(
            ext.func_info[0].records,
            [FuncInfo {
                insn_off: 0,
                type_id: TypeId(2)
            }]
        );
        let li = ext.line_info[0].records[0];
        assert_eq!((li.line(), li.column()), (5, 3));
        let relos = &ext.core_relos_of("kprobe/x").unwrap().records;
        assert_eq!(relos.len(), 2);
        assert_eq!(
            relos[1],
            CoreRelo {
                insn_off: 16,
                type_id: TypeId(1),
                access_str_off: acc_off,
                kind: 2
            }
        );
    }
}

#[test]
fn rejects_bad_record_size_and_zero_counts() {
    let btf = btf_with_names();
    let mut b = ext_bytes(Endian::Little, 1, 1);
    // func_info record size 6 (< 8)
    b[32..36].copy_from_slice(&6u32.to_le_bytes());
    let err = BtfExt::parse(&b, &btf).unwrap_err();
    assert!(err.to_string().contains("invalid record size 6"), "{err}");
    let mut b = ext_bytes(Endian::Little, 1, 1);
    b[40..44].copy_from_slice(&0u32.to_le_bytes());
    let err = BtfExt::parse(&b, &btf).unwrap_err();
    assert!(err.to_string().contains("incorrect num_records"), "{err}");
    let mut b = ext_bytes(Endian::Little, 1, 1);
    b[40..44].copy_from_slice(&1000u32.to_le_bytes());
    let err = BtfExt::parse(&b, &btf).unwrap_err();
    assert!(err.to_string().contains("header is not found"), "{err}");
}
