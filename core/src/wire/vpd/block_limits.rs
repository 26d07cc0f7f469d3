//! Block Limits VPD page, B0h (SBC-4 §6.6.4).

use super::{Page, PageCode};
use crate::wire::field::{be16_at, be32_at, be64_at, bit_at, u8_at};
use crate::wire::{Decoded, Error};

mod field {
    //! Byte offsets, SBC-4 table "Block Limits VPD page".
    pub const WSNZ: usize = 4; // bit 0
    pub const MAXIMUM_COMPARE_AND_WRITE_LENGTH: usize = 5;
    pub const OPTIMAL_TRANSFER_LENGTH_GRANULARITY: usize = 6; // 2 bytes
    pub const MAXIMUM_TRANSFER_LENGTH: usize = 8; // 4 bytes
    pub const OPTIMAL_TRANSFER_LENGTH: usize = 12; // 4 bytes
    pub const MAXIMUM_PREFETCH_LENGTH: usize = 16; // 4 bytes
    pub const MAXIMUM_UNMAP_LBA_COUNT: usize = 20; // 4 bytes
    pub const MAXIMUM_UNMAP_BLOCK_DESCRIPTOR_COUNT: usize = 24; // 4 bytes
    pub const OPTIMAL_UNMAP_GRANULARITY: usize = 28; // 4 bytes
    pub const UNMAP_GRANULARITY_ALIGNMENT: usize = 32; // bit 31 UGAVALID, 30..0 alignment
    pub const MAXIMUM_WRITE_SAME_LENGTH: usize = 36; // 8 bytes
    pub const MAXIMUM_ATOMIC_TRANSFER_LENGTH: usize = 44; // 4 bytes
    pub const ATOMIC_ALIGNMENT: usize = 48; // 4 bytes
    pub const ATOMIC_TRANSFER_LENGTH_GRANULARITY: usize = 52; // 4 bytes
    pub const MAXIMUM_ATOMIC_TRANSFER_LENGTH_WITH_ATOMIC_BOUNDARY: usize = 56; // 4 bytes
    pub const MAXIMUM_ATOMIC_BOUNDARY_SIZE: usize = 60; // 4 bytes
}

/// Block Limits VPD page (SBC-4 §6.6.4, table "Block Limits VPD page").
///
/// ```text
///  0       | PERIPHERAL QUALIFIER | PERIPHERAL DEVICE TYPE         |
///  1       | PAGE CODE (B0h)                                       |
///  2..3    | PAGE LENGTH (003Ch; 0010h on SBC-2/SBC-3 era devices) |
///  4       | reserved                                     | WSNZ   |
///  5       | MAXIMUM COMPARE AND WRITE LENGTH                      |
///  6..7    | OPTIMAL TRANSFER LENGTH GRANULARITY                   |
///  8..11   | MAXIMUM TRANSFER LENGTH                               |
/// 12..15   | OPTIMAL TRANSFER LENGTH                               |
/// 16..19   | MAXIMUM PREFETCH LENGTH                               |
/// 20..23   | MAXIMUM UNMAP LBA COUNT                               |
/// 24..27   | MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT                  |
/// 28..31   | OPTIMAL UNMAP GRANULARITY                             |
/// 32..35   | UGAVALID (bit 7 of 32) | UNMAP GRANULARITY ALIGNMENT  |
/// 36..43   | MAXIMUM WRITE SAME LENGTH                             |
/// 44..47   | MAXIMUM ATOMIC TRANSFER LENGTH                        |
/// 48..51   | ATOMIC ALIGNMENT                                      |
/// 52..55   | ATOMIC TRANSFER LENGTH GRANULARITY                    |
/// 56..59   | MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY   |
/// 60..63   | MAXIMUM ATOMIC BOUNDARY SIZE                          |
/// ```
///
/// Lengths are in logical blocks; zero means "not reported" (or "no limit") for most of
/// them, as SBC-4 says field by field. Old devices return a shorter page (PAGE LENGTH 0Ch
/// or 10h): the fields past it are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockLimits {
    /// WSNZ: WRITE SAME with NUMBER OF LOGICAL BLOCKS zero is not supported.
    pub wsnz: Option<bool>,
    /// MAXIMUM COMPARE AND WRITE LENGTH (0: COMPARE AND WRITE not supported).
    pub maximum_compare_and_write_length: Option<u8>,
    /// OPTIMAL TRANSFER LENGTH GRANULARITY.
    pub optimal_transfer_length_granularity: Option<u16>,
    /// MAXIMUM TRANSFER LENGTH (0: no limit reported).
    pub maximum_transfer_length: Option<u32>,
    /// OPTIMAL TRANSFER LENGTH.
    pub optimal_transfer_length: Option<u32>,
    /// MAXIMUM PREFETCH LENGTH.
    pub maximum_prefetch_length: Option<u32>,
    /// MAXIMUM UNMAP LBA COUNT (0: UNMAP not supported).
    pub maximum_unmap_lba_count: Option<u32>,
    /// MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT.
    pub maximum_unmap_block_descriptor_count: Option<u32>,
    /// OPTIMAL UNMAP GRANULARITY.
    pub optimal_unmap_granularity: Option<u32>,
    /// UGAVALID: UNMAP GRANULARITY ALIGNMENT is valid.
    pub ugavalid: Option<bool>,
    /// UNMAP GRANULARITY ALIGNMENT (31 bits), meaningful when `ugavalid`.
    pub unmap_granularity_alignment: Option<u32>,
    /// MAXIMUM WRITE SAME LENGTH.
    pub maximum_write_same_length: Option<u64>,
    /// MAXIMUM ATOMIC TRANSFER LENGTH.
    pub maximum_atomic_transfer_length: Option<u32>,
    /// ATOMIC ALIGNMENT.
    pub atomic_alignment: Option<u32>,
    /// ATOMIC TRANSFER LENGTH GRANULARITY.
    pub atomic_transfer_length_granularity: Option<u32>,
    /// MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY.
    pub maximum_atomic_transfer_length_with_atomic_boundary: Option<u32>,
    /// MAXIMUM ATOMIC BOUNDARY SIZE.
    pub maximum_atomic_boundary_size: Option<u32>,
}

impl BlockLimits {
    /// Decodes page B0h.
    ///
    /// # Errors
    /// [`Error::Truncated`] below the 4-byte header; [`Error::Malformed`] for another page.
    pub fn parse(buf: &[u8]) -> Result<Decoded<Self>, Error> {
        let page = Page::check(buf, PageCode::BLOCK_LIMITS, "page code is not 0xB0")?;
        let d = page.data;
        let uga = be32_at(d, field::UNMAP_GRANULARITY_ALIGNMENT);
        Ok(page.done(BlockLimits {
            wsnz: bit_at(d, field::WSNZ, 0),
            maximum_compare_and_write_length: u8_at(d, field::MAXIMUM_COMPARE_AND_WRITE_LENGTH),
            optimal_transfer_length_granularity: be16_at(
                d,
                field::OPTIMAL_TRANSFER_LENGTH_GRANULARITY,
            ),
            maximum_transfer_length: be32_at(d, field::MAXIMUM_TRANSFER_LENGTH),
            optimal_transfer_length: be32_at(d, field::OPTIMAL_TRANSFER_LENGTH),
            maximum_prefetch_length: be32_at(d, field::MAXIMUM_PREFETCH_LENGTH),
            maximum_unmap_lba_count: be32_at(d, field::MAXIMUM_UNMAP_LBA_COUNT),
            maximum_unmap_block_descriptor_count: be32_at(
                d,
                field::MAXIMUM_UNMAP_BLOCK_DESCRIPTOR_COUNT,
            ),
            optimal_unmap_granularity: be32_at(d, field::OPTIMAL_UNMAP_GRANULARITY),
            ugavalid: uga.map(|v| v >> 31 == 1),
            unmap_granularity_alignment: uga.map(|v| v & 0x7fff_ffff),
            maximum_write_same_length: be64_at(d, field::MAXIMUM_WRITE_SAME_LENGTH),
            maximum_atomic_transfer_length: be32_at(d, field::MAXIMUM_ATOMIC_TRANSFER_LENGTH),
            atomic_alignment: be32_at(d, field::ATOMIC_ALIGNMENT),
            atomic_transfer_length_granularity: be32_at(
                d,
                field::ATOMIC_TRANSFER_LENGTH_GRANULARITY,
            ),
            maximum_atomic_transfer_length_with_atomic_boundary: be32_at(
                d,
                field::MAXIMUM_ATOMIC_TRANSFER_LENGTH_WITH_ATOMIC_BOUNDARY,
            ),
            maximum_atomic_boundary_size: be32_at(d, field::MAXIMUM_ATOMIC_BOUNDARY_SIZE),
        }))
    }
}
