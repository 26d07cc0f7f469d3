//! Phase 2, VPD: page 00h, then the listed pages among 80h, 83h, 89h, B0h, B1h, B2h.
//!
//! Linux `scsi_attach_vpd` reads page 00h and then only the listed pages, each sized from
//! its 4-byte header first (`scsi_get_vpd_size`: "legacy devices choke on large allocation
//! lengths"); it skips VPD below SPC-2 or with `skip_vpd_pages`
//! (`scsi_device_supports_vpd`), here [`Quirks::NO_VPD`]. A page that fails is a warning;
//! page 00h failing means no VPD at all. A transport failure (a timeout) is not retried and
//! ends VPD reading, as if NO_VPD were set: a bridge hanging on a VPD page is the known USB
//! failure mode, and each timeout costs a whole command timeout.
//!
//! The whole phase is optional: nothing here refuses a device.

use super::identify::text;
use super::phase::{BlockLimits, Cx, Next, Phase, Provisioning};
use super::report::RotationRate;
use super::report::{DesignatorEntry, FixedText, Report, SatInfo, Warning, MAX_DESIGNATORS};
use super::spin_up::SpinUp;
use crate::policy::Failure;
use crate::quirks::Quirks;
use crate::wire::ata_identify::AtaString;
use crate::wire::cdb::{BuildError, Command, Inquiry};
use crate::wire::inquiry::Version;
use crate::wire::vpd::{
    Association, AtaInformation, BlockDeviceCharacteristics, DesignatorType, DeviceIdentification,
    Header, LogicalBlockProvisioning, PageCode, SupportedPages, UnitSerialNumber,
};

/// The pages read when page 00h lists them, in the order read (ascending, as page 00h
/// lists them).
const WANTED: [PageCode; 6] = [
    PageCode::UNIT_SERIAL_NUMBER,
    PageCode::DEVICE_IDENTIFICATION,
    PageCode::ATA_INFORMATION,
    PageCode::BLOCK_LIMITS,
    PageCode::BLOCK_DEVICE_CHARACTERISTICS,
    PageCode::LOGICAL_BLOCK_PROVISIONING,
];

/// Largest VPD allocation asked for. Page 89h is 572 bytes; page 83h of a multi-port SAS
/// disk is a few hundred. A longer page is read cut, and decoders only use what is whole.
pub(super) const MAX_VPD_ALLOCATION: u16 = 1024;

/// The [`WANTED`] pages still to read: bit `i` stands for `WANTED[i]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Pending(u8);

impl Pending {
    /// The wanted pages that `list` (page 00h) names.
    fn listed(list: &SupportedPages<'_>) -> Self {
        let bits = WANTED.iter().enumerate().filter(|(_, p)| list.contains(**p));
        Pending(bits.fold(0, |acc, (i, _)| acc | (1 << i)))
    }

    /// The first pending page, and what is left after it.
    fn pop(self) -> Option<(PageCode, Pending)> {
        let i = WANTED.iter().enumerate().position(|(i, _)| self.0 & (1 << i) != 0)?;
        Some((*WANTED.get(i)?, Pending(self.0 & !(1 << i))))
    }
}

/// The VPD phase's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Vpd {
    /// The 4-byte header of `page`, to learn its length.
    Header {
        /// The page.
        page: PageCode,
        /// Pages to read after this one.
        pending: Pending,
    },
    /// The whole page at the length its header announced.
    Page {
        /// The page.
        page: PageCode,
        /// ALLOCATION LENGTH (the announced length, at most [`MAX_VPD_ALLOCATION`]).
        allocation: u16,
        /// Pages to read after this one.
        pending: Pending,
    },
}

impl Vpd {
    /// Page 00h, or the next phase when VPD may not be read: Linux
    /// `scsi_device_supports_vpd` (SPC-2 or later and not `skip_vpd_pages`).
    pub fn start(cx: &mut Cx<'_>) -> Next {
        let report = &cx.report;
        if report.quirks.contains(Quirks::NO_VPD) || report.version.0 < Version::SPC_2.0 {
            return SpinUp::start();
        }
        let page = PageCode::SUPPORTED_VPD_PAGES;
        Next::Go(Phase::Vpd(Vpd::Header { page, pending: Pending::default() }))
    }

    pub fn command(&self) -> Result<Command, BuildError> {
        let (page, allocation_length) = match *self {
            Vpd::Header { page, .. } => (page, 4),
            Vpd::Page { page, allocation, .. } => (page, allocation),
        };
        Inquiry { evpd_page: Some(page.0), allocation_length }.encode()
    }

    pub fn on_success(self, data: &[u8], cx: &mut Cx<'_>) -> Next {
        match self {
            Vpd::Header { page, pending } => match header(page, data) {
                Ok(Some(allocation)) => {
                    Next::Go(Phase::Vpd(Vpd::Page { page, allocation, pending }))
                }
                Ok(None) => next(pending),
                Err(_) if page == PageCode::SUPPORTED_VPD_PAGES => {
                    cx.warn(Warning::VpdUnsupported);
                    SpinUp::start()
                }
                Err(w) => {
                    cx.warn(w);
                    next(pending)
                }
            },
            Vpd::Page { page, pending, .. } => match read_page(page, data, cx) {
                Ok(listed) => next(listed.unwrap_or(pending)),
                Err(w) => {
                    cx.warn(w);
                    if page == PageCode::SUPPORTED_VPD_PAGES {
                        cx.warn(Warning::VpdUnsupported);
                    }
                    next(pending)
                }
            },
        }
    }

    pub fn on_failure(self, failure: &Failure, cx: &mut Cx<'_>) -> Next {
        let (Vpd::Header { page, pending } | Vpd::Page { page, pending, .. }) = self;
        if failure.reason.is_transport() {
            // No VPD page after a timeout (as NO_VPD): the next one would hang as well.
            cx.warn(Warning::VpdAbandoned { page });
            SpinUp::start()
        } else if page == PageCode::SUPPORTED_VPD_PAGES {
            cx.warn(Warning::VpdUnsupported);
            SpinUp::start()
        } else {
            cx.warn(Warning::VpdPageFailed { page });
            next(pending)
        }
    }
}

/// The header of the next pending page, or the next phase.
fn next(pending: Pending) -> Next {
    match pending.pop() {
        Some((page, pending)) => Next::Go(Phase::Vpd(Vpd::Header { page, pending })),
        None => SpinUp::start(),
    }
}

/// What a 4-byte VPD header says: `Some(total)` to read the page at that length, `None`
/// when the page is empty. `Err` when the header is not the page asked for.
fn header(page: PageCode, data: &[u8]) -> Result<Option<u16>, Warning> {
    let header = Header::parse(data).map_err(|_| Warning::VpdPageMalformed { page })?;
    if header.page_code != page {
        return Err(Warning::VpdPageMalformed { page });
    }
    if header.page_length == 0 {
        return Ok(None);
    }
    let total = header.announced().min(usize::from(MAX_VPD_ALLOCATION));
    Ok(Some(u16::try_from(total).unwrap_or(MAX_VPD_ALLOCATION)))
}

/// A whole page into the report; for page 00h, `Some` of the pages to read.
fn read_page(page: PageCode, data: &[u8], cx: &mut Cx<'_>) -> Result<Option<Pending>, Warning> {
    let malformed = Warning::VpdPageMalformed { page };
    let report = &mut *cx.report;
    let learned = &mut *cx.learned;
    match page {
        PageCode::SUPPORTED_VPD_PAGES => {
            let list = SupportedPages::parse(data).map_err(|_| malformed)?.value;
            return Ok(Some(Pending::listed(&list)));
        }
        PageCode::UNIT_SERIAL_NUMBER => {
            let serial = UnitSerialNumber::parse(data).map_err(|_| malformed)?.value;
            match serial.product_serial_number.and_then(|s| FixedText::new(s.as_bytes())) {
                Some(text) => report.serial = text,
                None => report.warnings.push(Warning::SerialUnusable),
            }
        }
        PageCode::DEVICE_IDENTIFICATION => {
            designators(DeviceIdentification::parse(data).map_err(|_| malformed)?.value, report)
        }
        PageCode::ATA_INFORMATION => {
            let ata = AtaInformation::parse(data).map_err(|_| malformed)?.value;
            let (sat, rotation) = sat_info(&ata);
            report.sat = Some(sat);
            learned.ata_rotation = rotation;
        }
        PageCode::BLOCK_LIMITS => {
            let b0 = crate::wire::vpd::BlockLimits::parse(data).map_err(|_| malformed)?.value;
            learned.block_limits = Some(block_limits(&b0));
        }
        PageCode::BLOCK_DEVICE_CHARACTERISTICS => {
            let b1 = BlockDeviceCharacteristics::parse(data).map_err(|_| malformed)?.value;
            if let Some(rate) = b1.medium_rotation_rate {
                report.rotation_rate = RotationRate::from(rate);
            }
            if let Some(form) = b1.nominal_form_factor {
                report.form_factor = form;
            }
        }
        PageCode::LOGICAL_BLOCK_PROVISIONING => {
            let b2 = LogicalBlockProvisioning::parse(data).map_err(|_| malformed)?.value;
            learned.provisioning = Some(Provisioning {
                lbpu: b2.lbpu.unwrap_or(false),
                lbpws: b2.lbpws.unwrap_or(false),
                lbpws10: b2.lbpws10.unwrap_or(false),
            });
        }
        _ => {}
    }
    Ok(None)
}

/// Block Limits (SBC-4 §6.6.4) as the derived fields need them.
fn block_limits(b0: &crate::wire::vpd::BlockLimits) -> BlockLimits {
    let unmap = match (b0.maximum_unmap_lba_count, b0.maximum_unmap_block_descriptor_count) {
        (Some(lbas), Some(descriptors)) if lbas != 0 && descriptors != 0 => lbas,
        _ => 0,
    };
    BlockLimits {
        maximum_transfer_length: b0.maximum_transfer_length.unwrap_or(0),
        optimal_transfer_length: b0.optimal_transfer_length.unwrap_or(0),
        maximum_unmap_lba_count: unmap,
    }
}

/// ATA Information (SAT-4 §12.4.2): the SAT layer and, from its IDENTIFY data, the ATA
/// identity, SMART state and rotation rate.
fn sat_info(ata: &AtaInformation<'_>) -> (SatInfo, Option<RotationRate>) {
    let mut sat = SatInfo {
        vendor: text(ata.sat_vendor_identification),
        product: text(ata.sat_product_identification),
        revision: text(ata.sat_product_revision_level),
        ..SatInfo::default()
    };
    let Some(id) = ata.identify() else {
        return (sat, None);
    };
    sat.ata_model = ata_text(id.model_number());
    sat.ata_serial = ata_text(id.serial_number());
    sat.ata_firmware = ata_text(id.firmware_revision());
    sat.smart_supported = id.smart_supported();
    sat.smart_enabled = id.smart_enabled();
    (sat, id.nominal_media_rotation_rate().map(RotationRate::from))
}

/// An ATA string as report text (empty when absent).
fn ata_text<const N: usize, const M: usize>(s: Option<AtaString<M>>) -> FixedText<N> {
    s.and_then(|s| FixedText::new(s.as_bytes())).unwrap_or_default()
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
            let is_lu = d.association == Association::LOGICAL_UNIT;
            if is_lu != lu_pass || !wanted(d.designator_type) {
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
