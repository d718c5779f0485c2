//! The `/* BPF kfuncs */` section of bpftool ≥ 7.5 (`dump_btf_kfuncs`, spec §1.2).
//!
//! Kfuncs are the FUNCs carrying a whole-function DECL_TAG named exactly `bpf_kfunc`; those
//! also tagged `bpf_fastcall` get the `__bpf_fastcall` prefix. They print sorted by name, each
//! as an `extern` declaration through the same dumper, so parameter types keep the names
//! (and `___N` suffixes) the types above were given.

use crate::btf::{Btf, Kind, TypeId};

use super::diag::HeaderError;
use super::dumper::Dumper;
use super::names::Name;
use super::sink::Sink;

/// The kfuncs of `btf` in print order, each with whether it is also a fastcall.
fn kfuncs(btf: &Btf) -> Vec<(TypeId, bool)> {
    let mut kfuncs = Vec::new();
    let mut fastcalls = Vec::new();
    for id in btf.ids() {
        let t = btf.ty(id);
        if t.kind() != Kind::DECL_TAG || t.decl_tag_component() != -1 {
            continue;
        }
        let func = t.type_id();
        if btf.ty(func).kind() != Kind::FUNC {
            continue;
        }
        match t.name() {
            "bpf_kfunc" => kfuncs.push(func),
            "bpf_fastcall" => fastcalls.push(func),
            _ => {}
        }
    }
    // bpftool sorts with qsort_r; only duplicate names could tell a stable sort from another.
    crate::sorting::sort_by(&mut kfuncs, |&a, &b| btf.ty(a).name().cmp(btf.ty(b).name()));
    fastcalls.sort_unstable();
    kfuncs
        .into_iter()
        .map(|f| (f, fastcalls.binary_search(&f).is_ok()))
        .collect()
}

impl<S: Sink> Dumper<'_, S> {
    /// Prints the section, from the blank line before its comment to the `#endif` after it.
    pub(super) fn kfunc_section(&mut self) -> Result<(), HeaderError> {
        let btf = self.btf;
        self.text("\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n");
        for (func, fastcall) in kfuncs(btf) {
            self.text("extern ");
            if fastcall {
                self.text("__bpf_fastcall ");
            }
            let f = btf.ty(func);
            self.decl(f.type_id(), Name::plain(f.name()), 0)?;
            self.text(" __weak __ksym;\n");
        }
        self.text("#endif\n\n");
        Ok(())
    }
}
