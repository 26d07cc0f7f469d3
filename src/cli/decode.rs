//! `sbc-dext decode KIND`: a captured response buffer through the core's decoders.
//!
//! Each kind is rendered once, into a JSON value whose keys are the spec's field names in
//! snake_case (the stable `--json` output); the human output is the same tree printed as
//! indented `key: value` lines. Absent fields (past the end of a truncated buffer) are
//! `null`; open code values are `{"code": N, "name": "..."|null}`.

use clap::ValueEnum;
use serde_json::{json, Map, Value};

use sbc_core::wire::{self, Decoded};

use super::CliError;

mod ata;
mod nvme;
mod pages;

/// What a captured buffer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Standard INQUIRY data.
    Inquiry,
    /// Any VPD page (chosen by its page code).
    Vpd,
    /// READ CAPACITY(10) parameter data.
    Readcap10,
    /// READ CAPACITY(16) parameter data.
    Readcap16,
    /// MODE SENSE(6) parameter data.
    Mode6,
    /// MODE SENSE(10) parameter data.
    Mode10,
    /// REPORT LUNS parameter data.
    Luns,
    /// REPORT SUPPORTED OPERATION CODES parameter data (all-commands form).
    Opcodes,
    /// GET LBA STATUS parameter data.
    LbaStatus,
    /// ATA IDENTIFY DEVICE data (512 bytes, through ATA PASS-THROUGH).
    AtaIdentify,
    /// ATA SMART READ DATA (512 bytes).
    SmartData,
    /// ATA SMART READ THRESHOLDS (512 bytes).
    SmartThresholds,
    /// NVMe Identify Controller data structure (4096 bytes, through a USB bridge).
    NvmeIdentifyCtrl,
    /// NVMe SMART / Health Information log page (512 bytes, through a USB bridge).
    NvmeSmartLog,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Inquiry => "inquiry",
            Kind::Vpd => "vpd",
            Kind::Readcap10 => "readcap10",
            Kind::Readcap16 => "readcap16",
            Kind::Mode6 => "mode6",
            Kind::Mode10 => "mode10",
            Kind::Luns => "luns",
            Kind::Opcodes => "opcodes",
            Kind::LbaStatus => "lba-status",
            Kind::AtaIdentify => "ata-identify",
            Kind::SmartData => "smart-data",
            Kind::SmartThresholds => "smart-thresholds",
            Kind::NvmeIdentifyCtrl => "nvme-identify-ctrl",
            Kind::NvmeSmartLog => "nvme-smart-log",
        }
    }
}

/// Decodes `bytes` as `kind` and renders it as text or JSON.
///
/// # Errors
/// The decoder's error (truncated below the header, or not this format), as one line.
pub fn render(kind: Kind, bytes: &[u8], json: bool) -> Result<String, CliError> {
    let value = decode(kind, bytes)
        .map_err(|e| CliError(format!("{} ({} bytes): {e}", kind.label(), bytes.len())))?;
    Ok(if json {
        let mut text = serde_json::to_string_pretty(&value).expect("a Value always serializes");
        text.push('\n');
        text
    } else {
        let mut text = String::new();
        write_human(&mut text, &value, 0);
        text
    })
}

/// The JSON tree for one buffer: `{"kind", "length": {announced, available, truncated},
/// "data": {...}}`.
pub fn decode(kind: Kind, bytes: &[u8]) -> Result<Value, wire::Error> {
    let (data, announced, available) = match kind {
        Kind::Inquiry => framed(wire::inquiry::InquiryData::parse(bytes)?, pages::inquiry),
        Kind::Vpd => framed(wire::vpd::decode(bytes)?, pages::vpd),
        Kind::Readcap10 => {
            framed(wire::read_capacity::ReadCapacity10::parse(bytes)?, pages::read_capacity_10)
        }
        Kind::Readcap16 => {
            framed(wire::read_capacity::ReadCapacity16::parse(bytes)?, pages::read_capacity_16)
        }
        Kind::Mode6 => pages::mode_sense(bytes, false)?,
        Kind::Mode10 => pages::mode_sense(bytes, true)?,
        Kind::Luns => framed(wire::report_luns::ReportLuns::parse(bytes)?, pages::report_luns),
        Kind::Opcodes => pages::supported_opcodes(bytes)?,
        Kind::LbaStatus => framed(wire::lba_status::LbaStatus::parse(bytes)?, pages::lba_status),
        Kind::AtaIdentify => {
            framed(wire::ata_identify::IdentifyDevice::parse(bytes), ata::identify)
        }
        Kind::SmartData => framed(wire::smart::SmartData::parse(bytes)?, ata::smart_data),
        Kind::SmartThresholds => {
            framed(wire::smart::SmartThresholds::parse(bytes)?, ata::smart_thresholds)
        }
        Kind::NvmeIdentifyCtrl => {
            framed(wire::nvme::IdentifyController::parse(bytes), nvme::serde_form)
        }
        Kind::NvmeSmartLog => framed(wire::nvme::SmartHealthLog::parse(bytes)?, nvme::serde_form),
    };
    Ok(json!({
        "kind": kind.label(),
        "length": {
            "announced": announced,
            "available": available,
            "truncated": available < announced,
        },
        "data": data,
    }))
}

fn framed<T>(decoded: Decoded<T>, render: impl FnOnce(&T) -> Value) -> (Value, usize, usize) {
    (render(&decoded.value), decoded.announced, decoded.available)
}

/// `{"code": N, "name": ...}` for an open code value.
pub(crate) fn named(code: impl Into<u64>, name: Option<&str>) -> Value {
    json!({ "code": code.into(), "name": name })
}

/// Bytes as a lower-case hex string without separators.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A trimmed ASCII field as a JSON string (non-printable bytes escaped as `\xNN`).
pub(crate) fn ascii(field: Option<wire::Ascii<'_>>) -> Value {
    field.map_or(Value::Null, |a| Value::String(a.to_string()))
}

fn write_human(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Object(map) => write_object(out, map, depth),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let pad = "  ".repeat(depth);
                if is_scalar(item) {
                    out.push_str(&format!("{pad}[{i}] {}\n", scalar(item)));
                } else {
                    out.push_str(&format!("{pad}[{i}]\n"));
                    write_human(out, item, depth + 1);
                }
            }
        }
        other => out.push_str(&format!("{}{}\n", "  ".repeat(depth), scalar(other))),
    }
}

fn write_object(out: &mut String, map: &Map<String, Value>, depth: usize) {
    let pad = "  ".repeat(depth);
    for (key, value) in map {
        if let Some(text) = code_name(value) {
            out.push_str(&format!("{pad}{key}: {text}\n"));
        } else if is_scalar(value) {
            out.push_str(&format!("{pad}{key}: {}\n", scalar(value)));
        } else if value.as_array().is_some_and(|a| a.is_empty()) {
            out.push_str(&format!("{pad}{key}: (none)\n"));
        } else {
            out.push_str(&format!("{pad}{key}:\n"));
            write_human(out, value, depth + 1);
        }
    }
}

/// `{"code", "name"}` pairs print as `0x08 (name)` on one line.
fn code_name(value: &Value) -> Option<String> {
    let map = value.as_object()?;
    if map.len() != 2 {
        return None;
    }
    let code = map.get("code")?.as_u64()?;
    Some(match map.get("name")?.as_str() {
        Some(name) => format!("{code:#04x} ({name})"),
        None => format!("{code:#04x}"),
    })
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "(absent)".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
