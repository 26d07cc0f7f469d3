//! The sense table: a per-ASC/ASCQ rule for each (sense key, ASC, ASCQ range) that needs one,
//! else a per-sense-key default, as FreeBSD's `asc_table` / `sense_key_table`
//! (`sys/cam/scsi/scsi_all.c`, `scsi_error_action`).
//!
//! Unlike FreeBSD's table, a row names its sense key too (Linux's `scsi_check_sense` decides
//! by sense key first): 10h/xx is a protection error under ABORTED COMMAND, ILLEGAL REQUEST
//! and MEDIUM ERROR, and 3Ah is "no medium" under NOT READY and UNIT ATTENTION (Linux
//! `media_not_present`), nothing else. Every row carries its rationale (what Linux does, what
//! FreeBSD does, why ours) as data, so `docs/policy.md` is generated from the same rows and a
//! test keeps the two equal.

use core::fmt;

use super::{Budget, Change, Reason};
use crate::quirks::Quirks;
use crate::sense::{SenseCode, SenseKey};

/// What a table row says to do, before budgets and command-specific exceptions apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The command succeeded; log the sense as a warning.
    Recovered,
    /// Retry within `budget`; once it is spent, fail with `exhausted`.
    Retry {
        /// The class of retry.
        budget: Budget,
        /// The failure when no retry is left.
        exhausted: Reason,
    },
    /// Retry within `budget` only when `quirk` is set; otherwise fail with `otherwise` at once.
    RetryIf {
        /// The quirk that makes the condition retryable.
        quirk: Quirks,
        /// The class of retry.
        budget: Budget,
        /// The failure without the quirk, or once the budget is spent.
        otherwise: Reason,
    },
    /// Send START STOP UNIT (START=1, IMMED=1), then retry; once it was sent, poll as
    /// becoming ready. Fails as [`Reason::StartRequired`] under `NO_START_STOP` or when the
    /// command is the START STOP UNIT itself.
    StartUnit,
    /// A unit attention that says something the engine learned is stale: re-read it, then
    /// retry (absorbed instead when the command itself re-reads it).
    Reprobe(Change),
    /// Fail at once.
    Fail(Reason),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Rule::Recovered => f.write_str("recovered (success + warning)"),
            Rule::Retry { budget: Budget::BecomingReady, exhausted } => {
                write!(f, "wait while becoming ready, then fail {exhausted:?}")
            }
            Rule::Retry { budget: Budget::UnitAttention, exhausted } => {
                write!(f, "absorb (retry, UnitAttention budget), then fail {exhausted:?}")
            }
            Rule::Retry { budget, exhausted } => {
                write!(f, "retry ({budget:?} budget), then fail {exhausted:?}")
            }
            Rule::RetryIf { quirk, budget, otherwise } => {
                let name = quirk.names().next().unwrap_or("?");
                write!(f, "retry ({budget:?} budget) if quirk {name}, else fail {otherwise:?}")
            }
            Rule::StartUnit => f.write_str("START STOP UNIT, then retry"),
            Rule::Reprobe(change) => write!(f, "reprobe ({change:?})"),
            Rule::Fail(reason) => write!(f, "fail {reason:?}"),
        }
    }
}

/// One row of the sense table: the rule for `sense_key` with `asc` and an ASCQ in
/// `ascq_first..=ascq_last`. When rows for the same key and ASC overlap, the narrower range
/// wins (they nest; a test checks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenseRule {
    /// SENSE KEY.
    pub sense_key: SenseKey,
    /// ADDITIONAL SENSE CODE.
    pub asc: u8,
    /// First ADDITIONAL SENSE CODE QUALIFIER of the range.
    pub ascq_first: u8,
    /// Last ADDITIONAL SENSE CODE QUALIFIER of the range (inclusive).
    pub ascq_last: u8,
    /// What to do.
    pub rule: Rule,
    /// What Linux (sd, scsi_error, scsi_lib) does.
    pub linux: &'static str,
    /// What FreeBSD (CAM `scsi_all.c`, `da(4)`) does.
    pub freebsd: &'static str,
    /// Why ours.
    pub why: &'static str,
}

/// The rule for a sense key no row overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenseKeyDefault {
    /// SENSE KEY.
    pub sense_key: SenseKey,
    /// What to do.
    pub rule: Rule,
    /// What Linux does.
    pub linux: &'static str,
    /// What FreeBSD's `sense_key_table` says.
    pub freebsd: &'static str,
    /// Why ours.
    pub why: &'static str,
}

const fn row(
    sense_key: SenseKey,
    asc: u8,
    ascq: (u8, u8),
    rule: Rule,
    linux: &'static str,
    freebsd: &'static str,
    why: &'static str,
) -> SenseRule {
    SenseRule { sense_key, asc, ascq_first: ascq.0, ascq_last: ascq.1, rule, linux, freebsd, why }
}

const ANY: (u8, u8) = (0x00, 0xff);
const fn q(ascq: u8) -> (u8, u8) {
    (ascq, ascq)
}

const WAIT: Rule = Rule::Retry { budget: Budget::BecomingReady, exhausted: Reason::NotReady };
const ABSORB: Rule =
    Rule::Retry { budget: Budget::UnitAttention, exhausted: Reason::UnitAttention };

const NR: SenseKey = SenseKey::NOT_READY;
const ME: SenseKey = SenseKey::MEDIUM_ERROR;
const IR: SenseKey = SenseKey::ILLEGAL_REQUEST;
const UA: SenseKey = SenseKey::UNIT_ATTENTION;
const DP: SenseKey = SenseKey::DATA_PROTECT;
const AC: SenseKey = SenseKey::ABORTED_COMMAND;

const SPINUP_STOPS: &str = "sd_spinup_disk stops polling (no START)";

/// The per-ASC/ASCQ rows, sorted by (sense key, ASC, first ASCQ, widest range first).
pub static SENSE_RULES: [SenseRule; 37] = [
    // ---- NOT READY ----
    row(NR, 0x04, q(0x00), Rule::StartUnit,
        "sd_spinup_disk: any NOT READY not in its stop list gets one START, then 1 s polls",
        "04/00 SS_RDEF (retry)",
        "cause not reportable: a START (IMMED) is harmless and is what Linux sends"),
    row(NR, 0x04, q(0x01), WAIT,
        "check_sense NEEDS_RETRY; completion action delayed retry; spin-up polls 1 s up to 100 s",
        "04/01 SS_WAIT|EBUSY",
        "becoming ready: poll every second"),
    row(NR, 0x04, q(0x02), Rule::StartUnit,
        "scsi_eh_stu sends START UNIT (allow_restart); sd_spinup_disk sends one START",
        "04/02 SS_START|SSQ_DECREMENT_COUNT",
        "initializing command required: START once, then poll"),
    row(NR, 0x04, q(0x03), Rule::Fail(Reason::NotReady),
        SPINUP_STOPS, "04/03 SS_FATAL|ENXIO",
        "manual intervention required: waiting cannot help"),
    row(NR, 0x04, (0x04, 0x0a), WAIT,
        "scsi_io_completion_action delayed retry for 04/04..09; 04/0A delayed re-prepare (ALUA)",
        "04/04..08 SS_FATAL|EBUSY; 04/09 SS_RDEF; 04/0A SS_WAIT|ENXIO",
        "format, rebuild, recalculation, operation, long write, self-test, ALUA transition in progress"),
    row(NR, 0x04, q(0x0b), Rule::Fail(Reason::NotReady),
        SPINUP_STOPS, "04/0B SS_FATAL|ENXIO",
        "target port in standby: this path will not become ready"),
    row(NR, 0x04, q(0x0c), Rule::Fail(Reason::NotReady),
        SPINUP_STOPS, "04/0C SS_FATAL|ENXIO",
        "target port unavailable: this path will not become ready"),
    row(NR, 0x04, q(0x11), WAIT,
        "delayed retry (notify (enable spinup) required)", "04/11 SS_WAIT|EBUSY",
        "SAS spin-up is granted by the expander: wait"),
    row(NR, 0x04, q(0x14), WAIT,
        "delayed retry (space allocation in progress)", "04/14 SS_RDEF",
        "in progress: wait"),
    row(NR, 0x04, q(0x1a), WAIT,
        "delayed retry (START STOP UNIT command in progress)", "04/1A SS_RDEF",
        "our own START (IMMED) is running: wait"),
    row(NR, 0x04, q(0x1b), Rule::Fail(Reason::NotReady),
        "delayed retry for I/O, but sd_spinup_disk stops (sanitize can take hours)", "04/1B SS_RDEF",
        "characterization cannot wait hours: report not ready at once, as sd_spinup_disk"),
    row(NR, 0x04, q(0x1d), WAIT,
        "delayed retry (configuration in progress)", "04/1D SS_RDEF",
        "in progress: wait"),
    row(NR, 0x04, (0x24, 0x25), Rule::Fail(Reason::NotReady),
        "completion action fails; sd_spinup_disk stops", "not in asc_table: key default SS_RDEF",
        "depopulation (restoration) in progress: long-running, not ours to wait for"),
    row(NR, 0x3a, ANY, Rule::Fail(Reason::NoMedium),
        "media_not_present: medium absent, polling ends", "3A SS_FATAL|ENXIO; da invalidates the pack",
        "no medium: no retry will insert one"),
    // ---- MEDIUM ERROR ----
    row(ME, 0x10, ANY, Rule::Fail(Reason::ProtectionError),
        "protection information errors fail (no retry)", "10/xx SS_RDEF",
        "a PI check failed: the data is wrong, a retry reads the same"),
    row(ME, 0x11, ANY, Rule::Fail(Reason::MediumError),
        "check_sense: 11h fails fast (SCSIML_STAT_MED_ERROR)", "11/00..06,0B,0C SS_FATAL|EIO; others SS_RDEF",
        "unrecovered read error: the drive already retried internally"),
    row(ME, 0x13, ANY, Rule::Fail(Reason::MediumError),
        "check_sense: 13h fails fast", "13/00 SS_RDEF",
        "address mark not found: as Linux"),
    row(ME, 0x14, ANY, Rule::Fail(Reason::MediumError),
        "check_sense: 14h fails fast", "14/xx SS_RDEF",
        "record not found: as Linux"),
    // ---- ILLEGAL REQUEST ----
    row(IR, 0x10, ANY, Rule::Fail(Reason::ProtectionError),
        "completion action: ILLEGAL REQUEST 10h is a PI error, fail", "key default SS_FATAL|EINVAL",
        "protection error: fail"),
    row(IR, 0x20, q(0x00), Rule::Fail(Reason::InvalidOpcode),
        "fail; sd_done disables UNMAP/WRITE SAME, RC16 falls back to RC10, MS(10) to MS(6), R/W(10) to (6)",
        "20/00 SS_FATAL|EINVAL; da cmd6workaround, RC16 -> RC",
        "the command does not exist here: the engine falls back to another form"),
    row(IR, 0x21, q(0x00), Rule::Fail(Reason::LbaOutOfRange),
        "fail", "21/00 SS_FATAL|EINVAL",
        "logical block address out of range: no retry changes the LBA"),
    row(IR, 0x24, ANY, Rule::Fail(Reason::InvalidField),
        "fail; RC16 falls back to RC10, discard disabled (sd_done checks ASC 24h)",
        "SS_FATAL|EINVAL; RC16 -> RC on any ILLEGAL REQUEST",
        "invalid field in CDB: the engine falls back (the field pointer says which)"),
    row(IR, 0x25, q(0x00), Rule::Fail(Reason::LogicalUnitNotSupported),
        "scsi_scan: no such LUN", "25/00 SS_FATAL|ENXIO; da detaches",
        "logical unit not supported: the LUN is not there"),
    // ---- UNIT ATTENTION ----
    row(UA, 0x28, ANY, Rule::Reprobe(Change::MediumChanged),
        "media change event (removable fails the command); spin-up polls 28/00 up to 5 s",
        "28/00 media changed, SSQ_UA; da reprobes",
        "medium may have changed: everything learned about the medium is stale"),
    row(UA, 0x29, ANY, ABSORB,
        "retried (expected after reset; RC16 up to READ_CAPACITY_RETRIES_ON_RESET = 10)",
        "UA: SS_FATAL|ENXIO unless SF_RETRY_UA (da sets it)",
        "power on / reset: nothing we read changed"),
    row(UA, 0x2a, ANY, ABSORB,
        "retried on fixed disks; 2A/01, 2A/06 become device events", "retried (SF_RETRY_UA)",
        "parameters changed: retry"),
    row(UA, 0x2a, q(0x01), Rule::Reprobe(Change::ModeParametersChanged),
        "SDEV_EVT_MODE_PARAMETER_CHANGE_REPORTED", "retried (SF_RETRY_UA)",
        "mode parameters changed: the cached WCE/WP are stale"),
    row(UA, 0x2a, q(0x09), Rule::Reprobe(Change::CapacityChanged),
        "SDEV_EVT_CAPACITY_CHANGE_REPORTED: revalidate", "2A/09: da reprobes",
        "capacity data changed: re-read READ CAPACITY"),
    row(UA, 0x3a, ANY, Rule::Fail(Reason::NoMedium),
        "media_not_present accepts UNIT ATTENTION 3Ah", "3A SS_FATAL|ENXIO",
        "no medium"),
    row(UA, 0x3f, ANY, ABSORB,
        "retried on fixed disks; 3F/03 becomes a device event", "retried (SF_RETRY_UA)",
        "operating conditions changed: retry"),
    row(UA, 0x3f, q(0x03), Rule::Reprobe(Change::InquiryDataChanged),
        "SDEV_EVT_INQUIRY_CHANGE_REPORTED", "3F/03: da reprobes",
        "INQUIRY data changed: re-read identity"),
    row(UA, 0x3f, q(0x05), Rule::Reprobe(Change::InquiryDataChanged),
        "retried", "retried (SF_RETRY_UA)",
        "device identifier changed: VPD 83h is stale"),
    row(UA, 0x3f, q(0x0e), Rule::Reprobe(Change::LunsChanged),
        "check_sense retries; SDEV_EVT_LUN_CHANGE_REPORTED rescans", "retried (SF_RETRY_UA)",
        "reported LUNs data changed: rescan"),
    // ---- DATA PROTECT ----
    row(DP, 0x27, ANY, Rule::Fail(Reason::WriteProtected),
        "fail (DATA PROTECT)", "key default SS_FATAL|EACCES",
        "write protected"),
    row(DP, 0x27, q(0x07), Rule::Fail(Reason::SpaceAllocationFailed),
        "check_sense: 27/07 is -ENOSPC", "SS_FATAL|ENOSPC",
        "space allocation failed (thin provisioning): not a write protect"),
    // ---- ABORTED COMMAND ----
    row(AC, 0x10, ANY, Rule::Fail(Reason::ProtectionError),
        "check_sense: ABORTED COMMAND 10h fails (DIF/DIX)", "10/xx SS_RDEF",
        "protection information check failed"),
    row(AC, 0x2e, (0x01, 0x03), Rule::Fail(Reason::AbortedCommand),
        "check_sense: 2E/01..03 (command duration limits) fail", "not in the table (SS_RDEF)",
        "the device gave up by policy: a retry hits the same limit"),
];

/// The per-sense-key defaults, indexed by sense key (0h..Fh).
pub static SENSE_KEY_DEFAULTS: [SenseKeyDefault; 16] = [
    kd(
        SenseKey::NO_SENSE,
        Rule::Recovered,
        "success; sd_done treats NO SENSE as a false check condition",
        "SS_NOP",
        "nothing went wrong; the realized length says what arrived",
    ),
    kd(
        SenseKey::RECOVERED_ERROR,
        Rule::Recovered,
        "success (soft error)",
        "SS_NOP|SSQ_PRINT_SENSE",
        "completed after recovery: success, log it",
    ),
    kd(
        SenseKey::NOT_READY,
        WAIT,
        "sd_spinup_disk: START once, poll 1 s up to 100 s",
        "SS_RDEF (older: SS_TUR)",
        "an unlisted not-ready code: poll like sd_spinup_disk, bounded",
    ),
    kd(
        SenseKey::MEDIUM_ERROR,
        Rule::Retry { budget: Budget::Immediate, exhausted: Reason::MediumError },
        "check_sense NEEDS_RETRY (except 11h/13h/14h)",
        "SS_RDEF",
        "may be transient (e.g. write error 0Ch): retry a few times",
    ),
    kd(
        SenseKey::HARDWARE_ERROR,
        Rule::RetryIf {
            quirk: Quirks::RETRY_HWERROR,
            budget: Budget::Immediate,
            otherwise: Reason::HardwareError,
        },
        "retried only with retry_hwerror (all USB disks: bridges say 4 for recoverable errors)",
        "SS_RDEF",
        "as Linux: a real hardware error does not heal; USB bridges lie",
    ),
    kd(
        SenseKey::ILLEGAL_REQUEST,
        Rule::Fail(Reason::IllegalRequest),
        "fail",
        "SS_FATAL|EINVAL",
        "the same CDB gets the same answer",
    ),
    kd(
        SenseKey::UNIT_ATTENTION,
        ABSORB,
        "retried on fixed disks; fails on removable ones",
        "SS_FATAL|ENXIO unless SF_RETRY_UA",
        "the command was not executed: send it again, bounded",
    ),
    kd(
        SenseKey::DATA_PROTECT,
        Rule::Fail(Reason::DataProtect),
        "fail",
        "SS_FATAL|EACCES",
        "access denied (e.g. 74/71 locked): no retry helps",
    ),
    kd(
        SenseKey::BLANK_CHECK,
        Rule::Fail(Reason::CheckCondition),
        "fail",
        "SS_FATAL|ENOSPC",
        "not a disk condition: fail with the sense",
    ),
    kd(
        SenseKey::VENDOR_SPECIFIC,
        Rule::Fail(Reason::CheckCondition),
        "fail",
        "SS_FATAL|EIO",
        "meaning unknown: fail with the sense",
    ),
    kd(
        SenseKey::COPY_ABORTED,
        Rule::Fail(Reason::CheckCondition),
        "fail",
        "SS_FATAL|EIO",
        "we send no EXTENDED COPY: fail with the sense",
    ),
    kd(
        SenseKey::ABORTED_COMMAND,
        Rule::Retry { budget: Budget::Aborted, exhausted: Reason::AbortedCommand },
        "check_sense NEEDS_RETRY",
        "SS_RDEF",
        "the target aborted it (parity, overlapped, internal): retry",
    ),
    kd(
        SenseKey(0x0c),
        Rule::Fail(Reason::CheckCondition),
        "fail (EQUAL, obsolete)",
        "SS_NOP (EQUAL)",
        "reserved: fail with the sense",
    ),
    kd(
        SenseKey::VOLUME_OVERFLOW,
        Rule::Fail(Reason::CheckCondition),
        "fail",
        "SS_FATAL|EIO",
        "not a disk condition: fail with the sense",
    ),
    kd(
        SenseKey::MISCOMPARE,
        Rule::Fail(Reason::CheckCondition),
        "fail",
        "SS_NOP",
        "VERIFY/COMPARE found different data: that is the answer, a failure",
    ),
    kd(
        SenseKey::COMPLETED,
        Rule::Recovered,
        "success",
        "SS_NOP",
        "completed, with sense to report: success, log it",
    ),
];

const fn kd(
    sense_key: SenseKey,
    rule: Rule,
    linux: &'static str,
    freebsd: &'static str,
    why: &'static str,
) -> SenseKeyDefault {
    SenseKeyDefault { sense_key, rule, linux, freebsd, why }
}

/// The rule for a sense code: the narrowest matching row, else the sense key's default.
pub fn lookup(code: SenseCode) -> Rule {
    let (sense_key, asc, ascq) = (code.sense_key(), code.asc(), code.ascq());
    let table: &[SenseRule] = &SENSE_RULES;
    let key = (sense_key.0, asc);
    let start = table.partition_point(|r| (r.sense_key.0, r.asc) < key);
    let end = table.partition_point(|r| (r.sense_key.0, r.asc) <= key);
    let narrowest = table
        .get(start..end)
        .unwrap_or(&[])
        .iter()
        .filter(|r| r.ascq_first <= ascq && ascq <= r.ascq_last)
        .min_by_key(|r| r.ascq_last.wrapping_sub(r.ascq_first));
    match narrowest {
        Some(r) => r.rule,
        None => default_for(sense_key),
    }
}

/// The default rule for a sense key (only the low four bits exist).
pub fn default_for(sense_key: SenseKey) -> Rule {
    SENSE_KEY_DEFAULTS
        .get(usize::from(sense_key.0 & 0x0f))
        .map_or(Rule::Fail(Reason::CheckCondition), |d| d.rule)
}
