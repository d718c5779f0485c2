//! `.kconfig` layout and values equal what libbpf produced for every corpus object and target
//! (the oracle's `kconfig` lines, made with tests/data/oracle/kconfig.fixed).

use corelab::kconfig::{self, Settings};
use corelab::object::Object;
use corelab_tests::data;
use corelab_tests::oracle::release_for;

fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let pat = format!("\"{key}\":");
    let rest = &line[line.find(&pat).unwrap() + pat.len()..];
    rest[..rest.find([',', '}']).unwrap()].trim_matches('"')
}

#[test]
fn kconfig_maps_match_libbpf() {
    let config = String::from_utf8(data::read("oracle/kconfig.fixed")).unwrap();
    let mut compared = 0;
    for p in data::list("oracle/expected", ".jsonl.gz") {
        let stem = data::stem(&p, ".jsonl.gz");
        let (obj_name, target) = stem.split_once("__").unwrap();
        let expected = String::from_utf8(data::read_path(&p)).unwrap();
        let want: Vec<&str> = expected
            .lines()
            .filter(|l| l.contains("\"type\":\"kconfig\""))
            .collect();
        let obj = Object::parse(&data::read(&format!("oracle/obj/{obj_name}.o.gz"))).unwrap();
        let layout = kconfig::layout(&obj).unwrap();
        assert_eq!(layout.vars.len(), want.len(), "{stem}");
        if want.is_empty() {
            continue;
        }
        let settings = Settings {
            config: Some(config.clone()),
            kernel_version: kconfig::parse_release(&release_for(target)),
            ..Default::default()
        };
        let r = kconfig::resolve(&layout, &settings).unwrap();
        for (i, (v, w)) in layout.vars.iter().zip(&want).enumerate() {
            assert_eq!(v.name, field(w, "name"), "{stem}");
            assert_eq!(
                v.offset.to_string(),
                field(w, "offset"),
                "{stem} {}",
                v.name
            );
            assert_eq!(v.size.to_string(), field(w, "size"), "{stem} {}", v.name);
            let hex: String = r.image[v.offset as usize..(v.offset + v.size) as usize]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(hex, field(w, "hex"), "{stem} {}", v.name);
            assert_eq!(
                r.value(&layout, i).to_string(),
                field(w, "value"),
                "{stem} {}",
                v.name
            );
            compared += 1;
        }
    }
    assert!(compared >= 8 * 7, "compared {compared}");
}
