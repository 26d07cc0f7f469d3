//! Retry budgets: how many times, and after what delay, each class of retryable condition
//! may be retried.
//!
//! Linux counts most retries of one command against one allowance (`scmd->allowed`,
//! `SD_MAX_RETRIES` = 5) but keeps separate counters where one allowance does not fit:
//! `READ_CAPACITY_RETRIES_ON_RESET` = 10 unit attentions, `sd_spinup_disk`'s 100-second
//! becoming-ready poll, and (since 6.x) per-failure `scsi_failure` counters. FreeBSD counts
//! against `kern.cam.da.retry_count` = 4 and waits 1 s for BUSY. sbc-core keeps one counter
//! per class ([`RetryCounts`]), so a device that needs a START, then 30 s of polling, then
//! absorbs a power-on unit attention is not failed for having used another class's
//! allowance.

/// A class of retry, each with its own limit ([`Budget::limit`]) and delay
/// ([`Budget::delay_ms`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Budget {
    /// A retry with no delay: a deferred error, CHECK CONDITION without usable sense, a
    /// MEDIUM ERROR that is not an unrecovered read, a HARDWARE ERROR under
    /// [`RETRY_HWERROR`](crate::quirks::Quirks::RETRY_HWERROR).
    Immediate,
    /// BUSY, TASK SET FULL or ACA ACTIVE: back off, doubling the delay.
    Busy,
    /// NOT READY while the unit becomes ready (04/01 and the other "in progress" codes):
    /// poll every second.
    BecomingReady,
    /// The one START STOP UNIT (START=1) sent for 04/02 "initializing command required".
    StartUnit,
    /// UNIT ATTENTION: the command was not executed; send it again.
    UnitAttention,
    /// The transport did not deliver the command or got no answer (timeouts).
    Transport,
    /// ABORTED COMMAND sense, or TASK ABORTED status.
    Aborted,
}

/// `SD_MAX_RETRIES` (Linux `drivers/scsi/sd.h`): the default allowance of a command.
pub const SD_MAX_RETRIES: u32 = 5;
/// Retries with no delay ([`Budget::Immediate`]): `SD_MAX_RETRIES`. FreeBSD allows 4
/// (`kern.cam.da.retry_count`).
pub const IMMEDIATE_RETRIES: u32 = SD_MAX_RETRIES;
/// Retries after BUSY / TASK SET FULL / ACA ACTIVE ([`Budget::Busy`]). Linux requeues BUSY
/// without counting it, bounded only by the command's total time ((retries + 1) x timeout);
/// FreeBSD counts BUSY against its 4 retries and waits 1 s. Ten backed-off retries wait
/// 7.5 s in all ([`BUSY_FIRST_DELAY_MS`] doubling up to [`BUSY_MAX_DELAY_MS`]).
pub const BUSY_RETRIES: u32 = 10;
/// First BUSY delay; each further retry doubles it.
pub const BUSY_FIRST_DELAY_MS: u32 = 100;
/// Longest BUSY delay: FreeBSD's 1 s queue release after BUSY (`cam_periph_error`).
pub const BUSY_MAX_DELAY_MS: u32 = 1_000;
/// Becoming-ready poll interval: Linux `sd_spinup_disk` sleeps 1 s between TEST UNIT
/// READYs (`msleep(1000)`).
pub const BECOMING_READY_DELAY_MS: u32 = 1_000;
/// Becoming-ready polls: `sd_spinup_disk` polls for up to 100 s
/// (`spintime_expire = jiffies + 100 * HZ`), i.e. 100 polls at [`BECOMING_READY_DELAY_MS`].
/// A caller with a shorter time budget stops earlier on its own clock.
pub const BECOMING_READY_RETRIES: u32 = 100;
/// START STOP UNIT commands per spin-up: `sd_spinup_disk` sends one (its `spintime` flag),
/// then only polls.
pub const START_UNIT_RETRIES: u32 = 1;
/// Unit attentions absorbed per command: Linux `READ_CAPACITY_RETRIES_ON_RESET` (sd.c, UA
/// 29/00 on READ CAPACITY); libiscsi's login also absorbs up to 10.
pub const UNIT_ATTENTION_RETRIES: u32 = 10;
/// Transport failures (timeouts, no response) per command: Linux `SD_MAX_MEDIUM_TIMEOUTS`
/// = 2 before `sd_eh_action` takes the disk offline. A timeout costs the whole command
/// timeout, so the allowance is small.
pub const TRANSPORT_RETRIES: u32 = 2;
/// ABORTED COMMAND / TASK ABORTED retries: `SD_MAX_RETRIES` (Linux `NEEDS_RETRY`, FreeBSD
/// `SS_RDEF`).
pub const ABORTED_RETRIES: u32 = SD_MAX_RETRIES;

impl Budget {
    /// Every budget, in declaration order (the index of [`RetryCounts`]).
    pub const ALL: [Budget; 7] = [
        Budget::Immediate,
        Budget::Busy,
        Budget::BecomingReady,
        Budget::StartUnit,
        Budget::UnitAttention,
        Budget::Transport,
        Budget::Aborted,
    ];

    /// How many retries of this class one command may take; with that many used, the
    /// condition becomes the command's failure.
    pub const fn limit(self) -> u32 {
        match self {
            Budget::Immediate => IMMEDIATE_RETRIES,
            Budget::Busy => BUSY_RETRIES,
            Budget::BecomingReady => BECOMING_READY_RETRIES,
            Budget::StartUnit => START_UNIT_RETRIES,
            Budget::UnitAttention => UNIT_ATTENTION_RETRIES,
            Budget::Transport => TRANSPORT_RETRIES,
            Budget::Aborted => ABORTED_RETRIES,
        }
    }

    /// The delay before the next retry of this class when `used` retries of it were taken
    /// already. Only BUSY backs off (doubling from [`BUSY_FIRST_DELAY_MS`], capped at
    /// [`BUSY_MAX_DELAY_MS`]).
    pub fn delay_ms(self, used: u32) -> u32 {
        match self {
            Budget::Busy => {
                let factor = 1u32.checked_shl(used).unwrap_or(u32::MAX);
                BUSY_FIRST_DELAY_MS.saturating_mul(factor).min(BUSY_MAX_DELAY_MS)
            }
            Budget::BecomingReady => BECOMING_READY_DELAY_MS,
            Budget::Immediate
            | Budget::StartUnit
            | Budget::UnitAttention
            | Budget::Transport
            | Budget::Aborted => 0,
        }
    }

    fn index(self) -> usize {
        match self {
            Budget::Immediate => 0,
            Budget::Busy => 1,
            Budget::BecomingReady => 2,
            Budget::StartUnit => 3,
            Budget::UnitAttention => 4,
            Budget::Transport => 5,
            Budget::Aborted => 6,
        }
    }
}

/// Retries one command has used so far, per [`Budget`]. The caller starts each command at
/// [`RetryCounts::new`] and calls [`RetryCounts::charge`] with every action it carries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RetryCounts {
    used: [u32; 7],
}

impl RetryCounts {
    /// No retries used.
    pub const fn new() -> Self {
        RetryCounts { used: [0; 7] }
    }

    /// The same count for every budget (tests, and callers that keep one counter).
    pub const fn all(used: u32) -> Self {
        RetryCounts { used: [used; 7] }
    }

    /// Retries used of `budget`.
    pub fn used(&self, budget: Budget) -> u32 {
        self.used.get(budget.index()).copied().unwrap_or(0)
    }

    /// These counts with `budget`'s set to `used`.
    #[must_use]
    pub fn with(mut self, budget: Budget, used: u32) -> Self {
        if let Some(n) = self.used.get_mut(budget.index()) {
            *n = used;
        }
        self
    }

    /// Whether `budget` has retries left.
    pub fn has_left(&self, budget: Budget) -> bool {
        self.used(budget) < budget.limit()
    }

    /// Counts one retry of `budget` (saturating).
    pub fn record(&mut self, budget: Budget) {
        if let Some(n) = self.used.get_mut(budget.index()) {
            *n = n.saturating_add(1);
        }
    }

    /// Counts the retry `action` stands for, if any ([`Action::budget`](super::Action::budget)).
    pub fn charge(&mut self, action: super::Action) {
        if let Some(b) = action.budget() {
            self.record(b);
        }
    }
}
