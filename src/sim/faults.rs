//! A seeded fault injector that wraps any [`Target`] (after smoltcp's `phy::FaultInjector`,
//! src/phy/fault_injector.rs): a [`FaultPlan`] says which faults happen at which commands, the
//! injector applies them and records every injection, and the same plan and seed always
//! give the same run.
//!
//! Commands are counted from 0, one per `execute` call. At most one per-command fault applies
//! to a command: rules are tried in plan order and the first that fires wins. Stateful faults
//! outlive their command: a detach answers DEVICE NOT PRESENT from then on, NOT READY forever
//! answers 02/04/01 from then on, a unit-attention storm answers its next `count` commands.
//! A fault that answers in the device's place (timeout, BUSY, a UA, ...) does not pass the
//! command to the wrapped target, so that target's state does not move.

use sbc_core::time::Instant;
use sbc_core::wire::cdb::Command;
use sbc_core::wire::status::{DeliveryFailure, TaskStatus};

use super::sense_key::{MEDIUM_ERROR, NOT_READY, UNIT_ATTENTION};
use super::{SenseData, SenseFormat, XorShift};
use crate::target::{Completion, Target};

/// When a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// At command index N (0-based) only.
    At(u64),
    /// At every command from index N on.
    From(u64),
    /// At each command independently with probability `per_million` / 1 000 000, drawn from
    /// the plan's seeded generator.
    Chance {
        /// Probability in millionths.
        per_million: u32,
    },
}

/// How much of the data a truncation keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Half of what the target produced (rounded down).
    Half,
    /// Nothing.
    Zero,
    /// At most this many bytes.
    Bytes(u64),
}

/// One fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The transport gives up: SERVICE DELIVERY OR TARGET FAILURE / TASK_TIMEOUT_OCCURRED.
    Timeout,
    /// `count` consecutive commands get UNIT ATTENTION `asc`/`ascq` (29/00 power on, 2A/09
    /// capacity data has changed, 28/00 not ready to ready change).
    UnitAttentionStorm {
        /// Commands answered with the UA, this one included.
        count: u32,
        /// ASC.
        asc: u8,
        /// ASCQ.
        ascq: u8,
    },
    /// A bus reset: this command gets UNIT ATTENTION 29/02, later ones are normal.
    Reset,
    /// NOT READY 04/01 for this and every later command.
    NotReadyForever,
    /// MEDIUM ERROR 11/00 (unrecovered read error) with the LBA in INFORMATION: `Some(lba)`,
    /// or `None` for the LBA in the command's CDB (0 when it has none).
    MediumError {
        /// The failing LBA, or `None` for the command's own.
        lba: Option<u64>,
    },
    /// The target's data arrives cut short, and realized says so.
    Truncate(Keep),
    /// Realized reports `extra` bytes more than the caller asked for (the lie reaches the
    /// caller as is; the buffer holds only what fitted).
    Oversize {
        /// Bytes beyond the expected transfer length.
        extra: u64,
    },
    /// Realized reports everything the target produced, but only the first half of it was
    /// written to the caller's buffer (the rest of the buffer keeps its old bytes).
    LyingResidual,
    /// SAM status BUSY.
    Busy,
    /// SAM status TASK SET FULL.
    TaskSetFull,
    /// The device disappears: DEVICE_NOT_PRESENT for this and every later command.
    Detach,
    /// CHECK CONDITION with 1..=32 random sense bytes.
    GarbageSense,
    /// The target's sense data converted between fixed (70h/71h) and descriptor (72h/73h)
    /// format; a completion without sense is left alone.
    FlipSenseFormat,
}

impl Fault {
    /// One instance of every fault (three UA storms), for fault matrices.
    pub fn catalogue() -> Vec<Fault> {
        vec![
            Fault::Timeout,
            Fault::UnitAttentionStorm { count: 3, asc: 0x29, ascq: 0x00 },
            Fault::UnitAttentionStorm { count: 3, asc: 0x2A, ascq: 0x09 },
            Fault::UnitAttentionStorm { count: 3, asc: 0x28, ascq: 0x00 },
            Fault::Reset,
            Fault::NotReadyForever,
            Fault::MediumError { lba: None },
            Fault::Truncate(Keep::Half),
            Fault::Truncate(Keep::Zero),
            Fault::Oversize { extra: 512 },
            Fault::LyingResidual,
            Fault::Busy,
            Fault::TaskSetFull,
            Fault::Detach,
            Fault::GarbageSense,
            Fault::FlipSenseFormat,
        ]
    }

    /// A short stable name, for reports.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Timeout => "timeout",
            Fault::UnitAttentionStorm { .. } => "unit-attention-storm",
            Fault::Reset => "reset",
            Fault::NotReadyForever => "not-ready-forever",
            Fault::MediumError { .. } => "medium-error",
            Fault::Truncate(_) => "truncate",
            Fault::Oversize { .. } => "oversize",
            Fault::LyingResidual => "lying-residual",
            Fault::Busy => "busy",
            Fault::TaskSetFull => "task-set-full",
            Fault::Detach => "detach",
            Fault::GarbageSense => "garbage-sense",
            Fault::FlipSenseFormat => "flip-sense-format",
        }
    }
}

/// One rule of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// When.
    pub trigger: Trigger,
    /// What.
    pub fault: Fault,
}

/// Which faults happen when; plain data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FaultPlan {
    /// Seeds the generator behind [`Trigger::Chance`] and [`Fault::GarbageSense`].
    pub seed: u64,
    /// Tried in order at every command.
    pub rules: Vec<Rule>,
}

impl FaultPlan {
    /// No faults: the injector is transparent.
    pub fn none() -> Self {
        FaultPlan::default()
    }

    /// `fault` at command index `at` only.
    pub fn single(fault: Fault, at: u64) -> Self {
        FaultPlan { seed: at, rules: vec![Rule { trigger: Trigger::At(at), fault }] }
    }

    /// One to three faults from [`Fault::catalogue`] at indices below `commands` (at least
    /// 1), all chosen by `seed`. The same seed always gives the same plan.
    pub fn random(seed: u64, commands: u64) -> Self {
        let mut rng = XorShift::new(seed);
        let catalogue = Fault::catalogue();
        let count = 1 + rng.below(3);
        let rules = (0..count)
            .map(|_| {
                let at = rng.below(commands.max(1));
                let fault = catalogue[rng.below(catalogue.len() as u64) as usize];
                Rule { trigger: Trigger::At(at), fault }
            })
            .collect();
        FaultPlan { seed, rules }
    }

    /// This plan plus one rule.
    pub fn with(mut self, trigger: Trigger, fault: Fault) -> Self {
        self.rules.push(Rule { trigger, fault });
        self
    }
}

/// One fault that fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Injection {
    /// The command index it fired at.
    pub command: u64,
    /// The fault.
    pub fault: Fault,
}

/// A [`Target`] that applies a [`FaultPlan`] to another.
#[derive(Debug, Clone)]
pub struct FaultInjector<T: Target> {
    inner: T,
    plan: FaultPlan,
    rng: XorShift,
    sense_format: SenseFormat,
    next_command: u64,
    storm: Option<(u32, SenseData)>,
    not_ready: bool,
    detached: bool,
    injections: Vec<Injection>,
}

impl<T: Target> FaultInjector<T> {
    /// Wraps `inner`; injected sense is fixed format until [`Self::with_sense_format`].
    pub fn new(inner: T, plan: FaultPlan) -> Self {
        FaultInjector {
            inner,
            rng: XorShift::new(plan.seed),
            plan,
            sense_format: SenseFormat::Fixed,
            next_command: 0,
            storm: None,
            not_ready: false,
            detached: false,
            injections: Vec::new(),
        }
    }

    /// Builds injected sense in `format` (match the wrapped device's).
    pub fn with_sense_format(mut self, format: SenseFormat) -> Self {
        self.sense_format = format;
        self
    }

    /// The wrapped target.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped target, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Every fault that fired, in order.
    pub fn injections(&self) -> &[Injection] {
        &self.injections
    }

    /// How many times faults named `name` ([`Fault::name`]) fired.
    pub fn count(&self, name: &str) -> usize {
        self.injections.iter().filter(|i| i.fault.name() == name).count()
    }

    /// Commands seen so far.
    pub fn commands(&self) -> u64 {
        self.next_command
    }

    fn check(&self, sense: SenseData) -> Completion {
        Completion::task_complete(TaskStatus::CHECK_CONDITION, 0, sense.to_bytes(self.sense_format))
    }

    /// The first rule firing at command `index`. Chance rules draw from the generator
    /// whether or not an earlier rule fired, so one rule's draws never depend on another's.
    fn firing(&mut self, index: u64) -> Option<Fault> {
        let mut fired = None;
        for rule in &self.plan.rules {
            let hit = match rule.trigger {
                Trigger::At(n) => index == n,
                Trigger::From(n) => index >= n,
                Trigger::Chance { per_million } => {
                    self.rng.below(1_000_000) < u64::from(per_million)
                }
            };
            if hit && fired.is_none() {
                fired = Some(rule.fault);
            }
        }
        fired
    }

    /// Runs the wrapped target on a copy of `data` and returns its completion and the bytes
    /// it left, so a fault can decide how many of them reach the caller.
    fn run_inner(&mut self, command: &Command, data: &[u8], now: Instant) -> (Completion, Vec<u8>) {
        let mut scratch = data.to_vec();
        let completion = self.inner.execute(command, &mut scratch, now);
        (completion, scratch)
    }
}

/// The LBA field of a READ, WRITE, VERIFY or SYNCHRONIZE CACHE CDB (SBC-4), 0 for others.
fn cdb_lba(cdb: &[u8]) -> u64 {
    let be = |at: usize, n: usize| {
        cdb.get(at..at + n).map_or(0, |b| b.iter().fold(0u64, |v, &x| v << 8 | u64::from(x)))
    };
    match cdb.first() {
        Some(0x08 | 0x0A) => be(1, 3) & 0x1F_FFFF,
        Some(0x28 | 0x2A | 0x2F | 0x35 | 0xA8 | 0xAA | 0xAF) => be(2, 4),
        Some(0x88 | 0x8A | 0x8F | 0x91) => be(2, 8),
        _ => 0,
    }
}

/// `sense` rebuilt in the other format (key, ASC, ASCQ and INFORMATION kept), or `None`
/// when it is neither fixed nor descriptor sense.
fn flip_sense(sense: &[u8]) -> Option<Vec<u8>> {
    let code = sense.first()? & 0x7F;
    let (data, to) = match code {
        0x70 | 0x71 => {
            let info = (sense.first()? & 0x80 != 0)
                .then(|| sense.get(3..7).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
                .flatten()
                .map(u64::from);
            let data = SenseData {
                information: info,
                ..SenseData::new(*sense.get(2)? & 0x0F, *sense.get(12)?, *sense.get(13)?)
            };
            (data, SenseFormat::Descriptor)
        }
        0x72 | 0x73 => {
            let mut data = SenseData::new(*sense.get(1)? & 0x0F, *sense.get(2)?, *sense.get(3)?);
            // An Information descriptor (type 00h, length 0Ah) among the descriptors.
            let mut rest = sense.get(8..).unwrap_or(&[]);
            while rest.len() >= 2 {
                let len = 2 + usize::from(rest[1]);
                if rest[0] == 0 && rest.len() >= 12 {
                    data.information =
                        Some(u64::from_be_bytes(rest[4..12].try_into().unwrap_or([0; 8])));
                }
                rest = rest.get(len..).unwrap_or(&[]);
            }
            (data, SenseFormat::Fixed)
        }
        _ => return None,
    };
    let mut out = data.to_bytes(to);
    if code & 1 == 1 {
        out[0] += 1; // keep "deferred"
    }
    Some(out)
}

impl<T: Target> Target for FaultInjector<T> {
    fn execute(&mut self, command: &Command, data: &mut [u8], now: Instant) -> Completion {
        let index = self.next_command;
        self.next_command += 1;
        let fault = self.firing(index);
        if let Some(fault) = fault {
            self.injections.push(Injection { command: index, fault });
            match fault {
                Fault::Detach => self.detached = true,
                Fault::NotReadyForever => self.not_ready = true,
                Fault::UnitAttentionStorm { count, asc, ascq } if count > 0 => {
                    self.storm = Some((count, SenseData::new(UNIT_ATTENTION, asc, ascq)));
                }
                _ => {}
            }
        }
        if self.detached {
            return Completion::delivery_failure(DeliveryFailure::DEVICE_NOT_PRESENT);
        }
        if let Some((left, sense)) = self.storm {
            self.storm = (left > 1).then_some((left - 1, sense));
            return self.check(sense);
        }
        if self.not_ready {
            return self.check(SenseData::new(NOT_READY, 0x04, 0x01));
        }
        let Some(fault) = fault else {
            return self.inner.execute(command, data, now);
        };
        let status = |s: TaskStatus| Completion::task_complete(s, 0, Vec::new());
        match fault {
            Fault::Timeout => Completion::delivery_failure(DeliveryFailure::TASK_TIMEOUT_OCCURRED),
            Fault::Reset => self.check(SenseData::new(UNIT_ATTENTION, 0x29, 0x02)),
            Fault::MediumError { lba } => {
                let lba = lba.unwrap_or_else(|| cdb_lba(command.cdb.as_bytes()));
                self.check(SenseData {
                    information: Some(lba),
                    ..SenseData::new(MEDIUM_ERROR, 0x11, 0x00)
                })
            }
            Fault::Busy => status(TaskStatus::BUSY),
            Fault::TaskSetFull => status(TaskStatus::TASK_SET_FULL),
            Fault::GarbageSense => {
                let len = 1 + self.rng.below(32) as usize;
                let sense = (0..len).map(|_| self.rng.next_u64() as u8).collect();
                Completion::task_complete(TaskStatus::CHECK_CONDITION, 0, sense)
            }
            Fault::Truncate(keep) => {
                let (mut c, scratch) = self.run_inner(command, data, now);
                let kept = match keep {
                    Keep::Half => c.realized / 2,
                    Keep::Zero => 0,
                    Keep::Bytes(n) => c.realized.min(n),
                };
                let n = (kept as usize).min(data.len());
                data[..n].copy_from_slice(&scratch[..n]);
                c.realized = kept;
                c
            }
            Fault::LyingResidual => {
                let (c, scratch) = self.run_inner(command, data, now);
                let n = ((c.realized / 2) as usize).min(data.len());
                data[..n].copy_from_slice(&scratch[..n]);
                c
            }
            Fault::Oversize { extra } => {
                let mut c = self.inner.execute(command, data, now);
                c.realized = c.realized.max(command.transfer_length).saturating_add(extra.max(1));
                c
            }
            Fault::FlipSenseFormat => {
                let mut c = self.inner.execute(command, data, now);
                if let Some(flipped) = flip_sense(&c.sense) {
                    c.sense = flipped;
                }
                c
            }
            // Stateful faults were handled above.
            Fault::Detach | Fault::NotReadyForever | Fault::UnitAttentionStorm { .. } => {
                self.inner.execute(command, data, now)
            }
        }
    }
}
