//! `sbc_build_*`: CDB builders for the commands the shim may send on its own.

use super::{write_out, SbcCommand, SbcStatus, Status, DEFAULT_TIMEOUT_MS};
use crate::wire::cdb::{
    BuildError, Command, Inquiry, ReadCapacity10, ReadCapacity16, RequestSense, TestUnitReady,
};

impl From<BuildError> for Status {
    fn from(e: BuildError) -> Self {
        match e {
            BuildError::BufferTooSmall { .. } => Status::InsufficientSize,
            BuildError::OutOfRange { .. }
            | BuildError::Invalid(_)
            | BuildError::CdbLength { .. } => Status::InvalidArgument,
        }
    }
}

/// Checks `out`, then converts a built command (or the builder's refusal) for C and writes
/// it.
///
/// # Safety
/// `out` must be NULL or valid for writes of one `SbcCommand`.
unsafe fn emit(built: Result<Command, BuildError>, out: *mut SbcCommand) -> SbcStatus {
    if out.is_null() {
        return Status::NullParameter.raw();
    }
    match built {
        // SAFETY: this function's contract.
        Ok(command) => unsafe {
            write_out(out, SbcCommand::from_command(&command, DEFAULT_TIMEOUT_MS))
        },
        Err(e) => Status::from(e).raw(),
    }
}

/// `sbc_build_test_unit_ready`.
///
/// # Safety
/// `command_out` must be NULL or valid for writes of one `SbcCommand` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_build_test_unit_ready(command_out: *mut SbcCommand) -> SbcStatus {
    // SAFETY: this function's contract.
    unsafe { emit(TestUnitReady.encode(), command_out) }
}

/// `sbc_build_inquiry`.
///
/// # Safety
/// `command_out` must be NULL or valid for writes of one `SbcCommand` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_build_inquiry(
    evpd: bool,
    page_code: u8,
    allocation_length: u16,
    command_out: *mut SbcCommand,
) -> SbcStatus {
    // SPC-5 §6.7.1: PAGE CODE must be zero when EVPD is zero.
    let built = match (evpd, page_code) {
        (false, 0) => Inquiry { evpd_page: None, allocation_length }.encode(),
        (false, _) => Err(BuildError::Invalid("PAGE CODE must be 0 when EVPD is 0")),
        (true, page) => Inquiry { evpd_page: Some(page), allocation_length }.encode(),
    };
    // SAFETY: this function's contract.
    unsafe { emit(built, command_out) }
}

/// `sbc_build_read_capacity_10`.
///
/// # Safety
/// `command_out` must be NULL or valid for writes of one `SbcCommand` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_build_read_capacity_10(command_out: *mut SbcCommand) -> SbcStatus {
    // SAFETY: this function's contract.
    unsafe { emit(ReadCapacity10.encode(), command_out) }
}

/// `sbc_build_read_capacity_16`.
///
/// # Safety
/// `command_out` must be NULL or valid for writes of one `SbcCommand` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_build_read_capacity_16(
    allocation_length: u32,
    command_out: *mut SbcCommand,
) -> SbcStatus {
    // SAFETY: this function's contract.
    unsafe { emit(ReadCapacity16 { allocation_length }.encode(), command_out) }
}

/// `sbc_build_request_sense`.
///
/// # Safety
/// `command_out` must be NULL or valid for writes of one `SbcCommand` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_build_request_sense(
    descriptor_format: bool,
    allocation_length: u8,
    command_out: *mut SbcCommand,
) -> SbcStatus {
    // SAFETY: this function's contract.
    unsafe { emit(RequestSense { descriptor_format, allocation_length }.encode(), command_out) }
}
