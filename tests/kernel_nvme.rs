//! The simulated NVMe bridges through the whole stack (kernel model -> C++ shim -> core):
//! the health is read, every tunnel command goes out with services suspended (the kernel
//! model refuses a vendor opcode without them, as DriverKit does), a JMicron exchange stays
//! inside one suspended section, and services are never left suspended, whichever command
//! fails and however (a fault injected at every step of the NVMe phase, and a
//! UserSuspendServices that fails).

use plist::{Dictionary, Value};

use sbc_core::wire::cdb::nvme_bridge::NvmeBridge;
use sbc_dext::kernel::{self, KernelOutcome, Setup};
use sbc_dext::sim::faults::{Fault, FaultInjector, FaultPlan};
use sbc_dext::sim::{zoo, Disk, Profile};

const BRIDGES: [&str; 4] =
    ["nvme-asmedia", "nvme-jmicron", "nvme-realtek", "nvme-asmedia-rebadged"];

fn dictionary(path: &str) -> Dictionary {
    let root = Value::from_file(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    root.into_dictionary().unwrap_or_else(|| panic!("{path}: not a dictionary"))
}

/// The repository's Info.plist, with the profile's personality quirks (what a user's
/// personality for that enclosure sets), on USB with the enclosure's USB ID when it has one.
fn setup(profile: &Profile) -> Setup {
    Setup {
        info_plist: dictionary("Info.plist"),
        entitlements: dictionary("entitlements.plist"),
        quirks: profile.personality_quirks.iter().map(|q| (q.clone(), true)).collect(),
        usb_id: profile.usb_id,
        ..Setup::default()
    }
}

fn attach(setup: &Setup, profile: &Profile, plan: FaultPlan) -> KernelOutcome {
    let target = FaultInjector::new(Disk::new(profile.clone()), plan);
    kernel::attach(setup, Box::new(target)).unwrap_or_else(|e| panic!("{}: {e}", profile.name))
}

fn log_text(o: &KernelOutcome) -> String {
    o.log.iter().map(|l| format!("{}\n", l.text)).collect()
}

/// Whether `cdb` is a command of `bridge`'s tunnel.
fn is_tunnel(bridge: NvmeBridge, cdb: &[u8]) -> bool {
    match bridge {
        NvmeBridge::Asmedia => cdb[0] == 0xE6,
        NvmeBridge::Realtek => cdb[0] == 0xE4,
        NvmeBridge::Jmicron => cdb[0] == 0xA1 && matches!(cdb[1], 0x80 | 0x82 | 0x8F),
    }
}

/// What must hold after any attach of a bridge profile: services resumed, suspend and
/// resume paired, every tunnel command sent suspended and no other command, no vendor
/// opcode refused, nothing leaked; a JMicron step never sent after a foreign command.
fn check_services(name: &str, bridge: NvmeBridge, o: &KernelOutcome) {
    let log = log_text(o);
    let s = &o.services;
    assert!(!s.suspended_at_end, "{name}: left suspended\n{log}");
    assert_eq!(s.unbalanced_calls, 0, "{name}\n{log}");
    assert_eq!(s.suspend_calls, s.resume_calls, "{name}\n{log}");
    assert!(!log.contains("without UserSuspendServices"), "{name}\n{log}");
    assert_eq!(o.leaked_objects, 0, "{name}");
    // The kernel model's transcript marks each command sent with services suspended.
    for x in &o.transcript {
        let tunnel = is_tunnel(bridge, &x.cdb);
        assert_eq!(x.exclusive, tunnel, "{name}: {:02x?} suspended {}\n{log}", x.cdb, x.exclusive);
    }
    if bridge == NvmeBridge::Jmicron {
        // A data step only ever follows its command block (or a retry of itself), and a
        // response step its data step: no step is sent after a foreign command. (An
        // exchange may be abandoned for another command, e.g. the capacity re-read a unit
        // attention asks for; the next exchange starts with a new command block.)
        for pair in o.transcript.windows(2) {
            let (a, b) = (&pair[0].cdb, &pair[1].cdb);
            let before = match b[..2] {
                [0xA1, 0x82] => [0x80, 0x82],
                [0xA1, 0x8F] => [0x82, 0x8F],
                _ => continue,
            };
            assert!(a[0] == 0xA1 && before.contains(&a[1]), "{name}: {a:02x?} then {b:02x?}");
        }
    }
}

fn bridge_of(profile: &Profile) -> NvmeBridge {
    profile.nvme_bridge.as_ref().map(|b| b.protocol).expect("an NVMe bridge profile")
}

#[test]
fn each_bridge_reads_the_drive_health_through_the_shim() {
    for name in BRIDGES {
        let profile = zoo::by_name(name).expect(name);
        let o = attach(&setup(&profile), &profile, FaultPlan::none());
        assert!(o.accepted(), "{name}: {}", log_text(&o));
        check_services(name, bridge_of(&profile), &o);
        let dext = &o.registry.children[0];
        let smart = dext.get("SBC SMART").unwrap_or_else(|| panic!("{name}: no SBC SMART"));
        let smart = smart.to_json();
        let transport = name.trim_end_matches("-rebadged");
        assert_eq!(smart["transport"], transport, "{name}");
        assert_eq!(smart["available"], true, "{name}");
        assert_eq!(smart["health"], "passed", "{name}");
        assert!(smart["nvme"]["smart_health_log"]["composite_temperature"].is_object(), "{name}");
        let tunnel = o.transcript.iter().filter(|x| is_tunnel(bridge_of(&profile), &x.cdb));
        let expected = if bridge_of(&profile) == NvmeBridge::Jmicron { 6 } else { 2 };
        assert_eq!(tunnel.count(), expected, "{name}");
        // One suspended section per admin command: JMicron's three steps share one.
        assert_eq!(o.services.suspend_calls, 2, "{name}: one section per admin command");
    }
}

#[test]
fn a_fault_at_every_step_never_leaves_services_suspended() {
    let mut attaches = 0;
    for name in BRIDGES {
        let profile = zoo::by_name(name).expect(name);
        let setup = setup(&profile);
        let bridge = bridge_of(&profile);
        let clean = attach(&setup, &profile, FaultPlan::none());
        // The injector counts the nub's INQUIRY too: transcript index i is command i + 1.
        let first = clean.transcript.iter().position(|x| is_tunnel(bridge, &x.cdb)).expect(name);
        for at in first + 1..=clean.transcript.len() + 1 {
            for fault in Fault::catalogue() {
                let o = attach(&setup, &profile, FaultPlan::single(fault, at as u64));
                check_services(&format!("{name} {} at {at}", fault.name()), bridge, &o);
                // Health is optional: a fault inside the NVMe phase never refuses the
                // unit, unless the device is gone.
                if !matches!(fault, Fault::Detach) {
                    assert!(o.accepted(), "{name} {} at {at}: {}", fault.name(), log_text(&o));
                }
                attaches += 1;
            }
        }
    }
    assert!(attaches > 100, "{attaches} attaches");
}

#[test]
fn services_that_cannot_be_suspended_mark_health_unavailable() {
    for name in BRIDGES {
        let profile = zoo::by_name(name).expect(name);
        let mut setup = setup(&profile);
        // kIOReturnExclusiveAccess: a volume on the disk is in use.
        setup.suspend_fails = Some(0xe00002c5_u32 as i32);
        let o = attach(&setup, &profile, FaultPlan::none());
        assert!(o.accepted(), "{name}: {}", log_text(&o));
        assert!(o.transcript.iter().all(|x| !is_tunnel(bridge_of(&profile), &x.cdb)), "{name}");
        assert_eq!(o.services.suspend_calls, 1, "{name}: one try");
        assert_eq!(o.services.resume_calls, 0, "{name}: nothing to resume");
        assert!(!o.services.suspended_at_end, "{name}");
        let smart = o.registry.children[0].get("SBC SMART").expect("SBC SMART");
        let smart = smart.to_json();
        assert_eq!(smart["available"], false, "{name}");
        assert_eq!(smart["transport"], name.trim_end_matches("-rebadged"), "{name}");
    }
}

#[test]
fn a_failing_drive_is_published_failing_and_still_served() {
    let mut profile = zoo::by_name("nvme-realtek").expect("nvme-realtek");
    let bridge = profile.nvme_bridge.as_mut().expect("a bridge");
    // SMART / Health byte 0 (NVMe Base 2.0a Figure 207), bit 2: NVM subsystem reliability
    // degraded; the spare (byte 3) below its threshold (byte 4).
    bridge.smart_log[0] = 0x04;
    bridge.smart_log[3] = 2;
    bridge.smart_log[4] = 10;
    let o = attach(&setup(&profile), &profile, FaultPlan::none());
    assert!(o.accepted(), "{}", log_text(&o));
    let smart = o.registry.children[0].get("SBC SMART").expect("SBC SMART").to_json();
    assert_eq!(smart["health"], "failing");
    let failing = &smart["nvme"]["smart_health_log"]["health"]["failing"];
    assert_eq!(failing["critical_warning"], 4, "{smart}");
    assert_eq!(failing["spare_below_threshold"], true, "{smart}");
    let detail = smart["health_detail"].as_str().expect("a line");
    assert!(detail.contains("reliability") && detail.contains("spare below threshold"), "{detail}");
}

/// The shim finds the enclosure's USB ID above the nub (SearchProperty with
/// kIOServiceSearchPropertyParents) and the core's USB ID table names the bridge; with no ID
/// above the nub it logs why and the table is not consulted.
#[test]
fn the_usb_id_is_found_above_the_nub() {
    let profile = zoo::by_name("nvme-jmicron").expect("nvme-jmicron");
    let o = attach(&setup(&profile), &profile, FaultPlan::none());
    let log = log_text(&o);
    assert!(log.contains("USB yes, USB ID 152d:0583"), "{log}");
    assert!(log.contains("quirks in effect: ") && log.contains("nvme-jmicron"), "{log}");
    // USB without an ID above the nub: no tunnel, and the log says why.
    let mut plain = setup(&profile);
    plain.usb_id = None;
    plain.usb = true;
    let o = attach(&plain, &profile, FaultPlan::none());
    let log = log_text(&o);
    assert!(log.contains("idVendor not found above the nub"), "{log}");
    assert!(log.contains("USB ID 0000:0000"), "{log}");
    assert!(o.transcript.iter().all(|x| !is_tunnel(NvmeBridge::Jmicron, &x.cdb)), "{log}");
}

/// A bridge that moves half of what it is asked (GOOD, the realized count says so): the
/// health is read from what came, and the report says the log was cut.
#[test]
fn a_short_transfer_is_read_as_far_as_it_goes_and_said() {
    let mut profile = zoo::by_name("nvme-realtek").expect("nvme-realtek");
    profile.nvme_bridge.as_mut().expect("a bridge").fault =
        sbc_dext::sim::NvmeBridgeFault::ShortTransfer;
    let o = attach(&setup(&profile), &profile, FaultPlan::none());
    assert!(o.accepted(), "{}", log_text(&o));
    let smart = o.registry.children[0].get("SBC SMART").expect("SBC SMART").to_json();
    assert_eq!(smart["available"], true, "{smart}");
    let warnings = smart["warnings"].as_array().expect("warnings");
    let cut = "the SMART / Health log came back short: 256 of 512 bytes";
    assert!(warnings.iter().any(|w| w.as_str().is_some_and(|w| w.starts_with(cut))), "{smart}");
    // Bytes 0..=255 hold the verdict's fields and the counters; the sensors (200..) too.
    assert_eq!(smart["nvme"]["smart_health_log"]["percentage_used"], 7);
}
