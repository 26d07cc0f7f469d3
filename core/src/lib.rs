//! `sbc-core`: the logic of sbc-dext, a macOS DriverKit driver for SCSI Block Commands disks.
//!
//! The C++ DriverKit shim (`dext/`) is deliberately thin: it moves bytes between Apple's
//! `UserSendCDB` and this crate. Everything that needs knowledge of SCSI lives here:
//!
//! - [`wire`]: typed CDB builders and a CDB decoder, and decoders for the responses a disk
//!   returns (INQUIRY, VPD pages, READ CAPACITY, MODE SENSE, REPORT LUNS, REPORT SUPPORTED
//!   OPERATION CODES, GET LBA STATUS). Decoders are views over `&[u8]` checked once, then
//!   parsed into plain structs; unknown code values are kept as data, never rejected.
//! - [`ffi`]: the C ABI described by `include/sbc_core.h`, the one contract with the shim.
//! - [`capture`]: the `.hex` text format in which captured device buffers travel.
//!
//! # Promises
//!
//! - `#![no_std]`, no `alloc`: every buffer belongs to the caller.
//! - No panic is reachable from any input. Decoders read through `slice::get` and checked
//!   arithmetic only; a buffer shorter than a field means the field is absent, never an
//!   out-of-bounds read. The staticlib is built with `panic = "abort"` and a panic handler
//!   that traps, so a panic would take the whole driver process down: the fuzz targets in
//!   `fuzz/` and the every-prefix tests in `tests/` exist to keep this promise.
//! - Sans-IO: nothing here blocks, sleeps or reads a clock. Time, when it matters, is an
//!   argument.
//! - Decoders never look past the bytes the device actually transferred: callers pass the
//!   realized slice, not the allocation.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod attach;
pub mod capture;
pub mod ffi;
pub mod policy;
pub mod quirks;
pub mod sense;
pub mod time;
pub mod wire;
