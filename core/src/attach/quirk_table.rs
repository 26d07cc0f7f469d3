//! The static quirk table: which INQUIRY identities need which [`Quirks`].
//!
//! # Why keyed by INQUIRY strings
//!
//! Linux's `unusual_devs.h` / `unusual_uas.h` and FreeBSD's `UQ_MSC_*` rows are keyed by USB
//! VID:PID, which a `IOUserSCSIPeripheralDeviceType00` does not see; `scsi_devinfo.c` and
//! FreeBSD's `da_quirk_table` are keyed by INQUIRY vendor/product/revision, as this table
//! is. Each row names the upstream row (or rows) its behaviour comes from. Where upstream
//! keys by VID:PID, the row uses the INQUIRY vendor string such bridges commonly report
//! ("ASMT", "JMicron", "Seagate", ...): it is a *family* row, marked so in its source, and
//! may match more devices than the upstream row did. Flags only ever make the engine more
//! careful, and every row can be undone per device with `quirks_off` (the personality's
//! `SbcQuirks` dictionary or `--quirk`), so a family row errs on the safe side.
//!
//! # Coverage of the USB-bridge quirks (docs/references.md §USB-bridge quirks)
//!
//! | item | flag | rows |
//! |---|---|---|
//! | 1 wrong residue | — (the engine never trusts a count past `usable_length`) | |
//! | 2 capacity off by one | FIX_CAPACITY, GUESS_CAPACITY | NIKON DSC, Nokia |
//! | 3 RC16 broken / RC10 wraps | NO_READ_CAPACITY_16, NEEDS_READ_CAPACITY_16 | JetFlash, PNY, ADATA, I-O DATA, Innostor; ASMT 2105 |
//! | 4 transfer limits | MAX_SECTORS_64 / 240 / 2048 | Genesys, ASMT 1053; [`USB_DEFAULTS`] (2048) |
//! | 5 INQUIRY length / VPD | INQUIRY_36; NO_VPD | INQUIRY_36: Generic USB SD Reader, Generic USB Storage-SMC, SMSC USB 2 HS-CF, iRiver. NO_VPD: no row (config only, and not in [`USB_DEFAULTS`], see there); a VPD page that times out stops all further VPD reads (the engine's own NO_VPD) |
//! | 6 fragile MODE SENSE | MODE_SENSE_192, SKIP_CACHING_PAGE, READ_BEFORE_MODE_SENSE | Feiya; [`USB_DEFAULTS`] |
//! | 7 SYNCHRONIZE CACHE / hidden write cache | NO_SYNC_CACHE, WRITE_CACHE | Sony DSC; Seagate Portable, WD My Passport |
//! | 8 broken FUA | BROKEN_FUA | JMicron |
//! | 9 PREVENT ALLOW | NOT_LOCKABLE | iRiver |
//! | 10 RSOC, WRITE SAME, REPORT LUNS | NO_REPORT_OPCODES, NO_WRITE_SAME, NO_REPORT_LUNS | JMicron, Seagate Expansion Desk; [`USB_DEFAULTS`] |
//! | 11 ATA pass-through wedges | NO_ATA_PASS_THROUGH | Seagate |
//! | 12 broken UAS | — (transport, below DriverKit) | |
//! | 13 spurious HARDWARE ERROR | RETRY_HWERROR | [`USB_DEFAULTS`] |
//! | 14 last-sector bug | — (I/O path, not characterization) | |
//! | 15 needs START / no START | NO_START_STOP | (policy sends START; flag from config) |
//! | 16 re-blocked 4 KiB | — (reported as is: logical block length) | |
//!
//! NVMe SSDs behind USB bridges (docs/references.md §NVMe behind USB bridges) get the flag
//! of their bridge's health protocol. Only Realtek's default INQUIRY strings are on record;
//! ASMedia and JMicron bridges are named by the personality (`SbcQuirks` `nvme-asmedia`,
//! `nvme-jmicron`), never guessed: JMicron's tunnel is an ATA reset to any other bridge.

use crate::quirks::Quirks;

/// One row: INQUIRY vendor and product prefixes (trimmed fields; an empty prefix matches
/// anything), an optional exact revision, the quirks, and where the row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuirkRow {
    /// Prefix of T10 VENDOR IDENTIFICATION (trimmed), compared byte for byte.
    pub vendor: &'static str,
    /// Prefix of PRODUCT IDENTIFICATION (trimmed); empty matches any product.
    pub product: &'static str,
    /// PRODUCT REVISION LEVEL (trimmed) that must match exactly, or `None` for any.
    pub revision: Option<&'static str>,
    /// The quirks the row applies.
    pub quirks: Quirks,
    /// The upstream row(s) the behaviour comes from.
    pub source: &'static str,
}

const fn row(
    vendor: &'static str,
    product: &'static str,
    revision: Option<&'static str>,
    quirks: Quirks,
    source: &'static str,
) -> QuirkRow {
    QuirkRow { vendor, product, revision, quirks, source }
}

/// What Linux applies to every USB mass-storage disk (`device_configure` in
/// drivers/usb/storage/scsiglue.c; docs/references.md §Linux: USB defaults): MODE SENSE all
/// pages with 192 bytes, skip the Caching page, read block 0 before MODE SENSE, retry
/// HARDWARE ERROR, no REPORT SUPPORTED OPERATION CODES, no WRITE SAME, READ CAPACITY(10)
/// first, and at most 2048 blocks per transfer (`MAX_SECTORS_2048`: Linux's
/// `max_hw_sectors` for USB 3 SuperSpeed devices; on USB 2 Linux keeps the host template's
/// 240, which the shim may add as `MAX_SECTORS_240` when it knows the link speed).
///
/// Not applied by the engine on its own: INQUIRY does not say the transport is USB. The
/// shim (which knows the nub's protocol characteristics) sets
/// [`Config::usb`](super::Config::usb), which adds these before
/// [`Config::quirks_off`](super::Config::quirks_off) is applied. Linux's `skip_vpd_pages` default is
/// deliberately left out: VPD 89h is how SAT is found, and header-first VPD sizing is what
/// makes reading VPD safe on the devices that choked on it.
pub const USB_DEFAULTS: Quirks = Quirks::MODE_SENSE_192
    .union(Quirks::SKIP_CACHING_PAGE)
    .union(Quirks::READ_BEFORE_MODE_SENSE)
    .union(Quirks::RETRY_HWERROR)
    .union(Quirks::NO_REPORT_OPCODES)
    .union(Quirks::NO_WRITE_SAME)
    .union(Quirks::READ_CAPACITY_10_FIRST)
    .union(Quirks::MAX_SECTORS_2048);

/// The table. Rows are matched in order and all matching rows apply (their flags are OR-ed).
pub static QUIRK_TABLE: [QuirkRow; 20] = [
    // --- READ CAPACITY ---
    row("ASMT", "2105", None, Quirks::NEEDS_READ_CAPACITY_16,
        "Linux unusual_uas.h 174c:55aa \"ASMedia AS2105\" US_FL_NEEDS_CAP16 (family row: INQUIRY vendor ASMT)"),
    row("JetFlash", "Transcend", None, Quirks::NO_READ_CAPACITY_16,
        "FreeBSD da_quirk_table \"JetFlash\" \"Transcend*\" DA_Q_NO_RC16"),
    row("PNY", "", None, Quirks::NO_READ_CAPACITY_16,
        "FreeBSD da_quirk_table PNY USB sticks DA_Q_NO_RC16 (family row)"),
    row("ADATA", "", None, Quirks::NO_READ_CAPACITY_16,
        "FreeBSD da_quirk_table ADATA USB sticks DA_Q_NO_RC16 (family row)"),
    row("I-O DATA", "", None, Quirks::NO_READ_CAPACITY_16,
        "FreeBSD da_quirk_table I-O DATA USB sticks DA_Q_NO_RC16 (family row)"),
    row("Innostor", "", None, Quirks::NO_READ_CAPACITY_16,
        "FreeBSD da_quirk_table Innostor DA_Q_NO_RC16 (family row)"),
    row("NIKON", "NIKON DSC", None, Quirks::FIX_CAPACITY,
        "Linux unusual_devs.h NIKON DSC rows (04b0:*) US_FL_FIX_CAPACITY"),
    row("Nokia", "", None, Quirks::GUESS_CAPACITY,
        "Linux usb-storage CAPACITY_HEURISTICS, automatic for Nokia (family row)"),
    // --- INQUIRY ---
    row("Generic", "USB SD Reader", Some("1.00"), Quirks::INQUIRY_36,
        "Linux scsi_devinfo.c {\"Generic\", \"USB SD Reader\", \"1.00\", BLIST_FORCELUN | BLIST_INQUIRY_36}"),
    row("Generic", "USB Storage-SMC", None, Quirks::INQUIRY_36,
        "Linux scsi_devinfo.c {\"Generic\", \"USB Storage-SMC\", BLIST_FORCELUN | BLIST_INQUIRY_36}"),
    row("SMSC", "USB 2 HS-CF", None, Quirks::INQUIRY_36,
        "Linux scsi_devinfo.c {\"SMSC\", \"USB 2 HS-CF\", BLIST_SPARSELUN | BLIST_INQUIRY_36}"),
    row("iRiver", "iFP Mass Driver", None, Quirks::INQUIRY_36.union(Quirks::NOT_LOCKABLE),
        "Linux scsi_devinfo.c {\"iRiver\", \"iFP Mass Driver\", BLIST_NOT_LOCKABLE | BLIST_INQUIRY_36}"),
    // --- MODE SENSE ---
    row("Feiya", "", None, Quirks::READ_BEFORE_MODE_SENSE,
        "Linux unusual_devs.h 090c:6000 \"Feiya\" \"SD/SDHC Card Reader\" US_FL_INITIAL_READ10 (family row)"),
    // --- cache, FUA, opcodes ---
    row("JMicron", "", None, Quirks::BROKEN_FUA.union(Quirks::NO_REPORT_OPCODES),
        "Linux unusual_uas.h JMicron JMS56x rows (152d:*) US_FL_BROKEN_FUA | US_FL_NO_REPORT_OPCODES (family row)"),
    row("Seagate", "Expansion Desk", None, Quirks::NO_REPORT_LUNS,
        "Linux unusual_uas.h 0bc2:331a \"Seagate\" \"Expansion Desk\" US_FL_NO_REPORT_LUNS"),
    row("Seagate", "", None, Quirks::NO_ATA_PASS_THROUGH,
        "Linux uas-detect.h: US_FL_NO_ATA_1X for every Seagate (0bc2) enclosure (family row)"),
    row("Seagate", "Portable", None, Quirks::WRITE_CACHE,
        "Linux unusual_devs.h 0bc2:2300 \"Seagate\" \"Portable HDD\" US_FL_WRITE_CACHE"),
    row("WD", "My Passport", None, Quirks::WRITE_CACHE,
        "Linux unusual_devs.h 1058:070a \"Western Digital\" \"My Passport HDD\" US_FL_WRITE_CACHE"),
    // --- SYNCHRONIZE CACHE, transfer size ---
    row("Sony", "Sony DSC", None, Quirks::NO_SYNC_CACHE,
        "FreeBSD da_quirk_table \"Sony\" \"Sony DSC\" DA_Q_NO_SYNC_CACHE"),
    // --- NVMe behind a USB bridge (health through the bridge's tunnel, attach/nvme.rs) ---
    row("Realtek", "RTL9210 NVME", None, Quirks::NVME_REALTEK,
        "smartmontools drivedb.h 0bda:9210 \"Realtek RTL9210\" -d sntrealtek; the INQUIRY strings are the RTL9210's default configuration (SCSI_VENDOR \"Realtek\", SCSI_PRODUCT \"RTL9210 NVME\"), which enclosure makers may change"),
];

/// Extra family rows for transfer-size limits, kept apart because their upstream rows are
/// keyed by VID:PID only and the INQUIRY strings vary most.
pub static TRANSFER_LIMIT_TABLE: [QuirkRow; 2] = [
    row(
        "Genesys",
        "",
        None,
        Quirks::MAX_SECTORS_64,
        "Linux unusual_devs.h 05e3:0701/0702 \"Genesys Logic\" US_FL_MAX_SECTORS_64 (family row)",
    ),
    row(
        "ASMT",
        "1053",
        None,
        Quirks::MAX_SECTORS_240,
        "Linux uas-detect.h: US_FL_MAX_SECTORS_240 for the ASM1053 under UAS (family row)",
    ),
];

/// A USB device's vendor and product ID (`idVendor`, `idProduct`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UsbId {
    /// idVendor.
    pub vendor: u16,
    /// idProduct.
    pub product: u16,
}

/// `174c:2362`, as `lsusb` and smartmontools write it.
impl core::fmt::Display for UsbId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04x}:{:04x}", self.vendor, self.product)
    }
}

/// `"174c:2362"`.
#[cfg(feature = "serde")]
impl serde::Serialize for UsbId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One row of [`USB_ID_TABLE`]: a bridge by its USB ID, its quirks, and where the row comes
/// from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbIdRow {
    /// The ID.
    pub id: UsbId,
    /// The quirks the row applies.
    pub quirks: Quirks,
    /// The upstream row it comes from.
    pub source: &'static str,
}

/// Bridges known by their USB ID, as smartmontools knows them (`drivedb.h`, the "USB:"
/// section, which picks a device type by VID:PID and never by trying): the USB-to-NVMe
/// bridges whose `-d snt*` tunnel the NVMe phase speaks. Only exact IDs: smartmontools'
/// wildcard rows (JMicron 152d:0580 serves JMS580 SATA and JMS583 NVMe bridges alike, and
/// `-d sntjmicron` times out on the former) are left to the personality.
pub static USB_ID_TABLE: [UsbIdRow; 3] = [
    UsbIdRow {
        id: UsbId { vendor: 0x152d, product: 0x0583 },
        quirks: Quirks::NVME_JMICRON,
        source: "smartmontools drivedb.h \"USB: ; JMicron JMS583\" 0x152d:0x0583 -d sntjmicron",
    },
    UsbIdRow {
        id: UsbId { vendor: 0x174c, product: 0x2362 },
        quirks: Quirks::NVME_ASMEDIA,
        source: "smartmontools drivedb.h \"USB: ; ASMedia ASM2362\" 0x174c:0x2362 -d sntasmedia",
    },
    UsbIdRow {
        id: UsbId { vendor: 0x0bda, product: 0x9210 },
        quirks: Quirks::NVME_REALTEK,
        source: "smartmontools drivedb.h \"USB: ; Realtek RTL9210\" 0x0bda:0x9210 -d sntrealtek",
    },
];

/// The quirks [`USB_ID_TABLE`] gives `id` (empty for an ID it does not list).
pub fn lookup_usb_id(id: UsbId) -> Quirks {
    USB_ID_TABLE.iter().filter(|r| r.id == id).fold(Quirks::empty(), |acc, r| acc | r.quirks)
}

/// The quirks for an INQUIRY identity: the union of every matching row of [`QUIRK_TABLE`]
/// and [`TRANSFER_LIMIT_TABLE`]. Arguments are the trimmed INQUIRY fields.
pub fn lookup(vendor: &[u8], product: &[u8], revision: &[u8]) -> Quirks {
    QUIRK_TABLE
        .iter()
        .chain(TRANSFER_LIMIT_TABLE.iter())
        .filter(|r| r.matches(vendor, product, revision))
        .fold(Quirks::empty(), |acc, r| acc | r.quirks)
}

impl QuirkRow {
    /// Whether this row applies to the (trimmed) INQUIRY fields.
    pub fn matches(&self, vendor: &[u8], product: &[u8], revision: &[u8]) -> bool {
        !self.vendor.is_empty()
            && vendor.starts_with(self.vendor.as_bytes())
            && product.starts_with(self.product.as_bytes())
            && self.revision.is_none_or(|r| r.as_bytes() == revision)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_lookup_prefix_and_revision() {
        assert_eq!(lookup(b"ASMT", b"2105", b"0"), Quirks::NEEDS_READ_CAPACITY_16);
        assert_eq!(lookup(b"Generic", b"USB SD Reader", b"1.00"), Quirks::INQUIRY_36);
        assert_eq!(lookup(b"Generic", b"USB SD Reader", b"1.01"), Quirks::empty());
        assert_eq!(
            lookup(b"Seagate", b"Expansion Desk", b"0915"),
            Quirks::NO_REPORT_LUNS | Quirks::NO_ATA_PASS_THROUGH
        );
        assert_eq!(lookup(b"ATA", b"Samsung SSD 870", b"SVT0"), Quirks::empty());
        assert_eq!(lookup(b"Realtek", b"RTL9210 NVME", b"1.00"), Quirks::NVME_REALTEK);
        assert_eq!(lookup(b"Realtek", b"RTL9210 SATA", b"1.00"), Quirks::empty());
        assert_eq!(lookup(b"", b"", b""), Quirks::empty());
    }

    #[test]
    fn test_usb_id_lookup_is_exact() {
        let asmedia = UsbId { vendor: 0x174c, product: 0x2362 };
        assert_eq!(lookup_usb_id(asmedia), Quirks::NVME_ASMEDIA);
        // Another ASMedia product (a SATA bridge): nothing.
        assert_eq!(lookup_usb_id(UsbId { vendor: 0x174c, product: 0x55aa }), Quirks::empty());
        // JMS580/JMS583 share 152d:0580: left to the personality.
        assert_eq!(lookup_usb_id(UsbId { vendor: 0x152d, product: 0x0580 }), Quirks::empty());
        for r in &USB_ID_TABLE {
            assert_eq!(lookup_usb_id(r.id), r.quirks);
            assert!(r.source.starts_with("smartmontools drivedb.h"));
            assert!(r.source.contains(&drivedb_id(r.id)), "{}", r.source);
        }
    }

    /// `0x174c:0x2362`, as drivedb.h writes an ID.
    fn drivedb_id(id: UsbId) -> std::string::String {
        std::format!("0x{:04x}:0x{:04x}", id.vendor, id.product)
    }

    #[test]
    fn test_every_row_matches_its_own_key_and_cites_a_source() {
        for r in QUIRK_TABLE.iter().chain(TRANSFER_LIMIT_TABLE.iter()) {
            let rev = r.revision.unwrap_or("").as_bytes();
            assert!(lookup(r.vendor.as_bytes(), r.product.as_bytes(), rev).contains(r.quirks));
            let upstream = ["Linux", "FreeBSD", "smartmontools"];
            assert!(upstream.iter().any(|u| r.source.starts_with(u)), "{}", r.source);
            assert!(!r.quirks.is_empty());
        }
    }
}
