//! C names of what records reach: the path C writes for a field below its root, and the
//! members C can name in a struct (anonymous members' members lifted).

use crate::btf::{Btf, TypeId};
use crate::reloc::Spec;

/// The C path of a field spec below its root: `mm`, `se.avg`, `comm[3]` (anonymous members
/// left out, as C names them).
pub(crate) fn c_path(spec: &Spec<'_>) -> String {
    let mut s = String::new();
    for a in spec.access.iter().skip(1) {
        match a.name {
            Some(n) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(n);
            }
            None => s.push_str(&format!("[{}]", a.idx)),
        }
    }
    s
}

/// The members C can name in struct/union `rec`, with their types: its own, and those of its
/// anonymous members (depth first, bounded).
pub(crate) fn visible_members(btf: &Btf, rec: TypeId) -> Vec<(String, TypeId)> {
    let mut out = Vec::new();
    let mut stack = vec![rec];
    while let Some(r) = stack.pop() {
        for m in btf.ty(r).members() {
            if m.name.is_empty() {
                let t = btf.skip_mods_and_typedefs(m.type_id);
                if t.kind().is_composite() && stack.len() < 16 {
                    stack.push(t.id());
                }
            } else {
                out.push((m.name.to_owned(), m.type_id));
            }
        }
        if out.len() > 10_000 {
            break;
        }
    }
    out
}
