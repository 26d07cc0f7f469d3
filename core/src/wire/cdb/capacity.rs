//! READ CAPACITY(10), READ CAPACITY(16) and GET LBA STATUS(16) (SBC-4).
//!
//! The parameter data is decoded by [`crate::wire::read_capacity`] and
//! [`crate::wire::lba_status`].

use super::decode::{be32, be64, invalid, Bytes, CdbDecodeError};
use super::{BuildError, Cdb, Command, DataDirection, Opcode};

/// Bytes of READ CAPACITY(10) parameter data.
const RC10_DATA_LENGTH: u64 = 8;

/// READ CAPACITY(10) (SBC-4 table "READ CAPACITY (10) command"). Data-in of 8
/// bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (25h)
///  1  | reserved                 |obsol|
///  2..=5  LOGICAL BLOCK ADDRESS (obsolete)
///  6..=7  reserved
///  8  | reserved                 | PMI | (obsolete)
///  9  CONTROL
/// ```
///
/// The obsolete PMI bit and LBA field are always zero here; the decoder flags a CDB that
/// sets them (SBC-4: "If the PMI bit is set to zero and the LOGICAL BLOCK ADDRESS field is
/// not set to zero, [...] INVALID FIELD IN CDB"; with PMI set the meaning is obsolete).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReadCapacity10;

impl ReadCapacity10 {
    /// The 10-byte CDB.
    ///
    /// # Errors
    /// None in practice.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let cdb = Cdb::from_array([Opcode::READ_CAPACITY_10.0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        Ok(Command::new(cdb, DataDirection::In, RC10_DATA_LENGTH))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        if b[8] & 1 != 0 {
            return Err(invalid(8, "PMI is obsolete and not modelled"));
        }
        if be32(b, 2) != 0 {
            return Err(invalid(2, "LOGICAL BLOCK ADDRESS is not zero while PMI is zero"));
        }
        Ok(ReadCapacity10)
    }
}

/// READ CAPACITY(16) (SBC-4 table "READ CAPACITY (16) command"): SERVICE ACTION
/// IN(16) with service action 10h. Data-in of `allocation_length` bytes (32 for all of it).
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (9Eh)
///  1  | reserved  | SERVICE ACTION (10h)   |
///  2..=9  LOGICAL BLOCK ADDRESS (obsolete)
///  10..=13  ALLOCATION LENGTH
///  14 | reserved                 | PMI | (obsolete)
///  15 CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadCapacity16 {
    /// ALLOCATION LENGTH.
    pub allocation_length: u32,
}

impl ReadCapacity16 {
    /// The 16-byte CDB.
    ///
    /// # Errors
    /// None in practice: every value fits.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let mut b = [0u8; 16];
        b[0] = Opcode::SERVICE_ACTION_IN_16.0;
        b[1] = Opcode::SA_READ_CAPACITY_16;
        b[10..14].copy_from_slice(&self.allocation_length.to_be_bytes());
        Ok(Command::new(Cdb::from_array(b), DataDirection::In, self.allocation_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        if b[14] & 1 != 0 {
            return Err(invalid(14, "PMI is obsolete and not modelled"));
        }
        if be64(b, 2) != 0 {
            return Err(invalid(2, "LOGICAL BLOCK ADDRESS is not zero while PMI is zero"));
        }
        Ok(ReadCapacity16 { allocation_length: be32(b, 10) })
    }
}

/// GET LBA STATUS(16) (SBC-4 table "GET LBA STATUS (16) command"): SERVICE ACTION
/// IN(16) with service action 12h. Data-in of `allocation_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (9Eh)
///  1  | reserved  | SERVICE ACTION (12h)   |
///  2..=9  STARTING LOGICAL BLOCK ADDRESS
///  10..=13  ALLOCATION LENGTH
///  14 REPORT TYPE (newer revisions; sent as 0 = all LBAs, ignored by the decoder)
///  15 CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GetLbaStatus {
    /// STARTING LOGICAL BLOCK ADDRESS.
    pub starting_lba: u64,
    /// ALLOCATION LENGTH.
    pub allocation_length: u32,
}

impl GetLbaStatus {
    /// The 16-byte CDB.
    ///
    /// # Errors
    /// None in practice: every value fits.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let mut b = [0u8; 16];
        b[0] = Opcode::SERVICE_ACTION_IN_16.0;
        b[1] = Opcode::SA_GET_LBA_STATUS_16;
        b[2..10].copy_from_slice(&self.starting_lba.to_be_bytes());
        b[10..14].copy_from_slice(&self.allocation_length.to_be_bytes());
        Ok(Command::new(Cdb::from_array(b), DataDirection::In, self.allocation_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(GetLbaStatus { starting_lba: be64(b, 2), allocation_length: be32(b, 10) })
    }
}
