//! The state machine: which command comes next, and what each policy action means in each
//! step.
//!
//! # The sequence, and why each step is there
//!
//! 1. **INQUIRY, 36 bytes, then the advertised length** (`Step::Inquiry`). Linux
//!    `scsi_probe_lun` asks 36 bytes first (SCSI-2 devices break on more) and then the full
//!    length; FreeBSD's xpt probe does the same in `PROBE_INQUIRY` / `PROBE_FULL_INQUIRY`;
//!    Apple's nub reads it before anything else. INQUIRY comes *before* TEST UNIT READY,
//!    as in Linux (`scsi_probe_lun` runs before `sd_spinup_disk`): SPC-5 §6.7.1 has the
//!    device answer INQUIRY whatever its readiness, a pending unit attention is neither
//!    reported nor cleared by it, and knowing the identity first means the quirk table
//!    (NO_START_STOP, ...) governs the spin-up and a CD-ROM (PDT 5) or an unconnected LU
//!    (PQ 1) is refused without being spun up.
//! 2. **VPD** (`Step::VpdHeader`, `Step::VpdPage`). Linux `scsi_attach_vpd` reads page 00h
//!    and then only the listed pages among 80h, 83h, 89h, B0h, B1h, B2h, each sized from its
//!    4-byte header first (`scsi_get_vpd_size`: "legacy devices choke on large allocation
//!    lengths"); skipped below SPC-2 or with NO_VPD (`scsi_device_supports_vpd`). A page
//!    that fails is a warning; page 00h failing means no VPD at all. A timeout (any
//!    transport failure) is not retried and ends VPD reading, as if NO_VPD were set: a
//!    bridge hanging on a VPD page is the known USB failure mode, and each timeout costs a
//!    whole command timeout. The same no-retry rule holds for the other optional steps
//!    (READ of LBA 0, MODE SENSE); INQUIRY, TEST UNIT READY and READ CAPACITY keep the
//!    policy's transport budget.
//! 3. **TEST UNIT READY** (`Step::TestUnitReady`, `Step::StartUnit`), Linux
//!    `sd_spinup_disk`: the policy decides per completion. 04/01 and the other "in progress"
//!    codes wait 1 s and poll again; 04/02 (and 04/00) send one START STOP UNIT with START=1,
//!    IMMED=1, then poll (FreeBSD `SS_START`). START is never sent again once the device
//!    executed it: whatever sense it answers (04/01, 04/02, 04/03, HARDWARE ERROR, ILLEGAL
//!    REQUEST, ...) is a warning and TEST UNIT READY polling resumes with the
//!    becoming-ready budget, as `sd_spinup_disk` ignores START's status; DEVICE NOT PRESENT
//!    refuses. A START the device did not execute (timeout, BUSY, UNIT ATTENTION, ...)
//!    keeps the policy's budgets (Linux's START keeps the midlayer's retries), then is a
//!    warning too. With NO_START_STOP, 04/00 and 04/02 are a
//!    warning and READ CAPACITY follows (Linux `no_start_on_add` breaks out of the spin-up
//!    loop and `sd_revalidate_disk` goes on). 3Ah means no medium (removable: accept with
//!    `medium_present = false`, the kernel polls for media; fixed: refuse); 04/03 and the
//!    other hopeless causes refuse at once; unit attentions are absorbed up to the policy's
//!    bound and a storm past it refuses. Any other failure is a warning: READ CAPACITY
//!    decides, as in Linux, where a failed spin-up does not stop `sd_revalidate_disk`.
//! 4. **READ CAPACITY** (`Step::ReadCapacity16`, `Step::ReadCapacity10`), Linux
//!    `sd_read_capacity` / `sd_try_rc16_first`: RC16 first when the device claims SPC-3 or
//!    later, or PROTECT, or NEEDS_READ_CAPACITY_16 — never with NO_READ_CAPACITY_16, and
//!    not with READ_CAPACITY_10_FIRST (usb-storage's `try_rc_10_first`) unless
//!    NEEDS_READ_CAPACITY_16. Any RC16 failure falls back to RC10 (Linux: ILLEGAL REQUEST
//!    silently, others too; FreeBSD: `CAN_RC16` cleared); RC10 failing tries RC16, and
//!    RC10 is never sent twice (both failing refuses). RC10 returning FFFF_FFFFh
//!    escalates to RC16; if that fails, the capacity is exactly 2^32 blocks (Linux "Using
//!    0xffffffff as device size", and `goto got_data`: FIX_CAPACITY / GUESS_CAPACITY do
//!    not touch it); with NO_READ_CAPACITY_16 it means no medium (Linux
//!    `read_capacity_10`: buggy card readers say FFFF_FFFFh for an empty slot).
//! 5. **READ(10) of LBA 0**, one block, only with READ_BEFORE_MODE_SENSE (Linux
//!    `sd_read_block_zero` for `read_before_ms`: some bridges return generic mode pages
//!    until the medium has been read). Failure is a warning.
//! 6. **MODE SENSE** (`Step::ModeSense`): MODE SENSE(10) of all pages (0x3F), or (6) with
//!    MODE_SENSE_6; (10) answered with INVALID COMMAND OPERATION CODE drops to (6) (Linux
//!    `scsi_mode_sense` on 20/00). Allocation: 192 bytes with MODE_SENSE_192 ("what Windows
//!    uses", Linux `use_192_bytes_for_3f`, FreeBSD `PROBE_WP`), else 255 — Linux's largest
//!    ordinary 0x3F request and the most MODE SENSE(6) can ask; one command on a healthy
//!    device, never a large allocation. WP and DPOFUA come from the header; WCE and RCD
//!    from the Caching page in the same data, or from a separate page 08h request when the
//!    all-pages data was cut before it (never with SKIP_CACHING_PAGE, Linux
//!    `skip_ms_page_8`). NO_WP_DETECT skips the all-pages request (Linux `skip_ms_page_3f`).
//!    A failure means "assume writable", as Linux: assuming protected (Apple's choice for
//!    removable media) turns a MODE SENSE that a bridge botches into a read-only disk, while
//!    assuming writable costs nothing if the medium really is protected — writes then fail
//!    with DATA PROTECT and nothing is lost.
//!
//! Unit attentions that make something stale: 28h and 2Ah/09h re-read the capacity (at
//! most twice, `MAX_REPROBES`); 3Fh/03h and 3Fh/05h re-read standard INQUIRY once per
//! attach (the quirks stay those of the first INQUIRY, VPD pages already read are not
//! re-read: the `ChangeReported` warning says they may be stale), then the interrupted
//! command is sent again.
//!
//! Every completion goes through [`policy::decide`]; a retry the policy asks for is the
//! same step again after its delay. The time and command budgets are checked at every
//! [`Engine::poll`].

use super::allowlist::is_non_destructive;
use super::report::{RefuseReason, Report, Verdict, Warning};
use super::steps::{
    self, Capacity, Facts, InquiryNext, ModeResult, INQUIRY_FIRST_LENGTH, WANTED_VPD_PAGES,
};
use super::{Action, Completion, Config, Poll, Request, SENSE_LENGTH};
use crate::policy::{
    self, Budget, Change, CommandKind, Failure, Input, Reason, RetryCounts, SenseCode,
};
use crate::quirks::Quirks;
use crate::sense;
use crate::time::{Duration, Instant};
use crate::wire::cdb::{
    BuildError, Command, Inquiry, ModeSense10, ModeSense6, PageControl, Read10, ReadCapacity10,
    ReadCapacity16, StartStopUnit, TestUnitReady,
};
use crate::wire::inquiry::Version;
use crate::wire::mode::ALL_PAGES;
use crate::wire::status::{DeliveryFailure, ServiceResponse};
use crate::wire::usable_length;

/// READ CAPACITY(16) parameter data length (SBC-4 §5.21.2).
const READ_CAPACITY_16_LENGTH: u32 = 32;
/// MODE SENSE allocation length with MODE_SENSE_192.
const MODE_SENSE_192_LENGTH: u8 = 192;
/// MODE SENSE allocation length otherwise.
const MODE_SENSE_LENGTH: u8 = 255;
/// The Caching mode page (SBC-4 §6.5.5).
const CACHING_PAGE: u8 = 0x08;
/// Times a capacity-changing unit attention may send the engine back to READ CAPACITY.
const MAX_REPROBES: u8 = 2;

/// One step of the sequence: the command to send now, with the data it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Standard INQUIRY (`first`: the 36-byte one).
    Inquiry { allocation: u16, first: bool },
    /// The 4-byte header of a VPD page.
    VpdHeader { page: u8 },
    /// A whole VPD page, at the length its header announced.
    VpdPage { page: u8, allocation: u16 },
    /// TEST UNIT READY (spin-up).
    TestUnitReady,
    /// START STOP UNIT, START=1, IMMED=1; then back to `Engine::resume`. One shot: never
    /// retried, whatever it answers.
    StartUnit,
    /// Standard INQUIRY again after INQUIRY DATA HAS CHANGED (3Fh/03h) or DEVICE IDENTIFIER
    /// CHANGED (3Fh/05h), at the allocation used before; then back to `Engine::resume`.
    /// One shot, once per attach.
    InquiryReread { allocation: u16 },
    /// READ CAPACITY(16).
    ReadCapacity16,
    /// READ CAPACITY(10).
    ReadCapacity10,
    /// READ(10) of LBA 0, one block.
    ReadBlockZero,
    /// MODE SENSE(6) or (10) of `page` (0x3F or 0x08).
    ModeSense { six: bool, page: u8 },
}

/// The characterization engine. See the [module](super) documentation for the calling
/// contract.
///
/// All state is in this value: no heap, no references. It is 960 bytes on x86_64 today
/// (`size_of::<Engine>()`, pinned by a test to at most 1 KiB), 760 of them the [`Report`]
/// (384 of those the four 96-byte designator slots);
/// the C ABI will place it in caller storage.
#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
    deadline: Instant,
    step: Step,
    /// Retries the current step's command has used, per policy budget.
    retries: RetryCounts,
    /// Where a one-shot detour (`Step::StartUnit`, `Step::InquiryReread`) returns to, with
    /// that step's retries (only set during the detour).
    resume: Option<(Step, RetryCounts)>,
    /// No command before this instant (a retry delay).
    not_before: Instant,
    /// The command emitted and not yet completed.
    outstanding: Option<Request>,
    facts: Facts,
    report: Report,
}

impl Engine {
    /// Starts an attach at `now`. Nothing is sent until [`poll`](Self::poll).
    pub fn begin(config: Config, now: Instant) -> Engine {
        let report =
            Report { quirks: config.quirks_added() & !config.quirks_off, ..Report::default() };
        Engine {
            config,
            deadline: now + config.time_budget,
            step: Step::Inquiry { allocation: INQUIRY_FIRST_LENGTH, first: true },
            retries: RetryCounts::new(),
            resume: None,
            not_before: now,
            outstanding: None,
            facts: Facts::default(),
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
        if let Some(verdict) = self.report.verdict {
            return Poll::Done(verdict);
        }
        if now >= self.deadline {
            return Poll::Done(self.refuse(RefuseReason::TimeBudgetExhausted));
        }
        if let Some(request) = self.outstanding {
            return Poll::Command(request);
        }
        if now < self.not_before {
            return Poll::Wait { until: self.not_before.min(self.deadline) };
        }
        if self.report.commands_sent >= self.config.command_budget {
            return Poll::Done(self.refuse(RefuseReason::CommandBudgetExhausted));
        }
        let command = match self.command() {
            Ok(command) => command,
            Err(_) => {
                let why = "a CDB builder refused the engine's arguments";
                return Poll::Done(self.refuse(RefuseReason::InternalError(why)));
            }
        };
        if !is_non_destructive(command.cdb.as_bytes()) {
            let why = "command outside the non-destructive allowlist";
            return Poll::Done(self.refuse(RefuseReason::InternalError(why)));
        }
        let left = self.deadline.saturating_since(now);
        let timeout = self.config.command_timeout.min(left).max(Duration::from_millis(1));
        let request = Request { command, timeout, sense_length: SENSE_LENGTH };
        self.outstanding = Some(request);
        self.report.commands_sent = self.report.commands_sent.saturating_add(1);
        Poll::Command(request)
    }

    /// Reports how the outstanding command ended, and returns what the policy decided (for
    /// the transcript). With no command outstanding, or after the run ended, nothing
    /// changes and the result is [`Action::Ignored`].
    pub fn complete(&mut self, completion: &Completion<'_>, now: Instant) -> Action {
        if self.report.verdict.is_some() {
            return Action::Ignored;
        }
        let Some(request) = self.outstanding.take() else {
            return Action::Ignored;
        };
        let command = request.command;
        let usable = usable_length(command.direction, command.transfer_length, completion.realized)
            .and_then(|n| usize::try_from(n).ok())
            .and_then(|n| completion.data.get(..n));
        let parsed = sense::parse(completion.sense);
        let sense = policy::usable_sense(&parsed);
        let kind = CommandKind::classify(command.cdb.as_bytes());
        let quirks = self.report.quirks;
        let input =
            if usable.is_none() && completion.service_response == ServiceResponse::TASK_COMPLETE {
                // A realized count the command contradicts: a transport failure (wire::mod.rs,
                // usable_length), never clamped.
                Input {
                    service_response: ServiceResponse::SERVICE_DELIVERY_OR_TARGET_FAILURE,
                    task_status: DeliveryFailure::DELIVERY_FAILURE.0,
                    sense: None,
                    command: kind,
                    retries: self.retries,
                    quirks,
                }
            } else {
                Input {
                    service_response: completion.service_response,
                    task_status: completion.task_status,
                    sense,
                    command: kind,
                    retries: self.retries,
                    quirks,
                }
            };
        let action = self.limit(policy::decide(&input), &input);
        self.retries.charge(action);
        let code = sense.map(SenseCode::of);
        match action {
            policy::Action::Success => self.on_success(usable.unwrap_or(&[])),
            policy::Action::Recovered(c) => {
                self.report.warnings.push(Warning::Recovered {
                    sense_key: c.sense_key.0,
                    asc: c.asc,
                    ascq: c.ascq,
                });
                self.on_success(usable.unwrap_or(&[]));
            }
            policy::Action::Retry { after_ms, .. } => {
                self.not_before = now + Duration::from_millis(u64::from(after_ms));
            }
            policy::Action::StartUnit => {
                self.resume = Some((self.step, self.retries));
                self.goto(Step::StartUnit);
            }
            policy::Action::Reprobe(change) => self.on_reprobe(change, code),
            policy::Action::Fail(failure) => self.on_failure(failure),
        }
        Action::Policy(action)
    }

    /// What the engine learned so far; complete once [`poll`](Self::poll) returned
    /// [`Poll::Done`].
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// What the engine lets the policy's action be in the current step.
    ///
    /// - START STOP UNIT is never sent again once the device executed it and answered with
    ///   sense data (04/01, 04/02, 04/03, HARDWARE ERROR, ILLEGAL REQUEST, ...): the retry
    ///   or START the policy would ask for becomes the failure the policy gives once every
    ///   budget is spent, which the engine turns into a warning (Linux `sd_spinup_disk`
    ///   sends one START and ignores its status). A START the device did not execute (no
    ///   answer: a timeout or delivery failure; BUSY, TASK SET FULL, TASK ABORTED; a UNIT
    ///   ATTENTION or deferred error, SAM-5: the command was not performed) keeps the
    ///   policy's budgets, as Linux's START keeps the midlayer's retries: otherwise one lost
    ///   command would leave a device that needs START polling out its whole time budget.
    /// - The INQUIRY re-read is one shot: it is optional, nothing is retried.
    /// - The optional steps (VPD, READ of LBA 0, MODE SENSE) are not retried after a
    ///   transport failure (a timeout costs a whole command timeout; a bridge hanging on a
    ///   VPD page hangs again): the failure is a warning and the sequence moves on. The
    ///   mandatory steps (INQUIRY, TEST UNIT READY, READ CAPACITY) keep the policy's
    ///   [`Budget::Transport`].
    fn limit(&self, action: policy::Action, input: &Input<'_>) -> policy::Action {
        let executed = input.sense.is_some_and(|s| {
            !s.deferred && s.sense_key.0 & 0x0f != crate::sense::SenseKey::UNIT_ATTENTION.0
        });
        let one_shot = match self.step {
            Step::StartUnit => executed,
            Step::InquiryReread { .. } => true,
            _ => false,
        };
        let optional = matches!(
            self.step,
            Step::VpdHeader { .. }
                | Step::VpdPage { .. }
                | Step::ReadBlockZero
                | Step::ModeSense { .. }
        );
        let retries = match action {
            _ if action.is_success() => return action,
            policy::Action::Fail(_) => return action,
            _ if one_shot => RetryCounts::all(u32::MAX),
            policy::Action::Retry { budget: Budget::Transport, .. } if optional => {
                input.retries.with(Budget::Transport, Budget::Transport.limit())
            }
            _ => return action,
        };
        policy::decide(&Input { retries, ..*input })
    }

    // ---- commands ----

    fn command(&self) -> Result<Command, BuildError> {
        match self.step {
            Step::Inquiry { allocation, .. } | Step::InquiryReread { allocation } => {
                Inquiry { evpd_page: None, allocation_length: allocation }.encode()
            }
            Step::VpdHeader { page } => {
                Inquiry { evpd_page: Some(page), allocation_length: 4 }.encode()
            }
            Step::VpdPage { page, allocation } => {
                Inquiry { evpd_page: Some(page), allocation_length: allocation }.encode()
            }
            Step::TestUnitReady => TestUnitReady.encode(),
            Step::StartUnit => {
                StartStopUnit { immed: true, start: true, ..StartStopUnit::default() }.encode()
            }
            Step::ReadCapacity16 => {
                ReadCapacity16 { allocation_length: READ_CAPACITY_16_LENGTH }.encode()
            }
            Step::ReadCapacity10 => ReadCapacity10.encode(),
            Step::ReadBlockZero => Read10 {
                lba: 0,
                blocks: 1,
                dpo: false,
                fua: false,
                block_length: self.report.logical_block_length,
            }
            .encode(),
            Step::ModeSense { six, page } => {
                let allocation = if self.report.quirks.contains(Quirks::MODE_SENSE_192) {
                    MODE_SENSE_192_LENGTH
                } else {
                    MODE_SENSE_LENGTH
                };
                if six {
                    ModeSense6 {
                        dbd: false,
                        page_control: PageControl::Current,
                        page_code: page,
                        subpage_code: 0,
                        allocation_length: allocation,
                    }
                    .encode()
                } else {
                    ModeSense10 {
                        llbaa: false,
                        dbd: false,
                        page_control: PageControl::Current,
                        page_code: page,
                        subpage_code: 0,
                        allocation_length: u16::from(allocation),
                    }
                    .encode()
                }
            }
        }
    }

    // ---- transitions ----

    fn goto(&mut self, step: Step) {
        self.step = step;
        self.retries = RetryCounts::new();
    }

    fn finish(&mut self, verdict: Verdict) -> Verdict {
        self.report.verdict = Some(verdict);
        self.outstanding = None;
        verdict
    }

    fn refuse(&mut self, reason: RefuseReason) -> Verdict {
        self.finish(Verdict::Refuse(reason))
    }

    fn warn(&mut self, warning: Warning) {
        self.report.warnings.push(warning);
    }

    fn after_inquiry(&mut self) {
        if steps::vpd_allowed(&self.report) {
            self.goto(Step::VpdHeader { page: 0x00 });
        } else {
            self.goto(Step::TestUnitReady);
        }
    }

    /// The next listed VPD page, or TEST UNIT READY when none is left.
    fn next_vpd(&mut self) {
        let todo = self.facts.vpd_todo;
        match WANTED_VPD_PAGES.iter().enumerate().find(|(i, _)| todo & (1 << i) != 0) {
            Some((i, &page)) => {
                self.facts.vpd_todo = todo & !(1 << i);
                self.goto(Step::VpdHeader { page });
            }
            None => self.goto(Step::TestUnitReady),
        }
    }

    fn rc16_allowed(&self) -> bool {
        !self.report.quirks.contains(Quirks::NO_READ_CAPACITY_16)
    }

    /// Linux `sd_try_rc16_first`, with the quirks as described in the module doc.
    fn rc16_first(&self) -> bool {
        let q = self.report.quirks;
        self.rc16_allowed()
            && (q.contains(Quirks::NEEDS_READ_CAPACITY_16)
                || (!q.contains(Quirks::READ_CAPACITY_10_FIRST)
                    && (self.report.version.0 >= Version::SPC_3.0 || self.facts.protect)))
    }

    fn start_capacity(&mut self) {
        self.facts.rc16_tried = false;
        self.facts.rc10_failed = false;
        self.facts.rc10_overflow = None;
        if self.rc16_first() {
            self.goto(Step::ReadCapacity16);
        } else {
            self.goto(Step::ReadCapacity10);
        }
    }

    fn medium_absent(&mut self) {
        self.report.medium_present = false;
        self.report.block_count = 0;
        if self.report.removable {
            self.finish(Verdict::Accept);
        } else {
            self.refuse(RefuseReason::NoMedium);
        }
    }

    /// `assumed`: the 2^32 blocks of [`Self::assume_2_to_32`], which the capacity quirks
    /// leave alone (Linux `goto got_data` skips `fix_capacity` / `guess_capacity`).
    fn capacity_known(
        &mut self,
        count: u64,
        length: u32,
        extra: Option<steps::Rc16Extra>,
        assumed: bool,
    ) {
        let protect = self.facts.protect;
        let applied =
            steps::apply_capacity(count, length, extra, protect, assumed, &mut self.report);
        if let Err(reason) = applied {
            self.refuse(reason);
            return;
        }
        if self.report.block_count == 0 {
            self.medium_absent();
            return;
        }
        self.report.medium_present = true;
        if self.report.quirks.contains(Quirks::READ_BEFORE_MODE_SENSE) {
            self.goto(Step::ReadBlockZero);
        } else {
            self.start_mode_sense();
        }
    }

    fn start_mode_sense(&mut self) {
        let q = self.report.quirks;
        let six = q.contains(Quirks::MODE_SENSE_6);
        match (q.contains(Quirks::NO_WP_DETECT), q.contains(Quirks::SKIP_CACHING_PAGE)) {
            (true, true) => self.accept(),
            (true, false) => self.goto(Step::ModeSense { six, page: CACHING_PAGE }),
            (false, _) => self.goto(Step::ModeSense { six, page: ALL_PAGES }),
        }
    }

    fn accept(&mut self) {
        steps::finalize(&mut self.report, &self.facts);
        self.finish(Verdict::Accept);
    }

    // ---- completions ----

    fn on_success(&mut self, data: &[u8]) {
        match self.step {
            Step::Inquiry { first, allocation } => {
                self.facts.inquiry_allocation = allocation;
                let (on, off) = (self.config.quirks_added(), self.config.quirks_off);
                match steps::inquiry(data, first, on, off, &mut self.report, &mut self.facts) {
                    Ok(InquiryNext::Full(allocation)) => {
                        self.goto(Step::Inquiry { allocation, first: false });
                    }
                    Ok(InquiryNext::Complete) => self.after_inquiry(),
                    Err(reason) if first => {
                        self.refuse(reason);
                    }
                    Err(_) => {
                        // The full read disagrees with the first one: keep the first.
                        self.warn(Warning::InquiryFullFailed);
                        self.after_inquiry();
                    }
                }
            }
            Step::VpdHeader { page } => match steps::vpd_header(page, data) {
                Ok(Some(allocation)) => self.goto(Step::VpdPage { page, allocation }),
                Ok(None) => self.next_vpd(),
                Err(_) if page == 0x00 => {
                    self.warn(Warning::VpdUnsupported);
                    self.goto(Step::TestUnitReady);
                }
                Err(w) => {
                    self.warn(w);
                    self.next_vpd();
                }
            },
            Step::VpdPage { page, .. } => {
                if let Err(w) = steps::vpd_page(page, data, &mut self.report, &mut self.facts) {
                    self.warn(w);
                    if page == 0x00 {
                        self.warn(Warning::VpdUnsupported);
                    }
                }
                self.next_vpd();
            }
            Step::TestUnitReady => self.start_capacity(),
            Step::StartUnit => self.resume(),
            Step::InquiryReread { .. } => {
                let (on, off) = (self.config.quirks_added(), self.config.quirks_off);
                match steps::inquiry(data, false, on, off, &mut self.report, &mut self.facts) {
                    Ok(_) => self.resume(),
                    Err(RefuseReason::InquiryFailed) => {
                        self.warn(Warning::InquiryRereadFailed);
                        self.resume();
                    }
                    // The LU now says it is not connected or not a disk.
                    Err(reason) => {
                        self.refuse(reason);
                    }
                }
            }
            Step::ReadCapacity16 => match steps::read_capacity_16(data) {
                Capacity::Known(count, length, extra) => {
                    self.capacity_known(count, length, extra, false);
                }
                Capacity::Overflow(_) | Capacity::Unusable => self.rc16_failed(),
            },
            Step::ReadCapacity10 => match steps::read_capacity_10(data) {
                Capacity::Known(count, length, extra) => {
                    self.capacity_known(count, length, extra, false);
                }
                Capacity::Overflow(length) => self.rc10_overflow(length),
                Capacity::Unusable => {
                    self.refuse(RefuseReason::CapacityUnknown);
                }
            },
            Step::ReadBlockZero => self.start_mode_sense(),
            Step::ModeSense { six, page } => {
                let all = page == ALL_PAGES;
                match steps::mode_sense(data, six, all, &mut self.report, &mut self.facts) {
                    ModeResult::Done => self.accept(),
                    ModeResult::AskCachingPage => {
                        self.goto(Step::ModeSense { six, page: CACHING_PAGE });
                    }
                    ModeResult::CachingMissing => {
                        self.warn(Warning::CachingPageMissing);
                        self.accept();
                    }
                    ModeResult::Unusable => {
                        self.warn(if all {
                            Warning::ModeSenseFailed
                        } else {
                            Warning::CachingPageMissing
                        });
                        self.accept();
                    }
                }
            }
        }
    }

    fn resume(&mut self) {
        let (step, retries) =
            self.resume.take().unwrap_or((Step::TestUnitReady, RetryCounts::new()));
        self.step = step;
        self.retries = retries;
    }

    /// RC10 said FFFF_FFFFh (SBC-4 §5.20.2: the capacity does not fit).
    fn rc10_overflow(&mut self, length: u32) {
        if !self.rc16_allowed() {
            // Linux read_capacity_10: with no_read_capacity_16, FFFF_FFFFh is a card
            // reader's way of saying "no medium".
            self.medium_absent();
        } else if !self.facts.rc16_tried {
            self.facts.rc10_overflow = Some(length);
            self.goto(Step::ReadCapacity16);
        } else {
            self.assume_2_to_32(length);
        }
    }

    /// Linux sd_read_capacity: RC10 overflowed and RC16 failed: "Using 0xffffffff as device
    /// size", i.e. 2^32 blocks of the RC10 block length.
    fn assume_2_to_32(&mut self, length: u32) {
        self.warn(Warning::CapacityAssumed2To32);
        self.capacity_known(1 << 32, length, None, true);
    }

    fn rc16_failed(&mut self) {
        self.warn(Warning::ReadCapacity16Failed);
        self.facts.rc16_tried = true;
        match self.facts.rc10_overflow.take() {
            // RC10 already answered FFFF_FFFFh: asking it again would say the same.
            Some(length) => self.assume_2_to_32(length),
            // RC10 already failed, then RC16 did: READ CAPACITY(10) is never sent twice.
            None if self.facts.rc10_failed => {
                self.refuse(RefuseReason::CapacityUnknown);
            }
            None => self.goto(Step::ReadCapacity10),
        }
    }

    fn on_reprobe(&mut self, change: Change, code: Option<SenseCode>) {
        if let Some(c) = code {
            self.warn(Warning::ChangeReported { asc: c.asc, ascq: c.ascq });
        }
        let capacity_read = self.report.logical_block_length != 0;
        let stale = matches!(change, Change::MediumChanged | Change::CapacityChanged);
        if stale && capacity_read && self.facts.reprobes < MAX_REPROBES {
            self.facts.reprobes = self.facts.reprobes.saturating_add(1);
            self.start_capacity();
        } else if change == Change::InquiryDataChanged
            && !self.facts.inquiry_reread
            && self.resume.is_none()
        {
            // Re-read standard INQUIRY once (bounded: once per attach, one shot), then send
            // the interrupted command again. The quirks stay those of the first INQUIRY, and
            // VPD pages already read are not re-read: the warning above says they may be
            // stale (Linux only raises SDEV_EVT_INQUIRY_CHANGE_REPORTED here).
            self.facts.inquiry_reread = true;
            let allocation = self.facts.inquiry_allocation.max(INQUIRY_FIRST_LENGTH);
            self.resume = Some((self.step, self.retries));
            self.goto(Step::InquiryReread { allocation });
        }
        // Otherwise: the same command again, at once (the policy counted the unit
        // attention); nothing read so far is about what changed, or it is being read now.
    }

    fn on_failure(&mut self, failure: Failure) {
        let reason = failure.reason;
        let code = failure.sense;
        let (sense_key, asc, ascq) = (
            code.map_or(0, |c| c.sense_key.0),
            code.map_or(0, |c| c.asc),
            code.map_or(0, |c| c.ascq),
        );
        // Conditions that end the run whatever the step.
        match (reason, self.step) {
            (Reason::DeviceGone, _) => {
                self.refuse(RefuseReason::DeviceGone);
                return;
            }
            // The one-shot steps: whatever else the answer, warn and go back (Linux
            // sd_spinup_disk ignores START's status and polls TEST UNIT READY).
            (_, Step::StartUnit) => {
                self.warn(Warning::StartUnitFailed { sense_key, asc, ascq });
                self.resume();
                return;
            }
            (_, Step::InquiryReread { .. }) => {
                self.warn(Warning::InquiryRereadFailed);
                self.resume();
                return;
            }
            (Reason::UnitAttention, _) => {
                self.refuse(RefuseReason::UnitAttentionStorm);
                return;
            }
            _ => {}
        }
        let transport = matches!(reason, Reason::Transport(_) | Reason::ServiceResponse(_));
        match self.step {
            Step::Inquiry { first: true, .. } => {
                self.refuse(refusal(&failure));
            }
            Step::Inquiry { first: false, .. } => {
                self.warn(Warning::InquiryFullFailed);
                self.after_inquiry();
            }
            Step::VpdHeader { page } | Step::VpdPage { page, .. } if transport => {
                // No VPD page after a timeout (as NO_VPD): the next one would hang as well.
                self.warn(Warning::VpdAbandoned { page });
                self.facts.vpd_todo = 0;
                self.goto(Step::TestUnitReady);
            }
            Step::VpdHeader { page: 0x00 } | Step::VpdPage { page: 0x00, .. } => {
                self.warn(Warning::VpdUnsupported);
                self.goto(Step::TestUnitReady);
            }
            Step::VpdHeader { page } | Step::VpdPage { page, .. } => {
                self.warn(Warning::VpdPageFailed { page });
                self.next_vpd();
            }
            // StartRequired (NO_START_STOP) falls to the warning: Linux no_start_on_add
            // breaks out of sd_spinup_disk and READ CAPACITY decides.
            Step::TestUnitReady => match reason {
                Reason::NoMedium => self.medium_absent(),
                Reason::NotReady => {
                    self.refuse(refusal(&failure));
                }
                _ if transport => {
                    self.refuse(RefuseReason::TransportFailure);
                }
                _ => {
                    self.warn(Warning::SpinUpFailed { sense_key, asc, ascq });
                    self.start_capacity();
                }
            },
            // Handled above.
            Step::StartUnit | Step::InquiryReread { .. } => {}
            Step::ReadCapacity16 => match reason {
                Reason::NoMedium => self.medium_absent(),
                Reason::NotReady | Reason::StartRequired => {
                    self.refuse(refusal(&failure));
                }
                _ if transport => {
                    self.refuse(RefuseReason::TransportFailure);
                }
                _ => self.rc16_failed(),
            },
            Step::ReadCapacity10 => match reason {
                Reason::NoMedium => self.medium_absent(),
                Reason::NotReady | Reason::StartRequired => {
                    self.refuse(refusal(&failure));
                }
                _ if transport => {
                    self.refuse(RefuseReason::TransportFailure);
                }
                _ if !self.facts.rc16_tried && self.rc16_allowed() => {
                    self.facts.rc16_tried = true;
                    self.facts.rc10_failed = true;
                    self.goto(Step::ReadCapacity16);
                }
                _ => {
                    self.refuse(RefuseReason::CapacityUnknown);
                }
            },
            Step::ReadBlockZero => {
                self.warn(Warning::ReadBlockZeroFailed);
                self.start_mode_sense();
            }
            Step::ModeSense { six: false, page } if reason == Reason::InvalidOpcode => {
                self.warn(Warning::ModeSense10Unsupported);
                self.goto(Step::ModeSense { six: true, page });
            }
            Step::ModeSense { page, .. } => {
                self.warn(if page == ALL_PAGES {
                    Warning::ModeSenseFailed
                } else {
                    Warning::CachingPageMissing
                });
                self.accept();
            }
        }
    }
}

/// The refusal a failed mandatory command means.
fn refusal(failure: &Failure) -> RefuseReason {
    let (sense_key, asc, ascq) =
        failure.sense.map_or((0, 0, 0), |c| (c.sense_key.0, c.asc, c.ascq));
    match failure.reason {
        Reason::DeviceGone => RefuseReason::DeviceGone,
        Reason::Transport(_) | Reason::ServiceResponse(_) => RefuseReason::TransportFailure,
        Reason::UnitAttention => RefuseReason::UnitAttentionStorm,
        Reason::NoMedium => RefuseReason::NoMedium,
        Reason::NotReady | Reason::StartRequired => RefuseReason::NotReady { asc, ascq },
        Reason::Busy(_) | Reason::TaskAborted => RefuseReason::Busy,
        Reason::ReservationConflict => RefuseReason::ReservationConflict,
        _ if failure.sense.is_some() => RefuseReason::DeviceError { sense_key, asc, ascq },
        _ => RefuseReason::CommandFailed,
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_engine_fits_caller_storage() {
        let size = core::mem::size_of::<Engine>();
        assert!(size <= 1024, "Engine is {size} bytes");
    }
}
