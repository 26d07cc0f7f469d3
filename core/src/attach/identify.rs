//! Phase 1, identify: standard INQUIRY, 36 bytes, then the length the device announced.
//!
//! Linux `scsi_probe_lun` asks 36 bytes first (SCSI-2 devices break on more) and then the
//! full length; FreeBSD's xpt probe does the same (`PROBE_INQUIRY`, `PROBE_FULL_INQUIRY`);
//! Apple's nub reads it before anything else. INQUIRY comes before TEST UNIT READY, as in
//! Linux (`scsi_probe_lun` runs before `sd_spinup_disk`): SPC-5 §6.7.1 has the device answer
//! INQUIRY whatever its readiness, a pending unit attention is neither reported nor cleared
//! by it, and knowing the identity first means the quirk table (NO_START_STOP, ...) governs
//! the spin-up and a CD-ROM (PDT 5) or an unconnected LU (PQ 1) is refused without being
//! spun up.
//!
//! The first INQUIRY is mandatory: its failure refuses the device. The full one is not: if
//! it fails, the first 36 bytes stand. The same decoding serves the one-shot re-read after
//! INQUIRY DATA HAS CHANGED ([`reread`], a detour of the engine).

use super::phase::{Cx, Next, Phase};
use super::quirk_table;
use super::report::{FixedText, RefuseReason, Report, Warning};
use super::vpd::Vpd;
use crate::policy::Failure;
use crate::quirks::Quirks;
use crate::wire::cdb::{BuildError, Command, Inquiry};
use crate::wire::inquiry::{InquiryData, PeripheralQualifier};
use crate::wire::{Ascii, Decoded, PeripheralDeviceType};

/// First standard INQUIRY allocation length (Linux `scsi_probe_lun`, SPC-2 era devices).
pub(super) const INQUIRY_FIRST_LENGTH: u16 = 36;

/// The identify phase's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Identify {
    /// The first standard INQUIRY, [`INQUIRY_FIRST_LENGTH`] bytes.
    First,
    /// Standard INQUIRY again at the length the first one announced (at most 255).
    Full {
        /// ALLOCATION LENGTH.
        allocation: u16,
    },
}

impl Identify {
    /// Where every attach starts.
    pub fn start() -> Phase {
        Phase::Identify(Identify::First)
    }

    fn allocation(&self) -> u16 {
        match *self {
            Identify::First => INQUIRY_FIRST_LENGTH,
            Identify::Full { allocation } => allocation,
        }
    }

    pub fn command(&self) -> Result<Command, BuildError> {
        standard_inquiry(self.allocation())
    }

    pub fn on_success(self, data: &[u8], cx: &mut Cx<'_>) -> Next {
        cx.learned.inquiry_allocation = self.allocation();
        match self {
            Identify::First => match first(data, cx) {
                Ok(Some(allocation)) => Next::Go(Phase::Identify(Identify::Full { allocation })),
                Ok(None) => Vpd::start(cx),
                Err(reason) => Next::Done(reason.into()),
            },
            Identify::Full { .. } => {
                if identity(data, cx.report, &mut cx.learned.protect).is_err() {
                    // The full read disagrees with the first one: keep the first.
                    cx.warn(Warning::InquiryFullFailed);
                }
                Vpd::start(cx)
            }
        }
    }

    pub fn on_failure(self, failure: &Failure, cx: &mut Cx<'_>) -> Next {
        match self {
            Identify::First => Next::Done(RefuseReason::for_failure(failure).into()),
            Identify::Full { .. } => {
                cx.warn(Warning::InquiryFullFailed);
                Vpd::start(cx)
            }
        }
    }
}

/// Standard INQUIRY (EVPD = 0) of `allocation` bytes.
pub(super) fn standard_inquiry(allocation: u16) -> Result<Command, BuildError> {
    Inquiry { evpd_page: None, allocation_length: allocation }.encode()
}

/// The first INQUIRY's data: the identity, the effective quirks, and `Some(length)` when the
/// full data should be asked for at that length.
///
/// Linux `scsi_probe_lun`: a response longer than the first 36 bytes is asked for again at
/// its full length, capped at 255 bytes (what SCSI-2 era one-byte allocation length devices
/// can take), unless BLIST_INQUIRY_36. Only a length announced beyond the first allocation
/// is asked for: a device that realized less than it announced would get the very same CDB
/// again and answer the same.
fn first(data: &[u8], cx: &mut Cx<'_>) -> Result<Option<u16>, RefuseReason> {
    let decoded = identity(data, cx.report, &mut cx.learned.protect)?;
    let report = &mut *cx.report;
    if decoded.value.product_revision_level.is_none() {
        report.warnings.push(Warning::InquiryShort);
    }
    let (vendor, product, revision) =
        (report.vendor.as_bytes(), report.product.as_bytes(), report.revision.as_bytes());
    let added = cx.config.quirks_added();
    report.quirks =
        (quirk_table::lookup(vendor, product, revision) | added) & !cx.config.quirks_off;
    let first_allocation = usize::from(INQUIRY_FIRST_LENGTH);
    if report.quirks.contains(Quirks::INQUIRY_36) || decoded.announced <= first_allocation {
        return Ok(None);
    }
    Ok(Some(u16::try_from(decoded.announced.min(255)).unwrap_or(255)))
}

/// Standard INQUIRY (SPC-5 §6.7.2): identity, removable, version, PROTECT into the report;
/// refuses PQ ≠ 0 (SPC-5 table "Peripheral qualifier": 001b not connected, 011b not
/// supported) and PDT ≠ 0. Returns the decoded data.
fn identity<'d>(
    data: &'d [u8],
    report: &mut Report,
    protect: &mut bool,
) -> Result<Decoded<InquiryData<'d>>, RefuseReason> {
    let decoded = InquiryData::parse(data).map_err(|_| RefuseReason::InquiryFailed)?;
    let inq = decoded.value;
    if inq.peripheral_qualifier != PeripheralQualifier::CONNECTED {
        return Err(RefuseReason::NotConnected { peripheral_qualifier: inq.peripheral_qualifier });
    }
    if inq.peripheral_device_type != PeripheralDeviceType::DIRECT_ACCESS_BLOCK {
        return Err(RefuseReason::NotDirectAccess {
            peripheral_device_type: inq.peripheral_device_type,
        });
    }
    report.peripheral_device_type = inq.peripheral_device_type.0;
    report.version = inq.version;
    report.removable = inq.rmb;
    *protect = inq.protect.unwrap_or(false);
    report.vendor = text(inq.t10_vendor_identification);
    report.product = text(inq.product_identification);
    report.revision = text(inq.product_revision_level);
    Ok(decoded)
}

/// The one-shot re-read of standard INQUIRY after INQUIRY DATA HAS CHANGED (3Fh/03h) or
/// DEVICE IDENTIFIER CHANGED (3Fh/05h). The identity is updated, the quirks stay those of
/// the first INQUIRY. `Err`: the LU now says it is not connected or not a disk.
pub(super) fn reread(data: &[u8], cx: &mut Cx<'_>) -> Result<(), RefuseReason> {
    match identity(data, cx.report, &mut cx.learned.protect) {
        Ok(_) => Ok(()),
        Err(RefuseReason::InquiryFailed) => {
            cx.warn(Warning::InquiryRereadFailed);
            Ok(())
        }
        Err(reason) => Err(reason),
    }
}

/// An INQUIRY-style text field as report text (empty when absent or too long).
pub(super) fn text<const N: usize>(field: Option<Ascii<'_>>) -> FixedText<N> {
    field.and_then(|a| FixedText::new(a.as_bytes())).unwrap_or_default()
}
