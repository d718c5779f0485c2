//! Which types of a new build correspond to which types of its reference build (the
//! packer's side of the delta codec). Whether a matched record is also *equal* after
//! renumbering is decided by the codec; the matching only has to pair the types a reader
//! would call the same, so that references to them renumber.
//!
//! [`matching`] pairs, in order of confidence: named types whose kind and name are unique
//! on both sides (even if their bodies changed: a grown `task_struct` is still
//! `task_struct`); then, along the references of paired records, referenced types with
//! equal signatures (anonymous structs, pointers, prototypes reached from a paired type);
//! then what is left, as patience diff pairs two sequences ([`align`]: common prefix and
//! suffix, signatures unique on both sides as anchors on their longest increasing run,
//! gaps recursively, small gaps by LCS). A signature is kind, name, vlen and size, and for a
//! type that refers to one other type, that type's kind and name.

use std::collections::HashMap;

use super::raw::{kind_vlen, RawBtf};
use crate::btf::Kind;
use crate::btf_write::Word;

/// For each target record, the index of its reference partner (`u32::MAX`: none).
pub(crate) fn matching(reference: &RawBtf, target: &RawBtf) -> Vec<u32> {
    let (rs, ts) = (signatures(reference), signatures(target));
    let (rn, tn) = (name_keys(reference), name_keys(target));
    let mut partner = vec![u32::MAX; target.types()];
    let mut taken = vec![false; reference.types()];
    let mut work = Vec::new();
    // 1. Named types unique by (kind, name) on both sides; then, among the rest, by
    //    (kind, name, signature).
    for keys in [
        (rn.clone(), tn.clone()),
        (combine(&rn, &rs), combine(&tn, &ts)),
    ] {
        let (rk, tk) = keys;
        let mut count: HashMap<u64, (u32, u32, u32)> = HashMap::new();
        for (i, &k) in rk.iter().enumerate() {
            if k != 0 && !taken[i] {
                let e = count.entry(k).or_default();
                e.0 += 1;
                e.2 = i as u32;
            }
        }
        for (j, &k) in tk.iter().enumerate() {
            if k != 0 && partner[j] == u32::MAX {
                if let Some(e) = count.get_mut(&k) {
                    e.1 += 1;
                }
            }
        }
        for (j, &k) in tk.iter().enumerate() {
            if k == 0 || partner[j] != u32::MAX {
                continue;
            }
            if let Some(&(1, 1, i)) = count.get(&k) {
                partner[j] = i;
                taken[i as usize] = true;
                work.push((i, j as u32));
            }
        }
    }
    // 2. Along references of paired records, position by position.
    while let Some((i, j)) = work.pop() {
        let (ra, ta) = (reference.record(i as usize), target.record(j as usize));
        if ra.len() != ta.len() || ra[1] != ta[1] {
            continue;
        }
        for ((&x, &y), role) in ra.iter().zip(ta).zip(super::raw::roles(ra)) {
            if role != crate::btf_write::Word::Type || x == 0 || y == 0 {
                continue;
            }
            let (x, y) = (x as usize - 1, y as usize - 1);
            if x < taken.len()
                && y < partner.len()
                && !taken[x]
                && partner[y] == u32::MAX
                && rs[x] == ts[y]
            {
                partner[y] = x as u32;
                taken[x] = true;
                work.push((x as u32, y as u32));
            }
        }
    }
    // 3. The rest, in order.
    let rest_r: Vec<u32> = (0..rs.len() as u32)
        .filter(|&i| !taken[i as usize])
        .collect();
    let rest_t: Vec<u32> = (0..ts.len() as u32)
        .filter(|&j| partner[j as usize] == u32::MAX)
        .collect();
    let a: Vec<u64> = rest_r.iter().map(|&i| rs[i as usize]).collect();
    let b: Vec<u64> = rest_t.iter().map(|&j| ts[j as usize]).collect();
    for (x, y) in align(&a, &b) {
        partner[rest_t[y as usize] as usize] = rest_r[x as usize];
    }
    partner
}

fn combine(a: &[u64], b: &[u64]) -> Vec<u64> {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| if x == 0 { 0 } else { x ^ y.rotate_left(17) | 1 })
        .collect()
}

/// (kind, name) of each named record, hashed; 0 for anonymous ones.
fn name_keys(btf: &RawBtf) -> Vec<u64> {
    (0..btf.types())
        .map(|i| {
            let rec = btf.record(i);
            match btf.string_at(rec[0]) {
                Some((s, d))
                    if !btf
                        .string(s)
                        .get(d as usize..)
                        .unwrap_or_default()
                        .is_empty() =>
                {
                    let mut h = Fnv::new();
                    h.u32(rec[1] >> 24 & 0x1f);
                    h.bytes(btf.string(s).get(d as usize..).unwrap_or_default());
                    h.finish() | 1
                }
                _ => 0,
            }
        })
        .collect()
}

/// A 64-bit signature of each record of `btf`.
pub(crate) fn signatures(btf: &RawBtf) -> Vec<u64> {
    let n = btf.types();
    let named = |i: usize| -> (u32, &[u8]) {
        let rec = btf.record(i);
        let name = btf.string_at(rec[0]).map_or(&[][..], |(s, d)| {
            btf.string(s).get(d as usize..).unwrap_or_default()
        });
        (rec[1] >> 24, name)
    };
    (0..n)
        .map(|i| {
            let rec = btf.record(i);
            let (kind, vlen) = kind_vlen(rec[1]);
            let mut h = Fnv::new();
            h.u32(rec[1]);
            h.bytes(named(i).1);
            let refers = matches!(
                kind,
                Kind::PTR
                    | Kind::TYPEDEF
                    | Kind::VOLATILE
                    | Kind::CONST
                    | Kind::RESTRICT
                    | Kind::FUNC
                    | Kind::TYPE_TAG
                    | Kind::VAR
                    | Kind::DECL_TAG
            );
            if refers || kind == Kind::ARRAY {
                let target = if kind == Kind::ARRAY { rec[3] } else { rec[2] };
                if target != 0 && (target as usize) <= n {
                    let (k, name) = named(target as usize - 1);
                    h.u32(k);
                    h.bytes(name);
                }
                if kind == Kind::ARRAY {
                    h.u32(rec[5]);
                }
            } else {
                // Sizes, and for the rest only what does not depend on numbering: names of
                // elements (they tell apart anonymous structs, enums and prototypes of one
                // size), and the kind and name of each type an element refers to.
                for (k, (&w, role)) in rec.iter().zip(super::raw::roles(rec)).enumerate().skip(2) {
                    if k > 2 + 3 * 8 {
                        break;
                    }
                    match role {
                        Word::Data if k == 2 => h.u32(w),
                        Word::Data => {}
                        Word::Str => {
                            if let Some((s, d)) = btf.string_at(w) {
                                h.bytes(btf.string(s).get(d as usize..).unwrap_or_default());
                            }
                        }
                        Word::Type => {
                            if w != 0 && (w as usize) <= n {
                                let (k, name) = named(w as usize - 1);
                                h.u32(k);
                                h.bytes(name);
                            }
                        }
                    }
                }
                let _ = vlen;
            }
            h.finish()
        })
        .collect()
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 = (self.0 ^ x as u64).wrapping_mul(0x100_0000_01b3);
        }
        self.0 = (self.0 ^ 0xff).wrapping_mul(0x100_0000_01b3);
    }
    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Pairs `(a index, b index)`, increasing in both, of a monotone matching of `a` and `b`.
pub(crate) fn align(a: &[u64], b: &[u64]) -> Vec<(u32, u32)> {
    align_range(a, 0, a.len(), b, 0, b.len())
}

/// The matching of one range: no recursion (ranges only shrink, and a range without a
/// unique anchor is finished by `small_gap`).
fn align_range(
    a: &[u64],
    a0: usize,
    a1: usize,
    b: &[u64],
    b0: usize,
    b1: usize,
) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    // Depth-first, left to right: a stack of ranges and matched pairs still to place. A
    // range places its common head at once; its tail and middle go back on the stack.
    let mut items: Vec<Item> = vec![Item::Range(a0, a1, b0, b1)];
    while let Some(item) = items.pop() {
        let (mut x0, mut x1, mut y0, mut y1) = match item {
            Item::Pair(x, y) => {
                out.push((x, y));
                continue;
            }
            Item::Range(x0, x1, y0, y1) => (x0, x1, y0, y1),
        };
        let mut head = Vec::new();
        while x0 < x1 && y0 < y1 && a[x0] == b[y0] {
            head.push((x0 as u32, y0 as u32));
            x0 += 1;
            y0 += 1;
        }
        let mut tail = Vec::new();
        while x0 < x1 && y0 < y1 && a[x1 - 1] == b[y1 - 1] {
            x1 -= 1;
            y1 -= 1;
            tail.push((x1 as u32, y1 as u32));
        }
        out.extend(head);
        // Push in reverse order: tail pairs, then the middle.
        for &(x, y) in &tail {
            items.push(Item::Pair(x, y));
        }
        if x0 < x1 && y0 < y1 {
            let anchors = unique_anchors(a, x0, x1, b, y0, y1);
            if anchors.is_empty() {
                out.extend(small_gap(a, x0, x1, b, y0, y1));
            } else {
                let mut sub = Vec::new();
                let (mut pa, mut pb) = (x0, y0);
                for &(x, y) in &anchors {
                    sub.push(Item::Range(pa, x as usize, pb, y as usize));
                    sub.push(Item::Pair(x, y));
                    pa = x as usize + 1;
                    pb = y as usize + 1;
                }
                sub.push(Item::Range(pa, x1, pb, y1));
                items.extend(sub.into_iter().rev());
            }
        }
    }
    out
}

enum Item {
    Range(usize, usize, usize, usize),
    Pair(u32, u32),
}

/// Signatures that occur exactly once in both ranges, as pairs; the longest chain
/// increasing in both (patience sorting).
fn unique_anchors(
    a: &[u64],
    a0: usize,
    a1: usize,
    b: &[u64],
    b0: usize,
    b1: usize,
) -> Vec<(u32, u32)> {
    let mut count: HashMap<u64, (u32, u32, u32)> = HashMap::new();
    for (i, &s) in a[a0..a1].iter().enumerate() {
        let e = count.entry(s).or_insert((0, 0, 0));
        e.0 += 1;
        e.2 = (a0 + i) as u32;
    }
    let mut pairs = Vec::new();
    for s in &b[b0..b1] {
        if let Some(e) = count.get_mut(s) {
            e.1 += 1;
        }
    }
    for (j, &s) in b[b0..b1].iter().enumerate() {
        if let Some(&(1, 1, i)) = count.get(&s) {
            pairs.push((i, (b0 + j) as u32));
        }
    }
    longest_increasing(&pairs)
}

/// The longest subsequence of `pairs` (ordered by b) whose a indices increase.
fn longest_increasing(pairs: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut tails: Vec<usize> = Vec::new(); // index into pairs of the smallest tail per length
    let mut prev = vec![usize::MAX; pairs.len()];
    for (k, &(x, _)) in pairs.iter().enumerate() {
        let pos = tails.partition_point(|&t| pairs[t].0 < x);
        if pos > 0 {
            prev[k] = tails[pos - 1];
        }
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut k = tails.last().copied().unwrap_or(usize::MAX);
    while k != usize::MAX {
        out.push(pairs[k]);
        k = prev[k];
    }
    out.reverse();
    out
}

/// Most cells of the LCS table for a gap without anchors; larger gaps are matched greedily.
const LCS_CELLS: usize = 1 << 16;

fn small_gap(a: &[u64], a0: usize, a1: usize, b: &[u64], b0: usize, b1: usize) -> Vec<(u32, u32)> {
    let (n, m) = (a1 - a0, b1 - b0);
    if n.saturating_mul(m) > LCS_CELLS {
        // Greedy: walk both, pairing equal signatures within a small look-ahead.
        let mut out = Vec::new();
        let (mut i, mut j) = (a0, b0);
        while i < a1 && j < b1 {
            if a[i] == b[j] {
                out.push((i as u32, j as u32));
                i += 1;
                j += 1;
                continue;
            }
            let look = 16;
            let in_b = (j..b1.min(j + look)).find(|&y| b[y] == a[i]);
            let in_a = (i..a1.min(i + look)).find(|&x| a[x] == b[j]);
            match (in_a, in_b) {
                (Some(x), Some(y)) if x - i <= y - j => i = x,
                (_, Some(y)) => j = y,
                (Some(x), None) => i = x,
                (None, None) => {
                    i += 1;
                    j += 1;
                }
            }
        }
        return out;
    }
    let mut dp = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            dp[i * (m + 1) + j] = if a[a0 + i] == b[b0 + j] {
                dp[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                dp[(i + 1) * (m + 1) + j].max(dp[i * (m + 1) + j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[a0 + i] == b[b0 + j] {
            out.push(((a0 + i) as u32, (b0 + j) as u32));
            i += 1;
            j += 1;
        } else if dp[(i + 1) * (m + 1) + j] >= dp[i * (m + 1) + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &[u64], b: &[u64]) -> Vec<(u32, u32)> {
        let m = align(a, b);
        for w in m.windows(2) {
            assert!(w[0].0 < w[1].0 && w[0].1 < w[1].1, "{m:?}");
        }
        for &(x, y) in &m {
            assert_eq!(a[x as usize], b[y as usize]);
        }
        m
    }

    #[test]
    fn insertion_and_deletion() {
        let a = [1, 2, 3, 4, 5, 6];
        let b = [1, 2, 9, 3, 4, 6];
        assert_eq!(check(&a, &b), vec![(0, 0), (1, 1), (2, 3), (3, 4), (5, 5)]);
    }

    #[test]
    fn moved_block_keeps_the_longer_run() {
        let a = [10, 11, 12, 1, 2, 3, 4, 5];
        let b = [1, 2, 3, 4, 5, 10, 11, 12];
        assert_eq!(check(&a, &b).len(), 5);
    }

    #[test]
    fn repeats_without_anchors() {
        let a = [7, 7, 7, 8, 7];
        let b = [7, 8, 7, 7];
        assert_eq!(check(&a, &b).len(), 3);
    }
}
