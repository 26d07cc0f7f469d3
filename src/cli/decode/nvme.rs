//! Renderers for NVMe admin data read through a USB bridge: the Identify Controller data
//! structure (4096 bytes) and the SMART / Health Information log page (512 bytes).

use serde_json::{json, Map, Value};

use sbc_core::wire::nvme::{health, IdentifyController, SmartHealthLog, Temperature};

/// A 128-bit count: a JSON number up to 2^64 - 1, its decimal string beyond (as the core's
/// serde form does), so no digit is lost.
fn u128_value(v: Option<u128>) -> Value {
    match v {
        None => Value::Null,
        Some(v) => u64::try_from(v).map_or_else(|_| Value::String(v.to_string()), Value::from),
    }
}

/// `{"kelvin", "celsius"}`; `celsius` null for 0 K (not reported).
fn temperature(t: Option<Temperature>) -> Value {
    t.map_or(Value::Null, |t| json!({ "kelvin": t.kelvin(), "celsius": t.celsius() }))
}

fn text(s: Option<impl std::fmt::Display>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_string()))
}

/// Identify Controller (NVMe Base 2.0a Figure 275): identity, version, limits, thresholds.
pub(super) fn identify_controller(c: &IdentifyController) -> Value {
    json!({
        "model_number": text(c.model_number),
        "serial_number": text(c.serial_number),
        "firmware_revision": text(c.firmware_revision),
        "vid": c.vid.map(|v| format!("{v:#06x}")),
        "ssvid": c.ssvid.map(|v| format!("{v:#06x}")),
        "ieee_oui": c.ieee_oui.map(|v| format!("{v:06x}")),
        "controller_id": c.cntlid,
        "version": text(c.version),
        "number_of_namespaces": c.nn,
        "wctemp": temperature(c.wctemp),
        "cctemp": temperature(c.cctemp),
        "mdts": c.mdts,
        "cmic": c.cmic,
        "oacs": c.oacs,
        "firmware_slots": c.firmware_slots(),
        "lpa": c.lpa,
        "error_log_entries": c.error_log_entries(),
        "npss": c.npss,
        "tnvmcap": u128_value(c.tnvmcap),
        "unvmcap": u128_value(c.unvmcap),
    })
}

/// SMART / Health Information (NVMe Base 2.0a Figure 207) with the counters, data units in
/// bytes as well, the temperatures in kelvins and °C, and the verdict (without an earlier
/// reading, so a growth of media errors cannot be seen).
pub(super) fn smart_log(s: &SmartHealthLog) -> Value {
    let warning = s.critical_warning;
    let mut m = Map::new();
    m.insert(
        "critical_warning".into(),
        json!({
            "value": warning.bits(),
            "set": warning.names().collect::<Vec<_>>(),
        }),
    );
    m.insert("composite_temperature".into(), temperature(s.composite_temperature));
    m.insert("available_spare".into(), json!(s.available_spare));
    m.insert("available_spare_threshold".into(), json!(s.available_spare_threshold));
    m.insert("percentage_used".into(), json!(s.percentage_used));
    m.insert(
        "endurance_group_critical_warning_summary".into(),
        json!(s.endurance_group_critical_warning_summary),
    );
    m.insert("data_units_read".into(), u128_value(s.data_units_read));
    m.insert("bytes_read".into(), u128_value(s.bytes_read()));
    m.insert("data_units_written".into(), u128_value(s.data_units_written));
    m.insert("bytes_written".into(), u128_value(s.bytes_written()));
    for (key, v) in [
        ("host_read_commands", s.host_read_commands),
        ("host_write_commands", s.host_write_commands),
        ("controller_busy_time_minutes", s.controller_busy_time),
        ("power_cycles", s.power_cycles),
        ("power_on_hours", s.power_on_hours),
        ("unsafe_shutdowns", s.unsafe_shutdowns),
        ("media_errors", s.media_errors),
        ("error_log_entries", s.error_log_entries),
    ] {
        m.insert(key.into(), u128_value(v));
    }
    m.insert("warning_temperature_minutes".into(), json!(s.warning_temperature_time));
    m.insert("critical_temperature_minutes".into(), json!(s.critical_temperature_time));
    let sensors: Vec<Value> = s
        .sensors()
        .map(|(n, t)| json!({ "sensor": n, "kelvin": t.kelvin(), "celsius": t.celsius() }))
        .collect();
    m.insert("temperature_sensors".into(), Value::Array(sensors));
    m.insert("thermal_1_transitions".into(), json!(s.thermal_1_transitions));
    m.insert("thermal_2_transitions".into(), json!(s.thermal_2_transitions));
    m.insert("thermal_1_seconds".into(), json!(s.thermal_1_seconds));
    m.insert("thermal_2_seconds".into(), json!(s.thermal_2_seconds));
    m.insert("health".into(), Value::String(health(s, None).to_string()));
    Value::Object(m)
}

#[cfg(test)]
mod test {
    use super::super::{decode, render, Kind};

    fn smart() -> Vec<u8> {
        let mut d = vec![0u8; 512];
        d[0] = 0x04;
        d[1..3].copy_from_slice(&310u16.to_le_bytes());
        d[3] = 100;
        d[4] = 10;
        d[5] = 3;
        d[48..64].copy_from_slice(&((1u128 << 64) + 1).to_le_bytes());
        d[128] = 42;
        d[200..202].copy_from_slice(&300u16.to_le_bytes());
        d
    }

    #[test]
    fn test_smart_log_json() {
        let v = decode(Kind::NvmeSmartLog, &smart()).unwrap();
        assert_eq!(v["kind"], "nvme-smart-log");
        assert_eq!(v["length"]["truncated"], false);
        let d = &v["data"];
        assert_eq!(d["critical_warning"]["set"][0], "reliability-degraded");
        assert_eq!(d["composite_temperature"]["celsius"], 37);
        assert_eq!(d["data_units_written"], "18446744073709551617");
        assert_eq!(d["bytes_written"], "9444732965739290427904000");
        assert_eq!(d["power_on_hours"], 42);
        assert_eq!(d["temperature_sensors"][0]["celsius"], 27);
        assert_eq!(d["health"], "failing (critical warning 0x04: reliability-degraded)");
        let text = render(Kind::NvmeSmartLog, &smart(), false).unwrap();
        assert!(text.contains("power_on_hours: 42"), "{text}");
        let cut = decode(Kind::NvmeSmartLog, &smart()[..100]).unwrap();
        assert_eq!(cut["length"]["truncated"], true);
        assert!(cut["data"]["power_on_hours"].is_null());
        assert!(render(Kind::NvmeSmartLog, &[], false).is_err());
    }

    #[test]
    fn test_identify_controller_json() {
        let mut d = vec![0u8; 4096];
        d[24..30].copy_from_slice(b"WD SN7");
        d[73..76].copy_from_slice(&[0x44, 0x1b, 0x00]);
        d[80..84].copy_from_slice(&0x0001_0400u32.to_le_bytes());
        d[266..268].copy_from_slice(&353u16.to_le_bytes());
        d[516] = 1;
        let v = decode(Kind::NvmeIdentifyCtrl, &d).unwrap();
        assert_eq!(v["kind"], "nvme-identify-ctrl");
        let d = &v["data"];
        assert_eq!(d["model_number"], "WD SN7");
        assert_eq!(d["ieee_oui"], "001b44");
        assert_eq!(d["version"], "1.4");
        assert_eq!(d["wctemp"]["celsius"], 80);
        assert!(d["cctemp"]["celsius"].is_null(), "0 K: no threshold");
        assert_eq!(d["number_of_namespaces"], 1);
        assert!(decode(Kind::NvmeIdentifyCtrl, &[]).is_ok(), "no header: all absent");
    }
}
