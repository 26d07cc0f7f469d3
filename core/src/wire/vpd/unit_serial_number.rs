//! Unit Serial Number VPD page, 80h (SPC-5 §7.7.19).

use super::{Page, PageCode};
use crate::wire::{Ascii, Decoded, Error};

/// Unit Serial Number VPD page (SPC-5 §7.7.19, table "Unit Serial Number VPD page").
///
/// ```text
///  0     | PERIPHERAL QUALIFIER | PERIPHERAL DEVICE TYPE |
///  1     | PAGE CODE (80h)                               |
///  2..3  | PAGE LENGTH (n - 3)                           |
///  4..n  | PRODUCT SERIAL NUMBER (ASCII)                 |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitSerialNumber<'a> {
    /// PRODUCT SERIAL NUMBER, trimmed; `None` unless the whole page was transferred (a cut
    /// serial number would be a different serial number).
    pub product_serial_number: Option<Ascii<'a>>,
}

impl<'a> UnitSerialNumber<'a> {
    /// Decodes page 80h.
    ///
    /// # Errors
    /// [`Error::Truncated`] below the 4-byte header; [`Error::Malformed`] for another page.
    pub fn parse(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        let page = Page::check(buf, PageCode::UNIT_SERIAL_NUMBER, "page code is not 0x80")?;
        let serial = if page.data.len() == page.announced {
            page.data.get(4..).map(Ascii::trimmed)
        } else {
            None
        };
        Ok(page.done(UnitSerialNumber { product_serial_number: serial }))
    }
}
