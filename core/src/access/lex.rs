//! Tokens of the BPF C subset an access question is written in.
//!
//! Identifiers, decimal/hex/octal integer literals (with C's `u`/`l` suffixes), punctuators,
//! and comments (skipped). Every token keeps its byte range, so an error names the column.
//! Strings and character literals are not part of the subset.

use super::error::AccessError;

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword.
    Ident(String),
    /// An integer literal's value.
    Int(u64),
    /// A punctuator (`->`, `.`, `[`, `(`, `*`, `&&`, …).
    Punct(&'static str),
    /// The end of the input.
    End,
}

/// A token and where it is: `start..end` byte offsets in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// Longest first, so `->` wins over `-` and `<<=` over `<<`.
const PUNCTS: [&str; 47] = [
    "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=",
    "-=", "*=", "/=", "%=", "&=", "|=", "^=", "##", "[", "]", "(", ")", "{", "}", ".", "&", "*",
    "+", "-", "~", "!", "/", "%", "<", ">", "^", "|", "?", ":", ";", ",", "=",
];

/// More tokens than any question needs; a bound on work for hostile input.
pub const MAX_TOKENS: usize = 100_000;

/// Splits `src` into tokens, ending with [`Tok::End`].
pub fn lex(src: &str) -> Result<Vec<Token>, AccessError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let Some(end) = src[i + 2..].find("*/") else {
                return Err(AccessError::at(i, "unterminated /* comment"));
            };
            i += 2 + end + 2;
            continue;
        }
        if out.len() >= MAX_TOKENS {
            return Err(AccessError::at(i, "input too long"));
        }
        let start = i;
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(src[start..i].to_owned()),
                start,
                end: i,
            });
            continue;
        }
        if c.is_ascii_digit() {
            let (value, len) = int_literal(&src[start..])
                .ok_or_else(|| AccessError::at(start, "invalid integer literal"))?;
            i += len;
            out.push(Token {
                tok: Tok::Int(value),
                start,
                end: i,
            });
            continue;
        }
        let Some(p) = PUNCTS.iter().find(|p| src[i..].starts_with(**p)) else {
            let ch = src[i..].chars().next().unwrap_or('?');
            let what = match ch {
                '"' => "string literals are not supported".to_owned(),
                '\'' => "character literals are not supported".to_owned(),
                '#' => "preprocessor directives are not supported".to_owned(),
                _ => format!("unexpected character '{}'", ch.escape_default()),
            };
            return Err(AccessError::at(i, what));
        };
        i += p.len();
        out.push(Token {
            tok: Tok::Punct(p),
            start,
            end: i,
        });
    }
    out.push(Token {
        tok: Tok::End,
        start: b.len(),
        end: b.len(),
    });
    Ok(out)
}

/// A C integer literal at the start of `s`: its value and length, suffixes included.
fn int_literal(s: &str) -> Option<(u64, usize)> {
    let b = s.as_bytes();
    let (radix, skip) = if s.starts_with("0x") || s.starts_with("0X") {
        (16, 2)
    } else if b.len() > 1 && b[0] == b'0' && b[1].is_ascii_digit() {
        (8, 1)
    } else {
        (10, 0)
    };
    let mut end = skip;
    while end < b.len() && (b[end] as char).is_digit(radix) {
        end += 1;
    }
    if end == skip && radix != 8 {
        return None;
    }
    let digits = &s[skip..end];
    let value = if digits.is_empty() {
        0
    } else {
        u64::from_str_radix(digits, radix).ok()?
    };
    // u, l, ul, ll, ull in any case and order C allows.
    while end < b.len() && matches!(b[end], b'u' | b'U' | b'l' | b'L') {
        end += 1;
    }
    if end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
        return None;
    }
    Some((value, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn arrows_numbers_comments() {
        assert_eq!(
            toks("t->comm[0x10] /* c */ // d\n + 7ul"),
            vec![
                Tok::Ident("t".into()),
                Tok::Punct("->"),
                Tok::Ident("comm".into()),
                Tok::Punct("["),
                Tok::Int(16),
                Tok::Punct("]"),
                Tok::Punct("+"),
                Tok::Int(7),
                Tok::End
            ]
        );
        assert_eq!(toks("010"), vec![Tok::Int(8), Tok::End]);
        assert_eq!(toks("0"), vec![Tok::Int(0), Tok::End]);
    }

    #[test]
    fn errors_name_the_offset() {
        let e = lex("a->\"x\"").unwrap_err();
        assert_eq!(e.offset, 3);
        assert!(lex("12abc").is_err());
        assert!(lex("/* open").is_err());
        assert!(lex("99999999999999999999999").is_err());
    }
}
