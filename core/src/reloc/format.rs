//! `bpf_core_format_spec`: the one-line text of a spec that every CO-RE log line carries,
//! truncated like libbpf's 256-byte `snprintf` buffer (spec/core-spec.md §3.12).

use std::fmt::Write;

use crate::btf::Kind;

use super::spec::Spec;

/// libbpf formats into a 256-byte buffer: at most 255 bytes survive.
const BUF_LEN: usize = 256;

/// The text libbpf logs for `spec`, e.g.
/// `<byte_off> [5] struct task_struct___local.in.arr[2] (0:4:1:2 @ offset 40)`.
pub fn format_spec(spec: &Spec<'_>) -> String {
    let mut out = String::new();
    let btf = spec.btf;
    let root = btf.ty(spec.root);
    let name = if root.name().is_empty() {
        "<anon>"
    } else {
        root.name()
    };
    let _ = write!(
        out,
        "<{}> [{}] {} {}",
        spec.kind.log_name(),
        spec.root,
        root.kind().lower_name(),
        name
    );

    if spec.kind.is_enumval() {
        let t = btf.skip_mods_and_typedefs(spec.root);
        // libbpf prints the enumerator at `raw_spec[0]`, which its zeroed spec holds even
        // when empty: a non-matching candidate shows enumerator #0. It does not check that the
        // enumerator exists (a parse error can leave an index out of range, or a root that is
        // not an enum); we print nothing more then instead of reading out of bounds.
        let e = t.enum_value(spec.raw.first().copied().unwrap_or(0));
        if let (Some(e), true) = (e, t.kind().is_any_enum()) {
            let _ = match (t.kind() == Kind::ENUM64, t.kflag()) {
                (false, true) => write!(out, "::{} = {}", e.name, e.lo as i32),
                (false, false) => write!(out, "::{} = {}", e.name, e.lo),
                (true, true) => write!(out, "::{} = {}", e.name, e.raw() as i64),
                (true, false) => write!(out, "::{} = {}", e.name, e.raw()),
            };
        }
    } else if spec.kind.is_field() {
        for (i, acc) in spec.access.iter().enumerate() {
            match acc.name {
                Some(n) => {
                    let _ = write!(out, ".{n}");
                }
                None if i > 0 || acc.idx > 0 => {
                    let _ = write!(out, "[{}]", acc.idx);
                }
                None => {}
            }
        }
        out.push_str(" (");
        for (i, r) in spec.raw.iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            let _ = write!(out, "{}", *r as i32);
        }
        if !spec.bit_offset.is_multiple_of(8) {
            let _ = write!(
                out,
                " @ offset {}.{})",
                spec.bit_offset / 8,
                spec.bit_offset % 8
            );
        } else {
            let _ = write!(out, " @ offset {})", spec.bit_offset / 8);
        }
    }
    truncate(out)
}

/// Keeps the first 255 bytes, backing off to a character boundary (libbpf cuts bytes; a cut
/// inside a UTF-8 sequence would not be text).
fn truncate(mut s: String) -> String {
    if s.len() >= BUF_LEN {
        let mut end = BUF_LEN - 1;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}
