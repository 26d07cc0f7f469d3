//! The committed Rust view of `core/include/sbc_core.h` must be what bindgen makes of the
//! header today. Runs with `--features regen-bindings` (needs libclang; scripts/test.sh
//! installs it and enables the feature).
#![cfg(feature = "regen-bindings")]

#[test]
fn committed_bindings_match_the_header() {
    let fresh = include_str!(concat!(env!("OUT_DIR"), "/sbc_core_bindings.rs"));
    let committed = include_str!("../src/abi/bindings.rs");
    assert!(
        fresh == committed,
        "src/abi/bindings.rs is stale: core/include/sbc_core.h changed. Regenerate with\n  \
         SBC_WRITE_BINDINGS=1 cargo build --features regen-bindings\nand review the diff."
    );
}
