//! All view state lives in the query string, so any view can be shared or embedded:
//! `?kernel=debian12-6.1.0-50-amd64&type=task_struct`, `?kernel=…&view=listing&line=1200`,
//! `?embed=type&kernel=…&type=task_struct`, `?obj=10_guarding&kernel=…&view=flow&prog=…`,
//! `?obj=…&kernel=…&view=flow&hide=inode.i_atime_sec&set=CONFIG_HZ=250`, `?…&libbpf=1.5`, `?tour=3`,
//! `?kernel=…&view=header&profile=bpftool-7.1&root=task_struct`, `?kernel=…&view=layout&type=…`,
//! `?area=ask&kernel=…&q=struct+task_struct+*t%3B+t->mm`, `?obj=…&view=matrix&sel=bookworm/arm64`.
//!
//! Pure parsing and formatting (with its own percent-coding), tested natively.

use serde::{Deserialize, Serialize};

use crate::dto::guard::{LibbpfRelease, WhatIf};
use crate::search::KindFilter;
pub use crate::views::{Area, View};

/// A type named in a URL: by name (`type=task_struct`) or by id (`type=#123`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// A name, resolved with [`crate::search::TypeIndex::resolve`].
    Name(String),
    /// A type id.
    Id(u32),
}

impl TypeRef {
    /// Parses `task_struct` or `#123`.
    pub fn parse(s: &str) -> Option<TypeRef> {
        if s.is_empty() {
            return None;
        }
        match s.strip_prefix('#') {
            Some(n) => n.parse().ok().map(TypeRef::Id),
            None => Some(TypeRef::Name(s.to_owned())),
        }
    }

    fn format(&self) -> String {
        match self {
            TypeRef::Name(n) => n.clone(),
            TypeRef::Id(id) => format!("#{id}"),
        }
    }
}

/// The bpftool builds the header view imitates (`profile=` in the URL; `corelab header
/// --profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
pub enum HeaderProfile {
    /// bpftool 7.8 without its sort bug (the CLI's default too).
    #[default]
    Bpftool,
    /// bpftool 7.1 (Debian 12's).
    Bpftool71,
    /// bpftool 7.8.
    Bpftool78,
    /// bpftool 7.8's `format c unsorted`: types in id order.
    Unsorted,
}

impl HeaderProfile {
    /// Every profile, in the switch's order.
    pub const ALL: [HeaderProfile; 4] = [
        HeaderProfile::Bpftool,
        HeaderProfile::Bpftool71,
        HeaderProfile::Bpftool78,
        HeaderProfile::Unsorted,
    ];

    /// The name, as the engine and the URL spell it.
    pub fn label(self) -> &'static str {
        match self {
            HeaderProfile::Bpftool => "bpftool",
            HeaderProfile::Bpftool71 => "bpftool-7.1",
            HeaderProfile::Bpftool78 => "bpftool-7.8",
            HeaderProfile::Unsorted => "unsorted",
        }
    }

    /// Reads a label.
    pub fn parse(s: &str) -> Option<HeaderProfile> {
        HeaderProfile::ALL.into_iter().find(|p| p.label() == s)
    }
}

/// The header's roots as typed: names or ids separated by commas or spaces, where a kind
/// keyword keeps the name after it (`struct file, union bpf_attr` → `struct file`,
/// `union bpf_attr`), as `corelab header --root` takes them.
pub fn split_roots(s: &str) -> Vec<String> {
    const KINDS: [&str; 4] = ["struct", "union", "enum", "typedef"];
    let mut roots: Vec<String> = Vec::new();
    let mut pending_kind: Option<&str> = None;
    for word in s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        match pending_kind.take() {
            Some(kind) => roots.push(format!("{kind} {word}")),
            None if KINDS.contains(&word) => pending_kind = Some(word),
            None => roots.push(word.to_owned()),
        }
    }
    // A keyword with nothing after it is kept as typed: the engine then says no such type.
    roots.extend(pending_kind.map(str::to_owned));
    roots
}

/// The compact panels an embed URL can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Embed {
    /// One type's detail (`embed=type`).
    Type,
    /// The summary (`embed=summary`).
    Summary,
    /// An object's relocation table (`embed=relocs`).
    Relocs,
    /// One program's guarding view (`embed=guard`).
    Guard,
    /// The compatibility matrix (`embed=matrix`).
    Matrix,
    /// A type across kernels (`embed=compare`).
    Compare,
    /// An access question's records and answer across kernels (`embed=ask&q=…`).
    Ask,
}

impl Embed {
    const ALL: [Embed; 7] = [
        Embed::Type,
        Embed::Summary,
        Embed::Relocs,
        Embed::Guard,
        Embed::Matrix,
        Embed::Compare,
        Embed::Ask,
    ];

    fn parse(s: &str) -> Option<Embed> {
        Embed::ALL.into_iter().find(|e| e.label() == s)
    }

    /// The URL spelling.
    pub fn label(self) -> &'static str {
        match self {
            Embed::Type => "type",
            Embed::Summary => "summary",
            Embed::Relocs => "relocs",
            Embed::Guard => "guard",
            Embed::Matrix => "matrix",
            Embed::Compare => "compare",
            Embed::Ask => "ask",
        }
    }

    /// The view an embed shows (what the engine has to compute for it).
    pub fn view(self) -> View {
        match self {
            Embed::Type => View::Types,
            Embed::Summary => View::Summary,
            Embed::Relocs => View::Relocs,
            Embed::Guard => View::Flow,
            Embed::Matrix => View::Matrix,
            Embed::Compare => View::Compare,
            Embed::Ask => View::Ask,
        }
    }
}

/// Everything a URL says about the view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UrlState {
    /// A bundled kernel's id (uploads cannot be named in a URL).
    pub kernel: Option<String>,
    /// The selected type.
    pub ty: Option<TypeRef>,
    /// The view.
    pub view: View,
    /// The type list's search (`q=`, outside the Ask area).
    pub query: String,
    /// The Ask area's question (`q=` in that area).
    pub question: String,
    /// The kind filter.
    pub filter: KindFilter,
    /// The listing line to show (1-based, as people count lines).
    pub line: Option<u32>,
    /// Embed mode.
    pub embed: Option<Embed>,
    /// A bundled sample object's id (`obj=10_guarding`).
    pub object: Option<String>,
    /// The program shown in the Guarding area.
    pub prog: Option<String>,
    /// The relocation row expanded (index over the `.BTF.ext`).
    pub relo: Option<u32>,
    /// What-if settings (`kv=5.10.0`, `set=NAME=VALUE`…, `hide=task_struct.__state`…,
    /// `libbpf=1.5`).
    pub whatif: WhatIf,
    /// Bundled kernels to compare a type across (`cmp=a,b`; empty: all bundled).
    pub compare: Vec<String>,
    /// The Tour step shown (0-based; `tour=1` in the URL is the first).
    pub tour: Option<usize>,
    /// The header's profile (`profile=bpftool-7.1`).
    pub profile: HeaderProfile,
    /// The header's roots (`root=task_struct`…; empty: the whole kernel).
    pub roots: Vec<String>,
    /// With roots: also the typedefs `bpf_helpers.h` needs (`helpers=1`).
    pub helpers: bool,
    /// A failed load's log, when short (`log=`; a long one stays in the page).
    pub log: String,
    /// The catalogue question (`where=task_struct.__state`; empty: none).
    pub where_path: String,
    /// The catalogue selection the Matrix sweeps (`sel=bookworm/arm64`, the CLI's `@…`
    /// without `@`; empty: the bundled kernels).
    pub selection: String,
}

impl UrlState {
    /// Parses a query string (with or without the leading `?`). Unknown keys and bad values
    /// are ignored: a shared link from a newer version still opens.
    pub fn parse(search: &str) -> UrlState {
        let mut s = UrlState::default();
        let mut view = None;
        let mut area = None;
        for pair in search.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(v);
            match k {
                "kernel" if !v.is_empty() => s.kernel = Some(v),
                "type" => s.ty = TypeRef::parse(&v),
                "view" => view = View::parse(&v),
                "area" => area = Area::parse(&v),
                "q" => s.query = v,
                "kind" => s.filter = KindFilter::parse(&v).unwrap_or_default(),
                "line" => s.line = v.parse().ok().filter(|&l| l > 0),
                "embed" => s.embed = Embed::parse(&v),
                "obj" if !v.is_empty() => s.object = Some(v),
                "prog" if !v.is_empty() => s.prog = Some(v),
                "relo" => s.relo = v.parse().ok(),
                "kv" if !v.is_empty() => s.whatif.kernel_release = Some(v),
                "set" => {
                    if let Some((n, val)) = v.split_once('=').filter(|(n, _)| !n.is_empty()) {
                        s.whatif.set.push((n.to_owned(), val.to_owned()));
                    }
                }
                "hide" if !v.is_empty() => s.whatif.hide.push(v),
                "libbpf" => s.whatif.libbpf = LibbpfRelease::parse(&v).unwrap_or_default(),
                "cmp" => {
                    s.compare = v
                        .split(',')
                        .filter(|k| !k.is_empty())
                        .map(str::to_owned)
                        .collect()
                }
                "tour" => s.tour = v.parse::<usize>().ok().filter(|&t| t > 0).map(|t| t - 1),
                "profile" => s.profile = HeaderProfile::parse(&v).unwrap_or_default(),
                "root" => s.roots.extend(split_roots(&v)),
                "helpers" => s.helpers = v == "1",
                "log" => s.log = v,
                "where" => s.where_path = v,
                "sel" => s.selection = v.trim_start_matches('@').to_owned(),
                _ => {}
            }
        }
        s.view = view
            .or(area.map(Area::first_view))
            .unwrap_or_else(|| s.implied_view());
        if s.shown_view().area() == Area::Ask {
            s.question = std::mem::take(&mut s.query);
        }
        s
    }

    /// The view shown: the embed's, else the main view.
    pub fn shown_view(&self) -> View {
        self.embed.map_or(self.view, Embed::view)
    }

    /// The view a URL without `view=` means: a type's detail, else an object's code, else
    /// the summary.
    fn implied_view(&self) -> View {
        match (&self.ty, &self.object) {
            (Some(_), _) => View::Types,
            (None, Some(_)) => View::Code,
            (None, None) => View::Summary,
        }
    }

    /// The query string, `?`-prefixed (or empty), with default values left out.
    pub fn format(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(t) = self.tour {
            pairs.push(("tour", (t + 1).to_string()));
        }
        if let Some(e) = self.embed {
            pairs.push(("embed", e.label().to_owned()));
        }
        if let Some(o) = &self.object {
            pairs.push(("obj", o.clone()));
        }
        if let Some(k) = &self.kernel {
            pairs.push(("kernel", k.clone()));
        }
        if self.view != self.implied_view() {
            match self.view.area() {
                // An area of one view is named by its area.
                a if a.views().count() == 1 => pairs.push(("area", a.name().to_owned())),
                _ => pairs.push(("view", self.view.label().to_owned())),
            }
        }
        if let Some(p) = &self.prog {
            pairs.push(("prog", p.clone()));
        }
        if let Some(r) = self.relo {
            pairs.push(("relo", r.to_string()));
        }
        if let Some(t) = &self.ty {
            pairs.push(("type", t.format()));
        }
        if !self.compare.is_empty() {
            pairs.push(("cmp", self.compare.join(",")));
        }
        if let Some(r) = &self.whatif.kernel_release {
            pairs.push(("kv", r.clone()));
        }
        for (n, v) in &self.whatif.set {
            pairs.push(("set", format!("{n}={v}")));
        }
        for h in &self.whatif.hide {
            pairs.push(("hide", h.clone()));
        }
        if self.whatif.libbpf != LibbpfRelease::default() {
            pairs.push(("libbpf", self.whatif.libbpf.label().to_owned()));
        }
        if !self.query.is_empty() {
            pairs.push(("q", self.query.clone()));
        }
        if !self.question.is_empty() {
            pairs.push(("q", self.question.clone()));
        }
        if self.filter != KindFilter::All {
            pairs.push(("kind", self.filter.label().to_owned()));
        }
        if self.profile != HeaderProfile::default() {
            pairs.push(("profile", self.profile.label().to_owned()));
        }
        for r in &self.roots {
            pairs.push(("root", r.clone()));
        }
        if self.helpers {
            pairs.push(("helpers", "1".to_owned()));
        }
        if !self.where_path.is_empty() {
            pairs.push(("where", self.where_path.clone()));
        }
        if !self.selection.is_empty() {
            pairs.push(("sel", self.selection.clone()));
        }
        if let Some(l) = self.line {
            pairs.push(("line", l.to_string()));
        }
        if !self.log.is_empty() {
            pairs.push(("log", self.log.clone()));
        }
        if pairs.is_empty() {
            return String::new();
        }
        let body: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect();
        format!("?{}", body.join("&"))
    }
}

/// Whether going from `from` to `to` is a new place (a history entry), rather than the same
/// place adjusted in place (typing, scrolling, what-if knobs).
pub fn is_new_place(from: &UrlState, to: &UrlState) -> bool {
    from.kernel != to.kernel
        || from.ty != to.ty
        || from.view != to.view
        || from.profile != to.profile
        || from.roots != to.roots
        || from.object != to.object
        || from.where_path != to.where_path
        || from.selection != to.selection
        || from.prog != to.prog
        || from.tour != to.tour
}

/// Percent-encodes everything but RFC 3986 unreserved characters (so `#` and `&` too) and
/// `@`, which a query may hold as is: a catalogue build reads as written,
/// `kernel=@debian12-6.1.0-50-arm64`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes `%XX` and `+`; malformed escapes stay as they are.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests;
