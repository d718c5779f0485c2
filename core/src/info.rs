//! What a BTF blob holds and uses, and the oldest kernel, libbpf and bpftool that can read it.
//!
//! The point is pain point 7 of ../shared/spec/peers.md: old tools fail on new BTF with
//! "Unsupported BTF_KIND:19"; this says in advance which feature needs which version.

use crate::btf::{Btf, Kind};

/// A version number `major.minor` (patch levels never matter here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u16, pub u16);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if (self.0, self.1) == (0, 0) {
            // Supported since the first release.
            f.write_str("any")
        } else {
            write!(f, "{}.{}", self.0, self.1)
        }
    }
}

/// A BTF feature whose support arrived in a known kernel / libbpf / bpftool release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Feature {
    /// INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF and the modifiers.
    Base,
    /// FUNC and FUNC_PROTO.
    Func,
    /// FUNC with global linkage.
    GlobalFunc,
    /// VAR and DATASEC.
    VarDatasec,
    /// FLOAT.
    Float,
    /// DECL_TAG.
    DeclTag,
    /// TYPE_TAG.
    TypeTag,
    /// ENUM64, or signed ENUM (kind_flag).
    Enum64,
    /// TYPE_TAG / DECL_TAG with kind_flag 1 (raw `__attribute__` form).
    TagAttribute,
    /// Split BTF layered over a base (kernel module BTF).
    Split,
    /// The 2026 kind layout section.
    LayoutSection,
    /// vlen above 65535 or a kind above 31: the widened `info` encoding.
    WideInfo,
    /// Kinds above ENUM64 that only a layout section describes.
    UnknownKinds,
}

/// Where a feature first became readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Support {
    /// Linux release whose kernel accepts it.
    pub kernel: Version,
    /// libbpf release that parses it.
    pub libbpf: Version,
    /// bpftool release that dumps it (in-tree bpftool was numbered after the kernel before 7.0).
    pub bpftool: Version,
}

impl Feature {
    /// A short description.
    pub fn describe(self) -> &'static str {
        match self {
            Feature::Base => {
                "base kinds (INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, modifiers)"
            }
            Feature::Func => "FUNC and FUNC_PROTO",
            Feature::GlobalFunc => "FUNC with global linkage",
            Feature::VarDatasec => "VAR and DATASEC",
            Feature::Float => "FLOAT",
            Feature::DeclTag => "DECL_TAG",
            Feature::TypeTag => "TYPE_TAG",
            Feature::Enum64 => "ENUM64 / signed enums",
            Feature::TagAttribute => "type/decl tags with kind_flag (attribute form)",
            Feature::Split => "split BTF over a base",
            Feature::LayoutSection => "kind layout section (32-byte header)",
            Feature::WideInfo => "24-bit vlen / 7-bit kind encoding",
            Feature::UnknownKinds => "kinds beyond ENUM64 described by the layout section",
        }
    }

    /// The releases that first support this feature.
    pub fn support(self) -> Support {
        let s = |k: (u16, u16), l: (u16, u16), b: (u16, u16)| Support {
            kernel: Version(k.0, k.1),
            libbpf: Version(l.0, l.1),
            bpftool: Version(b.0, b.1),
        };
        match self {
            Feature::Base => s((4, 18), (0, 0), (4, 18)),
            Feature::Func => s((4, 20), (0, 0), (4, 20)),
            Feature::GlobalFunc => s((5, 6), (0, 0), (5, 6)),
            Feature::VarDatasec => s((5, 2), (0, 0), (5, 2)),
            Feature::Float => s((5, 13), (0, 4), (5, 13)),
            Feature::DeclTag => s((5, 16), (0, 6), (5, 16)),
            Feature::TypeTag => s((5, 17), (0, 6), (5, 17)),
            Feature::Enum64 => s((6, 0), (1, 0), (7, 0)),
            Feature::TagAttribute => s((6, 14), (1, 6), (7, 6)),
            Feature::Split => s((5, 11), (0, 3), (5, 11)),
            Feature::LayoutSection | Feature::WideInfo | Feature::UnknownKinds => {
                s((7, 1), (1, 8), (7, 8))
            }
        }
    }
}

/// Counts and features of one BTF.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Own types per kind number (index 0..=19; unknown kinds in `unknown_kinds`).
    pub kind_counts: [u32; 20],
    /// Own types of kinds beyond ENUM64: (kind, count).
    pub unknown_kinds: Vec<(u8, u32)>,
    /// Number of own types.
    pub own_types: u32,
    /// Features used, in a fixed order.
    pub features: Vec<Feature>,
    /// The largest vlen of any own type.
    pub max_vlen: u32,
}

impl Summary {
    /// Scans the own types of `btf`.
    pub fn of(btf: &Btf) -> Summary {
        let mut kind_counts = [0u32; 20];
        let mut unknown: std::collections::BTreeMap<u8, u32> = Default::default();
        let mut features = std::collections::BTreeSet::new();
        features.insert(Feature::Base);
        let mut max_vlen = 0;
        for id in btf.own_ids() {
            let t = btf.ty(id);
            let k = t.kind();
            match kind_counts.get_mut(k.0 as usize) {
                Some(c) => *c += 1,
                None => *unknown.entry(k.0).or_default() += 1,
            }
            max_vlen = max_vlen.max(t.vlen());
            if t.vlen() > 0xffff || k.0 > 31 {
                features.insert(Feature::WideInfo);
            }
            let f = match k {
                Kind::FUNC if t.func_linkage() == 1 => Some(Feature::GlobalFunc),
                Kind::FUNC | Kind::FUNC_PROTO => Some(Feature::Func),
                Kind::VAR | Kind::DATASEC => Some(Feature::VarDatasec),
                Kind::FLOAT => Some(Feature::Float),
                Kind::DECL_TAG => Some(if t.kflag() {
                    Feature::TagAttribute
                } else {
                    Feature::DeclTag
                }),
                Kind::TYPE_TAG => Some(if t.kflag() {
                    Feature::TagAttribute
                } else {
                    Feature::TypeTag
                }),
                Kind::ENUM64 => Some(Feature::Enum64),
                Kind::ENUM if t.kflag() => Some(Feature::Enum64),
                k if !k.is_known() => Some(Feature::UnknownKinds),
                _ => None,
            };
            if let Some(f) = f {
                features.insert(f);
                // A global FUNC is still a FUNC; a tag attribute is still a tag.
                match f {
                    Feature::GlobalFunc => {
                        features.insert(Feature::Func);
                    }
                    Feature::TagAttribute => {
                        features.insert(if k == Kind::DECL_TAG {
                            Feature::DeclTag
                        } else {
                            Feature::TypeTag
                        });
                    }
                    _ => {}
                }
            }
        }
        if btf.is_split() {
            features.insert(Feature::Split);
        }
        if btf.layout().is_some() {
            features.insert(Feature::LayoutSection);
        }
        Summary {
            kind_counts,
            unknown_kinds: unknown.into_iter().collect(),
            own_types: btf.own_type_count(),
            features: features.into_iter().collect(),
            max_vlen,
        }
    }

    /// The oldest releases that support every feature used, with the feature that decides each.
    pub fn minimum(&self) -> (Support, [Feature; 3]) {
        let mut best = Feature::Base.support();
        let mut why = [Feature::Base; 3];
        for &f in &self.features {
            let s = f.support();
            if s.kernel > best.kernel {
                best.kernel = s.kernel;
                why[0] = f;
            }
            if s.libbpf > best.libbpf {
                best.libbpf = s.libbpf;
                why[1] = f;
            }
            if s.bpftool > best.bpftool {
                best.bpftool = s.bpftool;
                why[2] = f;
            }
        }
        (best, why)
    }
}
