//! Behaviour of the simulated disk: unit attention, spin-up in virtual time, START UNIT,
//! allocation lengths, medium access, SAT pass-through, and no panic on any CDB.

use sbc_core::sense::{self, Parsed, SenseFormat as ParsedFormat};
use sbc_core::time::Instant;
use sbc_core::wire::ata_identify::IdentifyDevice;
use sbc_core::wire::cdb::{
    Cdb, Command, DataDirection, Inquiry, ModeSense10, ModeSense6, Read10, ReadCapacity10,
    ReadCapacity16, RequestSense, StartStopUnit, TestUnitReady, Write10,
};
use sbc_core::wire::inquiry::InquiryData;
use sbc_core::wire::read_capacity;
use sbc_dext::sim::{zoo, Disk, XorShift};
use sbc_dext::target::Target;

mod common;
use common::{exec, sense_of, CHECK_CONDITION, GOOD};

fn disk(name: &str) -> Disk {
    Disk::new(zoo::by_name(name).unwrap())
}

fn tur() -> Command {
    TestUnitReady.encode().unwrap()
}

fn inquiry(alloc: u16) -> Command {
    Inquiry { evpd_page: None, allocation_length: alloc }.encode().unwrap()
}

#[test]
fn first_command_after_power_on_gets_unit_attention_29_00_once() {
    let mut d = disk("sim");
    let (c, _) = exec(&mut d, tur(), 0);
    assert_eq!(c.outcome, CHECK_CONDITION);
    assert_eq!(sense_of(&c), (0x06, 0x29, 0x00));
    let (c, _) = exec(&mut d, tur(), 1);
    assert_eq!((c.outcome, c.sense.len()), (GOOD, 0));

    // A power cycle brings it back.
    d.power_cycle();
    let (c, _) = exec(&mut d, tur(), 2);
    assert_eq!(sense_of(&c), (0x06, 0x29, 0x00));
}

#[test]
fn inquiry_neither_reports_nor_clears_the_unit_attention() {
    let mut d = disk("sim");
    let (c, data) = exec(&mut d, inquiry(96), 0);
    assert_eq!(c.outcome, GOOD);
    assert_eq!(data.len(), 96);
    let (c, _) = exec(&mut d, tur(), 1);
    assert_eq!(sense_of(&c), (0x06, 0x29, 0x00));
}

#[test]
fn request_sense_returns_the_unit_attention_and_clears_it() {
    let mut d = disk("sim");
    let rs = RequestSense { descriptor_format: false, allocation_length: 252 }.encode().unwrap();
    let (c, data) = exec(&mut d, rs, 0);
    assert_eq!(c.outcome, GOOD);
    let Ok(Parsed::Sense(s)) = sense::parse(&data) else { panic!("{data:x?}") };
    assert_eq!((s.value.sense_key.0, s.value.asc, s.value.ascq), (0x06, 0x29, 0x00));
    let (c, _) = exec(&mut d, tur(), 1);
    assert_eq!(c.outcome, GOOD);
    // Nothing pending: NO SENSE.
    let (_, data) = exec(&mut d, rs, 2);
    assert_eq!((data.len(), data[0], data[2] & 0x0F, data[12], data[13]), (18, 0x70, 0, 0, 0));
}

#[test]
fn thirty_second_spin_up_is_not_ready_at_29_s_and_ready_at_31_s() {
    let mut d = disk("spin-up-30s");
    let (c, _) = exec(&mut d, tur(), 0); // power-on
    assert_eq!(sense_of(&c), (0x06, 0x29, 0x00));
    let (c, _) = exec(&mut d, tur(), 1_000);
    assert_eq!(sense_of(&c), (0x02, 0x04, 0x01));
    let (c, _) = exec(&mut d, ReadCapacity10.encode().unwrap(), 29_000);
    assert_eq!(sense_of(&c), (0x02, 0x04, 0x01));
    let (c, _) = exec(&mut d, tur(), 29_999);
    assert_eq!(sense_of(&c), (0x02, 0x04, 0x01));
    // REQUEST SENSE reports the current NOT READY cause.
    let rs = RequestSense { descriptor_format: false, allocation_length: 18 }.encode().unwrap();
    let (_, data) = exec(&mut d, rs, 29_500);
    assert_eq!((data[2] & 0x0F, data[12], data[13]), (0x02, 0x04, 0x01));
    let (c, _) = exec(&mut d, tur(), 31_000);
    assert_eq!(c.outcome, GOOD);
}

#[test]
fn spin_up_counts_from_the_first_command_not_from_time_zero() {
    let mut d = disk("spin-up-30s");
    exec(&mut d, tur(), 100_000); // power-on at t = 100 s
    let (c, _) = exec(&mut d, tur(), 129_000);
    assert_eq!(sense_of(&c), (0x02, 0x04, 0x01));
    let (c, _) = exec(&mut d, tur(), 131_000);
    assert_eq!(c.outcome, GOOD);
}

#[test]
fn needs_start_is_not_ready_04_02_until_start_unit() {
    let mut d = disk("needs-start");
    exec(&mut d, tur(), 0);
    for t in [1, 10_000, 500_000] {
        let (c, _) = exec(&mut d, tur(), t);
        assert_eq!(sense_of(&c), (0x02, 0x04, 0x02), "t={t}");
    }
    let (c, _) = exec(&mut d, ReadCapacity16 { allocation_length: 32 }.encode().unwrap(), 2);
    assert_eq!(sense_of(&c), (0x02, 0x04, 0x02));
    // START=0 does not start it.
    let stop = StartStopUnit { start: false, ..StartStopUnit::default() };
    exec(&mut d, stop.encode().unwrap(), 3);
    let (c, _) = exec(&mut d, tur(), 4);
    assert_eq!(sense_of(&c), (0x02, 0x04, 0x02));
    let start = StartStopUnit { start: true, immed: true, ..StartStopUnit::default() };
    let (c, _) = exec(&mut d, start.encode().unwrap(), 5);
    assert_eq!(c.outcome, GOOD);
    let (c, _) = exec(&mut d, tur(), 6);
    assert_eq!(c.outcome, GOOD);
    // Stopping it again needs another START.
    exec(&mut d, stop.encode().unwrap(), 7);
    let (c, _) = exec(&mut d, tur(), 8);
    assert_eq!(sense_of(&c), (0x02, 0x04, 0x02));
}

#[test]
fn allocation_lengths_are_honoured() {
    let mut d = disk("sim");
    let (_, full) = exec(&mut d, inquiry(255), 0);
    assert_eq!(full.len(), 96);
    let (c, data) = exec(&mut d, inquiry(36), 0);
    assert_eq!(c.realized, 36);
    assert_eq!(data, full[..36]);
    let parsed = InquiryData::parse(&data).unwrap();
    assert!(parsed.is_truncated());
    assert_eq!(parsed.announced, 96);
    let (c, _) = exec(&mut d, inquiry(5), 0);
    assert_eq!(c.realized, 5);

    // VPD header-first.
    let b0 = |alloc| Inquiry { evpd_page: Some(0xB0), allocation_length: alloc };
    let (c, head) = exec(&mut d, b0(4).encode().unwrap(), 0);
    assert_eq!((c.realized, &head[..]), (4, &[0x00, 0xB0, 0x00, 0x3C][..]));
    let (c, _) = exec(&mut d, b0(0x40).encode().unwrap(), 0);
    assert_eq!(c.realized, 0x40);

    exec(&mut d, tur(), 1);
    let (c, data) = exec(&mut d, ReadCapacity16 { allocation_length: 12 }.encode().unwrap(), 2);
    assert_eq!(c.realized, 12);
    let rc = read_capacity::ReadCapacity16::parse(&data).unwrap().value;
    assert_eq!(rc.returned_logical_block_address, 781_422_767);
    assert_eq!(rc.lbpme, None);

    let ms = ModeSense6 { page_code: 0x3F, allocation_length: 4, ..ModeSense6::default() };
    let (c, _) = exec(&mut d, ms.encode().unwrap(), 3);
    assert_eq!(c.realized, 4);
    // Zero allocation length: no data phase, GOOD.
    let (c, _) = exec(&mut d, inquiry(0), 4);
    assert_eq!((c.outcome, c.realized), (GOOD, 0));
}

#[test]
fn data_in_never_exceeds_the_callers_expected_length() {
    let mut d = disk("sim");
    // A CDB asking for 255 bytes in a command the caller expects 10 bytes from.
    let mut cmd = inquiry(255);
    cmd.transfer_length = 10;
    let mut data = vec![0u8; 10];
    let c = d.execute(&cmd, &mut data, Instant::from_millis(0));
    assert_eq!(c.realized, 10);
}

#[test]
fn empty_card_reader_reports_no_medium_and_rc10_all_ones() {
    let mut d = disk("card-reader-empty");
    exec(&mut d, tur(), 0);
    let (c, _) = exec(&mut d, tur(), 1);
    assert_eq!(sense_of(&c), (0x02, 0x3A, 0x00));
    let (c, data) = exec(&mut d, ReadCapacity10.encode().unwrap(), 2);
    assert_eq!(c.outcome, GOOD);
    assert_eq!(&data[..4], &[0xFF; 4]);
    let read = Read10 { lba: 0, blocks: 1, dpo: false, fua: false, block_length: 512 };
    let (c, _) = exec(&mut d, read.encode().unwrap(), 3);
    assert_eq!(sense_of(&c), (0x02, 0x3A, 0x00));
}

#[test]
fn write_protected_stick_refuses_writes_with_data_protect() {
    let mut d = disk("write-protected");
    exec(&mut d, tur(), 0);
    let w = Write10 { lba: 0, blocks: 1, dpo: false, fua: false, block_length: 512 };
    let cmd = w.encode().unwrap();
    let mut data = vec![0xAB; 512];
    let c = d.execute(&cmd, &mut data, Instant::from_millis(1));
    assert_eq!(sense_of(&c), (0x07, 0x27, 0x00));
}

#[test]
fn writes_read_back_and_unwritten_blocks_follow_the_pattern() {
    let mut d = disk("sim");
    exec(&mut d, tur(), 0);
    let w = Write10 { lba: 100, blocks: 2, dpo: false, fua: false, block_length: 512 };
    let mut data: Vec<u8> = (0..1024).map(|i| i as u8).collect();
    let c = d.execute(&w.encode().unwrap(), &mut data, Instant::from_millis(1));
    assert_eq!((c.outcome, c.realized), (GOOD, 1024));
    let r = Read10 { lba: 99, blocks: 4, dpo: false, fua: false, block_length: 512 };
    let (c, back) = exec(&mut d, r.encode().unwrap(), 2);
    assert_eq!(c.realized, 2048);
    assert!(back[..512].iter().all(|&b| b == 0));
    assert_eq!(&back[512..1536], &data[..]);
    assert!(back[1536..].iter().all(|&b| b == 0));

    let mut cd = disk("cdrom");
    exec(&mut cd, tur(), 0);
    let r = Read10 { lba: 7, blocks: 2, dpo: false, fua: false, block_length: 2048 };
    let (_, back) = exec(&mut cd, r.encode().unwrap(), 1);
    assert_eq!(&back[..8], &7u64.to_be_bytes());
    assert_eq!(&back[2048..2056], &8u64.to_be_bytes());
}

#[test]
fn reads_past_the_end_are_lba_out_of_range() {
    let mut d = disk("hdd-4kn");
    exec(&mut d, tur(), 0);
    let last = 3_418_095_615;
    let ok = Read10 { lba: last, blocks: 1, dpo: false, fua: false, block_length: 4096 };
    let (c, _) = exec(&mut d, ok.encode().unwrap(), 1);
    assert_eq!(c.outcome, GOOD);
    let past = Read10 { lba: last, blocks: 2, ..ok };
    let (c, _) = exec(&mut d, past.encode().unwrap(), 2);
    assert_eq!(sense_of(&c), (0x05, 0x21, 0x00));
}

#[test]
fn descriptor_sense_profile_answers_in_descriptor_format() {
    let mut d = disk("descriptor-sense");
    let (c, _) = exec(&mut d, tur(), 0);
    assert_eq!(c.sense[0], 0x72);
    let Ok(Parsed::Sense(s)) = sense::parse(&c.sense) else { panic!() };
    assert_eq!(s.value.format, ParsedFormat::Descriptor);
    let bad = Inquiry { evpd_page: Some(0x86), allocation_length: 64 }.encode().unwrap();
    let (c, _) = exec(&mut d, bad, 1);
    assert_eq!(c.sense[0], 0x72);
    assert_eq!(sense_of(&c), (0x05, 0x24, 0x00));
    // The fixed-format healthy disk answers the same with 70h.
    let mut f = disk("sim");
    let (c, _) = exec(&mut f, tur(), 0);
    assert_eq!((c.sense[0], c.sense.len()), (0x70, 18));
}

#[test]
fn mode_sense_10_unsupported_profile_falls_back_to_6() {
    let mut d = disk("mode-sense-6-only");
    exec(&mut d, tur(), 0);
    let ms10 = ModeSense10 { page_code: 0x3F, allocation_length: 192, ..ModeSense10::default() };
    let (c, _) = exec(&mut d, ms10.encode().unwrap(), 1);
    assert_eq!(sense_of(&c), (0x05, 0x20, 0x00));
    let ms6 = ModeSense6 { page_code: 0x3F, allocation_length: 192, ..ModeSense6::default() };
    let (c, _) = exec(&mut d, ms6.encode().unwrap(), 2);
    assert_eq!(c.outcome, GOOD);
}

#[test]
fn unknown_and_invalid_cdbs_get_illegal_request() {
    let mut d = disk("sim");
    exec(&mut d, tur(), 0);
    let raw = |bytes: &[u8], len| Command {
        cdb: Cdb::from_bytes(bytes).unwrap(),
        direction: DataDirection::In,
        transfer_length: len,
    };
    // COMPARE AND WRITE and a vendor opcode: INVALID COMMAND OPERATION CODE.
    let (c, _) = exec(&mut d, raw(&[0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0], 1024), 1);
    assert_eq!(sense_of(&c), (0x05, 0x20, 0x00));
    let (c, _) = exec(&mut d, raw(&[0xFF, 0, 0, 0, 0, 0], 0), 1);
    assert_eq!(sense_of(&c), (0x05, 0x20, 0x00));
    // INQUIRY with EVPD=0 and a page code: INVALID FIELD IN CDB, pointing at byte 2.
    let (c, _) = exec(&mut d, raw(&[0x12, 0, 0x80, 0, 36, 0], 36), 1);
    assert_eq!(sense_of(&c), (0x05, 0x24, 0x00));
    assert_eq!(&c.sense[15..18], &[0xC0, 0x00, 0x02]);
    // A 10-byte opcode in 6 bytes.
    let (c, _) = exec(&mut d, raw(&[0x28, 0, 0, 0, 0, 0], 512), 1);
    assert_eq!(c.outcome, CHECK_CONDITION);
}

#[test]
fn random_cdbs_never_panic_and_every_failure_has_decodable_sense() {
    let mut rng = XorShift::new(0x5eed);
    let mut data = vec![0u8; 8192];
    for p in zoo::all() {
        let mut d = Disk::new(p.clone());
        for i in 0..5_000u64 {
            let len = [6usize, 10, 12, 16][rng.below(4) as usize];
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
            // Half the time, a real opcode with random fields.
            if i % 2 == 0 {
                let ops = [
                    0x00, 0x03, 0x12, 0x1A, 0x1B, 0x25, 0x28, 0x2A, 0x5A, 0x85, 0x88, 0x9E, 0xA0,
                    0xA1, 0xA3,
                ];
                bytes[0] = ops[rng.below(ops.len() as u64) as usize];
            }
            let cmd = Command {
                cdb: Cdb::from_bytes(&bytes).unwrap(),
                direction: DataDirection::In,
                transfer_length: rng.below(8193),
            };
            let n = cmd.transfer_length as usize;
            let c = d.execute(&cmd, &mut data[..n], Instant::from_millis(i * 100));
            assert!(c.realized <= cmd.transfer_length, "{}: {bytes:02x?}", p.name);
            match c.outcome {
                GOOD => assert!(c.sense.is_empty()),
                CHECK_CONDITION => {
                    assert!(matches!(sense::parse(&c.sense), Ok(Parsed::Sense(_))), "{c:?}")
                }
                other => panic!("{}: {other}", p.name),
            }
        }
    }
}

#[test]
fn sat_bridge_answers_ata_pass_through_identify_with_the_vpd_89_data() {
    let profile = zoo::by_name("sat-bridge").unwrap();
    let identify = profile.vpd.as_ref().unwrap().ata_information.as_ref().unwrap().identify.clone();
    let mut d = Disk::new(profile);
    exec(&mut d, tur(), 0);
    // smartctl's IDENTIFY DEVICE: ATA PASS-THROUGH(16), PIO data-in, T_DIR, BYT_BLOK, T_LENGTH=2.
    let cdb = [0x85, 0x08, 0x0E, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0xEC, 0];
    let cmd = Command {
        cdb: Cdb::from_bytes(&cdb).unwrap(),
        direction: DataDirection::In,
        transfer_length: 512,
    };
    let (c, data) = exec(&mut d, cmd, 1);
    assert_eq!((c.outcome, c.realized), (GOOD, 512));
    assert_eq!(data, identify);
    let id = IdentifyDevice::new(&data);
    assert_eq!(id.model_number().unwrap().as_str().unwrap().trim(), "WDC WD5000AAKS-00TMA0");
    assert_eq!(id.user_addressable_sectors(), Some(976_773_168));

    // SMART READ DATA (B0h/D0h, LBA mid/high 4Fh/C2h), same pass-through form.
    let smart = [0x85, 0x08, 0x0E, 0, 0xD0, 0, 0x01, 0, 0, 0, 0x4F, 0, 0xC2, 0, 0xB0, 0];
    let cmd = Command {
        cdb: Cdb::from_bytes(&smart).unwrap(),
        direction: DataDirection::In,
        transfer_length: 512,
    };
    let (c, data) = exec(&mut d, cmd, 2);
    assert_eq!((c.outcome, c.realized), (GOOD, 512));
    assert_ne!(data, identify);

    // An ATA command the drive does not know: ABORTED COMMAND with an ATA status return.
    let other = [0x85, 0x06, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77, 0];
    let cmd = Command {
        cdb: Cdb::from_bytes(&other).unwrap(),
        direction: DataDirection::None,
        transfer_length: 0,
    };
    let (c, _) = exec(&mut d, cmd, 3);
    assert_eq!(sense_of(&c).0, 0x0B);
    let Ok(Parsed::Sense(s)) = sense::parse(&c.sense) else { panic!() };
    assert!(s.value.ata_return().is_some(), "{:x?}", c.sense);

    // The healthy SSD is not a SAT device.
    let mut ssd = disk("sim");
    exec(&mut ssd, tur(), 0);
    let cmd = Command {
        cdb: Cdb::from_bytes(&cdb).unwrap(),
        direction: DataDirection::In,
        transfer_length: 512,
    };
    let (c, _) = exec(&mut ssd, cmd, 1);
    assert_eq!(sense_of(&c), (0x05, 0x20, 0x00));
}

#[test]
fn pq1_lun_serves_inquiry_but_nothing_else() {
    let mut d = disk("lun-not-connected");
    let (c, data) = exec(&mut d, inquiry(96), 0);
    assert_eq!(c.outcome, GOOD);
    assert_eq!(data[0] >> 5, 1);
    exec(&mut d, tur(), 1); // the unit attention
    let (c, _) = exec(&mut d, tur(), 2);
    assert_eq!(sense_of(&c), (0x05, 0x25, 0x00));
}

#[test]
fn thin_lun_unmaps_and_unmapped_blocks_read_as_zeros() {
    use sbc_core::wire::cdb::{unmap_parameter_list_length, write_unmap_parameter_list, Unmap};
    let unmap = |d: &mut Disk, ranges: &[(u64, u32)], now| {
        let len = unmap_parameter_list_length(ranges.len()).unwrap();
        let cmd = Unmap { anchor: false, parameter_list_length: len }.encode().unwrap();
        let mut list = vec![0u8; usize::from(len)];
        write_unmap_parameter_list(ranges, &mut list).unwrap();
        d.execute(&cmd, &mut list, Instant::from_millis(now))
    };
    let mut d = disk("thin-lun");
    exec(&mut d, tur(), 0);
    let w = Write10 { lba: 10, blocks: 4, dpo: false, fua: false, block_length: 512 };
    let mut data = vec![0x5A; 2048];
    d.execute(&w.encode().unwrap(), &mut data, Instant::from_millis(1));
    let c = unmap(&mut d, &[(11, 2)], 2);
    assert_eq!(c.outcome, GOOD, "{c:?}");
    let r = Read10 { lba: 10, blocks: 4, dpo: false, fua: false, block_length: 512 };
    let (_, back) = exec(&mut d, r.encode().unwrap(), 3);
    assert!(back[..512].iter().all(|&b| b == 0x5A));
    assert!(back[512..1536].iter().all(|&b| b == 0));
    assert!(back[1536..].iter().all(|&b| b == 0x5A));

    // Beyond MAXIMUM UNMAP LBA COUNT (65536): INVALID FIELD IN PARAMETER LIST.
    let c = unmap(&mut d, &[(0, 65_537)], 4);
    assert_eq!(sense_of(&c), (0x05, 0x26, 0x00));
    // Past the end.
    let c = unmap(&mut d, &[(4_294_967_295, 2)], 5);
    assert_eq!(sense_of(&c), (0x05, 0x21, 0x00));

    // A thick disk does not implement UNMAP.
    let mut thick = disk("hdd-4kn");
    exec(&mut thick, tur(), 0);
    let c = unmap(&mut thick, &[(0, 1)], 1);
    assert_eq!(sense_of(&c), (0x05, 0x20, 0x00));
}

/// The SAT bridge behaviours: (16) unsupported but (12) works, fixed-format register sense,
/// CK_COND ignored, and SMART RETURN STATUS reporting a threshold exceeded.
#[test]
fn sat_bridge_quirks_and_smart_status() {
    use sbc_core::sense::AtaReturn;
    use sbc_dext::sim::SatQuirk;
    // SMART RETURN STATUS (B0h/DAh), non-data, CK_COND: (16) and (12) forms.
    let status16 = [0x85, 0x06, 0x20, 0, 0xDA, 0, 0, 0, 0, 0, 0x4F, 0, 0xC2, 0, 0xB0, 0];
    let status12 = [0xA1, 0x06, 0x20, 0xDA, 0, 0, 0x4F, 0xC2, 0, 0xB0, 0, 0];
    let none = |cdb: &[u8]| Command {
        cdb: Cdb::from_bytes(cdb).unwrap(),
        direction: DataDirection::None,
        transfer_length: 0,
    };
    let registers = |c: &sbc_dext::target::Completion| match sense::parse(&c.sense) {
        Ok(Parsed::Sense(s)) => s.value.ata_return().map(|a| a.lba_low24() >> 8),
        _ => None,
    };
    let disk = |quirk: SatQuirk| {
        let mut p = zoo::by_name("sat-bridge").unwrap();
        p.behaviour.sat = quirk;
        p.behaviour.power_on_unit_attention = false;
        Disk::new(p)
    };

    let mut d = disk(SatQuirk::Standard);
    let (c, _) = exec(&mut d, none(&status16), 0);
    assert_eq!(c.outcome, CHECK_CONDITION);
    assert_eq!(registers(&c), Some(0xC24F), "healthy: LBA High/Mid C2h/4Fh");

    let mut d = disk(SatQuirk::TwelveOnly);
    let (c, _) = exec(&mut d, none(&status16), 0);
    assert_eq!(sense_of(&c), (0x05, 0x20, 0x00), "(16) is an invalid opcode");
    let (c, _) = exec(&mut d, none(&status12), 1);
    assert_eq!(registers(&c), Some(0xC24F));

    let mut d = disk(SatQuirk::FixedSense);
    let (c, _) = exec(&mut d, none(&status16), 0);
    assert_eq!(c.sense.first().map(|b| b & 0x7F), Some(0x70), "fixed format");
    match sense::parse(&c.sense) {
        Ok(Parsed::Sense(s)) => assert!(matches!(s.value.ata_return(), Some(AtaReturn::Fixed(_)))),
        other => panic!("{other:?}"),
    }
    assert_eq!(registers(&c), Some(0xC24F));

    let mut d = disk(SatQuirk::NoCkCond);
    let (c, _) = exec(&mut d, none(&status16), 0);
    assert_eq!((c.outcome, c.sense.len()), (GOOD, 0), "CK_COND ignored: no registers");

    let mut p = zoo::by_name("sat-bridge").unwrap();
    p.behaviour.power_on_unit_attention = false;
    let ata = p.vpd.as_mut().unwrap().ata_information.as_mut().unwrap();
    ata.smart_status = Some(false);
    let mut d = Disk::new(p);
    let (c, _) = exec(&mut d, none(&status16), 0);
    assert_eq!(registers(&c), Some(0x2CF4), "threshold exceeded: 2Ch/F4h");
}
