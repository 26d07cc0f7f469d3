//! `sbc-dext lint`: the repository's own Info.plist and entitlements are clean; each small
//! mutation of them, made here, gives exactly its finding (severity and key path) and exit
//! code; input that cannot be read is one line and exit 2; the JSON keeps its shape.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sbc-dext");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("lint").args(args).current_dir(dir).output().unwrap()
}

/// A fresh directory for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbc-lint-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An `iig/` directory in `dir` declaring `SbcDext` as the repository's .iig does, so the
/// mutation tests do not depend on the shim's work in progress.
fn iig_in(dir: &Path, source: &str) -> PathBuf {
    let iig = dir.join("iig");
    std::fs::create_dir_all(&iig).unwrap();
    std::fs::write(iig.join("SbcDext.iig"), source).unwrap();
    iig
}

const IIG: &str = "class SbcDext: public IOUserSCSIPeripheralDeviceType00\n{\n};\n";

/// A plist as lines, mutated by key: `at` names the personality (`None`: the root, or the
/// first occurrence of the key).
#[derive(Clone)]
struct Plist(Vec<String>);

impl Plist {
    fn of(file: &str) -> Plist {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        Plist(text.lines().map(String::from).collect())
    }

    /// The line after which `at`'s keys start.
    fn start(&self, at: Option<&str>) -> usize {
        match at {
            None => 0,
            Some(p) => {
                let key = format!("<key>{p}</key>");
                self.0.iter().position(|l| l.trim() == key).unwrap_or_else(|| panic!("{p}"))
            }
        }
    }

    /// The line of `<key>key</key>` in `at`.
    fn key_line(&self, at: Option<&str>, key: &str) -> usize {
        let start = self.start(at);
        let want = format!("<key>{key}</key>");
        start
            + self.0[start..]
                .iter()
                .position(|l| l.trim() == want)
                .unwrap_or_else(|| panic!("{key}"))
    }

    /// Replaces the (one-line) value of `key` in `at` with `xml`.
    fn set(mut self, at: Option<&str>, key: &str, xml: &str) -> Plist {
        let i = self.key_line(at, key) + 1;
        self.0[i] = xml.to_string();
        self
    }

    /// Removes `key` and its one-line value from `at`.
    fn remove(mut self, at: Option<&str>, key: &str) -> Plist {
        let i = self.key_line(at, key);
        self.0.drain(i..i + 2);
        self
    }

    /// Adds `key` with the value `xml` as the first entry of `at`'s dictionary.
    fn add(mut self, at: Option<&str>, key: &str, xml: &str) -> Plist {
        let open = self.start(at)
            + self.0[self.start(at)..].iter().position(|l| l.trim() == "<dict>").unwrap();
        self.0.insert(open + 1, format!("<key>{key}</key>"));
        self.0.insert(open + 2, xml.to_string());
        self
    }

    /// Replaces the text `from` (its first occurrence in `at`) with `to`.
    fn replace(mut self, at: Option<&str>, from: &str, to: &str) -> Plist {
        let start = self.start(at);
        let i = start + self.0[start..].iter().position(|l| l.contains(from)).unwrap();
        self.0[i] = self.0[i].replacen(from, to, 1);
        self
    }

    fn write(&self, path: &Path) {
        std::fs::write(path, self.0.join("\n") + "\n").unwrap();
    }
}

/// Runs lint as JSON on the given plists (written to `dir`) with `dir/iig`.
fn lint_json(dir: &Path, info: &Plist, entitlements: &Plist, extra: &[&str]) -> (i32, Value) {
    info.write(&dir.join("Info.plist"));
    entitlements.write(&dir.join("entitlements.plist"));
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    let out = run_in(dir, &args);
    let code = out.status.code().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

/// (severity, path) of every finding.
fn findings(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["severity"].as_str().unwrap().into(), f["path"].as_str().unwrap().into()))
        .collect()
}

#[test]
fn the_repository_plists_lint_clean() {
    // Run where a user runs it: the repository root, every default.
    let out = run_in(root(), &["--strict"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(text, "Info.plist, entitlements.plist: 0 errors, 0 warnings\n");
    let out = run_in(root(), &["--json", "Info.plist", "entitlements.plist"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"findings": [], "errors": 0, "warnings": 0}));
}

#[test]
fn the_repository_info_plist_feeds_attach() {
    let out = Command::new(BIN)
        .args([
            "attach",
            "--engine",
            "--json",
            "--plist",
            "Info.plist",
            "--personality",
            "ASMedia2105",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["quirks"], serde_json::json!(["needs-read-capacity-16"]));
    // Generic has no SbcQuirks; with no personality named, ASMedia2105 is the only one
    // (for the engine alone: the whole stack matches the personality against the device).
    let out = Command::new(BIN)
        .args(["attach", "--engine", "--json", "--plist", "Info.plist"])
        .current_dir(root())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["quirks"], serde_json::json!(["needs-read-capacity-16"]));
}

/// One mutation: its name, the Info.plist and entitlements it makes, the one finding
/// (severity, path, a word of its message) and the exit code.
struct Case {
    name: &'static str,
    info: Plist,
    entitlements: Plist,
    severity: &'static str,
    path: &'static str,
    says: &'static str,
    code: i32,
}

fn cases() -> Vec<Case> {
    let info = Plist::of("Info.plist");
    let ent = Plist::of("entitlements.plist");
    let g = Some("Generic");
    let asm = Some("ASMedia2105");
    let case = |name, info: Plist, severity, path, says, code| Case {
        name,
        info,
        entitlements: ent.clone(),
        severity,
        path,
        says,
        code,
    };
    let ent_case = |name, entitlements: Plist, path, says| Case {
        name,
        info: info.clone(),
        entitlements,
        severity: "error",
        path,
        says,
        code: 1,
    };
    let string = |s: &str| format!("<string>{s}</string>");
    vec![
        case(
            "IOClass IOUserService",
            info.clone().set(g, "IOClass", &string("IOUserService")),
            "error",
            "IOKitPersonalities.Generic.IOClass",
            "kIOReturnUnsupported (0xe00002c7)",
            1,
        ),
        case(
            "IOClass the kext class",
            info.clone().set(asm, "IOClass", &string("IOSCSIPeripheralDeviceType00")),
            "error",
            "IOKitPersonalities.ASMedia2105.IOClass",
            "Apple's kernel driver class",
            1,
        ),
        case(
            "IOProviderClass IOService",
            info.clone().set(g, "IOProviderClass", &string("IOService")),
            "error",
            "IOKitPersonalities.Generic.IOProviderClass",
            "IOService",
            1,
        ),
        case(
            "IOProviderClass a subclass of the nub",
            info.clone().set(g, "IOProviderClass", &string("IOSCSILogicalUnitNub")),
            "warning",
            "IOKitPersonalities.Generic.IOProviderClass",
            "a subclass of IOSCSIPeripheralDeviceNub",
            0,
        ),
        case(
            "CFBundleIdentifierKernel of type 5",
            info.clone().set(
                g,
                "CFBundleIdentifierKernel",
                &string("com.apple.iokit.IOSCSIMultimediaCommandsDevice"),
            ),
            "error",
            "IOKitPersonalities.Generic.CFBundleIdentifierKernel",
            "CD/DVD",
            1,
        ),
        case(
            "IOUserClass missing",
            info.clone().remove(g, "IOUserClass"),
            "error",
            "IOKitPersonalities.Generic.IOUserClass",
            "missing",
            1,
        ),
        case(
            "IOUserClass not in the .iig",
            info.clone().set(asm, "IOUserClass", &string("SbcDxt")),
            "error",
            "IOKitPersonalities.ASMedia2105.IOUserClass",
            "SbcDxt is not a class the .iig files declare (declared: SbcDext)",
            1,
        ),
        case(
            "IOUserServerName not the bundle ID",
            info.clone().set(g, "IOUserServerName", &string("org.sbc-dext.driver")),
            "error",
            "IOKitPersonalities.Generic.IOUserServerName",
            "is not CFBundleIdentifier '$(PRODUCT_BUNDLE_IDENTIFIER)'",
            1,
        ),
        case(
            "personality CFBundleIdentifier missing",
            info.clone().remove(asm, "CFBundleIdentifier"),
            "warning",
            "IOKitPersonalities.ASMedia2105.CFBundleIdentifier",
            "missing",
            0,
        ),
        case(
            "Peripheral Device Type a string",
            info.clone().set(g, "Peripheral Device Type", &string("0")),
            "error",
            "IOKitPersonalities.Generic.Peripheral Device Type",
            "a string (\"0\"), not an integer",
            1,
        ),
        case(
            "Peripheral Device Type missing",
            info.clone().remove(asm, "Peripheral Device Type"),
            "error",
            "IOKitPersonalities.ASMedia2105.Peripheral Device Type",
            "IOMatchCategory (score 4900)",
            1,
        ),
        case(
            "Peripheral Device Type 5",
            info.clone().set(g, "Peripheral Device Type", "<integer>5</integer>"),
            "error",
            "IOKitPersonalities.Generic.Peripheral Device Type",
            "CD/DVD",
            1,
        ),
        case(
            "IOProbeScore a string",
            info.clone().add(g, "IOProbeScore", &string("60000")),
            "error",
            "IOKitPersonalities.Generic.IOProbeScore",
            "not an integer",
            1,
        ),
        case(
            "IOMatchCategory set",
            info.clone().add(asm, "IOMatchCategory", &string("SbcDext")),
            "warning",
            "IOKitPersonalities.ASMedia2105.IOMatchCategory",
            "beside Apple's Type00 driver",
            0,
        ),
        case(
            "Vendor Identification padded",
            info.clone().set(asm, "Vendor Identification", &string("ASMT    ")),
            "error",
            "IOKitPersonalities.ASMedia2105.Vendor Identification",
            "ends in whitespace",
            1,
        ),
        case(
            "unknown quirk",
            info.clone().replace(asm, "needs-read-capacity-16", "needs-read-capacity16"),
            "error",
            "IOKitPersonalities.ASMedia2105.SbcQuirks.needs-read-capacity16",
            "unknown quirk 'needs-read-capacity16'",
            1,
        ),
        case(
            "quirk not a boolean",
            info.clone().replace(asm, "<true/>", "<string>yes</string>"),
            "error",
            "IOKitPersonalities.ASMedia2105.SbcQuirks.needs-read-capacity-16",
            "must be a boolean",
            1,
        ),
        case(
            "two NVMe bridge quirks",
            info.clone().replace(
                asm,
                "<key>needs-read-capacity-16</key>",
                "<key>nvme-asmedia</key><true/><key>nvme-realtek</key><true/>\
                 <key>needs-read-capacity-16</key>",
            ),
            "error",
            "IOKitPersonalities.ASMedia2105.SbcQuirks",
            "more than one NVMe bridge quirk is on (nvme-asmedia, nvme-realtek)",
            1,
        ),
        case(
            "SbcQuirks not a dictionary",
            info.clone()
                .replace(asm, "<key>needs-read-capacity-16</key>", "")
                .replace(asm, "<true/>", "")
                .replace(Some("SbcQuirks"), "<dict>", "<array>")
                .replace(Some("SbcQuirks"), "</dict>", "</array>"),
            "error",
            "IOKitPersonalities.ASMedia2105.SbcQuirks",
            "an array, not a dictionary",
            1,
        ),
        case(
            "OSBundleUsageDescription missing",
            info.clone().remove(None, "OSBundleUsageDescription"),
            "error",
            "OSBundleUsageDescription",
            "missing",
            1,
        ),
        case(
            "CFBundleShortVersionString missing",
            info.clone().remove(None, "CFBundleShortVersionString"),
            "error",
            "CFBundleShortVersionString",
            "missing",
            1,
        ),
        case(
            "CFBundleVersion missing",
            info.clone().remove(None, "CFBundleVersion"),
            "error",
            "CFBundleVersion",
            "missing",
            1,
        ),
        case(
            "CFBundlePackageType KEXT",
            info.clone().set(None, "CFBundlePackageType", &string("KEXT")),
            "error",
            "CFBundlePackageType",
            "a kernel extension's package type",
            1,
        ),
        case(
            "IOKitPersonalities an array",
            info.clone().replace(
                None,
                "<key>IOKitPersonalities</key>",
                "<key>IOKitPersonalities</key><array/><key>Unused</key>",
            ),
            "error",
            "IOKitPersonalities",
            "an array, not a dictionary of personalities",
            1,
        ),
        case(
            "a personality not a dictionary",
            info.clone().replace(
                None,
                "<key>Generic</key>",
                "<key>Generic</key><true/><key>X</key>",
            ),
            "error",
            "IOKitPersonalities.Generic",
            "a boolean (true), not a dictionary",
            1,
        ),
        case(
            "the root an array",
            info.clone()
                .replace(None, "<plist version=\"1.0\">", "<plist version=\"1.0\"><array>")
                .replace(None, "</plist>", "</array></plist>"),
            "error",
            "(root)",
            "an array, not a dictionary",
            1,
        ),
        ent_case(
            "driverkit entitlement missing",
            ent.clone().remove(None, "com.apple.developer.driverkit"),
            "com.apple.developer.driverkit",
            "missing",
        ),
        ent_case(
            "scsicontroller entitlement false",
            ent.clone().set(
                None,
                "com.apple.developer.driverkit.family.scsicontroller",
                "<false/>",
            ),
            "com.apple.developer.driverkit.family.scsicontroller",
            "false",
        ),
        ent_case(
            "driverkit entitlement a string",
            ent.clone().set(None, "com.apple.developer.driverkit", &string("true")),
            "com.apple.developer.driverkit",
            "a string (\"true\"), not <true/>",
        ),
    ]
}

#[test]
fn each_mutation_gives_exactly_its_finding() {
    let dir = temp_dir("mutations");
    iig_in(&dir, IIG);
    let cases = cases();
    assert!(cases.len() >= 14);
    for c in cases {
        let (code, v) = lint_json(&dir, &c.info, &c.entitlements, &[]);
        assert_eq!(
            findings(&v),
            [(c.severity.to_string(), c.path.to_string())],
            "{}: {v:#}",
            c.name
        );
        let message = v["findings"][0]["message"].as_str().unwrap();
        assert!(message.contains(c.says), "{}: {message}", c.name);
        assert!(!v["findings"][0]["fix"].as_str().unwrap().is_empty(), "{}", c.name);
        assert_eq!(code, c.code, "{}", c.name);
        // --strict fails on warnings too.
        let (strict, _) = lint_json(&dir, &c.info, &c.entitlements, &["--strict"]);
        assert_eq!(strict, 1, "{} --strict", c.name);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_iig_is_read_for_the_user_class() {
    let dir = temp_dir("iig");
    let (info, ent) = (Plist::of("Info.plist"), Plist::of("entitlements.plist"));
    // No .iig anywhere: one warning per class named, not an error.
    let (code, v) = lint_json(&dir, &info, &ent, &[]);
    assert_eq!(
        findings(&v),
        [("warning".into(), "IOKitPersonalities.Generic.IOUserClass".into())],
        "{v:#}"
    );
    assert_eq!(code, 0);
    // Declared, but under another superclass: a warning naming it.
    let commented = "// class SbcDext: public IOUserSCSIPeripheralDeviceType00 {\n";
    iig_in(&dir, &format!("{commented}class SbcDext: public IOService\n{{\n}};\n"));
    let (code, v) = lint_json(&dir, &info, &ent, &[]);
    assert_eq!(findings(&v), [("warning".into(), "IOKitPersonalities.Generic.IOUserClass".into())]);
    assert!(v["findings"][0]["message"].as_str().unwrap().contains("derives from IOService"));
    assert_eq!(code, 0);
    // Only a forward declaration and a comment: not declared.
    iig_in(
        &dir,
        "class SbcDext;\n/* class SbcDext: public IOUserSCSIPeripheralDeviceType00 { */\n",
    );
    let (code, v) = lint_json(&dir, &info, &ent, &[]);
    assert_eq!(findings(&v), [("error".into(), "IOKitPersonalities.Generic.IOUserClass".into())]);
    assert_eq!(code, 1);
    // --iig names another directory.
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("A.iig"), IIG).unwrap();
    let (code, v) = lint_json(&dir, &info, &ent, &["--iig", "elsewhere"]);
    assert_eq!((code, findings(&v)), (0, vec![]));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn text_output_is_one_line_per_finding_and_a_summary() {
    let dir = temp_dir("text");
    iig_in(&dir, IIG);
    let info = Plist::of("Info.plist")
        .set(Some("Generic"), "IOClass", "<string>IOUserService</string>")
        .add(Some("Generic"), "IOMatchCategory", "<string>X</string>");
    info.write(&dir.join("Info.plist"));
    Plist::of("entitlements.plist").write(&dir.join("entitlements.plist"));
    let out = run_in(&dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    // In the order of the checks: the personality's keys as docs/driverkit.md lists them.
    assert!(
        lines[0].starts_with("error IOKitPersonalities.Generic.IOClass: IOUserService: "),
        "{text}"
    );
    assert!(lines[1].starts_with("warning IOKitPersonalities.Generic.IOMatchCategory: "), "{text}");
    assert!(
        lines[0].contains("(fix: set <key>IOClass</key><string>IOUserSCSIPeripheralDeviceType00")
    );
    assert_eq!(lines[2], "Info.plist, entitlements.plist: 1 error, 1 warning");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn json_shape() {
    let dir = temp_dir("json");
    iig_in(&dir, IIG);
    let info = Plist::of("Info.plist")
        .set(Some("Generic"), "Peripheral Device Type", "<string>0</string>")
        .add(Some("ASMedia2105"), "IOMatchCategory", "<string>X</string>");
    let (code, v) = lint_json(&dir, &info, &Plist::of("entitlements.plist"), &[]);
    assert_eq!(code, 1);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["findings", "errors", "warnings"]);
    assert_eq!((v["errors"].as_u64(), v["warnings"].as_u64()), (Some(1), Some(1)));
    for f in v["findings"].as_array().unwrap() {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["severity", "file", "path", "message", "fix"], "{f:#}");
        assert!(f.as_object().unwrap().values().all(Value::is_string), "{f:#}");
        assert_eq!(f["file"], "Info.plist");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Exit code 2, one line on stderr containing `needle`, nothing on stdout.
fn refused(out: &Output, what: &str, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    assert!(err.starts_with("sbc-dext: error: "), "{what}: {err:?}");
    assert_eq!(err.matches('\n').count(), 1, "{what}: not one line: {err:?}");
    assert!(err.contains(needle), "{what}: {err}");
    for debug in ["Os {", "Io(", "kind:", "Error {"] {
        assert!(!err.contains(debug), "{what}: Debug text in {err:?}");
    }
    assert!(out.stdout.is_empty(), "{what}: printed to stdout on error");
}

#[test]
fn unreadable_and_malformed_input_is_exit_2() {
    let dir = temp_dir("unreadable");
    // The defaults are relative to the current directory: an empty one has neither file.
    refused(&run_in(&dir, &[]), "no Info.plist here", "cannot read Info.plist: No such file");
    let info = dir.join("Info.plist");
    Plist::of("Info.plist").write(&info);
    refused(&run_in(&dir, &[]), "no entitlements here", "cannot read entitlements.plist");

    let ent = root().join("entitlements.plist");
    let ent = ent.to_str().unwrap();
    let text = std::fs::read_to_string(root().join("Info.plist")).unwrap();
    let cut = dir.join("cut.plist");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    refused(&run_in(&dir, &["cut.plist", ent]), "truncated XML", "cut.plist: not a readable plist");
    let deep = dir.join("deep.plist");
    let nested = format!(
        "<plist version=\"1.0\">{}{}</plist>",
        "<array>".repeat(100),
        "</array>".repeat(100)
    );
    std::fs::write(&deep, nested).unwrap();
    refused(&run_in(&dir, &["deep.plist", ent]), "deep", "nested more than 64 levels deep");
    refused(&run_in(&dir, &["/dev/zero", ent]), "endless", "/dev/zero: too large");
    refused(&run_in(&dir, &["Info.plist", "/dev/zero"]), "endless entitlements", "too large");
    refused(&run_in(&dir, &[".", ent]), "a directory", "cannot read .");
    refused(
        &run_in(&dir, &["Info.plist", ent, "--iig", "Info.plist"]),
        "iig a file",
        "cannot read Info.plist",
    );
    let odd = dir.join("odd\nname.plist");
    std::fs::write(&odd, "<plist><dict>").unwrap();
    refused(&run_in(&dir, &[odd.to_str().unwrap(), ent]), "newline", "odd\\nname.plist");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn help_says_where_the_defaults_are_and_the_exit_codes() {
    let out = Command::new(BIN).args(["lint", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // clap wraps lines: compare with the whitespace normalized.
    let help = String::from_utf8(out.stdout).unwrap();
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "relative to the current directory [default: Info.plist]",
        "[default: entitlements.plist]",
        "--strict",
        "Exit 0 without errors",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}
