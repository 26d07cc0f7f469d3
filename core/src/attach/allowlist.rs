//! The non-destructive invariant: the only commands characterization may send.
//!
//! Characterization runs before anyone has decided the disk is ours, on disks holding user
//! data. Nothing it sends may change the medium, the mode pages, saved log parameters, or
//! the power state beyond "spin up". [`is_non_destructive`] is the whole rule, checked on the
//! raw CDB bytes (not on the builder that made them), so the check cannot share a bug with
//! the builders. The engine calls it on every command before emitting it and refuses the
//! device with an internal error instead of sending anything that fails it; the tests and
//! the fuzz target assert it on every transcript.

use crate::wire::cdb::nvme_bridge::{
    NvmeBridge, IDENTIFY_DATA_LEN, JMICRON_BLOCK_LEN, JMICRON_SIGNATURE, NVME_GET_LOG_PAGE,
    NVME_IDENTIFY, VENDOR_LOG_MAX_LEN,
};

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

/// Whether `cdb`, sending `data_out`, is a read-only NVMe admin command tunnelled through
/// `bridge`'s vendor protocol (the builders of [`crate::wire::cdb::nvme_bridge`], whose doc
/// cites each layout):
///
/// | bridge | CDB | admitted |
/// |---|---|---|
/// | ASMedia | E6h, 16 bytes | IDENTIFY (06h) CNS 00h/01h; GET LOG PAGE (02h) of log 01h..=03h, NUMDL ≤ 7Fh (512 bytes) |
/// | Realtek | E4h, 16 bytes | IDENTIFY CNS 00h/01h of 4096 bytes; GET LOG PAGE of log 01h..=03h, 4..=512 bytes by 4 |
/// | JMicron | A1h, 12 bytes | PROTOCOL 0 with a 512-byte command block that is itself read-only (below); PROTOCOL 2, 4..=4096 bytes in; PROTOCOL Fh, 512 bytes in |
///
/// Every reserved byte must be zero and only JMicron's command block may send data. The
/// block must carry the "NVME" signature, opcode 02h or 06h with the CDW10 values above
/// (any NSID), zero everywhere else, and vendor control byte 72 zero: other values power
/// the bridge's PCIe link off or reset it.
///
/// This is a separate rule from [`is_non_destructive`] because the bytes mean something
/// only to the bridge named: E4h and E6h are vendor opcodes any other device may define
/// as it likes, and to an ordinary SAT bridge A1h with byte 1 = 80h or 82h is an ATA
/// hardware or software reset. The caller applies it only to a device identified as
/// `bridge`, never as a probe.
pub fn is_read_only_tunnel(bridge: NvmeBridge, cdb: &[u8], data_out: &[u8]) -> bool {
    let at = |i: usize| cdb.get(i).copied().unwrap_or(0);
    let zero =
        |range: core::ops::Range<usize>| cdb.get(range).is_some_and(|b| b.iter().all(|&x| x == 0));
    let log_id_ok = |id: u8| (0x01..=0x03).contains(&id);
    match (bridge, cdb.first()) {
        (NvmeBridge::Asmedia, Some(&0xE6)) => {
            let numdl = u16::from_be_bytes([at(6), at(7)]);
            let shape = match at(1) {
                NVME_IDENTIFY => at(3) <= 0x01 && numdl == 0,
                NVME_GET_LOG_PAGE => log_id_ok(at(3)) && numdl <= 0x7F,
                _ => false,
            };
            cdb.len() == 16
                && data_out.is_empty()
                && shape
                && at(2) == 0
                && zero(4..6)
                && zero(8..16)
        }
        (NvmeBridge::Realtek, Some(&0xE4)) => {
            let length = u16::from_le_bytes([at(1), at(2)]);
            let shape = match at(3) {
                NVME_IDENTIFY => at(4) <= 0x01 && u32::from(length) == IDENTIFY_DATA_LEN,
                NVME_GET_LOG_PAGE => {
                    log_id_ok(at(4))
                        && length % 4 == 0
                        && (4..=VENDOR_LOG_MAX_LEN).contains(&u32::from(length))
                }
                _ => false,
            };
            cdb.len() == 16 && data_out.is_empty() && shape && zero(5..16)
        }
        (NvmeBridge::Jmicron, Some(&0xA1)) => {
            let length = u32::from_be_bytes([0, at(3), at(4), at(5)]);
            let block = JMICRON_BLOCK_LEN as u32;
            let shape = match at(1) {
                0x80 => length == block && jmicron_block_is_read_only(data_out),
                0x82 => (4..=IDENTIFY_DATA_LEN).contains(&length) && data_out.is_empty(),
                0x8F => length == block && data_out.is_empty(),
                _ => false,
            };
            cdb.len() == 12 && shape && at(2) == 0 && zero(6..12)
        }
        _ => false,
    }
}

/// The JMicron command block (layout in [`JmicronExchange::write_command_block`]): exactly
/// 512 bytes, "NVME", opcode 06h with CNS 00h/01h or 02h with log 01h..=03h and NUMDL ≤
/// 3FFh (4096 bytes), any NSID, every other byte zero (byte 72 among them).
///
/// [`JmicronExchange::write_command_block`]: crate::wire::cdb::nvme_bridge::JmicronExchange::write_command_block
fn jmicron_block_is_read_only(block: &[u8]) -> bool {
    if block.len() != JMICRON_BLOCK_LEN || block.get(..4) != Some(&JMICRON_SIGNATURE[..]) {
        return false;
    }
    let dword = |at: usize| {
        let bytes = block.get(at..at + 4).and_then(|b| <[u8; 4]>::try_from(b).ok());
        bytes.map(u32::from_le_bytes)
    };
    let cdw10 = dword(48).unwrap_or(u32::MAX);
    let command_ok = match dword(8) {
        Some(0x06) => cdw10 <= 0x01,
        Some(0x02) => (0x01..=0x03).contains(&(cdw10 & 0xFFFF)) && cdw10 >> 16 <= 0x3FF,
        _ => false,
    };
    // Everything but the signature, CDW0 (checked above), the NSID and CDW10 is zero.
    let rest_zero =
        block.iter().enumerate().all(|(i, &b)| matches!(i, 0..=3 | 8..=15 | 48..=51) || b == 0);
    command_ok && rest_zero
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

    mod tunnel {
        use super::super::is_read_only_tunnel as tunnel;
        use super::ok;
        use crate::wire::cdb::nvme_bridge::{
            asmedia, realtek, AdminCommand, BridgeCommand, JmicronExchange, LogPage,
            NvmeBridge::{self, Asmedia, Jmicron, Realtek},
        };

        /// The forms every bridge carries.
        fn commands() -> [AdminCommand; 7] {
            [
                AdminCommand::IdentifyController,
                AdminCommand::IdentifyNamespace { nsid: 1 },
                AdminCommand::smart_health_log(),
                AdminCommand::error_information_log(1),
                AdminCommand::error_information_log(8),
                AdminCommand::firmware_slot_log(),
                AdminCommand::GetLogPage { page: LogPage::SmartHealth, nsid: 0, length: 4 },
            ]
        }

        fn cdb(c: &BridgeCommand) -> &[u8] {
            c.command.cdb.as_bytes()
        }

        fn block(x: &JmicronExchange) -> [u8; 512] {
            let mut b = [0xAA; 512];
            assert_eq!(x.write_command_block(&mut b), Ok(512));
            b
        }

        #[test]
        fn test_builders_pass_only_for_their_bridge() {
            for c in commands() {
                let a = asmedia(&c).unwrap();
                let r = realtek(&c).unwrap();
                assert!(tunnel(Asmedia, cdb(&a), &[]), "{c:?}");
                assert!(tunnel(Realtek, cdb(&r), &[]), "{c:?}");
                assert!(!tunnel(Realtek, cdb(&a), &[]) && !tunnel(Jmicron, cdb(&a), &[]));
                assert!(!tunnel(Asmedia, cdb(&r), &[]) && !tunnel(Jmicron, cdb(&r), &[]));
                assert!(!tunnel(Asmedia, cdb(&a), &[0]), "ASMedia sends no data");
                assert!(!ok(cdb(&a)) && !ok(cdb(&r)), "vendor opcodes");
                let x = JmicronExchange::new(c).unwrap();
                let [step1, step2, step3] = x.steps();
                assert!(tunnel(Jmicron, cdb(&step1), &block(&x)), "{c:?}");
                assert!(tunnel(Jmicron, cdb(&step2), &[]), "{c:?}");
                assert!(tunnel(Jmicron, cdb(&step3), &[]), "{c:?}");
                for bridge in [Asmedia, Realtek] {
                    assert!(!tunnel(bridge, cdb(&step1), &block(&x)));
                }
                // To a SAT bridge these are ATA resets: the SAT rule refuses them.
                assert!(!ok(cdb(&step1)) && !ok(cdb(&step2)));
            }
            // A whole 4096-byte log through JMicron (NUMDL 3FFh), of namespace 1.
            let page = LogPage::ErrorInformation;
            let long = AdminCommand::GetLogPage { page, nsid: 1, length: 4096 };
            let x = JmicronExchange::new(long).unwrap();
            assert!(tunnel(Jmicron, cdb(&x.command_block()), &block(&x)));
            assert!(tunnel(Jmicron, cdb(&x.data_phase()), &[]));
        }

        #[test]
        fn test_every_fixed_byte_changed_is_refused() {
            // The CNS byte (3 for ASMedia, 4 for Realtek) is tested by value below; every
            // other byte of these CDBs is fixed for IDENTIFY CONTROLLER.
            let identify = AdminCommand::IdentifyController;
            let cases: [(NvmeBridge, BridgeCommand, usize); 2] = [
                (Asmedia, asmedia(&identify).unwrap(), 3),
                (Realtek, realtek(&identify).unwrap(), 4),
            ];
            for (bridge, c, cns) in cases {
                for i in (0..16).filter(|&i| i != cns) {
                    for v in [0x04_u8, 0x80, 0xFF] {
                        let mut b = [0u8; 16];
                        b.copy_from_slice(cdb(&c));
                        if b[i] == v {
                            continue;
                        }
                        b[i] = v;
                        assert!(!tunnel(bridge, &b, &[]), "{bridge:?} byte {i} = {v:#x}");
                    }
                }
                let mut b = [0u8; 16];
                b.copy_from_slice(cdb(&c));
                b[cns] = 0x02; // CNS 02h: the namespace list, not admitted
                assert!(!tunnel(bridge, &b, &[]));
            }
            // Every byte of the JMicron command block but the NSID and NUMDL (bytes 50..=51,
            // tested by value below) is checked.
            let x = JmicronExchange::new(AdminCommand::smart_health_log()).unwrap();
            let good = block(&x);
            let step1 = x.command_block();
            for i in (0..512).filter(|i| !(12..16).contains(i) && !(50..52).contains(i)) {
                let mut b = good;
                b[i] ^= 0x40;
                assert!(!tunnel(Jmicron, cdb(&step1), &b), "command block byte {i}");
            }
            for (numdl, admitted) in [(0x3FF_u16, true), (0x400, false), (0xFFFF, false)] {
                let mut b = good;
                b[50..52].copy_from_slice(&numdl.to_le_bytes());
                assert_eq!(tunnel(Jmicron, cdb(&step1), &b), admitted, "NUMDL {numdl:#x}");
            }
            assert!(!tunnel(Jmicron, cdb(&step1), &good[..511]));
            assert!(!tunnel(Jmicron, cdb(&step1), &[]));
        }

        #[test]
        fn test_refused_forms() {
            let e = |b: [u8; 5]| {
                let mut c = [0u8; 16];
                c[..5].copy_from_slice(&b);
                c
            };
            // Realtek: E5h (data out), a log of 516 bytes, IDENTIFY of 512, log 04h.
            assert!(!tunnel(Realtek, &e([0xE5, 0, 2, 2, 2]), &[]));
            assert!(!tunnel(Realtek, &e([0xE4, 4, 2, 2, 2]), &[]));
            assert!(!tunnel(Realtek, &e([0xE4, 0, 2, 6, 1]), &[]));
            assert!(!tunnel(Realtek, &e([0xE4, 0, 2, 2, 4]), &[]));
            assert!(tunnel(Realtek, &e([0xE4, 0, 2, 2, 2]), &[]));
            // ASMedia: NUMDL 80h (516 bytes), FORMAT NVM (80h), SET FEATURES (09h), short.
            let mut numdl = e([0xE6, 2, 0, 2, 0]);
            numdl[7] = 0x7F;
            assert!(tunnel(Asmedia, &numdl, &[]));
            assert!(!tunnel(Asmedia, &numdl[..15], &[]));
            numdl[7] = 0x80;
            assert!(!tunnel(Asmedia, &numdl, &[]));
            assert!(!tunnel(Asmedia, &e([0xE6, 0x80, 0, 0, 0]), &[]));
            assert!(!tunnel(Asmedia, &e([0xE6, 0x09, 0, 0, 0]), &[]));
            // JMicron: non-data (81h), DMA out (83h), a data phase of 4100 bytes, a
            // completion read of 256 bytes.
            let a1 = |b1: u8, len: [u8; 3]| [0xA1, b1, 0, len[0], len[1], len[2], 0, 0, 0, 0, 0, 0];
            assert!(!tunnel(Jmicron, &a1(0x81, [0, 0, 0]), &[]));
            assert!(!tunnel(Jmicron, &a1(0x83, [0, 2, 0]), &[0; 512]));
            assert!(!tunnel(Jmicron, &a1(0x82, [0, 0x10, 0x04]), &[]));
            assert!(tunnel(Jmicron, &a1(0x82, [0, 0x10, 0x00]), &[]));
            assert!(!tunnel(Jmicron, &a1(0x8F, [0, 1, 0]), &[]));
            assert!(!tunnel(Jmicron, &[], &[]) && !tunnel(Asmedia, &[], &[]));
        }
    }
}
