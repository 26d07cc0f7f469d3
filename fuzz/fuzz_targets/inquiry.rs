#![no_main]
//! Standard INQUIRY data: any bytes decode or fail with Truncated, never panic.
use sbc_core::wire::inquiry::InquiryData;
use sbc_core::wire::Error;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match InquiryData::parse(data) {
        Ok(d) => {
            assert_eq!(d.available, data.len());
            assert_eq!(d.announced, usize::from(data[4]) + 5);
            let v = d.value;
            assert!(v.version_descriptors.count() <= 8);
            let _ = format!("{v} {v:?}");
        }
        Err(Error::Truncated { needed: 5, .. }) => assert!(data.len() < 5),
        Err(e) => panic!("unexpected {e}"),
    }
});
