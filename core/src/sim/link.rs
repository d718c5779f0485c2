//! Builds each main program as libbpf submits it to the kernel (`bpf_object__reloc_code`):
//! its own instructions, then every subprogram it calls appended depth-first in the order
//! the calls are met (each program gets its own copy), with call immediates re-pointed; and
//! notes what every `LD_IMM64` loads once libbpf has fixed it up (a map, a pointer into a
//! global-data or `.kconfig` map, a kernel symbol).

use std::collections::HashMap;

use crate::btf::{Btf, Kind};
use crate::insn::opcode::{PSEUDO_CALL, PSEUDO_FUNC, PSEUDO_KFUNC_CALL};
use crate::insn::Insn;
use crate::kconfig::KconfigLayout;
use crate::object::{ExternKind, MapKind, Object, RelocTarget, TEXT};

/// What an `LD_IMM64` loads after libbpf's fixups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LdImm {
    /// A map (`BPF_PSEUDO_MAP_FD`).
    Map(u16),
    /// A pointer into a map's value (`BPF_PSEUDO_MAP_VALUE`): global data or `.kconfig`.
    MapValue {
        /// Map index in the object.
        map: u16,
        /// Byte offset in the value.
        off: u32,
    },
    /// A kernel object found in the target's BTF (`BPF_PSEUDO_BTF_ID`).
    BtfId,
    /// A weak `__ksym` the target does not have: libbpf loads a plain 0.
    Zero,
    /// A function address (a callback), at this linked instruction.
    Func(usize),
}

/// A call libbpf could not resolve to a kernel function: the poisoned `call` it writes.
pub const KFUNC_POISON_BASE: i32 = 2_002_000_000;

/// One function of a linked program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedFunc {
    /// Function name.
    pub name: String,
    /// Index into [`Object::programs`].
    pub prog: usize,
    /// First instruction in the linked program.
    pub start: usize,
    /// Number of instructions.
    pub len: usize,
    /// Global linkage in BTF: the verifier checks it on its own, with unknown arguments.
    pub global: bool,
}

/// A main program with its subprograms appended, as submitted to the kernel.
#[derive(Debug, Clone)]
pub struct LinkedProgram {
    /// Index into [`Object::programs`] of the main program.
    pub prog: usize,
    /// The instructions.
    pub insns: Vec<Insn>,
    /// The functions, main first, then subprograms in append order.
    pub funcs: Vec<LinkedFunc>,
    /// For each instruction: (code section index, instruction index in that section).
    pub origin: Vec<(usize, u32)>,
    /// What `LD_IMM64`s load (keyed by the first slot).
    pub ld: HashMap<usize, LdImm>,
    /// Calls to unresolved weak kfuncs (poisoned), by instruction, with the kfunc's name.
    pub poisoned_kfuncs: HashMap<usize, String>,
    /// Calls of kfuncs the target kernel has, by instruction, with the kfunc's name.
    pub kfuncs: HashMap<usize, String>,
    /// Why libbpf would refuse to load this program before the verifier (a strong extern
    /// missing, a malformed call), if it would.
    pub error: Option<String>,
}

impl LinkedProgram {
    /// The function containing instruction `idx`.
    pub fn func_at(&self, idx: usize) -> Option<&LinkedFunc> {
        self.funcs
            .iter()
            .find(|f| idx >= f.start && idx < f.start + f.len)
    }
}

/// Whether the object's BTF gives function `name` global linkage.
fn is_global(btf: Option<&Btf>, name: &str) -> bool {
    btf.is_some_and(|b| {
        b.find_by_name(name)
            .any(|id| b.ty(id).kind() == Kind::FUNC && b.ty(id).func_linkage() == 1)
    })
}

/// Links main program `prog` from the (CO-RE-patched) code sections `code`.
pub fn link(
    obj: &Object,
    code: &[Vec<Insn>],
    prog: usize,
    kconfig: Option<&KconfigLayout>,
    target: Option<&Btf>,
) -> LinkedProgram {
    let main = &obj.programs[prog];
    let mut out = LinkedProgram {
        prog,
        insns: Vec::new(),
        funcs: Vec::new(),
        origin: Vec::new(),
        ld: HashMap::new(),
        poisoned_kfuncs: HashMap::new(),
        kfuncs: HashMap::new(),
        error: None,
    };
    let mut placed: HashMap<usize, usize> = HashMap::new();
    append(obj, code, &mut out, &mut placed, prog);
    // Depth-first like libbpf's recursion, with an explicit stack: (function, next insn).
    let mut work: Vec<(usize, usize)> = vec![(prog, 0)];
    while let Some(&mut (p, ref mut i)) = work.last_mut() {
        let f = &obj.programs[p];
        if *i >= f.len as usize {
            work.pop();
            continue;
        }
        let idx = *i;
        *i += 1;
        let base = placed[&p];
        let at = base + idx;
        let insn = out.insns[at];
        let sec_insn = f.start + idx as u32;
        let reloc = obj.code[f.section]
            .relocs
            .iter()
            .find(|r| r.insn == sec_insn);
        annotate(
            obj,
            &mut out,
            at,
            insn,
            reloc.map(|r| &r.target),
            kconfig,
            target,
        );
        let is_call = insn.is_call() && insn.src == PSEUDO_CALL;
        let is_func = insn.is_ld_imm64()
            && (insn.src == PSEUDO_FUNC
                || matches!(reloc.map(|r| &r.target), Some(RelocTarget::FuncAddr { .. })));
        if !is_call && !is_func {
            continue;
        }
        let target_insn = match reloc.map(|r| &r.target) {
            Some(RelocTarget::Call { section, insn })
            | Some(RelocTarget::FuncAddr { section, insn }) => Some((*section, *insn)),
            Some(RelocTarget::Extern { .. }) => continue,
            Some(_) => None,
            None if is_call => {
                let t = i64::from(sec_insn) + i64::from(insn.imm) + 1;
                u32::try_from(t).ok().map(|t| (f.section, t))
            }
            None => None,
        };
        let sub = target_insn.and_then(|(sec, ti)| {
            obj.programs.iter().position(|q| {
                q.section == sec
                    && obj.code[sec].name == TEXT
                    && ti >= q.start
                    && ti < q.start + q.len
            })
        });
        let Some(sub) = sub else {
            out.error.get_or_insert_with(|| {
                format!(
                    "prog '{}': no .text section found yet sub-program call exists",
                    f.name
                )
            });
            continue;
        };
        if !placed.contains_key(&sub) {
            append(obj, code, &mut out, &mut placed, sub);
            work.push((sub, 0));
        }
        let sub_base = placed[&sub];
        let rel = sub_base as i64 - at as i64 - 1;
        out.insns[at].imm = rel as i32;
        if is_func {
            // As libbpf submits it: BPF_PSEUDO_FUNC, imm relative like a call's.
            out.insns[at].src = PSEUDO_FUNC;
            out.ld.insert(at, LdImm::Func(sub_base));
        }
    }
    let btf = obj.btf.as_ref();
    for f in &mut out.funcs {
        f.global = f.prog != prog && is_global(btf, &f.name);
    }
    let _ = main;
    out
}

fn append(
    obj: &Object,
    code: &[Vec<Insn>],
    out: &mut LinkedProgram,
    placed: &mut HashMap<usize, usize>,
    p: usize,
) {
    let f = &obj.programs[p];
    let start = out.insns.len();
    let src = code.get(f.section).map_or(&[][..], |c| c.as_slice());
    let from = (f.start as usize).min(src.len());
    let to = (f.start as usize + f.len as usize).min(src.len());
    out.insns.extend_from_slice(&src[from..to]);
    out.origin
        .extend((f.start..f.start + (to - from) as u32).map(|i| (f.section, i)));
    out.funcs.push(LinkedFunc {
        name: f.name.clone(),
        prog: p,
        start,
        len: to - from,
        global: false,
    });
    placed.insert(p, start);
}

fn annotate(
    obj: &Object,
    out: &mut LinkedProgram,
    at: usize,
    insn: Insn,
    reloc: Option<&RelocTarget>,
    kconfig: Option<&KconfigLayout>,
    target: Option<&Btf>,
) {
    let Some(reloc) = reloc else { return };
    let map_index = |kind: &dyn Fn(&MapKind) -> bool| {
        obj.maps
            .iter()
            .position(|m| kind(&m.kind))
            .map(|m| m as u16)
    };
    match reloc {
        RelocTarget::Map { map } if insn.is_ld_imm64() => {
            out.ld.insert(at, LdImm::Map(*map as u16));
        }
        RelocTarget::Data { map, offset } if insn.is_ld_imm64() => {
            out.ld.insert(
                at,
                LdImm::MapValue {
                    map: *map as u16,
                    off: *offset as u32,
                },
            );
        }
        RelocTarget::Extern { ext } => {
            let e = &obj.externs[*ext];
            match &e.kind {
                ExternKind::Kconfig if insn.is_ld_imm64() => {
                    let off = kconfig
                        .and_then(|k| k.vars.iter().find(|v| v.ext == *ext))
                        .map_or(0, |v| v.offset);
                    if let Some(map) = map_index(&|k| matches!(k, MapKind::Kconfig)) {
                        out.ld.insert(at, LdImm::MapValue { map, off });
                    }
                }
                ExternKind::Ksym { func } => {
                    let found = target.is_some_and(|t| {
                        let want = if *func { Kind::FUNC } else { Kind::VAR };
                        let ess = crate::btf::essential_name(&e.name);
                        t.find_by_name(ess).any(|id| t.ty(id).kind() == want)
                    });
                    if insn.is_call() {
                        if found {
                            // libbpf resolves it to the kernel's BTF id: a kfunc call
                            // (clang emits it as a bpf-to-bpf call to itself).
                            out.insns[at].src = PSEUDO_KFUNC_CALL;
                            out.insns[at].imm = 0;
                            out.kfuncs.insert(at, e.name.clone());
                        } else {
                            if e.weak {
                                out.poisoned_kfuncs.insert(at, e.name.clone());
                            } else {
                                out.error.get_or_insert_with(|| format!("extern (func ksym) '{}': not found in kernel or module BTFs", e.name));
                            }
                        }
                    } else if insn.is_ld_imm64() {
                        if found {
                            out.ld.insert(at, LdImm::BtfId);
                        } else if e.weak {
                            out.ld.insert(at, LdImm::Zero);
                        } else {
                            out.error.get_or_insert_with(|| {
                                format!("extern (var ksym) '{}': not found in kernel BTF", e.name)
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}
