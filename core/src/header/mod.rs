//! The C header generator: `bpftool btf dump file FILE format c` byte for byte.
//!
//! Reference: ../shared/spec/header-spec.md (the behaviour of libbpf's `btf_dump.c` and bpftool's
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
    write_watched(btf, opts, sink, None)
}

/// Looks at the sink between two roots (every mark closed, all text handed over) until it
/// returns `true`.
type Watch<'w, S> = Option<&'w mut dyn FnMut(&S) -> bool>;

fn write_watched<S: Sink>(
    btf: &Btf,
    opts: &Options,
    sink: &mut S,
    mut watch: Watch<'_, S>,
) -> Result<(), HeaderError> {
    let feat = opts.profile.features();
    if let Some(&bad) = opts.roots.iter().find(|r| r.0 >= btf.type_cnt()) {
        return Err(HeaderError::NoSuchRoot(bad.to_string()));
    }
    let order = match (opts.roots.is_empty() && feat.sorted, watch.is_some()) {
        (false, _) => Order::Given,
        // Watched (a first screen wanted early): only the first roots are sorted before
        // dumping starts.
        (true, true) => {
            let mut staged = sort::Staged::new(btf, feat.sort_skips_first);
            Order::Staged(staged.head(HEAD_ROOTS), Box::new(staged))
        }
        // Sort first: the sort keys are freed before the dumper's state is allocated.
        (true, false) => Order::Sorted(sort::sorted_roots(btf, feat.sort_skips_first)),
    };
    let mut d = Dumper::new(btf, feat, sink)?;
    // On error the sink still gets what was printed before it (bpftool's partial stdout).
    let result = dump_all(&mut d, btf, opts, feat, order, &mut watch);
    d.flush();
    result
}

/// Roots sorted before a watched header starts: a first screen's worth and more (the first
/// roots of a kernel are enums, often dozens of lines each).
const HEAD_ROOTS: usize = 64;

/// The order roots are dumped in.
enum Order<'a> {
    /// The caller's roots, or every type in id order.
    Given,
    /// bpftool's sorted order.
    Sorted(Vec<TypeId>),
    /// bpftool's sorted order: its first roots, and the rest still to sort.
    Staged(Vec<TypeId>, Box<sort::Staged<'a>>),
}

fn dump_all<S: Sink>(
    d: &mut Dumper<'_, S>,
    btf: &Btf,
    opts: &Options,
    feat: Features,
    order: Order<'_>,
    watch: &mut Watch<'_, S>,
) -> Result<(), HeaderError> {
    d.text(PROLOGUE);
    if feat.kfuncs {
        d.text(KFUNC_MACROS);
    }
    let mut root = |d: &mut Dumper<'_, S>, id: TypeId| {
        d.dump(id)?;
        if let Some(w) = watch {
            d.flush();
            if w(&*d.sink) {
                *watch = None;
            }
        }
        Ok(())
    };
    if !opts.roots.is_empty() {
        for &id in &opts.roots {
            root(d, id)?;
        }
    } else {
        match order {
            Order::Sorted(ids) => {
                for &id in &ids {
                    root(d, id)?;
                }
            }
            Order::Staged(head, rest) => {
                for &id in &head {
                    root(d, id)?;
                }
                for id in rest.rest() {
                    root(d, id)?;
                }
            }
            Order::Given => {
                for id in btf.ids() {
                    root(d, id)?;
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

/// [`render`], handing the header so far to `first` once, as soon as it has `lines` lines
/// (between two roots, so every mark in it is closed), or at the end if it is shorter: a
/// viewer can show the first screen before the whole header is done.
pub fn render_streaming(
    btf: &Btf,
    opts: &Options,
    lines: usize,
    first: &mut dyn FnMut(&MarkedText),
) -> (MarkedText, Result<(), HeaderError>) {
    let mut out = MarkedText::new();
    let mut watch = |m: &MarkedText| {
        // Only the first screen's worth of text is ever counted.
        let enough = memchr::memchr_iter(b'\n', m.text.as_bytes())
            .nth(lines.saturating_sub(1))
            .is_some();
        if enough {
            first(m);
        }
        enough
    };
    let mut called = false;
    let mut once = |m: &MarkedText| {
        if called {
            return true;
        }
        called = watch(m);
        called
    };
    let r = write_watched(btf, opts, &mut out, Some(&mut once));
    if !called {
        first(&out);
    }
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
    let order = if opts.roots.is_empty() && feat.sorted {
        Order::Sorted(sort::sorted_roots(btf, feat.sort_skips_first))
    } else {
        Order::Given
    };
    let mut sink = Discard;
    let mut d = Dumper::new(btf, feat, &mut sink)?;
    dump_all(&mut d, btf, opts, feat, order, &mut None)?;
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
