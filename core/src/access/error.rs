//! Errors of an access question: where (a byte offset into the question's text) and what,
//! worded as clang words the same mistake where clang would reject it.

use std::fmt;

/// Something in the question clang would not compile, or that names what the kernel lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessError {
    /// Byte offset into the question's text.
    pub offset: usize,
    /// What is wrong, on one line.
    pub message: String,
}

impl AccessError {
    /// An error at byte `offset`.
    pub fn at(offset: usize, message: impl Into<String>) -> Self {
        AccessError {
            offset,
            message: message.into(),
        }
    }

    /// The 1-based line and column (in characters) of the error in `src`.
    pub fn line_col(&self, src: &str) -> (usize, usize) {
        let mut off = self.offset.min(src.len());
        while !src.is_char_boundary(off) {
            off -= 1;
        }
        let before = &src[..off];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// `column N: message` (or `line L, column N: message` for a text of several lines).
    pub fn describe(&self, src: &str) -> String {
        let (line, col) = self.line_col(src);
        if src.contains('\n') {
            format!("line {line}, column {col}: {}", self.message)
        } else {
            format!("column {col}: {}", self.message)
        }
    }
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "offset {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for AccessError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let e = AccessError::at(5, "x");
        assert_eq!(e.describe("t->pü"), "column 5: x");
        assert_eq!(
            AccessError::at(6, "y").describe("ab;\ncde"),
            "line 2, column 3: y"
        );
    }
}
