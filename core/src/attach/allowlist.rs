//! The non-destructive invariant: the only commands characterization may send.
//!
//! Characterization runs before anyone has decided the disk is ours, on disks holding user
//! data. Nothing it sends may change the medium, the mode pages, saved log parameters, or
//! the power state beyond "spin up". [`is_non_destructive`] is the whole rule, checked on the
//! raw CDB bytes (not on the builder that made them), so the check cannot share a bug with
//! the builders. The engine calls it on every command before emitting it and refuses the
//! device with an internal error instead of sending anything that fails it; the tests and
//! the fuzz target assert it on every transcript.

/// ATA commands that only read (ACS-4): IDENTIFY DEVICE, IDENTIFY PACKET DEVICE, READ LOG
/// EXT, CHECK POWER MODE. SMART (B0h) is allowed only with the read-only features below.
const ATA_READ_ONLY_COMMANDS: [u8; 4] = [0xEC, 0xA1, 0x2F, 0xE5];
/// ATA SMART (B0h).
const ATA_SMART: u8 = 0xB0;
/// SMART READ DATA (D0h), SMART READ THRESHOLDS (D1h, obsolete but read-only), SMART
/// RETURN STATUS (DAh).
const ATA_SMART_READ_ONLY_FEATURES: [u8; 3] = [0xD0, 0xD1, 0xDA];
/// ATA PASS-THROUGH PROTOCOL values (SAT-4 table "PROTOCOL field") that move no data to
/// the device and do not reset it: non-data (3), PIO data-in (4), DMA (6), UDMA data-in
/// (10), FPDMA (12), return response information (15). Hardware reset (0), software reset
/// (1) and the data-out protocols (5, 11) are refused.
const ATA_PROTOCOLS: [u8; 6] = [3, 4, 6, 10, 12, 15];

/// Whether `cdb` is one of the commands characterization may send:
///
/// | command | condition |
/// |---|---|
/// | TEST UNIT READY, INQUIRY, REQUEST SENSE, REPORT LUNS | always |
/// | MODE SENSE(6/10), READ CAPACITY(10) | always |
/// | READ CAPACITY(16), REPORT SUPPORTED OPERATION CODES | by service action |
/// | READ(10), READ(16) | LBA 0, exactly one block |
/// | START STOP UNIT | START = 1, LOEJ = 0, POWER CONDITION = 0 (spin up, nothing else) |
/// | LOG SENSE | SP = 0 (saving parameters writes the medium) |
/// | ATA PASS-THROUGH(12/16) | a read-only ATA command, data from the device or none |
///
/// The CDB must have exactly the length its operation code implies. Anything else,
/// including every vendor-specific opcode, is refused.
pub fn is_non_destructive(cdb: &[u8]) -> bool {
    let Some(&opcode) = cdb.first() else {
        return false;
    };
    let at = |i: usize| cdb.get(i).copied().unwrap_or(0);
    let zero =
        |range: core::ops::Range<usize>| cdb.get(range).is_some_and(|b| b.iter().all(|&x| x == 0));
    let len_is = |n: usize| cdb.len() == n;
    match opcode {
        // TEST UNIT READY, REQUEST SENSE, INQUIRY, MODE SENSE(6).
        0x00 | 0x03 | 0x12 | 0x1A => len_is(6),
        // START STOP UNIT: byte 4 = POWER CONDITION(7..4) NO_FLUSH(2) LOEJ(1) START(0).
        0x1B => len_is(6) && at(4) & 0xF3 == 0x01,
        // READ CAPACITY(10), MODE SENSE(10).
        0x25 | 0x5A => len_is(10),
        // READ(10): LBA bytes 2..6, TRANSFER LENGTH bytes 7..9.
        0x28 => len_is(10) && zero(2..6) && at(7) == 0 && at(8) == 1,
        // LOG SENSE: byte 1 bit 0 is SP.
        0x4D => len_is(10) && at(1) & 0x01 == 0,
        // READ(16): LBA bytes 2..10, TRANSFER LENGTH bytes 10..14.
        0x88 => len_is(16) && zero(2..10) && zero(10..13) && at(13) == 1,
        // SERVICE ACTION IN(16) / READ CAPACITY(16).
        0x9E => len_is(16) && at(1) & 0x1F == 0x10,
        // REPORT LUNS.
        0xA0 => len_is(12),
        // MAINTENANCE IN / REPORT SUPPORTED OPERATION CODES.
        0xA3 => len_is(12) && at(1) & 0x1F == 0x0C,
        // ATA PASS-THROUGH(16): FEATURES(7:0) byte 4, COMMAND byte 14.
        0x85 => len_is(16) && ata_is_read_only(at(1), at(2), at(14), at(4)),
        // ATA PASS-THROUGH(12): FEATURES byte 3, COMMAND byte 9.
        0xA1 => len_is(12) && ata_is_read_only(at(1), at(2), at(9), at(3)),
        _ => false,
    }
}

/// SAT-4 §12.2.2: byte 1 carries PROTOCOL (bits 4..1); byte 2 carries T_DIR (bit 3, one =
/// from the device) and T_LENGTH (bits 1..0, zero = no data).
fn ata_is_read_only(byte1: u8, byte2: u8, command: u8, features: u8) -> bool {
    let protocol = (byte1 >> 1) & 0x0F;
    let t_dir_from_device = byte2 & 0x08 != 0;
    let no_data = byte2 & 0x03 == 0;
    let direction_ok = no_data || t_dir_from_device;
    let command_ok = ATA_READ_ONLY_COMMANDS.contains(&command)
        || (command == ATA_SMART && ATA_SMART_READ_ONLY_FEATURES.contains(&features));
    ATA_PROTOCOLS.contains(&protocol) && direction_ok && command_ok
}

#[cfg(test)]
mod test {
    use super::is_non_destructive as ok;

    #[test]
    fn test_allowed_forms() {
        assert!(ok(&[0x00, 0, 0, 0, 0, 0]));
        assert!(ok(&[0x12, 1, 0x83, 0, 4, 0]));
        assert!(ok(&[0x1B, 1, 0, 0, 0x01, 0]));
        assert!(ok(&[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0]));
        assert!(ok(&[0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0]));
        // ATA PASS-THROUGH(16) IDENTIFY DEVICE, PIO data-in, T_DIR in, T_LENGTH in sector count.
        assert!(ok(&[0x85, 4 << 1, 0x0E, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xEC, 0]));
        // SMART READ DATA through ATA PASS-THROUGH(12).
        assert!(ok(&[0xA1, 4 << 1, 0x0E, 0xD0, 1, 0, 0x4F, 0xC2, 0, 0xB0, 0, 0]));
    }

    #[test]
    fn test_refused_forms() {
        assert!(!ok(&[]));
        assert!(!ok(&[0x00, 0, 0, 0, 0])); // short
        assert!(!ok(&[0x1B, 1, 0, 0, 0x00, 0])); // STOP
        assert!(!ok(&[0x1B, 1, 0, 0, 0x03, 0])); // LOEJ: load/eject
        assert!(!ok(&[0x1B, 1, 0, 0, 0x31, 0])); // power condition STANDBY
        assert!(!ok(&[0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0])); // LBA 1
        assert!(!ok(&[0x28, 0, 0, 0, 0, 0, 0, 0, 2, 0])); // two blocks
        assert!(!ok(&[0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0])); // WRITE(10)
        assert!(!ok(&[0x4D, 1, 0x40, 0, 0, 0, 0, 0, 0xFF, 0])); // LOG SENSE SP=1
        assert!(!ok(&[0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0])); // GET LBA STATUS
        assert!(!ok(&[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // SYNCHRONIZE CACHE
        assert!(!ok(&[0xC0, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // vendor
                                                          // ATA WRITE SECTORS (30h), PIO data-out.
        assert!(!ok(&[0x85, 5 << 1, 0x06, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x30, 0]));
        // IDENTIFY with T_DIR to the device.
        assert!(!ok(&[0x85, 4 << 1, 0x06, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xEC, 0]));
        // SMART ENABLE OPERATIONS (D8h) and SMART EXECUTE OFF-LINE (D4h).
        assert!(!ok(&[0x85, 3 << 1, 0x00, 0, 0xD8, 0, 0, 0, 0, 0, 0x4F, 0, 0xC2, 0, 0xB0, 0]));
        assert!(!ok(&[0x85, 3 << 1, 0x00, 0, 0xD4, 0, 0, 0, 0, 0, 0x4F, 0, 0xC2, 0, 0xB0, 0]));
        // Software reset protocol with an allowed command byte.
        assert!(!ok(&[0x85, 1 << 1, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xE5, 0]));
    }
}
