//! A long text the viewer shows a window of: line index, type links and anchors.
//!
//! Built once from the [`DocumentData`] the engine sends; every query is O(log n) so the
//! viewer can render any 50 rows of a 300k-line text on each scroll event.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::dto::DocumentData;
use crate::query::Blob;

/// A piece of one line: its text and the type it links to, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineSpan<'a> {
    /// The text.
    pub text: &'a str,
    /// The linked type id.
    pub link: Option<u32>,
}

/// An indexed text.
///
/// It crosses from the worker as blobs ([`Document::into_blobs`]): its serialized body is
/// empty.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    #[serde(skip)]
    data: DocumentData,
}

impl Document {
    /// Wraps what the engine sent.
    pub fn new(data: DocumentData) -> Document {
        Document { data }
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.data.line_starts.len()
    }

    /// Byte range of line `i` without its `\n` (empty past the end).
    fn line_range(&self, i: usize) -> Range<usize> {
        let text = &self.data.text;
        let Some(&start) = self.data.line_starts.get(i) else {
            return text.len()..text.len();
        };
        let end = self
            .data
            .line_starts
            .get(i + 1)
            .map_or(text.len(), |&e| e as usize)
            .min(text.len());
        let start = (start as usize).min(end);
        let trimmed = text
            .get(start..end)
            .map_or(0, |l| l.strip_suffix('\n').map_or(l.len(), str::len));
        start..start + trimmed
    }

    /// Line `i` without its newline (`""` past the end or on a bad index).
    pub fn line(&self, i: usize) -> &str {
        self.data.text.get(self.line_range(i)).unwrap_or("")
    }

    /// Line `i` cut at its links.
    pub fn line_spans(&self, i: usize) -> Vec<LineSpan<'_>> {
        let range = self.line_range(i);
        let text = &self.data.text;
        let links = &self.data.links;
        let first = links.partition_point(|l| (l[0] as usize) < range.start);
        let mut out = Vec::new();
        let mut pos = range.start;
        for l in &links[first..] {
            let (s, e) = (l[0] as usize, l[1] as usize);
            if s >= range.end {
                break;
            }
            if s < pos || e > range.end {
                continue;
            }
            let (Some(before), Some(link)) = (text.get(pos..s), text.get(s..e)) else {
                continue;
            };
            if !before.is_empty() {
                out.push(LineSpan {
                    text: before,
                    link: None,
                });
            }
            out.push(LineSpan {
                text: link,
                link: Some(l[2]),
            });
            pos = e;
        }
        if let Some(rest) = text.get(pos..range.end) {
            if !rest.is_empty() {
                out.push(LineSpan {
                    text: rest,
                    link: None,
                });
            }
        }
        out
    }

    /// The line defining type `id`.
    pub fn anchor(&self, id: u32) -> Option<usize> {
        self.data
            .anchors
            .get(id as usize)
            .filter(|&&l| l != u32::MAX)
            .map(|&l| l as usize)
    }

    /// The parts it was built from.
    pub fn data(&self) -> &DocumentData {
        &self.data
    }

    /// The whole text (for copying and downloading).
    pub fn text(&self) -> &str {
        &self.data.text
    }

    /// Size of the text in bytes.
    pub fn text_len(&self) -> usize {
        self.data.text.len()
    }

    /// Its parts as blobs: text, line starts, links (flattened), anchors.
    pub fn into_blobs(self) -> Vec<Blob> {
        let DocumentData {
            text,
            line_starts,
            links,
            anchors,
        } = self.data;
        vec![
            Blob::Bytes(text.into_bytes()),
            Blob::Words(line_starts),
            Blob::Words(links.into_flattened()),
            Blob::Words(anchors),
        ]
    }

    /// A document from its blobs (missing ones are empty; a text that is not UTF-8 is
    /// repaired rather than refused).
    pub fn from_blobs(blobs: Vec<Blob>) -> Document {
        let mut it = blobs.into_iter();
        let text = it.next().map(Blob::into_bytes).unwrap_or_default();
        let text = String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let line_starts = it.next().map(Blob::into_words).unwrap_or_default();
        let flat = it.next().map(Blob::into_words).unwrap_or_default();
        let anchors = it.next().map(Blob::into_words).unwrap_or_default();
        Document::new(DocumentData {
            text,
            line_starts,
            links: flat.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect(),
            anchors,
        })
    }
}

/// Which rows to put in the DOM: those visible at `scroll_top` plus `overscan` on each side.
pub fn window(
    lines: usize,
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    overscan: usize,
) -> Range<usize> {
    if lines == 0 || row_height <= 0.0 {
        return 0..0;
    }
    let first = (scroll_top.max(0.0) / row_height).floor() as usize;
    let visible = (viewport.max(0.0) / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(overscan).min(lines);
    let end = (first + visible + overscan).min(lines);
    start..end
}

#[cfg(test)]
mod tests;
