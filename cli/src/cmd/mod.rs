//! One module per verb: its clap arguments and its `run`.

pub mod dump;
pub mod header;
pub mod info;
pub mod layout;
