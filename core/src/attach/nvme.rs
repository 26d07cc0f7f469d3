//! Phase 6 for an NVMe SSD behind a USB bridge: read Identify Controller and the SMART /
//! Health log through the bridge's tunnel (`wire::cdb::nvme_bridge`), instead of SMART over
//! SAT, which such a bridge does not offer.
//!
//! - **Who is asked**: only a unit whose quirks name its bridge (`nvme-jmicron`,
//!   `nvme-asmedia`, `nvme-realtek`: a quirk-table row or the personality). The tunnels are
//!   vendor commands, meaningless or worse to any other device (to a SAT bridge JMicron's
//!   A1h 80h is an ATA hardware reset), so they are never tried as a probe: smartmontools
//!   too picks `-d sntjmicron` / `sntasmedia` / `sntrealtek` by USB VID:PID
//!   (`drivedb.h`), never by trying. Two NVMe quirks at once are not resolved by guessing.
//! - **Which commands**: IDENTIFY (CNS 01h, 4096 bytes), then GET LOG PAGE 02h (512 bytes).
//!   ASMedia and Realtek send one vendor CDB each; JMicron three commands per admin
//!   command (command block out, data in, response in), the data held in the report until
//!   the response says the NVMe command succeeded.
//! - **Exclusive access**: every command of this phase is sent with the device's services
//!   suspended ([`Request::exclusive`](super::Request::exclusive)); a JMicron exchange
//!   keeps them suspended from its first step to its response
//!   ([`Request::ends_exclusive`](super::Request::ends_exclusive)), so no other command can
//!   be taken for one of its steps.
//! - **The allowlist**: the engine admits these commands only through
//!   [`is_read_only_tunnel`](super::is_read_only_tunnel) for this bridge, data-out included.
//! - **Never refuses**: a bridge that rejects the tunnel, a response without its signature,
//!   an NVMe error status or an empty answer marks the health unavailable, and the attach
//!   is accepted as characterized.

use super::phase::{Cx, Next, Phase};
use super::report::{FixedText, Verdict};
use super::smart::text;
use super::smart_report::{NvmeReport, SmartReport, SmartTransport, SmartUnavailable};
use crate::policy::Failure;
use crate::quirks::Quirks;
use crate::wire::cdb::nvme_bridge::{
    asmedia, realtek, AdminCommand, BridgeCommand, JmicronCompletion, JmicronExchange, NvmeBridge,
};
use crate::wire::cdb::BuildError;
use crate::wire::nvme::{IdentifyController, SmartHealthLog};
use crate::wire::AsciiField;

/// What is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Read {
    /// Identify Controller.
    Identify,
    /// The SMART / Health log.
    HealthLog,
}

/// Which of JMicron's three commands is outstanding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JmicronStep {
    /// The 512-byte command block, out.
    CommandBlock,
    /// The admin command's data, in.
    Data,
    /// The response block, in: the NVMe completion.
    Response,
}

/// The NVMe phase's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Nvme {
    /// ASMedia's E6h or Realtek's E4h (`bridge` is one of those two): one command per read.
    Vendor { bridge: NvmeBridge, read: Read },
    /// JMicron's exchange: three commands per read.
    Jmicron { read: Read, step: JmicronStep },
}

impl Nvme {
    /// The first read when the quirks name an NVMe bridge, with the report's `smart` set up
    /// for it; `None` when they name none (the unit is asked SMART over SAT, or nothing).
    pub fn start(cx: &mut Cx<'_>) -> Option<Next> {
        let quirks = cx.report.quirks;
        let named = [
            (Quirks::NVME_JMICRON, NvmeBridge::Jmicron, SmartTransport::NvmeJmicron),
            (Quirks::NVME_ASMEDIA, NvmeBridge::Asmedia, SmartTransport::NvmeAsmedia),
            (Quirks::NVME_REALTEK, NvmeBridge::Realtek, SmartTransport::NvmeRealtek),
        ];
        let mut set = named.iter().filter(|(q, ..)| quirks.contains(*q));
        let &(_, bridge, transport) = set.next()?;
        let nvme = Some(NvmeReport::default());
        let smart =
            cx.report.smart.insert(SmartReport { transport, nvme, ..SmartReport::default() });
        if set.next().is_some() {
            smart.unavailable = Some(SmartUnavailable::ConflictingQuirks);
            return Some(Next::Done(Verdict::Accept));
        }
        // JMicron's tunnel is ATA PASS-THROUGH(12)'s opcode: a bridge said to wedge on
        // pass-through is not sent it.
        if bridge == NvmeBridge::Jmicron && quirks.contains(Quirks::NO_ATA_PASS_THROUGH) {
            smart.unavailable = Some(SmartUnavailable::Quirk);
            return Some(Next::Done(Verdict::Accept));
        }
        Some(Next::Go(Phase::Nvme(Nvme::first(bridge, Read::Identify))))
    }

    fn first(bridge: NvmeBridge, read: Read) -> Nvme {
        match bridge {
            NvmeBridge::Jmicron => Nvme::Jmicron { read, step: JmicronStep::CommandBlock },
            NvmeBridge::Asmedia | NvmeBridge::Realtek => Nvme::Vendor { bridge, read },
        }
    }

    /// The bridge whose tunnel this is (the allowlist rule to apply).
    pub fn bridge(&self) -> NvmeBridge {
        match *self {
            Nvme::Vendor { bridge, .. } => bridge,
            Nvme::Jmicron { .. } => NvmeBridge::Jmicron,
        }
    }

    fn read(&self) -> Read {
        match *self {
            Nvme::Vendor { read, .. } | Nvme::Jmicron { read, .. } => read,
        }
    }

    fn admin(&self) -> AdminCommand {
        match self.read() {
            Read::Identify => AdminCommand::IdentifyController,
            Read::HealthLog => AdminCommand::smart_health_log(),
        }
    }

    /// The command of the current state, with how it must be sent.
    pub fn command(&self) -> Result<BridgeCommand, BuildError> {
        let admin = self.admin();
        match *self {
            Nvme::Vendor { bridge: NvmeBridge::Asmedia, .. } => asmedia(&admin),
            Nvme::Vendor { .. } => realtek(&admin),
            Nvme::Jmicron { step, .. } => {
                let exchange = JmicronExchange::new(admin)?;
                Ok(match step {
                    JmicronStep::CommandBlock => exchange.command_block(),
                    JmicronStep::Data => exchange.data_phase(),
                    JmicronStep::Response => exchange.completion(),
                })
            }
        }
    }

    /// The data-out of the current command into `out`: JMicron's command block, else
    /// nothing. Returns the bytes written.
    pub fn write_data_out(&self, out: &mut [u8]) -> Result<usize, BuildError> {
        match *self {
            Nvme::Jmicron { step: JmicronStep::CommandBlock, .. } => {
                JmicronExchange::new(self.admin())?.write_command_block(out)
            }
            _ => Ok(0),
        }
    }

    pub fn on_success(self, data: &[u8], cx: &mut Cx<'_>) -> Next {
        let Some(smart) = cx.report.smart.as_mut() else {
            return Next::Done(Verdict::Accept);
        };
        match self {
            Nvme::Vendor { bridge, read } => match store(read, data, smart) {
                Ok(()) => next_read(bridge, read),
                Err(why) => unavailable(smart, why),
            },
            Nvme::Jmicron { read, step: JmicronStep::CommandBlock } => {
                Next::Go(Phase::Nvme(Nvme::Jmicron { read, step: JmicronStep::Data }))
            }
            Nvme::Jmicron { read, step: JmicronStep::Data } => match store(read, data, smart) {
                Ok(()) => {
                    Next::Go(Phase::Nvme(Nvme::Jmicron { read, step: JmicronStep::Response }))
                }
                Err(why) => unavailable(smart, why),
            },
            Nvme::Jmicron { read, step: JmicronStep::Response } => {
                match JmicronCompletion::parse(data) {
                    Ok(done) if done.value.succeeded() => next_read(NvmeBridge::Jmicron, read),
                    Ok(done) => {
                        forget(read, smart);
                        if let Some(nvme) = smart.nvme.as_mut() {
                            nvme.status = Some(done.value.status());
                        }
                        unavailable(smart, SmartUnavailable::NvmeStatus)
                    }
                    Err(_) => {
                        forget(read, smart);
                        unavailable(smart, SmartUnavailable::TunnelNoSignature)
                    }
                }
            }
        }
    }

    pub fn on_failure(self, _failure: &Failure, cx: &mut Cx<'_>) -> Next {
        let Some(smart) = cx.report.smart.as_mut() else {
            return Next::Done(Verdict::Accept);
        };
        let read = self.read();
        // A JMicron exchange abandoned after its data step: that data is unconfirmed.
        forget(read, smart);
        let why = match read {
            Read::Identify => SmartUnavailable::TunnelRejected,
            Read::HealthLog => SmartUnavailable::HealthLogUnreadable,
        };
        unavailable(smart, why)
    }
}

/// After `read` succeeded: the health log after Identify, then the end.
fn next_read(bridge: NvmeBridge, read: Read) -> Next {
    match read {
        Read::Identify => Next::Go(Phase::Nvme(Nvme::first(bridge, Read::HealthLog))),
        Read::HealthLog => Next::Done(Verdict::Accept),
    }
}

fn unavailable(smart: &mut SmartReport, why: SmartUnavailable) -> Next {
    smart.unavailable = Some(why);
    Next::Done(Verdict::Accept)
}

/// Decodes what `read` returned into the report (for JMicron, before its response has
/// confirmed it: [`forget`] takes it back).
fn store(read: Read, data: &[u8], smart: &mut SmartReport) -> Result<(), SmartUnavailable> {
    let nvme = smart.nvme.get_or_insert_with(NvmeReport::default);
    match read {
        Read::Identify => {
            let id = IdentifyController::parse(data).value;
            let blank = |s: Option<&[u8]>| s.is_none_or(|s| s.iter().all(|&b| b == 0 || b == b' '));
            let model = id.model_number.as_ref().map(AsciiField::as_bytes);
            let serial = id.serial_number.as_ref().map(AsciiField::as_bytes);
            if blank(model) && blank(serial) {
                return Err(SmartUnavailable::NvmeIdentifyUnusable);
            }
            nvme.set_identify(data);
            smart.model = text(id.model_number);
            smart.serial = text(id.serial_number);
            smart.firmware = text(id.firmware_revision);
        }
        Read::HealthLog => {
            if SmartHealthLog::parse(data).is_err() {
                return Err(SmartUnavailable::HealthLogUnreadable);
            }
            nvme.set_health_log(data);
        }
    }
    Ok(())
}

/// Takes back what [`store`] put in the report for `read`.
fn forget(read: Read, smart: &mut SmartReport) {
    let Some(nvme) = smart.nvme.as_mut() else { return };
    match read {
        Read::Identify => {
            nvme.set_identify(&[]);
            smart.model = FixedText::EMPTY;
            smart.serial = FixedText::EMPTY;
            smart.firmware = FixedText::EMPTY;
        }
        Read::HealthLog => nvme.set_health_log(&[]),
    }
}
