//! IDENTIFY DEVICE and SMART decoding of 13 real drives (libatasmart's blob examples in
//! `tests/fixtures/smart-blobs/`) against `skdump --load=FILE` (libatasmart 0.19, package
//! libatasmart-bin; scripts/test.sh installs it): the identity strings, the quirks, SMART
//! RETURN STATUS, every attribute's name, value, worst, threshold, raw bytes, type and
//! verdict columns, the summary lines (bad sectors, power-on time, power cycles,
//! temperature) within skdump's rounding, and the overall status. What skdump is trusted
//! for and its limits: docs/witnesses.md §libatasmart.
//!
//! Also: the `decode ata-identify|smart-data|smart-thresholds` command on the same sectors.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::smart_blob::{all_blobs, parse, SmartBlob};
use sbc_core::wire::ata_identify::IdentifyDevice;
use sbc_core::wire::smart::{
    attribute_name, health, Attribute, Health, ReturnStatus, SmartData, SmartQuirks,
    SmartThresholds,
};

/// skdump's report of one blob, ANSI highlighting removed.
struct Skdump {
    /// `key: value` lines before the attribute table.
    lines: BTreeMap<String, String>,
    /// The attribute table's rows, by ID.
    rows: Vec<Row>,
}

/// One row of skdump's attribute table.
#[derive(Debug)]
struct Row {
    id: u8,
    name: String,
    value: String,
    worst: String,
    threshold: String,
    raw: String,
    kind: String,
    updates: String,
    good: String,
    good_past: String,
}

fn skdump(path: &Path) -> Skdump {
    let out = Command::new("skdump")
        .arg(format!("--load={}", path.display()))
        .output()
        .expect("skdump (libatasmart-bin) runs; scripts/test.sh installs it");
    assert!(out.status.success(), "skdump {}: {}", path.display(), out.status);
    let text = String::from_utf8_lossy(&out.stdout).replace("\x1b[1m", "").replace("\x1b[0m", "");
    let mut lines = BTreeMap::new();
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.starts_with("ID#") {
            in_table = true;
            continue;
        }
        if in_table {
            let t: Vec<&str> = line.split_whitespace().collect();
            let raw_at = t.iter().position(|x| x.starts_with("0x") && x.len() == 14).unwrap();
            rows.push(Row {
                id: t[0].parse().unwrap(),
                name: t[1].into(),
                value: t[2].into(),
                worst: t[3].into(),
                threshold: t[4].into(),
                raw: t[raw_at].into(),
                kind: t[raw_at + 1].into(),
                updates: t[raw_at + 2].into(),
                good: t[raw_at + 3].into(),
                good_past: t[raw_at + 4].into(),
            });
        } else if let Some((k, v)) = line.split_once(": ") {
            lines.insert(k.to_string(), v.trim().to_string());
        } else if let Some(k) = line.strip_suffix(':') {
            lines.insert(k.to_string(), String::new());
        }
    }
    Skdump { lines, rows }
}

impl Skdump {
    fn get(&self, key: &str) -> &str {
        self.lines.get(key).unwrap_or_else(|| panic!("skdump printed no {key:?}"))
    }
}

/// libatasmart's `print_value` for milliseconds (`%0.1f` in the largest unit that fits).
fn pretty_ms(ms: u64) -> String {
    const S: u64 = 1000;
    let units = [
        (S * 60 * 60 * 24 * 365, "years"),
        (S * 60 * 60 * 24 * 30, "months"),
        (S * 60 * 60 * 24, "days"),
        (S * 60 * 60, "h"),
        (S * 60, "min"),
        (S, "s"),
    ];
    for (size, unit) in units {
        if ms >= size {
            return format!("{:.1} {unit}", ms as f64 / size as f64);
        }
    }
    format!("{ms} ms")
}

/// skdump's text for a value its library could not find (ENOENT).
const NOT_FOUND: &str = "No such file or directory";
/// skdump's text for the status of a blob without SMST (ENXIO).
const NO_STATUS: &str = "No such device or address";

fn na_or(valid: bool, v: u8) -> String {
    if valid {
        v.to_string()
    } else {
        "n/a".into()
    }
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "n/a",
    }
}

/// Compares one attribute row; returns nothing, panics naming blob and attribute.
fn compare_row(name: &str, a: &Attribute, row: &Row, t: &SmartThresholds, quirks: SmartQuirks) {
    let at = format!("{name}: attribute {}", a.id);
    let expected_name =
        attribute_name(a.id, quirks).map_or(format!("attribute-{}", a.id), String::from);
    assert_eq!(row.name, expected_name, "{at}: name");
    assert_eq!(row.value, na_or(Attribute::value_valid(a.current), a.current), "{at}: value");
    assert_eq!(row.worst, na_or(Attribute::value_valid(a.worst), a.worst), "{at}: worst");
    let threshold = t.threshold_for(a.id);
    let shown = threshold.filter(|&th| th != 0xfe);
    assert_eq!(row.threshold, shown.map_or("n/a".into(), |th| th.to_string()), "{at}: threshold");
    let raw: String = a.raw_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(row.raw, format!("0x{raw}"), "{at}: raw");
    assert_eq!(row.kind, if a.pre_failure() { "prefail" } else { "old-age" }, "{at}: type");
    assert_eq!(row.updates, if a.online() { "online" } else { "offline" }, "{at}: updates");
    // The verdict columns: judged only with a threshold of 1..=253 and a valid value.
    let judged =
        |v: u8| threshold.filter(|&th| Attribute::value_valid(th) && Attribute::value_valid(v));
    let good_now = judged(a.current).map(|th| a.current > th);
    let good_past = judged(a.worst).map(|_| !a.failed_in_the_past(threshold.unwrap()));
    assert_eq!(row.good, yes_no(good_now), "{at}: good");
    assert_eq!(row.good_past, yes_no(good_past), "{at}: good/past");
    if a.pre_failure() {
        assert_eq!(
            threshold.is_some_and(|th| a.failing_now(th)),
            good_now == Some(false),
            "{at}: failing_now"
        );
    }
}

/// skdump's overall status, derived from our decoders (libatasmart's
/// `sk_disk_smart_get_overall`, in its order).
fn overall(status: ReturnStatus, d: &SmartData, t: &SmartThresholds, bad: Option<u64>) -> String {
    if status == ReturnStatus::ThresholdExceeded {
        return "BAD_STATUS".into();
    }
    let sectors = bad.unwrap_or(0);
    // A blob has no size; libatasmart's threshold is log2(size / 512) * 1024 with size
    // (uint64_t) -1.
    if bad.is_some() && sectors >= u64::from((u64::MAX / 512).ilog2()) * 1024 {
        return "BAD_SECTOR_MANY".into();
    }
    if let Health::Failing { attribute: Some(_), .. } = health(Some(status), Some(d), Some(t)) {
        return "BAD_ATTRIBUTE_NOW".into();
    }
    if sectors > 0 {
        return "BAD_SECTOR".into();
    }
    let past = d.iter().any(|a| {
        a.pre_failure() && t.threshold_for(a.id).is_some_and(|th| a.failed_in_the_past(th))
    });
    if past { "BAD_ATTRIBUTE_IN_THE_PAST" } else { "GOOD" }.into()
}

#[test]
fn every_blob_against_skdump() {
    let blobs = all_blobs();
    assert_eq!(blobs.len(), 13);
    let mut attributes = 0;
    let mut summaries = 0;
    for (name, path, blob) in &blobs {
        let sk = skdump(path);
        let id = IdentifyDevice::new(&blob.identify);
        let model = id.model_number().unwrap();
        let firmware = id.firmware_revision().unwrap();
        assert_eq!(sk.get("Model"), format!("[{model}]"), "{name}: model");
        assert_eq!(
            sk.get("Serial"),
            format!("[{}]", id.serial_number().unwrap()),
            "{name}: serial"
        );
        assert_eq!(sk.get("Firmware"), format!("[{firmware}]"), "{name}: firmware");
        assert_eq!(sk.get("SMART Available"), yes_no(id.smart_supported()), "{name}");
        let quirks = SmartQuirks::for_drive(model.as_bytes(), firmware.as_bytes());
        let names: Vec<&str> = quirks.names().collect();
        assert_eq!(sk.get("Quirks"), names.join(" "), "{name}: quirks");

        let status = blob.status_ok.map(|ok| {
            if ok {
                ReturnStatus::from_registers(0x4f, 0xc2)
            } else {
                ReturnStatus::from_lba(0x2c_f400)
            }
        });
        let health_good = match status {
            Some(s) => yes_no(Some(s == ReturnStatus::Good)),
            None => NO_STATUS,
        };
        assert_eq!(sk.get("SMART Disk Health Good"), health_good, "{name}: status");

        let data = SmartData::parse(blob.data.as_ref().unwrap()).unwrap();
        assert!(!data.is_truncated());
        let d = data.value;
        assert_eq!(d.checksum_valid, Some(true), "{name}: checksum");
        let t = SmartThresholds::parse(blob.thresholds.as_ref().unwrap()).unwrap().value;
        assert_eq!(t.checksum_valid, Some(true), "{name}: threshold checksum");

        // Every attribute, in table order, row for row.
        let ours: Vec<&Attribute> = d.iter().collect();
        assert_eq!(ours.len(), sk.rows.len(), "{name}: attribute count");
        for (a, row) in ours.iter().zip(&sk.rows) {
            assert_eq!(a.id, row.id, "{name}: attribute order");
            compare_row(name, a, row, &t, quirks);
            attributes += 1;
        }

        // The summary lines.
        let s = d.summary(quirks);
        let bad = s.bad_sectors().map_or(NOT_FOUND.into(), |n| format!("{n} sectors"));
        assert_eq!(sk.get("Bad Sectors"), bad, "{name}: bad sectors");
        let power_on_ms = s.power_on_seconds.map(|x| x * 1000);
        assert_eq!(
            sk.get("Powered On"),
            power_on_ms.map_or(NOT_FOUND.into(), pretty_ms),
            "{name}: power-on time"
        );
        assert_eq!(
            sk.get("Power Cycles"),
            s.power_cycles.map_or(NOT_FOUND.into(), |c| c.to_string()),
            "{name}: power cycles"
        );
        if let (Some(ms), Some(c)) = (power_on_ms, s.power_cycles.filter(|&c| c > 0)) {
            assert_eq!(sk.get("Average Powered On Per Power Cycle"), pretty_ms(ms / c), "{name}");
        }
        let temperature = s
            .temperature_decicelsius
            .map_or(NOT_FOUND.into(), |t| format!("{:.1} C", f64::from(t) / 10.0));
        assert_eq!(sk.get("Temperature"), temperature, "{name}: temperature");

        // Health: skdump needs SMART RETURN STATUS for its verdict.
        let verdict = health(status, Some(&d), Some(&t));
        match status {
            None => {
                assert_eq!(sk.get("Overall Status"), NO_STATUS, "{name}");
                assert_ne!(verdict, Health::Unknown, "{name}: data and thresholds judge");
            }
            Some(st) => {
                let want = overall(st, &d, &t, s.bad_sectors());
                assert_eq!(sk.get("Overall Status"), want, "{name}: overall");
                let failing = matches!(want.as_str(), "BAD_STATUS" | "BAD_ATTRIBUTE_NOW");
                assert_eq!(matches!(verdict, Health::Failing { .. }), failing, "{name}: health");
            }
        }
        summaries += 1;
    }
    println!("compared {attributes} attributes and {summaries} summaries with skdump");
    assert!(attributes >= 13 * 10, "{attributes}");
}

#[test]
fn every_blob_has_the_sections_skdump_reads() {
    for (name, _, blob) in all_blobs() {
        assert_eq!(blob.identify.len(), 512, "{name}");
        assert_eq!(blob.data.as_ref().map(Vec::len), Some(512), "{name}");
        assert_eq!(blob.thresholds.as_ref().map(Vec::len), Some(512), "{name}");
    }
    // Exactly one blob lacks SMST.
    let without: Vec<String> = all_blobs()
        .into_iter()
        .filter(|(_, _, b)| b.status_ok.is_none())
        .map(|(n, _, _)| n)
        .collect();
    assert_eq!(without, ["WDC_WD2500JB--00REA0-20.00K20"]);
    // The parser refuses what skdump refuses.
    assert!(parse(b"IDFY\0\0\x02\0").is_err(), "section past the end");
    assert!(parse(b"SMST\0\0\0\x05abcde").is_err(), "wrong length");
    assert!(parse(b"").is_err(), "no IDFY");
    let ok: SmartBlob = parse(&[&b"IDFY\0\0\x02\0"[..], &[0u8; 512]].concat()).unwrap();
    assert_eq!((ok.status_ok, ok.data.is_none()), (None, true));
}

fn sbc_dext(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sbc-dext")).args(args).output().unwrap()
}

fn hex_file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let text: Vec<String> = bytes
        .chunks(16)
        .map(|l| l.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" "))
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    path.display().to_string()
}

#[test]
fn decode_command_reads_the_sectors() {
    let dir = std::env::temp_dir().join(format!("sbc-smart-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, _, blob) in all_blobs() {
        let files = [
            ("ata-identify", hex_file(&dir, "idfy.hex", &blob.identify)),
            ("smart-data", hex_file(&dir, "smdt.hex", blob.data.as_ref().unwrap())),
            ("smart-thresholds", hex_file(&dir, "smth.hex", blob.thresholds.as_ref().unwrap())),
        ];
        let mut values = Vec::new();
        for (kind, file) in &files {
            let out = sbc_dext(&["decode", kind, file, "--json"]);
            assert!(
                out.status.success(),
                "{name} {kind}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["kind"], *kind);
            assert_eq!(v["length"]["truncated"], false, "{name} {kind}");
            let text = sbc_dext(&["decode", kind, file]);
            assert!(text.status.success() && !text.stdout.is_empty(), "{name} {kind}");
            values.push(v);
        }
        let id = IdentifyDevice::new(&blob.identify);
        assert_eq!(values[0]["data"]["model_number"], id.model_number().unwrap().to_string());
        assert_eq!(values[0]["data"]["smart_supported"], true, "{name}");
        let d = SmartData::parse(blob.data.as_ref().unwrap()).unwrap().value;
        let list = values[1]["data"]["attributes"].as_array().unwrap();
        assert_eq!(list.len(), d.iter().count(), "{name}");
        for (a, j) in d.iter().zip(list) {
            assert_eq!((j["id"].as_u64(), j["raw"].as_u64()), (Some(a.id.into()), Some(a.raw)));
        }
        assert_eq!(values[1]["data"]["checksum_valid"], true);
        let t = SmartThresholds::parse(blob.thresholds.as_ref().unwrap()).unwrap().value;
        let th = values[2]["data"]["thresholds"].as_array().unwrap();
        assert_eq!(th.len(), t.thresholds.iter().flatten().count(), "{name}");
    }
    // A cut sector decodes with its length said; one byte is below the revision number.
    let blob = &all_blobs()[0].2;
    let cut = hex_file(&dir, "cut.hex", &blob.data.as_ref().unwrap()[..100]);
    let v: serde_json::Value =
        serde_json::from_slice(&sbc_dext(&["decode", "smart-data", &cut, "--json"]).stdout)
            .unwrap();
    assert_eq!(v["length"]["truncated"], true);
    assert_eq!(v["data"]["checksum_valid"], serde_json::Value::Null);
    let one = hex_file(&dir, "one.hex", &[0x10]);
    let out = sbc_dext(&["decode", "smart-thresholds", &one]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated"));
    std::fs::remove_dir_all(&dir).unwrap();
}
