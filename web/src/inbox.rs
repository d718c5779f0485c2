//! Files an embedding page hands its embed (`?embed=…` in an iframe): the page posts
//! `{type: "corelab:file", kind: "object" | "btf", name, bytes}` to the iframe, which loads
//! the bytes exactly as a file the user opened (the same parsers, the same limits) and
//! answers `{type: "corelab:ready" | "corelab:error", kind, name, message}` to the sender's
//! origin only. When its listener is up the iframe says `{type: "corelab:hello"}` to its
//! parent, so the page knows when to post; a page that listened too late to hear it posts
//! `{type: "corelab:hello"}` itself and is greeted again.
//!
//! Only data crosses: nothing in a message is run, navigated to or fetched. Only the frame's
//! parent is listened to (not other windows, frames or openers), and only in embed mode; a
//! message that is not exactly this shape is answered with an error and otherwise ignored.
//! What an attacker's page can do by posting is what it can do by embedding the playground
//! and asking a user to open its file: have its own bytes parsed, in the visitor's browser,
//! and shown in its own frame.
//!
//! This module is the pure part: the message's checks and the names; the listener is
//! `hooks::inbox` (wasm only).

/// The iframe's greeting to its parent, once it listens.
pub const HELLO: &str = "corelab:hello";
/// A file from the parent.
pub const FILE: &str = "corelab:file";
/// The file loaded.
pub const READY: &str = "corelab:ready";
/// The file did not load (or the message was not understood).
pub const ERROR: &str = "corelab:error";

/// The largest file accepted (the largest kernel BTF is ~6 MB, a vmlinux with it ~100 MB).
pub const MAX_BYTES: u32 = 256 << 20;
/// The longest name kept.
const MAX_NAME: usize = 128;

/// What a posted file is loaded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A BPF object (the Object and Guarding areas).
    Object,
    /// A kernel BTF (or anything `corelab info` reads: ELF, compressed, split BTF).
    Btf,
}

impl FileKind {
    /// The message's spelling.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Object => "object",
            FileKind::Btf => "btf",
        }
    }
}

/// A posted file, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedFile {
    /// What to load it as.
    pub kind: FileKind,
    /// The name shown (its last path component, printable, at most 128 characters).
    pub name: String,
}

/// Checks a message's fields: `kind` and `name` as strings when they are, `len` the byte
/// length when `bytes` is an `ArrayBuffer` or a typed array.
pub fn check(
    kind: Option<&str>,
    name: Option<&str>,
    len: Option<u32>,
) -> Result<PostedFile, String> {
    let kind = match kind {
        Some("object") => FileKind::Object,
        Some("btf") => FileKind::Btf,
        Some(k) => return Err(format!("kind must be \"object\" or \"btf\", not {k:?}")),
        None => return Err("kind must be \"object\" or \"btf\"".to_owned()),
    };
    let len = len.ok_or("bytes must be an ArrayBuffer or a typed array")?;
    if len == 0 {
        return Err("bytes is empty".to_owned());
    }
    if len > MAX_BYTES {
        return Err(format!("{len} bytes is more than the {MAX_BYTES} accepted"));
    }
    let base = name.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let mut clean: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME)
        .collect();
    if clean.trim().is_empty() {
        clean = match kind {
            FileKind::Object => "posted.bpf.o".to_owned(),
            FileKind::Btf => "posted.btf".to_owned(),
        };
    }
    Ok(PostedFile { kind, name: clean })
}

#[cfg(test)]
mod tests;
