#![no_main]
//! The characterization engine, statefully: the input is a script of completions (service
//! response, status, sense, data, realized count, time jumps) fed to whatever the engine
//! asks for. Whatever the device says, the engine must
//!
//! - emit only CDBs that pass `is_non_destructive`, each counted once;
//! - reach `Done` within both budgets: no command after the command budget, no command or
//!   wait past the time budget, and a bounded number of polls;
//! - ignore late completions and repeat its verdict after `Done`;
//! - never panic.
//!
//! When the script runs out, every command gets GOOD with zeroed data, so the run always
//! gets to its end.

use libfuzzer_sys::fuzz_target;
use sbc_core::attach::{is_non_destructive, Completion, Config, Engine, Poll};
use sbc_core::quirks::Quirks;
use sbc_core::time::{Duration, Instant};
use sbc_core::wire::status::ServiceResponse;

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

fuzz_target!(|input: &[u8]| {
    let mut s = Script { bytes: input };
    let config = Config {
        quirks_on: Quirks::from_bits_truncate(s.u32()),
        quirks_off: Quirks::from_bits_truncate(s.u32()),
        time_budget: Duration::from_millis(u64::from(s.u16()) * 4),
        command_budget: u16::from(s.u8()),
        command_timeout: Duration::from_millis(u64::from(s.u16())),
        usb: s.u8() & 1 == 1,
    };
    let begin = Instant::from_millis(u64::from(s.u32()));
    let deadline = begin + config.time_budget;
    let mut now = begin;
    let mut engine = Engine::begin(config, now);
    let mut sent: u32 = 0;
    let mut data = vec![0u8; 0];
    let mut sense = [0u8; 32];
    // Each command or wait is one poll; 4 polls per allowed command is far above need.
    let max_polls = 4 * u32::from(config.command_budget) + 16;
    for _ in 0..=max_polls {
        match engine.poll(now) {
            Poll::Command(req) => {
                assert!(now < deadline, "command past the time budget");
                let cdb = req.command.cdb.as_bytes();
                assert!(is_non_destructive(cdb), "destructive CDB {cdb:02x?}");
                assert!(req.command.transfer_length <= 65_536);
                assert!(
                    req.timeout > Duration::ZERO
                        && req.timeout <= config.command_timeout.max(Duration::from_millis(1))
                );
                sent += 1;
                assert!(sent <= u32::from(config.command_budget), "command budget broken");
                assert_eq!(u32::from(engine.report().commands_sent), sent);
                let alloc = req.command.transfer_length as usize;
                data.clear();
                data.resize(alloc, 0);
                let (service_response, task_status, realized, sense_len);
                if s.is_empty() {
                    service_response = ServiceResponse::TASK_COMPLETE;
                    task_status = 0;
                    realized = alloc as u64;
                    sense_len = 0;
                } else {
                    let op = s.u8();
                    service_response = ServiceResponse(u32::from(op & 0x07));
                    task_status = if op & 0x08 != 0 {
                        u32::from(s.u8())
                    } else {
                        STATUSES[usize::from(op >> 4 & 0x07)]
                    };
                    let fill = s.take(alloc);
                    data[..fill.len()].copy_from_slice(fill);
                    realized = match s.u8() {
                        0..=199 => fill.len() as u64,
                        200..=239 => alloc as u64,
                        240..=247 => u64::from(s.u16()),
                        _ => (alloc as u64).saturating_add(1),
                    };
                    sense_len = match s.u8() {
                        0..=63 => 0,
                        64..=191 => {
                            // Well-formed fixed sense with chosen key/ASC/ASCQ.
                            sense = [0; 32];
                            sense[0] = 0x70 | (s.u8() & 0x01);
                            sense[2] = s.u8() & 0x0F;
                            sense[7] = 10;
                            sense[12] = s.u8();
                            sense[13] = s.u8();
                            18
                        }
                        _ => {
                            let raw = s.take(usize::from(req.sense_length));
                            sense[..raw.len()].copy_from_slice(raw);
                            raw.len()
                        }
                    };
                }
                now = now + Duration::from_millis(u64::from(s.u16() >> 4));
                let _action = engine.complete(
                    &Completion {
                        service_response,
                        task_status,
                        realized,
                        data: &data,
                        sense: &sense[..sense_len],
                    },
                    now,
                );
            }
            Poll::Wait { until } => {
                assert!(until > now, "a wait that does not wait");
                assert!(until <= deadline, "a wait past the time budget");
                // Sometimes wake late (the caller's sleep overslept).
                now = until + Duration::from_millis(u64::from(s.u8()));
            }
            Poll::Done(verdict) => {
                assert_eq!(engine.report().verdict, Some(verdict));
                assert_eq!(engine.poll(now + Duration::from_secs(1)), Poll::Done(verdict));
                let late = Completion {
                    service_response: ServiceResponse::TASK_COMPLETE,
                    task_status: 0,
                    realized: 0,
                    data: &[],
                    sense: &[],
                };
                assert_eq!(format!("{:?}", engine.complete(&late, now)), "Ignored");
                let mut text = String::new();
                use std::fmt::Write;
                let _ = write!(text, "{verdict} {:?}", engine.report());
                return;
            }
        }
    }
    panic!("engine not done after {max_polls} polls ({sent} commands)");
});
