use super::*;

fn var(name: &str, ty: KcfgType, size: u32, offset: u32, weak: bool) -> KconfigVar {
    KconfigVar {
        name: name.into(),
        ty,
        size,
        align: size.min(8),
        offset,
        weak,
        ext: 0,
        btf_var: TypeId(0),
    }
}

/// The variables of ../shared/spec/core-spec.md §9b B20–B24, laid out by hand.
fn layout_b() -> KconfigLayout {
    KconfigLayout {
        vars: vec![
            var("CONFIG_B", KcfgType::Bool, 1, 0, false),
            var("CONFIG_U8", KcfgType::Int { signed: false }, 1, 1, true),
            var("CONFIG_STR", KcfgType::CharArray, 5, 2, false),
            var("CONFIG_S16", KcfgType::Int { signed: true }, 2, 8, true),
        ],
        size: 10,
    }
}

fn run(config: &str) -> Result<Resolved, KconfigError> {
    resolve(
        &layout_b(),
        &Settings {
            config: Some(config.into()),
            ..Default::default()
        },
    )
}

#[test]
fn known_answers_b20_to_b24() {
    let e = run("CONFIG_B=m\n").unwrap_err();
    assert_eq!(
        e.message,
        "extern (kcfg) 'CONFIG_B': value 'm' implies tristate or char type"
    );
    let e = run("CONFIG_B=y\nCONFIG_U8=256\n").unwrap_err();
    assert_eq!(
        e.message,
        "extern (kcfg) 'CONFIG_U8': value '256' doesn't fit in 1 bytes"
    );
    assert_eq!(e.errno, -34);
    let r = run("CONFIG_B=y\nCONFIG_STR=\"abcdefgh\"\nCONFIG_S16=-5\n").unwrap();
    assert!(r.log.contains(
        &"extern (kcfg) 'CONFIG_STR': long string '\"abcdefgh\"' of (8 bytes) truncated to 4 bytes"
            .to_string()
    ));
    assert_eq!(&r.image[2..7], b"abcd\0");
    assert_eq!(r.value(&layout_b(), 3) as u16 as i16, -5);
    assert!(r
        .log
        .contains(&"extern (kcfg) 'CONFIG_S16': set to -5".to_string()));
    let e = run("CONFIG_B=y\n").unwrap_err();
    assert_eq!(e.message, "extern 'CONFIG_STR' (strong): not resolved");
}

#[test]
fn first_value_wins_and_comments_are_ignored() {
    let r =
        run("# CONFIG_U8 is not set\nCONFIG_B=n\nCONFIG_B=y\nCONFIG_STR=\"x\"\nCONFIG_U8=0x7f\n")
            .unwrap();
    assert_eq!(r.image[0], 0);
    assert_eq!(r.image[1], 0x7f);
}

#[test]
fn kernel_release_parsing() {
    assert_eq!(parse_release("6.18.44-fc-v657"), Some(0x06122c));
    assert_eq!(parse_release("5.4.0"), Some(0x050400));
    assert_eq!(parse_release("4.19.300"), Some(kernel_version(4, 19, 255)));
    assert_eq!(parse_release("6.1"), None);
}

/// `strtoull` overflow: libbpf's `parse_u64` reports `errno` (ERANGE) before trailing
/// characters, and the load fails with -ERANGE, not -EINVAL.
#[test]
fn integer_overflow_is_erange() {
    for value in [
        "99999999999999999999",
        "0x1ffffffffffffffff",
        "99999999999999999999x",
    ] {
        let e = run(&format!("CONFIG_B=y\nCONFIG_U8={value}\n")).unwrap_err();
        assert_eq!(
            e.message,
            format!("extern (kcfg) 'CONFIG_U8': value '{value}' isn't a valid integer")
        );
        assert_eq!(e.errno, -34, "{value}");
    }
    let e = run("CONFIG_B=y\nCONFIG_U8=12x\n").unwrap_err();
    assert_eq!(e.errno, -22);
}
