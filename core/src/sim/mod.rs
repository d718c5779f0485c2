//! Guarding: simulate what the kernel verifier does with a relocated object — which
//! instructions it reaches, which conditional jumps it decides (and what constant decided
//! them), and whether a poisoned instruction is reachable (the load fails) or proven dead
//! (the verifier removes it).
//!
//! Pipeline: relocated code sections → [`link`] (each main program as libbpf submits it:
//! subprograms appended, `LD_IMM64`s annotated) → `explore` (the verifier's walk over an
//! abstract state: `scalar` values, `branch` decisions, `state` registers and stack) →
//! a [`ProgramReport`] per main program.
//!
//! Soundness with respect to the kernel is the invariant: the abstract domain never knows
//! more than the verifier's, so an instruction reported dead is dead for the kernel too.
//! A walk that needs more than the kernel's 1,000,000 processed instructions is a verdict:
//! the kernel rejects the program as too complex; nothing is then shown as dead.
//! Reference: ../shared/spec/core-spec.md §5.

pub(crate) mod alu;
pub(crate) mod branch;
pub mod cfg;
pub(crate) mod explore;
pub mod helpers;
pub mod link;
pub(crate) mod liveness;
pub(crate) mod precise;
pub(crate) mod prune;
mod report;
pub(crate) mod scalar;
pub(crate) mod state;

use crate::btf::{Btf, Kind};
use crate::insn::Insn;
use crate::kconfig::{KcfgType, KconfigLayout};
use crate::object::{MapKind, Object};

pub use explore::{BranchSeen, Exhausted, Exploration, Limits, Stop, Walk, KERNEL_STEP_LIMIT};
pub use helpers::HelperNames;
pub use link::{LinkedFunc, LinkedProgram};
pub use report::{
    ranges, Coverage, FuncReport, NotSubmitted, PoisonKind, PoisonReport, ProgramReport, Verdict,
};
pub use state::Origin;

/// A CO-RE relocation as the guard needs it: where it patched, what it was, and whether it
/// poisoned the instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelocSite {
    /// Code section index (into [`Object::code`]).
    pub code: usize,
    /// Instruction index within the section.
    pub insn: u32,
    /// ELF section name of the `.BTF.ext` block.
    pub sec: String,
    /// libbpf's `relo #N` within the section.
    pub sec_relo_idx: u32,
    /// libbpf's kind name (`byte_off`, `field_exists`, …).
    pub kind: String,
    /// The instruction was poisoned.
    pub poisoned: bool,
    /// The relocated instruction is an `LD_IMM64`.
    pub ldimm64: bool,
    /// libbpf's text of the local spec (`<byte_off> [5] struct task_struct.pid (0:92 @ offset 1264)`).
    pub local_spec: String,
}

/// Everything the simulation needs about one object: its relocated code and what the
/// simulated kernel and Kconfig say.
#[derive(Debug)]
pub struct GuardInput<'a> {
    /// The object.
    pub object: &'a Object,
    /// Its code sections after CO-RE relocation (parallel to `object.code`).
    pub code: Vec<Vec<Insn>>,
    /// The CO-RE relocation sites.
    pub sites: Vec<RelocSite>,
    /// The target kernel's BTF (resolves `__ksym` externs).
    pub target: Option<&'a Btf>,
    /// `.kconfig` layout and resolved image.
    pub kconfig: Option<(KconfigLayout, Vec<u8>)>,
    /// Read-only global data images by map index (`.rodata*`), after `--set` overrides.
    pub rodata: Vec<(usize, Vec<u8>)>,
    /// Main programs libbpf does not submit, with the reason (relocation error, autoload off).
    pub not_submitted: Vec<(usize, NotSubmitted)>,
    /// Exploration bounds.
    pub limits: Limits,
}

impl<'a> GuardInput<'a> {
    /// Input for `object` with relocated `code`; `.rodata` images start as the object's.
    pub fn new(object: &'a Object, code: Vec<Vec<Insn>>, sites: Vec<RelocSite>) -> Self {
        let rodata = object
            .maps
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match &m.kind {
                MapKind::GlobalData {
                    section,
                    readonly: true,
                } => object.data_section(section).map(|d| (i, d.bytes.clone())),
                _ => None,
            })
            .collect();
        GuardInput {
            object,
            code,
            sites,
            target: None,
            kconfig: None,
            rodata,
            not_submitted: Vec::new(),
            limits: Limits::default(),
        }
    }

    /// Overrides a `.kconfig` extern or a `const volatile` global by name (`--set`).
    /// Integers are decimal or `0x` hex (negative allowed); `y`/`n`/`m` for bool/tristate;
    /// anything else for a `char[]`.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        if let Some((layout, image)) = &mut self.kconfig {
            if let Some(v) = layout.vars.iter().find(|v| v.name == name) {
                let bytes = encode_value(
                    value,
                    v.size as usize,
                    v.ty == KcfgType::CharArray,
                    matches!(v.ty, KcfgType::Bool | KcfgType::Tristate),
                )?;
                image[v.offset as usize..(v.offset + v.size) as usize].copy_from_slice(&bytes);
                return Ok(());
            }
        }
        let obj = self.object;
        for g in obj.globals.iter().filter(|g| g.name == name) {
            let Some((_, image)) = self.rodata.iter_mut().find(|(m, _)| {
                matches!(&obj.maps[*m].kind, MapKind::GlobalData { section, .. } if *section == g.section)
            }) else {
                continue;
            };
            // A char array takes a string; everything else a number.
            let is_str = obj.btf.as_ref().is_some_and(|btf| {
                btf.find_by_name(name).any(|id| {
                    let v = btf.ty(id);
                    v.kind() == Kind::VAR
                        && btf.skip_mods_and_typedefs(v.type_id()).kind() == Kind::ARRAY
                })
            });
            let bytes = encode_value(value, g.size as usize, is_str, false)?;
            let start = g.offset as usize;
            let dst = image
                .get_mut(start..start + bytes.len())
                .ok_or_else(|| format!("'{name}' lies outside section {}", g.section))?;
            dst.copy_from_slice(&bytes);
            return Ok(());
        }
        Err(format!(
            "no .kconfig extern or read-only global named '{name}'"
        ))
    }
}

/// Encodes a `--set` value into `size` little-endian bytes.
fn encode_value(value: &str, size: usize, string: bool, yes_no: bool) -> Result<Vec<u8>, String> {
    if string {
        let mut b = vec![0u8; size];
        let s = value.trim_matches('"').as_bytes();
        let n = s.len().min(size.saturating_sub(1));
        b[..n].copy_from_slice(&s[..n]);
        return Ok(b);
    }
    let v: u64 = match value {
        "y" if yes_no => 1,
        "n" if yes_no => 0,
        "m" if yes_no => 2,
        "true" => 1,
        "false" => 0,
        _ => {
            let (neg, digits) = value
                .strip_prefix('-')
                .map_or((false, value), |d| (true, d));
            let n = match digits
                .strip_prefix("0x")
                .or_else(|| digits.strip_prefix("0X"))
            {
                Some(h) => u64::from_str_radix(h, 16),
                None => digits.parse::<u64>(),
            }
            .map_err(|_| format!("'{value}' is not a number"))?;
            if neg {
                n.wrapping_neg()
            } else {
                n
            }
        }
    };
    if size < 8 && v >> (8 * size) != 0 && (v as i64) >> (8 * size - 1) != -1 {
        return Err(format!("{value} does not fit in {size} bytes"));
    }
    Ok(v.to_le_bytes()[..size.min(8)].to_vec())
}

/// Simulates the verifier on every main program of the object.
pub fn guard(input: &GuardInput<'_>) -> Vec<ProgramReport> {
    let obj = input.object;
    let mut env = explore::Env {
        frozen: vec![None; obj.maps.len()],
        ..Default::default()
    };
    for (map, image) in &input.rodata {
        if let Some(slot) = env.frozen.get_mut(*map) {
            *slot = Some(image.clone());
        }
    }
    if let Some((layout, image)) = &input.kconfig {
        if let Some(m) = obj.maps.iter().position(|m| m.kind == MapKind::Kconfig) {
            env.frozen[m] = Some(image.clone());
            env.kconfig = Some((
                m as u16,
                layout
                    .vars
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v.offset, v.size, i as u32))
                    .collect(),
            ));
        }
    }
    let layout = input.kconfig.as_ref().map(|(l, _)| l);
    let mut reports = Vec::new();
    for (pi, p) in obj.programs.iter().enumerate() {
        if p.is_subprog {
            continue;
        }
        let linked = link::link(obj, &input.code, pi, layout, input.target);
        let skip = input
            .not_submitted
            .iter()
            .find(|(i, _)| *i == pi)
            .map(|(_, r)| r.clone());
        let skip = skip.or_else(|| (!p.autoload).then_some(NotSubmitted::AutoloadOff));
        let skip = skip.or_else(|| linked.error.clone().map(NotSubmitted::LibbpfError));
        let exploration = match &skip {
            Some(_) => Exploration {
                seen: vec![false; linked.insns.len()],
                ..Default::default()
            },
            None => {
                env.sites = input
                    .sites
                    .iter()
                    .enumerate()
                    .flat_map(|(si, s)| {
                        linked
                            .origin
                            .iter()
                            .enumerate()
                            .filter(move |(_, &(c, i))| c == s.code && i == s.insn)
                            .map(move |(at, _)| (at, si as u32))
                    })
                    .collect();
                explore::explore(&linked, &env, input.limits)
            }
        };
        reports.push(report::build(input, pi, linked, exploration, skip));
    }
    reports
}
#[cfg(test)]
mod tests;
