//! Quirks from a dext personality: the `SbcQuirks` dictionary in `IOKitPersonalities`.
//!
//! A Mac user fixes a misbehaving device without recompiling by adding, to the personality
//! that matches it, a dictionary of quirk names to booleans: `true` forces the quirk on,
//! `false` forces it off even when the built-in quirk table sets it. Names are those of
//! [`sbc_core::quirks::NAMES`] (the shim looks each up with `sbc_quirk_by_name`).
//!
//! This host-side reader is strict: anything it cannot use is an error naming the key, so a
//! typo is caught before the plist ships. (The shim, which cannot refuse to run, logs such an
//! entry and ignores it.)

use std::io::Cursor;
use std::path::Path;

use plist::{Dictionary, Value};
use sbc_core::quirks::Quirks;

/// The personality key that holds the quirk dictionary.
pub const KEY: &str = "SbcQuirks";

/// Quirks a personality forces on and off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PersonalityQuirks {
    /// Quirks set to `true`.
    pub on: Quirks,
    /// Quirks set to `false`.
    pub off: Quirks,
}

/// Why a personality's quirks could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PersonalityError(pub String);

fn err<T>(msg: String) -> Result<T, PersonalityError> {
    Err(PersonalityError(msg))
}

/// Reads the quirks of personality `name` in the Info.plist at `path`; with `name` `None`,
/// the plist must hold exactly one personality with an `SbcQuirks` key.
///
/// # Errors
/// An unreadable or malformed plist, a missing or ambiguous personality, an `SbcQuirks`
/// that is not a dictionary, a value that is not a boolean, an unknown quirk name.
pub fn read(path: &Path, name: Option<&str>) -> Result<PersonalityQuirks, PersonalityError> {
    let (shown, root) = load(path)?;
    let Some(personalities) = root.as_dictionary().and_then(|d| d.get("IOKitPersonalities")) else {
        return err(format!("{shown}: no IOKitPersonalities dictionary"));
    };
    let Some(personalities) = personalities.as_dictionary() else {
        return err(format!("{shown}: IOKitPersonalities is not a dictionary"));
    };
    let (chosen, personality) = match name {
        Some(n) => match personalities.get(n).map(Value::as_dictionary) {
            Some(Some(p)) => (n.to_string(), p),
            Some(None) => return err(format!("{shown}: personality {n} is not a dictionary")),
            None => {
                let known = listed(personalities.keys().map(String::as_str));
                return err(format!("{shown}: no personality {n} (has: {known})"));
            }
        },
        None => {
            let with: Vec<(&String, &Dictionary)> = personalities
                .iter()
                .filter_map(|(k, v)| v.as_dictionary().map(|d| (k, d)))
                .filter(|(_, d)| d.contains_key(KEY))
                .collect();
            match with.as_slice() {
                [(k, d)] => (k.to_string(), *d),
                [] => return Ok(PersonalityQuirks::default()),
                many => {
                    let names = listed(many.iter().map(|(k, _)| k.as_str()));
                    return err(format!(
                        "{shown}: several personalities have {KEY} ({names}); name one"
                    ));
                }
            }
        }
    };
    from_personality(personality).map_err(|e| PersonalityError(format!("{shown}: {chosen}: {e}")))
}

/// Reads the plist (XML, binary or ASCII) at `path` (stdin for `-`) through the CLI's bounded
/// reader, refusing one nested deeper than [`MAX_DEPTH`] before building its tree. Returns the
/// name to show in messages and the root value.
///
/// # Errors
/// An unreadable file, one over [`crate::cli::MAX_INPUT`] bytes, one nested too deep, one
/// that is not a plist.
pub fn load(path: &Path) -> Result<(String, Value), PersonalityError> {
    let (shown, bytes) = crate::cli::read_input(Some(path)).map_err(|e| PersonalityError(e.0))?;
    check_depth(&bytes).map_err(|e| PersonalityError(format!("{shown}: {e}")))?;
    let root = Value::from_reader(Cursor::new(bytes))
        .or_else(|e| err(format!("{shown}: not a readable plist: {e}")))?;
    Ok((shown, root))
}

/// The deepest nesting of arrays and dictionaries a plist may have. A real Info.plist nests
/// about five deep; without a limit, dropping a plist nested 200,000 deep overflows the stack.
pub const MAX_DEPTH: usize = 64;

/// Refuses a plist (XML, binary or ASCII) nested deeper than [`MAX_DEPTH`] before any tree
/// is built: the plist crate's deserializer reads its event stream without recursing, and
/// [`Depth`] stops descending past the limit.
fn check_depth(bytes: &[u8]) -> Result<(), String> {
    match plist::from_bytes::<Nesting>(bytes) {
        Ok(_) => Ok(()),
        Err(e) if e.to_string().contains(TOO_DEEP) => {
            Err(format!("not a usable plist: {TOO_DEEP} {MAX_DEPTH} levels deep"))
        }
        Err(e) => Err(format!("not a readable plist: {e}")),
    }
}

const TOO_DEEP: &str = "nested more than";

/// Any plist value, checked for depth and then discarded.
struct Nesting;

impl<'de> serde::Deserialize<'de> for Nesting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::DeserializeSeed::deserialize(Depth(0), d).map(|()| Nesting)
    }
}

/// A value at this depth: arrays and dictionaries visit their members one level deeper.
#[derive(Clone, Copy)]
struct Depth(usize);

impl<'de> serde::de::DeserializeSeed<'de> for Depth {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Depth {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a plist value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize_nested(d)
    }
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize_nested(d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.deeper()?;
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let inner = self.deeper()?;
        while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}

impl Depth {
    fn deeper<E: serde::de::Error>(self) -> Result<Depth, E> {
        if self.0 >= MAX_DEPTH {
            return Err(E::custom(format!("{TOO_DEEP} {MAX_DEPTH}")));
        }
        Ok(Depth(self.0 + 1))
    }
    fn deserialize_nested<'de, D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }
}

/// The names joined with `, `: at most the first ten, then how many more there are.
fn listed<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    const SHOWN: usize = 10;
    let total = names.len();
    let mut text = names.take(SHOWN).map(crate::cli::one_line).collect::<Vec<_>>().join(", ");
    if total > SHOWN {
        text.push_str(&format!(", … {} more", total - SHOWN));
    }
    text
}

/// Reads the `SbcQuirks` dictionary of one personality (absent means no quirks).
///
/// # Errors
/// As [`read`], without the file context.
pub fn from_personality(personality: &Dictionary) -> Result<PersonalityQuirks, PersonalityError> {
    let Some(value) = personality.get(KEY) else {
        return Ok(PersonalityQuirks::default());
    };
    let Some(dict) = value.as_dictionary() else {
        return err(format!("{KEY} is not a dictionary"));
    };
    let mut quirks = PersonalityQuirks::default();
    for (name, value) in dict {
        match entry(name, value) {
            Ok((flag, true)) => quirks.on |= flag,
            Ok((flag, false)) => quirks.off |= flag,
            Err(e) => return err(format!("{KEY}: {e}")),
        }
    }
    Ok(quirks)
}

/// What is wrong with one `SbcQuirks` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EntryError<'a> {
    /// The name is not in [`sbc_core::quirks::NAMES`] (the name as written).
    #[error("unknown quirk '{0}'")]
    Unknown(&'a str),
    /// The value is not `<true/>` or `<false/>` (the entry's name).
    #[error("{0} must be a boolean (<true/> or <false/>)")]
    NotBoolean(&'a str),
}

/// One `SbcQuirks` entry, `name` to `value`: the quirk it names and whether it forces it on
/// (`true`) or off (`false`). The one check both this reader and `sbc-dext lint` apply.
///
/// # Errors
/// An unknown name, or a value that is not a boolean.
pub fn entry<'a>(name: &'a str, value: &Value) -> Result<(Quirks, bool), EntryError<'a>> {
    let flag = Quirks::by_name(name).ok_or(EntryError::Unknown(name))?;
    let on = value.as_boolean().ok_or(EntryError::NotBoolean(name))?;
    Ok((flag, on))
}
