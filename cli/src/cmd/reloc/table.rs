//! The readable view: one row per relocation, then libbpf's log.

use super::Input;

pub(super) fn render(_inp: &Input<'_>) -> String {
    String::new()
}
