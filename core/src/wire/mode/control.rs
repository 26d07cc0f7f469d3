//! The Control mode page, page code 0Ah subpage 00h (SPC-5 §7.5.10).

use super::ModePage;
use crate::wire::field::{be16_at, bit_at, u8_at};

mod field {
    //! Byte offsets within the page (header included), SPC-5 table "Control mode page".
    pub const FLAGS2: usize = 2; // TST(7..5) TMF_ONLY DPICZ D_SENSE GLTSD RLEC
    pub const FLAGS3: usize = 3; // QUEUE ALGORITHM MODIFIER(7..4) NUAR QERR(2..1) obsolete
    pub const FLAGS4: usize = 4; // VS RAC UA_INTLCK_CTRL(5..4) SWP obsolete(2..0)
    pub const FLAGS5: usize = 5; // ATO TAS ATMPE RWWP SBLP AUTOLOAD MODE(2..0)
    pub const BUSY_TIMEOUT_PERIOD: usize = 8;
    pub const EXTENDED_SELF_TEST_COMPLETION_TIME: usize = 10;
}

/// The Control mode page (SPC-5 §7.5.10, table "Control mode page"), page code 0Ah,
/// page_0 format, PAGE LENGTH 0Ah.
///
/// ```text
///  byte    7      6      5      4      3      2      1      0
///  0      PS  |  SPF |              PAGE CODE (0Ah)
///  1      PAGE LENGTH (0Ah)
///  2          TST        |TMF_ONLY| DPICZ |D_SENSE| GLTSD | RLEC
///  3      QUEUE ALGORITHM MODIFIER   | NUAR  |    QERR     | obs
///  4      VS  |  RAC | UA_INTLCK_CTRL | SWP  |     obsolete
///  5      ATO |  TAS | ATMPE| RWWP | SBLP |    AUTOLOAD MODE
///  6..=7  obsolete
///  8..=9  BUSY TIMEOUT PERIOD (100 ms units)
///  10..=11 EXTENDED SELF-TEST COMPLETION TIME (seconds)
/// ```
/// Fields past a short page's end are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    /// TST: task set type (3 bits).
    pub tst: u8,
    /// TMF_ONLY.
    pub tmf_only: bool,
    /// DPICZ: disable protection information check if protect field is zero.
    pub dpicz: bool,
    /// D_SENSE: descriptor format sense data.
    pub d_sense: bool,
    /// GLTSD: global logging target save disable.
    pub gltsd: bool,
    /// RLEC: report log exception condition.
    pub rlec: bool,
    /// QUEUE ALGORITHM MODIFIER (4 bits; 0 restricted, 1 unrestricted reordering).
    pub queue_algorithm_modifier: Option<u8>,
    /// NUAR: no unit attention on release.
    pub nuar: Option<bool>,
    /// QERR (2 bits).
    pub qerr: Option<u8>,
    /// RAC: report a check.
    pub rac: Option<bool>,
    /// UA_INTLCK_CTRL (2 bits).
    pub ua_intlck_ctrl: Option<u8>,
    /// SWP: software write protect.
    pub swp: Option<bool>,
    /// ATO: application tag owner.
    pub ato: Option<bool>,
    /// TAS: task aborted status.
    pub tas: Option<bool>,
    /// ATMPE: application tag mode page enabled.
    pub atmpe: Option<bool>,
    /// RWWP: reject write without protection.
    pub rwwp: Option<bool>,
    /// SBLP: supported block lengths and protection information.
    pub sblp: Option<bool>,
    /// AUTOLOAD MODE (3 bits).
    pub autoload_mode: Option<u8>,
    /// BUSY TIMEOUT PERIOD in 100 ms units (FFFFh = unlimited).
    pub busy_timeout_period: Option<u16>,
    /// EXTENDED SELF-TEST COMPLETION TIME in seconds.
    pub extended_self_test_completion_time: Option<u16>,
}

impl Control {
    /// The Control page code.
    pub const PAGE_CODE: u8 = 0x0A;

    /// Decodes a Control page. `None` when the page is not page 0Ah in page_0 format (the
    /// Control extension and other subpages are SPF pages) or is too short to hold byte 2.
    pub fn parse(page: &ModePage<'_>) -> Option<Self> {
        if page.page_code != Self::PAGE_CODE || page.spf {
            return None;
        }
        let p = page.raw;
        let f2 = u8_at(p, field::FLAGS2)?;
        let f3 = u8_at(p, field::FLAGS3);
        let f4 = u8_at(p, field::FLAGS4);
        let f5 = u8_at(p, field::FLAGS5);
        Some(Control {
            tst: f2 >> 5,
            tmf_only: f2 & 0x10 != 0,
            dpicz: f2 & 0x08 != 0,
            d_sense: f2 & 0x04 != 0,
            gltsd: f2 & 0x02 != 0,
            rlec: f2 & 0x01 != 0,
            queue_algorithm_modifier: f3.map(|b| b >> 4),
            nuar: bit_at(p, field::FLAGS3, 3),
            qerr: f3.map(|b| b >> 1 & 0x3),
            rac: bit_at(p, field::FLAGS4, 6),
            ua_intlck_ctrl: f4.map(|b| b >> 4 & 0x3),
            swp: bit_at(p, field::FLAGS4, 3),
            ato: bit_at(p, field::FLAGS5, 7),
            tas: bit_at(p, field::FLAGS5, 6),
            atmpe: bit_at(p, field::FLAGS5, 5),
            rwwp: bit_at(p, field::FLAGS5, 4),
            sblp: bit_at(p, field::FLAGS5, 3),
            autoload_mode: f5.map(|b| b & 0x7),
            busy_timeout_period: be16_at(p, field::BUSY_TIMEOUT_PERIOD),
            extended_self_test_completion_time: be16_at(
                p,
                field::EXTENDED_SELF_TEST_COMPLETION_TIME,
            ),
        })
    }
}
