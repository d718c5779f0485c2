//! Reading what a failed load printed: libbpf's messages around the verifier log
//! (`-- BEGIN PROG LOAD LOG --` … `-- END PROG LOAD LOG --`, and libbpf 0.x's `-- BEGIN DUMP
//! LOG ---`), cilium/ebpf's error text (`program NAME: load program: …`, the `%+v` form with
//! the log indented by tabs), aya's (`the BPF_PROG_LOAD syscall failed. Verifier output: …`,
//! possibly as an escaped string), or a bare verifier log at log level 1 or 2 from kernels
//! 5.10 to 7.x.
//!
//! The result keeps, per program log, the verifier's walk (every instruction line it printed,
//! with its opcode), the full listing newer kernels print first (`Live regs before insn:`),
//! source lines (`; text @ file.c:12`), the poisoned calls it reached (CO-RE `0xbad2310`,
//! libbpf's map and kfunc poisons, cilium's), libbpf's rewritten lines, and the error.
//! Nothing here knows the object: [`super::explain`] matches the log to it.

/// A bound on the work for hostile input: lines looked at.
pub const MAX_LINES: usize = 2_000_000;

/// The constant libbpf (and cilium/ebpf, aya) put in a CO-RE-poisoned call: `0xbad2310`.
pub const CORE_POISON: i64 = 195_896_080;
/// libbpf's poison for a `LD_IMM64` of a map that was not created: `2001000000 + map index`.
pub const MAP_POISON_BASE: i64 = 2_001_000_000;
/// libbpf's poison for a call of a weak kfunc the kernel lacks: `2002000000 + extern index`.
pub const KFUNC_POISON_BASE: i64 = 2_002_000_000;
/// cilium/ebpf's kfunc poison (`0xdedc0de`).
pub const CILIUM_KFUNC_POISON: i64 = 0xdedc0de;

/// What produced the text around the verifier log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapper {
    /// libbpf's messages (`libbpf: prog 'x': …`).
    Libbpf,
    /// cilium/ebpf's error text.
    Cilium,
    /// aya's error text.
    Aya,
    /// The verifier log alone.
    Bare,
}

impl Wrapper {
    /// A word for it.
    pub fn name(self) -> &'static str {
        match self {
            Wrapper::Libbpf => "libbpf",
            Wrapper::Cilium => "cilium/ebpf",
            Wrapper::Aya => "aya",
            Wrapper::Bare => "verifier log",
        }
    }
}

/// What a poisoned call stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoisonKind {
    /// A CO-RE relocation libbpf could not resolve.
    Core,
    /// A map libbpf did not create: its index in the object's maps.
    Map(u32),
    /// A weak kfunc the kernel lacks: its extern index (libbpf), or `None` (cilium/ebpf).
    Kfunc(Option<u32>),
}

/// A poisoned instruction the verifier reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poison {
    /// The instruction index (in the program as submitted: subprograms appended).
    pub insn: u32,
    /// What it stands for.
    pub kind: PoisonKind,
    /// What libbpf's rewrite of the log said: the relocation's local spec, the map's or the
    /// kfunc's name.
    pub detail: Option<String>,
    /// The line of the log it was found on (0-based, in the normalised text).
    pub line: usize,
}

/// One instruction line of the verifier's walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkInsn {
    /// The instruction index.
    pub insn: u32,
    /// The opcode byte the verifier printed (`(85)`), if it printed one.
    pub code: Option<u8>,
    /// The instruction text (`call unknown#195896080`, `r1 = *(u64 *)(r6 +8)`).
    pub text: String,
}

/// A source line the verifier printed from line_info, before instruction `insn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    /// The instruction it precedes.
    pub insn: u32,
    /// The source text.
    pub text: String,
    /// `file.c:12` (kernels 6.2 and later print it).
    pub at: Option<(String, u32)>,
}

/// The verifier's log of one program load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgLog {
    /// The program's name, if the text around the log says it.
    pub prog: Option<String>,
    /// The instruction lines of the walk, in order (an instruction reached on several paths
    /// appears several times).
    pub walk: Vec<WalkInsn>,
    /// The full listing kernels 6.16+ print at log level 2 (`Live regs before insn:`):
    /// (index, opcode).
    pub listing: Vec<(u32, u8)>,
    /// Source lines.
    pub sources: Vec<SourceRef>,
    /// Poisoned instructions the walk reached.
    pub poisons: Vec<Poison>,
    /// The verifier's error: the first line after the last instruction that is not
    /// bookkeeping (`processed …`, precision tracking, states).
    pub error: Option<String>,
    /// `processed N insns`, when present.
    pub processed: Option<u64>,
    /// Whether the log carries register states of every instruction (log level 2).
    pub level2: bool,
}

impl ProgLog {
    /// Whether the walk reached instruction `idx`.
    pub fn reached(&self, idx: u32) -> bool {
        self.walk.iter().any(|w| w.insn == idx)
    }
}

/// A parsed load log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadLog {
    /// What wrapped the verifier logs.
    pub wrapper: Wrapper,
    /// One per program load the text shows.
    pub progs: Vec<ProgLog>,
    /// libbpf's other messages (relocation errors, the load's failure), without `libbpf: `.
    pub libbpf: Vec<String>,
}

/// The text as lines: carriage returns dropped, and a log pasted as an escaped string
/// (`"…\n…"`, as in aya's Debug output, Go's `%q`, JSON) unescaped, line by line: a line
/// holding two or more escaped newlines is such a string.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.matches("\\n").count() < 2 {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some(o) => {
                    out.push('\\');
                    out.push(o);
                }
                None => out.push('\\'),
            }
        }
        out.push('\n');
    }
    out.retain(|c| c != '\r');
    out
}

/// `prog 'NAME'` anywhere in a line.
fn prog_name(line: &str) -> Option<String> {
    let i = line.find("prog '")?;
    let rest = &line[i + 6..];
    let end = rest.find('\'')?;
    Some(rest[..end].to_owned())
}

/// cilium/ebpf's `program NAME: load program: …` (also `load program NAME:` of old versions).
fn cilium_prog(line: &str) -> Option<String> {
    if let Some(i) = line.find("program ") {
        let rest = &line[i + 8..];
        if let Some(j) = rest.find(": load program") {
            let name = &rest[..j];
            if !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
            {
                return Some(name.to_owned());
            }
        }
    }
    None
}

/// Without a `libbpf: ` prefix (and anything before it on the line, such as a timestamp).
fn strip_libbpf(line: &str) -> Option<&str> {
    let i = line.find("libbpf: ")?;
    (i <= 48).then(|| &line[i + 8..])
}

/// Parses a load log.
pub fn parse(text: &str) -> LoadLog {
    let text = normalise(text);
    let lines: Vec<&str> = text.lines().take(MAX_LINES).collect();
    let mut out = LoadLog {
        wrapper: Wrapper::Bare,
        progs: Vec::new(),
        libbpf: Vec::new(),
    };
    let libbpf = lines.iter().any(|l| {
        l.contains("-- BEGIN PROG LOAD LOG --")
            || l.contains("-- BEGIN DUMP LOG")
            || l.contains("libbpf: ")
    });
    let aya = lines.iter().position(|l| l.contains("Verifier output:"));
    let cilium = lines.iter().position(|l| cilium_prog(l).is_some());
    if libbpf {
        out.wrapper = Wrapper::Libbpf;
        let mut i = 0;
        while i < lines.len() {
            let l = lines[i];
            if l.contains("-- BEGIN PROG LOAD LOG --") || l.contains("-- BEGIN DUMP LOG") {
                let name = prog_name(l).or_else(|| {
                    // libbpf 0.x names the program on a later line.
                    lines[i..].iter().take(100_000).find_map(|x| {
                        x.contains("failed to load program")
                            .then(|| prog_name(x))
                            .flatten()
                    })
                });
                let start = i + 1;
                let mut end = start;
                while end < lines.len()
                    && !lines[end].contains("-- END PROG LOAD LOG --")
                    && !lines[end].contains("-- END LOG --")
                {
                    end += 1;
                }
                let body: Vec<(usize, &str)> = (start..end)
                    .map(|k| (k, strip_libbpf(lines[k]).unwrap_or(lines[k])))
                    .collect();
                let mut p = verifier(&body);
                p.prog = name;
                out.progs.push(p);
                i = end + 1;
                continue;
            }
            if let Some(rest) = strip_libbpf(l) {
                out.libbpf.push(rest.to_owned());
            }
            i += 1;
        }
        if out.progs.is_empty() {
            // Only libbpf's lines (e.g. with a verifier log printed without the markers).
            let body: Vec<(usize, &str)> = lines
                .iter()
                .enumerate()
                .map(|(k, l)| (k, strip_libbpf(l).unwrap_or(l)))
                .collect();
            let p = verifier(&body);
            if !p.walk.is_empty() || !p.poisons.is_empty() || p.error.is_some() {
                out.progs.push(p);
            }
        }
    } else if let Some(a) = aya {
        out.wrapper = Wrapper::Aya;
        let first = lines[a]
            .split_once("Verifier output:")
            .map_or("", |x| x.1)
            .trim_start();
        let mut body: Vec<(usize, &str)> = vec![(a, first)];
        body.extend((a + 1..lines.len()).map(|k| (k, lines[k])));
        out.progs.push(verifier(&body));
    } else if let Some(c) = cilium {
        out.wrapper = Wrapper::Cilium;
        let mut i = c;
        while i < lines.len() {
            let Some(name) = cilium_prog(lines[i]) else {
                i += 1;
                continue;
            };
            // The summary is the rest of the line; `%+v` puts the log on tab-indented lines.
            let summary = lines[i].split_once(": load program").map_or("", |x| x.1);
            let mut body: Vec<(usize, &str)> = Vec::new();
            let mut k = i + 1;
            while k < lines.len() && (lines[k].starts_with('\t') || lines[k].is_empty()) {
                body.push((k, lines[k].strip_prefix('\t').unwrap_or(lines[k])));
                k += 1;
            }
            while body.last().is_some_and(|(_, l)| l.is_empty()) {
                body.pop();
            }
            let one_line = body.is_empty();
            if one_line {
                // The one-line form: cilium's summary is the last line or two of the log,
                // joined with ": ", and `(N line(s) omitted)`.
                for part in summary.split(": ").filter(|p| !p.is_empty()) {
                    let part = part.split(" (").next().unwrap_or(part);
                    body.push((i, part));
                }
            }
            let mut p = verifier(&body);
            if one_line {
                p.error = body.last().map(|(_, l)| (*l).to_owned());
            }
            p.prog = Some(name);
            out.progs.push(p);
            i = k.max(i + 1);
        }
    } else {
        let body: Vec<(usize, &str)> = lines.iter().copied().enumerate().collect();
        out.progs.push(verifier(&body));
    }
    out
}

/// `N: (op) text` → (N, op, text).
fn insn_line(l: &str) -> Option<(u32, u8, &str)> {
    let (n, rest) = l.split_once(": ")?;
    if n.is_empty() || n.len() > 9 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest.strip_prefix('(')?;
    let (op, text) = rest.split_once(") ")?;
    if op.len() != 2 {
        return None;
    }
    let op = u8::from_str_radix(op, 16).ok()?;
    Some((n.parse().ok()?, op, text))
}

/// The listing line of kernels 6.16+: `     12: .12345.78. (bf) r6 = r1`.
fn listing_line(l: &str) -> Option<(u32, u8)> {
    let t = l.trim_start();
    if t.len() == l.len() {
        return None;
    }
    let (n, rest) = t.split_once(": ")?;
    let idx: u32 = n.parse().ok()?;
    let (live, rest) = rest.split_once(' ')?;
    if live.len() != 10 || !live.bytes().all(|b| b == b'.' || b.is_ascii_digit()) {
        return None;
    }
    let op = rest.strip_prefix('(')?.get(..2)?;
    Some((idx, u8::from_str_radix(op, 16).ok()?))
}

/// `call unknown#N` → N.
fn unknown_call(text: &str) -> Option<i64> {
    let i = text.find("unknown#")?;
    let digits: String = text[i + 8..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn poison_kind(imm: i64) -> Option<PoisonKind> {
    Some(match imm {
        CORE_POISON => PoisonKind::Core,
        CILIUM_KFUNC_POISON => PoisonKind::Kfunc(None),
        x if (MAP_POISON_BASE..KFUNC_POISON_BASE).contains(&x) => {
            PoisonKind::Map((x - MAP_POISON_BASE) as u32)
        }
        x if (KFUNC_POISON_BASE..KFUNC_POISON_BASE + 1_000_000).contains(&x) => {
            PoisonKind::Kfunc(Some((x - KFUNC_POISON_BASE) as u32))
        }
        _ => return None,
    })
}

/// Bookkeeping lines that are never the error.
fn bookkeeping(l: &str) -> bool {
    let t = l.trim_start();
    t.is_empty()
        || t.starts_with("processed ")
        || t.starts_with("verification time")
        || t.starts_with("stack depth")
        || t.starts_with("mark_precise")
        || t.starts_with("last_idx")
        || t.starts_with("regs=")
        || t.starts_with("parent ")
        || t.starts_with("from ")
        || t.starts_with("func#")
        || t.starts_with("Live regs")
        || t.starts_with("; ")
        || t.starts_with("caller:")
        || t.starts_with("callee:")
        || t.starts_with("frame")
        || t.starts_with("R0")
        || t.starts_with("Validating ")
        || t.starts_with("Func#")
        || t.starts_with("(")
}

/// The verifier log proper (lines with their line numbers).
fn verifier(body: &[(usize, &str)]) -> ProgLog {
    let mut p = ProgLog::default();
    let mut last_insn_line: Option<usize> = None;
    let mut pending_source: Option<(String, Option<(String, u32)>)> = None;
    let mut k = 0;
    while k < body.len() {
        let (no, l) = body[k];
        k += 1;
        if let Some(x) = l.trim_start().strip_prefix("processed ") {
            p.processed = x.split_whitespace().next().and_then(|n| n.parse().ok());
            continue;
        }
        if let Some((idx, op)) = listing_line(l) {
            p.listing.push((idx, op));
            continue;
        }
        if let Some(src) = l.strip_prefix("; ") {
            let at = src.rsplit_once(" @ ").and_then(|(_, loc)| {
                let (f, n) = loc.rsplit_once(':')?;
                Some((f.to_owned(), n.trim().parse().ok()?))
            });
            let text = match &at {
                Some(_) => src.rsplit_once(" @ ").map_or(src, |x| x.0),
                None => src,
            };
            pending_source = Some((text.to_owned(), at));
            continue;
        }
        if let Some((idx, op, text)) = insn_line(l) {
            // Kernels 6.2+ append `; R1=…` states after the instruction.
            let text = text.split("  ; ").next().unwrap_or(text).trim_end();
            if let Some((t, at)) = pending_source.take() {
                p.sources.push(SourceRef {
                    insn: idx,
                    text: t,
                    at,
                });
            }
            p.walk.push(WalkInsn {
                insn: idx,
                code: Some(op),
                text: text.to_owned(),
            });
            last_insn_line = Some(k - 1);
            if op == 0x85 {
                if let Some(kind) = unknown_call(text).and_then(poison_kind) {
                    p.poisons.push(Poison {
                        insn: idx,
                        kind,
                        detail: None,
                        line: no,
                    });
                }
            }
            if op == 0x18 && text.contains("r10 = 0xbad2310") {
                p.poisons.push(Poison {
                    insn: idx,
                    kind: PoisonKind::Core,
                    detail: None,
                    line: no,
                });
            }
            continue;
        }
        // libbpf's rewrite of the poisoned call and the error line after it.
        if let Some((n, rest)) = l.split_once(": <") {
            if let Ok(idx) = n.trim().parse::<u32>() {
                let next = body.get(k).map_or("", |x| x.1);
                let (kind, detail) = match rest {
                    "invalid CO-RE relocation>" => (
                        Some(PoisonKind::Core),
                        next.strip_prefix("failed to resolve CO-RE relocation ")
                            .map(str::to_owned),
                    ),
                    "invalid BPF map reference>" => (Some(PoisonKind::Map(u32::MAX)), quoted(next)),
                    "invalid kfunc call>" => (Some(PoisonKind::Kfunc(None)), quoted(next)),
                    _ => (None, None),
                };
                if let Some(kind) = kind {
                    p.walk.push(WalkInsn {
                        insn: idx,
                        code: Some(0x85),
                        text: format!("<{rest}"),
                    });
                    p.poisons.push(Poison {
                        insn: idx,
                        kind,
                        detail,
                        line: no,
                    });
                    last_insn_line = Some(k - 1);
                    if detail_line(next) {
                        k += 1;
                        p.error.get_or_insert_with(|| next.to_owned());
                    }
                    continue;
                }
            }
        }
        if l.contains("R1=") || l.contains("R10=") || l.contains("_w=") {
            p.level2 = true;
        }
    }
    // The error: the first non-bookkeeping line after the last instruction.
    if p.error.is_none() {
        let from = last_insn_line.map_or(0, |x| x + 1);
        p.error = body[from.min(body.len())..]
            .iter()
            .map(|(_, l)| *l)
            .find(|l| !bookkeeping(l) && insn_line(l).is_none())
            .map(|l| l.trim().to_owned());
    }
    if let (Some(e), Some(last)) = (&p.error, p.walk.last()) {
        // A rewritten poison's spec, or the kernel's `invalid func` with the number.
        if let Some(imm) = unknown_call(e) {
            if p.poisons.is_empty() {
                if let Some(kind) = poison_kind(imm) {
                    p.poisons.push(Poison {
                        insn: last.insn,
                        kind,
                        detail: None,
                        line: 0,
                    });
                }
            }
        }
    }
    if p.walk.is_empty() && p.poisons.is_empty() {
        // No instruction printed (cilium's one-line summary): the number alone says a poison
        // was reached, not where.
        if let Some((no, kind)) = body.iter().find_map(|&(no, l)| {
            l.contains("invalid func")
                .then(|| unknown_call(l).and_then(poison_kind))
                .flatten()
                .map(|k| (no, k))
        }) {
            p.poisons.push(Poison {
                insn: u32::MAX,
                kind,
                detail: None,
                line: no,
            });
        }
    }
    p
}

fn detail_line(l: &str) -> bool {
    l.starts_with("failed to resolve CO-RE relocation")
        || l.starts_with("BPF map '")
        || l.starts_with("kfunc '")
}

/// The first `'…'` of a line.
fn quoted(l: &str) -> Option<String> {
    let a = l.find('\'')?;
    let b = l[a + 1..].find('\'')?;
    Some(l[a + 1..a + 1 + b].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libbpf_rewritten_log() {
        let log = "libbpf: prog 'ptregs_entry': BPF program load failed: Invalid argument\n\
libbpf: prog 'ptregs_entry': -- BEGIN PROG LOAD LOG --\n\
0: R1=ctx() R10=fp0\n\
; int BPF_KPROBE(ptregs_entry, int dfd) @ ptregs_arch.bpf.c:8\n\
0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()\n\
1: <invalid CO-RE relocation>\n\
failed to resolve CO-RE relocation <byte_off> [16] struct pt_regs.dx (0:12 @ offset 96)\n\
processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n\
-- END PROG LOAD LOG --\n\
libbpf: prog 'ptregs_entry': failed to load: -22\n\
libbpf: failed to load object 'ptregs_arch.o'\n";
        let l = parse(log);
        assert_eq!(l.wrapper, Wrapper::Libbpf);
        assert_eq!(l.progs.len(), 1);
        let p = &l.progs[0];
        assert_eq!(p.prog.as_deref(), Some("ptregs_entry"));
        assert_eq!(p.walk.len(), 2);
        assert_eq!(p.walk[0].text, "r6 = r1");
        assert_eq!(p.poisons[0].insn, 1);
        assert_eq!(p.poisons[0].kind, PoisonKind::Core);
        assert_eq!(
            p.poisons[0].detail.as_deref(),
            Some("<byte_off> [16] struct pt_regs.dx (0:12 @ offset 96)")
        );
        assert_eq!(p.sources[0].at, Some(("ptregs_arch.bpf.c".to_owned(), 8)));
        assert_eq!(p.processed, Some(2));
        assert_eq!(l.libbpf.len(), 3);
    }

    #[test]
    fn bare_kernel_log_with_listing() {
        let log = "func#0 @0\nLive regs before insn:\n      0: .12345.78. (bf) r6 = r1\n      1: .12345.78. (85) call unknown#195896080\n\
0: R1=ctx() R10=fp0\n0: (bf) r6 = r1\n1: (85) call unknown#195896080\ninvalid func unknown#195896080\n\
processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n";
        let l = parse(log);
        assert_eq!(l.wrapper, Wrapper::Bare);
        let p = &l.progs[0];
        assert_eq!(p.listing, vec![(0, 0xbf), (1, 0x85)]);
        assert_eq!(p.walk.len(), 2);
        assert_eq!(p.error.as_deref(), Some("invalid func unknown#195896080"));
        assert_eq!(p.poisons.len(), 1);
    }

    #[test]
    fn map_and_kfunc_poisons() {
        let l = parse("5: (85) call unknown#2001000003\ninvalid func unknown#2001000003\n");
        assert_eq!(l.progs[0].poisons[0].kind, PoisonKind::Map(3));
        let l = parse("7: (85) call unknown#2002000001\ninvalid func unknown#2002000001\n");
        assert_eq!(l.progs[0].poisons[0].kind, PoisonKind::Kfunc(Some(1)));
    }

    #[test]
    fn cilium_and_aya_wrappers() {
        let c = parse("field HandleExec: program handle_exec: load program: bad CO-RE relocation: invalid func unknown#195896080 (12 line(s) omitted)");
        assert_eq!(c.wrapper, Wrapper::Cilium);
        assert_eq!(c.progs[0].prog.as_deref(), Some("handle_exec"));
        assert_eq!(c.progs[0].poisons[0].insn, u32::MAX);
        let a = parse("Error: the BPF_PROG_LOAD syscall failed. Verifier output: 0: R1=ctx() R10=fp0\\n0: (bf) r6 = r1\\n1: (85) call unknown#195896080\\ninvalid func unknown#195896080\\nprocessed 2 insns\\n\n\nCaused by:\n    Invalid argument (os error 22)");
        assert_eq!(a.wrapper, Wrapper::Aya);
        assert_eq!(a.progs[0].poisons[0].insn, 1);
    }
}
