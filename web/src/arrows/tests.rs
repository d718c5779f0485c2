use super::*;

fn j(from: usize, to: usize) -> Jump {
    Jump { from, to }
}

#[test]
fn disjoint_jumps_share_a_lane() {
    let (a, n) = assign(&[j(0, 3), j(5, 8), j(10, 2)], 8);
    // 10→2 overlaps both others: a second lane.
    assert_eq!(a.iter().map(|a| a.lane).collect::<Vec<_>>(), [0, 0, 1]);
    assert_eq!(n, 2);
}

#[test]
fn nested_jumps_go_outward() {
    let (a, n) = assign(&[j(0, 10), j(2, 4), j(1, 6)], 8);
    assert_eq!(a.iter().map(|a| a.lane).collect::<Vec<_>>(), [2, 0, 1]);
    assert_eq!(n, 3);
}

#[test]
fn no_two_overlapping_jumps_share_a_lane_below_the_cap() {
    let jumps: Vec<Jump> = (0..60).map(|i| j(i * 3 % 50, (i * 7 + 5) % 53)).collect();
    let (a, n) = assign(&jumps, 64);
    assert!(n <= 64);
    for x in &a {
        for y in &a {
            if std::ptr::eq(x, y) || x.lane != y.lane {
                continue;
            }
            let (a0, a1) = x.jump.span();
            let (b0, b1) = y.jump.span();
            assert!(
                a1 < b0 || b1 < a0,
                "{x:?} and {y:?} overlap in lane {}",
                x.lane
            );
        }
    }
}

#[test]
fn lanes_are_capped() {
    let jumps: Vec<Jump> = (0..20).map(|i| j(i, 100 + i)).collect();
    let (a, n) = assign(&jumps, 4);
    assert_eq!(n, 4);
    assert!(a.iter().all(|a| a.lane < 4));
    assert_eq!(assign(&[], 4), (Vec::new(), 0));
}
