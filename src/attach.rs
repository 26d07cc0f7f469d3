//! Drives the core's characterization engine against a [`Target`] in virtual time: what the
//! dext does in `UserDetermineDeviceCharacteristics`, minus DriverKit.
//!
//! The loop is the one the shim runs (DESIGN.md, "One attach, as data flows"): poll the
//! engine; send a command and feed back its completion; or move the clock to the engine's
//! wake-up time instead of sleeping. Each command costs a fixed latency of virtual time (a
//! timed-out one costs its whole timeout), so a 100-second spin-up finishes instantly and
//! every run is deterministic.
//!
//! The DriverKit rule that reaches the engine through this loop: sense data arrives cut to
//! the length the request asked for (18 bytes, or 22 for ATA PASS-THROUGH; driverkit-facts.md
//! §1, [A]).

use sbc_core::attach::{Completion, Config, Engine, Poll, Report, Verdict};
use sbc_core::time::{Duration, Instant};
use sbc_core::wire::status::{DeliveryFailure, ServiceResponse};

use crate::target::Target;

/// Virtual time one command takes (the latency model of docs/performance.md).
pub const COMMAND_LATENCY: Duration = Duration::from_millis(1);

/// Virtual time a command took: its whole timeout when the transport says it timed out (the
/// initiator waited that long before giving up), otherwise [`COMMAND_LATENCY`].
fn time_taken(done: &crate::target::Completion, timeout: Duration) -> Duration {
    let timed_out = ServiceResponse(done.service_response)
        == ServiceResponse::SERVICE_DELIVERY_OR_TARGET_FAILURE
        && matches!(
            DeliveryFailure(done.task_status),
            DeliveryFailure::TASK_TIMEOUT_OCCURRED | DeliveryFailure::PROTOCOL_TIMEOUT_OCCURRED
        );
    if timed_out {
        timeout
    } else {
        COMMAND_LATENCY
    }
}

/// Polls after which the host gives up on an engine that neither sends, waits nor ends.
/// The engine promises to end within its own budgets; this bound turns a broken promise
/// into a test failure instead of a hang.
const MAX_POLLS: usize = 100_000;

/// One command as it went by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Virtual time the command was sent.
    pub sent_at: Instant,
    /// The CDB.
    pub cdb: Vec<u8>,
    /// Service response the target gave.
    pub service_response: u32,
    /// Task status the target gave.
    pub task_status: u32,
    /// Sense bytes as the engine saw them (after the DriverKit length limit).
    pub sense: Vec<u8>,
    /// Bytes the target reported as transferred.
    pub realized: u64,
    /// What the engine decided (its `Display` text).
    pub action: String,
}

/// The result of one attach.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The engine's report.
    pub report: Report,
    /// The verdict the engine ended with.
    pub verdict: Verdict,
    /// Every command, in order.
    pub transcript: Vec<Exchange>,
    /// Virtual time from begin to done.
    pub elapsed: Duration,
}

/// Why the host loop stopped without a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The engine neither finished nor made progress within [`MAX_POLLS`] polls.
    NoProgress,
    /// The engine asked for a transfer too large for this host to allocate.
    TransferTooLarge(u64),
}

/// Runs one attach of `target` with `config`, starting the virtual clock at zero.
///
/// # Errors
/// Only when the engine breaks its own promises ([`RunError`]); a device that misbehaves
/// gives an [`Outcome`] with a refusal, never an error.
pub fn run(config: Config, target: &mut dyn Target) -> Result<Outcome, RunError> {
    let start = Instant::from_millis(0);
    let mut now = start;
    let mut engine = Engine::begin(config, now);
    let mut transcript = Vec::new();
    for _ in 0..MAX_POLLS {
        match engine.poll(now) {
            Poll::Command(request) => {
                let length = usize::try_from(request.command.transfer_length)
                    .ok()
                    .filter(|&n| n <= 1 << 24)
                    .ok_or(RunError::TransferTooLarge(request.command.transfer_length))?;
                let mut data = vec![0u8; length];
                let sent_at = now;
                let done = target.execute(&request.command, &mut data, now);
                now = now + time_taken(&done, request.timeout);
                let sense = &done.sense[..done.sense.len().min(usize::from(request.sense_length))];
                let action = engine.complete(
                    &Completion {
                        service_response: ServiceResponse(done.service_response),
                        task_status: done.task_status,
                        realized: done.realized,
                        data: &data,
                        sense,
                    },
                    now,
                );
                transcript.push(Exchange {
                    sent_at,
                    cdb: request.command.cdb.as_bytes().to_vec(),
                    service_response: done.service_response,
                    task_status: done.task_status,
                    sense: sense.to_vec(),
                    realized: done.realized,
                    action: action.to_string(),
                });
            }
            Poll::Wait { until } => now = now.max(until),
            Poll::Done(verdict) => {
                return Ok(Outcome {
                    report: *engine.report(),
                    verdict,
                    transcript,
                    elapsed: now.saturating_since(start),
                });
            }
        }
    }
    Err(RunError::NoProgress)
}
