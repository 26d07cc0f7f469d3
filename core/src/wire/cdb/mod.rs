//! Command descriptor blocks: typed builders and a decoder.
//!
//! A builder takes typed arguments (an LBA as `u64`, a transfer length in blocks) and either
//! refuses a value that does not fit the CDB form asked for ([`BuildError`]) or produces a
//! [`Command`]: the CDB bytes, the data direction, and how many bytes the command will move.
//! Nothing is ever silently truncated to fit a field.
//!
//! The decoder turns CDB bytes back into the typed command; the simulated targets use it, and
//! the tests use it to prove every builder round-trips.

use core::fmt;

/// Longest CDB this crate builds: 16 bytes, the most Apple's `SCSICommandDescriptorBlock`
/// carries (driverkit-facts.md §2.3) and the most libiscsi sends.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildError {
    /// A value does not fit the field of the requested CDB form (for example an LBA above
    /// 2^32 - 1 for READ(10)); choose a larger form.
    OutOfRange {
        /// The spec's name for the field.
        field: &'static str,
        /// The value given.
        value: u64,
        /// The largest value the field can carry.
        max: u64,
    },
    /// A combination the spec forbids (for example WRITE SAME with ANCHOR but without UNMAP).
    Invalid(&'static str),
    /// The output buffer for a parameter list is too small.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// A CDB of this many bytes cannot exist here (must be 1..=16).
    CdbLength {
        /// Length given.
        length: usize,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            BuildError::OutOfRange { field, value, max } => {
                write!(f, "{field} = {value} does not fit (maximum {max})")
            }
            BuildError::Invalid(why) => write!(f, "invalid combination: {why}"),
            BuildError::BufferTooSmall { needed, available } => {
                write!(f, "buffer too small: {needed} bytes needed, {available} available")
            }
            BuildError::CdbLength { length } => {
                write!(f, "a CDB of {length} bytes is not possible")
            }
        }
    }
}

impl core::error::Error for BuildError {}

/// Checks that `value` fits in a field whose largest value is `max`.
pub(crate) fn fits(field: &'static str, value: u64, max: u64) -> Result<(), BuildError> {
    if value > max {
        Err(BuildError::OutOfRange { field, value, max })
    } else {
        Ok(())
    }
}
