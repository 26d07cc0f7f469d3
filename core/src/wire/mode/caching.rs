//! The Caching mode page, page code 08h (SBC-4 §6.5.5).

use super::ModePage;
use crate::wire::field::{be16_at, bit_at, u8_at};

mod field {
    //! Byte offsets within the page (header included), SBC-4 table "Caching mode page".
    pub const FLAGS: usize = 2; // IC ABPF CAP DISC SIZE WCE MF RCD
    pub const RETENTION: usize = 3; // 7..4 demand read, 3..0 write
    pub const DISABLE_PRE_FETCH_TRANSFER_LENGTH: usize = 4;
    pub const MINIMUM_PRE_FETCH: usize = 6;
    pub const MAXIMUM_PRE_FETCH: usize = 8;
    pub const MAXIMUM_PRE_FETCH_CEILING: usize = 10;
    pub const FLAGS2: usize = 12; // FSW LBCSS DRA vs vs SYNC_PROG(2..1) NV_DIS
    pub const NUMBER_OF_CACHE_SEGMENTS: usize = 13;
    pub const CACHE_SEGMENT_SIZE: usize = 14;
}

/// The Caching mode page (SBC-4 §6.5.5, table "Caching mode page"), page code 08h,
/// page_0 format, PAGE LENGTH 12h.
///
/// ```text
///  byte    7      6      5      4      3      2      1      0
///  0      PS  |  SPF |              PAGE CODE (08h)
///  1      PAGE LENGTH (12h)
///  2      IC  | ABPF |  CAP | DISC | SIZE |  WCE |  MF  |  RCD
///  3      DEMAND READ RETENTION PRIORITY | WRITE RETENTION PRIORITY
///  4..=5  DISABLE PRE-FETCH TRANSFER LENGTH
///  6..=7  MINIMUM PRE-FETCH
///  8..=9  MAXIMUM PRE-FETCH
///  10..=11 MAXIMUM PRE-FETCH CEILING
///  12     FSW | LBCSS|  DRA |  vendor     |  SYNC_PROG  |NV_DIS
///  13     NUMBER OF CACHE SEGMENTS
///  14..=15 CACHE SEGMENT SIZE
///  16     reserved
///  17..=19 obsolete
/// ```
/// Old devices return a shorter page (SCSI-2's was 0Ah long): fields past PAGE LENGTH are
/// `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caching {
    /// IC: initiator control of the cache segments.
    pub ic: bool,
    /// ABPF: abort pre-fetch.
    pub abpf: bool,
    /// CAP: caching analysis permitted.
    pub cap: bool,
    /// DISC: discontinuity (pre-fetch across time discontinuities).
    pub disc: bool,
    /// SIZE: CACHE SEGMENT SIZE governs segmentation.
    pub size: bool,
    /// WCE: write cache enable.
    pub wce: bool,
    /// MF: multiplication factor for the pre-fetch fields.
    pub mf: bool,
    /// RCD: read cache disable.
    pub rcd: bool,
    /// DEMAND READ RETENTION PRIORITY (4 bits).
    pub demand_read_retention_priority: Option<u8>,
    /// WRITE RETENTION PRIORITY (4 bits).
    pub write_retention_priority: Option<u8>,
    /// DISABLE PRE-FETCH TRANSFER LENGTH.
    pub disable_pre_fetch_transfer_length: Option<u16>,
    /// MINIMUM PRE-FETCH.
    pub minimum_pre_fetch: Option<u16>,
    /// MAXIMUM PRE-FETCH.
    pub maximum_pre_fetch: Option<u16>,
    /// MAXIMUM PRE-FETCH CEILING.
    pub maximum_pre_fetch_ceiling: Option<u16>,
    /// FSW: force sequential write.
    pub fsw: Option<bool>,
    /// LBCSS: logical block cache segment size (CACHE SEGMENT SIZE counts blocks).
    pub lbcss: Option<bool>,
    /// DRA: disable read-ahead.
    pub dra: Option<bool>,
    /// SYNC_PROG (2 bits, SBC-4).
    pub sync_prog: Option<u8>,
    /// NV_DIS: non-volatile cache disabled.
    pub nv_dis: Option<bool>,
    /// NUMBER OF CACHE SEGMENTS.
    pub number_of_cache_segments: Option<u8>,
    /// CACHE SEGMENT SIZE.
    pub cache_segment_size: Option<u16>,
}

impl Caching {
    /// The Caching page code.
    pub const PAGE_CODE: u8 = 0x08;

    /// Decodes a Caching page. `None` when the page is not page 08h in page_0 format or is
    /// too short to hold byte 2 (the cache enable bits).
    pub fn parse(page: &ModePage<'_>) -> Option<Self> {
        if page.page_code != Self::PAGE_CODE || page.spf {
            return None;
        }
        let p = page.raw;
        let f = u8_at(p, field::FLAGS)?;
        let r = u8_at(p, field::RETENTION);
        let f2 = u8_at(p, field::FLAGS2);
        Some(Caching {
            ic: f & 0x80 != 0,
            abpf: f & 0x40 != 0,
            cap: f & 0x20 != 0,
            disc: f & 0x10 != 0,
            size: f & 0x08 != 0,
            wce: f & 0x04 != 0,
            mf: f & 0x02 != 0,
            rcd: f & 0x01 != 0,
            demand_read_retention_priority: r.map(|b| b >> 4),
            write_retention_priority: r.map(|b| b & 0xF),
            disable_pre_fetch_transfer_length: be16_at(p, field::DISABLE_PRE_FETCH_TRANSFER_LENGTH),
            minimum_pre_fetch: be16_at(p, field::MINIMUM_PRE_FETCH),
            maximum_pre_fetch: be16_at(p, field::MAXIMUM_PRE_FETCH),
            maximum_pre_fetch_ceiling: be16_at(p, field::MAXIMUM_PRE_FETCH_CEILING),
            fsw: bit_at(p, field::FLAGS2, 7),
            lbcss: bit_at(p, field::FLAGS2, 6),
            dra: bit_at(p, field::FLAGS2, 5),
            sync_prog: f2.map(|b| b >> 1 & 0x3),
            nv_dis: bit_at(p, field::FLAGS2, 0),
            number_of_cache_segments: u8_at(p, field::NUMBER_OF_CACHE_SEGMENTS),
            cache_segment_size: be16_at(p, field::CACHE_SEGMENT_SIZE),
        })
    }
}
