//! Shared by the host integration tests: running one command against a target and reading
//! what came back.
#![allow(dead_code)]

use sbc_core::sense::{self, Parsed};
use sbc_core::time::Instant;
use sbc_core::wire::cdb::Command;
use sbc_core::wire::status::{TaskOutcome, TaskStatus};
use sbc_dext::target::{Completion, Target};

/// TASK COMPLETE with SAM status GOOD.
pub const GOOD: TaskOutcome = TaskOutcome::Complete(TaskStatus::GOOD);
/// TASK COMPLETE with SAM status CHECK CONDITION.
pub const CHECK_CONDITION: TaskOutcome = TaskOutcome::Complete(TaskStatus::CHECK_CONDITION);

/// Sends `command` at `now_ms` and returns the completion with the realized data.
pub fn exec(target: &mut dyn Target, command: Command, now_ms: u64) -> (Completion, Vec<u8>) {
    let mut data = vec![0u8; command.transfer_length as usize];
    let c = target.execute(&command, &mut data, Instant::from_millis(now_ms));
    data.truncate(c.realized as usize);
    (c, data)
}

/// (key, asc, ascq) of a completion's sense, decoded by `sbc_core::sense`.
pub fn sense_of(c: &Completion) -> (u8, u8, u8) {
    match sense::parse(&c.sense) {
        Ok(Parsed::Sense(s)) => (s.value.sense_key.0, s.value.asc, s.value.ascq),
        other => panic!("no decodable sense in {c:?}: {other:?}"),
    }
}

pub mod smart_blob;
