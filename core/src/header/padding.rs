//! Explicit padding between members: libbpf's `btf_dump_emit_bit_padding` (spec §4.3).
//!
//! A gap from bit `cur` to bit `next` is written as anonymous bitfields (`long: 64;`). The
//! rule, in order:
//! 1. Take the first unit of `long` (8 × pointer size bits), `int`, `short`, `char` for which
//!    rounding `cur` up to the unit stays within the gap (else `char`).
//! 2. If rounding moves `cur`, print an alignment marker `T: 0;` (`T: n` inside a bitfield run)
//!    when the compiler would not get there by itself: inside a bitfield run, when the next
//!    member's own alignment would not land it on `next`, or when the rest of the gap is no
//!    larger than the rounding step.
//! 3. Fill whole units, then one smallest unit that holds the remainder.
//!
//! Offsets are C `int`s in libbpf: callers pass them truncated the same way; the arithmetic
//! here is done in 64 bits so no input can overflow.

/// The padding units, widest first, for pointer size `ptr_size` (bytes).
fn units(ptr_size: u32) -> [(&'static str, i64); 4] {
    [
        ("long", i64::from(ptr_size) * 8),
        ("int", 32),
        ("short", 16),
        ("char", 8),
    ]
}

fn roundup(x: i64, y: i64) -> i64 {
    // C's `(x + y - 1) / y * y` with truncating division, as libbpf's `roundup` macro.
    (x + (y - 1)) / y * y
}

/// Calls `line(unit, bits)` for each padding line filling bits `cur..next`.
///
/// `next_align` is the alignment (bytes) of the member at `next`; libbpf would divide by zero
/// when it is 0 (a member of a kind without alignment), so 0 counts as 1 here.
pub(super) fn padding(
    cur: i32,
    next: i32,
    next_align: i32,
    in_bitfield: bool,
    ptr_size: u32,
    mut line: impl FnMut(&'static str, i64),
) {
    let (mut cur, next) = (i64::from(cur), i64::from(next));
    if cur >= next {
        return;
    }
    let next_align = i64::from(next_align.max(1));
    let units = units(ptr_size);
    let (mut unit, mut unit_bits, mut new) = ("char", 8, 0);
    for &(name, bits) in &units {
        (unit, unit_bits) = (name, bits);
        new = roundup(cur, bits);
        if new <= next {
            break;
        }
    }
    if new > cur && new <= next {
        if in_bitfield
            || (new == next && roundup(cur, next_align * 8) != new)
            || (new != next && next - new <= new - cur)
        {
            line(unit, if in_bitfield { new - cur } else { 0 });
        }
        cur = new;
    }
    while cur < next {
        let bits = (next - cur).min(unit_bits);
        if bits == unit_bits {
            line(unit, bits);
            cur += bits;
            continue;
        }
        // The remainder: the smallest unit that holds it.
        let &(name, _) = units
            .iter()
            .rev()
            .find(|&&(_, b)| b >= bits)
            .unwrap_or(&units[0]);
        line(name, bits);
        cur += bits;
    }
}
