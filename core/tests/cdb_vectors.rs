//! CDB builders against byte-exact vectors worked out by hand from the T10 tables (each
//! vector names its table), decoded back, and named by an independent peer
//! (`sg_decode_sense -c`, sg3-utils).

mod common;

use common::{ata12_identify, ata16_identify, peer};
use sbc_core::wire::cdb::{self, *};
use DataDirection::{In, None as NoData, Out};

struct Vector {
    /// The T10 table the bytes were checked against.
    table: &'static str,
    command: ScsiCommand,
    block_length: u32,
    bytes: &'static str,
    direction: DataDirection,
    transfer_length: u64,
    /// What `sg_decode_sense -c` prints for these bytes.
    peer_name: &'static str,
}

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
}

#[rustfmt::skip]
fn vectors() -> Vec<Vector> {
    let v = |table, command: ScsiCommand, block_length, bytes, direction, transfer_length, peer_name| Vector {
        table, command, block_length, bytes, direction, transfer_length, peer_name,
    };
    vec![
        v("SPC-5 TEST UNIT READY command", TestUnitReady.into(), 512,
          "00 00 00 00 00 00", NoData, 0, "Test Unit Ready"),
        // DESC = byte 1 bit 0; ALLOCATION LENGTH byte 4.
        v("SPC-5 REQUEST SENSE command", RequestSense { descriptor_format: true, allocation_length: 252 }.into(), 512,
          "03 01 00 00 fc 00", In, 252, "Request Sense"),
        v("SPC-5 REQUEST SENSE command", RequestSense { descriptor_format: false, allocation_length: 18 }.into(), 512,
          "03 00 00 00 12 00", In, 18, "Request Sense"),
        // Standard INQUIRY, 36 bytes: the classic first command.
        v("SPC-5 INQUIRY command", Inquiry { evpd_page: None, allocation_length: 36 }.into(), 512,
          "12 00 00 00 24 00", In, 36, "Inquiry"),
        // VPD 83h, ALLOCATION LENGTH 1000h in bytes 3..=4.
        v("SPC-5 INQUIRY command", Inquiry { evpd_page: Some(0x83), allocation_length: 0x1000 }.into(), 512,
          "12 01 83 10 00 00", In, 0x1000, "Inquiry"),
        // Allocation length 0: legal, no data phase.
        v("SPC-5 INQUIRY command", Inquiry { evpd_page: Some(0x00), allocation_length: 0 }.into(), 512,
          "12 01 00 00 00 00", NoData, 0, "Inquiry"),
        // DBD byte 1 bit 3; PC=01b (changeable) << 6 | page 08h = 48h.
        v("SPC-5 MODE SENSE(6) command", ModeSense6 { dbd: true, page_control: PageControl::Changeable, page_code: 0x08, subpage_code: 0, allocation_length: 0xc0 }.into(), 512,
          "1a 08 48 00 c0 00", In, 0xc0, "Mode sense(6)"),
        // LLBAA byte 1 bit 4; PC=11b << 6 | 3Fh = FFh; subpage FFh; ALLOCATION LENGTH bytes 7..=8.
        v("SPC-5 MODE SENSE(10) command", ModeSense10 { llbaa: true, dbd: false, page_control: PageControl::Saved, page_code: 0x3f, subpage_code: 0xff, allocation_length: 0x1234 }.into(), 512,
          "5a 10 ff ff 00 00 00 12 34 00", In, 0x1234, "Mode sense(10)"),
        // PF byte 1 bit 4; PARAMETER LIST LENGTH byte 4.
        v("SPC-5 MODE SELECT(6) command", ModeSelect6 { pf: true, sp: false, parameter_list_length: 0x18 }.into(), 512,
          "15 10 00 00 18 00", Out, 0x18, "Mode select(6)"),
        v("SPC-5 MODE SELECT(10) command", ModeSelect10 { pf: true, sp: true, parameter_list_length: 0x104 }.into(), 512,
          "55 11 00 00 00 00 00 01 04 00", Out, 0x104, "Mode select(10)"),
        // IMMED byte 1 bit 0; modifier byte 3 bits 3..0; POWER CONDITION 3 (STANDBY) << 4 | NO_FLUSH (bit 2).
        v("SBC-4 START STOP UNIT command", StartStopUnit { immed: true, power_condition_modifier: 0x0a, power_condition: 3, no_flush: true, loej: false, start: false }.into(), 512,
          "1b 01 00 0a 34 00", NoData, 0, "Start stop unit"),
        v("SBC-4 START STOP UNIT command", StartStopUnit { loej: true, start: true, ..Default::default() }.into(), 512,
          "1b 00 00 00 03 00", NoData, 0, "Start stop unit"),
        v("SBC-4 PREVENT ALLOW MEDIUM REMOVAL command", PreventAllowMediumRemoval { prevent: true }.into(), 512,
          "1e 00 00 00 01 00", NoData, 0, "Prevent allow medium removal"),
        v("SBC-4 READ CAPACITY (10) command", cdb::ReadCapacity10.into(), 512,
          "25 00 00 00 00 00 00 00 00 00", In, 8, "Read capacity(10)"),
        // SERVICE ACTION 10h in byte 1; ALLOCATION LENGTH bytes 10..=13.
        v("SBC-4 READ CAPACITY (16) command", cdb::ReadCapacity16 { allocation_length: 32 }.into(), 512,
          "9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00", In, 32, "Read capacity(16)"),
        // SERVICE ACTION 12h; STARTING LBA bytes 2..=9; ALLOCATION LENGTH 10..=13.
        v("SBC-4 GET LBA STATUS (16) command", GetLbaStatus { starting_lba: 0x0102_0304_0506_0708, allocation_length: 0x1000 }.into(), 512,
          "9e 12 01 02 03 04 05 06 07 08 00 00 10 00 00 00", In, 0x1000, "Get LBA status(16)"),
        // 21-bit LBA 01_2345h over bytes 1..=3; 256 blocks sent as 0.
        v("SBC-3 READ (6) command", Read6 { lba: 0x1_2345, blocks: 256, dpo: false, fua: false, block_length: 512 }.into(), 512,
          "08 01 23 45 00 00", In, 256 * 512, "Read(6)"),
        v("SBC-3 READ (6) command", Read6 { lba: 0x1f_ffff, blocks: 255, dpo: false, fua: false, block_length: 4096 }.into(), 4096,
          "08 1f ff ff ff 00", In, 255 * 4096, "Read(6)"),
        // DPO byte 1 bit 4, FUA bit 3; 0 blocks: legal, nothing moves.
        v("SBC-4 READ (10) command", Read10 { lba: 0x0102_0304, blocks: 0, dpo: true, fua: true, block_length: 512 }.into(), 512,
          "28 18 01 02 03 04 00 00 00 00", NoData, 0, "Read(10)"),
        v("SBC-4 READ (10) command", Read10 { lba: 0, blocks: 0xffff, dpo: false, fua: false, block_length: 512 }.into(), 512,
          "28 00 00 00 00 00 00 ff ff 00", In, 0xffff * 512, "Read(10)"),
        // TRANSFER LENGTH bytes 6..=9 in the 12-byte form.
        v("SBC-4 READ (12) command", Read12 { lba: 0xffff_ffff, blocks: 0x1_0000, dpo: false, fua: false, block_length: 4096 }.into(), 4096,
          "a8 00 ff ff ff ff 00 01 00 00 00 00", In, 0x1_0000 * 4096, "Read(12)"),
        // LBA 1_0000_0000h needs the 16-byte form; TRANSFER LENGTH bytes 10..=13.
        v("SBC-4 READ (16) command", Read16 { lba: 0x1_0000_0000, blocks: 8, dpo: false, fua: true, block_length: 512 }.into(), 512,
          "88 08 00 00 00 01 00 00 00 00 00 00 00 08 00 00", In, 4096, "Read(16)"),
        v("SBC-3 WRITE (6) command", Write6 { lba: 0, blocks: 1, dpo: false, fua: false, block_length: 512 }.into(), 512,
          "0a 00 00 00 01 00", Out, 512, "Write(6)"),
        v("SBC-4 WRITE (10) command", Write10 { lba: 0x10, blocks: 0xffff, dpo: true, fua: false, block_length: 512 }.into(), 512,
          "2a 10 00 00 00 10 00 ff ff 00", Out, 0xffff * 512, "Write(10)"),
        v("SBC-4 WRITE (12) command", Write12 { lba: 0, blocks: 1, dpo: false, fua: false, block_length: 520 }.into(), 520,
          "aa 00 00 00 00 00 00 00 00 01 00 00", Out, 520, "Write(12)"),
        v("SBC-4 WRITE (16) command", Write16 { lba: u64::MAX, blocks: 1, dpo: true, fua: true, block_length: 4096 }.into(), 4096,
          "8a 18 ff ff ff ff ff ff ff ff 00 00 00 01 00 00", Out, 4096, "Write(16)"),
        // BYTCHK 01b in byte 1 bits 2..1: the 4 blocks travel.
        v("SBC-4 VERIFY (10) command", Verify10 { lba: 0x20, blocks: 4, dpo: false, bytchk: 1, block_length: 512 }.into(), 512,
          "2f 02 00 00 00 20 00 00 04 00", Out, 2048, "Verify(10)"),
        // BYTCHK 11b: one block travels, compared with each.
        v("SBC-4 VERIFY (10) command", Verify10 { lba: 0x20, blocks: 4, dpo: false, bytchk: 3, block_length: 512 }.into(), 512,
          "2f 06 00 00 00 20 00 00 04 00", Out, 512, "Verify(10)"),
        // BYTCHK 00b: medium verification, no data.
        v("SBC-4 VERIFY (16) command", Verify16 { lba: 0, blocks: 0x1_0000, dpo: true, bytchk: 0, block_length: 512 }.into(), 512,
          "8f 10 00 00 00 00 00 00 00 00 00 01 00 00 00 00", NoData, 0, "Verify(16)"),
        // IMMED byte 1 bit 1; LBA 0 and 0 blocks = the whole medium.
        v("SBC-4 SYNCHRONIZE CACHE (10) command", SynchronizeCache10 { immed: true, lba: 0, blocks: 0 }.into(), 512,
          "35 02 00 00 00 00 00 00 00 00", NoData, 0, "Synchronize cache(10)"),
        v("SBC-4 SYNCHRONIZE CACHE (16) command", SynchronizeCache16 { immed: false, lba: 0x1_0000_0000, blocks: 0x100 }.into(), 512,
          "91 00 00 00 00 01 00 00 00 00 00 00 01 00 00 00", NoData, 0, "Synchronize cache(16)"),
        // ANCHOR byte 1 bit 4, UNMAP bit 3; one block of data-out.
        v("SBC-4 WRITE SAME (10) command", WriteSame10 { unmap: true, anchor: true, lba: 0x100, blocks: 0x20, block_length: 512 }.into(), 512,
          "41 18 00 00 01 00 00 00 20 00", Out, 512, "Write same(10)"),
        // UNMAP + NDOB (bit 0): no data-out at all.
        v("SBC-4 WRITE SAME (16) command", WriteSame16 { unmap: true, anchor: false, ndob: true, lba: 0, blocks: 0xffff_ffff, block_length: 4096 }.into(), 4096,
          "93 09 00 00 00 00 00 00 00 00 ff ff ff ff 00 00", NoData, 0, "Write same(16)"),
        v("SBC-4 WRITE SAME (16) command", WriteSame16 { unmap: false, anchor: false, ndob: false, lba: 7, blocks: 1, block_length: 4096 }.into(), 4096,
          "93 00 00 00 00 00 00 00 00 07 00 00 00 01 00 00", Out, 4096, "Write same(16)"),
        // ANCHOR byte 1 bit 0; PARAMETER LIST LENGTH bytes 7..=8 (one descriptor: 8 + 16).
        v("SBC-4 UNMAP command", Unmap { anchor: true, parameter_list_length: 24 }.into(), 512,
          "42 01 00 00 00 00 00 00 18 00", Out, 24, "Unmap"),
        // SELECT REPORT byte 2; ALLOCATION LENGTH bytes 6..=9.
        v("SPC-5 REPORT LUNS command", ReportLuns { select_report: 2, allocation_length: 0x1000 }.into(), 512,
          "a0 00 02 00 00 00 00 00 10 00 00 00", In, 0x1000, "Report luns"),
        // RCTD byte 2 bit 7 | REPORTING OPTIONS 010b; opcode 9Eh service action 0010h.
        v("SPC-5 REPORT SUPPORTED OPERATION CODES command", ReportSupportedOperationCodes { rctd: true, reporting_options: 2, requested_operation_code: 0x9e, requested_service_action: 0x10, allocation_length: 0x200 }.into(), 512,
          "a3 0c 82 9e 00 10 00 00 02 00 00 00", In, 0x200, "Report supported operation codes"),
        // PC 01b << 6 | page 2Fh (informational exceptions) = 6Fh; PARAMETER POINTER 5..=6.
        v("SPC-5 LOG SENSE command", LogSense { sp: false, page_control: 1, page_code: 0x2f, subpage_code: 0, parameter_pointer: 0x0102, allocation_length: 0x100 }.into(), 512,
          "4d 00 6f 00 00 01 02 01 00 00", In, 0x100, "Log sense"),
        // SELF-TEST CODE 001b (background short) in bits 7..5.
        v("SPC-5 SEND DIAGNOSTIC command", SendDiagnostic { self_test_code: 1, ..Default::default() }.into(), 512,
          "1d 20 00 00 00 00", NoData, 0, "Send diagnostic"),
        // SELFTEST bit 2 with DEVOFFL and UNITOFFL.
        v("SPC-5 SEND DIAGNOSTIC command", SendDiagnostic { selftest: true, devoffl: true, unitoffl: true, ..Default::default() }.into(), 512,
          "1d 07 00 00 00 00", NoData, 0, "Send diagnostic"),
        v("SPC-5 SEND DIAGNOSTIC command", SendDiagnostic { pf: true, parameter_list_length: 8, ..Default::default() }.into(), 512,
          "1d 10 00 00 08 00", Out, 8, "Send diagnostic"),
        // MODE 1Ch (error history); offset 3..=5, length 6..=8.
        v("SPC-5 READ BUFFER(10) command", ReadBuffer10 { mode: 0x1c, buffer_id: 0, buffer_offset: 0, allocation_length: 0x2000 }.into(), 512,
          "3c 1c 00 00 00 00 00 20 00 00", In, 0x2000, "Read buffer(10), error history"),
        v("SPC-5 WRITE BUFFER command", WriteBuffer10 { mode_specific: 0, mode: 7, buffer_id: 0, buffer_offset: 0x1_0000, parameter_list_length: 0x8000 }.into(), 512,
          "3b 07 00 01 00 00 00 80 00 00", Out, 0x8000, "Write buffer, download microcode with offsets, save, and activate"),
        v("SPC-5 SECURITY PROTOCOL IN command", SecurityProtocolIn { security_protocol: 0, security_protocol_specific: 0, inc_512: false, allocation_length: 0x200 }.into(), 512,
          "a2 00 00 00 00 00 00 00 02 00 00 00", In, 0x200, "Security protocol in"),
        // INC_512 byte 4 bit 7: 2 units of 512 bytes.
        v("SPC-5 SECURITY PROTOCOL IN command", SecurityProtocolIn { security_protocol: 1, security_protocol_specific: 0x0001, inc_512: true, allocation_length: 2 }.into(), 512,
          "a2 01 00 01 80 00 00 00 00 02 00 00", In, 1024, "Security protocol in"),
        // IDENTIFY DEVICE: PROTOCOL 4 (PIO data-in) << 1 = 08h; T_DIR|BYTE_BLOCK|T_LENGTH=10b = 0Eh;
        // COUNT 1; COMMAND ECh. The same bytes sg_sat_identify and smartctl send.
        v("SAT-4 ATA PASS-THROUGH(16) command", ata16_identify().into(), 512,
          "85 08 0e 00 00 00 01 00 00 00 00 00 00 00 ec 00", In, 512, "ATA pass-through(16)"),
        // SMART READ DATA: FEATURES D0h, LBA mid 4Fh (byte 10), LBA high C2h (byte 12), COMMAND B0h.
        v("SAT-4 ATA PASS-THROUGH(16) command", AtaPassThrough16 { features: 0xd0, lba: 0xc2_4f00, command: 0xb0, ..ata16_identify() }.into(), 512,
          "85 08 0e 00 d0 00 01 00 00 00 4f 00 c2 00 b0 00", In, 512, "ATA pass-through(16)"),
        // READ DMA EXT, EXTEND: PROTOCOL 6 << 1 | 1 = 0Dh; COUNT 0100h; 48-bit LBA 1234_5678_9ABCh
        // scattered as 7:(31:24)=56 8:(7:0)=BC 9:(39:32)=34 10:(15:8)=9A 11:(47:40)=12 12:(23:16)=78.
        v("SAT-4 ATA PASS-THROUGH(16) command", AtaPassThrough16 { protocol: AtaProtocol::DMA, extend: true, count: 0x100, lba: 0x1234_5678_9abc, device: 0x40, command: 0x25, ..ata16_identify() }.into(), 512,
          "85 0d 0e 00 00 01 00 56 bc 34 9a 12 78 40 25 00", In, 256 * 512, "ATA pass-through(16)"),
        // T_TYPE (byte 2 bit 4): the unit is the 4096-byte logical sector, 2 of them.
        v("SAT-4 ATA PASS-THROUGH(16) command", AtaPassThrough16 { t_type: true, count: 2, block_length: 4096, ..ata16_identify() }.into(), 4096,
          "85 08 1e 00 00 00 02 00 00 00 00 00 00 00 ec 00", In, 8192, "ATA pass-through(16)"),
        // BYTE_BLOCK 0, T_LENGTH 01b: FEATURES counts bytes; PIO data-out, T_DIR 0.
        v("SAT-4 ATA PASS-THROUGH(16) command", AtaPassThrough16 { protocol: AtaProtocol::PIO_DATA_OUT, t_dir: false, byte_block: false, t_length: 1, features: 0x80, count: 0, command: 0x92, ..ata16_identify() }.into(), 512,
          "85 0a 01 00 80 00 00 00 00 00 00 00 00 00 92 00", Out, 0x80, "ATA pass-through(16)"),
        v("SAT-4 ATA PASS-THROUGH(12) command", ata12_identify().into(), 512,
          "a1 08 0e 00 01 00 00 00 00 ec 00 00", In, 512, "ATA pass-through(12)"),
        // CHECK POWER MODE, non-data (PROTOCOL 3 << 1 = 06h) with CK_COND (byte 2 bit 5).
        v("SAT-4 ATA PASS-THROUGH(12) command", AtaPassThrough12 { protocol: AtaProtocol::NON_DATA, ck_cond: true, t_dir: false, byte_block: false, t_length: 0, count: 0, command: 0xe5, ..ata12_identify() }.into(), 512,
          "a1 06 20 00 00 00 00 00 00 e5 00 00", NoData, 0, "ATA pass-through(12)"),
        // SMART RETURN STATUS in the 12-byte form: FEATURES byte 3, LBA 5..=7.
        v("SAT-4 ATA PASS-THROUGH(12) command", AtaPassThrough12 { protocol: AtaProtocol::NON_DATA, ck_cond: true, t_dir: false, byte_block: false, t_length: 0, features: 0xda, count: 0, lba: 0xc2_4f00, command: 0xb0, ..ata12_identify() }.into(), 512,
          "a1 06 20 da 00 00 4f c2 00 b0 00 00", NoData, 0, "ATA pass-through(12)"),
    ]
}

#[test]
fn every_builder_matches_its_t10_table_byte_for_byte() {
    for v in vectors() {
        let c = v.command.encode().unwrap_or_else(|e| panic!("{}: {e}", v.table));
        assert_eq!(c.cdb.as_bytes(), hex(v.bytes).as_slice(), "{}: {:?}", v.table, v.command);
        assert_eq!(c.cdb.len(), cdb_length_for_opcode(c.cdb.opcode()).unwrap(), "{}", v.table);
        assert_eq!(c.direction, v.direction, "{}: {:?}", v.table, v.command);
        assert_eq!(c.transfer_length, v.transfer_length, "{}: {:?}", v.table, v.command);
        assert_eq!(c.cdb.opcode(), v.command.opcode().0, "{}", v.table);
    }
}

#[test]
fn every_vector_decodes_back_to_its_command() {
    for v in vectors() {
        let bytes = hex(v.bytes);
        assert_eq!(decode(&bytes, v.block_length), Ok(v.command), "{}: {}", v.table, v.bytes);
        // Padded to 16 bytes, as Apple's fCommandDescriptorBlock carries it: same command.
        let mut padded = [0u8; 16];
        padded[..bytes.len()].copy_from_slice(&bytes);
        assert_eq!(decode(&padded, v.block_length), Ok(v.command), "{}: padded", v.table);
    }
}

#[test]
fn every_vector_is_named_alike_by_sg_decode_sense() {
    // `sg_decode_sense -c` decodes a CDB's opcode (and service action) to a command name.
    for v in vectors() {
        let mut args = vec!["-c"];
        args.extend(v.bytes.split_whitespace());
        let out = peer("sg_decode_sense", &args);
        assert_eq!(out.trim(), v.peer_name, "{}: {}", v.table, v.bytes);
        // And our transcript name for the opcode agrees on the family.
        let ours = Opcode(hex(v.bytes)[0]).name().unwrap().to_ascii_lowercase();
        let theirs = v.peer_name.to_ascii_lowercase();
        let family =
            |s: &str| s.split(['(', ',']).next().unwrap().replace('-', " ").trim().to_string();
        if !matches!(v.bytes.get(..2), Some("9e" | "a3")) {
            assert_eq!(family(&ours), family(&theirs), "{}", v.table);
        }
    }
}

#[test]
fn read6_zero_means_256_both_ways() {
    // SBC-3 READ (6): "A TRANSFER LENGTH field set to zero specifies that 256 logical blocks
    // shall be read."
    let r = decode(&hex("08 00 00 10 00 00"), 512).unwrap();
    let ScsiCommand::Read6(r) = r else { panic!("{r:?}") };
    assert_eq!(r.blocks, 256);
    assert_eq!(r.encode().unwrap().transfer_length, 256 * 512);
    assert_eq!(r.encode().unwrap().cdb.as_bytes()[4], 0);
    // And asking for 0 blocks is refused, not sent as 256.
    let zero = Read6 { lba: 0, blocks: 0, dpo: false, fua: false, block_length: 512 };
    assert!(matches!(zero.encode(), Err(BuildError::Invalid(_))));
    let zero = Write6 { lba: 0, blocks: 0, dpo: false, fua: false, block_length: 512 };
    assert!(matches!(zero.encode(), Err(BuildError::Invalid(_))));
}

#[test]
fn unmap_parameter_list_header_and_descriptors() {
    // SBC-4 tables "UNMAP parameter list" and "UNMAP block descriptor": UNMAP DATA LENGTH
    // = n - 2, BLOCK DESCRIPTOR DATA LENGTH = n - 8, descriptors of LBA(8) + count(4) + 4
    // reserved from byte 8.
    let mut out = [0xAAu8; 64];
    let n = write_unmap_parameter_list(&[(0x1000, 8), (u64::MAX, u32::MAX)], &mut out).unwrap();
    assert_eq!(n, 40);
    assert_eq!(
        &out[..n],
        hex("00 26 00 20 00 00 00 00 \
             00 00 00 00 00 00 10 00 00 00 00 08 00 00 00 00 \
             ff ff ff ff ff ff ff ff ff ff ff ff 00 00 00 00")
        .as_slice()
    );
    assert!(out[n..].iter().all(|&b| b == 0xAA), "nothing written past the list");
    assert_eq!(unmap_parameter_list_length(2), Some(40));
    let unmap = Unmap { anchor: false, parameter_list_length: n as u16 }.encode().unwrap();
    assert_eq!((unmap.direction, unmap.transfer_length), (Out, 40));

    // An empty list is a bare header.
    assert_eq!(write_unmap_parameter_list(&[], &mut out), Ok(8));
    assert_eq!(&out[..8], hex("00 06 00 00 00 00 00 00").as_slice());

    // Too small a buffer: refused, untouched.
    let mut small = [0x55u8; 23];
    assert_eq!(
        write_unmap_parameter_list(&[(1, 1)], &mut small),
        Err(BuildError::BufferTooSmall { needed: 24, available: 23 })
    );
    assert!(small.iter().all(|&b| b == 0x55));

    // 4095 descriptors fit the 16-bit length (8 + 16 * 4095 = 65528), 4096 do not.
    let ranges = vec![(0u64, 1u32); 4096];
    let mut big = vec![0u8; 70_000];
    assert_eq!(write_unmap_parameter_list(&ranges[..4095], &mut big), Ok(65_528));
    assert_eq!(u16::from_be_bytes([big[0], big[1]]), 65_526);
    assert_eq!(u16::from_be_bytes([big[2], big[3]]), 65_520);
    assert_eq!(
        write_unmap_parameter_list(&ranges, &mut big),
        Err(BuildError::OutOfRange {
            field: "number of UNMAP block descriptors",
            value: 4096,
            max: 4095
        })
    );
    assert_eq!(unmap_parameter_list_length(4095), Some(65_528));
    assert_eq!(unmap_parameter_list_length(4096), None);
    assert_eq!(unmap_parameter_list_length(usize::MAX), None);
}

#[test]
fn opcode_names_and_group_lengths() {
    // SPC-5 §4.2.5.1, table "Group Code values".
    assert_eq!(cdb_length_for_opcode(0x00), Some(6));
    assert_eq!(cdb_length_for_opcode(0x1f), Some(6));
    assert_eq!(cdb_length_for_opcode(0x20), Some(10));
    assert_eq!(cdb_length_for_opcode(0x5f), Some(10));
    assert_eq!(cdb_length_for_opcode(0x60), None);
    assert_eq!(cdb_length_for_opcode(0x7f), None);
    assert_eq!(cdb_length_for_opcode(0x80), Some(16));
    assert_eq!(cdb_length_for_opcode(0x9f), Some(16));
    assert_eq!(cdb_length_for_opcode(0xa0), Some(12));
    assert_eq!(cdb_length_for_opcode(0xbf), Some(12));
    assert_eq!(cdb_length_for_opcode(0xc0), None);
    assert_eq!(cdb_length_for_opcode(0xff), None);
    assert_eq!(format!("{:?}", Opcode::READ_16), "READ(16)");
    assert_eq!(format!("{:?}", Opcode(0xc7)), "Opcode(0xc7)");
    assert_eq!(Opcode::ATA_PASS_THROUGH_16.name(), Some("ATA PASS-THROUGH(16)"));
    assert_eq!(Opcode::SERVICE_ACTION_IN_16.group_code(), 4);
}
