//! ATA IDENTIFY DEVICE data (ACS-4 §7.13.6, table "IDENTIFY DEVICE data"), as found in the
//! ATA Information VPD page ([`super::vpd::AtaInformation`]) or returned through ATA
//! PASS-THROUGH.
//!
//! The data is 256 16-bit words, each **little-endian** (the only little-endian structure in
//! this crate). ATA strings pack two characters a word with the *first* character in the
//! high byte, so each word's bytes are swapped before reading (ACS-4 §3.4.9, "ATA string
//! convention").
//!
//! ```text
//!  word   bits     field
//!  10-19           SERIAL NUMBER (ATA string, 20 bytes)
//!  23-26           FIRMWARE REVISION (ATA string, 8 bytes)
//!  27-46           MODEL NUMBER (ATA string, 40 bytes)
//!  60-61           TOTAL NUMBER OF USER ADDRESSABLE LOGICAL SECTORS (28-bit commands)
//!  80              MAJOR VERSION NUMBER (bit n: ATA-n / ACS-(n-7) supported)
//!  82     0        SMART feature set supported
//!  83     15:14    01b = word valid;  10: 48-bit Address feature set supported
//!  84     15:14    01b = word valid;   1: SMART self-test supported
//!  85     0        SMART feature set enabled
//!  100-103         number of user addressable logical sectors (48-bit commands)
//!  106    15:14    01b = word valid; 13: multiple logical per physical;
//!         12       logical sector longer than 256 words; 3:0 log2(logical per physical)
//!  117-118         LOGICAL SECTOR SIZE in words (when word 106 bit 12 is one)
//!  168    3:0      NOMINAL FORM FACTOR (same encoding as SBC-4's NOMINAL FORM FACTOR)
//!  169    0        DATA SET MANAGEMENT TRIM supported
//!  209    15:14    01b = word valid; 13:0 LOGICAL SECTOR OFFSET (alignment)
//!  217             NOMINAL MEDIA ROTATION RATE (0 not reported, 1 non-rotating, rpm)
//!  255    7:0      checksum validity indicator (A5h); 15:8 CHECKSUM
//! ```
//!
//! Every accessor returns `None` when a word it needs was not transferred.
//! [`IdentifyDevice::identity`] gathers the facts a report shows into one plain struct,
//! [`AtaIdentity`].

use super::field::bytes_at;
use super::vpd::{MediumRotationRate, NominalFormFactor};
use super::Decoded;
use core::fmt;

mod word {
    //! Word numbers, ACS-4 table "IDENTIFY DEVICE data".
    pub const SERIAL_NUMBER: usize = 10; // 10 words
    pub const FIRMWARE_REVISION: usize = 23; // 4 words
    pub const MODEL_NUMBER: usize = 27; // 20 words
    pub const USER_ADDRESSABLE_SECTORS_28: usize = 60; // 2 words
    pub const MAJOR_VERSION: usize = 80;
    pub const COMMAND_SET_SUPPORTED_82: usize = 82;
    pub const COMMAND_SET_SUPPORTED_83: usize = 83;
    pub const COMMAND_SET_SUPPORTED_84: usize = 84;
    pub const COMMAND_SET_ENABLED_85: usize = 85;
    pub const USER_ADDRESSABLE_SECTORS_48: usize = 100; // 4 words
    pub const PHYSICAL_LOGICAL_SECTOR_SIZE: usize = 106;
    pub const LOGICAL_SECTOR_SIZE: usize = 117; // 2 words
    pub const NOMINAL_FORM_FACTOR: usize = 168;
    pub const DATA_SET_MANAGEMENT: usize = 169;
    pub const ALIGNMENT: usize = 209;
    pub const NOMINAL_MEDIA_ROTATION_RATE: usize = 217;
    pub const INTEGRITY: usize = 255;
}

/// Length of IDENTIFY DEVICE data.
pub const IDENTIFY_LEN: usize = 512;

/// A view over IDENTIFY DEVICE data (ACS-4 §7.13.6, table "IDENTIFY DEVICE data"; layout in
/// the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentifyDevice<'a> {
    data: &'a [u8],
}

/// The checksum of IDENTIFY data (ACS-4 §7.13.6.66, word 255, "Integrity word").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "kebab-case"))]
pub enum Checksum {
    /// The checksum validity indicator is not A5h: the device does not provide a checksum
    /// (ACS-4: "If bits 7:0 of this word contain the signature A5h, bits 15:8 contain the
    /// data structure checksum").
    NotProvided,
    /// The signature is A5h and the 512 bytes sum to zero modulo 256.
    Valid,
    /// The signature is A5h and the bytes do not sum to zero: the data is corrupt.
    Invalid,
}

impl<'a> IdentifyDevice<'a> {
    /// Views `data` (bytes past the first 512 are ignored; fewer make later fields `None`).
    pub fn new(data: &'a [u8]) -> Self {
        IdentifyDevice { data: data.get(..IDENTIFY_LEN).unwrap_or(data) }
    }

    /// Views `data` in the crate's [`Decoded`] shape: announced is always 512. There is no
    /// header, so there is no error.
    pub fn parse(data: &'a [u8]) -> Decoded<Self> {
        Decoded { value: Self::new(data), announced: IDENTIFY_LEN, available: data.len() }
    }

    /// The bytes viewed (at most 512).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data
    }

    /// Word `n` (little-endian).
    pub fn word(&self, n: usize) -> Option<u16> {
        let at = n.checked_mul(2)?;
        bytes_at(self.data, at, 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn bit(&self, n: usize, bit: u8) -> Option<bool> {
        Some(self.word(n)? >> (bit & 15) & 1 == 1)
    }

    /// A word guarded by the "bits 15:14 = 01b" validity convention; `None` when not valid.
    fn valid_word(&self, n: usize) -> Option<u16> {
        self.word(n).filter(|w| w >> 14 == 0b01)
    }

    fn string<const N: usize>(&self, first_word: usize) -> Option<AtaString<N>> {
        let raw = bytes_at(self.data, first_word.checked_mul(2)?, N)?;
        Some(ata_string(raw))
    }

    /// MODEL NUMBER (words 27..=46).
    pub fn model_number(&self) -> Option<AtaString<40>> {
        self.string(word::MODEL_NUMBER)
    }

    /// SERIAL NUMBER (words 10..=19).
    pub fn serial_number(&self) -> Option<AtaString<20>> {
        self.string(word::SERIAL_NUMBER)
    }

    /// FIRMWARE REVISION (words 23..=26).
    pub fn firmware_revision(&self) -> Option<AtaString<8>> {
        self.string(word::FIRMWARE_REVISION)
    }

    /// SMART feature set supported (word 82 bit 0). ACS-4 gives word 82 no validity bits;
    /// 0000h and FFFFh there mean "not reported" and read as `false`.
    pub fn smart_supported(&self) -> Option<bool> {
        let w = self.word(word::COMMAND_SET_SUPPORTED_82)?;
        Some(w != 0xffff && w & 1 == 1)
    }

    /// SMART feature set enabled (word 85 bit 0).
    pub fn smart_enabled(&self) -> Option<bool> {
        let w = self.word(word::COMMAND_SET_ENABLED_85)?;
        Some(w != 0xffff && w & 1 == 1)
    }

    /// SMART self-test supported (word 84 bit 1); `None` when word 84 is absent or not
    /// marked valid.
    pub fn smart_self_test_supported(&self) -> Option<bool> {
        Some(self.valid_word(word::COMMAND_SET_SUPPORTED_84)? & 0x0002 != 0)
    }

    /// 48-bit Address feature set supported (word 83 bit 10); `None` when word 83 is absent
    /// or not marked valid.
    pub fn lba48_supported(&self) -> Option<bool> {
        Some(self.valid_word(word::COMMAND_SET_SUPPORTED_83)? & 0x0400 != 0)
    }

    /// TOTAL NUMBER OF USER ADDRESSABLE LOGICAL SECTORS for 28-bit commands (words 60..=61).
    pub fn user_addressable_sectors_28(&self) -> Option<u32> {
        let lo = self.word(word::USER_ADDRESSABLE_SECTORS_28)?;
        let hi = self.word(word::USER_ADDRESSABLE_SECTORS_28 + 1)?;
        Some(u32::from(hi) << 16 | u32::from(lo))
    }

    /// Number of user addressable logical sectors for 48-bit commands (words 100..=103).
    pub fn user_addressable_sectors_48(&self) -> Option<u64> {
        let mut v = 0u64;
        for i in (0..4).rev() {
            v = v << 16 | u64::from(self.word(word::USER_ADDRESSABLE_SECTORS_48 + i)?);
        }
        Some(v)
    }

    /// The device's capacity in logical sectors: the 48-bit count when the 48-bit Address
    /// feature set is supported and the count is non-zero, else the 28-bit count. `None`
    /// when the words that decide are missing (word 83, or words 100..=103 of a 48-bit
    /// device), rather than the 28-bit count that a 48-bit device caps at 0FFFFFFFh.
    pub fn user_addressable_sectors(&self) -> Option<u64> {
        self.word(word::COMMAND_SET_SUPPORTED_83)?;
        if self.lba48_supported() == Some(true) {
            let n = self.user_addressable_sectors_48()?;
            if n != 0 {
                return Some(n);
            }
        }
        self.user_addressable_sectors_28().map(u64::from)
    }

    /// Logical sector size in bytes: 2 × words 117..=118 when word 106 is valid and its bit
    /// 12 is one, else 512 (ACS-4: a device whose logical sector is 256 words leaves bit 12
    /// zero). `None` when word 106 is absent (or 117..=118 are, when needed).
    pub fn logical_sector_size(&self) -> Option<u64> {
        let w = self.word(word::PHYSICAL_LOGICAL_SECTOR_SIZE)?;
        if w >> 14 == 0b01 && w & 0x1000 != 0 {
            let lo = self.word(word::LOGICAL_SECTOR_SIZE)?;
            let hi = self.word(word::LOGICAL_SECTOR_SIZE + 1)?;
            Some((u64::from(hi) << 16 | u64::from(lo)) * 2)
        } else {
            Some(512)
        }
    }

    /// Logical sectors per physical sector (2 to the power of word 106 bits 3:0 when bit 13
    /// is one), 1 when word 106 is not valid or bit 13 is zero.
    pub fn logical_per_physical_sectors(&self) -> Option<u16> {
        let w = self.word(word::PHYSICAL_LOGICAL_SECTOR_SIZE)?;
        if w >> 14 == 0b01 && w & 0x2000 != 0 {
            Some(1u16 << (w & 0x0f))
        } else {
            Some(1)
        }
    }

    /// LOGICAL SECTOR OFFSET (word 209 bits 13:0): the first logical sector's offset within
    /// its physical sector. `None` when word 209 is absent or not marked valid.
    pub fn logical_sector_offset(&self) -> Option<u16> {
        Some(self.valid_word(word::ALIGNMENT)? & 0x3fff)
    }

    /// NOMINAL MEDIA ROTATION RATE (word 217), same encoding as SBC-4's MEDIUM ROTATION RATE.
    pub fn nominal_media_rotation_rate(&self) -> Option<MediumRotationRate> {
        self.word(word::NOMINAL_MEDIA_ROTATION_RATE).map(MediumRotationRate::from_raw)
    }

    /// Physical sector size in bytes (ACS-4 §7.13.6.37, word 106): the logical sector size
    /// times 2^(bits 3:0) when the word is valid (bits 15:14 = 01b) and bit 13 says there
    /// are several logical sectors per physical sector, else the logical sector size.
    pub fn physical_sector_size(&self) -> Option<u64> {
        let logical = self.logical_sector_size()?;
        logical.checked_mul(u64::from(self.logical_per_physical_sectors()?))
    }

    /// NOMINAL FORM FACTOR (ACS-4 §7.13.6.45, word 168 bits 3:0), the encoding SBC-4 uses
    /// for the Block Device Characteristics VPD page (0 not reported, 1 5.25", 2 3.5",
    /// 3 2.5", 4 1.8", 5 less than 1.8"; others reserved and kept).
    pub fn nominal_form_factor(&self) -> Option<NominalFormFactor> {
        self.word(word::NOMINAL_FORM_FACTOR).map(|w| NominalFormFactor((w & 0x0f) as u8))
    }

    /// The facts a report shows, in one plain struct (each `None` when its words were not
    /// transferred; see each accessor for its clause of ACS-4 §7.13.6).
    pub fn identity(&self) -> AtaIdentity {
        AtaIdentity {
            model_number: self.model_number(),
            serial_number: self.serial_number(),
            firmware_revision: self.firmware_revision(),
            user_addressable_sectors: self.user_addressable_sectors(),
            lba48_supported: self.lba48_supported(),
            logical_sector_size: self.logical_sector_size(),
            physical_sector_size: self.physical_sector_size(),
            nominal_media_rotation_rate: self.nominal_media_rotation_rate(),
            nominal_form_factor: self.nominal_form_factor(),
            smart_supported: self.smart_supported(),
            smart_enabled: self.smart_enabled(),
            smart_self_test_supported: self.smart_self_test_supported(),
            trim_supported: self.trim_supported(),
            major_version: self.major_version(),
            checksum: self.checksum(),
        }
    }

    /// DATA SET MANAGEMENT TRIM supported (word 169 bit 0).
    pub fn trim_supported(&self) -> Option<bool> {
        self.bit(word::DATA_SET_MANAGEMENT, 0)
    }

    /// MAJOR VERSION NUMBER (word 80), raw.
    pub fn major_version_number(&self) -> Option<u16> {
        self.word(word::MAJOR_VERSION)
    }

    /// The highest standard claimed in MAJOR VERSION NUMBER: its bit number (4 = ATA/ATAPI-4
    /// .. 7 = ATA/ATAPI-7, 8 = ATA8-ACS, 9 = ACS-2, 10 = ACS-3, 11 = ACS-4, 12 = ACS-5).
    /// `None` when 0000h or FFFFh ("not reported") or absent.
    pub fn major_version(&self) -> Option<u8> {
        let w = self.major_version_number().filter(|&w| w != 0 && w != 0xffff)?;
        (1..15u8).rev().find(|&b| w >> b & 1 == 1)
    }

    /// The checksum in word 255; `None` unless all 512 bytes are present.
    pub fn checksum(&self) -> Option<Checksum> {
        let w = self.word(word::INTEGRITY)?;
        if w & 0xff != 0xa5 {
            return Some(Checksum::NotProvided);
        }
        let sum = self.data.iter().fold(0u8, |s, &b| s.wrapping_add(b));
        Some(if sum == 0 { Checksum::Valid } else { Checksum::Invalid })
    }
}

/// IDENTIFY DEVICE data decoded into plain values (ACS-4 §7.13.6, table "IDENTIFY DEVICE
/// data"): what [`IdentifyDevice::identity`] returns. A field is `None` when the words it
/// needs were not transferred (or, for words 83/84/106, not marked valid where the field
/// depends on that).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AtaIdentity {
    /// MODEL NUMBER (words 27..=46), trimmed.
    pub model_number: Option<AtaString<40>>,
    /// SERIAL NUMBER (words 10..=19), trimmed.
    pub serial_number: Option<AtaString<20>>,
    /// FIRMWARE REVISION (words 23..=26), trimmed.
    pub firmware_revision: Option<AtaString<8>>,
    /// Capacity in logical sectors: words 100..=103 when word 83 bit 10 says 48-bit
    /// addressing (and the count is non-zero), else words 60..=61.
    pub user_addressable_sectors: Option<u64>,
    /// 48-bit Address feature set supported (word 83 bit 10, word valid).
    pub lba48_supported: Option<bool>,
    /// Logical sector size in bytes (words 106, 117..=118).
    pub logical_sector_size: Option<u64>,
    /// Physical sector size in bytes (word 106 bits 13, 3:0).
    pub physical_sector_size: Option<u64>,
    /// NOMINAL MEDIA ROTATION RATE (word 217): `"non-rotating"`, rpm as a number, or null
    /// (not reported or reserved) when serialized.
    #[cfg_attr(feature = "serde", serde(serialize_with = "serde_rotation"))]
    pub nominal_media_rotation_rate: Option<MediumRotationRate>,
    /// NOMINAL FORM FACTOR (word 168 bits 3:0).
    pub nominal_form_factor: Option<NominalFormFactor>,
    /// SMART feature set supported (word 82 bit 0).
    pub smart_supported: Option<bool>,
    /// SMART feature set enabled (word 85 bit 0).
    pub smart_enabled: Option<bool>,
    /// SMART self-test supported (word 84 bit 1, word valid).
    pub smart_self_test_supported: Option<bool>,
    /// DATA SET MANAGEMENT TRIM supported (word 169 bit 0).
    pub trim_supported: Option<bool>,
    /// Highest standard claimed in MAJOR VERSION NUMBER (word 80), as its bit number.
    pub major_version: Option<u8>,
    /// The integrity word (word 255); `None` unless all 512 bytes are present.
    pub checksum: Option<Checksum>,
}

/// One line: `MODEL (serial SERIAL, firmware REV), N sectors of L bytes`.
impl fmt::Display for AtaIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::wire::or_question_mark as opt;
        write!(
            f,
            "{} (serial {}, firmware {}), {} sectors of {} bytes",
            opt(&self.model_number),
            opt(&self.serial_number),
            opt(&self.firmware_revision),
            opt(&self.user_addressable_sectors),
            opt(&self.logical_sector_size),
        )
    }
}

#[cfg(feature = "serde")]
fn serde_rotation<S: serde::Serializer>(
    rate: &Option<MediumRotationRate>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match rate {
        Some(MediumRotationRate::NonRotating) => serializer.serialize_str("non-rotating"),
        Some(MediumRotationRate::Rpm(v)) => serializer.serialize_u16(*v),
        _ => serializer.serialize_none(),
    }
}

/// An ATA string (ACS-4 §3.4.9) with each word's bytes swapped into reading order and
/// leading and trailing spaces and NULs trimmed. `N` is the field's byte length.
pub type AtaString<const N: usize> = crate::wire::AsciiField<N>;

/// Swaps each 16-bit word's bytes of `raw` into reading order.
fn ata_string<const N: usize>(raw: &[u8]) -> AtaString<N> {
    let mut buf = [0u8; N];
    for (pair, out) in raw.chunks_exact(2).zip(buf.chunks_exact_mut(2)) {
        out[0] = pair[1];
        out[1] = pair[0];
    }
    AtaString::trimmed(buf)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_strings_are_word_swapped() {
        let mut d = [0u8; 512];
        // "AB" "C " as ATA words: high byte first character.
        d[54..58].copy_from_slice(b"BA C");
        let v = IdentifyDevice::new(&d);
        assert_eq!(v.model_number().unwrap().as_str(), Some("ABC"));
        assert_eq!(v.checksum(), Some(Checksum::NotProvided));
    }

    #[test]
    fn test_checksum() {
        let mut d = [0u8; 512];
        d[0] = 0x40;
        d[510] = 0xa5;
        d[511] = 0u8.wrapping_sub(0x40).wrapping_sub(0xa5);
        assert_eq!(IdentifyDevice::new(&d).checksum(), Some(Checksum::Valid));
        d[0] = 0x41;
        assert_eq!(IdentifyDevice::new(&d).checksum(), Some(Checksum::Invalid));
        assert_eq!(IdentifyDevice::new(&d[..510]).checksum(), None);
    }
}
