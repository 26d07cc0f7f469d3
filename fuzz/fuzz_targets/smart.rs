#![no_main]
//! IDENTIFY DEVICE, SMART READ DATA and SMART READ THRESHOLDS on arbitrary bytes: every
//! decoder, the summary under arbitrary quirks, the health verdict and every Display.
use sbc_core::wire::ata_identify::IdentifyDevice;
use sbc_core::wire::smart::{
    health, ReturnStatus, SmartData, SmartQuirks, SmartThresholds, SMART_LEN,
};
use std::fmt::Write;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut out = String::new();
    // The first four bytes choose the quirks, the next two the RETURN STATUS registers.
    let quirks = data.get(..4).map_or(SmartQuirks::empty(), |b| {
        SmartQuirks::from_bits_truncate(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    });
    let status = data.get(4..6).map(|b| ReturnStatus::from_registers(b[0], b[1]));

    let id = IdentifyDevice::parse(data);
    assert!(id.available == data.len() && id.announced == 512);
    let identity = id.value.identity();
    let _ = write!(out, "{identity}");
    if let (Some(l), Some(p)) = (identity.logical_sector_size, identity.physical_sector_size) {
        assert!(p >= l);
    }

    let smart = SmartData::parse(data).ok();
    let thresholds = SmartThresholds::parse(data).ok();
    if let Some(d) = &smart {
        assert!(d.announced == SMART_LEN && d.available == data.len().min(SMART_LEN));
        assert_eq!(d.value.checksum_valid.is_some(), data.len() >= SMART_LEN);
        let s = d.value.summary(quirks);
        let _ = (s.bad_sectors(), s.power_on_hours());
        let _ = write!(out, "{s}");
        for a in d.value.iter() {
            assert_ne!(a.id, 0);
            assert!(a.raw < 1 << 48);
            let _ = write!(out, "{a} {:?}", a.name(quirks));
        }
    }
    if let Some(t) = &thresholds {
        for x in t.value.thresholds.iter().flatten() {
            assert_ne!(x.id, 0);
        }
    }
    let h = health(status, smart.as_ref().map(|d| &d.value), thresholds.as_ref().map(|d| &d.value));
    let _ = write!(out, "{h}");
    if let Some(s) = status {
        let _ = write!(out, "{s}");
    }
});
