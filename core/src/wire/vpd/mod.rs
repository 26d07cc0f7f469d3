//! Vital product data pages (SPC-5 §7.7, SBC-4 §6.6, SAT-4 §12.4), returned by INQUIRY with
//! EVPD set to one.
//!
//! Every page starts with the same four bytes (SPC-5 §7.7.1, table "VPD page format"):
//!
//! ```text
//!        7      6      5      4      3      2      1      0
//!  0  | PERIPHERAL QUAL.   | PERIPHERAL DEVICE TYPE             |
//!  1  | PAGE CODE                                               |
//!  2  | PAGE LENGTH (n - 3)  (MSB)                              |
//!  3  |                      (LSB)                              |
//!  4..n  page-specific
//! ```
//!
//! Each page decoder needs those four bytes ([`Error::Truncated`] below them), refuses
//! another page's code with [`Error::Malformed`], announces PAGE LENGTH + 4, and decodes only
//! the bytes that are both present and inside the announced length. [`decode`] chooses the
//! decoder by the page code.

pub mod ata_information;
pub mod block_device_characteristics;
pub mod block_limits;
pub mod device_identification;
pub mod logical_block_provisioning;
pub mod supported_pages;
pub mod unit_serial_number;

pub use ata_information::{AtaCommandCode, AtaInformation};
pub use block_device_characteristics::{
    BlockDeviceCharacteristics, MediumRotationRate, NominalFormFactor, ProductType,
};
pub use block_limits::BlockLimits;
pub use device_identification::{
    Association, CodeSet, Designator, DesignatorType, DesignatorValue, Designators,
    DeviceIdentification, Naa, ProtocolIdentifier,
};
pub use logical_block_provisioning::{LogicalBlockProvisioning, ProvisioningType};
pub use supported_pages::SupportedPages;
pub use unit_serial_number::UnitSerialNumber;

use super::field::{be16_at, u8_at};
use super::inquiry::PeripheralQualifier;
use super::{Decoded, Error, PeripheralDeviceType};

crate::open_enum! {
    /// VPD page codes this crate knows (SPC-5 table "Vital product data page codes", SBC-4
    /// table "VPD page codes for direct access block devices", SAT-4 §12.4).
    pub struct PageCode(u8) {
        SUPPORTED_VPD_PAGES = 0x00 => "Supported VPD Pages",
        UNIT_SERIAL_NUMBER = 0x80 => "Unit Serial Number",
        DEVICE_IDENTIFICATION = 0x83 => "Device Identification",
        SOFTWARE_INTERFACE_IDENTIFICATION = 0x84 => "Software Interface Identification",
        MANAGEMENT_NETWORK_ADDRESSES = 0x85 => "Management Network Addresses",
        EXTENDED_INQUIRY_DATA = 0x86 => "Extended INQUIRY Data",
        MODE_PAGE_POLICY = 0x87 => "Mode Page Policy",
        SCSI_PORTS = 0x88 => "SCSI Ports",
        ATA_INFORMATION = 0x89 => "ATA Information",
        POWER_CONDITION = 0x8A => "Power Condition",
        THIRD_PARTY_COPY = 0x8F => "Third-party Copy",
        BLOCK_LIMITS = 0xB0 => "Block Limits",
        BLOCK_DEVICE_CHARACTERISTICS = 0xB1 => "Block Device Characteristics",
        LOGICAL_BLOCK_PROVISIONING = 0xB2 => "Logical Block Provisioning",
        REFERRALS = 0xB3 => "Referrals",
        BLOCK_DEVICE_CHARACTERISTICS_EXTENSION = 0xB5 => "Block Device Characteristics Extension",
        ZONED_BLOCK_DEVICE_CHARACTERISTICS = 0xB6 => "Zoned Block Device Characteristics",
        BLOCK_LIMITS_EXTENSION = 0xB7 => "Block Limits Extension",
    }
}

/// The four bytes every VPD page starts with (SPC-5 §7.7.1, table "VPD page format").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// PERIPHERAL QUALIFIER (byte 0 bits 7..5).
    pub peripheral_qualifier: PeripheralQualifier,
    /// PERIPHERAL DEVICE TYPE (byte 0 bits 4..0).
    pub peripheral_device_type: PeripheralDeviceType,
    /// PAGE CODE (byte 1).
    pub page_code: PageCode,
    /// PAGE LENGTH (bytes 2..4): bytes after the header.
    pub page_length: u16,
}

impl Header {
    /// Length of the header.
    pub const LEN: usize = 4;

    /// Reads the header.
    ///
    /// # Errors
    /// [`Error::Truncated`] when fewer than 4 bytes are present.
    pub fn parse(buf: &[u8]) -> Result<Self, Error> {
        let (Some(b0), Some(page_code), Some(page_length)) =
            (u8_at(buf, 0), u8_at(buf, 1), be16_at(buf, 2))
        else {
            return Err(Error::Truncated { needed: Self::LEN, available: buf.len() });
        };
        Ok(Header {
            peripheral_qualifier: PeripheralQualifier(b0 >> 5),
            peripheral_device_type: PeripheralDeviceType(b0 & 0x1f),
            page_code: PageCode(page_code),
            page_length,
        })
    }

    /// The length the page announces for itself: PAGE LENGTH + 4.
    pub fn announced(&self) -> usize {
        usize::from(self.page_length) + Self::LEN
    }
}

/// A page checked to carry `code`: the bytes to decode (present and inside the
/// announced length, header included so offsets match the spec's byte numbers), and the
/// lengths for [`Decoded`].
pub(crate) struct Page<'a> {
    pub data: &'a [u8],
    pub announced: usize,
    pub available: usize,
}

impl<'a> Page<'a> {
    pub(crate) fn check(buf: &'a [u8], code: PageCode, wrong: &'static str) -> Result<Self, Error> {
        let header = Header::parse(buf)?;
        if header.page_code != code {
            return Err(Error::Malformed(wrong));
        }
        let announced = header.announced();
        Ok(Page { data: buf.get(..announced).unwrap_or(buf), announced, available: buf.len() })
    }

    pub(crate) fn done<T>(&self, value: T) -> Decoded<T> {
        Decoded { value, announced: self.announced, available: self.available }
    }
}

/// Any VPD page, decoded by [`decode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpdPage<'a> {
    /// 00h.
    SupportedPages(SupportedPages<'a>),
    /// 80h.
    UnitSerialNumber(UnitSerialNumber<'a>),
    /// 83h.
    DeviceIdentification(DeviceIdentification<'a>),
    /// 89h.
    AtaInformation(AtaInformation<'a>),
    /// B0h.
    BlockLimits(BlockLimits),
    /// B1h.
    BlockDeviceCharacteristics(BlockDeviceCharacteristics),
    /// B2h.
    LogicalBlockProvisioning(LogicalBlockProvisioning<'a>),
    /// A page this crate does not decode, kept as its header and its bytes after the header
    /// (those present and inside the announced length).
    Unknown {
        /// PAGE CODE.
        page_code: PageCode,
        /// The page bytes after the 4-byte header.
        data: &'a [u8],
    },
}

impl VpdPage<'_> {
    /// The page code of the decoded page.
    pub fn page_code(&self) -> PageCode {
        match self {
            VpdPage::SupportedPages(_) => PageCode::SUPPORTED_VPD_PAGES,
            VpdPage::UnitSerialNumber(_) => PageCode::UNIT_SERIAL_NUMBER,
            VpdPage::DeviceIdentification(_) => PageCode::DEVICE_IDENTIFICATION,
            VpdPage::AtaInformation(_) => PageCode::ATA_INFORMATION,
            VpdPage::BlockLimits(_) => PageCode::BLOCK_LIMITS,
            VpdPage::BlockDeviceCharacteristics(_) => PageCode::BLOCK_DEVICE_CHARACTERISTICS,
            VpdPage::LogicalBlockProvisioning(_) => PageCode::LOGICAL_BLOCK_PROVISIONING,
            VpdPage::Unknown { page_code, .. } => *page_code,
        }
    }
}

/// Decodes any VPD page, choosing the decoder by PAGE CODE (byte 1).
///
/// Page B1h is decoded as Block Device Characteristics whatever the peripheral device type
/// says (other device types reuse B0h..BFh for other pages; the caller, who knows the
/// device type, decides whether to believe it).
///
/// # Errors
/// [`Error::Truncated`] when fewer than 4 bytes are present.
pub fn decode(buf: &[u8]) -> Result<Decoded<VpdPage<'_>>, Error> {
    let header = Header::parse(buf)?;
    Ok(match header.page_code {
        PageCode::SUPPORTED_VPD_PAGES => SupportedPages::parse(buf)?.map(VpdPage::SupportedPages),
        PageCode::UNIT_SERIAL_NUMBER => {
            UnitSerialNumber::parse(buf)?.map(VpdPage::UnitSerialNumber)
        }
        PageCode::DEVICE_IDENTIFICATION => {
            DeviceIdentification::parse(buf)?.map(VpdPage::DeviceIdentification)
        }
        PageCode::ATA_INFORMATION => AtaInformation::parse(buf)?.map(VpdPage::AtaInformation),
        PageCode::BLOCK_LIMITS => BlockLimits::parse(buf)?.map(VpdPage::BlockLimits),
        PageCode::BLOCK_DEVICE_CHARACTERISTICS => {
            BlockDeviceCharacteristics::parse(buf)?.map(VpdPage::BlockDeviceCharacteristics)
        }
        PageCode::LOGICAL_BLOCK_PROVISIONING => {
            LogicalBlockProvisioning::parse(buf)?.map(VpdPage::LogicalBlockProvisioning)
        }
        page_code => {
            let announced = header.announced();
            let data = buf.get(..announced).unwrap_or(buf);
            Decoded {
                value: VpdPage::Unknown { page_code, data: data.get(Header::LEN..).unwrap_or(&[]) },
                announced,
                available: buf.len(),
            }
        }
    })
}
