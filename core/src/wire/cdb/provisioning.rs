//! Logical block provisioning: WRITE SAME(10/16) and UNMAP with its parameter list
//! (SBC-4; the table each implements is in its doc).

use super::decode::{be16, be32, be64, invalid, Bytes, CdbDecodeError};
use super::{bit, block_bytes, fits, BuildError, Cdb, Command, DataDirection, Opcode};

/// WRITE SAME(10) (SBC-4 table "WRITE SAME (10) command"): write one block's
/// contents to a range, or unmap it. Data-out of one logical block.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (41h)
///  1  | WRPROTECT |ANCHOR|UNMAP|rsvd|obsol|obsol|
///  2..=5  LOGICAL BLOCK ADDRESS
///  6  | reserved  | GROUP NUMBER          |
///  7..=8  NUMBER OF LOGICAL BLOCKS (0: to the end, if the device allows it)
///  9  CONTROL
/// ```
///
/// SBC-4: "If the ANCHOR bit is set to one and the UNMAP bit is set to zero, then the device
/// server shall terminate the command with CHECK CONDITION status [...] INVALID FIELD IN
/// CDB." The builder refuses that combination and the decoder flags it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WriteSame10 {
    /// UNMAP: unmap the blocks if the device can (data must then read back as written).
    pub unmap: bool,
    /// ANCHOR: anchor the blocks instead of deallocating them (requires `unmap`).
    pub anchor: bool,
    /// LOGICAL BLOCK ADDRESS of the first block.
    pub lba: u64,
    /// NUMBER OF LOGICAL BLOCKS, up to 65 535.
    pub blocks: u32,
    /// Bytes per logical block (not in the CDB): the data-out length.
    pub block_length: u32,
}

impl WriteSame10 {
    /// The 10-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for an LBA above 2^32 - 1 or more than 65 535 blocks;
    /// [`BuildError::Invalid`] for ANCHOR without UNMAP or a `block_length` of 0.
    pub fn encode(&self) -> Result<Command, BuildError> {
        fits("LOGICAL BLOCK ADDRESS", self.lba, u32::MAX.into())?;
        fits("NUMBER OF LOGICAL BLOCKS", self.blocks.into(), u16::MAX.into())?;
        if self.anchor && !self.unmap {
            return Err(BuildError::Invalid("WRITE SAME: ANCHOR requires UNMAP"));
        }
        let bytes = block_bytes(1, self.block_length)?;
        let mut b = [0u8; 10];
        b[0] = Opcode::WRITE_SAME_10.0;
        b[1] = bit(self.anchor, 4) | bit(self.unmap, 3);
        b[2..6].copy_from_slice(&(self.lba as u32).to_be_bytes());
        b[7..9].copy_from_slice(&(self.blocks as u16).to_be_bytes());
        Ok(Command::new(Cdb::from_array(b), DataDirection::Out, bytes))
    }

    pub(crate) fn parse(b: &Bytes, block_length: u32) -> Result<Self, CdbDecodeError> {
        let (unmap, anchor) = write_same_flags(b)?;
        Ok(WriteSame10 {
            unmap,
            anchor,
            lba: be32(b, 2).into(),
            blocks: be16(b, 7).into(),
            block_length,
        })
    }
}

/// (UNMAP, ANCHOR) of either WRITE SAME form, with the combinations SBC-4 forbids flagged.
fn write_same_flags(b: &Bytes) -> Result<(bool, bool), CdbDecodeError> {
    if b[1] >> 5 != 0 {
        return Err(invalid(1, "WRPROTECT (protection information) not supported"));
    }
    let (anchor, unmap) = (b[1] & 0x10 != 0, b[1] & 0x08 != 0);
    if anchor && !unmap {
        return Err(invalid(1, "ANCHOR is set without UNMAP"));
    }
    Ok((unmap, anchor))
}

/// WRITE SAME(16) (SBC-4 table "WRITE SAME (16) command"). Data-out of one logical
/// block, or none with NDOB.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (93h)
///  1  | WRPROTECT |ANCHOR|UNMAP|rsvd|obsol|NDOB|
///  2..=9  LOGICAL BLOCK ADDRESS
///  10..=13  NUMBER OF LOGICAL BLOCKS
///  14 | reserved  | GROUP NUMBER          |
///  15 CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WriteSame16 {
    /// UNMAP: unmap the blocks if the device can.
    pub unmap: bool,
    /// ANCHOR: anchor rather than deallocate (requires `unmap`).
    pub anchor: bool,
    /// NDOB: no data-out buffer; the blocks are written with zeros (or unmapped).
    pub ndob: bool,
    /// LOGICAL BLOCK ADDRESS of the first block.
    pub lba: u64,
    /// NUMBER OF LOGICAL BLOCKS.
    pub blocks: u32,
    /// Bytes per logical block (not in the CDB): the data-out length unless `ndob`.
    pub block_length: u32,
}

impl WriteSame16 {
    /// The 16-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::Invalid`] for ANCHOR without UNMAP, or a `block_length` of 0.
    pub fn encode(&self) -> Result<Command, BuildError> {
        if self.anchor && !self.unmap {
            return Err(BuildError::Invalid("WRITE SAME: ANCHOR requires UNMAP"));
        }
        let bytes = block_bytes(u64::from(!self.ndob), self.block_length)?;
        let mut b = [0u8; 16];
        b[0] = Opcode::WRITE_SAME_16.0;
        b[1] = bit(self.anchor, 4) | bit(self.unmap, 3) | bit(self.ndob, 0);
        b[2..10].copy_from_slice(&self.lba.to_be_bytes());
        b[10..14].copy_from_slice(&self.blocks.to_be_bytes());
        Ok(Command::new(Cdb::from_array(b), DataDirection::Out, bytes))
    }

    pub(crate) fn parse(b: &Bytes, block_length: u32) -> Result<Self, CdbDecodeError> {
        let (unmap, anchor) = write_same_flags(b)?;
        Ok(WriteSame16 {
            unmap,
            anchor,
            ndob: b[1] & 0x01 != 0,
            lba: be64(b, 2),
            blocks: be32(b, 10),
            block_length,
        })
    }
}

/// UNMAP (SBC-4 table "UNMAP command"): deallocate the ranges listed in the
/// parameter list (see [`write_unmap_parameter_list`]). Data-out of
/// `parameter_list_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (42h)
///  1  | reserved                  |ANCHOR|
///  2..=5  reserved
///  6  | reserved  | GROUP NUMBER          |
///  7..=8  PARAMETER LIST LENGTH
///  9  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Unmap {
    /// ANCHOR: anchor the ranges rather than deallocate them.
    pub anchor: bool,
    /// PARAMETER LIST LENGTH: bytes of parameter list sent
    /// ([`unmap_parameter_list_length`] for a number of ranges).
    pub parameter_list_length: u16,
}

impl Unmap {
    /// The 10-byte CDB.
    ///
    /// # Errors
    /// None in practice: every value fits.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let [hi, lo] = self.parameter_list_length.to_be_bytes();
        let cdb = Cdb::from_array([Opcode::UNMAP.0, bit(self.anchor, 0), 0, 0, 0, 0, 0, hi, lo, 0]);
        Ok(Command::new(cdb, DataDirection::Out, self.parameter_list_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(Unmap { anchor: b[1] & 1 != 0, parameter_list_length: be16(b, 7) })
    }
}

/// Bytes of the UNMAP parameter list header.
pub const UNMAP_PARAMETER_LIST_HEADER_LENGTH: usize = 8;
/// Bytes of one UNMAP block descriptor.
pub const UNMAP_BLOCK_DESCRIPTOR_LENGTH: usize = 16;

/// Bytes of an UNMAP parameter list carrying `ranges` block descriptors, if it fits the
/// 16-bit PARAMETER LIST LENGTH (at most 4095 descriptors).
pub const fn unmap_parameter_list_length(ranges: usize) -> Option<u16> {
    let Some(body) = ranges.checked_mul(UNMAP_BLOCK_DESCRIPTOR_LENGTH) else {
        return None;
    };
    let Some(total) = body.checked_add(UNMAP_PARAMETER_LIST_HEADER_LENGTH) else {
        return None;
    };
    if total > u16::MAX as usize {
        None
    } else {
        Some(total as u16)
    }
}

/// Writes the UNMAP parameter list for `ranges` (LBA, number of blocks) into the front of
/// `out` and returns its length, to be used as [`Unmap::parameter_list_length`]
/// (SBC-4 tables "UNMAP parameter list" and "UNMAP block descriptor").
///
/// ```text
///  header                              block descriptor (16 bytes each, from byte 8)
///  0..=1  UNMAP DATA LENGTH (n - 2)      0..=7   UNMAP LOGICAL BLOCK ADDRESS
///  2..=3  UNMAP BLOCK DESCRIPTOR         8..=11  NUMBER OF LOGICAL BLOCKS
///         DATA LENGTH (n - 8)            12..=15 reserved
///  4..=7  reserved
/// ```
///
/// # Errors
/// [`BuildError::OutOfRange`] for more than 4095 ranges (the list length is 16 bits);
/// [`BuildError::BufferTooSmall`] when `out` cannot hold the list. Nothing is written on
/// error.
pub fn write_unmap_parameter_list(
    ranges: &[(u64, u32)],
    out: &mut [u8],
) -> Result<usize, BuildError> {
    let max_ranges = (usize::from(u16::MAX) - UNMAP_PARAMETER_LIST_HEADER_LENGTH)
        / UNMAP_BLOCK_DESCRIPTOR_LENGTH;
    let Some(total) = unmap_parameter_list_length(ranges.len()) else {
        return Err(BuildError::OutOfRange {
            field: "number of UNMAP block descriptors",
            value: ranges.len() as u64,
            max: max_ranges as u64,
        });
    };
    let total = usize::from(total);
    let available = out.len();
    let Some(list) = out.get_mut(..total) else {
        return Err(BuildError::BufferTooSmall { needed: total, available });
    };
    list.fill(0);
    let (header, descriptors) = list.split_at_mut(UNMAP_PARAMETER_LIST_HEADER_LENGTH);
    // Both lengths are below `total` <= u16::MAX, so the casts cannot truncate.
    let data_length = (total - 2) as u16;
    let descriptor_data_length = (total - UNMAP_PARAMETER_LIST_HEADER_LENGTH) as u16;
    header[0..2].copy_from_slice(&data_length.to_be_bytes());
    header[2..4].copy_from_slice(&descriptor_data_length.to_be_bytes());
    for (d, &(lba, blocks)) in
        descriptors.chunks_exact_mut(UNMAP_BLOCK_DESCRIPTOR_LENGTH).zip(ranges)
    {
        d[0..8].copy_from_slice(&lba.to_be_bytes());
        d[8..12].copy_from_slice(&blocks.to_be_bytes());
    }
    Ok(total)
}
