#![no_main]
// PLACEHOLDER: replace with the real target for sense.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = data;
});
