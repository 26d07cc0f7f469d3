//! Renderers for NVMe admin data read through a USB bridge: the Identify Controller data
//! structure (4096 bytes) and the SMART / Health Information log page (512 bytes), both in
//! the core's serde form (`sbc_core::wire::nvme`), the one the attach report carries.

use serde_json::Value;

/// An NVMe structure of `sbc_core::wire::nvme` (Identify Controller, NVMe Base 2.0a Figure
/// 275; the SMART / Health log, Figure 207, with its bytes and its verdict, without an
/// earlier reading) in the core's serde form: the form the attach report's `smart.nvme`
/// carries.
pub(super) fn serde_form<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
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
        assert_eq!(d["health"]["failing"]["critical_warning"], 4);
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
