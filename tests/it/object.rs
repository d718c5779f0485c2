//! The BPF object model over the 47 corpus objects: programs, `.BTF.ext`, relocations,
//! and the disassembler against llvm-objdump when it is installed.

use std::collections::BTreeMap;

use corelab::insn::disassemble;
use corelab::object::{ExternKind, Object, RelocTarget};
use corelab_tests::{data, tools};

fn corpus() -> Vec<(String, Vec<u8>)> {
    data::list("oracle/obj", ".o.gz")
        .into_iter()
        .map(|p| (data::stem(&p, ".o.gz"), data::read_path(&p)))
        .collect()
}

fn json_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":");
    let start = line.find(&pat)? + pat.len();
    let rest = &line[start..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim_matches('"'))
}

#[test]
fn every_corpus_object_parses_with_its_core_relocations() {
    let objs = corpus();
    assert_eq!(objs.len(), 49);
    for (name, bytes) in &objs {
        let obj = Object::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(obj.btf.is_some(), "{name}: no BTF ({:?})", obj.btf_error);
        let expected = String::from_utf8(data::read(&format!(
            "oracle/expected/{name}__empty.jsonl.gz"
        )))
        .unwrap();
        let meta = expected.lines().next().unwrap();
        let want: usize = json_field(meta, "core_relos").unwrap().parse().unwrap();
        let have = obj.ext.as_ref().map_or(0, |e| e.core_relo_count());
        assert_eq!(have, want, "{name}: CO-RE record count");
        // Every record's section exists and its instruction lies inside it, except the
        // records libbpf reports as belonging to eliminated weak subprograms.
        for sec in obj.ext.iter().flat_map(|e| &e.core_relos) {
            if let Some((_, code)) = obj.code_by_name(&sec.name) {
                for r in &sec.records {
                    assert!(
                        (r.insn_off / 8) < code.insns.len() as u32,
                        "{name}: {} insn_off {}",
                        sec.name,
                        r.insn_off
                    );
                }
            }
        }
    }
}

/// Main programs, their sections and lengths agree with what libbpf submitted to the kernel
/// (the oracle's verdict files list them in libbpf's order).
#[test]
fn main_programs_match_the_oracle_verdicts() {
    for (name, bytes) in corpus() {
        let obj = Object::parse(&bytes).unwrap();
        let verdicts = String::from_utf8(data::read(&format!(
            "oracle/verdicts/{name}__empty.jsonl.gz"
        )))
        .unwrap();
        let want: Vec<(String, String)> = verdicts
            .lines()
            .filter(|l| l.contains("\"type\":\"prog\""))
            .map(|l| {
                (
                    json_field(l, "prog").unwrap().to_owned(),
                    json_field(l, "sec").unwrap().to_owned(),
                )
            })
            .collect();
        let have: Vec<(String, String)> = obj
            .programs
            .iter()
            .filter(|p| !p.is_subprog)
            .map(|p| {
                (
                    p.name.clone(),
                    p.sec_name.trim_start_matches('?').to_owned(),
                )
            })
            .collect();
        assert_eq!(have, want, "{name}");
    }
}

#[test]
fn kconfig_externs_and_rodata_references_are_classified() {
    let obj = Object::parse(&data::read("oracle/obj/kconfig.o.gz")).unwrap();
    let kconfig: Vec<&str> = obj
        .externs
        .iter()
        .filter(|e| e.kind == ExternKind::Kconfig)
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(kconfig.len(), 7, "{kconfig:?}");
    assert!(obj
        .externs
        .iter()
        .any(|e| e.name == "LINUX_KERNEL_VERSION" && !e.weak));
    assert!(obj.externs.iter().any(|e| e.name == "CONFIG_HZ" && e.weak));
    let relocs = &obj.code_by_name("kprobe/do_nanosleep").unwrap().1.relocs;
    assert_eq!(relocs.len(), 14);
    assert!(relocs.iter().all(|r| matches!(
        r.target,
        RelocTarget::Extern { .. } | RelocTarget::Map { .. }
    )));

    let obj = Object::parse(&data::read("oracle/obj/opensnoop.o.gz")).unwrap();
    let rodata: Vec<_> = obj
        .code
        .iter()
        .flat_map(|c| &c.relocs)
        .filter_map(|r| match &r.target {
            RelocTarget::Data { map, offset } => Some((obj.maps[*map].name.clone(), *offset)),
            _ => None,
        })
        .collect();
    assert!(rodata.iter().any(|(m, _)| m == ".rodata"), "{rodata:?}");
    assert!(obj.maps.iter().any(|m| m.is_frozen_readonly()));
}

#[test]
fn subprogram_calls_resolve_to_function_starts() {
    let obj = Object::parse(&data::read("oracle/obj/subprogs.o.gz")).unwrap();
    let subs: Vec<_> = obj.programs.iter().filter(|p| p.is_subprog).collect();
    assert!(!subs.is_empty());
    let mut calls = 0;
    for c in &obj.code {
        for r in &c.relocs {
            if let RelocTarget::Call { section, insn } = r.target {
                calls += 1;
                assert!(
                    obj.programs
                        .iter()
                        .any(|p| p.section == section && p.start == insn),
                    "call to {insn}"
                );
            }
        }
    }
    assert!(calls > 0);
}

/// Our disassembly equals llvm-objdump-19's (label suffixes aside) on every corpus object.
#[test]
fn disassembly_matches_llvm_objdump() {
    let Some(objdump) = tools::find("llvm-objdump-19").or_else(|| tools::find("llvm-objdump"))
    else {
        return tools::skipped("disassembly differential", "llvm-objdump");
    };
    let dir = data::scratch("disasm");
    let mut compared = 0;
    for (name, bytes) in corpus() {
        let path = dir.join(format!("{name}.o"));
        std::fs::write(&path, &bytes).unwrap();
        let (code, out, _) = tools::run(
            std::process::Command::new(&objdump)
                .args(["-d", "--no-show-raw-insn"])
                .arg(&path),
        );
        assert_eq!(code, 0);
        let text = String::from_utf8(out).unwrap();
        let mut want: BTreeMap<(String, u32), String> = BTreeMap::new();
        let mut sec = String::new();
        for line in text.lines() {
            if let Some(s) = line.strip_prefix("Disassembly of section ") {
                sec = s.trim_end_matches(':').to_owned();
            } else if let Some((idx, insn)) = line.trim_start().split_once(":\t") {
                if let Ok(i) = idx.parse::<u32>() {
                    let insn = match insn.rfind(" <") {
                        Some(at) if insn.ends_with('>') => &insn[..at],
                        _ => insn,
                    };
                    let insn = insn.trim_end().to_owned();
                    want.insert((sec.clone(), i), insn);
                }
            }
        }
        let obj = Object::parse(&bytes).unwrap();
        for c in &obj.code {
            let mut i = 0;
            while i < c.insns.len() {
                let d = disassemble(&c.insns, i);
                if let Some(w) = want.get(&(c.name.clone(), i as u32)) {
                    assert_eq!(&d.text, w, "{name} {} insn {i}", c.name);
                    compared += 1;
                }
                i += d.slots;
            }
        }
    }
    assert!(compared > 3000, "compared only {compared} instructions");
    let _ = std::fs::remove_dir_all(dir);
}
