//! `sbc-dext sense`: decode sense data and say what the driver would do about it.
//!
//! The action is the core policy's answer for a READ(10) that ended in CHECK CONDITION with
//! these sense bytes, first attempt, no quirks: the question a user with a captured sense
//! buffer usually has ("will the driver retry this?").

use serde_json::{json, Value};

use sbc_core::policy::{self, CommandKind, Input};
use sbc_core::sense::{self, Parsed, Sense, SenseFormat};
use sbc_core::wire::status::{TaskOutcome, TaskStatus};

use super::decode::hex;
use super::CliError;

/// Parses sense bytes given as command-line arguments (`70 00 05 ...`, `0x70`, `7000`,
/// `70,00,05`). Each argument is bytes on its own: there are no comments (a `#` argument is
/// an error, not the start of a comment that would drop every later byte), and an argument
/// that is not hex bytes is an error naming it.
///
/// # Errors
/// An argument that is not hex bytes, more than [`super::MAX_CAPTURE`] bytes, or no bytes.
pub fn bytes_from_args(args: &[String]) -> Result<Vec<u8>, CliError> {
    let mut out = Vec::new();
    for arg in args {
        let bad = || CliError(format!("sense bytes: argument '{arg}' is not hex bytes"));
        if arg.bytes().any(|c| c == b'#' || c.is_ascii_control()) {
            return Err(bad());
        }
        let mut bytes = vec![0u8; arg.len() / 2 + 1];
        let n = sbc_core::capture::parse_hex(arg.as_bytes(), &mut bytes).map_err(|e| {
            CliError(format!("sense bytes: argument '{arg}' is not hex bytes: {e}"))
        })?;
        if n == 0 {
            return Err(bad());
        }
        out.extend_from_slice(&bytes[..n]);
        if out.len() > super::MAX_CAPTURE {
            return Err(CliError(format!("sense bytes: more than {} bytes", super::MAX_CAPTURE)));
        }
    }
    if out.is_empty() {
        return Err(CliError("no sense bytes given (pass hex bytes, or -f FILE)".into()));
    }
    Ok(out)
}

/// Decodes `bytes` and renders the result as text or JSON.
///
/// # Errors
/// Bytes that are not sense data (an unknown response code, or too short for a sense key).
pub fn render(bytes: &[u8], json: bool) -> Result<String, CliError> {
    let parsed = sense::parse(bytes);
    let value = match &parsed {
        Err(e) => return Err(CliError(format!("not sense data ({} bytes): {e}", bytes.len()))),
        Ok(Parsed::NoSense) => json!({
            "format": null,
            "no_sense": true,
            "action": action(&parsed),
        }),
        Ok(Parsed::Sense(decoded)) => {
            let mut v = sense_json(&decoded.value);
            v["truncated"] = json!(decoded.is_truncated());
            v["action"] = json!(action(&parsed));
            v
        }
    };
    Ok(if json {
        serde_json::to_string_pretty(&value).expect("a Value always serializes") + "\n"
    } else {
        human(&parsed, &value)
    })
}

/// The policy's action after a READ(10) with these sense bytes.
fn action(parsed: &Result<Parsed<'_>, sense::Error>) -> String {
    let input = Input::new(
        TaskOutcome::Complete(TaskStatus::CHECK_CONDITION),
        policy::usable_sense(parsed),
        CommandKind::Read,
    );
    policy::decide(&input).to_string()
}

fn sense_json(s: &Sense<'_>) -> Value {
    let descriptors: Vec<Value> = s
        .descriptors()
        .map(|d| match d {
            Ok(raw) => json!({
                "type": raw.descriptor_type(),
                "bytes": hex(raw.bytes),
                "decoded": format!("{:?}", raw.decode()),
            }),
            Err(overrun) => json!({
                "type": overrun.descriptor_type,
                "overrun": format!("{overrun:?}"),
            }),
        })
        .collect();
    json!({
        "format": match s.format { SenseFormat::Fixed => "fixed", SenseFormat::Descriptor => "descriptor" },
        "deferred": s.deferred,
        "response_code": s.response_code,
        "sense_key": s.sense_key.0,
        "sense_key_name": s.sense_key.name(),
        "asc": s.asc,
        "ascq": s.ascq,
        "description": s.asc_text().to_string(),
        "information": s.information,
        "command_specific_information": s.command_specific,
        "sense_key_specific": s.sense_key_specific.map(|k| k.to_string()),
        "field_replaceable_unit_code": s.field_replaceable_unit_code,
        "filemark": s.filemark,
        "eom": s.eom,
        "ili": s.ili,
        "descriptors": descriptors,
    })
}

fn human(parsed: &Result<Parsed<'_>, sense::Error>, value: &Value) -> String {
    let mut out = String::new();
    let Ok(Parsed::Sense(decoded)) = parsed else {
        out.push_str("no sense data (empty or all-zero buffer)\n");
        out.push_str(&format!(
            "action after READ(10): {}\n",
            value["action"].as_str().unwrap_or("")
        ));
        return out;
    };
    let s = &decoded.value;
    let line = |out: &mut String, k: &str, v: String| out.push_str(&format!("{k:<22}{v}\n"));
    line(
        &mut out,
        "format",
        format!(
            "{} ({})",
            value["format"].as_str().unwrap_or(""),
            if s.deferred { "deferred" } else { "current" }
        ),
    );
    line(&mut out, "response code", format!("{:#04x}", s.response_code));
    line(
        &mut out,
        "sense key",
        format!("{:#x} ({})", s.sense_key.0, s.sense_key.name().unwrap_or("reserved")),
    );
    line(&mut out, "asc/ascq", format!("{:02x}/{:02x}: {}", s.asc, s.ascq, s.asc_text()));
    if let Some(info) = s.information {
        line(&mut out, "information", format!("{info:#x} ({info})"));
    }
    if let Some(csi) = s.command_specific {
        line(&mut out, "command-specific", format!("{csi:#x}"));
    }
    if let Some(sks) = s.sense_key_specific {
        line(&mut out, "sense-key specific", sks.to_string());
    }
    if let Some(fru) = s.field_replaceable_unit_code {
        line(&mut out, "FRU code", format!("{fru:#04x}"));
    }
    if s.filemark || s.eom || s.ili {
        line(&mut out, "flags", format!("FILEMARK={} EOM={} ILI={}", s.filemark, s.eom, s.ili));
    }
    if decoded.is_truncated() {
        line(
            &mut out,
            "truncated",
            format!("{} of {} bytes", decoded.available, decoded.announced),
        );
    }
    for (i, d) in value["descriptors"].as_array().into_iter().flatten().enumerate() {
        let text =
            d.get("decoded").or_else(|| d.get("overrun")).and_then(Value::as_str).unwrap_or("");
        line(
            &mut out,
            &format!("descriptor {i}"),
            format!("type {:#04x}: {text}", d["type"].as_u64().unwrap_or(0)),
        );
    }
    line(&mut out, "action after READ(10)", value["action"].as_str().unwrap_or("").to_string());
    out
}
