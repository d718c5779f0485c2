//! The where-index as the fast path reads it: one build's facts about a name or a member,
//! the shard that holds them fetched through the caller's [`ShardSource`].

use std::sync::Arc;

use crate::catalog::index::shard_of;
use crate::catalog::{Fact, Shard, ShardSource};
use crate::error::Error;

/// Reads facts of one build at a time. A shard that cannot be had makes every later read
/// empty-handed (`None`, so the record falls back), and the first such error is kept for
/// the caller: a page that has not fetched a shard yet learns which one to fetch.
pub(super) struct Lookup<'s> {
    shards: &'s mut dyn ShardSource,
    /// The build read.
    pub build: u32,
    /// The first shard that could not be had.
    pub failed: Option<Error>,
}

impl<'s> Lookup<'s> {
    pub fn new(shards: &'s mut dyn ShardSource) -> Self {
        Lookup {
            shards,
            build: 0,
            failed: None,
        }
    }

    fn shard(&mut self, name: &str) -> Option<Arc<Shard>> {
        let count = self.shards.count();
        match self.shards.shard(shard_of(name, count)) {
            Ok(s) => Some(s),
            Err(e) => {
                self.failed.get_or_insert(e);
                None
            }
        }
    }

    /// The build's facts about the type (function, variable) `name`.
    pub fn type_facts(&mut self, name: &str) -> Option<Vec<Fact>> {
        let b = self.build;
        Some(self.shard(name)?.type_facts(name, b).to_vec())
    }

    /// The build's facts about member `path` of type `name`.
    pub fn member_facts(&mut self, name: &str, path: &str) -> Option<Vec<Fact>> {
        let b = self.build;
        Some(self.shard(name)?.member_facts(name, path, b).to_vec())
    }

    /// The member paths of type `name` the build has.
    pub fn member_paths(&mut self, name: &str) -> Option<Vec<String>> {
        let b = self.build;
        Some(
            self.shard(name)?
                .member_paths(name, b)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        )
    }

    /// The one type fact of `name` whose kind `wanted` accepts, when there is exactly one
    /// and (for a struct or union) no fact of the other composite kind shares its member
    /// list, and the index shows no second copy of it (a member with two answers: two
    /// same-sized copies store one type fact). `Some(None)`: the build has no such type.
    pub fn one_type(
        &mut self,
        name: &str,
        wanted: &dyn Fn(crate::btf::Kind) -> bool,
    ) -> Option<Option<Fact>> {
        let facts = self.type_facts(name)?;
        let mut of_kind = facts
            .iter()
            .filter(|f| matches!(f, Fact::Type { kind, .. } if wanted(*kind)));
        let first = of_kind.next().cloned();
        if of_kind.next().is_some() {
            return None;
        }
        let composites = facts
            .iter()
            .filter(|f| matches!(f, Fact::Type { kind, .. } if kind.is_composite()))
            .count();
        if first
            .as_ref()
            .is_some_and(|f| matches!(f, Fact::Type { kind, .. } if kind.is_composite()))
            && composites > 1
        {
            return None;
        }
        let aggregate = first.as_ref().is_some_and(
            |f| matches!(f, Fact::Type { kind, .. } if kind.is_composite() || kind.is_any_enum()),
        );
        if aggregate {
            let b = self.build;
            if self.shard(name)?.shows_several(name, b) {
                return None;
            }
        }
        Some(first)
    }
}
