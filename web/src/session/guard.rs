//! The guard simulation for the Guarding area: a verdict per program and, for one program,
//! its flow after relocation — listing, basic blocks and edges, the decided branches and
//! what decided them, and the poisoned instructions mapped back to their relocation, source
//! line and access path, in plain words.

use corelab::insn::disassemble;
use corelab::object::Object;
use corelab::pipeline::Analysis;
use corelab::sim::cfg::{self, EdgeKind};
use corelab::sim::{Origin, PoisonReport, ProgramReport, Verdict};

use crate::dto::guard::{
    BranchInfo, FlowBlock, FlowEdge, FlowRow, KnobValue, PoisonInfo, ProgramFlow, ProgramVerdict,
    WhatIf,
};
use crate::dto::object::SourceRef;

use super::object::{
    core_sites, jump_target, kcfg_type_name, settable_globals, source_ref, value_text, LoadedObject,
};
use super::reloc::{self, access_of};
use super::whatif::Target;

/// A program's verdict in words.
pub fn verdict(r: &ProgramReport, a: &Analysis<'_>, obj: &Object) -> ProgramVerdict {
    let live = r.exploration.seen.iter().filter(|&&s| s).count() as u32;
    let n = r.linked.insns.len() as u32;
    let reachable = r.poisoned.iter().filter(|p| p.reachable).count() as u32;
    let text = match &r.verdict {
        Verdict::Loaded => {
            let dead = n - live;
            if dead == 0 {
                format!("loads: the verifier reaches all {n} instructions")
            } else {
                format!(
                    "loads: the verifier reaches {live} of {n} instructions and removes the other {dead} as dead code"
                )
            }
        }
        Verdict::RejectedPoison => match r.rejecting_poison() {
            Some(p) => {
                let what = poison_record(p, a, obj)
                    .map(|(_, access)| format!(" (relocation of {access} found nothing)"))
                    .unwrap_or_default();
                format!(
                    "rejected: poisoned instruction {} ({}+{}) is reachable{what}",
                    p.idx, p.func, p.func_insn
                )
            }
            None => "rejected: a poisoned instruction is reachable".into(),
        },
        Verdict::Rejected(m) => format!("rejected: {m}"),
        Verdict::TooComplex { steps } => format!(
            "rejected as too complex: the verifier gives up after {} processed instructions, and the walk had processed {steps} without finishing. Its instructions are not explored: none is shown as dead.",
            corelab::sim::KERNEL_STEP_LIMIT
        ),
        Verdict::NotSubmitted(n) => format!("not submitted by libbpf: {}", n.describe()),
        Verdict::Undecided(m) => format!(
            "undecided: {m}. Its instructions are not explored: none is shown as dead."
        ),
    };
    let coverage = r.verdict.coverage();
    ProgramVerdict {
        name: r.name.clone(),
        sec: r.sec.clone(),
        verdict: r.verdict.label().to_owned(),
        text,
        insns: n,
        live,
        reachable_poisons: reachable,
        unreached: coverage.unreached_words().to_owned(),
        unreached_is_dead: coverage.unreached_is_dead(),
    }
}

/// The CO-RE record index (over the `.BTF.ext`) and access path of a poison's relocation.
fn poison_record(p: &PoisonReport, a: &Analysis<'_>, obj: &Object) -> Option<(u32, String)> {
    let site = a.sites.get(p.site? as usize)?;
    let idx = record_at(obj, &site.sec, site.insn)?;
    let rec = a.relocation.records.get(idx as usize)?;
    Some((idx, access_of(rec)))
}

/// The CO-RE record at instruction `insn` of section `sec`.
fn record_at(obj: &Object, sec: &str, insn: u32) -> Option<u32> {
    core_sites(obj)
        .into_iter()
        .find(|&(s, at, _)| s == sec && at == insn)
        .map(|(_, _, k)| k)
}

/// The values the what-if knobs had in this run.
pub fn knob_values(obj: &Object, a: &Analysis<'_>, whatif: &WhatIf) -> Vec<KnobValue> {
    let set = |name: &str| {
        whatif
            .set
            .iter()
            .rev()
            .find(|(n, _)| n.trim() == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    let mut out = Vec::new();
    if let Ok((layout, resolved)) = &a.kconfig {
        for v in &layout.vars {
            let bytes = resolved
                .image
                .get(v.offset as usize..(v.offset + v.size) as usize)
                .unwrap_or(&[]);
            let default = match v.ty {
                corelab::kconfig::KcfgType::Bool | corelab::kconfig::KcfgType::Tristate => {
                    match bytes.first() {
                        Some(1) => "y".into(),
                        Some(2) => "m".into(),
                        _ => "n".into(),
                    }
                }
                corelab::kconfig::KcfgType::CharArray => {
                    value_text(bytes, corelab::bytes::Endian::Little, true)
                }
                _ => {
                    let raw = value_text(bytes, corelab::bytes::Endian::Little, false);
                    if v.name == "LINUX_KERNEL_VERSION" {
                        raw.parse::<u32>().map_or(raw.clone(), |k| {
                            format!("{}.{}.{}", k >> 16, (k >> 8) & 0xff, k & 0xff)
                        })
                    } else {
                        raw
                    }
                }
            };
            let over = set(&v.name);
            out.push(KnobValue {
                name: v.name.clone(),
                kind: format!("kconfig {}", kcfg_type_name(v.ty, v.size)),
                overridden: over.is_some(),
                value: over.unwrap_or(default),
            });
        }
    }
    let Some(btf) = &obj.btf else { return out };
    for (g, ty, is_str) in settable_globals(obj) {
        let bytes = obj
            .data_section(&g.section)
            .and_then(|d| d.bytes.get(g.offset as usize..(g.offset + g.size) as usize))
            .unwrap_or(&[]);
        let over = set(&g.name);
        out.push(KnobValue {
            name: g.name.clone(),
            kind: format!("rodata {}", corelab::diff::type_string(btf, ty)),
            overridden: over.is_some(),
            value: over.unwrap_or_else(|| value_text(bytes, obj.endian, is_str)),
        });
    }
    out
}

/// What decided a branch, in words, with the CO-RE record when it was one.
fn origin_text(o: Origin, a: &Analysis<'_>, obj: &Object) -> (String, Option<u32>) {
    let d = o.describe(a, obj);
    (d.text, d.record.map(|r| r as u32))
}

/// The flow of program `r`.
pub fn flow(
    obj: &LoadedObject,
    target: &Target,
    a: &Analysis<'_>,
    r: &ProgramReport,
) -> ProgramFlow {
    let o = &obj.obj;
    let linked = &r.linked;
    let seen = &r.exploration.seen;
    let graph = cfg::build(linked);
    let branch_seen: std::collections::HashMap<usize, _> = r.branches().into_iter().collect();

    let branches: Vec<BranchInfo> = r
        .branches()
        .into_iter()
        .map(|(idx, b)| {
            let (by, relo) = b
                .decided_by
                .map(|o| origin_text(o, a, &obj.obj))
                .map_or((None, None), |(t, r)| (Some(t), r));
            let one_way = b.taken != b.fallthrough;
            let text = match (b.taken, b.fallthrough) {
                (false, false) => "never reached".to_owned(),
                (true, true) => "goes both ways: the verifier cannot tell".to_owned(),
                (true, false) => "always jumps".to_owned(),
                (false, true) => "never jumps".to_owned(),
            };
            let text = match (&by, one_way && b.decided) {
                (Some(by), true) => format!("{text}: decided by {by}"),
                _ => text,
            };
            BranchInfo {
                idx: idx as u32,
                taken: b.taken,
                fallthrough: b.fallthrough,
                decided: b.decided && one_way,
                decided_by: by.filter(|_| one_way && b.decided),
                relo: relo.filter(|_| one_way && b.decided),
                text,
            }
        })
        .collect();

    let poisons: Vec<PoisonInfo> = r
        .poisoned
        .iter()
        .map(|p| poison_info(obj, target, a, r, p))
        .collect();

    let mut rows = Vec::with_capacity(linked.insns.len());
    let mut last_src: Option<(String, u32)> = None;
    let mut i = 0;
    while i < linked.insns.len() {
        let d = r.insn_text(i, &a.helpers);
        let (c, si) = linked.origin.get(i).copied().unwrap_or((usize::MAX, 0));
        let func = linked
            .funcs
            .iter()
            .find(|f| f.start == i)
            .map(|f| f.name.clone());
        if func.is_some() {
            // A function's first line always shows its source.
            last_src = None;
        }
        let src = source_ref(o, c, si);
        let source = src.filter(|s| last_src.as_ref() != Some(&(s.file.clone(), s.line)));
        if let Some(s) = &source {
            last_src = Some((s.file.clone(), s.line));
        }
        rows.push(FlowRow {
            idx: i as u32,
            text: d.text,
            live: seen.get(i).copied().unwrap_or(false),
            block: graph.block_of(i).unwrap_or(0) as u32,
            func,
            source,
            target: jump_target(&linked.insns, i),
            branch: branches
                .iter()
                .position(|b| b.idx as usize == i)
                .map(|b| b as u32),
            poison: poisons
                .iter()
                .position(|p| p.idx as usize == i)
                .map(|p| p as u32),
            relo: o.code.get(c).and_then(|code| record_at(o, &code.name, si)),
        });
        i += d.slots.max(1);
    }

    let live_block =
        |b: &cfg::Block| (b.start..b.end).any(|k| seen.get(k).copied().unwrap_or(false));
    let blocks: Vec<FlowBlock> = graph
        .blocks
        .iter()
        .map(|b| FlowBlock {
            start: b.start as u32,
            end: b.end as u32,
            live: live_block(b),
            func: b.func as u32,
        })
        .collect();
    let edges = graph
        .edges
        .iter()
        .map(|e| {
            let from = &graph.blocks[e.from];
            let last = last_insn(linked, from);
            let both = blocks[e.from].live && blocks[e.to].live;
            let live = both
                && match (e.kind, branch_seen.get(&last)) {
                    (EdgeKind::Taken, Some(b)) => b.taken,
                    (EdgeKind::Fallthrough, Some(b)) => b.fallthrough,
                    _ => true,
                };
            FlowEdge {
                from: e.from as u32,
                to: e.to as u32,
                kind: match e.kind {
                    EdgeKind::Fallthrough => "fall",
                    EdgeKind::Taken => "taken",
                    EdgeKind::Jump => "jump",
                    EdgeKind::Call => "call",
                }
                .to_owned(),
                live,
            }
        })
        .collect();
    ProgramFlow {
        verdict: verdict(r, a, o),
        funcs: linked
            .funcs
            .iter()
            .map(|f| (f.name.clone(), f.start as u32, f.len as u32))
            .collect(),
        rows,
        blocks,
        edges,
        branches,
        poisons,
    }
}

/// The first slot of a block's last instruction.
fn last_insn(p: &corelab::sim::LinkedProgram, b: &cfg::Block) -> usize {
    let mut i = b.start;
    let mut last = b.start;
    while i < b.end {
        last = i;
        i += if p.insns[i].is_ld_imm64() { 2 } else { 1 };
    }
    last
}

fn poison_info(
    obj: &LoadedObject,
    target: &Target,
    a: &Analysis<'_>,
    r: &ProgramReport,
    p: &PoisonReport,
) -> PoisonInfo {
    let o = &obj.obj;
    let (c, si) = r
        .linked
        .origin
        .get(p.idx)
        .copied()
        .unwrap_or((usize::MAX, 0));
    let source: Option<SourceRef> = source_ref(o, c, si);
    let record = poison_record(p, a, o);
    let original = o
        .code
        .get(c)
        .map(|code| disassemble(&code.insns, si as usize).text);
    let why = record.as_ref().and_then(|(k, _)| {
        reloc::explain(obj, target, &a.relocation, *k as usize).and_then(|e| {
            e.candidates
                .iter()
                .rev()
                .find(|c| !c.matched)
                .map(|c| c.why.clone())
                .or_else(|| (e.candidates.is_empty()).then_some(e.search.clone()))
        })
    });
    let explanation = match (&record, p.reachable) {
        (Some((k, access)), true) => format!(
            "The verifier reaches this call. libbpf wrote it in place of `{}` because relocation {k} (the access to {access}) found nothing in {}{}. The kernel stops at it with \"{}\" and rejects the program. Guard the access — e.g. if (bpf_core_field_exists(...)) — so that on kernels without it the check is a constant 0 and the verifier removes the branch.",
            original.unwrap_or_default(),
            target.label,
            why.map(|w| format!(": {w}")).unwrap_or_default(),
            p.kernel_message
        ),
        (Some((k, access)), false) => format!(
            "Poisoned by relocation {k} ({access} is missing in {}), but no path reaches it: a guard decided by the kernel's BTF makes the verifier remove it as dead code.",
            target.label
        ),
        (None, true) => format!(
            "The verifier reaches this poisoned call and rejects the program: \"{}\".",
            p.kernel_message
        ),
        (None, false) => "Poisoned, but no path reaches it: removed as dead code.".into(),
    };
    PoisonInfo {
        idx: p.idx as u32,
        func: p.func.clone(),
        func_insn: p.func_insn as u32,
        reachable: p.reachable,
        first: p.first,
        kernel_message: p.kernel_message.clone(),
        libbpf_message: p.libbpf_message.clone(),
        relo: record.as_ref().map(|(k, _)| *k),
        access: record.map(|(_, a)| a),
        source,
        explanation,
    }
}
