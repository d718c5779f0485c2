//! The CO-RE oracle's data in `tests/data/oracle`: libbpf's relocation results and the
//! kernel verifier's verdicts, as typed records for the tests.

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
