//! The JavaScript API, tested in headless Chromium through the same `#[wasm_bindgen]` exports
//! documentation authors call (`--features api`), on real kernel BTF and crafted blobs.
//!
//! `make web-test` runs it: `cargo test -p corelab-web --target wasm32-unknown-unknown
//! --features api --test api` with `wasm-bindgen-test-runner` as the runner.

#![cfg(target_arch = "wasm32")]

use corelab::builder::{BtfBuilder, EncodeOptions};
use corelab::bytes::Endian;
use corelab_web::api;
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const K510: &[u8] = include_bytes!("../../tests/data/btf/debian11-5.10.0-46-amd64.btf.gz");
const K612: &[u8] = include_bytes!("../../tests/data/btf/debian13-6.12.107-s390x.btf.gz");

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn error_message(e: JsValue) -> String {
    e.dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn info_is_a_plain_object() {
    let info = api::info(K510).map_err(JsValue::from).unwrap();
    assert!(info.is_object());
    assert_eq!(get(&info, "content").as_string().unwrap(), "raw BTF");
    assert_eq!(
        get(&info, "byteOrder").as_string().unwrap(),
        "little-endian"
    );
    let types = get(&info, "types").as_f64().unwrap() as u32;
    let kinds: Array = get(&info, "kinds").dyn_into().unwrap();
    let sum: f64 = kinds
        .iter()
        .map(|k| get(&k, "count").as_f64().unwrap())
        .sum();
    assert_eq!(sum as u32, types);
    let minimum: Array = get(&info, "minimum").dyn_into().unwrap();
    let tools: Vec<String> = minimum
        .iter()
        .map(|m| get(&m, "tool").as_string().unwrap())
        .collect();
    assert_eq!(tools, ["kernel", "libbpf", "bpftool"]);
    // JSON-compatible: survives JSON.stringify unchanged in shape.
    let json = js_sys::JSON::stringify(&info).unwrap().as_string().unwrap();
    assert!(json.contains("\"features\":[{\"feature\":"), "{json}");
}

#[wasm_bindgen_test]
fn a_btf_handle_finds_types_and_links_them() {
    let btf = api::parse(K612, Some("s390x".into()))
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(btf.types(), 88_137);
    let ids = btf.find("task_struct");
    assert!(!ids.is_empty());
    let ty = btf.type_detail(ids[0]).map_err(JsValue::from).unwrap();
    assert_eq!(get(&ty, "name").as_string().unwrap(), "task_struct");
    assert_eq!(get(&ty, "kind").as_string().unwrap(), "STRUCT");
    let lines: Array = get(&ty, "lines").dyn_into().unwrap();
    assert!(lines.length() > 100);
    let member: Array = get(&lines.get(1), "raw").dyn_into().unwrap();
    let linked = member.iter().any(|s| get(&s, "link").as_f64().is_some());
    assert!(linked, "a member line links its type_id");
    // Out of range: null, not an exception.
    assert!(btf
        .type_detail(u32::MAX)
        .map_err(JsValue::from)
        .unwrap()
        .is_null());
    let dumped = btf.dump_type(ids[0]).unwrap();
    assert!(dumped.starts_with(&format!("[{}] STRUCT 'task_struct' size=", ids[0])));
    assert!(btf.dump_type(u32::MAX).is_none());
}

#[wasm_bindgen_test]
fn dump_matches_a_crafted_blob_in_both_byte_orders() {
    for endian in [Endian::Little, Endian::Big] {
        let mut b = BtfBuilder::new();
        let int = b.int("int", 4, corelab::btf::IntEncoding::SIGNED);
        let ptr = b.ptr(int);
        b.struct_("pair", 16, &[("a", int, 0, 0), ("p", ptr, 64, 0)]);
        let bytes = b.encode(&EncodeOptions {
            endian,
            ..EncodeOptions::default()
        });
        let text = api::dump(&bytes).map_err(JsValue::from).unwrap();
        assert_eq!(
            text,
            "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n\
             [2] PTR '(anon)' type_id=1\n\
             [3] STRUCT 'pair' size=16 vlen=2\n\
             \t'a' type_id=1 bits_offset=0\n\
             \t'p' type_id=2 bits_offset=64\n"
        );
    }
}

#[wasm_bindgen_test]
fn bad_input_throws_one_line_naming_the_file() {
    let e = api::parse(b"\x9f\xeb\x01\x00garbage", Some("probe.btf".into()))
        .map_err(JsValue::from)
        .unwrap_err();
    let msg = error_message(e);
    assert!(msg.starts_with("probe.btf: offset 0x"), "{msg}");
    assert!(!msg.contains('\n'));
    let msg = error_message(api::info(b"").map_err(JsValue::from).unwrap_err());
    assert!(msg.starts_with("input: "), "{msg}");
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(api::version(), env!("CARGO_PKG_VERSION"));
}

const K61: &[u8] = include_bytes!("../../tests/data/btf/debian12-6.1.0-50-amd64.btf.gz");
const K510_HEADER_71: &[u8] =
    include_bytes!("../../tests/data/headers/bpftool-7.1.0/debian11-5.10.0-46-amd64.h.gz");
const GUARDING: &[u8] = include_bytes!("../../www/samples/10_guarding.bpf.o");
const KCONFIG: &[u8] = include_bytes!("../../www/samples/07_kconfig.bpf.o");
const SIZES: &[u8] = include_bytes!("../../www/samples/04_sizes.bpf.o");

fn gunzip(b: &[u8]) -> String {
    use std::io::Read;
    let mut out = String::new();
    flate2::read::GzDecoder::new(b)
        .read_to_string(&mut out)
        .unwrap();
    out
}

fn options(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn strings(v: &JsValue, key: &str, field: &str) -> Vec<String> {
    let a: Array = get(v, key).dyn_into().unwrap();
    a.iter()
        .map(|r| get(&r, field).as_string().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
fn header_is_bpftools_and_roots_trim_it() {
    let btf = api::parse(K510, Some("5.10".into()))
        .map_err(JsValue::from)
        .unwrap();
    let h = btf
        .header(options(r#"{"profile": "bpftool-7.1"}"#))
        .map_err(JsValue::from)
        .unwrap();
    assert!(
        h == gunzip(K510_HEADER_71),
        "differs from bpftool 7.1's header"
    );
    let small = btf
        .header(options(
            r#"{"roots": ["task_struct"], "helperTypes": true}"#,
        ))
        .map_err(JsValue::from)
        .unwrap();
    assert!(small.contains("struct task_struct {\n") && small.len() < h.len() / 10);
    assert!(small.contains("typedef unsigned int __u32;\n"));
    let e = btf
        .header(options(r#"{"profile": "bpftool-9"}"#))
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(error_message(e).starts_with("profile bpftool-9: "));
    let e = btf
        .header(options(r#"{"root": "task_struct"}"#))
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(error_message(e).contains("unknown field `root`"));
    // A field of the wrong shape names the field and the shape.
    let e = btf
        .header(options(r#"{"roots": "task_struct"}"#))
        .map_err(JsValue::from)
        .unwrap_err();
    assert_eq!(
        error_message(e),
        "options: `roots` must be an array of strings"
    );
    let layout = btf.layout("list_head").map_err(JsValue::from).unwrap();
    assert!(
        layout.contains("/* size: 16, cachelines: 1, members: 2 */"),
        "{layout}"
    );
}

#[wasm_bindgen_test]
fn reloc_and_explain_say_what_libbpf_does() {
    let btf = api::parse(K510, Some("5.10".into()))
        .map_err(JsValue::from)
        .unwrap();
    let obj = api::BpfObject::parse(GUARDING, Some("10_guarding.bpf.o".into()))
        .map_err(JsValue::from)
        .unwrap();
    let t = api::reloc(&obj, &btf, JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    let outcomes = strings(&t, "rows", "outcome");
    assert_eq!(outcomes.len(), 10);
    assert_eq!(outcomes.iter().filter(|o| *o == "poisoned").count(), 3);
    assert_eq!(outcomes[9], "poisoned");
    assert_eq!(strings(&t, "rows", "access")[9], "inode.i_atime_sec");
    let e = api::explain(&obj, &btf, 9, JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    let log: Vec<String> = strings(&e, "log", "text");
    assert!(
        log.iter()
            .any(|l| l.contains("struct inode.i_atime_sec (0:15 @ offset 88)")),
        "{log:?}"
    );
    // Hiding the field the guard checks changes nothing on 5.10 (it is already absent there),
    // but hiding `file.f_inode` poisons the reads through it.
    let hidden = api::reloc(&obj, &btf, options(r#"{"hide": ["file.f_inode"]}"#))
        .map_err(JsValue::from)
        .unwrap();
    let outcomes = strings(&hidden, "rows", "outcome");
    assert_eq!(outcomes[1], "poisoned");
    let e = api::explain(&obj, &btf, 99, JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap_err();
    assert_eq!(
        error_message(e),
        "10_guarding.bpf.o: no CO-RE relocation 99"
    );
}

/// `libbpf: "1.5"` relocates as libbpf 1.5 (a whole array's size for an array field's
/// access; 1.7, the default, one element's); another release is an error naming the field.
#[wasm_bindgen_test]
fn reloc_takes_the_libbpf_release() {
    let btf = api::parse(K510, Some("5.10".into()))
        .map_err(JsValue::from)
        .unwrap();
    let obj = api::BpfObject::parse(SIZES, Some("04_sizes.bpf.o".into()))
        .map_err(JsValue::from)
        .unwrap();
    let sizes = |opts: JsValue| {
        let e = api::explain(&obj, &btf, 1, opts)
            .map_err(JsValue::from)
            .unwrap();
        let s: Array = get(&get(&e, "values"), "sizes").dyn_into().unwrap();
        (s.get(0).as_f64().unwrap(), s.get(1).as_f64().unwrap())
    };
    assert_eq!(sizes(JsValue::UNDEFINED), (1.0, 1.0));
    assert_eq!(sizes(options(r#"{"libbpf": "1.7"}"#)), (1.0, 1.0));
    assert_eq!(sizes(options(r#"{"libbpf": "1.5"}"#)), (16.0, 16.0));
    let e = api::reloc(&obj, &btf, options(r#"{"libbpf": "1.6"}"#))
        .map_err(JsValue::from)
        .unwrap_err();
    assert_eq!(
        error_message(e),
        "options: `libbpf`: unknown libbpf version '1.6' (one of: 1.5, 1.7)"
    );
}

#[wasm_bindgen_test]
fn guard_gives_verdicts_and_what_ifs_flip_them() {
    let k61 = api::parse(K61, Some("debian12-6.1.0-50-amd64".into()))
        .map_err(JsValue::from)
        .unwrap();
    let obj = api::BpfObject::parse(GUARDING, None)
        .map_err(JsValue::from)
        .unwrap();
    let g = api::guard(&obj, &k61, JsValue::UNDEFINED, None)
        .map_err(JsValue::from)
        .unwrap();
    let verdicts = strings(&g, "programs", "verdict");
    assert_eq!(verdicts, ["loaded", "rejected_poison"]);
    let flow = get(&g, "flow");
    assert_eq!(
        get(&get(&flow, "verdict"), "name").as_string().unwrap(),
        "atime_guarded"
    );
    let g = api::guard(
        &obj,
        &k61,
        JsValue::UNDEFINED,
        Some("atime_unguarded".into()),
    )
    .map_err(JsValue::from)
    .unwrap();
    assert_eq!(
        get(&get(&get(&g, "flow"), "verdict"), "verdict")
            .as_string()
            .unwrap(),
        "rejected_poison"
    );
    // The kconfig sample's branches follow the kernel release.
    let obj = api::BpfObject::parse(KCONFIG, Some("07_kconfig.bpf.o".into()))
        .map_err(JsValue::from)
        .unwrap();
    let live = |release: &str| {
        let g = api::guard(
            &obj,
            &k61,
            options(&format!(r#"{{"kernelRelease": "{release}"}}"#)),
            None,
        )
        .map_err(JsValue::from)
        .unwrap();
        let p: Array = get(&g, "programs").dyn_into().unwrap();
        p.iter()
            .map(|p| get(&p, "live").as_f64().unwrap() as u32)
            .collect::<Vec<_>>()
    };
    assert_ne!(live("5.4.0"), live("6.18.0"));
    let e = api::guard(&obj, &k61, options(r#"{"kernelRelease": "banana"}"#), None)
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(error_message(e).contains("banana"));
    // `set` takes [name, value] pairs: the loader's knob `verbose` keeps its branch.
    let verbose = api::guard(&obj, &k61, options(r#"{"set": [["verbose", "1"]]}"#), None)
        .map_err(JsValue::from)
        .unwrap();
    let quiet = api::guard(&obj, &k61, JsValue::UNDEFINED, None)
        .map_err(JsValue::from)
        .unwrap();
    let live = |g: &JsValue| {
        let p: Array = get(g, "programs").dyn_into().unwrap();
        get(&p.get(0), "live").as_f64().unwrap()
    };
    assert!(live(&verbose) > live(&quiet));
    let e = api::guard(&obj, &k61, options(r#"{"set": ["CONFIG_HZ=250"]}"#), None)
        .map_err(JsValue::from)
        .unwrap_err();
    assert_eq!(
        error_message(e),
        "options: `set` must be an array of [name, value] string pairs"
    );
}

#[wasm_bindgen_test]
fn a_bad_object_throws_one_line_naming_it() {
    let e = api::BpfObject::parse(b"\x7fELF\x02\x01\x01", Some("broken.o".into()))
        .map_err(JsValue::from)
        .unwrap_err();
    let msg = error_message(e);
    assert!(msg.starts_with("broken.o: "), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");
}

const EXT4: &[u8] = include_bytes!("../../tests/data/modules/debian12-6.1.0-50-amd64-ext4.ko.gz");
const TCP_BBR: &[u8] =
    include_bytes!("../../tests/data/modules/debian12-6.1.0-50-amd64-tcp_bbr.ko.gz");
const MERGED_RAW: &[u8] = include_bytes!(
    "../../tests/data/modules/merged/debian12-6.1.0-50-amd64+ext4+tcp_bbr.raw.txt.gz"
);
const MODULES_OBJ: &[u8] = include_bytes!("../../tests/data/oracle/modules/modules.o.gz");

#[wasm_bindgen_test]
fn with_module_merges_as_bpftool_78_and_reloc_searches_the_modules() {
    let k61 = api::parse(K61, Some("debian12-6.1.0-50-amd64".into()))
        .map_err(JsValue::from)
        .unwrap();
    let ext4 = k61
        .with_module(EXT4, Some("ext4.ko.gz".into()))
        .map_err(JsValue::from)
        .unwrap();
    let both = ext4
        .with_module(TCP_BBR, Some("tcp_bbr.ko.gz".into()))
        .map_err(JsValue::from)
        .unwrap();
    let info = both.info().map_err(JsValue::from).unwrap();
    let modules: Vec<String> = get(&info, "modules")
        .dyn_into::<Array>()
        .unwrap()
        .iter()
        .map(|m| m.as_string().unwrap())
        .collect();
    assert_eq!(modules, ["ext4", "tcp_bbr"]);
    // bpftool 7.8's `-B 6.1 btf dump file ext4 file tcp_bbr`.
    assert!(both.dump() == gunzip(MERGED_RAW), "merged listing");
    let obj = api::BpfObject::parse(MODULES_OBJ, Some("modules.o".into()))
        .map_err(JsValue::from)
        .unwrap();
    let t = api::reloc(&obj, &both, JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(get(&t, "libbpf").as_string().as_deref(), Some("1.7"));
    let log: Array = get(&t, "log").dyn_into().unwrap();
    assert!(log.iter().any(|l| get(&l, "text")
        .as_string()
        .unwrap()
        .ends_with("struct ext4_extent_header in [ext4]")));
    // Not split BTF over this kernel: the file's own error.
    let e = k61
        .with_module(b"\x9f\xeb\x01\x00garbage", Some("bad.ko".into()))
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(error_message(e).starts_with("bad.ko: "));
}
