//! MODE SENSE(6) and MODE SENSE(10) parameter data (SPC-5 §7.5): the mode parameter
//! header, block descriptors, and a walk over the mode pages, with typed decoders for the
//! pages the driver reads ([`caching`], [`control`]).
//!
//! The walk is lenient the way real devices need: tgtd returns an empty page 0x00 (`00 00`)
//! in its all-pages response, some bridges return all pages whatever page was asked for
//! (see [`ModeParameters::returned_other_page`]), and a response cut by the allocation
//! length ends in the middle of a page. A page whose PAGE LENGTH runs past the data ends the
//! walk; [`ModePageIter::stopped_short`] says so.

pub mod caching;
pub mod control;

use super::field::{be16_at, be24_at, be32_at, be64_at, bytes_at, u8_at};
use super::{Decoded, Error};

mod field {
    //! Byte offsets, SPC-5 tables "Mode parameter header(6)", "Mode parameter header(10)",
    //! SBC-4 "Short LBA mode parameter block descriptor", "Long LBA mode parameter block
    //! descriptor", SPC-5 "Page_0 mode page format" and "Sub_page mode page format".
    pub const H6_MODE_DATA_LENGTH: usize = 0;
    pub const H6_MEDIUM_TYPE: usize = 1;
    pub const H6_DEVICE_SPECIFIC: usize = 2;
    pub const H6_BLOCK_DESCRIPTOR_LENGTH: usize = 3;
    pub const H6_LEN: usize = 4;

    pub const H10_MODE_DATA_LENGTH: usize = 0; // 2 bytes
    pub const H10_MEDIUM_TYPE: usize = 2;
    pub const H10_DEVICE_SPECIFIC: usize = 3;
    pub const H10_LONGLBA: usize = 4; // bit 0
    pub const H10_BLOCK_DESCRIPTOR_LENGTH: usize = 6; // 2 bytes
    pub const H10_LEN: usize = 8;

    pub const SHORT_BD_LEN: usize = 8;
    pub const SHORT_BD_DENSITY_CODE: usize = 0;
    pub const SHORT_BD_NUMBER_OF_BLOCKS: usize = 0; // 4 bytes (SBC), 3 bytes from 1 (SPC)
    pub const SHORT_BD_BLOCK_LENGTH: usize = 5; // 3 bytes
    pub const LONG_BD_LEN: usize = 16;
    pub const LONG_BD_NUMBER_OF_BLOCKS: usize = 0; // 8 bytes
    pub const LONG_BD_DENSITY_CODE: usize = 8;
    pub const LONG_BD_BLOCK_LENGTH: usize = 12; // 4 bytes

    pub const PAGE_CODE: usize = 0; // bit 7 PS, bit 6 SPF, bits 5..0 PAGE CODE
    pub const PAGE0_LENGTH: usize = 1;
    pub const PAGE0_HEADER_LEN: usize = 2;
    pub const SUBPAGE_CODE: usize = 1;
    pub const SUBPAGE_LENGTH: usize = 2; // 2 bytes
    pub const SUBPAGE_HEADER_LEN: usize = 4;
}

/// Which command produced the data: the headers differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeSenseCommand {
    /// MODE SENSE(6): 4-byte header, one-byte lengths.
    Six,
    /// MODE SENSE(10): 8-byte header, two-byte lengths, LONGLBA.
    Ten,
}

/// The page code that asks for all pages (SPC-5 §7.5.1: "Return all mode pages").
pub const ALL_PAGES: u8 = 0x3F;

/// The mode parameter header of MODE SENSE(6) or (10) (SPC-5 §7.5.5, §7.5.6).
///
/// ```text
///  MODE SENSE(6) header          MODE SENSE(10) header
///  0      MODE DATA LENGTH       0..=1  MODE DATA LENGTH
///  1      MEDIUM TYPE            2      MEDIUM TYPE
///  2      DEVICE-SPECIFIC PARAM  3      DEVICE-SPECIFIC PARAMETER
///  3      BLOCK DESCRIPTOR LEN   4      reserved                      | LONGLBA
///                                5      reserved
///                                6..=7  BLOCK DESCRIPTOR LENGTH
///
///  DEVICE-SPECIFIC PARAMETER for direct access devices (SBC-4 §6.5.1, table
///  "DEVICE-SPECIFIC PARAMETER field for direct access block devices"):
///       7      6      5      4      3      2      1      0
///      WP   | reserved    |DPOFUA| reserved
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeParameterHeader {
    /// The command whose header this is.
    pub command: ModeSenseCommand,
    /// MODE DATA LENGTH: bytes that follow the field itself.
    pub mode_data_length: u16,
    /// MEDIUM TYPE (00h for SBC devices).
    pub medium_type: u8,
    /// DEVICE-SPECIFIC PARAMETER, raw (see [`wp`](Self::wp), [`dpofua`](Self::dpofua)).
    pub device_specific_parameter: u8,
    /// LONGLBA (MODE SENSE(10) only): block descriptors are 16 bytes.
    pub longlba: bool,
    /// BLOCK DESCRIPTOR LENGTH.
    pub block_descriptor_length: u16,
}

impl ModeParameterHeader {
    /// WP: the medium is write-protected (SBC-4 §6.5.1).
    pub fn wp(&self) -> bool {
        self.device_specific_parameter & 0x80 != 0
    }

    /// DPOFUA: the device supports the DPO and FUA bits (SBC-4 §6.5.1).
    pub fn dpofua(&self) -> bool {
        self.device_specific_parameter & 0x10 != 0
    }

    /// Header length: 4 or 8.
    pub fn len(&self) -> usize {
        match self.command {
            ModeSenseCommand::Six => field::H6_LEN,
            ModeSenseCommand::Ten => field::H10_LEN,
        }
    }

    /// Never empty; present for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Length of the whole response as the header announces it: MODE DATA LENGTH + 1
    /// (MODE SENSE(6)) or + 2 (MODE SENSE(10)).
    pub fn announced(&self) -> usize {
        let before = match self.command {
            ModeSenseCommand::Six => 1,
            ModeSenseCommand::Ten => 2,
        };
        usize::from(self.mode_data_length) + before
    }

    /// Size of each block descriptor: 16 with LONGLBA, else 8.
    pub fn block_descriptor_size(&self) -> usize {
        if self.longlba {
            field::LONG_BD_LEN
        } else {
            field::SHORT_BD_LEN
        }
    }
}

/// MODE SENSE parameter data: the header, the block descriptors and the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeParameters<'a> {
    /// The mode parameter header.
    pub header: ModeParameterHeader,
    /// The block descriptor bytes present (up to BLOCK DESCRIPTOR LENGTH).
    pub block_descriptors: BlockDescriptors<'a>,
    /// Whether BLOCK DESCRIPTOR LENGTH runs past the data present (and the announced
    /// length): the descriptors are cut short and no page follows.
    pub block_descriptors_cut: bool,
    /// The mode pages present after the block descriptors.
    pub pages: ModePages<'a>,
}

impl<'a> ModeParameters<'a> {
    /// Decodes MODE SENSE(6) or (10) parameter data. Only the bytes up to the announced
    /// length are walked; bytes beyond it (a device padding to the allocation length) are
    /// ignored. `announced` is MODE DATA LENGTH + 1 or + 2.
    ///
    /// # Errors
    /// [`Error::Truncated`] when fewer than the 4 (MODE SENSE(6)) or 8 (MODE SENSE(10))
    /// header bytes are present.
    pub fn parse(buf: &'a [u8], command: ModeSenseCommand) -> Result<Decoded<Self>, Error> {
        let header = match command {
            ModeSenseCommand::Six => Self::header6(buf),
            ModeSenseCommand::Ten => Self::header10(buf),
        };
        let Some(header) = header else {
            let needed = match command {
                ModeSenseCommand::Six => field::H6_LEN,
                ModeSenseCommand::Ten => field::H10_LEN,
            };
            return Err(Error::Truncated { needed, available: buf.len() });
        };
        let announced = header.announced();
        let end = announced.min(buf.len());
        let body = buf.get(header.len()..end.max(header.len())).unwrap_or(&[]);
        let bdl = usize::from(header.block_descriptor_length);
        let (bd_bytes, pages, cut) = match (body.get(..bdl), body.get(bdl..)) {
            (Some(bd), Some(pages)) => (bd, pages, false),
            _ => (body, &[][..], true),
        };
        Ok(Decoded {
            value: ModeParameters {
                header,
                block_descriptors: BlockDescriptors {
                    bytes: bd_bytes,
                    size: header.block_descriptor_size(),
                },
                block_descriptors_cut: cut,
                pages: ModePages { bytes: pages },
            },
            announced,
            available: buf.len(),
        })
    }

    /// [`parse`](Self::parse) for MODE SENSE(6) data.
    pub fn parse6(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        Self::parse(buf, ModeSenseCommand::Six)
    }

    /// [`parse`](Self::parse) for MODE SENSE(10) data.
    pub fn parse10(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        Self::parse(buf, ModeSenseCommand::Ten)
    }

    fn header6(buf: &[u8]) -> Option<ModeParameterHeader> {
        Some(ModeParameterHeader {
            command: ModeSenseCommand::Six,
            mode_data_length: u16::from(u8_at(buf, field::H6_MODE_DATA_LENGTH)?),
            medium_type: u8_at(buf, field::H6_MEDIUM_TYPE)?,
            device_specific_parameter: u8_at(buf, field::H6_DEVICE_SPECIFIC)?,
            longlba: false,
            block_descriptor_length: u16::from(u8_at(buf, field::H6_BLOCK_DESCRIPTOR_LENGTH)?),
        })
    }

    fn header10(buf: &[u8]) -> Option<ModeParameterHeader> {
        // Byte 5 is reserved but part of the header: require all 8 bytes.
        bytes_at(buf, 0, field::H10_LEN)?;
        Some(ModeParameterHeader {
            command: ModeSenseCommand::Ten,
            mode_data_length: be16_at(buf, field::H10_MODE_DATA_LENGTH)?,
            medium_type: u8_at(buf, field::H10_MEDIUM_TYPE)?,
            device_specific_parameter: u8_at(buf, field::H10_DEVICE_SPECIFIC)?,
            longlba: u8_at(buf, field::H10_LONGLBA)? & 1 == 1,
            block_descriptor_length: be16_at(buf, field::H10_BLOCK_DESCRIPTOR_LENGTH)?,
        })
    }

    /// The first complete page with this page code and subpage code (0 for page_0 format).
    pub fn find_page(&self, page_code: u8, subpage_code: u8) -> Option<ModePage<'a>> {
        self.pages.find(page_code, subpage_code)
    }

    /// The FreeBSD "returns all pages for any page" check: `requested` was a single page
    /// (not [`ALL_PAGES`]) but the first page returned has another page code. `false` when
    /// no page was returned.
    pub fn returned_other_page(&self, requested: u8) -> bool {
        requested != ALL_PAGES
            && self.pages.iter().next().is_some_and(|p| p.page_code != requested & 0x3F)
    }
}

/// The block descriptors of a MODE SENSE response, 8 or 16 bytes each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockDescriptors<'a> {
    bytes: &'a [u8],
    size: usize,
}

impl<'a> BlockDescriptors<'a> {
    /// The complete descriptors, in order.
    pub fn iter(&self) -> BlockDescriptorIter<'a> {
        BlockDescriptorIter { rest: self.bytes, size: self.size }
    }

    /// The first complete descriptor (SBC devices return one).
    pub fn first(&self) -> Option<BlockDescriptor> {
        self.iter().next()
    }

    /// The raw descriptor bytes present.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl<'a> IntoIterator for BlockDescriptors<'a> {
    type Item = BlockDescriptor;
    type IntoIter = BlockDescriptorIter<'a>;
    fn into_iter(self) -> BlockDescriptorIter<'a> {
        self.iter()
    }
}

/// A mode parameter block descriptor, short (8 bytes) or long (16 bytes, LONGLBA = 1).
///
/// ```text
///  Short LBA (SBC-4 §6.4.2)           General (SPC-5 §7.5.7.1)
///  0..=3  NUMBER OF LOGICAL BLOCKS    0      DENSITY CODE
///                                     1..=3  NUMBER OF BLOCKS
///  4      reserved                    4      reserved
///  5..=7  LOGICAL BLOCK LENGTH        5..=7  BLOCK LENGTH
///
///  Long LBA (SBC-4 §6.4.3)
///  0..=7   NUMBER OF LOGICAL BLOCKS
///  8       reserved (DENSITY CODE in SPC's general long form)
///  9..=11  reserved
///  12..=15 LOGICAL BLOCK LENGTH
/// ```
/// Both readings of the short form are given: a direct access device uses the 32-bit
/// count, a device reporting a density code uses the general form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockDescriptor {
    /// Whether this is the 16-byte long LBA form.
    pub long: bool,
    /// NUMBER OF LOGICAL BLOCKS: 32 bits (short) or 64 bits (long).
    pub number_of_logical_blocks: u64,
    /// Short form only: NUMBER OF BLOCKS of the general format (bytes 1..=3).
    pub number_of_blocks_24: Option<u32>,
    /// DENSITY CODE (byte 0 short, byte 8 long).
    pub density_code: u8,
    /// LOGICAL BLOCK LENGTH: 24 bits (short) or 32 bits (long).
    pub logical_block_length: u32,
}

/// Iterator over complete [`BlockDescriptor`]s.
#[derive(Debug, Clone)]
pub struct BlockDescriptorIter<'a> {
    rest: &'a [u8],
    size: usize,
}

impl Iterator for BlockDescriptorIter<'_> {
    type Item = BlockDescriptor;

    fn next(&mut self) -> Option<BlockDescriptor> {
        let d = bytes_at(self.rest, 0, self.size)?;
        let item = if self.size == field::LONG_BD_LEN {
            BlockDescriptor {
                long: true,
                number_of_logical_blocks: be64_at(d, field::LONG_BD_NUMBER_OF_BLOCKS)?,
                number_of_blocks_24: None,
                density_code: u8_at(d, field::LONG_BD_DENSITY_CODE)?,
                logical_block_length: be32_at(d, field::LONG_BD_BLOCK_LENGTH)?,
            }
        } else {
            BlockDescriptor {
                long: false,
                number_of_logical_blocks: u64::from(be32_at(d, field::SHORT_BD_NUMBER_OF_BLOCKS)?),
                number_of_blocks_24: be24_at(d, 1),
                density_code: u8_at(d, field::SHORT_BD_DENSITY_CODE)?,
                logical_block_length: be24_at(d, field::SHORT_BD_BLOCK_LENGTH)?,
            }
        };
        self.rest = self.rest.get(self.size..).unwrap_or(&[]);
        Some(item)
    }
}

/// The mode pages of a response, walked with [`ModePages::iter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModePages<'a> {
    bytes: &'a [u8],
}

impl<'a> ModePages<'a> {
    /// Frames a run of mode pages that is not behind a header (MODE SELECT data, tests).
    pub fn new(bytes: &'a [u8]) -> Self {
        ModePages { bytes }
    }

    /// The complete pages, in order.
    pub fn iter(&self) -> ModePageIter<'a> {
        ModePageIter { rest: self.bytes }
    }

    /// The first complete page with this page code and subpage code.
    pub fn find(&self, page_code: u8, subpage_code: u8) -> Option<ModePage<'a>> {
        self.iter().find(|p| p.page_code == page_code && p.subpage_code == subpage_code)
    }

    /// Whether the walk ends on bytes that do not form a complete page.
    pub fn stopped_short(&self) -> bool {
        let mut it = self.iter();
        for _ in it.by_ref() {}
        it.stopped_short()
    }

    /// The raw bytes after the block descriptors.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl<'a> IntoIterator for ModePages<'a> {
    type Item = ModePage<'a>;
    type IntoIter = ModePageIter<'a>;
    fn into_iter(self) -> ModePageIter<'a> {
        self.iter()
    }
}

/// One mode page (SPC-5 §7.5.7, tables "Page_0 mode page format" and "Sub_page mode page
/// format").
///
/// ```text
///  page_0 format (SPF = 0)            sub_page format (SPF = 1)
///  0   PS | SPF | PAGE CODE           0      PS | SPF | PAGE CODE
///  1   PAGE LENGTH (n - 1)            1      SUBPAGE CODE
///  2.. mode parameters                2..=3  PAGE LENGTH (n - 3)
///                                     4..    mode parameters
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModePage<'a> {
    /// PS: the page can be saved.
    pub ps: bool,
    /// SPF: sub_page format.
    pub spf: bool,
    /// PAGE CODE (6 bits).
    pub page_code: u8,
    /// SUBPAGE CODE (0 for page_0 format).
    pub subpage_code: u8,
    /// PAGE LENGTH.
    pub page_length: u16,
    /// The mode parameters after the page header: exactly PAGE LENGTH bytes.
    pub data: &'a [u8],
    /// The whole page, header included (byte offsets in the spec tables index this).
    pub raw: &'a [u8],
}

/// Iterator over complete [`ModePage`]s; a page running past the data ends it.
#[derive(Debug, Clone)]
pub struct ModePageIter<'a> {
    rest: &'a [u8],
}

impl ModePageIter<'_> {
    /// Whether bytes that do not form a complete page remain: after the iterator returned
    /// `None`, the response was cut (or is malformed) inside a page.
    pub fn stopped_short(&self) -> bool {
        !self.rest.is_empty()
    }
}

impl<'a> Iterator for ModePageIter<'a> {
    type Item = ModePage<'a>;

    fn next(&mut self) -> Option<ModePage<'a>> {
        let b0 = u8_at(self.rest, field::PAGE_CODE)?;
        let spf = b0 & 0x40 != 0;
        let (subpage_code, page_length, header) = if spf {
            (
                u8_at(self.rest, field::SUBPAGE_CODE)?,
                be16_at(self.rest, field::SUBPAGE_LENGTH)?,
                field::SUBPAGE_HEADER_LEN,
            )
        } else {
            (0, u16::from(u8_at(self.rest, field::PAGE0_LENGTH)?), field::PAGE0_HEADER_LEN)
        };
        let total = header.checked_add(usize::from(page_length))?;
        let raw = bytes_at(self.rest, 0, total)?;
        let data = raw.get(header..)?;
        self.rest = self.rest.get(total..).unwrap_or(&[]);
        Some(ModePage {
            ps: b0 & 0x80 != 0,
            spf,
            page_code: b0 & 0x3F,
            subpage_code,
            page_length,
            data,
            raw,
        })
    }
}
