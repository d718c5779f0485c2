//! Where the header goes: a [`Sink`] receives text chunks, marks around definitions and type
//! references (for hyperlinks), and libbpf's warnings.
//!
//! The emitter is generic over the sink, so the plain-bytes path ([`IoSink`], the CLI) pays
//! nothing for the marks, while [`MarkedText`] (the web view) records where each definition
//! starts and ends and which type every name refers to.

use std::io;

use crate::btf::TypeId;

use super::diag::Warning;

/// What a marked stretch of output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A top-level item for type `id`: its full definition, or a forward declaration
    /// (`struct foo;`) when `forward` is set.
    Definition {
        /// The type defined or declared.
        id: TypeId,
        /// Whether this is only a forward declaration.
        forward: bool,
    },
    /// A name that refers to type `id` (a struct, union, enum, typedef or FWD name in a
    /// declarator).
    Reference(TypeId),
}

/// Receives the header as it is produced.
///
/// Marks nest: every [`Sink::begin`] is matched by one [`Sink::end`], and references only
/// occur inside definitions or the kfunc section.
pub trait Sink {
    /// The next chunk of output text.
    fn text(&mut self, s: &str);

    /// The start of a marked stretch.
    fn begin(&mut self, mark: Mark) {
        let _ = mark;
    }

    /// The end of the innermost open stretch.
    fn end(&mut self) {}

    /// A message libbpf would print on stderr (`libbpf: …`).
    fn warning(&mut self, w: &Warning) {
        let _ = w;
    }

    /// Whether the sink uses [`Sink::begin`] and [`Sink::end`]. When it does not, text may
    /// arrive in fewer, larger chunks.
    fn wants_marks(&self) -> bool {
        true
    }
}

/// Plain bytes: text into one writer, warnings as `libbpf: …` lines into another.
///
/// Write errors do not interrupt generation; the first one is kept and later writes are
/// skipped ([`IoSink::finish`] reports it), so a closed pipe costs nothing more.
#[derive(Debug)]
pub struct IoSink<W: io::Write, E: io::Write> {
    out: W,
    err: E,
    failed: Option<io::Error>,
}

impl<W: io::Write, E: io::Write> IoSink<W, E> {
    /// A sink writing text to `out` and warnings to `err`.
    pub fn new(out: W, err: E) -> Self {
        IoSink {
            out,
            err,
            failed: None,
        }
    }

    /// Flushes the text writer and returns both writers, or the first write error.
    pub fn finish(mut self) -> io::Result<(W, E)> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.out.flush()?;
        self.err.flush()?;
        Ok((self.out, self.err))
    }
}

impl<W: io::Write, E: io::Write> Sink for IoSink<W, E> {
    #[inline]
    fn text(&mut self, s: &str) {
        if self.failed.is_none() {
            if let Err(e) = self.out.write_all(s.as_bytes()) {
                self.failed = Some(e);
            }
        }
    }

    fn warning(&mut self, w: &Warning) {
        // Warnings are advisory: a failing stderr must not stop the header.
        let _ = writeln!(self.err, "libbpf: {w}");
    }

    fn wants_marks(&self) -> bool {
        false
    }
}

/// A stretch of [`MarkedText::text`] with its mark: byte offsets `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkedSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What the bytes are.
    pub mark: Mark,
}

/// The header as text plus its marks: the token stream the web view hyperlinks.
///
/// Spans are stored in the order they *start*; an enclosing definition precedes the
/// references inside it.
#[derive(Debug, Default, Clone)]
pub struct MarkedText {
    /// The header text.
    pub text: String,
    /// Marked stretches, in order of their start.
    pub spans: Vec<MarkedSpan>,
    /// Warnings in the order they were raised.
    pub warnings: Vec<Warning>,
    open: Vec<usize>,
    /// Text and warnings only, no spans.
    plain: bool,
}

impl MarkedText {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty recorder of the text and warnings only: `spans` stays empty and the text
    /// arrives in fewer, larger chunks. (One sink type for both uses means one compiled
    /// copy of the generator.)
    pub fn plain() -> Self {
        MarkedText {
            plain: true,
            ..Self::default()
        }
    }
}

impl Sink for MarkedText {
    fn text(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn begin(&mut self, mark: Mark) {
        self.open.push(self.spans.len());
        self.spans.push(MarkedSpan {
            start: self.text.len(),
            end: self.text.len(),
            mark,
        });
    }

    fn end(&mut self) {
        if let Some(i) = self.open.pop() {
            self.spans[i].end = self.text.len();
        }
    }

    fn warning(&mut self, w: &Warning) {
        self.warnings.push(w.clone());
    }

    fn wants_marks(&self) -> bool {
        !self.plain
    }
}
