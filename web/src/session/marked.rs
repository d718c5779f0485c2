//! Text the engine marked (the header, the raw listing) as the playground shows it: a
//! document's line index, links and anchors, or one type's lines as linked spans. The marks
//! say which bytes define a type and which refer to one: nothing is read back from the text.

use corelab::header::{Mark, MarkedSpan, MarkedText};

use crate::dto::{DocumentData, Span};

/// Lines, links and anchors of marked text. A type's anchor is the first line of its full
/// definition (forward declarations only when nothing defines it).
pub(crate) fn document(text: String, spans: &[MarkedSpan], type_cnt: u32) -> DocumentData {
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
    for s in spans {
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

/// Each line of `m` (without its newline) as spans, references as links.
pub(crate) fn line_spans(m: &MarkedText) -> Vec<Vec<Span>> {
    let mut refs = m.spans.iter().filter_map(|s| match s.mark {
        Mark::Reference(id) => Some((s.start, s.end, id.0)),
        Mark::Definition { .. } => None,
    });
    let mut next = refs.next();
    let mut lines = Vec::new();
    let mut start = 0;
    for line in m.text.split_inclusive('\n') {
        let end = start + line.trim_end_matches('\n').len();
        let mut spans = Vec::new();
        let mut at = start;
        while let Some((s, e, id)) = next.filter(|&(s, _, _)| s < end) {
            if s >= at && e <= end {
                if s > at {
                    spans.push(Span::plain(&m.text[at..s]));
                }
                spans.push(Span::link(&m.text[s..e], id));
                at = e;
            }
            next = refs.next();
        }
        if at < end {
            spans.push(Span::plain(&m.text[at..end]));
        }
        lines.push(spans);
        start += line.len();
    }
    lines
}
