//! Wall time of a real attach: a private tgtd (the project's harness, `sbc_dext::tgtd`) with
//! one 64 MiB LUN of 512-byte blocks on loopback, then `RUNS` (default 20) times: iSCSI login
//! (without libiscsi's TEST UNIT READY, as a fresh device) plus the whole characterization.
//! Prints one markdown line for docs/performance.md. Run by scripts/attach-metrics.sh.
//!
//! cargo run --release --features iscsi --example attach_wall_time

use std::time::Instant;

use sbc_core::attach::Config;
use sbc_dext::attach::run;
use sbc_dext::target::iscsi::IscsiTarget;
use sbc_dext::tgtd::{LunConfig, Tgtd};

fn main() {
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(20);
    let tgtd = Tgtd::start(&[LunConfig::new(1, 64 << 20, 512)]).expect("tgtd starts");
    let mut millis = Vec::with_capacity(runs);
    let mut commands = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let mut target = IscsiTarget::connect(&tgtd.url(1), true).expect("login");
        let outcome = run(Config::default(), &mut target).expect("the engine ends");
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(outcome.verdict.is_accept(), "{:?}", outcome.verdict);
        commands = outcome.transcript.len();
    }
    millis.sort_by(f64::total_cmp);
    println!(
        "tgtd (64 MiB LUN, 512-byte blocks, loopback): {commands} commands; login + attach, \
         median of {runs} runs: {:.1} ms (min {:.1}, max {:.1})",
        millis[runs / 2],
        millis[0],
        millis[runs - 1]
    );
}
