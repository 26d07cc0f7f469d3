//! One JSON renderer per response format. Keys are the core's field names, which are the
//! spec's field names in snake_case.

use serde_json::{json, Map, Value};

use sbc_core::wire::inquiry::InquiryData;
use sbc_core::wire::lba_status::LbaStatus;
use sbc_core::wire::mode::{caching::Caching, control::Control, ModePage, ModeParameters};
use sbc_core::wire::read_capacity::{ReadCapacity10, ReadCapacity16};
use sbc_core::wire::report_luns::ReportLuns;
use sbc_core::wire::supported_opcodes::AllCommands;
use sbc_core::wire::vpd::{self, VpdPage};
use sbc_core::wire::{self, Decoded};

use super::{ascii, hex, named};

/// An object with one key per listed field, each rendered with serde (bools, integers,
/// `Option`s of them).
macro_rules! fields {
    ($src:expr; $($field:ident),* $(,)?) => {{
        let src = &$src;
        let mut map = Map::new();
        $( map.insert(stringify!($field).into(), json!(src.$field)); )*
        map
    }};
}

/// Adds `key: {"code", "name"}` for an open code value (`None` -> null).
macro_rules! code {
    ($map:expr, $key:literal, $value:expr) => {
        $map.insert($key.into(), $value.map_or(Value::Null, |v| named(u64::from(v.0), v.name())));
    };
}

pub(super) fn inquiry(d: &InquiryData<'_>) -> Value {
    let mut m = fields!(d; rmb, lu_cong, normaca, hisup, response_data_format, additional_length,
        sccs, acc, tpgs, third_party_copy, protect, encserv, multip, cmdque);
    code!(m, "peripheral_qualifier", Some(d.peripheral_qualifier));
    code!(m, "peripheral_device_type", Some(d.peripheral_device_type));
    code!(m, "version", Some(d.version));
    m.insert("t10_vendor_identification".into(), ascii(d.t10_vendor_identification));
    m.insert("product_identification".into(), ascii(d.product_identification));
    m.insert("product_revision_level".into(), ascii(d.product_revision_level));
    let descriptors: Vec<Value> =
        d.version_descriptors.map(|v| json!(format!("{:#06x}", v.0))).collect();
    m.insert("version_descriptors".into(), Value::Array(descriptors));
    Value::Object(m)
}

pub(super) fn vpd(page: &VpdPage<'_>) -> Value {
    let code = page.page_code();
    let mut m = Map::new();
    code!(m, "page_code", Some(code));
    let body = match page {
        VpdPage::SupportedPages(p) => {
            let list: Vec<Value> =
                p.page_codes().map(|c| named(u64::from(c.0), c.name())).collect();
            json!({ "supported_vpd_pages": list })
        }
        VpdPage::UnitSerialNumber(p) => {
            json!({ "product_serial_number": ascii(p.product_serial_number) })
        }
        VpdPage::DeviceIdentification(p) => {
            let list: Vec<Value> = p.designators().map(|d| designator(&d)).collect();
            json!({ "designation_descriptors": list, "list_cut_short": p.designators().is_truncated() })
        }
        VpdPage::AtaInformation(p) => ata_information(p),
        VpdPage::BlockLimits(p) => Value::Object(fields!(p; wsnz,
            maximum_compare_and_write_length, optimal_transfer_length_granularity,
            maximum_transfer_length, optimal_transfer_length, maximum_prefetch_length,
            maximum_unmap_lba_count, maximum_unmap_block_descriptor_count,
            optimal_unmap_granularity, ugavalid, unmap_granularity_alignment,
            maximum_write_same_length, maximum_atomic_transfer_length, atomic_alignment,
            atomic_transfer_length_granularity,
            maximum_atomic_transfer_length_with_atomic_boundary, maximum_atomic_boundary_size)),
        VpdPage::BlockDeviceCharacteristics(p) => {
            let mut b = fields!(p; wabereq, wacereq, zoned, rbwz, bocs, fuab, vbuls,
                depopulation_time);
            b.insert(
                "medium_rotation_rate".into(),
                p.medium_rotation_rate.map_or(Value::Null, |r| json!(format!("{r:?}"))),
            );
            code!(b, "product_type", p.product_type);
            code!(b, "nominal_form_factor", p.nominal_form_factor);
            Value::Object(b)
        }
        VpdPage::LogicalBlockProvisioning(p) => {
            let mut b = fields!(p; threshold_exponent, lbpu, lbpws, lbpws10, lbprz, anc_sup,
                dp, minimum_percentage, threshold_percentage);
            code!(b, "provisioning_type", p.provisioning_type);
            b.insert(
                "provisioning_group_descriptor".into(),
                p.provisioning_group_descriptor.as_ref().map_or(Value::Null, designator),
            );
            Value::Object(b)
        }
        VpdPage::Unknown { data, .. } => json!({ "data": hex(data) }),
    };
    if let Value::Object(b) = body {
        m.extend(b);
    }
    Value::Object(m)
}

fn designator(d: &vpd::device_identification::Designator<'_>) -> Value {
    let mut m = fields!(d; piv);
    code!(m, "designator_type", Some(d.designator_type));
    code!(m, "code_set", Some(d.code_set));
    code!(m, "association", Some(d.association));
    code!(m, "protocol_identifier", d.protocol());
    m.insert("designator".into(), json!(hex(d.designator)));
    m.insert("text".into(), json!(d.to_string()));
    Value::Object(m)
}

fn ata_information(p: &vpd::ata_information::AtaInformation<'_>) -> Value {
    let mut m = Map::new();
    m.insert("sat_vendor_identification".into(), ascii(p.sat_vendor_identification));
    m.insert("sat_product_identification".into(), ascii(p.sat_product_identification));
    m.insert("sat_product_revision_level".into(), ascii(p.sat_product_revision_level));
    m.insert("ata_device_signature".into(), json!(p.ata_device_signature.map(hex)));
    code!(m, "command_code", p.command_code);
    let identify = p.identify().map_or(Value::Null, |id| {
        let text = |s: Option<String>| json!(s);
        json!({
            "model_number": text(id.model_number().map(|s| s.to_string())),
            "serial_number": text(id.serial_number().map(|s| s.to_string())),
            "firmware_revision": text(id.firmware_revision().map(|s| s.to_string())),
            "user_addressable_sectors": id.user_addressable_sectors(),
            "logical_sector_size": id.logical_sector_size(),
            "logical_per_physical_sectors": id.logical_per_physical_sectors(),
            "smart_supported": id.smart_supported(),
            "smart_enabled": id.smart_enabled(),
            "lba48_supported": id.lba48_supported(),
            "trim_supported": id.trim_supported(),
            "nominal_media_rotation_rate":
                id.nominal_media_rotation_rate().map(|r| format!("{r:?}")),
            "major_version": id.major_version(),
            "checksum": id.checksum().map(|c| format!("{c:?}")),
        })
    });
    m.insert("identify_device_data".into(), identify);
    Value::Object(m)
}

pub(super) fn read_capacity_10(d: &ReadCapacity10) -> Value {
    let mut m = fields!(d; returned_logical_block_address, logical_block_length_in_bytes);
    m.insert("block_count".into(), json!(d.block_count()));
    m.insert("capacity_bytes".into(), json!(d.capacity_bytes()));
    m.insert("needs_read_capacity_16".into(), json!(d.needs_read_capacity_16()));
    Value::Object(m)
}

pub(super) fn read_capacity_16(d: &ReadCapacity16) -> Value {
    let mut m = fields!(d; returned_logical_block_address, logical_block_length_in_bytes,
        p_type, prot_en, p_i_exponent, logical_blocks_per_physical_block_exponent, lbpme, lbprz,
        lowest_aligned_logical_block_address);
    code!(m, "rc_basis", d.rc_basis);
    m.insert("block_count".into(), json!(d.checked_block_count()));
    m.insert("capacity_bytes".into(), json!(d.capacity_bytes().to_string()));
    m.insert("physical_block_length".into(), json!(d.physical_block_length()));
    m.insert(
        "protection_type".into(),
        d.protection_type().map_or(Value::Null, |p| json!(format!("{p:?}"))),
    );
    Value::Object(m)
}

pub(super) fn mode_sense(bytes: &[u8], ten: bool) -> Result<(Value, usize, usize), wire::Error> {
    let decoded: Decoded<ModeParameters<'_>> =
        if ten { ModeParameters::parse10(bytes)? } else { ModeParameters::parse6(bytes)? };
    let p = &decoded.value;
    let h = &p.header;
    let mut header = fields!(h; mode_data_length, medium_type, device_specific_parameter,
        longlba, block_descriptor_length);
    header.insert("wp".into(), json!(h.wp()));
    header.insert("dpofua".into(), json!(h.dpofua()));
    let descriptors: Vec<Value> = p
        .block_descriptors
        .iter()
        .map(|b| {
            Value::Object(fields!(b; long, number_of_logical_blocks, density_code,
                logical_block_length))
        })
        .collect();
    let pages: Vec<Value> = p.pages.iter().map(|page| mode_page(&page)).collect();
    let value = json!({
        "header": header,
        "block_descriptors": descriptors,
        "block_descriptors_cut": p.block_descriptors_cut,
        "pages": pages,
        "pages_cut_short": p.pages.stopped_short(),
    });
    Ok((value, decoded.announced, decoded.available))
}

fn mode_page(page: &ModePage<'_>) -> Value {
    let mut m = fields!(page; ps, spf, page_code, subpage_code, page_length);
    m.insert("data".into(), json!(hex(page.data)));
    if let Some(c) = Caching::parse(page) {
        m.insert(
            "caching".into(),
            Value::Object(fields!(c; ic, abpf, cap, disc, size, wce, mf, rcd,
                demand_read_retention_priority, write_retention_priority,
                disable_pre_fetch_transfer_length, minimum_pre_fetch, maximum_pre_fetch,
                maximum_pre_fetch_ceiling, fsw, lbcss, dra, sync_prog, nv_dis,
                number_of_cache_segments, cache_segment_size)),
        );
    }
    if let Some(c) = Control::parse(page) {
        m.insert(
            "control".into(),
            Value::Object(fields!(c; tst, tmf_only, dpicz, d_sense, gltsd, rlec,
                queue_algorithm_modifier, nuar, qerr, rac, ua_intlck_ctrl, swp, ato, tas, atmpe,
                rwwp, sblp, autoload_mode, busy_timeout_period,
                extended_self_test_completion_time)),
        );
    }
    Value::Object(m)
}

pub(super) fn report_luns(d: &ReportLuns<'_>) -> Value {
    let luns: Vec<Value> = d
        .luns()
        .map(|lun| {
            json!({
                "lun": hex(&lun.0),
                "address_method": named(u64::from(lun.address_method().0), lun.address_method().name()),
                "first_level": format!("{:?}", lun.first_level()),
            })
        })
        .collect();
    json!({ "lun_list_length": d.lun_list_length, "luns": luns })
}

pub(super) fn supported_opcodes(bytes: &[u8]) -> Result<(Value, usize, usize), wire::Error> {
    let decoded = AllCommands::parse(bytes)?;
    let d = &decoded.value;
    let commands: Vec<Value> = d
        .commands()
        .map(|c| {
            let mut m = fields!(c; operation_code, servactv, ctdp, mlu, cdb_length);
            m.insert("service_action".into(), json!(c.service_action()));
            m.insert(
                "timeouts".into(),
                c.timeouts.map_or(Value::Null, |t| {
                    Value::Object(fields!(t; command_specific,
                        nominal_command_processing_timeout, recommended_command_timeout))
                }),
            );
            Value::Object(m)
        })
        .collect();
    let value = json!({
        "command_data_length": d.command_data_length,
        "commands": commands,
        "list_cut_short": d.commands().stopped_short(),
    });
    Ok((value, decoded.announced, decoded.available))
}

pub(super) fn lba_status(d: &LbaStatus<'_>) -> Value {
    let descriptors: Vec<Value> = d
        .descriptors()
        .map(|x| {
            let mut m = fields!(x; lba_status_logical_block_address, number_of_logical_blocks,
                additional_status);
            code!(m, "provisioning_status", Some(x.provisioning_status));
            Value::Object(m)
        })
        .collect();
    let mut m = fields!(d; parameter_data_length, rtp);
    code!(m, "completion_condition", Some(d.completion_condition));
    m.insert("descriptors".into(), Value::Array(descriptors));
    m.insert("partial_descriptor".into(), json!(d.has_partial_descriptor()));
    Value::Object(m)
}
