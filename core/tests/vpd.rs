//! VPD pages: every captured page (and generated variants of B0h/B1h/B2h) against
//! `sg_vpd --inhex`, hand-checked bytes, every prefix, and random input.

mod common;

use common::{every_prefix, inhex, peer, Rng};
use sbc_core::wire::vpd::{
    self, AtaCommandCode, AtaInformation, BlockDeviceCharacteristics, BlockLimits, Designator,
    DesignatorType, DesignatorValue, DeviceIdentification, LogicalBlockProvisioning,
    MediumRotationRate, Naa, PageCode, SupportedPages, UnitSerialNumber, VpdPage,
};
use sbc_core::wire::{Decoded, Error};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

const FILES: [&str; 7] = [
    "vpd_sdeb.hex",
    "vpd_dev_id.hex",
    "vpd_di_all.hex",
    "vpd_bl.hex",
    "vpd_lbpv.hex",
    "vpd_bdce.hex",
    "vpd_atai.hex",
];

/// Splits a capture holding one or more VPD pages back to back.
fn split_pages(buf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = buf;
    while rest.len() >= 4 {
        let len = 4 + usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        assert!(len <= rest.len(), "capture ends inside a page");
        out.push(rest[..len].to_vec());
        rest = &rest[len..];
    }
    assert!(rest.is_empty());
    out
}

/// Every captured page, named `file#index`.
fn captured_pages() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for f in FILES {
        for (i, p) in split_pages(&inhex(f)).into_iter().enumerate() {
            out.push((format!("{f}#{i}"), p));
        }
    }
    out
}

fn hex_file(bytes: &[u8]) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("sbc-core-vpd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.hex", N.fetch_add(1, Ordering::Relaxed)));
    let text: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, text.join(" ") + "\n").unwrap();
    path
}

fn sg_vpd(page: &[u8]) -> String {
    peer("sg_vpd", &[&format!("--inhex={}", hex_file(page).display())])
}

/// The text after `label:` on the first line that starts (after indentation) with it.
fn value(text: &str, label: &str) -> Option<String> {
    let pat = format!("{label}:");
    text.lines().find_map(|l| l.trim_start().strip_prefix(pat.as_str())).map(|v| v.trim().into())
}

/// The first number in `s`: decimal, or hex with a 0x prefix.
fn number(s: &str) -> u64 {
    let w = s.split_whitespace().next().unwrap_or_else(|| panic!("no number in {s:?}"));
    match w.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => w.parse().unwrap_or_else(|_| panic!("not a number: {s:?}")),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------- peer comparisons

/// `sg_vpd -e`: acronym -> page code, the peer's own table.
fn acronyms() -> HashMap<String, u8> {
    let text = peer("sg_vpd", &["-e"]);
    let mut map = HashMap::new();
    for l in text.lines() {
        let w: Vec<&str> = l.split_whitespace().collect();
        if w.len() >= 2 {
            if let Some(h) = w[1].strip_prefix("0x") {
                if let Ok(code) = u8::from_str_radix(h, 16) {
                    map.entry(w[0].to_string()).or_insert(code);
                }
            }
        }
    }
    map
}

fn compare_supported_pages(page: &[u8], text: &str) {
    let ours = SupportedPages::parse(page).unwrap().value;
    let table = acronyms();
    let peer_codes: Vec<u8> = text
        .lines()
        .skip(1)
        .map(|l| {
            let acr = l.rsplit_once('[').unwrap().1.trim_end_matches(']');
            table[acr]
        })
        .collect();
    assert_eq!(peer_codes, ours.supported_vpd_page_list, "{text}");
}

fn compare_unit_serial(page: &[u8], text: &str) {
    let ours = UnitSerialNumber::parse(page).unwrap().value;
    assert_eq!(
        value(text, "Unit serial number").unwrap(),
        ours.product_serial_number.unwrap().to_string()
    );
}

/// One designator as sg_vpd prints it.
#[derive(Debug)]
struct PeerDesignator {
    association: u8,
    designator_type: u8,
    code_set: u8,
    transport: Option<u8>,
    lines: Vec<String>,
}

fn peer_designators(text: &str) -> Vec<PeerDesignator> {
    let mut out: Vec<PeerDesignator> = Vec::new();
    let mut association = None;
    for l in text.lines() {
        let t = l.trim();
        let heading = match t {
            "Addressed logical unit:" => Some(0),
            "Target port:" => Some(1),
            "Target device that contains addressed lu:" => Some(2),
            _ => None,
        };
        if heading.is_some() {
            association = heading;
            continue;
        }
        if let Some(rest) = t.strip_prefix("designator type: ") {
            let (ty, cs) = rest.split_once(",  code set: ").unwrap();
            let designator_type = match ty {
                "vendor specific [0x0]" => 0,
                "T10 vendor identification" => 1,
                "EUI-64 based" => 2,
                "NAA" => 3,
                "Relative target port" => 4,
                "Target port group" => 5,
                "Logical unit group" => 6,
                "MD5 logical unit identifier" => 7,
                "SCSI name string" => 8,
                "Protocol specific port identifier" => 9,
                "UUID identifier" => 0xa,
                other => panic!("designator type {other:?}"),
            };
            let code_set = match cs {
                "Binary" => 1,
                "ASCII" => 2,
                "UTF-8" => 3,
                other => panic!("code set {other:?}"),
            };
            out.push(PeerDesignator {
                association: association.expect("designator before a heading"),
                designator_type,
                code_set,
                transport: None,
                lines: Vec::new(),
            });
            continue;
        }
        let Some(cur) = out.last_mut() else { continue };
        if let Some(tr) = t.strip_prefix("transport: ") {
            cur.transport = Some(match tr {
                "Serial Attached SCSI Protocol (SPL-4)" => 6,
                "USB Attached SCSI (UAS-2)" => 9,
                "SCSI over PCI Express (SOP)" => 0xa,
                other => panic!("transport {other:?}"),
            });
        } else {
            cur.lines.push(t.to_string());
        }
    }
    out
}

/// Hex byte tokens from sg_vpd's hex dump lines, at most `n`.
fn dump_bytes(lines: &[String], n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        for w in l.split_whitespace() {
            if out.len() == n || w.len() != 2 {
                break;
            }
            match u8::from_str_radix(w, 16) {
                Ok(b) => out.push(b),
                Err(_) => break,
            }
        }
    }
    out
}

/// Rebuilds the NAA designator's first 8 bytes from our decoded fields.
fn naa_first_u64(naa: &Naa) -> u64 {
    match *naa {
        Naa::IeeeExtended {
            vendor_specific_identifier_a: a,
            ieee_company_id: c,
            vendor_specific_identifier_b: b,
        } => 2 << 60 | u64::from(a) << 48 | u64::from(c) << 24 | u64::from(b),
        Naa::LocallyAssigned { locally_administered_value: v } => 3 << 60 | v,
        Naa::IeeeRegistered { ieee_company_id: c, vendor_specific_identifier: v } => {
            5 << 60 | u64::from(c) << 36 | v
        }
        Naa::IeeeRegisteredExtended {
            ieee_company_id: c, vendor_specific_identifier: v, ..
        } => 6 << 60 | u64::from(c) << 36 | v,
    }
}

fn compare_designator(ours: &Designator<'_>, peer: &PeerDesignator) {
    let ctx = format!("{peer:?}\n{ours:?}");
    assert_eq!(ours.association.0, peer.association, "{ctx}");
    assert_eq!(ours.designator_type.0, peer.designator_type, "{ctx}");
    assert_eq!(ours.code_set.0, peer.code_set, "{ctx}");
    assert_eq!(ours.protocol().map(|p| p.0), peer.transport, "{ctx}");
    let line = |label: &str| {
        peer.lines
            .iter()
            .find_map(|l| l.strip_prefix(label).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| panic!("no {label} in {ctx}"))
    };
    match ours.value() {
        DesignatorValue::VendorSpecific(b) => {
            assert_eq!(dump_bytes(&peer.lines[1..], b.len()), b, "{ctx}")
        }
        DesignatorValue::T10VendorId { t10_vendor_identification, vendor_specific_identifier } => {
            assert_eq!(line("vendor id:"), t10_vendor_identification.to_string(), "{ctx}");
            assert_eq!(
                line("vendor specific:"),
                String::from_utf8_lossy(vendor_specific_identifier).trim(),
                "{ctx}"
            );
        }
        DesignatorValue::Eui64 {
            identifier_extension,
            ieee_company_id,
            vendor_specific_extension_identifier,
            directory_id,
        } => {
            let eui = u64::from(ieee_company_id) << 40 | vendor_specific_extension_identifier;
            let rebuilt = match (identifier_extension, directory_id) {
                (None, None) => format!("0x{eui:016x}"),
                (None, Some(d)) => format!("0x{eui:016x}{d:08x}"),
                (Some(x), None) => format!("0x{x:016x}{eui:016x}"),
                _ => unreachable!(),
            };
            assert_eq!(peer.lines[0], rebuilt, "{ctx}");
        }
        DesignatorValue::Naa(naa) => {
            let mut rebuilt = format!("0x{:016x}", naa_first_u64(&naa));
            if let Naa::IeeeRegisteredExtended { vendor_specific_identifier_extension: x, .. } = naa
            {
                rebuilt += &format!("{x:016x}");
            }
            assert_eq!(peer.lines[0], rebuilt, "{ctx}");
            assert_eq!(peer.lines[0], format!("0x{}", hex(ours.designator)), "{ctx}");
        }
        DesignatorValue::RelativeTargetPort(v) => {
            assert_eq!(number(&line("Relative target port:")), u64::from(v), "{ctx}")
        }
        DesignatorValue::TargetPortGroup(v) => {
            assert_eq!(number(&line("Target port group:")), u64::from(v), "{ctx}")
        }
        DesignatorValue::LogicalUnitGroup(v) => {
            assert_eq!(number(&line("Logical unit group:")), u64::from(v), "{ctx}")
        }
        DesignatorValue::Md5LogicalUnitIdentifier(b) => {
            assert_eq!(dump_bytes(&peer.lines[1..], 16), b, "{ctx}")
        }
        DesignatorValue::ScsiNameString(s) => {
            assert_eq!(peer.lines[0], "SCSI name string:", "{ctx}");
            assert_eq!(peer.lines[1], s.to_string(), "{ctx}");
        }
        DesignatorValue::ProtocolSpecificPortIdentifier(b) => match peer.transport {
            // SPC-5 tables "USB target port identifier format", "PCI Express routing ID
            // designator format": checked here against our raw bytes.
            Some(9) => {
                assert_eq!(number(&line("USB device address:")), u64::from(b[0] & 0x7f));
                assert_eq!(number(&line("USB interface number:")), u64::from(b[2]));
            }
            Some(0xa) => {
                assert_eq!(number(&line("PCIe routing ID, bus number:")), u64::from(b[0]));
                assert_eq!(number(&line("function number:")), u64::from(b[1]));
            }
            other => panic!("transport {other:?}"),
        },
        DesignatorValue::Uuid { uuid_type, uuid } => {
            assert_eq!(uuid_type, 1);
            let h = hex(&uuid);
            let dashed =
                format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]);
            assert_eq!(line("Locally assigned UUID:"), dashed, "{ctx}");
        }
        DesignatorValue::Raw(b) => panic!("undecoded designator {b:02x?} ({ctx})"),
    }
}

fn compare_device_identification(page: &[u8], text: &str) {
    let ours = DeviceIdentification::parse(page).unwrap().value;
    let mut designators = ours.designators();
    let all: Vec<_> = designators.by_ref().collect();
    assert!(!designators.is_truncated());
    let peers = peer_designators(text);
    assert_eq!(all.len(), peers.len(), "{text}");
    // sg_vpd groups by association, keeping the order within a group.
    for association in 0..3 {
        let o: Vec<_> = all.iter().filter(|d| d.association.0 == association).collect();
        let p: Vec<_> = peers.iter().filter(|d| d.association == association).collect();
        assert_eq!(o.len(), p.len(), "association {association}: {text}");
        for (o, p) in o.iter().zip(p) {
            compare_designator(o, p);
        }
    }
}

fn compare_ata_information(page: &[u8], text: &str) {
    let ours = AtaInformation::parse(page).unwrap().value;
    let s = |a: Option<sbc_core::wire::Ascii<'_>>| a.unwrap().to_string();
    assert_eq!(
        value(text, "SAT Vendor identification").unwrap(),
        s(ours.sat_vendor_identification)
    );
    assert_eq!(
        value(text, "SAT Product identification").unwrap(),
        s(ours.sat_product_identification)
    );
    assert_eq!(
        value(text, "SAT Product revision level").unwrap(),
        s(ours.sat_product_revision_level)
    );
    assert_eq!(
        number(&value(text, "Command code").unwrap()),
        u64::from(ours.command_code.unwrap().0)
    );
    let id = ours.identify().unwrap();
    assert_eq!(value(text, "model").unwrap(), id.model_number().unwrap().to_string());
    assert_eq!(value(text, "serial number").unwrap(), id.serial_number().unwrap().to_string());
    assert_eq!(
        value(text, "firmware revision").unwrap(),
        id.firmware_revision().unwrap().to_string()
    );
}

fn compare_block_limits(page: &[u8], text: &str) {
    let v = BlockLimits::parse(page).unwrap().value;
    let rows: [(&str, Option<u64>); 16] = [
        ("Write same non-zero (WSNZ)", v.wsnz.map(u64::from)),
        ("Maximum compare and write length", v.maximum_compare_and_write_length.map(u64::from)),
        (
            "Optimal transfer length granularity",
            v.optimal_transfer_length_granularity.map(u64::from),
        ),
        ("Maximum transfer length", v.maximum_transfer_length.map(u64::from)),
        ("Optimal transfer length", v.optimal_transfer_length.map(u64::from)),
        ("Maximum prefetch transfer length", v.maximum_prefetch_length.map(u64::from)),
        ("Maximum unmap LBA count", v.maximum_unmap_lba_count.map(u64::from)),
        (
            "Maximum unmap block descriptor count",
            v.maximum_unmap_block_descriptor_count.map(u64::from),
        ),
        ("Optimal unmap granularity", v.optimal_unmap_granularity.map(u64::from)),
        ("Unmap granularity alignment", v.unmap_granularity_alignment.map(u64::from)),
        ("Maximum write same length", v.maximum_write_same_length),
        ("Maximum atomic transfer length", v.maximum_atomic_transfer_length.map(u64::from)),
        ("Atomic alignment", v.atomic_alignment.map(u64::from)),
        ("Atomic transfer length granularity", v.atomic_transfer_length_granularity.map(u64::from)),
        (
            "Maximum atomic transfer length with atomic boundary",
            v.maximum_atomic_transfer_length_with_atomic_boundary.map(u64::from),
        ),
        ("Maximum atomic boundary size", v.maximum_atomic_boundary_size.map(u64::from)),
    ];
    for (label, ours) in rows {
        let theirs = value(text, label).map(|s| number(&s));
        assert_eq!(theirs, ours, "{label}\n{text}\n{v:#?}");
    }
    let valid = value(text, "Unmap granularity alignment valid").map(|s| match s.as_str() {
        "true" => true,
        "false" => false,
        other => panic!("UGAVALID {other}"),
    });
    assert_eq!(valid, v.ugavalid, "{text}");
}

fn compare_block_device_characteristics(page: &[u8], text: &str) {
    let v = BlockDeviceCharacteristics::parse(page).unwrap().value;
    let rate_line = text.lines().nth(1).unwrap().trim();
    let theirs = if rate_line == "Non-rotating medium (e.g. solid state)" {
        MediumRotationRate::NonRotating
    } else if rate_line == "Medium rotation rate is not reported" {
        MediumRotationRate::NotReported
    } else if let Some(r) = rate_line.strip_prefix("Nominal rotation rate: ") {
        MediumRotationRate::Rpm(number(r) as u16)
    } else if let Some(r) = rate_line.strip_prefix("Reserved [") {
        MediumRotationRate::Reserved(number(r.trim_end_matches(']')) as u16)
    } else {
        panic!("rotation line {rate_line:?}")
    };
    assert_eq!(Some(theirs), v.medium_rotation_rate, "{text}");
    let product = value(text, "Product type").unwrap();
    if product == "Not specified" {
        assert_eq!(v.product_type.unwrap().0, 0);
    } else if let Some((_, code)) = product.rsplit_once('[') {
        assert_eq!(number(code.trim_end_matches(']')), u64::from(v.product_type.unwrap().0));
    }
    let eq = |key: &str, ours: Option<u64>| {
        let theirs = text
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}=")).map(number))
            .unwrap_or_else(|| panic!("no {key}= in {text}"));
        assert_eq!(Some(theirs), ours, "{key}\n{text}");
    };
    eq("WABEREQ", v.wabereq.map(u64::from));
    eq("WACEREQ", v.wacereq.map(u64::from));
    eq("ZONED", v.zoned.map(u64::from));
    eq("RBWZ", v.rbwz.map(u64::from));
    eq("BOCS", v.bocs.map(u64::from));
    eq("FUAB", v.fuab.map(u64::from));
    eq("VBULS", v.vbuls.map(u64::from));
    eq("DEPOPULATION_TIME", v.depopulation_time.map(u64::from));
    let form = text.lines().find(|l| l.contains("Nominal form factor")).unwrap();
    let theirs = match form.trim() {
        "Nominal form factor not reported" => Some(0),
        "Nominal form factor: 5.25 inch" => Some(1),
        "Nominal form factor: 3.5 inch" => Some(2),
        "Nominal form factor: 2.5 inch" => Some(3),
        "Nominal form factor: 1.8 inch" => Some(4),
        "Nominal form factor: less then 1.8 inch" => Some(5),
        "Nominal form factor: reserved" => None,
        other => panic!("{other:?}"),
    };
    let ours = v.nominal_form_factor.unwrap().0;
    match theirs {
        Some(code) => assert_eq!(ours, code, "{text}"),
        None => assert!(ours > 5, "{text}"),
    }
}

fn compare_logical_block_provisioning(page: &[u8], text: &str) {
    let v = LogicalBlockProvisioning::parse(page).unwrap().value;
    let n = |label: &str| value(text, label).map(|s| number(&s));
    assert_eq!(n("Unmap command supported (LBPU)"), v.lbpu.map(u64::from));
    assert_eq!(n("Write same (16) with unmap bit supported (LBPWS)"), v.lbpws.map(u64::from));
    assert_eq!(n("Write same (10) with unmap bit supported (LBPWS10)"), v.lbpws10.map(u64::from));
    assert_eq!(n("Logical block provisioning read zeros (LBPRZ)"), v.lbprz.map(u64::from));
    assert_eq!(n("Anchored LBAs supported (ANC_SUP)"), v.anc_sup.map(u64::from));
    assert_eq!(n("Threshold exponent"), v.threshold_exponent.map(u64::from));
    assert_eq!(n("Descriptor present (DP)"), v.dp.map(u64::from));
    assert_eq!(n("Minimum percentage"), v.minimum_percentage.map(u64::from));
    assert_eq!(n("Provisioning type"), v.provisioning_type.map(|t| u64::from(t.0)));
    assert_eq!(n("Threshold percentage"), v.threshold_percentage.map(u64::from));
    if let Some((_, rest)) = text.split_once("Provisioning group descriptor:") {
        let peers = peer_designators(&format!("Addressed logical unit:\n{rest}"));
        assert_eq!(peers.len(), 1, "{text}");
        compare_designator(&v.provisioning_group_descriptor.unwrap(), &peers[0]);
    } else {
        assert_eq!(v.provisioning_group_descriptor, None, "{text}");
    }
}

/// Compares one page with sg_vpd; returns whether the page was one we compare.
fn compare_with_sg_vpd(page: &[u8]) -> bool {
    let text = sg_vpd(page);
    match page[1] {
        0x00 => compare_supported_pages(page, &text),
        0x80 => compare_unit_serial(page, &text),
        0x83 => compare_device_identification(page, &text),
        0x89 => compare_ata_information(page, &text),
        0xb0 => compare_block_limits(page, &text),
        0xb1 => compare_block_device_characteristics(page, &text),
        0xb2 => compare_logical_block_provisioning(page, &text),
        _ => return false,
    }
    true
}

#[test]
fn test_captured_pages_against_sg_vpd() {
    let mut compared = Vec::new();
    for (name, page) in captured_pages() {
        if compare_with_sg_vpd(&page) {
            compared.push(format!("{name}:{:02x}", page[1]));
        }
    }
    // 00, 80, 83, 89, B0, B1, B2 from vpd_sdeb; 83 twice more; B0, B2, 89 once more each.
    assert_eq!(compared.len(), 12, "{compared:?}");
}

fn random_page(rng: &mut Rng, code: u8, page_length: u16) -> Vec<u8> {
    let mut p = vec![0, code, (page_length >> 8) as u8, page_length as u8];
    p.extend((0..page_length).map(|_| if rng.chance(3) { 0 } else { rng.byte() }));
    p
}

#[test]
fn test_generated_block_pages_against_sg_vpd() {
    let mut rng = Rng::new(0x00b0_b1b2);
    for i in 0..30 {
        // Block limits: the SBC-4 length and the short lengths of older devices.
        let len = [0x3c, 0x0c, 0x10][i % 3];
        let mut p = random_page(&mut rng, 0xb0, len);
        if rng.chance(2) {
            p[4] &= 1; // keep byte 4's reserved bits clear now and then
        }
        compare_with_sg_vpd(&p);
        // Block device characteristics, with rotation rates of every class.
        let mut p = random_page(&mut rng, 0xb1, 0x3c);
        let rate: u16 = [0, 1, 0x200, 7200, 15000, 0xffff][i % 6];
        p[4..6].copy_from_slice(&rate.to_be_bytes());
        compare_with_sg_vpd(&p);
        // Logical block provisioning, without a descriptor (DP forced to zero).
        let mut p = random_page(&mut rng, 0xb2, 4);
        p[5] &= !1;
        compare_with_sg_vpd(&p);
    }
}

// ---------------------------------------------------------------- hand-checked bytes

#[test]
fn test_parse_by_hand() {
    let sdeb = split_pages(&inhex("vpd_sdeb.hex"));
    assert_eq!(sdeb.len(), 12);
    // 00 b0 00 3c 00 00 00 01  00 00 40 00 00 00 04 00 ... 00 00 ff ff at 40..44
    let bl = BlockLimits::parse(&sdeb[9]).unwrap();
    assert_eq!((bl.announced, bl.available), (64, 64));
    assert_eq!(bl.value.optimal_transfer_length_granularity, Some(1));
    assert_eq!(bl.value.maximum_transfer_length, Some(0x4000));
    assert_eq!(bl.value.optimal_transfer_length, Some(0x400));
    assert_eq!(bl.value.maximum_write_same_length, Some(0xffff));
    // 00 b1 00 3c 00 01 00 05: non-rotating, form factor 5.
    let bdc = BlockDeviceCharacteristics::parse(&sdeb[10]).unwrap().value;
    assert_eq!(bdc.medium_rotation_rate, Some(MediumRotationRate::NonRotating));
    assert_eq!(bdc.nominal_form_factor.unwrap().0, 5);
    // vpd_dev_id: 01 03 00 08 50 00 c5 00 30 11 cb 2b: NAA 5, company 000C50h (Seagate).
    let di = inhex("vpd_dev_id.hex");
    let first = DeviceIdentification::parse(&di).unwrap().value.designators().next().unwrap();
    assert_eq!(first.designator_type, DesignatorType::NAA);
    assert_eq!(
        first.value(),
        DesignatorValue::Naa(Naa::IeeeRegistered {
            ieee_company_id: 0x000c50,
            vendor_specific_identifier: 0x0_3011_cb2b,
        })
    );
    // vpd_sdeb 0x83: 01 03 00 08 33 33 33 30 00 00 07 d0: NAA 3 locally assigned.
    let d: Vec<_> = DeviceIdentification::parse(&sdeb[2]).unwrap().value.designators().collect();
    assert_eq!(
        d[1].value(),
        DesignatorValue::Naa(Naa::LocallyAssigned {
            locally_administered_value: 0x0333_3330_0000_07d0
        })
    );
    // vpd_di_all: 01 03 00 10 61 22 33 44 55 66 77 88 aa bb cc dd ee ff ee dd: NAA 6.
    let all = inhex("vpd_di_all.hex");
    let naa6 = DeviceIdentification::parse(&all)
        .unwrap()
        .value
        .designators()
        .find(|d| d.designator_type == DesignatorType::NAA && d.designator.len() == 16)
        .unwrap();
    assert_eq!(
        naa6.value(),
        DesignatorValue::Naa(Naa::IeeeRegisteredExtended {
            ieee_company_id: 0x122334,
            vendor_specific_identifier: 0x4_5566_7788,
            vendor_specific_identifier_extension: 0xaabb_ccdd_eeff_eedd,
        })
    );
    // vpd_atai: command code ECh at byte 56, signature 34 00 00 00 01 ...
    let atai_buf = inhex("vpd_atai.hex");
    let atai = AtaInformation::parse(&atai_buf).unwrap().value;
    assert_eq!(atai.command_code, Some(AtaCommandCode::IDENTIFY_DEVICE));
    assert_eq!(atai.ata_device_signature.unwrap()[..5], [0x34, 0, 0, 0, 1]);
    assert_eq!(atai.identify_data.unwrap().len(), 512);
    // vpd_lbpv: DP = 1 and a NAA 5 provisioning group descriptor.
    let lbp_buf = inhex("vpd_lbpv.hex");
    let lbp = LogicalBlockProvisioning::parse(&lbp_buf).unwrap().value;
    assert_eq!(lbp.dp, Some(true));
    assert_eq!(
        lbp.provisioning_group_descriptor.unwrap().designator,
        [0x51, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]
    );
}

#[test]
fn test_wrong_page_and_short_header() {
    let bl = inhex("vpd_bl.hex");
    assert_eq!(
        LogicalBlockProvisioning::parse(&bl).unwrap_err(),
        Error::Malformed("page code is not 0xB2")
    );
    assert!(matches!(SupportedPages::parse(&bl), Err(Error::Malformed(_))));
    assert!(matches!(DeviceIdentification::parse(&bl), Err(Error::Malformed(_))));
    assert_eq!(BlockLimits::parse(&bl[..3]), Err(Error::Truncated { needed: 4, available: 3 }));
    assert_eq!(vpd::decode(&bl[..0]), Err(Error::Truncated { needed: 4, available: 0 }));
    // Page B5h is not decoded: kept raw.
    let bdce = inhex("vpd_bdce.hex");
    let d = vpd::decode(&bdce).unwrap();
    assert_eq!(d.value, VpdPage::Unknown { page_code: PageCode(0xb5), data: &bdce[4..] });
}

#[test]
fn test_designator_running_past_the_page_is_observable() {
    // Second descriptor claims 8 bytes, only 4 follow.
    let page = [0, 0x83, 0, 16, 1, 3, 0, 4, 1, 2, 3, 4, 1, 3, 0, 8, 5, 6, 7, 8];
    let di = DeviceIdentification::parse(&page).unwrap().value;
    let mut it = di.designators();
    assert!(it.next().is_some());
    assert!(it.next().is_none());
    assert!(it.is_truncated());
}

// ---------------------------------------------------------------- every prefix

macro_rules! same {
    ($p:expr, $full:expr, $n:expr; $($f:ident),* $(,)?) => {$(
        if $p.$f.is_some() {
            assert_eq!($p.$f, $full.$f, "{} at {} bytes", stringify!($f), $n);
        }
    )*};
}

fn check_prefix(prefix: &Decoded<VpdPage<'_>>, full: &VpdPage<'_>, n: usize) {
    match (&prefix.value, full) {
        (VpdPage::SupportedPages(p), VpdPage::SupportedPages(f)) => {
            assert!(f.supported_vpd_page_list.starts_with(p.supported_vpd_page_list))
        }
        (VpdPage::UnitSerialNumber(p), VpdPage::UnitSerialNumber(f)) => {
            same!(p, f, n; product_serial_number);
            assert_eq!(p.product_serial_number.is_some(), !prefix.is_truncated());
        }
        (VpdPage::DeviceIdentification(p), VpdPage::DeviceIdentification(f)) => {
            let mut it = p.designators();
            let got: Vec<_> = it.by_ref().collect();
            let want: Vec<_> = f.designators().collect();
            assert!(want.starts_with(&got), "{n} bytes");
            // A cut inside a descriptor is reported; a cut between descriptors is not.
            let used: usize = got.iter().map(|d| 4 + d.designator.len()).sum();
            assert_eq!(it.is_truncated(), 4 + used < n.min(prefix.announced), "{n} bytes");
        }
        (VpdPage::AtaInformation(p), VpdPage::AtaInformation(f)) => {
            same!(p, f, n; sat_vendor_identification, sat_product_identification,
                sat_product_revision_level, ata_device_signature, command_code, identify_data);
        }
        (VpdPage::BlockLimits(p), VpdPage::BlockLimits(f)) => {
            same!(p, f, n; wsnz, maximum_compare_and_write_length,
                optimal_transfer_length_granularity, maximum_transfer_length,
                optimal_transfer_length, maximum_prefetch_length, maximum_unmap_lba_count,
                maximum_unmap_block_descriptor_count, optimal_unmap_granularity, ugavalid,
                unmap_granularity_alignment, maximum_write_same_length,
                maximum_atomic_transfer_length, atomic_alignment,
                atomic_transfer_length_granularity,
                maximum_atomic_transfer_length_with_atomic_boundary,
                maximum_atomic_boundary_size);
            assert_eq!(p.maximum_transfer_length.is_some(), n >= 12);
        }
        (VpdPage::BlockDeviceCharacteristics(p), VpdPage::BlockDeviceCharacteristics(f)) => {
            same!(p, f, n; medium_rotation_rate, product_type, wabereq, wacereq,
                nominal_form_factor, zoned, rbwz, bocs, fuab, vbuls, depopulation_time);
            assert_eq!(p.medium_rotation_rate.is_some(), n >= 6);
        }
        (VpdPage::LogicalBlockProvisioning(p), VpdPage::LogicalBlockProvisioning(f)) => {
            same!(p, f, n; threshold_exponent, lbpu, lbpws, lbpws10, lbprz, anc_sup, dp,
                minimum_percentage, provisioning_type, threshold_percentage,
                provisioning_group_descriptor);
        }
        (VpdPage::Unknown { page_code: pc, data: pd }, VpdPage::Unknown { page_code, data }) => {
            assert_eq!(pc, page_code);
            assert!(data.starts_with(pd));
        }
        (p, f) => panic!("{n} bytes decoded as {p:?}, the whole page as {f:?}"),
    }
}

#[test]
fn test_every_prefix() {
    for (name, page) in captured_pages() {
        let full = vpd::decode(&page).unwrap();
        assert!(!full.is_truncated(), "{name}");
        assert_eq!(full.announced, page.len(), "{name}");
        every_prefix(&page, |p| match vpd::decode(p) {
            Err(Error::Truncated { needed: 4, available }) => {
                assert!(p.len() < 4, "{name}");
                assert_eq!(available, p.len());
            }
            Err(e) => panic!("{name} at {} bytes: {e}", p.len()),
            Ok(d) => {
                assert!(p.len() >= 4, "{name}");
                assert_eq!(d.available, p.len(), "{name}");
                assert_eq!(d.announced, page.len(), "{name}");
                assert_eq!(d.is_truncated(), p.len() < page.len());
                check_prefix(&d, &full.value, p.len());
                // The page's own decoder agrees with the dispatcher.
                let same_page = match page[1] {
                    0x00 => SupportedPages::parse(p).map(|d| d.map(VpdPage::SupportedPages)),
                    0x80 => UnitSerialNumber::parse(p).map(|d| d.map(VpdPage::UnitSerialNumber)),
                    0x83 => {
                        DeviceIdentification::parse(p).map(|d| d.map(VpdPage::DeviceIdentification))
                    }
                    0x89 => AtaInformation::parse(p).map(|d| d.map(VpdPage::AtaInformation)),
                    0xb0 => BlockLimits::parse(p).map(|d| d.map(VpdPage::BlockLimits)),
                    0xb1 => BlockDeviceCharacteristics::parse(p)
                        .map(|d| d.map(VpdPage::BlockDeviceCharacteristics)),
                    0xb2 => LogicalBlockProvisioning::parse(p)
                        .map(|d| d.map(VpdPage::LogicalBlockProvisioning)),
                    _ => Ok(d),
                };
                assert_eq!(same_page, Ok(d), "{name}");
            }
        });
    }
}

// ---------------------------------------------------------------- random input

fn exercise(buf: &[u8]) {
    let Ok(d) = vpd::decode(buf) else {
        assert!(buf.len() < 4);
        return;
    };
    assert_eq!(d.available, buf.len());
    let _ = format!("{:?}", d.value);
    match d.value {
        VpdPage::DeviceIdentification(di) => {
            for des in di.designators() {
                let _ = format!("{des} {:?}", des.value());
            }
        }
        VpdPage::AtaInformation(a) => {
            if let Some(id) = a.identify() {
                let _ = (id.model_number(), id.serial_number(), id.firmware_revision());
                let _ = (id.user_addressable_sectors(), id.logical_sector_size());
                let _ = (id.logical_per_physical_sectors(), id.checksum(), id.major_version());
            }
        }
        VpdPage::LogicalBlockProvisioning(l) => {
            if let Some(des) = l.provisioning_group_descriptor {
                let _ = format!("{des}");
            }
        }
        _ => {}
    }
}

#[test]
fn test_random_input_never_panics() {
    let pages: Vec<Vec<u8>> = captured_pages().into_iter().map(|(_, p)| p).collect();
    let codes = [0x00, 0x80, 0x83, 0x89, 0xb0, 0xb1, 0xb2, 0xb5, 0xff];
    let mut rng = Rng::new(0x5eed);
    for _ in 0..30_000 {
        let mut b = if rng.chance(2) {
            pages[rng.below(pages.len() as u64) as usize].clone()
        } else {
            let n = rng.below(700) as usize;
            let mut b: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
            if n > 1 {
                b[1] = codes[rng.below(codes.len() as u64) as usize];
            }
            b
        };
        for _ in 0..rng.below(8) {
            if !b.is_empty() {
                let at = rng.below(b.len() as u64) as usize;
                b[at] = rng.byte();
            }
        }
        let cut = rng.below(b.len() as u64 + 1) as usize;
        exercise(&b[..cut]);
    }
}
