//! The T10 ADDITIONAL SENSE CODE / ADDITIONAL SENSE CODE QUALIFIER assignments and their
//! standard text (SPC-5 §4.4.3 "Sense key and additional sense code definitions", table
//! "ASC and ASCQ assignments"; the list itself is T10's `asc-num.txt`).
//!
//! The table lives in [`asc_table`](super::asc_table), generated from
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
    /// `Display` fills `%x` with the ascq in hex, as T10 and sg3_utils print it.
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

/// The standard text; vendor-specific and unknown pairs print the way sg3_utils prints them
/// (`vendor specific ASC=85, ASCQ=12 (hex)`, `ASC=24, vendor specific qualification
/// ASCQ=85 (hex)`, `ASC=7e, ASCQ=45 (hex)`), so logs read the same on both sides.
impl fmt::Display for AscText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AscText::Known(t) => f.write_str(t),
            AscText::Range { text, ascq } => match text.split_once("%x") {
                Some((before, after)) => write!(f, "{before}{ascq:x}{after}"),
                None => f.write_str(text),
            },
            AscText::VendorSpecificAsc { asc, ascq } => {
                write!(f, "vendor specific ASC={asc:02x}, ASCQ={ascq:02x} (hex)")
            }
            AscText::VendorSpecificAscq { asc, ascq } => {
                write!(f, "ASC={asc:02x}, vendor specific qualification ASCQ={ascq:02x} (hex)")
            }
            AscText::Unknown { asc, ascq } => write!(f, "ASC={asc:02x}, ASCQ={ascq:02x} (hex)"),
        }
    }
}

/// Looks up `asc`/`ascq`: an exact assignment first, then T10's ranges, then the
/// vendor-specific spaces, else [`AscText::Unknown`].
pub fn describe(asc: u8, ascq: u8) -> AscText {
    let code = u16::from_be_bytes([asc, ascq]);
    if let Ok(i) = CODES.binary_search_by_key(&code, |&(c, _)| c) {
        if let Some(&(_, text)) = CODES.get(i) {
            return AscText::Known(text);
        }
    }
    for &(r_asc, lo, hi, text) in RANGES.iter() {
        if r_asc == asc && (lo..=hi).contains(&ascq) {
            return AscText::Range { text, ascq };
        }
    }
    if asc >= 0x80 {
        AscText::VendorSpecificAsc { asc, ascq }
    } else if ascq >= 0x80 {
        AscText::VendorSpecificAscq { asc, ascq }
    } else {
        AscText::Unknown { asc, ascq }
    }
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
