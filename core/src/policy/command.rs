//! Which command completed, as far as the policy cares: classified from the CDB's
//! OPERATION CODE and, for the opcodes that multiplex several commands, its SERVICE ACTION.

/// The command a completion belongs to (SBC-4 / SPC-5 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    /// TEST UNIT READY (00h).
    TestUnitReady,
    /// REQUEST SENSE (03h).
    RequestSense,
    /// INQUIRY (12h), standard or VPD.
    Inquiry,
    /// READ CAPACITY(10) (25h).
    ReadCapacity10,
    /// READ CAPACITY(16) (9Eh / service action 10h).
    ReadCapacity16,
    /// MODE SENSE(6) (1Ah).
    ModeSense6,
    /// MODE SENSE(10) (5Ah).
    ModeSense10,
    /// MODE SELECT(6) (15h) or MODE SELECT(10) (55h).
    ModeSelect,
    /// READ(6/10/12/16/32).
    Read,
    /// WRITE(6/10/12/16/32) and WRITE AND VERIFY(10/12/16).
    Write,
    /// VERIFY(10/12/16).
    Verify,
    /// SYNCHRONIZE CACHE(10/16).
    SynchronizeCache,
    /// START STOP UNIT (1Bh).
    StartStopUnit,
    /// REPORT LUNS (A0h).
    ReportLuns,
    /// REPORT SUPPORTED OPERATION CODES (A3h / service action 0Ch).
    #[doc(alias = "RSOC")]
    ReportSupportedOperationCodes,
    /// LOG SENSE (4Dh).
    LogSense,
    /// ATA PASS-THROUGH(12) (A1h), (16) (85h) or (32) (7Fh / 1FF0h) (SAT-5).
    AtaPassThrough,
    /// UNMAP (42h).
    Unmap,
    /// WRITE SAME(10/16/32).
    WriteSame,
    /// Anything else (including an empty CDB).
    Other,
}

/// OPERATION CODE 7Fh: variable-length CDB; the SERVICE ACTION is bytes 8..9.
const VARIABLE_LENGTH: u8 = 0x7f;
/// OPERATION CODE 9Eh: SERVICE ACTION IN(16); the SERVICE ACTION is byte 1 bits 4..0.
const SERVICE_ACTION_IN_16: u8 = 0x9e;
/// OPERATION CODE A3h: MAINTENANCE IN; the SERVICE ACTION is byte 1 bits 4..0.
const MAINTENANCE_IN: u8 = 0xa3;

impl CommandKind {
    /// Classifies a CDB. Never fails: unknown or truncated CDBs are [`CommandKind::Other`].
    pub fn classify(cdb: &[u8]) -> CommandKind {
        let Some(&opcode) = cdb.first() else {
            return CommandKind::Other;
        };
        let short_sa = cdb.get(1).map(|b| b & 0x1f);
        match opcode {
            0x00 => CommandKind::TestUnitReady,
            0x03 => CommandKind::RequestSense,
            0x12 => CommandKind::Inquiry,
            0x25 => CommandKind::ReadCapacity10,
            0x1a => CommandKind::ModeSense6,
            0x5a => CommandKind::ModeSense10,
            0x15 | 0x55 => CommandKind::ModeSelect,
            0x08 | 0x28 | 0xa8 | 0x88 => CommandKind::Read,
            0x0a | 0x2a | 0xaa | 0x8a | 0x2e | 0xae | 0x8e => CommandKind::Write,
            0x2f | 0xaf | 0x8f => CommandKind::Verify,
            0x35 | 0x91 => CommandKind::SynchronizeCache,
            0x1b => CommandKind::StartStopUnit,
            0xa0 => CommandKind::ReportLuns,
            0x4d => CommandKind::LogSense,
            0xa1 | 0x85 => CommandKind::AtaPassThrough,
            0x42 => CommandKind::Unmap,
            0x41 | 0x93 => CommandKind::WriteSame,
            SERVICE_ACTION_IN_16 if short_sa == Some(0x10) => CommandKind::ReadCapacity16,
            MAINTENANCE_IN if short_sa == Some(0x0c) => CommandKind::ReportSupportedOperationCodes,
            VARIABLE_LENGTH => match (cdb.get(8), cdb.get(9)) {
                (Some(&hi), Some(&lo)) => match u16::from_be_bytes([hi, lo]) {
                    0x0009 => CommandKind::Read,
                    0x000b | 0x000c => CommandKind::Write,
                    0x000a => CommandKind::Verify,
                    0x000d => CommandKind::WriteSame,
                    0x1ff0 => CommandKind::AtaPassThrough,
                    _ => CommandKind::Other,
                },
                _ => CommandKind::Other,
            },
            _ => CommandKind::Other,
        }
    }
}
