//! Numbers the page prints with a fixed number of decimals: SVG coordinates, milliseconds,
//! megabytes.
//!
//! Formatted through integers: `{:.1}` pulls Rust's float formatting (Grisu/Dragon, ~11 KB
//! of wasm, ~4.4 KB gzip'd) into the app, which only ever needs a few digits.

use std::fmt;

/// `value` with `places` decimals (at most 6), rounded half away from zero. Out-of-range and
/// NaN values print as the nearest representable number (NaN as 0): they are coordinates and
/// timings, never data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fixed {
    value: f64,
    places: u8,
}

/// `value` with `places` decimals: `fixed(2.25, 1)` prints `2.3`.
pub fn fixed(value: f64, places: u8) -> Fixed {
    Fixed {
        value,
        places: places.min(6),
    }
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = 10u64.pow(u32::from(self.places));
        // `as` saturates and maps NaN to 0, which is what the page wants for a coordinate.
        let scaled = (self.value * scale as f64).round() as i64;
        if scaled < 0 {
            f.write_str("-")?;
        }
        let n = scaled.unsigned_abs();
        write!(f, "{}", n / scale)?;
        if self.places > 0 {
            let width = usize::from(self.places);
            write!(f, ".{:0width$}", n % scale)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_the_format_spec() {
        assert_eq!(fixed(2.25, 1).to_string(), "2.3");
        assert_eq!(fixed(-2.25, 1).to_string(), "-2.3");
        assert_eq!(fixed(0.04, 1).to_string(), "0.0");
        assert_eq!(fixed(-0.04, 1).to_string(), "0.0");
        assert_eq!(fixed(12.0, 0).to_string(), "12");
        assert_eq!(fixed(0.5, 3).to_string(), "0.500");
        assert_eq!(fixed(1234.56789, 2).to_string(), "1234.57");
        assert_eq!(fixed(f64::NAN, 1).to_string(), "0.0");
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Within a rounding step of Rust's own `{:.N}` (which rounds half to even on the
        /// exact binary value), and the same text whenever the value is not near a tie.
        #[test]
        fn agrees_with_std_away_from_ties(v in -1e6f64..1e6, places in 0u8..4) {
            use proptest::prelude::*;
            let scale = 10f64.powi(i32::from(places));
            let frac = (v.abs() * scale).fract();
            prop_assume!((frac - 0.5).abs() > 1e-6);
            let std = format!("{:.*}", usize::from(places), v);
            // Rust prints -0.0 for small negatives; the page does not need the sign.
            let std = if std.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
                std.trim_start_matches('-').to_owned()
            } else {
                std
            };
            prop_assert_eq!(fixed(v, places).to_string(), std);
        }
    }
}
