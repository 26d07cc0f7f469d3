#![no_main]
//! The characterization engine, statefully: the input is a script of completions (service
//! response, status, sense, data, realized count, time jumps) fed to whatever the engine
//! asks for. Whatever the device says, the engine must
//!
//! - emit only CDBs that pass `is_non_destructive`, each counted once, or (when the quirks
//!   name an NVMe bridge) a tunnel command that passes `is_read_only_tunnel`, its data-out
//!   included, and only such a command marked exclusive;
//! - reach `Done` within both budgets: no command after the command budget, no command or
//!   wait past the time budget, and within the drive loop's poll bound;
//! - ignore late completions and repeat its verdict after `Done`;
//! - never panic.
//!
//! When the script runs out, every command gets GOOD with zeroed data, so the run always
//! gets to its end.

use libfuzzer_sys::fuzz_target;
use sbc_core::attach::{
    drive, is_non_destructive, is_read_only_tunnel, Completion, Config, Engine, Executed, Host,
    Poll, Request, UsbId, MAX_TRANSFER_LENGTH, USB_ID_TABLE,
};
use sbc_core::quirks::Quirks;
use sbc_core::time::{Duration, Instant};
use sbc_core::wire::cdb::nvme_bridge::NvmeBridge;
use sbc_core::wire::cdb::DataDirection;
use sbc_core::wire::status::{ServiceResponse, TaskOutcome};

/// A byte reader that yields zeros once the input is spent.
struct Script<'a> {
    bytes: &'a [u8],
}

impl<'a> Script<'a> {
    fn u8(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.bytes.len());
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        head
    }
    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Statuses worth choosing among: GOOD, CHECK CONDITION, BUSY, RESERVATION CONFLICT,
/// TASK SET FULL, ACA ACTIVE, TASK ABORTED, and one unknown.
const STATUSES: [u32; 8] = [0x00, 0x02, 0x08, 0x18, 0x28, 0x30, 0x40, 0x7E];

/// The script as the device, checking the engine's promises on every command.
struct Fuzzed<'a> {
    script: Script<'a>,
    config: Config,
    deadline: Instant,
    now: Instant,
    sent: u32,
}

impl Host for Fuzzed<'_> {
    fn now(&mut self) -> Instant {
        self.now
    }

    fn execute(&mut self, req: &Request, data: &mut [u8], sense: &mut [u8]) -> Executed {
        assert!(self.now < self.deadline, "command past the time budget");
        let cdb = req.command.cdb.as_bytes();
        let data_out: &[u8] = match req.command.direction {
            DataDirection::Out => data,
            _ => &[],
        };
        if req.exclusive {
            let bridges = [NvmeBridge::Jmicron, NvmeBridge::Asmedia, NvmeBridge::Realtek];
            let tunnel = bridges.into_iter().any(|b| is_read_only_tunnel(b, cdb, data_out));
            assert!(tunnel, "exclusive command outside the tunnel rule {cdb:02x?}");
        } else {
            assert!(is_non_destructive(cdb), "destructive CDB {cdb:02x?}");
            assert!(data_out.is_empty(), "data-out outside a tunnel {cdb:02x?}");
        }
        assert!(req.command.transfer_length <= MAX_TRANSFER_LENGTH as u64);
        let longest = self.config.command_timeout.max(Duration::from_millis(1));
        assert!(req.timeout > Duration::ZERO && req.timeout <= longest);
        assert_eq!(sense.len(), usize::from(req.sense_length));
        self.sent += 1;
        assert!(self.sent <= u32::from(self.config.command_budget), "command budget broken");
        let s = &mut self.script;
        let alloc = data.len();
        let executed = if s.is_empty() {
            Executed { outcome: TaskOutcome::GOOD, realized: alloc as u64, sense_length: 0 }
        } else {
            let op = s.u8();
            let task_status = if op & 0x08 != 0 {
                u32::from(s.u8())
            } else {
                STATUSES[usize::from(op >> 4 & 0x07)]
            };
            let outcome =
                TaskOutcome::from_wire(ServiceResponse(u32::from(op & 0x07)), task_status);
            let fill = s.take(alloc);
            data[..fill.len()].copy_from_slice(fill);
            let realized = match s.u8() {
                0..=199 => fill.len() as u64,
                200..=239 => alloc as u64,
                240..=247 => u64::from(s.u16()),
                _ => (alloc as u64).saturating_add(1),
            };
            let sense_length = match s.u8() {
                0..=63 => 0,
                64..=191 => {
                    // Well-formed fixed sense with chosen key/ASC/ASCQ, cut to the buffer.
                    let mut fixed = [0u8; 18];
                    fixed[0] = 0x70 | (s.u8() & 0x01);
                    fixed[2] = s.u8() & 0x0F;
                    fixed[7] = 10;
                    fixed[12] = s.u8();
                    fixed[13] = s.u8();
                    let n = fixed.len().min(sense.len());
                    sense[..n].copy_from_slice(&fixed[..n]);
                    n
                }
                _ => {
                    let raw = s.take(sense.len());
                    sense[..raw.len()].copy_from_slice(raw);
                    raw.len()
                }
            };
            Executed { outcome, realized, sense_length }
        };
        self.now = self.now + Duration::from_millis(u64::from(self.script.u16() >> 4));
        executed
    }

    fn wait_until(&mut self, until: Instant) {
        assert!(until > self.now, "a wait that does not wait");
        assert!(until <= self.deadline, "a wait past the time budget");
        // Sometimes wake late (the caller's sleep overslept).
        self.now = until + Duration::from_millis(u64::from(self.script.u8()));
    }
}

fuzz_target!(|input: &[u8]| {
    let mut script = Script { bytes: input };
    let config = Config {
        quirks_on: Quirks::from_bits_truncate(script.u32()),
        quirks_off: Quirks::from_bits_truncate(script.u32()),
        time_budget: Duration::from_millis(u64::from(script.u16()) * 4),
        command_budget: u16::from(script.u8()),
        command_timeout: Duration::from_millis(u64::from(script.u16())),
        usb: script.u8() & 1 == 1,
        // One of the table's bridges, or an ID it does not list, or none.
        usb_id: match script.u8() % 5 {
            0 => None,
            n => Some(
                USB_ID_TABLE
                    .get(usize::from(n - 1))
                    .map_or(UsbId { vendor: script.u16(), product: script.u16() }, |r| r.id),
            ),
        },
    };
    let begin = Instant::from_millis(u64::from(script.u32()));
    let deadline = begin + config.time_budget;
    let mut engine = Engine::begin(config, begin);
    let mut host = Fuzzed { script, config, deadline, now: begin, sent: 0 };
    let mut data = [0u8; MAX_TRANSFER_LENGTH];
    let verdict = drive(&mut engine, &mut host, &mut data).expect("the engine ends");
    assert_eq!(engine.report().verdict, Some(verdict));
    assert_eq!(u32::from(engine.report().commands_sent), host.sent);
    assert_eq!(engine.poll(host.now + Duration::from_secs(1)), Poll::Done(verdict));
    let late = Completion { outcome: TaskOutcome::GOOD, realized: 0, data: &[], sense: &[] };
    assert_eq!(format!("{:?}", engine.complete(&late, host.now)), "Ignored");
    let mut text = String::new();
    use std::fmt::Write;
    let _ = write!(text, "{verdict} {:?}", engine.report());
});
