//! SMART READ DATA, SMART READ THRESHOLDS and the IDENTIFY DEVICE summary on 13 real drives
//! (libatasmart's blob examples): every prefix decodes to a subset of the whole (fields
//! absent, never different), random and mutated input never panics, the serde form has
//! the documented keys. The comparison with skdump itself is `tests/smart_skdump.rs` in the
//! host crate.

mod common;
#[path = "../../tests/common/smart_blob.rs"]
mod smart_blob;

use common::{every_prefix, Rng};
use sbc_core::wire::ata_identify::IdentifyDevice;
use sbc_core::wire::smart::{
    health, Health, ReturnStatus, SmartData, SmartQuirks, SmartThresholds, ATTRIBUTE_SLOTS,
    SMART_LEN,
};
use sbc_core::wire::Error;
use smart_blob::all_blobs;

#[test]
fn test_every_prefix_of_smart_data() {
    for (name, _, blob) in all_blobs() {
        let bytes = blob.data.unwrap();
        let full = SmartData::parse(&bytes).unwrap().value;
        every_prefix(&bytes, |p| {
            let d = match SmartData::parse(p) {
                Err(e) => {
                    assert!(p.len() < 2, "{name}: {e} at {}", p.len());
                    assert_eq!(e, Error::Truncated { needed: 2, available: p.len() });
                    return;
                }
                Ok(d) => d,
            };
            assert_eq!((d.announced, d.available), (SMART_LEN, p.len()));
            assert_eq!(d.is_truncated(), p.len() < SMART_LEN);
            let v = d.value;
            for slot in 0..ATTRIBUTE_SLOTS {
                let whole = 2 + 12 * (slot + 1) <= p.len();
                let want = if whole { full.attributes[slot] } else { None };
                assert_eq!(v.attributes[slot], want, "{name}: slot {slot} at {}", p.len());
            }
            macro_rules! subset {
                ($($f:ident),*) => {$(
                    if v.$f.is_some() {
                        assert_eq!(v.$f, full.$f, "{name}: {} at {}", stringify!($f), p.len());
                    }
                )*};
            }
            subset!(
                offline_data_collection_status,
                self_test_execution_status,
                offline_collection_seconds,
                offline_capability,
                smart_capability,
                short_self_test_minutes,
                extended_self_test_minutes,
                conveyance_self_test_minutes
            );
            assert_eq!(v.checksum_valid.is_some(), p.len() == SMART_LEN);
            assert_eq!(v.offline_data_collection_status.is_some(), p.len() > 362);
            // The summary of a prefix only loses what it cannot see.
            let s = v.summary(SmartQuirks::empty());
            if p.len() == SMART_LEN {
                assert_eq!(s, full.summary(SmartQuirks::empty()));
            }
        });
    }
}

#[test]
fn test_every_prefix_of_thresholds_and_identify() {
    for (name, _, blob) in all_blobs() {
        let bytes = blob.thresholds.unwrap();
        let full = SmartThresholds::parse(&bytes).unwrap().value;
        every_prefix(&bytes, |p| {
            let Ok(d) = SmartThresholds::parse(p) else {
                assert!(p.len() < 2);
                return;
            };
            for slot in 0..ATTRIBUTE_SLOTS {
                let whole = 2 + 12 * (slot + 1) <= p.len();
                let want = if whole { full.thresholds[slot] } else { None };
                assert_eq!(d.value.thresholds[slot], want, "{name}: slot {slot}");
            }
            assert_eq!(d.value.checksum_valid.is_some(), p.len() == SMART_LEN);
        });
        let full = IdentifyDevice::new(&blob.identify).identity();
        every_prefix(&blob.identify, |p| {
            let v = IdentifyDevice::parse(p).value.identity();
            macro_rules! subset {
                ($($f:ident),*) => {$(
                    if v.$f.is_some() {
                        assert_eq!(v.$f, full.$f, "{name}: {} at {}", stringify!($f), p.len());
                    }
                )*};
            }
            subset!(
                model_number,
                serial_number,
                firmware_revision,
                user_addressable_sectors,
                lba48_supported,
                logical_sector_size,
                physical_sector_size,
                nominal_media_rotation_rate,
                nominal_form_factor,
                smart_supported,
                smart_enabled,
                smart_self_test_supported,
                trim_supported,
                major_version,
                checksum
            );
        });
    }
}

#[test]
fn test_identity_of_the_blobs() {
    let blobs = all_blobs();
    for (name, _, blob) in &blobs {
        let i = IdentifyDevice::new(&blob.identify).identity();
        // All 13 are 512-byte-sector drives with SMART supported and enabled.
        assert_eq!(i.logical_sector_size, Some(512), "{name}");
        assert_eq!(i.physical_sector_size, Some(512), "{name}");
        assert_eq!((i.smart_supported, i.smart_enabled), (Some(true), Some(true)), "{name}");
        assert!(!i.to_string().is_empty());
    }
    // Hand-read: the Intel 320's word 168 is 0003h (2.5 inch), word 217 0001h.
    let intel = &blobs.iter().find(|(n, _, _)| n.starts_with("INTEL")).unwrap().2;
    let i = IdentifyDevice::new(&intel.identify).identity();
    assert_eq!(
        (i.nominal_form_factor.map(|f| f.0), i.trim_supported),
        (Some(IdentifyDevice::new(&intel.identify).word(168).unwrap() as u8 & 0x0f), Some(true))
    );
}

#[test]
fn test_logical_and_physical_sector_size_words() {
    let mut d = [0u8; 512];
    // Word 106: valid (01b), bit 13 (several logical per physical), bit 12 (long logical
    // sectors), 2^3 logical per physical; words 117..118: 2048 words = 4096 bytes.
    d[212..214].copy_from_slice(&0x7003u16.to_le_bytes());
    d[234..236].copy_from_slice(&2048u16.to_le_bytes());
    let i = IdentifyDevice::new(&d).identity();
    assert_eq!((i.logical_sector_size, i.physical_sector_size), (Some(4096), Some(32768)));
    // Word 106 not valid (bits 15:14 = 11b): 512 and 512, whatever the other bits say.
    d[212..214].copy_from_slice(&0xf003u16.to_le_bytes());
    let i = IdentifyDevice::new(&d).identity();
    assert_eq!((i.logical_sector_size, i.physical_sector_size), (Some(512), Some(512)));
}

#[test]
fn test_random_input_never_panics() {
    let blobs = all_blobs();
    let mut rng = Rng::new(0x5a11);
    for _ in 0..20_000 {
        let src = &blobs[rng.below(blobs.len() as u64) as usize].2;
        let mut b = match rng.below(3) {
            0 => src.data.clone().unwrap(),
            1 => src.thresholds.clone().unwrap(),
            _ => src.identify.clone(),
        };
        for _ in 0..rng.below(60) {
            let at = rng.below(b.len() as u64) as usize;
            b[at] = rng.byte();
        }
        if rng.chance(4) {
            b.extend((0..rng.below(64)).map(|_| rng.byte()));
        }
        let cut = rng.below(b.len() as u64 + 1) as usize;
        let p = &b[..cut];
        let quirks = SmartQuirks::from_bits_truncate(rng.next_u64() as u32);
        let data = SmartData::parse(p).ok().map(|d| d.value);
        let thresholds = SmartThresholds::parse(p).ok().map(|d| d.value);
        if let Some(d) = &data {
            let s = d.summary(quirks);
            let _ = format!("{s} {:?}", s.bad_sectors());
            for a in d.iter() {
                let _ = format!("{a} {:?}", a.name(quirks));
            }
        }
        let status = ReturnStatus::from_registers(rng.byte(), rng.byte());
        let h = health(Some(status), data.as_ref(), thresholds.as_ref());
        let _ = h.to_string();
        let _ = IdentifyDevice::new(p).identity().to_string();
    }
    assert_eq!(health(None, None, None), Health::Unknown);
}

#[cfg(feature = "serde")]
#[test]
fn test_serde_form() {
    let blob = &all_blobs()[0].2;
    let d = SmartData::parse(blob.data.as_ref().unwrap()).unwrap().value;
    let v = serde_json::to_value(d).unwrap();
    assert_eq!(v["attributes"].as_array().unwrap().len(), ATTRIBUTE_SLOTS);
    assert_eq!(v["checksum_valid"], true);
    let s = serde_json::to_value(d.summary(SmartQuirks::empty())).unwrap();
    assert!(s.get("power_on_seconds").is_some(), "{s}");
    let t = SmartThresholds::parse(blob.thresholds.as_ref().unwrap()).unwrap().value;
    assert!(serde_json::to_value(t).unwrap()["thresholds"].is_array());
    let i = serde_json::to_value(IdentifyDevice::new(&blob.identify).identity()).unwrap();
    assert_eq!(i["model_number"], "FUJITSU MHY2120BH");
    assert!(i.get("checksum").is_some(), "{i}");
    assert_eq!(serde_json::to_value(ReturnStatus::Good).unwrap(), "good");
    assert_eq!(
        serde_json::to_value(Health::Failing { threshold_exceeded: true, attribute: None })
            .unwrap()["failing"]["threshold_exceeded"],
        true
    );
}
