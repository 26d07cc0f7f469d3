//! GET LBA STATUS parameter data against the captured buffer, decoded also by the peer
//! `sg_get_lba_status --inhex` (sg3-utils), every prefix, hand vectors and random input.

mod common;

use common::{every_prefix, inhex, inhex_path, peer, Rng};
use sbc_core::wire::lba_status::{CompletionCondition, LbaStatus, ProvisioningStatus};
use sbc_core::wire::Error;

/// What `sg_get_lba_status --brief` prints: completion condition, RTP, and per descriptor
/// `0x<lba> 0x<blocks> <p_status> <add_status>`.
struct PeerBrief {
    completion_condition: u8,
    rtp: u8,
    descriptors: Vec<(u64, u32, u8, u8)>,
}

fn peer_brief(file: &str) -> PeerBrief {
    let path = inhex_path(file);
    let arg = format!("--inhex={}", path.display());
    let text = peer("sg_get_lba_status", &[&arg, "--maxlen=4096", "--brief"]);
    let mut out = PeerBrief { completion_condition: 99, rtp: 99, descriptors: vec![] };
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("Completion condition=") {
            out.completion_condition = v.trim().parse().unwrap();
        } else if let Some(v) = line.strip_prefix("RTP=") {
            out.rtp = v.trim().parse().unwrap();
        } else if line.starts_with("0x") {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f.len(), 4, "{line}");
            let hex = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
            out.descriptors.push((
                hex(f[0]),
                hex(f[1]) as u32,
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            ));
        }
    }
    assert_ne!(out.completion_condition, 99, "peer printed no completion condition:\n{text}");
    out
}

#[test]
fn test_capture_agrees_with_sg_get_lba_status() {
    let buf = inhex("get_lba_status.hex");
    let d = LbaStatus::parse(&buf).unwrap();
    let p = peer_brief("get_lba_status.hex");
    assert_eq!(d.value.completion_condition.0, p.completion_condition);
    assert_eq!(u8::from(d.value.rtp), p.rtp);
    let ours: Vec<_> = d
        .value
        .descriptors()
        .map(|x| {
            (
                x.lba_status_logical_block_address,
                x.number_of_logical_blocks,
                x.provisioning_status.0,
                x.additional_status,
            )
        })
        .collect();
    assert_eq!(ours, p.descriptors);
    assert_eq!(ours.len(), 3);
}

#[test]
fn test_capture_by_hand() {
    // 00 00 00 34 | 00 00 00 06 | three 16-byte descriptors (get_lba_status.hex).
    let buf = inhex("get_lba_status.hex");
    let d = LbaStatus::parse(&buf).unwrap();
    assert_eq!((d.announced, d.available), (0x34 + 4, 56));
    assert!(!d.is_truncated());
    let v = d.value;
    assert_eq!(v.parameter_data_length, 0x34);
    // byte 7 = 0000_0110: COMPLETION CONDITION 011b (capacity), RTP 0.
    assert_eq!(v.completion_condition, CompletionCondition::CAPACITY);
    assert!(!v.rtp);
    assert!(!v.has_partial_descriptor());
    let ds: Vec<_> = v.descriptors().collect();
    assert_eq!(ds[0].lba_status_logical_block_address, 0);
    assert_eq!(ds[0].number_of_logical_blocks, 0x1122_3300);
    assert_eq!(ds[0].provisioning_status, ProvisioningStatus::MAPPED_OR_UNKNOWN);
    assert_eq!(ds[0].end_lba(), Some(0x1122_3300));
    // byte 12 = 31h: reserved high nibble, PROVISIONING STATUS 1 (deallocated).
    assert_eq!(ds[1].lba_status_logical_block_address, 0x1122_3300);
    assert_eq!(ds[1].number_of_logical_blocks, 0x44);
    assert_eq!(ds[1].provisioning_status, ProvisioningStatus::DEALLOCATED);
    assert_eq!(ds[1].additional_status, 1);
    assert_eq!(ds[2].lba_status_logical_block_address, 0x1122_3344);
    assert_eq!(ds[2].number_of_logical_blocks, 0x33);
    assert_eq!(ds[2].provisioning_status, ProvisioningStatus::DEALLOCATED);
}

#[test]
fn test_tgtd_thin_mapped_then_deallocated() {
    // tgtd after WRITE(16) of 8 blocks at LBA 16 (docs/witnesses.md §tgtd: what it reports):
    // [16..23 mapped][24.. deallocated]; hand-built with the SBC-4 layout.
    let mut b = vec![0, 0, 0, 36, 0, 0, 0, 0];
    b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 8, 0x00, 0, 0, 0]);
    b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 24, 0, 0x01, 0xFF, 0xE8, 0x01, 0, 0, 0]);
    let d = LbaStatus::parse(&b).unwrap();
    assert_eq!(d.announced, 40);
    let ds: Vec<_> = d.value.descriptors().collect();
    assert_eq!(ds.len(), 2);
    assert_eq!(ds[0].end_lba(), Some(24));
    assert_eq!(ds[1].lba_status_logical_block_address, 24);
    assert_eq!(ds[1].provisioning_status, ProvisioningStatus::DEALLOCATED);
    assert_eq!(ds[1].end_lba(), Some(131_072));
    // Unnamed provisioning status kept as data; end_lba overflow is None, not a wrap.
    let mut b2 = vec![0, 0, 0, 20, 0, 0, 0, 0];
    b2.extend_from_slice(&[0xFF; 12]);
    b2.extend_from_slice(&[0x0E, 0x07, 0, 0]);
    let d = LbaStatus::parse(&b2).unwrap().value.descriptors().next().unwrap();
    assert_eq!(d.provisioning_status, ProvisioningStatus(0x0E));
    assert_eq!(d.provisioning_status.name(), None);
    assert_eq!(d.end_lba(), None);
}

#[test]
fn test_length_past_buffer_and_garbage_tail() {
    // Announces 0xFFFF_FFFF + 4 bytes: saturates, lists what is there.
    let mut b = vec![0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0];
    b.extend_from_slice(&[1; 20]);
    let d = LbaStatus::parse(&b).unwrap();
    assert!(d.is_truncated());
    assert_eq!(d.value.descriptors().count(), 1);
    assert!(d.value.has_partial_descriptor());
    // Announces less than the header: no descriptors, bytes past the announced end ignored.
    let mut b = vec![0, 0, 0, 0, 0, 0, 0, 0];
    b.extend_from_slice(&[1; 16]);
    let d = LbaStatus::parse(&b).unwrap();
    assert_eq!(d.announced, 4);
    assert_eq!(d.value.descriptors().count(), 0);
}

#[test]
fn test_every_prefix() {
    let buf = inhex("get_lba_status.hex");
    let full = LbaStatus::parse(&buf).unwrap().value;
    let all: Vec<_> = full.descriptors().collect();
    every_prefix(&buf, |p| match LbaStatus::parse(p) {
        Err(e) => assert_eq!(e, Error::Truncated { needed: 8, available: p.len() }),
        Ok(d) => {
            assert!(p.len() >= 8);
            assert_eq!((d.available, d.announced), (p.len(), 56));
            assert_eq!(d.value.completion_condition, full.completion_condition);
            assert_eq!(d.value.rtp, full.rtp);
            let got: Vec<_> = d.value.descriptors().collect();
            assert_eq!(got.len(), (p.len() - 8) / 16);
            assert_eq!(&all[..got.len()], &got[..]);
            assert_eq!(d.value.has_partial_descriptor(), (p.len() - 8) % 16 != 0);
        }
    });
}

#[test]
fn test_random_input_never_panics() {
    let mut rng = Rng::new(0x5eed_0005);
    let seed = inhex("get_lba_status.hex");
    for i in 0..20_000 {
        let mut buf: Vec<u8> = if i % 2 == 0 {
            (0..rng.below(80)).map(|_| rng.byte()).collect()
        } else {
            let mut b = seed.clone();
            b.truncate(rng.below(57) as usize);
            b
        };
        for _ in 0..rng.below(4) {
            if !buf.is_empty() {
                let k = rng.below(buf.len() as u64) as usize;
                buf[k] = rng.byte();
            }
        }
        if let Ok(d) = LbaStatus::parse(&buf) {
            let mut n = 0;
            for x in d.value.descriptors() {
                assert!(x.end_lba().is_some() || x.lba_status_logical_block_address > 0);
                n += 1;
            }
            assert!(8 + n * 16 <= buf.len());
        }
    }
}
