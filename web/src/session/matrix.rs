//! One object against many kernels: the compatibility matrix.

use corelab::matrix;
use corelab::pipeline;

use crate::dto::guard::WhatIf;
use crate::dto::matrix::{MatrixProgram, MatrixReloc, MatrixTable, ValueCell, VerdictCell};

use super::object::LoadedObject;
use super::whatif::{knobs, release_in, Target};

/// The matrix of `obj` against `kernels` (each with its modules), each with its own release; `whatif`'s
/// overrides (`set`) apply to every column, its release only where a kernel's name has none.
pub fn build(
    obj: &LoadedObject,
    kernels: &[Target],
    whatif: &WhatIf,
) -> Result<MatrixTable, String> {
    let with_releases: Vec<(&Target, Option<String>)> =
        kernels.iter().map(|t| (t, release_in(&t.label))).collect();
    build_with_releases(obj, &with_releases, whatif)
}

/// The matrix of `obj` against `kernels`, each with the release its `LINUX_KERNEL_VERSION`
/// is (`None`: `whatif`'s).
pub fn build_with_releases(
    obj: &LoadedObject,
    kernels: &[(&Target, Option<String>)],
    whatif: &WhatIf,
) -> Result<MatrixTable, String> {
    let mut analyses = Vec::with_capacity(kernels.len());
    for (t, release) in kernels {
        let label = &t.label;
        let w = WhatIf {
            kernel_release: release.clone().or_else(|| whatif.kernel_release.clone()),
            set: whatif.set.clone(),
            hide: Vec::new(),
            libbpf: whatif.libbpf,
        };
        let k = knobs(&w, label)?;
        let a = pipeline::analyze_target(&obj.obj, &t.core(), &k).map_err(|e| e.to_string())?;
        analyses.push((label.clone(), a));
    }
    let m = matrix::build(&obj.obj, &analyses);
    let programs = m
        .programs
        .iter()
        .map(|p| MatrixProgram {
            name: p.name.clone(),
            sec: p.sec.clone(),
            cells: p
                .cells
                .iter()
                .map(|c| VerdictCell {
                    verdict: c.verdict.label().to_owned(),
                    reason: c.reason.clone(),
                })
                .collect(),
        })
        .collect();
    let relocations = m
        .relocations
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cells: Vec<ValueCell> = r
                .cells
                .iter()
                .map(|c| ValueCell {
                    outcome: c.outcome.name().to_owned(),
                    value: c.value,
                    reason: c.reason.clone(),
                })
                .collect();
            let varies = cells
                .windows(2)
                .any(|w| w[0].outcome != w[1].outcome || w[0].value != w[1].value);
            MatrixReloc {
                idx: i as u32,
                sec: r.sec.clone(),
                sec_relo_idx: r.sec_relo_idx as u32,
                kind: r.kind.to_owned(),
                access: r.access.clone(),
                prog: r.prog.clone(),
                cells,
                varies,
            }
        })
        .collect();
    Ok(MatrixTable {
        object: obj.label.clone(),
        kernels: m.kernels,
        libbpf: whatif.libbpf,
        programs,
        relocations,
        ms: 0.0,
    })
}
