use std::io::Read;
use std::path::PathBuf;

use super::*;

fn data(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(rel);
    let gz = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

const K510: &str = "debian11-5.10.0-46-amd64";

fn kernel() -> Kernel {
    Kernel::load(K510, &data(&format!("btf/{K510}.btf.gz")), None).unwrap()
}

fn whole(profile: &str) -> HeaderRequest<'_> {
    HeaderRequest {
        profile,
        roots: &[],
        with_helpers: false,
    }
}

/// The whole header as a document, no first screen asked for.
fn document(k: &Kernel, req: HeaderRequest<'_>) -> HeaderDocument {
    k.header_document(req, usize::MAX, || 0.0, &mut |_| {
        panic!("no first screen asked")
    })
    .unwrap()
}

#[test]
fn text_and_document_are_bpftools_header() {
    let k = kernel();
    let want = String::from_utf8(data(&format!("headers/bpftool-7.1.0/{K510}.h.gz"))).unwrap();
    let (text, warnings) = k.header_text(whole("bpftool-7.1")).unwrap();
    assert!(text == want, "text differs from bpftool 7.1's header");
    assert!(warnings.is_empty(), "{warnings:?}");
    let doc = document(&k, whole("bpftool-7.1"));
    assert!(
        doc.document.text() == want,
        "document differs from bpftool 7.1's header"
    );
    assert_eq!(doc.profile, "bpftool-7.1");
    assert!(doc.complete);
    assert_eq!(doc.document.line_count(), want.lines().count());
}

#[test]
fn links_name_types_and_anchors_point_at_definitions() {
    let k = kernel();
    let doc = document(&k, whole("bpftool")).document;
    let doc = doc.data();
    let line = |n: u32| {
        let s = doc.line_starts[n as usize] as usize;
        doc.text[s..].lines().next().unwrap()
    };
    let task = k.find("task_struct")[0];
    assert_eq!(line(doc.anchors[task as usize]), "struct task_struct {");
    let mm = k.find("mm_struct")[0];
    assert_eq!(line(doc.anchors[mm as usize]), "struct mm_struct {");
    // Inside task_struct, `struct mm_struct *mm;` links `mm_struct` to its id.
    let start = doc.line_starts[doc.anchors[task as usize] as usize] as usize;
    let at = start + doc.text[start..].find("struct mm_struct *mm;").unwrap() + "struct ".len();
    let link = doc.links.iter().find(|l| l[0] as usize == at).unwrap();
    assert_eq!(&doc.text[link[0] as usize..link[1] as usize], "mm_struct");
    assert_eq!(link[2], mm);
    assert!(doc.links.windows(2).all(|w| w[0][0] <= w[1][0]));
    // Every link's text is the name of the type it points to.
    for l in doc.links.iter().step_by(997) {
        let name = k.btf().ty(TypeId(l[2])).name();
        assert_eq!(&doc.text[l[0] as usize..l[1] as usize], name);
    }
}

#[test]
fn roots_give_a_small_header_with_what_they_need() {
    let k = kernel();
    let roots = ["task_struct".to_owned()];
    let req = HeaderRequest {
        profile: "bpftool",
        roots: &roots,
        with_helpers: true,
    };
    let (text, _) = k.header_text(req).unwrap();
    assert!(text.contains("struct task_struct {\n"));
    // Members by value are defined before it; those behind pointers only declared.
    assert!(text.contains("struct list_head {\n"));
    assert!(text.contains("struct mm_struct;\n"));
    assert!(!text.contains("struct mm_struct {\n"));
    assert!(text.contains("typedef unsigned int __u32;\n"));
    let (full, _) = k.header_text(whole("bpftool")).unwrap();
    assert!(text.len() < full.len());
}

#[test]
fn bad_requests_say_what_was_wrong() {
    let k = kernel();
    let e = k.header_text(whole("bpftool-6.0")).unwrap_err();
    assert!(e.starts_with("profile bpftool-6.0: "), "{e}");
    let roots = ["no_such_type_here".to_owned()];
    let req = HeaderRequest {
        profile: "bpftool",
        roots: &roots,
        with_helpers: false,
    };
    let e = k.header_text(req).unwrap_err();
    assert!(e.contains("no_such_type_here"), "{e}");
    assert_eq!(
        k.layout("no_such_struct").unwrap_err(),
        "no struct or union 'no_such_struct'"
    );
}

#[test]
fn layout_is_paholes() {
    let k = kernel();
    let text = k.layout("list_head").unwrap();
    assert!(text.starts_with("struct list_head {\n"), "{text}");
    assert!(
        text.contains("/* size: 16, cachelines: 1, members: 2 */"),
        "{text}"
    );
}

#[test]
fn the_first_screen_comes_first_and_the_whole_header_after() {
    let k = kernel();
    let mut parts = Vec::new();
    // bpftool 7.1's order (by id) has references early on; the sorted profiles start with
    // enums.
    let whole_doc = k
        .header_document(whole("bpftool-7.1"), 100, || 0.0, &mut |p| parts.push(p))
        .unwrap();
    assert_eq!(parts.len(), 1, "one early part");
    let first = &parts[0];
    assert!(!first.complete && whole_doc.complete);
    let n = first.document.line_count();
    assert!((100..2000).contains(&n), "first screen of {n} lines");
    // The first screen is the whole header's beginning, with the same links and anchors.
    let (a, b) = (first.document.data(), whole_doc.document.data());
    assert!(b.text.starts_with(&a.text));
    assert_eq!(a.line_starts[..], b.line_starts[..n]);
    let links = a.links.len();
    assert!(links > 0, "no links in the first screen");
    assert_eq!(a.links[..], b.links[..links]);
    for (id, &line) in a.anchors.iter().enumerate() {
        if line != u32::MAX {
            assert!((line as usize) < n);
            // A forward declaration early on may be replaced by the full definition later.
            assert!(b.anchors[id] >= line, "type {id}");
        }
    }
    // The sorted order streams too.
    let mut sorted = 0;
    k.header_document(whole("bpftool"), 100, || 0.0, &mut |p| {
        assert!(p.document.line_count() >= 100);
        sorted += 1;
    })
    .unwrap();
    assert_eq!(sorted, 1);
    // A header shorter than the first screen comes whole, once.
    let roots = ["list_head".to_owned()];
    let req = HeaderRequest {
        profile: "bpftool",
        roots: &roots,
        with_helpers: false,
    };
    let small = k
        .header_document(req, 100, || 0.0, &mut |_| panic!("no early part"))
        .unwrap();
    assert!(small.complete && small.document.line_count() < 100);
}
