//! libbpf's CO-RE log as data: every line a relocation prints, with its level and the
//! program and relocation it is about, worded exactly as libbpf words it (spec/core-spec.md
//! §6; the `libbpf: ` prefix is left out, as in the oracle's JSON). All formats live here, so
//! the wording is checked in one place.
//!
//! A line is typed: [`LogLine::prog`] and [`LogLine::relo`] are the `prog 'NAME': ` and
//! `relo #N: ` prefixes libbpf puts in front of [`LogLine::text`]; [`LogLine::line`] (and
//! `Display`) is the verbatim line. Front ends that want the message alone read `text`,
//! never parse the line back.
//!
//! `relo_core.c` prints error codes as plain negative numbers (`-22`) in every release;
//! `libbpf.c` prints them by name since 1.6 (`-EINVAL`, [`Libbpf::errno_text`]).

use std::fmt;

use crate::btf::TypeId;
use crate::libbpf::Libbpf;

use super::RelocKind;

/// libbpf's log levels that CO-RE uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// `LIBBPF_WARN`: printed by default.
    Warn,
    /// `LIBBPF_DEBUG`: printed only with a verbose print callback.
    Debug,
}

/// One line of libbpf's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The level libbpf prints it at.
    pub level: Level,
    /// The program the line names (`prog 'NAME': `), if it names one.
    pub prog: Option<String>,
    /// The relocation the line names (`relo #N: `, the record's index in its `.BTF.ext`
    /// section), if it names one; only lines that name a program name a relocation.
    pub relo: Option<usize>,
    /// The message after those prefixes, without the trailing newline.
    pub text: String,
}

impl LogLine {
    fn warn(text: String) -> Self {
        LogLine {
            level: Level::Warn,
            prog: None,
            relo: None,
            text,
        }
    }
    fn debug(text: String) -> Self {
        LogLine {
            level: Level::Debug,
            prog: None,
            relo: None,
            text,
        }
    }
    /// The same line about program `prog`.
    fn of(mut self, prog: &str) -> Self {
        self.prog = Some(prog.to_owned());
        self
    }
    /// The same line about relocation `relo` of program `prog`.
    fn at(mut self, prog: &str, relo: usize) -> Self {
        self.prog = Some(prog.to_owned());
        self.relo = Some(relo);
        self
    }

    /// The line exactly as libbpf prints it (without `libbpf: `):
    /// `prog 'NAME': relo #N: TEXT`.
    pub fn line(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for LogLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.prog {
            write!(f, "prog '{p}': ")?;
            if let Some(r) = self.relo {
                write!(f, "relo #{r}: ")?;
            }
        }
        f.write_str(&self.text)
    }
}

/// A negative errno as libbpf returns it (`-22` for `-EINVAL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

impl Errno {
    /// `-E2BIG`: a spec longer than 64 steps, a size past 32 bits, a bitfield past 8 bytes.
    pub const E2BIG: Errno = Errno(-7);
    /// `-EINVAL`: the catch-all.
    pub const EINVAL: Errno = Errno(-22);
    /// `-ERANGE`: an LDX/ST/STX offset past 32767.
    pub const ERANGE: Errno = Errno(-34);
    /// `-EOPNOTSUPP`: a kind the calculation does not handle.
    pub const EOPNOTSUPP: Errno = Errno(-95);

    /// The symbolic name (`-EINVAL`), or the number when libbpf has none.
    pub fn name(self) -> String {
        crate::libbpf::errno_name(self.0)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The instruction classes named in patch messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InsnForm {
    Alu,
    Mem,
    LdImm64,
}

impl InsnForm {
    fn label(self) -> &'static str {
        match self {
            InsnForm::Alu => "ALU/ALU64",
            InsnForm::Mem => "LDX/ST/STX",
            InsnForm::LdImm64 => "LDIMM64",
        }
    }
}

// --- driver (libbpf.c) ---------------------------------------------------------------------

pub(crate) fn sec_found(sec: &str, n: usize) -> LogLine {
    LogLine::debug(format!("sec '{sec}': found {n} CO-RE relocations"))
}

pub(crate) fn sec_skip_eliminated(sec: &str, relo: usize, insn: u32) -> LogLine {
    LogLine::debug(format!(
        "sec '{sec}': skipping CO-RE relocation #{relo} for insn #{insn} belonging to eliminated weak subprogram"
    ))
}

/// `source` is `vmlinux` (also for a target given as a file) or a module's name.
#[allow(clippy::too_many_arguments)]
pub(crate) fn found_candidate(
    local: TypeId,
    local_kind: &str,
    local_name: &str,
    targ: TypeId,
    targ_kind: &str,
    targ_name: &str,
    source: &str,
) -> LogLine {
    LogLine::debug(format!(
        "CO-RE relocating [{local}] {local_kind} {local_name}: found target candidate [{targ}] {targ_kind} {targ_name} in [{source}]"
    ))
}

pub(crate) fn cand_search_failed(
    prog: &str,
    relo: usize,
    local: TypeId,
    kind: &str,
    name: &str,
    err: Errno,
) -> LogLine {
    LogLine::warn(format!(
        "target candidate search failed for [{local}] {kind} {name}: {err}"
    ))
    .at(prog, relo)
}

pub(crate) fn failed_to_relocate(prog: &str, relo: usize, err: Errno, libbpf: Libbpf) -> LogLine {
    LogLine::warn(format!("failed to relocate: {}", libbpf.errno_text(err.0))).at(prog, relo)
}

pub(crate) fn failed_to_patch(
    prog: &str,
    relo: usize,
    insn: u32,
    err: Errno,
    libbpf: Libbpf,
) -> LogLine {
    LogLine::warn(format!(
        "failed to patch insn #{insn}: {}",
        libbpf.errno_text(err.0)
    ))
    .at(prog, relo)
}

pub(crate) fn failed_core(err: Errno, libbpf: Libbpf) -> LogLine {
    LogLine::warn(format!(
        "failed to perform CO-RE relocations: {}",
        libbpf.errno_text(err.0)
    ))
}

// --- calculation (relo_core.c) -------------------------------------------------------------

pub(crate) fn local_spec(prog: &str, relo: usize, spec: &str) -> LogLine {
    LogLine::debug(spec.to_owned()).at(prog, relo)
}

pub(crate) fn parse_failed(
    prog: &str,
    relo: usize,
    local: TypeId,
    kind: &str,
    name: &str,
    access: Option<&str>,
    err: Errno,
) -> LogLine {
    let name = if name.is_empty() { "<anon>" } else { name };
    LogLine::warn(format!(
        "parsing [{local}] {kind} {name} + {} failed: {err}",
        access.unwrap_or("<?>")
    ))
    .at(prog, relo)
}

/// libbpf prints the access string *after* its parse loop consumed it, so `access` is the
/// unparsed rest — always empty by the time this is reached.
pub(crate) fn unexpected_kind_in_spec(
    prog: &str,
    root: TypeId,
    access_rest: &str,
    at: usize,
    id: TypeId,
    kind: &str,
) -> LogLine {
    LogLine::warn(format!(
        "relo for [{root}] {access_rest} (at idx {at}) captures type [{id}] of unexpected kind {kind}"
    ))
    .of(prog)
}

pub(crate) fn anonymous_root(prog: &str, relo: usize, kind: RelocKind) -> LogLine {
    LogLine::warn(format!(
        "<{}> ({}) relocation doesn't support anonymous types",
        kind.log_name(),
        kind.0
    ))
    .at(prog, relo)
}

pub(crate) fn candidate_error(
    prog: &str,
    relo: usize,
    i: usize,
    spec: &str,
    err: Errno,
) -> LogLine {
    LogLine::warn(format!("error matching candidate #{i} {spec}: {err}")).at(prog, relo)
}

pub(crate) fn candidate(prog: &str, relo: usize, matched: bool, i: usize, spec: &str) -> LogLine {
    let m = if matched { "matching" } else { "non-matching" };
    LogLine::debug(format!("{m} candidate #{i} {spec}")).at(prog, relo)
}

pub(crate) fn offset_ambiguity(prog: &str, relo: usize, cand: u32, chosen: u32) -> LogLine {
    LogLine::warn(format!("field offset ambiguity: {cand} != {chosen}")).at(prog, relo)
}

pub(crate) fn decision_ambiguity(
    prog: &str,
    relo: usize,
    cand: (bool, u64),
    chosen: (bool, u64),
) -> LogLine {
    let verdict = |poison: bool| if poison { "failure" } else { "success" };
    LogLine::warn(format!(
        "relocation decision ambiguity: {} {} != {} {}",
        verdict(cand.0),
        cand.1,
        verdict(chosen.0),
        chosen.1
    ))
    .at(prog, relo)
}

pub(crate) fn no_match(prog: &str, relo: usize) -> LogLine {
    LogLine::debug("no matching targets found".to_owned()).at(prog, relo)
}

/// Note libbpf's quirk: `relo %d` prints the relocation *kind* number, and `insn #%d` the
/// instruction index within the *section*.
pub(crate) fn array_access(prog: &str, kind: RelocKind, sec_insn: u32) -> LogLine {
    LogLine::warn(format!(
        "relo {} at insn #{sec_insn} can't be applied to array access",
        kind.0
    ))
    .of(prog)
}

pub(crate) fn bitfield_too_big(prog: &str, kind: RelocKind, sec_insn: u32) -> LogLine {
    LogLine::warn(format!(
        "relo {} at insn #{sec_insn} can't be satisfied for bitfield",
        kind.0
    ))
    .of(prog)
}

pub(crate) fn unrecognized_relo(
    prog: &str,
    relo: usize,
    kind: RelocKind,
    sec_insn: u32,
) -> LogLine {
    LogLine::warn(format!(
        "unrecognized CO-RE relocation {} ({}) at insn #{sec_insn}",
        kind.log_name(),
        kind.0
    ))
    .at(prog, relo)
}

/// From the type predicates; libbpf prints it without a program prefix.
pub(crate) fn unexpected_kind_relocated(kind: &str, local: TypeId, targ: TypeId) -> LogLine {
    LogLine::warn(format!(
        "unexpected kind {kind} relocated, local [{local}], target [{targ}]"
    ))
}

// --- patching (relo_core.c) ----------------------------------------------------------------

pub(crate) fn poisoning(prog: &str, relo: usize, insn: u32) -> LogLine {
    LogLine::debug(format!("substituting insn #{insn} w/ invalid insn")).at(prog, relo)
}

/// `got` is already rendered the way libbpf's format renders it (`%u` or `%llu`).
pub(crate) fn unexpected_value(
    prog: &str,
    relo: usize,
    insn: u32,
    form: InsnForm,
    got: u64,
    orig: u64,
    new: u64,
) -> LogLine {
    LogLine::warn(format!(
        "unexpected insn #{insn} ({}) value: got {got}, exp {orig} -> {new}",
        form.label()
    ))
    .at(prog, relo)
}

pub(crate) fn patched(
    prog: &str,
    relo: usize,
    insn: u32,
    form: InsnForm,
    old: u64,
    new: u64,
) -> LogLine {
    let what = match form {
        InsnForm::Alu => "imm",
        InsnForm::Mem => "off",
        InsnForm::LdImm64 => "imm64",
    };
    LogLine::debug(format!(
        "patched insn #{insn} ({}) {what} {old} -> {new}",
        form.label()
    ))
    .at(prog, relo)
}

pub(crate) fn offset_too_big(prog: &str, relo: usize, insn: u32, new: u64) -> LogLine {
    LogLine::warn(format!("insn #{insn} (LDX/ST/STX) value too big: {new}")).at(prog, relo)
}

pub(crate) fn memsz_refused(prog: &str, relo: usize, insn: u32) -> LogLine {
    LogLine::warn(format!(
        "insn #{insn} (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size."
    ))
    .at(prog, relo)
}

pub(crate) fn unexpected_mem_size(
    prog: &str,
    relo: usize,
    insn: u32,
    got: i32,
    exp: u32,
) -> LogLine {
    LogLine::warn(format!(
        "insn #{insn} (LDX/ST/STX) unexpected mem size: got {got}, exp {exp}"
    ))
    .at(prog, relo)
}

pub(crate) fn invalid_new_mem_size(prog: &str, relo: usize, insn: u32, new: u32) -> LogLine {
    LogLine::warn(format!(
        "insn #{insn} (LDX/ST/STX) invalid new mem size: {new}"
    ))
    .at(prog, relo)
}

pub(crate) fn patched_mem_size(prog: &str, relo: usize, insn: u32, old: u32, new: u32) -> LogLine {
    LogLine::debug(format!(
        "patched insn #{insn} (LDX/ST/STX) mem_sz {old} -> {new}"
    ))
    .at(prog, relo)
}

pub(crate) fn ldimm64_form(prog: &str, relo: usize, insn: u32) -> LogLine {
    LogLine::warn(format!("insn #{insn} (LDIMM64) has unexpected form")).at(prog, relo)
}

pub(crate) fn unrecognized_insn(
    prog: &str,
    relo: usize,
    insn: u32,
    i: &crate::insn::Insn,
) -> LogLine {
    // `off` is a C short promoted to int and printed with %x: negative offsets show as
    // 32-bit two's complement, like `imm`.
    LogLine::warn(format!(
        "trying to relocate unrecognized insn #{insn}, code:{:#x}, src:{:#x}, dst:{:#x}, off:{:#x}, imm:{:#x}",
        i.code,
        i.src,
        i.dst,
        i32::from(i.off) as u32,
        i.imm as u32
    ))
    .at(prog, relo)
}
