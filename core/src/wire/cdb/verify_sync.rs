//! VERIFY(10/16) and SYNCHRONIZE CACHE(10/16) (SBC-4).

use super::decode::{get_be, invalid, put_be, Bytes, CdbDecodeError};
use super::{bit, block_bytes, fits, BuildError, Cdb, Command, DataDirection, Opcode};

/// Shared layout of the two VERIFY forms and the two SYNCHRONIZE CACHE forms.
struct Form {
    opcode: Opcode,
    len: usize,
    lba_width: usize,
    count_at: usize,
    count_width: usize,
}

const VERIFY_10: Form =
    Form { opcode: Opcode::VERIFY_10, len: 10, lba_width: 4, count_at: 7, count_width: 2 };
const VERIFY_16: Form =
    Form { opcode: Opcode::VERIFY_16, len: 16, lba_width: 8, count_at: 10, count_width: 4 };
const SYNC_10: Form = Form {
    opcode: Opcode::SYNCHRONIZE_CACHE_10,
    len: 10,
    lba_width: 4,
    count_at: 7,
    count_width: 2,
};
const SYNC_16: Form = Form {
    opcode: Opcode::SYNCHRONIZE_CACHE_16,
    len: 16,
    lba_width: 8,
    count_at: 10,
    count_width: 4,
};

/// Where the LBA starts in every form here.
const LBA_AT: usize = 2;

const fn max_for(width: usize) -> u64 {
    if width >= 8 {
        u64::MAX
    } else {
        (1u64 << (width * 8)) - 1
    }
}

/// The CDB with byte 1 = `flags`, the LBA and the count, all checked against the form.
fn build(
    form: &Form,
    flags: u8,
    lba: u64,
    count: u32,
    count_name: &'static str,
) -> Result<Cdb, BuildError> {
    fits("LOGICAL BLOCK ADDRESS", lba, max_for(form.lba_width))?;
    fits(count_name, count.into(), max_for(form.count_width))?;
    let mut cdb = Cdb::zeroed(form.opcode.0, form.len);
    let b = cdb.bytes_mut();
    if let Some(f) = b.get_mut(1) {
        *f = flags;
    }
    put_be(b, LBA_AT, form.lba_width, lba);
    put_be(b, form.count_at, form.count_width, count.into());
    Ok(cdb)
}

fn lba_count(form: &Form, b: &Bytes) -> (u64, u32) {
    let count = u32::try_from(get_be(b, form.count_at, form.count_width)).unwrap_or(u32::MAX);
    (get_be(b, LBA_AT, form.lba_width), count)
}

/// Data-out bytes of a VERIFY (SBC-4, table "BYTCHK field"):
/// 00b none; 01b the `blocks` blocks to compare; 10b reserved; 11b one block compared
/// against each of the `blocks` blocks (none when `blocks` is 0).
fn verify_data_out(bytchk: u8, blocks: u32, block_length: u32) -> Result<u64, BuildError> {
    fits("BYTCHK", bytchk.into(), 3)?;
    match bytchk {
        0 => Ok(0),
        1 => block_bytes(blocks.into(), block_length),
        2 => Err(BuildError::Invalid("BYTCHK 10b is reserved")),
        _ => block_bytes(u64::from(blocks != 0), block_length),
    }
}

fn verify_encode(
    form: &Form,
    lba: u64,
    blocks: u32,
    dpo: bool,
    bytchk: u8,
    block_length: u32,
) -> Result<Command, BuildError> {
    let bytes = verify_data_out(bytchk, blocks, block_length)?;
    let cdb = build(form, bit(dpo, 4) | bytchk << 1, lba, blocks, "VERIFICATION LENGTH")?;
    Ok(Command::new(cdb, DataDirection::Out, bytes))
}

fn verify_parse(form: &Form, b: &Bytes) -> Result<(u64, u32, bool, u8), CdbDecodeError> {
    if b[1] >> 5 != 0 {
        return Err(invalid(1, "VRPROTECT (protection information) not supported"));
    }
    let bytchk = (b[1] >> 1) & 3;
    if bytchk == 2 {
        return Err(invalid(1, "BYTCHK 10b is reserved"));
    }
    let (lba, blocks) = lba_count(form, b);
    Ok((lba, blocks, b[1] & 0x10 != 0, bytchk))
}

macro_rules! verify {
    ($(#[$meta:meta])* $name:ident, $form:ident, $len:literal) => {
        $(#[$meta])*
        ///
        /// ```text
        ///        7   6   5   4   3   2   1   0
        ///  0  OPERATION CODE
        ///  1  | VRPROTECT |DPO|rsvd| BYTCHK |obsol|
        ///  LOGICAL BLOCK ADDRESS   bytes 2..=5 (10) or 2..=9 (16)
        ///  VERIFICATION LENGTH     bytes 7..=8 (10) or 10..=13 (16)
        ///  GROUP NUMBER            byte 6 (10) or 14 (16)
        ///  CONTROL                 last byte
        /// ```
        ///
        /// BYTCHK 00b: the medium is checked, no data moves. 01b: the driver sends
        /// `blocks` blocks to compare. 11b: the driver sends one block, compared with each
        /// verified block. 10b is reserved and refused.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name {
            /// LOGICAL BLOCK ADDRESS of the first block.
            pub lba: u64,
            /// VERIFICATION LENGTH in blocks (0 verifies nothing and is not an error).
            pub blocks: u32,
            /// DPO: disable page out.
            pub dpo: bool,
            /// BYTCHK, 2 bits: 0, 1 or 3.
            pub bytchk: u8,
            /// Bytes per logical block (not in the CDB), for the data-out length.
            pub block_length: u32,
        }

        impl $name {
            #[doc = concat!("The ", stringify!($len), "-byte CDB.")]
            ///
            /// # Errors
            /// [`BuildError::OutOfRange`] for an LBA or length that does not fit, or BYTCHK
            /// above 3; [`BuildError::Invalid`] for BYTCHK 10b or a `block_length` of 0.
            pub fn encode(&self) -> Result<Command, BuildError> {
                verify_encode(&$form, self.lba, self.blocks, self.dpo, self.bytchk, self.block_length)
            }

            pub(crate) fn parse(b: &Bytes, block_length: u32) -> Result<Self, CdbDecodeError> {
                let (lba, blocks, dpo, bytchk) = verify_parse(&$form, b)?;
                Ok($name { lba, blocks, dpo, bytchk, block_length })
            }
        }
    };
}

verify! {
    /// VERIFY(10) (SBC-4 table "VERIFY (10) command"). Data-out when BYTCHK is not 0.
    Verify10, VERIFY_10, 10
}
verify! {
    /// VERIFY(16) (SBC-4 table "VERIFY (16) command"). Data-out when BYTCHK is not 0.
    Verify16, VERIFY_16, 16
}

macro_rules! sync_cache {
    ($(#[$meta:meta])* $name:ident, $form:ident, $len:literal) => {
        $(#[$meta])*
        ///
        /// ```text
        ///        7   6   5   4   3   2   1   0
        ///  0  OPERATION CODE
        ///  1  | reserved          |obsol|IMMED|obsol|
        ///  LOGICAL BLOCK ADDRESS      bytes 2..=5 (10) or 2..=9 (16)
        ///  NUMBER OF LOGICAL BLOCKS   bytes 7..=8 (10) or 10..=13 (16); 0 = to the end
        ///  GROUP NUMBER               byte 6 (10) or 14 (16)
        ///  CONTROL                    last byte
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name {
            /// IMMED: return status once the CDB is validated.
            pub immed: bool,
            /// LOGICAL BLOCK ADDRESS of the first block to synchronize.
            pub lba: u64,
            /// NUMBER OF LOGICAL BLOCKS (0: from `lba` to the last block).
            pub blocks: u32,
        }

        impl $name {
            #[doc = concat!("The ", stringify!($len), "-byte CDB. No data phase.")]
            ///
            /// # Errors
            /// [`BuildError::OutOfRange`] for an LBA or block count that does not fit.
            pub fn encode(&self) -> Result<Command, BuildError> {
                let cdb = build(&$form, bit(self.immed, 1), self.lba, self.blocks, "NUMBER OF LOGICAL BLOCKS")?;
                Ok(Command::new(cdb, DataDirection::None, 0))
            }

            pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
                let (lba, blocks) = lba_count(&$form, b);
                Ok($name { immed: b[1] & 0x02 != 0, lba, blocks })
            }
        }
    };
}

sync_cache! {
    /// SYNCHRONIZE CACHE(10) (SBC-4 table "SYNCHRONIZE CACHE (10) command").
    SynchronizeCache10, SYNC_10, 10
}
sync_cache! {
    /// SYNCHRONIZE CACHE(16) (SBC-4 table "SYNCHRONIZE CACHE (16) command").
    SynchronizeCache16, SYNC_16, 16
}
