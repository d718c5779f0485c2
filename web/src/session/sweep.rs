//! Sweeps in the engine: a catalogue selection resolved by core's selector (the CLI's
//! `@all`, `@arm64`, `@bookworm/arm64`, `@6.1`), and one build of a sweep answered — rebuilt
//! from the segments the page handed over, parsed, asked, dropped. Nothing of a build
//! outlives its step but the references the materialiser keeps for the next one.

use std::sync::Arc;

use corelab::btf::Btf;
use corelab::catalog::{select, BuildIdx, UncheckedBtf};
use corelab::libbpf::Libbpf;

use corelab::access::{Fix, TargetAnswer};

use super::catalog::Rebuilt;
use super::whatif::Target;
use super::{ask, matrix, Session};
use crate::dto::sweep::{
    AskIndexStep, AskSweepKey, AskSweepTable, Selection, SweepAnswer, SweepColumn, SweepJob,
    SweepStep,
};

/// An access question answered across a selection: each build's part, kept until the table
/// is gathered (a part is a few facts per record, not the build), and the fix's parts.
#[derive(Debug)]
pub struct AskSweep {
    key: AskSweepKey,
    parts: Vec<Option<TargetAnswer>>,
    fix: Option<Fix>,
    fix_parts: Vec<Option<TargetAnswer>>,
}

impl AskSweep {
    fn new(key: AskSweepKey) -> AskSweep {
        let n = key.builds.len();
        AskSweep {
            key,
            parts: vec![None; n],
            fix: None,
            fix_parts: vec![None; n],
        }
    }
}

impl AskSweep {
    /// The fix pass `fix` asks: none for the question's own pass; for the check pass, the
    /// fix gathered after the question's.
    fn fix_for(&self, fix: bool) -> Result<Option<&Fix>, String> {
        match (fix, &self.fix) {
            (false, _) => Ok(None),
            (true, Some(f)) => Ok(Some(f)),
            (true, None) => Err("no fix to check: gather the answers first".into()),
        }
    }

    /// Where pass `fix`'s answers are kept, one per build of the sweep.
    fn parts_mut(&mut self, fix: bool) -> &mut [Option<TargetAnswer>] {
        if fix {
            &mut self.fix_parts
        } else {
            &mut self.parts
        }
    }
}

impl Session {
    /// Holds the Ask sweep of `key`, started afresh when the one held is another's.
    fn hold_ask_sweep(&mut self, key: &AskSweepKey) {
        if self.ask_sweep.as_ref().is_none_or(|a| a.key != *key) {
            self.ask_sweep = Some(AskSweep::new(key.clone()));
        }
    }

    /// The Ask sweep held (after [`Session::hold_ask_sweep`]).
    fn held_ask_sweep(&self) -> &AskSweep {
        self.ask_sweep.as_ref().expect("held by hold_ask_sweep")
    }

    /// The Ask sweep held (after [`Session::hold_ask_sweep`]).
    fn held_ask_sweep_mut(&mut self) -> &mut AskSweep {
        self.ask_sweep.as_mut().expect("held by hold_ask_sweep")
    }
}

/// References a sweep keeps between builds (each ~2× a kernel's BTF: ~10 MB). Swept in
/// chain order, a build's reference was nearly always rebuilt just before it.
const SWEEP_REFERENCES: usize = 4;

/// A sweep's build rebuilt without its sha256 checked
/// ([`Session::sweep_rebuild_unchecked`]): usable only through [`Session::sweep_checked`].
#[derive(Debug)]
pub struct UncheckedSweep {
    name: String,
    btf: UncheckedBtf,
    started: f64,
}

impl UncheckedSweep {
    /// The bytes to hash (SHA-256).
    pub fn bytes(&self) -> &[u8] {
        &self.btf.bytes
    }
}

impl Session {
    /// The builds `selector` names (`bookworm/arm64`, `all`, with or without `@`), in
    /// catalogue order, and the order to sweep them in: sorted by reference chain, so a
    /// reference comes right before the builds rebuilt over it.
    pub fn catalog_select(&self, selector: &str) -> Result<Selection, String> {
        let cat = self
            .catalog
            .as_ref()
            .ok_or_else(|| "the kernel catalogue is not open".to_owned())?;
        let head = cat.head();
        let selector = selector.trim().trim_start_matches('@');
        let picked: Vec<BuildIdx> = select(head, selector)?;
        let chains: Vec<Vec<u32>> = picked
            .iter()
            .map(|&b| {
                head.chain(b)
                    .map(|c| c.into_iter().map(|x| x.0).collect())
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        let mut order: Vec<u32> = (0..picked.len() as u32).collect();
        order.sort_by(|&a, &b| chains[a as usize].cmp(&chains[b as usize]));
        Ok(Selection {
            selector: selector.to_owned(),
            builds: picked.iter().map(|&b| head.build(b).name.clone()).collect(),
            order,
        })
    }

    /// Answers `job` for catalogue build `name`, rebuilt from `segments` (file offset,
    /// bytes) and dropped afterwards; or the segments it still needs.
    pub fn sweep_build(
        &mut self,
        name: &str,
        segments: &[(u64, &[u8])],
        job: &SweepJob,
    ) -> Result<SweepStep, String> {
        let started = (self.clock)();
        let bytes = match self.catalog_rebuild(name, segments, SWEEP_REFERENCES)? {
            Rebuilt::Btf(b) => b,
            Rebuilt::Missing(offsets) => return Ok(SweepStep::Need(offsets)),
        };
        self.sweep_answer(name, bytes, job, started)
    }

    /// The first half of [`Session::sweep_build`] for a caller that hashes faster than the
    /// engine (the worker: the browser's SHA-256 is native, ~10× the wasm one): build `name`
    /// rebuilt from `segments` *unchecked*, or the segments it still needs. The caller must
    /// hash [`UncheckedSweep::bytes`] and hand the digest to [`Session::sweep_checked`], the
    /// only way to an answer.
    pub fn sweep_rebuild_unchecked(
        &mut self,
        name: &str,
        segments: &[(u64, &[u8])],
    ) -> Result<Result<UncheckedSweep, SweepStep>, String> {
        let started = (self.clock)();
        Ok(
            match self.catalog_rebuild_unchecked(name, segments, SWEEP_REFERENCES)? {
                Rebuilt::Btf(btf) => Ok(UncheckedSweep {
                    name: name.to_owned(),
                    btf,
                    started,
                }),
                Rebuilt::Missing(offsets) => Err(SweepStep::Need(offsets)),
            },
        )
    }

    /// The second half: `job` answered on `unchecked`'s bytes if `digest` (their sha256, as
    /// the caller computed it) is the one recorded for the build. Otherwise the bytes are
    /// dropped and the build rebuilt here from its whole chain with every BTF checked, so
    /// the error names the build whose segment is wrong and its offset, as
    /// [`Session::sweep_build`]'s does (or the segments of the chain still needed).
    pub fn sweep_checked(
        &mut self,
        unchecked: UncheckedSweep,
        digest: &[u8],
        segments: &[(u64, &[u8])],
        job: &SweepJob,
    ) -> Result<SweepStep, String> {
        let UncheckedSweep { name, btf, started } = unchecked;
        if digest == btf.sha256.as_slice() {
            return self.sweep_answer(&name, btf.bytes, job, started);
        }
        drop(btf);
        // References kept from unchecked rebuilds may be the culprit: none serves again.
        self.catalog_forget_references();
        match self.catalog_rebuild(&name, segments, SWEEP_REFERENCES)? {
            Rebuilt::Btf(bytes) => self.sweep_answer(&name, bytes, job, started),
            Rebuilt::Missing(offsets) => Ok(SweepStep::Need(offsets)),
        }
    }

    /// `job` answered on build `name`'s checked BTF `bytes` (rebuilt since `started`).
    fn sweep_answer(
        &mut self,
        name: &str,
        bytes: Vec<u8>,
        job: &SweepJob,
        started: f64,
    ) -> Result<SweepStep, String> {
        let clock = self.clock;
        let rebuilt = clock();
        // Straight to the parser: a sweep needs no content sniffing, summary or type index.
        let btf =
            Btf::parse_owned(bytes, None).map_err(|e| format!("catalogue build {name}: {e}"))?;
        let parsed = clock();
        let answer = match job {
            SweepJob::Matrix { object, whatif } => {
                let obj = self.object_or_err(*object)?;
                let release = self
                    .catalog
                    .as_ref()
                    .and_then(|c| c.head().find(name).map(|b| c.head().build(b)))
                    .and_then(|b| b.upstream_release())
                    .map(str::to_owned);
                let target = Target {
                    label: format!("@{name}"),
                    btf: Arc::new(btf),
                    hidden: Vec::new(),
                    libbpf: Libbpf::default(),
                    modules: Vec::new(),
                };
                SweepAnswer::Matrix(matrix::build_with_releases(
                    obj,
                    &[(&target, release)],
                    whatif,
                )?)
            }
            SweepJob::Ask { sweep, index, fix } => {
                let i = *index as usize;
                if i >= sweep.builds.len() || sweep.builds[i] != name {
                    return Err(format!(
                        "catalogue build {name} is not build {i} of the sweep"
                    ));
                }
                self.hold_ask_sweep(sweep);
                let local = self.kernel_or_err(sweep.local)?;
                let with_fix = self.held_ask_sweep().fix_for(*fix)?;
                let part = ask::answer_on(local, &sweep.text, with_fix, &format!("@{name}"), &btf)?;
                let loads = matches!(part.load, corelab::access::Load::Loads);
                self.held_ask_sweep_mut().parts_mut(*fix)[i] = Some(part);
                SweepAnswer::Ask(loads)
            }
        };
        let done = clock();
        Ok(SweepStep::Column(SweepColumn {
            answer,
            rebuild_ms: rebuilt - started,
            parse_ms: parsed - rebuilt,
            work_ms: done - parsed,
        }))
    }
}

impl Session {
    /// Ask sweep `key`'s pass (`fix`: the fix's check) answered from the where-index on the
    /// builds it decides, kept as if swept; the shards it still needs, if any.
    pub fn ask_from_index(&mut self, key: &AskSweepKey, fix: bool) -> Result<AskIndexStep, String> {
        self.hold_ask_sweep(key);
        let with_fix = self.held_ask_sweep().fix_for(fix)?;
        let cat = self.catalogue()?;
        let head = cat.head();
        let names: Vec<String> = key.builds.iter().map(|n| format!("@{n}")).collect();
        let builds: Vec<(u32, &str)> = key
            .builds
            .iter()
            .zip(&names)
            .map(|(n, label)| {
                head.find(n)
                    .map(|b| (b.0, label.as_str()))
                    .ok_or_else(|| format!("no catalogue build named {n}"))
            })
            .collect::<Result<_, String>>()?;
        let local = self.kernel_or_err(key.local)?;
        let mut shards = cat.shard_source();
        let parts = match ask::answer_from_index(local, &key.text, with_fix, &builds, &mut shards) {
            Ok(parts) => parts,
            Err(None) if !shards.missing.is_empty() => {
                return Ok(AskIndexStep::NeedShards(
                    shards.missing.iter().map(|&s| s as u32).collect(),
                ))
            }
            Err(None) => return Err("the where-index could not be read".into()),
            Err(Some(message)) => return Err(message),
        };
        let kept = self.held_ask_sweep_mut().parts_mut(fix);
        let mut answered = Vec::new();
        for (i, part) in parts.into_iter().enumerate() {
            if let Some(part) = part {
                kept[i] = Some(part);
                answered.push(i as u32);
            }
        }
        Ok(AskIndexStep::Answered(answered))
    }

    /// The table of Ask sweep `key` over the builds answered so far (in the table's order):
    /// runs, verdict and the fix — unchecked after the question's pass (`fix_unchecked`:
    /// ask it on each build with `fix: true`), checked once its pass has run.
    pub fn ask_sweep_table(&mut self, key: &AskSweepKey) -> Result<AskSweepTable, String> {
        let clock = self.clock;
        let mut held = self
            .ask_sweep
            .take()
            .filter(|a| a.key == *key)
            .ok_or_else(|| "this question has not been asked on any build".to_owned())?;
        let gathered = self.gather_ask(&mut held, clock);
        self.ask_sweep = Some(held);
        gathered
    }

    fn gather_ask(&self, held: &mut AskSweep, clock: fn() -> f64) -> Result<AskSweepTable, String> {
        let key = &held.key;
        let local = self.kernel_or_err(key.local)?;
        let parts: Vec<TargetAnswer> = held.parts.iter().flatten().cloned().collect();
        if parts.is_empty() {
            return Err("no build of the selection answered".to_owned());
        }
        let fix_parts: Vec<TargetAnswer> = held.fix_parts.iter().flatten().cloned().collect();
        let checked_by = (held.fix.is_some() && !fix_parts.is_empty()).then_some(fix_parts);
        let (mut table, fix) =
            ask::gather(local, &key.text, parts, held.fix.take(), checked_by, clock)?;
        let fix_unchecked = fix
            .as_ref()
            .is_some_and(|f| !f.parts.is_empty() && f.answer.is_none());
        held.fix = fix;
        // The words say "every kernel above": here, the builds of the selection answered.
        if let Some(f) = &mut table.fix {
            if fix_unchecked {
                f.status = "checking it on every build…".to_owned();
            }
        }
        Ok(AskSweepTable {
            table,
            fix_unchecked,
        })
    }
}

#[cfg(test)]
mod tests;
