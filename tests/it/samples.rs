//! The Tour's sample objects (www/samples) are what their C sources compile to: rebuilt with
//! clang-19 against a vmlinux.h this project generates (bpftool 7.1 profile, 6.18 kernel),
//! exactly as www/samples/build.sh does, they equal the committed objects byte for byte.

use std::path::Path;
use std::process::Command;

use corelab::header::{self, IoSink, Options, Profile};
use corelab::input::load_btf;
use corelab_tests::{data, tools};

/// Where build.sh compiles: clang's output depends on the directory it compiles in, so both
/// compile in this one fixed place.
const WORK: &str = "/tmp/corelab-samples";

#[test]
fn committed_sample_objects_rebuild_identically() {
    let (Some(clang), Some(strip)) = (tools::find("clang-19"), tools::find("llvm-strip-19")) else {
        return tools::skipped("sample rebuild", "clang-19");
    };
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/samples");
    let work = Path::new(WORK);
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work.join(".build")).unwrap();
    let btf = load_btf(&data::read("btf/host-6.18.44-fc-v657-amd64.btf.gz"), None)
        .unwrap()
        .btf;
    let mut h = Vec::new();
    header::write(
        &btf,
        &Options {
            profile: Profile::Bpftool71,
            roots: Vec::new(),
        },
        &mut IoSink::new(&mut h, std::io::sink()),
    )
    .unwrap();
    std::fs::write(work.join(".build/vmlinux.h"), h).unwrap();
    let prefix_map = format!("-ffile-prefix-map={WORK}=.");
    let out = data::scratch("samples");
    let mut n = 0;
    for c in std::fs::read_dir(&samples)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
    {
        let name = c.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".bpf.c") else {
            continue;
        };
        std::fs::copy(&c, work.join(&name)).unwrap();
        let obj = out.join(format!("{stem}.bpf.o"));
        let (code, _, err) = tools::run(
            Command::new(&clang)
                .current_dir(work)
                .args([
                    "-g",
                    "-O2",
                    "-target",
                    "bpf",
                    "-D__TARGET_ARCH_x86",
                    &prefix_map,
                    "-I.build",
                    "-c",
                    &name,
                    "-o",
                ])
                .arg(&obj),
        );
        assert_eq!(code, 0, "{name}: {}", String::from_utf8_lossy(&err));
        assert_eq!(tools::run(Command::new(&strip).arg("-g").arg(&obj)).0, 0);
        let built = std::fs::read(&obj).unwrap();
        let committed = std::fs::read(samples.join(format!("{stem}.bpf.o"))).unwrap();
        assert!(
            built == committed,
            "{stem}.bpf.o differs from its source: run www/samples/build.sh"
        );
        n += 1;
    }
    assert_eq!(n, 14);
    let _ = std::fs::remove_dir_all(out);
}
