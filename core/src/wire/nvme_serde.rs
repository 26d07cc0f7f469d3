//! The serde form of the NVMe data (`wire::nvme`): one form for every output that shows it,
//! the report's `smart.nvme` (registry and `attach --json`) and `decode nvme-identify-ctrl` /
//! `nvme-smart-log`. Written by hand, not derived, to add what a reader needs next to the
//! raw fields: identifiers in hex as `smartctl` prints them, the version as text, the data
//! units in bytes, the critical warning bits by name, only the implemented temperature
//! sensors, and the log's verdict.
//!
//! A 128-bit counter is a number up to 2^64 - 1 and its decimal string beyond
//! (`serde_u128`), so no digit is lost by JSON readers or the property writer.

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

use super::nvme::{
    serde_u128, CriticalWarning, IdentifyController, NvmeVersion, SmartHealthLog, Temperature,
};

/// The set bits' names, for [`CriticalWarning`]'s form.
pub(super) struct Names(pub CriticalWarning);

impl Serialize for Names {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.names())
    }
}

/// `"1.4"`, `"2.0.1"`.
impl Serialize for NvmeVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// An optional 128-bit counter ([`serde_u128`]).
struct Count(Option<u128>);

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_u128(&self.0, serializer)
    }
}

/// A 16-bit identifier as `"0x1b36"`; a 24-bit OUI as `"525400"` (smartctl's forms).
struct Hex {
    value: Option<u32>,
    oui: bool,
}

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self.value, self.oui) {
            (None, _) => serializer.serialize_none(),
            (Some(v), true) => serializer.collect_str(&format_args!("{v:06x}")),
            (Some(v), false) => serializer.collect_str(&format_args!("{v:#06x}")),
        }
    }
}

/// Identify Controller (NVMe Base 2.0a Figure 275): `{model_number, serial_number,
/// firmware_revision, vid, ssvid, ieee_oui, controller_id, version, number_of_namespaces,
/// wctemp, cctemp, mdts, cmic, oacs, firmware_slots, lpa, error_log_entries, npss, tnvmcap,
/// unvmcap}`.
impl Serialize for IdentifyController {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let id = |v: Option<u16>| Hex { value: v.map(u32::from), oui: false };
        let mut s = serializer.serialize_struct("IdentifyController", 20)?;
        s.serialize_field("model_number", &self.model_number)?;
        s.serialize_field("serial_number", &self.serial_number)?;
        s.serialize_field("firmware_revision", &self.firmware_revision)?;
        s.serialize_field("vid", &id(self.vid))?;
        s.serialize_field("ssvid", &id(self.ssvid))?;
        s.serialize_field("ieee_oui", &Hex { value: self.ieee_oui, oui: true })?;
        s.serialize_field("controller_id", &self.cntlid)?;
        s.serialize_field("version", &self.version)?;
        s.serialize_field("number_of_namespaces", &self.nn)?;
        s.serialize_field("wctemp", &self.wctemp)?;
        s.serialize_field("cctemp", &self.cctemp)?;
        s.serialize_field("mdts", &self.mdts)?;
        s.serialize_field("cmic", &self.cmic)?;
        s.serialize_field("oacs", &self.oacs)?;
        s.serialize_field("firmware_slots", &self.firmware_slots())?;
        s.serialize_field("lpa", &self.lpa)?;
        s.serialize_field("error_log_entries", &self.error_log_entries())?;
        s.serialize_field("npss", &self.npss)?;
        s.serialize_field("tnvmcap", &Count(self.tnvmcap))?;
        s.serialize_field("unvmcap", &Count(self.unvmcap))?;
        s.end()
    }
}

/// The implemented sensors, `[{sensor, kelvin, celsius}]`.
struct Sensors<'a>(&'a SmartHealthLog);

impl Serialize for Sensors<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for (sensor, t) in self.0.sensors() {
            seq.serialize_element(&Sensor { sensor, t })?;
        }
        seq.end()
    }
}

struct Sensor {
    sensor: u8,
    t: Temperature,
}

impl Serialize for Sensor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Sensor", 3)?;
        s.serialize_field("sensor", &self.sensor)?;
        s.serialize_field("kelvin", &self.t.kelvin())?;
        s.serialize_field("celsius", &self.t.celsius())?;
        s.end()
    }
}

/// SMART / Health (Figure 207): `{critical_warning {value, set}, composite_temperature,
/// available_spare, available_spare_threshold, percentage_used,
/// endurance_group_critical_warning_summary, data_units_read, bytes_read,
/// data_units_written, bytes_written, host_read_commands, host_write_commands,
/// controller_busy_time_minutes, power_cycles, power_on_hours, unsafe_shutdowns,
/// media_errors, error_log_entries, warning_temperature_minutes,
/// critical_temperature_minutes, temperature_sensors, thermal_1_transitions,
/// thermal_2_transitions, thermal_1_seconds, thermal_2_seconds, health}`; `health` is the
/// verdict without an earlier reading (`wire::nvme::health`).
impl Serialize for SmartHealthLog {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("SmartHealthLog", 26)?;
        s.serialize_field("critical_warning", &self.critical_warning)?;
        s.serialize_field("composite_temperature", &self.composite_temperature)?;
        s.serialize_field("available_spare", &self.available_spare)?;
        s.serialize_field("available_spare_threshold", &self.available_spare_threshold)?;
        s.serialize_field("percentage_used", &self.percentage_used)?;
        s.serialize_field(
            "endurance_group_critical_warning_summary",
            &self.endurance_group_critical_warning_summary,
        )?;
        s.serialize_field("data_units_read", &Count(self.data_units_read))?;
        s.serialize_field("bytes_read", &Count(self.bytes_read()))?;
        s.serialize_field("data_units_written", &Count(self.data_units_written))?;
        s.serialize_field("bytes_written", &Count(self.bytes_written()))?;
        let counters = [
            ("host_read_commands", self.host_read_commands),
            ("host_write_commands", self.host_write_commands),
            ("controller_busy_time_minutes", self.controller_busy_time),
            ("power_cycles", self.power_cycles),
            ("power_on_hours", self.power_on_hours),
            ("unsafe_shutdowns", self.unsafe_shutdowns),
            ("media_errors", self.media_errors),
            ("error_log_entries", self.error_log_entries),
        ];
        for (key, value) in counters {
            s.serialize_field(key, &Count(value))?;
        }
        s.serialize_field("warning_temperature_minutes", &self.warning_temperature_time)?;
        s.serialize_field("critical_temperature_minutes", &self.critical_temperature_time)?;
        s.serialize_field("temperature_sensors", &Sensors(self))?;
        s.serialize_field("thermal_1_transitions", &self.thermal_1_transitions)?;
        s.serialize_field("thermal_2_transitions", &self.thermal_2_transitions)?;
        s.serialize_field("thermal_1_seconds", &self.thermal_1_seconds)?;
        s.serialize_field("thermal_2_seconds", &self.thermal_2_seconds)?;
        s.serialize_field("health", &self.health(None))?;
        s.end()
    }
}
