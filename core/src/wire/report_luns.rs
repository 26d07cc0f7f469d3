//! REPORT LUNS parameter data (SPC-5 §6.33.2) and the eight-byte LUN structure
//! (SAM-5 §4.7).

use super::field::{array_at, be16_at, be24_at, be32_at, be48_at, u8_at};
use super::{Decoded, Error};

mod field {
    //! Byte offsets, SPC-5 table "REPORT LUNS parameter data format".
    pub const LUN_LIST_LENGTH: usize = 0; // 4 bytes, counts from byte 8
    pub const HEADER_LEN: usize = 8;
    pub const LUN_LEN: usize = 8;
}

/// REPORT LUNS parameter data (SPC-5 §6.33.2).
///
/// ```text
///  byte
///  0..=3   LUN LIST LENGTH (n - 7)
///  4..=7   reserved
///  8..=15  first LUN
///  ...
///  n-7..=n last LUN
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLuns<'a> {
    /// LUN LIST LENGTH as sent (bytes of LUN list, a multiple of 8 from a sane device).
    pub lun_list_length: u32,
    list: &'a [u8],
}

impl<'a> ReportLuns<'a> {
    /// Decodes the header and frames the LUN list; `announced` is LUN LIST LENGTH + 8.
    ///
    /// # Errors
    /// [`Error::Truncated`] when fewer than the 8 header bytes are present.
    pub fn parse(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        let Some(len) =
            be32_at(buf, field::LUN_LIST_LENGTH).filter(|_| buf.len() >= field::HEADER_LEN)
        else {
            return Err(Error::Truncated { needed: field::HEADER_LEN, available: buf.len() });
        };
        let announced = usize::try_from(len).unwrap_or(usize::MAX).saturating_add(8);
        let list = buf.get(field::HEADER_LEN..announced.min(buf.len())).unwrap_or(&[]);
        Ok(Decoded {
            value: ReportLuns { lun_list_length: len, list },
            announced,
            available: buf.len(),
        })
    }

    /// The complete LUNs present, in order.
    pub fn luns(&self) -> Luns<'a> {
        Luns { rest: self.list }
    }

    /// Whether `lun` is among the complete LUNs present.
    pub fn contains(&self, lun: Lun) -> bool {
        self.luns().any(|l| l == lun)
    }
}

/// Iterator over the complete eight-byte LUNs of a [`ReportLuns`].
#[derive(Debug, Clone)]
pub struct Luns<'a> {
    rest: &'a [u8],
}

impl Iterator for Luns<'_> {
    type Item = Lun;

    fn next(&mut self) -> Option<Lun> {
        let lun = array_at::<8>(self.rest, 0)?;
        self.rest = self.rest.get(field::LUN_LEN..).unwrap_or(&[]);
        Some(Lun(lun))
    }
}

crate::open_enum! {
    /// ADDRESS METHOD, bits 7..6 of the first byte of each level (SAM-5 §4.7.6, table
    /// "ADDRESS METHOD field").
    pub struct AddressMethod(u8) {
        PERIPHERAL_DEVICE = 0 => "peripheral device addressing",
        FLAT_SPACE = 1 => "flat space addressing",
        LOGICAL_UNIT = 2 => "logical unit addressing",
        EXTENDED_LOGICAL_UNIT = 3 => "extended logical unit addressing",
    }
}

crate::open_enum! {
    /// Well-known logical unit numbers, the W-LUN byte of extended addressing with length
    /// 00b and extended address method 1h (SAM-5 §4.7.8 and §8, table "Well known logical
    /// unit numbers").
    pub struct WellKnownLun(u8) {
        REPORT_LUNS = 0x01 => "REPORT LUNS well known logical unit",
        ACCESS_CONTROLS = 0x02 => "ACCESS CONTROLS well known logical unit",
        TARGET_LOG_PAGES = 0x03 => "TARGET LOG PAGES well known logical unit",
        SECURITY_PROTOCOL = 0x04 => "SECURITY PROTOCOL well known logical unit",
        MANAGEMENT_PROTOCOL = 0x05 => "MANAGEMENT PROTOCOL well known logical unit",
    }
}

/// One level of a LUN, decoded by its address method (SAM-5 §4.7.7–§4.7.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LunAddress {
    /// Peripheral device addressing (00b): `00bbbbbb tttttttt`. A non-zero BUS IDENTIFIER
    /// means TARGET OR LUN names a target and the LUN continues at the next level.
    PeripheralDevice {
        /// BUS IDENTIFIER (6 bits).
        bus_identifier: u8,
        /// TARGET OR LUN.
        target_or_lun: u8,
    },
    /// Flat space addressing (01b): a 14-bit FLAT SPACE LUN.
    FlatSpace {
        /// FLAT SPACE LUN (14 bits).
        flat_space_lun: u16,
    },
    /// Logical unit addressing (10b): `10tttttt bbblllll`.
    LogicalUnit {
        /// TARGET (6 bits).
        target: u8,
        /// BUS NUMBER (3 bits).
        bus_number: u8,
        /// LUN (5 bits).
        lun: u8,
    },
    /// Extended addressing, length 00b, method 1h: a well-known logical unit.
    WellKnown(WellKnownLun),
    /// Extended addressing, length 01b, method 2h: 24-bit EXTENDED FLAT SPACE LUN.
    ExtendedFlatSpace {
        /// EXTENDED FLAT SPACE LUN.
        lun: u32,
    },
    /// Extended addressing, length 10b, method 2h: 40-bit LONG EXTENDED FLAT SPACE LUN.
    LongExtendedFlatSpace {
        /// LONG EXTENDED FLAT SPACE LUN.
        lun: u64,
    },
    /// Extended addressing, length 11b, method Fh: "logical unit not specified" (all FFh).
    NotSpecified,
    /// Any other extended addressing form (reserved methods), kept raw.
    Extended {
        /// LENGTH (2 bits): the level is 2, 4, 6 or 8 bytes long.
        length: u8,
        /// EXTENDED ADDRESS METHOD (4 bits).
        extended_address_method: u8,
        /// The whole level, first byte included.
        raw: [u8; 8],
    },
}

/// An eight-byte LUN as it appears in REPORT LUNS parameter data (SAM-5 §4.7), kept raw;
/// [`Lun::levels`] decodes it.
///
/// ```text
///  byte 0..=1  first level addressing   byte 0 bits 7..6 = ADDRESS METHOD
///  byte 2..=3  second level addressing  (present when the first level is peripheral
///  byte 4..=5  third level addressing    device addressing with a non-zero BUS
///  byte 6..=7  fourth level addressing   IDENTIFIER; extended addressing spans 2..8 bytes)
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lun(pub [u8; 8]);

impl Lun {
    /// The REPORT LUNS well-known logical unit, C101_0000_0000_0000h.
    pub const REPORT_LUNS_WELL_KNOWN: Lun = Lun([0xC1, 0x01, 0, 0, 0, 0, 0, 0]);

    /// The ADDRESS METHOD of the first level.
    pub fn address_method(&self) -> AddressMethod {
        AddressMethod(self.0[0] >> 6)
    }

    /// The first level, decoded.
    pub fn first_level(&self) -> LunAddress {
        // A LUN always has a first level (a 2..8-byte slice of 8 bytes).
        self.levels().next().unwrap_or(LunAddress::NotSpecified)
    }

    /// The well-known logical unit this LUN names, if it is one.
    pub fn well_known(&self) -> Option<WellKnownLun> {
        match self.first_level() {
            LunAddress::WellKnown(w) => Some(w),
            _ => None,
        }
    }

    /// The levels of the LUN, decoded in order. A level follows another only after
    /// peripheral device addressing with a non-zero BUS IDENTIFIER (as `sg_luns` decodes),
    /// at most four 2-byte levels in all.
    pub fn levels(&self) -> LunLevels {
        LunLevels { lun: self.0, at: 0, done: false }
    }
}

impl core::fmt::Debug for Lun {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Lun(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// Iterator over the levels of a [`Lun`].
#[derive(Debug, Clone)]
pub struct LunLevels {
    lun: [u8; 8],
    at: usize,
    done: bool,
}

impl Iterator for LunLevels {
    type Item = LunAddress;

    fn next(&mut self) -> Option<LunAddress> {
        if self.done {
            return None;
        }
        self.done = true;
        let level = self.lun.get(self.at..).unwrap_or(&[]);
        let b0 = u8_at(level, 0)?;
        let b1 = u8_at(level, 1)?;
        let addr = match b0 >> 6 {
            0 => {
                let bus_identifier = b0 & 0x3F;
                if bus_identifier != 0 && self.at + 2 < self.lun.len() {
                    self.at += 2;
                    self.done = false;
                }
                LunAddress::PeripheralDevice { bus_identifier, target_or_lun: b1 }
            }
            1 => LunAddress::FlatSpace { flat_space_lun: be16_at(level, 0)? & 0x3FFF },
            2 => LunAddress::LogicalUnit { target: b0 & 0x3F, bus_number: b1 >> 5, lun: b1 & 0x1F },
            _ => {
                let length = b0 >> 4 & 0x3;
                let method = b0 & 0xF;
                let size = 2 + 2 * usize::from(length);
                match (length, method) {
                    (0, 1) => LunAddress::WellKnown(WellKnownLun(b1)),
                    (1, 2) => match be24_at(level, 1) {
                        Some(lun) => LunAddress::ExtendedFlatSpace { lun },
                        None => raw_extended(level, length, method),
                    },
                    (2, 2) => match be48_at(level, 0) {
                        Some(v) => LunAddress::LongExtendedFlatSpace { lun: v & 0xFF_FFFF_FFFF },
                        None => raw_extended(level, length, method),
                    },
                    (3, 0xF) if level.len() >= size && level.iter().all(|&b| b == 0xFF) => {
                        LunAddress::NotSpecified
                    }
                    _ => raw_extended(level, length, method),
                }
            }
        };
        Some(addr)
    }
}

fn raw_extended(level: &[u8], length: u8, extended_address_method: u8) -> LunAddress {
    let mut raw = [0u8; 8];
    let size = (2 + 2 * usize::from(length)).min(level.len());
    for (dst, src) in raw.iter_mut().zip(level.iter().take(size)) {
        *dst = *src;
    }
    LunAddress::Extended { length, extended_address_method, raw }
}
