//! `sbc-dext status --from FILE` on the registry the kernel model writes (`attach
//! --ioreg-xml`, the `ioreg -a` layout): the same report, as text and as JSON, as `attach`
//! prints; one-line errors for what is not such a file.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn sbc_dext(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sbc-dext"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout(args: &[&str], code: i32) -> String {
    let out = sbc_dext(args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A file in a fresh temporary directory of this test binary.
fn scratch(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbc-dext-status-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// The keys `attach --json` adds to the published tree: what only the host knows.
const HOST_KEYS: &[&str] =
    &["matched_personality", "score", "ioclass", "commands", "virtual_time_ms", "registry"];

#[test]
fn status_from_the_kernel_models_registry_prints_what_attach_prints() {
    for profile in ["sim", "sat-bridge", "hdd-4kn", "nvme-asmedia", "nvme-jmicron"] {
        let target = format!("sim:{profile}");
        let xml = stdout(&["attach", &target, "--ioreg-xml"], 0);
        assert!(xml.starts_with("<?xml"), "{profile}: {xml}");
        let file = scratch(&format!("{profile}.xml"), xml.as_bytes());
        let file = file.to_str().unwrap();

        // Text: a `disk` row, then the rows attach prints before its own (personality,
        // commands).
        let attach = stdout(&["attach", &target], 0);
        let rows = &attach[..attach.find("\npersonality ").unwrap() + 1];
        let status = stdout(&["status", "--from", file], 0);
        let (first, rest) = status.split_once('\n').unwrap();
        assert_eq!(
            first,
            format!("{:<22}no BSD name (SbcDext <class IOUserSCSIPeripheralDeviceType00>)", "disk")
        );
        assert_eq!(rest, rows, "{profile}");
        if profile == "sat-bridge" {
            assert!(rest.contains("\nSMART attributes:\n"), "{rest}");
        }
        if profile.starts_with("nvme-") {
            // An NVMe drive's health: the verdict through its bridge, and the log's rows.
            assert!(rest.contains("\nSMART                 passed ("), "{rest}");
            assert!(rest.contains("\nNVMe controller       version "), "{rest}");
            assert!(rest.contains("\npercentage used       "), "{rest}");
        }

        // JSON: the published tree attach --json prints, without what only the host knows.
        let mut expected: Value =
            serde_json::from_str(&stdout(&["attach", &target, "--json"], 0)).unwrap();
        for key in HOST_KEYS {
            expected.as_object_mut().unwrap().remove(*key);
        }
        let v: Value =
            serde_json::from_str(&stdout(&["status", "--from", file, "--json"], 0)).unwrap();
        let disks = v["disks"].as_array().unwrap();
        assert_eq!(disks.len(), 1, "{profile}");
        assert_eq!(disks[0]["report"], expected, "{profile}");
        assert_eq!(disks[0]["name"], "SbcDext");
        assert_eq!(disks[0]["class"], "IOUserSCSIPeripheralDeviceType00");
        assert_eq!(disks[0]["bsd_name"], Value::Null);
        if profile == "sat-bridge" || profile.starts_with("nvme-") {
            assert_eq!(disks[0]["report"]["smart"]["available"], true, "{profile}");
        }
    }
}

/// The kernel model's registry with a whole-disk IOMedia under the dext's service, as on a
/// Mac (IOBlockStorageDriver, then IOMedia with its BSD name).
fn with_media(xml: &str, bsd: &str) -> Vec<u8> {
    use plist::{Dictionary, Value as P};
    let mut root = P::from_reader_xml(xml.as_bytes()).unwrap();
    let nub = root.as_array_mut().unwrap()[0].as_dictionary_mut().unwrap();
    let children = nub["IORegistryEntryChildren"].as_array_mut().unwrap();
    let dext = children[0].as_dictionary_mut().unwrap();
    let mut media = Dictionary::new();
    media.insert("BSD Name".into(), P::String(bsd.into()));
    media.insert("IOObjectClass".into(), P::String("IOMedia".into()));
    media.insert("Whole".into(), P::Boolean(true));
    let mut driver = Dictionary::new();
    driver.insert("IOObjectClass".into(), P::String("IOBlockStorageDriver".into()));
    driver.insert("IORegistryEntryChildren".into(), P::Array(vec![P::Dictionary(media)]));
    dext.insert("IORegistryEntryChildren".into(), P::Array(vec![P::Dictionary(driver)]));
    let mut out = Vec::new();
    root.to_writer_xml(&mut out).unwrap();
    out
}

#[test]
fn status_filters_by_bsd_name() {
    let xml = stdout(&["attach", "sim", "--ioreg-xml"], 0);
    let file = scratch("media.xml", &with_media(&xml, "disk4"));
    let file = file.to_str().unwrap();
    for disk in ["disk4", "/dev/disk4", "/dev/rdisk4"] {
        let text = stdout(&["status", disk, "--from", file], 0);
        assert!(text.starts_with(&format!("{:<22}disk4 (SbcDext", "disk")), "{disk}: {text}");
    }
    let v: Value = serde_json::from_str(&stdout(&["status", "--from", file, "--json"], 0)).unwrap();
    assert_eq!(v["disks"][0]["bsd_name"], "disk4");
    let text = stdout(&["status", "disk9", "--from", file], 1);
    assert_eq!(text, format!("{:<22}disk9 is not served by sbc-dext (served: disk4)\n", "disk"));
}

#[test]
fn a_dext_that_did_not_load_leaves_no_disk() {
    let xml = stdout(&["attach", "sim:cdrom", "--ioreg-xml"], 1);
    let file = scratch("cdrom.xml", xml.as_bytes());
    let text = stdout(&["status", "--from", file.to_str().unwrap()], 1);
    assert!(text.starts_with("disk                  none served by sbc-dext"), "{text}");
}

/// Exit code 2 and one line on stderr naming the problem, nothing on stdout.
fn fails_with(args: &[&str], needle: &str) {
    let out = sbc_dext(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty(), "{args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
}

#[test]
fn what_is_not_an_ioreg_file_is_one_line_and_exit_2() {
    let truncated = scratch(
        "truncated.xml",
        b"<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<array>\n<dict>\n<key>a</key>\n",
    );
    fails_with(
        &["status", "--from", truncated.to_str().unwrap()],
        "not an ioreg -a XML property list",
    );
    let text = scratch("text.xml", b"hello\nworld\n");
    fails_with(&["status", "--from", text.to_str().unwrap()], "not an ioreg -a XML property list");
    let string = scratch(
        "string.xml",
        b"<?xml version=\"1.0\"?><plist version=\"1.0\"><string>x</string></plist>",
    );
    fails_with(
        &["status", "--from", string.to_str().unwrap()],
        "neither an array nor a dictionary",
    );
    fails_with(
        &["status", "--from", "/nonexistent/ioreg.xml"],
        "cannot read /nonexistent/ioreg.xml",
    );
    fails_with(&["attach", "--ioreg-xml", "--json"], "cannot be used with");
}

#[cfg(not(target_os = "macos"))]
#[test]
fn the_live_registry_needs_a_mac() {
    fails_with(
        &["status"],
        "status reads the macOS I/O Registry: run it on a Mac; on Linux use attach --ioreg-xml \
         and status --from FILE",
    );
}
