//! The NVMe decoders on hand-built structures laid out from the NVM Express Base
//! Specification, revision 2.0a: Figure 275 (Identify Controller), Figure 207 (SMART /
//! Health Information log page), Figure 206 (Error Information log entry), Figure 209
//! (Firmware Slot Information log). Offsets are written out in the builders below, one per
//! field, from those figures; smartmontools' `nvme_id_ctrl` and `nvme_smart_log` structs
//! (`nvmecmds.h`) agree on each. Every prefix decodes to a subset of the whole, random and
//! mutated input never panics, the serde form has the documented keys.

mod common;

use common::{every_prefix, Rng};
use sbc_core::wire::nvme::{
    data_units_to_bytes, health, CriticalWarning, IdentifyController, NvmeHealth, SmartHealthLog,
    Temperature, IDENTIFY_CONTROLLER_LEN, SMART_HEALTH_LOG_LEN,
};
use sbc_core::wire::Error;

fn put(d: &mut [u8], at: usize, bytes: &[u8]) {
    d[at..at + bytes.len()].copy_from_slice(bytes);
}

fn padded<const N: usize>(text: &str) -> [u8; N] {
    let mut out = [b' '; N];
    out[..text.len()].copy_from_slice(text.as_bytes());
    out
}

/// A controller like a 1 TB consumer drive, every field at its Figure 275 offset.
fn identify_controller() -> Vec<u8> {
    let mut d = vec![0u8; IDENTIFY_CONTROLLER_LEN];
    put(&mut d, 0, &0x144Du16.to_le_bytes()); // VID
    put(&mut d, 2, &0x144Du16.to_le_bytes()); // SSVID
    put(&mut d, 4, &padded::<20>("S4EWNX0R123456A")); // SN
    put(&mut d, 24, &padded::<40>("Samsung SSD 970 EVO Plus 1TB")); // MN
    put(&mut d, 64, b"2B2QEXM7"); // FR
    d[72] = 2; // RAB
    put(&mut d, 73, &[0x38, 0x25, 0x00]); // IEEE OUI 002538h, least significant byte first
    d[76] = 0; // CMIC
    d[77] = 9; // MDTS
    put(&mut d, 78, &4u16.to_le_bytes()); // CNTLID
    put(&mut d, 80, &0x0001_0300u32.to_le_bytes()); // VER 1.3
    put(&mut d, 256, &0x0017u16.to_le_bytes()); // OACS
    d[260] = 0x16; // FRMW: 3 slots, slot 1 writable
    d[261] = 0x03; // LPA
    d[262] = 63; // ELPE: 64 entries
    d[263] = 4; // NPSS
    put(&mut d, 266, &358u16.to_le_bytes()); // WCTEMP 85 C
    put(&mut d, 268, &358u16.to_le_bytes()); // CCTEMP 85 C
    put(&mut d, 280, &1_000_204_886_016u128.to_le_bytes()); // TNVMCAP
    put(&mut d, 516, &1u32.to_le_bytes()); // NN
                                           // Fields the decoder does not read, so that a wrong offset would show: SQES, CQES,
                                           // SUBNQN, a power state descriptor, the vendor area.
    d[512] = 0x66;
    d[513] = 0x44;
    put(&mut d, 768, b"nqn.2014.08.org.nvmexpress:144d144dS4EWNX0R123456A");
    d[2048..2080].fill(0xA5);
    d[3072..].fill(0x5A);
    d
}

/// A SMART / Health log with a value in every Figure 207 field.
fn smart_log() -> Vec<u8> {
    let mut d = vec![0u8; SMART_HEALTH_LOG_LEN];
    d[0] = 0x00; // critical warning
    put(&mut d, 1, &310u16.to_le_bytes()); // composite temperature 37 C
    d[3] = 100; // available spare
    d[4] = 10; // threshold
    d[5] = 3; // percentage used
    d[6] = 0; // endurance group critical warning summary
    let counters: [u128; 10] = [
        12_345_678,        // data units read
        (1u128 << 64) + 5, // data units written: past 2^64
        987_654_321,       // host read commands
        u128::MAX,         // host write commands: all ones
        1_234,             // controller busy time
        567,               // power cycles
        8_901,             // power-on hours
        23,                // unsafe shutdowns
        0,                 // media errors
        45,                // error log entries
    ];
    for (i, v) in counters.iter().enumerate() {
        put(&mut d, 32 + 16 * i, &v.to_le_bytes());
    }
    put(&mut d, 192, &11u32.to_le_bytes()); // warning temperature time
    put(&mut d, 196, &2u32.to_le_bytes()); // critical temperature time
    let sensors: [u16; 8] = [310, 0, 0xFFFF, 0, 0, 0, 0, 273];
    for (i, t) in sensors.iter().enumerate() {
        put(&mut d, 200 + 2 * i, &t.to_le_bytes());
    }
    put(&mut d, 216, &3u32.to_le_bytes());
    put(&mut d, 220, &4u32.to_le_bytes());
    put(&mut d, 224, &50u32.to_le_bytes());
    put(&mut d, 228, &60u32.to_le_bytes());
    d[232..].fill(0xEE); // reserved: never read
    d
}

/// For each `field: end`, a decode of the prefix `p` of the full buffer: the field as the
/// full decode has it, or absent only when `p` ends before byte `end`.
macro_rules! subset {
    ($v:ident, $full:ident, $p:ident; $($f:ident: $end:expr),* $(,)?) => {$(
        match $v.$f {
            Some(_) => assert_eq!($v.$f, $full.$f, "{} at {}", stringify!($f), $p.len()),
            None => assert!($p.len() < $end, "{} absent at {}", stringify!($f), $p.len()),
        }
    )*};
}

#[test]
fn test_identify_controller_fields() {
    let d = identify_controller();
    let p = IdentifyController::parse(&d);
    assert_eq!((p.announced, p.available), (4096, 4096));
    let c = p.value;
    assert_eq!((c.vid, c.ssvid), (Some(0x144D), Some(0x144D)));
    assert_eq!(c.serial_number.unwrap().as_str(), Some("S4EWNX0R123456A"));
    assert_eq!(c.model_number.unwrap().as_str(), Some("Samsung SSD 970 EVO Plus 1TB"));
    assert_eq!(c.firmware_revision.unwrap().as_str(), Some("2B2QEXM7"));
    assert_eq!(c.ieee_oui, Some(0x002538));
    assert_eq!((c.rab, c.cmic, c.mdts, c.cntlid), (Some(2), Some(0), Some(9), Some(4)));
    assert_eq!(c.version.unwrap().to_string(), "1.3");
    assert_eq!((c.oacs, c.lpa, c.npss), (Some(0x17), Some(3), Some(4)));
    assert_eq!((c.firmware_slots(), c.error_log_entries()), (Some(3), Some(64)));
    assert_eq!(c.smart_log_per_namespace(), Some(true));
    assert_eq!(c.wctemp.and_then(|t| t.celsius()), Some(85));
    assert_eq!(c.cctemp, Some(Temperature(358)));
    assert_eq!((c.tnvmcap, c.unvmcap), (Some(1_000_204_886_016), Some(0)));
    assert_eq!(c.nn, Some(1));
    assert_eq!(
        c.to_string(),
        "Samsung SSD 970 EVO Plus 1TB (serial S4EWNX0R123456A, firmware 2B2QEXM7), NVMe 1.3, \
         1 namespace(s)"
    );
    // A longer buffer: the rest is ignored.
    let mut long = d.clone();
    long.extend_from_slice(&[0xFF; 100]);
    assert_eq!(IdentifyController::parse(&long).value, c);
    assert_eq!(IdentifyController::parse(&long).available, 4096);
}

#[test]
fn test_identify_every_prefix() {
    let d = identify_controller();
    let full = IdentifyController::parse(&d).value;
    every_prefix(&d, |p| {
        let got = IdentifyController::parse(p);
        assert_eq!((got.announced, got.available), (4096, p.len()));
        let v = got.value;
        subset!(v, full, p; vid: 2, ssvid: 4, serial_number: 24, model_number: 64, firmware_revision: 72,
            rab: 73, ieee_oui: 76, cmic: 77, mdts: 78, cntlid: 80, version: 84, oacs: 258,
            frmw: 261, lpa: 262, elpe: 263, npss: 264, wctemp: 268, cctemp: 270,
            tnvmcap: 296, unvmcap: 312, nn: 520);
        if p.len() >= 520 {
            assert_eq!(v, full);
        }
        let _ = v.to_string();
    });
}

#[test]
fn test_smart_log_against_figure_207() {
    let d = smart_log();
    let p = SmartHealthLog::parse(&d).unwrap();
    assert_eq!((p.announced, p.available, p.is_truncated()), (512, 512, false));
    let s = p.value;
    assert_eq!(s.critical_warning, CriticalWarning::empty());
    assert_eq!(s.composite_temperature.unwrap().celsius(), Some(37));
    assert_eq!((s.available_spare, s.available_spare_threshold), (Some(100), Some(10)));
    assert_eq!((s.percentage_used, s.endurance_group_critical_warning_summary), (Some(3), Some(0)));
    assert_eq!(s.data_units_read, Some(12_345_678));
    assert_eq!(s.bytes_read(), Some(12_345_678 * 512_000));
    assert_eq!(s.data_units_written, Some(18_446_744_073_709_551_621), "2^64 + 5");
    assert_eq!(s.bytes_written(), Some(((1u128 << 64) + 5) * 512_000));
    assert_eq!(s.host_read_commands, Some(987_654_321));
    assert_eq!(s.host_write_commands, Some(u128::MAX));
    assert_eq!(s.controller_busy_time, Some(1_234));
    assert_eq!((s.power_cycles, s.power_on_hours), (Some(567), Some(8_901)));
    assert_eq!(
        (s.unsafe_shutdowns, s.media_errors, s.error_log_entries),
        (Some(23), Some(0), Some(45))
    );
    assert_eq!((s.warning_temperature_time, s.critical_temperature_time), (Some(11), Some(2)));
    assert_eq!(s.temperature_sensors[0], Some(Temperature(310)));
    // 0 K: not implemented; FFFFh: kept, converted without overflow; 273 K: 0 C.
    assert_eq!(s.temperature_sensors[1].unwrap().celsius(), None);
    assert_eq!(s.temperature_sensors[2].unwrap().celsius(), Some(65_262));
    assert_eq!(s.temperature_sensors[7].unwrap().celsius(), Some(0));
    let sensors: Vec<(u8, u16)> = s.sensors().map(|(n, t)| (n, t.kelvin())).collect();
    assert_eq!(sensors, [(1, 310), (3, 0xFFFF), (8, 273)]);
    assert_eq!((s.thermal_1_transitions, s.thermal_2_transitions), (Some(3), Some(4)));
    assert_eq!((s.thermal_1_seconds, s.thermal_2_seconds), (Some(50), Some(60)));
    assert_eq!(
        s.to_string(),
        "critical warning 0x00, 37 C, spare 100% (threshold 10%), 3% used, 8901 h, \
         567 power cycles, 23 unsafe shutdowns, 0 media errors"
    );
    // u128::MAX data units have no byte count.
    assert_eq!(data_units_to_bytes(u128::MAX), None);
    assert_eq!(data_units_to_bytes(1), Some(512_000));
    assert_eq!(health(&s, None), NvmeHealth::Passed);
}

#[test]
fn test_composite_temperature_edges() {
    let mut d = smart_log();
    d[1..3].copy_from_slice(&0u16.to_le_bytes());
    let s = SmartHealthLog::parse(&d).unwrap().value;
    assert_eq!(s.composite_temperature, Some(Temperature(0)));
    assert_eq!(s.composite_temperature.unwrap().celsius(), None);
    assert!(s.to_string().contains("temperature ?"));
    d[1..3].copy_from_slice(&0xFFFFu16.to_le_bytes());
    let s = SmartHealthLog::parse(&d).unwrap().value;
    assert_eq!(s.composite_temperature.unwrap().celsius(), Some(65_262));
    assert!(s.to_string().contains("65262 C"));
}

#[test]
fn test_health_verdicts() {
    let base = smart_log();
    let with = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut d = base.clone();
        f(&mut d);
        SmartHealthLog::parse(&d).unwrap().value
    };
    // Each critical warning bit alone fails, reserved bits too.
    for bit in 0..8 {
        let s = with(&|d| d[0] = 1 << bit);
        let h = health(&s, None);
        assert_eq!(
            h,
            NvmeHealth::Failing {
                critical_warning: 1 << bit,
                spare_below_threshold: false,
                media_errors_added: None
            },
            "bit {bit}"
        );
    }
    let s = with(&|d| d[0] = 0x04);
    assert_eq!(
        health(&s, None).to_string(),
        "failing (critical warning 0x04: reliability-degraded)"
    );
    // Spare below threshold without the warning bit (a controller that does not set it).
    let s = with(&|d| d[3] = 9);
    assert_eq!(s.spare_below_threshold(), Some(true));
    assert_eq!(health(&s, None).to_string(), "failing (spare below threshold)");
    let s = with(&|d| d[3] = 10);
    assert_eq!(health(&s, None), NvmeHealth::Passed, "at the threshold is not below it");
    // Reserved values (101..=255) are not compared.
    let s = with(&|d| d[4] = 200);
    assert_eq!((s.spare_below_threshold(), health(&s, None)), (None, NvmeHealth::Passed));
    // Media errors growing since the previous reading.
    let s = with(&|d| d[160] = 5);
    assert_eq!(health(&s, Some(5)), NvmeHealth::Passed);
    assert_eq!(health(&s, None), NvmeHealth::Passed, "no earlier reading, no growth");
    assert_eq!(
        health(&s, Some(2)),
        NvmeHealth::Failing {
            critical_warning: 0,
            spare_below_threshold: false,
            media_errors_added: Some(3)
        }
    );
    assert_eq!(health(&s, Some(2)).to_string(), "failing (3 new media errors)");
    // Worn out: a warning, not a failure; 255 means 255 or more.
    for used in [100, 101, 255] {
        let s = with(&|d| d[5] = used);
        assert_eq!(health(&s, None), NvmeHealth::Warning { percentage_used: used });
    }
    assert_eq!(
        health(&with(&|d| d[5] = 120), None).to_string(),
        "warning (120% of rated life used)"
    );
    // Failing wins over worn out.
    let s = with(&|d| {
        d[0] = 0x01;
        d[3] = 5;
        d[5] = 150;
    });
    assert_eq!(
        health(&s, None).to_string(),
        "failing (critical warning 0x01: available-spare; spare below threshold)"
    );
    // Cut before Percentage Used: unknown unless something present fails.
    assert_eq!(
        health(&SmartHealthLog::parse(&base[..5]).unwrap().value, None),
        NvmeHealth::Unknown
    );
    let mut warned = base.clone();
    warned[0] = 0x08;
    assert!(matches!(
        health(&SmartHealthLog::parse(&warned[..1]).unwrap().value, None),
        NvmeHealth::Failing { critical_warning: 0x08, .. }
    ));
}

#[test]
fn test_smart_every_prefix() {
    let d = smart_log();
    let full = SmartHealthLog::parse(&d).unwrap().value;
    every_prefix(&d, |p| {
        let got = match SmartHealthLog::parse(p) {
            Err(e) => {
                assert_eq!(e, Error::Truncated { needed: 1, available: p.len() });
                assert!(p.is_empty());
                return;
            }
            Ok(got) => got,
        };
        assert_eq!((got.announced, got.available), (512, p.len()));
        let v = got.value;
        assert_eq!(v.critical_warning, full.critical_warning);
        subset!(v, full, p; composite_temperature: 3, available_spare: 4, available_spare_threshold: 5,
            percentage_used: 6, endurance_group_critical_warning_summary: 7,
            data_units_read: 48, data_units_written: 64, host_read_commands: 80,
            host_write_commands: 96, controller_busy_time: 112, power_cycles: 128,
            power_on_hours: 144, unsafe_shutdowns: 160, media_errors: 176,
            error_log_entries: 192, warning_temperature_time: 196,
            critical_temperature_time: 200, thermal_1_transitions: 220,
            thermal_2_transitions: 224, thermal_1_seconds: 228, thermal_2_seconds: 232);
        for (i, t) in v.temperature_sensors.iter().enumerate() {
            match t {
                Some(_) => assert_eq!(*t, full.temperature_sensors[i]),
                None => assert!(p.len() < 202 + 2 * i),
            }
        }
        if p.len() >= 232 {
            assert_eq!(v, full);
        }
        // The verdict of a prefix is the whole's or unknown, never a different one.
        let h = health(&v, None);
        assert!(h == health(&full, None) || h == NvmeHealth::Unknown, "{h:?} at {}", p.len());
        let _ = (v.to_string(), h.to_string());
    });
}

#[test]
fn test_random_and_mutated_input_never_panics() {
    let mut rng = Rng::new(0x4E56_4D45);
    let base = [identify_controller(), smart_log()];
    for round in 0..20_000 {
        let mut buf = if round % 2 == 0 {
            let len = (rng.next_u64() % 4200) as usize;
            (0..len).map(|_| rng.next_u64() as u8).collect::<Vec<u8>>()
        } else {
            base[round / 2 % 2].clone()
        };
        for _ in 0..(rng.next_u64() % 16) {
            if !buf.is_empty() {
                let at = (rng.next_u64() as usize) % buf.len();
                buf[at] = rng.next_u64() as u8;
            }
        }
        let cut = (rng.next_u64() as usize) % (buf.len() + 1);
        let buf = &buf[..cut];
        let c = IdentifyController::parse(buf);
        assert_eq!(c.available, buf.len().min(4096));
        let _ = c.value.to_string();
        if let Ok(s) = SmartHealthLog::parse(buf) {
            let previous = s.value.media_errors.map(|m| m / 2);
            let _ = (s.value.to_string(), health(&s.value, previous).to_string());
            let _ = (s.value.bytes_read(), s.value.bytes_written(), s.value.sensors().count());
        }
    }
}

#[cfg(feature = "serde")]
#[test]
fn test_serde_form() {
    let c = IdentifyController::parse(&identify_controller()).value;
    let v = serde_json::to_value(c).unwrap();
    assert_eq!(v["model_number"], "Samsung SSD 970 EVO Plus 1TB");
    assert_eq!(v["ieee_oui"], "002538");
    assert_eq!(v["version"], "1.3");
    assert_eq!(v["wctemp"], serde_json::json!({"kelvin": 358, "celsius": 85}));
    assert_eq!(v["tnvmcap"], 1_000_204_886_016u64);

    let s = SmartHealthLog::parse(&smart_log()).unwrap().value;
    let v = serde_json::to_value(s).unwrap();
    assert_eq!(v["critical_warning"], serde_json::json!({"value": 0, "set": []}));
    assert_eq!(v["data_units_read"], 12_345_678);
    // Past 64 bits: the decimal string, every digit kept.
    assert_eq!(v["data_units_written"], "18446744073709551621");
    assert_eq!(v["host_write_commands"], u128::MAX.to_string());
    // Only implemented sensors (0 K: not implemented), numbered as in the log.
    let sensors = v["temperature_sensors"].as_array().unwrap();
    assert_eq!(sensors[0]["sensor"], 1);
    assert_eq!(
        (sensors[1]["sensor"].clone(), sensors[1]["celsius"].clone()),
        (3.into(), 65_262.into())
    );
    assert!(sensors.iter().all(|t| t["kelvin"] != 0));
    assert_eq!(v["health"], "passed");
    assert!(v["bytes_read"].is_u64());
    let short = SmartHealthLog::parse(&smart_log()[..40]).unwrap().value;
    assert_eq!(serde_json::to_value(short).unwrap()["data_units_read"], serde_json::Value::Null);

    let failing = NvmeHealth::Failing {
        critical_warning: 4,
        spare_below_threshold: false,
        media_errors_added: Some(1 << 70),
    };
    // A count past 64 bits inside the verdict: the decimal string too.
    assert_eq!(
        serde_json::to_value(failing).unwrap(),
        serde_json::json!({"failing": {"critical_warning": 4, "spare_below_threshold": false,
            "media_errors_added": "1180591620717411303424"}})
    );
    assert_eq!(serde_json::to_value(NvmeHealth::Passed).unwrap(), "passed");
}
