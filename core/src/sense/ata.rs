//! ATA register values returned in sense data by a SCSI/ATA Translation layer after an ATA
//! PASS-THROUGH command (SAT-4 §12.2.2.6 "ATA Status Return sense data descriptor", and the
//! fixed-format form of SAT-4 §12.2.2.7 / SAT-2 "Fixed format sense data for ATA
//! PASS-THROUGH"). SMART over SAT reads the SMART RETURN STATUS answer from these.

use crate::wire::field::{be16_at, be32_at, u8_at};

/// The ATA Status Return sense data descriptor, type 09h (SAT-4 table "ATA Status Return
/// sense data descriptor"):
///
/// ```text
/// byte  0: DESCRIPTOR CODE (09h)     byte  1: ADDITIONAL DESCRIPTOR LENGTH (0Ch)
/// byte  2: reserved(7..1) EXTEND(0)  byte  3: ERROR
/// byte  4: COUNT (15:8)              byte  5: COUNT (7:0)
/// byte  6: LBA (31:24)               byte  7: LBA (7:0)
/// byte  8: LBA (39:32)               byte  9: LBA (15:8)
/// byte 10: LBA (47:40)               byte 11: LBA (23:16)
/// byte 12: DEVICE                    byte 13: STATUS
/// ```
///
/// The upper bytes (COUNT 15:8, LBA 47:24) carry meaning only when `extend` is set (a
/// 48-bit command); they are kept as sent either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtaStatusReturn {
    /// EXTEND: the registers are those of a 48-bit command.
    pub extend: bool,
    /// ERROR register.
    pub error: u8,
    /// COUNT (15:0).
    pub count: u16,
    /// LBA (47:0).
    pub lba: u64,
    /// DEVICE register.
    pub device: u8,
    /// STATUS register.
    pub status: u8,
}

impl AtaStatusReturn {
    /// Decodes a whole descriptor (header included); `None` if it is shorter than 14 bytes.
    pub fn from_descriptor(d: &[u8]) -> Option<Self> {
        let b = |i| u8_at(d, i);
        let lba = u64::from_be_bytes([0, 0, b(10)?, b(8)?, b(6)?, b(11)?, b(9)?, b(7)?]);
        Some(AtaStatusReturn {
            extend: b(2)? & 0x01 != 0,
            error: b(3)?,
            count: be16_at(d, 4)?,
            lba,
            device: b(12)?,
            status: b(13)?,
        })
    }
}

/// The ATA registers in fixed-format sense data with ASC/ASCQ 00h/1Dh "ATA PASS THROUGH
/// INFORMATION AVAILABLE" (SAT-4 table "Fixed format sense data for ATA PASS-THROUGH"), the
/// form bridges that lack descriptor sense use and smartmontools decodes:
///
/// ```text
/// INFORMATION (bytes 3..6):           ERROR, STATUS, DEVICE, COUNT (7:0)
/// COMMAND-SPECIFIC (bytes 8..11):     byte 8 EXTEND(7) COUNT UPPER NONZERO(6)
///                                            LBA UPPER NONZERO(5) reserved(4) LOG INDEX(3..0)
///                                     byte 9 LBA (7:0), byte 10 LBA (15:8), byte 11 LBA (23:16)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedAtaReturn {
    /// ERROR register.
    pub error: u8,
    /// STATUS register.
    pub status: u8,
    /// DEVICE register.
    pub device: u8,
    /// COUNT (7:0).
    pub count: u8,
    /// EXTEND.
    pub extend: bool,
    /// COUNT UPPER NONZERO: COUNT (15:8) is not zero (read it from the ATA PASS-THROUGH
    /// results log page at `log_index`).
    pub count_upper_nonzero: bool,
    /// LBA UPPER NONZERO: LBA (47:24) is not zero.
    pub lba_upper_nonzero: bool,
    /// LOG INDEX into the ATA PASS-THROUGH results log page.
    pub log_index: u8,
    /// LBA (23:0).
    pub lba: u32,
}

impl FixedAtaReturn {
    /// Decodes from the first 12 bytes of fixed-format sense (the caller checks the format
    /// and ASC/ASCQ); `None` if fewer are present.
    pub fn from_fixed(s: &[u8]) -> Option<Self> {
        let cs = be32_at(s, 8)?;
        let [flags, lo, mid, hi] = cs.to_be_bytes();
        Some(FixedAtaReturn {
            error: u8_at(s, 3)?,
            status: u8_at(s, 4)?,
            device: u8_at(s, 5)?,
            count: u8_at(s, 6)?,
            extend: flags & 0x80 != 0,
            count_upper_nonzero: flags & 0x40 != 0,
            lba_upper_nonzero: flags & 0x20 != 0,
            log_index: flags & 0x0f,
            lba: u32::from_be_bytes([0, hi, mid, lo]),
        })
    }
}

/// ATA registers from either sense format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtaReturn {
    /// From an ATA Status Return descriptor (descriptor-format sense).
    Descriptor(AtaStatusReturn),
    /// From fixed-format sense with ASC/ASCQ 00h/1Dh.
    Fixed(FixedAtaReturn),
}

impl AtaReturn {
    /// The STATUS register.
    pub fn status(&self) -> u8 {
        match self {
            AtaReturn::Descriptor(d) => d.status,
            AtaReturn::Fixed(f) => f.status,
        }
    }

    /// The ERROR register.
    pub fn error(&self) -> u8 {
        match self {
            AtaReturn::Descriptor(d) => d.error,
            AtaReturn::Fixed(f) => f.error,
        }
    }

    /// LBA (23:0): the bytes both forms carry (SMART RETURN STATUS answers in LBA 23:8).
    pub fn lba_low24(&self) -> u32 {
        match self {
            AtaReturn::Descriptor(d) => (d.lba & 0x00ff_ffff) as u32,
            AtaReturn::Fixed(f) => f.lba,
        }
    }
}
