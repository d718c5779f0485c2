//! The generated C header (`vmlinux.h`) of a kernel, in any bpftool profile, whole or only
//! the types some roots need (`corelab header --root`): as plain text (the JS API, copy and
//! download) and as a document whose type names link to their definitions (the header view).

use corelab::btf::TypeId;
use corelab::header::{self, MarkedText, Options, Profile, Warning};
use corelab::layout;

use super::Kernel;
use crate::document::Document;
use crate::dto::HeaderDocument;

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
    /// every type's full definition an anchor. Its first `first_lines` lines go to `first`
    /// as soon as they are generated (a document of its own, not `complete`), unless the
    /// whole header is that short. Times are taken with `clock` (milliseconds).
    pub fn header_document(
        &self,
        req: HeaderRequest<'_>,
        first_lines: usize,
        clock: fn() -> f64,
        first: &mut dyn FnMut(HeaderDocument),
    ) -> Result<HeaderDocument, String> {
        let opts = self.header_options(req)?;
        let profile = opts.profile.name().to_owned();
        let type_cnt = self.btf().type_cnt();
        let started = clock();
        let mut on_first = |m: &MarkedText| {
            // The whole header arrives anyway when it is this short.
            if memchr::memchr_iter(b'\n', m.text.as_bytes()).count() < first_lines {
                return;
            }
            first(HeaderDocument {
                document: Document::new(super::marked::document(
                    m.text.clone(),
                    &m.spans,
                    type_cnt,
                )),
                profile: profile.clone(),
                warnings: stderr_lines(&m.warnings),
                ms: clock() - started,
                complete: false,
            });
        };
        let (marked, done) =
            header::render_streaming(self.btf(), &opts, first_lines, &mut on_first);
        done.map_err(|e| format!("{}: {e}", self.label()))?;
        let warnings = stderr_lines(&marked.warnings);
        let document = Document::new(super::marked::document(
            marked.text,
            &marked.spans,
            type_cnt,
        ));
        Ok(HeaderDocument {
            document,
            profile,
            warnings,
            ms: clock() - started,
            complete: true,
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

#[cfg(test)]
mod tests;
