//! A real SCSI target over iSCSI, through libiscsi (an initiator no one on this project
//! wrote). Against tgtd it gives the driver an independent SBC implementation to talk to.
//!
//! libiscsi facts this relies on (docs/witnesses.md §libiscsi: what the iSCSI target relies on): CDBs are at most 16 bytes; on
//! CHECK CONDITION `task->datain` holds the iSCSI sense segment (a 2-byte big-endian length,
//! then the sense bytes); a transport error returns NULL with the reason in
//! `iscsi_get_error`; without a timeout a dead target can hang a sync call forever.

use std::ffi::{CStr, CString};
use std::ptr::NonNull;

use sbc_core::time::Instant;
use sbc_core::wire::cdb::{Command, DataDirection};
use sbc_core::wire::status::{DeliveryFailure, TaskStatus};

use super::{Clock, Completion, Target};

#[allow(non_camel_case_types, non_upper_case_globals, non_snake_case, dead_code, missing_docs)]
#[allow(clippy::all)]
mod sys {
    include!(concat!(env!("OUT_DIR"), "/libiscsi.rs"));
}

/// Seconds after which libiscsi gives up on a command or login, unless
/// [`IscsiTarget::set_timeout`] says otherwise.
const TIMEOUT_SECONDS: i32 = 10;

/// The initiator name this project logs in with.
const INITIATOR: &str = "iqn.2026-11.org.sbc-dext:host";

/// Why a session could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IscsiError(pub String);

/// A logged-in iSCSI session to one LUN.
pub struct IscsiTarget {
    context: NonNull<sys::iscsi_context>,
    lun: i32,
}

impl IscsiTarget {
    /// Logs in to `url` (`iscsi://HOST[:PORT]/IQN/LUN`).
    ///
    /// With `see_unit_attentions`, the login skips libiscsi's TEST UNIT READY, which would
    /// otherwise swallow the UNIT ATTENTION every new I_T nexus starts with; the driver then
    /// sees the device exactly as a fresh attach does.
    ///
    /// # Errors
    /// A malformed URL (see [`iscsi_url`](super::iscsi_url)), an unreachable portal, a
    /// refused login. Every message is one line.
    pub fn connect(url: &str, see_unit_attentions: bool) -> Result<Self, IscsiError> {
        let checked = super::iscsi_url::parse(url).map_err(|e| IscsiError(e.to_string()))?;
        reachable(&checked.host, checked.port)?;
        let initiator = CString::new(INITIATOR).expect("no NUL in a constant");
        // SAFETY: a valid C string; the context is destroyed in Drop or below on failure.
        let context = NonNull::new(unsafe { sys::iscsi_create_context(initiator.as_ptr()) })
            .ok_or_else(|| IscsiError("libiscsi could not create a context".into()))?;
        let mut target = IscsiTarget { context, lun: 0 };
        let c_url = CString::new(url).map_err(|_| IscsiError(format!("{url:?}: NUL in URL")))?;
        // SAFETY: context is live; the returned URL is freed below.
        let parsed = unsafe { sys::iscsi_parse_full_url(context.as_ptr(), c_url.as_ptr()) };
        if parsed.is_null() {
            return Err(IscsiError(format!("{url}: {}", target.last_error())));
        }
        // SAFETY: parsed is non-null and owned by us until iscsi_destroy_url.
        let (portal, name, lun) = unsafe {
            let u = &*parsed;
            let portal = CStr::from_ptr(u.portal.as_ptr()).to_owned();
            let name = CStr::from_ptr(u.target.as_ptr()).to_owned();
            let lun = u.lun;
            sys::iscsi_destroy_url(parsed);
            (portal, name, lun)
        };
        // libiscsi's atoi agrees with the checked LUN for every URL the check lets through.
        debug_assert_eq!(lun, i32::from(checked.lun));
        target.lun = i32::from(checked.lun);
        // SAFETY: context is live; the strings outlive the calls.
        let rc = unsafe {
            sys::iscsi_set_timeout(context.as_ptr(), TIMEOUT_SECONDS);
            sys::iscsi_set_targetname(context.as_ptr(), name.as_ptr());
            sys::iscsi_set_session_type(context.as_ptr(), sys::ISCSI_SESSION_NORMAL);
            sys::iscsi_set_header_digest(context.as_ptr(), sys::ISCSI_HEADER_DIGEST_NONE_CRC32C);
            // A lost connection fails the command instead of libiscsi reconnecting and
            // replaying it, forever by default (docs/witnesses.md §libiscsi): retrying is
            // the engine's decision, within its budgets.
            sys::iscsi_set_noautoreconnect(context.as_ptr(), 1);
            sys::iscsi_set_reconnect_max_retries(context.as_ptr(), 0);
            let login_lun = if see_unit_attentions { -1 } else { lun };
            sys::iscsi_full_connect_sync(context.as_ptr(), portal.as_ptr(), login_lun)
        };
        if rc != 0 {
            return Err(IscsiError(format!("{url}: login failed: {}", target.last_error())));
        }
        Ok(target)
    }

    /// Seconds libiscsi waits for any one command before giving up on it (a task timeout).
    pub fn set_timeout(&mut self, seconds: i32) {
        // SAFETY: context is live.
        unsafe { sys::iscsi_set_timeout(self.context.as_ptr(), seconds) };
    }

    /// libiscsi's last error, on one line.
    fn last_error(&self) -> String {
        // SAFETY: context is live; iscsi_get_error returns NULL or a C string it owns.
        let p = unsafe { sys::iscsi_get_error(self.context.as_ptr()) };
        if p.is_null() {
            "unknown libiscsi error".into()
        } else {
            // SAFETY: non-null, NUL-terminated, valid until the next call on the context.
            let text = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    }
}

impl Target for IscsiTarget {
    fn clock(&self) -> Clock {
        Clock::Monotonic
    }

    fn execute(&mut self, command: &Command, data: &mut [u8], _now: Instant) -> Completion {
        let Ok(length) = usize::try_from(command.transfer_length) else {
            return Completion::delivery_failure(DeliveryFailure::DELIVERY_FAILURE);
        };
        let (Ok(expected), Some(buffer)) = (i32::try_from(length), data.get_mut(..length)) else {
            return Completion::delivery_failure(DeliveryFailure::DELIVERY_FAILURE);
        };
        let direction = match command.direction {
            DataDirection::None => sys::SCSI_XFER_NONE,
            DataDirection::In => sys::SCSI_XFER_READ,
            DataDirection::Out => sys::SCSI_XFER_WRITE,
        };
        let mut cdb = command.cdb.padded();
        // SAFETY: cdb is 16 bytes (libiscsi copies at most SCSI_CDB_MAX_SIZE = 16).
        let task = unsafe {
            sys::scsi_create_task(
                command.cdb.len() as i32,
                cdb.as_mut_ptr(),
                direction as i32,
                expected,
            )
        };
        if task.is_null() {
            return Completion::delivery_failure(DeliveryFailure::DELIVERY_FAILURE);
        }
        let mut out = sys::iscsi_data { size: length, data: buffer.as_mut_ptr() };
        let out_ptr = if command.direction == DataDirection::Out {
            &mut out as *mut sys::iscsi_data
        } else {
            std::ptr::null_mut()
        };
        // SAFETY: context and task are live; `out` points into `buffer`, which outlives the
        // synchronous call.
        let done =
            unsafe { sys::iscsi_scsi_command_sync(self.context.as_ptr(), self.lun, task, out_ptr) };
        if done.is_null() {
            // libiscsi reports timeouts and lost connections the same way. The task may still
            // sit in the session's queues (a PDU that was never answered), so it is not freed
            // here: libiscsi would touch it again when it drains them.
            return Completion::delivery_failure(DeliveryFailure::DEVICE_NOT_RESPONDING);
        }
        // SAFETY: the task completed; its datain buffer is owned by the task.
        let completion = unsafe { read_task(&*task, command.direction, buffer) };
        // SAFETY: created above, completed, not used after this.
        unsafe { sys::scsi_free_scsi_task(task) };
        completion
    }
}

/// Whether a TCP connection to the portal can be opened at all, so that an unreachable
/// portal is reported as the system says it ("Connection refused") rather than as
/// libiscsi's reconnect machinery does.
fn reachable(host: &str, port: u16) -> Result<(), IscsiError> {
    use std::net::{TcpStream, ToSocketAddrs};
    let timeout = std::time::Duration::from_secs(TIMEOUT_SECONDS.unsigned_abs().into());
    let portal = format!("{host}:{port}");
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| IscsiError(format!("{portal}: cannot resolve: {e}")))?;
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    Err(IscsiError(match last {
        Some(e) => format!("{portal}: {e}"),
        None => format!("{portal}: no address"),
    }))
}

/// A libiscsi task status as a SAM status, or the delivery failure it stands for. libiscsi
/// puts SAM statuses (0x00..0xFF) and its own outcomes in one field (`enum scsi_status` in
/// `iscsi.h`): TIMEOUT is a task timeout, CANCELLED and ERROR mean the task never got an
/// answer, and REDIRECT (0x101) is a login-time answer no command should get. None of them
/// may pass as a SAM status (cast to `u8`, TIMEOUT 0x0f000002 would read as CHECK CONDITION).
fn sam_status(status: std::os::raw::c_int) -> Result<TaskStatus, DeliveryFailure> {
    match u32::try_from(status) {
        Ok(sam @ 0..=0xFF) => Ok(TaskStatus(sam)),
        Ok(sys::SCSI_STATUS_TIMEOUT) => Err(DeliveryFailure::TASK_TIMEOUT_OCCURRED),
        _ => Err(DeliveryFailure::DELIVERY_FAILURE),
    }
}

/// Reads status, data and sense out of a completed libiscsi task.
///
/// # Safety
/// `task` must be a completed task whose `datain` is valid.
unsafe fn read_task(
    task: &sys::scsi_task,
    direction: DataDirection,
    buffer: &mut [u8],
) -> Completion {
    let status = match sam_status(task.status) {
        Ok(status) => status,
        Err(failure) => return Completion::delivery_failure(failure),
    };
    let datain: &[u8] = if task.datain.data.is_null() || task.datain.size <= 0 {
        &[]
    } else {
        // SAFETY: libiscsi guarantees `size` bytes at `data`.
        unsafe { std::slice::from_raw_parts(task.datain.data, task.datain.size as usize) }
    };
    if status == TaskStatus::CHECK_CONDITION {
        // The iSCSI sense segment: SenseLength (2 bytes, big-endian), then the sense data.
        let sense = match datain {
            [hi, lo, rest @ ..] => {
                let n = usize::from(u16::from_be_bytes([*hi, *lo])).min(rest.len());
                rest[..n].to_vec()
            }
            _ => Vec::new(),
        };
        return Completion::task_complete(status, 0, sense);
    }
    let realized = match direction {
        DataDirection::In => {
            let n = datain.len().min(buffer.len());
            buffer[..n].copy_from_slice(&datain[..n]);
            n as u64
        }
        DataDirection::Out => {
            let requested = buffer.len() as u64;
            if task.residual_status != sys::SCSI_RESIDUAL_UNDERFLOW {
                requested
            } else if let Some(n) =
                sbc_core::wire::realized_from_residual(requested, task.residual as u64)
            {
                n
            } else {
                // A residual larger than the request: the transport contradicts itself.
                return Completion::delivery_failure(DeliveryFailure::DELIVERY_FAILURE);
            }
        }
        DataDirection::None => 0,
    };
    Completion::task_complete(status, realized, Vec::new())
}

impl Drop for IscsiTarget {
    fn drop(&mut self) {
        // SAFETY: the context is live until here; logout may fail on a dead target, which is
        // fine: destroy frees it either way.
        unsafe {
            sys::iscsi_logout_sync(self.context.as_ptr());
            sys::iscsi_destroy_context(self.context.as_ptr());
        }
    }
}
