//! The SCSI wire layer: commands the driver sends and the responses a disk returns.
//!
//! This layer reports facts; it never decides what to do about them (that is the policy's
//! job) and it knows nothing of the characterization state machine.
//!
//! # The decoder contract
//!
//! Every response decoder follows the same shape (smoltcp's view/Repr split, httparse's
//! treatment of truncation):
//!
//! 1. It takes the bytes the device *actually transferred* (`&buf[..realized]`), never the
//!    allocation.
//! 2. If the buffer is shorter than the format's fixed header, it returns
//!    [`Error::Truncated`] with how many bytes the header needs.
//! 3. Otherwise it returns [`Decoded`]: the parsed struct plus the length the response
//!    announces for itself (its length field plus header) and the length that was present.
//!    A response cut short by a small allocation length is *not* an error: fields that lie
//!    beyond the present bytes are `None` (or lists simply stop), and
//!    [`Decoded::is_truncated`] says so, with [`Decoded::announced`] telling the caller what
//!    allocation length would get all of it.
//! 4. Code values the crate does not name are kept as data (open newtypes built with
//!    [`open_enum!`](crate::open_enum)), never rejected.
//! 5. No input makes a decoder panic or read outside the slice: fields are read with
//!    [`field`] helpers built on `slice::get`, and all offset arithmetic is checked.
//!
//! # The builder contract
//!
//! CDB builders ([`cdb`]) take typed arguments, refuse values that do not fit the CDB's
//! fields with a [`cdb::BuildError`] (never a silently wrapped field), and produce a
//! [`cdb::Command`]: the CDB bytes, the data direction and the expected transfer length.

pub mod ata_identify;
pub mod cdb;
pub mod field;
pub mod inquiry;
pub mod lba_status;
pub mod mode;
pub mod nvme;
#[cfg(feature = "serde")]
mod nvme_serde;
pub mod read_capacity;
pub mod report_luns;
pub mod smart;
pub mod status;
pub mod supported_opcodes;
pub mod vpd;

use core::fmt;

/// Why a response could not be decoded at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The buffer ends before the fixed header that every instance of the format has.
    #[error("truncated: {available} bytes present, the header needs {needed}")]
    Truncated {
        /// Bytes the header needs.
        needed: usize,
        /// Bytes that were present.
        available: usize,
    },
    /// The bytes are not an instance of this format; the string names what is wrong
    /// (for example "page code is not 0xB0" for a VPD decoder handed another page).
    #[error("malformed: {0}")]
    Malformed(&'static str),
}

/// A decoded response and how complete it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded<T> {
    /// What could be read.
    pub value: T,
    /// Total length the response announces for itself (length field plus the header bytes
    /// before it). For fixed-size responses, the fixed size.
    pub announced: usize,
    /// Bytes that were present and decoded from.
    pub available: usize,
}

impl<T> Decoded<T> {
    /// Whether the response announced more bytes than were present: fields past the end are
    /// absent, and a larger allocation length ([`Decoded::announced`]) would return them.
    pub fn is_truncated(&self) -> bool {
        self.available < self.announced
    }

    /// Maps the decoded value, keeping the lengths.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Decoded<U> {
        Decoded { value: f(self.value), announced: self.announced, available: self.available }
    }
}

/// The bytes of a command's data phase that are usable after it completed: the realized
/// count the transport reported, checked against the requested transfer length.
///
/// Returns `None` when the completion contradicts the command: more bytes realized than
/// requested, or any byte for a command without a data phase. Callers treat that as a
/// transport failure and read nothing; they never clamp, because a count that lies about
/// one thing may lie about the bytes too.
pub fn usable_length(direction: cdb::DataDirection, requested: u64, realized: u64) -> Option<u64> {
    match direction {
        cdb::DataDirection::None if realized != 0 => None,
        _ if realized > requested => None,
        _ => Some(realized),
    }
}

/// The realized byte count for a transport that reports a residual (iSCSI, SG_IO):
/// `requested - residual`. A residual larger than the request is a contradiction (`None`),
/// not an underflow.
pub fn realized_from_residual(requested: u64, residual: u64) -> Option<u64> {
    requested.checked_sub(residual)
}

/// A fixed-width ASCII field from a response (INQUIRY's vendor, product and revision, a unit
/// serial number), with the padding trimmed.
///
/// SPC-5 §4.3.1 says such fields are left-aligned and padded with spaces; real devices also
/// pad with NUL and sometimes lead with spaces, so both ends are trimmed of spaces and NULs.
/// The bytes are kept as they came: they need not be valid UTF-8 or even printable.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Ascii<'a>(&'a [u8]);

impl<'a> Ascii<'a> {
    /// Wraps `bytes`, trimming leading and trailing spaces and NULs.
    pub fn trimmed(bytes: &'a [u8]) -> Self {
        let (start, end) = unpadded(bytes);
        Ascii(bytes.get(start..end).unwrap_or(&[]))
    }

    /// The trimmed bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The trimmed text if it is all printable ASCII.
    pub fn as_str(&self) -> Option<&'a str> {
        if self.0.iter().all(|c| (0x20..0x7f).contains(c)) {
            core::str::from_utf8(self.0).ok()
        } else {
            None
        }
    }

    /// Whether nothing is left after trimming.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Printable ASCII as is; any other byte as `\xNN`, so the output is always one safe line.
impl fmt::Display for Ascii<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &c in self.0 {
            if (0x20..0x7f).contains(&c) && c != b'\\' {
                write!(f, "{}", c as char)?;
            } else {
                write!(f, "\\x{c:02x}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Ascii<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// A field of a one-line summary: the value, or `?` when the response did not reach it.
pub(crate) fn or_question_mark<T: fmt::Display>(v: &Option<T>) -> &dyn fmt::Display {
    match v {
        Some(v) => v,
        None => &"?",
    }
}

/// The bounds of `bytes` without leading and trailing spaces and NULs.
fn unpadded(bytes: &[u8]) -> (usize, usize) {
    let pad = |c: &u8| *c == b' ' || *c == 0;
    let start = bytes.iter().position(|c| !pad(c)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|c| !pad(c)).map_or(start, |i| i + 1);
    (start, end)
}

/// [`Ascii`] as owned data: an `N`-byte field copied out of a response so a decoded structure
/// needs no borrow (ATA IDENTIFY's strings after their word swap, NVMe Identify's SN, MN and
/// FR). Trimmed, compared and shown exactly as [`Ascii`].
#[derive(Clone, Copy)]
pub struct AsciiField<const N: usize> {
    buf: [u8; N],
    start: usize,
    end: usize,
}

impl<const N: usize> AsciiField<N> {
    /// Takes the field's bytes in reading order, trimming spaces and NULs at both ends.
    pub fn trimmed(buf: [u8; N]) -> Self {
        let (start, end) = unpadded(&buf);
        AsciiField { buf, start, end }
    }

    /// The field as a borrowed [`Ascii`].
    pub fn as_ascii(&self) -> Ascii<'_> {
        Ascii(self.buf.get(self.start..self.end).unwrap_or(&[]))
    }

    /// The trimmed bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.as_ascii().0
    }

    /// The trimmed text if it is all printable ASCII.
    pub fn as_str(&self) -> Option<&str> {
        self.as_ascii().as_str()
    }
}

impl<const N: usize> PartialEq for AsciiField<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl<const N: usize> Eq for AsciiField<N> {}

/// As [`Ascii`]: printable ASCII as is, any other byte as `\xNN`.
impl<const N: usize> fmt::Display for AsciiField<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_ascii(), f)
    }
}

impl<const N: usize> fmt::Debug for AsciiField<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_ascii(), f)
    }
}

/// The trimmed text (non-printable bytes as `\xNN`), without allocating.
#[cfg(feature = "serde")]
impl<const N: usize> serde::Serialize for AsciiField<N> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Defines an open code space: a newtype over an integer with a named constant per value the
/// spec assigns, a `name()` for those values, and `Debug` that prints the name or the number
/// in hex, and `Display` that prints the name or just the number (`0x77`). Unknown values
/// round-trip as data (see the module doc, rule 4).
///
/// With the `serde` feature of this crate, the type is also `Serialize`: the name string
/// when the crate names the value, else the number (`"GOOD"`, `119`).
///
/// ```
/// sbc_core::open_enum! {
///     /// SAM-5 status codes.
///     pub struct Status(u8) {
///         /// The command completed.
///         GOOD = 0x00 => "GOOD",
///         CHECK_CONDITION = 0x02 => "CHECK CONDITION",
///     }
/// }
/// assert_eq!(Status(0x02), Status::CHECK_CONDITION);
/// assert_eq!(Status::GOOD.name(), Some("GOOD"));
/// assert_eq!(format!("{:?}", Status(0x77)), "Status(0x77)");
/// assert_eq!(Status(0x77).to_string(), "0x77");
/// assert_eq!(Status::GOOD.to_string(), "GOOD");
/// # #[cfg(feature = "serde")]
/// # {
/// assert_eq!(serde_json::to_value(Status::GOOD).unwrap(), "GOOD");
/// assert_eq!(serde_json::to_value(Status(0x77)).unwrap(), 0x77);
/// # }
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($ty:ty) {
            $( $(#[$vmeta:meta])* $konst:ident = $value:expr => $text:expr, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis struct $name(pub $ty);

        #[allow(missing_docs)]
        impl $name {
            $( $(#[$vmeta])* pub const $konst: Self = Self($value); )*

            /// The spec's name for this value, or `None` for a value this crate does not name
            /// (reserved, vendor-specific, or newer than the crate).
            pub const fn name(self) -> Option<&'static str> {
                $( if self.0 == $value { return Some($text); } )*
                None
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{}({:#04x})", stringify!($name), self.0),
                }
            }
        }

        /// The spec's name, or the value in hex (`0x7e`) when this crate does not name it.
        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{:#04x}", self.0),
                }
            }
        }

        $crate::__open_enum_serde!($name);

        impl From<$ty> for $name {
            fn from(value: $ty) -> Self {
                Self(value)
            }
        }

        impl From<$name> for $ty {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

/// `serde` as the macros of this crate see it, whatever the caller's dependencies are.
#[cfg(feature = "serde")]
#[doc(hidden)]
pub use serde as __serde;

/// The `Serialize` half of [`open_enum!`](crate::open_enum): the name when the value is
/// named, else the number. Defined by this crate's `serde` feature, not the caller's, so the
/// macro means the same thing wherever it is expanded.
#[cfg(feature = "serde")]
#[doc(hidden)]
#[macro_export]
macro_rules! __open_enum_serde {
    ($name:ident) => {
        impl $crate::wire::__serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::wire::__serde::Serializer,
            {
                match self.name() {
                    ::core::option::Option::Some(name) => serializer.serialize_str(name),
                    ::core::option::Option::None => {
                        $crate::wire::__serde::Serialize::serialize(&self.0, serializer)
                    }
                }
            }
        }
    };
}

/// Without the `serde` feature, [`open_enum!`](crate::open_enum) types are not `Serialize`.
#[cfg(not(feature = "serde"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __open_enum_serde {
    ($name:ident) => {};
}

open_enum! {
    /// Peripheral device type, INQUIRY byte 0 bits 4..0 (SPC-5 §6.7.2, table 150).
    pub struct PeripheralDeviceType(u8) {
        /// Direct access block device (SBC-4): the type this driver serves.
        DIRECT_ACCESS_BLOCK = 0x00 => "direct access block device",
        SEQUENTIAL_ACCESS = 0x01 => "sequential access device",
        PRINTER = 0x02 => "printer",
        PROCESSOR = 0x03 => "processor",
        WRITE_ONCE = 0x04 => "write-once device",
        CD_DVD = 0x05 => "CD/DVD device",
        OPTICAL_MEMORY = 0x07 => "optical memory device",
        MEDIUM_CHANGER = 0x08 => "medium changer",
        STORAGE_ARRAY_CONTROLLER = 0x0C => "storage array controller",
        ENCLOSURE_SERVICES = 0x0D => "enclosure services device",
        SIMPLIFIED_DIRECT_ACCESS = 0x0E => "simplified direct access device",
        OPTICAL_CARD = 0x0F => "optical card reader/writer",
        OBJECT_BASED_STORAGE = 0x11 => "object-based storage device",
        AUTOMATION_DRIVE_INTERFACE = 0x12 => "automation/drive interface",
        HOST_MANAGED_ZONED_BLOCK = 0x14 => "host managed zoned block device",
        WELL_KNOWN_LU = 0x1E => "well known logical unit",
        UNKNOWN_OR_NO_DEVICE = 0x1F => "unknown or no device type",
    }
}
