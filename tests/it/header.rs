//! `corelab header` = `bpftool btf dump file FILE format c`: the four kernels against the
//! headers of bpftool 7.1 and 7.8, split modules, every probe in every profile it has output
//! for (stderr included), random BTF against the installed bpftool, and clang compiling what
//! we print.

use std::process::Command;
use std::sync::Arc;

use corelab::btf::{Btf, TypeId};
use corelab::header::{self, HeaderError, IoSink, Mark, Options, Profile};
use corelab::input::load_btf;
use corelab_tests::random_btf::random_btf;
use corelab_tests::{data, golden, tools};

/// The header of `btf` (stdout bytes, stderr bytes, result), as the CLI would print it.
fn header(btf: &Btf, opts: &Options) -> (Vec<u8>, Vec<u8>, Result<(), HeaderError>) {
    let mut sink = IoSink::new(Vec::new(), Vec::new());
    let r = header::write(btf, opts, &mut sink);
    let (out, err) = sink.finish().unwrap();
    (out, err, r)
}

fn profile(p: Profile) -> Options {
    Options {
        profile: p,
        roots: Vec::new(),
    }
}

fn kernel(name: &str) -> Btf {
    load_btf(&data::read(&format!("btf/{name}.btf.gz")), None)
        .unwrap()
        .btf
}

#[test]
fn kernels_match_bpftool_7_1_and_7_8() {
    for (name, path) in data::kernels() {
        let btf = load_btf(&data::read_path(&path), None).unwrap().btf;
        for (p, dir) in [
            (Profile::Bpftool71, "bpftool-7.1.0"),
            (Profile::Bpftool78, "bpftool-7.8.0"),
        ] {
            let (out, err, r) = header(&btf, &profile(p));
            assert_eq!(r, Ok(()), "{name} {p}");
            assert!(
                err.is_empty(),
                "{name} {p}: warnings {}",
                String::from_utf8_lossy(&err)
            );
            let want = data::read(&format!("headers/{dir}/{name}.h.gz"));
            golden::assert_same(&want, &out, &format!("{name} {p}"));
            // Streamed for a viewer (the first roots sorted before the rest): the same bytes,
            // and the first screen is their beginning.
            let mut first = None;
            let (streamed, r) = header::render_streaming(&btf, &profile(p), 120, &mut |m| {
                first = Some(m.text.clone())
            });
            assert_eq!(r, Ok(()));
            golden::assert_same(
                &want,
                streamed.text.as_bytes(),
                &format!("{name} {p} streamed"),
            );
            let first = first.expect("a first screen");
            assert!(first.lines().count() >= 120 && want.starts_with(first.as_bytes()));
        }
    }
}

/// The default profile is 7.8 without the skipped first sorted type: the same bytes plus that
/// one anonymous enum block.
#[test]
fn default_profile_restores_the_enum_7_8_skips() {
    for (name, path) in data::kernels() {
        let btf = load_btf(&data::read_path(&path), None).unwrap().btf;
        let (ours, _, r) = header(&btf, &profile(Profile::Bpftool));
        assert_eq!(r, Ok(()));
        let want = data::read(&format!("headers/bpftool-7.8.0/{name}.h.gz"));
        assert!(ours.len() > want.len(), "{name}: nothing added");
        let extra = ours.len() - want.len();
        let first_diff = ours.iter().zip(&want).position(|(a, b)| a != b).unwrap();
        // The block starts at the beginning of a top-level item at or before the difference.
        let start = (0..=first_diff)
            .rev()
            .find(|&i| i >= 2 && &ours[i - 2..i] == b"\n\n" && ours[..i] == want[..i])
            .unwrap();
        let block = std::str::from_utf8(&ours[start..start + extra]).unwrap();
        assert!(
            block.starts_with("enum {\n") && block.ends_with("};\n\n"),
            "{name}: {block}"
        );
        assert_eq!(block.matches("};\n\n").count(), 1, "{name}: one block only");
        golden::assert_same(&want[start..], &ours[start + extra..], name.as_str());
    }
}

#[test]
fn split_modules_match_bpftool() {
    let base = Arc::new(kernel("debian12-6.1.0-50-amd64"));
    for m in ["ext4", "tcp_bbr"] {
        let p = format!("modules/debian12-6.1.0-50-amd64-{m}");
        let want = data::read(&format!("{p}.split.bpftool-7.1.0.h.gz"));
        for input in [format!("{p}.btf.gz"), format!("{p}.ko.gz")] {
            let btf = load_btf(&data::read(&input), Some(base.clone()))
                .unwrap()
                .btf;
            let (out, _, r) = header(&btf, &profile(Profile::Bpftool71));
            assert_eq!(r, Ok(()));
            golden::assert_same(&want, &out, &input);
        }
    }
}

/// Each probe against the build that made each of its outputs.
#[test]
fn probes_match_every_bpftool_build() {
    let builds = [
        ("v71", Profile::Bpftool71),
        ("v74", Profile::Bpftool74),
        ("new_unsorted", Profile::Unsorted),
        ("new", Profile::Bpftool78),
    ];
    let mut checked = 0;
    for raw in data::list("probes", ".raw.txt") {
        let stem = data::stem(&raw, ".raw.txt");
        let input = ["btf", "o"]
            .iter()
            .map(|e| data::path(&format!("probes/{stem}.{e}")))
            .find(|p| p.exists())
            .unwrap();
        let btf = load_btf(&data::read_path(&input), None).unwrap().btf;
        for (suffix, p) in builds {
            let want = data::path(&format!("probes/{stem}.{suffix}.h"));
            if !want.exists() {
                continue;
            }
            let (out, err, r) = header(&btf, &profile(p));
            golden::assert_same(&data::read_path(&want), &out, &format!("{stem} {p}"));
            // bpftool stops before the footer exactly when it fails.
            let finished = data::read_path(&want).ends_with(b"#endif /* __VMLINUX_H__ */\n");
            assert_eq!(r.is_ok(), finished, "{stem} {p}: {r:?}");
            let stderr = data::path(&format!("probes/{stem}.{suffix}.stderr"));
            if stderr.exists() {
                golden::assert_same(
                    &data::read_path(&stderr),
                    &err,
                    &format!("{stem} {p} stderr"),
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 80, "20 probes × 4 builds");
}

/// The marked-text sink gets the same bytes, and its marks line up with them.
#[test]
fn marked_text_matches_plain_bytes() {
    let btf = kernel("debian11-5.10.0-46-amd64");
    let opts = profile(Profile::Bpftool);
    let (plain, _, _) = header(&btf, &opts);
    let (marked, r) = header::render(&btf, &opts);
    assert_eq!(r, Ok(()));
    assert_eq!(marked.text.as_bytes(), plain.as_slice());
    let mut defs = 0;
    for s in &marked.spans {
        let text = &marked.text[s.start..s.end];
        match s.mark {
            Mark::Definition { id, forward } => {
                defs += 1;
                assert!(text.ends_with(";\n\n"), "{id:?}: {text}");
                let t = btf.ty(id);
                if forward {
                    assert!(text.starts_with("struct ") || text.starts_with("union "));
                } else if t.name_off() != 0 {
                    assert!(text.contains(t.name()), "{id:?} {}: {text}", t.name());
                }
            }
            Mark::Reference(id) => {
                // The printed name is the type's name, maybe with a ___N suffix.
                let name = btf.ty(id).name();
                assert!(
                    text == name
                        || text
                            .strip_prefix(name)
                            .is_some_and(|s| s.starts_with("___")),
                    "{id:?}: '{text}' for '{name}'"
                );
            }
        }
    }
    // Every top-level item is one definition mark: the body is nothing else.
    let items = marked.text.matches(";\n\n").count();
    assert!(
        defs > 10_000 && defs <= items,
        "{defs} definitions, {items} items"
    );
}

/// Random BTF (colliding names, pointer cycles, anonymous nesting, odd layouts, bitfields,
/// every enum flavour, tags, prototypes, FWDs, cycles) against the installed bpftool 7.1:
/// identical stdout, stderr and success. `CORELAB_RANDOM_BTF=N` sets how many (default 1000).
#[test]
fn random_btf_matches_installed_bpftool() {
    let Some(bpftool) = tools::bpftool() else {
        return tools::skipped("random BTF header differential", "bpftool");
    };
    let count: u64 = std::env::var("CORELAB_RANDOM_BTF")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = data::scratch("random-header");
    let (mut failures, mut identical) = (0, 0);
    for seed in 0..count {
        let blob = random_btf(seed);
        let file = dir.join(format!("r{seed}.btf"));
        std::fs::write(&file, &blob).unwrap();
        let (code, want_out, want_err) = tools::run(
            Command::new(&bpftool)
                .args(["btf", "dump", "file"])
                .arg(&file)
                .args(["format", "c"]),
        );
        let btf = Btf::parse(&blob).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let (out, err, r) = header(&btf, &profile(Profile::Bpftool71));
        let what = format!("seed {seed} ({})", file.display());
        assert_eq!(
            code == 0,
            r.is_ok(),
            "{what}: bpftool exit {code}, ours {r:?}"
        );
        if code != 0 {
            // An unsatisfiable cycle: bpftool exits with -ELOOP.
            assert_eq!(code, 216, "{what}");
            failures += 1;
        }
        golden::assert_same(&want_out, &out, &what);
        golden::assert_same(&want_err, &err, &format!("{what} stderr"));
        identical += 1;
        let _ = std::fs::remove_file(&file);
    }
    let _ = std::fs::remove_dir_all(dir);
    assert_eq!(identical, count);
    // The generator must keep producing both outcomes.
    assert!(
        failures > 0 && failures < count / 10,
        "{failures} cycles in {count}"
    );
}

/// Roots: only the named types and what they need, compilable, in bpftool 7.6's `root_id`
/// form (macro block, no sorting, no kfunc section).
#[test]
fn roots_give_minimal_headers() {
    let btf = kernel("host-6.18.44-fc-v657-amd64");
    let roots = |names: &[&str]| -> Vec<TypeId> {
        names
            .iter()
            .flat_map(|n| header::find_roots(&btf, n).unwrap())
            .collect()
    };
    let opts = Options {
        profile: Profile::Bpftool,
        roots: roots(&["xdp_md"]),
    };
    let (out, _, r) = header(&btf, &opts);
    assert_eq!(r, Ok(()));
    golden::check("header-roots/xdp_md.h", &out);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("#define __ksym") && !text.contains("BPF kfuncs"));

    let opts = Options {
        profile: Profile::Bpftool,
        roots: roots(&["task_struct"]),
    };
    let (out, _, r) = header(&btf, &opts);
    assert_eq!(r, Ok(()));
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\nstruct task_struct {\n"));
    // Far smaller than the whole kernel, but with everything task_struct embeds.
    assert!(text.len() < 2_000_000, "{}", text.len());
    assert!(text.contains("\nstruct sched_entity {\n"));

    assert!(matches!(
        header::find_roots(&btf, "no_such_type_here"),
        Err(HeaderError::NoSuchRoot(_))
    ));
    assert_eq!(
        header::find_roots(&btf, "struct task_struct").unwrap(),
        header::find_roots(&btf, "task_struct").unwrap()
    );
    let id = header::find_roots(&btf, "task_struct").unwrap()[0];
    assert_eq!(header::find_roots(&btf, &id.to_string()).unwrap(), vec![id]);
}

/// clang-19 compiles, for the BPF target together with libbpf's helpers: every full header
/// and a few root headers.
#[test]
fn clang_compiles_generated_headers() {
    let Some(clang) = tools::find("clang-19") else {
        return tools::skipped("header compilation", "clang-19");
    };
    let dir = data::scratch("header-clang");
    let compile = |name: &str, text: &[u8]| {
        let h = dir.join(format!("{name}.h"));
        std::fs::write(&h, text).unwrap();
        let c = dir.join(format!("{name}.c"));
        std::fs::write(
            &c,
            format!(
                "#include \"{}\"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n",
                h.display()
            ),
        )
        .unwrap();
        let (code, _, err) = tools::run(
            Command::new(&clang)
                .args(["-target", "bpf", "-O2", "-c", "-o"])
                .arg(dir.join(format!("{name}.o")))
                .arg(&c),
        );
        assert_eq!(code, 0, "{name}: {}", String::from_utf8_lossy(&err));
    };
    for (name, path) in data::kernels() {
        let btf = load_btf(&data::read_path(&path), None).unwrap().btf;
        for p in [Profile::Bpftool71, Profile::Bpftool] {
            let (out, _, _) = header(&btf, &profile(p));
            compile(&format!("{name}-{p}"), &out);
        }
    }
    let btf = kernel("host-6.18.44-fc-v657-amd64");
    for roots in [
        &["task_struct"][..],
        &["sk_buff", "bpf_map"],
        &["xdp_md", "__sk_buff"],
        &["struct file", "inode", "pt_regs"],
    ] {
        // bpf_helpers.h needs a few typedefs (__u32, __be16, __wsum, …) from vmlinux.h.
        let mut ids = header::helper_roots(&btf);
        ids.extend(
            roots
                .iter()
                .flat_map(|n| header::find_roots(&btf, n).unwrap()),
        );
        let opts = Options {
            profile: Profile::Bpftool,
            roots: ids,
        };
        let (out, _, r) = header(&btf, &opts);
        assert_eq!(r, Ok(()));
        compile(
            &format!("roots-{}", roots.join("-").replace(' ', "_")),
            &out,
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// `--root` against bpftool 7.8.0's `root_id` output (tests/data/headers/bpftool-7.8.0/roots/,
/// named KERNEL.root-NAME+NAME….bpftool-7.8.0.h.gz): the same bytes, in the 7.8 profile and
/// the default one (roots are never sorted, so 7.8's sort bug does not apply).
#[test]
fn roots_match_bpftool_7_8() {
    let files = data::list("headers/bpftool-7.8.0/roots", ".bpftool-7.8.0.h.gz");
    for path in &files {
        let stem = data::stem(path, ".bpftool-7.8.0.h.gz");
        let (name, names) = stem.split_once(".root-").unwrap();
        let btf = kernel(name);
        let roots: Vec<TypeId> = names
            .split('+')
            .flat_map(|n| {
                let found = header::find_roots(&btf, n).unwrap();
                assert_eq!(found.len(), 1, "{stem}: {n}");
                found
            })
            .collect();
        let want = data::read_path(path);
        for p in [Profile::Bpftool78, Profile::Bpftool] {
            let opts = Options {
                profile: p,
                roots: roots.clone(),
            };
            let (out, err, r) = header(&btf, &opts);
            assert_eq!(r, Ok(()), "{stem}");
            assert!(err.is_empty(), "{stem}");
            golden::assert_same(&want, &out, &format!("{stem} {p}"));
        }
    }
    assert_eq!(files.len(), 12);
}
