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

/// The unsafe paths of the ABI, exercised from Rust so Miri can check them (the C tests in
/// the host crate cannot run under Miri). Outputs start uninitialized, as C callers leave
/// them.
#[cfg(test)]
mod test {
    use core::mem::MaybeUninit;

    use super::*;

    #[test]
    fn builders_write_only_on_success() {
        let mut cmd = MaybeUninit::<SbcCommand>::uninit();
        // SAFETY: valid pointer to writable (uninitialized) storage.
        unsafe {
            assert_eq!(sbc_build_inquiry(true, 0x83, 252, cmd.as_mut_ptr()), Status::Ok.raw());
            let cmd = cmd.assume_init();
            assert_eq!(&cmd.cdb[..6], &[0x12, 0x01, 0x83, 0x00, 0xfc, 0x00]);
            let mut keep = SbcCommand { cdb_length: 0x5a, ..SbcCommand::default() };
            assert_eq!(
                sbc_build_inquiry(false, 0x80, 36, &mut keep),
                Status::InvalidArgument.raw()
            );
            assert_eq!(keep.cdb_length, 0x5a);
            assert_eq!(
                sbc_build_test_unit_ready(core::ptr::null_mut()),
                Status::NullParameter.raw()
            );
        }
    }

    #[test]
    fn decoders_and_completion_check_every_pointer() {
        let inq = [0u8, 0x80, 6, 2, 31, 0, 0, 0, b'A', b'C', b'M', b'E', b' ', b' ', b' ', b' '];
        let mut summary = MaybeUninit::<SbcInquirySummary>::uninit();
        let mut capacity = MaybeUninit::<SbcCapacity>::uninit();
        let rc10 = [0xff, 0xff, 0xff, 0xff, 0, 0, 2, 0];
        let mut flag = MaybeUninit::<u32>::uninit();
        let command = SbcCommand { direction: 1, transfer_length: 96, ..SbcCommand::default() };
        let completion = SbcCompletion {
            service_response: 2,
            task_status: 0,
            realized_length: 97,
            sense: core::ptr::null(),
            sense_length: 0,
            reserved: 0,
        };
        let mut usable = 7u64;
        // SAFETY: every pointer is valid for its length, or deliberately NULL.
        unsafe {
            let s = sbc_decode_inquiry(inq.as_ptr(), inq.len(), summary.as_mut_ptr());
            assert_eq!(s, Status::Ok.raw());
            let summary = summary.assume_init();
            assert!(summary.truncated && summary.removable);
            assert_eq!(&summary.vendor[..5], &[b'A' as _, b'C' as _, b'M' as _, b'E' as _, 0]);
            assert_eq!(sbc_decode_inquiry(core::ptr::null(), 5, &mut Default::default()), 9001);
            let s = sbc_decode_read_capacity(10, rc10.as_ptr(), rc10.len(), capacity.as_mut_ptr());
            assert_eq!(s, Status::Ok.raw());
            assert!(capacity.assume_init().use_read_capacity_16);
            let name = b"no-vpd";
            let s = sbc_quirk_by_name(name.as_ptr().cast(), name.len(), flag.as_mut_ptr());
            assert_eq!(s, Status::Ok.raw());
            assert_eq!(flag.assume_init(), crate::quirks::Quirks::NO_VPD.bits());
            let s = sbc_completion_usable_length(&command, &completion, &mut usable);
            assert_eq!((s, usable), (Status::InconsistentCompletion.raw(), 7));
            assert_eq!(
                sbc_completion_usable_length(core::ptr::null(), &completion, &mut usable),
                Status::NullParameter.raw()
            );
        }
    }

    #[test]
    fn status_names_are_nul_terminated() {
        for status in Status::ALL.iter().map(|s| s.raw()).chain([0, 12_345]) {
            let p = sbc_status_name(status);
            // SAFETY: the function returns a static NUL-terminated string.
            let name = unsafe { core::ffi::CStr::from_ptr(p) };
            assert!(name.to_bytes().starts_with(b"SBC_STATUS_"));
        }
        // SAFETY: as above.
        let v = unsafe { core::ffi::CStr::from_ptr(sbc_core_version_string()) };
        assert_eq!(v.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    }
}
