//! Every fault at every step of every zoo device: the attach must end with a verdict, inside
//! both budgets, without a panic and without a command outside the non-destructive
//! allowlist. Then seeded random plans of one to three faults each.
//!
//! A device can lie about anything (status, sense, byte counts) or vanish; none of that may
//! make the driver hang, loop, crash or write.

use sbc_core::attach::{is_non_destructive, is_read_only_tunnel, Config};
use sbc_core::time::Duration;
use sbc_dext::attach::{run, Outcome, COMMAND_LATENCY};
use sbc_dext::sim::faults::{Fault, FaultInjector, FaultPlan};
use sbc_dext::sim::{zoo, Disk, Profile};

/// Checks the promises every run keeps, whatever the device did: an NVMe bridge's tunnel
/// commands pass that bridge's rule (their data-out included) and only they go out
/// exclusive; every other command passes the non-destructive rule.
fn check(label: &str, profile: &Profile, outcome: &Outcome, config: &Config) {
    assert!(
        outcome.transcript.len() <= usize::from(config.command_budget),
        "{label}: {} commands",
        outcome.transcript.len()
    );
    // The engine checks its time budget before each command, so the last command may run
    // one latency past it.
    let limit = config.time_budget + COMMAND_LATENCY;
    assert!(outcome.elapsed <= limit, "{label}: {:?} > {limit:?}", outcome.elapsed);
    let bridge = profile.nvme_bridge.as_ref().map(|b| b.protocol);
    for x in &outcome.transcript {
        let tunnel = bridge.is_some_and(|b| is_read_only_tunnel(b, &x.cdb, &x.data_out));
        assert!(is_non_destructive(&x.cdb) || tunnel, "{label}: destructive CDB {:02x?}", x.cdb);
        assert_eq!(x.exclusive, tunnel, "{label}: {:02x?}", x.cdb);
    }
}

/// Runs `profile` with `config` plus the quirks its personality sets and its USB ID (an NVMe
/// enclosure's bridge), with `plan`'s faults.
fn attach_with(profile: &Profile, plan: FaultPlan, config: Config) -> Outcome {
    let own = profile.attach_config().unwrap_or_else(|q| panic!("{}: quirk {q}", profile.name));
    let config = Config {
        quirks_on: config.quirks_on | own.quirks_on,
        usb: config.usb || own.usb,
        usb_id: own.usb_id,
        ..config
    };
    // Injected sense comes in the device's own format, as a real device would send it.
    let mut target = FaultInjector::new(Disk::new(profile.clone()), plan)
        .with_sense_format(profile.sense_format);
    run(config, &mut target)
        .unwrap_or_else(|e| panic!("{}: the engine did not end: {e:?}", profile.name))
}

#[test]
fn every_fault_at_every_step_of_every_profile() {
    let config = Config::default();
    let mut runs = 0usize;
    let mut refusals = 0usize;
    for profile in zoo::all() {
        let clean = attach_with(&profile, FaultPlan::none(), config);
        let steps = clean.transcript.len() as u64;
        for fault in Fault::catalogue() {
            // One step past the clean run too: a retry caused by the fault shifts commands.
            for at in 0..=steps {
                let label = format!("{} / {} at {at}", profile.name, fault.name());
                let outcome = attach_with(&profile, FaultPlan::single(fault, at), config);
                check(&label, &profile, &outcome, &config);
                runs += 1;
                refusals += usize::from(!outcome.verdict.is_accept());
            }
        }
    }
    eprintln!("fault matrix: {runs} runs, {refusals} refusals");
    assert!(runs > 3_000, "the matrix shrank: {runs} runs");
}

/// A transient fault (one timeout, a burst of unit attentions, a reset, BUSY, TASK SET FULL)
/// at any step must not cost a healthy device its attach: each is what retries are for.
#[test]
fn transient_faults_never_cost_an_accepted_device_its_attach() {
    let config = Config::default();
    let transient = Fault::catalogue().into_iter().filter(|f| {
        matches!(
            f,
            Fault::Timeout
                | Fault::UnitAttentionStorm { .. }
                | Fault::Reset
                | Fault::Busy
                | Fault::TaskSetFull
        )
    });
    let transient: Vec<Fault> = transient.collect();
    let mut runs = 0;
    for profile in zoo::all() {
        let clean = attach_with(&profile, FaultPlan::none(), config);
        if !clean.verdict.is_accept() {
            continue;
        }
        for &fault in &transient {
            for at in 0..=clean.transcript.len() as u64 {
                let outcome = attach_with(&profile, FaultPlan::single(fault, at), config);
                assert!(
                    outcome.verdict.is_accept(),
                    "{} / {} at {at}: {:?}",
                    profile.name,
                    fault.name(),
                    outcome.verdict
                );
                assert_eq!(
                    outcome.report.block_count, clean.report.block_count,
                    "{}",
                    profile.name
                );
                runs += 1;
            }
        }
    }
    assert!(runs > 1_000, "{runs}");
}

#[test]
fn random_fault_plans_on_every_profile() {
    let config = Config::default();
    let mut runs = 0usize;
    for profile in zoo::all() {
        for seed in 1..=60u64 {
            let plan = FaultPlan::random(seed, 24);
            let label = format!("{} / seed {seed}: {plan:?}", profile.name);
            check(&label, &profile, &attach_with(&profile, plan, config), &config);
            runs += 1;
        }
    }
    assert_eq!(runs, zoo::NAMES.len() * 60);
}

#[test]
fn tight_budgets_still_end_with_a_verdict() {
    let config =
        Config { command_budget: 8, time_budget: Duration::from_secs(5), ..Config::default() };
    for profile in zoo::all() {
        for fault in [Fault::NotReadyForever, Fault::Busy, Fault::Timeout] {
            let plan = FaultPlan::none().with(sbc_dext::sim::faults::Trigger::From(0), fault);
            let outcome = attach_with(&profile, plan, config);
            check(
                &format!("{} / {} forever", profile.name, fault.name()),
                &profile,
                &outcome,
                &config,
            );
            assert!(
                !outcome.verdict.is_accept(),
                "{} accepted under {}",
                profile.name,
                fault.name()
            );
        }
    }
}
