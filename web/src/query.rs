//! One generic way from a view to the engine: a [`Query`] is a question whose value is its
//! own key (the inputs the answer depends on), answered by the engine with its `Reply`.
//!
//! A view asks with `hooks::use_query(Some(key))` and gets a [`Fetch`]; the worker answers
//! with [`Query::run`] on its [`Session`]; [`QueryCache`] keeps the last answers of each
//! kind by key, so switching tabs and back shows them at once, and a reply to inputs the
//! view no longer wants is never shown for other ones (it is kept under its own key).
//!
//! Adding a question: a type implementing [`Query`] (here, next to its kind's other
//! questions), and one line in `views::queries!`, which gives every query its place in the
//! worker protocol ([`AnyQuery`], [`AnyReply`]) and the [`Registered`] conversions.

use std::any::Any;
use std::fmt::Debug;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::session::Session;
use crate::shared::Shared;

pub mod ask;
pub mod catalog;
pub mod kernel;
pub mod loadlog;
pub mod object;
pub mod structs;
pub mod sweep;

mod cache;
#[cfg(test)]
mod tests;

pub use crate::views::{AnyQuery, AnyReply};
pub use cache::{Answer, QueryCache};

/// A question a view asks the engine. The value is its key: two equal queries have the same
/// answer, so answers are cached by key.
pub trait Query: Clone + PartialEq + Debug + Serialize + DeserializeOwned + 'static {
    /// The answer.
    type Reply: Payload + 'static;

    /// How many answers of this kind the app keeps (the most recently used).
    const KEEP: usize = 4;

    /// Computes the answer in the engine (the worker, the native tests). A query whose
    /// answer takes long may hand early, incomplete answers to `partial` (the first screen of
    /// a header) before returning the whole one.
    fn run(
        &self,
        session: &mut Session,
        partial: &mut dyn FnMut(Self::Reply),
    ) -> Result<Self::Reply, String>;
}

/// A query listed in `views::queries!`: its place in the protocol's enums.
pub trait Registered: Query {
    /// The query as the protocol carries it.
    fn wrap(self) -> AnyQuery;
    /// This query's answer, if `reply` is one.
    fn unwrap(reply: AnyReply) -> Option<Self::Reply>;
}

/// Bulk data that crosses to the app as a typed array whose buffer is transferred, not
/// copied into the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blob {
    /// Bytes (text).
    Bytes(Vec<u8>),
    /// 32-bit words (line starts, links, anchors).
    Words(Vec<u32>),
}

impl Blob {
    /// The bytes (empty for words).
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Blob::Bytes(b) => b,
            Blob::Words(_) => Vec::new(),
        }
    }

    /// The words (empty for bytes).
    pub fn into_words(self) -> Vec<u32> {
        match self {
            Blob::Words(w) => w,
            Blob::Bytes(_) => Vec::new(),
        }
    }
}

/// An answer as it crosses: its body goes through postcard, and a big answer moves its bulk
/// into [`Blob`]s (the rest of its body then holds none of it).
pub trait Payload: Serialize + DeserializeOwned {
    /// Moves the bulk out, before encoding.
    fn take_blobs(&mut self) -> Vec<Blob> {
        Vec::new()
    }
    /// Puts the bulk back, after decoding.
    fn put_blobs(&mut self, blobs: Vec<Blob>) {
        let _ = blobs;
    }
}

/// What a view has of the answer it asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetch<T> {
    /// Nothing asked (the view has no inputs yet).
    Idle,
    /// Asked; the last answer this view showed, for other inputs, if any.
    Waiting(Option<Shared<T>>),
    /// An early, incomplete answer; the whole one is on its way.
    Partial(Shared<T>),
    /// The answer.
    Ready(Shared<T>),
    /// Why there is none.
    Failed(String),
}

impl<T> Fetch<T> {
    /// The whole answer, if it is here.
    pub fn ready(&self) -> Option<&Shared<T>> {
        match self {
            Fetch::Ready(v) => Some(v),
            _ => None,
        }
    }

    /// The answer to show: the whole one, else an early one.
    pub fn shown(&self) -> Option<&Shared<T>> {
        match self {
            Fetch::Ready(v) | Fetch::Partial(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the answer for the current inputs is still on its way.
    pub fn waiting(&self) -> bool {
        matches!(self, Fetch::Waiting(_) | Fetch::Partial(_))
    }
}

impl<T: 'static> Fetch<T> {
    /// What the cache holds for a key (`None`: nothing, not even asked).
    pub fn from_answer(answer: Option<&Answer>) -> Option<Fetch<T>> {
        let value = |v: &Rc<dyn Any>| v.clone().downcast::<T>().ok().map(Shared::from_rc);
        match answer? {
            Answer::Pending(None) => None,
            Answer::Pending(Some(p)) => value(p).map(Fetch::Partial),
            Answer::Done(Ok(v)) => value(v).map(Fetch::Ready),
            Answer::Done(Err(e)) => Some(Fetch::Failed(e.clone())),
        }
    }
}

/// The key bytes of a query: its protocol encoding (the variant tag keeps kinds apart).
pub fn key(q: &AnyQuery) -> Vec<u8> {
    crate::protocol::encode(q).unwrap_or_default()
}
