//! The error-recovery policy: one pure function from how a command ended to the one thing to
//! do about it.
//!
//! Decoders report facts (the [`sense`](crate::sense) decoder, the
//! [`status`](crate::wire::status) codes); only this module decides. [`decide`] takes an
//! [`Input`] (service response, task status, decoded sense, which command, retries used so
//! far per [`Budget`], quirks) and returns one [`Action`]. It is total: every input, garbage
//! included, maps to exactly one action, and no input panics. It reads no clock: delays are
//! durations the caller schedules (sans-IO).
//!
//! # Order of decision
//!
//! 1. Service response: only TASK COMPLETE carries a SAM status. SERVICE DELIVERY OR TARGET
//!    FAILURE carries a [`DeliveryFailure`]: DEVICE NOT PRESENT fails at once (the device is
//!    gone); every other code, known or not, is retried within [`Budget::Transport`]. Any
//!    other service response (REQUEST IN PROCESS is never final; task management responses
//!    do not answer a command) is a contract violation and fails.
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
use crate::sense::{self, Parsed, Sense, SenseKey};
use crate::wire::status::{DeliveryFailure, ServiceResponse, TaskStatus};

/// How one command ended, and what the caller knows around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input<'a> {
    /// `SCSIServiceResponse` as the transport reported it.
    pub service_response: ServiceResponse,
    /// `SCSITaskStatus`, raw: a SAM status ([`TaskStatus`]) with TASK COMPLETE, a
    /// [`DeliveryFailure`] with SERVICE DELIVERY OR TARGET FAILURE.
    pub task_status: u32,
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
    /// An input for `command` with no retries used and no quirks.
    pub fn new(
        service_response: ServiceResponse,
        task_status: u32,
        sense: Option<&'a Sense<'a>>,
        command: CommandKind,
    ) -> Self {
        Input {
            service_response,
            task_status,
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

/// SENSE KEY, ASC and ASCQ: which sense code an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SenseCode {
    /// SENSE KEY.
    pub sense_key: SenseKey,
    /// ADDITIONAL SENSE CODE.
    pub asc: u8,
    /// ADDITIONAL SENSE CODE QUALIFIER.
    pub ascq: u8,
}

impl SenseCode {
    /// The code of decoded sense data.
    pub fn of(sense: &Sense<'_>) -> Self {
        SenseCode { sense_key: sense.sense_key, asc: sense.asc, ascq: sense.ascq }
    }
}

/// `NOT READY 04/01` style.
impl fmt::Display for SenseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sense_key.name() {
            Some(n) => f.write_str(n)?,
            None => write!(f, "sense key {:#x}", self.sense_key.0)?,
        }
        write!(f, " {:02X}/{:02X}", self.asc, self.ascq)
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
    /// DEVICE NOT PRESENT: the device is gone.
    DeviceGone,
    /// A service response that does not end a command.
    ServiceResponse(ServiceResponse),
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
    match input.service_response {
        ServiceResponse::TASK_COMPLETE => by_status(input),
        ServiceResponse::SERVICE_DELIVERY_OR_TARGET_FAILURE => {
            match DeliveryFailure(input.task_status) {
                DeliveryFailure::DEVICE_NOT_PRESENT => fail(Reason::DeviceGone),
                other => retry(input, Budget::Transport, Failure::new(Reason::Transport(other))),
            }
        }
        other => fail(Reason::ServiceResponse(other)),
    }
}

fn fail(reason: Reason) -> Action {
    Action::Fail(Failure::new(reason))
}

/// Retry within `budget`, or `exhausted` once it is spent.
fn retry(input: &Input<'_>, budget: Budget, exhausted: Failure) -> Action {
    let used = input.retries.used(budget);
    if used >= budget.limit() {
        Action::Fail(exhausted)
    } else {
        Action::Retry { after_ms: budget.delay_ms(used), budget }
    }
}

fn by_status(input: &Input<'_>) -> Action {
    let status = TaskStatus(input.task_status);
    match status {
        TaskStatus::GOOD
        | TaskStatus::CONDITION_MET
        | TaskStatus::INTERMEDIATE
        | TaskStatus::INTERMEDIATE_CONDITION_MET => Action::Success,
        TaskStatus::CHECK_CONDITION => match input.sense {
            Some(sense) => by_sense(input, sense),
            None => retry(input, Budget::Immediate, Failure::new(Reason::NoSense)),
        },
        TaskStatus::BUSY | TaskStatus::TASK_SET_FULL | TaskStatus::ACA_ACTIVE => {
            retry(input, Budget::Busy, Failure::new(Reason::Busy(status)))
        }
        TaskStatus::RESERVATION_CONFLICT => fail(Reason::ReservationConflict),
        TaskStatus::TASK_ABORTED => {
            retry(input, Budget::Aborted, Failure::new(Reason::TaskAborted))
        }
        other => fail(Reason::Status(other)),
    }
}

/// 00h/1Dh ATA PASS THROUGH INFORMATION AVAILABLE (SAT-5).
const ATA_PASS_THROUGH_INFORMATION: (u8, u8) = (0x00, 0x1d);

fn by_sense(input: &Input<'_>, sense: &Sense<'_>) -> Action {
    let code = SenseCode::of(sense);
    let failure = |reason| Failure { reason, sense: Some(code), information: sense.information };
    if sense.deferred {
        return retry(input, Budget::Immediate, failure(Reason::DeferredError));
    }
    let key = SenseKey(sense.sense_key.0 & 0x0f);
    if input.command == CommandKind::AtaPassThrough {
        let benign =
            matches!(key, SenseKey::NO_SENSE | SenseKey::RECOVERED_ERROR | SenseKey::COMPLETED);
        if benign && (sense.asc, sense.ascq) == ATA_PASS_THROUGH_INFORMATION {
            return Action::Success;
        }
        if key == SenseKey::ABORTED_COMMAND {
            return Action::Fail(failure(Reason::AbortedCommand));
        }
    }
    match table::lookup(key, sense.asc, sense.ascq) {
        Rule::Recovered => Action::Recovered(code),
        Rule::Retry { budget, exhausted } => retry(input, budget, failure(exhausted)),
        Rule::RetryIf { quirk, budget, otherwise } => {
            if input.quirks.contains(quirk) {
                retry(input, budget, failure(otherwise))
            } else {
                Action::Fail(failure(otherwise))
            }
        }
        Rule::StartUnit => {
            if input.command == CommandKind::StartStopUnit
                || input.quirks.contains(Quirks::NO_START_STOP)
            {
                Action::Fail(failure(Reason::StartRequired))
            } else if input.retries.has_left(Budget::StartUnit) {
                Action::StartUnit
            } else {
                retry(input, Budget::BecomingReady, failure(Reason::NotReady))
            }
        }
        Rule::Reprobe(change) => {
            if input.retries.has_left(Budget::UnitAttention) {
                if rereads(input.command, change) {
                    retry(input, Budget::UnitAttention, failure(Reason::UnitAttention))
                } else {
                    Action::Reprobe(change)
                }
            } else {
                Action::Fail(failure(Reason::UnitAttention))
            }
        }
        Rule::Fail(reason) => Action::Fail(failure(reason)),
    }
}

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
        assert_eq!(
            table::lookup(SenseKey::UNIT_ATTENTION, 0x2a, 0x09),
            Rule::Reprobe(Change::CapacityChanged)
        );
        assert_eq!(
            table::lookup(SenseKey::UNIT_ATTENTION, 0x2a, 0x02),
            Rule::Retry { budget: Budget::UnitAttention, exhausted: Reason::UnitAttention }
        );
        assert_eq!(
            table::lookup(SenseKey::DATA_PROTECT, 0x27, 0x07),
            Rule::Fail(Reason::SpaceAllocationFailed)
        );
        // A key with no rows, and an unmasked key, fall to the default.
        assert_eq!(
            table::lookup(SenseKey::BLANK_CHECK, 0x00, 0x05),
            table::default_for(SenseKey(8))
        );
        assert_eq!(table::lookup(SenseKey(0x12), 0x04, 0x02), Rule::StartUnit);
    }
}
