//! Logical Block Provisioning VPD page, B2h (SBC-4 §6.6.5).

use super::device_identification::Designator;
use super::{Page, PageCode};
use crate::wire::field::{bit_at, u8_at};
use crate::wire::{Decoded, Error};

mod field {
    //! Byte offsets, SBC-4 table "Logical Block Provisioning VPD page".
    pub const THRESHOLD_EXPONENT: usize = 4;
    pub const FLAGS: usize = 5; // 7 LBPU, 6 LBPWS, 5 LBPWS10, 4..2 LBPRZ, 1 ANC_SUP, 0 DP
    pub const PROVISIONING: usize = 6; // 7..3 MINIMUM PERCENTAGE, 2..0 PROVISIONING TYPE
    pub const THRESHOLD_PERCENTAGE: usize = 7;
    pub const PROVISIONING_GROUP_DESCRIPTOR: usize = 8;
}

crate::open_enum! {
    /// PROVISIONING TYPE (SBC-4 table "PROVISIONING TYPE field").
    pub struct ProvisioningType(u8) {
        /// Not known or fully provisioned.
        NOT_REPORTED = 0 => "not known or fully provisioned",
        RESOURCE_PROVISIONED = 1 => "resource provisioned",
        THIN_PROVISIONED = 2 => "thin provisioned",
    }
}

/// Logical Block Provisioning VPD page (SBC-4 §6.6.5, table "Logical Block Provisioning VPD
/// page").
///
/// ```text
///        7      6      5      4      3      2      1      0
///  0..3   header, PAGE CODE B2h
///  4     | THRESHOLD EXPONENT                                    |
///  5     | LBPU |LBPWS |LBPWS10| LBPRZ              |ANC_SUP| DP |
///  6     | MINIMUM PERCENTAGE                 | PROVISIONING TYPE|
///  7     | THRESHOLD PERCENTAGE                                  |
///  8..n  | provisioning group descriptor (a designation descriptor, if DP is one) |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogicalBlockProvisioning<'a> {
    /// THRESHOLD EXPONENT.
    pub threshold_exponent: Option<u8>,
    /// LBPU: UNMAP is supported.
    pub lbpu: Option<bool>,
    /// LBPWS: WRITE SAME(16) with UNMAP is supported.
    pub lbpws: Option<bool>,
    /// LBPWS10: WRITE SAME(10) with UNMAP is supported.
    pub lbpws10: Option<bool>,
    /// LBPRZ (3 bits): what reading an unmapped block returns (0: not specified,
    /// 1: zeros, 2: the provisioning initialization pattern).
    pub lbprz: Option<u8>,
    /// ANC_SUP: ANCHOR in UNMAP is supported.
    pub anc_sup: Option<bool>,
    /// DP: a provisioning group descriptor is present.
    pub dp: Option<bool>,
    /// MINIMUM PERCENTAGE (5 bits).
    pub minimum_percentage: Option<u8>,
    /// PROVISIONING TYPE.
    pub provisioning_type: Option<ProvisioningType>,
    /// THRESHOLD PERCENTAGE.
    pub threshold_percentage: Option<u8>,
    /// The provisioning group descriptor, when DP is one and it was wholly transferred.
    pub provisioning_group_descriptor: Option<Designator<'a>>,
}

impl<'a> LogicalBlockProvisioning<'a> {
    /// Decodes page B2h.
    ///
    /// # Errors
    /// [`Error::Truncated`] below the 4-byte header; [`Error::Malformed`] for another page.
    pub fn parse(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        let page = Page::check(buf, PageCode::LOGICAL_BLOCK_PROVISIONING, "page code is not 0xB2")?;
        let d = page.data;
        let flags = u8_at(d, field::FLAGS);
        let provisioning = u8_at(d, field::PROVISIONING);
        let dp = bit_at(d, field::FLAGS, 0);
        let descriptor = match dp {
            Some(true) => d
                .get(field::PROVISIONING_GROUP_DESCRIPTOR..)
                .and_then(Designator::parse)
                .map(|(desc, _)| desc),
            _ => None,
        };
        Ok(page.done(LogicalBlockProvisioning {
            threshold_exponent: u8_at(d, field::THRESHOLD_EXPONENT),
            lbpu: bit_at(d, field::FLAGS, 7),
            lbpws: bit_at(d, field::FLAGS, 6),
            lbpws10: bit_at(d, field::FLAGS, 5),
            lbprz: flags.map(|b| (b >> 2) & 0x07),
            anc_sup: bit_at(d, field::FLAGS, 1),
            dp,
            minimum_percentage: provisioning.map(|b| b >> 3),
            provisioning_type: provisioning.map(|b| ProvisioningType(b & 0x07)),
            threshold_percentage: u8_at(d, field::THRESHOLD_PERCENTAGE),
            provisioning_group_descriptor: descriptor,
        }))
    }
}
