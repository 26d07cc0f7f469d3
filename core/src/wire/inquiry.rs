//! Standard INQUIRY data (SPC-5 §6.7.2).
//!
//! The device returns `ADDITIONAL LENGTH + 5` bytes; a disk given the classic 36-byte
//! allocation length stops after the product revision level, and one given 5 bytes says only
//! how long the whole answer is. [`InquiryData::parse`] needs the first five bytes (the
//! header up to and including ADDITIONAL LENGTH); every field after them is an `Option` that
//! is `None` when its bytes were not transferred or lie beyond the announced length.
//!
//! VPD pages, which are also returned by INQUIRY (EVPD = 1), live in [`super::vpd`].

use super::field::{be16_at, bit_at, bytes_at, u8_at};
use super::{Ascii, Decoded, Error, PeripheralDeviceType};
use core::fmt;

mod field {
    //! Byte offsets, SPC-5 table "Standard INQUIRY data format".
    pub const PERIPHERAL: usize = 0; // 7..5 PERIPHERAL QUALIFIER, 4..0 PERIPHERAL DEVICE TYPE
    pub const RMB: usize = 1; // 7 RMB, 6 LU_CONG
    pub const VERSION: usize = 2;
    pub const FLAGS3: usize = 3; // 5 NORMACA, 4 HISUP, 3..0 RESPONSE DATA FORMAT
    pub const ADDITIONAL_LENGTH: usize = 4;
    pub const HEADER_LEN: usize = 5;
    pub const FLAGS5: usize = 5; // 7 SCCS, 6 ACC, 5..4 TPGS, 3 3PC, 0 PROTECT
    pub const FLAGS6: usize = 6; // 6 ENCSERV, 5 VS, 4 MULTIP
    pub const FLAGS7: usize = 7; // 1 CMDQUE, 0 VS
    pub const T10_VENDOR_IDENTIFICATION: usize = 8; // 8 bytes
    pub const PRODUCT_IDENTIFICATION: usize = 16; // 16 bytes
    pub const PRODUCT_REVISION_LEVEL: usize = 32; // 4 bytes
    pub const VENDOR_SPECIFIC: usize = 36; // 20 bytes
    pub const VERSION_DESCRIPTORS: usize = 58; // eight 2-byte descriptors, to byte 73
    pub const VERSION_DESCRIPTOR_COUNT: usize = 8;
}

crate::open_enum! {
    /// Peripheral qualifier, INQUIRY and VPD byte 0 bits 7..5 (SPC-5 §6.7.2, table
    /// "Peripheral qualifier").
    pub struct PeripheralQualifier(u8) {
        /// A device of the indicated type is connected to this logical unit (or the server
        /// cannot tell whether it is).
        CONNECTED = 0 => "connected",
        /// The device server can serve this type, but no device is connected now.
        NOT_CONNECTED = 1 => "not connected",
        /// The device server cannot serve a device on this logical unit.
        NOT_SUPPORTED = 3 => "not supported",
    }
}

crate::open_enum! {
    /// VERSION, standard INQUIRY byte 2 (SPC-5 §6.7.2, table "VERSION field"): which SPC
    /// revision the device server claims to follow.
    pub struct Version(u8) {
        /// No conformance to any standard is claimed.
        NONE = 0x00 => "no standard claimed",
        /// Obsolete (ANSI INCITS 131, SCSI-2 and earlier used 01h..02h).
        SCSI_1 = 0x01 => "SCSI-1 (obsolete)",
        SCSI_2 = 0x02 => "SCSI-2 (obsolete)",
        SPC = 0x03 => "SPC",
        SPC_2 = 0x04 => "SPC-2",
        SPC_3 = 0x05 => "SPC-3",
        SPC_4 = 0x06 => "SPC-4",
        SPC_5 = 0x07 => "SPC-5",
        /// SPC-6 (named by the SPC-6 drafts; sg3_utils 1.46 does not name it yet).
        SPC_6 = 0x08 => "SPC-6",
    }
}

/// Standard INQUIRY data (SPC-5 §6.7.2, table "Standard INQUIRY data format").
///
/// ```text
///        7      6      5      4      3      2      1      0
///  0  | PERIPHERAL QUAL.   | PERIPHERAL DEVICE TYPE             |
///  1  | RMB  |LU_CONG| reserved                                 |
///  2  | VERSION                                                 |
///  3  | obs. | obs. |NORMACA|HISUP | RESPONSE DATA FORMAT        |
///  4  | ADDITIONAL LENGTH (n - 4)                               |
///  5  | SCCS | ACC  | TPGS        | 3PC  | reserved    |PROTECT|
///  6  | obs. |ENCSERV| VS   |MULTIP| obs. | obs. | obs. | obs. |
///  7  | obs. | obs. | obs. | obs. | obs. | obs. |CMDQUE| VS   |
///  8..15   T10 VENDOR IDENTIFICATION  (ASCII)
/// 16..31   PRODUCT IDENTIFICATION     (ASCII)
/// 32..35   PRODUCT REVISION LEVEL     (ASCII)
/// 36..55   vendor specific
/// 56..57   reserved (SPI-only bits)
/// 58..73   VERSION DESCRIPTOR 1..8   (2 bytes each)
/// 74..95   reserved;  96..n vendor specific
/// ```
///
/// Only bytes that are both present and inside the announced length are decoded. A field
/// whose bytes are not all there is `None`, never a partial value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InquiryData<'a> {
    /// PERIPHERAL QUALIFIER (byte 0 bits 7..5).
    pub peripheral_qualifier: PeripheralQualifier,
    /// PERIPHERAL DEVICE TYPE (byte 0 bits 4..0).
    pub peripheral_device_type: PeripheralDeviceType,
    /// RMB: the medium is removable.
    pub rmb: bool,
    /// LU_CONG: the logical unit is a member of a logical unit conglomerate.
    pub lu_cong: bool,
    /// VERSION.
    pub version: Version,
    /// NORMACA: the device supports setting NACA to one in the CONTROL byte.
    pub normaca: bool,
    /// HISUP: hierarchical LUN addressing.
    pub hisup: bool,
    /// RESPONSE DATA FORMAT (2 for every device since SCSI-2).
    pub response_data_format: u8,
    /// ADDITIONAL LENGTH (byte 4): the length of the rest of the data.
    pub additional_length: u8,
    /// SCCS: an embedded storage array controller.
    pub sccs: Option<bool>,
    /// ACC: an access controls coordinator.
    pub acc: Option<bool>,
    /// TPGS: target port group support (0 none, 1 implicit, 2 explicit, 3 both).
    pub tpgs: Option<u8>,
    /// 3PC: third-party copy commands supported.
    #[doc(alias = "3PC")]
    pub third_party_copy: Option<bool>,
    /// PROTECT: protection information supported.
    pub protect: Option<bool>,
    /// ENCSERV: an embedded enclosure services component.
    pub encserv: Option<bool>,
    /// MULTIP: a multi-port device.
    pub multip: Option<bool>,
    /// CMDQUE: the command management model (queuing) is supported.
    pub cmdque: Option<bool>,
    /// T10 VENDOR IDENTIFICATION (bytes 8..16), trimmed.
    pub t10_vendor_identification: Option<Ascii<'a>>,
    /// PRODUCT IDENTIFICATION (bytes 16..32), trimmed.
    pub product_identification: Option<Ascii<'a>>,
    /// PRODUCT REVISION LEVEL (bytes 32..36), trimmed.
    pub product_revision_level: Option<Ascii<'a>>,
    /// Vendor specific bytes 36..56, raw.
    pub vendor_specific: Option<&'a [u8]>,
    /// VERSION DESCRIPTOR 1..8 (bytes 58..74): the part that was transferred.
    pub version_descriptors: VersionDescriptors<'a>,
}

impl<'a> InquiryData<'a> {
    /// Bytes every standard INQUIRY response has: up to and including ADDITIONAL LENGTH.
    pub const HEADER_LEN: usize = field::HEADER_LEN;

    /// Decodes standard INQUIRY data.
    ///
    /// `announced` is ADDITIONAL LENGTH + 5; bytes past it are ignored even if present.
    ///
    /// # Errors
    /// [`Error::Truncated`] when fewer than 5 bytes are present.
    pub fn parse(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        let (Some(b0), Some(b1), Some(b3), Some(version), Some(additional_length)) = (
            u8_at(buf, field::PERIPHERAL),
            u8_at(buf, field::RMB),
            u8_at(buf, field::FLAGS3),
            u8_at(buf, field::VERSION),
            u8_at(buf, field::ADDITIONAL_LENGTH),
        ) else {
            return Err(Error::Truncated { needed: field::HEADER_LEN, available: buf.len() });
        };
        let announced = usize::from(additional_length) + field::HEADER_LEN;
        let data = buf.get(..announced).unwrap_or(buf);
        let ascii = |at, len| bytes_at(data, at, len).map(Ascii::trimmed);
        let flags5 = u8_at(data, field::FLAGS5);
        let value = InquiryData {
            peripheral_qualifier: PeripheralQualifier(b0 >> 5),
            peripheral_device_type: PeripheralDeviceType(b0 & 0x1f),
            rmb: b1 & 0x80 != 0,
            lu_cong: b1 & 0x40 != 0,
            version: Version(version),
            normaca: b3 & 0x20 != 0,
            hisup: b3 & 0x10 != 0,
            response_data_format: b3 & 0x0f,
            additional_length,
            sccs: bit_at(data, field::FLAGS5, 7),
            acc: bit_at(data, field::FLAGS5, 6),
            tpgs: flags5.map(|b| (b >> 4) & 0x03),
            third_party_copy: bit_at(data, field::FLAGS5, 3),
            protect: bit_at(data, field::FLAGS5, 0),
            encserv: bit_at(data, field::FLAGS6, 6),
            multip: bit_at(data, field::FLAGS6, 4),
            cmdque: bit_at(data, field::FLAGS7, 1),
            t10_vendor_identification: ascii(field::T10_VENDOR_IDENTIFICATION, 8),
            product_identification: ascii(field::PRODUCT_IDENTIFICATION, 16),
            product_revision_level: ascii(field::PRODUCT_REVISION_LEVEL, 4),
            vendor_specific: bytes_at(data, field::VENDOR_SPECIFIC, 20),
            version_descriptors: VersionDescriptors::new(data),
        };
        Ok(Decoded { value, announced, available: buf.len() })
    }
}

/// A version descriptor (SPC-5 §6.7.2, table "Version descriptor values"): a code naming a
/// standard and, optionally, a revision of it that the device claims. Kept as the raw code.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VersionDescriptor(pub u16);

impl fmt::Debug for VersionDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VersionDescriptor({:#06x})", self.0)
    }
}

/// The VERSION DESCRIPTOR fields that were transferred, as an iterator that skips the zero
/// (unused) entries and stops at the first descriptor not wholly present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionDescriptors<'a> {
    bytes: &'a [u8],
}

impl<'a> VersionDescriptors<'a> {
    fn new(data: &'a [u8]) -> Self {
        let end = field::VERSION_DESCRIPTORS + 2 * field::VERSION_DESCRIPTOR_COUNT;
        let end = end.min(data.len());
        let bytes = data.get(field::VERSION_DESCRIPTORS..end).unwrap_or(&[]);
        // Keep whole descriptors only.
        let whole = bytes.len() - bytes.len() % 2;
        VersionDescriptors { bytes: bytes.get(..whole).unwrap_or(&[]) }
    }

    /// How many descriptor slots (zero ones included) were transferred, 0..=8.
    pub fn slots(&self) -> usize {
        self.bytes.len() / 2
    }
}

impl Iterator for VersionDescriptors<'_> {
    type Item = VersionDescriptor;

    fn next(&mut self) -> Option<VersionDescriptor> {
        loop {
            let code = be16_at(self.bytes, 0)?;
            self.bytes = self.bytes.get(2..).unwrap_or(&[]);
            if code != 0 {
                return Some(VersionDescriptor(code));
            }
        }
    }
}

impl fmt::Display for InquiryData<'_> {
    /// One line: `PQ=.. PDT=.. VERSION vendor product revision`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pq={} pdt={:?} version={:?}",
            self.peripheral_qualifier.0, self.peripheral_device_type, self.version
        )?;
        if self.rmb {
            f.write_str(" removable")?;
        }
        if let Some(v) = self.t10_vendor_identification {
            write!(f, " vendor=\"{v}\"")?;
        }
        if let Some(p) = self.product_identification {
            write!(f, " product=\"{p}\"")?;
        }
        if let Some(r) = self.product_revision_level {
            write!(f, " revision=\"{r}\"")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_impossible_len() {
        assert_eq!(
            InquiryData::parse(&[0, 0, 7, 2]),
            Err(Error::Truncated { needed: 5, available: 4 })
        );
    }

    #[test]
    fn test_fields_beyond_announced_length_are_absent() {
        // ADDITIONAL LENGTH 3: the response ends at byte 7, bytes 8.. are stale.
        let mut b = [0x20u8; 40];
        b[..8].copy_from_slice(&[0x00, 0x80, 0x06, 0x12, 0x03, 0x00, 0x10, 0x02]);
        let d = InquiryData::parse(&b).unwrap();
        assert_eq!(d.announced, 8);
        assert!(!d.is_truncated());
        assert!(d.value.rmb);
        assert_eq!(d.value.multip, Some(true));
        assert_eq!(d.value.cmdque, Some(true));
        assert_eq!(d.value.t10_vendor_identification, None);
    }
}
