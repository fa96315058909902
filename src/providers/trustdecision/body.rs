//! The request body read in one pass: each field the document lists, as the checks
//! need it (a text borrowed from the body when it has no escapes), and the first
//! field it does not list. Reading the body into a `serde_json::Map` first cost more
//! than all of the checks; what this accepts and refuses is exactly what that did.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::wire::FIELDS;

/// A field's value as the checks see it: `null`, a text, or anything else.
#[derive(Debug, Clone, PartialEq)]
pub enum Given<'a> {
    Null,
    Text(Cow<'a, str>),
    Other,
}

/// The fields of a body object. A key given twice keeps its last value and the
/// unknown key named is the least one in byte order: both as a `serde_json::Map`
/// (a `BTreeMap`) had them.
#[derive(Debug, Default)]
pub struct Fields<'a> {
    /// By position in `FIELDS`; `None` when absent.
    known: [Option<Given<'a>>; FIELDS.len()],
    pub unknown: Option<Cow<'a, str>>,
}

impl<'a> Fields<'a> {
    /// The body's fields: a blank body is an empty object; `None` when it is not JSON
    /// or not an object.
    pub fn read(body: &'a [u8]) -> Option<Self> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Some(Self::default());
        }
        let mut de = serde_json::Deserializer::from_slice(body);
        let fields = de.deserialize_map(FieldsVisitor).ok()?;
        de.end().ok()?;
        Some(fields)
    }

    /// The value of `FIELDS[index]`, `None` when absent.
    pub fn get(&self, index: usize) -> Option<&Given<'a>> {
        self.known.get(index).and_then(Option::as_ref)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Fields::default();
        while let Some(Key(key)) = map.next_key()? {
            match FIELDS.iter().position(|f| *f == key) {
                Some(i) => fields.known[i] = Some(map.next_value_seed(GivenSeed)?),
                None => {
                    // Read as a `Value` would be: the same numbers and depths refused.
                    map.next_value::<Value>()?;
                    if fields.unknown.as_ref().is_none_or(|u| key < *u) {
                        fields.unknown = Some(key);
                    }
                }
            }
        }
        Ok(fields)
    }
}

/// A key, borrowed from the body when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor).map(Key)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

struct GivenSeed;

impl<'de> DeserializeSeed<'de> for GivenSeed {
    type Value = Given<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(GivenVisitor)
    }
}

/// Every JSON value, as `Value` reads it; arrays and objects are read into a `Value`
/// and dropped, so they are checked just as before.
struct GivenVisitor;

impl<'de> Visitor<'de> for GivenVisitor {
    type Value = Given<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Given::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Given::Null)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Given::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Given::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Given::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Given::Other)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Given::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Given::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Given::Text(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        serde::Deserialize::deserialize(SeqAccessDeserializer::new(seq))
            .map(|_: Value| Given::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        serde::Deserialize::deserialize(MapAccessDeserializer::new(map))
            .map(|_: Value| Given::Other)
    }
}
