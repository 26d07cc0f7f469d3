//! Personality matching, as `IOSCSIPeripheralDeviceNub` does it (docs/driverkit.md §Matching
//! and score, from `IOSCSIPeripheralDeviceNub::matchPropertyTable` in Apple's
//! IOSCSIArchitectureModelFamily).
//!
//! The nub publishes the standard INQUIRY identity as `Peripheral Device Type`, `Vendor
//! Identification`, `Product Identification` and `Product Revision Level` (whitespace
//! trimmed). A personality matches when its `IOProviderClass` is the nub's class and every
//! one of those keys it has is equal (an integer for the device type: a string "0" does not
//! match). The score is 5000 with the device type alone, 10000 with the vendor, 15000 with
//! the product, 20000 with the revision, plus `IOProbeScore` (counted as 4000 when it is
//! 5000 or more). A
//! personality without `Peripheral Device Type` matches only through `IOMatchCategory`,
//! at 4900.

use plist::{Dictionary, Value};

/// The nub's class, which every SCSI peripheral personality names as its provider.
pub const NUB_CLASS: &str = "IOSCSIPeripheralDeviceNub";

/// What the nub publishes from standard INQUIRY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NubIdentity {
    /// PERIPHERAL DEVICE TYPE.
    pub peripheral_device_type: u8,
    /// T10 VENDOR IDENTIFICATION, trimmed.
    pub vendor: String,
    /// PRODUCT IDENTIFICATION, trimmed.
    pub product: String,
    /// PRODUCT REVISION LEVEL, trimmed.
    pub revision: String,
}

impl NubIdentity {
    /// The nub's matching properties, as `ioreg` shows them.
    pub fn properties(&self) -> Vec<(&'static str, super::registry::Property)> {
        use super::registry::Property;
        vec![
            ("Peripheral Device Type", Property::Number(u64::from(self.peripheral_device_type))),
            ("Vendor Identification", Property::String(self.vendor.clone())),
            ("Product Identification", Property::String(self.product.clone())),
            ("Product Revision Level", Property::String(self.revision.clone())),
        ]
    }
}

/// The personality that won.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    /// Its key in `IOKitPersonalities`.
    pub name: String,
    /// Its score.
    pub score: i64,
    /// Its properties.
    pub personality: Dictionary,
}

/// The score Apple's own block-storage driver gets on a type 0 nub (device type alone).
pub const APPLE_GENERIC_SCORE: i64 = 5000;

/// The best-scoring personality of `personalities` (the `IOKitPersonalities` dictionary) for
/// `nub`; the first in the plist's order wins a tie. `None`: nothing matches.
pub fn best(personalities: &Dictionary, nub: &NubIdentity) -> Option<Matched> {
    let mut best: Option<Matched> = None;
    for (name, value) in personalities {
        let Some(personality) = value.as_dictionary() else { continue };
        let Some(score) = score(personality, nub) else { continue };
        if best.as_ref().is_none_or(|b| score > b.score) {
            best = Some(Matched { name: name.clone(), score, personality: personality.clone() });
        }
    }
    best
}

/// The personality's score against `nub`, or `None` when it does not match.
pub fn score(personality: &Dictionary, nub: &NubIdentity) -> Option<i64> {
    if personality.get("IOProviderClass").and_then(Value::as_string) != Some(NUB_CLASS) {
        return None;
    }
    let probe = match personality.get("IOProbeScore") {
        None => 0,
        // Values of 5000 or more count as 4000 (so a probe score alone never outranks an
        // identity match).
        Some(v) => match v.as_signed_integer()? {
            big if big >= 5000 => 4000,
            small => small,
        },
    };
    let Some(pdt) = personality.get("Peripheral Device Type") else {
        return personality.contains_key("IOMatchCategory").then_some(4900 + probe);
    };
    if pdt.as_unsigned_integer() != Some(u64::from(nub.peripheral_device_type)) {
        return None;
    }
    let mut score = 5000;
    for (key, value) in [
        ("Vendor Identification", &nub.vendor),
        ("Product Identification", &nub.product),
        ("Product Revision Level", &nub.revision),
    ] {
        match personality.get(key) {
            None => {}
            Some(v) if v.as_string() == Some(value.as_str()) => score += 5000,
            Some(_) => return None,
        }
    }
    Some(score + probe)
}

#[cfg(test)]
mod test {
    use super::*;

    fn nub() -> NubIdentity {
        NubIdentity {
            peripheral_device_type: 0,
            vendor: "ASMT".into(),
            product: "2105".into(),
            revision: "0".into(),
        }
    }

    fn personality(entries: &[(&str, Value)]) -> Dictionary {
        let mut d = Dictionary::new();
        d.insert("IOProviderClass".into(), Value::String(NUB_CLASS.into()));
        for (k, v) in entries {
            d.insert((*k).into(), v.clone());
        }
        d
    }

    #[test]
    fn test_scores() {
        let pdt = ("Peripheral Device Type", Value::Integer(0.into()));
        let vendor = ("Vendor Identification", Value::String("ASMT".into()));
        let product = ("Product Identification", Value::String("2105".into()));
        assert_eq!(score(&personality(std::slice::from_ref(&pdt)), &nub()), Some(5000));
        assert_eq!(score(&personality(&[pdt.clone(), vendor.clone()]), &nub()), Some(10000));
        assert_eq!(score(&personality(&[pdt.clone(), vendor, product]), &nub()), Some(15000));
        let probe = ("IOProbeScore", Value::Integer(9000.into()));
        assert_eq!(score(&personality(&[pdt.clone(), probe]), &nub()), Some(9000));
        let category = ("IOMatchCategory", Value::String("x".into()));
        assert_eq!(score(&personality(&[category]), &nub()), Some(4900));
    }

    #[test]
    fn test_mismatches() {
        let pdt_string = ("Peripheral Device Type", Value::String("0".into()));
        assert_eq!(score(&personality(&[pdt_string]), &nub()), None);
        let pdt = ("Peripheral Device Type", Value::Integer(0.into()));
        let other = ("Vendor Identification", Value::String("JMicron".into()));
        assert_eq!(score(&personality(&[pdt.clone(), other]), &nub()), None);
        let probe_string = ("IOProbeScore", Value::String("1000".into()));
        assert_eq!(score(&personality(&[pdt.clone(), probe_string]), &nub()), None);
        let mut wrong = personality(&[pdt]);
        wrong.insert("IOProviderClass".into(), Value::String("IOUSBHostInterface".into()));
        assert_eq!(score(&wrong, &nub()), None);
        assert_eq!(score(&personality(&[]), &nub()), None);
    }

    #[test]
    fn test_best_prefers_the_higher_score() {
        let mut all = Dictionary::new();
        let pdt = ("Peripheral Device Type", Value::Integer(0.into()));
        all.insert("Generic".into(), Value::Dictionary(personality(std::slice::from_ref(&pdt))));
        let vendor = ("Vendor Identification", Value::String("ASMT".into()));
        all.insert("Bridge".into(), Value::Dictionary(personality(&[pdt, vendor])));
        let m = best(&all, &nub()).unwrap();
        assert_eq!((m.name.as_str(), m.score), ("Bridge", 10000));
    }
}
