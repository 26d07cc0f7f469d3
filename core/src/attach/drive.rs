//! The drive loop, written once: poll the engine, send what it asks through a [`Host`], feed
//! the completion back, wait when it says so, until it is done.
//!
//! The host attach, the tests, the fuzz target and (through the C ABI) the dext all run this
//! loop; only the [`Host`] differs: a simulated disk on a virtual clock, an iSCSI session on
//! the monotonic clock, a scripted fuzz input. The loop allocates nothing: the data buffer is
//! the caller's, the sense buffer is on the stack.
//!
//! What the loop guarantees the host: `data` is exactly the command's transfer length,
//! zeroed before each command, and for a data-out command filled with the engine's
//! [`data_out`](Engine::data_out); `sense` is exactly the request's sense length (18 or 22
//! bytes, the most `UserSendCDB` returns: docs/driverkit.md §Sense length) and zeroed, so
//! sense arrives cut as DriverKit cuts it; the clock is read once before each command and
//! once after it, so a command that takes real time is charged its real time.

use super::{Action, Completion, Engine, Poll, Request, Verdict, SENSE_LENGTH_ATA};
use crate::time::Instant;
use crate::wire::cdb::DataDirection;
use crate::wire::status::TaskOutcome;

/// What runs commands and keeps time for [`drive`].
pub trait Host {
    /// The host's clock: monotonic (virtual in a simulation).
    fn now(&mut self) -> Instant;

    /// Sends `request`. For data-in the device's bytes go into `data` (exactly the transfer
    /// length, zeroed); for data-out `data` holds the bytes to send; sense bytes, if any, go at the start of `sense` (exactly
    /// `request.sense_length` bytes, zeroed).
    fn execute(&mut self, request: &Request, data: &mut [u8], sense: &mut [u8]) -> Executed;

    /// Returns once [`now`](Self::now) has reached `until`: sleeps, or moves a virtual clock.
    fn wait_until(&mut self, until: Instant);

    /// Sees every exchange once the engine has decided about it (transcripts, logs). The
    /// default does nothing.
    fn observe(&mut self, _exchange: &Exchange<'_>) {}
}

/// How a command ended, as the host's transport reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Executed {
    /// Service response and task status.
    pub outcome: TaskOutcome,
    /// Bytes of the data phase the transport says moved.
    pub realized: u64,
    /// Sense bytes written into the `sense` buffer (more than its length counts as all).
    pub sense_length: usize,
}

/// One command as it went by, for [`Host::observe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange<'a> {
    /// The host's clock when the command was sent.
    pub sent_at: Instant,
    /// The command.
    pub request: &'a Request,
    /// How it ended.
    pub executed: Executed,
    /// The sense bytes the engine saw.
    pub sense: &'a [u8],
    /// What the engine decided.
    pub action: Action,
}

/// Why [`drive`] stopped without a verdict. None of these is the device's doing: a device
/// that misbehaves gets a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DriveError {
    /// The engine asked for a transfer longer than the caller's data buffer.
    #[error("the data buffer is shorter than the {needed} bytes a command asked for")]
    BufferTooSmall {
        /// The transfer length asked for.
        needed: u64,
    },
    /// [`Host::wait_until`] returned before the host's clock reached the deadline.
    #[error("the host's clock did not reach a wait's end")]
    ClockStalled,
    /// The engine neither ended nor progressed within the poll bound (it promises to).
    #[error("the engine did not end within its poll bound")]
    NoProgress,
    /// The engine gave no data-out for a command whose data phase is out (it promises to).
    #[error("the engine gave no data-out for a data-out command")]
    NoDataOut,
}

/// Runs `engine` to its verdict against `host`, with `data` as the data buffer (at least
/// [`MAX_TRANSFER_LENGTH`](super::MAX_TRANSFER_LENGTH) bytes fits every command the engine
/// sends).
///
/// # Errors
/// Only for a host or engine that breaks its contract ([`DriveError`]).
pub fn drive<H: Host + ?Sized>(
    engine: &mut Engine,
    host: &mut H,
    data: &mut [u8],
) -> Result<Verdict, DriveError> {
    // Every command is preceded by at most one wait, and the end is one more poll.
    let max_polls = 2 * usize::from(engine.config().command_budget) + 4;
    for _ in 0..max_polls {
        let now = host.now();
        match engine.poll(now) {
            Poll::Command(request) => exchange(engine, host, &request, now, data)?,
            Poll::Wait { until } => {
                host.wait_until(until);
                if host.now() < until {
                    return Err(DriveError::ClockStalled);
                }
            }
            Poll::Done(verdict) => return Ok(verdict),
        }
    }
    Err(DriveError::NoProgress)
}

/// One command: send, complete, observe.
fn exchange<H: Host + ?Sized>(
    engine: &mut Engine,
    host: &mut H,
    request: &Request,
    sent_at: Instant,
    data: &mut [u8],
) -> Result<(), DriveError> {
    let length = request.command.transfer_length;
    let too_small = DriveError::BufferTooSmall { needed: length };
    let data = usize::try_from(length).ok().and_then(|n| data.get_mut(..n)).ok_or(too_small)?;
    data.fill(0);
    if request.command.direction == DataDirection::Out && engine.data_out(data).is_none() {
        return Err(DriveError::NoDataOut);
    }
    let mut sense_buffer = [0u8; SENSE_LENGTH_ATA as usize];
    let sense_length = usize::from(request.sense_length).min(sense_buffer.len());
    let sense_buffer = sense_buffer.get_mut(..sense_length).unwrap_or(&mut []);
    let executed = host.execute(request, data, sense_buffer);
    let sense: &[u8] = sense_buffer;
    let sense = sense.get(..executed.sense_length).unwrap_or(sense);
    let realized = executed.realized;
    let completion = Completion { outcome: executed.outcome, realized, data, sense };
    let action = engine.complete(&completion, host.now());
    host.observe(&Exchange { sent_at, request, executed, sense, action });
    Ok(())
}
