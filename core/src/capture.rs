//! The `.hex` capture format: how captured device buffers travel through the tests, the
//! fixtures and the CLI.
//!
//! ASCII hex bytes separated by whitespace or commas; `#` starts a comment that runs to the
//! end of the line (the format of sg3_utils' `inhex/` folder, which `sg_vpd --inhex` and
//! friends read). As sg3_utils accepts, a byte may be one digit (`b` is 0x0b); a byte may
//! also carry a `0x` prefix, and a token may be a run of pairs without separators
//! (`00b0003c`), since both appear in hand-made captures.
//!
//! Parsing writes into a caller-provided buffer, so the core stays allocation-free.

/// Why a `.hex` text could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// A character that is not a hex digit, whitespace or part of a comment, at this line
    /// (1-based) and column (1-based, in bytes).
    #[error("line {line}, column {column}: not a hex digit")]
    BadCharacter {
        /// 1-based line number.
        line: usize,
        /// 1-based byte column.
        column: usize,
    },
    /// A token of three or more hex digits that is not a whole number of pairs.
    #[error("line {line}: odd number of hex digits in a byte run")]
    OddDigits {
        /// 1-based line number of the token.
        line: usize,
    },
    /// The text holds more bytes than the output buffer can take.
    #[error("more than {capacity} bytes of data")]
    TooLong {
        /// Size of the output buffer.
        capacity: usize,
    },
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Parses `.hex` text into `out` and returns how many bytes were written.
///
/// # Errors
/// [`HexError`] names the first line that is not valid; nothing after it is parsed.
pub fn parse_hex(text: &[u8], out: &mut [u8]) -> Result<usize, HexError> {
    let capacity = out.len();
    let mut written = 0usize;
    for (line_index, line) in text.split(|&c| c == b'\n').enumerate() {
        let line_no = line_index + 1;
        let content = match line.iter().position(|&c| c == b'#') {
            Some(hash) => &line[..hash],
            None => line,
        };
        let mut column = 0usize;
        for token in content.split(|c: &u8| c.is_ascii_whitespace() || *c == b',') {
            let token_column = column;
            column += token.len() + 1;
            if token.is_empty() {
                continue;
            }
            let digits = match token {
                [b'0', b'x' | b'X', rest @ ..] => rest,
                _ => token,
            };
            if let Some(bad) = digits.iter().position(|&c| hex_value(c).is_none()) {
                let offset = token.len() - digits.len() + bad;
                return Err(HexError::BadCharacter {
                    line: line_no,
                    column: token_column + offset + 1,
                });
            }
            if digits.is_empty() || (digits.len() > 1 && digits.len() % 2 != 0) {
                return Err(HexError::OddDigits { line: line_no });
            }
            for pair in digits.rchunks(2).rev() {
                let byte = pair.iter().try_fold(0u8, |acc, &c| Some(acc << 4 | hex_value(c)?));
                let Some(byte) = byte else {
                    return Err(HexError::BadCharacter { line: line_no, column: token_column + 1 });
                };
                let slot = out.get_mut(written).ok_or(HexError::TooLong { capacity })?;
                *slot = byte;
                written += 1;
            }
        }
    }
    Ok(written)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn parses_comments_prefixes_and_runs() {
        let text = b"# header\n00 b0 0x00 3c # trailing\n\n  0102\r\n";
        let mut out = [0u8; 8];
        let n = parse_hex(text, &mut out).unwrap();
        assert_eq!(&out[..n], &[0x00, 0xb0, 0x00, 0x3c, 0x01, 0x02]);
    }

    #[test]
    fn reports_bad_character_position() {
        let mut out = [0u8; 8];
        assert_eq!(
            parse_hex(b"00 01\n02 zz", &mut out),
            Err(HexError::BadCharacter { line: 2, column: 4 })
        );
    }

    #[test]
    fn accepts_sg3_utils_commas_and_single_digits() {
        let mut out = [0u8; 8];
        let n = parse_hex(b"72,0,b  38\nff,", &mut out).unwrap();
        assert_eq!(&out[..n], &[0x72, 0x00, 0x0b, 0x38, 0xff]);
    }

    #[test]
    fn reports_odd_digits_and_overflow() {
        let mut out = [0u8; 2];
        assert_eq!(parse_hex(b"012", &mut out), Err(HexError::OddDigits { line: 1 }));
        assert_eq!(parse_hex(b"0x", &mut out), Err(HexError::OddDigits { line: 1 }));
        assert_eq!(parse_hex(b"00 01 02", &mut out), Err(HexError::TooLong { capacity: 2 }));
    }
}
