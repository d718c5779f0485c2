//! The one error type of the parse layer: what was wrong with the input, and where.
//!
//! Every error found in input bytes carries the byte offset it was found at. Offsets are
//! absolute within the innermost buffer that was being read (a BTF blob, an ELF file, a
//! decompressed stream); [`Error::within`] rebases an offset when an outer layer knows where
//! that buffer sits (an ELF section inside a file), and names the space it belongs to.

use std::fmt;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What was wrong with the input, with the byte offset it was found at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    offset: Option<u64>,
    /// The buffer `offset` counts in when it is not the input file itself
    /// (e.g. `"section .BTF"`, `"decompressed gzip data"`).
    space: Option<String>,
}

/// The categories of input errors. Messages are lowercase and name the structure involved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ends before a structure that must be there.
    Truncated {
        /// The structure being read.
        what: &'static str,
        /// Bytes the structure needs.
        needed: u64,
        /// Bytes that are left.
        available: u64,
    },
    /// The input is not of any format this engine reads.
    UnknownFormat,
    /// The BTF magic number is neither `0xeb9f` nor its byte swap.
    BadMagic(u16),
    /// A structural rule of the format is broken; the text says which.
    Malformed(String),
    /// The input is well-formed but uses something this engine (or libbpf) does not support.
    Unsupported(String),
    /// A resource limit protecting against hostile input was reached.
    LimitExceeded(String),
}

impl Error {
    /// An error of `kind` at `offset`.
    #[cold]
    pub fn new(kind: ErrorKind, offset: u64) -> Self {
        Error {
            kind,
            offset: Some(offset),
            space: None,
        }
    }

    /// An error that has no meaningful position (e.g. an unknown format).
    #[cold]
    pub fn unpositioned(kind: ErrorKind) -> Self {
        Error {
            kind,
            offset: None,
            space: None,
        }
    }

    /// A [`ErrorKind::Malformed`] error at `offset`.
    #[cold]
    pub fn malformed(offset: u64, msg: impl Into<String>) -> Self {
        Self::new(ErrorKind::Malformed(msg.into()), offset)
    }

    /// A [`ErrorKind::Unsupported`] error at `offset`.
    #[cold]
    pub fn unsupported(offset: u64, msg: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported(msg.into()), offset)
    }

    /// A [`ErrorKind::LimitExceeded`] error at `offset`.
    #[cold]
    pub fn limit(offset: u64, msg: impl Into<String>) -> Self {
        Self::new(ErrorKind::LimitExceeded(msg.into()), offset)
    }

    /// A [`ErrorKind::Truncated`] error: `what` needs `needed` bytes at `offset`, `available` remain.
    #[cold]
    pub fn truncated(what: &'static str, offset: u64, needed: u64, available: u64) -> Self {
        Self::new(
            ErrorKind::Truncated {
                what,
                needed,
                available,
            },
            offset,
        )
    }

    /// Rebase the offset by `base` and record the space it now counts in (`None`: the file).
    ///
    /// Used by outer layers: a BTF error at blob offset 0x10 inside a `.BTF` section at file
    /// offset 0x400 becomes an error at file offset 0x410.
    pub fn within(mut self, base: u64, space: Option<&str>) -> Self {
        if self.space.is_none() {
            self.offset = self.offset.map(|o| o.saturating_add(base));
            self.space = space.map(str::to_owned);
        }
        self
    }

    /// Name the buffer the offset counts in, unless a more specific one was already named.
    pub fn in_space(mut self, space: &str) -> Self {
        if self.space.is_none() {
            self.space = Some(space.to_owned());
        }
        self
    }

    /// What was wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Where it was found, if it has a position.
    pub fn offset(&self) -> Option<u64> {
        self.offset
    }

    /// The buffer the offset counts in, if it is not the input file.
    pub fn space(&self) -> Option<&str> {
        self.space.as_deref()
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Truncated {
                what,
                needed,
                available,
            } => {
                write!(
                    f,
                    "truncated {what}: needs {needed} bytes, {available} available"
                )
            }
            ErrorKind::UnknownFormat => {
                f.write_str("not a recognised input (raw BTF, ELF, gzip, xz, zstd or tar expected)")
            }
            ErrorKind::BadMagic(m) => write!(f, "invalid BTF magic {m:#06x} (expected 0xeb9f)"),
            ErrorKind::Malformed(m) | ErrorKind::Unsupported(m) | ErrorKind::LimitExceeded(m) => {
                f.write_str(m)
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.offset, &self.space) {
            (Some(o), Some(s)) => write!(f, "offset {o:#x} of {s}: {}", self.kind),
            (Some(o), None) => write!(f, "offset {o:#x}: {}", self.kind),
            (None, Some(s)) => write!(f, "{s}: {}", self.kind),
            (None, None) => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for Error {}
