//! MODE SENSE(6), MODE SENSE(10), MODE SELECT(6), MODE SELECT(10) (SPC-5).
//!
//! The parameter data itself (header, block descriptors, pages) is decoded by
//! [`crate::wire::mode`]; this file only builds the CDBs.

use super::decode::{be16, Bytes, CdbDecodeError};
use super::{bit, fits, BuildError, Cdb, Command, DataDirection, Opcode};

/// PC, page control (SPC-5, table "Page control (PC) field"): which values of the mode
/// pages MODE SENSE returns. All four 2-bit values are defined, so this enum is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[doc(alias = "PC")]
pub enum PageControl {
    /// 00b: current values.
    #[default]
    Current = 0,
    /// 01b: changeable values (a mask of the bits MODE SELECT may change).
    Changeable = 1,
    /// 10b: default values.
    Default = 2,
    /// 11b: saved values.
    Saved = 3,
}

impl PageControl {
    /// The field value of the two low bits of `bits`.
    pub const fn from_bits(bits: u8) -> Self {
        match bits & 3 {
            0 => PageControl::Current,
            1 => PageControl::Changeable,
            2 => PageControl::Default,
            _ => PageControl::Saved,
        }
    }
}

/// MODE SENSE(6) (SPC-5 table "MODE SENSE(6) command"). Data-in of
/// `allocation_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (1Ah)
///  1  | reserved      |DBD| reserved   |
///  2  |  PC   |     PAGE CODE          |
///  3  SUBPAGE CODE
///  4  ALLOCATION LENGTH
///  5  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ModeSense6 {
    /// DBD: disable block descriptors.
    pub dbd: bool,
    /// PC: which values to return.
    pub page_control: PageControl,
    /// PAGE CODE, 6 bits (3Fh = all pages).
    pub page_code: u8,
    /// SUBPAGE CODE (FFh with page 3Fh = all pages and subpages).
    pub subpage_code: u8,
    /// ALLOCATION LENGTH.
    pub allocation_length: u8,
}

impl ModeSense6 {
    /// The 6-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for a page code above 3Fh.
    pub fn encode(&self) -> Result<Command, BuildError> {
        fits("PAGE CODE", self.page_code.into(), 0x3F)?;
        let cdb = Cdb::from_array([
            Opcode::MODE_SENSE_6.0,
            bit(self.dbd, 3),
            (self.page_control as u8) << 6 | self.page_code,
            self.subpage_code,
            self.allocation_length,
            0,
        ]);
        Ok(Command::new(cdb, DataDirection::In, self.allocation_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(ModeSense6 {
            dbd: b[1] & 0x08 != 0,
            page_control: PageControl::from_bits(b[2] >> 6),
            page_code: b[2] & 0x3F,
            subpage_code: b[3],
            allocation_length: b[4],
        })
    }
}

/// MODE SENSE(10) (SPC-5 table "MODE SENSE(10) command"). Data-in of
/// `allocation_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (5Ah)
///  1  | reserved  |LLBAA|DBD| reserved |
///  2  |  PC   |     PAGE CODE          |
///  3  SUBPAGE CODE
///  4..=6  reserved
///  7  ALLOCATION LENGTH (msb)
///  8  ALLOCATION LENGTH (lsb)
///  9  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ModeSense10 {
    /// LLBAA: long LBA accepted (16-byte block descriptors allowed).
    pub llbaa: bool,
    /// DBD: disable block descriptors.
    pub dbd: bool,
    /// PC: which values to return.
    pub page_control: PageControl,
    /// PAGE CODE, 6 bits.
    pub page_code: u8,
    /// SUBPAGE CODE.
    pub subpage_code: u8,
    /// ALLOCATION LENGTH.
    pub allocation_length: u16,
}

impl ModeSense10 {
    /// The 10-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for a page code above 3Fh.
    pub fn encode(&self) -> Result<Command, BuildError> {
        fits("PAGE CODE", self.page_code.into(), 0x3F)?;
        let [hi, lo] = self.allocation_length.to_be_bytes();
        let cdb = Cdb::from_array([
            Opcode::MODE_SENSE_10.0,
            bit(self.llbaa, 4) | bit(self.dbd, 3),
            (self.page_control as u8) << 6 | self.page_code,
            self.subpage_code,
            0,
            0,
            0,
            hi,
            lo,
            0,
        ]);
        Ok(Command::new(cdb, DataDirection::In, self.allocation_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(ModeSense10 {
            llbaa: b[1] & 0x10 != 0,
            dbd: b[1] & 0x08 != 0,
            page_control: PageControl::from_bits(b[2] >> 6),
            page_code: b[2] & 0x3F,
            subpage_code: b[3],
            allocation_length: be16(b, 7),
        })
    }
}

/// MODE SELECT(6) (SPC-5 table "MODE SELECT(6) command"). Data-out of
/// `parameter_list_length` bytes (mode parameter header, block descriptors, pages).
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (15h)
///  1  | reserved  |PF | reserved   |SP |
///  2..=3  reserved
///  4  PARAMETER LIST LENGTH
///  5  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ModeSelect6 {
    /// PF: the pages are in the SPC page format (should be set).
    pub pf: bool,
    /// SP: save the pages to non-volatile storage.
    pub sp: bool,
    /// PARAMETER LIST LENGTH.
    pub parameter_list_length: u8,
}

impl ModeSelect6 {
    /// The 6-byte CDB.
    ///
    /// # Errors
    /// None in practice: every value fits.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let cdb = Cdb::from_array([
            Opcode::MODE_SELECT_6.0,
            bit(self.pf, 4) | bit(self.sp, 0),
            0,
            0,
            self.parameter_list_length,
            0,
        ]);
        Ok(Command::new(cdb, DataDirection::Out, self.parameter_list_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(ModeSelect6 { pf: b[1] & 0x10 != 0, sp: b[1] & 0x01 != 0, parameter_list_length: b[4] })
    }
}

/// MODE SELECT(10) (SPC-5 table "MODE SELECT(10) command"). Data-out of
/// `parameter_list_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (55h)
///  1  | reserved  |PF | reserved   |SP |
///  2..=6  reserved
///  7  PARAMETER LIST LENGTH (msb)
///  8  PARAMETER LIST LENGTH (lsb)
///  9  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ModeSelect10 {
    /// PF: page format.
    pub pf: bool,
    /// SP: save pages.
    pub sp: bool,
    /// PARAMETER LIST LENGTH.
    pub parameter_list_length: u16,
}

impl ModeSelect10 {
    /// The 10-byte CDB.
    ///
    /// # Errors
    /// None in practice: every value fits.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let [hi, lo] = self.parameter_list_length.to_be_bytes();
        let cdb = Cdb::from_array([
            Opcode::MODE_SELECT_10.0,
            bit(self.pf, 4) | bit(self.sp, 0),
            0,
            0,
            0,
            0,
            0,
            hi,
            lo,
            0,
        ]);
        Ok(Command::new(cdb, DataDirection::Out, self.parameter_list_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(ModeSelect10 {
            pf: b[1] & 0x10 != 0,
            sp: b[1] & 0x01 != 0,
            parameter_list_length: be16(b, 7),
        })
    }
}
