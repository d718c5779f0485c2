//! `access` without `--json`: the records as a table, then per target what libbpf does.

use std::fmt::Write as _;

use corelab::access::{InsnForm, LocalObject, Question};
use corelab::reloc::Outcome;

use super::{describe, TargetResult};

pub(super) fn render(
    q: &Question<'_>,
    obj: &LocalObject,
    local_name: &str,
    targets: &[TargetResult<'_>],
) -> String {
    let mut s = String::new();
    for (part, w) in q.warnings() {
        let _ = writeln!(
            s,
            "warning: '{}': {}",
            q.parts()[*part],
            w.describe(&q.parts()[*part])
        );
    }
    let _ = writeln!(
        s,
        "CO-RE records clang-19 emits, compiled against {local_name}'s vmlinux.h:"
    );
    let _ = writeln!(
        s,
        "  {:>2}  {:<14} {:<28} {:<10} {:<40} instruction",
        "#", "kind", "local type", "access", "accesses"
    );
    for (i, r) in obj.records.iter().enumerate() {
        let t = obj.btf.btf.ty(r.root);
        let local_type = if t.name().is_empty() {
            t.kind().lower_name().to_owned()
        } else {
            format!("{} {}", t.kind().lower_name(), t.name())
        };
        let form = match r.form {
            InsnForm::Alu => "alu (offset/value)".to_owned(),
            InsnForm::Mem(n) => format!("load/store ({n} bytes)"),
            InsnForm::LdImm64 => "ld_imm64".to_owned(),
        };
        let _ = writeln!(
            s,
            "  {:>2}  {:<14} {:<28} {:<10} {:<40} {}",
            i,
            r.kind.log_name(),
            local_type,
            r.access,
            describe(obj, i),
            form
        );
    }
    for t in targets {
        let _ = writeln!(s, "\non {}:", t.name);
        for (i, p) in t.processed.iter().enumerate() {
            let what = match p.outcome {
                Outcome::Patched => {
                    let v = p
                        .resolution
                        .as_ref()
                        .and_then(|r| r.result.as_ref().ok())
                        .map(|r| format!("{} -> {}", r.orig_val, r.new_val))
                        .unwrap_or_default();
                    format!("patched   {v}")
                }
                Outcome::Poisoned(_) => "poisoned  (no such field/enumerator here)".to_owned(),
                Outcome::Error(..) => format!(
                    "error     {}",
                    p.first_warning().unwrap_or("relocation failed")
                ),
                o => o.name().to_owned(),
            };
            let _ = writeln!(s, "  {:>2}  {}", i, what);
        }
    }
    s
}
