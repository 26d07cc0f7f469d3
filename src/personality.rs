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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalityError(pub String);

impl std::fmt::Display for PersonalityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PersonalityError {}

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
    let shown = path.display();
    let root =
        Value::from_file(path).or_else(|e| err(format!("{shown}: not a readable plist: {e}")))?;
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
                let known: Vec<&str> = personalities.keys().map(String::as_str).collect();
                return err(format!("{shown}: no personality {n} (has: {})", known.join(", ")));
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
                    let names: Vec<&str> = many.iter().map(|(k, _)| k.as_str()).collect();
                    return err(format!(
                        "{shown}: several personalities have {KEY} ({}); name one",
                        names.join(", ")
                    ));
                }
            }
        }
    };
    from_personality(personality).map_err(|e| PersonalityError(format!("{shown}: {chosen}: {e}")))
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
        let Some(flag) = Quirks::by_name(name) else {
            return err(format!("{KEY}: unknown quirk '{name}'"));
        };
        match value.as_boolean() {
            Some(true) => quirks.on |= flag,
            Some(false) => quirks.off |= flag,
            None => return err(format!("{KEY}: {name} must be a boolean (<true/> or <false/>)")),
        }
    }
    Ok(quirks)
}
