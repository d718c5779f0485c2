//! The kernel catalogue as the playground sees it: the builds the picker lists (with the
//! files a build's BTF is rebuilt from), and the answer to "where is X" over every build.

use serde::{Deserialize, Serialize};

#[cfg(test)]
mod tests;

/// One catalogue build (a row of `corelab catalog list`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CatalogBuild {
    /// Stable id, `debian12-6.1.0-50-arm64` (URLs spell it `@debian12-6.1.0-50-arm64`).
    pub name: String,
    /// `uname -r`.
    pub release: String,
    /// Debian architecture.
    pub arch: String,
    /// Debian suite.
    pub suite: String,
    /// Kernel series, `6.1`.
    pub series: String,
    /// Flavour, `arm64`, `cloud-amd64`, `rt-amd64`.
    pub flavour: String,
    /// Package version.
    pub version: String,
    /// Number of types.
    pub types: u32,
    /// The archive segments its BTF is rebuilt from, reference first: (file offset,
    /// compressed length). The page fetches each as `dist/catalog/s/<version>/<offset>.bin`.
    pub segments: Vec<(u64, u64)>,
}

impl CatalogBuild {
    /// Bytes fetched to rebuild it (the head aside).
    pub fn transfer(&self) -> u64 {
        self.segments.iter().map(|s| s.1).sum()
    }
}

/// The catalogue's builds, in catalogue order.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct CatalogListing {
    /// Every build.
    pub builds: Vec<CatalogBuild>,
    /// Bytes of the preamble and head (fetched once).
    pub head_bytes: u64,
    /// The whole archive's size.
    pub archive_bytes: u64,
    /// The where-index's shards: (file offset, compressed length) each.
    pub shards: Vec<(u64, u64)>,
    /// The first 16 hex digits of the head's sha256: the directory its segments are served
    /// from (`dist/catalog/s/<version>/<offset>.bin`), so a new archive never meets old segments.
    pub version: String,
}

impl CatalogListing {
    /// The build named `name` (with or without the `@`).
    pub fn find(&self, name: &str) -> Option<&CatalogBuild> {
        let name = name.strip_prefix('@').unwrap_or(name);
        self.builds.iter().find(|b| b.name == name)
    }

    /// The distinct values of one field (suites, series, architectures), in catalogue order.
    pub fn values(&self, field: fn(&CatalogBuild) -> &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for b in &self.builds {
            let v = field(b);
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }

    /// The builds (indices, catalogue order) that match every word of `query`, ignoring
    /// case. A word that is some build's suite, series, architecture or flavour (`arm64`,
    /// `6.1`, `bookworm`) must be that build's; any other word is looked for in the id and
    /// the version (`6.1.0-4`, `+deb12u1`, `debian13`).
    pub fn matching(&self, query: &str) -> Vec<u32> {
        let words: Vec<String> = query
            .split_whitespace()
            .map(str::to_ascii_lowercase)
            .collect();
        fn fields(b: &CatalogBuild) -> [&str; 4] {
            [&b.suite, &b.series, &b.arch, &b.flavour]
        }
        let exact: Vec<bool> = words
            .iter()
            .map(|w| {
                self.builds
                    .iter()
                    .any(|b| fields(b).iter().any(|f| f.eq_ignore_ascii_case(w)))
            })
            .collect();
        (0..self.builds.len() as u32)
            .filter(|&i| {
                let b = &self.builds[i as usize];
                words.iter().zip(&exact).all(|(w, &exact)| {
                    if exact {
                        fields(b).iter().any(|f| f.eq_ignore_ascii_case(w))
                    } else {
                        b.name.to_ascii_lowercase().contains(w.as_str())
                            || b.version.to_ascii_lowercase().contains(w.as_str())
                    }
                })
            })
            .collect()
    }
}

/// A run of builds (catalogue order) that give the same answer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct WhereRun {
    /// First build (index into the listing).
    pub first: u32,
    /// How many builds.
    pub len: u32,
    /// What they say, one line per fact (core's `Fact::describe`); empty: they lack it.
    pub facts: Vec<String>,
    /// The first fact's place in bits, for the chart: a member's (offset, size), a type's
    /// (0, size).
    pub bits: Option<(u32, u32)>,
    /// Which distinct answer this is (0-based, in order of first appearance; for colours).
    pub answer: u32,
}

/// "Where is PATH" over every build.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct WhereTable {
    /// The question.
    pub path: String,
    /// Runs covering every build.
    pub runs: Vec<WhereRun>,
    /// Builds that have it.
    pub present: u32,
    /// Distinct answers among those.
    pub answers: u32,
}

/// The answer to a where-question: the table, or a shard to fetch first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum WhereOutcome {
    /// The answer.
    Table(WhereTable),
    /// Shard `index` is needed (by its place in [`CatalogListing::shards`]).
    NeedShard(u32),
}
