//! The static library the dext links. Placeholder: being written.
#![no_std]
extern crate sbc_core;
