//! The CO-RE relocation kinds: one table gives each kind's number, libbpf's log name and its
//! class (spec/core-spec.md §3.1).

use std::fmt;

/// What a relocation is about; decides how the access string is read and what is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelocClass {
    /// A field of a struct/union (or an array element): offsets, sizes, shifts, existence.
    Field,
    /// A whole type: id, existence, size, match.
    Type,
    /// An enumerator: existence and value.
    EnumVal,
    /// A number libbpf does not know.
    Unknown,
}

/// A relocation kind number (`enum bpf_core_relo_kind`). Open: unknown numbers stay
/// representable, as they do in a corrupted `.BTF.ext`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelocKind(pub u32);

macro_rules! kinds {
    ($( $num:literal $konst:ident $log:literal $class:ident; )*) => {
        impl RelocKind {
            $(
                #[doc = concat!("`BPF_CORE_", stringify!($konst), "` (`", $log, "`).")]
                pub const $konst: RelocKind = RelocKind($num);
            )*

            /// Every kind libbpf knows, in number order.
            pub const ALL: &'static [RelocKind] = &[$(RelocKind::$konst),*];

            /// libbpf's name in logs (`core_relo_kind_str`), `"unknown"` for other numbers.
            pub fn log_name(self) -> &'static str {
                match self.0 {
                    $( $num => $log, )*
                    _ => "unknown",
                }
            }

            /// The kind's class.
            pub fn class(self) -> RelocClass {
                match self.0 {
                    $( $num => RelocClass::$class, )*
                    _ => RelocClass::Unknown,
                }
            }
        }
    };
}

kinds! {
    0  FIELD_BYTE_OFFSET "byte_off"       Field;
    1  FIELD_BYTE_SIZE   "byte_sz"        Field;
    2  FIELD_EXISTS      "field_exists"   Field;
    3  FIELD_SIGNED      "signed"         Field;
    4  FIELD_LSHIFT_U64  "lshift_u64"     Field;
    5  FIELD_RSHIFT_U64  "rshift_u64"     Field;
    6  TYPE_ID_LOCAL     "local_type_id"  Type;
    7  TYPE_ID_TARGET    "target_type_id" Type;
    8  TYPE_EXISTS       "type_exists"    Type;
    9  TYPE_SIZE         "type_size"      Type;
    10 ENUMVAL_EXISTS    "enumval_exists" EnumVal;
    11 ENUMVAL_VALUE     "enumval_value"  EnumVal;
    12 TYPE_MATCHES      "type_matches"   Type;
}

impl RelocKind {
    /// A field-based kind (`core_relo_is_field_based`).
    pub fn is_field(self) -> bool {
        self.class() == RelocClass::Field
    }

    /// A type-based kind (`core_relo_is_type_based`).
    pub fn is_type(self) -> bool {
        self.class() == RelocClass::Type
    }

    /// An enumerator-based kind (`core_relo_is_enumval_based`).
    pub fn is_enumval(self) -> bool {
        self.class() == RelocClass::EnumVal
    }
}

impl fmt::Debug for RelocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.log_name(), self.0)
    }
}

impl fmt::Display for RelocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.log_name())
    }
}
