//! Fields of a JSON object body, headers and query strings.

use std::borrow::Cow;

use actix_web::HttpRequest;
use serde_json::{Map, Value};

use super::pick::JsonField;

/// Why a field was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    /// Absent, `null`, or (with `blank_is_missing`) blank.
    Missing,
    NotText,
    TooLong(usize),
}

impl FieldProblem {
    /// `field: required`, `field: must be a string`, `field: longer than N characters`.
    pub fn describe(&self, field: &str) -> String {
        match self {
            Self::Missing => format!("{field}: required"),
            Self::NotText => format!("{field}: must be a string"),
            Self::TooLong(max) => format!("{field}: longer than {max} characters"),
        }
    }
}

/// Which texts count as absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blank {
    /// Only absent or `null`; `""` is a text.
    Kept,
    /// `""` too.
    Empty,
    /// Any text of white space only.
    WhiteSpace,
}

/// How a provider reads text fields: the limit (on the text as sent), what is blank,
/// and whether the text comes back trimmed. The three are independent because the
/// providers combine them every way.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    /// Longest accepted, in characters, before any trimming.
    pub max: usize,
    pub blank: Blank,
    /// Surrounding white space is dropped from what is returned.
    pub trim: bool,
}

impl Text {
    /// The field's text; `Ok(None)` when it is absent, `null` or blank.
    pub fn optional(
        &self,
        obj: &Map<String, Value>,
        field: &str,
    ) -> Result<Option<String>, FieldProblem> {
        match obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => self.read(s),
            Some(_) => Err(FieldProblem::NotText),
        }
    }

    /// The field's text, which must be there.
    pub fn required(&self, obj: &Map<String, Value>, field: &str) -> Result<String, FieldProblem> {
        self.optional(obj, field)?.ok_or(FieldProblem::Missing)
    }

    /// The same rules for a text a typed body already holds.
    pub fn value(&self, v: Option<&str>) -> Result<Option<String>, FieldProblem> {
        v.map_or(Ok(None), |s| self.read(s))
    }

    fn read(&self, s: &str) -> Result<Option<String>, FieldProblem> {
        Ok(self.check(s)?.map(str::to_string))
    }

    /// The same rules for a field `json_pick` read, taking its text: borrowed from the
    /// body when the JSON text had no escapes, so a valid request copies nothing.
    pub fn taken<'a>(
        &self,
        field: Option<JsonField<'a>>,
    ) -> Result<Option<Cow<'a, str>>, FieldProblem> {
        match field {
            None | Some(JsonField::Null) => Ok(None),
            Some(JsonField::Text(Cow::Borrowed(s))) => Ok(self.check(s)?.map(Cow::Borrowed)),
            Some(JsonField::Text(Cow::Owned(s))) => {
                Ok(self.check(&s)?.map(|t| t.to_string().into()))
            }
            Some(JsonField::Other) => Err(FieldProblem::NotText),
        }
    }

    /// The text the rules keep of `s` (trimmed if asked); `None` when blank.
    fn check<'s>(&self, s: &'s str) -> Result<Option<&'s str>, FieldProblem> {
        let blank = match self.blank {
            Blank::Kept => false,
            Blank::Empty => s.is_empty(),
            Blank::WhiteSpace => s.trim().is_empty(),
        };
        if blank {
            return Ok(None);
        }
        if s.chars().count() > self.max {
            return Err(FieldProblem::TooLong(self.max));
        }
        Ok(Some(if self.trim { s.trim() } else { s }))
    }
}

/// The body as a JSON object: `Err` with serde's message when it is not JSON, `Ok(Err)`
/// when it is JSON but not an object.
pub fn json_object(body: &[u8]) -> Result<Result<Map<String, Value>, Value>, serde_json::Error> {
    let value: Value = serde_json::from_slice(body)?;
    Ok(match value {
        Value::Object(obj) => Ok(obj),
        other => Err(other),
    })
}

/// A header's text, trimmed; `None` when absent, not text, or blank.
pub fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    header_text(req, name).ok().flatten()
}

/// A header value that is not visible ASCII.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotText;

/// A header's text, trimmed, for providers that answer a value that is not text
/// otherwise than an absent one: `Ok(None)` when absent or blank.
pub fn header_text<'a>(req: &'a HttpRequest, name: &str) -> Result<Option<&'a str>, NotText> {
    match req.headers().get(name) {
        None => Ok(None),
        Some(value) => {
            let text = value.to_str().map_err(|_| NotText)?.trim();
            Ok((!text.is_empty()).then_some(text))
        }
    }
}

/// Pairs of a query string or form body (both `application/x-www-form-urlencoded`).
pub fn url_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    actix_web::web::Query::<Vec<(String, String)>>::from_query(&String::from_utf8_lossy(bytes))
        .map(|q| q.into_inner())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    const STRICT: Text = Text {
        max: 3,
        blank: Blank::Empty,
        trim: false,
    };

    #[test]
    fn a_header_that_is_not_text_is_told_from_an_absent_one() {
        let value = actix_web::http::header::HeaderValue::from_bytes(b"caf\xe9").unwrap();
        let req = actix_web::test::TestRequest::default()
            .insert_header(("authorization", value))
            .insert_header(("accept", "  "))
            .to_http_request();

        assert_eq!(header_text(&req, "authorization"), Err(NotText));
        assert_eq!(header_text(&req, "accept"), Ok(None));
        assert_eq!(header_text(&req, "x-absent"), Ok(None));
        assert_eq!(header(&req, "authorization"), None);
    }

    #[test]
    fn blank_text_is_missing_when_the_provider_says_so() {
        let body = obj(serde_json::json!({ "a": "" }));
        assert_eq!(STRICT.required(&body, "a"), Err(FieldProblem::Missing));
    }

    #[test]
    fn long_text_and_other_types_are_refused() {
        let body = obj(serde_json::json!({ "a": "abcd", "b": 1 }));
        assert_eq!(STRICT.optional(&body, "a"), Err(FieldProblem::TooLong(3)));
        assert_eq!(STRICT.optional(&body, "b"), Err(FieldProblem::NotText));
    }

    #[test]
    fn white_space_can_be_blank_while_the_text_is_kept_as_sent() {
        let rules = Text {
            max: 10,
            blank: Blank::WhiteSpace,
            trim: false,
        };
        let body = obj(serde_json::json!({ "a": "   ", "b": " x " }));
        assert_eq!(rules.required(&body, "a"), Err(FieldProblem::Missing));
        assert_eq!(rules.optional(&body, "b"), Ok(Some(" x ".into())));
    }

    #[test]
    fn trimmed_text_keeps_its_inner_spaces() {
        let rules = Text {
            max: 10,
            trim: true,
            ..STRICT
        };
        let body = obj(serde_json::json!({ "a": " a b " }));
        assert_eq!(rules.optional(&body, "a"), Ok(Some("a b".into())));
    }
}
