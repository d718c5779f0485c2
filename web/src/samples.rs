//! The sample objects shipped with the site (www/samples: C sources and the objects clang
//! built from them), one per section of the CO-RE reference guide. Fetched only when picked.

/// A bundled sample BPF object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// The id used in URLs and as the file stem (`10_guarding`).
    pub id: &'static str,
    /// What it shows, in a few words.
    pub title: &'static str,
    /// The kernels worth comparing it on (bundled ids).
    pub kernels: &'static [&'static str],
}

impl Sample {
    /// The site-relative URL of the object.
    pub fn object_url(&self) -> String {
        format!("samples/{}.bpf.o", self.id)
    }

    /// The site-relative URL of its C source.
    pub fn source_url(&self) -> String {
        format!("samples/{}.bpf.c", self.id)
    }

    /// The object's file name.
    pub fn file_name(&self) -> String {
        format!("{}.bpf.o", self.id)
    }
}

const K510: &str = "debian11-5.10.0-46-amd64";
const K61: &str = "debian12-6.1.0-50-amd64";
const K618: &str = "host-6.18.44-fc-v657-amd64";

/// Every sample, in Tour order.
pub const SAMPLES: &[Sample] = &[
    Sample {
        id: "01_read_field",
        title: "BPF_CORE_READ of one field",
        kernels: &[K510, K618],
    },
    Sample {
        id: "02_read_chain",
        title: "BPF_CORE_READ chains, one relocation per hop",
        kernels: &[K510, K618],
    },
    Sample {
        id: "03_bitfields",
        title: "bitfields: offset, size, sign and shifts",
        kernels: &[K61, K618],
    },
    Sample {
        id: "04_sizes",
        title: "field and type sizes",
        kernels: &[K510, K618],
    },
    Sample {
        id: "05_existence",
        title: "field, type and enumerator existence",
        kernels: &[K510, K618],
    },
    Sample {
        id: "06_enum_values",
        title: "enumerator values, guarded",
        kernels: &[K510, K618],
    },
    Sample {
        id: "07_kconfig",
        title: "LINUX_KERNEL_VERSION and CONFIG_* externs",
        kernels: &[K510, K618],
    },
    Sample {
        id: "08_own_types",
        title: "own type definitions, no vmlinux.h",
        kernels: &[K510, K618],
    },
    Sample {
        id: "09_state_rename",
        title: "a renamed field: ___flavors",
        kernels: &[K510, K61],
    },
    Sample {
        id: "10_guarding",
        title: "guarded and unguarded reads of a field that moved",
        kernels: &[K510, K618],
    },
];

/// The sample with id `id`.
pub fn find(id: &str) -> Option<&'static Sample> {
    SAMPLES.iter().find(|s| s.id == id)
}
