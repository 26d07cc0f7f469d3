//! The characterization engine driven by a small scripted disk, in virtual time.
//!
//! The responder below answers INQUIRY, VPD, READ CAPACITY, READ(10) and MODE SENSE from
//! byte arrays built here after the SPC-5 / SBC-4 tables each builder names; a per-scenario
//! hook overrides any answer (NOT READY for a while, unit attentions, BUSY, a lying realized
//! count). Every command costs 1 ms of virtual time and waits are skipped, so a 100-second
//! spin-up takes no wall time. Every scenario asserts the verdict, the key report facts, the
//! exact number of commands, and that every CDB passes `is_non_destructive`.

mod common;

use common::scripted_disk::*;
use sbc_core::attach::{
    Completion, Config, DiscardMethod, Engine, Poll, RefuseReason, RotationRate, SmartUnavailable,
    Verdict, Warning,
};
use sbc_core::quirks::Quirks;
use sbc_core::time::{Duration, Instant};
use sbc_core::wire::inquiry::{PeripheralQualifier, Version};
use sbc_core::wire::status::{DeliveryFailure, TaskOutcome, TaskStatus};
use sbc_core::wire::vpd::PageCode;
use sbc_core::wire::vpd::{DesignatorType, NominalFormFactor};
use sbc_core::wire::PeripheralDeviceType;
// ---------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------

#[test]
fn healthy_spc4_disk() {
    let o = run(Config::default(), &mut Disk::healthy());
    assert_eq!(o.verdict, Verdict::Accept);
    let r = &o.report;
    assert_eq!(r.vendor.as_str(), Some("ACME"));
    assert_eq!(r.product.as_str(), Some("FastDisk 9000"));
    assert_eq!(r.revision.as_str(), Some("1.0"));
    assert_eq!(r.serial.as_str(), Some("SN0001234"));
    let d: Vec<_> = r.designators().collect();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].designator_type, DesignatorType::NAA);
    assert_eq!(d[0].as_bytes(), [0x50, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd]);
    assert_eq!(r.version, Version::SPC_4);
    assert!(r.medium_present && !r.removable);
    assert_eq!(r.block_count, 0x4000_0000);
    assert_eq!((r.logical_block_length, r.physical_block_length), (512, 4096));
    assert!(r.lbpme && r.lbprz);
    assert_eq!(r.discard, DiscardMethod::Unmap);
    assert_eq!(r.max_transfer_blocks, Some(0x4000));
    assert_eq!(r.optimal_transfer_blocks, Some(0x80));
    assert_eq!(r.rotation_rate, RotationRate::NonRotating);
    assert_eq!(r.form_factor, NominalFormFactor::INCH_2_5);
    assert!(!r.write_protected);
    assert_eq!((r.write_cache, r.read_cache_disabled), (Some(true), Some(false)));
    assert!(r.fua);
    assert_eq!(r.sat, None);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // INQUIRY ×2, VPD ×12, TUR, RC16, MODE SENSE(10): no command repeated.
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 3);
    assert_eq!((o.count(0x12), o.count(0x00), o.count(0x9E), o.count(0x5A)), (14, 1, 1, 1));
    // VPD pages header first: 4 bytes, then the announced length.
    assert_eq!(o.cdbs[2], [0x12, 1, 0x00, 0, 4, 0]);
    assert_eq!(o.cdbs[3], [0x12, 1, 0x00, 0, 10, 0]);
    assert!(o.actions.iter().all(|a| a == "Success"));
}

#[test]
fn four_k_native_disk() {
    let mut disk = Disk::healthy();
    disk.vpd = Some(vec![vpd_b1(7200, 0x02)]);
    disk.rc16 = Some(rc16(0x0FFF_FFFF, 4096, 0, false, 0));
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    let r = &o.report;
    assert_eq!(
        (r.block_count, r.logical_block_length, r.physical_block_length),
        (1 << 28, 4096, 4096)
    );
    assert_eq!(r.rotation_rate, RotationRate::Rpm(7200));
    assert_eq!(r.form_factor, NominalFormFactor::INCH_3_5);
    assert_eq!(r.discard, DiscardMethod::None); // LBPME = 0
    assert_eq!(r.max_transfer_blocks, None);
    // INQUIRY ×2, VPD 00h ×2, B1h ×2, TUR, RC16, MODE SENSE.
    assert_eq!(o.cdbs.len(), 9);
}

#[test]
fn emulated_512_with_lowest_aligned_lba() {
    let mut disk = Disk::healthy();
    disk.vpd = Some(vec![]);
    disk.rc16 = Some(rc16(976_773_167, 512, 3, false, 1));
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    let r = &o.report;
    assert_eq!(r.block_count, 976_773_168);
    assert_eq!(
        (r.logical_block_length, r.physical_block_length, r.lowest_aligned_lba),
        (512, 4096, 1)
    );
    // INQUIRY ×2, VPD 00h header + page (an empty list still has PAGE LENGTH 1: 00h itself),
    // TUR, RC16, MODE SENSE.
    assert_eq!(o.cdbs.len(), 7);
}

#[test]
fn rc10_all_ones_escalates_to_rc16() {
    let mut disk = Disk::healthy();
    // SPC-2 (version 4): READ CAPACITY(10) first (Linux sd_try_rc16_first).
    disk.inquiry = inquiry(0, false, 0x04, false, ("BIG", "Array", "0001"), 36);
    disk.vpd = None;
    disk.rc10 = Some(rc10(0xFFFF_FFFF, 512));
    disk.rc16 = Some(rc16((1 << 33) - 1, 512, 0, false, 0));
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.report.block_count, 1 << 33);
    assert_eq!(o.report.warnings.len(), 1, "{:?}", o.report.warnings); // VpdUnsupported
                                                                       // INQUIRY (36 was all), VPD 00h header (rejected), TUR, RC10, RC16, MODE SENSE.
    assert_eq!(o.cdbs.len(), 6);
    let ops: Vec<u8> = o.cdbs.iter().map(|c| c[0]).collect();
    assert_eq!(ops, [0x12, 0x12, 0x00, 0x25, 0x9E, 0x5A]);
}

#[test]
fn rc10_all_ones_and_rc16_failing_means_2_to_32_blocks() {
    let mut disk = Disk::healthy();
    disk.inquiry = inquiry(0, false, 0x04, false, ("BIG", "Array", "0001"), 36);
    disk.vpd = None;
    disk.rc10 = Some(rc10(0xFFFF_FFFF, 512));
    disk.rc16 = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.report.block_count, 1 << 32);
    assert!(o.report.warnings.contains(Warning::CapacityAssumed2To32));
    assert!(o.report.warnings.contains(Warning::ReadCapacity16Failed));
    // INQUIRY, VPD header, TUR, RC10, RC16 (invalid opcode), MODE SENSE: RC10 is not re-sent.
    assert_eq!(o.cdbs.len(), 6);
}

#[test]
fn rc16_invalid_opcode_falls_back_to_rc10() {
    let mut disk = Disk::healthy();
    disk.rc16 = None;
    disk.rc10 = Some(rc10(0x00FF_FFFF, 512));
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    let r = &o.report;
    assert_eq!(r.block_count, 0x0100_0000);
    assert_eq!(r.physical_block_length, 512);
    assert!(!r.lbpme);
    assert_eq!(r.discard, DiscardMethod::None);
    assert!(r.warnings.contains(Warning::ReadCapacity16Failed));
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 4);
    assert!(o.actions.iter().any(|a| a.contains("InvalidOpcode")));
}

#[test]
fn no_vpd_support() {
    let mut disk = Disk::healthy();
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert!(o.report.warnings.contains(Warning::VpdUnsupported));
    assert!(o.report.serial.is_empty());
    assert_eq!(o.report.max_transfer_blocks, None);
    // LBPME without B0h/B2h: WRITE SAME(16) (Linux sd_discard_mode).
    assert_eq!(o.report.discard, DiscardMethod::WriteSame16);
    // INQUIRY ×2, one rejected VPD 00h header, TUR, RC16, MODE SENSE.
    assert_eq!(o.cdbs.len(), 6);
}

#[test]
fn becoming_ready_for_30_seconds() {
    let ready_at = Instant::from_millis(1_000 + 30_000);
    let disk = Disk::healthy().with_hook(move |cdb, now, _| {
        (cdb[0] == 0x00 && now < ready_at).then(|| Reply::check(0x02, 0x04, 0x01))
    });
    let o = run(Config::default(), &mut { disk });
    assert_eq!(o.verdict, Verdict::Accept);
    // The first TUR goes at t = 1 000 + 14 ms; each retry 1 s after the previous
    // completion, i.e. 1 001 ms apart: TUR k at 1 014 + (k-1)·1 001; ready from 31 000,
    // so k = 31 (1 014 + 30·1 001 = 31 044): 30 NOT READY then GOOD.
    assert_eq!(o.count(0x00), 31);
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 31 + 2);
    assert!(o.elapsed >= Duration::from_secs(30) && o.elapsed < Duration::from_secs(31));
    assert_eq!(o.actions.iter().filter(|a| a.contains("BecomingReady")).count(), 30);
}

#[test]
fn initializing_command_required_gets_one_start() {
    let disk = Disk::healthy().with_hook(|cdb, _, st| {
        (cdb[0] == 0x00 && !st.started).then(|| Reply::check(0x02, 0x04, 0x02))
    });
    let o = run(Config::default(), &mut { disk });
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.count(0x1B), 1);
    let start = o.cdbs.iter().find(|c| c[0] == 0x1B).unwrap();
    assert_eq!(start.as_slice(), [0x1B, 0x01, 0, 0, 0x01, 0]); // IMMED=1, START=1
    assert_eq!(o.count(0x00), 2);
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 5);
}

#[test]
fn no_start_stop_quirk_sends_no_start() {
    let disk = Disk::healthy().with_hook(|cdb, _, st| {
        (cdb[0] == 0x00 && !st.started).then(|| Reply::check(0x02, 0x04, 0x02))
    });
    let config = Config { quirks_on: Quirks::NO_START_STOP, ..Config::default() };
    let o = run(config, &mut { disk });
    // Linux no_start_on_add: sd_spinup_disk breaks out, sd_revalidate_disk reads capacity.
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.count(0x1B), 0);
    assert_eq!(o.report.block_count, 0x4000_0000);
    assert_eq!(
        o.report.warnings.iter().collect::<Vec<_>>(),
        [Warning::SpinUpFailed { sense: Some(code(0x02, 0x04, 0x02)) }]
    );
    // TUR once (no poll, no START), RC16, MODE SENSE.
    let ops: Vec<u8> = o.cdbs[HEALTHY_PRE_TUR..].iter().map(|c| c[0]).collect();
    assert_eq!(ops, [0x00, 0x9E, 0x5A]);
    assert!(o.actions[HEALTHY_PRE_TUR].contains("StartRequired"));
}

#[test]
fn no_start_stop_quirk_with_cause_not_reportable_goes_on_to_read_capacity() {
    let disk = Disk::healthy()
        .with_hook(|cdb, _, _| (cdb[0] == 0x00).then(|| Reply::check(0x02, 0x04, 0x00)));
    let config = Config { quirks_on: Quirks::NO_START_STOP, ..Config::default() };
    let o = run(config, &mut { disk });
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!((o.count(0x00), o.count(0x1B), o.count(0x9E)), (1, 0, 1));
    let sense = Some(code(0x02, 0x04, 0x00));
    assert!(o.report.warnings.contains(Warning::SpinUpFailed { sense }));
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 3);
}

#[test]
fn empty_removable_reader_is_accepted_without_medium() {
    let mut disk = Disk::healthy()
        .with_hook(|cdb, _, _| (cdb[0] == 0x00).then(|| Reply::check(0x02, 0x3A, 0x00)));
    disk.inquiry = inquiry(0x00, true, 0x06, false, ("Generic-", "SD/MMC", "1.00"), 36);
    disk.vpd = Some(vec![]);
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert!(o.report.removable && !o.report.medium_present);
    assert_eq!(o.report.block_count, 0);
    // INQUIRY, VPD 00h ×2, TUR: no READ CAPACITY, no MODE SENSE without a medium.
    assert_eq!(o.cdbs.len(), 4);
}

#[test]
fn fixed_disk_without_medium_is_refused() {
    let mut disk = Disk::healthy()
        .with_hook(|cdb, _, _| (cdb[0] == 0x00).then(|| Reply::check(0x02, 0x3A, 0x00)));
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::NoMedium));
    assert_eq!(o.cdbs.len(), 4);
}

#[test]
fn manual_intervention_required_stops_at_once() {
    let mut disk = Disk::healthy()
        .with_hook(|cdb, _, _| (cdb[0] == 0x00).then(|| Reply::check(0x02, 0x04, 0x03)));
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::NotReady { sense: Some(code(0x02, 0x04, 0x03)) }));
    assert_eq!(o.count(0x00), 1);
    assert_eq!(o.cdbs.len(), 4);
}

#[test]
fn not_connected_and_not_a_disk_are_refused_after_one_inquiry() {
    let mut disk = Disk::healthy();
    disk.inquiry = inquiry(0x20, false, 0x06, false, ("ACME", "Ghost", "1"), 36); // PQ 001b
    let o = run(Config::default(), &mut disk);
    assert_eq!(
        o.verdict,
        refused(RefuseReason::NotConnected {
            peripheral_qualifier: PeripheralQualifier::NOT_CONNECTED
        })
    );
    assert_eq!(o.cdbs.len(), 1);

    let mut disk = Disk::healthy();
    disk.inquiry = inquiry(0x05, true, 0x05, false, ("HL-DT-ST", "DVDRAM", "1.00"), 36);
    let o = run(Config::default(), &mut disk);
    assert_eq!(
        o.verdict,
        refused(RefuseReason::NotDirectAccess {
            peripheral_device_type: PeripheralDeviceType::CD_DVD
        })
    );
    assert_eq!(o.cdbs.len(), 1);
}

#[test]
fn block_length_520_is_refused_and_0_becomes_512() {
    let mut disk = Disk::healthy();
    disk.vpd = None;
    disk.rc16 = Some(rc16(1_000_000, 520, 0, false, 0));
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::UnsupportedBlockLength { length: 520 }));
    assert_eq!(o.cdbs.len(), 5); // INQUIRY ×2, VPD, TUR, RC16

    let mut disk = Disk::healthy();
    disk.vpd = None;
    disk.rc16 = Some(rc16(999, 0, 0, false, 0));
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!((o.report.block_count, o.report.logical_block_length), (1000, 512));
    assert!(o.report.warnings.contains(Warning::BlockLengthZero));
    assert_eq!(o.cdbs.len(), 6);
}

#[test]
fn mode_sense_10_invalid_opcode_falls_back_to_6() {
    let mut disk = Disk::healthy();
    disk.mode10 = false;
    disk.wp = true;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert!(o.report.warnings.contains(Warning::ModeSense10Unsupported));
    assert!(o.report.write_protected);
    assert_eq!(o.count(0x5A), 1);
    assert_eq!(o.count(0x1A), 1);
    let ms6 = o.cdbs.iter().find(|c| c[0] == 0x1A).unwrap();
    assert_eq!(ms6.as_slice(), [0x1A, 0, 0x3F, 0, 255, 0]);
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 4);
}

#[test]
fn write_protected_medium() {
    let mut disk = Disk::healthy();
    disk.wp = true;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert!(o.report.write_protected);
    // WCE = 1 in the page, but no cache flushing on a protected medium (Linux).
    assert_eq!(o.report.write_cache, Some(false));
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 3);
}

#[test]
fn mode_sense_failure_assumes_writable() {
    let mut disk = Disk::healthy()
        .with_hook(|cdb, _, _| (cdb[0] == 0x5A).then(|| Reply::check(0x05, 0x24, 0x00)));
    disk.wp = true;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert!(!o.report.write_protected);
    assert_eq!(o.report.write_cache, None);
    assert!(!o.report.fua);
    assert!(o.report.warnings.contains(Warning::ModeSenseFailed));
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 3);
}

#[test]
fn unit_attention_storm_is_absorbed_within_the_bound() {
    let disk = Disk::healthy().with_hook(|cdb, _, st| {
        (cdb[0] == 0x00 && st.count <= HEALTHY_PRE_TUR + 5).then(|| Reply::check(0x06, 0x29, 0x00))
    });
    let o = run(Config::default(), &mut { disk });
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.count(0x00), 6);
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 6 + 2);

    // One that never stops: 1 + 10 absorbed (policy UNIT_ATTENTION_RETRIES), then refused.
    let mut disk = Disk::healthy()
        .with_hook(|cdb, _, _| (cdb[0] == 0x00).then(|| Reply::check(0x06, 0x29, 0x00)));
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::UnitAttentionStorm));
    assert_eq!(o.count(0x00), 11);
    assert_eq!(o.cdbs.len(), 3 + 11);
}

#[test]
fn never_ready_ends_on_the_time_budget() {
    let mut disk = Disk::healthy()
        .with_hook(|cdb, _, _| (cdb[0] == 0x00).then(|| Reply::check(0x02, 0x04, 0x01)));
    disk.vpd = None;
    let config = Config { time_budget: Duration::from_secs(20), ..Config::default() };
    let o = run(config, &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::TimeBudgetExhausted));
    assert_eq!(o.elapsed, Duration::from_secs(20));
    // TURs at 3, 1 004, ..., 3 + 19·1 001 = 19 022 ms; the next would be at 20 023.
    assert_eq!(o.count(0x00), 20);
    assert_eq!(o.cdbs.len(), 3 + 20);

    // With the default budget, the policy's 100 becoming-ready polls run out first.
    let mut disk = Disk::healthy()
        .with_hook(|cdb, _, _| (cdb[0] == 0x00).then(|| Reply::check(0x02, 0x04, 0x01)));
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::NotReady { sense: Some(code(0x02, 0x04, 0x01)) }));
    assert_eq!(o.count(0x00), 101);
    assert!(o.elapsed < Duration::from_secs(102));
}

#[test]
fn busy_device_ends_on_a_budget() {
    let mut disk = Disk::healthy().with_hook(|_, _, _| Some(Reply::status(TaskStatus::BUSY)));
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::Busy));
    // 1 + 10 backed-off retries (policy BUSY_RETRIES): 100+200+400+800+6·1000 ms waited.
    assert_eq!(o.cdbs.len(), 11);
    assert_eq!(o.elapsed, Duration::from_millis(7_500 + 11));

    // A small command budget ends it first.
    let mut disk = Disk::healthy().with_hook(|_, _, _| Some(Reply::status(TaskStatus::BUSY)));
    let config = Config { command_budget: 4, ..Config::default() };
    let o = run(config, &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::CommandBudgetExhausted));
    assert_eq!(o.cdbs.len(), 4);
}

#[test]
fn realized_beyond_request_is_a_transport_failure() {
    let mut disk = Disk::healthy().with_hook(|cdb, _, _| {
        (cdb[0] == 0x12).then(|| Reply { realized: Some(37), ..Reply::good(vec![0; 36]) })
    });
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::TransportFailure));
    // 1 + 2 transport retries (policy TRANSPORT_RETRIES).
    assert_eq!(o.cdbs.len(), 3);
    assert!(o.actions[0].contains("Transport"));
    assert_eq!(o.report.vendor.as_bytes(), b"");
}

#[test]
fn device_gone_ends_at_once() {
    let mut disk = Disk::healthy().with_hook(|cdb, _, _| {
        (cdb[0] == 0x00).then(|| Reply {
            outcome: TaskOutcome::DeliveryFailure(DeliveryFailure::DEVICE_NOT_PRESENT),
            ..Reply::good(vec![])
        })
    });
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::DeviceGone));
    assert_eq!(o.cdbs.len(), 4);
}

#[test]
fn sat_bridge_from_vpd_89() {
    let mut disk = Disk::healthy();
    disk.inquiry = inquiry(0, false, 0x06, false, ("ATA", "Samsung SSD 870", "2B6Q"), 36);
    disk.vpd = Some(vec![vpd(0x80, b"S5Y1NX0R123456"), vpd89("Samsung SSD 870 EVO 1TB")]);
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    let sat = o.report.sat.expect("SAT detected");
    assert_eq!(sat.vendor.as_str(), Some("linux"));
    assert_eq!(sat.product.as_str(), Some("libata"));
    assert_eq!(sat.ata_model.as_str(), Some("Samsung SSD 870 EVO 1TB"));
    assert_eq!((sat.smart_supported, sat.smart_enabled), (Some(true), Some(true)));
    // No B1h: the rotation rate comes from IDENTIFY word 217.
    assert_eq!(o.report.rotation_rate, RotationRate::NonRotating);
    let vpd89_reads: Vec<_> = o.cdbs.iter().filter(|c| c[0] == 0x12 && c[2] == 0x89).collect();
    assert_eq!(vpd89_reads.len(), 2);
    assert_eq!(vpd89_reads[1][3..5], [0x02, 0x3C]); // 572 bytes after the 4-byte header
                                                    // INQUIRY, VPD 00h ×2, 80h ×2, 89h ×2, TUR, RC16, MODE SENSE; then SMART: IDENTIFY
                                                    // DEVICE through ATA PASS-THROUGH(16), which this disk does not know, then (12).
    assert_eq!(o.cdbs.len(), 12);
    assert_eq!((o.cdbs[10][0], o.cdbs[11][0]), (0x85, 0xA1));
    let smart = o.report.smart.expect("a SAT unit is asked for SMART");
    assert_eq!(smart.unavailable, Some(SmartUnavailable::PassThroughRejected));
}

#[test]
fn caching_page_cut_from_all_pages_is_asked_alone() {
    let mut disk = Disk::healthy();
    // A vendor page before Caching that fills the 255-byte all-pages answer.
    let mut big = vec![0u8; 250];
    big[0] = 0x01;
    big[1] = 248;
    disk.pages = [big, caching_page(false, true), control_page()].concat();
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!((o.report.write_cache, o.report.read_cache_disabled), (Some(false), Some(true)));
    assert_eq!(o.count(0x5A), 2);
    assert_eq!(o.cdbs.last().unwrap()[2], 0x08);
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 4);
}

// ---- quirk on/off pairs ----

#[test]
fn quirk_inquiry_36() {
    let base = run(Config::default(), &mut Disk::healthy());
    let config = Config { quirks_on: Quirks::INQUIRY_36, ..Config::default() };
    let o = run(config, &mut Disk::healthy());
    assert_eq!(o.verdict, Verdict::Accept);
    assert!(o.report.quirks.contains(Quirks::INQUIRY_36));
    assert_eq!((base.count(0x12) - 12, o.count(0x12) - 12), (2, 1));
    assert_eq!(o.cdbs.len(), base.cdbs.len() - 1);

    // The table sets it for "Generic USB SD Reader 1.00"; quirks_off removes it.
    let mut disk = Disk::healthy();
    disk.inquiry = inquiry(0, true, 0x06, false, ("Generic", "USB SD Reader", "1.00"), 96);
    let o = run(Config::default(), &mut disk);
    assert!(o.report.quirks.contains(Quirks::INQUIRY_36));
    assert_eq!(o.cdbs[1][1], 1, "second command is already VPD");
    let config = Config { quirks_off: Quirks::INQUIRY_36, ..Config::default() };
    let o = run(config, &mut disk);
    assert!(!o.report.quirks.contains(Quirks::INQUIRY_36));
    assert_eq!(o.cdbs[1], [0x12, 0, 0, 0, 96, 0]);
}

#[test]
fn quirk_no_vpd() {
    let config = Config { quirks_on: Quirks::NO_VPD, ..Config::default() };
    let o = run(config, &mut Disk::healthy());
    assert_eq!(o.verdict, Verdict::Accept);
    assert!(o.cdbs.iter().all(|c| !(c[0] == 0x12 && c[1] & 1 == 1)));
    assert_eq!(o.cdbs.len(), 2 + 3);
    assert!(o.report.serial.is_empty());
    let o = run(Config { quirks_off: Quirks::NO_VPD, ..config }, &mut Disk::healthy());
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 3);
}

#[test]
fn quirk_mode_sense_192() {
    let config = Config { quirks_on: Quirks::MODE_SENSE_192, ..Config::default() };
    let o = run(config, &mut Disk::healthy());
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.cdbs.last().unwrap().as_slice(), [0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 192, 0]);
    let o = run(Config::default(), &mut Disk::healthy());
    assert_eq!(o.cdbs.last().unwrap().as_slice(), [0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 255, 0]);
}

#[test]
fn quirk_fix_capacity() {
    let config = Config { quirks_on: Quirks::FIX_CAPACITY, ..Config::default() };
    let o = run(config, &mut Disk::healthy());
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.report.block_count, 0x4000_0000 - 1);
    assert!(o.report.warnings.contains(Warning::CapacityAdjusted));
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 3);

    // The table row for NIKON DSC, undone with quirks_off.
    let mut disk = Disk::healthy();
    disk.inquiry = inquiry(0, true, 0x02, false, ("NIKON", "NIKON DSC D70", "1.00"), 36);
    disk.rc10 = Some(rc10(1_000_000, 512));
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.report.block_count, 1_000_000);
    let o = run(Config { quirks_off: Quirks::FIX_CAPACITY, ..Config::default() }, &mut disk);
    assert_eq!(o.report.block_count, 1_000_001);
    // SCSI-2: no VPD; INQUIRY, TUR, RC10, MODE SENSE.
    assert_eq!(o.cdbs.len(), 4);
}

#[test]
fn quirk_needs_read_capacity_16() {
    // An ASMedia AS2105-style bridge: SPC-2, RC10 wraps modulo 2 TiB.
    let mut disk = Disk::healthy();
    disk.inquiry = inquiry(0, false, 0x04, false, ("ASMT", "2105", "0"), 36);
    disk.vpd = None;
    disk.rc10 = Some(rc10(0x2_0000_0000u64 as u32 + 0x1000, 512)); // wrapped
    disk.rc16 = Some(rc16(0x2_0000_0FFF, 512, 0, false, 0));
    let o = run(Config::default(), &mut disk);
    assert!(o.report.quirks.contains(Quirks::NEEDS_READ_CAPACITY_16));
    assert_eq!(o.report.block_count, 0x2_0000_1000);
    assert_eq!((o.count(0x9E), o.count(0x25)), (1, 0));
    let o =
        run(Config { quirks_off: Quirks::NEEDS_READ_CAPACITY_16, ..Config::default() }, &mut disk);
    assert_eq!(o.report.block_count, 0x1001); // the wrapped, wrong answer
    assert_eq!((o.count(0x9E), o.count(0x25)), (0, 1));
    // quirks_on on an SPC-2 device that is not in the table.
    disk.inquiry = inquiry(0, false, 0x04, false, ("OTHER", "Bridge", "0"), 36);
    let o =
        run(Config { quirks_on: Quirks::NEEDS_READ_CAPACITY_16, ..Config::default() }, &mut disk);
    assert_eq!((o.count(0x9E), o.count(0x25)), (1, 0));
    assert_eq!(o.cdbs.len(), 5);
}

#[test]
fn quirk_read_before_mode_sense() {
    let config = Config { quirks_on: Quirks::READ_BEFORE_MODE_SENSE, ..Config::default() };
    let o = run(config, &mut Disk::healthy());
    assert_eq!(o.verdict, Verdict::Accept);
    let read = &o.cdbs[o.cdbs.len() - 2];
    assert_eq!(read.as_slice(), [0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(o.cdbs.len(), HEALTHY_PRE_TUR + 4);
}

// ---- calling contract ----

#[test]
fn harmless_calls() {
    let now = Instant::from_millis(0);
    let mut engine = Engine::begin(Config::default(), now);
    let none = Completion { outcome: TaskOutcome::GOOD, realized: 0, data: &[], sense: &[] };
    // complete() with nothing outstanding changes nothing.
    assert_eq!(format!("{:?}", engine.complete(&none, now)), "Ignored");
    let Poll::Command(first) = engine.poll(now) else { panic!() };
    assert_eq!(first.command.cdb.as_bytes(), [0x12, 0, 0, 0, 36, 0]);
    assert_eq!(first.timeout, Duration::from_secs(30));
    assert_eq!(engine.poll(now), Poll::Command(first));
    assert_eq!(engine.report().commands_sent, 1);
    // Past the time budget the run ends even with a command outstanding; a late completion
    // is ignored and Done repeats.
    let late = now + Duration::from_secs(121);
    assert_eq!(engine.poll(late), Poll::Done(refused(RefuseReason::TimeBudgetExhausted)));
    assert_eq!(format!("{:?}", engine.complete(&none, late)), "Ignored");
    assert_eq!(engine.poll(late), Poll::Done(refused(RefuseReason::TimeBudgetExhausted)));
}

/// Polling again before completing returns the same request and does not count it again,
/// at every command of an attach that retries, waits, detours and falls back: the engine
/// driven by hand, without the drive loop.
#[test]
fn polling_again_repeats_the_outstanding_command() {
    let mut disk = Disk::healthy().with_hook(|cdb, _, st| match cdb[0] {
        0x00 if !st.started => Some(Reply::check(0x02, 0x04, 0x02)),
        0x9E => Some(Reply::check(0x05, 0x20, 0x00)),
        0x12 if st.count == 2 => Some(Reply::status(TaskStatus::BUSY)),
        _ => None,
    });
    let mut now = Instant::from_millis(0);
    let mut engine = Engine::begin(Config::default(), now);
    let mut sent = 0;
    let mut starts = 0;
    let verdict = loop {
        match engine.poll(now) {
            Poll::Command(req) => {
                sent += 1;
                starts += usize::from(req.command.cdb.as_bytes()[0] == 0x1B);
                for _ in 0..3 {
                    assert_eq!(engine.poll(now), Poll::Command(req));
                }
                assert_eq!(usize::from(engine.report().commands_sent), sent);
                let reply = disk.execute(req.command.cdb.as_bytes(), now);
                let mut data = vec![0u8; req.command.transfer_length as usize];
                let n = reply.data.len().min(data.len());
                data[..n].copy_from_slice(&reply.data[..n]);
                now = now + Duration::from_millis(1);
                let completion = Completion {
                    outcome: reply.outcome,
                    realized: n as u64,
                    data: &data,
                    sense: &reply.sense,
                };
                let _ = engine.complete(&completion, now);
            }
            Poll::Wait { until } => now = until,
            Poll::Done(verdict) => break verdict,
        }
    };
    assert_eq!(verdict, Verdict::Accept);
    // The healthy sequence, plus the INQUIRY BUSY retried, the START detour and the TEST UNIT
    // READY after it, and READ CAPACITY(10) after (16) failed.
    assert_eq!(sent, HEALTHY_PRE_TUR + 3 + 4);
    assert_eq!(starts, 1);
}

#[test]
fn deterministic() {
    let a = run(Config::default(), &mut Disk::healthy());
    let b = run(Config::default(), &mut Disk::healthy());
    assert_eq!((a.cdbs, a.actions, a.report), (b.cdbs, b.actions, b.report));
}

// ---------------------------------------------------------------------------------------
// Review findings (each one a regression test of the corrected behaviour)
// ---------------------------------------------------------------------------------------

/// A command that timed out (SERVICE DELIVERY OR TARGET FAILURE, TASK TIMEOUT OCCURRED).
fn timeout() -> Reply {
    Reply {
        outcome: TaskOutcome::DeliveryFailure(DeliveryFailure::TASK_TIMEOUT_OCCURRED),
        ..Reply::good(vec![])
    }
}

fn warnings(o: &Outcome) -> Vec<Warning> {
    o.report.warnings.iter().collect()
}

/// Finding 1: a VPD page that times out is not retried, and no VPD page is read after it
/// (the USB bridge hanging on a VPD page).
#[test]
fn vpd_timeout_is_not_retried_and_ends_vpd() {
    let disk =
        Disk::healthy().with_hook(|cdb, _, _| (cdb[0] == 0x12 && cdb[2] == 0x80).then(timeout));
    let o = run(Config::default(), &mut { disk });
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(
        o.cdbs,
        [
            vec![0x12, 0, 0, 0, 36, 0],
            vec![0x12, 0, 0, 0, 96, 0],
            vec![0x12, 1, 0x00, 0, 4, 0],
            vec![0x12, 1, 0x00, 0, 10, 0],
            vec![0x12, 1, 0x80, 0, 4, 0],
            vec![0x00, 0, 0, 0, 0, 0],
            vec![0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0],
            vec![0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 0xFF, 0],
        ]
    );
    assert!(o.actions[4].contains("Transport"), "{:?}", o.actions);
    assert_eq!(warnings(&o), [Warning::VpdAbandoned { page: PageCode::UNIT_SERIAL_NUMBER }]);
    assert!(o.report.serial.is_empty());
    assert_eq!(o.report.designators().count(), 0);
    // Without B0h/B2h: LBPME alone means WRITE SAME(16) (Linux sd_discard_mode).
    assert_eq!(o.report.discard, DiscardMethod::WriteSame16);

    // Page 00h itself timing out: no VPD at all, one command.
    let disk = Disk::healthy().with_hook(|cdb, _, _| (cdb[0] == 0x12 && cdb[1] == 1).then(timeout));
    let o = run(Config::default(), &mut { disk });
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(warnings(&o), [Warning::VpdAbandoned { page: PageCode::SUPPORTED_VPD_PAGES }]);
    let ops: Vec<u8> = o.cdbs.iter().map(|c| c[0]).collect();
    assert_eq!(ops, [0x12, 0x12, 0x12, 0x00, 0x9E, 0x5A]);
}

/// Finding 1: READ of LBA 0 and MODE SENSE timing out are warnings, each sent once.
#[test]
fn optional_read_and_mode_sense_timeouts_are_not_retried() {
    let mut disk =
        Disk::healthy().with_hook(|cdb, _, _| matches!(cdb[0], 0x28 | 0x5A).then(timeout));
    disk.vpd = None;
    let config = Config { quirks_on: Quirks::READ_BEFORE_MODE_SENSE, ..Config::default() };
    let o = run(config, &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    let ops: Vec<u8> = o.cdbs.iter().map(|c| c[0]).collect();
    assert_eq!(ops, [0x12, 0x12, 0x12, 0x00, 0x9E, 0x28, 0x5A]);
    assert_eq!(
        warnings(&o),
        [Warning::VpdUnsupported, Warning::ReadBlockZeroFailed, Warning::ModeSenseFailed]
    );
    assert!(!o.report.write_protected);
}

/// Finding 1: the mandatory steps keep the policy's transport budget (2 retries).
#[test]
fn mandatory_step_timeouts_keep_the_transport_budget() {
    // TEST UNIT READY (commands 4 and 5) times out twice, then answers: accepted after
    // three TURs.
    let mut disk =
        Disk::healthy().with_hook(|cdb, _, st| (cdb[0] == 0x00 && st.count <= 5).then(timeout));
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.count(0x00), 3);
    assert_eq!(warnings(&o), [Warning::VpdUnsupported]);

    // READ CAPACITY(16) timing out for good: 1 + 2 retries, then refused.
    let mut disk = Disk::healthy().with_hook(|cdb, _, _| (cdb[0] == 0x9E).then(timeout));
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::TransportFailure));
    assert_eq!(o.count(0x9E), 3);
    assert_eq!(o.count(0x25), 0);
}

/// Findings 3/4: START STOP UNIT the device executed is never sent again, whatever sense
/// it answers; TEST UNIT READY polling resumes.
#[test]
fn start_unit_is_sent_once_whatever_it_answers() {
    let answers = [(2, 4, 1), (2, 4, 2), (2, 4, 3), (4, 0x44, 0), (3, 0x11, 0), (5, 0x24, 0)];
    for (key, asc, ascq) in answers {
        let mut disk = Disk::healthy().with_hook(move |cdb, _, st| match cdb[0] {
            0x00 if !st.started => Some(Reply::check(0x02, 0x04, 0x02)),
            0x1B => Some(Reply::check(key, asc, ascq)),
            _ => None,
        });
        disk.vpd = None;
        let o = run(Config::default(), &mut disk);
        assert_eq!(o.verdict, Verdict::Accept, "{key:x} {asc:02x}/{ascq:02x}");
        let ops: Vec<u8> = o.cdbs.iter().map(|c| c[0]).collect();
        // INQUIRY ×2, VPD 00h header (rejected), TUR (04/02), START, TUR, RC16, MODE SENSE.
        assert_eq!(ops, [0x12, 0x12, 0x12, 0x00, 0x1B, 0x00, 0x9E, 0x5A]);
        assert_eq!(
            warnings(&o),
            [
                Warning::VpdUnsupported,
                Warning::StartUnitFailed { sense: Some(code(key, asc, ascq)) }
            ]
        );
    }
}

/// Findings 3/4: a START the device did not execute (no answer, BUSY, UNIT ATTENTION) keeps
/// the policy's budgets: sent again, then executed once.
#[test]
fn start_not_executed_keeps_the_policy_budgets() {
    for first in [timeout(), Reply::status(TaskStatus::BUSY), Reply::check(0x06, 0x29, 0x00)] {
        let mut starts = 0;
        let mut disk = Disk::healthy().with_hook(move |cdb, _, st| match cdb[0] {
            0x00 if starts < 2 => Some(Reply::check(0x02, 0x04, 0x02)),
            0x1B => {
                starts += 1;
                st.started = starts >= 2;
                (starts < 2).then(|| first.clone())
            }
            _ => None,
        });
        disk.vpd = None;
        let o = run(Config::default(), &mut disk);
        assert_eq!(o.verdict, Verdict::Accept);
        let ops: Vec<u8> = o.cdbs.iter().map(|c| c[0]).collect();
        assert_eq!(ops, [0x12, 0x12, 0x12, 0x00, 0x1B, 0x1B, 0x00, 0x9E, 0x5A]);
    }

    // Never answering: 1 + 2 STARTs (transport budget), a warning, then TUR decides.
    let mut disk = Disk::healthy().with_hook(|cdb, _, _| match cdb[0] {
        0x00 => Some(Reply::check(0x02, 0x04, 0x02)),
        0x1B => Some(timeout()),
        _ => None,
    });
    disk.vpd = None;
    let config = Config { time_budget: Duration::from_secs(5), ..Config::default() };
    let o = run(config, &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::TimeBudgetExhausted));
    assert_eq!(o.count(0x1B), 3);
    let failed = Warning::StartUnitFailed { sense: None };
    assert!(o.report.warnings.contains(failed));
}

/// Findings 3/4: after a START that failed, a unit still saying 04/02 is polled with the
/// becoming-ready budget, never STARTed again.
#[test]
fn start_failure_then_polls_as_becoming_ready() {
    let mut tur = 0;
    let mut disk = Disk::healthy().with_hook(move |cdb, _, _| match cdb[0] {
        0x00 => {
            tur += 1;
            (tur <= 4).then(|| Reply::check(0x02, 0x04, 0x02))
        }
        0x1B => Some(Reply::check(0x02, 0x04, 0x02)),
        _ => None,
    });
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!((o.count(0x1B), o.count(0x00)), (1, 5));
    assert_eq!(o.actions.iter().filter(|a| a.contains("BecomingReady")).count(), 3);
    assert!(o.elapsed >= Duration::from_secs(3) && o.elapsed < Duration::from_secs(4));
}

/// Findings 3/4: the one exception, DEVICE NOT PRESENT answering START, ends the attach.
#[test]
fn start_answered_device_gone_refuses() {
    let mut disk = Disk::healthy().with_hook(|cdb, _, st| match cdb[0] {
        0x00 if !st.started => Some(Reply::check(0x02, 0x04, 0x02)),
        0x1B => Some(Reply {
            outcome: TaskOutcome::DeliveryFailure(DeliveryFailure::DEVICE_NOT_PRESENT),
            ..timeout()
        }),
        _ => None,
    });
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::DeviceGone));
    let ops: Vec<u8> = o.cdbs.iter().map(|c| c[0]).collect();
    assert_eq!(ops, [0x12, 0x12, 0x12, 0x00, 0x1B]);
}

/// READ CAPACITY(16) data with PROT_EN set and P_TYPE = `p_type` (byte 12).
fn rc16_protected(p_type: u8) -> Vec<u8> {
    let mut b = rc16(0x3FFF_FFFF, 512, 0, false, 0);
    b[12] = (p_type << 1) | 1;
    b
}

/// A disk whose medium is formatted with protection information: PROT_EN = 1 and P_TYPE
/// = `p_type` in READ CAPACITY(16), and standard INQUIRY's PROTECT = `protect`.
fn protected_disk(protect: bool, p_type: u8) -> Disk {
    let mut disk = Disk::healthy();
    disk.inquiry = inquiry(0x00, false, 0x06, protect, ("ACME", "FastDisk 9000", "1.0"), 96);
    disk.rc16 = Some(rc16_protected(p_type));
    disk
}

/// Finding 6: PROT_EN / P_TYPE count only when standard INQUIRY's PROTECT is set (Linux
/// `sd_read_protection_type`). Without PROTECT, every P_TYPE (reserved ones included) is
/// ignored: type 0, accepted, no warning.
#[test]
fn protection_needs_inquiry_protect() {
    for p_type in 0..=7 {
        let o = run(Config::default(), &mut protected_disk(false, p_type));
        assert_eq!(o.verdict, Verdict::Accept, "P_TYPE {p_type}");
        assert_eq!(o.report.protection_type, 0, "P_TYPE {p_type}");
        assert!(o.report.warnings.is_empty(), "P_TYPE {p_type}: {:?}", o.report.warnings);
    }
}

/// Types 1, 2 and 3 with PROTECT: served by READ/WRITE(10)/(16) with RDPROTECT/WRPROTECT
/// 000b (SBC-4 §4.22; type 2 rejects those CDBs only with a non-zero field), so accepted,
/// with the one warning that protection information is not used end to end
/// (docs/references.md §Protection information and the kernel's READ/WRITE).
#[test]
fn protection_types_1_to_3_accepted_without_end_to_end() {
    for protection_type in 1..=3u8 {
        let o = run(Config::default(), &mut protected_disk(true, protection_type - 1));
        assert_eq!(o.verdict, Verdict::Accept, "type {protection_type}");
        assert_eq!(o.report.protection_type, protection_type);
        assert_eq!(warnings(&o), [Warning::ProtectionNotEndToEnd { protection_type }]);
        // The rest of the attach is unchanged: MODE SENSE follows, the capacity is the
        // user data's (the logical block length excludes protection information).
        assert_eq!(o.report.block_count, 0x4000_0000);
        assert_eq!(o.report.logical_block_length, 512);
        assert!(o.report.medium_present);
        assert_eq!(o.count(0x5A), 1, "type {protection_type}: MODE SENSE(10)");
    }
}

/// The engine's own READ(10) of LBA 0 (READ_BEFORE_MODE_SENSE) on a type 2 medium carries
/// RDPROTECT 000b, the form type 2 does not reject.
#[test]
fn protection_type_2_read_of_lba_0_has_rdprotect_zero() {
    let config = Config { quirks_on: Quirks::READ_BEFORE_MODE_SENSE, ..Config::default() };
    let o = run(config, &mut protected_disk(true, 1));
    assert_eq!(o.verdict, Verdict::Accept);
    let reads: Vec<&Vec<u8>> = o.cdbs.iter().filter(|c| c[0] == 0x28).collect();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0][1] >> 5, 0, "RDPROTECT");
    assert_eq!(warnings(&o), [Warning::ProtectionNotEndToEnd { protection_type: 2 }]);
}

/// Reserved P_TYPE values (100b..111b, types 5 to 8, and 011b, type 4) are refused as
/// today, as Linux does ("formatted with unsupported protection type"), with no warning
/// and nothing sent after READ CAPACITY(16).
#[test]
fn reserved_protection_types_refused() {
    for p_type in 3..=7u8 {
        let protection_type = p_type + 1;
        let o = run(Config::default(), &mut protected_disk(true, p_type));
        assert_eq!(
            o.verdict,
            refused(RefuseReason::UnsupportedProtectionType { protection_type }),
            "P_TYPE {p_type}"
        );
        assert!(o.report.warnings.is_empty(), "P_TYPE {p_type}: {:?}", o.report.warnings);
        assert_eq!(o.cdbs.last().map(|c| (c[0], c[1] & 0x1f)), Some((0x9E, 0x10)));
    }
}

/// The warning's text and published form.
#[test]
fn protection_warning_text() {
    let w = Warning::ProtectionNotEndToEnd { protection_type: 2 };
    assert_eq!(w.kind(), "protection-not-end-to-end");
    assert_eq!(
        w.to_string(),
        "the medium is formatted with type 2 protection; READ and WRITE carry \
         RDPROTECT/WRPROTECT 000b, so the device checks and generates protection \
         information itself and it is not used end to end"
    );
    #[cfg(feature = "serde")]
    {
        let v = serde_json::to_value(w).unwrap();
        assert_eq!(v["kind"], "protection-not-end-to-end");
        assert_eq!(v["protection_type"], 2);
        assert_eq!(v["message"], w.to_string());
        assert_eq!(v.as_object().unwrap().len(), 3);
    }
}

/// Finding 7: UNMAP needs both MAXIMUM UNMAP LBA COUNT and MAXIMUM UNMAP BLOCK DESCRIPTOR
/// COUNT (Linux sd_read_block_limits).
#[test]
fn unmap_needs_both_unmap_counts() {
    let mut disk = Disk::healthy();
    disk.vpd = Some(vec![vpd_b0(0x4000, 0x80, 0x1000, 0), vpd_b2(0x80)]);
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    // LBPU but no usable UNMAP limit, no LBPWS/LBPWS10: nothing.
    assert_eq!(o.report.discard, DiscardMethod::None);

    disk.vpd = Some(vec![vpd_b0(0x4000, 0x80, 0x1000, 0)]);
    let o = run(Config::default(), &mut disk);
    // Without B2h: WRITE SAME(16) when UNMAP is not usable.
    assert_eq!(o.report.discard, DiscardMethod::WriteSame16);

    disk.vpd = Some(vec![vpd_b0(0x4000, 0x80, 0, 0x10), vpd_b2(0x80)]);
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.report.discard, DiscardMethod::None);

    disk.vpd = Some(vec![vpd_b0(0x4000, 0x80, 0x1000, 1), vpd_b2(0x80)]);
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.report.discard, DiscardMethod::Unmap);
}

/// Finding 8: READ CAPACITY(10) failed, then (16) failed: refused, RC10 sent once.
#[test]
fn rc10_then_rc16_failing_never_resends_rc10() {
    let mut disk = Disk::healthy()
        .with_hook(|cdb, _, _| (cdb[0] == 0x25).then(|| Reply::check(0x03, 0x11, 0x00)));
    disk.inquiry = inquiry(0, false, 0x04, false, ("BIG", "Array", "0001"), 36);
    disk.vpd = None;
    disk.rc16 = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, refused(RefuseReason::CapacityUnknown));
    let ops: Vec<u8> = o.cdbs.iter().map(|c| c[0]).collect();
    assert_eq!(ops, [0x12, 0x12, 0x00, 0x25, 0x9E]);
    assert_eq!(warnings(&o), [Warning::VpdUnsupported, Warning::ReadCapacity16Failed]);
}

/// Finding 9: FIX_CAPACITY / GUESS_CAPACITY leave the assumed 2^32 blocks alone.
#[test]
fn capacity_quirks_leave_assumed_2_to_32_alone() {
    for quirk in [Quirks::FIX_CAPACITY, Quirks::GUESS_CAPACITY] {
        let mut disk = Disk::healthy();
        disk.inquiry = inquiry(0, false, 0x04, false, ("BIG", "Array", "0001"), 36);
        disk.vpd = None;
        disk.rc10 = Some(rc10(0xFFFF_FFFF, 512));
        disk.rc16 = None;
        let o = run(Config { quirks_on: quirk, ..Config::default() }, &mut disk);
        assert_eq!(o.verdict, Verdict::Accept);
        assert_eq!(o.report.block_count, 1 << 32, "{quirk:?}");
        assert!(!o.report.warnings.contains(Warning::CapacityAdjusted));
        assert!(o.report.warnings.contains(Warning::CapacityAssumed2To32));
    }
}

/// Finding 10: OPTIMAL TRANSFER LENGTH below 4096 bytes or above 0xFFFF blocks is ignored
/// (Linux sd_validate_opt_xfer_size).
#[test]
fn optimal_transfer_length_bounds() {
    let cases: [(u32, Option<u32>); 5] =
        [(1, None), (7, None), (8, Some(8)), (0xFFFF, Some(0xFFFF)), (0x1_0000, None)];
    for (opt, want) in cases {
        let mut disk = Disk::healthy();
        disk.vpd = Some(vec![vpd_b0(0, opt, 0, 0)]);
        disk.rc16 = Some(rc16(0x3FFF_FFFF, 512, 0, false, 0));
        let o = run(Config::default(), &mut disk);
        assert_eq!(o.verdict, Verdict::Accept);
        assert_eq!(o.report.optimal_transfer_blocks, want, "opt {opt}");
        let invalid = o.report.warnings.contains(Warning::OptimalTransferInvalid);
        assert_eq!(invalid, want.is_none(), "opt {opt}");
    }
}

/// Finding 11: a first INQUIRY that realized less than it announced (within 36 bytes) is
/// not sent again.
#[test]
fn short_first_inquiry_is_not_repeated() {
    let mut disk = Disk::healthy().with_hook(|cdb, _, _| {
        (cdb[0] == 0x12 && cdb[1] & 1 == 0).then(|| {
            let data = inquiry(0x00, false, 0x06, false, ("VEND", "PRODUCT", "1.0"), 36);
            Reply { realized: Some(32), ..Reply::good(data) }
        })
    });
    disk.vpd = None;
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    let standard: Vec<_> = o.cdbs.iter().filter(|c| c[0] == 0x12 && c[1] & 1 == 0).collect();
    assert_eq!(standard, [&vec![0x12, 0, 0, 0, 36, 0]]);
    assert_eq!(o.report.product.as_str(), Some("PRODUCT"));
    assert_eq!(warnings(&o), [Warning::InquiryShort, Warning::VpdUnsupported]);
}

/// Finding 12: a SAT T10 vendor ID designator (8 + 40 + 20 = 68 bytes) is kept; only
/// designators past 96 bytes are skipped.
#[test]
fn sat_t10_vendor_id_designator_is_kept() {
    let mut t10 = b"ATA     ".to_vec();
    t10.extend_from_slice(&[b'M'; 40]);
    t10.extend_from_slice(&[b'S'; 20]);
    let mut long_name = b"iqn.2024-01.org.example:".to_vec();
    long_name.resize(100, b'x');
    let mut p = vec![0x02, 0x01, 0x00, t10.len() as u8];
    p.extend_from_slice(&t10);
    p.extend_from_slice(&[0x03, 0x08, 0x00, long_name.len() as u8]);
    p.extend_from_slice(&long_name);
    let mut disk = Disk::healthy();
    disk.vpd = Some(vec![vpd(0x83, &p)]);
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    let d: Vec<_> = o.report.designators().collect();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].designator_type, DesignatorType::T10_VENDOR_ID);
    assert_eq!(d[0].as_bytes(), t10.as_slice());
    assert_eq!(warnings(&o), [Warning::DesignatorTooLong]);
}

/// Finding 13: `usb` adds USB_DEFAULTS (with MAX_SECTORS_2048) before `quirks_off`.
#[test]
fn usb_config_adds_usb_defaults_before_quirks_off() {
    assert!(!Config::default().usb);
    assert!(sbc_core::attach::USB_DEFAULTS.contains(Quirks::MAX_SECTORS_2048));
    let config = Config { usb: true, quirks_off: Quirks::SKIP_CACHING_PAGE, ..Config::default() };
    let o = run(config, &mut Disk::healthy());
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(o.report.quirks, sbc_core::attach::USB_DEFAULTS - Quirks::SKIP_CACHING_PAGE);
    // READ CAPACITY(10) first, READ(10) of LBA 0, MODE SENSE(10) of all pages at 192 bytes.
    let tail: Vec<Vec<u8>> = o.cdbs[HEALTHY_PRE_TUR..].to_vec();
    assert_eq!(
        tail,
        [
            vec![0x00, 0, 0, 0, 0, 0],
            vec![0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            vec![0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0],
            vec![0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 192, 0],
            // SMART: a USB unit gets one IDENTIFY DEVICE attempt, (16) then (12).
            vec![0x85, 0x08, 0x0E, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0xEC, 0],
            vec![0xA1, 0x08, 0x0E, 0, 0x01, 0, 0, 0, 0, 0xEC, 0, 0],
        ]
    );
    assert_eq!(o.report.max_transfer_blocks, Some(2048));
    assert_eq!(o.report.write_cache, Some(true)); // the Caching page was not skipped
    assert_eq!(o.report.discard, DiscardMethod::None); // RC10: no LBPME

    // Without `usb`, the same quirks_off leaves the table's (no) quirks.
    let config = Config { quirks_off: Quirks::SKIP_CACHING_PAGE, ..Config::default() };
    let o = run(config, &mut Disk::healthy());
    assert_eq!(o.report.quirks, Quirks::empty());
    assert_eq!(o.report.max_transfer_blocks, Some(0x4000));
}

/// Finding 14: INQUIRY DATA HAS CHANGED re-reads standard INQUIRY once, then the
/// interrupted command is sent again; a second one is only absorbed.
#[test]
fn inquiry_data_changed_rereads_inquiry_once() {
    let mut disk = Disk::healthy().with_hook(|cdb, _, st| match cdb[0] {
        0x00 if !st.started => {
            st.started = true; // first TUR only
            Some(Reply::check(0x06, 0x3F, 0x03))
        }
        0x12 if cdb[1] & 1 == 0 && st.started => Some(Reply::good(inquiry(
            0x00,
            false,
            0x06,
            false,
            ("ACME", "FastDisk 9001", "2.0"),
            96,
        ))),
        0x9E if st.count == 8 => Some(Reply::check(0x06, 0x3F, 0x05)),
        _ => None,
    });
    disk.vpd = Some(vec![]);
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    assert_eq!(
        o.cdbs[4..].to_vec(),
        [
            vec![0x00, 0, 0, 0, 0, 0],
            vec![0x12, 0, 0, 0, 96, 0],
            vec![0x00, 0, 0, 0, 0, 0],
            vec![0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0],
            vec![0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0],
            vec![0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 0xFF, 0],
        ]
    );
    assert_eq!(o.report.product.as_str(), Some("FastDisk 9001"));
    assert_eq!(o.report.revision.as_str(), Some("2.0"));
    assert_eq!(
        warnings(&o),
        [
            Warning::ChangeReported { sense: code(0x06, 0x3F, 0x03) },
            Warning::ChangeReported { sense: code(0x06, 0x3F, 0x05) },
        ]
    );

    // The re-read itself failing is a warning; it is not retried.
    let mut disk = Disk::healthy().with_hook(|cdb, _, st| match cdb[0] {
        0x00 if !st.started => {
            st.started = true;
            Some(Reply::check(0x06, 0x3F, 0x03))
        }
        0x12 if cdb[1] & 1 == 0 && st.started => Some(timeout()),
        _ => None,
    });
    disk.vpd = Some(vec![]);
    let o = run(Config::default(), &mut disk);
    assert_eq!(o.verdict, Verdict::Accept);
    let ops: Vec<u8> = o.cdbs.iter().map(|c| c[0]).collect();
    assert_eq!(ops, [0x12, 0x12, 0x12, 0x12, 0x00, 0x12, 0x00, 0x9E, 0x5A]);
    assert_eq!(o.report.product.as_str(), Some("FastDisk 9000"));
    assert_eq!(
        warnings(&o),
        [Warning::ChangeReported { sense: code(0x06, 0x3F, 0x03) }, Warning::InquiryRereadFailed]
    );
}
