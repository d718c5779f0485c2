//! The readable view: one row per relocation, then libbpf's log.

use std::fmt::Write as _;

use corelab::insn::Insn;
use corelab::reloc::{Outcome, Phase, PoisonCause, Processed, RecordReport, RelocClass, Spec};

use super::Input;

pub(super) fn render(inp: &Input<'_>) -> String {
    let rel = &inp.rel;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} against {}: {} CO-RE relocations — {} patched, {} poisoned, {} errors, {} skipped (not loaded), {} eliminated, {} not reached",
        inp.object_name,
        inp.target_name,
        rel.records.len(),
        rel.count("patched"),
        rel.count("poisoned"),
        rel.count("error"),
        rel.count("skipped_autoload"),
        rel.count("eliminated"),
        rel.count("not_reached"),
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
    let local_spec = r
        .processed
        .as_ref()
        .and_then(|p| p.resolution.as_ref())
        .and_then(|res| res.local_spec.as_ref());
    let access = match local_spec {
        Some(spec) if spec_complete(spec) => spec.access_path(),
        _ => r.access.unwrap_or("<?>").to_owned(),
    };
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
        access,
        outcome,
        detail(r),
    ]
}

/// Whether a local spec got far enough to name what it accesses.
fn spec_complete(spec: &Spec<'_>) -> bool {
    match spec.kind.class() {
        RelocClass::Field => spec.access.len() > 1 || !spec.raw.is_empty(),
        RelocClass::EnumVal => !spec.access.is_empty(),
        RelocClass::Type => true,
        RelocClass::Unknown => false,
    }
}

/// What the relocation accesses, in C terms: `task_struct.mm`, `bpf_attr.link_create.
/// perf_event.bpf_cookie`, `struct bpf_ringbuf`, `bpf_func_id::BPF_FUNC_ringbuf_output`.
fn detail(r: &RecordReport<'_>) -> String {
    if let Some(reason) = r.outcome.unprocessed_reason() {
        return reason.into();
    }
    let Some(p) = &r.processed else {
        return String::new();
    };
    match p.outcome {
        Outcome::Patched => patched_detail(p),
        Outcome::Poisoned(PoisonCause::NoMatch) => "poisoned: no matching target".into(),
        Outcome::Poisoned(PoisonCause::MemSizeAdjust) => {
            let sizes = p
                .resolution
                .as_ref()
                .and_then(|r| r.result.ok())
                .map(|v| format!(" ({} -> {} bytes)", v.orig_sz, v.new_sz))
                .unwrap_or_default();
            format!("poisoned: load/store size change refused{sizes}")
        }
        Outcome::Error(phase, errno) => {
            let phase = match phase {
                Phase::Record => "bad record",
                Phase::CandSearch => "candidate search",
                Phase::Calc => "calc",
                Phase::Patch => "patch",
            };
            let why = p.first_warning().map_or("", |w| w.text.as_str());
            format!("error {} in {phase}: {why}", errno.name())
        }
        _ => String::new(),
    }
}

fn patched_detail(p: &Processed<'_>) -> String {
    let Some(patch) = &p.patch else {
        return String::new();
    };
    let (Some(b), Some(a)) = (patch.before.first(), patch.after.first()) else {
        return String::new();
    };
    let mut s = if b.is_ld_imm64() && patch.before.len() == 2 {
        let v = |x: &[Insn]| Insn::imm64(&x[0], &x[1]);
        format!("imm64 {} -> {}", v(&patch.before), v(&patch.after))
    } else if matches!(b.code & 7, 1..=3) {
        format!("off {} -> {}", b.off, a.off)
    } else {
        format!("imm {} -> {}", b.imm, a.imm)
    };
    if a.code != b.code {
        let _ = write!(s, ", size {} -> {} bytes", b.mem_size(), a.mem_size());
    }
    if !patch.changed() {
        s.push_str(" (unchanged)");
    }
    s
}
