//! What every phase of the sequence has in common: the [`Phase`] the engine dispatches on,
//! the [`Next`] a phase answers with, and the context ([`Cx`]) a phase reads and writes.
//!
//! A phase is an enum whose variants are its states, each holding what that state needs
//! (the VPD pages still to read, why READ CAPACITY(16) is being sent, ...). For its current
//! state a phase says which command to send, whether the command is optional, and what a
//! success or a failure means: the next state of the same phase, the first state of the
//! next phase, or the end of the attach. Nothing about a phase's progress lives outside its
//! value; what it learned for later goes into the [`Report`] or into [`Learned`].
//!
//! Adding a phase means: a file with its enum and the four functions, one variant here, and
//! the `start` call of the phase before it.

use super::capacity::Capacity;
use super::identify::Identify;
use super::mode_sense::ModeSense;
use super::nvme::Nvme;
use super::report::{RotationRate, Verdict, Warning};
use super::smart::Smart;
use super::spin_up::SpinUp;
use super::vpd::Vpd;
use super::{Config, Report};
use crate::policy::Failure;
use crate::wire::cdb::{BuildError, Command};

/// The phase running now, in its current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Standard INQUIRY (`identify.rs`).
    Identify(Identify),
    /// The VPD pages (`vpd.rs`).
    Vpd(Vpd),
    /// TEST UNIT READY until ready (`spin_up.rs`).
    SpinUp(SpinUp),
    /// READ CAPACITY(16)/(10) (`capacity.rs`).
    Capacity(Capacity),
    /// The optional READ of LBA 0, then MODE SENSE (`mode_sense.rs`).
    ModeSense(ModeSense),
    /// SMART over SAT (`smart.rs`).
    Smart(Smart),
    /// NVMe health through a USB bridge's tunnel (`nvme.rs`).
    Nvme(Nvme),
}

/// How a command must be sent with respect to the device's other users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// With services as they are (resumed).
    Shared,
    /// With the device's services suspended; resumed after it when `ends`.
    Exclusive { ends: bool },
}

/// What a phase says comes next.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// Send the command of this phase state (the same phase further on, or the next phase).
    Go(Phase),
    /// The attach is over.
    Done(Verdict),
}

/// What a phase learned that a later phase, or the derived fields at the end, need and the
/// report does not carry as such.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Learned {
    /// Standard INQUIRY PROTECT: READ CAPACITY(16) first, and P_TYPE counts.
    pub protect: bool,
    /// Allocation length of the last successful standard INQUIRY (a re-read uses it).
    pub inquiry_allocation: u16,
    /// VPD B0h, when read.
    pub block_limits: Option<BlockLimits>,
    /// VPD B2h, when read.
    pub provisioning: Option<Provisioning>,
    /// Rotation rate from the IDENTIFY data of VPD 89h (used when B1h gave none).
    pub ata_rotation: Option<RotationRate>,
    /// DPOFUA from the mode parameter header.
    pub dpofua: bool,
}

/// The Block Limits fields the derived transfer limits and discard method need (SBC-4
/// §6.6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct BlockLimits {
    /// MAXIMUM TRANSFER LENGTH in blocks (0: no limit reported).
    pub maximum_transfer_length: u32,
    /// OPTIMAL TRANSFER LENGTH in blocks (0: not reported).
    pub optimal_transfer_length: u32,
    /// MAXIMUM UNMAP LBA COUNT when MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT is non-zero too,
    /// else 0 (Linux `sd_read_block_limits` sets `max_unmap_blocks` only when both are).
    pub maximum_unmap_lba_count: u32,
}

/// The Logical Block Provisioning bits the discard method needs (SBC-4 §6.6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Provisioning {
    /// LBPU: UNMAP is supported.
    pub lbpu: bool,
    /// LBPWS: WRITE SAME(16) with UNMAP is supported.
    pub lbpws: bool,
    /// LBPWS10: WRITE SAME(10) with UNMAP is supported.
    pub lbpws10: bool,
}

/// What a phase may read and change: the configuration, the report being built, and what
/// earlier phases learned.
pub(super) struct Cx<'a> {
    pub config: &'a Config,
    pub report: &'a mut Report,
    pub learned: &'a mut Learned,
    /// The ATA registers of the completion being handled, when its sense carried them.
    pub ata: Option<crate::sense::AtaReturn>,
}

impl Cx<'_> {
    /// Adds a warning to the report.
    pub fn warn(&mut self, warning: Warning) {
        self.report.warnings.push(warning);
    }
}

impl Phase {
    /// The command the current state sends.
    pub fn command(&self, report: &Report) -> Result<Command, BuildError> {
        match self {
            Phase::Identify(p) => p.command(),
            Phase::Vpd(p) => p.command(),
            Phase::SpinUp(p) => p.command(),
            Phase::Capacity(p) => p.command(),
            Phase::ModeSense(p) => p.command(report),
            Phase::Smart(p) => p.command(),
            Phase::Nvme(p) => p.command().map(|b| b.command),
        }
    }

    /// How the current command must be sent: every NVMe tunnel command exclusively.
    pub fn access(&self) -> Access {
        match self {
            Phase::Nvme(p) => match p.command() {
                Ok(b) if b.exclusive => Access::Exclusive { ends: b.ends_exclusive },
                _ => Access::Shared,
            },
            _ => Access::Shared,
        }
    }

    /// The NVMe bridge whose tunnel the current command is (the allowlist rule that admits
    /// it), or `None` for the ordinary non-destructive rule.
    pub fn tunnel(&self) -> Option<crate::wire::cdb::nvme_bridge::NvmeBridge> {
        match self {
            Phase::Nvme(p) => Some(p.bridge()),
            _ => None,
        }
    }

    /// Writes the current command's data-out into `out` and returns its length (0 for
    /// every command but JMicron's command block).
    pub fn write_data_out(&self, out: &mut [u8]) -> Result<usize, BuildError> {
        match self {
            Phase::Nvme(p) => p.write_data_out(out),
            _ => Ok(0),
        }
    }

    /// Whether the current command is optional: never retried after a transport failure
    /// (a timeout costs a whole command timeout, and a bridge that hung on it hangs again),
    /// its failure a warning.
    pub fn optional(&self) -> bool {
        match self {
            Phase::Identify(_) | Phase::SpinUp(_) | Phase::Capacity(_) => false,
            Phase::Vpd(_) | Phase::ModeSense(_) | Phase::Smart(_) | Phase::Nvme(_) => true,
        }
    }

    /// The command succeeded; `data` is its usable data-in.
    pub fn on_success(self, data: &[u8], cx: &mut Cx<'_>) -> Next {
        match self {
            Phase::Identify(p) => p.on_success(data, cx),
            Phase::Vpd(p) => p.on_success(data, cx),
            Phase::SpinUp(p) => p.on_success(cx),
            Phase::Capacity(p) => p.on_success(data, cx),
            Phase::ModeSense(p) => p.on_success(data, cx),
            Phase::Smart(p) => p.on_success(data, cx),
            Phase::Nvme(p) => p.on_success(data, cx),
        }
    }

    /// The command failed, as the policy decided, with no retry left. Device gone and
    /// unit attention storms never get here: they end the attach in any phase.
    pub fn on_failure(self, failure: &Failure, cx: &mut Cx<'_>) -> Next {
        match self {
            Phase::Identify(p) => p.on_failure(failure, cx),
            Phase::Vpd(p) => p.on_failure(failure, cx),
            Phase::SpinUp(p) => p.on_failure(failure, cx),
            Phase::Capacity(p) => p.on_failure(failure, cx),
            Phase::ModeSense(p) => p.on_failure(failure, cx),
            Phase::Smart(p) => p.on_failure(failure, cx),
            Phase::Nvme(p) => p.on_failure(failure, cx),
        }
    }
}
