//! Operation codes (SPC-5 and annex "Operation codes"), and the CDB length each
//! group code implies.

crate::open_enum! {
    /// OPERATION CODE, CDB byte 0 (SPC-5 annex "Operation codes"). Named for the
    /// commands this crate builds and the common others a transcript may show; any other
    /// value is kept and printed in hex.
    ///
    /// Opcodes shared by several commands under a SERVICE ACTION (9Eh, A3h, 7Fh) carry the
    /// name of the family ("SERVICE ACTION IN(16)").
    pub struct Opcode(u8) {
        TEST_UNIT_READY = 0x00 => "TEST UNIT READY",
        REZERO_UNIT = 0x01 => "REZERO UNIT",
        REQUEST_SENSE = 0x03 => "REQUEST SENSE",
        FORMAT_UNIT = 0x04 => "FORMAT UNIT",
        REASSIGN_BLOCKS = 0x07 => "REASSIGN BLOCKS",
        READ_6 = 0x08 => "READ(6)",
        WRITE_6 = 0x0A => "WRITE(6)",
        SEEK_6 = 0x0B => "SEEK(6)",
        INQUIRY = 0x12 => "INQUIRY",
        MODE_SELECT_6 = 0x15 => "MODE SELECT(6)",
        RESERVE_6 = 0x16 => "RESERVE(6)",
        RELEASE_6 = 0x17 => "RELEASE(6)",
        MODE_SENSE_6 = 0x1A => "MODE SENSE(6)",
        START_STOP_UNIT = 0x1B => "START STOP UNIT",
        RECEIVE_DIAGNOSTIC_RESULTS = 0x1C => "RECEIVE DIAGNOSTIC RESULTS",
        SEND_DIAGNOSTIC = 0x1D => "SEND DIAGNOSTIC",
        PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1E => "PREVENT ALLOW MEDIUM REMOVAL",
        READ_FORMAT_CAPACITIES = 0x23 => "READ FORMAT CAPACITIES",
        READ_CAPACITY_10 = 0x25 => "READ CAPACITY(10)",
        READ_10 = 0x28 => "READ(10)",
        WRITE_10 = 0x2A => "WRITE(10)",
        SEEK_10 = 0x2B => "SEEK(10)",
        WRITE_AND_VERIFY_10 = 0x2E => "WRITE AND VERIFY(10)",
        VERIFY_10 = 0x2F => "VERIFY(10)",
        PRE_FETCH_10 = 0x34 => "PRE-FETCH(10)",
        SYNCHRONIZE_CACHE_10 = 0x35 => "SYNCHRONIZE CACHE(10)",
        READ_DEFECT_DATA_10 = 0x37 => "READ DEFECT DATA(10)",
        WRITE_BUFFER = 0x3B => "WRITE BUFFER",
        READ_BUFFER_10 = 0x3C => "READ BUFFER(10)",
        READ_LONG_10 = 0x3E => "READ LONG(10)",
        WRITE_LONG_10 = 0x3F => "WRITE LONG(10)",
        WRITE_SAME_10 = 0x41 => "WRITE SAME(10)",
        UNMAP = 0x42 => "UNMAP",
        SANITIZE = 0x48 => "SANITIZE",
        LOG_SELECT = 0x4C => "LOG SELECT",
        LOG_SENSE = 0x4D => "LOG SENSE",
        MODE_SELECT_10 = 0x55 => "MODE SELECT(10)",
        RESERVE_10 = 0x56 => "RESERVE(10)",
        RELEASE_10 = 0x57 => "RELEASE(10)",
        MODE_SENSE_10 = 0x5A => "MODE SENSE(10)",
        PERSISTENT_RESERVE_IN = 0x5E => "PERSISTENT RESERVE IN",
        PERSISTENT_RESERVE_OUT = 0x5F => "PERSISTENT RESERVE OUT",
        VARIABLE_LENGTH = 0x7F => "variable length CDB",
        ATA_PASS_THROUGH_16 = 0x85 => "ATA PASS-THROUGH(16)",
        READ_16 = 0x88 => "READ(16)",
        COMPARE_AND_WRITE = 0x89 => "COMPARE AND WRITE",
        WRITE_16 = 0x8A => "WRITE(16)",
        ORWRITE_16 = 0x8B => "ORWRITE(16)",
        WRITE_AND_VERIFY_16 = 0x8E => "WRITE AND VERIFY(16)",
        VERIFY_16 = 0x8F => "VERIFY(16)",
        PRE_FETCH_16 = 0x90 => "PRE-FETCH(16)",
        SYNCHRONIZE_CACHE_16 = 0x91 => "SYNCHRONIZE CACHE(16)",
        WRITE_SAME_16 = 0x93 => "WRITE SAME(16)",
        ZBC_OUT = 0x94 => "ZBC OUT",
        ZBC_IN = 0x95 => "ZBC IN",
        WRITE_ATOMIC_16 = 0x9C => "WRITE ATOMIC(16)",
        SERVICE_ACTION_IN_16 = 0x9E => "SERVICE ACTION IN(16)",
        SERVICE_ACTION_OUT_16 = 0x9F => "SERVICE ACTION OUT(16)",
        REPORT_LUNS = 0xA0 => "REPORT LUNS",
        ATA_PASS_THROUGH_12 = 0xA1 => "ATA PASS-THROUGH(12)",
        SECURITY_PROTOCOL_IN = 0xA2 => "SECURITY PROTOCOL IN",
        MAINTENANCE_IN = 0xA3 => "MAINTENANCE IN",
        MAINTENANCE_OUT = 0xA4 => "MAINTENANCE OUT",
        READ_12 = 0xA8 => "READ(12)",
        WRITE_12 = 0xAA => "WRITE(12)",
        WRITE_AND_VERIFY_12 = 0xAE => "WRITE AND VERIFY(12)",
        VERIFY_12 = 0xAF => "VERIFY(12)",
        SECURITY_PROTOCOL_OUT = 0xB5 => "SECURITY PROTOCOL OUT",
        READ_DEFECT_DATA_12 = 0xB7 => "READ DEFECT DATA(12)",
    }
}

impl Opcode {
    /// SERVICE ACTION of READ CAPACITY(16) under SERVICE ACTION IN(16) (SBC-4).
    pub const SA_READ_CAPACITY_16: u8 = 0x10;
    /// SERVICE ACTION of GET LBA STATUS(16) under SERVICE ACTION IN(16) (SBC-4).
    pub const SA_GET_LBA_STATUS_16: u8 = 0x12;
    /// SERVICE ACTION of REPORT SUPPORTED OPERATION CODES under MAINTENANCE IN (SPC-5).
    pub const SA_REPORT_SUPPORTED_OPERATION_CODES: u8 = 0x0C;

    /// GROUP CODE, bits 7..5 of the opcode (SPC-5 §4.2.5.1).
    pub const fn group_code(self) -> u8 {
        self.0 >> 5
    }
}

/// The CDB length the opcode's GROUP CODE implies (SPC-5 §4.2.5.1, table "Group Code
/// values"): group 0 is 6 bytes, groups 1 and 2 are 10, group 4 is 16, group 5 is 12.
/// Group 3 (reserved, except 7Eh extended and 7Fh variable length CDBs) and groups 6 and 7
/// (vendor specific) have no implied length: `None`.
pub const fn cdb_length_for_opcode(opcode: u8) -> Option<usize> {
    match opcode >> 5 {
        0 => Some(6),
        1 | 2 => Some(10),
        4 => Some(16),
        5 => Some(12),
        _ => None,
    }
}

/// Whether the command `cdb` must be sent with exclusive access to the device: its
/// OPERATION CODE is vendor specific (C0h..FFh, GROUP CODEs 6 and 7, SPC-5 §4.2.5.1).
///
/// DriverKit refuses such opcodes from `UserSendCDB` with `kIOReturnNotPrivileged` unless
/// they are sent between `UserSuspendServices` and `UserResumeServices` (docs/driverkit.md
/// §Vendor opcodes), so the shim brackets exactly these. Standard opcodes, ATA
/// PASS-THROUGH(12) A1h and (16) 85h included, do not need it. An empty `cdb` is no
/// command and needs nothing.
pub fn needs_exclusive_access(cdb: &[u8]) -> bool {
    cdb.first().is_some_and(|&opcode| opcode >= 0xC0)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn exactly_the_vendor_opcodes_need_exclusive_access() {
        for opcode in 0..=0xFFu8 {
            let vendor = Opcode(opcode).group_code() >= 6;
            assert_eq!(needs_exclusive_access(&[opcode, 0, 0, 0, 0, 0]), vendor, "{opcode:#x}");
        }
        assert!(!needs_exclusive_access(&[]));
        assert!(!needs_exclusive_access(&[0xA1, 0x08]), "ATA PASS-THROUGH(12) is standard");
        assert!(!needs_exclusive_access(&[0x85]), "ATA PASS-THROUGH(16) is standard");
        assert!(needs_exclusive_access(&[0xDF]), "JMicron pass-through");
    }
}
