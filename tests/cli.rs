//! The `sbc-dext` command line as a user runs it: exit codes, one-line errors, stable JSON.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn sbc_dext(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbc-dext"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = sbc_dext(args, None);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Exit code 2 and exactly one line on stderr, naming the problem.
fn fails_with(args: &[&str], stdin: Option<&str>, needle: &str) {
    let out = sbc_dext(args, stdin);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout on error");
    assert!(err.contains(needle), "{args:?}: {err}");
}

const FIX: &str = "tests/fixtures/sg3-inhex";

#[test]
fn decode_every_kind_of_captured_buffer() {
    // (kind, file, a fact from the bytes, checked by hand against the spec layout)
    let cases: &[(&str, &str, &str, Value)] = &[
        ("inquiry", "inq_standard.hex", "/data/t10_vendor_identification", "Linux".into()),
        ("vpd", "vpd_bl.hex", "/data/maximum_transfer_length", 65535.into()),
        ("vpd", "vpd_bdce.hex", "/data/page_code/code", 0xb5.into()),
        ("readcap16", "readcap_zbc.hex", "/data/logical_block_length_in_bytes", 512.into()),
        ("mode10", "modes_sdeb.hex", "/data/header/dpofua", true.into()),
        ("luns", "luns_wlun.hex", "/kind", "luns".into()),
        ("opcodes", "opcodes.hex", "/kind", "opcodes".into()),
        ("lba-status", "get_lba_status.hex", "/kind", "lba-status".into()),
    ];
    for (kind, file, pointer, expected) in cases {
        let path = format!("{FIX}/{file}");
        let v = json(&["decode", kind, &path, "--json"]);
        assert_eq!(v.pointer(pointer), Some(expected), "{kind} {file}: {v:#}");
        assert_eq!(v["length"]["truncated"], false, "{kind} {file}");
        // The human form decodes the same buffer without error.
        let out = sbc_dext(&["decode", kind, &path], None);
        assert!(out.status.success() && !out.stdout.is_empty(), "{kind} {file}");
    }
}

#[test]
fn decode_reads_stdin_and_reports_truncation() {
    let out = sbc_dext(&["decode", "vpd", "-", "--json"], Some("00 b0 00 3c 00 00 00 08\n"));
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["length"],
        serde_json::json!({"announced": 64, "available": 8, "truncated": true})
    );
    assert_eq!(v["data"]["optimal_transfer_length_granularity"], 8);
    assert_eq!(v["data"]["maximum_transfer_length"], Value::Null);
}

#[test]
fn bad_input_is_one_clear_line_and_exit_2() {
    fails_with(&["decode", "vpd", "-"], Some("00 b0 zz\n"), "line 1, column 7: not a hex digit");
    fails_with(
        &["decode", "vpd", "-"],
        Some("00 b0"),
        "truncated: 2 bytes present, the header needs 4",
    );
    fails_with(&["decode", "vpd", "-"], Some("# nothing\n"), "no hex bytes");
    fails_with(&["decode", "vpd", "/nonexistent/x.hex"], None, "cannot read /nonexistent/x.hex");
    fails_with(&["decode", "frobnicate", "x"], None, "invalid value 'frobnicate'");
    fails_with(&["sense", "12", "34"], None, "response code 0x12");
    fails_with(&["sense", "7g"], None, "not a hex digit");
    fails_with(&["sense"], None, "required");
}

#[test]
fn sense_json_has_the_documented_keys_and_agrees_with_sg_decode_sense() {
    let v = json(&[
        "sense", "f0", "00", "03", "00", "00", "12", "34", "0a", "00", "00", "00", "00", "11",
        "00", "00", "00", "00", "00", "--json",
    ]);
    assert_eq!(v["format"], "fixed");
    assert_eq!(v["response_code"], 0x70);
    assert_eq!(v["sense_key"], 3);
    assert_eq!(v["sense_key_name"], "MEDIUM ERROR");
    assert_eq!((v["asc"].clone(), v["ascq"].clone()), (0x11.into(), 0.into()));
    assert_eq!(v["information"], 0x1234);
    assert!(v["descriptors"].as_array().unwrap().is_empty());
    assert_eq!(v["action"], "fail: MediumError (MEDIUM ERROR 11/00) at LBA 0x1234");

    // The description is the same text sg3_utils prints for the code.
    let sg = Command::new("sg_decode_sense")
        .args([
            "f0", "00", "03", "00", "00", "12", "34", "0a", "00", "00", "00", "00", "11", "00",
            "00", "00", "00", "00",
        ])
        .output()
        .expect("sg_decode_sense (sg3-utils) runs; scripts/test.sh installs it");
    let sg = String::from_utf8_lossy(&sg.stdout);
    let line = sg.lines().find_map(|l| l.trim().strip_prefix("Additional sense: ")).unwrap();
    assert_eq!(v["description"].as_str().unwrap().to_lowercase(), line.trim().to_lowercase());

    let d = json(&["sense", "-f", &format!("{FIX}/descriptor_sense.hex"), "--json"]);
    assert_eq!(d["format"], "descriptor");
    assert!(d["descriptors"].as_array().unwrap().len() >= 3, "{d:#}");
    let none = json(&["sense", "00", "00", "00", "00", "--json"]);
    assert_eq!(none["no_sense"], true);
}

#[test]
fn attach_exit_codes_and_usb_defaults() {
    assert_eq!(sbc_dext(&["attach"], None).status.code(), Some(0));
    assert_eq!(sbc_dext(&["attach", "sim:block-520"], None).status.code(), Some(1));
    fails_with(&["attach", "sim:nonesuch"], None, "no simulated device 'nonesuch'");
    fails_with(&["attach", "tape://x"], None, "unknown target 'tape://x'");
    fails_with(&["attach", "--quirk", "no-such-quirk"], None, "unknown quirk 'no-such-quirk'");
    let usb = json(&["attach", "--usb", "--json"]);
    let quirks: Vec<&str> =
        usb["quirks"].as_array().unwrap().iter().map(|q| q.as_str().unwrap()).collect();
    assert!(
        quirks.contains(&"retry-hwerror") && quirks.contains(&"max-sectors-2048"),
        "{quirks:?}"
    );
    assert_eq!(usb["characteristics"]["max_transfer_blocks"], 2048);
    let plain = json(&["attach", "--json"]);
    assert_eq!(plain["quirks"], serde_json::json!([]));
}
