//! The answers the app holds, by query key: asked (maybe with an early part), or done.
//!
//! Pure bookkeeping, tested natively; the `use_query` hook drives it. Each kind keeps its
//! [`crate::query::Query::KEEP`] most recently used finished answers: a header or a raw
//! listing is megabytes, a relocation table a few kilobytes.

use std::any::Any;
use std::rc::Rc;

/// What the cache has for one key.
#[derive(Clone)]
pub enum Answer {
    /// Asked, not answered yet; an early, incomplete answer if one came.
    Pending(Option<Rc<dyn Any>>),
    /// Answered.
    Done(Result<Rc<dyn Any>, String>),
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Pending(p) => write!(f, "Pending(partial: {})", p.is_some()),
            Answer::Done(Ok(_)) => f.write_str("Done(Ok)"),
            Answer::Done(Err(e)) => write!(f, "Done(Err({e:?}))"),
        }
    }
}

#[derive(Debug)]
struct Entry {
    key: Vec<u8>,
    kind: &'static str,
    keep: usize,
    answer: Answer,
    /// When it was last asked for or looked at (a counter).
    used: u64,
}

/// Answers by key.
#[derive(Debug, Default)]
pub struct QueryCache {
    entries: Vec<Entry>,
    clock: u64,
}

impl QueryCache {
    /// The answer for `key`, marking it used.
    pub fn get(&mut self, key: &[u8]) -> Option<&Answer> {
        self.clock += 1;
        let now = self.clock;
        let e = self.entries.iter_mut().find(|e| e.key == key)?;
        e.used = now;
        Some(&e.answer)
    }

    /// Whether `key` needs asking: nothing for it, neither pending nor done.
    pub fn needs_asking(&self, key: &[u8]) -> bool {
        !self.entries.iter().any(|e| e.key == key)
    }

    /// `key` (of kind `kind`, which keeps `keep` answers) has been asked.
    pub fn asked(&mut self, key: Vec<u8>, kind: &'static str, keep: usize) {
        self.clock += 1;
        self.entries.retain(|e| e.key != key);
        self.entries.push(Entry {
            key,
            kind,
            keep: keep.max(1),
            answer: Answer::Pending(None),
            used: self.clock,
        });
    }

    /// An early part of `key`'s answer arrived (ignored once the answer is done).
    pub fn part(&mut self, key: &[u8], value: Rc<dyn Any>) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.key == key) {
            if let Answer::Pending(p) = &mut e.answer {
                *p = Some(value);
            }
        }
    }

    /// `key`'s answer arrived: kept, and the least recently used finished answers of its
    /// kind beyond its limit are dropped.
    pub fn answered(&mut self, key: &[u8], value: Result<Rc<dyn Any>, String>) {
        let Some(e) = self.entries.iter_mut().find(|e| e.key == key) else {
            return;
        };
        e.answer = Answer::Done(value);
        let (kind, keep) = (e.kind, e.keep);
        let mut done: Vec<(u64, usize)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == kind && matches!(e.answer, Answer::Done(_)))
            .map(|(i, e)| (e.used, i))
            .collect();
        if done.len() <= keep {
            return;
        }
        done.sort_unstable();
        let mut drop: Vec<usize> = done[..done.len() - keep].iter().map(|&(_, i)| i).collect();
        drop.sort_unstable();
        for i in drop.into_iter().rev() {
            self.entries.remove(i);
        }
    }

    /// Forgets a failed answer, so that the next look asks again.
    pub fn forget(&mut self, key: &[u8]) {
        self.entries.retain(|e| e.key != key);
    }

    /// Number of entries (pending and done).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
