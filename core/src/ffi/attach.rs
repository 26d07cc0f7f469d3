//! `sbc_attach_*`: the characterization engine ([`Engine`]) behind the C ABI.
//!
//! The engine lives in the caller's storage (`sbc_attach_storage`, e.g. a member of the
//! dext's IVars): [`sbc_attach_begin`] writes an [`AttachState`] at its start and hands back
//! a pointer to it as the opaque `sbc_attach *`. Every other call checks that pointer (NULL,
//! alignment, then a magic number that `begin` wrote) before it touches anything, so storage
//! that was never begun, or whose start was overwritten, is `SBC_STATUS_BAD_STATE` rather
//! than a garbage engine. Each call validates all of its arguments first and changes the
//! state only when it returns `SBC_STATUS_OK`.
//!
//! The calling contract on top of the engine's own (`attach` module documentation):
//!
//! - `poll` after it has given DONE once is `BAD_STATE` (the engine would repeat the
//!   verdict; the header makes the end explicit);
//! - `complete` needs a command outstanding, i.e. a COMMAND from the last `poll` that was not
//!   completed yet; `AttachState::outstanding` mirrors the engine's (private) one so the data
//!   buffer can be checked against the command before the engine sees anything;
//! - verdict, summary and report exist once `poll` has given DONE.

use core::ffi::{c_char, c_void};
use core::fmt::Write;

use super::log::{emit, Level, Text};
use super::{write_out, SbcCommand, SbcStatus, Status, SENSE_MAX_LENGTH};
use crate::attach::{
    Action, Completion, Config, Engine, Poll, RefuseReason, Report, Request, UsbId, Verdict,
    DEFAULT_COMMAND_BUDGET, DEFAULT_COMMAND_TIMEOUT, DEFAULT_TIME_BUDGET,
};
use crate::quirks::Quirks;
use crate::time::{Duration, Instant};
use crate::wire::cdb::DataDirection;
use crate::wire::status::{ServiceResponse, TaskOutcome};
use crate::wire::usable_length;

/// `SBC_ATTACH_STORAGE_SIZE`.
pub const ATTACH_STORAGE_SIZE: usize = 4096;

/// `SBC_ATTACH_STORAGE_ALIGN`.
pub const ATTACH_STORAGE_ALIGN: usize = 8;

/// `SBC_ATTACH_MAX_TRANSFER_LENGTH`: the longest data transfer an attach asks for.
pub const ATTACH_MAX_TRANSFER_LENGTH: usize = crate::attach::MAX_TRANSFER_LENGTH;

/// `sbc_attach_storage`: room for one attach, private to the core.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub struct SbcAttachStorage {
    /// The state, as the core lays it out.
    pub opaque: [u64; ATTACH_STORAGE_SIZE / 8],
}

impl Default for SbcAttachStorage {
    fn default() -> Self {
        SbcAttachStorage { opaque: [0; ATTACH_STORAGE_SIZE / 8] }
    }
}

/// `sbc_attach`: the opaque attach handle (an `AttachState` at the start of the storage).
#[repr(C)]
pub struct SbcAttach {
    _opaque: [u8; 0],
}

/// `sbc_attach_config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct SbcAttachConfig {
    /// Quirk flags forced on.
    pub quirks_on: u32,
    /// Quirk flags forced off.
    pub quirks_off: u32,
    /// Milliseconds for the whole attach; 0: [`DEFAULT_TIME_BUDGET`].
    pub time_budget_ms: u32,
    /// Milliseconds for each command; 0: [`DEFAULT_COMMAND_TIMEOUT`].
    pub command_timeout_ms: u32,
    /// Commands; 0: [`DEFAULT_COMMAND_BUDGET`].
    pub command_budget: u16,
    /// The transport is USB.
    pub usb: bool,
    /// Zero.
    pub reserved: [u8; 1],
    /// USB idVendor of the device, 0 when unknown (needs `usb`).
    pub usb_vendor_id: u16,
    /// USB idProduct, 0 when unknown (needs `usb`).
    pub usb_product_id: u16,
}

/// `sbc_poll_kind_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum PollKind {
    /// `SBC_POLL_COMMAND`.
    Command = 1,
    /// `SBC_POLL_WAIT`.
    Wait = 2,
    /// `SBC_POLL_DONE`.
    Done = 3,
}

/// `sbc_poll`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct SbcPoll {
    /// A [`PollKind`].
    pub kind: u32,
    /// COMMAND: sense bytes to ask for.
    pub sense_length: u8,
    /// COMMAND: send with the device's services suspended (`UserSuspendServices` first
    /// when they are not).
    pub exclusive: bool,
    /// COMMAND: resume services (`UserResumeServices`) once this command has completed.
    pub ends_exclusive: bool,
    /// Zero.
    pub reserved: [u8; 1],
    /// WAIT: poll again at this time.
    pub wait_until_ms: u64,
    /// COMMAND: the command; zero otherwise.
    pub command: SbcCommand,
}

/// `sbc_refuse_reason_code`: one per [`RefuseReason`] variant, and `None` for accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum RefuseCode {
    /// `SBC_REFUSE_NONE`.
    None = 0,
    /// `SBC_REFUSE_NOT_CONNECTED`.
    NotConnected = 1,
    /// `SBC_REFUSE_NOT_DIRECT_ACCESS`.
    NotDirectAccess = 2,
    /// `SBC_REFUSE_NO_MEDIUM`.
    NoMedium = 3,
    /// `SBC_REFUSE_NOT_READY`.
    NotReady = 4,
    /// `SBC_REFUSE_UNSUPPORTED_BLOCK_LENGTH`.
    UnsupportedBlockLength = 5,
    /// `SBC_REFUSE_UNSUPPORTED_PROTECTION_TYPE`.
    UnsupportedProtectionType = 6,
    /// `SBC_REFUSE_CAPACITY_UNKNOWN`.
    CapacityUnknown = 7,
    /// `SBC_REFUSE_INQUIRY_FAILED`.
    InquiryFailed = 8,
    /// `SBC_REFUSE_DEVICE_ERROR`.
    DeviceError = 9,
    /// `SBC_REFUSE_UNIT_ATTENTION_STORM`.
    UnitAttentionStorm = 10,
    /// `SBC_REFUSE_BUSY`.
    Busy = 11,
    /// `SBC_REFUSE_RESERVATION_CONFLICT`.
    ReservationConflict = 12,
    /// `SBC_REFUSE_COMMAND_FAILED`.
    CommandFailed = 13,
    /// `SBC_REFUSE_TIME_BUDGET_EXHAUSTED`.
    TimeBudgetExhausted = 14,
    /// `SBC_REFUSE_COMMAND_BUDGET_EXHAUSTED`.
    CommandBudgetExhausted = 15,
    /// `SBC_REFUSE_DEVICE_GONE`.
    DeviceGone = 16,
    /// `SBC_REFUSE_TRANSPORT_FAILURE`.
    TransportFailure = 17,
    /// `SBC_REFUSE_INTERNAL_ERROR`.
    InternalError = 18,
}

impl RefuseCode {
    /// The code for a verdict (exhaustive: a new [`RefuseReason`] does not compile until it
    /// has a code here and in the header).
    pub fn of(verdict: &Verdict) -> Self {
        match verdict {
            Verdict::Accept => RefuseCode::None,
            Verdict::Refuse(reason) => match reason {
                RefuseReason::NotConnected { .. } => RefuseCode::NotConnected,
                RefuseReason::NotDirectAccess { .. } => RefuseCode::NotDirectAccess,
                RefuseReason::NoMedium => RefuseCode::NoMedium,
                RefuseReason::NotReady { .. } => RefuseCode::NotReady,
                RefuseReason::UnsupportedBlockLength { .. } => RefuseCode::UnsupportedBlockLength,
                RefuseReason::UnsupportedProtectionType { .. } => {
                    RefuseCode::UnsupportedProtectionType
                }
                RefuseReason::CapacityUnknown => RefuseCode::CapacityUnknown,
                RefuseReason::InquiryFailed => RefuseCode::InquiryFailed,
                RefuseReason::DeviceError { .. } => RefuseCode::DeviceError,
                RefuseReason::UnitAttentionStorm => RefuseCode::UnitAttentionStorm,
                RefuseReason::Busy => RefuseCode::Busy,
                RefuseReason::ReservationConflict => RefuseCode::ReservationConflict,
                RefuseReason::CommandFailed => RefuseCode::CommandFailed,
                RefuseReason::TimeBudgetExhausted => RefuseCode::TimeBudgetExhausted,
                RefuseReason::CommandBudgetExhausted => RefuseCode::CommandBudgetExhausted,
                RefuseReason::DeviceGone => RefuseCode::DeviceGone,
                RefuseReason::TransportFailure => RefuseCode::TransportFailure,
                RefuseReason::InternalError(_) => RefuseCode::InternalError,
            },
        }
    }
}

/// `sbc_attach_summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct SbcAttachSummary {
    /// Logical blocks; 0 without a medium.
    pub block_count: u64,
    /// Bytes; 0 when not read.
    pub logical_block_length: u32,
    /// Bytes.
    pub physical_block_length: u32,
    /// Commands sent.
    pub commands_sent: u16,
    /// 0 none, 1..3 Type 1..3.
    pub protection_type: u8,
    /// A medium is present.
    pub medium_present: bool,
    /// RMB.
    pub removable: bool,
    /// WP.
    pub write_protected: bool,
    /// Zero.
    pub reserved: [u8; 6],
}

impl SbcAttachSummary {
    /// The summary of a report.
    pub fn of(report: &Report) -> Self {
        SbcAttachSummary {
            block_count: report.block_count,
            logical_block_length: report.logical_block_length,
            physical_block_length: report.physical_block_length,
            commands_sent: report.commands_sent,
            protection_type: report.protection_type,
            medium_present: report.medium_present,
            removable: report.removable,
            write_protected: report.write_protected,
            reserved: [0; 6],
        }
    }
}

/// `sbc_property_sink`: the C callbacks a report is written through. A NULL callback is
/// `None` (the header makes every one required: `SBC_STATUS_NULL_PARAMETER`).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
#[allow(clippy::type_complexity)]
pub struct SbcPropertySink {
    /// Passed back to every callback.
    pub context: *mut c_void,
    /// Opens a dictionary.
    pub begin_dictionary: Option<
        unsafe extern "C" fn(
            context: *mut c_void,
            key: *const c_char,
            key_length: usize,
        ) -> SbcStatus,
    >,
    /// Closes the innermost dictionary.
    pub end_dictionary: Option<unsafe extern "C" fn(context: *mut c_void) -> SbcStatus>,
    /// Opens an array.
    pub begin_array: Option<
        unsafe extern "C" fn(
            context: *mut c_void,
            key: *const c_char,
            key_length: usize,
        ) -> SbcStatus,
    >,
    /// Closes the innermost array.
    pub end_array: Option<unsafe extern "C" fn(context: *mut c_void) -> SbcStatus>,
    /// A UTF-8 string.
    pub string: Option<
        unsafe extern "C" fn(
            context: *mut c_void,
            key: *const c_char,
            key_length: usize,
            value: *const c_char,
            value_length: usize,
        ) -> SbcStatus,
    >,
    /// An unsigned number.
    pub number: Option<
        unsafe extern "C" fn(
            context: *mut c_void,
            key: *const c_char,
            key_length: usize,
            value: u64,
        ) -> SbcStatus,
    >,
    /// A boolean.
    pub boolean: Option<
        unsafe extern "C" fn(
            context: *mut c_void,
            key: *const c_char,
            key_length: usize,
            value: bool,
        ) -> SbcStatus,
    >,
    /// Bytes.
    pub data: Option<
        unsafe extern "C" fn(
            context: *mut c_void,
            key: *const c_char,
            key_length: usize,
            value: *const u8,
            value_length: usize,
        ) -> SbcStatus,
    >,
}

/// `begin` writes this at offset 0; every other call checks it ("sbc-att" and the ABI's
/// major and minor version, so storage begun by another ABI is not taken for ours).
const MAGIC: u64 = u64::from_be_bytes([b's', b'b', b'c', b'-', b'a', b't', 0x00, 0x05]);

/// What lives at the start of an `sbc_attach_storage`.
#[repr(C)]
struct AttachState {
    /// [`MAGIC`] once begun (offset 0, pinned by `repr(C)`).
    magic: u64,
    engine: Engine,
    /// The command the last poll gave and no `complete` answered yet: the engine's own
    /// record of it is private, and `complete` needs the command's direction and length to
    /// check the caller's data buffer before the engine sees anything.
    outstanding: Option<Request>,
    /// `poll` has given DONE.
    done_reported: bool,
}

const _: () = assert!(
    core::mem::size_of::<AttachState>() <= ATTACH_STORAGE_SIZE
        && core::mem::align_of::<AttachState>() <= ATTACH_STORAGE_ALIGN
        && core::mem::size_of::<SbcAttachStorage>() == ATTACH_STORAGE_SIZE
        && core::mem::align_of::<SbcAttachStorage>() == ATTACH_STORAGE_ALIGN
);

/// The state behind `attach`, checked.
///
/// # Safety
/// `attach` must be NULL, or point to `SBC_ATTACH_STORAGE_SIZE` initialized bytes (any
/// values) valid for reads; if the magic number at its start is ours, the state must be the
/// one `sbc_attach_begin` wrote there (as changed by later calls), not a copy of its first
/// bytes over other data, and nothing else may access it during `'a`.
unsafe fn state<'a>(attach: *const SbcAttach) -> Result<&'a AttachState, Status> {
    let p = attach.cast::<AttachState>();
    if p.is_null() {
        return Err(Status::NullParameter);
    }
    if !p.is_aligned() {
        return Err(Status::BadState);
    }
    // SAFETY: non-null and aligned; the contract makes the first 8 bytes readable and
    // initialized (`magic` is at offset 0: `repr(C)`). Only this `u64` is read, so the
    // other bytes need not form a valid state.
    let magic = unsafe { p.cast::<u64>().read() };
    if magic != MAGIC {
        return Err(Status::BadState);
    }
    // SAFETY: the magic is ours, so (contract) `begin` wrote a valid `AttachState` here.
    Ok(unsafe { &*p })
}

/// [`state`], for changing it.
///
/// # Safety
/// As [`state`], and the storage must be valid for writes.
unsafe fn state_mut<'a>(attach: *mut SbcAttach) -> Result<&'a mut AttachState, Status> {
    // SAFETY: this function's contract includes `state`'s.
    unsafe { state(attach) }?;
    // SAFETY: `state` checked pointer, alignment and magic; writable and unaliased by this
    // function's contract.
    Ok(unsafe { &mut *attach.cast::<AttachState>() })
}

/// The engine's configuration for `config`: a zero field takes its default; a quirk bit
/// no quirk has, a non-zero reserved byte, or a USB ID without `usb` is `InvalidArgument`.
fn engine_config(config: &SbcAttachConfig) -> Result<Config, Status> {
    if config.reserved != [0; 1] {
        return Err(Status::InvalidArgument);
    }
    let usb_id = match (config.usb_vendor_id, config.usb_product_id) {
        (0, 0) => None,
        (vendor, product) => Some(UsbId { vendor, product }),
    };
    if usb_id.is_some() && !config.usb {
        return Err(Status::InvalidArgument);
    }
    let quirks_on = Quirks::from_bits(config.quirks_on).ok_or(Status::InvalidArgument)?;
    let quirks_off = Quirks::from_bits(config.quirks_off).ok_or(Status::InvalidArgument)?;
    let millis = |ms: u32, default: Duration| match ms {
        0 => default,
        ms => Duration::from_millis(u64::from(ms)),
    };
    Ok(Config {
        quirks_on,
        quirks_off,
        usb: config.usb,
        usb_id,
        time_budget: millis(config.time_budget_ms, DEFAULT_TIME_BUDGET),
        command_budget: match config.command_budget {
            0 => DEFAULT_COMMAND_BUDGET,
            n => n,
        },
        command_timeout: millis(config.command_timeout_ms, DEFAULT_COMMAND_TIMEOUT),
    })
}

/// `sbc_attach_begin`.
///
/// # Safety
/// `config` NULL or valid for reads of one `SbcAttachConfig`; `storage` NULL or valid for
/// reads and writes of `storage_size` bytes, not accessed by anyone else while the attach
/// is used; `attach_out` NULL or valid for writes of one pointer (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_attach_begin(
    config: *const SbcAttachConfig,
    now_ms: u64,
    storage: *mut c_void,
    storage_size: usize,
    attach_out: *mut *mut SbcAttach,
) -> SbcStatus {
    // SAFETY: the header requires `config` to be NULL or valid for reads.
    let Some(cfg) = (unsafe { config.as_ref() }) else {
        return Status::NullParameter.raw();
    };
    if storage.is_null() || attach_out.is_null() {
        return Status::NullParameter.raw();
    }
    if storage_size < ATTACH_STORAGE_SIZE {
        return Status::InsufficientSize.raw();
    }
    let state_ptr = storage.cast::<AttachState>();
    if !state_ptr.is_aligned() || storage.align_offset(ATTACH_STORAGE_ALIGN) != 0 {
        return Status::InvalidArgument.raw();
    }
    let cfg = match engine_config(cfg) {
        Ok(c) => c,
        Err(s) => return s.raw(),
    };
    let state = AttachState {
        magic: MAGIC,
        engine: Engine::begin(cfg, Instant::from_millis(now_ms)),
        outstanding: None,
        done_reported: false,
    };
    // SAFETY: non-null, aligned for `AttachState` (checked above), and at least
    // `ATTACH_STORAGE_SIZE >= size_of::<AttachState>()` bytes valid for writes (contract,
    // size checked above). `write` neither reads nor drops what was there.
    unsafe { state_ptr.write(state) };
    // SAFETY: checked non-null above; valid for writes per this function's contract.
    unsafe { write_out(attach_out, state_ptr.cast::<SbcAttach>()) }
}

/// `sbc_attach_poll`.
///
/// # Safety
/// `attach` NULL or as `state` requires; `poll_out` NULL or valid for writes of one
/// `SbcPoll` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_attach_poll(
    attach: *mut SbcAttach,
    now_ms: u64,
    poll_out: *mut SbcPoll,
) -> SbcStatus {
    if attach.is_null() || poll_out.is_null() {
        return Status::NullParameter.raw();
    }
    // SAFETY: this function's contract.
    let state = match unsafe { state_mut(attach) } {
        Ok(s) if !s.done_reported => s,
        Ok(_) => return refused("sbc_attach_poll", Status::BadState, AFTER_DONE),
        Err(s) => return refused("sbc_attach_poll", s, NOT_BEGUN),
    };
    let poll = match state.engine.poll(Instant::from_millis(now_ms)) {
        Poll::Command(request) => {
            state.outstanding = Some(request);
            SbcPoll {
                kind: PollKind::Command as u32,
                sense_length: request.sense_length,
                exclusive: request.exclusive,
                ends_exclusive: request.ends_exclusive,
                reserved: [0; 1],
                wait_until_ms: 0,
                command: SbcCommand::from_command(
                    &request.command,
                    u32::try_from(request.timeout.as_millis()).unwrap_or(u32::MAX),
                ),
            }
        }
        Poll::Wait { until } => {
            state.outstanding = None;
            SbcPoll {
                kind: PollKind::Wait as u32,
                wait_until_ms: until.as_millis(),
                ..SbcPoll::default()
            }
        }
        Poll::Done(_) => {
            state.outstanding = None;
            state.done_reported = true;
            SbcPoll { kind: PollKind::Done as u32, ..SbcPoll::default() }
        }
    };
    // SAFETY: checked non-null above; valid for writes per this function's contract.
    unsafe { write_out(poll_out, poll) }
}

/// `sbc_attach_data_out`.
///
/// # Safety
/// `attach` NULL or as `state` requires; `data` NULL or valid for writes of `capacity`
/// bytes; `length_out` NULL or valid for writes of one `size_t` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_attach_data_out(
    attach: *const SbcAttach,
    data: *mut u8,
    capacity: usize,
    length_out: *mut usize,
) -> SbcStatus {
    if attach.is_null() || length_out.is_null() || (data.is_null() && capacity != 0) {
        return Status::NullParameter.raw();
    }
    const DATA_OUT: &str = "sbc_attach_data_out";
    // SAFETY: this function's contract.
    let state = match unsafe { state(attach) } {
        Ok(s) if !s.done_reported => s,
        Ok(_) => return refused(DATA_OUT, Status::BadState, AFTER_DONE),
        Err(s) => return refused(DATA_OUT, s, NOT_BEGUN),
    };
    let Some(request) = state.outstanding else {
        return refused(DATA_OUT, Status::BadState, "no command outstanding");
    };
    if request.command.direction != DataDirection::Out {
        return refused(DATA_OUT, Status::BadState, "the outstanding command has no data-out");
    }
    let needed = request.command.transfer_length;
    if usize::try_from(needed).map_or(true, |n| n > capacity) {
        let why = format_args!("capacity {capacity} is below the transfer length {needed}");
        return refused(DATA_OUT, Status::InsufficientSize, why);
    }
    let out: &mut [u8] = if capacity == 0 {
        &mut []
    } else {
        // SAFETY: `data` is non-null (a NULL `data` has `capacity` 0) and valid for writes
        // of `capacity` bytes (contract); the slice does not outlive this call.
        unsafe { core::slice::from_raw_parts_mut(data, capacity) }
    };
    match state.engine.data_out(out) {
        // SAFETY: checked non-null above; valid for writes per this function's contract.
        Some(n) => unsafe { write_out(length_out, n) },
        None => refused(DATA_OUT, Status::BadState, "the engine gave no data-out"),
    }
}

/// Why a call on an attach handle is refused, for [`refused`].
const AFTER_DONE: &str = "the attach has given DONE already";
const NOT_BEGUN: &str =
    "not an attach that sbc_attach_begin began (or its storage was overwritten)";

/// `status`, for a call the header does not allow, after a warning line saying why: the
/// engine never sees such a call, so only the ABI can log it (the engine logs the rest).
fn refused(function: &str, status: Status, why: impl core::fmt::Display) -> SbcStatus {
    emit(Level::Warning, format_args!("attach: {function} refused: {why}"));
    status.raw()
}

/// `sbc_attach_complete`.
///
/// # Safety
/// `attach` NULL or as `state` requires; `completion` NULL or valid for reads of one
/// `SbcCompletion`, whose `sense` is NULL or valid for reads of `sense_length` bytes; `data`
/// NULL or valid for reads of `data_length` bytes (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_attach_complete(
    attach: *mut SbcAttach,
    completion: *const super::SbcCompletion,
    data: *const u8,
    data_length: usize,
    now_ms: u64,
) -> SbcStatus {
    // SAFETY: the header requires `completion` to be NULL or valid for reads.
    let Some(completion) = (unsafe { completion.as_ref() }) else {
        return Status::NullParameter.raw();
    };
    if attach.is_null() || (data.is_null() && data_length != 0) {
        return Status::NullParameter.raw();
    }
    const COMPLETE: &str = "sbc_attach_complete";
    // SAFETY: this function's contract.
    let state = match unsafe { state_mut(attach) } {
        Ok(s) if !s.done_reported => s,
        Ok(_) => return refused(COMPLETE, Status::BadState, AFTER_DONE),
        Err(s) => return refused(COMPLETE, s, NOT_BEGUN),
    };
    let Some(request) = state.outstanding else {
        return refused(COMPLETE, Status::BadState, "no command outstanding");
    };
    let sense_length = completion.sense_length as usize;
    if completion.reserved != 0
        || sense_length > SENSE_MAX_LENGTH
        || (completion.sense.is_null() && sense_length != 0)
    {
        let why = format_args!(
            "sense_length {sense_length} (at most {SENSE_MAX_LENGTH}, with a non-NULL sense), \
             reserved {}",
            completion.reserved
        );
        return refused(COMPLETE, Status::InvalidArgument, why);
    }
    let command = &request.command;
    // The bytes the engine will read: the usable length, which the caller's buffer must
    // cover. A realized count the command contradicts makes no byte usable (the engine
    // sees a transport failure), so then nothing is read at all.
    let usable =
        usable_length(command.direction, command.transfer_length, completion.realized_length)
            .map_or(Some(0), |n| usize::try_from(n).ok());
    let Some(usable) = usable.filter(|&n| n <= data_length) else {
        let why = format_args!(
            "data_length {data_length} is shorter than the realized length {}",
            completion.realized_length
        );
        return refused(COMPLETE, Status::InvalidArgument, why);
    };
    let data: &[u8] = if usable == 0 {
        &[]
    } else {
        // SAFETY: `data` is non-null (a NULL `data` has `data_length` 0, so `usable` would
        // be 0), `u8` needs no alignment, and `usable <= data_length` bytes are readable
        // (contract); the slice does not outlive this call.
        unsafe { core::slice::from_raw_parts(data, usable) }
    };
    let sense: &[u8] = if sense_length == 0 {
        &[]
    } else {
        // SAFETY: non-null (checked above with the length) and readable for `sense_length`
        // bytes (contract); the slice does not outlive this call.
        unsafe { core::slice::from_raw_parts(completion.sense, sense_length) }
    };
    let outcome = TaskOutcome::from_wire(
        ServiceResponse(completion.service_response),
        completion.task_status,
    );
    let completion = Completion { outcome, realized: completion.realized_length, data, sense };
    match state.engine.complete(&completion, Instant::from_millis(now_ms)) {
        Action::Ignored => {
            refused(COMPLETE, Status::BadState, "the engine has no command outstanding")
        }
        Action::Policy(_) => {
            state.outstanding = None;
            Status::Ok.raw()
        }
    }
}

/// `sbc_attach_verdict`.
///
/// # Safety
/// `attach` NULL or as `state` requires; `accept_out` and `reason_out` NULL or valid for
/// writes of one value; `text` NULL or valid for writes of `text_capacity` bytes (header
/// contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_attach_verdict(
    attach: *const SbcAttach,
    accept_out: *mut bool,
    reason_out: *mut u32,
    text: *mut c_char,
    text_capacity: usize,
) -> SbcStatus {
    if attach.is_null()
        || accept_out.is_null()
        || reason_out.is_null()
        || (text.is_null() && text_capacity != 0)
    {
        return Status::NullParameter.raw();
    }
    // SAFETY: this function's contract.
    let verdict = match unsafe { finished(attach) } {
        Ok(report) => report.verdict,
        Err(s) => return s.raw(),
    };
    let Some(verdict) = verdict else {
        return Status::BadState.raw();
    };
    if let Some(room) = text_capacity.checked_sub(1) {
        // SAFETY: `text` is non-null (capacity > 0) and valid for writes of `text_capacity`
        // bytes (contract); `Text` writes at most `room` of them, the NUL goes at index
        // `len <= room < text_capacity`.
        unsafe {
            let mut out = Text::new(text.cast::<u8>(), room);
            let _ = write!(out, "{verdict}");
            text.add(out.len()).write(0);
        }
    }
    // SAFETY: both checked non-null above; valid for writes per this function's contract.
    unsafe {
        write_out(accept_out, verdict.is_accept());
        write_out(reason_out, RefuseCode::of(&verdict) as u32)
    }
}

/// The report of an attach whose `poll` has given DONE; `BadState` before.
///
/// # Safety
/// As [`state`].
unsafe fn finished<'a>(attach: *const SbcAttach) -> Result<&'a Report, Status> {
    // SAFETY: this function's contract.
    let state = unsafe { state(attach) }?;
    if state.done_reported {
        Ok(state.engine.report())
    } else {
        Err(Status::BadState)
    }
}

/// `sbc_attach_summary`.
///
/// # Safety
/// `attach` NULL or as `state` requires; `summary_out` NULL or valid for writes of one
/// `SbcAttachSummary` (header contract).
#[no_mangle]
pub unsafe extern "C" fn sbc_attach_summary(
    attach: *const SbcAttach,
    summary_out: *mut SbcAttachSummary,
) -> SbcStatus {
    if attach.is_null() || summary_out.is_null() {
        return Status::NullParameter.raw();
    }
    // SAFETY: this function's contract.
    match unsafe { finished(attach) } {
        // SAFETY: checked non-null above; valid for writes per this function's contract.
        Ok(report) => unsafe { write_out(summary_out, SbcAttachSummary::of(report)) },
        Err(s) => s.raw(),
    }
}

/// The C callbacks as the core's [`PropertySink`](crate::property::PropertySink); the
/// callbacks' status is the error, so the first one that is not `SBC_STATUS_OK` stops the
/// walk and is what `sbc_attach_report` returns.
#[cfg(feature = "serde")]
struct CSink<'a>(&'a SbcPropertySink);

#[cfg(feature = "serde")]
impl CSink<'_> {
    /// Every callback is set (the header makes them all required).
    fn complete(&self) -> bool {
        let s = self.0;
        s.begin_dictionary.is_some()
            && s.end_dictionary.is_some()
            && s.begin_array.is_some()
            && s.end_array.is_some()
            && s.string.is_some()
            && s.number.is_some()
            && s.boolean.is_some()
            && s.data.is_some()
    }
}

/// A key as the header passes it: (NULL, 0) for none, else UTF-8 bytes without a NUL.
#[cfg(feature = "serde")]
fn key_parts(key: Option<&str>) -> (*const c_char, usize) {
    key.map_or((core::ptr::null(), 0), |k| (k.as_ptr().cast(), k.len()))
}

/// A callback's status as a result.
#[cfg(feature = "serde")]
fn returned(status: SbcStatus) -> Result<(), SbcStatus> {
    if status == Status::Ok.raw() {
        Ok(())
    } else {
        Err(status)
    }
}

// SAFETY (every call below): the callback was given by the caller of `sbc_attach_report`
// for exactly these arguments (header contract); `context` is passed back untouched; keys
// and values are valid for their lengths for the duration of the call, which must not keep
// them.
#[cfg(feature = "serde")]
impl crate::property::PropertySink for CSink<'_> {
    type Error = SbcStatus;

    fn begin_dictionary(&mut self, key: Option<&str>) -> Result<(), SbcStatus> {
        let f = self.0.begin_dictionary.ok_or(Status::NullParameter.raw())?;
        let (k, n) = key_parts(key);
        // SAFETY: see the impl.
        returned(unsafe { f(self.0.context, k, n) })
    }

    fn end_dictionary(&mut self) -> Result<(), SbcStatus> {
        let f = self.0.end_dictionary.ok_or(Status::NullParameter.raw())?;
        // SAFETY: see the impl.
        returned(unsafe { f(self.0.context) })
    }

    fn begin_array(&mut self, key: Option<&str>) -> Result<(), SbcStatus> {
        let f = self.0.begin_array.ok_or(Status::NullParameter.raw())?;
        let (k, n) = key_parts(key);
        // SAFETY: see the impl.
        returned(unsafe { f(self.0.context, k, n) })
    }

    fn end_array(&mut self) -> Result<(), SbcStatus> {
        let f = self.0.end_array.ok_or(Status::NullParameter.raw())?;
        // SAFETY: see the impl.
        returned(unsafe { f(self.0.context) })
    }

    fn string(&mut self, key: Option<&str>, value: &str) -> Result<(), SbcStatus> {
        let f = self.0.string.ok_or(Status::NullParameter.raw())?;
        let (k, n) = key_parts(key);
        // SAFETY: see the impl.
        returned(unsafe { f(self.0.context, k, n, value.as_ptr().cast(), value.len()) })
    }

    fn number(&mut self, key: Option<&str>, value: u64) -> Result<(), SbcStatus> {
        let f = self.0.number.ok_or(Status::NullParameter.raw())?;
        let (k, n) = key_parts(key);
        // SAFETY: see the impl.
        returned(unsafe { f(self.0.context, k, n, value) })
    }

    fn boolean(&mut self, key: Option<&str>, value: bool) -> Result<(), SbcStatus> {
        let f = self.0.boolean.ok_or(Status::NullParameter.raw())?;
        let (k, n) = key_parts(key);
        // SAFETY: see the impl.
        returned(unsafe { f(self.0.context, k, n, value) })
    }

    fn data(&mut self, key: Option<&str>, value: &[u8]) -> Result<(), SbcStatus> {
        let f = self.0.data.ok_or(Status::NullParameter.raw())?;
        let (k, n) = key_parts(key);
        // SAFETY: see the impl.
        returned(unsafe { f(self.0.context, k, n, value.as_ptr(), value.len()) })
    }
}

/// `sbc_attach_report` (with the `serde` feature, which the static library and the host
/// enable: the tree is the report's `Serialize` schema, `attach::Published`).
///
/// # Safety
/// `attach` NULL or as `state` requires; `sink` NULL or valid for reads of one
/// `SbcPropertySink` whose callbacks are NULL or functions of the header's types (header
/// contract).
#[cfg(feature = "serde")]
#[no_mangle]
pub unsafe extern "C" fn sbc_attach_report(
    attach: *const SbcAttach,
    sink: *const SbcPropertySink,
) -> SbcStatus {
    // SAFETY: the header requires `sink` to be NULL or valid for reads.
    let Some(sink) = (unsafe { sink.as_ref() }) else {
        return Status::NullParameter.raw();
    };
    let sink = CSink(sink);
    if attach.is_null() || !sink.complete() {
        return Status::NullParameter.raw();
    }
    // SAFETY: this function's contract.
    let report = match unsafe { finished(attach) } {
        Ok(report) => report,
        Err(s) => return s.raw(),
    };
    let mut sink = sink;
    match crate::property::write_report(report, &mut sink) {
        Ok(()) => Status::Ok.raw(),
        Err(crate::property::PropertyError::Sink(status)) => status,
        // The report always fits a property tree (the property module's tests walk every
        // report shape); were it ever not to, the caller learns that nothing usable came.
        Err(crate::property::PropertyError::Unsupported(_)) => Status::Malformed.raw(),
    }
}

/// The attach ABI from Rust, so Miri checks its unsafe paths: outputs start uninitialized
/// (as C callers leave them), every misuse the header names is tried, and a whole attach
/// through the ABI must give the report the engine gives when driven directly.
#[cfg(test)]
mod test {
    use core::mem::MaybeUninit;
    use std::boxed::Box;
    use std::vec;
    use std::vec::Vec;

    use super::super::log::test::{capture, set_callback, Captured, LOGGER};
    use super::super::SbcCompletion;
    use super::*;
    use crate::attach::{drive, Executed, Host};
    use crate::wire::status::TaskStatus;

    const OK: SbcStatus = Status::Ok.raw();
    const NULL: SbcStatus = Status::NullParameter.raw();
    const INVALID: SbcStatus = Status::InvalidArgument.raw();
    const BAD_STATE: SbcStatus = Status::BadState.raw();

    /// Standard INQUIRY data (SPC-5 table "Standard INQUIRY data format"): PDT 0, SPC-4,
    /// 36 bytes, "ACME" "Tiny Disk" "0001".
    fn inquiry() -> Vec<u8> {
        let mut b = vec![0u8; 36];
        b[2] = 0x06;
        b[3] = 0x02;
        b[4] = 31;
        b[8..36].copy_from_slice(b"ACME    Tiny Disk       0001");
        b
    }

    /// A tiny disk: INQUIRY 36 bytes, VPD rejected (ILLEGAL REQUEST, INVALID FIELD IN CDB),
    /// TEST UNIT READY good, READ CAPACITY(16) 131072 × 512, MODE SENSE(10) with the
    /// Caching page (WCE); anything else INVALID COMMAND OPERATION CODE. Returns (status,
    /// data, sense).
    fn tiny_disk(cdb: &[u8]) -> (TaskStatus, Vec<u8>, Vec<u8>) {
        let check = |asc: u8| {
            let mut s = vec![0u8; 18];
            (s[0], s[2], s[7], s[12]) = (0x70, 0x05, 10, asc);
            (TaskStatus::CHECK_CONDITION, vec![], s)
        };
        match cdb {
            [0x12, 0, ..] => (TaskStatus::GOOD, inquiry(), vec![]),
            [0x12, ..] => check(0x24),
            [0x00, ..] => (TaskStatus::GOOD, vec![], vec![]),
            [0x9E, 0x10, ..] => {
                let mut d = vec![0u8; 32];
                d[4..12].copy_from_slice(&[0, 0x01, 0xFF, 0xFF, 0, 0, 0x02, 0]);
                (TaskStatus::GOOD, d, vec![])
            }
            [0x5A, ..] => {
                let mut d = vec![0, 26, 0, 0x10, 0, 0, 0, 0, 0x08, 0x12, 0x04];
                d.resize(28, 0);
                (TaskStatus::GOOD, d, vec![])
            }
            _ => check(0x20),
        }
    }

    /// What the tiny disk answers `request`, into `data` (the command's whole buffer).
    fn answer(cdb: &[u8], data: &mut [u8]) -> (TaskStatus, u64, Vec<u8>) {
        let (status, reply, sense) = tiny_disk(cdb);
        let n = reply.len().min(data.len());
        data[..n].copy_from_slice(&reply[..n]);
        (status, n as u64, sense)
    }

    /// The engine driven directly by `attach::drive`, one millisecond per command.
    struct Direct {
        now: Instant,
    }

    impl Host for Direct {
        fn now(&mut self) -> Instant {
            self.now
        }
        fn execute(&mut self, request: &Request, data: &mut [u8], sense: &mut [u8]) -> Executed {
            let (status, realized, s) = answer(request.command.cdb.as_bytes(), data);
            let n = s.len().min(sense.len());
            sense[..n].copy_from_slice(&s[..n]);
            self.now = self.now + Duration::from_millis(1);
            Executed { outcome: TaskOutcome::Complete(status), realized, sense_length: n }
        }
        fn wait_until(&mut self, until: Instant) {
            self.now = until;
        }
    }

    /// Storage on the heap that only raw pointers reach (as C's storage is), freed on drop.
    struct Storage(*mut SbcAttachStorage);

    impl Storage {
        fn new() -> Self {
            Storage(Box::into_raw(Box::new(SbcAttachStorage::default())))
        }
        /// The first 8 bytes, where the magic number lives.
        fn first_word(&self) -> *mut u64 {
            self.0.cast::<u64>()
        }
    }

    impl Drop for Storage {
        fn drop(&mut self) {
            // SAFETY: from `Box::into_raw` in `new`, freed only here.
            drop(unsafe { Box::from_raw(self.0) });
        }
    }

    /// Storage that stays put, and an attach begun in it at `now`.
    fn begin(config: &SbcAttachConfig, now: u64) -> (Storage, *mut SbcAttach) {
        let storage = Storage::new();
        let mut attach = MaybeUninit::<*mut SbcAttach>::uninit();
        let size = core::mem::size_of::<SbcAttachStorage>();
        let p = storage.0.cast::<c_void>();
        // SAFETY: `storage` is valid for `size` bytes; the other pointers for one value.
        let s = unsafe { sbc_attach_begin(config, now, p, size, attach.as_mut_ptr()) };
        assert_eq!(s, OK);
        // SAFETY: written on OK.
        (storage, unsafe { attach.assume_init() })
    }

    fn poll(attach: *mut SbcAttach, now: u64) -> Result<SbcPoll, SbcStatus> {
        let mut out = MaybeUninit::<SbcPoll>::uninit();
        // SAFETY: `attach` is NULL or from `begin`; `out` is valid for writes.
        let s = unsafe { sbc_attach_poll(attach, now, out.as_mut_ptr()) };
        // SAFETY: written on OK.
        (s == OK).then(|| unsafe { out.assume_init() }).ok_or(s)
    }

    /// Answers `poll`'s command from the tiny disk through `sbc_attach_complete`.
    fn complete(attach: *mut SbcAttach, poll: &SbcPoll, now: u64) -> SbcStatus {
        let cdb = &poll.command.cdb[..usize::from(poll.command.cdb_length)];
        let mut data = vec![0u8; poll.command.transfer_length as usize];
        let (status, realized, sense) = answer(cdb, &mut data);
        let completion = completion(status, realized, &sense);
        // SAFETY: every pointer is valid for its length.
        unsafe { sbc_attach_complete(attach, &completion, data.as_ptr(), data.len(), now) }
    }

    fn completion(status: TaskStatus, realized: u64, sense: &[u8]) -> SbcCompletion {
        SbcCompletion {
            service_response: ServiceResponse::TASK_COMPLETE.0,
            task_status: status.0,
            realized_length: realized,
            sense: if sense.is_empty() { core::ptr::null() } else { sense.as_ptr() },
            sense_length: sense.len() as u32,
            reserved: 0,
        }
    }

    /// Runs an attach through the ABI to DONE, one millisecond per command, as `Direct`.
    fn run_to_done(attach: *mut SbcAttach, mut now: u64) -> u64 {
        for _ in 0..64 {
            let p = poll(attach, now).expect("poll");
            match p.kind {
                1 => {
                    now += 1;
                    assert_eq!(complete(attach, &p, now), OK);
                }
                2 => now = p.wait_until_ms,
                3 => return now,
                k => panic!("poll kind {k}"),
            }
        }
        panic!("no DONE within 64 polls");
    }

    fn verdict(attach: *const SbcAttach, text: &mut [u8]) -> Result<(bool, u32), SbcStatus> {
        let mut accept = MaybeUninit::<bool>::uninit();
        let mut reason = MaybeUninit::<u32>::uninit();
        let (ptr, len) = (text.as_mut_ptr().cast::<c_char>(), text.len());
        // SAFETY: outputs valid for writes; `text` for `len` bytes.
        let s = unsafe {
            sbc_attach_verdict(attach, accept.as_mut_ptr(), reason.as_mut_ptr(), ptr, len)
        };
        // SAFETY: written on OK.
        (s == OK).then(|| unsafe { (accept.assume_init(), reason.assume_init()) }).ok_or(s)
    }

    fn summary(attach: *const SbcAttach) -> Result<SbcAttachSummary, SbcStatus> {
        let mut out = MaybeUninit::<SbcAttachSummary>::uninit();
        // SAFETY: `out` is valid for writes.
        let s = unsafe { sbc_attach_summary(attach, out.as_mut_ptr()) };
        // SAFETY: written on OK.
        (s == OK).then(|| unsafe { out.assume_init() }).ok_or(s)
    }

    fn report(attach: *const SbcAttach) -> Report {
        // SAFETY: `attach` comes from `begin` and its storage is alive.
        *unsafe { state(attach) }.unwrap().engine.report()
    }

    #[test]
    fn whole_attach_through_the_abi_matches_the_engine_driven_directly() {
        let _logger = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
        let (_storage, attach) = begin(&SbcAttachConfig::default(), 1_000);
        run_to_done(attach, 1_000);

        let mut engine = Engine::begin(Config::default(), Instant::from_millis(1_000));
        let mut buffer = [0u8; crate::attach::MAX_TRANSFER_LENGTH];
        let mut host = Direct { now: Instant::from_millis(1_000) };
        let direct = drive(&mut engine, &mut host, &mut buffer).unwrap();
        assert_eq!(direct, Verdict::Accept);
        assert_eq!(report(attach), *engine.report());

        let mut text = [0xAAu8; 16];
        assert_eq!(verdict(attach, &mut text), Ok((true, RefuseCode::None as u32)));
        assert_eq!(&text[..7], b"accept\0");
        let s = summary(attach).unwrap();
        assert_eq!(
            (s.block_count, s.logical_block_length, s.physical_block_length),
            (131072, 512, 512)
        );
        assert_eq!(s.commands_sent, engine.report().commands_sent);
        assert!(s.medium_present && !s.removable && !s.write_protected);
        assert_eq!(s, SbcAttachSummary::of(engine.report()));
    }

    fn data_out(attach: *const SbcAttach, data: &mut [u8]) -> Result<usize, SbcStatus> {
        let mut length = MaybeUninit::<usize>::uninit();
        // SAFETY: `data` is valid for its length, `length` for one write.
        let s = unsafe {
            sbc_attach_data_out(attach, data.as_mut_ptr(), data.len(), length.as_mut_ptr())
        };
        // SAFETY: written on OK.
        (s == OK).then(|| unsafe { length.assume_init() }).ok_or(s)
    }

    #[test]
    fn jmicron_command_block_comes_through_data_out_inside_an_exclusive_section() {
        let _logger = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
        let quirks_on = crate::quirks::Quirks::NVME_JMICRON.bits();
        let (_storage, attach) = begin(&SbcAttachConfig { quirks_on, ..Default::default() }, 0);
        let mut now = 0;
        let first = poll(attach, now).expect("poll");
        let mut block = [0xAAu8; 4096];
        // A data-in command has no data-out.
        assert_eq!(data_out(attach, &mut block), Err(BAD_STATE));
        assert_eq!((first.exclusive, first.ends_exclusive), (false, true));
        let mut p = first;
        // Characterize the tiny disk up to the first command with a data-out.
        while p.command.direction != DataDirection::Out as u8 {
            assert_eq!(p.kind, PollKind::Command as u32, "the NVMe phase comes before DONE");
            now += 1;
            assert_eq!(complete(attach, &p, now), OK);
            p = poll(attach, now).expect("poll");
        }
        assert_eq!(p.command.cdb[..3], [0xA1, 0x80, 0x00]);
        assert_eq!((p.exclusive, p.ends_exclusive), (true, false));
        assert_eq!(p.command.transfer_length, 512);
        // Outputs only on success: too small, NULLs.
        let mut length = 7usize;
        // SAFETY: the buffer is valid for 511 bytes, `length` for one write.
        let s = unsafe { sbc_attach_data_out(attach, block.as_mut_ptr(), 511, &mut length) };
        assert_eq!((s, length), (Status::InsufficientSize.raw(), 7));
        // SAFETY: NULL arguments are checked before anything is read or written.
        unsafe {
            assert_eq!(
                sbc_attach_data_out(core::ptr::null(), block.as_mut_ptr(), 1, &mut length),
                NULL
            );
            assert_eq!(sbc_attach_data_out(attach, core::ptr::null_mut(), 1, &mut length), NULL);
            assert_eq!(
                sbc_attach_data_out(attach, block.as_mut_ptr(), 1, core::ptr::null_mut()),
                NULL
            );
        }
        assert_eq!(data_out(attach, &mut block), Ok(512));
        assert_eq!(&block[..4], b"NVME");
        assert_eq!(block[8], 0x06, "IDENTIFY");
        assert_eq!(block[48], 0x01, "CNS 01h: the controller");
        assert!(block[512..].iter().all(|&b| b == 0xAA), "nothing past the transfer length");
        // The tiny disk has no tunnel: INVALID COMMAND OPERATION CODE, and the attach ends
        // accepted, health unavailable.
        now += 1;
        assert_eq!(complete(attach, &p, now), OK);
        assert_eq!(data_out(attach, &mut block), Err(BAD_STATE), "nothing outstanding");
        assert_eq!(poll(attach, now).map(|p| p.kind), Ok(PollKind::Done as u32));
        let smart = report(attach).smart.expect("the NVMe phase ran");
        assert_eq!(smart.unavailable, Some(crate::attach::SmartUnavailable::TunnelRejected));
        assert_eq!(verdict(attach, &mut [0u8; 8]).map(|v| v.0), Ok(true));
        assert_eq!(data_out(attach, &mut block), Err(BAD_STATE), "after DONE");
    }

    #[test]
    fn begin_refuses_bad_arguments_and_writes_nothing() {
        let config = SbcAttachConfig::default();
        let mut storage = Box::new(MaybeUninit::<SbcAttachStorage>::uninit());
        let p = storage.as_mut_ptr().cast::<c_void>();
        let size = ATTACH_STORAGE_SIZE;
        let mut attach = core::ptr::dangling_mut::<SbcAttach>();
        let before = attach;
        let begin = |config: *const SbcAttachConfig, p: *mut c_void, size, out| {
            // SAFETY: each pointer is NULL or valid (the storage for `size` bytes).
            unsafe { sbc_attach_begin(config, 0, p, size, out) }
        };
        assert_eq!(begin(core::ptr::null(), p, size, &mut attach), NULL);
        assert_eq!(begin(&config, core::ptr::null_mut(), size, &mut attach), NULL);
        assert_eq!(begin(&config, p, size, core::ptr::null_mut()), NULL);
        assert_eq!(begin(&config, p, size - 1, &mut attach), Status::InsufficientSize.raw());
        assert_eq!(begin(&config, p, 0, &mut attach), Status::InsufficientSize.raw());
        // SAFETY: one byte in, `size - 1` bytes remain valid; alignment is what fails.
        let odd = unsafe { p.cast::<u8>().add(1) }.cast::<c_void>();
        assert_eq!(begin(&config, odd, size - 1, &mut attach), Status::InsufficientSize.raw());
        let mut wide = vec![0u64; ATTACH_STORAGE_SIZE / 8 + 1];
        // SAFETY: 4 bytes into a buffer of `size + 8` bytes: `size + 4` remain.
        let odd = unsafe { wide.as_mut_ptr().cast::<u8>().add(4) }.cast::<c_void>();
        assert_eq!(begin(&config, odd, size, &mut attach), INVALID);
        for bad in [
            SbcAttachConfig { reserved: [1], ..config },
            SbcAttachConfig { reserved: [0x80], ..config },
            SbcAttachConfig { usb_vendor_id: 0x174c, ..config },
            SbcAttachConfig { usb_product_id: 0x2362, ..config },
            SbcAttachConfig { quirks_on: 1 << 31, ..config },
            SbcAttachConfig { quirks_off: u32::MAX, ..config },
        ] {
            assert_eq!(begin(&bad, p, size, &mut attach), INVALID);
        }
        assert_eq!(attach, before, "attach_out written on failure");
        assert_eq!(begin(&config, p, size, &mut attach), OK);
        assert_eq!(attach.cast::<c_void>(), p);
    }

    #[test]
    fn misuse_is_refused_and_leaves_the_attach_usable() {
        let _logger = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
        let mut seen: Vec<(u32, std::string::String)> = Vec::new();
        let context = (&mut seen as *mut Vec<(u32, std::string::String)>).cast::<c_void>();
        assert_eq!(set_callback(Some(collect), context), OK);
        let (storage, attach) = begin(&SbcAttachConfig::default(), 0);
        let mut text = [0u8; 8];

        // Storage never begun (zeroed, as IONewZero leaves IVars).
        let never = Storage::new();
        let unbegun = never.0.cast::<SbcAttach>();
        assert_eq!(poll(unbegun, 0), Err(BAD_STATE));
        assert_eq!(complete(unbegun, &SbcPoll::default(), 0), BAD_STATE);
        assert_eq!(verdict(unbegun, &mut text), Err(BAD_STATE));
        assert_eq!(summary(unbegun), Err(BAD_STATE));

        // Nothing outstanding, not done.
        let good = completion(TaskStatus::GOOD, 0, &[]);
        // SAFETY: valid pointers; `data` NULL with length 0 is allowed.
        let s = unsafe { sbc_attach_complete(attach, &good, core::ptr::null(), 0, 0) };
        assert_eq!(s, BAD_STATE);
        assert_eq!(verdict(attach, &mut text), Err(BAD_STATE));
        assert_eq!(summary(attach), Err(BAD_STATE));
        assert_eq!(poll(core::ptr::null_mut(), 0), Err(NULL));
        // SAFETY: a NULL output is checked before anything happens.
        assert_eq!(unsafe { sbc_attach_poll(attach, 0, core::ptr::null_mut()) }, NULL);
        assert_eq!(report(attach).commands_sent, 0, "a refused poll sent nothing");

        // The first INQUIRY, outstanding.
        let inq = poll(attach, 0).unwrap();
        assert_eq!((inq.kind, inq.command.cdb[0], inq.command.transfer_length), (1, 0x12, 36));
        assert_eq!((inq.sense_length, inq.exclusive), (18, false));
        assert_eq!(poll(attach, 0), Ok(inq), "the same command while outstanding");
        assert_eq!(report(attach).commands_sent, 1);

        let data = inquiry();
        let bad_sense = [0x70u8; 23];
        let cases: [(SbcCompletion, *const u8, usize, SbcStatus); 6] = [
            // The buffer does not cover the 36 usable bytes.
            (completion(TaskStatus::GOOD, 36, &[]), data.as_ptr(), 35, INVALID),
            // NULL data with a length.
            (completion(TaskStatus::GOOD, 36, &[]), core::ptr::null(), 36, NULL),
            // More sense than UserSendCDB returns.
            (completion(TaskStatus::GOOD, 36, &bad_sense), data.as_ptr(), 36, INVALID),
            // NULL sense with a length.
            (
                SbcCompletion { sense_length: 4, ..completion(TaskStatus::GOOD, 36, &[]) },
                data.as_ptr(),
                36,
                INVALID,
            ),
            // A non-zero reserved field.
            (
                SbcCompletion { reserved: 1, ..completion(TaskStatus::GOOD, 36, &[]) },
                data.as_ptr(),
                36,
                INVALID,
            ),
            // NULL data with no usable bytes but a length.
            (completion(TaskStatus::GOOD, 0, &[]), core::ptr::null(), 1, NULL),
        ];
        for (c, ptr, len, want) in cases {
            // SAFETY: `ptr` is NULL or valid for `len` bytes; `c.sense` likewise (the
            // NULL-sense case is refused before the length is used).
            assert_eq!(unsafe { sbc_attach_complete(attach, &c, ptr, len, 1) }, want);
            assert_eq!(poll(attach, 1), Ok(inq), "a refused completion changed the state");
        }
        // SAFETY: NULL completion.
        let s = unsafe { sbc_attach_complete(attach, core::ptr::null(), data.as_ptr(), 36, 1) };
        assert_eq!(s, NULL);

        // Overwritten storage: BAD_STATE for every call, then usable again once restored.
        // SAFETY: the storage is alive and nothing else accesses it now.
        let magic = unsafe { storage.first_word().replace(0) };
        assert_eq!(poll(attach, 1), Err(BAD_STATE));
        assert_eq!(complete(attach, &inq, 1), BAD_STATE);
        assert_eq!(verdict(attach, &mut text), Err(BAD_STATE));
        assert_eq!(summary(attach), Err(BAD_STATE));
        // SAFETY: as above.
        unsafe { storage.first_word().write(magic) };
        // A pointer that is not the start of the state (near the end of the storage, whose
        // bytes past the state are initialized: Rust, unlike C, says padding is not).
        // SAFETY: stays inside the storage, 8 bytes before its end.
        let inside =
            unsafe { attach.cast::<u8>().add(ATTACH_STORAGE_SIZE - 8) }.cast::<SbcAttach>();
        assert_eq!(poll(inside, 1), Err(BAD_STATE));
        let odd = attach.cast::<u8>().wrapping_add(1).cast::<SbcAttach>();
        assert_eq!(poll(odd, 1), Err(BAD_STATE));
        assert_eq!(poll(attach, 1), Ok(inq));

        // A data buffer longer than the usable bytes is fine: only those are read.
        let mut long = data.clone();
        long.resize(4096, 0xEE);
        let c = completion(TaskStatus::GOOD, 36, &[]);
        // SAFETY: `long` is valid for its length.
        assert_eq!(unsafe { sbc_attach_complete(attach, &c, long.as_ptr(), long.len(), 1) }, OK);
        // SAFETY: as above.
        let again = unsafe { sbc_attach_complete(attach, &c, long.as_ptr(), long.len(), 1) };
        assert_eq!(again, BAD_STATE, "completed twice");

        let end = run_to_done(attach, 1);
        assert_eq!(poll(attach, end), Err(BAD_STATE), "poll after DONE");
        assert_eq!(complete(attach, &inq, end), BAD_STATE, "complete after DONE");
        assert_eq!(verdict(attach, &mut text), Ok((true, 0)));
        assert_eq!(&text[..7], b"accept\0");
        assert_eq!(summary(attach).unwrap().block_count, 131072);

        // Each refused poll and complete said why, at warn (NULL pointers only get the
        // status); the engine's records are not the ABI's (see `log`).
        assert_eq!(set_callback(None, core::ptr::null_mut()), OK);
        assert!(seen.iter().all(|(level, _)| *level == 2), "{seen:#?}");
        let lines: Vec<&str> = seen.iter().map(|(_, m)| m.as_str()).collect();
        let not_begun = "refused: not an attach that sbc_attach_begin began";
        let expected = [
            std::format!("attach: sbc_attach_poll {not_begun}"),
            std::format!("attach: sbc_attach_complete {not_begun}"),
            "attach: sbc_attach_complete refused: no command outstanding".into(),
            "attach: sbc_attach_complete refused: data_length 35 is shorter than the realized \
             length 36"
                .into(),
            "attach: sbc_attach_complete refused: sense_length 23 (at most 22, with a non-NULL \
             sense), reserved 0"
                .into(),
            "attach: sbc_attach_complete refused: sense_length 4 (at most 22, with a non-NULL \
             sense), reserved 0"
                .into(),
            "attach: sbc_attach_complete refused: sense_length 0 (at most 22, with a non-NULL \
             sense), reserved 1"
                .into(),
            std::format!("attach: sbc_attach_poll {not_begun}"),
            std::format!("attach: sbc_attach_complete {not_begun}"),
            std::format!("attach: sbc_attach_poll {not_begun}"),
            std::format!("attach: sbc_attach_poll {not_begun}"),
            "attach: sbc_attach_complete refused: no command outstanding".into(),
            "attach: sbc_attach_poll refused: the attach has given DONE already".into(),
            "attach: sbc_attach_complete refused: the attach has given DONE already".into(),
        ];
        assert_eq!(lines.len(), expected.len(), "{lines:#?}");
        for (line, want) in lines.iter().zip(&expected) {
            assert!(line.starts_with(want.as_str()), "{line} / {want}");
        }
    }

    #[test]
    fn verdict_text_is_cut_to_the_capacity_and_nul_terminated() {
        let _logger = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
        let config = SbcAttachConfig { time_budget_ms: 10, ..SbcAttachConfig::default() };
        let (_storage, attach) = begin(&config, 0);
        let first = poll(attach, 0).unwrap();
        // The budget runs out with INQUIRY outstanding: DONE, and its completion is late.
        assert_eq!(poll(attach, 10).unwrap().kind, PollKind::Done as u32);
        assert_eq!(complete(attach, &first, 10), BAD_STATE);
        let mut accept = MaybeUninit::<bool>::uninit();
        let mut reason = MaybeUninit::<u32>::uninit();
        let (a, r) = (accept.as_mut_ptr(), reason.as_mut_ptr());
        // SAFETY: NULL text with capacity 0 is allowed; outputs valid for writes.
        assert_eq!(unsafe { sbc_attach_verdict(attach, a, r, core::ptr::null_mut(), 0) }, OK);
        // SAFETY: written on OK.
        let (accept, reason) = unsafe { (accept.assume_init(), reason.assume_init()) };
        assert_eq!((accept, reason), (false, RefuseCode::TimeBudgetExhausted as u32));
        // SAFETY: NULL text with a capacity is refused before anything is written.
        let s = unsafe { sbc_attach_verdict(attach, a, r, core::ptr::null_mut(), 4) };
        assert_eq!(s, NULL);
        let full = b"refuse: time budget exhausted\0";
        let mut text = [0xAAu8; 64];
        assert_eq!(verdict(attach, &mut text), Ok((false, 14)));
        assert_eq!(&text[..full.len()], full);
        let mut text = [0xAAu8; 7];
        assert_eq!(verdict(attach, &mut text), Ok((false, 14)));
        assert_eq!(&text, b"refuse\0");
        let mut text = MaybeUninit::<[u8; 1]>::uninit();
        let t = text.as_mut_ptr().cast::<c_char>();
        // SAFETY: `t` is valid for writes of 1 byte.
        assert_eq!(unsafe { sbc_attach_verdict(attach, a, r, t, 1) }, OK);
        // SAFETY: the NUL was written.
        assert_eq!(unsafe { text.assume_init() }, [0]);
    }

    #[test]
    fn every_refuse_reason_has_its_own_code() {
        use crate::sense::{SenseCode, SenseKey};
        use crate::wire::inquiry::PeripheralQualifier;
        use crate::wire::PeripheralDeviceType;
        let sense = SenseCode::new(SenseKey(3), 0x11, 0);
        let reasons = [
            RefuseReason::NotConnected { peripheral_qualifier: PeripheralQualifier(1) },
            RefuseReason::NotDirectAccess { peripheral_device_type: PeripheralDeviceType(5) },
            RefuseReason::NoMedium,
            RefuseReason::NotReady { sense: None },
            RefuseReason::UnsupportedBlockLength { length: 520 },
            RefuseReason::UnsupportedProtectionType { protection_type: 4 },
            RefuseReason::CapacityUnknown,
            RefuseReason::InquiryFailed,
            RefuseReason::DeviceError { sense },
            RefuseReason::UnitAttentionStorm,
            RefuseReason::Busy,
            RefuseReason::ReservationConflict,
            RefuseReason::CommandFailed,
            RefuseReason::TimeBudgetExhausted,
            RefuseReason::CommandBudgetExhausted,
            RefuseReason::DeviceGone,
            RefuseReason::TransportFailure,
            RefuseReason::InternalError("x"),
        ];
        assert_eq!(RefuseCode::of(&Verdict::Accept) as u32, 0);
        for (i, reason) in reasons.into_iter().enumerate() {
            assert_eq!(RefuseCode::of(&Verdict::Refuse(reason)) as u32, i as u32 + 1);
        }
    }

    unsafe extern "C" fn collect(
        context: *mut c_void,
        level: u32,
        message: *const c_char,
        len: usize,
    ) {
        // SAFETY: the test passes a `Vec<(u32, String)>`; `message` is valid for `len` bytes.
        unsafe {
            let out = &mut *context.cast::<Vec<(u32, std::string::String)>>();
            let text = core::slice::from_raw_parts(message.cast::<u8>(), len);
            out.push((level, std::string::String::from_utf8(text.to_vec()).unwrap()));
        }
    }

    /// The records of an accepted attach: at info, each command sent, then its completion
    /// with the policy's action, and the verdict last; at warn, each of the report's
    /// warnings, once; at debug only that no quirk is in effect.
    fn assert_healthy(records: &[Captured], report: &Report) {
        let sent = report.commands_sent;
        let info: Vec<&str> = records
            .iter()
            .filter(|(level, _)| *level == log::Level::Info)
            .map(|(_, text)| text.as_str())
            .collect();
        assert_eq!(info.len(), 2 * usize::from(sent) + 1, "{info:#?}");
        for pair in info[..info.len() - 1].chunks(2) {
            let (send, done) = (pair[0], pair[1]);
            let head = send.strip_prefix("attach: send ").unwrap_or_else(|| panic!("{send}"));
            // "NAME (XXh), N bytes DIR" then "NAME (XXh): ACTION".
            let (command, _) = head.split_once(", ").unwrap();
            assert!(done.starts_with(&std::format!("attach: {command}: ")), "{send} / {done}");
        }
        assert_eq!(info[info.len() - 1], std::format!("attach: accept ({sent} commands)"));
        let warn: Vec<&Captured> = records.iter().filter(|(l, _)| *l < log::Level::Info).collect();
        let warnings: Vec<Captured> = (report.warnings.iter())
            .map(|w| (log::Level::Warn, std::format!("attach: warning: {w}")))
            .collect();
        assert_eq!(warn, warnings.iter().collect::<Vec<_>>());
        let debug: Vec<&Captured> = records.iter().filter(|(l, _)| *l > log::Level::Info).collect();
        assert_eq!(debug, [&(log::Level::Debug, "attach: quirks in effect: none".into())]);
    }

    /// The engine, driven directly, logs one record per command sent and one per completion,
    /// then the verdict.
    #[test]
    fn a_healthy_attach_logs_each_command_each_completion_and_the_verdict() {
        let mut engine = Engine::begin(Config::default(), Instant::from_millis(0));
        let mut buffer = [0u8; crate::attach::MAX_TRANSFER_LENGTH];
        let mut host = Direct { now: Instant::from_millis(0) };
        let (verdict, records) = capture(|| drive(&mut engine, &mut host, &mut buffer));
        assert_eq!(verdict, Ok(Verdict::Accept));
        assert_healthy(&records, engine.report());
        assert!(!engine.report().warnings.is_empty(), "the tiny disk has no VPD: a warning");
        assert_eq!(records[0].1, "attach: send INQUIRY (12h), 36 bytes in");
        assert_eq!(records[1].1, "attach: INQUIRY (12h): success");
        assert_eq!(records[2].1, "attach: quirks in effect: none");
        let texts: Vec<&str> = records.iter().map(|(_, t)| t.as_str()).collect();
        assert!(texts.contains(&"attach: send TEST UNIT READY (00h), 0 bytes none"));
        assert!(texts.iter().any(|t| t.starts_with("attach: INQUIRY (12h): fail: ")), "{texts:?}");
    }

    /// A refusal: the verdict at warn, after the completion that decided it.
    #[test]
    fn a_refusal_is_logged_at_warn() {
        struct Cdrom;
        impl Host for Cdrom {
            fn now(&mut self) -> Instant {
                Instant::from_millis(0)
            }
            fn execute(&mut self, _: &Request, data: &mut [u8], _: &mut [u8]) -> Executed {
                let mut inquiry = inquiry();
                inquiry[0] = 0x05; // PDT 5: CD/DVD
                data[..36].copy_from_slice(&inquiry);
                Executed {
                    outcome: TaskOutcome::Complete(TaskStatus::GOOD),
                    realized: 36,
                    sense_length: 0,
                }
            }
            fn wait_until(&mut self, _: Instant) {}
        }
        let mut engine = Engine::begin(Config::default(), Instant::from_millis(0));
        let mut buffer = [0u8; crate::attach::MAX_TRANSFER_LENGTH];
        let (verdict, records) = capture(|| drive(&mut engine, &mut Cdrom, &mut buffer));
        assert!(matches!(verdict, Ok(Verdict::Refuse(RefuseReason::NotDirectAccess { .. }))));
        let refuse = std::format!("attach: {} (1 commands)", verdict.unwrap());
        assert_eq!(
            records,
            [
                (log::Level::Info, "attach: send INQUIRY (12h), 36 bytes in".into()),
                (log::Level::Info, "attach: INQUIRY (12h): success".into()),
                (log::Level::Warn, refuse),
            ]
        );
    }

    /// A detour: the completion that asked for it, the detour, its command and completion,
    /// then the interrupted command again.
    #[test]
    fn a_detour_is_logged() {
        /// The tiny disk, not ready (04/02, initializing command required) until START.
        struct NeedsStart {
            direct: Direct,
            started: bool,
        }
        impl Host for NeedsStart {
            fn now(&mut self) -> Instant {
                self.direct.now
            }
            fn execute(
                &mut self,
                request: &Request,
                data: &mut [u8],
                sense: &mut [u8],
            ) -> Executed {
                match request.command.cdb.as_bytes() {
                    [0x1B, ..] => {
                        self.started = true;
                        return Executed {
                            outcome: TaskOutcome::Complete(TaskStatus::GOOD),
                            realized: 0,
                            sense_length: 0,
                        };
                    }
                    [0x00, ..] if !self.started => {
                        (sense[0], sense[2], sense[7], sense[12], sense[13]) = (0x70, 2, 10, 4, 2);
                        return Executed {
                            outcome: TaskOutcome::Complete(TaskStatus::CHECK_CONDITION),
                            realized: 0,
                            sense_length: 18,
                        };
                    }
                    _ => {}
                }
                self.direct.execute(request, data, sense)
            }
            fn wait_until(&mut self, until: Instant) {
                self.direct.wait_until(until);
            }
        }
        let mut engine = Engine::begin(Config::default(), Instant::from_millis(0));
        let mut buffer = [0u8; crate::attach::MAX_TRANSFER_LENGTH];
        let mut host =
            NeedsStart { direct: Direct { now: Instant::from_millis(0) }, started: false };
        let (verdict, records) = capture(|| drive(&mut engine, &mut host, &mut buffer));
        assert_eq!(verdict, Ok(Verdict::Accept));
        let texts: Vec<&str> = records.iter().map(|(_, t)| t.as_str()).collect();
        let at = texts
            .iter()
            .position(|t| *t == "attach: TEST UNIT READY (00h): START UNIT, then retry")
            .unwrap_or_else(|| panic!("{texts:#?}"));
        assert_eq!(
            texts[at + 1..at + 6],
            [
                "attach: detour: START STOP UNIT (START=1, IMMED=1), then retry",
                "attach: send START STOP UNIT (1Bh), 0 bytes none",
                "attach: START STOP UNIT (1Bh): success",
                "attach: detour over, back to SpinUp(TestUnitReady)",
                "attach: send TEST UNIT READY (00h), 0 bytes none",
            ]
        );
        assert_eq!(records[at + 4].0, log::Level::Debug);
    }

    /// Through the ABI the engine logs the same (the poll that repeats the outstanding
    /// command logs nothing), and the ABI adds nothing of its own to a well-used attach.
    /// The callback gets no engine record here because this test binary has its own logger
    /// (`log::test`); the C test sees them arrive at the callback.
    #[test]
    fn an_attach_through_the_abi_is_logged_command_by_command() {
        let _logger = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
        let mut seen: Vec<(u32, std::string::String)> = Vec::new();
        let context = (&mut seen as *mut Vec<(u32, std::string::String)>).cast::<c_void>();
        assert_eq!(set_callback(Some(collect), context), OK);
        let ((_storage, attach), records) = capture(|| {
            let (storage, attach) = begin(&SbcAttachConfig::default(), 0);
            let first = poll(attach, 0).unwrap();
            let _ = poll(attach, 0).unwrap(); // the same command: not logged again
            assert_eq!(complete(attach, &first, 1), OK);
            run_to_done(attach, 1);
            (storage, attach)
        });
        assert_eq!(set_callback(None, core::ptr::null_mut()), OK);
        assert_healthy(&records, &report(attach));
        assert!(seen.is_empty(), "{seen:?}");
    }

    /// Quirks in effect, from the configuration at begin and from the table after INQUIRY.
    #[test]
    fn quirks_are_logged_at_begin_and_after_inquiry() {
        let quirks_on = Quirks::NO_VPD.bits();
        let config = SbcAttachConfig { quirks_on, ..SbcAttachConfig::default() };
        let ((_storage, attach), records) = capture(|| {
            let (storage, attach) = begin(&config, 0);
            run_to_done(attach, 0);
            (storage, attach)
        });
        assert!(report(attach).quirks.contains(Quirks::NO_VPD));
        let texts: Vec<&Captured> = records.iter().filter(|(_, t)| t.contains("quirks")).collect();
        assert_eq!(
            texts,
            [
                &(log::Level::Info, "attach: begin, quirks: no-vpd".into()),
                &(log::Level::Info, "attach: quirks in effect: no-vpd".into()),
            ]
        );
    }

    /// The report through `sbc_attach_report` and C callbacks, against the property module
    /// driven directly.
    #[cfg(feature = "serde")]
    mod report {
        use std::string::{String, ToString};
        use std::vec::Vec;

        use super::*;
        use crate::property::{write_report, PropertySink};

        #[derive(Debug, Clone, PartialEq)]
        enum Event {
            BeginDictionary(Option<String>),
            EndDictionary,
            BeginArray(Option<String>),
            EndArray,
            String(Option<String>, String),
            Number(Option<String>, u64),
            Boolean(Option<String>, bool),
            Data(Option<String>, Vec<u8>),
        }

        /// What the C callbacks write into: the events, and the call at which to fail.
        struct Recorder {
            events: Vec<Event>,
            fail_at: Option<(usize, SbcStatus)>,
        }

        impl Recorder {
            fn push(&mut self, event: Event) -> SbcStatus {
                if let Some((n, status)) = self.fail_at {
                    if self.events.len() == n {
                        return status;
                    }
                }
                self.events.push(event);
                OK
            }
        }

        /// Recorder from `context`, key from (pointer, length).
        ///
        /// # Safety
        /// `context` is a `Recorder`; `key` NULL or valid for `len` bytes of UTF-8.
        unsafe fn parts<'a>(
            context: *mut c_void,
            key: *const c_char,
            len: usize,
        ) -> (&'a mut Recorder, Option<String>) {
            // SAFETY: this function's contract.
            unsafe {
                let key = (!key.is_null()).then(|| text(key.cast(), len));
                (&mut *context.cast::<Recorder>(), key)
            }
        }

        /// # Safety
        /// `p` valid for `len` bytes of UTF-8.
        unsafe fn text(p: *const u8, len: usize) -> String {
            // SAFETY: this function's contract.
            let bytes = unsafe { core::slice::from_raw_parts(p, len) };
            core::str::from_utf8(bytes).unwrap().to_string()
        }

        unsafe extern "C" fn begin_dictionary(c: *mut c_void, k: *const c_char, n: usize) -> u32 {
            // SAFETY: the core passes the context given and a valid key.
            let (r, key) = unsafe { parts(c, k, n) };
            r.push(Event::BeginDictionary(key))
        }
        unsafe extern "C" fn end_dictionary(c: *mut c_void) -> u32 {
            // SAFETY: as above.
            let (r, _) = unsafe { parts(c, core::ptr::null(), 0) };
            r.push(Event::EndDictionary)
        }
        unsafe extern "C" fn begin_array(c: *mut c_void, k: *const c_char, n: usize) -> u32 {
            // SAFETY: as above.
            let (r, key) = unsafe { parts(c, k, n) };
            r.push(Event::BeginArray(key))
        }
        unsafe extern "C" fn end_array(c: *mut c_void) -> u32 {
            // SAFETY: as above.
            let (r, _) = unsafe { parts(c, core::ptr::null(), 0) };
            r.push(Event::EndArray)
        }
        unsafe extern "C" fn string(
            c: *mut c_void,
            k: *const c_char,
            n: usize,
            v: *const c_char,
            vn: usize,
        ) -> u32 {
            // SAFETY: as above; the value is valid for `vn` bytes.
            let (r, key) = unsafe { parts(c, k, n) };
            // SAFETY: as above.
            let value = unsafe { text(v.cast(), vn) };
            r.push(Event::String(key, value))
        }
        unsafe extern "C" fn number(c: *mut c_void, k: *const c_char, n: usize, v: u64) -> u32 {
            // SAFETY: as above.
            let (r, key) = unsafe { parts(c, k, n) };
            r.push(Event::Number(key, v))
        }
        unsafe extern "C" fn boolean(c: *mut c_void, k: *const c_char, n: usize, v: bool) -> u32 {
            // SAFETY: as above.
            let (r, key) = unsafe { parts(c, k, n) };
            r.push(Event::Boolean(key, v))
        }
        unsafe extern "C" fn data(
            c: *mut c_void,
            k: *const c_char,
            n: usize,
            v: *const u8,
            vn: usize,
        ) -> u32 {
            // SAFETY: as above.
            let (r, key) = unsafe { parts(c, k, n) };
            // SAFETY: the value is valid for `vn` bytes.
            let value = unsafe { core::slice::from_raw_parts(v, vn) }.to_vec();
            r.push(Event::Data(key, value))
        }

        fn c_sink(recorder: &mut Recorder) -> SbcPropertySink {
            SbcPropertySink {
                context: (recorder as *mut Recorder).cast(),
                begin_dictionary: Some(begin_dictionary),
                end_dictionary: Some(end_dictionary),
                begin_array: Some(begin_array),
                end_array: Some(end_array),
                string: Some(string),
                number: Some(number),
                boolean: Some(boolean),
                data: Some(data),
            }
        }

        /// The same events from the property module with a Rust sink.
        struct Events(Vec<Event>);

        impl PropertySink for Events {
            type Error = ();
            fn begin_dictionary(&mut self, key: Option<&str>) -> Result<(), ()> {
                self.0.push(Event::BeginDictionary(key.map(str::to_string)));
                Ok(())
            }
            fn end_dictionary(&mut self) -> Result<(), ()> {
                self.0.push(Event::EndDictionary);
                Ok(())
            }
            fn begin_array(&mut self, key: Option<&str>) -> Result<(), ()> {
                self.0.push(Event::BeginArray(key.map(str::to_string)));
                Ok(())
            }
            fn end_array(&mut self) -> Result<(), ()> {
                self.0.push(Event::EndArray);
                Ok(())
            }
            fn string(&mut self, key: Option<&str>, value: &str) -> Result<(), ()> {
                self.0.push(Event::String(key.map(str::to_string), value.to_string()));
                Ok(())
            }
            fn number(&mut self, key: Option<&str>, value: u64) -> Result<(), ()> {
                self.0.push(Event::Number(key.map(str::to_string), value));
                Ok(())
            }
            fn boolean(&mut self, key: Option<&str>, value: bool) -> Result<(), ()> {
                self.0.push(Event::Boolean(key.map(str::to_string), value));
                Ok(())
            }
            fn data(&mut self, key: Option<&str>, value: &[u8]) -> Result<(), ()> {
                self.0.push(Event::Data(key.map(str::to_string), value.to_vec()));
                Ok(())
            }
        }

        fn report_through_abi(attach: *const SbcAttach, recorder: &mut Recorder) -> SbcStatus {
            let sink = c_sink(recorder);
            // SAFETY: `attach` from `begin`; `sink` valid, its context the recorder.
            unsafe { sbc_attach_report(attach, &sink) }
        }

        #[test]
        fn the_report_through_c_callbacks_is_the_engines() {
            let _logger = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
            let (_storage, attach) = begin(&SbcAttachConfig::default(), 1_000);
            let mut recorder = Recorder { events: Vec::new(), fail_at: None };
            assert_eq!(report_through_abi(attach, &mut recorder), BAD_STATE, "before DONE");
            run_to_done(attach, 1_000);
            assert!(recorder.events.is_empty());
            assert_eq!(report_through_abi(attach, &mut recorder), OK);

            let mut engine = Engine::begin(Config::default(), Instant::from_millis(1_000));
            let mut buffer = [0u8; crate::attach::MAX_TRANSFER_LENGTH];
            let mut host = Direct { now: Instant::from_millis(1_000) };
            drive(&mut engine, &mut host, &mut buffer).unwrap();
            let mut direct = Events(Vec::new());
            write_report(engine.report(), &mut direct).unwrap();
            assert_eq!(recorder.events, direct.0);

            let events = &recorder.events;
            assert_eq!(events[0], Event::BeginDictionary(None));
            assert_eq!(events[1], Event::String(Some("result".into()), "accept".into()));
            assert!(events.contains(&Event::Number(Some("block_count".into()), 131072)));
            let opened = events
                .iter()
                .filter(|e| matches!(e, Event::BeginDictionary(_) | Event::BeginArray(_)))
                .count();
            let closed = events
                .iter()
                .filter(|e| matches!(e, Event::EndDictionary | Event::EndArray))
                .count();
            assert_eq!(opened, closed);
        }

        #[test]
        fn a_failing_callback_stops_the_walk_and_null_callbacks_are_refused() {
            let _logger = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
            let (_storage, attach) = begin(&SbcAttachConfig::default(), 0);
            run_to_done(attach, 0);
            let mut recorder = Recorder { events: Vec::new(), fail_at: Some((3, 0xDEAD)) };
            assert_eq!(report_through_abi(attach, &mut recorder), 0xDEAD);
            assert_eq!(recorder.events.len(), 3, "nothing after the failing call");

            let mut recorder = Recorder { events: Vec::new(), fail_at: None };
            let full = c_sink(&mut recorder);
            for i in 0..8 {
                let mut sink = full;
                match i {
                    0 => sink.begin_dictionary = None,
                    1 => sink.end_dictionary = None,
                    2 => sink.begin_array = None,
                    3 => sink.end_array = None,
                    4 => sink.string = None,
                    5 => sink.number = None,
                    6 => sink.boolean = None,
                    _ => sink.data = None,
                }
                // SAFETY: valid pointers; the missing callback is refused up front.
                assert_eq!(unsafe { sbc_attach_report(attach, &sink) }, NULL);
            }
            // SAFETY: NULL sink, NULL attach.
            unsafe {
                assert_eq!(sbc_attach_report(attach, core::ptr::null()), NULL);
                assert_eq!(sbc_attach_report(core::ptr::null(), &full), NULL);
            }
            assert!(recorder.events.is_empty(), "no callback ran");
            // SAFETY: as above.
            assert_eq!(unsafe { sbc_attach_report(attach, &full) }, OK);
        }
    }
}
