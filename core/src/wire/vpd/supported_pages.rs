//! Supported VPD Pages VPD page, 00h (SPC-5 §7.7.18).

use super::{Page, PageCode};
use crate::wire::{Decoded, Error};

/// Supported VPD Pages VPD page (SPC-5 §7.7.18, table "Supported VPD Pages VPD page").
///
/// ```text
///  0     | PERIPHERAL QUALIFIER | PERIPHERAL DEVICE TYPE |
///  1     | PAGE CODE (00h)                               |
///  2..3  | PAGE LENGTH (n - 3)                           |
///  4..n  | supported VPD page list, one page code a byte, ascending |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedPages<'a> {
    /// The page codes that were transferred (a truncated page gives the start of the list).
    pub supported_vpd_page_list: &'a [u8],
}

impl<'a> SupportedPages<'a> {
    /// Decodes page 00h.
    ///
    /// # Errors
    /// [`Error::Truncated`] below the 4-byte header; [`Error::Malformed`] for another page.
    pub fn parse(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        let page = Page::check(buf, PageCode::SUPPORTED_VPD_PAGES, "page code is not 0x00")?;
        let list = page.data.get(4..).unwrap_or(&[]);
        Ok(page.done(SupportedPages { supported_vpd_page_list: list }))
    }

    /// The listed page codes, as [`PageCode`]s.
    pub fn page_codes(&self) -> impl Iterator<Item = PageCode> + 'a {
        self.supported_vpd_page_list.iter().map(|&c| PageCode(c))
    }

    /// Whether `code` is listed.
    pub fn contains(&self, code: PageCode) -> bool {
        self.supported_vpd_page_list.contains(&code.0)
    }
}
