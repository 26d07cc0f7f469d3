//! `sbc-dext attach [TARGET]`: the driver's main job against a disk, on Linux.
//!
//! TARGET is `sim` (the default: a healthy simulated SSD), `sim:PROFILE` (a device from the
//! zoo, `src/sim/zoo.rs`), or `iscsi://HOST[:PORT]/IQN/LUN` (a real target through
//! libiscsi; needs the `iscsi` feature).
//!
//! A zoo profile may carry `personality_quirks` (`Profile::personality_quirks`): the
//! `SbcQuirks` entries a user's Info.plist personality for that enclosure would hold, for a
//! device the quirk table cannot recognize by INQUIRY (an NVMe bridge known by its USB
//! VID:PID). They are applied as entries of the matched personality, under `--quirk` and
//! `--no-quirk` (`sim_personality_quirks`).
//!
//! By default the whole stack runs: the kernel model matches the dext's Info.plist against
//! the device, instantiates the C++ shim built from `iig/` and `dext/`, and the shim drives
//! the core through `sbc_core.h` (`src/kernel/`). The report is what the dext published in
//! the I/O Registry (`--ioreg` prints the registry, `--log` the dext's log). `--engine` runs
//! the core's engine alone instead, as a test harness would. The transcript is every command
//! with its completion and the engine's decision.

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
    /// The disk's USB vendor and product ID (implies `usb`); a sim profile's own when
    /// `None`.
    pub usb_id: Option<sbc_core::attach::UsbId>,
    /// JSON instead of text.
    pub json: bool,
    /// Include every command.
    pub transcript: bool,
    /// The dext's entitlements (default: the repository's `entitlements.plist`).
    pub entitlements: Option<PathBuf>,
    /// Print the I/O Registry as `ioreg -l` would.
    pub ioreg: bool,
    /// Print the dext's log as `log stream` would.
    pub log: bool,
    /// Run the core's engine alone, without the kernel model and the shim.
    pub engine: bool,
    /// With the target `sim`: a SATA drive behind a SAT bridge, its IDENTIFY and SMART data
    /// from this libatasmart-format blob.
    pub smart_blob: Option<PathBuf>,
    /// Print the kernel model's registry as `ioreg -a` would (an XML property list), and
    /// nothing else.
    pub ioreg_xml: bool,
}

/// The repository's Info.plist and entitlements, built in: the defaults of `--plist` and
/// `--entitlements`, so `attach` runs the dext as shipped from any directory.
pub(super) const INFO_PLIST: &[u8] = include_bytes!("../../Info.plist");
pub(super) const ENTITLEMENTS: &[u8] = include_bytes!("../../entitlements.plist");

/// Runs `attach` and returns the text to print with the exit code: 0 accept, 1 refuse.
///
/// # Errors
/// A bad target or quirk name, or a target that cannot be reached (exit code 2).
pub fn attach(options: &Options) -> Result<(String, ExitCode), CliError> {
    if options.engine {
        engine(options)
    } else {
        super::attach_stack::attach(options)
    }
}

/// The built-in or given plist, as a dictionary.
pub(super) fn plist(
    path: Option<&PathBuf>,
    built_in: &[u8],
    what: &str,
) -> Result<plist::Dictionary, CliError> {
    let root = match path {
        Some(p) => personality::load(p).map_err(|e| CliError(e.to_string()))?.1,
        None => plist::Value::from_reader(std::io::Cursor::new(built_in))
            .map_err(|e| CliError(format!("the built-in {what}: {e}")))?,
    };
    root.into_dictionary().ok_or_else(|| CliError(format!("{what}: the root is not a dictionary")))
}

/// The core's engine alone against the target.
fn engine(options: &Options) -> Result<(String, ExitCode), CliError> {
    let (cli_on, cli_off) = (quirk_set(&options.quirks)?, quirk_set(&options.no_quirks)?);
    let mut from_plist = match &options.plist {
        Some(path) => personality::read(path, options.personality.as_deref())
            .map_err(|e| CliError(e.to_string()))?,
        None => PersonalityQuirks::default(),
    };
    // The simulated enclosure's personality entries, written into the personality's
    // SbcQuirks as the stack path does (attach_stack::quirk_entries).
    let from_sim = sim_personality_quirks(options)?;
    from_plist.on |= from_sim;
    from_plist.off -= from_sim;
    // The command line overrides the personality, which overrides the quirk table.
    let usb_id = usb_id(options);
    let config = Config {
        quirks_on: (from_plist.on - cli_off) | cli_on,
        quirks_off: (from_plist.off - cli_on) | cli_off,
        usb: options.usb || usb_id.is_some(),
        usb_id,
        ..Config::default()
    };
    let mut target = open(options)?;
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

pub(super) fn quirk_set(names: &[String]) -> Result<Quirks, CliError> {
    names.iter().try_fold(Quirks::empty(), |set, name| {
        Quirks::by_name(name).map(|q| set | q).ok_or_else(|| {
            let known: Vec<&str> = QUIRK_NAMES.iter().map(|(n, _)| *n).collect();
            CliError(format!("unknown quirk '{name}' (known: {})", known.join(", ")))
        })
    })
}

/// The zoo profile name of a `sim` or `sim:NAME` target (`None` for any other target and
/// for `--smart-blob`, whose device is built from the blob).
fn sim_name(options: &Options) -> Option<&str> {
    let target = options.target.as_deref().unwrap_or("sim");
    if options.smart_blob.is_some() {
        return None;
    }
    target.strip_prefix("sim:").or((target == "sim").then_some("sim"))
}

/// The quirks of a simulated target's [`personality_quirks`](crate::sim::Profile::personality_quirks):
/// what a user's Info.plist personality for that enclosure would set to true. Both paths
/// apply them as `SbcQuirks` entries of the matched personality: they replace the same
/// entries of a `--plist` personality, and `--quirk` / `--no-quirk` override them. Empty for
/// a target that is not a zoo profile (an unknown name is [`open`]'s error to report).
///
/// # Errors
/// A profile naming a quirk the core does not know.
pub(super) fn sim_personality_quirks(options: &Options) -> Result<Quirks, CliError> {
    match sim_name(options).and_then(zoo::by_name) {
        Some(profile) => quirk_set(&profile.personality_quirks),
        None => Ok(Quirks::empty()),
    }
}

/// The USB ID the attach runs with: `--usb-id`, else the simulated enclosure's own
/// ([`usb_id`](crate::sim::Profile::usb_id)).
pub(super) fn usb_id(options: &Options) -> Option<sbc_core::attach::UsbId> {
    options.usb_id.or_else(|| sim_name(options).and_then(zoo::by_name).and_then(|p| p.usb_id))
}

pub(super) fn open(options: &Options) -> Result<Box<dyn Target>, CliError> {
    let target = options.target.as_deref().unwrap_or("sim");
    if let Some(path) = &options.smart_blob {
        if target != "sim" {
            return Err(CliError("--smart-blob needs the target sim".into()));
        }
        let (shown, bytes) = super::read_input(Some(path))?;
        let name =
            path.file_name().map_or("smart-blob".into(), |n| n.to_string_lossy().into_owned());
        let profile = zoo::sat_bridge_from_blob(&name, &bytes)
            .map_err(|e| CliError(format!("{shown}: {e}")))?;
        return Ok(Box::new(Disk::new(profile)));
    }
    if let Some(name) = sim_name(options) {
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
pub(super) fn time_key(clock: Clock) -> &'static str {
    match clock {
        Clock::Virtual => "virtual_time_ms",
        Clock::Monotonic => "wall_time_ms",
    }
}

/// The stable JSON shape of an attach (`docs/report-schema.md`): the report as the dext
/// publishes it ([`Published`], the same schema the I/O Registry gets), then what only the
/// host knows: `commands`, the duration (`time_key`) and, when asked, the `transcript`.
pub fn outcome_json(outcome: &Outcome, with_transcript: bool) -> Value {
    let mut report = outcome.report;
    // The outcome's verdict is the engine's last word; the report carries the same.
    report.verdict = Some(outcome.verdict);
    let mut v = serde_json::to_value(Published(&report)).expect("the report always serializes");
    v["commands"] = json!(outcome.transcript.len());
    v[time_key(outcome.clock)] = json!(outcome.elapsed.as_millis());
    if with_transcript {
        v["transcript"] = transcript_json(&outcome.transcript);
    }
    v
}

fn human(outcome: &Outcome, with_transcript: bool) -> String {
    let tree = super::report_text::without_nulls(outcome_json(outcome, false));
    let mut out = super::report_text::rows(&tree);
    out.push_str(&commands_row(
        outcome.transcript.len(),
        outcome.elapsed.as_millis(),
        outcome.clock,
    ));
    if with_transcript {
        out.push_str(&transcript_text(&outcome.transcript));
    }
    out
}

/// The `commands` row: how many, and how long on which clock.
pub(super) fn commands_row(count: usize, ms: u64, clock: Clock) -> String {
    let clock = match clock {
        Clock::Virtual => "virtual time",
        Clock::Monotonic => "wall time",
    };
    format!("{:<22}{count} in {ms} ms {clock}\n", "commands")
}

/// Every command, one line each; a command sent with the device's services suspended is
/// marked `[exclusive]`, and a data-out follows its line.
pub(super) fn transcript_text(transcript: &[crate::attach::Exchange]) -> String {
    let mut out = String::from("\ntranscript:\n");
    for x in transcript {
        out.push_str(&format!(
            "  t+{:>6}ms  {:<32}  status {:#04x}  realized {:>5}  sense {}  -> {}{}\n",
            x.sent_at.as_millis(),
            hex(&x.cdb),
            x.outcome.to_wire().1,
            x.realized,
            if x.sense.is_empty() { "-".into() } else { hex(&x.sense) },
            x.action,
            if x.exclusive { "  [exclusive]" } else { "" },
        ));
        if !x.data_out.is_empty() {
            let used = x.data_out.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            out.push_str(&format!(
                "             data-out {} bytes: {}{}\n",
                x.data_out.len(),
                hex(&x.data_out[..used]),
                if used < x.data_out.len() { " (then zeros)" } else { "" },
            ));
        }
    }
    out
}

/// The transcript as JSON rows.
pub(super) fn transcript_json(transcript: &[crate::attach::Exchange]) -> Value {
    transcript
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
                "exclusive": x.exclusive,
                "data_out": if x.data_out.is_empty() { Value::Null } else { json!(hex(&x.data_out)) },
            })
        })
        .collect()
}
