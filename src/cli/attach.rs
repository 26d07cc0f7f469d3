//! `sbc-dext attach [TARGET]`: the driver's main job against a disk, on Linux.
//!
//! TARGET is `sim` (the default: a healthy simulated SSD), `sim:PROFILE` (a device from the
//! zoo, `src/sim/zoo.rs`), or `iscsi://HOST[:PORT]/IQN/LUN` (a real target through
//! libiscsi; needs the `iscsi` feature). The report is what the dext would publish in the
//! I/O Registry; the transcript is every command with its completion and the engine's
//! decision.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{json, Value};

use sbc_core::attach::{Config, Published};
use sbc_core::quirks::{Quirks, NAMES as QUIRK_NAMES};

use super::decode::hex;
use super::CliError;
use crate::attach::{run, Outcome};
use crate::personality::{self, PersonalityQuirks};
use crate::sim::{zoo, Disk};
use crate::target::{Clock, Target};

/// Options of one `attach` run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `sim`, `sim:PROFILE` or an iSCSI URL; `None` means `sim`.
    pub target: Option<String>,
    /// Quirks to force on, by name.
    pub quirks: Vec<String>,
    /// Quirks to force off, by name (even if the quirk table sets them).
    pub no_quirks: Vec<String>,
    /// An Info.plist whose personality's `SbcQuirks` dictionary adds quirks.
    pub plist: Option<PathBuf>,
    /// Which personality of `plist` (needed when several have `SbcQuirks`).
    pub personality: Option<String>,
    /// The disk is behind a USB bridge: apply Linux's defaults for every USB disk.
    pub usb: bool,
    /// JSON instead of text.
    pub json: bool,
    /// Include every command.
    pub transcript: bool,
}

/// Runs `attach` and returns the text to print with the exit code: 0 accept, 1 refuse.
///
/// # Errors
/// A bad target or quirk name, or a target that cannot be reached (exit code 2).
pub fn attach(options: &Options) -> Result<(String, ExitCode), CliError> {
    let (cli_on, cli_off) = (quirk_set(&options.quirks)?, quirk_set(&options.no_quirks)?);
    let from_plist = match &options.plist {
        Some(path) => personality::read(path, options.personality.as_deref())
            .map_err(|e| CliError(e.to_string()))?,
        None => PersonalityQuirks::default(),
    };
    // The command line overrides the personality, which overrides the quirk table.
    let config = Config {
        quirks_on: (from_plist.on - cli_off) | cli_on,
        quirks_off: (from_plist.off - cli_on) | cli_off,
        usb: options.usb,
        ..Config::default()
    };
    let mut target = open(options.target.as_deref().unwrap_or("sim"))?;
    let outcome = run(config, target.as_mut())
        .map_err(|e| CliError(format!("the engine broke its promise: {e}")))?;
    let code = if outcome.verdict.is_accept() { ExitCode::SUCCESS } else { ExitCode::from(1) };
    let value = outcome_json(&outcome, options.transcript);
    let text = if options.json {
        serde_json::to_string_pretty(&value).expect("a Value always serializes") + "\n"
    } else {
        human(&outcome, options.transcript)
    };
    Ok((text, code))
}

fn quirk_set(names: &[String]) -> Result<Quirks, CliError> {
    names.iter().try_fold(Quirks::empty(), |set, name| {
        Quirks::by_name(name).map(|q| set | q).ok_or_else(|| {
            let known: Vec<&str> = QUIRK_NAMES.iter().map(|(n, _)| *n).collect();
            CliError(format!("unknown quirk '{name}' (known: {})", known.join(", ")))
        })
    })
}

fn open(target: &str) -> Result<Box<dyn Target>, CliError> {
    if let Some(name) = target.strip_prefix("sim:").or((target == "sim").then_some("sim")) {
        let profile = zoo::by_name(name).ok_or_else(|| {
            CliError(format!("no simulated device '{name}' (known: {})", zoo::NAMES.join(", ")))
        })?;
        return Ok(Box::new(Disk::new(profile)));
    }
    if target.starts_with("iscsi://") {
        crate::target::iscsi_url::parse(target).map_err(|e| CliError(e.to_string()))?;
        return open_iscsi(target);
    }
    Err(CliError(format!(
        "unknown target '{target}': use sim, sim:PROFILE or iscsi://HOST[:PORT]/IQN/LUN"
    )))
}

#[cfg(feature = "iscsi")]
fn open_iscsi(url: &str) -> Result<Box<dyn Target>, CliError> {
    crate::target::iscsi::IscsiTarget::connect(url, true)
        .map(|t| Box::new(t) as Box<dyn Target>)
        .map_err(|e| CliError(format!("cannot connect: {e}")))
}

#[cfg(not(feature = "iscsi"))]
fn open_iscsi(_url: &str) -> Result<Box<dyn Target>, CliError> {
    Err(CliError(
        "this build has no iSCSI support: rebuild with `--features iscsi` (needs libiscsi-dev \
         and libclang)"
            .into(),
    ))
}

/// The JSON key of the attach's duration: `virtual_time_ms` for simulated targets,
/// `wall_time_ms` for real ones.
fn time_key(clock: Clock) -> &'static str {
    match clock {
        Clock::Virtual => "virtual_time_ms",
        Clock::Monotonic => "wall_time_ms",
    }
}

/// The stable JSON shape of an attach (`docs/report-schema.md`): the report as the dext
/// publishes it ([`Published`], the same schema the I/O Registry gets), then what only the
/// host knows: `commands`, the duration ([`time_key`]) and, when asked, the `transcript`.
pub fn outcome_json(outcome: &Outcome, with_transcript: bool) -> Value {
    let mut report = outcome.report;
    // The outcome's verdict is the engine's last word; the report carries the same.
    report.verdict = Some(outcome.verdict);
    let mut v = serde_json::to_value(Published(&report)).expect("the report always serializes");
    v["commands"] = json!(outcome.transcript.len());
    v[time_key(outcome.clock)] = json!(outcome.elapsed.as_millis());
    if with_transcript {
        v["transcript"] = outcome
            .transcript
            .iter()
            .map(|x| {
                let (service_response, task_status) = x.outcome.to_wire();
                json!({
                    "cdb": hex(&x.cdb),
                    "status": task_status,
                    "service_response": service_response.0,
                    "sense": if x.sense.is_empty() { Value::Null } else { json!(hex(&x.sense)) },
                    "realized": x.realized,
                    "action": x.action,
                })
            })
            .collect();
    }
    v
}

fn human(outcome: &Outcome, with_transcript: bool) -> String {
    let r = &outcome.report;
    let mut out = String::new();
    let mut row = |k: &str, v: String| out.push_str(&format!("{k:<22}{v}\n"));
    row("verdict", outcome.verdict.to_string());
    row("vendor", r.vendor.to_string());
    row("product", r.product.to_string());
    row("revision", r.revision.to_string());
    row("serial", r.serial.to_string());
    for d in r.designators() {
        row("designator", d.to_string());
    }
    row("removable", format!("{} (medium present: {})", r.removable, r.medium_present));
    let bytes = u128::from(r.block_count) * u128::from(r.logical_block_length);
    row(
        "capacity",
        format!("{} blocks x {} bytes = {bytes} bytes", r.block_count, r.logical_block_length),
    );
    row(
        "physical block",
        format!("{} bytes (lowest aligned LBA {})", r.physical_block_length, r.lowest_aligned_lba),
    );
    row("protection type", r.protection_type.to_string());
    row("provisioning", format!("LBPME={} LBPRZ={} discard={}", r.lbpme, r.lbprz, r.discard));
    row("max transfer", opt_blocks(r.max_transfer_blocks));
    row("optimal transfer", opt_blocks(r.optimal_transfer_blocks));
    row("rotation", r.rotation_rate.to_string());
    row("form factor", r.form_factor.name().unwrap_or("not reported").to_string());
    row("write protected", r.write_protected.to_string());
    row("write cache", r.write_cache.map_or("unknown".into(), |w| w.to_string()));
    row("FUA", r.fua.to_string());
    match &r.sat {
        Some(s) => row(
            "SAT",
            format!(
                "{} {} {}: ATA {} {} {}",
                s.vendor, s.product, s.revision, s.ata_model, s.ata_serial, s.ata_firmware
            ),
        ),
        None => row("SAT", "no".into()),
    }
    row("quirks", r.quirks.names().collect::<Vec<_>>().join(", "));
    for w in r.warnings.iter() {
        row("warning", w.to_string());
    }
    if r.warnings.overflow() > 0 {
        row("warning", format!("{} more, not kept", r.warnings.overflow()));
    }
    row(
        "commands",
        format!(
            "{} in {} ms {}",
            outcome.transcript.len(),
            outcome.elapsed.as_millis(),
            match outcome.clock {
                Clock::Virtual => "virtual time",
                Clock::Monotonic => "wall time",
            }
        ),
    );
    if with_transcript {
        out.push_str("\ntranscript:\n");
        for x in &outcome.transcript {
            out.push_str(&format!(
                "  t+{:>6}ms  {:<32}  status {:#04x}  realized {:>5}  sense {}  -> {}\n",
                x.sent_at.as_millis(),
                hex(&x.cdb),
                x.outcome.to_wire().1,
                x.realized,
                if x.sense.is_empty() { "-".into() } else { hex(&x.sense) },
                x.action
            ));
        }
    }
    out
}

fn opt_blocks(v: Option<u32>) -> String {
    v.map_or_else(|| "not reported".into(), |n| format!("{n} blocks"))
}
