//! A JSON object body read for a few named fields, without a `Value` tree: texts are
//! borrowed from the body when they hold no escapes, every other value is only checked.
//! Building the tree and dropping it was most of reading a UBKI body (5,000
//! instructions). It reads what `json_object` reads: the same parser, so the same
//! errors; a repeated key keeps its last value; numbers are range-checked as a `Value`
//! would check them.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One picked field as sent.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonField<'a> {
    Null,
    Text(Cow<'a, str>),
    /// A number, boolean, array or object.
    Other,
}

/// The body was JSON, but not an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotObject;

/// What `json_pick` found.
#[derive(Debug)]
pub struct Picked<'a, const N: usize> {
    /// The named fields, in the order of the names (`None`: absent).
    pub fields: [Option<JsonField<'a>>; N],
    /// The least key in byte order that is none of the names: the one a sorted map of
    /// the body (`serde_json::Map`) would name first.
    pub unknown: Option<Cow<'a, str>>,
}

/// The fields named `names` of the JSON object `body`.
pub fn json_pick<'a, const N: usize>(
    body: &'a [u8],
    names: &[&str; N],
) -> Result<Result<Picked<'a, N>, NotObject>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let picked = Pick { names }.deserialize(&mut de)?;
    de.end()?;
    Ok(picked)
}

struct Pick<'n, const N: usize> {
    names: &'n [&'n str; N],
}

impl<'de, const N: usize> DeserializeSeed<'de> for Pick<'_, N> {
    type Value = Result<Picked<'de, N>, NotObject>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for Pick<'_, N> {
    type Value = Result<Picked<'de, N>, NotObject>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut picked = Picked {
            fields: [const { None }; N],
            unknown: None,
        };
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match self.names.iter().position(|n| *n == key) {
                Some(i) => picked.fields[i] = Some(map.next_value::<JsonField<'de>>()?),
                None => {
                    map.next_value::<Checked>()?;
                    if picked.unknown.as_ref().is_none_or(|u| key < *u) {
                        picked.unknown = Some(key);
                    }
                }
            }
        }
        Ok(Ok(picked))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Err(NotObject))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err(NotObject))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err(NotObject))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err(NotObject))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err(NotObject))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err(NotObject))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(NotObject))
    }
}

impl<'de> de::Deserialize<'de> for JsonField<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = JsonField<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(JsonField::Text(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(JsonField::Text(Cow::Owned(s.to_string())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(JsonField::Text(Cow::Owned(s)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(JsonField::Null)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(JsonField::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(JsonField::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(JsonField::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(JsonField::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(JsonField::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, Checked>()?.is_some() {}
        Ok(JsonField::Other)
    }
}

/// A key, borrowed from the body unless it holds escapes (serde's own `Cow<str>` always
/// copies).
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_str(FieldVisitor)? {
            JsonField::Text(t) => Ok(Key(t)),
            _ => Err(de::Error::custom("a key is a string")),
        }
    }
}

/// A value read only to be checked: parsed as a `Value` would parse it (numbers
/// range-checked, unlike `IgnoredAny`), nothing kept.
struct Checked;

impl<'de> de::Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldVisitor).map(|_| Checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::json_object;

    const NAMES: [&str; 3] = ["a", "b", "c"];

    type Seen =
        Result<Result<(Vec<Option<JsonField<'static>>>, Option<String>), NotObject>, String>;

    /// What `json_object` gives for the same body, in the picker's terms.
    fn through_value(body: &[u8]) -> Seen {
        match json_object(body) {
            Err(e) => Err(e.to_string()),
            Ok(Err(_)) => Ok(Err(NotObject)),
            Ok(Ok(obj)) => {
                let fields = NAMES
                    .iter()
                    .map(|n| {
                        obj.get(*n).map(|v| match v {
                            serde_json::Value::Null => JsonField::Null,
                            serde_json::Value::String(s) => JsonField::Text(Cow::Owned(s.clone())),
                            _ => JsonField::Other,
                        })
                    })
                    .collect();
                let unknown = obj.keys().find(|k| !NAMES.contains(&k.as_str())).cloned();
                Ok(Ok((fields, unknown)))
            }
        }
    }

    #[test]
    fn picks_what_a_value_tree_holds_and_fails_where_it_fails() {
        let bodies: &[&str] = &[
            r#"{"a":"x","b":null,"z":[1,{"q":2}],"c":7}"#,
            r#"{"y":1,"a":"x","x":2,"w\u0041":3}"#,
            r#"{"a":"esc\"aped \u0416","a":"last wins","c":{"n":[true,false]}}"#,
            r#"{"b":""}"#,
            "{}",
            "[1,2]",
            "\"text\"",
            "12",
            "null",
            r#"{"a":"x""#,
            r#"{"a":"x"} trailing"#,
            r#"{"z":1e400}"#,
            r#"{"a":1e400}"#,
            r#"{"a":"\ud800"}"#,
            "",
            "{\"a\":\"\u{7f}\t\"}",
            r#"{"a":"x",}"#,
        ];
        for body in bodies {
            let picked = json_pick(body.as_bytes(), &NAMES)
                .map(|r| r.map(|p| (p.fields.to_vec(), p.unknown.map(|u| u.into_owned()))))
                .map_err(|e| e.to_string());
            assert_eq!(picked, through_value(body.as_bytes()), "{body}");
        }
    }

    #[test]
    fn a_text_without_escapes_is_borrowed_from_the_body() {
        let body = br#"{"a":"plain","b":"with \n escape"}"#;
        let picked = json_pick(body, &["a", "b"]).unwrap().unwrap().fields;
        assert!(matches!(
            &picked[0],
            Some(JsonField::Text(Cow::Borrowed("plain")))
        ));
        assert!(matches!(&picked[1], Some(JsonField::Text(Cow::Owned(_)))));
    }
}
