//! The C ABI: the Rust side of `include/sbc_core.h`.
//!
//! The header is the contract; this module implements it and nothing more. Each function
//! checks its pointers, calls one safe function of the crate, and writes its outputs only on
//! success (rustls-ffi's conventions, see the header's preamble). The `#[repr(C)]` types here
//! mirror the header's structs; the host build proves they agree with a bindgen view of the
//! header in size, alignment and every field offset (`src/abi.rs` in the root package).
//!
//! `build.rs` and `decode.rs` hold the stateless calls; `attach.rs` puts the
//! characterization engine in caller storage behind `sbc_attach_*`; `log.rs` holds the one
//! process-wide log callback the engine's records go to.
//!
//! There is no panic boundary: under `panic = "abort"` there is nothing to catch. Instead
//! the functions called from here are total (the crate's no-panic promise), and this module
//! adds no indexing or arithmetic that could fail.
#![allow(unsafe_code)]

mod attach;
mod build;
mod decode;
mod log;
mod types;

#[cfg(feature = "serde")]
pub use attach::sbc_attach_report;
pub use attach::{
    sbc_attach_begin, sbc_attach_complete, sbc_attach_poll, sbc_attach_summary, sbc_attach_verdict,
    PollKind, RefuseCode, SbcAttach, SbcAttachConfig, SbcAttachStorage, SbcAttachSummary, SbcPoll,
    SbcPropertySink, ATTACH_MAX_TRANSFER_LENGTH, ATTACH_STORAGE_ALIGN, ATTACH_STORAGE_SIZE,
};
pub use build::{
    sbc_build_inquiry, sbc_build_read_capacity_10, sbc_build_read_capacity_16,
    sbc_build_request_sense, sbc_build_test_unit_ready,
};
pub use decode::{sbc_decode_inquiry, sbc_decode_read_capacity, sbc_quirk_by_name, sbc_quirk_name};
pub use log::{sbc_set_log_callback, Level, SbcLogCallback, MESSAGE_CAPACITY};
pub use types::*;

use crate::wire::cdb::DataDirection;

/// The ABI version this crate implements: major << 16 | minor << 8 | patch. Must equal the
/// header's `SBC_CORE_ABI_VERSION`; a test compares them.
pub const ABI_VERSION: u32 = 0x00_05_00;

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

    /// Every quirk is enumerated once, in table order, and each name gives its flag back
    /// through sbc_quirk_by_name; the index past the last ends the enumeration and writes
    /// nothing; NULL outputs are refused.
    #[test]
    fn quirk_names_enumerate_the_table() {
        let mut seen = 0u32;
        // SAFETY: valid pointers to writable (uninitialized) storage; the names are static.
        unsafe {
            for index in 0.. {
                let (mut name, mut length, mut flag) = (
                    MaybeUninit::<*const core::ffi::c_char>::uninit(),
                    MaybeUninit::<usize>::uninit(),
                    MaybeUninit::<u32>::uninit(),
                );
                let s = sbc_quirk_name(
                    index,
                    name.as_mut_ptr(),
                    length.as_mut_ptr(),
                    flag.as_mut_ptr(),
                );
                if s == Status::InvalidArgument.raw() {
                    assert_eq!(usize::try_from(index).ok(), Some(crate::quirks::NAMES.len()));
                    break;
                }
                assert_eq!(s, Status::Ok.raw());
                let (name, length, flag) =
                    (name.assume_init(), length.assume_init(), flag.assume_init());
                let mut back = 0u32;
                assert_eq!(sbc_quirk_by_name(name, length, &mut back), Status::Ok.raw());
                assert_eq!(back, flag);
                assert_eq!(seen & flag, 0, "each flag once");
                seen |= flag;
            }
            let (mut name, mut length, mut flag) = (core::ptr::null(), 7usize, 9u32);
            assert_eq!(
                sbc_quirk_name(u32::MAX, &mut name, &mut length, &mut flag),
                Status::InvalidArgument.raw()
            );
            assert_eq!((name, length, flag), (core::ptr::null(), 7, 9));
            assert_eq!(
                sbc_quirk_name(0, core::ptr::null_mut(), &mut length, &mut flag),
                Status::NullParameter.raw()
            );
        }
        assert_eq!(seen, crate::quirks::Quirks::all().bits());
    }

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
    fn null_input_is_null_parameter_whatever_the_length() {
        let mut summary = SbcInquirySummary { version: 0xee, ..Default::default() };
        let mut capacity = SbcCapacity { block_count: 0x5a, ..Default::default() };
        let mut flag = 77u32;
        let empty: [u8; 0] = [];
        // SAFETY: NULL, or a valid pointer with length 0; outputs valid for writes.
        unsafe {
            for len in [0, 1, 36] {
                assert_eq!(
                    sbc_decode_inquiry(core::ptr::null(), len, &mut summary),
                    Status::NullParameter.raw()
                );
                for cdb_length in [10, 12, 16] {
                    let s =
                        sbc_decode_read_capacity(cdb_length, core::ptr::null(), len, &mut capacity);
                    assert_eq!(s, Status::NullParameter.raw());
                }
                let s = sbc_quirk_by_name(core::ptr::null(), len, &mut flag);
                assert_eq!(s, Status::NullParameter.raw());
            }
            // An empty, non-NULL buffer is data: too short, or an unknown (empty) name.
            let s = sbc_decode_inquiry(empty.as_ptr(), 0, &mut summary);
            assert_eq!(s, Status::Truncated.raw());
            let s = sbc_decode_read_capacity(16, empty.as_ptr(), 0, &mut capacity);
            assert_eq!(s, Status::Truncated.raw());
            let s = sbc_quirk_by_name(empty.as_ptr().cast(), 0, &mut flag);
            assert_eq!(s, Status::InvalidArgument.raw());
        }
        assert_eq!((summary.version, capacity.block_count, flag), (0xee, 0x5a, 77));
    }

    /// READ CAPACITY(16) for `rc16[..len]` through the ABI.
    fn rc16(data: &[u8; 32], len: usize) -> Result<SbcCapacity, SbcStatus> {
        let mut capacity = MaybeUninit::<SbcCapacity>::uninit();
        // SAFETY: `data` is valid for `len <= 32` bytes; `capacity` for writes.
        let s = unsafe { sbc_decode_read_capacity(16, data.as_ptr(), len, capacity.as_mut_ptr()) };
        // SAFETY: written when the call returned OK.
        (s == Status::Ok.raw()).then(|| unsafe { capacity.assume_init() }).ok_or(s)
    }

    #[test]
    fn rc16_fields_past_the_cut_read_zero() {
        // 131072 blocks of 512 bytes, LBPPBE 3, LBPME | LBPRZ.
        let mut data = [0u8; 32];
        data[5..16].copy_from_slice(&[0x01, 0xff, 0xff, 0, 0, 0x02, 0x00, 0x00, 0x03, 0xc0, 0]);
        for len in [12, 13] {
            let c = rc16(&data, len).unwrap();
            assert!(c.truncated && !c.lbpme);
            assert_eq!((c.logical_block_length, c.physical_block_length), (512, 0));
        }
        let c = rc16(&data, 14).unwrap();
        assert_eq!((c.physical_block_length, c.truncated, c.lbpme), (4096, true, false));
        assert_eq!(rc16(&data, 11), Err(Status::Truncated.raw()));
    }

    #[test]
    fn rc16_reserved_protection_types_are_kept() {
        let mut data = [0u8; 32];
        data[11] = 0x02; // 512-byte blocks
        data[12] = 0x0e; // P_TYPE 111b with PROT_EN 0: no protection
        assert_eq!(rc16(&data, 32).unwrap().protection_type, 0);
        for p_type in 0..8u8 {
            data[12] = p_type << 1 | 1;
            assert_eq!(rc16(&data, 32).unwrap().protection_type, p_type + 1);
        }
    }

    #[test]
    fn rc16_physical_block_of_4_gib_or_more_is_malformed() {
        let mut data = [0u8; 32];
        data[8] = 0x80; // 2^31-byte logical blocks
        data[13] = 1; // LBPPBE 1: 2^32, one past u32::MAX
        assert_eq!(rc16(&data, 32), Err(Status::Malformed.raw()));
        data[13] = 0;
        assert_eq!(rc16(&data, 32).unwrap().physical_block_length, 0x8000_0000);
        data[8..12].copy_from_slice(&[0, 0x01, 0, 0]); // 2^16 << 15 = 2^31
        data[13] = 0x0f;
        assert_eq!(rc16(&data, 32).unwrap().physical_block_length, 0x8000_0000);
        data[9] = 0x02; // 2^17 << 15 = 2^32
        assert_eq!(rc16(&data, 32), Err(Status::Malformed.raw()));
        data[8..12].copy_from_slice(&[0xff; 4]);
        data[13] = 0;
        assert_eq!(rc16(&data, 32).unwrap().physical_block_length, u32::MAX);
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
