//! Quirks from a dext personality's `SbcQuirks` dictionary, and every way that dictionary
//! can be wrong (each a clear error naming the problem, never a silent default).

use std::path::PathBuf;
use std::process::Command;

use sbc_core::quirks::Quirks;
use sbc_dext::personality::{read, PersonalityQuirks};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/personality/Info.plist")
}

/// Writes `personalities` (XML for the IOKitPersonalities dictionary's contents) into a
/// temporary Info.plist.
fn plist_with(tag: &str, personalities: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("sbc-personality-{}-{tag}.plist", std::process::id()));
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>\
         <key>IOKitPersonalities</key><dict>{personalities}</dict></dict></plist>\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn reads_the_named_and_the_only_quirked_personality() {
    let expected = PersonalityQuirks {
        on: Quirks::RETRY_HWERROR | Quirks::FIX_CAPACITY,
        off: Quirks::INQUIRY_36,
    };
    assert_eq!(read(&fixture(), Some("AcmeBridge")), Ok(expected));
    assert_eq!(read(&fixture(), None), Ok(expected), "the only personality with SbcQuirks");
    assert_eq!(read(&fixture(), Some("Generic")), Ok(PersonalityQuirks::default()));
}

#[test]
fn every_malformation_is_a_clear_error() {
    let cases = [
        ("unknown", "<key>P</key><dict><key>SbcQuirks</key><dict><key>retry-hw</key><true/></dict></dict>", "unknown quirk 'retry-hw'"),
        ("notbool", "<key>P</key><dict><key>SbcQuirks</key><dict><key>no-vpd</key><string>yes</string></dict></dict>", "no-vpd must be a boolean"),
        ("notdict", "<key>P</key><dict><key>SbcQuirks</key><array/></dict>", "SbcQuirks is not a dictionary"),
        ("twice", "<key>A</key><dict><key>SbcQuirks</key><dict/></dict><key>B</key><dict><key>SbcQuirks</key><dict/></dict>", "several personalities have SbcQuirks (A, B)"),
    ];
    for (tag, xml, needle) in cases {
        let path = plist_with(tag, xml);
        let e = read(&path, None).unwrap_err();
        assert!(e.0.contains(needle), "{tag}: {e}");
        let _ = std::fs::remove_file(path);
    }
    let e = read(&fixture(), Some("Nope")).unwrap_err();
    assert!(e.0.contains("no personality Nope (has: AcmeBridge, Generic)"), "{e}");
    let garbage =
        std::env::temp_dir().join(format!("sbc-personality-{}-garbage", std::process::id()));
    std::fs::write(&garbage, "not a plist").unwrap();
    assert!(read(&garbage, None).unwrap_err().0.contains("not a readable plist"));
    let _ = std::fs::remove_file(garbage);
}

#[test]
fn attach_applies_personality_quirks_and_the_command_line_wins() {
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_sbc-dext"))
            .args(["attach", "--engine", "--json", "--plist"])
            .arg(fixture())
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["quirks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(&[]), ["fix-capacity", "retry-hwerror"]);
    assert_eq!(run(&["--no-quirk", "fix-capacity"]), ["retry-hwerror"]);
    assert_eq!(run(&["--quirk", "no-vpd"]), ["fix-capacity", "no-vpd", "retry-hwerror"]);
}
