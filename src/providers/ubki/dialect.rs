//! The two dialects of UBKI's authorization API. A body is JSON, XML, or base64 of XML
//! (told apart by its content, since clients often send no `Content-Type`); the answer
//! is XML when the body was XML or the `Content-Type` names XML, JSON otherwise. Both
//! directions of `<doc><auth .../></doc>` are written with quick-xml.

use std::borrow::Cow;

use actix_web::HttpResponse;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, Event};
use quick_xml::{Reader, Writer, XmlVersion};
use serde_json::{Map, Value};

use super::wire::{AuthFields, auth_doc};
use crate::provider::{json, mark};

const BOM: &[u8] = b"\xef\xbb\xbf";

/// The format an authorization answer is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Json,
    Xml,
}

impl Dialect {
    /// XML when the body was XML (`body_is_xml`) or `content_type` is `application/xml`
    /// or `text/xml`: UBKI's own load tests send a JSON body with
    /// `Content-Type: application/xml` and read the answer with XPath. JSON otherwise,
    /// whatever `Accept` says (the same load tests send `Accept: application/json`).
    pub fn answering(content_type: Option<&str>, body_is_xml: bool) -> Self {
        if body_is_xml || content_type.is_some_and(names_xml) {
            Self::Xml
        } else {
            Self::Json
        }
    }
}

fn names_xml(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/xml") || media.eq_ignore_ascii_case("text/xml")
}

/// The XML document a body holds: the body itself when it starts with `<` (after a
/// byte-order mark and white space), or its base64 decoding (line breaks allowed,
/// padding optional) when that does. `None`: the body is not XML.
pub fn xml_body(body: &[u8]) -> Option<Cow<'_, [u8]>> {
    if starts_xml(body) {
        return Some(Cow::Borrowed(body));
    }
    let compact: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let decoded = STANDARD_PAD_INDIFFERENT.decode(compact).ok()?;
    starts_xml(&decoded).then_some(Cow::Owned(decoded))
}

fn starts_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// The attributes of `/doc/auth`, as JSON texts so the JSON checks apply unchanged;
/// `Ok(None)` when the root is not `doc` or it has no `auth` child. `Err` says why the
/// document is not well-formed XML.
pub fn auth_attributes(xml: &[u8]) -> Result<Option<Map<String, Value>>, String> {
    let xml = xml.strip_prefix(BOM).unwrap_or(xml);
    let text = std::str::from_utf8(xml).map_err(|e| format!("body: XML is not UTF-8: {e}"))?;
    let malformed = |why: String| format!("body: not well-formed XML: {why}");
    let mut reader = Reader::from_str(text);
    let mut walk = Walk::default();
    loop {
        match reader.read_event().map_err(|e| malformed(e.to_string()))? {
            Event::Start(e) => {
                walk.element(&e).map_err(malformed)?;
                walk.depth += 1;
            }
            Event::Empty(e) => walk.element(&e).map_err(malformed)?,
            Event::End(_) => walk.depth = walk.depth.saturating_sub(1),
            Event::Eof => break,
            _ => {}
        }
    }
    match (walk.roots, walk.depth) {
        (0, _) => Err(malformed("no root element".into())),
        (_, 0) => Ok(walk.auth),
        _ => Err(malformed("an element is not closed".into())),
    }
}

/// Where the reader is in the document, and the `auth` it found.
#[derive(Default)]
struct Walk {
    depth: usize,
    roots: usize,
    in_doc: bool,
    auth: Option<Map<String, Value>>,
}

impl Walk {
    fn element(&mut self, e: &BytesStart) -> Result<(), String> {
        let name = e.name();
        match self.depth {
            0 if self.roots > 0 => return Err("more than one root element".into()),
            0 => {
                self.roots = 1;
                self.in_doc = name.as_ref() == "doc";
            }
            1 if self.in_doc && self.auth.is_none() && name.as_ref() == "auth" => {
                self.auth = Some(attributes(e)?);
            }
            _ => {}
        }
        Ok(())
    }
}

fn attributes(e: &BytesStart) -> Result<Map<String, Value>, String> {
    let mut map = Map::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        map.insert(
            attr.key.as_ref().to_string(),
            Value::String(value.into_owned()),
        );
    }
    Ok(map)
}

/// `<?xml ...?><doc><auth name="value" .../></doc>`, every field an attribute.
pub fn auth_document(fields: &AuthFields) -> Vec<u8> {
    // Writing into a `Vec` cannot fail.
    write_document(fields).unwrap_or_default()
}

fn write_document(fields: &AuthFields) -> std::io::Result<Vec<u8>> {
    let values: Vec<(&str, String)> = fields.0.iter().map(|(k, v)| (*k, xml_text(v))).collect();
    let auth =
        BytesStart::new("auth").with_attributes(values.iter().map(|(k, v)| (*k, v.as_str())));
    let mut writer = Writer::new(Vec::new());
    writer.write_event(Event::Decl(BytesDecl::new(
        "1.0",
        Some("UTF-8"),
        Some("yes"),
    )))?;
    writer.write_event(Event::Start(BytesStart::new("doc")))?;
    writer.write_event(Event::Empty(auth))?;
    writer.write_event(Event::End(BytesEnd::new("doc")))?;
    Ok(writer.into_inner())
}

/// XML 1.0 has no escape for most control characters: they become U+FFFD.
fn xml_text(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// The authorization document `fields` in `dialect`, marked with `code`.
pub fn answer(fields: &AuthFields, dialect: Dialect, status: u16, code: &str) -> HttpResponse {
    match dialect {
        Dialect::Json => json(status, &auth_doc(fields), code),
        Dialect::Xml => {
            let status = actix_web::http::StatusCode::from_u16(status)
                .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
            let res = HttpResponse::build(status)
                .content_type("application/xml; charset=utf-8")
                .body(auth_document(fields));
            mark(res, code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base64_body_of_xml_is_xml_and_other_bodies_are_not() {
        let xml = "<?xml version=\"1.0\"?>\n<doc><auth login=\"a\" pass=\"b\"/></doc>\n";
        let encoded = STANDARD_PAD_INDIFFERENT.encode(xml);
        let wrapped = format!("{}\r\n{}", &encoded[..20], &encoded[20..]);

        assert_eq!(
            xml_body(wrapped.as_bytes()).as_deref(),
            Some(xml.as_bytes())
        );
        assert!(xml_body(b"  <doc/>").is_some());
        for not_xml in [&b"{}"[..], b"", b"null", b"1234", b"hello", b"\xff\xfe"] {
            assert!(xml_body(not_xml).is_none(), "{not_xml:?}");
        }
    }

    #[test]
    fn auth_attributes_are_unescaped_and_a_missing_auth_is_none() {
        let found = auth_attributes(b"<doc><auth login=\"a&amp;b\" pass=\"&#1087;\"/></doc>");
        let other_root = auth_attributes(b"<request><auth login=\"a\"/></request>");

        let found = found.unwrap().unwrap();
        assert_eq!(found["login"], "a&b");
        assert_eq!(found["pass"], "п");
        assert_eq!(other_root, Ok(None));
    }

    #[test]
    fn malformed_xml_says_why() {
        for bad in [
            &b"<doc><auth login=\"a\"></doc>"[..],
            b"<doc>",
            b"<?xml version=\"1.0\"?>",
            b"<doc/><doc/>",
            b"<doc><auth a=\"1\" a=\"2\"/></doc>",
            b"<doc><auth a=\"&unknown;\"/></doc>",
        ] {
            let problem = auth_attributes(bad).unwrap_err();
            assert!(
                problem.starts_with("body: not well-formed XML"),
                "{problem}"
            );
        }
    }

    #[test]
    fn written_values_are_escaped_and_control_characters_replaced() {
        let fields = AuthFields(vec![("errtext", "<a & \"b\"\u{1}>".into())]);

        let text = String::from_utf8(auth_document(&fields)).unwrap();

        assert_eq!(
            text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <doc><auth errtext=\"&lt;a &amp; &quot;b&quot;\u{fffd}&gt;\"/></doc>"
        );
    }
}
