//! Which bpftool the header imitates: named profiles, each a set of feature switches.
//!
//! Versions differ in a handful of independent behaviours (../shared/spec/header-spec.md §7). They are
//! switches here, read in exactly one place each, never version comparisons scattered through
//! the emitter. Stable kernels backport libbpf fixes, so a version number alone does not say
//! what a build does: the switches say it.

use std::fmt;
use std::str::FromStr;

/// How a prototype without parameters is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmptyParams {
    /// `(void)`: libbpf ≥ 1.5 and Debian's backported 1.1.
    Void,
    /// `()`: GitHub libbpf 1.1–1.4.
    Empty,
}

/// The behaviours that differ between bpftool/libbpf builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// `__attribute__((mode(byte)))` / `mode(word)` after 1- and 8-byte enums (libbpf e6e0e3fd).
    pub enum_mode_attrs: bool,
    /// How an empty parameter list prints.
    pub empty_params: EmptyParams,
    /// A TYPE_TAG with kflag set prints as `__attribute__((NAME))` (libbpf ≥ 1.6) instead of
    /// `__attribute__((btf_type_tag("NAME")))`.
    pub type_tag_attr_kflag: bool,
    /// The `__ksym`/`__weak`/`__bpf_fastcall` macro block after the header and, in a whole
    /// dump, the `/* BPF kfuncs */` section before the footer (bpftool ≥ 7.5).
    pub kfuncs: bool,
    /// Roots visited in bpftool 7.5's sorted order instead of id order.
    pub sorted: bool,
    /// bpftool 7.5–7.8 skip position 0 of the sorted order (meant to skip void, which does not
    /// sort first): that type is then only printed if something else needs it.
    pub sort_skips_first: bool,
}

/// A named set of [`Features`]: the bpftool builds corelab reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// bpftool 7.8's output without its skip-the-first-sorted-type bug (the default).
    #[default]
    Bpftool,
    /// bpftool 7.8.0 exactly, including the skipped first sorted type.
    Bpftool78,
    /// `bpftool btf dump … format c unsorted` of 7.8: id order, with macros and kfuncs.
    Unsorted,
    /// Debian 12's bpftool 7.1.0+6.1.192 (libbpf from kernel 6.1.192, with backports).
    Bpftool71,
    /// bpftool v7.4.0 with libbpf v1.4.0 from GitHub.
    Bpftool74,
}

impl Profile {
    /// Every profile, in the order the CLI lists them.
    pub const ALL: [Profile; 5] = [
        Profile::Bpftool,
        Profile::Bpftool78,
        Profile::Unsorted,
        Profile::Bpftool71,
        Profile::Bpftool74,
    ];

    /// The profile's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Bpftool => "bpftool",
            Profile::Bpftool78 => "bpftool-7.8",
            Profile::Unsorted => "unsorted",
            Profile::Bpftool71 => "bpftool-7.1",
            Profile::Bpftool74 => "bpftool-7.4",
        }
    }

    /// The switches of this profile.
    pub fn features(self) -> Features {
        let newest = Features {
            enum_mode_attrs: true,
            empty_params: EmptyParams::Void,
            type_tag_attr_kflag: true,
            kfuncs: true,
            sorted: true,
            sort_skips_first: false,
        };
        match self {
            Profile::Bpftool => newest,
            Profile::Bpftool78 => Features {
                sort_skips_first: true,
                ..newest
            },
            Profile::Unsorted => Features {
                sorted: false,
                ..newest
            },
            Profile::Bpftool71 => Features {
                enum_mode_attrs: false,
                empty_params: EmptyParams::Void,
                type_tag_attr_kflag: false,
                kfuncs: false,
                sorted: false,
                sort_skips_first: false,
            },
            Profile::Bpftool74 => Features {
                enum_mode_attrs: true,
                empty_params: EmptyParams::Empty,
                type_tag_attr_kflag: false,
                kfuncs: false,
                sorted: false,
                sort_skips_first: false,
            },
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
                format!("unknown profile '{s}' (one of: {})", names.join(", "))
            })
    }
}
