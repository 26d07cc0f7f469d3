//! Any `Serialize` value written into a property tree: dictionaries, arrays, strings,
//! numbers, booleans and data, the value types of the I/O Registry. This is how the shim
//! publishes the attach report ([`write_report`]) with `SetProperties`: it implements
//! [`PropertySink`] over its `OSDictionary`/`OSArray` builders, and the tree it gets is the
//! tree `sbc-dext attach --json` prints, both made from [`Published`].
//!
//! # The mapping
//!
//! | serde | sink |
//! |---|---|
//! | struct, map (string keys), struct variant's content | [`begin_dictionary`](PropertySink::begin_dictionary) ... [`end_dictionary`](PropertySink::end_dictionary) |
//! | sequence, tuple, tuple struct | [`begin_array`](PropertySink::begin_array) ... [`end_array`](PropertySink::end_array) |
//! | `str`, `char`, `collect_str` (any `Display`), unit variant (its name) | [`string`](PropertySink::string) |
//! | unsigned integers, non-negative signed ones (up to 64 bits) | [`number`](PropertySink::number) |
//! | `bool` | [`boolean`](PropertySink::boolean) |
//! | bytes | [`data`](PropertySink::data) |
//! | `None`, `()`, unit structs | nothing: the key (or array element) is left out; the registry has no null |
//! | `Some(v)`, newtype structs | `v` |
//! | newtype, tuple and struct variants | a dictionary with one key, the variant's name (serde_json's shape) |
//! | negative integers, floats, integers beyond 64 bits | [`PropertyError::Unsupported`] |
//!
//! The root value is written with key `None`; so is every array element. Every other value
//! gets the key of its field or map entry.
//!
//! # No allocation, no panic
//!
//! Strings made by `Display` (escaped device text, hex designators, messages) are formatted
//! into a stack buffer of [`STRING_CAPACITY`] bytes and handed to the sink whole; a longer
//! one is `Unsupported` (nothing in the report comes near: its longest, an escaped 96-byte
//! designator, is 384). Map keys are kept in a [`KEY_CAPACITY`]-byte buffer. The sink's
//! first error stops the walk and is returned as [`PropertyError::Sink`]. The sink sees
//! balanced begin/end calls only when the whole write succeeds.

use core::fmt::{self, Write as _};

use serde::ser::{self, Impossible, Serialize};

use crate::attach::{Published, Report};

/// Where [`write()`] puts a value: a builder for a tree of dictionaries and arrays.
///
/// `key` is the entry's key inside a dictionary, `None` for the root value and inside an
/// array. A `begin_*` call opens a container that receives the calls up to its `end_*`.
pub trait PropertySink {
    /// What the sink reports when it cannot take a value (no memory, a key it refuses).
    type Error;
    /// Opens a dictionary.
    fn begin_dictionary(&mut self, key: Option<&str>) -> Result<(), Self::Error>;
    /// Closes the innermost open dictionary.
    fn end_dictionary(&mut self) -> Result<(), Self::Error>;
    /// Opens an array.
    fn begin_array(&mut self, key: Option<&str>) -> Result<(), Self::Error>;
    /// Closes the innermost open array.
    fn end_array(&mut self) -> Result<(), Self::Error>;
    /// A string (UTF-8; the report's are printable ASCII).
    fn string(&mut self, key: Option<&str>, value: &str) -> Result<(), Self::Error>;
    /// An unsigned number.
    fn number(&mut self, key: Option<&str>, value: u64) -> Result<(), Self::Error>;
    /// A boolean.
    fn boolean(&mut self, key: Option<&str>, value: bool) -> Result<(), Self::Error>;
    /// Bytes.
    fn data(&mut self, key: Option<&str>, value: &[u8]) -> Result<(), Self::Error>;
}

/// Why [`write()`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PropertyError<E> {
    /// The sink failed; the walk stopped at its first error.
    #[error("property sink: {0}")]
    Sink(E),
    /// The value holds something a property tree cannot (see the module doc), or a
    /// `Serialize` implementation failed; the text says which.
    #[error("not a property value: {0}")]
    Unsupported(&'static str),
}

/// A `Serialize` implementation's own error: its message cannot be kept without an
/// allocator, so it becomes `Unsupported`.
impl<E: fmt::Debug + fmt::Display> ser::Error for PropertyError<E> {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        PropertyError::Unsupported(CUSTOM)
    }
}

/// Longest string [`write()`] can build from a `Display` (`collect_str`), in bytes.
pub const STRING_CAPACITY: usize = 512;

/// Longest map key [`write()`] keeps, in bytes (struct field names have no limit).
pub const KEY_CAPACITY: usize = 64;

const CUSTOM: &str = "a Serialize implementation failed";
const SINK: &str = "the sink failed";

/// Writes `value` into `sink`: the root with key `None`, then its contents depth first.
///
/// # Errors
/// The sink's first error ([`PropertyError::Sink`]), or a value a property tree cannot hold
/// ([`PropertyError::Unsupported`]; see the module doc).
pub fn write<T: serde::Serialize + ?Sized, S: PropertySink>(
    value: &T,
    sink: &mut S,
) -> Result<(), PropertyError<S::Error>> {
    let mut writer = Writer { sink, failed: None };
    let walked = value.serialize(Value { w: &mut writer, key: None });
    match (writer.failed, walked) {
        (Some(e), _) => Err(PropertyError::Sink(e)),
        (None, Ok(())) => Ok(()),
        (None, Err(Stop(why))) => Err(PropertyError::Unsupported(why)),
    }
}

/// Writes the attach report as sbc-dext publishes it: `write(&Published(report), sink)`.
///
/// # Errors
/// The sink's first error. The report itself always fits a property tree.
pub fn write_report<S: PropertySink>(
    report: &Report,
    sink: &mut S,
) -> Result<(), PropertyError<S::Error>> {
    write(&Published(report), sink)
}

/// The sink, and its first error (kept here so the serializer's error type does not depend
/// on the sink's, which needs no `Debug` or `Display`).
struct Writer<'a, S: PropertySink> {
    sink: &'a mut S,
    failed: Option<S::Error>,
}

impl<S: PropertySink> Writer<'_, S> {
    fn check(&mut self, result: Result<(), S::Error>) -> Result<(), Stop> {
        result.map_err(|e| {
            if self.failed.is_none() {
                self.failed = Some(e);
            }
            Stop(SINK)
        })
    }
}

/// The serializer's error: why the walk stopped.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Stop(&'static str);

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Stop(CUSTOM)
    }
}

/// Fixed-capacity text: `Display` output, taken whole `&str` by whole `&str` so the bytes
/// kept are always valid UTF-8.
struct Text<const N: usize> {
    bytes: [u8; N],
    len: usize,
    full: bool,
}

impl<const N: usize> Text<N> {
    fn new() -> Self {
        Text { bytes: [0; N], len: 0, full: false }
    }

    fn as_str(&self) -> Result<&str, Stop> {
        let bytes = self.bytes.get(..self.len).ok_or(Stop("text buffer"))?;
        core::str::from_utf8(bytes).map_err(|_| Stop("text buffer"))
    }

    /// `value`'s `Display` text; `too_long` when it does not fit.
    fn format<T: fmt::Display + ?Sized>(value: &T, too_long: &'static str) -> Result<Self, Stop> {
        let mut text = Self::new();
        match write!(text, "{value}") {
            Ok(()) => Ok(text),
            Err(fmt::Error) if text.full => Err(Stop(too_long)),
            Err(fmt::Error) => Err(Stop("a Display implementation failed")),
        }
    }
}

impl<const N: usize> fmt::Write for Text<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).filter(|&end| end <= N);
        match end.and_then(|end| self.bytes.get_mut(self.len..end)) {
            Some(slot) => {
                slot.copy_from_slice(s.as_bytes());
                self.len = self.len.saturating_add(s.len());
                Ok(())
            }
            None => {
                self.full = true;
                Err(fmt::Error)
            }
        }
    }
}

/// Serializes one value under `key`.
struct Value<'w, 'a, 'k, S: PropertySink> {
    w: &'w mut Writer<'a, S>,
    key: Option<&'k str>,
}

impl<S: PropertySink> Value<'_, '_, '_, S> {
    fn number<N: TryInto<u64>>(self, n: N, why: &'static str) -> Result<(), Stop> {
        let n = n.try_into().map_err(|_| Stop(why))?;
        let r = self.w.sink.number(self.key, n);
        self.w.check(r)
    }
}

/// The open container a [`Compound`] writes into, and what closing it takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Close {
    Array,
    Dictionary,
    /// A tuple variant: the array, then the dictionary holding it under the variant's name.
    ArrayInDictionary,
    /// A struct variant: the inner dictionary, then the outer one.
    DictionaryInDictionary,
}

/// Sequences, tuples, structs and variants: each element or field is a [`Value`].
struct Compound<'w, 'a, S: PropertySink> {
    w: &'w mut Writer<'a, S>,
    close: Close,
}

impl<S: PropertySink> Compound<'_, '_, S> {
    fn element<T: Serialize + ?Sized>(&mut self, key: Option<&str>, value: &T) -> Result<(), Stop> {
        value.serialize(Value { w: &mut *self.w, key })
    }

    fn finish(self) -> Result<(), Stop> {
        let w = self.w;
        let r = match self.close {
            Close::Array | Close::ArrayInDictionary => w.sink.end_array(),
            Close::Dictionary | Close::DictionaryInDictionary => w.sink.end_dictionary(),
        };
        w.check(r)?;
        if matches!(self.close, Close::ArrayInDictionary | Close::DictionaryInDictionary) {
            let r = w.sink.end_dictionary();
            w.check(r)?;
        }
        Ok(())
    }
}

/// A map: its keys must serialize as strings of at most [`KEY_CAPACITY`] bytes.
struct Map<'w, 'a, S: PropertySink> {
    w: &'w mut Writer<'a, S>,
    key: Option<Text<KEY_CAPACITY>>,
}

impl<'w, 'a, 'k, S: PropertySink> ser::Serializer for Value<'w, 'a, 'k, S> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Compound<'w, 'a, S>;
    type SerializeTuple = Compound<'w, 'a, S>;
    type SerializeTupleStruct = Compound<'w, 'a, S>;
    type SerializeTupleVariant = Compound<'w, 'a, S>;
    type SerializeMap = Map<'w, 'a, S>;
    type SerializeStruct = Compound<'w, 'a, S>;
    type SerializeStructVariant = Compound<'w, 'a, S>;

    fn serialize_bool(self, v: bool) -> Result<(), Stop> {
        let r = self.w.sink.boolean(self.key, v);
        self.w.check(r)
    }

    fn serialize_i8(self, v: i8) -> Result<(), Stop> {
        self.number(v, "a negative number")
    }

    fn serialize_i16(self, v: i16) -> Result<(), Stop> {
        self.number(v, "a negative number")
    }

    fn serialize_i32(self, v: i32) -> Result<(), Stop> {
        self.number(v, "a negative number")
    }

    fn serialize_i64(self, v: i64) -> Result<(), Stop> {
        self.number(v, "a negative number")
    }

    fn serialize_i128(self, v: i128) -> Result<(), Stop> {
        self.number(v, "a negative number or one beyond 64 bits")
    }

    fn serialize_u8(self, v: u8) -> Result<(), Stop> {
        self.number(v, "")
    }

    fn serialize_u16(self, v: u16) -> Result<(), Stop> {
        self.number(v, "")
    }

    fn serialize_u32(self, v: u32) -> Result<(), Stop> {
        self.number(v, "")
    }

    fn serialize_u64(self, v: u64) -> Result<(), Stop> {
        self.number(v, "")
    }

    fn serialize_u128(self, v: u128) -> Result<(), Stop> {
        self.number(v, "a number beyond 64 bits")
    }

    fn serialize_f32(self, _v: f32) -> Result<(), Stop> {
        Err(Stop("a floating-point number"))
    }

    fn serialize_f64(self, _v: f64) -> Result<(), Stop> {
        Err(Stop("a floating-point number"))
    }

    fn serialize_char(self, v: char) -> Result<(), Stop> {
        let mut buf = [0; 4];
        self.serialize_str(v.encode_utf8(&mut buf))
    }

    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        let r = self.w.sink.string(self.key, v);
        self.w.check(r)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Stop> {
        let r = self.w.sink.data(self.key, v);
        self.w.check(r)
    }

    fn serialize_none(self) -> Result<(), Stop> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Stop> {
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Stop> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Stop> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        let r = self.w.sink.begin_dictionary(self.key);
        self.w.check(r)?;
        value.serialize(Value { w: &mut *self.w, key: Some(variant) })?;
        let r = self.w.sink.end_dictionary();
        self.w.check(r)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        let r = self.w.sink.begin_array(self.key);
        self.w.check(r)?;
        Ok(Compound { w: self.w, close: Close::Array })
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, Stop> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        let r = self.w.sink.begin_dictionary(self.key);
        self.w.check(r)?;
        let r = self.w.sink.begin_array(Some(variant));
        self.w.check(r)?;
        Ok(Compound { w: self.w, close: Close::ArrayInDictionary })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        let r = self.w.sink.begin_dictionary(self.key);
        self.w.check(r)?;
        Ok(Map { w: self.w, key: None })
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Stop> {
        let r = self.w.sink.begin_dictionary(self.key);
        self.w.check(r)?;
        Ok(Compound { w: self.w, close: Close::Dictionary })
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        let r = self.w.sink.begin_dictionary(self.key);
        self.w.check(r)?;
        let r = self.w.sink.begin_dictionary(Some(variant));
        self.w.check(r)?;
        Ok(Compound { w: self.w, close: Close::DictionaryInDictionary })
    }

    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), Stop> {
        let text = Text::<STRING_CAPACITY>::format(value, "a string longer than 512 bytes")?;
        self.serialize_str(text.as_str()?)
    }
}

impl<S: PropertySink> ser::SerializeSeq for Compound<'_, '_, S> {
    type Ok = ();
    type Error = Stop;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(None, value)
    }

    fn end(self) -> Result<(), Stop> {
        self.finish()
    }
}

impl<S: PropertySink> ser::SerializeTuple for Compound<'_, '_, S> {
    type Ok = ();
    type Error = Stop;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(None, value)
    }

    fn end(self) -> Result<(), Stop> {
        self.finish()
    }
}

impl<S: PropertySink> ser::SerializeTupleStruct for Compound<'_, '_, S> {
    type Ok = ();
    type Error = Stop;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(None, value)
    }

    fn end(self) -> Result<(), Stop> {
        self.finish()
    }
}

impl<S: PropertySink> ser::SerializeTupleVariant for Compound<'_, '_, S> {
    type Ok = ();
    type Error = Stop;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(None, value)
    }

    fn end(self) -> Result<(), Stop> {
        self.finish()
    }
}

impl<S: PropertySink> ser::SerializeStruct for Compound<'_, '_, S> {
    type Ok = ();
    type Error = Stop;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        self.element(Some(key), value)
    }

    fn end(self) -> Result<(), Stop> {
        self.finish()
    }
}

impl<S: PropertySink> ser::SerializeStructVariant for Compound<'_, '_, S> {
    type Ok = ();
    type Error = Stop;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        self.element(Some(key), value)
    }

    fn end(self) -> Result<(), Stop> {
        self.finish()
    }
}

impl<S: PropertySink> ser::SerializeMap for Map<'_, '_, S> {
    type Ok = ();
    type Error = Stop;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Stop> {
        let mut text = Text::new();
        key.serialize(Key(&mut text))?;
        self.key = Some(text);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        let key = self.key.take().ok_or(Stop("a map value without a key"))?;
        value.serialize(Value { w: &mut *self.w, key: Some(key.as_str()?) })
    }

    fn end(self) -> Result<(), Stop> {
        let r = self.w.sink.end_dictionary();
        self.w.check(r)
    }
}

/// A map key: a string (or `char`, or `Display` text) of at most [`KEY_CAPACITY`] bytes.
struct Key<'b>(&'b mut Text<KEY_CAPACITY>);

const NOT_A_KEY: Stop = Stop("a map key that is not a string");
const KEY_TOO_LONG: &str = "a map key longer than 64 bytes";

impl ser::Serializer for Key<'_> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Impossible<(), Stop>;
    type SerializeTuple = Impossible<(), Stop>;
    type SerializeTupleStruct = Impossible<(), Stop>;
    type SerializeTupleVariant = Impossible<(), Stop>;
    type SerializeMap = Impossible<(), Stop>;
    type SerializeStruct = Impossible<(), Stop>;
    type SerializeStructVariant = Impossible<(), Stop>;

    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        self.0.write_str(v).map_err(|_| Stop(KEY_TOO_LONG))
    }

    fn serialize_char(self, v: char) -> Result<(), Stop> {
        self.0.write_char(v).map_err(|_| Stop(KEY_TOO_LONG))
    }

    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), Stop> {
        *self.0 = Text::format(value, KEY_TOO_LONG)?;
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Stop> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(self)
    }

    fn serialize_bool(self, _v: bool) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_i8(self, _v: i8) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_i16(self, _v: i16) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_i32(self, _v: i32) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_i64(self, _v: i64) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_u8(self, _v: u8) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_u16(self, _v: u16) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_u32(self, _v: u32) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_u64(self, _v: u64) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_f32(self, _v: f32) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_f64(self, _v: f64) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_none(self) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_unit(self) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Stop> {
        Err(NOT_A_KEY)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        Err(NOT_A_KEY)
    }
}

#[cfg(test)]
mod test {
    use std::string::{String, ToString};
    use std::vec;
    use std::vec::Vec;

    use super::*;
    use crate::attach::{
        DesignatorEntry, DiscardMethod, FixedText, RefuseReason, RotationRate, SatInfo, Verdict,
        Warning,
    };
    use crate::quirks::Quirks;
    use crate::sense::{SenseCode, SenseKey};
    use crate::wire::inquiry::Version;
    use crate::wire::vpd::{Association, CodeSet, DesignatorType, NominalFormFactor, PageCode};

    /// A property tree, as the registry would hold it.
    #[derive(Debug, Clone, PartialEq)]
    enum Node {
        Dictionary(Vec<(String, Node)>),
        Array(Vec<Node>),
        String(String),
        Number(u64),
        Boolean(bool),
        Data(Vec<u8>),
    }

    /// Builds a [`Node`] from the sink calls, checking that they nest.
    #[derive(Default)]
    struct Recorder {
        open: Vec<(Option<String>, Node)>,
        root: Option<Node>,
        /// Fail on the n-th call (for the error path).
        fail_at: Option<usize>,
        calls: usize,
    }

    impl Recorder {
        fn add(&mut self, key: Option<&str>, node: Node) -> Result<(), &'static str> {
            self.calls += 1;
            if Some(self.calls) == self.fail_at {
                return Err("full");
            }
            match self.open.last_mut() {
                None if key.is_none() && self.root.is_none() => self.root = Some(node),
                Some((_, Node::Dictionary(entries))) => {
                    let key = key.ok_or("an entry without a key in a dictionary")?;
                    if entries.iter().any(|(k, _)| k == key) {
                        return Err("a key twice");
                    }
                    entries.push((key.to_string(), node));
                }
                Some((_, Node::Array(items))) if key.is_none() => items.push(node),
                _ => return Err("a value in the wrong place"),
            }
            Ok(())
        }

        fn begin(&mut self, key: Option<&str>, node: Node) -> Result<(), &'static str> {
            self.calls += 1;
            if Some(self.calls) == self.fail_at {
                return Err("full");
            }
            self.open.push((key.map(str::to_string), node));
            Ok(())
        }

        fn end(&mut self, dictionary: bool) -> Result<(), &'static str> {
            let (key, node) = self.open.pop().ok_or("end without begin")?;
            if matches!(node, Node::Dictionary(_)) != dictionary {
                return Err("end of the wrong container");
            }
            self.calls -= 1; // add() counts it
            self.add(key.as_deref(), node)
        }
    }

    impl PropertySink for Recorder {
        type Error = &'static str;
        fn begin_dictionary(&mut self, key: Option<&str>) -> Result<(), Self::Error> {
            self.begin(key, Node::Dictionary(Vec::new()))
        }
        fn end_dictionary(&mut self) -> Result<(), Self::Error> {
            self.end(true)
        }
        fn begin_array(&mut self, key: Option<&str>) -> Result<(), Self::Error> {
            self.begin(key, Node::Array(Vec::new()))
        }
        fn end_array(&mut self) -> Result<(), Self::Error> {
            self.end(false)
        }
        fn string(&mut self, key: Option<&str>, value: &str) -> Result<(), Self::Error> {
            self.add(key, Node::String(value.to_string()))
        }
        fn number(&mut self, key: Option<&str>, value: u64) -> Result<(), Self::Error> {
            self.add(key, Node::Number(value))
        }
        fn boolean(&mut self, key: Option<&str>, value: bool) -> Result<(), Self::Error> {
            self.add(key, Node::Boolean(value))
        }
        fn data(&mut self, key: Option<&str>, value: &[u8]) -> Result<(), Self::Error> {
            self.add(key, Node::Data(value.to_vec()))
        }
    }

    /// serde_json's tree of the same value, with its nulls left out as the registry leaves
    /// them out.
    fn from_json(v: &serde_json::Value) -> Option<Node> {
        use serde_json::Value as J;
        Some(match v {
            J::Null => return None,
            J::Bool(b) => Node::Boolean(*b),
            J::Number(n) => Node::Number(n.as_u64().expect("the report has only u64 numbers")),
            J::String(s) => Node::String(s.clone()),
            J::Array(items) => Node::Array(items.iter().filter_map(from_json).collect()),
            J::Object(entries) => Node::Dictionary(
                entries.iter().filter_map(|(k, v)| Some((k.clone(), from_json(v)?))).collect(),
            ),
        })
    }

    /// Sorted dictionaries: serde_json's map (without preserve_order) sorts its keys.
    fn sorted(node: Node) -> Node {
        match node {
            Node::Dictionary(mut entries) => {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Node::Dictionary(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            Node::Array(items) => Node::Array(items.into_iter().map(sorted).collect()),
            other => other,
        }
    }

    fn tree<T: Serialize + ?Sized>(value: &T) -> Node {
        let mut sink = Recorder::default();
        write(value, &mut sink).unwrap();
        assert!(sink.open.is_empty(), "every container closed");
        sink.root.expect("a root value")
    }

    /// Both trees of `value` agree.
    fn same_as_json<T: Serialize + ?Sized>(value: &T) -> Node {
        let ours = tree(value);
        let json = from_json(&serde_json::to_value(value).unwrap()).unwrap();
        assert_eq!(sorted(ours.clone()), sorted(json));
        ours
    }

    fn text<const N: usize>(s: &[u8]) -> FixedText<N> {
        FixedText::new(s).unwrap()
    }

    /// A SAT bridge with every part of the report filled in: designators of each code set,
    /// SAT data, quirks and warnings with and without sense.
    fn sat_bridge() -> Report {
        let mut r = Report {
            vendor: text(b"ATA     "),
            product: text(b"WDC WD5000AAKS-0"),
            revision: text(b"1C01"),
            serial: text(b"WD-WCAPW0493929\x01"),
            peripheral_device_type: 0,
            version: Version::SPC_4,
            medium_present: true,
            block_count: 976_773_168,
            logical_block_length: 512,
            physical_block_length: 4096,
            lowest_aligned_lba: 0,
            lbpme: true,
            lbprz: true,
            discard: DiscardMethod::WriteSame16,
            max_transfer_blocks: Some(65535),
            optimal_transfer_blocks: None,
            rotation_rate: RotationRate::Rpm(7200),
            form_factor: NominalFormFactor::INCH_3_5,
            write_cache: Some(true),
            read_cache_disabled: None,
            fua: true,
            sat: Some(SatInfo {
                vendor: text(b"linux"),
                product: text(b"libata"),
                revision: text(b"3.00"),
                ata_model: text(b"WDC WD5000AAKS-00TMA0"),
                ata_serial: text(b"WD-WCAPW0493929"),
                ata_firmware: text(b"12.01C01"),
                smart_supported: Some(true),
                smart_enabled: None,
            }),
            quirks: Quirks::RETRY_HWERROR | Quirks::NO_REPORT_LUNS,
            commands_sent: 18,
            verdict: Some(Verdict::Accept),
            ..Report::default()
        };
        let d = |t, c, a, b: &[u8]| Some(DesignatorEntry::new(t, c, a, b).unwrap());
        r.designators = [
            d(DesignatorType::NAA, CodeSet::BINARY, Association::LOGICAL_UNIT, &[0x50, 0x0c, 0xca]),
            d(
                DesignatorType::T10_VENDOR_ID,
                CodeSet::ASCII,
                Association::LOGICAL_UNIT,
                b"ATA  x\\",
            ),
            d(
                DesignatorType::SCSI_NAME_STRING,
                CodeSet::UTF_8,
                Association(3),
                "iqn.2001-04.com.example:d\u{e9}\n\0\0".as_bytes(),
            ),
            d(DesignatorType(0xB), CodeSet(0x7), Association::TARGET_PORT, &[0xff]),
        ];
        r.warnings.push(Warning::CapacityAdjusted);
        r.warnings.push(Warning::VpdPageFailed { page: PageCode::BLOCK_LIMITS });
        r.warnings.push(Warning::VpdAbandoned { page: PageCode(0xC7) });
        r.warnings.push(Warning::SpinUpFailed { sense: None });
        let ua = SenseCode::new(SenseKey::UNIT_ATTENTION, 0x28, 0);
        r.warnings.push(Warning::ChangeReported { sense: ua });
        r
    }

    fn entry<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
        match node {
            Node::Dictionary(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn s(v: &str) -> Node {
        Node::String(v.to_string())
    }

    #[test]
    fn the_report_tree_is_serde_json_tree_without_nulls() {
        let root = same_as_json(&Published(&sat_bridge()));
        let keys = |n: &Node| match n {
            Node::Dictionary(e) => e.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
            _ => panic!("not a dictionary"),
        };
        assert_eq!(keys(&root), ["result", "characteristics", "quirks", "warnings"]);
        let c = entry(&root, "characteristics").unwrap();
        assert_eq!(entry(c, "rotation_rate"), Some(&Node::Number(7200)));
        assert_eq!(entry(c, "discard"), Some(&s("write-same-16")));
        assert_eq!(entry(c, "version"), Some(&s("SPC-4")));
        assert_eq!(entry(c, "serial"), Some(&s("WD-WCAPW0493929\\x01")));
        assert_eq!(entry(c, "optimal_transfer_blocks"), None, "None is left out");
        let Some(Node::Array(ds)) = entry(c, "designators") else { panic!() };
        let values: Vec<_> = ds.iter().map(|d| entry(d, "value").unwrap().clone()).collect();
        assert_eq!(
            values,
            [s("500cca"), s("ATA  x\\x5c"), s("iqn.2001-04.com.example:d\u{e9}\\x0a"), s("ff")]
        );
        assert_eq!(entry(&ds[0], "association"), Some(&s("addressed logical unit")));
        assert_eq!(entry(&ds[2], "association"), Some(&Node::Number(3)));
        assert_eq!(entry(&ds[3], "type"), Some(&Node::Number(0xB)));
        assert_eq!(entry(&ds[3], "code_set"), Some(&Node::Number(7)));
        let Some(Node::Array(ws)) = entry(&root, "warnings") else { panic!() };
        assert_eq!(entry(&ws[0], "kind"), Some(&s("capacity-adjusted")));
        assert_eq!(entry(&ws[1], "page"), Some(&s("Block Limits")));
        assert_eq!(entry(&ws[2], "page"), Some(&Node::Number(0xC7)));
        assert_eq!(entry(&ws[3], "sense"), None);
        let sense = entry(&ws[4], "sense").unwrap();
        assert_eq!(entry(sense, "sense_key"), Some(&s("UNIT ATTENTION")));
        assert_eq!(entry(sense, "asc"), Some(&Node::Number(0x28)));
        assert_eq!(
            entry(&root, "quirks"),
            Some(&Node::Array(vec![s("retry-hwerror"), s("no-report-luns")]))
        );
    }

    #[test]
    fn refusals_and_the_default_report_agree_too() {
        let sense = SenseCode::new(SenseKey::MEDIUM_ERROR, 0x11, 0);
        let reasons = [
            RefuseReason::NotConnected { peripheral_qualifier: 1.into() },
            RefuseReason::NotDirectAccess { peripheral_device_type: 5.into() },
            RefuseReason::NotReady { sense: None },
            RefuseReason::NotReady { sense: Some(sense) },
            RefuseReason::UnsupportedBlockLength { length: 520 },
            RefuseReason::UnsupportedProtectionType { protection_type: 4 },
            RefuseReason::DeviceError { sense },
            RefuseReason::TimeBudgetExhausted,
            RefuseReason::InternalError("a CDB outside the allowlist"),
        ];
        for reason in reasons {
            let report = Report { verdict: Some(Verdict::Refuse(reason)), ..Report::default() };
            let root = same_as_json(&Published(&report));
            assert_eq!(entry(&root, "result"), Some(&s("refuse")));
            let r = entry(&root, "reason").unwrap();
            assert_eq!(entry(r, "kind"), Some(&s(reason.kind())));
            assert_eq!(entry(r, "message"), Some(&s(&reason.to_string())));
            same_as_json(&Verdict::Refuse(reason));
        }
        let root = same_as_json(&Report::default());
        assert_eq!(entry(&root, "result"), Some(&s("pending")));
        same_as_json(&Verdict::Accept);
    }

    #[test]
    fn a_full_warning_list_says_how_many_more() {
        let mut r = sat_bridge();
        for _ in 0..20 {
            r.warnings.push(Warning::ModeSenseFailed);
        }
        let root = same_as_json(&r);
        let Some(Node::Array(ws)) = entry(&root, "warnings") else { panic!() };
        assert_eq!(ws.len(), crate::attach::MAX_WARNINGS + 1);
        let more = ws.last().unwrap();
        assert_eq!(entry(more, "kind"), Some(&s("more-warnings")));
        assert_eq!(entry(more, "count"), Some(&Node::Number(9)));
    }

    /// The longest strings a report can hold fit the stack buffer.
    #[test]
    fn the_longest_report_strings_fit() {
        let mut r = sat_bridge();
        r.serial = text(&[0x80; 64]);
        let all = [0x7f_u8; crate::attach::DESIGNATOR_CAPACITY];
        let d =
            |c| Some(DesignatorEntry::new(DesignatorType::NAA, c, Association(0), &all).unwrap());
        r.designators = [d(CodeSet::ASCII), d(CodeSet::UTF_8), d(CodeSet::BINARY), None];
        let root = same_as_json(&r);
        let c = entry(&root, "characteristics").unwrap();
        let Some(Node::String(serial)) = entry(c, "serial") else { panic!() };
        assert_eq!(serial.len(), 256);
    }

    #[derive(serde::Serialize)]
    #[allow(dead_code)]
    enum Shapes {
        Unit,
        Newtype(u8),
        Tuple(u8, bool),
        Struct { a: Option<u8>, b: &'static str },
    }

    #[test]
    fn serde_shapes_follow_serde_json() {
        use std::collections::BTreeMap;
        same_as_json(&[Shapes::Unit, Shapes::Newtype(1), Shapes::Tuple(2, true)]);
        same_as_json(&Shapes::Struct { a: None, b: "x" });
        same_as_json(&(1u8, 'c', "s", Some(7u64), i64::MAX, u128::from(u64::MAX)));
        let map: BTreeMap<&str, Vec<u16>> = [("k", vec![1, 2]), ("l", vec![])].into();
        same_as_json(&map);
        let by_char: BTreeMap<char, bool> = [('a', true)].into();
        same_as_json(&by_char);
        assert_eq!(tree(&serde_bytes_like()), Node::Data(vec![1, 2, 3]));
    }

    /// A value that serializes as bytes (serde_json would write a list of numbers).
    fn serde_bytes_like() -> impl Serialize {
        struct Bytes;
        impl Serialize for Bytes {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&[1, 2, 3])
            }
        }
        Bytes
    }

    #[test]
    fn what_a_property_tree_cannot_hold_is_unsupported() {
        use std::collections::BTreeMap;
        let mut sink = Recorder::default();
        assert!(matches!(write(&-1i32, &mut sink), Err(PropertyError::Unsupported(_))));
        assert!(matches!(write(&1.5f64, &mut sink), Err(PropertyError::Unsupported(_))));
        assert!(matches!(write(&u128::MAX, &mut sink), Err(PropertyError::Unsupported(_))));
        let long = "x".repeat(STRING_CAPACITY + 1);
        let e = write(&format_args!("{long}"), &mut sink).unwrap_err();
        assert_eq!(e, PropertyError::Unsupported("a string longer than 512 bytes"));
        let exact = "x".repeat(STRING_CAPACITY);
        assert_eq!(tree(&format_args!("{exact}")), Node::String(exact.clone()));
        let by_number: BTreeMap<u8, u8> = [(1, 2)].into();
        let mut sink = Recorder::default();
        assert!(matches!(write(&by_number, &mut sink), Err(PropertyError::Unsupported(_))));
        let long_key: BTreeMap<String, u8> = [("k".repeat(KEY_CAPACITY + 1), 2)].into();
        let mut sink = Recorder::default();
        assert!(matches!(write(&long_key, &mut sink), Err(PropertyError::Unsupported(_))));
        assert!(PropertyError::<&str>::Unsupported("x").to_string().contains('x'));
    }

    #[test]
    fn the_sink_error_stops_the_walk_wherever_it_comes() {
        let report = sat_bridge();
        let calls = {
            let mut sink = Recorder::default();
            write_report(&report, &mut sink).unwrap();
            sink.calls
        };
        assert!(calls > 50);
        for n in 1..=calls {
            let mut sink = Recorder { fail_at: Some(n), ..Recorder::default() };
            assert_eq!(write_report(&report, &mut sink), Err(PropertyError::Sink("full")));
        }
    }
}
