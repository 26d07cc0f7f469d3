//! SPC-5 reporting and diagnostics: REPORT LUNS, REPORT SUPPORTED OPERATION CODES,
//! LOG SENSE, SEND DIAGNOSTIC.

use super::decode::{be16, be32, invalid, Bytes, CdbDecodeError};
use super::{bit, fits, BuildError, Cdb, Command, DataDirection, Opcode};

/// REPORT LUNS (SPC-5 table "REPORT LUNS command"). Data-in of `allocation_length`
/// bytes.
///
/// ```text
///  0  OPERATION CODE (A0h)
///  1  reserved
///  2  SELECT REPORT
///  3..=5  reserved
///  6..=9  ALLOCATION LENGTH
///  10 reserved
///  11 CONTROL
/// ```
///
/// SPC-3 required an allocation length of at least 16 bytes ("If the allocation length is
/// less than 16 bytes, the device server shall terminate the command with CHECK CONDITION
/// status"); SPC-5 relaxed that to 4 but still says it "should be at least 16". This crate
/// keeps the stricter rule, which every device accepts: shorter is refused by the builder
/// and flagged by the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportLuns {
    /// SELECT REPORT (00h: all LUNs except well-known, 01h: well-known only, 02h: all,
    /// 10h..=12h administrative/subsidiary).
    pub select_report: u8,
    /// ALLOCATION LENGTH, at least 16.
    pub allocation_length: u32,
}

impl ReportLuns {
    /// Smallest allocation length this crate sends or accepts.
    pub const MIN_ALLOCATION_LENGTH: u32 = 16;

    /// The 12-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::Invalid`] for an allocation length below 16.
    pub fn encode(&self) -> Result<Command, BuildError> {
        if self.allocation_length < Self::MIN_ALLOCATION_LENGTH {
            return Err(BuildError::Invalid("REPORT LUNS allocation length below 16"));
        }
        let mut b = [0u8; 12];
        b[0] = Opcode::REPORT_LUNS.0;
        b[2] = self.select_report;
        b[6..10].copy_from_slice(&self.allocation_length.to_be_bytes());
        Ok(Command::new(Cdb::from_array(b), DataDirection::In, self.allocation_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        let allocation_length = be32(b, 6);
        if allocation_length < Self::MIN_ALLOCATION_LENGTH {
            return Err(invalid(6, "ALLOCATION LENGTH below 16"));
        }
        Ok(ReportLuns { select_report: b[2], allocation_length })
    }
}

/// REPORT SUPPORTED OPERATION CODES (SPC-5 table "REPORT SUPPORTED OPERATION CODES
/// command"): MAINTENANCE IN (A3h) with service action 0Ch. Data-in of
/// `allocation_length` bytes, decoded by [`crate::wire::supported_opcodes`].
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (A3h)
///  1  | reserved  | SERVICE ACTION (0Ch)   |
///  2  |RCTD| reserved       | REPORTING OPTIONS |
///  3  REQUESTED OPERATION CODE
///  4..=5  REQUESTED SERVICE ACTION
///  6..=9  ALLOCATION LENGTH
///  10 reserved
///  11 CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReportSupportedOperationCodes {
    /// RCTD: return command timeouts descriptors.
    pub rctd: bool,
    /// REPORTING OPTIONS, 0..=3: 000b all commands; 001b one opcode without service
    /// action; 010b one opcode and service action; 011b one opcode, with or without service
    /// action. Values 100b..=111b are reserved (refused, flagged).
    pub reporting_options: u8,
    /// REQUESTED OPERATION CODE (ignored by the device for option 000b).
    pub requested_operation_code: u8,
    /// REQUESTED SERVICE ACTION (used for options 010b and 011b).
    pub requested_service_action: u16,
    /// ALLOCATION LENGTH.
    pub allocation_length: u32,
}

impl ReportSupportedOperationCodes {
    /// The 12-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for REPORTING OPTIONS above 3.
    pub fn encode(&self) -> Result<Command, BuildError> {
        fits("REPORTING OPTIONS", self.reporting_options.into(), 3)?;
        let mut b = [0u8; 12];
        b[0] = Opcode::MAINTENANCE_IN.0;
        b[1] = Opcode::SA_REPORT_SUPPORTED_OPERATION_CODES;
        b[2] = bit(self.rctd, 7) | self.reporting_options;
        b[3] = self.requested_operation_code;
        b[4..6].copy_from_slice(&self.requested_service_action.to_be_bytes());
        b[6..10].copy_from_slice(&self.allocation_length.to_be_bytes());
        Ok(Command::new(Cdb::from_array(b), DataDirection::In, self.allocation_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        let reporting_options = b[2] & 0x07;
        if reporting_options > 3 {
            return Err(invalid(2, "REPORTING OPTIONS 100b..111b are reserved"));
        }
        Ok(ReportSupportedOperationCodes {
            rctd: b[2] & 0x80 != 0,
            reporting_options,
            requested_operation_code: b[3],
            requested_service_action: be16(b, 4),
            allocation_length: be32(b, 6),
        })
    }
}

/// LOG SENSE (SPC-5 table "LOG SENSE command"). Data-in of `allocation_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (4Dh)
///  1  | reserved              |obsol| SP |
///  2  |  PC   |     PAGE CODE          |
///  3  SUBPAGE CODE
///  4  reserved
///  5..=6  PARAMETER POINTER
///  7..=8  ALLOCATION LENGTH
///  9  CONTROL
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LogSense {
    /// SP: save parameters.
    pub sp: bool,
    /// PC, 2 bits: 00b threshold values, 01b cumulative values, 10b default threshold,
    /// 11b default cumulative.
    pub page_control: u8,
    /// PAGE CODE, 6 bits.
    pub page_code: u8,
    /// SUBPAGE CODE.
    pub subpage_code: u8,
    /// PARAMETER POINTER: first parameter code to return.
    pub parameter_pointer: u16,
    /// ALLOCATION LENGTH.
    pub allocation_length: u16,
}

impl LogSense {
    /// The 10-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for PC above 3 or a page code above 3Fh.
    pub fn encode(&self) -> Result<Command, BuildError> {
        fits("PC", self.page_control.into(), 3)?;
        fits("PAGE CODE", self.page_code.into(), 0x3F)?;
        let mut b = [0u8; 10];
        b[0] = Opcode::LOG_SENSE.0;
        b[1] = bit(self.sp, 0);
        b[2] = self.page_control << 6 | self.page_code;
        b[3] = self.subpage_code;
        b[5..7].copy_from_slice(&self.parameter_pointer.to_be_bytes());
        b[7..9].copy_from_slice(&self.allocation_length.to_be_bytes());
        Ok(Command::new(Cdb::from_array(b), DataDirection::In, self.allocation_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        Ok(LogSense {
            sp: b[1] & 1 != 0,
            page_control: b[2] >> 6,
            page_code: b[2] & 0x3F,
            subpage_code: b[3],
            parameter_pointer: be16(b, 5),
            allocation_length: be16(b, 7),
        })
    }
}

/// SEND DIAGNOSTIC (SPC-5 table "SEND DIAGNOSTIC command"): run a self-test or send a
/// diagnostic page. Data-out of `parameter_list_length` bytes.
///
/// ```text
///        7   6   5   4   3   2   1   0
///  0  OPERATION CODE (1Dh)
///  1  |SELF-TEST CODE| PF |rsvd|SELFTEST|DEVOFFL|UNITOFFL|
///  2  reserved
///  3..=4  PARAMETER LIST LENGTH
///  5  CONTROL
/// ```
///
/// SPC-5: "If the SELFTEST bit is set to one, [...] the SELF-TEST CODE field shall be set to
/// 000b"; otherwise the command ends with INVALID FIELD IN CDB. The builder refuses it and
/// the decoder flags it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SendDiagnostic {
    /// SELF-TEST CODE, 3 bits (001b background short, 010b background extended, 100b abort,
    /// 101b foreground short, 110b foreground extended).
    pub self_test_code: u8,
    /// PF: the parameter list is in page format.
    pub pf: bool,
    /// SELFTEST: run the default self-test.
    pub selftest: bool,
    /// DEVOFFL: the self-test may take other logical units offline.
    pub devoffl: bool,
    /// UNITOFFL: the self-test may alter the logical unit's state.
    pub unitoffl: bool,
    /// PARAMETER LIST LENGTH.
    pub parameter_list_length: u16,
}

impl SendDiagnostic {
    /// The 6-byte CDB.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for a self-test code above 7; [`BuildError::Invalid`] for
    /// SELFTEST with a non-zero self-test code.
    pub fn encode(&self) -> Result<Command, BuildError> {
        fits("SELF-TEST CODE", self.self_test_code.into(), 7)?;
        if self.selftest && self.self_test_code != 0 {
            return Err(BuildError::Invalid("SEND DIAGNOSTIC: SELFTEST with a SELF-TEST CODE"));
        }
        let [hi, lo] = self.parameter_list_length.to_be_bytes();
        let cdb = Cdb::from_array([
            Opcode::SEND_DIAGNOSTIC.0,
            self.self_test_code << 5
                | bit(self.pf, 4)
                | bit(self.selftest, 2)
                | bit(self.devoffl, 1)
                | bit(self.unitoffl, 0),
            0,
            hi,
            lo,
            0,
        ]);
        Ok(Command::new(cdb, DataDirection::Out, self.parameter_list_length.into()))
    }

    pub(crate) fn parse(b: &Bytes) -> Result<Self, CdbDecodeError> {
        let self_test_code = b[1] >> 5;
        let selftest = b[1] & 0x04 != 0;
        if selftest && self_test_code != 0 {
            return Err(invalid(1, "SELF-TEST CODE is not zero while SELFTEST is set"));
        }
        Ok(SendDiagnostic {
            self_test_code,
            pf: b[1] & 0x10 != 0,
            selftest,
            devoffl: b[1] & 0x02 != 0,
            unitoffl: b[1] & 0x01 != 0,
            parameter_list_length: be16(b, 3),
        })
    }
}
