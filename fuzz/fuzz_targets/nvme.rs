#![no_main]
//! The NVMe decoders on arbitrary bytes: Identify Controller, SMART / Health, Error
//! Information, Firmware Slot, the JMicron completion, the health verdict and every
//! Display; and the bridge builders on admin commands drawn from the input.
use sbc_core::wire::cdb::nvme_bridge::{
    asmedia, realtek, AdminCommand, JmicronCompletion, JmicronExchange, LogPage,
};
use sbc_core::wire::nvme::{
    health, ErrorLog, FirmwareSlotLog, IdentifyController, NvmeHealth, SmartHealthLog,
    ERROR_LOG_ENTRY_LEN, IDENTIFY_CONTROLLER_LEN, SMART_HEALTH_LOG_LEN,
};
use std::fmt::Write;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut out = String::new();

    let id = IdentifyController::parse(data);
    assert_eq!(id.announced, IDENTIFY_CONTROLLER_LEN);
    assert_eq!(id.available, data.len().min(IDENTIFY_CONTROLLER_LEN));
    let _ = write!(out, "{} {:?}", id.value, id.value.firmware_slots());

    match SmartHealthLog::parse(data) {
        Err(_) => assert!(data.is_empty()),
        Ok(s) => {
            assert_eq!(s.available, data.len().min(SMART_HEALTH_LOG_LEN));
            let log = s.value;
            // The first 16 bytes, read as a count, stand for an earlier reading.
            let previous = data.get(..16).map(|b| u128::from_le_bytes(b.try_into().unwrap()));
            let h = health(&log, previous);
            if log.critical_warning.bits() != 0 {
                assert!(matches!(h, NvmeHealth::Failing { .. }));
            }
            if let NvmeHealth::Warning { percentage_used } = h {
                assert!(percentage_used >= 100);
            }
            let _ = write!(out, "{log} {h} {:?} {:?}", log.bytes_read(), log.bytes_written());
            for (n, t) in log.sensors() {
                assert!((1..=8).contains(&n) && t.kelvin() != 0);
                let _ = write!(out, "{t}");
            }
        }
    }

    if let Ok(e) = ErrorLog::parse(data) {
        for entry in e.value.entries() {
            assert_ne!(entry.error_count, 0);
            let _ = write!(out, "{entry}");
        }
        assert!(e.value.entries().count() <= data.len() / ERROR_LOG_ENTRY_LEN);
    }
    if let Ok(f) = FirmwareSlotLog::parse(data) {
        let _ = (f.value.active_slot(), f.value.next_slot(), f.value.active_revision());
    }
    if let Ok(c) = JmicronCompletion::parse(data) {
        let _ = (c.value.succeeded(), c.value.status_code(), c.value.status_code_type());
    }

    // Builders: any admin command the input describes either builds within its limits or
    // is refused; none panics.
    if let Some(head) = data.get(..8) {
        let [kind, page, n0, n1, n2, n3, l0, l1] = <[u8; 8]>::try_from(head).unwrap();
        let nsid = u32::from_le_bytes([n0, n1, n2, n3]);
        let length = u32::from(u16::from_le_bytes([l0, l1]));
        let page = [LogPage::ErrorInformation, LogPage::SmartHealth, LogPage::FirmwareSlot]
            [usize::from(page % 3)];
        let admin = match kind % 3 {
            0 => AdminCommand::IdentifyController,
            1 => AdminCommand::IdentifyNamespace { nsid },
            _ => AdminCommand::GetLogPage { page, nsid, length },
        };
        for built in [asmedia(&admin), realtek(&admin)].into_iter().flatten() {
            assert!(built.exclusive && built.ends_exclusive);
            assert!(built.command.transfer_length <= 4096);
        }
        if let Ok(x) = JmicronExchange::new(admin) {
            let mut block = [0u8; 512];
            assert_eq!(x.write_command_block(&mut block), Ok(512));
            assert_eq!(&block[..4], b"NVME");
            for step in x.steps() {
                assert!(step.exclusive);
                assert_eq!(step.command.cdb.len(), 12);
            }
        }
    }
});
