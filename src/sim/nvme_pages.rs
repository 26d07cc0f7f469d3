//! NVMe data structures of the simulated NVMe SSDs behind USB bridges ([`super::nvme_bridge`]),
//! written by hand from the NVM Express Base Specification 2.0a (July 2021). As in
//! [`super::pages`], nothing here uses `sbc_core::wire`: these bytes are what its NVMe
//! decoders (`sbc_core::wire::nvme`) are tested against.
//!
//! Each structure is a plain struct with public fields and a `to_bytes`, so a test can take
//! the [`Default`] (a healthy 1 TB drive) and change one field.

use super::pages::ascii_left;

/// Bytes of an Identify data structure (NVMe Base 2.0a §5.17.2).
pub const IDENTIFY_LEN: usize = 4096;
/// Bytes of the SMART / Health Information log page (Figure 207).
pub const SMART_HEALTH_LEN: usize = 512;
/// Bytes of the Firmware Slot Information log page (Figure 209).
pub const FIRMWARE_SLOT_LEN: usize = 512;

/// The Identify Controller fields the simulator fills (NVMe Base 2.0a §5.17.2.1, Figure 275,
/// "Identify – Identify Controller Data Structure"); every other byte is 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifyControllerData {
    /// PCI Vendor ID (VID, bytes 0..=1, little-endian).
    pub vid: u16,
    /// PCI Subsystem Vendor ID (SSVID, bytes 2..=3).
    pub ssvid: u16,
    /// Serial Number (SN, bytes 4..=23): ASCII, left-justified, padded with spaces.
    pub serial_number: String,
    /// Model Number (MN, bytes 24..=63): ASCII, left-justified, padded with spaces.
    pub model_number: String,
    /// Firmware Revision (FR, bytes 64..=71): ASCII, left-justified, padded with spaces.
    pub firmware_revision: String,
    /// IEEE OUI Identifier (bytes 73..=75), a 24-bit value sent least significant byte first.
    pub ieee_oui: u32,
    /// Controller ID (CNTLID, bytes 78..=79).
    pub cntlid: u16,
    /// Version (VER, bytes 80..=83): major in bits 31:16, minor in 15:8, tertiary in 7:0.
    pub version: u32,
    /// Firmware Updates (FRMW, byte 260): bit 0 slot 1 read-only, bits 3:1 number of slots.
    pub frmw: u8,
    /// Log Page Attributes (LPA, byte 261).
    pub lpa: u8,
    /// Error Log Page Entries (ELPE, byte 262), 0's based.
    pub elpe: u8,
    /// Warning Composite Temperature Threshold (WCTEMP, bytes 266..=267), kelvins.
    pub wctemp: u16,
    /// Critical Composite Temperature Threshold (CCTEMP, bytes 268..=269), kelvins.
    pub cctemp: u16,
    /// Total NVM Capacity (TNVMCAP, bytes 280..=295), bytes, 128-bit little-endian.
    pub tnvmcap: u128,
    /// Number of Namespaces (NN, bytes 516..=519).
    pub nn: u32,
}

impl Default for IdentifyControllerData {
    /// A simulated 1 TB NVMe 1.4 controller. The PCI IDs and the OUI are those of QEMU's
    /// emulated NVMe controller (VID 1B36h, SSVID 1AF4h, OUI 525400h: `hw/nvme/ctrl.c`,
    /// `nvme_init_ctrl`), so no real drive vendor is impersonated. One firmware slot, not
    /// read-only (FRMW 02h); LPA 02h (Commands Supported and Effects log); 64 error log
    /// entries (ELPE 63); thresholds 80 °C (353 K) and 85 °C (358 K); TNVMCAP 1 000 204 886 016
    /// bytes (1 953 525 168 blocks of 512 bytes, the usual "1 TB").
    fn default() -> Self {
        IdentifyControllerData {
            vid: 0x1B36,
            ssvid: 0x1AF4,
            serial_number: "SIMNVME1T000000001".into(),
            model_number: "Sim NVMe SSD 1TB".into(),
            firmware_revision: "SIM10A01".into(),
            ieee_oui: 0x52_5400,
            cntlid: 1,
            version: 0x0001_0400,
            frmw: 0x02,
            lpa: 0x02,
            elpe: 63,
            wctemp: 353,
            cctemp: 358,
            tnvmcap: 1_000_204_886_016,
            nn: 1,
        }
    }
}

impl IdentifyControllerData {
    /// The 4096-byte structure (Figure 275 offsets in the field docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = vec![0u8; IDENTIFY_LEN];
        b[0..2].copy_from_slice(&self.vid.to_le_bytes());
        b[2..4].copy_from_slice(&self.ssvid.to_le_bytes());
        b[4..24].copy_from_slice(&ascii_left(&self.serial_number, 20));
        b[24..64].copy_from_slice(&ascii_left(&self.model_number, 40));
        b[64..72].copy_from_slice(&ascii_left(&self.firmware_revision, 8));
        b[73..76].copy_from_slice(&self.ieee_oui.to_le_bytes()[..3]);
        b[78..80].copy_from_slice(&self.cntlid.to_le_bytes());
        b[80..84].copy_from_slice(&self.version.to_le_bytes());
        b[260] = self.frmw;
        b[261] = self.lpa;
        b[262] = self.elpe;
        b[266..268].copy_from_slice(&self.wctemp.to_le_bytes());
        b[268..270].copy_from_slice(&self.cctemp.to_le_bytes());
        b[280..296].copy_from_slice(&self.tnvmcap.to_le_bytes());
        b[516..520].copy_from_slice(&self.nn.to_le_bytes());
        b
    }
}

/// The SMART / Health Information log page (log identifier 02h; NVMe Base 2.0a §5.16.1.3,
/// Figure 207, "SMART / Health Information Log Page"). Multi-byte fields are little-endian;
/// the counters are 128 bits wide. Every byte not named is 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartHealthData {
    /// Critical Warning (byte 0).
    pub critical_warning: u8,
    /// Composite Temperature (bytes 1..=2), kelvins.
    pub composite_temperature: u16,
    /// Available Spare, percent (byte 3).
    pub available_spare: u8,
    /// Available Spare Threshold, percent (byte 4).
    pub available_spare_threshold: u8,
    /// Percentage Used (byte 5).
    pub percentage_used: u8,
    /// Data Units Read (bytes 32..=47), thousands of 512-byte units.
    pub data_units_read: u128,
    /// Data Units Written (bytes 48..=63), thousands of 512-byte units.
    pub data_units_written: u128,
    /// Host Read Commands (bytes 64..=79).
    pub host_read_commands: u128,
    /// Host Write Commands (bytes 80..=95).
    pub host_write_commands: u128,
    /// Controller Busy Time, minutes (bytes 96..=111).
    pub controller_busy_time: u128,
    /// Power Cycles (bytes 112..=127).
    pub power_cycles: u128,
    /// Power On Hours (bytes 128..=143).
    pub power_on_hours: u128,
    /// Unsafe Shutdowns (bytes 144..=159).
    pub unsafe_shutdowns: u128,
    /// Media and Data Integrity Errors (bytes 160..=175).
    pub media_errors: u128,
    /// Number of Error Information Log Entries (bytes 176..=191).
    pub error_log_entries: u128,
    /// Warning Composite Temperature Time, minutes (bytes 192..=195).
    pub warning_temperature_time: u32,
    /// Critical Composite Temperature Time, minutes (bytes 196..=199).
    pub critical_temperature_time: u32,
    /// Temperature Sensors 1..=8 (bytes 200..=215, two bytes each), kelvins; 0 = not
    /// implemented.
    pub temperature_sensors: [u16; 8],
}

impl Default for SmartHealthData {
    /// A healthy drive some two years into its life: 45 °C (318 K), spare 100 % with a 10 %
    /// threshold, 3 % used, 6 835 938 data units written (3.5 TB) and 9 765 625 read (5 TB),
    /// 2871 power-on hours, 17 unsafe shutdowns, no media errors, two temperature sensors.
    fn default() -> Self {
        SmartHealthData {
            critical_warning: 0,
            composite_temperature: 318,
            available_spare: 100,
            available_spare_threshold: 10,
            percentage_used: 3,
            data_units_read: 9_765_625,
            data_units_written: 6_835_938,
            host_read_commands: 120_456_789,
            host_write_commands: 98_765_432,
            controller_busy_time: 1_234,
            power_cycles: 412,
            power_on_hours: 2_871,
            unsafe_shutdowns: 17,
            media_errors: 0,
            error_log_entries: 0,
            warning_temperature_time: 0,
            critical_temperature_time: 0,
            temperature_sensors: [318, 321, 0, 0, 0, 0, 0, 0],
        }
    }
}

impl SmartHealthData {
    /// The 512-byte log page (Figure 207 offsets in the field docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = vec![0u8; SMART_HEALTH_LEN];
        b[0] = self.critical_warning;
        b[1..3].copy_from_slice(&self.composite_temperature.to_le_bytes());
        b[3] = self.available_spare;
        b[4] = self.available_spare_threshold;
        b[5] = self.percentage_used;
        let counters = [
            self.data_units_read,
            self.data_units_written,
            self.host_read_commands,
            self.host_write_commands,
            self.controller_busy_time,
            self.power_cycles,
            self.power_on_hours,
            self.unsafe_shutdowns,
            self.media_errors,
            self.error_log_entries,
        ];
        // Bytes 32..=191: ten 16-byte counters in the order of Figure 207.
        for (i, c) in counters.iter().enumerate() {
            let at = 32 + 16 * i;
            b[at..at + 16].copy_from_slice(&c.to_le_bytes());
        }
        b[192..196].copy_from_slice(&self.warning_temperature_time.to_le_bytes());
        b[196..200].copy_from_slice(&self.critical_temperature_time.to_le_bytes());
        for (i, t) in self.temperature_sensors.iter().enumerate() {
            let at = 200 + 2 * i;
            b[at..at + 2].copy_from_slice(&t.to_le_bytes());
        }
        b
    }
}

/// The Firmware Slot Information log page (log identifier 03h; NVMe Base 2.0a §5.16.1.4,
/// Figure 209) of a controller running from its only slot: Active Firmware Info (AFI,
/// byte 0) = 01h (slot 1 active, bits 6:4 no slot pending), Firmware Revision for Slot 1
/// (FRS1, bytes 8..=15) = `firmware_revision` (the Identify Controller's FR bytes 64..=71,
/// cut or padded with spaces to 8), the other slots and bytes 0.
pub fn firmware_slot_log(firmware_revision: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; FIRMWARE_SLOT_LEN];
    b[0] = 0x01;
    let mut frs1 = [b' '; 8];
    let n = firmware_revision.len().min(8);
    frs1[..n].copy_from_slice(&firmware_revision[..n]);
    b[8..16].copy_from_slice(&frs1);
    b
}
