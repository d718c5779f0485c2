//! The readable view: one row per relocation, then libbpf's log.

use std::fmt::Write as _;

use corelab::reloc::RecordReport;

use super::Input;

pub(super) fn render(inp: &Input<'_>) -> String {
    let rel = &inp.rel;
    let mut s = String::new();
    let n = rel.outcome_counts();
    let _ = writeln!(
        s,
        "{} against {}: {} CO-RE relocations — {} patched, {} poisoned, {} errors, {} skipped (not loaded), {} eliminated, {} not reached",
        inp.object_name,
        inp.target_name,
        rel.records.len(),
        n.patched,
        n.poisoned,
        n.error,
        n.skipped_autoload,
        n.eliminated,
        n.not_reached,
    );
    if let Some(e) = &rel.first_error {
        let _ = writeln!(
            s,
            "libbpf fails the object: relocation {}#{} of program '{}' ({}).",
            e.sec,
            e.sec_relo_idx,
            e.prog,
            e.errno.name()
        );
    }
    if !rel.disabled.is_empty() {
        let _ = writeln!(
            s,
            "Later records come from re-runs without the failing program(s): {} ({} passes).",
            rel.disabled.join(", "),
            rel.passes
        );
    }
    s.push('\n');

    let header = [
        "SECTION", "#", "PROGRAM", "INSN", "KIND", "ACCESS", "OUTCOME", "DETAIL",
    ];
    let rows: Vec<[String; 8]> = rel.records.iter().map(|r| row(inp, r)).collect();
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut line = |cells: [&str; 8]| {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w.saturating_sub(c.chars().count());
            match i {
                7 => l.push_str(c),
                // Numbers right-aligned.
                1 | 3 => {
                    l.push_str(&" ".repeat(pad));
                    l.push_str(c);
                    l.push_str("  ");
                }
                _ => {
                    l.push_str(c);
                    l.push_str(&" ".repeat(pad + 2));
                }
            }
        }
        s.push_str(l.trim_end());
        s.push('\n');
    };
    line(header);
    for r in &rows {
        line(r.each_ref().map(String::as_str));
    }

    if !rel.log.is_empty() {
        let _ = writeln!(s, "\nlibbpf log (pass 1):");
        for l in &rel.log {
            let _ = writeln!(s, "libbpf: {l}");
        }
    }
    if let Some(Err(e)) = &inp.kconfig {
        let _ = writeln!(
            s,
            "\nlibbpf: {e}  (the load would fail before CO-RE relocation)"
        );
    }
    s
}

fn row(inp: &Input<'_>, r: &RecordReport<'_>) -> [String; 8] {
    let prog = r
        .prog
        .map_or_else(|| "-".to_owned(), |p| inp.obj.programs[p].name.clone());
    let insn = r
        .prog_insn_idx
        .map_or_else(|| "-".to_owned(), |i| i.to_string());
    let mut outcome = r.outcome.name().to_owned();
    if let Some(p) = r.processed.as_ref().filter(|p| p.pass > 1) {
        let _ = write!(outcome, " (re-run {})", p.pass);
    }
    [
        r.sec.to_owned(),
        r.sec_relo_idx.to_string(),
        prog,
        insn,
        r.kind.log_name().to_owned(),
        r.access_path(),
        outcome,
        r.detail(),
    ]
}
