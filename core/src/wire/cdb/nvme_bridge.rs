//! Read-only NVMe admin commands through USB-to-NVMe bridges: JMicron (JMS583 family),
//! ASMedia (ASM2362/ASM2364/ASM246x) and Realtek (RTL9210/RTL9220). None of these
//! protocols is a standard; each layout below is the one smartmontools' SNT layer
//! (`scsinvme.cpp`, read at commit 0c0bada5eedb) sends, checked against the public
//! openSeaChest transport (`Seagate/opensea-transport`: `src/jmicron_nvme_helper.c`,
//! `src/asmedia_nvme_helper.c`, `src/realtek_nvme_helper.c`). Where the two differ, the
//! doc of the item says so; docs/references.md §NVMe behind USB bridges lists what is
//! unverified without the hardware.
//!
//! # Which commands
//!
//! Only [`AdminCommand`]'s three forms can be built: IDENTIFY (opcode 06h) with CNS 01h
//! (controller) or 00h (namespace), and GET LOG PAGE (opcode 02h) of the Error Information
//! (01h), SMART / Health Information (02h) or Firmware Slot Information (03h) log, offset 0,
//! RAE 0 (as smartmontools' `nvme_read_log_page_1`). These only read; the type cannot express
//! any other command. Reading a log with RAE 0 may clear a pending asynchronous event of its
//! type inside the controller (NVMe Base 2.0a §5.16); nothing on the medium changes.
//!
//! # Exclusive access
//!
//! Every [`BridgeCommand`] carries `exclusive: true`: the shim must send it between
//! `UserSuspendServices` and `UserResumeServices`. For the ASMedia (E6h) and Realtek (E4h)
//! opcodes that is what DriverKit demands of any vendor opcode
//! ([`needs_exclusive_access`](super::needs_exclusive_access) agrees). The JMicron exchange
//! uses the standard ATA PASS-THROUGH(12) opcode A1h, which DriverKit would accept alone,
//! but its three commands only mean something in sequence: a kernel command between them
//! (or a SAT command from anyone else) would be taken for the next step. So the whole
//! exchange is one exclusive section: services stay suspended from the first step until
//! the step whose `ends_exclusive` is true has completed, or until the exchange is
//! abandoned on a failure. ASMedia and Realtek commands are sections of one command.

use super::{fits, BuildError, Cdb, Command, DataDirection};
use crate::wire::{Decoded, Error};

/// NVMe admin opcode of GET LOG PAGE.
pub const NVME_GET_LOG_PAGE: u8 = 0x02;
/// NVMe admin opcode of IDENTIFY.
pub const NVME_IDENTIFY: u8 = 0x06;
/// Bytes of an Identify data structure.
pub const IDENTIFY_DATA_LEN: u32 = 4096;
/// Largest GET LOG PAGE transfer built at all (smartmontools' `nvme_read_log_page_1` reads
/// at most one 4 KiB page per command).
pub const LOG_PAGE_MAX_LEN: u32 = 4096;
/// Largest GET LOG PAGE transfer the ASMedia and Realtek forms ask for: smartmontools
/// truncates to 200h for both (`sntasmedia_device::nvme_pass_through`: "Reading more
/// results in command timeout"; `sntrealtek_device::nvme_pass_through`: "Reading more
/// apparently returns old data from previous command").
pub const VENDOR_LOG_MAX_LEN: u32 = 512;
/// The JMicron command block and completion length (`SNT_JMICRON_NVM_CMD_LEN`).
pub const JMICRON_BLOCK_LEN: usize = 512;
/// The JMicron signature, the first four bytes of the command block and of the completion:
/// ASCII "NVME" (smartmontools' `SNT_JMICRON_NVME_SIGNATURE` 0x454d564e stored
/// little-endian; openSeaChest's `JMICRON_NVME_NAMESTRING`).
pub const JMICRON_SIGNATURE: [u8; 4] = *b"NVME";
/// ASMedia's vendor opcode.
pub const ASMEDIA_OPCODE: u8 = 0xE6;
/// Realtek's vendor opcode (data-in).
pub const REALTEK_OPCODE: u8 = 0xE4;
/// JMicron's opcode: ATA PASS-THROUGH(12).
pub const JMICRON_OPCODE: u8 = 0xA1;

/// A log page the bridges may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogPage {
    /// Error Information (01h).
    ErrorInformation,
    /// SMART / Health Information (02h).
    SmartHealth,
    /// Firmware Slot Information (03h).
    FirmwareSlot,
}

impl LogPage {
    /// The Log Page Identifier (LID).
    pub const fn id(self) -> u8 {
        match self {
            LogPage::ErrorInformation => 0x01,
            LogPage::SmartHealth => 0x02,
            LogPage::FirmwareSlot => 0x03,
        }
    }
}

/// A read-only NVMe admin command (NVMe Base 2.0a §5.16 Get Log Page, §5.17 Identify).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminCommand {
    /// IDENTIFY, CNS 01h: the Identify Controller data structure (4096 bytes), NSID 0.
    IdentifyController,
    /// IDENTIFY, CNS 00h: the Identify Namespace data structure of `nsid` (4096 bytes).
    IdentifyNamespace {
        /// Namespace ID (not 0).
        nsid: u32,
    },
    /// GET LOG PAGE of `page`, `length` bytes from offset 0.
    GetLogPage {
        /// Which log.
        page: LogPage,
        /// Namespace ID: FFFFFFFFh (or 0) for the controller's log.
        nsid: u32,
        /// Bytes to read: a multiple of 4, 4..=4096.
        length: u32,
    },
}

impl AdminCommand {
    /// GET LOG PAGE of the whole SMART / Health log (512 bytes), NSID FFFFFFFFh as NVMe
    /// Base 2.0a §5.16.1.3 recommends for compatibility with revision 1.4 and earlier.
    pub const fn smart_health_log() -> Self {
        AdminCommand::GetLogPage { page: LogPage::SmartHealth, nsid: u32::MAX, length: 512 }
    }

    /// GET LOG PAGE of the Error Information log, `entries` 64-byte entries.
    pub const fn error_information_log(entries: u32) -> Self {
        AdminCommand::GetLogPage {
            page: LogPage::ErrorInformation,
            nsid: u32::MAX,
            length: entries.saturating_mul(64),
        }
    }

    /// GET LOG PAGE of the Firmware Slot Information log (512 bytes).
    pub const fn firmware_slot_log() -> Self {
        AdminCommand::GetLogPage { page: LogPage::FirmwareSlot, nsid: u32::MAX, length: 512 }
    }

    /// Command Dword 0 bits 7:0, the opcode.
    pub const fn opcode(&self) -> u8 {
        match self {
            AdminCommand::IdentifyController | AdminCommand::IdentifyNamespace { .. } => {
                NVME_IDENTIFY
            }
            AdminCommand::GetLogPage { .. } => NVME_GET_LOG_PAGE,
        }
    }

    /// The Namespace Identifier (command dword 1).
    pub const fn nsid(&self) -> u32 {
        match *self {
            AdminCommand::IdentifyController => 0,
            AdminCommand::IdentifyNamespace { nsid } | AdminCommand::GetLogPage { nsid, .. } => {
                nsid
            }
        }
    }

    /// Command Dword 10: CNS for IDENTIFY (bits 7:0); for GET LOG PAGE the LID (bits 7:0)
    /// and NUMDL (bits 31:16, the dword count minus one; NUMDU in dword 11 stays 0 for up
    /// to 4096 bytes). LSP, RAE and the other dwords are 0.
    pub const fn cdw10(&self) -> u32 {
        match *self {
            AdminCommand::IdentifyController => 0x01,
            AdminCommand::IdentifyNamespace { .. } => 0x00,
            AdminCommand::GetLogPage { page, length, .. } => {
                page.id() as u32 | ((length / 4).saturating_sub(1) & 0xFFFF) << 16
            }
        }
    }

    /// Bytes the command returns.
    pub const fn data_length(&self) -> u32 {
        match *self {
            AdminCommand::IdentifyController | AdminCommand::IdentifyNamespace { .. } => {
                IDENTIFY_DATA_LEN
            }
            AdminCommand::GetLogPage { length, .. } => length,
        }
    }

    /// The checks every bridge applies: a namespace ID of 0 for IDENTIFY NAMESPACE, a log
    /// length that is not a multiple of 4 in 4..=4096.
    fn check(&self) -> Result<(), BuildError> {
        match *self {
            AdminCommand::IdentifyController => Ok(()),
            AdminCommand::IdentifyNamespace { nsid: 0 } => {
                Err(BuildError::Invalid("IDENTIFY NAMESPACE of namespace 0"))
            }
            AdminCommand::IdentifyNamespace { .. } => Ok(()),
            AdminCommand::GetLogPage { length, .. } => {
                fits("GET LOG PAGE length", length.into(), LOG_PAGE_MAX_LEN.into())?;
                if length < 4 || length % 4 != 0 {
                    return Err(BuildError::Invalid("GET LOG PAGE length is not 4..=4096 by 4"));
                }
                Ok(())
            }
        }
    }

    /// The checks of the ASMedia and Realtek forms, whose CDBs carry neither the NSID nor
    /// more than a log's first 512 bytes: IDENTIFY NAMESPACE only of namespace 1 and GET
    /// LOG PAGE only of NSID 0 or FFFFFFFFh (smartmontools' `sntasmedia_device` and
    /// `sntrealtek_device` refuse the rest), logs of at most [`VENDOR_LOG_MAX_LEN`].
    fn check_vendor(&self) -> Result<(), BuildError> {
        self.check()?;
        match *self {
            AdminCommand::IdentifyNamespace { nsid } if nsid != 1 => {
                Err(BuildError::Invalid("the bridge's CDB carries no NSID: namespace 1 only"))
            }
            AdminCommand::GetLogPage { nsid, .. } if nsid != 0 && nsid != u32::MAX => {
                Err(BuildError::Invalid("the bridge's CDB carries no NSID: controller log only"))
            }
            AdminCommand::GetLogPage { length, .. } => {
                fits("GET LOG PAGE length", length.into(), VENDOR_LOG_MAX_LEN.into())
            }
            _ => Ok(()),
        }
    }
}

/// A CDB of a bridge protocol and how the shim must send it (module doc, §Exclusive
/// access).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub struct BridgeCommand {
    /// The CDB, its direction and transfer length.
    pub command: Command,
    /// Send with the device's services suspended (`UserSuspendServices` before, when not
    /// already suspended). Always true for the commands of this module.
    pub exclusive: bool,
    /// Resume services (`UserResumeServices`) once this command has completed: true for the
    /// ASMedia and Realtek commands and for the JMicron completion read, false for the
    /// JMicron steps that must be followed by the rest of their exchange.
    pub ends_exclusive: bool,
}

impl BridgeCommand {
    fn alone(command: Command) -> Self {
        BridgeCommand { command, exclusive: true, ends_exclusive: true }
    }
}

/// The ASMedia command (smartmontools `scsinvme.cpp`, `sntasmedia_device::nvme_pass_through`;
/// openSeaChest `asmedia_nvme_helper.c`, `build_Basic_Passthrough_CDB`), 16 bytes, data-in:
///
/// ```text
///  0  E6h
///  1  NVMe opcode (06h IDENTIFY, 02h GET LOG PAGE)
///  2  reserved
///  3  CDW10 bits 7:0 (CNS, or the LID)
///  4..=5   reserved
///  6  CDW10 bits 31:24 (NUMDL high byte)     7  CDW10 bits 23:16 (NUMDL low byte)
///  8..=11  LPOU (CDW13), big-endian          12..=15 LPOL (CDW12), big-endian: 0 here
/// ```
///
/// smartmontools writes only byte 7 (`cdb[7] = cdw10_hi`, the dword count minus one,
/// which fits a byte for the 512 bytes it allows); openSeaChest writes bytes 6..=7 and the
/// offset. For lengths up to 512 bytes both give the same CDB, which is all this builds.
/// The transfer is IDENTIFY's 4096 bytes or the log's length.
///
/// # Errors
/// [`BuildError::Invalid`] or [`BuildError::OutOfRange`] for a command the form cannot
/// carry (IDENTIFY NAMESPACE other than 1, a namespace log, a log above 512 bytes, the
/// general checks of [`AdminCommand`]).
pub fn asmedia(command: &AdminCommand) -> Result<BridgeCommand, BuildError> {
    command.check_vendor()?;
    let cdw10 = command.cdw10().to_le_bytes();
    let mut cdb = Cdb::zeroed(ASMEDIA_OPCODE, 16);
    let b = cdb.bytes_mut();
    b[1] = command.opcode();
    b[3] = cdw10[0];
    b[6] = cdw10[3];
    b[7] = cdw10[2];
    let length = u64::from(command.data_length());
    Ok(BridgeCommand::alone(Command::new(cdb, DataDirection::In, length)))
}

/// The Realtek command (smartmontools `sntrealtek_device::nvme_pass_through`; openSeaChest
/// `realtek_nvme_helper.c`, `build_Realtek_Basic_NVMe_CDB_And_Payload`), 16 bytes,
/// data-in:
///
/// ```text
///  0  E4h
///  1  transfer length bits 7:0     2  transfer length bits 15:8 (bytes, little-endian)
///  3  NVMe opcode
///  4  CDW10 bits 7:0 (CNS, or the LID)
///  5..=15 reserved
/// ```
///
/// The bridge derives the dword count from the length; the NSID is not sent. Logs are read
/// at most 512 bytes at a time: smartmontools truncates there because some firmware
/// "returns old data from previous command" for more. IDENTIFY is read whole (4096 bytes),
/// as smartmontools does. (openSeaChest also has a three-phase Realtek form, E5h/E4h with
/// phases F7h/F8h/F9h, that this module does not build.)
///
/// # Errors
/// As [`asmedia`].
pub fn realtek(command: &AdminCommand) -> Result<BridgeCommand, BuildError> {
    command.check_vendor()?;
    let length = command.data_length();
    let [l0, l1, ..] = length.to_le_bytes();
    let mut cdb = Cdb::zeroed(REALTEK_OPCODE, 16);
    let b = cdb.bytes_mut();
    b[1] = l0;
    b[2] = l1;
    b[3] = command.opcode();
    b[4] = command.cdw10() as u8;
    Ok(BridgeCommand::alone(Command::new(cdb, DataDirection::In, length.into())))
}

/// JMicron's PROTOCOL values (CDB byte 1 bits 6:0; smartmontools `proto_*`, openSeaChest
/// `eJMNvmeProtocol`).
const JM_COMMAND_BLOCK: u8 = 0x0;
const JM_DMA_IN: u8 = 0x2;
const JM_RESPONSE: u8 = 0xF;
/// CDB byte 1 bit 7: an admin command.
const JM_ADMIN: u8 = 0x80;

/// The JMicron exchange (smartmontools `sntjmicron_device::nvme_pass_through`; openSeaChest
/// `jmicron_nvme_helper.c`, `build_JM_NVMe_CDB_And_Payload` and `send_JM_NVMe_Cmd`): three
/// 12-byte CDBs with the ATA PASS-THROUGH(12) opcode, laid out as
///
/// ```text
///  0  A1h
///  1  bit 7 admin command (1 here) | bits 6:0 PROTOCOL: 0 command block, 2 DMA in,
///     Fh return response information (1 non-data and 3 DMA out are not built)
///  2  reserved
///  3..=5  parameter list length, big-endian (bytes)
///  6..=10 reserved      11 CONTROL
/// ```
///
/// 1. [`JmicronExchange::command_block`]: PROTOCOL 0, data-out of the 512-byte command
///    block that [`JmicronExchange::write_command_block`] fills.
/// 2. [`JmicronExchange::data_phase`]: PROTOCOL 2, data-in of the command's data
///    (IDENTIFY 4096 bytes, a log its length).
/// 3. [`JmicronExchange::completion`]: PROTOCOL Fh, data-in of 512 bytes that
///    [`JmicronCompletion::parse`] reads.
///
/// A bridge that is not a JMicron NVMe bridge reads these as SAT-4 ATA PASS-THROUGH(12):
/// byte 1 80h is PROTOCOL 0 (ATA hardware reset) and 82h PROTOCOL 1 (software reset). They
/// must only be sent to a device known to be a JMicron NVMe bridge (by its USB VID:PID, as
/// smartmontools' `drivedb.h` maps 152d:0583 to `sntjmicron`), never as a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JmicronExchange {
    admin: AdminCommand,
}

impl JmicronExchange {
    /// The exchange for `admin`.
    ///
    /// # Errors
    /// The general checks of [`AdminCommand`] (JMicron carries the NSID and any length up
    /// to 4096 bytes).
    pub fn new(admin: AdminCommand) -> Result<Self, BuildError> {
        admin.check()?;
        Ok(JmicronExchange { admin })
    }

    /// The admin command carried.
    pub fn admin(&self) -> AdminCommand {
        self.admin
    }

    fn cdb(protocol: u8, length: u32) -> Cdb {
        let [_, l2, l1, l0] = length.to_be_bytes();
        Cdb::from_array([JMICRON_OPCODE, JM_ADMIN | protocol, 0, l2, l1, l0, 0, 0, 0, 0, 0, 0])
    }

    /// Step 1: `A1 80 00 00 02 00 00 00 00 00 00 00`, 512 bytes out. Opens the exclusive
    /// section.
    pub fn command_block(&self) -> BridgeCommand {
        let len = JMICRON_BLOCK_LEN as u32;
        let command =
            Command::new(Self::cdb(JM_COMMAND_BLOCK, len), DataDirection::Out, len.into());
        BridgeCommand { command, exclusive: true, ends_exclusive: false }
    }

    /// Step 2: `A1 82 00 LL LL LL 00 00 00 00 00 00`, the command's data in.
    pub fn data_phase(&self) -> BridgeCommand {
        let len = self.admin.data_length();
        let command = Command::new(Self::cdb(JM_DMA_IN, len), DataDirection::In, len.into());
        BridgeCommand { command, exclusive: true, ends_exclusive: false }
    }

    /// Step 3: `A1 8F 00 00 02 00 00 00 00 00 00 00`, 512 bytes in. Ends the exclusive
    /// section.
    pub fn completion(&self) -> BridgeCommand {
        let len = JMICRON_BLOCK_LEN as u32;
        let command = Command::new(Self::cdb(JM_RESPONSE, len), DataDirection::In, len.into());
        BridgeCommand { command, exclusive: true, ends_exclusive: true }
    }

    /// The three steps in order.
    pub fn steps(&self) -> [BridgeCommand; 3] {
        [self.command_block(), self.data_phase(), self.completion()]
    }

    /// Writes step 1's 512-byte command block into `out` (the first 512 bytes; the rest is
    /// untouched) and returns 512:
    ///
    /// ```text
    ///  0..=3   "NVME"
    ///  8..=11  command dword 0: the opcode in byte 8, the rest 0
    ///  12..=15 NSID (little-endian)
    ///  48..=51 command dword 10 (little-endian)
    ///  52..=71 command dwords 11..=15: 0
    ///  72      vendor control: 0 (carry the command; openSeaChest's
    ///          JM_VENDOR_CTRL_SERVICE_PROTOCOL_FIELD; other values power the PCIe link
    ///          off or reset the bridge, and are never written)
    ///  all other bytes 0 (metadata and data pointers are the bridge's)
    /// ```
    ///
    /// smartmontools fills the same dwords (`nvm_cmd[0]`, `[2]`, `[3]`, `[12]..[17]`) and
    /// leaves byte 72 at 0.
    ///
    /// # Errors
    /// [`BuildError::BufferTooSmall`] when `out` is shorter than 512 bytes.
    pub fn write_command_block(&self, out: &mut [u8]) -> Result<usize, BuildError> {
        let available = out.len();
        let block = out
            .get_mut(..JMICRON_BLOCK_LEN)
            .ok_or(BuildError::BufferTooSmall { needed: JMICRON_BLOCK_LEN, available })?;
        block.fill(0);
        block[..4].copy_from_slice(&JMICRON_SIGNATURE);
        block[8] = self.admin.opcode();
        block[12..16].copy_from_slice(&self.admin.nsid().to_le_bytes());
        block[48..52].copy_from_slice(&self.admin.cdw10().to_le_bytes());
        Ok(JMICRON_BLOCK_LEN)
    }
}

/// What JMicron's "return response information" (step 3) says about the NVMe command.
///
/// ```text
///  0..=3   "NVME" (anything else: the bridge did not answer the exchange)
///  8..=11  completion queue entry dword 0, command specific (little-endian)
///  20..=23 completion queue entry dword 3 (little-endian): status field in bits 31:17
/// ```
///
/// smartmontools reads the status as `nvm_reply[5] >> 17` (dword 3's bits 31:17, the
/// NVMe layout with the phase tag in bit 16); openSeaChest reads bytes 22..=23 as the
/// status field unshifted. Both agree that all-zero bytes 20..=23 mean success; they differ
/// when bit 16 alone is set (a phase tag to smartmontools, status code 01h to openSeaChest).
/// This decoder follows smartmontools and keeps the whole dword so the other reading can
/// be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JmicronCompletion {
    /// Completion dword 0 (command specific).
    pub dw0: u32,
    /// Completion dword 3 as sent.
    pub dw3: u32,
}

impl JmicronCompletion {
    /// The 15-bit status field (dword 3 bits 31:17): bits 7:0 Status Code, 10:8 Status
    /// Code Type, 12:11 Command Retry Delay, 13 More, 14 Do Not Retry (NVMe Base 2.0a
    /// §4.6.1, "Completion Queue Entry: Status Field").
    pub fn status(&self) -> u16 {
        (self.dw3 >> 17) as u16
    }

    /// Status Code (SC).
    pub fn status_code(&self) -> u8 {
        self.status() as u8
    }

    /// Status Code Type (SCT).
    pub fn status_code_type(&self) -> u8 {
        ((self.status() >> 8) & 0x07) as u8
    }

    /// Whether the command completed successfully (SCT 0, SC 0, smartmontools'
    /// `nvme_status_is_error` on bits 10:0).
    pub fn succeeded(&self) -> bool {
        self.status() & 0x07FF == 0
    }

    /// Decodes the 512-byte response of step 3 (layout in the type's doc).
    ///
    /// # Errors
    /// [`Error::Truncated`] below 24 bytes (signature through dword 3);
    /// [`Error::Malformed`] when the first four bytes are not "NVME".
    pub fn parse(d: &[u8]) -> Result<Decoded<Self>, Error> {
        const NEEDED: usize = 24;
        let head =
            d.get(..NEEDED).ok_or(Error::Truncated { needed: NEEDED, available: d.len() })?;
        if head.get(..4) != Some(&JMICRON_SIGNATURE[..]) {
            return Err(Error::Malformed("JMicron response does not start with \"NVME\""));
        }
        let le32 =
            |at: usize| crate::wire::field::array_at(head, at).map(u32::from_le_bytes).unwrap_or(0);
        let value = JmicronCompletion { dw0: le32(8), dw3: le32(20) };
        Ok(Decoded {
            value,
            announced: JMICRON_BLOCK_LEN,
            available: d.len().min(JMICRON_BLOCK_LEN),
        })
    }
}

/// The bridge protocols of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NvmeBridge {
    /// JMicron JMS583 family: the three-step A1h exchange (smartmontools `-d sntjmicron`).
    Jmicron,
    /// ASMedia ASM236x/ASM246x: E6h (smartmontools `-d sntasmedia`).
    Asmedia,
    /// Realtek RTL9210/RTL9220: E4h (smartmontools `-d sntrealtek`).
    Realtek,
}
