//! `sbc-dext attach` through the whole stack: kernel model -> C++ shim -> C ABI -> core ->
//! target (`src/kernel/`). The report printed is the one the dext published in the
//! registry; the JSON adds what the kernel did: the personality that matched, its score,
//! the IOClass, and the registry itself.
// Without the kernel model's C++ (a cross check for an Apple target) `attach` is an error.
#![cfg_attr(not(sbc_dext_shim), allow(unused_imports, dead_code))]

use std::process::ExitCode;

use serde_json::{json, Value};

use super::attach::{
    commands_row, open, plist, quirk_set, sim_personality_quirks, time_key, transcript_json,
    transcript_text, usb_id, Options,
};
use super::report_text;
use super::CliError;
use crate::kernel::registry::Service;
use crate::kernel::{self, KernelOutcome, Setup};

/// Runs the stack and returns the text to print with the exit code: 0 when the dext accepted
/// the unit, 1 when it refused it, was never asked, or did not load.
///
/// # Errors
/// A bad target, quirk name or plist (exit code 2).
#[cfg(sbc_dext_shim)]
pub fn attach(options: &Options) -> Result<(String, ExitCode), CliError> {
    let setup = Setup {
        info_plist: plist(options.plist.as_ref(), INFO_PLIST, "Info.plist")?,
        entitlements: plist(options.entitlements.as_ref(), ENTITLEMENTS, "entitlements.plist")?,
        personality: options.personality.clone(),
        quirks: quirk_entries(options)?,
        usb: options.usb,
        usb_id: usb_id(options),
        ..Setup::default()
    };
    check_personality(options, &setup.info_plist)?;
    let target = open(options)?;
    let outcome = match kernel::attach(&setup, target) {
        Ok(outcome) => outcome,
        Err(_) if options.ioreg_xml => {
            // The dext did not load: no service of its in the registry.
            return Ok((empty_ioreg_xml(), ExitCode::from(1)));
        }
        Err(e) => return Ok((not_loaded(&e.to_string(), options.json), ExitCode::from(1))),
    };
    let code = if outcome.accepted() { ExitCode::SUCCESS } else { ExitCode::from(1) };
    let text = if options.ioreg_xml {
        outcome.registry.ioreg_xml()
    } else if options.json {
        let value = outcome_json(&outcome, options);
        serde_json::to_string_pretty(&value).expect("a Value always serializes") + "\n"
    } else {
        human(&outcome, options)
    };
    Ok((text, code))
}

use super::attach::{ENTITLEMENTS, INFO_PLIST};

/// Without the kernel model's C++ (a cross check for an Apple target, build.rs) there is no
/// dext to run.
///
/// # Errors
/// Always.
#[cfg(not(sbc_dext_shim))]
pub fn attach(_options: &Options) -> Result<(String, ExitCode), CliError> {
    Err(CliError(
        "this build has no kernel model (its C++ was not built: a cross build for an Apple \
         target); use attach --engine, or build on the Mac itself"
            .into(),
    ))
}

/// An `ioreg -a` property list without entries.
fn empty_ioreg_xml() -> String {
    let mut out = Vec::new();
    plist::Value::Array(Vec::new()).to_writer_xml(&mut out).expect("writing to memory");
    String::from_utf8(out).expect("the plist writer writes UTF-8") + "\n"
}

/// A `--personality` the plist does not have is a usage error (exit 2), named with the
/// plist's personalities; with `--plist`, the personality's SbcQuirks are checked strictly too.
fn check_personality(options: &Options, info_plist: &plist::Dictionary) -> Result<(), CliError> {
    let Some(name) = &options.personality else { return Ok(()) };
    if let Some(path) = &options.plist {
        crate::personality::read(path, Some(name)).map_err(|e| CliError(e.to_string()))?;
        return Ok(());
    }
    let names: Vec<&str> = info_plist
        .get("IOKitPersonalities")
        .and_then(plist::Value::as_dictionary)
        .map(|d| d.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if names.contains(&name.as_str()) {
        Ok(())
    } else {
        Err(CliError(format!(
            "the built-in Info.plist has no personality {name} (has: {})",
            names.join(", ")
        )))
    }
}

/// A simulated enclosure's personality quirks, then `--quirk` / `--no-quirk`, as SbcQuirks
/// entries under the names the dext looks up (later entries win).
fn quirk_entries(options: &Options) -> Result<Vec<(String, bool)>, CliError> {
    let named = |names: &[String], on: bool| -> Result<Vec<(String, bool)>, CliError> {
        Ok(quirk_set(names)?.names().map(|n| (n.to_string(), on)).collect())
    };
    let mut entries: Vec<(String, bool)> =
        sim_personality_quirks(options)?.names().map(|n| (n.to_string(), true)).collect();
    entries.extend(named(&options.quirks, true)?);
    entries.extend(named(&options.no_quirks, false)?);
    Ok(entries)
}

fn not_loaded(why: &str, json: bool) -> String {
    if json {
        let value = json!({
            "result": "not-loaded",
            "reason": {"kind": "not-loaded", "message": why},
        });
        serde_json::to_string_pretty(&value).expect("a Value always serializes") + "\n"
    } else {
        format!("{:<22}not loaded: {why}\n", "dext")
    }
}

/// The published report (the registry's), then what the kernel did.
fn outcome_json(o: &KernelOutcome, options: &Options) -> Value {
    let mut v = o.report().map_or_else(|| json!({"result": "not-characterized"}), |r| r.to_json());
    v["matched_personality"] = json!(o.matched.name);
    v["score"] = json!(o.matched.score);
    v["ioclass"] = json!(o.ioclass);
    v["commands"] = json!(o.transcript.len());
    v[time_key(o.clock)] = json!(o.elapsed.as_millis());
    v["registry"] = service_json(&o.registry);
    if options.transcript {
        v["transcript"] = transcript_json(&o.transcript);
    }
    if options.log {
        v["log"] = o.log.iter().map(|l| json!({"at_ms": l.at_ms, "message": l.text})).collect();
    }
    v
}

fn service_json(s: &Service) -> Value {
    json!({
        "name": s.name,
        "class": s.class,
        "registered": s.registered,
        "properties": s.properties.iter().map(|(k, v)| (k.clone(), v.to_json())).collect::<serde_json::Map<_, _>>(),
        "children": s.children.iter().map(service_json).collect::<Vec<_>>(),
    })
}

fn human(o: &KernelOutcome, options: &Options) -> String {
    let mut out = match o.report() {
        Some(report) => report_text::rows(&report.to_json()),
        None => format!("{:<22}not characterized (IOClass {})\n", "verdict", o.ioclass),
    };
    out.push_str(&format!(
        "{:<22}{} (score {}, {})\n",
        "personality", o.matched.name, o.matched.score, o.ioclass
    ));
    out.push_str(&commands_row(o.transcript.len(), o.elapsed.as_millis(), o.clock));
    if options.transcript {
        out.push_str(&transcript_text(&o.transcript));
    }
    if options.ioreg {
        out.push_str("\nioreg -l:\n");
        out.push_str(&o.registry.ioreg());
    }
    if options.log {
        out.push_str("\nlog stream:\n");
        for line in &o.log {
            out.push_str(&format!("  {:>8} ms  {}\n", line.at_ms, line.text));
        }
    }
    out
}
