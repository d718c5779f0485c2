//! Layout tests over small BTF built in memory: lookups, and inputs pahole itself cannot take
//! (it would recurse until it crashes).

use crate::btf::{Btf, IntEncoding, TypeId};
use crate::builder::{BtfBuilder, EncodeOptions};

use super::{find, render};

fn parse(b: &BtfBuilder) -> Btf {
    Btf::parse(&b.encode(&EncodeOptions::default())).unwrap()
}

#[test]
fn holes_padding_and_lookup() {
    let mut b = BtfBuilder::new();
    let ch = b.int("char", 1, IntEncoding::SIGNED);
    let long = b.int("long", 8, IntEncoding::SIGNED);
    let s = b.struct_(
        "s",
        24,
        &[("c", ch, 0, 0), ("l", long, 64, 0), ("d", ch, 128, 0)],
    );
    let u = b.union_("s", 8, &[("l", long, 0, 0)]);
    let btf = parse(&b);
    assert_eq!(find(&btf, "s"), Some(s));
    assert_eq!(find(&btf, "union s"), Some(u));
    assert_eq!(find(&btf, &s.0.to_string()), Some(s));
    assert_eq!(find(&btf, "1"), None);
    assert_eq!(render(&btf, ch), None);
    let text = render(&btf, s).unwrap();
    assert_eq!(
        text,
        "struct s {\n\
         \tchar                       c;                    /*     0     1 */\n\
         \n\
         \t/* XXX 7 bytes hole, try to pack */\n\
         \n\
         \tlong                       l;                    /*     8     8 */\n\
         \tchar                       d;                    /*    16     1 */\n\
         \n\
         \t/* size: 24, cachelines: 1, members: 3 */\n\
         \t/* sum members: 10, holes: 1, sum holes: 7 */\n\
         \t/* padding: 7 */\n\
         \t/* last cacheline: 24 bytes */\n\
         };\n"
    );
}

#[test]
fn self_embedding_anonymous_struct_is_cut_off() {
    // An anonymous struct containing itself by value: pahole recurses until it crashes.
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    let anon = TypeId(b.next_id().0);
    b.struct_("", 8, &[("x", int, 0, 0), ("me", anon, 32, 0)]);
    let outer = b.struct_("outer", 8, &[("a", anon, 0, 0)]);
    let btf = parse(&b);
    let text = render(&btf, outer).unwrap();
    assert!(text.contains("/* nested too deep */"));
    assert!(text.ends_with("};\n"));
}
