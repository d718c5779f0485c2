use super::*;

#[test]
fn a_well_formed_message_is_a_file_with_a_clean_name() {
    let f = check(Some("object"), Some("my_prog.bpf.o"), Some(1234)).unwrap();
    assert_eq!(
        f,
        PostedFile {
            kind: FileKind::Object,
            name: "my_prog.bpf.o".into()
        }
    );
    let b = check(Some("btf"), Some("/sys/kernel/btf/vmlinux"), Some(5)).unwrap();
    assert_eq!((b.kind, b.name.as_str()), (FileKind::Btf, "vmlinux"));
    // Paths, control characters and length are cut; nothing is left: a default name.
    let odd = check(Some("object"), Some("..\\x\u{7}y\n.o"), Some(5)).unwrap();
    assert_eq!(odd.name, "xy.o");
    assert_eq!(
        check(Some("object"), Some("a/"), Some(5)).unwrap().name,
        "posted.bpf.o"
    );
    assert_eq!(
        check(Some("btf"), None, Some(5)).unwrap().name,
        "posted.btf"
    );
    let long = "n".repeat(1000);
    assert_eq!(
        check(Some("btf"), Some(&long), Some(5)).unwrap().name.len(),
        128
    );
}

#[test]
fn anything_else_is_refused_with_a_reason() {
    assert!(check(None, Some("x"), Some(5))
        .unwrap_err()
        .contains("kind"));
    assert!(check(Some("script"), Some("x"), Some(5))
        .unwrap_err()
        .contains("\"script\""));
    assert!(check(Some("object"), Some("x"), None)
        .unwrap_err()
        .contains("ArrayBuffer"));
    assert!(check(Some("object"), Some("x"), Some(0))
        .unwrap_err()
        .contains("empty"));
    assert!(check(Some("object"), Some("x"), Some(MAX_BYTES + 1))
        .unwrap_err()
        .contains("more than"));
    assert_eq!(FileKind::Btf.label(), "btf");
}
