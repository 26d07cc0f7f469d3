//! Device Identification VPD page, 83h (SPC-5 §7.7.6), and the designation descriptor it is
//! made of, which other pages reuse (the provisioning group descriptor of page B2h, the
//! SCSI Ports page).

use super::{Page, PageCode};
use crate::wire::field::{array_at, be16_at, be32_at, be64_at, bytes_at, u8_at};
use crate::wire::{Ascii, Decoded, Error};
use core::fmt;

crate::open_enum! {
    /// PROTOCOL IDENTIFIER (SPC-5 §7.6.1, table "PROTOCOL IDENTIFIER field values").
    pub struct ProtocolIdentifier(u8) {
        FIBRE_CHANNEL = 0x0 => "Fibre Channel (FCP-5)",
        SPI = 0x1 => "parallel SCSI (SPI-5, obsolete)",
        SSA = 0x2 => "SSA (obsolete)",
        IEEE_1394 = 0x3 => "IEEE 1394 (SBP-3)",
        SRP = 0x4 => "SCSI RDMA (SRP-2)",
        ISCSI = 0x5 => "iSCSI",
        SAS = 0x6 => "SAS serial SCSI protocol (SPL-4)",
        ADT = 0x7 => "automation/drive interface (ADT-2)",
        ATA = 0x8 => "AT attachment interface (ACS-2)",
        UAS = 0x9 => "USB attached SCSI (UAS-2)",
        SOP = 0xA => "SCSI over PCI Express (SOP)",
        PCIE = 0xB => "PCI Express protocols (PQI)",
        NO_SPECIFIC_PROTOCOL = 0xF => "no specific protocol",
    }
}

crate::open_enum! {
    /// CODE SET (SPC-5 §7.7.6.1, table "CODE SET field").
    pub struct CodeSet(u8) {
        BINARY = 0x1 => "binary",
        ASCII = 0x2 => "ASCII",
        UTF_8 = 0x3 => "UTF-8",
    }
}

crate::open_enum! {
    /// ASSOCIATION (SPC-5 §7.7.6.1, table "ASSOCIATION field"): what the designator names.
    pub struct Association(u8) {
        LOGICAL_UNIT = 0x0 => "addressed logical unit",
        TARGET_PORT = 0x1 => "target port",
        TARGET_DEVICE = 0x2 => "target device that contains the logical unit",
    }
}

crate::open_enum! {
    /// DESIGNATOR TYPE (SPC-5 §7.7.6.1, table "DESIGNATOR TYPE field").
    pub struct DesignatorType(u8) {
        VENDOR_SPECIFIC = 0x0 => "vendor specific",
        T10_VENDOR_ID = 0x1 => "T10 vendor ID based",
        EUI_64 = 0x2 => "EUI-64 based",
        NAA = 0x3 => "NAA",
        RELATIVE_TARGET_PORT = 0x4 => "relative target port identifier",
        TARGET_PORT_GROUP = 0x5 => "target port group",
        LOGICAL_UNIT_GROUP = 0x6 => "logical unit group",
        MD5_LOGICAL_UNIT_IDENTIFIER = 0x7 => "MD5 logical unit identifier",
        SCSI_NAME_STRING = 0x8 => "SCSI name string",
        PROTOCOL_SPECIFIC_PORT_IDENTIFIER = 0x9 => "protocol specific port identifier",
        UUID = 0xA => "UUID",
    }
}

/// Device Identification VPD page (SPC-5 §7.7.6.1, table "Device Identification VPD page").
///
/// ```text
///  0     | PERIPHERAL QUALIFIER | PERIPHERAL DEVICE TYPE |
///  1     | PAGE CODE (83h)                               |
///  2..3  | PAGE LENGTH (n - 3)                           |
///  4..n  | designation descriptor list                   |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceIdentification<'a> {
    list: &'a [u8],
}

impl<'a> DeviceIdentification<'a> {
    /// Decodes page 83h.
    ///
    /// # Errors
    /// [`Error::Truncated`] below the 4-byte header; [`Error::Malformed`] for another page.
    pub fn parse(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        let page = Page::check(buf, PageCode::DEVICE_IDENTIFICATION, "page code is not 0x83")?;
        Ok(page.done(DeviceIdentification { list: page.data.get(4..).unwrap_or(&[]) }))
    }

    /// The designation descriptors that were transferred whole.
    pub fn designators(&self) -> Designators<'a> {
        Designators::new(self.list)
    }
}

/// An iterator over a list of designation descriptors.
///
/// It stops at the end of the list or at a descriptor that is not wholly present (its header
/// or its DESIGNATOR LENGTH runs past the bytes); [`Designators::is_truncated`] then tells
/// that bytes were left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Designators<'a> {
    rest: &'a [u8],
    truncated: bool,
}

impl<'a> Designators<'a> {
    /// Iterates the designation descriptors in `list`.
    pub fn new(list: &'a [u8]) -> Self {
        Designators { rest: list, truncated: false }
    }

    /// Whether iteration stopped at a descriptor that was not wholly present. Meaningful once
    /// the iterator returned `None`.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl<'a> Iterator for Designators<'a> {
    type Item = Designator<'a>;

    fn next(&mut self) -> Option<Designator<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        match Designator::parse(self.rest) {
            Some((d, used)) => {
                self.rest = self.rest.get(used..).unwrap_or(&[]);
                Some(d)
            }
            None => {
                self.truncated = true;
                self.rest = &[];
                None
            }
        }
    }
}

/// A designation descriptor (SPC-5 §7.7.6.1, table "Designation descriptor").
///
/// ```text
///        7      6      5      4      3      2      1      0
///  0  | PROTOCOL IDENTIFIER       | CODE SET                  |
///  1  | PIV  | res. | ASSOCIATION | DESIGNATOR TYPE           |
///  2  | reserved                                              |
///  3  | DESIGNATOR LENGTH (n - 3)                             |
///  4..n  DESIGNATOR
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Designator<'a> {
    /// PROTOCOL IDENTIFIER, as sent (meaningful only per [`Designator::protocol`]).
    pub protocol_identifier: ProtocolIdentifier,
    /// CODE SET.
    pub code_set: CodeSet,
    /// PIV: the PROTOCOL IDENTIFIER field is valid (for target port and target device
    /// associations).
    pub piv: bool,
    /// ASSOCIATION.
    pub association: Association,
    /// DESIGNATOR TYPE.
    pub designator_type: DesignatorType,
    /// DESIGNATOR: the bytes after the 4-byte descriptor header.
    pub designator: &'a [u8],
}

impl<'a> Designator<'a> {
    /// Reads one descriptor from the start of `buf`: it and the bytes it used, or `None`
    /// when it is not wholly present.
    pub fn parse(buf: &'a [u8]) -> Option<(Self, usize)> {
        let [b0, b1, _, len] = array_at::<4>(buf, 0)?;
        let designator = bytes_at(buf, 4, usize::from(len))?;
        Some((
            Designator {
                protocol_identifier: ProtocolIdentifier(b0 >> 4),
                code_set: CodeSet(b0 & 0x0f),
                piv: b1 & 0x80 != 0,
                association: Association((b1 >> 4) & 0x03),
                designator_type: DesignatorType(b1 & 0x0f),
                designator,
            },
            4 + usize::from(len),
        ))
    }

    /// The protocol the designator belongs to, when PIV says PROTOCOL IDENTIFIER is valid:
    /// SPC-5 §7.7.6.1, "If the ASSOCIATION field contains 01b or 10b and the PIV bit is set
    /// to one, then the PROTOCOL IDENTIFIER field [...] identifies the protocol".
    pub fn protocol(&self) -> Option<ProtocolIdentifier> {
        let port_or_device =
            matches!(self.association, Association::TARGET_PORT | Association::TARGET_DEVICE);
        (self.piv && port_or_device).then_some(self.protocol_identifier)
    }

    /// The designator decoded by its type; bytes that do not fit the type's format are
    /// returned as [`DesignatorValue::Raw`].
    pub fn value(&self) -> DesignatorValue<'a> {
        let d = self.designator;
        let raw = DesignatorValue::Raw(d);
        match self.designator_type {
            DesignatorType::VENDOR_SPECIFIC => DesignatorValue::VendorSpecific(d),
            DesignatorType::T10_VENDOR_ID => match (bytes_at(d, 0, 8), d.get(8..)) {
                (Some(vendor), Some(rest)) => DesignatorValue::T10VendorId {
                    t10_vendor_identification: Ascii::trimmed(vendor),
                    vendor_specific_identifier: rest,
                },
                _ => raw,
            },
            DesignatorType::EUI_64 => eui64(d).unwrap_or(raw),
            DesignatorType::NAA => match Naa::parse(d) {
                Some(naa) => DesignatorValue::Naa(naa),
                None => raw,
            },
            DesignatorType::RELATIVE_TARGET_PORT => {
                port_u16(d).map_or(raw, DesignatorValue::RelativeTargetPort)
            }
            DesignatorType::TARGET_PORT_GROUP => {
                port_u16(d).map_or(raw, DesignatorValue::TargetPortGroup)
            }
            DesignatorType::LOGICAL_UNIT_GROUP => {
                port_u16(d).map_or(raw, DesignatorValue::LogicalUnitGroup)
            }
            DesignatorType::MD5_LOGICAL_UNIT_IDENTIFIER if d.len() == 16 => {
                DesignatorValue::Md5LogicalUnitIdentifier(d)
            }
            DesignatorType::SCSI_NAME_STRING => DesignatorValue::ScsiNameString(Ascii::trimmed(d)),
            DesignatorType::PROTOCOL_SPECIFIC_PORT_IDENTIFIER => {
                DesignatorValue::ProtocolSpecificPortIdentifier(d)
            }
            DesignatorType::UUID if d.len() == 18 => match (u8_at(d, 0), array_at::<16>(d, 2)) {
                (Some(b0), Some(uuid)) => DesignatorValue::Uuid { uuid_type: b0 >> 4, uuid },
                _ => raw,
            },
            _ => raw,
        }
    }
}

/// Relative target port, target port group and logical unit group designators: two reserved
/// bytes and a 16-bit value (SPC-5 §7.7.6.7, §7.7.6.8, §7.7.6.9).
fn port_u16(d: &[u8]) -> Option<u16> {
    if d.len() == 4 {
        be16_at(d, 2)
    } else {
        None
    }
}

/// EUI-64 based designators (SPC-5 §7.7.6.5): 8, 12 or 16 bytes.
fn eui64(d: &[u8]) -> Option<DesignatorValue<'_>> {
    let (extension, eui_at, directory_id) = match d.len() {
        8 => (None, 0, None),
        12 => (None, 0, Some(be32_at(d, 8)?)),
        16 => (Some(be64_at(d, 0)?), 8, None),
        _ => return None,
    };
    let eui = be64_at(d, eui_at)?;
    Some(DesignatorValue::Eui64 {
        identifier_extension: extension,
        ieee_company_id: (eui >> 40) as u32,
        vendor_specific_extension_identifier: eui & 0xff_ffff_ffff,
        directory_id,
    })
}

/// A designator decoded according to its DESIGNATOR TYPE (SPC-5 §7.7.6.2..§7.7.6.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignatorValue<'a> {
    /// Type 0h: vendor specific bytes.
    VendorSpecific(&'a [u8]),
    /// Type 1h (SPC-5 §7.7.6.4, table "T10 vendor ID based designator format").
    T10VendorId {
        /// T10 VENDOR IDENTIFICATION (8 bytes), trimmed.
        t10_vendor_identification: Ascii<'a>,
        /// VENDOR SPECIFIC IDENTIFIER: the rest, raw.
        vendor_specific_identifier: &'a [u8],
    },
    /// Type 2h (SPC-5 §7.7.6.5, tables "EUI-64 designator format", "EUI-64 based 12-byte
    /// designator format", "EUI-64 based 16-byte designator format").
    Eui64 {
        /// IDENTIFIER EXTENSION, bytes 0..8 of the 16-byte form.
        identifier_extension: Option<u64>,
        /// IEEE COMPANY_ID (24 bits).
        ieee_company_id: u32,
        /// VENDOR SPECIFIC EXTENSION IDENTIFIER (40 bits).
        vendor_specific_extension_identifier: u64,
        /// DIRECTORY ID, bytes 8..12 of the 12-byte form.
        directory_id: Option<u32>,
    },
    /// Type 3h.
    Naa(Naa),
    /// Type 4h: RELATIVE TARGET PORT IDENTIFIER.
    RelativeTargetPort(u16),
    /// Type 5h: TARGET PORT GROUP.
    TargetPortGroup(u16),
    /// Type 6h: LOGICAL UNIT GROUP.
    LogicalUnitGroup(u16),
    /// Type 7h: the 16-byte MD5 LOGICAL UNIT IDENTIFIER.
    Md5LogicalUnitIdentifier(&'a [u8]),
    /// Type 8h: SCSI NAME STRING (UTF-8, NUL terminated and padded), trimmed.
    ScsiNameString(Ascii<'a>),
    /// Type 9h: protocol specific port identifier (format depends on
    /// [`Designator::protocol`]), raw.
    ProtocolSpecificPortIdentifier(&'a [u8]),
    /// Type Ah (SPC-5 §7.7.6.12, table "UUID designator format").
    Uuid {
        /// UUID TYPE (byte 0 bits 7..4; 1h = locally assigned RFC 4122 UUID).
        uuid_type: u8,
        /// The UUID, bytes 2..18.
        uuid: [u8; 16],
    },
    /// A reserved designator type, or a designator whose length does not fit its type.
    Raw(&'a [u8]),
}

/// An NAA designator (SPC-5 §7.7.6.6), by its NAA field (the high nibble of byte 0).
///
/// ```text
///  NAA 2h IEEE Extended (8 bytes):
///    | NAA (4) | VENDOR SPECIFIC IDENTIFIER A (12) | IEEE COMPANY_ID (24) | VS ID B (24) |
///  NAA 3h Locally Assigned (8 bytes):
///    | NAA (4) | LOCALLY ADMINISTERED VALUE (60) |
///  NAA 5h IEEE Registered (8 bytes):
///    | NAA (4) | IEEE COMPANY_ID (24) | VENDOR SPECIFIC IDENTIFIER (36) |
///  NAA 6h IEEE Registered Extended (16 bytes):
///    | NAA (4) | IEEE COMPANY_ID (24) | VENDOR SPECIFIC IDENTIFIER (36) |
///    | VENDOR SPECIFIC IDENTIFIER EXTENSION (64) |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naa {
    /// NAA 2h.
    IeeeExtended {
        /// VENDOR SPECIFIC IDENTIFIER A (12 bits).
        vendor_specific_identifier_a: u16,
        /// IEEE COMPANY_ID (24 bits).
        ieee_company_id: u32,
        /// VENDOR SPECIFIC IDENTIFIER B (24 bits).
        vendor_specific_identifier_b: u32,
    },
    /// NAA 3h.
    LocallyAssigned {
        /// LOCALLY ADMINISTERED VALUE (60 bits).
        locally_administered_value: u64,
    },
    /// NAA 5h.
    IeeeRegistered {
        /// IEEE COMPANY_ID (24 bits).
        ieee_company_id: u32,
        /// VENDOR SPECIFIC IDENTIFIER (36 bits).
        vendor_specific_identifier: u64,
    },
    /// NAA 6h.
    IeeeRegisteredExtended {
        /// IEEE COMPANY_ID (24 bits).
        ieee_company_id: u32,
        /// VENDOR SPECIFIC IDENTIFIER (36 bits).
        vendor_specific_identifier: u64,
        /// VENDOR SPECIFIC IDENTIFIER EXTENSION (64 bits).
        vendor_specific_identifier_extension: u64,
    },
}

impl Naa {
    /// Decodes an NAA designator; `None` for a reserved NAA value or a length that does not
    /// match its NAA value.
    pub fn parse(d: &[u8]) -> Option<Self> {
        let first = be64_at(d, 0)?;
        let registered = || ((first >> 36) as u32 & 0xff_ffff, first & 0xf_ffff_ffff);
        match (first >> 60, d.len()) {
            (2, 8) => Some(Naa::IeeeExtended {
                vendor_specific_identifier_a: (first >> 48) as u16 & 0x0fff,
                ieee_company_id: (first >> 24) as u32 & 0xff_ffff,
                vendor_specific_identifier_b: first as u32 & 0xff_ffff,
            }),
            (3, 8) => Some(Naa::LocallyAssigned {
                locally_administered_value: first & 0x0fff_ffff_ffff_ffff,
            }),
            (5, 8) => {
                let (ieee_company_id, vendor_specific_identifier) = registered();
                Some(Naa::IeeeRegistered { ieee_company_id, vendor_specific_identifier })
            }
            (6, 16) => {
                let (ieee_company_id, vendor_specific_identifier) = registered();
                Some(Naa::IeeeRegisteredExtended {
                    ieee_company_id,
                    vendor_specific_identifier,
                    vendor_specific_identifier_extension: be64_at(d, 8)?,
                })
            }
            _ => None,
        }
    }

    /// The NAA field value.
    pub fn naa(&self) -> u8 {
        match self {
            Naa::IeeeExtended { .. } => 2,
            Naa::LocallyAssigned { .. } => 3,
            Naa::IeeeRegistered { .. } => 5,
            Naa::IeeeRegisteredExtended { .. } => 6,
        }
    }

    /// IEEE COMPANY_ID, for the formats that carry one.
    pub fn ieee_company_id(&self) -> Option<u32> {
        match *self {
            Naa::IeeeExtended { ieee_company_id, .. }
            | Naa::IeeeRegistered { ieee_company_id, .. }
            | Naa::IeeeRegisteredExtended { ieee_company_id, .. } => Some(ieee_company_id),
            Naa::LocallyAssigned { .. } => None,
        }
    }
}

/// Writes bytes as lowercase hex without separators.
fn hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

impl fmt::Display for Designator<'_> {
    /// `association, type, code set: value`, with binary designators as `0x` hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}, {:?}, {:?}", self.association, self.designator_type, self.code_set)?;
        if let Some(p) = self.protocol() {
            write!(f, ", {p:?}")?;
        }
        f.write_str(": ")?;
        match self.value() {
            DesignatorValue::T10VendorId {
                t10_vendor_identification,
                vendor_specific_identifier,
            } => {
                write!(
                    f,
                    "{t10_vendor_identification} {}",
                    Ascii::trimmed(vendor_specific_identifier)
                )
            }
            DesignatorValue::ScsiNameString(s) => write!(f, "{s}"),
            DesignatorValue::RelativeTargetPort(v)
            | DesignatorValue::TargetPortGroup(v)
            | DesignatorValue::LogicalUnitGroup(v) => write!(f, "{v:#x}"),
            DesignatorValue::Uuid { uuid, .. } => {
                for (i, b) in uuid.iter().enumerate() {
                    if matches!(i, 4 | 6 | 8 | 10) {
                        f.write_str("-")?;
                    }
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
            _ => {
                f.write_str("0x")?;
                hex(f, self.designator)
            }
        }
    }
}
