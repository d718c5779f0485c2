//! The reader on real kernels and on crafted blobs (byte orders, layout section, wide vlen).

use corelab::btf::{Btf, IntEncoding, Kind, KindLayout, TypeId};
use corelab::builder::{BtfBuilder, EncodeOptions};
use corelab::bytes::Endian;
use corelab::info::{Feature, Summary};
use corelab::input::load_btf;
use corelab_tests::data;

#[test]
fn kernels_parse_with_expected_shape() {
    // (name, types, endian) from tests/data/btf (see its README).
    let want = [
        ("debian11-5.10.0-46-amd64", 83_141, Endian::Little),
        ("debian12-6.1.0-50-amd64", 100_642, Endian::Little),
        ("debian13-6.12.107-s390x", 88_137, Endian::Big),
        ("host-6.18.44-fc-v657-amd64", 126_585, Endian::Little),
    ];
    let kernels = data::kernels();
    assert_eq!(kernels.len(), want.len());
    for ((name, path), (wname, types, endian)) in kernels.iter().zip(want) {
        assert_eq!(name, wname);
        let btf = load_btf(&data::read_path(path), None).unwrap().btf;
        assert_eq!(
            (btf.own_type_count(), btf.endian(), btf.ptr_size()),
            (types, endian, 8),
            "{name}"
        );
        let ts = btf
            .find_by_name_kind("task_struct", Kind::STRUCT)
            .expect("task_struct");
        assert!(btf.resolve_size(ts).unwrap() > 1000, "{name}");
    }
}

/// The same types encoded little- and big-endian read back identically, on a real kernel's
/// types: re-encode a slice of 6.1 through the builder in both orders.
#[test]
fn byte_orders_read_identically() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    let ch = b.int("char", 1, IntEncoding::SIGNED | IntEncoding::CHAR);
    let arr = b.array(ch, int, 16);
    let fp = b.func_proto(int, &[("a", int), ("", TypeId::VOID)]);
    let pfp = b.ptr(fp);
    b.struct_(
        "s",
        32,
        &[
            ("x", int, 0, 0),
            ("bits", int, 32, 5),
            ("name", arr, 64, 0),
            ("cb", pfp, 192, 0),
        ],
    );
    b.enum64("big", 8, true, &[("NEG", (-5i64) as u64)]);
    let le = Btf::parse(&b.encode(&EncodeOptions::default())).unwrap();
    let be = Btf::parse(&b.encode(&EncodeOptions {
        endian: Endian::Big,
        ..Default::default()
    }))
    .unwrap();
    assert_eq!(be.endian(), Endian::Big);
    let listing = |btf: &Btf| {
        let mut v = Vec::new();
        corelab::dump::write_raw(btf, &mut v).unwrap();
        v
    };
    assert_eq!(listing(&le), listing(&be));
}

#[test]
fn layout_section_with_unknown_kind_is_read_and_reported() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    b.add_raw("future_kind", Kind(20), false, 3, int.0, vec![1, 2, 3]);
    let opts = EncodeOptions {
        layout_section: true,
        extra_layouts: vec![(
            20,
            KindLayout {
                info_size: 0,
                elem_size: 4,
            },
        )],
        ..Default::default()
    };
    for endian in [Endian::Little, Endian::Big] {
        let btf = Btf::parse(&b.encode(&EncodeOptions {
            endian,
            ..opts.clone()
        }))
        .unwrap();
        assert_eq!(btf.ty(TypeId(2)).kind(), Kind(20));
        let s = Summary::of(&btf);
        assert!(s.features.contains(&Feature::LayoutSection));
        assert!(s.features.contains(&Feature::UnknownKinds));
        assert_eq!(s.unknown_kinds, vec![(20, 1)]);
        assert_eq!(s.minimum().0.libbpf.to_string(), "1.8");
    }
}

#[test]
fn wide_vlen_struct_reads_all_members() {
    let mut b = BtfBuilder::new();
    let ch = b.int("char", 1, 0);
    let names: Vec<String> = (0..70_000).map(|i| format!("m{i}")).collect();
    let members: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), ch, 8 * i as u32, 0))
        .collect();
    let s = b.struct_("wide", 70_000, &members);
    let btf = Btf::parse(&b.encode(&EncodeOptions::default())).unwrap();
    let t = btf.ty(s);
    assert_eq!(t.vlen(), 70_000);
    assert_eq!(t.member(69_999).unwrap().name, "m69999");
    assert_eq!(t.members().count(), 70_000);
    assert!(Summary::of(&btf).features.contains(&Feature::WideInfo));
}

/// A gzip'd kernel unpacked piece by piece, as the playground does while it downloads,
/// gives the bytes the whole file gives; a damaged or cut stream is an error either way,
/// and the limit holds.
#[test]
fn gunzip_in_pieces_is_gunzip_whole() {
    use corelab::input::compress::{decompress, Gunzip, Layer};
    let gz = std::fs::read(data::path("btf/debian11-5.10.0-46-amd64.btf.gz")).unwrap();
    let any = |_: &[u8]| true;
    let whole = decompress(Layer::Gzip, &gz, 1 << 30, &any).unwrap();
    assert_eq!(whole, data::read("btf/debian11-5.10.0-46-amd64.btf.gz"));
    for piece in [1, 1000, 65_536, gz.len()] {
        let mut g = Gunzip::new(1 << 30, &any);
        for c in gz.chunks(piece) {
            g.push(c).unwrap();
        }
        assert!(g.finish().unwrap() == whole, "pieces of {piece}");
    }
    let mut cut = Gunzip::new(1 << 30, &any);
    cut.push(&gz[..gz.len() / 2]).unwrap();
    assert!(cut.finish().is_err(), "a cut stream");
    let mut damaged = gz.clone();
    damaged[gz.len() / 2] ^= 0xff;
    let mut g = Gunzip::new(1 << 30, &any);
    let pushed = g.push(&damaged);
    assert!(pushed.is_err() || g.finish().is_err(), "a damaged stream");
    let mut small = Gunzip::new(1 << 20, &any);
    let too_big = small.push(&gz).and_then(|()| small.finish().map(|_| ()));
    assert!(too_big
        .unwrap_err()
        .to_string()
        .contains("beyond the 1 MiB limit"));
    // The first bytes are judged as they come: a stream of zeros is refused on its first
    // pieces (the rest never pushed), as a whole gzip layer refuses it.
    let btf_magic = |head: &[u8]| head.starts_with(&[0x9f, 0xeb]);
    let zeros = {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![0u8; 1 << 20]).unwrap();
        e.finish().unwrap()
    };
    let mut g = Gunzip::new(1 << 30, &btf_magic);
    let refused = zeros.chunks(64).find_map(|c| g.push(c).err());
    assert!(
        refused.is_some_and(|e| e.to_string().contains("not a recognised input")),
        "zeros refused while pushed"
    );
    let mut g = Gunzip::new(1 << 30, &btf_magic);
    g.push(&gz).unwrap();
    assert!(g.finish().unwrap() == whole, "BTF accepted");
}

/// A module's name, as the CLI's `--module` and the page give it: what a `.ko` declares in
/// `.modinfo` (also compressed, also xz as Debian ships them), else the file name's stem.
#[test]
fn module_names_come_from_modinfo_then_the_file_name() {
    let k61 = std::sync::Arc::new(
        load_btf(&data::read("btf/debian12-6.1.0-50-amd64.btf.gz"), None)
            .unwrap()
            .btf,
    );
    let k612 = std::sync::Arc::new(
        load_btf(&data::read("btf/debian13-6.12.107-s390x.btf.gz"), None)
            .unwrap()
            .btf,
    );
    let raw = |rel: &str| std::fs::read(data::path(rel)).unwrap();
    let name = |rel: &str, base: &std::sync::Arc<Btf>, file: &str| {
        load_btf(&raw(rel), Some(base.clone()))
            .unwrap()
            .module_name(file)
    };
    let m = "modules/debian12-6.1.0-50-amd64";
    assert_eq!(
        name(&format!("{m}-tcp_bbr.ko.gz"), &k61, "x.ko.gz"),
        "tcp_bbr"
    );
    assert_eq!(
        name(
            "modules/debian13-6.12.107-s390x-nf_nat.ko.xz",
            &k612,
            "y.ko.xz"
        ),
        "nf_nat"
    );
    // Raw split BTF declares nothing: the file name without its extensions.
    assert_eq!(
        name(&format!("{m}-ext4.btf.gz"), &k61, "ext4.btf.gz"),
        "ext4"
    );
    assert_eq!(
        name(&format!("{m}-ext4.btf.gz"), &k61, "ext4.ko.zst"),
        "ext4"
    );
}

/// Name lookups through the indexes equal a scan: every name and every essential name of
/// each kernel and of each corpus object's BTF (their flavored `x___y` types), and the
/// empty name (anonymous types, which the name index leaves out).
#[test]
fn name_lookups_equal_a_scan() {
    use std::collections::BTreeMap;
    let mut blobs: Vec<(String, Btf)> = data::kernels()
        .into_iter()
        .map(|(name, path)| (name, load_btf(&data::read_path(&path), None).unwrap().btf))
        .collect();
    for f in data::list("oracle/obj", ".o.gz") {
        let obj = corelab::object::Object::parse(&data::read_path(&f)).unwrap();
        if let Some(btf) = obj.btf {
            blobs.push((data::stem(&f, ".o.gz"), btf));
        }
    }
    let mut flavored = 0;
    for (label, btf) in &blobs {
        let mut by_name: BTreeMap<&str, Vec<TypeId>> = BTreeMap::new();
        let mut by_essential: BTreeMap<&str, Vec<TypeId>> = BTreeMap::new();
        for id in btf.ids() {
            let name = btf.ty(id).name();
            let ess = corelab::btf::essential_name(name);
            flavored += usize::from(ess != name);
            by_name.entry(name).or_default().push(id);
            by_essential.entry(ess).or_default().push(id);
        }
        by_name.entry("").or_default();
        by_essential.entry("").or_default();
        for (name, want) in &by_name {
            let got: Vec<TypeId> = btf.find_by_name(name).collect();
            assert_eq!(&got, want, "{label}: find_by_name({name:?})");
        }
        for (ess, want) in &by_essential {
            let got: Vec<TypeId> = btf.find_by_essential_name(ess).collect();
            assert_eq!(&got, want, "{label}: find_by_essential_name({ess:?})");
        }
        // A name nothing has, and a flavored name asked for as such.
        assert_eq!(btf.find_by_name("no_such_type___x").count(), 0, "{label}");
    }
    assert!(
        flavored > 10,
        "{flavored} flavored types: the flavored index is exercised"
    );
}
