//! SCSI targets the host side can drive: one trait, several implementations.
//!
//! A target takes a built [`Command`] and a data buffer and returns a [`Completion`] in the
//! terms Apple's `UserSendCDB` reports (service response, task status, realized byte count,
//! sense bytes), so the same driver code runs against a real disk over iSCSI, a simulated
//! disk, or (later) the kernel model, and tests can compare them.

#[cfg(feature = "iscsi")]
pub mod iscsi;
pub mod iscsi_url;

use sbc_core::time::Instant;
use sbc_core::wire::cdb::Command;
use sbc_core::wire::status::{DeliveryFailure, TaskOutcome, TaskStatus};

/// How one command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Service response and task status (Apple's `SCSIServiceResponse` and `SCSITaskStatus`
    /// values, parsed once).
    pub outcome: TaskOutcome,
    /// Bytes of the data phase that actually moved.
    pub realized: u64,
    /// Sense bytes as the target sent them (empty when it sent none). Untruncated: the
    /// DriverKit limit of 18/22 bytes is applied by whoever models `UserSendCDB`.
    pub sense: Vec<u8>,
}

impl Completion {
    /// A command that completed with a SAM status.
    pub fn task_complete(status: TaskStatus, realized: u64, sense: Vec<u8>) -> Self {
        Completion { outcome: TaskOutcome::Complete(status), realized, sense }
    }

    /// A command the transport could not deliver (timeout, connection lost, device gone):
    /// nothing moved and there is no sense.
    pub fn delivery_failure(failure: DeliveryFailure) -> Self {
        Completion {
            outcome: TaskOutcome::DeliveryFailure(failure),
            realized: 0,
            sense: Vec::new(),
        }
    }
}

/// Which clock a target's commands run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Simulated: time passes only as the host loop says (a command costs a fixed latency).
    Virtual,
    /// A real device: time passes whatever the loop does; a command costs what it costs,
    /// and the engine's budgets must run on the monotonic clock to bound the attach.
    Monotonic,
}

/// Something that executes SCSI commands.
pub trait Target {
    /// The clock this target's commands take time on. Simulated targets are [`Clock::Virtual`].
    fn clock(&self) -> Clock {
        Clock::Virtual
    }

    /// Executes `command`. `data` is the data-phase buffer: for data-in the target writes up
    /// to `command.transfer_length` bytes into it and reports how many in
    /// [`Completion::realized`]; for data-out it reads `command.transfer_length` bytes from it.
    /// `data` must be at least `command.transfer_length` bytes long.
    ///
    /// `now` is the caller's clock (virtual in simulations): simulated devices use it for
    /// behaviour that depends on time, such as a 30-second spin-up; real targets ignore it.
    fn execute(&mut self, command: &Command, data: &mut [u8], now: Instant) -> Completion;
}
