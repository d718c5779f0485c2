//! Unit tests of the header generator over small BTF built in memory.
