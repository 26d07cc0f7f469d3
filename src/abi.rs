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
        truncated,
        reserved,
    ]
);
same_layout!(ffi::SbcAttachStorage, bindings::sbc_attach_storage, [opaque]);
same_layout!(ffi::SbcAttach, bindings::sbc_attach, []);
same_layout!(
    ffi::SbcAttachConfig,
    bindings::sbc_attach_config,
    [
        quirks_on,
        quirks_off,
        time_budget_ms,
        command_timeout_ms,
        command_budget,
        usb,
        reserved,
        usb_vendor_id,
        usb_product_id
    ]
);
same_layout!(
    ffi::SbcPoll,
    bindings::sbc_poll,
    [kind, sense_length, exclusive, ends_exclusive, reserved, wait_until_ms, command]
);
same_layout!(
    ffi::SbcAttachSummary,
    bindings::sbc_attach_summary,
    [
        block_count,
        logical_block_length,
        physical_block_length,
        commands_sent,
        protection_type,
        medium_present,
        removable,
        write_protected,
        reserved,
    ]
);
same_layout!(
    ffi::SbcPropertySink,
    bindings::sbc_property_sink,
    [
        context,
        begin_dictionary,
        end_dictionary,
        begin_array,
        end_array,
        string,
        number,
        boolean,
        data
    ]
);
/// Every callback of the property sink has the header's type, parameter for parameter: this
/// only compiles if each field's function-pointer type is the same on both sides.
const _: fn(ffi::SbcPropertySink) -> bindings::sbc_property_sink =
    |s| bindings::sbc_property_sink {
        context: s.context,
        begin_dictionary: s.begin_dictionary,
        end_dictionary: s.end_dictionary,
        begin_array: s.begin_array,
        end_array: s.end_array,
        string: s.string,
        number: s.number,
        boolean: s.boolean,
        data: s.data,
    };
/// The log callback's Rust type is the header's, parameter for parameter (a function pointer
/// type has no layout to compare field by field: this only compiles if the types are equal).
const _: fn(ffi::SbcLogCallback) -> bindings::sbc_log_callback = |callback| callback;
assert_eq_size!(ffi::SbcStatus, bindings::sbc_status);
assert_eq_size!(u8, bindings::sbc_direction);

const_assert_eq!(ffi::ABI_VERSION, bindings::SBC_CORE_ABI_VERSION);
const_assert_eq!(ffi::DEFAULT_TIMEOUT_MS, bindings::SBC_DEFAULT_TIMEOUT_MS);
const_assert_eq!(ffi::SENSE_MAX_LENGTH as u32, bindings::SBC_SENSE_MAX_LENGTH);
const_assert_eq!(sbc_core::wire::cdb::MAX_CDB_LENGTH as u32, bindings::SBC_CDB_MAX_LENGTH);
const_assert_eq!(ffi::ATTACH_STORAGE_SIZE as u32, bindings::SBC_ATTACH_STORAGE_SIZE);
const_assert_eq!(ffi::ATTACH_STORAGE_ALIGN as u32, bindings::SBC_ATTACH_STORAGE_ALIGN);
const_assert_eq!(ffi::ATTACH_MAX_TRANSFER_LENGTH as u32, bindings::SBC_ATTACH_MAX_TRANSFER_LENGTH);
const_assert_eq!(
    core::mem::size_of::<bindings::sbc_attach_storage>(),
    bindings::SBC_ATTACH_STORAGE_SIZE as usize
);
const_assert_eq!(
    core::mem::align_of::<bindings::sbc_attach_storage>(),
    bindings::SBC_ATTACH_STORAGE_ALIGN as usize
);
const_assert_eq!(ffi::MESSAGE_CAPACITY, 255);

const_assert_eq!(ffi::PollKind::Command as u32, bindings::SBC_POLL_COMMAND);
const_assert_eq!(ffi::PollKind::Wait as u32, bindings::SBC_POLL_WAIT);
const_assert_eq!(ffi::PollKind::Done as u32, bindings::SBC_POLL_DONE);

macro_rules! same_refuse_code {
    ($($rust:ident => $c:ident),* $(,)?) => {
        $( const_assert_eq!(ffi::RefuseCode::$rust as u32, bindings::$c); )*
    };
}
same_refuse_code!(
    None => SBC_REFUSE_NONE,
    NotConnected => SBC_REFUSE_NOT_CONNECTED,
    NotDirectAccess => SBC_REFUSE_NOT_DIRECT_ACCESS,
    NoMedium => SBC_REFUSE_NO_MEDIUM,
    NotReady => SBC_REFUSE_NOT_READY,
    UnsupportedBlockLength => SBC_REFUSE_UNSUPPORTED_BLOCK_LENGTH,
    UnsupportedProtectionType => SBC_REFUSE_UNSUPPORTED_PROTECTION_TYPE,
    CapacityUnknown => SBC_REFUSE_CAPACITY_UNKNOWN,
    InquiryFailed => SBC_REFUSE_INQUIRY_FAILED,
    DeviceError => SBC_REFUSE_DEVICE_ERROR,
    UnitAttentionStorm => SBC_REFUSE_UNIT_ATTENTION_STORM,
    Busy => SBC_REFUSE_BUSY,
    ReservationConflict => SBC_REFUSE_RESERVATION_CONFLICT,
    CommandFailed => SBC_REFUSE_COMMAND_FAILED,
    TimeBudgetExhausted => SBC_REFUSE_TIME_BUDGET_EXHAUSTED,
    CommandBudgetExhausted => SBC_REFUSE_COMMAND_BUDGET_EXHAUSTED,
    DeviceGone => SBC_REFUSE_DEVICE_GONE,
    TransportFailure => SBC_REFUSE_TRANSPORT_FAILURE,
    InternalError => SBC_REFUSE_INTERNAL_ERROR,
);

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

const_assert_eq!(sbc_core::wire::cdb::DataDirection::None as u32, bindings::SBC_DIRECTION_NONE);
const_assert_eq!(sbc_core::wire::cdb::DataDirection::In as u32, bindings::SBC_DIRECTION_IN);
const_assert_eq!(sbc_core::wire::cdb::DataDirection::Out as u32, bindings::SBC_DIRECTION_OUT);

use sbc_core::wire::status::{DeliveryFailure, ServiceResponse, TaskStatus};
macro_rules! same_value {
    ($($rust:expr => $c:ident),* $(,)?) => { $( const_assert_eq!($rust.0, bindings::$c); )* };
}
same_value!(
    ServiceResponse::REQUEST_IN_PROCESS => SBC_SERVICE_RESPONSE_REQUEST_IN_PROCESS,
    ServiceResponse::SERVICE_DELIVERY_OR_TARGET_FAILURE => SBC_SERVICE_RESPONSE_SERVICE_DELIVERY_OR_TARGET_FAILURE,
    ServiceResponse::TASK_COMPLETE => SBC_SERVICE_RESPONSE_TASK_COMPLETE,
    ServiceResponse::LINK_COMMAND_COMPLETE => SBC_SERVICE_RESPONSE_LINK_COMMAND_COMPLETE,
    ServiceResponse::FUNCTION_COMPLETE => SBC_SERVICE_RESPONSE_FUNCTION_COMPLETE,
    ServiceResponse::FUNCTION_REJECTED => SBC_SERVICE_RESPONSE_FUNCTION_REJECTED,
    TaskStatus::GOOD => SBC_TASK_STATUS_GOOD,
    TaskStatus::CHECK_CONDITION => SBC_TASK_STATUS_CHECK_CONDITION,
    TaskStatus::CONDITION_MET => SBC_TASK_STATUS_CONDITION_MET,
    TaskStatus::BUSY => SBC_TASK_STATUS_BUSY,
    TaskStatus::INTERMEDIATE => SBC_TASK_STATUS_INTERMEDIATE,
    TaskStatus::INTERMEDIATE_CONDITION_MET => SBC_TASK_STATUS_INTERMEDIATE_CONDITION_MET,
    TaskStatus::RESERVATION_CONFLICT => SBC_TASK_STATUS_RESERVATION_CONFLICT,
    TaskStatus::TASK_SET_FULL => SBC_TASK_STATUS_TASK_SET_FULL,
    TaskStatus::ACA_ACTIVE => SBC_TASK_STATUS_ACA_ACTIVE,
    DeliveryFailure::TASK_TIMEOUT_OCCURRED => SBC_TASK_STATUS_TASK_TIMEOUT_OCCURRED,
    DeliveryFailure::PROTOCOL_TIMEOUT_OCCURRED => SBC_TASK_STATUS_PROTOCOL_TIMEOUT_OCCURRED,
    DeliveryFailure::DEVICE_NOT_RESPONDING => SBC_TASK_STATUS_DEVICE_NOT_RESPONDING,
    DeliveryFailure::DEVICE_NOT_PRESENT => SBC_TASK_STATUS_DEVICE_NOT_PRESENT,
    DeliveryFailure::DELIVERY_FAILURE => SBC_TASK_STATUS_DELIVERY_FAILURE,
    DeliveryFailure::NO_STATUS => SBC_TASK_STATUS_NO_STATUS,
);
