#![no_main]
// PLACEHOLDER: replace with the real target for supported_opcodes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = data;
});
