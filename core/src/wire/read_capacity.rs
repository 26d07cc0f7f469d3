//! READ CAPACITY(10) and READ CAPACITY(16) parameter data (SBC-4 §5.20.2, §5.21.2).
//!
//! READ CAPACITY(10) is eight fixed bytes. READ CAPACITY(16) is 32 bytes, of which the first
//! twelve (the returned LBA and the block length) are the header: a device that was given a
//! 12-byte allocation length still says how big it is, and every field after byte 11 is then
//! `None`.
//!
//! Capacity arithmetic is done without overflow: the returned LBA is the *last* LBA, so the
//! block count is LBA + 1, which for a READ CAPACITY(16) LBA of `u64::MAX` does not fit in a
//! `u64` and is therefore a `u128`.

use super::field::{be16_at, be32_at, be64_at, u8_at};
use super::{Decoded, Error};

mod field {
    //! Byte offsets, SBC-4 tables "READ CAPACITY (10) parameter data" and
    //! "READ CAPACITY (16) parameter data".
    pub const RC10_RETURNED_LBA: usize = 0; // 4 bytes
    pub const RC10_BLOCK_LENGTH: usize = 4; // 4 bytes
    pub const RC10_LEN: usize = 8;

    pub const RC16_RETURNED_LBA: usize = 0; // 8 bytes
    pub const RC16_BLOCK_LENGTH: usize = 8; // 4 bytes
    pub const RC16_HEADER_LEN: usize = 12;
    pub const RC16_PROTECTION: usize = 12; // bits 5..4 RC BASIS, 3..1 P_TYPE, 0 PROT_EN
    pub const RC16_EXPONENTS: usize = 13; // bits 7..4 P_I_EXPONENT, 3..0 LBPPBE
    pub const RC16_LBP_LALBA: usize = 14; // 7 LBPME, 6 LBPRZ, 5..0 LALBA msb; byte 15 lsb
    pub const RC16_LEN: usize = 32;
}

/// READ CAPACITY(10) parameter data (SBC-4 §5.20.2, table "READ CAPACITY (10) parameter
/// data").
///
/// ```text
///  byte  0..=3  RETURNED LOGICAL BLOCK ADDRESS   (big-endian; FFFFFFFFh = too big, use RC16)
///  byte  4..=7  LOGICAL BLOCK LENGTH IN BYTES
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCapacity10 {
    /// The LBA of the last logical block (SBC-4: "RETURNED LOGICAL BLOCK ADDRESS").
    pub returned_logical_block_address: u32,
    /// Bytes per logical block.
    pub logical_block_length_in_bytes: u32,
}

impl ReadCapacity10 {
    /// The value of RETURNED LOGICAL BLOCK ADDRESS that means the capacity does not fit:
    /// SBC-4 §5.20.2: "If the number of logical blocks exceeds the maximum value that is able
    /// to be specified in the RETURNED LOGICAL BLOCK ADDRESS field, the device server shall
    /// set the RETURNED LOGICAL BLOCK ADDRESS field to FFFF_FFFFh."
    pub const LBA_TOO_LARGE: u32 = 0xFFFF_FFFF;

    /// Decodes the eight bytes of READ CAPACITY(10) parameter data.
    ///
    /// # Errors
    /// [`Error::Truncated`] when fewer than 8 bytes are present.
    pub fn parse(buf: &[u8]) -> Result<Decoded<Self>, Error> {
        let (Some(lba), Some(len)) =
            (be32_at(buf, field::RC10_RETURNED_LBA), be32_at(buf, field::RC10_BLOCK_LENGTH))
        else {
            return Err(Error::Truncated { needed: field::RC10_LEN, available: buf.len() });
        };
        Ok(Decoded {
            value: ReadCapacity10 {
                returned_logical_block_address: lba,
                logical_block_length_in_bytes: len,
            },
            announced: field::RC10_LEN,
            available: buf.len(),
        })
    }

    /// Whether the device says its capacity does not fit READ CAPACITY(10) (returned LBA
    /// FFFF_FFFFh), so READ CAPACITY(16) must be sent to learn it.
    pub fn needs_read_capacity_16(&self) -> bool {
        self.returned_logical_block_address == Self::LBA_TOO_LARGE
    }

    /// Number of logical blocks (returned LBA + 1), meaningless when
    /// [`needs_read_capacity_16`](Self::needs_read_capacity_16) is true.
    pub fn block_count(&self) -> u64 {
        u64::from(self.returned_logical_block_address) + 1
    }

    /// Capacity in bytes; cannot overflow (at most 2^32 * (2^32 - 1)).
    pub fn capacity_bytes(&self) -> u64 {
        self.block_count() * u64::from(self.logical_block_length_in_bytes)
    }
}

crate::open_enum! {
    /// RC BASIS, READ CAPACITY(16) byte 12 bits 5..4 (SBC-4 §5.21.2, table "RC BASIS field").
    pub struct RcBasis(u8) {
        /// The returned LBA is the highest LBA of a contiguous range of zones that are not
        /// sequential write required, starting with the first zone (zoned devices).
        LOWEST_SEQUENTIAL_WRITE_REQUIRED_ZONE = 0 => "returned LBA is the last LBA before the first sequential write required zone",
        /// The returned LBA is the LBA of the last logical block on the logical unit.
        LAST_LOGICAL_BLOCK = 1 => "returned LBA is the last logical block on the logical unit",
    }
}

crate::open_enum! {
    /// The protection type a logical unit is formatted with, from PROT_EN and P_TYPE
    /// (SBC-4 §4.22.2 and §5.21.2, table "P_TYPE field and PROT_EN bit"): PROT_EN = 0 means
    /// no protection information, otherwise the type is P_TYPE + 1.
    pub struct ProtectionType(u8) {
        /// PROT_EN = 0.
        NONE = 0 => "no protection information",
        TYPE_1 = 1 => "type 1 protection",
        TYPE_2 = 2 => "type 2 protection",
        TYPE_3 = 3 => "type 3 protection",
    }
}

/// READ CAPACITY(16) parameter data (SBC-4 §5.21.2, table "READ CAPACITY (16) parameter
/// data").
///
/// ```text
///  byte        7      6      5      4      3      2      1      0
///  0..=7   RETURNED LOGICAL BLOCK ADDRESS (big-endian)
///  8..=11  LOGICAL BLOCK LENGTH IN BYTES
///  12      reserved    |   RC BASIS  |       P_TYPE       |PROT_EN
///  13      P_I_EXPONENT               | LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT
///  14      LBPME | LBPRZ | LOWEST ALIGNED LOGICAL BLOCK ADDRESS (msb, 6 bits)
///  15      LOWEST ALIGNED LOGICAL BLOCK ADDRESS (lsb)
///  16..=31 reserved
/// ```
/// Fields after byte 11 are `None` when the buffer stops before them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCapacity16 {
    /// The LBA of the last logical block.
    pub returned_logical_block_address: u64,
    /// Bytes per logical block.
    pub logical_block_length_in_bytes: u32,
    /// RC BASIS: what the returned LBA counts (zoned devices).
    pub rc_basis: Option<RcBasis>,
    /// P_TYPE (3 bits): the protection type minus one, when PROT_EN is set.
    pub p_type: Option<u8>,
    /// PROT_EN: the medium is formatted with protection information.
    pub prot_en: Option<bool>,
    /// P_I_EXPONENT (4 bits): 2^n protection information intervals per logical block.
    pub p_i_exponent: Option<u8>,
    /// LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (4 bits, "LBPPBE").
    #[doc(alias = "LBPPBE")]
    pub logical_blocks_per_physical_block_exponent: Option<u8>,
    /// LBPME: logical block provisioning management (thin provisioning) is enabled.
    pub lbpme: Option<bool>,
    /// LBPRZ: unmapped blocks read as zeros.
    pub lbprz: Option<bool>,
    /// LOWEST ALIGNED LOGICAL BLOCK ADDRESS (14 bits): the first LBA at the start of a
    /// physical block.
    #[doc(alias = "LALBA")]
    pub lowest_aligned_logical_block_address: Option<u16>,
}

impl ReadCapacity16 {
    /// Decodes READ CAPACITY(16) parameter data; `announced` is always 32.
    ///
    /// # Errors
    /// [`Error::Truncated`] when fewer than 12 bytes (returned LBA and block length) are
    /// present.
    pub fn parse(buf: &[u8]) -> Result<Decoded<Self>, Error> {
        let (Some(lba), Some(len)) =
            (be64_at(buf, field::RC16_RETURNED_LBA), be32_at(buf, field::RC16_BLOCK_LENGTH))
        else {
            return Err(Error::Truncated { needed: field::RC16_HEADER_LEN, available: buf.len() });
        };
        let prot = u8_at(buf, field::RC16_PROTECTION);
        let exps = u8_at(buf, field::RC16_EXPONENTS);
        let lbp = u8_at(buf, field::RC16_LBP_LALBA);
        Ok(Decoded {
            value: ReadCapacity16 {
                returned_logical_block_address: lba,
                logical_block_length_in_bytes: len,
                rc_basis: prot.map(|b| RcBasis(b >> 4 & 0x3)),
                p_type: prot.map(|b| b >> 1 & 0x7),
                prot_en: prot.map(|b| b & 1 == 1),
                p_i_exponent: exps.map(|b| b >> 4),
                logical_blocks_per_physical_block_exponent: exps.map(|b| b & 0xF),
                lbpme: lbp.map(|b| b & 0x80 != 0),
                lbprz: lbp.map(|b| b & 0x40 != 0),
                lowest_aligned_logical_block_address: be16_at(buf, field::RC16_LBP_LALBA)
                    .map(|v| v & 0x3FFF),
            },
            announced: field::RC16_LEN,
            available: buf.len(),
        })
    }

    /// Number of logical blocks (returned LBA + 1); a `u128` because LBA `u64::MAX` is legal.
    pub fn block_count(&self) -> u128 {
        u128::from(self.returned_logical_block_address) + 1
    }

    /// Number of logical blocks if it fits in a `u64`.
    pub fn checked_block_count(&self) -> Option<u64> {
        self.returned_logical_block_address.checked_add(1)
    }

    /// Capacity in bytes; cannot overflow a `u128` (at most 2^64 * 2^32).
    pub fn capacity_bytes(&self) -> u128 {
        self.block_count() * u128::from(self.logical_block_length_in_bytes)
    }

    /// Logical blocks per physical block, 2^LBPPBE, when byte 13 was present.
    pub fn logical_blocks_per_physical_block(&self) -> Option<u32> {
        1u32.checked_shl(u32::from(self.logical_blocks_per_physical_block_exponent?))
    }

    /// Physical block length in bytes: block length × 2^LBPPBE (checked; `None` when byte 13
    /// is absent or the product does not fit a `u64`, which it always does for 4-bit
    /// exponents).
    pub fn physical_block_length(&self) -> Option<u64> {
        u64::from(self.logical_block_length_in_bytes)
            .checked_mul(u64::from(self.logical_blocks_per_physical_block()?))
    }

    /// Protection information intervals per logical block, 2^P_I_EXPONENT.
    pub fn protection_information_intervals(&self) -> Option<u32> {
        1u32.checked_shl(u32::from(self.p_i_exponent?))
    }

    /// The protection type: [`ProtectionType::NONE`] when PROT_EN is 0, else P_TYPE + 1
    /// (values 4..=8 are reserved and kept as data).
    pub fn protection_type(&self) -> Option<ProtectionType> {
        match self.prot_en? {
            false => Some(ProtectionType::NONE),
            true => Some(ProtectionType(self.p_type? + 1)),
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_rc16_lba_max_does_not_overflow() {
        let mut b = [0u8; 32];
        b[..8].fill(0xFF);
        b[8..12].copy_from_slice(&4096u32.to_be_bytes());
        let d = ReadCapacity16::parse(&b).unwrap().value;
        assert_eq!(d.block_count(), 1u128 << 64);
        assert_eq!(d.checked_block_count(), None);
        assert_eq!(d.capacity_bytes(), (1u128 << 64) * 4096);
    }
}
