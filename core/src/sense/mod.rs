//! Sense data: what a logical unit says after CHECK CONDITION (SPC-5 §4.4 "Sense data").
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
pub mod descriptor;
pub mod fixed;
pub mod sks;

use core::fmt;

pub use asc::{describe, AscText};
pub use ata::{AtaReturn, AtaStatusReturn, FixedAtaReturn};
pub use descriptor::{Descriptor, DescriptorOverrun, Descriptors, RawDescriptor};
pub use sks::SenseKeySpecific;

use crate::wire::field::u8_at;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// RESPONSE CODE (byte 0 bits 6..0) is not 70h..73h: 7Fh (vendor-specific format) or a
    /// reserved value (often garbage from a transport that filled no sense).
    UnknownResponseCode(u8),
    /// The buffer ends before the SENSE KEY.
    Truncated {
        /// Bytes needed to reach the sense key.
        needed: usize,
        /// Bytes present.
        available: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::UnknownResponseCode(0x7f) => {
                f.write_str("vendor-specific sense data format (response code 0x7f)")
            }
            Error::UnknownResponseCode(c) => {
                write!(f, "not sense data: response code {c:#04x} is not 0x70..0x73")
            }
            Error::Truncated { needed, available } => write!(
                f,
                "truncated sense: {available} bytes present, the sense key needs {needed}"
            ),
        }
    }
}

impl core::error::Error for Error {}

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

/// Parses sense data from the bytes the transport returned (SPC-5 §4.4).
///
/// # Errors
/// [`Error::UnknownResponseCode`] for a response code other than 70h..73h in a buffer that
/// is not all zero; [`Error::Truncated`] when the buffer ends before the sense key (byte 2
/// in fixed format, byte 1 in descriptor format).
pub fn parse(buf: &[u8]) -> Result<Parsed<'_>, Error> {
    if buf.iter().all(|&b| b == 0) {
        return Ok(Parsed::NoSense);
    }
    let code = u8_at(buf, 0).unwrap_or(0) & 0x7f;
    let key_at = match code {
        0x70 | 0x71 => fixed::field::FLAGS_SENSE_KEY,
        0x72 | 0x73 => 1,
        _ => return Err(Error::UnknownResponseCode(code)),
    };
    if buf.len() <= key_at {
        return Err(Error::Truncated { needed: key_at + 1, available: buf.len() });
    }
    // Sense data ends at the ADDITIONAL SENSE LENGTH or the buffer, whichever is first.
    let announced = match u8_at(buf, 7) {
        Some(n) => usize::from(n) + 8,
        None => 8,
    };
    let s = buf.get(..announced.min(buf.len())).unwrap_or(buf);
    let sense = if code <= 0x71 {
        fixed::parse(s)
    } else {
        parse_descriptor_format(s, buf.len() < announced)
    };
    Ok(Parsed::Sense(Decoded { value: sense, announced, available: buf.len() }))
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
fn parse_descriptor_format(s: &[u8], buffer_ended: bool) -> Sense<'_> {
    let code = u8_at(s, 0).unwrap_or(0) & 0x7f;
    let sense_key = SenseKey(u8_at(s, 1).unwrap_or(0) & 0x0f);
    let descriptors = Descriptors::new(s.get(8..).unwrap_or(&[]), 8, sense_key, buffer_ended);
    let mut sense = Sense {
        response_code: code,
        format: SenseFormat::Descriptor,
        deferred: code == 0x73,
        sense_key,
        asc: u8_at(s, 2).unwrap_or(0),
        ascq: u8_at(s, 3).unwrap_or(0),
        sdat_ovfl: u8_at(s, 4).unwrap_or(0) & 0x80 != 0,
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
        match raw.decode() {
            Descriptor::Information { valid: true, information } => {
                sense.information.get_or_insert(information);
            }
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
                valid,
                ili,
                sksv,
                sense_key_specific,
                field_replaceable_unit_code,
                information,
                command_specific_information,
            } => {
                sense.ili |= ili;
                if valid {
                    sense.information.get_or_insert(information);
                }
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
    sense
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
