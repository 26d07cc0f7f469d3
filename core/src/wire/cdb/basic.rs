//! SPC-5 and SBC-4 housekeeping commands: TEST UNIT READY, REQUEST SENSE, INQUIRY,
//! START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL.
//!
//! Tables are cited by their T10 titles (the numbers move between revisions); the layouts
//! are SPC-5 r22 / SBC-4 r22.

use super::decode::{be16, invalid, Bytes, CdbDecodeError};
use super::{bit, fits, BuildError, Cdb, Command, DataDirection, Opcode};

/// TEST UNIT READY (SPC-5 table "TEST UNIT READY command"): is the logical unit ready
/// for medium-access commands? No data phase.
///
/// ```text
///  byte 0  OPERATION CODE (00h)
///  byte 1..=4  reserved
///  byte 5  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TestUnitReady;

impl TestUnitReady {
    /// The 6-byte CDB.
    ///
    /// # Errors
    /// None in practice; the signature matches every other builder.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let cdb = Cdb::from_array([Opcode::TEST_UNIT_READY.0, 0, 0, 0, 0, 0]);
        Ok(Command::new(cdb, DataDirection::None, 0))
    }

    pub(crate) fn parse(_: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(TestUnitReady)
    }
}

/// REQUEST SENSE (SPC-5 table "REQUEST SENSE command"): fetch sense data. Data-in of
/// `allocation_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (03h)
///  1  | reserved                  |DESC|
///  2  reserved
///  3  reserved
///  4  ALLOCATION LENGTH
///  5  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestSense {
    /// DESC: ask for descriptor-format sense data (72h/73h) rather than fixed (70h/71h).
    #[doc(alias = "DESC")]
    pub descriptor_format: bool,
    /// ALLOCATION LENGTH: bytes the driver can take (18 for fixed format, up to 252).
    pub allocation_length: u8,
}

impl RequestSense {
    /// The 6-byte CDB.
    ///
    /// # Errors
    /// None in practice: every value of both fields fits.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let cdb = Cdb::from_array([
            Opcode::REQUEST_SENSE.0,
            bit(self.descriptor_format, 0),
            0,
            0,
            self.allocation_length,
            0,
        ]);
        Ok(Command::new(cdb, DataDirection::In, u64::from(self.allocation_length)))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(RequestSense { descriptor_format: b[1] & 1 != 0, allocation_length: b[4] })
    }
}

/// INQUIRY (SPC-5 table "INQUIRY command"): standard INQUIRY data, or one vital
/// product data page when `evpd_page` is `Some`. Data-in of `allocation_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (12h)
///  1  | reserved              |obsol|EVPD|
///  2  PAGE CODE
///  3  ALLOCATION LENGTH (msb)
///  4  ALLOCATION LENGTH (lsb)
///  5  CONTROL
/// ```
///
/// SPC-5: "If the EVPD bit is set to zero and the PAGE CODE field is not set to zero, then
/// the device server shall terminate the command with CHECK CONDITION status [...] INVALID
/// FIELD IN CDB." The `Option` makes that state unrepresentable here, and the decoder flags
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Inquiry {
    /// `None`: standard INQUIRY data (EVPD = 0, PAGE CODE = 0). `Some(page)`: EVPD = 1 and
    /// PAGE CODE = `page`.
    #[doc(alias = "EVPD")]
    pub evpd_page: Option<u8>,
    /// ALLOCATION LENGTH (16 bits since SPC-3).
    pub allocation_length: u16,
}

impl Inquiry {
    /// The 6-byte CDB.
    ///
    /// # Errors
    /// None in practice: every value of both fields fits.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let [hi, lo] = self.allocation_length.to_be_bytes();
        let (evpd, page) = match self.evpd_page {
            Some(page) => (1, page),
            None => (0, 0),
        };
        let cdb = Cdb::from_array([Opcode::INQUIRY.0, evpd, page, hi, lo, 0]);
        Ok(Command::new(cdb, DataDirection::In, u64::from(self.allocation_length)))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        let evpd_page = match (b[1] & 1 != 0, b[2]) {
            (true, page) => Some(page),
            (false, 0) => None,
            (false, _) => return Err(invalid(2, "PAGE CODE is not zero while EVPD is zero")),
        };
        Ok(Inquiry { evpd_page, allocation_length: be16(b, 3) })
    }
}

/// START STOP UNIT (SBC-4 table "START STOP UNIT command"): spin up or down, change
/// power condition, load or eject. No data phase.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (1Bh)
///  1  | reserved                    |IMMED|
///  2  reserved
///  3  | reserved      | POWER CONDITION MODIFIER |
///  4  | POWER CONDITION | rsvd|NO_FLUSH|LOEJ|START|
///  5  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StartStopUnit {
    /// IMMED: return status as soon as the CDB is validated.
    pub immed: bool,
    /// POWER CONDITION MODIFIER, 4 bits (0..=15).
    pub power_condition_modifier: u8,
    /// POWER CONDITION, 4 bits (0 = START_VALID: use START and LOEJ; 1 ACTIVE, 2 IDLE,
    /// 3 STANDBY, 7 LU_CONTROL, 0Ah/0Bh FORCE_IDLE_0/FORCE_STANDBY_0).
    pub power_condition: u8,
    /// NO_FLUSH: do not write cached data back before stopping.
    pub no_flush: bool,
    /// LOEJ: load (with START) or eject (without) the medium.
    pub loej: bool,
    /// START: make the logical unit ready (1) or stop it (0).
    pub start: bool,
}

impl StartStopUnit {
    /// The 6-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for a power condition or modifier above 15.
    pub fn encode(&self) -> Result<Command, BuildError> {
        fits("POWER CONDITION MODIFIER", self.power_condition_modifier.into(), 0x0F)?;
        fits("POWER CONDITION", self.power_condition.into(), 0x0F)?;
        let cdb = Cdb::from_array([
            Opcode::START_STOP_UNIT.0,
            bit(self.immed, 0),
            0,
            self.power_condition_modifier,
            self.power_condition << 4
                | bit(self.no_flush, 2)
                | bit(self.loej, 1)
                | bit(self.start, 0),
            0,
        ]);
        Ok(Command::new(cdb, DataDirection::None, 0))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(StartStopUnit {
            immed: b[1] & 1 != 0,
            power_condition_modifier: b[3] & 0x0F,
            power_condition: b[4] >> 4,
            no_flush: b[4] & 0x04 != 0,
            loej: b[4] & 0x02 != 0,
            start: b[4] & 0x01 != 0,
        })
    }
}

/// PREVENT ALLOW MEDIUM REMOVAL (SBC-4 table "PREVENT ALLOW MEDIUM REMOVAL command"):
/// lock or unlock a removable medium. No data phase.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (1Eh)
///  1..=3  reserved
///  4  | reserved                | PREVENT |
///  5  CONTROL
/// ```
///
/// PREVENT 00b allows removal, 01b prevents it; 10b and 11b are obsolete, so they are not
/// representable and the decoder flags them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PreventAllowMediumRemoval {
    /// PREVENT = 01b (true) or 00b (false).
    pub prevent: bool,
}

impl PreventAllowMediumRemoval {
    /// The 6-byte CDB.
    ///
    /// # Errors
    /// None in practice.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let cdb = Cdb::from_array([
            Opcode::PREVENT_ALLOW_MEDIUM_REMOVAL.0,
            0,
            0,
            0,
            u8::from(self.prevent),
            0,
        ]);
        Ok(Command::new(cdb, DataDirection::None, 0))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        match b[4] & 0x03 {
            0 => Ok(PreventAllowMediumRemoval { prevent: false }),
            1 => Ok(PreventAllowMediumRemoval { prevent: true }),
            _ => Err(invalid(4, "PREVENT values 10b and 11b are obsolete")),
        }
    }
}
