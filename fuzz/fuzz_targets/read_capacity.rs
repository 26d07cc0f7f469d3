#![no_main]
//! READ CAPACITY(10) and (16) parameter data: every decoder and helper on arbitrary bytes.
use sbc_core::wire::read_capacity::{ReadCapacity10, ReadCapacity16};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(d) = ReadCapacity10::parse(data) {
        let v = d.value;
        let _ = (v.block_count(), v.capacity_bytes(), v.needs_read_capacity_16());
    }
    if let Ok(d) = ReadCapacity16::parse(data) {
        let v = d.value;
        assert!(d.available == data.len() && d.announced == 32);
        let _ = (v.block_count(), v.checked_block_count(), v.capacity_bytes());
        let _ = (v.logical_blocks_per_physical_block(), v.physical_block_length());
        let _ = (v.protection_information_intervals(), v.protection_type());
    }
});
