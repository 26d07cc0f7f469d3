//! ATA IDENTIFY DEVICE data of 13 real drives (libatasmart's blob examples) against
//! `skdump --load`, capacities against the IDEMA LBA1-03 formula, every prefix, random input.

mod common;

use common::{every_prefix, fixtures_dir, peer, Rng};
use sbc_core::wire::ata_identify::{Checksum, IdentifyDevice};
use sbc_core::wire::vpd::MediumRotationRate;

/// The blobs: `(file name, IDFY section)`. Format: tagged sections, each a 4-byte ASCII
/// tag, a 4-byte big-endian length, the bytes (tests/fixtures/README.md).
fn blobs() -> Vec<(String, Vec<u8>)> {
    let dir = fixtures_dir().join("smart-blobs");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            let mut rest = &bytes[..];
            let mut idfy = None;
            while rest.len() >= 8 {
                let tag = &rest[..4];
                let len = u32::from_be_bytes(rest[4..8].try_into().unwrap()) as usize;
                if tag == b"IDFY" {
                    idfy = Some(rest[8..8 + len].to_vec());
                }
                rest = &rest[8 + len..];
            }
            (name, idfy.expect("blob without IDFY"))
        })
        .collect()
}

fn bracketed(text: &str, label: &str) -> String {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label} in {text}"));
    line.trim().trim_start_matches('[').trim_end_matches(']').to_string()
}

#[test]
fn test_blobs_against_skdump() {
    let blobs = blobs();
    assert_eq!(blobs.len(), 13);
    for (name, idfy) in &blobs {
        assert_eq!(idfy.len(), 512, "{name}");
        let path = fixtures_dir().join("smart-blobs").join(name);
        let text = peer("skdump", &[&format!("--load={}", path.display())]);
        let id = IdentifyDevice::new(idfy);
        assert_eq!(bracketed(&text, "Model:"), id.model_number().unwrap().to_string(), "{name}");
        assert_eq!(bracketed(&text, "Serial:"), id.serial_number().unwrap().to_string(), "{name}");
        assert_eq!(
            bracketed(&text, "Firmware:"),
            id.firmware_revision().unwrap().to_string(),
            "{name}"
        );
        let smart = match bracketed(&text, "SMART Available:").as_str() {
            "yes" => true,
            "no" => false,
            other => panic!("{other}"),
        };
        assert_eq!(id.smart_supported(), Some(smart), "{name}");
    }
}

/// IDEMA LBA1-03: a drive sold as `gb` decimal gigabytes (50 or more) has
/// 97,696,368 + 1,953,504 × (gb − 50) logical blocks of 512 bytes.
fn idema(gb: u64) -> u64 {
    97_696_368 + 1_953_504 * (gb - 50)
}

#[test]
fn test_capacity_matches_idema() {
    // Capacities from the model numbers (datasheet values); skdump --load prints no size.
    let sold: &[(&str, u64)] = &[
        ("FUJITSU_MHY2120BH--0084000D", 120),
        ("FUJITSU_MHY2120BH--0085000B", 120),
        ("FUJITSU_MHY2250BH--0085000B", 250),
        ("FUJITSU_MHZ2160BH_G1--0084000A", 160),
        ("INTEL_SSDSA2CW120G3--4PC10302", 120),
        ("SAMSUNG_HD501LJ--CR100-12", 500),
        ("ST9100821AS--3.CME", 100),
        ("TOSHIBA_MK1651GSY--38IGT0G5T", 160),
        ("WDC_WD2500JB--00REA0-20.00K20", 250),
        ("WDC_WD5000AAKS--00TMA0-12.01C01", 500),
    ];
    let blobs = blobs();
    for (name, gb) in sold {
        let idfy = &blobs.iter().find(|(n, _)| n == name).unwrap().1;
        let id = IdentifyDevice::new(idfy);
        assert_eq!(id.user_addressable_sectors(), Some(idema(*gb)), "{name}");
        assert_eq!(id.logical_sector_size(), Some(512), "{name}");
        if idema(*gb) > 0x0fff_ffff {
            // Beyond 28-bit addressing: needs and has the 48-bit feature set.
            assert_eq!(id.lba48_supported(), Some(true), "{name}");
            assert_eq!(id.user_addressable_sectors_28(), Some(0x0fff_ffff), "{name}");
        }
    }
}

#[test]
fn test_known_drive_facts() {
    let blobs = blobs();
    let get = |prefix: &str| {
        IdentifyDevice::new(&blobs.iter().find(|(n, _)| n.starts_with(prefix)).unwrap().1)
    };
    // The Intel 320 series is an SSD with TRIM; the Samsung HD501LJ is a 7200 rpm disk from
    // before word 217 and TRIM existed.
    let intel = get("INTEL");
    assert_eq!(intel.nominal_media_rotation_rate(), Some(MediumRotationRate::NonRotating));
    assert_eq!(intel.trim_supported(), Some(true));
    let samsung = get("SAMSUNG_HD501LJ");
    assert_ne!(samsung.nominal_media_rotation_rate(), Some(MediumRotationRate::NonRotating));
    assert_eq!(samsung.trim_supported(), Some(false));
    for (name, idfy) in &blobs {
        let id = IdentifyDevice::new(idfy);
        // Real drives: a checksum is either absent or right.
        assert_ne!(id.checksum(), Some(Checksum::Invalid), "{name}");
        if id.checksum() == Some(Checksum::Valid) {
            let mut bad = idfy.clone();
            bad[20] ^= 0x01;
            assert_eq!(IdentifyDevice::new(&bad).checksum(), Some(Checksum::Invalid));
        }
        // All of these drives are ATA/ATAPI-5 or later.
        assert!(id.major_version().unwrap() >= 5, "{name}: {:?}", id.major_version());
    }
    // Words read by hand from the blobs (little-endian words):
    // SAMSUNG MP0804H: 60..61 = FC90h 0951h, 83 = 7F01h (bit 10: 48-bit), 84 = 6003h,
    // 100..103 = FC90h 0951h 0 0. An 80 GB drive that does not follow IDEMA LBA1-03.
    let mp = get("SAMSUNG_MP0804H");
    assert_eq!(mp.user_addressable_sectors(), Some(0x0951_fc90));
    assert_eq!(mp.lba48_supported(), Some(true));
    assert_eq!(mp.user_addressable_sectors_48(), Some(0x0951_fc90));
    assert_eq!(mp.smart_self_test_supported(), Some(true));
    // Maxtor 96147H8: 60..61 = FBC0h 0727h, 83 = 4309h (bit 10 clear), 84 = 4000h
    // (valid, self-test bit clear), 80 = 007Eh (ATA/ATAPI-1..6).
    let maxtor = get("Maxtor");
    assert_eq!(maxtor.user_addressable_sectors(), Some(0x0727_fbc0));
    assert_eq!(maxtor.lba48_supported(), Some(false));
    assert_eq!(maxtor.smart_self_test_supported(), Some(false));
    assert_eq!(maxtor.major_version(), Some(6));
}

#[test]
fn test_every_prefix() {
    for (name, idfy) in blobs() {
        let full = IdentifyDevice::new(&idfy);
        every_prefix(&idfy, |p| {
            let d = IdentifyDevice::parse(p);
            assert_eq!((d.available, d.announced), (p.len(), 512));
            let v = d.value;
            macro_rules! same {
                ($($f:ident),*) => {$(
                    if let Some(x) = v.$f() {
                        assert_eq!(Some(x), full.$f(), "{name}: {} at {}", stringify!($f), p.len());
                    }
                )*};
            }
            same!(
                model_number,
                serial_number,
                firmware_revision,
                smart_supported,
                smart_enabled,
                smart_self_test_supported,
                lba48_supported,
                user_addressable_sectors_28,
                user_addressable_sectors_48,
                logical_sector_size,
                logical_per_physical_sectors,
                logical_sector_offset,
                nominal_media_rotation_rate,
                trim_supported,
                major_version,
                checksum
            );
            assert_eq!(v.model_number().is_some(), p.len() >= 94);
            assert_eq!(v.checksum().is_some(), p.len() == 512);
        });
    }
}

#[test]
fn test_random_input_never_panics() {
    let blobs = blobs();
    let mut rng = Rng::new(0xa7a);
    for _ in 0..20_000 {
        let mut b = blobs[rng.below(blobs.len() as u64) as usize].1.clone();
        for _ in 0..rng.below(40) {
            let at = rng.below(b.len() as u64) as usize;
            b[at] = rng.byte();
        }
        if rng.chance(4) {
            b.extend((0..rng.below(64)).map(|_| rng.byte()));
        }
        let cut = rng.below(b.len() as u64 + 1) as usize;
        let id = IdentifyDevice::new(&b[..cut]);
        let _ = format!(
            "{:?} {:?} {:?}",
            id.model_number(),
            id.serial_number(),
            id.firmware_revision()
        );
        let _ = (id.user_addressable_sectors(), id.logical_sector_size(), id.checksum());
        let _ = (id.logical_per_physical_sectors(), id.logical_sector_offset(), id.major_version());
        assert!(id.as_bytes().len() <= 512);
    }
}
