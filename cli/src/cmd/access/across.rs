//! The answer across targets for the text report: catalogue builds the where-index decides
//! are answered from it (`access::answer_from_index`, no build rebuilt); the others — files,
//! and builds the index leaves open — are loaded and go through libbpf's engine. The fix is
//! checked the same way. `--json` prints every target's records as `reloc` does, which
//! needs the engine on every target, so it does not come here.

use std::path::PathBuf;

use corelab::access::{self, Answer, LocalObject, Question, TargetAnswer};
use corelab::btf::Btf;
use corelab::libbpf::Libbpf;
use corelab::reloc::Target;

use crate::{kernels, load, Failure};

/// One target: its name, its catalogue build (if it is one), and its BTF once loaded.
struct Kernel {
    name: String,
    path: PathBuf,
    build: Option<u32>,
    btf: Option<Btf>,
}

/// The targets of one `access` run, loaded only where the index does not answer.
pub(super) struct Kernels {
    kernels: Vec<Kernel>,
    libbpf: Libbpf,
}

impl Kernels {
    /// The targets named by `paths` (selections already expanded).
    pub fn new(paths: &[PathBuf], libbpf: Libbpf) -> Self {
        let kernels = paths
            .iter()
            .map(|p| Kernel {
                name: super::super::reloc::target_name(p),
                path: p.clone(),
                build: kernels::build_of(p).map(|b| b.0),
                btf: None,
            })
            .collect();
        Kernels { kernels, libbpf }
    }

    /// The targets' names, in order.
    pub fn names(&self) -> Vec<String> {
        self.kernels.iter().map(|k| k.name.clone()).collect()
    }

    /// `q`'s answer on every target (`obj` its distinct records).
    pub fn answer(&mut self, q: &Question<'_>, obj: &LocalObject) -> Result<Answer, Failure> {
        let builds: Vec<(u32, &str)> = self
            .kernels
            .iter()
            .filter_map(|k| Some((k.build?, k.name.as_str())))
            .collect();
        let mut from_index = if builds.is_empty() {
            Vec::new()
        } else {
            let mut shards = kernels::shards()?;
            access::answer_from_index(obj, &builds, &mut shards)
                .map_err(|e| Failure::new("catalogue index", e))?
        }
        .into_iter();
        let mut parts: Vec<TargetAnswer> = Vec::with_capacity(self.kernels.len());
        for k in &mut self.kernels {
            let decided = match k.build {
                Some(_) => from_index.next().flatten(),
                None => None,
            };
            if let Some(part) = decided {
                parts.push(part);
                continue;
            }
            if k.btf.is_none() {
                k.btf = Some(load::btf(&k.path, None)?.btf);
            }
            let btf = k.btf.as_ref().expect("loaded above");
            let processed =
                access::relocate_on(&obj.btf, &obj.records, &Target::kernel(btf), self.libbpf);
            parts.push(access::answer_one(
                q,
                obj,
                &k.name,
                btf,
                &processed,
                self.libbpf,
            ));
        }
        Ok(Answer::gather(parts, self.libbpf))
    }

    /// The fix for `q` given its answer, checked on the same targets (as `access::fix`).
    pub fn fix(
        &mut self,
        q: &Question<'_>,
        obj: &LocalObject,
        ans: &Answer,
    ) -> Result<Option<access::Fix>, Failure> {
        let Some(mut f) = access::fix_unchecked(q, obj, ans) else {
            return Ok(None);
        };
        if f.parts.is_empty() {
            return Ok(Some(f));
        }
        let mut fixed = match f.question(q) {
            Ok(fixed) => fixed,
            Err(note) => {
                f.notes.push(note);
                return Ok(Some(f));
            }
        };
        let fixed_answer = match fixed.object() {
            Ok(fobj) => Some(self.answer(&fixed, &fobj)?),
            Err(_) => None,
        };
        f.set_answer(fixed_answer);
        Ok(Some(f))
    }
}
