//! GET LBA STATUS parameter data (SBC-4 §5.8.2): which LBA ranges are mapped, deallocated
//! or anchored on a thin-provisioned logical unit.

use super::field::{be32_at, be64_at, bytes_at, u8_at};
use super::{Decoded, Error};

mod field {
    //! Byte offsets, SBC-4 tables "GET LBA STATUS parameter data" and "LBA status
    //! descriptor format".
    pub const PARAMETER_DATA_LENGTH: usize = 0; // 4 bytes, counts from byte 4
    pub const FLAGS: usize = 7; // bits 3..1 COMPLETION CONDITION, bit 0 RTP
    pub const HEADER_LEN: usize = 8;

    pub const DESCRIPTOR_LEN: usize = 16;
    pub const D_LBA: usize = 0; // 8 bytes
    pub const D_NUMBER_OF_BLOCKS: usize = 8; // 4 bytes
    pub const D_PROVISIONING_STATUS: usize = 12; // bits 3..0
    pub const D_ADDITIONAL_STATUS: usize = 13;
}

crate::open_enum! {
    /// PROVISIONING STATUS, LBA status descriptor byte 12 bits 3..0 (SBC-4 §5.8.2,
    /// table "PROVISIONING STATUS field").
    pub struct ProvisioningStatus(u8) {
        /// Mapped, or the device server cannot tell (the SBC-3 meaning of 0).
        MAPPED_OR_UNKNOWN = 0 => "mapped or unknown",
        DEALLOCATED = 1 => "deallocated",
        ANCHORED = 2 => "anchored",
        MAPPED = 3 => "mapped",
        UNKNOWN = 4 => "unknown",
    }
}

crate::open_enum! {
    /// COMPLETION CONDITION, parameter data byte 7 bits 3..1 (SBC-4 §5.8.2, added in
    /// SBC-4 r14): why the device stopped adding descriptors.
    pub struct CompletionCondition(u8) {
        NO_INDICATION = 0 => "no indication",
        ALLOCATION_LENGTH = 1 => "allocation length reached",
        SCAN_LENGTH = 2 => "scan length reached",
        CAPACITY = 3 => "capacity of the medium reached",
    }
}

/// GET LBA STATUS parameter data (SBC-4 §5.8.2).
///
/// ```text
///  byte     7      6      5      4      3      2      1      0
///  0..=3   PARAMETER DATA LENGTH (n - 3)
///  4..=6   reserved
///  7       reserved                  | COMPLETION CONDITION | RTP
///  8..     LBA status descriptors, 16 bytes each (see LbaStatusDescriptor)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LbaStatus<'a> {
    /// PARAMETER DATA LENGTH as sent.
    pub parameter_data_length: u32,
    /// COMPLETION CONDITION.
    pub completion_condition: CompletionCondition,
    /// RTP: the REPORT TYPE field of the CDB was processed.
    pub rtp: bool,
    /// The descriptor bytes present and announced (whole and partial descriptors).
    descriptors: &'a [u8],
}

impl<'a> LbaStatus<'a> {
    /// Decodes the header and frames the descriptors. `announced` is PARAMETER DATA LENGTH +
    /// 4 (SBC-3 r25 and later count from byte 4).
    ///
    /// # Errors
    /// [`Error::Truncated`] when fewer than the 8 header bytes are present.
    pub fn parse(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        let (Some(len), Some(flags)) =
            (be32_at(buf, field::PARAMETER_DATA_LENGTH), u8_at(buf, field::FLAGS))
        else {
            return Err(Error::Truncated { needed: field::HEADER_LEN, available: buf.len() });
        };
        let announced = usize::try_from(len).unwrap_or(usize::MAX).saturating_add(4);
        let end = announced.min(buf.len());
        let descriptors = buf.get(field::HEADER_LEN..end).unwrap_or(&[]);
        Ok(Decoded {
            value: LbaStatus {
                parameter_data_length: len,
                completion_condition: CompletionCondition(flags >> 1 & 0x7),
                rtp: flags & 1 == 1,
                descriptors,
            },
            announced,
            available: buf.len(),
        })
    }

    /// The complete LBA status descriptors present, in order.
    pub fn descriptors(&self) -> LbaStatusDescriptors<'a> {
        LbaStatusDescriptors { rest: self.descriptors }
    }

    /// Whether bytes of an incomplete descriptor follow the last complete one.
    pub fn has_partial_descriptor(&self) -> bool {
        self.descriptors.len() % field::DESCRIPTOR_LEN != 0
    }
}

/// One LBA status descriptor (SBC-4 §5.8.2, table "LBA status descriptor format").
///
/// ```text
///  byte     7      6      5      4      3      2      1      0
///  0..=7   LBA STATUS LOGICAL BLOCK ADDRESS
///  8..=11  NUMBER OF LOGICAL BLOCKS
///  12      reserved                  | PROVISIONING STATUS
///  13      ADDITIONAL STATUS
///  14..=15 reserved
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LbaStatusDescriptor {
    /// First LBA of the extent.
    pub lba_status_logical_block_address: u64,
    /// Length of the extent in logical blocks.
    pub number_of_logical_blocks: u32,
    /// The provisioning status of every block in the extent.
    pub provisioning_status: ProvisioningStatus,
    /// ADDITIONAL STATUS (SBC-4 later revisions: 1 = reading the extent may return
    /// unrecovered errors; sg_get_lba_status prints it so).
    pub additional_status: u8,
}

impl LbaStatusDescriptor {
    /// The LBA after the extent, if it does not overflow.
    pub fn end_lba(&self) -> Option<u64> {
        self.lba_status_logical_block_address.checked_add(u64::from(self.number_of_logical_blocks))
    }
}

/// Iterator over complete [`LbaStatusDescriptor`]s; stops at a partial one.
#[derive(Debug, Clone)]
pub struct LbaStatusDescriptors<'a> {
    rest: &'a [u8],
}

impl Iterator for LbaStatusDescriptors<'_> {
    type Item = LbaStatusDescriptor;

    fn next(&mut self) -> Option<LbaStatusDescriptor> {
        let d = bytes_at(self.rest, 0, field::DESCRIPTOR_LEN)?;
        self.rest = self.rest.get(field::DESCRIPTOR_LEN..).unwrap_or(&[]);
        Some(LbaStatusDescriptor {
            lba_status_logical_block_address: be64_at(d, field::D_LBA)?,
            number_of_logical_blocks: be32_at(d, field::D_NUMBER_OF_BLOCKS)?,
            provisioning_status: ProvisioningStatus(u8_at(d, field::D_PROVISIONING_STATUS)? & 0xF),
            additional_status: u8_at(d, field::D_ADDITIONAL_STATUS)?,
        })
    }
}
