//! Byte-exact CDBs of the three USB-to-NVMe bridge protocols. Every vector was written by
//! hand from the layout the reference sends, not from the builder:
//!
//! - ASMedia: smartmontools `scsinvme.cpp`, `sntasmedia_device::nvme_pass_through`
//!   (`cdb[0] = 0xe6; cdb[1] = opcode; cdb[3] = (uint8_t)cdw10; cdb[7] = cdw10 >> 16`,
//!   16 bytes, data in), with openSeaChest's `build_Basic_Passthrough_CDB`
//!   (`asmedia_nvme_helper.c`) for byte 6 (CDW10 bits 31:24, zero here).
//! - Realtek: smartmontools `sntrealtek_device::nvme_pass_through`
//!   (`cdb[0] = 0xe4; le16(size) at cdb+1; cdb[3] = opcode; cdb[4] = (uint8_t)cdw10`),
//!   the same as openSeaChest's `build_Realtek_Basic_NVMe_CDB_And_Payload`.
//! - JMicron: smartmontools `sntjmicron_device::nvme_pass_through` (12-byte A1h CDBs,
//!   byte 1 = 80h | protocol, be24 length at byte 3; the command block's dwords 0, 2, 3,
//!   12) and openSeaChest's `build_JM_NVMe_CDB_And_Payload` (`jmicron_nvme_helper.c`:
//!   the same bytes, vendor control in byte 72 left 0).
//!
//! CDW10 of GET LOG PAGE is LID | (dwords - 1) << 16 (smartmontools `nvme_read_log_page_1`,
//! NVMe Base 2.0a §5.16): 512 bytes are 127 = 7Fh dwords minus one, 256 bytes 3Fh, 4096
//! bytes 3FFh.

mod common;

use common::every_prefix;
use sbc_core::wire::cdb::needs_exclusive_access;
use sbc_core::wire::cdb::nvme_bridge::{
    asmedia, realtek, AdminCommand, BridgeCommand, JmicronCompletion, JmicronExchange, LogPage,
    JMICRON_BLOCK_LEN,
};
use sbc_core::wire::cdb::{BuildError, DataDirection};
use sbc_core::wire::Error;

fn check(c: BridgeCommand, cdb: &[u8], direction: DataDirection, length: u64) {
    assert_eq!(c.command.cdb.as_bytes(), cdb);
    assert_eq!((c.command.direction, c.command.transfer_length), (direction, length));
    assert!(c.exclusive, "every bridge command is sent with services suspended");
}

const IDENTIFY_CTRL: AdminCommand = AdminCommand::IdentifyController;
const SMART: AdminCommand = AdminCommand::smart_health_log();

#[test]
fn test_asmedia_vectors() {
    use DataDirection::In;
    let z = [0u8; 8];
    let cdb = |head: [u8; 8]| -> Vec<u8> { [head, z].concat() };
    check(asmedia(&IDENTIFY_CTRL).unwrap(), &cdb([0xE6, 0x06, 0, 0x01, 0, 0, 0, 0]), In, 4096);
    check(
        asmedia(&AdminCommand::IdentifyNamespace { nsid: 1 }).unwrap(),
        &cdb([0xE6, 0x06, 0, 0x00, 0, 0, 0, 0]),
        In,
        4096,
    );
    check(asmedia(&SMART).unwrap(), &cdb([0xE6, 0x02, 0, 0x02, 0, 0, 0, 0x7F]), In, 512);
    check(
        asmedia(&AdminCommand::error_information_log(4)).unwrap(),
        &cdb([0xE6, 0x02, 0, 0x01, 0, 0, 0, 0x3F]),
        In,
        256,
    );
    check(
        asmedia(&AdminCommand::firmware_slot_log()).unwrap(),
        &cdb([0xE6, 0x02, 0, 0x03, 0, 0, 0, 0x7F]),
        In,
        512,
    );
    // NSID 0 asks for the controller's log too.
    let smart0 = AdminCommand::GetLogPage { page: LogPage::SmartHealth, nsid: 0, length: 512 };
    check(asmedia(&smart0).unwrap(), &cdb([0xE6, 0x02, 0, 0x02, 0, 0, 0, 0x7F]), In, 512);
    let c = asmedia(&SMART).unwrap();
    assert!(c.ends_exclusive);
    assert!(needs_exclusive_access(c.command.cdb.as_bytes()), "E6h is a vendor opcode");
}

#[test]
fn test_realtek_vectors() {
    use DataDirection::In;
    let cdb = |head: [u8; 5]| -> Vec<u8> { [&head[..], &[0u8; 11][..]].concat() };
    check(realtek(&IDENTIFY_CTRL).unwrap(), &cdb([0xE4, 0x00, 0x10, 0x06, 0x01]), In, 4096);
    check(
        realtek(&AdminCommand::IdentifyNamespace { nsid: 1 }).unwrap(),
        &cdb([0xE4, 0x00, 0x10, 0x06, 0x00]),
        In,
        4096,
    );
    check(realtek(&SMART).unwrap(), &cdb([0xE4, 0x00, 0x02, 0x02, 0x02]), In, 512);
    check(
        realtek(&AdminCommand::error_information_log(4)).unwrap(),
        &cdb([0xE4, 0x00, 0x01, 0x02, 0x01]),
        In,
        256,
    );
    check(
        realtek(&AdminCommand::firmware_slot_log()).unwrap(),
        &cdb([0xE4, 0x00, 0x02, 0x02, 0x03]),
        In,
        512,
    );
    // A 4-byte log read: the smallest; length 0004h little-endian.
    let tiny = AdminCommand::GetLogPage { page: LogPage::SmartHealth, nsid: u32::MAX, length: 4 };
    check(realtek(&tiny).unwrap(), &cdb([0xE4, 0x04, 0x00, 0x02, 0x02]), In, 4);
    let c = realtek(&SMART).unwrap();
    assert!(c.ends_exclusive);
    assert!(needs_exclusive_access(c.command.cdb.as_bytes()), "E4h is a vendor opcode");
}

#[test]
fn test_jmicron_vectors() {
    use DataDirection::{In, Out};
    let x = JmicronExchange::new(SMART).unwrap();
    let [block, data, reply] = x.steps();
    check(block, &[0xA1, 0x80, 0, 0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0], Out, 512);
    check(data, &[0xA1, 0x82, 0, 0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0], In, 512);
    check(reply, &[0xA1, 0x8F, 0, 0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0], In, 512);
    // One exclusive section: suspended at the first step, resumed after the third.
    assert_eq!([block, data, reply].map(|s| s.ends_exclusive), [false, false, true]);
    // A1h alone would not need it: the marking is the exchange's, not the opcode's.
    assert!(!needs_exclusive_access(block.command.cdb.as_bytes()));

    let mut buf = [0xEEu8; 600];
    assert_eq!(x.write_command_block(&mut buf), Ok(JMICRON_BLOCK_LEN));
    let mut want = [0u8; 512];
    want[..4].copy_from_slice(b"NVME");
    want[8] = 0x02; // CDW0: GET LOG PAGE
    want[12..16].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]); // NSID FFFFFFFFh
    want[48..52].copy_from_slice(&[0x02, 0x00, 0x7F, 0x00]); // CDW10: LID 02h, NUMDL 7Fh
    assert_eq!(&buf[..512], &want[..]);
    assert!(buf[512..].iter().all(|&b| b == 0xEE), "nothing written past the block");
    assert_eq!(
        x.write_command_block(&mut [0u8; 511]),
        Err(BuildError::BufferTooSmall { needed: 512, available: 511 })
    );

    let id = JmicronExchange::new(IDENTIFY_CTRL).unwrap();
    check(id.data_phase(), &[0xA1, 0x82, 0, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0, 0], In, 4096);
    let mut block = [0u8; 512];
    id.write_command_block(&mut block).unwrap();
    assert_eq!(&block[..16], b"NVME\0\0\0\0\x06\0\0\0\0\0\0\0");
    assert_eq!(&block[48..52], &[0x01, 0, 0, 0]);
    assert_eq!(block[72], 0, "vendor control 0: carry the command");

    let ns = JmicronExchange::new(AdminCommand::IdentifyNamespace { nsid: 2 }).unwrap();
    ns.write_command_block(&mut block).unwrap();
    assert_eq!((&block[8..16], &block[48..52]), (&[6, 0, 0, 0, 2, 0, 0, 0][..], &[0u8; 4][..]));

    // A whole 4 KiB log: NUMDL 3FFh, length 001000h.
    let big = AdminCommand::GetLogPage { page: LogPage::ErrorInformation, nsid: 0, length: 4096 };
    let big = JmicronExchange::new(big).unwrap();
    check(big.data_phase(), &[0xA1, 0x82, 0, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0, 0], In, 4096);
    big.write_command_block(&mut block).unwrap();
    assert_eq!(&block[48..52], &[0x01, 0x00, 0xFF, 0x03]);
}

#[test]
fn test_refusals() {
    let log = |nsid, length| AdminCommand::GetLogPage { page: LogPage::SmartHealth, nsid, length };
    for build in [asmedia, realtek] {
        // 1 KiB: above the 512 bytes these bridges are read with.
        assert!(matches!(build(&log(u32::MAX, 1024)), Err(BuildError::OutOfRange { .. })));
        // The CDB has no NSID field.
        assert!(matches!(build(&log(1, 512)), Err(BuildError::Invalid(_))));
        let ns2 = AdminCommand::IdentifyNamespace { nsid: 2 };
        assert!(matches!(build(&ns2), Err(BuildError::Invalid(_))));
    }
    for length in [0, 2, 6, 510] {
        assert!(matches!(JmicronExchange::new(log(0, length)), Err(BuildError::Invalid(_))));
        assert!(asmedia(&log(0, length)).is_err());
    }
    assert!(matches!(
        JmicronExchange::new(log(0, 4100)),
        Err(BuildError::OutOfRange { max: 4096, .. })
    ));
    let ns0 = AdminCommand::IdentifyNamespace { nsid: 0 };
    assert!(matches!(JmicronExchange::new(ns0), Err(BuildError::Invalid(_))));
    assert!(JmicronExchange::new(log(1, 512)).is_ok(), "JMicron carries the NSID");
    assert_eq!(
        AdminCommand::error_information_log(u32::MAX).data_length(),
        u32::MAX,
        "saturates, then refused"
    );
    assert!(JmicronExchange::new(AdminCommand::error_information_log(u32::MAX)).is_err());
}

fn reply(dw0: u32, dw3: u32) -> [u8; 512] {
    let mut r = [0u8; 512];
    r[..4].copy_from_slice(b"NVME");
    r[8..12].copy_from_slice(&dw0.to_le_bytes());
    r[20..24].copy_from_slice(&dw3.to_le_bytes());
    r
}

#[test]
fn test_jmicron_completion() {
    let ok = JmicronCompletion::parse(&reply(0x1234_5678, 0)).unwrap();
    assert_eq!((ok.announced, ok.available), (512, 512));
    assert_eq!(ok.value.dw0, 0x1234_5678);
    assert!(ok.value.succeeded());
    // The phase tag (bit 16) alone: success to smartmontools' reading.
    let phase = JmicronCompletion::parse(&reply(0, 1 << 16)).unwrap().value;
    assert!(phase.succeeded() && phase.status() == 0);
    // SCT 1 (command specific), SC 09h: Invalid Log Page.
    let bad = JmicronCompletion::parse(&reply(0, 0x109 << 17)).unwrap().value;
    assert!(!bad.succeeded());
    assert_eq!((bad.status_code_type(), bad.status_code()), (1, 0x09));
    // Do Not Retry (status bit 14) with a success code is still success.
    assert!(JmicronCompletion::parse(&reply(0, 1 << 31)).unwrap().value.succeeded());

    let mut wrong = reply(0, 0);
    wrong[3] = b'e';
    assert!(matches!(JmicronCompletion::parse(&wrong), Err(Error::Malformed(_))));
    let full = reply(7, 0x2 << 17);
    every_prefix(&full, |p| match JmicronCompletion::parse(p) {
        Err(e) => {
            assert!(p.len() < 24);
            assert_eq!(e, Error::Truncated { needed: 24, available: p.len() });
        }
        Ok(d) => {
            assert_eq!(d.value, JmicronCompletion { dw0: 7, dw3: 0x2 << 17 });
            assert_eq!(d.is_truncated(), p.len() < 512);
        }
    });
    // Longer than the block: the rest is ignored.
    let long = [&full[..], &[0xFF; 100][..]].concat();
    assert_eq!(JmicronCompletion::parse(&long).unwrap().available, 512);
}

#[test]
fn test_admin_command_dwords() {
    assert_eq!((IDENTIFY_CTRL.opcode(), IDENTIFY_CTRL.nsid(), IDENTIFY_CTRL.cdw10()), (6, 0, 1));
    assert_eq!((SMART.opcode(), SMART.nsid(), SMART.cdw10()), (2, u32::MAX, 0x007F_0002));
    assert_eq!(AdminCommand::firmware_slot_log().cdw10(), 0x007F_0003);
    assert_eq!(AdminCommand::error_information_log(1).cdw10(), 0x000F_0001);
}
