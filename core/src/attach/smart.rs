//! Phase 6, SMART over SAT: after characterization, read the ATA drive's health through the
//! bridge's ATA PASS-THROUGH (SAT-4 §12.2), with read-only ATA commands only: IDENTIFY
//! DEVICE, SMART RETURN STATUS, SMART READ DATA, SMART READ THRESHOLDS (ACS-4 §7.13, §7.48).
//!
//! - **Who is asked**: a unit whose VPD page 89h (ATA Information) says a SAT layer is there,
//!   or, for a unit on USB (the transport of nearly every SAT bridge), one IDENTIFY DEVICE
//!   attempt. Never with `no-ata-pass-through` (bridges that wedge on it). smartmontools
//!   probes the same way (`-d sat` on USB devices); Linux libata answers 89h.
//! - **Which command**: ATA PASS-THROUGH(16); when a bridge answers it with INVALID COMMAND
//!   OPERATION CODE, the (12) form (older bridges: smartmontools' `sat,12`).
//! - **The registers**: SMART RETURN STATUS is non-data with CK_COND set, so the bridge
//!   returns the ATA registers in sense data (22 bytes: the ATA Status Return descriptor,
//!   SAT-4 §12.2.2.6, or fixed format, §12.2.2.7); LBA Mid/High 4Fh/C2h is good, F4h/2Ch a
//!   threshold exceeded. A bridge that returns no registers leaves the status unknown.
//! - **Never refuses**: the whole phase is optional. A bridge that rejects pass-through marks
//!   SMART unavailable, and the attach is accepted as characterized.
//! - **Not sent**: SMART ENABLE OPERATIONS (it changes the drive's configuration, and the
//!   characterization allowlist admits no such command); a drive with SMART disabled is
//!   reported so.

use super::nvme::Nvme;
use super::phase::{Cx, Next, Phase};
use super::report::{FixedText, Verdict};
use super::smart_report::{PassThrough, SmartReport, SmartUnavailable};
use crate::policy::{Failure, Reason};
use crate::quirks::Quirks;
use crate::wire::ata_identify::{AtaString, IdentifyDevice};
use crate::wire::cdb::{AtaPassThrough12, AtaPassThrough16, AtaProtocol, BuildError, Command};
use crate::wire::smart::{ReturnStatus, SmartData, SmartQuirks, SmartThresholds, SMART_LEN};

/// ATA commands (ACS-4): IDENTIFY DEVICE, and SMART with its FEATURES values.
const IDENTIFY_DEVICE: u8 = 0xEC;
const SMART: u8 = 0xB0;
const SMART_READ_DATA: u16 = 0xD0;
const SMART_READ_THRESHOLDS: u16 = 0xD1;
const SMART_RETURN_STATUS: u16 = 0xDA;
/// LBA Mid/High C24Fh: the signature every SMART command carries (ACS-4 §7.48).
const SMART_LBA: u64 = 0xC2_4F00;

/// The SMART phase's states; each carries the pass-through form in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Smart {
    /// IDENTIFY DEVICE: model, serial, firmware, SMART supported and enabled.
    Identify(PassThrough),
    /// SMART RETURN STATUS, CK_COND set.
    ReturnStatus(PassThrough),
    /// SMART READ DATA.
    ReadData(PassThrough),
    /// SMART READ THRESHOLDS.
    ReadThresholds(PassThrough),
}

impl Smart {
    /// The NVMe phase when the quirks name an NVMe bridge; else IDENTIFY DEVICE when this
    /// unit is worth asking, else the end of the attach.
    pub fn start(cx: &mut Cx<'_>) -> Next {
        if let Some(next) = Nvme::start(cx) {
            return next;
        }
        let sat = cx.report.sat.is_some();
        if !sat && !cx.config.usb {
            return Next::Done(Verdict::Accept);
        }
        if cx.report.quirks.contains(Quirks::NO_ATA_PASS_THROUGH) {
            let unavailable = Some(SmartUnavailable::Quirk);
            cx.report.smart = Some(SmartReport { unavailable, ..SmartReport::default() });
            return Next::Done(Verdict::Accept);
        }
        cx.report.smart = Some(SmartReport::default());
        Next::Go(Phase::Smart(Smart::Identify(PassThrough::Sixteen)))
    }

    fn form(&self) -> PassThrough {
        match *self {
            Smart::Identify(f)
            | Smart::ReturnStatus(f)
            | Smart::ReadData(f)
            | Smart::ReadThresholds(f) => f,
        }
    }

    pub fn command(&self) -> Result<Command, BuildError> {
        let (protocol, features, data_in, ck_cond, command) = match *self {
            Smart::Identify(_) => (AtaProtocol::PIO_DATA_IN, 0, true, false, IDENTIFY_DEVICE),
            Smart::ReturnStatus(_) => {
                (AtaProtocol::NON_DATA, SMART_RETURN_STATUS, false, true, SMART)
            }
            Smart::ReadData(_) => (AtaProtocol::PIO_DATA_IN, SMART_READ_DATA, true, false, SMART),
            Smart::ReadThresholds(_) => {
                (AtaProtocol::PIO_DATA_IN, SMART_READ_THRESHOLDS, true, false, SMART)
            }
        };
        let lba = if command == SMART { SMART_LBA } else { 0 };
        // Data-in: PIO, one 512-byte sector counted in COUNT (T_LENGTH 10b, BYTE_BLOCK,
        // T_DIR from the device); non-data: T_LENGTH 00b (SAT-4 §12.2.2).
        let (t_length, count) = if data_in { (2, 1) } else { (0, 0) };
        // The same fields in both forms; (16) adds EXTEND (0: 28-bit commands).
        macro_rules! pass_through {
            ($form:ident { $($extra:tt)* }) => {
                $form {
                    protocol,
                    multiple_count: 0,
                    off_line: 0,
                    ck_cond,
                    t_type: false,
                    t_dir: data_in,
                    byte_block: data_in,
                    t_length,
                    features,
                    count,
                    lba,
                    device: 0,
                    command,
                    block_length: 512,
                    $($extra)*
                }
                .encode()
            };
        }
        match self.form() {
            PassThrough::Sixteen => pass_through!(AtaPassThrough16 { extend: false }),
            PassThrough::Twelve => pass_through!(AtaPassThrough12 {}),
        }
    }

    pub fn on_success(self, data: &[u8], cx: &mut Cx<'_>) -> Next {
        let form = self.form();
        let Some(smart) = cx.report.smart.as_mut() else {
            return Next::Done(Verdict::Accept);
        };
        smart.pass_through = Some(form);
        match self {
            Smart::Identify(_) => identified(form, data, smart),
            Smart::ReturnStatus(_) => {
                smart.status = cx.ata.map(|a| ReturnStatus::from_lba(u64::from(a.lba_low24())));
                Next::Go(Phase::Smart(Smart::ReadData(form)))
            }
            Smart::ReadData(_) => match SmartData::parse(whole(data)) {
                Ok(d) => {
                    smart.data = Some(d.value);
                    Next::Go(Phase::Smart(Smart::ReadThresholds(form)))
                }
                Err(_) => Next::Done(Verdict::Accept),
            },
            Smart::ReadThresholds(_) => {
                smart.thresholds = SmartThresholds::parse(whole(data)).ok().map(|d| d.value);
                Next::Done(Verdict::Accept)
            }
        }
    }

    pub fn on_failure(self, failure: &Failure, cx: &mut Cx<'_>) -> Next {
        let Some(smart) = cx.report.smart.as_mut() else {
            return Next::Done(Verdict::Accept);
        };
        match self {
            // An older bridge: try the (12) form of the same command.
            Smart::Identify(PassThrough::Sixteen) if failure.reason == Reason::InvalidOpcode => {
                Next::Go(Phase::Smart(Smart::Identify(PassThrough::Twelve)))
            }
            Smart::Identify(_) => {
                smart.unavailable = Some(SmartUnavailable::PassThroughRejected);
                Next::Done(Verdict::Accept)
            }
            // No registers: the status stays unknown, the data may still be read.
            Smart::ReturnStatus(form) => Next::Go(Phase::Smart(Smart::ReadData(form))),
            Smart::ReadData(_) | Smart::ReadThresholds(_) => Next::Done(Verdict::Accept),
        }
    }
}

/// The first 512 bytes, or what there is (the decoders report a cut as absent fields).
fn whole(data: &[u8]) -> &[u8] {
    data.get(..SMART_LEN).unwrap_or(data)
}

/// IDENTIFY DEVICE answered: the identity, then SMART RETURN STATUS when SMART is on.
fn identified(form: PassThrough, data: &[u8], smart: &mut SmartReport) -> Next {
    if data.len() < SMART_LEN {
        smart.unavailable = Some(SmartUnavailable::IdentifyUnusable);
        return Next::Done(Verdict::Accept);
    }
    let id = IdentifyDevice::new(data);
    smart.model = text(id.model_number());
    smart.serial = text(id.serial_number());
    smart.firmware = text(id.firmware_revision());
    smart.quirks = SmartQuirks::for_drive(smart.model.as_bytes(), smart.firmware.as_bytes());
    match (id.smart_supported(), id.smart_enabled()) {
        (Some(true), Some(true)) => Next::Go(Phase::Smart(Smart::ReturnStatus(form))),
        (Some(true), _) => {
            smart.unavailable = Some(SmartUnavailable::Disabled);
            Next::Done(Verdict::Accept)
        }
        _ => {
            smart.unavailable = Some(SmartUnavailable::NotSupported);
            Next::Done(Verdict::Accept)
        }
    }
}

/// An ATA or NVMe string field as report text (empty when absent or not printable).
pub(super) fn text<const N: usize, const M: usize>(s: Option<AtaString<M>>) -> FixedText<N> {
    s.and_then(|s| FixedText::new(s.as_bytes())).unwrap_or_default()
}
