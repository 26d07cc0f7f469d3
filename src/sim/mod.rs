//! Simulated SCSI targets: an in-memory SBC disk ([`Disk`]) configured by a [`Profile`], a
//! zoo of profiles modelled on real devices ([`zoo`]), and a seeded fault injector that wraps
//! any [`Target`](crate::target::Target) ([`faults`]).
//!
//! The disk answers with hand-written byte layouts that cite SPC-5 / SBC-4 tables
//! ([`pages`]); it never uses `sbc_core::wire` decoders to build responses, because those
//! decoders are what the simulator exists to test. Its healthy profiles mirror the level of
//! conformance of tgtd, a real independent SBC target (docs/witnesses.md §tgtd: what it reports).
//!
//! A profile is plain data: every field is public, so a test can take a zoo entry and change
//! one thing.

pub mod disk;
pub mod faults;
pub mod nvme_bridge;
pub mod nvme_pages;
pub mod pages;
pub mod zoo;

pub use disk::Disk;
pub use faults::{Fault, FaultInjector, FaultPlan, Trigger};
pub use nvme_bridge::{NvmeBridgeFault, NvmeBridgeProfile};
pub use nvme_pages::{IdentifyControllerData, SmartHealthData};

use sbc_core::quirks::Quirks;
use sbc_core::time::Duration;

/// Everything that makes one simulated logical unit what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The zoo name (kebab-case), or anything a test chooses.
    pub name: String,
    /// Standard INQUIRY data.
    pub inquiry: InquiryProfile,
    /// Vital product data pages; `None` models a device that rejects every INQUIRY with
    /// EVPD=1 (ILLEGAL REQUEST, INVALID FIELD IN CDB 24/00), as old USB sticks do.
    pub vpd: Option<VpdProfile>,
    /// What READ CAPACITY reports.
    pub capacity: CapacityProfile,
    /// What MODE SENSE reports.
    pub mode: ModeProfile,
    /// The format of every sense buffer the device builds.
    pub sense_format: SenseFormat,
    /// Deviations and timing.
    pub behaviour: Behaviour,
    /// The unit is an NVMe SSD behind a USB-to-NVMe bridge whose tunnel serves NVMe admin
    /// commands ([`nvme_bridge`]); `None` for every other device. Such a bridge is no SAT
    /// layer: it rejects ATA PASS-THROUGH.
    pub nvme_bridge: Option<NvmeBridgeProfile>,
    /// The `SbcQuirks` entries (names of `sbc_core::quirks::NAMES`, each set to true) that
    /// a user's Info.plist personality for this enclosure would carry, for a device neither
    /// quirk table recognizes (an NVMe bridge under a maker's own USB ID).
    /// `sbc-dext attach sim:NAME` applies them as the personality's; empty for most
    /// profiles.
    pub personality_quirks: Vec<String>,
    /// The enclosure is a USB device with this vendor and product ID (what the dext finds
    /// above the nub); `sbc-dext attach sim:NAME` then attaches it as a USB disk with that
    /// ID. `None` for most profiles.
    pub usb_id: Option<sbc_core::attach::UsbId>,
}

impl Profile {
    /// The configuration a dext attaches this device with when its personality and
    /// transport are as the profile says: [`personality_quirks`](Self::personality_quirks)
    /// on, and for a USB enclosure ([`usb_id`](Self::usb_id)) USB with that ID; the rest
    /// default.
    ///
    /// # Errors
    /// A personality quirk name the core does not know (the name).
    pub fn attach_config(&self) -> Result<sbc_core::attach::Config, String> {
        let quirks_on = self.personality_quirks.iter().try_fold(Quirks::empty(), |all, name| {
            Quirks::by_name(name).map(|q| all | q).ok_or_else(|| name.clone())
        })?;
        Ok(sbc_core::attach::Config {
            quirks_on,
            usb: self.usb_id.is_some(),
            usb_id: self.usb_id,
            ..sbc_core::attach::Config::default()
        })
    }
}

/// Standard INQUIRY fields (SPC-5 table "Standard INQUIRY data format").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryProfile {
    /// PERIPHERAL QUALIFIER, 3 bits (0 connected, 1 capable but not connected, 3 none).
    pub peripheral_qualifier: u8,
    /// PERIPHERAL DEVICE TYPE, 5 bits (0 direct access, 5 CD/DVD).
    pub device_type: u8,
    /// RMB: removable medium.
    pub removable: bool,
    /// VERSION (2 SCSI-2, 5 SPC-3, 6 SPC-4, 7 SPC-5).
    pub version: u8,
    /// PROTECT: the logical unit supports protection information.
    pub protect: bool,
    /// CMDQUE.
    pub cmdque: bool,
    /// T10 VENDOR IDENTIFICATION; padded with spaces or cut to 8 bytes.
    pub vendor: String,
    /// PRODUCT IDENTIFICATION; padded or cut to 16 bytes.
    pub product: String,
    /// PRODUCT REVISION LEVEL; padded or cut to 4 bytes.
    pub revision: String,
    /// VERSION DESCRIPTORS (at most 8); written at bytes 58.. when `length` reaches them.
    pub version_descriptors: Vec<u16>,
    /// Total length of the standard data (at least 36): 36 for SCSI-2 era devices, 96 for a
    /// modern one with version descriptors. ADDITIONAL LENGTH is `length - 5`.
    pub length: u8,
}

/// Which VPD pages exist and what they hold. Page 00h (supported pages) always exists when
/// VPD is supported and lists exactly the pages below that are `Some`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpdProfile {
    /// Unit Serial Number page (80h); the serial is right-justified in `serial_field_len`.
    pub serial: Option<String>,
    /// Width of PRODUCT SERIAL NUMBER in page 80h (tgtd uses 36, most drives 20).
    pub serial_field_len: u8,
    /// Device Identification page (83h); `None` leaves the page out.
    pub identification: Option<Identification>,
    /// ATA Information page (89h): present on SAT bridges.
    pub ata_information: Option<AtaInformationProfile>,
    /// Block Limits page (B0h).
    pub block_limits: Option<BlockLimitsProfile>,
    /// Block Device Characteristics page (B1h).
    pub characteristics: Option<CharacteristicsProfile>,
    /// Logical Block Provisioning page (B2h).
    pub provisioning: Option<ProvisioningProfile>,
}

/// Designators of page 83h.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identification {
    /// A T10 vendor ID designator (type 1): the INQUIRY vendor followed by this text.
    pub t10_vendor_specific: Option<String>,
    /// An NAA IEEE Registered designator (type 3, NAA 5, 8 bytes); the top nibble of the
    /// value is forced to 5.
    pub naa5: Option<u64>,
    /// An EUI-64 designator (type 2).
    pub eui64: Option<u64>,
}

/// Page 89h content (SAT-4 table "ATA Information VPD page").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtaInformationProfile {
    /// SAT VENDOR IDENTIFICATION (the bridge or translation layer).
    pub sat_vendor: String,
    /// SAT PRODUCT IDENTIFICATION.
    pub sat_product: String,
    /// SAT PRODUCT REVISION LEVEL.
    pub sat_revision: String,
    /// The 512 bytes of IDENTIFY DEVICE data, in the byte order the drive sends them. Also
    /// the answer to ATA PASS-THROUGH IDENTIFY DEVICE.
    pub identify: Vec<u8>,
    /// SMART READ DATA (512 bytes), when the drive has it: the answer to ATA PASS-THROUGH
    /// SMART READ DATA.
    pub smart_data: Option<Vec<u8>>,
    /// SMART READ THRESHOLDS (512 bytes).
    pub smart_thresholds: Option<Vec<u8>>,
    /// SMART RETURN STATUS: `Some(true)` healthy (LBA Mid/High 4Fh/C2h), `Some(false)`
    /// threshold exceeded (F4h/2Ch); `None` answers healthy.
    pub smart_status: Option<bool>,
}

/// Page B0h fields (SBC-4 table "Block Limits VPD page").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockLimitsProfile {
    /// OPTIMAL TRANSFER LENGTH GRANULARITY, in blocks.
    pub optimal_granularity: u16,
    /// MAXIMUM TRANSFER LENGTH, in blocks (0 = not reported).
    pub max_transfer_length: u32,
    /// OPTIMAL TRANSFER LENGTH, in blocks.
    pub optimal_transfer_length: u32,
    /// MAXIMUM UNMAP LBA COUNT.
    pub max_unmap_lba_count: u32,
    /// MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT.
    pub max_unmap_descriptor_count: u32,
    /// OPTIMAL UNMAP GRANULARITY.
    pub unmap_granularity: u32,
    /// UNMAP GRANULARITY ALIGNMENT, with UGAVALID set when `Some`.
    pub unmap_granularity_alignment: Option<u32>,
    /// MAXIMUM WRITE SAME LENGTH.
    pub max_write_same_length: u64,
}

/// Page B1h fields (SBC-4 table "Block Device Characteristics VPD page").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CharacteristicsProfile {
    /// MEDIUM ROTATION RATE: 0 not reported, 1 non-rotating, else rpm.
    pub rotation_rate: u16,
    /// NOMINAL FORM FACTOR, 4 bits (2 = 3.5", 3 = 2.5", 4 = 1.8", 5 = below 1.8").
    pub form_factor: u8,
}

/// Page B2h fields (SBC-4 table "Logical Block Provisioning VPD page").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProvisioningProfile {
    /// THRESHOLD EXPONENT.
    pub threshold_exponent: u8,
    /// LBPU: UNMAP supported.
    pub lbpu: bool,
    /// LBPWS: WRITE SAME(16) with UNMAP supported.
    pub lbpws: bool,
    /// LBPWS10: WRITE SAME(10) with UNMAP supported.
    pub lbpws10: bool,
    /// LBPRZ, 3 bits.
    pub lbprz: u8,
    /// ANC_SUP.
    pub anc_sup: bool,
    /// PROVISIONING TYPE, 3 bits (1 resource provisioned, 2 thin).
    pub provisioning_type: u8,
}

/// What READ CAPACITY reports (SBC-4 tables "READ CAPACITY (10) parameter data" and
/// "READ CAPACITY (16) parameter data").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapacityProfile {
    /// Number of logical blocks (the last LBA is one less).
    pub blocks: u64,
    /// LOGICAL BLOCK LENGTH IN BYTES.
    pub block_length: u32,
    /// LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT, 4 bits.
    pub lbppbe: u8,
    /// LOWEST ALIGNED LOGICAL BLOCK ADDRESS, 14 bits.
    pub lowest_aligned_lba: u16,
    /// LBPME: logical block provisioning management enabled.
    pub lbpme: bool,
    /// LBPRZ (the RC16 bit): unmapped blocks read as zeros.
    pub lbprz: bool,
    /// Protection: `None` for PROT_EN=0, `Some(p_type)` (0..=2) for types 1..=3.
    pub protection: Option<u8>,
}

/// What MODE SENSE reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeProfile {
    /// WP in the device-specific parameter (and DATA PROTECT 27/00 on writes).
    pub write_protected: bool,
    /// DPOFUA in the device-specific parameter.
    pub dpofua: bool,
    /// Whether the Caching page (08h) exists.
    pub caching_page: bool,
    /// WCE in the Caching page.
    pub write_cache: bool,
    /// RCD in the Caching page.
    pub read_cache_disabled: bool,
    /// Whether the Control page (0Ah) exists (D_SENSE follows [`Profile::sense_format`]).
    pub control_page: bool,
    /// Whether the Informational Exceptions Control page (1Ch) exists.
    pub informational_exceptions_page: bool,
    /// Whether a block descriptor is returned when DBD is zero.
    pub block_descriptor: bool,
}

/// The sense data format the device builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenseFormat {
    /// 70h (SPC-5 table "Fixed format sense data").
    Fixed,
    /// 72h (SPC-5 table "Descriptor format sense data").
    Descriptor,
}

/// How READ CAPACITY(10) misreports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rc10Quirk {
    /// Correct: the last LBA, or FFFFFFFFh when it does not fit.
    Correct,
    /// The last LBA modulo 2^32 (ASMedia AS2105, Linux `US_FL_NEEDS_CAP16`).
    WrapsPast2TiB,
}

/// What READ CAPACITY(10) does without a medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoMediumCapacity {
    /// NOT READY, MEDIUM NOT PRESENT (3A/00).
    NotReady,
    /// GOOD with RETURNED LOGICAL BLOCK ADDRESS FFFFFFFFh and block length 512 (card readers,
    /// Linux `no_read_capacity_16` handling).
    AllOnes,
}

/// How MODE SENSE misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeQuirk {
    /// Correct.
    Correct,
    /// Every request gets the page 3Fh answer; MODE DATA LENGTH claims 24 bytes more than
    /// there are; the last page's PAGE LENGTH runs past the end.
    Garbage,
}

/// What READ returns for blocks never written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataPattern {
    /// All zeros.
    Zeros,
    /// The LBA big-endian in the first 8 bytes of each block, the rest zeros.
    LbaStamp,
}

/// SAT bridge behaviours seen in the field (docs/references.md §SMART over SAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SatQuirk {
    /// ATA PASS-THROUGH(16) and (12), descriptor-format sense with the ATA Status Return
    /// descriptor (SAT-4 §12.2.2.6).
    Standard,
    /// ATA PASS-THROUGH(16) is an invalid opcode; (12) works (older bridges).
    TwelveOnly,
    /// Fixed-format sense for the ATA registers (SAT-4 §12.2.2.7), as bridges without
    /// descriptor sense answer.
    FixedSense,
    /// CK_COND is ignored: no sense comes back, so SMART RETURN STATUS has no registers.
    NoCkCond,
    /// CK_COND answered with stale registers (those of an earlier command: LBA 0), so
    /// SMART RETURN STATUS reads as neither good nor threshold exceeded.
    StaleRegisters,
}

/// Behaviour switches: deviations from the standard and time-dependent behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour {
    /// UNIT ATTENTION 29/00 on the first command after power-on (INQUIRY and REPORT LUNS
    /// neither report nor clear it; REQUEST SENSE returns it and clears it: SAM-5 §5.14).
    pub power_on_unit_attention: bool,
    /// NOT READY 04/01 (becoming ready) for this long after power-on or START UNIT.
    pub spin_up: Duration,
    /// NOT READY 04/02 (initializing command required) until START STOP UNIT with START=1.
    pub needs_start_unit: bool,
    /// No medium: NOT READY 3A/00 on medium access.
    pub no_medium: bool,
    /// READ CAPACITY(10) without a medium.
    pub no_medium_capacity: NoMediumCapacity,
    /// READ CAPACITY(10) misreport.
    pub rc10: Rc10Quirk,
    /// READ CAPACITY(10) and (16) return the block count instead of the last LBA
    /// (Linux `US_FL_FIX_CAPACITY`, FreeBSD `UQ_MSC_READ_CAP_OFFBY1`).
    pub capacity_off_by_one: bool,
    /// READ CAPACITY(16) implemented (else 20/00).
    pub rc16_supported: bool,
    /// MODE SENSE(10) implemented (else 20/00; only (6) works).
    pub mode_sense_10_supported: bool,
    /// MODE SENSE misbehaviour.
    pub mode_quirk: ModeQuirk,
    /// REPORT SUPPORTED OPERATION CODES implemented (else 20/00).
    pub rsoc_supported: bool,
    /// REPORT LUNS implemented (else 20/00).
    pub report_luns_supported: bool,
    /// ATA PASS-THROUGH(12/16) answered from page 89h's data (else 20/00).
    pub ata_pass_through: bool,
    /// How the SCSI/ATA translation deviates, when it answers ATA PASS-THROUGH.
    pub sat: SatQuirk,
    /// Contents of never-written blocks.
    pub pattern: DataPattern,
}

impl Default for Behaviour {
    /// A well-behaved SPC-4 device.
    fn default() -> Self {
        Behaviour {
            power_on_unit_attention: true,
            spin_up: Duration::ZERO,
            needs_start_unit: false,
            no_medium: false,
            no_medium_capacity: NoMediumCapacity::NotReady,
            rc10: Rc10Quirk::Correct,
            capacity_off_by_one: false,
            rc16_supported: true,
            mode_sense_10_supported: true,
            mode_quirk: ModeQuirk::Correct,
            rsoc_supported: true,
            report_luns_supported: true,
            ata_pass_through: false,
            sat: SatQuirk::Standard,
            pattern: DataPattern::Zeros,
        }
    }
}

/// Sense keys used by the simulator (SPC-5 table "Sense key descriptions").
pub mod sense_key {
    /// NO SENSE.
    pub const NO_SENSE: u8 = 0x0;
    /// RECOVERED ERROR.
    pub const RECOVERED_ERROR: u8 = 0x1;
    /// NOT READY.
    pub const NOT_READY: u8 = 0x2;
    /// MEDIUM ERROR.
    pub const MEDIUM_ERROR: u8 = 0x3;
    /// ILLEGAL REQUEST.
    pub const ILLEGAL_REQUEST: u8 = 0x5;
    /// UNIT ATTENTION.
    pub const UNIT_ATTENTION: u8 = 0x6;
    /// DATA PROTECT.
    pub const DATA_PROTECT: u8 = 0x7;
    /// ABORTED COMMAND.
    pub const ABORTED_COMMAND: u8 = 0xB;
}

/// One sense condition: key, ASC, ASCQ and the optional INFORMATION and field pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenseData {
    /// SENSE KEY.
    pub key: u8,
    /// ADDITIONAL SENSE CODE.
    pub asc: u8,
    /// ADDITIONAL SENSE CODE QUALIFIER.
    pub ascq: u8,
    /// INFORMATION (fixed: VALID=1 and the low 32 bits; descriptor: an Information
    /// descriptor with all 64).
    pub information: Option<u64>,
    /// Field pointer into the CDB (C/D=1): the byte, and the bit when known.
    pub field_pointer: Option<(u16, Option<u8>)>,
}

impl SenseData {
    /// A condition with no INFORMATION and no field pointer.
    pub const fn new(key: u8, asc: u8, ascq: u8) -> Self {
        SenseData { key, asc, ascq, information: None, field_pointer: None }
    }

    /// The sense bytes in `format`.
    ///
    /// Fixed (SPC-5 table "Fixed format sense data"): 18 bytes, response code 70h, VALID
    /// with INFORMATION in bytes 3..=6, ADDITIONAL SENSE LENGTH 0Ah, ASC/ASCQ at 12/13,
    /// SKSV + field pointer at 15..=17.
    ///
    /// Descriptor (SPC-5 table "Descriptor format sense data"): response code 72h, key, ASC,
    /// ASCQ in bytes 1..=3, ADDITIONAL SENSE LENGTH at 7, then an Information descriptor
    /// (type 00h, length 0Ah, VALID) and a Sense key specific descriptor (type 02h, length
    /// 06h) when present.
    pub fn to_bytes(&self, format: SenseFormat) -> Vec<u8> {
        let sks = self.field_pointer.map(|(byte, bit)| {
            let mut b = [0xC0, 0, 0]; // SKSV=1, C/D=1 (error in the CDB)
            if let Some(bit) = bit {
                b[0] |= 0x08 | (bit & 0x07); // BPV and BIT POINTER
            }
            b[1..3].copy_from_slice(&byte.to_be_bytes());
            b
        });
        match format {
            SenseFormat::Fixed => {
                let mut s = vec![0u8; 18];
                s[0] = 0x70;
                s[2] = self.key & 0x0F;
                if let Some(info) = self.information {
                    s[0] |= 0x80; // VALID
                    s[3..7].copy_from_slice(&(info as u32).to_be_bytes());
                }
                s[7] = 0x0A;
                s[12] = self.asc;
                s[13] = self.ascq;
                if let Some(sks) = sks {
                    s[15..18].copy_from_slice(&sks);
                }
                s
            }
            SenseFormat::Descriptor => {
                let mut s = vec![0x72, self.key & 0x0F, self.asc, self.ascq, 0, 0, 0, 0];
                if let Some(info) = self.information {
                    s.extend_from_slice(&[0x00, 0x0A, 0x80, 0x00]);
                    s.extend_from_slice(&info.to_be_bytes());
                }
                if let Some(sks) = sks {
                    s.extend_from_slice(&[0x02, 0x06, 0x00, 0x00]);
                    s.extend_from_slice(&sks);
                    s.push(0x00);
                }
                s[7] = (s.len() - 8) as u8;
                s
            }
        }
    }
}

/// Copies `response` into `data`, no more than `limit` bytes (the allocation length or the
/// expected transfer length, whichever the caller decides) and no more than `data` holds;
/// returns the count (the realized transfer).
pub(crate) fn copy_data_in(response: &[u8], limit: u64, data: &mut [u8]) -> u64 {
    let n = response.len().min(data.len()).min(usize::try_from(limit).unwrap_or(usize::MAX));
    data[..n].copy_from_slice(&response[..n]);
    n as u64
}

/// A tiny xorshift64* generator: deterministic per seed, no dependencies.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator; seed 0 is replaced by a fixed non-zero constant (xorshift needs one bit).
    pub fn new(seed: u64) -> Self {
        XorShift(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }
}
