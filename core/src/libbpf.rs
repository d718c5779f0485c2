//! Which libbpf corelab reproduces: named releases, each a set of behaviour switches.
//!
//! libbpf's releases differ in a few independent behaviours that change what a relocation
//! computes or how its log reads. They are switches here, each read in exactly one place,
//! never version comparisons scattered through `reloc` and `kconfig` (the same scheme as
//! [`crate::header::Profile`] for bpftool). The default is Debian's current libbpf, 1.7.
//!
//! What differs between 1.5.0 (Debian trixie) and 1.7.0 (Debian sid), read from the two
//! releases' `relo_core.c`, `libbpf.c` and `btf.c`, each shown by a corpus object
//! (tests/data/oracle, `libbpf-1.5-vs-1.7`):
//! - since 1.6 (libbpf d7a4ab15), a FIELD_BYTE_OFFSET relocation of an array (or an
//!   array-typed field) remembers the size of one innermost element, not of the whole array,
//!   for the LDX/ST/STX memory-size adjustment: `res.orig_sz`/`new_sz`, and whether an
//!   adjustment is refused (`fail_memsz_adjust`);
//! - since 1.6, `libbpf.c` prints error codes by name (`-EINVAL`) where 1.5 printed the
//!   number (`-22`): "failed to relocate", "failed to patch insn", "failed to perform CO-RE
//!   relocations", and the Kconfig messages. `relo_core.c`'s own lines and the candidate
//!   search failure keep the number in both;
//! - Kconfig: 1.7 words an integer overflow as `failed to parse 'V': -ERANGE` (1.5: `failed
//!   to parse 'V' as integer: -34`), and rejects a lone `"` as a string value (1.5 reads
//!   before the string's start; corelab rejects it in both modes).
//!
//! Not in 1.7: libbpf's master rejects negative access-string indices (5ca5801a, 2026-04-05,
//! after 1.7.0 of 2026-03-12); 1.5 and 1.7 accept them, and so does corelab where their
//! result is defined (see `reloc::spec`).

use std::fmt;
use std::str::FromStr;

/// The behaviours that differ between libbpf releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// FIELD_BYTE_OFFSET of an array remembers one element's size for the memory-size
    /// adjustment (libbpf ≥ 1.6) instead of the whole array's.
    pub array_element_size: bool,
    /// `libbpf.c`'s messages print error codes by name (`-EINVAL`, libbpf ≥ 1.6) instead of
    /// as numbers (`-22`).
    pub errno_names: bool,
}

/// A libbpf release whose behaviour corelab reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Libbpf {
    /// libbpf 1.5.0 (Debian 13 "trixie").
    V1_5,
    /// libbpf 1.7.0 (Debian sid, the default).
    #[default]
    V1_7,
}

impl Libbpf {
    /// Every release, oldest first.
    pub const ALL: [Libbpf; 2] = [Libbpf::V1_5, Libbpf::V1_7];

    /// The name on the command line and in the JS API (`1.5`).
    pub fn name(self) -> &'static str {
        match self {
            Libbpf::V1_5 => "1.5",
            Libbpf::V1_7 => "1.7",
        }
    }

    /// The switches of this release.
    pub fn features(self) -> Features {
        match self {
            Libbpf::V1_5 => Features {
                array_element_size: false,
                errno_names: false,
            },
            Libbpf::V1_7 => Features {
                array_element_size: true,
                errno_names: true,
            },
        }
    }

    /// An error code as this release's `libbpf.c` prints it: `-EINVAL` or `-22`.
    pub fn errno_text(self, errno: i32) -> String {
        if self.features().errno_names {
            errno_name(errno)
        } else {
            errno.to_string()
        }
    }
}

impl fmt::Display for Libbpf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Libbpf {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        Libbpf::ALL
            .into_iter()
            .find(|l| l.name() == s || s.strip_suffix(".0") == Some(l.name()))
            .ok_or_else(|| {
                let names: Vec<&str> = Libbpf::ALL.iter().map(|l| l.name()).collect();
                format!(
                    "unknown libbpf version '{s}' (one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// libbpf's `errstr()` (libbpf_utils.c): the symbolic name of a (negative) error code, or
/// the number when libbpf has no name for it. Values are Linux's (x86-64, arm64, s390x).
pub fn errno_name(errno: i32) -> String {
    let name = match errno.unsigned_abs() {
        1 => "EPERM",
        2 => "ENOENT",
        3 => "ESRCH",
        4 => "EINTR",
        5 => "EIO",
        6 => "ENXIO",
        7 => "E2BIG",
        8 => "ENOEXEC",
        9 => "EBADF",
        10 => "ECHILD",
        11 => "EAGAIN",
        12 => "ENOMEM",
        13 => "EACCES",
        14 => "EFAULT",
        15 => "ENOTBLK",
        16 => "EBUSY",
        17 => "EEXIST",
        18 => "EXDEV",
        19 => "ENODEV",
        20 => "ENOTDIR",
        21 => "EISDIR",
        22 => "EINVAL",
        23 => "ENFILE",
        24 => "EMFILE",
        25 => "ENOTTY",
        26 => "ETXTBSY",
        27 => "EFBIG",
        28 => "ENOSPC",
        29 => "ESPIPE",
        30 => "EROFS",
        31 => "EMLINK",
        32 => "EPIPE",
        33 => "EDOM",
        34 => "ERANGE",
        35 => "EDEADLK",
        36 => "ENAMETOOLONG",
        40 => "ELOOP",
        61 => "ENODATA",
        67 => "ENOLINK",
        71 => "EPROTO",
        75 => "EOVERFLOW",
        77 => "EBADFD",
        84 => "EILSEQ",
        90 => "EMSGSIZE",
        93 => "EPROTONOSUPPORT",
        95 => "EOPNOTSUPP",
        98 => "EADDRINUSE",
        99 => "EADDRNOTAVAIL",
        114 => "EALREADY",
        115 => "EINPROGRESS",
        117 => "EUCLEAN",
        125 => "ECANCELED",
        524 => "ENOTSUPP",
        _ => return (-(errno.unsigned_abs() as i64)).to_string(),
    };
    format!("-{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_parsing() {
        assert_eq!(Libbpf::default(), Libbpf::V1_7);
        for l in Libbpf::ALL {
            assert_eq!(l.name().parse::<Libbpf>(), Ok(l));
        }
        assert_eq!("1.5.0".parse::<Libbpf>(), Ok(Libbpf::V1_5));
        assert_eq!("v1.7".parse::<Libbpf>(), Ok(Libbpf::V1_7));
        assert!("1.6".parse::<Libbpf>().unwrap_err().contains("1.5, 1.7"));
    }

    #[test]
    fn errno_text_by_release() {
        assert_eq!(Libbpf::V1_5.errno_text(-22), "-22");
        assert_eq!(Libbpf::V1_7.errno_text(-22), "-EINVAL");
        assert_eq!(Libbpf::V1_7.errno_text(22), "-EINVAL");
        assert_eq!(Libbpf::V1_7.errno_text(-524), "-ENOTSUPP");
        // libbpf has no name for EHOSTDOWN (112): the number.
        assert_eq!(Libbpf::V1_7.errno_text(-112), "-112");
    }
}
