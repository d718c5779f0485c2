//! The `corelab` CLI's verbs as a library: each `cmd` module parses its arguments (clap) and
//! renders what the engine computed (text tables, JSON lines). `main.rs` only dispatches;
//! tests render through the same code (e.g. the oracle comparison of `reloc --json`).

pub mod cmd;
pub mod kernels;
pub mod load;

/// An error to report: the file it concerns and what went wrong.
#[derive(Debug)]
pub struct Failure {
    /// The file the error is about (empty if none).
    pub file: String,
    /// The message.
    pub message: String,
}

impl Failure {
    /// A failure about `file`.
    pub fn new(file: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Failure {
            file: file.into(),
            message: message.to_string(),
        }
    }

    /// A failure whose message was already printed (exit 1, nothing more on stderr).
    pub fn silent() -> Self {
        Failure {
            file: String::new(),
            message: String::new(),
        }
    }
}
