//! libbpf's stderr messages during a C dump, and the errors that end one.

use std::fmt;

use crate::btf::{Kind, TypeId};

/// A message libbpf prints on stderr (bpftool shows it as `libbpf: <message>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// `btf__align_of` met a kind without an alignment (void, FWD, FUNC, VAR, …).
    UnsupportedKind(Kind),
    /// A declarator chain ended in a kind no declarator has (FUNC, VAR, DATASEC, DECL_TAG).
    UnexpectedInDecl {
        /// The offending kind.
        kind: Kind,
        /// Its id.
        id: TypeId,
    },
    /// An anonymous struct or union contains itself.
    AnonymousLoop(TypeId),
    /// Ordering met a cycle that no forward declaration can break (the dump stops).
    Cycle(TypeId),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UnsupportedKind(k) => write!(f, "unsupported BTF_KIND:{}", k.0),
            Warning::UnexpectedInDecl { kind, id } => write!(
                f,
                "unexpected type in decl chain, kind:{}, id:[{}]",
                kind.0, id.0
            ),
            Warning::AnonymousLoop(id) => write!(f, "anonymous struct/union loop, id:[{}]", id.0),
            Warning::Cycle(id) => write!(f, "unsatisfiable type cycle, id:[{}]", id.0),
        }
    }
}

/// Why a header could not be finished. The sink keeps what was produced before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// Types embed each other by value (bpftool: `unsatisfiable type cycle`, exit 216). The
    /// output stops where bpftool's does, without the footer.
    Cycle(TypeId),
    /// A kind the C dumper does not know (libbpf returns `-EINVAL`).
    UnknownKind {
        /// The type.
        id: TypeId,
        /// Its kind.
        kind: Kind,
    },
    /// Declarations nest deeper than [`MAX_NESTING`](super::MAX_NESTING) (hostile input; libbpf
    /// would recurse until its stack overflows).
    TooDeep(TypeId),
    /// A root named on the command line does not exist.
    NoSuchRoot(String),
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::Cycle(id) => write!(f, "unsatisfiable type cycle, id:[{}]", id.0),
            HeaderError::UnknownKind { id, kind } => {
                write!(f, "type [{}]: {kind} cannot be written as C", id.0)
            }
            HeaderError::TooDeep(id) => write!(
                f,
                "type [{}]: declarations nested deeper than {} levels",
                id.0,
                super::MAX_NESTING
            ),
            HeaderError::NoSuchRoot(name) => write!(f, "no type named '{name}'"),
        }
    }
}

impl std::error::Error for HeaderError {}
