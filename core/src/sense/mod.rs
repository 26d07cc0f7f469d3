//! Sense data: what a logical unit says after CHECK CONDITION (SPC-5 §4.4 "Sense data").
//!
//! Two entry points, with the same outcomes for the same bytes:
//!
//! - [`normalize`] reads only the header (response code, format, deferred, sense key,
//!   ASC/ASCQ, SDAT_OVFL, ADDITIONAL SENSE LENGTH) into a [`Header`], and INFORMATION on
//!   request ([`Header::information`], a walk over the descriptor headers only). This is
//!   what a retry policy or a log line needs, and what sg3_utils' `sg_scsi_normalize_sense`
//!   plus `sg_get_sense_info_fld` do.
//! - [`parse`] normalizes, then decodes every field of the format into a [`Sense`].
//!
//! [`parse`] takes the sense bytes the transport actually returned and gives one of:
//!
//! - [`Parsed::NoSense`]: the buffer is empty or all zero, so there is no sense data (a
//!   transport that autosenses nothing hands back zeros). This is not an error.
//! - [`Parsed::Sense`]: a [`Sense`] (the same plain struct for both formats) inside a
//!   [`Decoded`] that says whether the ADDITIONAL SENSE LENGTH promised more than the buffer
//!   held. Truncation is reported, never an error, never an over-read.
//! - [`Error`]: a response code other than 70h..73h (kept in the error), or a buffer that
//!   ends before the SENSE KEY.
//!
//! Response codes (SPC-5 table "Sense data response codes"):
//!
//! ```text
//! 70h fixed, current       71h fixed, deferred       (fixed.rs)
//! 72h descriptor, current  73h descriptor, deferred  (descriptor.rs)
//! 7Fh vendor specific      others reserved           -> Error::UnknownResponseCode
//! ```
//!
//! Descriptor-format sense is summarized into the same fields as fixed format (the first
//! information, command-specific, sense key specific and field replaceable unit descriptors,
//! FILEMARK/EOM/ILI from the stream and block commands descriptors, and the direct-access
//! block device descriptor), and every descriptor stays reachable through
//! [`Sense::descriptors`]. ASC/ASCQ text comes from [`asc::describe`].

pub mod asc;
#[rustfmt::skip]
mod asc_table;
pub mod ata;
mod code;
pub mod descriptor;
pub mod fixed;
pub mod sks;

use core::fmt;

pub use asc::{describe, AscText};
pub use ata::{AtaReturn, AtaStatusReturn, FixedAtaReturn};
pub use code::SenseCode;
pub use descriptor::{Descriptor, DescriptorOverrun, Descriptors, RawDescriptor};
pub use sks::SenseKeySpecific;

use crate::wire::field::{be32_at, u8_at};
use crate::wire::Decoded;

crate::open_enum! {
    /// SENSE KEY (SPC-5 §4.4.3, table "Sense key descriptions"). Four bits; 0Ch is
    /// reserved (it was EQUAL, now obsolete).
    pub struct SenseKey(u8) {
        /// No specific sense key information to report (e.g. a successful command, or
        /// FILEMARK/EOM/ILI set).
        NO_SENSE = 0x0 => "NO SENSE",
        /// The command completed after recovery action.
        RECOVERED_ERROR = 0x1 => "RECOVERED ERROR",
        /// The logical unit is not accessible.
        NOT_READY = 0x2 => "NOT READY",
        /// A non-recovered error, probably caused by a medium flaw.
        MEDIUM_ERROR = 0x3 => "MEDIUM ERROR",
        /// A non-recoverable hardware failure.
        HARDWARE_ERROR = 0x4 => "HARDWARE ERROR",
        /// An illegal CDB or parameter data.
        ILLEGAL_REQUEST = 0x5 => "ILLEGAL REQUEST",
        /// A unit attention condition (reset, medium change, parameters changed, ...).
        UNIT_ATTENTION = 0x6 => "UNIT ATTENTION",
        /// Access to the medium is blocked (write protect, ...).
        DATA_PROTECT = 0x7 => "DATA PROTECT",
        /// Blank or format-defined end-of-data encountered.
        BLANK_CHECK = 0x8 => "BLANK CHECK",
        /// Vendor-specific conditions.
        VENDOR_SPECIFIC = 0x9 => "VENDOR SPECIFIC",
        /// An EXTENDED COPY command was aborted.
        COPY_ABORTED = 0xA => "COPY ABORTED",
        /// The device server aborted the command.
        ABORTED_COMMAND = 0xB => "ABORTED COMMAND",
        /// A buffered device reached end-of-partition with data left to write.
        VOLUME_OVERFLOW = 0xD => "VOLUME OVERFLOW",
        /// Source data did not match the medium.
        MISCOMPARE = 0xE => "MISCOMPARE",
        /// A command completed with sense data to report.
        COMPLETED = 0xF => "COMPLETED",
    }
}

/// Which of the two sense data formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenseFormat {
    /// Fixed format (response code 70h/71h).
    Fixed,
    /// Descriptor format (response code 72h/73h).
    Descriptor,
}

/// Why a non-empty sense buffer could not be read as sense data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// RESPONSE CODE (byte 0 bits 6..0) is not 70h..73h: 7Fh (vendor-specific format) or a
    /// reserved value (often garbage from a transport that filled no sense).
    #[error(fmt = unknown_response_code)]
    UnknownResponseCode(u8),
    /// The buffer ends before the SENSE KEY.
    #[error("truncated sense: {available} bytes present, the sense key needs {needed}")]
    Truncated {
        /// Bytes needed to reach the sense key.
        needed: usize,
        /// Bytes present.
        available: usize,
    },
}

/// [`Error::UnknownResponseCode`]'s message: 7Fh is a format of its own, the rest are not
/// sense data.
fn unknown_response_code(code: &u8, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match *code {
        0x7f => f.write_str("vendor-specific sense data format (response code 0x7f)"),
        c => write!(f, "not sense data: response code {c:#04x} is not 0x70..0x73"),
    }
}

/// The outcome of [`parse`] on a buffer that is sense data or no sense at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed<'a> {
    /// Zero bytes, or all bytes zero: no sense data was returned.
    NoSense,
    /// Sense data, with its announced and present lengths.
    Sense(Decoded<Sense<'a>>),
}

/// Sense data of either format, as one plain struct (the view is over the original bytes
/// for the parts that are lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sense<'a> {
    /// RESPONSE CODE, 70h..73h.
    pub response_code: u8,
    /// Fixed or descriptor format.
    pub format: SenseFormat,
    /// A deferred error (71h/73h): it belongs to an earlier command, not this one.
    pub deferred: bool,
    /// SENSE KEY.
    pub sense_key: SenseKey,
    /// ADDITIONAL SENSE CODE (0 when the sense data ends before it, as Linux and sg3_utils
    /// read it).
    pub asc: u8,
    /// ADDITIONAL SENSE CODE QUALIFIER (0 when the sense data ends before it).
    pub ascq: u8,
    /// SDAT_OVFL: the device had more sense data than fit.
    #[doc(alias = "SDAT_OVFL")]
    pub sdat_ovfl: bool,
    /// FILEMARK (fixed byte 2 bit 7, or the stream commands descriptor).
    pub filemark: bool,
    /// EOM, end of medium (fixed byte 2 bit 6, or the stream commands descriptor).
    pub eom: bool,
    /// ILI, incorrect length indicator (fixed byte 2 bit 5, or the stream commands, block
    /// commands or direct-access block device descriptor).
    pub ili: bool,
    /// INFORMATION, only when VALID: fixed format's 4 bytes (VALID is byte 0 bit 7), or the
    /// 8 bytes of the information descriptor (VALID in its byte 2) or of the direct-access
    /// block device descriptor. For a medium error it is the failing LBA.
    pub information: Option<u64>,
    /// COMMAND-SPECIFIC INFORMATION (fixed bytes 8..11 when present, or the command-specific
    /// information or direct-access block device descriptor).
    pub command_specific: Option<u64>,
    /// SENSE KEY SPECIFIC, only when SKSV is set.
    pub sense_key_specific: Option<SenseKeySpecific>,
    /// FIELD REPLACEABLE UNIT CODE, when present and not zero (zero means "no unit").
    pub field_replaceable_unit_code: Option<u8>,
    /// Fixed format: the additional sense bytes after byte 17 (within the ADDITIONAL SENSE
    /// LENGTH), raw. Empty for descriptor format.
    pub additional_sense_bytes: &'a [u8],
    /// The first descriptor that ran past the end of the descriptor list, if any.
    pub descriptor_overrun: Option<DescriptorOverrun>,
    descriptors: Descriptors<'a>,
    fixed_ata: Option<FixedAtaReturn>,
}

/// The sense data header, read by [`normalize`]: the fields both formats have, plus
/// INFORMATION on request. This is the work of sg3_utils' `sg_scsi_normalize_sense` and
/// `sg_get_sense_info_fld`, and of Linux's `scsi_normalize_sense`, and nothing more; the
/// hot path (retry policy, completion logging) needs no other field. [`parse`] builds on
/// it and decodes the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// RESPONSE CODE, 70h..73h.
    pub response_code: u8,
    /// Fixed (70h/71h) or descriptor (72h/73h) format.
    pub format: SenseFormat,
    /// A deferred error (71h/73h): it belongs to an earlier command, not this one.
    pub deferred: bool,
    /// SENSE KEY.
    pub sense_key: SenseKey,
    /// ADDITIONAL SENSE CODE (0 when the sense data ends before it, as Linux and sg3_utils
    /// read it).
    pub asc: u8,
    /// ADDITIONAL SENSE CODE QUALIFIER (0 when the sense data ends before it).
    pub ascq: u8,
    /// SDAT_OVFL (fixed byte 2 bit 4, descriptor byte 4 bit 7): the device had more sense
    /// data than fit.
    #[doc(alias = "SDAT_OVFL")]
    pub sdat_ovfl: bool,
    /// ADDITIONAL SENSE LENGTH (byte 7), `None` when the buffer ends before it.
    pub additional_sense_length: Option<u8>,
    /// The sense data: the buffer cut at the ADDITIONAL SENSE LENGTH (or its own end).
    bytes: &'a [u8],
    /// Length of the whole buffer.
    available: usize,
}

/// Byte offsets of the descriptor format header (SPC-5 table "Descriptor format sense
/// data"); the fixed format's are in [`fixed::field`].
mod descriptor_format {
    /// SENSE KEY (bits 3..0).
    pub const SENSE_KEY: usize = 1;
    /// ADDITIONAL SENSE CODE.
    pub const ASC: usize = 2;
    /// ADDITIONAL SENSE CODE QUALIFIER.
    pub const ASCQ: usize = 3;
    /// SDAT_OVFL (bit 7).
    pub const SDAT_OVFL: usize = 4;
    /// First sense data descriptor.
    pub const DESCRIPTORS: usize = 8;
}

/// ADDITIONAL SENSE LENGTH: byte 7 in both formats; the sense data is this plus 8 bytes.
const ADDITIONAL_SENSE_LENGTH: usize = fixed::field::ADDITIONAL_SENSE_LENGTH;

/// Reads the sense data header (SPC-5 §4.4): response code, format, sense key, ASC/ASCQ,
/// SDAT_OVFL and the ADDITIONAL SENSE LENGTH, and nothing else; INFORMATION is read only
/// when [`Header::information`] is called. Cheaper than [`parse`], with the same outcomes:
///
/// - `Ok(None)`: the buffer is empty or all zero, so there is no sense data
///   ([`Parsed::NoSense`] from `parse`);
/// - `Ok(Some(header))`: sense data; bytes past the ADDITIONAL SENSE LENGTH are not read,
///   and [`Header::is_truncated`] says whether the buffer ended first.
///
/// # Errors
/// As [`parse`]: [`Error::UnknownResponseCode`] for a response code other than 70h..73h in
/// a buffer that is not all zero; [`Error::Truncated`] when the buffer ends before the
/// sense key (byte 2 in fixed format, byte 1 in descriptor format).
#[inline]
pub fn normalize(buf: &[u8]) -> Result<Option<Header<'_>>, Error> {
    let response_code = u8_at(buf, fixed::field::RESPONSE_CODE).unwrap_or(0) & 0x7f;
    // One decision per buffer: the format picks the offsets, the reads below are the same
    // code for both (no second branch on the format).
    let (format, key_at, asc_at, ascq_at, (sdat_ovfl_at, sdat_ovfl_bit)) = match response_code {
        0x70 | 0x71 => (
            SenseFormat::Fixed,
            fixed::field::FLAGS_SENSE_KEY,
            fixed::field::ASC,
            fixed::field::ASCQ,
            (fixed::field::FLAGS_SENSE_KEY, 0x10),
        ),
        0x72 | 0x73 => (
            SenseFormat::Descriptor,
            descriptor_format::SENSE_KEY,
            descriptor_format::ASC,
            descriptor_format::ASCQ,
            (descriptor_format::SDAT_OVFL, 0x80),
        ),
        // Only a buffer whose response code is not sense data can be all zero.
        _ if buf.iter().all(|&b| b == 0) => return Ok(None),
        _ => return Err(Error::UnknownResponseCode(response_code)),
    };
    let Some(key_byte) = u8_at(buf, key_at) else {
        return Err(Error::Truncated { needed: key_at + 1, available: buf.len() });
    };
    let additional_sense_length = u8_at(buf, ADDITIONAL_SENSE_LENGTH);
    // Sense data ends at the ADDITIONAL SENSE LENGTH or the buffer, whichever is first.
    let announced = additional_sense_length.map_or(8, |n| usize::from(n) + 8);
    let s = buf.get(..announced).unwrap_or(buf);
    let (asc, ascq) = (u8_at(s, asc_at), u8_at(s, ascq_at));
    let sdat_ovfl = u8_at(s, sdat_ovfl_at).unwrap_or(0) & sdat_ovfl_bit != 0;
    Ok(Some(Header {
        response_code,
        format,
        deferred: matches!(response_code, 0x71 | 0x73),
        sense_key: SenseKey(key_byte & 0x0f),
        asc: asc.unwrap_or(0),
        ascq: ascq.unwrap_or(0),
        sdat_ovfl,
        additional_sense_length,
        bytes: s,
        available: buf.len(),
    }))
}

impl<'a> Header<'a> {
    /// Total length the sense data announces for itself: ADDITIONAL SENSE LENGTH + 8 (8
    /// when the buffer ends before byte 7).
    pub fn announced(&self) -> usize {
        self.additional_sense_length.map_or(8, |n| usize::from(n) + 8)
    }

    /// Bytes in the buffer handed to [`normalize`].
    pub fn available(&self) -> usize {
        self.available
    }

    /// Whether the buffer ended before the ADDITIONAL SENSE LENGTH did.
    pub fn is_truncated(&self) -> bool {
        self.available < self.announced()
    }

    /// INFORMATION, only when VALID; for a medium error it is the failing LBA. Read on each
    /// call, nothing else decoded:
    ///
    /// - fixed format: bytes 3..6 when VALID (byte 0 bit 7) is set;
    /// - descriptor format: the first descriptor, walked by its two header bytes only, that
    ///   is an information descriptor (00h) or a direct-access block device descriptor
    ///   (0Dh, SBC-4) long enough for the field and with its VALID bit set.
    ///
    /// The 0Dh descriptor counts because SBC-4 defines it to carry the same INFORMATION
    /// field for direct-access devices, the devices this driver serves. sg3_utils'
    /// `sg_get_sense_info_fld` reads only 00h (and only the first one), so on sense data
    /// with a 0Dh descriptor, or with an information descriptor whose VALID bit is clear
    /// ahead of a valid one, the two differ by design. The value always equals
    /// [`Sense::information`] from [`parse`].
    #[inline]
    pub fn information(&self) -> Option<u64> {
        match self.format {
            SenseFormat::Fixed => {
                let valid = u8_at(self.bytes, fixed::field::RESPONSE_CODE)? & 0x80 != 0;
                be32_at(self.bytes, fixed::field::INFORMATION).filter(|_| valid).map(u64::from)
            }
            SenseFormat::Descriptor => {
                let mut rest = self.bytes.get(descriptor_format::DESCRIPTORS..).unwrap_or(&[]);
                while let Some(Ok((d, tail))) = descriptor::split_descriptor(rest) {
                    if let Some(information) = descriptor::valid_information(d) {
                        return Some(information);
                    }
                    rest = tail;
                }
                None
            }
        }
    }

    /// The sense data descriptors (descriptor format; empty for fixed format), walked
    /// lazily over the original bytes.
    pub fn descriptors(&self) -> Descriptors<'a> {
        match self.format {
            SenseFormat::Fixed => Descriptors::empty(),
            SenseFormat::Descriptor => Descriptors::new(
                self.bytes.get(descriptor_format::DESCRIPTORS..).unwrap_or(&[]),
                descriptor_format::DESCRIPTORS,
                self.sense_key,
                self.is_truncated(),
            ),
        }
    }
}

/// Parses sense data from the bytes the transport returned (SPC-5 §4.4): [`normalize`],
/// then every field of the format.
///
/// # Errors
/// [`Error::UnknownResponseCode`] for a response code other than 70h..73h in a buffer that
/// is not all zero; [`Error::Truncated`] when the buffer ends before the sense key (byte 2
/// in fixed format, byte 1 in descriptor format).
pub fn parse(buf: &[u8]) -> Result<Parsed<'_>, Error> {
    let Some(h) = normalize(buf)? else {
        return Ok(Parsed::NoSense);
    };
    let sense = match h.format {
        SenseFormat::Fixed => fixed::parse(&h),
        SenseFormat::Descriptor => parse_descriptor_format(&h),
    };
    Ok(Parsed::Sense(Decoded { value: sense, announced: h.announced(), available: h.available }))
}

/// Descriptor format (SPC-5 §4.4.2, table "Descriptor format sense data"):
///
/// ```text
/// byte 0: reserved(7) RESPONSE CODE(6..0)   (72h current, 73h deferred)
/// byte 1: reserved(7..4) SENSE KEY(3..0)
/// byte 2: ADDITIONAL SENSE CODE             byte 3: ADDITIONAL SENSE CODE QUALIFIER
/// byte 4: SDAT_OVFL(7) reserved             byte 5..6: reserved
/// byte 7: ADDITIONAL SENSE LENGTH (n - 7)   byte 8..n: sense data descriptors
/// ```
///
/// The walk looks at each descriptor's type byte and decodes only the types whose fields
/// the summary holds (00h..05h and 0Dh); the others stay raw, reachable through
/// [`Sense::descriptors`].
fn parse_descriptor_format<'a>(h: &Header<'a>) -> Sense<'a> {
    let descriptors = h.descriptors();
    let mut sense = Sense {
        response_code: h.response_code,
        format: SenseFormat::Descriptor,
        deferred: h.deferred,
        sense_key: h.sense_key,
        asc: h.asc,
        ascq: h.ascq,
        sdat_ovfl: h.sdat_ovfl,
        filemark: false,
        eom: false,
        ili: false,
        information: None,
        command_specific: None,
        sense_key_specific: None,
        field_replaceable_unit_code: None,
        additional_sense_bytes: &[],
        descriptor_overrun: None,
        descriptors,
        fixed_ata: None,
    };
    for item in descriptors {
        let raw = match item {
            Ok(raw) => raw,
            Err(overrun) => {
                sense.descriptor_overrun = Some(overrun);
                break;
            }
        };
        if sense.information.is_none() {
            // The same rule as `Header::information`, in the same walk.
            sense.information = descriptor::valid_information(raw.bytes);
        }
        match raw.descriptor_type() {
            0x01..=0x05 | 0x0D => summarize(&mut sense, raw.decode()),
            _ => {}
        }
    }
    sense
}

/// Folds one decoded descriptor into the summary (INFORMATION is taken by the caller): the
/// first of each field wins, flags accumulate.
fn summarize(sense: &mut Sense<'_>, d: Descriptor<'_>) {
    match d {
        Descriptor::CommandSpecificInformation { command_specific_information } => {
            sense.command_specific.get_or_insert(command_specific_information);
        }
        Descriptor::SenseKeySpecific { sksv: true, sense_key_specific } => {
            sense.sense_key_specific.get_or_insert(sense_key_specific);
        }
        Descriptor::FieldReplaceableUnit { field_replaceable_unit_code: c } if c != 0 => {
            sense.field_replaceable_unit_code.get_or_insert(c);
        }
        Descriptor::StreamCommands { filemark, eom, ili } => {
            sense.filemark |= filemark;
            sense.eom |= eom;
            sense.ili |= ili;
        }
        Descriptor::BlockCommands { ili } => sense.ili |= ili,
        Descriptor::DirectAccessBlockDevice {
            ili,
            sksv,
            sense_key_specific,
            field_replaceable_unit_code,
            command_specific_information,
            ..
        } => {
            sense.ili |= ili;
            sense.command_specific.get_or_insert(command_specific_information);
            if sksv {
                sense.sense_key_specific.get_or_insert(sense_key_specific);
            }
            if field_replaceable_unit_code != 0 {
                sense.field_replaceable_unit_code.get_or_insert(field_replaceable_unit_code);
            }
        }
        _ => {}
    }
}

impl<'a> Sense<'a> {
    /// The sense data descriptors (descriptor format; empty for fixed format), walked over
    /// the original bytes.
    pub fn descriptors(&self) -> Descriptors<'a> {
        self.descriptors
    }

    /// The T10 text (or vendor/unknown classification) of ASC/ASCQ.
    pub fn asc_text(&self) -> AscText {
        asc::describe(self.asc, self.ascq)
    }

    /// ASC and ASCQ as one 16-bit code (`asc << 8 | ascq`).
    pub fn asc_ascq(&self) -> u16 {
        u16::from_be_bytes([self.asc, self.ascq])
    }

    /// ATA registers returned after ATA PASS-THROUGH: the first ATA Status Return
    /// descriptor (descriptor format), or fixed format with ASC/ASCQ 00h/1Dh "ATA PASS
    /// THROUGH INFORMATION AVAILABLE" (SAT-2 onward; the information and command-specific
    /// fields then hold the registers, see [`FixedAtaReturn`]).
    pub fn ata_return(&self) -> Option<AtaReturn> {
        if let Some(f) = self.fixed_ata {
            return Some(AtaReturn::Fixed(f));
        }
        self.descriptors.filter_map(Result::ok).find_map(|d| match d.decode() {
            Descriptor::AtaStatusReturn(a) => Some(AtaReturn::Descriptor(a)),
            _ => None,
        })
    }
}

/// A compact one-line summary, for logs and the CLI, e.g.
/// `fixed current, ILLEGAL REQUEST, 24/00 Invalid field in cdb, field pointer: CDB byte 2 bit 4`.
impl fmt::Display for Sense<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match self.format {
            SenseFormat::Fixed => "fixed",
            SenseFormat::Descriptor => "descriptor",
        };
        let when = if self.deferred { "deferred" } else { "current" };
        write!(f, "{format} {when}, ")?;
        match self.sense_key.name() {
            Some(name) => f.write_str(name)?,
            None => write!(f, "sense key {:#x}", self.sense_key.0)?,
        }
        write!(f, ", {:02x}/{:02x} {}", self.asc, self.ascq, self.asc_text())?;
        if let Some(info) = self.information {
            write!(f, ", information {info:#x}")?;
        }
        if let Some(sks) = self.sense_key_specific {
            write!(f, ", {sks}")?;
        }
        if let Some(fru) = self.field_replaceable_unit_code {
            write!(f, ", FRU {fru:#x}")?;
        }
        if self.filemark || self.eom || self.ili {
            f.write_str(",")?;
            descriptor::flags(f, self.filemark, self.eom, self.ili)?;
        }
        if self.sdat_ovfl {
            f.write_str(", SDAT_OVFL")?;
        }
        if let Some(a) = self.ata_return() {
            write!(f, ", ATA status {:#04x} error {:#04x}", a.status(), a.error())?;
        }
        let n = self.descriptors.filter(Result::is_ok).count();
        if n > 0 {
            write!(f, ", {n} descriptor{}", if n == 1 { "" } else { "s" })?;
        }
        if let Some(o) = self.descriptor_overrun {
            write!(f, ", {o}")?;
        }
        Ok(())
    }
}
