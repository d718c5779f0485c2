//! All view state lives in the query string, so any view can be shared or embedded:
//! `?kernel=debian12-6.1.0-50-amd64&type=task_struct`, `?kernel=…&view=listing&line=1200`,
//! `?embed=type&kernel=…&type=task_struct`.
//!
//! Pure parsing and formatting (with its own percent-coding), tested natively.

use crate::search::KindFilter;

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

/// The main view of the Kernel area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum View {
    /// What the BTF holds (`corelab info`).
    #[default]
    Summary,
    /// The type list and one type's detail.
    Types,
    /// The whole raw listing in the big viewer.
    Listing,
}

impl View {
    /// Every view, in tab order.
    pub const ALL: [View; 3] = [View::Summary, View::Types, View::Listing];

    /// The URL spelling and tab label.
    pub fn label(self) -> &'static str {
        match self {
            View::Summary => "summary",
            View::Types => "types",
            View::Listing => "listing",
        }
    }

    fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.label() == s)
    }
}

/// The compact panels an embed URL can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embed {
    /// One type's detail (`embed=type`).
    Type,
    /// The summary (`embed=summary`).
    Summary,
}

impl Embed {
    fn parse(s: &str) -> Option<Embed> {
        match s {
            "type" => Some(Embed::Type),
            "summary" => Some(Embed::Summary),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Embed::Type => "type",
            Embed::Summary => "summary",
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
    /// The search query.
    pub query: String,
    /// The kind filter.
    pub filter: KindFilter,
    /// The listing line to show (1-based, as people count lines).
    pub line: Option<u32>,
    /// Embed mode.
    pub embed: Option<Embed>,
}

impl UrlState {
    /// Parses a query string (with or without the leading `?`). Unknown keys and bad values
    /// are ignored: a shared link from a newer version still opens.
    pub fn parse(search: &str) -> UrlState {
        let mut s = UrlState::default();
        let mut view = None;
        for pair in search.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(v);
            match k {
                "kernel" if !v.is_empty() => s.kernel = Some(v),
                "type" => s.ty = TypeRef::parse(&v),
                "view" => view = View::parse(&v),
                "q" => s.query = v,
                "kind" => s.filter = KindFilter::parse(&v).unwrap_or_default(),
                "line" => s.line = v.parse().ok().filter(|&l| l > 0),
                "embed" => s.embed = Embed::parse(&v),
                _ => {}
            }
        }
        // A type without an explicit view means the type view.
        s.view = view.unwrap_or(if s.ty.is_some() {
            View::Types
        } else {
            View::Summary
        });
        s
    }

    /// The query string, `?`-prefixed (or empty), with default values left out.
    pub fn format(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(e) = self.embed {
            pairs.push(("embed", e.label().to_owned()));
        }
        if let Some(k) = &self.kernel {
            pairs.push(("kernel", k.clone()));
        }
        let implied = if self.ty.is_some() {
            View::Types
        } else {
            View::Summary
        };
        if self.view != implied {
            pairs.push(("view", self.view.label().to_owned()));
        }
        if let Some(t) = &self.ty {
            pairs.push(("type", t.format()));
        }
        if !self.query.is_empty() {
            pairs.push(("q", self.query.clone()));
        }
        if self.filter != KindFilter::All {
            pairs.push(("kind", self.filter.label().to_owned()));
        }
        if let Some(l) = self.line {
            pairs.push(("line", l.to_string()));
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

/// Percent-encodes everything but RFC 3986 unreserved characters (so `#` and `&` too).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
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
