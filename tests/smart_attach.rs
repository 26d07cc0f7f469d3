//! SMART over SAT through the whole attach path: every captured drive (tests/fixtures/
//! smart-blobs) behind the simulated SAT bridge, the engine's SMART phase (ATA PASS-THROUGH,
//! sense with the ATA registers, decoding) and the published report, through the C++ shim
//! too. The decoders are compared with `skdump --load` field by field in
//! tests/smart_skdump.rs; here the attach path must give exactly what they give, so the
//! report agrees with skdump too. Then the bridge behaviours: (16) unsupported, pass-through
//! rejected, fixed-format sense, CK_COND ignored; none may refuse the attach.

mod common;

use common::smart_blob::all_blobs;
use sbc_core::attach::{Config, SmartUnavailable, Verdict};
use sbc_core::wire::ata_identify::IdentifyDevice;
use sbc_core::wire::smart::{self, ReturnStatus, SmartData, SmartQuirks, SmartThresholds};
use sbc_dext::attach::run;
use sbc_dext::sim::{zoo, Disk, Profile, SatQuirk};

fn profile(name: &str, path: &std::path::Path) -> Profile {
    let bytes = std::fs::read(path).unwrap();
    let mut p = zoo::sat_bridge_from_blob(name, &bytes).unwrap();
    p.behaviour.power_on_unit_attention = false;
    p
}

#[test]
fn every_captured_drive_through_the_attach_path() {
    let blobs = all_blobs();
    assert_eq!(blobs.len(), 13);
    let mut attributes = 0;
    for (name, path, blob) in blobs {
        let o = run(Config::default(), &mut Disk::new(profile(&name, &path))).unwrap();
        assert_eq!(o.verdict, Verdict::Accept, "{name}");
        let smart = o.report.smart.unwrap_or_else(|| panic!("{name}: no SMART"));
        let id = IdentifyDevice::new(&blob.identify);
        let text = |s: Option<&[u8]>| String::from_utf8_lossy(s.unwrap_or(&[])).trim().to_string();
        assert_eq!(
            smart.model.as_bytes(),
            text(id.model_number().as_ref().map(|m| m.as_bytes())).as_bytes(),
            "{name}"
        );
        assert_eq!(
            smart.serial.as_bytes(),
            text(id.serial_number().as_ref().map(|m| m.as_bytes())).as_bytes(),
            "{name}"
        );
        let smart_on = id.smart_supported() == Some(true) && id.smart_enabled() == Some(true);
        if !smart_on {
            assert!(smart.unavailable.is_some(), "{name}");
            continue;
        }
        assert!(smart.available(), "{name}: {:?}", smart.unavailable);
        let data = SmartData::parse(blob.data.as_deref().unwrap()).unwrap().value;
        let thresholds =
            blob.thresholds.as_deref().map(|t| SmartThresholds::parse(t).unwrap().value);
        assert_eq!(smart.data, Some(data), "{name}: SMART READ DATA");
        assert_eq!(smart.thresholds, thresholds, "{name}: SMART READ THRESHOLDS");
        // The bridge answers RETURN STATUS from the blob's SMST (healthy without one).
        let status = if blob.status_ok == Some(false) {
            ReturnStatus::ThresholdExceeded
        } else {
            ReturnStatus::Good
        };
        assert_eq!(smart.status, Some(status), "{name}");
        assert_eq!(
            smart.health(),
            smart::health(Some(status), Some(&data), thresholds.as_ref()),
            "{name}"
        );
        let model = smart.model;
        assert_eq!(
            smart.quirks,
            SmartQuirks::for_drive(model.as_bytes(), smart.firmware.as_bytes())
        );
        attributes += data.iter().count();
        // The published report carries every attribute with its threshold.
        let json = serde_json::to_value(sbc_core::attach::Published(&o.report)).unwrap();
        let published = json["smart"]["attributes"].as_array().unwrap();
        assert_eq!(published.len(), data.iter().count(), "{name}");
        for (a, p) in data.iter().zip(published) {
            assert_eq!(p["id"], a.id);
            assert_eq!(p["raw"], a.raw);
            assert_eq!(p["value"], a.current);
            assert_eq!(p["worst"], a.worst);
            assert_eq!(
                p["threshold"].as_u64(),
                thresholds.and_then(|t| t.threshold_for(a.id)).map(u64::from)
            );
        }
    }
    eprintln!("attributes compared through the attach path: {attributes}");
    assert!(attributes > 200);
}

fn sat_bridge(quirk: SatQuirk) -> Profile {
    let mut p = zoo::sat_bridge();
    p.behaviour.sat = quirk;
    p
}

#[test]
fn bridge_behaviours_never_refuse_and_say_whether_smart_is_there() {
    let attach = |p: Profile| run(Config::default(), &mut Disk::new(p)).unwrap();

    let o = attach(sat_bridge(SatQuirk::Standard));
    let smart = o.report.smart.unwrap();
    assert!(smart.available() && smart.status == Some(ReturnStatus::Good));

    // (16) an invalid opcode: IDENTIFY again with (12), then every command with (12).
    let o = attach(sat_bridge(SatQuirk::TwelveOnly));
    assert_eq!(o.verdict, Verdict::Accept);
    let smart = o.report.smart.unwrap();
    assert!(smart.available());
    assert_eq!(smart.pass_through, Some(sbc_core::attach::PassThrough::Twelve));
    let ata: Vec<u8> =
        o.transcript.iter().map(|x| x.cdb[0]).filter(|op| matches!(op, 0x85 | 0xA1)).collect();
    assert_eq!(ata, [0x85, 0xA1, 0xA1, 0xA1, 0xA1]);

    // Fixed-format register sense: the status is still read.
    let smart = attach(sat_bridge(SatQuirk::FixedSense)).report.smart.unwrap();
    assert_eq!(smart.status, Some(ReturnStatus::Good));

    // CK_COND ignored: no registers, the status is unknown and said so; the data is read.
    let o = attach(sat_bridge(SatQuirk::NoCkCond));
    let smart = o.report.smart.unwrap();
    assert!(smart.available() && smart.status.is_none());
    let json = serde_json::to_value(sbc_core::attach::Published(&o.report)).unwrap();
    assert!(json["smart"]["warnings"].to_string().contains("no SMART RETURN STATUS registers"));

    // Stale registers: the status is kept as unknown, health comes from the attributes.
    let smart = attach(sat_bridge(SatQuirk::StaleRegisters)).report.smart.unwrap();
    assert_eq!(smart.status, Some(ReturnStatus::Unknown { lba_mid: 0, lba_high: 0 }));
    assert_eq!(smart.health(), smart::health(None, smart.data.as_ref(), smart.thresholds.as_ref()));

    // Pass-through rejected entirely: SMART unavailable, the disk accepted as characterized.
    let mut p = zoo::sat_bridge();
    p.behaviour.ata_pass_through = false;
    let o = attach(p);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.report.smart.unwrap().unavailable, Some(SmartUnavailable::PassThroughRejected));

    // A plain SCSI disk is not asked at all.
    let o = attach(zoo::by_name("hdd-512e").unwrap());
    assert!(o.report.smart.is_none());
    assert!(o.transcript.iter().all(|x| !matches!(x.cdb[0], 0x85 | 0xA1)));
}
