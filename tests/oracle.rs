//! The CO-RE oracle's data in `tests/data/oracle`: libbpf's relocation results and the
//! kernel verifier's verdicts, as typed records for the tests.

use corelab::libbpf::Libbpf;
use serde_json::Value;

use crate::data;

/// The kernel release the oracle handed libbpf for a target (what the scoreboard derives
/// from the target's name).
pub fn release_for(target: &str) -> String {
    match target {
        "old_kernel" => "5.4.0".into(),
        "moved_resized" => "7.0.0".into(),
        t => t
            .split('-')
            .find(|p| p.split('.').count() == 3 && p.split('.').all(|n| n.parse::<u32>().is_ok()))
            .unwrap_or("6.18.0")
            .into(),
    }
}

/// The JSON lines of an oracle file (`expected` or `verdicts`).
pub fn lines(dir: &str, object: &str, target: &str) -> Vec<Value> {
    let text = String::from_utf8(data::read(&format!(
        "oracle/{dir}/{object}__{target}.jsonl.gz"
    )))
    .expect("utf-8");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

/// The folder of libbpf `release`'s relocation results (`expected` holds 1.5's).
pub fn expected_dir(release: Libbpf) -> &'static str {
    match release {
        Libbpf::V1_5 => "expected",
        Libbpf::V1_7 => "expected-libbpf1.7",
    }
}

/// libbpf `release`'s relocation results for one pair. `expected-libbpf1.7` holds only the
/// files that differ from 1.5's beyond the `meta` line (tests/data/README.md): for the
/// others, 1.5's records are 1.7's.
pub fn expected(release: Libbpf, object: &str, target: &str) -> Vec<Value> {
    let dir = expected_dir(release);
    let own = data::path(&format!("oracle/{dir}/{object}__{target}.jsonl.gz"));
    let mut v = lines(if own.exists() { dir } else { "expected" }, object, target);
    if let Some(meta) = v.first_mut().filter(|m| m["type"] == "meta") {
        meta["libbpf"] = Value::from(format!("v{release}"));
    }
    v
}

/// libbpf `release`'s pass-1 CO-RE log for one pair, as its `--verbose` stderr printed it
/// (without `libbpf: `), when `tests/data/oracle/log` has it (the pairs whose logs differ
/// between 1.5 and 1.7).
pub fn core_log(release: Libbpf, object: &str, target: &str) -> Option<Vec<String>> {
    let p = data::path(&format!(
        "oracle/log/libbpf{release}/{object}__{target}.log.gz"
    ));
    p.exists().then(|| {
        String::from_utf8(data::read_path(&p))
            .expect("utf-8")
            .lines()
            .map(str::to_owned)
            .collect()
    })
}

/// Every (object, target) pair the oracle has results for, sorted.
pub fn pairs() -> Vec<(String, String)> {
    data::list("oracle/expected", ".jsonl.gz")
        .iter()
        .map(|p| {
            let stem = data::stem(p, ".jsonl.gz");
            let (o, t) = stem.split_once("__").expect("object__target");
            (o.to_owned(), t.to_owned())
        })
        .collect()
}

/// The target BTF bytes for a target name (crafted targets or kernels).
pub fn target_bytes(target: &str) -> Vec<u8> {
    let crafted = data::path(&format!("oracle/targets/{target}.btf.gz"));
    if crafted.exists() {
        data::read_path(&crafted)
    } else {
        data::read(&format!("btf/{target}.btf.gz"))
    }
}

/// The bytes of a corpus object.
pub fn object_bytes(object: &str) -> Vec<u8> {
    data::read(&format!("oracle/obj/{object}.o.gz"))
}

/// Hex string → bytes.
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// Ranges string (`"0-3,13-41"`) → instruction indices.
pub fn ranges(s: &str) -> std::collections::BTreeSet<usize> {
    let mut out = std::collections::BTreeSet::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (usize, usize) = (a.parse().expect("range"), b.parse().expect("range"));
        out.extend(a..=b);
    }
    out
}

/// The kernel the module results were computed against (tests/data/oracle/modules).
pub const MODULES_KERNEL: &str = "debian12-6.1.0-50-amd64";

/// Debian 12's 6.1 kernel with its ext4 and tcp_bbr modules (split over it), and the
/// `modules.o` object whose types live in them.
#[derive(Debug)]
pub struct ModuleFixture {
    /// The kernel's BTF.
    pub vmlinux: std::sync::Arc<corelab::btf::Btf>,
    /// ext4's BTF.
    pub ext4: corelab::btf::Btf,
    /// tcp_bbr's BTF.
    pub tcp_bbr: corelab::btf::Btf,
    /// `modules.o`.
    pub object: corelab::object::Object,
}

impl ModuleFixture {
    /// Loads it from tests/data.
    pub fn load() -> ModuleFixture {
        let load = |rel: &str, base| {
            corelab::input::load_btf(&data::read(rel), base)
                .unwrap()
                .btf
        };
        let vmlinux = std::sync::Arc::new(load(&format!("btf/{MODULES_KERNEL}.btf.gz"), None));
        let module = |m: &str| {
            load(
                &format!("modules/{MODULES_KERNEL}-{m}.btf.gz"),
                Some(vmlinux.clone()),
            )
        };
        ModuleFixture {
            ext4: module("ext4"),
            tcp_bbr: module("tcp_bbr"),
            object: corelab::object::Object::parse(&data::read("oracle/modules/modules.o.gz"))
                .unwrap(),
            vmlinux,
        }
    }

    /// The kernel with the modules named (in that order; `tcp_bbr_twin` is tcp_bbr again
    /// under a second name).
    pub fn target<'a>(&'a self, mods: &[&'a str]) -> corelab::reloc::Target<'a> {
        let mut t = corelab::reloc::Target::kernel(&self.vmlinux);
        for &m in mods {
            t = t.with_module(
                m,
                if m == "ext4" {
                    &self.ext4
                } else {
                    &self.tcp_bbr
                },
            );
        }
        t
    }
}
