#![no_main]
//! REPORT SUPPORTED OPERATION CODES: both forms on the same bytes, every descriptor.
use sbc_core::wire::supported_opcodes::{AllCommands, OneCommand};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(d) = AllCommands::parse(data) {
        let mut it = d.value.commands();
        for c in it.by_ref() {
            let _ = (c.service_action(), c.timeouts);
        }
        let _ = it.stopped_short();
        let _ = d.value.is_supported(0x28, None);
        let _ = d.value.is_supported(0x9E, Some(0x10));
    }
    if let Ok(d) = OneCommand::parse(data) {
        let _ = (d.value.operation_code(), d.value.support.is_supported(), d.value.timeouts);
    }
});
