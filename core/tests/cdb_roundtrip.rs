//! CDB builders and decoder: round trips of thousands of generated commands, every field
//! limit at its maximum and one past it, refused combinations, decoder errors, and random
//! bytes (the decoder is total and whatever it accepts re-encodes to itself).

mod common;

use common::{ata12_identify, ata16_identify, every_prefix, Rng};
use sbc_core::wire::cdb::*;
use std::collections::BTreeMap;

fn bytes_of(c: &impl Fn() -> Result<Command, BuildError>) -> Vec<u8> {
    c().unwrap().cdb.as_bytes().to_vec()
}

/// [`round_trip_command`] when the Command itself is not looked at further.
fn round_trip(cmd: ScsiCommand, block_length: u32) {
    let _ = round_trip_command(cmd, block_length);
}

/// Encodes `cmd`, checks the Command's own invariants, decodes it back and compares.
fn round_trip_command(cmd: ScsiCommand, block_length: u32) -> Command {
    let c = cmd.encode().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert_eq!(
        c.direction == DataDirection::None,
        c.transfer_length == 0,
        "{cmd:?}: a data phase of 0 bytes is no data phase"
    );
    assert_eq!(Some(c.cdb.len()), cdb_length_for_opcode(c.cdb.opcode()), "{cmd:?}");
    assert_eq!(decode(c.cdb.as_bytes(), block_length), Ok(cmd), "{:?}", c.cdb);
    c
}

fn out_of_range(r: Result<Command, BuildError>, field: &str, value: u64, max: u64) {
    match r {
        Err(BuildError::OutOfRange { field: f, value: v, max: m }) => {
            assert_eq!((f, v, m), (field, value, max))
        }
        other => panic!("{field} = {value}: expected OutOfRange, got {other:?}"),
    }
}

fn invalid(r: Result<Command, BuildError>) {
    assert!(matches!(r, Err(BuildError::Invalid(_))), "expected Invalid, got {r:?}");
}

// ---------------------------------------------------------------------------------------
// Generated commands.

fn b(rng: &mut Rng) -> bool {
    rng.chance(2)
}

fn block_length(rng: &mut Rng) -> u32 {
    match rng.below(4) {
        0 => 512,
        1 => 4096,
        2 => 520,
        _ => 1 + rng.below(u32::MAX as u64) as u32,
    }
}

/// A value of up to `bits` bits, biased towards the edges.
fn field(rng: &mut Rng, bits: u32) -> u64 {
    let max = if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 };
    match rng.below(5) {
        0 => 0,
        1 => max,
        2 => rng.below(16).min(max),
        _ => rng.next_u64() & max,
    }
}

fn ata16(rng: &mut Rng, bl: u32) -> AtaPassThrough16 {
    let extend = b(rng);
    let wide = if extend { 16 } else { 8 };
    let mut a = AtaPassThrough16 {
        protocol: AtaProtocol(rng.below(16) as u8),
        extend,
        multiple_count: field(rng, 3) as u8,
        off_line: field(rng, 2) as u8,
        ck_cond: b(rng),
        t_type: b(rng),
        t_dir: b(rng),
        byte_block: b(rng),
        t_length: rng.below(3) as u8,
        features: field(rng, wide) as u16,
        count: field(rng, wide) as u16,
        lba: field(rng, if extend { 48 } else { 24 }),
        device: rng.byte(),
        command: rng.byte(),
        block_length: bl,
    };
    if rng.chance(4) {
        return a; // anything in range, often a combination the builder refuses
    }
    // Otherwise a combination SAT-4 gives a definite data phase.
    const PROTOCOLS: [u8; 12] = [0, 1, 3, 4, 5, 6, 8, 9, 10, 11, 12, 15];
    a.protocol = AtaProtocol(PROTOCOLS[rng.below(12) as usize]);
    match a.protocol.0 {
        0 | 1 | 3 | 8 | 9 | 15 => a.t_length = 0,
        p => {
            a.t_length = 1 + rng.below(2) as u8;
            a.t_dir = match p {
                4 | 10 => true,
                5 | 11 => false,
                _ => a.t_dir,
            };
            a.features = a.features.max(1);
            a.count = a.count.max(1);
        }
    }
    a
}

/// One random command of kind `kind` (0..KINDS), all fields in range. Some combinations
/// (ATA PASS-THROUGH with a protocol and T_LENGTH that disagree) are refused by design.
fn generate(rng: &mut Rng, kind: u64, bl: u32) -> ScsiCommand {
    let lba32 = |rng: &mut Rng| field(rng, 32);
    match kind {
        0 => TestUnitReady.into(),
        1 => RequestSense { descriptor_format: b(rng), allocation_length: rng.byte() }.into(),
        2 => Inquiry {
            evpd_page: if b(rng) { Some(rng.byte()) } else { None },
            allocation_length: field(rng, 16) as u16,
        }
        .into(),
        3 => ModeSense6 {
            dbd: b(rng),
            page_control: PageControl::from_bits(rng.byte()),
            page_code: field(rng, 6) as u8,
            subpage_code: rng.byte(),
            allocation_length: rng.byte(),
        }
        .into(),
        4 => ModeSense10 {
            llbaa: b(rng),
            dbd: b(rng),
            page_control: PageControl::from_bits(rng.byte()),
            page_code: field(rng, 6) as u8,
            subpage_code: rng.byte(),
            allocation_length: field(rng, 16) as u16,
        }
        .into(),
        5 => ModeSelect6 { pf: b(rng), sp: b(rng), parameter_list_length: rng.byte() }.into(),
        6 => ModeSelect10 { pf: b(rng), sp: b(rng), parameter_list_length: field(rng, 16) as u16 }
            .into(),
        7 => StartStopUnit {
            immed: b(rng),
            power_condition_modifier: field(rng, 4) as u8,
            power_condition: field(rng, 4) as u8,
            no_flush: b(rng),
            loej: b(rng),
            start: b(rng),
        }
        .into(),
        8 => PreventAllowMediumRemoval { prevent: b(rng) }.into(),
        9 => ReadCapacity10.into(),
        10 => ReadCapacity16 { allocation_length: field(rng, 32) as u32 }.into(),
        11 => {
            GetLbaStatus { starting_lba: field(rng, 64), allocation_length: field(rng, 32) as u32 }
                .into()
        }
        12 | 13 => {
            let lba = field(rng, 21);
            let blocks = 1 + rng.below(256) as u32;
            if kind == 12 {
                Read6 { lba, blocks, dpo: false, fua: false, block_length: bl }.into()
            } else {
                Write6 { lba, blocks, dpo: false, fua: false, block_length: bl }.into()
            }
        }
        14..=19 => {
            let (dpo, fua) = (b(rng), b(rng));
            match kind {
                14 => Read10 {
                    lba: lba32(rng),
                    blocks: field(rng, 16) as u32,
                    dpo,
                    fua,
                    block_length: bl,
                }
                .into(),
                15 => Read12 {
                    lba: lba32(rng),
                    blocks: field(rng, 32) as u32,
                    dpo,
                    fua,
                    block_length: bl,
                }
                .into(),
                16 => Read16 {
                    lba: field(rng, 64),
                    blocks: field(rng, 32) as u32,
                    dpo,
                    fua,
                    block_length: bl,
                }
                .into(),
                17 => Write10 {
                    lba: lba32(rng),
                    blocks: field(rng, 16) as u32,
                    dpo,
                    fua,
                    block_length: bl,
                }
                .into(),
                18 => Write12 {
                    lba: lba32(rng),
                    blocks: field(rng, 32) as u32,
                    dpo,
                    fua,
                    block_length: bl,
                }
                .into(),
                _ => Write16 {
                    lba: field(rng, 64),
                    blocks: field(rng, 32) as u32,
                    dpo,
                    fua,
                    block_length: bl,
                }
                .into(),
            }
        }
        20 | 21 => {
            let bytchk = [0, 1, 3][rng.below(3) as usize];
            let dpo = b(rng);
            if kind == 20 {
                Verify10 {
                    lba: lba32(rng),
                    blocks: field(rng, 16) as u32,
                    dpo,
                    bytchk,
                    block_length: bl,
                }
                .into()
            } else {
                Verify16 {
                    lba: field(rng, 64),
                    blocks: field(rng, 32) as u32,
                    dpo,
                    bytchk,
                    block_length: bl,
                }
                .into()
            }
        }
        22 => SynchronizeCache10 { immed: b(rng), lba: lba32(rng), blocks: field(rng, 16) as u32 }
            .into(),
        23 => {
            SynchronizeCache16 { immed: b(rng), lba: field(rng, 64), blocks: field(rng, 32) as u32 }
                .into()
        }
        24 | 25 => {
            let unmap = b(rng);
            let anchor = unmap && b(rng);
            if kind == 24 {
                WriteSame10 {
                    unmap,
                    anchor,
                    lba: lba32(rng),
                    blocks: field(rng, 16) as u32,
                    block_length: bl,
                }
                .into()
            } else {
                WriteSame16 {
                    unmap,
                    anchor,
                    ndob: b(rng),
                    lba: field(rng, 64),
                    blocks: field(rng, 32) as u32,
                    block_length: bl,
                }
                .into()
            }
        }
        26 => Unmap { anchor: b(rng), parameter_list_length: field(rng, 16) as u16 }.into(),
        27 => ReportLuns {
            select_report: rng.byte(),
            allocation_length: (field(rng, 32) as u32).max(ReportLuns::MIN_ALLOCATION_LENGTH),
        }
        .into(),
        28 => ReportSupportedOperationCodes {
            rctd: b(rng),
            reporting_options: rng.below(4) as u8,
            requested_operation_code: rng.byte(),
            requested_service_action: field(rng, 16) as u16,
            allocation_length: field(rng, 32) as u32,
        }
        .into(),
        29 => LogSense {
            sp: b(rng),
            page_control: field(rng, 2) as u8,
            page_code: field(rng, 6) as u8,
            subpage_code: rng.byte(),
            parameter_pointer: field(rng, 16) as u16,
            allocation_length: field(rng, 16) as u16,
        }
        .into(),
        30 => {
            let selftest = b(rng);
            SendDiagnostic {
                self_test_code: if selftest { 0 } else { field(rng, 3) as u8 },
                pf: b(rng),
                selftest,
                devoffl: b(rng),
                unitoffl: b(rng),
                parameter_list_length: field(rng, 16) as u16,
            }
            .into()
        }
        31 => ReadBuffer10 {
            mode: field(rng, 5) as u8,
            buffer_id: rng.byte(),
            buffer_offset: field(rng, 24) as u32,
            allocation_length: field(rng, 24) as u32,
        }
        .into(),
        32 => WriteBuffer10 {
            mode_specific: field(rng, 3) as u8,
            mode: field(rng, 5) as u8,
            buffer_id: rng.byte(),
            buffer_offset: field(rng, 24) as u32,
            parameter_list_length: field(rng, 24) as u32,
        }
        .into(),
        33 => SecurityProtocolIn {
            security_protocol: rng.byte(),
            security_protocol_specific: field(rng, 16) as u16,
            inc_512: b(rng),
            allocation_length: field(rng, 32) as u32,
        }
        .into(),
        34 => ata16(rng, bl).into(),
        _ => {
            let a = ata16(rng, bl);
            AtaPassThrough12 {
                protocol: a.protocol,
                multiple_count: a.multiple_count,
                off_line: a.off_line,
                ck_cond: a.ck_cond,
                t_type: a.t_type,
                t_dir: a.t_dir,
                byte_block: a.byte_block,
                t_length: a.t_length,
                features: a.features & 0xff,
                count: a.count & 0xff,
                lba: a.lba & 0xff_ffff,
                device: a.device,
                command: a.command,
                block_length: bl,
            }
            .into()
        }
    }
}

const KINDS: u64 = 36;

#[test]
fn thousands_of_generated_commands_round_trip() {
    let mut rng = Rng::new(0x5bc_cdb);
    let mut ok: BTreeMap<u8, usize> = BTreeMap::new();
    let mut refused = 0;
    for _ in 0..40_000 {
        let bl = block_length(&mut rng);
        let kind = rng.below(KINDS);
        let cmd = generate(&mut rng, kind, bl);
        match cmd.encode() {
            Ok(_) => {
                round_trip(cmd, bl);
                *ok.entry(kind as u8).or_default() += 1;
            }
            // Only ATA PASS-THROUGH has generated combinations the builder refuses.
            Err(e) => {
                assert!(kind >= 34, "{cmd:?}: {e}");
                assert!(matches!(e, BuildError::Invalid(_) | BuildError::OutOfRange { .. }));
                refused += 1;
            }
        }
    }
    assert_eq!(ok.len(), KINDS as usize, "every kind round-tripped at least once: {ok:?}");
    assert!(ok.values().all(|&n| n > 300), "{ok:?}");
    assert!(refused > 0 && refused < 4000, "{refused}");
}

#[test]
fn ata_pass_through_direction_and_length_follow_sat4() {
    // SAT-4 table "Mapping of BYTE_BLOCK, T_TYPE, and T_LENGTH", for every accepted
    // generated command: recompute the data phase independently.
    let mut rng = Rng::new(85);
    let mut checked = 0;
    for _ in 0..20_000 {
        let bl = block_length(&mut rng);
        let a = ata16(&mut rng, bl);
        let Ok(c) = a.encode() else { continue };
        let units = match a.t_length {
            0 => 0,
            1 => u64::from(a.features),
            _ => u64::from(a.count),
        };
        let unit = match (a.byte_block, a.t_type) {
            (false, _) => 1,
            (true, false) => 512,
            (true, true) => u64::from(bl),
        };
        assert_eq!(c.transfer_length, units * unit, "{a:?}");
        let expected = match (a.t_length, a.t_dir) {
            (0, _) => DataDirection::None,
            (_, true) => DataDirection::In,
            (_, false) => DataDirection::Out,
        };
        assert_eq!(c.direction, expected, "{a:?}");
        // PIO/UDMA data-in never go out, and data-out never come in.
        match a.protocol.0 {
            4 | 10 => assert_eq!(c.direction, DataDirection::In),
            5 | 11 => assert_eq!(c.direction, DataDirection::Out),
            0 | 1 | 3 | 8 | 9 | 15 => assert_eq!(c.direction, DataDirection::None),
            6 | 12 => {}
            p => panic!("reserved protocol {p} accepted"),
        }
        checked += 1;
    }
    assert!(checked > 2000, "{checked}");
}

// ---------------------------------------------------------------------------------------
// Field limits: the largest value works, one more is OutOfRange naming the field.

#[test]
fn six_byte_read_write_limits() {
    for write in [false, true] {
        let rw = |lba, blocks| {
            move || {
                if write {
                    Write6 { lba, blocks, dpo: false, fua: false, block_length: 512 }.encode()
                } else {
                    Read6 { lba, blocks, dpo: false, fua: false, block_length: 512 }.encode()
                }
            }
        };
        assert_eq!(bytes_of(&rw(0x1f_ffff, 256))[1..5], [0x1f, 0xff, 0xff, 0x00]);
        out_of_range(rw(0x20_0000, 1)(), "LOGICAL BLOCK ADDRESS", 0x20_0000, 0x1f_ffff);
        out_of_range(rw(0, 257)(), "TRANSFER LENGTH", 257, 256);
        invalid(rw(0, 0)());
    }
    invalid(Read6 { lba: 0, blocks: 1, dpo: true, fua: false, block_length: 512 }.encode());
    invalid(Read6 { lba: 0, blocks: 1, dpo: false, fua: true, block_length: 512 }.encode());
    invalid(Write6 { lba: 0, blocks: 1, dpo: false, fua: true, block_length: 512 }.encode());
}

macro_rules! rw_limits {
    ($ty:ident, $lba_max:expr, $blocks_max:expr) => {{
        let mk =
            |lba: u64, blocks: u32| $ty { lba, blocks, dpo: false, fua: false, block_length: 512 };
        round_trip(mk($lba_max, $blocks_max).into(), 512);
        if $lba_max < u64::MAX {
            out_of_range(
                mk($lba_max + 1, 1).encode(),
                "LOGICAL BLOCK ADDRESS",
                $lba_max + 1,
                $lba_max,
            );
        }
        if $blocks_max < u32::MAX {
            out_of_range(
                mk(0, $blocks_max + 1).encode(),
                "TRANSFER LENGTH",
                u64::from($blocks_max) + 1,
                u64::from($blocks_max),
            );
        }
        invalid($ty { block_length: 0, ..mk(0, 1) }.encode());
        invalid($ty { block_length: 0, ..mk(0, 0) }.encode());
    }};
}

#[test]
fn ten_twelve_sixteen_byte_read_write_limits() {
    rw_limits!(Read10, u64::from(u32::MAX), 0xffff_u32);
    rw_limits!(Write10, u64::from(u32::MAX), 0xffff_u32);
    rw_limits!(Read12, u64::from(u32::MAX), u32::MAX);
    rw_limits!(Write12, u64::from(u32::MAX), u32::MAX);
    rw_limits!(Read16, u64::MAX, u32::MAX);
    rw_limits!(Write16, u64::MAX, u32::MAX);
    // The largest READ(16) byte count still fits a u64: no overflow, exact value.
    let c = Read16 { lba: 0, blocks: u32::MAX, dpo: false, fua: false, block_length: u32::MAX };
    assert_eq!(c.encode().unwrap().transfer_length, u64::from(u32::MAX) * u64::from(u32::MAX));
}

#[test]
fn verify_sync_write_same_limits() {
    let v10 = |lba, blocks, bytchk| Verify10 { lba, blocks, dpo: false, bytchk, block_length: 512 };
    round_trip(v10(u32::MAX.into(), 0xffff, 1).into(), 512);
    out_of_range(v10(1 << 32, 1, 0).encode(), "LOGICAL BLOCK ADDRESS", 1 << 32, u32::MAX.into());
    out_of_range(v10(0, 0x1_0000, 0).encode(), "VERIFICATION LENGTH", 0x1_0000, 0xffff);
    out_of_range(v10(0, 1, 4).encode(), "BYTCHK", 4, 3);
    invalid(v10(0, 1, 2).encode());
    let v16 =
        Verify16 { lba: u64::MAX, blocks: u32::MAX, dpo: true, bytchk: 1, block_length: 4096 };
    assert_eq!(round_trip_command(v16.into(), 4096).transfer_length, u64::from(u32::MAX) * 4096);
    out_of_range(Verify16 { bytchk: 4, ..v16 }.encode(), "BYTCHK", 4, 3);

    let s10 = |lba, blocks| SynchronizeCache10 { immed: false, lba, blocks };
    round_trip(s10(u32::MAX.into(), 0xffff).into(), 512);
    out_of_range(s10(1 << 32, 0).encode(), "LOGICAL BLOCK ADDRESS", 1 << 32, u32::MAX.into());
    out_of_range(s10(0, 0x1_0000).encode(), "NUMBER OF LOGICAL BLOCKS", 0x1_0000, 0xffff);
    round_trip(SynchronizeCache16 { immed: true, lba: u64::MAX, blocks: u32::MAX }.into(), 512);

    let ws =
        |lba, blocks| WriteSame10 { unmap: false, anchor: false, lba, blocks, block_length: 512 };
    round_trip(ws(u32::MAX.into(), 0xffff).into(), 512);
    out_of_range(ws(1 << 32, 1).encode(), "LOGICAL BLOCK ADDRESS", 1 << 32, u32::MAX.into());
    out_of_range(ws(0, 0x1_0000).encode(), "NUMBER OF LOGICAL BLOCKS", 0x1_0000, 0xffff);
    // ANCHOR requires UNMAP, in both forms.
    invalid(WriteSame10 { anchor: true, ..ws(0, 1) }.encode());
    let ws16 = WriteSame16 {
        unmap: false,
        anchor: true,
        ndob: true,
        lba: 0,
        blocks: 1,
        block_length: 512,
    };
    invalid(ws16.encode());
    round_trip(WriteSame16 { unmap: true, ..ws16 }.into(), 512);
    invalid(WriteSame16 { unmap: true, ndob: false, block_length: 0, ..ws16 }.encode());
}

#[test]
fn spc_field_limits() {
    let ssu =
        StartStopUnit { power_condition_modifier: 15, power_condition: 15, ..Default::default() };
    round_trip(ssu.into(), 512);
    out_of_range(
        StartStopUnit { power_condition_modifier: 16, ..ssu }.encode(),
        "POWER CONDITION MODIFIER",
        16,
        15,
    );
    out_of_range(StartStopUnit { power_condition: 16, ..ssu }.encode(), "POWER CONDITION", 16, 15);

    let ms6 = ModeSense6 { page_code: 0x3f, allocation_length: u8::MAX, ..Default::default() };
    round_trip(ms6.into(), 512);
    out_of_range(ModeSense6 { page_code: 0x40, ..ms6 }.encode(), "PAGE CODE", 0x40, 0x3f);
    let ms10 = ModeSense10 { page_code: 0x3f, allocation_length: u16::MAX, ..Default::default() };
    round_trip(ms10.into(), 512);
    out_of_range(ModeSense10 { page_code: 0x40, ..ms10 }.encode(), "PAGE CODE", 0x40, 0x3f);

    let ls = LogSense {
        page_control: 3,
        page_code: 0x3f,
        allocation_length: u16::MAX,
        parameter_pointer: u16::MAX,
        ..Default::default()
    };
    round_trip(ls.into(), 512);
    out_of_range(LogSense { page_control: 4, ..ls }.encode(), "PC", 4, 3);
    out_of_range(LogSense { page_code: 0x40, ..ls }.encode(), "PAGE CODE", 0x40, 0x3f);

    let rsoc = ReportSupportedOperationCodes {
        reporting_options: 3,
        allocation_length: u32::MAX,
        ..Default::default()
    };
    round_trip(rsoc.into(), 512);
    out_of_range(
        ReportSupportedOperationCodes { reporting_options: 4, ..rsoc }.encode(),
        "REPORTING OPTIONS",
        4,
        3,
    );

    let sd =
        SendDiagnostic { self_test_code: 7, parameter_list_length: u16::MAX, ..Default::default() };
    round_trip(sd.into(), 512);
    out_of_range(SendDiagnostic { self_test_code: 8, ..sd }.encode(), "SELF-TEST CODE", 8, 7);
    invalid(SendDiagnostic { selftest: true, self_test_code: 1, ..sd }.encode());

    let rl = ReportLuns { select_report: 0, allocation_length: 16 };
    round_trip(rl.into(), 512);
    round_trip(ReportLuns { allocation_length: u32::MAX, ..rl }.into(), 512);
    invalid(ReportLuns { allocation_length: 15, ..rl }.encode());

    let rb = ReadBuffer10 {
        mode: 0x1f,
        buffer_id: 0xff,
        buffer_offset: 0xff_ffff,
        allocation_length: 0xff_ffff,
    };
    round_trip(rb.into(), 512);
    out_of_range(ReadBuffer10 { mode: 0x20, ..rb }.encode(), "MODE", 0x20, 0x1f);
    out_of_range(
        ReadBuffer10 { buffer_offset: 0x100_0000, ..rb }.encode(),
        "BUFFER OFFSET",
        0x100_0000,
        0xff_ffff,
    );
    out_of_range(
        ReadBuffer10 { allocation_length: 0x100_0000, ..rb }.encode(),
        "ALLOCATION LENGTH",
        0x100_0000,
        0xff_ffff,
    );
    let wb = WriteBuffer10 {
        mode_specific: 7,
        mode: 0x1f,
        buffer_id: 0xff,
        buffer_offset: 0xff_ffff,
        parameter_list_length: 0xff_ffff,
    };
    round_trip(wb.into(), 512);
    out_of_range(WriteBuffer10 { mode_specific: 8, ..wb }.encode(), "MODE SPECIFIC", 8, 7);
    out_of_range(WriteBuffer10 { mode: 0x20, ..wb }.encode(), "MODE", 0x20, 0x1f);
    out_of_range(
        WriteBuffer10 { buffer_offset: 0x100_0000, ..wb }.encode(),
        "BUFFER OFFSET",
        0x100_0000,
        0xff_ffff,
    );
    out_of_range(
        WriteBuffer10 { parameter_list_length: 0x100_0000, ..wb }.encode(),
        "PARAMETER LIST LENGTH",
        0x100_0000,
        0xff_ffff,
    );

    // Fields typed at their CDB width: the type's maximum is the field's, and it works.
    round_trip(Inquiry { evpd_page: Some(0xff), allocation_length: u16::MAX }.into(), 512);
    round_trip(RequestSense { descriptor_format: true, allocation_length: u8::MAX }.into(), 512);
    round_trip(ReadCapacity16 { allocation_length: u32::MAX }.into(), 512);
    round_trip(GetLbaStatus { starting_lba: u64::MAX, allocation_length: u32::MAX }.into(), 512);
    round_trip(ModeSelect6 { pf: true, sp: true, parameter_list_length: u8::MAX }.into(), 512);
    round_trip(ModeSelect10 { pf: true, sp: true, parameter_list_length: u16::MAX }.into(), 512);
    round_trip(Unmap { anchor: true, parameter_list_length: u16::MAX }.into(), 512);
    let sp = SecurityProtocolIn {
        security_protocol: 0xef,
        security_protocol_specific: u16::MAX,
        inc_512: true,
        allocation_length: u32::MAX,
    };
    assert_eq!(round_trip_command(sp.into(), 512).transfer_length, u64::from(u32::MAX) * 512);
}

#[test]
fn ata_pass_through_limits() {
    let a = AtaPassThrough16 {
        features: 0xff,
        count: 0xff,
        lba: 0xff_ffff,
        multiple_count: 7,
        off_line: 3,
        ..ata16_identify()
    };
    round_trip(a.into(), 512);
    out_of_range(AtaPassThrough16 { features: 0x100, ..a }.encode(), "FEATURES", 0x100, 0xff);
    out_of_range(AtaPassThrough16 { count: 0x100, ..a }.encode(), "COUNT", 0x100, 0xff);
    out_of_range(AtaPassThrough16 { lba: 0x100_0000, ..a }.encode(), "LBA", 0x100_0000, 0xff_ffff);
    out_of_range(AtaPassThrough16 { multiple_count: 8, ..a }.encode(), "MULTIPLE_COUNT", 8, 7);
    out_of_range(AtaPassThrough16 { off_line: 4, ..a }.encode(), "OFF_LINE", 4, 3);
    out_of_range(AtaPassThrough16 { t_length: 4, ..a }.encode(), "T_LENGTH", 4, 3);
    out_of_range(AtaPassThrough16 { protocol: AtaProtocol(16), ..a }.encode(), "PROTOCOL", 16, 15);
    let e = AtaPassThrough16 {
        extend: true,
        features: 0xffff,
        count: 0xffff,
        lba: 0xffff_ffff_ffff,
        ..a
    };
    assert_eq!(round_trip_command(e.into(), 512).transfer_length, 0xffff * 512);
    out_of_range(AtaPassThrough16 { lba: 1 << 48, ..e }.encode(), "LBA", 1 << 48, 0xffff_ffff_ffff);

    let a12 = AtaPassThrough12 { features: 0xff, count: 0xff, lba: 0xff_ffff, ..ata12_identify() };
    round_trip(a12.into(), 512);
    // Anything needing 48-bit registers is refused by the 12-byte form.
    out_of_range(AtaPassThrough12 { features: 0x100, ..a12 }.encode(), "FEATURES", 0x100, 0xff);
    out_of_range(AtaPassThrough12 { count: 0x100, ..a12 }.encode(), "COUNT", 0x100, 0xff);
    out_of_range(
        AtaPassThrough12 { lba: 0x100_0000, ..a12 }.encode(),
        "LBA",
        0x100_0000,
        0xff_ffff,
    );

    // Combinations SAT-4 cannot turn into a definite data phase.
    let i = ata16_identify();
    invalid(AtaPassThrough16 { t_length: 3, ..i }.encode()); // length in the STPSIU
    invalid(AtaPassThrough16 { t_length: 0, ..i }.encode()); // PIO data-in without a length
    invalid(AtaPassThrough16 { t_dir: false, ..i }.encode()); // data-in protocol, T_DIR out
    invalid(AtaPassThrough16 { count: 0, ..i }.encode()); // 0 = 256 sectors to ATA
    invalid(AtaPassThrough16 { protocol: AtaProtocol::NON_DATA, ..i }.encode()); // non-data + length
    invalid(AtaPassThrough16 { protocol: AtaProtocol(2), t_length: 0, ..i }.encode()); // reserved
    invalid(AtaPassThrough16 { protocol: AtaProtocol::PIO_DATA_OUT, ..i }.encode()); // T_DIR in
    invalid(AtaPassThrough16 { t_type: true, block_length: 0, ..i }.encode());
    // DMA goes where T_DIR says.
    let dma = AtaPassThrough16 { protocol: AtaProtocol::DMA, t_dir: false, ..i };
    assert_eq!(round_trip_command(dma.into(), 512).direction, DataDirection::Out);
}

// ---------------------------------------------------------------------------------------
// The decoder: flagged fields, short CDBs, unsupported opcodes, random bytes.

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
}

fn flagged(cdb: &str, byte: u8) {
    match decode(&hex(cdb), 512) {
        Err(CdbDecodeError::InvalidField { byte: b, .. }) => assert_eq!(b, byte, "{cdb}"),
        other => panic!("{cdb}: expected InvalidField at byte {byte}, got {other:?}"),
    }
}

#[test]
fn decoder_flags_invalid_fields_where_a_device_would() {
    flagged("12 00 80 00 24 00", 2); // INQUIRY: PAGE CODE without EVPD
    flagged("1e 00 00 00 02 00", 4); // PREVENT 10b (obsolete)
    flagged("25 00 00 00 00 00 00 00 01 00", 8); // READ CAPACITY(10) PMI
    flagged("25 00 00 00 00 01 00 00 00 00", 2); // READ CAPACITY(10) LBA without PMI
    flagged("9e 10 00 00 00 00 00 00 00 00 00 00 00 20 01 00", 14); // RC16 PMI
    flagged("28 20 00 00 00 00 00 00 01 00", 1); // READ(10) RDPROTECT
    flagged("8a e0 00 00 00 00 00 00 00 00 00 00 00 01 00 00", 1); // WRITE(16) WRPROTECT
    flagged("2f 04 00 00 00 00 00 00 01 00", 1); // VERIFY(10) BYTCHK 10b
    flagged("41 10 00 00 00 00 00 00 01 00", 1); // WRITE SAME(10) ANCHOR without UNMAP
    flagged("93 10 00 00 00 00 00 00 00 00 00 00 00 01 00 00", 1); // WRITE SAME(16) same
    flagged("a0 00 00 00 00 00 00 00 00 0f 00 00", 6); // REPORT LUNS allocation length 15
    flagged("a3 0c 04 00 00 00 00 00 02 00 00 00", 2); // RSOC REPORTING OPTIONS 100b
    flagged("1d 24 00 00 00 00", 1); // SEND DIAGNOSTIC SELFTEST with a code
                                     // Combinations the builder refuses come back as Refused.
    let r = decode(&hex("85 08 0e 00 00 00 00 00 00 00 00 00 00 00 ec 00"), 512);
    assert!(matches!(r, Err(CdbDecodeError::Refused(BuildError::Invalid(_)))), "{r:?}");
    let r = decode(&hex("28 00 00 00 00 00 00 00 01 00"), 0);
    assert!(matches!(r, Err(CdbDecodeError::Refused(BuildError::Invalid(_)))), "{r:?}");
}

#[test]
fn decoder_ignores_reserved_bits_and_control() {
    // READ(10) with GROUP NUMBER, CONTROL and the obsolete bits 1..0 of byte 1 set.
    let r = decode(&hex("28 03 00 00 00 01 3f 00 02 ff"), 512).unwrap();
    assert_eq!(r, Read10 { lba: 1, blocks: 2, dpo: false, fua: false, block_length: 512 }.into());
    // READ(6): the reserved top three bits of byte 1 are not LBA bits.
    let r = decode(&hex("08 e1 00 00 01 00"), 512).unwrap();
    assert_eq!(
        r,
        Read6 { lba: 0x1_0000, blocks: 1, dpo: false, fua: false, block_length: 512 }.into()
    );
    // ATA PASS-THROUGH(16) without EXTEND: the (15:8) bytes are ignored, as SAT-4 says.
    let r = decode(&hex("85 08 0e ff 00 ff 01 ff 00 ff 00 ff 00 00 ec 00"), 512).unwrap();
    assert_eq!(r, ScsiCommand::AtaPassThrough16(ata16_identify()));
}

#[test]
fn decoder_short_empty_and_unsupported() {
    assert_eq!(decode(&[], 512), Err(CdbDecodeError::Empty));
    assert_eq!(
        decode(&hex("88 00 00"), 512),
        Err(CdbDecodeError::Truncated { opcode: 0x88, needed: 16, available: 3 })
    );
    // Every shorter prefix of a valid CDB is Truncated (or Empty), never a panic or a guess.
    for cdb in [
        "12 00 00 00 24 00",
        "28 00 00 00 00 00 00 00 08 00",
        "a3 0c 00 00 00 00 00 00 02 00 00 00",
        "85 08 0e 00 00 00 01 00 00 00 00 00 00 00 ec 00",
    ] {
        let bytes = hex(cdb);
        every_prefix(&bytes[..bytes.len() - 1], |p| {
            let r = decode(p, 512);
            assert!(
                matches!(r, Err(CdbDecodeError::Empty | CdbDecodeError::Truncated { .. })),
                "{p:02x?}: {r:?}"
            );
        });
    }
    // Known service-action opcodes with an unknown service action.
    assert_eq!(
        decode(&hex("9e 13 00 00 00 00 00 00 00 00 00 00 00 00 00 00"), 512),
        Ok(ScsiCommand::Unsupported { opcode: 0x9e, service_action: Some(0x13) })
    );
    assert_eq!(
        decode(&hex("a3 0d 00 00 00 00 00 00 00 00 00 00"), 512),
        Ok(ScsiCommand::Unsupported { opcode: 0xa3, service_action: Some(0x0d) })
    );
    // Vendor-specific opcodes have no implied length: one byte is a whole CDB.
    assert_eq!(
        decode(&[0xc0], 512),
        Ok(ScsiCommand::Unsupported { opcode: 0xc0, service_action: None })
    );
    // Variable-length CDB: SERVICE ACTION in bytes 8..=9 when present.
    let mut var = vec![0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x00, 0x09];
    assert_eq!(
        decode(&var, 512),
        Ok(ScsiCommand::Unsupported { opcode: 0x7f, service_action: Some(9) })
    );
    var.truncate(9);
    assert_eq!(
        decode(&var, 512),
        Ok(ScsiCommand::Unsupported { opcode: 0x7f, service_action: None })
    );
    // Unsupported cannot be re-encoded: its fields were not kept.
    assert!(ScsiCommand::Unsupported { opcode: 0x04, service_action: None }.encode().is_err());
}

#[test]
fn random_bytes_decode_totally_and_accepted_ones_are_fixed_points() {
    let mut rng = Rng::new(0xdec0de);
    let mut accepted = 0;
    for i in 0..200_000 {
        let len = rng.below(21) as usize;
        let mut cdb: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
        if i % 2 == 0 && !cdb.is_empty() {
            // Half the cases use an opcode this crate knows, so they get past dispatch.
            const KNOWN: [u8; 36] = [
                0x00, 0x03, 0x08, 0x0a, 0x12, 0x15, 0x1a, 0x1b, 0x1d, 0x1e, 0x25, 0x28, 0x2a, 0x2f,
                0x35, 0x3b, 0x3c, 0x41, 0x42, 0x4d, 0x55, 0x5a, 0x85, 0x88, 0x8a, 0x8f, 0x91, 0x93,
                0x9e, 0xa0, 0xa1, 0xa2, 0xa3, 0xa8, 0xaa, 0x9e,
            ];
            cdb[0] = KNOWN[rng.below(36) as usize];
            if cdb[0] == 0x9e && len > 1 {
                cdb[1] = [0x10, 0x12][rng.below(2) as usize] | (cdb[1] & 0xe0);
            }
            if cdb[0] == 0xa3 && len > 1 {
                cdb[1] = 0x0c;
            }
        }
        let bl = if rng.chance(8) { 0 } else { block_length(&mut rng) };
        let Ok(cmd) = decode(&cdb, bl) else { continue };
        if let ScsiCommand::Unsupported { opcode, .. } = cmd {
            assert_eq!(opcode, cdb[0]);
            continue;
        }
        accepted += 1;
        assert!(Some(cdb.len()) >= cdb_length_for_opcode(cdb[0]), "{cdb:02x?}");
        let again = cmd.encode().unwrap_or_else(|e| panic!("{cdb:02x?} -> {cmd:?}: {e}"));
        assert_eq!(decode(again.cdb.as_bytes(), bl), Ok(cmd), "{cdb:02x?}");
        // What the builder emits is what was received, minus ignored bits: never longer.
        assert!(again.cdb.len() <= cdb.len());
        assert_eq!(again.cdb.opcode(), cdb[0]);
    }
    assert!(accepted > 20_000, "{accepted}");
}
