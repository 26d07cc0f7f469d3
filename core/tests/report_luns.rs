//! REPORT LUNS parameter data and LUN addressing.
//!
//! Peer: `sg_luns` in sg3-utils 1.46 has no `--inhex` (checked below), but it decodes a
//! single LUN with `--test=ALUN`; every LUN of the captures is decoded by both and the texts
//! compared. The header (LUN LIST LENGTH, SPC-5 §6.33.2, table "REPORT LUNS parameter data
//! format") is checked by hand.

mod common;

use common::{every_prefix, inhex, peer, Rng};
use sbc_core::wire::report_luns::{AddressMethod, Lun, LunAddress, ReportLuns, WellKnownLun};
use sbc_core::wire::Error;

#[test]
fn sg_luns_has_no_inhex_mode() {
    let help = peer("sg_luns", &["--help"]);
    assert!(help.contains("--test=ALUN"), "{help}");
    assert!(!help.contains("inhex"), "{help}");
}

/// Our decode of one LUN, rendered the way `sg_luns --test` prints its "Decoded LUN:" lines
/// (sg3-utils sg_luns.c, decimal form), one line per level.
fn render_like_sg_luns(lun: Lun) -> Vec<String> {
    lun.levels()
        .map(|a| match a {
            LunAddress::PeripheralDevice { bus_identifier: 0, target_or_lun } => {
                format!("Peripheral device addressing: lun={target_or_lun}")
            }
            LunAddress::PeripheralDevice { bus_identifier, target_or_lun } => format!(
                "Peripheral device addressing: bus_id={bus_identifier}, target={target_or_lun}"
            ),
            LunAddress::FlatSpace { flat_space_lun } => {
                format!("Flat space addressing: lun={flat_space_lun}")
            }
            LunAddress::LogicalUnit { target, bus_number, lun } => {
                format!("Logical unit addressing: bus_id={bus_number}, target={target}, lun={lun}")
            }
            LunAddress::WellKnown(w) => w.name().unwrap_or("?").to_string(),
            LunAddress::ExtendedFlatSpace { lun } => {
                format!("Extended flat space addressing: lun={lun}")
            }
            LunAddress::LongExtendedFlatSpace { lun } => {
                format!("Long extended flat space addressing: lun={lun}")
            }
            LunAddress::NotSpecified => "Logical unit _not_ specified".to_string(),
            LunAddress::Extended { .. } => format!("{a:?}"),
        })
        .collect()
}

/// `sg_luns --test=HEX`: the decoded lines, level headers (">>Second level addressing:")
/// dropped.
fn sg_luns_decode(lun: Lun) -> Vec<String> {
    let hex: String = lun.0.iter().map(|b| format!("{b:02x}")).collect();
    let text = peer("sg_luns", &[&format!("--test={hex}")]);
    let mut lines = text.lines().skip_while(|l| !l.starts_with("Decoded LUN:"));
    assert!(lines.next().is_some(), "sg_luns printed no decode for {hex}:\n{text}");
    lines
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(">>"))
        .map(String::from)
        .collect()
}

#[test]
fn test_luns_wlun_capture() {
    let buf = inhex("luns_wlun.hex");
    let d = ReportLuns::parse(&buf).unwrap();
    // 00 00 00 40 | 00 00 00 00 | 8 LUNs.
    assert_eq!(d.value.lun_list_length, 0x40);
    assert_eq!((d.announced, d.available), (72, 72));
    let luns: Vec<Lun> = d.value.luns().collect();
    assert_eq!(luns.len(), 8);
    assert_eq!(luns[0].0, [0x00, 0x01, 0, 0, 0, 0, 0, 0]);
    assert_eq!(luns[2], Lun::REPORT_LUNS_WELL_KNOWN);
    assert_eq!(luns[7].0, [0xFF; 8]);
    assert!(d.value.contains(Lun::REPORT_LUNS_WELL_KNOWN));
    assert_eq!(luns[2].well_known(), Some(WellKnownLun::REPORT_LUNS));
    assert_eq!(luns[0].well_known(), None);

    // Hand-decoded with SAM-5 §4.7 (address method = byte 0 bits 7..6).
    let methods: Vec<u8> = luns.iter().map(|l| l.address_method().0).collect();
    assert_eq!(methods, [0, 0, 3, 1, 2, 0, 3, 3]);
    assert_eq!(luns[3].address_method(), AddressMethod::FLAT_SPACE);
    assert_eq!(luns[3].first_level(), LunAddress::FlatSpace { flat_space_lun: 0x1234 });
    // 81 44: 10b | target 1 ; bus 010b lun 00100b.
    assert_eq!(luns[4].first_level(), LunAddress::LogicalUnit { target: 1, bus_number: 2, lun: 4 });
    // 03 08 02 04 01 02 00 01: four peripheral device levels.
    assert_eq!(luns[1].levels().count(), 4);
    // 03 09 | d2 77 88 99: extended flat space at level 2.
    assert_eq!(luns[5].levels().nth(1), Some(LunAddress::ExtendedFlatSpace { lun: 0x77_8899 }));
    assert_eq!(luns[6].first_level(), LunAddress::LongExtendedFlatSpace { lun: 0x77_8899_aabb });
    assert_eq!(luns[7].first_level(), LunAddress::NotSpecified);
}

#[test]
fn test_every_capture_lun_agrees_with_sg_luns() {
    let mut compared = 0;
    for file in ["luns_wlun.hex", "luns_lu_cong.hex"] {
        let buf = inhex(file);
        for lun in ReportLuns::parse(&buf).unwrap().value.luns() {
            assert_eq!(render_like_sg_luns(lun), sg_luns_decode(lun), "{file}: {lun:?}");
            compared += 1;
        }
    }
    assert_eq!(compared, 10);
}

#[test]
fn test_hand_built_luns_agree_with_sg_luns() {
    for raw in [
        [0x40, 0x05, 0, 0, 0, 0, 0, 0],       // flat space 5
        [0x7F, 0xFF, 0, 0, 0, 0, 0, 0],       // flat space 16383
        [0x02, 0x3A, 0x00, 0x4B, 0, 0, 0, 0], // sg_luns(8) example: bus 2 target 3a, lun 4b
        [0xBF, 0xFF, 0, 0, 0, 0, 0, 0],       // logical unit addressing, all ones
        [0xC1, 0x03, 0, 0, 0, 0, 0, 0],       // TARGET LOG PAGES W-LUN
        [0xC1, 0x04, 0, 0, 0, 0, 0, 0],       // SECURITY PROTOCOL W-LUN
        [0x00, 0x00, 0, 0, 0, 0, 0, 0],       // LUN 0
    ] {
        assert_eq!(render_like_sg_luns(Lun(raw)), sg_luns_decode(Lun(raw)), "{raw:02x?}");
    }
}

#[test]
fn test_luns_lu_cong_capture() {
    // 00 00 00 10 | 00 00 00 00 | 00 01 00 00 .. | 00 01 00 02 ..
    let buf = inhex("luns_lu_cong.hex");
    let d = ReportLuns::parse(&buf).unwrap();
    assert_eq!((d.value.lun_list_length, d.announced, d.available), (16, 24, 24));
    let luns: Vec<Lun> = d.value.luns().collect();
    assert_eq!(luns, [Lun([0, 1, 0, 0, 0, 0, 0, 0]), Lun([0, 1, 0, 2, 0, 0, 0, 0])]);
    // Without LU_CONG, bus 0 ends the walk at the first level (as sg_luns decodes it); the
    // raw bytes keep the second element for a caller that knows LU_CONG is set.
    assert_eq!(luns[1].levels().count(), 1);
}

#[test]
fn test_reserved_extended_method_kept_raw() {
    // 11b, length 01b, method 3h (reserved): kept raw, 4 bytes.
    let lun = Lun([0xD3, 1, 2, 3, 9, 9, 9, 9]);
    assert_eq!(
        lun.first_level(),
        LunAddress::Extended {
            length: 1,
            extended_address_method: 3,
            raw: [0xD3, 1, 2, 3, 0, 0, 0, 0]
        }
    );
    // Length 11b method Fh but not all FFh: not "not specified".
    assert!(matches!(
        Lun([0xFF, 0, 0, 0, 0, 0, 0, 0]).first_level(),
        LunAddress::Extended { length: 3, extended_address_method: 0xF, .. }
    ));
    assert_eq!(format!("{:?}", Lun::REPORT_LUNS_WELL_KNOWN), "Lun(c101000000000000)");
}

#[test]
fn test_header_and_odd_lengths() {
    assert_eq!(
        ReportLuns::parse(&[0, 0, 0, 8, 0, 0, 0]),
        Err(Error::Truncated { needed: 8, available: 7 })
    );
    // List length 12 (not a multiple of 8): one complete LUN, the partial one dropped.
    let b = [0, 0, 0, 12, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0];
    let d = ReportLuns::parse(&b).unwrap();
    assert_eq!(d.announced, 20);
    assert_eq!(d.value.luns().count(), 1);
    // Bytes past the announced list are not LUNs.
    let b = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    assert_eq!(ReportLuns::parse(&b).unwrap().value.luns().count(), 0);
    // u32::MAX list length does not overflow.
    let b = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    let d = ReportLuns::parse(&b).unwrap();
    assert!(d.is_truncated());
    assert_eq!(d.value.luns().count(), 1);
}

#[test]
fn test_every_prefix() {
    for file in ["luns_wlun.hex", "luns_lu_cong.hex"] {
        let buf = inhex(file);
        let full = ReportLuns::parse(&buf).unwrap();
        let all: Vec<Lun> = full.value.luns().collect();
        every_prefix(&buf, |p| match ReportLuns::parse(p) {
            Err(e) => assert_eq!(e, Error::Truncated { needed: 8, available: p.len() }),
            Ok(d) => {
                assert!(p.len() >= 8);
                assert_eq!((d.available, d.announced), (p.len(), full.announced));
                assert_eq!(d.value.lun_list_length, full.value.lun_list_length);
                let got: Vec<Lun> = d.value.luns().collect();
                assert_eq!(got.len(), (p.len() - 8) / 8);
                assert_eq!(&all[..got.len()], &got[..]);
            }
        });
    }
}

#[test]
fn test_random_input_never_panics() {
    let mut rng = Rng::new(0x5eed_0003);
    let seed = inhex("luns_wlun.hex");
    for i in 0..20_000 {
        let mut buf: Vec<u8> = if i % 2 == 0 {
            (0..rng.below(100)).map(|_| rng.byte()).collect()
        } else {
            let mut b = seed.clone();
            b.truncate(rng.below(73) as usize);
            b
        };
        for _ in 0..rng.below(6) {
            if !buf.is_empty() {
                let k = rng.below(buf.len() as u64) as usize;
                buf[k] = rng.byte();
            }
        }
        if let Ok(d) = ReportLuns::parse(&buf) {
            for lun in d.value.luns() {
                assert!((1..=4).contains(&lun.levels().count()));
                let _ = (lun.well_known(), lun.first_level(), lun.address_method());
            }
        }
        // Any eight bytes make a LUN whose levels never panic.
        let mut raw = [0u8; 8];
        raw.iter_mut().for_each(|b| *b = rng.byte());
        let _ = render_like_sg_luns(Lun(raw));
    }
}
