//! What each response means for the report: the data side of the sequence.
//!
//! The engine (`engine.rs`) decides which command comes next and what a failure means;
//! these functions take the usable bytes of a successful response and turn them into report
//! fields and the few facts later steps need. They read only through the wire decoders.

use super::quirk_table;
use super::report::{
    DesignatorEntry, DiscardMethod, FixedText, RefuseReason, Report, RotationRate, SatInfo,
    Warning, MAX_DESIGNATORS,
};
use crate::quirks::Quirks;
use crate::wire::ata_identify::AtaString;
use crate::wire::inquiry::{InquiryData, PeripheralQualifier, Version};
use crate::wire::mode::caching::Caching;
use crate::wire::mode::{ModeParameters, ModeSenseCommand};
use crate::wire::read_capacity::{ReadCapacity10, ReadCapacity16};
use crate::wire::vpd::{
    Association, AtaInformation, BlockDeviceCharacteristics, BlockLimits, DesignatorType,
    DeviceIdentification, Header, LogicalBlockProvisioning, MediumRotationRate, SupportedPages,
    UnitSerialNumber,
};
use crate::wire::Ascii;
use crate::wire::PeripheralDeviceType;

/// The VPD pages the engine reads when page 00h lists them, in the order it reads them
/// (ascending, as page 00h lists them). Bit `i` of [`Facts::vpd_todo`] stands for entry `i`.
pub(super) const WANTED_VPD_PAGES: [u8; 6] = [0x80, 0x83, 0x89, 0xB0, 0xB1, 0xB2];

/// First standard INQUIRY allocation length (Linux `scsi_probe_lun`, SPC-2 era devices).
pub(super) const INQUIRY_FIRST_LENGTH: u16 = 36;

/// Smallest OPTIMAL TRANSFER LENGTH in bytes Linux accepts (`sd_validate_opt_xfer_size`:
/// below `PAGE_SIZE`, 4 KiB on the platforms that matter, it is ignored).
const OPT_XFER_MIN_BYTES: u64 = 4096;

/// Largest OPTIMAL TRANSFER LENGTH in blocks Linux accepts (`SD_DEF_XFER_BLOCKS` = 0xFFFF,
/// the most a READ(10)/WRITE(10) can carry).
const OPT_XFER_MAX_BLOCKS: u32 = 0xFFFF;

/// Largest VPD allocation the engine asks for. Page 89h is 572 bytes; page 83h of a
/// multi-port SAS disk is a few hundred. A longer page is read cut, and decoders only use
/// what is whole.
pub(super) const MAX_VPD_ALLOCATION: u16 = 1024;

/// Facts learned in one step and used in a later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Facts {
    /// INQUIRY PROTECT.
    pub protect: bool,
    /// Bit `i` set: [`WANTED_VPD_PAGES`]`[i]` is listed and not yet read.
    pub vpd_todo: u8,
    /// VPD B0h MAXIMUM TRANSFER LENGTH, OPTIMAL TRANSFER LENGTH, and MAXIMUM UNMAP LBA
    /// COUNT when MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT is non-zero too (else 0: Linux
    /// `sd_read_block_limits` sets `max_unmap_blocks` only when both are).
    pub block_limits: Option<(u32, u32, u32)>,
    /// VPD B2h LBPU, LBPWS, LBPWS10.
    pub provisioning: Option<(bool, bool, bool)>,
    /// Rotation rate from the IDENTIFY data of VPD 89h (used when B1h gave none).
    pub ata_rotation: Option<RotationRate>,
    /// READ CAPACITY(16) was sent (and failed, if we are back in READ CAPACITY(10)).
    pub rc16_tried: bool,
    /// READ CAPACITY(10) failed and READ CAPACITY(16) was asked instead: RC10 is not sent
    /// again.
    pub rc10_failed: bool,
    /// READ CAPACITY(10) said FFFF_FFFFh with this block length; READ CAPACITY(16) is
    /// asked to resolve it.
    pub rc10_overflow: Option<u32>,
    /// DPOFUA from the mode parameter header.
    pub dpofua: bool,
    /// Times a unit attention sent the engine back to re-read capacity.
    pub reprobes: u8,
    /// Allocation length of the last successful standard INQUIRY (the re-read uses it).
    pub inquiry_allocation: u16,
    /// Standard INQUIRY was re-read after INQUIRY DATA HAS CHANGED (once per attach).
    pub inquiry_reread: bool,
}

/// What the first standard INQUIRY says to do next.
pub(super) enum InquiryNext {
    /// Ask again with this allocation length.
    Full(u16),
    /// The data is complete (or the INQUIRY_36 quirk forbids more).
    Complete,
}

/// Standard INQUIRY (SPC-5 §6.7.2): identity, removable, version, PROTECT; refuses PQ ≠ 0
/// and PDT ≠ 0; sets the effective quirks from the table and `on`/`off` (first INQUIRY only).
pub(super) fn inquiry(
    data: &[u8],
    first: bool,
    on: Quirks,
    off: Quirks,
    report: &mut Report,
    facts: &mut Facts,
) -> Result<InquiryNext, RefuseReason> {
    let decoded = InquiryData::parse(data).map_err(|_| RefuseReason::InquiryFailed)?;
    let inq = decoded.value;
    // SPC-5 table "Peripheral qualifier": 001b "not connected", 011b "not supported".
    if inq.peripheral_qualifier != PeripheralQualifier::CONNECTED {
        return Err(RefuseReason::NotConnected {
            peripheral_qualifier: inq.peripheral_qualifier.0,
        });
    }
    if inq.peripheral_device_type != PeripheralDeviceType::DIRECT_ACCESS_BLOCK {
        return Err(RefuseReason::NotDirectAccess {
            peripheral_device_type: inq.peripheral_device_type.0,
        });
    }
    report.peripheral_device_type = inq.peripheral_device_type.0;
    report.version = inq.version;
    report.removable = inq.rmb;
    facts.protect = inq.protect.unwrap_or(false);
    let (vendor, product, revision) = (
        ascii(inq.t10_vendor_identification),
        ascii(inq.product_identification),
        ascii(inq.product_revision_level),
    );
    report.vendor = FixedText::new(vendor).unwrap_or_default();
    report.product = FixedText::new(product).unwrap_or_default();
    report.revision = FixedText::new(revision).unwrap_or_default();
    if !first {
        return Ok(InquiryNext::Complete);
    }
    if inq.product_revision_level.is_none() {
        report.warnings.push(Warning::InquiryShort);
    }
    report.quirks = (quirk_table::lookup(vendor, product, revision) | on) & !off;
    // Linux scsi_probe_lun: a response longer than the first 36 bytes is asked for again at
    // its full length, capped at 255 bytes (what SCSI-2 era one-byte allocation length
    // devices can take), unless BLIST_INQUIRY_36. Only a length announced beyond the first
    // allocation is asked for: a device that realized less than it announced would get the
    // very same CDB again and answer the same.
    let announced = decoded.announced;
    let first_allocation = usize::from(INQUIRY_FIRST_LENGTH);
    if report.quirks.contains(Quirks::INQUIRY_36) || announced <= first_allocation {
        return Ok(InquiryNext::Complete);
    }
    let full = u16::try_from(announced.min(255)).unwrap_or(255);
    Ok(InquiryNext::Full(full))
}

/// Whether VPD pages may be read: Linux `scsi_device_supports_vpd` (SPC-2 or later and not
/// `skip_vpd_pages`), with [`Quirks::NO_VPD`] for `skip_vpd_pages`.
pub(super) fn vpd_allowed(report: &Report) -> bool {
    !report.quirks.contains(Quirks::NO_VPD) && report.version.0 >= Version::SPC_2.0
}

/// What a 4-byte VPD header says: `Some(total)` to read the page at that length, `None`
/// when the page is empty (nothing more to read). Err when the header is not the page asked
/// for.
pub(super) fn vpd_header(page: u8, data: &[u8]) -> Result<Option<u16>, Warning> {
    let header = Header::parse(data).map_err(|_| Warning::VpdPageMalformed { page })?;
    if header.page_code.0 != page {
        return Err(Warning::VpdPageMalformed { page });
    }
    if header.page_length == 0 {
        return Ok(None);
    }
    let total = header.announced().min(usize::from(MAX_VPD_ALLOCATION));
    Ok(Some(u16::try_from(total).unwrap_or(MAX_VPD_ALLOCATION)))
}

/// A whole VPD page: fills the report (and, for page 00h, the list of pages to read).
pub(super) fn vpd_page(
    page: u8,
    data: &[u8],
    report: &mut Report,
    facts: &mut Facts,
) -> Result<(), Warning> {
    let malformed = Warning::VpdPageMalformed { page };
    match page {
        0x00 => {
            let list = SupportedPages::parse(data).map_err(|_| malformed)?.value;
            facts.vpd_todo = WANTED_VPD_PAGES
                .iter()
                .enumerate()
                .filter(|(_, p)| list.supported_vpd_page_list.contains(p))
                .fold(0, |acc, (i, _)| acc | (1 << i));
        }
        0x80 => {
            let serial = UnitSerialNumber::parse(data).map_err(|_| malformed)?.value;
            match serial.product_serial_number.and_then(|s| FixedText::new(s.as_bytes())) {
                Some(text) => report.serial = text,
                None => report.warnings.push(Warning::SerialUnusable),
            }
        }
        0x83 => {
            designators(DeviceIdentification::parse(data).map_err(|_| malformed)?.value, report)
        }
        0x89 => {
            let ata = AtaInformation::parse(data).map_err(|_| malformed)?.value;
            let mut sat = SatInfo {
                vendor: FixedText::new(ascii(ata.sat_vendor_identification)).unwrap_or_default(),
                product: FixedText::new(ascii(ata.sat_product_identification)).unwrap_or_default(),
                revision: FixedText::new(ascii(ata.sat_product_revision_level)).unwrap_or_default(),
                ..SatInfo::default()
            };
            if let Some(id) = ata.identify() {
                sat.ata_model = ata_text(id.model_number());
                sat.ata_serial = ata_text(id.serial_number());
                sat.ata_firmware = ata_text(id.firmware_revision());
                sat.smart_supported = id.smart_supported();
                sat.smart_enabled = id.smart_enabled();
                facts.ata_rotation = id.nominal_media_rotation_rate().map(rotation);
            }
            report.sat = Some(sat);
        }
        0xB0 => {
            let b0 = BlockLimits::parse(data).map_err(|_| malformed)?.value;
            let unmap = match (b0.maximum_unmap_lba_count, b0.maximum_unmap_block_descriptor_count)
            {
                (Some(lbas), Some(descriptors)) if lbas != 0 && descriptors != 0 => lbas,
                _ => 0,
            };
            facts.block_limits = Some((
                b0.maximum_transfer_length.unwrap_or(0),
                b0.optimal_transfer_length.unwrap_or(0),
                unmap,
            ));
        }
        0xB1 => {
            let b1 = BlockDeviceCharacteristics::parse(data).map_err(|_| malformed)?.value;
            if let Some(rate) = b1.medium_rotation_rate {
                report.rotation_rate = rotation(rate);
            }
            if let Some(form) = b1.nominal_form_factor {
                report.form_factor = form;
            }
        }
        0xB2 => {
            let b2 = LogicalBlockProvisioning::parse(data).map_err(|_| malformed)?.value;
            facts.provisioning = Some((
                b2.lbpu.unwrap_or(false),
                b2.lbpws.unwrap_or(false),
                b2.lbpws10.unwrap_or(false),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// The trimmed bytes of an INQUIRY-style ASCII field, empty when absent.
fn ascii(field: Option<Ascii<'_>>) -> &[u8] {
    field.map(|a| a.as_bytes()).unwrap_or(&[])
}

/// An ATA string as report text (empty when absent).
fn ata_text<const N: usize, const M: usize>(s: Option<AtaString<M>>) -> FixedText<N> {
    s.and_then(|s| FixedText::new(s.as_bytes())).unwrap_or_default()
}

fn rotation(rate: MediumRotationRate) -> RotationRate {
    match rate {
        MediumRotationRate::NonRotating => RotationRate::NonRotating,
        MediumRotationRate::Rpm(v) => RotationRate::Rpm(v),
        MediumRotationRate::NotReported | MediumRotationRate::Reserved(_) => RotationRate::Unknown,
    }
}

/// The designators worth keeping (NAA, EUI-64, T10 vendor ID, SCSI name string, UUID),
/// logical unit ones first, then target port / device ones, up to [`MAX_DESIGNATORS`].
fn designators(page: DeviceIdentification<'_>, report: &mut Report) {
    let wanted = |t: DesignatorType| {
        matches!(
            t,
            DesignatorType::NAA
                | DesignatorType::EUI_64
                | DesignatorType::T10_VENDOR_ID
                | DesignatorType::SCSI_NAME_STRING
                | DesignatorType::UUID
        )
    };
    let mut kept = 0;
    let mut too_long = false;
    for lu_pass in [true, false] {
        for d in page.designators() {
            if (d.association == Association::LOGICAL_UNIT) != lu_pass || !wanted(d.designator_type)
            {
                continue;
            }
            let Some(entry) =
                DesignatorEntry::new(d.designator_type, d.code_set, d.association, d.designator)
            else {
                too_long = true;
                continue;
            };
            if let Some(slot) = report.designators.get_mut(kept) {
                *slot = Some(entry);
                kept += 1;
            }
        }
    }
    debug_assert!(kept <= MAX_DESIGNATORS);
    if too_long {
        report.warnings.push(Warning::DesignatorTooLong);
    }
}

/// READ CAPACITY(16) fields beyond count and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Rc16Extra {
    pub lbppbe: u8,
    pub lowest_aligned: u16,
    pub protection_type: u8,
    pub lbpme: bool,
    pub lbprz: bool,
}

/// What a READ CAPACITY response says.
pub(super) enum Capacity {
    /// Block count (last LBA + 1) and block length, plus the RC16 fields.
    Known(u64, u32, Option<Rc16Extra>),
    /// RC10 said FFFF_FFFFh: the capacity does not fit RC10.
    Overflow(u32),
    /// The response was too short or impossible.
    Unusable,
}

/// READ CAPACITY(10) parameter data (SBC-4 §5.20.2).
pub(super) fn read_capacity_10(data: &[u8]) -> Capacity {
    match ReadCapacity10::parse(data) {
        Ok(d) if d.value.needs_read_capacity_16() => {
            Capacity::Overflow(d.value.logical_block_length_in_bytes)
        }
        Ok(d) => {
            Capacity::Known(d.value.block_count(), d.value.logical_block_length_in_bytes, None)
        }
        Err(_) => Capacity::Unusable,
    }
}

/// READ CAPACITY(16) parameter data (SBC-4 §5.21.2).
pub(super) fn read_capacity_16(data: &[u8]) -> Capacity {
    let Ok(d) = ReadCapacity16::parse(data) else {
        return Capacity::Unusable;
    };
    let rc = d.value;
    let Some(count) = rc.checked_block_count() else {
        return Capacity::Unusable;
    };
    let extra = Rc16Extra {
        lbppbe: rc.logical_blocks_per_physical_block_exponent.unwrap_or(0),
        lowest_aligned: rc.lowest_aligned_logical_block_address.unwrap_or(0),
        protection_type: rc.protection_type().map_or(0, |t| t.0),
        lbpme: rc.lbpme.unwrap_or(false),
        lbprz: rc.lbprz.unwrap_or(false),
    };
    Capacity::Known(count, rc.logical_block_length_in_bytes, Some(extra))
}

/// Applies a capacity to the report: block length sanity (Linux `sd_read_capacity`: 0
/// becomes 512; only 512, 1024, 2048, 4096), the capacity quirks (Linux: `fix_capacity`
/// always takes one block off, `guess_capacity` when the count is odd; neither touches an
/// `assumed` 2^32-block capacity, which Linux reaches by `goto got_data`), physical block and
/// alignment, protection type (Linux `sd_read_protection_type`: PROT_EN and P_TYPE count
/// only when standard INQUIRY's `protect` is set; then types above 3 are refused).
pub(super) fn apply_capacity(
    count: u64,
    length: u32,
    extra: Option<Rc16Extra>,
    protect: bool,
    assumed: bool,
    report: &mut Report,
) -> Result<(), RefuseReason> {
    let length = if length == 0 {
        report.warnings.push(Warning::BlockLengthZero);
        512
    } else {
        length
    };
    if !matches!(length, 512 | 1024 | 2048 | 4096) {
        return Err(RefuseReason::UnsupportedBlockLength { length });
    }
    let quirks = report.quirks;
    let adjust = !assumed
        && (quirks.contains(Quirks::FIX_CAPACITY)
            || (quirks.contains(Quirks::GUESS_CAPACITY) && count % 2 == 1));
    let count = if adjust {
        report.warnings.push(Warning::CapacityAdjusted);
        count.saturating_sub(1)
    } else {
        count
    };
    report.block_count = count;
    report.logical_block_length = length;
    report.physical_block_length = length;
    if let Some(x) = extra {
        let protection_type = if protect { x.protection_type } else { 0 };
        if protection_type > 3 {
            return Err(RefuseReason::UnsupportedProtectionType { protection_type });
        }
        report.protection_type = protection_type;
        report.lbpme = x.lbpme;
        report.lbprz = x.lbprz;
        report.lowest_aligned_lba = x.lowest_aligned;
        match 1u32.checked_shl(u32::from(x.lbppbe)).and_then(|n| n.checked_mul(length)) {
            Some(physical) => report.physical_block_length = physical,
            None => report.warnings.push(Warning::PhysicalBlockLengthInvalid),
        }
    }
    Ok(())
}

/// What a MODE SENSE response gave.
pub(super) enum ModeResult {
    /// Header read; the Caching page was found (or was not wanted).
    Done,
    /// Header read, the Caching page is wanted but was not in the (cut) response: ask for
    /// page 08h alone.
    AskCachingPage,
    /// Header read, Caching page wanted but absent from a complete response.
    CachingMissing,
    /// Not even the header.
    Unusable,
}

/// MODE SENSE parameter data (SPC-5 §7.5): WP and DPOFUA from the header (SBC-4 §6.5.1),
/// WCE and RCD from the Caching page (SBC-4 §6.5.5) when present.
pub(super) fn mode_sense(
    data: &[u8],
    six: bool,
    all_pages: bool,
    report: &mut Report,
    facts: &mut Facts,
) -> ModeResult {
    let command = if six { ModeSenseCommand::Six } else { ModeSenseCommand::Ten };
    let Ok(decoded) = ModeParameters::parse(data, command) else {
        return ModeResult::Unusable;
    };
    let mp = decoded.value;
    if all_pages {
        report.write_protected = mp.header.wp();
    }
    facts.dpofua = mp.header.dpofua();
    if let Some(caching) = mp.find_page(Caching::PAGE_CODE, 0).and_then(|p| Caching::parse(&p)) {
        report.write_cache = Some(caching.wce);
        report.read_cache_disabled = Some(caching.rcd);
        return ModeResult::Done;
    }
    let cut = decoded.is_truncated() || mp.block_descriptors_cut || mp.pages.stopped_short();
    let skip = report.quirks.contains(Quirks::SKIP_CACHING_PAGE);
    match (skip, all_pages && cut) {
        (true, _) => ModeResult::Done,
        (false, true) => ModeResult::AskCachingPage,
        (false, false) => ModeResult::CachingMissing,
    }
}

/// The derived fields of an accepted LU with a medium: write cache defaults, FUA, discard,
/// transfer limits, rotation.
pub(super) fn finalize(report: &mut Report, facts: &Facts) {
    let quirks = report.quirks;
    // Linux sd_read_cache_type: "No cache flush allowed for write protected devices".
    if report.write_protected && report.write_cache == Some(true) {
        report.write_cache = Some(false);
    }
    // Linux: wce_default_on (US_FL_WRITE_CACHE) when the Caching page could not be read.
    if report.write_cache.is_none() && quirks.contains(Quirks::WRITE_CACHE) {
        report.write_cache = Some(true);
    }
    report.fua = facts.dpofua && !quirks.contains(Quirks::BROKEN_FUA);
    report.discard = discard_mode(report.lbpme, facts, quirks);
    transfer_limits(report, facts);
    if report.rotation_rate == RotationRate::Unknown {
        if let Some(r) = facts.ata_rotation {
            report.rotation_rate = r;
        }
    }
}

/// Linux `sd_discard_mode` (sd.c): no LBPME, no discard; without VPD B2h, UNMAP when Block
/// Limits gave an UNMAP count, else WRITE SAME(16); with B2h, UNMAP (LBPU and a count),
/// then WS16 (LBPWS), then WS10 (LBPWS10), else none. The NO_WRITE_SAME quirk removes both
/// WRITE SAME choices (Linux's `no_write_same` disables WRITE SAME outright).
fn discard_mode(lbpme: bool, facts: &Facts, quirks: Quirks) -> DiscardMethod {
    if !lbpme {
        return DiscardMethod::None;
    }
    let ws_ok = !quirks.contains(Quirks::NO_WRITE_SAME);
    let max_unmap = facts.block_limits.map_or(0, |(_, _, u)| u);
    let chosen = match facts.provisioning {
        None if max_unmap > 0 => DiscardMethod::Unmap,
        None => DiscardMethod::WriteSame16,
        Some((lbpu, _, _)) if lbpu && max_unmap > 0 => DiscardMethod::Unmap,
        Some((_, lbpws, _)) if lbpws => DiscardMethod::WriteSame16,
        Some((_, _, lbpws10)) if lbpws10 => DiscardMethod::WriteSame10,
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
fn transfer_limits(report: &mut Report, facts: &Facts) {
    let (max, opt, _) = facts.block_limits.unwrap_or((0, 0, 0));
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
