//! Unit tests of the deduplication on crafted BTF.
