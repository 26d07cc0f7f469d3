#![no_main]
//! MODE SENSE(6)/(10) parameter data: header, every block descriptor, every page, and the
//! typed page decoders on every page.
use sbc_core::wire::mode::caching::Caching;
use sbc_core::wire::mode::control::Control;
use sbc_core::wire::mode::{ModeParameters, ModeSenseCommand};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for command in [ModeSenseCommand::Six, ModeSenseCommand::Ten] {
        let Ok(d) = ModeParameters::parse(data, command) else { continue };
        let m = d.value;
        let _ = (m.header.wp(), m.header.dpofua(), m.header.announced());
        for bd in m.block_descriptors {
            let _ = bd.logical_block_length;
        }
        let mut pages = m.pages.iter();
        for page in pages.by_ref() {
            assert_eq!(page.data.len(), usize::from(page.page_length));
            let _ = (Caching::parse(&page), Control::parse(&page));
        }
        let _ = (pages.stopped_short(), m.pages.stopped_short());
        let _ = (m.find_page(0x08, 0), m.returned_other_page(data.first().copied().unwrap_or(0)));
    }
});
