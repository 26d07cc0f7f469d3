//! Block Device Characteristics VPD page, B1h (SBC-4 §6.6.2).

use super::{Page, PageCode};
use crate::wire::field::{be16_at, be32_at, bit_at, u8_at};
use crate::wire::{Decoded, Error};
use core::fmt;

mod field {
    //! Byte offsets, SBC-4 table "Block Device Characteristics VPD page".
    pub const MEDIUM_ROTATION_RATE: usize = 4; // 2 bytes
    pub const PRODUCT_TYPE: usize = 6;
    pub const FORM: usize = 7; // 7..6 WABEREQ, 5..4 WACEREQ, 3..0 NOMINAL FORM FACTOR
    pub const FLAGS: usize = 8; // 5..4 ZONED, 3 RBWZ, 2 BOCS, 1 FUAB, 0 VBULS
    pub const DEPOPULATION_TIME: usize = 12; // 4 bytes
}

/// MEDIUM ROTATION RATE (SBC-4 table "MEDIUM ROTATION RATE field"), also ATA's NOMINAL
/// MEDIA ROTATION RATE (ACS-4 IDENTIFY DEVICE word 217), which uses the same encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediumRotationRate {
    /// 0000h: medium rotation rate is not reported.
    NotReported,
    /// 0001h: non-rotating medium (solid state).
    NonRotating,
    /// 0401h..FFFEh: nominal rotation rate in revolutions per minute.
    Rpm(u16),
    /// 0002h..0400h and FFFFh: reserved; the raw value.
    Reserved(u16),
}

impl MediumRotationRate {
    /// Classifies a raw field value.
    pub fn from_raw(v: u16) -> Self {
        match v {
            0 => MediumRotationRate::NotReported,
            1 => MediumRotationRate::NonRotating,
            0x0401..=0xfffe => MediumRotationRate::Rpm(v),
            _ => MediumRotationRate::Reserved(v),
        }
    }

    /// The raw field value.
    pub fn raw(self) -> u16 {
        match self {
            MediumRotationRate::NotReported => 0,
            MediumRotationRate::NonRotating => 1,
            MediumRotationRate::Rpm(v) | MediumRotationRate::Reserved(v) => v,
        }
    }
}

impl fmt::Display for MediumRotationRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MediumRotationRate::NotReported => f.write_str("not reported"),
            MediumRotationRate::NonRotating => f.write_str("non-rotating"),
            MediumRotationRate::Rpm(v) => write!(f, "{v} rpm"),
            MediumRotationRate::Reserved(v) => write!(f, "reserved ({v:#06x})"),
        }
    }
}

crate::open_enum! {
    /// PRODUCT TYPE (SBC-4 table "PRODUCT TYPE field").
    pub struct ProductType(u8) {
        NOT_INDICATED = 0x00 => "not indicated",
        CFAST = 0x01 => "CFast",
        COMPACTFLASH = 0x02 => "CompactFlash",
        MEMORY_STICK = 0x03 => "Memory Stick",
        MULTIMEDIACARD = 0x04 => "MultiMediaCard",
        SECURE_DIGITAL = 0x05 => "Secure Digital Card",
        XQD = 0x06 => "XQD",
        UNIVERSAL_FLASH_STORAGE = 0x07 => "Universal Flash Storage",
    }
}

crate::open_enum! {
    /// NOMINAL FORM FACTOR (SBC-4 table "NOMINAL FORM FACTOR field").
    pub struct NominalFormFactor(u8) {
        NOT_REPORTED = 0x0 => "not reported",
        INCH_5_25 = 0x1 => "5.25 inch",
        INCH_3_5 = 0x2 => "3.5 inch",
        INCH_2_5 = 0x3 => "2.5 inch",
        INCH_1_8 = 0x4 => "1.8 inch",
        LESS_THAN_1_8 = 0x5 => "less than 1.8 inch",
    }
}

/// Block Device Characteristics VPD page (SBC-4 §6.6.2, table "Block Device
/// Characteristics VPD page").
///
/// ```text
///        7      6      5      4      3      2      1      0
///  0..3   header, PAGE CODE B1h, PAGE LENGTH 003Ch
///  4..5  | MEDIUM ROTATION RATE                                  |
///  6     | PRODUCT TYPE                                          |
///  7     | WABEREQ     | WACEREQ     | NOMINAL FORM FACTOR       |
///  8     | reserved    | ZONED       | RBWZ | BOCS | FUAB |VBULS |
///  9..11 | reserved                                              |
/// 12..15 | DEPOPULATION TIME                                     |
/// 16..63 | reserved                                              |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockDeviceCharacteristics {
    /// MEDIUM ROTATION RATE.
    pub medium_rotation_rate: Option<MediumRotationRate>,
    /// PRODUCT TYPE.
    pub product_type: Option<ProductType>,
    /// WABEREQ (write after block erase required), 2 bits.
    pub wabereq: Option<u8>,
    /// WACEREQ (write after cryptographic erase required), 2 bits.
    pub wacereq: Option<u8>,
    /// NOMINAL FORM FACTOR.
    pub nominal_form_factor: Option<NominalFormFactor>,
    /// ZONED (0 not reported, 1 host aware, 2 device managed), 2 bits.
    pub zoned: Option<u8>,
    /// RBWZ: reassign blocks write zero.
    pub rbwz: Option<bool>,
    /// BOCS: background operation control supported.
    pub bocs: Option<bool>,
    /// FUAB: SYNCHRONIZE CACHE behaves as the FUA bit does.
    pub fuab: Option<bool>,
    /// VBULS: VERIFY with BYTCHK zero behaves like a medium read.
    pub vbuls: Option<bool>,
    /// DEPOPULATION TIME, seconds.
    pub depopulation_time: Option<u32>,
}

impl BlockDeviceCharacteristics {
    /// Decodes page B1h.
    ///
    /// # Errors
    /// [`Error::Truncated`] below the 4-byte header; [`Error::Malformed`] for another page.
    pub fn parse(buf: &[u8]) -> Result<Decoded<Self>, Error> {
        let page =
            Page::check(buf, PageCode::BLOCK_DEVICE_CHARACTERISTICS, "page code is not 0xB1")?;
        let d = page.data;
        let form = u8_at(d, field::FORM);
        let flags = u8_at(d, field::FLAGS);
        Ok(page.done(BlockDeviceCharacteristics {
            medium_rotation_rate: be16_at(d, field::MEDIUM_ROTATION_RATE)
                .map(MediumRotationRate::from_raw),
            product_type: u8_at(d, field::PRODUCT_TYPE).map(ProductType),
            wabereq: form.map(|b| b >> 6),
            wacereq: form.map(|b| (b >> 4) & 0x03),
            nominal_form_factor: form.map(|b| NominalFormFactor(b & 0x0f)),
            zoned: flags.map(|b| (b >> 4) & 0x03),
            rbwz: bit_at(d, field::FLAGS, 3),
            bocs: bit_at(d, field::FLAGS, 2),
            fuab: bit_at(d, field::FLAGS, 1),
            vbuls: bit_at(d, field::FLAGS, 0),
            depopulation_time: be32_at(d, field::DEPOPULATION_TIME),
        }))
    }
}
