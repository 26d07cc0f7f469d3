//! Device quirks: named deviations from SPC/SBC that real devices (mostly USB bridges)
//! need tolerated.
//!
//! Each flag names the deviation it tolerates, after the Linux (`BLIST_*`, `US_FL_*`,
//! `scsi_device` bits) and FreeBSD (`DA_Q_*`, `UQ_MSC_*`) flags that encode the same
//! behaviour (docs/references.md §USB-bridge quirks). Flags are data: the policy and the
//! characterization engine read them; no decoder looks at a vendor string. The static table
//! that maps INQUIRY vendor/product to flags, and the personality and CLI overrides, build on
//! [`Quirks::by_name`].

bitflags::bitflags! {
    /// A set of quirks.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Quirks: u32 {
        /// READ CAPACITY returns the number of blocks, not the last LBA: subtract one
        /// (Linux `US_FL_FIX_CAPACITY`, FreeBSD `UQ_MSC_READ_CAP_OFFBY1`).
        const FIX_CAPACITY = 1 << 0;
        /// READ CAPACITY may be one too high: subtract one when the count is odd
        /// (Linux `US_FL_CAPACITY_HEURISTICS` / `guess_capacity`).
        const GUESS_CAPACITY = 1 << 1;
        /// READ CAPACITY(10) wraps modulo 2 TiB instead of saying 0xFFFFFFFF: always ask
        /// READ CAPACITY(16) (Linux `US_FL_NEEDS_CAP16`, ASMedia AS2105).
        const NEEDS_READ_CAPACITY_16 = 1 << 2;
        /// READ CAPACITY(16) is broken or lies: never send it (Linux
        /// `no_read_capacity_16`, FreeBSD `DA_Q_NO_RC16`).
        const NO_READ_CAPACITY_16 = 1 << 3;
        /// Reading VPD pages crashes or hangs the device: read none (Linux `skip_vpd_pages`,
        /// FreeBSD `UQ_MSC_NO_INQUIRY_EVPD`).
        const NO_VPD = 1 << 4;
        /// Standard INQUIRY must be asked for exactly 36 bytes (Linux `BLIST_INQUIRY_36`,
        /// `US_FL_FIX_INQUIRY`, FreeBSD `UQ_MSC_FORCE_SHORT_INQ`).
        const INQUIRY_36 = 1 << 5;
        /// MODE SENSE of all pages only with a 192-byte allocation, what Windows sends
        /// (Linux `use_192_bytes_for_3f`).
        const MODE_SENSE_192 = 1 << 6;
        /// MODE SENSE(10) is not supported: use MODE SENSE(6) from the start (Linux
        /// `use_10_for_ms = 0`, FreeBSD `minimum_cmd_size = 6`).
        const MODE_SENSE_6 = 1 << 7;
        /// The Caching mode page is missing or wrong: do not ask for it (Linux
        /// `skip_ms_page_8`).
        const SKIP_CACHING_PAGE = 1 << 8;
        /// Write-protect detection through MODE SENSE hangs the device: assume writable
        /// (Linux `US_FL_NO_WP_DETECT`, `skip_ms_page_3f`).
        const NO_WP_DETECT = 1 << 9;
        /// Mode pages are generic until the medium has been read: read LBA 0 first (Linux
        /// `read_before_ms`, `US_FL_INITIAL_READ10`).
        const READ_BEFORE_MODE_SENSE = 1 << 10;
        /// HARDWARE ERROR is reported for recoverable errors: retry it (Linux
        /// `retry_hwerror`, set for every USB disk).
        const RETRY_HWERROR = 1 << 11;
        /// REPORT SUPPORTED OPERATION CODES is not safe to send (Linux
        /// `no_report_opcodes`, `US_FL_NO_REPORT_OPCODES`).
        const NO_REPORT_OPCODES = 1 << 12;
        /// WRITE SAME is not safe to send (Linux `no_write_same`, `US_FL_NO_SAME`).
        const NO_WRITE_SAME = 1 << 13;
        /// FUA is advertised but broken (Linux `broken_fua`, `US_FL_BROKEN_FUA`).
        const BROKEN_FUA = 1 << 14;
        /// At most 64 blocks per transfer (Linux `US_FL_MAX_SECTORS_64`).
        const MAX_SECTORS_64 = 1 << 15;
        /// At most 240 blocks per transfer (Linux `US_FL_MAX_SECTORS_240`, ASM1053 on UAS).
        const MAX_SECTORS_240 = 1 << 16;
        /// At most 2048 blocks per transfer (Linux's default for USB 3 mass storage).
        const MAX_SECTORS_2048 = 1 << 17;
        /// Do not send START STOP UNIT (Linux `BLIST_NOSTARTONADD`, FreeBSD
        /// `UQ_MSC_NO_START_STOP`).
        const NO_START_STOP = 1 << 18;
        /// PREVENT ALLOW MEDIUM REMOVAL chokes the device (Linux `US_FL_NOT_LOCKABLE`,
        /// FreeBSD `DA_Q_NO_PREVENT`).
        const NOT_LOCKABLE = 1 << 19;
        /// SYNCHRONIZE CACHE is missing, hangs or lies (FreeBSD `DA_Q_NO_SYNC_CACHE`).
        const NO_SYNC_CACHE = 1 << 20;
        /// The device caches writes without saying so: assume the write cache is on (Linux
        /// `US_FL_WRITE_CACHE`, `wce_default_on`).
        const WRITE_CACHE = 1 << 21;
        /// ATA PASS-THROUGH wedges the bridge: never send it (Linux `US_FL_NO_ATA_1X`).
        const NO_ATA_PASS_THROUGH = 1 << 22;
        /// REPORT LUNS is not safe to send (Linux `BLIST_NOREPORTLUN`,
        /// `US_FL_NO_REPORT_LUNS`).
        const NO_REPORT_LUNS = 1 << 23;
        /// Ask READ CAPACITY(10) first even when the device claims SPC-3 (Linux
        /// `try_rc_10_first`, set for USB disks).
        const READ_CAPACITY_10_FIRST = 1 << 24;
        /// The device is an NVMe SSD behind a JMicron JMS583-family bridge: read its health
        /// through the three-step A1h exchange (smartmontools `-d sntjmicron`). Never set
        /// by an INQUIRY row: to any other bridge A1h with byte 1 = 80h or 82h is an ATA
        /// reset, so only a personality keyed by USB VID:PID or the user sets it.
        const NVME_JMICRON = 1 << 25;
        /// The device is an NVMe SSD behind an ASMedia ASM236x/ASM246x bridge: read its
        /// health through vendor opcode E6h (smartmontools `-d sntasmedia`).
        const NVME_ASMEDIA = 1 << 26;
        /// The device is an NVMe SSD behind a Realtek RTL9210/RTL9220 bridge: read its
        /// health through vendor opcode E4h (smartmontools `-d sntrealtek`).
        const NVME_REALTEK = 1 << 27;
    }
}

/// Every quirk with the name users write in the personality dictionary (`SbcQuirks`) and on
/// the command line (`--quirk`).
pub const NAMES: &[(&str, Quirks)] = &[
    ("fix-capacity", Quirks::FIX_CAPACITY),
    ("guess-capacity", Quirks::GUESS_CAPACITY),
    ("needs-read-capacity-16", Quirks::NEEDS_READ_CAPACITY_16),
    ("no-read-capacity-16", Quirks::NO_READ_CAPACITY_16),
    ("no-vpd", Quirks::NO_VPD),
    ("inquiry-36", Quirks::INQUIRY_36),
    ("mode-sense-192", Quirks::MODE_SENSE_192),
    ("mode-sense-6", Quirks::MODE_SENSE_6),
    ("skip-caching-page", Quirks::SKIP_CACHING_PAGE),
    ("no-wp-detect", Quirks::NO_WP_DETECT),
    ("read-before-mode-sense", Quirks::READ_BEFORE_MODE_SENSE),
    ("retry-hwerror", Quirks::RETRY_HWERROR),
    ("no-report-opcodes", Quirks::NO_REPORT_OPCODES),
    ("no-write-same", Quirks::NO_WRITE_SAME),
    ("broken-fua", Quirks::BROKEN_FUA),
    ("max-sectors-64", Quirks::MAX_SECTORS_64),
    ("max-sectors-240", Quirks::MAX_SECTORS_240),
    ("max-sectors-2048", Quirks::MAX_SECTORS_2048),
    ("no-start-stop", Quirks::NO_START_STOP),
    ("not-lockable", Quirks::NOT_LOCKABLE),
    ("no-sync-cache", Quirks::NO_SYNC_CACHE),
    ("write-cache", Quirks::WRITE_CACHE),
    ("no-ata-pass-through", Quirks::NO_ATA_PASS_THROUGH),
    ("no-report-luns", Quirks::NO_REPORT_LUNS),
    ("read-capacity-10-first", Quirks::READ_CAPACITY_10_FIRST),
    ("nvme-jmicron", Quirks::NVME_JMICRON),
    ("nvme-asmedia", Quirks::NVME_ASMEDIA),
    ("nvme-realtek", Quirks::NVME_REALTEK),
];

impl Quirks {
    /// The quirk called `name` (see [`NAMES`]); ASCII case and `-`/`_` are not significant,
    /// so `RETRY_HWERROR` and `retry-hwerror` are the same.
    pub fn by_name(name: &str) -> Option<Quirks> {
        let same = |a: &str, b: &str| {
            a.len() == b.len()
                && a.bytes().zip(b.bytes()).all(|(x, y)| {
                    let norm = |c: u8| if c == b'_' { b'-' } else { c.to_ascii_lowercase() };
                    norm(x) == norm(y)
                })
        };
        NAMES.iter().find(|(n, _)| same(n, name)).map(|&(_, q)| q)
    }

    /// The names of the quirks in `self`, in [`NAMES`] order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        NAMES.iter().filter(move |(_, q)| self.contains(*q)).map(|&(n, _)| n)
    }
}

/// The names of the quirks in the set, in [`NAMES`] order: `["fix-capacity", "no-vpd"]`.
#[cfg(feature = "serde")]
impl serde::Serialize for Quirks {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn every_flag_has_exactly_one_name() {
        let mut seen = Quirks::empty();
        for &(name, q) in NAMES {
            assert_eq!(q.bits().count_ones(), 1, "{name}");
            assert!(!seen.intersects(q), "{name} named twice");
            seen |= q;
        }
        assert_eq!(seen, Quirks::all());
    }

    #[test]
    fn names_round_trip_and_normalize() {
        for &(name, q) in NAMES {
            assert_eq!(Quirks::by_name(name), Some(q));
        }
        assert_eq!(Quirks::by_name("RETRY_HWERROR"), Some(Quirks::RETRY_HWERROR));
        assert_eq!(Quirks::by_name("retry-hwerro"), None);
        assert_eq!(Quirks::by_name(""), None);
        let set = Quirks::FIX_CAPACITY | Quirks::NO_VPD;
        assert_eq!(set.names().collect::<std::vec::Vec<_>>(), ["fix-capacity", "no-vpd"]);
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serializes_as_its_names() {
        let set = Quirks::NO_VPD | Quirks::FIX_CAPACITY;
        assert_eq!(
            serde_json::to_value(set).unwrap(),
            serde_json::json!(["fix-capacity", "no-vpd"])
        );
        assert_eq!(serde_json::to_value(Quirks::empty()).unwrap(), serde_json::json!([]));
    }
}
