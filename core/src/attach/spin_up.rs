//! Phase 3, spin-up: TEST UNIT READY until the logical unit is ready (Linux
//! `sd_spinup_disk`).
//!
//! The policy decides per completion: 04/01 and the other "in progress" codes wait 1 s and
//! poll again; 04/02 (and 04/00) ask for one START STOP UNIT with START=1, IMMED=1 (FreeBSD
//! `SS_START`), which the engine sends as a detour and then polls again. With NO_START_STOP,
//! 04/00 and 04/02 are a warning and READ CAPACITY follows (Linux `no_start_on_add` breaks
//! out of the spin-up loop and `sd_revalidate_disk` goes on). 3Ah means no medium
//! (removable: accept with `medium_present = false`, the kernel polls for media; fixed:
//! refuse); 04/03 and the other hopeless causes refuse at once; a transport failure past
//! the policy's budget refuses. Any other failure is a warning: READ CAPACITY decides, as in
//! Linux, where a failed spin-up does not stop `sd_revalidate_disk`.

use super::capacity::{self, Capacity};
use super::phase::{Cx, Next, Phase};
use super::report::{RefuseReason, Warning};
use crate::policy::{Failure, Reason};
use crate::wire::cdb::{BuildError, Command, TestUnitReady};

/// The spin-up phase's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SpinUp {
    /// TEST UNIT READY, sent until it succeeds or the policy gives up.
    TestUnitReady,
}

impl SpinUp {
    /// The first TEST UNIT READY.
    pub fn start() -> Next {
        Next::Go(Phase::SpinUp(SpinUp::TestUnitReady))
    }

    pub fn command(&self) -> Result<Command, BuildError> {
        TestUnitReady.encode()
    }

    pub fn on_success(self, cx: &mut Cx<'_>) -> Next {
        Capacity::start(cx)
    }

    pub fn on_failure(self, failure: &Failure, cx: &mut Cx<'_>) -> Next {
        match failure.reason {
            Reason::NoMedium => capacity::medium_absent(cx),
            Reason::NotReady => Next::Done(RefuseReason::for_failure(failure).into()),
            reason if reason.is_transport() => Next::Done(RefuseReason::TransportFailure.into()),
            // StartRequired (NO_START_STOP) falls here too.
            _ => {
                cx.warn(Warning::SpinUpFailed { sense: failure.sense });
                Capacity::start(cx)
            }
        }
    }
}
