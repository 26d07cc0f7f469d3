//! Every zoo profile's responses, decoded by our decoders (`sbc_core::wire`) and by an
//! independent peer (`sg_inq --inhex`, `sg_vpd --inhex` from sg3-utils): the simulator is
//! never the only witness of its own correctness. The tools are required: a missing tool
//! fails the test.

use std::path::PathBuf;
use std::process::Command as Process;

use sbc_core::wire::cdb::{
    Inquiry, ModeSense10, ModeSense6, PageControl, ReadCapacity10, ReadCapacity16, ReportLuns,
    ReportSupportedOperationCodes, StartStopUnit, TestUnitReady,
};
use sbc_core::wire::inquiry::InquiryData;
use sbc_core::wire::mode::{caching::Caching, ModeParameters};
use sbc_core::wire::read_capacity;
use sbc_core::wire::report_luns::ReportLuns as LunList;
use sbc_core::wire::supported_opcodes::AllCommands;
use sbc_core::wire::vpd::{self, VpdPage};
use sbc_dext::sim::{pages, zoo, Disk, ModeQuirk, Profile, Rc10Quirk};
use sbc_dext::target::Completion;

mod common;
use common::{exec, sense_of, CHECK_CONDITION, GOOD};

/// A disk past its power-on unit attention, started, and past any spin-up.
fn ready_disk(profile: &Profile) -> Disk {
    let mut disk = Disk::new(profile.clone());
    exec(&mut disk, TestUnitReady.encode().unwrap(), 0);
    let start = StartStopUnit { start: true, ..StartStopUnit::default() };
    exec(&mut disk, start.encode().unwrap(), 1);
    disk
}

const LATER: u64 = 1_000_000; // 1000 s: every spin-up is over

fn inquiry(disk: &mut Disk, page: Option<u8>, alloc: u16) -> (Completion, Vec<u8>) {
    let cmd = Inquiry { evpd_page: page, allocation_length: alloc }.encode().unwrap();
    exec(disk, cmd, LATER)
}

fn hex_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbc-sim-zoo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let text: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, text.join(" ") + "\n").unwrap();
    path
}

/// Runs an sg3-utils decoder on `bytes` and returns its stdout (fails if the tool is missing
/// or reports an error).
fn sg(tool: &str, name: &str, bytes: &[u8]) -> String {
    let path = hex_file(name, bytes);
    let out = Process::new(tool)
        .arg(format!("--inhex={}", path.display()))
        .output()
        .unwrap_or_else(|e| panic!("{tool} is required (sg3-utils): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{tool} failed on {name}: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The text after `label` on the line that has it, trimmed.
fn field<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines().find_map(|l| l.split_once(label).map(|(_, v)| v.trim()))
}

#[test]
fn zoo_has_unique_kebab_case_names_and_at_least_twelve_profiles() {
    assert!(zoo::NAMES.len() >= 12);
    assert_eq!(zoo::all().len(), zoo::NAMES.len());
    for (name, p) in zoo::NAMES.iter().zip(zoo::all()) {
        assert_eq!(&p.name, name);
        assert!(name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
    }
    let mut sorted = zoo::NAMES.to_vec();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), zoo::NAMES.len());
    assert!(zoo::by_name("no-such-device").is_none());
    assert_eq!(zoo::by_name("sim").unwrap().name, "sim");
}

#[test]
fn standard_inquiry_of_every_profile_decodes_with_ours_and_sg_inq() {
    for p in zoo::all() {
        let mut disk = Disk::new(p.clone());
        let (c, data) = inquiry(&mut disk, None, 255);
        assert_eq!(c.outcome, GOOD, "{}", p.name);
        assert_eq!(data.len(), usize::from(p.inquiry.length), "{}", p.name);

        let d = InquiryData::parse(&data).unwrap();
        assert!(!d.is_truncated(), "{}", p.name);
        assert_eq!(d.announced, data.len());
        let v = d.value;
        assert_eq!(v.peripheral_qualifier.0, p.inquiry.peripheral_qualifier, "{}", p.name);
        assert_eq!(v.peripheral_device_type.0, p.inquiry.device_type, "{}", p.name);
        assert_eq!(v.rmb, p.inquiry.removable, "{}", p.name);
        assert_eq!(v.version.0, p.inquiry.version, "{}", p.name);
        assert_eq!(v.response_data_format, 2);
        let trimmed = |s: &str, n: usize| s.chars().take(n).collect::<String>().trim().to_string();
        let vendor = v.t10_vendor_identification.unwrap();
        assert_eq!(vendor.as_bytes(), trimmed(&p.inquiry.vendor, 8).as_bytes(), "{}", p.name);
        let product = v.product_identification.unwrap();
        assert_eq!(product.as_bytes(), trimmed(&p.inquiry.product, 16).as_bytes(), "{}", p.name);
        let rev = v.product_revision_level.unwrap();
        assert_eq!(rev.as_bytes(), trimmed(&p.inquiry.revision, 4).as_bytes(), "{}", p.name);
        assert_eq!(v.cmdque, Some(p.inquiry.cmdque));

        let text = sg("sg_inq", &format!("{}-inq.hex", p.name), &data);
        let expect = format!(
            "PQual={}  PDT={}  RMB={}",
            p.inquiry.peripheral_qualifier,
            p.inquiry.device_type,
            u8::from(p.inquiry.removable)
        );
        assert!(text.contains(&expect), "{}: {expect} not in\n{text}", p.name);
        assert!(text.contains(&format!("version=0x{:02x}", p.inquiry.version)), "{text}");
        assert_eq!(
            field(&text, "Vendor identification:"),
            Some(trimmed(&p.inquiry.vendor, 8).as_str())
        );
        assert_eq!(
            field(&text, "Product identification:"),
            Some(trimmed(&p.inquiry.product, 16).as_str())
        );
        assert_eq!(
            field(&text, "Product revision level:"),
            Some(trimmed(&p.inquiry.revision, 4).as_str())
        );
    }
}

/// sg_vpd's name for each page in the supported-pages list.
fn sg_page_name(code: u8) -> &'static str {
    match code {
        0x00 => "Supported VPD pages",
        0x80 => "Unit serial number",
        0x83 => "Device identification",
        0x89 => "ATA information",
        0xB0 => "Block limits",
        0xB1 => "Block device characteristics",
        0xB2 => "Logical block provisioning",
        _ => panic!("the zoo serves no page {code:#x}"),
    }
}

#[test]
fn every_vpd_page_of_every_profile_decodes_with_ours_and_sg_vpd() {
    let mut pages_checked = 0;
    for p in zoo::all() {
        let mut disk = Disk::new(p.clone());
        let Some(v) = p.vpd.clone() else {
            // No VPD support: every EVPD request is ILLEGAL REQUEST, INVALID FIELD IN CDB.
            for code in [0x00, 0x80, 0x83, 0xB0] {
                let (c, _) = inquiry(&mut disk, Some(code), 255);
                assert_eq!(c.outcome, CHECK_CONDITION, "{}", p.name);
                assert_eq!(sense_of(&c), (0x05, 0x24, 0x00), "{}", p.name);
            }
            continue;
        };

        // Page 00h, with ours and sg_vpd.
        let (c, data) = inquiry(&mut disk, Some(0x00), 255);
        assert_eq!(c.outcome, GOOD);
        let listed: Vec<u8> = match vpd::decode(&data).unwrap().value {
            VpdPage::SupportedPages(s) => s.page_codes().map(|c| c.0).collect(),
            other => panic!("{}: {other:?}", p.name),
        };
        assert_eq!(listed, pages::supported_vpd_pages(&p), "{}", p.name);
        let text = sg("sg_vpd", &format!("{}-vpd00.hex", p.name), &data);
        for code in &listed {
            let name = sg_page_name(*code).to_lowercase();
            assert!(text.to_lowercase().contains(&name), "{}: {code:#x} not in\n{text}", p.name);
        }

        // A page it does not list is refused.
        let (c, _) = inquiry(&mut disk, Some(0xB7), 255);
        assert_eq!(sense_of(&c), (0x05, 0x24, 0x00), "{}", p.name);

        for &code in listed.iter().filter(|&&c| c != 0) {
            let (c, data) = inquiry(&mut disk, Some(code), 1024);
            assert_eq!(c.outcome, GOOD, "{} page {code:#x}", p.name);
            let decoded = vpd::decode(&data).unwrap();
            assert!(!decoded.is_truncated(), "{} page {code:#x}", p.name);
            assert_eq!(decoded.announced, data.len());
            let text = sg("sg_vpd", &format!("{}-vpd{code:02x}.hex", p.name), &data);
            let name = sg_page_name(code).to_lowercase();
            assert!(text.to_lowercase().contains(&name), "{}: {code:#x}\n{text}", p.name);
            pages_checked += 1;
            match decoded.value {
                VpdPage::UnitSerialNumber(s) => {
                    let serial = v.serial.as_deref().unwrap();
                    assert_eq!(s.product_serial_number.unwrap().as_bytes(), serial.as_bytes());
                    assert_eq!(field(&text, "Unit serial number:"), Some(serial), "{text}");
                }
                VpdPage::DeviceIdentification(d) => {
                    let id = v.identification.as_ref().unwrap();
                    let n = d.designators().count();
                    let expected = usize::from(id.naa5.is_some())
                        + usize::from(id.eui64.is_some())
                        + usize::from(id.t10_vendor_specific.is_some());
                    assert_eq!(n, expected, "{}", p.name);
                    if let Some(naa) = id.naa5 {
                        let want = format!("0x{:016x}", naa & 0x0FFF_FFFF_FFFF_FFFF | 0x5 << 60);
                        assert!(text.contains(&want), "{}: {want} not in\n{text}", p.name);
                    }
                    if id.t10_vendor_specific.is_some() {
                        assert!(text.contains("T10 vendor identification"), "{text}");
                    }
                }
                VpdPage::AtaInformation(a) => {
                    let ata = v.ata_information.as_ref().unwrap();
                    assert_eq!(a.identify_data.unwrap(), &ata.identify[..]);
                    let model = a.identify().unwrap().model_number().unwrap();
                    let model = model.as_str().unwrap().trim().to_string();
                    assert!(model.starts_with(p.inquiry.product.trim()), "{model}");
                    assert!(text.contains(&model), "{model} not in\n{text}");
                    assert_eq!(field(&text, "SAT Vendor identification:"), Some("linux"), "{text}");
                }
                VpdPage::BlockLimits(b) => {
                    let l = v.block_limits.unwrap();
                    assert_eq!(b.maximum_transfer_length, Some(l.max_transfer_length));
                    assert_eq!(b.optimal_transfer_length, Some(l.optimal_transfer_length));
                    assert_eq!(b.maximum_unmap_lba_count, Some(l.max_unmap_lba_count));
                    assert_eq!(b.optimal_unmap_granularity, Some(l.unmap_granularity));
                    assert_eq!(b.ugavalid, Some(l.unmap_granularity_alignment.is_some()));
                    assert_eq!(b.maximum_write_same_length, Some(l.max_write_same_length));
                    let max = field(&text, "Maximum transfer length:").unwrap();
                    let want = format!("{} blocks", l.max_transfer_length);
                    assert!(max.starts_with(&want), "{}: {max}", p.name);
                    let unmap = field(&text, "Maximum unmap LBA count:").unwrap();
                    assert!(unmap.starts_with(&l.max_unmap_lba_count.to_string()), "{unmap}");
                }
                VpdPage::BlockDeviceCharacteristics(b) => {
                    let ch = v.characteristics.unwrap();
                    assert_eq!(b.medium_rotation_rate.unwrap().raw(), ch.rotation_rate);
                    assert_eq!(b.nominal_form_factor.unwrap().0, ch.form_factor);
                    match ch.rotation_rate {
                        0 => assert!(text.contains("not reported"), "{text}"),
                        1 => assert!(text.contains("Non-rotating medium"), "{text}"),
                        rpm => assert!(text.contains(&format!("{rpm} rpm")), "{text}"),
                    }
                }
                VpdPage::LogicalBlockProvisioning(b) => {
                    let l = v.provisioning.unwrap();
                    assert_eq!(b.lbpu, Some(l.lbpu));
                    assert_eq!(b.lbpws, Some(l.lbpws));
                    assert_eq!(b.lbpws10, Some(l.lbpws10));
                    assert_eq!(b.lbprz, Some(l.lbprz));
                    assert_eq!(b.provisioning_type.unwrap().0, l.provisioning_type);
                    let lbpu = field(&text, "Unmap command supported (LBPU):");
                    assert_eq!(lbpu, Some(if l.lbpu { "1" } else { "0" }), "{text}");
                }
                other => panic!("{}: unexpected {other:?}", p.name),
            }
        }
    }
    assert!(pages_checked >= 40, "only {pages_checked} pages checked");
}

#[test]
fn read_capacity_of_every_profile_decodes_and_shows_its_quirk() {
    for p in zoo::all() {
        let mut disk = ready_disk(&p);
        let c10 = ReadCapacity10.encode().unwrap();
        let (c, data) = exec(&mut disk, c10, LATER);
        let b = p.behaviour;
        if p.inquiry.peripheral_qualifier != 0 {
            assert_eq!(sense_of(&c), (0x05, 0x25, 0x00), "{}", p.name);
            continue;
        }
        if b.no_medium {
            let rc = read_capacity::ReadCapacity10::parse(&data).unwrap().value;
            assert_eq!(rc.returned_logical_block_address, u32::MAX, "{}", p.name);
            continue;
        }
        assert_eq!(c.outcome, GOOD, "{}: {c:?}", p.name);
        let rc = read_capacity::ReadCapacity10::parse(&data).unwrap().value;
        let last = p.capacity.blocks - 1;
        let expected = match (b.capacity_off_by_one, b.rc10) {
            (true, _) => p.capacity.blocks as u32,
            (false, Rc10Quirk::WrapsPast2TiB) => last as u32,
            (false, Rc10Quirk::Correct) => u32::try_from(last).unwrap_or(u32::MAX),
        };
        assert_eq!(rc.returned_logical_block_address, expected, "{}", p.name);
        assert_eq!(rc.logical_block_length_in_bytes, p.capacity.block_length, "{}", p.name);

        let c16 = ReadCapacity16 { allocation_length: 32 }.encode().unwrap();
        let (c, data) = exec(&mut disk, c16, LATER);
        if !b.rc16_supported {
            assert_eq!(sense_of(&c), (0x05, 0x20, 0x00), "{}", p.name);
            continue;
        }
        let rc = read_capacity::ReadCapacity16::parse(&data).unwrap().value;
        let want = if b.capacity_off_by_one { p.capacity.blocks } else { last };
        assert_eq!(rc.returned_logical_block_address, want, "{}", p.name);
        assert_eq!(rc.logical_block_length_in_bytes, p.capacity.block_length);
        assert_eq!(rc.logical_blocks_per_physical_block_exponent, Some(p.capacity.lbppbe));
        assert_eq!(rc.lowest_aligned_logical_block_address, Some(p.capacity.lowest_aligned_lba));
        assert_eq!(rc.lbpme, Some(p.capacity.lbpme), "{}", p.name);
        assert_eq!(rc.lbprz, Some(p.capacity.lbprz), "{}", p.name);
        assert_eq!(rc.prot_en, Some(p.capacity.protection.is_some()));
    }
}

#[test]
fn mode_sense_of_every_profile_decodes() {
    for p in zoo::all() {
        let mut disk = ready_disk(&p);
        let ms6 = |page| {
            ModeSense6 { page_code: page, allocation_length: 255, ..ModeSense6::default() }
                .encode()
                .unwrap()
        };
        let (c, data) = exec(&mut disk, ms6(0x3F), LATER);
        if p.inquiry.peripheral_qualifier != 0 {
            assert_eq!(sense_of(&c), (0x05, 0x25, 0x00), "{}", p.name);
            continue;
        }
        assert_eq!(c.outcome, GOOD, "{}", p.name);
        let d = ModeParameters::parse6(&data).unwrap();
        let m = d.value;
        assert_eq!(m.header.wp(), p.mode.write_protected, "{}", p.name);
        assert_eq!(m.header.dpofua(), p.mode.dpofua, "{}", p.name);
        if p.behaviour.mode_quirk == ModeQuirk::Garbage {
            // The length lies and the last page runs past the end.
            assert!(d.is_truncated(), "{}", p.name);
            let mut pages = m.pages.iter();
            pages.by_ref().for_each(drop);
            assert!(pages.stopped_short(), "{}", p.name);
            // Page 8 asked, 3Fh data returned (pages other than 08h come too).
            let (_, data) = exec(&mut disk, ms6(0x08), LATER);
            let m = ModeParameters::parse6(&data).unwrap().value;
            assert!(m.pages.iter().any(|pg| pg.page_code != 0x08), "{}", p.name);
            continue;
        }
        assert!(!d.is_truncated(), "{}", p.name);
        let mut it = m.pages.iter();
        let codes: Vec<u8> = it.by_ref().map(|pg| pg.page_code).collect();
        assert!(!it.stopped_short(), "{}", p.name);
        assert_eq!(codes.contains(&0x08), p.mode.caching_page, "{}", p.name);
        assert_eq!(codes.contains(&0x0A), p.mode.control_page, "{}", p.name);
        if p.mode.block_descriptor {
            let bd = m.block_descriptors.first().unwrap();
            assert_eq!(bd.logical_block_length, p.capacity.block_length, "{}", p.name);
        }
        if p.mode.caching_page {
            let page = m.find_page(0x08, 0).unwrap();
            let caching = Caching::parse(&page).unwrap();
            assert_eq!(caching.wce, p.mode.write_cache, "{}", p.name);
            assert_eq!(caching.rcd, p.mode.read_cache_disabled, "{}", p.name);
            // A single page gives the same page.
            let (_, data) = exec(&mut disk, ms6(0x08), LATER);
            let single = ModeParameters::parse6(&data).unwrap().value;
            assert_eq!(single.find_page(0x08, 0).unwrap().raw, page.raw);
        }
        // A page the device does not have.
        let (c, _) = exec(&mut disk, ms6(0x19), LATER);
        assert_eq!(sense_of(&c), (0x05, 0x24, 0x00), "{}", p.name);

        let ms10 = ModeSense10 {
            page_code: 0x3F,
            page_control: PageControl::Current,
            allocation_length: 1024,
            llbaa: true,
            ..ModeSense10::default()
        };
        let (c, data) = exec(&mut disk, ms10.encode().unwrap(), LATER);
        if !p.behaviour.mode_sense_10_supported {
            assert_eq!(sense_of(&c), (0x05, 0x20, 0x00), "{}", p.name);
            continue;
        }
        let d = ModeParameters::parse10(&data).unwrap();
        assert!(!d.is_truncated());
        assert_eq!(d.value.header.wp(), p.mode.write_protected);
        if p.mode.block_descriptor {
            assert!(d.value.header.longlba);
            let bd = d.value.block_descriptors.first().unwrap();
            assert_eq!(bd.number_of_logical_blocks, p.capacity.blocks, "{}", p.name);
        }
    }
}

#[test]
fn report_luns_and_supported_opcodes_decode() {
    for p in zoo::all() {
        let mut disk = ready_disk(&p);
        let rl = ReportLuns { select_report: 0, allocation_length: 256 }.encode().unwrap();
        let (c, data) = exec(&mut disk, rl, LATER);
        if p.behaviour.report_luns_supported {
            let luns = LunList::parse(&data).unwrap().value;
            assert_eq!(luns.luns().count(), 1, "{}", p.name);
        } else {
            assert_eq!(sense_of(&c), (0x05, 0x20, 0x00), "{}", p.name);
        }
        let rsoc = ReportSupportedOperationCodes {
            rctd: false,
            reporting_options: 0,
            requested_operation_code: 0,
            requested_service_action: 0,
            allocation_length: 4096,
        };
        let (c, data) = exec(&mut disk, rsoc.encode().unwrap(), LATER);
        if p.inquiry.peripheral_qualifier != 0 {
            assert_eq!(sense_of(&c), (0x05, 0x25, 0x00), "{}", p.name);
            continue;
        }
        if !p.behaviour.rsoc_supported {
            assert_eq!(sense_of(&c), (0x05, 0x20, 0x00), "{}", p.name);
            continue;
        }
        let all = AllCommands::parse(&data).unwrap();
        assert!(!all.is_truncated());
        let all = all.value;
        assert!(all.is_supported(0x12, None), "{}", p.name);
        assert!(all.is_supported(0x00, None));
        assert_eq!(all.is_supported(0x9E, Some(0x10)), p.behaviour.rc16_supported);
        assert_eq!(all.is_supported(0x5A, None), p.behaviour.mode_sense_10_supported);
        assert_eq!(all.is_supported(0x85, None), p.behaviour.ata_pass_through, "{}", p.name);
        let lbpu = p.vpd.as_ref().and_then(|v| v.provisioning).is_some_and(|l| l.lbpu);
        assert_eq!(all.is_supported(0x42, None), lbpu && p.capacity.lbpme, "{}", p.name);
    }
}
