//! The error-recovery policy, table-driven: every action kind, both sense formats, deferred
//! sense, budgets exhausted, quirk on/off pairs. Sense bytes are built by hand after SPC-5
//! and go through the real decoder (`sense::parse`).

mod common;

use common::Rng;
use sbc_core::policy::{
    self, decide, decide_final, was_executed, Action, Budget, Change, CommandKind, Failure, Input,
    Reason, RetryCounts, SENSE_KEY_DEFAULTS, SENSE_RULES,
};
use sbc_core::quirks::Quirks;
use sbc_core::sense::{self, SenseCode, SenseKey};
use sbc_core::wire::status::{DeliveryFailure, ServiceResponse, TaskOutcome, TaskStatus};

// ---- sense builders (SPC-5 §4.4) ----

/// Fixed format, current (70h), SPC-5 table "Fixed format sense data": byte 2 SENSE KEY,
/// byte 7 ADDITIONAL SENSE LENGTH (n - 7 = 10 for 18 bytes), byte 12 ASC, byte 13 ASCQ.
fn fixed(key: u8, asc: u8, ascq: u8) -> Vec<u8> {
    let mut b = vec![0u8; 18];
    b[0] = 0x70;
    b[2] = key;
    b[7] = 10;
    b[12] = asc;
    b[13] = ascq;
    b
}

/// Fixed format with VALID (byte 0 bit 7) and INFORMATION in bytes 3..6.
fn fixed_info(key: u8, asc: u8, ascq: u8, info: u32) -> Vec<u8> {
    let mut b = fixed(key, asc, ascq);
    b[0] |= 0x80;
    b[3..7].copy_from_slice(&info.to_be_bytes());
    b
}

/// Fixed format, deferred (71h).
fn fixed_deferred(key: u8, asc: u8, ascq: u8) -> Vec<u8> {
    let mut b = fixed(key, asc, ascq);
    b[0] = 0x71;
    b
}

/// Descriptor format, current (72h), SPC-5 table "Descriptor format sense data": byte 1
/// SENSE KEY, 2 ASC, 3 ASCQ, 7 ADDITIONAL SENSE LENGTH (0: no descriptors).
fn desc(key: u8, asc: u8, ascq: u8) -> Vec<u8> {
    vec![0x72, key, asc, ascq, 0, 0, 0, 0]
}

/// Descriptor format, deferred (73h).
fn desc_deferred(key: u8, asc: u8, ascq: u8) -> Vec<u8> {
    vec![0x73, key, asc, ascq, 0, 0, 0, 0]
}

/// Descriptor format with an information descriptor (SPC-5 "Information sense data
/// descriptor": type 00h, ADDITIONAL LENGTH 0Ah, byte 2 VALID, bytes 4..11 INFORMATION).
fn desc_info(key: u8, asc: u8, ascq: u8, info: u64) -> Vec<u8> {
    let mut b = vec![0x72, key, asc, ascq, 0, 0, 0, 12, 0x00, 0x0a, 0x80, 0x00];
    b.extend_from_slice(&info.to_be_bytes());
    b
}

// ---- expected-value helpers ----

fn sc(key: u8, asc: u8, ascq: u8) -> SenseCode {
    SenseCode::new(SenseKey(key), asc, ascq)
}

fn fail_sense(reason: Reason, key: u8, asc: u8, ascq: u8) -> Action {
    Action::Fail(Failure { reason, sense: Some(sc(key, asc, ascq)), information: None })
}

fn fail_lba(reason: Reason, key: u8, asc: u8, ascq: u8, lba: u64) -> Action {
    Action::Fail(Failure { reason, sense: Some(sc(key, asc, ascq)), information: Some(lba) })
}

fn fail(reason: Reason) -> Action {
    Action::Fail(Failure::new(reason))
}

fn retry(after_ms: u32, budget: Budget) -> Action {
    Action::Retry { after_ms, budget }
}

const NS: u8 = 0x0;
const RE: u8 = 0x1;
const NR: u8 = 0x2;
const ME: u8 = 0x3;
const HE: u8 = 0x4;
const IR: u8 = 0x5;
const UA: u8 = 0x6;
const DP: u8 = 0x7;
const AC: u8 = 0xb;

/// One row: how the command ended, which command, what was used, the action expected.
struct Case {
    name: &'static str,
    response: ServiceResponse,
    status: u32,
    sense: Vec<u8>,
    command: CommandKind,
    retries: RetryCounts,
    quirks: Quirks,
    expect: Action,
}

fn cc(name: &'static str, sense: Vec<u8>, command: CommandKind, expect: Action) -> Case {
    Case {
        name,
        response: ServiceResponse::TASK_COMPLETE,
        status: TaskStatus::CHECK_CONDITION.0,
        sense,
        command,
        retries: RetryCounts::new(),
        quirks: Quirks::empty(),
        expect,
    }
}

fn status(name: &'static str, s: TaskStatus, expect: Action) -> Case {
    Case {
        name,
        response: ServiceResponse::TASK_COMPLETE,
        status: s.0,
        sense: Vec::new(),
        command: CommandKind::Read,
        retries: RetryCounts::new(),
        quirks: Quirks::empty(),
        expect,
    }
}

fn delivery(name: &'static str, f: u32, expect: Action) -> Case {
    Case {
        name,
        response: ServiceResponse::SERVICE_DELIVERY_OR_TARGET_FAILURE,
        status: f,
        sense: Vec::new(),
        command: CommandKind::Inquiry,
        retries: RetryCounts::new(),
        quirks: Quirks::empty(),
        expect,
    }
}

impl Case {
    fn used(mut self, budget: Budget, n: u32) -> Self {
        self.retries = self.retries.with(budget, n);
        self
    }
    fn quirk(mut self, q: Quirks) -> Self {
        self.quirks |= q;
        self
    }
    fn sense(mut self, s: Vec<u8>) -> Self {
        self.sense = s;
        self
    }
    fn response(mut self, r: ServiceResponse) -> Self {
        self.response = r;
        self
    }
}

fn run(case: &Case) -> Action {
    let parsed = sense::parse(&case.sense);
    let input = Input {
        outcome: TaskOutcome::from_wire(case.response, case.status),
        realized_valid: true,
        sense: policy::usable_sense(&parsed),
        command: case.command,
        retries: case.retries,
        quirks: case.quirks,
    };
    decide(&input)
}

fn cases() -> Vec<Case> {
    use CommandKind as C;
    let hw = Quirks::RETRY_HWERROR;
    let nss = Quirks::NO_START_STOP;
    vec![
        // ---- success ----
        status("GOOD", TaskStatus::GOOD, Action::Success),
        status("CONDITION MET", TaskStatus::CONDITION_MET, Action::Success),
        status("INTERMEDIATE", TaskStatus::INTERMEDIATE, Action::Success),
        status("GOOD ignores sense", TaskStatus::GOOD, Action::Success).sense(fixed(UA, 0x29, 0)),
        // ---- recovered ----
        cc(
            "RECOVERED 17/01 fixed",
            fixed(RE, 0x17, 0x01),
            C::Read,
            Action::Recovered(sc(RE, 0x17, 0x01)),
        ),
        cc(
            "RECOVERED 5D/00 descriptor",
            desc(RE, 0x5d, 0x00),
            C::Inquiry,
            Action::Recovered(sc(RE, 0x5d, 0)),
        ),
        cc(
            "false check condition NO SENSE 00/00",
            fixed(NS, 0, 0),
            C::Read,
            Action::Recovered(sc(NS, 0, 0)),
        ),
        cc("COMPLETED key", desc(0xf, 0x00, 0x00), C::Read, Action::Recovered(sc(0xf, 0, 0))),
        cc(
            "00/1D on READ is only recovered",
            desc(RE, 0x00, 0x1d),
            C::Read,
            Action::Recovered(sc(RE, 0, 0x1d)),
        ),
        // ---- ATA PASS-THROUGH ----
        cc(
            "ATA PT CK_COND RECOVERED 00/1D",
            desc(RE, 0x00, 0x1d),
            C::AtaPassThrough,
            Action::Success,
        ),
        cc(
            "ATA PT NO SENSE 00/1D fixed",
            fixed(NS, 0x00, 0x1d),
            C::AtaPassThrough,
            Action::Success,
        ),
        cc(
            "ATA PT ABORTED = drive refused",
            desc(AC, 0x00, 0x00),
            C::AtaPassThrough,
            fail_sense(Reason::AbortedCommand, AC, 0, 0),
        ),
        cc(
            "ATA PT unsupported by bridge",
            fixed(IR, 0x20, 0x00),
            C::AtaPassThrough,
            fail_sense(Reason::InvalidOpcode, IR, 0x20, 0),
        ),
        // ---- no usable sense ----
        cc("CHECK CONDITION, no sense bytes", vec![], C::Read, retry(0, Budget::Immediate)),
        cc("CHECK CONDITION, all-zero sense", vec![0; 18], C::Read, retry(0, Budget::Immediate)),
        cc(
            "CHECK CONDITION, vendor format 7Fh",
            vec![0x7f, 1, 2, 3],
            C::Read,
            retry(0, Budget::Immediate),
        ),
        cc("CHECK CONDITION, truncated sense", vec![0x70, 0], C::Read, retry(0, Budget::Immediate)),
        cc("no sense, budget spent", vec![], C::Read, fail(Reason::NoSense))
            .used(Budget::Immediate, 5),
        // ---- deferred ----
        cc(
            "deferred fixed 71h",
            fixed_deferred(ME, 0x0c, 0x00),
            C::Read,
            retry(0, Budget::Immediate),
        ),
        cc(
            "deferred descriptor 73h, HW error without quirk still retried",
            desc_deferred(HE, 0x44, 0),
            C::Read,
            retry(0, Budget::Immediate),
        ),
        cc(
            "deferred, budget spent",
            fixed_deferred(ME, 0x0c, 0x00),
            C::Read,
            fail_sense(Reason::DeferredError, ME, 0x0c, 0),
        )
        .used(Budget::Immediate, 5),
        // ---- NOT READY: becoming ready ----
        cc(
            "04/01 becoming ready",
            fixed(NR, 0x04, 0x01),
            C::TestUnitReady,
            retry(1000, Budget::BecomingReady),
        ),
        cc(
            "04/01 poll 100",
            fixed(NR, 0x04, 0x01),
            C::TestUnitReady,
            retry(1000, Budget::BecomingReady),
        )
        .used(Budget::BecomingReady, 99),
        cc(
            "04/01 poll budget spent",
            fixed(NR, 0x04, 0x01),
            C::TestUnitReady,
            fail_sense(Reason::NotReady, NR, 4, 1),
        )
        .used(Budget::BecomingReady, 100),
        cc(
            "04/04 format in progress",
            desc(NR, 0x04, 0x04),
            C::Read,
            retry(1000, Budget::BecomingReady),
        ),
        cc(
            "04/07 operation in progress",
            desc(NR, 0x04, 0x07),
            C::Read,
            retry(1000, Budget::BecomingReady),
        ),
        cc(
            "04/0A ALUA transition",
            fixed(NR, 0x04, 0x0a),
            C::Read,
            retry(1000, Budget::BecomingReady),
        ),
        cc(
            "04/11 notify (enable spinup)",
            fixed(NR, 0x04, 0x11),
            C::TestUnitReady,
            retry(1000, Budget::BecomingReady),
        ),
        cc(
            "04/1A START STOP in progress",
            desc(NR, 0x04, 0x1a),
            C::TestUnitReady,
            retry(1000, Budget::BecomingReady),
        ),
        cc(
            "04/1D configuration in progress",
            fixed(NR, 0x04, 0x1d),
            C::TestUnitReady,
            retry(1000, Budget::BecomingReady),
        ),
        cc(
            "unlisted NOT READY 04/FE: key default",
            fixed(NR, 0x04, 0xfe),
            C::TestUnitReady,
            retry(1000, Budget::BecomingReady),
        ),
        cc(
            "unlisted NOT READY 3E/00: key default",
            fixed(NR, 0x3e, 0x00),
            C::TestUnitReady,
            retry(1000, Budget::BecomingReady),
        ),
        // ---- NOT READY: START STOP UNIT ----
        cc(
            "04/02 initializing command required",
            fixed(NR, 0x04, 0x02),
            C::TestUnitReady,
            Action::StartUnit,
        ),
        cc("04/02 descriptor", desc(NR, 0x04, 0x02), C::ReadCapacity10, Action::StartUnit),
        cc(
            "04/02 with NO_START_STOP",
            fixed(NR, 0x04, 0x02),
            C::TestUnitReady,
            fail_sense(Reason::StartRequired, NR, 4, 2),
        )
        .quirk(nss),
        cc(
            "04/02 after the START: poll",
            fixed(NR, 0x04, 0x02),
            C::TestUnitReady,
            retry(1000, Budget::BecomingReady),
        )
        .used(Budget::StartUnit, 1),
        cc(
            "04/02 after START and 100 polls",
            fixed(NR, 0x04, 0x02),
            C::TestUnitReady,
            fail_sense(Reason::NotReady, NR, 4, 2),
        )
        .used(Budget::StartUnit, 1)
        .used(Budget::BecomingReady, 100),
        cc(
            "04/02 answering START STOP UNIT itself",
            fixed(NR, 0x04, 0x02),
            C::StartStopUnit,
            fail_sense(Reason::StartRequired, NR, 4, 2),
        ),
        cc(
            "04/00 cause not reportable",
            fixed(NR, 0x04, 0x00),
            C::TestUnitReady,
            Action::StartUnit,
        ),
        // ---- NOT READY: hopeless ----
        cc(
            "04/03 manual intervention",
            fixed(NR, 0x04, 0x03),
            C::TestUnitReady,
            fail_sense(Reason::NotReady, NR, 4, 3),
        ),
        cc(
            "04/0B standby port",
            desc(NR, 0x04, 0x0b),
            C::TestUnitReady,
            fail_sense(Reason::NotReady, NR, 4, 0x0b),
        ),
        cc(
            "04/0C unavailable port",
            fixed(NR, 0x04, 0x0c),
            C::TestUnitReady,
            fail_sense(Reason::NotReady, NR, 4, 0x0c),
        ),
        cc(
            "04/1B sanitize",
            fixed(NR, 0x04, 0x1b),
            C::TestUnitReady,
            fail_sense(Reason::NotReady, NR, 4, 0x1b),
        ),
        cc(
            "04/24 depopulation",
            fixed(NR, 0x04, 0x24),
            C::TestUnitReady,
            fail_sense(Reason::NotReady, NR, 4, 0x24),
        ),
        cc(
            "04/25 depopulation restoration",
            fixed(NR, 0x04, 0x25),
            C::TestUnitReady,
            fail_sense(Reason::NotReady, NR, 4, 0x25),
        ),
        // ---- no medium ----
        cc(
            "3A/00 medium not present",
            fixed(NR, 0x3a, 0x00),
            C::TestUnitReady,
            fail_sense(Reason::NoMedium, NR, 0x3a, 0),
        ),
        cc(
            "3A/02 tray open, descriptor",
            desc(NR, 0x3a, 0x02),
            C::ReadCapacity16,
            fail_sense(Reason::NoMedium, NR, 0x3a, 2),
        ),
        cc(
            "UA 3A/00 (Linux media_not_present)",
            fixed(UA, 0x3a, 0x00),
            C::TestUnitReady,
            fail_sense(Reason::NoMedium, UA, 0x3a, 0),
        ),
        // ---- UNIT ATTENTION absorbed ----
        cc(
            "UA 29/00 power on on RC16",
            fixed(UA, 0x29, 0x00),
            C::ReadCapacity16,
            retry(0, Budget::UnitAttention),
        ),
        cc("UA 29/02 bus reset", desc(UA, 0x29, 0x02), C::Inquiry, retry(0, Budget::UnitAttention)),
        cc(
            "UA 29/00 tenth",
            fixed(UA, 0x29, 0x00),
            C::ReadCapacity16,
            retry(0, Budget::UnitAttention),
        )
        .used(Budget::UnitAttention, 9),
        cc(
            "UA 29/00 budget spent",
            fixed(UA, 0x29, 0x00),
            C::ReadCapacity16,
            fail_sense(Reason::UnitAttention, UA, 0x29, 0),
        )
        .used(Budget::UnitAttention, 10),
        cc(
            "UA 2A/02 log parameters changed",
            fixed(UA, 0x2a, 0x02),
            C::Read,
            retry(0, Budget::UnitAttention),
        ),
        cc(
            "UA 3F/01 microcode changed",
            fixed(UA, 0x3f, 0x01),
            C::Read,
            retry(0, Budget::UnitAttention),
        ),
        cc(
            "UA unlisted 5E/00: key default",
            fixed(UA, 0x5e, 0x00),
            C::Read,
            retry(0, Budget::UnitAttention),
        ),
        // ---- UNIT ATTENTION reported ----
        cc(
            "UA 28/00 medium may have changed",
            fixed(UA, 0x28, 0x00),
            C::Read,
            Action::Reprobe(Change::MediumChanged),
        ),
        cc(
            "UA 28/00 on TUR",
            desc(UA, 0x28, 0x00),
            C::TestUnitReady,
            Action::Reprobe(Change::MediumChanged),
        ),
        cc(
            "UA 28/00 budget spent",
            fixed(UA, 0x28, 0x00),
            C::Read,
            fail_sense(Reason::UnitAttention, UA, 0x28, 0),
        )
        .used(Budget::UnitAttention, 10),
        cc(
            "UA 2A/09 capacity changed",
            fixed(UA, 0x2a, 0x09),
            C::Inquiry,
            Action::Reprobe(Change::CapacityChanged),
        ),
        cc(
            "UA 2A/09 on READ CAPACITY(16) is absorbed",
            fixed(UA, 0x2a, 0x09),
            C::ReadCapacity16,
            retry(0, Budget::UnitAttention),
        ),
        cc(
            "UA 2A/09 on READ CAPACITY(10) is absorbed",
            desc(UA, 0x2a, 0x09),
            C::ReadCapacity10,
            retry(0, Budget::UnitAttention),
        ),
        cc(
            "UA 2A/01 mode parameters changed",
            fixed(UA, 0x2a, 0x01),
            C::Read,
            Action::Reprobe(Change::ModeParametersChanged),
        ),
        cc(
            "UA 2A/01 on MODE SENSE(10) is absorbed",
            fixed(UA, 0x2a, 0x01),
            C::ModeSense10,
            retry(0, Budget::UnitAttention),
        ),
        cc(
            "UA 3F/03 inquiry data changed",
            fixed(UA, 0x3f, 0x03),
            C::Read,
            Action::Reprobe(Change::InquiryDataChanged),
        ),
        cc(
            "UA 3F/05 device identifier changed",
            desc(UA, 0x3f, 0x05),
            C::ReadCapacity10,
            Action::Reprobe(Change::InquiryDataChanged),
        ),
        cc(
            "UA 3F/03 on INQUIRY is absorbed",
            fixed(UA, 0x3f, 0x03),
            C::Inquiry,
            retry(0, Budget::UnitAttention),
        ),
        cc(
            "UA 3F/0E reported LUNs changed",
            fixed(UA, 0x3f, 0x0e),
            C::TestUnitReady,
            Action::Reprobe(Change::LunsChanged),
        ),
        cc(
            "UA 3F/0E on REPORT LUNS is absorbed",
            fixed(UA, 0x3f, 0x0e),
            C::ReportLuns,
            retry(0, Budget::UnitAttention),
        ),
        // ---- DATA PROTECT ----
        cc(
            "27/00 write protected",
            fixed(DP, 0x27, 0x00),
            C::Write,
            fail_sense(Reason::WriteProtected, DP, 0x27, 0),
        ),
        cc(
            "27/02 software write protected, descriptor",
            desc(DP, 0x27, 0x02),
            C::Write,
            fail_sense(Reason::WriteProtected, DP, 0x27, 2),
        ),
        cc(
            "27/07 space allocation failed",
            fixed(DP, 0x27, 0x07),
            C::Write,
            fail_sense(Reason::SpaceAllocationFailed, DP, 0x27, 7),
        ),
        cc(
            "74/71 locked: DATA PROTECT default",
            fixed(DP, 0x74, 0x71),
            C::Read,
            fail_sense(Reason::DataProtect, DP, 0x74, 0x71),
        ),
        // ---- ILLEGAL REQUEST ----
        cc(
            "20/00 on RC16: fall back to RC10",
            fixed(IR, 0x20, 0x00),
            C::ReadCapacity16,
            fail_sense(Reason::InvalidOpcode, IR, 0x20, 0),
        ),
        cc(
            "20/00 on MODE SENSE(10): fall back to (6)",
            desc(IR, 0x20, 0x00),
            C::ModeSense10,
            fail_sense(Reason::InvalidOpcode, IR, 0x20, 0),
        ),
        cc(
            "24/00 on RC16",
            fixed(IR, 0x24, 0x00),
            C::ReadCapacity16,
            fail_sense(Reason::InvalidField, IR, 0x24, 0),
        ),
        cc(
            "24/00 on UNMAP",
            desc(IR, 0x24, 0x00),
            C::Unmap,
            fail_sense(Reason::InvalidField, IR, 0x24, 0),
        ),
        cc(
            "21/00 LBA out of range",
            fixed(IR, 0x21, 0x00),
            C::Read,
            fail_sense(Reason::LbaOutOfRange, IR, 0x21, 0),
        ),
        cc(
            "25/00 LUN not supported",
            fixed(IR, 0x25, 0x00),
            C::Inquiry,
            fail_sense(Reason::LogicalUnitNotSupported, IR, 0x25, 0),
        ),
        cc(
            "26/00 invalid field in parameter list",
            fixed(IR, 0x26, 0x00),
            C::ModeSelect,
            fail_sense(Reason::IllegalRequest, IR, 0x26, 0),
        ),
        cc(
            "10/03 reference tag, ILLEGAL REQUEST",
            fixed(IR, 0x10, 0x03),
            C::Read,
            fail_sense(Reason::ProtectionError, IR, 0x10, 3),
        ),
        // ---- MEDIUM ERROR ----
        cc(
            "11/00 with LBA, fixed",
            fixed_info(ME, 0x11, 0x00, 0x1234),
            C::Read,
            fail_lba(Reason::MediumError, ME, 0x11, 0, 0x1234),
        ),
        cc(
            "11/04 with 64-bit LBA, descriptor",
            desc_info(ME, 0x11, 0x04, 0x1_0000_0000),
            C::Read,
            fail_lba(Reason::MediumError, ME, 0x11, 4, 0x1_0000_0000),
        ),
        cc(
            "11/00 VALID clear: no LBA",
            fixed(ME, 0x11, 0x00),
            C::Read,
            fail_sense(Reason::MediumError, ME, 0x11, 0),
        ),
        cc(
            "13/00 fails fast",
            fixed(ME, 0x13, 0x00),
            C::Read,
            fail_sense(Reason::MediumError, ME, 0x13, 0),
        ),
        cc(
            "14/01 fails fast",
            fixed(ME, 0x14, 0x01),
            C::Read,
            fail_sense(Reason::MediumError, ME, 0x14, 1),
        ),
        cc(
            "0C/00 write error retried",
            fixed(ME, 0x0c, 0x00),
            C::Write,
            retry(0, Budget::Immediate),
        ),
        cc(
            "0C/00 write error, budget spent",
            fixed_info(ME, 0x0c, 0x00, 77),
            C::Write,
            fail_lba(Reason::MediumError, ME, 0x0c, 0, 77),
        )
        .used(Budget::Immediate, 5),
        cc(
            "10/01 guard check, MEDIUM ERROR",
            fixed(ME, 0x10, 0x01),
            C::Read,
            fail_sense(Reason::ProtectionError, ME, 0x10, 1),
        ),
        // ---- HARDWARE ERROR: quirk pairs ----
        cc(
            "44/00 without RETRY_HWERROR",
            fixed(HE, 0x44, 0x00),
            C::Read,
            fail_sense(Reason::HardwareError, HE, 0x44, 0),
        ),
        cc("44/00 with RETRY_HWERROR", fixed(HE, 0x44, 0x00), C::Read, retry(0, Budget::Immediate))
            .quirk(hw),
        cc(
            "44/00 with RETRY_HWERROR, budget spent",
            desc(HE, 0x44, 0x00),
            C::Read,
            fail_sense(Reason::HardwareError, HE, 0x44, 0),
        )
        .quirk(hw)
        .used(Budget::Immediate, 5),
        // ---- ABORTED COMMAND ----
        cc("47/00 parity: retry", fixed(AC, 0x47, 0x00), C::Read, retry(0, Budget::Aborted)),
        cc(
            "4E/00 overlapped, descriptor: retry",
            desc(AC, 0x4e, 0x00),
            C::Inquiry,
            retry(0, Budget::Aborted),
        ),
        cc(
            "ABORTED budget spent",
            fixed(AC, 0x47, 0x00),
            C::Read,
            fail_sense(Reason::AbortedCommand, AC, 0x47, 0),
        )
        .used(Budget::Aborted, 5),
        cc(
            "10/01 guard check, ABORTED",
            fixed(AC, 0x10, 0x01),
            C::Read,
            fail_sense(Reason::ProtectionError, AC, 0x10, 1),
        ),
        cc(
            "2E/02 CDL: no retry",
            fixed(AC, 0x2e, 0x02),
            C::Read,
            fail_sense(Reason::AbortedCommand, AC, 0x2e, 2),
        ),
        // ---- other sense keys ----
        cc(
            "MISCOMPARE on VERIFY",
            fixed(0xe, 0x1d, 0x00),
            C::Verify,
            fail_sense(Reason::CheckCondition, 0xe, 0x1d, 0),
        ),
        cc(
            "BLANK CHECK",
            fixed(0x8, 0x00, 0x05),
            C::Read,
            fail_sense(Reason::CheckCondition, 8, 0, 5),
        ),
        cc(
            "VENDOR SPECIFIC key",
            desc(0x9, 0x80, 0x01),
            C::Read,
            fail_sense(Reason::CheckCondition, 9, 0x80, 1),
        ),
        cc(
            "COPY ABORTED key",
            fixed(0xa, 0x00, 0x00),
            C::Other,
            fail_sense(Reason::CheckCondition, 0xa, 0, 0),
        ),
        cc(
            "reserved key 0Ch",
            fixed(0xc, 0x00, 0x00),
            C::Read,
            fail_sense(Reason::CheckCondition, 0xc, 0, 0),
        ),
        cc(
            "VOLUME OVERFLOW key",
            fixed(0xd, 0x00, 0x02),
            C::Write,
            fail_sense(Reason::CheckCondition, 0xd, 0, 2),
        ),
        // ---- statuses ----
        status("BUSY", TaskStatus::BUSY, retry(100, Budget::Busy)),
        status("BUSY backs off", TaskStatus::BUSY, retry(800, Budget::Busy)).used(Budget::Busy, 3),
        status("BUSY capped at 1 s", TaskStatus::BUSY, retry(1000, Budget::Busy))
            .used(Budget::Busy, 9),
        status("BUSY budget spent", TaskStatus::BUSY, fail(Reason::Busy(TaskStatus::BUSY)))
            .used(Budget::Busy, 10),
        status("TASK SET FULL", TaskStatus::TASK_SET_FULL, retry(200, Budget::Busy))
            .used(Budget::Busy, 1),
        status("ACA ACTIVE", TaskStatus::ACA_ACTIVE, retry(100, Budget::Busy)),
        status(
            "RESERVATION CONFLICT",
            TaskStatus::RESERVATION_CONFLICT,
            fail(Reason::ReservationConflict),
        ),
        status("TASK ABORTED", TaskStatus::TASK_ABORTED, retry(0, Budget::Aborted)),
        status("TASK ABORTED budget spent", TaskStatus::TASK_ABORTED, fail(Reason::TaskAborted))
            .used(Budget::Aborted, 5),
        status(
            "COMMAND TERMINATED (obsolete)",
            TaskStatus(0x22),
            fail(Reason::Status(TaskStatus(0x22))),
        ),
        status("reserved status", TaskStatus(0x7e), fail(Reason::Status(TaskStatus(0x7e)))),
        // ---- transport ----
        delivery("task timeout", 0x01, retry(0, Budget::Transport)),
        delivery("protocol timeout", 0x02, retry(0, Budget::Transport)),
        delivery("device not responding", 0x03, retry(0, Budget::Transport)),
        delivery("delivery failure", 0x05, retry(0, Budget::Transport)),
        delivery("no status", 0xff, retry(0, Budget::Transport)),
        delivery("unknown delivery failure", 0x77, retry(0, Budget::Transport)),
        delivery(
            "timeout budget spent",
            0x01,
            fail(Reason::Transport(DeliveryFailure::TASK_TIMEOUT_OCCURRED)),
        )
        .used(Budget::Transport, 2),
        delivery("device not present: gone at once", 0x04, fail(Reason::DeviceGone)),
        delivery(
            "REQUEST IN PROCESS is not final",
            0x00,
            fail(Reason::ServiceResponse(ServiceResponse::REQUEST_IN_PROCESS)),
        )
        .response(ServiceResponse::REQUEST_IN_PROCESS),
        delivery(
            "FUNCTION COMPLETE is not a command's",
            0x00,
            fail(Reason::ServiceResponse(ServiceResponse::FUNCTION_COMPLETE)),
        )
        .response(ServiceResponse::FUNCTION_COMPLETE),
        delivery(
            "unknown service response",
            0x00,
            fail(Reason::ServiceResponse(ServiceResponse(9))),
        )
        .response(ServiceResponse(9)),
    ]
}

#[test]
fn table_driven_cases() {
    let mut failures = Vec::new();
    let all = cases();
    for case in &all {
        let got = run(case);
        if got != case.expect {
            failures.push(format!("{}: expected {:?}, got {:?}", case.name, case.expect, got));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// Every action kind, every failure reason, every budget and every change appears in some row
/// of the table above, so a new variant without a case fails here.
#[test]
fn cases_cover_every_action_kind() {
    let all = cases();
    let actions: Vec<Action> = all.iter().map(|c| c.expect).collect();
    let has = |f: &dyn Fn(&Action) -> bool| actions.iter().any(f);
    assert!(has(&|a| *a == Action::Success));
    assert!(has(&|a| matches!(a, Action::Recovered(_))));
    assert!(has(&|a| *a == Action::StartUnit));
    for b in Budget::ALL {
        if b == Budget::StartUnit {
            continue; // StartUnit is its own action
        }
        assert!(has(&|a| matches!(a, Action::Retry { budget, .. } if *budget == b)), "{b:?}");
    }
    for ch in [
        Change::MediumChanged,
        Change::CapacityChanged,
        Change::ModeParametersChanged,
        Change::InquiryDataChanged,
        Change::LunsChanged,
    ] {
        assert!(has(&|a| *a == Action::Reprobe(ch)), "{ch:?}");
    }
    let reasons = [
        Reason::NotReady,
        Reason::NoMedium,
        Reason::WriteProtected,
        Reason::SpaceAllocationFailed,
        Reason::DataProtect,
        Reason::InvalidOpcode,
        Reason::InvalidField,
        Reason::LbaOutOfRange,
        Reason::LogicalUnitNotSupported,
        Reason::IllegalRequest,
        Reason::MediumError,
        Reason::HardwareError,
        Reason::ProtectionError,
        Reason::AbortedCommand,
        Reason::UnitAttention,
        Reason::DeferredError,
        Reason::CheckCondition,
        Reason::NoSense,
        Reason::Busy(TaskStatus::BUSY),
        Reason::TaskAborted,
        Reason::ReservationConflict,
        Reason::Status(TaskStatus(0x22)),
        Reason::Transport(DeliveryFailure::TASK_TIMEOUT_OCCURRED),
        Reason::DeviceGone,
        Reason::ServiceResponse(ServiceResponse::REQUEST_IN_PROCESS),
    ];
    for r in reasons {
        let same = |x: &Reason| core::mem::discriminant(x) == core::mem::discriminant(&r);
        assert!(has(&|a| matches!(a, Action::Fail(f) if same(&f.reason))), "{r:?}");
    }
    // Both formats and both deferred codes are exercised.
    for code in [0x70u8, 0x71, 0x72, 0x73] {
        assert!(all.iter().any(|c| c.sense.first().map(|b| b & 0x7f) == Some(code)), "{code:#x}");
    }
}

#[test]
fn failure_lba_only_for_block_failures() {
    let f = Failure { reason: Reason::MediumError, sense: None, information: Some(9) };
    assert_eq!(f.lba(), Some(9));
    let f = Failure { reason: Reason::UnitAttention, sense: None, information: Some(9) };
    assert_eq!(f.lba(), None);
}

#[test]
fn command_classification() {
    use CommandKind as C;
    let rows: &[(&[u8], CommandKind)] = &[
        (&[0x00, 0, 0, 0, 0, 0], C::TestUnitReady),
        (&[0x03, 0, 0, 0, 18, 0], C::RequestSense),
        (&[0x12, 1, 0x80, 0, 0xff, 0], C::Inquiry),
        (&[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], C::ReadCapacity10),
        (&[0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0], C::ReadCapacity16),
        (&[0x9e, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0], C::Other), // GET LBA STATUS
        (&[0x9e], C::Other),
        (&[0x1a, 0, 0x3f, 0, 192, 0], C::ModeSense6),
        (&[0x5a, 0, 0x08, 0, 0, 0, 0, 0, 0xff, 0], C::ModeSense10),
        (&[0x15, 0x10, 0, 0, 12, 0], C::ModeSelect),
        (&[0x55, 0x10, 0, 0, 0, 0, 0, 0, 12, 0], C::ModeSelect),
        (&[0x08, 0, 0, 0, 1, 0], C::Read),
        (&[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0], C::Read),
        (&[0xa8], C::Read),
        (&[0x88], C::Read),
        (&[0x2a], C::Write),
        (&[0x8a], C::Write),
        (&[0x2e], C::Write),
        (&[0x2f], C::Verify),
        (&[0x8f], C::Verify),
        (&[0x35], C::SynchronizeCache),
        (&[0x91], C::SynchronizeCache),
        (&[0x1b, 1, 0, 0, 1, 0], C::StartStopUnit),
        (&[0xa0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0], C::ReportLuns),
        (&[0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0], C::ReportSupportedOperationCodes),
        (&[0xa3, 0x0a, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0], C::Other), // REPORT TARGET PORT GROUPS
        (&[0x4d, 0, 0x2f, 0, 0, 0, 0, 0, 0xff, 0], C::LogSense),
        (&[0xa1, 0x08, 0x0e, 0, 1, 0, 0, 0, 0, 0xec, 0, 0], C::AtaPassThrough),
        (&[0x85, 0x08, 0x0e], C::AtaPassThrough),
        (&[0x42], C::Unmap),
        (&[0x41], C::WriteSame),
        (&[0x93], C::WriteSame),
        (&[0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x00, 0x09], C::Read),
        (&[0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x00, 0x0b], C::Write),
        (&[0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x00, 0x0a], C::Verify),
        (&[0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x00, 0x0d], C::WriteSame),
        (&[0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x1f, 0xf0], C::AtaPassThrough),
        (&[0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x00], C::Other),
        (&[], C::Other),
        (&[0xc0], C::Other),
    ];
    for (cdb, want) in rows {
        assert_eq!(CommandKind::classify(cdb), *want, "{cdb:02x?}");
    }
}

// ---- property-ish: totality and budgets ----

const RESPONSES: [u32; 7] = [0, 1, 2, 3, 4, 5, 9];
const STATUSES: [u32; 14] =
    [0x00, 0x02, 0x04, 0x08, 0x10, 0x14, 0x18, 0x22, 0x28, 0x30, 0x40, 0x01, 0x05, 0xff];
const COMMANDS: [&[u8]; 12] = [
    &[0x00],
    &[0x12],
    &[0x25],
    &[0x9e, 0x10],
    &[0x1a],
    &[0x5a],
    &[0x28],
    &[0x2a],
    &[0x1b],
    &[0xa0],
    &[0x85],
    &[0x42],
];

/// ASC/ASCQ pairs the table names, so random sense hits its rows as well as its defaults.
const KNOWN: [(u8, u8); 12] = [
    (0x04, 0x00),
    (0x04, 0x01),
    (0x04, 0x02),
    (0x04, 0x03),
    (0x28, 0x00),
    (0x29, 0x00),
    (0x2a, 0x09),
    (0x3f, 0x0e),
    (0x3a, 0x00),
    (0x11, 0x00),
    (0x20, 0x00),
    (0x00, 0x1d),
];

fn code(rng: &mut Rng) -> (u8, u8) {
    if rng.chance(2) {
        KNOWN[rng.below(KNOWN.len() as u64) as usize]
    } else {
        (rng.byte() % 0x60, rng.byte() % 0x30)
    }
}

fn random_sense(rng: &mut Rng) -> Vec<u8> {
    match rng.below(6) {
        0 => Vec::new(),
        1 => (0..rng.below(40)).map(|_| rng.byte()).collect(), // garbage
        2 | 3 => {
            let (asc, ascq) = code(rng);
            let mut s = fixed(rng.byte() & 0x0f, asc, ascq);
            if rng.chance(4) {
                s[0] = 0x71;
            }
            if rng.chance(3) {
                s[0] |= 0x80;
                s[3] = rng.byte();
            }
            let n = rng.below(19) as usize;
            if rng.chance(5) {
                s.truncate(n);
            }
            s
        }
        _ => {
            let (asc, ascq) = code(rng);
            let mut s = desc_info(rng.byte() & 0x0f, asc, ascq, rng.next_u64());
            if rng.chance(4) {
                s[0] = 0x73;
            }
            if rng.chance(5) {
                let n = rng.below(20) as usize;
                s.truncate(n);
            }
            s
        }
    }
}

fn random_input(rng: &mut Rng) -> (u32, u32, Vec<u8>, CommandKind, RetryCounts, Quirks) {
    let response = if rng.chance(2) {
        ServiceResponse::TASK_COMPLETE.0
    } else {
        RESPONSES[rng.below(RESPONSES.len() as u64) as usize]
    };
    let status = if rng.chance(2) {
        TaskStatus::CHECK_CONDITION.0
    } else if rng.chance(8) {
        rng.next_u64() as u32
    } else {
        STATUSES[rng.below(STATUSES.len() as u64) as usize]
    };
    let sense = random_sense(rng);
    let command = CommandKind::classify(COMMANDS[rng.below(COMMANDS.len() as u64) as usize]);
    let mut retries = RetryCounts::new();
    for b in Budget::ALL {
        let used = if rng.chance(2) { 0 } else { rng.below(21) as u32 };
        retries = retries.with(b, used);
    }
    let quirks = Quirks::from_bits_truncate(rng.next_u64() as u32);
    (response, status, sense, command, retries, quirks)
}

fn within_budget(action: Action, retries: &RetryCounts) -> bool {
    match action.budget() {
        Some(b) => retries.used(b) < b.limit(),
        None => true,
    }
}

#[test]
fn random_inputs_never_panic_and_never_retry_past_a_budget() {
    let mut rng = Rng::new(0x5ca1_ab1e);
    let mut kinds = [0usize; 6];
    for _ in 0..200_000 {
        let (response, status, sense_bytes, command, retries, quirks) = random_input(&mut rng);
        let parsed = sense::parse(&sense_bytes);
        let input = Input {
            outcome: TaskOutcome::from_wire(ServiceResponse(response), status),
            realized_valid: true,
            sense: policy::usable_sense(&parsed),
            command,
            retries,
            quirks,
        };
        let action = decide(&input);
        assert!(within_budget(action, &retries), "{action:?} past its budget for {input:?}");
        if let Action::Retry { after_ms, budget } = action {
            assert!(after_ms <= 1_000, "{after_ms} ms for {budget:?}");
        }
        kinds[match action {
            Action::Success => 0,
            Action::Recovered(_) => 1,
            Action::Retry { .. } => 2,
            Action::StartUnit => 3,
            Action::Reprobe(_) => 4,
            Action::Fail(_) => 5,
        }] += 1;
    }
    assert!(kinds.iter().all(|&n| n > 0), "some action kind never drawn: {kinds:?}");
}

/// A device that gives the same answer forever: charging each action to the counts must end
/// in a non-retry action within the sum of all limits.
#[test]
fn repeating_device_always_terminates() {
    let bound: u32 = Budget::ALL.iter().map(|b| b.limit()).sum::<u32>() + 1;
    let mut rng = Rng::new(0xdec1de);
    for _ in 0..5_000 {
        let (response, status, sense_bytes, command, _, quirks) = random_input(&mut rng);
        let parsed = sense::parse(&sense_bytes);
        let mut retries = RetryCounts::new();
        let mut steps = 0;
        loop {
            let input = Input {
                outcome: TaskOutcome::from_wire(ServiceResponse(response), status),
                realized_valid: true,
                sense: policy::usable_sense(&parsed),
                command,
                retries,
                quirks,
            };
            let action = decide(&input);
            if action.budget().is_none() {
                break;
            }
            retries.charge(action);
            steps += 1;
            assert!(steps <= bound, "no end after {steps} steps: {input:?}");
        }
    }
}

// ---- decide_final, was_executed, the realized count ----

/// `decide_final` is `decide` with every budget spent, for every input: the same answer as
/// charging the same completion until no retry is left, and never a retry of any kind.
#[test]
fn decide_final_is_decide_with_every_budget_spent() {
    let bound: u32 = Budget::ALL.iter().map(|b| b.limit()).sum::<u32>() + 1;
    let mut rng = Rng::new(0xf1a1);
    for _ in 0..20_000 {
        let (response, status, sense_bytes, command, retries, quirks) = random_input(&mut rng);
        let parsed = sense::parse(&sense_bytes);
        let mut input = Input {
            outcome: TaskOutcome::from_wire(ServiceResponse(response), status),
            realized_valid: rng.chance(8),
            sense: policy::usable_sense(&parsed),
            command,
            retries,
            quirks,
        };
        let last = decide_final(&input);
        assert!(last.budget().is_none(), "{last:?} from decide_final for {input:?}");
        let mut steps = 0;
        let settled = loop {
            let action = decide(&input);
            if action.budget().is_none() {
                break action;
            }
            input.retries.charge(action);
            steps += 1;
            assert!(steps <= bound);
        };
        // Charging may end in success (a retry that was only ever a retry) only where the
        // final answer is the exhausted failure of the same rule: both are non-retries, and
        // for the same input they agree once every budget is spent.
        let exhausted = Input { retries: RetryCounts::all(u32::MAX), ..input };
        assert_eq!(decide(&exhausted), last, "{input:?}");
        assert_eq!(decide_final(&input), last, "final answer changed with retries: {input:?}");
        assert!(settled.budget().is_none());
    }
}

#[test]
fn decide_final_examples() {
    let timeout = TaskOutcome::DeliveryFailure(DeliveryFailure::TASK_TIMEOUT_OCCURRED);
    let input = Input::new(timeout, None, CommandKind::Inquiry);
    assert!(matches!(decide(&input), Action::Retry { budget: Budget::Transport, .. }));
    assert_eq!(
        decide_final(&input),
        Action::Fail(Failure::new(Reason::Transport(DeliveryFailure::TASK_TIMEOUT_OCCURRED)))
    );
    // 04/02 asks for START; with no retry left it is NOT READY.
    let bytes = fixed(0x02, 0x04, 0x02);
    let parsed = sense::parse(&bytes);
    let check = TaskOutcome::Complete(TaskStatus::CHECK_CONDITION);
    let input = Input::new(check, policy::usable_sense(&parsed), CommandKind::TestUnitReady);
    assert_eq!(decide(&input), Action::StartUnit);
    assert_eq!(decide_final(&input), fail_sense(Reason::NotReady, 0x02, 0x04, 0x02));
    // Success stays success.
    let good = Input::new(TaskOutcome::GOOD, None, CommandKind::Inquiry);
    assert_eq!(decide_final(&good), Action::Success);
}

#[test]
fn was_executed_reads_status_and_sense() {
    let check = TaskOutcome::Complete(TaskStatus::CHECK_CONDITION);
    let executed = |outcome, bytes: &[u8]| {
        let parsed = sense::parse(bytes);
        was_executed(&Input::new(
            outcome,
            policy::usable_sense(&parsed),
            CommandKind::StartStopUnit,
        ))
    };
    assert!(executed(TaskOutcome::GOOD, &[]));
    assert!(executed(TaskOutcome::Complete(TaskStatus::CONDITION_MET), &[]));
    assert!(executed(check, &fixed(0x02, 0x04, 0x03)));
    assert!(executed(check, &fixed(0x05, 0x24, 0x00)));
    assert!(!executed(check, &fixed(0x06, 0x29, 0x00)), "UNIT ATTENTION: not processed");
    assert!(!executed(check, &[]), "no sense: cannot tell");
    let mut deferred = fixed(0x03, 0x11, 0x00);
    deferred[0] = 0x71;
    assert!(!executed(check, &deferred), "deferred sense is about an earlier command");
    for status in [TaskStatus::BUSY, TaskStatus::TASK_SET_FULL, TaskStatus::TASK_ABORTED] {
        assert!(!executed(TaskOutcome::Complete(status), &fixed(0x02, 0x04, 0x03)));
    }
    let timeout = TaskOutcome::DeliveryFailure(DeliveryFailure::TASK_TIMEOUT_OCCURRED);
    assert!(!executed(timeout, &fixed(0x02, 0x04, 0x03)), "no answer");
    // A realized count that contradicts the command: the completion cannot be trusted.
    let input = Input {
        realized_valid: false,
        ..Input::new(TaskOutcome::GOOD, None, CommandKind::Inquiry)
    };
    assert!(!was_executed(&input));
}

/// A TASK COMPLETE whose realized count contradicts the command is a transport failure,
/// whatever its status: retried within the transport budget, then RealizedInvalid.
#[test]
fn contradicted_realized_count_is_a_transport_failure() {
    for status in [TaskStatus::GOOD, TaskStatus::CHECK_CONDITION, TaskStatus::BUSY] {
        let mut input = Input::new(TaskOutcome::Complete(status), None, CommandKind::Inquiry);
        input.realized_valid = false;
        assert_eq!(decide(&input), Action::Retry { after_ms: 0, budget: Budget::Transport });
        input.retries = input.retries.with(Budget::Transport, Budget::Transport.limit());
        assert_eq!(decide(&input), Action::Fail(Failure::new(Reason::RealizedInvalid)));
        assert!(Reason::RealizedInvalid.is_transport());
    }
    // A delivery failure is judged as one, whatever the count.
    let gone = TaskOutcome::DeliveryFailure(DeliveryFailure::DEVICE_NOT_PRESENT);
    let input = Input { realized_valid: false, ..Input::new(gone, None, CommandKind::Inquiry) };
    assert_eq!(decide(&input), Action::Fail(Failure::new(Reason::DeviceGone)));
}

/// A sense key byte with reserved high bits set acts as its four bits: the code is masked
/// once, when made, and the policy reads only the code.
#[test]
fn sense_key_high_bits_do_not_change_the_decision() {
    let check = TaskOutcome::Complete(TaskStatus::CHECK_CONDITION);
    let decide_bytes = |bytes: &[u8]| {
        let parsed = sense::parse(bytes);
        decide(&Input::new(check, policy::usable_sense(&parsed), CommandKind::TestUnitReady))
    };
    for key in 0..=0x0fu8 {
        let mut bytes = fixed(key, 0x04, 0x01);
        let plain = decide_bytes(&bytes);
        bytes[2] |= 0x10; // ILI is bit 5; bit 4 is reserved.
        assert_eq!(decide_bytes(&bytes), plain, "sense key {key:#x}");
    }
}

// ---- docs/policy.md is generated from the table ----

fn key_name(k: SenseKey) -> String {
    match k.name() {
        Some(n) => n.to_string(),
        None => format!("reserved ({:X}h)", k.0),
    }
}

fn ascq_range(first: u8, last: u8) -> String {
    match (first, last) {
        (0x00, 0xff) => "xx".to_string(),
        (a, b) if a == b => format!("{a:02X}"),
        (a, b) => format!("{a:02X}..{b:02X}"),
    }
}

/// A table cell: `|` would end the cell in Markdown.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn render_tables() -> String {
    let mut s = String::new();
    s.push_str("| Sense key | ASC/ASCQ | Action | Linux | FreeBSD | Why ours |\n");
    s.push_str("|---|---|---|---|---|---|\n");
    for r in SENSE_RULES.iter() {
        s.push_str(&format!(
            "| {} | {:02X}/{} | {} | {} | {} | {} |\n",
            key_name(r.sense_key),
            r.asc,
            ascq_range(r.ascq_first, r.ascq_last),
            r.rule,
            cell(r.linux),
            cell(r.freebsd),
            cell(r.why)
        ));
    }
    s.push_str("\nPer-sense-key defaults (no row above matches):\n\n");
    s.push_str("| Sense key | Action | Linux | FreeBSD | Why ours |\n");
    s.push_str("|---|---|---|---|---|\n");
    for d in SENSE_KEY_DEFAULTS.iter() {
        s.push_str(&format!(
            "| {:X}h {} | {} | {} | {} | {} |\n",
            d.sense_key.0,
            key_name(d.sense_key),
            d.rule,
            cell(d.linux),
            cell(d.freebsd),
            cell(d.why)
        ));
    }
    s
}

const BEGIN: &str = "<!-- BEGIN GENERATED: core/tests/policy.rs render_tables -->\n";
const END: &str = "<!-- END GENERATED -->";

/// `docs/policy.md` holds the table rows exactly; `UPDATE_POLICY_DOC=1` rewrites them.
#[test]
fn docs_policy_md_matches_the_table() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/policy.md");
    let doc = std::fs::read_to_string(&path).expect("docs/policy.md");
    let start = doc.find(BEGIN).expect("BEGIN marker") + BEGIN.len();
    let end = doc.find(END).expect("END marker");
    let want = render_tables();
    if std::env::var_os("UPDATE_POLICY_DOC").is_some() {
        let new = format!("{}{}{}", &doc[..start], want, &doc[end..]);
        std::fs::write(&path, new).expect("write docs/policy.md");
        return;
    }
    assert_eq!(&doc[start..end], want, "docs/policy.md is stale: run with UPDATE_POLICY_DOC=1");
}
