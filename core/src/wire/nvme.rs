//! NVMe admin data reached through a USB bridge (`cdb::nvme_bridge`): the Identify
//! Controller data structure, the SMART / Health Information log page, the Error Information
//! and Firmware Slot Information log pages, and a health verdict.
//!
//! Layouts follow the NVM Express Base Specification, revision 2.0a (July 2021): §5.17.2.1
//! Figure 275 "Identify – Identify Controller Data Structure, I/O Command Set Independent",
//! §5.16.1.2 Figure 206 "Error Information Log Entry Data Structure", §5.16.1.3 Figure 207
//! "SMART / Health Information Log Page" and §5.16.1.4 Figure 209 "Firmware Slot Information
//! Log Page". smartmontools' `nvmecmds.h` (`nvme_id_ctrl`, `nvme_smart_log`,
//! `nvme_error_log_page`) was read as a cross-check of the offsets; it agrees on every field
//! decoded here. Every multi-byte NVMe field is little-endian.
//!
//! ```text
//! Identify Controller (4096 bytes), the fields decoded here
//!   0..=1 VID    2..=3 SSVID    4..=23 SN    24..=63 MN    64..=71 FR    72 RAB
//!   73..=75 IEEE OUI (least significant byte first)    76 CMIC    77 MDTS
//!   78..=79 CNTLID    80..=83 VER (31:16 major, 15:8 minor, 7:0 tertiary)
//!   256..=257 OACS    260 FRMW    261 LPA    262 ELPE (0's based)    263 NPSS
//!   266..=267 WCTEMP (K)    268..=269 CCTEMP (K)    280..=295 TNVMCAP    296..=311 UNVMCAP
//!   516..=519 NN
//!
//! SMART / Health Information (512 bytes)
//!   0 critical warning    1..=2 composite temperature (K)    3 available spare (%)
//!   4 available spare threshold (%)    5 percentage used    6 endurance group summary
//!   32, 48, 64, 80, 96, 112, 128, 144, 160, 176: 16-byte counters (data units read,
//!     written, host read commands, host write commands, controller busy time (minutes),
//!     power cycles, power-on hours, unsafe shutdowns, media and data integrity errors,
//!     number of error information log entries)
//!   192..=195 warning composite temperature time (minutes)
//!   196..=199 critical composite temperature time (minutes)
//!   200..=215 temperature sensors 1..=8 (K, 0 = not implemented)
//!   216..=231 thermal management temperature 1/2 transition counts and total times
//! ```
//!
//! Like every decoder of this crate these read through `slice::get`: a structure cut short
//! decodes with the fields past the end `None`, and no input panics. Values the crate does
//! not interpret (reserved critical warning bits, a percentage above 100) are kept.

use super::field::array_at;
use super::{Decoded, Error};
use core::fmt;

/// Length of the Identify Controller data structure.
pub const IDENTIFY_CONTROLLER_LEN: usize = 4096;
/// Length of the SMART / Health Information log page.
pub const SMART_HEALTH_LOG_LEN: usize = 512;
/// Length of one Error Information log entry.
pub const ERROR_LOG_ENTRY_LEN: usize = 64;
/// Length of the Firmware Slot Information log page.
pub const FIRMWARE_SLOT_LOG_LEN: usize = 512;
/// Bytes in one NVMe "data unit" (Figure 207: thousands of 512-byte units).
pub const DATA_UNIT_BYTES: u128 = 512_000;

fn le16(d: &[u8], at: usize) -> Option<u16> {
    array_at(d, at).map(u16::from_le_bytes)
}

fn le32(d: &[u8], at: usize) -> Option<u32> {
    array_at(d, at).map(u32::from_le_bytes)
}

fn le64(d: &[u8], at: usize) -> Option<u64> {
    array_at(d, at).map(u64::from_le_bytes)
}

fn le128(d: &[u8], at: usize) -> Option<u128> {
    array_at(d, at).map(u128::from_le_bytes)
}

/// An NVMe ASCII string field (SN, MN, FR: left-justified and padded with spaces, Figure
/// 275), copied and trimmed of spaces and NULs at both ends so the decoded structure is
/// plain data. `N` is the field's length.
pub type NvmeString<const N: usize> = crate::wire::AsciiField<N>;

fn nvme_string<const N: usize>(d: &[u8], at: usize) -> Option<NvmeString<N>> {
    array_at(d, at).map(NvmeString::trimmed)
}

/// A temperature in kelvins as NVMe reports it (a 16-bit field). 0 K means "not reported"
/// (a temperature sensor that is not implemented, Figure 207; a threshold of 0h,
/// Figure 275), so [`Temperature::celsius`] is `None` for it; any other value, 0xFFFF
/// included, converts (65262 °C for 0xFFFF: implausible, but data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Temperature(pub u16);

impl Temperature {
    /// The value in kelvins.
    pub fn kelvin(self) -> u16 {
        self.0
    }

    /// Whole degrees Celsius: kelvins minus 273, as smartmontools' `kelvin_to_str`
    /// (`nvmeprint.cpp`) converts, and `None` for 0 K, which it prints as `-`.
    pub fn celsius(self) -> Option<i32> {
        (self.0 != 0).then(|| i32::from(self.0) - 273)
    }
}

/// `35 C (308 K)`, or `not reported` for 0 K.
impl fmt::Display for Temperature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.celsius() {
            Some(c) => write!(f, "{c} C ({} K)", self.0),
            None => f.write_str("not reported"),
        }
    }
}

/// `{"kelvin": 308, "celsius": 35}` (`celsius` null for 0 K).
#[cfg(feature = "serde")]
impl serde::Serialize for Temperature {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Temperature", 2)?;
        s.serialize_field("kelvin", &self.0)?;
        s.serialize_field("celsius", &self.celsius())?;
        s.end()
    }
}

/// A 128-bit counter as a number when it fits 64 bits, else as its decimal string, so that
/// JSON readers and the property writer (which stop at 64 bits) keep every digit.
#[cfg(feature = "serde")]
pub(super) fn serde_u128<S: serde::Serializer>(
    v: &Option<u128>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match v {
        None => serializer.serialize_none(),
        Some(v) => match u64::try_from(*v) {
            Ok(small) => serializer.serialize_u64(small),
            Err(_) => serializer.collect_str(v),
        },
    }
}

/// The NVMe version a controller reports (VER, Identify Controller bytes 80..=83; also the
/// VS register's layout): major in bits 31:16, minor in 15:8, tertiary in 7:0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NvmeVersion {
    /// MJR.
    pub major: u16,
    /// MNR.
    pub minor: u8,
    /// TER.
    pub tertiary: u8,
}

impl NvmeVersion {
    /// Splits VER; `None` for 0 (controllers of NVMe 1.0 may leave VER at 0h).
    pub fn from_register(ver: u32) -> Option<Self> {
        (ver != 0).then_some(NvmeVersion {
            major: (ver >> 16) as u16,
            minor: (ver >> 8) as u8,
            tertiary: ver as u8,
        })
    }
}

/// `1.4` or `1.4.1`.
impl fmt::Display for NvmeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if self.tertiary != 0 {
            write!(f, ".{}", self.tertiary)?;
        }
        Ok(())
    }
}

/// The Identify Controller data structure (NVMe Base 2.0a §5.17.2.1, Figure 275), the
/// fields a health report needs, as plain values. A field is `None` when its bytes were not
/// transferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentifyController {
    /// PCI Vendor ID (VID, bytes 0..=1).
    pub vid: Option<u16>,
    /// PCI Subsystem Vendor ID (SSVID, bytes 2..=3).
    pub ssvid: Option<u16>,
    /// Serial Number (SN, bytes 4..=23), trimmed.
    pub serial_number: Option<NvmeString<20>>,
    /// Model Number (MN, bytes 24..=63), trimmed.
    pub model_number: Option<NvmeString<40>>,
    /// Firmware Revision (FR, bytes 64..=71), trimmed.
    pub firmware_revision: Option<NvmeString<8>>,
    /// Recommended Arbitration Burst (RAB, byte 72).
    pub rab: Option<u8>,
    /// IEEE OUI Identifier (bytes 73..=75, least significant byte first), as a 24-bit value
    /// (`0x002538` for a controller whose bytes are 38h 25h 00h).
    pub ieee_oui: Option<u32>,
    /// Controller Multi-Path I/O and Namespace Sharing Capabilities (CMIC, byte 76).
    pub cmic: Option<u8>,
    /// Maximum Data Transfer Size (MDTS, byte 77): a power of two in units of the minimum
    /// memory page size; 0 = no limit.
    pub mdts: Option<u8>,
    /// Controller ID (CNTLID, bytes 78..=79).
    pub cntlid: Option<u16>,
    /// Version (VER, bytes 80..=83); `None` also when VER is 0h.
    pub version: Option<NvmeVersion>,
    /// Optional Admin Command Support (OACS, bytes 256..=257).
    pub oacs: Option<u16>,
    /// Firmware Updates (FRMW, byte 260): bit 0 slot 1 read-only, bits 3:1 number of slots.
    pub frmw: Option<u8>,
    /// Log Page Attributes (LPA, byte 261): bit 0 SMART / Health log per namespace.
    pub lpa: Option<u8>,
    /// Error Log Page Entries (ELPE, byte 262), 0's based.
    pub elpe: Option<u8>,
    /// Number of Power States Support (NPSS, byte 263), 0's based.
    pub npss: Option<u8>,
    /// Warning Composite Temperature Threshold (WCTEMP, bytes 266..=267); 0 K = none.
    pub wctemp: Option<Temperature>,
    /// Critical Composite Temperature Threshold (CCTEMP, bytes 268..=269); 0 K = none.
    pub cctemp: Option<Temperature>,
    /// Total NVM Capacity in bytes (TNVMCAP, bytes 280..=295); 0 when not reported.
    pub tnvmcap: Option<u128>,
    /// Unallocated NVM Capacity in bytes (UNVMCAP, bytes 296..=311).
    pub unvmcap: Option<u128>,
    /// Number of Namespaces (NN, bytes 516..=519): the largest namespace ID.
    pub nn: Option<u32>,
}

impl IdentifyController {
    /// Decodes the Identify Controller data structure (NVMe Base 2.0a §5.17.2.1, Figure
    /// 275). It has no header, so nothing is an error: a short buffer gives the fields it
    /// holds, and bytes beyond 4096 are ignored.
    pub fn parse(d: &[u8]) -> Decoded<Self> {
        let d = d.get(..IDENTIFY_CONTROLLER_LEN).unwrap_or(d);
        let byte = |i: usize| d.get(i).copied();
        let value = IdentifyController {
            vid: le16(d, 0),
            ssvid: le16(d, 2),
            serial_number: nvme_string(d, 4),
            model_number: nvme_string(d, 24),
            firmware_revision: nvme_string(d, 64),
            rab: byte(72),
            ieee_oui: array_at::<3>(d, 73).map(|[a, b, c]| u32::from_le_bytes([a, b, c, 0])),
            cmic: byte(76),
            mdts: byte(77),
            cntlid: le16(d, 78),
            version: le32(d, 80).and_then(NvmeVersion::from_register),
            oacs: le16(d, 256),
            frmw: byte(260),
            lpa: byte(261),
            elpe: byte(262),
            npss: byte(263),
            wctemp: le16(d, 266).map(Temperature),
            cctemp: le16(d, 268).map(Temperature),
            tnvmcap: le128(d, 280),
            unvmcap: le128(d, 296),
            nn: le32(d, 516),
        };
        Decoded { value, announced: IDENTIFY_CONTROLLER_LEN, available: d.len() }
    }

    /// Number of firmware slots (FRMW bits 3:1; 1..=7 when the field is valid).
    pub fn firmware_slots(&self) -> Option<u8> {
        self.frmw.map(|f| (f >> 1) & 0x07)
    }

    /// Error Information log entries the controller keeps (ELPE + 1).
    pub fn error_log_entries(&self) -> Option<u16> {
        self.elpe.map(|e| u16::from(e) + 1)
    }

    /// Whether the SMART / Health log can be read per namespace (LPA bit 0).
    pub fn smart_log_per_namespace(&self) -> Option<bool> {
        self.lpa.map(|l| l & 1 != 0)
    }
}

/// One line: `MODEL (serial SN, firmware FR), NVMe 1.4, 1 namespace(s)`.
impl fmt::Display for IdentifyController {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::wire::or_question_mark as opt;
        write!(
            f,
            "{} (serial {}, firmware {}), NVMe {}, {} namespace(s)",
            opt(&self.model_number),
            opt(&self.serial_number),
            opt(&self.firmware_revision),
            opt(&self.version),
            opt(&self.nn),
        )
    }
}

bitflags::bitflags! {
    /// Critical Warning (SMART / Health log byte 0, NVMe Base 2.0a Figure 207). Bits the
    /// specification reserves (7:6) are kept (`from_bits_retain`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct CriticalWarning: u8 {
        /// Bit 0: available spare capacity has fallen below the threshold.
        const AVAILABLE_SPARE = 1 << 0;
        /// Bit 1: a temperature is at or above an over-temperature threshold or at or
        /// below an under-temperature threshold.
        const TEMPERATURE = 1 << 1;
        /// Bit 2: NVM subsystem reliability degraded (media or internal errors).
        const RELIABILITY_DEGRADED = 1 << 2;
        /// Bit 3: all media placed in read-only mode.
        const READ_ONLY = 1 << 3;
        /// Bit 4: the volatile memory backup device has failed.
        const VOLATILE_MEMORY_BACKUP_FAILED = 1 << 4;
        /// Bit 5: the Persistent Memory Region has become read-only or unreliable.
        const PERSISTENT_MEMORY_REGION_READ_ONLY = 1 << 5;
    }
}

/// Short names of the critical warning bits, in bit order (7:6 reserved).
const CRITICAL_WARNING_NAMES: [&str; 8] = [
    "available-spare",
    "temperature",
    "reliability-degraded",
    "read-only",
    "volatile-memory-backup-failed",
    "persistent-memory-region-read-only",
    "reserved-bit-6",
    "reserved-bit-7",
];

impl CriticalWarning {
    /// Short names of the bits that are set, in bit order (reserved bits as
    /// `reserved-bit-N`).
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        let bits = self.bits();
        CRITICAL_WARNING_NAMES
            .iter()
            .enumerate()
            .filter(move |(i, _)| bits >> i & 1 != 0)
            .map(|(_, n)| *n)
    }
}

/// `{"value": 4, "set": ["reliability-degraded"]}`: the byte, and the names of its bits.
#[cfg(feature = "serde")]
impl serde::Serialize for CriticalWarning {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("CriticalWarning", 2)?;
        s.serialize_field("value", &self.bits())?;
        s.serialize_field("set", &crate::wire::nvme_serde::Names(*self))?;
        s.end()
    }
}

/// The SMART / Health Information log page (log identifier 02h; NVMe Base 2.0a §5.16.1.3,
/// Figure 207). Counters are the 128-bit values as sent; a field is `None` when its bytes
/// were not transferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmartHealthLog {
    /// Critical Warning (byte 0).
    pub critical_warning: CriticalWarning,
    /// Composite Temperature (bytes 1..=2).
    pub composite_temperature: Option<Temperature>,
    /// Available Spare, percent (byte 3; 0..=100, other values reserved).
    pub available_spare: Option<u8>,
    /// Available Spare Threshold, percent (byte 4; 0..=100, other values reserved).
    pub available_spare_threshold: Option<u8>,
    /// Percentage Used (byte 5): a vendor estimate of life used; may exceed 100, 255 means
    /// 255 or more.
    pub percentage_used: Option<u8>,
    /// Endurance Group Critical Warning Summary (byte 6).
    pub endurance_group_critical_warning_summary: Option<u8>,
    /// Data Units Read (bytes 32..=47), thousands of 512-byte units.
    pub data_units_read: Option<u128>,
    /// Data Units Written (bytes 48..=63), thousands of 512-byte units.
    pub data_units_written: Option<u128>,
    /// Host Read Commands (bytes 64..=79).
    pub host_read_commands: Option<u128>,
    /// Host Write Commands (bytes 80..=95).
    pub host_write_commands: Option<u128>,
    /// Controller Busy Time, minutes (bytes 96..=111).
    pub controller_busy_time: Option<u128>,
    /// Power Cycles (bytes 112..=127).
    pub power_cycles: Option<u128>,
    /// Power On Hours (bytes 128..=143).
    pub power_on_hours: Option<u128>,
    /// Unsafe Shutdowns (bytes 144..=159).
    pub unsafe_shutdowns: Option<u128>,
    /// Media and Data Integrity Errors (bytes 160..=175).
    pub media_errors: Option<u128>,
    /// Number of Error Information Log Entries over the controller's life (bytes 176..=191).
    pub error_log_entries: Option<u128>,
    /// Warning Composite Temperature Time, minutes (bytes 192..=195).
    pub warning_temperature_time: Option<u32>,
    /// Critical Composite Temperature Time, minutes (bytes 196..=199).
    pub critical_temperature_time: Option<u32>,
    /// Temperature Sensors 1..=8 (bytes 200..=215); 0 K means the sensor is not implemented.
    pub temperature_sensors: [Option<Temperature>; 8],
    /// Thermal Management Temperature 1 Transition Count (bytes 216..=219).
    pub thermal_1_transitions: Option<u32>,
    /// Thermal Management Temperature 2 Transition Count (bytes 220..=223).
    pub thermal_2_transitions: Option<u32>,
    /// Total Time For Thermal Management Temperature 1, seconds (bytes 224..=227).
    pub thermal_1_seconds: Option<u32>,
    /// Total Time For Thermal Management Temperature 2, seconds (bytes 228..=231).
    pub thermal_2_seconds: Option<u32>,
}

impl SmartHealthLog {
    /// Decodes the SMART / Health Information log page (NVMe Base 2.0a §5.16.1.3, Figure
    /// 207). Bytes beyond 512 are ignored.
    ///
    /// # Errors
    /// [`Error::Truncated`] for an empty buffer (the Critical Warning byte is the header).
    pub fn parse(d: &[u8]) -> Result<Decoded<Self>, Error> {
        let Some(&warning) = d.first() else {
            return Err(Error::Truncated { needed: 1, available: 0 });
        };
        let d = d.get(..SMART_HEALTH_LOG_LEN).unwrap_or(d);
        let byte = |i: usize| d.get(i).copied();
        let mut temperature_sensors = [None; 8];
        for (i, out) in temperature_sensors.iter_mut().enumerate() {
            *out = le16(d, 200 + 2 * i).map(Temperature);
        }
        let value = SmartHealthLog {
            critical_warning: CriticalWarning::from_bits_retain(warning),
            composite_temperature: le16(d, 1).map(Temperature),
            available_spare: byte(3),
            available_spare_threshold: byte(4),
            percentage_used: byte(5),
            endurance_group_critical_warning_summary: byte(6),
            data_units_read: le128(d, 32),
            data_units_written: le128(d, 48),
            host_read_commands: le128(d, 64),
            host_write_commands: le128(d, 80),
            controller_busy_time: le128(d, 96),
            power_cycles: le128(d, 112),
            power_on_hours: le128(d, 128),
            unsafe_shutdowns: le128(d, 144),
            media_errors: le128(d, 160),
            error_log_entries: le128(d, 176),
            warning_temperature_time: le32(d, 192),
            critical_temperature_time: le32(d, 196),
            temperature_sensors,
            thermal_1_transitions: le32(d, 216),
            thermal_2_transitions: le32(d, 220),
            thermal_1_seconds: le32(d, 224),
            thermal_2_seconds: le32(d, 228),
        };
        Ok(Decoded { value, announced: SMART_HEALTH_LOG_LEN, available: d.len() })
    }

    /// Data Units Read in bytes ([`data_units_to_bytes`]).
    pub fn bytes_read(&self) -> Option<u128> {
        self.data_units_read.and_then(data_units_to_bytes)
    }

    /// Data Units Written in bytes ([`data_units_to_bytes`]).
    pub fn bytes_written(&self) -> Option<u128> {
        self.data_units_written.and_then(data_units_to_bytes)
    }

    /// Whether the available spare is below its threshold: both present and within the
    /// specification's 0..=100 (101..=255 are reserved, so such a pair is not compared).
    pub fn spare_below_threshold(&self) -> Option<bool> {
        match (self.available_spare, self.available_spare_threshold) {
            (Some(s), Some(t)) if s <= 100 && t <= 100 => Some(s < t),
            _ => None,
        }
    }

    /// The implemented temperature sensors: `(sensor number 1..=8, temperature)`.
    pub fn sensors(&self) -> impl Iterator<Item = (u8, Temperature)> + '_ {
        (1u8..)
            .zip(self.temperature_sensors.iter())
            .filter_map(|(n, t)| t.filter(|t| t.0 != 0).map(|t| (n, t)))
    }

    /// The health verdict of this log ([`health`]).
    pub fn health(&self, previous_media_errors: Option<u128>) -> NvmeHealth {
        health(self, previous_media_errors)
    }
}

/// Data units (thousands of 512-byte units, Figure 207) in bytes; `None` past `u128::MAX`
/// bytes (a counter above about 6.6 * 10^32 units).
pub fn data_units_to_bytes(units: u128) -> Option<u128> {
    units.checked_mul(DATA_UNIT_BYTES)
}

/// One line: `critical warning 0x00, 35 C, spare 100% (threshold 10%), 3% used, 1234 h,
/// 56 power cycles, 2 unsafe shutdowns, 0 media errors`.
impl fmt::Display for SmartHealthLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "critical warning {:#04x}", self.critical_warning.bits())?;
        match self.composite_temperature.and_then(|t| t.celsius()) {
            Some(c) => write!(f, ", {c} C")?,
            None => f.write_str(", temperature ?")?,
        }
        match (self.available_spare, self.available_spare_threshold) {
            (Some(s), Some(t)) => write!(f, ", spare {s}% (threshold {t}%)")?,
            (Some(s), None) => write!(f, ", spare {s}%")?,
            _ => f.write_str(", spare ?")?,
        }
        match self.percentage_used {
            Some(p) => write!(f, ", {p}% used")?,
            None => f.write_str(", used ?")?,
        }
        let counters = [
            (self.power_on_hours, " h"),
            (self.power_cycles, " power cycles"),
            (self.unsafe_shutdowns, " unsafe shutdowns"),
            (self.media_errors, " media errors"),
        ];
        for (value, unit) in counters {
            match value {
                Some(v) => write!(f, ", {v}{unit}")?,
                None => write!(f, ", ?{unit}")?,
            }
        }
        Ok(())
    }
}

/// The health verdict of [`health`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "kebab-case"))]
pub enum NvmeHealth {
    /// Nothing in the log says the drive is failing or worn out.
    Passed,
    /// The drive's own estimate of life used has reached 100% (Percentage Used >= 100):
    /// worn out by its vendor's measure, not failing.
    Warning {
        /// Percentage Used.
        percentage_used: u8,
    },
    /// A critical warning bit is set, the spare is below its threshold, or the media and
    /// data integrity error count grew since the previous reading.
    Failing {
        /// The Critical Warning byte (reserved bits included).
        critical_warning: u8,
        /// Available Spare below Available Spare Threshold.
        spare_below_threshold: bool,
        /// Media and data integrity errors counted since the previous reading.
        #[cfg_attr(feature = "serde", serde(serialize_with = "serde_u128"))]
        media_errors_added: Option<u128>,
    },
    /// The log ends before Available Spare, its threshold and Percentage Used (bytes 3..=5),
    /// and nothing that is present says failing.
    Unknown,
}

/// One line: `passed`, `warning (120% of rated life used)`, `failing (critical warning
/// 0x04: reliability-degraded)`, `unknown`.
impl fmt::Display for NvmeHealth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NvmeHealth::Passed => f.write_str("passed"),
            NvmeHealth::Warning { percentage_used } => {
                write!(f, "warning ({percentage_used}% of rated life used)")
            }
            NvmeHealth::Failing { critical_warning, spare_below_threshold, media_errors_added } => {
                f.write_str("failing (")?;
                let mut sep = "";
                if critical_warning != 0 {
                    write!(f, "critical warning {critical_warning:#04x}:")?;
                    for name in CriticalWarning::from_bits_retain(critical_warning).names() {
                        write!(f, " {name}")?;
                    }
                    sep = "; ";
                }
                if spare_below_threshold {
                    write!(f, "{sep}spare below threshold")?;
                    sep = "; ";
                }
                if let Some(n) = media_errors_added {
                    write!(f, "{sep}{n} new media errors")?;
                }
                f.write_str(")")
            }
            NvmeHealth::Unknown => f.write_str("unknown"),
        }
    }
}

/// The health verdict of a SMART / Health log (NVMe Base 2.0a Figure 207):
///
/// - failing when any Critical Warning bit is set (the reserved bits 7:6 too: the field
///   exists to flag trouble, and an unknown flag is not a reason to pass), when Available
///   Spare is below Available Spare Threshold ([`SmartHealthLog::spare_below_threshold`]),
///   or when Media and Data Integrity Errors is larger than `previous_media_errors` (the
///   count from an earlier reading of the same drive, if the caller kept one);
/// - otherwise a warning when Percentage Used is 100 or more;
/// - otherwise passed, if bytes 3..=5 were present; unknown if they were not.
pub fn health(log: &SmartHealthLog, previous_media_errors: Option<u128>) -> NvmeHealth {
    let spare_below_threshold = log.spare_below_threshold() == Some(true);
    let media_errors_added = match (log.media_errors, previous_media_errors) {
        (Some(now), Some(before)) if now > before => Some(now - before),
        _ => None,
    };
    let warning = log.critical_warning.bits();
    if warning != 0 || spare_below_threshold || media_errors_added.is_some() {
        return NvmeHealth::Failing {
            critical_warning: warning,
            spare_below_threshold,
            media_errors_added,
        };
    }
    match (log.available_spare, log.available_spare_threshold, log.percentage_used) {
        (Some(_), Some(_), Some(p)) if p >= 100 => NvmeHealth::Warning { percentage_used: p },
        (Some(_), Some(_), Some(_)) => NvmeHealth::Passed,
        _ => NvmeHealth::Unknown,
    }
}

/// One entry of the Error Information log page (log identifier 01h; NVMe Base 2.0a
/// §5.16.1.2, Figure 206), 64 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ErrorLogEntry {
    /// Error Count (bytes 0..=7): a unique, incrementing identifier; never 0 here (0 marks
    /// an unused entry).
    pub error_count: u64,
    /// Submission Queue ID (bytes 8..=9); FFFFh when not specific to a command.
    pub sqid: u16,
    /// Command ID (bytes 10..=11).
    pub cid: u16,
    /// Status Field (bytes 12..=13): bit 0 the phase tag, bits 15:1 the completion status.
    pub status_field: u16,
    /// Parameter Error Location (bytes 14..=15): byte in bits 7:0, bit in bits 10:8.
    pub parameter_error_location: u16,
    /// LBA (bytes 16..=23): the first LBA that saw the error, if any.
    pub lba: u64,
    /// Namespace (bytes 24..=27).
    pub nsid: u32,
    /// Vendor Specific Information Available (byte 28): a vendor log page ID, 0 = none.
    pub vendor_specific_log_page: u8,
    /// Transport Type (byte 29).
    pub transport_type: u8,
    /// Command Specific Information (bytes 32..=39).
    pub command_specific: u64,
}

impl ErrorLogEntry {
    /// Status Code (SC, status field bits 8:1).
    pub fn status_code(&self) -> u8 {
        (self.status_field >> 1) as u8
    }

    /// Status Code Type (SCT, status field bits 11:9).
    pub fn status_code_type(&self) -> u8 {
        ((self.status_field >> 9) & 0x07) as u8
    }

    fn parse(e: &[u8]) -> Option<Self> {
        let error_count = le64(e, 0)?;
        if error_count == 0 || e.len() < ERROR_LOG_ENTRY_LEN {
            return None;
        }
        Some(ErrorLogEntry {
            error_count,
            sqid: le16(e, 8)?,
            cid: le16(e, 10)?,
            status_field: le16(e, 12)?,
            parameter_error_location: le16(e, 14)?,
            lba: le64(e, 16)?,
            nsid: le32(e, 24)?,
            vendor_specific_log_page: *e.get(28)?,
            transport_type: *e.get(29)?,
            command_specific: le64(e, 32)?,
        })
    }
}

/// `#7: SCT 0 SC 0x02 on SQ 0 command 0x0012, LBA 0, namespace 1`.
impl fmt::Display for ErrorLogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{}: SCT {} SC {:#04x} on SQ {} command {:#06x}, LBA {}, namespace {}",
            self.error_count,
            self.status_code_type(),
            self.status_code(),
            self.sqid,
            self.cid,
            self.lba,
            self.nsid
        )
    }
}

/// The Error Information log page (NVMe Base 2.0a §5.16.1.2): 64-byte entries, newest
/// first. [`ErrorLog::entries`] yields the used, whole entries; an entry the end of the
/// buffer cuts through is not returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorLog<'a> {
    bytes: &'a [u8],
}

impl<'a> ErrorLog<'a> {
    /// Wraps an Error Information log of any length (the host asks for as many entries
    /// as it wants, up to ELPE + 1). `announced` is the length rounded up to whole entries,
    /// so a log cut through an entry is [`Decoded::is_truncated`].
    ///
    /// # Errors
    /// [`Error::Truncated`] below one entry.
    pub fn parse(d: &'a [u8]) -> Result<Decoded<Self>, Error> {
        if d.len() < ERROR_LOG_ENTRY_LEN {
            return Err(Error::Truncated { needed: ERROR_LOG_ENTRY_LEN, available: d.len() });
        }
        let announced = d.len().div_ceil(ERROR_LOG_ENTRY_LEN).saturating_mul(ERROR_LOG_ENTRY_LEN);
        Ok(Decoded { value: ErrorLog { bytes: d }, announced, available: d.len() })
    }

    /// The used entries (error count not 0), newest first.
    pub fn entries(&self) -> impl Iterator<Item = ErrorLogEntry> + 'a {
        self.bytes.chunks_exact(ERROR_LOG_ENTRY_LEN).filter_map(ErrorLogEntry::parse)
    }
}

/// The Firmware Slot Information log page (log identifier 03h; NVMe Base 2.0a §5.16.1.4,
/// Figure 209).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FirmwareSlotLog {
    /// Active Firmware Info (AFI, byte 0): bits 2:0 the active slot, bits 6:4 the slot
    /// activated at the next reset (0 = none).
    pub afi: u8,
    /// Firmware Revision for slots 1..=7 (bytes 8..=63, 8 bytes each); `None` when cut
    /// off, empty text when the slot holds no image.
    pub revisions: [Option<NvmeString<8>>; 7],
}

impl FirmwareSlotLog {
    /// Decodes the Firmware Slot Information log page (NVMe Base 2.0a §5.16.1.4,
    /// Figure 209).
    ///
    /// # Errors
    /// [`Error::Truncated`] for an empty buffer (AFI is the header).
    pub fn parse(d: &[u8]) -> Result<Decoded<Self>, Error> {
        let Some(&afi) = d.first() else {
            return Err(Error::Truncated { needed: 1, available: 0 });
        };
        let d = d.get(..FIRMWARE_SLOT_LOG_LEN).unwrap_or(d);
        let mut revisions = [None; 7];
        for (i, out) in revisions.iter_mut().enumerate() {
            *out = nvme_string(d, 8 + 8 * i);
        }
        Ok(Decoded {
            value: FirmwareSlotLog { afi, revisions },
            announced: FIRMWARE_SLOT_LOG_LEN,
            available: d.len(),
        })
    }

    /// The slot the running firmware came from (AFI bits 2:0).
    pub fn active_slot(&self) -> u8 {
        self.afi & 0x07
    }

    /// The slot activated at the next reset (AFI bits 6:4), `None` when 0.
    pub fn next_slot(&self) -> Option<u8> {
        Some((self.afi >> 4) & 0x07).filter(|&s| s != 0)
    }

    /// The revision in the active slot.
    pub fn active_revision(&self) -> Option<NvmeString<8>> {
        let slot = usize::from(self.active_slot());
        self.revisions.get(slot.checked_sub(1)?).copied().flatten()
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use std::string::ToString;

    #[test]
    fn test_temperature_edges() {
        assert_eq!(Temperature(0).celsius(), None);
        assert_eq!(Temperature(273).celsius(), Some(0));
        assert_eq!(Temperature(0xFFFF).celsius(), Some(65262));
        assert_eq!(Temperature(308).to_string(), "35 C (308 K)");
        assert_eq!(Temperature(0).to_string(), "not reported");
    }

    #[test]
    fn test_version() {
        assert_eq!(NvmeVersion::from_register(0), None);
        let v = NvmeVersion::from_register(0x0001_0400).unwrap();
        assert_eq!(v.to_string(), "1.4");
        assert_eq!(NvmeVersion::from_register(0x0002_0001).unwrap().to_string(), "2.0.1");
    }

    #[test]
    fn test_critical_warning_names() {
        let w = CriticalWarning::from_bits_retain(0x85);
        let names: [&str; 3] = {
            let mut it = w.names();
            [it.next().unwrap(), it.next().unwrap(), it.next().unwrap()]
        };
        assert_eq!(names, ["available-spare", "reliability-degraded", "reserved-bit-7"]);
    }

    #[test]
    fn test_firmware_slot_log() {
        let mut d = [0u8; 512];
        d[0] = 0x12;
        d[8..16].copy_from_slice(b"1B2QEXM7");
        d[16..24].copy_from_slice(b"2B2QEXM7");
        let f = FirmwareSlotLog::parse(&d).unwrap().value;
        assert_eq!((f.active_slot(), f.next_slot()), (2, Some(1)));
        assert_eq!(f.active_revision().unwrap().as_str(), Some("2B2QEXM7"));
        assert_eq!(f.revisions[2].unwrap().as_bytes(), b"");
        assert_eq!(FirmwareSlotLog::parse(&[]), Err(Error::Truncated { needed: 1, available: 0 }));
        let short = FirmwareSlotLog::parse(&d[..20]).unwrap();
        assert!(short.is_truncated());
        assert_eq!(short.value.revisions[1], None);
    }

    #[test]
    fn test_error_log() {
        let mut d = [0u8; 192];
        d[0] = 7;
        d[8..10].copy_from_slice(&0u16.to_le_bytes());
        d[10..12].copy_from_slice(&0x12u16.to_le_bytes());
        // SCT 2 (media), SC 81h (unrecovered read error), phase 1.
        d[12..14].copy_from_slice(&((2u16 << 9) | (0x81 << 1) | 1).to_le_bytes());
        d[24..28].copy_from_slice(&1u32.to_le_bytes());
        d[128] = 5; // third entry used, second not
        let log = ErrorLog::parse(&d[..190]).unwrap();
        assert_eq!((log.announced, log.available), (192, 190));
        assert!(log.is_truncated());
        let mut entries = log.value.entries();
        let e = entries.next().unwrap();
        assert_eq!((e.error_count, e.status_code_type(), e.status_code()), (7, 2, 0x81));
        assert_eq!(e.to_string(), "#7: SCT 2 SC 0x81 on SQ 0 command 0x0012, LBA 0, namespace 1");
        assert_eq!(entries.next(), None, "unused entry skipped, the cut one not returned");
        assert_eq!(ErrorLog::parse(&d).unwrap().value.entries().count(), 2);
        assert!(ErrorLog::parse(&d[..63]).is_err());
    }
}
