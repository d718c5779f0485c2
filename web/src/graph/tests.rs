use super::*;

fn nodes(k: usize) -> Vec<Node> {
    vec![
        Node {
            lines: 2,
            chars: 20
        };
        k
    ]
}

fn overlap(a: &Rect, b: &Rect) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

#[test]
fn a_diamond_has_three_rows_and_two_blocks_side_by_side() {
    // 0 → 1, 0 → 2, 1 → 3, 2 → 3
    let l = layout(
        &nodes(4),
        &[(0, 1), (0, 2), (1, 3), (2, 3)],
        &Metrics::default(),
    );
    assert_eq!(l.ranks, [0, 1, 1, 2]);
    assert_eq!(l.nodes[1].y, l.nodes[2].y);
    assert!(
        l.nodes[1].x + l.nodes[1].w <= l.nodes[2].x,
        "side by side, no overlap"
    );
    assert!(l.nodes[3].y > l.nodes[1].y + l.nodes[1].h);
    assert_eq!(l.edges.len(), 4);
    assert!(l.edges.iter().all(|e| !e.back && e.d.starts_with('M')));
}

#[test]
fn a_chain_stays_one_column() {
    let l = layout(&nodes(3), &[(0, 1), (1, 2)], &Metrics::default());
    assert_eq!(l.ranks, [0, 1, 2]);
    assert_eq!(l.nodes[0].x, l.nodes[1].x);
    assert_eq!(l.nodes[1].x, l.nodes[2].x);
}

#[test]
fn a_loop_edge_goes_around_the_right() {
    let l = layout(&nodes(3), &[(0, 1), (1, 2), (2, 1)], &Metrics::default());
    let back = &l.edges[2];
    assert!(back.back);
    assert!(l.width > l.nodes.iter().map(|r| r.x + r.w).fold(0.0, f64::max));
}

#[test]
fn blocks_nobody_reaches_forward_start_new_rows() {
    // 0 → 2; 1 has no predecessor (code after a poisoned call); 3 is a subprogram entry.
    let l = layout(&nodes(4), &[(0, 2)], &Metrics::default());
    assert_eq!(l.ranks, [0, 1, 1, 2]);
}

#[test]
fn nothing_overlaps_in_a_random_graph() {
    let n = 40;
    let mut edges = Vec::new();
    for i in 0..n {
        edges.push((i, (i + 1) % n));
        edges.push((i, (i * 7 + 3) % n));
    }
    edges.push((5, 500)); // out of range: ignored
    let ns: Vec<Node> = (0..n)
        .map(|i| Node {
            lines: 1 + i % 5,
            chars: 10 + i * 3,
        })
        .collect();
    let l = layout(&ns, &edges, &Metrics::default());
    assert_eq!(l.edges.len(), edges.len() - 1);
    for a in 0..n {
        for b in a + 1..n {
            assert!(!overlap(&l.nodes[a], &l.nodes[b]), "{a} and {b} overlap");
        }
        assert!(l.nodes[a].x + l.nodes[a].w <= l.width);
        assert!(l.nodes[a].y + l.nodes[a].h <= l.height);
    }
    assert_eq!(layout(&[], &[], &Metrics::default()).height, 0.0);
}
