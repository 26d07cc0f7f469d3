#![no_main]
// PLACEHOLDER: replace with the real target for report_luns.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = data;
});
