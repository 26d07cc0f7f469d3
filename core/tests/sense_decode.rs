//! Sense decoding against hand-built bytes (every sense key specific form, every SPC-5
//! descriptor type), the no-sense and error outcomes, and every prefix of the fixtures and
//! of generated buffers. Expected values are worked out from the spec tables cited, byte
//! by byte, never taken from the decoder's output.

mod common;

use common::{every_prefix, inhex, Rng};
use sbc_core::sense::{
    self, AscText, AtaReturn, AtaStatusReturn, Descriptor, DescriptorOverrun, Error,
    FixedAtaReturn, Parsed, Sense, SenseFormat, SenseKey, SenseKeySpecific,
};

fn sense(buf: &[u8]) -> Sense<'_> {
    match sense::parse(buf) {
        Ok(Parsed::Sense(d)) => d.value,
        other => panic!("expected sense data, got {other:?}"),
    }
}

/// Descriptor-format sense (72h) with `key` and one descriptor.
fn with_descriptor(key: u8, desc: &[u8]) -> Vec<u8> {
    let mut b = vec![0x72, key, 0x00, 0x00, 0x00, 0x00, 0x00, desc.len() as u8];
    b.extend_from_slice(desc);
    b
}

fn only_descriptor(buf: &[u8]) -> Descriptor<'_> {
    let s = sense(buf);
    let mut it = s.descriptors();
    let d = it.next().expect("one descriptor").expect("complete").decode();
    assert!(it.next().is_none());
    d
}

// ---- outcomes -------------------------------------------------------------------------

#[test]
fn empty_and_all_zero_buffers_are_no_sense() {
    assert_eq!(sense::parse(&[]), Ok(Parsed::NoSense));
    assert_eq!(sense::parse(&[0; 18]), Ok(Parsed::NoSense));
    assert_eq!(sense::parse(&[0; 252]), Ok(Parsed::NoSense));
}

#[test]
fn other_response_codes_are_errors_that_keep_the_code() {
    assert_eq!(sense::parse(&[0x7f, 1, 2, 3]), Err(Error::UnknownResponseCode(0x7f)));
    assert_eq!(sense::parse(&[0xff, 0, 0]), Err(Error::UnknownResponseCode(0x7f)));
    assert_eq!(sense::parse(&[0x00, 0x05]), Err(Error::UnknownResponseCode(0x00)));
    assert_eq!(sense::parse(&[0x12, 0x34, 0x56]), Err(Error::UnknownResponseCode(0x12)));
    assert_eq!(sense::parse(&[0x74; 8]), Err(Error::UnknownResponseCode(0x74)));
    let msg = Error::UnknownResponseCode(0x12).to_string();
    assert!(msg.contains("0x12"), "{msg}");
}

#[test]
fn a_buffer_ending_before_the_sense_key_is_truncated() {
    // Fixed: SENSE KEY is byte 2; descriptor: byte 1 (SPC-5 tables "Fixed format sense
    // data", "Descriptor format sense data").
    assert_eq!(sense::parse(&[0x70]), Err(Error::Truncated { needed: 3, available: 1 }));
    assert_eq!(sense::parse(&[0x71, 0x00]), Err(Error::Truncated { needed: 3, available: 2 }));
    assert_eq!(sense::parse(&[0x72]), Err(Error::Truncated { needed: 2, available: 1 }));
    let s = sense(&[0x70, 0x00, 0x06]);
    assert_eq!((s.sense_key, s.asc, s.ascq, s.information), (SenseKey::UNIT_ATTENTION, 0, 0, None));
}

// ---- fixed format ---------------------------------------------------------------------

#[test]
fn fixed_fields_per_spc5_table() {
    // VALID=1 70h; byte 2 = FILEMARK|EOM|ILI|SDAT_OVFL + MEDIUM ERROR; INFORMATION
    // 0x00001234; ADDITIONAL SENSE LENGTH 0x0e (22 bytes total); COMMAND-SPECIFIC
    // 0xdeadbeef; 11/00 Unrecovered read error; FRU 0x77; SKSV + retry count 0x0198;
    // four additional sense bytes.
    let b = [
        0xf0, 0x00, 0xf3, 0x00, 0x00, 0x12, 0x34, 0x0e, 0xde, 0xad, 0xbe, 0xef, 0x11, 0x00, 0x77,
        0x80, 0x01, 0x98, 0xa1, 0xa2, 0xa3, 0xa4, 0xff, 0xff,
    ];
    let d = match sense::parse(&b) {
        Ok(Parsed::Sense(d)) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!((d.announced, d.available, d.is_truncated()), (22, 24, false));
    let s = d.value;
    assert_eq!(s.format, SenseFormat::Fixed);
    assert_eq!((s.response_code, s.deferred), (0x70, false));
    assert_eq!(s.sense_key, SenseKey::MEDIUM_ERROR);
    assert_eq!((s.asc, s.ascq), (0x11, 0x00));
    assert_eq!((s.filemark, s.eom, s.ili, s.sdat_ovfl), (true, true, true, true));
    assert_eq!(s.information, Some(0x1234));
    assert_eq!(s.command_specific, Some(0xdead_beef));
    assert_eq!(s.field_replaceable_unit_code, Some(0x77));
    assert_eq!(s.sense_key_specific, Some(SenseKeySpecific::ActualRetryCount(0x0198)));
    // Bytes past the ADDITIONAL SENSE LENGTH (the two 0xff) are not sense data.
    assert_eq!(s.additional_sense_bytes, &[0xa1, 0xa2, 0xa3, 0xa4]);
    assert_eq!(s.asc_text(), AscText::Known("Unrecovered read error"));
    assert_eq!(s.descriptors().count(), 0);
}

#[test]
fn fixed_information_needs_valid_and_deferred_is_71h() {
    let b = [0x71, 0, 0x03, 0x00, 0x00, 0x12, 0x34, 0x0a, 0, 0, 0, 0, 0x0c, 0x00, 0, 0, 0, 0];
    let s = sense(&b);
    assert!(s.deferred);
    assert_eq!(s.information, None, "VALID=0: INFORMATION is not defined");
    assert_eq!(s.sense_key_specific, None, "SKSV=0");
    assert_eq!(s.field_replaceable_unit_code, None, "FRU 0 means no unit");
}

#[test]
fn fixed_truncated_by_the_buffer_reports_it() {
    // ADDITIONAL SENSE LENGTH 0x0a promises 18 bytes; 13 arrive: ASC present, ASCQ not.
    let b = [0xf0, 0, 0x05, 0, 0, 0, 9, 0x0a, 0, 0, 0, 0, 0x24];
    match sense::parse(&b) {
        Ok(Parsed::Sense(d)) => {
            assert!(d.is_truncated());
            assert_eq!((d.announced, d.available), (18, 13));
            assert_eq!((d.value.asc, d.value.ascq, d.value.information), (0x24, 0, Some(9)));
            assert_eq!(d.value.sense_key_specific, None);
        }
        other => panic!("{other:?}"),
    }
}

fn fixed_sks(key: u8, sks: [u8; 3]) -> Option<SenseKeySpecific> {
    let mut b = [0x70, 0, key, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    b[15..18].copy_from_slice(&sks);
    sense(&b).sense_key_specific
}

#[test]
fn every_sense_key_specific_form() {
    // SPC-5 table "Field pointer sense key specific data": SKSV|C/D|BPV|bit 4, byte 2.
    assert_eq!(
        fixed_sks(0x05, [0xcc, 0x00, 0x02]),
        Some(SenseKeySpecific::FieldPointer {
            command: true,
            bit_pointer: Some(4),
            field_pointer: 2
        })
    );
    // Parameter data (C/D=0), no BPV: bit pointer absent even if bits 2..0 are set.
    assert_eq!(
        fixed_sks(0x05, [0x85, 0x01, 0x00]),
        Some(SenseKeySpecific::FieldPointer {
            command: false,
            bit_pointer: None,
            field_pointer: 0x100
        })
    );
    // "Actual retry count sense key specific data" for RECOVERED/MEDIUM/HARDWARE ERROR.
    for key in [0x01, 0x03, 0x04] {
        assert_eq!(
            fixed_sks(key, [0x80, 0x01, 0x01]),
            Some(SenseKeySpecific::ActualRetryCount(257))
        );
    }
    // "Progress indication sense key specific data" for NO SENSE and NOT READY: 0x8000 is
    // half of 65536.
    for key in [0x00, 0x02] {
        assert_eq!(
            fixed_sks(key, [0x80, 0x80, 0x00]),
            Some(SenseKeySpecific::ProgressIndication(0x8000))
        );
    }
    assert_eq!(sense::sks::progress_basis_points(0x8000), 5000);
    assert_eq!(SenseKeySpecific::ProgressIndication(0x8000).to_string(), "progress: 50.00%");
    // "Segment pointer sense key specific data" for COPY ABORTED: SKSV|SD|BPV|bit 0, byte 5.
    assert_eq!(
        fixed_sks(0x0a, [0xa8, 0x00, 0x05]),
        Some(SenseKeySpecific::SegmentPointer {
            segment_descriptor: true,
            bit_pointer: Some(0),
            field_pointer: 5
        })
    );
    // "Unit attention condition queue overflow sense key specific data": OVERFLOW bit 0.
    assert_eq!(
        fixed_sks(0x06, [0x81, 0x00, 0x00]),
        Some(SenseKeySpecific::UnitAttentionConditionQueue { overflow: true })
    );
    // Other keys: reserved, kept raw.
    assert_eq!(
        fixed_sks(0x07, [0x81, 0x12, 0x34]),
        Some(SenseKeySpecific::Reserved([0x81, 0x12, 0x34]))
    );
    assert_eq!(fixed_sks(0x05, [0x4c, 0x00, 0x02]), None, "SKSV=0");
}

#[test]
fn fixed_ata_pass_through_return() {
    // SAT-4 "Fixed format sense data for ATA PASS-THROUGH": RECOVERED ERROR 00/1D;
    // INFORMATION = ERROR 0x00, STATUS 0x50, DEVICE 0x40, COUNT(7:0) 0x01; byte 8 = EXTEND
    // | COUNT UPPER NONZERO | LOG INDEX 2; bytes 9..11 = LBA (7:0) 0x00, (15:8) 0x4f,
    // (23:16) 0xc2: the SMART RETURN STATUS "no threshold exceeded" answer (LBA mid 4Fh,
    // high C2h).
    let b = [
        0x70, 0, 0x01, 0x00, 0x50, 0x40, 0x01, 0x0a, 0xc2, 0x00, 0x4f, 0xc2, 0x00, 0x1d, 0, 0, 0, 0,
    ];
    let s = sense(&b);
    let want = FixedAtaReturn {
        error: 0,
        status: 0x50,
        device: 0x40,
        count: 0x01,
        extend: true,
        count_upper_nonzero: true,
        lba_upper_nonzero: false,
        log_index: 2,
        lba: 0xc2_4f00,
    };
    assert_eq!(s.ata_return(), Some(AtaReturn::Fixed(want)));
    assert_eq!(s.ata_return().unwrap().lba_low24() >> 8, 0xc24f);
    // Any other ASC/ASCQ: no ATA registers.
    let mut other = b;
    other[13] = 0x1e;
    assert_eq!(sense(&other).ata_return(), None);
}

// ---- descriptor format, one test per type ---------------------------------------------

#[test]
fn descriptor_header() {
    // SPC-5 table "Descriptor format sense data": 73h deferred, key NOT READY, 04/01,
    // SDAT_OVFL, no descriptors.
    let s = sense(&[0x73, 0x02, 0x04, 0x01, 0x80, 0, 0, 0]);
    assert_eq!(s.format, SenseFormat::Descriptor);
    assert!(s.deferred && s.sdat_ovfl);
    assert_eq!((s.sense_key, s.asc, s.ascq), (SenseKey::NOT_READY, 0x04, 0x01));
    assert_eq!(s.asc_text(), AscText::Known("Logical unit is in process of becoming ready"));
    assert_eq!(s.descriptors().count(), 0);
}

#[test]
fn descriptor_00_information() {
    // SPC-5 "Information sense data descriptor format": 00h, 0Ah, VALID, reserved, 8 bytes.
    let b = with_descriptor(0x03, &[0x00, 0x0a, 0x80, 0x00, 0, 0, 0, 0, 0x01, 0x02, 0x03, 0x04]);
    assert_eq!(
        only_descriptor(&b),
        Descriptor::Information { valid: true, information: 0x0102_0304 }
    );
    assert_eq!(sense(&b).information, Some(0x0102_0304));
    // VALID=0: kept in the descriptor, not promoted to Sense::information.
    let b = with_descriptor(0x03, &[0x00, 0x0a, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 9]);
    assert_eq!(only_descriptor(&b), Descriptor::Information { valid: false, information: 9 });
    assert_eq!(sense(&b).information, None);
    // Additional length 06h is too short for the 8-byte field.
    let b = with_descriptor(0x03, &[0x00, 0x06, 0x80, 0, 0, 0, 0, 1]);
    assert!(matches!(only_descriptor(&b), Descriptor::TooShort { descriptor_type: 0, .. }));
}

#[test]
fn descriptor_01_command_specific_information() {
    let b =
        with_descriptor(0x05, &[0x01, 0x0a, 0, 0, 0x33, 0x44, 0x55, 0x66, 0x77, 0xbb, 0xcc, 0xff]);
    assert_eq!(
        only_descriptor(&b),
        Descriptor::CommandSpecificInformation {
            command_specific_information: 0x3344_5566_77bb_ccff
        }
    );
    assert_eq!(sense(&b).command_specific, Some(0x3344_5566_77bb_ccff));
}

#[test]
fn descriptor_02_sense_key_specific() {
    // SPC-5 "Sense key specific sense data descriptor format": 02h, 06h, 2 reserved,
    // SKSV + 3 bytes, reserved. ILLEGAL REQUEST: field pointer CDB byte 2.
    let b = with_descriptor(0x05, &[0x02, 0x06, 0, 0, 0xc0, 0x00, 0x02, 0x00]);
    let want =
        SenseKeySpecific::FieldPointer { command: true, bit_pointer: None, field_pointer: 2 };
    assert_eq!(
        only_descriptor(&b),
        Descriptor::SenseKeySpecific { sksv: true, sense_key_specific: want }
    );
    assert_eq!(sense(&b).sense_key_specific, Some(want));
    // NOT READY: progress 0x0100 of 65536.
    let b = with_descriptor(0x02, &[0x02, 0x06, 0, 0, 0x80, 0x01, 0x00, 0x00]);
    assert_eq!(sense(&b).sense_key_specific, Some(SenseKeySpecific::ProgressIndication(0x100)));
}

#[test]
fn descriptor_03_field_replaceable_unit() {
    let b = with_descriptor(0x04, &[0x03, 0x02, 0x00, 0x45]);
    assert_eq!(
        only_descriptor(&b),
        Descriptor::FieldReplaceableUnit { field_replaceable_unit_code: 0x45 }
    );
    assert_eq!(sense(&b).field_replaceable_unit_code, Some(0x45));
}

#[test]
fn descriptor_04_stream_commands() {
    // SSC-4 "Stream commands sense data descriptor": byte 3 FILEMARK(7) EOM(6) ILI(5).
    let b = with_descriptor(0x00, &[0x04, 0x02, 0x00, 0xc0]);
    assert_eq!(
        only_descriptor(&b),
        Descriptor::StreamCommands { filemark: true, eom: true, ili: false }
    );
    let s = sense(&b);
    assert_eq!((s.filemark, s.eom, s.ili), (true, true, false));
}

#[test]
fn descriptor_05_block_commands() {
    let b = with_descriptor(0x03, &[0x05, 0x02, 0x00, 0x20]);
    assert_eq!(only_descriptor(&b), Descriptor::BlockCommands { ili: true });
    assert!(sense(&b).ili);
}

#[test]
fn descriptor_06_osd_object_identification() {
    // OSD-2: 06h, 1Eh, 6 reserved, NOT INITIATED 4, COMPLETED 4, PARTITION_ID 8, OBJECT_ID 8.
    let mut d = vec![0x06, 0x1e, 0, 0, 0, 0, 0, 0];
    d.extend([0, 0, 0, 1, 0, 0, 0, 2]);
    d.extend(0x10_0000_0001u64.to_be_bytes());
    d.extend(0x20_0000_0002u64.to_be_bytes());
    assert_eq!(
        only_descriptor(&with_descriptor(0x0b, &d)),
        Descriptor::OsdObjectIdentification {
            not_initiated_commands: 1,
            completed_commands: 2,
            partition_id: 0x10_0000_0001,
            object_id: 0x20_0000_0002,
        }
    );
}

#[test]
fn descriptor_07_osd_response_integrity_check_value() {
    let mut d = vec![0x07, 0x22, 0, 0];
    d.extend(1..=32u8);
    let b = with_descriptor(0x0b, &d);
    match only_descriptor(&b) {
        Descriptor::OsdResponseIntegrityCheckValue { response_integrity_check_value: v } => {
            assert_eq!(v, (1..=32u8).collect::<Vec<_>>().as_slice())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn descriptor_08_osd_attribute_identification() {
    let mut d = vec![0x08, 0x16, 0, 0, 0, 0, 0, 0];
    d.extend([0, 0, 0, 0x81, 0, 0, 0, 0x01, 0xf0, 0, 0, 0, 0, 0, 0, 0x02]);
    let b = with_descriptor(0x0b, &d);
    let desc = only_descriptor(&b);
    assert_eq!(desc.osd_attributes().collect::<Vec<_>>(), [(0x81, 1), (0xf000_0000, 2)]);
}

#[test]
fn descriptor_09_ata_status_return() {
    // SAT-4 "ATA Status Return sense data descriptor": 09h 0Ch EXTEND ERROR COUNT(15:8)
    // COUNT(7:0) LBA(31:24) LBA(7:0) LBA(39:32) LBA(15:8) LBA(47:40) LBA(23:16) DEVICE STATUS.
    let b = with_descriptor(
        0x01,
        &[0x09, 0x0c, 0x01, 0x04, 0x00, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x40, 0x50],
    );
    let want = AtaStatusReturn {
        extend: true,
        error: 0x04,
        count: 0x0005,
        lba: 0x0a08_060b_0907,
        device: 0x40,
        status: 0x50,
    };
    assert_eq!(only_descriptor(&b), Descriptor::AtaStatusReturn(want));
    assert_eq!(sense(&b).ata_return(), Some(AtaReturn::Descriptor(want)));
    assert_eq!(AtaReturn::Descriptor(want).lba_low24(), 0x0b_0907);
    // 0Ah additional length is two bytes short (no DEVICE, STATUS).
    let b = with_descriptor(0x01, &[0x09, 0x0a, 0x01, 0x04, 0, 5, 6, 7, 8, 9, 10, 11]);
    assert!(matches!(only_descriptor(&b), Descriptor::TooShort { descriptor_type: 9, .. }));
    assert_eq!(sense(&b).ata_return(), None);
}

#[test]
fn descriptor_0a_another_progress_indication() {
    // SPC-5: 0Ah 06h SENSE KEY ASC ASCQ reserved PROGRESS INDICATION.
    let b = with_descriptor(0x02, &[0x0a, 0x06, 0x02, 0x04, 0x04, 0x00, 0x40, 0x00]);
    assert_eq!(
        only_descriptor(&b),
        Descriptor::AnotherProgressIndication {
            sense_key: SenseKey::NOT_READY,
            asc: 0x04,
            ascq: 0x04,
            progress_indication: 0x4000,
        }
    );
}

#[test]
fn descriptor_0b_user_data_segment_referral() {
    // SBC-4: 0Bh, len, NOT_ALL_R, reserved, then segment descriptors: 3 reserved, number of
    // TPG descriptors, first LBA, last LBA, TPG descriptors (state, reserved, TPG).
    let mut d = vec![0x0b, 0, 0x01, 0x00];
    d.extend([0, 0, 0, 2]);
    d.extend(0x1111u64.to_be_bytes());
    d.extend(0x2222u64.to_be_bytes());
    d.extend([0x01, 0, 0, 7, 0x02, 0, 0, 8]);
    d.extend([0, 0, 0, 0]);
    d.extend(0x3333u64.to_be_bytes());
    d.extend(0x4444u64.to_be_bytes());
    d[1] = (d.len() - 2) as u8;
    let b = with_descriptor(0x00, &d);
    let Descriptor::UserDataSegmentReferral { not_all_referrals, segments } = only_descriptor(&b)
    else {
        panic!()
    };
    assert!(not_all_referrals);
    let segs: Vec<_> = segments.map(Result::unwrap).collect();
    assert_eq!(segs.len(), 2);
    assert_eq!((segs[0].first_lba, segs[0].last_lba), (0x1111, 0x2222));
    assert_eq!(segs[0].target_port_groups().collect::<Vec<_>>(), [(1, 7), (2, 8)]);
    assert_eq!((segs[1].first_lba, segs[1].last_lba), (0x3333, 0x4444));
    assert_eq!(segs[1].target_port_groups().count(), 0);
}

#[test]
fn descriptor_0c_forwarded_sense_data() {
    // SPC-5: 0Ch, len, FSDT|SENSE DATA SOURCE, FORWARDED STATUS, sense data.
    let inner = [0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0, 0, 0, 0];
    let mut d = vec![0x0c, 0, 0x81, 0x02];
    d.extend(inner);
    d[1] = (d.len() - 2) as u8;
    let b = with_descriptor(0x05, &d);
    let Descriptor::ForwardedSenseData { fsdt, sense_data_source, forwarded_status, sense_data } =
        only_descriptor(&b)
    else {
        panic!()
    };
    assert_eq!((fsdt, sense_data_source, forwarded_status), (true, 1, 0x02));
    let fwd = sense(sense_data);
    assert_eq!((fwd.sense_key, fwd.asc, fwd.ascq), (SenseKey::ILLEGAL_REQUEST, 0x24, 0));
}

#[test]
fn descriptor_0d_direct_access_block_device() {
    // SBC-4: 0Dh 1Ch, VALID|ILI, reserved, SKSV+SKS (3), FRU, INFORMATION 8, COMMAND-SPECIFIC
    // 8, 6 more bytes.
    let mut d = vec![0x0d, 0x1c, 0xa0, 0x00, 0xc8, 0x00, 0x02, 0x12];
    d.extend(1u64.to_be_bytes());
    d.extend(2u64.to_be_bytes());
    d.extend([0; 6]);
    let b = with_descriptor(0x05, &d);
    let sks =
        SenseKeySpecific::FieldPointer { command: true, bit_pointer: Some(0), field_pointer: 2 };
    assert_eq!(
        only_descriptor(&b),
        Descriptor::DirectAccessBlockDevice {
            valid: true,
            ili: true,
            sksv: true,
            sense_key_specific: sks,
            field_replaceable_unit_code: 0x12,
            information: 1,
            command_specific_information: 2,
        }
    );
    let s = sense(&b);
    assert_eq!((s.information, s.command_specific, s.ili), (Some(1), Some(2), true));
    assert_eq!((s.sense_key_specific, s.field_replaceable_unit_code), (Some(sks), Some(0x12)));
}

#[test]
fn descriptor_0e_device_designation() {
    // SPC-5: 0Eh, len, reserved, USAGE REASON, designation descriptor (VPD 83h format):
    // binary NAA, 8 bytes.
    let d = [0x0e, 0x0e, 0x00, 0x01, 0x01, 0x03, 0x00, 0x08, 0x50, 1, 2, 3, 4, 5, 6, 7];
    let b = with_descriptor(0x06, &d);
    assert_eq!(
        only_descriptor(&b),
        Descriptor::DeviceDesignation { usage_reason: 1, designation_descriptor: &d[4..] }
    );
}

#[test]
fn descriptor_0f_microcode_activation_time() {
    // SPC-5: 0Fh 06h, 4 reserved, MICROCODE ACTIVATION TIME (seconds).
    let b = with_descriptor(0x0b, &[0x0f, 0x06, 0, 0, 0, 0, 0x12, 0x34]);
    assert_eq!(
        only_descriptor(&b),
        Descriptor::MicrocodeActivationTime { microcode_activation_time: 0x1234 }
    );
}

#[test]
fn reserved_and_vendor_descriptors_are_kept_raw() {
    let d = [0x99, 0x02, 0x11, 0x22];
    assert_eq!(
        only_descriptor(&with_descriptor(6, &d)),
        Descriptor::Other { descriptor_type: 0x99, bytes: &d }
    );
    let d = [0x44, 0x00];
    assert_eq!(
        only_descriptor(&with_descriptor(6, &d)),
        Descriptor::Other { descriptor_type: 0x44, bytes: &d }
    );
}

#[test]
fn a_descriptor_past_the_end_stops_the_walk_and_is_reported() {
    // ADDITIONAL SENSE LENGTH 0x10 but the buffer stops inside the second descriptor.
    let b = [
        0x72, 0x03, 0x11, 0x00, 0, 0, 0, 0x10, //
        0x03, 0x02, 0x00, 0x45, //
        0x00, 0x0a, 0x80, 0x00, 0, 0,
    ];
    let s = sense(&b);
    let items: Vec<_> = s.descriptors().collect();
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    let overrun = DescriptorOverrun {
        offset: 12,
        descriptor_type: 0,
        needed: 12,
        available: 6,
        buffer_ended: true,
    };
    assert_eq!(items[1], Err(overrun));
    assert_eq!(s.descriptor_overrun, Some(overrun));
    assert_eq!(s.field_replaceable_unit_code, Some(0x45));
    // The additional sense length, not the buffer, cuts the list: buffer_ended is false.
    let mut b2 = b.to_vec();
    b2[7] = 8;
    b2.extend([0u8; 10]);
    let s = sense(&b2);
    assert_eq!(
        s.descriptor_overrun,
        Some(DescriptorOverrun {
            offset: 12,
            descriptor_type: 0,
            needed: 12,
            available: 4,
            buffer_ended: false
        })
    );
    // One lone type byte.
    let s = sense(&[0x72, 5, 0, 0, 0, 0, 0, 1, 0x09]);
    assert_eq!(
        s.descriptor_overrun,
        Some(DescriptorOverrun {
            offset: 8,
            descriptor_type: 9,
            needed: 2,
            available: 1,
            buffer_ended: false
        })
    );
}

#[test]
fn display_is_one_line() {
    let b = [0xf0, 0, 0x05, 0, 0, 0x12, 0x34, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0, 0xcc, 0x00, 0x02];
    assert_eq!(
        sense(&b).to_string(),
        "fixed current, ILLEGAL REQUEST, 24/00 Invalid field in cdb, information 0x1234, \
         field pointer: CDB byte 2 bit 4"
    );
    let b = [0x73, 0x0c, 0x85, 0x12, 0, 0, 0, 0];
    assert_eq!(
        sense(&b).to_string(),
        "descriptor deferred, sense key 0xc, 85/12 vendor specific ASC=85, ASCQ=12 (hex)"
    );
}

#[test]
fn sense_key_names_are_the_spc_names() {
    assert_eq!(SenseKey::UNIT_ATTENTION.name(), Some("UNIT ATTENTION"));
    assert_eq!(SenseKey(0x0c).name(), None);
    assert_eq!(format!("{:?}", SenseKey(0x0c)), "SenseKey(0x0c)");
}

// ---- normalize: the header only ------------------------------------------------------

#[test]
fn normalize_reads_the_header_of_both_formats() {
    assert_eq!(sense::normalize(&[]), Ok(None));
    assert_eq!(sense::normalize(&[0; 18]), Ok(None));
    assert_eq!(sense::normalize(&[0x7f, 1, 2]), Err(Error::UnknownResponseCode(0x7f)));
    assert_eq!(sense::normalize(&[0x71, 0]), Err(Error::Truncated { needed: 3, available: 2 }));
    assert_eq!(sense::normalize(&[0xf2]), Err(Error::Truncated { needed: 2, available: 1 }));

    // Fixed 71h with VALID: MEDIUM ERROR + SDAT_OVFL, INFORMATION 0x00abcdef, ADDITIONAL
    // SENSE LENGTH 0Ah (18 bytes), 11/04 in bytes 12..13; two bytes past the length.
    let b = [
        0xf1, 0, 0x13, 0x00, 0xab, 0xcd, 0xef, 0x0a, 0, 0, 0, 0, 0x11, 0x04, 0, 0, 0, 0, 0xee, 0xee,
    ];
    let h = sense::normalize(&b).unwrap().unwrap();
    assert_eq!((h.response_code, h.format, h.deferred), (0x71, SenseFormat::Fixed, true));
    assert_eq!((h.sense_key, h.asc, h.ascq, h.sdat_ovfl), (SenseKey::MEDIUM_ERROR, 0x11, 4, true));
    assert_eq!(h.additional_sense_length, Some(0x0a));
    assert_eq!((h.announced(), h.available(), h.is_truncated()), (18, 20, false));
    assert_eq!(h.information(), Some(0x00ab_cdef));
    assert_eq!(h.descriptors().count(), 0);
    // VALID clear: no INFORMATION. ASC/ASCQ past the ADDITIONAL SENSE LENGTH read as 0.
    let mut short = b;
    short[0] = 0x70;
    short[7] = 0x04;
    let h = sense::normalize(&short).unwrap().unwrap();
    assert_eq!((h.information(), h.asc, h.ascq, h.deferred), (None, 0, 0, false));

    // Descriptor 72h, NOT READY 04/02, SDAT_OVFL; buffer cut in the second descriptor.
    let b = [
        0x72, 0x02, 0x04, 0x02, 0x80, 0, 0, 0x18, // header, 24 descriptor bytes announced
        0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, // information, VALID
        0x80, 0x04, 1, 2, // vendor descriptor, cut after 4 of 6 bytes
    ];
    let h = sense::normalize(&b).unwrap().unwrap();
    assert_eq!(
        (h.format, h.sense_key, h.asc, h.ascq),
        (SenseFormat::Descriptor, SenseKey::NOT_READY, 4, 2)
    );
    assert!(h.sdat_ovfl && h.is_truncated());
    assert_eq!((h.announced(), h.available()), (32, 24));
    assert_eq!(h.information(), Some(0x1234));
}

#[test]
fn normalize_information_is_the_first_valid_00h_or_0dh() {
    fn info(descs: &[&[u8]]) -> Option<u64> {
        let buf = with_descriptor(0x03, &descs.concat());
        let h = sense::normalize(&buf).unwrap().unwrap();
        assert_eq!(h.information(), sense(&buf).information);
        h.information()
    }
    let info00 = |valid: u8, v: u8| [0x00, 0x0a, valid, 0, 0, 0, 0, 0, 0, 0, 0, v];
    let mut dabd = vec![0x0d, 0x1c, 0x80, 0, 0, 0, 0, 0];
    dabd.extend(7u64.to_be_bytes());
    dabd.extend([0; 14]);
    // SBC-4's direct-access block device descriptor carries INFORMATION too (sg's
    // sg_get_sense_info_fld ignores it; documented on `Header::information`).
    assert_eq!(info(&[&dabd]), Some(7));
    assert_eq!(info(&[&dabd, &info00(0x80, 9)]), Some(7));
    assert_eq!(info(&[&info00(0x80, 9), &dabd]), Some(9));
    // VALID clear is skipped; a later valid one counts.
    assert_eq!(info(&[&info00(0x00, 9), &info00(0x80, 5)]), Some(5));
    // Too short for the field: skipped (00h with ADDITIONAL LENGTH 06h; 0Dh below 1Ch).
    assert_eq!(info(&[&[0x00, 0x06, 0x80, 0, 0, 0, 0, 1], &info00(0x80, 3)]), Some(3));
    let mut short_dabd = dabd.clone();
    short_dabd[1] = 0x1b;
    short_dabd.pop();
    assert_eq!(info(&[&short_dabd]), None);
    // Only the type byte and the length of the others are read.
    assert_eq!(info(&[&[0x80, 0x02, 0xff, 0xff], &[0x09, 0x00], &info00(0x80, 1)]), Some(1));
    // A descriptor that overruns the list ends the walk.
    assert_eq!(info(&[&[0x80, 0x20, 0]]), None);
}

// ---- every prefix ---------------------------------------------------------------------

/// [`sense::normalize`] gives the same outcome as [`sense::parse`] and the same header
/// fields and INFORMATION.
fn normalize_agrees_with_parse(buf: &[u8]) {
    match (sense::normalize(buf), sense::parse(buf)) {
        (Ok(None), Ok(Parsed::NoSense)) => {}
        (Err(a), Err(b)) => assert_eq!(a, b, "{buf:02x?}"),
        (Ok(Some(h)), Ok(Parsed::Sense(d))) => {
            let s = d.value;
            assert_eq!(
                (h.response_code, h.format, h.deferred, h.sense_key, h.asc, h.ascq, h.sdat_ovfl),
                (s.response_code, s.format, s.deferred, s.sense_key, s.asc, s.ascq, s.sdat_ovfl),
                "{buf:02x?}"
            );
            assert_eq!(h.information(), s.information, "{buf:02x?}");
            assert_eq!((h.announced(), h.available()), (d.announced, d.available));
            assert_eq!(h.is_truncated(), d.is_truncated());
            assert_eq!(h.additional_sense_length, buf.get(7).copied());
            assert!(h.descriptors().eq(s.descriptors()), "{buf:02x?}");
        }
        (n, p) => panic!("normalize {n:?} but parse {p:?} for {buf:02x?}"),
    }
}

/// Parses a prefix and touches every part of the result; nothing may panic, every slice
/// handed out must lie inside the prefix. [`sense::normalize`] must agree.
fn exercise(buf: &[u8]) {
    normalize_agrees_with_parse(buf);
    match sense::parse(buf) {
        Ok(Parsed::NoSense) => assert!(buf.iter().all(|&b| b == 0)),
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(Parsed::Sense(d)) => {
            assert_eq!(d.available, buf.len());
            let s = d.value;
            let _ = (s.to_string(), s.asc_text().to_string(), s.ata_return());
            let range = buf.as_ptr_range();
            assert!(
                s.additional_sense_bytes.is_empty()
                    || range.contains(&s.additional_sense_bytes.as_ptr())
            );
            for item in s.descriptors() {
                match item {
                    Ok(raw) => {
                        assert!(raw.offset + raw.bytes.len() <= buf.len());
                        let desc = raw.decode();
                        let _ = desc.to_string();
                        if let Descriptor::UserDataSegmentReferral { segments, .. } = desc {
                            for seg in segments.flatten() {
                                let _ = seg.target_port_groups().count();
                            }
                        }
                    }
                    Err(o) => {
                        assert!(o.available < o.needed);
                        assert_eq!(Some(o), s.descriptor_overrun);
                    }
                }
            }
        }
    }
}

#[test]
fn every_prefix_of_the_fixtures() {
    let fixed = inhex("fixed_sense.hex");
    let mut n = 0;
    every_prefix(&fixed, |p| {
        exercise(p);
        n += 1;
    });
    // The full fixed fixture, as sg_decode_sense reads it: Medium Error 11/00, info 0x1234,
    // FRU 119, actual retry count 0x0198.
    let s = sense(&fixed);
    assert_eq!(
        (s.sense_key, s.asc, s.ascq, s.information),
        (SenseKey::MEDIUM_ERROR, 0x11, 0, Some(0x1234))
    );
    assert_eq!(
        (s.field_replaceable_unit_code, s.sense_key_specific),
        (Some(119), Some(SenseKeySpecific::ActualRetryCount(0x198)))
    );
    for name in ["descriptor_sense.hex", "ref_sense.hex"] {
        let bytes = common::inhex(name);
        every_prefix(&bytes, |p| {
            exercise(p);
            n += 1;
        });
        let s = sense(&bytes);
        assert!(s.descriptor_overrun.is_none(), "{name}");
    }
    assert_eq!(n, 19 + 85 + 65);
}

#[test]
fn every_prefix_of_generated_buffers() {
    let mut rng = Rng::new(0xfeed_5e45);
    for _ in 0..3_000 {
        let n = rng.below(80) as usize + 8;
        let mut b: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
        b[0] = (0x70 + rng.below(4) as u8) | if rng.chance(2) { 0x80 } else { 0 };
        if rng.chance(2) {
            b[7] = (n - 8) as u8;
        }
        // Mostly plausible descriptor headers.
        if b[0] & 0x7f >= 0x72 {
            let mut i = 8;
            while i + 1 < n {
                b[i] = rng.below(0x11) as u8;
                let room = (n - i - 2) as u64;
                b[i + 1] = rng.below(room + 3) as u8;
                i += usize::from(b[i + 1]) + 2;
            }
        }
        every_prefix(&b, exercise);
    }
}
