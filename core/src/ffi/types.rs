//! The `#[repr(C)]` mirrors of the header's types and the status codes.

use core::ffi::c_char;

use crate::wire::cdb::{Command, MAX_CDB_LENGTH};

/// `sbc_status`: a `uint32_t` holding an `sbc_status_code`.
pub type SbcStatus = u32;

/// `SBC_DEFAULT_TIMEOUT_MS`.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// `SBC_SENSE_MAX_LENGTH`: the most sense bytes `UserSendCDB` returns.
pub const SENSE_MAX_LENGTH: usize = 22;

/// The `sbc_status_code` values, one per way a call can end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Status {
    /// `SBC_STATUS_OK`.
    Ok = 9000,
    /// `SBC_STATUS_NULL_PARAMETER`.
    NullParameter = 9001,
    /// `SBC_STATUS_INVALID_ARGUMENT`.
    InvalidArgument = 9002,
    /// `SBC_STATUS_INSUFFICIENT_SIZE`.
    InsufficientSize = 9003,
    /// `SBC_STATUS_TRUNCATED`.
    Truncated = 9004,
    /// `SBC_STATUS_MALFORMED`.
    Malformed = 9005,
    /// `SBC_STATUS_INCONSISTENT_COMPLETION`.
    InconsistentCompletion = 9006,
    /// `SBC_STATUS_BAD_STATE`.
    BadState = 9007,
}

impl Status {
    /// Every status, in numeric order.
    pub const ALL: [Status; 8] = [
        Status::Ok,
        Status::NullParameter,
        Status::InvalidArgument,
        Status::InsufficientSize,
        Status::Truncated,
        Status::Malformed,
        Status::InconsistentCompletion,
        Status::BadState,
    ];

    /// The value as it crosses the ABI.
    pub const fn raw(self) -> SbcStatus {
        self as u32
    }

    /// The status for a raw value, if it is one.
    pub fn from_raw(raw: SbcStatus) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.raw() == raw)
    }

    /// The header's name for the status, NUL-terminated.
    pub(crate) const fn name_nul(status: Option<Status>) -> &'static [u8] {
        match status {
            Some(Status::Ok) => b"SBC_STATUS_OK\0",
            Some(Status::NullParameter) => b"SBC_STATUS_NULL_PARAMETER\0",
            Some(Status::InvalidArgument) => b"SBC_STATUS_INVALID_ARGUMENT\0",
            Some(Status::InsufficientSize) => b"SBC_STATUS_INSUFFICIENT_SIZE\0",
            Some(Status::Truncated) => b"SBC_STATUS_TRUNCATED\0",
            Some(Status::Malformed) => b"SBC_STATUS_MALFORMED\0",
            Some(Status::InconsistentCompletion) => b"SBC_STATUS_INCONSISTENT_COMPLETION\0",
            Some(Status::BadState) => b"SBC_STATUS_BAD_STATE\0",
            None => b"SBC_STATUS_UNKNOWN\0",
        }
    }
}

/// `sbc_command`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct SbcCommand {
    /// The CDB, zero-padded.
    pub cdb: [u8; MAX_CDB_LENGTH],
    /// 6, 10, 12 or 16.
    pub cdb_length: u8,
    /// An `sbc_direction_code`.
    pub direction: u8,
    /// Zero.
    pub reserved: [u8; 2],
    /// For `fTimeoutDuration`.
    pub timeout_ms: u32,
    /// Bytes, for `fRequestedByteCountOfTransfer`.
    pub transfer_length: u64,
}

impl SbcCommand {
    /// The C shape of a built command.
    pub fn from_command(command: &Command, timeout_ms: u32) -> Self {
        SbcCommand {
            cdb: command.cdb.padded(),
            cdb_length: command.cdb.len() as u8,
            direction: command.direction as u8,
            reserved: [0; 2],
            timeout_ms,
            transfer_length: command.transfer_length,
        }
    }
}

/// `sbc_completion`.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub struct SbcCompletion {
    /// An `sbc_service_response_code`.
    pub service_response: u32,
    /// An `sbc_task_status_code`.
    pub task_status: u32,
    /// `fRealizedByteCountOfTransfer`.
    pub realized_length: u64,
    /// Sense bytes, or NULL.
    pub sense: *const u8,
    /// Bytes valid at `sense`.
    pub sense_length: u32,
    /// Zero.
    pub reserved: u32,
}

/// `sbc_inquiry_summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct SbcInquirySummary {
    /// 0 = connected.
    pub peripheral_qualifier: u8,
    /// 0 = direct access block device.
    pub peripheral_device_type: u8,
    /// VERSION.
    pub version: u8,
    /// RESPONSE DATA FORMAT.
    pub response_data_format: u8,
    /// RMB.
    pub removable: bool,
    /// PROTECT.
    pub protect: bool,
    /// The response announced more bytes than were given.
    pub truncated: bool,
    /// Zero.
    pub reserved: u8,
    /// ADDITIONAL LENGTH + 5.
    pub announced_length: u32,
    /// VENDOR IDENTIFICATION, NUL-terminated.
    pub vendor: [c_char; 9],
    /// PRODUCT IDENTIFICATION, NUL-terminated.
    pub product: [c_char; 17],
    /// PRODUCT REVISION LEVEL, NUL-terminated.
    pub revision: [c_char; 5],
    /// Zero.
    pub reserved2: [u8; 1],
}

/// `sbc_capacity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct SbcCapacity {
    /// RETURNED LOGICAL BLOCK ADDRESS + 1.
    pub block_count: u64,
    /// Logical block length in bytes.
    pub logical_block_length: u32,
    /// Physical block length in bytes; 0 when RC16 data ends before LBPPBE.
    pub physical_block_length: u32,
    /// LOWEST ALIGNED LOGICAL BLOCK ADDRESS.
    pub lowest_aligned_lba: u16,
    /// 0 = none, else P_TYPE + 1: 1..=3 = Type 1..3, 4..=8 = reserved P_TYPE kept as data.
    pub protection_type: u8,
    /// LBPME.
    pub lbpme: bool,
    /// LBPRZ.
    pub lbprz: bool,
    /// RC10 returned 0xFFFFFFFF.
    pub use_read_capacity_16: bool,
    /// RC16 data cut short.
    pub truncated: bool,
    /// Zero.
    pub reserved: [u8; 1],
}
