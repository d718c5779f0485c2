//! What the session holds, by the slot number the app gave each.

/// Values by slot: a list, as a session holds a few kernels and objects at a time (the app
/// tells the worker which to keep), and a map's code would outweigh them in the wasm.
#[derive(Debug)]
pub struct Slots<T> {
    held: Vec<(u32, T)>,
}

impl<T> Default for Slots<T> {
    fn default() -> Slots<T> {
        Slots { held: Vec::new() }
    }
}

impl<T> Slots<T> {
    /// The value in `slot`.
    pub fn get(&self, slot: u32) -> Option<&T> {
        self.held.iter().find(|(s, _)| *s == slot).map(|(_, v)| v)
    }

    /// Puts `value` in `slot`, dropping what was there, and returns it.
    pub fn insert(&mut self, slot: u32, value: T) -> &T {
        self.held.retain(|(s, _)| *s != slot);
        self.held.push((slot, value));
        &self.held[self.held.len() - 1].1
    }

    /// Drops every value whose slot is not in `slots`.
    pub fn retain(&mut self, slots: &[u32]) {
        self.held.retain(|(s, _)| slots.contains(s));
    }
}
