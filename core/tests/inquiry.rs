//! Standard INQUIRY data: the captured scsi_debug response and generated variants against
//! `sg_inq --inhex`, every prefix, and random input.

mod common;

use common::{every_prefix, inhex, inhex_path, peer, Rng};
use sbc_core::wire::inquiry::{InquiryData, PeripheralQualifier, Version, VersionDescriptor};
use sbc_core::wire::{Error, PeripheralDeviceType};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Writes `bytes` as a `.hex` file for the peer tools and returns its path.
fn hex_file(bytes: &[u8]) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("sbc-core-inquiry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.hex", N.fetch_add(1, Ordering::Relaxed)));
    let text: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, text.join(" ") + "\n").unwrap();
    path
}

/// The value after `key=` in sg_inq's `KEY=value` lists (first occurrence, whole token).
fn token(text: &str, key: &str) -> String {
    let pat = format!("{key}=");
    for word in text.split_whitespace() {
        // Skip bracketed and prefixed look-alikes such as "[AERC=0]" when searching "RC=".
        if let Some(v) = word.strip_prefix(&pat) {
            return v.trim_end_matches(']').to_string();
        }
    }
    panic!("sg_inq printed no {key}= in:\n{text}")
}

fn flag(text: &str, key: &str) -> bool {
    match token(text, key).as_str() {
        "0" => false,
        "1" => true,
        other => panic!("{key}={other}"),
    }
}

/// The text after `label:` on its line, with trailing spaces removed (sg_inq prints the
/// untrimmed field).
fn line_value(text: &str, label: &str) -> Option<String> {
    text.lines().find_map(|l| l.trim_start().strip_prefix(label)).map(|v| v.trim().to_string())
}

/// Asserts that everything sg_inq prints for `buf` agrees with our decode.
fn compare_with_sg_inq(buf: &[u8]) {
    let path = hex_file(buf);
    let text = peer("sg_inq", &[&format!("--inhex={}", path.display()), "-d"]);
    let d = InquiryData::parse(buf).unwrap();
    let v = d.value;
    let ctx = format!("{text}\n{v:#?}");
    assert_eq!(token(&text, "PQual"), v.peripheral_qualifier.0.to_string(), "{ctx}");
    assert_eq!(token(&text, "PDT"), v.peripheral_device_type.0.to_string(), "{ctx}");
    assert_eq!(flag(&text, "RMB"), v.rmb, "{ctx}");
    assert_eq!(flag(&text, "LU_CONG"), v.lu_cong, "{ctx}");
    assert_eq!(token(&text, "version"), format!("{:#04x}", v.version.0), "{ctx}");
    assert_eq!(flag(&text, "NormACA"), v.normaca, "{ctx}");
    assert_eq!(flag(&text, "HiSUP"), v.hisup, "{ctx}");
    assert_eq!(token(&text, "Resp_data_format"), v.response_data_format.to_string(), "{ctx}");
    assert_eq!(Some(flag(&text, "SCCS")), v.sccs, "{ctx}");
    assert_eq!(Some(flag(&text, "ACC")), v.acc, "{ctx}");
    assert_eq!(token(&text, "TPGS"), v.tpgs.unwrap().to_string(), "{ctx}");
    assert_eq!(Some(flag(&text, "3PC")), v.third_party_copy, "{ctx}");
    assert_eq!(Some(flag(&text, "Protect")), v.protect, "{ctx}");
    assert_eq!(Some(flag(&text, "EncServ")), v.encserv, "{ctx}");
    assert_eq!(Some(flag(&text, "MultiP")), v.multip, "{ctx}");
    assert_eq!(Some(flag(&text, "CmdQue")), v.cmdque, "{ctx}");
    // "length=96 (0x60)": the announced length.
    assert_eq!(token(&text, "length"), d.announced.to_string(), "{ctx}");
    let ours = |a: Option<sbc_core::wire::Ascii<'_>>| a.unwrap().to_string();
    assert_eq!(
        line_value(&text, "Vendor identification:").unwrap(),
        ours(v.t10_vendor_identification),
        "{ctx}"
    );
    assert_eq!(
        line_value(&text, "Product identification:").unwrap(),
        ours(v.product_identification),
        "{ctx}"
    );
    assert_eq!(
        line_value(&text, "Product revision level:").unwrap(),
        ours(v.product_revision_level),
        "{ctx}"
    );
    // sg_inq -d lists one line per non-zero version descriptor.
    let peer_descriptors = match text.split_once("Version descriptors:") {
        Some((_, rest)) => rest.lines().filter(|l| l.starts_with("    ")).count(),
        None => 0,
    };
    assert_eq!(peer_descriptors, v.version_descriptors.count(), "{ctx}");
}

#[test]
fn test_parse_captured_against_sg_inq() {
    let buf = inhex("inq_standard.hex");
    compare_with_sg_inq(&buf);
    // The captured file through the peer directly too (not only our re-encoding of it).
    let text = peer("sg_inq", &[&format!("--inhex={}", inhex_path("inq_standard.hex").display())]);
    assert!(text.contains("Product identification: scsi_debug"), "{text}");
}

#[test]
fn test_parse_captured_by_hand() {
    // Bytes read off inq_standard.hex by hand.
    let buf = inhex("inq_standard.hex");
    let d = InquiryData::parse(&buf).unwrap();
    assert_eq!((d.announced, d.available), (0x5b + 5, 96));
    assert!(!d.is_truncated());
    let v = d.value;
    assert_eq!(v.peripheral_qualifier, PeripheralQualifier::CONNECTED);
    assert_eq!(v.peripheral_device_type, PeripheralDeviceType::DIRECT_ACCESS_BLOCK);
    assert_eq!(v.version, Version::SPC_5);
    assert_eq!(v.t10_vendor_identification.unwrap().as_str(), Some("Linux"));
    assert_eq!(v.product_identification.unwrap().as_str(), Some("scsi_debug"));
    assert_eq!(v.product_revision_level.unwrap().as_str(), Some("0191"));
    assert_eq!(v.vendor_specific.unwrap(), b"20210520\0\0\0\0\0\0\0\0\0\0\0\0");
    let descriptors: Vec<_> = v.version_descriptors.collect();
    assert_eq!(
        descriptors,
        [0x00c0, 0x05c0, 0x0600, 0x2100].map(VersionDescriptor),
        "byte 58.. = 00 c0 05 c0 06 00 21 00"
    );
}

#[test]
fn test_generated_variants_against_sg_inq() {
    // Flags, qualifiers, device types and versions the capture does not exercise; the
    // expectation for each comes from sg_inq.
    let base = inhex("inq_standard.hex");
    let mut rng = Rng::new(0x1a9_0001);
    for _ in 0..40 {
        let mut b = base.clone();
        for at in [0usize, 1, 2, 3, 5, 6, 7] {
            b[at] = rng.byte();
        }
        // Keep a response data format of 2 so that sg_inq decodes the full layout.
        b[3] = (b[3] & 0xf0) | 0x02;
        compare_with_sg_inq(&b);
    }
}

#[test]
fn test_every_prefix() {
    let full_buf = inhex("inq_standard.hex");
    let full = InquiryData::parse(&full_buf).unwrap().value;
    let full_desc: Vec<_> = full.version_descriptors.collect();
    every_prefix(&full_buf, |p| match InquiryData::parse(p) {
        Err(Error::Truncated { needed: 5, available }) => {
            assert!(p.len() < 5);
            assert_eq!(available, p.len());
        }
        Err(e) => panic!("{} bytes: {e}", p.len()),
        Ok(d) => {
            assert!(p.len() >= 5);
            assert_eq!(d.available, p.len());
            assert_eq!(d.announced, 96);
            assert_eq!(d.is_truncated(), p.len() < 96);
            let v = d.value;
            macro_rules! same {
                ($($f:ident),*) => {$(
                    if v.$f.is_some() { assert_eq!(v.$f, full.$f, "{} at {}", stringify!($f), p.len()); }
                )*};
            }
            same!(
                sccs,
                acc,
                tpgs,
                third_party_copy,
                protect,
                encserv,
                multip,
                cmdque,
                t10_vendor_identification,
                product_identification,
                product_revision_level,
                vendor_specific
            );
            assert_eq!(v.version, full.version);
            assert_eq!(v.peripheral_device_type, full.peripheral_device_type);
            assert_eq!(v.t10_vendor_identification.is_some(), p.len() >= 16);
            assert_eq!(v.product_revision_level.is_some(), p.len() >= 36);
            let desc: Vec<_> = v.version_descriptors.collect();
            assert!(full_desc.starts_with(&desc), "{} bytes: {desc:?}", p.len());
        }
    });
}

#[test]
fn test_random_input_never_panics() {
    let base = inhex("inq_standard.hex");
    let mut rng = Rng::new(7);
    for _ in 0..20_000 {
        let mut b = if rng.chance(2) {
            base.clone()
        } else {
            (0..rng.below(120)).map(|_| rng.byte()).collect()
        };
        for _ in 0..rng.below(6) {
            if !b.is_empty() {
                let at = rng.below(b.len() as u64) as usize;
                b[at] = rng.byte();
            }
        }
        let cut = rng.below(b.len() as u64 + 1) as usize;
        if let Ok(d) = InquiryData::parse(&b[..cut]) {
            assert_eq!(d.available, cut);
            assert_eq!(d.announced, usize::from(b.get(4).copied().unwrap_or(0)) + 5);
            let _ = format!("{} {:?}", d.value, d.value);
            assert!(d.value.version_descriptors.count() <= 8);
        } else {
            assert!(cut < 5);
        }
    }
}
