//! The fault injector injects exactly what its plan says, where it says, and nothing else;
//! the same seed gives the same run.

use sbc_core::sense::{self, Parsed};
use sbc_core::time::Instant;
use sbc_core::wire::cdb::{Command, Inquiry, Read10, TestUnitReady};
use sbc_core::wire::status::{DeliveryFailure, TaskOutcome, TaskStatus};
use sbc_dext::sim::faults::{Injection, Keep};
use sbc_dext::sim::{zoo, Disk, Fault, FaultInjector, FaultPlan, SenseFormat, Trigger};
use sbc_dext::target::{Completion, Target};

const FILL: u8 = 0xA5;

/// A fixed script of 12 commands against `sim`: TUR (UA), then INQUIRY, READ(10) of LBA
/// 4242 and TUR in turn, at 1 ms apart. Returns each completion and the data buffer
/// (prefilled with FILL, full length, so bytes beyond realized can be inspected).
fn script(target: &mut impl Target) -> Vec<(Completion, Vec<u8>)> {
    let commands: Vec<Command> = (0..12)
        .map(|i| match i % 3 {
            0 => TestUnitReady.encode().unwrap(),
            1 => Inquiry { evpd_page: None, allocation_length: 96 }.encode().unwrap(),
            _ => Read10 { lba: 4242, blocks: 1, dpo: false, fua: false, block_length: 512 }
                .encode()
                .unwrap(),
        })
        .collect();
    commands
        .iter()
        .enumerate()
        .map(|(i, cmd)| {
            let mut data = vec![FILL; cmd.transfer_length as usize];
            let c = target.execute(cmd, &mut data, Instant::from_millis(i as u64));
            (c, data)
        })
        .collect()
}

fn sim() -> Disk {
    Disk::new(zoo::by_name("sim").unwrap())
}

fn sense_of(c: &Completion) -> (u8, u8, u8, Option<u64>) {
    match sense::parse(&c.sense) {
        Ok(Parsed::Sense(s)) => {
            (s.value.sense_key.0, s.value.asc, s.value.ascq, s.value.information)
        }
        other => panic!("no decodable sense in {c:?}: {other:?}"),
    }
}

fn check(c: &Completion) -> (u8, u8, u8) {
    assert_eq!(c.outcome, TaskOutcome::Complete(TaskStatus::CHECK_CONDITION));
    let (k, a, q, _) = sense_of(c);
    (k, a, q)
}

#[test]
fn an_empty_plan_is_transparent() {
    let clean = script(&mut sim());
    let mut injector = FaultInjector::new(sim(), FaultPlan::none());
    assert_eq!(script(&mut injector), clean);
    assert!(injector.injections().is_empty());
    assert_eq!(injector.commands(), 12);
}

/// Every fault of the catalogue at every command index: commands before it are untouched,
/// exactly one injection is recorded at that index, and the command there shows the fault.
#[test]
fn every_fault_at_every_step_fires_exactly_where_planned() {
    let clean = script(&mut sim());
    for fault in Fault::catalogue() {
        for at in 0..12u64 {
            let mut injector = FaultInjector::new(sim(), FaultPlan::single(fault, at));
            let run = script(&mut injector);
            let at_us = at as usize;
            assert_eq!(run[..at_us], clean[..at_us], "{fault:?} at {at}: earlier commands changed");
            assert_eq!(injector.injections(), &[Injection { command: at, fault }], "{fault:?}");
            assert_eq!(injector.count(fault.name()), 1);
            let (c, data) = &run[at_us];
            let (clean_c, clean_data) = &clean[at_us];
            match fault {
                Fault::Timeout => {
                    assert_eq!(
                        *c,
                        Completion::delivery_failure(DeliveryFailure::TASK_TIMEOUT_OCCURRED)
                    );
                }
                Fault::Detach => {
                    for (c, _) in &run[at_us..] {
                        assert_eq!(
                            *c,
                            Completion::delivery_failure(DeliveryFailure::DEVICE_NOT_PRESENT)
                        );
                    }
                }
                Fault::UnitAttentionStorm { count, asc, ascq } => {
                    let end = (at_us + count as usize).min(run.len());
                    for (c, _) in &run[at_us..end] {
                        assert_eq!(check(c), (0x06, asc, ascq));
                    }
                    // After the storm the device answers as the clean run's device would,
                    // minus the power-on UA if the storm swallowed it.
                    if end < run.len() && at > 0 {
                        assert_eq!(
                            run[end].0.outcome,
                            TaskOutcome::Complete(TaskStatus::GOOD),
                            "{fault:?} at {at}"
                        );
                    }
                }
                Fault::Reset => {
                    assert_eq!(check(c), (0x06, 0x29, 0x02));
                    if at > 0 && at_us + 1 < run.len() {
                        assert_eq!(run[at_us + 1], clean[at_us + 1]);
                    }
                }
                Fault::NotReadyForever => {
                    for (c, _) in &run[at_us..] {
                        assert_eq!(check(c), (0x02, 0x04, 0x01));
                    }
                }
                Fault::MediumError { .. } => {
                    let (k, a, q, info) = sense_of(c);
                    assert_eq!((k, a, q), (0x03, 0x11, 0x00));
                    let lba = if at % 3 == 2 { 4242 } else { 0 };
                    assert_eq!(info, Some(lba), "{fault:?} at {at}");
                }
                Fault::Truncate(Keep::Half) => {
                    assert_eq!(c.realized, clean_c.realized / 2);
                    let n = c.realized as usize;
                    assert_eq!(data[..n], clean_data[..n]);
                    assert!(
                        data[n..].iter().all(|&b| b == FILL),
                        "bytes past realized were written"
                    );
                }
                Fault::Truncate(_) => {
                    assert_eq!(c.realized, 0);
                    assert!(data.iter().all(|&b| b == FILL));
                }
                Fault::Oversize { extra } => {
                    let requested = data.len() as u64;
                    assert!(c.realized > requested, "{c:?}");
                    assert_eq!(c.realized, clean_c.realized.max(requested) + extra);
                }
                Fault::LyingResidual => {
                    assert_eq!(c.realized, clean_c.realized);
                    let half = (clean_c.realized / 2) as usize;
                    assert_eq!(data[..half], clean_data[..half]);
                    if clean_c.realized > 1 {
                        assert_ne!(data, clean_data, "the lie must be visible in the buffer");
                    }
                }
                Fault::Busy => assert_eq!(
                    (c.outcome, c.sense.len()),
                    (TaskOutcome::Complete(TaskStatus::BUSY), 0)
                ),
                Fault::TaskSetFull => {
                    assert_eq!(c.outcome, TaskOutcome::Complete(TaskStatus::TASK_SET_FULL))
                }
                Fault::GarbageSense => {
                    assert_eq!(c.outcome, TaskOutcome::Complete(TaskStatus::CHECK_CONDITION));
                    assert!((1..=32).contains(&c.sense.len()));
                }
                Fault::FlipSenseFormat => {
                    if clean_c.sense.is_empty() {
                        assert_eq!(c, clean_c);
                    } else {
                        assert_eq!(clean_c.sense[0], 0x70);
                        assert_eq!(c.sense[0], 0x72);
                        assert_eq!(sense_of(c), sense_of(clean_c));
                    }
                }
            }
        }
    }
}

#[test]
fn medium_error_can_name_its_own_lba_and_follow_the_device_sense_format() {
    let plan = FaultPlan::single(Fault::MediumError { lba: Some(0x1_0000_0001) }, 1);
    let mut injector = FaultInjector::new(sim(), plan).with_sense_format(SenseFormat::Descriptor);
    let run = script(&mut injector);
    let c = &run[1].0;
    assert_eq!(c.sense[0], 0x72);
    assert_eq!(sense_of(c), (0x03, 0x11, 0x00, Some(0x1_0000_0001)));
}

#[test]
fn descriptor_sense_flips_to_fixed() {
    let disk = Disk::new(zoo::by_name("descriptor-sense").unwrap());
    let mut injector = FaultInjector::new(disk, FaultPlan::single(Fault::FlipSenseFormat, 0));
    let run = script(&mut injector);
    assert_eq!((run[0].0.sense[0], run[0].0.sense.len()), (0x70, 18));
    assert_eq!(sense_of(&run[0].0).0, 0x06);
}

#[test]
fn triggers_from_and_chance() {
    let plan = FaultPlan::none().with(Trigger::From(4), Fault::Busy);
    let mut injector = FaultInjector::new(sim(), plan);
    let run = script(&mut injector);
    assert!(run[..4].iter().all(|(c, _)| c.outcome != TaskOutcome::Complete(TaskStatus::BUSY)));
    assert!(run[4..].iter().all(|(c, _)| c.outcome == TaskOutcome::Complete(TaskStatus::BUSY)));
    assert_eq!(injector.count("busy"), 8);

    let always =
        FaultPlan::none().with(Trigger::Chance { per_million: 1_000_000 }, Fault::TaskSetFull);
    let mut injector = FaultInjector::new(sim(), always);
    script(&mut injector);
    assert_eq!(injector.count("task-set-full"), 12);

    let never = FaultPlan::none().with(Trigger::Chance { per_million: 0 }, Fault::TaskSetFull);
    let mut injector = FaultInjector::new(sim(), never);
    assert_eq!(script(&mut injector), script(&mut sim()));

    // About half, and the same half for the same seed.
    let half = |seed| {
        let plan = FaultPlan { seed, ..FaultPlan::none() }
            .with(Trigger::Chance { per_million: 500_000 }, Fault::Busy);
        let mut injector = FaultInjector::new(sim(), plan);
        script(&mut injector);
        injector.injections().iter().map(|i| i.command).collect::<Vec<_>>()
    };
    assert_eq!(half(7), half(7));
    let total: usize = (0..50).map(|s| half(s).len()).sum();
    assert!((200..400).contains(&total), "{total} of 600");
}

#[test]
fn first_matching_rule_wins() {
    let plan =
        FaultPlan::none().with(Trigger::At(3), Fault::Busy).with(Trigger::At(3), Fault::Timeout);
    let mut injector = FaultInjector::new(sim(), plan);
    let run = script(&mut injector);
    assert_eq!(run[3].0.outcome, TaskOutcome::Complete(TaskStatus::BUSY));
    assert_eq!(injector.injections().len(), 1);
}

#[test]
fn random_plans_are_deterministic_per_seed_and_differ_across_seeds() {
    for seed in 0..200u64 {
        let plan = FaultPlan::random(seed, 12);
        assert_eq!(plan, FaultPlan::random(seed, 12));
        assert!((1..=3).contains(&plan.rules.len()));
        for rule in &plan.rules {
            assert!(matches!(rule.trigger, Trigger::At(n) if n < 12), "{rule:?}");
        }
        let run = |plan: FaultPlan| {
            let mut injector = FaultInjector::new(sim(), plan);
            let r = script(&mut injector);
            (r, injector.injections().to_vec())
        };
        let (a, ia) = run(plan.clone());
        let (b, ib) = run(plan.clone());
        assert_eq!(a, b, "seed {seed}");
        assert_eq!(ia, ib);
        assert!(!ia.is_empty());
        assert!(ia.len() <= plan.rules.len());
    }
    let distinct: std::collections::BTreeSet<String> =
        (0..50).map(|s| format!("{:?}", FaultPlan::random(s, 12).rules)).collect();
    assert!(distinct.len() > 40, "only {} distinct plans in 50 seeds", distinct.len());
    // Every fault kind is reachable from some seed.
    let names: std::collections::BTreeSet<&str> = (0..500)
        .flat_map(|s| FaultPlan::random(s, 12).rules.into_iter().map(|r| r.fault.name()))
        .collect();
    assert_eq!(names.len(), 13, "{names:?}");
}

#[test]
fn garbage_sense_is_seeded() {
    let sense = |seed| {
        let plan = FaultPlan { seed, ..FaultPlan::single(Fault::GarbageSense, 2) };
        let mut injector = FaultInjector::new(sim(), plan);
        script(&mut injector)[2].0.sense.clone()
    };
    assert_eq!(sense(1), sense(1));
    assert_ne!(sense(1), sense(2));
}
