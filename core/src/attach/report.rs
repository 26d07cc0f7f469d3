//! The report: everything one attach learned about the logical unit, as plain data.
//!
//! The report is fixed-size (no heap, no lifetimes) so it can live inside the
//! [`Engine`](super::Engine), be copied out by the host, and later be rendered into the I/O
//! Registry by the shim. Text fields are [`FixedText`]: trimmed of the space/NUL padding SPC
//! fields carry, capped at a capacity chosen per field.

use core::fmt;

use crate::policy::{Failure, Reason};
use crate::quirks::Quirks;
use crate::sense::{describe, SenseCode};
use crate::wire::inquiry::{PeripheralQualifier, Version};
use crate::wire::vpd::{
    Association, CodeSet, DesignatorType, MediumRotationRate, NominalFormFactor, PageCode,
};
use crate::wire::PeripheralDeviceType;

/// Text of at most `N` bytes from a device field, trimmed of leading and trailing spaces
/// and NULs (SPC-5 §4.3.1 pads with spaces; devices also pad with NUL).
///
/// Bytes are kept as the device sent them (they need not be printable);
/// [`Display`](fmt::Display) escapes anything outside printable ASCII as `\xNN`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FixedText<const N: usize> {
    bytes: [u8; N],
    len: u8,
}

impl<const N: usize> FixedText<N> {
    /// The empty text.
    pub const EMPTY: Self = FixedText { bytes: [0; N], len: 0 };

    /// `bytes` trimmed; `None` when the trimmed text is longer than `N` (or than 255) —
    /// a cut identifier would be a different identifier.
    pub fn new(bytes: &[u8]) -> Option<Self> {
        let pad = |c: &u8| *c == b' ' || *c == 0;
        let start = bytes.iter().position(|c| !pad(c)).unwrap_or(bytes.len());
        let end = bytes.iter().rposition(|c| !pad(c)).map_or(start, |i| i + 1);
        let trimmed = bytes.get(start..end).unwrap_or(&[]);
        let len = u8::try_from(trimmed.len()).ok()?;
        let mut out = Self::EMPTY;
        out.bytes.get_mut(..trimmed.len())?.copy_from_slice(trimmed);
        out.len = len;
        Some(out)
    }

    /// The trimmed bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The text, when it is all printable ASCII.
    pub fn as_str(&self) -> Option<&str> {
        let b = self.as_bytes();
        if b.iter().all(|c| (0x20..0x7f).contains(c)) {
            core::str::from_utf8(b).ok()
        } else {
            None
        }
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<const N: usize> Default for FixedText<N> {
    fn default() -> Self {
        Self::EMPTY
    }
}

/// Printable ASCII as is (backslash escaped), any other byte as `\xNN`.
impl<const N: usize> fmt::Display for FixedText<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &c in self.as_bytes() {
            if (0x20..0x7f).contains(&c) && c != b'\\' {
                write!(f, "{}", c as char)?;
            } else {
                write!(f, "\\x{c:02x}")?;
            }
        }
        Ok(())
    }
}

impl<const N: usize> fmt::Debug for FixedText<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// Longest designator kept in a report; longer ones (long SCSI name strings) are skipped
/// with [`Warning::DesignatorTooLong`].
///
/// 96 bytes: a SAT T10 vendor ID designator is 68 (SAT-4 §10.4.3: "ATA     ", the 40-byte
/// model number and the 20-byte serial number), and SCSI name strings of ordinary iSCSI
/// and NAA/EUI names (`iqn.yyyy-mm.reversed.domain:name` plus `,t,0x` and the portal group
/// tag, padded to a multiple of four) fit. The SPC-5 maximum (256) is not kept: four such
/// slots would double the [`Report`] for names no decision depends on.
pub const DESIGNATOR_CAPACITY: usize = 96;

/// How many designators a report keeps.
pub const MAX_DESIGNATORS: usize = 4;

/// One identifier from the Device Identification VPD page (83h): NAA, EUI-64, T10 vendor
/// ID, SCSI name string or UUID.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DesignatorEntry {
    /// DESIGNATOR TYPE.
    pub designator_type: DesignatorType,
    /// CODE SET (binary, ASCII, UTF-8).
    pub code_set: CodeSet,
    /// ASSOCIATION: logical unit, target port or target device.
    pub association: Association,
    len: u8,
    bytes: [u8; DESIGNATOR_CAPACITY],
}

impl DesignatorEntry {
    /// An entry; `None` when `bytes` is longer than [`DESIGNATOR_CAPACITY`].
    pub fn new(
        designator_type: DesignatorType,
        code_set: CodeSet,
        association: Association,
        bytes: &[u8],
    ) -> Option<Self> {
        let mut out = DesignatorEntry {
            designator_type,
            code_set,
            association,
            len: u8::try_from(bytes.len()).ok()?,
            bytes: [0; DESIGNATOR_CAPACITY],
        };
        out.bytes.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(out)
    }

    /// The DESIGNATOR bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl DesignatorEntry {
    /// The DESIGNATOR as a user reads it: text for the ASCII and UTF-8 code sets, lowercase
    /// hex otherwise.
    pub fn value(&self) -> DesignatorValue<'_> {
        DesignatorValue { code_set: self.code_set, bytes: self.as_bytes() }
    }
}

/// A DESIGNATOR rendered for people (see [`DesignatorEntry::value`]).
///
/// - ASCII code set: trailing padding is dropped (NULs: SCSI name strings are NUL-padded to
///   a multiple of four, SPC-5 §7.7.6.11; spaces: a T10 vendor ID designator ends in the
///   padded serial number); printable ASCII as is, any other byte and the backslash as
///   `\xNN`, as [`FixedText`] prints.
/// - UTF-8 code set: the same, but valid UTF-8 characters other than control characters are
///   kept.
/// - Binary and any other code set: every byte as two lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DesignatorValue<'a> {
    code_set: CodeSet,
    bytes: &'a [u8],
}

impl fmt::Display for DesignatorValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let escape = |f: &mut fmt::Formatter<'_>, bytes: &[u8]| -> fmt::Result {
            for &c in bytes {
                if (0x20..0x7f).contains(&c) && c != b'\\' {
                    write!(f, "{}", c as char)?;
                } else {
                    write!(f, "\\x{c:02x}")?;
                }
            }
            Ok(())
        };
        let text = || {
            let end = self.bytes.iter().rposition(|&c| c != 0 && c != b' ').map_or(0, |i| i + 1);
            self.bytes.get(..end).unwrap_or(&[])
        };
        match self.code_set {
            CodeSet::ASCII => escape(f, text()),
            CodeSet::UTF_8 => {
                for chunk in text().utf8_chunks() {
                    for c in chunk.valid().chars() {
                        if c.is_control() || c == '\\' {
                            let mut buf = [0; 4];
                            escape(f, c.encode_utf8(&mut buf).as_bytes())?;
                        } else {
                            write!(f, "{c}")?;
                        }
                    }
                    escape(f, chunk.invalid())?;
                }
                Ok(())
            }
            _ => self.bytes.iter().try_for_each(|b| write!(f, "{b:02x}")),
        }
    }
}

impl fmt::Debug for DesignatorValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// `NAA (binary, logical unit) 5000cca05c2e8d10`: type, code set and association by their
/// spec names (the association shortened), then the [value](DesignatorEntry::value).
impl fmt::Display for DesignatorEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, ", self.designator_type, self.code_set)?;
        match self.association {
            Association::LOGICAL_UNIT => f.write_str("logical unit")?,
            Association::TARGET_PORT => f.write_str("target port")?,
            Association::TARGET_DEVICE => f.write_str("target device")?,
            other => write!(f, "association {other}")?,
        }
        write!(f, ") {}", self.value())
    }
}

impl fmt::Debug for DesignatorEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}/{:?}/{:?} ", self.designator_type, self.code_set, self.association)?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// How the block layer should discard (deallocate) blocks, chosen as Linux's
/// `sd_discard_mode` (sd.c) chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DiscardMethod {
    /// No discard: LBPME is zero, or the provisioning page offers no usable command.
    #[default]
    None,
    /// UNMAP (Linux `SD_LBP_UNMAP`).
    Unmap,
    /// WRITE SAME(16) with UNMAP (Linux `SD_LBP_WS16`).
    WriteSame16,
    /// WRITE SAME(10) with UNMAP (Linux `SD_LBP_WS10`).
    WriteSame10,
}

impl DiscardMethod {
    /// `none`, `unmap`, `write-same-16` or `write-same-10`: the published name.
    pub const fn as_str(self) -> &'static str {
        match self {
            DiscardMethod::None => "none",
            DiscardMethod::Unmap => "unmap",
            DiscardMethod::WriteSame16 => "write-same-16",
            DiscardMethod::WriteSame10 => "write-same-10",
        }
    }
}

/// The published name ([`DiscardMethod::as_str`]).
impl fmt::Display for DiscardMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Medium rotation rate (VPD B1h, or IDENTIFY word 217 from VPD 89h when B1h is absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RotationRate {
    /// Not reported (or a reserved value).
    #[default]
    Unknown,
    /// Non-rotating medium: solid state.
    NonRotating,
    /// Nominal revolutions per minute.
    Rpm(u16),
}

/// `unknown`, `non-rotating`, `7200 rpm`.
impl fmt::Display for RotationRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RotationRate::Unknown => f.write_str("unknown"),
            RotationRate::NonRotating => f.write_str("non-rotating"),
            RotationRate::Rpm(rpm) => write!(f, "{rpm} rpm"),
        }
    }
}

/// MEDIUM ROTATION RATE (SBC-4 §6.6.2, and ACS-4 IDENTIFY word 217, which uses the same
/// values): reserved values are unknown.
impl From<MediumRotationRate> for RotationRate {
    fn from(rate: MediumRotationRate) -> Self {
        match rate {
            MediumRotationRate::NonRotating => RotationRate::NonRotating,
            MediumRotationRate::Rpm(v) => RotationRate::Rpm(v),
            MediumRotationRate::NotReported | MediumRotationRate::Reserved(_) => {
                RotationRate::Unknown
            }
        }
    }
}

/// What a SCSI/ATA translation layer (a SAT bridge) says about itself and the ATA device
/// behind it (VPD 89h, SAT-4 §12.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SatInfo {
    /// SAT VENDOR IDENTIFICATION (the bridge's vendor).
    pub vendor: FixedText<8>,
    /// SAT PRODUCT IDENTIFICATION.
    pub product: FixedText<16>,
    /// SAT PRODUCT REVISION LEVEL.
    pub revision: FixedText<4>,
    /// ATA model number from the IDENTIFY data (words 27..46), empty without IDENTIFY data.
    pub ata_model: FixedText<40>,
    /// ATA serial number (words 10..19).
    pub ata_serial: FixedText<20>,
    /// ATA firmware revision (words 23..26).
    pub ata_firmware: FixedText<8>,
    /// SMART feature set supported (word 82 bit 0), when IDENTIFY data was there.
    pub smart_supported: Option<bool>,
    /// SMART feature set enabled (word 85 bit 0).
    pub smart_enabled: Option<bool>,
}

/// Why the engine refused the logical unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefuseReason {
    /// PERIPHERAL QUALIFIER is not 000b: no device is connected to this LU (or none can be).
    NotConnected {
        /// The qualifier.
        peripheral_qualifier: PeripheralQualifier,
    },
    /// PERIPHERAL DEVICE TYPE is not 00h (direct access block device).
    NotDirectAccess {
        /// The device type.
        peripheral_device_type: PeripheralDeviceType,
    },
    /// A non-removable LU has no medium (ASC 3Ah, or READ CAPACITY says so).
    NoMedium,
    /// NOT READY that waiting cannot fix (04/03 manual intervention, 04/0B standby, ...).
    NotReady {
        /// The sense that said so.
        sense: Option<SenseCode>,
    },
    /// The logical block length is not 512, 1024, 2048 or 4096.
    UnsupportedBlockLength {
        /// LOGICAL BLOCK LENGTH IN BYTES.
        length: u32,
    },
    /// The LU is formatted with a protection type this driver does not know (P_TYPE > 2).
    UnsupportedProtectionType {
        /// P_TYPE + 1.
        protection_type: u8,
    },
    /// Neither READ CAPACITY form gave a capacity.
    CapacityUnknown,
    /// The standard INQUIRY failed or its data was unusable.
    InquiryFailed,
    /// The device failed a mandatory command with this sense.
    DeviceError {
        /// The sense.
        sense: SenseCode,
    },
    /// Unit attentions kept coming past the bound.
    UnitAttentionStorm,
    /// BUSY, TASK SET FULL, ACA ACTIVE or TASK ABORTED past the policy's retry budget.
    Busy,
    /// RESERVATION CONFLICT: another initiator holds the logical unit.
    ReservationConflict,
    /// A mandatory command failed without sense data (CHECK CONDITION with none, an
    /// unknown status).
    CommandFailed,
    /// The run's time budget ended first.
    TimeBudgetExhausted,
    /// The run's command budget ended first.
    CommandBudgetExhausted,
    /// The transport says the device is gone.
    DeviceGone,
    /// The transport failed the command (timeouts, delivery failures) past the retry
    /// budget, or reported a transfer count that contradicts the command.
    TransportFailure,
    /// The engine would have broken its own rules (a command outside the non-destructive
    /// allowlist, a CDB it could not build): nothing was sent.
    InternalError(&'static str),
}

impl RefuseReason {
    /// The refusal a failed mandatory command means.
    pub fn for_failure(failure: &Failure) -> Self {
        match failure.reason {
            Reason::DeviceGone => RefuseReason::DeviceGone,
            reason if reason.is_transport() => RefuseReason::TransportFailure,
            Reason::UnitAttention => RefuseReason::UnitAttentionStorm,
            Reason::NoMedium => RefuseReason::NoMedium,
            Reason::NotReady | Reason::StartRequired => {
                RefuseReason::NotReady { sense: failure.sense }
            }
            Reason::Busy(_) | Reason::TaskAborted => RefuseReason::Busy,
            Reason::ReservationConflict => RefuseReason::ReservationConflict,
            _ => match failure.sense {
                Some(sense) => RefuseReason::DeviceError { sense },
                None => RefuseReason::CommandFailed,
            },
        }
    }
}

impl RefuseReason {
    /// The published name of the variant, in kebab case: `not-ready`, `device-error`, ...
    pub const fn kind(&self) -> &'static str {
        match self {
            RefuseReason::NotConnected { .. } => "not-connected",
            RefuseReason::NotDirectAccess { .. } => "not-direct-access",
            RefuseReason::NoMedium => "no-medium",
            RefuseReason::NotReady { .. } => "not-ready",
            RefuseReason::UnsupportedBlockLength { .. } => "unsupported-block-length",
            RefuseReason::UnsupportedProtectionType { .. } => "unsupported-protection-type",
            RefuseReason::CapacityUnknown => "capacity-unknown",
            RefuseReason::InquiryFailed => "inquiry-failed",
            RefuseReason::DeviceError { .. } => "device-error",
            RefuseReason::UnitAttentionStorm => "unit-attention-storm",
            RefuseReason::Busy => "busy",
            RefuseReason::ReservationConflict => "reservation-conflict",
            RefuseReason::CommandFailed => "command-failed",
            RefuseReason::TimeBudgetExhausted => "time-budget-exhausted",
            RefuseReason::CommandBudgetExhausted => "command-budget-exhausted",
            RefuseReason::DeviceGone => "device-gone",
            RefuseReason::TransportFailure => "transport-failure",
            RefuseReason::InternalError(_) => "internal-error",
        }
    }
}

impl From<RefuseReason> for Verdict {
    fn from(reason: RefuseReason) -> Self {
        Verdict::Refuse(reason)
    }
}

impl fmt::Display for RefuseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RefuseReason::NotConnected { peripheral_qualifier } => {
                write!(f, "no device connected (peripheral qualifier {})", peripheral_qualifier.0)
            }
            RefuseReason::NotDirectAccess { peripheral_device_type } => {
                write!(f, "not a direct access block device ({peripheral_device_type})")
            }
            RefuseReason::NoMedium => f.write_str("no medium in a non-removable logical unit"),
            RefuseReason::NotReady { sense: Some(c) } => {
                let (asc, ascq) = (c.asc(), c.ascq());
                write!(f, "not ready ({asc:02x}/{ascq:02x}: {})", describe(asc, ascq))
            }
            RefuseReason::NotReady { sense: None } => f.write_str("not ready"),
            RefuseReason::UnsupportedBlockLength { length } => {
                write!(f, "unsupported logical block length {length}")
            }
            RefuseReason::UnsupportedProtectionType { protection_type } => {
                write!(f, "unsupported protection type {protection_type}")
            }
            RefuseReason::CapacityUnknown => f.write_str("capacity unknown"),
            RefuseReason::InquiryFailed => f.write_str("INQUIRY failed"),
            RefuseReason::DeviceError { sense } => {
                let (asc, ascq) = (sense.asc(), sense.ascq());
                let key = sense.sense_key().0;
                write!(f, "device error (sense key {key:x}, {asc:02x}/{ascq:02x}: ")?;
                write!(f, "{})", describe(asc, ascq))
            }
            RefuseReason::UnitAttentionStorm => f.write_str("unit attentions did not stop"),
            RefuseReason::Busy => f.write_str("device busy past the retry budget"),
            RefuseReason::ReservationConflict => f.write_str("reservation conflict"),
            RefuseReason::CommandFailed => f.write_str("command failed without sense data"),
            RefuseReason::TimeBudgetExhausted => f.write_str("time budget exhausted"),
            RefuseReason::CommandBudgetExhausted => f.write_str("command budget exhausted"),
            RefuseReason::DeviceGone => f.write_str("device gone"),
            RefuseReason::TransportFailure => f.write_str("transport failure"),
            RefuseReason::InternalError(why) => write!(f, "internal error: {why}"),
        }
    }
}

/// The engine's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Serve this logical unit.
    Accept,
    /// Do not serve it, for this reason.
    Refuse(RefuseReason),
}

impl Verdict {
    /// Whether the verdict is [`Verdict::Accept`].
    pub fn is_accept(&self) -> bool {
        matches!(self, Verdict::Accept)
    }
}

/// Something worth telling the user that did not stop the attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Warning {
    /// The second, full-length standard INQUIRY failed; the first 36 bytes are used.
    InquiryFullFailed,
    /// The standard INQUIRY data ended before vendor, product and revision.
    InquiryShort,
    /// The device rejected VPD page 00h: no VPD page is read.
    VpdUnsupported,
    /// A VPD page listed in page 00h could not be read.
    VpdPageFailed {
        /// The page code.
        page: PageCode,
    },
    /// A VPD page (or its header) timed out or the transport failed on it: no further VPD
    /// page is read, as if `NO_VPD` were set (a bridge hanging on a VPD page is the known
    /// USB failure mode; optional steps are never retried after a transport failure).
    VpdAbandoned {
        /// The page code that failed.
        page: PageCode,
    },
    /// A VPD page came back with another page code or too short to decode.
    VpdPageMalformed {
        /// The page code asked for.
        page: PageCode,
    },
    /// The unit serial number is longer than the report keeps, or absent from page 80h.
    SerialUnusable,
    /// A designator longer than [`DESIGNATOR_CAPACITY`] was skipped.
    DesignatorTooLong,
    /// TEST UNIT READY / START STOP UNIT failed in a way that is not a verdict; READ
    /// CAPACITY decides.
    SpinUpFailed {
        /// The sense, when the failure came with some.
        sense: Option<SenseCode>,
    },
    /// START STOP UNIT (START=1) did not succeed; it is not sent again and TEST UNIT READY
    /// polling resumes (Linux `sd_spinup_disk` ignores START's status).
    StartUnitFailed {
        /// The sense, when the failure came with some.
        sense: Option<SenseCode>,
    },
    /// The device completed a command with a recovered error or similar sense.
    Recovered {
        /// The sense.
        sense: SenseCode,
    },
    /// READ CAPACITY(16) failed or is not supported; READ CAPACITY(10) was used.
    ReadCapacity16Failed,
    /// READ CAPACITY(10) said FFFF_FFFFh and READ CAPACITY(16) failed: 2^32 blocks
    /// assumed, as Linux does.
    CapacityAssumed2To32,
    /// A quirk (FIX_CAPACITY / GUESS_CAPACITY) took one block off the reported capacity.
    CapacityAdjusted,
    /// The device reported a logical block length of 0; 512 assumed (Linux, FreeBSD).
    BlockLengthZero,
    /// LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT gave an impossible physical block length;
    /// the logical length is used.
    PhysicalBlockLengthInvalid,
    /// The one-block READ(10) of LBA 0 (READ_BEFORE_MODE_SENSE) failed.
    ReadBlockZeroFailed,
    /// MODE SENSE(10) is not supported; MODE SENSE(6) was used.
    ModeSense10Unsupported,
    /// MODE SENSE failed: write protection unknown, assumed writable (Linux).
    ModeSenseFailed,
    /// The Caching mode page could not be found: write cache state unknown.
    CachingPageMissing,
    /// OPTIMAL TRANSFER LENGTH failed Linux's validation (`sd_validate_opt_xfer_size`).
    OptimalTransferInvalid,
    /// Standard INQUIRY, re-read once after INQUIRY DATA HAS CHANGED / DEVICE IDENTIFIER
    /// CHANGED, failed or was unusable: the identity read before is kept.
    InquiryRereadFailed,
    /// The medium may have changed during the attach (UNIT ATTENTION 28h/2Ah/3Fh): what
    /// was read may be stale.
    ChangeReported {
        /// The unit attention's sense.
        sense: SenseCode,
    },
    /// The medium is formatted with protection information (READ CAPACITY(16) PROT_EN = 1,
    /// standard INQUIRY PROTECT = 1; SBC-4 §4.22), and it is served with READ/WRITE(10)
    /// and (16) whose RDPROTECT/WRPROTECT is 000b: no protection information crosses the
    /// transport; the device server generates it on write and checks it on read by itself
    /// (SBC-4 §4.22; the RDPROTECT and WRPROTECT tables of READ and WRITE). Every type is
    /// served that way, type 2 included: its rule rejects 10/12/16-byte CDBs only when
    /// RDPROTECT/WRPROTECT is not zero (docs/references.md §Protection information and the
    /// kernel's READ/WRITE).
    ProtectionNotEndToEnd {
        /// The protection type, P_TYPE + 1 (1 to 3).
        protection_type: u8,
    },
}

impl Warning {
    /// The published name of the variant, in kebab case: `capacity-adjusted`, ...
    pub const fn kind(&self) -> &'static str {
        match self {
            Warning::InquiryFullFailed => "inquiry-full-failed",
            Warning::InquiryShort => "inquiry-short",
            Warning::VpdUnsupported => "vpd-unsupported",
            Warning::VpdPageFailed { .. } => "vpd-page-failed",
            Warning::VpdAbandoned { .. } => "vpd-abandoned",
            Warning::VpdPageMalformed { .. } => "vpd-page-malformed",
            Warning::SerialUnusable => "serial-unusable",
            Warning::DesignatorTooLong => "designator-too-long",
            Warning::SpinUpFailed { .. } => "spin-up-failed",
            Warning::StartUnitFailed { .. } => "start-unit-failed",
            Warning::Recovered { .. } => "recovered",
            Warning::ReadCapacity16Failed => "read-capacity-16-failed",
            Warning::CapacityAssumed2To32 => "capacity-assumed-2-to-32",
            Warning::CapacityAdjusted => "capacity-adjusted",
            Warning::BlockLengthZero => "block-length-zero",
            Warning::PhysicalBlockLengthInvalid => "physical-block-length-invalid",
            Warning::ReadBlockZeroFailed => "read-block-zero-failed",
            Warning::ModeSense10Unsupported => "mode-sense-10-unsupported",
            Warning::ModeSenseFailed => "mode-sense-failed",
            Warning::CachingPageMissing => "caching-page-missing",
            Warning::OptimalTransferInvalid => "optimal-transfer-invalid",
            Warning::InquiryRereadFailed => "inquiry-reread-failed",
            Warning::ChangeReported { .. } => "change-reported",
            Warning::ProtectionNotEndToEnd { .. } => "protection-not-end-to-end",
        }
    }
}

/// `VPD page B0h (Block Limits)`, or `VPD page C0h` for a page the crate does not name.
fn vpd_page(f: &mut fmt::Formatter<'_>, page: PageCode) -> fmt::Result {
    write!(f, "VPD page {:02X}h", page.0)?;
    match page.name() {
        Some(name) => write!(f, " ({name})"),
        None => Ok(()),
    }
}

/// ` (NOT READY 04/03: Logical unit not ready, manual intervention required)`, or nothing.
fn with_sense(f: &mut fmt::Formatter<'_>, sense: Option<SenseCode>) -> fmt::Result {
    match sense {
        Some(c) => write!(f, " ({c}: {})", describe(c.asc(), c.ascq())),
        None => Ok(()),
    }
}

/// One line for a person: what happened and what the engine did about it.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Warning::InquiryFullFailed => {
                f.write_str("the full-length standard INQUIRY failed; its first 36 bytes are used")
            }
            Warning::InquiryShort => {
                f.write_str("the standard INQUIRY data ends before vendor, product and revision")
            }
            Warning::VpdUnsupported => {
                f.write_str("VPD page 00h was rejected; no VPD page is read")
            }
            Warning::VpdPageFailed { page } => {
                vpd_page(f, page)?;
                f.write_str(" could not be read")
            }
            Warning::VpdAbandoned { page } => {
                vpd_page(f, page)?;
                f.write_str(" timed out or the transport failed; no further VPD page is read")
            }
            Warning::VpdPageMalformed { page } => {
                vpd_page(f, page)?;
                f.write_str(" came back with another page code or too short to decode")
            }
            Warning::SerialUnusable => {
                f.write_str("the unit serial number is absent from page 80h or too long to keep")
            }
            Warning::DesignatorTooLong => {
                write!(f, "a designator longer than {DESIGNATOR_CAPACITY} bytes was skipped")
            }
            Warning::SpinUpFailed { sense } => {
                f.write_str("the unit did not become ready")?;
                with_sense(f, sense)?;
                f.write_str("; READ CAPACITY decides")
            }
            Warning::StartUnitFailed { sense } => {
                f.write_str("START STOP UNIT failed")?;
                with_sense(f, sense)?;
                f.write_str("; it is not sent again")
            }
            Warning::Recovered { sense } => {
                f.write_str("the device recovered from an error")?;
                with_sense(f, Some(sense))
            }
            Warning::ReadCapacity16Failed => {
                f.write_str("READ CAPACITY(16) failed or is unsupported; READ CAPACITY(10) is used")
            }
            Warning::CapacityAssumed2To32 => f.write_str(
                "READ CAPACITY(10) said FFFFFFFFh, READ CAPACITY(16) failed; 2^32 blocks assumed",
            ),
            Warning::CapacityAdjusted => {
                f.write_str("a capacity quirk took one block off the reported capacity")
            }
            Warning::BlockLengthZero => {
                f.write_str("the device reported a logical block length of 0; 512 assumed")
            }
            Warning::PhysicalBlockLengthInvalid => f.write_str(
                "the logical blocks per physical block exponent is impossible; \
                 the logical block length is used",
            ),
            Warning::ReadBlockZeroFailed => {
                f.write_str("the READ(10) of LBA 0 before MODE SENSE failed")
            }
            Warning::ModeSense10Unsupported => {
                f.write_str("MODE SENSE(10) is not supported; MODE SENSE(6) is used")
            }
            Warning::ModeSenseFailed => {
                f.write_str("MODE SENSE failed; write protection unknown, assumed writable")
            }
            Warning::CachingPageMissing => {
                f.write_str("the Caching mode page is missing; write cache state unknown")
            }
            Warning::OptimalTransferInvalid => {
                f.write_str("OPTIMAL TRANSFER LENGTH fails Linux's validation and is ignored")
            }
            Warning::InquiryRereadFailed => f.write_str(
                "the INQUIRY re-read after a change failed; the identity read before is kept",
            ),
            Warning::ChangeReported { sense } => {
                f.write_str("the medium may have changed during the attach")?;
                with_sense(f, Some(sense))?;
                f.write_str("; what was read may be stale")
            }
            Warning::ProtectionNotEndToEnd { protection_type } => write!(
                f,
                "the medium is formatted with type {protection_type} protection; READ and \
                 WRITE carry RDPROTECT/WRPROTECT 000b, so the device checks and generates \
                 protection information itself and it is not used end to end"
            ),
        }
    }
}

/// Warnings a report keeps; later ones are only counted.
pub const MAX_WARNINGS: usize = 16;

/// A bounded list of [`Warning`]s with a count of those that did not fit.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Warnings {
    list: [Option<Warning>; MAX_WARNINGS],
    len: u8,
    overflow: u16,
}

impl Warnings {
    /// No warnings.
    pub const fn new() -> Self {
        Warnings { list: [None; MAX_WARNINGS], len: 0, overflow: 0 }
    }

    /// Adds `warning`, or counts it when the list is full.
    pub fn push(&mut self, warning: Warning) {
        match self.list.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = Some(warning);
                self.len = self.len.saturating_add(1);
            }
            None => self.overflow = self.overflow.saturating_add(1),
        }
    }

    /// The kept warnings, in order.
    pub fn iter(&self) -> impl Iterator<Item = Warning> + '_ {
        self.list.iter().flatten().copied()
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether none was raised.
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.overflow == 0
    }

    /// Warnings raised after the list was full.
    pub fn overflow(&self) -> u16 {
        self.overflow
    }

    /// Whether `warning` was kept.
    pub fn contains(&self, warning: Warning) -> bool {
        self.iter().any(|w| w == warning)
    }
}

impl Default for Warnings {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Warnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        l.entries(self.iter());
        if self.overflow > 0 {
            l.entry(&format_args!("... {} more", self.overflow));
        }
        l.finish()
    }
}

/// What one attach learned. Fields not learned keep their [`Default`] value; the verdict is
/// `None` until the engine is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// T10 VENDOR IDENTIFICATION (standard INQUIRY bytes 8..16).
    pub vendor: FixedText<8>,
    /// PRODUCT IDENTIFICATION (bytes 16..32).
    pub product: FixedText<16>,
    /// PRODUCT REVISION LEVEL (bytes 32..36).
    pub revision: FixedText<4>,
    /// PRODUCT SERIAL NUMBER (VPD 80h).
    pub serial: FixedText<64>,
    /// Up to [`MAX_DESIGNATORS`] designators from VPD 83h (logical unit ones first).
    pub designators: [Option<DesignatorEntry>; MAX_DESIGNATORS],
    /// PERIPHERAL DEVICE TYPE.
    pub peripheral_device_type: u8,
    /// VERSION (the SPC revision claimed).
    pub version: Version,
    /// RMB: the medium is removable.
    pub removable: bool,
    /// Whether a medium is present (false only for a removable LU with none).
    pub medium_present: bool,
    /// Number of logical blocks (last LBA + 1, after capacity quirks); 0 when unknown.
    pub block_count: u64,
    /// Bytes per logical block.
    pub logical_block_length: u32,
    /// Bytes per physical block (logical × 2^LBPPBE from READ CAPACITY(16), else logical).
    pub physical_block_length: u32,
    /// LOWEST ALIGNED LOGICAL BLOCK ADDRESS (READ CAPACITY(16)).
    pub lowest_aligned_lba: u16,
    /// Protection type 0 (none) to 3 (READ CAPACITY(16) PROT_EN / P_TYPE).
    pub protection_type: u8,
    /// LBPME: logical block provisioning management enabled (thin provisioning).
    pub lbpme: bool,
    /// LBPRZ: unmapped blocks read as zeros.
    pub lbprz: bool,
    /// How to discard, as Linux `sd_discard_mode` chooses.
    pub discard: DiscardMethod,
    /// Largest transfer in logical blocks (VPD B0h MAXIMUM TRANSFER LENGTH, clamped by the
    /// MAX_SECTORS_* quirks); `None` when nothing limits it.
    pub max_transfer_blocks: Option<u32>,
    /// Optimal transfer in logical blocks (VPD B0h, validated as Linux does).
    pub optimal_transfer_blocks: Option<u32>,
    /// Medium rotation rate.
    pub rotation_rate: RotationRate,
    /// NOMINAL FORM FACTOR (VPD B1h).
    pub form_factor: NominalFormFactor,
    /// WP from the mode parameter header (false when MODE SENSE failed: see the engine).
    pub write_protected: bool,
    /// WCE from the Caching mode page; `None` when unknown.
    pub write_cache: Option<bool>,
    /// RCD from the Caching mode page; `None` when unknown.
    pub read_cache_disabled: Option<bool>,
    /// FUA usable: DPOFUA in the mode parameter header and no BROKEN_FUA quirk.
    pub fua: bool,
    /// The SAT layer, when VPD 89h was read.
    pub sat: Option<SatInfo>,
    /// The USB vendor and product ID the attach was given (a USB disk whose ID the shim
    /// found), which the USB ID quirk table was consulted with.
    pub usb_id: Option<super::UsbId>,
    /// SMART over SAT, when the unit was asked (`None`: not a SAT unit, or refused first).
    pub smart: Option<super::SmartReport>,
    /// The quirks in effect: (table | quirks_on) & !quirks_off.
    pub quirks: Quirks,
    /// Warnings.
    pub warnings: Warnings,
    /// Commands sent.
    pub commands_sent: u16,
    /// The verdict, once the engine is done.
    pub verdict: Option<Verdict>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            vendor: FixedText::EMPTY,
            product: FixedText::EMPTY,
            revision: FixedText::EMPTY,
            serial: FixedText::EMPTY,
            designators: [None; MAX_DESIGNATORS],
            peripheral_device_type: 0,
            version: Version::NONE,
            removable: false,
            medium_present: false,
            block_count: 0,
            logical_block_length: 0,
            physical_block_length: 0,
            lowest_aligned_lba: 0,
            protection_type: 0,
            lbpme: false,
            lbprz: false,
            discard: DiscardMethod::None,
            max_transfer_blocks: None,
            optimal_transfer_blocks: None,
            rotation_rate: RotationRate::Unknown,
            form_factor: NominalFormFactor::NOT_REPORTED,
            write_protected: false,
            write_cache: None,
            read_cache_disabled: None,
            fua: false,
            sat: None,
            usb_id: None,
            smart: None,
            quirks: Quirks::empty(),
            warnings: Warnings::new(),
            commands_sent: 0,
            verdict: None,
        }
    }
}

impl Report {
    /// The designators kept, in order.
    pub fn designators(&self) -> impl Iterator<Item = &DesignatorEntry> {
        self.designators.iter().flatten()
    }
}

/// The report as sbc-dext publishes it: in the I/O Registry (through
/// `property::write_report`, feature `serde`) and as `sbc-dext attach --json`. The one
/// schema both are made from; `docs/report-schema.md` lists every key.
///
/// With the `serde` feature it is `Serialize`, as a dictionary:
///
/// - `result`: `"accept"` or `"refuse"` (`"pending"` before the engine is done);
/// - `reason`: the [`RefuseReason`] when refused, else `None` (JSON `null`, left out of the
///   registry);
/// - `characteristics`: a dictionary of what was learned (vendor ... sat);
/// - `quirks`: the names of the quirks in effect;
/// - `warnings`: the [`Warnings`].
#[derive(Debug, Clone, Copy)]
pub struct Published<'a>(pub &'a Report);

#[cfg(feature = "serde")]
mod serialize {
    //! `Serialize` for the report and what it holds. Strings that are built (escaped text,
    //! hex, messages) go through `collect_str`, so no serializer needs an allocator.

    use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

    use super::{
        DesignatorEntry, DiscardMethod, FixedText, Published, RefuseReason, Report, RotationRate,
        Verdict, Warning, Warnings,
    };
    use crate::wire::PeripheralDeviceType;

    /// A string: the [`Display`](core::fmt::Display) text, non-printable bytes as `\xNN`.
    impl<const N: usize> Serialize for FixedText<N> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(self)
        }
    }

    /// `{type, code_set, association, value}`: the three codes by their spec names (numbers
    /// when unnamed), the value as [`DesignatorEntry::value`] renders it.
    impl Serialize for DesignatorEntry {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut s = serializer.serialize_struct("DesignatorEntry", 4)?;
            s.serialize_field("type", &self.designator_type)?;
            s.serialize_field("code_set", &self.code_set)?;
            s.serialize_field("association", &self.association)?;
            s.serialize_field("value", &format_args!("{}", self.value()))?;
            s.end()
        }
    }

    /// `"none"`, `"unmap"`, `"write-same-16"`, `"write-same-10"`.
    impl Serialize for DiscardMethod {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(self.as_str())
        }
    }

    /// `"non-rotating"`, the nominal rpm as a number, or none (JSON `null`, left out of the
    /// registry) when the device does not say.
    impl Serialize for RotationRate {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match *self {
                RotationRate::Unknown => serializer.serialize_none(),
                RotationRate::NonRotating => serializer.serialize_str("non-rotating"),
                RotationRate::Rpm(rpm) => serializer.serialize_u16(rpm),
            }
        }
    }

    /// `{kind, <the variant's fields>, message}`: `kind` in kebab case
    /// ([`RefuseReason::kind`]), `message` the `Display` text.
    impl Serialize for RefuseReason {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let fields = match self {
                RefuseReason::NotConnected { .. }
                | RefuseReason::NotDirectAccess { .. }
                | RefuseReason::NotReady { .. }
                | RefuseReason::UnsupportedBlockLength { .. }
                | RefuseReason::UnsupportedProtectionType { .. }
                | RefuseReason::DeviceError { .. }
                | RefuseReason::InternalError(_) => 3,
                _ => 2,
            };
            let mut s = serializer.serialize_struct("RefuseReason", fields)?;
            s.serialize_field("kind", self.kind())?;
            match *self {
                RefuseReason::NotConnected { peripheral_qualifier } => {
                    s.serialize_field("peripheral_qualifier", &peripheral_qualifier)?;
                }
                RefuseReason::NotDirectAccess { peripheral_device_type } => {
                    s.serialize_field("peripheral_device_type", &peripheral_device_type)?;
                }
                RefuseReason::NotReady { sense } => s.serialize_field("sense", &sense)?,
                RefuseReason::UnsupportedBlockLength { length } => {
                    s.serialize_field("length", &length)?;
                }
                RefuseReason::UnsupportedProtectionType { protection_type } => {
                    s.serialize_field("protection_type", &protection_type)?;
                }
                RefuseReason::DeviceError { sense } => s.serialize_field("sense", &sense)?,
                RefuseReason::InternalError(detail) => s.serialize_field("detail", detail)?,
                _ => {}
            }
            s.serialize_field("message", &format_args!("{self}"))?;
            s.end()
        }
    }

    /// `{kind, <the variant's fields>, message}`, as [`RefuseReason`].
    impl Serialize for Warning {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let fields = match self {
                Warning::VpdPageFailed { .. }
                | Warning::VpdAbandoned { .. }
                | Warning::VpdPageMalformed { .. }
                | Warning::SpinUpFailed { .. }
                | Warning::StartUnitFailed { .. }
                | Warning::Recovered { .. }
                | Warning::ChangeReported { .. }
                | Warning::ProtectionNotEndToEnd { .. } => 3,
                _ => 2,
            };
            let mut s = serializer.serialize_struct("Warning", fields)?;
            s.serialize_field("kind", self.kind())?;
            match *self {
                Warning::VpdPageFailed { page }
                | Warning::VpdAbandoned { page }
                | Warning::VpdPageMalformed { page } => s.serialize_field("page", &page)?,
                Warning::SpinUpFailed { sense } | Warning::StartUnitFailed { sense } => {
                    s.serialize_field("sense", &sense)?;
                }
                Warning::Recovered { sense } | Warning::ChangeReported { sense } => {
                    s.serialize_field("sense", &sense)?;
                }
                Warning::ProtectionNotEndToEnd { protection_type } => {
                    s.serialize_field("protection_type", &protection_type)?;
                }
                _ => {}
            }
            s.serialize_field("message", &format_args!("{self}"))?;
            s.end()
        }
    }

    /// The warnings kept, in order; when some were only counted, one more entry
    /// `{kind: "more-warnings", count, message}` says how many.
    impl Serialize for Warnings {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            /// The entry for the warnings that did not fit.
            struct More(u16);
            impl Serialize for More {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    let mut s = serializer.serialize_struct("MoreWarnings", 3)?;
                    s.serialize_field("kind", "more-warnings")?;
                    s.serialize_field("count", &self.0)?;
                    s.serialize_field(
                        "message",
                        &format_args!(
                            "{} more warnings were raised after the list was full",
                            self.0
                        ),
                    )?;
                    s.end()
                }
            }
            let more = self.overflow();
            let len = self.len().saturating_add(usize::from(more > 0));
            let mut seq = serializer.serialize_seq(Some(len))?;
            for w in self.iter() {
                seq.serialize_element(&w)?;
            }
            if more > 0 {
                seq.serialize_element(&More(more))?;
            }
            seq.end()
        }
    }

    /// `{result: "accept"}` or `{result: "refuse", reason: {...}}` (`reason` none when
    /// accepted), as in [`Published`].
    impl Serialize for Verdict {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut s = serializer.serialize_struct("Verdict", 2)?;
            match self {
                Verdict::Accept => {
                    s.serialize_field("result", "accept")?;
                    s.serialize_field("reason", &None::<RefuseReason>)?;
                }
                Verdict::Refuse(reason) => {
                    s.serialize_field("result", "refuse")?;
                    s.serialize_field("reason", reason)?;
                }
            }
            s.end()
        }
    }

    /// As [`Published`].
    impl Serialize for Report {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            Published(self).serialize(serializer)
        }
    }

    impl Serialize for Published<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let r = self.0;
            let (result, reason) = match r.verdict {
                Some(Verdict::Accept) => ("accept", None),
                Some(Verdict::Refuse(why)) => ("refuse", Some(why)),
                None => ("pending", None),
            };
            let mut s = serializer.serialize_struct("Report", 6)?;
            s.serialize_field("result", result)?;
            s.serialize_field("reason", &reason)?;
            s.serialize_field("characteristics", &Characteristics(r))?;
            s.serialize_field("quirks", &r.quirks)?;
            s.serialize_field("warnings", &r.warnings)?;
            s.serialize_field("smart", &r.smart)?;
            s.end()
        }
    }

    /// The `characteristics` dictionary of [`Published`].
    struct Characteristics<'a>(&'a Report);

    /// The designators kept, as a sequence.
    struct Designators<'a>(&'a Report);

    impl Serialize for Designators<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.designators())
        }
    }

    impl Serialize for Characteristics<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let r = self.0;
            let mut s = serializer.serialize_struct("Characteristics", 27)?;
            s.serialize_field("vendor", &r.vendor)?;
            s.serialize_field("product", &r.product)?;
            s.serialize_field("revision", &r.revision)?;
            s.serialize_field("serial", &(!r.serial.is_empty()).then_some(&r.serial))?;
            s.serialize_field("designators", &Designators(r))?;
            s.serialize_field(
                "peripheral_device_type",
                &PeripheralDeviceType(r.peripheral_device_type),
            )?;
            s.serialize_field("version", &r.version)?;
            s.serialize_field("removable", &r.removable)?;
            s.serialize_field("medium_present", &r.medium_present)?;
            s.serialize_field("block_count", &r.block_count)?;
            s.serialize_field("logical_block_size", &r.logical_block_length)?;
            s.serialize_field("physical_block_size", &r.physical_block_length)?;
            s.serialize_field("lowest_aligned_lba", &r.lowest_aligned_lba)?;
            s.serialize_field("protection_type", &r.protection_type)?;
            s.serialize_field("lbpme", &r.lbpme)?;
            s.serialize_field("lbprz", &r.lbprz)?;
            s.serialize_field("discard", &r.discard)?;
            s.serialize_field("max_transfer_blocks", &r.max_transfer_blocks)?;
            s.serialize_field("optimal_transfer_blocks", &r.optimal_transfer_blocks)?;
            s.serialize_field("rotation_rate", &r.rotation_rate)?;
            s.serialize_field("form_factor", &r.form_factor)?;
            s.serialize_field("write_protected", &r.write_protected)?;
            s.serialize_field("write_cache", &r.write_cache)?;
            s.serialize_field("read_cache_disabled", &r.read_cache_disabled)?;
            s.serialize_field("fua", &r.fua)?;
            s.serialize_field("sat", &r.sat)?;
            s.serialize_field("usb_id", &r.usb_id)?;
            s.end()
        }
    }
}

#[cfg(test)]
mod test {
    use std::string::ToString;
    use std::vec::Vec;

    use super::*;
    use crate::sense::SenseKey;

    fn every_warning() -> [Warning; 24] {
        let sense = SenseCode::new(SenseKey::NOT_READY, 0x04, 0x03);
        let page = PageCode::BLOCK_LIMITS;
        [
            Warning::InquiryFullFailed,
            Warning::InquiryShort,
            Warning::VpdUnsupported,
            Warning::VpdPageFailed { page },
            Warning::VpdAbandoned { page: PageCode(0xC0) },
            Warning::VpdPageMalformed { page },
            Warning::SerialUnusable,
            Warning::DesignatorTooLong,
            Warning::SpinUpFailed { sense: Some(sense) },
            Warning::StartUnitFailed { sense: None },
            Warning::Recovered { sense },
            Warning::ReadCapacity16Failed,
            Warning::CapacityAssumed2To32,
            Warning::CapacityAdjusted,
            Warning::BlockLengthZero,
            Warning::PhysicalBlockLengthInvalid,
            Warning::ReadBlockZeroFailed,
            Warning::ModeSense10Unsupported,
            Warning::ModeSenseFailed,
            Warning::CachingPageMissing,
            Warning::OptimalTransferInvalid,
            Warning::InquiryRereadFailed,
            Warning::ChangeReported { sense },
            Warning::ProtectionNotEndToEnd { protection_type: 2 },
        ]
    }

    #[test]
    fn warnings_have_one_line_and_a_kind_each() {
        let all = every_warning();
        let mut kinds: Vec<&str> = all.iter().map(Warning::kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), all.len(), "kinds are distinct");
        for w in all {
            let text = w.to_string();
            assert!(!text.is_empty() && !text.contains('\n'), "{w:?}: {text}");
            assert!(w
                .kind()
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'));
        }
        assert_eq!(
            Warning::VpdPageFailed { page: PageCode::BLOCK_LIMITS }.to_string(),
            "VPD page B0h (Block Limits) could not be read"
        );
        assert_eq!(
            Warning::SpinUpFailed { sense: Some(SenseCode::new(SenseKey::NOT_READY, 4, 3)) }
                .to_string(),
            "the unit did not become ready (NOT READY 04/03: \
             Logical unit not ready, manual intervention required); READ CAPACITY decides"
        );
    }

    #[test]
    fn names_for_people() {
        assert_eq!(RotationRate::Rpm(7200).to_string(), "7200 rpm");
        assert_eq!(RotationRate::NonRotating.to_string(), "non-rotating");
        assert_eq!(RotationRate::Unknown.to_string(), "unknown");
        assert_eq!(DiscardMethod::WriteSame10.to_string(), "write-same-10");
        let naa = DesignatorEntry::new(
            DesignatorType::NAA,
            CodeSet::BINARY,
            Association::LOGICAL_UNIT,
            &[0x50, 0x00, 0xcc, 0xa0],
        )
        .unwrap();
        assert_eq!(naa.to_string(), "NAA (binary, logical unit) 5000cca0");
        let name = DesignatorEntry::new(
            DesignatorType::SCSI_NAME_STRING,
            CodeSet::UTF_8,
            Association::TARGET_DEVICE,
            b"iqn.2024-01.x:\xff \0\0",
        )
        .unwrap();
        assert_eq!(name.to_string(), "SCSI name string (UTF-8, target device) iqn.2024-01.x:\\xff");
    }
}
