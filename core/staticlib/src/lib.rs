//! `libsbc_core_static.a`: the static library the dext links.
//!
//! It adds nothing to `sbc-core` but what a freestanding archive needs: the C ABI symbols
//! (`sbc_core::ffi`, declared in `core/include/sbc_core.h`), a panic handler, and a stub for
//! the one symbol the prebuilt `core` library references even under `panic = "abort"`.
//! `scripts/check-staticlib.sh` proves the archive needs nothing beyond
//! memcpy/memmove/memset/memcmp/bcmp.
#![no_std]

// Link the core so that its `#[no_mangle]` C ABI functions land in the archive.
pub use sbc_core::ffi;

/// A panic is a bug: the core promises none is reachable from any input. In a dext there is
/// nobody to unwind to, so stop the process at the faulting instruction, where the crash
/// report shows it, rather than hang in a loop or return garbage to the kernel.
#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    trap()
}

#[cfg(all(not(test), any(target_arch = "x86_64", target_arch = "x86")))]
fn trap() -> ! {
    // SAFETY: `ud2` raises an invalid-opcode exception; it touches no memory.
    unsafe { core::arch::asm!("ud2", options(noreturn, nomem, nostack)) }
}

#[cfg(all(not(test), target_arch = "aarch64"))]
fn trap() -> ! {
    // SAFETY: `brk` raises a breakpoint exception; it touches no memory.
    unsafe { core::arch::asm!("brk #0xf001", options(noreturn, nomem, nostack)) }
}

#[cfg(all(
    not(test),
    not(any(target_arch = "x86_64", target_arch = "x86", target_arch = "aarch64"))
))]
fn trap() -> ! {
    #[allow(clippy::empty_loop)]
    loop {}
}

/// The prebuilt `core` is compiled with unwinding and so references
/// `rust_eh_personality` even when this crate is built with `panic = "abort"`
/// (rust-lang/rust#56152). Nothing calls it: with `panic = "abort"` no unwind starts.
#[cfg(not(test))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
