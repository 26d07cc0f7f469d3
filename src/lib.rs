//! `sbc-dext` host side: everything that exists only to run and test the driver on Linux.
//!
//! The driver's logic lives in `sbc-core` (`core/`); the DriverKit shim in `dext/`. This
//! crate holds the CLI's pieces and the proof that the C ABI header and the Rust core agree.

pub mod abi;
pub mod attach;
pub mod cli;
pub mod kernel;
pub mod personality;
pub mod sim;
pub mod target;
pub mod tgtd;
