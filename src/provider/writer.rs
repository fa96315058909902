//! Answers of a fixed shape written straight into bytes: the same compact JSON serde
//! writes of a derived `Serialize` (members in field order, `skip_serializing_if`
//! fields left out), without a serializer's per-call work, which was the largest part
//! of sending a UBKI or TrustDecision answer (benches/profile.sh). Each shape written
//! this way has a test comparing its bytes with serde_json's.

use actix_web::{
    HttpResponse,
    http::StatusCode,
    http::header::{CONTENT_TYPE, HeaderValue},
};

use super::answer::{ExactBody, mark};

/// A JSON text: copied when it needs no escape, else written by serde_json (which
/// escapes only `"`, `\` and control characters).
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    // A fold without early exit, so the compiler checks 16 bytes at a time.
    let needs_escape = s.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if !needs_escape {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, s).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

/// One JSON object being written: `{`, then members, then `}` on `end`.
pub struct Object<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> Object<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, empty: true }
    }

    /// Keys are the wire's member names, plain ASCII: copied without a check.
    fn key(&mut self, key: &'static str) {
        debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    pub fn str(&mut self, key: &'static str, value: &str) -> &mut Self {
        self.key(key);
        push_str(self.out, value);
        self
    }

    /// A member left out when `None`, as `skip_serializing_if = "Option::is_none"`.
    pub fn opt(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.str(key, v);
        }
        self
    }

    pub fn bool(&mut self, key: &'static str, value: bool) -> &mut Self {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    /// Any other value (a number), as serde_json writes it.
    pub fn value(&mut self, key: &'static str, value: &impl serde::Serialize) -> &mut Self {
        self.key(key);
        if serde_json::to_writer(&mut *self.out, value).is_err() {
            self.out.extend_from_slice(b"null");
        }
        self
    }

    /// An array of objects, each written by `write`.
    pub fn objects<T>(
        &mut self,
        key: &'static str,
        items: impl IntoIterator<Item = T>,
        mut write: impl FnMut(&mut Object, T),
    ) -> &mut Self {
        self.key(key);
        self.out.push(b'[');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            let mut inner = Object::new(self.out);
            write(&mut inner, item);
            inner.end();
        }
        self.out.push(b']');
        self
    }

    /// An array of texts, left out when empty (`skip_serializing_if = "Vec::is_empty"`).
    pub fn strs(&mut self, key: &'static str, values: &[String]) -> &mut Self {
        if values.is_empty() {
            return self;
        }
        self.key(key);
        self.out.push(b'[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            push_str(self.out, v);
        }
        self.out.push(b']');
        self
    }

    /// A nested object, left out when `None`.
    pub fn object<T>(
        &mut self,
        key: &'static str,
        value: Option<&T>,
        write: fn(&mut Object, &T),
    ) -> &mut Self {
        if let Some(v) = value {
            self.key(key);
            let mut inner = Object::new(self.out);
            write(&mut inner, v);
            inner.end();
        }
        self
    }

    pub fn end(self) {
        self.out.push(b'}');
    }
}

/// One object written into a new buffer of `capacity` bytes.
pub fn object_json(capacity: usize, write: impl FnOnce(&mut Object)) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    let mut o = Object::new(&mut out);
    write(&mut o);
    o.end();
    out
}

/// A JSON answer of bytes already written, carrying `code`: what `provider::json`
/// sends, for the shapes written here.
pub fn json_bytes(status: u16, mut bytes: Vec<u8>, code: &str) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    // Exactly as long as its allocation, so the journal can keep this body itself.
    bytes.shrink_to_fit();
    let mut res = HttpResponse::build(status)
        // Static: `ContentType::json()` copies the mime's text into a new value.
        .insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")))
        .body(bytes);
    res.extensions_mut().insert(ExactBody);
    mark(res, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_escaped_as_serde_json_escapes_them() {
        for s in ["plain", "Операцію", "\"q\" \\ / \n \t \u{1} \u{7f} 😀", ""] {
            let mut out = Vec::new();
            push_str(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s}");
        }
    }
}
