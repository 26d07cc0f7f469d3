//! Drives the core's characterization engine against a [`Target`]: what the dext does in
//! `UserDetermineDeviceCharacteristics`, minus DriverKit.
//!
//! The loop is the core's own ([`sbc_core::attach::drive()`]), the one the shim runs; this
//! module is its [`Host`]: it sends each command to the target and keeps the clock the
//! target runs on ([`Clock`]):
//!
//! - Virtual (simulated targets): each command costs a fixed latency (a timed-out one costs
//!   its whole timeout) and waits are skipped, so a 100-second spin-up finishes instantly
//!   and every run is deterministic.
//! - Monotonic (real devices): the engine is fed `std::time::Instant`, waits sleep, and a
//!   command costs what it really took. The engine's time budget then bounds the attach in
//!   wall-clock time: it ends at most one command timeout after `Config::time_budget`
//!   (a command in flight when the budget ends is waited for, not abandoned).
//!
//! The DriverKit rule that reaches the engine through this loop: sense data arrives cut to
//! the length the request asked for (18 bytes, or 22 for ATA PASS-THROUGH;
//! docs/driverkit.md §Sense length, \[A\]). The drive loop's sense buffer has exactly that
//! length.

use sbc_core::attach::drive::Exchange as Seen;
use sbc_core::attach::{
    drive, Config, DriveError, Engine, Executed, Host, Report, Request, Verdict,
    MAX_TRANSFER_LENGTH,
};
use sbc_core::time::{Duration, Instant};
use sbc_core::wire::cdb::DataDirection;
use sbc_core::wire::status::TaskOutcome;

use crate::target::{Clock, Target};

/// Virtual time one command takes (the latency model of docs/performance.md).
pub const COMMAND_LATENCY: Duration = Duration::from_millis(1);

/// One command as it went by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Virtual time the command was sent.
    pub sent_at: Instant,
    /// The CDB.
    pub cdb: Vec<u8>,
    /// How the target said it ended.
    pub outcome: TaskOutcome,
    /// Sense bytes as the engine saw them (after the DriverKit length limit).
    pub sense: Vec<u8>,
    /// Bytes the target reported as transferred.
    pub realized: u64,
    /// What the engine decided (its `Display` text).
    pub action: String,
    /// The data-out sent (JMicron's command block); empty for other commands.
    pub data_out: Vec<u8>,
    /// Sent with the device's services suspended (the request said exclusive; in the
    /// kernel model: UserSuspendServices was in effect).
    pub exclusive: bool,
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
    /// Time from begin to done, on `clock`.
    pub elapsed: Duration,
    /// The clock the attach ran on: virtual for simulated targets, monotonic for real ones.
    pub clock: Clock,
}

/// A [`Target`] on its clock, recording the transcript.
struct TargetHost<'t> {
    target: &'t mut dyn Target,
    /// The virtual clock; for a monotonic target, the last reading of the real one.
    now: Instant,
    /// For a monotonic target: the real instant that `Instant::from_millis(0)` stands for.
    epoch: Option<std::time::Instant>,
    transcript: Vec<Exchange>,
    /// The data-out of the command being executed, for its transcript line.
    data_out: Vec<u8>,
}

impl TargetHost<'_> {
    fn real_now(epoch: std::time::Instant) -> Instant {
        let ms = u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        Instant::from_millis(ms)
    }
}

impl Host for TargetHost<'_> {
    fn now(&mut self) -> Instant {
        if let Some(epoch) = self.epoch {
            self.now = Self::real_now(epoch);
        }
        self.now
    }

    fn execute(&mut self, request: &Request, data: &mut [u8], sense: &mut [u8]) -> Executed {
        self.data_out.clear();
        if request.command.direction == DataDirection::Out {
            self.data_out.extend_from_slice(data);
        }
        let done = self.target.execute(&request.command, data, self.now);
        if self.epoch.is_none() {
            // A timed-out command costs its whole timeout: the initiator waited that long.
            let taken = if done.outcome.is_timeout() { request.timeout } else { COMMAND_LATENCY };
            self.now = self.now + taken;
        }
        let sense_length = done.sense.len().min(sense.len());
        sense[..sense_length].copy_from_slice(&done.sense[..sense_length]);
        Executed { outcome: done.outcome, realized: done.realized, sense_length }
    }

    fn wait_until(&mut self, until: Instant) {
        match self.epoch {
            None => self.now = self.now.max(until),
            Some(_) => {
                let left = until.saturating_since(self.now());
                std::thread::sleep(std::time::Duration::from_millis(left.as_millis()));
                // Sleep may end a hair early on some clocks: never report before `until`.
                while self.now() < until {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            }
        }
    }

    fn observe(&mut self, seen: &Seen<'_>) {
        self.transcript.push(Exchange {
            sent_at: seen.sent_at,
            cdb: seen.request.command.cdb.as_bytes().to_vec(),
            outcome: seen.executed.outcome,
            sense: seen.sense.to_vec(),
            realized: seen.executed.realized,
            action: seen.action.to_string(),
            data_out: std::mem::take(&mut self.data_out),
            exclusive: seen.request.exclusive,
        });
    }
}

/// Runs one attach of `target` with `config`, on the target's clock, starting it at zero.
///
/// # Errors
/// Only when the engine or this host breaks its promises ([`DriveError`]); a device that
/// misbehaves gives an [`Outcome`] with a refusal, never an error.
pub fn run(config: Config, target: &mut dyn Target) -> Result<Outcome, DriveError> {
    let start = Instant::from_millis(0);
    let clock = target.clock();
    let epoch = (clock == Clock::Monotonic).then(std::time::Instant::now);
    let mut host =
        TargetHost { target, now: start, epoch, transcript: Vec::new(), data_out: Vec::new() };
    let mut engine = Engine::begin(config, start);
    let mut data = vec![0u8; MAX_TRANSFER_LENGTH];
    let verdict = drive(&mut engine, &mut host, &mut data)?;
    Ok(Outcome {
        report: *engine.report(),
        verdict,
        elapsed: host.now().saturating_since(start),
        transcript: host.transcript,
        clock,
    })
}
