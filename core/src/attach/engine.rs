//! The engine: dispatch to the phase running now, the budgets and the deadline, the
//! detours, and the end.
//!
//! What a command means belongs to its phase (`identify.rs`, `vpd.rs`, `spin_up.rs`,
//! `capacity.rs`, `mode_sense.rs`) or detour (`detour.rs`). The engine owns what is the same
//! for all of them:
//!
//! - every completion goes through [`policy::decide`]; a retry the policy asks for is the
//!   same command again after its delay, counted in the command's [`RetryCounts`];
//! - which answers are a last try ([`policy::decide_final`]): a detour's (see there), and an
//!   optional phase's after a transport failure;
//! - what ends the attach in any phase: DEVICE NOT PRESENT, a unit attention storm, the time
//!   budget and the command budget (checked at every [`Engine::poll`]);
//! - unit attentions that make something stale ([`Change`]): 28h and 2Ah/09h re-read the
//!   capacity (at most [`CAPACITY_REREADS`] times per attach); 3Fh/03h and 3Fh/05h re-read
//!   standard INQUIRY once per attach (a detour); any other is the same command again;
//! - the allowlist: no command leaves without passing [`is_non_destructive`] (or, in the
//!   NVMe phase, [`is_read_only_tunnel`] for the bridge the quirks name), and no vendor
//!   opcode leaves without being marked exclusive;
//! - the log records (the `log` crate; the C ABI forwards them to its callback), one per
//!   decision: at info each command sent (`attach: send NAME (XXh), N bytes DIR`), each
//!   completion with the policy's action (`attach: NAME (XXh): ACTION`, the line the kernel
//!   model reads), each detour and capacity re-read, the quirks in effect after the first
//!   INQUIRY (at debug when there are none), and the verdict (`attach: VERDICT (N
//!   commands)`); at warn each warning raised and a refusal's verdict. `log` formats a
//!   record only when its level is enabled, on the logger's side: nothing here allocates.

use core::fmt;

use super::allowlist::{is_non_destructive, is_read_only_tunnel};
use super::capacity::Capacity;
use super::detour::{Detour, DetourKind};
use super::identify::{Identify, INQUIRY_FIRST_LENGTH};
use super::phase::{Access, Cx, Learned, Next, Phase};
use super::report::{RefuseReason, Report, Verdict, Warning};
use super::{Action, Completion, Config, Poll, Request, SENSE_LENGTH, SENSE_LENGTH_ATA};
use crate::policy::{self, Budget, Change, CommandKind, Failure, Input, Reason, RetryCounts};
use crate::quirks::Quirks;
use crate::sense::{self, AtaReturn, SenseCode};
use crate::time::{Duration, Instant};
use crate::wire::cdb::nvme_bridge::JMICRON_BLOCK_LEN;
use crate::wire::cdb::{needs_exclusive_access, Command, DataDirection, Opcode};
use crate::wire::usable_length;

/// Times a capacity-changing unit attention may send the engine back to READ CAPACITY.
pub(super) const CAPACITY_REREADS: u8 = 2;

/// Where the attach is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A phase of the sequence.
    Running(Phase),
    /// A one-shot command, then back to the phase it interrupted.
    Detour(Detour),
    /// Over, with this verdict.
    Done(Verdict),
}

/// Re-reads that unit attentions may still ask for in this attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RereadsLeft {
    capacity: u8,
    inquiry: u8,
}

/// The characterization engine. See the [module](super) documentation for the calling
/// contract.
///
/// All state is in this value: no heap, no references. Its size is pinned by a test to at
/// most 3 KiB (most of it the [`Report`], SMART data included), so the C ABI can place it in caller storage.
#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
    deadline: Instant,
    state: State,
    /// Retries the current command has used, per policy budget.
    retries: RetryCounts,
    rereads_left: RereadsLeft,
    /// No command before this instant (a retry delay).
    not_before: Instant,
    /// The command emitted and not yet completed.
    outstanding: Option<Request>,
    learned: Learned,
    /// The ATA registers the last completion's sense carried (ATA PASS-THROUGH).
    ata: Option<AtaReturn>,
    report: Report,
}

impl Engine {
    /// Starts an attach at `now`. Nothing is sent until [`poll`](Self::poll).
    pub fn begin(config: Config, now: Instant) -> Engine {
        let report = Report {
            quirks: config.quirks_added() & !config.quirks_off,
            usb_id: config.usb_id.filter(|_| config.usb),
            ..Report::default()
        };
        if !report.quirks.is_empty() {
            log::info!("attach: begin, quirks: {}", QuirkNames(report.quirks));
        }
        Engine {
            config,
            deadline: now + config.time_budget,
            state: State::Running(Identify::start()),
            retries: RetryCounts::new(),
            rereads_left: RereadsLeft { capacity: CAPACITY_REREADS, inquiry: 1 },
            not_before: now,
            outstanding: None,
            learned: Learned::default(),
            ata: None,
            report,
        }
    }

    /// What to do next. Call after [`begin`](Self::begin), after each
    /// [`complete`](Self::complete), and once a [`Poll::Wait`] deadline has passed.
    ///
    /// While a command is outstanding this returns the same [`Poll::Command`] again (it is
    /// counted once); after [`Poll::Done`] it returns the same verdict. Once the time budget
    /// has run out it ends the run, even with a command outstanding (a later `complete` is
    /// then ignored).
    #[must_use = "the poll says which command to send or how long to wait"]
    pub fn poll(&mut self, now: Instant) -> Poll {
        if let State::Done(verdict) = self.state {
            return Poll::Done(verdict);
        }
        if now >= self.deadline {
            return Poll::Done(self.finish_logged(RefuseReason::TimeBudgetExhausted.into()));
        }
        if let Some(request) = self.outstanding {
            return Poll::Command(request);
        }
        if now < self.not_before {
            return Poll::Wait { until: self.not_before.min(self.deadline) };
        }
        if self.report.commands_sent >= self.config.command_budget {
            return Poll::Done(self.finish_logged(RefuseReason::CommandBudgetExhausted.into()));
        }
        let (built, access) = match &self.state {
            State::Running(phase) => (phase.command(&self.report), phase.access()),
            State::Detour(detour) => (detour.kind.command(), Access::Shared),
            State::Done(verdict) => return Poll::Done(*verdict),
        };
        match built {
            Ok(command) if self.admits(&command, access) => {
                Poll::Command(self.emit(command, access, now))
            }
            Ok(_) => {
                let why = "command outside the non-destructive allowlist";
                Poll::Done(self.finish_logged(RefuseReason::InternalError(why).into()))
            }
            Err(_) => {
                let why = "a CDB builder refused the engine's arguments";
                Poll::Done(self.finish_logged(RefuseReason::InternalError(why).into()))
            }
        }
    }

    /// The allowlist: [`is_non_destructive`], or for an NVMe bridge's tunnel
    /// [`is_read_only_tunnel`] of that bridge with the command's data-out, whose length
    /// must be the command's transfer length; and a vendor opcode only when `access` is
    /// exclusive.
    fn admits(&self, command: &Command, access: Access) -> bool {
        let cdb = command.cdb.as_bytes();
        // DriverKit passes a vendor opcode only inside the exclusive window
        // (docs/driverkit.md §Vendor opcodes): one not marked so is never emitted.
        if needs_exclusive_access(cdb) && access == Access::Shared {
            return false;
        }
        let State::Running(phase) = &self.state else {
            return is_non_destructive(cdb);
        };
        let Some(bridge) = phase.tunnel() else {
            return is_non_destructive(cdb);
        };
        let mut block = [0u8; JMICRON_BLOCK_LEN];
        let Ok(n) = phase.write_data_out(&mut block) else {
            return false;
        };
        // The data-out is exactly the command's: none unless its data phase is out.
        let expected = match command.direction {
            DataDirection::Out => command.transfer_length,
            _ => 0,
        };
        n as u64 == expected && is_read_only_tunnel(bridge, cdb, block.get(..n).unwrap_or(&[]))
    }

    /// Writes the outstanding command's data-out into `out` and returns its length. `None`
    /// when no command is outstanding, it has no data phase out, `out` is shorter than its
    /// transfer length, or (never, by construction) the bytes would not pass the allowlist:
    /// the host must then not send the command.
    pub fn data_out(&self, out: &mut [u8]) -> Option<usize> {
        let request = self.outstanding?;
        let command = request.command;
        let State::Running(phase) = &self.state else { return None };
        if command.direction != DataDirection::Out {
            return None;
        }
        let length = usize::try_from(command.transfer_length).ok()?;
        let out = out.get_mut(..length)?;
        let n = phase.write_data_out(out).ok()?;
        let bridge = phase.tunnel()?;
        (n == length && is_read_only_tunnel(bridge, command.cdb.as_bytes(), out)).then_some(n)
    }

    /// Reports how the outstanding command ended, and returns what the policy decided (for
    /// the transcript). With no command outstanding, or after the run ended, nothing
    /// changes and the result is [`Action::Ignored`].
    pub fn complete(&mut self, completion: &Completion<'_>, now: Instant) -> Action {
        if matches!(self.state, State::Done(_)) {
            log::debug!("attach: completion ignored: the attach is over");
            return Action::Ignored;
        }
        let Some(request) = self.outstanding.take() else {
            log::debug!("attach: completion ignored: no command outstanding");
            return Action::Ignored;
        };
        let command = request.command;
        // Never read past the realized count; a count the command contradicts is a
        // transport failure for the policy, never clamped (wire::usable_length).
        let usable = usable_length(command.direction, command.transfer_length, completion.realized)
            .and_then(|n| usize::try_from(n).ok())
            .and_then(|n| completion.data.get(..n));
        let parsed = sense::parse(completion.sense);
        let input = Input {
            outcome: completion.outcome,
            realized_valid: usable.is_some(),
            sense: policy::usable_sense(&parsed),
            command: CommandKind::classify(command.cdb.as_bytes()),
            retries: self.retries,
            quirks: self.report.quirks,
        };
        self.ata = input.sense.and_then(|s| s.ata_return());
        let action = self.limit(policy::decide(&input), &input);
        let opcode = command.cdb.opcode();
        // The kernel model fills its transcript's action column from this line: keep it
        // `attach: NAME (XXh): ACTION`.
        log::info!("attach: {} ({opcode:02X}h): {action}", Opcode(opcode));
        let first_inquiry = matches!(self.state, State::Running(Phase::Identify(Identify::First)));
        let warnings = (self.report.warnings.len(), self.report.warnings.overflow());
        self.retries.charge(action);
        match action {
            policy::Action::Success => self.succeeded(usable.unwrap_or(&[])),
            policy::Action::Recovered(sense) => {
                self.report.warnings.push(Warning::Recovered { sense });
                self.succeeded(usable.unwrap_or(&[]));
            }
            policy::Action::Retry { after_ms, .. } => {
                self.not_before = now + Duration::from_millis(u64::from(after_ms));
            }
            policy::Action::StartUnit => self.detour(DetourKind::StartUnit),
            policy::Action::Reprobe(change) => {
                self.reprobe(change, input.sense.map(SenseCode::of));
            }
            policy::Action::Fail(failure) => self.failed(&failure),
        }
        self.log_warnings_since(warnings);
        let done = match self.state {
            State::Done(verdict) => Some(verdict),
            _ => None,
        };
        if first_inquiry && action.is_success() && done.is_none() {
            // The quirk table has been read (identify.rs): what governs the rest.
            let quirks = self.report.quirks;
            if quirks.is_empty() {
                log::debug!("attach: quirks in effect: none");
            } else {
                log::info!("attach: quirks in effect: {}", QuirkNames(quirks));
            }
        }
        if let Some(verdict) = done {
            self.log_verdict(verdict);
        }
        Action::Policy(action)
    }

    /// The configuration the attach runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What the engine learned so far; complete once [`poll`](Self::poll) returned
    /// [`Poll::Done`].
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Marks `command` outstanding and counts it.
    fn emit(&mut self, command: Command, access: Access, now: Instant) -> Request {
        let left = self.deadline.saturating_since(now);
        let timeout = self.config.command_timeout.min(left).max(Duration::from_millis(1));
        // ATA PASS-THROUGH asks for 22 sense bytes, room for the ATA Status Return
        // descriptor after the 8-byte header; everything else 18 (docs/driverkit.md §Sense
        // length).
        let sense_length = match CommandKind::classify(command.cdb.as_bytes()) {
            CommandKind::AtaPassThrough => SENSE_LENGTH_ATA,
            _ => SENSE_LENGTH,
        };
        let (exclusive, ends_exclusive) = match access {
            Access::Shared => (false, true),
            Access::Exclusive { ends } => (true, ends),
        };
        let request = Request { command, timeout, sense_length, exclusive, ends_exclusive };
        self.outstanding = Some(request);
        self.report.commands_sent = self.report.commands_sent.saturating_add(1);
        let opcode = command.cdb.opcode();
        log::info!(
            "attach: send {} ({opcode:02X}h), {} bytes {}",
            Opcode(opcode),
            command.transfer_length,
            direction_name(command.direction),
        );
        request
    }

    /// One warn record for each warning raised since the warnings were `(kept, overflow)`.
    fn log_warnings_since(&self, (kept, overflow): (usize, u16)) {
        let warnings = &self.report.warnings;
        for warning in warnings.iter().skip(kept) {
            log::warn!("attach: warning: {warning}");
        }
        let lost = warnings.overflow().saturating_sub(overflow);
        if lost > 0 {
            log::warn!(
                "attach: warning: {lost} more, past the {} the report keeps",
                warnings.len()
            );
        }
    }

    fn log_verdict(&self, verdict: Verdict) {
        let sent = self.report.commands_sent;
        if verdict.is_accept() {
            log::info!("attach: {verdict} ({sent} commands)");
        } else {
            log::warn!("attach: {verdict} ({sent} commands)");
        }
    }

    /// The policy's action, or its final answer when this completion is a last try: a
    /// detour's (see `detour.rs`), or an optional phase's transport failure (not retried:
    /// a timeout costs a whole command timeout, and a bridge hanging on a VPD page hangs
    /// again). The mandatory phases keep the policy's [`Budget::Transport`].
    fn limit(&self, action: policy::Action, input: &Input<'_>) -> policy::Action {
        if action.is_success() || matches!(action, policy::Action::Fail(_)) {
            return action;
        }
        let last_try = match &self.state {
            State::Detour(detour) => detour.kind.is_last_try(input),
            State::Running(phase) => {
                phase.optional()
                    && matches!(action, policy::Action::Retry { budget: Budget::Transport, .. })
            }
            State::Done(_) => true,
        };
        if last_try {
            policy::decide_final(input)
        } else {
            action
        }
    }

    fn cx(&mut self) -> Cx<'_> {
        Cx {
            config: &self.config,
            report: &mut self.report,
            learned: &mut self.learned,
            ata: self.ata,
        }
    }

    fn succeeded(&mut self, data: &[u8]) {
        match self.state {
            State::Running(phase) => {
                let next = phase.on_success(data, &mut self.cx());
                self.go(next);
            }
            State::Detour(detour) => match detour.kind.on_success(data, &mut self.cx()) {
                Ok(()) => self.resume(detour),
                Err(reason) => {
                    self.finish(reason.into());
                }
            },
            State::Done(_) => {}
        }
    }

    fn failed(&mut self, failure: &Failure) {
        if failure.reason == Reason::DeviceGone {
            self.finish(RefuseReason::DeviceGone.into());
            return;
        }
        match self.state {
            State::Detour(detour) => {
                detour.kind.on_failure(failure, &mut self.cx());
                self.resume(detour);
            }
            State::Running(_) if failure.reason == Reason::UnitAttention => {
                self.finish(RefuseReason::UnitAttentionStorm.into());
            }
            State::Running(phase) => {
                let next = phase.on_failure(failure, &mut self.cx());
                self.go(next);
            }
            State::Done(_) => {}
        }
    }

    /// A unit attention made `change` stale (the policy counted it).
    fn reprobe(&mut self, change: Change, code: Option<SenseCode>) {
        if let Some(sense) = code {
            self.report.warnings.push(Warning::ChangeReported { sense });
        }
        let capacity_read = self.report.logical_block_length != 0;
        let stale = matches!(change, Change::MediumChanged | Change::CapacityChanged);
        if stale && capacity_read && self.rereads_left.capacity > 0 {
            self.rereads_left.capacity -= 1;
            log::info!(
                "attach: READ CAPACITY again after {change:?} ({} re-reads left)",
                self.rereads_left.capacity
            );
            let next = Capacity::start(&mut self.cx());
            self.go(next);
        } else if change == Change::InquiryDataChanged && self.rereads_left.inquiry > 0 {
            if let State::Running(_) = self.state {
                self.rereads_left.inquiry -= 1;
                let allocation = self.learned.inquiry_allocation.max(INQUIRY_FIRST_LENGTH);
                self.detour(DetourKind::InquiryReread { allocation });
            }
        }
        // Otherwise: the same command again, at once; nothing read so far is about what
        // changed, or it is being read now.
    }

    /// Interrupts the running phase with a one-shot command. (Inside a detour the policy
    /// asks for none; if it did, the same command is sent again, within its budgets.)
    fn detour(&mut self, kind: DetourKind) {
        if let State::Running(resume) = self.state {
            log::info!("attach: detour: {kind}");
            let resume_retries = self.retries;
            self.state = State::Detour(Detour { kind, resume, resume_retries });
            self.retries = RetryCounts::new();
        }
    }

    fn resume(&mut self, detour: Detour) {
        log::debug!("attach: detour over, back to {:?}", detour.resume);
        self.state = State::Running(detour.resume);
        self.retries = detour.resume_retries;
    }

    fn go(&mut self, next: Next) {
        match next {
            Next::Go(phase) => {
                self.state = State::Running(phase);
                self.retries = RetryCounts::new();
            }
            Next::Done(verdict) => {
                self.finish(verdict);
            }
        }
    }

    /// [`finish`](Self::finish) where no completion is being handled (which logs the verdict
    /// after what the completion raised).
    fn finish_logged(&mut self, verdict: Verdict) -> Verdict {
        self.finish(verdict);
        self.log_verdict(verdict);
        verdict
    }

    fn finish(&mut self, verdict: Verdict) -> Verdict {
        self.state = State::Done(verdict);
        self.report.verdict = Some(verdict);
        self.outstanding = None;
        verdict
    }
}

/// Quirk names, comma separated, for log records.
struct QuirkNames(Quirks);

impl fmt::Display for QuirkNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = self.0.names();
        match names.next() {
            None => f.write_str("none")?,
            Some(first) => f.write_str(first)?,
        }
        names.try_for_each(|name| write!(f, ", {name}"))
    }
}

fn direction_name(direction: DataDirection) -> &'static str {
    match direction {
        DataDirection::None => "none",
        DataDirection::In => "in",
        DataDirection::Out => "out",
    }
}

#[cfg(test)]
mod test {
    use super::super::nvme::{Nvme, Read};
    use super::*;
    use crate::wire::cdb::nvme_bridge::NvmeBridge;

    #[test]
    fn test_vendor_opcode_needs_the_exclusive_window() {
        let config = Config { quirks_on: Quirks::NVME_ASMEDIA, ..Config::default() };
        let mut engine = Engine::begin(config, Instant::from_millis(0));
        let phase = Phase::Nvme(Nvme::Vendor { bridge: NvmeBridge::Asmedia, read: Read::Identify });
        engine.state = State::Running(phase);
        let command = phase.command(&engine.report).expect("E6h IDENTIFY");
        assert_eq!(phase.access(), Access::Exclusive { ends: true });
        assert!(engine.admits(&command, phase.access()));
        assert!(!engine.admits(&command, Access::Shared), "E6h outside the window");
    }

    #[test]
    fn test_engine_fits_caller_storage() {
        // About 1 KiB of characterization, 0.9 KiB of ATA SMART data (30 attributes and
        // their thresholds) and 1 KiB of NVMe data (Identify through NN, the SMART / Health
        // log); the C ABI's SBC_ATTACH_STORAGE_SIZE (4 KiB) holds it with room.
        let size = core::mem::size_of::<Engine>();
        assert!(size <= 3072, "Engine is {size} bytes");
    }
}
