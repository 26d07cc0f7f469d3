//! Phase 5, mode sense: READ(10) of LBA 0 when quirked, then MODE SENSE for write protection,
//! DPOFUA and the Caching page.
//!
//! - READ(10) of LBA 0, one block, only with READ_BEFORE_MODE_SENSE (Linux
//!   `sd_read_block_zero` for `read_before_ms`: some bridges return generic mode pages until
//!   the medium has been read). Failure is a warning.
//! - MODE SENSE(10) of all pages (3Fh), or (6) with MODE_SENSE_6; (10) answered with INVALID
//!   COMMAND OPERATION CODE drops to (6) (Linux `scsi_mode_sense` on 20/00). Allocation: 192
//!   bytes with MODE_SENSE_192 ("what Windows asks", Linux `use_192_bytes_for_3f`), else
//!   255: one byte, enough for the header and the Caching page on any device, never a
//!   large allocation. WP and DPOFUA come from the header (SBC-4 §6.5.1); WCE and RCD from
//!   the Caching page (SBC-4 §6.5.5) in the same data, or from a separate page 08h request
//!   when the all-pages data was cut before it (never with SKIP_CACHING_PAGE, Linux
//!   `skip_ms_page_8`). NO_WP_DETECT skips the all-pages request (Linux `skip_ms_page_3f`).
//! - A failure means "assume writable", as Linux: assuming protected (Apple's choice for
//!   removable media) turns a MODE SENSE that a bridge botches into a read-only disk, while
//!   assuming writable costs nothing if the medium really is protected: writes then fail
//!   with DATA PROTECT and nothing is lost.
//!
//! The whole phase is optional: nothing here refuses a device. It ends the
//! characterization ([`characterized`]).

use super::derived;
use super::phase::{Cx, Next, Phase};
use super::report::{Report, Warning};
use super::smart::Smart;
use crate::policy::{Failure, Reason};
use crate::quirks::Quirks;
use crate::wire::cdb::{BuildError, Command, ModeSense10, ModeSense6, PageControl, Read10};
use crate::wire::mode::caching::Caching;
use crate::wire::mode::{ModeParameters, ModeSenseCommand, ALL_PAGES};

/// MODE SENSE allocation length with MODE_SENSE_192.
const MODE_SENSE_192_LENGTH: u8 = 192;
/// MODE SENSE allocation length otherwise.
const MODE_SENSE_LENGTH: u8 = 255;

/// The mode sense phase's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ModeSense {
    /// READ(10) of LBA 0, one block (READ_BEFORE_MODE_SENSE).
    ReadBlockZero,
    /// MODE SENSE of all pages (3Fh): the header, and the Caching page if it fits.
    AllPages {
        /// MODE SENSE(6) or (10).
        command: ModeSenseCommand,
    },
    /// MODE SENSE of the Caching page (08h) alone.
    CachingPage {
        /// MODE SENSE(6) or (10).
        command: ModeSenseCommand,
    },
}

impl ModeSense {
    /// READ(10) of LBA 0 when quirked, else the first MODE SENSE.
    pub fn start(cx: &mut Cx<'_>) -> Next {
        if cx.report.quirks.contains(Quirks::READ_BEFORE_MODE_SENSE) {
            Next::Go(Phase::ModeSense(ModeSense::ReadBlockZero))
        } else {
            mode_sense(cx)
        }
    }

    pub fn command(&self, report: &Report) -> Result<Command, BuildError> {
        let (command, page_code) = match *self {
            ModeSense::ReadBlockZero => {
                let block_length = report.logical_block_length;
                return Read10 { lba: 0, blocks: 1, dpo: false, fua: false, block_length }.encode();
            }
            ModeSense::AllPages { command } => (command, ALL_PAGES),
            ModeSense::CachingPage { command } => (command, Caching::PAGE_CODE),
        };
        let allocation = if report.quirks.contains(Quirks::MODE_SENSE_192) {
            MODE_SENSE_192_LENGTH
        } else {
            MODE_SENSE_LENGTH
        };
        let page_control = PageControl::Current;
        match command {
            ModeSenseCommand::Six => ModeSense6 {
                dbd: false,
                page_control,
                page_code,
                subpage_code: 0,
                allocation_length: allocation,
            }
            .encode(),
            ModeSenseCommand::Ten => ModeSense10 {
                llbaa: false,
                dbd: false,
                page_control,
                page_code,
                subpage_code: 0,
                allocation_length: u16::from(allocation),
            }
            .encode(),
        }
    }

    pub fn on_success(self, data: &[u8], cx: &mut Cx<'_>) -> Next {
        match self {
            ModeSense::ReadBlockZero => mode_sense(cx),
            ModeSense::AllPages { command } => answered(command, true, data, cx),
            ModeSense::CachingPage { command } => answered(command, false, data, cx),
        }
    }

    pub fn on_failure(self, failure: &Failure, cx: &mut Cx<'_>) -> Next {
        match self {
            ModeSense::ReadBlockZero => {
                cx.warn(Warning::ReadBlockZeroFailed);
                mode_sense(cx)
            }
            ModeSense::AllPages { command: ModeSenseCommand::Ten }
            | ModeSense::CachingPage { command: ModeSenseCommand::Ten }
                if failure.reason == Reason::InvalidOpcode =>
            {
                cx.warn(Warning::ModeSense10Unsupported);
                Next::Go(Phase::ModeSense(self.with(ModeSenseCommand::Six)))
            }
            ModeSense::AllPages { .. } => {
                cx.warn(Warning::ModeSenseFailed);
                characterized(cx)
            }
            ModeSense::CachingPage { .. } => {
                cx.warn(Warning::CachingPageMissing);
                characterized(cx)
            }
        }
    }

    /// The same request through the other MODE SENSE command.
    fn with(self, command: ModeSenseCommand) -> Self {
        match self {
            ModeSense::ReadBlockZero => self,
            ModeSense::AllPages { .. } => ModeSense::AllPages { command },
            ModeSense::CachingPage { .. } => ModeSense::CachingPage { command },
        }
    }
}

/// The first MODE SENSE the quirks allow, or the end when they allow none.
fn mode_sense(cx: &mut Cx<'_>) -> Next {
    let q = cx.report.quirks;
    let command = if q.contains(Quirks::MODE_SENSE_6) {
        ModeSenseCommand::Six
    } else {
        ModeSenseCommand::Ten
    };
    match (q.contains(Quirks::NO_WP_DETECT), q.contains(Quirks::SKIP_CACHING_PAGE)) {
        (true, true) => characterized(cx),
        (true, false) => Next::Go(Phase::ModeSense(ModeSense::CachingPage { command })),
        (false, _) => Next::Go(Phase::ModeSense(ModeSense::AllPages { command })),
    }
}

/// Mode parameter data (SPC-5 §7.5): WP (from an all-pages answer) and DPOFUA from the
/// header, WCE and RCD from the Caching page; page 08h alone when the all-pages data was cut
/// before it.
fn answered(command: ModeSenseCommand, all_pages: bool, data: &[u8], cx: &mut Cx<'_>) -> Next {
    let Ok(decoded) = ModeParameters::parse(data, command) else {
        cx.warn(if all_pages { Warning::ModeSenseFailed } else { Warning::CachingPageMissing });
        return characterized(cx);
    };
    let mp = decoded.value;
    if all_pages {
        cx.report.write_protected = mp.header.wp();
    }
    cx.learned.dpofua = mp.header.dpofua();
    if let Some(caching) = mp.find_page(Caching::PAGE_CODE, 0).and_then(|p| Caching::parse(&p)) {
        cx.report.write_cache = Some(caching.wce);
        cx.report.read_cache_disabled = Some(caching.rcd);
        return characterized(cx);
    }
    let cut = decoded.is_truncated() || mp.block_descriptors_cut || mp.pages.stopped_short();
    if cx.report.quirks.contains(Quirks::SKIP_CACHING_PAGE) {
        characterized(cx)
    } else if all_pages && cut {
        Next::Go(Phase::ModeSense(ModeSense::CachingPage { command }))
    } else {
        cx.warn(Warning::CachingPageMissing);
        characterized(cx)
    }
}

/// Characterization is complete and the LU has a medium: the derived fields, then SMART
/// (which ends in accept, whatever the bridge does).
fn characterized(cx: &mut Cx<'_>) -> Next {
    derived::finalize(cx);
    Smart::start(cx)
}
