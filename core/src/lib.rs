//! `sbc-core`: the logic of sbc-dext, a macOS DriverKit driver for SCSI Block Commands disks.
//!
//! The C++ DriverKit shim (`dext/`) is deliberately thin: it moves bytes between Apple's
//! `UserSendCDB` and this crate. Everything that needs knowledge of SCSI lives here, in
//! layers that depend only downwards:
//!
//! ```text
//! ffi       the C ABI of include/sbc_core.h: NULL checks, conversion, one call each
//! attach    the characterization engine: which command next, what each answer means,
//!           the report; one file per phase, one drive loop (attach::drive)
//! policy    (how a command ended, sense, which command, retries, quirks) -> one Action;
//!           the only place that decides what a completion means
//! sense     fixed and descriptor sense data, every descriptor, the T10 ASC/ASCQ table,
//!           SenseCode (the triple reports carry)
//! wire      CDB builders and decoder; response decoders (INQUIRY, VPD, READ CAPACITY, MODE
//!           SENSE, REPORT LUNS, RSOC, GET LBA STATUS); status codes and TaskOutcome
//! quirks, time, capture   quirk flags; caller-supplied time; the .hex capture format
//! ```
//!
//! - [`wire`] reports facts: views over `&[u8]` checked once, then parsed into plain
//!   structs; unknown code values are kept as data, never rejected; truncated input decodes
//!   to absent fields, never an over-read.
//! - [`sense`] reports facts too: what a sense buffer says, with no opinion about it.
//! - [`policy`] decides, and only it: retry, start the unit, re-read, or fail, each with the
//!   budget it draws on. Pure and total.
//! - [`attach`] chooses what to send next and keeps what was learned; it asks the policy
//!   what every completion means and never reads status or sense bits itself.
//! - [`ffi`] is the one contract with the shim.
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
#[cfg(feature = "serde")]
pub mod property;
pub mod quirks;
pub mod sense;
pub mod time;
pub mod wire;
