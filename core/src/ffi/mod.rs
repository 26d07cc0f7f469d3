//! The C ABI: the Rust side of `include/sbc_core.h`.
//!
//! The header is the contract; this module implements it and nothing more. Each function
//! checks its pointers, calls one safe function of the crate, and writes its outputs only on
//! success (rustls-ffi's conventions, see the header's preamble). The `#[repr(C)]` types here
//! mirror the header's structs; the host build proves they agree with a bindgen view of the
//! header in size, alignment and every field offset (`src/abi.rs` in the root package).
//!
//! There is no panic boundary: under `panic = "abort"` there is nothing to catch. Instead
//! the functions called from here are total (the crate's no-panic promise), and this module
//! adds no indexing or arithmetic that could fail.
#![allow(unsafe_code)]

mod build;
mod decode;
mod types;

pub use build::{
    sbc_build_inquiry, sbc_build_read_capacity_10, sbc_build_read_capacity_16,
    sbc_build_request_sense, sbc_build_test_unit_ready,
};
pub use decode::{sbc_decode_inquiry, sbc_decode_read_capacity, sbc_quirk_by_name};
pub use types::*;

use crate::wire::cdb::DataDirection;

/// The ABI version this crate implements: major << 16 | minor << 8 | patch. Must equal the
/// header's `SBC_CORE_ABI_VERSION`; a test compares them.
pub const ABI_VERSION: u32 = 0x00_01_00;

/// NUL-terminated crate version for `sbc_core_version_string`.
const VERSION_STRING: &[u8] = concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes();

/// `sbc_core_abi_version`.
#[no_mangle]
pub extern "C" fn sbc_core_abi_version() -> u32 {
    ABI_VERSION
}

/// `sbc_core_version_string`.
#[no_mangle]
pub extern "C" fn sbc_core_version_string() -> *const core::ffi::c_char {
    VERSION_STRING.as_ptr().cast()
}

/// `sbc_status_name`.
#[no_mangle]
pub extern "C" fn sbc_status_name(status: SbcStatus) -> *const core::ffi::c_char {
    Status::name_nul(Status::from_raw(status)).as_ptr().cast()
}

/// Writes `value` through `out` when `out` is not NULL.
///
/// # Safety
/// `out` must be NULL or valid for writes of one `T` (it may be uninitialized: nothing is
/// read or dropped through it).
unsafe fn write_out<T>(out: *mut T, value: T) -> SbcStatus {
    if out.is_null() {
        return Status::NullParameter.raw();
    }
    // SAFETY: non-null, and valid for writes per this function's contract.
    unsafe { out.write(value) };
    Status::Ok.raw()
}

/// `sbc_completion_usable_length`.
///
/// # Safety
/// Each pointer must be NULL or valid for one value of its type (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_completion_usable_length(
    command: *const SbcCommand,
    completion: *const SbcCompletion,
    usable_length_out: *mut u64,
) -> SbcStatus {
    // SAFETY: the header requires each pointer to be NULL or valid for reads of one value.
    let (Some(command), Some(completion)) =
        (unsafe { command.as_ref() }, unsafe { completion.as_ref() })
    else {
        return Status::NullParameter.raw();
    };
    if usable_length_out.is_null() {
        return Status::NullParameter.raw();
    }
    let direction = match command.direction {
        0 => DataDirection::None,
        1 => DataDirection::In,
        2 => DataDirection::Out,
        _ => return Status::InvalidArgument.raw(),
    };
    match crate::wire::usable_length(direction, command.transfer_length, completion.realized_length)
    {
        // SAFETY: checked non-null above; valid for writes per this function's contract.
        Some(n) => unsafe { write_out(usable_length_out, n) },
        None => Status::InconsistentCompletion.raw(),
    }
}
