//! The kernel side of every call the dext makes: `UserSendCDB` and its rules, the other
//! framework calls, the registry, the log, sleep and the clock. The DriverKit facsimile
//! (`driverkit/facsimile.cpp`) calls the `dk_host_*` functions below.
//!
//! Rules enforced, each documented (docs/driverkit.md §UserSendCDB, §Data direction, §Known
//! failure modes): a vendor opcode (C0h..FFh) outside UserSuspendServices/UserResumeServices
//! is `kIOReturnNotPrivileged`; a sense request over 22 bytes, the two direction fields
//! disagreeing, or a buffer address the dext did not get from IOBufferMemoryDescriptor is
//! `kIOReturnBadArgument`; a detached device is `kIOReturnNoDevice`; and when the
//! personality's IOClass is not the SCSI peripheral class, every framework call is
//! `kIOReturnUnsupported`.

#![allow(unsafe_code)]

use std::cell::Cell;
use std::ffi::{c_char, c_void, CStr};

use sbc_core::time::{Duration, Instant};
use sbc_core::wire::cdb::{Cdb, Command, DataDirection};

#[cfg(sbc_dext_shim)]
use super::dext::{self, InParameters, OSObject, OutParameters};
use super::registry::{Property, Service};
use crate::attach::{Exchange, COMMAND_LATENCY};
use crate::target::{Clock, Target};

pub(super) type KernReturn = i32;
pub(super) const K_SUCCESS: KernReturn = 0;
pub(super) const K_NOT_PRIVILEGED: KernReturn = 0xe00002c1_u32 as i32;
pub(super) const K_BAD_ARGUMENT: KernReturn = 0xe00002c2_u32 as i32;
pub(super) const K_UNSUPPORTED: KernReturn = 0xe00002c7_u32 as i32;
pub(super) const K_NO_DEVICE: KernReturn = 0xe00002c0_u32 as i32;
pub(super) const K_ERROR: KernReturn = 0xe00002bc_u32 as i32;
pub(super) const K_NOT_FOUND: KernReturn = 0xe00002f0_u32 as i32;

/// The most sense bytes UserSendCDB accepts (docs/driverkit.md §Sense length).
const SENSE_MAX: u8 = 22;

/// What the dext did with UserSuspendServices / UserResumeServices (which commands went out
/// suspended is each transcript entry's `exclusive`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Services {
    /// UserSuspendServices calls (failed ones included).
    pub suspend_calls: usize,
    /// UserResumeServices calls.
    pub resume_calls: usize,
    /// UserSuspendServices while already suspended, or UserResumeServices while not.
    pub unbalanced_calls: usize,
    /// Services were still suspended when the dext was stopped and released.
    pub suspended_at_end: bool,
}

/// One line of the dext's log, with the time it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Milliseconds since the attach began (on the attach's clock).
    pub at_ms: u64,
    /// The line as the dext wrote it.
    pub text: String,
}

/// The state behind one dext instance's `dk_host` pointer.
pub(super) struct Host {
    pub target: Box<dyn Target>,
    pub clock: Clock,
    pub now: Instant,
    pub epoch: std::time::Instant,
    pub service: Service,
    /// The nub (the dext's provider): its properties answer the provider's CopyProperties.
    pub nub: Service,
    /// The services above the nub, nearest first (the USB interface of a USB disk): only
    /// SearchProperty with kIOServiceSearchPropertyParents reads them; the registry the
    /// model prints starts at the nub.
    pub nub_parents: Vec<Service>,
    pub log: Vec<LogLine>,
    pub transcript: Vec<Exchange>,
    /// IOClass is the SCSI peripheral class: the framework calls work.
    pub framework: bool,
    pub suspended: bool,
    /// What UserSuspendServices does: suspend (`None`), or fail with this and not suspend.
    pub suspend_fails: Option<KernReturn>,
    pub services: Services,
    pub detached: bool,
    /// Detach the device once this many commands were sent (tests).
    pub detach_after: Option<usize>,
    /// When UserDetermineDeviceCharacteristics began and ended (the attach's own time).
    pub characterization: Option<(Instant, Instant)>,
}

thread_local! {
    /// The host whose dext is running on this thread (for the calls that name none: the
    /// log, sleep, the clock).
    static CURRENT: Cell<*mut Host> = const { Cell::new(std::ptr::null_mut()) };
}

impl Host {
    /// Runs `f` (a call into the dext) with `host` as this thread's current host.
    pub fn enter<R>(host: *mut Host, f: impl FnOnce() -> R) -> R {
        let before = CURRENT.with(|c| c.replace(host));
        let r = f();
        CURRENT.with(|c| c.set(before));
        r
    }

    /// The attach's clock now.
    pub fn now(&mut self) -> Instant {
        if self.clock == Clock::Monotonic {
            let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
            self.now = Instant::from_millis(ms);
        }
        self.now
    }

    fn log(&mut self, text: String) {
        let at_ms = self.now().as_millis();
        self.log.push(LogLine { at_ms, text });
    }
}

/// The current host, for the calls without one.
fn current<'a>() -> Option<&'a mut Host> {
    // SAFETY: CURRENT is set only by Host::enter, for the duration of a call into the dext
    // made by the thread that owns the host, and nothing else holds a reference to it then.
    CURRENT.with(|c| unsafe { c.get().as_mut() })
}

/// The host behind a `dk_host` pointer.
///
/// # Safety
/// `host` is NULL or the pointer the model bound to this dext instance (`dk_bind`), and the
/// model holds no reference to it while the dext runs.
unsafe fn host<'a>(host: *mut c_void) -> Option<&'a mut Host> {
    // SAFETY: per this function's contract.
    unsafe { host.cast::<Host>().as_mut() }
}

#[no_mangle]
extern "C" fn dk_host_call_allowed(h: *mut c_void) -> KernReturn {
    // SAFETY: the facsimile passes the pointer it was bound with.
    match unsafe { host(h) } {
        Some(h) if h.framework => K_SUCCESS,
        _ => K_UNSUPPORTED,
    }
}

/// `UserSendCDB`.
#[cfg(sbc_dext_shim)]
#[no_mangle]
extern "C" fn dk_host_send_cdb(
    h: *mut c_void,
    request: *const OutParameters,
    response: *mut InParameters,
) -> KernReturn {
    // SAFETY: the facsimile passes its bound host and valid request/response pointers.
    let (Some(h), Some(request), Some(response)) =
        (unsafe { host(h) }, unsafe { request.as_ref() }, unsafe { response.as_mut() })
    else {
        return K_BAD_ARGUMENT;
    };
    let sent = h.transcript.len();
    if h.detach_after.is_some_and(|n| sent >= n) {
        h.detached = true;
    }
    if h.detached {
        h.log("kernel: UserSendCDB on a detached device".into());
        return K_NO_DEVICE;
    }
    let opcode = request.cdb[0];
    if opcode >= 0xC0 && !h.suspended {
        h.log(format!("kernel: vendor opcode {opcode:#04x} without UserSuspendServices"));
        return K_NOT_PRIVILEGED;
    }
    match checked_command(request) {
        Ok(command) => execute(h, request, &command, response),
        Err(why) => {
            h.log(format!("kernel: UserSendCDB refused: {why}"));
            K_BAD_ARGUMENT
        }
    }
}

/// The command a request describes, or why it is malformed.
#[cfg(sbc_dext_shim)]
fn checked_command(request: &OutParameters) -> Result<Command, String> {
    if request.sense_length_requested > SENSE_MAX {
        return Err(format!("sense length {} over {SENSE_MAX}", request.sense_length_requested));
    }
    let direction = match (request.buffer_direction, request.data_transfer_direction) {
        (0, 0) => DataDirection::None,
        (1, 2) => DataDirection::In,
        (2, 1) => DataDirection::Out,
        (b, d) => return Err(format!("fBufferDirection {b} with fDataTransferDirection {d}")),
    };
    let length = request.transfer_length;
    if (direction == DataDirection::None) != (length == 0) {
        return Err(format!("{length} bytes with direction {direction:?}"));
    }
    if length > 0 && !dext::is_buffer(request.data_buffer, length) {
        return Err("fDataBufferAddr is not an IOBufferMemoryDescriptor range".into());
    }
    let sense = u64::from(request.sense_length_requested);
    if sense > 0 && !dext::is_buffer(request.sense_buffer, sense) {
        return Err("fSenseBufferAddr is not an IOBufferMemoryDescriptor range".into());
    }
    let cdb_length = sbc_core::wire::cdb::cdb_length_for_opcode(request.cdb[0]).unwrap_or(16);
    let cdb = Cdb::from_bytes(&request.cdb[..cdb_length]).map_err(|_| "bad CDB".to_string())?;
    Ok(Command { cdb, direction, transfer_length: length })
}

#[cfg(sbc_dext_shim)]
fn execute(
    h: &mut Host,
    request: &OutParameters,
    command: &Command,
    response: &mut InParameters,
) -> KernReturn {
    let sent_at = h.now();
    let length = usize::try_from(command.transfer_length).unwrap_or(0);
    let data: &mut [u8] = if length == 0 {
        &mut []
    } else {
        // SAFETY: checked_command proved [data_buffer, +length) lies in a live buffer.
        unsafe { std::slice::from_raw_parts_mut(request.data_buffer as *mut u8, length) }
    };
    let data_out = match command.direction {
        DataDirection::Out => data.to_vec(),
        _ => Vec::new(),
    };
    let done = h.target.execute(command, data, sent_at);
    if h.clock == Clock::Virtual {
        let timeout = Duration::from_millis(u64::from(request.timeout_ms));
        h.now = h.now + if done.outcome.is_timeout() { timeout } else { COMMAND_LATENCY };
    }
    let (service_response, task_status) = done.outcome.to_wire();
    response.completion_status = task_status;
    response.service_response = service_response.0;
    response.realized = done.realized;
    let sense_length = done.sense.len().min(usize::from(request.sense_length_requested));
    if sense_length > 0 {
        // SAFETY: checked_command proved the sense buffer holds sense_length_requested bytes.
        let sense = unsafe {
            std::slice::from_raw_parts_mut(request.sense_buffer as *mut u8, sense_length)
        };
        sense.copy_from_slice(&done.sense[..sense_length]);
    }
    response.sense_valid = sense_length > 0;
    h.transcript.push(Exchange {
        sent_at,
        cdb: command.cdb.as_bytes().to_vec(),
        outcome: done.outcome,
        sense: done.sense[..sense_length].to_vec(),
        realized: done.realized,
        // Filled in from the core's log record of this completion (see `dk_host_log`).
        action: String::new(),
        data_out,
        exclusive: h.suspended,
    });
    K_SUCCESS
}

/// `UserReportMediumBlockSize`: the kernel's own READ CAPACITY(10), as its block driver
/// would send it.
#[no_mangle]
extern "C" fn dk_host_report_medium_block_size(h: *mut c_void, size: *mut u64) -> KernReturn {
    // SAFETY: the facsimile passes its bound host and a valid output pointer.
    let (Some(h), Some(size)) = (unsafe { host(h) }, unsafe { size.as_mut() }) else {
        return K_BAD_ARGUMENT;
    };
    let Ok(command) = sbc_core::wire::cdb::ReadCapacity10.encode() else { return K_ERROR };
    let mut data = [0u8; 8];
    let now = h.now();
    let done = h.target.execute(&command, &mut data, now);
    let realized = usize::try_from(done.realized).unwrap_or(0).min(data.len());
    match sbc_core::wire::read_capacity::ReadCapacity10::parse(&data[..realized]) {
        Ok(rc) if done.outcome == sbc_core::wire::status::TaskOutcome::GOOD => {
            *size = u64::from(rc.value.logical_block_length_in_bytes);
            K_SUCCESS
        }
        _ => K_ERROR,
    }
}

#[no_mangle]
extern "C" fn dk_host_suspend_services(h: *mut c_void) -> KernReturn {
    // SAFETY: the facsimile passes its bound host.
    let Some(h) = (unsafe { host(h) }) else { return K_BAD_ARGUMENT };
    h.services.suspend_calls += 1;
    if h.suspended {
        h.services.unbalanced_calls += 1;
    }
    if let Some(ret) = h.suspend_fails {
        h.log(format!("kernel: UserSuspendServices fails with {ret:#x}"));
        return ret;
    }
    h.suspended = true;
    h.log("kernel: services suspended".into());
    K_SUCCESS
}

#[no_mangle]
extern "C" fn dk_host_resume_services(h: *mut c_void) -> KernReturn {
    // SAFETY: the facsimile passes its bound host.
    let Some(h) = (unsafe { host(h) }) else { return K_BAD_ARGUMENT };
    h.services.resume_calls += 1;
    if !h.suspended {
        h.services.unbalanced_calls += 1;
    }
    h.suspended = false;
    h.log("kernel: services resumed".into());
    K_SUCCESS
}

#[no_mangle]
extern "C" fn dk_host_register_service(h: *mut c_void) -> KernReturn {
    // SAFETY: the facsimile passes its bound host.
    let Some(h) = (unsafe { host(h) }) else { return K_BAD_ARGUMENT };
    h.service.registered = true;
    K_SUCCESS
}

#[cfg(sbc_dext_shim)]
#[no_mangle]
extern "C" fn dk_host_set_properties(h: *mut c_void, properties: *const OSObject) -> KernReturn {
    // SAFETY: the facsimile passes its bound host and a live dictionary.
    let Some(h) = (unsafe { host(h) }) else { return K_BAD_ARGUMENT };
    match dext::property(properties, 0) {
        Some(Property::Dictionary(entries)) => {
            for (key, value) in entries {
                h.service.set(&key, value);
            }
            K_SUCCESS
        }
        _ => K_BAD_ARGUMENT,
    }
}

/// `CopyProperties` of the dext's service (`nub` false) or of its provider.
#[cfg(sbc_dext_shim)]
#[no_mangle]
extern "C" fn dk_host_copy_properties(
    h: *mut c_void,
    nub: bool,
    properties: *mut *mut OSObject,
) -> KernReturn {
    // SAFETY: the facsimile passes its bound host and a valid output pointer.
    let (Some(h), Some(out)) = (unsafe { host(h) }, unsafe { properties.as_mut() }) else {
        return K_BAD_ARGUMENT;
    };
    let service = if nub { &h.nub } else { &h.service };
    let tree = dext::os_object(&Property::Dictionary(service.properties.clone()));
    if tree.is_null() {
        return K_ERROR;
    }
    *out = tree;
    K_SUCCESS
}

/// `SearchProperty`: `name` in the service's own properties, then (with `parents`) in each
/// service above it, nearest first; `kIOReturnNotFound` when none has it.
#[cfg(sbc_dext_shim)]
#[no_mangle]
extern "C" fn dk_host_search_property(
    h: *mut c_void,
    nub: bool,
    name: *const c_char,
    parents: bool,
    property: *mut *mut OSObject,
) -> KernReturn {
    // SAFETY: the facsimile passes its bound host, a NUL-terminated name and a valid output
    // pointer.
    let (Some(h), Some(out)) = (unsafe { host(h) }, unsafe { property.as_mut() }) else {
        return K_BAD_ARGUMENT;
    };
    // SAFETY: as above.
    let Ok(name) = unsafe { CStr::from_ptr(name) }.to_str() else { return K_BAD_ARGUMENT };
    let own = if nub { &h.nub } else { &h.service };
    let above: Vec<&Service> = if !parents {
        Vec::new()
    } else if nub {
        h.nub_parents.iter().collect()
    } else {
        std::iter::once(&h.nub).chain(h.nub_parents.iter()).collect()
    };
    let Some(found) = std::iter::once(own).chain(above).find_map(|s| s.get(name)) else {
        return K_NOT_FOUND;
    };
    let object = dext::os_object(found);
    if object.is_null() {
        return K_ERROR;
    }
    *out = object;
    K_SUCCESS
}

#[no_mangle]
extern "C" fn dk_host_log(line: *const c_char, length: usize) {
    if line.is_null() {
        return;
    }
    // SAFETY: the facsimile passes `length` valid bytes at `line`.
    let bytes = unsafe { std::slice::from_raw_parts(line.cast::<u8>(), length) };
    let text = String::from_utf8_lossy(bytes).into_owned();
    match current() {
        Some(h) => {
            note_action(h, &text);
            h.log(text);
        }
        None => eprintln!("dext (no attach running): {text}"),
    }
}

/// The core logs each completion as `attach: NAME (XXh): ACTION`; the transcript shows that
/// ACTION beside the command it belongs to (display only: the log line is not a contract,
/// and an unrecognized line leaves the action empty).
fn note_action(h: &mut Host, line: &str) {
    let Some(last) = h.transcript.last_mut().filter(|x| x.action.is_empty()) else { return };
    let Some(opcode) = last.cdb.first() else { return };
    let marker = format!("({opcode:02X}h): ");
    if let Some((head, action)) = line.split_once(&marker) {
        if head.contains("attach: ") {
            last.action = action.to_string();
        }
    }
}

#[no_mangle]
extern "C" fn dk_host_sleep_ms(milliseconds: u64) {
    let Some(h) = current() else { return };
    match h.clock {
        Clock::Virtual => h.now = h.now + Duration::from_millis(milliseconds),
        Clock::Monotonic => std::thread::sleep(std::time::Duration::from_millis(milliseconds)),
    }
}

#[no_mangle]
extern "C" fn dk_host_uptime_ns() -> u64 {
    current().map_or(0, |h| h.now().as_millis().saturating_mul(1_000_000))
}

/// A C string from the facsimile, or "".
pub(super) fn text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the facsimile returns NUL-terminated strings it owns for the object's life.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

#[cfg(all(test, sbc_dext_shim))]
mod test {
    use super::*;
    use crate::sim::{zoo, Disk};

    fn host(framework: bool) -> Host {
        Host {
            target: Box::new(Disk::new(zoo::by_name("sim").expect("the default profile"))),
            clock: Clock::Virtual,
            now: Instant::from_millis(0),
            epoch: std::time::Instant::now(),
            service: Service::new("SbcDext", "IOUserSCSIPeripheralDeviceType00"),
            nub: Service::new("IOSCSIPeripheralDeviceNub", "IOSCSIPeripheralDeviceNub"),
            nub_parents: Vec::new(),
            log: Vec::new(),
            transcript: Vec::new(),
            framework,
            suspended: false,
            suspend_fails: None,
            services: Services::default(),
            detached: false,
            detach_after: None,
            characterization: None,
        }
    }

    fn request(cdb0: u8, buffer_direction: u8, transfer_direction: u8, sense: u8) -> OutParameters {
        let mut cdb = [0u8; 16];
        cdb[0] = cdb0;
        OutParameters {
            cdb,
            lun: 0,
            timeout_ms: 30_000,
            buffer_direction,
            data_transfer_direction: transfer_direction,
            sense_length_requested: sense,
            reserved: 0,
            transfer_length: 0,
            data_buffer: 0,
            sense_buffer: 0,
        }
    }

    fn send(h: &mut Host, r: &OutParameters) -> KernReturn {
        let mut response = InParameters {
            completion_status: 0,
            service_response: 0,
            realized: 0,
            sense_valid: false,
            reserved: [0; 7],
        };
        let p: *mut Host = h;
        dk_host_send_cdb(p.cast(), r, &mut response)
    }

    #[test]
    fn test_documented_user_send_cdb_rules() {
        let mut h = host(true);
        // TEST UNIT READY, no data, no sense buffer: executed.
        assert_eq!(send(&mut h, &request(0x00, 0, 0, 0)), K_SUCCESS);
        assert_eq!(h.transcript.len(), 1);
        // A vendor opcode outside UserSuspendServices: not privileged; inside: delivered.
        assert_eq!(send(&mut h, &request(0xC1, 0, 0, 0)), K_NOT_PRIVILEGED);
        let p: *mut Host = &mut h;
        assert_eq!(dk_host_suspend_services(p.cast()), K_SUCCESS);
        assert_eq!(send(&mut h, &request(0xC1, 0, 0, 0)), K_SUCCESS);
        assert_eq!(dk_host_resume_services(p.cast()), K_SUCCESS);
        // More than 22 sense bytes.
        assert_eq!(send(&mut h, &request(0x00, 0, 0, 23)), K_BAD_ARGUMENT);
        // The two direction fields swapped (kIOMemoryDirectionIn with FromInitiatorToTarget).
        assert_eq!(send(&mut h, &request(0x12, 1, 1, 0)), K_BAD_ARGUMENT);
        // A data phase with no buffer the dext got from IOBufferMemoryDescriptor.
        let mut r = request(0x12, 1, 2, 0);
        r.transfer_length = 36;
        r.data_buffer = 0x1000;
        assert_eq!(send(&mut h, &r), K_BAD_ARGUMENT);
        // Detached.
        h.detached = true;
        assert_eq!(send(&mut h, &request(0x00, 0, 0, 0)), K_NO_DEVICE);
    }

    #[test]
    fn test_a_user_service_personality_gets_unsupported() {
        let mut h = host(false);
        let p: *mut Host = &mut h;
        assert_eq!(dk_host_call_allowed(p.cast()), K_UNSUPPORTED);
        let mut h = host(true);
        let p: *mut Host = &mut h;
        assert_eq!(dk_host_call_allowed(p.cast()), K_SUCCESS);
    }
}
