//! The SENSE KEY SPECIFIC field: three bytes whose meaning depends on the sense key
//! (SPC-5 §4.4.2.2 "Sense key specific sense data descriptor" and its subclauses; the same
//! three bytes sit at bytes 15..17 of fixed-format sense, SPC-5 §4.4.3 table "Fixed format
//! sense data").
//!
//! ```text
//! SENSE KEY                         form (SPC-5 table "Sense key specific field usage")
//! ILLEGAL REQUEST                   field pointer
//! HARDWARE/MEDIUM/RECOVERED ERROR   actual retry count
//! NO SENSE, NOT READY               progress indication
//! COPY ABORTED                      segment pointer
//! UNIT ATTENTION                    unit attention condition queue overflow
//! any other                         reserved
//! ```

use core::fmt;

use super::SenseKey;

/// A decoded SENSE KEY SPECIFIC field (the SKSV bit is handled by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenseKeySpecific {
    /// ILLEGAL REQUEST (SPC-5 table "Field pointer sense key specific data"):
    ///
    /// ```text
    /// byte 0: SKSV(7) C/D(6) reserved(5..4) BPV(3) BIT POINTER(2..0)
    /// byte 1..2: FIELD POINTER
    /// ```
    FieldPointer {
        /// C/D: the error is in the CDB (`true`) or in the parameter data (`false`).
        #[doc(alias = "C/D")]
        command: bool,
        /// BIT POINTER, present when BPV is set: the leftmost bit (7..0) of the field in
        /// error.
        #[doc(alias = "BPV")]
        bit_pointer: Option<u8>,
        /// FIELD POINTER: the byte of the CDB or parameter data in error.
        field_pointer: u16,
    },
    /// HARDWARE ERROR, MEDIUM ERROR, RECOVERED ERROR (SPC-5 table "Actual retry count sense
    /// key specific data"): ACTUAL RETRY COUNT, bytes 1..2 (vendor-specific meaning).
    ActualRetryCount(u16),
    /// NO SENSE, NOT READY (SPC-5 table "Progress indication sense key specific data"):
    /// PROGRESS INDICATION, bytes 1..2, the numerator of a fraction of 65 536 of the
    /// operation completed.
    ProgressIndication(u16),
    /// COPY ABORTED (SPC-5 table "Segment pointer sense key specific data"):
    ///
    /// ```text
    /// byte 0: SKSV(7) reserved(6) SD(5) reserved(4) BPV(3) BIT POINTER(2..0)
    /// byte 1..2: FIELD POINTER
    /// ```
    SegmentPointer {
        /// SD: the field pointer is relative to the start of the segment descriptor
        /// (`true`) or of the parameter list (`false`).
        #[doc(alias = "SD")]
        segment_descriptor: bool,
        /// BIT POINTER, present when BPV is set.
        #[doc(alias = "BPV")]
        bit_pointer: Option<u8>,
        /// FIELD POINTER: the byte in error.
        field_pointer: u16,
    },
    /// UNIT ATTENTION (SPC-5 table "Unit attention condition queue overflow sense key
    /// specific data"): byte 0 bit 0 OVERFLOW, set when the unit attention condition queue
    /// overflowed.
    UnitAttentionConditionQueue {
        /// OVERFLOW.
        overflow: bool,
    },
    /// Any other sense key: the field is reserved; the three bytes as sent (SKSV included).
    Reserved([u8; 3]),
}

impl SenseKeySpecific {
    /// Decodes the three SENSE KEY SPECIFIC bytes (SKSV in bit 7 of the first) for
    /// `sense_key`. SKSV itself is not checked here.
    pub fn decode(sense_key: SenseKey, bytes: [u8; 3]) -> Self {
        let [b0, b1, b2] = bytes;
        let value = u16::from_be_bytes([b1, b2]);
        let bit_pointer = if b0 & 0x08 != 0 { Some(b0 & 0x07) } else { None };
        match sense_key {
            SenseKey::ILLEGAL_REQUEST => SenseKeySpecific::FieldPointer {
                command: b0 & 0x40 != 0,
                bit_pointer,
                field_pointer: value,
            },
            SenseKey::HARDWARE_ERROR | SenseKey::MEDIUM_ERROR | SenseKey::RECOVERED_ERROR => {
                SenseKeySpecific::ActualRetryCount(value)
            }
            SenseKey::NO_SENSE | SenseKey::NOT_READY => SenseKeySpecific::ProgressIndication(value),
            SenseKey::COPY_ABORTED => SenseKeySpecific::SegmentPointer {
                segment_descriptor: b0 & 0x20 != 0,
                bit_pointer,
                field_pointer: value,
            },
            SenseKey::UNIT_ATTENTION => {
                SenseKeySpecific::UnitAttentionConditionQueue { overflow: b0 & 0x01 != 0 }
            }
            _ => SenseKeySpecific::Reserved(bytes),
        }
    }
}

/// Progress as hundredths of a percent (0..=9999) of a PROGRESS INDICATION value, rounded
/// down: `progress / 65536`.
pub fn progress_basis_points(progress_indication: u16) -> u32 {
    u32::from(progress_indication) * 10_000 / 65_536
}

/// Writes a progress indication as a percentage with two decimals ("19.02%").
pub(crate) fn write_progress(f: &mut fmt::Formatter<'_>, progress: u16) -> fmt::Result {
    let bp = progress_basis_points(progress);
    write!(f, "{}.{:02}%", bp / 100, bp % 100)
}

impl fmt::Display for SenseKeySpecific {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SenseKeySpecific::FieldPointer { command, bit_pointer, field_pointer } => {
                let what = if command { "CDB" } else { "parameter data" };
                write!(f, "field pointer: {what} byte {field_pointer}")?;
                match bit_pointer {
                    Some(b) => write!(f, " bit {b}"),
                    None => Ok(()),
                }
            }
            SenseKeySpecific::ActualRetryCount(n) => write!(f, "actual retry count: {n}"),
            SenseKeySpecific::ProgressIndication(p) => {
                f.write_str("progress: ")?;
                write_progress(f, p)
            }
            SenseKeySpecific::SegmentPointer { segment_descriptor, bit_pointer, field_pointer } => {
                let what = if segment_descriptor { "segment descriptor" } else { "parameter list" };
                write!(f, "segment pointer: {what} byte {field_pointer}")?;
                match bit_pointer {
                    Some(b) => write!(f, " bit {b}"),
                    None => Ok(()),
                }
            }
            SenseKeySpecific::UnitAttentionConditionQueue { overflow } => {
                write!(f, "unit attention condition queue overflow: {}", u8::from(overflow))
            }
            SenseKeySpecific::Reserved([a, b, c]) => {
                write!(f, "sense key specific (reserved): {a:02x} {b:02x} {c:02x}")
            }
        }
    }
}
