//! `sbc-dext lint [INFO_PLIST] [ENTITLEMENTS]`: what in a dext's Info.plist and entitlements
//! keeps it from loading, matching or working (docs/driverkit.md §Info.plist personality,
//! §Entitlements, §Known failure modes).
//!
//! The checks are data: `BUNDLE`, `PERSONALITY` and `ENTITLEMENTS` are tables of keys,
//! each with the value it must have and what a wrong one does. Only the checks that look
//! beyond one value are code: the `SbcQuirks` dictionary (through the same entry check as
//! [`crate::personality`]), the `IOUserClass` against the classes the `.iig` files declare,
//! and the shape of the plists.
//!
//! Exit codes: 0 no errors (warnings are printed but pass, unless `--strict`), 1 errors (or,
//! with `--strict`, warnings), 2 input that cannot be read (a missing or oversized file, a
//! file that is not a plist, a plist nested too deep).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use plist::{Dictionary, Value};
use serde_json::json;

use super::{one_line, read_input, CliError};
use crate::personality;
use sbc_core::quirks::Quirks;

/// The quirks that name an NVMe bridge's tunnel: at most one per personality.
const NVME_BRIDGES: Quirks =
    Quirks::NVME_JMICRON.union(Quirks::NVME_ASMEDIA).union(Quirks::NVME_REALTEK);

/// Options of one `lint` run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The dext's Info.plist.
    pub info_plist: PathBuf,
    /// The dext's entitlements.
    pub entitlements: PathBuf,
    /// The directory whose `*.iig` files declare the dext's classes.
    pub iig: PathBuf,
    /// Warnings fail too (exit 1).
    pub strict: bool,
    /// JSON instead of text.
    pub json: bool,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The dext will not load, match, or work as meant.
    Error,
    /// Probably not what was meant, or could not be checked.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One thing wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// The file it is in, as shown in messages.
    pub file: String,
    /// The key path, e.g. `IOKitPersonalities.Generic.IOClass`; `(root)` for the whole file.
    pub path: String,
    /// What is wrong and what it does.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

/// What a key's value must be.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// Exactly this string.
    Str(&'static str),
    /// Exactly this integer.
    Int(i64),
    /// Any integer.
    AnyInt,
    /// A non-empty string.
    AnyStr,
    /// The same string as the bundle's `CFBundleIdentifier`.
    BundleId,
    /// `<true/>`.
    True,
    /// An INQUIRY field as the nub publishes it: a string of at most this many bytes, with
    /// no trailing whitespace (the nub strips it).
    Inquiry(usize),
    /// Better left out: being there is a warning.
    Absent,
}

/// A value known to be wrong, with what it does.
#[derive(Debug, Clone, Copy)]
struct Known {
    value: &'static str,
    severity: Severity,
    why: &'static str,
    /// The fix, when it is not the rule's.
    fix: &'static str,
}

const fn known(value: &'static str, why: &'static str) -> Known {
    Known { value, severity: Severity::Error, why, fix: "" }
}

/// One key of a dictionary and what its value must be.
#[derive(Debug, Clone, Copy)]
struct Rule {
    key: &'static str,
    want: Want,
    /// The finding when the key is absent; `None` when it is optional.
    missing: Option<Severity>,
    /// What the key is for, or what a wrong value does: said when it is absent or wrong.
    why: &'static str,
    /// What a value of the wrong type does; empty: [`Rule::why`].
    type_why: &'static str,
    /// Values known to be wrong, each with its own explanation.
    known: &'static [Known],
    /// The fix; empty: derived from [`Rule::want`].
    fix: &'static str,
}

const fn rule(key: &'static str, want: Want, why: &'static str) -> Rule {
    Rule { key, want, missing: Some(Severity::Error), why, type_why: "", known: &[], fix: "" }
}

/// The bundle keys at the root of the Info.plist.
const BUNDLE: &[Rule] = &[
    Rule {
        fix: "add <key>CFBundleIdentifier</key><string>$(PRODUCT_BUNDLE_IDENTIFIER)</string>",
        ..rule(
            "CFBundleIdentifier",
            Want::AnyStr,
            "the dext's bundle ID, which every personality's IOUserServerName repeats",
        )
    },
    Rule {
        fix: "add <key>CFBundleExecutable</key><string>$(EXECUTABLE_NAME)</string>",
        ..rule(
            "CFBundleExecutable",
            Want::AnyStr,
            "it names the dext's binary; without it there is nothing to launch",
        )
    },
    Rule {
        known: &[known(
            "KEXT",
            "a kernel extension's package type: the bundle is not taken for a dext",
        )],
        ..rule(
            "CFBundlePackageType",
            Want::Str("DEXT"),
            "a driver extension's package type is DEXT",
        )
    },
    Rule {
        fix: "add <key>CFBundleShortVersionString</key><string>$(MARKETING_VERSION)</string>",
        ..rule(
            "CFBundleShortVersionString",
            Want::AnyStr,
            "a dext's Info.plist needs its version (docs/driverkit.md §Required keys)",
        )
    },
    Rule {
        fix: "add <key>CFBundleVersion</key><string>$(CURRENT_PROJECT_VERSION)</string>",
        ..rule(
            "CFBundleVersion",
            Want::AnyStr,
            "a dext's Info.plist needs its build version (docs/driverkit.md §Required keys)",
        )
    },
    Rule {
        fix: "add <key>OSBundleUsageDescription</key><string>what the dext does</string>",
        ..rule(
            "OSBundleUsageDescription",
            Want::AnyStr,
            "a dext's Info.plist needs this literal key (docs/driverkit.md §Required keys)",
        )
    },
];

/// What a wrong INQUIRY field in a personality does.
const MATCHED: &str = "the nub publishes the INQUIRY field (trailing spaces stripped) and \
                       matching compares it with exact equality, so this personality never \
                       matches";

const IOCLASS_FIX: &str =
    "set <key>IOClass</key><string>IOUserSCSIPeripheralDeviceType00</string> \
                           with <key>CFBundleIdentifierKernel</key>\
                           <string>com.apple.iokit.IOSCSIBlockCommandsDevice</string>";

/// The keys of every personality (docs/driverkit.md §Required keys, §Matching and score).
const PERSONALITY: &[Rule] = &[
    Rule {
        known: &[
            Known {
                value: "IOUserService",
                severity: Severity::Error,
                why: "the dext starts, but UserDetermineDeviceCharacteristics never comes and \
                      every framework call returns kIOReturnUnsupported (0xe00002c7)",
                fix: IOCLASS_FIX,
            },
            Known {
                value: "IOSCSIPeripheralDeviceType00",
                severity: Severity::Error,
                why: "Apple's kernel driver class, not the IOUser class a dext runs under: the \
                      dext crashes or never loads",
                fix: IOCLASS_FIX,
            },
            known(
                "IOUserSCSIPeripheralDeviceType05",
                "the class for CD/DVD units (type 5); SbcDext subclasses \
                 IOUserSCSIPeripheralDeviceType00",
            ),
            known(
                "IOUserSCSIPeripheralDeviceType07",
                "the class for optical memory units (type 7); SbcDext subclasses \
                 IOUserSCSIPeripheralDeviceType00",
            ),
        ],
        fix: IOCLASS_FIX,
        ..rule(
            "IOClass",
            Want::Str(SUPERCLASS),
            "IOClass names the kernel class the dext's class runs under",
        )
    },
    Rule {
        known: &[Known {
            value: "IOSCSILogicalUnitNub",
            severity: Severity::Warning,
            why: "a subclass of IOSCSIPeripheralDeviceNub: only transports that publish that \
                  subclass match; Apple's table names IOSCSIPeripheralDeviceNub",
            fix: "",
        }],
        ..rule(
            "IOProviderClass",
            Want::Str("IOSCSIPeripheralDeviceNub"),
            "the dext matches the SCSI logical unit's nub; with another provider class it never \
             matches a disk",
        )
    },
    Rule {
        known: &[known(
            "com.apple.iokit.IOSCSIMultimediaCommandsDevice",
            "the kernel bundle of the CD/DVD (type 5) class",
        )],
        ..rule(
            "CFBundleIdentifierKernel",
            Want::Str("com.apple.iokit.IOSCSIBlockCommandsDevice"),
            "it must name the kernel bundle that holds IOUserSCSIPeripheralDeviceType00",
        )
    },
    Rule {
        missing: Some(Severity::Warning),
        ..rule(
            "CFBundleIdentifier",
            Want::BundleId,
            "Apple's personality table lists it: the bundle the personality belongs to",
        )
    },
    Rule {
        fix: "set <key>IOUserClass</key><string>SbcDext</string>, the class iig/SbcDext.iig \
              declares",
        ..rule(
            "IOUserClass",
            Want::AnyStr,
            "it names the dext's C++ class, which the kernel instantiates in the dext",
        )
    },
    rule(
        "IOUserServerName",
        Want::BundleId,
        "it must be the dext's bundle ID: the kernel looks for the dext's process under this name",
    ),
    Rule {
        type_why: "the nub publishes a number and matching compares with exact equality, so \
                   this personality never matches",
        known: &[
            known("5", "type 5 is a CD/DVD unit, served by IOUserSCSIPeripheralDeviceType05"),
            known(
                "7",
                "type 7 is an optical memory unit, served by IOUserSCSIPeripheralDeviceType07",
            ),
        ],
        ..rule(
            "Peripheral Device Type",
            Want::Int(0),
            "block-commands disks are type 0; without the key the personality matches only \
             through IOMatchCategory (score 4900)",
        )
    },
    Rule {
        missing: None,
        type_why: "IOKit reads the score only from a number, so the score meant here is lost",
        ..rule("IOProbeScore", Want::AnyInt, "")
    },
    Rule {
        missing: None,
        fix: "remove IOMatchCategory, unless the dext is meant to run beside Apple's driver",
        ..rule(
            "IOMatchCategory",
            Want::Absent,
            "with it the dext attaches beside Apple's Type00 driver instead of replacing it \
             (docs/driverkit.md §Matching and score)",
        )
    },
    Rule {
        missing: None,
        fix: "write the vendor as ioreg shows it on the nub (at most 8 characters, no trailing \
              spaces)",
        ..rule("Vendor Identification", Want::Inquiry(8), MATCHED)
    },
    Rule {
        missing: None,
        fix: "write the product as ioreg shows it on the nub (at most 16 characters, no \
              trailing spaces)",
        ..rule("Product Identification", Want::Inquiry(16), MATCHED)
    },
    Rule {
        missing: None,
        fix: "write the revision as ioreg shows it on the nub (at most 4 characters, no \
              trailing spaces)",
        ..rule("Product Revision Level", Want::Inquiry(4), MATCHED)
    },
];

/// The dext's entitlements (docs/driverkit.md §Entitlements).
const ENTITLEMENTS: &[Rule] = &[
    rule("com.apple.developer.driverkit", Want::True, "every dext needs it to run"),
    rule(
        "com.apple.developer.driverkit.family.scsicontroller",
        Want::True,
        "Apple's SCSIPeripheralsDriverKit page lists it for this family",
    ),
];

/// The class every personality's `IOUserClass` must subclass.
const SUPERCLASS: &str = "IOUserSCSIPeripheralDeviceType00";

/// The longest text of a value or key quoted in a message.
const QUOTED: usize = 80;

/// Runs `lint` and returns the text to print with the exit code (0 clean, 1 findings).
///
/// # Errors
/// An input that cannot be read or is not a plist (exit code 2).
pub fn lint(options: &Options) -> Result<(String, ExitCode), CliError> {
    let (info_name, info) = load(&options.info_plist)?;
    let (ent_name, entitlements) = load(&options.entitlements)?;
    let classes = iig_classes(&options.iig)?;
    let mut lint = Lint { findings: Vec::new(), file: info_name.clone() };
    lint.info_plist(&info, &classes);
    lint.file = ent_name.clone();
    lint.entitlements(&entitlements);
    let findings = lint.findings;
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let failed = errors > 0 || (options.strict && warnings > 0);
    let code = if failed { ExitCode::from(1) } else { ExitCode::SUCCESS };
    let text = if options.json {
        let list: Vec<_> = findings
            .iter()
            .map(|f| {
                json!({
                    "severity": f.severity.as_str(),
                    "file": f.file,
                    "path": f.path,
                    "message": f.message,
                    "fix": f.fix,
                })
            })
            .collect();
        let v = json!({ "findings": list, "errors": errors, "warnings": warnings });
        serde_json::to_string_pretty(&v).expect("a Value always serializes") + "\n"
    } else {
        let mut text = String::new();
        for f in &findings {
            text.push_str(&format!(
                "{} {}: {} (fix: {})\n",
                f.severity.as_str(),
                one_line(&f.path),
                one_line(&f.message),
                one_line(&f.fix)
            ));
        }
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        text.push_str(&format!(
            "{info_name}, {ent_name}: {}, {}\n",
            plural(errors, "error"),
            plural(warnings, "warning")
        ));
        text
    };
    Ok((text, code))
}

/// Reads and parses one plist, bounded and depth-checked as `attach --plist` does.
fn load(path: &Path) -> Result<(String, Value), CliError> {
    personality::load(path).map_err(|e| CliError(e.0))
}

/// A class an `.iig` file declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IigClass {
    /// The class name.
    pub name: String,
    /// The first base class, if any.
    pub base: Option<String>,
    /// The file that declares it, as shown in messages.
    pub file: String,
}

/// The classes `dir/*.iig` declare, or `None` when the directory has no `.iig` file.
///
/// # Errors
/// A directory or `.iig` file that exists but cannot be read, or an oversized file.
fn iig_classes(dir: &Path) -> Result<Option<Vec<IigClass>>, CliError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError(format!("cannot read {}: {e}", super::shown(dir)))),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| CliError(format!("cannot read {}: {e}", super::shown(dir))))?;
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "iig") && path.is_file() {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Ok(None);
    }
    files.sort();
    let mut classes = Vec::new();
    for path in files {
        let (shown, bytes) = read_input(Some(&path))?;
        classes.extend(declared_classes(&String::from_utf8_lossy(&bytes), &shown));
    }
    Ok(Some(classes))
}

/// The classes `source` (an `.iig` file) defines: `class [ANNOTATIONS] Name [: [public] Base] {`.
/// Comments and preprocessor lines are skipped; forward declarations (`class Name;`) are not
/// definitions.
pub fn declared_classes(source: &str, file: &str) -> Vec<IigClass> {
    let tokens = tokens(source);
    let mut classes = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] != "class" {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut name = None;
        while let Some(t) = tokens.get(j).filter(|t| is_ident(t)) {
            name = Some(*t);
            j += 1;
        }
        let base = match tokens.get(j).copied() {
            Some(":") => tokens[j + 1..]
                .iter()
                .find(|t| !matches!(**t, "public" | "protected" | "private" | "virtual"))
                .filter(|t| is_ident(t))
                .map(|t| t.to_string()),
            _ => None,
        };
        if let (Some(name), Some(":" | "{")) = (name, tokens.get(j).copied()) {
            classes.push(IigClass { name: name.to_string(), base, file: file.to_string() });
        }
        i = j.max(i + 1);
    }
    classes
}

fn is_ident(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

/// `source` as identifiers and single punctuation characters, without comments, string
/// literals and preprocessor lines.
fn tokens(source: &str) -> Vec<&str> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        let rest = &source[i..];
        let c = bytes[i];
        if (line_start && c == b'#') || rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if let Some(body) = rest.strip_prefix("/*") {
            i += body.find("*/").map_or(rest.len(), |n| n + 4);
        } else if c == b'"' {
            i += 1 + rest[1..].find('"').map_or(rest.len() - 1, |n| n + 1);
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            let n =
                rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            out.push(&rest[..n]);
            i += n;
        } else {
            let n = rest.chars().next().map_or(1, char::len_utf8);
            if !c.is_ascii_whitespace() {
                out.push(&rest[..n]);
            }
            i += n;
        }
        line_start = c == b'\n' || (line_start && (c == b' ' || c == b'\t'));
    }
    out
}

/// Collects findings for one file at a time.
struct Lint {
    findings: Vec<Finding>,
    /// The file being checked, as shown.
    file: String,
}

impl Lint {
    fn push(&mut self, severity: Severity, path: String, message: String, fix: String) {
        self.findings.push(Finding { severity, file: self.file.clone(), path, message, fix });
    }

    fn info_plist(&mut self, root: &Value, classes: &Option<Vec<IigClass>>) {
        let Some(root) = root.as_dictionary() else {
            let message = format!("the Info.plist is {}, not a dictionary", kind(root));
            self.push(
                Severity::Error,
                "(root)".into(),
                message,
                "use the dext's Info.plist".into(),
            );
            return;
        };
        self.rules(BUNDLE, root, "", None);
        let bundle_id = root.get("CFBundleIdentifier").and_then(Value::as_string);
        let Some(personalities) = root.get("IOKitPersonalities") else {
            let message = "missing: without a personality the dext never matches a device".into();
            self.push(Severity::Error, "IOKitPersonalities".into(), message, personality_fix());
            return;
        };
        let Some(personalities) = personalities.as_dictionary() else {
            let message = format!("{}, not a dictionary of personalities", kind(personalities));
            self.push(Severity::Error, "IOKitPersonalities".into(), message, personality_fix());
            return;
        };
        if personalities.is_empty() {
            let message = "empty: without a personality the dext never matches a device".into();
            self.push(Severity::Error, "IOKitPersonalities".into(), message, personality_fix());
        }
        let mut checked_classes: Vec<&str> = Vec::new();
        for (name, personality) in personalities {
            let prefix = format!("IOKitPersonalities.{}", quoted(name));
            let Some(personality) = personality.as_dictionary() else {
                let message = format!("{}, not a dictionary", kind(personality));
                self.push(Severity::Error, prefix, message, personality_fix());
                continue;
            };
            self.rules(PERSONALITY, personality, &prefix, bundle_id);
            self.quirks(personality, &prefix);
            if let Some(class) = personality.get("IOUserClass").and_then(Value::as_string) {
                if !class.is_empty() && !checked_classes.contains(&class) {
                    checked_classes.push(class);
                    self.user_class(class, classes, &format!("{prefix}.IOUserClass"));
                }
            }
        }
    }

    fn entitlements(&mut self, root: &Value) {
        let Some(root) = root.as_dictionary() else {
            let message = format!("the entitlements file is {}, not a dictionary", kind(root));
            let fix = "use the dext's entitlements plist (a dictionary of entitlements)".into();
            self.push(Severity::Error, "(root)".into(), message, fix);
            return;
        };
        self.rules(ENTITLEMENTS, root, "", None);
    }

    /// Applies `rules` to `dict`, whose key path is `prefix` (empty at the root).
    fn rules(&mut self, rules: &[Rule], dict: &Dictionary, prefix: &str, bundle_id: Option<&str>) {
        for rule in rules {
            let path = if prefix.is_empty() {
                rule.key.to_string()
            } else {
                format!("{prefix}.{}", rule.key)
            };
            let verdict = match dict.get(rule.key) {
                None => rule.missing.map(|s| (s, format!("missing: {}", rule.why), fix_of(rule))),
                Some(value) => judge(rule, value, bundle_id),
            };
            if let Some((severity, message, fix)) = verdict {
                self.push(severity, path, message, fix);
            }
        }
    }

    /// The personality's `SbcQuirks` dictionary: every entry, not just the first bad one.
    fn quirks(&mut self, personality: &Dictionary, prefix: &str) {
        let Some(value) = personality.get(personality::KEY) else { return };
        let path = format!("{prefix}.{}", personality::KEY);
        let Some(dict) = value.as_dictionary() else {
            let message = format!("{}, not a dictionary of quirk names to booleans", kind(value));
            let fix = "write <dict><key>QUIRK</key><true/></dict> (names as in core/src/quirks.rs)";
            self.push(Severity::Error, path, message, fix.into());
            return;
        };
        let mut bridges = Vec::new();
        for (name, value) in dict {
            let e = match personality::entry(name, value) {
                Ok((quirk, true)) if NVME_BRIDGES.intersects(quirk) => {
                    bridges.push(name.as_str());
                    continue;
                }
                Ok(_) => continue,
                Err(e) => e,
            };
            let fix = match e {
                personality::EntryError::Unknown(name) => match closest_quirk(name) {
                    Some(near) => {
                        format!("use '{near}', the known quirk nearest to it (core/src/quirks.rs)")
                    }
                    None => format!("use a known name: {}", quirk_names()),
                },
                personality::EntryError::NotBoolean(_) => {
                    "write <true/> to force the quirk on, <false/> to force it off".into()
                }
            };
            let message = match e {
                personality::EntryError::Unknown(_) => {
                    format!("{e}: the shim logs it and ignores it; attach --plist refuses it")
                }
                personality::EntryError::NotBoolean(_) => format!("{e}, not {}", kind(value)),
            };
            self.push(Severity::Error, format!("{path}.{}", quoted(name)), message, fix);
        }
        if bridges.len() > 1 {
            let message = format!(
                "more than one NVMe bridge quirk is on ({}): the engine reads no health rather \
                 than guess which tunnel the enclosure speaks",
                bridges.join(", ")
            );
            let fix = "keep only the quirk of the enclosure's bridge (docs/references.md §NVMe \
                       behind USB bridges)";
            self.push(Severity::Error, path, message, fix.into());
        }
    }

    /// `class` must be declared in an `.iig` file, as a subclass of [`SUPERCLASS`].
    fn user_class(&mut self, class: &str, classes: &Option<Vec<IigClass>>, path: &str) {
        let shown = quoted(class);
        let Some(classes) = classes else {
            let message = format!("no .iig file to check that {shown} is declared");
            let fix = "run lint from the repository root, or name the .iig directory with --iig";
            self.push(Severity::Warning, path.into(), message, fix.into());
            return;
        };
        match classes.iter().find(|c| c.name == class) {
            None => {
                let names: Vec<&str> = classes.iter().map(|c| c.name.as_str()).collect();
                let declared = if names.is_empty() { "none".into() } else { names.join(", ") };
                let message = format!(
                    "{shown} is not a class the .iig files declare (declared: {declared}): the \
                     kernel cannot instantiate it"
                );
                let fix =
                    format!("name the .iig's class, or declare class {shown}: public {SUPERCLASS}");
                self.push(Severity::Error, path.into(), message, fix);
            }
            Some(c) if c.base.as_deref() != Some(SUPERCLASS) => {
                let base = c.base.as_deref().unwrap_or("nothing");
                let message = format!(
                    "{shown} in {} derives from {base}, not {SUPERCLASS}, the class IOClass names",
                    c.file
                );
                let fix = format!("declare class {shown}: public {SUPERCLASS}");
                self.push(Severity::Warning, path.into(), message, fix);
            }
            Some(_) => {}
        }
    }
}

fn personality_fix() -> String {
    "add <key>IOKitPersonalities</key><dict><key>NAME</key><dict>…</dict></dict> with the keys \
     of docs/driverkit.md §Required keys"
        .into()
}

/// The verdict on a present value: `None` when it is right.
fn judge(
    rule: &Rule,
    value: &Value,
    bundle_id: Option<&str>,
) -> Option<(Severity, String, String)> {
    let wrong = |message: String| Some((Severity::Error, message, fix_of(rule)));
    let type_why = if rule.type_why.is_empty() { rule.why } else { rule.type_why };
    let mistyped = |expected: &str| wrong(format!("{}, not {expected}: {type_why}", kind(value)));
    let text = match (rule.want, value) {
        (Want::Absent, _) => {
            let message = format!("set ({}): {}", kind(value), rule.why);
            return Some((Severity::Warning, message, fix_of(rule)));
        }
        (Want::True, Value::Boolean(true)) => return None,
        (Want::True, Value::Boolean(false)) => "false".to_string(),
        (Want::True, _) => return mistyped("<true/>"),
        (Want::Int(_) | Want::AnyInt, Value::Integer(n)) => n.to_string(),
        (Want::Int(_) | Want::AnyInt, _) => return mistyped("an integer"),
        (_, Value::String(s)) => s.clone(),
        (_, _) => return mistyped("a string"),
    };
    let right = match rule.want {
        Want::Str(s) => text == s,
        Want::Int(n) => value.as_signed_integer() == Some(n),
        // Reached only with `<false/>`.
        Want::True => false,
        Want::AnyInt | Want::Absent => true,
        Want::AnyStr => !text.is_empty(),
        Want::BundleId => bundle_id.is_none_or(|id| id == text),
        Want::Inquiry(max) => {
            if text.len() > max {
                let message = format!(
                    "'{}' is {} bytes; the INQUIRY field has {max}: {}",
                    quoted(&text),
                    text.len(),
                    rule.why
                );
                return wrong(message);
            }
            if text.ends_with(char::is_whitespace) {
                return wrong(format!("'{}' ends in whitespace: {}", quoted(&text), rule.why));
            }
            true
        }
    };
    if right {
        return None;
    }
    if let Some(k) = rule.known.iter().find(|k| k.value == text) {
        let fix = if k.fix.is_empty() { fix_of(rule) } else { k.fix.to_string() };
        return Some((k.severity, format!("{}: {}", k.value, k.why), fix));
    }
    let message = match (rule.want, bundle_id) {
        _ if text.is_empty() => format!("empty: {}", rule.why),
        (Want::BundleId, Some(id)) => {
            format!("'{}' is not CFBundleIdentifier '{}': {}", quoted(&text), quoted(id), rule.why)
        }
        _ => format!("{}: {}", quoted(&text), rule.why),
    };
    wrong(message)
}

/// The rule's fix, or one derived from what it wants.
fn fix_of(rule: &Rule) -> String {
    if !rule.fix.is_empty() {
        return rule.fix.to_string();
    }
    let key = rule.key;
    match rule.want {
        Want::Str(s) => format!("set <key>{key}</key><string>{s}</string>"),
        Want::Int(n) => format!("set <key>{key}</key><integer>{n}</integer>"),
        Want::AnyInt => format!("write {key} as <integer>…</integer>"),
        Want::True => format!("set <key>{key}</key><true/>"),
        Want::BundleId => format!(
            "set <key>{key}</key> to the same string as CFBundleIdentifier \
             (<string>$(PRODUCT_BUNDLE_IDENTIFIER)</string>)"
        ),
        Want::AnyStr | Want::Inquiry(_) | Want::Absent => format!("set {key}"),
    }
}

/// What kind of value `v` is, with a short sample of a scalar: `a string ("0")`.
fn kind(v: &Value) -> String {
    match v {
        Value::String(s) => format!("a string (\"{}\")", quoted(s)),
        Value::Integer(n) => format!("an integer ({n})"),
        Value::Boolean(b) => format!("a boolean ({b})"),
        Value::Real(r) => format!("a real number ({r})"),
        Value::Array(_) => "an array".into(),
        Value::Dictionary(_) => "a dictionary".into(),
        Value::Data(_) => "data".into(),
        Value::Date(_) => "a date".into(),
        Value::Uid(_) => "a UID".into(),
        _ => "an unknown kind of value".into(),
    }
}

/// `text` cut to [`QUOTED`] characters (then `…`), so a huge value stays readable.
fn quoted(text: &str) -> String {
    match text.char_indices().nth(QUOTED) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

fn quirk_names() -> String {
    sbc_core::quirks::NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

/// The known quirk name nearest to `name` (by edit distance, ignoring case and `-`/`_`), if
/// it is close enough to be a typo.
fn closest_quirk(name: &str) -> Option<&'static str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-").into_bytes();
    let written = norm(name);
    if written.len() > 64 {
        return None;
    }
    sbc_core::quirks::NAMES
        .iter()
        .map(|(n, _)| (edit_distance(&written, &norm(n)), *n))
        .filter(|(d, n)| *d <= 3.min(n.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let next = (diagonal + usize::from(x != y)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn iig_classes_are_definitions_outside_comments() {
        let source = "// class Commented: public X {\n#include <class.h>\n\
                      /* class Block { */\nclass Forward;\n\
                      class LOCALONLY SbcDext: public IOUserSCSIPeripheralDeviceType00\n{\n};\n\
                      class Helper {\n};\nconst char *s = \"class Quoted {\";\n";
        let names: Vec<(String, Option<String>)> =
            declared_classes(source, "x.iig").into_iter().map(|c| (c.name, c.base)).collect();
        assert_eq!(
            names,
            [("SbcDext".to_string(), Some(SUPERCLASS.to_string())), ("Helper".to_string(), None)]
        );
    }

    #[test]
    fn typos_find_their_quirk() {
        assert_eq!(closest_quirk("retry-hwerro"), Some("retry-hwerror"));
        assert_eq!(closest_quirk("NO_VPDD"), Some("no-vpd"));
        assert_eq!(closest_quirk("frobnicate-everything"), None);
        assert_eq!(edit_distance(b"kitten", b"sitting"), 3);
    }
}
