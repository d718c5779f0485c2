use super::*;

fn doc() -> Document {
    // Links: "12" on line 0, "7" on line 1.
    let text = "[3] PTR '(anon)' type_id=12\n\t'x' type_id=7 bits_offset=0\nlast\n".to_owned();
    let a = text.find("12").unwrap() as u32;
    let b = text.find("=7").unwrap() as u32 + 1;
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
    line_starts.pop();
    Document::new(DocumentData {
        line_starts,
        links: vec![[a, a + 2, 12], [b, b + 1, 7]],
        anchors: vec![u32::MAX, u32::MAX, u32::MAX, 0],
        text,
    })
}

#[test]
fn lines_and_links() {
    let d = doc();
    assert_eq!(d.line_count(), 3);
    assert_eq!(d.line(0), "[3] PTR '(anon)' type_id=12");
    assert_eq!(d.line(2), "last");
    assert_eq!(d.line(3), "");
    let spans = d.line_spans(0);
    assert_eq!(
        spans,
        [
            LineSpan {
                text: "[3] PTR '(anon)' type_id=",
                link: None
            },
            LineSpan {
                text: "12",
                link: Some(12)
            },
        ]
    );
    let spans = d.line_spans(1);
    assert_eq!(spans.len(), 3);
    assert_eq!((spans[1].text, spans[1].link), ("7", Some(7)));
    assert_eq!(spans[2].text, " bits_offset=0");
    assert_eq!(
        d.line_spans(2),
        [LineSpan {
            text: "last",
            link: None
        }]
    );
    assert_eq!(d.anchor(3), Some(0));
    assert_eq!(d.anchor(2), None);
    assert_eq!(d.anchor(99), None);
}

#[test]
fn bad_links_and_offsets_never_panic() {
    let d = Document::new(DocumentData {
        text: "ab\ncd\n".into(),
        line_starts: vec![0, 3, 99],
        links: vec![[1, 9, 1], [4, 5, 2], [5, 4, 3]],
        anchors: vec![],
    });
    assert_eq!(d.line(2), "");
    let spans = d.line_spans(1);
    let text: String = spans.iter().map(|s| s.text).collect();
    assert_eq!(text, "cd");
    assert!(d.line_spans(0).iter().all(|s| s.link.is_none()));
    let _ = d.line_spans(2);
}

#[test]
fn window_covers_the_viewport_plus_overscan() {
    assert_eq!(window(0, 0.0, 500.0, 18.0, 10), 0..0);
    assert_eq!(window(1000, 0.0, 180.0, 18.0, 5), 0..16);
    assert_eq!(window(1000, 1800.0, 180.0, 18.0, 5), 95..116);
    assert_eq!(window(1000, 1e9, 180.0, 18.0, 5), 1000..1000);
    assert_eq!(window(100, 17.9 * 18.0 * 100.0, 180.0, 18.0, 5), 100..100);
    let r = window(296_139, 296_000.0 * 18.0, 900.0, 18.0, 12);
    assert!(r.len() <= 51 + 24 && r.end <= 296_139);
}
