//! What the SMART phase learned, as the report keeps it: fixed-size, no heap, copied out with
//! the rest of the [`Report`](super::Report), published as the report's `smart` key (and by
//! the dext as the `SBC SMART` registry property).

use super::report::FixedText;
use crate::wire::nvme::{IdentifyController, NvmeHealth, SmartHealthLog, SMART_HEALTH_LOG_LEN};
use crate::wire::smart::{
    Health, ReturnStatus, SmartData, SmartQuirks, SmartSummary, SmartThresholds,
};

/// Why SMART data could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmartUnavailable {
    /// The bridge rejects ATA PASS-THROUGH (both forms), or aborts IDENTIFY DEVICE.
    PassThroughRejected,
    /// The `no-ata-pass-through` quirk forbids trying.
    Quirk,
    /// IDENTIFY DEVICE says the drive has no SMART feature set.
    NotSupported,
    /// The SMART feature set is disabled (SMART ENABLE OPERATIONS is not sent during
    /// characterization: it changes the drive's configuration).
    Disabled,
    /// IDENTIFY DEVICE came back unusable.
    IdentifyUnusable,
    /// The NVMe bridge rejects its tunnel (the first command of it failed): the quirk names
    /// a bridge this device is not, or its firmware has no tunnel.
    TunnelRejected,
    /// JMicron: the response block of the exchange does not start with "NVME".
    TunnelNoSignature,
    /// The NVMe controller completed the tunnelled command with an error status.
    NvmeStatus,
    /// Identify Controller came back empty (no model and no serial number): the bridge
    /// answered without asking the drive.
    NvmeIdentifyUnusable,
    /// The SMART / Health log could not be read (rejected, or came back empty).
    HealthLogUnreadable,
    /// More than one NVMe bridge quirk is set: which tunnel to use is not guessed.
    ConflictingQuirks,
}

impl SmartUnavailable {
    /// One line for people.
    pub fn message(self) -> &'static str {
        match self {
            SmartUnavailable::PassThroughRejected => {
                "the bridge does not pass ATA commands through"
            }
            SmartUnavailable::Quirk => "ATA pass-through is disabled by a quirk",
            SmartUnavailable::NotSupported => "the drive has no SMART feature set",
            SmartUnavailable::Disabled => "SMART is disabled on the drive",
            SmartUnavailable::IdentifyUnusable => "IDENTIFY DEVICE data is unusable",
            SmartUnavailable::TunnelRejected => "the bridge rejects the NVMe tunnel",
            SmartUnavailable::TunnelNoSignature => {
                "the bridge's NVMe response has no \"NVME\" signature"
            }
            SmartUnavailable::NvmeStatus => "the NVMe controller returned an error status",
            SmartUnavailable::NvmeIdentifyUnusable => {
                "Identify Controller came back empty (no model, no serial number)"
            }
            SmartUnavailable::HealthLogUnreadable => "the SMART / Health log could not be read",
            SmartUnavailable::ConflictingQuirks => {
                "more than one NVMe bridge quirk is set (nvme-jmicron, nvme-asmedia, nvme-realtek)"
            }
        }
    }
}

/// How the drive's health is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SmartTransport {
    /// ATA commands through SAT ATA PASS-THROUGH (an ATA drive).
    #[default]
    Sat,
    /// NVMe admin commands through JMicron's A1h exchange.
    NvmeJmicron,
    /// NVMe admin commands through ASMedia's E6h.
    NvmeAsmedia,
    /// NVMe admin commands through Realtek's E4h.
    NvmeRealtek,
}

impl SmartTransport {
    /// The report's name: `sat`, `nvme-jmicron`, `nvme-asmedia`, `nvme-realtek` (the NVMe
    /// ones are also the quirk names that select them).
    pub fn name(self) -> &'static str {
        match self {
            SmartTransport::Sat => "sat",
            SmartTransport::NvmeJmicron => "nvme-jmicron",
            SmartTransport::NvmeAsmedia => "nvme-asmedia",
            SmartTransport::NvmeRealtek => "nvme-realtek",
        }
    }
}

/// Bytes of Identify Controller the report keeps: through NN (bytes 516..=519), the last
/// field [`IdentifyController`] decodes.
pub const IDENTIFY_KEPT: usize = 520;

/// What an NVMe drive behind a bridge told: its Identify Controller data and its SMART /
/// Health log, as the bytes it sent (decoded when read: the wire types hold 128-bit
/// counters, whose alignment the C ABI's caller storage does not promise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NvmeReport {
    identify: Captured<IDENTIFY_KEPT>,
    health_log: Captured<SMART_HEALTH_LOG_LEN>,
    /// The NVMe status field of a failed tunnelled command (JMicron's response), as sent.
    pub status: Option<u16>,
}

/// Up to `N` bytes as received; `length` 0 means none were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Captured<const N: usize> {
    bytes: [u8; N],
    length: u16,
}

impl<const N: usize> Captured<N> {
    const NONE: Self = Captured { bytes: [0; N], length: 0 };

    /// Keeps the first `N` bytes of `data` (a non-empty `data`).
    fn of(data: &[u8]) -> Self {
        let mut c = Self::NONE;
        let n = data.len().min(N);
        if let (Some(to), Some(from)) = (c.bytes.get_mut(..n), data.get(..n)) {
            to.copy_from_slice(from);
        }
        c.length = u16::try_from(n).unwrap_or(0);
        c
    }

    fn get(&self) -> Option<&[u8]> {
        self.bytes.get(..usize::from(self.length)).filter(|b| !b.is_empty())
    }
}

impl Default for NvmeReport {
    fn default() -> Self {
        NvmeReport { identify: Captured::NONE, health_log: Captured::NONE, status: None }
    }
}

impl NvmeReport {
    /// Identify Controller (NVMe Base 2.0a Figure 275), once read.
    pub fn identify(&self) -> Option<IdentifyController> {
        self.identify.get().map(|d| IdentifyController::parse(d).value)
    }

    /// The SMART / Health log (Figure 207), once read.
    pub fn health_log(&self) -> Option<SmartHealthLog> {
        self.health_log.get().and_then(|d| SmartHealthLog::parse(d).ok()).map(|d| d.value)
    }

    /// Keeps Identify Controller's bytes (the first `IDENTIFY_KEPT`, 520); empty `data`
    /// forgets them.
    pub fn set_identify(&mut self, data: &[u8]) {
        self.identify = Captured::of(data);
    }

    /// Keeps the SMART / Health log's bytes; empty `data` forgets them.
    pub fn set_health_log(&mut self, data: &[u8]) {
        self.health_log = Captured::of(data);
    }

    /// Identify's length when it came back shorter than the bytes the report keeps
    /// (`IDENTIFY_KEPT`, 520): some fields are absent.
    pub fn identify_short(&self) -> Option<usize> {
        let got = usize::from(self.identify.length);
        (got > 0 && got < IDENTIFY_KEPT).then_some(got)
    }

    /// The SMART / Health log's length when it came back shorter than 512 bytes.
    pub fn health_log_short(&self) -> Option<usize> {
        let got = usize::from(self.health_log.length);
        (got > 0 && got < SMART_HEALTH_LOG_LEN).then_some(got)
    }

    /// The log's verdict (`wire::nvme::health`); no earlier reading is kept, so a growth of
    /// media errors is not seen.
    pub fn health(&self) -> Option<NvmeHealth> {
        self.health_log().map(|log| log.health(None))
    }
}

/// Which ATA PASS-THROUGH command the bridge answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PassThrough {
    /// ATA PASS-THROUGH(16) (85h).
    Sixteen,
    /// ATA PASS-THROUGH(12) (A1h): the bridge rejected (16) as an invalid opcode.
    Twelve,
}

/// The SMART phase's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmartReport {
    /// How the health is read.
    pub transport: SmartTransport,
    /// `None`: SMART was read; else why not.
    pub unavailable: Option<SmartUnavailable>,
    /// The pass-through form that worked, once one did.
    pub pass_through: Option<PassThrough>,
    /// ATA model number (IDENTIFY words 27..46), or NVMe MN.
    pub model: FixedText<40>,
    /// ATA serial number (words 10..19), or NVMe SN.
    pub serial: FixedText<20>,
    /// ATA firmware revision (words 23..26), or NVMe FR.
    pub firmware: FixedText<8>,
    /// SMART RETURN STATUS, when the bridge returned the registers.
    pub status: Option<ReturnStatus>,
    /// SMART READ DATA.
    pub data: Option<SmartData>,
    /// SMART READ THRESHOLDS.
    pub thresholds: Option<SmartThresholds>,
    /// Drive-specific interpretations (libatasmart's quirk table).
    pub quirks: SmartQuirks,
    /// The NVMe drive's data, for an NVMe transport.
    pub nvme: Option<NvmeReport>,
}

impl Default for SmartReport {
    fn default() -> Self {
        SmartReport {
            transport: SmartTransport::Sat,
            unavailable: None,
            pass_through: None,
            model: FixedText::EMPTY,
            serial: FixedText::EMPTY,
            firmware: FixedText::EMPTY,
            status: None,
            data: None,
            thresholds: None,
            quirks: SmartQuirks::empty(),
            nvme: None,
        }
    }
}

impl SmartReport {
    /// Whether SMART data (the NVMe SMART / Health log) was read.
    pub fn available(&self) -> bool {
        let read = match &self.nvme {
            Some(nvme) => nvme.health_log().is_some(),
            None => self.data.is_some(),
        };
        self.unavailable.is_none() && read
    }

    /// The health verdict (`wire::smart::health`).
    pub fn health(&self) -> Health {
        crate::wire::smart::health(self.status, self.data.as_ref(), self.thresholds.as_ref())
    }

    /// The usual interpretations (temperature, power-on time, bad sectors...).
    pub fn summary(&self) -> SmartSummary {
        self.data.map(|d| d.summary(self.quirks)).unwrap_or_default()
    }
}

#[cfg(feature = "serde")]
mod serialize {
    //! `smart`: {transport, available, unavailable, pass_through, health, health_detail,
    //! model, serial, firmware, temperature_c, power_on_hours, power_cycles,
    //! reallocated_sectors, pending_sectors, offline_uncorrectable, attributes [{id, name,
    //! value, worst, threshold, raw, prefailure}], nvme, warnings}. One schema for both
    //! transports: an NVMe drive has no attributes and no sector counts (null), a SAT drive
    //! no `nvme` section (null).

    use serde::ser::{Serialize, SerializeStruct, Serializer};

    use super::{NvmeReport, PassThrough, SmartReport, SmartTransport};
    use crate::wire::nvme::{NvmeHealth, SMART_HEALTH_LOG_LEN};
    use crate::wire::smart::{Attribute, Health};

    struct Attributes<'a>(&'a SmartReport);
    struct Entry<'a>(&'a SmartReport, &'a Attribute);

    impl Serialize for Entry<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let (r, a) = (self.0, self.1);
            let mut s = serializer.serialize_struct("Attribute", 7)?;
            s.serialize_field("id", &a.id)?;
            s.serialize_field("name", &a.name(r.quirks))?;
            s.serialize_field("value", &a.current)?;
            s.serialize_field("worst", &a.worst)?;
            s.serialize_field("threshold", &r.thresholds.and_then(|t| t.threshold_for(a.id)))?;
            s.serialize_field("raw", &a.raw)?;
            s.serialize_field("prefailure", &a.pre_failure())?;
            s.end()
        }
    }

    impl Serialize for Attributes<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let r = self.0;
            serializer.collect_seq(r.data.iter().flat_map(|d| d.iter()).map(|a| Entry(r, a)))
        }
    }

    /// The warnings the SMART data carries: bad checksums, a status the bridge did not
    /// return.
    struct Warnings<'a>(&'a SmartReport);

    /// One warning: fixed text, or a cut NVMe structure with its length.
    enum Warning {
        Text(&'static str),
        Short { what: &'static str, got: usize, whole: usize },
    }

    impl Serialize for Warning {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match *self {
                Warning::Text(text) => serializer.serialize_str(text),
                Warning::Short { what, got, whole } => serializer.collect_str(&format_args!(
                    "{what} came back short: {got} of {whole} bytes (the fields past it are absent)"
                )),
            }
        }
    }

    impl Serialize for Warnings<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let r = self.0;
            let data_bad = r.data.is_some_and(|d| d.checksum_valid == Some(false));
            let thresholds_bad = r.thresholds.is_some_and(|t| t.checksum_valid == Some(false));
            let no_status = r.nvme.is_none() && r.available() && r.status.is_none();
            let text = [
                (data_bad, "SMART READ DATA checksum is wrong (the data is shown anyway)"),
                (thresholds_bad, "SMART READ THRESHOLDS checksum is wrong (shown anyway)"),
                (no_status, "the bridge returned no SMART RETURN STATUS registers"),
            ];
            let text = text.into_iter().filter(|(on, _)| *on).map(|(_, t)| Warning::Text(t));
            // An NVMe structure the bridge cut short (Identify only up to the last field
            // the report keeps).
            let nvme = r.nvme.as_ref();
            let short = [
                nvme.and_then(|n| n.identify_short()).map(|got| Warning::Short {
                    what: "Identify Controller",
                    got,
                    whole: super::IDENTIFY_KEPT,
                }),
                nvme.and_then(|n| n.health_log_short()).map(|got| Warning::Short {
                    what: "the SMART / Health log",
                    got,
                    whole: SMART_HEALTH_LOG_LEN,
                }),
            ];
            serializer.collect_seq(text.chain(short.into_iter().flatten()))
        }
    }

    impl Serialize for SmartReport {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut s = serializer.serialize_struct("Smart", 18)?;
            s.serialize_field("transport", self.transport.name())?;
            s.serialize_field("available", &self.available())?;
            s.serialize_field("unavailable", &self.unavailable.map(|u| u.message()))?;
            match &self.nvme {
                Some(nvme) => nvme_fields(self, nvme, &mut s)?,
                None => ata_fields(self, &mut s)?,
            }
            s.serialize_field("warnings", &Warnings(self))?;
            s.end()
        }
    }

    /// The SAT fields: the pass-through form, the verdict of RETURN STATUS and the
    /// attributes, the attribute-derived summary.
    fn ata_fields<S: SerializeStruct>(r: &SmartReport, s: &mut S) -> Result<(), S::Error> {
        let summary = r.summary();
        let health = match r.health() {
            Health::Passed => "passed",
            Health::Failing { .. } => "failing",
            Health::Unknown => "unknown",
        };
        let form = r.pass_through.map(|p| match p {
            PassThrough::Sixteen => "ATA PASS-THROUGH(16)",
            PassThrough::Twelve => "ATA PASS-THROUGH(12)",
        });
        s.serialize_field("pass_through", &form)?;
        s.serialize_field("health", health)?;
        s.serialize_field("health_detail", &format_args!("{}", r.health()))?;
        s.serialize_field("model", &r.model)?;
        s.serialize_field("serial", &r.serial)?;
        s.serialize_field("firmware", &r.firmware)?;
        s.serialize_field("temperature_c", &summary.temperature_decicelsius.map(|t| t / 10))?;
        s.serialize_field("power_on_hours", &summary.power_on_hours())?;
        s.serialize_field("power_cycles", &summary.power_cycles)?;
        s.serialize_field("reallocated_sectors", &summary.reallocated_sectors)?;
        s.serialize_field("pending_sectors", &summary.pending_sectors)?;
        s.serialize_field("offline_uncorrectable", &summary.offline_uncorrectable)?;
        s.serialize_field("attributes", &Attributes(r))?;
        s.serialize_field("nvme", &None::<()>)
    }

    /// The same keys for an NVMe drive (ATA-only ones null or empty), then the `nvme`
    /// section: Identify Controller and the SMART / Health log as the wire types serialize,
    /// the data units in bytes, the verdict.
    fn nvme_fields<S: SerializeStruct>(
        r: &SmartReport,
        nvme: &NvmeReport,
        s: &mut S,
    ) -> Result<(), S::Error> {
        let log = nvme.health_log();
        let log = log.as_ref();
        let verdict = nvme.health();
        let health = match verdict {
            Some(NvmeHealth::Passed) => "passed",
            Some(NvmeHealth::Warning { .. }) => "warning",
            Some(NvmeHealth::Failing { .. }) => "failing",
            Some(NvmeHealth::Unknown) | None => "unknown",
        };
        let tunnel = nvme.identify().map(|_| match r.transport {
            SmartTransport::NvmeJmicron => "JMicron A1h exchange",
            SmartTransport::NvmeAsmedia => "ASMedia E6h",
            SmartTransport::NvmeRealtek => "Realtek E4h",
            SmartTransport::Sat => "ATA PASS-THROUGH",
        });
        let counter = |v: Option<u128>| v.and_then(|v| u64::try_from(v).ok());
        s.serialize_field("pass_through", &tunnel)?;
        s.serialize_field("health", health)?;
        match verdict {
            Some(v) => s.serialize_field("health_detail", &format_args!("{v}"))?,
            None => s.serialize_field("health_detail", "unknown")?,
        }
        s.serialize_field("model", &r.model)?;
        s.serialize_field("serial", &r.serial)?;
        s.serialize_field("firmware", &r.firmware)?;
        let celsius = log.and_then(|l| l.composite_temperature).and_then(|t| t.celsius());
        s.serialize_field("temperature_c", &celsius)?;
        s.serialize_field("power_on_hours", &counter(log.and_then(|l| l.power_on_hours)))?;
        s.serialize_field("power_cycles", &counter(log.and_then(|l| l.power_cycles)))?;
        s.serialize_field("reallocated_sectors", &None::<u64>)?;
        s.serialize_field("pending_sectors", &None::<u64>)?;
        s.serialize_field("offline_uncorrectable", &None::<u64>)?;
        s.serialize_field("attributes", &[(); 0])?;
        s.serialize_field("nvme", &Nvme(nvme))
    }

    /// `nvme`: {identify_controller, smart_health_log, status}, the wire types' serde form
    /// (`wire::nvme_serde`; the log's carries its bytes and its verdict).
    struct Nvme<'a>(&'a NvmeReport);

    impl Serialize for Nvme<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let n = self.0;
            let mut s = serializer.serialize_struct("Nvme", 3)?;
            s.serialize_field("identify_controller", &n.identify())?;
            s.serialize_field("smart_health_log", &n.health_log())?;
            s.serialize_field("status", &n.status)?;
            s.end()
        }
    }
}
