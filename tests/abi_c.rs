//! The C ABI from C and C++, as the shim will use it.
//!
//! `tests/c/abi_test.c` is compiled by build.rs (cc crate, warnings as errors) and linked
//! into this test with the core, so every call goes through the header's declarations. The
//! C++ check compiles the header as the shim's compiler will see it.

use std::process::Command;

extern "C" {
    fn sbc_abi_c_test() -> std::ffi::c_int;
}

/// Keeps the core's C ABI symbols in this test binary (the C object calls them).
#[used]
static LINK_CORE: unsafe extern "C" fn(*mut sbc_core::ffi::SbcCommand) -> u32 =
    sbc_core::ffi::sbc_build_test_unit_ready;

/// Held by the tests that run an attach: the C program counts the records that reach its
/// log callback, and the core's records go to whichever callback is set, from any thread.
static ATTACHES: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn c_program_calls_every_function_through_the_header() {
    let _attaches = ATTACHES.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the C test takes no arguments and touches only its own memory and the ABI.
    let failures = unsafe { sbc_abi_c_test() };
    assert_eq!(failures, 0, "tests/c/abi_test.c reported failed checks (see stderr)");
}

#[test]
fn header_compiles_as_cxx_with_strict_warnings() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::env::temp_dir().join(format!("sbc-header-cxx-{}", std::process::id()));
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let status = Command::new(&cxx)
        .args(["-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fno-exceptions"])
        .arg(format!("-I{root}/core/include"))
        .arg(format!("{root}/tests/c/header_cxx.cpp"))
        .arg("-c")
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap_or_else(|e| panic!("{cxx} could not run ({e}); scripts/test.sh installs g++"));
    let _ = std::fs::remove_file(&out);
    assert!(status.success(), "sbc_core.h does not compile cleanly as C++17");
}

#[test]
fn bindgen_declarations_reach_the_rust_implementation() {
    use sbc_dext::abi::bindings;
    let _attaches = ATTACHES.lock().unwrap_or_else(|e| e.into_inner());
    let mut cmd = bindings::sbc_command::default();
    // SAFETY: valid pointers to initialized values, per the header.
    unsafe {
        assert_eq!(bindings::sbc_build_inquiry(true, 0xb0, 64, &mut cmd), bindings::SBC_STATUS_OK);
        assert_eq!(&cmd.cdb[..6], &[0x12, 0x01, 0xb0, 0x00, 0x40, 0x00]);
        assert_eq!(cmd.transfer_length, 64);
        let name =
            std::ffi::CStr::from_ptr(bindings::sbc_status_name(bindings::SBC_STATUS_TRUNCATED));
        assert_eq!(name.to_str().unwrap(), "SBC_STATUS_TRUNCATED");
        assert_eq!(bindings::sbc_core_abi_version(), bindings::SBC_CORE_ABI_VERSION);

        let mut storage = bindings::sbc_attach_storage::default();
        let config = bindings::sbc_attach_config::default();
        let mut attach: *mut bindings::sbc_attach = std::ptr::null_mut();
        let size = std::mem::size_of_val(&storage);
        let p = (&mut storage as *mut bindings::sbc_attach_storage).cast();
        assert_eq!(
            bindings::sbc_attach_begin(&config, 0, p, size, &mut attach),
            bindings::SBC_STATUS_OK
        );
        let mut poll = bindings::sbc_poll::default();
        assert_eq!(bindings::sbc_attach_poll(attach, 0, &mut poll), bindings::SBC_STATUS_OK);
        assert_eq!((poll.kind, poll.command.cdb[0]), (bindings::SBC_POLL_COMMAND, 0x12));
        let mut summary = bindings::sbc_attach_summary::default();
        let s = bindings::sbc_attach_summary(attach, &mut summary);
        assert_eq!(s, bindings::SBC_STATUS_BAD_STATE, "no summary before DONE");
    }
}
