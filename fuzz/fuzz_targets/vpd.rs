#![no_main]
//! Any VPD page through the dispatcher; every designator and the IDENTIFY view exercised.
use sbc_core::wire::ata_identify::IdentifyDevice;
use sbc_core::wire::vpd::{self, VpdPage};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(d) = vpd::decode(data) else {
        assert!(data.len() < 4);
        return;
    };
    assert_eq!(d.available, data.len());
    let _ = format!("{:?}", d.value);
    match d.value {
        VpdPage::DeviceIdentification(di) => {
            let mut it = di.designators();
            for des in it.by_ref() {
                let _ = format!("{des} {:?} {:?}", des.value(), des.protocol());
            }
            let _ = it.is_truncated();
        }
        VpdPage::AtaInformation(a) => {
            if let Some(id) = a.identify() {
                identify(id);
            }
        }
        VpdPage::LogicalBlockProvisioning(l) => {
            if let Some(des) = l.provisioning_group_descriptor {
                let _ = format!("{des} {:?}", des.value());
            }
        }
        VpdPage::SupportedPages(s) => {
            let _ = s.page_codes().count();
        }
        _ => {}
    }
    // The same bytes as raw IDENTIFY data, at any length.
    identify(IdentifyDevice::new(data));
});

fn identify(id: IdentifyDevice<'_>) {
    let _ =
        format!("{:?} {:?} {:?}", id.model_number(), id.serial_number(), id.firmware_revision());
    let _ = (id.smart_supported(), id.smart_enabled(), id.smart_self_test_supported());
    let _ = (id.lba48_supported(), id.user_addressable_sectors(), id.logical_sector_size());
    let _ = (id.logical_per_physical_sectors(), id.logical_sector_offset());
    let _ = (id.nominal_media_rotation_rate(), id.trim_supported(), id.major_version());
    let _ = id.checksum();
}
