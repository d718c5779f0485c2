//! Instant type search on the main thread, without the engine.
//!
//! The worker sends the named types once, sorted ([`TypeIndexData`]). [`TypeIndex`] keeps a
//! lowercase copy of all names in one buffer, so a query is a single `memmem` scan over a few
//! megabytes (about a millisecond for 126k types) instead of 126k string compares. A query that
//! extends the previous one filters the previous hits when they are few. Hits are ranked: exact
//! name, then prefix, then substring; within a rank, index order (name, kind, id).

use std::ops::Range;

use crate::dto::TypeIndexData;

/// Kinds a search can be narrowed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum KindFilter {
    /// Every kind.
    #[default]
    All,
    /// STRUCT.
    Struct,
    /// UNION.
    Union,
    /// ENUM and ENUM64.
    Enum,
    /// TYPEDEF.
    Typedef,
    /// FUNC.
    Func,
    /// VAR and DATASEC.
    Var,
}

impl KindFilter {
    /// Every filter, in display order.
    pub const ALL: [KindFilter; 7] = [
        KindFilter::All,
        KindFilter::Struct,
        KindFilter::Union,
        KindFilter::Enum,
        KindFilter::Typedef,
        KindFilter::Func,
        KindFilter::Var,
    ];

    /// The label (and URL spelling).
    pub fn label(self) -> &'static str {
        match self {
            KindFilter::All => "all",
            KindFilter::Struct => "struct",
            KindFilter::Union => "union",
            KindFilter::Enum => "enum",
            KindFilter::Typedef => "typedef",
            KindFilter::Func => "func",
            KindFilter::Var => "var",
        }
    }

    /// The filter spelled `s` in a URL.
    pub fn parse(s: &str) -> Option<KindFilter> {
        KindFilter::ALL.into_iter().find(|f| f.label() == s)
    }

    /// Whether a type of kind number `kind` passes.
    pub fn admits(self, kind: u8) -> bool {
        match self {
            KindFilter::All => true,
            KindFilter::Struct => kind == 4,
            KindFilter::Union => kind == 5,
            KindFilter::Enum => kind == 6 || kind == 19,
            KindFilter::Typedef => kind == 8,
            KindFilter::Func => kind == 12,
            KindFilter::Var => kind == 14 || kind == 15,
        }
    }
}

/// The named types of one kernel, indexed for search.
#[derive(Debug, Default)]
pub struct TypeIndex {
    /// Names as the BTF spells them, each followed by `\n`.
    names: String,
    /// The same bytes lowercased (ASCII only, so every offset stays the same).
    lower: Vec<u8>,
    /// Start of each name in `names`, plus one final entry at `names.len()`.
    starts: Vec<u32>,
    ids: Vec<u32>,
    kinds: Vec<u8>,
    /// `(id, entry)` sorted by id, to find a type's entry.
    by_id: Vec<(u32, u32)>,
}

/// One search's result: entry numbers of the index, best first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hits {
    /// The normalised query these hits answer.
    pub query: String,
    /// The kind filter they answer.
    pub filter: KindFilter,
    /// Index entries, ranked.
    pub rows: Vec<u32>,
    /// A type id the query names directly (`#123`, `[123]`).
    pub id: Option<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Exact,
    Prefix,
    Substring,
}

impl TypeIndex {
    /// Indexes the data the engine sent.
    pub fn new(data: TypeIndexData) -> TypeIndex {
        let TypeIndexData { names, ids, kinds } = data;
        let mut starts = Vec::with_capacity(ids.len() + 1);
        let mut pos = 0u32;
        for name in names.split_terminator('\n') {
            starts.push(pos);
            pos += name.len() as u32 + 1;
        }
        // Trust the data only as far as it is consistent.
        let n = starts.len().min(ids.len()).min(kinds.len());
        starts.truncate(n);
        let end = starts.last().map_or(0, |&s| {
            s as usize + names[s as usize..].find('\n').unwrap_or(0) + 1
        });
        starts.push(end as u32);
        let mut names = names;
        names.truncate(end);
        let lower = names.as_bytes().to_ascii_lowercase();
        let mut by_id: Vec<(u32, u32)> = ids[..n]
            .iter()
            .enumerate()
            .map(|(e, &id)| (id, e as u32))
            .collect();
        by_id.sort_unstable();
        TypeIndex {
            names,
            lower,
            starts,
            ids: ids[..n].to_vec(),
            kinds: kinds[..n].to_vec(),
            by_id,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn span(&self, entry: usize) -> Range<usize> {
        self.starts[entry] as usize..self.starts[entry + 1] as usize - 1
    }

    /// Name of entry `entry`.
    pub fn name(&self, entry: usize) -> &str {
        &self.names[self.span(entry)]
    }

    /// Type id of entry `entry`.
    pub fn id(&self, entry: usize) -> u32 {
        self.ids[entry]
    }

    /// Kind number of entry `entry`.
    pub fn kind(&self, entry: usize) -> u8 {
        self.kinds[entry]
    }

    /// The entry of type `id`, if it is named.
    pub fn entry_of(&self, id: u32) -> Option<usize> {
        let i = self.by_id.partition_point(|&(i, _)| i < id);
        self.by_id
            .get(i)
            .filter(|&&(i, _)| i == id)
            .map(|&(_, e)| e as usize)
    }

    /// The type a bare name means: exact (case-sensitive) match, the kind people mean first
    /// (struct, union, enum, typedef, func, …, as the index is ordered).
    pub fn resolve(&self, name: &str) -> Option<u32> {
        let lower = name.to_ascii_lowercase();
        let first = self.lower_bound(&lower);
        (first..self.len())
            .take_while(|&e| self.lower[self.span(e)] == *lower.as_bytes())
            .find(|&e| self.name(e) == name)
            .map(|e| self.ids[e])
    }

    /// First entry whose lowercase name is not less than `lower`.
    fn lower_bound(&self, lower: &str) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if &self.lower[self.span(mid)] < lower.as_bytes() {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn rank(&self, entry: usize, q: &[u8]) -> Option<Rank> {
        let name = &self.lower[self.span(entry)];
        if name == q {
            Some(Rank::Exact)
        } else if name.starts_with(q) {
            Some(Rank::Prefix)
        } else if memchr::memmem::find(name, q).is_some() {
            Some(Rank::Substring)
        } else {
            None
        }
    }

    /// Searches for `query` among types passing `filter`. `previous` (the last result) is
    /// reused when the new query only narrows it.
    pub fn search(&self, query: &str, filter: KindFilter, previous: Option<&Hits>) -> Hits {
        let q = normalise(query);
        let id = parse_id(&q);
        if q.is_empty() || id.is_some() {
            let rows = (0..self.len() as u32)
                .filter(|&e| q.is_empty() && filter.admits(self.kinds[e as usize]))
                .collect();
            return Hits {
                query: q,
                filter,
                rows,
                id,
            };
        }
        let qb = q.as_bytes();
        let narrows = previous.filter(|p| {
            p.filter == filter
                && !p.query.is_empty()
                && q.contains(p.query.as_str())
                // Scanning everything is about as fast as re-ranking a large previous result.
                && p.rows.len() < self.len() / 8
        });
        let mut ranked: Vec<(Rank, u32)> = match narrows {
            Some(p) => p
                .rows
                .iter()
                .filter_map(|&e| self.rank(e as usize, qb).map(|r| (r, e)))
                .collect(),
            None => self.scan(qb, filter),
        };
        ranked.sort_unstable();
        Hits {
            query: q,
            filter,
            rows: ranked.into_iter().map(|(_, e)| e).collect(),
            id: None,
        }
    }

    /// One pass of `memmem` over all names; matches map to entries by walking `starts`
    /// forward, since both come in increasing order.
    fn scan(&self, q: &[u8], filter: KindFilter) -> Vec<(Rank, u32)> {
        let mut out = Vec::new();
        let mut entry = 0usize;
        let mut last = usize::MAX;
        for pos in memchr::memmem::find_iter(&self.lower, q) {
            while self.starts[entry + 1] as usize <= pos {
                entry += 1;
            }
            if entry == last || !filter.admits(self.kinds[entry]) {
                continue;
            }
            last = entry;
            let span = self.span(entry);
            // The leftmost match in an entry comes first, so this decides prefix-ness.
            let rank = if pos != span.start {
                Rank::Substring
            } else if span.len() == q.len() {
                Rank::Exact
            } else {
                Rank::Prefix
            };
            out.push((rank, entry as u32));
        }
        out
    }
}

/// Lowercase, trimmed, one line.
fn normalise(query: &str) -> String {
    query
        .trim()
        .split(['\n', '\r'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// `#123`, `[123]` or `123`: a type id.
fn parse_id(q: &str) -> Option<u32> {
    let digits = q
        .strip_prefix('#')
        .or_else(|| q.strip_prefix('[').and_then(|r| r.strip_suffix(']')))
        .unwrap_or(q);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests;
