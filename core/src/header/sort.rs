//! bpftool 7.5+'s sorted root order (`sort_btf_c`, ../shared/spec/header-spec.md §1.3).
//!
//! Every id, void included, is sorted by: rank, then sort name, then own name (both byte-wise),
//! then a 64-bit "disambiguation" hash, then id. All four keys follow reference chains; the
//! chains are walked in loops (reference loops are rejected at parse time), never by recursion.
//!
//! The sort is staged so that the expensive keys are only computed where the cheap ones tie
//! (see [`sorted_roots`]); a naive comparator ([`cmp_full`]) checks it in the tests.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::btf::{Btf, Kind, Type, TypeId};

/// Rank of kinds that sort last (anonymous aggregates, pointers to them, FWD, FUNC, VAR, …).
const MAX_RANK: u8 = 10;

/// Whether the kind's `type` word leads to the type a sort key is about.
fn is_ref(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::TYPE_TAG
            | Kind::CONST
            | Kind::PTR
            | Kind::VOLATILE
            | Kind::RESTRICT
            | Kind::TYPEDEF
            | Kind::DECL_TAG
    )
}

/// bpftool's `btf_type_rank` and `btf_type_sort_name`, memoized along reference chains so
/// that long chains (typedef → pointer → typedef …) cost linear time, not quadratic.
pub(super) struct Chains {
    /// `btf_type_rank(id, has_name = true)` plus one; 0: not known yet (zeroed memory needs
    /// no initialising pass).
    rank_named: Vec<u8>,
    /// `btf_type_sort_name(id, from_ref = true)` as a string offset plus one; 0: not known.
    sort_ref: Vec<u32>,
    path: Vec<TypeId>,
}

impl Chains {
    pub(super) fn new(btf: &Btf) -> Self {
        let n = btf.type_cnt() as usize;
        Chains {
            rank_named: vec![0; n],
            sort_ref: vec![0; n],
            path: Vec::new(),
        }
    }

    /// bpftool's `btf_type_rank(id, false)`: enums first, then scalars, named aggregates,
    /// named prototypes; anything anonymous that is not an enum or scalar last.
    pub(super) fn rank(&mut self, btf: &Btf, id: TypeId) -> u8 {
        self.rank_of(btf, btf.ty(id))
    }

    fn rank_of(&mut self, btf: &Btf, t: Type<'_>) -> u8 {
        if t.name_off() != 0 {
            return self.rank_named(btf, t);
        }
        match t.kind() {
            Kind::ENUM | Kind::ENUM64 => 0,
            Kind::INT | Kind::FLOAT => 2,
            _ => MAX_RANK,
        }
    }

    /// The rank once a name was seen: arrays and references take their target's.
    fn rank_named(&mut self, btf: &Btf, first: Type<'_>) -> u8 {
        self.path.clear();
        let mut t = first;
        let mut rank = MAX_RANK;
        for _ in 0..=btf.type_cnt() {
            let known = self
                .rank_named
                .get(t.id().0 as usize)
                .copied()
                .unwrap_or(MAX_RANK + 1);
            if known != 0 {
                rank = known - 1;
                break;
            }
            let next = match t.kind() {
                Kind::ENUM | Kind::ENUM64 => None,
                Kind::ARRAY => Some(t.array().elem),
                k if is_ref(k) => Some(t.type_id()),
                _ => None,
            };
            self.path.push(t.id());
            match next {
                Some(n) => t = btf.ty(n),
                None => {
                    rank = match t.kind() {
                        Kind::ENUM | Kind::ENUM64 => 1,
                        Kind::INT | Kind::FLOAT => 2,
                        Kind::STRUCT | Kind::UNION => 3,
                        Kind::FUNC_PROTO => 4,
                        _ => MAX_RANK,
                    };
                    break;
                }
            }
        }
        for &p in &self.path {
            if let Some(r) = self.rank_named.get_mut(p.0 as usize) {
                *r = rank + 1;
            }
        }
        rank
    }

    /// bpftool's `btf_type_sort_name(id, false)` as a string offset: the name of what the
    /// chain leads to; an anonymous enum sorts under its first enumerator (only when it is
    /// the type itself, not a reference).
    pub(super) fn sort_name_off(&mut self, btf: &Btf, id: TypeId) -> u32 {
        self.sort_name_of(btf, btf.ty(id))
    }

    fn sort_name_of(&mut self, btf: &Btf, first: Type<'_>) -> u32 {
        if first.kind().is_any_enum() && first.name_off() == 0 {
            if let Some(e) = first.enum_value(0) {
                return e.name_off;
            }
        }
        self.path.clear();
        let mut t = first;
        let mut off = 0;
        for _ in 0..=btf.type_cnt() {
            let known = self.sort_ref.get(t.id().0 as usize).copied().unwrap_or(1);
            if known != 0 {
                off = known - 1;
                break;
            }
            self.path.push(t.id());
            match t.kind() {
                Kind::ARRAY => t = btf.ty(t.array().elem),
                k if is_ref(k) => t = btf.ty(t.type_id()),
                _ => {
                    off = t.name_off();
                    break;
                }
            }
        }
        for &p in &self.path {
            if let Some(o) = self.sort_ref.get_mut(p.0 as usize) {
                *o = off.saturating_add(1);
            }
        }
        off
    }

    /// The sort key of `t` (rank, sort name prefix, id).
    fn key(&mut self, btf: &Btf, t: Type<'_>) -> Key {
        let rank = self.rank_of(btf, t);
        let name = btf.name(self.sort_name_of(btf, t));
        key(rank, name, t.id().0)
    }
}

/// libbpf's `str_hash` (`h * 31 + c` over C `char`s, which are signed on x86-64).
pub(super) fn str_hash(s: &str) -> u64 {
    s.bytes().fold(0u64, |h, c| {
        h.wrapping_mul(31).wrapping_add(c as i8 as i64 as u64)
    })
}

/// bpftool's `btf_name_hasher`.
fn name_hash(h: u64, btf: &Btf, name_off: u32) -> u64 {
    if name_off == 0 {
        return h;
    }
    h.wrapping_mul(31)
        .wrapping_add(str_hash(btf.name(name_off)))
}

/// Memoized hashes: of aggregates with their members and of enums, by id; and of the links
/// of long reference chains, by `id << 1 | members`.
#[derive(Default)]
pub(super) struct Memo {
    terminals: HashMap<u32, u64, BuildHasherDefault<IdHasher>>,
    chains: HashMap<u64, u64, BuildHasherDefault<IdHasher>>,
}

/// Chains at least this long have the hash of each of their links memoized: a long typedef
/// chain is then hashed once, not once per link (quadratic on hostile input). Kernels have
/// none.
const LONG_CHAIN: usize = 16;

/// A multiplicative hasher for type ids (the default SipHash costs more than the lookups save).
#[derive(Default)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, v: u32) {
        self.0 = u64::from(v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// What one link of a reference chain adds to the hash, and where it leads; `None` for a
/// chain's terminal.
fn link(btf: &Btf, t: &Type<'_>) -> Option<(u64, TypeId)> {
    match t.kind() {
        Kind::ARRAY => {
            let a = t.array();
            let add = name_hash(0, btf, t.name_off())
                .wrapping_mul(31)
                .wrapping_add(u64::from(a.nelems))
                .wrapping_mul(31);
            Some((add, a.elem))
        }
        k if is_ref(k) => Some((
            name_hash(0, btf, t.name_off()).wrapping_mul(31),
            t.type_id(),
        )),
        _ => None,
    }
}

/// bpftool's `btf_type_disambig_hash(id, members)`.
///
/// Each link of a reference chain computes `local * 31 + hash(next)` (arrays
/// `(local * 31 + nelems) * 31 + hash(next)`), so the hash of a chain is the sum of its links'
/// contributions plus the terminal's own hash: a loop, no recursion. Members of a struct are
/// hashed with `members = false`, which never descends further into aggregates. The hashes
/// of aggregates with their members are memoized (many pointers lead to one struct), and so
/// are the links of long chains.
fn disambig_hash(btf: &Btf, id: TypeId, members: bool, memo: &mut Memo) -> u64 {
    let chain_key = |id: TypeId| u64::from(id.0) << 1 | u64::from(members);
    let mut sum = 0u64;
    let mut len = 0;
    let mut t = btf.ty(id);
    let mut rest = 0;
    for _ in 0..=btf.type_cnt() {
        if !memo.chains.is_empty() {
            if let Some(&h) = memo.chains.get(&chain_key(t.id())) {
                rest = h;
                break;
            }
        }
        match link(btf, &t) {
            Some((add, next)) => {
                sum = sum.wrapping_add(add);
                len += 1;
                t = btf.ty(next);
            }
            None => {
                rest = terminal_hash(btf, &t, members, memo);
                break;
            }
        }
    }
    let total = sum.wrapping_add(rest);
    if len >= LONG_CHAIN {
        // Walk the links again, recording each one's hash (the total minus what came before).
        let mut h = total;
        let mut t = btf.ty(id);
        for _ in 0..len {
            let Some((add, next)) = link(btf, &t) else {
                break;
            };
            memo.chains.insert(chain_key(t.id()), h);
            h = h.wrapping_sub(add);
            t = btf.ty(next);
        }
    }
    total
}

fn terminal_hash(btf: &Btf, t: &Type<'_>, members: bool, memo: &mut Memo) -> u64 {
    // Memoized: aggregates hashed with their members, and enums (whose hash covers every
    // enumerator and does not depend on `members`).
    let with_members = members && t.kind().is_composite();
    let memoized = with_members || t.kind().is_any_enum();
    if memoized {
        if let Some(&h) = memo.terminals.get(&t.id().0) {
            return h;
        }
    }
    let mut h = name_hash(0, btf, t.name_off());
    match t.kind() {
        Kind::ENUM | Kind::ENUM64 => {
            for e in t.enum_values().filter(|e| e.name_off != 0) {
                h = h.wrapping_mul(31).wrapping_add(str_hash(e.name));
            }
            memo.terminals.insert(t.id().0, h);
        }
        Kind::STRUCT | Kind::UNION if with_members => {
            for m in t.member_layouts() {
                h = name_hash(h, btf, m.name_off);
                h = h
                    .wrapping_mul(31)
                    .wrapping_add(disambig_hash(btf, m.type_id, false, memo));
            }
            memo.terminals.insert(t.id().0, h);
        }
        _ => {}
    }
    h
}

/// Orders keys that tie on rank and sort name (ids ascending on entry): by own name, then,
/// where that ties too, by hash and id. Scratch space is kept between calls.
#[derive(Default)]
struct Ties<'a> {
    by_own: Vec<(&'a str, u32)>,
    memo: Memo,
}

impl<'a> Ties<'a> {
    /// Orders `slots` (ids ascending on entry) by own name, then hash, then id.
    fn order(&mut self, btf: &'a Btf, slots: &mut [Key]) {
        // Anonymous types (own name "", the smallest) go first, still in id order; only the
        // named ones need sorting by name.
        let mut anon = 0;
        for i in 0..slots.len() {
            if btf.ty(TypeId(slots[i][4])).name().is_empty() {
                slots.swap(anon, i);
                anon += 1;
            }
        }
        let (anonymous, named) = slots.split_at_mut(anon);
        if anonymous.len() > 1 {
            self.by_hash(btf, anonymous);
        }
        if named.len() < 2 {
            return;
        }
        self.by_own.clear();
        self.by_own
            .extend(named.iter().map(|k| (btf.ty(TypeId(k[4])).name(), k[4])));
        self.by_own.sort_unstable();
        for (slot, &(_, id)) in named.iter_mut().zip(&self.by_own) {
            slot[4] = id;
        }
        let mut at = 0;
        while at < named.len() {
            let name = self.by_own[at].0;
            let len = self.by_own[at..]
                .iter()
                .take_while(|&&(n, _)| n == name)
                .count();
            if len > 1 {
                self.by_hash(btf, &mut named[at..at + len]);
            }
            at += len;
        }
    }

    /// Orders `slots` (ids ascending on entry) by hash, then id. The hash is stored over the
    /// prefix words (equal across `slots`). Hash 0 (prototypes and pointers to them) sorts
    /// first and keeps the entry order, so only the others need sorting.
    fn by_hash(&mut self, btf: &Btf, slots: &mut [Key]) {
        if same_hash(btf, slots) {
            return;
        }
        for k in slots.iter_mut() {
            let h = disambig_hash(btf, TypeId(k[4]), true, &mut self.memo);
            (k[0], k[1]) = ((h >> 32) as u32, h as u32);
        }
        // Zeros to the front in their order (the others are sorted next anyway).
        let mut zeros = 0;
        for i in 0..slots.len() {
            if slots[i][..2] == [0, 0] {
                slots.swap(zeros, i);
                zeros += 1;
            }
        }
        slots[zeros..].sort_unstable_by_key(wide);
    }
}

/// Whether every key of `slots` has the same hash without computing it: all are chains with
/// the same link contributions to one terminal type (pointers and qualifiers of one struct,
/// the common case), whose hash is then `links + hash(terminal)` for all of them.
fn same_hash(btf: &Btf, slots: &[Key]) -> bool {
    let mut common: Option<(TypeId, u64)> = None;
    for k in slots {
        let mut t = btf.ty(TypeId(k[4]));
        let mut sum = 0u64;
        let mut len = 0;
        while let Some((add, next)) = link(btf, &t) {
            sum = sum.wrapping_add(add);
            t = btf.ty(next);
            len += 1;
            if len > LONG_CHAIN {
                return false;
            }
        }
        match common {
            None => common = Some((t.id(), sum)),
            Some(c) if c == (t.id(), sum) => {}
            Some(_) => return false,
        }
    }
    true
}

/// A sort key: the rank and the first fifteen bytes of the sort name, big-endian in four
/// words (names hold no NUL, so zero padding keeps byte order), then the type id. 20 bytes,
/// ordered by [`wide`]: rank, name prefix, id.
type Key = [u32; 5];

fn key(rank: u8, name: &str, id: u32) -> Key {
    let mut b = [0u8; 16];
    b[0] = rank;
    let n = name.len().min(15);
    b[1..=n].copy_from_slice(&name.as_bytes()[..n]);
    let w = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    [w(0), w(4), w(8), w(12), id]
}

/// The key as integers: comparing these is much cheaper than comparing arrays.
fn wide(k: &Key) -> (u64, u64, u32) {
    (
        u64::from(k[0]) << 32 | u64::from(k[1]),
        u64::from(k[2]) << 32 | u64::from(k[3]),
        k[4],
    )
}

/// Whether two keys have the same rank and name prefix.
fn same_prefix(a: &Key, b: &Key) -> bool {
    a[..4] == b[..4]
}

/// FUNC, VAR, DATASEC and DECL_TAG: dumping one as a root only marks it ordered.
fn inert(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::FUNC | Kind::VAR | Kind::DATASEC | Kind::DECL_TAG
    )
}

/// Which inert types an ordering walk can reach (through a member, pointer, typedef,
/// modifier, array or prototype): only there does the moment they were marked show (never in
/// BTF from compilers). One bit per id.
///
/// Two sequential passes (the kinds first, then the edges) instead of looking up each edge's
/// target record, which would touch the whole type section in random order.
fn reachable_inert(btf: &Btf) -> Vec<u64> {
    let words = (btf.type_cnt() as usize).div_ceil(64);
    let mut inert_ids = vec![0u64; words];
    for id in btf.ids() {
        if inert(btf.ty(id).kind()) {
            if let Some(w) = inert_ids.get_mut(id.0 as usize / 64) {
                *w |= 1 << (id.0 % 64);
            }
        }
    }
    let mut bits = vec![0u64; words];
    let mut mark = |id: TypeId| {
        let (w, b) = (id.0 as usize / 64, id.0 % 64);
        if inert_ids.get(w).is_some_and(|x| x >> b & 1 != 0) {
            if let Some(x) = bits.get_mut(w) {
                *x |= 1 << b;
            }
        }
    };
    for id in btf.ids() {
        let t = btf.ty(id);
        match t.kind() {
            Kind::PTR
            | Kind::TYPEDEF
            | Kind::VOLATILE
            | Kind::CONST
            | Kind::RESTRICT
            | Kind::TYPE_TAG => mark(t.type_id()),
            Kind::ARRAY => mark(t.array().elem),
            Kind::STRUCT | Kind::UNION => t.member_layouts().for_each(|m| mark(m.type_id)),
            Kind::FUNC_PROTO => {
                mark(t.type_id());
                (0..t.vlen())
                    .filter_map(|i| t.param_type(i))
                    .for_each(&mut mark);
            }
            _ => {}
        }
    }
    bits
}

/// The roots bpftool 7.5+ dumps, in its sorted order: every id (void and, for split BTF, the
/// base included) sorted by rank, sort name, own name, hash and id; with `skip_first`, the
/// first of that order left out, as bpftool 7.5–7.8 do.
///
/// Roots whose dump cannot change anything (inert kinds no ordering walk reaches) are left
/// out of the sort: on a kernel that is half of all types. The skipped first position is
/// still judged over all types.
pub(super) fn sorted_roots(btf: &Btf, skip_first: bool) -> Vec<TypeId> {
    Staged::new(btf, skip_first).rest()
}

/// [`sorted_roots`] in two stages, for a viewer that shows the first screen before the whole
/// header: [`Staged::head`] orders only the first roots (a partial selection on the packed
/// keys, the tied run at its end completed), [`Staged::rest`] the others; head then rest is
/// exactly [`sorted_roots`].
pub(super) struct Staged<'a> {
    btf: &'a Btf,
    skip_first: bool,
    /// Keys of every root that is not rank 10 with an empty sort name; the first `head` of
    /// them are ordered and handed out.
    keys: Vec<Key>,
    /// Rank-10 types with an empty sort name (anonymous prototypes, pointers to them,
    /// anonymous aggregates: a third of a kernel): they all tie on the first two keys, are
    /// kept apart in id order and placed between the lower ranks and the other rank-10s.
    nameless: Vec<Key>,
    head: usize,
    chains: Chains,
    ties: Ties<'a>,
}

impl<'a> Staged<'a> {
    pub(super) fn new(btf: &'a Btf, skip_first: bool) -> Self {
        let reachable = reachable_inert(btf);
        let reachable_bit = |i: u32| {
            reachable
                .get(i as usize / 64)
                .is_some_and(|w| w >> (i % 64) & 1 != 0)
        };
        let mut chains = Chains::new(btf);
        let mut keys: Vec<Key> = Vec::new();
        let mut nameless: Vec<Key> = Vec::new();
        for i in 0..btf.type_cnt() {
            let t = btf.ty(TypeId(i));
            if inert(t.kind()) && !reachable_bit(i) {
                continue;
            }
            let k = chains.key(btf, t);
            if k[..4] == NAMELESS_MAX_RANK {
                nameless.push(k);
            } else {
                keys.push(k);
            }
        }
        Staged {
            btf,
            skip_first,
            keys,
            nameless,
            head: 0,
            chains,
            ties: Ties::default(),
        }
    }

    /// The first roots, at least `n` of them when that many sort below rank 10 (else none:
    /// [`Staged::rest`] then gives them all).
    pub(super) fn head(&mut self, n: usize) -> Vec<TypeId> {
        let keys = &mut self.keys;
        if n == 0 || n >= keys.len() {
            return Vec::new();
        }
        keys.select_nth_unstable_by_key(n, wide);
        // The run of keys tying with the last of the first n on rank and name prefix is
        // ordered as a whole: bring the rest of it into the head.
        let last = *keys[..n].iter().max_by_key(|k| wide(k)).unwrap_or(&keys[0]);
        let mut end = n;
        for i in n..keys.len() {
            if same_prefix(&keys[i], &last) {
                keys.swap(i, end);
                end += 1;
            }
        }
        if last[0] >> 24 >= u32::from(MAX_RANK) {
            // The nameless rank-10s go before the other rank-10s: not a simple prefix.
            return Vec::new();
        }
        let head = &mut keys[..end];
        head.sort_unstable_by_key(wide);
        order_runs(self.btf, head, &mut self.ties, &mut self.chains);
        self.head = end;
        let mut roots: Vec<TypeId> = head.iter().map(|k| TypeId(k[4])).collect();
        if self.skip_first {
            skip_first_root(self.btf, &mut roots);
        }
        roots
    }

    /// The roots after the head, in order.
    pub(super) fn rest(mut self) -> Vec<TypeId> {
        let btf = self.btf;
        let keys = &mut self.keys[self.head..];
        keys.sort_unstable_by_key(wide);
        // Before `order_runs`, which may overwrite prefix words of tied keys.
        let split = keys.partition_point(|k| k[0] >> 24 < u32::from(MAX_RANK));
        order_runs(btf, keys, &mut self.ties, &mut self.chains);
        self.ties.order(btf, &mut self.nameless);
        let mut roots: Vec<TypeId> = Vec::with_capacity(keys.len() + self.nameless.len());
        roots.extend(keys[..split].iter().map(|k| TypeId(k[4])));
        roots.extend(self.nameless.iter().map(|k| TypeId(k[4])));
        roots.extend(keys[split..].iter().map(|k| TypeId(k[4])));
        if self.head == 0 && self.skip_first {
            skip_first_root(btf, &mut roots);
        }
        roots
    }
}

/// bpftool 7.5–7.8's skipped first root (`roots` starts the whole order).
fn skip_first_root(btf: &Btf, roots: &mut Vec<TypeId>) {
    let Some(&first) = roots.first() else {
        return;
    };
    // Only if no left-out type sorts before it (skipping one of those changes nothing).
    let reachable = reachable_inert(btf);
    let needed = |i: u32| {
        !inert(btf.ty(TypeId(i)).kind())
            || reachable
                .get(i as usize / 64)
                .is_some_and(|w| w >> (i % 64) & 1 != 0)
    };
    let mut memo = Memo::default();
    let mut chains = Chains::new(btf);
    let before = (0..btf.type_cnt())
        .filter(|&i| !needed(i))
        .any(|i| cmp_full(btf, TypeId(i), first, &mut memo, &mut chains).is_lt());
    if !before {
        roots.remove(0);
    }
}

/// The prefix words of a rank-10 key with an empty sort name.
const NAMELESS_MAX_RANK: [u32; 4] = [(MAX_RANK as u32) << 24, 0, 0, 0];

/// Finishes keys sorted on their prefix: runs that tie on it are ordered on the whole sort
/// name (unless the prefix held all of it), then on own name and hash.
fn order_runs<'a>(btf: &'a Btf, keys: &mut [Key], ties: &mut Ties<'a>, chains: &mut Chains) {
    let mut by_name: Vec<(&str, u32)> = Vec::new();
    for run in keys.chunk_by_mut(same_prefix) {
        if run.len() == 1 {
            continue;
        }
        // A zero last prefix byte: the prefix holds the whole sort name, so the run ties.
        if run[0][3] & 0xff == 0 {
            ties.order(btf, run);
            continue;
        }
        by_name.clear();
        by_name.extend(
            run.iter()
                .map(|k| (btf.name(chains.sort_name_off(btf, TypeId(k[4]))), k[4])),
        );
        by_name.sort_unstable();
        for (slot, &(_, id)) in run.iter_mut().zip(&by_name) {
            slot[4] = id;
        }
        let mut start = 0;
        for tie in by_name.chunk_by(|a, b| a.0 == b.0) {
            let slots = &mut run[start..start + tie.len()];
            start += tie.len();
            if tie.len() > 1 {
                ties.order(btf, slots);
            }
        }
    }
}

/// bpftool's comparator on two ids (for the few comparisons outside the staged sort).
pub(super) fn cmp_full(
    btf: &Btf,
    a: TypeId,
    b: TypeId,
    memo: &mut Memo,
    chains: &mut Chains,
) -> std::cmp::Ordering {
    chains
        .rank(btf, a)
        .cmp(&chains.rank(btf, b))
        .then_with(|| {
            btf.name(chains.sort_name_off(btf, a))
                .cmp(btf.name(chains.sort_name_off(btf, b)))
        })
        .then_with(|| btf.ty(a).name().cmp(btf.ty(b).name()))
        .then_with(|| disambig_hash(btf, a, true, memo).cmp(&disambig_hash(btf, b, true, memo)))
        .then(a.cmp(&b))
}
