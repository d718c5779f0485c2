//! Plain-text renderings of a [`BtfDiff`] and a [`History`] (what `corelab diff` and
//! `corelab history` print). Deterministic: the same data gives the same bytes.
//!
//! Offsets and sizes are in bytes; a bitfield's offset is `byte:bit` and its size in bits.

use std::fmt::Write;

use super::{
    BtfDiff, Changes, EnumeratorChange, Field, FieldChange, History, RenameEvidence, Status,
    TypeDiff, TypeRef,
};

/// `corelab diff`: header lines, the per-class counts (with `summary`), then each type.
pub fn diff_text(d: &BtfDiff, old_label: &str, new_label: &str, summary: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "--- {old_label}\n+++ {new_label}");
    if summary {
        s.push('\n');
        write_counts(&mut s, d);
    }
    // One-line entries (added, removed, unchanged) run together; an entry with details is
    // set off by blank lines.
    let mut prev_detailed = true;
    for td in &d.types {
        let detailed = td.status() == Status::Changed;
        if detailed || prev_detailed {
            s.push('\n');
        }
        write_type(&mut s, td);
        prev_detailed = detailed;
    }
    s
}

fn write_counts(s: &mut String, d: &BtfDiff) {
    let _ = writeln!(
        s,
        "{:<8} {:>7} {:>7} {:>7} {:>9}",
        "", "added", "removed", "changed", "unchanged"
    );
    let mut total = [0u32; 4];
    for c in &d.counts {
        let row = [c.added, c.removed, c.changed, c.unchanged];
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
        let _ = writeln!(
            s,
            "{:<8} {:>7} {:>7} {:>7} {:>9}",
            c.class.keyword(),
            row[0],
            row[1],
            row[2],
            row[3]
        );
    }
    let _ = writeln!(
        s,
        "{:<8} {:>7} {:>7} {:>7} {:>9}",
        "total", total[0], total[1], total[2], total[3]
    );
}

fn write_type(s: &mut String, td: &TypeDiff) {
    let kw = td.class.keyword();
    let side = |r: &TypeRef| format!("{} [{}]", r.name, r.id);
    match (&td.old, &td.new, td.status()) {
        (_, Some(n), Status::Added) => {
            let _ = writeln!(s, "+ {kw} {}", side(n));
        }
        (Some(o), _, Status::Removed) => {
            let _ = writeln!(s, "- {kw} {}", side(o));
        }
        (Some(o), Some(n), status) => {
            let (mark, tail) = if status == Status::Unchanged {
                ("=", ": unchanged")
            } else {
                ("~", "")
            };
            let new_side = if o.name == n.name {
                format!("[{}]", n.id)
            } else {
                side(n)
            };
            let _ = writeln!(s, "{mark} {kw} {} -> {new_side}{tail}", side(o));
            write_changes(s, &td.changes);
        }
        _ => {}
    }
}

fn write_changes(s: &mut String, c: &Changes) {
    const IND: &str = "    ";
    if let Some((a, b)) = c.size {
        let _ = writeln!(s, "{IND}size: {a} -> {b}");
    }
    if let Some((a, b)) = c.signed {
        let yn = |x: bool| if x { "signed" } else { "unsigned" };
        let _ = writeln!(s, "{IND}signedness: {} -> {}", yn(a), yn(b));
    }
    if let Some((a, b)) = &c.target {
        let _ = writeln!(s, "{IND}target: {a} -> {b}");
    }
    if let Some((a, b)) = &c.signature {
        let _ = writeln!(s, "{IND}- {a}\n{IND}+ {b}");
    }
    for f in &c.fields {
        match f {
            FieldChange::Added(f) => {
                let _ = writeln!(s, "{IND}+ {}: {}", f.path, placed(f));
            }
            FieldChange::Removed(f) => {
                let _ = writeln!(s, "{IND}- {}: {}", f.path, placed(f));
            }
            FieldChange::Changed { old, new, renamed } => {
                let mut parts = Vec::new();
                if old.bit_offset != new.bit_offset || old.bitfield != new.bitfield {
                    parts.push(format!("moved {} -> {}", offset(old), offset(new)));
                }
                if old.bit_size != new.bit_size || old.bitfield != new.bitfield {
                    parts.push(format!("resized {} -> {}", size(old), size(new)));
                }
                if old.ty != new.ty {
                    parts.push(format!("retyped {} -> {}", old.ty, new.ty));
                }
                let name = match renamed {
                    None => new.path.clone(),
                    Some(ev) => format!(
                        "{} -> {} (renamed-looking: {})",
                        old.path,
                        new.path,
                        match ev {
                            RenameEvidence::SimilarName => "similar name",
                            RenameEvidence::SameLayout => "same offset, size and type",
                        }
                    ),
                };
                if parts.is_empty() {
                    let _ = writeln!(s, "{IND}~ {name}");
                } else {
                    let _ = writeln!(s, "{IND}~ {name}: {}", parts.join(", "));
                }
            }
            FieldChange::Replaced { old, by } => {
                let _ = writeln!(
                    s,
                    "{IND}~ {}: {}; replaced-looking (names extend it) by:",
                    old.path,
                    placed(old)
                );
                for f in by {
                    let _ = writeln!(s, "{IND}{IND}{}: {}", f.path, placed(f));
                }
            }
        }
    }
    for e in &c.enumerators {
        let _ = match e {
            EnumeratorChange::Added { name, value } => writeln!(s, "{IND}+ {name} = {value}"),
            EnumeratorChange::Removed { name, value } => writeln!(s, "{IND}- {name} = {value}"),
            EnumeratorChange::Revalued { name, old, new } => {
                writeln!(s, "{IND}~ {name}: {old} -> {new}")
            }
        };
    }
}

/// `at 88, 16 bytes, struct timespec64`.
fn placed(f: &Field) -> String {
    format!("at {}, {}, {}", offset(f), size(f), f.ty)
}

/// `88`, or `16:3` (byte 16, bit 3) for a bitfield or an unaligned field.
fn offset(f: &Field) -> String {
    if f.is_byte_aligned() {
        (f.bit_offset / 8).to_string()
    } else {
        format!("{}:{}", f.bit_offset / 8, f.bit_offset % 8)
    }
}

/// `16 bytes`, `1 byte`, or `5 bits` for a bitfield.
fn size(f: &Field) -> String {
    match (f.is_byte_aligned(), f.bit_size) {
        (true, 8) => "1 byte".to_owned(),
        (true, b) => format!("{} bytes", b / 8),
        (false, 1) => "1 bit".to_owned(),
        (false, b) => format!("{b} bits"),
    }
}

/// `corelab history`: the BTFs (numbered), then a table of fields × BTFs whose cells are
/// `offset size type` (`-` where the field is absent).
pub fn history_text(h: &History, labels: &[&str]) -> String {
    let mut s = String::new();
    let kw = h
        .types
        .iter()
        .flatten()
        .next()
        .map_or("struct/union", |t| t.class.keyword());
    let _ = writeln!(s, "{kw} {} in {} BTFs", h.name, h.types.len());
    let label_w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for (k, t) in h.types.iter().enumerate() {
        let label = labels.get(k).copied().unwrap_or("");
        let _ = match t {
            Some(t) => writeln!(
                s,
                "  [{}] {label:<label_w$}  {} {} [{}], {} bytes",
                k + 1,
                t.class.keyword(),
                t.name,
                t.id,
                t.size
            ),
            None => writeln!(s, "  [{}] {label:<label_w$}  absent", k + 1),
        };
    }
    if h.rows.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "cells: offset size type, in bytes (bitfields: byte:bit and bits); - absent\n"
    );
    let mut table: Vec<Vec<String>> = Vec::with_capacity(h.rows.len() + 1);
    let mut head = vec!["field".to_owned()];
    head.extend((1..=h.types.len()).map(|k| format!("[{k}]")));
    table.push(head);
    for row in &h.rows {
        let names = row.names();
        let renamed = names.len() > 1;
        let mut line = vec![names.join(" -> ")];
        line.extend(row.cells.iter().map(|c| match c {
            None => "-".to_owned(),
            Some(f) => {
                let cell = compact(f);
                if renamed {
                    format!("{}: {cell}", f.path)
                } else {
                    cell
                }
            }
        }));
        table.push(line);
    }
    let cols = table.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            table
                .iter()
                .map(|r| r.get(c).map_or(0, |x| x.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in &table {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let _ = write!(line, "{cell:<w$}", w = widths[c]);
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
    if !h.replacements.is_empty() {
        s.push('\n');
    }
    for r in &h.replacements {
        let _ = writeln!(
            s,
            "[{}] {} replaced-looking (names extend it) by {}",
            r.at + 1,
            r.old,
            r.by.join(", ")
        );
    }
    s
}

/// `88 16 struct timespec64`, or `16:3 5b unsigned int` for a bitfield.
fn compact(f: &Field) -> String {
    if f.is_byte_aligned() {
        format!("{} {} {}", f.bit_offset / 8, f.bit_size / 8, f.ty)
    } else {
        format!("{} {}b {}", offset(f), f.bit_size, f.ty)
    }
}
