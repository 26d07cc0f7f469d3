//! Response byte layouts, written by hand from the T10 tables they cite (SPC-5 r22, SBC-4
//! r22, SAT-4). Nothing here uses `sbc_core::wire`: these bytes are what its decoders are
//! tested against.

use super::{ModeProfile, ModeQuirk, Profile, SenseData, SenseFormat};

/// `text` as an ASCII field of exactly `len` bytes: cut, or padded with spaces on the right
/// (SPC-5 §4.3.1: left-aligned ASCII fields are padded with spaces).
pub fn ascii_left(text: &str, len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = text.bytes().take(len).collect();
    v.resize(len, b' ');
    v
}

/// `text` right-justified in `len` bytes, padded with spaces on the left (cut from the left
/// when longer: the serial's least significant end is kept).
pub fn ascii_right(text: &str, len: usize) -> Vec<u8> {
    let bytes = text.as_bytes();
    let bytes = &bytes[bytes.len().saturating_sub(len)..];
    let mut v = vec![b' '; len - bytes.len()];
    v.extend_from_slice(bytes);
    v
}

/// Byte 0 of INQUIRY and every VPD page: PERIPHERAL QUALIFIER (7..5), DEVICE TYPE (4..0).
fn peripheral(p: &Profile) -> u8 {
    (p.inquiry.peripheral_qualifier & 0x07) << 5 | (p.inquiry.device_type & 0x1F)
}

/// Standard INQUIRY data (SPC-5 table "Standard INQUIRY data format"):
///
/// ```text
///  0  PQ | PDT            1  RMB(7)            2  VERSION
///  3  HISUP(4) | RESPONSE DATA FORMAT (2)      4  ADDITIONAL LENGTH (n - 4)
///  5  PROTECT(0)          6  reserved/obsolete 7  CMDQUE(1)
///  8..15 T10 VENDOR IDENTIFICATION   16..31 PRODUCT IDENTIFICATION
/// 32..35 PRODUCT REVISION LEVEL      36..57 vendor specific / reserved
/// 58..73 VERSION DESCRIPTOR 1..8     74..95 reserved
/// ```
pub fn standard_inquiry(p: &Profile) -> Vec<u8> {
    let q = &p.inquiry;
    let len = usize::from(q.length.max(36));
    let mut b = vec![0u8; len];
    b[0] = peripheral(p);
    b[1] = if q.removable { 0x80 } else { 0 };
    b[2] = q.version;
    // HISUP (hierarchical LUN addressing) is an SPC-3+ bit; SCSI-2 devices leave it clear.
    b[3] = if q.version >= 5 { 0x12 } else { 0x02 };
    b[4] = (len - 5) as u8;
    b[5] = u8::from(q.protect);
    b[7] = if q.cmdque { 0x02 } else { 0 };
    b[8..16].copy_from_slice(&ascii_left(&q.vendor, 8));
    b[16..32].copy_from_slice(&ascii_left(&q.product, 16));
    b[32..36].copy_from_slice(&ascii_left(&q.revision, 4));
    for (i, d) in q.version_descriptors.iter().take(8).enumerate() {
        let at = 58 + 2 * i;
        if at + 2 <= len {
            b[at..at + 2].copy_from_slice(&d.to_be_bytes());
        }
    }
    b
}

/// A VPD page: byte 0 peripheral, byte 1 PAGE CODE, bytes 2..=3 PAGE LENGTH, then `body`
/// (SPC-5 table "Vital product data page format").
fn vpd(p: &Profile, code: u8, body: &[u8]) -> Vec<u8> {
    let mut b = vec![peripheral(p), code];
    b.extend_from_slice(&(body.len() as u16).to_be_bytes());
    b.extend_from_slice(body);
    b
}

/// The VPD page codes the profile serves, in ascending order (page 00h first).
pub fn supported_vpd_pages(p: &Profile) -> Vec<u8> {
    let Some(v) = &p.vpd else { return Vec::new() };
    let mut pages = vec![0x00];
    let present = [
        (0x80, v.serial.is_some()),
        (0x83, v.identification.is_some()),
        (0x89, v.ata_information.is_some()),
        (0xB0, v.block_limits.is_some()),
        (0xB1, v.characteristics.is_some()),
        (0xB2, v.provisioning.is_some()),
    ];
    pages.extend(present.iter().filter(|(_, on)| *on).map(|(code, _)| *code));
    pages
}

/// VPD page `code`, or `None` when the profile does not serve it.
pub fn vpd_page(p: &Profile, code: u8) -> Option<Vec<u8>> {
    let v = p.vpd.as_ref()?;
    match code {
        // Supported VPD Pages (SPC-5 table "Supported VPD Pages VPD page").
        0x00 => Some(vpd(p, 0x00, &supported_vpd_pages(p))),
        // Unit Serial Number (SPC-5 table "Unit Serial Number VPD page").
        0x80 => {
            let serial = v.serial.as_ref()?;
            Some(vpd(p, 0x80, &ascii_right(serial, usize::from(v.serial_field_len))))
        }
        0x83 => v.identification.as_ref().map(|id| vpd(p, 0x83, &designators(p, id))),
        0x89 => v.ata_information.as_ref().map(|a| vpd(p, 0x89, &ata_information(a))),
        0xB0 => v.block_limits.as_ref().map(|l| vpd(p, 0xB0, &block_limits(l))),
        0xB1 => v.characteristics.as_ref().map(|c| {
            // Block Device Characteristics (SBC-4): page length 3Ch; bytes 4..=5 MEDIUM
            // ROTATION RATE, 6 PRODUCT TYPE, 7 WABEREQ|WACEREQ|NOMINAL FORM FACTOR.
            let mut body = vec![0u8; 0x3C];
            body[0..2].copy_from_slice(&c.rotation_rate.to_be_bytes());
            body[3] = c.form_factor & 0x0F;
            vpd(p, 0xB1, &body)
        }),
        0xB2 => v.provisioning.as_ref().map(|l| {
            // Logical Block Provisioning (SBC-4): 4 THRESHOLD EXPONENT; 5 LBPU(7) LBPWS(6)
            // LBPWS10(5) LBPRZ(4..2) ANC_SUP(1) DP(0); 6 PROVISIONING TYPE(2..0); 7
            // THRESHOLD PERCENTAGE. No provisioning group descriptor (DP=0), as tgtd.
            let byte5 = u8::from(l.lbpu) << 7
                | u8::from(l.lbpws) << 6
                | u8::from(l.lbpws10) << 5
                | (l.lbprz & 0x07) << 2
                | u8::from(l.anc_sup) << 1;
            vpd(p, 0xB2, &[l.threshold_exponent, byte5, l.provisioning_type & 0x07, 0])
        }),
        _ => None,
    }
}

/// Designation descriptors of page 83h (SPC-5 table "Designation descriptor"): byte 0
/// PROTOCOL IDENTIFIER(7..4) | CODE SET(3..0), byte 1 PIV(7) | ASSOCIATION(5..4) |
/// DESIGNATOR TYPE(3..0), byte 3 DESIGNATOR LENGTH. All are associated with the logical
/// unit (ASSOCIATION 0) and carry no protocol (PIV 0).
fn designators(p: &Profile, id: &super::Identification) -> Vec<u8> {
    let mut out = Vec::new();
    let mut push = |code_set: u8, kind: u8, value: &[u8]| {
        out.extend_from_slice(&[code_set, kind, 0, value.len() as u8]);
        out.extend_from_slice(value);
    };
    if let Some(text) = &id.t10_vendor_specific {
        // T10 vendor ID based (type 1, ASCII): T10 VENDOR IDENTIFICATION then vendor data.
        let mut value = ascii_left(&p.inquiry.vendor, 8);
        value.extend(text.bytes().take(200));
        push(0x02, 0x01, &value);
    }
    if let Some(eui) = id.eui64 {
        push(0x01, 0x02, &eui.to_be_bytes()); // EUI-64 (type 2, binary)
    }
    if let Some(naa) = id.naa5 {
        // NAA IEEE Registered (type 3): NAA 5h in the top nibble.
        let value = (naa & 0x0FFF_FFFF_FFFF_FFFF) | 0x5000_0000_0000_0000;
        push(0x01, 0x03, &value.to_be_bytes());
    }
    out
}

/// Page 89h body (SAT-4 table "ATA Information VPD page"): 4..7 reserved, 8..15 SAT VENDOR,
/// 16..31 SAT PRODUCT, 32..35 SAT REVISION, 36..55 ATA DEVICE SIGNATURE (a Register Device
/// to Host FIS: type 34h, status 50h, error 01h, LBA 0, count 01h), 56 COMMAND CODE ECh,
/// 60..571 IDENTIFY DEVICE data.
fn ata_information(a: &super::AtaInformationProfile) -> Vec<u8> {
    let mut b = vec![0u8; 572 - 4];
    b[4..12].copy_from_slice(&ascii_left(&a.sat_vendor, 8));
    b[12..28].copy_from_slice(&ascii_left(&a.sat_product, 16));
    b[28..32].copy_from_slice(&ascii_left(&a.sat_revision, 4));
    b[32..36].copy_from_slice(&[0x34, 0x00, 0x50, 0x01]);
    b[36] = 0x01; // LBA (7:0)
    b[44] = 0x01; // COUNT (7:0)
    b[52] = 0xEC;
    let n = a.identify.len().min(512);
    b[56..56 + n].copy_from_slice(&a.identify[..n]);
    b
}

/// Page B0h body (SBC-4 table "Block Limits VPD page"), page length 3Ch.
fn block_limits(l: &super::BlockLimitsProfile) -> Vec<u8> {
    let mut b = vec![0u8; 0x3C];
    // Offsets below are page offsets minus the 4-byte header.
    b[2..4].copy_from_slice(&l.optimal_granularity.to_be_bytes()); // 6..=7
    b[4..8].copy_from_slice(&l.max_transfer_length.to_be_bytes()); // 8..=11
    b[8..12].copy_from_slice(&l.optimal_transfer_length.to_be_bytes()); // 12..=15
    b[16..20].copy_from_slice(&l.max_unmap_lba_count.to_be_bytes()); // 20..=23
    b[20..24].copy_from_slice(&l.max_unmap_descriptor_count.to_be_bytes()); // 24..=27
    b[24..28].copy_from_slice(&l.unmap_granularity.to_be_bytes()); // 28..=31
    if let Some(align) = l.unmap_granularity_alignment {
        b[28..32].copy_from_slice(&((align & 0x7FFF_FFFF) | 0x8000_0000).to_be_bytes());
        // UGAVALID
    }
    b[32..40].copy_from_slice(&l.max_write_same_length.to_be_bytes()); // 36..=43
    b
}

/// READ CAPACITY(10) parameter data (SBC-4): 0..=3 RETURNED LOGICAL BLOCK ADDRESS, 4..=7
/// LOGICAL BLOCK LENGTH IN BYTES.
pub fn read_capacity_10(returned_lba: u32, block_length: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[0..4].copy_from_slice(&returned_lba.to_be_bytes());
    b[4..8].copy_from_slice(&block_length.to_be_bytes());
    b
}

/// READ CAPACITY(16) parameter data (SBC-4), 32 bytes: 0..=7 RETURNED LOGICAL BLOCK
/// ADDRESS, 8..=11 LOGICAL BLOCK LENGTH, 12 RC BASIS(5..4) P_TYPE(3..1) PROT_EN(0), 13
/// P_I_EXPONENT(7..4) LBPPBE(3..0), 14 LBPME(7) LBPRZ(6) LALBA(13..8), 15 LALBA(7..0).
pub fn read_capacity_16(p: &Profile, returned_lba: u64) -> [u8; 32] {
    let c = &p.capacity;
    let mut b = [0u8; 32];
    b[0..8].copy_from_slice(&returned_lba.to_be_bytes());
    b[8..12].copy_from_slice(&c.block_length.to_be_bytes());
    // RC BASIS 01b: the returned LBA is the last LBA of the logical unit.
    b[12] = 0x10 | c.protection.map_or(0, |t| (t & 0x07) << 1 | 1);
    b[13] = c.lbppbe & 0x0F;
    let lalba = c.lowest_aligned_lba & 0x3FFF;
    b[14] = u8::from(c.lbpme) << 7 | u8::from(c.lbprz) << 6 | (lalba >> 8) as u8;
    b[15] = lalba as u8;
    b
}

/// Which MODE SENSE form is being answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeForm {
    /// MODE SENSE(6): 4-byte header.
    Six,
    /// MODE SENSE(10): 8-byte header; `llbaa` allows a 16-byte block descriptor.
    Ten {
        /// LLBAA from the CDB.
        llbaa: bool,
    },
}

/// One MODE SENSE request, as the CDB gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeRequest {
    /// The form.
    pub form: ModeForm,
    /// DBD.
    pub dbd: bool,
    /// PC (0 current, 1 changeable, 2 default, 3 saved).
    pub page_control: u8,
    /// PAGE CODE.
    pub page: u8,
    /// SUBPAGE CODE.
    pub subpage: u8,
}

/// The mode pages the profile has, in ascending page order, for page control `pc`.
///
/// - Caching (SBC-4 table "Caching mode page"): 08h, length 12h; byte 2 WCE(2) RCD(0).
///   Changeable mask: WCE only.
/// - Control (SPC-5 table "Control mode page"): 0Ah, length 0Ah; byte 2 D_SENSE(2) and
///   GLTSD(1), byte 3 QUEUE ALGORITHM MODIFIER 1, as tgtd. Nothing changeable.
/// - Informational Exceptions Control (SPC-5): 1Ch, length 0Ah, all zero.
fn mode_pages(p: &Profile, pc: u8) -> Vec<(u8, Vec<u8>)> {
    let m: &ModeProfile = &p.mode;
    let changeable = pc == 1;
    let mut pages = Vec::new();
    if m.caching_page {
        let mut page = vec![0u8; 20];
        page[0] = 0x08;
        page[1] = 0x12;
        page[2] = if changeable {
            0x04
        } else {
            u8::from(m.write_cache) << 2 | u8::from(m.read_cache_disabled)
        };
        pages.push((0x08, page));
    }
    if m.control_page {
        let mut page = vec![0x0A, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        if !changeable {
            page[2] = 0x02 | if p.sense_format == SenseFormat::Descriptor { 0x04 } else { 0 };
            page[3] = 0x10;
        }
        pages.push((0x0A, page));
    }
    if m.informational_exceptions_page {
        pages.push((0x1C, vec![0x1C, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    }
    pages
}

/// The mode parameter data answering `req` (SPC-5 tables "Mode parameter header(6)",
/// "Mode parameter header(10)", SBC-4 "Short LBA mode parameter block descriptor" and "Long
/// LBA mode parameter block descriptor"), or the sense for an unsupported page or subpage
/// (ILLEGAL REQUEST, INVALID FIELD IN CDB, pointing at byte 2 or 3).
///
/// Header(6): 0 MODE DATA LENGTH (n-1), 1 MEDIUM TYPE, 2 DEVICE-SPECIFIC PARAMETER (WP(7)
/// DPOFUA(4)), 3 BLOCK DESCRIPTOR LENGTH. Header(10): 0..=1 MODE DATA LENGTH (n-2), 2
/// MEDIUM TYPE, 3 DEVICE-SPECIFIC, 4 LONGLBA(0), 6..=7 BLOCK DESCRIPTOR LENGTH.
pub fn mode_parameters(p: &Profile, req: &ModeRequest) -> Result<Vec<u8>, SenseData> {
    let garbage = p.behaviour.mode_quirk == ModeQuirk::Garbage;
    let all = req.page == 0x3F || garbage;
    let mut invalid = SenseData::new(super::sense_key::ILLEGAL_REQUEST, 0x24, 0x00);
    if !garbage && req.subpage != 0 && !(req.page == 0x3F && req.subpage == 0xFF) {
        invalid.field_pointer = Some((3, None));
        return Err(invalid);
    }
    let pages = mode_pages(p, req.page_control);
    let mut body: Vec<u8> = Vec::new();
    for (code, page) in &pages {
        if all || *code == req.page {
            body.extend_from_slice(page);
        }
    }
    if !all && body.is_empty() {
        invalid.field_pointer = Some((2, Some(5)));
        return Err(invalid);
    }
    if garbage {
        // The last page claims 16 bytes more than it has.
        if let Some((_, last)) = pages.last() {
            let at = body.len() - last.len() + 1;
            body[at] = body[at].saturating_add(16);
        }
    }

    let c = &p.capacity;
    let long = matches!(req.form, ModeForm::Ten { llbaa: true });
    let descriptor = if req.dbd || !p.mode.block_descriptor {
        Vec::new()
    } else if long {
        let mut d = vec![0u8; 16];
        d[0..8].copy_from_slice(&c.blocks.to_be_bytes());
        d[12..16].copy_from_slice(&c.block_length.to_be_bytes());
        d
    } else {
        let mut d = vec![0u8; 8];
        let blocks = u32::try_from(c.blocks).unwrap_or(u32::MAX);
        d[0..4].copy_from_slice(&blocks.to_be_bytes());
        d[5..8].copy_from_slice(&c.block_length.to_be_bytes()[1..4]);
        d
    };
    let device_specific = u8::from(p.mode.write_protected) << 7 | u8::from(p.mode.dpofua) << 4;
    let lie = if garbage { 24 } else { 0 };
    let mut out = match req.form {
        ModeForm::Six => {
            let total = 4 + descriptor.len() + body.len();
            let length = u8::try_from(total - 1 + lie).unwrap_or(u8::MAX);
            vec![length, 0, device_specific, descriptor.len() as u8]
        }
        ModeForm::Ten { .. } => {
            let total = 8 + descriptor.len() + body.len();
            let [h, l] = ((total - 2 + lie) as u16).to_be_bytes();
            let [dh, dl] = (descriptor.len() as u16).to_be_bytes();
            vec![h, l, 0, device_specific, u8::from(long && !descriptor.is_empty()), 0, dh, dl]
        }
    };
    out.extend_from_slice(&descriptor);
    out.extend_from_slice(&body);
    Ok(out)
}

/// REPORT LUNS parameter data (SPC-5 table "REPORT LUNS parameter data format"): LUN LIST
/// LENGTH 8, reserved, then LUN 0.
pub fn report_luns() -> [u8; 16] {
    let mut b = [0u8; 16];
    b[3] = 8;
    b
}

/// One command the simulated disk implements, for REPORT SUPPORTED OPERATION CODES.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedCommand {
    /// OPERATION CODE.
    pub opcode: u8,
    /// SERVICE ACTION, when the opcode has service actions.
    pub service_action: Option<u16>,
    /// CDB USAGE DATA: the CDB length is its length; byte 0 is the opcode, then a mask of
    /// the bits the device looks at (SPC-5 "One_command parameter data format").
    pub usage: &'static [u8],
}

/// Recommended timeout reported in command timeouts descriptors, seconds.
const RECOMMENDED_TIMEOUT_SECS: u32 = 30;

/// Command timeouts descriptor (SPC-5 table "Command timeouts descriptor format"): 0..=1
/// DESCRIPTOR LENGTH 0Ah, 3 COMMAND SPECIFIC, 4..=7 NOMINAL, 8..=11 RECOMMENDED.
fn timeouts_descriptor() -> [u8; 12] {
    let mut t = [0u8; 12];
    t[1] = 0x0A;
    t[8..12].copy_from_slice(&RECOMMENDED_TIMEOUT_SECS.to_be_bytes());
    t
}

/// All_commands parameter data (SPC-5 "All_commands parameter data" and "Command
/// descriptor format"): 0..=3 COMMAND DATA LENGTH, then per command 0 OPERATION CODE, 2..=3
/// SERVICE ACTION, 5 CTDP(1) SERVACTV(0), 6..=7 CDB LENGTH, and a timeouts descriptor when
/// `rctd`.
pub fn rsoc_all(commands: &[SupportedCommand], rctd: bool) -> Vec<u8> {
    let mut b = vec![0u8; 4];
    for c in commands {
        let mut d = [0u8; 8];
        d[0] = c.opcode;
        d[2..4].copy_from_slice(&c.service_action.unwrap_or(0).to_be_bytes());
        d[5] = u8::from(rctd) << 1 | u8::from(c.service_action.is_some());
        d[6..8].copy_from_slice(&(c.usage.len() as u16).to_be_bytes());
        b.extend_from_slice(&d);
        if rctd {
            b.extend_from_slice(&timeouts_descriptor());
        }
    }
    let len = (b.len() - 4) as u32;
    b[0..4].copy_from_slice(&len.to_be_bytes());
    b
}

/// One_command parameter data (SPC-5 "One_command parameter data format"): 1 CTDP(7)
/// SUPPORT(2..0) (001b not supported, 011b supported), 2..=3 CDB SIZE, CDB USAGE DATA, then
/// a timeouts descriptor when `rctd` and supported.
pub fn rsoc_one(command: Option<&SupportedCommand>, rctd: bool) -> Vec<u8> {
    match command {
        None => vec![0, 0x01, 0, 0],
        Some(c) => {
            let mut b = vec![0, u8::from(rctd) << 7 | 0x03];
            b.extend_from_slice(&(c.usage.len() as u16).to_be_bytes());
            b.extend_from_slice(c.usage);
            if rctd {
                b.extend_from_slice(&timeouts_descriptor());
            }
            b
        }
    }
}

/// Sense returned by REQUEST SENSE when nothing is pending: NO SENSE 00/00.
pub fn no_sense(format: SenseFormat) -> Vec<u8> {
    SenseData::new(super::sense_key::NO_SENSE, 0, 0).to_bytes(format)
}
