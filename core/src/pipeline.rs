//! One object against one target kernel, end to end: extern resolution, CO-RE relocation,
//! and the verifier simulation — the glue that keeps `reloc` and `sim` independent of each
//! other. The CLI's `guard` and `matrix` and the web app all go through [`analyze`].

use crate::btf::Btf;
use crate::insn::Insn;
use crate::kconfig::{self, KconfigError, KconfigLayout, Resolved, Settings};
use crate::libbpf::Libbpf;
use crate::object::Object;
use crate::reloc::{self, ObjectRelocation, Outcome, Target};
use crate::sim::{self, GuardInput, NotSubmitted, ProgramReport, RelocSite};

/// What the simulated kernel says, besides its BTF.
#[derive(Debug, Clone, Default)]
pub struct Knobs {
    /// The libbpf release that relocates and resolves externs (its `libbpf` field overrides
    /// `kconfig.libbpf`).
    pub libbpf: Libbpf,
    /// Kconfig text and kernel release for `__kconfig` externs.
    pub kconfig: Settings,
    /// `NAME=VALUE` overrides of `.kconfig` externs and read-only globals (`--set`).
    pub set: Vec<(String, String)>,
    /// Exploration bounds (default: the kernel's).
    pub limits: Option<sim::Limits>,
}

/// The relocation and the simulation of one object against one target.
#[derive(Debug)]
pub struct Analysis<'a> {
    /// libbpf's relocation, record by record.
    pub relocation: ObjectRelocation<'a>,
    /// `.kconfig` layout and values, or why libbpf would fail before relocating.
    pub kconfig: Result<(KconfigLayout, Resolved), KconfigError>,
    /// The relocation sites the simulation names.
    pub sites: Vec<RelocSite>,
    /// One report per main program, in libbpf's order.
    pub programs: Vec<ProgramReport>,
    /// Helper names as the target kernel spells them (for listings).
    pub helpers: sim::HelperNames,
}

impl Analysis<'_> {
    /// The name of `.kconfig` extern `i` (as the simulation's `Origin::Kconfig` numbers
    /// them), when the externs resolved.
    pub fn kconfig_name(&self, i: u32) -> Option<&str> {
        let (layout, _) = self.kconfig.as_ref().ok()?;
        layout.vars.get(i as usize).map(|v| v.name.as_str())
    }

    /// The CO-RE record (index over the `.BTF.ext`, as in [`ObjectRelocation::records`])
    /// behind relocation site `site`.
    pub fn site_record(&self, site: u32) -> Option<usize> {
        let s = self.sites.get(site as usize)?;
        self.relocation
            .records
            .iter()
            .position(|r| r.sec == s.sec && r.relo.insn_off / 8 == s.insn)
    }
}

/// What decided a branch, in words, and the CO-RE record when it was a relocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginText {
    /// `CO-RE relocation #2 (field_exists inode.i_atime_sec = 0)`, `CONFIG_HZ (.kconfig)`,
    /// `the read-only global debug`.
    pub text: String,
    /// The record (index over the `.BTF.ext`) of a relocation.
    pub record: Option<usize>,
}

impl sim::Origin {
    /// What this is in `obj` analysed as `a`, in words.
    pub fn describe(self, a: &Analysis<'_>, obj: &Object) -> OriginText {
        match self {
            sim::Origin::Relo(i) => {
                let Some(site) = a.sites.get(i as usize) else {
                    return OriginText {
                        text: format!("relocation {i}"),
                        record: None,
                    };
                };
                let record = a.site_record(i);
                let rec = record.and_then(|k| a.relocation.records.get(k));
                let value = rec
                    .and_then(|r| r.processed.as_ref())
                    .and_then(|p| p.resolution.as_ref())
                    .and_then(|res| res.result.ok())
                    .map(|v| format!(" = {}", v.new_val))
                    .unwrap_or_default();
                let access = rec.map_or_else(|| site.local_spec.clone(), |r| r.access_path());
                OriginText {
                    text: format!(
                        "CO-RE relocation #{} ({} {access}{value})",
                        site.sec_relo_idx, site.kind
                    ),
                    record,
                }
            }
            sim::Origin::Kconfig(i) => OriginText {
                text: a.kconfig_name(i).map_or_else(
                    || format!("kconfig extern {i}"),
                    |n| format!("{n} (.kconfig)"),
                ),
                record: None,
            },
            sim::Origin::Rodata(m, off) => {
                let map = obj.maps.get(m as usize);
                let global = map.and_then(|map| match &map.kind {
                    crate::object::MapKind::GlobalData { section, .. } => {
                        obj.globals.iter().find(|g| {
                            &g.section == section
                                && u64::from(off) >= g.offset
                                && u64::from(off) < g.offset + g.size.max(1)
                        })
                    }
                    _ => None,
                });
                let text = match (global, map) {
                    (Some(g), _) => format!("the read-only global {}", g.name),
                    (None, Some(map)) => format!("{}+{off} (read-only data)", map.name),
                    _ => format!("read-only data {m}+{off}"),
                };
                OriginText { text, record: None }
            }
        }
    }
}

/// Why `analyze` cannot run at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalyzeError {
    /// A `--set` name or value is wrong.
    Set(String),
}

impl std::fmt::Display for AnalyzeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnalyzeError::Set(m) => write!(f, "--set: {m}"),
        }
    }
}

/// The sites of every patched or poisoned record, for the simulation.
pub fn sites(obj: &Object, rel: &ObjectRelocation<'_>) -> Vec<RelocSite> {
    let mut out = Vec::new();
    for r in &rel.records {
        if !matches!(r.outcome, Outcome::Patched | Outcome::Poisoned(_)) {
            continue;
        }
        let Some((ci, code)) = obj.code_by_name(r.sec) else {
            continue;
        };
        let insn = r.relo.insn_off / 8;
        let local_spec = r
            .processed
            .as_ref()
            .and_then(|p| p.resolution.as_ref())
            .and_then(|res| res.local_spec.as_ref())
            .map(|s| s.format())
            .unwrap_or_default();
        out.push(RelocSite {
            code: ci,
            insn,
            sec: r.sec.to_owned(),
            sec_relo_idx: r.sec_relo_idx as u32,
            kind: r.kind.log_name().to_owned(),
            poisoned: matches!(r.outcome, Outcome::Poisoned(_)),
            ldimm64: code.insns.get(insn as usize).is_some_and(Insn::is_ld_imm64),
            local_spec,
        });
    }
    out
}

/// Main programs libbpf does not submit because of a relocation error: the failing program
/// itself, or every program when the failure is in a subprogram (an object-wide failure).
pub fn relocation_failures(obj: &Object, rel: &ObjectRelocation<'_>) -> Vec<(usize, NotSubmitted)> {
    let mut out: Vec<(usize, NotSubmitted)> = Vec::new();
    for r in &rel.records {
        let Outcome::Error(..) = r.outcome else {
            continue;
        };
        let Some(p) = r.prog else { continue };
        let warning = r
            .processed
            .as_ref()
            .and_then(|x| x.first_warning())
            .map(|l| l.text.clone());
        if obj.programs[p].is_subprog {
            for (i, q) in obj.programs.iter().enumerate() {
                if !q.is_subprog && !out.iter().any(|(j, _)| *j == i) {
                    out.push((i, NotSubmitted::ObjectError(warning.clone())));
                }
            }
        } else if !out.iter().any(|(j, _)| *j == p) {
            out.push((p, NotSubmitted::RelocationError(warning)));
        }
    }
    out
}

/// Relocates `obj` against `target` and simulates the verifier on every main program, as
/// on a machine running that kernel (its `__ksym` externs resolve against it too).
pub fn analyze<'a>(
    obj: &'a Object,
    target: &'a Btf,
    knobs: &Knobs,
) -> Result<Analysis<'a>, AnalyzeError> {
    analyze_target(obj, &Target::kernel(target), knobs)
}

/// [`analyze`] against a kernel with modules (CO-RE candidates come from the modules when
/// the kernel has none).
pub fn analyze_target<'a>(
    obj: &'a Object,
    target: &Target<'a>,
    knobs: &Knobs,
) -> Result<Analysis<'a>, AnalyzeError> {
    analyze_with_ksyms(obj, target, target.vmlinux, knobs)
}

/// [`analyze_target`], with `__ksym` externs (kernel variables and kfuncs, `bpf_ksym_exists`)
/// resolved against `ksyms` instead of the target's vmlinux. libbpf relocates CO-RE against a
/// custom BTF (`btf_custom_path`) but always resolves ksyms against the running kernel's: this
/// reproduces a load on one kernel of a program relocated for another.
pub fn analyze_with_ksyms<'a>(
    obj: &'a Object,
    target: &Target<'a>,
    ksyms: &'a Btf,
    knobs: &Knobs,
) -> Result<Analysis<'a>, AnalyzeError> {
    let relocation = reloc::relocate(obj, target, knobs.libbpf);
    let settings = Settings {
        libbpf: knobs.libbpf,
        ..knobs.kconfig.clone()
    };
    let kconfig =
        kconfig::layout(obj).and_then(|l| kconfig::resolve(&l, &settings).map(|r| (l, r)));
    let sites = sites(obj, &relocation);
    let mut input = GuardInput::new(obj, relocation.code.clone(), sites.clone());
    input.target = Some(ksyms);
    if let Some(l) = knobs.limits {
        input.limits = l;
    }
    match &kconfig {
        Ok((layout, resolved)) => input.kconfig = Some((layout.clone(), resolved.image.clone())),
        Err(e) => {
            // libbpf fails the whole load while resolving externs.
            for (i, p) in obj.programs.iter().enumerate() {
                if !p.is_subprog {
                    input
                        .not_submitted
                        .push((i, NotSubmitted::ExternError(e.message.clone())));
                }
            }
        }
    }
    input
        .not_submitted
        .extend(relocation_failures(obj, &relocation));
    for (name, value) in &knobs.set {
        input.set(name, value).map_err(AnalyzeError::Set)?;
    }
    let programs = sim::guard(&input);
    Ok(Analysis {
        relocation,
        kconfig,
        sites,
        programs,
        helpers: sim::HelperNames::from_btf(target.vmlinux),
    })
}
