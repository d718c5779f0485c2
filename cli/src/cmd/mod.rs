//! One module per verb: its clap arguments and its `run`.

pub mod access;
pub mod catalog;
pub mod diff;
pub mod dump;
pub mod explain_log;
pub mod guard;
pub mod header;
pub mod history;
pub mod info;
pub mod layout;
pub mod matrix;
pub mod minimize;
mod on_kernel;
pub mod reloc;
