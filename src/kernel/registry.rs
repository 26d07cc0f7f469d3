//! The I/O Registry as the kernel model keeps it: a tree of services, each with a class and a
//! property table, printed the way `ioreg -l` prints it.

use std::fmt::Write;

/// A registry property value: the OSObject kinds a dext can set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Property {
    /// OSString.
    String(String),
    /// OSNumber (unsigned).
    Number(u64),
    /// OSBoolean.
    Bool(bool),
    /// OSData.
    Data(Vec<u8>),
    /// OSArray.
    Array(Vec<Property>),
    /// OSDictionary, in insertion order.
    Dictionary(Vec<(String, Property)>),
}

impl Property {
    /// The value under `key`, when this is a dictionary that has it.
    pub fn get(&self, key: &str) -> Option<&Property> {
        match self {
            Property::Dictionary(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Property::String(s) => Some(s),
            _ => None,
        }
    }

    /// The tree as JSON (numbers, strings, booleans, arrays, objects; data as a hex string).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Property::String(s) => Value::String(s.clone()),
            Property::Number(n) => Value::from(*n),
            Property::Bool(b) => Value::Bool(*b),
            Property::Data(d) => Value::String(d.iter().map(|b| format!("{b:02x}")).collect()),
            Property::Array(items) => Value::Array(items.iter().map(Property::to_json).collect()),
            Property::Dictionary(entries) => {
                Value::Object(entries.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// `ioreg`'s one-line form of a value: `"text"`, `512`, `Yes`, `<00ff>`, `(a,b)`,
    /// `{"k"=v,...}`.
    pub fn ioreg_text(&self) -> String {
        match self {
            Property::String(s) => format!("\"{}\"", s.escape_debug()),
            Property::Number(n) => n.to_string(),
            Property::Bool(true) => "Yes".into(),
            Property::Bool(false) => "No".into(),
            Property::Data(d) => {
                format!("<{}>", d.iter().map(|b| format!("{b:02x}")).collect::<String>())
            }
            Property::Array(items) => {
                format!(
                    "({})",
                    items.iter().map(Property::ioreg_text).collect::<Vec<_>>().join(",")
                )
            }
            Property::Dictionary(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("\"{}\"={}", k.escape_debug(), v.ioreg_text()))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }
}

/// One registry entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The entry's name (`ioreg` shows the class name when the service set none).
    pub name: String,
    /// The kernel class (`<class …>`).
    pub class: String,
    /// Its properties, in the order they were set.
    pub properties: Vec<(String, Property)>,
    /// Whether RegisterService was called (`ioreg` marks unregistered entries `!registered`).
    pub registered: bool,
    /// Child services.
    pub children: Vec<Service>,
}

impl Service {
    /// A service with no properties and no children.
    pub fn new(name: &str, class: &str) -> Self {
        Service {
            name: name.into(),
            class: class.into(),
            properties: Vec::new(),
            registered: false,
            children: Vec::new(),
        }
    }

    /// Sets `key` (replacing an earlier value, as OSDictionary::setObject does).
    pub fn set(&mut self, key: &str, value: Property) {
        match self.properties.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.properties.push((key.into(), value)),
        }
    }

    /// The property `key`.
    pub fn get(&self, key: &str) -> Option<&Property> {
        self.properties.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The tree below and including this service, as `ioreg -l` prints it.
    pub fn ioreg(&self) -> String {
        let mut out = String::new();
        self.write_ioreg(&mut out, "", true);
        out
    }

    fn write_ioreg(&self, out: &mut String, indent: &str, last: bool) {
        let flags = if self.registered { "registered" } else { "!registered" };
        let _ = writeln!(out, "{indent}+-o {}  <class {}, {flags}>", self.name, self.class);
        let inner = format!("{indent}{}", if last { "  " } else { "| " });
        let bar = if self.children.is_empty() { "  " } else { "| " };
        let _ = writeln!(out, "{inner}{bar}{{");
        for (k, v) in &self.properties {
            let _ = writeln!(out, "{inner}{bar}  \"{}\" = {}", k.escape_debug(), v.ioreg_text());
        }
        let _ = writeln!(out, "{inner}{bar}}}");
        let _ = writeln!(out, "{inner}{bar}");
        for (i, child) in self.children.iter().enumerate() {
            child.write_ioreg(out, &inner, i + 1 == self.children.len());
        }
    }
}

/// The keys `ioreg -a` gives every registry entry besides its properties: its class, its
/// name and, when it has any, its children.
pub const IOREG_CLASS_KEY: &str = "IOObjectClass";
/// See [`IOREG_CLASS_KEY`].
pub const IOREG_NAME_KEY: &str = "IORegistryEntryName";
/// See [`IOREG_CLASS_KEY`].
pub const IOREG_CHILDREN_KEY: &str = "IORegistryEntryChildren";

impl Property {
    /// The value as a property-list value: strings, `<integer>`, `<true/>`/`<false/>`,
    /// `<data>`, arrays, and dictionaries with their keys sorted, as CoreFoundation writes a
    /// property list (and so `ioreg -a`).
    pub fn to_plist(&self) -> plist::Value {
        use plist::Value;
        match self {
            Property::String(s) => Value::String(s.clone()),
            Property::Number(n) => Value::Integer((*n).into()),
            Property::Bool(b) => Value::Boolean(*b),
            Property::Data(d) => Value::Data(d.clone()),
            Property::Array(items) => Value::Array(items.iter().map(Property::to_plist).collect()),
            Property::Dictionary(entries) => Value::Dictionary(sorted(
                entries.iter().map(|(k, v)| (k.clone(), v.to_plist())).collect(),
            )),
        }
    }
}

impl Service {
    /// This entry and the tree below it as one dictionary of the `ioreg -a` layout: its
    /// properties, `IOObjectClass`, `IORegistryEntryName` and, when it has children,
    /// `IORegistryEntryChildren` (an array of the same), keys sorted.
    pub fn to_plist(&self) -> plist::Value {
        let mut entries: Vec<(String, plist::Value)> =
            self.properties.iter().map(|(k, v)| (k.clone(), v.to_plist())).collect();
        entries.push((IOREG_CLASS_KEY.into(), plist::Value::String(self.class.clone())));
        entries.push((IOREG_NAME_KEY.into(), plist::Value::String(self.name.clone())));
        if !self.children.is_empty() {
            entries.push((
                IOREG_CHILDREN_KEY.into(),
                plist::Value::Array(self.children.iter().map(Service::to_plist).collect()),
            ));
        }
        plist::Value::Dictionary(sorted(entries))
    }

    /// The tree below and including this service as `ioreg -a -r -c CLASS` prints it for
    /// this entry's class: an XML property list whose root is an array of the matched
    /// entries (here, this one), each with its children.
    pub fn ioreg_xml(&self) -> String {
        let mut out = Vec::new();
        plist::Value::Array(vec![self.to_plist()])
            .to_writer_xml(&mut out)
            .expect("writing to memory does not fail");
        out.push(b'\n');
        String::from_utf8(out).expect("the plist writer writes UTF-8")
    }
}

/// A dictionary of `entries`, keys in order (a later duplicate replaces an earlier one).
fn sorted(mut entries: Vec<(String, plist::Value)>) -> plist::Dictionary {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.into_iter().collect()
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_ioreg_text() {
        let tree = Property::Dictionary(vec![
            ("a".into(), Property::Number(512)),
            ("b".into(), Property::Bool(true)),
            (
                "c".into(),
                Property::Array(vec![
                    Property::String("x\"y".into()),
                    Property::Data(vec![0, 255]),
                ]),
            ),
        ]);
        assert_eq!(tree.ioreg_text(), r#"{"a"=512,"b"=Yes,"c"=("x\"y",<00ff>)}"#);
        let mut nub = Service::new("IOSCSIPeripheralDeviceNub", "IOSCSIPeripheralDeviceNub");
        nub.set("Peripheral Device Type", Property::Number(0));
        nub.set("Peripheral Device Type", Property::Number(5));
        nub.children.push(Service::new("SbcDext", "IOUserSCSIPeripheralDeviceType00"));
        let text = nub.ioreg();
        assert!(text.starts_with(
            "+-o IOSCSIPeripheralDeviceNub  <class IOSCSIPeripheralDeviceNub, !registered>\n"
        ));
        assert!(text.contains("  |   \"Peripheral Device Type\" = 5\n"));
        assert!(
            text.contains("  +-o SbcDext  <class IOUserSCSIPeripheralDeviceType00, !registered>")
        );
    }

    #[test]
    fn test_ioreg_xml_layout() {
        let mut nub = Service::new("IOSCSIPeripheralDeviceNub", "IOSCSIPeripheralDeviceNub");
        nub.set("Vendor Identification", Property::String("ACME".into()));
        let mut dext = Service::new("SbcDext", "IOUserSCSIPeripheralDeviceType00");
        dext.set(
            "SBC Device Characteristics",
            Property::Dictionary(vec![
                ("result".into(), Property::String("accept".into())),
                ("block_count".into(), Property::Number(u64::MAX)),
                ("fua".into(), Property::Bool(false)),
                ("raw".into(), Property::Data(vec![0, 255])),
                ("quirks".into(), Property::Array(vec![Property::String("no-vpd".into())])),
            ]),
        );
        nub.children.push(dext);
        let xml = nub.ioreg_xml();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist"));
        for needle in [
            "<key>IOObjectClass</key>",
            "<key>IORegistryEntryChildren</key>",
            "<integer>18446744073709551615</integer>",
            "<false/>",
            "<data>\n\t\t\t\t\tAP8=\n\t\t\t\t\t</data>",
        ] {
            assert!(xml.contains(needle), "{needle} in {xml}");
        }
        let back = plist::Value::from_reader_xml(xml.as_bytes()).unwrap();
        let root = &back.as_array().unwrap()[0];
        let d = root.as_dictionary().unwrap();
        assert_eq!(d["IORegistryEntryName"].as_string(), Some("IOSCSIPeripheralDeviceNub"));
        let child = d["IORegistryEntryChildren"].as_array().unwrap()[0].as_dictionary().unwrap();
        assert_eq!(child["IOObjectClass"].as_string(), Some("IOUserSCSIPeripheralDeviceType00"));
        // Keys sorted, as CoreFoundation writes them.
        let report = child["SBC Device Characteristics"].as_dictionary().unwrap();
        let keys: Vec<&String> = report.keys().collect();
        assert_eq!(keys, ["block_count", "fua", "quirks", "raw", "result"]);
        // A leaf without children has no IORegistryEntryChildren key.
        assert!(!child.contains_key("IORegistryEntryChildren"));
    }
}
