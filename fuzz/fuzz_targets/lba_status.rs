#![no_main]
//! GET LBA STATUS parameter data: every descriptor.
use sbc_core::wire::lba_status::LbaStatus;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(d) = LbaStatus::parse(data) {
        for desc in d.value.descriptors() {
            let _ = (desc.end_lba(), desc.provisioning_status.name());
        }
        let _ = d.value.has_partial_descriptor();
    }
});
