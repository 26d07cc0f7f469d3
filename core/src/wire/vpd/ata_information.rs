//! ATA Information VPD page, 89h (SAT-4 §12.4.2): what a SCSI/ATA translation layer (a USB
//! or Thunderbolt bridge, a SAS HBA) says about itself and the ATA device behind it,
//! including that device's IDENTIFY data.

use super::{Page, PageCode};
use crate::wire::ata_identify::IdentifyDevice;
use crate::wire::field::{bytes_at, u8_at};
use crate::wire::{Ascii, Decoded, Error};

mod field {
    //! Byte offsets, SAT-4 table "ATA Information VPD page".
    pub const SAT_VENDOR_IDENTIFICATION: usize = 8; // 8 bytes
    pub const SAT_PRODUCT_IDENTIFICATION: usize = 16; // 16 bytes
    pub const SAT_PRODUCT_REVISION_LEVEL: usize = 32; // 4 bytes
    pub const ATA_DEVICE_SIGNATURE: usize = 36; // 20 bytes
    pub const COMMAND_CODE: usize = 56;
    pub const IDENTIFY_DATA: usize = 60; // 512 bytes
    pub const IDENTIFY_LEN: usize = 512;
}

crate::open_enum! {
    /// COMMAND CODE of the ATA Information VPD page (SAT-4 §12.4.2): which command returned
    /// the IDENTIFY data.
    pub struct AtaCommandCode(u8) {
        /// No IDENTIFY data is returned.
        NONE = 0x00 => "none",
        /// IDENTIFY PACKET DEVICE (ATAPI devices).
        IDENTIFY_PACKET_DEVICE = 0xA1 => "IDENTIFY PACKET DEVICE",
        /// IDENTIFY DEVICE.
        IDENTIFY_DEVICE = 0xEC => "IDENTIFY DEVICE",
    }
}

/// ATA Information VPD page (SAT-4 §12.4.2, table "ATA Information VPD page").
///
/// ```text
///  0       | PERIPHERAL QUALIFIER | PERIPHERAL DEVICE TYPE |
///  1       | PAGE CODE (89h)                               |
///  2..3    | PAGE LENGTH (0238h)                           |
///  4..7    | reserved                                      |
///  8..15   | SAT VENDOR IDENTIFICATION   (ASCII)           |
/// 16..31   | SAT PRODUCT IDENTIFICATION  (ASCII)           |
/// 32..35   | SAT PRODUCT REVISION LEVEL  (ASCII)           |
/// 36..55   | ATA DEVICE SIGNATURE (register values)        |
/// 56       | COMMAND CODE (ECh or A1h)                     |
/// 57..59   | reserved                                      |
/// 60..571  | IDENTIFY DEVICE or IDENTIFY PACKET DEVICE data |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtaInformation<'a> {
    /// SAT VENDOR IDENTIFICATION (the translation layer's vendor), trimmed.
    pub sat_vendor_identification: Option<Ascii<'a>>,
    /// SAT PRODUCT IDENTIFICATION, trimmed.
    pub sat_product_identification: Option<Ascii<'a>>,
    /// SAT PRODUCT REVISION LEVEL, trimmed.
    pub sat_product_revision_level: Option<Ascii<'a>>,
    /// ATA DEVICE SIGNATURE: the 20 bytes of register values the device reported after its
    /// last reset (SAT-4 table "ATA device signature"), raw.
    pub ata_device_signature: Option<&'a [u8]>,
    /// COMMAND CODE.
    pub command_code: Option<AtaCommandCode>,
    /// The 512 bytes of IDENTIFY data; `None` unless all 512 were transferred.
    pub identify_data: Option<&'a [u8]>,
}

impl<'a> AtaInformation<'a> {
    /// Decodes page 89h.
    ///
    /// # Errors
    /// [`Error::Truncated`] below the 4-byte header; [`Error::Malformed`] for another page.
    pub fn parse(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        let page = Page::check(buf, PageCode::ATA_INFORMATION, "page code is not 0x89")?;
        let d = page.data;
        let ascii = |at, len| bytes_at(d, at, len).map(Ascii::trimmed);
        Ok(page.done(AtaInformation {
            sat_vendor_identification: ascii(field::SAT_VENDOR_IDENTIFICATION, 8),
            sat_product_identification: ascii(field::SAT_PRODUCT_IDENTIFICATION, 16),
            sat_product_revision_level: ascii(field::SAT_PRODUCT_REVISION_LEVEL, 4),
            ata_device_signature: bytes_at(d, field::ATA_DEVICE_SIGNATURE, 20),
            command_code: u8_at(d, field::COMMAND_CODE).map(AtaCommandCode),
            identify_data: bytes_at(d, field::IDENTIFY_DATA, field::IDENTIFY_LEN),
        }))
    }

    /// The IDENTIFY data decoded, when all 512 bytes are present.
    pub fn identify(&self) -> Option<IdentifyDevice<'a>> {
        self.identify_data.map(IdentifyDevice::new)
    }
}
