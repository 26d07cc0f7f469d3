//! The engine's NVMe phase against the scripted disk with a bridge hook: health through
//! ASMedia's E6h, Realtek's E4h and JMicron's A1h exchange, chosen by quirk only, and every
//! way a bridge can fail marking the health unavailable without refusing the unit.
//!
//! The bridge answers are built here from the protocol layouts in
//! `sbc_core::wire::cdb::nvme_bridge`'s documentation and NVMe Base 2.0a Figures 275 and 207;
//! `tests/sim_nvme_bridge.rs` and the kernel-model tests run the simulator's bridges.

mod common;

use common::scripted_disk::*;
use sbc_core::attach::{Config, SmartTransport, SmartUnavailable, UsbId, Verdict};
use sbc_core::quirks::Quirks;
use sbc_core::time::Instant;
use sbc_core::wire::nvme::NvmeHealth;

/// Identify Controller (NVMe Base 2.0a Figure 275): SN 4..=23, MN 24..=63, FR 64..=71,
/// NN 516..=519.
fn identify(model: &str, serial: &str, firmware: &str) -> Vec<u8> {
    let mut d = vec![0u8; 4096];
    let mut put = |at: usize, width: usize, s: &str| {
        d[at..at + width].fill(b' ');
        d[at..at + s.len()].copy_from_slice(s.as_bytes());
    };
    put(4, 20, serial);
    put(24, 40, model);
    put(64, 8, firmware);
    d[516] = 1;
    d
}

/// SMART / Health log (Figure 207): critical warning 0, composite temperature 1..=2 (K),
/// spare 3, threshold 4, percentage used 5, power-on hours 128..=143.
fn health_log(warning: u8, kelvin: u16, spare: u8, used: u8, hours: u128) -> Vec<u8> {
    let mut d = vec![0u8; 512];
    d[0] = warning;
    d[1..3].copy_from_slice(&kelvin.to_le_bytes());
    d[3] = spare;
    d[4] = 10;
    d[5] = used;
    d[128..144].copy_from_slice(&hours.to_le_bytes());
    d
}

/// What the bridge's drive holds, and how its bridge misbehaves.
#[derive(Clone)]
struct Drive {
    identify: Vec<u8>,
    log: Vec<u8>,
    /// JMicron: the response block (default: "NVME", status 0).
    response: Option<Vec<u8>>,
}

fn drive() -> Drive {
    Drive {
        identify: identify("ACME NVMe 2TB", "NV0001", "1.2.3"),
        log: health_log(0, 318, 100, 3, 1234),
        response: None,
    }
}

/// The admin command's data: Identify (opcode 06h) or the log (02h).
fn answer(drive: &Drive, opcode: u8) -> Reply {
    match opcode {
        0x06 => Reply::good(drive.identify.clone()),
        0x02 => Reply::good(drive.log.clone()),
        _ => Reply::check(0x05, 0x24, 0x00),
    }
}

/// A disk whose bridge answers ASMedia's E6h (opcode in byte 1) and Realtek's E4h (opcode
/// in byte 3), and JMicron's exchange (the command block's opcode at byte 8, the response
/// block "NVME" with dword 3 at bytes 20..=23).
fn bridged(mut disk: Disk, drive: Drive) -> Disk {
    let mut pending: Option<u8> = None;
    disk = disk.with_hook(move |cdb, _, state| match (cdb[0], cdb[1]) {
        (0xE6, op) => Some(answer(&drive, op)),
        (0xE4, _) => Some(answer(&drive, cdb[3])),
        (0xA1, 0x80) => {
            assert_eq!(&state.data_out[..4], b"NVME", "the command block's signature");
            pending = Some(state.data_out[8]);
            Some(Reply::good(vec![]))
        }
        (0xA1, 0x82) => Some(answer(&drive, pending.expect("a command block first"))),
        (0xA1, 0x8F) => {
            let mut block = vec![0u8; 512];
            block[..4].copy_from_slice(b"NVME");
            Some(Reply::good(drive.response.clone().unwrap_or(block)))
        }
        _ => None,
    });
    disk
}

fn quirked(quirks: Quirks) -> Config {
    Config { quirks_on: quirks, ..Config::default() }
}

/// Commands of the healthy disk through MODE SENSE: before TUR, TUR, RC16, MODE SENSE.
const CHARACTERIZATION: usize = HEALTHY_PRE_TUR + 3;

#[test]
fn asmedia_reads_identify_and_health_log_with_services_suspended() {
    let mut disk = bridged(Disk::healthy(), drive());
    let o = run(quirked(Quirks::NVME_ASMEDIA), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.cdbs.len(), CHARACTERIZATION + 2);
    let tunnel = &o.cdbs[CHARACTERIZATION..];
    assert_eq!((tunnel[0][0], tunnel[0][1], tunnel[0][3]), (0xE6, 0x06, 0x01));
    assert_eq!((tunnel[1][0], tunnel[1][1], tunnel[1][3], tunnel[1][7]), (0xE6, 0x02, 0x02, 0x7F));
    assert_eq!(o.access[CHARACTERIZATION..], [(true, true), (true, true)]);
    assert!(o.access[..CHARACTERIZATION].iter().all(|&(exclusive, _)| !exclusive));
    let smart = o.report.smart.expect("the NVMe phase ran");
    assert_eq!(smart.transport, SmartTransport::NvmeAsmedia);
    assert_eq!(smart.unavailable, None);
    assert!(smart.available());
    assert_eq!(smart.model.as_str(), Some("ACME NVMe 2TB"));
    assert_eq!(smart.serial.as_str(), Some("NV0001"));
    assert_eq!(smart.firmware.as_str(), Some("1.2.3"));
    let nvme = smart.nvme.expect("the NVMe section");
    let log = nvme.health_log().expect("the log");
    assert_eq!(log.composite_temperature.and_then(|t| t.celsius()), Some(45));
    assert_eq!(log.power_on_hours, Some(1234));
    assert_eq!(nvme.identify().and_then(|i| i.nn), Some(1));
    assert_eq!(nvme.health(), Some(NvmeHealth::Passed));
}

#[test]
fn realtek_is_found_by_its_default_inquiry_strings() {
    let mut disk = Disk::healthy();
    disk.inquiry = inquiry(0x00, false, 0x06, false, ("Realtek", "RTL9210 NVME", "1.00"), 96);
    let mut disk = bridged(disk, drive());
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert!(o.report.quirks.contains(Quirks::NVME_REALTEK));
    let tunnel = &o.cdbs[o.cdbs.len() - 2..];
    // E4h: the length little-endian in bytes 1..=2, the opcode in 3, CNS / LID in 4.
    assert_eq!(tunnel[0][..5], [0xE4, 0x00, 0x10, 0x06, 0x01]);
    assert_eq!(tunnel[1][..5], [0xE4, 0x00, 0x02, 0x02, 0x02]);
    let smart = o.report.smart.expect("the NVMe phase ran");
    assert_eq!(smart.transport, SmartTransport::NvmeRealtek);
    assert!(smart.available());
}

#[test]
fn jmicron_exchange_keeps_services_suspended_across_its_three_steps() {
    let mut disk = bridged(Disk::healthy(), drive());
    let o = run(quirked(Quirks::NVME_JMICRON), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.cdbs.len(), CHARACTERIZATION + 6);
    let steps: Vec<u8> = o.cdbs[CHARACTERIZATION..].iter().map(|c| c[1]).collect();
    assert_eq!(steps, [0x80, 0x82, 0x8F, 0x80, 0x82, 0x8F]);
    let section = [(true, false), (true, false), (true, true)];
    assert_eq!(o.access[CHARACTERIZATION..], [section, section].concat());
    let smart = o.report.smart.expect("the NVMe phase ran");
    assert_eq!(smart.transport, SmartTransport::NvmeJmicron);
    assert!(smart.available());
    assert_eq!(smart.model.as_str(), Some("ACME NVMe 2TB"));
}

#[test]
fn no_tunnel_without_a_quirk() {
    let mut disk = bridged(Disk::healthy(), drive());
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.cdbs.len(), CHARACTERIZATION);
    assert!(o.report.smart.is_none());
}

#[test]
fn a_bridge_without_the_tunnel_marks_health_unavailable_and_is_accepted() {
    for quirk in [Quirks::NVME_JMICRON, Quirks::NVME_ASMEDIA, Quirks::NVME_REALTEK] {
        // The plain disk answers every tunnel opcode with INVALID COMMAND OPERATION CODE.
        let o = run(quirked(quirk), &mut Disk::healthy());
        assert_eq!(o.verdict, Verdict::Accept, "{quirk:?}");
        assert_eq!(o.cdbs.len(), CHARACTERIZATION + 1, "{quirk:?}: one try, no probing");
        let smart = o.report.smart.expect("the NVMe phase ran");
        assert_eq!(smart.unavailable, Some(SmartUnavailable::TunnelRejected), "{quirk:?}");
        assert!(!smart.available());
    }
}

#[test]
fn two_bridge_quirks_are_not_resolved_by_guessing() {
    let mut disk = bridged(Disk::healthy(), drive());
    let o = run(quirked(Quirks::NVME_ASMEDIA | Quirks::NVME_REALTEK), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.cdbs.len(), CHARACTERIZATION);
    let smart = o.report.smart.expect("the NVMe phase ran");
    assert_eq!(smart.unavailable, Some(SmartUnavailable::ConflictingQuirks));
}

#[test]
fn jmicron_response_without_signature_takes_the_data_back() {
    let d = Drive { response: Some(vec![0u8; 512]), ..drive() };
    let o = run(quirked(Quirks::NVME_JMICRON), &mut bridged(Disk::healthy(), d));
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.cdbs.len(), CHARACTERIZATION + 3);
    let smart = o.report.smart.expect("the NVMe phase ran");
    assert_eq!(smart.unavailable, Some(SmartUnavailable::TunnelNoSignature));
    assert_eq!(smart.model.as_str(), Some(""), "unconfirmed Identify data is not kept");
    assert!(smart.nvme.expect("section").identify().is_none());
}

#[test]
fn jmicron_nvme_error_status_is_kept() {
    let mut block = vec![0u8; 512];
    block[..4].copy_from_slice(b"NVME");
    // Status field (dword 3 bits 31:17): SCT 0, SC 02h Invalid Field in Command.
    block[20..24].copy_from_slice(&(0x0002u32 << 17).to_le_bytes());
    let d = Drive { response: Some(block), ..drive() };
    let o = run(quirked(Quirks::NVME_JMICRON), &mut bridged(Disk::healthy(), d));
    let smart = o.report.smart.expect("the NVMe phase ran");
    assert_eq!(smart.unavailable, Some(SmartUnavailable::NvmeStatus));
    assert_eq!(smart.nvme.expect("section").status, Some(0x0002));
}

#[test]
fn empty_identify_is_unusable_and_the_log_is_not_asked() {
    let d = Drive { identify: vec![0u8; 4096], ..drive() };
    let o = run(quirked(Quirks::NVME_ASMEDIA), &mut bridged(Disk::healthy(), d));
    assert_eq!(o.cdbs.len(), CHARACTERIZATION + 1);
    let smart = o.report.smart.expect("the NVMe phase ran");
    assert_eq!(smart.unavailable, Some(SmartUnavailable::NvmeIdentifyUnusable));
}

#[test]
fn failing_drive_is_reported_failing_and_still_accepted() {
    // Critical warning bit 2: NVM subsystem reliability degraded.
    let d = Drive { log: health_log(0x04, 318, 100, 3, 10), ..drive() };
    let o = run(quirked(Quirks::NVME_REALTEK), &mut bridged(Disk::healthy(), d));
    assert_eq!(o.verdict, Verdict::Accept);
    let nvme = o.report.smart.and_then(|s| s.nvme).expect("section");
    assert!(matches!(nvme.health(), Some(NvmeHealth::Failing { critical_warning: 0x04, .. })));
}

#[test]
fn health_log_rejected_keeps_the_identity() {
    let mut disk = bridged(Disk::healthy(), drive());
    disk = {
        let mut inner = disk;
        let mut hook = inner.hook.take().expect("the bridge hook");
        inner.with_hook(move |cdb, now: Instant, state| {
            if cdb[0] == 0xE6 && cdb[1] == 0x02 {
                return Some(Reply::check(0x05, 0x24, 0x00));
            }
            hook(cdb, now, state)
        })
    };
    let o = run(quirked(Quirks::NVME_ASMEDIA), &mut disk);
    let smart = o.report.smart.expect("the NVMe phase ran");
    assert_eq!(smart.unavailable, Some(SmartUnavailable::HealthLogUnreadable));
    assert_eq!(smart.model.as_str(), Some("ACME NVMe 2TB"));
}

#[test]
fn a_bridge_known_by_its_usb_id_is_asked_through_its_tunnel() {
    let asmedia = UsbId { vendor: 0x174c, product: 0x2362 };
    let config = Config { usb: true, usb_id: Some(asmedia), ..Config::default() };
    let o = run(config, &mut bridged(Disk::healthy(), drive()));
    assert_eq!(o.verdict, Verdict::Accept);
    assert!(o.report.quirks.contains(Quirks::NVME_ASMEDIA));
    let smart = o.report.smart.expect("the NVMe phase ran");
    assert_eq!(smart.transport, SmartTransport::NvmeAsmedia);
    assert!(smart.available());
    // An ID the table does not list (an ASMedia SATA bridge): SMART over SAT is tried
    // instead (this disk has no ATA pass-through), never a tunnel.
    let sata = UsbId { vendor: 0x174c, product: 0x55aa };
    let config = Config { usb: true, usb_id: Some(sata), ..Config::default() };
    let o = run(config, &mut bridged(Disk::healthy(), drive()));
    assert!(!o.report.quirks.contains(Quirks::NVME_ASMEDIA));
    assert!(o.cdbs.iter().all(|c| c[0] != 0xE6));
    assert_eq!(o.report.smart.map(|s| s.transport), Some(SmartTransport::Sat));
    // The personality can still turn the row off.
    let config = Config {
        usb: true,
        usb_id: Some(asmedia),
        quirks_off: Quirks::NVME_ASMEDIA,
        ..Config::default()
    };
    let o = run(config, &mut bridged(Disk::healthy(), drive()));
    assert!(o.cdbs.iter().all(|c| c[0] != 0xE6));
}
