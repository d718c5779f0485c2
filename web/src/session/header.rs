//! The generated C header (`vmlinux.h`) of a kernel, in any bpftool profile, whole or only
//! the types some roots need (`corelab header --root`): as plain text (the JS API, copy and
//! download) and as a document whose type names link to their definitions (the header view).

use corelab::btf::TypeId;
use corelab::header::{self, Mark, MarkedText, Options, Profile, Warning};
use corelab::layout;

use super::Kernel;
use crate::dto::{DocumentData, HeaderDocument};

/// What to generate: a profile name (`bpftool`, `bpftool-7.1`, `bpftool-7.8`, `unsorted`) and
/// roots (names as `--root` takes them, or ids); no roots means the whole kernel.
#[derive(Debug, Clone, Copy)]
pub struct HeaderRequest<'a> {
    /// The bpftool build to imitate.
    pub profile: &'a str,
    /// Only these types and what they need (empty: the whole kernel).
    pub roots: &'a [String],
    /// With roots: also the typedefs `bpf_helpers.h` needs (`__u32`, `__be16`, …).
    pub with_helpers: bool,
}

impl Kernel {
    fn header_options(&self, req: HeaderRequest<'_>) -> Result<Options, String> {
        let profile: Profile = req
            .profile
            .parse()
            .map_err(|e| format!("profile {}: {e}", req.profile))?;
        let btf = self.btf();
        let mut roots: Vec<TypeId> = Vec::new();
        if req.with_helpers && !req.roots.is_empty() {
            roots.extend(header::helper_roots(btf));
        }
        for spec in req.roots.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            roots.extend(header::find_roots(btf, spec).map_err(|e| e.to_string())?);
        }
        Ok(Options { profile, roots })
    }

    /// The header as bpftool prints it on stdout, and libbpf's stderr lines.
    pub fn header_text(&self, req: HeaderRequest<'_>) -> Result<(String, Vec<String>), String> {
        let opts = self.header_options(req)?;
        let (header, done) = header::render_text(self.btf(), &opts);
        done.map_err(|e| format!("{}: {e}", self.label()))?;
        Ok((header.text, stderr_lines(&header.warnings)))
    }

    /// The header as a document: every type name a link to the line defining that type, and
    /// every type's full definition an anchor.
    pub fn header_document(&self, req: HeaderRequest<'_>) -> Result<HeaderDocument, String> {
        let opts = self.header_options(req)?;
        let (marked, done) = header::render(self.btf(), &opts);
        done.map_err(|e| format!("{}: {e}", self.label()))?;
        let warnings = stderr_lines(&marked.warnings);
        Ok(HeaderDocument {
            document: marked_document(marked, self.btf().type_cnt()),
            profile: opts.profile.name().to_owned(),
            warnings,
        })
    }

    /// pahole's layout of the struct or union `name` (a name, `union NAME`, or an id).
    pub fn layout(&self, name: &str) -> Result<String, String> {
        let btf = self.btf();
        let id = layout::find(btf, name.trim())
            .ok_or_else(|| format!("no struct or union '{}'", name.trim()))?;
        layout::render(btf, id).ok_or_else(|| format!("type [{}] is not a struct or union", id.0))
    }
}

/// libbpf's warnings as bpftool prints them on stderr.
fn stderr_lines(warnings: &[Warning]) -> Vec<String> {
    warnings.iter().map(|w| format!("libbpf: {w}")).collect()
}

/// Lines, links and anchors of a marked header. A type's anchor is the first line of its full
/// definition (forward declarations only when nothing defines it).
fn marked_document(marked: MarkedText, type_cnt: u32) -> DocumentData {
    let MarkedText { text, spans, .. } = marked;
    let line_starts: Vec<u32> = std::iter::once(0)
        .chain(
            text.match_indices('\n')
                .map(|(i, _)| i as u32 + 1)
                .filter(|&s| (s as usize) < text.len()),
        )
        .collect();
    let line_of = |byte: usize| line_starts.partition_point(|&s| s as usize <= byte) as u32 - 1;
    let mut anchors = vec![u32::MAX; type_cnt as usize];
    let mut forward_only = vec![false; type_cnt as usize];
    let mut links = Vec::new();
    for s in &spans {
        match s.mark {
            Mark::Reference(id) => links.push([s.start as u32, s.end as u32, id.0]),
            Mark::Definition { id, forward } => {
                let Some(a) = anchors.get_mut(id.0 as usize) else {
                    continue;
                };
                let f = &mut forward_only[id.0 as usize];
                if *a == u32::MAX || (*f && !forward) {
                    *a = line_of(s.start);
                    *f = forward;
                }
            }
        }
    }
    links.sort_unstable_by_key(|l| l[0]);
    DocumentData {
        text,
        line_starts,
        links,
        anchors,
    }
}

#[cfg(test)]
mod tests;
