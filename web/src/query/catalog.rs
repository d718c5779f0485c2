//! The kernel catalogue's questions: "where is NAME[.MEMBER…]" over every build, answered
//! from the catalogue's where-index (core's `where_is`) without rebuilding any build; and
//! which builds a selection names, for sweeps.
//!
//! The index is sharded by name and the page fetches shards as they are needed: the key
//! holds the shards handed to the engine so far, and an answer may be "fetch shard N
//! first" ([`WhereOutcome::NeedShard`]); the view fetches it and asks again with the longer
//! list (a member path can lead through types whose keys live in other shards).

use serde::{Deserialize, Serialize};

use super::{Payload, Query};
use crate::dto::catalog::WhereOutcome;
use crate::dto::sweep::Selection;
use crate::session::Session;
use crate::state::Workspace;

/// The question.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct WhereQuery {
    /// `task_struct.__state`.
    pub path: String,
    /// The index shards handed to the engine so far.
    pub shards: Vec<u32>,
}

impl WhereQuery {
    /// The question the workspace asks, with the shards handed over so far (`None`: none
    /// asked).
    pub fn of(w: &Workspace, shards: &[u32]) -> Option<WhereQuery> {
        (!w.catalog.path.is_empty()).then(|| WhereQuery {
            path: w.catalog.path.clone(),
            shards: shards.to_vec(),
        })
    }
}

impl Payload for WhereOutcome {}

impl Query for WhereQuery {
    type Reply = WhereOutcome;
    const KEEP: usize = 8;

    fn run(
        &self,
        session: &mut Session,
        _: &mut dyn FnMut(WhereOutcome),
    ) -> Result<WhereOutcome, String> {
        session.catalog_where(&self.path)
    }
}

/// A catalogue selection (`bookworm/arm64`, `all`, `6.1`: the CLI's `@…` syntax, read by
/// core's selector) resolved to its builds and the order to sweep them in.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct SelectQuery {
    /// The selection as written (with or without `@`).
    pub selector: String,
}

impl Payload for Selection {}

impl Query for SelectQuery {
    type Reply = Selection;
    const KEEP: usize = 8;

    fn run(
        &self,
        session: &mut Session,
        _: &mut dyn FnMut(Selection),
    ) -> Result<Selection, String> {
        session.catalog_select(&self.selector)
    }
}
