//! The C ABI as C sees it, and the proof that the Rust core agrees.
//!
//! [`bindings`] is bindgen's reading of `core/include/sbc_core.h`, committed so that a
//! default build needs no libclang (`build.rs` regenerates it with the `regen-bindings`
//! feature, and `tests/abi_bindings.rs` fails on drift). The assertions below run at compile
//! time: if a field moves in the header or in `sbc_core::ffi`, this crate does not build.

/// bindgen's view of `sbc_core.h`.
#[allow(non_camel_case_types, non_upper_case_globals, non_snake_case, dead_code, missing_docs)]
#[allow(clippy::all)]
pub mod bindings {
    include!("abi/bindings.rs");
}

use sbc_core::ffi;
use static_assertions::{assert_eq_align, assert_eq_size, const_assert_eq};

/// Asserts that a Rust `#[repr(C)]` type and its C declaration have the same size, alignment
/// and field offsets.
macro_rules! same_layout {
    ($rust:ty, $c:ty, [$($field:ident),* $(,)?]) => {
        assert_eq_size!($rust, $c);
        assert_eq_align!($rust, $c);
        $( const_assert_eq!(core::mem::offset_of!($rust, $field), core::mem::offset_of!($c, $field)); )*
    };
}

same_layout!(
    ffi::SbcCommand,
    bindings::sbc_command,
    [cdb, cdb_length, direction, reserved, timeout_ms, transfer_length]
);
same_layout!(
    ffi::SbcCompletion,
    bindings::sbc_completion,
    [service_response, task_status, realized_length, sense, sense_length, reserved]
);
same_layout!(
    ffi::SbcInquirySummary,
    bindings::sbc_inquiry_summary,
    [
        peripheral_qualifier,
        peripheral_device_type,
        version,
        response_data_format,
        removable,
        protect,
        truncated,
        reserved,
        announced_length,
        vendor,
        product,
        revision,
        reserved2,
    ]
);
same_layout!(
    ffi::SbcCapacity,
    bindings::sbc_capacity,
    [
        block_count,
        logical_block_length,
        physical_block_length,
        lowest_aligned_lba,
        protection_type,
        lbpme,
        lbprz,
        use_read_capacity_16,
        reserved,
    ]
);
assert_eq_size!(ffi::SbcStatus, bindings::sbc_status);
assert_eq_size!(u8, bindings::sbc_direction);

const_assert_eq!(ffi::ABI_VERSION, bindings::SBC_CORE_ABI_VERSION);
const_assert_eq!(ffi::DEFAULT_TIMEOUT_MS, bindings::SBC_DEFAULT_TIMEOUT_MS);
const_assert_eq!(ffi::SENSE_MAX_LENGTH as u32, bindings::SBC_SENSE_MAX_LENGTH);
const_assert_eq!(sbc_core::wire::cdb::MAX_CDB_LENGTH as u32, bindings::SBC_CDB_MAX_LENGTH);

const_assert_eq!(ffi::Status::Ok as u32, bindings::SBC_STATUS_OK);
const_assert_eq!(ffi::Status::NullParameter as u32, bindings::SBC_STATUS_NULL_PARAMETER);
const_assert_eq!(ffi::Status::InvalidArgument as u32, bindings::SBC_STATUS_INVALID_ARGUMENT);
const_assert_eq!(ffi::Status::InsufficientSize as u32, bindings::SBC_STATUS_INSUFFICIENT_SIZE);
const_assert_eq!(ffi::Status::Truncated as u32, bindings::SBC_STATUS_TRUNCATED);
const_assert_eq!(ffi::Status::Malformed as u32, bindings::SBC_STATUS_MALFORMED);
const_assert_eq!(
    ffi::Status::InconsistentCompletion as u32,
    bindings::SBC_STATUS_INCONSISTENT_COMPLETION
);
const_assert_eq!(ffi::Status::BadState as u32, bindings::SBC_STATUS_BAD_STATE);

const_assert_eq!(
    sbc_core::wire::cdb::DataDirection::None as u32,
    bindings::SBC_DIRECTION_NONE
);
const_assert_eq!(sbc_core::wire::cdb::DataDirection::In as u32, bindings::SBC_DIRECTION_IN);
const_assert_eq!(sbc_core::wire::cdb::DataDirection::Out as u32, bindings::SBC_DIRECTION_OUT);
