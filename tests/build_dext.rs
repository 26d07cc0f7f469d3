//! `scripts/build-dext.sh --dry-run`: the Mac build's plan, checked on any machine.
//!
//! The script prints every command it would run (one per line, shell-quoted; `# ` lines are
//! comments). These tests check the plan: the lint comes first, the core archive is built and
//! lipo'd for the chosen architectures, the bundle is DriverKit's flat layout
//! (`build/<id>.dext/Info.plist` and `build/<id>.dext/<id>`, docs/driverkit.md §Bundle and
//! signing), the Info.plist's `$(...)` build settings are substituted (the plan's own `sed`
//! command is run here and its output parsed and linted), codesign gets the entitlements, the
//! identity and the hardened runtime, and `--app` embeds the dext at
//! `Contents/Library/SystemExtensions/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ID: &str = "com.example.sbc-dext";
const TEAM: &str = "ABCDE12345";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the script with `args` and `env` only (no SBC_* from the caller's environment).
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg("scripts/build-dext.sh").args(args).current_dir(root());
    for var in [
        "SBC_BUNDLE_ID",
        "SBC_TEAM_ID",
        "SBC_IDENTITY",
        "SBC_PROFILE",
        "SBC_ARCH",
        "SBC_APP",
        "SBC_APP_PROFILE",
        "SBC_APP_BUNDLE_ID",
        "SBC_DRY_RUN",
        "MARKETING_VERSION",
        "CURRENT_PROJECT_VERSION",
        "DRIVERKIT_DEPLOYMENT_TARGET",
        "MACOSX_DEPLOYMENT_TARGET",
        "DRIVERKIT_SDK",
        "MACOS_SDK",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("bash runs")
}

/// The plan's command lines (comments left out) for a dry run with `extra` flags.
fn plan(extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--dry-run", "--bundle-id", ID, "--team-id", TEAM];
    args.extend_from_slice(extra);
    let out = run(&args, &[]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "build-dext.sh {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(str::to_owned).collect()
}

fn position(plan: &[String], needle: &str) -> usize {
    plan.iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in the plan:\n{}", plan.join("\n")))
}

fn line<'a>(plan: &'a [String], needle: &str) -> &'a str {
    &plan[position(plan, needle)]
}

/// Runs the plan's `sed ... SRC > DST` line with the output into a temporary file, from the
/// repository root, and parses the result.
fn run_substitution(sed_line: &str, name: &str) -> (plist::Value, PathBuf) {
    let (command, _dst) = sed_line.rsplit_once(" > ").expect("sed line redirects");
    assert!(command.starts_with("sed "), "{sed_line}");
    let dir = std::env::temp_dir().join(format!("sbc-build-dext-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("Info.plist");
    let status = Command::new("bash")
        .arg("-c")
        .arg(format!("{command} > '{}'", out.display()))
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success(), "{sed_line}");
    // What is left outside XML comments (the script's `plutil -convert xml1` drops them).
    let mut text = std::fs::read_to_string(&out).unwrap();
    while let Some(start) = text.find("<!--") {
        let end = text[start..].find("-->").expect("comment ends") + start + 3;
        text.replace_range(start..end, "");
    }
    assert!(!text.contains("$("), "unsubstituted build settings left:\n{text}");
    (plist::Value::from_file(&out).expect("substituted Info.plist parses"), out)
}

fn string<'a>(dict: &'a plist::Dictionary, key: &str) -> &'a str {
    dict.get(key).and_then(plist::Value::as_string).unwrap_or_else(|| panic!("no string {key}"))
}

#[test]
fn default_plan_lints_first_and_builds_arm64() {
    let plan = plan(&[]);
    // The lint of the dext's files is the first command.
    assert_eq!(
        plan[0],
        "cargo run --quiet --release -- lint --strict Info.plist entitlements.plist --iig iig"
    );
    // One archive, arm64, checked, then lipo'd.
    let build = position(&plan, "scripts/driverkit-target.sh build arm64");
    let check = position(&plan, "scripts/driverkit-target.sh check target/driverkit/arm64-apple-driverkit/release/libsbc_core_static.a arm64");
    let lipo = position(&plan, "xcrun lipo -create target/driverkit/arm64-apple-driverkit/release/libsbc_core_static.a -output build/obj/libsbc_core_static.a");
    assert!(build < check && check < lipo);
    assert!(
        !plan.iter().any(|l| l.contains("x86_64") || l.contains("arm64e")),
        "only arm64 by default"
    );
    // iig on the class, output where the shim's #include "SbcDext.h" finds it.
    let iig = line(&plan, " iig --def iig/SbcDext.iig");
    assert!(iig.starts_with("xcrun --sdk driverkit iig"), "{iig}");
    assert!(
        iig.contains("--header build/obj/iig/SbcDext.h --impl build/obj/iig/SbcDext.iig.cpp"),
        "{iig}"
    );
    // Every C++ file compiled for DriverKit 22.0 with the shim's flags.
    for src in ["dext/SbcDext.cpp", "dext/SbcReport.cpp", "build/obj/iig/SbcDext.iig.cpp"] {
        let cc = line(&plan, &format!("-c {src} "));
        assert!(
            cc.starts_with("xcrun --sdk driverkit clang++ -target arm64-apple-driverkit22.0"),
            "{cc}"
        );
        for flag in
            ["-std=gnu++20", "-fno-exceptions", "-fno-rtti", "-Icore/include", "-Ibuild/obj/iig"]
        {
            assert!(cc.split(' ').any(|w| w == flag), "{flag} missing: {cc}");
        }
    }
    // The link: the objects, the archive, DriverKit and SCSIPeripheralsDriverKit.
    let link = line(&plan, &format!("-o build/obj/arm64/{ID}"));
    for part in [
        "build/obj/libsbc_core_static.a",
        "-framework DriverKit",
        "-framework SCSIPeripheralsDriverKit",
        "build/obj/arm64/SbcDext.o",
        "build/obj/arm64/SbcReport.o",
        "build/obj/arm64/SbcDext.iig.o",
    ] {
        assert!(link.contains(part), "{part} missing: {link}");
    }
    assert!(lipo < position(&plan, &format!("-o build/obj/arm64/{ID}")));
}

#[test]
fn bundle_is_flat_with_the_executable_and_info_plist_at_its_top() {
    let plan = plan(&[]);
    let dext = format!("build/{ID}.dext");
    assert!(plan.contains(&format!("xcrun lipo -create build/obj/arm64/{ID} -output {dext}/{ID}")));
    let sed = line(&plan, "Info.plist > ");
    assert!(sed.ends_with(&format!("Info.plist > {dext}/Info.plist")), "{sed}");
    assert!(
        !plan.iter().any(|l| l.contains(&format!("{dext}/Contents"))),
        "a dext has no Contents/"
    );
    let min = line(&plan, "OSMinimumDriverKitVersion");
    assert!(min.contains("string 22.0") && min.ends_with(&format!("{dext}/Info.plist")), "{min}");
    assert!(line(&plan, "CFBundleSupportedPlatforms:0 string DriverKit").contains(&dext));
    // The bundle's Info.plist is linted again once substituted.
    assert!(plan.contains(&format!(
        "cargo run --quiet --release -- lint --strict {dext}/Info.plist entitlements.plist --iig iig"
    )));
}

#[test]
fn info_plist_settings_are_substituted() {
    let plan = plan(&[]);
    let (value, path) = run_substitution(line(&plan, "Info.plist > build/"), "dext");
    let info = value.as_dictionary().unwrap();
    assert_eq!(string(info, "CFBundleIdentifier"), ID);
    assert_eq!(string(info, "CFBundleExecutable"), ID);
    assert_eq!(string(info, "CFBundleName"), ID);
    assert_eq!(string(info, "CFBundlePackageType"), "DEXT");
    let cargo_version = std::fs::read_to_string(root_path("Cargo.toml")).unwrap();
    let version = cargo_version
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap();
    assert_eq!(string(info, "CFBundleShortVersionString"), version);
    assert_eq!(string(info, "CFBundleVersion"), "1");
    let personalities =
        info.get("IOKitPersonalities").and_then(plist::Value::as_dictionary).unwrap();
    assert!(!personalities.is_empty());
    for (name, p) in personalities {
        let p = p.as_dictionary().unwrap();
        assert_eq!(string(p, "CFBundleIdentifier"), ID, "{name}");
        assert_eq!(string(p, "IOUserServerName"), ID, "{name}");
    }
    // And the substituted file passes the strict lint.
    let lint = Command::new(env!("CARGO_BIN_EXE_sbc-dext"))
        .args(["lint", "--strict"])
        .arg(&path)
        .arg("entitlements.plist")
        .args(["--iig", "iig"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(lint.status.success(), "{}", String::from_utf8_lossy(&lint.stdout));
}

fn root_path(p: &str) -> PathBuf {
    root().join(p)
}

#[test]
fn versions_come_from_the_environment() {
    let out = run(
        &["--dry-run", "--bundle-id", ID, "--team-id", TEAM],
        &[("MARKETING_VERSION", "1.2.3"), ("CURRENT_PROJECT_VERSION", "42")],
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("-e 's/\\$(MARKETING_VERSION)/1.2.3/g'"), "{stdout}");
    assert!(stdout.contains("-e 's/\\$(CURRENT_PROJECT_VERSION)/42/g'"), "{stdout}");
}

#[test]
fn codesign_arguments() {
    let plan = plan(&[]);
    let dext = format!("build/{ID}.dext");
    let ents = line(&plan, "cp entitlements.plist build/obj/dext.entitlements");
    let team = line(&plan, "com.apple.application-identifier");
    assert!(team.contains(&format!("string {TEAM}.{ID}")), "{team}");
    assert!(team.contains(&format!("com.apple.developer.team-identifier string {TEAM}")), "{team}");
    let sign = format!(
        "codesign --force --sign 'Apple Development' --entitlements build/obj/dext.entitlements --options runtime --timestamp=none {dext}"
    );
    let at = position(&plan, &sign);
    assert_eq!(plan[at], sign);
    assert!(position(&plan, ents) < at && position(&plan, team) < at);
    // Signing is the last change to the bundle: everything that writes into it comes first.
    for (i, l) in plan.iter().enumerate() {
        if l.contains(&format!("{dext}/")) && !l.starts_with("codesign") && !l.starts_with("cargo")
        {
            assert!(i < at, "{l} after codesign");
        }
    }
    assert!(plan.contains(&format!("codesign --verify --strict --verbose=2 {dext}")));
    // A Developer ID identity gets a secure timestamp (notarization needs one).
    let plan = self::plan(&["--identity", "Developer ID Application: Example (ABCDE12345)"]);
    let sign = line(&plan, "codesign --force");
    assert!(
        sign.contains("--sign 'Developer ID Application: Example (ABCDE12345)'")
            && sign.contains("--options runtime --timestamp "),
        "{sign}"
    );
}

#[test]
fn profile_is_embedded_before_signing() {
    let plan = plan(&["--profile", "dev.provisionprofile"]);
    let cp = position(
        &plan,
        &format!("cp dev.provisionprofile build/{ID}.dext/embedded.provisionprofile"),
    );
    assert!(cp < position(&plan, "codesign --force"));
    assert!(plan
        .iter()
        .any(|l| l == "security cms -D -i dev.provisionprofile > build/obj/dext-profile.plist"));
    // Without one, nothing is embedded.
    assert!(!self::plan(&[]).iter().any(|l| l.contains("embedded.provisionprofile")));
}

#[test]
fn chosen_architectures_are_built_and_lipod() {
    let plan = plan(&["--arch", "arm64,x86_64"]);
    for arch in ["arm64", "x86_64"] {
        position(&plan, &format!("scripts/driverkit-target.sh build {arch}"));
        position(&plan, &format!("clang++ -target {arch}-apple-driverkit22.0"));
    }
    assert!(plan.contains(&
        "xcrun lipo -create target/driverkit/arm64-apple-driverkit/release/libsbc_core_static.a target/driverkit/x86_64-apple-driverkit/release/libsbc_core_static.a -output build/obj/libsbc_core_static.a".to_owned()));
    assert!(plan.contains(&format!(
        "xcrun lipo -create build/obj/arm64/{ID} build/obj/x86_64/{ID} -output build/{ID}.dext/{ID}"
    )));
    let plan = self::plan(&["--arch", "arm64e"]);
    position(&plan, "scripts/driverkit-target.sh build arm64e");
    position(&plan, "clang++ -target arm64e-apple-driverkit22.0");
    // The environment variable does the same as the flag.
    let out = run(&["--dry-run", "--bundle-id", ID, "--team-id", TEAM], &[("SBC_ARCH", "x86_64")]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("scripts/driverkit-target.sh build x86_64"), "{stdout}");
    assert!(!stdout.contains("driverkit-target.sh build arm64"), "{stdout}");
}

#[test]
fn missing_or_bad_values_are_one_line_errors_naming_the_flag() {
    for (args, flag) in [
        (vec!["--dry-run", "--bundle-id", ID], "--team-id"),
        (vec!["--dry-run", "--team-id", TEAM], "--bundle-id"),
        (vec!["--dry-run", "--bundle-id", ID, "--team-id"], "--team-id"),
        (vec!["--dry-run", "--bundle-id", ID, "--team-id", "abc"], "--team-id"),
        (vec!["--dry-run", "--bundle-id", ID, "--team-id", TEAM, "--arch", "ppc"], "--arch"),
        (vec!["--dry-run", "--bundle-id", "not an id", "--team-id", TEAM], "--bundle-id"),
        (vec!["--dry-run", "--bundle-id", ID, "--team-id", TEAM, "--frobnicate"], "--frobnicate"),
    ] {
        let out = run(&args, &[]);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing planned");
    }
    // The environment supplies what the flags do not.
    let out = run(&["--dry-run"], &[("SBC_BUNDLE_ID", ID), ("SBC_TEAM_ID", TEAM)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn app_embeds_the_dext_in_system_extensions() {
    let plan = plan(&["--app", "--arch", "arm64e,x86_64"]);
    let app = "build/SbcDextHost.app";
    let embed = format!("ditto build/{ID}.dext {app}/Contents/Library/SystemExtensions/{ID}.dext");
    let at = position(&plan, &embed);
    assert_eq!(plan[at], embed);
    // The dext is signed before it is copied; the app is signed after, with its entitlements.
    assert!(position(&plan, &format!("--timestamp=none build/{ID}.dext")) < at);
    let sign_app = position(&plan, &format!("--options runtime --timestamp=none {app}"));
    assert!(at < sign_app);
    assert!(plan[sign_app].contains("--entitlements build/obj/app.entitlements"));
    position(&plan, "cp host-app/SbcDextHost.entitlements build/obj/app.entitlements");
    // The app is an arm64 + x86_64 program even when the dext is arm64e.
    position(&plan, "swiftc -O -parse-as-library -target arm64-apple-macos13.0");
    position(&plan, "swiftc -O -parse-as-library -target x86_64-apple-macos13.0");
    assert!(!plan.iter().any(|l| l.contains("arm64e-apple-macos")));
    // Its Info.plist names the dext it activates.
    let (value, _) = run_substitution(line(&plan, &format!("> {app}/Contents/Info.plist")), "app");
    let info = value.as_dictionary().unwrap();
    assert_eq!(string(info, "SbcDextBundleIdentifier"), ID);
    assert_eq!(string(info, "CFBundleIdentifier"), "com.example");
    assert_eq!(string(info, "CFBundleExecutable"), "SbcDextHost");
    assert_eq!(string(info, "LSMinimumSystemVersion"), "13.0");
    // Every Swift source of host-app/ is compiled.
    let swiftc = line(&plan, "swiftc");
    for entry in std::fs::read_dir(root_path("host-app/Sources")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            swiftc.contains(&format!("host-app/Sources/{name}")),
            "{name} not compiled: {swiftc}"
        );
    }
}

#[test]
fn dry_run_changes_nothing() {
    let id = format!("com.example.dry-run-{}", std::process::id());
    let build_existed = root_path("build").exists();
    let out = run(&["--dry-run", "--app", "--bundle-id", &id, "--team-id", TEAM], &[]);
    assert!(out.status.success());
    assert!(!Path::new(&root_path(&format!("build/{id}.dext"))).exists());
    assert_eq!(root_path("build").exists(), build_existed, "--dry-run created build/");
}
