//! The simulated NVMe SSDs behind USB bridges (src/sim/nvme_bridge.rs), driven through the
//! `Target` trait with CDBs built by the core's builders (`sbc_core::wire::cdb::nvme_bridge`)
//! and answers read back with the core's decoders (`sbc_core::wire::nvme`): the bytes must be
//! the profile's own, at the offsets NVMe Base 2.0a gives, and every fault must show up the
//! way its doc says, per protocol.

use sbc_core::quirks::Quirks;
use sbc_core::sense::{self, Parsed, SenseKeySpecific};
use sbc_core::time::Instant;
use sbc_core::wire::cdb::nvme_bridge::{
    asmedia, realtek, AdminCommand, BridgeCommand, JmicronCompletion, JmicronExchange, LogPage,
    NvmeBridge,
};
use sbc_core::wire::cdb::{
    AtaPassThrough12, AtaPassThrough16, AtaProtocol, Cdb, Command, DataDirection, Inquiry,
    TestUnitReady,
};
use sbc_core::wire::nvme::{FirmwareSlotLog, IdentifyController, SmartHealthLog};
use sbc_dext::sim::{
    zoo, Disk, IdentifyControllerData, NvmeBridgeFault, Profile, SmartHealthData, XorShift,
};
use sbc_dext::target::{Completion, Target};

mod common;
use common::{exec, sense_of, CHECK_CONDITION, GOOD};

const NVME_PROFILES: [(&str, NvmeBridge); 3] = [
    ("nvme-asmedia", NvmeBridge::Asmedia),
    ("nvme-jmicron", NvmeBridge::Jmicron),
    ("nvme-realtek", NvmeBridge::Realtek),
];

fn profile(name: &str) -> Profile {
    zoo::by_name(name).unwrap_or_else(|| panic!("no zoo profile {name}"))
}

fn with_fault(name: &str, fault: NvmeBridgeFault) -> Profile {
    let mut p = profile(name);
    p.nvme_bridge.as_mut().expect("an NVMe bridge profile").fault = fault;
    p
}

/// A disk past its power-on unit attention.
fn ready(p: Profile) -> Disk {
    let mut d = Disk::new(p);
    let (c, _) = exec(&mut d, TestUnitReady.encode().unwrap(), 0);
    assert_eq!(c.outcome, CHECK_CONDITION, "the power-on unit attention");
    d
}

/// Sends `command` with `data` as its buffer (data-out content, or room for data-in) and
/// returns the completion with the realized data.
fn send(d: &mut Disk, command: &Command, mut data: Vec<u8>) -> (Completion, Vec<u8>) {
    data.resize(data.len().max(command.transfer_length as usize), 0);
    let c = d.execute(command, &mut data, Instant::from_millis(10));
    data.truncate(c.realized as usize);
    (c, data)
}

fn send_in(d: &mut Disk, command: &BridgeCommand) -> (Completion, Vec<u8>) {
    send(d, &command.command, Vec::new())
}

fn command_block(exchange: &JmicronExchange) -> Vec<u8> {
    let mut block = vec![0xAA; 600];
    assert_eq!(exchange.write_command_block(&mut block), Ok(512));
    block.truncate(512);
    block
}

/// What one admin command through a bridge gave back.
#[derive(Debug)]
struct Answer {
    /// The data-in command (ASMedia, Realtek) or step 2 (JMicron).
    data: Completion,
    bytes: Vec<u8>,
    /// JMicron only: step 3's completion and its 512 bytes.
    response: Option<(Completion, Vec<u8>)>,
}

/// Runs `admin` through `protocol`'s CDBs as the core builds them.
fn run(d: &mut Disk, protocol: NvmeBridge, admin: AdminCommand) -> Answer {
    match protocol {
        NvmeBridge::Asmedia | NvmeBridge::Realtek => {
            let cmd =
                if protocol == NvmeBridge::Asmedia { asmedia(&admin) } else { realtek(&admin) };
            let (data, bytes) = send_in(d, &cmd.unwrap());
            Answer { data, bytes, response: None }
        }
        NvmeBridge::Jmicron => {
            let x = JmicronExchange::new(admin).unwrap();
            let [step1, step2, step3] = x.steps();
            let (c1, _) = send(d, &step1.command, command_block(&x));
            assert_eq!(c1.outcome, GOOD, "step 1: {c1:?}");
            assert_eq!(c1.realized, 512);
            let (data, bytes) = send_in(d, &step2);
            let response = Some(send_in(d, &step3));
            Answer { data, bytes, response }
        }
    }
}

fn completion(answer: &Answer) -> JmicronCompletion {
    let (c, bytes) = answer.response.as_ref().expect("a JMicron answer");
    assert_eq!(c.outcome, GOOD, "step 3: {c:?}");
    assert_eq!(bytes.len(), 512);
    JmicronCompletion::parse(bytes).expect("an \"NVME\" response").value
}

/// The field pointer (byte) of an ILLEGAL REQUEST sense.
fn field_pointer(c: &Completion) -> Option<u16> {
    match sense::parse(&c.sense) {
        Ok(Parsed::Sense(s)) => match s.value.sense_key_specific {
            Some(SenseKeySpecific::FieldPointer { command: true, field_pointer, .. }) => {
                Some(field_pointer)
            }
            _ => None,
        },
        _ => None,
    }
}

fn identify_of(p: &Profile) -> Vec<u8> {
    p.nvme_bridge.as_ref().unwrap().identify.clone()
}

fn smart_of(p: &Profile) -> Vec<u8> {
    p.nvme_bridge.as_ref().unwrap().smart_log.clone()
}

#[test]
fn every_bridge_serves_identify_and_the_three_logs_from_its_profile() {
    for (name, protocol) in NVME_PROFILES {
        let p = profile(name);
        assert_eq!(p.nvme_bridge.as_ref().unwrap().protocol, protocol, "{name}");
        let identify = identify_of(&p);
        let smart = smart_of(&p);
        assert_eq!((identify.len(), smart.len()), (4096, 512), "{name}");
        let mut d = ready(p);

        let a = run(&mut d, protocol, AdminCommand::IdentifyController);
        assert_eq!(a.data.outcome, GOOD, "{name}: {a:?}");
        assert_eq!(a.bytes, identify, "{name}: Identify Controller");

        let a = run(&mut d, protocol, AdminCommand::smart_health_log());
        assert_eq!(a.data.outcome, GOOD, "{name}");
        assert_eq!(a.bytes, smart, "{name}: SMART / Health");

        let a = run(&mut d, protocol, AdminCommand::error_information_log(8));
        assert_eq!(a.data.outcome, GOOD, "{name}");
        assert_eq!(a.bytes, vec![0; 512], "{name}: no error recorded");

        // Firmware Slot (Figure 209): AFI 01h, FRS1 = Identify's FR (bytes 64..=71).
        let a = run(&mut d, protocol, AdminCommand::firmware_slot_log());
        assert_eq!(a.data.outcome, GOOD, "{name}");
        assert_eq!(a.bytes.len(), 512, "{name}");
        assert_eq!(a.bytes[0], 0x01, "{name}: AFI");
        assert_eq!(&a.bytes[8..16], &identify[64..72], "{name}: FRS1");
        assert!(a.bytes[1..8].iter().chain(&a.bytes[16..]).all(|&b| b == 0), "{name}");
        let slots = FirmwareSlotLog::parse(&a.bytes).unwrap().value;
        assert_eq!(slots.active_slot(), 1);
        assert_eq!(slots.active_revision().unwrap().as_bytes(), identify[64..72].trim_ascii());

        // A log read shorter than the page: its first bytes.
        let short = AdminCommand::GetLogPage { page: LogPage::SmartHealth, nsid: 0, length: 64 };
        let a = run(&mut d, protocol, short);
        assert_eq!((a.data.outcome, a.bytes.as_slice()), (GOOD, &smart[..64]), "{name}");
        if protocol == NvmeBridge::Jmicron {
            assert!(completion(&a).succeeded(), "{name}");
        }
    }
}

#[test]
fn jmicron_reads_past_the_smart_log_as_zeros_and_reports_success() {
    let p = profile("nvme-jmicron");
    let smart = smart_of(&p);
    let mut d = ready(p);
    let long =
        AdminCommand::GetLogPage { page: LogPage::SmartHealth, nsid: u32::MAX, length: 1024 };
    let a = run(&mut d, NvmeBridge::Jmicron, long);
    assert_eq!(a.data.realized, 1024);
    assert_eq!(&a.bytes[..512], &smart[..]);
    assert!(a.bytes[512..].iter().all(|&b| b == 0));
    let done = completion(&a);
    assert_eq!((done.dw0, done.dw3, done.status()), (0, 0, 0));
}

/// The length a bridge moves is the one its own CDB (or JMicron's command block) carries,
/// not the caller's larger buffer: ASMedia's NUMDL (bytes 6..=7), Realtek's transfer length
/// (bytes 1..=2), JMicron's NUMD in CDW10 (and step 2's length).
#[test]
fn the_cdb_length_not_the_buffer_bounds_the_data() {
    let log = |length| AdminCommand::GetLogPage { page: LogPage::SmartHealth, nsid: 0, length };
    for (name, protocol) in
        [("nvme-asmedia", NvmeBridge::Asmedia), ("nvme-realtek", NvmeBridge::Realtek)]
    {
        let p = profile(name);
        let smart = smart_of(&p);
        let mut d = ready(p);
        for length in [4, 64, 508] {
            let built = if protocol == NvmeBridge::Asmedia {
                asmedia(&log(length))
            } else {
                realtek(&log(length))
            };
            let mut cmd = built.unwrap().command;
            cmd.transfer_length = 4096;
            let (c, bytes) = send(&mut d, &cmd, Vec::new());
            assert_eq!(c.outcome, GOOD, "{name}");
            assert_eq!(bytes, smart[..length as usize], "{name}: {length}");
        }
    }
    let p = profile("nvme-jmicron");
    let smart = smart_of(&p);
    let mut d = ready(p);
    let x = JmicronExchange::new(log(64)).unwrap();
    let [step1, step2, step3] = x.steps();
    assert_eq!(send(&mut d, &step1.command, command_block(&x)).0.outcome, GOOD);
    let mut data_in = step2.command;
    let mut cdb = data_in.cdb.as_bytes().to_vec();
    cdb[3..6].copy_from_slice(&[0, 0x10, 0]); // step 2 asks 4096, the block 64
    data_in.cdb = Cdb::from_bytes(&cdb).unwrap();
    data_in.transfer_length = 4096;
    let (c, bytes) = send(&mut d, &data_in, Vec::new());
    assert_eq!((c.outcome, bytes.as_slice()), (GOOD, &smart[..64]));
    let (c, bytes) = send_in(&mut d, &step3);
    assert_eq!(c.outcome, GOOD);
    assert!(JmicronCompletion::parse(&bytes).unwrap().value.succeeded());

    // The other way round: the block asks 512 bytes, step 2 only 64.
    let x = JmicronExchange::new(log(512)).unwrap();
    let [step1, step2, _] = x.steps();
    assert_eq!(send(&mut d, &step1.command, command_block(&x)).0.outcome, GOOD);
    let mut data_in = step2.command;
    let mut cdb = data_in.cdb.as_bytes().to_vec();
    cdb[3..6].copy_from_slice(&[0, 0, 64]);
    data_in.cdb = Cdb::from_bytes(&cdb).unwrap();
    data_in.transfer_length = 4096;
    let (c, bytes) = send(&mut d, &data_in, Vec::new());
    assert_eq!((c.outcome, bytes.as_slice()), (GOOD, &smart[..64]));
}

/// The hand-built Identify Controller and SMART / Health bytes decode, with the core's
/// decoders, to the builder's fields (NVMe Base 2.0a Figures 275 and 207): the simulator's
/// offsets and the decoder's agree, and a field changed in the builder shows up.
#[test]
fn builder_fields_land_where_the_core_reads_them() {
    let id = IdentifyControllerData {
        vid: 0x144D,
        ssvid: 0x1234,
        serial_number: "S4EWNX0R123456".into(),
        model_number: "Model With A Long Name Of Forty Chars!!".into(),
        firmware_revision: "2B2QEXM7".into(),
        ieee_oui: 0x00_2538,
        cntlid: 0x0041,
        version: 0x0002_0001,
        frmw: 0x16,
        lpa: 0x03,
        elpe: 7,
        wctemp: 358,
        cctemp: 0,
        tnvmcap: (1u128 << 70) + 5,
        nn: 32,
    };
    let bytes = id.to_bytes();
    assert_eq!(bytes.len(), 4096);
    assert_eq!(&bytes[73..76], &[0x38, 0x25, 0x00], "OUI least significant byte first");
    let v = IdentifyController::parse(&bytes).value;
    assert_eq!((v.vid, v.ssvid), (Some(0x144D), Some(0x1234)));
    assert_eq!(v.serial_number.unwrap().as_bytes(), id.serial_number.as_bytes());
    assert_eq!(v.model_number.unwrap().as_bytes(), id.model_number.as_bytes());
    assert_eq!(v.firmware_revision.unwrap().as_bytes(), id.firmware_revision.as_bytes());
    assert_eq!((v.ieee_oui, v.cntlid), (Some(0x00_2538), Some(0x0041)));
    let version = v.version.unwrap();
    assert_eq!((version.major, version.minor, version.tertiary), (2, 0, 1));
    assert_eq!((v.frmw, v.lpa, v.elpe), (Some(0x16), Some(0x03), Some(7)));
    assert_eq!(v.firmware_slots(), Some(3));
    assert_eq!((v.wctemp.unwrap().kelvin(), v.cctemp.unwrap().kelvin()), (358, 0));
    assert_eq!((v.tnvmcap, v.nn), (Some((1u128 << 70) + 5), Some(32)));

    let s = SmartHealthData {
        critical_warning: 0x04,
        composite_temperature: 330,
        available_spare: 9,
        available_spare_threshold: 10,
        percentage_used: 120,
        data_units_read: 1,
        data_units_written: 2,
        host_read_commands: 3,
        host_write_commands: 4,
        controller_busy_time: 5,
        power_cycles: 6,
        power_on_hours: 7,
        unsafe_shutdowns: 8,
        media_errors: u128::MAX - 1,
        error_log_entries: 10,
        warning_temperature_time: 11,
        critical_temperature_time: 12,
        temperature_sensors: [300, 0, 302, 0, 0, 0, 0, 307],
    };
    let bytes = s.to_bytes();
    assert_eq!(bytes.len(), 512);
    let v = SmartHealthLog::parse(&bytes).unwrap().value;
    assert_eq!(v.critical_warning.bits(), 0x04);
    assert_eq!(v.composite_temperature.unwrap().kelvin(), 330);
    assert_eq!((v.available_spare, v.available_spare_threshold), (Some(9), Some(10)));
    assert_eq!(v.percentage_used, Some(120));
    let counters = [
        v.data_units_read,
        v.data_units_written,
        v.host_read_commands,
        v.host_write_commands,
        v.controller_busy_time,
        v.power_cycles,
        v.power_on_hours,
        v.unsafe_shutdowns,
        v.media_errors,
        v.error_log_entries,
    ];
    let expected = [1, 2, 3, 4, 5, 6, 7, 8, u128::MAX - 1, 10].map(Some);
    assert_eq!(counters, expected);
    assert_eq!((v.warning_temperature_time, v.critical_temperature_time), (Some(11), Some(12)));
    let sensors: Vec<(u8, u16)> = v.sensors().map(|(n, t)| (n, t.kelvin())).collect();
    assert_eq!(sensors, [(1, 300), (3, 302), (8, 307)]);
}

/// The zoo drives: healthy, their capacity from TNVMCAP, no SAT page, a non-rotating medium.
#[test]
fn zoo_nvme_drives_are_healthy_and_consistent_with_their_identify() {
    for (name, _) in NVME_PROFILES {
        let p = profile(name);
        let id = IdentifyController::parse(&identify_of(&p)).value;
        let smart = SmartHealthLog::parse(&smart_of(&p)).unwrap().value;
        assert!(smart.health(None).to_string().starts_with("passed"), "{name}: {smart}");
        let bytes = u128::from(p.capacity.blocks) * u128::from(p.capacity.block_length);
        assert_eq!(Some(bytes), id.tnvmcap, "{name}");
        assert_eq!(id.nn, Some(1), "{name}");
        let vpd = p.vpd.as_ref().unwrap();
        assert!(vpd.ata_information.is_none(), "{name}: a NVMe bridge is no SAT layer");
        assert_eq!(vpd.characteristics.unwrap().rotation_rate, 1, "{name}");
        assert_eq!(vpd.serial.as_deref(), id.serial_number.unwrap().as_str(), "{name}");
        assert!(!p.behaviour.ata_pass_through, "{name}");

        let mut d = ready(p.clone());
        let cmd = Inquiry { evpd_page: Some(0x00), allocation_length: 255 }.encode().unwrap();
        let (c, pages) = exec(&mut d, cmd, 1);
        assert_eq!(c.outcome, GOOD);
        assert!(!pages[4..].contains(&0x89), "{name}: {pages:02x?}");
    }
}

/// How each enclosure is recognized: Realtek by the RTL9210's default INQUIRY strings (the
/// core's INQUIRY table), ASMedia and JMicron by their bridge's USB ID (the core's USB ID
/// table; their INQUIRY strings are invented and match no row), and the rebadged ASMedia
/// enclosure by neither: its personality names the quirk.
#[test]
fn inquiry_strings_usb_ids_and_personality_quirks() {
    use sbc_core::attach::quirk_table::{lookup, lookup_usb_id};
    let nvme = Quirks::NVME_ASMEDIA | Quirks::NVME_JMICRON | Quirks::NVME_REALTEK;
    let cases = [
        ("nvme-asmedia", Quirks::empty(), Quirks::NVME_ASMEDIA, Quirks::empty()),
        ("nvme-jmicron", Quirks::empty(), Quirks::NVME_JMICRON, Quirks::empty()),
        ("nvme-realtek", Quirks::NVME_REALTEK, Quirks::empty(), Quirks::empty()),
        ("nvme-asmedia-rebadged", Quirks::empty(), Quirks::empty(), Quirks::NVME_ASMEDIA),
    ];
    for (name, from_inquiry, from_usb_id, from_personality) in cases {
        let p = profile(name);
        let i = &p.inquiry;
        let table = lookup(i.vendor.as_bytes(), i.product.as_bytes(), i.revision.as_bytes());
        assert_eq!(table & nvme, from_inquiry, "{name}");
        assert_eq!(p.usb_id.map_or(Quirks::empty(), lookup_usb_id), from_usb_id, "{name}");
        let personality = p.personality_quirks.iter().fold(Quirks::empty(), |set, n| {
            set | Quirks::by_name(n).unwrap_or_else(|| panic!("{name}: unknown quirk {n}"))
        });
        assert_eq!(personality, from_personality, "{name}");
    }
    let realtek = profile("nvme-realtek");
    assert_eq!(
        (realtek.inquiry.vendor.as_str(), realtek.inquiry.product.as_str()),
        ("Realtek", "RTL9210 NVME")
    );
    for p in zoo::all().iter().filter(|p| !p.name.starts_with("nvme-")) {
        let plain = p.nvme_bridge.is_none() && p.personality_quirks.is_empty();
        assert!(plain && p.usb_id.is_none(), "{}", p.name);
    }
}

#[test]
fn unsupported_admin_commands_fail_per_protocol() {
    // IDENTIFY CNS 00h (namespace) is not served: ASMedia and Realtek point at the CNS byte.
    let identify_ns = AdminCommand::IdentifyNamespace { nsid: 1 };
    let vendor =
        [("nvme-asmedia", NvmeBridge::Asmedia, 1, 3), ("nvme-realtek", NvmeBridge::Realtek, 3, 4)];
    for (name, protocol, opcode_byte, cns_byte) in vendor {
        let mut d = ready(profile(name));
        let a = run(&mut d, protocol, identify_ns);
        assert_eq!(sense_of(&a.data), (0x05, 0x24, 0x00), "{name}");
        assert_eq!(field_pointer(&a.data), Some(cns_byte), "{name}");
        // An NVMe opcode the controller does not serve (09h SET FEATURES): the opcode byte.
        let mut cmd = if protocol == NvmeBridge::Asmedia {
            asmedia(&AdminCommand::IdentifyController)
        } else {
            realtek(&AdminCommand::IdentifyController)
        }
        .unwrap()
        .command;
        let mut bytes = cmd.cdb.as_bytes().to_vec();
        bytes[usize::from(opcode_byte)] = 0x09;
        cmd.cdb = Cdb::from_bytes(&bytes).unwrap();
        let (c, _) = send(&mut d, &cmd, Vec::new());
        assert_eq!(sense_of(&c), (0x05, 0x24, 0x00), "{name}");
        assert_eq!(field_pointer(&c), Some(opcode_byte), "{name}");
    }

    // JMicron: the completion carries Invalid Field in Command (0002h), no data moves.
    let mut d = ready(profile("nvme-jmicron"));
    let a = run(&mut d, NvmeBridge::Jmicron, identify_ns);
    assert_eq!((a.data.outcome, a.data.realized), (GOOD, 0));
    let done = completion(&a);
    assert_eq!((done.status(), done.succeeded()), (0x0002, false));
    // ... and Invalid Command Opcode (0001h) for an opcode it does not serve.
    let x = JmicronExchange::new(AdminCommand::IdentifyController).unwrap();
    let mut block = command_block(&x);
    block[8] = 0x0A; // GET FEATURES
    let [step1, step2, step3] = x.steps();
    assert_eq!(send(&mut d, &step1.command, block).0.outcome, GOOD);
    assert_eq!(send_in(&mut d, &step2).0.realized, 0);
    let (c, bytes) = send_in(&mut d, &step3);
    assert_eq!(c.outcome, GOOD);
    assert_eq!(JmicronCompletion::parse(&bytes).unwrap().value.status(), 0x0001);
    // The exchange is over: the next one works.
    let a = run(&mut d, NvmeBridge::Jmicron, AdminCommand::smart_health_log());
    assert!(completion(&a).succeeded());
}

#[test]
fn tunnel_rejected_makes_every_bridge_cdb_an_invalid_opcode() {
    for (name, protocol) in NVME_PROFILES {
        let mut d = ready(with_fault(name, NvmeBridgeFault::TunnelRejected));
        match protocol {
            NvmeBridge::Asmedia | NvmeBridge::Realtek => {
                let a = run(&mut d, protocol, AdminCommand::IdentifyController);
                assert_eq!(sense_of(&a.data), (0x05, 0x20, 0x00), "{name}");
            }
            NvmeBridge::Jmicron => {
                let x = JmicronExchange::new(AdminCommand::IdentifyController).unwrap();
                let [step1, step2, step3] = x.steps();
                let (c, _) = send(&mut d, &step1.command, command_block(&x));
                assert_eq!(sense_of(&c), (0x05, 0x20, 0x00));
                assert_eq!(sense_of(&send_in(&mut d, &step2).0), (0x05, 0x20, 0x00));
                assert_eq!(sense_of(&send_in(&mut d, &step3).0), (0x05, 0x20, 0x00));
            }
        }
        // The SCSI side is untouched.
        let (c, _) = exec(&mut d, TestUnitReady.encode().unwrap(), 2);
        assert_eq!(c.outcome, GOOD, "{name}");
    }
}

#[test]
fn wrong_signature_zeroes_jmicron_response_and_rejects_the_vendor_opcodes() {
    let p = with_fault("nvme-jmicron", NvmeBridgeFault::WrongSignature);
    let identify = identify_of(&p);
    let mut d = ready(p);
    let a = run(&mut d, NvmeBridge::Jmicron, AdminCommand::IdentifyController);
    assert_eq!(a.bytes, identify, "the data phase itself is intact");
    let (c, bytes) = a.response.unwrap();
    assert_eq!((c.outcome, bytes.len()), (GOOD, 512));
    assert!(bytes.iter().all(|&b| b == 0));
    assert!(JmicronCompletion::parse(&bytes).is_err());

    for (name, protocol) in
        [("nvme-asmedia", NvmeBridge::Asmedia), ("nvme-realtek", NvmeBridge::Realtek)]
    {
        let mut d = ready(with_fault(name, NvmeBridgeFault::WrongSignature));
        let a = run(&mut d, protocol, AdminCommand::smart_health_log());
        assert_eq!(sense_of(&a.data), (0x05, 0x20, 0x00), "{name}");
    }
}

#[test]
fn short_transfer_moves_half_with_good_status() {
    for (name, protocol) in NVME_PROFILES {
        let p = with_fault(name, NvmeBridgeFault::ShortTransfer);
        let (identify, smart) = (identify_of(&p), smart_of(&p));
        let mut d = ready(p);
        let a = run(&mut d, protocol, AdminCommand::IdentifyController);
        assert_eq!((a.data.outcome, a.data.realized), (GOOD, 2048), "{name}");
        assert_eq!(a.bytes, identify[..2048], "{name}");
        let a = run(&mut d, protocol, AdminCommand::smart_health_log());
        assert_eq!((a.data.outcome, a.data.realized), (GOOD, 256), "{name}");
        assert_eq!(a.bytes, smart[..256], "{name}");
        if protocol == NvmeBridge::Jmicron {
            assert!(completion(&a).succeeded(), "the response still says success");
        }
    }
}

#[test]
fn nvme_status_is_in_the_jmicron_completion_and_sense_elsewhere() {
    // JMicron: dword 3 bits 31:17 carry the status field, no data moves.
    for status in [0x4002u16, 0x0281, 0x7FFF] {
        let mut d = ready(with_fault("nvme-jmicron", NvmeBridgeFault::NvmeStatus(status)));
        let a = run(&mut d, NvmeBridge::Jmicron, AdminCommand::smart_health_log());
        assert_eq!((a.data.outcome, a.data.realized), (GOOD, 0));
        let (_, bytes) = a.response.as_ref().unwrap();
        assert_eq!(&bytes[20..24], &(u32::from(status) << 17).to_le_bytes());
        let done = completion(&a);
        assert_eq!((done.status(), done.succeeded()), (status, false));
    }

    // ASMedia and Realtek: CHECK CONDITION as the NVMe-SCSI translation maps the status.
    let cases = [
        (0x0001, (0x05, 0x20, 0x00)),
        (0x4002, (0x05, 0x24, 0x00)),
        (0x0004, (0x03, 0x00, 0x00)),
        (0x0006, (0x04, 0x44, 0x00)),
        (0x0007, (0x0B, 0x00, 0x00)),
        (0x0281, (0x03, 0x11, 0x00)),
        (0x0110, (0x05, 0x00, 0x00)),
    ];
    for (name, protocol) in
        [("nvme-asmedia", NvmeBridge::Asmedia), ("nvme-realtek", NvmeBridge::Realtek)]
    {
        for (status, expected) in cases {
            let mut d = ready(with_fault(name, NvmeBridgeFault::NvmeStatus(status)));
            let a = run(&mut d, protocol, AdminCommand::IdentifyController);
            assert_eq!(sense_of(&a.data), expected, "{name} {status:#06x}");
        }
        // SCT/SC 0 (only DNR set): success, but nothing moved.
        let mut d = ready(with_fault(name, NvmeBridgeFault::NvmeStatus(0x4000)));
        let a = run(&mut d, protocol, AdminCommand::IdentifyController);
        assert_eq!((a.data.outcome, a.data.realized), (GOOD, 0), "{name}");
    }
}

#[test]
fn jmicron_steps_out_of_order_and_bad_command_blocks() {
    let sequence_error = (0x05, 0x2C, 0x00);
    let x = JmicronExchange::new(AdminCommand::smart_health_log()).unwrap();
    let [step1, step2, step3] = x.steps();
    let mut d = ready(profile("nvme-jmicron"));

    // Step 2 or 3 without step 1.
    assert_eq!(sense_of(&send_in(&mut d, &step2).0), sequence_error);
    assert_eq!(sense_of(&send_in(&mut d, &step3).0), sequence_error);
    // Step 3 right after step 1 (no data phase).
    assert_eq!(send(&mut d, &step1.command, command_block(&x)).0.outcome, GOOD);
    assert_eq!(sense_of(&send_in(&mut d, &step3).0), sequence_error);
    // ... which abandoned the exchange: step 2 has nothing to run.
    assert_eq!(sense_of(&send_in(&mut d, &step2).0), sequence_error);
    // A whole exchange, then its steps again.
    let a = run(&mut d, NvmeBridge::Jmicron, AdminCommand::smart_health_log());
    assert!(completion(&a).succeeded());
    assert_eq!(sense_of(&send_in(&mut d, &step2).0), sequence_error);
    assert_eq!(sense_of(&send_in(&mut d, &step3).0), sequence_error);

    // Command blocks the bridge refuses: INVALID FIELD IN PARAMETER LIST, nothing pending.
    let mut bad_signature = command_block(&x);
    bad_signature[..4].copy_from_slice(b"NVMF");
    let mut vendor_control = command_block(&x);
    vendor_control[72] = 0x01;
    for block in [bad_signature, vendor_control, vec![0; 512]] {
        let (c, _) = send(&mut d, &step1.command, block);
        assert_eq!(sense_of(&c), (0x05, 0x26, 0x00));
        assert_eq!(sense_of(&send_in(&mut d, &step2).0), sequence_error);
    }
    // A pending command block is replaced by a bad one.
    assert_eq!(send(&mut d, &step1.command, command_block(&x)).0.outcome, GOOD);
    let mut bad = command_block(&x);
    bad[72] = 0x03;
    assert_eq!(sense_of(&send(&mut d, &step1.command, bad).0), (0x05, 0x26, 0x00));
    assert_eq!(sense_of(&send_in(&mut d, &step2).0), sequence_error);

    // A parameter list length other than 512: INVALID FIELD IN CDB at byte 3.
    let mut cmd = step1.command;
    let mut bytes = cmd.cdb.as_bytes().to_vec();
    bytes[4] = 0x01; // 256 bytes
    cmd.cdb = Cdb::from_bytes(&bytes).unwrap();
    let (c, _) = send(&mut d, &cmd, command_block(&x));
    assert_eq!(sense_of(&c), (0x05, 0x24, 0x00));
    assert_eq!(field_pointer(&c), Some(3));
    // Less than 512 bytes of data-out: PARAMETER LIST LENGTH ERROR.
    let mut cmd = step1.command;
    cmd.transfer_length = 100;
    let (c, _) = send(&mut d, &cmd, command_block(&x));
    assert_eq!(sense_of(&c), (0x05, 0x1A, 0x00));

    // Power loss forgets a pending command.
    assert_eq!(send(&mut d, &step1.command, command_block(&x)).0.outcome, GOOD);
    d.power_cycle();
    let (c, _) = exec(&mut d, TestUnitReady.encode().unwrap(), 100);
    assert_eq!(sense_of(&c), (0x06, 0x29, 0x00));
    assert_eq!(sense_of(&send_in(&mut d, &step2).0), sequence_error);
}

/// IDENTIFY DEVICE (ECh, PIO data-in, one 512-byte block) as ATA PASS-THROUGH(12) and
/// (16): the same fields, (16) adding EXTEND.
fn ata_identify() -> [Command; 2] {
    macro_rules! identify {
        ($form:ident { $($extra:tt)* }) => {
            $form {
                protocol: AtaProtocol::PIO_DATA_IN,
                multiple_count: 0,
                off_line: 0,
                ck_cond: false,
                t_type: false,
                t_dir: true,
                byte_block: true,
                t_length: 2,
                features: 0,
                count: 1,
                lba: 0,
                device: 0,
                command: 0xEC,
                block_length: 512,
                $($extra)*
            }
            .encode()
            .unwrap()
        };
    }
    [identify!(AtaPassThrough12 {}), identify!(AtaPassThrough16 { extend: false })]
}

/// A NVMe bridge is no SAT layer, and each bridge knows only its own tunnel.
#[test]
fn no_ata_pass_through_and_no_other_bridge_opcode() {
    let identify = AdminCommand::IdentifyController;
    let jm = JmicronExchange::new(identify).unwrap();
    let others: [(NvmeBridge, Vec<Command>); 3] = [
        (
            NvmeBridge::Asmedia,
            vec![realtek(&identify).unwrap().command, jm.command_block().command],
        ),
        (
            NvmeBridge::Realtek,
            vec![asmedia(&identify).unwrap().command, jm.command_block().command],
        ),
        (
            NvmeBridge::Jmicron,
            vec![asmedia(&identify).unwrap().command, realtek(&identify).unwrap().command],
        ),
    ];
    for (name, protocol) in NVME_PROFILES {
        let mut d = ready(profile(name));
        for cmd in ata_identify() {
            let (c, _) = send(&mut d, &cmd, Vec::new());
            assert_eq!(sense_of(&c), (0x05, 0x20, 0x00), "{name}: {:02x?}", cmd.cdb.as_bytes());
        }
        let (_, foreign) = others.iter().find(|(p, _)| *p == protocol).unwrap();
        for cmd in foreign {
            let (c, _) = send(&mut d, cmd, command_block(&jm));
            assert_eq!(sense_of(&c), (0x05, 0x20, 0x00), "{name}: {:02x?}", cmd.cdb.as_bytes());
        }
        // Its own tunnel still works afterwards.
        let a = run(&mut d, protocol, identify);
        assert_eq!(a.data.outcome, GOOD, "{name}");
    }
}

/// Without an NVMe bridge, A1h stays ATA PASS-THROUGH(12): JMicron's step 1 reaches the SAT
/// layer as an ATA command (whose drive aborts it), not a command block; E6h stays unknown.
#[test]
fn non_nvme_profiles_keep_a1h_as_ata_pass_through() {
    let jm = JmicronExchange::new(AdminCommand::IdentifyController).unwrap();
    let mut d = ready(profile("sat-bridge"));
    let (c, _) = send(&mut d, &jm.command_block().command, command_block(&jm));
    assert_eq!(c.outcome, CHECK_CONDITION);
    assert_eq!(sense_of(&c).0, 0x0B, "ABORTED COMMAND from the ATA drive: {c:?}");
    let [ata_12, _] = ata_identify();
    let (c, _) = send(&mut d, &ata_12, Vec::new());
    assert_eq!((c.outcome, c.realized), (GOOD, 512));
    let (c, _) =
        send(&mut d, &asmedia(&AdminCommand::IdentifyController).unwrap().command, Vec::new());
    assert_eq!(sense_of(&c), (0x05, 0x20, 0x00));
}

/// Random bridge CDBs (and random data-out) never panic, never move more than asked, and
/// every failure carries decodable sense.
#[test]
fn random_bridge_cdbs_never_panic() {
    let mut rng = XorShift::new(0x9210);
    for (name, _) in NVME_PROFILES {
        for fault in [NvmeBridgeFault::None, NvmeBridgeFault::ShortTransfer] {
            let mut d = ready(with_fault(name, fault));
            for i in 0..4_000u64 {
                let len = if rng.below(2) == 0 { 12 } else { 16 };
                let mut bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
                bytes[0] = [0xA1, 0xE4, 0xE6, 0x85][rng.below(4) as usize];
                if bytes[0] == 0xA1 && rng.below(2) == 0 {
                    bytes[1] = [0x80, 0x82, 0x8F][rng.below(3) as usize];
                }
                let mut data: Vec<u8> =
                    (0..rng.below(5000)).map(|_| rng.next_u64() as u8).collect();
                if rng.below(4) == 0 && data.len() >= 512 {
                    data[..4].copy_from_slice(b"NVME");
                    data[72] = 0;
                }
                let cmd = Command {
                    cdb: Cdb::from_bytes(&bytes).unwrap(),
                    direction: DataDirection::In,
                    transfer_length: data.len() as u64,
                };
                let c = d.execute(&cmd, &mut data, Instant::from_millis(i));
                assert!(c.realized <= cmd.transfer_length, "{name}: {bytes:02x?}");
                match c.outcome {
                    GOOD => assert!(c.sense.is_empty()),
                    CHECK_CONDITION => {
                        assert!(matches!(sense::parse(&c.sense), Ok(Parsed::Sense(_))), "{c:?}")
                    }
                    other => panic!("{name}: {other}"),
                }
            }
        }
    }
}

/// `sbc-dext attach sim:NAME` applies the profile's personality quirks as the personality's
/// SbcQuirks entries and attaches a USB enclosure with its USB ID, through the engine alone
/// and through the whole stack; `--no-quirk` still wins over both; a profile without them
/// gets none.
#[test]
fn cli_attach_applies_personality_quirks_and_no_quirk_overrides() {
    use sbc_dext::cli::attach::{attach, Options};
    let quirks = |target: &str, engine: bool, no_quirks: &[&str]| -> Vec<String> {
        let options = Options {
            target: Some(target.into()),
            no_quirks: no_quirks.iter().map(|q| q.to_string()).collect(),
            engine,
            json: true,
            ..Options::default()
        };
        let (text, _) = attach(&options).unwrap_or_else(|e| panic!("{target}: {e:?}"));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let list = v["quirks"].as_array().unwrap_or_else(|| panic!("{target}: {v}"));
        list.iter().map(|q| q.as_str().unwrap().to_string()).collect()
    };
    for engine in [true, false] {
        let has = |list: &[String], q: &str| list.iter().any(|n| n == q);
        let on = quirks("sim:nvme-asmedia", engine, &[]);
        assert!(has(&on, "nvme-asmedia"), "engine {engine}: {on:?}");
        assert!(has(&on, "retry-hwerror"), "engine {engine}: a USB disk: {on:?}");
        let on = quirks("sim:nvme-asmedia-rebadged", engine, &[]);
        assert!(has(&on, "nvme-asmedia"), "engine {engine}: {on:?}");
        let off = quirks("sim:nvme-asmedia-rebadged", engine, &["nvme-asmedia"]);
        assert!(!has(&off, "nvme-asmedia"), "engine {engine}: {off:?}");
        let on = quirks("sim:nvme-jmicron", engine, &[]);
        assert!(has(&on, "nvme-jmicron"), "engine {engine}: {on:?}");
        let off = quirks("sim:nvme-jmicron", engine, &["nvme-jmicron"]);
        assert!(!has(&off, "nvme-jmicron"), "engine {engine}: {off:?}");
        let none = quirks("sim:sat-bridge", engine, &[]);
        assert!(none.iter().all(|q| !q.starts_with("nvme-")), "engine {engine}: {none:?}");
    }
}
