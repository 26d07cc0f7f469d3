//! The (SENSE KEY, ASC, ASCQ) triple that names a condition: what a policy decides on and
//! what reports, warnings and refusals carry.
//!
//! The one invariant, enforced here and nowhere else: a sense key is four bits (SPC-5
//! §4.4.2, fixed format byte 2 bits 3..0; descriptor format byte 1 bits 3..0). A code can
//! only be made through [`SenseCode::new`] (or from decoded [`Sense`]), which masks, so no
//! consumer re-masks.

use core::fmt;

use super::{Sense, SenseKey};

/// SENSE KEY, ADDITIONAL SENSE CODE and ADDITIONAL SENSE CODE QUALIFIER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SenseCode {
    sense_key: SenseKey,
    asc: u8,
    ascq: u8,
}

impl SenseCode {
    /// A code; the sense key is cut to its four bits.
    pub const fn new(sense_key: SenseKey, asc: u8, ascq: u8) -> Self {
        SenseCode { sense_key: SenseKey(sense_key.0 & 0x0f), asc, ascq }
    }

    /// The code of decoded sense data.
    pub const fn of(sense: &Sense<'_>) -> Self {
        Self::new(sense.sense_key, sense.asc, sense.ascq)
    }

    /// SENSE KEY (0h..Fh).
    pub const fn sense_key(&self) -> SenseKey {
        self.sense_key
    }

    /// ADDITIONAL SENSE CODE.
    pub const fn asc(&self) -> u8 {
        self.asc
    }

    /// ADDITIONAL SENSE CODE QUALIFIER.
    pub const fn ascq(&self) -> u8 {
        self.ascq
    }
}

/// `NOT READY 04/01`; an unnamed key as `sense key 0xc 00/00`. The ASC/ASCQ text is
/// [`describe`](super::describe)`(asc, ascq)`.
impl fmt::Display for SenseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sense_key.name() {
            Some(n) => f.write_str(n)?,
            None => write!(f, "sense key {:#x}", self.sense_key.0)?,
        }
        write!(f, " {:02X}/{:02X}", self.asc, self.ascq)
    }
}

/// `{"sense_key": "NOT READY", "asc": 4, "ascq": 1, "text": "Logical unit is in process of
/// becoming ready"}`: the key's name (its number when the crate does not name it), ASC and
/// ASCQ as numbers, and the T10 text of the pair ([`describe`](super::describe)).
#[cfg(feature = "serde")]
impl serde::Serialize for SenseCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;

        /// The T10 text, streamed through `collect_str` (no allocation).
        struct Text(u8, u8);
        impl serde::Serialize for Text {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&super::describe(self.0, self.1))
            }
        }

        let mut s = serializer.serialize_struct("SenseCode", 4)?;
        s.serialize_field("sense_key", &self.sense_key)?;
        s.serialize_field("asc", &self.asc)?;
        s.serialize_field("ascq", &self.ascq)?;
        s.serialize_field("text", &Text(self.asc, self.ascq))?;
        s.end()
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use std::string::ToString;

    #[test]
    fn test_sense_key_is_four_bits_by_construction() {
        for key in 0..=u8::MAX {
            assert!(SenseCode::new(SenseKey(key), 0, 0).sense_key().0 <= 0x0f);
        }
        assert_eq!(SenseCode::new(SenseKey(0x12), 4, 2).sense_key(), SenseKey::NOT_READY);
    }

    #[test]
    fn test_display() {
        let c = SenseCode::new(SenseKey::NOT_READY, 0x04, 0x01);
        assert_eq!(c.to_string(), "NOT READY 04/01");
        assert_eq!(SenseCode::new(SenseKey(0xc), 0x1d, 0).to_string(), "sense key 0xc 1D/00");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn test_serialize() {
        let c = SenseCode::new(SenseKey::NOT_READY, 0x04, 0x01);
        let v = serde_json::to_value(c).unwrap();
        assert_eq!(v["sense_key"], "NOT READY");
        assert_eq!((v["asc"].as_u64(), v["ascq"].as_u64()), (Some(4), Some(1)));
        assert_eq!(v["text"], super::super::describe(4, 1).to_string());
        let v = serde_json::to_value(SenseCode::new(SenseKey(0xc), 0x1d, 0)).unwrap();
        assert_eq!(v["sense_key"], 12);
    }
}
