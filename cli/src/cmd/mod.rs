//! One module per verb: its clap arguments and its `run`.

pub mod diff;
pub mod dump;
pub mod guard;
pub mod history;
pub mod info;
pub mod matrix;
pub mod minimize;
pub mod reloc;
