//! Signatures and equality tests of type records, one per rule libbpf's dedup applies.
//!
//! A record is its words: `name, info, size|type`, then the kind's trailer. Names are string
//! keys ([`super::strings`]), so comparing words compares what libbpf compares (offsets after
//! string dedup). Signatures hash exactly the fields libbpf's hash of that rule hashes: two
//! records a rule calls equal always share a signature.

use crate::btf::Kind;

/// The kind of record `r`.
#[inline]
pub(super) fn kind(r: &[u32]) -> Kind {
    Kind(((info(r) >> 24) & 0x7f) as u8)
}

#[inline]
pub(super) fn name(r: &[u32]) -> u32 {
    r.first().copied().unwrap_or(0)
}

#[inline]
pub(super) fn info(r: &[u32]) -> u32 {
    r.get(1).copied().unwrap_or(0)
}

/// The `size`/`type` word.
#[inline]
pub(super) fn size_type(r: &[u32]) -> u32 {
    r.get(2).copied().unwrap_or(0)
}

#[inline]
pub(super) fn vlen(r: &[u32]) -> usize {
    (info(r) & 0x00ff_ffff) as usize
}

#[inline]
pub(super) fn kflag(r: &[u32]) -> bool {
    info(r) >> 31 != 0
}

/// Word `i` of the trailer.
#[inline]
pub(super) fn trailer(r: &[u32], i: usize) -> u32 {
    r.get(3 + i).copied().unwrap_or(0)
}

/// The `(name, type, offset)` triples of a STRUCT/UNION.
pub(super) fn members(r: &[u32]) -> impl DoubleEndedIterator<Item = &[u32]> + ExactSizeIterator {
    r.get(3..).unwrap_or(&[]).chunks_exact(3).take(vlen(r))
}

/// The `(name, type)` pairs of a FUNC_PROTO.
pub(super) fn params(r: &[u32]) -> impl DoubleEndedIterator<Item = &[u32]> + ExactSizeIterator {
    r.get(3..).unwrap_or(&[]).chunks_exact(2).take(vlen(r))
}

/// Kinds whose `type` word is their only reference (libbpf's CONST/VOLATILE/RESTRICT/PTR/
/// TYPEDEF/FUNC/TYPE_TAG group of the graph walks).
pub(super) fn is_ref_group(k: Kind) -> bool {
    matches!(
        k,
        Kind::CONST
            | Kind::VOLATILE
            | Kind::RESTRICT
            | Kind::PTR
            | Kind::TYPEDEF
            | Kind::FUNC
            | Kind::TYPE_TAG
    )
}

/// One step of the signature hash (a multiply-xorshift mix; deterministic everywhere).
#[inline]
fn mix(h: u64, v: u32) -> u64 {
    let x = (h ^ u64::from(v)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^ (x >> 29)
}

fn finish(h: u64) -> u64 {
    let x = (h ^ (h >> 32)).wrapping_mul(0xd6e8_feb8_6659_fd93);
    x ^ (x >> 32)
}

/// Distinguishes the hash rules, as libbpf's differ in what they cover (collisions between
/// rules are harmless, but pointless).
const SEED: u64 = 0x00c0_ffee;

/// `btf_hash_common`: name, info, size/type.
pub(super) fn hash_common(r: &[u32]) -> u64 {
    finish(common(r))
}

fn common(r: &[u32]) -> u64 {
    mix(mix(mix(SEED, name(r)), info(r)), size_type(r))
}

/// `btf_hash_typedef`: name and info (the target is compared by graph equivalence).
pub(super) fn hash_typedef(r: &[u32]) -> u64 {
    finish(mix(mix(SEED + 1, name(r)), info(r)))
}

/// `btf_hash_int_decl_tag`: common plus the INT encoding / DECL_TAG component.
pub(super) fn hash_int_tag(r: &[u32]) -> u64 {
    finish(mix(common(r), trailer(r, 0)))
}

/// `btf_hash_enum`: the name only, so that forward declarations meet full enums (ENUM and
/// ENUM64 alike).
pub(super) fn hash_enum(r: &[u32]) -> u64 {
    finish(mix(SEED + 2, name(r)))
}

/// `btf_hash_struct`: common plus each member's name and offset (not its type).
pub(super) fn hash_struct(r: &[u32]) -> u64 {
    finish(members(r).fold(common(r), |h, m| mix(mix(h, m[0]), m[2])))
}

/// `btf_hash_array`: common plus element, index type and count.
pub(super) fn hash_array(r: &[u32]) -> u64 {
    finish(mix(
        mix(mix(common(r), trailer(r, 0)), trailer(r, 1)),
        trailer(r, 2),
    ))
}

/// `btf_hash_fnproto`: common (with the return type) plus each parameter's name and type.
pub(super) fn hash_fnproto(r: &[u32]) -> u64 {
    finish(params(r).fold(common(r), |h, p| mix(mix(h, p[0]), p[1])))
}

/// `btf_equal_common`.
pub(super) fn equal_common(a: &[u32], b: &[u32]) -> bool {
    name(a) == name(b) && info(a) == info(b) && size_type(a) == size_type(b)
}

/// Whole-record equality: what libbpf's `btf_equal_int_tag`, `btf_equal_enum`,
/// `btf_equal_array` and `btf_equal_fnproto` come to (equal info means equal lengths).
pub(super) fn equal_record(a: &[u32], b: &[u32]) -> bool {
    a == b
}

/// `btf_equal_typedef`: name and info.
pub(super) fn equal_typedef(a: &[u32], b: &[u32]) -> bool {
    name(a) == name(b) && info(a) == info(b)
}

pub(super) fn is_enum_fwd(r: &[u32]) -> bool {
    kind(r).is_any_enum() && vlen(r) == 0
}

/// `btf_compat_enum`: equal, or a forward declaration (of either size or width) and an enum
/// of the same name.
pub(super) fn compat_enum(a: &[u32], b: &[u32]) -> bool {
    if !is_enum_fwd(a) && !is_enum_fwd(b) {
        return equal_record(a, b);
    }
    name(a) == name(b) && kind(a).is_any_enum() && kind(b).is_any_enum()
}

/// `btf_shallow_equal_struct`: common plus member names and offsets.
pub(super) fn shallow_equal_struct(a: &[u32], b: &[u32]) -> bool {
    equal_common(a, b)
        && members(a)
            .zip(members(b))
            .all(|(x, y)| x[0] == y[0] && x[2] == y[2])
}

/// `btf_compat_array`: common plus the element count.
pub(super) fn compat_array(a: &[u32], b: &[u32]) -> bool {
    equal_common(a, b) && trailer(a, 2) == trailer(b, 2)
}

/// `btf_compat_fnproto`: name, info and parameter names (not the types).
pub(super) fn compat_fnproto(a: &[u32], b: &[u32]) -> bool {
    name(a) == name(b) && info(a) == info(b) && params(a).zip(params(b)).all(|(x, y)| x[0] == y[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: Kind, name: u32, vlen: u32, st: u32, trailer: &[u32]) -> Vec<u32> {
        let mut r = vec![name, (u32::from(kind.0) << 24) | vlen, st];
        r.extend_from_slice(trailer);
        r
    }

    #[test]
    fn equal_under_a_rule_means_same_signature() {
        let s1 = rec(Kind::STRUCT, 5, 2, 8, &[1, 10, 0, 2, 11, 32]);
        let s2 = rec(Kind::STRUCT, 5, 2, 8, &[1, 20, 0, 2, 21, 32]);
        assert!(shallow_equal_struct(&s1, &s2));
        assert_eq!(hash_struct(&s1), hash_struct(&s2));
        let s3 = rec(Kind::STRUCT, 5, 2, 8, &[1, 20, 0, 3, 21, 32]);
        assert!(!shallow_equal_struct(&s1, &s3));

        let fwd = rec(Kind::ENUM, 9, 0, 4, &[]);
        let full = rec(Kind::ENUM64, 9, 1, 8, &[3, 1, 0]);
        assert!(compat_enum(&fwd, &full) && compat_enum(&full, &fwd));
        assert_eq!(hash_enum(&fwd), hash_enum(&full));
        assert!(!equal_record(&fwd, &full));

        let t1 = rec(Kind::TYPEDEF, 4, 0, 17, &[]);
        let t2 = rec(Kind::TYPEDEF, 4, 0, 18, &[]);
        assert!(equal_typedef(&t1, &t2) && !equal_common(&t1, &t2));
        assert_eq!(hash_typedef(&t1), hash_typedef(&t2));

        let a1 = rec(Kind::ARRAY, 0, 0, 0, &[1, 2, 4]);
        let a2 = rec(Kind::ARRAY, 0, 0, 0, &[3, 2, 4]);
        assert!(compat_array(&a1, &a2) && !equal_record(&a1, &a2));

        let p1 = rec(Kind::FUNC_PROTO, 0, 1, 1, &[7, 2]);
        let p2 = rec(Kind::FUNC_PROTO, 0, 1, 3, &[7, 4]);
        assert!(compat_fnproto(&p1, &p2) && !equal_record(&p1, &p2));
    }
}
