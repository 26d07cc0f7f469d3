//! Renderers for ATA data carried through ATA PASS-THROUGH: IDENTIFY DEVICE, SMART READ
//! DATA and SMART READ THRESHOLDS (each one 512-byte sector).

use serde_json::{json, Map, Value};

use sbc_core::wire::ata_identify::IdentifyDevice;
use sbc_core::wire::smart::{Attribute, SmartData, SmartQuirks, SmartThresholds};
use sbc_core::wire::vpd::MediumRotationRate;

use super::named;

/// IDENTIFY DEVICE: the facts of `IdentifyDevice::identity`.
pub(super) fn identify(id: &IdentifyDevice<'_>) -> Value {
    let i = id.identity();
    let text = |s: Option<String>| json!(s);
    json!({
        "model_number": text(i.model_number.map(|s| s.to_string())),
        "serial_number": text(i.serial_number.map(|s| s.to_string())),
        "firmware_revision": text(i.firmware_revision.map(|s| s.to_string())),
        "user_addressable_sectors": i.user_addressable_sectors,
        "lba48_supported": i.lba48_supported,
        "logical_sector_size": i.logical_sector_size,
        "physical_sector_size": i.physical_sector_size,
        "nominal_media_rotation_rate": match i.nominal_media_rotation_rate {
            Some(MediumRotationRate::NonRotating) => json!("non-rotating"),
            Some(MediumRotationRate::Rpm(v)) => json!(v),
            _ => Value::Null,
        },
        "nominal_form_factor":
            i.nominal_form_factor.map_or(Value::Null, |f| named(f.0, f.name())),
        "smart_supported": i.smart_supported,
        "smart_enabled": i.smart_enabled,
        "smart_self_test_supported": i.smart_self_test_supported,
        "trim_supported": i.trim_supported,
        "major_version": i.major_version,
        "checksum": i.checksum.map(|c| format!("{c:?}")),
    })
}

fn attribute(a: &Attribute) -> Value {
    json!({
        "id": a.id,
        "name": a.name(SmartQuirks::empty()),
        "flags": a.flags,
        "pre_failure": a.pre_failure(),
        "online": a.online(),
        "current": a.current,
        "worst": a.worst,
        "raw": a.raw,
    })
}

/// SMART READ DATA: the attribute table, the status bytes and the usual interpretations
/// (without drive quirks: the data does not say which drive it came from).
pub(super) fn smart_data(d: &SmartData) -> Value {
    let attributes: Vec<Value> = d.iter().map(attribute).collect();
    let s = d.summary(SmartQuirks::empty());
    let mut m = Map::new();
    m.insert("revision".into(), json!(d.revision));
    m.insert("attributes".into(), Value::Array(attributes));
    for (key, v) in [
        ("offline_data_collection_status", d.offline_data_collection_status),
        ("self_test_execution_status", d.self_test_execution_status),
        ("offline_capability", d.offline_capability),
        ("short_self_test_minutes", d.short_self_test_minutes),
        ("conveyance_self_test_minutes", d.conveyance_self_test_minutes),
    ] {
        m.insert(key.into(), json!(v));
    }
    m.insert("offline_collection_seconds".into(), json!(d.offline_collection_seconds));
    m.insert("smart_capability".into(), json!(d.smart_capability));
    m.insert("extended_self_test_minutes".into(), json!(d.extended_self_test_minutes));
    m.insert("checksum_valid".into(), json!(d.checksum_valid));
    m.insert(
        "summary".into(),
        json!({
            "temperature_celsius": s.temperature_decicelsius.map(|t| f64::from(t) / 10.0),
            "power_on_hours": s.power_on_hours(),
            "power_cycles": s.power_cycles,
            "reallocated_sectors": s.reallocated_sectors,
            "pending_sectors": s.pending_sectors,
            "offline_uncorrectable": s.offline_uncorrectable,
            "bad_sectors": s.bad_sectors(),
        }),
    );
    Value::Object(m)
}

/// SMART READ THRESHOLDS: the `(id, threshold)` entries.
pub(super) fn smart_thresholds(t: &SmartThresholds) -> Value {
    let list: Vec<Value> = t
        .thresholds
        .iter()
        .flatten()
        .map(|x| json!({ "id": x.id, "threshold": x.threshold }))
        .collect();
    json!({ "revision": t.revision, "thresholds": list, "checksum_valid": t.checksum_valid })
}
