//! Fixed-format sense data, response codes 70h and 71h (SPC-5 §4.4.3, table "Fixed format
//! sense data"):
//!
//! ```text
//! byte  0: VALID(7) RESPONSE CODE(6..0)       (70h current, 71h deferred)
//! byte  1: obsolete
//! byte  2: FILEMARK(7) EOM(6) ILI(5) SDAT_OVFL(4) SENSE KEY(3..0)
//! byte  3..6: INFORMATION                    (defined only when VALID is one)
//! byte  7: ADDITIONAL SENSE LENGTH (n - 7)
//! byte  8..11: COMMAND-SPECIFIC INFORMATION
//! byte 12: ADDITIONAL SENSE CODE             byte 13: ADDITIONAL SENSE CODE QUALIFIER
//! byte 14: FIELD REPLACEABLE UNIT CODE
//! byte 15: SKSV(7) SENSE KEY SPECIFIC        byte 16..17: SENSE KEY SPECIFIC
//! byte 18..n: additional sense bytes
//! ```
//!
//! Bytes past the ADDITIONAL SENSE LENGTH are not sense data and are never read (as in
//! Linux's `scsi_normalize_sense` and sg3_utils).

use super::ata::FixedAtaReturn;
use super::descriptor::Descriptors;
use super::sks::SenseKeySpecific;
use super::{Header, Sense, SenseFormat};
use crate::wire::field::{array_at, be32_at, u8_at};

/// Byte offsets of the fixed format.
pub mod field {
    /// VALID (bit 7) and RESPONSE CODE.
    pub const RESPONSE_CODE: usize = 0;
    /// FILEMARK, EOM, ILI, SDAT_OVFL and SENSE KEY.
    pub const FLAGS_SENSE_KEY: usize = 2;
    /// INFORMATION (4 bytes).
    pub const INFORMATION: usize = 3;
    /// ADDITIONAL SENSE LENGTH.
    pub const ADDITIONAL_SENSE_LENGTH: usize = 7;
    /// COMMAND-SPECIFIC INFORMATION (4 bytes).
    pub const COMMAND_SPECIFIC_INFORMATION: usize = 8;
    /// ADDITIONAL SENSE CODE.
    pub const ASC: usize = 12;
    /// ADDITIONAL SENSE CODE QUALIFIER.
    pub const ASCQ: usize = 13;
    /// FIELD REPLACEABLE UNIT CODE.
    pub const FIELD_REPLACEABLE_UNIT_CODE: usize = 14;
    /// SKSV and SENSE KEY SPECIFIC (3 bytes).
    pub const SENSE_KEY_SPECIFIC: usize = 15;
    /// First additional sense byte.
    pub const ADDITIONAL_SENSE_BYTES: usize = 18;
}

/// Parses fixed-format sense: the header fields come from `h` ([`super::normalize`]), the
/// rest from its bytes, which are already cut to the ADDITIONAL SENSE LENGTH and hold at
/// least the SENSE KEY byte.
pub(super) fn parse<'a>(h: &Header<'a>) -> Sense<'a> {
    let s = h.bytes;
    let b2 = u8_at(s, field::FLAGS_SENSE_KEY).unwrap_or(0);
    let sense_key_specific = array_at::<3>(s, field::SENSE_KEY_SPECIFIC)
        .filter(|b| b[0] & 0x80 != 0)
        .map(|b| SenseKeySpecific::decode(h.sense_key, b));
    Sense {
        response_code: h.response_code,
        format: SenseFormat::Fixed,
        deferred: h.deferred,
        sense_key: h.sense_key,
        asc: h.asc,
        ascq: h.ascq,
        sdat_ovfl: h.sdat_ovfl,
        filemark: b2 & 0x80 != 0,
        eom: b2 & 0x40 != 0,
        ili: b2 & 0x20 != 0,
        information: h.information(),
        command_specific: be32_at(s, field::COMMAND_SPECIFIC_INFORMATION).map(u64::from),
        sense_key_specific,
        field_replaceable_unit_code: u8_at(s, field::FIELD_REPLACEABLE_UNIT_CODE)
            .filter(|&c| c != 0),
        additional_sense_bytes: s.get(field::ADDITIONAL_SENSE_BYTES..).unwrap_or(&[]),
        descriptors: Descriptors::empty(),
        descriptor_overrun: None,
        fixed_ata: if (h.asc, h.ascq) == (0x00, 0x1D) {
            FixedAtaReturn::from_fixed(s)
        } else {
            None
        },
    }
}
