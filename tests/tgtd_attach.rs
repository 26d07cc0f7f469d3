//! The whole characterization against tgtd: a real SBC target no one on this project wrote,
//! configured with tgtadm, reached through libiscsi. The report must say exactly what tgtd
//! was configured with, and the engine must never send a command outside its allowlist.
#![cfg(feature = "iscsi")]

use sbc_core::attach::{is_non_destructive, Config, DiscardMethod, RefuseReason, Verdict};
use sbc_core::time::{Duration, Instant};
use sbc_core::wire::cdb::Command;
use sbc_dext::attach::{run, Outcome};
use sbc_dext::target::iscsi::IscsiTarget;
use sbc_dext::target::{Clock, Completion, Target};
use sbc_dext::tgtd::{LunConfig, Tgtd};

const MIB: u64 = 1 << 20;

fn attach(tgtd: &Tgtd, lun: u32) -> Outcome {
    // Log in without libiscsi's TUR, so the engine meets the power-on unit attention as a
    // dext does on a fresh device.
    let mut target = IscsiTarget::connect(&tgtd.url(lun), true)
        .unwrap_or_else(|e| panic!("login: {e}\n{}", tgtd.log()));
    let outcome = run(Config::default(), &mut target).expect("the engine ends");
    for x in &outcome.transcript {
        assert!(is_non_destructive(&x.cdb), "LUN {lun}: {:02x?}", x.cdb);
    }
    outcome
}

/// Six LUNs: 512-byte and 4K blocks, thin provisioning, read-only, descriptor sense, and a
/// configured identity.
fn configured_luns() -> Vec<LunConfig> {
    vec![
        LunConfig::new(1, 64 * MIB, 512),
        LunConfig::new(2, 64 * MIB, 4096),
        LunConfig::new(3, 32 * MIB, 512).param("thin_provisioning", "1"),
        LunConfig::new(4, 16 * MIB, 512).param("readonly", "1"),
        LunConfig::new(5, 16 * MIB, 512).param("sense_format", "1"),
        LunConfig::new(6, 8 * MIB, 512)
            .param("vendor_id", "ACME")
            .param("product_id", "Widget 9000")
            .param("product_rev", "2.1")
            .param("scsi_sn", "SN-0042"),
    ]
}

#[test]
fn every_configured_lun_is_reported_as_configured() {
    let tgtd = Tgtd::start(&configured_luns()).unwrap_or_else(|e| panic!("tgtd: {e}"));

    let plain = attach(&tgtd, 1);
    assert_eq!(plain.verdict, Verdict::Accept, "{:#?}", plain.transcript);
    let r = &plain.report;
    assert_eq!(r.vendor.as_bytes(), b"IET");
    assert_eq!(r.product.as_bytes(), b"VIRTUAL-DISK");
    assert_eq!((r.block_count, r.logical_block_length), (64 * MIB / 512, 512));
    assert_eq!(r.physical_block_length, 4096, "tgtd reports LBPPBE=3 by default");
    assert!(!r.lbpme && !r.write_protected && !r.removable && r.medium_present);
    assert_eq!(r.write_cache, Some(true), "tgtd's caching page has WCE=1");
    assert!(r.fua, "tgtd sets DPOFUA");
    assert_eq!(r.discard, DiscardMethod::None);
    assert!(r.sat.is_none(), "tgtd has no VPD 0x89");

    let big = attach(&tgtd, 2);
    assert_eq!(big.verdict, Verdict::Accept);
    assert_eq!((big.report.block_count, big.report.logical_block_length), (16384, 4096));
    assert_eq!(big.report.physical_block_length, 4096);

    let thin = attach(&tgtd, 3);
    assert_eq!(thin.verdict, Verdict::Accept);
    assert!(thin.report.lbpme && thin.report.lbprz);
    assert_ne!(thin.report.discard, DiscardMethod::None, "B2 says LBPU/LBPWS");

    let ro = attach(&tgtd, 4);
    assert_eq!(ro.verdict, Verdict::Accept);
    assert!(ro.report.write_protected);

    let desc = attach(&tgtd, 5);
    assert_eq!(desc.verdict, Verdict::Accept, "descriptor sense must not confuse the engine");
    assert!(
        desc.transcript.iter().any(|x| x.sense.first() == Some(&0x72)),
        "the UA arrives as 72h"
    );

    let named = attach(&tgtd, 6);
    assert_eq!(named.verdict, Verdict::Accept);
    let r = &named.report;
    assert_eq!(
        (r.vendor.as_bytes(), r.product.as_bytes(), r.revision.as_bytes(), r.serial.as_bytes()),
        (&b"ACME"[..], &b"Widget 9000"[..], &b"2.1"[..], &b"SN-0042"[..])
    );
    assert_eq!(r.block_count, 8 * MIB / 512);
}

#[test]
fn a_lun_that_does_not_exist_is_refused() {
    let tgtd = Tgtd::start(&[LunConfig::new(1, 8 * MIB, 512)]).unwrap();
    // LUN 7 has no logical unit: tgtd answers INQUIRY with PQ=3 / PDT=1Fh.
    let none = attach(&tgtd, 7);
    assert!(matches!(none.verdict, Verdict::Refuse(_)), "{:?}", none.verdict);
    // LUN 0 is tgtd's controller (PDT 0Ch): not a disk.
    let controller = attach(&tgtd, 0);
    assert!(matches!(controller.verdict, Verdict::Refuse(_)), "{:?}", controller.verdict);
}

/// Forwards to an iSCSI session and sends tgtd a signal just before command `at`: the
/// target hangs (STOP) or dies (KILL) in the middle of an attach.
struct SignalAt<'a> {
    session: IscsiTarget,
    tgtd: &'a Tgtd,
    signal: &'static str,
    at: usize,
    sent: usize,
}

impl Target for SignalAt<'_> {
    fn clock(&self) -> Clock {
        self.session.clock()
    }

    fn execute(&mut self, command: &Command, data: &mut [u8], now: Instant) -> Completion {
        if self.sent == self.at {
            self.tgtd.signal(self.signal).expect("signal tgtd");
        }
        self.sent += 1;
        self.session.execute(command, data, now)
    }
}

/// A target that hangs or dies mid-attach: the attach ends, refused as a transport failure,
/// within the engine's time budget plus one command timeout of wall-clock time (the bound
/// `sbc_dext::attach` states), and libiscsi does not reconnect forever.
#[test]
fn a_hung_or_dead_target_ends_the_attach_within_its_bound() {
    const COMMAND_TIMEOUT_S: i32 = 2;
    let config = Config {
        time_budget: Duration::from_secs(15),
        command_timeout: Duration::from_secs(COMMAND_TIMEOUT_S as u64),
        ..Config::default()
    };
    let bound = std::time::Duration::from_millis(config.time_budget.as_millis())
        + std::time::Duration::from_secs(COMMAND_TIMEOUT_S as u64 + 1);
    for signal in ["STOP", "KILL"] {
        let tgtd =
            Tgtd::start(&[LunConfig::new(1, 8 * MIB, 512)]).unwrap_or_else(|e| panic!("tgtd: {e}"));
        let mut session = IscsiTarget::connect(&tgtd.url(1), true)
            .unwrap_or_else(|e| panic!("login: {e}\n{}", tgtd.log()));
        session.set_timeout(COMMAND_TIMEOUT_S);
        // Command 3 is the first VPD page after 00h: an optional step, then TEST UNIT READY.
        let mut target = SignalAt { session, tgtd: &tgtd, signal, at: 3, sent: 0 };
        let started = std::time::Instant::now();
        let outcome = run(config, &mut target).expect("the engine ends");
        let took = started.elapsed();
        assert!(took <= bound, "SIG{signal}: {took:?} > {bound:?}");
        assert_eq!(
            outcome.verdict,
            Verdict::Refuse(RefuseReason::TransportFailure),
            "SIG{signal} after {took:?}: {:#?}",
            outcome.transcript
        );
        eprintln!("SIG{signal}: refused in {took:?} after {} commands", outcome.transcript.len());
    }
}

/// The whole stack (kernel model, C++ shim, C ABI, core) against tgtd gives, for every LUN
/// configuration, the commands and the report the engine gives when driven directly.
#[test]
fn tgtd_through_the_shim_matches_the_engine() {
    use sbc_core::attach::Published;
    use sbc_dext::cli::report_text::without_nulls;
    use sbc_dext::kernel::{self, Setup};
    let tgtd = Tgtd::start(&configured_luns()).unwrap_or_else(|e| panic!("tgtd: {e}"));
    let dictionary = |path: &str| plist::Value::from_file(path).unwrap().into_dictionary().unwrap();
    let setup = Setup {
        info_plist: dictionary("Info.plist"),
        entitlements: dictionary("entitlements.plist"),
        ..Setup::default()
    };
    for lun in 1..=6 {
        let direct = attach(&tgtd, lun);
        let session = IscsiTarget::connect(&tgtd.url(lun), true).unwrap();
        let shim = kernel::attach(&setup, Box::new(session)).unwrap();
        let cdbs =
            |t: &[sbc_dext::attach::Exchange]| t.iter().map(|x| x.cdb.clone()).collect::<Vec<_>>();
        assert_eq!(cdbs(&shim.transcript), cdbs(&direct.transcript), "LUN {lun}");
        let mut report = direct.report;
        report.verdict = Some(direct.verdict);
        let expected = without_nulls(serde_json::to_value(Published(&report)).unwrap());
        assert_eq!(shim.report().unwrap().to_json(), expected, "LUN {lun}");
        assert_eq!(shim.leaked_objects, 0);
    }
}
