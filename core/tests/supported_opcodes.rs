//! REPORT SUPPORTED OPERATION CODES: all-commands and one-command forms.
//!
//! Peer: `sg_opcodes` (sg3-utils 1.46) has no `--inhex` mode (checked below). The expected
//! list of `opcodes.hex` was decoded by hand (a throwaway script walking 8-byte descriptors
//! after the 4-byte header, SPC-5 §6.35.3 tables "All_commands parameter data" and "Command
//! descriptor format"), and is cross-checked against the operation code groups of SPC-5
//! §4.2.5.1 (CDB length implied by the opcode's top three bits).

mod common;

use common::{every_prefix, inhex, peer, Rng};
use sbc_core::wire::supported_opcodes::{AllCommands, CommandTimeouts, OneCommand, Support};
use sbc_core::wire::Error;

#[test]
fn sg_opcodes_has_no_inhex_mode() {
    let help = peer("sg_opcodes", &["--help"]);
    assert!(help.contains("Usage:  sg_opcodes"), "{help}");
    assert!(!help.contains("inhex") && !help.contains("--in="), "{help}");
}

/// (operation code, service action when SERVACTV = 1, CDB LENGTH), in capture order.
const OPCODES_HEX: [(u8, Option<u16>, u16); 52] = [
    (0x12, None, 6),
    (0xa0, None, 12),
    (0x03, None, 6),
    (0x00, None, 6),
    (0x5a, None, 10),
    (0x1a, None, 6),
    (0x55, None, 10),
    (0x15, None, 6),
    (0x4d, None, 10),
    (0x25, None, 10),
    (0x88, None, 16),
    (0x28, None, 10),
    (0x08, None, 6),
    (0xa8, None, 12),
    (0x8a, None, 16),
    (0x2a, None, 10),
    (0x0a, None, 6),
    (0xaa, None, 12),
    (0x1b, None, 6),
    (0x9e, Some(0x10), 16),
    (0x9e, Some(0x12), 16),
    (0x9f, Some(0x12), 16),
    (0xa3, Some(0x0a), 12),
    (0xa3, Some(0x0c), 12),
    (0xa3, Some(0x0d), 12),
    (0x8f, None, 16),
    (0x2f, None, 10),
    (0x7f, Some(0x09), 32),
    (0x7f, Some(0x0b), 32),
    (0x7f, Some(0x11), 32),
    (0x56, None, 10),
    (0x16, None, 6),
    (0x57, None, 10),
    (0x17, None, 6),
    (0x1e, None, 6),
    (0x01, None, 6),
    (0x1d, None, 6),
    (0x42, None, 10),
    (0x3b, None, 10),
    (0x41, None, 10),
    (0x93, None, 16),
    (0x35, None, 10),
    (0x91, None, 16),
    (0x89, None, 16),
    (0x34, None, 10),
    (0x90, None, 16),
    (0x94, Some(0x03), 16),
    (0x94, Some(0x01), 16),
    (0x94, Some(0x02), 16),
    (0x94, Some(0x04), 16),
    (0x95, Some(0x00), 16),
    (0x95, Some(0x06), 16),
];

#[test]
fn test_opcodes_capture() {
    let buf = inhex("opcodes.hex");
    let d = AllCommands::parse(&buf).unwrap();
    // 00 00 01 a0: 416 bytes of descriptors = 52 x 8.
    assert_eq!(d.value.command_data_length, 0x1A0);
    assert_eq!((d.announced, d.available), (420, 420));
    let got: Vec<_> =
        d.value.commands().map(|c| (c.operation_code, c.service_action(), c.cdb_length)).collect();
    assert_eq!(got, OPCODES_HEX);
    assert!(d.value.commands().all(|c| !c.ctdp && c.timeouts.is_none() && c.mlu == 0));
    let mut it = d.value.commands();
    for _ in it.by_ref() {}
    assert!(!it.stopped_short());
    // SPC-5 §4.2.5.1: group 0 -> 6, 1 and 2 -> 10, 4 -> 16, 5 -> 12, 7Fh -> variable (32).
    for (op, _, len) in OPCODES_HEX {
        let expect = match op >> 5 {
            0 => 6,
            1 | 2 => 10,
            4 => 16,
            5 => 12,
            _ => 32,
        };
        assert_eq!(len, expect, "opcode {op:#04x}");
    }
}

#[test]
fn test_is_supported() {
    let buf = inhex("opcodes.hex");
    let all = AllCommands::parse(&buf).unwrap().value;
    assert!(all.is_supported(0x28, None)); // READ(10)
    assert!(all.is_supported(0x9E, Some(0x10))); // READ CAPACITY(16)
    assert!(all.is_supported(0x9E, Some(0x12))); // GET LBA STATUS
    assert!(all.is_supported(0xA3, Some(0x0C))); // REPORT SUPPORTED OPERATION CODES
    assert!(!all.is_supported(0x9E, None)); // only with a service action
    assert!(!all.is_supported(0x9E, Some(0x11)));
    assert!(!all.is_supported(0x28, Some(0))); // READ(10) has no service actions
    assert!(!all.is_supported(0x83, None)); // not listed
                                            // 1d 00 00 02 00 00 00 06: SERVICE ACTION = 2 but SERVACTV = 0 -> no service action.
    let sd = all.commands().find(|c| c.operation_code == 0x1D).unwrap();
    assert_eq!((sd.service_action_field, sd.servactv), (2, false));
    assert_eq!(sd.service_action(), None);
    assert!(all.is_supported(0x1D, None) && !all.is_supported(0x1D, Some(2)));
}

#[test]
fn test_all_commands_with_timeouts_descriptors() {
    // tgtd with RCTD: READ(10) CTDP=1 and timeouts 10/30 s; then READ CAPACITY(16) with
    // SERVACTV and CTDP.
    let mut b = vec![0, 0, 0, 40];
    b.extend([0x28, 0, 0, 0, 0, 0x02, 0, 10]);
    b.extend([0, 0x0A, 0, 0x00, 0, 0, 0, 10, 0, 0, 0, 30]);
    b.extend([0x9E, 0, 0, 0x10, 0, 0x23, 0, 16]); // 23h: MLU 10b, CTDP, SERVACTV
    b.extend([0, 0x0A, 0, 0x07, 0, 0, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF]);
    let d = AllCommands::parse(&b).unwrap();
    assert_eq!(d.announced, 44);
    let cs: Vec<_> = d.value.commands().collect();
    assert_eq!(cs.len(), 2);
    assert_eq!(
        cs[0].timeouts,
        Some(CommandTimeouts {
            descriptor_length: 10,
            command_specific: 0,
            nominal_command_processing_timeout: 10,
            recommended_command_timeout: 30
        })
    );
    assert_eq!((cs[1].service_action(), cs[1].mlu, cs[1].cdb_length), (Some(0x10), 2, 16));
    let t = cs[1].timeouts.unwrap();
    assert_eq!((t.command_specific, t.nominal_command_processing_timeout), (7, 256));
    assert_eq!(t.recommended_command_timeout, u32::MAX);
    // Cut inside the second descriptor's timeouts: one descriptor, the walk stops short.
    let d = AllCommands::parse(&b[..40]).unwrap();
    let mut it = d.value.commands();
    assert_eq!(it.by_ref().count(), 1);
    assert!(it.stopped_short());
}

#[test]
fn test_one_command() {
    // READ(16), supported per standard, CDB usage data of 16 bytes, with timeouts.
    let mut b = vec![0x00, 0x83, 0x00, 0x10];
    b.extend([
        0x88, 0xFA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F,
        0x07,
    ]);
    b.extend([0, 0x0A, 0, 0, 0, 0, 0, 5, 0, 0, 0, 60]);
    let d = OneCommand::parse(&b).unwrap();
    assert_eq!((d.announced, d.available), (32, 32));
    let v = d.value;
    assert!(v.ctdp);
    assert_eq!(v.support, Support::SUPPORTED_STANDARD);
    assert!(v.support.is_supported());
    assert_eq!(v.cdb_size, 16);
    assert_eq!(v.cdb_usage_data.len(), 16);
    assert_eq!(v.operation_code(), Some(0x88));
    let t = v.timeouts.unwrap();
    assert_eq!((t.nominal_command_processing_timeout, t.recommended_command_timeout), (5, 60));

    // Cut after the usage data: timeouts absent, truncation visible.
    let d = OneCommand::parse(&b[..20]).unwrap();
    assert!(d.is_truncated());
    assert_eq!(d.value.timeouts, None);
    assert_eq!(d.value.cdb_usage_data.len(), 16);

    // Not supported, no usage data; MLU bits 4..3; unnamed SUPPORT value kept.
    let v = OneCommand::parse(&[0, 0x19, 0, 0]).unwrap().value;
    assert_eq!((v.support, v.mlu, v.ctdp), (Support::NOT_SUPPORTED, 3, false));
    assert!(!v.support.is_supported());
    assert_eq!(v.operation_code(), None);
    let v = OneCommand::parse(&[0, 0x04, 0, 0]).unwrap().value;
    assert_eq!(v.support, Support(4));
    assert_eq!(format!("{:?}", v.support), "Support(0x04)");
    assert_eq!(OneCommand::parse(&[0, 3, 0]), Err(Error::Truncated { needed: 4, available: 3 }));
}

#[test]
fn test_every_prefix() {
    let buf = inhex("opcodes.hex");
    let all: Vec<_> = AllCommands::parse(&buf).unwrap().value.commands().collect();
    every_prefix(&buf, |p| match AllCommands::parse(p) {
        Err(e) => assert_eq!(e, Error::Truncated { needed: 4, available: p.len() }),
        Ok(d) => {
            assert_eq!((d.available, d.announced), (p.len(), 420));
            let got: Vec<_> = d.value.commands().collect();
            assert_eq!(got.len(), (p.len() - 4) / 8);
            assert_eq!(&all[..got.len()], &got[..]);
        }
    });
    let mut one =
        vec![0x00, 0x83, 0x00, 0x0A, 0x28, 0xFA, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0x07];
    one.extend([0, 0x0A, 0, 0, 0, 0, 0, 5, 0, 0, 0, 60]);
    let full = OneCommand::parse(&one).unwrap().value;
    every_prefix(&one, |p| match OneCommand::parse(p) {
        Err(e) => assert_eq!(e, Error::Truncated { needed: 4, available: p.len() }),
        Ok(d) => {
            assert_eq!((d.available, d.announced), (p.len(), 26));
            assert_eq!(
                (d.value.support, d.value.ctdp, d.value.cdb_size),
                (full.support, full.ctdp, full.cdb_size)
            );
            let n = d.value.cdb_usage_data.len();
            assert_eq!(n, p.len().min(14) - 4);
            assert_eq!(d.value.cdb_usage_data, &full.cdb_usage_data[..n]);
            assert_eq!(d.value.timeouts, if p.len() == 26 { full.timeouts } else { None });
        }
    });
}

#[test]
fn test_random_input_never_panics() {
    let mut rng = Rng::new(0x5eed_0004);
    let seed = inhex("opcodes.hex");
    for i in 0..20_000 {
        let mut buf: Vec<u8> = if i % 2 == 0 {
            (0..rng.below(200)).map(|_| rng.byte()).collect()
        } else {
            let mut b = seed.clone();
            b.truncate(rng.below(421) as usize);
            b
        };
        for _ in 0..rng.below(8) {
            if !buf.is_empty() {
                let k = rng.below(buf.len() as u64) as usize;
                // Favour the flag bytes so CTDP framing gets exercised.
                buf[k] = if rng.chance(2) { rng.byte() | 0x02 } else { rng.byte() };
            }
        }
        if let Ok(d) = AllCommands::parse(&buf) {
            let mut used = 4;
            for c in d.value.commands() {
                used += if c.ctdp { 20 } else { 8 };
                assert_eq!(c.timeouts.is_some(), c.ctdp);
            }
            assert!(used <= buf.len().max(4));
            let _ = d.value.is_supported(0x28, None);
        }
        if let Ok(d) = OneCommand::parse(&buf) {
            assert!(d.value.cdb_usage_data.len() <= usize::from(d.value.cdb_size));
        }
    }
}
