//! REPORT SUPPORTED OPERATION CODES parameter data (SPC-5 §6.35): the all-commands form
//! (REPORTING OPTIONS 000b, §6.35.3) and the one-command form (001b..011b, §6.35.4), with
//! the optional command timeouts descriptor (§6.35.5).

use super::field::{be16_at, be32_at, bytes_at, u8_at};
use super::{Decoded, Error};

mod field {
    //! Byte offsets, SPC-5 tables "All_commands parameter data", "Command descriptor
    //! format", "One_command parameter data" and "Command timeouts descriptor format".
    pub const COMMAND_DATA_LENGTH: usize = 0; // 4 bytes, counts from byte 4
    pub const ALL_HEADER_LEN: usize = 4;

    pub const CD_OPERATION_CODE: usize = 0;
    pub const CD_SERVICE_ACTION: usize = 2; // 2 bytes
    pub const CD_FLAGS: usize = 5; // bits 5..4 MLU, 1 CTDP, 0 SERVACTV
    pub const CD_CDB_LENGTH: usize = 6; // 2 bytes
    pub const CD_LEN: usize = 8;
    pub const CD_TIMEOUTS: usize = 8;

    pub const ONE_FLAGS: usize = 1; // bit 7 CTDP, bits 4..3 MLU, bits 2..0 SUPPORT
    pub const ONE_CDB_SIZE: usize = 2; // 2 bytes
    pub const ONE_CDB_USAGE_DATA: usize = 4;
    pub const ONE_HEADER_LEN: usize = 4;

    pub const TD_DESCRIPTOR_LENGTH: usize = 0; // 2 bytes, 000Ah
    pub const TD_COMMAND_SPECIFIC: usize = 3;
    pub const TD_NOMINAL: usize = 4; // 4 bytes, seconds
    pub const TD_RECOMMENDED: usize = 8; // 4 bytes, seconds
    pub const TD_LEN: usize = 12;
}

/// Command timeouts descriptor (SPC-5 §6.35.5, table "Command timeouts descriptor format").
///
/// ```text
///  0..=1  DESCRIPTOR LENGTH (000Ah)
///  2      reserved
///  3      COMMAND SPECIFIC
///  4..=7  NOMINAL COMMAND PROCESSING TIMEOUT (seconds)
///  8..=11 RECOMMENDED COMMAND TIMEOUT (seconds)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandTimeouts {
    /// DESCRIPTOR LENGTH as sent (10 from a conforming device).
    pub descriptor_length: u16,
    /// COMMAND SPECIFIC.
    pub command_specific: u8,
    /// NOMINAL COMMAND PROCESSING TIMEOUT in seconds (0 = not specified).
    pub nominal_command_processing_timeout: u32,
    /// RECOMMENDED COMMAND TIMEOUT in seconds (0 = not specified).
    pub recommended_command_timeout: u32,
}

impl CommandTimeouts {
    fn parse(buf: &[u8]) -> Option<Self> {
        Some(CommandTimeouts {
            descriptor_length: be16_at(buf, field::TD_DESCRIPTOR_LENGTH)?,
            command_specific: u8_at(buf, field::TD_COMMAND_SPECIFIC)?,
            nominal_command_processing_timeout: be32_at(buf, field::TD_NOMINAL)?,
            recommended_command_timeout: be32_at(buf, field::TD_RECOMMENDED)?,
        })
    }
}

/// The all-commands form of REPORT SUPPORTED OPERATION CODES parameter data
/// (SPC-5 §6.35.3).
///
/// ```text
///  0..=3  COMMAND DATA LENGTH (n - 3)
///  4..    command descriptors, 8 bytes each, 20 when CTDP = 1
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllCommands<'a> {
    /// COMMAND DATA LENGTH as sent.
    pub command_data_length: u32,
    list: &'a [u8],
}

impl<'a> AllCommands<'a> {
    /// Decodes the header and frames the descriptor list; `announced` is COMMAND DATA
    /// LENGTH + 4.
    ///
    /// # Errors
    /// [`Error::Truncated`] when fewer than 4 bytes are present.
    pub fn parse(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        let Some(len) = be32_at(buf, field::COMMAND_DATA_LENGTH) else {
            return Err(Error::Truncated { needed: field::ALL_HEADER_LEN, available: buf.len() });
        };
        let announced = usize::try_from(len).unwrap_or(usize::MAX).saturating_add(4);
        let list = buf.get(field::ALL_HEADER_LEN..announced.min(buf.len())).unwrap_or(&[]);
        Ok(Decoded {
            value: AllCommands { command_data_length: len, list },
            announced,
            available: buf.len(),
        })
    }

    /// The complete command descriptors present, in order.
    pub fn commands(&self) -> CommandDescriptors<'a> {
        CommandDescriptors { rest: self.list }
    }

    /// Whether the list reports `operation_code` (with `service_action`, which only counts
    /// for descriptors with SERVACTV = 1: for a command without service actions pass
    /// `None`; `Some(sa)` matches only a descriptor with SERVACTV = 1 and that action).
    pub fn is_supported(&self, operation_code: u8, service_action: Option<u16>) -> bool {
        self.commands()
            .any(|c| c.operation_code == operation_code && c.service_action() == service_action)
    }
}

/// One command descriptor of the all-commands form (SPC-5 §6.35.3, table "Command
/// descriptor format").
///
/// ```text
///  byte   7     6     5     4     3     2     1      0
///  0      OPERATION CODE
///  1      reserved
///  2..=3  SERVICE ACTION
///  4      reserved
///  5      reserved  |    MLU    |  reserved  | CTDP | SERVACTV
///  6..=7  CDB LENGTH
///  8..=19 command timeouts descriptor, if CTDP = 1
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandDescriptor {
    /// OPERATION CODE.
    pub operation_code: u8,
    /// SERVICE ACTION field as sent (meaningful only when `servactv`).
    pub service_action_field: u16,
    /// SERVACTV: the command has service actions and SERVICE ACTION is valid.
    pub servactv: bool,
    /// CTDP: a command timeouts descriptor follows.
    pub ctdp: bool,
    /// MLU (2 bits, SPC-5): multiple logical units affected.
    pub mlu: u8,
    /// CDB LENGTH.
    pub cdb_length: u16,
    /// The command timeouts descriptor, when CTDP = 1.
    pub timeouts: Option<CommandTimeouts>,
}

impl CommandDescriptor {
    /// The service action when SERVACTV = 1.
    pub fn service_action(&self) -> Option<u16> {
        self.servactv.then_some(self.service_action_field)
    }
}

/// Iterator over the complete [`CommandDescriptor`]s; stops at the first one cut short.
#[derive(Debug, Clone)]
pub struct CommandDescriptors<'a> {
    rest: &'a [u8],
}

impl CommandDescriptors<'_> {
    /// Whether bytes that do not form a complete descriptor remain.
    pub fn stopped_short(&self) -> bool {
        !self.rest.is_empty()
    }
}

impl Iterator for CommandDescriptors<'_> {
    type Item = CommandDescriptor;

    fn next(&mut self) -> Option<CommandDescriptor> {
        let d = bytes_at(self.rest, 0, field::CD_LEN)?;
        let flags = u8_at(d, field::CD_FLAGS)?;
        let ctdp = flags & 0x02 != 0;
        let size = if ctdp { field::CD_LEN + field::TD_LEN } else { field::CD_LEN };
        let whole = bytes_at(self.rest, 0, size)?;
        let timeouts = if ctdp {
            Some(CommandTimeouts::parse(whole.get(field::CD_TIMEOUTS..)?)?)
        } else {
            None
        };
        let item = CommandDescriptor {
            operation_code: u8_at(d, field::CD_OPERATION_CODE)?,
            service_action_field: be16_at(d, field::CD_SERVICE_ACTION)?,
            servactv: flags & 0x01 != 0,
            ctdp,
            mlu: flags >> 4 & 0x3,
            cdb_length: be16_at(d, field::CD_CDB_LENGTH)?,
            timeouts,
        };
        self.rest = self.rest.get(size..).unwrap_or(&[]);
        Some(item)
    }
}

crate::open_enum! {
    /// SUPPORT, one-command parameter data byte 1 bits 2..0 (SPC-5 §6.35.4, table "SUPPORT
    /// field").
    pub struct Support(u8) {
        /// Data about the command is not currently available.
        NOT_AVAILABLE = 0 => "data not currently available",
        NOT_SUPPORTED = 1 => "not supported",
        /// Supported in conformance with a SCSI standard.
        SUPPORTED_STANDARD = 3 => "supported in conformance with a SCSI standard",
        /// Supported in a vendor-specific manner.
        SUPPORTED_VENDOR_SPECIFIC = 5 => "supported in a vendor specific manner",
    }
}

impl Support {
    /// Whether the value says the command is supported (011b or 101b).
    pub fn is_supported(self) -> bool {
        self == Self::SUPPORTED_STANDARD || self == Self::SUPPORTED_VENDOR_SPECIFIC
    }
}

/// The one-command form of REPORT SUPPORTED OPERATION CODES parameter data
/// (SPC-5 §6.35.4, table "One_command parameter data").
///
/// ```text
///  byte     7     6     5     4     3     2     1     0
///  0       reserved
///  1       CTDP | reserved  |    MLU    |     SUPPORT
///  2..=3   CDB SIZE (n - 3)
///  4..=n   CDB USAGE DATA (opcode, then a bit mask of usable CDB bits)
///  n+1..   command timeouts descriptor (12 bytes), if CTDP = 1
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneCommand<'a> {
    /// CTDP: a command timeouts descriptor follows the CDB usage data.
    pub ctdp: bool,
    /// MLU (2 bits, SPC-5).
    pub mlu: u8,
    /// SUPPORT.
    pub support: Support,
    /// CDB SIZE as sent.
    pub cdb_size: u16,
    /// CDB USAGE DATA present (shorter than `cdb_size` when cut short).
    pub cdb_usage_data: &'a [u8],
    /// The command timeouts descriptor, when CTDP = 1 and it was present.
    pub timeouts: Option<CommandTimeouts>,
}

impl<'a> OneCommand<'a> {
    /// Decodes one-command parameter data; `announced` is 4 + CDB SIZE, plus 12 when CTDP = 1.
    ///
    /// # Errors
    /// [`Error::Truncated`] when fewer than 4 bytes are present.
    pub fn parse(buf: &'a [u8]) -> Result<Decoded<Self>, Error> {
        let (Some(flags), Some(cdb_size)) =
            (u8_at(buf, field::ONE_FLAGS), be16_at(buf, field::ONE_CDB_SIZE))
        else {
            return Err(Error::Truncated { needed: field::ONE_HEADER_LEN, available: buf.len() });
        };
        let ctdp = flags & 0x80 != 0;
        let usage_end = field::ONE_CDB_USAGE_DATA + usize::from(cdb_size);
        let announced = if ctdp { usage_end + field::TD_LEN } else { usage_end };
        let cdb_usage_data =
            buf.get(field::ONE_CDB_USAGE_DATA..usage_end.min(buf.len())).unwrap_or(&[]);
        let timeouts =
            if ctdp { buf.get(usage_end..).and_then(CommandTimeouts::parse) } else { None };
        Ok(Decoded {
            value: OneCommand {
                ctdp,
                mlu: flags >> 3 & 0x3,
                support: Support(flags & 0x7),
                cdb_size,
                cdb_usage_data,
                timeouts,
            },
            announced,
            available: buf.len(),
        })
    }

    /// The operation code the usage data describes (its first byte).
    pub fn operation_code(&self) -> Option<u8> {
        self.cdb_usage_data.first().copied()
    }
}
