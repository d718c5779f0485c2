use std::sync::Arc;

use super::*;
use crate::btf::IntEncoding;
use crate::builder::MemberSpec;

fn listing(btf: &Btf) -> String {
    let mut v = Vec::new();
    crate::dump::write_raw(btf, &mut v).unwrap();
    String::from_utf8(v).unwrap()
}

fn sample() -> Btf {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    let ch = b.int("char", 1, IntEncoding::CHAR);
    let cch = b.const_(ch);
    let pc = b.ptr(cch);
    let arr = b.array(ch, int, 8);
    let members: [MemberSpec<'_>; 4] = [
        ("a", int, 0, 0),
        ("bits", int, 32, 3),
        ("name", pc, 64, 0),
        ("buf", arr, 128, 0),
    ];
    let s = b.struct_("s", 24, &members);
    let fp = b.func_proto(int, &[("x", int), ("", TypeId::VOID)]);
    b.func("f", fp, 1);
    b.enum_("e", 4, true, &[("A", -1), ("B", 2)]);
    b.enum64("e64", 8, false, &[("BIG", 1 << 40)]);
    let v = b.var("v", s, 1);
    b.datasec(".data", 24, &[(v, 0, 24)]);
    b.decl_tag("tag", s, 1);
    b.type_tag("user", pc, false);
    b.float("double", 8);
    b.fwd("later", true);
    // A string nobody uses and a duplicate: the writer drops and merges them.
    b.push_raw_str_bytes(b"unused\0int\0");
    Btf::parse(&b.encode(&EncodeOptions::default())).unwrap()
}

#[test]
fn writes_the_same_types_in_both_byte_orders() {
    let btf = sample();
    for endian in [Endian::Little, Endian::Big] {
        for layout_section in [false, true] {
            let opts = WriteOptions {
                endian,
                layout_section,
            };
            let again = Btf::parse(&write(&btf, &opts).unwrap()).unwrap();
            assert_eq!(again.endian(), endian);
            assert_eq!(again.layout().is_some(), layout_section);
            assert_eq!(listing(&again), listing(&btf));
            // Deduplicated: every string once, the unused one gone.
            assert!(again.own_strings_len() < btf.own_strings_len());
        }
    }
}

#[test]
fn selection_renumbers_and_requires_closure() {
    let btf = sample();
    let s = btf.find_by_name_kind("s", Kind::STRUCT).unwrap();
    let keep = closure(&btf, &[s]).unwrap();
    // s, int, char, const char, char *, char[8].
    assert_eq!(keep.len(), 6);
    let w = write_selected(&btf, &keep, &WriteOptions::default()).unwrap();
    let small = Btf::parse(&w.bytes).unwrap();
    assert_eq!(small.own_type_count(), 6);
    let new_s = w.ids.get(s).unwrap();
    let t = small.ty(new_s);
    assert_eq!((t.name(), t.size(), t.vlen()), ("s", 24, 4));
    let m: Vec<_> = t
        .members()
        .map(|m| (m.name, small.ty(m.type_id).kind(), m.bitfield_size))
        .collect();
    assert_eq!(
        m,
        [
            ("a", Kind::INT, 0),
            ("bits", Kind::INT, 3),
            ("name", Kind::PTR, 0),
            ("buf", Kind::ARRAY, 0)
        ]
    );
    let f = btf.find_by_name_kind("f", Kind::FUNC).unwrap();
    assert_eq!(w.ids.get(f), None);

    // Keeping s without what it refers to is refused, as is an id out of range.
    let err = write_selected(&btf, &[s], &WriteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not selected"), "{err}");
    let err = write_selected(&btf, &[TypeId(999)], &WriteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("[999]"), "{err}");
}

#[test]
fn split_btf_keeps_base_ids_and_strings() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    b.struct_("base_s", 4, &[("x", int, 0, 0)]);
    let base = Arc::new(Btf::parse(&b.encode(&EncodeOptions::default())).unwrap());
    let mut sb = BtfBuilder::new_split(&base);
    let p = sb.ptr(int);
    // "x" is a base string offset reused by the split record.
    let x_off = base.ty(TypeId(2)).member(0).unwrap().name_off;
    let y_off = sb.add_str("y");
    sb.add_raw(
        "mod_s",
        Kind::STRUCT,
        false,
        2,
        16,
        vec![x_off, p.0, 0, y_off, int.0, 64],
    );
    let split = Btf::parse_split(&sb.encode(&EncodeOptions::default()), base.clone()).unwrap();
    for endian in [Endian::Little, Endian::Big] {
        let opts = WriteOptions {
            endian,
            layout_section: false,
        };
        let bytes = write(&split, &opts).unwrap();
        let again = Btf::parse_split(&bytes, base.clone()).unwrap();
        assert_eq!(listing(&again), listing(&split));
        assert_eq!(again.ty(TypeId(4)).member(0).unwrap().name_off, x_off);
    }
    // Closure stops at the base.
    assert_eq!(
        closure(&split, &[TypeId(4)]).unwrap(),
        [TypeId(3), TypeId(4)]
    );
}

#[test]
fn unknown_kinds_need_a_layout_section_and_fixed_ids() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    b.add_raw("future", Kind(21), false, 2, int.0, vec![5, 6]);
    let layout = KindLayout {
        info_size: 0,
        elem_size: 4,
    };
    let btf = Btf::parse(&b.encode(&EncodeOptions {
        layout_section: true,
        extra_layouts: vec![(21, layout)],
        ..Default::default()
    }))
    .unwrap();
    let opts = WriteOptions::like(&btf);
    assert!(opts.layout_section);
    let again = Btf::parse(&write(&btf, &opts).unwrap()).unwrap();
    assert_eq!(again.layout().unwrap().get(21), Some(&layout));
    assert_eq!(again.ty(TypeId(2)).words(), btf.ty(TypeId(2)).words());

    let err = write(&btf, &WriteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("layout section"), "{err}");
    let err = write_selected(&btf, &[TypeId(2)], &opts).unwrap_err();
    assert!(err.to_string().contains("unknown kind 21"), "{err}");
    assert!(closure(&btf, &[TypeId(2)]).is_err());
}

#[test]
fn word_roles_cover_every_known_kind() {
    for k in 0..=Kind::MAX_KNOWN.0 {
        let kind = Kind(k);
        let (_, singular, elem) = record_roles(kind).unwrap();
        let l = kind.known_layout().unwrap();
        assert_eq!(singular.len() * 4, l.info_size as usize, "{kind:?}");
        assert_eq!(elem.len() * 4, l.elem_size as usize, "{kind:?}");
    }
    assert!(record_roles(Kind(20)).is_none());
}
