//! [`Shared`]: an `Rc` that compares by pointer, for props and state holding big data
//! (a type index, a 12 MB listing) so that re-renders compare one pointer, not megabytes.

use std::ops::Deref;
use std::rc::Rc;

/// Shared, immutable data compared by identity.
#[derive(Debug, Default)]
pub struct Shared<T>(Rc<T>);

impl<T> Shared<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Shared<T> {
        Shared(Rc::new(value))
    }

    /// Wraps data already behind an `Rc`.
    pub fn from_rc(rc: Rc<T>) -> Shared<T> {
        Shared(rc)
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
