//! The whole dext stack on Linux: the kernel model matches the repository's Info.plist
//! against a device, instantiates the C++ shim (iig/ and dext/, compiled unmodified against
//! the DriverKit facsimile), and the shim drives the Rust core through sbc_core.h.

use plist::{Dictionary, Value};

use sbc_core::attach::{Config, Published};
use sbc_dext::cli::report_text::without_nulls;
use sbc_dext::kernel::{self, CallOrder, KernelOutcome, Setup};
use sbc_dext::sim::{zoo, Disk, Profile};

fn dictionary(path: &str) -> Dictionary {
    let root = Value::from_file(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    root.into_dictionary().unwrap_or_else(|| panic!("{path}: not a dictionary"))
}

fn setup() -> Setup {
    Setup {
        info_plist: dictionary("Info.plist"),
        entitlements: dictionary("entitlements.plist"),
        ..Setup::default()
    }
}

fn through_shim(setup: &Setup, profile: &Profile) -> KernelOutcome {
    kernel::attach(setup, Box::new(Disk::new(profile.clone())))
        .unwrap_or_else(|e| panic!("{}: {e}", profile.name))
}

fn log_text(o: &KernelOutcome) -> String {
    o.log.iter().map(|l| format!("{}\n", l.text)).collect()
}

#[test]
fn a_healthy_disk_is_characterized_through_the_shim() {
    let o = through_shim(&setup(), &zoo::by_name("sim").unwrap());
    assert_eq!(o.matched.name, "Generic");
    assert_eq!(o.ioclass, "IOUserSCSIPeripheralDeviceType00");
    assert_eq!(o.characterization, Some((0, true)), "{}", log_text(&o));
    assert_eq!(o.leaked_objects, 0, "{}", log_text(&o));
    let dext = &o.registry.children[0];
    assert_eq!(dext.name, "SbcDext");
    assert!(dext.registered);
    let log = log_text(&o);
    assert!(log.contains("sbc-dext: init: core"), "{log}");
    assert!(log.contains("sbc-dext: verdict: accept"), "{log}");
}

/// Every zoo device gives, through the shim, the verdict and the commands the engine gives
/// when driven directly (the nub's own INQUIRY comes before, outside the dext).
#[test]
fn every_zoo_profile_through_the_shim_matches_the_engine() {
    let setup = setup();
    for profile in zoo::all() {
        let direct = sbc_dext::attach::run(Config::default(), &mut Disk::new(profile.clone()))
            .expect("the engine ends");
        let name = &profile.name;
        if profile.inquiry.device_type != 0 {
            // The nub's device type decides: no type-0 personality matches, the dext never
            // loads (and the engine, driven directly, refuses it too).
            let e = kernel::attach(&setup, Box::new(Disk::new(profile.clone()))).unwrap_err();
            assert!(e.0.contains("no personality matches"), "{name}: {e}");
            assert!(!direct.verdict.is_accept(), "{name}");
            continue;
        }
        let shim = through_shim(&setup, &profile);
        // The same commands at the same times, with the same decisions (the shim's column
        // comes from the core's log record of each completion).
        let rows = |t: &[sbc_dext::attach::Exchange]| {
            t.iter().map(|x| (x.sent_at, x.cdb.clone(), x.action.clone())).collect::<Vec<_>>()
        };
        assert_eq!(rows(&shim.transcript), rows(&direct.transcript), "{name}");
        assert_eq!(shim.elapsed, direct.elapsed, "{name}");
        assert_eq!(shim.accepted(), direct.verdict.is_accept(), "{name}: {}", log_text(&shim));
        // The registry holds the report the engine gives when driven directly: one schema
        // (the registry has no null, so absent values are left out of both).
        let published = shim.report().unwrap_or_else(|| panic!("{name}: no report published"));
        let mut report = direct.report;
        report.verdict = Some(direct.verdict);
        let expected = serde_json::to_value(Published(&report)).unwrap();
        assert_eq!(published.to_json(), without_nulls(expected), "{name}");
        assert_eq!(shim.leaked_objects, 0, "{name}");
    }
}

#[test]
fn both_call_orders_give_the_same_answer() {
    let mut setup = setup();
    let profile = zoo::by_name("needs-start").unwrap();
    let start_first = through_shim(&setup, &profile);
    setup.order = CallOrder::CharacterizeFirst;
    let characterize_first = through_shim(&setup, &profile);
    assert_eq!(start_first.characterization, characterize_first.characterization);
    assert!(log_text(&characterize_first).contains("before Start"));
    assert!(log_text(&start_first).contains("characterized before Start: no"));
}

/// The documented failure: IOClass = IOUserService starts the dext, but the characterization
/// call never comes.
#[test]
fn an_ioclass_of_iouserservice_is_never_asked_to_characterize() {
    let mut setup = setup();
    let personalities =
        setup.info_plist.get_mut("IOKitPersonalities").and_then(Value::as_dictionary_mut).unwrap();
    for (_, p) in personalities.iter_mut() {
        p.as_dictionary_mut()
            .unwrap()
            .insert("IOClass".into(), Value::String("IOUserService".into()));
    }
    let o = through_shim(&setup, &zoo::by_name("sim").unwrap());
    assert_eq!(o.characterization, None);
    assert!(o.transcript.is_empty(), "no command reaches the device");
    assert!(log_text(&o).contains("no characterization"));
    assert_eq!(o.leaked_objects, 0);
}

#[test]
fn a_device_that_detaches_mid_attach_is_refused() {
    let setup = Setup { detach_after: Some(5), ..setup() };
    let o = through_shim(&setup, &zoo::by_name("sim").unwrap());
    assert_eq!(o.characterization, Some((0, false)), "{}", log_text(&o));
    assert!(log_text(&o).contains("device gone"), "{}", log_text(&o));
    assert_eq!(o.leaked_objects, 0);
}

#[test]
fn the_dext_does_not_load_without_its_entitlements_or_a_matching_personality() {
    let mut setup = setup();
    setup.entitlements.remove("com.apple.developer.driverkit.family.scsicontroller");
    let e = kernel::attach(&setup, Box::new(Disk::new(zoo::by_name("sim").unwrap())));
    assert!(e.unwrap_err().0.contains("entitlement"));
    let e = kernel::attach(&self::setup(), Box::new(Disk::new(zoo::by_name("cdrom").unwrap())));
    assert!(e.unwrap_err().0.contains("no personality matches"));
}

/// Attach and detach a thousand times: every object the dext makes is released.
#[test]
fn a_thousand_attach_detach_cycles_leak_nothing() {
    let setup = setup();
    let profile = zoo::by_name("sim").unwrap();
    for i in 0..1000 {
        let o = through_shim(&setup, &profile);
        assert!(o.accepted(), "cycle {i}");
        assert_eq!(o.leaked_objects, 0, "cycle {i}");
    }
}

/// The personality's SbcQuirks and the nub's USB transport reach the engine through the
/// shim: the same commands and report as the engine given the same quirks directly.
#[test]
fn personality_quirks_and_usb_reach_the_engine() {
    use sbc_core::quirks::Quirks;
    let setup = Setup {
        quirks: vec![("no-vpd".into(), true), ("mode-sense-6".into(), true)],
        usb: true,
        ..setup()
    };
    let profile = zoo::by_name("hdd-512e").unwrap();
    let shim = through_shim(&setup, &profile);
    let config =
        Config { quirks_on: Quirks::NO_VPD | Quirks::MODE_SENSE_6, usb: true, ..Config::default() };
    let direct = sbc_dext::attach::run(config, &mut Disk::new(profile)).unwrap();
    let cdbs =
        |t: &[sbc_dext::attach::Exchange]| t.iter().map(|x| x.cdb.clone()).collect::<Vec<_>>();
    assert_eq!(cdbs(&shim.transcript), cdbs(&direct.transcript));
    assert!(direct.report.quirks.contains(Quirks::NO_VPD), "the quirk changes the attach");
    let mut report = direct.report;
    report.verdict = Some(direct.verdict);
    let expected = without_nulls(serde_json::to_value(Published(&report)).unwrap());
    assert_eq!(shim.report().unwrap().to_json(), expected);
    assert!(log_text(&shim).contains("USB yes"), "{}", log_text(&shim));
}
