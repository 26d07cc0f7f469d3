//! READ CAPACITY(10)/(16) decoding against a captured buffer, hand-built vectors, every
//! prefix and random input.
//!
//! Peer: `sg_readcap` (sg3-utils 1.46) has no `--inhex` mode (checked below), so expected
//! values are decoded by hand from the bytes with SBC-4 §5.20.2 (table "READ CAPACITY (10)
//! parameter data") and §5.21.2 (table "READ CAPACITY (16) parameter data").

mod common;

use common::{every_prefix, inhex, peer, Rng};
use sbc_core::wire::read_capacity::{ProtectionType, RcBasis, ReadCapacity10, ReadCapacity16};
use sbc_core::wire::Error;

#[test]
fn sg_readcap_has_no_inhex_mode() {
    // If a future sg3-utils grows one, this fails: switch the tests below to the peer.
    let help = peer("sg_readcap", &["--help"]);
    assert!(help.contains("Usage: sg_readcap"), "{help}");
    assert!(!help.contains("inhex") && !help.contains("--in="), "{help}");
}

#[test]
fn test_parse_readcap_zbc_capture() {
    // 00 00 00 09 18 5f ff ff | 00 00 02 00 | 00 | 03 | 00 00 | 16 x 00
    let buf = inhex("readcap_zbc.hex");
    assert_eq!(buf.len(), 32);
    let d = ReadCapacity16::parse(&buf).unwrap();
    assert_eq!((d.announced, d.available), (32, 32));
    assert!(!d.is_truncated());
    let rc = d.value;
    assert_eq!(rc.returned_logical_block_address, 0x9_185F_FFFF);
    assert_eq!(rc.block_count(), 39_063_650_304);
    assert_eq!(rc.checked_block_count(), Some(39_063_650_304));
    assert_eq!(rc.logical_block_length_in_bytes, 512);
    assert_eq!(rc.capacity_bytes(), 20_000_588_955_648);
    // byte 12 = 00: RC BASIS 0, P_TYPE 0, PROT_EN 0.
    assert_eq!(rc.rc_basis, Some(RcBasis::LOWEST_SEQUENTIAL_WRITE_REQUIRED_ZONE));
    assert_eq!(rc.prot_en, Some(false));
    assert_eq!(rc.p_type, Some(0));
    assert_eq!(rc.protection_type(), Some(ProtectionType::NONE));
    // byte 13 = 03: P_I_EXPONENT 0, LBPPBE 3 -> 8 logical blocks per 4096-byte physical.
    assert_eq!(rc.p_i_exponent, Some(0));
    assert_eq!(rc.logical_blocks_per_physical_block_exponent, Some(3));
    assert_eq!(rc.logical_blocks_per_physical_block(), Some(8));
    assert_eq!(rc.physical_block_length(), Some(4096));
    // bytes 14..15 = 00 00.
    assert_eq!(rc.lbpme, Some(false));
    assert_eq!(rc.lbprz, Some(false));
    assert_eq!(rc.lowest_aligned_logical_block_address, Some(0));
}

#[test]
fn test_rc10_tgtd_4k_lun() {
    // tgtd, --blocksize 4096 (docs/witnesses.md §tgtd: what it reports): 00 00 3f ff 00 00 10 00.
    let d = ReadCapacity10::parse(&[0, 0, 0x3F, 0xFF, 0, 0, 0x10, 0]).unwrap();
    assert_eq!((d.announced, d.available), (8, 8));
    assert_eq!(d.value.returned_logical_block_address, 16383);
    assert_eq!(d.value.logical_block_length_in_bytes, 4096);
    assert_eq!(d.value.block_count(), 16384);
    assert_eq!(d.value.capacity_bytes(), 64 << 20);
    assert!(!d.value.needs_read_capacity_16());
}

#[test]
fn test_rc10_ffffffff_means_use_rc16() {
    let d = ReadCapacity10::parse(&[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 2, 0]).unwrap().value;
    assert!(d.needs_read_capacity_16());
    assert_eq!(d.block_count(), 1 << 32);
    assert_eq!(d.capacity_bytes(), 512 << 32);
    let d = ReadCapacity10::parse(&[0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF]).unwrap();
    assert!(!d.value.needs_read_capacity_16());
    assert_eq!(d.value.capacity_bytes(), 0xFFFF_FFFF * 0xFFFF_FFFF);
}

#[test]
fn test_rc10_extra_bytes_are_ignored() {
    let d = ReadCapacity10::parse(&[0, 0, 0, 1, 0, 0, 2, 0, 0xAA, 0xBB]).unwrap();
    assert_eq!((d.announced, d.available), (8, 10));
    assert_eq!(d.value.block_count(), 2);
}

fn rc16(lba: u64, len: u32, b12: u8, b13: u8, b14: u8, b15: u8) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&lba.to_be_bytes());
    b[8..12].copy_from_slice(&len.to_be_bytes());
    b[12..16].copy_from_slice(&[b12, b13, b14, b15]);
    b
}

#[test]
fn test_rc16_tgtd_512_lun_thin() {
    // tgtd 512-byte LUN with thin_provisioning=1: LBA 131071, 512, LBPPBE=3, LBPME=LBPRZ=1.
    let b = rc16(131_071, 512, 0x00, 0x03, 0xC0, 0x00);
    let rc = ReadCapacity16::parse(&b).unwrap().value;
    assert_eq!(rc.block_count(), 131_072);
    assert_eq!(rc.capacity_bytes(), 64 << 20);
    assert_eq!(rc.physical_block_length(), Some(4096));
    assert_eq!((rc.lbpme, rc.lbprz), (Some(true), Some(true)));
    assert_eq!(rc.lowest_aligned_logical_block_address, Some(0));
}

#[test]
fn test_rc16_every_bitfield() {
    // byte 12 = 0001_0011: RC BASIS 01b, P_TYPE 001b, PROT_EN 1 -> type 2 protection.
    // byte 13 = 0010_0011: P_I_EXPONENT 2, LBPPBE 3.
    // bytes 14..15 = 1000_0000 0000_0111: LBPME 1, LBPRZ 0, LALBA 7 (tgtd's la_lba=7).
    let rc = ReadCapacity16::parse(&rc16(131_071, 512, 0x13, 0x23, 0x80, 0x07)).unwrap().value;
    assert_eq!(rc.rc_basis, Some(RcBasis::LAST_LOGICAL_BLOCK));
    assert_eq!(rc.p_type, Some(1));
    assert_eq!(rc.prot_en, Some(true));
    assert_eq!(rc.protection_type(), Some(ProtectionType::TYPE_2));
    assert_eq!(rc.p_i_exponent, Some(2));
    assert_eq!(rc.protection_information_intervals(), Some(4));
    assert_eq!(rc.logical_blocks_per_physical_block_exponent, Some(3));
    assert_eq!((rc.lbpme, rc.lbprz), (Some(true), Some(false)));
    assert_eq!(rc.lowest_aligned_logical_block_address, Some(7));

    // All bits set: reserved bits ignored, LALBA keeps 14 bits, P_TYPE 7 -> reserved type 8.
    let rc = ReadCapacity16::parse(&rc16(0, 4096, 0xFF, 0xFF, 0xFF, 0xFF)).unwrap().value;
    assert_eq!(rc.rc_basis, Some(RcBasis(3)));
    assert_eq!(rc.rc_basis.unwrap().name(), None);
    assert_eq!(rc.protection_type(), Some(ProtectionType(8)));
    assert_eq!(rc.lowest_aligned_logical_block_address, Some(0x3FFF));
    assert_eq!(rc.logical_blocks_per_physical_block(), Some(1 << 15));
    assert_eq!(rc.physical_block_length(), Some(4096 << 15));
    assert_eq!(rc.protection_information_intervals(), Some(1 << 15));
}

#[test]
fn test_rc16_lba_max() {
    let rc = ReadCapacity16::parse(&rc16(u64::MAX, u32::MAX, 0, 0, 0, 0)).unwrap().value;
    assert_eq!(rc.block_count(), 1u128 << 64);
    assert_eq!(rc.checked_block_count(), None);
    assert_eq!(rc.capacity_bytes(), (1u128 << 64) * u128::from(u32::MAX));
}

#[test]
fn test_rc16_short_buffers() {
    let b = rc16(131_071, 512, 0x13, 0x23, 0xC0, 0x07);
    assert_eq!(
        ReadCapacity16::parse(&b[..11]),
        Err(Error::Truncated { needed: 12, available: 11 })
    );
    let d = ReadCapacity16::parse(&b[..12]).unwrap();
    assert!(d.is_truncated());
    assert_eq!((d.announced, d.available), (32, 12));
    let rc = d.value;
    assert_eq!(rc.returned_logical_block_address, 131_071);
    assert_eq!(rc.logical_block_length_in_bytes, 512);
    assert_eq!(rc.rc_basis, None);
    assert_eq!(rc.protection_type(), None);
    assert_eq!(rc.physical_block_length(), None);
    assert_eq!(rc.lowest_aligned_logical_block_address, None);
    // 15 bytes: byte 14 present but LALBA spans 14..15.
    let rc = ReadCapacity16::parse(&b[..15]).unwrap().value;
    assert_eq!(rc.lbpme, Some(true));
    assert_eq!(rc.lowest_aligned_logical_block_address, None);
    assert_eq!(ReadCapacity10::parse(&b[..7]), Err(Error::Truncated { needed: 8, available: 7 }));
}

/// Every field of a prefix decode is absent or equal to the full decode, and present exactly
/// when its last byte is inside the prefix.
fn check_rc16_prefixes(full_buf: &[u8]) {
    let full = ReadCapacity16::parse(full_buf).unwrap().value;
    every_prefix(full_buf, |p| {
        let n = p.len();
        match ReadCapacity16::parse(p) {
            Err(e) => {
                assert!(n < 12);
                assert_eq!(e, Error::Truncated { needed: 12, available: n });
            }
            Ok(d) => {
                assert!(n >= 12);
                assert_eq!((d.available, d.announced), (n, 32));
                let v = d.value;
                assert_eq!(v.returned_logical_block_address, full.returned_logical_block_address);
                assert_eq!(v.logical_block_length_in_bytes, full.logical_block_length_in_bytes);
                let at = |k: usize| n > k;
                macro_rules! same {
                    ($f:ident, $last:expr) => {
                        assert_eq!(v.$f, if at($last) { full.$f } else { None }, stringify!($f))
                    };
                }
                same!(rc_basis, 12);
                same!(p_type, 12);
                same!(prot_en, 12);
                same!(p_i_exponent, 13);
                same!(logical_blocks_per_physical_block_exponent, 13);
                same!(lbpme, 14);
                same!(lbprz, 14);
                same!(lowest_aligned_logical_block_address, 15);
            }
        }
    });
}

#[test]
fn test_every_prefix() {
    check_rc16_prefixes(&inhex("readcap_zbc.hex"));
    check_rc16_prefixes(&rc16(131_071, 512, 0x13, 0x23, 0xC0, 0x07));
    let rc10 = [0, 0, 0x3F, 0xFF, 0, 0, 0x10, 0];
    every_prefix(&rc10, |p| match ReadCapacity10::parse(p) {
        Err(e) => assert_eq!(e, Error::Truncated { needed: 8, available: p.len() }),
        Ok(d) => {
            assert_eq!(p.len(), 8);
            assert_eq!(d.value.returned_logical_block_address, 16383);
        }
    });
}

#[test]
fn test_random_input_never_panics() {
    let mut rng = Rng::new(0x5eed_0001);
    let seed = inhex("readcap_zbc.hex");
    for i in 0..20_000 {
        let mut buf: Vec<u8> = if i % 2 == 0 {
            let n = rng.below(40) as usize;
            (0..n).map(|_| rng.byte()).collect()
        } else {
            let mut b = seed.clone();
            b.truncate(rng.below(33) as usize);
            b
        };
        for _ in 0..rng.below(4) {
            if !buf.is_empty() {
                let k = rng.below(buf.len() as u64) as usize;
                buf[k] = rng.byte();
            }
        }
        if let Ok(d) = ReadCapacity16::parse(&buf) {
            let v = d.value;
            assert!(v.block_count() >= 1);
            let _ = (v.capacity_bytes(), v.physical_block_length(), v.protection_type());
            let _ = (v.checked_block_count(), v.protection_information_intervals());
            assert!(v.lowest_aligned_logical_block_address.unwrap_or(0) <= 0x3FFF);
        }
        if let Ok(d) = ReadCapacity10::parse(&buf) {
            let _ = (d.value.capacity_bytes(), d.value.needs_read_capacity_16());
        }
    }
}
