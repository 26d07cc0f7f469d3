//! NVMe SSDs behind USB-to-NVMe bridges: the bridge's tunnel for NVMe admin commands, as
//! smartmontools' SNT layer (`scsinvme.cpp`: `sntjmicron_device`, `sntasmedia_device`,
//! `sntrealtek_device`, each `::nvme_pass_through`) and openSeaChest's transport
//! (`jmicron_nvme_helper.c`, `asmedia_nvme_helper.c`, `realtek_nvme_helper.c`) send them
//! (docs/references.md §NVMe behind USB bridges).
//!
//! The CDBs are parsed here by hand from those layouts, never with `sbc_core::wire`, whose
//! builders (`sbc_core::wire::cdb::nvme_bridge`) this simulator exists to test:
//!
//! ```text
//! ASMedia E6h (16 bytes, data in):  1 NVMe opcode   3 CNS or LID
//!                                   6..=7 NUMDL, big-endian (dwords - 1)
//! Realtek E4h (16 bytes, data in):  1..=2 transfer length, little-endian
//!                                   3 NVMe opcode   4 CNS or LID
//! JMicron A1h (12 bytes):           1 80h command block out, 82h data in, 8Fh response in
//!                                   3..=5 length, big-endian
//!   command block (512 bytes): 0..=3 "NVME", 8 opcode, 12..=15 NSID, 48..=51 CDW10,
//!                              52..=55 CDW11, 72 vendor control (must be 0)
//!   response (512 bytes):      0..=3 "NVME", 8..=11 CQE dword 0, 20..=23 CQE dword 3
//!                              (status field in bits 31:17, phase tag bit 16 left 0)
//! ```
//!
//! The simulated controller executes IDENTIFY (06h) CNS 01h (the profile's Identify
//! Controller bytes) and GET LOG PAGE (02h) of logs 01h (Error Information: zeros, no error
//! recorded), 02h (the profile's SMART / Health bytes) and 03h (Firmware Slot: slot 1 active
//! with the Identify's FR, [`nvme_pages::firmware_slot_log`]), each cut to the length asked
//! and padded with zeros past the log's end. Anything else fails with the NVMe status
//! Invalid Command Opcode (0001h) or Invalid Field in Command (0002h) (NVMe Base 2.0a
//! figure "Generic Command Status Values"); ASMedia and Realtek report those as CHECK
//! CONDITION, ILLEGAL REQUEST, INVALID FIELD IN CDB pointing at the opcode or the CNS/LID
//! byte (openSeaChest notes Realtek's sense names the NVMe opcode as the invalid field).
//!
//! The bridge is no SCSI/ATA Translation layer: ATA PASS-THROUGH(16) (85h), A1h with any
//! byte 1 but 80h/82h/8Fh, and the vendor opcode of the other bridge families are INVALID
//! COMMAND OPERATION CODE.

use sbc_core::wire::cdb::nvme_bridge::NvmeBridge;

use super::nvme_pages::{self, IDENTIFY_LEN, SMART_HEALTH_LEN};
use super::sense_key::*;
use super::{copy_data_in, SenseData};

/// The NVMe SSD behind a USB bridge of a [`Profile`](super::Profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvmeBridgeProfile {
    /// Which bridge family's tunnel the enclosure speaks.
    pub protocol: NvmeBridge,
    /// The Identify Controller data structure (4096 bytes; cut or padded with zeros to
    /// 4096 when served), [`nvme_pages::IdentifyControllerData::to_bytes`].
    pub identify: Vec<u8>,
    /// The SMART / Health Information log page (512 bytes; cut or padded with zeros to 512
    /// when served), [`nvme_pages::SmartHealthData::to_bytes`].
    pub smart_log: Vec<u8>,
    /// How the tunnel misbehaves.
    pub fault: NvmeBridgeFault,
}

/// Ways a bridge's NVMe tunnel fails, as the references' error paths anticipate them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NvmeBridgeFault {
    /// The tunnel works.
    #[default]
    None,
    /// A firmware without the tunnel: every bridge CDB (A1h, E4h, E6h) is CHECK CONDITION,
    /// ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (20h/00h), what a device answers to
    /// any opcode it does not implement.
    TunnelRejected,
    /// JMicron: the step-3 response block does not start with "NVME" (all 512 bytes are
    /// zeros, GOOD), the case smartmontools reports as "Out of spec JMicron NVMe reply" and
    /// openSeaChest checks against `JMICRON_NVME_NAMESTRING`. ASMedia and Realtek carry no
    /// signature: their nearest real failure is a firmware that does not know the opcode,
    /// so this fault behaves as [`NvmeBridgeFault::TunnelRejected`] for them.
    WrongSignature,
    /// The data phase moves half of what it would (rounded down), with GOOD status; the
    /// realized count says so. JMicron: step 2 only (the command block and the response
    /// are whole, the response reports success).
    ShortTransfer,
    /// Every admin command completes with this NVMe status field (15 bits: SC in 7:0, SCT
    /// in 10:8, CRD 12:11, More 13, DNR 14; NVMe Base 2.0a §4.6.1) and moves no data.
    /// JMicron: step 2 is GOOD with no data and the response carries the status in dword 3
    /// bits 31:17 (where smartmontools reads it, `nvm_reply[5] >> 17`). ASMedia and Realtek
    /// have no completion to carry it, so the status becomes sense (when SCT/SC are not
    /// 0; with SCT/SC 0 the command is GOOD with no data), mapped as Linux's former
    /// NVMe-SCSI translation did (`drivers/nvme/host/scsi.c`, `nvme_trans_status_code`, after
    /// the NVM Express SCSI Translation Reference): 0001h ILLEGAL REQUEST 20h/00h, 0002h
    /// ILLEGAL REQUEST 24h/00h, 0004h MEDIUM ERROR 00h/00h, 0006h HARDWARE ERROR 44h/00h,
    /// 0007h ABORTED COMMAND 00h/00h, 0281h MEDIUM ERROR 11h/00h, anything else ILLEGAL
    /// REQUEST 00h/00h. What a real ASMedia or Realtek firmware answers is unverified.
    NvmeStatus(u16),
}

const INVALID_OPCODE: SenseData = SenseData::new(ILLEGAL_REQUEST, 0x20, 0x00);
const INVALID_FIELD: SenseData = SenseData::new(ILLEGAL_REQUEST, 0x24, 0x00);
const INVALID_PARAMETER: SenseData = SenseData::new(ILLEGAL_REQUEST, 0x26, 0x00);
const PARAMETER_LIST_LENGTH: SenseData = SenseData::new(ILLEGAL_REQUEST, 0x1A, 0x00);
const SEQUENCE_ERROR: SenseData = SenseData::new(ILLEGAL_REQUEST, 0x2C, 0x00);

/// NVMe admin opcodes (NVMe Base 2.0a figure "Opcodes for Admin Commands").
const OP_GET_LOG_PAGE: u8 = 0x02;
const OP_IDENTIFY: u8 = 0x06;
/// IDENTIFY CNS 01h: Identify Controller (figure "CNS Values").
const CNS_CONTROLLER: u8 = 0x01;
/// Log page identifiers (figure "Log Page Identifiers"): Error Information, SMART / Health,
/// Firmware Slot.
const LID_ERROR: u8 = 0x01;
const LID_SMART: u8 = 0x02;
const LID_FIRMWARE_SLOT: u8 = 0x03;
/// Generic command status values (figure "Generic Command Status Values") as 15-bit status
/// fields (SCT 0).
const STATUS_INVALID_OPCODE: u16 = 0x0001;
const STATUS_INVALID_FIELD: u16 = 0x0002;
/// Vendor opcodes and the JMicron layout (module doc).
const ASMEDIA: u8 = 0xE6;
const REALTEK: u8 = 0xE4;
const JMICRON: u8 = 0xA1;
const ATA_PASS_THROUGH_16: u8 = 0x85;
const JM_SIGNATURE: &[u8; 4] = b"NVME";
const JM_BLOCK: usize = 512;

/// Whether an NVMe-bridge profile routes `opcode` to [`Tunnel::execute`] instead of its
/// SCSI command set: the bridge opcodes and ATA PASS-THROUGH, which it rejects.
pub(super) fn routes(opcode: u8) -> bool {
    matches!(opcode, ASMEDIA | REALTEK | JMICRON | ATA_PASS_THROUGH_16)
}

/// One NVMe admin command as the controller sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AdminRequest {
    opcode: u8,
    /// CDW10 bits 7:0: CNS for IDENTIFY, LID for GET LOG PAGE.
    selector: u8,
    /// Bytes a GET LOG PAGE asks for (4 × (NUMD + 1)); IDENTIFY always returns 4096.
    log_length: u64,
}

/// Where a JMicron exchange stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Exchange {
    /// No command block accepted (or the last exchange ended).
    #[default]
    Idle,
    /// Step 1 accepted this command; step 2 executes it.
    Pending(AdminRequest),
    /// Step 2 ran; step 3 returns this status field.
    Completed { status: u16 },
}

/// The bridge's state between commands: the JMicron exchange in progress.
#[derive(Debug, Clone, Default)]
pub(super) struct Tunnel {
    exchange: Exchange,
}

impl Tunnel {
    /// Forgets any exchange in progress (power loss).
    pub(super) fn reset(&mut self) {
        self.exchange = Exchange::Idle;
    }

    /// Executes a CDB whose opcode [`routes`] accepted: the realized byte count for GOOD, or
    /// the sense of a CHECK CONDITION. `expected` is the caller's transfer length; `data`
    /// is the data-out buffer for JMicron's step 1 and the data-in buffer otherwise.
    pub(super) fn execute(
        &mut self,
        p: &NvmeBridgeProfile,
        cdb: &[u8],
        expected: u64,
        data: &mut [u8],
    ) -> Result<u64, SenseData> {
        let rejected = matches!(p.fault, NvmeBridgeFault::TunnelRejected)
            || (p.fault == NvmeBridgeFault::WrongSignature && p.protocol != NvmeBridge::Jmicron);
        let limit = usize::try_from(expected).unwrap_or(usize::MAX).min(data.len());
        match (cdb.first().copied(), p.protocol) {
            _ if rejected => Err(INVALID_OPCODE),
            (Some(JMICRON), NvmeBridge::Jmicron) if cdb.len() == 12 => {
                self.jmicron(p, cdb, limit, data)
            }
            (Some(ASMEDIA), NvmeBridge::Asmedia) if cdb.len() == 16 => {
                let numdl = u16::from_be_bytes([cdb[6], cdb[7]]);
                let request = AdminRequest {
                    opcode: cdb[1],
                    selector: cdb[3],
                    log_length: 4 * (u64::from(numdl) + 1),
                };
                vendor(p, request, (1, 3), limit, data)
            }
            (Some(REALTEK), NvmeBridge::Realtek) if cdb.len() == 16 => {
                let length = u16::from_le_bytes([cdb[1], cdb[2]]);
                let request =
                    AdminRequest { opcode: cdb[3], selector: cdb[4], log_length: length.into() };
                // The bridge moves the CDB's transfer length, IDENTIFY included.
                vendor(p, request, (3, 4), limit.min(usize::from(length)), data)
            }
            _ => Err(INVALID_OPCODE),
        }
    }

    /// The three JMicron steps (module doc). A step out of order is ILLEGAL REQUEST, COMMAND
    /// SEQUENCE ERROR (2Ch/00h). Every A1h ends the exchange in progress: a new command
    /// block replaces it, and a step out of order or an unknown byte 1 abandons it.
    fn jmicron(
        &mut self,
        p: &NvmeBridgeProfile,
        cdb: &[u8],
        limit: usize,
        data: &mut [u8],
    ) -> Result<u64, SenseData> {
        let length = u32::from_be_bytes([0, cdb[3], cdb[4], cdb[5]]) as usize;
        let state = std::mem::take(&mut self.exchange);
        match cdb[1] {
            // Step 1: the 512-byte command block, data out.
            0x80 => {
                if length != JM_BLOCK {
                    return Err(SenseData { field_pointer: Some((3, None)), ..INVALID_FIELD });
                }
                let block = data.get(..JM_BLOCK).filter(|_| limit >= JM_BLOCK);
                let Some(block) = block else { return Err(PARAMETER_LIST_LENGTH) };
                if &block[0..4] != JM_SIGNATURE || block[72] != 0 {
                    return Err(INVALID_PARAMETER);
                }
                let le32 = |at: usize| {
                    u32::from_le_bytes([block[at], block[at + 1], block[at + 2], block[at + 3]])
                };
                let (cdw10, cdw11) = (le32(48), le32(52));
                // NUMD = NUMDU (CDW11 15:0) : NUMDL (CDW10 31:16), dwords minus one.
                let numd = u64::from(cdw11 & 0xFFFF) << 16 | u64::from(cdw10 >> 16);
                self.exchange = Exchange::Pending(AdminRequest {
                    opcode: block[8],
                    selector: cdw10 as u8,
                    log_length: 4 * (numd + 1),
                });
                Ok(JM_BLOCK as u64)
            }
            // Step 2: the command's data, data in.
            0x82 => {
                let Exchange::Pending(request) = state else { return Err(SEQUENCE_ERROR) };
                let limit = limit.min(length);
                let (status, moved) = match p.fault {
                    NvmeBridgeFault::NvmeStatus(status) => (status, 0),
                    _ => match admin(p, request, limit) {
                        Ok(response) => (0, deliver(p, &response, data)),
                        Err(status) => (status, 0),
                    },
                };
                self.exchange = Exchange::Completed { status };
                Ok(moved)
            }
            // Step 3: the 512-byte response information, data in.
            0x8F => {
                let Exchange::Completed { status } = state else { return Err(SEQUENCE_ERROR) };
                let mut block = vec![0u8; JM_BLOCK];
                if p.fault != NvmeBridgeFault::WrongSignature {
                    block[0..4].copy_from_slice(JM_SIGNATURE);
                    // Dword 0 (bytes 8..=11) is command specific: 0 for these commands.
                    let dw3 = u32::from(status & 0x7FFF) << 17;
                    block[20..24].copy_from_slice(&dw3.to_le_bytes());
                }
                Ok(copy_data_in(&block, limit.min(length) as u64, data))
            }
            _ => Err(INVALID_OPCODE),
        }
    }
}

/// An ASMedia or Realtek command: one CDB, data in. `opcode_byte` and `selector_byte` are
/// the CDB bytes of the NVMe opcode and of the CNS/LID, for the field pointer of INVALID
/// FIELD IN CDB.
fn vendor(
    p: &NvmeBridgeProfile,
    request: AdminRequest,
    (opcode_byte, selector_byte): (u16, u16),
    limit: usize,
    data: &mut [u8],
) -> Result<u64, SenseData> {
    if let NvmeBridgeFault::NvmeStatus(status) = p.fault {
        return match status_sense(status) {
            Some(sense) => Err(sense),
            None => Ok(0),
        };
    }
    match admin(p, request, limit) {
        Ok(response) => Ok(deliver(p, &response, data)),
        Err(STATUS_INVALID_OPCODE) => {
            Err(SenseData { field_pointer: Some((opcode_byte, None)), ..INVALID_FIELD })
        }
        Err(_) => Err(SenseData { field_pointer: Some((selector_byte, None)), ..INVALID_FIELD }),
    }
}

/// Copies a data-in response, halved under [`NvmeBridgeFault::ShortTransfer`].
fn deliver(p: &NvmeBridgeProfile, response: &[u8], data: &mut [u8]) -> u64 {
    let n = match p.fault {
        NvmeBridgeFault::ShortTransfer => response.len() / 2,
        _ => response.len(),
    };
    copy_data_in(&response[..n], n as u64, data)
}

/// `bytes` cut or padded with zeros to `len`.
fn fitted(bytes: &[u8], len: usize) -> Vec<u8> {
    let mut v = bytes[..bytes.len().min(len)].to_vec();
    v.resize(len, 0);
    v
}

/// The controller: the data of `request`, at most `limit` bytes of it, or the NVMe status
/// field of its failure (module doc).
fn admin(p: &NvmeBridgeProfile, request: AdminRequest, limit: usize) -> Result<Vec<u8>, u16> {
    let log_length = usize::try_from(request.log_length).unwrap_or(usize::MAX).min(limit);
    match (request.opcode, request.selector) {
        (OP_IDENTIFY, CNS_CONTROLLER) => Ok(fitted(&p.identify, IDENTIFY_LEN.min(limit))),
        (OP_IDENTIFY, _) => Err(STATUS_INVALID_FIELD),
        (OP_GET_LOG_PAGE, LID_ERROR) => Ok(vec![0; log_length]),
        (OP_GET_LOG_PAGE, LID_SMART) => {
            Ok(fitted(&fitted(&p.smart_log, SMART_HEALTH_LEN), log_length))
        }
        (OP_GET_LOG_PAGE, LID_FIRMWARE_SLOT) => {
            let fr = fitted(&p.identify, 72).split_off(64);
            Ok(fitted(&nvme_pages::firmware_slot_log(&fr), log_length))
        }
        (OP_GET_LOG_PAGE, _) => Err(STATUS_INVALID_FIELD),
        _ => Err(STATUS_INVALID_OPCODE),
    }
}

/// The sense an ASMedia or Realtek bridge returns for an NVMe status field, `None` for
/// success (SCT and SC 0); the mapping of [`NvmeBridgeFault::NvmeStatus`].
fn status_sense(status: u16) -> Option<SenseData> {
    const HARDWARE_ERROR: u8 = 0x4;
    let (key, asc) = match status & 0x07FF {
        0x0000 => return None,
        0x0001 => (ILLEGAL_REQUEST, 0x20),
        0x0002 => (ILLEGAL_REQUEST, 0x24),
        0x0004 => (MEDIUM_ERROR, 0x00),
        0x0006 => (HARDWARE_ERROR, 0x44),
        0x0007 => (ABORTED_COMMAND, 0x00),
        0x0281 => (MEDIUM_ERROR, 0x11),
        _ => (ILLEGAL_REQUEST, 0x00),
    };
    Some(SenseData::new(key, asc, 0x00))
}
