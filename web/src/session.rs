//! The one seam between the playground and the engine: every call into `corelab` is in this
//! module. It runs wherever the engine runs (the worker, the JS API, native tests) and turns
//! engine results into the playground's own shapes ([`crate::dto`]).
//!
//! Kernels and BPF objects are kept by the slot the app gives them, so that a kernel's
//! essential-name index (built on its first relocation) serves every later one. Each view
//! is one method on [`Kernel`] or [`Session`] returning one DTO; the submodules hold the
//! engine-to-DTO code per area: [`object`] (code listing), `reloc` (rows and explanations),
//! `guard` (flows), `matrix`, `compare`, [`whatif`] (hidden types, knobs), [`ask`] (access
//! questions), [`loadlog`] (a failed load's log).

use std::fmt::Write as _;
use std::sync::Arc;

use corelab::btf::{Btf, Kind, Type, TypeId};
use corelab::info::Summary;
use corelab::input;
use corelab::pipeline::Knobs;

use self::slots::Slots;
use crate::dto::compare::CompareTable;
use crate::dto::guard::{GuardReport, WhatIf};
use crate::dto::matrix::MatrixTable;
use crate::dto::object::ObjectSummary;
use crate::dto::reloc::{RelocExplanation, RelocTable};
use crate::dto::{
    DetailLine, DocumentData, FeatureRow, KernelSummary, KindCount, Minimum, Span, TypeDetail,
    TypeIndexData,
};

pub mod ask;
pub mod catalog;
mod compare;
mod guard;
pub mod header;
pub mod loadlog;
mod marked;
mod matrix;
pub mod object;
mod reloc;
mod slots;
mod sweep;
pub mod whatif;

pub use object::LoadedObject;
pub use sweep::UncheckedSweep;
pub use whatif::Target;

/// A loaded kernel (or any BTF): the parsed blob, where it came from, and the name the user
/// knows it by.
#[derive(Debug)]
pub struct Kernel {
    label: String,
    /// Shared so that a kernel module's split BTF can be layered over it.
    btf: Arc<Btf>,
    layers: Vec<String>,
    /// What held the BTF, in words (core's `LoadedBtf::describe_content`).
    content: String,
    distilled_base: bool,
    /// The label of the kernel this split BTF was layered over.
    base_label: Option<String>,
    /// The kernel modules this BTF is, in the order opened: one module's split BTF, or
    /// several merged over their kernel as bpftool 7.8 merges them (`btf`, then, is the
    /// merge). Relocation searches them one by one after the kernel, as libbpf does.
    modules: Vec<Module>,
    /// Its types by the names `vmlinux.h` gives them, for access questions (built on the
    /// first one: duplicated names need a header pass).
    access: std::sync::OnceLock<corelab::access::Local>,
}

/// Why [`Kernel::layer`] failed.
#[derive(Debug)]
pub enum LayerError {
    /// The file is not split BTF over the kernel (one line).
    Parse(String),
    /// It is, but libbpf's dedup refuses the merge (one line).
    Merge(String),
}

/// A kernel module's BTF, split over its kernel's.
#[derive(Debug, Clone)]
pub struct Module {
    /// Its name (`ext4`): libbpf's `in [ext4]`.
    pub name: String,
    /// Its own BTF, split over the kernel's.
    pub btf: Arc<Btf>,
}

impl Kernel {
    /// Loads whatever `bytes` holds (raw BTF, ELF, compressed, btfhub archive), detected by
    /// content; split BTF (a kernel module's) over `base` when given. The error is one line:
    /// `label: offset 0x…: problem`.
    pub fn load(label: &str, bytes: &[u8], base: Option<&Kernel>) -> Result<Kernel, String> {
        match input::load_btf(bytes, base.map(|b| b.btf.clone())) {
            Ok(l) => {
                let name = l.module_name(label);
                let content = l.describe_content();
                let btf = Arc::new(l.btf);
                let modules = match base {
                    Some(_) => vec![Module {
                        name,
                        btf: btf.clone(),
                    }],
                    None => Vec::new(),
                };
                Ok(Kernel {
                    label: label.to_owned(),
                    content,
                    btf,
                    layers: l.layers,
                    distilled_base: l.distilled_base,
                    base_label: base.map(|b| b.label.clone()),
                    modules,
                    access: std::sync::OnceLock::new(),
                })
            }
            Err(e) => Err(format!("{label}: {e}")),
        }
    }

    /// Loads `bytes` as split BTF over the kernel `active` is, or stands over: over a kernel,
    /// a module; over modules, one more module, merged with them as bpftool 7.8 merges
    /// (`bpftool -B VMLINUX btf dump file MOD1 file MOD2 …`, `btf_dedup::merge`).
    pub fn layer(label: &str, bytes: &[u8], active: &Kernel) -> Result<Kernel, LayerError> {
        let (Some(vmlinux), false) = (active.btf.base(), active.modules.is_empty()) else {
            return Kernel::load(label, bytes, Some(active)).map_err(LayerError::Parse);
        };
        let l = input::load_btf(bytes, Some(vmlinux.clone()))
            .map_err(|e| LayerError::Parse(format!("{label}: {e}")))?;
        let mut modules = active.modules.clone();
        let name = l.module_name(label);
        modules.push(Module {
            name,
            btf: Arc::new(l.btf),
        });
        let parts: Vec<&Btf> = modules.iter().map(|m| &*m.btf).collect();
        let merged = corelab::btf_dedup::merge(
            Some(vmlinux),
            &parts,
            &corelab::btf_dedup::Limits::default(),
        )
        .map_err(|e| {
            LayerError::Merge(format!("{label}: cannot merge with {}: {e}", active.label))
        })?;
        let names: Vec<&str> = modules.iter().map(|m| m.name.as_str()).collect();
        Ok(Kernel {
            label: names.join(" + "),
            content: format!(
                "{} modules merged as bpftool 7.8 merges them (btf__add_btf of each, then btf__dedup)",
                modules.len()
            ),
            btf: Arc::new(merged.btf),
            layers: Vec::new(),
            distilled_base: false,
            base_label: active.base_label.clone(),
            modules,
            access: std::sync::OnceLock::new(),
        })
    }

    /// The kernel modules this BTF is, in the order opened (empty for a kernel).
    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// What relocation searches first: the kernel itself, or the kernel modules stand over.
    pub fn relocation_btf(&self) -> &Arc<Btf> {
        match (self.modules.is_empty(), self.btf.base()) {
            (false, Some(vmlinux)) => vmlinux,
            _ => &self.btf,
        }
    }

    /// The name of what relocation searches: the kernel's, or the kernel's and its modules'
    /// (`debian12-6.1.0-50-amd64 + ext4 + tcp_bbr`).
    pub fn target_label(&self) -> String {
        if self.modules.is_empty() {
            return self.label.clone();
        }
        let mut label = self
            .base_label
            .clone()
            .unwrap_or_else(|| "the kernel".to_owned());
        for m in &self.modules {
            label.push_str(" + ");
            label.push_str(&m.name);
        }
        label
    }

    /// The parsed BTF.
    pub fn btf(&self) -> &Btf {
        &self.btf
    }

    /// The parsed BTF, shared (a relocation target, a module's base).
    pub fn shared_btf(&self) -> Arc<Btf> {
        self.btf.clone()
    }

    /// The kernel as access questions are compiled against it (its `vmlinux.h`'s names).
    pub fn access_local(&self) -> &corelab::access::Local {
        self.access.get_or_init(|| {
            corelab::access::Local::new(self.btf.clone(), corelab::header::Profile::default())
        })
    }

    /// The label given at load time.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// What `corelab info` says about it.
    pub fn summary(&self) -> KernelSummary {
        summarize(self)
    }

    /// Every named type, sorted for search.
    pub fn type_index(&self) -> TypeIndexData {
        type_index(self.btf())
    }

    /// One type as linked lines, or `None` for an id out of range.
    pub fn type_detail(&self, id: u32) -> Option<TypeDetail> {
        let btf = self.btf();
        let t = btf.type_by_id(TypeId(id))?;
        Some(type_detail(btf, &t))
    }

    /// Type ids named exactly `name`, in id order.
    pub fn find(&self, name: &str) -> Vec<u32> {
        self.btf().find_by_name(name).map(|id| id.0).collect()
    }

    /// The raw listing (`bpftool btf dump file`), as text.
    pub fn raw_listing_text(&self) -> String {
        corelab::dump::raw_text(self.btf())
    }

    /// The raw listing with every `type_id=N` a link and every type's line an anchor.
    pub fn raw_listing(&self) -> DocumentData {
        let m = corelab::dump::raw_marked(self.btf());
        marked::document(m.text, &m.spans, self.btf().type_cnt())
    }
}

/// The kernels and objects the worker holds, by the slot number the app gave each.
#[derive(Debug)]
pub struct Session {
    kernels: Slots<Kernel>,
    objects: Slots<LoadedObject>,
    /// The last what-if copy of a kernel (hidden types or members).
    hidden: Option<whatif::HiddenCopy>,
    /// The kernel catalogue, once the page has handed over its head.
    catalog: Option<catalog::Catalogue>,
    /// An access question being answered across a catalogue selection, build by build.
    ask_sweep: Option<sweep::AskSweep>,
    /// Milliseconds from some origin, for the timings reports carry.
    clock: fn() -> f64,
}

impl Default for Session {
    fn default() -> Session {
        Session::with_clock(|| 0.0)
    }
}

impl Session {
    /// An empty session.
    pub fn new() -> Session {
        Session::default()
    }

    /// An empty session whose reports time the engine with `clock` (milliseconds).
    pub fn with_clock(clock: fn() -> f64) -> Session {
        Session {
            kernels: Slots::default(),
            objects: Slots::default(),
            hidden: None,
            catalog: None,
            ask_sweep: None,
            clock,
        }
    }

    /// The clock reports are timed with (milliseconds).
    pub fn clock(&self) -> fn() -> f64 {
        self.clock
    }

    /// Loads `bytes` into `slot`, replacing what was there. When they do not parse on their
    /// own and `base` names a loaded kernel, they are tried as split BTF over it (a kernel
    /// module over its vmlinux) or, when `base` is modules, over their kernel and merged with
    /// them ([`Kernel::layer`]); the first error is the one reported, unless the merge failed.
    pub fn load(
        &mut self,
        slot: u32,
        label: &str,
        bytes: &[u8],
        base: Option<u32>,
    ) -> Result<&Kernel, String> {
        self.load_unpacked(slot, label, bytes, base, &[])
    }

    /// [`Session::load`] of bytes the browser already unpacked from `unpacked` (outermost
    /// first: a bundled kernel gunzipped as it downloaded), which its summary lists first.
    pub fn load_unpacked(
        &mut self,
        slot: u32,
        label: &str,
        bytes: &[u8],
        base: Option<u32>,
        unpacked: &[String],
    ) -> Result<&Kernel, String> {
        let mut kernel = match Kernel::load(label, bytes, None) {
            Ok(k) => k,
            Err(e) => match base.and_then(|b| self.kernels.get(b)) {
                // Not split BTF over it: the file's own error says more.
                Some(b) => Kernel::layer(label, bytes, b).map_err(|l| match l {
                    LayerError::Parse(_) => e,
                    LayerError::Merge(m) => m,
                })?,
                None => return Err(e),
            },
        };
        kernel.layers.splice(0..0, unpacked.iter().cloned());
        Ok(self.kernels.insert(slot, kernel))
    }

    /// The kernel in `slot`.
    pub fn kernel(&self, slot: u32) -> Option<&Kernel> {
        self.kernels.get(slot)
    }

    /// Loads a BPF object into `slot`: its summary and code.
    pub fn load_object(
        &mut self,
        slot: u32,
        label: &str,
        bytes: &[u8],
    ) -> Result<ObjectSummary, String> {
        let o = LoadedObject::load(label, bytes)?;
        let summary = o.summary();
        self.objects.insert(slot, o);
        Ok(summary)
    }

    /// The object in `slot`.
    pub fn object(&self, slot: u32) -> Option<&LoadedObject> {
        self.objects.get(slot)
    }

    /// Forgets every kernel and object whose slot is not in `slots`.
    pub fn retain(&mut self, slots: &[u32]) {
        self.kernels.retain(slots);
        self.objects.retain(slots);
        if self
            .hidden
            .as_ref()
            .is_some_and(|h| !slots.contains(&h.slot))
        {
            self.hidden = None;
        }
    }

    fn kernel_or_err(&self, slot: u32) -> Result<&Kernel, String> {
        self.kernels
            .get(slot)
            .ok_or_else(|| format!("no kernel loaded in slot {slot}"))
    }

    /// The kernels in `slots`, in that order, with their labels.
    fn labelled_kernels(&self, slots: &[u32]) -> Result<Vec<(String, Arc<Btf>)>, String> {
        slots
            .iter()
            .map(|&s| {
                self.kernel_or_err(s)
                    .map(|k| (k.label().to_owned(), k.shared_btf()))
            })
            .collect()
    }

    fn object_or_err(&self, slot: u32) -> Result<&LoadedObject, String> {
        self.objects
            .get(slot)
            .ok_or_else(|| format!("no object loaded in slot {slot}"))
    }

    /// The kernel in `slot` as a relocation target for `whatif`: without what it hides (the
    /// copy is kept for the next call with the same settings), in its libbpf release.
    pub fn target(&mut self, slot: u32, whatif: &WhatIf) -> Result<Target, String> {
        let mut target = self.hidden_target(slot, &whatif.hide)?;
        target.libbpf = whatif::libbpf(whatif.libbpf);
        Ok(target)
    }

    fn hidden_target(&mut self, slot: u32, hide: &[String]) -> Result<Target, String> {
        if let Some(h) = &self.hidden {
            if h.slot == slot && h.hide == hide {
                return Ok(h.target.clone());
            }
        }
        let target = whatif::hidden_copy(self.kernel_or_err(slot)?, hide)?;
        if !hide.is_empty() {
            self.hidden = Some(whatif::HiddenCopy {
                slot,
                hide: hide.to_vec(),
                target: target.clone(),
            });
        }
        Ok(target)
    }

    /// Every CO-RE relocation of the object in `object` against the kernel in `kernel`.
    pub fn relocate(
        &mut self,
        object: u32,
        kernel: u32,
        whatif: &WhatIf,
    ) -> Result<RelocTable, String> {
        let target = self.target(kernel, whatif)?;
        Ok(relocation_table(
            self.object_or_err(object)?,
            &target,
            self.clock,
        ))
    }

    /// The explanation of record `idx` (index over the `.BTF.ext`).
    pub fn explain(
        &mut self,
        object: u32,
        kernel: u32,
        whatif: &WhatIf,
        idx: u32,
    ) -> Result<RelocExplanation, String> {
        let target = self.target(kernel, whatif)?;
        explain_relocation(self.object_or_err(object)?, &target, idx)
    }

    /// The guard simulation: every program's verdict, and the flow of `prog` (default: the
    /// first program).
    pub fn guard(
        &mut self,
        object: u32,
        kernel: u32,
        whatif: &WhatIf,
        prog: Option<&str>,
    ) -> Result<GuardReport, String> {
        let kernel_label = self.kernel_or_err(kernel)?.label().to_owned();
        let target = self.target(kernel, whatif)?;
        let obj = self.object_or_err(object)?;
        guard_report(obj, &kernel_label, &target, whatif, prog, self.clock)
    }

    /// The object in `object` against the kernels in `kernels`, in that order.
    pub fn matrix(
        &self,
        object: u32,
        kernels: &[u32],
        whatif: &WhatIf,
    ) -> Result<MatrixTable, String> {
        let obj = self.object_or_err(object)?;
        let ks = kernels
            .iter()
            .map(|&s| whatif::hidden_copy(self.kernel_or_err(s)?, &[]))
            .collect::<Result<Vec<Target>, String>>()?;
        let started = (self.clock)();
        let mut m = matrix::build(obj, &ks, whatif)?;
        m.ms = (self.clock)() - started;
        Ok(m)
    }

    /// Struct or union `name` side by side in the kernels in `kernels`.
    pub fn compare(&self, kernels: &[u32], name: &str) -> Result<CompareTable, String> {
        let ks = self.labelled_kernels(kernels)?;
        let t = compare::build(&ks, name);
        if t.types.iter().all(Option::is_none) {
            return Err(format!(
                "no struct or union named {} in these kernels",
                name.trim()
            ));
        }
        Ok(t)
    }
}

/// Every CO-RE relocation of `obj` against `target`, the engine's time measured with `clock`.
pub fn relocation_table(obj: &LoadedObject, target: &Target, clock: fn() -> f64) -> RelocTable {
    let started = clock();
    let rel = reloc::relocate(obj, target);
    let reloc_ms = clock() - started;
    let mut table = reloc::table(obj, target, &rel);
    table.reloc_ms = reloc_ms;
    let notes = reloc::release_notes(obj, target, &rel);
    for (row, note) in table.rows.iter_mut().zip(notes) {
        row.release_note = note;
    }
    table
}

/// The explanation of record `idx` (index over the `.BTF.ext`) of `obj` against `target`.
pub fn explain_relocation(
    obj: &LoadedObject,
    target: &Target,
    idx: u32,
) -> Result<RelocExplanation, String> {
    let rel = reloc::relocate(obj, target);
    let mut e = reloc::explain(obj, target, &rel, idx as usize)
        .ok_or_else(|| format!("{}: no CO-RE relocation {idx}", obj.label()))?;
    e.row.release_note = reloc::release_notes(obj, target, &rel)
        .into_iter()
        .nth(idx as usize)
        .flatten();
    Ok(e)
}

/// The guard simulation of `obj` against `target` (a copy of the kernel labelled
/// `kernel_label`, whose name gives the default kernel release): every program's verdict,
/// and the flow of `prog` (default: the first program).
pub fn guard_report(
    obj: &LoadedObject,
    kernel_label: &str,
    target: &Target,
    whatif: &WhatIf,
    prog: Option<&str>,
    clock: fn() -> f64,
) -> Result<GuardReport, String> {
    let knobs = Knobs {
        libbpf: target.libbpf,
        ..whatif::knobs(whatif, kernel_label)?
    };
    let started = clock();
    let a = corelab::pipeline::analyze_target(obj.object(), &target.core(), &knobs)
        .map_err(|e| e.to_string())?;
    let ms = clock() - started;
    let programs = a
        .programs
        .iter()
        .map(|r| guard::verdict(r, &a, obj.object()))
        .collect();
    let chosen = match prog {
        Some(name) => a.programs.iter().find(|r| r.name == name),
        None => a.programs.first(),
    };
    Ok(GuardReport {
        object: obj.label().to_owned(),
        kernel: target.label.clone(),
        libbpf: whatif::release(target.libbpf),
        kernel_release: whatif::release_for(whatif, kernel_label),
        programs,
        knobs: guard::knob_values(obj.object(), &a, whatif),
        extern_error: a.kconfig.as_ref().err().map(|e| e.message.clone()),
        hidden: target.hidden.clone(),
        flow: chosen.map(|r| guard::flow(obj, target, &a, r)),
        ms,
    })
}

fn summarize(l: &Kernel) -> KernelSummary {
    let (label, btf) = (&l.label, &*l.btf);
    let content = l.content.clone();
    let h = btf.header();
    let mut header = format!(
        "{} bytes (version {}, flags {:#x}); types {} bytes, strings {} bytes",
        h.hdr_len, h.version, h.flags, h.type_len, h.str_len
    );
    if h.layout_len != 0 {
        let _ = write!(header, ", layout {} bytes", h.layout_len);
    }
    let split = btf.base().map(|base| {
        format!(
            "ids {}..{} over a base of {} types{}",
            btf.start_id().0,
            btf.type_cnt() - 1,
            base.type_cnt() - 1,
            match (&l.base_label, l.distilled_base) {
                (_, true) => " (the distilled .BTF.base in the file)".to_owned(),
                (Some(b), false) => format!(" ({b})"),
                (None, false) => String::new(),
            }
        )
    });
    let sum = Summary::of(btf);
    let mut kinds: Vec<KindCount> = sum
        .kind_counts
        .iter()
        .enumerate()
        .filter(|&(_, &n)| n > 0)
        .map(|(k, &n)| KindCount {
            kind: Kind(k as u8).upper_name().to_owned(),
            count: n,
        })
        .collect();
    kinds.extend(sum.unknown_kinds.iter().map(|&(k, n)| KindCount {
        kind: format!("kind {k}"),
        count: n,
    }));
    let features = sum
        .features
        .iter()
        .map(|f| {
            let s = f.support();
            FeatureRow {
                feature: f.describe().to_owned(),
                kernel: s.kernel.to_string(),
                libbpf: s.libbpf.to_string(),
                bpftool: s.bpftool.to_string(),
            }
        })
        .collect();
    let (min, why) = sum.minimum();
    let minimum = [
        ("kernel", min.kernel, why[0]),
        ("libbpf", min.libbpf, why[1]),
        ("bpftool", min.bpftool, why[2]),
    ]
    .into_iter()
    .map(|(tool, v, f)| Minimum {
        tool: tool.to_owned(),
        version: v.to_string(),
        because: f.describe().to_owned(),
    })
    .collect();
    KernelSummary {
        label: label.to_owned(),
        content,
        layers: l.layers.clone(),
        byte_order: btf.endian().describe().to_owned(),
        header,
        btf_bytes: btf.raw_size() as u64,
        pointer_size: btf.ptr_size(),
        split,
        modules: l.modules.iter().map(|m| m.name.clone()).collect(),
        types: sum.own_types,
        kinds,
        features,
        minimum,
    }
}

/// Order of kinds among types of the same name: the ones people look for first.
fn kind_rank(k: Kind) -> u8 {
    match k {
        Kind::STRUCT => 0,
        Kind::UNION => 1,
        Kind::ENUM | Kind::ENUM64 => 2,
        Kind::TYPEDEF => 3,
        Kind::FUNC => 4,
        Kind::VAR => 5,
        _ => 6,
    }
}

fn type_index(btf: &Btf) -> TypeIndexData {
    let order = btf.search_order(kind_rank);
    let mut out = TypeIndexData {
        names: String::new(),
        ids: Vec::with_capacity(order.len()),
        kinds: Vec::with_capacity(order.len()),
    };
    for id in order {
        let t = btf.ty(id);
        out.names.push_str(t.name());
        out.names.push('\n');
        out.ids.push(id.0);
        out.kinds.push(t.kind().0);
    }
    out
}

fn type_detail(btf: &Btf, t: &Type<'_>) -> TypeDetail {
    let listing = marked::line_spans(&corelab::dump::type_marked(btf, t.id()));
    // The ids each line's C-like reading starts from: the type's own reference on its first
    // line, then one per member, parameter or DATASEC entry.
    let kind = t.kind();
    let first: Option<TypeId> = match kind {
        Kind::PTR
        | Kind::CONST
        | Kind::VOLATILE
        | Kind::RESTRICT
        | Kind::TYPEDEF
        | Kind::TYPE_TAG
        | Kind::VAR
        | Kind::FUNC
        | Kind::DECL_TAG => Some(t.type_id()),
        Kind::ARRAY => Some(t.id()),
        _ => None,
    };
    let rest: Vec<TypeId> = match kind {
        Kind::STRUCT | Kind::UNION => t.members().map(|m| m.type_id).collect(),
        Kind::FUNC_PROTO => t.params().map(|p| p.type_id).collect(),
        Kind::DATASEC => t.datasec_vars().map(|v| v.type_id).collect(),
        _ => Vec::new(),
    };
    let members: Vec<_> = t.members().collect();
    let element_names: Vec<String> = match kind {
        Kind::STRUCT | Kind::UNION => members.iter().map(|m| m.name.to_owned()).collect(),
        Kind::FUNC_PROTO => t.params().map(|p| p.name.to_owned()).collect(),
        Kind::ENUM | Kind::ENUM64 => t.enum_values().map(|v| v.name.to_owned()).collect(),
        Kind::DATASEC => t
            .datasec_vars()
            .map(|v| btf.ty(v.type_id).name().to_owned())
            .collect(),
        _ => Vec::new(),
    };
    let mut lines = Vec::new();
    for (i, raw) in listing.into_iter().enumerate() {
        let target = if i == 0 {
            first
        } else {
            rest.get(i - 1).copied()
        };
        let reading = target.map_or_else(Vec::new, |target| {
            corelab::diff::type_pieces(btf, target)
                .into_iter()
                .map(|p| Span {
                    text: p.text,
                    link: p.id.map(|id| id.0),
                })
                .collect()
        });
        let offset = match (
            i.checked_sub(1).and_then(|m| members.get(m)),
            kind.is_composite(),
        ) {
            (Some(m), true) if m.bitfield_size == 0 && m.bit_offset % 8 == 0 => {
                Some((m.bit_offset / 8).to_string())
            }
            (Some(m), true) => Some(format!("{}:{}", m.bit_offset / 8, m.bit_offset % 8)),
            _ => None,
        };
        let name = i
            .checked_sub(1)
            .and_then(|e| element_names.get(e))
            .map(|n| {
                if n.is_empty() {
                    "(anon)".to_owned()
                } else {
                    n.clone()
                }
            });
        lines.push(DetailLine {
            raw,
            name,
            reading,
            offset,
        });
    }
    let size = match kind {
        Kind::INT
        | Kind::STRUCT
        | Kind::UNION
        | Kind::ENUM
        | Kind::ENUM64
        | Kind::DATASEC
        | Kind::FLOAT => Some(t.size()),
        _ => None,
    };
    TypeDetail {
        id: t.id().0,
        kind: kind.upper_name().to_owned(),
        name: t.name().to_owned(),
        size,
        lines,
    }
}

// Reads tests/data through corelab-tests, a native dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod module_tests;
#[cfg(test)]
mod release_tests;
#[cfg(test)]
pub(crate) mod tests;
