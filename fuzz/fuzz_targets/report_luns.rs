#![no_main]
//! REPORT LUNS parameter data: every LUN and every level of it.
use sbc_core::wire::report_luns::{Lun, ReportLuns};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(d) = ReportLuns::parse(data) {
        for lun in d.value.luns() {
            assert!(lun.levels().count() <= 4);
            let _ = (lun.first_level(), lun.well_known(), lun.address_method());
        }
        let _ = d.value.contains(Lun::REPORT_LUNS_WELL_KNOWN);
    }
});
