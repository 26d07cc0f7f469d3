//! ATA PASS-THROUGH(12) and (16) (SAT-4): an ATA command carried in a
//! SCSI CDB, which a SCSI/ATA translation layer (a USB or SAS bridge) hands to the drive.
//!
//! Direction and transfer length are not CDB fields: SAT-4 derives them from PROTOCOL, T_DIR,
//! T_LENGTH, BYTE_BLOCK and T_TYPE (table "Mapping of BYTE_BLOCK, T_TYPE, and T_LENGTH"):
//!
//! | T_LENGTH | length is in | | BYTE_BLOCK | T_TYPE | unit |
//! |---|---|---|---|---|---|
//! | 00b | no data | | 0 | any | bytes |
//! | 01b | FEATURES | | 1 | 0 | 512-byte blocks |
//! | 10b | COUNT | | 1 | 1 | logical sectors (`block_length`) |
//! | 11b | the transport's STPSIU | | | | |
//!
//! The builders refuse what cannot be turned into a definite data phase, rather than
//! guess: T_LENGTH 11b (the length lives outside the CDB), a data protocol with no length or
//! a non-data protocol with one, a T_DIR that contradicts a PIO or UDMA protocol, a
//! reserved PROTOCOL, and a length field of 0 (ATA reads a sector count of 0 as 256 or 65 536
//! sectors, SAT as no data: ambiguous).

use super::decode::{be16, Bytes, CdbDecodeError};
use super::{bit, block_bytes, fits, BuildError, Cdb, Command, DataDirection, Opcode};

crate::open_enum! {
    /// PROTOCOL of ATA PASS-THROUGH (SAT-4, table "PROTOCOL field"), 4 bits.
    pub struct AtaProtocol(u8) {
        HARDWARE_RESET = 0x0 => "ATA hardware reset",
        SOFTWARE_RESET = 0x1 => "software reset",
        NON_DATA = 0x3 => "non-data",
        PIO_DATA_IN = 0x4 => "PIO data-in",
        PIO_DATA_OUT = 0x5 => "PIO data-out",
        DMA = 0x6 => "DMA",
        EXECUTE_DEVICE_DIAGNOSTIC = 0x8 => "execute device diagnostic",
        DEVICE_RESET = 0x9 => "non-data command and device reset",
        UDMA_DATA_IN = 0xA => "UDMA data in",
        UDMA_DATA_OUT = 0xB => "UDMA data out",
        FPDMA = 0xC => "NCQ (FPDMA)",
        RETURN_RESPONSE_INFORMATION = 0xF => "return response information",
    }
}

/// What a protocol implies for the data phase.
enum Flow {
    NoData,
    In,
    Out,
    /// DMA and FPDMA: the direction is T_DIR's.
    EitherWay,
}

fn flow(protocol: AtaProtocol) -> Result<Flow, BuildError> {
    match protocol.0 {
        0x0 | 0x1 | 0x3 | 0x8 | 0x9 | 0xF => Ok(Flow::NoData),
        0x4 | 0xA => Ok(Flow::In),
        0x5 | 0xB => Ok(Flow::Out),
        0x6 | 0xC => Ok(Flow::EitherWay),
        0x10.. => {
            Err(BuildError::OutOfRange { field: "PROTOCOL", value: protocol.0.into(), max: 0xF })
        }
        _ => Err(BuildError::Invalid("reserved ATA PASS-THROUGH PROTOCOL")),
    }
}

/// The fields both forms share, checked, with the derived data phase.
#[derive(Clone, Copy)]
struct Common {
    protocol: AtaProtocol,
    multiple_count: u8,
    off_line: u8,
    ck_cond: bool,
    t_type: bool,
    t_dir: bool,
    byte_block: bool,
    t_length: u8,
    features: u16,
    count: u16,
    block_length: u32,
}

impl Common {
    /// Byte 1 without EXTEND, byte 2, direction and transfer length in bytes.
    fn encode(&self) -> Result<(u8, u8, DataDirection, u64), BuildError> {
        fits("MULTIPLE_COUNT", self.multiple_count.into(), 7)?;
        fits("OFF_LINE", self.off_line.into(), 3)?;
        fits("T_LENGTH", self.t_length.into(), 3)?;
        let flow = flow(self.protocol)?;
        let units = match self.t_length {
            0 => 0,
            1 => self.features,
            2 => self.count,
            _ => return Err(BuildError::Invalid("T_LENGTH 11b: the length is in the STPSIU")),
        };
        let direction = match (flow, self.t_length, self.t_dir) {
            (Flow::NoData, 0, _) => DataDirection::None,
            (Flow::NoData, _, _) => {
                return Err(BuildError::Invalid("non-data ATA protocol with a T_LENGTH"))
            }
            (_, 0, _) => return Err(BuildError::Invalid("ATA data protocol with T_LENGTH 00b")),
            (Flow::In, _, true) | (Flow::EitherWay, _, true) => DataDirection::In,
            (Flow::Out, _, false) | (Flow::EitherWay, _, false) => DataDirection::Out,
            (Flow::In, _, false) | (Flow::Out, _, true) => {
                return Err(BuildError::Invalid("T_DIR contradicts the ATA PROTOCOL"))
            }
        };
        if direction != DataDirection::None && units == 0 {
            return Err(BuildError::Invalid(
                "ATA transfer length field is 0: 256/65536 sectors to ATA, no data to SAT",
            ));
        }
        let bytes = match (self.byte_block, self.t_type) {
            (false, _) => u64::from(units),
            (true, false) => u64::from(units) * 512,
            (true, true) => block_bytes(units.into(), self.block_length)?,
        };
        let byte1 = self.multiple_count << 5 | (self.protocol.0 & 0x0F) << 1;
        let byte2 = self.off_line << 6
            | bit(self.ck_cond, 5)
            | bit(self.t_type, 4)
            | bit(self.t_dir, 3)
            | bit(self.byte_block, 2)
            | self.t_length;
        Ok((byte1, byte2, direction, bytes))
    }

    fn parse(b: &Bytes, features: u16, count: u16, block_length: u32) -> Self {
        Common {
            protocol: AtaProtocol((b[1] >> 1) & 0x0F),
            multiple_count: b[1] >> 5,
            off_line: b[2] >> 6,
            ck_cond: b[2] & 0x20 != 0,
            t_type: b[2] & 0x10 != 0,
            t_dir: b[2] & 0x08 != 0,
            byte_block: b[2] & 0x04 != 0,
            t_length: b[2] & 0x03,
            features,
            count,
            block_length,
        }
    }
}

macro_rules! ata_common_fields {
    ($(#[$meta:meta])* pub struct $name:ident { $($extra:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name {
            /// PROTOCOL, 4 bits.
            pub protocol: AtaProtocol,
            $($extra)*
            /// MULTIPLE_COUNT, 3 bits: log2 of sectors per DRQ block for READ/WRITE MULTIPLE.
            pub multiple_count: u8,
            /// OFF_LINE, 2 bits: seconds (0, 2, 6, 14) the ATA status may be invalid.
            pub off_line: u8,
            /// CK_COND: return the ATA registers in sense data even on success.
            pub ck_cond: bool,
            /// T_TYPE: with BYTE_BLOCK, the unit is the logical sector (true) or 512 bytes.
            pub t_type: bool,
            /// T_DIR: true = from the ATA device (data-in), false = to it (data-out).
            pub t_dir: bool,
            /// BYTE_BLOCK: the length counts blocks (true) or bytes (false).
            pub byte_block: bool,
            /// T_LENGTH, 2 bits: 00b no data, 01b in FEATURES, 10b in COUNT, 11b in STPSIU.
            pub t_length: u8,
            /// FEATURES register (16 bits with EXTEND, else 8).
            pub features: u16,
            /// COUNT register (16 bits with EXTEND, else 8).
            pub count: u16,
            /// LBA register (48 bits with EXTEND, else 24; LBA 27:24 of a 28-bit command go in
            /// `device`).
            pub lba: u64,
            /// DEVICE register.
            pub device: u8,
            /// COMMAND register: the ATA opcode (ECh IDENTIFY DEVICE, B0h SMART, ...).
            pub command: u8,
            /// Logical sector length in bytes (not in the CDB), the unit when BYTE_BLOCK and
            /// T_TYPE are both set.
            pub block_length: u32,
        }

        impl $name {
            fn common(&self) -> Common {
                Common {
                    protocol: self.protocol,
                    multiple_count: self.multiple_count,
                    off_line: self.off_line,
                    ck_cond: self.ck_cond,
                    t_type: self.t_type,
                    t_dir: self.t_dir,
                    byte_block: self.byte_block,
                    t_length: self.t_length,
                    features: self.features,
                    count: self.count,
                    block_length: self.block_length,
                }
            }
        }
    };
}

ata_common_fields! {
    /// ATA PASS-THROUGH(16) (SAT-4 table "ATA PASS-THROUGH(16) command").
    ///
    /// ```text
    ///        7   6   5   4   3   2   1   0
    ///  0  OPERATION CODE (85h)
    ///  1  |MULTIPLE_COUNT|   PROTOCOL    |EXTEND|
    ///  2  |OFF_LINE|CK_COND|T_TYPE|T_DIR|BYTE_BLOCK|T_LENGTH|
    ///  3  FEATURES (15:8)        4  FEATURES (7:0)
    ///  5  COUNT (15:8)           6  COUNT (7:0)
    ///  7  LBA (31:24)            8  LBA (7:0)
    ///  9  LBA (39:32)           10  LBA (15:8)
    ///  11 LBA (47:40)           12  LBA (23:16)
    ///  13 DEVICE                14  COMMAND
    ///  15 CONTROL
    /// ```
    ///
    /// Without EXTEND the (15:8) bytes and LBA (47:24) are not sent (SAT-4: the SATL ignores
    /// them), so the builder refuses values that need them and the decoder ignores them.
    pub struct AtaPassThrough16 {
        /// EXTEND: a 48-bit command (16-bit FEATURES and COUNT, 48-bit LBA).
        pub extend: bool,
    }
}

impl AtaPassThrough16 {
    /// The 16-byte CDB, with the data phase derived as the module doc describes.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for a field wider than its bits (FEATURES/COUNT above FFh
    /// or LBA above FF_FFFFh without EXTEND, LBA above 48 bits with it);
    /// [`BuildError::Invalid`] for the combinations in the module doc.
    pub fn encode(&self) -> Result<Command, BuildError> {
        let (max8or16, max_lba) = if self.extend {
            (u64::from(u16::MAX), 0xFFFF_FFFF_FFFF)
        } else {
            (u64::from(u8::MAX), 0xFF_FFFF)
        };
        fits("FEATURES", self.features.into(), max8or16)?;
        fits("COUNT", self.count.into(), max8or16)?;
        fits("LBA", self.lba, max_lba)?;
        let (byte1, byte2, direction, bytes) = self.common().encode()?;
        let [f1, f0] = self.features.to_be_bytes();
        let [c1, c0] = self.count.to_be_bytes();
        let [_, _, l5, l4, l3, l2, l1, l0] = self.lba.to_be_bytes();
        let cdb = Cdb::from_array([
            Opcode::ATA_PASS_THROUGH_16.0,
            byte1 | bit(self.extend, 0),
            byte2,
            f1,
            f0,
            c1,
            c0,
            l3,
            l0,
            l4,
            l1,
            l5,
            l2,
            self.device,
            self.command,
            0,
        ]);
        Ok(Command::new(cdb, direction, bytes))
    }

    pub(crate) fn parse(b: &Bytes, block_length: u32) -> Result<Self, CdbDecodeError> {
        let extend = b[1] & 1 != 0;
        let (features, count, lba) = if extend {
            let lba = u64::from_be_bytes([0, 0, b[11], b[9], b[7], b[12], b[10], b[8]]);
            (be16(b, 3), be16(b, 5), lba)
        } else {
            (b[4].into(), b[6].into(), u64::from_be_bytes([0, 0, 0, 0, 0, b[12], b[10], b[8]]))
        };
        let c = Common::parse(b, features, count, block_length);
        Ok(AtaPassThrough16 {
            protocol: c.protocol,
            extend,
            multiple_count: c.multiple_count,
            off_line: c.off_line,
            ck_cond: c.ck_cond,
            t_type: c.t_type,
            t_dir: c.t_dir,
            byte_block: c.byte_block,
            t_length: c.t_length,
            features,
            count,
            lba,
            device: b[13],
            command: b[14],
            block_length,
        })
    }
}

ata_common_fields! {
    /// ATA PASS-THROUGH(12) (SAT-4 table "ATA PASS-THROUGH(12) command"): 28-bit
    /// commands only.
    ///
    /// ```text
    ///        7   6   5   4   3   2   1   0
    ///  0  OPERATION CODE (A1h)
    ///  1  |MULTIPLE_COUNT|   PROTOCOL    |rsvd|
    ///  2  |OFF_LINE|CK_COND|T_TYPE|T_DIR|BYTE_BLOCK|T_LENGTH|
    ///  3  FEATURES (7:0)
    ///  4  COUNT (7:0)
    ///  5  LBA (7:0)
    ///  6  LBA (15:8)
    ///  7  LBA (23:16)
    ///  8  DEVICE
    ///  9  COMMAND
    ///  10 reserved
    ///  11 CONTROL
    /// ```
    ///
    /// Anything that needs a 48-bit register (FEATURES or COUNT above FFh, LBA above
    /// FF_FFFFh) is refused: use [`AtaPassThrough16`] with EXTEND.
    pub struct AtaPassThrough12 {}
}

impl AtaPassThrough12 {
    /// The 12-byte CDB, with the data phase derived as the module doc describes.
    ///
    /// # Errors
    /// [`BuildError::OutOfRange`] for FEATURES or COUNT above FFh or LBA above FF_FFFFh;
    /// [`BuildError::Invalid`] for the combinations in the module doc.
    pub fn encode(&self) -> Result<Command, BuildError> {
        fits("FEATURES", self.features.into(), u8::MAX.into())?;
        fits("COUNT", self.count.into(), u8::MAX.into())?;
        fits("LBA", self.lba, 0xFF_FFFF)?;
        let (byte1, byte2, direction, bytes) = self.common().encode()?;
        let [_, _, _, _, _, l2, l1, l0] = self.lba.to_be_bytes();
        let cdb = Cdb::from_array([
            Opcode::ATA_PASS_THROUGH_12.0,
            byte1,
            byte2,
            self.features as u8,
            self.count as u8,
            l0,
            l1,
            l2,
            self.device,
            self.command,
            0,
            0,
        ]);
        Ok(Command::new(cdb, direction, bytes))
    }

    pub(crate) fn parse(b: &Bytes, block_length: u32) -> Result<Self, CdbDecodeError> {
        let c = Common::parse(b, b[3].into(), b[4].into(), block_length);
        Ok(AtaPassThrough12 {
            protocol: c.protocol,
            multiple_count: c.multiple_count,
            off_line: c.off_line,
            ck_cond: c.ck_cond,
            t_type: c.t_type,
            t_dir: c.t_dir,
            byte_block: c.byte_block,
            t_length: c.t_length,
            features: c.features,
            count: c.count,
            lba: u64::from_be_bytes([0, 0, 0, 0, 0, b[7], b[6], b[5]]),
            device: b[8],
            command: b[9],
            block_length,
        })
    }
}
