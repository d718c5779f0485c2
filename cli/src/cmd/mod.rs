//! One module per verb: its clap arguments and its `run`.

pub mod dump;
pub mod info;
pub mod reloc;
