//! The attach report as text, rendered from the published schema (docs/report-schema.md):
//! the same tree the dext puts in the I/O Registry and `--json` prints, so the three never
//! disagree. Absent values (left out of the registry) read as "unknown" / "not reported".

use std::fmt::Write;

use serde_json::Value;

/// `key  value` rows of a published report tree.
pub fn rows(tree: &Value) -> String {
    let c = &tree["characteristics"];
    let mut out = String::new();
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "{k:<22}{v}");
    };
    let verdict = match tree["result"].as_str() {
        Some("accept") => "accept".to_string(),
        Some("refuse") => format!("refuse: {}", text(&tree["reason"]["message"])),
        other => other.unwrap_or("unknown").to_string(),
    };
    row("verdict", verdict);
    for key in ["vendor", "product", "revision", "serial"] {
        row(key, text(&c[key]));
    }
    for d in c["designators"].as_array().into_iter().flatten() {
        let (t, set, assoc) = (text(&d["type"]), text(&d["code_set"]), text(&d["association"]));
        row("designator", format!("{t} ({set}, {assoc}) {}", text(&d["value"])));
    }
    row(
        "removable",
        format!("{} (medium present: {})", text(&c["removable"]), text(&c["medium_present"])),
    );
    let (count, length) =
        (c["block_count"].as_u64().unwrap_or(0), c["logical_block_size"].as_u64().unwrap_or(0));
    let bytes = u128::from(count) * u128::from(length);
    row("capacity", format!("{count} blocks x {length} bytes = {bytes} bytes"));
    row(
        "physical block",
        format!(
            "{} bytes (lowest aligned LBA {})",
            text(&c["physical_block_size"]),
            text(&c["lowest_aligned_lba"])
        ),
    );
    row("protection type", text(&c["protection_type"]));
    row(
        "provisioning",
        format!(
            "LBPME={} LBPRZ={} discard={}",
            text(&c["lbpme"]),
            text(&c["lbprz"]),
            text(&c["discard"])
        ),
    );
    row("max transfer", blocks(&c["max_transfer_blocks"]));
    row("optimal transfer", blocks(&c["optimal_transfer_blocks"]));
    row(
        "rotation",
        match &c["rotation_rate"] {
            Value::Number(n) => format!("{n} rpm"),
            Value::Null => "unknown".into(),
            other => text(other),
        },
    );
    row("form factor", text(&c["form_factor"]));
    row("write protected", text(&c["write_protected"]));
    row("write cache", or_unknown(&c["write_cache"]));
    row("FUA", text(&c["fua"]));
    let sat = &c["sat"];
    row(
        "SAT",
        if sat.is_object() {
            format!(
                "{} {} {}: ATA {} {} {}",
                text(&sat["vendor"]),
                text(&sat["product"]),
                text(&sat["revision"]),
                text(&sat["ata_model"]),
                text(&sat["ata_serial"]),
                text(&sat["ata_firmware"])
            )
        } else {
            "no".into()
        },
    );
    if c["usb_id"].is_string() {
        row("USB ID", text(&c["usb_id"]));
    }
    let quirks: Vec<String> = tree["quirks"].as_array().into_iter().flatten().map(text).collect();
    row("quirks", quirks.join(", "));
    for w in tree["warnings"].as_array().into_iter().flatten() {
        row("warning", text(&w["message"]));
    }
    if tree["smart"].is_object() {
        out.push_str(&smart_rows(&tree["smart"]));
    }
    out
}

/// The `smart` subtree: the verdict and the numbers a disk owner looks for, then the
/// attribute table.
fn smart_rows(smart: &Value) -> String {
    let mut out = String::new();
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "{k:<22}{v}");
    };
    if smart["available"] != Value::Bool(true) {
        row("SMART", format!("unavailable: {}", or_unknown(&smart["unavailable"])));
        return out;
    }
    row(
        "SMART",
        format!(
            "{} ({} {}, firmware {}; {})",
            text(&smart["health_detail"]),
            text(&smart["model"]),
            text(&smart["serial"]),
            text(&smart["firmware"]),
            text(&smart["pass_through"])
        ),
    );
    let number =
        |key: &str| smart[key].as_u64().map_or_else(|| "unknown".to_string(), |n| n.to_string());
    row(
        "temperature",
        smart["temperature_c"].as_u64().map_or("unknown".into(), |t| format!("{t} °C")),
    );
    row(
        "power on",
        format!("{} hours, {} power cycles", number("power_on_hours"), number("power_cycles")),
    );
    if smart["nvme"].is_object() {
        for w in smart["warnings"].as_array().into_iter().flatten() {
            row("SMART warning", text(w));
        }
        out.push_str(&nvme_rows(&smart["nvme"]));
        return out;
    }
    row(
        "bad sectors",
        format!(
            "reallocated {}, pending {}, offline uncorrectable {}",
            number("reallocated_sectors"),
            number("pending_sectors"),
            number("offline_uncorrectable")
        ),
    );
    for w in smart["warnings"].as_array().into_iter().flatten() {
        row("SMART warning", text(w));
    }
    let _ = writeln!(
        out,
        "\nSMART attributes:\n  {:>3}  {:<32} {:>5} {:>5} {:>6}  {:<14}  type",
        "ID", "name", "value", "worst", "thresh", "raw"
    );
    for a in smart["attributes"].as_array().into_iter().flatten() {
        let kind = if a["prefailure"] == Value::Bool(true) { "pre-failure" } else { "old-age" };
        let _ = writeln!(
            out,
            "  {:>3}  {:<32} {:>5} {:>5} {:>6}  {:<14}  {kind}",
            text(&a["id"]),
            or_unknown(&a["name"]),
            text(&a["value"]),
            text(&a["worst"]),
            or_unknown(&a["threshold"]),
            text(&a["raw"]),
        );
    }
    out
}

/// `smart.nvme`: the controller, then the SMART / Health log's numbers (NVMe Base 2.0a
/// Figures 275 and 207), as `smartctl -a` shows them for an NVMe drive.
fn nvme_rows(nvme: &Value) -> String {
    let mut out = String::new();
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "{k:<22}{v}");
    };
    let id = &nvme["identify_controller"];
    let log = &nvme["smart_health_log"];
    row(
        "NVMe controller",
        format!(
            "version {}, controller ID {}, {} namespace(s), IEEE OUI {}",
            or_unknown(&id["version"]),
            or_unknown(&id["controller_id"]),
            or_unknown(&id["number_of_namespaces"]),
            or_unknown(&id["ieee_oui"])
        ),
    );
    row(
        "temperature limits",
        format!("warning {}, critical {}", celsius(&id["wctemp"]), celsius(&id["cctemp"])),
    );
    let warning = &log["critical_warning"];
    let set: Vec<String> = warning["set"].as_array().into_iter().flatten().map(text).collect();
    let warning = match warning["value"].as_u64() {
        Some(w) if set.is_empty() => format!("{w:#04x}"),
        Some(w) => format!("{w:#04x} ({})", set.join(", ")),
        None => "unknown".into(),
    };
    row("critical warning", warning);
    row(
        "available spare",
        format!(
            "{}% (threshold {}%)",
            or_unknown(&log["available_spare"]),
            or_unknown(&log["available_spare_threshold"])
        ),
    );
    row("percentage used", format!("{}%", or_unknown(&log["percentage_used"])));
    row("data read", bytes(&log["bytes_read"]));
    row("data written", bytes(&log["bytes_written"]));
    for (key, label) in [
        ("unsafe_shutdowns", "unsafe shutdowns"),
        ("media_errors", "media errors"),
        ("error_log_entries", "error log entries"),
    ] {
        row(label, or_unknown(&log[key]));
    }
    row(
        "over temperature",
        format!(
            "{} min above warning, {} min above critical",
            or_unknown(&log["warning_temperature_minutes"]),
            or_unknown(&log["critical_temperature_minutes"])
        ),
    );
    let sensors: Vec<String> = log["temperature_sensors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| format!("{}: {}", text(&t["sensor"]), celsius(t)))
        .collect();
    if !sensors.is_empty() {
        row("temperature sensors", sensors.join(", "));
    }
    out
}

/// `{kelvin, celsius}` as `45 °C`; a threshold of 0 K (none) or absent as "not reported".
fn celsius(t: &Value) -> String {
    t["celsius"].as_i64().map_or_else(|| "not reported".into(), |c| format!("{c} °C"))
}

/// A byte count (a number, or a decimal string past 2^64) with its size in decimal units.
fn bytes(v: &Value) -> String {
    let Some(n) = v.as_u64().map(u128::from).or_else(|| v.as_str()?.parse().ok()) else {
        return "unknown".into();
    };
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
    let (mut scaled, mut unit) = (n as f64, 0);
    while scaled >= 1000.0 && unit + 1 < units.len() {
        scaled /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        format!("{n} bytes ({scaled:.2} {})", units[unit])
    }
}

/// A value as text: strings as they are, numbers and booleans as JSON writes them, absent
/// as the empty string.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn blocks(v: &Value) -> String {
    v.as_u64().map_or_else(|| "not reported".into(), |n| format!("{n} blocks"))
}

fn or_unknown(v: &Value) -> String {
    if v.is_null() {
        "unknown".into()
    } else {
        text(v)
    }
}

/// `value` with every null member and element left out, as the registry has it (it has no
/// null), so text from `--json` and text from the registry are the same.
pub fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.into_iter().filter(|v| !v.is_null()).map(without_nulls).collect())
        }
        other => other,
    }
}
