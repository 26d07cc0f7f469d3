//! Every device in the simulated zoo through the whole attach path (engine + host loop),
//! checked two ways: the report against the profile's configuration (what the device was
//! built to be, not what the engine said), and the full transcript and report pinned as an
//! insta snapshot (tests/snapshots/), so any change in what the driver sends shows up in
//! review.

use std::collections::HashMap;

use sbc_core::attach::{is_non_destructive, is_read_only_tunnel, Config, SmartTransport, Verdict};
use sbc_core::sense::{self, Parsed, SenseKey};
use sbc_dext::attach::{run, Outcome};
use sbc_dext::cli::attach::{attach, Options};
use sbc_dext::sim::{zoo, Disk, Profile};

fn attach_profile(profile: &Profile) -> Outcome {
    let mut disk = Disk::new(profile.clone());
    let config = profile.attach_config().unwrap_or_else(|q| panic!("{}: quirk {q}", profile.name));
    run(config, &mut disk).expect("the engine ends")
}

/// An INQUIRY text field as the device sends it: cut to `width` bytes, padding trimmed.
fn field(s: &str, width: usize) -> &[u8] {
    let bytes = s.as_bytes();
    let cut = &bytes[..bytes.len().min(width)];
    let start = cut.iter().position(|&c| c != b' ' && c != 0).unwrap_or(cut.len());
    let end = cut.iter().rposition(|&c| c != b' ' && c != 0).map_or(start, |i| i + 1);
    &cut[start..end]
}

/// What the device was built to be, checked against what the driver reported.
fn check_against_profile(p: &Profile, o: &Outcome) {
    let name = &p.name;
    let r = &o.report;
    let config = Config::default();
    assert!(o.transcript.len() <= usize::from(config.command_budget), "{name}");
    assert!(o.elapsed <= config.time_budget, "{name}: {:?}", o.elapsed);
    // A bridge's NVMe tunnel passes its own rule, for this bridge only, and goes out with
    // services suspended; everything else passes the non-destructive rule.
    let bridge = p.nvme_bridge.as_ref().map(|b| b.protocol);
    for x in &o.transcript {
        let tunnel = bridge.is_some_and(|b| is_read_only_tunnel(b, &x.cdb, &x.data_out));
        assert!(is_non_destructive(&x.cdb) || tunnel, "{name}: destructive CDB {:02x?}", x.cdb);
        assert_eq!(x.exclusive, tunnel, "{name}: {:02x?}", x.cdb);
    }
    let valid_length = matches!(p.capacity.block_length, 512 | 1024 | 2048 | 4096);
    if p.inquiry.peripheral_qualifier != 0 || p.inquiry.device_type != 0 {
        assert!(matches!(o.verdict, Verdict::Refuse(_)), "{name}: {:?}", o.verdict);
        return;
    }
    assert_eq!(r.vendor.as_bytes(), field(&p.inquiry.vendor, 8), "{name}");
    assert_eq!(r.product.as_bytes(), field(&p.inquiry.product, 16), "{name}");
    assert_eq!(r.removable, p.inquiry.removable, "{name}");
    if !valid_length {
        assert!(matches!(o.verdict, Verdict::Refuse(_)), "{name}: {:?}", o.verdict);
        return;
    }
    assert_eq!(o.verdict, Verdict::Accept, "{name}");
    if p.behaviour.no_medium {
        assert!(!r.medium_present, "{name}");
        return;
    }
    assert!(r.medium_present, "{name}");
    assert_eq!(r.block_count, p.capacity.blocks, "{name}");
    assert_eq!(r.logical_block_length, p.capacity.block_length, "{name}");
    if p.behaviour.rc16_supported && p.inquiry.version >= 5 {
        let physical = p.capacity.block_length << p.capacity.lbppbe;
        assert_eq!(r.physical_block_length, physical, "{name}");
        assert_eq!(r.lowest_aligned_lba, p.capacity.lowest_aligned_lba, "{name}");
        assert_eq!((r.lbpme, r.lbprz), (p.capacity.lbpme, p.capacity.lbprz), "{name}");
    }
    assert_eq!(r.write_protected, p.mode.write_protected, "{name}");
    if let Some(vpd) = &p.vpd {
        assert_eq!(r.sat.is_some(), vpd.ata_information.is_some(), "{name}");
    }
    if let Some(bridge) = &p.nvme_bridge {
        check_nvme_health(p, bridge, o);
    }
}

/// A healthy NVMe drive behind its bridge: the health read through the tunnel its quirk
/// names, with the identity the profile's Identify Controller bytes hold (read here by
/// offset, NVMe Base 2.0a Figure 275: MN 24..=63).
fn check_nvme_health(p: &Profile, bridge: &sbc_dext::sim::NvmeBridgeProfile, o: &Outcome) {
    let name = &p.name;
    let smart = o.report.smart.unwrap_or_else(|| panic!("{name}: no health read"));
    let transport = match bridge.protocol {
        sbc_core::wire::cdb::nvme_bridge::NvmeBridge::Jmicron => SmartTransport::NvmeJmicron,
        sbc_core::wire::cdb::nvme_bridge::NvmeBridge::Asmedia => SmartTransport::NvmeAsmedia,
        sbc_core::wire::cdb::nvme_bridge::NvmeBridge::Realtek => SmartTransport::NvmeRealtek,
    };
    assert_eq!(smart.transport, transport, "{name}");
    if bridge.fault != sbc_dext::sim::NvmeBridgeFault::None {
        assert!(!smart.available(), "{name}");
        return;
    }
    assert!(smart.available(), "{name}: {:?}", smart.unavailable);
    let model = String::from_utf8_lossy(&bridge.identify[24..64]).trim().to_string();
    assert_eq!(smart.model.as_str(), Some(model.as_str()), "{name}");
    let log = smart.nvme.and_then(|n| n.health_log()).unwrap_or_else(|| panic!("{name}"));
    let kelvin = u16::from_le_bytes([bridge.smart_log[1], bridge.smart_log[2]]);
    assert_eq!(log.composite_temperature.map(|t| t.kelvin()), Some(kelvin), "{name}");
}

#[test]
fn every_profile_is_reported_as_built() {
    assert!(zoo::NAMES.len() >= 12);
    for profile in zoo::all() {
        check_against_profile(&profile, &attach_profile(&profile));
    }
}

/// On a healthy device no command is sent twice, except the one retry the power-on unit
/// attention costs, and no VPD page is read that page 00h does not list.
#[test]
fn healthy_devices_get_no_repeated_command() {
    for name in ["sim", "hdd-4kn", "hdd-512e", "thin-lun", "sat-bridge", "descriptor-sense"] {
        let o = attach_profile(&zoo::by_name(name).unwrap());
        let mut seen: HashMap<&[u8], usize> = HashMap::new();
        for x in &o.transcript {
            *seen.entry(&x.cdb).or_default() += 1;
        }
        let repeats: usize = seen.values().map(|n| n - 1).sum();
        let unit_attentions = o
            .transcript
            .iter()
            .filter(|x| match sense::parse(&x.sense) {
                Ok(Parsed::Sense(s)) => s.value.sense_key == SenseKey::UNIT_ATTENTION,
                _ => false,
            })
            .count();
        assert_eq!(repeats, unit_attentions, "{name}: {:#?}", o.transcript);
    }
}

#[test]
fn transcripts_and_reports_are_pinned() {
    for name in zoo::NAMES {
        let options =
            Options { target: Some(format!("sim:{name}")), transcript: true, ..Options::default() };
        let (text, _) = attach(&options).unwrap();
        insta::assert_snapshot!(format!("attach_{name}"), text);
    }
}

#[test]
fn quirk_overrides_change_what_is_sent() {
    let profile = zoo::by_name("sim").unwrap();
    let plain = attach_profile(&profile);
    let mut disk = Disk::new(profile);
    let config = Config {
        quirks_on: sbc_core::quirks::Quirks::NO_VPD | sbc_core::quirks::Quirks::INQUIRY_36,
        ..Config::default()
    };
    let quirked = run(config, &mut disk).unwrap();
    assert_eq!(quirked.verdict, Verdict::Accept);
    let evpd =
        |o: &Outcome| o.transcript.iter().filter(|x| x.cdb[0] == 0x12 && x.cdb[1] & 1 == 1).count();
    assert!(evpd(&plain) > 0);
    assert_eq!(evpd(&quirked), 0, "NO_VPD sends no EVPD INQUIRY");
    assert!(quirked
        .transcript
        .iter()
        .filter(|x| x.cdb[0] == 0x12)
        .all(|x| x.cdb[4] == 36 && x.cdb[3] == 0));
    assert_eq!(quirked.report.block_count, plain.report.block_count);
}
