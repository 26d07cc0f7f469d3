//! READ and WRITE in their 6, 10, 12 and 16-byte forms (SBC-4; the 6-byte forms from
//! SBC-3, made obsolete by SBC-4).
//!
//! The driver never serves block I/O (the kernel does), but the simulated disks decode these
//! and the characterization may read a block. All eight share one shape:
//!
//! ```text
//!        7   6   5   4   3   2   1   0
//!  0  OPERATION CODE
//!  1  |RDPROTECT/WRPROTECT|DPO|FUA|rsvd|obsol|obsol|    (10, 12, 16)
//!  LOGICAL BLOCK ADDRESS    bytes 2..=5 (10, 12) or 2..=9 (16)
//!  TRANSFER LENGTH          bytes 7..=8 (10), 6..=9 (12) or 10..=13 (16)
//!  GROUP NUMBER             byte 6 (10), 10 (12) or 14 (16), bits 4..0
//!  CONTROL                  last byte
//! ```
//!
//! RDPROTECT/WRPROTECT are sent as zero (no protection information is transferred, so the
//! transfer length is `blocks * block_length`); the decoder refuses a CDB that sets them,
//! because with protection information the data phase has a different length.

use super::decode::{get_be, invalid, put_be, Bytes, CdbDecodeError};
use super::{bit, block_bytes, fits, BuildError, Cdb, Command, DataDirection, Opcode};

/// The layout of one 10/12/16-byte form.
struct Form {
    opcode: Opcode,
    len: usize,
    direction: DataDirection,
    lba_at: usize,
    lba_width: usize,
    tl_at: usize,
    tl_width: usize,
}

const fn max_for(width: usize) -> u64 {
    if width >= 8 {
        u64::MAX
    } else {
        (1u64 << (width * 8)) - 1
    }
}

fn encode_form(
    form: &Form,
    lba: u64,
    blocks: u32,
    dpo: bool,
    fua: bool,
    block_length: u32,
) -> Result<Command, BuildError> {
    fits("LOGICAL BLOCK ADDRESS", lba, max_for(form.lba_width))?;
    fits("TRANSFER LENGTH", blocks.into(), max_for(form.tl_width))?;
    let bytes = block_bytes(blocks.into(), block_length)?;
    let mut cdb = Cdb::zeroed(form.opcode.0, form.len);
    let b = cdb.bytes_mut();
    if let Some(flags) = b.get_mut(1) {
        *flags = bit(dpo, 4) | bit(fua, 3);
    }
    put_be(b, form.lba_at, form.lba_width, lba);
    put_be(b, form.tl_at, form.tl_width, blocks.into());
    Ok(Command::new(cdb, form.direction, bytes))
}

/// (lba, blocks, dpo, fua) of a 10/12/16-byte form.
fn parse_form(form: &Form, b: &Bytes) -> Result<(u64, u32, bool, bool), CdbDecodeError> {
    if b[1] >> 5 != 0 {
        return Err(invalid(1, "RDPROTECT/WRPROTECT (protection information) not supported"));
    }
    let lba = get_be(b, form.lba_at, form.lba_width);
    let blocks = u32::try_from(get_be(b, form.tl_at, form.tl_width)).unwrap_or(u32::MAX);
    Ok((lba, blocks, b[1] & 0x10 != 0, b[1] & 0x08 != 0))
}

macro_rules! rw_form {
    (
        $(#[$meta:meta])*
        $name:ident, $opcode:ident, $len:literal, $dir:ident,
        lba $lba_at:literal / $lba_width:literal, tl $tl_at:literal / $tl_width:literal
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name {
            /// LOGICAL BLOCK ADDRESS of the first block.
            pub lba: u64,
            /// TRANSFER LENGTH in logical blocks (0 is legal and moves nothing).
            pub blocks: u32,
            /// DPO: disable page out (do not keep the data in cache).
            pub dpo: bool,
            /// FUA: force unit access (bypass the volatile cache).
            pub fua: bool,
            /// Bytes per logical block (not in the CDB): the transfer length in bytes is
            /// `blocks * block_length`.
            pub block_length: u32,
        }

        impl $name {
            const FORM: Form = Form {
                opcode: Opcode::$opcode,
                len: $len,
                direction: DataDirection::$dir,
                lba_at: $lba_at,
                lba_width: $lba_width,
                tl_at: $tl_at,
                tl_width: $tl_width,
            };

            #[doc = concat!("The ", stringify!($len), "-byte CDB.")]
            ///
            /// # Errors
            /// [`BuildError::OutOfRange`] when the LBA or the block count does not fit this
            /// form's fields, or the byte count does not fit a `u64`;
            /// [`BuildError::Invalid`] for a `block_length` of 0.
            pub fn encode(&self) -> Result<Command, BuildError> {
                encode_form(&Self::FORM, self.lba, self.blocks, self.dpo, self.fua, self.block_length)
            }

            pub(crate) fn parse(b: &Bytes, block_length: u32) -> Result<Self, CdbDecodeError> {
                let (lba, blocks, dpo, fua) = parse_form(&Self::FORM, b)?;
                Ok($name { lba, blocks, dpo, fua, block_length })
            }
        }
    };
}

rw_form! {
    /// READ(10) (SBC-4 table "READ (10) command"): 32-bit LBA, up to 65 535 blocks.
    /// Data-in.
    Read10, READ_10, 10, In, lba 2 / 4, tl 7 / 2
}
rw_form! {
    /// READ(12) (SBC-4 table "READ (12) command"): 32-bit LBA, 32-bit block count.
    /// Data-in.
    Read12, READ_12, 12, In, lba 2 / 4, tl 6 / 4
}
rw_form! {
    /// READ(16) (SBC-4 table "READ (16) command"): 64-bit LBA, 32-bit block count.
    /// Data-in.
    Read16, READ_16, 16, In, lba 2 / 8, tl 10 / 4
}
rw_form! {
    /// WRITE(10) (SBC-4 table "WRITE (10) command"): 32-bit LBA, up to 65 535
    /// blocks. Data-out.
    Write10, WRITE_10, 10, Out, lba 2 / 4, tl 7 / 2
}
rw_form! {
    /// WRITE(12) (SBC-4 table "WRITE (12) command"). Data-out.
    Write12, WRITE_12, 12, Out, lba 2 / 4, tl 6 / 4
}
rw_form! {
    /// WRITE(16) (SBC-4 table "WRITE (16) command"). Data-out.
    Write16, WRITE_16, 16, Out, lba 2 / 8, tl 10 / 4
}

/// Largest LBA of the 6-byte forms: 21 bits.
const LBA6_MAX: u64 = 0x1F_FFFF;
/// Blocks a 6-byte form moves when its TRANSFER LENGTH byte is 0.
const BLOCKS6_ZERO_MEANS: u32 = 256;

fn encode_6(
    opcode: Opcode,
    direction: DataDirection,
    lba: u64,
    blocks: u32,
    dpo: bool,
    fua: bool,
    block_length: u32,
) -> Result<Command, BuildError> {
    if dpo || fua {
        return Err(BuildError::Invalid("the 6-byte READ/WRITE forms have no DPO or FUA bit"));
    }
    fits("LOGICAL BLOCK ADDRESS", lba, LBA6_MAX)?;
    fits("TRANSFER LENGTH", blocks.into(), BLOCKS6_ZERO_MEANS.into())?;
    if blocks == 0 {
        return Err(BuildError::Invalid(
            "a 6-byte READ/WRITE cannot move 0 blocks: TRANSFER LENGTH 0 means 256",
        ));
    }
    let bytes = block_bytes(blocks.into(), block_length)?;
    let [_, l2, l1, l0] = (lba as u32).to_be_bytes();
    let count = (blocks % BLOCKS6_ZERO_MEANS) as u8; // 256 -> 0, 1..=255 as is
    let cdb = Cdb::from_array([opcode.0, l2, l1, l0, count, 0]);
    Ok(Command::new(cdb, direction, bytes))
}

fn parse_6(b: &Bytes) -> (u64, u32) {
    let lba = u64::from(b[1] & 0x1F) << 16 | u64::from(b[2]) << 8 | u64::from(b[3]);
    let blocks = if b[4] == 0 { BLOCKS6_ZERO_MEANS } else { u32::from(b[4]) };
    (lba, blocks)
}

macro_rules! rw_6 {
    ($(#[$meta:meta])* $name:ident, $opcode:ident, $dir:ident) => {
        $(#[$meta])*
        ///
        /// ```text
        ///        7   6   5   4   3   2   1   0
        ///  0  OPERATION CODE
        ///  1  | reserved  | LBA (20:16)          |
        ///  2  LBA (15:8)
        ///  3  LBA (7:0)
        ///  4  TRANSFER LENGTH (0 = 256 blocks)
        ///  5  CONTROL
        /// ```
        ///
        /// SBC-3: "A TRANSFER LENGTH field set to zero specifies that 256 logical blocks
        /// shall be read." So `blocks` is 1..=256 here: 256 is sent as 0, and 0 blocks cannot
        /// be asked for (use the 10-byte form). There is no DPO or FUA bit; setting either
        /// is refused rather than silently dropped.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name {
            /// LOGICAL BLOCK ADDRESS, 21 bits.
            pub lba: u64,
            /// Blocks to move, 1..=256.
            pub blocks: u32,
            /// Must be false: the 6-byte form has no DPO bit.
            pub dpo: bool,
            /// Must be false: the 6-byte form has no FUA bit.
            pub fua: bool,
            /// Bytes per logical block (not in the CDB).
            pub block_length: u32,
        }

        impl $name {
            /// The 6-byte CDB.
            ///
            /// # Errors
            /// [`BuildError::OutOfRange`] for an LBA above 1F_FFFFh or more than 256 blocks;
            /// [`BuildError::Invalid`] for 0 blocks, DPO or FUA set, or a `block_length` of 0.
            pub fn encode(&self) -> Result<Command, BuildError> {
                encode_6(
                    Opcode::$opcode,
                    DataDirection::$dir,
                    self.lba,
                    self.blocks,
                    self.dpo,
                    self.fua,
                    self.block_length,
                )
            }

            pub(crate) fn parse(b: &Bytes, block_length: u32) -> Result<Self, CdbDecodeError> {
                let (lba, blocks) = parse_6(b);
                Ok($name { lba, blocks, dpo: false, fua: false, block_length })
            }
        }
    };
}

rw_6! {
    /// READ(6) (SBC-3 table "READ (6) command"; obsolete in SBC-4). Data-in.
    Read6, READ_6, In
}
rw_6! {
    /// WRITE(6) (SBC-3 table "WRITE (6) command"; obsolete in SBC-4). Data-out.
    Write6, WRITE_6, Out
}
