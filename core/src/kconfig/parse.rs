//! Kconfig line parsing and value storage (libbpf `bpf_object__process_kconfig_line`,
//! `set_kcfg_value_*`), and kernel release parsing (`get_kernel_version`).

use super::{err, KcfgType, KconfigError, KconfigLayout, KconfigVar};
use crate::libbpf::Libbpf;

/// `KERNEL_VERSION(a, b, c)` = `(a << 16) + (b << 8) + min(c, 255)` (bpf_helpers.h).
pub fn kernel_version(a: u32, b: u32, c: u32) -> u32 {
    (a << 16) + (b << 8) + c.min(255)
}

/// Parses the `X.Y.Z` at the start of a kernel release (`6.18.44-fc-v657` → 6.18.44) and
/// encodes it as `LINUX_KERNEL_VERSION`; `None` with fewer than three numbers.
pub fn parse_release(release: &str) -> Option<u32> {
    let mut nums = [0u32; 3];
    let mut rest = release;
    for (i, n) in nums.iter_mut().enumerate() {
        if i > 0 {
            rest = rest.strip_prefix('.')?;
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        *n = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
    }
    Some(kernel_version(nums[0], nums[1], nums[2]))
}

/// Stores `value` in `v`'s bytes (little-endian), with libbpf's range check.
pub(super) fn set_int(v: &KconfigVar, image: &mut [u8], value: u64) -> Result<(), String> {
    let bits = 8 * v.size.min(8);
    let signed = matches!(
        v.ty,
        KcfgType::Int { signed: true } | KcfgType::Char { signed: true }
    );
    let fits = if bits == 64 {
        true
    } else if signed {
        value.wrapping_add(1u64 << (bits - 1)) < (1u64 << bits)
    } else {
        value >> bits == 0
    };
    if !fits {
        return Err(format!(
            "extern (kcfg) '{}': value '{value}' doesn't fit in {} bytes",
            v.name, v.size
        ));
    }
    let start = v.offset as usize;
    for (i, b) in image[start..start + v.size.min(8) as usize]
        .iter_mut()
        .enumerate()
    {
        *b = (value >> (8 * i)) as u8;
    }
    Ok(())
}

/// Why `strtoull` did not give a whole value.
enum NotInteger {
    /// `errno = ERANGE`: the digits do not fit 64 bits.
    Overflow,
    /// Characters left after the number (or no digits at all).
    Incomplete,
}

/// C `strtoull(s, &end, 0)` that must consume all of `s`: decimal, `0x` hex, leading-0 octal,
/// optional sign (a minus wraps). Overflow is reported before trailing characters, as
/// libbpf's `parse_u64` checks `errno` first.
fn strtoull_all(s: &str) -> Result<u64, NotInteger> {
    let digits_ok = |d: &str, radix: u32| d.bytes().all(|c| (c as char).is_digit(radix));
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    let end = digits
        .bytes()
        .position(|c| !(c as char).is_digit(radix))
        .unwrap_or(digits.len());
    if end == 0 {
        return Err(NotInteger::Incomplete);
    }
    let v = u64::from_str_radix(&digits[..end], radix).map_err(|_| NotInteger::Overflow)?;
    if !digits_ok(digits, radix) {
        return Err(NotInteger::Incomplete);
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// Applies one Kconfig line as libbpf release `libbpf` does; an error fails the load.
pub(super) fn apply_line(
    libbpf: Libbpf,
    layout: &KconfigLayout,
    image: &mut [u8],
    set: &mut [bool],
    log: &mut Vec<String>,
    line: &str,
) -> Result<(), KconfigError> {
    if !line.starts_with("CONFIG_") {
        return Ok(());
    }
    let line = line.strip_suffix('\n').unwrap_or(line);
    let fail = |log: &mut Vec<String>, msg: String, name: &str, errno: i32| -> KconfigError {
        log.push(msg.clone());
        log.push(format!(
            "error parsing in-memory Kconfig line '{name}': {}",
            libbpf.errno_text(errno)
        ));
        err(msg, errno)
    };
    let Some((name, value)) = line.split_once('=') else {
        return Err(fail(
            log,
            format!("failed to parse '{line}': no separator"),
            line,
            -22,
        ));
    };
    if value.is_empty() {
        return Err(fail(
            log,
            format!("failed to parse '{name}': no value"),
            name,
            -22,
        ));
    }
    let Some(i) = layout.vars.iter().position(|v| v.name == name) else {
        return Ok(());
    };
    if set[i] {
        return Ok(());
    }
    let v = &layout.vars[i];
    let first = value.as_bytes()[0];
    let result: Result<(), (String, i32)> = match first {
        b'y' | b'n' | b'm' => {
            let c = first as char;
            match v.ty {
                KcfgType::Bool if c == 'm' => Err((
                    format!("extern (kcfg) '{name}': value '{c}' implies tristate or char type"),
                    -22,
                )),
                KcfgType::Bool | KcfgType::Tristate => {
                    image[v.offset as usize] = match c {
                        'y' => 1,
                        'm' => 2,
                        _ => 0,
                    };
                    Ok(())
                }
                KcfgType::Char { .. } => {
                    image[v.offset as usize] = first;
                    Ok(())
                }
                _ => Err((
                    format!(
                        "extern (kcfg) '{name}': value '{c}' implies bool, tristate, or char type"
                    ),
                    -22,
                )),
            }
        }
        b'"' => {
            if v.ty != KcfgType::CharArray {
                Err((
                    format!("extern (kcfg) '{name}': value '{value}' implies char array type"),
                    -22,
                ))
            } else if value.len() < 2 || !value.ends_with('"') {
                Err((
                    format!("extern (kcfg) '{name}': invalid string config '{value}'"),
                    -22,
                ))
            } else {
                let s = &value.as_bytes()[1..value.len() - 1];
                let max = v.size as usize - 1;
                let keep = if s.len() > max {
                    log.push(format!(
                        "extern (kcfg) '{name}': long string '{value}' of ({} bytes) truncated to {max} bytes",
                        s.len()
                    ));
                    &s[..max]
                } else {
                    s
                };
                let start = v.offset as usize;
                image[start..start + keep.len()].copy_from_slice(keep);
                image[start + keep.len()] = 0;
                Ok(())
            }
        }
        _ => match strtoull_all(value) {
            Err(why) => {
                let errno = match why {
                    NotInteger::Incomplete => {
                        log.push(format!("failed to parse '{value}' as integer completely"));
                        -22
                    }
                    NotInteger::Overflow if libbpf.features().errno_names => {
                        log.push(format!("failed to parse '{value}': -ERANGE"));
                        -34
                    }
                    NotInteger::Overflow => {
                        log.push(format!("failed to parse '{value}' as integer: -34"));
                        -34
                    }
                };
                Err((
                    format!("extern (kcfg) '{name}': value '{value}' isn't a valid integer"),
                    errno,
                ))
            }
            Ok(_) if !matches!(v.ty, KcfgType::Int { .. } | KcfgType::Char { .. }) => Err((
                format!("extern (kcfg) '{name}': value '{value}' implies integer type"),
                -22,
            )),
            Ok(n) => set_int(v, image, n).map_err(|m| (m, -34)),
        },
    };
    match result {
        Ok(()) => {
            set[i] = true;
            log.push(format!("extern (kcfg) '{name}': set to {value}"));
            Ok(())
        }
        Err((msg, errno)) => Err(fail(log, msg, name, errno)),
    }
}
