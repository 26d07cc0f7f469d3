//! The error-recovery policy: one pure function from how a command ended to the one thing to
//! do about it.
//!
//! Decoders report facts (the [`sense`] decoder, the
//! [`status`](crate::wire::status) codes); only this module decides. [`decide`] takes an
//! [`Input`] (the [`TaskOutcome`], whether the realized count fits the command, decoded
//! sense, which command, retries used so far per [`Budget`], quirks) and returns one
//! [`Action`]. It is total: every input, garbage included, maps to exactly one action, and no
//! input panics. It reads no clock: delays are durations the caller schedules (sans-IO).
//!
//! Two more answers come from the same rules, so no caller re-reads sense or status:
//! [`decide_final`] is what [`decide`] says once no retry is left (for a command that must
//! not be sent again), and [`was_executed`] says whether the device performed the command.
//!
//! # Order of decision
//!
//! 1. Service response ([`TaskOutcome`]): only TASK COMPLETE carries a SAM status. SERVICE
//!    DELIVERY OR TARGET FAILURE carries a [`DeliveryFailure`]: DEVICE NOT PRESENT fails at
//!    once (the device is gone); every other code, known or not, is retried within
//!    [`Budget::Transport`]. Any other service response (REQUEST IN PROCESS is never final;
//!    task management responses do not answer a command) is a contract violation and fails.
//!    A TASK COMPLETE whose realized count contradicts the command
//!    ([`usable_length`](crate::wire::usable_length) gave none) is a transport failure too,
//!    whatever its status, retried within [`Budget::Transport`]: the count cannot be
//!    trusted, so neither can the bytes.
//! 2. Task status: GOOD, CONDITION MET, INTERMEDIATE(-CONDITION MET) succeed (as Linux
//!    `scsi_decide_disposition`; sense with GOOD is ignored). BUSY, TASK SET FULL and ACA
//!    ACTIVE back off ([`Budget::Busy`]; we never set NACA, so an ACA belongs to another
//!    initiator and clears; Linux fails ACA ACTIVE with a "who knows? FIXME"). RESERVATION
//!    CONFLICT fails without retry (Linux: "causes immediate i/o error"). TASK ABORTED is
//!    retried ([`Budget::Aborted`], Linux `maybe_retry`). Any other status fails.
//! 3. CHECK CONDITION without usable sense (none, all zero, or undecodable) is retried
//!    within [`Budget::Immediate`] (FreeBSD retries when autosense is not valid; Linux sends
//!    REQUEST SENSE from its error handler, which a DriverKit client cannot do after the
//!    fact), then fails as [`Reason::NoSense`].
//! 4. Deferred sense (71h/73h) belongs to an earlier command, and the command that reports
//!    it was not performed (FreeBSD's reading of SCSI-2 §8.2.14.2), so it is retried within
//!    [`Budget::Immediate`] (Linux `scsi_check_sense`: "deferred error means retry"; FreeBSD
//!    `scsi_error_action` retries too), then fails as [`Reason::DeferredError`].
//! 5. Command-specific rules ([`CommandKind`]): ATA PASS-THROUGH with 00h/1Dh "ATA pass
//!    through information available" under NO SENSE / RECOVERED ERROR / COMPLETED is a plain
//!    success (CK_COND returns the registers that way, SAT-5); ATA PASS-THROUGH with ABORTED
//!    COMMAND is the drive refusing the ATA command and fails at once (Linux passes SG_IO
//!    through without retries). A START the policy asks for is never asked for in answer to
//!    START STOP UNIT itself, nor under `NO_START_STOP`: both fail as
//!    [`Reason::StartRequired`], which the caller may treat as "not started, go on". A reprobe UA is absorbed when the command is the one that
//!    re-reads what changed (READ CAPACITY for 2A/09, REPORT LUNS for 3F/0E, INQUIRY for
//!    3F/03 and 3F/05, MODE SENSE for 2A/01).
//! 6. The sense table ([`SENSE_RULES`]): the narrowest (sense key, ASC, ASCQ range) row, else
//!    the sense key's default ([`SENSE_KEY_DEFAULTS`]), FreeBSD style. `docs/policy.md` is
//!    generated from the same rows.
//! 7. Budgets: a retrying rule whose [`Budget`] is spent becomes the failure it names.

pub mod budget;
pub mod command;
pub mod table;

use core::fmt;

pub use budget::{Budget, RetryCounts};
pub use command::CommandKind;
pub use table::{Rule, SenseKeyDefault, SenseRule, SENSE_KEY_DEFAULTS, SENSE_RULES};

use crate::quirks::Quirks;
use crate::sense::{self, Parsed, Sense, SenseCode, SenseKey};
use crate::wire::status::{DeliveryFailure, ServiceResponse, TaskOutcome, TaskStatus};

/// How one command ended, and what the caller knows around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input<'a> {
    /// How the command ended, as the transport reported it.
    pub outcome: TaskOutcome,
    /// Whether the realized count fits the command
    /// ([`usable_length`](crate::wire::usable_length) gave a length). `false` makes a TASK
    /// COMPLETE a transport failure.
    pub realized_valid: bool,
    /// The decoded sense data, `None` when there was none or it could not be decoded
    /// ([`usable_sense`] turns [`sense::parse`]'s result into this).
    pub sense: Option<&'a Sense<'a>>,
    /// Which command completed ([`CommandKind::classify`]).
    pub command: CommandKind,
    /// Retries this command has used so far, per budget.
    pub retries: RetryCounts,
    /// The device's quirks.
    pub quirks: Quirks,
}

impl<'a> Input<'a> {
    /// An input for `command` with a valid realized count, no retries used and no quirks.
    pub fn new(outcome: TaskOutcome, sense: Option<&'a Sense<'a>>, command: CommandKind) -> Self {
        Input {
            outcome,
            realized_valid: true,
            sense,
            command,
            retries: RetryCounts::new(),
            quirks: Quirks::empty(),
        }
    }
}

/// The sense data in a [`sense::parse`] result, if there is any to act on: `None` for no
/// sense ([`Parsed::NoSense`]) and for bytes that are not sense data.
pub fn usable_sense<'a>(parsed: &'a Result<Parsed<'a>, sense::Error>) -> Option<&'a Sense<'a>> {
    match parsed {
        Ok(Parsed::Sense(decoded)) => Some(&decoded.value),
        Ok(Parsed::NoSense) | Err(_) => None,
    }
}

/// A unit attention that makes something the engine learned stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// 28h/xx: the medium may have changed (everything about the medium is stale).
    MediumChanged,
    /// 2Ah/09h: CAPACITY DATA HAS CHANGED (re-read READ CAPACITY).
    CapacityChanged,
    /// 2Ah/01h: MODE PARAMETERS CHANGED (re-read the mode pages).
    ModeParametersChanged,
    /// 3Fh/03h INQUIRY DATA HAS CHANGED, 3Fh/05h DEVICE IDENTIFIER CHANGED (re-read INQUIRY
    /// and VPD).
    InquiryDataChanged,
    /// 3Fh/0Eh: REPORTED LUNS DATA HAS CHANGED (re-read REPORT LUNS).
    LunsChanged,
}

/// Why a command failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// NOT READY that waiting will not cure (04/03, 04/0B, 04/0C, 04/1B, 04/24-25), or the
    /// becoming-ready budget ran out.
    NotReady,
    /// NOT READY that a START STOP UNIT would cure (04/00, 04/02: the START rule), but none
    /// may be sent: the quirk `NO_START_STOP` forbids it, or the command is START STOP UNIT
    /// itself. Not a verdict on its own: Linux `sd_spinup_disk` with `no_start_on_add` breaks
    /// out of its loop and `sd_revalidate_disk` goes on to READ CAPACITY, which decides.
    StartRequired,
    /// 3Ah/xx: MEDIUM NOT PRESENT.
    NoMedium,
    /// DATA PROTECT 27h/xx: write protected.
    WriteProtected,
    /// DATA PROTECT 27h/07h: SPACE ALLOCATION FAILED WRITE PROTECT (thin provisioning out of
    /// space; Linux -ENOSPC).
    SpaceAllocationFailed,
    /// DATA PROTECT, another ASC (access denied, locked).
    DataProtect,
    /// ILLEGAL REQUEST 20h/00h: INVALID COMMAND OPERATION CODE. Fall back to another command.
    InvalidOpcode,
    /// ILLEGAL REQUEST 24h/xx: INVALID FIELD IN CDB (the sense key specific field pointer
    /// says which). Fall back to another form.
    InvalidField,
    /// ILLEGAL REQUEST 21h/00h: LOGICAL BLOCK ADDRESS OUT OF RANGE.
    LbaOutOfRange,
    /// ILLEGAL REQUEST 25h/00h: LOGICAL UNIT NOT SUPPORTED.
    LogicalUnitNotSupported,
    /// ILLEGAL REQUEST, another ASC.
    IllegalRequest,
    /// MEDIUM ERROR; [`Failure::information`] is the failing LBA when VALID.
    MediumError,
    /// HARDWARE ERROR.
    HardwareError,
    /// 10h/xx: a protection information check failed.
    ProtectionError,
    /// ABORTED COMMAND that a retry will not cure, or its budget ran out.
    AbortedCommand,
    /// UNIT ATTENTION kept coming back.
    UnitAttention,
    /// Deferred errors kept coming back.
    DeferredError,
    /// Any other sense (BLANK CHECK, MISCOMPARE, VOLUME OVERFLOW, COPY ABORTED,
    /// vendor-specific, reserved).
    CheckCondition,
    /// CHECK CONDITION without usable sense data, repeatedly.
    NoSense,
    /// BUSY, TASK SET FULL or ACA ACTIVE, repeatedly.
    Busy(TaskStatus),
    /// TASK ABORTED, repeatedly.
    TaskAborted,
    /// RESERVATION CONFLICT: another initiator holds a reservation.
    ReservationConflict,
    /// A status no rule knows (COMMAND TERMINATED, reserved values).
    Status(TaskStatus),
    /// The transport failed repeatedly (timeouts, no response, delivery failure).
    Transport(DeliveryFailure),
    /// The transport reported a realized count that contradicts the command (more bytes
    /// than asked for, or data for a command without a data phase), repeatedly.
    RealizedInvalid,
    /// DEVICE NOT PRESENT: the device is gone.
    DeviceGone,
    /// A service response that does not end a command.
    ServiceResponse(ServiceResponse),
}

impl Reason {
    /// Whether the failure is the transport's (no SAM status to trust): the optional steps
    /// of characterization are not retried after one, mandatory ones refuse with a transport
    /// failure.
    pub const fn is_transport(self) -> bool {
        matches!(self, Reason::Transport(_) | Reason::ServiceResponse(_) | Reason::RealizedInvalid)
    }
}

/// A failed command: why, and the sense that said so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Failure {
    /// Why.
    pub reason: Reason,
    /// The sense code, when the failure came from sense data.
    pub sense: Option<SenseCode>,
    /// INFORMATION from the sense data when VALID: for MEDIUM ERROR (and the LBA and
    /// protection errors) the first failing LBA.
    pub information: Option<u64>,
}

impl Failure {
    /// A failure without sense data.
    pub const fn new(reason: Reason) -> Self {
        Failure { reason, sense: None, information: None }
    }

    /// The failing logical block, for failures that name one (MEDIUM ERROR, protection
    /// error, LBA out of range) and carry a VALID INFORMATION field.
    pub fn lba(&self) -> Option<u64> {
        match self.reason {
            Reason::MediumError | Reason::ProtectionError | Reason::LbaOutOfRange => {
                self.information
            }
            _ => None,
        }
    }
}

/// What to do about a completed command.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The command succeeded.
    Success,
    /// The command succeeded, with a warning to log: RECOVERED ERROR, COMPLETED, or NO SENSE
    /// after CHECK CONDITION (a false check condition). The realized length still says how
    /// many bytes arrived.
    Recovered(SenseCode),
    /// Send the same command again after `after_ms`, counting one retry of `budget`
    /// (wait-while-becoming-ready is `budget: BecomingReady`, an absorbed unit attention is
    /// `budget: UnitAttention`).
    Retry {
        /// Delay before the retry, in milliseconds.
        after_ms: u32,
        /// The class of retry to count.
        budget: Budget,
    },
    /// Send START STOP UNIT (START=1, IMMED=1), then send the command again; counts one
    /// [`Budget::StartUnit`].
    StartUnit,
    /// A unit attention made `Change` stale: re-read it, then send the command again;
    /// counts one [`Budget::UnitAttention`].
    Reprobe(Change),
    /// The command failed.
    Fail(Failure),
}

impl Action {
    /// The budget this action draws on, if it is a retry of some kind.
    pub fn budget(&self) -> Option<Budget> {
        match *self {
            Action::Retry { budget, .. } => Some(budget),
            Action::StartUnit => Some(Budget::StartUnit),
            Action::Reprobe(_) => Some(Budget::UnitAttention),
            Action::Success | Action::Recovered(_) | Action::Fail(_) => None,
        }
    }

    /// Whether the command's data (up to its realized length) can be used.
    pub fn is_success(&self) -> bool {
        matches!(self, Action::Success | Action::Recovered(_))
    }
}

/// One line for logs and transcripts: `retry in 1000 ms (BecomingReady)`,
/// `fail: MediumError (MEDIUM ERROR 11/00) at LBA 0x1234`.
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Action::Success => f.write_str("success"),
            Action::Recovered(code) => write!(f, "recovered ({code})"),
            Action::Retry { after_ms, budget } => write!(f, "retry in {after_ms} ms ({budget:?})"),
            Action::StartUnit => f.write_str("START UNIT, then retry"),
            Action::Reprobe(change) => write!(f, "re-read after {change:?}, then retry"),
            Action::Fail(failure) => write!(f, "fail: {failure}"),
        }
    }
}

/// `MediumError (MEDIUM ERROR 11/00) at LBA 0x1234`.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.reason)?;
        if let Some(code) = self.sense {
            write!(f, " ({code})")?;
        }
        if let Some(lba) = self.lba() {
            write!(f, " at LBA {lba:#x}")?;
        }
        Ok(())
    }
}

/// Decides what to do about one completed command. Total and pure: see the module doc for
/// the order of decision.
pub fn decide(input: &Input<'_>) -> Action {
    Decision { input, last_try: false }.decide()
}

/// What [`decide`] says about `input` once no retry of any budget is left: never
/// [`Action::Retry`], [`Action::StartUnit`] or [`Action::Reprobe`]; a retrying rule gives
/// the failure it names for an exhausted budget. For a command the caller will not send
/// again whatever the answer (a one-shot command, or an optional one after a transport
/// failure).
pub fn decide_final(input: &Input<'_>) -> Action {
    Decision { input, last_try: true }.decide()
}

/// Whether the device performed the command, as far as its completion tells (SAM-5 §5.3):
/// GOOD, CONDITION MET and the INTERMEDIATE statuses say it did; CHECK CONDITION with
/// current sense other than UNIT ATTENTION says it did and failed. Everything else says it
/// did not, or cannot tell: BUSY, TASK SET FULL, ACA ACTIVE, RESERVATION CONFLICT and TASK
/// ABORTED (not performed), UNIT ATTENTION (SAM-5 §5.14: the command was not processed) and
/// deferred sense (it is about an earlier command), CHECK CONDITION without usable sense, a
/// delivery failure (no answer), a realized count that contradicts the command (the
/// completion cannot be trusted).
pub fn was_executed(input: &Input<'_>) -> bool {
    if !input.realized_valid {
        return false;
    }
    match input.outcome {
        TaskOutcome::Complete(
            TaskStatus::GOOD
            | TaskStatus::CONDITION_MET
            | TaskStatus::INTERMEDIATE
            | TaskStatus::INTERMEDIATE_CONDITION_MET,
        ) => true,
        TaskOutcome::Complete(TaskStatus::CHECK_CONDITION) => input.sense.is_some_and(|s| {
            !s.deferred && SenseCode::of(s).sense_key() != SenseKey::UNIT_ATTENTION
        }),
        _ => false,
    }
}

/// One decision: the input, and whether retries are still allowed at all.
struct Decision<'i, 'a> {
    input: &'i Input<'a>,
    /// [`decide_final`]: every budget counts as spent.
    last_try: bool,
}

impl Decision<'_, '_> {
    fn decide(&self) -> Action {
        match self.input.outcome {
            TaskOutcome::Complete(_) if !self.input.realized_valid => {
                self.retry(Budget::Transport, Failure::new(Reason::RealizedInvalid))
            }
            TaskOutcome::Complete(status) => self.by_status(status),
            TaskOutcome::DeliveryFailure(DeliveryFailure::DEVICE_NOT_PRESENT) => {
                fail(Reason::DeviceGone)
            }
            TaskOutcome::DeliveryFailure(other) => {
                self.retry(Budget::Transport, Failure::new(Reason::Transport(other)))
            }
            TaskOutcome::Unexpected { service_response, .. } => {
                fail(Reason::ServiceResponse(service_response))
            }
        }
    }

    fn has_left(&self, budget: Budget) -> bool {
        !self.last_try && self.input.retries.has_left(budget)
    }

    /// Retry within `budget`, or `exhausted` once it is spent.
    fn retry(&self, budget: Budget, exhausted: Failure) -> Action {
        if self.has_left(budget) {
            let after_ms = budget.delay_ms(self.input.retries.used(budget));
            Action::Retry { after_ms, budget }
        } else {
            Action::Fail(exhausted)
        }
    }

    fn by_status(&self, status: TaskStatus) -> Action {
        match status {
            TaskStatus::GOOD
            | TaskStatus::CONDITION_MET
            | TaskStatus::INTERMEDIATE
            | TaskStatus::INTERMEDIATE_CONDITION_MET => Action::Success,
            TaskStatus::CHECK_CONDITION => match self.input.sense {
                Some(sense) => self.by_sense(sense),
                None => self.retry(Budget::Immediate, Failure::new(Reason::NoSense)),
            },
            TaskStatus::BUSY | TaskStatus::TASK_SET_FULL | TaskStatus::ACA_ACTIVE => {
                self.retry(Budget::Busy, Failure::new(Reason::Busy(status)))
            }
            TaskStatus::RESERVATION_CONFLICT => fail(Reason::ReservationConflict),
            TaskStatus::TASK_ABORTED => {
                self.retry(Budget::Aborted, Failure::new(Reason::TaskAborted))
            }
            other => fail(Reason::Status(other)),
        }
    }

    fn by_sense(&self, sense: &Sense<'_>) -> Action {
        let input = self.input;
        let code = SenseCode::of(sense);
        let failure =
            |reason| Failure { reason, sense: Some(code), information: sense.information };
        if sense.deferred {
            return self.retry(Budget::Immediate, failure(Reason::DeferredError));
        }
        let key = code.sense_key();
        if input.command == CommandKind::AtaPassThrough {
            let benign =
                matches!(key, SenseKey::NO_SENSE | SenseKey::RECOVERED_ERROR | SenseKey::COMPLETED);
            if benign && (code.asc(), code.ascq()) == ATA_PASS_THROUGH_INFORMATION {
                return Action::Success;
            }
            if key == SenseKey::ABORTED_COMMAND {
                return Action::Fail(failure(Reason::AbortedCommand));
            }
        }
        match table::lookup(code) {
            Rule::Recovered => Action::Recovered(code),
            Rule::Retry { budget, exhausted } => self.retry(budget, failure(exhausted)),
            Rule::RetryIf { quirk, budget, otherwise } => {
                if input.quirks.contains(quirk) {
                    self.retry(budget, failure(otherwise))
                } else {
                    Action::Fail(failure(otherwise))
                }
            }
            Rule::StartUnit => {
                if input.command == CommandKind::StartStopUnit
                    || input.quirks.contains(Quirks::NO_START_STOP)
                {
                    Action::Fail(failure(Reason::StartRequired))
                } else if self.has_left(Budget::StartUnit) {
                    Action::StartUnit
                } else {
                    self.retry(Budget::BecomingReady, failure(Reason::NotReady))
                }
            }
            Rule::Reprobe(change) => {
                if !self.has_left(Budget::UnitAttention) {
                    Action::Fail(failure(Reason::UnitAttention))
                } else if rereads(input.command, change) {
                    self.retry(Budget::UnitAttention, failure(Reason::UnitAttention))
                } else {
                    Action::Reprobe(change)
                }
            }
            Rule::Fail(reason) => Action::Fail(failure(reason)),
        }
    }
}

fn fail(reason: Reason) -> Action {
    Action::Fail(Failure::new(reason))
}

/// 00h/1Dh ATA PASS THROUGH INFORMATION AVAILABLE (SAT-5).
const ATA_PASS_THROUGH_INFORMATION: (u8, u8) = (0x00, 0x1d);

/// Whether `command` is itself the re-read a `change` calls for.
fn rereads(command: CommandKind, change: Change) -> bool {
    matches!(
        (command, change),
        (CommandKind::ReadCapacity10 | CommandKind::ReadCapacity16, Change::CapacityChanged)
            | (CommandKind::ReportLuns, Change::LunsChanged)
            | (CommandKind::Inquiry, Change::InquiryDataChanged)
            | (CommandKind::ModeSense6 | CommandKind::ModeSense10, Change::ModeParametersChanged)
    )
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn table_is_sorted_and_ranges_nest() {
        let key = |r: &SenseRule| (r.sense_key.0, r.asc, r.ascq_first, u8::MAX - r.ascq_last);
        for w in SENSE_RULES.windows(2) {
            assert!(key(&w[0]) < key(&w[1]), "{:?} before {:?}", w[0], w[1]);
        }
        for (i, a) in SENSE_RULES.iter().enumerate() {
            assert!(a.ascq_first <= a.ascq_last, "{a:?}");
            for b in &SENSE_RULES[i + 1..] {
                if (a.sense_key, a.asc) != (b.sense_key, b.asc) {
                    continue;
                }
                let disjoint = a.ascq_last < b.ascq_first || b.ascq_last < a.ascq_first;
                let a_in_b = b.ascq_first <= a.ascq_first && a.ascq_last <= b.ascq_last;
                let b_in_a = a.ascq_first <= b.ascq_first && b.ascq_last <= a.ascq_last;
                assert!(disjoint || a_in_b != b_in_a, "{a:?} and {b:?} overlap without nesting");
            }
        }
        for (i, d) in SENSE_KEY_DEFAULTS.iter().enumerate() {
            assert_eq!(usize::from(d.sense_key.0), i);
        }
    }

    #[test]
    fn lookup_prefers_the_narrowest_row() {
        let code = SenseCode::new;
        assert_eq!(
            table::lookup(code(SenseKey::UNIT_ATTENTION, 0x2a, 0x09)),
            Rule::Reprobe(Change::CapacityChanged)
        );
        assert_eq!(
            table::lookup(code(SenseKey::UNIT_ATTENTION, 0x2a, 0x02)),
            Rule::Retry { budget: Budget::UnitAttention, exhausted: Reason::UnitAttention }
        );
        assert_eq!(
            table::lookup(code(SenseKey::DATA_PROTECT, 0x27, 0x07)),
            Rule::Fail(Reason::SpaceAllocationFailed)
        );
        // A key with no rows falls to the default; a key byte with high bits set is the
        // key its four bits name (masked once, when the code is made).
        assert_eq!(
            table::lookup(code(SenseKey::BLANK_CHECK, 0x00, 0x05)),
            table::default_for(SenseKey(8))
        );
        assert_eq!(table::lookup(code(SenseKey(0x12), 0x04, 0x02)), Rule::StartUnit);
    }
}
