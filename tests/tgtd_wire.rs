//! The wire layer against tgtd, a real SBC target no one on this project wrote, reached
//! through libiscsi, an initiator no one on this project wrote either.
//!
//! Each test starts its own private tgtd on a free loopback port, configures LUNs with
//! tgtadm, sends CDBs built by the core, and checks that the core's decoders read back
//! exactly what tgtd was configured with. Dropping the handle stops tgtd.
#![cfg(feature = "iscsi")]

use sbc_core::sense::{self, Parsed, SenseFormat, SenseKey};
use sbc_core::wire::cdb::{
    Cdb, Command, DataDirection, Inquiry, ModeSense10, PageControl, ReadCapacity10, ReadCapacity16,
    TestUnitReady,
};
use sbc_core::wire::inquiry::InquiryData;
use sbc_core::wire::mode::ModeParameters;
use sbc_core::wire::read_capacity;
use sbc_core::wire::status::{TaskOutcome, TaskStatus};
use sbc_core::wire::vpd::{self, PageCode, VpdPage};
use sbc_dext::target::iscsi::IscsiTarget;
use sbc_dext::target::Completion;
use sbc_dext::tgtd::{LunConfig, Tgtd};

mod common;
use common::{exec, sense_of};

const MIB: u64 = 1 << 20;

fn start(luns: &[LunConfig]) -> Tgtd {
    Tgtd::start(luns).unwrap_or_else(|e| panic!("tgtd did not start: {e}"))
}

fn connect(tgtd: &Tgtd, lun: u32) -> IscsiTarget {
    IscsiTarget::connect(&tgtd.url(lun), false)
        .unwrap_or_else(|e| panic!("login failed: {e}\ntgtd log:\n{}", tgtd.log()))
}

/// Sends `command`, expects GOOD, returns the realized data.
fn good(target: &mut IscsiTarget, command: Command) -> Vec<u8> {
    let cdb = command.cdb;
    let (done, data) = exec(target, command, 0);
    assert_eq!(done.outcome, TaskOutcome::GOOD, "{cdb:?}: sense {:02x?}", done.sense);
    data
}

fn check_condition(target: &mut IscsiTarget, command: Command) -> Completion {
    let cdb = command.cdb;
    let (done, _) = exec(target, command, 0);
    assert_eq!(done.outcome, TaskOutcome::Complete(TaskStatus::CHECK_CONDITION), "{cdb:?}");
    done
}

fn inquiry(evpd_page: Option<u8>, allocation_length: u16) -> Command {
    Inquiry { evpd_page, allocation_length }.encode().unwrap()
}

fn vpd_page(target: &mut IscsiTarget, page: u8) -> Vec<u8> {
    good(target, inquiry(Some(page), 255))
}

#[test]
fn inquiry_and_vpd_match_the_configured_identity() {
    let tgtd = start(&[LunConfig::new(1, 64 * MIB, 512)
        .param("vendor_id", "ACME")
        .param("product_id", "Widget")
        .param("product_rev", "1.0")
        .param("scsi_sn", "SN12345")]);
    let mut t = connect(&tgtd, 1);

    let data = good(&mut t, inquiry(None, 96));
    let inq = InquiryData::parse(&data).unwrap();
    assert!(!inq.is_truncated());
    let inq = inq.value;
    assert_eq!(inq.t10_vendor_identification.unwrap().as_bytes(), b"ACME");
    assert_eq!(inq.product_identification.unwrap().as_bytes(), b"Widget");
    assert_eq!(inq.product_revision_level.unwrap().as_bytes(), b"1.0");
    assert_eq!(inq.peripheral_device_type.0, 0);
    assert_eq!(inq.version.0, 5, "tgtd claims SPC-3 (docs/witnesses.md §tgtd)");

    // A 36-byte read of the same data is cut, and says how much more there is.
    let short = good(&mut t, inquiry(None, 36));
    let cut = InquiryData::parse(&short).unwrap();
    assert_eq!((cut.available, cut.announced), (36, data.len()));
    assert_eq!(cut.value.product_identification, inq.product_identification);

    let pages = vpd_page(&mut t, 0x00);
    let Ok(decoded) = vpd::decode(&pages) else { panic!("{pages:02x?}") };
    let VpdPage::SupportedPages(list) = decoded.value else { panic!("{decoded:?}") };
    let codes: Vec<u8> = list.page_codes().map(|c| c.0).collect();
    assert_eq!(codes, [0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2], "docs/witnesses.md §tgtd");

    let serial = vpd_page(&mut t, 0x80);
    let VpdPage::UnitSerialNumber(s) = vpd::decode(&serial).unwrap().value else { panic!() };
    assert_eq!(s.product_serial_number.unwrap().as_bytes(), b"SN12345");

    let ids = vpd_page(&mut t, 0x83);
    let VpdPage::DeviceIdentification(d) = vpd::decode(&ids).unwrap().value else { panic!() };
    let types: Vec<u8> = d.designators().map(|x| x.designator_type.0).collect();
    assert!(types.contains(&3), "tgtd serves NAA designators: {types:?}");
    assert!(!d.designators().is_truncated());

    // A page tgtd does not have: ILLEGAL REQUEST, INVALID FIELD IN CDB (24/00).
    let done = check_condition(&mut t, inquiry(Some(0x89), 255));
    assert_eq!(sense_of(&done), (SenseKey::ILLEGAL_REQUEST.0, 0x24, 0));
}

#[test]
fn read_capacity_matches_block_size_and_provisioning() {
    let tgtd = start(&[
        LunConfig::new(1, 64 * MIB, 512),
        LunConfig::new(2, 64 * MIB, 4096).param("thin_provisioning", "1"),
    ]);
    let mut plain = connect(&tgtd, 1);
    let rc16 = good(&mut plain, ReadCapacity16 { allocation_length: 32 }.encode().unwrap());
    let rc = read_capacity::ReadCapacity16::parse(&rc16).unwrap().value;
    assert_eq!(rc.checked_block_count(), Some(64 * MIB / 512));
    assert_eq!(rc.logical_block_length_in_bytes, 512);
    assert_eq!(rc.physical_block_length(), Some(4096), "tgtd's default LBPPBE is 3");
    assert_eq!((rc.lbpme, rc.lbprz), (Some(false), Some(false)));

    let mut thin = connect(&tgtd, 2);
    let rc16 = good(&mut thin, ReadCapacity16 { allocation_length: 32 }.encode().unwrap());
    let rc = read_capacity::ReadCapacity16::parse(&rc16).unwrap().value;
    assert_eq!(rc.checked_block_count(), Some(64 * MIB / 4096));
    assert_eq!(rc.logical_block_length_in_bytes, 4096);
    assert_eq!((rc.lbpme, rc.lbprz), (Some(true), Some(true)));
    let rc10 = good(&mut thin, ReadCapacity10.encode().unwrap());
    let rc10 = read_capacity::ReadCapacity10::parse(&rc10).unwrap().value;
    assert_eq!((rc10.block_count(), rc10.logical_block_length_in_bytes), (16384, 4096));

    let lbp = vpd_page(&mut thin, 0xb2);
    let VpdPage::LogicalBlockProvisioning(p) = vpd::decode(&lbp).unwrap().value else { panic!() };
    assert_eq!((p.lbpu, p.lbpws, p.lbpws10), (Some(true), Some(true), Some(true)));
    let limits = vpd_page(&mut thin, 0xb0);
    let VpdPage::BlockLimits(b) = vpd::decode(&limits).unwrap().value else { panic!() };
    assert_eq!(b.maximum_unmap_lba_count, Some(0xffff_ffff), "docs/witnesses.md §tgtd, B0h");
    assert_eq!(vpd::decode(&limits).unwrap().value.page_code(), PageCode::BLOCK_LIMITS);
}

fn mode_sense_all(target: &mut IscsiTarget) -> Vec<u8> {
    let cmd = ModeSense10 {
        llbaa: false,
        dbd: false,
        page_control: PageControl::Current,
        page_code: 0x3f,
        subpage_code: 0,
        allocation_length: 4096,
    };
    good(target, cmd.encode().unwrap())
}

#[test]
fn mode_sense_reports_write_protect_and_caching() {
    let tgtd = start(&[
        LunConfig::new(1, 64 * MIB, 512),
        LunConfig::new(2, 64 * MIB, 512).param("readonly", "1"),
    ]);
    let mut rw = connect(&tgtd, 1);
    let data = mode_sense_all(&mut rw);
    let mode = ModeParameters::parse10(&data).unwrap();
    assert!(!mode.is_truncated());
    let mode = mode.value;
    assert!(!mode.header.wp());
    assert!(mode.header.dpofua(), "tgtd sets DPOFUA (docs/witnesses.md §tgtd)");
    let caching = mode.find_page(0x08, 0).expect("tgtd serves the Caching page");
    let caching = sbc_core::wire::mode::caching::Caching::parse(&caching).unwrap();
    assert!(caching.wce, "tgtd's caching page has WCE=1");
    assert!(mode.find_page(0x0a, 0).is_some(), "Control page");

    let mut ro = connect(&tgtd, 2);
    let data = mode_sense_all(&mut ro);
    assert!(ModeParameters::parse10(&data).unwrap().value.header.wp());
}

#[test]
fn sense_formats_and_unit_attention_come_through_raw() {
    let tgtd = start(&[LunConfig::new(1, 64 * MIB, 512).param("sense_format", "1")]);

    // A fresh nexus, without libiscsi's TUR: the first command sees the power-on UA.
    let mut fresh = IscsiTarget::connect(&tgtd.url(1), true).unwrap();
    let done = check_condition(&mut fresh, TestUnitReady.encode().unwrap());
    let Ok(Parsed::Sense(s)) = sense::parse(&done.sense) else { panic!("{:02x?}", done.sense) };
    assert_eq!((s.value.sense_key, s.value.asc, s.value.ascq), (SenseKey::UNIT_ATTENTION, 0x29, 0));
    assert_eq!(s.value.format, SenseFormat::Descriptor);
    good(&mut fresh, TestUnitReady.encode().unwrap());

    // An opcode tgtd does not implement: 05/20/00 in descriptor format.
    let unknown = Command {
        cdb: Cdb::from_bytes(&[0xff, 0, 0, 0, 0, 0]).unwrap(),
        direction: DataDirection::None,
        transfer_length: 0,
    };
    let done = check_condition(&mut fresh, unknown);
    assert_eq!(done.sense.first(), Some(&0x72), "{:02x?}", done.sense);
    assert_eq!(sense_of(&done), (SenseKey::ILLEGAL_REQUEST.0, 0x20, 0));
}
