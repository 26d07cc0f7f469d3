//! READ BUFFER(10), WRITE BUFFER and SECURITY PROTOCOL IN (SPC-5).

use super::decode::{be16, be24, be32, Bytes, CdbDecodeError};
use super::{bit, fits, BuildError, Cdb, Command, DataDirection, Opcode};

/// Largest value of a 24-bit field.
const MAX_24: u64 = 0xFF_FFFF;

/// The common 10-byte layout of READ BUFFER(10) and WRITE BUFFER.
#[allow(clippy::too_many_arguments)]
fn buffer_cdb(
    opcode: Opcode,
    mode_specific: u8,
    mode: u8,
    buffer_id: u8,
    buffer_offset: u32,
    length: u32,
    length_name: &'static str,
) -> Result<Cdb, BuildError> {
    fits("MODE SPECIFIC", mode_specific.into(), 7)?;
    fits("MODE", mode.into(), 0x1F)?;
    fits("BUFFER OFFSET", buffer_offset.into(), MAX_24)?;
    fits(length_name, length.into(), MAX_24)?;
    let [_, o2, o1, o0] = buffer_offset.to_be_bytes();
    let [_, l2, l1, l0] = length.to_be_bytes();
    Ok(Cdb::from_array([opcode.0, mode_specific << 5 | mode, buffer_id, o2, o1, o0, l2, l1, l0, 0]))
}

/// READ BUFFER(10) (SPC-5 table "READ BUFFER(10) command"). Data-in of
/// `allocation_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (3Ch)
///  1  | reserved  |       MODE           |
///  2  BUFFER ID
///  3..=5  BUFFER OFFSET (24 bits)
///  6..=8  ALLOCATION LENGTH (24 bits)
///  9  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReadBuffer10 {
    /// MODE, 5 bits (02h data, 03h descriptor, 1Ch error history, ...).
    pub mode: u8,
    /// BUFFER ID.
    pub buffer_id: u8,
    /// BUFFER OFFSET, 24 bits.
    pub buffer_offset: u32,
    /// ALLOCATION LENGTH, 24 bits.
    pub allocation_length: u32,
}

impl ReadBuffer10 {
    /// The 10-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for a mode above 1Fh or an offset or length above
    /// FF_FFFFh.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let cdb = buffer_cdb(
            Opcode::READ_BUFFER_10,
            0,
            self.mode,
            self.buffer_id,
            self.buffer_offset,
            self.allocation_length,
            "ALLOCATION LENGTH",
        )?;
        Ok(Command::new(cdb, DataDirection::In, self.allocation_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(ReadBuffer10 {
            mode: b[1] & 0x1F,
            buffer_id: b[2],
            buffer_offset: be24(b, 3),
            allocation_length: be24(b, 6),
        })
    }
}

/// WRITE BUFFER (SPC-5 table "WRITE BUFFER command"): download microcode or write a
/// buffer. Data-out of `parameter_list_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (3Bh)
///  1  |MODE SPECIFIC|       MODE           |
///  2  BUFFER ID
///  3..=5  BUFFER OFFSET (24 bits)
///  6..=8  PARAMETER LIST LENGTH (24 bits)
///  9  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WriteBuffer10 {
    /// MODE SPECIFIC, 3 bits.
    pub mode_specific: u8,
    /// MODE, 5 bits.
    pub mode: u8,
    /// BUFFER ID.
    pub buffer_id: u8,
    /// BUFFER OFFSET, 24 bits.
    pub buffer_offset: u32,
    /// PARAMETER LIST LENGTH, 24 bits.
    pub parameter_list_length: u32,
}

impl WriteBuffer10 {
    /// The 10-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for a mode-specific value above 7, a mode above 1Fh, or an
    /// offset or length above FF_FFFFh.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let cdb = buffer_cdb(
            Opcode::WRITE_BUFFER,
            self.mode_specific,
            self.mode,
            self.buffer_id,
            self.buffer_offset,
            self.parameter_list_length,
            "PARAMETER LIST LENGTH",
        )?;
        Ok(Command::new(cdb, DataDirection::Out, self.parameter_list_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(WriteBuffer10 {
            mode_specific: b[1] >> 5,
            mode: b[1] & 0x1F,
            buffer_id: b[2],
            buffer_offset: be24(b, 3),
            parameter_list_length: be24(b, 6),
        })
    }
}

/// SECURITY PROTOCOL IN (SPC-5 table "SECURITY PROTOCOL IN command"). Data-in of
/// `allocation_length` bytes, or `allocation_length * 512` with INC_512.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (A2h)
///  1  SECURITY PROTOCOL
///  2..=3  SECURITY PROTOCOL SPECIFIC
///  4  |INC_512| reserved                 |
///  5  reserved
///  6..=9  ALLOCATION LENGTH
///  10 reserved
///  11 CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SecurityProtocolIn {
    /// SECURITY PROTOCOL (00h: security protocol information, 01h..06h TCG, EFh ATA
    /// security, ...).
    pub security_protocol: u8,
    /// SECURITY PROTOCOL SPECIFIC.
    pub security_protocol_specific: u16,
    /// INC_512: the allocation length counts 512-byte units.
    pub inc_512: bool,
    /// ALLOCATION LENGTH, in bytes or 512-byte units.
    pub allocation_length: u32,
}

impl SecurityProtocolIn {
    /// Unit of the allocation length when INC_512 is set.
    pub const INCREMENT: u64 = 512;

    /// The 12-byte CDB.
    ///
    /// # Errors
    /// None in practice: every value fits and the byte count cannot overflow.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let mut b = [0u8; 12];
        b[0] = Opcode::SECURITY_PROTOCOL_IN.0;
        b[1] = self.security_protocol;
        b[2..4].copy_from_slice(&self.security_protocol_specific.to_be_bytes());
        b[4] = bit(self.inc_512, 7);
        b[6..10].copy_from_slice(&self.allocation_length.to_be_bytes());
        let unit = if self.inc_512 { Self::INCREMENT } else { 1 };
        let bytes =
            u64::from(self.allocation_length).checked_mul(unit).ok_or(BuildError::OutOfRange {
                field: "ALLOCATION LENGTH",
                value: self.allocation_length.into(),
                max: u64::MAX / unit,
            })?;
        Ok(Command::new(Cdb::from_array(b), DataDirection::In, bytes))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(SecurityProtocolIn {
            security_protocol: b[1],
            security_protocol_specific: be16(b, 2),
            inc_512: b[4] & 0x80 != 0,
            allocation_length: be32(b, 6),
        })
    }
}
