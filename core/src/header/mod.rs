//! The C header generator: `bpftool btf dump file FILE format c` byte for byte.
//!
//! Reference: spec/header-spec.md (the behaviour of libbpf's `btf_dump.c` and bpftool's
//! `dump_btf_c`, per version). The pipeline:
//!
//! - [`profile`](Profile): which bpftool build to imitate, as feature switches.
//! - `sort`: bpftool 7.5's sorted root order (rank, names, hash), when the profile sorts.
//! - `dumper`: the state shared by all roots (flags per type id, name counters, alignment memo).
//! - per root, `order` (queue what the root needs, dependencies first; detect by-value cycles)
//!   then `emit` (print each queued type and the forward declarations it needs).
//! - `decl`: C syntax of declarators and of struct/union/enum/typedef bodies, with
//!   `padding` (explicit padding fields), `align` (libbpf's alignment rules) and `names`
//!   (`___N` deduplication).
//! - `kfuncs`: the kfunc prototypes section of bpftool ≥ 7.5.
//!
//! Output goes to a [`Sink`]: [`IoSink`] streams bytes (the CLI), [`MarkedText`] records
//! definition and reference spans for the web view. Both get the same text.
//!
//! Invariants: the output for a BTF and [`Options`] is deterministic; the walks over the type
//! graph use explicit stacks, and declarator nesting is limited to [`MAX_NESTING`], so no
//! input overflows the stack; libbpf's stderr messages arrive as [`Warning`]s in libbpf's
//! order.

mod align;
mod decl;
mod diag;
mod dumper;
mod emit;
mod kfuncs;
mod names;
mod order;
mod padding;
mod profile;
mod sink;
mod sort;
mod text;

#[cfg(test)]
mod tests;

use crate::btf::{Btf, Kind, TypeId};

pub use diag::{HeaderError, Warning};
pub use profile::{EmptyParams, Features, Profile};
pub use sink::{IoSink, Mark, MarkedSpan, MarkedText, Sink};

use dumper::Dumper;

/// The deepest nesting of declarators and inline definitions rendered (an anonymous struct in
/// a member is one level, a prototype parameter another). Real kernels stay below 20.
pub const MAX_NESTING: usize = 256;

/// What to generate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The bpftool build to imitate.
    pub profile: Profile,
    /// Only these types and what they need, in this order (bpftool 7.6's `root_id`): no
    /// sorting and no kfunc section. Empty: every type.
    pub roots: Vec<TypeId>,
}

const PROLOGUE: &str = "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n\
#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n\
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n\
#endif\n\n";

const KFUNC_MACROS: &str = "#ifndef __ksym\n#define __ksym __attribute__((section(\".ksyms\")))\n#endif\n\n\
#ifndef __weak\n#define __weak __attribute__((weak))\n#endif\n\n\
#ifndef __bpf_fastcall\n#if __has_attribute(bpf_fastcall)\n\
#define __bpf_fastcall __attribute__((bpf_fastcall))\n#else\n#define __bpf_fastcall\n#endif\n#endif\n\n";

const EPILOGUE: &str =
    "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n\
#endif /* __VMLINUX_H__ */\n";

/// Writes the header of `btf` into `sink`.
///
/// On [`HeaderError::Cycle`] the sink holds what bpftool prints before it gives up (no footer)
/// and has received the cycle warning, as bpftool prints it on stderr.
pub fn write<S: Sink>(btf: &Btf, opts: &Options, sink: &mut S) -> Result<(), HeaderError> {
    let feat = opts.profile.features();
    if let Some(&bad) = opts.roots.iter().find(|r| r.0 >= btf.type_cnt()) {
        return Err(HeaderError::NoSuchRoot(bad.to_string()));
    }
    // Sort first: the sort keys are freed before the dumper's state is allocated.
    let sorted = (opts.roots.is_empty() && feat.sorted)
        .then(|| sort::sorted_roots(btf, feat.sort_skips_first));
    let mut d = Dumper::new(btf, feat, sink)?;
    // On error the sink still gets what was printed before it (bpftool's partial stdout).
    let result = dump_all(&mut d, btf, opts, feat, sorted);
    d.flush();
    result
}

fn dump_all<S: Sink>(
    d: &mut Dumper<'_, S>,
    btf: &Btf,
    opts: &Options,
    feat: Features,
    sorted: Option<Vec<TypeId>>,
) -> Result<(), HeaderError> {
    d.text(PROLOGUE);
    if feat.kfuncs {
        d.text(KFUNC_MACROS);
    }
    if !opts.roots.is_empty() {
        for &root in &opts.roots {
            d.dump(root)?;
        }
    } else {
        match sorted {
            Some(ids) => {
                for &id in &ids {
                    d.dump(id)?;
                }
            }
            None => {
                for id in btf.ids() {
                    d.dump(id)?;
                }
            }
        }
        if feat.kfuncs {
            d.kfunc_section()?;
        }
    }
    d.text(EPILOGUE);
    Ok(())
}

// `render` and `render_text` are not generic on purpose: a generic function is compiled in
// (and with the optimisation level of) the crate that instantiates it, so the web crate,
// built for size, calling `write::<its sink>` got a slow header (6.18's whole vmlinux.h in
// wasm: 62 ms, against 45 ms through these with this crate at opt-level 3). Both go through
// one sink type, so the generator is compiled once.

/// The header as a string with its marks, plus the error that stopped it, if any.
pub fn render(btf: &Btf, opts: &Options) -> (MarkedText, Result<(), HeaderError>) {
    let mut out = MarkedText::new();
    let r = write(btf, opts, &mut out);
    (out, r)
}

/// The header as a string without marks (only the text and the warnings are filled in), plus
/// the error that stopped it, if any.
pub fn render_text(btf: &Btf, opts: &Options) -> (MarkedText, Result<(), HeaderError>) {
    let mut out = MarkedText::plain();
    let r = write(btf, opts, &mut out);
    (out, r)
}

/// The `___N` suffixes a header gives duplicated names: which types and enumerators print
/// as `name___N` (N ≥ 2) in the header `opts` describes. Everything not listed prints under
/// its BTF name. C code compiled against that header names types this way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suffixes {
    /// Type id → N.
    pub types: std::collections::HashMap<u32, u32>,
    /// (enum type id, enumerator index) → N.
    pub enumerators: std::collections::HashMap<(u32, u32), u32>,
}

/// Generates the header of `btf` without keeping its text, and returns its name suffixes.
pub fn suffixes(btf: &Btf, opts: &Options) -> Result<Suffixes, HeaderError> {
    struct Discard;
    impl Sink for Discard {
        fn text(&mut self, _: &str) {}
        fn wants_marks(&self) -> bool {
            false
        }
    }
    let feat = opts.profile.features();
    if let Some(&bad) = opts.roots.iter().find(|r| r.0 >= btf.type_cnt()) {
        return Err(HeaderError::NoSuchRoot(bad.to_string()));
    }
    let sorted = (opts.roots.is_empty() && feat.sorted)
        .then(|| sort::sorted_roots(btf, feat.sort_skips_first));
    let mut sink = Discard;
    let mut d = Dumper::new(btf, feat, &mut sink)?;
    dump_all(&mut d, btf, opts, feat, sorted)?;
    Ok(Suffixes {
        types: std::mem::take(&mut d.suffix),
        enumerators: std::mem::take(&mut d.enum_suffix),
    })
}

impl<S: Sink> Dumper<'_, S> {
    /// libbpf's `btf_dump__dump_type`: order one root, then emit its queue.
    fn dump(&mut self, root: TypeId) -> Result<(), HeaderError> {
        // Already ordered: ordering answers at once and queues nothing (most sorted roots).
        if self.flags(root) & dumper::flag::ORDER_MASK == dumper::flag::ORDERED {
            return Ok(());
        }
        self.queue.clear();
        self.order(root)?;
        let queue = std::mem::take(&mut self.queue);
        let result = queue.iter().try_for_each(|&id| self.emit(id));
        self.queue = queue;
        result
    }
}

/// The typedefs libbpf's `bpf_helper_defs.h` expects `vmlinux.h` to provide.
pub const HELPER_TYPEDEFS: [&str; 8] = [
    "__u16", "__u32", "__u64", "__s32", "__s64", "__be16", "__be32", "__wsum",
];

/// The typedefs of [`HELPER_TYPEDEFS`] that `btf` has, as roots: added to a minimal header,
/// they let it compile together with `<bpf/bpf_helpers.h>`.
pub fn helper_roots(btf: &Btf) -> Vec<TypeId> {
    HELPER_TYPEDEFS
        .iter()
        .filter_map(|n| btf.find_by_name_kind(n, Kind::TYPEDEF))
        .collect()
}

/// The types a `--root` argument names: a type id (decimal or `0x` hex), or a name with an
/// optional `struct `/`union `/`enum `/`typedef ` prefix. A bare name gives every printable
/// type of that name (struct, union, enum, typedef, or a FWD when nothing else matches).
pub fn find_roots(btf: &Btf, spec: &str) -> Result<Vec<TypeId>, HeaderError> {
    let spec = spec.trim();
    let not_found = || HeaderError::NoSuchRoot(spec.to_owned());
    let number = match spec.strip_prefix("0x").or_else(|| spec.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => spec.parse::<u32>().ok(),
    };
    if let Some(n) = number {
        return if n < btf.type_cnt() {
            Ok(vec![TypeId(n)])
        } else {
            Err(not_found())
        };
    }
    let (wanted, name): (&[Kind], &str) = match spec.split_once(' ') {
        Some(("struct", n)) => (&[Kind::STRUCT], n.trim()),
        Some(("union", n)) => (&[Kind::UNION], n.trim()),
        Some(("enum", n)) => (&[Kind::ENUM, Kind::ENUM64], n.trim()),
        Some(("typedef", n)) => (&[Kind::TYPEDEF], n.trim()),
        _ => (
            &[
                Kind::STRUCT,
                Kind::UNION,
                Kind::ENUM,
                Kind::ENUM64,
                Kind::TYPEDEF,
                Kind::INT,
                Kind::FLOAT,
            ],
            spec,
        ),
    };
    let found: Vec<TypeId> = btf
        .find_by_name(name)
        .filter(|&id| wanted.contains(&btf.ty(id).kind()))
        .collect();
    if !found.is_empty() {
        return Ok(found);
    }
    // Only declared, never defined: the forward declaration is all there is.
    let fwds: Vec<TypeId> = btf
        .find_by_name(name)
        .filter(|&id| {
            let t = btf.ty(id);
            t.kind() == Kind::FWD
                && (wanted.contains(&Kind::STRUCT) && !t.kflag()
                    || wanted.contains(&Kind::UNION) && t.kflag())
        })
        .collect();
    if fwds.is_empty() {
        Err(not_found())
    } else {
        Ok(fwds)
    }
}
