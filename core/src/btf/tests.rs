use super::*;
use crate::builder::{BtfBuilder, EncodeOptions};
use crate::error::ErrorKind;

fn sample() -> BtfBuilder {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    let long = b.int("long", 8, IntEncoding::SIGNED);
    let cint = b.const_(int);
    let p = b.ptr(cint);
    b.struct_(
        "foo",
        16,
        &[("a", int, 0, 0), ("b", int, 32, 3), ("p", p, 64, 0)],
    );
    b.enum_("e", 4, true, &[("A", -1), ("B", 7)]);
    b.enum64("e64", 8, false, &[("BIG", 1 << 40)]);
    b.typedef("long_t", long);
    b
}

fn both_orders(b: &BtfBuilder) -> [Btf; 2] {
    [Endian::Little, Endian::Big].map(|endian| {
        Btf::parse(&b.encode(&EncodeOptions {
            endian,
            ..Default::default()
        }))
        .unwrap()
    })
}

#[test]
fn reads_the_same_types_in_both_byte_orders() {
    for btf in both_orders(&sample()) {
        assert_eq!(btf.type_cnt(), 9);
        let foo = btf.ty(TypeId(5));
        assert_eq!(
            (foo.kind(), foo.name(), foo.size(), foo.vlen()),
            (Kind::STRUCT, "foo", 16, 3)
        );
        let m: Vec<_> = foo
            .members()
            .map(|m| (m.name, m.type_id.0, m.bit_offset, m.bitfield_size))
            .collect();
        assert_eq!(m, [("a", 1, 0, 0), ("b", 1, 32, 3), ("p", 4, 64, 0)]);
        let e = btf.ty(TypeId(6));
        let vals: Vec<_> = e
            .enum_values()
            .map(|v| (v.name, v.sign_extended() as i64))
            .collect();
        assert_eq!(vals, [("A", -1), ("B", 7)]);
        assert_eq!(btf.ty(TypeId(7)).enum_value(0).unwrap().raw(), 1 << 40);
        assert_eq!(btf.ptr_size(), 8);
        assert_eq!(btf.resolve_size(TypeId(8)), Ok(8));
        assert_eq!(btf.skip_mods_and_typedefs(TypeId(8)).id(), TypeId(2));
        assert_eq!(btf.find_by_name_kind("foo", Kind::STRUCT), Some(TypeId(5)));
    }
}

#[test]
fn essential_name_lookup_finds_flavors() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    b.struct_("task_struct", 4, &[("x", int, 0, 0)]);
    b.struct_("task_struct___old", 4, &[("x", int, 0, 0)]);
    b.struct_("task", 4, &[]);
    let btf = Btf::parse(&b.encode(&EncodeOptions::default())).unwrap();
    let ids: Vec<_> = btf.find_by_essential_name("task_struct").collect();
    assert_eq!(ids, [TypeId(2), TypeId(3)]);
}

#[test]
fn layout_section_and_unknown_kinds() {
    let mut b = sample();
    // Kind 25 with a 4-byte singular trailer and 8-byte elements.
    b.add_raw("future", Kind(25), false, 2, 0, vec![7, 1, 2, 3, 4]);
    let opts = EncodeOptions {
        layout_section: true,
        extra_layouts: vec![(
            25,
            KindLayout {
                info_size: 4,
                elem_size: 8,
            },
        )],
        ..Default::default()
    };
    let btf = Btf::parse(&b.encode(&opts)).unwrap();
    assert_eq!(btf.header().hdr_len, 32);
    assert_eq!(btf.layout().unwrap().len(), 26);
    let t = btf.ty(TypeId(9));
    assert_eq!((t.kind(), t.vlen(), t.words().len()), (Kind(25), 2, 8));
    // Without the layout section the same kind is rejected.
    let err = Btf::parse(&b.encode(&EncodeOptions::default())).unwrap_err();
    assert!(err.to_string().contains("unsupported BTF kind 25"), "{err}");
}

#[test]
fn wide_vlen_is_read_with_24_bits() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    let n = 70_000u32;
    let values: Vec<(String, i64)> = (0..n).map(|i| (format!("V{i}"), i64::from(i))).collect();
    let refs: Vec<(&str, i64)> = values.iter().map(|(s, v)| (s.as_str(), *v)).collect();
    let e = b.enum_("big", 4, false, &refs);
    let _ = int;
    let btf = Btf::parse(&b.encode(&EncodeOptions::default())).unwrap();
    let t = btf.ty(e);
    assert_eq!(t.vlen(), n);
    assert_eq!(t.enum_values().last().unwrap().name, "V69999");
}

#[test]
fn rejects_out_of_range_ids_with_offset() {
    let mut b = BtfBuilder::new();
    b.ptr(TypeId(42));
    let err = Btf::parse(&b.encode(&EncodeOptions::default())).unwrap_err();
    assert_eq!(err.offset(), Some(24 + 8));
    assert!(
        err.to_string().contains("invalid referenced type ID 42"),
        "{err}"
    );
}

#[test]
fn rejects_reference_loops_but_not_struct_cycles() {
    let mut b = BtfBuilder::new();
    let td = b.typedef("a", TypeId(3));
    b.const_(td);
    b.volatile(TypeId(2));
    let err = Btf::parse(&b.encode(&EncodeOptions::default())).unwrap_err();
    assert!(err.to_string().contains("reference loop"), "{err}");

    let mut b = BtfBuilder::new();
    let p = b.ptr(TypeId(2));
    b.struct_("node", 8, &[("next", p, 0, 0)]);
    assert!(Btf::parse(&b.encode(&EncodeOptions::default())).is_ok());
}

#[test]
fn rejects_truncated_records() {
    let mut blob = sample().encode(&EncodeOptions::default());
    // Claim a huge vlen for the struct: its members now overrun the section.
    let hdr = 24;
    let struct_info_at = hdr + (4 + 4 + 3 + 3) * 4 + 4; // records 1..4 are 16+16+12+12 bytes
    blob[struct_info_at..struct_info_at + 4].copy_from_slice(&(0x8400_ffffu32).to_le_bytes());
    let err = Btf::parse(&blob).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Malformed(m) if m.contains("overruns")),
        "{err}"
    );
}

#[test]
fn split_btf_continues_ids_and_strings() {
    let base = Arc::new(Btf::parse(&sample().encode(&EncodeOptions::default())).unwrap());
    let mut b = BtfBuilder::new_split(&base);
    let p = b.ptr(TypeId(5));
    let s = b.struct_("bar", 8, &[("foo_ptr", p, 0, 0)]);
    let btf = Btf::parse_split(&b.encode(&EncodeOptions::default()), base.clone()).unwrap();
    assert_eq!(btf.start_id(), TypeId(9));
    assert_eq!(btf.ty(s).name(), "bar");
    assert_eq!(btf.ty(s).member(0).unwrap().name, "foo_ptr");
    assert_eq!(btf.ty(TypeId(5)).name(), "foo");
    assert_eq!(btf.find_by_name("foo").collect::<Vec<_>>(), [TypeId(5)]);
    // Without its base the split blob's string section does not start with NUL.
    let err = Btf::parse(&b.encode(&EncodeOptions::default())).unwrap_err();
    assert!(err.to_string().contains("--base"), "{err}");
}
