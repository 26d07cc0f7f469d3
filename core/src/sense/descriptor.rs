//! Sense data descriptors of descriptor-format sense (SPC-5 §4.4.2, table "Sense data
//! descriptor format"; the codes from SPC-5 table "Sense data descriptor types").
//!
//! Every descriptor starts with the same two bytes:
//!
//! ```text
//! byte 0: DESCRIPTOR TYPE
//! byte 1: ADDITIONAL LENGTH (n - 1)
//! byte 2..n: type-specific
//! ```
//!
//! [`Descriptors`] walks them over the original bytes; [`RawDescriptor::decode`] turns one
//! into a [`Descriptor`]. Offsets below are from the descriptor's byte 0, as in the tables.

use core::fmt;

use super::ata::AtaStatusReturn;
use super::sks::{write_progress, SenseKeySpecific};
use super::SenseKey;
use crate::wire::field::{array_at, be16_at, be32_at, be64_at, bit_at, bytes_at, u8_at};

/// A descriptor that does not fit in the sense data: the walk stops at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "descriptor {descriptor_type:#04x} at byte {offset} needs {needed} bytes, the {} leaves {available}",
    overrun_limit(*.buffer_ended)
)]
pub struct DescriptorOverrun {
    /// Offset of the descriptor from the start of the sense buffer.
    pub offset: usize,
    /// Its DESCRIPTOR TYPE byte.
    pub descriptor_type: u8,
    /// Bytes its header (or its ADDITIONAL LENGTH) says it needs.
    pub needed: usize,
    /// Bytes that are left for it.
    pub available: usize,
    /// Whether the buffer ended (a truncated transfer) rather than the ADDITIONAL SENSE
    /// LENGTH (a malformed descriptor list).
    pub buffer_ended: bool,
}

/// What ended the room for a [`DescriptorOverrun`], as its message names it.
fn overrun_limit(buffer_ended: bool) -> &'static str {
    if buffer_ended {
        "sense buffer"
    } else {
        "additional sense length"
    }
}

/// One sense data descriptor as it sits in the buffer, header included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawDescriptor<'a> {
    /// Offset of byte 0 from the start of the sense buffer.
    pub offset: usize,
    /// The whole descriptor: type, additional length and `additional length` more bytes.
    pub bytes: &'a [u8],
    /// The sense key of the sense data it came from (the sense key specific descriptor's
    /// meaning depends on it).
    pub sense_key: SenseKey,
}

impl<'a> RawDescriptor<'a> {
    /// DESCRIPTOR TYPE.
    pub fn descriptor_type(&self) -> u8 {
        u8_at(self.bytes, 0).unwrap_or(0)
    }

    /// ADDITIONAL LENGTH.
    pub fn additional_length(&self) -> u8 {
        u8_at(self.bytes, 1).unwrap_or(0)
    }

    /// Decodes the type-specific fields.
    pub fn decode(&self) -> Descriptor<'a> {
        let t = self.descriptor_type();
        decode_known(self.bytes, t, self.sense_key)
            .unwrap_or(Descriptor::TooShort { descriptor_type: t, bytes: self.bytes })
    }
}

/// The descriptor's fields, `None` if it is too short for them.
fn decode_known(d: &[u8], t: u8, key: SenseKey) -> Option<Descriptor<'_>> {
    {
        match t {
            0x00 => information(d),
            0x01 => Some(Descriptor::CommandSpecificInformation {
                command_specific_information: be64_at(d, 4)?,
            }),
            0x02 => sense_key_specific(d, key),
            0x03 => {
                Some(Descriptor::FieldReplaceableUnit { field_replaceable_unit_code: u8_at(d, 3)? })
            }
            0x04 => u8_at(d, 3).map(|b| Descriptor::StreamCommands {
                filemark: b & 0x80 != 0,
                eom: b & 0x40 != 0,
                ili: b & 0x20 != 0,
            }),
            0x05 => u8_at(d, 3).map(|b| Descriptor::BlockCommands { ili: b & 0x20 != 0 }),
            0x06 => osd_object_identification(d),
            0x07 => bytes_at(d, 4, 32).map(|v| Descriptor::OsdResponseIntegrityCheckValue {
                response_integrity_check_value: v,
            }),
            0x08 => d
                .get(8..)
                .map(|list| Descriptor::OsdAttributeIdentification { attribute_list: list }),
            0x09 => AtaStatusReturn::from_descriptor(d).map(Descriptor::AtaStatusReturn),
            0x0A => another_progress_indication(d),
            0x0B => Some(Descriptor::UserDataSegmentReferral {
                not_all_referrals: bit_at(d, 2, 0)?,
                segments: UserDataSegments { rest: d.get(4..)? },
            }),
            0x0C => Some(Descriptor::ForwardedSenseData {
                fsdt: bit_at(d, 2, 7)?,
                sense_data_source: u8_at(d, 2)? & 0x0f,
                forwarded_status: u8_at(d, 3)?,
                sense_data: d.get(4..)?,
            }),
            0x0D => direct_access_block_device(d, key),
            0x0E => Some(Descriptor::DeviceDesignation {
                usage_reason: u8_at(d, 3)?,
                designation_descriptor: d.get(4..)?,
            }),
            0x0F => Some(Descriptor::MicrocodeActivationTime {
                microcode_activation_time: be16_at(d, 6)?,
            }),
            _ => Some(Descriptor::Other { descriptor_type: t, bytes: d }),
        }
    }
}

/// Offsets, from the descriptor's byte 0, of the fields INFORMATION is read from.
mod field {
    /// 00h Information (SPC-5 table "Information sense data descriptor format"): VALID is
    /// bit 7 of this byte.
    pub const INFORMATION_VALID: usize = 2;
    /// 00h: INFORMATION (8 bytes).
    pub const INFORMATION: usize = 4;
    /// 0Dh Direct-access block device (SBC-4 table "Direct-access block device sense data
    /// descriptor format"): VALID (bit 7) and ILI (bit 5).
    pub const DABD_VALID_ILI: usize = 2;
    /// 0Dh: SKSV and SENSE KEY SPECIFIC (3 bytes).
    pub const DABD_SENSE_KEY_SPECIFIC: usize = 4;
    /// 0Dh: FIELD REPLACEABLE UNIT CODE.
    pub const DABD_FIELD_REPLACEABLE_UNIT_CODE: usize = 7;
    /// 0Dh: INFORMATION (8 bytes).
    pub const DABD_INFORMATION: usize = 8;
    /// 0Dh: COMMAND-SPECIFIC INFORMATION (8 bytes).
    pub const DABD_COMMAND_SPECIFIC_INFORMATION: usize = 16;
    /// 0Dh: the whole descriptor (ADDITIONAL LENGTH 1Ch), required before its fields are
    /// trusted, as sg3_utils does.
    pub const DABD_LEN: usize = 30;
}

/// The INFORMATION a descriptor carries, if it carries one with VALID set: an information
/// descriptor (00h) or a direct-access block device descriptor (0Dh), complete enough for
/// the field (as [`RawDescriptor::decode`] requires). The one rule behind both
/// [`Header::information`](super::Header::information) and
/// [`Sense::information`](super::Sense::information).
#[inline]
pub(super) fn valid_information(d: &[u8]) -> Option<u64> {
    let (valid, information) = match u8_at(d, 0)? {
        0x00 => (u8_at(d, field::INFORMATION_VALID)?, be64_at(d, field::INFORMATION)?),
        0x0D if d.len() >= field::DABD_LEN => {
            (u8_at(d, field::DABD_VALID_ILI)?, be64_at(d, field::DABD_INFORMATION)?)
        }
        _ => return None,
    };
    (valid & 0x80 != 0).then_some(information)
}

fn information(d: &[u8]) -> Option<Descriptor<'_>> {
    Some(Descriptor::Information {
        valid: bit_at(d, field::INFORMATION_VALID, 7)?,
        information: be64_at(d, field::INFORMATION)?,
    })
}

fn sense_key_specific(d: &[u8], key: SenseKey) -> Option<Descriptor<'_>> {
    // SPC-5 table "Sense key specific sense data descriptor format": bytes 2..3 reserved,
    // bytes 4..6 SKSV + SENSE KEY SPECIFIC, byte 7 reserved (ADDITIONAL LENGTH 06h).
    let b: [u8; 3] = array_at(d, 4)?;
    be16_at(d, 6)?; // the reserved byte 7 completes the descriptor
    Some(Descriptor::SenseKeySpecific {
        sksv: b[0] & 0x80 != 0,
        sense_key_specific: SenseKeySpecific::decode(key, b),
    })
}

fn osd_object_identification(d: &[u8]) -> Option<Descriptor<'_>> {
    // OSD-2 table "OSD object identification sense data descriptor format" (ADDITIONAL
    // LENGTH 1Eh): bytes 8..11 NOT INITIATED COMMANDS, 12..15 COMPLETED COMMANDS,
    // 16..23 PARTITION_ID, 24..31 OBJECT_ID.
    Some(Descriptor::OsdObjectIdentification {
        not_initiated_commands: be32_at(d, 8)?,
        completed_commands: be32_at(d, 12)?,
        partition_id: be64_at(d, 16)?,
        object_id: be64_at(d, 24)?,
    })
}

fn another_progress_indication(d: &[u8]) -> Option<Descriptor<'_>> {
    // SPC-5 table "Another progress indication sense data descriptor format" (ADDITIONAL
    // LENGTH 06h): byte 2 SENSE KEY, 3 ASC, 4 ASCQ, 5 reserved, 6..7 PROGRESS INDICATION.
    Some(Descriptor::AnotherProgressIndication {
        sense_key: SenseKey(u8_at(d, 2)? & 0x0f),
        asc: u8_at(d, 3)?,
        ascq: u8_at(d, 4)?,
        progress_indication: be16_at(d, 6)?,
    })
}

fn direct_access_block_device(d: &[u8], key: SenseKey) -> Option<Descriptor<'_>> {
    // SBC-4 table "Direct-access block device sense data descriptor format": byte 2
    // VALID(7) ILI(5), byte 3 reserved, bytes 4..6 SKSV + SENSE KEY SPECIFIC, byte 7 FIELD
    // REPLACEABLE UNIT CODE, 8..15 INFORMATION, 16..23 COMMAND-SPECIFIC INFORMATION.
    // ADDITIONAL LENGTH 1Ch is required before the fields are trusted, as sg3_utils does.
    if d.len() < field::DABD_LEN {
        return None;
    }
    let b2 = u8_at(d, field::DABD_VALID_ILI)?;
    let sks: [u8; 3] = array_at(d, field::DABD_SENSE_KEY_SPECIFIC)?;
    Some(Descriptor::DirectAccessBlockDevice {
        valid: b2 & 0x80 != 0,
        ili: b2 & 0x20 != 0,
        sksv: sks[0] & 0x80 != 0,
        sense_key_specific: SenseKeySpecific::decode(key, sks),
        field_replaceable_unit_code: u8_at(d, field::DABD_FIELD_REPLACEABLE_UNIT_CODE)?,
        information: be64_at(d, field::DABD_INFORMATION)?,
        command_specific_information: be64_at(d, field::DABD_COMMAND_SPECIFIC_INFORMATION)?,
    })
}

/// A decoded sense data descriptor (SPC-5 table "Sense data descriptor types").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Descriptor<'a> {
    /// 00h Information (SPC-5 table "Information sense data descriptor format"): byte 2
    /// VALID(7), bytes 4..11 INFORMATION.
    Information {
        /// VALID: the INFORMATION field is defined by a standard (else vendor specific).
        valid: bool,
        /// INFORMATION.
        information: u64,
    },
    /// 01h Command-specific information (SPC-5 table "Command-specific information sense
    /// data descriptor format"): bytes 4..11.
    CommandSpecificInformation {
        /// COMMAND-SPECIFIC INFORMATION.
        command_specific_information: u64,
    },
    /// 02h Sense key specific (SPC-5 §4.4.2.2): bytes 4..6.
    SenseKeySpecific {
        /// SKSV: the field is valid.
        sksv: bool,
        /// The field, decoded for the sense data's sense key.
        sense_key_specific: SenseKeySpecific,
    },
    /// 03h Field replaceable unit (SPC-5 table "Field replaceable unit sense data
    /// descriptor format"): byte 3.
    FieldReplaceableUnit {
        /// FIELD REPLACEABLE UNIT CODE (0: no unit identified).
        field_replaceable_unit_code: u8,
    },
    /// 04h Stream commands (SSC-4 table "Stream commands sense data descriptor format"):
    /// byte 3 FILEMARK(7) EOM(6) ILI(5).
    StreamCommands {
        /// FILEMARK.
        filemark: bool,
        /// EOM.
        eom: bool,
        /// ILI.
        ili: bool,
    },
    /// 05h Block commands (SBC-4 table "Block commands sense data descriptor format"):
    /// byte 3 ILI(5).
    BlockCommands {
        /// ILI: incorrect length indication.
        ili: bool,
    },
    /// 06h OSD object identification (OSD-2).
    OsdObjectIdentification {
        /// NOT INITIATED COMMANDS bit mask.
        not_initiated_commands: u32,
        /// COMPLETED COMMANDS bit mask.
        completed_commands: u32,
        /// PARTITION_ID.
        partition_id: u64,
        /// OBJECT_ID.
        object_id: u64,
    },
    /// 07h OSD response integrity check value (OSD-2): bytes 4..35.
    OsdResponseIntegrityCheckValue {
        /// RESPONSE INTEGRITY CHECK VALUE (32 bytes).
        response_integrity_check_value: &'a [u8],
    },
    /// 08h OSD attribute identification (OSD-2): from byte 8, a list of 8-byte entries
    /// (ATTRIBUTES PAGE, ATTRIBUTE NUMBER); see [`Descriptor::osd_attributes`].
    OsdAttributeIdentification {
        /// The attribute list bytes.
        attribute_list: &'a [u8],
    },
    /// 09h ATA Status Return (SAT-4 §12.2.2.6).
    AtaStatusReturn(AtaStatusReturn),
    /// 0Ah Another progress indication (SPC-5): the progress of an operation other than the
    /// one the sense data reports.
    AnotherProgressIndication {
        /// SENSE KEY of the other operation.
        sense_key: SenseKey,
        /// ADDITIONAL SENSE CODE of the other operation.
        asc: u8,
        /// ADDITIONAL SENSE CODE QUALIFIER of the other operation.
        ascq: u8,
        /// PROGRESS INDICATION (fraction of 65 536).
        progress_indication: u16,
    },
    /// 0Bh User data segment referral (SBC-4 table "User data segment referral sense data
    /// descriptor format"): byte 2 NOT_ALL_R(0), from byte 4 the segment descriptors.
    UserDataSegmentReferral {
        /// NOT_ALL_R: not every user data segment is described.
        #[doc(alias = "NOT_ALL_R")]
        not_all_referrals: bool,
        /// The user data segment referral descriptors.
        segments: UserDataSegments<'a>,
    },
    /// 0Ch Forwarded sense data (SPC-5 table "Forwarded sense data descriptor format"):
    /// byte 2 FSDT(7) SENSE DATA SOURCE(3..0), byte 3 FORWARDED STATUS, from byte 4 the
    /// forwarded sense data (parse it with [`parse`](super::parse)).
    ForwardedSenseData {
        /// FSDT: forwarded sense data truncated.
        fsdt: bool,
        /// SENSE DATA SOURCE (0: EXTENDED COPY source device, 1..7: destination 0..6).
        sense_data_source: u8,
        /// FORWARDED STATUS (a SAM status code).
        forwarded_status: u8,
        /// SENSE DATA.
        sense_data: &'a [u8],
    },
    /// 0Dh Direct-access block device (SBC-4): descriptors 00h..03h and ILI in one.
    DirectAccessBlockDevice {
        /// VALID: INFORMATION is defined.
        valid: bool,
        /// ILI.
        ili: bool,
        /// SKSV.
        sksv: bool,
        /// The SENSE KEY SPECIFIC field, decoded for the sense key.
        sense_key_specific: SenseKeySpecific,
        /// FIELD REPLACEABLE UNIT CODE.
        field_replaceable_unit_code: u8,
        /// INFORMATION.
        information: u64,
        /// COMMAND-SPECIFIC INFORMATION.
        command_specific_information: u64,
    },
    /// 0Eh Device designation (SPC-5 table "Device designation sense data descriptor
    /// format"): byte 3 USAGE REASON, from byte 4 a designation descriptor (VPD page 83h
    /// format).
    DeviceDesignation {
        /// USAGE REASON.
        usage_reason: u8,
        /// The designation descriptor bytes.
        designation_descriptor: &'a [u8],
    },
    /// 0Fh Microcode activation time (SPC-5 table "Microcode activation time sense data
    /// descriptor format"): bytes 6..7.
    MicrocodeActivationTime {
        /// MICROCODE ACTIVATION TIME in seconds (0: unknown).
        microcode_activation_time: u16,
    },
    /// A descriptor of a type above whose ADDITIONAL LENGTH is too small for its fields.
    TooShort {
        /// DESCRIPTOR TYPE.
        descriptor_type: u8,
        /// The whole descriptor.
        bytes: &'a [u8],
    },
    /// A reserved (10h..7Fh) or vendor-specific (80h..FFh) descriptor, kept raw.
    Other {
        /// DESCRIPTOR TYPE.
        descriptor_type: u8,
        /// The whole descriptor.
        bytes: &'a [u8],
    },
}

impl Descriptor<'_> {
    /// The (ATTRIBUTES PAGE, ATTRIBUTE NUMBER) pairs of an OSD attribute identification
    /// descriptor; empty for every other descriptor.
    pub fn osd_attributes(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let list: &[u8] = match self {
            Descriptor::OsdAttributeIdentification { attribute_list } => attribute_list,
            _ => &[],
        };
        list.chunks_exact(8).filter_map(|c| Some((be32_at(c, 0)?, be32_at(c, 4)?)))
    }
}

/// The user data segment referral descriptors of a 0Bh descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserDataSegments<'a> {
    rest: &'a [u8],
}

/// One user data segment referral descriptor (SBC-4 table "User data segment referral
/// descriptor format"): bytes 0..2 reserved, byte 3 NUMBER OF TARGET PORT GROUP
/// DESCRIPTORS, 4..11 FIRST USER DATA SEGMENT LBA, 12..19 LAST USER DATA SEGMENT LBA, then
/// 4-byte target port group descriptors (byte 0 ASYMMETRIC ACCESS STATE(3..0), 2..3 TARGET
/// PORT GROUP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserDataSegment<'a> {
    /// FIRST USER DATA SEGMENT LBA.
    pub first_lba: u64,
    /// LAST USER DATA SEGMENT LBA.
    pub last_lba: u64,
    target_port_groups: &'a [u8],
}

impl<'a> UserDataSegment<'a> {
    /// (ASYMMETRIC ACCESS STATE, TARGET PORT GROUP) of each target port group descriptor.
    pub fn target_port_groups(&self) -> impl Iterator<Item = (u8, u16)> + 'a {
        self.target_port_groups
            .chunks_exact(4)
            .filter_map(|c| Some((u8_at(c, 0)? & 0x0f, be16_at(c, 2)?)))
    }
}

impl<'a> Iterator for UserDataSegments<'a> {
    /// A segment, or `Err(())` once for a segment that runs past the descriptor (the walk
    /// then stops).
    type Item = Result<UserDataSegment<'a>, ()>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let seg = (|| {
            let n = usize::from(u8_at(self.rest, 3)?);
            let len = n.checked_mul(4)?.checked_add(20)?;
            let bytes = self.rest.get(..len)?;
            Some((
                UserDataSegment {
                    first_lba: be64_at(bytes, 4)?,
                    last_lba: be64_at(bytes, 12)?,
                    target_port_groups: bytes.get(20..)?,
                },
                len,
            ))
        })();
        match seg {
            Some((s, len)) => {
                self.rest = self.rest.get(len..).unwrap_or(&[]);
                Some(Ok(s))
            }
            None => {
                self.rest = &[];
                Some(Err(()))
            }
        }
    }
}

/// Walks the sense data descriptors of descriptor-format sense, over the original bytes.
///
/// Yields each whole descriptor; a descriptor that runs past the end of the descriptor
/// list (the ADDITIONAL SENSE LENGTH, or the buffer if that ends first) is yielded once as
/// `Err` and ends the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptors<'a> {
    rest: &'a [u8],
    offset: usize,
    sense_key: SenseKey,
    buffer_ended: bool,
}

impl<'a> Descriptors<'a> {
    /// A walk over `list`, the descriptor bytes starting at sense byte `offset`;
    /// `buffer_ended` says whether the list was cut by the end of the buffer.
    pub(crate) fn new(
        list: &'a [u8],
        offset: usize,
        sense_key: SenseKey,
        buffer_ended: bool,
    ) -> Self {
        Descriptors { rest: list, offset, sense_key, buffer_ended }
    }

    /// An empty walk (fixed-format sense has no descriptors).
    pub fn empty() -> Self {
        Descriptors { rest: &[], offset: 8, sense_key: SenseKey::NO_SENSE, buffer_ended: false }
    }
}

/// One step of the walk: `(descriptor, rest of the list)`, or the bytes a descriptor that
/// runs past the end needs.
pub(super) type Split<'a> = Result<(&'a [u8], &'a [u8]), usize>;

/// Splits the first descriptor off a descriptor list, reading only its two header bytes:
/// `None` at the end of the list, `Ok((descriptor, rest))`, or `Err(needed)` when the
/// descriptor (or its header) runs past the end. The one walk step behind [`Descriptors`]
/// and [`Header::information`](super::Header::information).
#[inline]
pub(super) fn split_descriptor(list: &[u8]) -> Option<Split<'_>> {
    u8_at(list, 0)?;
    let needed = match u8_at(list, 1) {
        Some(len) => usize::from(len) + 2,
        None => 2,
    };
    Some(list.split_at_checked(needed).ok_or(needed))
}

impl<'a> Iterator for Descriptors<'a> {
    type Item = Result<RawDescriptor<'a>, DescriptorOverrun>;

    fn next(&mut self) -> Option<Self::Item> {
        match split_descriptor(self.rest)? {
            Ok((bytes, rest)) => {
                let raw = RawDescriptor { offset: self.offset, bytes, sense_key: self.sense_key };
                self.rest = rest;
                self.offset = self.offset.saturating_add(bytes.len());
                Some(Ok(raw))
            }
            Err(needed) => {
                let overrun = DescriptorOverrun {
                    offset: self.offset,
                    descriptor_type: u8_at(self.rest, 0).unwrap_or(0),
                    needed,
                    available: self.rest.len(),
                    buffer_ended: self.buffer_ended,
                };
                self.rest = &[];
                Some(Err(overrun))
            }
        }
    }
}

impl fmt::Display for Descriptor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Descriptor::Information { valid, information } => {
                write!(f, "information: {information:#x}")?;
                if !valid {
                    f.write_str(" (VALID=0, vendor specific)")?;
                }
                Ok(())
            }
            Descriptor::CommandSpecificInformation { command_specific_information } => {
                write!(f, "command-specific information: {command_specific_information:#x}")
            }
            Descriptor::SenseKeySpecific { sksv, sense_key_specific } => {
                write!(f, "{sense_key_specific}")?;
                if !sksv {
                    f.write_str(" (SKSV=0)")?;
                }
                Ok(())
            }
            Descriptor::FieldReplaceableUnit { field_replaceable_unit_code } => {
                write!(f, "field replaceable unit code: {field_replaceable_unit_code:#x}")
            }
            Descriptor::StreamCommands { filemark, eom, ili } => {
                f.write_str("stream commands:")?;
                flags(f, filemark, eom, ili)
            }
            Descriptor::BlockCommands { ili } => {
                write!(f, "block commands: ILI {}", if ili { "set" } else { "clear" })
            }
            Descriptor::OsdObjectIdentification { partition_id, object_id, .. } => {
                write!(f, "OSD object identification: partition {partition_id:#x} object {object_id:#x}")
            }
            Descriptor::OsdResponseIntegrityCheckValue { .. } => {
                f.write_str("OSD response integrity check value")
            }
            Descriptor::OsdAttributeIdentification { attribute_list } => {
                write!(f, "OSD attribute identification: {} attributes", attribute_list.len() / 8)
            }
            Descriptor::AtaStatusReturn(a) => write!(
                f,
                "ATA status return: extend={} error={:#04x} count={:#x} lba={:#x} device={:#04x} status={:#04x}",
                u8::from(a.extend),
                a.error,
                a.count,
                a.lba,
                a.device,
                a.status
            ),
            Descriptor::AnotherProgressIndication { sense_key, asc, ascq, progress_indication } => {
                f.write_str("another progress indication: ")?;
                write_progress(f, progress_indication)?;
                write!(f, " for sense key {:#x} asc/ascq {asc:02x}/{ascq:02x}", sense_key.0)
            }
            Descriptor::UserDataSegmentReferral { not_all_referrals, segments } => write!(
                f,
                "user data segment referral: {} segments{}",
                segments.count(),
                if not_all_referrals { " (not all)" } else { "" }
            ),
            Descriptor::ForwardedSenseData { fsdt, sense_data_source, forwarded_status, sense_data } => write!(
                f,
                "forwarded sense data: source {sense_data_source} status {forwarded_status:#04x}, {} bytes{}",
                sense_data.len(),
                if fsdt { " (truncated)" } else { "" }
            ),
            Descriptor::DirectAccessBlockDevice { valid, ili, sksv, sense_key_specific, field_replaceable_unit_code, information, command_specific_information } => {
                f.write_str("direct-access block device:")?;
                if valid {
                    write!(f, " information {information:#x}")?;
                }
                write!(f, " command-specific {command_specific_information:#x}")?;
                if sksv {
                    write!(f, " {sense_key_specific}")?;
                }
                if field_replaceable_unit_code != 0 {
                    write!(f, " FRU {field_replaceable_unit_code:#x}")?;
                }
                if ili {
                    f.write_str(" ILI")?;
                }
                Ok(())
            }
            Descriptor::DeviceDesignation { usage_reason, designation_descriptor } => write!(
                f,
                "device designation: usage reason {usage_reason}, {} bytes",
                designation_descriptor.len()
            ),
            Descriptor::MicrocodeActivationTime { microcode_activation_time: 0 } => {
                f.write_str("microcode activation time: unknown")
            }
            Descriptor::MicrocodeActivationTime { microcode_activation_time } => {
                write!(f, "microcode activation time: {microcode_activation_time} s")
            }
            Descriptor::TooShort { descriptor_type, bytes } => {
                write!(f, "descriptor {descriptor_type:#04x} too short ({} bytes)", bytes.len())
            }
            Descriptor::Other { descriptor_type, bytes } => {
                let kind = if descriptor_type >= 0x80 { "vendor specific" } else { "reserved" };
                write!(f, "{kind} descriptor {descriptor_type:#04x} ({} bytes)", bytes.len())
            }
        }
    }
}

pub(crate) fn flags(
    f: &mut fmt::Formatter<'_>,
    filemark: bool,
    eom: bool,
    ili: bool,
) -> fmt::Result {
    for (on, name) in [(filemark, " FILEMARK"), (eom, " EOM"), (ili, " ILI")] {
        if on {
            f.write_str(name)?;
        }
    }
    Ok(())
}
