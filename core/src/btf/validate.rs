//! Validation after the type section is indexed.
//!
//! [`sanity_check`] is libbpf's `btf_sanity_check` (libbpf ≥ 1.3, spec §1.9): names resolve,
//! referenced ids are in range, FUNC points at a FUNC_PROTO. [`reference_loops`] goes further,
//! as the kernel does ("Loop detected"): a cycle of references that never passes through a
//! STRUCT or UNION (e.g. `typedef a → const → typedef a`, or a pointer to itself) has no C
//! meaning and would send every consumer round in circles, so it is rejected here once.

use super::{Btf, Kind, Type, TypeId};
use crate::error::{Error, Result};

/// Byte offset of type `id`'s record (plus `word` words into it) in the raw blob.
fn record_offset(btf: &Btf, t: &Type<'_>, word: usize) -> u64 {
    let own_index = (t.id().0 - btf.start_id) as usize;
    let w = btf.type_offs.get(own_index).copied().unwrap_or(0) as u64;
    btf.header.types_start() + 4 * (w + word as u64)
}

pub(super) fn sanity_check(btf: &Btf) -> Result<()> {
    let cnt = btf.type_cnt();
    // `Btf::str_valid`, with the character-boundary test answered once for a section that is
    // all ASCII (a kernel's is): every name of every member, enumerator and parameter is
    // checked, and reading a byte of the section for each was most of this pass.
    let ascii = btf.strings.is_ascii();
    let (start, len) = (btf.start_str_off, btf.strings.len());
    let str_valid = |off: u32| {
        if off < start || !ascii {
            return btf.str_valid(off);
        }
        ((off - start) as usize) < len
    };
    for id in btf.own_ids() {
        let t = btf.ty(id);
        let bad_name = |what: &str, word: usize, off: u32| -> Error {
            Error::malformed(
                record_offset(btf, &t, word),
                format!("btf: type [{}]: invalid {what} (string offset {off})", id.0),
            )
        };
        let check_id = |ref_id: TypeId, word: usize| -> Result<()> {
            if ref_id.0 >= cnt {
                return Err(Error::malformed(
                    record_offset(btf, &t, word),
                    format!(
                        "btf: type [{}]: invalid referenced type ID {} (only {} types)",
                        id.0,
                        ref_id.0,
                        cnt - 1
                    ),
                ));
            }
            Ok(())
        };
        if !str_valid(t.name_off()) {
            return Err(bad_name("type name", 0, t.name_off()));
        }
        match t.kind() {
            Kind::PTR
            | Kind::TYPEDEF
            | Kind::VOLATILE
            | Kind::CONST
            | Kind::RESTRICT
            | Kind::VAR
            | Kind::DECL_TAG
            | Kind::TYPE_TAG => check_id(t.type_id(), 2)?,
            Kind::ARRAY => {
                let a = t.array();
                check_id(a.elem, 3)?;
                check_id(a.index, 4)?;
            }
            Kind::STRUCT | Kind::UNION => {
                // Straight from the record, as below (`member_layouts` decodes bitfields).
                let words = t.words().get(3..).unwrap_or(&[]);
                for (i, m) in words.chunks_exact(3).take(t.vlen() as usize).enumerate() {
                    let w = 3 + 3 * i;
                    if !str_valid(m[0]) {
                        return Err(bad_name("field name", w, m[0]));
                    }
                    check_id(TypeId(m[1]), w + 1)?;
                }
            }
            Kind::ENUM | Kind::ENUM64 => {
                let stride = if t.kind() == Kind::ENUM { 2 } else { 3 };
                // Name offsets straight from the record: decoding names costs a string scan.
                let words = t.words().get(3..).unwrap_or(&[]);
                for (i, v) in words
                    .chunks_exact(stride)
                    .take(t.vlen() as usize)
                    .enumerate()
                {
                    if !str_valid(v[0]) {
                        return Err(bad_name("enum name", 3 + stride * i, v[0]));
                    }
                }
            }
            Kind::FUNC => {
                check_id(t.type_id(), 2)?;
                if btf.ty(t.type_id()).kind() != Kind::FUNC_PROTO {
                    return Err(Error::malformed(
                        record_offset(btf, &t, 2),
                        format!(
                            "btf: type [{}]: referenced type [{}] is not FUNC_PROTO",
                            id.0,
                            t.type_id().0
                        ),
                    ));
                }
            }
            Kind::FUNC_PROTO => {
                check_id(t.type_id(), 2)?;
                let words = t.words().get(3..).unwrap_or(&[]);
                for (i, p) in words.chunks_exact(2).take(t.vlen() as usize).enumerate() {
                    let w = 3 + 2 * i;
                    if !str_valid(p[0]) {
                        return Err(bad_name("param name", w, p[0]));
                    }
                    check_id(TypeId(p[1]), w + 1)?;
                }
            }
            Kind::DATASEC => {
                for (i, v) in t.datasec_vars().enumerate() {
                    check_id(v.type_id, 3 + 3 * i)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reference `i` of `t` among those a consumer follows without passing through a
/// STRUCT/UNION (the target, element or return type first, then FUNC_PROTO parameters).
fn loop_edge(t: &Type<'_>, i: usize) -> Option<TypeId> {
    match t.kind() {
        Kind::PTR
        | Kind::TYPEDEF
        | Kind::VOLATILE
        | Kind::CONST
        | Kind::RESTRICT
        | Kind::TYPE_TAG
        | Kind::DECL_TAG
        | Kind::VAR
        | Kind::FUNC => (i == 0).then(|| t.type_id()),
        Kind::ARRAY => (i == 0).then(|| t.array().elem),
        Kind::FUNC_PROTO if i == 0 => Some(t.type_id()),
        Kind::FUNC_PROTO => t.param_type(i as u32 - 1),
        _ => None,
    }
}

pub(super) fn reference_loops(btf: &Btf) -> Result<()> {
    const WHITE: u8 = 0;
    const GREY: u8 = 1;
    const BLACK: u8 = 2;
    let start = btf.start_id;
    let mut color = vec![WHITE; btf.type_offs.len()];
    let own = |id: TypeId| id.0 >= start && id.0 < btf.type_cnt();
    // Explicit stack of (type, index of the next edge to follow): no recursion on hostile input.
    // The type is kept in its frame, not looked up again at each of its edges.
    let mut stack: Vec<(Type<'_>, usize)> = Vec::new();
    for root in btf.own_ids() {
        if color[(root.0 - start) as usize] != WHITE {
            continue;
        }
        let t = btf.ty(root);
        if loop_edge(&t, 0).is_none() {
            // No edge (a struct, an int, an enum: most of a kernel): done without a frame.
            color[(root.0 - start) as usize] = BLACK;
            continue;
        }
        stack.push((t, 0));
        color[(root.0 - start) as usize] = GREY;
        while let Some((t, next)) = stack.last_mut() {
            match loop_edge(t, *next) {
                Some(to) => {
                    *next += 1;
                    if !own(to) {
                        continue;
                    }
                    match color[(to.0 - start) as usize] {
                        WHITE => {
                            let target = btf.ty(to);
                            if loop_edge(&target, 0).is_none() {
                                color[(to.0 - start) as usize] = BLACK;
                            } else {
                                color[(to.0 - start) as usize] = GREY;
                                stack.push((target, 0));
                            }
                        }
                        GREY => {
                            let from = stack.iter().position(|(s, _)| s.id() == to).unwrap_or(0);
                            let path: Vec<String> = stack[from..]
                                .iter()
                                .map(|(s, _)| format!("[{}]", s.id().0))
                                .chain(std::iter::once(format!("[{}]", to.0)))
                                .collect();
                            let first = btf.ty(to);
                            return Err(Error::malformed(
                                record_offset(btf, &first, 0),
                                format!(
                                    "btf: type [{}]: reference loop {} (a cycle that no struct or union breaks)",
                                    to.0,
                                    path.join(" -> ")
                                ),
                            ));
                        }
                        _ => {}
                    }
                }
                None => {
                    color[(t.id().0 - start) as usize] = BLACK;
                    stack.pop();
                }
            }
        }
    }
    Ok(())
}
