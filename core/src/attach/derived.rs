//! The fields of an accepted logical unit with a medium that no single answer gives: write
//! cache defaults, FUA, the discard method, transfer limits, rotation rate. Computed once,
//! when characterization is complete, from the report and what the phases learned.

use super::phase::{Cx, Learned};
use super::report::{DiscardMethod, Report, RotationRate, Warning};
use crate::quirks::Quirks;

/// Smallest OPTIMAL TRANSFER LENGTH in bytes Linux accepts (`sd_validate_opt_xfer_size`:
/// below `PAGE_SIZE`, 4 KiB on the platforms that matter, it is ignored).
const OPT_XFER_MIN_BYTES: u64 = 4096;

/// Largest OPTIMAL TRANSFER LENGTH in blocks Linux accepts (`SD_DEF_XFER_BLOCKS` = 0xFFFF,
/// the most a READ(10)/WRITE(10) can carry).
const OPT_XFER_MAX_BLOCKS: u32 = 0xFFFF;

/// Fills the derived fields.
pub(super) fn finalize(cx: &mut Cx<'_>) {
    let (report, learned) = (&mut *cx.report, &*cx.learned);
    let quirks = report.quirks;
    // Linux sd_read_cache_type: "No cache flush allowed for write protected devices".
    if report.write_protected && report.write_cache == Some(true) {
        report.write_cache = Some(false);
    }
    // Linux: wce_default_on (US_FL_WRITE_CACHE) when the Caching page could not be read.
    if report.write_cache.is_none() && quirks.contains(Quirks::WRITE_CACHE) {
        report.write_cache = Some(true);
    }
    report.fua = learned.dpofua && !quirks.contains(Quirks::BROKEN_FUA);
    report.discard = discard_method(report.lbpme, learned, quirks);
    transfer_limits(report, learned);
    if report.rotation_rate == RotationRate::Unknown {
        if let Some(r) = learned.ata_rotation {
            report.rotation_rate = r;
        }
    }
}

/// Linux `sd_discard_mode` (sd.c): no LBPME, no discard; without VPD B2h, UNMAP when Block
/// Limits gave an UNMAP count, else WRITE SAME(16); with B2h, UNMAP (LBPU and a count),
/// then WS16 (LBPWS), then WS10 (LBPWS10), else none. The NO_WRITE_SAME quirk removes both
/// WRITE SAME choices (Linux's `no_write_same` disables WRITE SAME outright).
fn discard_method(lbpme: bool, learned: &Learned, quirks: Quirks) -> DiscardMethod {
    if !lbpme {
        return DiscardMethod::None;
    }
    let ws_ok = !quirks.contains(Quirks::NO_WRITE_SAME);
    let max_unmap = learned.block_limits.map_or(0, |b| b.maximum_unmap_lba_count);
    let chosen = match learned.provisioning {
        None if max_unmap > 0 => DiscardMethod::Unmap,
        None => DiscardMethod::WriteSame16,
        Some(p) if p.lbpu && max_unmap > 0 => DiscardMethod::Unmap,
        Some(p) if p.lbpws => DiscardMethod::WriteSame16,
        Some(p) if p.lbpws10 => DiscardMethod::WriteSame10,
        Some(_) => DiscardMethod::None,
    };
    match chosen {
        DiscardMethod::WriteSame16 | DiscardMethod::WriteSame10 if !ws_ok => DiscardMethod::None,
        other => other,
    }
}

/// MAXIMUM TRANSFER LENGTH (0 = no limit) clamped by MAX_SECTORS_64/240/2048 (Linux
/// `max_sectors` from usb-storage), and OPTIMAL TRANSFER LENGTH validated as Linux
/// `sd_validate_opt_xfer_size`: not above the maximum nor 0xFFFF blocks
/// (`SD_DEF_XFER_BLOCKS`), at least 4096 bytes (`PAGE_SIZE`), and a whole number of physical
/// blocks.
fn transfer_limits(report: &mut Report, learned: &Learned) {
    let limits = learned.block_limits.unwrap_or_default();
    let (max, opt) = (limits.maximum_transfer_length, limits.optimal_transfer_length);
    let mut limit = (max != 0).then_some(max);
    for (q, blocks) in [
        (Quirks::MAX_SECTORS_64, 64),
        (Quirks::MAX_SECTORS_240, 240),
        (Quirks::MAX_SECTORS_2048, 2048),
    ] {
        if report.quirks.contains(q) {
            limit = Some(limit.map_or(blocks, |l| l.min(blocks)));
        }
    }
    report.max_transfer_blocks = limit;
    if opt == 0 {
        return;
    }
    let bytes = u64::from(opt).saturating_mul(u64::from(report.logical_block_length));
    let physical = u64::from(report.physical_block_length.max(1));
    let within = limit.is_none_or(|l| opt <= l) && opt <= OPT_XFER_MAX_BLOCKS;
    if within && bytes >= OPT_XFER_MIN_BYTES && bytes % physical == 0 {
        report.optimal_transfer_blocks = Some(opt);
    } else {
        report.warnings.push(Warning::OptimalTransferInvalid);
    }
}
