//! `sbc-dext status [DISK]`: what the dext published for each disk it serves, read back
//! from the I/O Registry and printed as `attach` prints it.
//!
//! The registry is read in the layout `ioreg -a` prints (an XML property list: registry
//! entries as dictionaries of their properties plus `IOObjectClass`, `IORegistryEntryName`
//! and `IORegistryEntryChildren`). On a Mac the entries come from IOKit (`live`, below):
//! every service of class `IOUserSCSIPeripheralDeviceType00`, its properties as
//! CoreFoundation serializes them. Anywhere, `--from FILE` reads such a file: the output of
//! `ioreg -a -r -c IOUserSCSIPeripheralDeviceType00`, or of `sbc-dext attach --ioreg-xml`
//! (the kernel model's registry). Both go through [`disks`] and [`render`].
//!
//! A disk the dext serves is an entry that has the `SBC Device Characteristics` property,
//! or one of class `IOUserSCSIPeripheralDeviceType00` whose `IOUserClass` is the dext's
//! (`SbcDext`, not characterized yet). Its BSD name (`diskN`) is the `BSD Name` of the
//! whole-disk `IOMedia` below it (docs/mac-bring-up.md §status).

use std::path::PathBuf;
use std::process::ExitCode;

use plist::{Dictionary, Value as Plist};
use serde_json::{json, Map, Value};

use super::{report_text, CliError};
use crate::kernel::registry::{IOREG_CHILDREN_KEY, IOREG_CLASS_KEY, IOREG_NAME_KEY};
use crate::kernel::{REPORT_PROPERTY, TYPE00_CLASS};

/// The property the dext also publishes the report's `smart` subtree under.
pub const SMART_PROPERTY: &str = "SBC SMART";
/// The dext's user class (`iig/SbcDext.iig`), the `IOUserClass` of its services.
pub const USER_CLASS: &str = "SbcDext";
/// Deepest registry tree walked (the Mac's service plane is far shallower).
const MAX_DEPTH: usize = 64;

/// Options of one `status` run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only this disk (`diskN`, `/dev/diskN` or `/dev/rdiskN`).
    pub disk: Option<String>,
    /// Read this `ioreg -a` XML file instead of the live registry.
    pub from: Option<PathBuf>,
    /// JSON instead of text.
    pub json: bool,
}

/// One disk the dext serves, as the registry shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Disk {
    /// The registry entry's name (`SbcDext`).
    pub name: String,
    /// Its class (`IOUserSCSIPeripheralDeviceType00`).
    pub class: String,
    /// The whole disk's BSD name (`disk4`), when an `IOMedia` below the entry has one.
    pub bsd_name: Option<String>,
    /// The published report (`SBC Device Characteristics`) as JSON, with `smart` taken
    /// from `SBC SMART` when the report itself has none; `None` before characterization.
    pub report: Option<Value>,
}

/// Runs `status`: reads the registry (the live one on a Mac, or `--from FILE`) and renders
/// every disk the dext serves, or only `DISK`. Exit 0 when a disk was shown, 1 when the
/// registry holds none (or not `DISK`).
///
/// # Errors
/// An unreadable or malformed file, or (without `--from`) a machine that is not a Mac, or
/// an IOKit call failing (exit code 2).
pub fn status(options: &Options) -> Result<(String, ExitCode), CliError> {
    let disks = match &options.from {
        Some(path) => {
            let (name, bytes) = super::read_input(Some(path))?;
            disks(&parse_xml(&name, &bytes)?)
        }
        None => live::disks()?,
    };
    log(&format!("status: {} disk(s) served in the registry", disks.len()));
    Ok(render(&disks, options.disk.as_deref(), options.json))
}

/// An `ioreg -a` XML property list (its root an array or a dictionary).
///
/// # Errors
/// Not an XML property list, or a root that is neither an array nor a dictionary.
pub fn parse_xml(name: &str, bytes: &[u8]) -> Result<Plist, CliError> {
    let root = Plist::from_reader_xml(bytes)
        .map_err(|e| CliError(format!("{name}: not an ioreg -a XML property list: {e}")))?;
    match root {
        Plist::Array(_) | Plist::Dictionary(_) => Ok(root),
        _ => Err(CliError(format!(
            "{name}: the root is neither an array nor a dictionary of registry entries"
        ))),
    }
}

/// Every disk the dext serves in a registry tree of the `ioreg -a` layout, in tree order.
pub fn disks(root: &Plist) -> Vec<Disk> {
    let mut found = Vec::new();
    walk(root, 0, &mut found);
    found
}

fn walk(value: &Plist, depth: usize, found: &mut Vec<Disk>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Plist::Array(items) => items.iter().for_each(|v| walk(v, depth + 1, found)),
        Plist::Dictionary(entry) => {
            if served(entry) {
                found.push(disk(entry, bsd_name_below(entry)));
            } else if let Some(children) = entry.get(IOREG_CHILDREN_KEY) {
                walk(children, depth + 1, found);
            }
        }
        _ => {}
    }
}

/// Whether the entry is a service of the dext's: it published the report, or it is of the
/// SCSI peripheral class with the dext's user class.
fn served(entry: &Dictionary) -> bool {
    entry.contains_key(REPORT_PROPERTY)
        || (string(entry, IOREG_CLASS_KEY) == Some(TYPE00_CLASS)
            && string(entry, "IOUserClass") == Some(USER_CLASS))
}

fn string<'a>(entry: &'a Dictionary, key: &str) -> Option<&'a str> {
    entry.get(key).and_then(Plist::as_string)
}

/// One registry entry of the dext's as a [`Disk`] (`bsd_name` found by the caller: in the
/// entry's children for a file, by IOKit's recursive search on a Mac).
pub fn disk(entry: &Dictionary, bsd_name: Option<String>) -> Disk {
    let report = entry.get(REPORT_PROPERTY).map(|r| {
        let mut report = to_json(r);
        if let (Value::Object(map), Some(smart)) = (&mut report, entry.get(SMART_PROPERTY)) {
            if !map.contains_key("smart") {
                map.insert("smart".into(), to_json(smart));
            }
        }
        report
    });
    Disk {
        name: string(entry, IOREG_NAME_KEY).unwrap_or_default().to_string(),
        class: string(entry, IOREG_CLASS_KEY).unwrap_or_default().to_string(),
        bsd_name,
        report,
    }
}

/// The `BSD Name` of the first whole-disk `IOMedia` below `entry` (depth first, as IOKit's
/// recursive search goes), or else the first `BSD Name` below it.
fn bsd_name_below(entry: &Dictionary) -> Option<String> {
    fn search(entry: &Dictionary, depth: usize, whole_only: bool) -> Option<String> {
        let children = entry.get(IOREG_CHILDREN_KEY)?.as_array()?;
        if depth > MAX_DEPTH {
            return None;
        }
        children.iter().filter_map(Plist::as_dictionary).find_map(|child| {
            let whole = child.get("Whole").and_then(Plist::as_boolean) == Some(true)
                && string(child, IOREG_CLASS_KEY) == Some("IOMedia");
            match string(child, "BSD Name") {
                Some(name) if whole || !whole_only => Some(name.to_string()),
                _ => search(child, depth + 1, whole_only),
            }
        })
    }
    search(entry, 0, true).or_else(|| search(entry, 0, false))
}

/// A property-list value as JSON, as `attach --json` writes registry values: integers as
/// numbers, data as a hex string, dates as RFC 3339 text.
pub fn to_json(value: &Plist) -> Value {
    match value {
        Plist::String(s) => Value::String(s.clone()),
        Plist::Integer(i) => match (i.as_unsigned(), i.as_signed()) {
            (Some(u), _) => Value::from(u),
            (None, Some(s)) => Value::from(s),
            (None, None) => Value::Null,
        },
        Plist::Real(r) => Value::from(*r),
        Plist::Boolean(b) => Value::Bool(*b),
        Plist::Data(d) => Value::String(d.iter().map(|b| format!("{b:02x}")).collect()),
        Plist::Date(d) => Value::String(d.to_xml_format()),
        Plist::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Plist::Dictionary(d) => {
            Value::Object(d.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        Plist::Uid(u) => Value::from(u.get()),
        _ => Value::Null,
    }
}

/// `diskN` from `diskN`, `/dev/diskN` or `/dev/rdiskN`.
fn bsd(name: &str) -> &str {
    let name = name.strip_prefix("/dev/").unwrap_or(name);
    name.strip_prefix('r').filter(|n| n.starts_with("disk")).unwrap_or(name)
}

/// The disks (only `filter`, when given) as text or JSON, with the exit code: 0 when one
/// was shown, 1 when none.
pub fn render(disks: &[Disk], filter: Option<&str>, json: bool) -> (String, ExitCode) {
    let shown: Vec<&Disk> = disks
        .iter()
        .filter(|d| filter.is_none_or(|f| d.bsd_name.as_deref() == Some(bsd(f))))
        .collect();
    let code = if shown.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS };
    if json {
        let value = json!({ "disks": shown.iter().map(|d| disk_json(d)).collect::<Vec<_>>() });
        return (
            serde_json::to_string_pretty(&value).expect("a Value always serializes") + "\n",
            code,
        );
    }
    if shown.is_empty() {
        let text = match filter {
            Some(f) => {
                let served: Vec<&str> =
                    disks.iter().filter_map(|d| d.bsd_name.as_deref()).collect();
                format!(
                    "{:<22}{} is not served by sbc-dext (served: {})\n",
                    "disk",
                    super::one_line(f),
                    if served.is_empty() { "none".into() } else { served.join(", ") }
                )
            }
            None => format!(
                "{:<22}none served by sbc-dext (no {TYPE00_CLASS} with {REPORT_PROPERTY:?})\n",
                "disk"
            ),
        };
        return (text, code);
    }
    let text = shown.iter().map(|d| disk_text(d)).collect::<Vec<_>>().join("\n");
    (text, code)
}

fn disk_json(d: &Disk) -> Value {
    let mut v = Map::new();
    v.insert("bsd_name".into(), d.bsd_name.clone().map_or(Value::Null, Value::String));
    v.insert("name".into(), json!(d.name));
    v.insert("class".into(), json!(d.class));
    v.insert("report".into(), d.report.clone().unwrap_or(Value::Null));
    Value::Object(v)
}

fn disk_text(d: &Disk) -> String {
    let bsd = d.bsd_name.as_deref().unwrap_or("no BSD name");
    let mut out = format!("{:<22}{bsd} ({} <class {}>)\n", "disk", d.name, d.class);
    match &d.report {
        Some(report) => out.push_str(&report_text::rows(report)),
        None => out.push_str(&format!(
            "{:<22}not characterized (no {REPORT_PROPERTY:?} yet)\n",
            "verdict"
        )),
    }
    out
}

/// Writes `message` to the unified log (on a Mac, with the `oslog` feature) under the
/// subsystem [`LOG_SUBSYSTEM`], prefixed `sbc-dext: ` as the dext's own lines are; elsewhere
/// it does nothing.
pub fn log(message: &str) {
    #[cfg(all(target_os = "macos", feature = "oslog"))]
    oslog::OsLog::new(LOG_SUBSYSTEM, LOG_CATEGORY)
        .with_level(oslog::Level::Default, &format!("sbc-dext: {LOG_CATEGORY}: {message}"));
    #[cfg(not(all(target_os = "macos", feature = "oslog")))]
    let _ = message;
}

/// The unified-log subsystem of the command line's records. The dext logs through
/// `OS_LOG_DEFAULT` (no subsystem of its own) with every line starting `sbc-dext: `; the
/// command line's lines start the same way, so one predicate,
/// `eventMessage CONTAINS "sbc-dext: "`, shows both.
pub const LOG_SUBSYSTEM: &str = "sbc-dext";
/// The category of the command line's records.
pub const LOG_CATEGORY: &str = "cli";

/// The live I/O Registry, through IOKit.
#[cfg(target_os = "macos")]
mod live {
    #![allow(unsafe_code)]

    use std::ffi::{c_char, CStr};

    use core_foundation::base::{kCFAllocatorDefault, CFType, TCFType};
    use core_foundation::data::CFData;
    use core_foundation::dictionary::CFMutableDictionary;
    use core_foundation::propertylist::{create_data, kCFPropertyListXMLFormat_v1_0};
    use core_foundation::string::CFString;
    use io_kit_sys::keys::kIOServicePlane;
    use io_kit_sys::ret::kIOReturnSuccess;
    use io_kit_sys::types::{io_iterator_t, io_object_t};
    use io_kit_sys::{
        kIORegistryIterateRecursively, IOIteratorNext, IOObjectGetClass, IOObjectRelease,
        IORegistryEntryCreateCFProperties, IORegistryEntryGetName, IORegistryEntrySearchCFProperty,
        IOServiceGetMatchingServices, IOServiceMatching,
    };

    use super::{disk, parse_xml, Disk, IOREG_CLASS_KEY, IOREG_NAME_KEY, TYPE00_CLASS};
    use crate::cli::CliError;

    /// MACH_PORT_NULL: IOKit's default main port (kIOMainPortDefault).
    const MAIN_PORT_DEFAULT: u32 = 0;

    /// An IOKit object, released when dropped.
    struct Object(io_object_t);

    impl Drop for Object {
        fn drop(&mut self) {
            if self.0 != 0 {
                // SAFETY: an object this module got from IOKit and releases once.
                unsafe { IOObjectRelease(self.0) };
            }
        }
    }

    /// Every service of class `IOUserSCSIPeripheralDeviceType00` the dext serves.
    pub(super) fn disks() -> Result<Vec<Disk>, CliError> {
        let class = std::ffi::CString::new(TYPE00_CLASS).expect("no NUL");
        // SAFETY: a NUL-terminated class name; IOServiceGetMatchingServices consumes the
        // matching dictionary's reference.
        let matching = unsafe { IOServiceMatching(class.as_ptr()) };
        if matching.is_null() {
            return Err(CliError("IOServiceMatching returned NULL".into()));
        }
        let mut iterator: io_iterator_t = 0;
        // SAFETY: a valid matching dictionary (consumed) and output pointer.
        let ret =
            unsafe { IOServiceGetMatchingServices(MAIN_PORT_DEFAULT, matching, &mut iterator) };
        if ret != kIOReturnSuccess {
            return Err(CliError(format!("IOServiceGetMatchingServices failed: {ret:#x}")));
        }
        let iterator = Object(iterator);
        let mut found = Vec::new();
        loop {
            // SAFETY: a live iterator; each object returned is ours to release.
            let service = Object(unsafe { IOIteratorNext(iterator.0) });
            if service.0 == 0 {
                break;
            }
            let entry = entry(&service)?;
            let root = parse_xml("the I/O Registry", &entry)?;
            if let Some(dict) = root.as_dictionary().filter(|d| super::served(d)) {
                found.push(disk(dict, bsd_name(&service)));
            }
        }
        Ok(found)
    }

    /// The entry's properties, class and name, as CoreFoundation's XML property list (what
    /// `ioreg -a` prints for it, children left out).
    fn entry(service: &Object) -> Result<Vec<u8>, CliError> {
        let mut properties = std::ptr::null_mut();
        // SAFETY: a live service and a valid output pointer; on success we own the
        // dictionary (create rule).
        let ret = unsafe {
            IORegistryEntryCreateCFProperties(service.0, &mut properties, kCFAllocatorDefault, 0)
        };
        if ret != kIOReturnSuccess || properties.is_null() {
            return Err(CliError(format!("IORegistryEntryCreateCFProperties failed: {ret:#x}")));
        }
        // SAFETY: a new, owned CFMutableDictionary with CFString keys.
        let mut dict: CFMutableDictionary<CFString, CFType> =
            unsafe { CFMutableDictionary::wrap_under_create_rule(properties) };
        let mut name: [c_char; 128] = [0; 128];
        // SAFETY: io_name_t is 128 bytes; IOKit writes a NUL-terminated name.
        if unsafe { IOObjectGetClass(service.0, name.as_mut_ptr()) } == kIOReturnSuccess {
            dict.set(CFString::new(IOREG_CLASS_KEY), text(&name).as_CFType());
        }
        // SAFETY: as above.
        if unsafe { IORegistryEntryGetName(service.0, name.as_mut_ptr()) } == kIOReturnSuccess {
            dict.set(CFString::new(IOREG_NAME_KEY), text(&name).as_CFType());
        }
        let data: CFData = create_data(dict.as_CFTypeRef(), kCFPropertyListXMLFormat_v1_0)
            .map_err(|e| CliError(format!("cannot serialize the registry entry: {e}")))?;
        Ok(data.bytes().to_vec())
    }

    fn text(name: &[c_char; 128]) -> CFString {
        // SAFETY: IOKit wrote a NUL-terminated string into the buffer (zeroed before).
        CFString::new(&unsafe { CStr::from_ptr(name.as_ptr()) }.to_string_lossy())
    }

    /// The first `BSD Name` below the service in the service plane (the whole disk's
    /// `IOMedia` comes before its partitions in this depth-first search).
    fn bsd_name(service: &Object) -> Option<String> {
        let key = CFString::new("BSD Name");
        // SAFETY: a live service, a plane name and a key; the result is NULL or ours to
        // release (create rule).
        let found = unsafe {
            IORegistryEntrySearchCFProperty(
                service.0,
                kIOServicePlane,
                key.as_concrete_TypeRef(),
                kCFAllocatorDefault,
                kIORegistryIterateRecursively,
            )
        };
        if found.is_null() {
            return None;
        }
        // SAFETY: a new reference to a CF object.
        let value = unsafe { CFType::wrap_under_create_rule(found) };
        value.downcast::<CFString>().map(|s| s.to_string())
    }
}

/// Not a Mac: there is no live registry to read.
#[cfg(not(target_os = "macos"))]
mod live {
    use super::{CliError, Disk};

    pub(super) fn disks() -> Result<Vec<Disk>, CliError> {
        Err(CliError(
            "status reads the macOS I/O Registry: run it on a Mac; on Linux use attach \
             --ioreg-xml and status --from FILE"
                .into(),
        ))
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::kernel::registry::{Property, Service};

    /// A registry as the kernel model writes it, with an IOMedia below the dext's service.
    fn registry(bsd: &str) -> Service {
        let mut nub = Service::new("IOSCSIPeripheralDeviceNub", "IOSCSIPeripheralDeviceNub");
        let mut dext = Service::new(USER_CLASS, TYPE00_CLASS);
        dext.set("IOUserClass", Property::String(USER_CLASS.into()));
        let smart = Property::Dictionary(vec![
            ("available".into(), Property::Bool(true)),
            ("temperature_c".into(), Property::Number(31)),
        ]);
        dext.set(
            REPORT_PROPERTY,
            Property::Dictionary(vec![
                ("result".into(), Property::String("accept".into())),
                (
                    "characteristics".into(),
                    Property::Dictionary(vec![
                        ("vendor".into(), Property::String("ACME".into())),
                        ("block_count".into(), Property::Number(1000)),
                        ("logical_block_size".into(), Property::Number(512)),
                    ]),
                ),
                ("quirks".into(), Property::Array(vec![])),
            ]),
        );
        dext.set(SMART_PROPERTY, smart);
        let mut driver = Service::new("IOBlockStorageDriver", "IOBlockStorageDriver");
        let mut media = Service::new("ACME Media", "IOMedia");
        media.set("BSD Name", Property::String(bsd.into()));
        media.set("Whole", Property::Bool(true));
        let mut partition = Service::new("EFI", "IOMedia");
        partition.set("BSD Name", Property::String(format!("{bsd}s1")));
        partition.set("Whole", Property::Bool(false));
        media.children.push(partition);
        driver.children.push(media);
        dext.children.push(driver);
        nub.children.push(dext);
        nub
    }

    fn parsed(xml: &str) -> Vec<Disk> {
        disks(&parse_xml("test", xml.as_bytes()).unwrap())
    }

    #[test]
    fn test_the_dexts_services_with_their_reports_and_bsd_names() {
        let mut other = Service::new("OtherDext", TYPE00_CLASS);
        other.set("IOUserClass", Property::String("OtherDext".into()));
        let mut root = Service::new("Root", "IORegistryEntry");
        root.children = vec![registry("disk4"), other, registry("disk7")];
        let found = parsed(&root.ioreg_xml());
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].bsd_name.as_deref(), Some("disk4"));
        assert_eq!(found[1].bsd_name.as_deref(), Some("disk7"));
        assert_eq!(found[0].name, USER_CLASS);
        assert_eq!(found[0].class, TYPE00_CLASS);
        let report = found[0].report.as_ref().unwrap();
        assert_eq!(report["characteristics"]["block_count"], 1000);
        assert_eq!(report["result"], "accept");
        // SBC SMART fills in the report's smart when the report has none.
        assert_eq!(report["smart"]["temperature_c"], 31);
    }

    #[test]
    fn test_render_text_json_and_filter() {
        let found = parsed(&registry("disk4").ioreg_xml());
        let (text, code) = render(&found, None, false);
        assert_eq!(code, ExitCode::SUCCESS);
        let report = found[0].report.as_ref().unwrap();
        let expected = format!(
            "{:<22}disk4 (SbcDext <class {TYPE00_CLASS}>)\n{}",
            "disk",
            report_text::rows(report)
        );
        assert_eq!(text, expected);
        assert!(text.contains("capacity              1000 blocks x 512 bytes = 512000 bytes\n"));
        for filter in ["disk4", "/dev/disk4", "/dev/rdisk4"] {
            assert_eq!(render(&found, Some(filter), false).1, ExitCode::SUCCESS, "{filter}");
        }
        let (text, code) = render(&found, Some("disk5"), false);
        assert_eq!(code, ExitCode::from(1));
        assert_eq!(
            text,
            format!("{:<22}disk5 is not served by sbc-dext (served: disk4)\n", "disk")
        );
        let (text, _) = render(&found, None, true);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["disks"][0]["bsd_name"], "disk4");
        assert_eq!(&v["disks"][0]["report"], report);
        let (text, code) = render(&[], None, true);
        assert_eq!((text.as_str(), code), ("{\n  \"disks\": []\n}\n", ExitCode::from(1)));
    }

    #[test]
    fn test_a_service_of_the_dext_not_yet_characterized() {
        let mut dext = Service::new(USER_CLASS, TYPE00_CLASS);
        dext.set("IOUserClass", Property::String(USER_CLASS.into()));
        let found = parsed(&dext.ioreg_xml());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].report, None);
        assert_eq!(found[0].bsd_name, None);
        let (text, code) = render(&found, None, false);
        assert_eq!(code, ExitCode::SUCCESS);
        assert!(text.contains("no BSD name"), "{text}");
        assert!(text.contains("not characterized"), "{text}");
    }

    #[test]
    fn test_values_as_attach_json_writes_them() {
        let p = Property::Dictionary(vec![
            ("n".into(), Property::Number(u64::MAX)),
            ("d".into(), Property::Data(vec![0, 0xab])),
            ("b".into(), Property::Bool(true)),
            ("a".into(), Property::Array(vec![Property::String("x".into())])),
        ]);
        assert_eq!(to_json(&p.to_plist()), p.to_json());
        assert_eq!(to_json(&Plist::Integer((-5i64).into())), json!(-5));
        assert_eq!(to_json(&Plist::Real(1.5)), json!(1.5));
    }

    #[test]
    fn test_malformed_input() {
        assert!(parse_xml("f", b"<plist><dict><key>a</key>").is_err());
        let e = parse_xml(
            "f",
            b"<?xml version=\"1.0\"?><plist version=\"1.0\"><string>x</string></plist>",
        )
        .unwrap_err();
        assert!(e.0.contains("neither an array nor a dictionary"), "{e}");
    }

    #[cfg(not(target_os = "macos"))]
    #[test]
    fn test_no_live_registry_off_the_mac() {
        let e = status(&Options::default()).unwrap_err();
        assert!(e.0.starts_with("status reads the macOS I/O Registry: run it on a Mac"), "{e}");
    }
}
