//! Sweeps in the engine: a catalogue selection resolved by core's selector (the CLI's
//! `@all`, `@arm64`, `@bookworm/arm64`, `@6.1`), and one build of a sweep answered — rebuilt
//! from the segments the page handed over, parsed, asked, dropped. Nothing of a build
//! outlives its step but the references the materialiser keeps for the next one.

use std::sync::Arc;

use corelab::btf::Btf;
use corelab::catalog::{select, BuildIdx};
use corelab::libbpf::Libbpf;

use super::catalog::Rebuilt;
use super::whatif::Target;
use super::{matrix, Session};
use crate::dto::sweep::{Selection, SweepAnswer, SweepColumn, SweepJob, SweepStep};

/// References a sweep keeps between builds (each ~2× a kernel's BTF: ~10 MB). Swept in
/// chain order, a build's reference was nearly always rebuilt just before it.
const SWEEP_REFERENCES: usize = 4;

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
        let clock = self.clock;
        let started = clock();
        let bytes = match self.catalog_rebuild(name, segments, SWEEP_REFERENCES)? {
            Rebuilt::Btf(b) => b,
            Rebuilt::Missing(offsets) => return Ok(SweepStep::Need(offsets)),
        };
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

#[cfg(test)]
mod tests;
