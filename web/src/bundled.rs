//! The kernels shipped with the site (copies of `tests/data/btf/*.btf.gz`, served from
//! `kernels/ID.btf.gz` and fetched only when picked).

/// A bundled kernel BTF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundledKernel {
    /// The id used in URLs and as the file stem.
    pub id: &'static str,
    /// Kernel release.
    pub release: &'static str,
    /// Where it comes from.
    pub distro: &'static str,
    /// Architecture.
    pub arch: &'static str,
    /// Why it is here.
    pub note: &'static str,
}

impl BundledKernel {
    /// The site-relative URL of its compressed BTF.
    pub fn url(&self) -> String {
        format!("kernels/{}.btf.gz", self.id)
    }

    /// A one-line label.
    pub fn label(&self) -> String {
        format!("{} · {} · {}", self.release, self.distro, self.arch)
    }
}

/// Every bundled kernel, oldest first.
pub const KERNELS: &[BundledKernel] = &[
    BundledKernel {
        id: "debian11-5.10.0-46-amd64",
        release: "5.10.0-46",
        distro: "Debian 11",
        arch: "amd64",
        note: "LTS, before ENUM64 and type tags",
    },
    BundledKernel {
        id: "debian12-6.1.0-50-amd64",
        release: "6.1.0-50",
        distro: "Debian 12",
        arch: "amd64",
        note: "the most common production kernel",
    },
    BundledKernel {
        id: "debian13-6.12.107-s390x",
        release: "6.12.107",
        distro: "Debian 13",
        arch: "s390x",
        note: "big-endian, 88k types",
    },
    BundledKernel {
        id: "host-6.18.44-fc-v657-amd64",
        release: "6.18.44",
        distro: "a host's /sys/kernel/btf",
        arch: "amd64",
        note: "recent: 126k types, tags with kind_flag",
    },
];

/// The bundled kernel with id `id`.
pub fn find(id: &str) -> Option<&'static BundledKernel> {
    KERNELS.iter().find(|k| k.id == id)
}

#[cfg(test)]
mod tests;
