//! The device zoo: named [`Profile`]s, each modelled on a behaviour seen in real devices.
//!
//! Names are CLI-facing (`sbc-dext attach sim:NAME`) and kebab-case. Each profile's doc comment
//! names the device family it imitates and where the behaviour is documented
//! (docs/references.md sections, Linux and FreeBSD quirk rows, docs/witnesses.md for tgtd).
//! Where a profile's INQUIRY strings match a row of the core's quirk table, that is deliberate
//! and said so: on a real Mac the table is what rescues that device.

use sbc_core::attach::UsbId;
use sbc_core::time::Duration;
use sbc_core::wire::cdb::nvme_bridge::NvmeBridge;

use super::{
    AtaInformationProfile, Behaviour, BlockLimitsProfile, CapacityProfile, CharacteristicsProfile,
    DataPattern, Identification, IdentifyControllerData, InquiryProfile, ModeProfile, ModeQuirk,
    NoMediumCapacity, NvmeBridgeFault, NvmeBridgeProfile, Profile, ProvisioningProfile, Rc10Quirk,
    SenseFormat, SmartHealthData, VpdProfile,
};

/// Every zoo name, in the order [`all`] returns them. `sim` is the default.
pub const NAMES: &[&str] = &[
    "sim",
    "hdd-4kn",
    "hdd-512e",
    "rc10-wraps",
    "no-vpd-stick",
    "capacity-off-by-one",
    "needs-start",
    "spin-up-30s",
    "card-reader-empty",
    "write-protected",
    "thin-lun",
    "sat-bridge",
    "garbage-mode-pages",
    "descriptor-sense",
    "mode-sense-6-only",
    "no-rc16",
    "block-520",
    "lun-not-connected",
    "cdrom",
    "nvme-asmedia",
    "nvme-jmicron",
    "nvme-realtek",
    "nvme-asmedia-rebadged",
];

/// The profile called `name`, if the zoo has one.
pub fn by_name(name: &str) -> Option<Profile> {
    let profile = match name {
        "sim" => healthy_ssd(),
        "hdd-4kn" => hdd_4kn(),
        "hdd-512e" => hdd_512e(),
        "rc10-wraps" => rc10_wraps(),
        "no-vpd-stick" => no_vpd_stick(),
        "capacity-off-by-one" => capacity_off_by_one(),
        "needs-start" => needs_start(),
        "spin-up-30s" => spin_up_30s(),
        "card-reader-empty" => card_reader_empty(),
        "write-protected" => write_protected(),
        "thin-lun" => thin_lun(),
        "sat-bridge" => sat_bridge(),
        "garbage-mode-pages" => garbage_mode_pages(),
        "descriptor-sense" => descriptor_sense(),
        "mode-sense-6-only" => mode_sense_6_only(),
        "no-rc16" => no_rc16(),
        "block-520" => block_520(),
        "lun-not-connected" => lun_not_connected(),
        "cdrom" => cdrom(),
        "nvme-asmedia" => nvme_asmedia(),
        "nvme-jmicron" => nvme_jmicron(),
        "nvme-realtek" => nvme_realtek(),
        "nvme-asmedia-rebadged" => nvme_asmedia_rebadged(),
        _ => return None,
    };
    Some(profile)
}

/// Every profile, in [`NAMES`] order.
pub fn all() -> Vec<Profile> {
    NAMES.iter().filter_map(|n| by_name(n)).collect()
}

// ---------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------

/// SPC-4 INQUIRY, 96 bytes, with version descriptors SAM-5 (00A0h), SPC-4 (0460h), SBC-3
/// (04C0h).
fn inquiry(vendor: &str, product: &str, revision: &str) -> InquiryProfile {
    InquiryProfile {
        peripheral_qualifier: 0,
        device_type: 0,
        removable: false,
        version: 6,
        protect: false,
        cmdque: true,
        vendor: vendor.into(),
        product: product.into(),
        revision: revision.into(),
        version_descriptors: vec![0x00A0, 0x0460, 0x04C0],
        length: 96,
    }
}

/// A SCSI-2 era INQUIRY: 36 bytes, VERSION 2, no command queuing, no descriptors.
fn inquiry_scsi2(vendor: &str, product: &str, revision: &str, removable: bool) -> InquiryProfile {
    InquiryProfile {
        removable,
        version: 2,
        cmdque: false,
        version_descriptors: Vec::new(),
        length: 36,
        ..inquiry(vendor, product, revision)
    }
}

fn capacity(blocks: u64, block_length: u32) -> CapacityProfile {
    CapacityProfile {
        blocks,
        block_length,
        lbppbe: 0,
        lowest_aligned_lba: 0,
        lbpme: false,
        lbprz: false,
        protection: None,
    }
}

/// Caching (WCE=1), Control and Informational Exceptions pages, a block descriptor, DPOFUA.
fn mode_full() -> ModeProfile {
    ModeProfile {
        write_protected: false,
        dpofua: true,
        caching_page: true,
        write_cache: true,
        read_cache_disabled: false,
        control_page: true,
        informational_exceptions_page: true,
        block_descriptor: true,
    }
}

/// What cheap USB flash firmware returns: a Caching page with WCE=0, no DPOFUA.
fn mode_stick() -> ModeProfile {
    ModeProfile {
        dpofua: false,
        write_cache: false,
        control_page: false,
        informational_exceptions_page: false,
        ..mode_full()
    }
}

/// VPD 00h, 80h, 83h (T10 vendor ID + NAA 5), B0h and B1h.
fn vpd(serial: &str, naa: u64, rotation_rate: u16, form_factor: u8) -> VpdProfile {
    VpdProfile {
        serial: Some(serial.into()),
        serial_field_len: 20,
        identification: Some(Identification {
            t10_vendor_specific: Some(serial.into()),
            naa5: Some(naa),
            eui64: None,
        }),
        ata_information: None,
        block_limits: Some(BlockLimitsProfile {
            optimal_granularity: 8,
            max_transfer_length: 0xFFFF,
            optimal_transfer_length: 0,
            ..BlockLimitsProfile::default()
        }),
        characteristics: Some(CharacteristicsProfile { rotation_rate, form_factor }),
        provisioning: None,
    }
}

/// Only pages 00h and 80h: what USB flash controllers that do answer EVPD typically serve.
fn vpd_serial_only(serial: &str) -> VpdProfile {
    VpdProfile {
        serial: Some(serial.into()),
        serial_field_len: serial.len().min(252) as u8,
        identification: None,
        ata_information: None,
        block_limits: None,
        characteristics: None,
        provisioning: None,
    }
}

fn profile(
    name: &str,
    inquiry: InquiryProfile,
    vpd: Option<VpdProfile>,
    capacity: CapacityProfile,
    mode: ModeProfile,
) -> Profile {
    Profile {
        name: name.into(),
        inquiry,
        vpd,
        capacity,
        mode,
        sense_format: SenseFormat::Fixed,
        behaviour: Behaviour::default(),
        nvme_bridge: None,
        personality_quirks: Vec::new(),
        usb_id: None,
    }
}

// ---------------------------------------------------------------------------------------
// The profiles
// ---------------------------------------------------------------------------------------

/// `sim`: a healthy SPC-4 SAS SSD (HGST Ultrastar SSD1600MM class, 400 GB, 512-byte logical and
/// 4 KiB physical blocks, UNMAP with LBPRZ). Answers like tgtd (docs/witnesses.md §tgtd: what
/// it reports): UA 29/00 first, VPD 00/80/83/B0/B1/B2, RC16 with LBPPBE 3, MODE SENSE with
/// Caching, Control and IE pages. Every command of the attach sequence succeeds.
pub fn healthy_ssd() -> Profile {
    let mut vpd = vpd("0QV1E6ZA", 0x5000_CCA0_4E1D_2A10, 1, 3);
    vpd.block_limits = Some(BlockLimitsProfile {
        optimal_granularity: 8,
        max_transfer_length: 0xFFFF,
        optimal_transfer_length: 0x100,
        max_unmap_lba_count: 0x0040_0000,
        max_unmap_descriptor_count: 256,
        unmap_granularity: 8,
        unmap_granularity_alignment: Some(0),
        max_write_same_length: 0x0040_0000,
    });
    vpd.provisioning = Some(ProvisioningProfile {
        lbpu: true,
        lbpws: true,
        lbprz: 1,
        provisioning_type: 0,
        ..ProvisioningProfile::default()
    });
    let mut cap = capacity(781_422_768, 512);
    cap.lbppbe = 3;
    cap.lbpme = true;
    cap.lbprz = true;
    profile("sim", inquiry("HGST", "HUSMM1640ASS204", "A360"), Some(vpd), cap, mode_full())
}

/// `hdd-4kn`: a 4Kn enterprise HDD (WD Ultrastar DC HC530 14 TB SAS, 4096-byte logical blocks,
/// 7200 rpm, 3.5"): READ CAPACITY reports block length 4096, LBPPBE 0 (tgtd `--blocksize 4096`
/// answers the same way, docs/witnesses.md §tgtd: what it reports).
pub fn hdd_4kn() -> Profile {
    let vpd = vpd("9JG4K1XT", 0x5000_CCA2_6413_9C40, 7200, 2);
    let mut mode = mode_full();
    mode.write_cache = false;
    let inq = InquiryProfile { version: 7, ..inquiry("WDC", "WUH721414AL4204", "C240") };
    profile("hdd-4kn", inq, Some(vpd), capacity(3_418_095_616, 4096), mode)
}

/// `hdd-512e`: a 512e Advanced Format HDD in a USB enclosure (WD Elements, 4 TB, 5400 rpm):
/// 512-byte logical, 4 KiB physical blocks (LBPPBE 3) and LOWEST ALIGNED LBA 1, the alignment
/// WD EARS drives report with the Windows XP jumper set (LBA 63 starts a physical block). Linux
/// `sd` takes both from RC16 (`read_capacity_16`; docs/references.md §Linux: READ CAPACITY).
pub fn hdd_512e() -> Profile {
    let vpd = vpd("WCC4E1XCY7RU", 0x5001_4EE0_5A3B_11C2, 5400, 2);
    let mut cap = capacity(7_814_037_168, 512);
    cap.lbppbe = 3;
    cap.lowest_aligned_lba = 1;
    profile("hdd-512e", inquiry("WD", "Elements 25A3", "1021"), Some(vpd), cap, mode_full())
}

/// `rc10-wraps`: a bridge whose READ CAPACITY(10) wraps past 2 TiB (ASMedia AS2105 with a 3 TB
/// disk): RC10 returns the last LBA modulo 2^32 instead of FFFFFFFFh, RC16 is correct. Linux
/// `US_FL_NEEDS_CAP16` (docs/references.md §USB-bridge quirks, item 3). INQUIRY "ASMT"/"2105"
/// matches the quirk table's NEEDS_READ_CAPACITY_16 row on purpose.
pub fn rc10_wraps() -> Profile {
    let vpd = vpd("00000000000000000000", 0x5000_0000_0000_2105, 0, 0);
    let mut p = profile(
        "rc10-wraps",
        inquiry("ASMT", "2105", "0"),
        Some(vpd),
        capacity(5_860_533_168, 512),
        mode_full(),
    );
    p.behaviour.rc10 = Rc10Quirk::WrapsPast2TiB;
    p
}

/// `no-vpd-stick`: a USB flash stick with no VPD support (Kingston DataTraveler 2.0 on a Phison
/// controller): SCSI-2 INQUIRY of 36 bytes, every INQUIRY with EVPD=1 gets ILLEGAL REQUEST
/// 24/00, no RC16, REPORT LUNS and RSOC. Linux skips VPD on all USB disks for such devices
/// (docs/references.md §USB-bridge quirks, item 5; FreeBSD `UQ_MSC_NO_INQUIRY_EVPD`).
pub fn no_vpd_stick() -> Profile {
    let inq = inquiry_scsi2("Kingston", "DataTraveler 2.0", "PMAP", true);
    let mut p = profile("no-vpd-stick", inq, None, capacity(15_131_636, 512), mode_stick());
    p.behaviour.rc16_supported = false;
    p.behaviour.rsoc_supported = false;
    p.behaviour.report_luns_supported = false;
    p
}

/// `capacity-off-by-one`: READ CAPACITY returns the block count instead of the last LBA (Nikon
/// digital cameras in mass-storage mode; Linux `US_FL_FIX_CAPACITY`, 36 rows, FreeBSD
/// `UQ_MSC_READ_CAP_OFFBY1`; docs/references.md §USB-bridge quirks, item 2). INQUIRY
/// "NIKON"/"NIKON DSC" matches the quirk table's FIX_CAPACITY row on purpose.
pub fn capacity_off_by_one() -> Profile {
    let inq = inquiry_scsi2("NIKON", "NIKON DSC D70", "1.00", true);
    let mut p = profile("capacity-off-by-one", inq, None, capacity(2_001_888, 512), mode_stick());
    p.behaviour.capacity_off_by_one = true;
    p.behaviour.rc16_supported = false;
    p.behaviour.rsoc_supported = false;
    p
}

/// `needs-start`: a disk that stays stopped until START UNIT (SAS drives behind a JBOD with
/// staggered spin-up, and USB drives that spin down on their own): NOT READY 04/02 until START
/// STOP UNIT with START=1, then ready. Linux `scsi_eh_stu` / `allow_restart`, FreeBSD
/// `SS_START` (docs/references.md §Linux: spin-up, §FreeBSD: error actions and §USB-bridge
/// quirks, item 15).
pub fn needs_start() -> Profile {
    let vpd = vpd("K7GZ3B1L", 0x5000_CCA0_5C2E_8D10, 7200, 2);
    let mut p = profile(
        "needs-start",
        inquiry("HGST", "HUS726040AL5210", "A7J0"),
        Some(vpd),
        capacity(7_814_037_168, 512),
        mode_full(),
    );
    p.behaviour.needs_start_unit = true;
    p
}

/// `spin-up-30s`: an external 3.5" HDD that takes 30 s to spin up after power-on (Toshiba
/// Canvio / Seagate Expansion desktop class): NOT READY 04/01 (becoming ready) for 30 s. Linux
/// polls TUR every second for up to 100 s (`sd_spinup_disk`; docs/references.md §Linux:
/// spin-up).
pub fn spin_up_30s() -> Profile {
    let vpd = vpd("20160418004523F", 0x5000_0394_8C21_0F3A, 7200, 2);
    let mut p = profile(
        "spin-up-30s",
        inquiry("TOSHIBA", "External USB 3.0", "5438"),
        Some(vpd),
        capacity(5_860_533_168, 512),
        mode_full(),
    );
    p.behaviour.spin_up = Duration::from_secs(30);
    p
}

/// `card-reader-empty`: an SD card reader with no card (Realtek/Genesys "Generic USB SD
/// Reader"): removable, NOT READY 3A/00 on TUR and READ, READ CAPACITY(10) answers GOOD with
/// FFFFFFFFh (docs/references.md §USB-bridge quirks, item 3; Linux treats that as no medium
/// under `no_read_capacity_16`, docs/references.md §Linux: READ CAPACITY). INQUIRY
/// "Generic"/"USB SD Reader" rev 1.00 matches the quirk table's INQUIRY_36 row on purpose.
pub fn card_reader_empty() -> Profile {
    let inq = inquiry_scsi2("Generic", "USB SD Reader", "1.00", true);
    let mut p = profile("card-reader-empty", inq, None, capacity(0, 512), mode_stick());
    p.behaviour.no_medium = true;
    p.behaviour.no_medium_capacity = NoMediumCapacity::AllOnes;
    p.behaviour.rc16_supported = false;
    p.behaviour.rsoc_supported = false;
    p
}

/// `write-protected`: a USB stick with its write-protect switch on (Kanguru FlashBlu): WP=1 in
/// the mode parameter header and DATA PROTECT 27/00 on every write, as tgtd with `readonly=1`
/// (docs/witnesses.md §tgtd: what it reports).
pub fn write_protected() -> Profile {
    let mut mode = mode_stick();
    mode.write_protected = true;
    let inq = InquiryProfile { removable: true, ..inquiry("Kanguru", "FlashBlu30", "1.00") };
    let vpd = vpd_serial_only("0708A3C24B1D2F5E");
    profile("write-protected", inq, Some(vpd), capacity(60_437_492, 512), mode)
}

/// `thin-lun`: a thin-provisioned SAN LUN (HPE 3PAR virtual volume; tgtd with
/// `thin_provisioning=1` answers the same bits, docs/witnesses.md §tgtd: what it reports):
/// LBPME=1 and LBPRZ=1 in RC16, VPD B2 with LBPU, LBPWS, LBPWS10 and provisioning type 2
/// (thin), VPD B0 with UNMAP limits and a 16 KiB unmap granularity. Linux picks UNMAP
/// (`sd_discard_mode`; docs/references.md §Linux: discard).
pub fn thin_lun() -> Profile {
    let mut vpd = vpd("1645678", 0x5000_2AC0_0000_1F2C, 1, 0);
    vpd.block_limits = Some(BlockLimitsProfile {
        optimal_granularity: 32,
        max_transfer_length: 0x8000,
        optimal_transfer_length: 0x8000,
        max_unmap_lba_count: 0x0001_0000,
        max_unmap_descriptor_count: 32,
        unmap_granularity: 32,
        unmap_granularity_alignment: Some(0),
        max_write_same_length: 0x0001_0000,
    });
    vpd.provisioning = Some(ProvisioningProfile {
        lbpu: true,
        lbpws: true,
        lbpws10: true,
        lbprz: 1,
        provisioning_type: 2,
        ..ProvisioningProfile::default()
    });
    let mut cap = capacity(4_294_967_296, 512);
    cap.lbpme = true;
    cap.lbprz = true;
    profile("thin-lun", inquiry("3PARdata", "VV", "3310"), Some(vpd), cap, mode_full())
}

/// The IDENTIFY, SMART data and thresholds of a real WDC WD5000AAKS-00TMA0 (firmware
/// 12.01C01), from libatasmart's blob examples (tests/fixtures/smart-blobs, sections IDFY,
/// SMDT and SMTH).
const WD5000AAKS_BLOB: &[u8] =
    include_bytes!("../../tests/fixtures/smart-blobs/WDC_WD5000AAKS--00TMA0-12.01C01");

/// The bytes of section `tag` of a libatasmart blob (4-byte tag, 4-byte big-endian length,
/// data; tests/fixtures/README.md).
pub fn blob_section(blob: &[u8], tag: &[u8; 4]) -> Option<Vec<u8>> {
    let mut rest = blob;
    while rest.len() >= 8 {
        let len = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        let data = rest.get(8..8usize.checked_add(len)?)?;
        if &rest[..4] == tag {
            return Some(data.to_vec());
        }
        rest = &rest[8 + len..];
    }
    None
}

/// An ATA string (IDENTIFY words `first..first + words`, two characters per word, the first
/// in the high byte), trimmed.
fn ata_string(identify: &[u8], first: usize, words: usize) -> String {
    let raw = identify.get(first * 2..(first + words) * 2).unwrap_or(&[]);
    let chars: Vec<u8> = raw.chunks_exact(2).flat_map(|w| [w[1], w[0]]).collect();
    String::from_utf8_lossy(&chars).trim().to_string()
}

fn identify_word(identify: &[u8], n: usize) -> u16 {
    identify.get(2 * n..2 * n + 2).map_or(0, |w| u16::from_le_bytes([w[0], w[1]]))
}

/// `sat-bridge`: a SATA disk behind a SCSI/ATA Translation layer (Linux libata's SATL, the
/// reference SAT implementation; USB-SATA bridges such as the ASMedia ASM1153 answer the same
/// shape): vendor "ATA", product and revision taken from IDENTIFY (`ata_scsiop_inq_std`), VPD
/// 89h with the real IDENTIFY data of a WDC WD5000AAKS, and ATA PASS-THROUGH(12/16) IDENTIFY
/// DEVICE / SMART READ DATA answered with the same captured bytes (docs/references.md §SMART
/// over SAT). Capacity from IDENTIFY words 100..=103.
pub fn sat_bridge() -> Profile {
    sat_bridge_from_blob("sat-bridge", WD5000AAKS_BLOB).unwrap_or_else(|e| panic!("{e}"))
}

/// A SATA drive behind a SAT bridge whose IDENTIFY, SMART status, data and thresholds come
/// from a libatasmart-format blob (tagged sections IDFY, SMST, SMDT, SMTH: tests/fixtures/
/// README.md): page 89h carries the IDENTIFY data and ATA PASS-THROUGH answers from all four.
///
/// # Errors
/// A blob without a 512-byte IDFY section.
pub fn sat_bridge_from_blob(name: &str, blob: &[u8]) -> Result<Profile, String> {
    let identify = blob_section(blob, b"IDFY")
        .filter(|i| i.len() == 512)
        .ok_or_else(|| "the blob has no 512-byte IDFY section".to_string())?;
    let model = ata_string(&identify, 27, 20);
    let serial = ata_string(&identify, 10, 10);
    let firmware = ata_string(&identify, 23, 4);
    // libata: the last four characters of the firmware revision.
    let revision: String =
        firmware.chars().skip(firmware.chars().count().saturating_sub(4)).collect();
    let lba48 = identify_word(&identify, 83) & 0x0400 != 0;
    let blocks = if lba48 {
        (0..4).rev().fold(0u64, |v, i| v << 16 | u64::from(identify_word(&identify, 100 + i)))
    } else {
        u64::from(identify_word(&identify, 61)) << 16 | u64::from(identify_word(&identify, 60))
    };
    let rotation = identify_word(&identify, 217);
    let mut vpd = vpd(&serial, 0, rotation, 0);
    vpd.identification = Some(Identification {
        // libata's T10 vendor ID designator: "ATA     " + model (40) + serial (20).
        t10_vendor_specific: Some(format!("{model:<40}{serial:<20}")),
        naa5: None,
        eui64: None,
    });
    // SMST: a native-endian 32-bit result of the capturing machine, non-zero = "disk is OK".
    let smart_status = blob_section(blob, b"SMST").map(|s| s.iter().any(|&b| b != 0));
    vpd.ata_information = Some(AtaInformationProfile {
        sat_vendor: "linux".into(),
        sat_product: "libata".into(),
        sat_revision: "3.00".into(),
        identify,
        smart_data: blob_section(blob, b"SMDT"),
        smart_thresholds: blob_section(blob, b"SMTH"),
        smart_status,
    });
    let mut inq = inquiry("ATA", &model, &revision);
    inq.version = 5;
    let mut p = profile(name, inq, Some(vpd), capacity(blocks.max(1), 512), mode_full());
    p.mode.informational_exceptions_page = false;
    p.behaviour.ata_pass_through = true;
    Ok(p)
}

/// `garbage-mode-pages`: MODE SENSE that lies (Initio INIC bridges; FreeBSD `da` checks for
/// "0x3F data returned for any page", Linux detects an Initio garbage header;
/// docs/references.md §Linux: MODE SENSE and §USB-bridge quirks, item 6): every request gets
/// the all-pages answer, MODE DATA LENGTH claims 24 bytes more than are sent, and the last
/// page's length runs past the end.
pub fn garbage_mode_pages() -> Profile {
    let vpd = vpd_serial_only("000000000000000000001");
    let mut p = profile(
        "garbage-mode-pages",
        inquiry("Initio", "INIC-1610P", "2.10"),
        Some(vpd),
        capacity(976_773_168, 512),
        mode_full(),
    );
    p.behaviour.mode_quirk = ModeQuirk::Garbage;
    p
}

/// `descriptor-sense`: a device that only builds descriptor-format sense (72h), as tgtd with
/// `sense_format=1` (docs/witnesses.md §tgtd: what it reports; D_SENSE set and not changeable);
/// its INQUIRY and VPD mirror tgtd's (IET VIRTUAL-DISK, serial right-justified in 36 bytes,
/// VERSION 5).
pub fn descriptor_sense() -> Profile {
    let mut vpd = vpd("beaf11", 0x5000_0001_0000_0001, 0, 0);
    vpd.serial_field_len = 36;
    vpd.block_limits = Some(BlockLimitsProfile::default());
    let inq = InquiryProfile {
        version: 5,
        version_descriptors: vec![0x04C0, 0x0960, 0x0300],
        length: 66,
        ..inquiry("IET", "VIRTUAL-DISK", "0001")
    };
    let mut cap = capacity(131_072, 512);
    cap.lbppbe = 3;
    let mut p = profile("descriptor-sense", inq, Some(vpd), cap, mode_full());
    p.sense_format = SenseFormat::Descriptor;
    p
}

/// `mode-sense-6-only`: MODE SENSE(10) answers ILLEGAL REQUEST 20/00, only (6) works (Iomega
/// Zip 100 on USB and other SCSI-2 era devices; Linux drops to MODE SENSE(6) and remembers,
/// `use_10_for_ms`; docs/references.md §Linux: MODE SENSE).
pub fn mode_sense_6_only() -> Profile {
    let inq = inquiry_scsi2("IOMEGA", "ZIP 100", "D.13", true);
    let mut p = profile("mode-sense-6-only", inq, None, capacity(196_608, 512), mode_stick());
    p.behaviour.mode_sense_10_supported = false;
    p.behaviour.rc16_supported = false;
    p.behaviour.rsoc_supported = false;
    p
}

/// `no-rc16`: a stick that claims SPC-4 but answers READ CAPACITY(16) with ILLEGAL REQUEST
/// 20/00 (Transcend JetFlash; FreeBSD `DA_Q_NO_RC16`, Linux `NO_READ_CAPACITY_16`,
/// docs/references.md §USB-bridge quirks, item 3). Linux falls back to RC10 silently. INQUIRY
/// "JetFlash"/"Transcend" matches the quirk table's NO_READ_CAPACITY_16 row on purpose.
pub fn no_rc16() -> Profile {
    let inq = InquiryProfile { removable: true, ..inquiry("JetFlash", "Transcend 16GB", "1100") };
    let vpd = vpd_serial_only("0TXY3KQ6SB7ULBNA");
    let mut p = profile("no-rc16", inq, Some(vpd), capacity(31_129_600, 512), mode_stick());
    p.behaviour.rc16_supported = false;
    p.behaviour.rsoc_supported = false;
    p
}

/// `block-520`: a SAS disk low-level formatted to 520-byte blocks for a storage array (Seagate
/// Cheetah from an EMC/NetApp shelf). Linux accepts only 512/1024/2048/4096 and sets the
/// capacity to 0 (`sd_read_capacity`; docs/references.md §Linux: READ CAPACITY): the driver
/// must refuse it.
pub fn block_520() -> Profile {
    let vpd = vpd("3SJ1L0ZK00009104", 0x5000_C500_1A2B_3C4D, 15000, 3);
    profile(
        "block-520",
        inquiry("SEAGATE", "ST3600057SS", "NA02"),
        Some(vpd),
        capacity(1_146_734_896, 520),
        mode_full(),
    )
}

/// `lun-not-connected`: PERIPHERAL QUALIFIER 1, "capable of supporting a device but not
/// connected" (EMC CLARiiON "DGC LUNZ" placeholder LUNs, which Linux `scsi_scan.c` treats
/// specially): the driver must not attach to it.
pub fn lun_not_connected() -> Profile {
    let inq = InquiryProfile { peripheral_qualifier: 1, ..inquiry("DGC", "LUNZ", "0532") };
    let vpd = vpd_serial_only("APM00123456789");
    profile("lun-not-connected", inq, Some(vpd), capacity(0, 512), mode_full())
}

/// `cdrom`: an optical drive (PERIPHERAL DEVICE TYPE 5; LG "HL-DT-ST" USB DVD writer) with
/// a 2048-byte-block disc: not a type 0 device, the driver must refuse it.
pub fn cdrom() -> Profile {
    let inq = InquiryProfile {
        device_type: 5,
        removable: true,
        version: 0,
        ..inquiry("HL-DT-ST", "DVDRAM GP65NB60", "RF01")
    };
    let mut p = profile("cdrom", inq, None, capacity(359_844, 2048), mode_stick());
    p.behaviour.rc16_supported = false;
    p.behaviour.pattern = DataPattern::LbaStamp;
    p
}

/// An NVMe SSD behind a USB bridge speaking `protocol`: the bridge's tunnel serves `identify`
/// and `smart` (src/sim/nvme_bridge.rs); the SCSI side is a plain SPC-4 disk of TNVMCAP / 512
/// blocks of 512 bytes, VPD 00h/80h/83h/B0h/B1h (non-rotating; the serial is the drive's SN),
/// and no page 89h nor ATA PASS-THROUGH: such a bridge is no SAT layer.
fn nvme_behind_bridge(
    name: &str,
    inquiry: InquiryProfile,
    protocol: NvmeBridge,
    identify: &IdentifyControllerData,
    smart: &SmartHealthData,
    naa: u64,
) -> Profile {
    let blocks = u64::try_from(identify.tnvmcap / 512).unwrap_or(u64::MAX);
    let vpd = vpd(&identify.serial_number, naa, 1, 0);
    let mut p = profile(name, inquiry, Some(vpd), capacity(blocks, 512), mode_full());
    p.nvme_bridge = Some(NvmeBridgeProfile {
        protocol,
        identify: identify.to_bytes(),
        smart_log: smart.to_bytes(),
        fault: NvmeBridgeFault::None,
    });
    p
}

/// `nvme-asmedia`: a healthy 1 TB NVMe SSD in an enclosure with an ASMedia ASM2362 bridge
/// (the ASM236x/ASM246x family that smartmontools drives with `-d sntasmedia`, vendor opcode
/// E6h; docs/references.md §NVMe behind USB bridges). The data are
/// [`IdentifyControllerData::default`] and [`SmartHealthData::default`]. No source gives
/// the INQUIRY strings of an ASMedia NVMe bridge, so "SimASM"/"ASM2362 NVMe sim" are
/// invented and match no INQUIRY row; the enclosure is a USB device with the bridge's own
/// ID 174c:2362, which the core's USB ID table maps to `nvme-asmedia` (smartmontools'
/// `drivedb.h`: `-d sntasmedia`).
pub fn nvme_asmedia() -> Profile {
    let identify = IdentifyControllerData {
        serial_number: "SIM2362NVME00000001".into(),
        ..IdentifyControllerData::default()
    };
    let mut p = nvme_behind_bridge(
        "nvme-asmedia",
        inquiry("SimASM", "ASM2362 NVMe sim", "0001"),
        NvmeBridge::Asmedia,
        &identify,
        &SmartHealthData::default(),
        0x5525_4000_0000_2362,
    );
    p.usb_id = Some(UsbId { vendor: 0x174c, product: 0x2362 });
    p
}

/// `nvme-asmedia-rebadged`: the same drive and bridge as `nvme-asmedia` under an
/// enclosure maker's own USB ID, 13fe:6500 (reported to smartmontools as an ASMedia-tunnel
/// device its `drivedb.h` does not know, issue #302): neither quirk table recognizes it, so
/// `personality_quirks` holds `nvme-asmedia`, what the user's Info.plist personality for the
/// enclosure sets.
pub fn nvme_asmedia_rebadged() -> Profile {
    let mut p = nvme_asmedia();
    p.name = "nvme-asmedia-rebadged".into();
    p.usb_id = Some(UsbId { vendor: 0x13fe, product: 0x6500 });
    p.personality_quirks = vec!["nvme-asmedia".into()];
    p
}

/// `nvme-jmicron`: a healthy 512 GB NVMe SSD (38 °C, 1 % used, 1 TB written) in an enclosure
/// with a JMicron JMS583 bridge (smartmontools `-d sntjmicron`, the three-step A1h exchange;
/// docs/references.md §NVMe behind USB bridges). No source gives the INQUIRY strings of a
/// JMS583, so "SimJMB"/"JMS583 NVMe sim" are invented and match no INQUIRY row (not the
/// "JMicron" family row either); the enclosure is a USB device with the bridge's ID
/// 152d:0583, which the core's USB ID table maps to `nvme-jmicron` (smartmontools'
/// `drivedb.h`). Without it nothing may send the exchange: to any other bridge A1h with
/// byte 1 = 80h or 82h is an ATA reset.
pub fn nvme_jmicron() -> Profile {
    let identify = IdentifyControllerData {
        serial_number: "SIM0583NVME00000002".into(),
        model_number: "Sim NVMe SSD 512GB".into(),
        firmware_revision: "SIM20B02".into(),
        tnvmcap: 512_110_190_592,
        ..IdentifyControllerData::default()
    };
    let smart = SmartHealthData {
        composite_temperature: 311,
        percentage_used: 1,
        data_units_read: 2_929_688,
        data_units_written: 1_953_125,
        host_read_commands: 31_415_926,
        host_write_commands: 27_182_818,
        controller_busy_time: 301,
        power_cycles: 130,
        power_on_hours: 655,
        unsafe_shutdowns: 4,
        temperature_sensors: [311, 0, 0, 0, 0, 0, 0, 0],
        ..SmartHealthData::default()
    };
    let mut p = nvme_behind_bridge(
        "nvme-jmicron",
        inquiry("SimJMB", "JMS583 NVMe sim", "0001"),
        NvmeBridge::Jmicron,
        &identify,
        &smart,
        0x5525_4000_0000_0583,
    );
    p.usb_id = Some(UsbId { vendor: 0x152d, product: 0x0583 });
    p
}

/// `nvme-realtek`: a healthy 2 TB NVMe SSD (52 °C, 7 % used, 8 TB written) in an enclosure
/// with a Realtek RTL9210 bridge (smartmontools `-d sntrealtek`, vendor opcode E4h;
/// docs/references.md §NVMe behind USB bridges). INQUIRY "Realtek"/"RTL9210 NVME" are the
/// RTL9210's default configuration strings (SCSI_VENDOR "Realtek ", SCSI_PRODUCT "RTL9210
/// NVME    ", as dumped from a bridge's configuration in the public bensuperpc/rtl9210
/// tool's issue #50) and match the quirk table's NVME_REALTEK row on purpose, so no
/// personality quirk is needed; the revision "1.00" is invented.
pub fn nvme_realtek() -> Profile {
    let identify = IdentifyControllerData {
        serial_number: "SIM9210NVME00000003".into(),
        model_number: "Sim NVMe SSD 2TB".into(),
        firmware_revision: "SIM30C03".into(),
        tnvmcap: 2_000_398_934_016,
        ..IdentifyControllerData::default()
    };
    let smart = SmartHealthData {
        composite_temperature: 325,
        percentage_used: 7,
        data_units_read: 23_437_500,
        data_units_written: 15_625_000,
        host_read_commands: 402_653_184,
        host_write_commands: 301_989_888,
        controller_busy_time: 9_876,
        power_cycles: 1_024,
        power_on_hours: 8_760,
        unsafe_shutdowns: 52,
        temperature_sensors: [325, 331, 0, 0, 0, 0, 0, 0],
        ..SmartHealthData::default()
    };
    nvme_behind_bridge(
        "nvme-realtek",
        inquiry("Realtek", "RTL9210 NVME", "1.00"),
        NvmeBridge::Realtek,
        &identify,
        &smart,
        0x5525_4000_0000_9210,
    )
}
