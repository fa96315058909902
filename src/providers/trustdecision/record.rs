//! One call's record, as the state view and the snapshot show it. The request path
//! keeps what it already has (the body's bytes, the answer it sends) and the JSON of
//! a record is made only when someone reads it: building and dropping a
//! `serde_json::Value` tree for the request and the answer of every call was the
//! largest part of a call's cost, for records that are mostly never read.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::wire::Answer;

/// Request bodies larger than this are recorded as a size note, not in full.
pub const MAX_RECORDED_BODY: usize = 4 * 1024;

/// One answer that took a `sequence_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub sequence_id: String,
    pub time: DateTime<Utc>,
    pub partner_code: Option<String>,
    /// Absent for answers made before the handler (force header, rule, wrong method,
    /// over-size body): the sandbox answered without reading the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Kept<Asked>>,
    /// The answer as sent, shared with the reply that sends it.
    pub response: Kept<Shared>,
}

/// An answer shared by the reply that sends it and the record that keeps it, so it
/// is neither copied nor written twice on the request path.
#[derive(Debug, Clone)]
pub struct Shared(pub Arc<Answer>);

impl Serialize for Shared {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A part of a record: made on the request path as a typed value and written as JSON
/// only when read; read back from a snapshot as the JSON it was saved as, since an
/// older snapshot may hold any JSON there.
#[derive(Debug, Clone)]
pub enum Kept<T> {
    Made(T),
    Restored(Value),
}

impl<T: Serialize> Serialize for Kept<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Made(made) => made.serialize(s),
            Self::Restored(value) => value.serialize(s),
        }
    }
}

impl<'de, T> Deserialize<'de> for Kept<T> {
    /// Through `Value`, so what a snapshot may hold, and the errors for what it may
    /// not, are those of the `Value` this field was before.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(Self::Restored)
    }
}

/// What a record keeps of a request: the partner code (never the key) and the body.
/// Written as `{"body": .., "partner_code": ..}`, the body as its JSON when it is
/// JSON, else as its text (lossy UTF-8), or as a size note when over
/// `MAX_RECORDED_BODY`.
#[derive(Debug, Clone)]
pub struct Asked {
    partner_code: Option<String>,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Sent(Box<[u8]>),
    NotKept(usize),
}

impl Asked {
    pub fn new(partner_code: Option<String>, body: &[u8]) -> Self {
        let body = if body.len() > MAX_RECORDED_BODY {
            Body::NotKept(body.len())
        } else {
            Body::Sent(body.into())
        };
        Self { partner_code, body }
    }

    /// The body as the record shows it.
    fn body_value(&self) -> Value {
        match &self.body {
            Body::NotKept(len) => Value::from(format!("[{len} bytes, not kept]")),
            Body::Sent(bytes) => serde_json::from_slice(bytes)
                .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(bytes).into_owned())),
        }
    }
}

impl Serialize for Asked {
    /// The keys in `Value`'s order, which is what this was written as before.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("body", &self.body_value())?;
        map.serialize_entry("partner_code", &self.partner_code)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What the handler recorded before records were kept typed.
    fn old_request(partner_code: Option<&str>, body: &[u8]) -> Value {
        let body = if body.len() > MAX_RECORDED_BODY {
            Value::from(format!("[{} bytes, not kept]", body.len()))
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(body).into_owned()))
        };
        json!({ "partner_code": partner_code, "body": body })
    }

    #[test]
    fn a_request_is_written_as_it_was_recorded_before() {
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_RECORDED_BODY));
        let bodies: [&[u8]; 9] = [
            b"{\"b\":1,\"a\":[1.5,null,{\"z\":\"\\u00e9\"}]}",
            b"",
            b"  ",
            b"{",
            b"not json \xff",
            b"\"text\"",
            b"1e999",
            b"{\"a\":1,\"a\":2}",
            big.as_bytes(),
        ];
        for body in bodies {
            for code in [None, Some("sandbox")] {
                let asked = Asked::new(code.map(str::to_string), body);
                let new = serde_json::to_string(&asked).expect("writes");
                let old = serde_json::to_string(&old_request(code, body)).expect("writes");
                assert_eq!(new, old, "{}", String::from_utf8_lossy(body));
                let as_value = serde_json::to_value(&asked).expect("writes");
                assert_eq!(as_value, old_request(code, body));
            }
        }
    }

    #[test]
    fn a_restored_part_is_written_back_as_it_was_read() {
        let value = json!({ "anything": [1, "two", { "b": null, "a": 2 }] });
        let kept: Kept<Asked> = serde_json::from_value(value.clone()).expect("reads");
        assert_eq!(serde_json::to_value(&kept).expect("writes"), value);
    }
}
