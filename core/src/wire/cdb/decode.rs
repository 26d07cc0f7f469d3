//! The CDB decoder: bytes back to a typed command.
//!
//! The simulated disks decode every CDB they receive with [`decode`], and the tests use it to
//! prove each builder round-trips. It is total: any byte string gives `Ok` or `Err`, and no
//! input makes it panic. Beyond that:
//!
//! - A CDB longer than its opcode's length is accepted and the extra bytes ignored (Apple
//!   and many transports pad every CDB to 16 bytes).
//! - Reserved bits, CONTROL and GROUP NUMBER are ignored; fields the builders do not model
//!   but that change the command's meaning (RDPROTECT, obsolete PMI, reserved code values)
//!   are flagged as [`CdbDecodeError::InvalidField`], with the byte a device would point at
//!   in its sense-key specific field pointer.
//! - Whatever decodes also encodes: `decode` runs the builder on its result and reports a
//!   builder refusal as [`CdbDecodeError::Refused`]. So for any `Ok(c)` other than
//!   [`ScsiCommand::Unsupported`], `c.encode()` succeeds and decodes back to `c` (the fuzz
//!   target `cdb_decode` checks exactly that).

use super::*;
use crate::wire::field;

/// A CDB zero-padded to 16 bytes: every field read in the per-command parsers is at a
/// constant offset inside it, so none can fail.
pub(crate) type Bytes = [u8; MAX_CDB_LENGTH];

/// Big-endian 16-bit field at the constant offset `at`.
pub(crate) fn be16(b: &Bytes, at: usize) -> u16 {
    field::be16_at(b, at).unwrap_or(0)
}

/// Big-endian 24-bit field at the constant offset `at`.
pub(crate) fn be24(b: &Bytes, at: usize) -> u32 {
    field::be24_at(b, at).unwrap_or(0)
}

/// Big-endian 32-bit field at the constant offset `at`.
pub(crate) fn be32(b: &Bytes, at: usize) -> u32 {
    field::be32_at(b, at).unwrap_or(0)
}

/// Big-endian 64-bit field at the constant offset `at`.
pub(crate) fn be64(b: &Bytes, at: usize) -> u64 {
    field::be64_at(b, at).unwrap_or(0)
}

/// Big-endian field of `width` (1..=8) bytes at `at`.
pub(crate) fn get_be(b: &Bytes, at: usize, width: usize) -> u64 {
    let Some(end) = at.checked_add(width) else { return 0 };
    b.get(at..end).map_or(0, |f| f.iter().fold(0u64, |v, &x| v << 8 | u64::from(x)))
}

/// Writes the low `width` (1..=8) bytes of `value` big-endian at `at`; a field outside `buf`
/// is not written (builders pass constant in-range offsets).
pub(crate) fn put_be(buf: &mut [u8], at: usize, width: usize, value: u64) {
    let be = value.to_be_bytes();
    let (Some(src), Some(end)) = (be.get(8usize.saturating_sub(width)..), at.checked_add(width))
    else {
        return;
    };
    if let Some(dst) = buf.get_mut(at..end) {
        if dst.len() == src.len() {
            dst.copy_from_slice(src);
        }
    }
}

/// An [`CdbDecodeError::InvalidField`].
pub(crate) fn invalid(byte: u8, why: &'static str) -> CdbDecodeError {
    CdbDecodeError::InvalidField { byte, why }
}

/// Why bytes are not a CDB this crate can represent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CdbDecodeError {
    /// No bytes at all.
    #[error("empty CDB")]
    Empty,
    /// Fewer bytes than the opcode's CDB length.
    #[error("CDB with opcode {opcode:#04x} needs {needed} bytes, {available} present")]
    Truncated {
        /// The OPERATION CODE.
        opcode: u8,
        /// The CDB length the opcode needs.
        needed: usize,
        /// Bytes present.
        available: usize,
    },
    /// A field holds a value the spec forbids or this crate does not model; a device would
    /// answer ILLEGAL REQUEST, INVALID FIELD IN CDB pointing at `byte`.
    #[error("invalid field in CDB byte {byte}: {why}")]
    InvalidField {
        /// Byte offset of the field in the CDB.
        byte: u8,
        /// What is wrong.
        why: &'static str,
    },
    /// The fields decode, but the builder refuses the combination (for example a block
    /// length of 0, or an ATA PASS-THROUGH whose data phase cannot be derived).
    #[error("not representable: {0}")]
    Refused(BuildError),
}

macro_rules! scsi_command {
    ($( $(#[$meta:meta])* $variant:ident($ty:ty) ),* $(,)?) => {
        /// Any command this crate can build, as the decoder returns it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ScsiCommand {
            $( $(#[$meta])* $variant($ty), )*
            /// A well-formed CDB of a command this crate has no builder for.
            Unsupported {
                /// OPERATION CODE.
                opcode: u8,
                /// SERVICE ACTION, for opcodes that have one (byte 1 bits 4..0, or bytes
                /// 8..=9 of a variable-length CDB).
                service_action: Option<u16>,
            },
        }

        impl ScsiCommand {
            /// Builds the command again.
            ///
            /// # Errors
            /// What the typed builder returns; [`BuildError::Invalid`] for
            /// [`ScsiCommand::Unsupported`], whose other fields were not kept.
            pub fn encode(&self) -> Result<Command, BuildError> {
                match self {
                    $( ScsiCommand::$variant(c) => c.encode(), )*
                    ScsiCommand::Unsupported { .. } => {
                        Err(BuildError::Invalid("unsupported command: no builder"))
                    }
                }
            }
        }

        $(
            impl From<$ty> for ScsiCommand {
                fn from(c: $ty) -> Self {
                    ScsiCommand::$variant(c)
                }
            }
        )*
    };
}

scsi_command! {
    /// TEST UNIT READY.
    TestUnitReady(TestUnitReady),
    /// REQUEST SENSE.
    RequestSense(RequestSense),
    /// INQUIRY.
    Inquiry(Inquiry),
    /// MODE SENSE(6).
    ModeSense6(ModeSense6),
    /// MODE SENSE(10).
    ModeSense10(ModeSense10),
    /// MODE SELECT(6).
    ModeSelect6(ModeSelect6),
    /// MODE SELECT(10).
    ModeSelect10(ModeSelect10),
    /// START STOP UNIT.
    StartStopUnit(StartStopUnit),
    /// PREVENT ALLOW MEDIUM REMOVAL.
    PreventAllowMediumRemoval(PreventAllowMediumRemoval),
    /// READ CAPACITY(10).
    ReadCapacity10(ReadCapacity10),
    /// READ CAPACITY(16).
    ReadCapacity16(ReadCapacity16),
    /// GET LBA STATUS(16).
    GetLbaStatus(GetLbaStatus),
    /// READ(6).
    Read6(Read6),
    /// READ(10).
    Read10(Read10),
    /// READ(12).
    Read12(Read12),
    /// READ(16).
    Read16(Read16),
    /// WRITE(6).
    Write6(Write6),
    /// WRITE(10).
    Write10(Write10),
    /// WRITE(12).
    Write12(Write12),
    /// WRITE(16).
    Write16(Write16),
    /// VERIFY(10).
    Verify10(Verify10),
    /// VERIFY(16).
    Verify16(Verify16),
    /// SYNCHRONIZE CACHE(10).
    SynchronizeCache10(SynchronizeCache10),
    /// SYNCHRONIZE CACHE(16).
    SynchronizeCache16(SynchronizeCache16),
    /// WRITE SAME(10).
    WriteSame10(WriteSame10),
    /// WRITE SAME(16).
    WriteSame16(WriteSame16),
    /// UNMAP.
    Unmap(Unmap),
    /// REPORT LUNS.
    ReportLuns(ReportLuns),
    /// REPORT SUPPORTED OPERATION CODES.
    ReportSupportedOperationCodes(ReportSupportedOperationCodes),
    /// LOG SENSE.
    LogSense(LogSense),
    /// SEND DIAGNOSTIC.
    SendDiagnostic(SendDiagnostic),
    /// READ BUFFER(10).
    ReadBuffer10(ReadBuffer10),
    /// WRITE BUFFER.
    WriteBuffer10(WriteBuffer10),
    /// SECURITY PROTOCOL IN.
    SecurityProtocolIn(SecurityProtocolIn),
    /// ATA PASS-THROUGH(12).
    AtaPassThrough12(AtaPassThrough12),
    /// ATA PASS-THROUGH(16).
    AtaPassThrough16(AtaPassThrough16),
}

impl ScsiCommand {
    /// The OPERATION CODE.
    pub fn opcode(&self) -> Opcode {
        use ScsiCommand as S;
        Opcode(match self {
            S::TestUnitReady(_) => 0x00,
            S::RequestSense(_) => 0x03,
            S::Inquiry(_) => 0x12,
            S::ModeSense6(_) => 0x1A,
            S::ModeSense10(_) => 0x5A,
            S::ModeSelect6(_) => 0x15,
            S::ModeSelect10(_) => 0x55,
            S::StartStopUnit(_) => 0x1B,
            S::PreventAllowMediumRemoval(_) => 0x1E,
            S::ReadCapacity10(_) => 0x25,
            S::ReadCapacity16(_) | S::GetLbaStatus(_) => 0x9E,
            S::Read6(_) => 0x08,
            S::Read10(_) => 0x28,
            S::Read12(_) => 0xA8,
            S::Read16(_) => 0x88,
            S::Write6(_) => 0x0A,
            S::Write10(_) => 0x2A,
            S::Write12(_) => 0xAA,
            S::Write16(_) => 0x8A,
            S::Verify10(_) => 0x2F,
            S::Verify16(_) => 0x8F,
            S::SynchronizeCache10(_) => 0x35,
            S::SynchronizeCache16(_) => 0x91,
            S::WriteSame10(_) => 0x41,
            S::WriteSame16(_) => 0x93,
            S::Unmap(_) => 0x42,
            S::ReportLuns(_) => 0xA0,
            S::ReportSupportedOperationCodes(_) => 0xA3,
            S::LogSense(_) => 0x4D,
            S::SendDiagnostic(_) => 0x1D,
            S::ReadBuffer10(_) => 0x3C,
            S::WriteBuffer10(_) => 0x3B,
            S::SecurityProtocolIn(_) => 0xA2,
            S::AtaPassThrough12(_) => 0xA1,
            S::AtaPassThrough16(_) => 0x85,
            S::Unsupported { opcode, .. } => *opcode,
        })
    }
}

/// The SERVICE ACTION of `cdb` if its opcode is one that carries one, `None` otherwise (or
/// when the CDB is too short to hold it).
fn service_action(opcode: u8, cdb: &Bytes, len: usize) -> Option<u16> {
    match opcode {
        // Variable-length CDB (SPC-5 §4.2.3): SERVICE ACTION in bytes 8..=9.
        0x7F if len >= 10 => Some(be16(cdb, 8)),
        // SANITIZE, PERSISTENT RESERVE IN/OUT, third-party copy, SERVICE ACTION BIDIRECTIONAL,
        // ZBC OUT/IN, SERVICE ACTION IN/OUT(16), MAINTENANCE IN/OUT, SERVICE ACTION IN/OUT(12):
        // SERVICE ACTION in byte 1 bits 4..0.
        0x48 | 0x5E | 0x5F | 0x83 | 0x84 | 0x9D | 0x94 | 0x95 | 0x9E | 0x9F | 0xA3 | 0xA4
        | 0xA9 | 0xAB
            if len >= 2 =>
        {
            Some(u16::from(cdb[1] & 0x1F))
        }
        _ => None,
    }
}

/// Decodes a CDB. `block_length` is the logical block length of the device the CDB is for
/// (it fills the `block_length` of block commands; other commands ignore it).
///
/// # Errors
/// See [`CdbDecodeError`]. An opcode this crate has no builder for is not an error:
/// [`ScsiCommand::Unsupported`].
pub fn decode(cdb: &[u8], block_length: u32) -> Result<ScsiCommand, CdbDecodeError> {
    let &opcode = cdb.first().ok_or(CdbDecodeError::Empty)?;
    let available = cdb.len();
    if let Some(needed) = cdb_length_for_opcode(opcode) {
        if available < needed {
            return Err(CdbDecodeError::Truncated { opcode, needed, available });
        }
    }
    let mut b: Bytes = [0; MAX_CDB_LENGTH];
    let n = available.min(MAX_CDB_LENGTH);
    if let (Some(dst), Some(src)) = (b.get_mut(..n), cdb.get(..n)) {
        dst.copy_from_slice(src);
    }
    let bl = block_length;
    use ScsiCommand as S;
    let command = match opcode {
        0x00 => S::TestUnitReady(TestUnitReady::parse(&b)?),
        0x03 => S::RequestSense(RequestSense::parse(&b)?),
        0x08 => S::Read6(Read6::parse(&b, bl)?),
        0x0A => S::Write6(Write6::parse(&b, bl)?),
        0x12 => S::Inquiry(Inquiry::parse(&b)?),
        0x15 => S::ModeSelect6(ModeSelect6::parse(&b)?),
        0x1A => S::ModeSense6(ModeSense6::parse(&b)?),
        0x1B => S::StartStopUnit(StartStopUnit::parse(&b)?),
        0x1D => S::SendDiagnostic(SendDiagnostic::parse(&b)?),
        0x1E => S::PreventAllowMediumRemoval(PreventAllowMediumRemoval::parse(&b)?),
        0x25 => S::ReadCapacity10(ReadCapacity10::parse(&b)?),
        0x28 => S::Read10(Read10::parse(&b, bl)?),
        0x2A => S::Write10(Write10::parse(&b, bl)?),
        0x2F => S::Verify10(Verify10::parse(&b, bl)?),
        0x35 => S::SynchronizeCache10(SynchronizeCache10::parse(&b)?),
        0x3B => S::WriteBuffer10(WriteBuffer10::parse(&b)?),
        0x3C => S::ReadBuffer10(ReadBuffer10::parse(&b)?),
        0x41 => S::WriteSame10(WriteSame10::parse(&b, bl)?),
        0x42 => S::Unmap(Unmap::parse(&b)?),
        0x4D => S::LogSense(LogSense::parse(&b)?),
        0x55 => S::ModeSelect10(ModeSelect10::parse(&b)?),
        0x5A => S::ModeSense10(ModeSense10::parse(&b)?),
        0x85 => S::AtaPassThrough16(AtaPassThrough16::parse(&b, bl)?),
        0x88 => S::Read16(Read16::parse(&b, bl)?),
        0x8A => S::Write16(Write16::parse(&b, bl)?),
        0x8F => S::Verify16(Verify16::parse(&b, bl)?),
        0x91 => S::SynchronizeCache16(SynchronizeCache16::parse(&b)?),
        0x93 => S::WriteSame16(WriteSame16::parse(&b, bl)?),
        0x9E if b[1] & 0x1F == Opcode::SA_READ_CAPACITY_16 => {
            S::ReadCapacity16(ReadCapacity16::parse(&b)?)
        }
        0x9E if b[1] & 0x1F == Opcode::SA_GET_LBA_STATUS_16 => {
            S::GetLbaStatus(GetLbaStatus::parse(&b)?)
        }
        0xA0 => S::ReportLuns(ReportLuns::parse(&b)?),
        0xA1 => S::AtaPassThrough12(AtaPassThrough12::parse(&b, bl)?),
        0xA2 => S::SecurityProtocolIn(SecurityProtocolIn::parse(&b)?),
        0xA3 if b[1] & 0x1F == Opcode::SA_REPORT_SUPPORTED_OPERATION_CODES => {
            S::ReportSupportedOperationCodes(ReportSupportedOperationCodes::parse(&b)?)
        }
        0xA8 => S::Read12(Read12::parse(&b, bl)?),
        0xAA => S::Write12(Write12::parse(&b, bl)?),
        _ => {
            return Ok(S::Unsupported {
                opcode,
                service_action: service_action(opcode, &b, available),
            })
        }
    };
    let _checked = command.encode().map_err(CdbDecodeError::Refused)?;
    Ok(command)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn put_be_and_get_be_agree_and_stay_inside() {
        let mut buf = [0u8; 16];
        put_be(&mut buf, 2, 4, 0x1_0203_0405);
        assert_eq!(buf[..7], [0, 0, 2, 3, 4, 5, 0], "only the low 4 bytes are written");
        assert_eq!(get_be(&buf, 2, 4), 0x0203_0405);
        put_be(&mut buf, 8, 8, u64::MAX);
        assert_eq!(get_be(&buf, 8, 8), u64::MAX);
        // Out of bounds: nothing written, nothing read, no panic.
        put_be(&mut buf, 14, 4, 0xAAAA_AAAA);
        assert_eq!(buf[14..], [0xff, 0xff]);
        assert_eq!(get_be(&buf, 14, 4), 0);
        assert_eq!(get_be(&buf, usize::MAX, 2), 0);
        put_be(&mut buf, usize::MAX, 2, 1);
    }

    #[test]
    fn zero_length_data_phase_is_no_data_phase() {
        let cdb = Cdb::from_array([0x12, 0, 0, 0, 0, 0]);
        assert_eq!(Command::new(cdb, DataDirection::In, 0).direction, DataDirection::None);
        assert_eq!(Command::new(cdb, DataDirection::In, 1).direction, DataDirection::In);
        assert_eq!(block_bytes(3, 0), Err(BuildError::Invalid("logical block length is 0")));
        assert_eq!(block_bytes(u64::MAX, 1), Ok(u64::MAX));
        assert!(matches!(block_bytes(u64::MAX, 2), Err(BuildError::OutOfRange { .. })));
    }
}
