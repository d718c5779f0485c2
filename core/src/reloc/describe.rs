//! Words about relocation results that every front end shows the same way (the CLI's table,
//! the playground's rows): whether a spec names what it accesses, what a record accesses,
//! where a failure happened, a record's outcome in one line, and records per outcome.
//! Presentation only: nothing here changes a result.

use std::fmt::Write as _;

use crate::insn::Insn;

use super::driver::{ObjectRelocation, Outcome, Phase, Processed, RecordReport};
use super::kind::RelocClass;
use super::patch::PoisonCause;
use super::spec::Spec;

impl Spec<'_> {
    /// Whether the spec got far enough to name what it accesses (a spec that failed to parse
    /// is kept partial, for the explanation).
    pub fn is_complete(&self) -> bool {
        match self.kind.class() {
            RelocClass::Field => self.access.len() > 1 || !self.raw.is_empty(),
            RelocClass::EnumVal => !self.access.is_empty(),
            RelocClass::Type => true,
            RelocClass::Unknown => false,
        }
    }
}

impl Phase {
    /// Where it failed, in a few words.
    pub fn describe(self) -> &'static str {
        match self {
            Phase::Record => "bad record",
            Phase::CandSearch => "candidate search",
            Phase::Calc => "calculation",
            Phase::Patch => "patch",
        }
    }
}

impl RecordReport<'_> {
    /// The local spec, when the calculation got to one.
    pub fn local_spec(&self) -> Option<&Spec<'_>> {
        self.processed
            .as_ref()
            .and_then(|p| p.resolution.as_ref())
            .and_then(|res| res.local_spec.as_ref())
    }

    /// What the record accesses, in C terms: `task_struct.mm`, `bpf_attr.link_create.
    /// perf_event.bpf_cookie`, `struct bpf_ringbuf`, `bpf_func_id::BPF_FUNC_ringbuf_output`;
    /// the raw access string when the spec does not get that far, `<?>` without one.
    pub fn access_path(&self) -> String {
        match self.local_spec() {
            Some(spec) if spec.is_complete() => spec.access_path(),
            _ => self.access.unwrap_or("<?>").to_owned(),
        }
    }

    /// The outcome in one line: the value change (`off 16 -> 24`, `imm64 1 -> 0`, with a
    /// load's size change), or why there is none.
    pub fn detail(&self) -> String {
        if let Some(reason) = self.outcome.unprocessed_reason() {
            return reason.into();
        }
        let Some(p) = &self.processed else {
            return String::new();
        };
        match p.outcome {
            Outcome::Patched => patched_detail(p),
            Outcome::Poisoned(PoisonCause::NoMatch) => "poisoned: no matching target".into(),
            Outcome::Poisoned(PoisonCause::MemSizeAdjust) => {
                let sizes = p
                    .resolution
                    .as_ref()
                    .and_then(|r| r.result.ok())
                    .map(|v| format!(" ({} -> {} bytes)", v.orig_sz, v.new_sz))
                    .unwrap_or_default();
                format!("poisoned: load/store size change refused{sizes}")
            }
            Outcome::Error(phase, errno) => {
                let why = p.first_warning().map_or("", |w| w.text.as_str());
                format!("error {} in {}: {why}", errno.name(), phase.describe())
            }
            _ => String::new(),
        }
    }
}

fn patched_detail(p: &Processed<'_>) -> String {
    let Some(patch) = &p.patch else {
        return String::new();
    };
    let (Some(b), Some(a)) = (patch.before.first(), patch.after.first()) else {
        return String::new();
    };
    let mut s = if b.is_ld_imm64() && patch.before.len() == 2 && patch.after.len() == 2 {
        let v = |x: &[Insn]| Insn::imm64(&x[0], &x[1]);
        format!("imm64 {} -> {}", v(&patch.before), v(&patch.after))
    } else if matches!(b.code & 7, 1..=3) {
        format!("off {} -> {}", b.off, a.off)
    } else {
        format!("imm {} -> {}", b.imm, a.imm)
    };
    if a.code != b.code {
        let _ = write!(s, ", size {} -> {} bytes", b.mem_size(), a.mem_size());
    }
    if !patch.changed() {
        s.push_str(" (unchanged)");
    }
    s
}

/// Records per outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutcomeCounts {
    /// The instruction carries the relocated value.
    pub patched: usize,
    /// Poisoned.
    pub poisoned: usize,
    /// Failed (libbpf fails the object).
    pub error: usize,
    /// In a program that is not loaded.
    pub skipped_autoload: usize,
    /// In no program (an eliminated `__weak` copy).
    pub eliminated: usize,
    /// Not reached: the object failed earlier in every pass.
    pub not_reached: usize,
}

impl OutcomeCounts {
    /// The counts with the oracle's outcome names, in that order.
    pub fn named(&self) -> [(&'static str, usize); 6] {
        [
            ("patched", self.patched),
            ("poisoned", self.poisoned),
            ("error", self.error),
            ("skipped_autoload", self.skipped_autoload),
            ("eliminated", self.eliminated),
            ("not_reached", self.not_reached),
        ]
    }
}

impl ObjectRelocation<'_> {
    /// How many records ended each way.
    pub fn outcome_counts(&self) -> OutcomeCounts {
        let mut c = OutcomeCounts::default();
        for r in &self.records {
            *match r.outcome {
                Outcome::Patched => &mut c.patched,
                Outcome::Poisoned(_) => &mut c.poisoned,
                Outcome::Error(..) => &mut c.error,
                Outcome::SkippedAutoload => &mut c.skipped_autoload,
                Outcome::Eliminated => &mut c.eliminated,
                Outcome::NotReached => &mut c.not_reached,
            } += 1;
        }
        c
    }
}
