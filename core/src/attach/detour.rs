//! Detours: one-shot commands outside the sequence, sent when an answer asks for them, after
//! which the interrupted phase resumes where it was, with the retries it had used.
//!
//! - START STOP UNIT (START=1, IMMED=1) when the policy asks for it (04/02 "initializing
//!   command required", FreeBSD `SS_START`, Linux `sd_spinup_disk`). START is never sent
//!   again once the device executed it: whatever sense it answers (04/01, 04/02, 04/03,
//!   HARDWARE ERROR, ILLEGAL REQUEST, ...) is a warning and the interrupted command is sent
//!   again, as `sd_spinup_disk` ignores START's status. A START the device did not execute
//!   (a timeout, BUSY, TASK ABORTED, a UNIT ATTENTION, ...; see
//!   [`policy::was_executed`]) keeps the policy's budgets, as Linux's START keeps the
//!   midlayer's retries: otherwise one lost command would leave a device that needs START
//!   polling out its whole time budget.
//! - Standard INQUIRY again after INQUIRY DATA HAS CHANGED (3Fh/03h) or DEVICE IDENTIFIER
//!   CHANGED (3Fh/05h), at the allocation used before, once per attach. Nothing about it is
//!   retried. The quirks stay those of the first INQUIRY, and VPD pages already read are not
//!   re-read: the `ChangeReported` warning says they may be stale (Linux only raises
//!   `SDEV_EVT_INQUIRY_CHANGE_REPORTED` here).
//!
//! A device that answers a detour with DEVICE NOT PRESENT is refused; any other failure is a
//! warning.

use super::identify;
use super::phase::{Cx, Phase};
use super::report::{RefuseReason, Warning};
use crate::policy::{self, Failure, Input, RetryCounts};
use crate::wire::cdb::{BuildError, Command, StartStopUnit};

/// Which one-shot command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DetourKind {
    /// START STOP UNIT, START=1, IMMED=1.
    StartUnit,
    /// Standard INQUIRY at this allocation length.
    InquiryReread {
        /// ALLOCATION LENGTH.
        allocation: u16,
    },
}

/// A detour in progress, and where it returns to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Detour {
    /// The command being sent.
    pub kind: DetourKind,
    /// The phase state to resume.
    pub resume: Phase,
    /// The retries the interrupted command had used.
    pub resume_retries: RetryCounts,
}

/// For log records: what is sent, and why.
impl core::fmt::Display for DetourKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            DetourKind::StartUnit => f.write_str("START STOP UNIT (START=1, IMMED=1), then retry"),
            DetourKind::InquiryReread { allocation } => write!(
                f,
                "standard INQUIRY again, {allocation} bytes, after a change the device reported"
            ),
        }
    }
}

impl DetourKind {
    pub fn command(&self) -> Result<Command, BuildError> {
        match *self {
            DetourKind::StartUnit => {
                StartStopUnit { immed: true, start: true, ..StartStopUnit::default() }.encode()
            }
            DetourKind::InquiryReread { allocation } => identify::standard_inquiry(allocation),
        }
    }

    /// Whether this completion is the last try (the policy's final answer, no retry): for
    /// START, once the device executed it; for the INQUIRY re-read, always.
    pub fn is_last_try(&self, input: &Input<'_>) -> bool {
        match self {
            DetourKind::StartUnit => policy::was_executed(input),
            DetourKind::InquiryReread { .. } => true,
        }
    }

    /// The command succeeded. `Err`: the re-read INQUIRY says the LU is no longer a
    /// connected disk.
    pub fn on_success(self, data: &[u8], cx: &mut Cx<'_>) -> Result<(), RefuseReason> {
        match self {
            DetourKind::StartUnit => Ok(()),
            DetourKind::InquiryReread { .. } => identify::reread(data, cx),
        }
    }

    /// The command failed (not with DEVICE NOT PRESENT): a warning.
    pub fn on_failure(self, failure: &Failure, cx: &mut Cx<'_>) {
        cx.warn(match self {
            DetourKind::StartUnit => Warning::StartUnitFailed { sense: failure.sense },
            DetourKind::InquiryReread { .. } => Warning::InquiryRereadFailed,
        });
    }
}
