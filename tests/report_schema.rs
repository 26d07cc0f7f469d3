//! The published report schema (docs/report-schema.md) as `attach --json` and the text
//! output show it: every key present, in order, for accepted and refused devices; values
//! structured (warnings and reasons are objects with a kind and a message); and no Rust
//! `Debug` text anywhere a user reads the report.

use serde_json::Value;

use sbc_core::attach::{Config, Published, Verdict};
use sbc_dext::attach::run;
use sbc_dext::cli::attach::{attach, outcome_json, Options};
use sbc_dext::cli::decode::{decode, Kind};
use sbc_dext::sim::{zoo, Disk};

const TOP: &[&str] = &[
    "result",
    "reason",
    "characteristics",
    "quirks",
    "warnings",
    "smart",
    "commands",
    "virtual_time_ms",
];

const CHARACTERISTICS: &[&str] = &[
    "vendor",
    "product",
    "revision",
    "serial",
    "designators",
    "peripheral_device_type",
    "version",
    "removable",
    "medium_present",
    "block_count",
    "logical_block_size",
    "physical_block_size",
    "lowest_aligned_lba",
    "protection_type",
    "lbpme",
    "lbprz",
    "discard",
    "max_transfer_blocks",
    "optimal_transfer_blocks",
    "rotation_rate",
    "form_factor",
    "write_protected",
    "write_cache",
    "read_cache_disabled",
    "fua",
    "sat",
    "usb_id",
];

const SAT: &[&str] = &[
    "vendor",
    "product",
    "revision",
    "ata_model",
    "ata_serial",
    "ata_firmware",
    "smart_supported",
    "smart_enabled",
];

/// `smart`, for both transports (docs/report-schema.md §smart).
const SMART: &[&str] = &[
    "transport",
    "available",
    "unavailable",
    "pass_through",
    "health",
    "health_detail",
    "model",
    "serial",
    "firmware",
    "temperature_c",
    "power_on_hours",
    "power_cycles",
    "reallocated_sectors",
    "pending_sectors",
    "offline_uncorrectable",
    "attributes",
    "nvme",
    "warnings",
];

/// `smart.nvme`.
const NVME: &[&str] = &["identify_controller", "smart_health_log", "status"];

fn run_json(profile: &str, transcript: bool) -> Value {
    // The engine's --json: every key, null when absent (the whole stack's JSON is the
    // registry's tree, which leaves absent values out; tests/kernel_model.rs compares them).
    let options = Options {
        target: Some(format!("sim:{profile}")),
        json: true,
        transcript,
        engine: true,
        ..Options::default()
    };
    let (text, _) = attach(&options).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn run_text(profile: &str) -> String {
    let options =
        Options { target: Some(format!("sim:{profile}")), engine: true, ..Options::default() };
    attach(&options).unwrap().0
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// A refusal or warning: `{kind, <fields>, message}` with a kebab-case kind.
fn check_kind_and_message(v: &Value, what: &str) {
    let k = keys(v);
    assert_eq!(k.first(), Some(&"kind"), "{what}: {v}");
    assert_eq!(k.last(), Some(&"message"), "{what}: {v}");
    let kind = v["kind"].as_str().unwrap();
    assert!(
        !kind.is_empty()
            && kind.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'),
        "{what}: kind {kind:?}"
    );
    let message = v["message"].as_str().unwrap();
    assert!(!message.is_empty() && !message.contains('\n'), "{what}: message {message:?}");
}

#[test]
fn an_accepted_device_has_every_key() {
    let v = run_json("sat-bridge", false);
    assert_eq!(keys(&v), TOP);
    assert_eq!(v["result"], "accept");
    assert_eq!(v["reason"], Value::Null);
    assert_eq!(keys(&v["characteristics"]), CHARACTERISTICS);
    assert_eq!(keys(&v["characteristics"]["sat"]), SAT);
    for d in v["characteristics"]["designators"].as_array().unwrap() {
        assert_eq!(keys(d), ["type", "code_set", "association", "value"]);
    }
    let with = run_json("sat-bridge", true);
    let mut top = TOP.to_vec();
    top.push("transcript");
    assert_eq!(keys(&with), top);
}

#[test]
fn smart_has_one_schema_for_sat_and_nvme() {
    let sat = run_json("sat-bridge", false);
    assert_eq!(keys(&sat["smart"]), SMART);
    assert_eq!(sat["smart"]["transport"], "sat");
    assert_eq!(sat["smart"]["nvme"], Value::Null);
    for (profile, transport) in [
        ("nvme-asmedia", "nvme-asmedia"),
        ("nvme-jmicron", "nvme-jmicron"),
        ("nvme-realtek", "nvme-realtek"),
    ] {
        let v = run_json(profile, false);
        let smart = &v["smart"];
        assert_eq!(keys(smart), SMART, "{profile}");
        assert_eq!(smart["transport"], transport, "{profile}");
        assert_eq!(smart["attributes"], Value::Array(vec![]), "{profile}");
        assert_eq!(smart["reallocated_sectors"], Value::Null, "{profile}");
        assert_eq!(keys(&smart["nvme"]), NVME, "{profile}");
        assert!(["passed", "warning", "failing", "unknown"]
            .contains(&smart["health"].as_str().unwrap()));
        // Temperatures as kelvins and degrees, counters as numbers (strings past 2^64).
        let log = &smart["nvme"]["smart_health_log"];
        assert!(log["composite_temperature"]["kelvin"].is_u64(), "{profile}: {log}");
        assert!(log["bytes_written"].is_u64(), "{profile}");
        assert_eq!(log["health"], "passed", "{profile}");
        // `decode` of the drive's own bytes prints the same objects: one schema.
        let bridge = zoo::by_name(profile).unwrap().nvme_bridge.unwrap();
        let decoded = decode(Kind::NvmeSmartLog, &bridge.smart_log).unwrap();
        assert_eq!(decoded["data"], *log, "{profile}");
        let decoded = decode(Kind::NvmeIdentifyCtrl, &bridge.identify).unwrap();
        assert_eq!(decoded["data"], smart["nvme"]["identify_controller"], "{profile}");
    }
}

#[test]
fn a_refused_device_has_every_key() {
    for profile in ["lun-not-connected", "cdrom", "block-520"] {
        let v = run_json(profile, false);
        assert_eq!(keys(&v), TOP, "{profile}");
        assert_eq!(v["result"], "refuse", "{profile}");
        assert_eq!(keys(&v["characteristics"]), CHARACTERISTICS, "{profile}");
        check_kind_and_message(&v["reason"], profile);
        // The text output's verdict line is the same message.
        let text = run_text(profile);
        let message = v["reason"]["message"].as_str().unwrap();
        assert!(text.starts_with(&format!("{:<22}refuse: {message}\n", "verdict")), "{text}");
    }
    let v = run_json("block-520", false);
    assert_eq!(v["reason"]["kind"], "unsupported-block-length");
    assert_eq!(v["reason"]["length"], 520);
    let v = run_json("cdrom", false);
    assert_eq!(v["reason"]["kind"], "not-direct-access");
    assert_eq!(v["reason"]["peripheral_device_type"], "CD/DVD device");
}

#[test]
fn values_are_structured() {
    let v = run_json("hdd-512e", false);
    let c = &v["characteristics"];
    assert!(
        c["rotation_rate"].is_u64()
            || c["rotation_rate"] == "non-rotating"
            || c["rotation_rate"].is_null()
    );
    assert!(["none", "unmap", "write-same-16", "write-same-10"]
        .contains(&c["discard"].as_str().unwrap()));
    assert_eq!(run_json("sim", false)["characteristics"]["rotation_rate"], "non-rotating");
    let thin = run_json("thin-lun", false);
    assert_ne!(thin["characteristics"]["discard"], "none");
    // Every profile's warnings are objects with a kind and a message; the text shows the
    // messages.
    let mut kinds = 0;
    for profile in zoo::NAMES {
        let v = run_json(profile, false);
        let text = run_text(profile);
        for w in v["warnings"].as_array().unwrap() {
            check_kind_and_message(w, profile);
            let message = w["message"].as_str().unwrap();
            assert!(text.contains(&format!("{:<22}{message}\n", "warning")), "{profile}: {text}");
            kinds += 1;
        }
    }
    assert!(kinds > 0, "the zoo raises warnings");
}

/// `outcome_json` is `Published` plus the host's keys: the schema has one source.
#[test]
fn the_json_is_the_published_report_plus_host_keys() {
    for profile in zoo::all() {
        let name = profile.name.clone();
        let outcome = run(Config::default(), &mut Disk::new(profile)).unwrap();
        let mut report = outcome.report;
        report.verdict = Some(outcome.verdict);
        let published = serde_json::to_value(Published(&report)).unwrap();
        let mut full = outcome_json(&outcome, false);
        let host = full.as_object_mut().unwrap();
        assert_eq!(host.remove("commands"), Some(outcome.transcript.len().into()), "{name}");
        assert!(host.remove("virtual_time_ms").is_some(), "{name}");
        assert_eq!(full, published, "{name}");
        assert_eq!(outcome.report.verdict, Some(outcome.verdict), "{name}");
        if outcome.verdict == Verdict::Accept {
            assert_eq!(published["reason"], Value::Null);
        }
    }
}

/// Whether `s` looks like Rust `Debug` output: a CamelCase word (`CapacityAdjusted`,
/// `WriteSame16`), a capitalized word opening a parenthesis (`Rpm(7200)`, `Some(`), or
/// `None`/`Unknown` as a value.
fn debug_text(s: &str) -> Option<String> {
    let words = s.split(|c: char| !c.is_ascii_alphanumeric() && c != '_');
    for word in words {
        let mut chars = word.chars();
        let camel = chars.next().is_some_and(|c| c.is_ascii_uppercase()) && {
            let rest: Vec<char> = chars.collect();
            rest.windows(2).any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
        };
        if camel || word == "None" || word == "Unknown" {
            return Some(word.to_string());
        }
    }
    let b = s.as_bytes();
    for (i, _) in s.match_indices('(') {
        let start = b[..i].iter().rposition(|c| !c.is_ascii_alphanumeric()).map_or(0, |p| p + 1);
        let word = &s[start..i];
        if word.len() > 1
            && word.as_bytes()[0].is_ascii_uppercase()
            && word.bytes().skip(1).any(|c| c.is_ascii_lowercase())
        {
            return Some(format!("{word}("));
        }
    }
    None
}

#[test]
fn the_pattern_finds_debug_text() {
    for debug in ["Rpm(7200)", "CapacityAdjusted", "None", "Some(true)", "[VpdPageFailed { page }]"]
    {
        assert!(debug_text(debug).is_some(), "{debug}");
    }
    for plain in ["7200 rpm", "READ CAPACITY(16) failed", "NAA (binary, logical unit) 5000", "none"]
    {
        assert_eq!(debug_text(plain), None, "{plain}");
    }
}

/// Strings a user reads that the driver wrote (device-supplied text excluded: vendor
/// strings like "JetFlash" are CamelCase on their own).
fn driver_strings<'a>(v: &'a Value, key: &str, out: &mut Vec<(String, &'a str)>) {
    const DEVICE_TEXT: &[&str] = &[
        "vendor",
        "product",
        "revision",
        "serial",
        "value",
        "ata_model",
        "ata_serial",
        "ata_firmware",
    ];
    match v {
        Value::String(s) if !DEVICE_TEXT.contains(&key) => out.push((key.to_string(), s)),
        Value::Array(items) => items.iter().for_each(|i| driver_strings(i, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, i)| driver_strings(i, k, out)),
        _ => {}
    }
}

#[test]
fn no_debug_text_in_any_profile() {
    for profile in zoo::NAMES {
        let v = run_json(profile, false);
        let mut strings = Vec::new();
        driver_strings(&v, "", &mut strings);
        assert!(!strings.is_empty());
        for (key, s) in strings {
            assert_eq!(debug_text(s), None, "{profile}: JSON {key}: {s:?}");
        }
        // Every text row but those that print what the device sent.
        let text = run_text(profile);
        for line in text.lines() {
            let (row, value) = line.split_at(line.len().min(22));
            let row = row.trim_end();
            if ["vendor", "product", "revision", "serial", "designator", "SAT"].contains(&row) {
                continue;
            }
            assert_eq!(debug_text(value), None, "{profile}: text {line:?}");
        }
    }
    // The device rows print the device's text and the driver's names around it.
    let text = run_text("sim");
    let naa = text.lines().find(|l| l.starts_with("designator") && l.contains("NAA")).unwrap();
    assert!(naa.contains("NAA (binary, addressed logical unit) "), "{naa}");
}
