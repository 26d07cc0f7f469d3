//! Command descriptor blocks: typed builders and a decoder.
//!
//! A builder takes typed arguments (an LBA as `u64`, a transfer length in blocks) and either
//! refuses a value that does not fit the CDB form asked for ([`BuildError`]) or produces a
//! [`Command`]: the CDB bytes, the data direction, and how many bytes the command will move.
//! Nothing is ever silently truncated to fit a field.
//!
//! The decoder turns CDB bytes back into the typed command; the simulated targets use it, and
//! the tests use it to prove every builder round-trips.
//!
//! # Layout
//!
//! One file per command family, each struct documented with the T10 table it implements and
//! an ASCII layout of its bytes. Tables are cited by their titles, which are stable across
//! revisions (their numbers are not); layouts follow SPC-5, SBC-4 and SAT-4.
//!
//! | file | commands |
//! |---|---|
//! | `opcode.rs` | [`Opcode`], [`cdb_length_for_opcode`], [`needs_exclusive_access`] |
//! | `basic.rs` | TEST UNIT READY, REQUEST SENSE, INQUIRY, START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL |
//! | `mode.rs` | MODE SENSE(6/10), MODE SELECT(6/10) |
//! | `capacity.rs` | READ CAPACITY(10/16), GET LBA STATUS(16) |
//! | `read_write.rs` | READ and WRITE (6/10/12/16) |
//! | `verify_sync.rs` | VERIFY(10/16), SYNCHRONIZE CACHE(10/16) |
//! | `provisioning.rs` | WRITE SAME(10/16), UNMAP and its parameter list |
//! | `report.rs` | REPORT LUNS, REPORT SUPPORTED OPERATION CODES, LOG SENSE, SEND DIAGNOSTIC |
//! | `buffer.rs` | READ BUFFER(10), WRITE BUFFER(10), SECURITY PROTOCOL IN |
//! | `ata.rs` | ATA PASS-THROUGH(12/16) (SAT-4) |
//! | `nvme_bridge.rs` | NVMe admin commands through JMicron, ASMedia and Realtek USB bridges |
//! | `decode.rs` | [`ScsiCommand`], [`decode`], [`CdbDecodeError`] |
//!
//! # Conventions every builder follows
//!
//! - A value that does not fit its field is [`BuildError::OutOfRange`] (checked with
//!   `fits`), a combination the spec forbids is [`BuildError::Invalid`].
//! - Reserved bits, the CONTROL byte and GROUP NUMBER are sent as zero and ignored by the
//!   decoder.
//! - A data phase of zero bytes is no data phase: a command whose allocation length,
//!   parameter list length or transfer length is zero gets [`DataDirection::None`] (SPC-5
//!   §4.2.5.6: "An allocation length of zero specifies that no data shall be transferred.
//!   This condition shall not be considered an error.").
//! - Block commands carry `block_length` (bytes per logical block, not a CDB field) so the
//!   transfer length in bytes can be computed; it is checked arithmetic and a
//!   `block_length` of 0 is refused.

mod ata;
mod basic;
mod buffer;
mod capacity;
mod decode;
mod mode;
pub mod nvme_bridge;
mod opcode;
mod provisioning;
mod read_write;
mod report;
mod verify_sync;

pub use ata::{AtaPassThrough12, AtaPassThrough16, AtaProtocol};
pub use basic::{Inquiry, PreventAllowMediumRemoval, RequestSense, StartStopUnit, TestUnitReady};
pub use buffer::{ReadBuffer10, SecurityProtocolIn, WriteBuffer10};
pub use capacity::{GetLbaStatus, ReadCapacity10, ReadCapacity16};
pub use decode::{decode, CdbDecodeError, ScsiCommand};
pub use mode::{ModeSelect10, ModeSelect6, ModeSense10, ModeSense6, PageControl};
pub use opcode::{cdb_length_for_opcode, needs_exclusive_access, Opcode};
pub use provisioning::{
    unmap_parameter_list_length, write_unmap_parameter_list, Unmap, WriteSame10, WriteSame16,
    UNMAP_BLOCK_DESCRIPTOR_LENGTH, UNMAP_PARAMETER_LIST_HEADER_LENGTH,
};
pub use read_write::{Read10, Read12, Read16, Read6, Write10, Write12, Write16, Write6};
pub use report::{LogSense, ReportLuns, ReportSupportedOperationCodes, SendDiagnostic};
pub use verify_sync::{SynchronizeCache10, SynchronizeCache16, Verify10, Verify16};

use core::fmt;

/// Longest CDB this crate builds: 16 bytes, the most Apple's `SCSICommandDescriptorBlock`
/// carries (docs/driverkit.md §CDB) and the most libiscsi sends (docs/witnesses.md §libiscsi).
pub const MAX_CDB_LENGTH: usize = 16;

/// The bytes of one CDB (6, 10, 12 or 16 of them).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cdb {
    bytes: [u8; MAX_CDB_LENGTH],
    len: u8,
}

impl Cdb {
    /// Copies `bytes` into a CDB.
    ///
    /// # Errors
    /// [`BuildError::CdbLength`] when `bytes` is empty or longer than [`MAX_CDB_LENGTH`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BuildError> {
        if bytes.is_empty() || bytes.len() > MAX_CDB_LENGTH {
            return Err(BuildError::CdbLength { length: bytes.len() });
        }
        let mut cdb = Cdb { bytes: [0; MAX_CDB_LENGTH], len: bytes.len() as u8 };
        cdb.bytes[..bytes.len()].copy_from_slice(bytes);
        Ok(cdb)
    }

    /// A zeroed CDB of `len` bytes with `opcode` in byte 0. `len` must be 1..=16; builders
    /// pass the constant length of the form they build.
    pub(crate) fn zeroed(opcode: u8, len: usize) -> Self {
        let len = len.clamp(1, MAX_CDB_LENGTH);
        let mut bytes = [0; MAX_CDB_LENGTH];
        bytes[0] = opcode;
        Cdb { bytes, len: len as u8 }
    }

    /// A CDB of exactly the bytes of `array` (`N` must be 1..=16, checked at compile time).
    pub(crate) const fn from_array<const N: usize>(array: [u8; N]) -> Self {
        const { assert!(N >= 1 && N <= MAX_CDB_LENGTH) };
        let mut bytes = [0; MAX_CDB_LENGTH];
        let mut i = 0;
        while i < N {
            bytes[i] = array[i];
            i += 1;
        }
        Cdb { bytes, len: N as u8 }
    }

    /// Mutable access to the CDB's bytes, for builders.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[..usize::from(self.len)]
    }

    /// The CDB's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The CDB padded with zeros to 16 bytes, as Apple's `fCommandDescriptorBlock` wants it.
    pub fn padded(&self) -> [u8; MAX_CDB_LENGTH] {
        self.bytes
    }

    /// Length in bytes.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// OPERATION CODE, byte 0.
    pub fn opcode(&self) -> u8 {
        self.bytes[0]
    }
}

impl fmt::Debug for Cdb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Which way data moves. The numbers are this crate's own (see `sbc_core.h`); the shim maps
/// them to Apple's two direction fields, whose enums differ from each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum DataDirection {
    /// No data phase.
    None = 0,
    /// Data-in: from the device to the driver (READ, INQUIRY).
    In = 1,
    /// Data-out: from the driver to the device (WRITE, MODE SELECT, UNMAP).
    Out = 2,
}

/// A CDB ready to send: bytes, direction and expected transfer length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub struct Command {
    /// The CDB.
    pub cdb: Cdb,
    /// Direction of the data phase.
    pub direction: DataDirection,
    /// Bytes the data phase is expected to move (0 when `direction` is `None`).
    pub transfer_length: u64,
}

/// Why a builder refused its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A value does not fit the field of the requested CDB form (for example an LBA above
    /// 2^32 - 1 for READ(10)); choose a larger form.
    #[error("{field} = {value} does not fit (maximum {max})")]
    OutOfRange {
        /// The spec's name for the field.
        field: &'static str,
        /// The value given.
        value: u64,
        /// The largest value the field can carry.
        max: u64,
    },
    /// A combination the spec forbids (for example WRITE SAME with ANCHOR but without UNMAP).
    #[error("invalid combination: {0}")]
    Invalid(&'static str),
    /// The output buffer for a parameter list is too small.
    #[error("buffer too small: {needed} bytes needed, {available} available")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// A CDB of this many bytes cannot exist here (must be 1..=16).
    #[error("a CDB of {length} bytes is not possible")]
    CdbLength {
        /// Length given.
        length: usize,
    },
}

/// Checks that `value` fits in a field whose largest value is `max`.
pub(crate) fn fits(field: &'static str, value: u64, max: u64) -> Result<(), BuildError> {
    if value > max {
        Err(BuildError::OutOfRange { field, value, max })
    } else {
        Ok(())
    }
}

impl Command {
    /// A command whose data phase moves `transfer_length` bytes in `direction`; a length of
    /// zero means no data phase at all, whatever the direction of the non-empty case.
    pub(crate) fn new(cdb: Cdb, direction: DataDirection, transfer_length: u64) -> Self {
        let direction = if transfer_length == 0 { DataDirection::None } else { direction };
        Command { cdb, direction, transfer_length }
    }
}

/// Bytes moved by `blocks` logical blocks of `block_length` bytes.
///
/// # Errors
/// [`BuildError::Invalid`] for a `block_length` of 0; [`BuildError::OutOfRange`] when the
/// product does not fit a `u64`.
pub(crate) fn block_bytes(blocks: u64, block_length: u32) -> Result<u64, BuildError> {
    if block_length == 0 {
        return Err(BuildError::Invalid("logical block length is 0"));
    }
    blocks.checked_mul(u64::from(block_length)).ok_or(BuildError::OutOfRange {
        field: "transfer length in bytes",
        value: blocks,
        max: u64::MAX / u64::from(block_length),
    })
}

/// A bit as a mask: `bit(true, 3) == 0b1000`.
#[inline]
pub(crate) const fn bit(set: bool, position: u8) -> u8 {
    (set as u8) << position
}
