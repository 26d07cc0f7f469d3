//! What the SMART phase learned, as the report keeps it: fixed-size, no heap, copied out with
//! the rest of the [`Report`](super::Report), published as the report's `smart` key (and by
//! the dext as the `SBC SMART` registry property).

use super::report::FixedText;
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
        }
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
    /// `None`: SMART was read; else why not.
    pub unavailable: Option<SmartUnavailable>,
    /// The pass-through form that worked, once one did.
    pub pass_through: Option<PassThrough>,
    /// ATA model number (IDENTIFY words 27..46).
    pub model: FixedText<40>,
    /// ATA serial number (words 10..19).
    pub serial: FixedText<20>,
    /// ATA firmware revision (words 23..26).
    pub firmware: FixedText<8>,
    /// SMART RETURN STATUS, when the bridge returned the registers.
    pub status: Option<ReturnStatus>,
    /// SMART READ DATA.
    pub data: Option<SmartData>,
    /// SMART READ THRESHOLDS.
    pub thresholds: Option<SmartThresholds>,
    /// Drive-specific interpretations (libatasmart's quirk table).
    pub quirks: SmartQuirks,
}

impl Default for SmartReport {
    fn default() -> Self {
        SmartReport {
            unavailable: None,
            pass_through: None,
            model: FixedText::EMPTY,
            serial: FixedText::EMPTY,
            firmware: FixedText::EMPTY,
            status: None,
            data: None,
            thresholds: None,
            quirks: SmartQuirks::empty(),
        }
    }
}

impl SmartReport {
    /// Whether SMART data was read.
    pub fn available(&self) -> bool {
        self.unavailable.is_none() && self.data.is_some()
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
    //! `smart`: {available, unavailable, pass_through, health, model, serial, firmware,
    //! temperature_c, power_on_hours, power_cycles, reallocated_sectors, pending_sectors,
    //! offline_uncorrectable, attributes [{id, name, value, worst, threshold, raw,
    //! prefailure}], warnings}.

    use serde::ser::{Serialize, SerializeStruct, Serializer};

    use super::{PassThrough, SmartReport};
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

    impl Serialize for Warnings<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let r = self.0;
            let data_bad = r.data.is_some_and(|d| d.checksum_valid == Some(false));
            let thresholds_bad = r.thresholds.is_some_and(|t| t.checksum_valid == Some(false));
            let no_status = r.available() && r.status.is_none();
            let list = [
                (data_bad, "SMART READ DATA checksum is wrong (the data is shown anyway)"),
                (thresholds_bad, "SMART READ THRESHOLDS checksum is wrong (shown anyway)"),
                (no_status, "the bridge returned no SMART RETURN STATUS registers"),
            ];
            serializer.collect_seq(list.iter().filter(|(on, _)| *on).map(|(_, text)| *text))
        }
    }

    impl Serialize for SmartReport {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let summary = self.summary();
            let health = match self.health() {
                Health::Passed => "passed",
                Health::Failing { .. } => "failing",
                Health::Unknown => "unknown",
            };
            let mut s = serializer.serialize_struct("Smart", 16)?;
            s.serialize_field("available", &self.available())?;
            s.serialize_field("unavailable", &self.unavailable.map(|u| u.message()))?;
            let form = self.pass_through.map(|p| match p {
                PassThrough::Sixteen => "ATA PASS-THROUGH(16)",
                PassThrough::Twelve => "ATA PASS-THROUGH(12)",
            });
            s.serialize_field("pass_through", &form)?;
            s.serialize_field("health", health)?;
            s.serialize_field("health_detail", &format_args!("{}", self.health()))?;
            s.serialize_field("model", &self.model)?;
            s.serialize_field("serial", &self.serial)?;
            s.serialize_field("firmware", &self.firmware)?;
            s.serialize_field("temperature_c", &summary.temperature_decicelsius.map(|t| t / 10))?;
            s.serialize_field("power_on_hours", &summary.power_on_hours())?;
            s.serialize_field("power_cycles", &summary.power_cycles)?;
            s.serialize_field("reallocated_sectors", &summary.reallocated_sectors)?;
            s.serialize_field("pending_sectors", &summary.pending_sectors)?;
            s.serialize_field("offline_uncorrectable", &summary.offline_uncorrectable)?;
            s.serialize_field("attributes", &Attributes(self))?;
            s.serialize_field("warnings", &Warnings(self))?;
            s.end()
        }
    }
}
