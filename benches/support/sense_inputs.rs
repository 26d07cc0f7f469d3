//! Shared by `benches/sense.rs` and `tests/sense_no_alloc.rs`: the libsgutils2 FFI, the
//! sense buffers and (asc, ascq) pairs both sides get, and the two sides' "equal work".
//!
//! Decode, per buffer:
//! - ours: `sbc_core::sense::normalize` (response code, format, sense key, ASC, ASCQ,
//!   SDAT_OVFL, ADDITIONAL SENSE LENGTH), then `Header::information` (fixed: bytes 3..6 if
//!   VALID; descriptor: a walk over the descriptor headers to the first valid 00h/0Dh);
//! - sg: `sg_scsi_normalize_sense` (response code, sense key, ASC, ASCQ, bytes 4..6 and the
//!   additional length) then `sg_get_sense_info_fld` (INFORMATION and its VALID bit; for
//!   descriptor format a walk over the descriptor headers to the first 00h).
//! - ours, full parse (not equal work): `sbc_core::sense::parse`, which decodes every field
//!   of the format; measured to show what the full decoder costs.
//!
//! Text, per (asc, ascq):
//! - ours: `sbc_core::sense::describe` and `AscText::write_to` into a 256-byte stack buffer
//!   (truncating like snprintf, one byte kept for the NUL);
//! - ours via `core::fmt`: the same text through `Display` and `write!` (the earlier path);
//! - sg: `sg_get_asc_ascq_str` into a 256-byte stack buffer.

#![allow(dead_code)] // each includer uses a different part

use core::ffi::{c_char, c_int, CStr};
use core::fmt::Write as _;

use sbc_core::sense::{self, Parsed};

/// `struct sg_scsi_sense_hdr` from `<scsi/sg_lib.h>` (sg3_utils 1.46).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct SgScsiSenseHdr {
    pub response_code: u8,
    pub sense_key: u8,
    pub asc: u8,
    pub ascq: u8,
    pub byte4: u8,
    pub byte5: u8,
    pub byte6: u8,
    pub additional_length: u8,
}

#[link(name = "sgutils2")]
extern "C" {
    /// `bool sg_scsi_normalize_sense(const uint8_t * sensep, int sense_len,
    ///                               struct sg_scsi_sense_hdr * sshp);`
    pub fn sg_scsi_normalize_sense(
        sensep: *const u8,
        sense_len: c_int,
        sshp: *mut SgScsiSenseHdr,
    ) -> bool;
    /// `bool sg_get_sense_info_fld(const uint8_t * sensep, int sb_len, uint64_t * info_outp);`
    pub fn sg_get_sense_info_fld(sensep: *const u8, sb_len: c_int, info_outp: *mut u64) -> bool;
    /// `char * sg_get_asc_ascq_str(int asc, int ascq, int buff_len, char * buff);`
    pub fn sg_get_asc_ascq_str(
        asc: c_int,
        ascq: c_int,
        buff_len: c_int,
        buff: *mut c_char,
    ) -> *mut c_char;
}

/// What both decode paths produce: sense key, ASC, ASCQ and INFORMATION (only when VALID).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub sense_key: u8,
    pub asc: u8,
    pub ascq: u8,
    pub information: Option<u64>,
}

/// Our decode path: the header and INFORMATION, the same work as sg's two calls.
#[inline]
pub fn decode_ours(buf: &[u8]) -> Option<Summary> {
    match sense::normalize(buf) {
        Ok(Some(h)) => Some(Summary {
            sense_key: h.sense_key.0,
            asc: h.asc,
            ascq: h.ascq,
            information: h.information(),
        }),
        Ok(None) | Err(_) => None,
    }
}

/// Our full decoder (not equal work: every field of the format is decoded).
#[inline]
pub fn decode_ours_parse(buf: &[u8]) -> Option<Summary> {
    match sense::parse(buf) {
        Ok(Parsed::Sense(d)) => Some(Summary {
            sense_key: d.value.sense_key.0,
            asc: d.value.asc,
            ascq: d.value.ascq,
            information: d.value.information,
        }),
        Ok(Parsed::NoSense) | Err(_) => None,
    }
}

/// sg3_utils' decode path. Every input is at least 8 bytes long: `sg_scsi_normalize_sense`
/// reads bytes 4..6 of descriptor sense without checking the length.
#[inline]
pub fn decode_sg(buf: &[u8]) -> Option<Summary> {
    let len = c_int::try_from(buf.len()).ok()?;
    let mut hdr = SgScsiSenseHdr::default();
    // SAFETY: `buf` is valid for `len` bytes and every input is at least 8 bytes (see above);
    // `hdr` is a valid out-pointer.
    if !unsafe { sg_scsi_normalize_sense(buf.as_ptr(), len, &mut hdr) } {
        return None;
    }
    let mut info = 0u64;
    // SAFETY: as above; `info` is a valid out-pointer.
    let valid = unsafe { sg_get_sense_info_fld(buf.as_ptr(), len, &mut info) };
    Some(Summary {
        sense_key: hdr.sense_key,
        asc: hdr.asc,
        ascq: hdr.ascq,
        information: valid.then_some(info),
    })
}

/// NOT sbc-core code: a bench-local prototype that does only what sg's two calls do (sense
/// key, ASC, ASCQ, INFORMATION; the descriptor list walked by headers only, nothing else
/// decoded). It shows what equal work costs in safe Rust; docs/performance.md explains why
/// it is here.
#[inline]
pub fn decode_header_prototype(buf: &[u8]) -> Option<Summary> {
    let b0 = *buf.first()?;
    let announced = buf.get(7).map_or(8, |&n| usize::from(n) + 8);
    let s = buf.get(..announced.min(buf.len()))?;
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    match b0 & 0x7f {
        0x70 | 0x71 => {
            let sense_key = *buf.get(2)? & 0x0f;
            let information = match s.get(3..7) {
                Some(&[a, b, c, d]) if b0 & 0x80 != 0 => {
                    Some(u64::from(u32::from_be_bytes([a, b, c, d])))
                }
                _ => None,
            };
            Some(Summary { sense_key, asc: at(12), ascq: at(13), information })
        }
        0x72 | 0x73 => {
            let sense_key = *buf.get(1)? & 0x0f;
            let mut list = s.get(8..).unwrap_or(&[]);
            let mut information = None;
            while let [t, len, ..] = *list {
                let Some(d) = list.get(..usize::from(len) + 2) else { break };
                if t == 0 {
                    if let Some(v) = d.get(4..12) {
                        if d[2] & 0x80 != 0 {
                            information = Some(u64::from_be_bytes(v.try_into().ok()?));
                            break;
                        }
                    }
                }
                list = &list[d.len()..];
            }
            Some(Summary { sense_key, asc: at(2), ascq: at(3), information })
        }
        _ => None,
    }
}

/// A truncating `core::fmt::Write` sink over a stack array (what snprintf does in C).
pub struct StackBuf {
    pub buf: [u8; TEXT_BUF],
    pub len: usize,
}

/// Text buffer size for both sides.
pub const TEXT_BUF: usize = 256;

impl StackBuf {
    #[inline]
    pub fn new() -> Self {
        StackBuf { buf: [0; TEXT_BUF], len: 0 }
    }

    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("<utf-8 cut>")
    }
}

impl core::fmt::Write for StackBuf {
    #[inline]
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        // Keep one byte free, as snprintf keeps one for the NUL.
        let room = TEXT_BUF - 1 - self.len;
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Our text path: look up and write into `out` with `AscText::write_to` (one byte kept
/// free, as snprintf keeps one for the NUL).
#[inline]
pub fn text_ours(asc: u8, ascq: u8, out: &mut StackBuf) -> usize {
    out.len = sense::describe(asc, ascq).write_to(&mut out.buf[..TEXT_BUF - 1]);
    out.len
}

/// Our text through `core::fmt`: look up and format into `out` with `write!`.
#[inline]
pub fn text_ours_fmt(asc: u8, ascq: u8, out: &mut StackBuf) -> usize {
    out.len = 0;
    let _ = write!(out, "{}", sense::describe(asc, ascq));
    out.len
}

/// sg3_utils' text path: look up and format into `out` (it prefixes "Additional sense: "
/// to assigned codes).
#[inline]
pub fn text_sg(asc: u8, ascq: u8, out: &mut [c_char; TEXT_BUF]) -> *mut c_char {
    // SAFETY: `out` is a writable buffer of TEXT_BUF bytes and buff_len says so.
    unsafe {
        sg_get_asc_ascq_str(
            c_int::from(asc),
            c_int::from(ascq),
            TEXT_BUF as c_int,
            out.as_mut_ptr(),
        )
    }
}

/// sg's text for a pair as a Rust string (setup and checks only; allocates).
pub fn text_sg_string(asc: u8, ascq: u8) -> String {
    let mut out = [0 as c_char; TEXT_BUF];
    let p = text_sg(asc, ascq, &mut out);
    // SAFETY: sg_get_asc_ascq_str NUL-terminates within buff_len and returns `out`.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// xorshift64 (Marsaglia), seeded; enough for reproducible inputs.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        XorShift(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Seed of the generated inputs.
pub const SEED: u64 = 0x5bc_de47_5e45_e000;
/// How many generated buffers (half fixed, half descriptor).
pub const GENERATED: usize = 1000;

/// The fixture files read (the three sense buffers in sg3_utils' inhex set).
pub const FIXTURES: [&str; 3] = ["fixed_sense.hex", "descriptor_sense.hex", "ref_sense.hex"];

/// Every assigned (asc, ascq) pair: the 766 exact codes of T10's list
/// (`tests/fixtures/t10/asc-ascq.tsv`, the file sbc-core's table is generated from), in
/// order, plus four qualifiers of each ASC that has ranges (first, last, two between; the
/// qualifiers that are in a range and not exact codes). Read from the list, not from
/// `describe`, so the input set does not move when `describe` changes how it classifies a
/// code (4D/00 and 70/00 now answer with their range text).
pub fn assigned_pairs() -> Vec<(u8, u8)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/t10/asc-ascq.tsv");
    let tsv = std::fs::read_to_string(path).expect("T10 list");
    let (mut known, mut ranges) = (Vec::new(), Vec::new());
    for line in tsv.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        let h = |i: usize| u8::from_str_radix(c[i], 16).expect("hex");
        match c[0] {
            "code" => known.push((h(1), h(2))),
            "range" => ranges.push((h(1), h(2), h(3))),
            _ => {}
        }
    }
    known.sort();
    let mut ranged: Vec<(u8, u8)> = Vec::new();
    for asc in 0..=255u8 {
        let in_range: Vec<(u8, u8)> = (0..=255u8)
            .map(|ascq| (asc, ascq))
            .filter(|&(a, q)| ranges.iter().any(|&(ra, lo, hi)| ra == a && (lo..=hi).contains(&q)))
            .filter(|p| known.binary_search(p).is_err())
            .collect();
        // Spread four samples over each range's qualifiers (first, last, two between).
        if !in_range.is_empty() {
            let n = in_range.len();
            for i in [0, n / 3, 2 * n / 3, n - 1] {
                if !ranged.contains(&in_range[i]) {
                    ranged.push(in_range[i]);
                }
            }
        }
    }
    assert_eq!(known.len(), 766, "T10 2024-11-28 list");
    known.extend(ranged);
    known
}

/// The text-lookup inputs: every assigned pair plus 234 seeded unassigned ones (vendor ASC,
/// vendor ASCQ and unknown, about a third each), 1,000 or so in all, in a shuffled order.
pub fn text_pairs() -> Vec<(u8, u8)> {
    let mut rng = XorShift::new(SEED ^ 0x7e47);
    let mut pairs = assigned_pairs();
    let mut extra = 0;
    while extra < 234 {
        let (asc, ascq) = match extra % 3 {
            0 => (0x80 | rng.byte(), rng.byte()),
            1 => ((rng.byte() & 0x7f), 0x80 | rng.byte()),
            _ => ((rng.byte() & 0x7f), (rng.byte() & 0x7f)),
        };
        if !sense::describe(asc, ascq).is_assigned() {
            pairs.push((asc, ascq));
            extra += 1;
        }
    }
    for i in (1..pairs.len()).rev() {
        pairs.swap(i, rng.below(i + 1));
    }
    pairs
}

/// The decode inputs: the three sg3_utils fixtures, two non-sense buffers (all zero, vendor
/// format 7Fh), then [`GENERATED`] seeded buffers.
pub fn sense_buffers() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sg3-inhex/");
    let mut out = Vec::new();
    for name in FIXTURES {
        let text = std::fs::read(format!("{dir}{name}")).expect("fixture");
        let mut buf = [0u8; 512];
        let n = sbc_core::capture::parse_hex(&text, &mut buf).expect("fixture hex");
        out.push(buf[..n].to_vec());
    }
    out.push(vec![0; 18]);
    let mut vendor = vec![0u8; 18];
    vendor[0] = 0x7f;
    out.push(vendor);

    let codes = assigned_pairs();
    let mut rng = XorShift::new(SEED);
    for i in 0..GENERATED {
        let (asc, ascq) =
            if rng.chance(2) { codes[rng.below(codes.len())] } else { (rng.byte(), rng.byte()) };
        out.push(if i % 2 == 0 {
            fixed(&mut rng, asc, ascq)
        } else {
            descriptor(&mut rng, asc, ascq)
        });
    }
    out
}

/// Fixed format: 70h/71h with VALID at random, random key and flags, 18..32 bytes; one in
/// eight announces a short ADDITIONAL SENSE LENGTH (ASC/ASCQ outside it), one in four is cut
/// short by the buffer (never below 8 bytes).
fn fixed(rng: &mut XorShift, asc: u8, ascq: u8) -> Vec<u8> {
    let full = 18 + rng.below(15);
    let mut b: Vec<u8> = (0..full).map(|_| rng.byte()).collect();
    b[0] = 0x70 | (rng.byte() & 0x81);
    b[7] = if rng.chance(8) { rng.below(10) as u8 } else { (full - 8) as u8 };
    b[12] = asc;
    b[13] = ascq;
    if rng.chance(4) {
        b.truncate(8 + rng.below(full - 8));
    }
    b
}

/// Descriptor format: 72h/73h, random key, SDAT_OVFL at random, then 0..6 descriptors drawn
/// from information (at most one), command-specific, sense key specific, field replaceable
/// unit, stream commands, block commands, ATA status return, another progress indication
/// and vendor (80h..FFh). One in four is cut short by the buffer, never inside the
/// information descriptor (sg_get_sense_info_fld reads its 12 bytes unchecked) and never
/// below 8 bytes. The direct-access block device descriptor (0Dh) is left out: ours takes
/// INFORMATION from it and sg_get_sense_info_fld does not, so the two would differ by design.
fn descriptor(rng: &mut XorShift, asc: u8, ascq: u8) -> Vec<u8> {
    let mut b =
        vec![0x72 | (rng.byte() & 1), rng.byte() & 0x0f, asc, ascq, rng.byte() & 0x80, 0, 0, 0];
    let mut have_info = false;
    let mut keep_to = 8;
    for _ in 0..rng.below(7) {
        let (t, len) = match rng.below(9) {
            0 if !have_info => (0x00, 0x0a),
            0 | 1 => (0x01, 0x0a),
            2 => (0x02, 0x06),
            3 => (0x03, 0x02),
            4 => (0x04, 0x02),
            5 => (0x05, 0x02),
            6 => (0x09, 0x0c),
            7 => (0x0a, 0x06),
            _ => (0x80 | rng.byte(), rng.below(16) as u8),
        };
        b.push(t);
        b.push(len);
        b.extend((0..len).map(|_| rng.byte()));
        if t == 0x00 {
            have_info = true;
            keep_to = b.len();
            let start = b.len() - usize::from(len) - 2;
            b[start + 2] &= 0x80; // VALID; the rest reserved
            b[start + 3] = 0;
        }
    }
    b[7] = (b.len() - 8) as u8;
    if rng.chance(4) && b.len() > keep_to {
        b.truncate(keep_to + rng.below(b.len() - keep_to));
    }
    b
}

/// Asserts both sides agree on every input; returns (inputs, with sense, with INFORMATION).
pub fn check_decode_agreement(bufs: &[Vec<u8>]) -> (usize, usize, usize) {
    let (mut sensed, mut informed) = (0, 0);
    for (i, b) in bufs.iter().enumerate() {
        let ours = decode_ours(b);
        let sg = decode_sg(b);
        assert_eq!(ours, sg, "input {i} disagrees: {b:02x?}");
        assert_eq!(decode_ours_parse(b), ours, "parse vs normalize, input {i}: {b:02x?}");
        assert_eq!(decode_header_prototype(b), sg, "prototype, input {i}: {b:02x?}");
        if let Some(s) = ours {
            sensed += 1;
            informed += usize::from(s.information.is_some());
        }
    }
    (bufs.len(), sensed, informed)
}

/// Compares the texts (sg's "Additional sense: " prefix removed). The tables differ in date
/// (T10 2024-11-28 against sg3_utils 1.46's), so this counts, it does not assert. Returns
/// (pairs, texts that differ).
pub fn text_differences(pairs: &[(u8, u8)]) -> (usize, usize) {
    let mut differ = 0;
    for &(asc, ascq) in pairs {
        let mut ours = StackBuf::new();
        text_ours(asc, ascq, &mut ours);
        let mut via_fmt = StackBuf::new();
        text_ours_fmt(asc, ascq, &mut via_fmt);
        assert_eq!(ours.as_str(), via_fmt.as_str(), "write_to vs Display, {asc:02x}/{ascq:02x}");
        let sg = text_sg_string(asc, ascq);
        let sg = sg.strip_prefix("Additional sense: ").unwrap_or(&sg);
        differ += usize::from(ours.as_str() != sg);
    }
    (pairs.len(), differ)
}
