//! The BTF kinds: one table gives each kind's number, its two spellings and its record layout.

use std::fmt;

/// A BTF kind number (`BTF_KIND_*`). Open: unknown kinds stay representable.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kind(pub u8);

macro_rules! kinds {
    ($( $num:literal $konst:ident $upper:literal $lower:literal info=$info:literal elem=$elem:literal; )*) => {
        impl Kind {
            $(
                #[doc = concat!("`BTF_KIND_", $upper, "`")]
                pub const $konst: Kind = Kind($num);
            )*

            /// bpftool's spelling (`"INT"`, `"FUNC_PROTO"`), or `"UNKNOWN"`.
            pub fn upper_name(self) -> &'static str {
                match self.0 {
                    $( $num => $upper, )*
                    _ => "UNKNOWN",
                }
            }

            /// libbpf's spelling in CO-RE logs (`"int"`, `"func_proto"`, `"void"`), or `"unknown"`.
            pub fn lower_name(self) -> &'static str {
                match self.0 {
                    $( $num => $lower, )*
                    _ => "unknown",
                }
            }

            /// The record layout of a known kind: bytes of singular trailer after the 12-byte
            /// `btf_type`, and bytes per vlen element (libbpf's `layouts[]` table).
            pub fn known_layout(self) -> Option<KindLayout> {
                match self.0 {
                    $( $num => Some(KindLayout { info_size: $info, elem_size: $elem }), )*
                    _ => None,
                }
            }
        }
    };
}

kinds! {
    0  UNKN       "UNKNOWN"    "void"       info=0  elem=0;
    1  INT        "INT"        "int"        info=4  elem=0;
    2  PTR        "PTR"        "ptr"        info=0  elem=0;
    3  ARRAY      "ARRAY"      "array"      info=12 elem=0;
    4  STRUCT     "STRUCT"     "struct"     info=0  elem=12;
    5  UNION      "UNION"      "union"      info=0  elem=12;
    6  ENUM       "ENUM"       "enum"       info=0  elem=8;
    7  FWD        "FWD"        "fwd"        info=0  elem=0;
    8  TYPEDEF    "TYPEDEF"    "typedef"    info=0  elem=0;
    9  VOLATILE   "VOLATILE"   "volatile"   info=0  elem=0;
    10 CONST      "CONST"      "const"      info=0  elem=0;
    11 RESTRICT   "RESTRICT"   "restrict"   info=0  elem=0;
    12 FUNC       "FUNC"       "func"       info=0  elem=0;
    13 FUNC_PROTO "FUNC_PROTO" "func_proto" info=0  elem=8;
    14 VAR        "VAR"        "var"        info=4  elem=0;
    15 DATASEC    "DATASEC"    "datasec"    info=0  elem=12;
    16 FLOAT      "FLOAT"      "float"      info=0  elem=0;
    17 DECL_TAG   "DECL_TAG"   "decl_tag"   info=4  elem=0;
    18 TYPE_TAG   "TYPE_TAG"   "type_tag"   info=0  elem=0;
    19 ENUM64     "ENUM64"     "enum64"     info=0  elem=12;
}

/// The record layout of a kind, as in a BTF layout section entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindLayout {
    /// Bytes of singular data after the 12-byte common header.
    pub info_size: u8,
    /// Bytes per vlen element.
    pub elem_size: u8,
}

impl Kind {
    /// The highest kind number libbpf 1.5 and this engine understand.
    pub const MAX_KNOWN: Kind = Kind::ENUM64;

    /// Whether this kind is one of the 20 defined kinds (0–19).
    pub fn is_known(self) -> bool {
        self <= Kind::MAX_KNOWN
    }

    /// STRUCT or UNION.
    pub fn is_composite(self) -> bool {
        matches!(self, Kind::STRUCT | Kind::UNION)
    }

    /// ENUM or ENUM64.
    pub fn is_any_enum(self) -> bool {
        matches!(self, Kind::ENUM | Kind::ENUM64)
    }

    /// VOLATILE, CONST, RESTRICT or TYPE_TAG: libbpf's `btf_is_mod`.
    pub fn is_modifier(self) -> bool {
        matches!(
            self,
            Kind::VOLATILE | Kind::CONST | Kind::RESTRICT | Kind::TYPE_TAG
        )
    }

    /// Kinds whose `size_type` word is a type id (not a size).
    pub fn refers_by_type_word(self) -> bool {
        matches!(
            self,
            Kind::PTR
                | Kind::TYPEDEF
                | Kind::VOLATILE
                | Kind::CONST
                | Kind::RESTRICT
                | Kind::FUNC
                | Kind::FUNC_PROTO
                | Kind::VAR
                | Kind::DECL_TAG
                | Kind::TYPE_TAG
        )
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_known() {
            f.write_str(self.upper_name())
        } else {
            write!(f, "Kind({})", self.0)
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_known() {
            f.write_str(self.upper_name())
        } else {
            write!(f, "unknown kind {}", self.0)
        }
    }
}
