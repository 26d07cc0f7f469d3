//! The characterization engine: what `UserDetermineDeviceCharacteristics` runs to decide what
//! a logical unit is and whether sbc-dext should serve it.
//!
//! # Why it exists
//!
//! Linux (`scsi_probe_lun` + `sd_revalidate_disk`), FreeBSD (`da` probe states) and Apple
//! (`IOSCSIPeripheralDeviceNub` + `IOSCSIBlockCommandsDevice`) all characterize a disk at
//! attach, each with blocking loops and sleeps (docs/references.md §Linux: probe order,
//! §FreeBSD: probe states, §Apple IOSCSIArchitectureModelFamily). A DriverKit dext cannot
//! afford a loop it does not bound, and the same logic must run in tests in virtual time.
//! So the engine is sans-IO, after quinn-proto's `Connection`: it never
//! blocks, sleeps or reads a clock; the caller asks it what to do, does it, and reports
//! back.
//!
//! # How to drive it
//!
//! [`drive()`] runs the loop below against a [`Host`] (a clock and a way to send a command);
//! every caller in this project uses it. By hand, the loop is:
//!
//! ```text
//! let mut engine = Engine::begin(config, now);
//! loop {
//!     match engine.poll(now) {
//!         Poll::Command(request) => { send it; engine.complete(&completion, now); }
//!         Poll::Wait { until }   => sleep until `until` (or just advance a virtual clock),
//!         Poll::Done(verdict)    => break,
//!     }
//! }
//! let report = engine.report();
//! ```
//!
//! - Call [`Engine::poll`] after [`Engine::begin`], after every [`Engine::complete`], and
//!   when a [`Poll::Wait`] deadline has passed. Polling again before completing the
//!   outstanding command returns the same [`Request`] (it is not sent twice by the engine's
//!   count); polling after [`Poll::Done`] returns the same verdict.
//! - Call [`Engine::complete`] once per [`Poll::Command`], with what the transport
//!   reported. A call with no command outstanding (or after done) changes nothing and
//!   returns [`Action::Ignored`].
//!
//! # What it promises
//!
//! - **Bounded.** A time budget and a command budget ([`Config`]) end every run; every
//!   retry is counted by the policy's per-class budgets. No device behaviour makes the
//!   engine loop or wait forever.
//! - **Deterministic.** The same completions at the same instants give the same commands,
//!   report and verdict.
//! - **Non-destructive.** Every command passes [`is_non_destructive`] before it is emitted;
//!   if one would not, the engine refuses the device with
//!   [`RefuseReason::InternalError`] and sends nothing.
//! - **Never reads past the realized transfer.** Usable bytes are
//!   [`usable_length`](crate::wire::usable_length)(direction, requested, realized); a count
//!   that contradicts the command is a transport failure, never clamped.
//! - **One policy.** Every completion goes through [`policy::decide`](crate::policy::decide);
//!   the engine only chooses what the policy's action means for the step it is in (fall
//!   back, warn and continue, or refuse).
//! - No heap, no panic, no `unsafe`: the whole state is the [`Engine`] value.
//!
//! # The sequence, and where each part lives
//!
//! One file per phase; each holds its states (an enum), its commands, and what each answer
//! means, with what Linux, FreeBSD and Apple do at that point:
//!
//! | phase | file | mandatory |
//! |---|---|---|
//! | 1. standard INQUIRY, 36 bytes, then the advertised length; PQ/PDT; the [quirk table](quirk_table) | `identify.rs` | the first INQUIRY |
//! | 2. VPD 00h, then the listed pages among 80h, 83h, 89h, B0h, B1h, B2h | `vpd.rs` | no |
//! | 3. TEST UNIT READY until ready | `spin_up.rs` | yes |
//! | 4. READ CAPACITY(16) or (10), both fallbacks, the capacity quirks | `capacity.rs` | yes |
//! | 5. READ(10) of LBA 0 when quirked, MODE SENSE(10) or (6) | `mode_sense.rs` | no |
//! | 6. SMART over SAT (ATA PASS-THROUGH), or NVMe health through a named bridge's tunnel | `smart.rs`, `nvme.rs` | no |
//!
//! Around them: `engine.rs` (dispatch, budgets, the end), `detour.rs` (START STOP UNIT and
//! the INQUIRY re-read, one-shot commands that interrupt a phase), `phase.rs` (what phases
//! share), `derived.rs` (fields computed at the end), `drive.rs` (the loop every caller
//! runs), `report.rs` (the output), `allowlist.rs` (the non-destructive rule).

mod allowlist;
mod capacity;
mod derived;
mod detour;
pub mod drive;
mod engine;
mod identify;
mod mode_sense;
mod nvme;
mod phase;
pub mod quirk_table;
mod report;
mod smart;
mod smart_report;
mod spin_up;
mod vpd;

pub use allowlist::{is_non_destructive, is_read_only_tunnel};
pub use drive::{drive, DriveError, Executed, Host};
pub use engine::Engine;
pub use quirk_table::{QuirkRow, UsbId, UsbIdRow, QUIRK_TABLE, USB_DEFAULTS, USB_ID_TABLE};
pub use report::{
    DesignatorEntry, DesignatorValue, DiscardMethod, FixedText, Published, RefuseReason, Report,
    RotationRate, SatInfo, Verdict, Warning, Warnings, DESIGNATOR_CAPACITY, MAX_DESIGNATORS,
    MAX_WARNINGS,
};
pub use smart_report::{NvmeReport, PassThrough, SmartReport, SmartTransport, SmartUnavailable};

use core::fmt;

use crate::quirks::Quirks;
use crate::time::{Duration, Instant};
use crate::wire::cdb::Command;
use crate::wire::status::TaskOutcome;

/// How one attach is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Quirks to apply on top of the [quirk table](quirk_table) (the personality's
    /// `SbcQuirks` entries set to true, `--quirk NAME`).
    pub quirks_on: Quirks,
    /// Quirks to remove even when the table or [`USB_DEFAULTS`] set them (`SbcQuirks`
    /// entries set to false). Effective quirks are
    /// `(INQUIRY table | USB ID table | quirks_on | USB_DEFAULTS if usb) & !quirks_off`.
    pub quirks_off: Quirks,
    /// The transport is USB (mass storage or UAS). INQUIRY cannot tell: the shim sets this
    /// from the nub's protocol characteristics. When set, [`USB_DEFAULTS`] join the
    /// effective quirks (before `quirks_off` is applied), as Linux usb-storage's
    /// `device_configure` applies its defaults to every USB disk. Default `false`.
    pub usb: bool,
    /// The USB vendor and product ID of the device (the bridge), when the transport is
    /// USB and the shim found them (`idVendor`/`idProduct` of a USB ancestor): the
    /// [USB ID table](quirk_table::USB_ID_TABLE) joins the effective quirks. Default
    /// `None`.
    pub usb_id: Option<UsbId>,
    /// Wall time one attach may take, from [`Engine::begin`].
    pub time_budget: Duration,
    /// Commands one attach may send.
    pub command_budget: u16,
    /// Timeout given to each command (clamped to the time left in the budget).
    pub command_timeout: Duration,
}

/// Default time budget: 120 s. Linux's `sd_spinup_disk` polls a disk that is becoming
/// ready for up to 100 s (`spintime_expire = jiffies + 100 * HZ`); the other 20 s cover the
/// rest of the sequence on a slow bridge (about 25 commands) and one command timeout's
/// worth of slack is *not* included: a command that times out spends its own budget.
pub const DEFAULT_TIME_BUDGET: Duration = Duration::from_secs(120);

/// Default command budget: 192. A legitimately slow disk needs about 125 commands: 100
/// becoming-ready polls (Linux's 100 s at 1 s), one START STOP UNIT, 2 INQUIRY, 14 VPD
/// (7 pages, header first), up to 3 READ CAPACITY, one READ, 3 MODE SENSE. The rest is
/// room for the policy's retries (BUSY, unit attentions) before the run is cut.
pub const DEFAULT_COMMAND_BUDGET: u16 = 192;

/// Default command timeout: 30 s, Linux's `SD_TIMEOUT` and the project's
/// `SBC_DEFAULT_TIMEOUT_MS`.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for Config {
    /// No quirk overrides, not USB, [`DEFAULT_TIME_BUDGET`], [`DEFAULT_COMMAND_BUDGET`],
    /// [`DEFAULT_COMMAND_TIMEOUT`].
    fn default() -> Self {
        Config {
            quirks_on: Quirks::empty(),
            quirks_off: Quirks::empty(),
            time_budget: DEFAULT_TIME_BUDGET,
            command_budget: DEFAULT_COMMAND_BUDGET,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            usb: false,
            usb_id: None,
        }
    }
}

impl Config {
    /// The quirks this configuration adds to the INQUIRY quirk table's: `quirks_on`, plus
    /// [`USB_DEFAULTS`] and the [USB ID table](quirk_table::USB_ID_TABLE)'s row for
    /// [`usb_id`](Self::usb_id) when [`usb`](Self::usb) is set (`quirks_off` is applied
    /// after).
    pub fn quirks_added(&self) -> Quirks {
        if self.usb {
            let by_id = self.usb_id.map_or(Quirks::empty(), quirk_table::lookup_usb_id);
            self.quirks_on | USB_DEFAULTS | by_id
        } else {
            self.quirks_on
        }
    }
}

/// What the caller should do next.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// Send this command, then call [`Engine::complete`].
    Command(Request),
    /// Nothing to send before `until` (a retry delay, a becoming-ready poll interval);
    /// poll again then.
    Wait {
        /// When to poll again.
        until: Instant,
    },
    /// The attach is over; [`Engine::report`] has everything.
    Done(Verdict),
}

/// Default sense allocation: 18 bytes, the fixed-format size and the most DriverKit returns
/// for commands other than ATA PASS-THROUGH (docs/driverkit.md §Sense length).
pub const SENSE_LENGTH: u8 = 18;

/// Sense allocation for ATA PASS-THROUGH: 22 bytes, DriverKit's limit (room for the ATA
/// Status Return descriptor after an 8-byte descriptor-format header).
pub const SENSE_LENGTH_ATA: u8 = 22;

/// The longest data transfer the engine asks for: one logical block of READ(10) of LBA 0,
/// whose length the capacity phase limits to 4096, and NVMe Identify Controller (4096
/// bytes through a bridge; VPD pages are read at most 1024 bytes, INQUIRY and MODE SENSE
/// at most 255, JMicron's command block is 512 bytes out). A [`drive()`] buffer this long
/// fits every command.
pub const MAX_TRANSFER_LENGTH: usize = 4096;

/// One command to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// CDB, direction and transfer length.
    pub command: Command,
    /// How long the transport should wait for it.
    pub timeout: Duration,
    /// Sense bytes to ask for: [`SENSE_LENGTH`], or [`SENSE_LENGTH_ATA`] for ATA
    /// PASS-THROUGH.
    pub sense_length: u8,
    /// Send it with the device's services suspended (DriverKit's `UserSuspendServices`),
    /// suspending them first if they are not yet: every NVMe bridge tunnel command (the
    /// vendor opcodes C0h..FFh demand it, docs/driverkit.md §UserSendCDB; JMicron's
    /// exchange must not be interleaved). Services not suspended for a command that says
    /// so means the command must not be sent: complete it as a delivery failure.
    pub exclusive: bool,
    /// Resume services (`UserResumeServices`) once this command has completed. False only
    /// inside a JMicron exchange: its next step follows at once. A host also resumes
    /// before any request that is not `exclusive` and when the attach ends, so services
    /// are never left suspended by an exchange the engine abandoned.
    pub ends_exclusive: bool,
}

/// How a command ended, as the transport reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion<'a> {
    /// The service response and task status, parsed.
    pub outcome: TaskOutcome,
    /// Bytes the transport says were transferred.
    pub realized: u64,
    /// The command's data buffer (for data-in: what the device wrote). Only the first
    /// `usable_length(direction, transfer_length, realized)` bytes are read.
    pub data: &'a [u8],
    /// Sense bytes returned (empty when none).
    pub sense: &'a [u8],
}

/// What [`Engine::complete`] did with a completion, for the transcript.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The policy's decision, which the engine carried out.
    Policy(crate::policy::Action),
    /// No command was outstanding (or the engine was done): nothing changed.
    Ignored,
}

/// The policy's action as is (`Success`, `Retry { .. }`, `Fail(..)`), or `Ignored`.
impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Policy(a) => fmt::Debug::fmt(a, f),
            Action::Ignored => f.write_str("Ignored"),
        }
    }
}

/// One line for transcripts and logs: the policy action's own text, or `ignored`.
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Policy(a) => fmt::Display::fmt(a, f),
            Action::Ignored => f.write_str("ignored"),
        }
    }
}

/// Kept for callers that want the verdict's reason text without the report.
impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Accept => f.write_str("accept"),
            Verdict::Refuse(reason) => write!(f, "refuse: {reason}"),
        }
    }
}
