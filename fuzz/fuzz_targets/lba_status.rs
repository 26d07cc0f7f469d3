#![no_main]
// PLACEHOLDER: replace with the real target for lba_status.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = data;
});
