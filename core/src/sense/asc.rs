//! The T10 ADDITIONAL SENSE CODE / ADDITIONAL SENSE CODE QUALIFIER assignments and their
//! standard text (SPC-5 §4.4.3 "Sense key and additional sense code definitions", table
//! "ASC and ASCQ assignments"; the list itself is T10's `asc-num.txt`).
//!
//! The table lives in `asc_table` (sense/asc_table.rs), generated from
//! `tests/fixtures/t10/asc-ascq.tsv` by `core/tests/asc_table_drift.rs` (run it with
//! `SBC_REGENERATE=1` to rewrite the file; without it the test fails on any drift). Lookup
//! is a binary search over the sorted exact codes, then a scan of the six ranges.
//!
//! SPC-5 reserves ASC 80h..FFh and, for every ASC, ASCQ 80h..FFh for vendor-specific use;
//! [`describe`] reports those as such instead of as unknown.

use core::fmt;

use super::asc_table::{CODES, RANGES};

/// What the T10 list says about one ASC/ASCQ pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AscText {
    /// An exact assignment with its standard text.
    Known(&'static str),
    /// The pair falls in one of T10's ranges ("Diagnostic failure on component [0x%x]");
    /// `Display` fills `%x` with the ascq in hex, as T10 and sg3_utils print it. Also the
    /// answer for an exact row that only names the range's placeholder (see [`describe`]).
    Range {
        /// The range's text with its `%x` placeholder.
        text: &'static str,
        /// The qualifier that fills the placeholder.
        ascq: u8,
    },
    /// ASC 80h..FFh: vendor specific (SPC-5 §4.4.3: "ASC 80h to FFh ... vendor specific").
    VendorSpecificAsc {
        /// The additional sense code.
        asc: u8,
        /// The additional sense code qualifier.
        ascq: u8,
    },
    /// ASC below 80h with ASCQ 80h..FFh and no assignment: a vendor-specific qualification
    /// of a standard ASC.
    VendorSpecificAscq {
        /// The additional sense code.
        asc: u8,
        /// The additional sense code qualifier.
        ascq: u8,
    },
    /// A pair T10 has not assigned (as of the list's date) or reserved.
    Unknown {
        /// The additional sense code.
        asc: u8,
        /// The additional sense code qualifier.
        ascq: u8,
    },
}

impl AscText {
    /// The standard text for an exact or range assignment (ranges with the `%x` still in),
    /// or `None` for vendor-specific and unknown pairs.
    pub fn text(&self) -> Option<&'static str> {
        match *self {
            AscText::Known(t) | AscText::Range { text: t, .. } => Some(t),
            _ => None,
        }
    }

    /// Whether T10's list assigns the pair (exactly or through a range).
    pub fn is_assigned(&self) -> bool {
        self.text().is_some()
    }
}

/// Where a rendering goes: a `fmt::Formatter` ([`Display`](fmt::Display)) or a byte
/// buffer ([`AscText::write_to`]). The layout is written once, in [`AscText::render`].
trait Out {
    /// Appends ASCII text.
    fn text(&mut self, s: &str) -> fmt::Result;

    /// Appends `v` in lower-case hex: two digits, or one for `v < 0x10` unless `two`.
    fn hex(&mut self, v: u8, two: bool) -> fmt::Result {
        let digits = [hex_digit(v >> 4), hex_digit(v)];
        let digits = if two || v > 0x0f { &digits[..] } else { digits.get(1..).unwrap_or(&[]) };
        self.text(core::str::from_utf8(digits).unwrap_or(""))
    }
}

impl Out for fmt::Formatter<'_> {
    fn text(&mut self, s: &str) -> fmt::Result {
        self.write_str(s)
    }
}

/// A byte buffer that keeps what fits and drops the rest.
struct Bytes<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl Out for Bytes<'_> {
    fn text(&mut self, s: &str) -> fmt::Result {
        let rest = self.out.get_mut(self.len..).unwrap_or(&mut []);
        let n = s.len().min(rest.len());
        if let (Some(dst), Some(src)) = (rest.get_mut(..n), s.as_bytes().get(..n)) {
            dst.copy_from_slice(src);
        }
        self.len = self.len.saturating_add(n); // n <= rest.len(): len stays <= out.len()
        Ok(())
    }
}

/// The lower-case hex digit of `n & 0x0f`.
fn hex_digit(n: u8) -> u8 {
    let n = n & 0x0f;
    if n < 10 {
        b'0' | n
    } else {
        b'a' + (n - 10)
    }
}

impl AscText {
    /// An upper bound on the length of any pair's rendering, in bytes (the longest is 64 in
    /// the 2024-11-28 list; a test checks every pair): a buffer this long never truncates
    /// [`AscText::write_to`].
    pub const MAX_LEN: usize = 128;

    /// The one definition of the text, for both sinks.
    fn render<O: Out>(&self, o: &mut O) -> fmt::Result {
        match *self {
            AscText::Known(t) => o.text(t),
            AscText::Range { text, ascq } => match text.split_once("%x") {
                Some((before, after)) => {
                    o.text(before)?;
                    o.hex(ascq, false)?;
                    o.text(after)
                }
                None => o.text(text),
            },
            AscText::VendorSpecificAsc { asc, ascq } => {
                o.text("vendor specific ASC=")?;
                o.hex(asc, true)?;
                o.text(", ASCQ=")?;
                o.hex(ascq, true)?;
                o.text(" (hex)")
            }
            AscText::VendorSpecificAscq { asc, ascq } => {
                o.text("ASC=")?;
                o.hex(asc, true)?;
                o.text(", vendor specific qualification ASCQ=")?;
                o.hex(ascq, true)?;
                o.text(" (hex)")
            }
            AscText::Unknown { asc, ascq } => {
                o.text("ASC=")?;
                o.hex(asc, true)?;
                o.text(", ASCQ=")?;
                o.hex(ascq, true)?;
                o.text(" (hex)")
            }
        }
    }

    /// Writes the same text as `Display` into `out` without `core::fmt`, and returns the
    /// number of bytes written. The text is ASCII; what does not fit is cut off (as
    /// `snprintf` does, without the NUL), so an `out` of [`AscText::MAX_LEN`] bytes always
    /// holds all of it.
    pub fn write_to(&self, out: &mut [u8]) -> usize {
        let mut bytes = Bytes { out, len: 0 };
        let _ = self.render(&mut bytes); // `Bytes` never fails
        bytes.len
    }
}

/// The standard text; vendor-specific and unknown pairs print the way sg3_utils prints them
/// (`vendor specific ASC=85, ASCQ=12 (hex)`, `ASC=24, vendor specific qualification
/// ASCQ=85 (hex)`, `ASC=7e, ASCQ=45 (hex)`), so logs read the same on both sides.
impl fmt::Display for AscText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.render(f)
    }
}

/// Which ASCs have a range in [`RANGES`]: the only ones where an exact row can give way.
static HAS_RANGE: [bool; 256] = {
    let mut m = [false; 256];
    let mut i = 0;
    while i < RANGES.len() {
        m[RANGES[i].0 as usize] = true;
        i += 1;
    }
    m
};

/// Looks up `asc`/`ascq`: an exact assignment first, then T10's ranges, then the
/// vendor-specific spaces, else [`AscText::Unknown`].
///
/// One exception to "exact first": T10's list has exact rows that only name a range's
/// placeholder, such as 4Dh/00h "Tagged overlapped commands (nn = queue tag)" and 70h/00h
/// "Decompression exception short algorithm id of nn", next to the ranges 4Dh/00h..FFh
/// and 70h/00h..FFh that cover them. When a range covers the pair and the exact row's text
/// has the word `nn`, the range wins and its text is printed with the value filled in,
/// as sg3_utils prints it ("Tagged overlapped commands \[0x0\]"). Rows that mention `nn`
/// with no range covering them (40h/00h "Ram failure (should use 40 nn)") stay exact.
pub fn describe(asc: u8, ascq: u8) -> AscText {
    let code = u16::from_be_bytes([asc, ascq]);
    let exact = match CODES.binary_search_by_key(&code, |&(c, _)| c) {
        Ok(i) => CODES.get(i).map(|&(_, text)| text),
        Err(_) => None,
    };
    let range = || {
        RANGES
            .iter()
            .find(|&&(r_asc, lo, hi, _)| r_asc == asc && (lo..=hi).contains(&ascq))
            .map(|&(_, _, _, text)| AscText::Range { text, ascq })
    };
    let has_range = HAS_RANGE.get(usize::from(asc)).copied().unwrap_or(false);
    match exact {
        // Five ASCs have ranges; only their exact rows pay for the range and word checks.
        Some(text) if has_range => match range() {
            Some(r) if names_placeholder(text) => r,
            _ => AscText::Known(text),
        },
        Some(text) => AscText::Known(text),
        None => (if has_range { range() } else { None }).unwrap_or(if asc >= 0x80 {
            AscText::VendorSpecificAsc { asc, ascq }
        } else if ascq >= 0x80 {
            AscText::VendorSpecificAscq { asc, ascq }
        } else {
            AscText::Unknown { asc, ascq }
        }),
    }
}

/// Whether an exact row's text has the word `nn`, T10's placeholder for a range's
/// qualifier.
fn names_placeholder(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| word == "nn")
}

/// Number of exact assignments in the table (766 in the 2024-11-28 list).
pub const CODE_COUNT: usize = CODES.len();
/// Number of range assignments in the table (6 in the 2024-11-28 list).
pub const RANGE_COUNT: usize = RANGES.len();

#[cfg(test)]
mod test {
    use super::*;
    use std::string::ToString;

    #[test]
    fn codes_are_strictly_sorted() {
        assert!(CODES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn placeholder_rows_give_way_to_the_range_that_covers_them() {
        // T10 asc-num.txt 2024-11-28: exact 4D/00 and 70/00 only name the `nn` of the
        // ranges 4D/00..FF and 70/00..FF; sg3_utils prints the range text for both.
        assert_eq!(
            describe(0x4d, 0x00),
            AscText::Range { text: "Tagged overlapped commands [0x%x]", ascq: 0 }
        );
        assert_eq!(describe(0x4d, 0x00).to_string(), "Tagged overlapped commands [0x0]");
        assert_eq!(
            describe(0x70, 0x00).to_string(),
            "Decompression exception short algorithm id of 0x0"
        );
        // `nn` with no range over the pair: the exact row stays.
        for (asc, text) in [
            (0x40, "Ram failure (should use 40 nn)"),
            (0x41, "Data path failure (should use 40 nn)"),
            (0x42, "Power-on or self-test failure (should use 40 nn)"),
        ] {
            assert_eq!(describe(asc, 0x00), AscText::Known(text));
        }
        // The rule only touches rows that say `nn` as a word.
        let placeholders: std::vec::Vec<u16> =
            CODES.iter().filter(|&&(_, t)| names_placeholder(t)).map(|&(c, _)| c).collect();
        assert_eq!(placeholders, [0x4000, 0x4100, 0x4200, 0x4D00, 0x7000]);
    }

    #[test]
    fn write_to_matches_display_for_every_pair_and_fits_max_len() {
        let mut longest = 0;
        for asc in 0..=255u8 {
            for ascq in 0..=255u8 {
                let t = describe(asc, ascq);
                let shown = t.to_string();
                assert!(shown.is_ascii(), "{asc:02x}/{ascq:02x}: {shown:?}");
                let mut buf = [0u8; AscText::MAX_LEN];
                let n = t.write_to(&mut buf);
                assert_eq!(&buf[..n], shown.as_bytes(), "{asc:02x}/{ascq:02x}");
                longest = longest.max(n);
                // Every shorter buffer gets the same prefix, cut.
                for cap in [0, 1, 5, n / 2, n.saturating_sub(1)] {
                    let mut small = [0u8; AscText::MAX_LEN];
                    let m = t.write_to(&mut small[..cap]);
                    assert_eq!(&small[..m], &shown.as_bytes()[..cap.min(n)]);
                }
            }
        }
        assert!(longest < AscText::MAX_LEN, "longest rendering {longest}");
    }

    #[test]
    fn exact_beats_range_and_vendor_spaces_print_like_sg3_utils() {
        // Texts below are T10's (asc-num.txt 2024-11-28), vendor lines are sg_decode_sense's.
        assert_eq!(describe(0x24, 0x00), AscText::Known("Invalid field in cdb"));
        assert_eq!(describe(0x40, 0x00), AscText::Known("Ram failure (should use 40 nn)"));
        assert_eq!(describe(0x40, 0x81).to_string(), "Diagnostic failure on component [0x81]");
        assert_eq!(
            describe(0x70, 0x05).to_string(),
            "Decompression exception short algorithm id of 0x5"
        );
        assert_eq!(describe(0x85, 0x12).to_string(), "vendor specific ASC=85, ASCQ=12 (hex)");
        assert_eq!(
            describe(0x24, 0x85).to_string(),
            "ASC=24, vendor specific qualification ASCQ=85 (hex)"
        );
        assert_eq!(describe(0x7e, 0x45).to_string(), "ASC=7e, ASCQ=45 (hex)");
        assert_eq!((CODE_COUNT, RANGE_COUNT), (766, 6));
    }
}
